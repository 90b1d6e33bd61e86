//! `Device.IP.Diagnostics.ServerSelectionDiagnostics.` (TR-143 §6, TR-181 Device:2): which
//! host of a list answers fastest, by ICMP echo or UDP echo. Inputs with their defaults and
//! the choice among measured hosts; kept in the engine's in-memory values like IPPing's.

use std::collections::BTreeMap;

use super::ip_ping::{IpPingResults, ProtocolVersion};
use super::state::DiagnosticsState;
use super::stored::{write_params, Stored};
use crate::datamodel::Value;

pub const OBJECT: &str = "Device.IP.Diagnostics.ServerSelectionDiagnostics.";

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
    "ProtocolVersion",
    "Protocol",
    "HostList",
    "NumberOfRepetitions",
    "Timeout",
];

/// `Protocol` values.
pub const PROTOCOLS: &[&str] = &["ICMP", "UDP Echo"];
/// TR-181: HostList holds at most 10 hosts.
pub const MAX_HOSTS: usize = 10;
/// UDP Echo goes to the echo service's port (RFC 862): the object has no Port.
pub const UDP_ECHO_PORT: u16 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Icmp,
    UdpEcho,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSelectionInputs {
    /// The Linux device to bind to (resolved by the daemon); empty: routing decides.
    pub interface: String,
    pub protocol_version: ProtocolVersion,
    pub protocol: Protocol,
    pub hosts: Vec<String>,
    pub repetitions: u32,
    /// Per repetition, in ms.
    pub timeout_ms: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerSelectionResults {
    pub state: DiagnosticsState,
    pub fastest_host: String,
    pub minimum_us: u32,
    pub average_us: u32,
    pub maximum_us: u32,
    pub ip_address_used: String,
}

/// Defaults: ProtocolVersion Any (TR-181 factory default); like IPPing otherwise.
pub fn default_value(name: &str) -> Option<Value> {
    Some(match name {
        "DiagnosticsState" => Value::from(DiagnosticsState::None.name()),
        "Interface" | "HostList" | "FastestHost" | "IPAddressUsed" => Value::from(""),
        "ProtocolVersion" => Value::from("Any"),
        "Protocol" => Value::from("ICMP"),
        "NumberOfRepetitions" => Value::from(3u32),
        "Timeout" => Value::from(1000u32),
        "MinimumResponseTime" | "AverageResponseTime" | "MaximumResponseTime" => Value::from(0u32),
        _ => return None,
    })
}

impl ServerSelectionInputs {
    pub(super) fn from_stored(stored: &Stored<'_>) -> ServerSelectionInputs {
        let protocol = match stored.text("Protocol").as_str() {
            "UDP Echo" => Protocol::UdpEcho,
            _ => Protocol::Icmp,
        };
        ServerSelectionInputs {
            interface: stored.text("Interface"),
            protocol_version: ProtocolVersion::parse(&stored.text("ProtocolVersion")),
            protocol,
            hosts: stored
                .text("HostList")
                .split(',')
                .map(str::trim)
                .filter(|host| !host.is_empty())
                .take(MAX_HOSTS)
                .map(str::to_string)
                .collect(),
            repetitions: stored.number("NumberOfRepetitions").max(1),
            timeout_ms: stored.number("Timeout").max(1),
        }
    }
}

impl ServerSelectionResults {
    pub fn failed(state: DiagnosticsState) -> ServerSelectionResults {
        ServerSelectionResults {
            state,
            ..ServerSelectionResults::default()
        }
    }

    /// The host with the smallest average response time among those that answered (the
    /// first of equals); none answered: Complete with no FastestHost and zero times.
    pub fn fastest(measured: &[(String, IpPingResults)]) -> ServerSelectionResults {
        let best = measured
            .iter()
            .filter(|(_, results)| results.success_count > 0)
            .min_by_key(|(_, results)| results.average_us);
        let Some((host, results)) = best else {
            return ServerSelectionResults::failed(DiagnosticsState::Complete);
        };
        ServerSelectionResults {
            state: DiagnosticsState::Complete,
            fastest_host: host.clone(),
            minimum_us: results.minimum_us,
            average_us: results.average_us,
            maximum_us: results.maximum_us,
            ip_address_used: results.ip_address_used.clone(),
        }
    }

    pub fn write(&self, values: &mut BTreeMap<String, Value>) {
        let params = [
            ("DiagnosticsState", Value::from(self.state.name())),
            ("FastestHost", Value::from(self.fastest_host.as_str())),
            ("MinimumResponseTime", Value::from(self.minimum_us)),
            ("AverageResponseTime", Value::from(self.average_us)),
            ("MaximumResponseTime", Value::from(self.maximum_us)),
            ("IPAddressUsed", Value::from(self.ip_address_used.as_str())),
        ];
        write_params(values, OBJECT, params);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Job, Test};

    fn measured(average_us: u32, success_count: u32) -> IpPingResults {
        IpPingResults {
            state: DiagnosticsState::Complete,
            ip_address_used: "10.0.0.1".into(),
            success_count,
            failure_count: 0,
            average_us,
            minimum_us: average_us / 2,
            maximum_us: average_us * 2,
        }
    }

    #[test]
    fn the_fastest_answering_host_wins() {
        let hosts = [
            ("far".to_string(), measured(20_000, 3)),
            ("silent".to_string(), measured(0, 0)),
            ("near".to_string(), measured(300, 3)),
            ("as-near".to_string(), measured(300, 1)),
        ];
        let results = ServerSelectionResults::fastest(&hosts);
        assert_eq!(results.fastest_host, "near");
        assert_eq!(
            (results.minimum_us, results.average_us, results.maximum_us),
            (150, 300, 600)
        );
        let nobody = ServerSelectionResults::fastest(&hosts[1..2]);
        assert_eq!(nobody.state, DiagnosticsState::Complete);
        assert_eq!((nobody.fastest_host.as_str(), nobody.average_us), ("", 0));
        let mut values = BTreeMap::new();
        values.insert(format!("{OBJECT}HostList"), Value::from("a, b,,c"));
        values.insert(format!("{OBJECT}Protocol"), Value::from("UDP Echo"));
        let test = Test::ServerSelection;
        let Job::ServerSelection(inputs) = test.job(&values) else {
            panic!("not a ServerSelection job");
        };
        assert_eq!(inputs.hosts, ["a", "b", "c"]);
        assert_eq!(inputs.protocol, Protocol::UdpEcho);
        results.write(&mut values);
        assert_eq!(
            test.value(&values, "FastestHost"),
            Some(Value::from("near"))
        );
    }
}
