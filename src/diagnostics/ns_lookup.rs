//! `Device.DNS.Diagnostics.NSLookupDiagnostics.` (TR-181 Device:2): inputs with defaults and
//! the `Result.{i}.` table, kept in the engine's in-memory values like IPPing's
//! ([`super::ip_ping`]): a parameter absent from the map has its default.

use std::collections::BTreeMap;

use super::state::DiagnosticsState;
use super::stored::{replace_rows, write_params, Stored};
use crate::datamodel::Value;

pub const OBJECT: &str = "Device.DNS.Diagnostics.NSLookupDiagnostics.";
/// The results table (read-only, one instance per repetition).
pub const RESULT: &str = "Device.DNS.Diagnostics.NSLookupDiagnostics.Result.{i}.";

/// Its DiagnosticsState values (TR-181 2.19, optional Canceled left out).
pub const STATES: &[&str] = &[
    "None",
    "Requested",
    "Complete",
    "Error_DNSServerNotResolved",
    "Error_Internal",
    "Error_Other",
];

pub const INPUTS: &[&str] = &[
    "Interface",
    "HostName",
    "DNSServer",
    "Timeout",
    "NumberOfRepetitions",
];

/// Each repetition is a row of the `Result.` table kept in memory: cwmpd refuses more than
/// this many (TR-181 sets no limit; a CPE may).
pub const MAX_REPETITIONS: u32 = 1000;

/// TR-181 `Result.{i}.Status`.
pub const STATUS: &[&str] = &[
    "Success",
    "Error_DNSServerNotAvailable",
    "Error_HostNameNotResolved",
    "Error_Timeout",
    "Error_Other",
];

/// TR-181 `Result.{i}.AnswerType`.
pub const ANSWER_TYPES: &[&str] = &["None", "Authoritative", "NonAuthoritative"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsLookupInputs {
    /// The Linux device the `Interface` reference resolves to (by the daemon); empty:
    /// routing decides.
    pub interface: String,
    pub host_name: String,
    /// Empty: the system's first name server.
    pub dns_server: String,
    /// Per query, in milliseconds.
    pub timeout_ms: u32,
    pub repetitions: u32,
}

/// One repetition's outcome (`Result.{i}.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupResult {
    /// One of [`STATUS`].
    pub status: &'static str,
    /// One of [`ANSWER_TYPES`].
    pub answer_type: &'static str,
    pub host_name_returned: String,
    /// At most 10 addresses (TR-181 list[:10]).
    pub ip_addresses: Vec<String>,
    pub dns_server_ip: String,
    pub response_time_ms: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NsLookupResults {
    pub state: DiagnosticsState,
    pub results: Vec<LookupResult>,
}

pub fn default_value(name: &str) -> Option<Value> {
    Some(match name {
        "DiagnosticsState" => Value::from(DiagnosticsState::None.name()),
        "Interface" | "HostName" | "DNSServer" => Value::from(""),
        "Timeout" => Value::from(5000u32),
        "NumberOfRepetitions" => Value::from(1u32),
        "ResultNumberOfEntries" | "SuccessCount" => Value::from(0u32),
        _ => return None,
    })
}

impl NsLookupInputs {
    pub(super) fn from_stored(stored: &Stored<'_>) -> NsLookupInputs {
        NsLookupInputs {
            interface: stored.text("Interface"),
            host_name: stored.text("HostName"),
            dns_server: stored.text("DNSServer"),
            timeout_ms: stored.number("Timeout").max(1),
            repetitions: stored
                .number("NumberOfRepetitions")
                .clamp(1, MAX_REPETITIONS),
        }
    }
}

impl NsLookupResults {
    pub fn failed(state: DiagnosticsState) -> NsLookupResults {
        NsLookupResults {
            state,
            results: Vec::new(),
        }
    }

    /// Store the results, replacing the previous test's table.
    pub fn write(&self, values: &mut BTreeMap<String, Value>) {
        let success = self
            .results
            .iter()
            .filter(|r| r.status == "Success")
            .count() as u32;
        let top = [
            ("DiagnosticsState", Value::from(self.state.name())),
            (
                "ResultNumberOfEntries",
                Value::from(self.results.len() as u32),
            ),
            ("SuccessCount", Value::from(success)),
        ];
        write_params(values, OBJECT, top);
        let rows = self.results.iter().map(|result| {
            [
                ("Status", Value::from(result.status)),
                ("AnswerType", Value::from(result.answer_type)),
                (
                    "HostNameReturned",
                    Value::from(result.host_name_returned.as_str()),
                ),
                ("IPAddresses", Value::from(result.ip_addresses.join(","))),
                ("DNSServerIP", Value::from(result.dns_server_ip.as_str())),
                ("ResponseTime", Value::from(result.response_time_ms)),
            ]
        });
        replace_rows(values, OBJECT, "Result", rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Job, Test};

    fn found(address: &str) -> LookupResult {
        LookupResult {
            status: "Success",
            answer_type: "NonAuthoritative",
            host_name_returned: "host.example".into(),
            ip_addresses: vec![address.into()],
            dns_server_ip: "10.0.0.53".into(),
            response_time_ms: 3,
        }
    }

    #[test]
    fn results_replace_the_previous_table() {
        let test = Test::NsLookup;
        let mut values = BTreeMap::new();
        let two = NsLookupResults {
            state: DiagnosticsState::Complete,
            results: vec![found("192.0.2.1"), found("192.0.2.2")],
        };
        two.write(&mut values);
        assert_eq!(test.rows(&values, "Result"), [1, 2]);
        assert_eq!(test.value(&values, "SuccessCount"), Some(Value::from(2u32)));
        assert_eq!(
            test.row_value(&values, "Result", 2, "IPAddresses"),
            Some(Value::from("192.0.2.2"))
        );
        assert_eq!(
            test.row_value(&values, "Result", 1, "ResponseTime"),
            Some(Value::from(3u32))
        );
        NsLookupResults::failed(DiagnosticsState::ErrorDnsServerNotResolved).write(&mut values);
        assert!(test.rows(&values, "Result").is_empty());
        assert_eq!(test.row_value(&values, "Result", 2, "IPAddresses"), None);
        assert_eq!(
            test.state(&values),
            DiagnosticsState::ErrorDnsServerNotResolved
        );
    }

    #[test]
    fn inputs_have_defaults() {
        let Job::NsLookup(inputs) = Test::NsLookup.job(&BTreeMap::new()) else {
            panic!("not an NSLookup job");
        };
        assert_eq!((inputs.timeout_ms, inputs.repetitions), (5000, 1));
        assert!(inputs.dns_server.is_empty());
    }
}
