//! Cellular modems as ModemManager reports them over the system D-Bus (feature
//! `tr181-cellular`). Filled by [`gather`]; read by `Device.Cellular.` through
//! `Context::live.cellular`.
//!
//! One snapshot costs one `GetManagedObjects` on `/org/freedesktop/ModemManager1` (every
//! modem with its `Modem` and `Modem.Modem3gpp` properties) plus one `Properties.GetAll` per
//! SIM and per bearer. The bus is `DBUS_SYSTEM_BUS_ADDRESS` when set (the standard override),
//! else the system bus socket under the root (`/var/run/dbus/system_bus_socket`; a `--root`
//! sandbox has its own). No bus or no ModemManager leaves the part empty, logged at debug.

use std::collections::HashMap;
use std::time::Duration;

use zbus::fdo::{ObjectManagerProxy, PropertiesProxy};
use zbus::names::InterfaceName;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};

use crate::platform::Paths;

const SERVICE: &str = "org.freedesktop.ModemManager1";
const MANAGER_PATH: &str = "/org/freedesktop/ModemManager1";
const MODEM: &str = "org.freedesktop.ModemManager1.Modem";
const MODEM_3GPP: &str = "org.freedesktop.ModemManager1.Modem.Modem3gpp";
const SIM: &str = "org.freedesktop.ModemManager1.Sim";
const BEARER: &str = "org.freedesktop.ModemManager1.Bearer";
/// The system bus socket (D-Bus specification, "Well-known message bus instances").
pub const SYSTEM_BUS_SOCKET: &str = "/var/run/dbus/system_bus_socket";
/// A snapshot never waits longer than this for ModemManager.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Properties of one interface, as D-Bus gives them.
pub type Properties = HashMap<String, OwnedValue>;

/// What ModemManager reported in one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellularState {
    /// False when ModemManager could not be asked.
    pub available: bool,
    pub modems: Vec<Modem>,
}

/// One modem (`org.freedesktop.ModemManager1.Modem` and `.Modem3gpp`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Modem {
    /// The D-Bus object path (`/org/freedesktop/ModemManager1/Modem/0`; changes when the modem
    /// is plugged again).
    pub path: String,
    /// `State` (`MMModemState`: -1 failed … 11 connected).
    pub state: i32,
    /// `Device`: the sysfs path of the physical device, which OpenWrt's `modemmanager` proto
    /// names in `option device`.
    pub device: String,
    /// `PrimaryPort`: the control port (`cdc-wdm0`, `ttyUSB2`).
    pub primary_port: String,
    pub manufacturer: String,
    pub model: String,
    pub revision: String,
    /// `Modem3gpp.Imei`, else `EquipmentIdentifier`.
    pub imei: String,
    /// `AccessTechnologies` (`MMModemAccessTechnology` bits).
    pub access_technologies: u32,
    /// `SupportedCapabilities` (`MMModemCapability` bit sets) OR-ed together.
    pub supported_capabilities: u32,
    /// `SignalQuality`: percent.
    pub signal_quality: u32,
    pub own_numbers: Vec<String>,
    pub operator_name: String,
    pub operator_code: String,
    /// `Modem3gpp.RegistrationState` (`MMModem3gppRegistrationState`: 1 home, 5 roaming, …).
    pub registration_state: u32,
    /// `None` when no SIM is inserted (`Sim` is `/`).
    pub sim: Option<Sim>,
    pub bearers: Vec<Bearer>,
}

/// `org.freedesktop.ModemManager1.Sim`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sim {
    /// `SimIdentifier`: the ICCID.
    pub iccid: String,
    pub imsi: String,
}

/// `org.freedesktop.ModemManager1.Bearer`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bearer {
    pub apn: String,
    pub user: String,
    pub connected: bool,
    /// The network interface the bearer's packets use (`wwan0`).
    pub interface: String,
}

/// `MMModemState` values that matter here.
pub mod state {
    pub const FAILED: i32 = -1;
    pub const LOCKED: i32 = 2;
    pub const DISABLED: i32 = 3;
    pub const ENABLED: i32 = 6;
    pub const REGISTERED: i32 = 8;
    pub const CONNECTED: i32 = 11;
}

fn text(props: &Properties, name: &str) -> String {
    let value = props.get(name).and_then(|v| v.downcast_ref::<&str>().ok());
    value.unwrap_or_default().to_string()
}

fn number<T: TryFrom<OwnedValue>>(props: &Properties, name: &str) -> Option<T> {
    T::try_from(props.get(name)?.try_clone().ok()?).ok()
}

fn path(props: &Properties, name: &str) -> Option<String> {
    let value = props.get(name)?.downcast_ref::<ObjectPath<'_>>().ok()?;
    (value.as_str() != "/").then(|| value.to_string())
}

fn list<T>(props: &Properties, name: &str) -> Vec<T>
where
    T: TryFrom<Value<'static>>,
    T::Error: Into<zbus::zvariant::Error>,
{
    let Some(value) = props.get(name).and_then(|v| v.try_clone().ok()) else {
        return Vec::new();
    };
    Vec::<T>::try_from(Value::from(value)).unwrap_or_default()
}

/// The modem's own properties; `sim` and `bearers` come from their own objects.
pub fn parse_modem(path: &str, modem: &Properties, gpp: Option<&Properties>) -> Modem {
    let empty = Properties::new();
    let gpp = gpp.unwrap_or(&empty);
    let imei = Some(text(gpp, "Imei"))
        .filter(|imei| !imei.is_empty())
        .unwrap_or_else(|| text(modem, "EquipmentIdentifier"));
    let quality: Option<(u32, bool)> = number(modem, "SignalQuality");
    Modem {
        path: path.to_string(),
        state: number(modem, "State").unwrap_or(0),
        device: text(modem, "Device"),
        primary_port: text(modem, "PrimaryPort"),
        manufacturer: text(modem, "Manufacturer"),
        model: text(modem, "Model"),
        revision: text(modem, "Revision"),
        imei,
        access_technologies: number(modem, "AccessTechnologies").unwrap_or(0),
        supported_capabilities: list::<u32>(modem, "SupportedCapabilities")
            .into_iter()
            .fold(0, |all, set| all | set),
        signal_quality: quality.map_or(0, |(percent, _)| percent),
        own_numbers: list(modem, "OwnNumbers"),
        operator_name: text(gpp, "OperatorName"),
        operator_code: text(gpp, "OperatorCode"),
        registration_state: number(gpp, "RegistrationState").unwrap_or(0),
        sim: None,
        bearers: Vec::new(),
    }
}

pub fn parse_sim(sim: &Properties) -> Sim {
    Sim {
        iccid: text(sim, "SimIdentifier"),
        imsi: text(sim, "Imsi"),
    }
}

pub fn parse_bearer(bearer: &Properties) -> Bearer {
    let settings: Properties = number(bearer, "Properties").unwrap_or_default();
    Bearer {
        apn: text(&settings, "apn"),
        user: text(&settings, "user"),
        connected: number(bearer, "Connected").unwrap_or(false),
        interface: text(bearer, "Interface"),
    }
}

/// The system bus: `DBUS_SYSTEM_BUS_ADDRESS`, else the socket under the root.
pub fn system_bus_address(paths: &Paths) -> String {
    match std::env::var("DBUS_SYSTEM_BUS_ADDRESS") {
        Ok(address) if !address.is_empty() => address,
        _ => format!("unix:path={}", paths.resolve(SYSTEM_BUS_SOCKET).display()),
    }
}

/// Ask ModemManager once (the I/O edge of this module).
pub async fn gather(paths: &Paths) -> CellularState {
    let address = system_bus_address(paths);
    match tokio::time::timeout(TIMEOUT, read_modems(&address)).await {
        Ok(Ok(modems)) => CellularState {
            available: true,
            modems,
        },
        Ok(Err(err)) => {
            log::debug!(target: "cwmpd::live", "ModemManager at {address}: {err}");
            CellularState::default()
        }
        Err(_) => {
            log::warn!(target: "cwmpd::live", "ModemManager at {address} did not answer");
            CellularState::default()
        }
    }
}

async fn read_modems(address: &str) -> zbus::Result<Vec<Modem>> {
    let connection = zbus::connection::Builder::address(address)?.build().await?;
    let manager = ObjectManagerProxy::builder(&connection)
        .destination(SERVICE)?
        .path(MANAGER_PATH)?
        .build()
        .await?;
    let mut objects: Vec<_> = manager.get_managed_objects().await?.into_iter().collect();
    objects.sort_by(|(a, _), (b, _)| a.as_str().cmp(b.as_str()));
    let mut modems = Vec::new();
    for (path, interfaces) in objects {
        let find = |name: &str| {
            let found = interfaces.iter().find(|(i, _)| i.as_str() == name);
            found.map(|(_, props)| props)
        };
        let Some(props) = find(MODEM) else {
            continue;
        };
        let mut modem = parse_modem(path.as_str(), props, find(MODEM_3GPP));
        if let Some(sim) = self::path(props, "Sim") {
            modem.sim = Some(parse_sim(&get_all(&connection, &sim, SIM).await?));
        }
        let bearers: Vec<OwnedObjectPath> = list(props, "Bearers");
        for bearer in bearers {
            let props = get_all(&connection, bearer.as_str(), BEARER).await?;
            modem.bearers.push(parse_bearer(&props));
        }
        modems.push(modem);
    }
    Ok(modems)
}

async fn get_all(
    connection: &zbus::Connection,
    path: &str,
    interface: &'static str,
) -> zbus::Result<Properties> {
    let proxy = PropertiesProxy::builder(connection)
        .destination(SERVICE)?
        .path(path)?
        .build()
        .await?;
    let interface = InterfaceName::from_static_str_unchecked(interface);
    Ok(proxy.get_all(interface).await?)
}
