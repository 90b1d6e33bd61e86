//! `Device.IP.Diagnostics.DownloadDiagnostics.` and `UploadDiagnostics.` (TR-181 Device:2,
//! TR-143 §4) with their `PerConnectionResult.{i}.` and `IncrementalResult.{i}.` tables, kept
//! in the daemon's memory like IPPing (see [`super::ip_diagnostics`]). HTTP only: a URL
//! other than `http://` is refused when written (9007).

use super::ip_diagnostics::DiagnosticsWrite;
use crate::datamodel::{
    ActiveNotify, Area, AreaView, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};
use crate::diagnostics::http_wire::parse_url;
use crate::diagnostics::throughput::{self, row_instances, row_value, MAX_CONNECTIONS};
use crate::diagnostics::{download, upload};

/// `DownloadDiagnostics.` and `UploadDiagnostics.`.
pub struct TransferDiagnosticsArea;

fn can_deny(def: ParamDef) -> ParamDef {
    def.active_notify(ActiveNotify::CanDeny)
}

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
        let state = Type::any_string()
            .enumeration(self.states)
            .data_type("DiagnosticsState");
        let at_least_one = || Type::unsigned_int().range(Some(1), None);
        let mut def = ObjectDef::new(self.object)
            .param(ParamDef::read_write("DiagnosticsState", state))
            .param(ParamDef::read_write("Interface", Type::string(256)))
            .param(ParamDef::read_write(
                self.url,
                Type::string(2048).data_type("URL"),
            ))
            .param(ParamDef::read_write(
                "DSCP",
                Type::unsigned_int().range(Some(0), Some(63)),
            ))
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
        // Upload's IPAddressUsed and test bytes have no activeNotify flag in TR-181.
        let address = ParamDef::read_only("IPAddressUsed", Type::string(45).data_type("IPAddress"));
        let address = match self.object == download::OBJECT {
            true => can_deny(address),
            false => address,
        };
        def.param(seconds("TimeBasedTestDuration", 999))
            .param(seconds("TimeBasedTestMeasurementInterval", 999))
            .param(seconds("TimeBasedTestMeasurementOffset", 255))
            .param(ParamDef::read_write(
                "ProtocolVersion",
                Type::any_string().enumeration(&["Any", "IPv4", "IPv6"]),
            ))
            .param(ParamDef::read_write("NumberOfConnections", at_least_one()))
            .param(ParamDef::read_only(
                self.transports,
                Type::any_string().enumeration(&["HTTP"]).list(),
            ))
            .param(ParamDef::read_only(self.max_connections, at_least_one()))
            .param(ParamDef::read_only(self.max_incremental, at_least_one()))
            .param(address)
            .param(time("ROMTime"))
            .param(time("BOMTime"))
            .param(time("EOMTime"))
            .param(counter(self.test_bytes))
            .param(counter("TotalBytesReceived"))
            .param(counter("TotalBytesSent"))
            .param(counter(self.full_loading))
            .param(counter("TotalBytesReceivedUnderFullLoading"))
            .param(counter("TotalBytesSentUnderFullLoading"))
            .param(ParamDef::read_only(
                "PeriodOfFullLoading",
                Type::unsigned_int(),
            ))
            .param(time("TCPOpenRequestTime"))
            .param(time("TCPOpenResponseTime"))
            .param(can_deny(ParamDef::read_write(
                "EnablePerConnectionResults",
                Type::boolean(),
            )))
            .param(ParamDef::read_only(
                "PerConnectionResultNumberOfEntries",
                Type::unsigned_int(),
            ))
            .param(ParamDef::read_only(
                "IncrementalResultNumberOfEntries",
                Type::unsigned_int(),
            ))
    }

    fn per_connection_def(&self) -> ObjectDef {
        // Upload's PerConnectionResult.TestBytesSent has no activeNotify flag in TR-181.
        let test_bytes = match self.object == download::OBJECT {
            true => can_deny(counter(self.test_bytes)),
            false => counter(self.test_bytes),
        };
        ObjectDef::new(self.per_connection)
            .without_alias()
            .param(time("ROMTime"))
            .param(time("BOMTime"))
            .param(time("EOMTime"))
            .param(test_bytes)
            .param(can_deny(counter("TotalBytesReceived")))
            .param(can_deny(counter("TotalBytesSent")))
            .param(time("TCPOpenRequestTime"))
            .param(time("TCPOpenResponseTime"))
    }

    fn incremental_def(&self) -> ObjectDef {
        let test_bytes = match self.object == download::OBJECT {
            true => can_deny(counter(self.test_bytes)),
            false => counter(self.test_bytes),
        };
        ObjectDef::new(self.incremental)
            .without_alias()
            .param(test_bytes)
            .param(counter("TotalBytesReceived"))
            .param(counter("TotalBytesSent"))
            .param(time("StartTime"))
            .param(time("EndTime"))
    }

    fn value(
        &self,
        values: &std::collections::BTreeMap<String, Value>,
        name: &str,
    ) -> Option<Value> {
        match self.object == download::OBJECT {
            true => download::value(values, name),
            false => upload::value(values, name),
        }
    }
}

fn flavour(object: &str) -> &'static Flavour {
    match object.starts_with(upload::OBJECT) {
        true => &UPLOAD,
        false => &DOWNLOAD,
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
        Ok(Box::new(TransferDiagnosticsView { requested: false }))
    }
}

struct TransferDiagnosticsView {
    requested: bool,
}

/// `PerConnectionResult` or `IncrementalResult`, from a table's path.
fn table_name(flavour: &Flavour, table: &str) -> &'static str {
    match table == flavour.per_connection {
        true => "PerConnectionResult",
        false => "IncrementalResult",
    }
}

impl AreaView for TransferDiagnosticsView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let flavour = flavour(param.object);
        let values = &ctx.runtime.volatile;
        let value = match param.instances {
            [row] => {
                let table = table_name(flavour, param.object);
                row_value(values, flavour.object, table, *row, param.name)
            }
            _ => flavour.value(values, param.name),
        };
        value.ok_or_else(|| Error::not_served(param.name))
    }

    fn instances(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        let flavour = flavour(table.object);
        let name = table_name(flavour, table.object);
        Ok(row_instances(&ctx.runtime.volatile, flavour.object, name))
    }

    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let flavour = flavour(param.object);
        check_input(flavour, param.name, value)?;
        let values = &ctx.runtime.volatile;
        let test = match flavour.object == download::OBJECT {
            true => DiagnosticsWrite {
                object: download::OBJECT,
                inputs: download::INPUTS,
                current: download::state(values),
            },
            false => DiagnosticsWrite {
                object: upload::OBJECT,
                inputs: upload::INPUTS,
                current: upload::state(values),
            },
        };
        test.stage(ctx, &mut self.requested, param.name, value, tx)
    }
}

/// What TR-181 and cwmpd's HTTP-only client refuse (9007).
fn check_input(flavour: &Flavour, name: &str, value: &Value) -> Result<(), Error> {
    if name == flavour.url {
        let url = value.as_str().unwrap_or_default();
        if !url.is_empty() {
            parse_url(url).map_err(|detail| Error::invalid_value("", detail))?;
        }
    }
    let connections = value.as_u64().unwrap_or(0);
    if name == "NumberOfConnections" && connections > u64::from(MAX_CONNECTIONS) {
        let detail = format!("at most {} connections", throughput::MAX_CONNECTIONS);
        return Err(Error::invalid_value("", detail));
    }
    Ok(())
}
