//! `Device.Ethernet.` (TR-181 Device:2): `Interface.{i}` (the physical ports), `Link.{i}`
//! (the layer-2 devices IP interfaces sit on) and `VLANTermination.{i}` (the VLANs), each
//! with the kernel's `Stats`.
//!
//! **Interface.{i}**: every port `/etc/board.json` declares (`SystemInfo::ports`: DSA ports,
//! the switch's CPU port on swconfig boards), then every other physical Ethernet device
//! netlink reports (Ethernet framing, no virtual kind, not Wi-Fi), keyed by Linux name.
//!
//! | TR-181 | source | notes |
//! |---|---|---|
//! | Enable | netifd device `enabled` | default on; writing creates a `config device` section for the port if it has none |
//! | Status | netlink | admin state, then operational state; `NotPresent` when the kernel lacks the device |
//! | Name, MACAddress | netlink | |
//! | LowerLayers | — | always empty: a port is the lowest layer; only empty can be written |
//! | Upstream | board.json | a port of the `wan` role |
//! | MaxBitRate | netifd device `speed` | -1 (auto) when unset; writing -1 removes it |
//! | CurrentBitRate | sysfs `speed` | 0 when unknown (link down) |
//! | DuplexMode | netifd device `duplex` | `Auto` when unset; `Full`/`Half` write `1`/`0` |
//! | CurrentDuplexMode | sysfs `duplex` | |
//!
//! **Link.{i}**: one per device an IP interface (UCI `network` `interface`) names in
//! `device` (`br-lan`, `wan`), keyed by device name; `lo` and `@alias` references are left
//! out. A VLAN device (`eth0.2`, see `vlan_termination.rs`) is a `VLANTermination.{i}`
//! instead, and the link is the device below it (`eth0`), also for VLANs no interface uses.
//! `LowerLayers` is the bridge's management port for a bridge (see `bridging.rs`), else the
//! Ethernet interface of the device. Enable, MTU and MACAddress write netifd's device options
//! `enabled`, `mtu`, `macaddr`; LowerLayers follows the configuration and accepts only its
//! current value. AddObject/DeleteObject are refused (9001): links exist because interfaces
//! name devices.
//!
//! **VLANTermination.{i}**: see `vlan_termination.rs`.
//!
//! Not served: LastChange (the kernel keeps no time of the last state change), Stats.Reset
//! and the unicast/broadcast counters (the kernel has none), link modes, EEE, MDIX.
//! Changes commit `network`; the daemon then reloads it.

use super::bridging::Bridges;
use super::link_layer::{
    device_enabled, device_section, enabled_option, interface_device, interface_status,
    stats_object, stats_value, DeviceWrites, INTERFACE_STATUS, NETWORK,
};
use super::section_table::instance_number;
use super::vlan_termination::{
    self as vlan, base_device, vlan_devices, VlanTerminations, VlanWrite, VLAN_STATS, VLAN_TABLE,
};
use super::SystemInfo;
use crate::datamodel::{
    ActiveNotify, Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamDef,
    ParamRef, Transaction, Type, Value,
};
use crate::live::NetState;

const ETHERNET: &str = "Device.Ethernet.";
pub(crate) const INTERFACE_TABLE: &str = "Device.Ethernet.Interface.{i}.";
const INTERFACE_STATS: &str = "Device.Ethernet.Interface.{i}.Stats.";
pub(crate) const LINK_TABLE: &str = "Device.Ethernet.Link.{i}.";
const LINK_STATS: &str = "Device.Ethernet.Link.{i}.Stats.";
const INTERFACE_PREFIX: &str = "Device.Ethernet.Interface.";
const LINK_PREFIX: &str = "Device.Ethernet.Link.";

/// Instance numbers of one table keyed by Linux device name, for one RPC.
#[derive(Debug, Clone, Default)]
pub(crate) struct Numbered {
    entries: Vec<(u32, String)>,
}

impl Numbered {
    pub(crate) fn load(ctx: &mut Context<'_>, table: &str, names: &[String]) -> Numbered {
        let keys: Vec<&str> = names.iter().map(String::as_str).collect();
        let numbered = ctx.instances.table(table).assign(&keys);
        Numbered {
            entries: numbered
                .into_iter()
                .map(|(number, name)| (number, name.to_string()))
                .collect(),
        }
    }

    pub(crate) fn number(&self, name: &str) -> Option<u32> {
        self.entries
            .iter()
            .find(|(_, n)| n == name)
            .map(|(i, _)| *i)
    }

    pub(crate) fn name(&self, number: u32) -> Result<&str, Error> {
        self.entries
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, name)| name.as_str())
            .ok_or_else(|| Error::invalid_name(""))
    }

    pub(crate) fn numbers(&self) -> Vec<u32> {
        self.entries.iter().map(|(number, _)| *number).collect()
    }
}

/// The Ethernet ports: board.json's, then the kernel's other physical Ethernet devices in
/// ifindex order.
fn port_names(system: &SystemInfo, net: &NetState) -> Vec<String> {
    let mut names = system.ports.clone();
    let others = net.links.iter().filter(|link| link.is_ethernet_port());
    for link in others {
        if !names.contains(&link.name) {
            names.push(link.name.clone());
        }
    }
    names
}

/// The numbered `Device.Ethernet.Interface.{i}` of one RPC.
#[derive(Debug, Clone, Default)]
pub(crate) struct EthernetInterfaces(Numbered);

impl EthernetInterfaces {
    pub fn load(ctx: &mut Context<'_>, system: &SystemInfo) -> EthernetInterfaces {
        let names = port_names(system, &ctx.live.net);
        EthernetInterfaces(Numbered::load(ctx, INTERFACE_TABLE, &names))
    }

    /// `Device.Ethernet.Interface.N` of port `name`; empty when it is not a port.
    pub fn path(&self, name: &str) -> String {
        self.0
            .number(name)
            .map(|number| format!("{INTERFACE_PREFIX}{number}"))
            .unwrap_or_default()
    }

    /// The interface below Linux device `device`: its own, or for a VLAN (`eth0.2`) its
    /// parent's; empty when neither is a port.
    pub fn path_below(&self, net: &NetState, device: &str) -> String {
        let own = self.path(device);
        if !own.is_empty() {
            return own;
        }
        let parent = net
            .link(device)
            .and_then(|link| link.lower)
            .and_then(|index| net.link_by_index(index))
            .map(|link| link.name.clone())
            .or_else(|| {
                device
                    .rsplit_once('.')
                    .map(|(parent, _)| parent.to_string())
            });
        parent.map(|parent| self.path(&parent)).unwrap_or_default()
    }

    /// The port a reference names; 9007 when it names none.
    pub fn name_of(&self, path: &str) -> Result<&str, Error> {
        reference_number(path, INTERFACE_PREFIX)
            .and_then(|number| self.0.name(number).ok())
            .ok_or_else(|| {
                Error::invalid_value("", format!("{path:?} is not a Device.Ethernet.Interface"))
            })
    }
}

/// `Device.X.N` or `Device.X.N.` → N.
pub(crate) fn reference_number(path: &str, prefix: &str) -> Option<u32> {
    let rest = path.strip_prefix(prefix)?;
    rest.strip_suffix('.').unwrap_or(rest).parse().ok()
}

/// The Linux device an IP interface section sits on; `None` for `@other` (another
/// interface's device), `lo` and none.
fn ip_device(section: &ConfigSection) -> Option<String> {
    let device = interface_device(section)?;
    (!device.starts_with('@') && device != "lo").then_some(device)
}

/// The links: the devices of the IP interfaces in file order, a VLAN replaced by the device
/// below it (`eth0` for `eth0.2`: TR-181 puts the VLANTermination between the IP interface
/// and the link), then the devices below the other VLANs; each once.
fn link_devices(network: &[ConfigSection]) -> Vec<String> {
    let vlans = vlan_devices(network);
    let interfaces = network
        .iter()
        .filter(|section| section.section_type == "interface" && !section.anonymous);
    let over_interfaces = interfaces.filter_map(ip_device);
    let below_vlans = vlans.iter().map(|vlan| vlan.name.clone());
    let mut devices: Vec<String> = Vec::new();
    for device in over_interfaces.chain(below_vlans) {
        let device = base_device(&vlans, &device).to_string();
        if !devices.contains(&device) {
            devices.push(device);
        }
    }
    devices
}

/// The numbered `Device.Ethernet.Link.{i}` of one RPC.
#[derive(Debug, Clone, Default)]
pub(crate) struct EthernetLinks(Numbered);

impl EthernetLinks {
    /// Number the links of `network` (every section of UCI `network`).
    pub fn load(ctx: &mut Context<'_>, network: &[ConfigSection]) -> EthernetLinks {
        EthernetLinks(Numbered::load(ctx, LINK_TABLE, &link_devices(network)))
    }

    /// `Device.Ethernet.Link.N` of Linux device `device`; empty when it is no link.
    pub fn path(&self, device: &str) -> String {
        self.0
            .number(device)
            .map(|number| format!("{LINK_PREFIX}{number}"))
            .unwrap_or_default()
    }

    /// The device of link `number`.
    pub fn name(&self, number: u32) -> Result<&str, Error> {
        self.0.name(number)
    }
}

/// The Ethernet layers IP and PPP interfaces run over (for their `LowerLayers`), numbered
/// as the Ethernet area serves them (the same instance tables, keyed by device name). Load
/// once per RPC from every section of UCI `network` as the caller read it.
pub(crate) struct EthernetLayers {
    vlans: VlanTerminations,
    links: EthernetLinks,
}

impl EthernetLayers {
    pub fn load(ctx: &mut Context<'_>, network: &[ConfigSection]) -> EthernetLayers {
        EthernetLayers {
            vlans: VlanTerminations::load(ctx, network),
            links: EthernetLinks::load(ctx, network),
        }
    }

    /// The reference for the Linux device a UCI `network` `interface` section names in
    /// `device` (`br-lan`, `wan`, `eth0.2`): `Device.Ethernet.VLANTermination.N` for a VLAN,
    /// else `Device.Ethernet.Link.N` (no trailing dot); empty for `lo`, `@alias` references
    /// and devices no interface names.
    pub fn path(&self, device: &str) -> String {
        let vlan = self.vlans.path(device);
        match vlan.is_empty() {
            true => self.links.path(device),
            false => vlan,
        }
    }
}

/// What a link's `LowerLayers` is: the management port of a bridge, else the Ethernet
/// interface below the device.
fn link_lower_layers(
    bridges: &Bridges,
    interfaces: &EthernetInterfaces,
    net: &NetState,
    device: &str,
) -> String {
    let port = bridges.management_port_path(device);
    match port.is_empty() {
        true => interfaces.path_below(net, device),
        false => port,
    }
}

/// `(object, LowerLayers)` of every VLANTermination and Link (the Ethernet interfaces are the
/// lowest layer), for `Device.InterfaceStack.` (`interface_stack.rs`): the values this area
/// serves.
pub(crate) fn stack_layers(
    ctx: &mut Context<'_>,
    system: &SystemInfo,
    network: &[ConfigSection],
) -> Vec<(String, String)> {
    let interfaces = EthernetInterfaces::load(ctx, system);
    let links = EthernetLinks::load(ctx, network);
    let vlans = VlanTerminations::load(ctx, network);
    let bridges = Bridges::load(ctx, network);
    let net = &ctx.live.net;
    let mut layers = Vec::new();
    for number in vlans.numbers() {
        if let Ok(vlan) = vlans.by_number(number) {
            layers.push((vlans.path(&vlan.name), vlans.lower_layers(&links, vlan)));
        }
    }
    for (number, device) in &links.0.entries {
        let lower = link_lower_layers(&bridges, &interfaces, net, device);
        layers.push((format!("{LINK_PREFIX}{number}"), lower));
    }
    layers
}

/// `Device.Ethernet.`
pub struct EthernetArea {
    system: SystemInfo,
}

impl EthernetArea {
    pub fn new(system: SystemInfo) -> EthernetArea {
        EthernetArea { system }
    }
}

impl Area for EthernetArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let count = || Type::unsigned_int();
        let status = || Type::any_string().enumeration(INTERFACE_STATUS);
        let mac = || Type::string(17).data_type("MACAddress");
        let lower_layers = || Type::any_string().list().list_max_len(1024);
        let notify_deny = ActiveNotify::CanDeny;
        vec![
            ObjectDef::new(ETHERNET)
                .param(ParamDef::read_only("InterfaceNumberOfEntries", count()))
                .param(ParamDef::read_only("LinkNumberOfEntries", count()))
                .param(ParamDef::read_only(
                    "VLANTerminationNumberOfEntries",
                    count(),
                )),
            ObjectDef::new(INTERFACE_TABLE)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only("Status", status()))
                .param(ParamDef::read_only("Name", Type::string(64)))
                .param(ParamDef::read_write("LowerLayers", lower_layers()))
                .param(ParamDef::read_only("Upstream", Type::boolean()))
                .param(ParamDef::read_only("MACAddress", mac()))
                .param(ParamDef::read_write(
                    "MaxBitRate",
                    Type::int().range(Some(-1), None),
                ))
                .param(
                    ParamDef::read_only("CurrentBitRate", Type::unsigned_int())
                        .active_notify(notify_deny),
                )
                .param(ParamDef::read_write(
                    "DuplexMode",
                    Type::any_string().enumeration(&["Half", "Full", "Auto"]),
                ))
                .param(ParamDef::read_only(
                    "CurrentDuplexMode",
                    Type::any_string().enumeration(&["Unknown", "Half", "Full"]),
                )),
            stats_object(INTERFACE_STATS, true),
            ObjectDef::writable_table(LINK_TABLE)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only("Status", status()))
                .param(ParamDef::read_only("Name", Type::string(64)))
                .param(ParamDef::read_write("LowerLayers", lower_layers()))
                .param(ParamDef::read_write("MTU", Type::unsigned_int()))
                .param(ParamDef::read_write("MACAddress", mac())),
            stats_object(LINK_STATS, false),
            ObjectDef::writable_table(VLAN_TABLE)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only("Status", status()))
                .param(ParamDef::read_only("Name", Type::string(64)))
                .param(ParamDef::read_write("LowerLayers", lower_layers()))
                .param(ParamDef::read_write(
                    "VLANID",
                    Type::unsigned_int().range(Some(1), Some(4094)),
                ))
                .param(ParamDef::read_write("TPID", Type::unsigned_int())),
            stats_object(VLAN_STATS, false),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let network = ctx.config.sections(NETWORK)?;
        let interfaces = EthernetInterfaces::load(ctx, &self.system);
        let links = EthernetLinks::load(ctx, &network);
        let vlans = VlanTerminations::load(ctx, &network);
        let bridges = Bridges::load(ctx, &network);
        Ok(Box::new(EthernetView {
            system: &self.system,
            network,
            interfaces,
            links,
            vlans,
            bridges,
            writes: DeviceWrites::default(),
        }))
    }
}

struct EthernetView<'a> {
    system: &'a SystemInfo,
    network: Vec<ConfigSection>,
    interfaces: EthernetInterfaces,
    links: EthernetLinks,
    vlans: VlanTerminations,
    bridges: Bridges,
    writes: DeviceWrites,
}

impl EthernetView<'_> {
    /// Whether a write of the value the device runs with (`same_as_running`) is to be left
    /// out because no UCI option sets it: writing back what GetParameterValues showed must not
    /// pin today's MTU or MAC address in a new `device` section.
    fn follows_the_kernel(&self, device: &str, option: &str, same_as_running: bool) -> bool {
        same_as_running && self.option(device, option).is_none()
    }

    fn option(&self, device: &str, option: &str) -> Option<String> {
        device_section(&self.network, device).and_then(|section| section.get(option))
    }

    fn interface_value(&self, net: &NetState, name: &str, param: &str) -> Result<Value, Error> {
        let link = net.link(name);
        Ok(match param {
            "Enable" => Value::Boolean(device_enabled(&self.network, name)),
            "Status" => Value::from(interface_status(net, name)),
            "Name" => Value::from(name),
            "LowerLayers" => Value::from(""),
            "Upstream" => Value::Boolean(self.system.wan_ports.iter().any(|p| p == name)),
            "MACAddress" => Value::from(link.map(|l| l.mac.clone()).unwrap_or_default()),
            "MaxBitRate" => Value::Int(
                self.option(name, "speed")
                    .and_then(|speed| speed.trim().parse().ok())
                    .unwrap_or(-1),
            ),
            "CurrentBitRate" => Value::from(link.and_then(|l| l.speed_mbps).unwrap_or(0)),
            "DuplexMode" => Value::from(
                match self.option(name, "duplex").as_deref().map(str::trim) {
                    Some("1" | "full" | "true" | "on") => "Full",
                    Some("0" | "half" | "false" | "off") => "Half",
                    _ => "Auto",
                },
            ),
            "CurrentDuplexMode" => Value::from(match link.and_then(|l| l.full_duplex) {
                Some(true) => "Full",
                Some(false) => "Half",
                None => "Unknown",
            }),
            other => return Err(Error::not_served(other)),
        })
    }

    fn link_lower_layers(&self, net: &NetState, device: &str) -> String {
        link_lower_layers(&self.bridges, &self.interfaces, net, device)
    }

    fn link_value(&self, net: &NetState, device: &str, param: &str) -> Result<Value, Error> {
        let link = net.link(device);
        Ok(match param {
            "Enable" => Value::Boolean(device_enabled(&self.network, device)),
            "Status" => Value::from(interface_status(net, device)),
            "Name" => Value::from(device),
            "LowerLayers" => Value::String(self.link_lower_layers(net, device)),
            "MTU" => Value::from(link.map(|l| l.mtu).unwrap_or(0)),
            "MACAddress" => Value::from(link.map(|l| l.mac.clone()).unwrap_or_default()),
            other => return Err(Error::not_served(other)),
        })
    }

    fn stage_interface(
        &mut self,
        name: &str,
        param: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let network = &self.network;
        match param {
            "Enable" => {
                let enable = enabled_option(value.as_bool().unwrap_or(true));
                self.writes.stage(network, name, "enabled", enable, tx);
            }
            "LowerLayers" if value.as_str() == Some("") => {}
            "LowerLayers" => {
                return Err(Error::invalid_value(
                    "",
                    "an Ethernet interface is the lowest layer: LowerLayers stays empty",
                ))
            }
            "MaxBitRate" => match value {
                Value::Int(-1) => self.writes.stage(network, name, "speed", None, tx),
                Value::Int(speed) if *speed > 0 => {
                    let speed = speed.to_string();
                    self.writes.stage(network, name, "speed", Some(&speed), tx);
                }
                _ => return Err(Error::invalid_value("", "-1 (auto) or Mbit/s")),
            },
            "DuplexMode" => {
                let duplex = match value.as_str() {
                    Some("Full") => Some("1"),
                    Some("Half") => Some("0"),
                    _ => None,
                };
                self.writes.stage(network, name, "duplex", duplex, tx);
            }
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }

    fn stage_link(
        &mut self,
        net: &NetState,
        device: &str,
        param: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let network = &self.network;
        let text = value.as_str().unwrap_or_default();
        match param {
            "Enable" => {
                let enable = enabled_option(value.as_bool().unwrap_or(true));
                self.writes.stage(network, device, "enabled", enable, tx);
            }
            "LowerLayers" if text == self.link_lower_layers(net, device) => {}
            "LowerLayers" => {
                return Err(Error::invalid_value(
                    "",
                    "the layer below follows the network configuration (bridge ports, VLANs)",
                ))
            }
            "MTU" => match value.as_u64() {
                Some(mtu @ 68..=65535) => {
                    let running = net.link(device).map(|l| u64::from(l.mtu));
                    if !self.follows_the_kernel(device, "mtu", running == Some(mtu)) {
                        let mtu = mtu.to_string();
                        self.writes.stage(network, device, "mtu", Some(&mtu), tx);
                    }
                }
                _ => return Err(Error::invalid_value("", "an MTU from 68 to 65535")),
            },
            "MACAddress" => {
                let mac = parse_mac(text)?;
                let running = net.link(device).map(|l| l.mac.to_ascii_lowercase());
                if !self.follows_the_kernel(device, "macaddr", running.as_ref() == Some(&mac)) {
                    self.writes
                        .stage(network, device, "macaddr", Some(&mac), tx);
                }
            }
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }
}

/// A unicast MAC address as netifd writes it (`aa:bb:cc:dd:ee:ff`), or 9007.
fn parse_mac(text: &str) -> Result<String, Error> {
    let octets: Vec<Option<u8>> = text
        .split(':')
        .map(|octet| {
            (octet.len() == 2)
                .then(|| u8::from_str_radix(octet, 16).ok())
                .flatten()
        })
        .collect();
    let valid = octets.len() == 6 && octets.iter().all(Option::is_some);
    let multicast = octets
        .first()
        .copied()
        .flatten()
        .is_some_and(|o| o & 1 == 1);
    if !valid || multicast {
        return Err(Error::invalid_value(
            "",
            format!("{text:?} is not a unicast MAC address"),
        ));
    }
    Ok(text.to_ascii_lowercase())
}

impl AreaView for EthernetView<'_> {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let net = &ctx.live.net;
        match param.object {
            ETHERNET => match param.name {
                "InterfaceNumberOfEntries" => {
                    Ok(Value::from(self.interfaces.0.entries.len() as u32))
                }
                "LinkNumberOfEntries" => Ok(Value::from(self.links.0.entries.len() as u32)),
                "VLANTerminationNumberOfEntries" => Ok(Value::from(self.vlans.len() as u32)),
                other => Err(Error::not_served(other)),
            },
            INTERFACE_TABLE | INTERFACE_STATS => {
                let name = self.interfaces.0.name(instance_number(param.instances)?)?;
                match param.object {
                    INTERFACE_STATS => stats_value(net, name, param.name),
                    _ => self.interface_value(net, name, param.name),
                }
            }
            LINK_TABLE | LINK_STATS => {
                let device = self.links.0.name(instance_number(param.instances)?)?;
                match param.object {
                    LINK_STATS => stats_value(net, device, param.name),
                    _ => self.link_value(net, device, param.name),
                }
            }
            VLAN_TABLE | VLAN_STATS => {
                let vlan = self.vlans.by_number(instance_number(param.instances)?)?;
                match param.object {
                    VLAN_STATS => stats_value(net, &vlan.name, param.name),
                    _ => vlan::value(
                        &self.network,
                        net,
                        &self.vlans,
                        &self.links,
                        vlan,
                        param.name,
                    ),
                }
            }
            _ => Err(Error::not_served(param.name)),
        }
    }

    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let number = instance_number(param.instances)?;
        match param.object {
            INTERFACE_TABLE => {
                let name = self.interfaces.0.name(number)?.to_string();
                self.stage_interface(&name, param.name, value, tx)
            }
            LINK_TABLE => {
                let device = self.links.0.name(number)?.to_string();
                self.stage_link(&ctx.live.net, &device, param.name, value, tx)
            }
            VLAN_TABLE => {
                let vlan = self.vlans.by_number(number)?.clone();
                let write = VlanWrite {
                    network: &self.network,
                    vlans: &self.vlans,
                    links: &self.links,
                    writes: &mut self.writes,
                };
                vlan::set(write, &vlan, param.name, value, tx)
            }
            _ => Err(Error::not_writable("")),
        }
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(match table.object {
            INTERFACE_TABLE => self.interfaces.0.numbers(),
            LINK_TABLE => self.links.0.numbers(),
            VLAN_TABLE => self.vlans.numbers(),
            _ => Vec::new(),
        })
    }

    fn add_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
        _tx: &mut Transaction,
    ) -> Result<u32, Error> {
        Err(Error::RequestDenied(
            "Ethernet links and VLANs follow the devices the network configuration names".into(),
        ))
    }
}

#[cfg(test)]
#[path = "ethernet_tests.rs"]
pub(crate) mod tests;
