//! `Device.DNS.Diagnostics.` (TR-181 Device:2): `NSLookupDiagnostics.` and its `Result.{i}.`
//! table, kept in the daemon's memory like IPPing (see [`super::ip_diagnostics`]).

use super::diagnostics_view::{
    can_deny, diagnostics_state, interface, unsigned_result, DiagnosticsView,
};
use crate::datamodel::{Area, AreaView, Context, Error, ObjectDef, ParamDef, Type, Value};
use crate::diagnostics::ns_lookup::{self, ANSWER_TYPES, MAX_REPETITIONS, STATUS};
use crate::diagnostics::Test;

/// `Device.DNS.` and `Device.DNS.Diagnostics.` (only the diagnostics so far).
pub struct DnsDiagnosticsArea;

impl Area for DnsDiagnosticsArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let address = Type::string(45).data_type("IPAddress");
        let result = |name| can_deny(unsigned_result(name));
        // `Device.DNS.` itself is declared by the DNS client area (dns.rs), listed before this.
        vec![
            ObjectDef::new("Device.DNS.Diagnostics."),
            ObjectDef::new(ns_lookup::OBJECT)
                .param(can_deny(diagnostics_state(ns_lookup::STATES)))
                .param(interface())
                .param(ParamDef::read_write("HostName", Type::string(256)))
                .param(ParamDef::read_write("DNSServer", Type::string(256)))
                .param(ParamDef::read_write("Timeout", Type::unsigned_int()))
                .param(ParamDef::read_write(
                    "NumberOfRepetitions",
                    Type::unsigned_int(),
                ))
                .param(result("ResultNumberOfEntries"))
                .param(result("SuccessCount")),
            ObjectDef::new(ns_lookup::RESULT)
                .without_alias()
                .param(can_deny(ParamDef::read_only(
                    "Status",
                    Type::any_string().enumeration(STATUS),
                )))
                .param(can_deny(ParamDef::read_only(
                    "AnswerType",
                    Type::any_string().enumeration(ANSWER_TYPES),
                )))
                .param(ParamDef::read_only("HostNameReturned", Type::string(256)))
                .param(can_deny(ParamDef::read_only(
                    "IPAddresses",
                    address.clone().list(),
                )))
                .param(can_deny(ParamDef::read_only("DNSServerIP", address)))
                .param(result("ResponseTime")),
        ]
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let view = DiagnosticsView::new(check_repetitions, DiagnosticsView::no_other);
        Ok(Box::new(view))
    }
}

/// Each repetition is a `Result.` row kept in memory: at most [`MAX_REPETITIONS`].
fn check_repetitions(_: Test, name: &str, value: &Value) -> Result<(), Error> {
    let too_many = value
        .as_u64()
        .is_some_and(|n| n > u64::from(MAX_REPETITIONS));
    if name == "NumberOfRepetitions" && too_many {
        let detail = format!("at most {MAX_REPETITIONS} repetitions");
        return Err(Error::invalid_value("", detail));
    }
    Ok(())
}
