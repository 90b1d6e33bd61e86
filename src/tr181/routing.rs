//! `Device.Routing.` (TR-181 Device:2): one router (`Router.1`, the kernel's main table) with
//! `IPv4Forwarding.{i}` and `IPv6Forwarding.{i}`.
//!
//! Each forwarding table lists the UCI `network` `route` (`route6`) sections — writable,
//! `StaticRoute` true, `Origin` `Static`, keyed by section (`section_table.rs`) — then the
//! kernel's other routes of the main table (netlink; unicast, blackhole, unreachable and
//! prohibit) — read-only (9008 on write, 9001 on DeleteObject), `StaticRoute` false, keyed
//! by `DEST/LEN via GATEWAY dev DEVICE metric N`. A kernel route that a UCI route installed is
//! shown once, as the UCI one.
//!
//! | TR-181 | UCI `route` / `route6` | kernel route |
//! |---|---|---|
//! | Enable | always true: netifd has no switch (writing false is 9007; DeleteObject removes a route) | true |
//! | Status | `Error_Misconfigured` without `interface` or `target`; `Enabled` when installed (or netlink was not read), else `Error` (its interface is down) | `Enabled` |
//! | Type | `type`: unset/`unicast` Normal, `local` Receive, `blackhole`, `unreachable`, `prohibit` | the route type |
//! | DestIPAddress, DestSubnetMask | `target` (`a.b.c.d` or `a.b.c.d/len`) and `netmask` (default /32) | destination; both empty for the default route |
//! | DestIPPrefix (IPv6) | `target` | destination/length |
//! | GatewayIPAddress, NextHop | `gateway` | gateway |
//! | Interface | `interface` (as `Device.IP.Interface.{i}`) | the IP interface whose device (netifd's `l3_device`, else UCI `device`) the route leaves by |
//! | Origin | `Static` | `DHCPv4`/`DHCPv6` (route protocol dhcp or a DHCP interface), `IPCP` (PPP interface), `RA` (IPv6 router advertisement), else `Static` |
//! | ForwardingMetric | `metric` (-1 when unset) | metric |
//!
//! AddObject adds `config route 'cwmpd_route_<n>'` (`route6`/`cwmpd_route6_<n>`) with no
//! options: netifd ignores it until Interface and the destination are set. `Router.1` is the
//! only router (AddObject/DeleteObject 9001, Enable only true). Not served: ForwardingPolicy
//! (policy routing) and ExpirationTime. Changes commit `network`; the daemon reloads it.

use core::net::{IpAddr, Ipv4Addr};
use std::collections::BTreeMap;

use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE as NETWORK};
use super::section_table::{instance_number, SectionTable};
use super::uci_value::ipv4;
use crate::datamodel::{
    Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};
use crate::live::net::Route;
use crate::live::LiveState;

const ROUTING: &str = "Device.Routing.";
const ROUTER: &str = "Device.Routing.Router.{i}.";
const V4: &str = "Device.Routing.Router.{i}.IPv4Forwarding.{i}.";
const V6: &str = "Device.Routing.Router.{i}.IPv6Forwarding.{i}.";
/// The instance tables of `Router.1`'s forwarding tables.
const V4_TABLE: &str = "Device.Routing.Router.1.IPv4Forwarding.{i}.";
const V6_TABLE: &str = "Device.Routing.Router.1.IPv6Forwarding.{i}.";
const MAIN: &str = "main";

const ROUTES: SectionTable = SectionTable {
    package: NETWORK,
    section_type: "route",
    name_prefix: "cwmpd_route",
};
const ROUTES6: SectionTable = SectionTable {
    package: NETWORK,
    section_type: "route6",
    name_prefix: "cwmpd_route6",
};

/// `RTN_*` route types served, with their TR-181 `Type`.
const KINDS: &[(u8, &str)] = &[
    (1, "Normal"),
    (2, "Receive"),
    (6, "Blackhole"),
    (7, "Unreachable"),
    (8, "Prohibit"),
];
/// netifd's `type` option for each TR-181 `Type`.
const UCI_TYPES: &[(&str, &str)] = &[
    ("unicast", "Normal"),
    ("local", "Receive"),
    ("blackhole", "Blackhole"),
    ("unreachable", "Unreachable"),
    ("prohibit", "Prohibit"),
];
const RTPROT_RA: u8 = 9;
const RTPROT_DHCP: u8 = 16;

#[derive(Debug, Clone)]
enum Entry {
    Uci(ConfigSection),
    Kernel(Route),
}

#[derive(Debug, Clone)]
struct Forwarding {
    number: u32,
    entry: Entry,
}

/// A UCI route's destination as (address, prefix length); `None` while unset or malformed.
fn uci_destination(section: &ConfigSection, v6: bool) -> Option<(IpAddr, u8)> {
    let target = section.get("target")?;
    let (address, len) = match target.split_once('/') {
        Some((address, len)) => (address.parse().ok()?, len.parse().ok()?),
        None if v6 => (target.parse().ok()?, 128),
        None => {
            let len = match section.get("netmask") {
                Some(mask) => mask_len(mask.parse().ok()?)?,
                None => 32,
            };
            (target.parse().ok()?, len)
        }
    };
    Some((address, len))
}

fn mask_len(mask: Ipv4Addr) -> Option<u8> {
    let bits = u32::from(mask);
    (bits.leading_ones() + bits.trailing_zeros() == 32).then_some(bits.leading_ones() as u8)
}

fn mask_of(len: u8) -> Ipv4Addr {
    Ipv4Addr::from(
        u32::MAX
            .checked_shl(32 - u32::from(len.min(32)))
            .unwrap_or(0),
    )
}

/// The address part of `target` (`a.b.c.d` of `a.b.c.d/24`).
fn target_address(section: &ConfigSection) -> String {
    let target = section.get("target").unwrap_or_default();
    target.split('/').next().unwrap_or_default().to_string()
}

/// The IPv4 netmask of a route's destination; empty while the destination is unset.
fn target_mask(section: &ConfigSection, v6: bool) -> String {
    uci_destination(section, v6)
        .map(|(_, len)| mask_of(len).to_string())
        .unwrap_or_default()
}

fn uci_gateway(section: &ConfigSection) -> Option<IpAddr> {
    section
        .get("gateway")
        .and_then(|gw| gw.parse::<IpAddr>().ok())
        .filter(|gw| !gw.is_unspecified())
}

/// Whether the kernel route `route` is the one UCI section `section` installed.
fn installs(section: &ConfigSection, v6: bool, route: &Route) -> bool {
    uci_destination(section, v6) == Some((route.destination, route.prefix_len))
        && uci_gateway(section) == route.gateway
}

fn kernel_key(live: &LiveState, route: &Route) -> String {
    let gateway = route.gateway.map(|g| g.to_string());
    let device = route
        .out_link
        .and_then(|index| live.net.link_by_index(index))
        .map(|link| link.name.clone());
    format!(
        "{}/{} via {} dev {} metric {}",
        route.destination,
        route.prefix_len,
        gateway.as_deref().unwrap_or("-"),
        device.as_deref().unwrap_or("-"),
        route.metric
    )
}

/// The forwarding entries of one family, numbered.
fn load_table(ctx: &mut Context<'_>, network: &[ConfigSection], v6: bool) -> Vec<Forwarding> {
    let (section_type, table) = match v6 {
        false => ("route", V4_TABLE),
        true => ("route6", V6_TABLE),
    };
    let sections: Vec<&ConfigSection> = network
        .iter()
        .filter(|s| s.section_type == section_type)
        .collect();
    let live = ctx.live;
    let kernel: Vec<&Route> = live
        .net
        .routes
        .iter()
        .filter(|route| route.destination.is_ipv6() == v6)
        .filter(|route| KINDS.iter().any(|(kind, _)| *kind == route.kind))
        .filter(|route| !sections.iter().any(|s| installs(s, v6, route)))
        .collect();
    let mut entries: Vec<(String, Entry)> = sections
        .iter()
        .map(|s| (s.key(), Entry::Uci((*s).clone())))
        .collect();
    for route in kernel {
        let key = kernel_key(live, route);
        if !entries.iter().any(|(known, _)| *known == key) {
            entries.push((key, Entry::Kernel(route.clone())));
        }
    }
    let keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_str()).collect();
    let numbered = ctx.instances.table(table).assign(&keys);
    numbered
        .into_iter()
        .filter_map(|(number, key)| {
            let entry = entries.iter().find(|(k, _)| k == key)?.1.clone();
            Some(Forwarding { number, entry })
        })
        .collect()
}

/// `Device.Routing.`
pub struct RoutingArea;

impl Area for RoutingArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let count = || Type::unsigned_int();
        let status = || {
            Type::any_string().enumeration(&["Disabled", "Enabled", "Error_Misconfigured", "Error"])
        };
        let kind = || {
            Type::any_string().enumeration(&[
                "Normal",
                "Receive",
                "Blackhole",
                "Unreachable",
                "Prohibit",
            ])
        };
        let v4 = || Type::string(15).data_type("IPv4Address");
        let metric = || Type::int().range(Some(-1), None);
        vec![
            ObjectDef::new(ROUTING).param(ParamDef::read_only("RouterNumberOfEntries", count())),
            ObjectDef::writable_table(ROUTER)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only(
                    "Status",
                    Type::any_string().enumeration(&["Disabled", "Enabled", "Error"]),
                ))
                .param(ParamDef::read_only(
                    "IPv4ForwardingNumberOfEntries",
                    count(),
                ))
                .param(ParamDef::read_only(
                    "IPv6ForwardingNumberOfEntries",
                    count(),
                )),
            ObjectDef::writable_table(V4)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only("Status", status()))
                .param(ParamDef::read_write("Type", kind()))
                .param(ParamDef::read_only("StaticRoute", Type::boolean()))
                .param(ParamDef::read_write("DestIPAddress", v4()))
                .param(ParamDef::read_write("DestSubnetMask", v4()))
                .param(ParamDef::read_write("GatewayIPAddress", v4()))
                .param(ParamDef::read_write("Interface", Type::string(256)))
                .param(ParamDef::read_only(
                    "Origin",
                    Type::any_string()
                        .enumeration(&["DHCPv4", "OSPF", "IPCP", "RIP", "3GPP-NAS", "Static"]),
                ))
                .param(ParamDef::read_write("ForwardingMetric", metric())),
            ObjectDef::writable_table(V6)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only("Status", status()))
                .param(ParamDef::read_write("Type", kind()))
                .param(ParamDef::read_write(
                    "DestIPPrefix",
                    Type::string(49).data_type("IPv6Prefix"),
                ))
                .param(ParamDef::read_write(
                    "NextHop",
                    Type::string(45).data_type("IPv6Address"),
                ))
                .param(ParamDef::read_write("Interface", Type::string(256)))
                .param(ParamDef::read_only(
                    "Origin",
                    Type::any_string()
                        .enumeration(&["DHCPv6", "OSPF", "RA", "RIPng", "3GPP-NAS", "Static"]),
                ))
                .param(ParamDef::read_write("ForwardingMetric", metric())),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let network = ctx.config.sections(NETWORK)?;
        let interfaces = IpInterfaces::load(ctx, &network);
        let routers = ctx
            .instances
            .table("Device.Routing.Router.{i}.")
            .assign(&[MAIN]);
        let router = routers.first().map(|(number, _)| *number).unwrap_or(1);
        let v4 = load_table(ctx, &network, false);
        let v6 = load_table(ctx, &network, true);
        Ok(Box::new(RoutingView {
            network,
            interfaces,
            router,
            v4,
            v6,
            destinations: BTreeMap::new(),
        }))
    }
}

struct RoutingView {
    network: Vec<ConfigSection>,
    interfaces: IpInterfaces,
    router: u32,
    v4: Vec<Forwarding>,
    v6: Vec<Forwarding>,
    /// DestIPAddress/DestSubnetMask set by the current RPC, by IPv4 instance number (both
    /// map onto `target` and `netmask`, written in `finish_set`).
    destinations: BTreeMap<u32, (String, String)>,
}

fn is_v6(object: &str) -> bool {
    object == V6
}

impl RoutingView {
    fn table(&self, v6: bool) -> &[Forwarding] {
        match v6 {
            false => &self.v4,
            true => &self.v6,
        }
    }

    fn check_router(&self, instances: &[u32]) -> Result<(), Error> {
        match instances.first() {
            Some(number) if *number == self.router => Ok(()),
            _ => Err(Error::invalid_name("")),
        }
    }

    fn forwarding(&self, object: &str, instances: &[u32]) -> Result<&Forwarding, Error> {
        self.check_router(instances)?;
        let number = instance_number(instances)?;
        self.table(is_v6(object))
            .iter()
            .find(|entry| entry.number == number)
            .ok_or_else(|| Error::invalid_name(""))
    }

    /// The IP interface the kernel's link `index` belongs to.
    fn interface_of_link(&self, live: &LiveState, index: Option<u32>) -> String {
        let Some(device) = index.and_then(|i| live.net.link_by_index(i)) else {
            return String::new();
        };
        let netifd = live.services.netifd.interfaces.iter();
        let by_netifd = netifd
            .filter(|i| i.l3_device == device.name)
            .map(|i| i.name.clone())
            .next();
        let by_uci = || {
            self.network
                .iter()
                .filter(|s| s.section_type == "interface" && !s.anonymous)
                .find(|s| s.get("device").as_deref() == Some(device.name.as_str()))
                .map(|s| s.name.clone())
        };
        by_netifd
            .or_else(by_uci)
            .map(|name| self.interfaces.path(&name))
            .unwrap_or_default()
    }

    fn origin(&self, live: &LiveState, route: &Route) -> &'static str {
        let device = route.out_link.and_then(|i| live.net.link_by_index(i));
        let proto = device
            .and_then(|d| {
                let mut interfaces = live.services.netifd.interfaces.iter();
                interfaces.find(|i| i.l3_device == d.name)
            })
            .map(|i| i.proto.as_str())
            .unwrap_or_default();
        match (route.destination.is_ipv6(), route.protocol, proto) {
            (true, RTPROT_RA, _) => "RA",
            (true, RTPROT_DHCP, _) | (true, _, "dhcpv6") => "DHCPv6",
            (false, RTPROT_DHCP, _) | (false, _, "dhcp") => "DHCPv4",
            (false, _, "ppp" | "pppoe" | "pppoa" | "3g") => "IPCP",
            _ => "Static",
        }
    }

    fn uci_status(&self, live: &LiveState, section: &ConfigSection, v6: bool) -> &'static str {
        if section.get("interface").is_none() || uci_destination(section, v6).is_none() {
            return "Error_Misconfigured";
        }
        let installed = live.net.routes.iter().any(|r| installs(section, v6, r));
        match installed || !live.net.available {
            true => "Enabled",
            false => "Error",
        }
    }

    fn uci_value(
        &self,
        live: &LiveState,
        section: &ConfigSection,
        v6: bool,
        param: &str,
    ) -> Result<Value, Error> {
        let destination = uci_destination(section, v6);
        let text = |option: &str| Value::String(section.get(option).unwrap_or_default());
        Ok(match param {
            "Enable" => Value::Boolean(true),
            "Status" => Value::from(self.uci_status(live, section, v6)),
            "Type" => {
                let kind = section.get("type").unwrap_or_default();
                let found = UCI_TYPES.iter().find(|(uci, _)| *uci == kind);
                Value::from(found.map(|(_, tr181)| *tr181).unwrap_or("Normal"))
            }
            "StaticRoute" => Value::Boolean(true),
            "DestIPAddress" => Value::String(target_address(section)),
            "DestSubnetMask" => Value::String(target_mask(section, v6)),
            "DestIPPrefix" => Value::String(
                destination
                    .map(|(address, len)| format!("{address}/{len}"))
                    .unwrap_or_default(),
            ),
            "GatewayIPAddress" | "NextHop" => text("gateway"),
            "Interface" => Value::String(
                section
                    .get("interface")
                    .map(|name| self.interfaces.path(&name))
                    .unwrap_or_default(),
            ),
            "Origin" => Value::from("Static"),
            "ForwardingMetric" => Value::Int(
                section
                    .get("metric")
                    .and_then(|m| m.trim().parse().ok())
                    .unwrap_or(-1),
            ),
            other => return Err(Error::not_served(other)),
        })
    }

    fn kernel_value(&self, live: &LiveState, route: &Route, param: &str) -> Result<Value, Error> {
        let default_route = route.prefix_len == 0;
        Ok(match param {
            "Enable" => Value::Boolean(true),
            "Status" => Value::from("Enabled"),
            "Type" => Value::from(
                KINDS
                    .iter()
                    .find(|(kind, _)| *kind == route.kind)
                    .map(|(_, name)| *name)
                    .unwrap_or("Normal"),
            ),
            "StaticRoute" => Value::Boolean(false),
            "DestIPAddress" if default_route => Value::from(""),
            "DestIPAddress" => Value::String(route.destination.to_string()),
            "DestSubnetMask" if default_route => Value::from(""),
            "DestSubnetMask" => Value::String(mask_of(route.prefix_len).to_string()),
            "DestIPPrefix" => Value::String(format!("{}/{}", route.destination, route.prefix_len)),
            "GatewayIPAddress" | "NextHop" => {
                Value::String(route.gateway.map(|g| g.to_string()).unwrap_or_default())
            }
            "Interface" => Value::String(self.interface_of_link(live, route.out_link)),
            "Origin" => Value::from(self.origin(live, route)),
            "ForwardingMetric" => Value::Int(i64::from(route.metric)),
            other => return Err(Error::not_served(other)),
        })
    }

    fn stage(
        &mut self,
        number: u32,
        section: &ConfigSection,
        param: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let id = section.name.as_str();
        let text = value.as_str().unwrap_or_default().trim();
        let set_or_delete = |tx: &mut Transaction, option: &str, text: &str| match text {
            "" => tx.delete_option(NETWORK, id, option),
            text => tx.set_option(NETWORK, id, option, text),
        };
        match param {
            "Enable" if value.as_bool() == Some(true) => {}
            "Enable" => {
                return Err(Error::invalid_value(
                    "",
                    "netifd routes cannot be disabled: DeleteObject removes the route",
                ))
            }
            "Type" => {
                let found = UCI_TYPES.iter().find(|(_, tr181)| *tr181 == text);
                match found {
                    Some(("unicast", _)) | None => tx.delete_option(NETWORK, id, "type"),
                    Some((uci, _)) => tx.set_option(NETWORK, id, "type", *uci),
                }
            }
            "DestIPAddress" | "DestSubnetMask" => {
                check_v4(text)?;
                let current = (target_address(section), target_mask(section, false));
                let entry = self.destinations.entry(number).or_insert(current);
                match param {
                    "DestIPAddress" => entry.0 = text.to_string(),
                    _ => entry.1 = text.to_string(),
                }
            }
            "GatewayIPAddress" => {
                check_v4(text)?;
                set_or_delete(tx, "gateway", text);
            }
            "NextHop" => {
                if !text.is_empty() && text.parse::<core::net::Ipv6Addr>().is_err() {
                    return Err(Error::invalid_value("", "not an IPv6 address"));
                }
                set_or_delete(tx, "gateway", text);
            }
            "DestIPPrefix" => {
                let valid = text.split_once('/').is_some_and(|(address, len)| {
                    address.parse::<core::net::Ipv6Addr>().is_ok()
                        && len.parse::<u8>().is_ok_and(|len| len <= 128)
                });
                if !text.is_empty() && !valid {
                    return Err(Error::invalid_value("", "an IPv6 prefix: address/length"));
                }
                set_or_delete(tx, "target", text);
            }
            "Interface" if text.is_empty() => tx.delete_option(NETWORK, id, "interface"),
            "Interface" => {
                let name = self.interfaces.name(text)?.to_string();
                tx.set_option(NETWORK, id, "interface", name);
            }
            "ForwardingMetric" => match value {
                Value::Int(-1) => tx.delete_option(NETWORK, id, "metric"),
                Value::Int(metric) => tx.set_option(NETWORK, id, "metric", metric.to_string()),
                _ => return Err(Error::invalid_value("", "an int")),
            },
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }

    /// Write the IPv4 destinations staged by `stage` (`target` and `netmask`).
    fn finish_destinations(&mut self, tx: &mut Transaction) -> Result<(), Error> {
        for (number, (address, mask)) in std::mem::take(&mut self.destinations) {
            let name = |param: &str| {
                format!(
                    "Device.Routing.Router.{}.IPv4Forwarding.{number}.{param}",
                    self.router
                )
            };
            let section = match self.v4.iter().find(|f| f.number == number) {
                Some(Forwarding {
                    entry: Entry::Uci(section),
                    ..
                }) => section.name.clone(),
                _ => return Err(Error::invalid_name(&name("DestIPAddress"))),
            };
            if !mask.is_empty() {
                let valid = mask.parse::<Ipv4Addr>().ok().and_then(mask_len).is_some();
                if !valid {
                    return Err(Error::invalid_value(
                        &name("DestSubnetMask"),
                        "not a netmask",
                    ));
                }
            }
            match address.as_str() {
                "" => tx.delete_option(NETWORK, &section, "target"),
                address => tx.set_option(NETWORK, &section, "target", address),
            }
            match mask.as_str() {
                "" => tx.delete_option(NETWORK, &section, "netmask"),
                mask => tx.set_option(NETWORK, &section, "netmask", mask),
            }
        }
        Ok(())
    }
}

/// Empty (unset) or an IPv4 address.
fn check_v4(text: &str) -> Result<(), Error> {
    match text.is_empty() {
        true => Ok(()),
        false => ipv4(text).map(drop),
    }
}

impl AreaView for RoutingView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let live = ctx.live;
        match param.object {
            ROUTING => match param.name {
                "RouterNumberOfEntries" => Ok(Value::from(1u32)),
                other => Err(Error::not_served(other)),
            },
            ROUTER => {
                self.check_router(param.instances)?;
                match param.name {
                    "Enable" => Ok(Value::Boolean(true)),
                    "Status" => Ok(Value::from("Enabled")),
                    "IPv4ForwardingNumberOfEntries" => Ok(Value::from(self.v4.len() as u32)),
                    "IPv6ForwardingNumberOfEntries" => Ok(Value::from(self.v6.len() as u32)),
                    other => Err(Error::not_served(other)),
                }
            }
            object => match &self.forwarding(object, param.instances)?.entry {
                Entry::Uci(section) => self.uci_value(live, section, is_v6(object), param.name),
                Entry::Kernel(route) => self.kernel_value(live, route, param.name),
            },
        }
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        if param.object == ROUTER {
            self.check_router(param.instances)?;
            return match (param.name, value.as_bool()) {
                ("Enable", Some(true)) => Ok(()),
                ("Enable", _) => Err(Error::invalid_value(
                    "",
                    "the main table cannot be disabled",
                )),
                _ => Err(Error::not_writable("")),
            };
        }
        let forwarding = self.forwarding(param.object, param.instances)?.clone();
        match forwarding.entry {
            Entry::Uci(section) => self.stage(forwarding.number, &section, param.name, value, tx),
            // A route the kernel or a protocol made (TR-069 9008: not writable).
            Entry::Kernel(_) => Err(Error::not_writable("")),
        }
    }

    fn finish_set(&mut self, _ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        self.finish_destinations(tx)
    }

    /// Kernel routes are the kernel's (9008 on write, 9001 on delete).
    fn read_only_instance(&mut self, _ctx: &mut Context<'_>, instance: ObjectRef<'_>) -> bool {
        let entry = self.forwarding(instance.object, instance.instances);
        instance.object != ROUTER
            && matches!(
                entry,
                Ok(Forwarding {
                    entry: Entry::Kernel(_),
                    ..
                })
            )
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        if table.object == ROUTER {
            return Ok(vec![self.router]);
        }
        self.check_router(table.instances)?;
        Ok(self
            .table(is_v6(table.object))
            .iter()
            .map(|f| f.number)
            .collect())
    }

    fn add_instance(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<u32, Error> {
        if table.object == ROUTER {
            return Err(Error::RequestDenied(
                "cwmpd serves the main table only".into(),
            ));
        }
        self.check_router(table.instances)?;
        let (sections, name) = match is_v6(table.object) {
            false => (ROUTES, V4_TABLE),
            true => (ROUTES6, V6_TABLE),
        };
        let (number, _) = sections.add(ctx, name, &self.network, &[], tx)?;
        Ok(number)
    }

    fn delete_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        if instance.object == ROUTER {
            return Err(Error::RequestDenied(
                "cwmpd serves the main table only".into(),
            ));
        }
        let forwarding = self
            .forwarding(instance.object, instance.instances)?
            .clone();
        let (sections, name) = match is_v6(instance.object) {
            false => (ROUTES, V4_TABLE),
            true => (ROUTES6, V6_TABLE),
        };
        match forwarding.entry {
            Entry::Uci(section) => {
                sections.delete(&[name], &self.network, &section, tx);
                Ok(())
            }
            Entry::Kernel(_) => Err(Error::RequestDenied(
                "a route the kernel or a protocol made cannot be deleted".into(),
            )),
        }
    }
}

#[cfg(test)]
#[path = "routing_tests.rs"]
mod tests;
