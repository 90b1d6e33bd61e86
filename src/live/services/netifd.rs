//! netifd's view of the network: `network.interface dump` (logical interfaces: state,
//! protocol, devices, addresses, routes, DNS servers, errors) and `network.device status`
//! without arguments (every device netifd knows: type, carrier, counters). Two calls per
//! snapshot, whatever the number of interfaces.
//!
//! The shapes are netifd's `ubus.c` (`netifd_dump_status`, `interface_ip_dump_*`) and
//! `device.c` (`device_dump_status`): addresses, routes, `uptime` and `l3_device` are present
//! only while an interface is up; lifetimes (`preferred`, `valid`) are seconds left and
//! absent when infinite; `data` holds what the protocol handler added (`leasetime` and
//! `dhcpserver` for DHCP); `errors` holds what the handler reported with
//! `proto_notify_error` (`AUTH_FAILED` for PPP).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ::log::debug;
use serde_json::{Map, Value};

use crate::backend::ubus::Ubus;
use crate::live::net::LinkStats;

/// An IPv4 address with its prefix length (`ipv4-address` items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4Assignment {
    pub address: Ipv4Addr,
    pub prefix_len: u8,
    /// The peer of a point-to-point address (`ptpaddress`: PPP's remote end).
    pub peer: Option<Ipv4Addr>,
}

/// An IPv6 address or prefix with its lifetimes (`ipv6-address`, `ipv6-prefix`,
/// `ipv6-prefix-assignment` items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv6Assignment {
    pub address: Ipv6Addr,
    pub prefix_len: u8,
    /// Seconds left; `None` for forever.
    pub preferred: Option<u32>,
    /// Seconds left; `None` for forever.
    pub valid: Option<u32>,
}

/// A prefix assigned to this interface from a delegated prefix (`ipv6-prefix-assignment`),
/// with the address netifd gave the router in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixAssignment {
    pub prefix: Ipv6Assignment,
    pub local_address: Option<Ipv6Addr>,
}

/// One route of an interface (`route` items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetifdRoute {
    pub target: IpAddr,
    pub prefix_len: u8,
    pub nexthop: Option<IpAddr>,
}

/// An error a protocol handler reported (`errors` items), e.g. `AUTH_FAILED` from ppp.sh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetifdError {
    pub subsystem: String,
    pub code: String,
}

/// One logical interface of `network.interface dump` (the UCI `network` `interface` section
/// of the same name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetifdInterface {
    /// The section name (`lan`, `wan`, `wan6`).
    pub name: String,
    pub up: bool,
    /// Set up but not yet up (a DHCP or PPP exchange under way).
    pub pending: bool,
    /// The device is present (netifd's `available`).
    pub available: bool,
    /// `proto` (`static`, `dhcp`, `dhcpv6`, `pppoe`, `none`).
    pub proto: String,
    /// The configured device (`br-lan`, `eth0.2`); empty when none.
    pub device: String,
    /// The Linux device carrying the interface's addresses while up (`pppoe-wan` for PPPoE);
    /// empty while down.
    pub l3_device: String,
    /// Seconds since the interface came up; `None` while down.
    pub uptime: Option<u64>,
    pub ipv4_addresses: Vec<Ipv4Assignment>,
    pub ipv6_addresses: Vec<Ipv6Assignment>,
    /// Prefixes delegated to this interface (DHCPv6-PD on the WAN).
    pub ipv6_prefixes: Vec<Ipv6Assignment>,
    /// Prefixes assigned to this interface out of delegated or ULA prefixes (the LAN).
    pub ipv6_prefix_assignments: Vec<PrefixAssignment>,
    pub routes: Vec<NetifdRoute>,
    pub dns_servers: Vec<IpAddr>,
    pub dns_search: Vec<String>,
    /// DHCP: the lease time the server granted, seconds (`data.leasetime`).
    pub lease_time: Option<u32>,
    /// DHCP: the server that granted the lease (`data.dhcpserver`).
    pub dhcp_server: Option<Ipv4Addr>,
    pub errors: Vec<NetifdError>,
}

impl NetifdInterface {
    /// The gateways of the interface's IPv4 default routes.
    pub fn ipv4_routers(&self) -> Vec<Ipv4Addr> {
        self.routes
            .iter()
            .filter(|route| route.prefix_len == 0)
            .filter_map(|route| match route.nexthop {
                Some(IpAddr::V4(gateway)) if !gateway.is_unspecified() => Some(gateway),
                _ => None,
            })
            .collect()
    }
}

/// One device of `network.device status`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetifdDevice {
    pub name: String,
    /// netifd's type name (`Network device`, `bridge`, `VLAN`).
    pub device_type: String,
    /// The kernel's device type (`ethernet`, `bridge`, `vlan`, `wlan`, `loopback`).
    pub devtype: String,
    pub present: bool,
    pub up: bool,
    pub carrier: bool,
    pub mtu: Option<u32>,
    pub mac: String,
    /// `/sys/class/net/NAME/statistics` as netifd read it.
    pub stats: LinkStats,
}

/// What netifd reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetifdState {
    /// False when netifd could not be asked (no ubus, an error): the areas then report what
    /// UCI alone knows.
    pub available: bool,
    pub interfaces: Vec<NetifdInterface>,
    pub devices: Vec<NetifdDevice>,
}

impl NetifdState {
    pub fn interface(&self, name: &str) -> Option<&NetifdInterface> {
        self.interfaces.iter().find(|i| i.name == name)
    }

    pub fn device(&self, name: &str) -> Option<&NetifdDevice> {
        self.devices.iter().find(|d| d.name == name)
    }
}

/// The objects and methods [`gather`] calls, once each per snapshot.
pub const CALLS: [(&str, &str); 2] = [("network.interface", "dump"), ("network.device", "status")];

/// Ask netifd once: one `dump` and one `status` for every device.
pub async fn gather(ubus: &Ubus) -> NetifdState {
    let dump = call(ubus, CALLS[0]).await;
    let devices = call(ubus, CALLS[1]).await;
    parse(
        dump.as_ref().unwrap_or(&Value::Null),
        devices.as_ref().unwrap_or(&Value::Null),
    )
}

async fn call(ubus: &Ubus, (object, method): (&str, &str)) -> Option<Value> {
    match ubus.call(object, method, Value::Null).await {
        Ok(reply) => Some(reply),
        Err(err) => {
            // No netifd (a sandbox without it, a restart) is not the ACS's concern: the
            // areas then answer from UCI alone. Debug only, as it repeats every session.
            debug!(target: "cwmpd::live", "ubus {object} {method}: {err}");
            None
        }
    }
}

/// The state from the replies of `network.interface dump` and `network.device status`
/// (either may be `null` when its call failed).
pub fn parse(dump: &Value, devices: &Value) -> NetifdState {
    let available = dump.is_object() || devices.is_object();
    let interfaces = dump
        .get("interface")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(parse_interface).collect())
        .unwrap_or_default();
    let devices = devices
        .as_object()
        .map(|table| {
            table
                .iter()
                .filter_map(|(name, device)| parse_device(name, device.as_object()?))
                .collect()
        })
        .unwrap_or_default();
    NetifdState {
        available,
        interfaces,
        devices,
    }
}

fn text(table: &Map<String, Value>, key: &str) -> String {
    table
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn flag(table: &Map<String, Value>, key: &str) -> bool {
    match table.get(key) {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::Number(number)) => number.as_u64().is_some_and(|n| n != 0),
        _ => false,
    }
}

fn number(table: &Map<String, Value>, key: &str) -> Option<u64> {
    table.get(key).and_then(Value::as_u64)
}

fn seconds(table: &Map<String, Value>, key: &str) -> Option<u32> {
    number(table, key).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn items<'a>(table: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = &'a Value> {
    table
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn tables<'a>(
    table: &'a Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a Map<String, Value>> {
    items(table, key).filter_map(Value::as_object)
}

fn prefix_len(table: &Map<String, Value>) -> Option<u8> {
    number(table, "mask").and_then(|mask| u8::try_from(mask).ok())
}

fn parse_interface(entry: &Value) -> Option<NetifdInterface> {
    let entry = entry.as_object()?;
    let name = text(entry, "interface");
    if name.is_empty() {
        return None;
    }
    let data = entry.get("data").and_then(Value::as_object);
    Some(NetifdInterface {
        name,
        up: flag(entry, "up"),
        pending: flag(entry, "pending"),
        available: flag(entry, "available"),
        proto: text(entry, "proto"),
        device: text(entry, "device"),
        l3_device: text(entry, "l3_device"),
        uptime: number(entry, "uptime"),
        ipv4_addresses: tables(entry, "ipv4-address")
            .filter_map(ipv4_assignment)
            .collect(),
        ipv6_addresses: tables(entry, "ipv6-address")
            .filter_map(ipv6_assignment)
            .collect(),
        ipv6_prefixes: tables(entry, "ipv6-prefix")
            .filter_map(ipv6_assignment)
            .collect(),
        ipv6_prefix_assignments: tables(entry, "ipv6-prefix-assignment")
            .filter_map(prefix_assignment)
            .collect(),
        routes: tables(entry, "route").filter_map(route).collect(),
        dns_servers: items(entry, "dns-server")
            .filter_map(|item| item.as_str()?.parse().ok())
            .collect(),
        dns_search: items(entry, "dns-search")
            .filter_map(|item| Some(item.as_str()?.to_string()))
            .collect(),
        lease_time: data.and_then(|data| seconds(data, "leasetime")),
        dhcp_server: data.and_then(|data| data.get("dhcpserver")?.as_str()?.parse().ok()),
        errors: tables(entry, "errors")
            .map(|error| NetifdError {
                subsystem: text(error, "subsystem"),
                code: text(error, "code"),
            })
            .collect(),
    })
}

fn ipv4_assignment(item: &Map<String, Value>) -> Option<Ipv4Assignment> {
    Some(Ipv4Assignment {
        address: item.get("address")?.as_str()?.parse().ok()?,
        prefix_len: prefix_len(item).filter(|len| *len <= 32)?,
        peer: item
            .get("ptpaddress")
            .and_then(|peer| peer.as_str()?.parse().ok()),
    })
}

fn ipv6_assignment(item: &Map<String, Value>) -> Option<Ipv6Assignment> {
    Some(Ipv6Assignment {
        address: item.get("address")?.as_str()?.parse().ok()?,
        prefix_len: prefix_len(item).filter(|len| *len <= 128)?,
        preferred: seconds(item, "preferred"),
        valid: seconds(item, "valid"),
    })
}

fn prefix_assignment(item: &Map<String, Value>) -> Option<PrefixAssignment> {
    Some(PrefixAssignment {
        prefix: ipv6_assignment(item)?,
        local_address: item
            .get("local-address")
            .and_then(|local| local.get("address")?.as_str()?.parse().ok()),
    })
}

fn route(item: &Map<String, Value>) -> Option<NetifdRoute> {
    Some(NetifdRoute {
        target: item.get("target")?.as_str()?.parse().ok()?,
        prefix_len: prefix_len(item)?,
        nexthop: item
            .get("nexthop")
            .and_then(|hop| hop.as_str()?.parse().ok()),
    })
}

fn parse_device(name: &str, device: &Map<String, Value>) -> Option<NetifdDevice> {
    let stats = device.get("statistics").and_then(Value::as_object);
    let counter = |key: &str| stats.and_then(|s| number(s, key)).unwrap_or(0);
    Some(NetifdDevice {
        name: name.to_string(),
        device_type: text(device, "type"),
        devtype: text(device, "devtype"),
        present: flag(device, "present"),
        up: flag(device, "up"),
        carrier: flag(device, "carrier"),
        mtu: number(device, "mtu").and_then(|mtu| u32::try_from(mtu).ok()),
        mac: text(device, "macaddr"),
        stats: LinkStats {
            rx_bytes: counter("rx_bytes"),
            tx_bytes: counter("tx_bytes"),
            rx_packets: counter("rx_packets"),
            tx_packets: counter("tx_packets"),
            rx_errors: counter("rx_errors"),
            tx_errors: counter("tx_errors"),
            rx_dropped: counter("rx_dropped"),
            tx_dropped: counter("tx_dropped"),
            multicast: counter("multicast"),
            collisions: counter("collisions"),
        },
    })
}

/// The test router's netifd (`tests/fixtures/ubus/`), for the areas' tests.
#[cfg(test)]
pub(crate) fn test_router() -> NetifdState {
    let fixture = |name: &str| -> Value {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/ubus")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    parse(
        &fixture("network.interface/dump.json"),
        &fixture("network.device/status.json"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/ubus")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn state() -> NetifdState {
        test_router()
    }

    #[test]
    fn interfaces_of_the_test_router() {
        let state = state();
        assert!(state.available);
        let names: Vec<&str> = state.interfaces.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["lan", "loopback", "wan", "wan6"]);
        let wan = state.interface("wan").unwrap();
        assert_eq!(
            *wan,
            NetifdInterface {
                name: "wan".into(),
                up: true,
                pending: false,
                available: true,
                proto: "dhcp".into(),
                device: "eth0.2".into(),
                l3_device: "eth0.2".into(),
                uptime: Some(4120),
                ipv4_addresses: vec![Ipv4Assignment {
                    address: Ipv4Addr::new(203, 0, 113, 57),
                    prefix_len: 24,
                    peer: None,
                }],
                ipv6_addresses: vec![],
                ipv6_prefixes: vec![],
                ipv6_prefix_assignments: vec![],
                routes: vec![NetifdRoute {
                    target: "0.0.0.0".parse().unwrap(),
                    prefix_len: 0,
                    nexthop: Some("203.0.113.1".parse().unwrap()),
                }],
                dns_servers: vec!["203.0.113.53".parse().unwrap()],
                dns_search: vec![],
                lease_time: Some(86400),
                dhcp_server: Some(Ipv4Addr::new(203, 0, 113, 1)),
                errors: vec![],
            }
        );
        assert_eq!(wan.ipv4_routers(), [Ipv4Addr::new(203, 0, 113, 1)]);
        let lan = state.interface("lan").unwrap();
        assert_eq!(
            lan.ipv6_prefix_assignments,
            [PrefixAssignment {
                prefix: Ipv6Assignment {
                    address: "fd4c:9e2a:1b3d::".parse().unwrap(),
                    prefix_len: 60,
                    preferred: None,
                    valid: None,
                },
                local_address: Some("fd4c:9e2a:1b3d::1".parse().unwrap()),
            }]
        );
        let wan6 = state.interface("wan6").unwrap();
        assert_eq!(
            (wan6.up, wan6.pending, wan6.uptime, wan6.l3_device.as_str()),
            (false, true, None, "")
        );
    }

    #[test]
    fn devices_of_the_test_router() {
        let state = state();
        assert_eq!(state.devices.len(), 7);
        let wan = state.device("eth0.2").unwrap();
        assert_eq!(
            *wan,
            NetifdDevice {
                name: "eth0.2".into(),
                device_type: "VLAN".into(),
                devtype: "vlan".into(),
                present: true,
                up: true,
                carrier: true,
                mtu: Some(1500),
                mac: "c0:06:c3:5a:1e:91".into(),
                stats: LinkStats {
                    rx_bytes: 1_288_125_307,
                    tx_bytes: 91_032_566,
                    rx_packets: 973_301,
                    tx_packets: 125_086,
                    rx_errors: 0,
                    tx_errors: 0,
                    rx_dropped: 0,
                    tx_dropped: 0,
                    multicast: 0,
                    collisions: 0,
                },
            }
        );
        assert_eq!(state.device("br-lan").unwrap().stats.multicast, 1733);
    }

    /// A PPPoE WAN as netifd reports it while up (pppd's ip-up gave it the address, the peer
    /// as a host route and the DNS servers) and after an authentication failure.
    #[test]
    fn pppoe_lifetimes_and_errors() {
        let dump = serde_json::json!({"interface": [
            {"interface": "wan", "up": true, "pending": false, "available": true,
             "proto": "pppoe", "device": "eth0.2", "l3_device": "pppoe-wan", "uptime": 60,
             "ipv4-address": [{"address": "198.51.100.7", "mask": 32,
                               "ptpaddress": "198.51.100.1"}],
             "ipv6-address": [{"address": "2001:db8:1::7", "mask": 64,
                               "preferred": 3600, "valid": 7200}],
             "ipv6-prefix": [{"address": "2001:db8:2::", "mask": 56,
                              "preferred": 1800, "valid": 3600, "class": "wan6",
                              "assigned": {}}],
             "route": [{"target": "198.51.100.1", "mask": 32, "nexthop": "0.0.0.0"},
                       {"target": "0.0.0.0", "mask": 0, "nexthop": "198.51.100.1"}],
             "dns-server": ["198.51.100.53", "2001:db8::53", "not an address"],
             "dns-search": ["isp.example"], "data": {}},
            {"interface": "dsl", "up": false, "pending": true, "available": true,
             "proto": "pppoe", "device": "ptm0", "data": {},
             "errors": [{"subsystem": "pppoe", "code": "AUTH_FAILED"}]},
            {"up": true}
        ]});
        let state = parse(&dump, &Value::Null);
        assert!(state.available);
        assert_eq!(state.interfaces.len(), 2);
        let wan = &state.interfaces[0];
        assert_eq!(
            wan.ipv6_addresses,
            [Ipv6Assignment {
                address: "2001:db8:1::7".parse().unwrap(),
                prefix_len: 64,
                preferred: Some(3600),
                valid: Some(7200),
            }]
        );
        assert_eq!(wan.ipv6_prefixes[0].prefix_len, 56);
        assert_eq!(
            wan.ipv4_addresses[0].peer,
            Some(Ipv4Addr::new(198, 51, 100, 1))
        );
        assert_eq!(wan.ipv4_routers(), [Ipv4Addr::new(198, 51, 100, 1)]);
        assert_eq!(
            wan.dns_servers,
            [
                "198.51.100.53".parse::<IpAddr>().unwrap(),
                "2001:db8::53".parse().unwrap()
            ]
        );
        assert_eq!(wan.dns_search, ["isp.example"]);
        assert_eq!(
            state.interfaces[1].errors,
            [NetifdError {
                subsystem: "pppoe".into(),
                code: "AUTH_FAILED".into()
            }]
        );
    }

    #[test]
    fn failed_calls_leave_the_state_empty() {
        assert_eq!(parse(&Value::Null, &Value::Null), NetifdState::default());
        let only_devices = parse(&Value::Null, &fixture("network.device/status.json"));
        assert!(only_devices.available && only_devices.interfaces.is_empty());
    }
}
