//! `Device.DHCPv4.Server.` (TR-181 Device:2) over dnsmasq's UCI `dhcp`: pools are the `dhcp`
//! sections (`lan`, `wan`, …), static addresses the `host` sections.
//!
//! | TR-181 `Pool.{i}.` | UCI `dhcp` section | notes |
//! |---|---|---|
//! | Enable | `ignore`, `dhcpv4` | enabled unless `ignore '1'` or `dhcpv4 'disabled'`; cwmpd writes `dhcpv4` only (`ignore` would stop odhcpd's RA and DHCPv6 on the interface too) |
//! | Status | — | `Disabled`; `Error_Misconfigured` when the interface has no static IPv4 subnet (dnsmasq serves only static interfaces) or the range is empty; else `Enabled` |
//! | Interface | `interface` | as `Device.IP.Interface.{i}` |
//! | MinAddress, MaxAddress | `start`, `limit` | dnsmasq counts from the subnet: Min = network + start, Max = Min + limit − 1, clipped below the broadcast address (defaults 100 and 150); writing sets `start` = Min − network and `limit` = Max − Min + 1 |
//! | SubnetMask | `netmask` | defaults to the interface's mask; writing the interface's own mask removes the override |
//! | DNSServers, IPRouters, DomainName | `dhcp_option` `6,…`, `3,…`, `15,…` | without the option dnsmasq offers itself (the interface address) and the `domain` of the `dnsmasq` section; writing empty removes the option |
//! | LeaseTime | `leasetime` | `12h`/`30m`/`2d`/`1w`/seconds, `infinite` ↔ −1; at least 120 s (dnsmasq's minimum); default 12h |
//!
//! | TR-181 `Pool.{i}.StaticAddress.{i}.` | UCI `host` section | notes |
//! |---|---|---|
//! | Enable | `enable` | dnsmasq default `1` |
//! | Chaddr | `mac` | the first MAC when a host lists several |
//! | Yiaddr | `ip` | must lie in the pool's subnet |
//!
//! A host belongs to the pool whose subnet holds its `ip` (as dnsmasq matches static leases
//! to ranges); a host without one, or with one in no pool's subnet, stays with the pool it
//! was numbered in (e.g. just added), else it is in no pool.
//! Static addresses are numbered per pool (table `…Pool.<n>.StaticAddress.{i}.`).
//!
//! AddObject creates named sections: a pool `cwmpd_pool_<n>` with `dhcpv4 'disabled'` and
//! stock `start`/`limit`/`leasetime`; a host `cwmpd_host_<n>` with `enable '0'`. DeleteObject
//! removes the section (deleting a pool leaves its hosts). `Server.Enable` is always true:
//! dnsmasq also serves DNS, so DHCP is switched per pool. Changes commit `dhcp`.
//!
//! `Device.DHCPv4.ClientNumberOfEntries` counts the clients of `dhcpv4_client.rs` (the
//! `proto 'dhcp'` interfaces of UCI `network`, which this area reads for the pools' subnets).

use core::net::Ipv4Addr;
use std::collections::BTreeMap;

use super::dhcpv4_client::client_sections;
use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE};
use super::section_table::{self, instance_number, Numbered, SectionTable};
use super::uci_value::{bool_option, ipv4, named, uci_bool};
use crate::datamodel::{
    Area, AreaView, ConfigSection, ConfigValue, Context, Error, ObjectDef, ObjectRef, ParamDef,
    ParamRef, Transaction, Type, Value,
};

const DHCP: &str = "dhcp";
const DHCPV4: &str = "Device.DHCPv4.";
const SERVER: &str = "Device.DHCPv4.Server.";
const POOL: &str = "Device.DHCPv4.Server.Pool.{i}.";
const STATIC_ADDRESS: &str = "Device.DHCPv4.Server.Pool.{i}.StaticAddress.{i}.";

/// dnsmasq's defaults (`dhcp_add` in /etc/init.d/dnsmasq).
const DEFAULT_START: u32 = 100;
const DEFAULT_LIMIT: u32 = 150;
const DEFAULT_LEASE_TIME: &str = "12h";
const DEFAULT_LEASE_SECS: i64 = 12 * 3600;
/// dnsmasq raises shorter leases to two minutes.
const MIN_LEASE_SECS: i64 = 120;
/// TR-181: DNSServers and IPRouters hold at most four addresses.
const MAX_LIST_ADDRESSES: usize = 4;

const POOLS: SectionTable = SectionTable {
    package: DHCP,
    section_type: "dhcp",
    name_prefix: "cwmpd_pool",
};

const HOSTS: SectionTable = SectionTable {
    package: DHCP,
    section_type: "host",
    name_prefix: "cwmpd_host",
};

/// The instance table of the static addresses of pool `pool`.
fn static_table(pool: u32) -> String {
    format!("Device.DHCPv4.Server.Pool.{pool}.StaticAddress.{{i}}.")
}

/// `Device.DHCPv4.`
pub struct Dhcpv4Area;

impl Area for Dhcpv4Area {
    fn schema(&self) -> Vec<ObjectDef> {
        let address = || Type::string(15).data_type("IPv4Address");
        vec![
            ObjectDef::new(DHCPV4).param(ParamDef::read_only(
                "ClientNumberOfEntries",
                Type::unsigned_int(),
            )),
            ObjectDef::new(SERVER)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only(
                    "PoolNumberOfEntries",
                    Type::unsigned_int(),
                )),
            ObjectDef::writable_table(POOL)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only(
                    "Status",
                    Type::any_string().enumeration(&["Disabled", "Enabled", "Error_Misconfigured"]),
                ))
                .param(ParamDef::read_write("Interface", Type::string(256)))
                .param(ParamDef::read_write("MinAddress", address()))
                .param(ParamDef::read_write("MaxAddress", address()))
                .param(ParamDef::read_write("SubnetMask", address()))
                .param(ParamDef::read_write("DNSServers", address().list()))
                .param(ParamDef::read_write("DomainName", Type::string(64)))
                .param(ParamDef::read_write("IPRouters", address().list()))
                .param(ParamDef::read_write(
                    "LeaseTime",
                    Type::int().range(Some(-1), None),
                ))
                .param(ParamDef::read_only(
                    "StaticAddressNumberOfEntries",
                    Type::unsigned_int(),
                )),
            ObjectDef::writable_table(STATIC_ADDRESS)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_write(
                    "Chaddr",
                    Type::string(17).data_type("MACAddress"),
                ))
                .param(ParamDef::read_write("Yiaddr", address())),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let dhcp = ctx.config.sections(DHCP)?;
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        let interfaces = IpInterfaces::load(ctx, &network);
        let members: Vec<&ConfigSection> =
            dhcp.iter().filter(|s| s.section_type == "dhcp").collect();
        let pools = POOLS
            .number(ctx.instances, POOL, &members)
            .into_iter()
            .map(|numbered| Pool::new(numbered, &network))
            .collect();
        let mut view = DhcpView {
            domain: dhcp
                .iter()
                .find(|s| s.section_type == "dnsmasq")
                .and_then(|s| s.get("domain")),
            clients: client_sections(&network).len() as u32,
            dhcp,
            interfaces,
            pools,
            pending: BTreeMap::new(),
        };
        view.number_hosts(ctx);
        Ok(Box::new(view))
    }
}

/// An IPv4 subnet: an interface address and its mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Subnet {
    address: u32,
    mask: u32,
}

impl Subnet {
    /// The static IPv4 subnet of a `network` `interface` section (`ipaddr` with `netmask`,
    /// or `ipaddr` in CIDR form, possibly a list: the first address counts).
    pub(crate) fn of_interface(section: &ConfigSection) -> Option<Subnet> {
        if section.get("proto").as_deref() != Some("static") {
            return None;
        }
        let first = section.list("ipaddr").first()?.to_string();
        let (address, mask) = match first.split_once('/') {
            Some((address, prefix)) => (address.to_string(), prefix_mask(prefix.parse().ok()?)?),
            None => (
                first,
                u32::from(section.get("netmask")?.parse::<Ipv4Addr>().ok()?),
            ),
        };
        Some(Subnet {
            address: u32::from(address.parse::<Ipv4Addr>().ok()?),
            mask,
        })
    }

    fn network(&self) -> u32 {
        self.address & self.mask
    }

    fn broadcast(&self) -> u32 {
        self.network() | !self.mask
    }

    /// A host address of the subnet (not the network or broadcast address).
    pub(crate) fn holds(&self, address: u32) -> bool {
        address & self.mask == self.network()
            && address != self.network()
            && address != self.broadcast()
    }

    /// dnsmasq's range for `start` and `limit`; `None` when it is empty.
    fn range(&self, start: u32, limit: u32) -> Option<(u32, u32)> {
        let first = self.network().checked_add(start)?;
        let last = first
            .saturating_add(limit.saturating_sub(1))
            .min(self.broadcast().saturating_sub(1));
        (limit > 0 && self.holds(first) && last >= first).then_some((first, last))
    }
}

/// The mask of a prefix length (0–32).
fn prefix_mask(prefix: u32) -> Option<u32> {
    match prefix {
        0 => Some(0),
        1..=32 => Some(u32::MAX << (32 - prefix)),
        _ => None,
    }
}

/// A netmask: contiguous ones then zeros.
fn is_netmask(mask: u32) -> bool {
    mask.leading_ones() + mask.trailing_zeros() == 32
}

fn dotted(address: u32) -> String {
    Ipv4Addr::from(address).to_string()
}

/// `start` as dnsmasq.init's `dhcp_calc` reads it: a number, or dotted parts (`0.0.1.4`).
fn parse_start(text: &str) -> Option<u32> {
    text.split('.').try_fold(0u32, |total, part| {
        total
            .checked_mul(256)?
            .checked_add(part.trim().parse().ok()?)
    })
}

/// A dnsmasq lease time in seconds, −1 for `infinite`.
fn parse_lease_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if text == "infinite" {
        return Some(-1);
    }
    let (digits, unit) = match text.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_lowercase()),
        _ => (text, 's'),
    };
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    digits.parse::<i64>().ok()?.checked_mul(factor)
}

/// Seconds in the largest unit that divides them (43200 → `12h`).
fn format_lease_time(secs: i64) -> String {
    match secs {
        -1 => "infinite".to_string(),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => s.to_string(),
    }
}

/// The DHCP options cwmpd maps, with dnsmasq's names for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DhcpOption {
    Router = 3,
    DnsServer = 6,
    DomainName = 15,
}

impl DhcpOption {
    fn dnsmasq_name(self) -> &'static str {
        match self {
            DhcpOption::Router => "option:router",
            DhcpOption::DnsServer => "option:dns-server",
            DhcpOption::DomainName => "option:domain-name",
        }
    }

    /// The value of an item of `dhcp_option` (`6,1.1.1.1,9.9.9.9`) when it sets this option.
    fn value_in(self, item: &str) -> Option<&str> {
        let (key, value) = item.split_once(',')?;
        let key = key.trim();
        (key == (self as u8).to_string() || key == self.dnsmasq_name()).then_some(value)
    }

    /// The value in a `dhcp_option` list (the last item wins, as in dnsmasq).
    fn find(self, items: &[String]) -> Option<String> {
        items
            .iter()
            .rev()
            .find_map(|item| self.value_in(item))
            .map(str::to_string)
    }

    /// `items` with this option set to `value` (in place of its first item), or removed when
    /// `value` is empty.
    fn replace(self, items: &[String], value: &str) -> Vec<String> {
        let position = items.iter().position(|item| self.value_in(item).is_some());
        let mut kept: Vec<String> = items
            .iter()
            .filter(|item| self.value_in(item).is_none())
            .cloned()
            .collect();
        if !value.is_empty() {
            let item = format!("{},{value}", self as u8);
            kept.insert(position.unwrap_or(kept.len()).min(kept.len()), item);
        }
        kept
    }
}

/// The items of `dhcp_option` (a list, or the deprecated space-separated single option).
fn dhcp_options(section: &ConfigSection) -> Vec<String> {
    match section.value("dhcp_option") {
        Some(ConfigValue::List(items)) => items.clone(),
        Some(ConfigValue::Single(text)) => text.split_whitespace().map(str::to_string).collect(),
        None => Vec::new(),
    }
}

/// One pool: its section, its interface's subnet and its static addresses.
#[derive(Debug, Clone)]
struct Pool {
    number: u32,
    section: ConfigSection,
    /// The interface's subnet with the pool's `netmask` override applied.
    subnet: Option<Subnet>,
    /// The interface's own address, what dnsmasq offers as DNS server and router.
    interface_address: Option<u32>,
    /// The interface's own mask (before the pool's `netmask` override).
    interface_mask: Option<u32>,
    hosts: Vec<Numbered>,
}

impl Pool {
    fn new(numbered: Numbered, network: &[ConfigSection]) -> Pool {
        let section = numbered.section;
        let interface = section
            .get("interface")
            .and_then(|name| named(network, &name).and_then(Subnet::of_interface));
        let override_mask = section
            .get("netmask")
            .and_then(|mask| mask.parse::<Ipv4Addr>().ok())
            .map(u32::from)
            .filter(|mask| is_netmask(*mask));
        Pool {
            number: numbered.number,
            subnet: interface.map(|subnet| Subnet {
                mask: override_mask.unwrap_or(subnet.mask),
                ..subnet
            }),
            interface_address: interface.map(|subnet| subnet.address),
            interface_mask: interface.map(|subnet| subnet.mask),
            section,
            hosts: Vec::new(),
        }
    }

    fn enabled(&self) -> bool {
        !bool_option(&self.section, "ignore", false)
            && self.section.get("dhcpv4").as_deref() != Some("disabled")
    }

    fn start(&self) -> u32 {
        let start = self.section.get("start");
        start.and_then(|s| parse_start(&s)).unwrap_or(DEFAULT_START)
    }

    fn limit(&self) -> u32 {
        let limit = self.section.get("limit");
        limit
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(DEFAULT_LIMIT)
    }

    fn range(&self) -> Option<(u32, u32)> {
        self.subnet?.range(self.start(), self.limit())
    }

    fn status(&self) -> &'static str {
        match (self.enabled(), self.range()) {
            (false, _) => "Disabled",
            (true, None) => "Error_Misconfigured",
            (true, Some(_)) => "Enabled",
        }
    }

    fn lease_time(&self) -> i64 {
        let text = self.section.get("leasetime");
        let text = text.as_deref().unwrap_or(DEFAULT_LEASE_TIME);
        parse_lease_time(text).unwrap_or(DEFAULT_LEASE_SECS)
    }

    /// An option's value, or what dnsmasq sends without it.
    fn option_or(&self, option: DhcpOption, default: Option<String>) -> String {
        option
            .find(&dhcp_options(&self.section))
            .or(default)
            .unwrap_or_default()
    }

    fn own_address(&self) -> Option<String> {
        self.interface_address.map(dotted)
    }
}

/// What one SetParameterValues changes in one pool, written in `finish_set`: the range and
/// `dhcp_option` each depend on several parameters.
#[derive(Debug, Clone, Default)]
struct PendingPool {
    min: Option<u32>,
    max: Option<u32>,
    mask: Option<u32>,
    options: Option<Vec<String>>,
}

struct DhcpView {
    dhcp: Vec<ConfigSection>,
    /// The `domain` of the `dnsmasq` section (offered when a pool sets none).
    domain: Option<String>,
    interfaces: IpInterfaces,
    pools: Vec<Pool>,
    pending: BTreeMap<u32, PendingPool>,
    /// `Device.DHCPv4.ClientNumberOfEntries` (the clients are `dhcpv4_client.rs`'s).
    clients: u32,
}

impl DhcpView {
    /// Give every host to its pool and number the hosts of each pool.
    fn number_hosts(&mut self, ctx: &mut Context<'_>) {
        let hosts: Vec<&ConfigSection> = self
            .dhcp
            .iter()
            .filter(|s| s.section_type == "host")
            .collect();
        let owners: Vec<Option<u32>> = hosts.iter().map(|host| self.owner(ctx, host)).collect();
        for pool in &mut self.pools {
            let members: Vec<&ConfigSection> = hosts
                .iter()
                .zip(&owners)
                .filter(|(_, owner)| **owner == Some(pool.number))
                .map(|(host, _)| *host)
                .collect();
            pool.hosts = HOSTS.number(ctx.instances, &static_table(pool.number), &members);
        }
    }

    /// The pool a host belongs to: the one whose subnet holds its address, else the one it
    /// was numbered in.
    fn owner(&self, ctx: &mut Context<'_>, host: &ConfigSection) -> Option<u32> {
        let address = host
            .get("ip")
            .and_then(|ip| ip.parse::<Ipv4Addr>().ok())
            .map(u32::from);
        let by_subnet = address.and_then(|address| {
            self.pools
                .iter()
                .find(|pool| pool.subnet.is_some_and(|subnet| subnet.holds(address)))
        });
        let key = host.key();
        let by_number = || {
            self.pools.iter().find(|pool| {
                ctx.instances
                    .table(&static_table(pool.number))
                    .contains_key(&key)
            })
        };
        by_subnet.or_else(by_number).map(|pool| pool.number)
    }

    fn pool(&self, instances: &[u32]) -> Result<&Pool, Error> {
        let number = *instances.first().ok_or_else(|| Error::invalid_name(""))?;
        self.pools
            .iter()
            .find(|pool| pool.number == number)
            .ok_or_else(|| Error::invalid_name(""))
    }

    fn host(&self, instances: &[u32]) -> Result<&ConfigSection, Error> {
        let pool = self.pool(instances)?;
        let number = instance_number(instances)?;
        Ok(&section_table::find(&pool.hosts, number)?.section)
    }

    fn static_tables(&self) -> Vec<String> {
        self.pools
            .iter()
            .map(|pool| static_table(pool.number))
            .collect()
    }

    fn pool_value(&self, pool: &Pool, name: &str) -> Result<Value, Error> {
        let range = pool.range();
        Ok(match name {
            "Enable" => Value::Boolean(pool.enabled()),
            "Status" => Value::from(pool.status()),
            "Interface" => Value::String(
                pool.section
                    .get("interface")
                    .map(|name| self.interfaces.path(&name))
                    .unwrap_or_default(),
            ),
            "MinAddress" => Value::String(range.map(|(min, _)| dotted(min)).unwrap_or_default()),
            "MaxAddress" => Value::String(range.map(|(_, max)| dotted(max)).unwrap_or_default()),
            "SubnetMask" => Value::String(pool.subnet.map(|s| dotted(s.mask)).unwrap_or_default()),
            "DNSServers" => {
                Value::String(pool.option_or(DhcpOption::DnsServer, pool.own_address()))
            }
            "IPRouters" => Value::String(pool.option_or(DhcpOption::Router, pool.own_address())),
            "DomainName" => {
                Value::String(pool.option_or(DhcpOption::DomainName, self.domain.clone()))
            }
            "LeaseTime" => Value::Int(pool.lease_time()),
            "StaticAddressNumberOfEntries" => Value::from(pool.hosts.len() as u32),
            _ => return Err(Error::not_served(name)),
        })
    }

    fn host_value(host: &ConfigSection, name: &str) -> Result<Value, Error> {
        Ok(match name {
            "Enable" => Value::Boolean(bool_option(host, "enable", true)),
            "Chaddr" => Value::String(
                host.list("mac")
                    .iter()
                    .flat_map(|item| item.split_whitespace())
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            ),
            "Yiaddr" => Value::String(host.get("ip").unwrap_or_default()),
            _ => return Err(Error::not_served(name)),
        })
    }

    fn set_pool(
        &mut self,
        pool: &Pool,
        name: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let id = pool.section.name.as_str();
        let text = value.as_str().unwrap_or_default();
        if self.is_current_without_config(pool, name, text) {
            return Ok(());
        }
        match name {
            "Enable" => stage_pool_enable(tx, pool, value.as_bool().unwrap_or_default()),
            "Interface" => {
                let interface = self.interfaces.name(text)?;
                tx.set_option(DHCP, id, "interface", interface);
            }
            "MinAddress" => self.pending_for(pool).min = Some(u32::from(ipv4(text)?)),
            "MaxAddress" => self.pending_for(pool).max = Some(u32::from(ipv4(text)?)),
            "SubnetMask" => {
                let mask = u32::from(ipv4(text)?);
                if !is_netmask(mask) {
                    return Err(Error::invalid_value("", format!("{text} is not a netmask")));
                }
                self.pending_for(pool).mask = Some(mask);
            }
            "DNSServers" => self.set_option_list(pool, DhcpOption::DnsServer, text)?,
            "IPRouters" => self.set_option_list(pool, DhcpOption::Router, text)?,
            "DomainName" => self.edit_options(pool, DhcpOption::DomainName, text),
            "LeaseTime" => {
                let Value::Int(secs) = value else {
                    return Err(Error::invalid_value("", "not an int"));
                };
                if *secs != -1 && *secs < MIN_LEASE_SECS {
                    return Err(Error::invalid_value(
                        "",
                        "dnsmasq leases last at least 120 s",
                    ));
                }
                tx.set_option(DHCP, id, "leasetime", format_lease_time(*secs));
            }
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }

    fn pending_for(&mut self, pool: &Pool) -> &mut PendingPool {
        self.pending.entry(pool.number).or_default()
    }

    /// DNSServers, IPRouters: at most four IPv4 addresses (TR-181 `list[:4]`).
    /// Whether `text` is what `name` already reads while nothing in UCI says so: the address
    /// range and mask of a pool without a subnet (empty), or the `dhcp_option` defaults
    /// (dnsmasq offers its own address and domain). Writing those back stages nothing, so the
    /// pool keeps following the router's address rather than pinning today's.
    fn is_current_without_config(&self, pool: &Pool, name: &str, text: &str) -> bool {
        let default = |option: DhcpOption, default: Option<String>| {
            option.find(&dhcp_options(&pool.section)).is_none()
                && default.as_deref().unwrap_or_default() == text
        };
        match name {
            "MinAddress" | "MaxAddress" => text.is_empty() && pool.range().is_none(),
            "SubnetMask" => text.is_empty() && pool.subnet.is_none(),
            "DNSServers" => default(DhcpOption::DnsServer, pool.own_address()),
            "IPRouters" => default(DhcpOption::Router, pool.own_address()),
            "DomainName" => default(DhcpOption::DomainName, self.domain.clone()),
            _ => false,
        }
    }

    fn set_option_list(
        &mut self,
        pool: &Pool,
        option: DhcpOption,
        text: &str,
    ) -> Result<(), Error> {
        let addresses: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .collect();
        if addresses.len() > MAX_LIST_ADDRESSES {
            return Err(Error::invalid_value("", "at most 4 addresses"));
        }
        let addresses = addresses
            .iter()
            .map(|address| ipv4(address).map(|a| a.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        self.edit_options(pool, option, &addresses.join(","));
        Ok(())
    }

    fn edit_options(&mut self, pool: &Pool, option: DhcpOption, value: &str) {
        let pending = self.pending_for(pool);
        let items = pending
            .options
            .take()
            .unwrap_or_else(|| dhcp_options(&pool.section));
        pending.options = Some(option.replace(&items, value));
    }

    fn set_host(
        pool: &Pool,
        host: &ConfigSection,
        name: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let id = host.name.as_str();
        let text = value.as_str().unwrap_or_default();
        match name {
            "Enable" => tx.set_option(
                DHCP,
                id,
                "enable",
                uci_bool(value.as_bool().unwrap_or_default()),
            ),
            "Chaddr" if text.is_empty() => tx.delete_option(DHCP, id, "mac"),
            "Chaddr" => {
                check_mac(text)?;
                match host.value("mac") {
                    Some(ConfigValue::List(_)) => {
                        tx.set_list(DHCP, id, "mac", vec![text.to_string()])
                    }
                    _ => tx.set_option(DHCP, id, "mac", text),
                }
            }
            "Yiaddr" if text.is_empty() => tx.delete_option(DHCP, id, "ip"),
            "Yiaddr" => {
                let address = ipv4(text)?;
                if pool
                    .subnet
                    .is_some_and(|subnet| !subnet.holds(u32::from(address)))
                {
                    return Err(Error::invalid_value(
                        "",
                        format!("{address} is not in the pool's subnet"),
                    ));
                }
                tx.set_option(DHCP, id, "ip", address.to_string());
            }
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }

    /// Check and stage the range, mask and options a SetParameterValues left for `pool`.
    fn finish_pool(
        &self,
        number: u32,
        pending: &PendingPool,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let pool = self.pool(&[number])?;
        let id = pool.section.name.as_str();
        if let Some(options) = &pending.options {
            tx.set_list(DHCP, id, "dhcp_option", options.clone());
        }
        if let Some(mask) = pending.mask {
            stage_netmask(tx, pool, mask);
        }
        if pending.min.is_some() || pending.max.is_some() || pending.mask.is_some() {
            self.finish_range(pool, pending, tx)?;
        }
        Ok(())
    }

    fn finish_range(
        &self,
        pool: &Pool,
        pending: &PendingPool,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let name = |param: &str| format!("Device.DHCPv4.Server.Pool.{}.{param}", pool.number);
        let Some(subnet) = pool.subnet else {
            let param = if pending.min.is_some() {
                "MinAddress"
            } else {
                "MaxAddress"
            };
            return Err(Error::invalid_value(
                &name(param),
                "the pool's interface has no static IPv4 subnet",
            ));
        };
        let subnet = Subnet {
            mask: pending.mask.unwrap_or(subnet.mask),
            ..subnet
        };
        let (current_min, current_max) = pool.range().unwrap_or_default();
        let min = pending.min.unwrap_or(current_min);
        let max = pending.max.unwrap_or(current_max);
        for (param, address) in [("MinAddress", min), ("MaxAddress", max)] {
            if !subnet.holds(address) {
                return Err(Error::invalid_value(
                    &name(param),
                    format!(
                        "{} is not in {}/{}",
                        dotted(address),
                        dotted(subnet.network()),
                        dotted(subnet.mask)
                    ),
                ));
            }
        }
        if max < min {
            let param = if pending.max.is_some() {
                "MaxAddress"
            } else {
                "MinAddress"
            };
            return Err(Error::invalid_value(
                &name(param),
                "MaxAddress is below MinAddress",
            ));
        }
        let id = pool.section.name.as_str();
        tx.set_option(DHCP, id, "start", (min - subnet.network()).to_string());
        tx.set_option(DHCP, id, "limit", (max - min + 1).to_string());
        Ok(())
    }
}

/// Enable through `dhcpv4` (and lift an `ignore`, which would hide the pool either way).
fn stage_pool_enable(tx: &mut Transaction, pool: &Pool, enable: bool) {
    let id = pool.section.name.as_str();
    if !enable {
        tx.set_option(DHCP, id, "dhcpv4", "disabled");
        return;
    }
    if pool.section.get("ignore").is_some() {
        tx.delete_option(DHCP, id, "ignore");
    }
    if pool.section.get("dhcpv4").as_deref() == Some("disabled") {
        tx.set_option(DHCP, id, "dhcpv4", "server");
    }
}

/// The interface's own mask needs no override.
fn stage_netmask(tx: &mut Transaction, pool: &Pool, mask: u32) {
    let id = pool.section.name.as_str();
    match pool.interface_mask == Some(mask) {
        true if pool.section.get("netmask").is_some() => tx.delete_option(DHCP, id, "netmask"),
        true => {}
        false => tx.set_option(DHCP, id, "netmask", dotted(mask)),
    }
}

/// TR-181 MACAddress: six colon-separated hex octets.
fn check_mac(text: &str) -> Result<(), Error> {
    let octets: Vec<&str> = text.split(':').collect();
    let valid = octets.len() == 6
        && octets
            .iter()
            .all(|o| o.len() == 2 && o.bytes().all(|b| b.is_ascii_hexdigit()));
    match valid {
        true => Ok(()),
        false => Err(Error::invalid_value(
            "",
            format!("{text:?} is not a MAC address"),
        )),
    }
}

impl AreaView for DhcpView {
    fn get(&mut self, _ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        match param.object {
            DHCPV4 => match param.name {
                "ClientNumberOfEntries" => Ok(Value::from(self.clients)),
                other => Err(Error::not_served(other)),
            },
            SERVER => match param.name {
                // dnsmasq also serves DNS: DHCP is switched per pool.
                "Enable" => Ok(Value::Boolean(true)),
                "PoolNumberOfEntries" => Ok(Value::from(self.pools.len() as u32)),
                other => Err(Error::not_served(other)),
            },
            POOL => self.pool_value(self.pool(param.instances)?, param.name),
            STATIC_ADDRESS => DhcpView::host_value(self.host(param.instances)?, param.name),
            _ => Err(Error::not_served(param.name)),
        }
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        match param.object {
            SERVER if value.as_bool() == Some(true) => Ok(()),
            SERVER => Err(Error::invalid_value(
                "",
                "dnsmasq serves DNS too: disable the pools instead",
            )),
            POOL => {
                let pool = self.pool(param.instances)?.clone();
                self.set_pool(&pool, param.name, value, tx)
            }
            STATIC_ADDRESS => {
                let pool = self.pool(param.instances)?;
                DhcpView::set_host(pool, self.host(param.instances)?, param.name, value, tx)
            }
            _ => Err(Error::not_writable("")),
        }
    }

    fn finish_set(&mut self, _ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        let mut rejected = Vec::new();
        for (number, pending) in &self.pending {
            if let Err(error) = self.finish_pool(*number, pending, tx) {
                rejected.push(error);
            }
        }
        match rejected.is_empty() {
            true => Ok(()),
            false => Err(Error::SetParameterValues(rejected)),
        }
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(match table.object {
            POOL => self.pools.iter().map(|pool| pool.number).collect(),
            _ => self
                .pool(table.instances)?
                .hosts
                .iter()
                .map(|host| host.number)
                .collect(),
        })
    }

    fn add_instance(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<u32, Error> {
        if table.object == POOL {
            let options = [
                ("dhcpv4", "disabled"),
                ("start", "100"),
                ("limit", "150"),
                ("leasetime", DEFAULT_LEASE_TIME),
            ];
            return Ok(POOLS.add(ctx, POOL, &self.dhcp, &options, tx)?.0);
        }
        let pool = self.pool(table.instances)?.number;
        let (number, _) =
            HOSTS.add(ctx, &static_table(pool), &self.dhcp, &[("enable", "0")], tx)?;
        Ok(number)
    }

    fn delete_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        if instance.object == POOL {
            let pool = self.pool(instance.instances)?;
            POOLS.delete(&[POOL], &self.dhcp, &pool.section, tx);
            return Ok(());
        }
        let tables = self.static_tables();
        let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
        HOSTS.delete(&tables, &self.dhcp, self.host(instance.instances)?, tx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::test_router::{fixture, Router};

    const LAN: &str = "Device.DHCPv4.Server.Pool.1.";

    fn router() -> Router {
        Router::new(&[("dhcp", "dhcp-24.10"), ("network", "network-24.10")])
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// The stock 24.10 `lan` section with `edit` applied.
    fn stock_with(edit: impl Fn(String) -> String) -> String {
        edit(fixture("dhcp-24.10"))
    }

    #[test]
    fn stock_pools_and_static_lease() {
        let mut router = router();
        assert_eq!(
            router.value("Device.DHCPv4.Server.PoolNumberOfEntries"),
            "2"
        );
        assert_eq!(router.value("Device.DHCPv4.Server.Enable"), "true");
        assert_eq!(
            router.values_below(LAN),
            pairs(&[
                ("Enable", "true"),
                ("Status", "Enabled"),
                ("Interface", "Device.IP.Interface.2"),
                ("MinAddress", "192.168.1.100"),
                ("MaxAddress", "192.168.1.249"),
                ("SubnetMask", "255.255.255.0"),
                ("DNSServers", "192.168.1.1"),
                ("DomainName", "lan"),
                ("IPRouters", "192.168.1.1"),
                ("LeaseTime", "43200"),
                ("StaticAddressNumberOfEntries", "1"),
                ("StaticAddress.1.Enable", "true"),
                ("StaticAddress.1.Chaddr", "00:11:22:33:44:55"),
                ("StaticAddress.1.Yiaddr", "192.168.1.20"),
            ])
        );
        assert_eq!(
            router.values_below("Device.DHCPv4.Server.Pool.2."),
            pairs(&[
                ("Enable", "false"),
                ("Status", "Disabled"),
                ("Interface", "Device.IP.Interface.3"),
                ("MinAddress", ""),
                ("MaxAddress", ""),
                ("SubnetMask", ""),
                ("DNSServers", ""),
                ("DomainName", "lan"),
                ("IPRouters", ""),
                ("LeaseTime", "43200"),
                ("StaticAddressNumberOfEntries", "0"),
            ])
        );
        assert_eq!(
            router.gpn("Device.DHCPv4.", true).unwrap(),
            [
                ("Device.DHCPv4.ClientNumberOfEntries".to_string(), false),
                ("Device.DHCPv4.Server.".to_string(), false),
                // dhcpv4_client.rs
                ("Device.DHCPv4.Client.".to_string(), true),
            ]
        );
        assert_eq!(
            router
                .gpn("Device.DHCPv4.Server.Pool.1.StaticAddress.", true)
                .unwrap(),
            [(
                "Device.DHCPv4.Server.Pool.1.StaticAddress.1.".to_string(),
                true
            )]
        );
    }

    #[test]
    fn stock_23_05_reads_the_same() {
        let mut router = Router::new(&[("dhcp", "dhcp-23.05-stock"), ("network", "network-23.05")]);
        let values = router.values_below(LAN);
        assert_eq!(
            values[3..6],
            pairs(&[
                ("MinAddress", "192.168.1.100"),
                ("MaxAddress", "192.168.1.249"),
                ("SubnetMask", "255.255.255.0"),
            ])
        );
        assert_eq!(
            values[10],
            pairs(&[("StaticAddressNumberOfEntries", "0")])[0]
        );
    }

    #[test]
    fn writing_back_the_defaults_pins_nothing() {
        let mut router = router();
        let before = router.file("dhcp");
        let status = router.spv(&[
            ("Device.DHCPv4.Server.Pool.1.DNSServers", "192.168.1.1"),
            ("Device.DHCPv4.Server.Pool.1.IPRouters", "192.168.1.1"),
            ("Device.DHCPv4.Server.Pool.1.DomainName", "lan"),
        ]);
        assert_eq!(status, Ok(0));
        assert_eq!(router.file("dhcp"), before);
        assert!(router.changed_packages.is_empty());
        // A pool without a subnet reads an empty range, and takes it back.
        assert_eq!(router.value("Device.DHCPv4.Server.Pool.2.MinAddress"), "");
        let status = router.spv(&[
            ("Device.DHCPv4.Server.Pool.2.MinAddress", ""),
            ("Device.DHCPv4.Server.Pool.2.MaxAddress", ""),
            ("Device.DHCPv4.Server.Pool.2.SubnetMask", ""),
        ]);
        assert_eq!(status, Ok(0));
        assert_eq!(router.file("dhcp"), before);
        // Another address is written as before.
        router
            .spv(&[("Device.DHCPv4.Server.Pool.1.DNSServers", "192.168.1.2")])
            .unwrap();
        assert!(router
            .file("dhcp")
            .contains("\tlist dhcp_option '6,192.168.1.2'\n"));
    }

    #[test]
    fn range_options_and_lease_time_are_written() {
        let mut router = router();
        let status = router.spv(&[
            ("Device.DHCPv4.Server.Pool.1.MaxAddress", "192.168.1.99"),
            ("Device.DHCPv4.Server.Pool.1.MinAddress", "192.168.1.50"),
            ("Device.DHCPv4.Server.Pool.1.DNSServers", "1.1.1.1, 9.9.9.9"),
            ("Device.DHCPv4.Server.Pool.1.DomainName", "home.arpa"),
            ("Device.DHCPv4.Server.Pool.1.LeaseTime", "3600"),
        ]);
        assert_eq!(status, Ok(0));
        assert_eq!(router.changed_packages, ["dhcp"]);
        assert_eq!(
            router.file("dhcp"),
            stock_with(|text| text
                .replace(
                    "\toption start '100'\n\toption limit '150'\n\toption leasetime '12h'\n",
                    "\toption start '50'\n\toption limit '50'\n\toption leasetime '1h'\n"
                )
                .replace(
                    "\tlist ra_flags 'other-config'\n",
                    "\tlist ra_flags 'other-config'\n\tlist dhcp_option '6,1.1.1.1,9.9.9.9'\n\
                     \tlist dhcp_option '15,home.arpa'\n"
                ))
        );
        let values = router.values_below(LAN);
        assert_eq!(
            values[3..10],
            pairs(&[
                ("MinAddress", "192.168.1.50"),
                ("MaxAddress", "192.168.1.99"),
                ("SubnetMask", "255.255.255.0"),
                ("DNSServers", "1.1.1.1,9.9.9.9"),
                ("DomainName", "home.arpa"),
                ("IPRouters", "192.168.1.1"),
                ("LeaseTime", "3600"),
            ])
        );
        // Emptying an option brings dnsmasq's default back.
        router
            .spv(&[("Device.DHCPv4.Server.Pool.1.DNSServers", "")])
            .unwrap();
        assert_eq!(
            router.value("Device.DHCPv4.Server.Pool.1.DNSServers"),
            "192.168.1.1"
        );
        router
            .spv(&[("Device.DHCPv4.Server.Pool.1.LeaseTime", "-1")])
            .unwrap();
        assert!(router
            .file("dhcp")
            .contains("\toption leasetime 'infinite'\n"));
    }

    #[test]
    fn a_range_can_move_past_the_old_one_in_either_order() {
        let mut router = router();
        let status = router.spv(&[
            ("Device.DHCPv4.Server.Pool.1.MinAddress", "192.168.1.250"),
            ("Device.DHCPv4.Server.Pool.1.MaxAddress", "192.168.1.254"),
        ]);
        assert_eq!(status, Ok(0));
        assert!(router
            .file("dhcp")
            .contains("\toption start '250'\n\toption limit '5'\n"));
        router
            .spv(&[
                ("Device.DHCPv4.Server.Pool.1.SubnetMask", "255.255.255.128"),
                ("Device.DHCPv4.Server.Pool.1.MaxAddress", "192.168.1.120"),
                ("Device.DHCPv4.Server.Pool.1.MinAddress", "192.168.1.100"),
            ])
            .unwrap();
        assert!(router
            .file("dhcp")
            .contains("\toption start '100'\n\toption limit '21'\n"));
        assert!(router
            .file("dhcp")
            .contains("\toption netmask '255.255.255.128'\n"));
        assert_eq!(
            router.value("Device.DHCPv4.Server.Pool.1.SubnetMask"),
            "255.255.255.128"
        );
        router
            .spv(&[("Device.DHCPv4.Server.Pool.1.SubnetMask", "255.255.255.0")])
            .unwrap();
        assert!(!router.file("dhcp").contains("netmask"));
    }

    #[test]
    fn one_bad_parameter_changes_nothing() {
        let mut router = router();
        let faults = router.spv_faults(&[
            ("Device.DHCPv4.Server.Pool.1.LeaseTime", "7200"),
            ("Device.DHCPv4.Server.Pool.1.MinAddress", "192.168.1.200"),
            ("Device.DHCPv4.Server.Pool.1.MaxAddress", "192.168.1.150"),
        ]);
        assert_eq!(
            faults,
            (
                9003,
                vec![("Device.DHCPv4.Server.Pool.1.MaxAddress".into(), 9007)]
            )
        );
        let faults = router.spv_faults(&[
            ("Device.DHCPv4.Server.Pool.1.MinAddress", "10.0.0.5"),
            (
                "Device.DHCPv4.Server.Pool.1.DNSServers",
                "1.1.1.1,1.0.0.1,8.8.8.8,8.8.4.4,9.9.9.9",
            ),
            ("Device.DHCPv4.Server.Pool.1.IPRouters", "router"),
            ("Device.DHCPv4.Server.Pool.1.LeaseTime", "60"),
            ("Device.DHCPv4.Server.Pool.1.SubnetMask", "255.0.255.0"),
            (
                "Device.DHCPv4.Server.Pool.1.Interface",
                "Device.IP.Interface.7",
            ),
            (
                "Device.DHCPv4.Server.Pool.1.StaticAddress.1.Yiaddr",
                "10.1.1.1",
            ),
            (
                "Device.DHCPv4.Server.Pool.1.StaticAddress.1.Chaddr",
                "00:11:22:33:44",
            ),
            ("Device.DHCPv4.Server.Pool.2.MinAddress", "192.168.1.10"),
            ("Device.DHCPv4.Server.Enable", "false"),
        ]);
        let codes: Vec<(&str, u32)> = faults.1.iter().map(|(n, c)| (n.as_str(), *c)).collect();
        assert_eq!(faults.0, 9003);
        assert_eq!(
            codes,
            [
                ("Device.DHCPv4.Server.Pool.1.DNSServers", 9007),
                ("Device.DHCPv4.Server.Pool.1.IPRouters", 9007),
                ("Device.DHCPv4.Server.Pool.1.LeaseTime", 9007),
                ("Device.DHCPv4.Server.Pool.1.SubnetMask", 9007),
                ("Device.DHCPv4.Server.Pool.1.Interface", 9007),
                ("Device.DHCPv4.Server.Pool.1.StaticAddress.1.Yiaddr", 9007),
                ("Device.DHCPv4.Server.Pool.1.StaticAddress.1.Chaddr", 9007),
                ("Device.DHCPv4.Server.Enable", 9007),
            ]
        );
        // Range errors are found once every parameter is valid on its own.
        let faults = router.spv_faults(&[
            ("Device.DHCPv4.Server.Pool.1.MinAddress", "10.0.0.5"),
            ("Device.DHCPv4.Server.Pool.2.MinAddress", "192.168.1.10"),
        ]);
        assert_eq!(
            faults,
            (
                9003,
                vec![
                    ("Device.DHCPv4.Server.Pool.1.MinAddress".into(), 9007),
                    ("Device.DHCPv4.Server.Pool.2.MinAddress".into(), 9007),
                ]
            )
        );
        assert_eq!(router.file("dhcp"), fixture("dhcp-24.10"));
    }

    #[test]
    fn enable_uses_dhcpv4_not_ignore() {
        let mut router = router();
        router
            .spv(&[
                ("Device.DHCPv4.Server.Pool.1.Enable", "false"),
                ("Device.DHCPv4.Server.Pool.2.Enable", "true"),
            ])
            .unwrap();
        assert_eq!(
            router.file("dhcp"),
            stock_with(|text| text
                .replace("\toption dhcpv4 'server'\n", "\toption dhcpv4 'disabled'\n")
                .replace(
                    "\toption interface 'wan'\n\toption ignore '1'\n",
                    "\toption interface 'wan'\n"
                ))
        );
        assert_eq!(
            router.value("Device.DHCPv4.Server.Pool.1.Status"),
            "Disabled"
        );
        assert_eq!(
            router.value("Device.DHCPv4.Server.Pool.2.Status"),
            "Error_Misconfigured"
        );
        router
            .spv(&[("Device.DHCPv4.Server.Pool.1.Enable", "true")])
            .unwrap();
        assert!(router.file("dhcp").contains("\toption dhcpv4 'server'\n"));
    }

    #[test]
    fn static_addresses_are_added_set_and_deleted() {
        let mut router = router();
        assert_eq!(
            router.add("Device.DHCPv4.Server.Pool.1.StaticAddress."),
            Ok(2)
        );
        let stock = fixture("dhcp-24.10");
        assert_eq!(
            router.file("dhcp"),
            format!(
                "{}\nconfig host 'cwmpd_host_1'\n\toption enable '0'\n\n",
                stock.strip_suffix('\n').unwrap()
            )
        );
        // Without an address the new host stays in the pool it was added to.
        let mut router = router.restart();
        assert_eq!(
            router.value("Device.DHCPv4.Server.Pool.1.StaticAddressNumberOfEntries"),
            "2"
        );
        router
            .spv(&[
                (
                    "Device.DHCPv4.Server.Pool.1.StaticAddress.2.Chaddr",
                    "AA:BB:CC:00:11:22",
                ),
                (
                    "Device.DHCPv4.Server.Pool.1.StaticAddress.2.Yiaddr",
                    "192.168.1.30",
                ),
                ("Device.DHCPv4.Server.Pool.1.StaticAddress.2.Enable", "true"),
            ])
            .unwrap();
        assert_eq!(
            router.file("dhcp"),
            format!(
                "{}\nconfig host 'cwmpd_host_1'\n\toption enable '1'\n\
                     \toption mac 'AA:BB:CC:00:11:22'\n\toption ip '192.168.1.30'\n\n",
                stock.strip_suffix('\n').unwrap()
            )
        );
        // The printer (anonymous) goes; the new host keeps number 2 and 1 is never reused.
        router
            .delete("Device.DHCPv4.Server.Pool.1.StaticAddress.1.")
            .unwrap();
        let mut router = router.restart();
        assert_eq!(
            router
                .gpn("Device.DHCPv4.Server.Pool.1.StaticAddress.", true)
                .unwrap(),
            [(
                "Device.DHCPv4.Server.Pool.1.StaticAddress.2.".to_string(),
                true
            )]
        );
        assert_eq!(
            router.add("Device.DHCPv4.Server.Pool.1.StaticAddress."),
            Ok(3)
        );
        assert_eq!(
            router.add("Device.DHCPv4.Server.Pool.1.StaticAddress.2."),
            Err(9005)
        );
        assert_eq!(
            router.delete("Device.DHCPv4.Server.Pool.1.StaticAddress."),
            Err(9005)
        );
        assert!(!router.file("dhcp").contains("printer"));
    }

    #[test]
    fn hosts_outside_every_subnet_stay_where_they_were_numbered() {
        let mut router = router();
        let moved = fixture("dhcp-24.10").replace("192.168.1.20", "10.9.9.9");
        router.write_file("dhcp", &moved);
        // Never numbered and in no pool's subnet: in no pool.
        assert_eq!(
            router.value("Device.DHCPv4.Server.Pool.1.StaticAddressNumberOfEntries"),
            "0"
        );
        router.write_file("dhcp", &fixture("dhcp-24.10"));
        assert_eq!(
            router
                .gpn("Device.DHCPv4.Server.Pool.1.StaticAddress.", true)
                .unwrap(),
            [(
                "Device.DHCPv4.Server.Pool.1.StaticAddress.1.".to_string(),
                true
            )]
        );
        // Moved out by LuCI after it was numbered: it stays, so the ACS can fix it.
        router.write_file("dhcp", &moved);
        assert_eq!(
            router.value("Device.DHCPv4.Server.Pool.1.StaticAddress.1.Yiaddr"),
            "10.9.9.9"
        );
    }

    #[test]
    fn pools_are_added_and_deleted() {
        let mut router = router();
        assert_eq!(router.add("Device.DHCPv4.Server.Pool."), Ok(3));
        let stock = fixture("dhcp-24.10");
        let added = format!("{}\nconfig dhcp 'cwmpd_pool_1'\n\toption dhcpv4 'disabled'\n\
                             \toption start '100'\n\toption limit '150'\n\toption leasetime '12h'\n\n",
                            stock.strip_suffix('\n').unwrap());
        assert_eq!(router.file("dhcp"), added);
        assert_eq!(
            router.value("Device.DHCPv4.Server.Pool.3.Status"),
            "Disabled"
        );
        router
            .spv(&[(
                "Device.DHCPv4.Server.Pool.3.Interface",
                "Device.IP.Interface.2",
            )])
            .unwrap();
        router.delete("Device.DHCPv4.Server.Pool.3.").unwrap();
        assert_eq!(router.file("dhcp"), stock);
        assert_eq!(router.add("Device.DHCPv4.Server.Pool."), Ok(4));
    }

    #[test]
    fn lease_times() {
        assert_eq!(parse_lease_time("12h"), Some(43_200));
        assert_eq!(parse_lease_time("30m"), Some(1_800));
        assert_eq!(parse_lease_time("2d"), Some(172_800));
        assert_eq!(parse_lease_time("1w"), Some(604_800));
        assert_eq!(parse_lease_time("600"), Some(600));
        assert_eq!(parse_lease_time("infinite"), Some(-1));
        assert_eq!(parse_lease_time("soon"), None);
        assert_eq!(format_lease_time(43_200), "12h");
        assert_eq!(format_lease_time(1_800), "30m");
        assert_eq!(format_lease_time(125), "125");
        assert_eq!(parse_start("0.0.1.4"), Some(260));
    }
}
