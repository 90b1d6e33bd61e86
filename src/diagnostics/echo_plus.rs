//! The UDP Echo Plus header (TR-143 Appendix A.1.4): five 32-bit fields in network byte order
//! at the start of the UDP payload. The client sets TestGenSN; an Echo Plus server fills in
//! the other four before it sends the packet back. A plain echo server (RFC 862) returns
//! them as the client sent them (zero).

/// Bytes of the header; a shorter packet carries no Echo Plus fields.
pub const HEADER_LEN: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EchoPlus {
    /// The client's sequence number of the packet.
    pub test_gen_sn: u32,
    /// The server's sequence number of its response.
    pub test_resp_sn: u32,
    /// When the server received the packet, in µs (its own clock, modulo 2^32).
    pub test_resp_rcv_time_stamp: u32,
    /// When the server sent the response, in µs.
    pub test_resp_reply_time_stamp: u32,
    /// Valid requests the server could not answer so far.
    pub test_resp_reply_failure_count: u32,
}

impl EchoPlus {
    /// The header at the start of `packet`, if it is long enough.
    pub fn read(packet: &[u8]) -> Option<EchoPlus> {
        let field = |index: usize| {
            let bytes = packet.get(index * 4..index * 4 + 4)?;
            Some(u32::from_be_bytes(bytes.try_into().ok()?))
        };
        (packet.len() >= HEADER_LEN).then_some(())?;
        Some(EchoPlus {
            test_gen_sn: field(0)?,
            test_resp_sn: field(1)?,
            test_resp_rcv_time_stamp: field(2)?,
            test_resp_reply_time_stamp: field(3)?,
            test_resp_reply_failure_count: field(4)?,
        })
    }

    /// Write the header over the start of `packet` (as many fields as fit).
    pub fn write(&self, packet: &mut [u8]) {
        let fields = [
            self.test_gen_sn,
            self.test_resp_sn,
            self.test_resp_rcv_time_stamp,
            self.test_resp_reply_time_stamp,
            self.test_resp_reply_failure_count,
        ];
        for (chunk, field) in packet.chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&field.to_be_bytes());
        }
    }
}

/// A µs time stamp as the 32-bit field carries it.
pub fn time_stamp(unix_us: i64) -> u32 {
    unix_us as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_in_network_order() {
        let header = EchoPlus {
            test_gen_sn: 1,
            test_resp_sn: 0x0203_0405,
            test_resp_rcv_time_stamp: 7,
            test_resp_reply_time_stamp: 8,
            test_resp_reply_failure_count: 9,
        };
        let mut packet = vec![0xee; 24];
        header.write(&mut packet);
        assert_eq!(&packet[..8], &[0, 0, 0, 1, 2, 3, 4, 5]);
        assert_eq!(&packet[20..], &[0xee; 4]);
        assert_eq!(EchoPlus::read(&packet), Some(header));
        assert_eq!(EchoPlus::read(&packet[..19]), None);
        let mut short = vec![0u8; 6];
        header.write(&mut short);
        assert_eq!(short, [0, 0, 0, 1, 0, 0]);
        assert_eq!(time_stamp(0x1_0000_0005), 5);
    }
}
