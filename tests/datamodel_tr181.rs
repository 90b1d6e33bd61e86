//! The first TR-181 areas through the engine: exact values, exact faults, exact UCI writes.

use cwmpd::cwmp::fault::Fault;
use cwmpd::cwmp::rpc::{AcsRequest, CpeResponse};
use cwmpd::cwmp::types::{
    DeviceIdStruct, ParameterValueStruct, SetParameterAttributesStruct, XsdType,
};
use cwmpd::datamodel::testing::MemoryConfig;
use cwmpd::datamodel::{ConfigBackend, Context, Engine, InstanceTables, RuntimeValues};
use cwmpd::live::LiveState;
use cwmpd::platform::Paths;
use cwmpd::tr181::{self, SystemInfo};

const BOARD: &str = r#"{
    "model": { "id": "glinet,gl-mt6000", "name": "GL.iNet GL-MT6000" },
    "network": { "lan": { "device": "br-lan", "macaddr": "94:83:c4:00:00:02" } },
    "system": { "label_macaddr": "94:83:c4:a0:b1:c2" }
}"#;

const RELEASE: &str = "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='24.10.0'\n\
DISTRIB_REVISION='r28427-6df0e3d02a'\nDISTRIB_TARGET='mediatek/filogic'\n\
DISTRIB_DESCRIPTION='OpenWrt 24.10.0 r28427-6df0e3d02a'\n";

struct Router {
    paths: Paths,
    config: MemoryConfig,
    runtime: RuntimeValues,
    instances: InstanceTables,
    live: LiveState,
    engine: Engine,
}

impl Router {
    fn new() -> Router {
        let system = SystemInfo::parse(Some(BOARD), Some(RELEASE));
        Router {
            paths: Paths::new("/nonexistent"),
            config: MemoryConfig::with(&[
                ("cwmpd", "acs", "url", "http://acs.example.net:7547/"),
                ("cwmpd", "acs", "username", "cpe"),
                ("cwmpd", "acs", "password", "s3cret"),
                ("cwmpd", "acs", "periodic_enable", "1"),
                ("cwmpd", "acs", "periodic_interval", "3600"),
                ("cwmpd", "cpe", "cr_username", "acs"),
                ("cwmpd", "cpe", "cr_password", "cr-s3cret"),
            ]),
            runtime: RuntimeValues {
                connection_request_url: "http://192.0.2.10:7547/cr".into(),
                parameter_key: "pk-0".into(),
                ..Default::default()
            },
            instances: InstanceTables::new(),
            live: LiveState::default(),
            engine: tr181::engine(system).unwrap(),
        }
    }

    fn run<T>(&mut self, f: impl FnOnce(&mut Engine, &mut Context<'_>) -> T) -> T {
        let mut ctx = Context {
            paths: &self.paths,
            now: 1_795_541_400,
            uptime: 3_725,
            config: &mut self.config,
            runtime: &mut self.runtime,
            instances: &mut self.instances,
            live: &self.live,
        };
        f(&mut self.engine, &mut ctx)
    }

    fn handle(&mut self, request: AcsRequest) -> Result<CpeResponse, Fault> {
        self.run(|engine, ctx| engine.handle(ctx, &request))
            .expect("a data-model RPC")
            .response
    }

    fn gpn(&mut self, path: &str, next_level: bool) -> Result<Vec<(String, bool)>, u32> {
        match self.handle(AcsRequest::GetParameterNames {
            parameter_path: path.into(),
            next_level,
        }) {
            Ok(CpeResponse::GetParameterNamesResponse { parameter_list }) => Ok(parameter_list
                .into_iter()
                .map(|info| (info.name, info.writable))
                .collect()),
            Ok(other) => panic!("unexpected {other:?}"),
            Err(fault) => Err(fault.fault_code),
        }
    }

    fn gpv(&mut self, names: &[&str]) -> Result<Vec<(String, String, XsdType)>, u32> {
        match self.handle(AcsRequest::GetParameterValues {
            parameter_names: names.iter().map(|n| n.to_string()).collect(),
        }) {
            Ok(CpeResponse::GetParameterValuesResponse { parameter_list }) => Ok(parameter_list
                .into_iter()
                .map(|p| (p.name, p.value, p.xsd_type))
                .collect()),
            Ok(other) => panic!("unexpected {other:?}"),
            Err(fault) => Err(fault.fault_code),
        }
    }

    fn value(&mut self, name: &str) -> String {
        self.gpv(&[name]).unwrap().remove(0).1
    }

    fn spv(&mut self, list: &[(&str, &str, XsdType)], key: &str) -> Result<CpeResponse, Fault> {
        self.handle(AcsRequest::SetParameterValues {
            parameter_list: list
                .iter()
                .map(|(name, value, xsd_type)| ParameterValueStruct {
                    name: name.to_string(),
                    value: value.to_string(),
                    xsd_type: xsd_type.clone(),
                })
                .collect(),
            parameter_key: key.into(),
        })
    }

    fn set_notification(&mut self, name: &str, notification: u8) -> Result<(), u32> {
        self.handle(AcsRequest::SetParameterAttributes {
            parameter_list: vec![SetParameterAttributesStruct {
                name: name.into(),
                notification_change: true,
                notification,
                access_list_change: false,
                access_list: vec![],
            }],
        })
        .map(|_| ())
        .map_err(|fault| fault.fault_code)
    }

    fn notification(&mut self, name: &str) -> u8 {
        match self.handle(AcsRequest::GetParameterAttributes {
            parameter_names: vec![name.into()],
        }) {
            Ok(CpeResponse::GetParameterAttributesResponse { parameter_list }) => {
                assert_eq!(parameter_list.len(), 1);
                parameter_list[0].notification
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn owned(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter().map(|(n, w)| (n.to_string(), *w)).collect()
}

#[test]
fn gpn_next_level_on_device() {
    let mut router = Router::new();
    assert_eq!(
        router.gpn("Device.", true),
        Ok(owned(&[
            ("Device.RootDataModelVersion", false),
            ("Device.InterfaceStackNumberOfEntries", false),
            ("Device.DeviceInfo.", false),
            ("Device.Time.", false),
            ("Device.ManagementServer.", false),
            ("Device.DHCPv4.", false),
            ("Device.DNS.", false),
            ("Device.NAT.", false),
            ("Device.Firewall.", false),
            ("Device.IP.", false),
            ("Device.Ethernet.", false),
            ("Device.Bridging.", false),
            ("Device.Routing.", false),
            ("Device.PPP.", false),
            ("Device.WiFi.", false),
            ("Device.Hosts.", false),
            ("Device.InterfaceStack.", false),
        ]))
    );
}

#[test]
fn gpn_next_level_on_management_server() {
    let mut router = Router::new();
    let prefix = "Device.ManagementServer.";
    let expected: Vec<(String, bool)> = [
        ("EnableCWMP", true),
        ("URL", true),
        ("Username", true),
        ("Password", true),
        ("PeriodicInformEnable", true),
        ("PeriodicInformInterval", true),
        ("PeriodicInformTime", true),
        ("ParameterKey", false),
        ("ConnectionRequestURL", false),
        ("ConnectionRequestUsername", true),
        ("ConnectionRequestPassword", true),
        ("UpgradesManaged", true),
        ("DefaultActiveNotificationThrottle", true),
        ("CWMPRetryMinimumWaitInterval", true),
        ("CWMPRetryIntervalMultiplier", true),
        ("HTTPConnectionRequestEnable", true),
        ("AliasBasedAddressing", false),
        ("InstanceMode", true),
        ("SupportedConnReqMethods", false),
        ("InstanceWildcardsSupported", false),
    ]
    .iter()
    .map(|(name, writable)| (format!("{prefix}{name}"), *writable))
    .collect();
    assert_eq!(router.gpn(prefix, true), Ok(expected.clone()));
    let mut whole = vec![(prefix.to_string(), false)];
    whole.extend(expected);
    assert_eq!(router.gpn(prefix, false), Ok(whole));
}

#[test]
fn gpn_on_a_parameter_and_unknown_paths() {
    let mut router = Router::new();
    let url = "Device.ManagementServer.URL";
    assert_eq!(router.gpn(url, false), Ok(owned(&[(url, true)])));
    assert_eq!(router.gpn(url, true), Err(9003));
    assert_eq!(router.gpn("Device.ManagementServer.Nope", false), Err(9005));
    assert_eq!(router.gpn("Device.Nope.", true), Err(9005));
    // The GenieACS discovery request (acs-traces GetParameterNames-1.xml).
    let names = router.gpn("Device.DeviceInfo.", true).unwrap();
    // Ten parameters, then MemoryStatus., ProcessStatus. and TemperatureStatus.
    assert_eq!(names.len(), 13);
    assert_eq!(
        names[0],
        ("Device.DeviceInfo.Manufacturer".to_string(), false)
    );
    assert_eq!(
        names[8],
        ("Device.DeviceInfo.ProvisioningCode".to_string(), true)
    );
}

#[test]
fn gpv_partial_path_device_info() {
    let mut router = Router::new();
    let values = router.gpv(&["Device.DeviceInfo."]).unwrap();
    let s = |name: &str, value: &str| {
        (
            format!("Device.DeviceInfo.{name}"),
            value.to_string(),
            XsdType::String,
        )
    };
    let u = |name: &str, value: &str| {
        (
            format!("Device.DeviceInfo.{name}"),
            value.to_string(),
            XsdType::UnsignedInt,
        )
    };
    assert_eq!(
        values,
        vec![
            s("Manufacturer", "OpenWrt"),
            s("ManufacturerOUI", "9483C4"),
            s("ModelName", "GL.iNet GL-MT6000"),
            s("Description", "OpenWrt 24.10.0 r28427-6df0e3d02a"),
            s("ProductClass", "glinet,gl-mt6000"),
            s("SerialNumber", "9483C4A0B1C2"),
            s("HardwareVersion", "GL.iNet GL-MT6000"),
            s("SoftwareVersion", "24.10.0-r28427-6df0e3d02a"),
            s("ProvisioningCode", ""),
            (
                "Device.DeviceInfo.UpTime".to_string(),
                "3725".to_string(),
                XsdType::UnsignedInt
            ),
            // No live snapshot (no /proc): zeros and empty tables.
            u("MemoryStatus.Total", "0"),
            u("MemoryStatus.Free", "0"),
            u("ProcessStatus.CPUUsage", "0"),
            u("ProcessStatus.ProcessNumberOfEntries", "0"),
            u("TemperatureStatus.TemperatureSensorNumberOfEntries", "0"),
        ]
    );
}

/// The status objects over the test router's recorded `/proc` and `/sys`
/// (`tests/fixtures/system/archer-c7-v5`), gathered as the daemon gathers them.
#[test]
fn gpv_device_info_status_from_recorded_files() {
    let mut router = Router::new();
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/system/archer-c7-v5"
    );
    router.live.system = cwmpd::live::system::gather(&Paths::new(root), None, 1_795_541_400);
    let values = router
        .gpv(&[
            "Device.DeviceInfo.MemoryStatus.",
            "Device.DeviceInfo.ProcessStatus.CPUUsage",
            "Device.DeviceInfo.ProcessStatus.ProcessNumberOfEntries",
            "Device.DeviceInfo.ProcessStatus.Process.6.",
            "Device.DeviceInfo.TemperatureStatus.",
        ])
        .unwrap();
    let prefix = "Device.DeviceInfo.";
    let values: Vec<(&str, &str, XsdType)> = values
        .iter()
        .map(|(name, value, xsd)| (&name[prefix.len()..], value.as_str(), xsd.clone()))
        .collect();
    use XsdType::{Boolean, DateTime, Int, String as Text, UnsignedInt as Unsigned};
    let sensor = |name: &str| format!("TemperatureStatus.TemperatureSensor.1.{name}");
    let (s_alias, s_enable, s_status) = (sensor("Alias"), sensor("Enable"), sensor("Status"));
    let (s_name, s_value, s_lastupdate) = (sensor("Name"), sensor("Value"), sensor("LastUpdate"));
    assert_eq!(
        values,
        vec![
            ("MemoryStatus.Total", "121852", Unsigned),
            ("MemoryStatus.Free", "58316", Unsigned),
            ("ProcessStatus.CPUUsage", "11", Unsigned),
            ("ProcessStatus.ProcessNumberOfEntries", "9", Unsigned),
            ("ProcessStatus.Process.6.PID", "1467", Unsigned),
            (
                "ProcessStatus.Process.6.Command",
                "/usr/sbin/hostapd -s -g /var/run/hostapd/global",
                Text
            ),
            ("ProcessStatus.Process.6.Size", "2080", Unsigned),
            ("ProcessStatus.Process.6.Priority", "20", Unsigned),
            ("ProcessStatus.Process.6.CPUTime", "3950", Unsigned),
            ("ProcessStatus.Process.6.State", "Sleeping", Text),
            (
                "TemperatureStatus.TemperatureSensorNumberOfEntries",
                "1",
                Unsigned
            ),
            (s_enable.as_str(), "true", Boolean),
            (s_status.as_str(), "Enabled", Text),
            (s_alias.as_str(), "cpe-1", Text),
            (s_name.as_str(), "ath10k_hwmon temp1", Text),
            (s_value.as_str(), "53", Int),
            (s_lastupdate.as_str(), "2026-11-24T17:30:00Z", DateTime),
        ]
    );
}

#[test]
fn gpv_management_server_reads_config_runtime_and_hides_passwords() {
    let mut router = Router::new();
    let values = router.gpv(&["Device.ManagementServer."]).unwrap();
    let get = |name: &str| {
        values
            .iter()
            .find(|(n, _, _)| n == &format!("Device.ManagementServer.{name}"))
            .map(|(_, v, t)| (v.as_str(), t.clone()))
            .unwrap()
    };
    assert_eq!(get("EnableCWMP"), ("true", XsdType::Boolean));
    assert_eq!(
        get("URL"),
        ("http://acs.example.net:7547/", XsdType::String)
    );
    assert_eq!(get("Username"), ("cpe", XsdType::String));
    assert_eq!(get("Password"), ("", XsdType::String));
    assert_eq!(
        get("PeriodicInformInterval"),
        ("3600", XsdType::UnsignedInt)
    );
    assert_eq!(
        get("PeriodicInformTime"),
        ("0001-01-01T00:00:00Z", XsdType::DateTime)
    );
    assert_eq!(get("ParameterKey"), ("pk-0", XsdType::String));
    assert_eq!(
        get("ConnectionRequestURL"),
        ("http://192.0.2.10:7547/cr", XsdType::String)
    );
    assert_eq!(get("ConnectionRequestPassword"), ("", XsdType::String));
    assert_eq!(
        get("CWMPRetryMinimumWaitInterval"),
        ("5", XsdType::UnsignedInt)
    );
    assert_eq!(
        get("CWMPRetryIntervalMultiplier"),
        ("2000", XsdType::UnsignedInt)
    );
    assert_eq!(get("SupportedConnReqMethods"), ("HTTP", XsdType::String));
    assert_eq!(get("AliasBasedAddressing"), ("true", XsdType::Boolean));
    assert_eq!(get("InstanceMode"), ("InstanceNumber", XsdType::String));
    assert_eq!(
        get("InstanceWildcardsSupported"),
        ("true", XsdType::Boolean)
    );
    assert_eq!(get("InstanceMode"), ("InstanceNumber", XsdType::String));
    assert_eq!(values.len(), 20);
}

#[test]
fn spv_management_server_writes_uci_and_answers_status_0() {
    let mut router = Router::new();
    let response = router.spv(
        &[
            (
                "Device.ManagementServer.URL",
                "https://acs.example.org/cwmp",
                XsdType::String,
            ),
            ("Device.ManagementServer.Password", "n3w", XsdType::String),
            (
                "Device.ManagementServer.PeriodicInformInterval",
                "300",
                XsdType::UnsignedInt,
            ),
            (
                "Device.ManagementServer.PeriodicInformEnable",
                "false",
                XsdType::Boolean,
            ),
            (
                "Device.ManagementServer.PeriodicInformTime",
                "2026-11-24T18:30:00+01:00",
                XsdType::DateTime,
            ),
            (
                "Device.ManagementServer.ConnectionRequestUsername",
                "acs2",
                XsdType::Other(String::new()),
            ),
            (
                "Device.ManagementServer.CWMPRetryIntervalMultiplier",
                "1500",
                XsdType::UnsignedInt,
            ),
            (
                "Device.DeviceInfo.ProvisioningCode",
                "ABCD.EFGH",
                XsdType::String,
            ),
            (
                "Device.ManagementServer.InstanceMode",
                "InstanceNumber",
                XsdType::String,
            ),
        ],
        "pk-1",
    );
    assert_eq!(
        response,
        Ok(CpeResponse::SetParameterValuesResponse { status: 0 })
    );
    let committed = |section: &str, option: &str| {
        router
            .config
            .committed("cwmpd", section, option)
            .map(str::to_string)
    };
    assert_eq!(
        committed("acs", "url").as_deref(),
        Some("https://acs.example.org/cwmp")
    );
    assert_eq!(committed("acs", "password").as_deref(), Some("n3w"));
    assert_eq!(
        committed("acs", "periodic_interval").as_deref(),
        Some("300")
    );
    assert_eq!(committed("acs", "periodic_enable").as_deref(), Some("0"));
    assert_eq!(
        committed("acs", "periodic_time").as_deref(),
        Some("2026-11-24T17:30:00Z")
    );
    assert_eq!(committed("cpe", "cr_username").as_deref(), Some("acs2"));
    assert_eq!(
        committed("acs", "retry_multiplier").as_deref(),
        Some("1500")
    );
    assert_eq!(
        committed("cpe", "provisioning_code").as_deref(),
        Some("ABCD.EFGH")
    );
    assert_eq!(router.config.commits, vec!["cwmpd".to_string()]);
    assert_eq!(router.runtime.parameter_key, "pk-1");
    assert_eq!(router.value("Device.ManagementServer.ParameterKey"), "pk-1");
    assert_eq!(router.value("Device.ManagementServer.Password"), "");
    assert_eq!(
        router.value("Device.ManagementServer.PeriodicInformTime"),
        "2026-11-24T17:30:00Z"
    );
    assert_eq!(
        router.value("Device.DeviceInfo.ProvisioningCode"),
        "ABCD.EFGH"
    );
}

#[test]
fn spv_effects_name_the_changed_package_and_the_key() {
    let mut router = Router::new();
    let request = AcsRequest::SetParameterValues {
        parameter_list: vec![ParameterValueStruct {
            name: "Device.ManagementServer.UpgradesManaged".into(),
            value: "1".into(),
            xsd_type: XsdType::Boolean,
        }],
        parameter_key: "pk-9".into(),
    };
    let outcome = router
        .run(|engine, ctx| engine.handle(ctx, &request))
        .unwrap();
    assert_eq!(outcome.effects.changed_packages, vec!["cwmpd".to_string()]);
    assert_eq!(outcome.effects.parameter_key.as_deref(), Some("pk-9"));
    assert_eq!(
        router.config.committed("cwmpd", "acs", "upgrades_managed"),
        Some("1")
    );
}

#[test]
fn spv_one_bad_parameter_among_good_ones_changes_nothing() {
    let mut router = Router::new();
    let fault = router
        .spv(
            &[
                (
                    "Device.ManagementServer.PeriodicInformInterval",
                    "600",
                    XsdType::UnsignedInt,
                ),
                ("Device.ManagementServer.Bogus", "1", XsdType::String),
                (
                    "Device.ManagementServer.CWMPRetryMinimumWaitInterval",
                    "true",
                    XsdType::Boolean,
                ),
                (
                    "Device.ManagementServer.CWMPRetryIntervalMultiplier",
                    "999",
                    XsdType::UnsignedInt,
                ),
                ("Device.ManagementServer.ParameterKey", "x", XsdType::String),
                ("Device.DeviceInfo.UpTime", "1", XsdType::UnsignedInt),
                (
                    "Device.ManagementServer.URL",
                    "ftp://acs.example.org/",
                    XsdType::String,
                ),
                (
                    "Device.ManagementServer.InstanceMode",
                    "InstanceNames",
                    XsdType::String,
                ),
            ],
            "pk-2",
        )
        .unwrap_err();
    assert_eq!(fault.fault_code, 9003);
    let entries: Vec<(&str, u32)> = fault
        .set_parameter_values_faults
        .iter()
        .map(|e| (e.parameter_name.as_str(), e.fault_code))
        .collect();
    assert_eq!(
        entries,
        vec![
            ("Device.ManagementServer.Bogus", 9005),
            ("Device.ManagementServer.CWMPRetryMinimumWaitInterval", 9006),
            ("Device.ManagementServer.CWMPRetryIntervalMultiplier", 9007),
            ("Device.ManagementServer.ParameterKey", 9008),
            ("Device.DeviceInfo.UpTime", 9008),
            ("Device.ManagementServer.URL", 9007),
            ("Device.ManagementServer.InstanceMode", 9007),
        ]
    );
    assert!(router.config.commits.is_empty());
    assert_eq!(
        router.config.committed("cwmpd", "acs", "periodic_interval"),
        Some("3600")
    );
    assert_eq!(router.runtime.parameter_key, "pk-0");
}

#[test]
fn spv_periodic_inform_interval_zero_is_9007() {
    // What GenieACS 1.2.16 sends (acs-traces/genieacs-1.2.16/SetParameterValues-1.xml).
    let mut router = Router::new();
    let fault = router
        .spv(
            &[(
                "Device.ManagementServer.PeriodicInformInterval",
                "0",
                XsdType::UnsignedInt,
            )],
            "",
        )
        .unwrap_err();
    assert_eq!(fault.fault_code, 9003);
    assert_eq!(fault.set_parameter_values_faults.len(), 1);
    let entry = &fault.set_parameter_values_faults[0];
    assert_eq!(
        entry.parameter_name,
        "Device.ManagementServer.PeriodicInformInterval"
    );
    assert_eq!(entry.fault_code, 9007);
    assert!(router.config.commits.is_empty());
}

#[test]
fn attributes_on_uptime_and_periodic_inform_interval() {
    let mut router = Router::new();
    assert_eq!(
        router.set_notification("Device.DeviceInfo.UpTime", 2),
        Err(9009)
    );
    assert_eq!(router.notification("Device.DeviceInfo.UpTime"), 0);
    let interval = "Device.ManagementServer.PeriodicInformInterval";
    assert_eq!(router.set_notification(interval, 2), Ok(()));
    assert_eq!(router.notification(interval), 2);
    // forceEnabled / forceDefaultEnabled defaults (TR-181 activeNotify).
    assert_eq!(router.notification("Device.DeviceInfo.SoftwareVersion"), 2);
    assert_eq!(
        router.notification("Device.ManagementServer.ConnectionRequestURL"),
        2
    );
    assert_eq!(
        router.set_notification("Device.DeviceInfo.SoftwareVersion", 0),
        Err(9009)
    );
    assert_eq!(
        router.set_notification("Device.ManagementServer.ParameterKey", 2),
        Err(9009)
    );
}

#[test]
fn value_change_polling() {
    let mut router = Router::new();
    let interval = "Device.ManagementServer.PeriodicInformInterval";
    router.set_notification(interval, 1).unwrap();
    let first = router
        .run(|engine, ctx| engine.poll_value_changes(ctx))
        .unwrap();
    assert!(first.changed.is_empty());
    // Changed locally (e.g. LuCI): passive notification, no session needed.
    router
        .config
        .set("cwmpd", "acs", "periodic_interval", "7200")
        .unwrap();
    router.config.commit("cwmpd").unwrap();
    let second = router
        .run(|engine, ctx| engine.poll_value_changes(ctx))
        .unwrap();
    assert!(!second.active);
    assert_eq!(
        second.changed,
        vec![ParameterValueStruct {
            name: interval.into(),
            value: "7200".into(),
            xsd_type: XsdType::UnsignedInt,
        }]
    );
    // The WAN address changed: ConnectionRequestURL is forceDefaultEnabled → active.
    router.runtime.connection_request_url = "http://198.51.100.7:7547/cr".into();
    let third = router
        .run(|engine, ctx| engine.poll_value_changes(ctx))
        .unwrap();
    assert!(third.active);
    assert_eq!(third.changed.len(), 1);
    assert_eq!(
        third.changed[0].name,
        "Device.ManagementServer.ConnectionRequestURL"
    );
    // Changed by the ACS: no notification.
    router
        .spv(&[(interval, "900", XsdType::UnsignedInt)], "pk-3")
        .unwrap();
    let fourth = router
        .run(|engine, ctx| engine.poll_value_changes(ctx))
        .unwrap();
    assert!(fourth.changed.is_empty());
    // The ParameterKey changed too, but it is canDeny and off by default.
    assert_eq!(router.value("Device.ManagementServer.ParameterKey"), "pk-3");
}

#[test]
fn forced_inform_parameters() {
    let mut router = Router::new();
    let inform = router
        .run(|engine, ctx| engine.inform_parameters(ctx))
        .unwrap();
    let pairs: Vec<(&str, &str, XsdType)> = inform
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str(), p.xsd_type.clone()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("Device.RootDataModelVersion", "2.19", XsdType::String),
            (
                "Device.DeviceInfo.HardwareVersion",
                "GL.iNet GL-MT6000",
                XsdType::String
            ),
            (
                "Device.DeviceInfo.SoftwareVersion",
                "24.10.0-r28427-6df0e3d02a",
                XsdType::String
            ),
            ("Device.DeviceInfo.ProvisioningCode", "", XsdType::String),
            (
                "Device.ManagementServer.ParameterKey",
                "pk-0",
                XsdType::String
            ),
            (
                "Device.ManagementServer.ConnectionRequestURL",
                "http://192.0.2.10:7547/cr",
                XsdType::String
            ),
            (
                "Device.ManagementServer.AliasBasedAddressing",
                "true",
                XsdType::Boolean
            ),
        ]
    );
}

#[test]
fn device_id_uses_board_values_and_config_overrides() {
    let mut router = Router::new();
    let id = router.run(tr181::device_id).unwrap();
    assert_eq!(
        id,
        DeviceIdStruct {
            manufacturer: "OpenWrt".into(),
            oui: "9483C4".into(),
            product_class: "glinet,gl-mt6000".into(),
            serial_number: "9483C4A0B1C2".into(),
        }
    );
    for (option, value) in [
        ("manufacturer", "ACME"),
        ("oui", "00a0c9"),
        ("product_class", "HGW"),
        ("serial", "ACME-0001"),
    ] {
        router.config.set("cwmpd", "cpe", option, value).unwrap();
    }
    router.config.commit("cwmpd").unwrap();
    let id = router.run(tr181::device_id).unwrap();
    assert_eq!(
        id,
        DeviceIdStruct {
            manufacturer: "ACME".into(),
            oui: "00A0C9".into(),
            product_class: "HGW".into(),
            serial_number: "ACME-0001".into(),
        }
    );
}

#[test]
fn one_rpc_reads_the_cwmpd_package_options_once() {
    let mut router = Router::new();
    router.gpv(&["Device."]).unwrap();
    // DeviceInfo reads 5 cpe options, ManagementServer its 14 mapped options and
    // instance_mode (InstanceMode), UDPEchoConfig its 5 udpecho options: once each.
    assert_eq!(router.config.gets, 5 + 14 + 1 + 5);
}

const PING: &str = "Device.IP.Diagnostics.IPPing.";

fn ping(name: &str) -> String {
    format!("{PING}{name}")
}

#[test]
fn ip_ping_defaults_requested_and_only_requested_is_writable() {
    let mut router = Router::new();
    assert_eq!(router.value(&ping("DiagnosticsState")), "None");
    assert_eq!(router.value(&ping("NumberOfRepetitions")), "3");
    assert_eq!(router.value(&ping("SuccessCount")), "0");
    let (host, state) = (ping("Host"), ping("DiagnosticsState"));
    let status = router.spv(
        &[
            (&state, "Requested", XsdType::String),
            (&host, "192.0.2.1", XsdType::String),
        ],
        "k1",
    );
    assert!(matches!(
        status,
        Ok(CpeResponse::SetParameterValuesResponse { status: 0 })
    ));
    // Requested in the same SetParameterValues as an input: the input does not cancel it.
    assert_eq!(router.value(&state), "Requested");
    assert_eq!(router.value(&host), "192.0.2.1");
    assert!(router.config.commits.is_empty(), "nothing goes to UCI");
    for refused in ["None", "Complete", "Error_Internal"] {
        let fault = router
            .spv(&[(&state, refused, XsdType::String)], "")
            .unwrap_err();
        assert_eq!(fault.fault_code, 9003);
        assert_eq!(fault.set_parameter_values_faults[0].fault_code, 9007);
    }
    let fault = router
        .spv(&[(&ping("SuccessCount"), "1", XsdType::UnsignedInt)], "")
        .unwrap_err();
    assert_eq!(fault.set_parameter_values_faults[0].fault_code, 9008);
    let fault = router
        .spv(&[(&ping("DSCP"), "64", XsdType::UnsignedInt)], "")
        .unwrap_err();
    assert_eq!(fault.set_parameter_values_faults[0].fault_code, 9007);
    assert_eq!(router.value(&state), "Requested");
}

#[test]
fn ip_ping_input_change_cancels_a_requested_test() {
    let mut router = Router::new();
    let state = ping("DiagnosticsState");
    router
        .spv(&[(&state, "Requested", XsdType::String)], "")
        .unwrap();
    router
        .spv(&[(&ping("Timeout"), "500", XsdType::UnsignedInt)], "")
        .unwrap();
    assert_eq!(router.value(&state), "None");
    assert_eq!(router.value(&ping("Timeout")), "500");
    // Input first, then Requested, in one request: the test is requested.
    router
        .spv(
            &[
                (&ping("Host"), "::1", XsdType::String),
                (&state, "Requested", XsdType::String),
            ],
            "",
        )
        .unwrap();
    assert_eq!(router.value(&state), "Requested");
}

#[test]
fn ns_lookup_results_table_follows_the_last_test() {
    use cwmpd::diagnostics::ns_lookup::{LookupResult, NsLookupResults};
    use cwmpd::diagnostics::DiagnosticsState;
    let mut router = Router::new();
    let object = "Device.DNS.Diagnostics.NSLookupDiagnostics.";
    assert_eq!(router.gpn(&format!("{object}Result."), true), Ok(vec![]));
    let row = |address: &str| LookupResult {
        status: "Success",
        answer_type: "Authoritative",
        host_name_returned: "www.test".into(),
        ip_addresses: vec![address.into(), "fd00::1".into()],
        dns_server_ip: "10.0.0.53".into(),
        response_time_ms: 2,
    };
    NsLookupResults {
        state: DiagnosticsState::Complete,
        results: vec![row("192.0.2.1"), row("192.0.2.2")],
    }
    .write(&mut router.runtime.volatile);
    assert_eq!(
        router.gpn(&format!("{object}Result."), true),
        Ok(owned(&[
            (&format!("{object}Result.1."), false),
            (&format!("{object}Result.2."), false),
        ]))
    );
    assert_eq!(
        router.value(&format!("{object}Result.2.IPAddresses")),
        "192.0.2.2,fd00::1"
    );
    assert_eq!(router.value(&format!("{object}ResultNumberOfEntries")), "2");
    assert_eq!(router.value(&format!("{object}SuccessCount")), "2");
    assert_eq!(
        router.value(&format!("{object}DiagnosticsState")),
        "Complete"
    );
    // A new input forgets the finished test's state; the results stay until the next test.
    router
        .spv(
            &[(&format!("{object}HostName"), "other.test", XsdType::String)],
            "",
        )
        .unwrap();
    assert_eq!(router.value(&format!("{object}DiagnosticsState")), "None");
    assert_eq!(router.value(&format!("{object}ResultNumberOfEntries")), "2");
    assert_eq!(
        router.gpv(&[&format!("{object}Result.3.Status")]),
        Err(9005)
    );
    // Each repetition is a row kept in memory: at most 1000.
    let reps = format!("{object}NumberOfRepetitions");
    let fault = router
        .spv(&[(&reps, "1001", XsdType::UnsignedInt)], "")
        .unwrap_err();
    assert_eq!(fault.set_parameter_values_faults[0].fault_code, 9007);
    router
        .spv(&[(&reps, "1000", XsdType::UnsignedInt)], "")
        .unwrap();
}

#[test]
fn trace_route_hops_table_and_its_own_state() {
    use cwmpd::diagnostics::trace_route::{Hop, TraceRouteResults};
    use cwmpd::diagnostics::DiagnosticsState;
    let mut router = Router::new();
    let object = "Device.IP.Diagnostics.TraceRoute.";
    assert_eq!(router.value(&format!("{object}MaxHopCount")), "30");
    assert_eq!(
        router.value("Device.IP.Diagnostics.IPv6TraceRouteSupported"),
        "true"
    );
    assert_eq!(
        router.value("Device.IP.Diagnostics.IPv4UDPEchoDiagnosticsSupported"),
        "true"
    );
    assert_eq!(
        router.value("Device.IP.Diagnostics.IPLayerCapacitySupported"),
        "false"
    );
    TraceRouteResults {
        state: DiagnosticsState::ErrorMaxHopCountExceeded,
        ip_address_used: "10.0.0.1".into(),
        response_time_ms: 0,
        hops: vec![Hop {
            host: "10.0.0.254".into(),
            host_address: "10.0.0.254".into(),
            error_code: 0,
            rt_times: vec![1, 2],
        }],
    }
    .write(&mut router.runtime.volatile);
    assert_eq!(
        router.gpn(&format!("{object}RouteHops."), true),
        Ok(owned(&[(&format!("{object}RouteHops.1."), false)]))
    );
    assert_eq!(router.value(&format!("{object}RouteHops.1.RTTimes")), "1,2");
    assert_eq!(
        router.value(&format!("{object}DiagnosticsState")),
        "Error_MaxHopCountExceeded"
    );
    // IPPing is another test: writing its inputs leaves TraceRoute alone.
    router
        .spv(
            &[("Device.IP.Diagnostics.IPPing.Host", "::1", XsdType::String)],
            "",
        )
        .unwrap();
    assert_eq!(
        router.value(&format!("{object}DiagnosticsState")),
        "Error_MaxHopCountExceeded"
    );
    let fault = router
        .spv(
            &[(&format!("{object}MaxHopCount"), "65", XsdType::UnsignedInt)],
            "",
        )
        .unwrap_err();
    assert_eq!(fault.set_parameter_values_faults[0].fault_code, 9007);
}

/// A router with two network interfaces: Device.IP.Interface.1 is `lan`, .2 `wan`.
fn router_with_interfaces() -> Router {
    let mut router = Router::new();
    for (name, device) in [("lan", "br-lan"), ("wan", "eth0.2")] {
        router
            .config
            .add_section("network", "interface", name)
            .unwrap();
        router
            .config
            .set("network", name, "device", device)
            .unwrap();
    }
    router.config.commit("network").unwrap();
    router
}

#[test]
fn download_inputs_are_checked_and_results_read_back_with_microseconds() {
    use cwmpd::diagnostics::throughput::{ConnectionResult, Direction, ThroughputResults};
    use cwmpd::diagnostics::DiagnosticsState;
    let mut router = router_with_interfaces();
    let d = |name: &str| format!("Device.IP.Diagnostics.DownloadDiagnostics.{name}");
    assert_eq!(router.value(&d("DownloadTransports")), "HTTP");
    assert_eq!(router.value(&d("DownloadDiagnosticMaxConnections")), "8");
    assert_eq!(router.value(&d("BOMTime")), "0001-01-01T00:00:00Z");
    let set = |router: &mut Router, name: &str, value: &str, xsd: XsdType| {
        router.spv(&[(&d(name), value, xsd)], "")
    };
    // A reference is kept without its trailing dot; one to no interface is 9007.
    set(
        &mut router,
        "Interface",
        "Device.IP.Interface.2.",
        XsdType::String,
    )
    .unwrap();
    assert_eq!(router.value(&d("Interface")), "Device.IP.Interface.2");
    for (name, refused, xsd) in [
        ("Interface", "Device.IP.Interface.3", XsdType::String),
        ("Interface", "eth0", XsdType::String),
        ("DownloadURL", "ftp://files.example/f", XsdType::String),
        ("DownloadURL", "https://files.example/f", XsdType::String),
        ("NumberOfConnections", "9", XsdType::UnsignedInt),
        ("TimeBasedTestDuration", "1000", XsdType::UnsignedInt),
    ] {
        let fault = set(&mut router, name, refused, xsd).unwrap_err();
        assert_eq!(
            fault.set_parameter_values_faults[0].fault_code, 9007,
            "{refused}"
        );
    }
    let url = "http://files.example:8080/10MB.bin";
    set(&mut router, "DownloadURL", url, XsdType::String).unwrap();
    set(
        &mut router,
        "DiagnosticsState",
        "Requested",
        XsdType::String,
    )
    .unwrap();
    // An input written while requested cancels the test.
    set(&mut router, "DSCP", "10", XsdType::UnsignedInt).unwrap();
    assert_eq!(router.value(&d("DiagnosticsState")), "None");
    let connection = ConnectionResult {
        tcp_open_request: 1_795_541_400_000_001,
        tcp_open_response: 1_795_541_400_000_400,
        rom: 1_795_541_400_000_500,
        bom: 1_795_541_400_001_000,
        eom: 1_795_541_401_500_000,
        test_bytes: 10_485_807,
        ..ConnectionResult::default()
    };
    ThroughputResults {
        state: DiagnosticsState::Complete,
        ip_address_used: "192.0.2.10".into(),
        connections: vec![connection],
        per_connection_results: true,
        ..ThroughputResults::default()
    }
    .write(
        cwmpd::diagnostics::download::OBJECT,
        Direction::Download,
        &mut router.runtime.volatile,
    );
    let values = router
        .gpv(&["Device.IP.Diagnostics.DownloadDiagnostics."])
        .unwrap();
    let get = |name: &str| {
        let (_, value, xsd) = values.iter().find(|(path, ..)| *path == d(name)).unwrap();
        (value.as_str(), xsd.clone())
    };
    assert_eq!(
        get("ROMTime"),
        ("2026-11-24T17:30:00.000500Z", XsdType::DateTime)
    );
    assert_eq!(
        get("TestBytesReceived"),
        ("10485807", XsdType::UnsignedLong)
    );
    assert_eq!(
        get("PerConnectionResult.1.EOMTime").0,
        "2026-11-24T17:30:01.500000Z"
    );
    assert!(values
        .iter()
        .all(|(path, ..)| !path.contains("IncrementalResult.1.")));
}

#[test]
fn udp_echo_config_lives_in_cwmpds_package() {
    let mut router = router_with_interfaces();
    let c = |name: &str| format!("Device.IP.Diagnostics.UDPEchoConfig.{name}");
    assert_eq!(router.value(&c("Enable")), "false");
    assert_eq!(router.value(&c("UDPPort")), "7");
    assert_eq!(router.value(&c("EchoPlusSupported")), "true");
    assert_eq!(router.value(&c("PacketsReceived")), "0");
    assert_eq!(
        router.value(&c("TimeLastPacketReceived")),
        "0001-01-01T00:00:00Z"
    );
    router
        .spv(
            &[
                (&c("Enable"), "true", XsdType::Boolean),
                (&c("Interface"), "Device.IP.Interface.2", XsdType::String),
                (&c("SourceIPAddress"), "192.0.2.7", XsdType::String),
                (&c("UDPPort"), "8007", XsdType::UnsignedInt),
                (&c("EchoPlusEnabled"), "1", XsdType::Boolean),
            ],
            "echo",
        )
        .unwrap();
    for (option, value) in [
        ("enable", "1"),
        ("interface", "wan"),
        ("source_ip", "192.0.2.7"),
        ("port", "8007"),
        ("echo_plus", "1"),
    ] {
        let stored = router.config.get("cwmpd", "udpecho", option).unwrap();
        assert_eq!(stored.as_deref(), Some(value), "{option}");
    }
    assert_eq!(router.value(&c("Interface")), "Device.IP.Interface.2");
    for (name, refused, xsd) in [
        ("UDPPort", "0", XsdType::UnsignedInt),
        ("UDPPort", "65536", XsdType::UnsignedInt),
        ("SourceIPAddress", "not-an-address", XsdType::String),
        ("Interface", "Device.IP.Interface.9", XsdType::String),
        ("PacketsReceived", "1", XsdType::UnsignedInt),
    ] {
        let fault = router.spv(&[(&c(name), refused, xsd)], "").unwrap_err();
        let expected = if name == "PacketsReceived" {
            9008
        } else {
            9007
        };
        assert_eq!(
            fault.set_parameter_values_faults[0].fault_code, expected,
            "{name}"
        );
    }
}

#[test]
fn udp_echo_rows_read_back_and_server_selection_checks_its_host_list() {
    use cwmpd::diagnostics::echo_plus::EchoPlus;
    use cwmpd::diagnostics::ip_ping::PingStats;
    use cwmpd::diagnostics::udp_echo::{PacketResult, UdpEchoResults};
    use cwmpd::diagnostics::DiagnosticsState;
    let mut router = router_with_interfaces();
    let echo = |name: &str| format!("Device.IP.Diagnostics.UDPEchoDiagnostics.{name}");
    let select = |name: &str| format!("Device.IP.Diagnostics.ServerSelectionDiagnostics.{name}");
    assert_eq!(router.value(&echo("Port")), "7");
    assert_eq!(router.value(&select("Protocol")), "ICMP");
    let mut stats = PingStats::default();
    stats.add(Some(250));
    let packet = PacketResult {
        send_time: 1_795_541_400_000_000,
        receive_time: Some(1_795_541_400_000_250),
        test_gen_sn: 1,
        answer: EchoPlus {
            test_gen_sn: 1,
            test_resp_sn: 9,
            ..EchoPlus::default()
        },
    };
    UdpEchoResults {
        state: DiagnosticsState::Complete,
        ip_address_used: "192.0.2.10".into(),
        stats,
        packets: vec![packet],
    }
    .write(&mut router.runtime.volatile);
    assert_eq!(
        router.gpn(&echo("IndividualPacketResult."), true),
        Ok(owned(&[(&echo("IndividualPacketResult.1."), false)]))
    );
    let row = |name: &str| echo(&format!("IndividualPacketResult.1.{name}"));
    assert_eq!(router.value(&row("TestRespSN")), "9");
    assert_eq!(
        router.value(&row("PacketReceiveTime")),
        "2026-11-24T17:30:00.000250Z"
    );
    assert_eq!(router.value(&echo("AverageResponseTime")), "250");
    assert_eq!(router.gpv(&[&row("Nonexistent")]), Err(9005));
    // An input of one test leaves the other's state alone; its own it resets.
    let eleven = ["h"; 11].join(",");
    let ten = ["h"; 10].join(",");
    let fault = router
        .spv(&[(&select("HostList"), &eleven, XsdType::String)], "")
        .unwrap_err();
    assert_eq!(fault.set_parameter_values_faults[0].fault_code, 9007);
    router
        .spv(&[(&select("HostList"), &ten, XsdType::String)], "")
        .unwrap();
    assert_eq!(router.value(&echo("DiagnosticsState")), "Complete");
    router
        .spv(
            &[(
                &echo("Interface"),
                "Device.IP.Interface.1.",
                XsdType::String,
            )],
            "",
        )
        .unwrap();
    assert_eq!(router.value(&echo("Interface")), "Device.IP.Interface.1");
    assert_eq!(router.value(&echo("DiagnosticsState")), "None");
    for (path, refused) in [
        (echo("DiagnosticsState"), "Complete"),
        (select("Interface"), "Device.IP.Interface.3"),
        (
            "Device.IP.Diagnostics.UploadDiagnostics.UploadURL".to_string(),
            "ftp://files.example/up",
        ),
    ] {
        let fault = router
            .spv(&[(&path, refused, XsdType::String)], "")
            .unwrap_err();
        assert_eq!(
            fault.set_parameter_values_faults[0].fault_code, 9007,
            "{path}"
        );
    }
}
