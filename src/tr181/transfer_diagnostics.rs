//! `Device.IP.Diagnostics.DownloadDiagnostics.` and `UploadDiagnostics.` (TR-181 Device:2,
//! TR-143 §4) with their `PerConnectionResult.{i}.` and `IncrementalResult.{i}.` tables, kept
//! in the daemon's memory like IPPing (see [`super::ip_diagnostics`]). HTTP only: a URL
//! other than `http://` is refused when written (9007).

use super::diagnostics_view::{
    address_used, can_deny, diagnostics_state, dscp, interface, protocol_version, unsigned_result,
    DiagnosticsView,
};
use crate::datamodel::{Area, AreaView, Context, Error, ObjectDef, ParamDef, Type, Value};
use crate::diagnostics::http_wire::parse_url;
use crate::diagnostics::throughput::MAX_CONNECTIONS;
use crate::diagnostics::{download, upload, Test};

/// `DownloadDiagnostics.` and `UploadDiagnostics.`.
pub struct TransferDiagnosticsArea;

fn time(name: &'static str) -> ParamDef {
    can_deny(ParamDef::read_only(name, Type::date_time()))
}

fn counter(name: &'static str) -> ParamDef {
    ParamDef::read_only(name, Type::unsigned_long().data_type("StatsCounter64"))
}

fn seconds(name: &'static str, max: i128) -> ParamDef {
    ParamDef::read_write(name, Type::unsigned_int().range(Some(0), Some(max)))
}

/// What the two objects differ in.
struct Flavour {
    object: &'static str,
    per_connection: &'static str,
    incremental: &'static str,
    states: &'static [&'static str],
    url: &'static str,
    test_bytes: &'static str,
    full_loading: &'static str,
    transports: &'static str,
    max_connections: &'static str,
    max_incremental: &'static str,
}

const DOWNLOAD: Flavour = Flavour {
    object: download::OBJECT,
    per_connection: download::PER_CONNECTION,
    incremental: download::INCREMENTAL,
    states: download::STATES,
    url: "DownloadURL",
    test_bytes: "TestBytesReceived",
    full_loading: "TestBytesReceivedUnderFullLoading",
    transports: "DownloadTransports",
    max_connections: "DownloadDiagnosticMaxConnections",
    max_incremental: "DownloadDiagnosticsMaxIncrementalResult",
};

const UPLOAD: Flavour = Flavour {
    object: upload::OBJECT,
    per_connection: upload::PER_CONNECTION,
    incremental: upload::INCREMENTAL,
    states: upload::STATES,
    url: "UploadURL",
    test_bytes: "TestBytesSent",
    full_loading: "TestBytesSentUnderFullLoading",
    transports: "UploadTransports",
    max_connections: "UploadDiagnosticsMaxConnections",
    max_incremental: "UploadDiagnosticsMaxIncrementalResult",
};

impl Flavour {
    fn object_def(&self) -> ObjectDef {
        let at_least_one = || Type::unsigned_int().range(Some(1), None);
        let mut def = ObjectDef::new(self.object)
            .param(diagnostics_state(self.states))
            .param(interface())
            .param(ParamDef::read_write(
                self.url,
                Type::string(2048).data_type("URL"),
            ))
            .param(dscp())
            .param(ParamDef::read_write(
                "EthernetPriority",
                Type::unsigned_int().range(Some(0), Some(7)),
            ));
        if self.object == upload::OBJECT {
            def = def.param(ParamDef::read_write(
                "TestFileLength",
                Type::unsigned_long(),
            ));
        }
        def.param(seconds("TimeBasedTestDuration", 999))
            .param(seconds("TimeBasedTestMeasurementInterval", 999))
            .param(seconds("TimeBasedTestMeasurementOffset", 255))
            .param(protocol_version())
            .param(ParamDef::read_write("NumberOfConnections", at_least_one()))
            .param(ParamDef::read_only(
                self.transports,
                Type::any_string().enumeration(&["HTTP"]).list(),
            ))
            .param(ParamDef::read_only(self.max_connections, at_least_one()))
            .param(ParamDef::read_only(self.max_incremental, at_least_one()))
            .param(self.download_can_deny(address_used()))
            .param(time("ROMTime"))
            .param(time("BOMTime"))
            .param(time("EOMTime"))
            .param(counter(self.test_bytes))
            .param(counter("TotalBytesReceived"))
            .param(counter("TotalBytesSent"))
            .param(counter(self.full_loading))
            .param(counter("TotalBytesReceivedUnderFullLoading"))
            .param(counter("TotalBytesSentUnderFullLoading"))
            .param(unsigned_result("PeriodOfFullLoading"))
            .param(time("TCPOpenRequestTime"))
            .param(time("TCPOpenResponseTime"))
            .param(can_deny(ParamDef::read_write(
                "EnablePerConnectionResults",
                Type::boolean(),
            )))
            .param(unsigned_result("PerConnectionResultNumberOfEntries"))
            .param(unsigned_result("IncrementalResultNumberOfEntries"))
    }

    /// TR-181 marks Download's IPAddressUsed and test bytes activeNotify=canDeny, Upload's
    /// not.
    fn download_can_deny(&self, def: ParamDef) -> ParamDef {
        match self.object == download::OBJECT {
            true => can_deny(def),
            false => def,
        }
    }

    fn per_connection_def(&self) -> ObjectDef {
        ObjectDef::new(self.per_connection)
            .without_alias()
            .param(time("ROMTime"))
            .param(time("BOMTime"))
            .param(time("EOMTime"))
            .param(self.download_can_deny(counter(self.test_bytes)))
            .param(can_deny(counter("TotalBytesReceived")))
            .param(can_deny(counter("TotalBytesSent")))
            .param(time("TCPOpenRequestTime"))
            .param(time("TCPOpenResponseTime"))
    }

    fn incremental_def(&self) -> ObjectDef {
        ObjectDef::new(self.incremental)
            .without_alias()
            .param(self.download_can_deny(counter(self.test_bytes)))
            .param(counter("TotalBytesReceived"))
            .param(counter("TotalBytesSent"))
            .param(time("StartTime"))
            .param(time("EndTime"))
    }
}

impl Area for TransferDiagnosticsArea {
    fn schema(&self) -> Vec<ObjectDef> {
        [&DOWNLOAD, &UPLOAD]
            .iter()
            .flat_map(|f| [f.object_def(), f.per_connection_def(), f.incremental_def()])
            .collect()
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let view = DiagnosticsView::new(check_input, DiagnosticsView::no_other);
        Ok(Box::new(view))
    }
}

/// What TR-181 and cwmpd's HTTP-only client refuse (9007).
fn check_input(_: Test, name: &str, value: &Value) -> Result<(), Error> {
    let text = value.as_str().unwrap_or_default();
    if matches!(name, "DownloadURL" | "UploadURL") && !text.is_empty() {
        parse_url(text).map_err(|detail| Error::invalid_value("", detail))?;
    }
    let connections = value.as_u64().unwrap_or(0);
    if name == "NumberOfConnections" && connections > u64::from(MAX_CONNECTIONS) {
        let detail = format!("at most {MAX_CONNECTIONS} connections");
        return Err(Error::invalid_value("", detail));
    }
    Ok(())
}
