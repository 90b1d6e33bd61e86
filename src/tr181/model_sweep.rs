//! A sweep over every writable parameter and table the engine serves, on two routers with
//! every area populated (the 23.05 swconfig test router with its ubus and `/proc` recordings,
//! a 24.10 DSA router with PPPoE): hostile SetParameterValues, write-back of current values,
//! GetParameterValues/Names of `Device.`, AddObject + DeleteObject. The rules checked are the
//! team's: bad input gets the right fault (TR-069 A.3.2.1: 9003 with a 9005–9008 per
//! parameter), never a panic or an internal error, and the UCI files stay byte for byte as they
//! were; what is accepted is stored as valid UCI and reads back exactly.

use std::collections::HashMap;

use crate::backend::test_router::{fixture, Router, NOW};
use crate::backend::uci::UciFile;
use crate::cwmp::fault::Fault;
use crate::cwmp::rpc::{AcsRequest, CpeResponse};
use crate::cwmp::types::{ParameterValueStruct, XsdType};
use crate::datamodel::{BaseType, ParamDef, Type};
use crate::live::net::{Link, Route};
use crate::live::services::dhcp::test_router_leases;
use crate::live::services::netifd::test_router as netifd_of_the_test_router;
use crate::live::services::wireless::test_router_state;
use crate::platform::Paths;
use crate::tr181::{self, SystemInfo};

/// Every package the areas write.
const PACKAGES: [&str; 6] = ["cwmpd", "system", "network", "dhcp", "firewall", "wireless"];

/// Rows the stock files lack, so that every table has an instance to write to.
const EXTRA_NETWORK: &str = "
config route 'office'
\toption interface 'lan'
\toption target '10.0.0.0'
\toption netmask '255.0.0.0'
\toption gateway '192.168.1.2'

config route6
\toption interface 'lan'
\toption target '2001:db8:1::/48'
\toption gateway 'fd12:3456:789a::2'
";

const EXTRA_DHCP: &str = "
config host
\toption name 'printer'
\tlist mac '00:11:22:33:44:55'
\toption ip '192.168.1.20'
";

const EXTRA_FIREWALL: &str = "
config redirect
\toption dest 'lan'
\toption target 'DNAT'
\toption name 'nas-https'
\tlist proto 'tcp'
\toption src 'wan'
\toption src_dport '8443'
\toption dest_ip '192.168.1.10'
\toption dest_port '443'
";

fn append(router: &Router, package: &str, extra: &str) {
    let text = router.file(package);
    router.write_file(package, &format!("{text}{extra}"));
}

/// The 23.05 Archer C7 of `tests/support/fixtures.rs` with its recorded netifd, hostapd,
/// iwinfo, dnsmasq and `/proc` state.
fn archer_23_05() -> Router {
    let mut router = crate::tr181::vlan_termination::tests::archer();
    for (package, name) in [
        ("cwmpd", "cwmpd"),
        ("system", "system-23.05"),
        ("dhcp", "dhcp-23.05-stock"),
        ("firewall", "firewall-23.05-stock"),
    ] {
        router.write_file(package, &fixture(name));
    }
    append(&router, "network", EXTRA_NETWORK);
    append(&router, "dhcp", EXTRA_DHCP);
    append(&router, "firewall", EXTRA_FIREWALL);
    let live = &mut router.live;
    live.services.available = true;
    live.services.netifd = netifd_of_the_test_router();
    live.services.wireless = test_router_state(NOW);
    live.services.dhcp = test_router_leases();
    let system = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/system/archer-c7-v5");
    live.system = crate::live::system::gather(&Paths::new(system), None, NOW);
    router
}

/// A 24.10 DSA router (PPPoE WAN, three LAN ports) with kernel links and routes but no ubus.
fn dsa_24_10() -> Router {
    let mut router = Router::new(&[
        ("cwmpd", "cwmpd"),
        ("system", "system-24.10"),
        ("network", "network-24.10"),
        ("dhcp", "dhcp-24.10"),
        ("firewall", "firewall-24.10"),
        ("wireless", "wireless-24.10"),
    ])
    .with_system(crate::tr181::ethernet::tests::dsa_board());
    append(&router, "network", EXTRA_NETWORK);
    let mut live = crate::tr181::ethernet::tests::dsa_live();
    live.net.links.push(Link {
        index: 9,
        name: "pppoe-wan".into(),
        kind: "ppp".into(),
        admin_up: true,
        oper_state: "unknown".into(),
        ..Link::default()
    });
    live.net.routes = vec![Route {
        destination: "0.0.0.0".parse().unwrap(),
        prefix_len: 0,
        gateway: Some("203.0.113.1".parse().unwrap()),
        out_link: Some(9),
        metric: 0,
        protocol: 4,
        kind: 1,
    }];
    router.live = live;
    router
}

fn routers() -> Vec<(&'static str, Router)> {
    vec![("23.05", archer_23_05()), ("24.10", dsa_24_10())]
}

type Files = Vec<(&'static str, String)>;

fn files(router: &Router) -> Files {
    PACKAGES.iter().map(|p| (*p, router.file(p))).collect()
}

fn restore(router: &Router, files: &Files) {
    for (package, text) in files {
        router.write_file(package, text);
    }
}

/// The declared parameters by path pattern (`Device.IP.Interface.{i}.Enable`).
fn declared() -> HashMap<String, ParamDef> {
    tr181::engine(SystemInfo::default())
        .unwrap()
        .declared_parameters()
        .map(|p| (p.path, p.def.clone()))
        .collect()
}

fn pattern_of(name: &str) -> String {
    name.split('.')
        .map(
            |part| match !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                true => "{i}",
                false => part,
            },
        )
        .collect::<Vec<_>>()
        .join(".")
}

fn def_of<'d>(declared: &'d HashMap<String, ParamDef>, name: &str) -> &'d ParamDef {
    declared
        .get(&pattern_of(name))
        .unwrap_or_else(|| panic!("{name} is not declared"))
}

/// Every writable parameter instance the router serves.
fn writable_parameters(router: &mut Router) -> Vec<String> {
    router
        .gpn("Device.", false)
        .unwrap()
        .into_iter()
        .filter(|(name, writable)| *writable && !name.ends_with('.'))
        .map(|(name, _)| name)
        .collect()
}

fn spv_typed(router: &mut Router, name: &str, value: &str, xsd: XsdType) -> Result<u8, Fault> {
    let request = AcsRequest::SetParameterValues {
        parameter_list: vec![ParameterValueStruct {
            name: name.to_string(),
            value: value.to_string(),
            xsd_type: xsd,
        }],
        parameter_key: "sweep".into(),
    };
    match router.handle(request)? {
        CpeResponse::SetParameterValuesResponse { status } => Ok(status),
        other => panic!("unexpected {other:?}"),
    }
}

/// The hostile values tried on a parameter of type `ty`.
fn hostile_values(ty: &Type) -> Vec<String> {
    let mut values: Vec<String> = [
        "",
        "line\nbreak",
        "nul\0byte",
        "carriage\rreturn",
        "it's",
        "say \"hi\" \\ back",
        "$(reboot)",
        "`reboot`; reboot #",
        "NoSuchEnumerationValue",
        "Device.NoSuchObject.1",
        "Device.IP.Interface.999",
        "Device.IP.Interface.1,Device.IP.Interface.999",
        " padded ",
        "ünïcødé ✓",
        "true",
        "-1",
        "1.5",
        "abc",
        "4294967296",
        "-2147483649",
        "99999999999999999999999999",
        "2026-13-45T99:00:00Z",
    ]
    .iter()
    .map(|v| v.to_string())
    .collect();
    values.push("x".repeat(70 * 1024));
    if let Some((min, max)) = ty.numeric_range() {
        values.push((min - 1).to_string());
        values.push((max + 1).to_string());
        values.push(min.to_string());
        values.push(max.to_string());
    }
    for (min, max) in ty.size.iter() {
        if let Some(min) = min.filter(|m| *m > 0) {
            values.push("y".repeat(min as usize - 1));
        }
        if let Some(max) = max {
            values.push("z".repeat(*max as usize + 1));
            values.push("z".repeat(*max as usize));
        }
    }
    values
}

/// An `xsi:type` that does not suit `ty` (TR-069 A.3.2.1: 9006).
fn wrong_xsd(ty: &Type) -> XsdType {
    match ty.xsd_type() {
        XsdType::String => XsdType::Int,
        _ => XsdType::String,
    }
}

/// The value GetParameterValues must show after `value` was accepted.
fn canonical(ty: &Type, value: &str) -> String {
    match ty.base {
        BaseType::String => value.to_string(),
        _ => ty.parse(value).expect("accepted").to_lexical(),
    }
}

/// Writes that read back differently by design, and where that is documented.
fn reads_back_differently(name: &str, value: &str) -> Option<&'static str> {
    let last = name.rsplit('.').next().unwrap_or_default();
    match (last, value) {
        // TR-181: a command parameter "always returns false when read".
        ("Reset" | "Renew", _) => Some("command parameters read false (TR-181)"),
        // The rest are in each area's mapping table (`writing empty removes the option`).
        (_, "") if last.starts_with("NTPServer") => Some("time.rs: later servers move up"),
        ("LocalTimeZone", "") => Some("time.rs: no timezone is UTC"),
        ("DNSServers" | "IPRouters" | "DomainName", "") => {
            Some("dhcpv4.rs: dnsmasq offers its own address and domain")
        }
        ("InternalPort", "0") => Some("nat.rs: no dest_port is the external port"),
        ("DestSubnetMask", "") => Some("routing.rs: no netmask is /32"),
        _ => None,
    }
}

/// Faults a rejected write may carry per parameter.
const PARAMETER_FAULTS: [u32; 5] = [9001, 9005, 9006, 9007, 9008];

struct Outcome {
    problems: Vec<String>,
    attempts: usize,
    accepted: usize,
}

fn check_rejection(fault: &Fault, name: &str, value_shown: &str, problems: &mut Vec<String>) {
    let details: Vec<(String, u32)> = fault
        .set_parameter_values_faults
        .iter()
        .map(|f| (f.parameter_name.clone(), f.fault_code))
        .collect();
    let well_formed = fault.fault_code == 9003
        && details.len() == 1
        && details[0].0 == name
        && PARAMETER_FAULTS.contains(&details[0].1);
    if !well_formed {
        problems.push(format!(
            "{name} = {value_shown}: fault {} {details:?} ({})",
            fault.fault_code, fault.fault_string
        ));
    }
}

fn shown(value: &str) -> String {
    match value.len() > 40 {
        true => format!("<{} chars>", value.chars().count()),
        false => format!("{value:?}"),
    }
}

fn check_files_are_uci(router: &Router, name: &str, value: &str, problems: &mut Vec<String>) {
    for package in PACKAGES {
        if let Err(error) = UciFile::parse(package, &router.file(package)) {
            problems.push(format!(
                "{name} = {}: /etc/config/{package} no longer parses: {error}",
                shown(value)
            ));
        }
    }
}

/// One SetParameterValues of `value` into `name`; on success the value must read back and the
/// files be valid UCI; on failure the fault must be well formed and the files untouched.
#[allow(clippy::too_many_arguments)]
fn try_write(
    router: &mut Router,
    originals: &Files,
    def: &ParamDef,
    name: &str,
    value: &str,
    xsd: XsdType,
    outcome: &mut Outcome,
) {
    outcome.attempts += 1;
    let typed_ok = def.ty.accepts_xsd(&xsd) && def.ty.parse(value).is_ok();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        spv_typed(router, name, value, xsd.clone())
    }));
    let problems = &mut outcome.problems;
    match result {
        Err(_) => problems.push(format!("{name} = {}: panicked", shown(value))),
        Ok(Err(fault)) => {
            check_rejection(&fault, name, &shown(value), problems);
            if &files(router) != originals {
                problems.push(format!(
                    "{name} = {}: rejected but files changed",
                    shown(value)
                ));
            }
        }
        Ok(Ok(status)) => {
            outcome.accepted += 1;
            if !typed_ok {
                problems.push(format!(
                    "{name} = {} ({xsd:?}): accepted a value its type refuses",
                    shown(value)
                ));
            } else {
                check_accepted(router, def, name, value, status, problems);
            }
            restore(router, originals);
        }
    }
}

fn check_accepted(
    router: &mut Router,
    def: &ParamDef,
    name: &str,
    value: &str,
    status: u8,
    problems: &mut Vec<String>,
) {
    if status > 1 {
        problems.push(format!("{name} = {}: status {status}", shown(value)));
    }
    check_files_are_uci(router, name, value, problems);
    if def.hidden || reads_back_differently(name, value).is_some() {
        return;
    }
    let expected = canonical(&def.ty, value);
    match router.gpv(&[name]) {
        Ok(read) if read.len() == 1 && read[0].1 == expected => {}
        Ok(read) => problems.push(format!(
            "{name} = {}: reads back {}",
            shown(value),
            shown(&read.first().map(|r| r.1.clone()).unwrap_or_default())
        )),
        Err(code) => problems.push(format!(
            "{name} = {}: GPV after the write faults {code}",
            shown(value)
        )),
    }
}

fn report(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}: {} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn hostile_writes_are_refused_cleanly_or_stored_exactly() {
    let declared = declared();
    let mut outcome = Outcome {
        problems: Vec::new(),
        attempts: 0,
        accepted: 0,
    };
    let mut parameters = 0;
    for (release, mut router) in routers() {
        let originals = files(&router);
        for name in writable_parameters(&mut router) {
            parameters += 1;
            let def = def_of(&declared, &name);
            for value in hostile_values(&def.ty) {
                let xsd = def.ty.xsd_type();
                try_write(
                    &mut router,
                    &originals,
                    def,
                    &name,
                    &value,
                    xsd,
                    &mut outcome,
                );
            }
            let current = router.value(&name);
            let xsd = wrong_xsd(&def.ty);
            try_write(
                &mut router,
                &originals,
                def,
                &name,
                &current,
                xsd,
                &mut outcome,
            );
        }
        let _ = release;
    }
    eprintln!(
        "sweep: {parameters} writable parameters, {} writes, {} accepted",
        outcome.attempts, outcome.accepted
    );
    report("hostile writes", &outcome.problems);
}
