//! `Device.Bridging.` (TR-181 Device:2): `Bridge.{i}` are the `config device` sections of
//! UCI `network` with `type 'bridge'` (OpenWrt 21.02+; keyed by section, see
//! `section_table.rs`), `Bridge.{i}.Port.{i}` the management port (the bridge device itself,
//! TR-181's `ManagementPort`) plus one port per `ports` entry, keyed by device name.
//!
//! | TR-181 | source | notes |
//! |---|---|---|
//! | Bridge.Enable | `enabled` | default on |
//! | Bridge.Status | `enabled`, netlink | `Disabled`; `Enabled` when the kernel has the bridge (or netlink was not read); `Error` when enabled but absent (netifd creates a bridge only for an interface that uses it) |
//! | Bridge.Name | `name` | |
//! | Bridge.AgingTime | `ageing_time` | netifd's default 300 s |
//! | Port.Enable | netifd device `enabled` of the port (the bridge's for the management port) | |
//! | Port.Status, Port.Stats | netlink | the port's device; the bridge's for the management port |
//! | Port.LowerLayers | `ports` | management port: the other ports (only that value is accepted); other ports: the Ethernet interface of the device (a VLAN's parent's); writing an Ethernet interface puts its device in the `ports` entry |
//! | Port.ManagementPort | — | only the current value is accepted |
//!
//! AddObject on `Bridge.` adds `config device 'cwmpd_bridge_<n>'` with `type 'bridge'` and
//! name `br-cwmpd<n>`; DeleteObject removes the section. DeleteObject on a port removes its
//! `ports` entry (the management port cannot be deleted: 9001). AddObject on `Port.` is
//! refused (9001): a port is a device, and UCI has no entry for a port without one — the ACS
//! moves an existing port with its LowerLayers instead. Wi-Fi interfaces joined to a bridge by
//! the wireless configuration are not listed. Changes commit `network`; the daemon reloads it.

use std::collections::BTreeMap;

use super::ethernet::EthernetInterfaces;
use super::link_layer::{
    device_enabled, enabled_option, interface_status, stats_object, stats_value, DeviceWrites,
    INTERFACE_STATUS, NETWORK,
};
use super::section_table::{instance_number, SectionTable};
use super::SystemInfo;
use crate::datamodel::{
    Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};
use crate::live::NetState;

const BRIDGING: &str = "Device.Bridging.";
const BRIDGE_TABLE: &str = "Device.Bridging.Bridge.{i}.";
const PORT_TABLE: &str = "Device.Bridging.Bridge.{i}.Port.{i}.";
const PORT_STATS: &str = "Device.Bridging.Bridge.{i}.Port.{i}.Stats.";
const DEFAULT_AGEING_TIME: u32 = 300;

const BRIDGES: SectionTable = SectionTable {
    package: NETWORK,
    section_type: "device",
    name_prefix: "cwmpd_bridge",
};

/// One bridge with its numbered ports.
#[derive(Debug, Clone)]
pub(crate) struct Bridge {
    number: u32,
    section: ConfigSection,
    name: String,
    /// `(number, device)`; the management port's device is the bridge itself.
    ports: Vec<(u32, String)>,
}

impl Bridge {
    fn port_table(&self) -> String {
        format!("Device.Bridging.Bridge.{}.Port.{{i}}.", self.number)
    }

    fn port_path(&self, number: u32) -> String {
        format!("Device.Bridging.Bridge.{}.Port.{number}", self.number)
    }

    fn port(&self, number: u32) -> Result<&str, Error> {
        self.ports
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, device)| device.as_str())
            .ok_or_else(|| Error::invalid_name(""))
    }

    fn listed_ports(&self) -> Vec<String> {
        self.section
            .list("ports")
            .iter()
            .flat_map(|item| item.split_whitespace())
            .map(str::to_string)
            .collect()
    }
}

/// The numbered bridges of one RPC.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bridges {
    bridges: Vec<Bridge>,
}

fn is_bridge(section: &ConfigSection) -> bool {
    section.section_type == "device"
        && section.get("type").as_deref() == Some("bridge")
        && section.get("name").is_some()
}

impl Bridges {
    /// Number the bridges of `network` (every section of UCI `network`) and their ports.
    pub fn load(ctx: &mut Context<'_>, network: &[ConfigSection]) -> Bridges {
        let members: Vec<&ConfigSection> = network.iter().filter(|s| is_bridge(s)).collect();
        let numbered = BRIDGES.number(ctx.instances, BRIDGE_TABLE, &members);
        let bridges = numbered
            .into_iter()
            .map(|entry| {
                let mut bridge = Bridge {
                    number: entry.number,
                    name: entry.section.get("name").unwrap_or_default(),
                    section: entry.section,
                    ports: Vec::new(),
                };
                let mut devices = vec![bridge.name.clone()];
                devices.extend(bridge.listed_ports());
                let keys: Vec<&str> = devices.iter().map(String::as_str).collect();
                let table = bridge.port_table();
                bridge.ports = ctx
                    .instances
                    .table(&table)
                    .assign(&keys)
                    .into_iter()
                    .map(|(number, device)| (number, device.to_string()))
                    .collect();
                bridge
            })
            .collect();
        Bridges { bridges }
    }

    /// `Device.Bridging.Bridge.N.Port.M` of the management port of bridge device `device`;
    /// empty when `device` is no bridge.
    pub fn management_port_path(&self, device: &str) -> String {
        let bridge = self.bridges.iter().find(|bridge| bridge.name == device);
        let port =
            bridge.and_then(|b| b.ports.iter().find(|(_, d)| d == &b.name).map(|p| (b, p.0)));
        port.map(|(bridge, number)| bridge.port_path(number))
            .unwrap_or_default()
    }

    fn bridge(&self, instances: &[u32]) -> Result<&Bridge, Error> {
        let number = instances
            .first()
            .copied()
            .ok_or_else(|| Error::invalid_name(""))?;
        self.bridges
            .iter()
            .find(|bridge| bridge.number == number)
            .ok_or_else(|| Error::invalid_name(""))
    }
}

/// A port's `LowerLayers`: the other ports for the management port (the bridge device),
/// else the Ethernet interface of the device (a VLAN's parent's).
fn port_lower_layers(
    interfaces: &EthernetInterfaces,
    net: &NetState,
    bridge: &Bridge,
    device: &str,
) -> String {
    if device == bridge.name {
        let others = bridge.ports.iter().filter(|(_, d)| d != &bridge.name);
        return others
            .map(|(number, _)| bridge.port_path(*number))
            .collect::<Vec<_>>()
            .join(",");
    }
    interfaces.path_below(net, device)
}

/// `(Device.Bridging.Bridge.N.Port.M, LowerLayers)` of every port, for
/// `Device.InterfaceStack.`.
pub(crate) fn stack_layers(
    ctx: &mut Context<'_>,
    system: &SystemInfo,
    network: &[ConfigSection],
) -> Vec<(String, String)> {
    let interfaces = EthernetInterfaces::load(ctx, system);
    let bridges = Bridges::load(ctx, network);
    let net = &ctx.live.net;
    let mut layers = Vec::new();
    for bridge in &bridges.bridges {
        for (number, device) in &bridge.ports {
            let lower = port_lower_layers(&interfaces, net, bridge, device);
            layers.push((bridge.port_path(*number), lower));
        }
    }
    layers
}

/// `Device.Bridging.`
pub struct BridgingArea {
    system: SystemInfo,
}

impl BridgingArea {
    pub fn new(system: SystemInfo) -> BridgingArea {
        BridgingArea { system }
    }
}

impl Area for BridgingArea {
    fn schema(&self) -> Vec<ObjectDef> {
        vec![
            ObjectDef::new(BRIDGING).param(ParamDef::read_only(
                "BridgeNumberOfEntries",
                Type::unsigned_int(),
            )),
            ObjectDef::writable_table(BRIDGE_TABLE)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only(
                    "Status",
                    Type::any_string().enumeration(&["Disabled", "Enabled", "Error"]),
                ))
                .param(ParamDef::read_only("Name", Type::string(64)))
                .param(ParamDef::read_write(
                    "AgingTime",
                    Type::unsigned_int().range(Some(10), Some(1_000_000)),
                ))
                .param(ParamDef::read_only(
                    "PortNumberOfEntries",
                    Type::unsigned_int(),
                )),
            ObjectDef::writable_table(PORT_TABLE)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only(
                    "Status",
                    Type::any_string().enumeration(INTERFACE_STATUS),
                ))
                .param(ParamDef::read_only("Name", Type::string(64)))
                .param(ParamDef::read_write(
                    "LowerLayers",
                    Type::any_string().list().list_max_len(1024),
                ))
                .param(ParamDef::read_write("ManagementPort", Type::boolean())),
            stats_object(PORT_STATS, false),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let network = ctx.config.sections(NETWORK)?;
        let interfaces = EthernetInterfaces::load(ctx, &self.system);
        let bridges = Bridges::load(ctx, &network);
        Ok(Box::new(BridgingView {
            network,
            interfaces,
            bridges,
            writes: DeviceWrites::default(),
            ports: BTreeMap::new(),
        }))
    }
}

struct BridgingView {
    network: Vec<ConfigSection>,
    interfaces: EthernetInterfaces,
    bridges: Bridges,
    writes: DeviceWrites,
    /// `ports` lists changed by the current RPC, by bridge section name (written in
    /// `finish_set`/at once for DeleteObject so that several changes combine).
    ports: BTreeMap<String, Vec<String>>,
}

impl BridgingView {
    fn bridge_value(&self, net: &NetState, bridge: &Bridge, param: &str) -> Result<Value, Error> {
        let enabled = device_enabled(&self.network, &bridge.name);
        Ok(match param {
            "Enable" => Value::Boolean(enabled),
            "Status" => Value::from(match (enabled, net.available, net.link(&bridge.name)) {
                (false, _, _) => "Disabled",
                (true, false, _) | (true, true, Some(_)) => "Enabled",
                (true, true, None) => "Error",
            }),
            "Name" => Value::from(bridge.name.as_str()),
            "AgingTime" => Value::from(
                bridge
                    .section
                    .get("ageing_time")
                    .and_then(|t| t.trim().parse::<u32>().ok())
                    .unwrap_or(DEFAULT_AGEING_TIME),
            ),
            "PortNumberOfEntries" => Value::from(bridge.ports.len() as u32),
            other => return Err(Error::not_served(other)),
        })
    }

    fn lower_layers(&self, net: &NetState, bridge: &Bridge, device: &str) -> String {
        port_lower_layers(&self.interfaces, net, bridge, device)
    }

    fn port_value(
        &self,
        net: &NetState,
        bridge: &Bridge,
        device: &str,
        param: &str,
    ) -> Result<Value, Error> {
        Ok(match param {
            "Enable" => Value::Boolean(device_enabled(&self.network, device)),
            "Status" => Value::from(interface_status(net, device)),
            "Name" => Value::from(device),
            "LowerLayers" => Value::String(self.lower_layers(net, bridge, device)),
            "ManagementPort" => Value::Boolean(device == bridge.name),
            other => return Err(Error::not_served(other)),
        })
    }

    fn pending_ports(&mut self, bridge: &Bridge) -> &mut Vec<String> {
        self.ports
            .entry(bridge.section.name.clone())
            .or_insert_with(|| bridge.listed_ports())
    }

    fn stage_bridge(&mut self, bridge: &Bridge, param: &str, value: &Value, tx: &mut Transaction) {
        match param {
            "Enable" => {
                let enable = enabled_option(value.as_bool().unwrap_or(true));
                let network = &self.network;
                self.writes
                    .stage(network, &bridge.name, "enabled", enable, tx);
            }
            // "AgingTime": range-checked by the engine.
            _ => {
                let seconds = value.as_u64().unwrap_or(u64::from(DEFAULT_AGEING_TIME));
                tx.set_option(
                    NETWORK,
                    &bridge.section.name,
                    "ageing_time",
                    seconds.to_string(),
                );
            }
        }
    }

    fn stage_port(
        &mut self,
        net: &NetState,
        bridge: &Bridge,
        device: &str,
        param: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let text = value.as_str().unwrap_or_default();
        let management = device == bridge.name;
        match param {
            "Enable" => {
                let enable = enabled_option(value.as_bool().unwrap_or(true));
                let network = &self.network;
                self.writes.stage(network, device, "enabled", enable, tx);
            }
            "ManagementPort" if value.as_bool() == Some(management) => {}
            "ManagementPort" => {
                return Err(Error::invalid_value(
                    "",
                    "the bridge device itself is the management port",
                ))
            }
            "LowerLayers" if text == self.lower_layers(net, bridge, device) => {}
            "LowerLayers" if management => {
                return Err(Error::invalid_value(
                    "",
                    "the management port's lower layers are the bridge's ports",
                ))
            }
            "LowerLayers" => {
                let new_device = self.interfaces.name_of(text)?.to_string();
                let ports = self.pending_ports(bridge);
                if ports.contains(&new_device) {
                    return Err(Error::invalid_value("", "already a port of this bridge"));
                }
                if let Some(entry) = ports.iter_mut().find(|p| *p == device) {
                    *entry = new_device.clone();
                }
                tx.rename_instance(&bridge.port_table(), device, &new_device);
            }
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }

    fn write_ports(&mut self, tx: &mut Transaction) {
        for (section, ports) in std::mem::take(&mut self.ports) {
            tx.set_list(NETWORK, &section, "ports", ports);
        }
    }
}

impl AreaView for BridgingView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let net = &ctx.live.net;
        if param.object == BRIDGING {
            return match param.name {
                "BridgeNumberOfEntries" => Ok(Value::from(self.bridges.bridges.len() as u32)),
                other => Err(Error::not_served(other)),
            };
        }
        let bridge = self.bridges.bridge(param.instances)?;
        if param.object == BRIDGE_TABLE {
            return self.bridge_value(net, bridge, param.name);
        }
        let device = bridge.port(instance_number(param.instances)?)?;
        match param.object {
            PORT_STATS => stats_value(net, device, param.name),
            _ => self.port_value(net, bridge, device, param.name),
        }
    }

    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let bridge = self.bridges.bridge(param.instances)?.clone();
        if param.object == BRIDGE_TABLE {
            self.stage_bridge(&bridge, param.name, value, tx);
            return Ok(());
        }
        let device = bridge.port(instance_number(param.instances)?)?.to_string();
        self.stage_port(&ctx.live.net, &bridge, &device, param.name, value, tx)
    }

    fn finish_set(&mut self, _ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        self.write_ports(tx);
        Ok(())
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        if table.object == BRIDGE_TABLE {
            return Ok(self.bridges.bridges.iter().map(|b| b.number).collect());
        }
        let bridge = self.bridges.bridge(table.instances)?;
        Ok(bridge.ports.iter().map(|(number, _)| *number).collect())
    }

    fn add_instance(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<u32, Error> {
        if table.object != BRIDGE_TABLE {
            return Err(Error::RequestDenied(
                "a bridge port is a device: set an existing port's LowerLayers instead".into(),
            ));
        }
        let options = [("type", "bridge")];
        let (number, section) = BRIDGES.add(ctx, BRIDGE_TABLE, &self.network, &options, tx)?;
        let suffix = section.rsplit('_').next().unwrap_or_default();
        tx.set_option(NETWORK, &section, "name", format!("br-cwmpd{suffix}"));
        Ok(number)
    }

    fn delete_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let bridge = self.bridges.bridge(instance.instances)?.clone();
        if instance.object == BRIDGE_TABLE {
            BRIDGES.delete(&[BRIDGE_TABLE], &self.network, &bridge.section, tx);
            return Ok(());
        }
        let device = bridge
            .port(instance_number(instance.instances)?)?
            .to_string();
        if device == bridge.name {
            return Err(Error::RequestDenied(
                "the management port goes with its bridge".into(),
            ));
        }
        self.pending_ports(&bridge).retain(|port| *port != device);
        tx.forget_instance(&bridge.port_table(), &device);
        self.write_ports(tx);
        Ok(())
    }
}

#[cfg(test)]
#[path = "bridging_tests.rs"]
mod tests;
