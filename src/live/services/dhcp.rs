//! dnsmasq's DHCP leases: `luci-rpc getDHCPLeases` (rpcd-mod-luci, which reads dnsmasq's and
//! odhcpd's lease files), else dnsmasq's lease file itself (`/tmp/dhcp.leases`, the default
//! `leasefile` of `/etc/config/dhcp`) when that object is missing (no LuCI installed).

use std::net::{IpAddr, Ipv4Addr};

use ::log::debug;
use serde_json::{json, Value};

use crate::backend::ubus::Ubus;
use crate::platform::Paths;

/// dnsmasq's lease file on OpenWrt.
pub const LEASE_FILE: &str = "/tmp/dhcp.leases";

/// What the DHCP server reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DhcpState {
    /// Leases were read (from ubus or the file).
    pub available: bool,
    pub leases: Vec<Lease>,
}

impl DhcpState {
    /// The leases of one client, IPv4 first.
    pub fn leases_of<'a>(&'a self, mac: &'a str) -> impl Iterator<Item = &'a Lease> + 'a {
        self.leases.iter().filter(move |lease| lease.mac == mac)
    }
}

/// One DHCPv4 or DHCPv6 lease.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease {
    /// Lower case; for a DHCPv6 lease the MAC its DUID carries (DUID-LLT/LL), else empty.
    pub mac: String,
    pub address: IpAddr,
    /// Empty when the client sent none.
    pub hostname: String,
    /// Seconds left; `None` for an infinite lease.
    pub remaining_secs: Option<u64>,
}

/// `luci-rpc getDHCPLeases`: `{dhcp_leases: [{expires, hostname?, macaddr, ipaddr}],
/// dhcp6_leases: [{expires, hostname?, duid, ip6addr}]}`; `expires` is the seconds left, or
/// `false` for an infinite lease.
pub fn parse_luci_leases(reply: &Value) -> Vec<Lease> {
    let list = |key: &str| {
        reply
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let v4 = list("dhcp_leases").into_iter().filter_map(|entry| {
        let mac = entry.get("macaddr")?.as_str()?.to_ascii_lowercase();
        let address = entry.get("ipaddr")?.as_str()?.parse().ok()?;
        Some(lease(&entry, mac, address))
    });
    let v6 = list("dhcp6_leases").into_iter().filter_map(|entry| {
        let text = entry.get("ip6addr")?.as_str()?;
        let address = text.split('/').next()?.parse().ok()?;
        let duid = entry.get("duid").and_then(Value::as_str).unwrap_or("");
        Some(lease(&entry, duid_mac(duid).unwrap_or_default(), address))
    });
    v4.chain(v6).collect()
}

fn lease(entry: &Value, mac: String, address: IpAddr) -> Lease {
    Lease {
        mac,
        address,
        hostname: entry
            .get("hostname")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        // `false` (blobmsg INT8, infinite) is no number.
        remaining_secs: entry.get("expires").and_then(Value::as_u64),
    }
}

/// The link-layer address in a DUID-LLT (type 1) or DUID-LL (type 3) with hardware type 1
/// (Ethernet), RFC 8415 §11.2 and §11.4; `None` for other DUIDs.
pub fn duid_mac(duid: &str) -> Option<String> {
    let hex = duid.to_ascii_lowercase();
    let offset = match hex.get(..8)? {
        "00010001" => 16,
        "00030001" => 8,
        _ => return None,
    };
    let address = hex.get(offset..)?;
    if address.len() != 12 || !address.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let pairs: Vec<&str> = (0..6)
        .filter_map(|i| address.get(2 * i..2 * i + 2))
        .collect();
    Some(pairs.join(":"))
}

/// dnsmasq's lease file at Unix time `now`: `EXPIRY MAC IP HOSTNAME CLIENT-ID` per IPv4
/// lease (EXPIRY 0 = infinite, HOSTNAME `*` = none); DHCPv6 lines (after the `duid` line)
/// are left to odhcpd's view and skipped.
pub fn parse_lease_file(text: &str, now: i64) -> Vec<Lease> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [expiry, mac, ip, hostname, ..] = fields.as_slice() else {
                return None;
            };
            let address: Ipv4Addr = ip.parse().ok()?;
            let expiry: i64 = expiry.parse().ok()?;
            Some(Lease {
                mac: mac.to_ascii_lowercase(),
                address: IpAddr::V4(address),
                hostname: if *hostname == "*" {
                    String::new()
                } else {
                    hostname.to_string()
                },
                remaining_secs: (expiry != 0).then(|| u64::try_from(expiry - now).unwrap_or(0)),
            })
        })
        .collect()
}

/// Ask for the leases once (both families).
pub async fn gather(ubus: &Ubus) -> DhcpState {
    match ubus.call("luci-rpc", "getDHCPLeases", json!({})).await {
        Ok(reply) => DhcpState {
            available: true,
            leases: parse_luci_leases(&reply),
        },
        Err(err) => {
            debug!(target: "cwmpd::live", "ubus call luci-rpc getDHCPLeases: {err}");
            DhcpState::default()
        }
    }
}

/// The lease file under the root, for when ubus gave nothing.
pub fn read_lease_file(paths: &Paths, now: i64) -> DhcpState {
    match std::fs::read_to_string(paths.resolve(LEASE_FILE)) {
        Ok(text) => DhcpState {
            available: true,
            leases: parse_lease_file(&text, now),
        },
        Err(err) => {
            debug!(target: "cwmpd::live", "{LEASE_FILE}: {err}");
            DhcpState::default()
        }
    }
}

/// The test router's leases (`tests/fixtures/ubus/luci-rpc/getDHCPLeases.json`).
#[cfg(test)]
pub(crate) fn test_router_leases() -> DhcpState {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ubus/luci-rpc/getDHCPLeases.json"
    );
    let reply = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    DhcpState {
        available: true,
        leases: parse_luci_leases(&reply),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/ubus/luci-rpc/getDHCPLeases.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn luci_leases_of_both_families() {
        assert_eq!(
            parse_luci_leases(&fixture()),
            [
                Lease {
                    mac: "3c:22:fb:7a:10:05".into(),
                    address: "192.168.1.170".parse().unwrap(),
                    hostname: "laptop".into(),
                    remaining_secs: Some(42_713),
                },
                Lease {
                    mac: "b8:27:eb:41:7c:2d".into(),
                    address: "192.168.1.214".parse().unwrap(),
                    hostname: String::new(),
                    remaining_secs: Some(38_001),
                },
                Lease {
                    mac: "3c:22:fb:7a:10:05".into(),
                    address: "fd4c:9e2a:1b3d::8f2".parse().unwrap(),
                    hostname: "laptop".into(),
                    remaining_secs: Some(42_790),
                },
            ]
        );
    }

    #[test]
    fn infinite_leases_have_no_remaining_time() {
        let reply = json!({"dhcp_leases": [
            {"expires": false, "macaddr": "AA:BB:CC:DD:EE:FF", "ipaddr": "10.0.0.2"}
        ]});
        let leases = parse_luci_leases(&reply);
        assert_eq!(leases[0].remaining_secs, None);
        assert_eq!(leases[0].mac, "aa:bb:cc:dd:ee:ff");
    }

    #[test]
    fn macs_in_duids() {
        assert_eq!(
            duid_mac("000100012c9d41a33c22fb7a1005").as_deref(),
            Some("3c:22:fb:7a:10:05")
        );
        assert_eq!(
            duid_mac("00030001B827EB417C2D").as_deref(),
            Some("b8:27:eb:41:7c:2d")
        );
        // DUID-EN and other hardware types carry no MAC.
        assert_eq!(duid_mac("0002000000090c0123456789"), None);
        assert_eq!(duid_mac("000100062c9d41a33c22fb7a1005"), None);
        assert_eq!(duid_mac("0001"), None);
    }

    #[test]
    fn the_lease_file() {
        let text = "1795584113 3c:22:fb:7a:10:05 192.168.1.170 laptop 01:3c:22:fb:7a:10:05\n\
                    0 B8:27:EB:41:7C:2D 192.168.1.214 * *\n\
                    duid 00:01:00:01:2c:9d:41:a3:c0:06:c3:5a:1e:90\n\
                    1795584190 1001 fd4c:9e2a:1b3d::8f2 laptop 00:01:00:01\n\
                    garbage\n";
        let now = 1_795_541_400;
        assert_eq!(
            parse_lease_file(text, now),
            [
                Lease {
                    mac: "3c:22:fb:7a:10:05".into(),
                    address: "192.168.1.170".parse().unwrap(),
                    hostname: "laptop".into(),
                    remaining_secs: Some(42_713),
                },
                Lease {
                    mac: "b8:27:eb:41:7c:2d".into(),
                    address: "192.168.1.214".parse().unwrap(),
                    hostname: String::new(),
                    remaining_secs: None,
                },
            ]
        );
    }
}
