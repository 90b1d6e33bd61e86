//! `tr181-cellular` against a private D-Bus: a `dbus-daemon` of our own, a test service
//! exporting the ModemManager interfaces cwmpd reads (one LTE modem with a SIM and a
//! connected bearer, as ModemManager 1.22 shows a Quectel EC25 on OpenWrt), then
//! `live::cellular::gather` through `DBUS_SYSTEM_BUS_ADDRESS` and `Device.Cellular.` over the
//! real engine and UCI backend, values and writes checked exactly.
//!
//! Run with `cargo test --features tr181-cellular --test cellular_dbus` (`make test` does).
#![cfg(feature = "tr181-cellular")]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use cwmpd::backend::uci_config::UciConfig;
use cwmpd::cwmp::rpc::{AcsRequest, CpeResponse};
use cwmpd::cwmp::types::{ParameterValueStruct, XsdType};
use cwmpd::datamodel::{Context, InstanceTables, RuntimeValues};
use cwmpd::live::cellular::{self, Bearer, Modem, Sim};
use cwmpd::live::LiveState;
use cwmpd::platform::Paths;
use cwmpd::tr181::{self, SystemInfo};
use zbus::interface;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

const MODEM_PATH: &str = "/org/freedesktop/ModemManager1/Modem/0";
const SIM_PATH: &str = "/org/freedesktop/ModemManager1/SIM/0";
const BEARER_PATH: &str = "/org/freedesktop/ModemManager1/Bearer/0";
const DEVICE: &str = "/sys/devices/platform/soc/1e1c0000.xhci/usb1/1-1";

/// A `dbus-daemon` on its own socket, stopped when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    /// `None` when dbus-daemon is not installed (say so; CI installs it).
    fn start() -> Option<Bus> {
        let spawned = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut daemon = match spawned {
            Ok(daemon) => daemon,
            Err(err) if std::env::var_os("CI").is_none() => {
                eprintln!("SKIPPED: dbus-daemon not available ({err})");
                return None;
            }
            Err(err) => panic!("dbus-daemon: {err}"),
        };
        let mut address = String::new();
        let stdout = daemon.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut address).unwrap();
        Some(Bus {
            daemon,
            address: address.trim().to_string(),
        })
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

fn path(text: &str) -> OwnedObjectPath {
    OwnedObjectPath::try_from(text).unwrap()
}

struct TestModem;

#[interface(name = "org.freedesktop.ModemManager1.Modem")]
impl TestModem {
    #[zbus(property)]
    fn state(&self) -> i32 {
        11 // connected
    }
    #[zbus(property)]
    fn device(&self) -> String {
        DEVICE.into()
    }
    #[zbus(property)]
    fn primary_port(&self) -> String {
        "cdc-wdm0".into()
    }
    #[zbus(property)]
    fn manufacturer(&self) -> String {
        "Quectel".into()
    }
    #[zbus(property)]
    fn model(&self) -> String {
        "EC25".into()
    }
    #[zbus(property)]
    fn revision(&self) -> String {
        "EC25EFAR06A06M4G".into()
    }
    #[zbus(property)]
    fn equipment_identifier(&self) -> String {
        "867698041234567".into()
    }
    /// LTE.
    #[zbus(property)]
    fn access_technologies(&self) -> u32 {
        1 << 14
    }
    /// GSM/UMTS + LTE, or GSM/UMTS alone.
    #[zbus(property)]
    fn supported_capabilities(&self) -> Vec<u32> {
        vec![1 << 2 | 1 << 3, 1 << 2]
    }
    #[zbus(property)]
    fn signal_quality(&self) -> (u32, bool) {
        (67, true)
    }
    #[zbus(property)]
    fn own_numbers(&self) -> Vec<String> {
        vec!["+491701234567".into()]
    }
    #[zbus(property)]
    fn sim(&self) -> OwnedObjectPath {
        path(SIM_PATH)
    }
    #[zbus(property)]
    fn bearers(&self) -> Vec<OwnedObjectPath> {
        vec![path(BEARER_PATH)]
    }
}

struct TestModem3gpp;

#[interface(name = "org.freedesktop.ModemManager1.Modem.Modem3gpp")]
impl TestModem3gpp {
    #[zbus(property)]
    fn imei(&self) -> String {
        "867698041234567".into()
    }
    #[zbus(property)]
    fn operator_name(&self) -> String {
        "Telekom.de".into()
    }
    #[zbus(property)]
    fn operator_code(&self) -> String {
        "26201".into()
    }
    /// Home network.
    #[zbus(property)]
    fn registration_state(&self) -> u32 {
        1
    }
}

struct TestSim;

#[interface(name = "org.freedesktop.ModemManager1.Sim")]
impl TestSim {
    #[zbus(property)]
    fn sim_identifier(&self) -> String {
        "89490200001234567890".into()
    }
    #[zbus(property)]
    fn imsi(&self) -> String {
        "262011234567890".into()
    }
}

struct TestBearer;

#[interface(name = "org.freedesktop.ModemManager1.Bearer")]
impl TestBearer {
    #[zbus(property)]
    fn interface(&self) -> String {
        "wwan0".into()
    }
    #[zbus(property)]
    fn connected(&self) -> bool {
        true
    }
    #[zbus(property)]
    fn properties(&self) -> HashMap<String, OwnedValue> {
        let text = |text: &str| OwnedValue::try_from(Value::from(text)).unwrap();
        HashMap::from([
            ("apn".to_string(), text("internet.telekom")),
            ("user".to_string(), text("telekom")),
            ("ip-type".to_string(), OwnedValue::from(3u32)),
        ])
    }
}

/// The test ModemManager on `address`; kept alive by the returned connection.
async fn serve_modem_manager(address: &str) -> zbus::Connection {
    zbus::connection::Builder::address(address)
        .unwrap()
        .name("org.freedesktop.ModemManager1")
        .unwrap()
        .serve_at(MODEM_PATH, TestModem)
        .unwrap()
        .serve_at(MODEM_PATH, TestModem3gpp)
        .unwrap()
        .serve_at(SIM_PATH, TestSim)
        .unwrap()
        .serve_at(BEARER_PATH, TestBearer)
        .unwrap()
        .serve_at("/org/freedesktop/ModemManager1", zbus::fdo::ObjectManager)
        .unwrap()
        .build()
        .await
        .unwrap()
}

fn expected_modem() -> Modem {
    Modem {
        path: MODEM_PATH.into(),
        state: 11,
        device: DEVICE.into(),
        primary_port: "cdc-wdm0".into(),
        manufacturer: "Quectel".into(),
        model: "EC25".into(),
        revision: "EC25EFAR06A06M4G".into(),
        imei: "867698041234567".into(),
        access_technologies: 1 << 14,
        supported_capabilities: 1 << 2 | 1 << 3,
        signal_quality: 67,
        own_numbers: vec!["+491701234567".into()],
        operator_name: "Telekom.de".into(),
        operator_code: "26201".into(),
        registration_state: 1,
        sim: Some(Sim {
            iccid: "89490200001234567890".into(),
            imsi: "262011234567890".into(),
        }),
        bearers: vec![Bearer {
            apn: "internet.telekom".into(),
            user: "telekom".into(),
            connected: true,
            interface: "wwan0".into(),
        }],
    }
}

const NETWORK: &str =
    "config interface 'loopback'\n\toption device 'lo'\n\toption proto 'static'\n\n\
config interface 'wwan'\n\toption proto 'modemmanager'\n\
\toption device '/sys/devices/platform/soc/1e1c0000.xhci/usb1/1-1'\n\
\toption apn 'internet.telekom'\n\toption username 'telekom'\n\toption password 'tm'\n\
\toption auth 'pap'\n\toption iptype 'ipv4v6'\n";

/// The engine over a root whose `/etc/config/network` is [`NETWORK`].
struct Model {
    dir: tempfile::TempDir,
    paths: Paths,
    config: UciConfig,
    runtime: RuntimeValues,
    instances: InstanceTables,
    live: LiveState,
    engine: cwmpd::datamodel::Engine,
}

impl Model {
    fn new(live: LiveState) -> Model {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/config")).unwrap();
        std::fs::write(dir.path().join("etc/config/network"), NETWORK).unwrap();
        let paths = Paths::new(dir.path());
        Model {
            config: UciConfig::new(&paths),
            paths,
            dir,
            runtime: RuntimeValues::default(),
            instances: InstanceTables::new(),
            live,
            engine: tr181::engine(SystemInfo::default()).unwrap(),
        }
    }

    fn handle(&mut self, request: AcsRequest) -> (CpeResponse, Vec<String>) {
        self.config.forget_loaded();
        let mut ctx = Context {
            paths: &self.paths,
            now: 0,
            uptime: 0,
            config: &mut self.config,
            runtime: &mut self.runtime,
            instances: &mut self.instances,
            live: &self.live,
        };
        let outcome = self.engine.handle(&mut ctx, &request).unwrap();
        let response = outcome.response.unwrap_or_else(|fault| panic!("{fault:?}"));
        (response, outcome.effects.changed_packages)
    }

    fn values(&mut self, path: &str) -> Vec<(String, String)> {
        let request = AcsRequest::GetParameterValues {
            parameter_names: vec![path.into()],
        };
        match self.handle(request).0 {
            CpeResponse::GetParameterValuesResponse { parameter_list } => parameter_list
                .into_iter()
                .map(|p| (p.name[path.len()..].to_string(), p.value))
                .filter(|(name, _)| !name.ends_with("Alias"))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    fn set(&mut self, values: &[(&str, &str, XsdType)]) -> Vec<String> {
        let parameter_list = values
            .iter()
            .map(|(name, value, xsd_type)| ParameterValueStruct {
                name: name.to_string(),
                value: value.to_string(),
                xsd_type: xsd_type.clone(),
            })
            .collect();
        let request = AcsRequest::SetParameterValues {
            parameter_list,
            parameter_key: "apn".into(),
        };
        self.handle(request).1
    }

    fn network(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("etc/config/network")).unwrap()
    }
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

#[tokio::test]
async fn modem_manager_over_a_private_bus() {
    let Some(bus) = Bus::start() else {
        return;
    };
    // The standard override of the system bus (this test binary's only test).
    std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &bus.address);
    let paths = Paths::new("/nonexistent");
    // A bus without ModemManager: no modems, and it says so.
    assert_eq!(cellular::gather(&paths).await, Default::default());
    let _service = serve_modem_manager(&bus.address).await;
    let state = cellular::gather(&paths).await;
    assert!(state.available);
    assert_eq!(state.modems, [expected_modem()]);

    let mut model = Model::new(LiveState {
        cellular: state,
        ..LiveState::default()
    });
    assert_eq!(
        model.values("Device.Cellular."),
        owned(&[
            ("InterfaceNumberOfEntries", "1"),
            ("AccessPointNumberOfEntries", "1"),
            ("Interface.1.Status", "Up"),
            ("Interface.1.Name", "cdc-wdm0"),
            ("Interface.1.IMEI", "867698041234567"),
            (
                "Interface.1.SupportedAccessTechnologies",
                "GPRS,EDGE,UMTS,UMTSHSPA,LTE"
            ),
            ("Interface.1.CurrentAccessTechnology", "LTE"),
            ("Interface.1.NetworkInUse", "Telekom.de"),
            ("Interface.1.USIM.Status", "Valid"),
            ("Interface.1.USIM.IMSI", "262011234567890"),
            ("Interface.1.USIM.ICCID", "89490200001234567890"),
            ("Interface.1.USIM.MSISDN", "491701234567"),
            ("AccessPoint.1.Enable", "true"),
            ("AccessPoint.1.APN", "internet.telekom"),
            ("AccessPoint.1.Username", "telekom"),
            ("AccessPoint.1.Password", ""),
            ("AccessPoint.1.Interface", "Device.Cellular.Interface.1"),
        ])
    );

    let ap = |name: &str| format!("Device.Cellular.AccessPoint.1.{name}");
    let changed = model.set(&[
        (&ap("APN"), "internet.v6.telekom", XsdType::String),
        (&ap("Enable"), "false", XsdType::Boolean),
    ]);
    assert_eq!(changed, ["network"]);
    assert_eq!(
        model.network(),
        NETWORK.replace("'internet.telekom'", "'internet.v6.telekom'") + "\toption disabled '1'\n"
    );
    model.set(&[
        (&ap("Enable"), "true", XsdType::Boolean),
        (&ap("Interface"), "", XsdType::String),
    ]);
    assert_eq!(
        model.network(),
        NETWORK
            .replace("'internet.telekom'", "'internet.v6.telekom'")
            .replace(&format!("\toption device '{DEVICE}'\n"), "")
    );
    assert_eq!(model.values(&ap("Interface")), owned(&[("", "")]));
    model.set(&[(
        &ap("Interface"),
        "Device.Cellular.Interface.1",
        XsdType::String,
    )]);
    assert!(model
        .network()
        .contains(&format!("\toption device '{DEVICE}'\n")));
}
