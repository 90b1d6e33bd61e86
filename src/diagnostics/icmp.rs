//! ICMP (RFC 792) and ICMPv6 (RFC 4443 §4.1–4.2) echo messages, built and parsed without I/O.
//!
//! Echo message: type (1), code (1), checksum (2), identifier (2), sequence number (2), data.

/// ICMP types of echo request and reply, IPv4 and IPv6.
const ECHO_REQUEST_V4: u8 = 8;
const ECHO_REPLY_V4: u8 = 0;
const ECHO_REQUEST_V6: u8 = 128;
const ECHO_REPLY_V6: u8 = 129;

/// Length of the echo header.
pub const HEADER_LEN: usize = 8;

/// The Internet checksum (RFC 1071): one's complement of the one's-complement sum of 16-bit
/// big-endian words, an odd last byte padded with zero.
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|pair| u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An echo request with `payload_len` bytes of data (0, 1, 2, … wrapping). For ICMPv4 the
/// checksum is filled in; for ICMPv6 it covers a pseudo-header the kernel computes (RFC 3542
/// §3.1), so it is left zero.
pub fn echo_request(v6: bool, id: u16, seq: u16, payload_len: usize) -> Vec<u8> {
    let mut packet = Vec::with_capacity(HEADER_LEN + payload_len);
    packet.push(if v6 { ECHO_REQUEST_V6 } else { ECHO_REQUEST_V4 });
    packet.push(0);
    packet.extend_from_slice(&[0, 0]);
    packet.extend_from_slice(&id.to_be_bytes());
    packet.extend_from_slice(&seq.to_be_bytes());
    packet.extend((0..payload_len).map(|i| i as u8));
    if !v6 {
        let sum = checksum(&packet);
        packet[2..4].copy_from_slice(&sum.to_be_bytes());
    }
    packet
}

/// An echo reply's identifier and sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoReply {
    pub id: u16,
    pub seq: u16,
}

/// Read an echo reply from what a socket returned. A raw IPv4 socket returns the IP header
/// first (`ip_header`); datagram ICMP sockets and ICMPv6 sockets return the ICMP message only.
/// Anything else (another type, a truncated packet, a bad IPv4 checksum) is `None`.
pub fn parse_echo_reply(v6: bool, ip_header: bool, packet: &[u8]) -> Option<EchoReply> {
    let icmp = if ip_header {
        let header_len = usize::from(packet.first()? & 0x0f) * 4;
        packet.get(header_len..)?
    } else {
        packet
    };
    if icmp.len() < HEADER_LEN || icmp[1] != 0 {
        return None;
    }
    let wanted = if v6 { ECHO_REPLY_V6 } else { ECHO_REPLY_V4 };
    if icmp[0] != wanted || (!v6 && checksum(icmp) != 0) {
        return None;
    }
    Some(EchoReply {
        id: u16::from_be_bytes([icmp[4], icmp[5]]),
        seq: u16::from_be_bytes([icmp[6], icmp[7]]),
    })
}

/// What a traceroute probe (an echo request with a small hop limit) brought back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeAnswer {
    /// The destination answered.
    EchoReply(EchoReply),
    /// A router dropped the probe at hop limit 0 (ICMP 11 / ICMPv6 3).
    TimeExceeded(EchoReply),
    /// A router or the host could not deliver it (ICMP 3 / ICMPv6 1), with its code.
    Unreachable(EchoReply, u8),
}

/// The identifier and sequence of our echo request quoted in an ICMP error (RFC 792: the
/// original IP header and at least 8 bytes of its data; RFC 4443 §2.4(c): as much as fits).
fn quoted_echo(v6: bool, quoted: &[u8]) -> Option<EchoReply> {
    let (header_len, protocol, request) = match v6 {
        // IPv6 header: next header at byte 6 (58 = ICMPv6; extension headers not followed).
        true => (40, *quoted.get(6)?, ECHO_REQUEST_V6),
        false => (
            usize::from(quoted.first()? & 0x0f) * 4,
            *quoted.get(9)?,
            ECHO_REQUEST_V4,
        ),
    };
    let icmp = quoted.get(header_len..header_len + HEADER_LEN)?;
    let wanted_protocol = if v6 { 58 } else { 1 };
    (protocol == wanted_protocol && icmp[0] == request).then(|| EchoReply {
        id: u16::from_be_bytes([icmp[4], icmp[5]]),
        seq: u16::from_be_bytes([icmp[6], icmp[7]]),
    })
}

/// Read what a raw ICMP socket returned after a traceroute probe (`ip_header`: IPv4 raw
/// sockets return the IP header first).
pub fn parse_probe_answer(v6: bool, ip_header: bool, packet: &[u8]) -> Option<ProbeAnswer> {
    if let Some(reply) = parse_echo_reply(v6, ip_header, packet) {
        return Some(ProbeAnswer::EchoReply(reply));
    }
    let icmp = if ip_header {
        packet.get(usize::from(packet.first()? & 0x0f) * 4..)?
    } else {
        packet
    };
    let (kind, code) = (*icmp.first()?, *icmp.get(1)?);
    let quoted = quoted_echo(v6, icmp.get(HEADER_LEN..)?)?;
    match (v6, kind) {
        (false, 11) | (true, 3) => Some(ProbeAnswer::TimeExceeded(quoted)),
        (false, 3) | (true, 1) => Some(ProbeAnswer::Unreachable(quoted, code)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_rfc_1071_example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(checksum(&data), !0xddf2);
        assert_eq!(checksum(&[0xff]), !0xff00);
    }

    #[test]
    fn echo_request_v4_exact_bytes() {
        let packet = echo_request(false, 0x1234, 1, 4);
        // 08 00 sum 12 34 00 01 00 01 02 03; sum over words 0800+0000+1234+0001+0001+0203.
        let sum = !(0x0800u16 + 0x1234 + 0x0001 + 0x0001 + 0x0203);
        let [hi, lo] = sum.to_be_bytes();
        assert_eq!(
            packet,
            [0x08, 0, hi, lo, 0x12, 0x34, 0x00, 0x01, 0, 1, 2, 3]
        );
        assert_eq!(checksum(&packet), 0);
    }

    #[test]
    fn echo_request_v6_leaves_the_checksum_to_the_kernel() {
        assert_eq!(echo_request(true, 7, 0x0102, 0), [128, 0, 0, 0, 0, 7, 1, 2]);
    }

    fn reply_from(request: &[u8]) -> Vec<u8> {
        let mut reply = request.to_vec();
        reply[0] = 0;
        reply[2..4].copy_from_slice(&[0, 0]);
        let sum = checksum(&reply);
        reply[2..4].copy_from_slice(&sum.to_be_bytes());
        reply
    }

    #[test]
    fn parses_v4_replies_with_and_without_ip_header() {
        let reply = reply_from(&echo_request(false, 0xbeef, 9, 56));
        let expected = Some(EchoReply { id: 0xbeef, seq: 9 });
        assert_eq!(parse_echo_reply(false, false, &reply), expected);
        let mut with_header = vec![0x45; 1];
        with_header.extend_from_slice(&[0; 19]);
        with_header.extend_from_slice(&reply);
        assert_eq!(parse_echo_reply(false, true, &with_header), expected);
    }

    #[test]
    fn rejects_requests_corruption_and_truncation() {
        let request = echo_request(false, 1, 2, 8);
        assert_eq!(parse_echo_reply(false, false, &request), None);
        let mut reply = reply_from(&request);
        reply[10] ^= 0xff;
        assert_eq!(parse_echo_reply(false, false, &reply), None);
        assert_eq!(parse_echo_reply(false, false, &reply[..7]), None);
        assert_eq!(parse_echo_reply(false, true, &[0x4f]), None);
    }

    #[test]
    fn parses_v6_replies() {
        let reply = [129, 0, 0xab, 0xcd, 0, 5, 0, 6, 0xaa];
        assert_eq!(
            parse_echo_reply(true, false, &reply),
            Some(EchoReply { id: 5, seq: 6 })
        );
        assert_eq!(
            parse_echo_reply(true, false, &[128, 0, 0, 0, 0, 5, 0, 6]),
            None
        );
    }

    fn ipv4_header(protocol: u8) -> Vec<u8> {
        let mut header = vec![0x45, 0, 0, 0, 0, 0, 0, 0, 64, protocol];
        header.extend_from_slice(&[0; 10]);
        header
    }

    #[test]
    fn time_exceeded_and_unreachable_quote_our_probe_v4() {
        let probe = echo_request(false, 0x0abc, 3, 32);
        let mut error = ipv4_header(1); // from the router, as a raw socket returns it
        error.extend_from_slice(&[11, 0, 0, 0, 0, 0, 0, 0]);
        error.extend_from_slice(&ipv4_header(1)); // our probe's IP header …
        error.extend_from_slice(&probe[..8]); // … and the first 8 bytes of its ICMP message
        let ours = EchoReply { id: 0x0abc, seq: 3 };
        assert_eq!(
            parse_probe_answer(false, true, &error),
            Some(ProbeAnswer::TimeExceeded(ours))
        );
        error[20] = 3;
        error[21] = 1;
        assert_eq!(
            parse_probe_answer(false, true, &error),
            Some(ProbeAnswer::Unreachable(ours, 1))
        );
        // A quoted UDP datagram is someone else's traceroute.
        error[20 + 8 + 9] = 17;
        assert_eq!(parse_probe_answer(false, true, &error), None);
        assert_eq!(parse_probe_answer(false, true, &error[..40]), None);
    }

    #[test]
    fn time_exceeded_quotes_our_probe_v6() {
        let mut error = vec![3, 0, 0, 0, 0, 0, 0, 0];
        let mut ipv6 = vec![0x60, 0, 0, 0, 0, 16, 58, 1];
        ipv6.extend_from_slice(&[0; 32]);
        error.extend_from_slice(&ipv6);
        error.extend_from_slice(&echo_request(true, 9, 4, 8));
        assert_eq!(
            parse_probe_answer(true, false, &error),
            Some(ProbeAnswer::TimeExceeded(EchoReply { id: 9, seq: 4 }))
        );
        let reply = [129, 0, 0, 0, 0, 9, 0, 4];
        assert_eq!(
            parse_probe_answer(true, false, &reply),
            Some(ProbeAnswer::EchoReply(EchoReply { id: 9, seq: 4 }))
        );
    }
}
