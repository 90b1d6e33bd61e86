//! `Device.DNS.Diagnostics.` (TR-181 Device:2): `NSLookupDiagnostics.` and its `Result.{i}.`
//! table, kept in the daemon's memory like IPPing (see [`super::ip_diagnostics`]).

use super::ip_diagnostics::DiagnosticsWrite;
use crate::datamodel::{
    ActiveNotify, Area, AreaView, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};
use crate::diagnostics::ns_lookup::{self, ANSWER_TYPES, INPUTS, MAX_REPETITIONS, STATUS};

/// TR-181 lets the CPE refuse active notification on most of these (activeNotify=canDeny).
const CAN_DENY: ActiveNotify = ActiveNotify::CanDeny;

/// `Device.DNS.` and `Device.DNS.Diagnostics.` (only the diagnostics so far).
pub struct DnsDiagnosticsArea;

impl Area for DnsDiagnosticsArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let diagnostics_state = Type::any_string()
            .enumeration(ns_lookup::STATES)
            .data_type("DiagnosticsState");
        let address = Type::string(45).data_type("IPAddress");
        // `Device.DNS.` itself is declared by the DNS client area (dns.rs), listed before this.
        vec![
            ObjectDef::new("Device.DNS.Diagnostics."),
            ObjectDef::new(ns_lookup::OBJECT)
                .param(
                    ParamDef::read_write("DiagnosticsState", diagnostics_state)
                        .active_notify(CAN_DENY),
                )
                .param(ParamDef::read_write("Interface", Type::string(256)))
                .param(ParamDef::read_write("HostName", Type::string(256)))
                .param(ParamDef::read_write("DNSServer", Type::string(256)))
                .param(ParamDef::read_write("Timeout", Type::unsigned_int()))
                .param(ParamDef::read_write(
                    "NumberOfRepetitions",
                    Type::unsigned_int(),
                ))
                .param(
                    ParamDef::read_only("ResultNumberOfEntries", Type::unsigned_int())
                        .active_notify(CAN_DENY),
                )
                .param(
                    ParamDef::read_only("SuccessCount", Type::unsigned_int())
                        .active_notify(CAN_DENY),
                ),
            ObjectDef::new(ns_lookup::RESULT)
                .without_alias()
                .param(
                    ParamDef::read_only("Status", Type::any_string().enumeration(STATUS))
                        .active_notify(CAN_DENY),
                )
                .param(
                    ParamDef::read_only("AnswerType", Type::any_string().enumeration(ANSWER_TYPES))
                        .active_notify(CAN_DENY),
                )
                .param(ParamDef::read_only("HostNameReturned", Type::string(256)))
                .param(
                    ParamDef::read_only("IPAddresses", address.clone().list())
                        .active_notify(CAN_DENY),
                )
                .param(ParamDef::read_only("DNSServerIP", address).active_notify(CAN_DENY))
                .param(
                    ParamDef::read_only("ResponseTime", Type::unsigned_int())
                        .active_notify(CAN_DENY),
                ),
        ]
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        Ok(Box::new(DnsDiagnosticsView { requested: false }))
    }
}

struct DnsDiagnosticsView {
    requested: bool,
}

impl AreaView for DnsDiagnosticsView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let values = &ctx.runtime.volatile;
        match param.instances {
            [instance] => Ok(ns_lookup::result_value(values, *instance, param.name)),
            _ => ns_lookup::value(values, param.name).ok_or_else(|| Error::not_served(param.name)),
        }
    }

    fn instances(
        &mut self,
        ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(ns_lookup::result_instances(&ctx.runtime.volatile))
    }

    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let too_many = value
            .as_u64()
            .is_some_and(|n| n > u64::from(MAX_REPETITIONS));
        if param.name == "NumberOfRepetitions" && too_many {
            let detail = format!("at most {MAX_REPETITIONS} repetitions");
            return Err(Error::invalid_value("", detail));
        }
        let test = DiagnosticsWrite {
            object: ns_lookup::OBJECT,
            inputs: INPUTS,
            current: ns_lookup::state(&ctx.runtime.volatile),
        };
        test.stage(ctx, &mut self.requested, param.name, value, tx)
    }
}
