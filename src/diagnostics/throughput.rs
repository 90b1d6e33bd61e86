//! What `DownloadDiagnostics` and `UploadDiagnostics` (TR-143 §4, TR-181 Device:2) share: the
//! inputs, each connection's times and byte counts, the test's totals over them, the
//! `IncrementalResult.{i}` rows of a time-based test, and how all of it becomes the result
//! parameters. Sans-I/O: times come in as microseconds since the Unix epoch.

use std::collections::BTreeMap;

use super::ip_ping::ProtocolVersion;
use super::state::DiagnosticsState;
use super::stored::{replace_rows, write_params};
use crate::datamodel::value::UNKNOWN_TIME_SECS;
use crate::datamodel::Value;

/// Connections one test may open (`DownloadDiagnosticMaxConnections`,
/// `UploadDiagnosticsMaxConnections`).
pub const MAX_CONNECTIONS: u32 = 8;
/// `IncrementalResult` rows kept: a time-based test lasts at most 999 s and a measurement
/// interval is at least 1 s, so no test makes more.
pub const MAX_INCREMENTAL_RESULTS: u32 = 999;

/// Which way the test file goes; names the byte parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Download,
    Upload,
}

impl Direction {
    fn test_bytes(self) -> &'static str {
        match self {
            Direction::Download => "TestBytesReceived",
            Direction::Upload => "TestBytesSent",
        }
    }

    fn test_bytes_under_full_loading(self) -> &'static str {
        match self {
            Direction::Download => "TestBytesReceivedUnderFullLoading",
            Direction::Upload => "TestBytesSentUnderFullLoading",
        }
    }
}

/// What one Download or Upload test is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferInputs {
    /// The Linux device to bind to (the daemon resolves the `Interface` reference); empty:
    /// routing decides.
    pub interface: String,
    pub url: String,
    pub dscp: u8,
    /// SO_PRIORITY: a VLAN device's egress map turns it into the 802.1p priority.
    pub ethernet_priority: u8,
    pub protocol_version: ProtocolVersion,
    pub connections: u32,
    /// `TimeBasedTestDuration` in seconds; 0: transfer the file once.
    pub duration_s: u32,
    /// `TimeBasedTestMeasurementInterval` in seconds; 0: no `IncrementalResult` rows.
    pub interval_s: u32,
    pub offset_s: u32,
    pub per_connection_results: bool,
    /// Upload only: bytes each connection sends (`TestFileLength`).
    pub file_length: u64,
}

/// Interface byte counters (`/sys/class/net/DEV/statistics`), or a difference of two samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub received: u64,
    pub sent: u64,
}

impl Counters {
    /// What moved from `earlier` to `self` (counters may wrap).
    pub fn since(self, earlier: Counters) -> Counters {
        Counters {
            received: self.received.wrapping_sub(earlier.received),
            sent: self.sent.wrapping_sub(earlier.sent),
        }
    }
}

/// One connection (`PerConnectionResult.{i}.`); times in µs since the Unix epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectionResult {
    pub tcp_open_request: i64,
    pub tcp_open_response: i64,
    pub rom: i64,
    pub bom: i64,
    pub eom: i64,
    /// Bytes of the HTTP transactions (headers included) between BOM and EOM.
    pub test_bytes: u64,
    /// Interface bytes between this connection's BOM and EOM.
    pub total: Counters,
}

/// One `IncrementalResult.{i}.` interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IncrementalResult {
    pub start: i64,
    pub end: i64,
    pub test_bytes: u64,
    pub total: Counters,
}

/// Between the latest BOM and the earliest EOM of all connections (TR-143 "full loading").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FullLoading {
    pub test_bytes: u64,
    pub total: Counters,
    pub period_us: u32,
}

/// What a finished test measured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThroughputResults {
    pub state: DiagnosticsState,
    pub ip_address_used: String,
    pub connections: Vec<ConnectionResult>,
    /// Publish `PerConnectionResult.{i}` (`EnablePerConnectionResults`).
    pub per_connection_results: bool,
    /// Interface bytes between the test's BOM and EOM.
    pub total: Counters,
    pub full_loading: FullLoading,
    pub incremental: Vec<IncrementalResult>,
}

/// The default of a result parameter both objects have.
pub fn result_default(name: &str) -> Option<Value> {
    Some(match name {
        "ROMTime" | "BOMTime" | "EOMTime" | "TCPOpenRequestTime" | "TCPOpenResponseTime" => {
            Value::DateTime(UNKNOWN_TIME_SECS)
        }
        "IPAddressUsed" => Value::from(""),
        "TestBytesReceived"
        | "TestBytesSent"
        | "TotalBytesReceived"
        | "TotalBytesSent"
        | "TestBytesReceivedUnderFullLoading"
        | "TestBytesSentUnderFullLoading"
        | "TotalBytesReceivedUnderFullLoading"
        | "TotalBytesSentUnderFullLoading" => Value::from(0u64),
        "PeriodOfFullLoading"
        | "PerConnectionResultNumberOfEntries"
        | "IncrementalResultNumberOfEntries" => Value::from(0u32),
        _ => return None,
    })
}

/// A time as TR-143 wants it, or the unknown time.
fn time(micros: Option<i64>) -> Value {
    micros.map_or(Value::DateTime(UNKNOWN_TIME_SECS), Value::DateTimeMicros)
}

impl ThroughputResults {
    /// A test that ended before it measured anything.
    pub fn failed(state: DiagnosticsState) -> ThroughputResults {
        ThroughputResults {
            state,
            ..ThroughputResults::default()
        }
    }

    /// TR-181: ROM and BOM are the earliest of all connections, EOM and the TCP open times
    /// the latest.
    fn earliest(&self, field: fn(&ConnectionResult) -> i64) -> Option<i64> {
        self.connections.iter().map(field).min()
    }

    fn latest(&self, field: fn(&ConnectionResult) -> i64) -> Option<i64> {
        self.connections.iter().map(field).max()
    }

    pub fn test_bytes(&self) -> u64 {
        self.connections.iter().map(|c| c.test_bytes).sum()
    }

    /// Store the results of the test on `object` (replacing the previous test's rows).
    pub fn write(&self, object: &str, direction: Direction, values: &mut BTreeMap<String, Value>) {
        let rows = match self.per_connection_results {
            true => self.connections.len() as u32,
            false => 0,
        };
        let full = &self.full_loading;
        let top = [
            ("DiagnosticsState", Value::from(self.state.name())),
            ("IPAddressUsed", Value::from(self.ip_address_used.as_str())),
            ("ROMTime", time(self.earliest(|c| c.rom))),
            ("BOMTime", time(self.earliest(|c| c.bom))),
            ("EOMTime", time(self.latest(|c| c.eom))),
            (direction.test_bytes(), Value::from(self.test_bytes())),
            ("TotalBytesReceived", Value::from(self.total.received)),
            ("TotalBytesSent", Value::from(self.total.sent)),
            (
                direction.test_bytes_under_full_loading(),
                Value::from(full.test_bytes),
            ),
            (
                "TotalBytesReceivedUnderFullLoading",
                Value::from(full.total.received),
            ),
            (
                "TotalBytesSentUnderFullLoading",
                Value::from(full.total.sent),
            ),
            ("PeriodOfFullLoading", Value::from(full.period_us)),
            (
                "TCPOpenRequestTime",
                time(self.latest(|c| c.tcp_open_request)),
            ),
            (
                "TCPOpenResponseTime",
                time(self.latest(|c| c.tcp_open_response)),
            ),
            ("PerConnectionResultNumberOfEntries", Value::from(rows)),
            (
                "IncrementalResultNumberOfEntries",
                Value::from(self.incremental.len() as u32),
            ),
        ];
        write_params(values, object, top);
        let connections = self.connections.iter().take(rows as usize).map(|c| {
            [
                ("ROMTime", Value::DateTimeMicros(c.rom)),
                ("BOMTime", Value::DateTimeMicros(c.bom)),
                ("EOMTime", Value::DateTimeMicros(c.eom)),
                (direction.test_bytes(), Value::from(c.test_bytes)),
                ("TotalBytesReceived", Value::from(c.total.received)),
                ("TotalBytesSent", Value::from(c.total.sent)),
                (
                    "TCPOpenRequestTime",
                    Value::DateTimeMicros(c.tcp_open_request),
                ),
                (
                    "TCPOpenResponseTime",
                    Value::DateTimeMicros(c.tcp_open_response),
                ),
            ]
        });
        replace_rows(values, object, "PerConnectionResult", connections);
        let intervals = self.incremental.iter().map(|interval| {
            [
                (direction.test_bytes(), Value::from(interval.test_bytes)),
                ("TotalBytesReceived", Value::from(interval.total.received)),
                ("TotalBytesSent", Value::from(interval.total.sent)),
                ("StartTime", Value::DateTimeMicros(interval.start)),
                ("EndTime", Value::DateTimeMicros(interval.end)),
            ]
        });
        replace_rows(values, object, "IncrementalResult", intervals);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Test;

    const OBJECT: &str = "Device.IP.Diagnostics.DownloadDiagnostics.";

    fn connection(rom: i64, bytes: u64) -> ConnectionResult {
        ConnectionResult {
            tcp_open_request: rom - 200,
            tcp_open_response: rom - 100,
            rom,
            bom: rom + 50,
            eom: rom + 1_000_000,
            test_bytes: bytes,
            total: Counters {
                received: bytes + 1000,
                sent: 500,
            },
        }
    }

    fn get(values: &BTreeMap<String, Value>, name: &str) -> String {
        values[&format!("{OBJECT}{name}")].to_lexical()
    }

    #[test]
    fn totals_take_the_earliest_and_latest_times_and_sum_the_bytes() {
        let results = ThroughputResults {
            state: DiagnosticsState::Complete,
            ip_address_used: "10.0.0.1".into(),
            connections: vec![
                connection(1_207_753_265_000_000, 1000),
                connection(1_207_753_265_000_300, 2000),
            ],
            per_connection_results: true,
            ..ThroughputResults::default()
        };
        let mut values = BTreeMap::new();
        results.write(OBJECT, Direction::Download, &mut values);
        assert_eq!(get(&values, "ROMTime"), "2008-04-09T15:01:05.000000Z");
        assert_eq!(get(&values, "BOMTime"), "2008-04-09T15:01:05.000050Z");
        assert_eq!(get(&values, "EOMTime"), "2008-04-09T15:01:06.000300Z");
        assert_eq!(
            get(&values, "TCPOpenRequestTime"),
            "2008-04-09T15:01:05.000100Z"
        );
        assert_eq!(get(&values, "TestBytesReceived"), "3000");
        assert_eq!(get(&values, "PerConnectionResultNumberOfEntries"), "2");
        assert_eq!(
            get(&values, "PerConnectionResult.2.TestBytesReceived"),
            "2000"
        );
        let test = Test::Download;
        assert_eq!(test.rows(&values, "PerConnectionResult"), [1, 2]);
        assert!(test.rows(&values, "IncrementalResult").is_empty());
        // The next test replaces the rows; without per-connection results there are none.
        let failed = ThroughputResults::failed(DiagnosticsState::ErrorInitConnectionFailed);
        failed.write(OBJECT, Direction::Download, &mut values);
        assert_eq!(get(&values, "ROMTime"), "0001-01-01T00:00:00Z");
        assert_eq!(get(&values, "TestBytesReceived"), "0");
        assert!(test
            .row_value(&values, "PerConnectionResult", 1, "ROMTime")
            .is_none());
    }

    #[test]
    fn upload_names_its_bytes_sent() {
        let results = ThroughputResults {
            state: DiagnosticsState::Complete,
            connections: vec![connection(1_000_000, 77)],
            incremental: vec![IncrementalResult {
                start: 1_000_000,
                end: 2_000_000,
                test_bytes: 70,
                total: Counters::default(),
            }],
            ..ThroughputResults::default()
        };
        let mut values = BTreeMap::new();
        const UP: &str = "Device.IP.Diagnostics.UploadDiagnostics.";
        results.write(UP, Direction::Upload, &mut values);
        assert_eq!(values[&format!("{UP}TestBytesSent")], Value::from(77u64));
        assert_eq!(
            values[&format!("{UP}IncrementalResult.1.TestBytesSent")],
            Value::from(70u64)
        );
        assert_eq!(
            values[&format!("{UP}PerConnectionResultNumberOfEntries")],
            Value::from(0u32)
        );
    }

    #[test]
    fn counters_wrap() {
        let earlier = Counters {
            received: u64::MAX - 1,
            sent: 5,
        };
        let later = Counters {
            received: 3,
            sent: 9,
        };
        assert_eq!(
            later.since(earlier),
            Counters {
                received: 5,
                sent: 4
            }
        );
    }
}
