//! `Device.WiFi.SSID.{i}.` — a UCI `wifi-iface` section and the interface netifd set up for
//! it (matched by section, else by the section's `ifname`).
//!
//! | TR-181 | OpenWrt | notes |
//! |---|---|---|
//! | Enable | `disabled` | the same flag as `AccessPoint.{i}.Enable`: OpenWrt has one per section; enabling removes it |
//! | Status | `disabled`, netifd's radio, the kernel's link | `Down` when it or its radio is disabled, `Unknown` without ubus, `LowerLayerDown` while the radio is not up, else the link's operational state (`Up` when netifd set it up and netlink has no word) |
//! | Name | the Linux interface (`wlan0`, `phy0-ap0`) | netifd's, else the section's `ifname` |
//! | LowerLayers | `device` | `Device.WiFi.Radio.{i}`; writing moves the interface to that radio |
//! | Upstream | `mode 'sta'` | |
//! | BSSID | iwinfo `bssid` | |
//! | MACAddress | the kernel's link address | else the BSSID (an AP's own address) |
//! | SSID | `ssid` | |
//! | Stats.* | the kernel's counters of the interface (sent = transmitted by the router) | |

use super::uci_value::bool_option;
use super::wifi::{Iface, WifiView, SSID, SSID_STATS, WIRELESS};
use super::wifi_radio::{counter64, link_counter, stat, with_link_counters};
use crate::datamodel::{Error, ObjectDef, ParamDef, ParamRef, Transaction, Type, Value};
use crate::live::services::wireless::Interface;
use crate::live::LiveState;

const RADIO_PATH: &str = "Device.WiFi.Radio.";

pub(crate) fn schema() -> Vec<ObjectDef> {
    let mac = || Type::string(17).data_type("MACAddress");
    vec![
        ObjectDef::writable_table(SSID)
            .param(ParamDef::read_write("Enable", Type::boolean()))
            .param(ParamDef::read_only(
                "Status",
                Type::any_string().enumeration(&[
                    "Up",
                    "Down",
                    "Unknown",
                    "Dormant",
                    "NotPresent",
                    "LowerLayerDown",
                ]),
            ))
            .param(ParamDef::read_only("Name", Type::string(64)))
            .param(ParamDef::read_write(
                "LowerLayers",
                Type::any_string().list().list_max_len(1024),
            ))
            .param(ParamDef::read_only("Upstream", Type::boolean()))
            .param(ParamDef::read_only("BSSID", mac()))
            .param(ParamDef::read_only("MACAddress", mac()))
            .param(ParamDef::read_write("SSID", Type::string(32))),
        with_link_counters(ObjectDef::new(SSID_STATS))
            .param(stat("MulticastPacketsReceived", counter64())),
    ]
}

/// The interface netifd set up for a section.
pub(crate) fn live_interface<'a>(live: &'a LiveState, iface: &Iface) -> Option<&'a Interface> {
    let ifname = iface.configured_ifname();
    live.services
        .wireless
        .interface(&iface.section.name, ifname.as_deref())
}

/// The Linux interface name: netifd's, else the section's `ifname`.
pub(crate) fn ifname(live: &LiveState, iface: &Iface) -> String {
    live_interface(live, iface)
        .map(|i| i.ifname.clone())
        .filter(|name| !name.is_empty())
        .or_else(|| iface.configured_ifname())
        .unwrap_or_default()
}

/// An SSID's `LowerLayers`: the radio of its section (`device`).
fn lower_layers(view: &WifiView, iface: &Iface) -> String {
    view.radio_of(iface)
        .map(|radio| format!("{RADIO_PATH}{}", radio.number))
        .unwrap_or_default()
}

/// `(Device.WiFi.SSID.N, LowerLayers)` of every SSID, for `Device.InterfaceStack.`.
pub(crate) fn stack_layers(view: &WifiView) -> Vec<(String, String)> {
    let ssids = view.ifaces.iter();
    ssids
        .map(|iface| {
            (
                format!("Device.WiFi.SSID.{}", iface.ssid),
                lower_layers(view, iface),
            )
        })
        .collect()
}

fn status(view: &WifiView, live: &LiveState, iface: &Iface) -> &'static str {
    if view.iface_disabled(iface) {
        return "Down";
    }
    let wireless = &live.services.wireless;
    if !wireless.available {
        return "Unknown";
    }
    let radio = view
        .radio_of(iface)
        .and_then(|radio| wireless.radio(&radio.section.name));
    if !radio.is_some_and(|radio| radio.up) {
        return "LowerLayerDown";
    }
    let Some(interface) = live_interface(live, iface).filter(|i| !i.ifname.is_empty()) else {
        return "NotPresent";
    };
    match live.net.link(&interface.ifname) {
        Some(link) if link.oper_state == "up" => "Up",
        Some(link) if link.oper_state == "dormant" => "Dormant",
        Some(_) => "Down",
        None => "Up",
    }
}

pub(crate) fn value(
    view: &WifiView,
    live: &LiveState,
    param: ParamRef<'_>,
) -> Result<Value, Error> {
    let iface = view.ssid(param.instances)?;
    let name = ifname(live, iface);
    let interface = live_interface(live, iface);
    let bssid = interface
        .and_then(|i| i.info.as_ref())
        .map(|info| info.bssid.clone())
        .unwrap_or_default();
    if param.object == SSID_STATS {
        let stats = live
            .net
            .link(&name)
            .map(|l| l.stats.clone())
            .unwrap_or_default();
        if let Some(value) = link_counter(&stats, param.name) {
            return Ok(value);
        }
        return match param.name {
            "MulticastPacketsReceived" => Ok(Value::Unsigned(stats.multicast)),
            other => Err(Error::not_served(other)),
        };
    }
    Ok(match param.name {
        "Enable" => Value::Boolean(!bool_option(&iface.section, "disabled", false)),
        "Status" => Value::from(status(view, live, iface)),
        "Name" => Value::String(name),
        "LowerLayers" => Value::String(lower_layers(view, iface)),
        "Upstream" => Value::Boolean(iface.mode() == "sta"),
        "MACAddress" => Value::String(
            live.net
                .link(&name)
                .map(|link| link.mac.clone())
                .filter(|mac| !mac.is_empty())
                .unwrap_or_else(|| bssid.clone()),
        ),
        "BSSID" => Value::String(bssid),
        "SSID" => Value::String(iface.section.get("ssid").unwrap_or_default()),
        other => return Err(Error::not_served(other)),
    })
}

pub(crate) fn set(
    view: &mut WifiView,
    param: ParamRef<'_>,
    value: &Value,
    tx: &mut Transaction,
) -> Result<(), Error> {
    let iface = view.ssid(param.instances)?;
    let id = iface.section.name.clone();
    let text = value.as_str().unwrap_or_default();
    match param.name {
        "Enable" => set_enable(tx, &id, value.as_bool() == Some(true)),
        "SSID" if text.is_empty() => {
            return Err(Error::invalid_value("", "an SSID has 1 to 32 characters"))
        }
        "SSID" => tx.set_option(WIRELESS, &id, "ssid", text),
        "LowerLayers" => {
            let number = text
                .strip_prefix(RADIO_PATH)
                .map(|rest| rest.strip_suffix('.').unwrap_or(rest))
                .and_then(|digits| digits.parse::<u32>().ok());
            let radio = number
                .and_then(|number| view.radios.iter().find(|r| r.number == number))
                .ok_or_else(|| {
                    Error::invalid_value("", format!("{text:?} is not a Device.WiFi.Radio"))
                })?;
            tx.set_option(WIRELESS, &id, "device", radio.section.name.as_str());
        }
        _ => return Err(Error::not_writable("")),
    }
    Ok(())
}

/// `disabled` of a `wifi-iface` (SSID and AccessPoint Enable).
pub(crate) fn set_enable(tx: &mut Transaction, section: &str, enable: bool) {
    match enable {
        true => tx.delete_option(WIRELESS, section, "disabled"),
        false => tx.set_option(WIRELESS, section, "disabled", "1"),
    }
}
