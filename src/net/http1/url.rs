//! http and https URLs (RFC 3986, as far as an HTTP client needs): scheme, host (name, IPv4,
//! or bracketed IPv6 literal), port, and the request-target. Existing percent-encoding is kept
//! as written; characters that cannot go on a request line are percent-encoded. Names must be
//! ASCII (a punycode `xn--` name works; Unicode host names are refused, which saves the IDNA
//! tables), and user info (`user:pass@`) is refused: credentials are configured separately.

use std::fmt;
use std::net::Ipv6Addr;

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// A well-formed scheme other than http or https (the scheme, lowercase).
    Scheme(String),
    /// Anything else: the reason.
    Invalid(&'static str),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Scheme(scheme) => write!(f, "not an http or https URL ({scheme})"),
            UrlError::Invalid(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for UrlError {}

/// An absolute http or https URL, normalised: lowercase scheme and host, no default port, no
/// fragment, a path that starts with `/` and has no dot segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    https: bool,
    /// Lowercase; an IPv6 literal without its brackets.
    host: String,
    port: u16,
    /// Path and query, as sent on the request line.
    target: String,
    serialized: String,
}

impl HttpUrl {
    pub fn parse(text: &str) -> Result<HttpUrl, UrlError> {
        let text = text.trim();
        let (scheme, rest) = split_scheme(text).ok_or(UrlError::Invalid("no scheme"))?;
        let https = match scheme.as_str() {
            "http" => false,
            "https" => true,
            _ => return Err(UrlError::Scheme(scheme)),
        };
        let rest = rest
            .strip_prefix("//")
            .ok_or(UrlError::Invalid("no host"))?;
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, reference) = rest.split_at(authority_end);
        let (host, port) = parse_authority(authority, if https { 443 } else { 80 })?;
        let target = normalize_target(reference, "/");
        Ok(HttpUrl::from_parts(https, host, port, target))
    }

    /// Resolves a reference (a redirect's Location) against this URL (RFC 3986 §5.2).
    pub fn join(&self, reference: &str) -> Result<HttpUrl, UrlError> {
        let reference = reference.trim();
        if split_scheme(reference).is_some() {
            return HttpUrl::parse(reference);
        }
        if reference.starts_with("//") {
            return HttpUrl::parse(&format!("{}:{reference}", self.scheme()));
        }
        let target = if reference.is_empty() || reference.starts_with('#') {
            self.target.clone()
        } else if reference.starts_with('?') {
            normalize_target(&format!("{}{reference}", self.path()), "/")
        } else if reference.starts_with('/') {
            normalize_target(reference, "/")
        } else {
            let path = self.path();
            let directory = &path[..path.rfind('/').map_or(0, |i| i + 1)];
            normalize_target(&format!("{directory}{reference}"), "/")
        };
        Ok(HttpUrl::from_parts(
            self.https,
            self.host.clone(),
            self.port,
            target,
        ))
    }

    fn from_parts(https: bool, host: String, port: u16, target: String) -> HttpUrl {
        let default_port = if https { 443 } else { 80 };
        let mut serialized = format!("{}://", if https { "https" } else { "http" });
        push_host(&mut serialized, &host);
        if port != default_port {
            serialized.push_str(&format!(":{port}"));
        }
        serialized.push_str(&target);
        HttpUrl {
            https,
            host,
            port,
            target,
            serialized,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.serialized
    }

    pub fn is_https(&self) -> bool {
        self.https
    }

    pub fn scheme(&self) -> &'static str {
        if self.https {
            "https"
        } else {
            "http"
        }
    }

    /// Lowercase; an IPv6 literal without brackets (as name resolution and TLS want it).
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The request-target (RFC 9112 §3.2.1 origin-form): path and query.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The path alone, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("/")
    }

    /// The Host header's value: host, and the port unless it is the scheme's default.
    pub fn host_header(&self) -> String {
        let mut value = String::new();
        push_host(&mut value, &self.host);
        if self.port != if self.https { 443 } else { 80 } {
            value.push_str(&format!(":{}", self.port));
        }
        value
    }

    /// Same scheme, host and port: one connection can carry requests for both.
    pub fn same_origin(&self, other: &HttpUrl) -> bool {
        self.https == other.https && self.host == other.host && self.port == other.port
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialized)
    }
}

/// `scheme:rest` when `text` starts with a syntactically valid scheme (RFC 3986 §3.1).
fn split_scheme(text: &str) -> Option<(String, &str)> {
    let colon = text.find(':')?;
    let scheme = &text[..colon];
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| (scheme.to_ascii_lowercase(), &text[colon + 1..]))
}

fn parse_authority(authority: &str, default_port: u16) -> Result<(String, u16), UrlError> {
    if authority.contains('@') {
        return Err(UrlError::Invalid(
            "user info in the URL is not supported (configure the user name and password)",
        ));
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (literal, after) = bracketed
            .split_once(']')
            .ok_or(UrlError::Invalid("unterminated IPv6 address"))?;
        let address: Ipv6Addr = literal
            .parse()
            .map_err(|_| UrlError::Invalid("invalid IPv6 address"))?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or(UrlError::Invalid("unexpected text after the IPv6 address"))?,
            ),
        };
        (address.to_string(), port)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        check_host_name(host)?;
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        None | Some("") => default_port,
        Some(digits) if digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            match digits.parse::<u16>() {
                Ok(port) if port > 0 => port,
                _ => return Err(UrlError::Invalid("invalid port")),
            }
        }
        Some(_) => return Err(UrlError::Invalid("invalid port")),
    };
    Ok((host, port))
}

fn check_host_name(host: &str) -> Result<(), UrlError> {
    if host.is_empty() {
        return Err(UrlError::Invalid("no host"));
    }
    if !host.is_ascii() {
        return Err(UrlError::Invalid(
            "non-ASCII host names are not supported (use the xn-- form)",
        ));
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        return Err(UrlError::Invalid("invalid character in the host name"));
    }
    Ok(())
}

fn push_host(out: &mut String, host: &str) {
    if host.contains(':') {
        out.push('[');
        out.push_str(host);
        out.push(']');
    } else {
        out.push_str(host);
    }
}

/// Path and query from the text after the authority: fragment dropped, dot segments removed
/// (RFC 3986 §5.2.4), bytes a request line cannot carry percent-encoded, `%` kept as written.
fn normalize_target(reference: &str, empty_path: &str) -> String {
    let reference = reference.split('#').next().unwrap_or("");
    let (path, query) = match reference.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (reference, None),
    };
    let mut target = encode(&remove_dot_segments(path));
    if target.is_empty() {
        target.push_str(empty_path);
    }
    if let Some(query) = query {
        target.push('?');
        target.push_str(&encode(query));
    }
    target
}

fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    for (index, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {}
            ".." => {
                if output.len() > 1 {
                    output.pop();
                }
            }
            _ => output.push(segment),
        }
        // "/a/." and "/a/.." name a directory: keep the trailing slash.
        if index == last && (*segment == "." || *segment == "..") {
            output.push("");
        }
    }
    let joined = output.join("/");
    if path.starts_with('/') && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Percent-encodes what RFC 3986 does not allow in a path or query (controls, space, `"`,
/// `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`, non-ASCII), leaving `%` escapes as they are.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let allowed = byte.is_ascii_graphic()
            && !matches!(
                byte,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            );
        if allowed {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> HttpUrl {
        HttpUrl::parse(text).expect(text)
    }

    #[test]
    fn parses_and_normalises() {
        let u = url("HTTPS://ACS.Example.com:443/cwmp?x=1#frag");
        assert_eq!(u.as_str(), "https://acs.example.com/cwmp?x=1");
        assert_eq!(
            (u.host(), u.port(), u.target()),
            ("acs.example.com", 443, "/cwmp?x=1")
        );
        assert_eq!(u.path(), "/cwmp");
        assert_eq!(u.host_header(), "acs.example.com");
        let u = url("http://10.0.0.1:7547");
        assert_eq!((u.as_str(), u.target()), ("http://10.0.0.1:7547/", "/"));
        assert_eq!(u.host_header(), "10.0.0.1:7547");
        assert_eq!(url("http://h:/x").port(), 80);
    }

    #[test]
    fn ipv6_literals() {
        let u = url("http://[2001:DB8::0:1]:8080/acs");
        assert_eq!(u.host(), "2001:db8::1");
        assert_eq!(u.host_header(), "[2001:db8::1]:8080");
        assert_eq!(u.as_str(), "http://[2001:db8::1]:8080/acs");
        assert_eq!(url("https://[::1]/").as_str(), "https://[::1]/");
        for bad in [
            "http://[::1/",
            "http://[zz::1]/",
            "http://[::1]x/",
            "http://[fe80::1%eth0]/",
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_handle() {
        assert_eq!(
            HttpUrl::parse("ftp://h/f"),
            Err(UrlError::Scheme("ftp".into()))
        );
        assert_eq!(
            HttpUrl::parse("file:///etc/passwd"),
            Err(UrlError::Scheme("file".into()))
        );
        for bad in [
            "not a url",
            "acs.example.com/cwmp",
            "http:acs",
            "http://",
            "http://:80/",
            "http://user:pw@acs/",
            "http://bücher.example/",
            "http://a b/",
            "http://h:0/",
            "http://h:65536/",
            "http://h:8o/",
        ] {
            assert!(
                matches!(HttpUrl::parse(bad), Err(UrlError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn keeps_escapes_and_encodes_the_rest() {
        assert_eq!(
            url("http://h/a%2Fb/c d/é?q=a b&r=%41").target(),
            "/a%2Fb/c%20d/%C3%A9?q=a%20b&r=%41"
        );
        assert_eq!(url("http://h/a/./b/../c/..").target(), "/a/");
        assert_eq!(url("http://h/../../x").target(), "/x");
    }

    #[test]
    fn joins_references() {
        let base = url("http://acs:7547/a/b/c?q=1");
        let cases = [
            ("/moved", "http://acs:7547/moved"),
            ("d", "http://acs:7547/a/b/d"),
            ("../d?x", "http://acs:7547/a/d?x"),
            ("?x=2", "http://acs:7547/a/b/c?x=2"),
            ("", "http://acs:7547/a/b/c?q=1"),
            ("#f", "http://acs:7547/a/b/c?q=1"),
            ("//other/x", "http://other/x"),
            ("HTTPS://Other:8443/y", "https://other:8443/y"),
        ];
        for (reference, expected) in cases {
            assert_eq!(
                base.join(reference).unwrap().as_str(),
                expected,
                "{reference}"
            );
        }
        assert_eq!(base.join("ftp://x/"), Err(UrlError::Scheme("ftp".into())));
    }

    #[test]
    fn origins() {
        assert!(url("http://a:80/x").same_origin(&url("http://A/y")));
        assert!(!url("http://a/").same_origin(&url("https://a/")));
        assert!(!url("http://a/").same_origin(&url("http://a:81/")));
        assert!(!url("http://a/").same_origin(&url("http://b/")));
    }
}
