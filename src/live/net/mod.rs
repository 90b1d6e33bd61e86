//! The kernel's network state over rtnetlink: links, addresses, routes, neighbours and
//! per-link statistics (plus speed, duplex and "is it Wi-Fi" from sysfs). Filled by
//! [`gather`]; read by the network areas through `Context::live.net`.
//!
//! - [`parse`] turns the kernel's dump replies (netlink datagrams) into a [`NetState`]: pure,
//!   unit-tested against messages encoded by `netlink-packet-route` (a dev-dependency);
//! - [`socket`] is the I/O: one `NETLINK_ROUTE` socket per snapshot sends the four dump
//!   requests (`RTM_GETLINK`, `RTM_GETADDR`, `RTM_GETROUTE`, `RTM_GETNEIGH`) and hands the
//!   replies to the parser; [`Events`] is a socket subscribed to link, address and route
//!   changes (the daemon invalidates its snapshot on each);
//! - [`sysfs`] reads `/sys/class/net/NAME/{speed,duplex,phy80211,wireless}` (ethtool's link
//!   settings without an ioctl).
//!
//! Crates: `netlink-sys` (the socket, on tokio) and `netlink-packet-core` (framing), of the
//! rust-netlink family `rtnetlink` is built on. The message layouts are read here: a snapshot
//! needs about twenty fields of four structs, while `netlink-packet-route`'s decoders (every
//! link kind, traffic control…) cost the binary over 400 KB and `rtnetlink` adds its
//! request/response machinery on top. Cargo.toml records the measurements.

mod parse;
mod socket;
mod sysfs;

use std::net::IpAddr;
use std::time::Duration;

pub use socket::Events;

/// What netlink reported in one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetState {
    /// False when netlink could not be read (the areas then report no live values).
    pub available: bool,
    pub links: Vec<Link>,
    pub addresses: Vec<Address>,
    pub routes: Vec<Route>,
    pub neighbours: Vec<Neighbour>,
}

impl NetState {
    pub fn link(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|link| link.name == name)
    }

    pub fn link_by_index(&self, index: u32) -> Option<&Link> {
        self.links.iter().find(|link| link.index == index)
    }
}

/// One network device (`RTM_NEWLINK`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    /// `IFLA_INFO_KIND` (`bridge`, `veth`, `vlan`, `pppoe`…); empty for plain hardware ports.
    pub kind: String,
    /// `aa:bb:cc:dd:ee:ff`, lower case; empty when the link has no Ethernet address.
    pub mac: String,
    pub mtu: u32,
    /// `IFF_UP`: administratively enabled.
    pub admin_up: bool,
    /// `IFLA_OPERSTATE` as RFC 2863 names it (`up`, `down`, `dormant`, `lowerlayerdown`,
    /// `notpresent`, `testing`, `unknown`).
    pub oper_state: String,
    /// The bridge (or bond) this link is a port of (`IFLA_MASTER`).
    pub master: Option<u32>,
    /// The link this one sits on (`IFLA_LINK`, e.g. a VLAN's parent).
    pub lower: Option<u32>,
    pub stats: LinkStats,
    /// Mbit/s from `/sys/class/net/NAME/speed`; `None` when unknown.
    pub speed_mbps: Option<u32>,
    /// `full`/`half` from `/sys/class/net/NAME/duplex`; `None` when unknown.
    pub full_duplex: Option<bool>,
    /// An Ethernet-framed device (`ARPHRD_ETHER`: ports, bridges, VLANs, Wi-Fi, veth).
    pub ethernet: bool,
    /// A Wi-Fi device (`/sys/class/net/NAME/phy80211` or `…/wireless` exists).
    pub wireless: bool,
    /// The 802.1Q VLAN ID of a `vlan` link (`IFLA_VLAN_ID`).
    pub vlan_id: Option<u16>,
}

impl Link {
    /// A physical Ethernet port: Ethernet framing, not Wi-Fi, and no virtual kind (DSA user
    /// ports report the kind `dsa`, which is hardware too).
    pub fn is_ethernet_port(&self) -> bool {
        self.ethernet && !self.wireless && (self.kind.is_empty() || self.kind == "dsa")
    }
}

/// The kernel's counters of a link (`IFLA_STATS64`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkStats {
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
    /// Multicast packets received (the kernel counts no sent ones).
    pub multicast: u64,
    pub collisions: u64,
}

/// One address of a link (`RTM_NEWADDR`).
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    pub link: u32,
    pub address: IpAddr,
    pub prefix_len: u8,
    /// Configured by the kernel or a DHCP/SLAAC client with a lifetime (`IFA_F_PERMANENT`
    /// unset).
    pub dynamic: bool,
    /// Seconds; `None` for forever.
    pub valid_lifetime: Option<u32>,
    pub preferred_lifetime: Option<u32>,
}

/// One route of the main table (`RTM_NEWROUTE`).
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub destination: IpAddr,
    pub prefix_len: u8,
    pub gateway: Option<IpAddr>,
    pub out_link: Option<u32>,
    pub metric: u32,
    /// `RTPROT_*` as a number (2 kernel, 3 boot, 4 static, 9 ra, 16 dhcp).
    pub protocol: u8,
    /// `RTN_*` as a number (1 unicast, 2 local, 6 blackhole, 7 unreachable, 8 prohibit).
    pub kind: u8,
}

/// One neighbour-table entry (`RTM_NEWNEIGH`): who is on a link.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    pub link: u32,
    pub address: IpAddr,
    /// `aa:bb:cc:dd:ee:ff`, lower case; empty while unresolved.
    pub mac: String,
    /// Reachable, stale, delay or probe (`NUD_*`): the host answered recently.
    pub reachable: bool,
}

/// How long one snapshot may take before it is given up (the kernel answers dumps at once;
/// this only guards against a socket that never answers).
const GATHER_TIMEOUT: Duration = Duration::from_secs(2);

/// Dump the kernel's tables once. A failure leaves the state unavailable (logged once per
/// failure at debug level: a sandbox without netlink is not an error).
pub async fn gather() -> NetState {
    let dumped = tokio::time::timeout(GATHER_TIMEOUT, socket::dump_all()).await;
    let mut state = match dumped {
        Ok(Ok(state)) => state,
        Ok(Err(err)) => {
            log::debug!(target: "cwmpd::live", "netlink: {err}");
            return NetState::default();
        }
        Err(_) => {
            log::warn!(target: "cwmpd::live", "netlink: no answer within {GATHER_TIMEOUT:?}");
            return NetState::default();
        }
    };
    for link in &mut state.links {
        sysfs::fill(std::path::Path::new(sysfs::SYS_CLASS_NET), link);
    }
    state
}
