//! `Device.IP.Diagnostics.DownloadDiagnostics.` (TR-143 §4.1, TR-181 Device:2): inputs with
//! their defaults, kept in the engine's in-memory values like IPPing's; the results are
//! [`super::throughput`]'s. HTTP only: `DownloadTransports` is `HTTP`.

use super::ip_ping::ProtocolVersion;
use super::state::DiagnosticsState;
use super::stored::Stored;
use super::throughput::{self, TransferInputs};
use crate::datamodel::Value;

pub const OBJECT: &str = "Device.IP.Diagnostics.DownloadDiagnostics.";
pub const PER_CONNECTION: &str =
    "Device.IP.Diagnostics.DownloadDiagnostics.PerConnectionResult.{i}.";
pub const INCREMENTAL: &str = "Device.IP.Diagnostics.DownloadDiagnostics.IncrementalResult.{i}.";

/// Its DiagnosticsState values (TR-181 2.19; optional Canceled left out, the FTP ones listed
/// because TR-181 requires them but never reached: cwmpd does HTTP only).
pub const STATES: &[&str] = &[
    "None",
    "Requested",
    "Complete",
    "Error_CannotResolveHostName",
    "Error_NoRouteToHost",
    "Error_InitConnectionFailed",
    "Error_NoResponse",
    "Error_TransferFailed",
    "Error_PasswordRequestFailed",
    "Error_LoginFailed",
    "Error_NoTransferMode",
    "Error_NoPASV",
    "Error_IncorrectSize",
    "Error_Timeout",
    "Error_Internal",
    "Error_Other",
];

pub const INPUTS: &[&str] = &[
    "Interface",
    "DownloadURL",
    "DSCP",
    "EthernetPriority",
    "TimeBasedTestDuration",
    "TimeBasedTestMeasurementInterval",
    "TimeBasedTestMeasurementOffset",
    "ProtocolVersion",
    "NumberOfConnections",
    "EnablePerConnectionResults",
];

/// Defaults as TR-181 recommends (every "SHOULD be" default: 0, false, Any, one connection).
pub fn default_value(name: &str) -> Option<Value> {
    Some(match name {
        "DiagnosticsState" => Value::from(DiagnosticsState::None.name()),
        "Interface" | "DownloadURL" => Value::from(""),
        "ProtocolVersion" => Value::from("Any"),
        "NumberOfConnections" => Value::from(1u32),
        "EnablePerConnectionResults" => Value::from(false),
        "DSCP"
        | "EthernetPriority"
        | "TimeBasedTestDuration"
        | "TimeBasedTestMeasurementInterval"
        | "TimeBasedTestMeasurementOffset" => Value::from(0u32),
        "DownloadTransports" => Value::from("HTTP"),
        "DownloadDiagnosticMaxConnections" => Value::from(throughput::MAX_CONNECTIONS),
        "DownloadDiagnosticsMaxIncrementalResult" => {
            Value::from(throughput::MAX_INCREMENTAL_RESULTS)
        }
        other => return throughput::result_default(other),
    })
}

/// The inputs of a Download or Upload test (`url` names DownloadURL or UploadURL).
pub(super) fn transfer_inputs(stored: &Stored<'_>, url: &str) -> TransferInputs {
    TransferInputs {
        interface: stored.text("Interface"),
        url: stored.text(url),
        dscp: stored.number("DSCP").min(63) as u8,
        ethernet_priority: stored.number("EthernetPriority").min(7) as u8,
        protocol_version: ProtocolVersion::parse(&stored.text("ProtocolVersion")),
        connections: stored
            .number("NumberOfConnections")
            .clamp(1, throughput::MAX_CONNECTIONS),
        duration_s: stored.number("TimeBasedTestDuration").min(999),
        interval_s: stored.number("TimeBasedTestMeasurementInterval").min(999),
        offset_s: stored.number("TimeBasedTestMeasurementOffset").min(255),
        per_connection_results: stored.flag("EnablePerConnectionResults"),
        file_length: 0,
    }
}

pub(super) fn inputs(stored: &Stored<'_>) -> TransferInputs {
    transfer_inputs(stored, "DownloadURL")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::diagnostics::{Job, Test};

    #[test]
    fn defaults_then_written_inputs() {
        let mut values = BTreeMap::new();
        let test = Test::Download;
        let Job::Download(defaults) = test.job(&values) else {
            panic!("not a Download job");
        };
        assert_eq!((defaults.connections, defaults.duration_s), (1, 0));
        assert!(!defaults.per_connection_results);
        assert_eq!(
            test.value(&values, "DownloadTransports"),
            Some(Value::from("HTTP"))
        );
        assert_eq!(
            test.value(&values, "BOMTime"),
            Some(Value::DateTime(crate::datamodel::value::UNKNOWN_TIME_SECS))
        );
        let set = |values: &mut BTreeMap<String, Value>, name: &str, value: Value| {
            values.insert(format!("{OBJECT}{name}"), value);
        };
        set(&mut values, "DownloadURL", Value::from("http://h/f"));
        set(&mut values, "NumberOfConnections", Value::from(3u32));
        set(&mut values, "EnablePerConnectionResults", Value::from(true));
        set(&mut values, "ProtocolVersion", Value::from("IPv6"));
        let Job::Download(written) = test.job(&values) else {
            panic!("not a Download job");
        };
        assert_eq!(written.url, "http://h/f");
        assert_eq!(written.connections, 3);
        assert!(written.per_connection_results);
        assert_eq!(written.protocol_version, ProtocolVersion::IPv6);
    }
}
