//! `Device.DNS.Diagnostics.NSLookupDiagnostics.` (TR-181 Device:2): inputs with defaults and
//! the `Result.{i}.` table, kept in the engine's in-memory values like IPPing's
//! ([`super::ip_ping`]): a parameter absent from the map has its default.

use std::collections::BTreeMap;

use super::state::DiagnosticsState;
use super::stored::Stored;
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

fn stored(values: &BTreeMap<String, Value>) -> Stored<'_> {
    Stored::new(values, OBJECT, default_value)
}

/// A parameter of the object itself: written or measured, else its default.
pub fn value(values: &BTreeMap<String, Value>, name: &str) -> Option<Value> {
    stored(values).value(name)
}

fn text(values: &BTreeMap<String, Value>, name: &str) -> String {
    stored(values).text(name)
}

fn number(values: &BTreeMap<String, Value>, name: &str) -> u32 {
    stored(values).number(name)
}

/// The current DiagnosticsState.
pub fn state(values: &BTreeMap<String, Value>) -> DiagnosticsState {
    stored(values).state()
}

/// A parameter of `Result.{instance}.`.
pub fn result_value(values: &BTreeMap<String, Value>, instance: u32, name: &str) -> Value {
    values
        .get(&format!("{OBJECT}Result.{instance}.{name}"))
        .cloned()
        .unwrap_or_else(|| match name {
            "ResponseTime" => Value::from(0u32),
            _ => Value::from(""),
        })
}

/// The instance numbers of `Result.` (1…ResultNumberOfEntries).
pub fn result_instances(values: &BTreeMap<String, Value>) -> Vec<u32> {
    (1..=number(values, "ResultNumberOfEntries")).collect()
}

impl NsLookupInputs {
    pub fn from_values(values: &BTreeMap<String, Value>) -> NsLookupInputs {
        NsLookupInputs {
            interface: text(values, "Interface"),
            host_name: text(values, "HostName"),
            dns_server: text(values, "DNSServer"),
            timeout_ms: number(values, "Timeout").max(1),
            repetitions: number(values, "NumberOfRepetitions").clamp(1, MAX_REPETITIONS),
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
        let table = format!("{OBJECT}Result.");
        values.retain(|path, _| !path.starts_with(&table));
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
        for (name, value) in top {
            values.insert(format!("{OBJECT}{name}"), value);
        }
        for (index, result) in self.results.iter().enumerate() {
            let row = [
                ("Status", Value::from(result.status)),
                ("AnswerType", Value::from(result.answer_type)),
                (
                    "HostNameReturned",
                    Value::from(result.host_name_returned.as_str()),
                ),
                ("IPAddresses", Value::from(result.ip_addresses.join(","))),
                ("DNSServerIP", Value::from(result.dns_server_ip.as_str())),
                ("ResponseTime", Value::from(result.response_time_ms)),
            ];
            for (name, value) in row {
                values.insert(format!("{table}{}.{name}", index + 1), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut values = BTreeMap::new();
        let two = NsLookupResults {
            state: DiagnosticsState::Complete,
            results: vec![found("192.0.2.1"), found("192.0.2.2")],
        };
        two.write(&mut values);
        assert_eq!(result_instances(&values), [1, 2]);
        assert_eq!(value(&values, "SuccessCount"), Some(Value::from(2u32)));
        assert_eq!(
            result_value(&values, 2, "IPAddresses"),
            Value::from("192.0.2.2")
        );
        NsLookupResults::failed(DiagnosticsState::ErrorDnsServerNotResolved).write(&mut values);
        assert!(result_instances(&values).is_empty());
        assert_eq!(result_value(&values, 2, "IPAddresses"), Value::from(""));
        assert_eq!(state(&values), DiagnosticsState::ErrorDnsServerNotResolved);
    }

    #[test]
    fn inputs_have_defaults() {
        let inputs = NsLookupInputs::from_values(&BTreeMap::new());
        assert_eq!((inputs.timeout_ms, inputs.repetitions), (5000, 1));
        assert!(inputs.dns_server.is_empty());
    }
}
