//! `Device.WiFi.` (TR-181 Device:2 §WiFi) over UCI `wireless` and the running radios
//! (`Context::live.services.wireless`: netifd's `network.wireless status`, iwinfo, hostapd).
//!
//! | TR-181 | OpenWrt | file |
//! |---|---|---|
//! | `Radio.{i}` | a `wifi-device` section (`radio0`), numbered by section | `wifi_radio.rs` |
//! | `SSID.{i}` | a `wifi-iface` section, numbered by section | `wifi_ssid.rs` |
//! | `AccessPoint.{i}` | a `wifi-iface` section with `mode 'ap'` (the default), numbered by section | `wifi_access_point.rs` |
//! | `AccessPoint.{i}.AssociatedDevice.{i}` | a station hostapd and iwinfo report on the AP's interface, numbered by MAC address | `wifi_access_point.rs` |
//!
//! An SSID and its access point are one `wifi-iface` section on OpenWrt: AddObject on either
//! table creates a disabled section `cwmpd_wifi_<n>` on the first radio (mode `ap`,
//! encryption `none`, the first interface's `network`), which then shows in both; DeleteObject
//! on either removes the section from both. Writes commit `wireless`; the daemon's reload after
//! the session sends `config.change` for it, on which procd reloads the `network` service
//! (`procd_add_reload_trigger network wireless` in `/etc/init.d/network`), i.e.
//! `ubus call network reload` then `wifi reload_legacy`: netifd reconfigures the radios whose
//! configuration changed — what `wifi reload` does.

use super::section_table::{self, instance_number, Numbered, SectionTable};
use super::uci_value::bool_option;
use super::wifi_access_point as access_point;
use super::wifi_radio as radio;
use super::wifi_ssid as ssid;
use crate::datamodel::{
    Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamRef, Transaction,
    Value,
};
use crate::live::services::wireless::Station;

pub(crate) const WIRELESS: &str = "wireless";
pub(crate) const WIFI: &str = "Device.WiFi.";
pub(crate) const RADIO: &str = "Device.WiFi.Radio.{i}.";
pub(crate) const RADIO_STATS: &str = "Device.WiFi.Radio.{i}.Stats.";
pub(crate) const SSID: &str = "Device.WiFi.SSID.{i}.";
pub(crate) const SSID_STATS: &str = "Device.WiFi.SSID.{i}.Stats.";
pub(crate) const ACCESS_POINT: &str = "Device.WiFi.AccessPoint.{i}.";
pub(crate) const SECURITY: &str = "Device.WiFi.AccessPoint.{i}.Security.";
pub(crate) const ASSOCIATED_DEVICE: &str = "Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.";
pub(crate) const ASSOCIATED_DEVICE_STATS: &str =
    "Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.";

const RADIOS: SectionTable = SectionTable {
    package: WIRELESS,
    section_type: "wifi-device",
    name_prefix: "cwmpd_radio",
};

const INTERFACES: SectionTable = SectionTable {
    package: WIRELESS,
    section_type: "wifi-iface",
    name_prefix: "cwmpd_wifi",
};

/// The table of the stations of access point `ap`.
pub(crate) fn associated_table(ap: u32) -> String {
    format!("Device.WiFi.AccessPoint.{ap}.AssociatedDevice.{{i}}.")
}

/// `Device.WiFi.`
pub struct WifiArea;

impl Area for WifiArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let mut objects = vec![ObjectDef::new(WIFI)
            .param(count("RadioNumberOfEntries"))
            .param(count("SSIDNumberOfEntries"))
            .param(count("AccessPointNumberOfEntries"))];
        objects.extend(radio::schema());
        objects.extend(ssid::schema());
        objects.extend(access_point::schema());
        objects
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        Ok(Box::new(WifiView::load(ctx)?))
    }
}

fn count(name: &'static str) -> crate::datamodel::ParamDef {
    crate::datamodel::ParamDef::read_only(name, crate::datamodel::Type::unsigned_int())
}

/// One `wifi-iface` section: its SSID number, its access point number (mode `ap`) and the
/// numbered stations of that access point.
#[derive(Debug, Clone)]
pub(crate) struct Iface {
    pub ssid: u32,
    pub access_point: Option<u32>,
    pub section: ConfigSection,
    pub stations: Vec<(u32, Station)>,
}

impl Iface {
    /// The section's `ifname` option.
    pub fn configured_ifname(&self) -> Option<String> {
        self.section.get("ifname")
    }

    pub fn mode(&self) -> String {
        self.section.get("mode").unwrap_or_else(|| "ap".into())
    }
}

/// What one RPC reads of `Device.WiFi.`: the sections and their numbers; live values are
/// looked up in `ctx.live` as parameters are read.
pub(crate) struct WifiView {
    pub sections: Vec<ConfigSection>,
    pub radios: Vec<Numbered>,
    pub ifaces: Vec<Iface>,
    pub pending: radio::Pending,
    pub pending_security: access_point::PendingSecurity,
}

impl WifiView {
    pub fn load(ctx: &mut Context<'_>) -> Result<WifiView, Error> {
        let sections = ctx.config.sections(WIRELESS)?;
        let of_type = |kind: &str| -> Vec<&ConfigSection> {
            sections.iter().filter(|s| s.section_type == kind).collect()
        };
        let radios = RADIOS.number(ctx.instances, RADIO, &of_type("wifi-device"));
        let members = of_type("wifi-iface");
        let ssids = INTERFACES.number(ctx.instances, SSID, &members);
        let aps: Vec<&ConfigSection> = members
            .iter()
            .copied()
            .filter(|s| s.get("mode").is_none_or(|mode| mode == "ap"))
            .collect();
        let ap_numbers = INTERFACES.number(ctx.instances, ACCESS_POINT, &aps);
        let ifaces = ssids
            .into_iter()
            .map(|numbered| {
                let key = numbered.section.key();
                let access_point = ap_numbers
                    .iter()
                    .find(|ap| ap.section.key() == key)
                    .map(|ap| ap.number);
                let mut iface = Iface {
                    ssid: numbered.number,
                    access_point,
                    section: numbered.section,
                    stations: Vec::new(),
                };
                iface.stations = number_stations(ctx, &iface);
                iface
            })
            .collect();
        Ok(WifiView {
            sections,
            radios,
            ifaces,
            pending: radio::Pending::default(),
            pending_security: access_point::PendingSecurity::default(),
        })
    }

    pub fn radio(&self, instances: &[u32]) -> Result<&Numbered, Error> {
        section_table::find(&self.radios, instance_number(instances)?)
    }

    /// The radio a `wifi-iface` section is on (`device`).
    pub fn radio_of(&self, iface: &Iface) -> Option<&Numbered> {
        let device = iface.section.get("device")?;
        self.radios
            .iter()
            .find(|radio| radio.section.name == device)
    }

    pub fn ssid(&self, instances: &[u32]) -> Result<&Iface, Error> {
        let number = instance_number(instances)?;
        self.ifaces
            .iter()
            .find(|iface| iface.ssid == number)
            .ok_or_else(|| Error::invalid_name(""))
    }

    pub fn access_point(&self, instances: &[u32]) -> Result<&Iface, Error> {
        let number = *instances.first().ok_or_else(|| Error::invalid_name(""))?;
        self.ifaces
            .iter()
            .find(|iface| iface.access_point == Some(number))
            .ok_or_else(|| Error::invalid_name(""))
    }

    /// A section is off when it or its radio sets `disabled`.
    pub fn iface_disabled(&self, iface: &Iface) -> bool {
        bool_option(&iface.section, "disabled", false)
            || self
                .radio_of(iface)
                .is_some_and(|radio| bool_option(&radio.section, "disabled", false))
    }

    /// Stage a new `wifi-iface` section; its number in `table` (it is numbered in the other
    /// table of SSID/AccessPoint too).
    fn add_iface(
        &self,
        ctx: &mut Context<'_>,
        table: &str,
        tx: &mut Transaction,
    ) -> Result<u32, Error> {
        let Some(first_radio) = self.radios.first() else {
            return Err(Error::RequestDenied("the router has no radio".into()));
        };
        let device = first_radio.section.name.clone();
        let network = self
            .ifaces
            .iter()
            .find(|iface| iface.section.get("device").as_deref() == Some(&device))
            .and_then(|iface| iface.section.get("network"));
        let mut options = vec![
            ("device", device.as_str()),
            ("mode", "ap"),
            ("ssid", "OpenWrt"),
            ("encryption", "none"),
            ("disabled", "1"),
        ];
        if let Some(network) = network.as_deref() {
            options.push(("network", network));
        }
        let (number, name) = INTERFACES.add(ctx, table, &self.sections, &options, tx)?;
        let other = if table == SSID { ACCESS_POINT } else { SSID };
        ctx.instances
            .table(other)
            .number_for(&name)
            .ok_or_else(|| Error::ResourcesExceeded("instance numbers exhausted".into()))?;
        Ok(number)
    }
}

/// Number the stations of an access point by MAC address.
fn number_stations(ctx: &mut Context<'_>, iface: &Iface) -> Vec<(u32, Station)> {
    let Some(ap) = iface.access_point else {
        return Vec::new();
    };
    let wireless = &ctx.live.services.wireless;
    let ifname = iface.configured_ifname();
    let stations: Vec<Station> = wireless
        .interface(&iface.section.name, ifname.as_deref())
        .map(|live| {
            live.stations
                .iter()
                .filter(|s| s.associated)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let macs: Vec<&str> = stations.iter().map(|s| s.mac.as_str()).collect();
    let numbered = ctx.instances.table(&associated_table(ap)).assign(&macs);
    numbered
        .into_iter()
        .filter_map(|(number, mac)| {
            let station = stations.iter().find(|s| s.mac == mac)?;
            Some((number, station.clone()))
        })
        .collect()
}

impl AreaView for WifiView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let live = ctx.live;
        match param.object {
            WIFI => Ok(Value::Unsigned(match param.name {
                "RadioNumberOfEntries" => self.radios.len(),
                "SSIDNumberOfEntries" => self.ifaces.len(),
                "AccessPointNumberOfEntries" => self
                    .ifaces
                    .iter()
                    .filter(|i| i.access_point.is_some())
                    .count(),
                name => return Err(Error::not_served(name)),
            } as u64)),
            RADIO | RADIO_STATS => radio::value(self, live, param),
            SSID | SSID_STATS => ssid::value(self, live, param),
            _ => access_point::value(self, live, param),
        }
    }

    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let live = ctx.live;
        match param.object {
            RADIO => radio::set(self, live, param, value, tx),
            SSID => ssid::set(self, param, value, tx),
            ACCESS_POINT | SECURITY => access_point::set(self, param, value, tx),
            _ => Err(Error::not_writable("")),
        }
    }

    fn finish_set(&mut self, ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        radio::finish_set(self, ctx.live, tx)?;
        access_point::finish_set(self, tx)
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        let mut numbers: Vec<u32> = match table.object {
            RADIO => self.radios.iter().map(|radio| radio.number).collect(),
            SSID => self.ifaces.iter().map(|iface| iface.ssid).collect(),
            ACCESS_POINT => self.ifaces.iter().filter_map(|i| i.access_point).collect(),
            ASSOCIATED_DEVICE => {
                let ap = self.access_point(table.instances)?;
                ap.stations.iter().map(|(number, _)| *number).collect()
            }
            _ => Vec::new(),
        };
        numbers.sort_unstable();
        Ok(numbers)
    }

    fn add_instance(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<u32, Error> {
        match table.object {
            SSID | ACCESS_POINT => self.add_iface(ctx, table.object, tx),
            _ => Err(Error::RequestDenied(
                "this table does not support AddObject".into(),
            )),
        }
    }

    fn delete_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let iface = match instance.object {
            SSID => self.ssid(instance.instances)?,
            ACCESS_POINT => self.access_point(instance.instances)?,
            _ => {
                return Err(Error::RequestDenied(
                    "this table does not support DeleteObject".into(),
                ))
            }
        };
        INTERFACES.delete(&[SSID, ACCESS_POINT], &self.sections, &iface.section, tx);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
