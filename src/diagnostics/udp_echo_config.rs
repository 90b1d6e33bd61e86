//! `Device.IP.Diagnostics.UDPEchoConfig.` (TR-143 §5, Appendix A.1; TR-181 Device:2): the
//! UDP echo server the CPE runs while `Enable` is true. Its settings live in cwmpd's own UCI
//! package (`/etc/config/cwmpd`, section `udpecho`, so they survive a reboot); its counters in
//! the daemon's memory. This is the server's logic without the socket: what it counts and
//! what an Echo Plus answer carries (the edge is [`super::echo_server`]).

use std::collections::BTreeMap;

use super::echo_plus::{time_stamp, EchoPlus, HEADER_LEN};
use super::stored::write_params;
use crate::datamodel::value::UNKNOWN_TIME_SECS;
use crate::datamodel::Value;
use crate::tr181::uci_value::parse_bool;

pub const OBJECT: &str = "Device.IP.Diagnostics.UDPEchoConfig.";
/// cwmpd's UCI section for it (in package `cwmpd`).
pub const SECTION: &str = "udpecho";
/// TR-181 gives UDPPort no default; the echo service's own port (RFC 862).
pub const DEFAULT_PORT: u16 = 7;

/// The settings the server runs with (the daemon resolves the interface to its device).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoServerSettings {
    pub enable: bool,
    /// Linux device to receive on; empty: every interface.
    pub device: String,
    /// Answer only this address (`SourceIPAddress`); empty: anyone.
    pub source: String,
    pub port: u16,
    pub echo_plus: bool,
}

impl Default for EchoServerSettings {
    fn default() -> EchoServerSettings {
        EchoServerSettings {
            enable: false,
            device: String::new(),
            source: String::new(),
            port: DEFAULT_PORT,
            echo_plus: false,
        }
    }
}

/// The `udpecho` options (package `cwmpd`).
pub const OPTION_ENABLE: &str = "enable";
pub const OPTION_INTERFACE: &str = "interface";
pub const OPTION_SOURCE: &str = "source_ip";
pub const OPTION_PORT: &str = "port";
pub const OPTION_ECHO_PLUS: &str = "echo_plus";

impl EchoServerSettings {
    /// The settings the `udpecho` options give (`option` reads one; unset or unreadable
    /// options take their defaults: disabled, every interface, anyone, port 7, plain echo),
    /// with the netifd interface they name (the daemon finds its device).
    pub fn from_options(option: impl Fn(&str) -> Option<String>) -> (EchoServerSettings, String) {
        let flag = |name: &str| option(name).and_then(|text| parse_bool(&text)) == Some(true);
        let port = option(OPTION_PORT).and_then(|text| text.trim().parse::<u16>().ok());
        let settings = EchoServerSettings {
            enable: flag(OPTION_ENABLE),
            device: String::new(),
            source: option(OPTION_SOURCE).unwrap_or_default().trim().to_string(),
            port: port.unwrap_or(DEFAULT_PORT),
            echo_plus: flag(OPTION_ECHO_PLUS),
        };
        (settings, option(OPTION_INTERFACE).unwrap_or_default())
    }
}

/// What the server counted since it was last enabled (TR-181: cleared when it goes from
/// disabled to enabled). Bytes include the 8-byte UDP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EchoCounters {
    pub packets_received: u32,
    pub packets_responded: u32,
    pub bytes_received: u32,
    pub bytes_responded: u32,
    /// µs since the Unix epoch.
    pub first_received: Option<i64>,
    pub last_received: Option<i64>,
    /// Valid requests that could not be answered (Echo Plus TestRespReplyFailureCount).
    pub reply_failures: u32,
}

const UDP_HEADER: u32 = 8;

impl EchoCounters {
    /// A valid request of `len` payload bytes arrived at `at`.
    pub fn received(&mut self, len: usize, at: i64) {
        self.packets_received = self.packets_received.wrapping_add(1);
        self.bytes_received = self.bytes_received.wrapping_add(len as u32 + UDP_HEADER);
        self.first_received.get_or_insert(at);
        self.last_received = Some(at);
    }

    /// Prepare the answer to `packet` (received at `received`, sent at `reply`): with Echo
    /// Plus on and room for its header, the server's fields are filled in (TR-143 A.1.4;
    /// TestRespSN counts this server's responses from 1).
    pub fn answer(&self, packet: &mut [u8], echo_plus: bool, received: i64, reply: i64) {
        if !echo_plus || packet.len() < HEADER_LEN {
            return;
        }
        let test_gen_sn = EchoPlus::read(packet).unwrap_or_default().test_gen_sn;
        EchoPlus {
            test_gen_sn,
            test_resp_sn: self.packets_responded.wrapping_add(1),
            test_resp_rcv_time_stamp: time_stamp(received),
            test_resp_reply_time_stamp: time_stamp(reply),
            test_resp_reply_failure_count: self.reply_failures,
        }
        .write(packet);
    }

    pub fn responded(&mut self, len: usize) {
        self.packets_responded = self.packets_responded.wrapping_add(1);
        self.bytes_responded = self.bytes_responded.wrapping_add(len as u32 + UDP_HEADER);
    }

    pub fn reply_failed(&mut self) {
        self.reply_failures = self.reply_failures.wrapping_add(1);
    }

    /// Publish the counters as the object's read-only parameters.
    pub fn write(&self, values: &mut BTreeMap<String, Value>) {
        let time =
            |at: Option<i64>| at.map_or(Value::DateTime(UNKNOWN_TIME_SECS), Value::DateTimeMicros);
        let params = [
            ("PacketsReceived", Value::from(self.packets_received)),
            ("PacketsResponded", Value::from(self.packets_responded)),
            ("BytesReceived", Value::from(self.bytes_received)),
            ("BytesResponded", Value::from(self.bytes_responded)),
            ("TimeFirstPacketReceived", time(self.first_received)),
            ("TimeLastPacketReceived", time(self.last_received)),
        ];
        write_params(values, OBJECT, params);
    }
}

/// A counter as published, or its value before the server ever ran.
pub fn counter_value(values: &BTreeMap<String, Value>, name: &str) -> Option<Value> {
    if let Some(value) = values.get(&format!("{OBJECT}{name}")) {
        return Some(value.clone());
    }
    Some(match name {
        "PacketsReceived" | "PacketsResponded" | "BytesReceived" | "BytesResponded" => {
            Value::from(0u32)
        }
        "TimeFirstPacketReceived" | "TimeLastPacketReceived" => Value::DateTime(UNKNOWN_TIME_SECS),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_echo_plus_answers() {
        let mut counters = EchoCounters::default();
        let mut packet = vec![0u8; 24];
        EchoPlus {
            test_gen_sn: 17,
            ..EchoPlus::default()
        }
        .write(&mut packet);
        counters.received(packet.len(), 1_000_000);
        counters.answer(&mut packet, true, 1_000_000, 1_000_040);
        counters.responded(packet.len());
        let header = EchoPlus::read(&packet).unwrap();
        assert_eq!(
            header,
            EchoPlus {
                test_gen_sn: 17,
                test_resp_sn: 1,
                test_resp_rcv_time_stamp: 1_000_000,
                test_resp_reply_time_stamp: 1_000_040,
                test_resp_reply_failure_count: 0,
            }
        );
        counters.received(24, 2_000_000);
        counters.reply_failed();
        let mut second = vec![0u8; 24];
        counters.answer(&mut second, true, 2_000_000, 2_000_001);
        let header = EchoPlus::read(&second).unwrap();
        assert_eq!(
            (header.test_resp_sn, header.test_resp_reply_failure_count),
            (2, 1)
        );
        // Echo Plus off, or too short: the packet goes back as it came.
        let mut plain = vec![5u8; 24];
        counters.answer(&mut plain, false, 1, 2);
        assert_eq!(plain, vec![5u8; 24]);
        let mut short = vec![5u8; 10];
        counters.answer(&mut short, true, 1, 2);
        assert_eq!(short, vec![5u8; 10]);
        let mut values = BTreeMap::new();
        let (settings, interface) = EchoServerSettings::from_options(|name| match name {
            "enable" => Some("on".into()),
            "port" => Some("7007".into()),
            "interface" => Some("wan".into()),
            _ => None,
        });
        assert!(settings.enable && !settings.echo_plus);
        assert_eq!((settings.port, interface.as_str()), (7007, "wan"));
        let (defaults, _) = EchoServerSettings::from_options(|_| None);
        assert_eq!(defaults, EchoServerSettings::default());
        assert_eq!(
            counter_value(&values, "TimeFirstPacketReceived"),
            Some(Value::DateTime(UNKNOWN_TIME_SECS))
        );
        counters.write(&mut values);
        let get = |name: &str| counter_value(&values, name).unwrap().to_lexical();
        assert_eq!(get("PacketsReceived"), "2");
        assert_eq!(get("PacketsResponded"), "1");
        assert_eq!(get("BytesReceived"), "64");
        assert_eq!(get("BytesResponded"), "32");
        assert_eq!(
            get("TimeFirstPacketReceived"),
            "1970-01-01T00:00:01.000000Z"
        );
        assert_eq!(get("TimeLastPacketReceived"), "1970-01-01T00:00:02.000000Z");
    }
}
