//! `Device.Ethernet.VLANTermination.{i}` (TR-181 Device:2): one per 802.1Q/802.1ad device
//! netifd creates, keyed by Linux device name. Served by the Ethernet area (`ethernet.rs`).
//!
//! Which devices are VLANs (in this order, each once):
//! - `config device` sections of UCI `network` with `type '8021q'` or `'8021ad'` and a
//!   `name`, `ifname` (the parent) and `vid` (1–4094);
//! - the names netifd splits itself (`vlan.c`, `get_vlan_device_chain`): a device an IP
//!   interface names in `device` that is `<base>.<vid>[.<vid>…]` (`eth0.2` on swconfig boards,
//!   `br-lan.10` over a DSA bridge with `bridge-vlan` sections) is an 802.1Q VLAN on the part
//!   before its last dot, which may itself be a VLAN (QinQ).
//!
//! TR-181's stack (§4.2.1): `IP.Interface` → `Ethernet.VLANTermination` → `Ethernet.Link` →
//! `Ethernet.Interface` or `Bridging.Bridge.{i}.Port` (the management port). So an IP or PPP
//! interface over a VLAN names the VLANTermination, and the link below it is the VLAN's
//! parent device (see `ethernet.rs`, which lists the parents of VLANs among its links).
//!
//! | TR-181 | source | notes |
//! |---|---|---|
//! | Enable | netifd device `enabled` | default on; a `<parent>.<vid>` name gets a `config device` section on its first write (as for links) |
//! | Status | netlink | as `Ethernet.Link` (the kernel reports `lowerlayerdown` when the parent is down) |
//! | Name | the device name | |
//! | LowerLayers | `ifname` / the name's parent | `Device.Ethernet.Link.N` of the parent, or the VLANTermination of a parent that is a VLAN; on a section, writing another `Ethernet.Link` sets `ifname` |
//! | VLANID | `vid` / the name's last part | writable on a section; on a `<parent>.<vid>` name only the current value is accepted (9007): the ID is part of the name every IP interface and bridge uses |
//! | TPID | `type` | 33024 (0x8100) for `8021q`, 34984 (0x88A8) for `8021ad`; writing one of them on a section sets `type`; a `<parent>.<vid>` name is always 802.1Q |
//! | Stats | the kernel's counters of the VLAN device | as `Ethernet.Link` |
//!
//! AddObject/DeleteObject are refused (9001): a VLAN is created by the device an interface
//! or a `config device` section names, and cwmpd does not rewrite the references to it.
//! Not served: LastChange (the kernel keeps no time), VLANPriority (netifd maps priorities
//! per direction with `ingress_qos_mapping`/`egress_qos_mapping`, not one value),
//! Stats.Reset and the unicast/broadcast counters (the kernel has none).

use super::ethernet::{reference_number, EthernetLinks, Numbered};
use super::link_layer::{device_enabled, enabled_option, interface_device, DeviceWrites, NETWORK};
use crate::datamodel::{ConfigSection, Context, Error, Transaction, Value};

pub(crate) const VLAN_TABLE: &str = "Device.Ethernet.VLANTermination.{i}.";
pub(crate) const VLAN_STATS: &str = "Device.Ethernet.VLANTermination.{i}.Stats.";
const VLAN_PREFIX: &str = "Device.Ethernet.VLANTermination.";
/// IEEE 802.1Q's customer VLAN tag (TR-181's TPID default).
pub(crate) const TPID_8021Q: u32 = 0x8100;
/// IEEE 802.1ad's service VLAN tag.
pub(crate) const TPID_8021AD: u32 = 0x88A8;
/// Deeper chains than this are configuration mistakes; they end the walk down a chain.
const MAX_DEPTH: usize = 8;

/// One VLAN device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Vlan {
    pub name: String,
    /// The device the VLAN sits on (`ifname`, or the name before the last dot).
    pub parent: String,
    pub vid: u32,
    pub tpid: u32,
    /// The `config device` section (its UCI id) that defines it; `None` for a
    /// `<parent>.<vid>` name.
    pub section: Option<String>,
}

fn valid_vid(text: &str) -> Option<u32> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let vid: u32 = text.parse().ok().filter(|_| digits)?;
    (1..=4094).contains(&vid).then_some(vid)
}

/// A `config device` section of type `8021q`/`8021ad` as a VLAN.
fn section_vlan(section: &ConfigSection) -> Option<Vlan> {
    let tpid = match section.get("type").as_deref() {
        Some("8021q") => TPID_8021Q,
        Some("8021ad") => TPID_8021AD,
        _ => return None,
    };
    (section.section_type == "device").then_some(())?;
    Some(Vlan {
        name: section.get("name")?,
        parent: section
            .get("ifname")?
            .split_whitespace()
            .next()?
            .to_string(),
        vid: valid_vid(section.get("vid")?.trim())?,
        tpid,
        section: Some(section.name.clone()),
    })
}

/// `eth0.2` → (`eth0`, 2), as netifd splits names: every part after the first must be a
/// VLAN ID.
fn dotted_vlan(name: &str) -> Option<(&str, u32)> {
    let (parent, last) = name.rsplit_once('.')?;
    let mut parts = parent.split('.');
    let base = parts.next()?;
    let valid = !base.is_empty() && parts.all(|part| valid_vid(part).is_some());
    valid.then_some(())?;
    Some((parent, valid_vid(last)?))
}

/// Add `name` and the VLANs below it (a QinQ chain), parents first, unless known.
fn add_dotted(vlans: &mut Vec<Vlan>, name: &str) {
    if vlans.iter().any(|vlan| vlan.name == name) {
        return;
    }
    let Some((parent, vid)) = dotted_vlan(name) else {
        return;
    };
    add_dotted(vlans, parent);
    vlans.push(Vlan {
        name: name.to_string(),
        parent: parent.to_string(),
        vid,
        tpid: TPID_8021Q,
        section: None,
    });
}

/// Every VLAN device of `network` (every section of UCI `network`): sections first, then the
/// `<parent>.<vid>` names IP interfaces use, in file order.
pub(crate) fn vlan_devices(network: &[ConfigSection]) -> Vec<Vlan> {
    let mut vlans: Vec<Vlan> = Vec::new();
    for vlan in network.iter().filter_map(section_vlan) {
        if !vlans.iter().any(|known| known.name == vlan.name) {
            vlans.push(vlan);
        }
    }
    let interfaces = network
        .iter()
        .filter(|section| section.section_type == "interface" && !section.anonymous);
    for device in interfaces.filter_map(interface_device) {
        add_dotted(&mut vlans, &device);
    }
    vlans
}

/// The device below a chain of VLANs (`eth0` for `eth0.100.10`); `device` itself when it is
/// no VLAN.
pub(crate) fn base_device<'a>(vlans: &'a [Vlan], device: &'a str) -> &'a str {
    let mut name = device;
    for _ in 0..MAX_DEPTH {
        match vlans.iter().find(|vlan| vlan.name == name) {
            Some(vlan) => name = &vlan.parent,
            None => break,
        }
    }
    name
}

/// The numbered `Device.Ethernet.VLANTermination.{i}` of one RPC.
#[derive(Debug, Clone, Default)]
pub(crate) struct VlanTerminations {
    numbered: Numbered,
    vlans: Vec<Vlan>,
}

impl VlanTerminations {
    pub fn load(ctx: &mut Context<'_>, network: &[ConfigSection]) -> VlanTerminations {
        let vlans = vlan_devices(network);
        let names: Vec<String> = vlans.iter().map(|vlan| vlan.name.clone()).collect();
        VlanTerminations {
            numbered: Numbered::load(ctx, VLAN_TABLE, &names),
            vlans,
        }
    }

    pub fn vlan(&self, name: &str) -> Option<&Vlan> {
        self.vlans.iter().find(|vlan| vlan.name == name)
    }

    /// The VLAN of instance `number` (9005 when there is none).
    pub fn by_number(&self, number: u32) -> Result<&Vlan, Error> {
        let name = self.numbered.name(number)?;
        self.vlan(name).ok_or_else(|| Error::invalid_name(""))
    }

    /// `Device.Ethernet.VLANTermination.N` of VLAN device `name`; empty when it is no VLAN.
    pub fn path(&self, name: &str) -> String {
        self.numbered
            .number(name)
            .map(|number| format!("{VLAN_PREFIX}{number}"))
            .unwrap_or_default()
    }

    pub fn numbers(&self) -> Vec<u32> {
        self.numbered.numbers()
    }

    pub fn len(&self) -> usize {
        self.vlans.len()
    }

    /// A VLAN's `LowerLayers`: the VLANTermination of a parent that is a VLAN, else the
    /// `Ethernet.Link` of the parent.
    pub fn lower_layers(&self, links: &EthernetLinks, vlan: &Vlan) -> String {
        match self.vlan(&vlan.parent) {
            Some(parent) => self.path(&parent.name),
            None => links.path(&vlan.parent),
        }
    }
}

/// A parameter of `VLANTermination.{i}.` (not `Stats.`).
pub(crate) fn value(
    network: &[ConfigSection],
    net: &crate::live::NetState,
    vlans: &VlanTerminations,
    links: &EthernetLinks,
    vlan: &Vlan,
    param: &str,
) -> Result<Value, Error> {
    use super::link_layer::interface_status;
    Ok(match param {
        "Enable" => Value::Boolean(device_enabled(network, &vlan.name)),
        "Status" => Value::from(interface_status(net, &vlan.name)),
        "Name" => Value::from(vlan.name.as_str()),
        "LowerLayers" => Value::String(vlans.lower_layers(links, vlan)),
        "VLANID" => Value::from(vlan.vid),
        "TPID" => Value::from(vlan.tpid),
        other => return Err(Error::not_served(other)),
    })
}

/// What a write to a `VLANTermination.{i}.` parameter needs besides its value.
pub(crate) struct VlanWrite<'a> {
    pub network: &'a [ConfigSection],
    pub vlans: &'a VlanTerminations,
    pub links: &'a EthernetLinks,
    pub writes: &'a mut DeviceWrites,
}

fn unchanged(current: bool, why: &str) -> Result<(), Error> {
    match current {
        true => Ok(()),
        false => Err(Error::invalid_value("", why)),
    }
}

/// Stage a write to parameter `param` of `vlan`.
pub(crate) fn set(
    write: VlanWrite<'_>,
    vlan: &Vlan,
    param: &str,
    value: &Value,
    tx: &mut Transaction,
) -> Result<(), Error> {
    let text = value.as_str().unwrap_or_default();
    let section = vlan.section.as_deref();
    let current_lower = write.vlans.lower_layers(write.links, vlan);
    match (param, section) {
        ("Enable", _) => {
            let enable = enabled_option(value.as_bool().unwrap_or(true));
            let network = write.network;
            write
                .writes
                .stage(network, &vlan.name, "enabled", enable, tx);
        }
        ("LowerLayers", _) if text == current_lower => {}
        ("LowerLayers", Some(section)) => {
            let number = reference_number(text, "Device.Ethernet.Link.");
            let parent = number.and_then(|number| write.links.name(number).ok());
            let parent = parent.ok_or_else(|| {
                Error::invalid_value("", format!("{text:?} is not a Device.Ethernet.Link"))
            })?;
            tx.set_option(NETWORK, section, "ifname", parent);
        }
        ("LowerLayers", None) => unchanged(false, "the parent device is part of the name")?,
        ("VLANID", Some(section)) => {
            let vid = value.as_u64().unwrap_or_default().to_string();
            tx.set_option(NETWORK, section, "vid", vid);
        }
        ("VLANID", None) => unchanged(
            value.as_u64() == Some(u64::from(vlan.vid)),
            "the VLAN ID is part of the device name the interfaces use",
        )?,
        ("TPID", Some(section)) => {
            let kind = match value.as_u64() {
                Some(tpid) if tpid == u64::from(TPID_8021Q) => "8021q",
                Some(tpid) if tpid == u64::from(TPID_8021AD) => "8021ad",
                _ => {
                    return Err(Error::invalid_value(
                        "",
                        "33024 (802.1Q) or 34984 (802.1ad)",
                    ))
                }
            };
            tx.set_option(NETWORK, section, "type", kind);
        }
        ("TPID", None) => unchanged(
            value.as_u64() == Some(u64::from(TPID_8021Q)),
            "netifd's <parent>.<vid> devices are 802.1Q (33024)",
        )?,
        _ => return Err(Error::not_writable("")),
    }
    Ok(())
}

#[cfg(test)]
#[path = "vlan_termination_tests.rs"]
pub(crate) mod tests;
