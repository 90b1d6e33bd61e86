//! The kernel's network state over rtnetlink: links, addresses, routes, neighbours and
//! per-link statistics (plus speed and duplex from sysfs). Filled by [`gather`]; read by the
//! network areas through `Context::live.net`.

use std::net::IpAddr;

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
    pub multicast: u64,
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
    /// `RTPROT_*` as a number (2 kernel, 3 boot, 4 static, 16 dhcp).
    pub protocol: u8,
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

/// Dump the kernel's tables once.
pub async fn gather() -> NetState {
    NetState::default()
}
