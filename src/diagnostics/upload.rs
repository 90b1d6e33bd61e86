//! `Device.IP.Diagnostics.UploadDiagnostics.` (TR-143 §4.2, TR-181 Device:2): like
//! [`super::download`], plus `TestFileLength`. HTTP PUT only: `UploadTransports` is `HTTP`.

use super::download::transfer_inputs;
use super::stored::Stored;
use super::throughput::{self, TransferInputs};
use crate::datamodel::Value;

pub const OBJECT: &str = "Device.IP.Diagnostics.UploadDiagnostics.";
pub const PER_CONNECTION: &str = "Device.IP.Diagnostics.UploadDiagnostics.PerConnectionResult.{i}.";
pub const INCREMENTAL: &str = "Device.IP.Diagnostics.UploadDiagnostics.IncrementalResult.{i}.";

/// Its DiagnosticsState values (TR-181 2.19; the FTP ones never reached, see download.rs).
pub const STATES: &[&str] = &[
    "None",
    "Requested",
    "Complete",
    "Error_CannotResolveHostName",
    "Error_NoRouteToHost",
    "Error_InitConnectionFailed",
    "Error_NoResponse",
    "Error_PasswordRequestFailed",
    "Error_LoginFailed",
    "Error_NoTransferMode",
    "Error_NoPASV",
    "Error_NoCWD",
    "Error_NoSTOR",
    "Error_NoTransferComplete",
    "Error_Timeout",
    "Error_Internal",
    "Error_Other",
];

pub const INPUTS: &[&str] = &[
    "Interface",
    "UploadURL",
    "DSCP",
    "EthernetPriority",
    "TestFileLength",
    "TimeBasedTestDuration",
    "TimeBasedTestMeasurementInterval",
    "TimeBasedTestMeasurementOffset",
    "ProtocolVersion",
    "NumberOfConnections",
    "EnablePerConnectionResults",
];

pub fn default_value(name: &str) -> Option<Value> {
    Some(match name {
        "UploadURL" => Value::from(""),
        "TestFileLength" => Value::from(0u64),
        "UploadTransports" => Value::from("HTTP"),
        "UploadDiagnosticsMaxConnections" => Value::from(throughput::MAX_CONNECTIONS),
        "UploadDiagnosticsMaxIncrementalResult" => Value::from(throughput::MAX_INCREMENTAL_RESULTS),
        "DownloadURL"
        | "DownloadTransports"
        | "DownloadDiagnosticMaxConnections"
        | "DownloadDiagnosticsMaxIncrementalResult" => return None,
        other => return super::download::default_value(other),
    })
}

pub(super) fn inputs(stored: &Stored<'_>) -> TransferInputs {
    TransferInputs {
        file_length: stored.big_number("TestFileLength"),
        ..transfer_inputs(stored, "UploadURL")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::diagnostics::DiagnosticsState;
    use crate::diagnostics::{Job, Test};

    #[test]
    fn test_file_length_is_an_unsigned_long() {
        let test = Test::Upload;
        let inputs = |values: &BTreeMap<String, Value>| match test.job(values) {
            Job::Upload(inputs) => inputs,
            other => panic!("{other:?}"),
        };
        let value = |values: &BTreeMap<String, Value>, name: &str| test.value(values, name);
        let mut values = BTreeMap::new();
        assert_eq!(inputs(&values).file_length, 0);
        assert_eq!(value(&values, "DownloadURL"), None);
        assert_eq!(value(&values, "TestBytesSent"), Some(Value::from(0u64)));
        values.insert(
            format!("{OBJECT}TestFileLength"),
            Value::from(10_000_000_000u64),
        );
        values.insert(format!("{OBJECT}UploadURL"), Value::from("http://h/up"));
        let inputs = inputs(&values);
        assert_eq!(inputs.file_length, 10_000_000_000);
        assert_eq!(inputs.url, "http://h/up");
        assert_eq!(test.state(&values), DiagnosticsState::None);
    }
}
