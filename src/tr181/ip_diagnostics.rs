//! `Device.IP.Diagnostics.` (TR-181 Device:2): the diagnostics tests under IP, starting with
//! `IPPing.`. Inputs and results are kept in the daemon's memory (the engine's volatile
//! values); writing `DiagnosticsState = Requested` makes the daemon run the test after the
//! session (see `crate::diagnostics`), which then reports "8 DIAGNOSTICS COMPLETE".

use super::ip_interface::{IpInterfaces, IP_INTERFACE_TABLE, NETWORK_PACKAGE};
use super::netifd_interface::interface_sections;
use crate::datamodel::{
    ActiveNotify, Area, AreaView, Context, Error, InstanceTables, ObjectDef, ObjectRef, ParamDef,
    ParamRef, Transaction, Type, Value,
};
use crate::diagnostics::ip_ping::{self, INPUTS};
use crate::diagnostics::state::{check_state_write, state_after_input_write, DiagnosticsState};
use crate::diagnostics::trace_route::{self, ROUTE_HOPS};

/// What `Device.IP.Diagnostics.` says cwmpd supports (TR-181 2.19): everything but the
/// IP Layer Capacity test (TR-471).
const SUPPORTED: &[(&str, bool)] = &[
    ("IPv4PingSupported", true),
    ("IPv6PingSupported", true),
    ("IPv4TraceRouteSupported", true),
    ("IPv6TraceRouteSupported", true),
    ("IPv4DownloadDiagnosticsSupported", true),
    ("IPv6DownloadDiagnosticsSupported", true),
    ("IPv4UploadDiagnosticsSupported", true),
    ("IPv6UploadDiagnosticsSupported", true),
    ("IPv4UDPEchoDiagnosticsSupported", true),
    ("IPv6UDPEchoDiagnosticsSupported", true),
    ("IPLayerCapacitySupported", false),
    ("IPv4ServerSelectionDiagnosticsSupported", true),
    ("IPv6ServerSelectionDiagnosticsSupported", true),
];

/// `Device.IP.` and `Device.IP.Diagnostics.` (only the diagnostics so far).
pub struct IpDiagnosticsArea;

/// A result parameter (read-only; TR-181 marks most of them activeNotify=canDeny).
fn result(name: &'static str, can_deny: bool) -> ParamDef {
    let def = ParamDef::read_only(name, Type::unsigned_int());
    match can_deny {
        true => def.active_notify(ActiveNotify::CanDeny),
        false => def,
    }
}

impl Area for IpDiagnosticsArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let diagnostics_state = Type::any_string()
            .enumeration(ip_ping::STATES)
            .data_type("DiagnosticsState");
        vec![
            // The IP interfaces themselves are `tr181/ip.rs`'s; the engine lets one area
            // declare an object, and this one (the first under Device.IP.) declares Device.IP.
            ObjectDef::new("Device.IP.").param(ParamDef::read_only(
                "InterfaceNumberOfEntries",
                Type::unsigned_int(),
            )),
            SUPPORTED.iter().fold(
                ObjectDef::new("Device.IP.Diagnostics."),
                |object, (name, _)| object.param(ParamDef::read_only(name, Type::boolean())),
            ),
            ObjectDef::new(ip_ping::OBJECT)
                .param(ParamDef::read_write("DiagnosticsState", diagnostics_state))
                .param(ParamDef::read_write("Interface", Type::string(256)))
                .param(ParamDef::read_write(
                    "ProtocolVersion",
                    Type::any_string().enumeration(&["Any", "IPv4", "IPv6"]),
                ))
                .param(ParamDef::read_write("Host", Type::string(256)))
                .param(ParamDef::read_write(
                    "NumberOfRepetitions",
                    Type::unsigned_int().range(Some(1), None),
                ))
                .param(ParamDef::read_write(
                    "Timeout",
                    Type::unsigned_int().range(Some(1), None),
                ))
                .param(ParamDef::read_write(
                    "DataBlockSize",
                    Type::unsigned_int().range(Some(1), Some(65535)),
                ))
                .param(ParamDef::read_write(
                    "DSCP",
                    Type::unsigned_int().range(Some(0), Some(63)),
                ))
                .param(ParamDef::read_only(
                    "IPAddressUsed",
                    Type::string(45).data_type("IPAddress"),
                ))
                .param(result("SuccessCount", true))
                .param(result("FailureCount", true))
                .param(result("AverageResponseTime", true))
                .param(result("MinimumResponseTime", true))
                .param(result("MaximumResponseTime", false))
                .param(result("AverageResponseTimeDetailed", true))
                .param(result("MinimumResponseTimeDetailed", true))
                .param(result("MaximumResponseTimeDetailed", false)),
            trace_route_object(),
            trace_route_hops(),
        ]
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        Ok(Box::new(IpDiagnosticsView { requested: false }))
    }
}

/// `Device.IP.Diagnostics.TraceRoute.` (TR-181 2.19).
fn trace_route_object() -> ObjectDef {
    let diagnostics_state = Type::any_string()
        .enumeration(trace_route::STATES)
        .data_type("DiagnosticsState");
    ObjectDef::new(trace_route::OBJECT)
        .param(ParamDef::read_write("DiagnosticsState", diagnostics_state))
        .param(ParamDef::read_write("Interface", Type::string(256)))
        .param(ParamDef::read_write(
            "ProtocolVersion",
            Type::any_string().enumeration(&["Any", "IPv4", "IPv6"]),
        ))
        .param(ParamDef::read_write("Host", Type::string(256)))
        .param(ParamDef::read_write(
            "NumberOfTries",
            Type::unsigned_int().range(Some(1), Some(3)),
        ))
        .param(ParamDef::read_write(
            "Timeout",
            Type::unsigned_int().range(Some(1), None),
        ))
        .param(ParamDef::read_write(
            "DataBlockSize",
            Type::unsigned_int().range(Some(1), Some(65535)),
        ))
        .param(ParamDef::read_write(
            "DSCP",
            Type::unsigned_int().range(Some(0), Some(63)),
        ))
        .param(ParamDef::read_write(
            "MaxHopCount",
            Type::unsigned_int().range(Some(1), Some(64)),
        ))
        .param(result("RouteHopsNumberOfEntries", true))
        .param(ParamDef::read_only(
            "IPAddressUsed",
            Type::string(45).data_type("IPAddress"),
        ))
        .param(result("ResponseTime", true))
}

/// `…TraceRoute.RouteHops.{i}.`
fn trace_route_hops() -> ObjectDef {
    let can_deny = |def: ParamDef| def.active_notify(ActiveNotify::CanDeny);
    ObjectDef::new(ROUTE_HOPS)
        .without_alias()
        .param(can_deny(ParamDef::read_only("Host", Type::string(256))))
        .param(can_deny(ParamDef::read_only(
            "HostAddress",
            Type::any_string(),
        )))
        .param(result("ErrorCode", true))
        .param(ParamDef::read_only("RTTimes", Type::unsigned_int().list()))
}

struct IpDiagnosticsView {
    /// This SetParameterValues requests a test: input writes in it do not cancel.
    requested: bool,
}

impl AreaView for IpDiagnosticsView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        if param.object == "Device.IP." {
            // Every `interface` section is one Device.IP.Interface.{i} (see ip.rs).
            let network = ctx.config.sections(NETWORK_PACKAGE)?;
            let count = interface_sections(&network).len();
            return Ok(Value::Unsigned(count as u64));
        }
        if param.object == "Device.IP.Diagnostics." {
            let supported = SUPPORTED.iter().find(|(name, _)| *name == param.name);
            return supported
                .map(|(_, yes)| Value::Boolean(*yes))
                .ok_or_else(|| Error::not_served(param.name));
        }
        let values = &ctx.runtime.volatile;
        let value = match (param.object, param.instances) {
            (ROUTE_HOPS, [hop]) => Some(trace_route::hop_value(values, *hop, param.name)),
            (trace_route::OBJECT, _) => trace_route::value(values, param.name),
            _ => ip_ping::value(values, param.name),
        };
        value.ok_or_else(|| Error::not_served(param.name))
    }

    fn instances(
        &mut self,
        ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(trace_route::hop_instances(&ctx.runtime.volatile))
    }

    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let values = &ctx.runtime.volatile;
        let test = match param.object {
            trace_route::OBJECT => DiagnosticsWrite {
                object: trace_route::OBJECT,
                inputs: trace_route::INPUTS,
                current: trace_route::state(values),
            },
            _ => DiagnosticsWrite {
                object: ip_ping::OBJECT,
                inputs: INPUTS,
                current: ip_ping::state(values),
            },
        };
        test.stage(ctx, &mut self.requested, param.name, value, tx)
    }
}

/// A write to a diagnostics object (any of TR-181's): DiagnosticsState may only become
/// Requested; an input write cancels a requested or running test and forgets a finished one,
/// unless the same SetParameterValues requests a test.
pub(crate) struct DiagnosticsWrite {
    pub object: &'static str,
    pub inputs: &'static [&'static str],
    pub current: DiagnosticsState,
}

impl DiagnosticsWrite {
    /// Stage the write of `name`; `requested` remembers, across one RPC, that it requested.
    pub fn stage(
        &self,
        ctx: &mut Context<'_>,
        requested: &mut bool,
        name: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let path = |name: &str| format!("{}{name}", self.object);
        if name == "Interface" {
            let reference = interface_reference(ctx, value.as_str().unwrap_or_default())?;
            return self.stage_input(requested, name, &Value::from(reference), tx);
        }
        if name == "DiagnosticsState" {
            let state = check_state_write(value.as_str().unwrap_or_default())
                .map_err(|detail| Error::invalid_value("", detail))?;
            tx.set_volatile(path(name), Value::from(state.name()));
            *requested = true;
            return Ok(());
        }
        self.stage_input(requested, name, value, tx)
    }

    fn stage_input(
        &self,
        requested: &mut bool,
        name: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let path = |name: &str| format!("{}{name}", self.object);
        if !self.inputs.contains(&name) {
            return Err(Error::not_writable(""));
        }
        tx.set_volatile(path(name), value.clone());
        if let Some(next) = state_after_input_write(self.current, *requested) {
            tx.set_volatile(path("DiagnosticsState"), Value::from(next.name()));
        }
        Ok(())
    }
}

/// A diagnostics `Interface`: empty (routing decides) or a reference to an existing
/// `Device.IP.Interface.{i}` (9007 otherwise), kept without the trailing dot. The daemon
/// turns it into the Linux device when the test starts.
pub(crate) fn interface_reference(ctx: &mut Context<'_>, path: &str) -> Result<String, Error> {
    if path.is_empty() {
        return Ok(String::new());
    }
    let network = ctx.config.sections(NETWORK_PACKAGE)?;
    let interfaces = IpInterfaces::load(ctx, &network);
    let name = interfaces.name(path)?.to_string();
    Ok(interfaces.path(&name))
}

/// The netifd interface (UCI `network` section) a diagnostics `Interface` reference names,
/// from the instance numbers of `Device.IP.Interface.{i}`.
pub fn referenced_interface(instances: &InstanceTables, reference: &str) -> Option<String> {
    let number = reference
        .strip_prefix("Device.IP.Interface.")?
        .trim_end_matches('.')
        .parse::<u32>()
        .ok()?;
    let table = instances.get(IP_INTERFACE_TABLE)?;
    table.key_of(number).map(str::to_string)
}
