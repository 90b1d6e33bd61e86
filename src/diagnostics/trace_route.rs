//! `Device.IP.Diagnostics.TraceRoute.` (TR-181 Device:2): inputs with defaults and the
//! `RouteHops.{i}.` table, kept in the engine's in-memory values like IPPing's.

use std::collections::BTreeMap;

use super::ip_ping::ProtocolVersion;
use super::state::DiagnosticsState;
use super::stored::{replace_rows, write_params, Stored};
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

impl TraceRouteInputs {
    pub(super) fn from_stored(stored: &Stored<'_>) -> TraceRouteInputs {
        TraceRouteInputs {
            interface: stored.text("Interface"),
            protocol_version: ProtocolVersion::parse(&stored.text("ProtocolVersion")),
            host: stored.text("Host"),
            tries: stored.number("NumberOfTries").clamp(1, 3),
            timeout_ms: stored.number("Timeout").max(1),
            data_block_size: stored.number("DataBlockSize").clamp(1, 65535),
            dscp: stored.number("DSCP").min(63) as u8,
            max_hop_count: stored.number("MaxHopCount").clamp(1, 64),
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
        let top = [
            ("DiagnosticsState", Value::from(self.state.name())),
            ("IPAddressUsed", Value::from(self.ip_address_used.as_str())),
            ("ResponseTime", Value::from(self.response_time_ms)),
            (
                "RouteHopsNumberOfEntries",
                Value::from(self.hops.len() as u32),
            ),
        ];
        write_params(values, OBJECT, top);
        let rows = self.hops.iter().map(|hop| {
            let times: Vec<String> = hop.rt_times.iter().map(u32::to_string).collect();
            [
                ("Host", Value::from(hop.host.as_str())),
                ("HostAddress", Value::from(hop.host_address.as_str())),
                ("ErrorCode", Value::from(hop.error_code)),
                ("RTTimes", Value::from(times.join(","))),
            ]
        });
        replace_rows(values, OBJECT, "RouteHops", rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Job, Test};

    #[test]
    fn hops_replace_the_previous_table() {
        let test = Test::TraceRoute;
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
        assert_eq!(test.rows(&values, "RouteHops"), [1, 2]);
        let hop_value = |values: &BTreeMap<String, Value>, row: u32, name: &str| {
            test.row_value(values, "RouteHops", row, name)
        };
        assert_eq!(hop_value(&values, 1, "RTTimes"), Some(Value::from("1,2,3")));
        assert_eq!(hop_value(&values, 1, "ErrorCode"), Some(Value::from(0u32)));
        assert_eq!(
            hop_value(&values, 2, "HostAddress"),
            Some(Value::from("192.0.2.1"))
        );
        TraceRouteResults::failed(DiagnosticsState::ErrorCannotResolveHostName).write(&mut values);
        assert!(test.rows(&values, "RouteHops").is_empty());
        assert_eq!(hop_value(&values, 2, "HostAddress"), None);
        let Job::TraceRoute(inputs) = test.job(&values) else {
            panic!("not a TraceRoute job");
        };
        assert_eq!((inputs.tries, inputs.max_hop_count), (3, 30));
    }
}
