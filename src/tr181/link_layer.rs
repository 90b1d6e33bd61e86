//! Pieces shared by the link-layer areas (`ethernet.rs`, `bridging.rs`): the TR-181
//! interface `Status` from a netlink link, the `Stats.` objects from the kernel's counters,
//! and netifd's per-device options (`config device` sections of UCI `network`).

use std::collections::BTreeMap;

use super::uci_value::bool_option;
use crate::datamodel::{
    ActiveNotify, ConfigSection, Error, ObjectDef, ParamDef, Transaction, Type, Value,
};
use crate::live::NetState;

pub(crate) const NETWORK: &str = "network";

/// TR-181's interface `Status` (TR-181 §4.2.2, RFC 2863 `ifOperStatus`) of the Linux device
/// `name`: `Down` while administratively down, else the kernel's operational state;
/// `NotPresent` when the kernel has no such device, `Unknown` when netlink was not read.
pub(crate) fn interface_status(net: &NetState, name: &str) -> &'static str {
    if !net.available {
        return "Unknown";
    }
    let Some(link) = net.link(name) else {
        return "NotPresent";
    };
    if !link.admin_up {
        return "Down";
    }
    match link.oper_state.as_str() {
        "up" => "Up",
        "down" => "Down",
        "dormant" => "Dormant",
        "lowerlayerdown" => "LowerLayerDown",
        "notpresent" => "NotPresent",
        _ => "Unknown",
    }
}

/// The enumeration of interface `Status` parameters (without the optional `Error`).
pub(crate) const INTERFACE_STATUS: &[&str] = &[
    "Up",
    "Down",
    "Unknown",
    "Dormant",
    "NotPresent",
    "LowerLayerDown",
];

/// The counters the kernel keeps (`IFLA_STATS64`), as TR-181 names them; true for
/// `StatsCounter64`, false for `StatsCounter32`. The kernel counts no unicast or broadcast
/// packets and no multicast packets sent, so those parameters are not served.
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

/// A `….Stats.` object with the kernel's counters (plus `Collisions` when `collisions`).
pub(crate) fn stats_object(path: &'static str, collisions: bool) -> ObjectDef {
    let counter = |name: &'static str, wide: bool| {
        let ty = match wide {
            true => Type::unsigned_long().data_type("StatsCounter64"),
            false => Type::unsigned_int().data_type("StatsCounter32"),
        };
        ParamDef::read_only(name, ty).active_notify(ActiveNotify::CanDeny)
    };
    let mut object = ObjectDef::new(path);
    for (name, wide) in STATS {
        object = object.param(counter(name, *wide));
    }
    if collisions {
        object = object.param(counter("Collisions", true));
    }
    object
}

/// A counter of the Linux device `name`; 0 when the kernel has no such device. 32-bit
/// counters wrap as the kernel's 64-bit ones would in 32 bits.
pub(crate) fn stats_value(net: &NetState, name: &str, parameter: &str) -> Result<Value, Error> {
    let stats = net
        .link(name)
        .map(|link| link.stats.clone())
        .unwrap_or_default();
    let wide = |value: u64| Ok(Value::Unsigned(value));
    let narrow = |value: u64| Ok(Value::Unsigned(u64::from(value as u32)));
    match parameter {
        "BytesSent" => wide(stats.tx_bytes),
        "BytesReceived" => wide(stats.rx_bytes),
        "PacketsSent" => wide(stats.tx_packets),
        "PacketsReceived" => wide(stats.rx_packets),
        "ErrorsSent" => narrow(stats.tx_errors),
        "ErrorsReceived" => narrow(stats.rx_errors),
        "DiscardPacketsSent" => narrow(stats.tx_dropped),
        "DiscardPacketsReceived" => narrow(stats.rx_dropped),
        "MulticastPacketsReceived" => wide(stats.multicast),
        "Collisions" => wide(stats.collisions),
        other => Err(Error::not_served(other)),
    }
}

/// The `config device` section that configures the Linux device `name` (netifd matches
/// sections by their `name` option).
pub(crate) fn device_section<'a>(
    network: &'a [ConfigSection],
    name: &str,
) -> Option<&'a ConfigSection> {
    network
        .iter()
        .filter(|section| section.section_type == "device")
        .find(|section| section.get("name").as_deref() == Some(name))
}

/// The device an IP interface section names: the first word of `device` (`ifname` before
/// OpenWrt 21.02), as written (`@wan` and `lo` included).
pub(crate) fn interface_device(section: &ConfigSection) -> Option<String> {
    let device = section.get("device").or_else(|| section.get("ifname"))?;
    device.split_whitespace().next().map(str::to_string)
}

/// netifd's `enabled` option of device `name` (default on).
pub(crate) fn device_enabled(network: &[ConfigSection], name: &str) -> bool {
    device_section(network, name).is_none_or(|section| bool_option(section, "enabled", true))
}

/// Writes to netifd's per-device options within one RPC. A device without a `config
/// device` section gets a named one (`cwmpd_dev_<name>`) on its first write, created once
/// even when several parameters of one SetParameterValues write to it.
#[derive(Debug, Default)]
pub(crate) struct DeviceWrites {
    created: BTreeMap<String, String>,
}

impl DeviceWrites {
    /// Stage `option` of device `name` (`None` deletes it).
    pub fn stage(
        &mut self,
        network: &[ConfigSection],
        name: &str,
        option: &str,
        value: Option<&str>,
        tx: &mut Transaction,
    ) {
        let section = match device_section(network, name) {
            Some(section) => section.name.clone(),
            None if value.is_none() => return,
            None => self.create(network, name, tx),
        };
        match value {
            Some(value) => tx.set_option(NETWORK, &section, option, value),
            None => tx.delete_option(NETWORK, &section, option),
        }
    }

    fn create(&mut self, network: &[ConfigSection], name: &str, tx: &mut Transaction) -> String {
        if let Some(section) = self.created.get(name) {
            return section.clone();
        }
        let base: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let taken = |candidate: &str| {
            network.iter().any(|s| s.name == candidate)
                || self.created.values().any(|s| s == candidate)
        };
        let section = (1..)
            .map(|n| match n {
                1 => format!("cwmpd_dev_{base}"),
                n => format!("cwmpd_dev_{base}_{n}"),
            })
            .find(|candidate| !taken(candidate))
            .unwrap_or_default();
        tx.add_section(NETWORK, "device", &section);
        tx.set_option(NETWORK, &section, "name", name);
        self.created.insert(name.to_string(), section.clone());
        section
    }
}

/// The `Enable` of a device as a UCI value, for [`DeviceWrites::stage`]: netifd's default
/// (on) is written as no option at all.
pub(crate) fn enabled_option(enable: bool) -> Option<&'static str> {
    match enable {
        true => None,
        false => Some("0"),
    }
}
