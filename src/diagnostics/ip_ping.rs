//! `Device.IP.Diagnostics.IPPing.` (TR-181 Device:2, TR-143 Appendix): inputs with their
//! defaults and results computed from the measured round trips. Sans-I/O: values live in the
//! engine's in-memory map ([`crate::datamodel::RuntimeValues::volatile`]) under their full
//! paths; a parameter absent from the map has its default.

use std::collections::BTreeMap;

use super::state::DiagnosticsState;
use super::stored::{write_params, Stored};
use crate::datamodel::Value;

/// The object's path.
pub const OBJECT: &str = "Device.IP.Diagnostics.IPPing.";

/// Its DiagnosticsState values (TR-181 2.19, optional Canceled and Error left out).
pub const STATES: &[&str] = &[
    "None",
    "Requested",
    "Complete",
    "Error_CannotResolveHostName",
    "Error_NoRouteToHost",
    "Error_Internal",
    "Error_Other",
];

/// The writable test parameters besides DiagnosticsState (TR-181 2.19).
pub const INPUTS: &[&str] = &[
    "Interface",
    "ProtocolVersion",
    "Host",
    "NumberOfRepetitions",
    "Timeout",
    "DataBlockSize",
    "DSCP",
];

/// `ProtocolVersion` (TR-181 2.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolVersion {
    Any,
    IPv4,
    IPv6,
}

impl ProtocolVersion {
    pub fn parse(text: &str) -> ProtocolVersion {
        match text {
            "IPv4" => ProtocolVersion::IPv4,
            "IPv6" => ProtocolVersion::IPv6,
            _ => ProtocolVersion::Any,
        }
    }
}

/// What one ping test is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpPingInputs {
    /// The Linux device to send from, which the daemon resolves from the `Interface`
    /// reference (`Device.IP.Interface.{i}`); empty: routing decides.
    pub interface: String,
    pub protocol_version: ProtocolVersion,
    pub host: String,
    pub repetitions: u32,
    /// Per repetition, in milliseconds.
    pub timeout_ms: u32,
    /// Payload bytes of each echo request.
    pub data_block_size: u32,
    pub dscp: u8,
}

/// What a finished test measured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpPingResults {
    pub state: DiagnosticsState,
    pub ip_address_used: String,
    pub success_count: u32,
    pub failure_count: u32,
    /// Round-trip times in microseconds (0 when nothing answered).
    pub average_us: u32,
    pub minimum_us: u32,
    pub maximum_us: u32,
}

/// Round trips counted as they come (a test may have four billion repetitions: nothing is
/// kept per repetition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PingStats {
    success: u32,
    failure: u32,
    sum_us: u64,
    min_us: Option<u32>,
    max_us: u32,
}

impl PingStats {
    /// One repetition: its round trip in µs, or `None` when no reply came in time.
    pub fn add(&mut self, sample: Option<u32>) {
        match sample {
            Some(us) => {
                self.success += 1;
                self.sum_us += u64::from(us);
                self.min_us = Some(self.min_us.map_or(us, |min| min.min(us)));
                self.max_us = self.max_us.max(us);
            }
            None => self.failure += 1,
        }
    }

    /// The results of a test that ran (`Complete`).
    pub fn results(&self, ip_address_used: String) -> IpPingResults {
        let average_us = match self.success {
            0 => 0,
            n => (self.sum_us / u64::from(n)) as u32,
        };
        IpPingResults {
            state: DiagnosticsState::Complete,
            ip_address_used,
            success_count: self.success,
            failure_count: self.failure,
            average_us,
            minimum_us: self.min_us.unwrap_or(0),
            maximum_us: self.max_us,
        }
    }
}

/// The value a parameter has before anything was written or measured. Defaults as most
/// agents use them (three 64-byte pings, 1 s each); TR-181 leaves them to the CPE.
pub fn default_value(name: &str) -> Option<Value> {
    Some(match name {
        "DiagnosticsState" => Value::from(DiagnosticsState::None.name()),
        "Interface" | "Host" | "IPAddressUsed" => Value::from(""),
        "ProtocolVersion" => Value::from("Any"),
        "NumberOfRepetitions" => Value::from(3u32),
        "Timeout" => Value::from(1000u32),
        "DataBlockSize" => Value::from(64u32),
        "DSCP"
        | "SuccessCount"
        | "FailureCount"
        | "AverageResponseTime"
        | "MinimumResponseTime"
        | "MaximumResponseTime"
        | "AverageResponseTimeDetailed"
        | "MinimumResponseTimeDetailed"
        | "MaximumResponseTimeDetailed" => Value::from(0u32),
        _ => return None,
    })
}

impl IpPingInputs {
    pub(super) fn from_stored(stored: &Stored<'_>) -> IpPingInputs {
        IpPingInputs {
            interface: stored.text("Interface"),
            protocol_version: ProtocolVersion::parse(&stored.text("ProtocolVersion")),
            host: stored.text("Host"),
            repetitions: stored.number("NumberOfRepetitions").max(1),
            timeout_ms: stored.number("Timeout").max(1),
            data_block_size: stored.number("DataBlockSize").clamp(1, 65535),
            dscp: stored.number("DSCP").min(63) as u8,
        }
    }
}

/// Microseconds to whole milliseconds, rounded to nearest.
fn millis(us: u32) -> u32 {
    (us + 500) / 1000
}

impl IpPingResults {
    /// A test that ended before any echo was sent.
    pub fn failed(state: DiagnosticsState) -> IpPingResults {
        IpPingResults {
            state,
            ..IpPingResults::default()
        }
    }

    /// A test that ran: one sample per repetition, the round trip in µs or `None` when no
    /// reply came in time. TR-181: the times are over the successful repetitions.
    pub fn from_samples(ip_address_used: String, samples: &[Option<u32>]) -> IpPingResults {
        let mut stats = PingStats::default();
        samples.iter().for_each(|sample| stats.add(*sample));
        stats.results(ip_address_used)
    }

    /// Store the results (they stay until the next test).
    pub fn write(&self, values: &mut BTreeMap<String, Value>) {
        let params = [
            ("DiagnosticsState", Value::from(self.state.name())),
            ("IPAddressUsed", Value::from(self.ip_address_used.as_str())),
            ("SuccessCount", Value::from(self.success_count)),
            ("FailureCount", Value::from(self.failure_count)),
            ("AverageResponseTime", Value::from(millis(self.average_us))),
            ("MinimumResponseTime", Value::from(millis(self.minimum_us))),
            ("MaximumResponseTime", Value::from(millis(self.maximum_us))),
            ("AverageResponseTimeDetailed", Value::from(self.average_us)),
            ("MinimumResponseTimeDetailed", Value::from(self.minimum_us)),
            ("MaximumResponseTimeDetailed", Value::from(self.maximum_us)),
        ];
        write_params(values, OBJECT, params);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Job, Test};

    #[test]
    fn defaults_apply_until_written() {
        let mut values = BTreeMap::new();
        let Job::IpPing(inputs) = Test::IpPing.job(&values) else {
            panic!("not an IPPing job");
        };
        assert_eq!(inputs.repetitions, 3);
        assert_eq!(inputs.timeout_ms, 1000);
        assert_eq!(inputs.data_block_size, 64);
        assert_eq!(inputs.protocol_version, ProtocolVersion::Any);
        values.insert(format!("{OBJECT}Host"), Value::from("192.0.2.1"));
        values.insert(format!("{OBJECT}ProtocolVersion"), Value::from("IPv6"));
        values.insert(format!("{OBJECT}NumberOfRepetitions"), Value::from(7u32));
        let Job::IpPing(inputs) = Test::IpPing.job(&values) else {
            panic!("not an IPPing job");
        };
        assert_eq!(inputs.host, "192.0.2.1");
        assert_eq!(inputs.repetitions, 7);
        assert_eq!(inputs.protocol_version, ProtocolVersion::IPv6);
        assert_eq!(Test::IpPing.state(&values), DiagnosticsState::None);
    }

    #[test]
    fn results_count_successes_and_time_only_answers() {
        let samples = [Some(20_400), None, Some(19_600), Some(21_000), None];
        let results = IpPingResults::from_samples("10.0.0.1".into(), &samples);
        assert_eq!(results.success_count, 3);
        assert_eq!(results.failure_count, 2);
        assert_eq!(results.average_us, 20_333);
        assert_eq!(results.minimum_us, 19_600);
        assert_eq!(results.maximum_us, 21_000);
        let mut values = BTreeMap::new();
        results.write(&mut values);
        assert_eq!(Test::IpPing.state(&values), DiagnosticsState::Complete);
        assert_eq!(
            Test::IpPing.value(&values, "AverageResponseTime"),
            Some(Value::from(20u32))
        );
        assert_eq!(
            Test::IpPing.value(&values, "MaximumResponseTime"),
            Some(Value::from(21u32))
        );
        assert_eq!(
            Test::IpPing.value(&values, "MinimumResponseTimeDetailed"),
            Some(Value::from(19_600u32))
        );
    }

    #[test]
    fn no_answer_gives_zero_times() {
        let results = IpPingResults::from_samples(String::new(), &[None, None]);
        assert_eq!((results.success_count, results.failure_count), (0, 2));
        assert_eq!((results.average_us, results.minimum_us), (0, 0));
        assert_eq!(results.state, DiagnosticsState::Complete);
    }
}
