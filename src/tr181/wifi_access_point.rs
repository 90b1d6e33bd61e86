//! `Device.WiFi.AccessPoint.{i}.` — a UCI `wifi-iface` section in `mode 'ap'` — with its
//! `Security.` and the stations hostapd and iwinfo report on its interface
//! (`AssociatedDevice.{i}`, numbered by MAC address).
//!
//! | TR-181 | OpenWrt | notes |
//! |---|---|---|
//! | Enable | `disabled` | the same flag as `SSID.{i}.Enable` |
//! | Status | `disabled` | `Disabled` when it or its radio is disabled, else `Enabled` |
//! | SSIDReference | — | its own `Device.WiFi.SSID.{i}` (one section on OpenWrt); only that is accepted |
//! | SSIDAdvertisementEnabled | `hidden` | inverted |
//! | IsolationEnable | `isolate` | |
//! | Security.ModeEnabled | `encryption` | see below; a cipher suffix (`psk2+ccmp`) is dropped on write |
//! | Security.KeyPassphrase | `key` | write-only (reads empty, TR-181 `secured`) |
//!
//! Modes: `none` None, `psk` WPA-Personal, `psk2` WPA2-Personal, `psk-mixed`
//! WPA-WPA2-Personal, `sae` WPA3-Personal, `sae-mixed` WPA3-Personal-Transition (TR-181's name
//! for WPA2/WPA3 transition), `owe` OWE, `wpa`/`wpa2`/`wpa3`/`wpa-mixed` the Enterprise modes,
//! `wep-*` WEP-64/WEP-128 by key length (read only). A Personal mode needs a key of 8–63
//! characters (set or already there), an Enterprise one an `auth_server`.
//!
//! | `AssociatedDevice.{i}` | hostapd `get_clients` + iwinfo `assoclist` |
//! |---|---|
//! | MACAddress, AuthenticationState (`authorized`), Active (`assoc`) | |
//! | LastDataDownlinkRate, LastDataUplinkRate | the last transmit / receive rate, kbit/s |
//! | OperatingStandard | the last transmit rate's kind (EHT be, HE ax, VHT ac, HT n; legacy a on 5 GHz, b at 1–11 Mbit/s on 2.4 GHz, else g) |
//! | SignalStrength, Noise, SNR | dBm, dBm, dB |
//! | AssociationTime | the snapshot's time minus `connected_time` |
//! | Stats.Bytes/Packets Sent/Received, RetransCount, FailedRetransCount | the driver's counters (`tx retries`, `tx failed`) |

use std::collections::BTreeMap;

use super::uci_value::bool_option;
use super::wifi::{
    Iface, WifiView, ACCESS_POINT, ASSOCIATED_DEVICE, ASSOCIATED_DEVICE_STATS, SECURITY, WIRELESS,
};
use super::wifi_radio::{band, counter32};
use super::wifi_ssid::{live_interface, set_enable};
use crate::datamodel::value::UNKNOWN_TIME_SECS;
use crate::datamodel::ActiveNotify;

const CAN_DENY: ActiveNotify = ActiveNotify::CanDeny;
use crate::datamodel::{Error, ObjectDef, ParamDef, ParamRef, Transaction, Type, Value};
use crate::live::services::wireless::{RateKind, Station};
use crate::live::LiveState;

const MODES: &[&str] = &[
    "None",
    "WEP-64",
    "WEP-128",
    "WPA-Personal",
    "WPA2-Personal",
    "WPA3-Personal",
    "WPA-WPA2-Personal",
    "WPA3-Personal-Transition",
    "WPA-Enterprise",
    "WPA2-Enterprise",
    "WPA3-Enterprise",
    "WPA-WPA2-Enterprise",
    "OWE",
];

/// (TR-181 mode, UCI `encryption`) for every mode cwmpd writes.
const WRITABLE_MODES: &[(&str, &str)] = &[
    ("None", "none"),
    ("WPA-Personal", "psk"),
    ("WPA2-Personal", "psk2"),
    ("WPA-WPA2-Personal", "psk-mixed"),
    ("WPA3-Personal", "sae"),
    ("WPA3-Personal-Transition", "sae-mixed"),
    ("OWE", "owe"),
    ("WPA-Enterprise", "wpa"),
    ("WPA2-Enterprise", "wpa2"),
    ("WPA3-Enterprise", "wpa3"),
    ("WPA-WPA2-Enterprise", "wpa-mixed"),
];

pub(crate) fn schema() -> Vec<ObjectDef> {
    let counter64 = || Type::unsigned_long().data_type("StatsCounter64");
    let counter32 = || Type::unsigned_int().data_type("StatsCounter32");
    let rate = || Type::unsigned_int().range(Some(1000), None);
    let dbm = || Type::int().range(Some(-200), Some(0));
    vec![
        ObjectDef::writable_table(ACCESS_POINT)
            .param(ParamDef::read_write("Enable", Type::boolean()))
            .param(ParamDef::read_only(
                "Status",
                Type::any_string().enumeration(&["Disabled", "Enabled", "Error_Misconfigured"]),
            ))
            .param(ParamDef::read_write("SSIDReference", Type::string(256)))
            .param(ParamDef::read_write(
                "SSIDAdvertisementEnabled",
                Type::boolean(),
            ))
            .param(ParamDef::read_write("IsolationEnable", Type::boolean()))
            .param(ParamDef::read_only(
                "AssociatedDeviceNumberOfEntries",
                Type::unsigned_int(),
            )),
        ObjectDef::new(SECURITY)
            .param(ParamDef::read_only(
                "ModesSupported",
                Type::any_string().enumeration(MODES).list(),
            ))
            .param(ParamDef::read_write("ModeEnabled", Type::any_string()))
            .param(
                ParamDef::read_write("KeyPassphrase", Type::any_string().size(Some(8), Some(63)))
                    .hidden(),
            ),
        ObjectDef::new(ASSOCIATED_DEVICE)
            .without_alias()
            .param(ParamDef::read_only(
                "MACAddress",
                Type::string(17).data_type("MACAddress"),
            ))
            .param(ParamDef::read_only(
                "OperatingStandard",
                Type::any_string().enumeration(&["a", "b", "g", "n", "ac", "ax", "be"]),
            ))
            .param(ParamDef::read_only("AuthenticationState", Type::boolean()))
            .param(ParamDef::read_only("LastDataDownlinkRate", rate()).active_notify(CAN_DENY))
            .param(ParamDef::read_only("LastDataUplinkRate", rate()).active_notify(CAN_DENY))
            .param(ParamDef::read_only("AssociationTime", Type::date_time()))
            .param(ParamDef::read_only("SignalStrength", dbm()))
            .param(ParamDef::read_only("Noise", dbm()))
            .param(ParamDef::read_only("SNR", Type::unsigned_int()))
            .param(ParamDef::read_only("Active", Type::boolean())),
        ObjectDef::new(ASSOCIATED_DEVICE_STATS)
            .param(ParamDef::read_only("BytesSent", counter64()))
            .param(ParamDef::read_only("BytesReceived", counter64()))
            .param(ParamDef::read_only("PacketsSent", counter64()))
            .param(ParamDef::read_only("PacketsReceived", counter64()))
            .param(ParamDef::read_only("RetransCount", counter32()))
            .param(ParamDef::read_only("FailedRetransCount", counter32())),
    ]
}

/// ModeEnabled and KeyPassphrase of one SetParameterValues, per access point number: a mode
/// needs its key.
#[derive(Debug, Clone, Default)]
pub(crate) struct PendingSecurity {
    modes: BTreeMap<u32, &'static str>,
    keys: BTreeMap<u32, String>,
}

/// The TR-181 mode of an `encryption` (and, for WEP, the key in use).
pub(crate) fn mode_of(encryption: &str, wep_key: Option<&str>) -> &'static str {
    let base = encryption.split('+').next().unwrap_or_default();
    if let Some((mode, _)) = WRITABLE_MODES.iter().find(|(_, uci)| *uci == base) {
        return mode;
    }
    match base {
        "" => "None",
        wep if wep.starts_with("wep") => {
            let key = wep_key.unwrap_or_default();
            let key = key.strip_prefix("s:").unwrap_or(key);
            match key.len() {
                13 | 26 => "WEP-128",
                _ => "WEP-64",
            }
        }
        _ => "",
    }
}

/// The key of a WEP section: `key` names `key1`…`key4`.
fn wep_key(iface: &Iface) -> Option<String> {
    let index = iface.section.get("key")?;
    iface.section.get(&format!("key{index}"))
}

fn modes_supported(current: &str) -> String {
    let mut modes: Vec<&str> = WRITABLE_MODES.iter().map(|(mode, _)| *mode).collect();
    if !current.is_empty() && !modes.contains(&current) {
        modes.push(current);
    }
    modes.join(",")
}

/// The standard of a station's last transmit rate.
pub(crate) fn station_standard(station: &Station, band: &str) -> &'static str {
    match station.tx_rate_kind {
        RateKind::Eht => "be",
        RateKind::He => "ax",
        RateKind::Vht => "ac",
        RateKind::Ht => "n",
        RateKind::Legacy if band == "2.4GHz" => match station.tx_rate_kbps {
            Some(1000 | 2000 | 5500 | 11_000) => "b",
            _ => "g",
        },
        RateKind::Legacy => "a",
    }
}

pub(crate) fn value(
    view: &WifiView,
    live: &LiveState,
    param: ParamRef<'_>,
) -> Result<Value, Error> {
    let iface = view.access_point(param.instances)?;
    match param.object {
        ACCESS_POINT => access_point_value(view, iface, param.name),
        SECURITY => {
            let encryption = iface.section.get("encryption").unwrap_or_default();
            let mode = mode_of(&encryption, wep_key(iface).as_deref());
            Ok(match param.name {
                "ModesSupported" => Value::String(modes_supported(mode)),
                "ModeEnabled" => Value::from(mode),
                "KeyPassphrase" => Value::from(""),
                name => return Err(Error::not_served(name)),
            })
        }
        _ => {
            let number = *param
                .instances
                .last()
                .ok_or_else(|| Error::invalid_name(""))?;
            let station = iface
                .stations
                .iter()
                .find(|(n, _)| *n == number)
                .map(|(_, station)| station)
                .ok_or_else(|| Error::invalid_name(""))?;
            let radio = view.radio_of(iface);
            let info = live_interface(live, iface).and_then(|i| i.info.as_ref());
            let section = radio.map(|r| &r.section);
            let band = band(
                section.and_then(|s| s.get("band")).as_deref(),
                section.and_then(|s| s.get("hwmode")).as_deref(),
                info,
            );
            station_value(station, band, param.object, param.name)
        }
    }
}

fn access_point_value(view: &WifiView, iface: &Iface, name: &str) -> Result<Value, Error> {
    Ok(match name {
        "Enable" => Value::Boolean(!bool_option(&iface.section, "disabled", false)),
        "Status" => Value::from(if view.iface_disabled(iface) {
            "Disabled"
        } else {
            "Enabled"
        }),
        "SSIDReference" => Value::String(format!("Device.WiFi.SSID.{}", iface.ssid)),
        "SSIDAdvertisementEnabled" => Value::Boolean(!bool_option(&iface.section, "hidden", false)),
        "IsolationEnable" => Value::Boolean(bool_option(&iface.section, "isolate", false)),
        "AssociatedDeviceNumberOfEntries" => Value::Unsigned(iface.stations.len() as u64),
        name => return Err(Error::not_served(name)),
    })
}

fn station_value(station: &Station, band: &str, object: &str, name: &str) -> Result<Value, Error> {
    if object == ASSOCIATED_DEVICE_STATS {
        return Ok(match name {
            "BytesSent" => Value::Unsigned(station.tx_bytes),
            "BytesReceived" => Value::Unsigned(station.rx_bytes),
            "PacketsSent" => Value::Unsigned(station.tx_packets),
            "PacketsReceived" => Value::Unsigned(station.rx_packets),
            "RetransCount" => counter32(station.tx_retries.unwrap_or_default()),
            "FailedRetransCount" => counter32(station.tx_failed.unwrap_or_default()),
            name => return Err(Error::not_served(name)),
        });
    }
    let rate = |kbps: Option<u32>| Value::Unsigned(kbps.unwrap_or_default().into());
    let dbm = |value: Option<i32>| Value::Int(value.unwrap_or_default().into());
    Ok(match name {
        "MACAddress" => Value::String(station.mac.clone()),
        "OperatingStandard" => Value::from(station_standard(station, band)),
        "AuthenticationState" => Value::Boolean(station.authorized),
        "LastDataDownlinkRate" => rate(station.tx_rate_kbps),
        "LastDataUplinkRate" => rate(station.rx_rate_kbps),
        "AssociationTime" => Value::DateTime(station.associated_since.unwrap_or(UNKNOWN_TIME_SECS)),
        "SignalStrength" => dbm(station.signal),
        "Noise" => dbm(station.noise),
        "SNR" => Value::Unsigned(match (station.signal, station.noise) {
            (Some(signal), Some(noise)) => u64::try_from(signal - noise).unwrap_or(0),
            _ => 0,
        }),
        "Active" => Value::Boolean(station.associated),
        name => return Err(Error::not_served(name)),
    })
}

pub(crate) fn set(
    view: &mut WifiView,
    param: ParamRef<'_>,
    value: &Value,
    tx: &mut Transaction,
) -> Result<(), Error> {
    let iface = view.access_point(param.instances)?;
    let (number, ssid, id) = (
        iface.access_point.unwrap_or_default(),
        iface.ssid,
        iface.section.name.clone(),
    );
    let text = value.as_str().unwrap_or_default();
    let flag = value.as_bool().unwrap_or_default();
    match param.name {
        "Enable" => set_enable(tx, &id, flag),
        "SSIDReference" => {
            let own = format!("Device.WiFi.SSID.{ssid}");
            if text.trim_end_matches('.') != own {
                return Err(Error::invalid_value(
                    "",
                    format!("an OpenWrt access point is its own SSID, {own}"),
                ));
            }
        }
        "SSIDAdvertisementEnabled" if flag => tx.delete_option(WIRELESS, &id, "hidden"),
        "SSIDAdvertisementEnabled" => tx.set_option(WIRELESS, &id, "hidden", "1"),
        "IsolationEnable" => tx.set_option(WIRELESS, &id, "isolate", if flag { "1" } else { "0" }),
        "ModeEnabled" => {
            let (mode, _) = WRITABLE_MODES
                .iter()
                .find(|(mode, _)| *mode == text)
                .ok_or_else(|| {
                    Error::invalid_value("", format!("{text:?} is not in ModesSupported"))
                })?;
            view.pending_security.modes.insert(number, mode);
        }
        "KeyPassphrase" => {
            view.pending_security.keys.insert(number, text.to_string());
            tx.set_option(WIRELESS, &id, "key", text);
        }
        _ => return Err(Error::not_writable("")),
    }
    Ok(())
}

/// Stage the modes set, checking each has what it needs (a key, a RADIUS server).
pub(crate) fn finish_set(view: &mut WifiView, tx: &mut Transaction) -> Result<(), Error> {
    let pending = std::mem::take(&mut view.pending_security);
    for (number, mode) in pending.modes {
        let iface = view.access_point(&[number])?;
        let param = format!("Device.WiFi.AccessPoint.{number}.Security.ModeEnabled");
        let key = pending
            .keys
            .get(&number)
            .cloned()
            .or_else(|| iface.section.get("key"))
            .unwrap_or_default();
        if mode.ends_with("-Personal") || mode.ends_with("-Transition") {
            let length = key.chars().count();
            let hex_key = length == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
            if !((8..=63).contains(&length) || hex_key) {
                return Err(Error::invalid_value(
                    &param,
                    format!("{mode} needs KeyPassphrase"),
                ));
            }
        }
        if mode.ends_with("-Enterprise") && iface.section.get("auth_server").is_none() {
            return Err(Error::invalid_value(
                &param,
                format!("{mode} needs a RADIUS server (auth_server)"),
            ));
        }
        let encryption = WRITABLE_MODES
            .iter()
            .find(|(m, _)| *m == mode)
            .map(|(_, uci)| *uci)
            .unwrap_or("none");
        tx.set_option(WIRELESS, &iface.section.name, "encryption", encryption);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_to_mode() {
        assert_eq!(mode_of("none", None), "None");
        assert_eq!(mode_of("", None), "None");
        assert_eq!(mode_of("psk2", None), "WPA2-Personal");
        assert_eq!(mode_of("psk2+ccmp", None), "WPA2-Personal");
        assert_eq!(mode_of("psk-mixed+tkip+ccmp", None), "WPA-WPA2-Personal");
        assert_eq!(mode_of("sae", None), "WPA3-Personal");
        assert_eq!(mode_of("sae-mixed", None), "WPA3-Personal-Transition");
        assert_eq!(mode_of("owe", None), "OWE");
        assert_eq!(mode_of("wpa2", None), "WPA2-Enterprise");
        assert_eq!(mode_of("wep-open", Some("s:abcde")), "WEP-64");
        assert_eq!(
            mode_of("wep-shared", Some("0123456789abcdef0123456789")),
            "WEP-128"
        );
        assert_eq!(mode_of("wpa3-192", None), "");
        assert_eq!(
            modes_supported("WEP-64").split(',').next_back(),
            Some("WEP-64")
        );
        assert_eq!(modes_supported("None").split(',').count(), 11);
    }

    #[test]
    fn station_standards() {
        let mut station = Station {
            tx_rate_kbps: Some(11_000),
            ..Station::default()
        };
        assert_eq!(station_standard(&station, "2.4GHz"), "b");
        station.tx_rate_kbps = Some(54_000);
        assert_eq!(station_standard(&station, "2.4GHz"), "g");
        assert_eq!(station_standard(&station, "5GHz"), "a");
        station.tx_rate_kind = RateKind::He;
        assert_eq!(station_standard(&station, "5GHz"), "ax");
    }
}
