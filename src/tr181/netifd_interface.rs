//! What the IP, PPP and DHCPv4 client areas share about a netifd interface (a UCI `network`
//! `interface` section and, while netifd runs, its live state).
//!
//! - **Enable** is UCI `disabled`: netifd skips an interface section with `disabled '1'`
//!   altogether (`config_parse_interface`), so it is the one switch that turns an interface
//!   off and keeps it off across reboots. (`auto '0'` only keeps it from coming up at boot:
//!   it is left as it is.) cwmpd writes `disabled '1'` to disable and removes the option to
//!   enable.
//! - **Status** comes from netifd: `Up` while up, `Dormant` while pending (a DHCP or PPP
//!   exchange under way, TR-181's "waiting for some external event"), `LowerLayerDown` when
//!   its device is missing (netifd's `available` false), else `Down`; `Unknown` when netifd
//!   could not be asked.
//! - **Reset** is `ifup`: `network.interface.NAME down` then `up`, after the session.
//! - **Stats** are the kernel's counters of the Linux device carrying the interface
//!   (`l3_device` while up, else the configured `device`): netlink's when the snapshot has
//!   the link (it is the fresher source), else netifd's `network.device status` (the same
//!   `/sys/class/net/*/statistics` counters). Unicast, broadcast and sent-multicast counts and
//!   unknown-protocol drops are not kept by the kernel per device and are not served.

use crate::datamodel::{
    ActiveNotify, ConfigSection, ObjectDef, ParamDef, Transaction, Type, Value,
};
use crate::live::net::LinkStats;
use crate::live::services::NetifdInterface;
use crate::live::LiveState;
use crate::platform::Action;

use super::ip_interface::NETWORK_PACKAGE;
use super::uci_value::bool_option;

/// The protocols whose link is a PPP session (`ppp.sh`; cwmpd maps only PPPoE so far).
pub(crate) const PPP_PROTOS: &[&str] = &["pppoe"];

/// TR-181 `Status` of interfaces (IP, PPP).
pub(crate) const INTERFACE_STATUS: &[&str] = &[
    "Up",
    "Down",
    "Unknown",
    "Dormant",
    "NotPresent",
    "LowerLayerDown",
];

/// Whether the section is enabled (no `disabled '1'`).
pub(crate) fn enabled(section: &ConfigSection) -> bool {
    !bool_option(section, "disabled", false)
}

/// Stage Enable.
pub(crate) fn set_enabled(tx: &mut Transaction, section: &ConfigSection, enable: bool) {
    match (enable, enabled(section)) {
        (true, false) => tx.delete_option(NETWORK_PACKAGE, &section.name, "disabled"),
        (false, true) => tx.set_option(NETWORK_PACKAGE, &section.name, "disabled", "1"),
        _ => {}
    }
}

/// The live state of interface `name`, when netifd reported it.
pub(crate) fn netifd<'a>(live: &'a LiveState, name: &str) -> Option<&'a NetifdInterface> {
    live.services.netifd.interface(name)
}

/// TR-181 `Status` of the interface of `section`.
pub(crate) fn status(live: &LiveState, section: &ConfigSection) -> &'static str {
    if !enabled(section) {
        return "Down";
    }
    if !live.services.netifd.available {
        return "Unknown";
    }
    match netifd(live, &section.name) {
        Some(iface) if iface.up => "Up",
        Some(iface) if !iface.available => "LowerLayerDown",
        Some(iface) if iface.pending => "Dormant",
        _ => "Down",
    }
}

/// Stage `ifup NAME` (down, then up) for after the session.
pub(crate) fn reset(tx: &mut Transaction, name: &str) {
    for method in ["down", "up"] {
        tx.after_session(Action::UbusCall {
            object: format!("network.interface.{name}"),
            method: method.to_string(),
        });
    }
}

/// The Linux device carrying the interface: netifd's `l3_device` while up, else the
/// configured `device` (its first word: 19.07's `ifname` lists several).
pub(crate) fn linux_device(live: &LiveState, section: &ConfigSection) -> Option<String> {
    let l3 = netifd(live, &section.name)
        .map(|iface| iface.l3_device.clone())
        .filter(|device| !device.is_empty());
    l3.or_else(|| {
        section
            .get("device")
            .or_else(|| section.get("ifname"))
            .and_then(|device| device.split_whitespace().next().map(str::to_string))
    })
}

/// The kernel counters of a Linux device: netlink's, else netifd's; zero when neither
/// knows the device (it does not exist, so nothing was counted).
pub(crate) fn device_stats(live: &LiveState, device: Option<&str>) -> LinkStats {
    let Some(device) = device else {
        return LinkStats::default();
    };
    live.net
        .link(device)
        .map(|link| link.stats.clone())
        .or_else(|| {
            live.services
                .netifd
                .device(device)
                .map(|dev| dev.stats.clone())
        })
        .unwrap_or_default()
}

/// The counters of `Stats.` objects that the kernel keeps per device.
const STATS: &[(&str, bool)] = &[
    ("BytesSent", true),
    ("BytesReceived", true),
    ("PacketsSent", true),
    ("PacketsReceived", true),
    ("ErrorsSent", false),
    ("ErrorsReceived", false),
    ("DiscardPacketsSent", false),
    ("DiscardPacketsReceived", false),
    ("MulticastPacketsReceived", true),
];

/// An interface's `Stats.` object (TR-181: StatsCounter64 for bytes and packets,
/// StatsCounter32 for errors and discards; all activeNotify canDeny).
pub(crate) fn stats_object(path: &'static str) -> ObjectDef {
    STATS
        .iter()
        .fold(ObjectDef::new(path), |object, (name, wide)| {
            let ty = match wide {
                true => Type::unsigned_long().data_type("StatsCounter64"),
                false => Type::unsigned_int().data_type("StatsCounter32"),
            };
            object.param(ParamDef::read_only(name, ty).active_notify(ActiveNotify::CanDeny))
        })
}

/// One counter of a `Stats.` object; 32-bit counters wrap as the kernel's would.
pub(crate) fn stats_value(stats: &LinkStats, name: &str) -> Option<Value> {
    let wide = match name {
        "BytesSent" => stats.tx_bytes,
        "BytesReceived" => stats.rx_bytes,
        "PacketsSent" => stats.tx_packets,
        "PacketsReceived" => stats.rx_packets,
        "MulticastPacketsReceived" => stats.multicast,
        "ErrorsSent" => return Some(Value::Unsigned(stats.tx_errors & 0xffff_ffff)),
        "ErrorsReceived" => return Some(Value::Unsigned(stats.rx_errors & 0xffff_ffff)),
        "DiscardPacketsSent" => return Some(Value::Unsigned(stats.tx_dropped & 0xffff_ffff)),
        "DiscardPacketsReceived" => return Some(Value::Unsigned(stats.rx_dropped & 0xffff_ffff)),
        _ => return None,
    };
    Some(Value::Unsigned(wide))
}

/// The interface sections of `network`, in file order.
pub(crate) fn interface_sections(network: &[ConfigSection]) -> Vec<&ConfigSection> {
    network
        .iter()
        .filter(|section| section.section_type == "interface" && !section.anonymous)
        .collect()
}

/// The `proto` of an interface section (netifd's default is none).
pub(crate) fn proto(section: &ConfigSection) -> String {
    section.get("proto").unwrap_or_else(|| "none".to_string())
}
