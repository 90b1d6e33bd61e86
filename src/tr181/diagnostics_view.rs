//! What the diagnostics areas (`ip_diagnostics.rs`, `dns_diagnostics.rs`,
//! `echo_diagnostics.rs`, `transfer_diagnostics.rs`) share: one view over the daemon's
//! in-memory values (each object's parameters and result tables, by [`Test`]), the
//! DiagnosticsState rules for writes, `Interface` references, and the parameter definitions
//! every diagnostics object of TR-181 repeats.

use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE};
use crate::datamodel::{
    ActiveNotify, AreaView, Context, Error, ObjectRef, ParamDef, ParamRef, Transaction, Type, Value,
};
use crate::diagnostics::state::{check_state_write, state_after_input_write};
use crate::diagnostics::Test;

/// A check an area makes on a written value beyond its type (9007 otherwise).
pub(crate) type InputCheck = fn(Test, &str, &Value) -> Result<(), Error>;

/// A parameter of an area's object that belongs to no test (`Device.IP.Diagnostics.`).
pub(crate) type OtherParam = fn(&mut Context<'_>, ParamRef<'_>) -> Result<Value, Error>;

/// A diagnostics area's view for one RPC.
pub(crate) struct DiagnosticsView {
    /// This SetParameterValues requests a test: input writes in it do not cancel.
    requested: bool,
    check: InputCheck,
    other: OtherParam,
}

impl DiagnosticsView {
    pub fn new(check: InputCheck, other: OtherParam) -> DiagnosticsView {
        DiagnosticsView {
            requested: false,
            check,
            other,
        }
    }

    /// No checks beyond the types.
    pub fn no_check(_: Test, _: &str, _: &Value) -> Result<(), Error> {
        Ok(())
    }

    /// The area's objects all belong to tests.
    pub fn no_other(_: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        Err(Error::not_served(param.name))
    }
}

/// The test `object` belongs to, and the result table it is (`RouteHops` for
/// `Device.IP.Diagnostics.TraceRoute.RouteHops.{i}.`; empty for the test's own object).
fn test_and_table(object: &str) -> Option<(Test, &str)> {
    let test = Test::for_path(object)?;
    let table = object[test.object().len()..].trim_end_matches(".{i}.");
    Some((test, table))
}

impl AreaView for DiagnosticsView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let Some((test, table)) = test_and_table(param.object) else {
            return (self.other)(ctx, param);
        };
        let values = &ctx.runtime.volatile;
        let value = match param.instances {
            [row] => test.row_value(values, table, *row, param.name),
            _ => test.value(values, param.name),
        };
        value.ok_or_else(|| Error::not_served(param.name))
    }

    fn instances(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        let rows = test_and_table(table.object).filter(|(_, name)| !name.is_empty());
        Ok(rows.map_or_else(Vec::new, |(test, name)| {
            test.rows(&ctx.runtime.volatile, name)
        }))
    }

    /// DiagnosticsState may only become Requested; an input write cancels a requested or
    /// running test and forgets a finished one, unless the same SetParameterValues requests
    /// a test.
    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let Some((test, "")) = test_and_table(param.object) else {
            return Err(Error::not_writable(""));
        };
        let path = |name: &str| format!("{}{name}", test.object());
        if param.name == "DiagnosticsState" {
            let state = check_state_write(value.as_str().unwrap_or_default())
                .map_err(|detail| Error::invalid_value("", detail))?;
            tx.set_volatile(path(param.name), Value::from(state.name()));
            self.requested = true;
            return Ok(());
        }
        if !test.inputs().contains(&param.name) {
            return Err(Error::not_writable(""));
        }
        (self.check)(test, param.name, value)?;
        let value = match param.name {
            "Interface" => Value::from(interface_reference(ctx, value.as_str().unwrap_or(""))?),
            _ => value.clone(),
        };
        tx.set_volatile(path(param.name), value);
        let current = test.state(&ctx.runtime.volatile);
        if let Some(next) = state_after_input_write(current, self.requested) {
            tx.set_volatile(path("DiagnosticsState"), Value::from(next.name()));
        }
        Ok(())
    }
}

/// A diagnostics `Interface`: empty (routing decides) or a reference to an existing
/// `Device.IP.Interface.{i}` (9007 otherwise), kept without the trailing dot. The daemon
/// turns it into the Linux device when the test starts.
fn interface_reference(ctx: &mut Context<'_>, path: &str) -> Result<String, Error> {
    if path.is_empty() {
        return Ok(String::new());
    }
    let network = ctx.config.sections(NETWORK_PACKAGE)?;
    let interfaces = IpInterfaces::load(ctx, &network);
    let name = interfaces.name(path)?.to_string();
    Ok(interfaces.path(&name))
}

/// TR-181 lets the CPE refuse active notification on most result parameters.
pub(crate) fn can_deny(def: ParamDef) -> ParamDef {
    def.active_notify(ActiveNotify::CanDeny)
}

/// `DiagnosticsState` with the values an object allows.
pub(crate) fn diagnostics_state(states: &'static [&'static str]) -> ParamDef {
    let states = Type::any_string()
        .enumeration(states)
        .data_type("DiagnosticsState");
    ParamDef::read_write("DiagnosticsState", states)
}

/// `Interface`: a `Device.IP.Interface.{i}` reference, or empty.
pub(crate) fn interface() -> ParamDef {
    ParamDef::read_write("Interface", Type::string(256))
}

pub(crate) fn protocol_version() -> ParamDef {
    ParamDef::read_write(
        "ProtocolVersion",
        Type::any_string().enumeration(&["Any", "IPv4", "IPv6"]),
    )
}

pub(crate) fn dscp() -> ParamDef {
    ParamDef::read_write("DSCP", Type::unsigned_int().range(Some(0), Some(63)))
}

/// A read-only unsignedInt result (a count or a time).
pub(crate) fn unsigned_result(name: &'static str) -> ParamDef {
    ParamDef::read_only(name, Type::unsigned_int())
}

pub(crate) fn address_used() -> ParamDef {
    ParamDef::read_only("IPAddressUsed", Type::string(45).data_type("IPAddress"))
}
