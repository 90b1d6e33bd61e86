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
    // The kernel runs `wan` with the MAC address its UCI device section sets.
    let wan = live.net.links.iter_mut().find(|l| l.name == "wan").unwrap();
    wan.mac = "94:83:c4:01:02:03".into();
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
    ]
    .iter()
    .map(|v| v.to_string())
    .collect();
    // Wrong lexical forms for the other types (a string takes them all alike).
    if ty.base != BaseType::String {
        values.extend(
            [
                "true",
                "-1",
                "1.5",
                "abc",
                "0x10",
                "4294967296",
                "-2147483649",
                "99999999999999999999999999",
                "2026-13-45T99:00:00Z",
                "2026-11-24T17:30:00",
            ]
            .map(String::from),
        );
    }
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

/// Every hostile value into every writable parameter of `router`, one SetParameterValues each.
fn sweep_hostile_writes(release: &str, mut router: Router) {
    let declared = declared();
    let mut outcome = Outcome {
        problems: Vec::new(),
        attempts: 0,
        accepted: 0,
    };
    let originals = files(&router);
    let parameters = writable_parameters(&mut router);
    let mut aliases_swept = std::collections::HashSet::new();
    for name in &parameters {
        // The engine serves every table's Alias the same way: one instance per table will do.
        if name.ends_with(".Alias") && !aliases_swept.insert(pattern_of(name)) {
            continue;
        }
        let def = def_of(&declared, name);
        for value in hostile_values(&def.ty) {
            let xsd = def.ty.xsd_type();
            try_write(
                &mut router,
                &originals,
                def,
                name,
                &value,
                xsd,
                &mut outcome,
            );
        }
        let current = router.value(name);
        let xsd = wrong_xsd(&def.ty);
        try_write(
            &mut router,
            &originals,
            def,
            name,
            &current,
            xsd,
            &mut outcome,
        );
    }
    eprintln!(
        "{release}: {} writable parameters, {} writes, {} accepted",
        parameters.len(),
        outcome.attempts,
        outcome.accepted
    );
    assert!(parameters.len() > 250, "{release}: {}", parameters.len());
    report(release, &outcome.problems);
}

#[test]
fn hostile_writes_on_the_23_05_router_are_refused_cleanly_or_stored_exactly() {
    sweep_hostile_writes("23.05", archer_23_05());
}

#[test]
fn hostile_writes_on_the_24_10_router_are_refused_cleanly_or_stored_exactly() {
    sweep_hostile_writes("24.10", dsa_24_10());
}

/// Write-backs refused by design: TR-181's write-only values. (Rows netifd or the kernel own —
/// learnt DNS servers, DHCP/IPCP and IPv6 addresses, kernel routes — are not in the sweep:
/// GetParameterNames reports them not writable, `AreaView::read_only_instance`.)
fn refused_write_back(name: &str, code: u32) -> Option<&'static str> {
    match code {
        // TR-181: DiagnosticsState is written only as `Requested` (or `Canceled`).
        9007 if name.ends_with(".DiagnosticsState") => Some("DiagnosticsState reads None"),
        _ => None,
    }
}

/// Write-backs that store a constant default explicitly the first time (the ACS set it: it
/// stays even if a later cwmpd or OpenWrt changes the default). Values derived from other
/// configuration or the running system (addresses, MTU, MAC, auto channel, the zone name)
/// are never pinned so: those writes change nothing.
fn stores_a_constant_default(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or_default();
    (name.starts_with("Device.ManagementServer.")
        || name.starts_with("Device.IP.Diagnostics.UDPEchoConfig."))
        || matches!(
            last,
            "Enable" | "IsolationEnable" | "AgingTime" | "LeaseTime" | "LCPEcho" | "LCPEchoRetry"
        )
}

fn changed_packages(router: &Router, originals: &Files) -> Vec<&'static str> {
    files(router)
        .into_iter()
        .zip(originals)
        .filter(|(now, before)| now.1 != before.1)
        .map(|(now, _)| now.0)
        .collect()
}

#[test]
fn writing_back_current_values_changes_nothing() {
    let declared = declared();
    let mut problems = Vec::new();
    let (mut count, mut refused, mut explicit) = (0, 0, 0);
    for (release, mut router) in routers() {
        let originals = files(&router);
        for name in writable_parameters(&mut router) {
            let def = def_of(&declared, &name);
            if def.hidden {
                continue; // reads back empty: writing that back would clear the secret
            }
            count += 1;
            let current = router.value(&name);
            let xsd = def.ty.xsd_type();
            match spv_typed(&mut router, &name, &current, xsd.clone()) {
                Ok(0 | 1) => {}
                Ok(status) => problems.push(format!("{release} {name}: status {status}")),
                Err(fault) => {
                    let code = fault
                        .set_parameter_values_faults
                        .first()
                        .map(|f| f.fault_code);
                    match code.and_then(|code| refused_write_back(&name, code)) {
                        Some(_) => refused += 1,
                        None => problems.push(format!(
                            "{release} {name} = {current:?}: fault {} {code:?}",
                            fault.fault_code
                        )),
                    }
                }
            }
            let changed = changed_packages(&router, &originals);
            if !changed.is_empty() {
                if !stores_a_constant_default(&name) {
                    problems.push(format!(
                        "{release} {name} = {current:?}: rewrote {changed:?}"
                    ));
                }
                explicit += 1;
                // Once explicit, writing it again is a no-op: no file, no service reload.
                let written = files(&router);
                let again = spv_typed(&mut router, &name, &current, xsd);
                if again.is_err()
                    || files(&router) != written
                    || !router.changed_packages.is_empty()
                {
                    problems.push(format!(
                        "{release} {name} = {current:?}: a second write-back changed something"
                    ));
                }
                restore(&router, &originals);
            } else if !router.changed_packages.is_empty() {
                problems.push(format!(
                    "{release} {name}: nothing changed but {:?} would be reloaded",
                    router.changed_packages
                ));
            }
        }
    }
    eprintln!(
        "write-back: {count} parameters, {refused} refused by design, {explicit} defaults stored"
    );
    report("write-back", &problems);
}

/// GetParameterValues of every parameter: `(name, value, xsi:type)`.
fn gpv_typed(router: &mut Router, path: &str) -> Result<Vec<ParameterValueStruct>, Fault> {
    match router.handle(AcsRequest::GetParameterValues {
        parameter_names: vec![path.to_string()],
    })? {
        CpeResponse::GetParameterValuesResponse { parameter_list } => Ok(parameter_list),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn every_value_read_suits_its_declared_type() {
    let declared = declared();
    let mut problems = Vec::new();
    let mut count = 0;
    for (release, mut router) in routers() {
        let all = gpv_typed(&mut router, "Device.").expect("GPV Device.");
        let names = router.gpn("Device.", false).expect("GPN Device.");
        let parameters: Vec<&String> = names
            .iter()
            .map(|(name, _)| name)
            .filter(|name| !name.ends_with('.'))
            .collect();
        let listed: Vec<&String> = all.iter().map(|p| &p.name).collect();
        if listed != parameters {
            problems.push(format!("{release}: GPV and GPN list different parameters"));
        }
        for parameter in &all {
            count += 1;
            let def = def_of(&declared, &parameter.name);
            let (name, value) = (&parameter.name, &parameter.value);
            if parameter.xsd_type != def.ty.xsd_type() {
                problems.push(format!(
                    "{release} {name}: sent as {:?}",
                    parameter.xsd_type
                ));
            }
            let valid = match def.hidden {
                true => value.is_empty(),
                false => def.ty.parse(value).is_ok(),
            };
            if !valid {
                problems.push(format!(
                    "{release} {name} = {}: not a valid value",
                    shown(value)
                ));
            }
        }
        let top = router.gpn("Device.", true).expect("GPN Device. next level");
        let objects: Vec<&String> = names
            .iter()
            .map(|(n, _)| n)
            .filter(|n| n.ends_with('.'))
            .collect();
        for object in objects {
            if let Err(code) = router.gpn(object, true) {
                problems.push(format!("{release} GPN {object} next level: fault {code}"));
            }
        }
        assert!(top.len() > 10, "{release}: {top:?}");
    }
    eprintln!("values: {count}");
    report("values", &problems);
}

/// The tables the ACS may add to, as instantiated on `router` (`Device.NAT.PortMapping.`,
/// `Device.DHCPv4.Server.Pool.1.StaticAddress.`, …).
fn writable_tables(router: &mut Router) -> Vec<String> {
    let patterns: Vec<String> = tr181::engine(SystemInfo::default())
        .unwrap()
        .declared_objects()
        .filter(|o| o.multi_instance && o.access == crate::datamodel::Access::ReadWrite)
        .map(|o| o.path.trim_end_matches("{i}.").to_string())
        .collect();
    let mut objects: Vec<String> = router
        .gpn("Device.", false)
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name.ends_with('.'))
        .collect();
    objects.push("Device.".into());
    let mut tables = Vec::new();
    for pattern in patterns {
        let (parent, last) = pattern
            .trim_end_matches('.')
            .rsplit_once('.')
            .expect("a table under Device.");
        for object in &objects {
            if pattern_of(object) == format!("{parent}.") {
                tables.push(format!("{object}{last}."));
            }
        }
    }
    tables.sort();
    tables.dedup();
    tables
}

/// Tables that refuse AddObject (9001), as their areas document: a bridge port is a device,
/// the rest are rows of an interface's protocol or device, or ones netifd owns (an IP
/// interface's static addresses are written through the interface's `ipaddr`).
fn refused_add(table: &str) -> bool {
    let instance = format!("{table}1.");
    let pattern = pattern_of(&instance);
    pattern == "Device.Bridging.Bridge.{i}.Port.{i}."
        || (refused_delete(&instance) && pattern != "Device.Routing.Router.{i}.IPv4Forwarding.{i}.")
}

#[test]
fn adding_then_deleting_leaves_the_files_as_they_were() {
    let mut problems = Vec::new();
    let mut added = 0;
    let mut refused = Vec::new();
    for (release, mut router) in routers() {
        let originals = files(&router);
        let tables = writable_tables(&mut router);
        assert!(tables.len() >= 8, "{release}: {tables:?}");
        for table in tables {
            let number = match router.add(&table) {
                Ok(number) => number,
                Err(code) => {
                    if code != 9001 || !refused_add(&table) {
                        problems.push(format!("{release} add {table}: {code}"));
                    }
                    refused.push(format!("{release} {table}: {code}"));
                    if files(&router) != originals {
                        problems.push(format!("{release} {table}: refused but files changed"));
                        restore(&router, &originals);
                    }
                    continue;
                }
            };
            added += 1;
            let instance = format!("{table}{number}.");
            check_files_are_uci(&router, &instance, "", &mut problems);
            if let Err(code) = router.gpv(&[&instance]) {
                problems.push(format!(
                    "{release} {instance}: GPV of the new instance: {code}"
                ));
            }
            if let Err(code) = router.delete(&instance) {
                problems.push(format!("{release} {instance}: delete: {code}"));
            }
            if files(&router) != originals {
                let changed: Vec<_> = files(&router)
                    .into_iter()
                    .zip(&originals)
                    .filter(|(now, before)| now.1 != before.1)
                    .map(|(now, before)| format!("{}:\n{}\n---\n{}", now.0, before.1, now.1))
                    .collect();
                problems.push(format!(
                    "{release} {instance}: files differ:\n{}",
                    changed.join("\n")
                ));
                restore(&router, &originals);
            }
            if router.gpv(&[&instance]) != Err(9005) {
                problems.push(format!("{release} {instance}: still there after delete"));
            }
        }
    }
    eprintln!("add+delete: {added} tables, refused: {refused:?}");
    report("add then delete", &problems);
}

/// Tables whose existing rows refuse DeleteObject (9001), as their areas document: rows
/// that are an interface's protocol or device, rows netifd or the kernel own.
fn refused_delete(instance: &str) -> bool {
    let pattern = pattern_of(instance);
    // bridging.rs: the management port (Port 1, the bridge device itself).
    if instance.starts_with("Device.Bridging.Bridge.") && instance.ends_with(".Port.1.") {
        return true;
    }
    [
        "Device.DHCPv4.Client.{i}.",
        "Device.DNS.Client.Server.{i}.",
        "Device.DNS.Relay.Forwarding.{i}.",
        "Device.Ethernet.Link.{i}.",
        "Device.Ethernet.VLANTermination.{i}.",
        "Device.IP.Interface.{i}.",
        "Device.IP.Interface.{i}.IPv4Address.{i}.",
        "Device.IP.Interface.{i}.IPv6Address.{i}.",
        "Device.IP.Interface.{i}.IPv6Prefix.{i}.",
        "Device.PPP.Interface.{i}.",
        "Device.Routing.Router.{i}.",
        "Device.Routing.Router.{i}.IPv4Forwarding.{i}.",
    ]
    .contains(&pattern.as_str())
}

#[test]
fn deleting_an_existing_instance_removes_it_cleanly() {
    let mut problems = Vec::new();
    let (mut deleted, mut refused) = (0, 0);
    for (release, mut router) in routers() {
        let tables = writable_tables(&mut router);
        let names: Vec<String> = router
            .gpn("Device.", false)
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        let instances = names.iter().filter(|name| {
            tables.iter().any(|table| {
                name.strip_prefix(table.as_str())
                    .and_then(|rest| rest.strip_suffix('.'))
                    .is_some_and(|n| n.parse::<u32>().is_ok())
            })
        });
        for instance in instances {
            // A fresh router each time: a deleted instance's number is never reused.
            let mut router = routers()
                .into_iter()
                .find(|(r, _)| *r == release)
                .unwrap()
                .1;
            let originals = files(&router);
            match router.delete(instance) {
                Ok(()) => deleted += 1,
                Err(9001) if refused_delete(instance) => {
                    refused += 1;
                    if files(&router) != originals {
                        problems.push(format!("{release} {instance}: refused but files changed"));
                    }
                    continue;
                }
                Err(code) => {
                    problems.push(format!("{release} delete {instance}: {code}"));
                    continue;
                }
            }
            check_files_are_uci(&router, instance, "", &mut problems);
            if router.gpv(&[instance]) != Err(9005) {
                problems.push(format!("{release} {instance}: still there after delete"));
            }
        }
    }
    eprintln!("deleted: {deleted} instances, {refused} refused by design");
    report("delete", &problems);
}
