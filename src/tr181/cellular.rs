//! `Device.Cellular.` (TR-181 Device:2, feature `tr181-cellular`): modems from ModemManager
//! (`crate::live::cellular`), access points from OpenWrt's `modemmanager` proto in UCI.
//!
//! - `Interface.{i}`: one per modem ModemManager reports, numbered by IMEI (its D-Bus path
//!   changes whenever the modem is plugged again). Read-only: Status from the modem state
//!   (connected, connecting or registered → `Up`; enabled or searching → `Dormant`; failed →
//!   `Error`; otherwise `Down`), Name the control port (`cdc-wdm0`), IMEI,
//!   SupportedAccessTechnologies from the supported capabilities (GSM/UMTS → GPRS, EDGE, UMTS,
//!   UMTSHSPA; CDMA/EVDO → CDMA2000OneX, CDMA2000HRPD; LTE; 5GNR → NR),
//!   CurrentAccessTechnology the newest technology in use, NetworkInUse the 3GPP operator name,
//!   USIM.{Status, IMSI, ICCID, MSISDN}. Enable, LowerLayers and the radio selection are not
//!   served (ModemManager owns the radio; nothing in UCI says how to set them), nor RSSI
//!   (ModemManager's `SignalQuality` is a percentage, not dBm).
//! - `AccessPoint.{i}`: one per `network` `interface` section with `proto 'modemmanager'`
//!   (AddObject creates `cwmpd_apn_<n>`, disabled). Enable ↔ `disabled`, APN ↔ `apn`,
//!   Username ↔ `username`, Password ↔ `password` (write-only), Interface ↔ `device` (the
//!   modem's sysfs path, as ModemManager's `Device` property gives it). netifd is reloaded
//!   after the session (the `network` package changed).

use super::ip_interface::NETWORK_PACKAGE;
use super::section_table::{find, instance_number, Numbered, SectionTable};
use super::uci_value::{bool_option, uci_bool};
use crate::datamodel::{
    Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};
use crate::live::cellular::{state, Modem};

const CELLULAR: &str = "Device.Cellular.";
const INTERFACE: &str = "Device.Cellular.Interface.{i}.";
const USIM: &str = "Device.Cellular.Interface.{i}.USIM.";
const ACCESS_POINT: &str = "Device.Cellular.AccessPoint.{i}.";
const INTERFACE_PREFIX: &str = "Device.Cellular.Interface.";
const PROTO: &str = "modemmanager";

const ACCESS_POINTS: SectionTable = SectionTable {
    package: NETWORK_PACKAGE,
    section_type: "interface",
    name_prefix: "cwmpd_apn",
};

const ACCESS_TECHNOLOGIES: &[&str] = &[
    "GPRS",
    "EDGE",
    "UMTS",
    "UMTSHSPA",
    "CDMA2000OneX",
    "CDMA2000HRPD",
    "LTE",
    "NR",
];

/// `MMModemAccessTechnology` bits → TR-181 names, newest last.
const TECHNOLOGY_BITS: &[(u32, &str)] = &[
    (1 << 1 | 1 << 2 | 1 << 3, "GPRS"), // GSM, GSM compact, GPRS
    (1 << 4, "EDGE"),
    (1 << 5, "UMTS"),
    (1 << 6 | 1 << 7 | 1 << 8 | 1 << 9, "UMTSHSPA"), // HSDPA, HSUPA, HSPA, HSPA+
    (1 << 10, "CDMA2000OneX"),
    (1 << 11 | 1 << 12 | 1 << 13, "CDMA2000HRPD"), // EVDO rev 0, A, B
    (1 << 14 | 1 << 16 | 1 << 17, "LTE"),          // LTE, LTE Cat-M, NB-IoT
    (1 << 15, "NR"),
];

/// `MMModemCapability` bits → the TR-181 technologies of that family.
const CAPABILITY_BITS: &[(u32, &[&str])] = &[
    (1 << 2, &["GPRS", "EDGE", "UMTS", "UMTSHSPA"]), // GSM/UMTS
    (1 << 1, &["CDMA2000OneX", "CDMA2000HRPD"]),     // CDMA/EVDO
    (1 << 3, &["LTE"]),
    (1 << 6, &["NR"]),
];

pub struct CellularArea;

impl Area for CellularArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let count = || Type::unsigned_int();
        let technologies = || Type::any_string().enumeration(ACCESS_TECHNOLOGIES);
        let digits = |min, max| Type::string(max).size(Some(min), Some(max));
        vec![
            ObjectDef::new(CELLULAR)
                .param(ParamDef::read_only("InterfaceNumberOfEntries", count()))
                .param(ParamDef::read_only("AccessPointNumberOfEntries", count())),
            ObjectDef::new(INTERFACE)
                .param(ParamDef::read_only(
                    "Status",
                    Type::any_string().enumeration(&[
                        "Up",
                        "Down",
                        "Unknown",
                        "Dormant",
                        "NotPresent",
                        "LowerLayerDown",
                        "Error",
                    ]),
                ))
                .param(ParamDef::read_only("Name", Type::string(64)))
                .param(ParamDef::read_only("IMEI", digits(15, 15)))
                .param(ParamDef::read_only(
                    "SupportedAccessTechnologies",
                    technologies().list(),
                ))
                .param(ParamDef::read_only(
                    "CurrentAccessTechnology",
                    Type::any_string(),
                ))
                .param(ParamDef::read_only("NetworkInUse", Type::string(64))),
            ObjectDef::new(USIM)
                .param(ParamDef::read_only(
                    "Status",
                    Type::any_string().enumeration(&[
                        "None",
                        "Available",
                        "Valid",
                        "Blocked",
                        "Error",
                    ]),
                ))
                .param(ParamDef::read_only("IMSI", digits(14, 15)))
                .param(ParamDef::read_only("ICCID", digits(6, 20)))
                .param(ParamDef::read_only("MSISDN", digits(14, 15))),
            ObjectDef::writable_table(ACCESS_POINT)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_write("APN", Type::string(64)))
                .param(ParamDef::read_write("Username", Type::string(256)))
                .param(ParamDef::read_write("Password", Type::string(256)).hidden())
                .param(ParamDef::read_write("Interface", Type::any_string())),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        let members: Vec<&ConfigSection> = network.iter().filter(|s| is_access_point(s)).collect();
        let access_points = ACCESS_POINTS.number(ctx.instances, ACCESS_POINT, &members);
        let live = ctx.live;
        let keys: Vec<String> = live.cellular.modems.iter().map(modem_key).collect();
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let numbered = ctx.instances.table(INTERFACE).assign(&key_refs);
        let modems = numbered
            .into_iter()
            .filter_map(|(number, key)| {
                let modem = live.cellular.modems.iter().find(|m| modem_key(m) == key)?;
                Some((number, modem.clone()))
            })
            .collect();
        Ok(Box::new(CellularView {
            network,
            access_points,
            modems,
        }))
    }
}

fn is_access_point(section: &ConfigSection) -> bool {
    section.section_type == "interface" && section.get("proto").as_deref() == Some(PROTO)
}

/// A modem's stable identity: its IMEI, else its device path.
fn modem_key(modem: &Modem) -> String {
    match modem.imei.is_empty() {
        true => modem.device.clone(),
        false => modem.imei.clone(),
    }
}

struct CellularView {
    network: Vec<ConfigSection>,
    access_points: Vec<Numbered>,
    /// `(number, modem)`, ascending.
    modems: Vec<(u32, Modem)>,
}

impl CellularView {
    fn modem(&self, number: u32) -> Result<&Modem, Error> {
        let found = self.modems.iter().find(|(n, _)| *n == number);
        found
            .map(|(_, modem)| modem)
            .ok_or_else(|| Error::invalid_name(""))
    }

    /// The Interface a section's `device` names, as a path; empty when no modem has it.
    fn interface_ref(&self, section: &ConfigSection) -> String {
        let device = section.get("device").unwrap_or_default();
        let found = self
            .modems
            .iter()
            .find(|(_, m)| !device.is_empty() && m.device == device);
        found.map_or_else(String::new, |(number, _)| {
            format!("{INTERFACE_PREFIX}{number}")
        })
    }

    /// The modem an Interface path names (`Device.Cellular.Interface.2` or with a dot).
    fn modem_by_ref(&self, path: &str) -> Result<&Modem, Error> {
        let number = path
            .strip_prefix(INTERFACE_PREFIX)
            .map(|rest| rest.trim_end_matches('.'))
            .and_then(|rest| rest.parse::<u32>().ok());
        let unknown = || Error::invalid_value("", format!("{path:?} is not a cellular interface"));
        self.modem(number.ok_or_else(unknown)?)
            .map_err(|_| unknown())
    }
}

fn status(modem: &Modem) -> &'static str {
    match modem.state {
        state::FAILED => "Error",
        state::REGISTERED..=state::CONNECTED => "Up",
        state::ENABLED..state::REGISTERED => "Dormant",
        _ => "Down",
    }
}

fn supported_technologies(modem: &Modem) -> String {
    let names = CAPABILITY_BITS
        .iter()
        .filter(|(bits, _)| modem.supported_capabilities & bits != 0)
        .flat_map(|(_, names)| names.iter().copied());
    let mut ordered: Vec<&str> = ACCESS_TECHNOLOGIES.to_vec();
    let supported: Vec<&str> = names.collect();
    ordered.retain(|name| supported.contains(name));
    ordered.join(",")
}

fn current_technology(modem: &Modem) -> &'static str {
    let newest = TECHNOLOGY_BITS
        .iter()
        .rfind(|(bits, _)| modem.access_technologies & bits != 0);
    newest.map_or("", |(_, name)| name)
}

fn usim_status(modem: &Modem) -> &'static str {
    match (&modem.sim, modem.state) {
        (None, _) => "None",
        (Some(_), state::FAILED) => "Error",
        (Some(_), state::LOCKED) => "Blocked",
        (Some(_), _) => "Valid",
    }
}

fn interface_value(modem: &Modem, object: &str, name: &str) -> Result<Value, Error> {
    let sim = modem.sim.clone().unwrap_or_default();
    let text = match (object, name) {
        (INTERFACE, "Status") => status(modem).to_string(),
        (INTERFACE, "Name") => super::truncate_chars(&modem.primary_port, 64),
        (INTERFACE, "IMEI") => modem.imei.clone(),
        (INTERFACE, "SupportedAccessTechnologies") => supported_technologies(modem),
        (INTERFACE, "CurrentAccessTechnology") => current_technology(modem).to_string(),
        (INTERFACE, "NetworkInUse") => super::truncate_chars(&modem.operator_name, 64),
        (USIM, "Status") => usim_status(modem).to_string(),
        (USIM, "IMSI") => sim.imsi,
        (USIM, "ICCID") => sim.iccid,
        (USIM, "MSISDN") => modem
            .own_numbers
            .first()
            .map(|number| number.trim_start_matches('+').to_string())
            .unwrap_or_default(),
        _ => return Err(Error::not_served(name)),
    };
    Ok(Value::String(text))
}

impl AreaView for CellularView {
    fn get(&mut self, _ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let count = |n: usize| Value::from(u32::try_from(n).unwrap_or(u32::MAX));
        match param.object {
            CELLULAR => match param.name {
                "InterfaceNumberOfEntries" => Ok(count(self.modems.len())),
                "AccessPointNumberOfEntries" => Ok(count(self.access_points.len())),
                _ => Err(Error::not_served(param.name)),
            },
            INTERFACE | USIM => {
                let number = param.instances.first().copied();
                let modem = self.modem(number.ok_or_else(|| Error::invalid_name(""))?)?;
                interface_value(modem, param.object, param.name)
            }
            ACCESS_POINT => {
                let number = instance_number(param.instances)?;
                let section = &find(&self.access_points, number)?.section;
                Ok(match param.name {
                    "Enable" => Value::from(!bool_option(section, "disabled", false)),
                    "APN" => Value::from(section.get("apn").unwrap_or_default()),
                    "Username" => Value::from(section.get("username").unwrap_or_default()),
                    "Password" => Value::from(""),
                    "Interface" => Value::from(self.interface_ref(section)),
                    _ => return Err(Error::not_served(param.name)),
                })
            }
            _ => Err(Error::not_served(param.name)),
        }
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        if param.object != ACCESS_POINT {
            return Err(Error::not_writable(""));
        }
        let number = instance_number(param.instances)?;
        let name = find(&self.access_points, number)?.section.name.clone();
        let text = value.as_str().unwrap_or_default().to_string();
        let (option, new) = match param.name {
            // netifd skips an interface section with `disabled '1'`.
            "Enable" if value.as_bool() == Some(true) => ("disabled", String::new()),
            "Enable" => ("disabled", uci_bool(true).to_string()),
            "APN" => ("apn", text),
            "Username" => ("username", text),
            "Password" => ("password", text),
            "Interface" if text.is_empty() => ("device", text),
            "Interface" => ("device", self.modem_by_ref(&text)?.device.clone()),
            _ => return Err(Error::not_writable("")),
        };
        match new.is_empty() {
            true => tx.delete_option(NETWORK_PACKAGE, &name, option),
            false => tx.set_option(NETWORK_PACKAGE, &name, option, new),
        }
        Ok(())
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(match table.object {
            INTERFACE => self.modems.iter().map(|(number, _)| *number).collect(),
            ACCESS_POINT => self.access_points.iter().map(|a| a.number).collect(),
            _ => Vec::new(),
        })
    }

    fn add_instance(
        &mut self,
        ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<u32, Error> {
        let options = [("proto", PROTO), ("disabled", "1")];
        let (number, _) = ACCESS_POINTS.add(ctx, ACCESS_POINT, &self.network, &options, tx)?;
        Ok(number)
    }

    fn delete_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let number = instance_number(instance.instances)?;
        let section = find(&self.access_points, number)?.section.clone();
        ACCESS_POINTS.delete(&[ACCESS_POINT], &self.network, &section, tx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::cellular::Sim;

    fn modem(state: i32, access_technologies: u32, capabilities: u32) -> Modem {
        Modem {
            state,
            access_technologies,
            supported_capabilities: capabilities,
            sim: Some(Sim::default()),
            ..Modem::default()
        }
    }

    #[test]
    fn status_follows_the_modem_state() {
        let statuses: Vec<&str> = [-1, 0, 2, 3, 5, 6, 7, 8, 10, 11]
            .into_iter()
            .map(|state| status(&modem(state, 0, 0)))
            .collect();
        assert_eq!(
            statuses,
            ["Error", "Down", "Down", "Down", "Down", "Dormant", "Dormant", "Up", "Up", "Up"]
        );
    }

    #[test]
    fn technologies() {
        // HSPA+ on a 3G-only modem; GSM/UMTS capability.
        let umts = modem(11, 1 << 9, 1 << 2);
        assert_eq!(current_technology(&umts), "UMTSHSPA");
        assert_eq!(supported_technologies(&umts), "GPRS,EDGE,UMTS,UMTSHSPA");
        // 5G NSA: LTE and NR at once → the newer.
        let nsa = modem(11, 1 << 14 | 1 << 15, 1 << 2 | 1 << 3 | 1 << 6);
        assert_eq!(current_technology(&nsa), "NR");
        assert_eq!(
            supported_technologies(&nsa),
            "GPRS,EDGE,UMTS,UMTSHSPA,LTE,NR"
        );
        assert_eq!(current_technology(&modem(6, 0, 0)), "");
    }

    #[test]
    fn usim_status() {
        let mut locked = modem(2, 0, 0);
        assert_eq!(super::usim_status(&locked), "Blocked");
        locked.sim = None;
        assert_eq!(super::usim_status(&locked), "None");
        assert_eq!(super::usim_status(&modem(-1, 0, 0)), "Error");
        assert_eq!(super::usim_status(&modem(8, 0, 0)), "Valid");
    }
}
