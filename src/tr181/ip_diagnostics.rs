//! `Device.IP.Diagnostics.` (TR-181 Device:2): the diagnostics tests under IP, starting with
//! `IPPing.`. Inputs and results are kept in the daemon's memory (the engine's volatile
//! values); writing `DiagnosticsState = Requested` makes the daemon run the test after the
//! session (see `crate::diagnostics`), which then reports "8 DIAGNOSTICS COMPLETE".

use super::diagnostics_view::{
    address_used, can_deny, diagnostics_state, dscp, interface, protocol_version, unsigned_result,
    DiagnosticsView,
};
use super::ip_interface::{IP_INTERFACE_TABLE, NETWORK_PACKAGE};
use super::netifd_interface::interface_sections;
use crate::datamodel::{
    Area, AreaView, Context, Error, InstanceTables, ObjectDef, ParamDef, ParamRef, Type, Value,
};
use crate::diagnostics::{ip_ping, trace_route};

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
fn result(name: &'static str, deniable: bool) -> ParamDef {
    let def = unsigned_result(name);
    match deniable {
        true => can_deny(def),
        false => def,
    }
}

impl Area for IpDiagnosticsArea {
    fn schema(&self) -> Vec<ObjectDef> {
        vec![
            // The IP interfaces themselves are `tr181/ip.rs`'s; the engine lets one area
            // declare an object, and this one (the first under Device.IP.) declares Device.IP.
            ObjectDef::new("Device.IP.").param(unsigned_result("InterfaceNumberOfEntries")),
            SUPPORTED.iter().fold(
                ObjectDef::new("Device.IP.Diagnostics."),
                |object, (name, _)| object.param(ParamDef::read_only(name, Type::boolean())),
            ),
            probe_object(
                ip_ping::OBJECT,
                ip_ping::STATES,
                "NumberOfRepetitions",
                None,
            )
            .param(address_used())
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
        let view = DiagnosticsView::new(DiagnosticsView::no_check, ip_and_diagnostics);
        Ok(Box::new(view))
    }
}

/// What IPPing and TraceRoute both take: where to send echo requests from and to, how many
/// (`count`, at most `max_count`), how long to wait for each, their size and DSCP.
fn probe_object(
    object: &'static str,
    states: &'static [&'static str],
    count: &'static str,
    max_count: Option<i128>,
) -> ObjectDef {
    let at_least_one = |max| Type::unsigned_int().range(Some(1), max);
    ObjectDef::new(object)
        .param(diagnostics_state(states))
        .param(interface())
        .param(protocol_version())
        .param(ParamDef::read_write("Host", Type::string(256)))
        .param(ParamDef::read_write(count, at_least_one(max_count)))
        .param(ParamDef::read_write("Timeout", at_least_one(None)))
        .param(ParamDef::read_write(
            "DataBlockSize",
            at_least_one(Some(65535)),
        ))
        .param(dscp())
}

/// `Device.IP.Diagnostics.TraceRoute.` (TR-181 2.19).
fn trace_route_object() -> ObjectDef {
    probe_object(
        trace_route::OBJECT,
        trace_route::STATES,
        "NumberOfTries",
        Some(3),
    )
    .param(ParamDef::read_write(
        "MaxHopCount",
        Type::unsigned_int().range(Some(1), Some(64)),
    ))
    .param(result("RouteHopsNumberOfEntries", true))
    .param(address_used())
    .param(result("ResponseTime", true))
}

/// `…TraceRoute.RouteHops.{i}.`
fn trace_route_hops() -> ObjectDef {
    ObjectDef::new(trace_route::ROUTE_HOPS)
        .without_alias()
        .param(can_deny(ParamDef::read_only("Host", Type::string(256))))
        .param(can_deny(ParamDef::read_only(
            "HostAddress",
            Type::any_string(),
        )))
        .param(result("ErrorCode", true))
        .param(ParamDef::read_only("RTTimes", Type::unsigned_int().list()))
}

/// `Device.IP.InterfaceNumberOfEntries` and the `…Supported` flags of `Device.IP.Diagnostics.`.
fn ip_and_diagnostics(ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
    if param.object == "Device.IP." {
        // Every `interface` section is one Device.IP.Interface.{i} (see ip.rs).
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        let count = interface_sections(&network).len();
        return Ok(Value::Unsigned(count as u64));
    }
    let supported = SUPPORTED.iter().find(|(name, _)| *name == param.name);
    supported
        .map(|(_, yes)| Value::Boolean(*yes))
        .ok_or_else(|| Error::not_served(param.name))
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
