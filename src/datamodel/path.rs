//! Parameter paths (TR-069 A.2.2.1, TR-106 §3.6): parsing of the names an ACS sends.
//!
//! A path is a dot-separated list of segments starting at `Device`. A *partial path* ends in a
//! dot and names an object; a *complete path* names a parameter. CWMP 1.4 adds instance
//! wildcards (`*`) for GetParameterValues and GetParameterAttributes (A.2.2.2) and alias-based
//! addressing (`[alias]`, §3.6.1, A.2.2.1), which is parsed here and resolved by the engine
//! (see `super::alias`).

use super::error::Error;

/// The root object of the Device:2 data model.
pub const ROOT: &str = "Device";

/// One segment of a requested path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// An object or parameter name.
    Name(&'a str),
    /// An instance number of a multi-instance object (never 0).
    Instance(u32),
    /// `*`: every instance.
    Wildcard,
    /// `[alias]`: the instance whose Alias is this (alias-based addressing).
    Alias(&'a str),
}

/// A parsed request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPath<'a> {
    /// The segments after `Device`.
    pub segments: Vec<Segment<'a>>,
    /// True when the path ended in a dot (names an object and everything below it).
    pub partial: bool,
}

impl RequestPath<'_> {
    pub fn has_wildcard(&self) -> bool {
        self.segments.contains(&Segment::Wildcard)
    }
}

/// Parse a path as an ACS sends it. The empty path means `Device.` (A.3.2.2, A.3.2.3).
pub fn parse(text: &str) -> Result<RequestPath<'_>, Error> {
    if text.is_empty() {
        return Ok(RequestPath {
            segments: Vec::new(),
            partial: true,
        });
    }
    let invalid = || Error::invalid_name(text);
    let (body, partial) = match text.strip_suffix('.') {
        Some(body) => (body, true),
        None => (text, false),
    };
    let mut parts = body.split('.');
    if parts.next() != Some(ROOT) {
        return Err(invalid());
    }
    let segments = parts
        .map(|part| parse_segment(part).ok_or_else(invalid))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RequestPath { segments, partial })
}

fn parse_segment(part: &str) -> Option<Segment<'_>> {
    let first = *part.as_bytes().first()?;
    if part == "*" {
        Some(Segment::Wildcard)
    } else if first.is_ascii_digit() {
        parse_instance_number(part).map(Segment::Instance)
    } else if let Some(alias) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
        (!alias.is_empty()).then_some(Segment::Alias(alias))
    } else if is_name(part) {
        Some(Segment::Name(part))
    } else {
        None
    }
}

/// Instance numbers are positive decimal integers without leading zeros (TR-106 §3.6.1).
fn parse_instance_number(part: &str) -> Option<u32> {
    if part.starts_with('0') || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok().filter(|&n| n > 0)
}

/// TR-106 names: a letter or underscore, then letters, digits, `_` or `-`.
pub fn is_name(part: &str) -> bool {
    let mut bytes = part.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Replace each `{i}` of a schema pattern with `*` (the wildcard form of a pattern).
pub fn pattern_to_wildcard(pattern: &str) -> String {
    pattern.replace("{i}", "*")
}

/// Replace the `{i}` of a pattern with instance numbers, in order.
pub fn instantiate(pattern: &str, instances: &[u32]) -> String {
    if instances.is_empty() {
        return pattern.to_string();
    }
    let mut out = String::with_capacity(pattern.len() + 4 * instances.len());
    let mut numbers = instances.iter();
    let mut rest = pattern;
    while let Some(at) = rest.find("{i}") {
        out.push_str(&rest[..at]);
        match numbers.next() {
            Some(number) => out.push_str(&number.to_string()),
            None => out.push_str("{i}"),
        }
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::*;

    #[test]
    fn empty_path_is_the_root_object() {
        let path = parse("").unwrap();
        assert!(path.partial);
        assert!(path.segments.is_empty());
        assert_eq!(parse("Device.").unwrap(), path);
    }

    #[test]
    fn complete_and_partial_paths() {
        let path = parse("Device.ManagementServer.URL").unwrap();
        assert!(!path.partial);
        assert_eq!(path.segments, vec![Name("ManagementServer"), Name("URL")]);
        let path = parse("Device.IP.Interface.3.").unwrap();
        assert!(path.partial);
        assert_eq!(
            path.segments,
            vec![Name("IP"), Name("Interface"), Instance(3)]
        );
    }

    #[test]
    fn wildcards_and_aliases() {
        let path = parse("Device.IP.Interface.*.Enable").unwrap();
        assert!(path.has_wildcard());
        assert_eq!(path.segments[2], Wildcard);
        let path = parse("Device.IP.Interface.[wan].Enable").unwrap();
        assert_eq!(path.segments[2], Alias("wan"));
    }

    #[test]
    fn patterns_are_instantiated_in_order() {
        assert_eq!(
            instantiate("Device.A.{i}.B.{i}.C", &[3, 7]),
            "Device.A.3.B.7.C"
        );
        assert_eq!(instantiate("Device.A.", &[]), "Device.A.");
    }

    #[test]
    fn malformed_paths_are_invalid_names() {
        for bad in [
            "Device",
            "InternetGatewayDevice.",
            "Device..DeviceInfo.",
            "Device.DeviceInfo..",
            "Device.IP.Interface.0.",
            "Device.IP.Interface.01.",
            "Device.IP.Interface.[].",
            "Device.Bad Name",
            ".Device.",
            "Device.9abc",
            "Device.IP.Interface.99999999999.",
        ] {
            let result = parse(bad);
            // "Device" alone is a complete path to nothing: valid syntax, resolved later.
            if bad == "Device" {
                assert_eq!(result.unwrap().segments, vec![]);
                continue;
            }
            assert_eq!(result, Err(Error::invalid_name(bad)), "{bad}");
        }
    }
}
