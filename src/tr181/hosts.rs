//! `Device.Hosts.` (TR-181 Device:2 §Hosts): the LAN's hosts, merged by MAC address from
//! dnsmasq's leases (`Context::live.services.dhcp`), the kernel's neighbour table
//! (`live.net.neighbours`, on LAN links) and the Wi-Fi stations (`live.services.wireless`).
//! Instance numbers are keyed by MAC address, so a host keeps its number while it is known.
//!
//! | TR-181 `Host.{i}.` | source |
//! |---|---|
//! | PhysAddress | the MAC address (lower case) |
//! | IPAddress | the DHCPv4 lease's address, else a reachable IPv4 neighbour, else the first IPv6 address |
//! | IPv4Address.{i}, IPv6Address.{i} | every address of the leases and the neighbour table (numbered by address) |
//! | HostName | the lease's host name |
//! | Active | associated to an access point, or a neighbour entry that is reachable (or being checked) |
//! | InterfaceType, Layer1Interface | `Wi-Fi` and its `Device.WiFi.SSID.{i}` for stations; else `Ethernet` and empty (the bridge port is not known) |
//! | Layer3Interface | the `Device.IP.Interface.{i}` of the station's `wifi-iface` `network`, else of the neighbour's link (netifd's `l3_device`/`device`, else UCI's `device`), else the static interface whose subnet holds the lease |
//! | AssociatedDevice | `Device.WiFi.AccessPoint.{i}.AssociatedDevice.{j}` for stations |
//!
//! A link is on the LAN when the interface on it has `proto 'static'` in UCI `network` (the
//! WAN's neighbours — the ISP's gateway — are no hosts of the LAN).

use core::net::IpAddr;
use core::net::Ipv4Addr;
use std::collections::BTreeMap;

use super::dhcpv4::Subnet;
use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE};
use super::wifi::WifiView;
use crate::datamodel::{
    Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef, Type,
    Value,
};

const HOSTS: &str = "Device.Hosts.";
const HOST: &str = "Device.Hosts.Host.{i}.";
const IPV4: &str = "Device.Hosts.Host.{i}.IPv4Address.{i}.";
const IPV6: &str = "Device.Hosts.Host.{i}.IPv6Address.{i}.";

/// `Device.Hosts.`
pub struct HostsArea;

impl Area for HostsArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let reference = || Type::string(256);
        vec![
            ObjectDef::new(HOSTS).param(ParamDef::read_only(
                "HostNumberOfEntries",
                Type::unsigned_int(),
            )),
            ObjectDef::new(HOST)
                .without_alias()
                .param(ParamDef::read_only("PhysAddress", Type::string(64)))
                .param(ParamDef::read_only(
                    "IPAddress",
                    Type::string(45).data_type("IPAddress"),
                ))
                .param(ParamDef::read_only("AssociatedDevice", reference()))
                .param(ParamDef::read_only("Layer1Interface", reference()))
                .param(ParamDef::read_only("Layer3Interface", reference()))
                .param(ParamDef::read_only(
                    "InterfaceType",
                    Type::any_string().enumeration(&[
                        "Ethernet", "G.hn", "HPNA", "HomePlug", "MoCA", "UPA", "Wi-Fi", "Other",
                    ]),
                ))
                .param(ParamDef::read_only("HostName", Type::string(64)))
                .param(ParamDef::read_only("Active", Type::boolean()))
                .param(ParamDef::read_only(
                    "IPv4AddressNumberOfEntries",
                    Type::unsigned_int(),
                ))
                .param(ParamDef::read_only(
                    "IPv6AddressNumberOfEntries",
                    Type::unsigned_int(),
                )),
            ObjectDef::new(IPV4)
                .without_alias()
                .param(ParamDef::read_only(
                    "IPAddress",
                    Type::string(15).data_type("IPv4Address"),
                )),
            ObjectDef::new(IPV6)
                .without_alias()
                .param(ParamDef::read_only(
                    "IPAddress",
                    Type::string(45).data_type("IPv6Address"),
                )),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        let interfaces = IpInterfaces::load(ctx, &network);
        let wifi = WifiView::load(ctx)?;
        let mut hosts = collect(ctx, &network, &wifi);
        for host in hosts.values_mut() {
            host.layer3 = host
                .layer3_name
                .as_deref()
                .map(|n| interfaces.path(n))
                .unwrap_or_default();
        }
        let macs: Vec<String> = hosts.keys().cloned().collect();
        let keys: Vec<&str> = macs.iter().map(String::as_str).collect();
        let numbered = ctx.instances.table(HOST).assign(&keys);
        let hosts = numbered
            .into_iter()
            .filter_map(|(number, mac)| {
                let mut host = hosts.get(mac)?.clone();
                host.number_addresses(ctx, number);
                Some((number, host))
            })
            .collect();
        Ok(Box::new(HostsView { hosts }))
    }
}

/// One host as the sources describe it.
#[derive(Debug, Clone, Default)]
struct Host {
    mac: String,
    hostname: String,
    lease_v4: Option<Ipv4Addr>,
    reachable_v4: Option<Ipv4Addr>,
    addresses: Vec<IpAddr>,
    active: bool,
    /// `Device.WiFi.SSID.{i}` and `…AccessPoint.{i}.AssociatedDevice.{j}` of a station.
    ssid: String,
    associated_device: String,
    layer3_name: Option<String>,
    layer3: String,
    v4: Vec<(u32, Ipv4Addr)>,
    v6: Vec<(u32, IpAddr)>,
}

impl Host {
    fn add_address(&mut self, address: IpAddr) {
        if !self.addresses.contains(&address) {
            self.addresses.push(address);
        }
    }

    fn ip_address(&self) -> String {
        self.lease_v4
            .or(self.reachable_v4)
            .map(IpAddr::V4)
            .or_else(|| self.addresses.iter().find(|a| a.is_ipv4()).copied())
            .or_else(|| self.addresses.first().copied())
            .map(|a| a.to_string())
            .unwrap_or_default()
    }

    /// Number the addresses in the host's own tables.
    fn number_addresses(&mut self, ctx: &mut Context<'_>, host: u32) {
        let texts: Vec<String> = self.addresses.iter().map(IpAddr::to_string).collect();
        for (table, v4) in [(ipv4_table(host), true), (ipv6_table(host), false)] {
            let keys: Vec<&str> = texts
                .iter()
                .zip(&self.addresses)
                .filter(|(_, a)| a.is_ipv4() == v4)
                .map(|(text, _)| text.as_str())
                .collect();
            // A host's addresses churn (IPv6 privacy addresses): in memory only.
            let numbered = ctx.instances.volatile_table(&table).assign(&keys);
            for (number, text) in numbered {
                match text.parse::<IpAddr>() {
                    Ok(IpAddr::V4(a)) => self.v4.push((number, a)),
                    Ok(address) => self.v6.push((number, address)),
                    Err(_) => {}
                }
            }
        }
    }
}

fn ipv4_table(host: u32) -> String {
    format!("Device.Hosts.Host.{host}.IPv4Address.{{i}}.")
}

fn ipv6_table(host: u32) -> String {
    format!("Device.Hosts.Host.{host}.IPv6Address.{{i}}.")
}

/// The UCI interface on Linux device `link`: netifd's, else UCI's `device`.
fn interface_on<'a>(
    ctx: &'a Context<'_>,
    network: &'a [ConfigSection],
    link: &str,
) -> Option<&'a str> {
    let netifd = &ctx.live.services.netifd.interfaces;
    netifd
        .iter()
        .find(|i| i.l3_device == link || i.device == link)
        .map(|i| i.name.as_str())
        .or_else(|| {
            network
                .iter()
                .find(|s| s.section_type == "interface" && s.get("device").as_deref() == Some(link))
                .map(|s| s.name.as_str())
        })
}

fn is_lan(network: &[ConfigSection], interface: &str) -> bool {
    network.iter().any(|s| {
        s.section_type == "interface"
            && s.name == interface
            && s.get("proto").as_deref() == Some("static")
    })
}

/// The static interface whose subnet holds `address`.
fn interface_of_subnet(network: &[ConfigSection], address: Ipv4Addr) -> Option<String> {
    network
        .iter()
        .filter(|s| s.section_type == "interface")
        .find(|s| Subnet::of_interface(s).is_some_and(|subnet| subnet.holds(u32::from(address))))
        .map(|s| s.name.clone())
}

/// Every host of the sources, by MAC.
fn collect(
    ctx: &Context<'_>,
    network: &[ConfigSection],
    wifi: &WifiView,
) -> BTreeMap<String, Host> {
    let mut hosts: BTreeMap<String, Host> = BTreeMap::new();
    for lease in ctx
        .live
        .services
        .dhcp
        .leases
        .iter()
        .filter(|l| !l.mac.is_empty())
    {
        let host = hosts.entry(lease.mac.clone()).or_default();
        host.add_address(lease.address);
        if host.hostname.is_empty() {
            host.hostname = lease.hostname.clone();
        }
        if let IpAddr::V4(address) = lease.address {
            host.lease_v4 = Some(address);
            if host.layer3_name.is_none() {
                host.layer3_name = interface_of_subnet(network, address);
            }
        }
    }
    for neighbour in ctx.live.net.neighbours.iter().filter(|n| !n.mac.is_empty()) {
        let Some(link) = ctx.live.net.link_by_index(neighbour.link) else {
            continue;
        };
        let Some(interface) = interface_on(ctx, network, &link.name).filter(|i| is_lan(network, i))
        else {
            continue;
        };
        let host = hosts.entry(neighbour.mac.clone()).or_default();
        host.add_address(neighbour.address);
        host.active |= neighbour.reachable;
        if let (IpAddr::V4(address), true) = (neighbour.address, neighbour.reachable) {
            host.reachable_v4.get_or_insert(address);
        }
        host.layer3_name = Some(interface.to_string());
    }
    for iface in &wifi.ifaces {
        let Some(ap) = iface.access_point else {
            continue;
        };
        for (number, station) in &iface.stations {
            let host = hosts.entry(station.mac.clone()).or_default();
            host.active = true;
            host.ssid = format!("Device.WiFi.SSID.{}", iface.ssid);
            host.associated_device =
                format!("Device.WiFi.AccessPoint.{ap}.AssociatedDevice.{number}");
            if let Some(network) = iface.section.list("network").first() {
                host.layer3_name = Some(network.to_string());
            }
        }
    }
    for (mac, host) in hosts.iter_mut() {
        host.mac = mac.clone();
    }
    hosts
}

struct HostsView {
    /// Ascending by number.
    hosts: Vec<(u32, Host)>,
}

impl HostsView {
    fn host(&self, instances: &[u32]) -> Result<&Host, Error> {
        let number = *instances.first().ok_or_else(|| Error::invalid_name(""))?;
        self.hosts
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, host)| host)
            .ok_or_else(|| Error::invalid_name(""))
    }
}

impl AreaView for HostsView {
    fn get(&mut self, _ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        if param.object == HOSTS {
            return match param.name {
                "HostNumberOfEntries" => Ok(Value::Unsigned(self.hosts.len() as u64)),
                name => Err(Error::not_served(name)),
            };
        }
        let host = self.host(param.instances)?;
        let number = *param
            .instances
            .last()
            .ok_or_else(|| Error::invalid_name(""))?;
        match param.object {
            IPV4 => host
                .v4
                .iter()
                .find(|(n, _)| *n == number)
                .map(|(_, a)| Value::String(a.to_string())),
            IPV6 => host
                .v6
                .iter()
                .find(|(n, _)| *n == number)
                .map(|(_, a)| Value::String(a.to_string())),
            _ => None,
        }
        .map_or_else(|| host_value(host, param.name), Ok)
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        let mut numbers: Vec<u32> = match table.object {
            HOST => self.hosts.iter().map(|(number, _)| *number).collect(),
            IPV4 => self
                .host(table.instances)?
                .v4
                .iter()
                .map(|(n, _)| *n)
                .collect(),
            IPV6 => self
                .host(table.instances)?
                .v6
                .iter()
                .map(|(n, _)| *n)
                .collect(),
            _ => Vec::new(),
        };
        numbers.sort_unstable();
        Ok(numbers)
    }
}

fn host_value(host: &Host, name: &str) -> Result<Value, Error> {
    let wifi = !host.ssid.is_empty();
    Ok(match name {
        "PhysAddress" => Value::String(host.mac.clone()),
        "IPAddress" => Value::String(host.ip_address()),
        "AssociatedDevice" => Value::String(host.associated_device.clone()),
        "Layer1Interface" => Value::String(host.ssid.clone()),
        "Layer3Interface" => Value::String(host.layer3.clone()),
        "InterfaceType" => Value::from(if wifi { "Wi-Fi" } else { "Ethernet" }),
        "HostName" => Value::String(host.hostname.clone()),
        "Active" => Value::Boolean(host.active),
        "IPv4AddressNumberOfEntries" => Value::Unsigned(host.v4.len() as u64),
        "IPv6AddressNumberOfEntries" => Value::Unsigned(host.v6.len() as u64),
        name => return Err(Error::not_served(name)),
    })
}

#[cfg(test)]
mod tests {
    use crate::backend::test_router::{Router, NOW};
    use crate::live::net::{Link, Neighbour};
    use crate::live::services::dhcp::test_router_leases;
    use crate::live::services::wireless::test_router_state;
    use crate::live::services::NetifdInterface;

    fn link(index: u32, name: &str) -> Link {
        Link {
            index,
            name: name.into(),
            ..Link::default()
        }
    }

    fn neighbour(link: u32, address: &str, mac: &str, reachable: bool) -> Neighbour {
        Neighbour {
            link,
            address: address.parse().unwrap(),
            mac: mac.into(),
            reachable,
        }
    }

    /// The Archer C7 with its laptop on the 5 GHz AP, a Raspberry Pi with a lease whose
    /// neighbour entry is stale, and the ISP's gateway on the WAN.
    fn router() -> Router {
        let mut router = Router::new(&[
            ("wireless", "wireless-archer-c7"),
            ("network", "network-23.05"),
        ]);
        let live = &mut router.live;
        live.services.available = true;
        live.services.wireless = test_router_state(NOW);
        live.services.dhcp = test_router_leases();
        live.services.netifd.interfaces = vec![
            NetifdInterface {
                name: "lan".into(),
                up: true,
                proto: "static".into(),
                device: "br-lan".into(),
                l3_device: "br-lan".into(),
                ..Default::default()
            },
            NetifdInterface {
                name: "wan".into(),
                up: true,
                proto: "dhcp".into(),
                device: "eth0.2".into(),
                l3_device: "eth0.2".into(),
                ..Default::default()
            },
        ];
        live.net.available = true;
        live.net.links = vec![link(4, "eth0.2"), link(6, "br-lan")];
        live.net.neighbours = vec![
            neighbour(6, "192.168.1.170", "3c:22:fb:7a:10:05", true),
            neighbour(6, "fe80::3e22:fbff:fe7a:1005", "3c:22:fb:7a:10:05", true),
            neighbour(6, "192.168.1.214", "b8:27:eb:41:7c:2d", false),
            neighbour(4, "203.0.113.1", "00:00:5e:00:01:01", true),
        ];
        router
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn leases_neighbours_and_stations_make_hosts() {
        let mut router = router();
        assert_eq!(
            router.values_below("Device.Hosts."),
            pairs(&[
                ("HostNumberOfEntries", "2"),
                ("Host.1.PhysAddress", "3c:22:fb:7a:10:05"),
                ("Host.1.IPAddress", "192.168.1.170"),
                (
                    "Host.1.AssociatedDevice",
                    "Device.WiFi.AccessPoint.1.AssociatedDevice.1"
                ),
                ("Host.1.Layer1Interface", "Device.WiFi.SSID.1"),
                ("Host.1.Layer3Interface", "Device.IP.Interface.2"),
                ("Host.1.InterfaceType", "Wi-Fi"),
                ("Host.1.HostName", "laptop"),
                ("Host.1.Active", "true"),
                ("Host.1.IPv4AddressNumberOfEntries", "1"),
                ("Host.1.IPv6AddressNumberOfEntries", "2"),
                ("Host.1.IPv4Address.1.IPAddress", "192.168.1.170"),
                ("Host.1.IPv6Address.1.IPAddress", "fd4c:9e2a:1b3d::8f2"),
                (
                    "Host.1.IPv6Address.2.IPAddress",
                    "fe80::3e22:fbff:fe7a:1005"
                ),
                ("Host.2.PhysAddress", "b8:27:eb:41:7c:2d"),
                ("Host.2.IPAddress", "192.168.1.214"),
                ("Host.2.AssociatedDevice", ""),
                ("Host.2.Layer1Interface", ""),
                ("Host.2.Layer3Interface", "Device.IP.Interface.2"),
                ("Host.2.InterfaceType", "Ethernet"),
                ("Host.2.HostName", ""),
                ("Host.2.Active", "false"),
                ("Host.2.IPv4AddressNumberOfEntries", "1"),
                ("Host.2.IPv6AddressNumberOfEntries", "0"),
                ("Host.2.IPv4Address.1.IPAddress", "192.168.1.214"),
            ])
        );
    }

    #[test]
    fn hosts_keep_their_numbers_by_mac() {
        let mut router = router();
        assert_eq!(
            router.value("Device.Hosts.Host.2.PhysAddress"),
            "b8:27:eb:41:7c:2d"
        );
        // The laptop leaves (lease, neighbours and station gone); the Pi keeps number 2 and
        // a newcomer gets 3.
        let live = &mut router.live;
        live.services
            .dhcp
            .leases
            .retain(|l| l.mac != "3c:22:fb:7a:10:05");
        live.net.neighbours.retain(|n| n.mac != "3c:22:fb:7a:10:05");
        live.services.wireless.radios[0].interfaces[0]
            .stations
            .clear();
        live.net
            .neighbours
            .push(neighbour(6, "192.168.1.50", "02:00:00:00:00:50", true));
        let names = router.gpn("Device.Hosts.Host.", true).unwrap();
        assert_eq!(
            names,
            [
                ("Device.Hosts.Host.2.".to_string(), false),
                ("Device.Hosts.Host.3.".to_string(), false),
            ]
        );
        assert_eq!(router.value("Device.Hosts.Host.3.Active"), "true");
        assert_eq!(router.value("Device.Hosts.Host.3.HostName"), "");
    }

    #[test]
    fn without_live_state_there_are_no_hosts() {
        let mut router = Router::new(&[("network", "network-23.05")]);
        assert_eq!(router.value("Device.Hosts.HostNumberOfEntries"), "0");
    }
}
