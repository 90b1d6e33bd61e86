//! Every object and parameter cwmpd exposes, checked against the official TR-181 Device:2.19
//! index (`shared/bbf/tr181-device2.tsv`, generated from the BBF XML): path, kind, type, named
//! data type, list-ness, access, string sizes, numeric ranges, enumerations and the
//! forcedInform / activeNotify / hidden flags. Any deviation fails, naming the path.

use std::collections::HashMap;
use std::path::PathBuf;

use cwmpd::backend::uci_config::UciConfig;
use cwmpd::datamodel::{Context, DeclaredParameter, Engine, InstanceTables, RuntimeValues, Type};
use cwmpd::platform::Paths;
use cwmpd::tr181::{self, SystemInfo};

/// Deliberate differences from TR-181, each with its reason. Keep this empty when possible.
const DOCUMENTED_DEVIATIONS: &[(&str, &str)] = &[
    (
        "Device.Time.NTPServer1",
        "deleted in Device:2.19 (Time.Client.{i}.Servers replaces it); served as in 2.18 because ACSs still set it",
    ),
    ("Device.Time.NTPServer2", "as NTPServer1"),
    ("Device.Time.NTPServer3", "as NTPServer1"),
    ("Device.Time.NTPServer4", "as NTPServer1"),
    ("Device.Time.NTPServer5", "as NTPServer1"),
];

fn is_documented_deviation(path: &str) -> bool {
    DOCUMENTED_DEVIATIONS
        .iter()
        .any(|(deviation, _)| *deviation == path)
}

/// The index lives in `shared/bbf/` beside the repository (in CI: `<repo>/../shared`); from
/// a worktree nested deeper, look further up.
fn tsv_path() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("shared/bbf/tr181-device2.tsv"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("shared/bbf/tr181-device2.tsv not found above {manifest:?}"))
}

struct Row {
    columns: HashMap<String, String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        self.columns.get(column).map(String::as_str).unwrap_or("")
    }

    fn flags(&self) -> Vec<&str> {
        self.get("flags")
            .split(',')
            .filter(|flag| !flag.is_empty())
            .collect()
    }
}

fn load_index() -> HashMap<String, Row> {
    let text = std::fs::read_to_string(tsv_path()).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split('\t')
        .map(str::to_string)
        .collect();
    assert_eq!(header[0], "path");
    lines
        .map(|line| {
            let columns: HashMap<String, String> = header
                .iter()
                .cloned()
                .zip(line.split('\t').map(str::to_string))
                .collect();
            (columns["path"].clone(), Row { columns })
        })
        .collect()
}

fn test_engine() -> Engine {
    let board = r#"{"model":{"id":"test,board","name":"Test Board"},
        "system":{"label_macaddr":"02:00:00:00:00:01"},
        "network":{"lan":{"ports":["lan1","lan2","lan3"]},"wan":{"device":"wan"}}}"#;
    tr181::engine(SystemInfo::parse(
        Some(board),
        Some("DISTRIB_RELEASE='24.10.0'"),
    ))
    .unwrap()
}

/// `min..max` with empty sides, as the TSV writes sizes and ranges.
fn facet<T: ToString>(limits: Option<(Option<T>, Option<T>)>) -> String {
    match limits {
        None => String::new(),
        Some((min, max)) => format!(
            "{}..{}",
            min.map(|v| v.to_string()).unwrap_or_default(),
            max.map(|v| v.to_string()).unwrap_or_default()
        ),
    }
}

/// The TSV `list` column's total-length facet, e.g. `list size[..64]` → `Some(64)`.
fn list_max_len(list: &str) -> Option<u32> {
    let size = list.split("size[..").nth(1)?;
    size.split(']').next()?.parse().ok()
}

fn check_parameter(param: &DeclaredParameter<'_>, row: &Row) -> Vec<String> {
    let def = param.def;
    let ty: &Type = &def.ty;
    let mut problems = Vec::new();
    let mut expect = |what: &str, ours: String, theirs: &str| {
        if ours != theirs {
            problems.push(format!("{what}: cwmpd {ours:?}, TR-181 {theirs:?}"));
        }
    };
    expect("kind", "parameter".into(), row.get("kind"));
    expect("status", "current".into(), row.get("status"));
    expect("type", ty.base.tr106_name().into(), row.get("type"));
    expect(
        "datatype",
        ty.data_type.unwrap_or_default().into(),
        row.get("datatype"),
    );
    expect("access", def.access.tr106_name().into(), row.get("access"));
    expect("size", facet(ty.size), row.get("size"));
    expect("range", facet(ty.range), row.get("range"));
    expect(
        "list",
        ty.list.to_string(),
        &row.get("list").starts_with("list").to_string(),
    );
    expect(
        "list size",
        format!("{:?}", ty.list_max_len),
        &format!("{:?}", list_max_len(row.get("list"))),
    );
    let flags = row.flags();
    expect(
        "forcedInform",
        def.forced_inform.to_string(),
        &flags.contains(&"forcedInform").to_string(),
    );
    let active_notify = flags
        .iter()
        .find_map(|flag| flag.strip_prefix("activeNotify="))
        .unwrap_or("normal");
    expect(
        "activeNotify",
        def.active_notify.tr106_name().unwrap_or("normal").into(),
        active_notify,
    );
    let hidden = flags.contains(&"hidden") || flags.contains(&"secured");
    expect("hidden", def.hidden.to_string(), &hidden.to_string());
    problems.extend(check_enumeration(ty, row.get("enumeration")));
    problems
}

/// Our enumeration must be a subset of TR-181's and hold every value TR-181 requires (values
/// marked optional, deprecated or obsoleted may be left out).
fn check_enumeration(ty: &Type, theirs: &str) -> Vec<String> {
    let values: Vec<(&str, bool)> = theirs
        .split('|')
        .filter(|value| !value.is_empty())
        .map(|value| match value.split_once('(') {
            Some((name, _)) => (name, false),
            None => (value, true),
        })
        .collect();
    let mut problems = Vec::new();
    for ours in ty.enumeration {
        if !values.iter().any(|(name, _)| name == ours) {
            problems.push(format!("enumeration value {ours:?} is not in TR-181"));
        }
    }
    for (name, required) in &values {
        if *required && !ty.enumeration.contains(name) {
            problems.push(format!("enumeration lacks required value {name:?}"));
        }
    }
    problems
}

#[test]
fn every_declared_parameter_matches_tr181() {
    let index = load_index();
    let engine = test_engine();
    let mut problems = Vec::new();
    let mut checked = 0;
    for param in engine.declared_parameters() {
        if is_documented_deviation(&param.path) {
            continue;
        }
        checked += 1;
        match index.get(&param.path) {
            None => problems.push(format!("{}: not in TR-181 Device:2.19", param.path)),
            Some(row) => problems.extend(
                check_parameter(&param, row)
                    .into_iter()
                    .map(|problem| format!("{}: {problem}", param.path)),
            ),
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    assert!(checked >= 75, "only {checked} parameters checked");
}

#[test]
fn every_declared_object_matches_tr181() {
    let index = load_index();
    let engine = test_engine();
    let mut problems = Vec::new();
    for object in engine.declared_objects() {
        let Some(row) = index.get(object.path) else {
            problems.push(format!("{}: not in TR-181 Device:2.19", object.path));
            continue;
        };
        let kind = if object.multi_instance {
            "multi-object"
        } else {
            "object"
        };
        if row.get("kind") != kind {
            problems.push(format!(
                "{}: kind {kind}, TR-181 {}",
                object.path,
                row.get("kind")
            ));
        }
        if row.get("access") != object.access.tr106_name() {
            problems.push(format!(
                "{}: access {}, TR-181 {}",
                object.path,
                object.access.tr106_name(),
                row.get("access")
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Replace instance numbers with `{i}` (`Device.IP.Interface.2.` → `Device.IP.Interface.{i}.`).
fn to_pattern(name: &str) -> String {
    name.split('.')
        .map(
            |segment| match segment.bytes().all(|b| b.is_ascii_digit()) && !segment.is_empty() {
                true => "{i}",
                false => segment,
            },
        )
        .collect::<Vec<_>>()
        .join(".")
}

/// Instances the stock 24.10 fixtures (plus a VLAN) must show (so their paths are checked
/// too).
const INSTANCES_OF_A_STOCK_ROUTER: &[&str] = &[
    "Device.NAT.PortMapping.1.",
    "Device.DHCPv4.Server.Pool.1.",
    "Device.DHCPv4.Server.Pool.2.",
    "Device.DHCPv4.Server.Pool.1.StaticAddress.1.",
    "Device.WiFi.Radio.2.",
    "Device.WiFi.SSID.3.",
    "Device.WiFi.AccessPoint.3.",
    "Device.Ethernet.Interface.4.Stats.",
    "Device.Ethernet.Link.2.Stats.",
    "Device.Bridging.Bridge.1.Port.4.Stats.",
    "Device.Routing.Router.1.",
    "Device.InterfaceStack.1.",
    "Device.Ethernet.VLANTermination.1.Stats.",
];

/// A VLAN for `Device.Ethernet.VLANTermination.1.` (stock 24.10 has none).
const IPTV_VLAN: &str = "
config device 'iptv_vlan'
	option type '8021q'
	option name 'wan.7'
	option ifname 'wan'
	option vid '7'
";

#[test]
fn everything_get_parameter_names_lists_is_in_tr181_with_its_access() {
    let index = load_index();
    let mut engine = test_engine();
    // A stock 24.10 router, so that tables have instances to list.
    let root = tempfile::tempdir().unwrap();
    let config_dir = root.path().join("etc/config");
    std::fs::create_dir_all(&config_dir).unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/uci");
    for package in ["network", "firewall", "dhcp", "system", "wireless"] {
        let fixture = fixtures.join(format!("{package}-24.10"));
        std::fs::copy(fixture, config_dir.join(package)).unwrap();
    }
    let network = config_dir.join("network");
    let stock = std::fs::read_to_string(&network).unwrap();
    std::fs::write(&network, format!("{stock}{IPTV_VLAN}")).unwrap();
    let paths = Paths::new(root.path());
    let mut config = UciConfig::new(&paths);
    let mut runtime = RuntimeValues::default();
    let mut instances = InstanceTables::new();
    let mut ctx = Context {
        paths: &paths,
        now: 0,
        uptime: 0,
        config: &mut config,
        runtime: &mut runtime,
        instances: &mut instances,
        live: &Default::default(),
    };
    let names = engine.get_parameter_names(&mut ctx, "", false).unwrap();
    assert!(names.len() > 30);
    for instance in INSTANCES_OF_A_STOCK_ROUTER {
        assert!(
            names.iter().any(|info| info.name == *instance),
            "{instance} not listed"
        );
    }
    let mut problems = Vec::new();
    for info in &names {
        let pattern = to_pattern(&info.name);
        if is_documented_deviation(&pattern) {
            continue;
        }
        let table_pattern = format!("{pattern}{{i}}.");
        let row = index.get(&pattern).or_else(|| index.get(&table_pattern));
        let Some(row) = row else {
            problems.push(format!("{}: not in TR-181 Device:2.19", info.name));
            continue;
        };
        // Single-instance objects are never writable; tables and their instances are when the
        // ACS may add/delete; parameters when readWrite.
        let writable_in_tr181 = match row.get("kind") {
            "object" => false,
            _ => row.get("access") == "readWrite",
        };
        if info.writable != writable_in_tr181 {
            problems.push(format!(
                "{}: Writable {}, TR-181 access {}",
                info.name,
                info.writable,
                row.get("access")
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_forced_inform_parameter_of_tr181_is_served() {
    let index = load_index();
    let engine = test_engine();
    let declared: Vec<String> = engine.declared_parameters().map(|p| p.path).collect();
    let mut forced: Vec<&String> = index
        .iter()
        .filter(|(_, row)| row.flags().contains(&"forcedInform"))
        .map(|(path, _)| path)
        .collect();
    forced.sort();
    assert_eq!(forced.len(), 7);
    let missing: Vec<&&String> = forced.iter().filter(|p| !declared.contains(p)).collect();
    assert!(
        missing.is_empty(),
        "forcedInform parameters not served: {missing:?}"
    );
}

/// TR-181 gives most tables a `…NumberOfEntries` count on the parent object (the TSV's
/// `numEntriesParameter` flag); every table cwmpd serves must have its count served too.
#[test]
fn every_served_table_has_its_number_of_entries() {
    let index = load_index();
    let engine = test_engine();
    let declared: Vec<String> = engine.declared_parameters().map(|p| p.path).collect();
    let mut missing = Vec::new();
    for object in engine.declared_objects().filter(|o| o.multi_instance) {
        let Some(row) = index.get(object.path) else {
            continue;
        };
        let count = row
            .flags()
            .iter()
            .find_map(|flag| flag.strip_prefix("numEntriesParameter="))
            .map(str::to_string);
        let Some(count) = count else {
            continue;
        };
        let table = object.path.trim_end_matches("{i}.").trim_end_matches('.');
        let parent = &table[..table.rfind('.').map_or(0, |dot| dot + 1)];
        let path = format!("{parent}{count}");
        if !declared.contains(&path) {
            missing.push(path);
        }
    }
    assert!(
        missing.is_empty(),
        "count parameters not served: {missing:?}"
    );
}
