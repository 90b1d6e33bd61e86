//! `Device.IP.Diagnostics.TraceRoute.` (TR-181 Device:2): inputs with defaults and the
//! `RouteHops.{i}.` table, kept in the engine's in-memory values like IPPing's.

use std::collections::BTreeMap;

use super::ip_ping::ProtocolVersion;
use super::state::DiagnosticsState;
use super::stored::Stored;
use crate::datamodel::Value;

pub const OBJECT: &str = "Device.IP.Diagnostics.TraceRoute.";
pub const ROUTE_HOPS: &str = "Device.IP.Diagnostics.TraceRoute.RouteHops.{i}.";

/// Its DiagnosticsState values (TR-181 2.19, optional Canceled and Error left out).
pub const STATES: &[&str] = &[
    "None",
    "Requested",
    "Complete",
    "Error_CannotResolveHostName",
    "Error_NoRouteToHost",
    "Error_MaxHopCountExceeded",
    "Error_Internal",
    "Error_Other",
];

pub const INPUTS: &[&str] = &[
    "Interface",
    "ProtocolVersion",
    "Host",
    "NumberOfTries",
    "Timeout",
    "DataBlockSize",
    "DSCP",
    "MaxHopCount",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRouteInputs {
    /// The Linux device the `Interface` reference resolves to (by the daemon); empty:
    /// routing decides.
    pub interface: String,
    pub protocol_version: ProtocolVersion,
    pub host: String,
    /// Probes per hop (1..3).
    pub tries: u32,
    /// Per probe, in milliseconds.
    pub timeout_ms: u32,
    pub data_block_size: u32,
    pub dscp: u8,
    pub max_hop_count: u32,
}

/// One hop (`RouteHops.{i}.`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hop {
    /// The hop's address (no reverse lookup): TR-181 allows the address when no name is known.
    pub host: String,
    pub host_address: String,
    /// The ICMP code of a Destination Unreachable, else 0.
    pub error_code: u32,
    /// Round trips of the answered probes, in ms (empty when no probe was answered).
    pub rt_times: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraceRouteResults {
    pub state: DiagnosticsState,
    pub ip_address_used: String,
    /// The destination's round trip, in ms (0 when it was not reached).
    pub response_time_ms: u32,
    pub hops: Vec<Hop>,
}

pub fn default_value(name: &str) -> Option<Value> {
    Some(match name {
        "DiagnosticsState" => Value::from(DiagnosticsState::None.name()),
        "Interface" | "Host" | "IPAddressUsed" => Value::from(""),
        "ProtocolVersion" => Value::from("Any"),
        "NumberOfTries" => Value::from(3u32),
        "Timeout" => Value::from(5000u32),
        "DataBlockSize" => Value::from(38u32),
        "MaxHopCount" => Value::from(30u32),
        "DSCP" | "RouteHopsNumberOfEntries" | "ResponseTime" => Value::from(0u32),
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

/// A parameter of `RouteHops.{instance}.`.
pub fn hop_value(values: &BTreeMap<String, Value>, instance: u32, name: &str) -> Value {
    values
        .get(&format!("{OBJECT}RouteHops.{instance}.{name}"))
        .cloned()
        .unwrap_or_else(|| match name {
            "ErrorCode" => Value::from(0u32),
            _ => Value::from(""),
        })
}

pub fn hop_instances(values: &BTreeMap<String, Value>) -> Vec<u32> {
    (1..=number(values, "RouteHopsNumberOfEntries")).collect()
}

impl TraceRouteInputs {
    pub fn from_values(values: &BTreeMap<String, Value>) -> TraceRouteInputs {
        let protocol_version = match text(values, "ProtocolVersion").as_str() {
            "IPv4" => ProtocolVersion::IPv4,
            "IPv6" => ProtocolVersion::IPv6,
            _ => ProtocolVersion::Any,
        };
        TraceRouteInputs {
            interface: text(values, "Interface"),
            protocol_version,
            host: text(values, "Host"),
            tries: number(values, "NumberOfTries").clamp(1, 3),
            timeout_ms: number(values, "Timeout").max(1),
            data_block_size: number(values, "DataBlockSize").clamp(1, 65535),
            dscp: number(values, "DSCP").min(63) as u8,
            max_hop_count: number(values, "MaxHopCount").clamp(1, 64),
        }
    }
}

impl TraceRouteResults {
    pub fn failed(state: DiagnosticsState) -> TraceRouteResults {
        TraceRouteResults {
            state,
            ..TraceRouteResults::default()
        }
    }

    /// Store the results, replacing the previous test's hops.
    pub fn write(&self, values: &mut BTreeMap<String, Value>) {
        let table = format!("{OBJECT}RouteHops.");
        values.retain(|path, _| !path.starts_with(&table));
        let top = [
            ("DiagnosticsState", Value::from(self.state.name())),
            ("IPAddressUsed", Value::from(self.ip_address_used.as_str())),
            ("ResponseTime", Value::from(self.response_time_ms)),
            (
                "RouteHopsNumberOfEntries",
                Value::from(self.hops.len() as u32),
            ),
        ];
        for (name, value) in top {
            values.insert(format!("{OBJECT}{name}"), value);
        }
        for (index, hop) in self.hops.iter().enumerate() {
            let times: Vec<String> = hop.rt_times.iter().map(u32::to_string).collect();
            let row = [
                ("Host", Value::from(hop.host.as_str())),
                ("HostAddress", Value::from(hop.host_address.as_str())),
                ("ErrorCode", Value::from(hop.error_code)),
                ("RTTimes", Value::from(times.join(","))),
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

    #[test]
    fn hops_replace_the_previous_table() {
        let mut values = BTreeMap::new();
        let hop = |address: &str| Hop {
            host: address.into(),
            host_address: address.into(),
            error_code: 0,
            rt_times: vec![1, 2, 3],
        };
        TraceRouteResults {
            state: DiagnosticsState::Complete,
            ip_address_used: "10.0.0.1".into(),
            response_time_ms: 2,
            hops: vec![hop("10.0.0.254"), hop("192.0.2.1")],
        }
        .write(&mut values);
        assert_eq!(hop_instances(&values), [1, 2]);
        assert_eq!(hop_value(&values, 1, "RTTimes"), Value::from("1,2,3"));
        assert_eq!(
            hop_value(&values, 2, "HostAddress"),
            Value::from("192.0.2.1")
        );
        TraceRouteResults::failed(DiagnosticsState::ErrorCannotResolveHostName).write(&mut values);
        assert!(hop_instances(&values).is_empty());
        assert_eq!(hop_value(&values, 2, "HostAddress"), Value::from(""));
        let inputs = TraceRouteInputs::from_values(&values);
        assert_eq!((inputs.tries, inputs.max_hop_count), (3, 30));
    }
}
