//! The ConnectionRequestURL (TR-069 §3.2.2): `http://ADDRESS:PORT/PATH`, where ADDRESS is the
//! current address of the configured WAN interface, or — when that interface has none, or is not
//! a Linux interface name — the local address the CPE uses to reach the ACS.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs, UdpSocket};

use crate::backend::uci::UciFile;
use crate::live::services::NetifdState;

/// The first usable address of a Linux interface: IPv4 first, then a global IPv6 address.
pub fn interface_address(ifname: &str) -> Option<IpAddr> {
    let addresses = nix::ifaddrs::getifaddrs().ok()?;
    let mut ipv6 = None;
    for entry in addresses.filter(|a| a.interface_name == ifname) {
        let Some(address) = entry.address else {
            continue;
        };
        if let Some(v4) = address.as_sockaddr_in() {
            return Some(IpAddr::V4(v4.ip()));
        }
        if let Some(v6) = address.as_sockaddr_in6() {
            let ip = v6.ip();
            let link_local = (ip.segments()[0] & 0xffc0) == 0xfe80;
            if !link_local && ipv6.is_none() {
                ipv6 = Some(IpAddr::V6(ip));
            }
        }
    }
    ipv6
}

/// The local address the kernel would use to reach `acs_url`'s host. A connected UDP socket
/// sends nothing; it only asks the routing table.
pub fn source_address_towards(acs_url: &str) -> Option<IpAddr> {
    let target = host_port(acs_url)?.to_socket_addrs().ok()?.next()?;
    let bind: SocketAddr = match target {
        SocketAddr::V4(_) => "0.0.0.0:0".parse().ok()?,
        SocketAddr::V6(_) => "[::]:0".parse().ok()?,
    };
    let socket = UdpSocket::bind(bind).ok()?;
    socket.connect(target).ok()?;
    Some(socket.local_addr().ok()?.ip())
}

/// `host:port` of an http(s) URL, with the scheme's default port.
fn host_port(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    if authority.is_empty() {
        return None;
    }
    let has_port = match authority.rfind(']') {
        Some(bracket) => authority[bracket..].contains(':'),
        None => authority.contains(':'),
    };
    Some(if has_port {
        authority.to_string()
    } else {
        format!("{authority}:{default_port}")
    })
}

/// Build the URL for an address, port and path (IPv6 in brackets, path with a leading slash).
pub fn connection_request_url(address: IpAddr, port: u16, path: &str) -> String {
    let path = path.trim_start_matches('/');
    match address {
        IpAddr::V4(v4) => format!("http://{v4}:{port}/{path}"),
        IpAddr::V6(v6) => format!("http://[{v6}]:{port}/{path}"),
    }
}

/// The address netifd gives the logical interface `interface` while it is up: its first IPv4
/// address, else the first global IPv6 one, else whatever the kernel has on its `l3_device`
/// (`pppoe-wan` for PPPoE, the DHCP client's device otherwise).
pub fn netifd_address(netifd: &NetifdState, interface: &str) -> Option<IpAddr> {
    let iface = netifd.interface(interface).filter(|iface| iface.up)?;
    let global_v6 = iface.ipv6_addresses.iter().find(|a| {
        let first = a.address.segments()[0];
        (first & 0xffc0) != 0xfe80 && (first & 0xfe00) != 0xfc00
    });
    iface
        .ipv4_addresses
        .first()
        .map(|a| IpAddr::V4(a.address))
        .or_else(|| global_v6.map(|a| IpAddr::V6(a.address)))
        .or_else(|| match iface.l3_device.as_str() {
            "" => None,
            device => interface_address(device),
        })
}

/// The address to advertise: what netifd's snapshot says of a logical interface, else the
/// Linux interface's, else the Linux device `network` (/etc/config/network) names for a
/// netifd interface, else the source address towards the ACS.
pub fn advertised_address(
    interface: &str,
    netifd: &NetifdState,
    network: Option<&UciFile>,
    acs_url: &str,
) -> Option<IpAddr> {
    netifd_address(netifd, interface)
        .or_else(|| interface_address(interface))
        .or_else(|| {
            network
                .and_then(|n| linux_device(n, interface))
                .and_then(|dev| interface_address(&dev))
        })
        .or_else(|| source_address_towards(acs_url))
}

/// The Linux device netifd uses for a logical interface: `pppoe-NAME` (and friends) for the
/// PPP protocols, else the section's `device` (23.05+) or `ifname` (older releases); a bridge
/// device section `br-lan` is itself the Linux name. (netifd's `l3_device` says it directly:
/// this is the fallback when its snapshot has no such interface.)
pub fn linux_device(network: &UciFile, interface: &str) -> Option<String> {
    let section = network.section(interface)?;
    if section.section_type() != "interface" {
        return None;
    }
    match section.get("proto") {
        Some(proto @ ("pppoe" | "pppoa" | "pptp" | "l2tp")) => {
            return Some(format!("{proto}-{interface}"))
        }
        Some("3g" | "ppp") => return Some(format!("ppp-{interface}")),
        _ => {}
    }
    section
        .get("device")
        .or_else(|| section.get("ifname"))
        .map(|device| {
            device
                .split_whitespace()
                .next()
                .unwrap_or(device)
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_exactly() {
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let v6: IpAddr = "2001:db8::7".parse().unwrap();
        assert_eq!(
            connection_request_url(v4, 7547, "/abc"),
            "http://192.0.2.7:7547/abc"
        );
        assert_eq!(
            connection_request_url(v6, 7547, "abc"),
            "http://[2001:db8::7]:7547/abc"
        );
    }

    #[test]
    fn host_port_handles_defaults_ipv6_and_userinfo() {
        assert_eq!(
            host_port("http://acs.example:7547/x").as_deref(),
            Some("acs.example:7547")
        );
        assert_eq!(
            host_port("https://acs.example/x").as_deref(),
            Some("acs.example:443")
        );
        assert_eq!(host_port("http://u:p@[::1]/").as_deref(), Some("[::1]:80"));
        assert_eq!(
            host_port("http://[::1]:8080").as_deref(),
            Some("[::1]:8080")
        );
        assert_eq!(host_port("ftp://x/"), None);
        assert_eq!(host_port("http:///x"), None);
    }

    #[test]
    fn loopback_interface_and_route_towards_loopback() {
        assert_eq!(interface_address("lo"), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(interface_address("no-such-if0"), None);
        assert_eq!(
            source_address_towards("http://127.0.0.1:7547/acs"),
            Some("127.0.0.1".parse().unwrap())
        );
        let none = NetifdState::default();
        assert_eq!(
            advertised_address("no-such-if0", &none, None, "http://127.0.0.1:1/"),
            Some("127.0.0.1".parse().unwrap())
        );
        let network =
            UciFile::parse("network", "config interface 'mgmt'\n\toption device 'lo'\n").unwrap();
        assert_eq!(
            advertised_address("mgmt", &none, Some(&network), "http://192.0.2.1:1/"),
            Some("127.0.0.1".parse().unwrap())
        );
    }

    #[test]
    fn netifds_snapshot_comes_first() {
        let netifd = crate::live::services::netifd::parse(
            &serde_json::json!({"interface": [
                {"interface": "wan", "up": true, "proto": "pppoe", "l3_device": "pppoe-wan",
                 "ipv4-address": [{"address": "198.51.100.7", "mask": 32}]},
                {"interface": "wan6", "up": true, "proto": "dhcpv6", "l3_device": "eth1",
                 "ipv6-address": [{"address": "fd00::5", "mask": 64},
                                  {"address": "2001:db8::5", "mask": 64}]},
                {"interface": "mgmt", "up": true, "proto": "static", "l3_device": "lo"},
                {"interface": "down", "up": false, "proto": "dhcp",
                 "ipv4-address": [{"address": "192.0.2.9", "mask": 24}]}
            ]}),
            &serde_json::Value::Null,
        );
        let wan = advertised_address("wan", &netifd, None, "http://192.0.2.1:1/");
        assert_eq!(wan, Some("198.51.100.7".parse().unwrap()));
        let wan6 = netifd_address(&netifd, "wan6");
        assert_eq!(wan6, Some("2001:db8::5".parse().unwrap()));
        // No address in the snapshot: the kernel's on l3_device.
        let mgmt = netifd_address(&netifd, "mgmt");
        assert_eq!(mgmt, Some("127.0.0.1".parse().unwrap()));
        assert_eq!(netifd_address(&netifd, "down"), None);
    }

    #[test]
    fn netifd_names_map_to_linux_devices() {
        let network = UciFile::parse(
            "network",
            "config device\n\toption name 'br-lan'\n\toption type 'bridge'\n\n\
             config interface 'lan'\n\toption device 'br-lan'\n\toption proto 'static'\n\n\
             config interface 'wan'\n\toption device 'eth0.2'\n\toption proto 'dhcp'\n\n\
             config interface 'wan6'\n\toption ifname 'eth1 eth2'\n\toption proto 'dhcpv6'\n\n\
             config interface 'dsl'\n\toption device 'ptm0'\n\toption proto 'pppoe'\n",
        )
        .unwrap();
        assert_eq!(linux_device(&network, "lan").as_deref(), Some("br-lan"));
        assert_eq!(linux_device(&network, "wan").as_deref(), Some("eth0.2"));
        assert_eq!(linux_device(&network, "wan6").as_deref(), Some("eth1"));
        assert_eq!(linux_device(&network, "dsl").as_deref(), Some("pppoe-dsl"));
        assert_eq!(linux_device(&network, "nope"), None);
    }
}
