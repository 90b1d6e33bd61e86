//! `Device.IP.Interface.{i}` (TR-181 Device:2): one instance per UCI `network` `interface`
//! section, numbered in the shared table of `ip_interface.rs` (so every reference agrees),
//! with live values from netifd (`network.interface dump`) and the kernel.
//!
//! | TR-181 `Interface.{i}.` | source | notes |
//! |---|---|---|
//! | Enable, Status, Reset, Stats | UCI `disabled`, netifd, the kernel | see `netifd_interface.rs` |
//! | Name | — | the section name (`lan`, `wan`) |
//! | Type | `device` | `Loopback` for `lo`, else `Normal` |
//! | LowerLayers | `device` | [`lower_layers`]: the PPP interface, VLANTermination or Ethernet link below; only the current value may be written |
//! | IPv4Enable, IPv6Enable | `proto` (+ `ipaddr`, `ip6addr`/`ip6assign`, PPP's `ipv6`) | OpenWrt decides the families by the protocol; only the current value may be written |
//! | MaxMTUSize | `mtu` | unset: the device's MTU (netlink, else netifd), else 1500 |
//!
//! | TR-181 `IPv4Address.{i}.` | source | notes |
//! |---|---|---|
//! | (proto static) | `ipaddr` (option or list; `a.b.c.d`, `a.b.c.d/len`, `a.b.c.d/mask`) and `netmask` | writable, AddressingType `Static`, keyed by position in `ipaddr`; each keeps the form it was written in (plain items share `netmask`; an item given its own mask is written `a.b.c.d/len`) |
//! | (other protos) | netifd's `ipv4-address` | read-only (9008), AddressingType `DHCP` for `dhcp`, `IPCP` for PPP, keyed by address |
//!
//! | TR-181 `IPv6Address.{i}.` / `IPv6Prefix.{i}.` | source | notes |
//! |---|---|---|
//! | addresses | netifd's `ipv6-address`, and the router's address in each assigned prefix | Origin `Static` (proto static), `DHCPv6` (proto dhcpv6), else `AutoConfigured`; lifetimes as absolute times, `9999-12-31T23:59:59Z` for infinite |
//! | prefixes | netifd's `ipv6-prefix` (Origin `PrefixDelegation`) and `ipv6-prefix-assignment` (`Child` of a delegated prefix, else `AutoConfigured`: the ULA) | StaticType `Inapplicable` |
//!
//! IPv6 rows are netifd's: read-only (9008 on any write but Enable true).
//!
//! AddObject/DeleteObject: refused on `Interface` (9001: deleting a section would leave the
//! firewall zones and DHCP pools naming it, and a new one would be unusable without an
//! address) and on the IPv6 tables. On `IPv4Address`, DeleteObject removes a static address
//! from `ipaddr`; AddObject is refused (an address cannot be written to UCI before it has a
//! value, and cwmpd keeps no half-made ones). Writes commit `network`; the daemon reloads it.
//!
//! `Device.IP.InterfaceNumberOfEntries` belongs on `Device.IP.`, which `ip_diagnostics.rs`
//! declares and serves (the number of `interface` sections).

use core::net::{Ipv4Addr, Ipv6Addr};
use std::collections::BTreeMap;

use super::ethernet::EthernetLayers;
use super::ip_interface::{IpInterfaces, IP_INTERFACE_TABLE, NETWORK_PACKAGE};
use super::link_layer::interface_device;
use super::netifd_interface::{self as netifd_if, INTERFACE_STATUS, PPP_PROTOS};
use super::ppp::PppInterfaces;
use super::uci_value::ipv4;
use crate::datamodel::{
    Area, AreaView, ConfigSection, ConfigValue, Context, Error, ObjectDef, ObjectRef, ParamDef,
    ParamRef, Transaction, Type, Value,
};
use crate::live::services::{NetifdInterface, NetifdState};
use crate::live::LiveState;

const INTERFACE: &str = IP_INTERFACE_TABLE;
const STATS: &str = "Device.IP.Interface.{i}.Stats.";
const IPV4_ADDRESS: &str = "Device.IP.Interface.{i}.IPv4Address.{i}.";
const IPV6_ADDRESS: &str = "Device.IP.Interface.{i}.IPv6Address.{i}.";
const IPV6_PREFIX: &str = "Device.IP.Interface.{i}.IPv6Prefix.{i}.";
/// `9999-12-31T23:59:59Z`: TR-181's infinite lifetime.
const INFINITE: i64 = 253_402_300_799;
const DEFAULT_MTU: u32 = 1500;
/// MaxMTUSize's range in TR-181.
const MIN_MTU: u32 = 64;
const MAX_MTU: u32 = 65535;

/// What an IP interface runs over: its `Device.PPP.Interface.{i}` for a PPP protocol, else
/// the `Device.Ethernet.VLANTermination.{i}` or `Device.Ethernet.Link.{i}` of its device;
/// for `@wan` (netifd's alias: the device `wan` sets up) what `wan` runs over; empty for `lo`.
pub(crate) fn lower_layers(
    network: &[ConfigSection],
    section: &ConfigSection,
    ppp: &PppInterfaces,
    ethernet: &EthernetLayers,
) -> String {
    let mut section = section;
    // Aliases of aliases are allowed but short; a loop in the configuration ends here.
    for _ in 0..4 {
        let over_ppp = ppp.path(&section.name);
        if !over_ppp.is_empty() {
            return over_ppp;
        }
        let device = interface_device(section).unwrap_or_default();
        let Some(aliased) = device.strip_prefix('@') else {
            return ethernet.path(&device);
        };
        let sections = netifd_if::interface_sections(network);
        match sections.into_iter().find(|s| s.name == aliased) {
            Some(other) => section = other,
            None => break,
        }
    }
    String::new()
}

/// `(Device.IP.Interface.N, LowerLayers)` of every IP interface, for `Device.InterfaceStack.`.
pub(crate) fn stack_layers(
    ctx: &mut Context<'_>,
    network: &[ConfigSection],
) -> Vec<(String, String)> {
    let numbers = IpInterfaces::load(ctx, network);
    let ppp = PppInterfaces::load(ctx, network);
    let ethernet = EthernetLayers::load(ctx, network);
    let mut layers = Vec::new();
    for section in netifd_if::interface_sections(network) {
        if let Some(number) = numbers.number(&section.name) {
            let lower = lower_layers(network, section, &ppp, &ethernet);
            layers.push((format!("Device.IP.Interface.{number}"), lower));
        }
    }
    layers
}

/// `Device.IP.Interface.{i}.` and below.
pub struct IpArea;

fn status_of_address() -> Type {
    Type::any_string().enumeration(&["Disabled", "Enabled", "Error_Misconfigured"])
}

fn lifetime_params(object: ObjectDef) -> ObjectDef {
    object
        .param(ParamDef::read_write("PreferredLifetime", Type::date_time()))
        .param(ParamDef::read_write("ValidLifetime", Type::date_time()))
}

impl Area for IpArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let ipv4 = || Type::string(15).data_type("IPv4Address");
        vec![
            ObjectDef::writable_table(INTERFACE)
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
                .param(ParamDef::read_write("IPv4Enable", Type::boolean()))
                .param(ParamDef::read_write("IPv6Enable", Type::boolean()))
                .param(ParamDef::read_write(
                    "MaxMTUSize",
                    Type::unsigned_int().range(Some(MIN_MTU.into()), Some(MAX_MTU.into())),
                ))
                .param(ParamDef::read_only(
                    "Type",
                    Type::any_string().enumeration(&["Normal", "Loopback", "Tunnel", "Tunneled"]),
                ))
                .param(ParamDef::read_only(
                    "IPv4AddressNumberOfEntries",
                    Type::unsigned_int(),
                ))
                .param(ParamDef::read_only(
                    "IPv6AddressNumberOfEntries",
                    Type::unsigned_int(),
                ))
                .param(ParamDef::read_only(
                    "IPv6PrefixNumberOfEntries",
                    Type::unsigned_int(),
                ))
                .param(ParamDef::read_write("Reset", Type::boolean())),
            netifd_if::stats_object(STATS),
            ObjectDef::writable_table(IPV4_ADDRESS)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only("Status", status_of_address()))
                .param(ParamDef::read_write("IPAddress", ipv4()))
                .param(ParamDef::read_write("SubnetMask", ipv4()))
                .param(ParamDef::read_only(
                    "AddressingType",
                    Type::any_string()
                        .enumeration(&["DHCP", "IKEv2", "AutoIP", "IPCP", "Static", "3GPP-NAS"]),
                )),
            lifetime_params(
                ObjectDef::writable_table(IPV6_ADDRESS)
                    .param(ParamDef::read_write("Enable", Type::boolean()))
                    .param(ParamDef::read_only("Status", status_of_address()))
                    .param(ParamDef::read_only(
                        "IPAddressStatus",
                        Type::any_string().enumeration(&[
                            "Preferred",
                            "Deprecated",
                            "Invalid",
                            "Inaccessible",
                            "Unknown",
                            "Tentative",
                            "Duplicate",
                            "Optimistic",
                        ]),
                    ))
                    .param(ParamDef::read_write(
                        "IPAddress",
                        Type::string(45).data_type("IPv6Address"),
                    ))
                    .param(ParamDef::read_only(
                        "Origin",
                        Type::any_string().enumeration(&[
                            "AutoConfigured",
                            "DHCPv6",
                            "IKEv2",
                            "MAP",
                            "WellKnown",
                            "3GPP-NAS",
                            "Static",
                        ]),
                    ))
                    .param(ParamDef::read_write("Prefix", Type::any_string())),
            ),
            lifetime_params(
                ObjectDef::writable_table(IPV6_PREFIX)
                    .param(ParamDef::read_write("Enable", Type::boolean()))
                    .param(ParamDef::read_only(
                        "Status",
                        Type::any_string().enumeration(&["Disabled", "Enabled"]),
                    ))
                    .param(ParamDef::read_only(
                        "PrefixStatus",
                        Type::any_string().enumeration(&[
                            "Preferred",
                            "Deprecated",
                            "Invalid",
                            "Inaccessible",
                            "Unknown",
                        ]),
                    ))
                    .param(ParamDef::read_write(
                        "Prefix",
                        Type::string(49).data_type("IPv6Prefix"),
                    ))
                    .param(ParamDef::read_only(
                        "Origin",
                        Type::any_string().enumeration(&[
                            "AutoConfigured",
                            "PrefixDelegation",
                            "RouterAdvertisement",
                            "WellKnown",
                            "Static",
                            "Child",
                        ]),
                    ))
                    .param(ParamDef::read_write(
                        "StaticType",
                        Type::any_string().enumeration(&[
                            "Static",
                            "Inapplicable",
                            "PrefixDelegation",
                            "Child",
                        ]),
                    )),
            ),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        let numbers = IpInterfaces::load(ctx, &network);
        let ppp = PppInterfaces::load(ctx, &network);
        let ethernet = EthernetLayers::load(ctx, &network);
        let live = ctx.live;
        let mut interfaces = Vec::new();
        let mut lower = BTreeMap::new();
        for section in netifd_if::interface_sections(&network) {
            let Some(number) = numbers.number(&section.name) else {
                continue;
            };
            lower.insert(number, lower_layers(&network, section, &ppp, &ethernet));
            interfaces.push(Interface::load(ctx, live, number, section.clone()));
        }
        Ok(Box::new(IpView {
            interfaces,
            lower,
            pending: BTreeMap::new(),
        }))
    }
}

/// A static address of `ipaddr`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StaticAddress {
    address: Ipv4Addr,
    prefix_len: u8,
    /// Written as `a.b.c.d/len` (else plain, its mask from `netmask`).
    cidr: bool,
}

/// The static IPv4 configuration of an interface section.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StaticAddresses {
    items: Vec<StaticAddress>,
    /// The length `netmask` gives plain items (netifd's default is /32).
    netmask: Option<u8>,
    /// `ipaddr` is a UCI list (written back as one).
    list: bool,
}

/// A mask in either form netifd accepts (`255.255.255.0` or `24`), as a prefix length.
fn mask_len(text: &str) -> Option<u8> {
    let text = text.trim();
    if let Ok(len) = text.parse::<u8>() {
        return (len <= 32).then_some(len);
    }
    let mask = u32::from(text.parse::<Ipv4Addr>().ok()?);
    let len = mask.leading_ones();
    (mask.checked_shl(len).unwrap_or(0) == 0).then_some(len as u8)
}

fn mask_text(len: u8) -> String {
    let bits = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
    Ipv4Addr::from(bits).to_string()
}

impl StaticAddresses {
    fn parse(section: &ConfigSection) -> StaticAddresses {
        let netmask = section.get("netmask").and_then(|text| mask_len(&text));
        let items = section
            .list("ipaddr")
            .iter()
            .flat_map(|item| item.split_whitespace())
            .filter_map(|item| match item.split_once('/') {
                Some((address, mask)) => Some(StaticAddress {
                    address: address.parse().ok()?,
                    prefix_len: mask_len(mask)?,
                    cidr: true,
                }),
                None => Some(StaticAddress {
                    address: item.parse().ok()?,
                    prefix_len: netmask.unwrap_or(32),
                    cidr: false,
                }),
            })
            .collect();
        StaticAddresses {
            items,
            netmask,
            list: matches!(section.value("ipaddr"), Some(ConfigValue::List(_))),
        }
    }

    /// Stage `ipaddr` (and `netmask`) as they now are, in the form they had.
    fn stage(&self, section: &str, tx: &mut Transaction) {
        let plain = |item: &StaticAddress| !item.cidr && Some(item.prefix_len) == self.netmask;
        let render = |item: &StaticAddress| match plain(item) {
            true => item.address.to_string(),
            false => format!("{}/{}", item.address, item.prefix_len),
        };
        match self.items.as_slice() {
            [] => {
                tx.delete_option(NETWORK_PACKAGE, section, "ipaddr");
                tx.delete_option(NETWORK_PACKAGE, section, "netmask");
            }
            [only] if !self.list && !only.cidr => {
                tx.set_option(NETWORK_PACKAGE, section, "ipaddr", only.address.to_string());
                let mask = mask_text(only.prefix_len);
                tx.set_option(NETWORK_PACKAGE, section, "netmask", mask);
            }
            [only] if !self.list => tx.set_option(NETWORK_PACKAGE, section, "ipaddr", render(only)),
            items => {
                let items = items.iter().map(render).collect();
                tx.set_list(NETWORK_PACKAGE, section, "ipaddr", items);
                if let Some(len) = self.netmask {
                    tx.set_option(NETWORK_PACKAGE, section, "netmask", mask_text(len));
                }
            }
        }
    }
}

/// One `IPv4Address.{i}`.
#[derive(Debug, Clone)]
enum Ipv4Row {
    /// Item `position` of `ipaddr`.
    Static { position: usize },
    /// Reported by netifd for a dynamic protocol.
    Live {
        address: Ipv4Addr,
        prefix_len: u8,
        addressing: &'static str,
    },
}

/// One `IPv6Address.{i}`.
#[derive(Debug, Clone)]
struct Ipv6Row {
    address: Ipv6Addr,
    preferred: Option<u32>,
    valid: Option<u32>,
    origin: &'static str,
    /// The `IPv6Prefix.{i}` key it lies in.
    prefix: Option<String>,
}

/// One `IPv6Prefix.{i}`.
#[derive(Debug, Clone)]
struct PrefixRow {
    key: String,
    address: Ipv6Addr,
    prefix_len: u8,
    preferred: Option<u32>,
    valid: Option<u32>,
    origin: &'static str,
}

impl PrefixRow {
    fn contains(&self, address: &Ipv6Addr) -> bool {
        prefix_contains(&self.address, self.prefix_len, address)
    }
}

fn prefix_contains(prefix: &Ipv6Addr, len: u8, address: &Ipv6Addr) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    u128::from(*prefix) & mask == u128::from(*address) & mask
}

/// A delegated prefix of any interface holds `address`.
fn delegated(netifd: &NetifdState, address: &Ipv6Addr) -> bool {
    netifd.interfaces.iter().any(|iface| {
        iface
            .ipv6_prefixes
            .iter()
            .any(|p| prefix_contains(&p.address, p.prefix_len, address))
    })
}

struct Interface {
    number: u32,
    section: ConfigSection,
    statics: StaticAddresses,
    ipv4: Vec<(u32, Ipv4Row)>,
    ipv6: Vec<(u32, Ipv6Row)>,
    prefixes: Vec<(u32, PrefixRow)>,
}

/// Number `rows` by `key` in the instance table `table`.
fn numbered<T>(ctx: &mut Context<'_>, table: &str, rows: Vec<(String, T)>) -> Vec<(u32, T)> {
    let keys: Vec<&str> = rows.iter().map(|(key, _)| key.as_str()).collect();
    let numbers: Vec<(u32, String)> = ctx
        .instances
        .table(table)
        .assign(&keys)
        .into_iter()
        .map(|(number, key)| (number, key.to_string()))
        .collect();
    let mut rows: Vec<(String, Option<T>)> = rows.into_iter().map(|(k, r)| (k, Some(r))).collect();
    numbers
        .into_iter()
        .filter_map(|(number, key)| {
            let row = rows.iter_mut().find(|(k, _)| *k == key)?.1.take()?;
            Some((number, row))
        })
        .collect()
}

impl Interface {
    fn load(
        ctx: &mut Context<'_>,
        live: &LiveState,
        number: u32,
        section: ConfigSection,
    ) -> Interface {
        let proto = netifd_if::proto(&section);
        let netifd = netifd_if::netifd(live, &section.name);
        let statics = StaticAddresses::parse(&section);
        let table = |object: &str| object.replacen("{i}", &number.to_string(), 1);
        let ipv4 = numbered(
            ctx,
            &table(IPV4_ADDRESS),
            ipv4_rows(&proto, &statics, netifd),
        );
        let prefix_rows = prefix_rows(live, netifd);
        let ipv6 = numbered(
            ctx,
            &table(IPV6_ADDRESS),
            ipv6_rows(&proto, netifd, &prefix_rows),
        );
        let prefixes = numbered(ctx, &table(IPV6_PREFIX), prefix_rows);
        Interface {
            number,
            section,
            statics,
            ipv4,
            ipv6,
            prefixes,
        }
    }

    fn ipv4_enabled(&self) -> bool {
        match netifd_if::proto(&self.section).as_str() {
            "static" => !self.statics.items.is_empty(),
            "none" | "dhcpv6" | "6in4" | "6to4" | "6rd" | "dslite" | "map" => false,
            _ => true,
        }
    }

    fn ipv6_enabled(&self) -> bool {
        let section = &self.section;
        match netifd_if::proto(section).as_str() {
            "static" => section.get("ip6addr").is_some() || section.get("ip6assign").is_some(),
            "dhcpv6" | "6in4" | "6to4" | "6rd" => true,
            proto if PPP_PROTOS.contains(&proto) => section.get("ipv6").as_deref() != Some("0"),
            _ => false,
        }
    }
}

fn ipv4_rows(
    proto: &str,
    statics: &StaticAddresses,
    netifd: Option<&NetifdInterface>,
) -> Vec<(String, Ipv4Row)> {
    if proto == "static" {
        return (0..statics.items.len())
            .map(|position| (format!("ipaddr:{position}"), Ipv4Row::Static { position }))
            .collect();
    }
    let addressing = match proto {
        "dhcp" => "DHCP",
        proto if PPP_PROTOS.contains(&proto) => "IPCP",
        _ => return Vec::new(),
    };
    netifd
        .map(|iface| iface.ipv4_addresses.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|a| {
            let row = Ipv4Row::Live {
                address: a.address,
                prefix_len: a.prefix_len,
                addressing,
            };
            (format!("netifd:{}", a.address), row)
        })
        .collect()
}

fn prefix_rows(live: &LiveState, netifd: Option<&NetifdInterface>) -> Vec<(String, PrefixRow)> {
    let Some(iface) = netifd else {
        return Vec::new();
    };
    let row = |p: &crate::live::services::netifd::Ipv6Assignment, origin| {
        let key = format!("{}/{}", p.address, p.prefix_len);
        let row = PrefixRow {
            key: key.clone(),
            address: p.address,
            prefix_len: p.prefix_len,
            preferred: p.preferred,
            valid: p.valid,
            origin,
        };
        (key, row)
    };
    let delegated_rows = iface
        .ipv6_prefixes
        .iter()
        .map(|p| row(p, "PrefixDelegation"));
    let assigned = iface.ipv6_prefix_assignments.iter().map(|a| {
        let origin = match delegated(&live.services.netifd, &a.prefix.address) {
            true => "Child",
            false => "AutoConfigured",
        };
        row(&a.prefix, origin)
    });
    delegated_rows.chain(assigned).collect()
}

fn ipv6_rows(
    proto: &str,
    netifd: Option<&NetifdInterface>,
    prefixes: &[(String, PrefixRow)],
) -> Vec<(String, Ipv6Row)> {
    let Some(iface) = netifd else {
        return Vec::new();
    };
    let origin = match proto {
        "static" => "Static",
        "dhcpv6" => "DHCPv6",
        _ => "AutoConfigured",
    };
    let prefix_of = |address: &Ipv6Addr| {
        prefixes
            .iter()
            .find(|(_, p)| p.contains(address))
            .map(|(key, _)| key.clone())
    };
    let addresses = iface.ipv6_addresses.iter().map(|a| Ipv6Row {
        address: a.address,
        preferred: a.preferred,
        valid: a.valid,
        origin,
        prefix: prefix_of(&a.address),
    });
    let local = iface.ipv6_prefix_assignments.iter().filter_map(|a| {
        Some(Ipv6Row {
            address: a.local_address?,
            preferred: a.prefix.preferred,
            valid: a.prefix.valid,
            origin: "AutoConfigured",
            prefix: Some(format!("{}/{}", a.prefix.address, a.prefix.prefix_len)),
        })
    });
    let mut rows: Vec<(String, Ipv6Row)> = Vec::new();
    for row in addresses.chain(local) {
        let key = row.address.to_string();
        if !rows.iter().any(|(known, _)| *known == key) {
            rows.push((key, row));
        }
    }
    rows
}

/// TR-181 address/prefix status from the lifetimes left.
fn lifetime_status(preferred: Option<u32>, valid: Option<u32>) -> &'static str {
    match (preferred, valid) {
        (_, Some(0)) => "Invalid",
        (Some(0), _) => "Deprecated",
        _ => "Preferred",
    }
}

fn lifetime(now: i64, seconds: Option<u32>) -> Value {
    Value::DateTime(seconds.map_or(INFINITE, |s| now + i64::from(s)))
}

struct IpView {
    interfaces: Vec<Interface>,
    /// LowerLayers by interface number.
    lower: BTreeMap<u32, String>,
    /// Static addresses as the current SetParameterValues leaves them, by interface number.
    pending: BTreeMap<u32, StaticAddresses>,
}

fn row<T>(rows: &[(u32, T)], number: u32) -> Result<&T, Error> {
    rows.iter()
        .find(|(n, _)| *n == number)
        .map(|(_, row)| row)
        .ok_or_else(|| Error::invalid_name(""))
}

/// Only the current value of a derived parameter may be written.
fn unchanged<T: PartialEq>(current: T, new: T, why: &str) -> Result<(), Error> {
    match current == new {
        true => Ok(()),
        false => Err(Error::invalid_value("", why)),
    }
}

impl IpView {
    fn lower_layers(&self, number: u32) -> String {
        self.lower.get(&number).cloned().unwrap_or_default()
    }

    fn interface(&self, instances: &[u32]) -> Result<&Interface, Error> {
        let number = *instances.first().ok_or_else(|| Error::invalid_name(""))?;
        self.interfaces
            .iter()
            .find(|iface| iface.number == number)
            .ok_or_else(|| Error::invalid_name(""))
    }

    fn interface_value(
        &self,
        ctx: &Context<'_>,
        iface: &Interface,
        name: &str,
    ) -> Result<Value, Error> {
        let section = &iface.section;
        Ok(match name {
            "Enable" => Value::Boolean(netifd_if::enabled(section)),
            "Status" => Value::from(netifd_if::status(ctx.live, section)),
            "Name" => Value::String(section.name.clone()),
            "LowerLayers" => Value::String(self.lower_layers(iface.number)),
            "IPv4Enable" => Value::Boolean(iface.ipv4_enabled()),
            "IPv6Enable" => Value::Boolean(iface.ipv6_enabled()),
            "MaxMTUSize" => Value::Unsigned(mtu(ctx.live, section).into()),
            "Type" => Value::from(match section.get("device").as_deref() {
                Some("lo") => "Loopback",
                _ => "Normal",
            }),
            "IPv4AddressNumberOfEntries" => Value::Unsigned(iface.ipv4.len() as u64),
            "IPv6AddressNumberOfEntries" => Value::Unsigned(iface.ipv6.len() as u64),
            "IPv6PrefixNumberOfEntries" => Value::Unsigned(iface.prefixes.len() as u64),
            "Reset" => Value::Boolean(false),
            other => return Err(Error::not_served(other)),
        })
    }

    fn ipv4_value(&self, iface: &Interface, number: u32, name: &str) -> Result<Value, Error> {
        let (address, prefix_len, addressing) = match row(&iface.ipv4, number)? {
            Ipv4Row::Static { position } => {
                let item = iface
                    .statics
                    .items
                    .get(*position)
                    .ok_or_else(|| Error::invalid_name(""))?;
                (item.address, item.prefix_len, "Static")
            }
            Ipv4Row::Live {
                address,
                prefix_len,
                addressing,
            } => (*address, *prefix_len, *addressing),
        };
        Ok(match name {
            "Enable" => Value::Boolean(true),
            "Status" => Value::from("Enabled"),
            "IPAddress" => Value::String(address.to_string()),
            "SubnetMask" => Value::String(mask_text(prefix_len)),
            "AddressingType" => Value::from(addressing),
            other => return Err(Error::not_served(other)),
        })
    }

    fn ipv6_value(
        &self,
        ctx: &Context<'_>,
        iface: &Interface,
        number: u32,
        name: &str,
    ) -> Result<Value, Error> {
        let address = row(&iface.ipv6, number)?;
        Ok(match name {
            "Enable" => Value::Boolean(true),
            "Status" => Value::from("Enabled"),
            "IPAddressStatus" => Value::from(lifetime_status(address.preferred, address.valid)),
            "IPAddress" => Value::String(address.address.to_string()),
            "Origin" => Value::from(address.origin),
            "Prefix" => Value::String(
                address
                    .prefix
                    .as_ref()
                    .and_then(|key| iface.prefixes.iter().find(|(_, p)| p.key == *key))
                    .map(|(n, _)| format!("Device.IP.Interface.{}.IPv6Prefix.{n}", iface.number))
                    .unwrap_or_default(),
            ),
            "PreferredLifetime" => lifetime(ctx.now, address.preferred),
            "ValidLifetime" => lifetime(ctx.now, address.valid),
            other => return Err(Error::not_served(other)),
        })
    }

    fn prefix_value(
        &self,
        ctx: &Context<'_>,
        iface: &Interface,
        number: u32,
        name: &str,
    ) -> Result<Value, Error> {
        let prefix = row(&iface.prefixes, number)?;
        Ok(match name {
            "Enable" => Value::Boolean(true),
            "Status" => Value::from("Enabled"),
            "PrefixStatus" => Value::from(lifetime_status(prefix.preferred, prefix.valid)),
            "Prefix" => Value::String(prefix.key.clone()),
            "Origin" => Value::from(prefix.origin),
            "StaticType" => Value::from("Inapplicable"),
            "PreferredLifetime" => lifetime(ctx.now, prefix.preferred),
            "ValidLifetime" => lifetime(ctx.now, prefix.valid),
            other => return Err(Error::not_served(other)),
        })
    }

    fn set_interface(
        &self,
        live: &LiveState,
        iface: &Interface,
        name: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let section = &iface.section;
        let flag = value.as_bool().unwrap_or_default();
        let by_proto = "OpenWrt sets the address families by the interface's protocol";
        match name {
            "Enable" => netifd_if::set_enabled(tx, section, flag),
            "LowerLayers" => unchanged(
                self.lower_layers(iface.number).as_str(),
                value.as_str().unwrap_or_default().trim_end_matches('.'),
                "the lower layer follows the interface's device and protocol",
            )?,
            "IPv4Enable" => unchanged(iface.ipv4_enabled(), flag, by_proto)?,
            "IPv6Enable" => unchanged(iface.ipv6_enabled(), flag, by_proto)?,
            // Writing back the MTU the device runs with while UCI sets none pins nothing.
            "MaxMTUSize"
                if section.get("mtu").is_none()
                    && value.as_u64() == Some(mtu(live, section).into()) => {}
            "MaxMTUSize" => tx.set_option(
                NETWORK_PACKAGE,
                &section.name,
                "mtu",
                value.as_u64().unwrap_or_default().to_string(),
            ),
            "Reset" if flag => netifd_if::reset(tx, &section.name),
            "Reset" => {}
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }

    fn set_ipv4(&mut self, instances: &[u32], name: &str, value: &Value) -> Result<(), Error> {
        let iface = self.interface(instances)?;
        let number = *instances.get(1).ok_or_else(|| Error::invalid_name(""))?;
        let Ipv4Row::Static { position } = row(&iface.ipv4, number)? else {
            return Err(Error::not_writable(""));
        };
        let position = *position;
        let text = value.as_str().unwrap_or_default().trim();
        let current = iface.statics.clone();
        let statics = self.pending.entry(iface.number).or_insert(current);
        let item = statics
            .items
            .get_mut(position)
            .ok_or_else(|| Error::invalid_name(""))?;
        match name {
            "Enable" if value.as_bool() == Some(true) => {}
            "Enable" => {
                return Err(Error::invalid_value(
                    "",
                    "netifd has no disabled addresses: delete the object instead",
                ))
            }
            "IPAddress" => {
                item.address = ipv4(text)?;
            }
            "SubnetMask" => {
                let len = mask_len(text)
                    .filter(|_| text.contains('.'))
                    .ok_or_else(|| {
                        Error::invalid_value("", format!("{text:?} is not a subnet mask"))
                    })?;
                item.prefix_len = len;
                // A plain item shares `netmask` with the others: give it its own mask.
                let only_plain = statics.items.iter().filter(|i| !i.cidr).count() == 1;
                let item = &mut statics.items[position];
                if item.cidr || !only_plain {
                    item.cidr = true;
                } else {
                    statics.netmask = Some(len);
                }
            }
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }
}

/// The MTU: UCI `mtu`, else the device's (netlink, else netifd), else 1500.
/// TR-181's range for MaxMTUSize: the loopback's 65536 shows as 65535, an MTU the kernel or
/// netifd report as 0 (unknown) falls through to the next source.
fn mtu(live: &LiveState, section: &ConfigSection) -> u32 {
    let known = |mtu: u32| (mtu > 0).then(|| mtu.clamp(MIN_MTU, MAX_MTU));
    if let Some(mtu) = section.get("mtu").and_then(|t| t.trim().parse().ok()) {
        if let Some(mtu) = known(mtu) {
            return mtu;
        }
    }
    let device = netifd_if::linux_device(live, section);
    let device = device.as_deref().unwrap_or_default();
    live.net
        .link(device)
        .and_then(|link| known(link.mtu))
        .or_else(|| {
            live.services
                .netifd
                .device(device)
                .and_then(|d| d.mtu)
                .and_then(known)
        })
        .unwrap_or(DEFAULT_MTU)
}

impl AreaView for IpView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let iface = self.interface(param.instances)?;
        let number = param.instances.get(1).copied().unwrap_or_default();
        match param.object {
            INTERFACE => self.interface_value(ctx, iface, param.name),
            STATS => {
                let device = netifd_if::linux_device(ctx.live, &iface.section);
                let stats = netifd_if::device_stats(ctx.live, device.as_deref());
                netifd_if::stats_value(&stats, param.name)
                    .ok_or_else(|| Error::not_served(param.name))
            }
            IPV4_ADDRESS => self.ipv4_value(iface, number, param.name),
            IPV6_ADDRESS => self.ipv6_value(ctx, iface, number, param.name),
            IPV6_PREFIX => self.prefix_value(ctx, iface, number, param.name),
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
        match param.object {
            INTERFACE => {
                let iface = self.interface(param.instances)?;
                self.set_interface(ctx.live, iface, param.name, value, tx)
            }
            IPV4_ADDRESS => self.set_ipv4(param.instances, param.name, value),
            IPV6_ADDRESS | IPV6_PREFIX
                if param.name == "Enable" && value.as_bool() == Some(true) =>
            {
                Ok(())
            }
            _ => Err(Error::not_writable("")),
        }
    }

    fn finish_set(&mut self, _ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        for (number, statics) in &self.pending {
            let iface = self.interface(&[*number])?;
            if *statics != iface.statics {
                statics.stage(&iface.section.name, tx);
            }
        }
        Ok(())
    }

    /// netifd's rows: DHCP/IPCP IPv4 addresses, every IPv6 address and prefix.
    fn read_only_instance(&mut self, _ctx: &mut Context<'_>, instance: ObjectRef<'_>) -> bool {
        let Ok(iface) = self.interface(instance.instances) else {
            return false;
        };
        let number = instance.instances.get(1).copied().unwrap_or_default();
        match instance.object {
            IPV4_ADDRESS => !matches!(row(&iface.ipv4, number), Ok(Ipv4Row::Static { .. })),
            IPV6_ADDRESS | IPV6_PREFIX => true,
            _ => false,
        }
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        if table.object == INTERFACE {
            return Ok(self.interfaces.iter().map(|iface| iface.number).collect());
        }
        let iface = self.interface(table.instances)?;
        let numbers = |rows: Vec<u32>| Ok(rows);
        match table.object {
            IPV4_ADDRESS => numbers(iface.ipv4.iter().map(|(n, _)| *n).collect()),
            IPV6_ADDRESS => numbers(iface.ipv6.iter().map(|(n, _)| *n).collect()),
            IPV6_PREFIX => numbers(iface.prefixes.iter().map(|(n, _)| *n).collect()),
            _ => Ok(Vec::new()),
        }
    }

    fn delete_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        if instance.object != IPV4_ADDRESS {
            return Err(Error::RequestDenied(
                "netifd's interfaces and IPv6 addresses are not deleted through TR-069".into(),
            ));
        }
        let iface = self.interface(instance.instances)?;
        let number = *instance
            .instances
            .get(1)
            .ok_or_else(|| Error::invalid_name(""))?;
        let Ipv4Row::Static { position } = row(&iface.ipv4, number)? else {
            return Err(Error::RequestDenied(
                "a DHCP or IPCP address belongs to its server".into(),
            ));
        };
        let mut statics = iface.statics.clone();
        statics.items.remove(*position);
        statics.stage(&iface.section.name, tx);
        // The items after it move up one place: their numbers go with them.
        let table = IPV4_ADDRESS.replacen("{i}", &iface.number.to_string(), 1);
        tx.forget_instance(&table, &format!("ipaddr:{position}"));
        for later in position + 1..iface.statics.items.len() {
            let (from, to) = (format!("ipaddr:{later}"), format!("ipaddr:{}", later - 1));
            tx.rename_instance(&table, &from, &to);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::backend::test_router::{fixture, Router};
    use crate::live::services::netifd::test_router;
    use crate::platform::Action;

    /// The stock 23.05 network (loopback, lan, wan, wan6 = Interface.1–4) with the test
    /// router's netifd state.
    fn router() -> Router {
        let mut router = Router::new(&[("network", "network-23.05")]);
        router.live.services.netifd = test_router();
        router
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    const LAN_ADDRESS: &str = "\toption ipaddr '192.168.1.1'\n\toption netmask '255.255.255.0'\n";

    fn with_lan_addresses(text: &str) -> String {
        fixture("network-23.05").replace(LAN_ADDRESS, text)
    }

    #[test]
    fn device_ip_counts_every_interface_section() {
        let mut router = router();
        // loopback, lan, wan, wan6.
        assert_eq!(router.value("Device.IP.InterfaceNumberOfEntries"), "4");
        assert_eq!(router.value("Device.IP.Interface.4.Name"), "wan6");
    }

    #[test]
    fn the_dhcp_wan_as_netifd_reports_it() {
        let mut router = router();
        assert_eq!(
            router.values_below("Device.IP.Interface.3."),
            pairs(&[
                ("Enable", "true"),
                ("Status", "Up"),
                ("Name", "wan"),
                ("LowerLayers", "Device.Ethernet.Link.2"),
                ("IPv4Enable", "true"),
                ("IPv6Enable", "false"),
                ("MaxMTUSize", "1500"),
                ("Type", "Normal"),
                ("IPv4AddressNumberOfEntries", "1"),
                ("IPv6AddressNumberOfEntries", "0"),
                ("IPv6PrefixNumberOfEntries", "0"),
                ("Reset", "false"),
                ("Stats.BytesSent", "91032566"),
                ("Stats.BytesReceived", "1288125307"),
                ("Stats.PacketsSent", "125086"),
                ("Stats.PacketsReceived", "973301"),
                ("Stats.ErrorsSent", "0"),
                ("Stats.ErrorsReceived", "0"),
                ("Stats.DiscardPacketsSent", "0"),
                ("Stats.DiscardPacketsReceived", "0"),
                ("Stats.MulticastPacketsReceived", "0"),
                ("IPv4Address.1.Enable", "true"),
                ("IPv4Address.1.Status", "Enabled"),
                ("IPv4Address.1.IPAddress", "203.0.113.57"),
                ("IPv4Address.1.SubnetMask", "255.255.255.0"),
                ("IPv4Address.1.AddressingType", "DHCP"),
            ])
        );
        assert_eq!(router.value("Device.IP.Interface.4.Status"), "Dormant");
        assert_eq!(router.value("Device.IP.Interface.4.IPv6Enable"), "true");
        assert_eq!(router.value("Device.IP.Interface.1.Type"), "Loopback");
        // The loopback's 65536 is above TR-181's 64..65535: the nearest value in range.
        assert_eq!(router.value("Device.IP.Interface.1.MaxMTUSize"), "65535");
    }

    #[test]
    fn the_lan_with_its_ula_prefix() {
        let mut router = router();
        let values = router.values_below("Device.IP.Interface.2.");
        let below = |prefix: &str| -> Vec<(String, String)> {
            values
                .iter()
                .filter(|(name, _)| name.starts_with(prefix))
                .cloned()
                .collect()
        };
        assert_eq!(
            below("IPv4Address."),
            pairs(&[
                ("IPv4Address.1.Enable", "true"),
                ("IPv4Address.1.Status", "Enabled"),
                ("IPv4Address.1.IPAddress", "192.168.1.1"),
                ("IPv4Address.1.SubnetMask", "255.255.255.0"),
                ("IPv4Address.1.AddressingType", "Static"),
            ])
        );
        let mut ipv6 = below("IPv6Address.");
        ipv6.extend(below("IPv6Prefix."));
        assert_eq!(
            ipv6,
            pairs(&[
                ("IPv6Address.1.Enable", "true"),
                ("IPv6Address.1.Status", "Enabled"),
                ("IPv6Address.1.IPAddressStatus", "Preferred"),
                ("IPv6Address.1.IPAddress", "fd4c:9e2a:1b3d::1"),
                ("IPv6Address.1.Origin", "AutoConfigured"),
                ("IPv6Address.1.Prefix", "Device.IP.Interface.2.IPv6Prefix.1"),
                ("IPv6Address.1.PreferredLifetime", "9999-12-31T23:59:59Z"),
                ("IPv6Address.1.ValidLifetime", "9999-12-31T23:59:59Z"),
                ("IPv6Prefix.1.Enable", "true"),
                ("IPv6Prefix.1.Status", "Enabled"),
                ("IPv6Prefix.1.PrefixStatus", "Preferred"),
                ("IPv6Prefix.1.Prefix", "fd4c:9e2a:1b3d::/60"),
                ("IPv6Prefix.1.Origin", "AutoConfigured"),
                ("IPv6Prefix.1.StaticType", "Inapplicable"),
                ("IPv6Prefix.1.PreferredLifetime", "9999-12-31T23:59:59Z"),
                ("IPv6Prefix.1.ValidLifetime", "9999-12-31T23:59:59Z"),
            ])
        );
        assert_eq!(router.value("Device.IP.Interface.2.IPv6Enable"), "true");
    }

    #[test]
    fn without_netifd_the_configuration_alone() {
        let mut router = Router::new(&[("network", "network-23.05")]);
        assert_eq!(router.value("Device.IP.Interface.3.Status"), "Unknown");
        assert_eq!(
            router.value("Device.IP.Interface.3.IPv4AddressNumberOfEntries"),
            "0"
        );
        assert_eq!(
            router.value("Device.IP.Interface.2.IPv4Address.1.IPAddress"),
            "192.168.1.1"
        );
        assert_eq!(router.value("Device.IP.Interface.3.Stats.BytesSent"), "0");
    }

    #[test]
    fn static_addresses_are_written_in_their_form() {
        let mut router = router();
        router
            .spv(&[
                ("Device.IP.Interface.2.IPv4Address.1.IPAddress", "10.0.0.1"),
                (
                    "Device.IP.Interface.2.IPv4Address.1.SubnetMask",
                    "255.255.0.0",
                ),
                ("Device.IP.Interface.2.MaxMTUSize", "1400"),
            ])
            .unwrap();
        assert_eq!(router.changed_packages, ["network"]);
        assert_eq!(
            router.file("network"),
            with_lan_addresses("\toption ipaddr '10.0.0.1'\n\toption netmask '255.255.0.0'\n")
                .replace(
                    "\toption ip6assign '60'\n",
                    "\toption ip6assign '60'\n\toption mtu '1400'\n"
                )
        );

        router.write_file(
            "network",
            &with_lan_addresses("\toption ipaddr '10.0.0.1/24'\n"),
        );
        router
            .spv(&[(
                "Device.IP.Interface.2.IPv4Address.1.SubnetMask",
                "255.255.255.128",
            )])
            .unwrap();
        assert_eq!(
            router.file("network"),
            with_lan_addresses("\toption ipaddr '10.0.0.1/25'\n")
        );
    }

    #[test]
    fn listed_addresses_keep_their_numbers() {
        let mut router = router();
        router.write_file(
            "network",
            &with_lan_addresses(
                "\tlist ipaddr '10.0.0.1/24'\n\tlist ipaddr '10.1.0.1'\n\tlist ipaddr '10.2.0.1'\n\
                 \toption netmask '255.255.255.0'\n",
            ),
        );
        assert_eq!(
            router.value("Device.IP.Interface.2.IPv4AddressNumberOfEntries"),
            "3"
        );
        router
            .spv(&[(
                "Device.IP.Interface.2.IPv4Address.2.SubnetMask",
                "255.255.0.0",
            )])
            .unwrap();
        // UCI's set_list writes the list anew at the end of the section.
        let listed = |items: &str| {
            with_lan_addresses("\toption netmask '255.255.255.0'\n").replace(
                "\toption ip6assign '60'\n",
                &format!("\toption ip6assign '60'\n{items}"),
            )
        };
        assert_eq!(
            router.file("network"),
            listed(
                "\tlist ipaddr '10.0.0.1/24'\n\tlist ipaddr '10.1.0.1/16'\n\tlist ipaddr '10.2.0.1'\n"
            )
        );
        router
            .delete("Device.IP.Interface.2.IPv4Address.1.")
            .unwrap();
        let mut router = router.restart();
        router.live.services.netifd = test_router();
        assert_eq!(
            router.gpv(&["Device.IP.Interface.2.IPv4Address.3.IPAddress"]),
            Ok(vec![(
                "Device.IP.Interface.2.IPv4Address.3.IPAddress".to_string(),
                "10.2.0.1".to_string()
            )])
        );
        assert_eq!(
            router.file("network"),
            listed("\tlist ipaddr '10.1.0.1/16'\n\tlist ipaddr '10.2.0.1'\n")
        );
    }

    #[test]
    fn netifds_values_and_derived_switches_are_refused() {
        let mut router = router();
        let faults = router.spv_faults(&[
            (
                "Device.IP.Interface.3.IPv4Address.1.IPAddress",
                "203.0.113.9",
            ),
            ("Device.IP.Interface.2.IPv4Address.1.Enable", "false"),
            (
                "Device.IP.Interface.2.IPv4Address.1.SubnetMask",
                "255.0.255.0",
            ),
            ("Device.IP.Interface.3.IPv6Enable", "true"),
            (
                "Device.IP.Interface.3.LowerLayers",
                "Device.PPP.Interface.1",
            ),
            ("Device.IP.Interface.2.IPv6Prefix.1.Prefix", "2001:db8::/64"),
        ]);
        assert_eq!(
            faults,
            (
                9003,
                vec![
                    ("Device.IP.Interface.3.IPv4Address.1.IPAddress".into(), 9008),
                    ("Device.IP.Interface.2.IPv4Address.1.Enable".into(), 9007),
                    (
                        "Device.IP.Interface.2.IPv4Address.1.SubnetMask".into(),
                        9007
                    ),
                    ("Device.IP.Interface.3.IPv6Enable".into(), 9007),
                    ("Device.IP.Interface.3.LowerLayers".into(), 9007),
                    ("Device.IP.Interface.2.IPv6Prefix.1.Prefix".into(), 9008),
                ]
            )
        );
        assert_eq!(router.add("Device.IP.Interface."), Err(9001));
        assert_eq!(router.delete("Device.IP.Interface.3."), Err(9001));
        assert_eq!(router.add("Device.IP.Interface.2.IPv4Address."), Err(9001));
        assert_eq!(
            router.delete("Device.IP.Interface.3.IPv4Address.1."),
            Err(9001)
        );
        assert_eq!(router.file("network"), fixture("network-23.05"));
    }

    #[test]
    fn enable_and_reset() {
        let mut router = router();
        assert_eq!(
            router.spv(&[
                ("Device.IP.Interface.3.Enable", "false"),
                ("Device.IP.Interface.2.Reset", "true"),
            ]),
            Ok(1)
        );
        let call = |method: &str| Action::UbusCall {
            object: "network.interface.lan".into(),
            method: method.into(),
        };
        assert_eq!(router.actions, [call("down"), call("up")]);
        assert_eq!(
            router.file("network"),
            fixture("network-23.05").replace(
                "\toption proto 'dhcp'\n",
                "\toption proto 'dhcp'\n\toption disabled '1'\n"
            )
        );
        assert_eq!(router.value("Device.IP.Interface.3.Enable"), "false");
        assert_eq!(router.value("Device.IP.Interface.3.Status"), "Down");
        assert_eq!(router.value("Device.IP.Interface.2.Reset"), "false");
        router
            .spv(&[("Device.IP.Interface.3.Enable", "true")])
            .unwrap();
        assert_eq!(router.file("network"), fixture("network-23.05"));
    }

    #[test]
    fn a_pppoe_wan_runs_over_its_ppp_interface() {
        let mut router = Router::new(&[("network", "network-24.10")]);
        assert_eq!(
            router.value("Device.IP.Interface.3.LowerLayers"),
            "Device.PPP.Interface.1"
        );
        assert_eq!(router.value("Device.IP.Interface.3.IPv6Enable"), "true");
        router
            .spv(&[(
                "Device.IP.Interface.3.LowerLayers",
                "Device.PPP.Interface.1",
            )])
            .unwrap();
    }
}
