//! `Device.NAT.` and `Device.NAT.PortMapping.{i}.` (TR-181 Device:2) over fw4's port
//! forwards: the `redirect` sections of UCI `firewall` whose `target` is `DNAT` (fw4's
//! default; `SNAT` redirects are not port mappings and are left out).
//!
//! | TR-181 | firewall `redirect` | notes |
//! |---|---|---|
//! | Enable | `enabled` | fw4 default `1` |
//! | Status | — | `Disabled` when disabled; `Error_Misconfigured` when enabled without a usable source zone (fw4 skips such a redirect); else `Enabled` |
//! | Interface | `src` | the zone's first network as `Device.IP.Interface.{i}`; writing picks the zone that lists the interface's network |
//! | AllInterfaces | — | always false: fw4 refuses DNAT from every zone (`src '*'`); writing true is 9007 |
//! | LeaseDuration | — | always 0 (static); only 0 can be written |
//! | RemoteHost | `src_ip` | empty: any remote host |
//! | ExternalPort, ExternalPortEndRange | `src_dport` | `80` → 80, 0; `8000-8010` → 8000, 8010; unset → 0, 0 (any port) |
//! | InternalPort | `dest_port` | unset: the external port (fw4 uses `src_dport`); writing 0 removes it |
//! | Protocol | `proto` | `udp` → UDP; `tcp`, `tcp udp` and unset (fw4: both) → TCP, as TR-181 has no value for both; writing sets one protocol |
//! | InternalClient | `dest_ip` | an IPv4 address (fw4 does not resolve names) |
//! | Description | `name` | |
//!
//! AddObject creates a named section `cwmpd_portmap_<n>` that fw4 ignores until the ACS
//! enables it: `enabled '0'`, `target 'DNAT'`, `proto 'tcp'` and `src` set to the first
//! zone with masquerading (the WAN zone of a stock configuration). fw4 finds the destination
//! zone from `dest_ip`. DeleteObject removes the section. Instance numbers are keyed by section
//! (see `section_table.rs`). Changes commit `firewall`; the daemon then reloads it.

use std::collections::BTreeMap;

use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE};
use super::section_table::{self, instance_number, Numbered, SectionTable};
use super::uci_value::{bool_option, ipv4, uci_bool};
use crate::datamodel::{
    ActiveNotify, Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamDef,
    ParamRef, Transaction, Type, Value,
};

const FIREWALL: &str = "firewall";
const NAT: &str = "Device.NAT.";
const PORT_MAPPING: &str = "Device.NAT.PortMapping.{i}.";

const PORT_MAPPINGS: SectionTable = SectionTable {
    package: FIREWALL,
    section_type: "redirect",
    name_prefix: "cwmpd_portmap",
};

/// `Device.NAT.`
pub struct NatArea;

impl Area for NatArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let port = || Type::unsigned_int().range(Some(0), Some(65535));
        vec![
            ObjectDef::new(NAT).param(ParamDef::read_only(
                "PortMappingNumberOfEntries",
                Type::unsigned_int(),
            )),
            ObjectDef::writable_table(PORT_MAPPING)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only(
                    "Status",
                    Type::any_string().enumeration(&[
                        "Disabled",
                        "Enabled",
                        "Inactive",
                        "Error_Misconfigured",
                    ]),
                ))
                .param(ParamDef::read_write("Interface", Type::string(256)))
                .param(ParamDef::read_write("AllInterfaces", Type::boolean()))
                .param(
                    ParamDef::read_write("LeaseDuration", Type::unsigned_int())
                        .active_notify(ActiveNotify::CanDeny),
                )
                .param(ParamDef::read_write("RemoteHost", Type::any_string()))
                .param(ParamDef::read_write("ExternalPort", port()))
                .param(ParamDef::read_write("ExternalPortEndRange", port()))
                .param(ParamDef::read_write("InternalPort", port()))
                .param(ParamDef::read_write(
                    "Protocol",
                    Type::any_string().enumeration(&["TCP", "UDP"]),
                ))
                .param(ParamDef::read_write("InternalClient", Type::string(256)))
                .param(ParamDef::read_write("Description", Type::string(256))),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let firewall = ctx.config.sections(FIREWALL)?;
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        let interfaces = IpInterfaces::load(ctx, &network);
        let members: Vec<&ConfigSection> = firewall.iter().filter(|s| is_port_mapping(s)).collect();
        let mappings = PORT_MAPPINGS.number(ctx.instances, PORT_MAPPING, &members);
        Ok(Box::new(NatView {
            zones: zones(&firewall),
            firewall,
            interfaces,
            mappings,
            ports: BTreeMap::new(),
        }))
    }
}

/// A `redirect` section fw4 treats as DNAT (its default target).
fn is_port_mapping(section: &ConfigSection) -> bool {
    section.section_type == "redirect"
        && section
            .get("target")
            .is_none_or(|target| target.eq_ignore_ascii_case("dnat"))
}

/// A firewall zone: its name, its networks and whether it masquerades.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Zone {
    name: String,
    networks: Vec<String>,
    masq: bool,
}

fn zones(firewall: &[ConfigSection]) -> Vec<Zone> {
    firewall
        .iter()
        .filter(|section| section.section_type == "zone")
        .filter_map(|section| {
            Some(Zone {
                name: section.get("name")?,
                // `list network 'wan'` or the older `option network 'wan wan6'`.
                networks: section
                    .list("network")
                    .iter()
                    .flat_map(|item| item.split_whitespace())
                    .map(str::to_string)
                    .collect(),
                masq: bool_option(section, "masq", false),
            })
        })
        .collect()
}

/// `src_dport` as (first, last); `(0, 0)` when unset or not a port (any port).
fn parse_port_range(text: Option<&str>) -> (u16, u16) {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return (0, 0);
    };
    let mut bounds = text.splitn(2, ['-', ':']).map(|p| p.trim().parse::<u16>());
    match (bounds.next(), bounds.next()) {
        (Some(Ok(first)), None) => (first, 0),
        (Some(Ok(first)), Some(Ok(last))) => (first, last),
        _ => (0, 0),
    }
}

/// The ports of one mapping as a SetParameterValues leaves them (checked and written in
/// `finish_set`, since ExternalPort and ExternalPortEndRange share `src_dport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ExternalPorts {
    first: u16,
    last: u16,
}

struct NatView {
    firewall: Vec<ConfigSection>,
    zones: Vec<Zone>,
    interfaces: IpInterfaces,
    mappings: Vec<Numbered>,
    /// External ports set by the current SetParameterValues, by instance number.
    ports: BTreeMap<u32, ExternalPorts>,
}

impl NatView {
    fn mapping(&self, instances: &[u32]) -> Result<&ConfigSection, Error> {
        let number = instance_number(instances)?;
        Ok(&section_table::find(&self.mappings, number)?.section)
    }

    fn zone(&self, name: &str) -> Option<&Zone> {
        self.zones.iter().find(|zone| zone.name == name)
    }

    fn interface(&self, section: &ConfigSection) -> String {
        let zone = section.get("src").and_then(|src| self.zone(&src).cloned());
        let network = zone.and_then(|zone| zone.networks.first().cloned());
        network
            .map(|name| self.interfaces.path(&name))
            .unwrap_or_default()
    }

    fn status(&self, section: &ConfigSection) -> &'static str {
        if !bool_option(section, "enabled", true) {
            return "Disabled";
        }
        let source_zone = section.get("src").filter(|src| self.zone(src).is_some());
        match source_zone {
            Some(_) => "Enabled",
            None => "Error_Misconfigured",
        }
    }

    fn value(&self, section: &ConfigSection, name: &str) -> Result<Value, Error> {
        let (first, last) = parse_port_range(section.get("src_dport").as_deref());
        let text = |option: &str| Value::String(section.get(option).unwrap_or_default());
        Ok(match name {
            "Enable" => Value::Boolean(bool_option(section, "enabled", true)),
            "Status" => Value::from(self.status(section)),
            "Interface" => Value::String(self.interface(section)),
            "AllInterfaces" => Value::Boolean(false),
            "LeaseDuration" => Value::Unsigned(0),
            "RemoteHost" => Value::String(first_item(section, "src_ip")),
            "ExternalPort" => Value::from(u32::from(first)),
            "ExternalPortEndRange" => Value::from(u32::from(last)),
            "InternalPort" => match parse_port_range(section.get("dest_port").as_deref()) {
                (0, _) => Value::from(u32::from(first)),
                (port, _) => Value::from(u32::from(port)),
            },
            "Protocol" => Value::from(protocol(section)),
            "InternalClient" => Value::String(first_item(section, "dest_ip")),
            "Description" => text("name"),
            _ => return Err(Error::not_served(name)),
        })
    }

    /// Stage the write of one parameter of the mapping in `section`.
    fn stage(
        &mut self,
        number: u32,
        section: &ConfigSection,
        name: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let id = section.name.as_str();
        let text = value.as_str().unwrap_or_default();
        match name {
            "Enable" => {
                let enable = value.as_bool().unwrap_or_default();
                tx.set_option(FIREWALL, id, "enabled", uci_bool(enable));
            }
            "Interface" => {
                let zone = self.zone_of_interface(text)?;
                tx.set_option(FIREWALL, id, "src", zone);
            }
            "AllInterfaces" if value.as_bool() == Some(true) => {
                return Err(Error::invalid_value(
                    "",
                    "fw4 forwards ports from one source zone only (no DNAT from '*')",
                ))
            }
            "AllInterfaces" => {}
            "LeaseDuration" if value.as_u64() != Some(0) => {
                return Err(Error::invalid_value(
                    "",
                    "fw4 port forwards are static: only 0 is supported",
                ))
            }
            "LeaseDuration" => {}
            "RemoteHost" => set_or_delete_address(tx, id, "src_ip", text)?,
            "InternalClient" => set_or_delete_address(tx, id, "dest_ip", text)?,
            "ExternalPort" | "ExternalPortEndRange" => {
                let (first, last) = parse_port_range(section.get("src_dport").as_deref());
                let ports = self
                    .ports
                    .entry(number)
                    .or_insert(ExternalPorts { first, last });
                let port = u16::try_from(value.as_u64().unwrap_or_default()).unwrap_or_default();
                match name {
                    "ExternalPort" => ports.first = port,
                    _ => ports.last = port,
                }
            }
            "InternalPort" => match value.as_u64().unwrap_or_default() {
                0 => tx.delete_option(FIREWALL, id, "dest_port"),
                port => tx.set_option(FIREWALL, id, "dest_port", port.to_string()),
            },
            "Protocol" => stage_protocol(tx, section, text),
            "Description" if text.is_empty() => tx.delete_option(FIREWALL, id, "name"),
            "Description" => tx.set_option(FIREWALL, id, "name", text),
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }

    /// The zone that lists the network of the IP interface `path`.
    fn zone_of_interface(&self, path: &str) -> Result<String, Error> {
        let network = self.interfaces.name(path)?;
        self.zones
            .iter()
            .find(|zone| zone.networks.iter().any(|n| n == network))
            .map(|zone| zone.name.clone())
            .ok_or_else(|| {
                Error::invalid_value("", format!("no firewall zone contains {network:?}"))
            })
    }

    /// Check and stage the external port range of mapping `number`.
    fn finish_ports(
        &self,
        number: u32,
        ports: ExternalPorts,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let section = &section_table::find(&self.mappings, number)?.section;
        let id = section.name.as_str();
        match ports {
            // ExternalPort 0 is the wildcard: any port (TR-181); the end of range is moot.
            ExternalPorts { first: 0, .. } => tx.delete_option(FIREWALL, id, "src_dport"),
            ExternalPorts { first, last } if last == 0 || last == first => {
                tx.set_option(FIREWALL, id, "src_dport", first.to_string())
            }
            ExternalPorts { first, last } if last > first => {
                tx.set_option(FIREWALL, id, "src_dport", format!("{first}-{last}"))
            }
            ExternalPorts { first, last } => {
                return Err(Error::invalid_value(
                    &format!("Device.NAT.PortMapping.{number}.ExternalPortEndRange"),
                    format!("{last} is below ExternalPort {first}"),
                ))
            }
        }
        Ok(())
    }
}

/// The first item of an option that may be a list (`src_ip`, `dest_ip`).
fn first_item(section: &ConfigSection, option: &str) -> String {
    section
        .list(option)
        .first()
        .map(|item| item.to_string())
        .unwrap_or_default()
}

/// UDP only when `proto` names UDP and not TCP; anything else fw4 forwards includes TCP.
fn protocol(section: &ConfigSection) -> &'static str {
    let items: Vec<String> = section
        .list("proto")
        .iter()
        .flat_map(|item| item.split_whitespace())
        .map(str::to_ascii_lowercase)
        .collect();
    let udp_only = items.iter().any(|p| p == "udp") && !items.iter().any(|p| p.contains("tcp"));
    if udp_only {
        "UDP"
    } else {
        "TCP"
    }
}

/// Write `proto` in the form the section already uses (LuCI writes `list proto`).
fn stage_protocol(tx: &mut Transaction, section: &ConfigSection, protocol: &str) {
    let value = protocol.to_ascii_lowercase();
    match section.value("proto") {
        Some(crate::datamodel::ConfigValue::List(_)) => {
            tx.set_list(FIREWALL, &section.name, "proto", vec![value])
        }
        _ => tx.set_option(FIREWALL, &section.name, "proto", value),
    }
}

fn set_or_delete_address(
    tx: &mut Transaction,
    section: &str,
    option: &str,
    text: &str,
) -> Result<(), Error> {
    if text.is_empty() {
        tx.delete_option(FIREWALL, section, option);
    } else {
        tx.set_option(FIREWALL, section, option, ipv4(text)?.to_string());
    }
    Ok(())
}

impl AreaView for NatView {
    fn get(&mut self, _ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        if param.object == NAT {
            return match param.name {
                "PortMappingNumberOfEntries" => Ok(Value::from(self.mappings.len() as u32)),
                other => Err(Error::not_served(other)),
            };
        }
        let section = self.mapping(param.instances)?;
        self.value(section, param.name)
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let number = instance_number(param.instances)?;
        let section = self.mapping(param.instances)?.clone();
        self.stage(number, &section, param.name, value, tx)
    }

    fn finish_set(&mut self, _ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        let ports: Vec<(u32, ExternalPorts)> = self.ports.iter().map(|(n, p)| (*n, *p)).collect();
        ports
            .into_iter()
            .try_for_each(|(number, ports)| self.finish_ports(number, ports, tx))
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(self.mappings.iter().map(|m| m.number).collect())
    }

    fn add_instance(
        &mut self,
        ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<u32, Error> {
        let wan_zone = self
            .zones
            .iter()
            .find(|zone| zone.masq)
            .map(|z| z.name.clone());
        let mut options = vec![("enabled", "0"), ("target", "DNAT")];
        if let Some(zone) = &wan_zone {
            options.push(("src", zone));
        }
        options.push(("proto", "tcp"));
        let (number, _) = PORT_MAPPINGS.add(ctx, PORT_MAPPING, &self.firewall, &options, tx)?;
        Ok(number)
    }

    fn delete_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let section = self.mapping(instance.instances)?;
        PORT_MAPPINGS.delete(&[PORT_MAPPING], &self.firewall, section, tx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::test_router::{fixture, Router};

    const PM1: &str = "Device.NAT.PortMapping.1.";

    fn router() -> Router {
        Router::new(&[("firewall", "firewall-24.10"), ("network", "network-24.10")])
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn stock_port_forward_reads_as_a_port_mapping() {
        let mut router = router();
        assert_eq!(router.value("Device.NAT.PortMappingNumberOfEntries"), "1");
        assert_eq!(
            router.values_below(PM1),
            pairs(&[
                ("Enable", "true"),
                ("Status", "Enabled"),
                ("Interface", "Device.IP.Interface.3"),
                ("AllInterfaces", "false"),
                ("LeaseDuration", "0"),
                ("RemoteHost", ""),
                ("ExternalPort", "8443"),
                ("ExternalPortEndRange", "0"),
                ("InternalPort", "443"),
                ("Protocol", "TCP"),
                ("InternalClient", "192.168.1.10"),
                ("Description", "nas-https"),
            ])
        );
        assert_eq!(
            router.gpn("Device.NAT.", true).unwrap(),
            [
                ("Device.NAT.PortMappingNumberOfEntries".to_string(), false),
                ("Device.NAT.PortMapping.".to_string(), true),
            ]
        );
        assert_eq!(
            router.gpn("Device.NAT.PortMapping.", true).unwrap(),
            [(PM1.to_string(), true)]
        );
        assert_eq!(router.file("firewall"), fixture("firewall-24.10"));
    }

    /// The stock 24.10 file with `block` (starting with a blank line) appended as the last
    /// section, before the file's final blank line.
    fn stock_firewall_with(block: &str) -> String {
        let stock = fixture("firewall-24.10");
        format!("{}{block}\n", stock.strip_suffix('\n').unwrap())
    }

    #[test]
    fn add_object_creates_a_disabled_named_redirect() {
        let mut router = router();
        assert_eq!(router.add("Device.NAT.PortMapping."), Ok(2));
        assert_eq!(
            router.file("firewall"),
            stock_firewall_with(
                "\nconfig redirect 'cwmpd_portmap_1'\n\toption enabled '0'\n\
                 \toption target 'DNAT'\n\toption src 'wan'\n\toption proto 'tcp'\n"
            )
        );
        assert_eq!(
            router.values_below("Device.NAT.PortMapping.2."),
            pairs(&[
                ("Enable", "false"),
                ("Status", "Disabled"),
                ("Interface", "Device.IP.Interface.3"),
                ("AllInterfaces", "false"),
                ("LeaseDuration", "0"),
                ("RemoteHost", ""),
                ("ExternalPort", "0"),
                ("ExternalPortEndRange", "0"),
                ("InternalPort", "0"),
                ("Protocol", "TCP"),
                ("InternalClient", ""),
                ("Description", ""),
            ])
        );
    }

    #[test]
    fn set_parameter_values_writes_the_redirect() {
        let mut router = router();
        router.add("Device.NAT.PortMapping.").unwrap();
        let status = router.spv(&[
            ("Device.NAT.PortMapping.2.Enable", "true"),
            ("Device.NAT.PortMapping.2.ExternalPort", "5000"),
            ("Device.NAT.PortMapping.2.ExternalPortEndRange", "5010"),
            ("Device.NAT.PortMapping.2.InternalPort", "6000"),
            ("Device.NAT.PortMapping.2.Protocol", "UDP"),
            ("Device.NAT.PortMapping.2.InternalClient", "192.168.1.50"),
            ("Device.NAT.PortMapping.2.RemoteHost", "198.51.100.7"),
            ("Device.NAT.PortMapping.2.Description", "game server"),
        ]);
        assert_eq!(status, Ok(0));
        assert_eq!(router.changed_packages, ["firewall"]);
        assert_eq!(
            router.file("firewall"),
            stock_firewall_with(
                "\nconfig redirect 'cwmpd_portmap_1'\n\toption enabled '1'\n\
                 \toption target 'DNAT'\n\toption src 'wan'\n\toption proto 'udp'\n\
                 \toption dest_port '6000'\n\toption dest_ip '192.168.1.50'\n\
                 \toption src_ip '198.51.100.7'\n\toption name 'game server'\n\
                 \toption src_dport '5000-5010'\n"
            )
        );
        let values = router.values_below("Device.NAT.PortMapping.2.");
        assert_eq!(values[1], pairs(&[("Status", "Enabled")])[0]);
        assert_eq!(values[6], pairs(&[("ExternalPort", "5000")])[0]);
        assert_eq!(values[7], pairs(&[("ExternalPortEndRange", "5010")])[0]);
        assert_eq!(values[9], pairs(&[("Protocol", "UDP")])[0]);
    }

    #[test]
    fn list_proto_stays_a_list_and_ports_collapse() {
        let mut router = router();
        let status = router.spv(&[
            ("Device.NAT.PortMapping.1.Protocol", "UDP"),
            ("Device.NAT.PortMapping.1.ExternalPortEndRange", "8443"),
            ("Device.NAT.PortMapping.1.InternalPort", "0"),
            (
                "Device.NAT.PortMapping.1.Interface",
                "Device.IP.Interface.2",
            ),
        ]);
        assert_eq!(status, Ok(0));
        // libuci too rewrites a list by deleting it and adding its items at the end.
        let expected = fixture("firewall-24.10")
            .replace("\tlist proto 'tcp'\n", "")
            .replace("\toption dest_port '443'\n", "\tlist proto 'udp'\n")
            .replace(
                "\toption src 'wan'\n\toption src_dport",
                "\toption src 'lan'\n\toption src_dport",
            );
        assert_eq!(router.file("firewall"), expected);
        assert_eq!(
            router.value("Device.NAT.PortMapping.1.InternalPort"),
            "8443"
        );
        assert_eq!(
            router.value("Device.NAT.PortMapping.1.Interface"),
            "Device.IP.Interface.2"
        );
    }

    #[test]
    fn one_bad_parameter_changes_nothing() {
        let mut router = router();
        let faults = router.spv_faults(&[
            ("Device.NAT.PortMapping.1.Enable", "false"),
            ("Device.NAT.PortMapping.1.InternalClient", "nas.lan"),
            ("Device.NAT.PortMapping.1.Description", "renamed"),
        ]);
        assert_eq!(
            faults,
            (
                9003,
                vec![("Device.NAT.PortMapping.1.InternalClient".into(), 9007)]
            )
        );
        assert!(router.changed_packages.is_empty());
        let faults = router.spv_faults(&[
            ("Device.NAT.PortMapping.1.Enable", "false"),
            ("Device.NAT.PortMapping.1.ExternalPort", "9000"),
            ("Device.NAT.PortMapping.1.ExternalPortEndRange", "8999"),
        ]);
        assert_eq!(
            faults,
            (
                9003,
                vec![("Device.NAT.PortMapping.1.ExternalPortEndRange".into(), 9007)]
            )
        );
        let faults = router.spv_faults(&[
            ("Device.NAT.PortMapping.1.AllInterfaces", "true"),
            ("Device.NAT.PortMapping.1.LeaseDuration", "3600"),
            (
                "Device.NAT.PortMapping.1.Interface",
                "Device.IP.Interface.9",
            ),
            ("Device.NAT.PortMapping.1.Protocol", "ICMP"),
            ("Device.NAT.PortMapping.1.Status", "Enabled"),
            ("Device.NAT.PortMapping.1.ExternalPort", "65536"),
            ("Device.NAT.PortMapping.2.Enable", "true"),
        ]);
        assert_eq!(
            faults,
            (
                9003,
                vec![
                    ("Device.NAT.PortMapping.1.AllInterfaces".into(), 9007),
                    ("Device.NAT.PortMapping.1.LeaseDuration".into(), 9007),
                    ("Device.NAT.PortMapping.1.Interface".into(), 9007),
                    ("Device.NAT.PortMapping.1.Protocol".into(), 9007),
                    ("Device.NAT.PortMapping.1.Status".into(), 9008),
                    ("Device.NAT.PortMapping.1.ExternalPort".into(), 9007),
                    ("Device.NAT.PortMapping.2.Enable".into(), 9005),
                ]
            )
        );
        assert_eq!(router.file("firewall"), fixture("firewall-24.10"));
    }

    #[test]
    fn add_and_delete_only_on_the_table() {
        let mut router = router();
        assert_eq!(router.add("Device.NAT."), Err(9005));
        assert_eq!(router.add(PM1), Err(9005));
        assert_eq!(router.add("Device.NAT.PortMapping.1.Enable"), Err(9005));
        assert_eq!(router.delete("Device.NAT.PortMapping."), Err(9005));
        assert_eq!(router.delete("Device.NAT.PortMapping.7."), Err(9005));
        assert_eq!(router.file("firewall"), fixture("firewall-24.10"));
    }

    #[test]
    fn numbers_survive_restarts_and_are_never_reused() {
        let mut router = router();
        assert_eq!(router.add("Device.NAT.PortMapping."), Ok(2));
        assert_eq!(router.add("Device.NAT.PortMapping."), Ok(3));
        let mut router = router.restart();
        assert_eq!(router.value("Device.NAT.PortMapping.3.Description"), "");
        assert_eq!(router.delete("Device.NAT.PortMapping.2."), Ok(()));
        assert_eq!(router.delete(PM1), Ok(()));
        assert_eq!(
            router.file("firewall"),
            fixture("firewall-24.10").replace(
                "config redirect\n\toption dest 'lan'\n\toption target 'DNAT'\n\
                 \toption name 'nas-https'\n\tlist proto 'tcp'\n\toption src 'wan'\n\
                 \toption src_dport '8443'\n\toption dest_ip '192.168.1.10'\n\
                 \toption dest_port '443'\n\n",
                ""
            ) + "config redirect 'cwmpd_portmap_2'\n\toption enabled '0'\n\
                 \toption target 'DNAT'\n\toption src 'wan'\n\toption proto 'tcp'\n\n"
        );
        let mut router = router.restart();
        assert_eq!(
            router.gpn("Device.NAT.PortMapping.", true).unwrap(),
            [("Device.NAT.PortMapping.3.".to_string(), true)]
        );
        // The freed name is used again, but never the numbers 1 and 2.
        assert_eq!(router.add("Device.NAT.PortMapping."), Ok(4));
        assert!(router
            .file("firewall")
            .contains("config redirect 'cwmpd_portmap_1'"));
    }

    #[test]
    fn anonymous_redirects_keep_their_numbers_when_an_earlier_one_goes() {
        let mut router = router();
        let two_more = "\nconfig redirect\n\toption name 'b'\n\toption src 'wan'\n\
                        \nconfig redirect\n\toption name 'snat'\n\toption target 'SNAT'\n\
                        \nconfig redirect\n\toption name 'c'\n\toption src 'wan'\n";
        router.write_file("firewall", &stock_firewall_with(two_more));
        assert_eq!(
            router.gpn("Device.NAT.PortMapping.", true).unwrap().len(),
            3,
            "the SNAT redirect is not a port mapping"
        );
        assert_eq!(router.value("Device.NAT.PortMapping.3.Description"), "c");
        assert_eq!(router.delete(PM1), Ok(()));
        let mut router = router.restart();
        assert_eq!(router.value("Device.NAT.PortMapping.2.Description"), "b");
        assert_eq!(router.value("Device.NAT.PortMapping.3.Description"), "c");
        assert_eq!(router.value("Device.NAT.PortMappingNumberOfEntries"), "2");
    }

    /// Alias-based addressing through the NAT area (TR-069 §3.6.1, A.2.2.1, A.3.2.6).
    #[test]
    fn port_mappings_by_alias() {
        let mut router = Router::new(&[
            ("firewall", "firewall-24.10"),
            ("network", "network-24.10"),
            ("cwmpd", "cwmpd"),
        ]);
        let pm2 = "Device.NAT.PortMapping.2.";
        assert_eq!(router.add("Device.NAT.PortMapping."), Ok(2));
        assert_eq!(router.value(&format!("{PM1}Alias")), "cpe-1");
        assert_eq!(router.value(&format!("{pm2}Alias")), "cpe-2");
        assert_eq!(router.spv(&[(&format!("{pm2}Alias"), "web")]), Ok(0));
        assert_eq!(router.changed_packages, Vec::<String>::new());
        assert_eq!(router.value(&format!("{pm2}Alias")), "web");
        // InstanceNumber mode (the default): a bracketed path is an invalid name.
        assert_eq!(
            router.gpv(&["Device.NAT.PortMapping.[web].Enable"]),
            Err(9005)
        );
        let mode = "Device.ManagementServer.InstanceMode";
        assert_eq!(router.spv(&[(mode, "InstanceAlias")]), Ok(0));
        assert_eq!(router.value(mode), "InstanceAlias");
        assert_eq!(
            router.gpv(&["Device.NAT.PortMapping.[web].Enable"]),
            Ok(vec![(format!("{pm2}Enable"), "false".to_string())])
        );
        let enable = "Device.NAT.PortMapping.[web].Enable";
        assert_eq!(router.spv(&[(enable, "true")]), Ok(0));
        assert_eq!(router.value(&format!("{pm2}Enable")), "true");
        assert!(router
            .file("firewall")
            .contains("config redirect 'cwmpd_portmap_1'\n\toption enabled '1'"));
        assert_eq!(
            router.spv_faults(&[(&format!("{PM1}Alias"), "web")]),
            (9003, vec![(format!("{PM1}Alias"), 9007)])
        );
        // The aliases are cwmpd's: no system file mentions them.
        assert!(!router.file("firewall").contains("web"));
        let mut router = router.restart();
        assert_eq!(router.value("Device.NAT.PortMapping.[web].Enable"), "true");
        assert_eq!(router.value(&format!("{PM1}Alias")), "cpe-1");
        assert_eq!(router.spv(&[(mode, "InstanceNumber")]), Ok(0));
        assert_eq!(
            router.gpv(&["Device.NAT.PortMapping.[web].Enable"]),
            Err(9005)
        );
    }

    #[test]
    fn port_ranges() {
        assert_eq!(parse_port_range(Some("8443")), (8443, 0));
        assert_eq!(parse_port_range(Some("8000-8010")), (8000, 8010));
        assert_eq!(parse_port_range(Some("8000:8010")), (8000, 8010));
        assert_eq!(parse_port_range(Some("!80")), (0, 0));
        assert_eq!(parse_port_range(None), (0, 0));
    }
}
