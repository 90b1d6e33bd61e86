//! `Device.IP.Diagnostics.UDPEchoDiagnostics.` (TR-143 §5 and Appendix A, TR-181 Device:2):
//! inputs with their defaults, the results and the `IndividualPacketResult.{i}.` table, kept
//! in the engine's in-memory values like IPPing's.

use std::collections::BTreeMap;

use super::echo_plus::EchoPlus;
use super::ip_ping::{PingStats, ProtocolVersion};
use super::state::DiagnosticsState;
use super::stored::{replace_rows, write_params, Stored};
use crate::datamodel::value::UNKNOWN_TIME_SECS;
use crate::datamodel::Value;

pub const OBJECT: &str = "Device.IP.Diagnostics.UDPEchoDiagnostics.";
pub const PACKET_RESULT: &str =
    "Device.IP.Diagnostics.UDPEchoDiagnostics.IndividualPacketResult.{i}.";

/// Its DiagnosticsState values (TR-181 2.19, optional Canceled left out).
pub const STATES: &[&str] = &[
    "None",
    "Requested",
    "Complete",
    "Error_CannotResolveHostName",
    "Error_Internal",
    "Error_Other",
];

pub const INPUTS: &[&str] = &[
    "Interface",
    "Host",
    "Port",
    "NumberOfRepetitions",
    "Timeout",
    "DataBlockSize",
    "DSCP",
    "InterTransmissionTime",
    "ProtocolVersion",
    "EnableIndividualPacketResults",
];

/// `IndividualPacketResult` rows kept (`UDPEchoDiagnosticsMaxResults`): later packets are
/// counted but get no row.
pub const MAX_RESULTS: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpEchoInputs {
    /// The Linux device to bind to (resolved by the daemon); empty: routing decides.
    pub interface: String,
    pub host: String,
    pub port: u16,
    pub repetitions: u32,
    pub timeout_ms: u32,
    /// UDP payload bytes of each packet (the Echo Plus header needs 20).
    pub data_block_size: u32,
    pub dscp: u8,
    /// Between the packets, in ms.
    pub inter_transmission_ms: u32,
    pub protocol_version: ProtocolVersion,
    pub individual_results: bool,
}

/// One packet (`IndividualPacketResult.{i}.`); times in µs since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PacketResult {
    pub send_time: i64,
    /// `None`: no answer in time.
    pub receive_time: Option<i64>,
    pub test_gen_sn: u32,
    /// The Echo Plus fields of the answer (zero without one, or from a plain echo server).
    pub answer: EchoPlus,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UdpEchoResults {
    pub state: DiagnosticsState,
    pub ip_address_used: String,
    pub stats: PingStats,
    pub packets: Vec<PacketResult>,
}

/// TR-181 recommends these defaults (Port 7, one repetition, 24 bytes, 1000 ms apart);
/// the timeout is cwmpd's choice.
pub fn default_value(name: &str) -> Option<Value> {
    Some(match name {
        "DiagnosticsState" => Value::from(DiagnosticsState::None.name()),
        "Interface" | "Host" | "IPAddressUsed" => Value::from(""),
        "Port" => Value::from(7u32),
        "NumberOfRepetitions" => Value::from(1u32),
        "Timeout" => Value::from(5000u32),
        "DataBlockSize" => Value::from(24u32),
        "InterTransmissionTime" => Value::from(1000u32),
        "ProtocolVersion" => Value::from("Any"),
        "EnableIndividualPacketResults" => Value::from(false),
        "UDPEchoDiagnosticsMaxResults" => Value::from(MAX_RESULTS),
        "DSCP"
        | "SuccessCount"
        | "FailureCount"
        | "AverageResponseTime"
        | "MinimumResponseTime"
        | "MaximumResponseTime"
        | "IndividualPacketResultNumberOfEntries" => Value::from(0u32),
        _ => return None,
    })
}

impl UdpEchoInputs {
    pub(super) fn from_stored(stored: &Stored<'_>) -> UdpEchoInputs {
        UdpEchoInputs {
            interface: stored.text("Interface"),
            host: stored.text("Host"),
            port: stored.number("Port").clamp(1, 65535) as u16,
            repetitions: stored.number("NumberOfRepetitions").max(1),
            timeout_ms: stored.number("Timeout").max(1),
            data_block_size: stored.number("DataBlockSize").clamp(1, 65535),
            dscp: stored.number("DSCP").min(63) as u8,
            inter_transmission_ms: stored.number("InterTransmissionTime").clamp(1, 65535),
            protocol_version: ProtocolVersion::parse(&stored.text("ProtocolVersion")),
            individual_results: stored.flag("EnableIndividualPacketResults"),
        }
    }
}

impl UdpEchoResults {
    pub fn failed(state: DiagnosticsState) -> UdpEchoResults {
        UdpEchoResults {
            state,
            ..UdpEchoResults::default()
        }
    }

    /// Store the results, replacing the previous test's rows.
    pub fn write(&self, values: &mut BTreeMap<String, Value>) {
        let summary = self.stats.results(self.ip_address_used.clone());
        let top = [
            ("DiagnosticsState", Value::from(self.state.name())),
            ("IPAddressUsed", Value::from(self.ip_address_used.as_str())),
            ("SuccessCount", Value::from(summary.success_count)),
            ("FailureCount", Value::from(summary.failure_count)),
            ("AverageResponseTime", Value::from(summary.average_us)),
            ("MinimumResponseTime", Value::from(summary.minimum_us)),
            ("MaximumResponseTime", Value::from(summary.maximum_us)),
            (
                "IndividualPacketResultNumberOfEntries",
                Value::from(self.packets.len() as u32),
            ),
        ];
        write_params(values, OBJECT, top);
        let rows = self.packets.iter().map(PacketResult::row);
        replace_rows(values, OBJECT, "IndividualPacketResult", rows);
    }
}

impl PacketResult {
    /// TR-181: without an answer only the client's own values are set, the rest is zero and
    /// PacketReceiveTime the unknown time.
    fn row(&self) -> [(&'static str, Value); 8] {
        let answer = match self.receive_time {
            Some(_) => self.answer,
            None => EchoPlus::default(),
        };
        [
            ("PacketSuccess", Value::from(self.receive_time.is_some())),
            ("PacketSendTime", Value::DateTimeMicros(self.send_time)),
            (
                "PacketReceiveTime",
                self.receive_time
                    .map_or(Value::DateTime(UNKNOWN_TIME_SECS), Value::DateTimeMicros),
            ),
            ("TestGenSN", Value::from(self.test_gen_sn)),
            ("TestRespSN", Value::from(answer.test_resp_sn)),
            (
                "TestRespRcvTimeStamp",
                Value::from(answer.test_resp_rcv_time_stamp),
            ),
            (
                "TestRespReplyTimeStamp",
                Value::from(answer.test_resp_reply_time_stamp),
            ),
            (
                "TestRespReplyFailureCount",
                Value::from(answer.test_resp_reply_failure_count),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Job, Test};

    #[test]
    fn results_and_rows() {
        let mut stats = PingStats::default();
        stats.add(Some(300));
        stats.add(None);
        stats.add(Some(500));
        let answered = PacketResult {
            send_time: 1_000_000,
            receive_time: Some(1_000_300),
            test_gen_sn: 1,
            answer: EchoPlus {
                test_gen_sn: 1,
                test_resp_sn: 41,
                test_resp_rcv_time_stamp: 5,
                test_resp_reply_time_stamp: 9,
                test_resp_reply_failure_count: 0,
            },
        };
        let lost = PacketResult {
            send_time: 2_000_000,
            receive_time: None,
            test_gen_sn: 2,
            answer: EchoPlus::default(),
        };
        let results = UdpEchoResults {
            state: DiagnosticsState::Complete,
            ip_address_used: "10.0.0.1".into(),
            stats,
            packets: vec![answered, lost],
        };
        let mut values = BTreeMap::new();
        results.write(&mut values);
        let test = Test::UdpEcho;
        let get = |name: &str| test.value(&values, name).unwrap().to_lexical();
        assert_eq!(get("SuccessCount"), "2");
        assert_eq!(get("FailureCount"), "1");
        assert_eq!(get("AverageResponseTime"), "400");
        assert_eq!(get("MinimumResponseTime"), "300");
        const TABLE: &str = "IndividualPacketResult";
        assert_eq!(test.rows(&values, TABLE), [1, 2]);
        let row = |i: u32, name: &str| test.row_value(&values, TABLE, i, name).unwrap();
        let row = |i: u32, name: &str| row(i, name).to_lexical();
        assert_eq!(row(1, "TestRespSN"), "41");
        assert_eq!(row(1, "PacketReceiveTime"), "1970-01-01T00:00:01.000300Z");
        assert_eq!(row(2, "PacketSuccess"), "false");
        assert_eq!(row(2, "PacketReceiveTime"), "0001-01-01T00:00:00Z");
        UdpEchoResults::failed(DiagnosticsState::ErrorCannotResolveHostName).write(&mut values);
        assert!(test.rows(&values, TABLE).is_empty());
        assert_eq!(test.row_value(&values, TABLE, 1, "TestGenSN"), None);
        let Job::UdpEcho(inputs) = test.job(&values) else {
            panic!("not a UDPEcho job");
        };
        assert_eq!((inputs.port, inputs.data_block_size), (7, 24));
        assert_eq!(inputs.inter_transmission_ms, 1000);
    }
}
