//! `Device.DNS.Client.` (TR-181 Device:2) over the statically configured DNS servers of UCI
//! `network`: each item of an interface's `dns` list is one `Server.{i}` of `Type` `Static`.
//! Servers learnt at run time are listed too, read-only, from netifd's `dns-server` of each
//! interface (less the interface's static ones, which netifd reports as well): `Type`
//! `DHCPv4` for `proto dhcp`, `DHCPv6` for `dhcpv6` (odhcp6c merges RA and DHCPv6 servers),
//! `IPCP` for PPP; their `Interface` is empty for netifd's dynamic interfaces (`wan_6`), which
//! have no UCI section. They are keyed `netifd:<Type>|<iface>|<address>`; writing them is
//! refused (9008), deleting them too (9001).
//!
//! | TR-181 `Server.{i}.` | UCI | notes |
//! |---|---|---|
//! | Enable | — | enabled servers are items of `network.<iface>.dns`; a disabled one exists only in cwmpd's instance table (netifd has no per-server switch), so disabling removes the item and enabling writes it back |
//! | Status | — | `Enabled` or `Disabled`, as Enable |
//! | DNSServer | the item | an IPv4 or IPv6 address |
//! | Interface | the interface whose list holds it | as `Device.IP.Interface.{i}`; changing it moves the item |
//! | Type | — | always `Static` |
//!
//! Identity: an enabled server is keyed `<iface>/<address>`; when the ACS changes either, the
//! key moves with its number. A disabled server is keyed `off:<number>|<iface>|<address>`:
//! the key is all cwmpd keeps of it, in its own store, never in `/etc/config/network`.
//! AddObject creates such a disabled, empty server (TR-181 default Enable false); the ACS
//! sets DNSServer and Interface, then Enable. `Client.Enable` is always true (the resolver
//! cannot be switched off). Changes commit `network`; the daemon then reloads it.

use core::net::IpAddr;
use std::collections::BTreeMap;

use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE};
use super::netifd_interface::PPP_PROTOS;
use super::section_table::instance_number;
use super::uci_value::ip_address;
use crate::datamodel::{
    Area, AreaView, ConfigSection, Context, Error, InstanceNumbers, ObjectDef, ObjectRef, ParamDef,
    ParamRef, Transaction, Type, Value,
};
use crate::live::LiveState;

const DNS: &str = "Device.DNS.";
const CLIENT: &str = "Device.DNS.Client.";
const SERVER: &str = "Device.DNS.Client.Server.{i}.";
const DISABLED_PREFIX: &str = "off:";
const LIVE_PREFIX: &str = "netifd:";

/// `Device.DNS.`
pub struct DnsArea;

/// A table of DNS servers: `Client.Server.{i}` here, `Relay.Forwarding.{i}` in
/// `dns_relay.rs` (TR-181 gives both the same parameters).
pub(crate) fn server_table(path: &'static str) -> ObjectDef {
    ObjectDef::writable_table(path)
        .param(ParamDef::read_write("Enable", Type::boolean()))
        .param(ParamDef::read_only("Status", enabled_status()))
        .param(ParamDef::read_write(
            "DNSServer",
            Type::string(45).data_type("IPAddress"),
        ))
        .param(ParamDef::read_write("Interface", Type::string(256)))
        .param(ParamDef::read_only(
            "Type",
            Type::any_string().enumeration(&[
                "DHCPv4",
                "DHCPv6",
                "RouterAdvertisement",
                "IPCP",
                "3GPP-NAS",
                "Static",
            ]),
        ))
}

/// `Status` of the client, the relay and their servers.
pub(crate) fn enabled_status() -> Type {
    Type::any_string().enumeration(&["Disabled", "Enabled"])
}

impl Area for DnsArea {
    fn schema(&self) -> Vec<ObjectDef> {
        vec![
            ObjectDef::new(DNS),
            ObjectDef::new(CLIENT)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only("Status", enabled_status()))
                .param(ParamDef::read_only(
                    "ServerNumberOfEntries",
                    Type::unsigned_int(),
                )),
            server_table(SERVER),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        let interfaces = IpInterfaces::load(ctx, &network);
        let lists = dns_lists(&network);
        let live = learnt_servers(ctx.live, &lists);
        let servers = number_servers(ctx, &lists, &live);
        Ok(Box::new(DnsView {
            lists,
            interfaces,
            servers,
            pending: BTreeMap::new(),
        }))
    }
}

/// One DNS server: where it is configured and whether it is in force.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Server {
    enabled: bool,
    interface: String,
    address: String,
    /// `Static` for UCI's servers, else how netifd learnt it (read-only).
    kind: &'static str,
}

impl Server {
    fn learnt(&self) -> bool {
        self.kind != "Static"
    }

    /// The key of the server in the instance table.
    fn key(&self, number: u32) -> String {
        if self.learnt() {
            return format!(
                "{LIVE_PREFIX}{}|{}|{}",
                self.kind, self.interface, self.address
            );
        }
        match self.enabled {
            true => format!("{}/{}", self.interface, self.address),
            false => format!(
                "{DISABLED_PREFIX}{number}|{}|{}",
                self.interface, self.address
            ),
        }
    }

    /// The server a key describes.
    fn from_key(key: &str) -> Option<Server> {
        if let Some(learnt) = key.strip_prefix(LIVE_PREFIX) {
            let mut parts = learnt.splitn(3, '|');
            let kind = parts.next()?;
            return Some(Server {
                enabled: true,
                kind: LEARNT_TYPES.iter().find(|known| **known == kind)?,
                interface: parts.next()?.to_string(),
                address: parts.next()?.to_string(),
            });
        }
        if let Some(disabled) = key.strip_prefix(DISABLED_PREFIX) {
            let mut parts = disabled.splitn(3, '|').skip(1);
            return Some(Server {
                enabled: false,
                interface: parts.next()?.to_string(),
                address: parts.next()?.to_string(),
                kind: "Static",
            });
        }
        let (interface, address) = key.split_once('/')?;
        Some(Server {
            enabled: true,
            interface: interface.to_string(),
            address: address.to_string(),
            kind: "Static",
        })
    }
}

/// The `dns` items of every interface, in file order (`list dns` or the older
/// space-separated `option dns`).
fn dns_lists(network: &[ConfigSection]) -> Vec<(String, Vec<String>)> {
    network
        .iter()
        .filter(|s| s.section_type == "interface" && !s.anonymous)
        .map(|s| {
            let items = s.list("dns");
            let items = items.iter().flat_map(|i| i.split_whitespace());
            (s.name.clone(), items.map(str::to_string).collect())
        })
        .collect()
}

const LEARNT_TYPES: &[&str] = &["DHCPv4", "DHCPv6", "IPCP"];

/// How netifd learnt the servers of an interface of protocol `proto` (`None`: it does not
/// learn any).
pub(crate) fn learnt_type(proto: &str, address: &IpAddr) -> Option<&'static str> {
    match proto {
        "dhcp" => Some("DHCPv4"),
        "dhcpv6" => Some("DHCPv6"),
        proto if PPP_PROTOS.contains(&proto) && address.is_ipv4() => Some("IPCP"),
        _ => None,
    }
}

/// The servers netifd learnt (its `dns-server` less the interface's static `dns` items), as
/// instance keys in netifd's order.
fn learnt_servers(live: &LiveState, lists: &[(String, Vec<String>)]) -> Vec<String> {
    let mut keys = Vec::new();
    for iface in &live.services.netifd.interfaces {
        let configured = lists
            .iter()
            .find(|(name, _)| *name == iface.name)
            .map(|(_, items)| items.as_slice())
            .unwrap_or_default();
        for address in &iface.dns_servers {
            let text = address.to_string();
            let Some(kind) = learnt_type(&iface.proto, address) else {
                continue;
            };
            if configured.contains(&text) {
                continue;
            }
            let key = format!("{LIVE_PREFIX}{kind}|{}|{text}", iface.name);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// Number the enabled servers (in file order), the disabled ones cwmpd keeps and the ones
/// netifd learnt.
fn number_servers(
    ctx: &mut Context<'_>,
    lists: &[(String, Vec<String>)],
    learnt: &[String],
) -> Vec<(u32, Server)> {
    let table = ctx.instances.table(SERVER);
    let mut keys: Vec<String> = Vec::new();
    for (interface, items) in lists {
        for address in items {
            let key = format!("{interface}/{address}");
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys.extend(disabled_keys(table));
    keys.extend(learnt.iter().cloned());
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    table
        .assign(&key_refs)
        .into_iter()
        .filter_map(|(number, key)| Some((number, Server::from_key(key)?)))
        .collect()
}

/// The disabled servers: they live only in the instance table.
fn disabled_keys(table: &InstanceNumbers) -> Vec<String> {
    table
        .keys()
        .filter(|key| key.starts_with(DISABLED_PREFIX))
        .map(str::to_string)
        .collect()
}

struct DnsView {
    lists: Vec<(String, Vec<String>)>,
    interfaces: IpInterfaces,
    servers: Vec<(u32, Server)>,
    /// Servers as the current SetParameterValues leaves them, by number.
    pending: BTreeMap<u32, Server>,
}

impl DnsView {
    fn server(&self, number: u32) -> Result<&Server, Error> {
        self.servers
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, server)| server)
            .ok_or_else(|| Error::invalid_name(""))
    }

    fn value(&self, server: &Server, name: &str) -> Result<Value, Error> {
        Ok(match name {
            "Enable" => Value::Boolean(server.enabled),
            "Status" => Value::from(if server.enabled {
                "Enabled"
            } else {
                "Disabled"
            }),
            "DNSServer" => Value::String(server.address.clone()),
            "Interface" => Value::String(self.interfaces.path(&server.interface)),
            "Type" => Value::from(server.kind),
            other => return Err(Error::not_served(other)),
        })
    }

    fn list(&self, interface: &str) -> Vec<String> {
        self.lists
            .iter()
            .find(|(name, _)| name == interface)
            .map(|(_, items)| items.clone())
            .unwrap_or_default()
    }

    /// Move server `number` from `old` to `new` in the interfaces' lists. A new address on
    /// the same interface takes the old one's place: the order is the resolvers' order.
    fn move_in_lists(
        &self,
        lists: &mut BTreeMap<String, Vec<String>>,
        number: u32,
        old: &Server,
        new: &Server,
    ) -> Result<(), Error> {
        let mut position = None;
        if old.enabled {
            let items = self.list_in(lists, &old.interface);
            position = items.iter().position(|item| *item == old.address);
            items.retain(|item| *item != old.address);
        }
        if !new.enabled {
            return Ok(());
        }
        let items = self.list_in(lists, &new.interface);
        if items.contains(&new.address) {
            return Err(Error::invalid_value(
                &format!("Device.DNS.Client.Server.{number}.DNSServer"),
                format!("{} is already a server of {}", new.address, new.interface),
            ));
        }
        let same_interface = old.enabled && old.interface == new.interface;
        let at = position.filter(|_| same_interface).unwrap_or(items.len());
        items.insert(at.min(items.len()), new.address.clone());
        Ok(())
    }

    /// An interface's list as edited so far.
    fn list_in<'l>(
        &self,
        lists: &'l mut BTreeMap<String, Vec<String>>,
        interface: &str,
    ) -> &'l mut Vec<String> {
        lists
            .entry(interface.to_string())
            .or_insert_with(|| self.list(interface))
    }

    /// Check the changed servers and stage the lists and keys they imply.
    fn finish_servers(&self, tx: &mut Transaction) -> Result<(), Error> {
        let mut lists: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut rejected = Vec::new();
        for (number, new) in &self.pending {
            let old = self.server(*number)?;
            if let Err(error) = check_server(*number, new) {
                rejected.push(error);
                continue;
            }
            if let Err(error) = self.move_in_lists(&mut lists, *number, old, new) {
                rejected.push(error);
                continue;
            }
            tx.rename_instance(SERVER, &old.key(*number), &new.key(*number));
        }
        if !rejected.is_empty() {
            return Err(Error::SetParameterValues(rejected));
        }
        for (interface, items) in lists {
            if items != self.list(&interface) {
                tx.set_list(NETWORK_PACKAGE, &interface, "dns", items);
            }
        }
        Ok(())
    }
}

/// An enabled server needs an interface and an address.
fn check_server(number: u32, server: &Server) -> Result<(), Error> {
    let name = |param: &str| format!("Device.DNS.Client.Server.{number}.{param}");
    match (
        server.enabled,
        server.address.is_empty(),
        server.interface.is_empty(),
    ) {
        (true, true, _) => Err(Error::invalid_value(&name("Enable"), "set DNSServer first")),
        (true, _, true) => Err(Error::invalid_value(&name("Enable"), "set Interface first")),
        _ => Ok(()),
    }
}

impl AreaView for DnsView {
    fn get(&mut self, _ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        if param.object == CLIENT {
            return Ok(match param.name {
                "Enable" => Value::Boolean(true),
                "Status" => Value::from("Enabled"),
                "ServerNumberOfEntries" => Value::from(self.servers.len() as u32),
                other => return Err(Error::not_served(other)),
            });
        }
        let server = self.server(instance_number(param.instances)?)?;
        self.value(server, param.name)
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        _tx: &mut Transaction,
    ) -> Result<(), Error> {
        if param.object == CLIENT {
            return match value.as_bool() {
                Some(true) => Ok(()),
                _ => Err(Error::invalid_value(
                    "",
                    "the resolver cannot be switched off",
                )),
            };
        }
        let number = instance_number(param.instances)?;
        let current = self.server(number)?.clone();
        if current.learnt() {
            return Err(Error::not_writable(""));
        }
        let text = value.as_str().unwrap_or_default().trim();
        let interface = match param.name {
            "Interface" if !text.is_empty() => Some(self.interfaces.name(text)?.to_string()),
            _ => None,
        };
        let server = self.pending.entry(number).or_insert(current);
        match param.name {
            "Enable" => server.enabled = value.as_bool().unwrap_or_default(),
            "DNSServer" if text.is_empty() => server.address.clear(),
            "DNSServer" => {
                server.address = ip_address(text)?.to_string();
            }
            "Interface" => server.interface = interface.unwrap_or_default(),
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }

    fn finish_set(&mut self, _ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        self.finish_servers(tx)
    }

    /// Servers netifd learnt (DHCP, DHCPv6, IPCP) are netifd's.
    fn read_only_instance(&mut self, _ctx: &mut Context<'_>, instance: ObjectRef<'_>) -> bool {
        let server = instance_number(instance.instances).and_then(|n| self.server(n));
        server.is_ok_and(|server| server.learnt())
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(self.servers.iter().map(|(number, _)| *number).collect())
    }

    fn add_instance(
        &mut self,
        ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
        _tx: &mut Transaction,
    ) -> Result<u32, Error> {
        let table = ctx.instances.table(SERVER);
        let placeholder = format!("{DISABLED_PREFIX}new");
        let number = table
            .number_for(&placeholder)
            .ok_or_else(|| Error::ResourcesExceeded("instance numbers exhausted".into()))?;
        let empty = Server {
            enabled: false,
            interface: String::new(),
            address: String::new(),
            kind: "Static",
        };
        table.rename_key(&placeholder, &empty.key(number));
        Ok(number)
    }

    fn delete_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let number = instance_number(instance.instances)?;
        let server = self.server(number)?;
        if server.learnt() {
            return Err(Error::RequestDenied(
                "a server netifd learnt goes with its lease".into(),
            ));
        }
        if server.enabled {
            let mut items = self.list(&server.interface);
            items.retain(|item| *item != server.address);
            tx.set_list(NETWORK_PACKAGE, &server.interface, "dns", items);
        }
        tx.forget_instance(SERVER, &server.key(number));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::backend::test_router::{fixture, Router};

    const WAN_END: &str = "\toption ipv6 'auto'\n";
    const LAN_END: &str = "\toption ip6assign '60'\n";

    /// The stock 24.10 network with `lan` and `wan` DNS servers appended to the sections.
    fn network(lan: &str, wan: &str) -> String {
        fixture("network-24.10")
            .replace(LAN_END, &format!("{LAN_END}{lan}"))
            .replace(WAN_END, &format!("{WAN_END}{wan}"))
    }

    const STATIC_LAN: &str = "\toption dns '9.9.9.9'\n";
    const STATIC_WAN: &str = "\tlist dns '1.1.1.1'\n\tlist dns '2606:4700:4700::1111'\n";

    fn router() -> Router {
        let router = Router::new(&[("network", "network-24.10")]);
        router.write_file("network", &network(STATIC_LAN, STATIC_WAN));
        router
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn static_servers_in_file_order() {
        let mut router = router();
        assert_eq!(
            router.values_below("Device.DNS.Client."),
            pairs(&[
                ("Enable", "true"),
                ("Status", "Enabled"),
                ("ServerNumberOfEntries", "3"),
                ("Server.1.Enable", "true"),
                ("Server.1.Status", "Enabled"),
                ("Server.1.DNSServer", "9.9.9.9"),
                ("Server.1.Interface", "Device.IP.Interface.2"),
                ("Server.1.Type", "Static"),
                ("Server.2.Enable", "true"),
                ("Server.2.Status", "Enabled"),
                ("Server.2.DNSServer", "1.1.1.1"),
                ("Server.2.Interface", "Device.IP.Interface.3"),
                ("Server.2.Type", "Static"),
                ("Server.3.Enable", "true"),
                ("Server.3.Status", "Enabled"),
                ("Server.3.DNSServer", "2606:4700:4700::1111"),
                ("Server.3.Interface", "Device.IP.Interface.3"),
                ("Server.3.Type", "Static"),
            ])
        );
        let mut stock = Router::new(&[("network", "network-23.05")]);
        assert_eq!(stock.value("Device.DNS.Client.ServerNumberOfEntries"), "0");
    }

    #[test]
    fn changing_an_address_or_interface_keeps_the_number() {
        let mut router = router();
        router
            .spv(&[
                ("Device.DNS.Client.Server.2.DNSServer", "1.0.0.1"),
                (
                    "Device.DNS.Client.Server.1.Interface",
                    "Device.IP.Interface.3",
                ),
            ])
            .unwrap();
        assert_eq!(router.changed_packages, ["network"]);
        assert_eq!(
            router.file("network"),
            network(
                "",
                "\tlist dns '1.0.0.1'\n\tlist dns '2606:4700:4700::1111'\n\tlist dns '9.9.9.9'\n"
            )
        );
        let mut router = router.restart();
        assert_eq!(
            router.value("Device.DNS.Client.Server.2.DNSServer"),
            "1.0.0.1"
        );
        assert_eq!(
            router.value("Device.DNS.Client.Server.1.Interface"),
            "Device.IP.Interface.3"
        );
    }

    #[test]
    fn disabled_servers_live_in_cwmpds_store() {
        let mut router = router();
        router
            .spv(&[("Device.DNS.Client.Server.3.Enable", "false")])
            .unwrap();
        assert_eq!(
            router.file("network"),
            network(STATIC_LAN, "\tlist dns '1.1.1.1'\n")
        );
        let mut router = router.restart();
        assert_eq!(
            router.values_below("Device.DNS.Client.Server.3."),
            pairs(&[
                ("Enable", "false"),
                ("Status", "Disabled"),
                ("DNSServer", "2606:4700:4700::1111"),
                ("Interface", "Device.IP.Interface.3"),
                ("Type", "Static"),
            ])
        );
        router
            .spv(&[("Device.DNS.Client.Server.3.Enable", "true")])
            .unwrap();
        assert_eq!(
            router.file("network"),
            network(
                STATIC_LAN,
                "\tlist dns '1.1.1.1'\n\tlist dns '2606:4700:4700::1111'\n"
            )
        );
    }

    #[test]
    fn added_servers_are_written_once_complete() {
        let mut router = router();
        assert_eq!(router.add("Device.DNS.Client.Server."), Ok(4));
        assert_eq!(router.file("network"), network(STATIC_LAN, STATIC_WAN));
        assert_eq!(
            router.values_below("Device.DNS.Client.Server.4.")[..4],
            pairs(&[
                ("Enable", "false"),
                ("Status", "Disabled"),
                ("DNSServer", ""),
                ("Interface", ""),
            ])
        );
        assert_eq!(
            router.spv_faults(&[("Device.DNS.Client.Server.4.Enable", "true")]),
            (
                9003,
                vec![("Device.DNS.Client.Server.4.Enable".into(), 9007)]
            )
        );
        router
            .spv(&[
                ("Device.DNS.Client.Server.4.Enable", "true"),
                (
                    "Device.DNS.Client.Server.4.Interface",
                    "Device.IP.Interface.2",
                ),
                ("Device.DNS.Client.Server.4.DNSServer", "149.112.112.112"),
            ])
            .unwrap();
        assert_eq!(
            router.file("network"),
            network(
                "\tlist dns '9.9.9.9'\n\tlist dns '149.112.112.112'\n",
                STATIC_WAN
            )
        );
        router.delete("Device.DNS.Client.Server.4.").unwrap();
        router.delete("Device.DNS.Client.Server.1.").unwrap();
        assert_eq!(router.file("network"), network("", STATIC_WAN));
        let mut router = router.restart();
        assert_eq!(router.add("Device.DNS.Client.Server."), Ok(5));
        assert_eq!(
            router.gpn("Device.DNS.Client.Server.", true).unwrap(),
            [
                ("Device.DNS.Client.Server.2.".to_string(), true),
                ("Device.DNS.Client.Server.3.".to_string(), true),
                ("Device.DNS.Client.Server.5.".to_string(), true),
            ]
        );
    }

    #[test]
    fn one_bad_parameter_changes_nothing() {
        let mut router = router();
        let faults = router.spv_faults(&[
            ("Device.DNS.Client.Server.1.DNSServer", "8.8.8.8"),
            ("Device.DNS.Client.Server.2.DNSServer", "dns.google"),
            (
                "Device.DNS.Client.Server.3.Interface",
                "Device.IP.Interface.12",
            ),
            ("Device.DNS.Client.Server.3.Type", "DHCPv4"),
            ("Device.DNS.Client.Enable", "false"),
        ]);
        assert_eq!(
            faults,
            (
                9003,
                vec![
                    ("Device.DNS.Client.Server.2.DNSServer".into(), 9007),
                    ("Device.DNS.Client.Server.3.Interface".into(), 9007),
                    ("Device.DNS.Client.Server.3.Type".into(), 9008),
                    ("Device.DNS.Client.Enable".into(), 9007),
                ]
            )
        );
        let faults = router.spv_faults(&[
            ("Device.DNS.Client.Server.1.DNSServer", "8.8.8.8"),
            ("Device.DNS.Client.Server.3.DNSServer", "1.1.1.1"),
        ]);
        assert_eq!(
            faults,
            (
                9003,
                vec![("Device.DNS.Client.Server.3.DNSServer".into(), 9007)]
            )
        );
        assert_eq!(router.file("network"), network(STATIC_LAN, STATIC_WAN));
    }

    #[test]
    fn servers_netifd_learnt_are_listed_read_only() {
        let mut router = Router::new(&[("network", "network-23.05")]);
        router.live.services.netifd = crate::live::services::netifd::test_router();
        assert_eq!(
            router.values_below("Device.DNS.Client."),
            pairs(&[
                ("Enable", "true"),
                ("Status", "Enabled"),
                ("ServerNumberOfEntries", "1"),
                ("Server.1.Enable", "true"),
                ("Server.1.Status", "Enabled"),
                ("Server.1.DNSServer", "203.0.113.53"),
                ("Server.1.Interface", "Device.IP.Interface.3"),
                ("Server.1.Type", "DHCPv4"),
            ])
        );
        assert_eq!(
            router.spv_faults(&[("Device.DNS.Client.Server.1.DNSServer", "192.0.2.53")]),
            (
                9003,
                vec![("Device.DNS.Client.Server.1.DNSServer".into(), 9008)]
            )
        );
        assert_eq!(router.delete("Device.DNS.Client.Server.1."), Err(9001));
        // A static server of the same interface is listed once, as Static.
        router.write_file(
            "network",
            &fixture("network-23.05").replace(
                "\toption proto 'dhcp'\n",
                "\toption proto 'dhcp'\n\tlist dns '9.9.9.9'\n",
            ),
        );
        let mut netifd = crate::live::services::netifd::test_router();
        let wan = netifd
            .interfaces
            .iter_mut()
            .find(|i| i.name == "wan")
            .unwrap();
        wan.dns_servers.insert(0, "9.9.9.9".parse().unwrap());
        router.live.services.netifd = netifd;
        assert_eq!(
            router.gpv(&[
                "Device.DNS.Client.Server.2.DNSServer",
                "Device.DNS.Client.Server.2.Type",
                "Device.DNS.Client.Server.1.Type",
                "Device.DNS.Client.ServerNumberOfEntries",
            ]),
            Ok(pairs(&[
                ("Device.DNS.Client.Server.2.DNSServer", "9.9.9.9"),
                ("Device.DNS.Client.Server.2.Type", "Static"),
                ("Device.DNS.Client.Server.1.Type", "DHCPv4"),
                ("Device.DNS.Client.ServerNumberOfEntries", "2"),
            ]))
        );
    }
}
