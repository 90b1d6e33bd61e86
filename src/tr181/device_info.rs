//! `Device.DeviceInfo.` (TR-181 Device:2): identity, versions, uptime and ProvisioningCode.
//!
//! Sources, in order of preference:
//! - overrides in UCI `cwmpd.cpe` (`manufacturer`, `oui`, `product_class`, `serial`),
//! - `/etc/board.json` (`model.id`, `model.name`, `system.label_macaddr`,
//!   `network.lan.macaddr`) and `/etc/openwrt_release` (`DISTRIB_*`), parsed once at start
//!   into a [`SystemInfo`] by the daemon,
//! - defaults (Manufacturer `OpenWrt`, OUI `000000`).
//!
//! `ProvisioningCode` is writable and kept in `cwmpd.cpe.provisioning_code`.
//!
//! MemoryStatus, ProcessStatus and TemperatureStatus come from the live snapshot: see
//! `device_info/status.rs`.

mod status;

use serde_json::Value as Json;

use super::{truncate_chars, CWMPD_PACKAGE};
use crate::datamodel::{
    ActiveNotify, Area, AreaView, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};

const DEVICE_INFO: &str = "Device.DeviceInfo.";

/// Where the daemon reads the board description (resolve with `Paths::resolve`).
pub const BOARD_JSON: &str = "/etc/board.json";
/// Where the daemon reads the firmware release (resolve with `Paths::resolve`).
pub const OPENWRT_RELEASE: &str = "/etc/openwrt_release";

const CPE_SECTION: &str = "cpe";
const DEFAULT_MANUFACTURER: &str = "OpenWrt";
const UNKNOWN_OUI: &str = "000000";
const UNKNOWN_SERIAL: &str = "000000000000";

/// What the system says about itself, read once at start by the daemon.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemInfo {
    /// `model.id` of board.json, e.g. `tplink,archer-c7-v5`.
    pub model_id: Option<String>,
    /// `model.name` of board.json, e.g. `TP-Link Archer C7 v5`.
    pub model_name: Option<String>,
    /// `system.label_macaddr` of board.json (the MAC printed on the label), upper-case.
    pub label_mac: Option<String>,
    /// `network.lan.macaddr` of board.json, upper-case.
    pub lan_mac: Option<String>,
    pub distrib_id: Option<String>,
    pub distrib_release: Option<String>,
    pub distrib_revision: Option<String>,
    pub distrib_description: Option<String>,
    pub distrib_target: Option<String>,
    /// The Linux Ethernet ports board.json declares (see [`board_ports`]), LAN before WAN.
    pub ports: Vec<String>,
    /// Those of them that face the WAN (`network.wan`).
    pub wan_ports: Vec<String>,
}

impl SystemInfo {
    /// Parse the texts of `/etc/board.json` and `/etc/openwrt_release`; either may be missing
    /// or malformed, which leaves the corresponding fields `None`.
    pub fn parse(board_json: Option<&str>, openwrt_release: Option<&str>) -> SystemInfo {
        let mut info = SystemInfo::default();
        if let Some(board) = board_json.and_then(|text| serde_json::from_str::<Json>(text).ok()) {
            let text = |pointer: &str| {
                board
                    .pointer(pointer)
                    .and_then(Json::as_str)
                    .filter(|value| !value.is_empty())
                    .map(str::to_string)
            };
            info.model_id = text("/model/id");
            info.model_name = text("/model/name");
            info.label_mac = text("/system/label_macaddr").and_then(|mac| normalise_mac(&mac));
            info.lan_mac = text("/network/lan/macaddr").and_then(|mac| normalise_mac(&mac));
            (info.ports, info.wan_ports) = board_ports(&board);
        }
        for (key, value) in openwrt_release.map(release_entries).unwrap_or_default() {
            let slot = match key {
                "DISTRIB_ID" => &mut info.distrib_id,
                "DISTRIB_RELEASE" => &mut info.distrib_release,
                "DISTRIB_REVISION" => &mut info.distrib_revision,
                "DISTRIB_DESCRIPTION" => &mut info.distrib_description,
                "DISTRIB_TARGET" => &mut info.distrib_target,
                _ => continue,
            };
            *slot = Some(value);
        }
        info
    }

    /// The MAC that identifies the device: the label MAC, else the LAN MAC.
    fn identifying_mac(&self) -> Option<&str> {
        self.label_mac.as_deref().or(self.lan_mac.as_deref())
    }
}

/// The Ethernet ports of board.json: each role's `ports` (DSA: `lan1`…) or `device`, a
/// swconfig VLAN (`eth0.2`) standing for its parent port, and the switch's CPU port device.
/// Returns (every port, the WAN role's ports that carry nothing else).
fn board_ports(board: &Json) -> (Vec<String>, Vec<String>) {
    let mut ports: Vec<String> = Vec::new();
    let mut wan: Vec<String> = Vec::new();
    // Bridges are made from the ports by config_generate, never ports themselves.
    let add = |list: &mut Vec<String>, name: &str| {
        if !name.is_empty() && !name.starts_with("br-") && !list.iter().any(|known| known == name) {
            list.push(name.to_string());
        }
    };
    let roles = board.pointer("/network").and_then(Json::as_object);
    for (role, config) in roles.into_iter().flatten() {
        let listed = config.get("ports").and_then(Json::as_array);
        let names = listed
            .into_iter()
            .flatten()
            .chain(config.get("device"))
            .filter_map(Json::as_str);
        for name in names {
            let (port, vlan) = match name.split_once('.') {
                Some((port, id)) if id.bytes().all(|b| b.is_ascii_digit()) => (port, true),
                _ => (name, false),
            };
            add(&mut ports, port);
            if role == "wan" && !vlan {
                add(&mut wan, port);
            }
        }
    }
    let switches = board.pointer("/switch").and_then(Json::as_object);
    for switch in switches.into_iter().flat_map(|s| s.values()) {
        let switch_ports = switch.get("ports").and_then(Json::as_array);
        for port in switch_ports.into_iter().flatten() {
            add(
                &mut ports,
                port.get("device").and_then(Json::as_str).unwrap_or(""),
            );
        }
    }
    (ports, wan)
}

/// `KEY='value'` / `KEY="value"` / `KEY=value` lines of a shell-style release file.
fn release_entries(text: &str) -> Vec<(&str, String)> {
    text.lines()
        .filter_map(|line| line.trim().split_once('='))
        .map(|(key, value)| (key.trim(), unquote(value.trim())))
        .filter(|(_, value)| !value.is_empty())
        .collect()
}

fn unquote(value: &str) -> String {
    for quote in ['\'', '"'] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner.to_string();
        }
    }
    value.to_string()
}

/// `aa:bb:cc:dd:ee:ff` (or with `-`) → `AA:BB:CC:DD:EE:FF`; `None` if it is not a MAC.
fn normalise_mac(mac: &str) -> Option<String> {
    let octets: Vec<&str> = mac.trim().split([':', '-']).collect();
    let valid = octets.len() == 6
        && octets
            .iter()
            .all(|octet| octet.len() == 2 && octet.bytes().all(|b| b.is_ascii_hexdigit()));
    valid.then(|| octets.join(":").to_ascii_uppercase())
}

/// Identity overrides from `cwmpd.cpe`, read once per RPC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Overrides {
    manufacturer: Option<String>,
    oui: Option<String>,
    product_class: Option<String>,
    serial: Option<String>,
    provisioning_code: Option<String>,
}

impl Overrides {
    fn load(ctx: &mut Context<'_>) -> Result<Overrides, Error> {
        let mut read = |option: &str| -> Result<Option<String>, Error> {
            let value = ctx.config.get(CWMPD_PACKAGE, CPE_SECTION, option)?;
            Ok(value.filter(|value| !value.is_empty()))
        };
        Ok(Overrides {
            manufacturer: read("manufacturer")?,
            oui: read("oui")?,
            product_class: read("product_class")?,
            serial: read("serial")?,
            provisioning_code: read("provisioning_code")?,
        })
    }
}

/// `Device.DeviceInfo.`
pub struct DeviceInfoArea {
    system: SystemInfo,
}

impl DeviceInfoArea {
    pub fn new(system: SystemInfo) -> DeviceInfoArea {
        DeviceInfoArea { system }
    }
}

impl Area for DeviceInfoArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let identity = ObjectDef::new(DEVICE_INFO)
            .param(ParamDef::read_only("Manufacturer", Type::string(64)))
            .param(ParamDef::read_only(
                "ManufacturerOUI",
                Type::string(6).size(Some(6), Some(6)),
            ))
            .param(ParamDef::read_only("ModelName", Type::string(64)))
            .param(ParamDef::read_only("Description", Type::string(256)))
            .param(ParamDef::read_only("ProductClass", Type::string(64)))
            .param(ParamDef::read_only("SerialNumber", Type::string(64)))
            .param(ParamDef::read_only("HardwareVersion", Type::string(64)).forced_inform())
            .param(
                ParamDef::read_only("SoftwareVersion", Type::string(64))
                    .forced_inform()
                    .active_notify(ActiveNotify::ForceEnabled),
            )
            .param(
                ParamDef::read_write("ProvisioningCode", Type::string(64))
                    .forced_inform()
                    .active_notify(ActiveNotify::ForceEnabled),
            )
            .param(
                ParamDef::read_only("UpTime", Type::unsigned_int())
                    .active_notify(ActiveNotify::CanDeny),
            );
        let mut objects = vec![identity];
        objects.extend(status::objects());
        objects
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        Ok(Box::new(DeviceInfoView {
            system: &self.system,
            overrides: Overrides::load(ctx)?,
            status: status::StatusView::default(),
        }))
    }
}

struct DeviceInfoView<'a> {
    system: &'a SystemInfo,
    overrides: Overrides,
    status: status::StatusView,
}

impl DeviceInfoView<'_> {
    fn manufacturer(&self) -> String {
        let name = self.overrides.manufacturer.as_deref();
        truncate_chars(name.unwrap_or(DEFAULT_MANUFACTURER), 64)
    }

    /// Six upper-case hex digits (TR-181 pattern `[0-9A-F]{6}`): the configured OUI, else the
    /// first three octets of the board's MAC, else `000000`.
    fn manufacturer_oui(&self) -> String {
        let configured = self.overrides.oui.as_deref().and_then(|oui| {
            let oui = oui.trim().to_ascii_uppercase();
            let valid = oui.len() == 6 && oui.bytes().all(|b| b.is_ascii_hexdigit());
            if !valid {
                log::warn!("tr181: ignoring cwmpd.cpe.oui {oui:?}: not six hex digits");
            }
            valid.then_some(oui)
        });
        let from_mac = || {
            let mac = self.system.identifying_mac()?;
            Some(mac.split(':').take(3).collect::<String>())
        };
        configured
            .or_else(from_mac)
            .unwrap_or_else(|| UNKNOWN_OUI.to_string())
    }

    fn model_name(&self) -> String {
        let system = self.system;
        let name = system.model_name.as_deref().or(system.model_id.as_deref());
        truncate_chars(name.unwrap_or_default(), 64)
    }

    fn description(&self) -> String {
        let description = self.system.distrib_description.as_deref();
        truncate_chars(description.unwrap_or(DEFAULT_MANUFACTURER), 256)
    }

    fn product_class(&self) -> String {
        let class = self.overrides.product_class.as_deref();
        truncate_chars(
            class
                .or(self.system.model_id.as_deref())
                .unwrap_or_default(),
            64,
        )
    }

    /// The configured serial, else the label (or LAN) MAC without colons.
    fn serial_number(&self) -> String {
        if let Some(serial) = &self.overrides.serial {
            return truncate_chars(serial, 64);
        }
        match self.system.identifying_mac() {
            Some(mac) => mac.replace(':', ""),
            None => UNKNOWN_SERIAL.to_string(),
        }
    }

    fn hardware_version(&self) -> String {
        self.model_name()
    }

    /// `DISTRIB_RELEASE-DISTRIB_REVISION`, e.g. `23.05.3-r23809-234f1a2efa`.
    fn software_version(&self) -> String {
        let system = self.system;
        let parts: Vec<&str> = [&system.distrib_release, &system.distrib_revision]
            .into_iter()
            .filter_map(|part| part.as_deref())
            .collect();
        truncate_chars(&parts.join("-"), 64)
    }
}

impl AreaView for DeviceInfoView<'_> {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        if param.object != DEVICE_INFO {
            return self.status.get(ctx, param);
        }
        let text = match param.name {
            "Manufacturer" => self.manufacturer(),
            "ManufacturerOUI" => self.manufacturer_oui(),
            "ModelName" => self.model_name(),
            "Description" => self.description(),
            "ProductClass" => self.product_class(),
            "SerialNumber" => self.serial_number(),
            "HardwareVersion" => self.hardware_version(),
            "SoftwareVersion" => self.software_version(),
            "ProvisioningCode" => self.overrides.provisioning_code.clone().unwrap_or_default(),
            "UpTime" => return Ok(Value::from(u32::try_from(ctx.uptime).unwrap_or(u32::MAX))),
            _ => return Err(Error::not_served(param.name)),
        };
        Ok(Value::String(text))
    }

    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        if param.object != DEVICE_INFO {
            return self.status.set(ctx, param, value);
        }
        match param.name {
            "ProvisioningCode" => {
                tx.set_option(
                    CWMPD_PACKAGE,
                    CPE_SECTION,
                    "provisioning_code",
                    value.to_uci(),
                );
                Ok(())
            }
            _ => Err(Error::not_writable("")),
        }
    }

    fn finish_set(&mut self, ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        self.status.finish_set(ctx, tx)
    }

    fn instances(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        self.status.instances(ctx, table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOARD: &str = r#"{
        "model": { "id": "tplink,archer-c7-v5", "name": "TP-Link Archer C7 v5" },
        "network": { "lan": { "device": "br-lan", "macaddr": "60:e3:27:00:00:01" } },
        "system": { "label_macaddr": "60:e3:27:aa:bb:cc" }
    }"#;

    const RELEASE: &str = "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='23.05.3'\n\
        DISTRIB_REVISION='r23809-234f1a2efa'\nDISTRIB_TARGET='ath79/generic'\n\
        DISTRIB_ARCH='mips_24kc'\nDISTRIB_DESCRIPTION='OpenWrt 23.05.3 r23809-234f1a2efa'\n\
        DISTRIB_TAINTS=''\n";

    #[test]
    fn parses_board_and_release() {
        let info = SystemInfo::parse(Some(BOARD), Some(RELEASE));
        assert_eq!(
            info,
            SystemInfo {
                model_id: Some("tplink,archer-c7-v5".into()),
                model_name: Some("TP-Link Archer C7 v5".into()),
                label_mac: Some("60:E3:27:AA:BB:CC".into()),
                lan_mac: Some("60:E3:27:00:00:01".into()),
                distrib_id: Some("OpenWrt".into()),
                distrib_release: Some("23.05.3".into()),
                distrib_revision: Some("r23809-234f1a2efa".into()),
                distrib_description: Some("OpenWrt 23.05.3 r23809-234f1a2efa".into()),
                distrib_target: Some("ath79/generic".into()),
                ports: vec![],
                wan_ports: vec![],
            }
        );
    }

    #[test]
    fn ethernet_ports_of_dsa_and_swconfig_boards() {
        let dsa = r#"{"network": {
            "lan": {"ports": ["lan1", "lan2", "lan3"], "protocol": "static"},
            "wan": {"device": "wan", "protocol": "dhcp"}}}"#;
        let info = SystemInfo::parse(Some(dsa), None);
        assert_eq!(info.ports, ["lan1", "lan2", "lan3", "wan"]);
        assert_eq!(info.wan_ports, ["wan"]);
        let swconfig = r#"{"network": {
            "lan": {"device": "eth0.1"}, "wan": {"device": "eth0.2"}},
            "switch": {"switch0": {"ports": [{"num": 0, "device": "eth0"}, {"num": 1, "role": "wan"}]}}}"#;
        let info = SystemInfo::parse(Some(swconfig), None);
        assert_eq!(info.ports, ["eth0"]);
        assert!(info.wan_ports.is_empty(), "eth0 carries the LAN too");
    }

    #[test]
    fn missing_or_broken_files_give_nothing() {
        assert_eq!(SystemInfo::parse(None, None), SystemInfo::default());
        assert_eq!(
            SystemInfo::parse(Some("{not json"), Some("garbage")),
            SystemInfo::default()
        );
        let bad_mac = r#"{"system": {"label_macaddr": "60:e3:27"}}"#;
        assert_eq!(SystemInfo::parse(Some(bad_mac), None).label_mac, None);
    }

    #[test]
    fn derived_identity() {
        let system = SystemInfo::parse(Some(BOARD), Some(RELEASE));
        let view = DeviceInfoView {
            system: &system,
            overrides: Overrides::default(),
            status: Default::default(),
        };
        assert_eq!(view.manufacturer(), "OpenWrt");
        assert_eq!(view.manufacturer_oui(), "60E327");
        assert_eq!(view.product_class(), "tplink,archer-c7-v5");
        assert_eq!(view.serial_number(), "60E327AABBCC");
        assert_eq!(view.hardware_version(), "TP-Link Archer C7 v5");
        assert_eq!(view.software_version(), "23.05.3-r23809-234f1a2efa");
        assert_eq!(view.description(), "OpenWrt 23.05.3 r23809-234f1a2efa");
    }

    #[test]
    fn identity_defaults_when_nothing_is_known() {
        let system = SystemInfo::default();
        let view = DeviceInfoView {
            system: &system,
            overrides: Overrides::default(),
            status: Default::default(),
        };
        assert_eq!(view.manufacturer(), "OpenWrt");
        assert_eq!(view.manufacturer_oui(), "000000");
        assert_eq!(view.serial_number(), "000000000000");
        assert_eq!(view.software_version(), "");
    }

    #[test]
    fn overrides_win_and_bad_ouis_are_ignored() {
        let system = SystemInfo::parse(Some(BOARD), Some(RELEASE));
        let mut view = DeviceInfoView {
            system: &system,
            overrides: Overrides {
                manufacturer: Some("ACME".into()),
                oui: Some("a1b2c3".into()),
                product_class: Some("Router".into()),
                serial: Some("SN123".into()),
                provisioning_code: None,
            },
            status: Default::default(),
        };
        assert_eq!(view.manufacturer(), "ACME");
        assert_eq!(view.manufacturer_oui(), "A1B2C3");
        assert_eq!(view.product_class(), "Router");
        assert_eq!(view.serial_number(), "SN123");
        view.overrides.oui = Some("xyz".into());
        assert_eq!(view.manufacturer_oui(), "60E327");
    }
}
