//! DNS messages for NSLookupDiagnostics (RFC 1035 §4.1): a recursive A or AAAA query and the
//! parts of a response TR-181 reports (RCODE, AA, the address records and their owner name).
//! Pure: the edge sends and receives the bytes.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// RR types and class (RFC 1035 §3.2.2, RFC 3596).
pub const TYPE_A: u16 = 1;
pub const TYPE_AAAA: u16 = 28;
const CLASS_IN: u16 = 1;
/// RCODE 3: the name does not exist.
pub const RCODE_NXDOMAIN: u8 = 3;

/// A query for `name` (a trailing dot is allowed) with recursion desired. `None` when the name
/// is not a valid DNS name (an empty label, a label over 63 bytes, over 255 bytes in all).
pub fn query(id: u16, name: &str, qtype: u16) -> Option<Vec<u8>> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let mut packet = Vec::with_capacity(18 + name.len());
    packet.extend_from_slice(&id.to_be_bytes());
    packet.extend_from_slice(&[0x01, 0x00]); // RD
    packet.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // QDCOUNT 1
    let start = packet.len();
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return None;
        }
        packet.push(label.len() as u8);
        packet.extend_from_slice(label.as_bytes());
    }
    packet.push(0);
    if packet.len() - start > 255 {
        return None;
    }
    packet.extend_from_slice(&qtype.to_be_bytes());
    packet.extend_from_slice(&CLASS_IN.to_be_bytes());
    Some(packet)
}

/// What a response says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    pub id: u16,
    pub rcode: u8,
    /// AA: the server is an authority for the name.
    pub authoritative: bool,
    pub addresses: Vec<IpAddr>,
    /// The owner name of the first address record (the canonical name after CNAMEs), without
    /// the trailing dot.
    pub host_name: Option<String>,
}

fn u16_at(buf: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*buf.get(at)?, *buf.get(at + 1)?]))
}

/// Read a possibly compressed name at `at`: the name and where the record continues.
fn read_name(buf: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut labels: Vec<String> = Vec::new();
    let mut end = None;
    // Each pointer must go backwards, so this ends; bound the work anyway.
    for _ in 0..128 {
        let len = *buf.get(at)?;
        match len {
            0 => {
                return Some((labels.join("."), end.unwrap_or(at + 1)));
            }
            1..=63 => {
                let label = buf.get(at + 1..at + 1 + usize::from(len))?;
                labels.push(String::from_utf8_lossy(label).into_owned());
                at += 1 + usize::from(len);
            }
            0xc0..=0xff => {
                let target = usize::from(u16_at(buf, at)? & 0x3fff);
                if target >= at {
                    return None;
                }
                end.get_or_insert(at + 2);
                at = target;
            }
            _ => return None,
        }
    }
    None
}

/// Parse a response to a query with `id`. `None` for anything that is not a well-formed
/// response to it.
pub fn parse_response(buf: &[u8], id: u16) -> Option<Response> {
    if u16_at(buf, 0)? != id || buf.get(2)? & 0x80 == 0 {
        return None;
    }
    let flags = u16_at(buf, 2)?;
    let (questions, answers) = (u16_at(buf, 4)?, u16_at(buf, 6)?);
    let mut at = 12;
    for _ in 0..questions {
        at = read_name(buf, at)?.1 + 4;
    }
    let mut response = Response {
        id,
        rcode: (flags & 0x000f) as u8,
        authoritative: flags & 0x0400 != 0,
        ..Response::default()
    };
    for _ in 0..answers {
        let (owner, next) = read_name(buf, at)?;
        let (rtype, class) = (u16_at(buf, next)?, u16_at(buf, next + 2)?);
        let length = usize::from(u16_at(buf, next + 8)?);
        let data = buf.get(next + 10..next + 10 + length)?;
        at = next + 10 + length;
        let address = match (rtype, class, length) {
            (TYPE_A, CLASS_IN, 4) => IpAddr::V4(Ipv4Addr::new(data[0], data[1], data[2], data[3])),
            (TYPE_AAAA, CLASS_IN, 16) => {
                IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(data).ok()?))
            }
            _ => continue,
        };
        response.host_name.get_or_insert(owner);
        response.addresses.push(address);
    }
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_exact_bytes() {
        assert_eq!(
            query(0xabcd, "ex.org.", TYPE_AAAA).unwrap(),
            [
                0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 2, b'e', b'x', 3, b'o', b'r', b'g',
                0, 0, 28, 0, 1
            ]
        );
        assert_eq!(query(1, "a..b", TYPE_A), None);
        assert_eq!(query(1, "", TYPE_A), None);
        assert_eq!(query(1, &"x".repeat(64), TYPE_A), None);
        let long = vec!["abcdefghi"; 26].join(".");
        assert_eq!(query(1, &long, TYPE_A), None);
    }

    /// www.ex.org CNAME host.ex.org, host.ex.org A 192.0.2.7, AAAA 2001:db8::7; names
    /// compressed against the question.
    fn sample_response() -> Vec<u8> {
        let mut r = query(0x1234, "www.ex.org", TYPE_A).unwrap();
        r[2] = 0x85; // QR, AA, RD
        r[3] = 0x80; // RA, RCODE 0
        r[7] = 3; // ANCOUNT
                  // www.ex.org (pointer to 12) CNAME host + pointer to "ex.org" at 16.
        r.extend_from_slice(&[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 7]);
        let host_at = r.len();
        r.extend_from_slice(&[4, b'h', b'o', b's', b't', 0xc0, 16]);
        let [hi, lo] = (0xc000u16 | host_at as u16).to_be_bytes();
        r.extend_from_slice(&[hi, lo, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7]);
        r.extend_from_slice(&[hi, lo, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16]);
        r.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]);
        r
    }

    #[test]
    fn parses_addresses_owner_and_flags() {
        let response = parse_response(&sample_response(), 0x1234).unwrap();
        assert_eq!(response.rcode, 0);
        assert!(response.authoritative);
        assert_eq!(response.host_name.as_deref(), Some("host.ex.org"));
        assert_eq!(
            response.addresses,
            [
                "192.0.2.7".parse::<IpAddr>().unwrap(),
                "2001:db8::7".parse().unwrap()
            ]
        );
    }

    #[test]
    fn rejects_other_ids_queries_loops_and_truncation() {
        let good = sample_response();
        assert_eq!(parse_response(&good, 0x4321), None);
        assert_eq!(
            parse_response(&query(0x1234, "a", TYPE_A).unwrap(), 0x1234),
            None
        );
        for len in 0..good.len() {
            assert_eq!(parse_response(&good[..len], 0x1234), None, "cut at {len}");
        }
        let mut looped = good.clone();
        looped[12..14].copy_from_slice(&[0xc0, 12]); // the question's name points at itself
        assert_eq!(parse_response(&looped, 0x1234), None);
    }

    #[test]
    fn nxdomain_has_its_rcode() {
        let mut r = query(9, "nope.ex.org", TYPE_A).unwrap();
        r[2] = 0x81;
        r[3] = 0x83;
        let response = parse_response(&r, 9).unwrap();
        assert_eq!(response.rcode, RCODE_NXDOMAIN);
        assert!(response.addresses.is_empty());
    }
}
