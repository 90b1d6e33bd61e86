//! The kernel's dump replies → [`NetState`] (pure: no socket, no file).
//!
//! A reply is a sequence of datagrams, each holding one or more netlink messages; the last
//! one of a dump is `NLMSG_DONE`. Framing and attribute (NLA) iteration are
//! `netlink-packet-core`'s; the four message layouts of `linux/rtnetlink.h` and
//! `linux/if_link.h` read here are the few fields the areas use (see `mod.rs` for why not
//! `netlink-packet-route`'s decoder). A message too short for its header is skipped;
//! unknown attributes are ignored.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{NetlinkBuffer, NLA_HEADER_SIZE, NLA_TYPE_MASK};

use super::{Address, Link, LinkStats, Neighbour, NetState, Route};

/// Where a dump stands after one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Progress {
    More,
    Done,
}

/// Netlink messages are aligned to 4 bytes (`NLMSG_ALIGN`).
const ALIGN: usize = 4;

/// Message types (`linux/netlink.h`, `linux/rtnetlink.h`).
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
pub(super) const RTM_NEWLINK: u16 = 16;
pub(super) const RTM_NEWADDR: u16 = 20;
pub(super) const RTM_NEWROUTE: u16 = 24;
pub(super) const RTM_NEWNEIGH: u16 = 28;

/// Family header lengths: `ifinfomsg`, `ifaddrmsg`, `rtmsg`, `ndmsg`.
pub(super) const IFINFOMSG_LEN: usize = 16;
pub(super) const IFADDRMSG_LEN: usize = 8;
pub(super) const RTMSG_LEN: usize = 12;
pub(super) const NDMSG_LEN: usize = 12;

const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// Add every message of one datagram to `state`. An `NLMSG_ERROR` with a code ends the
/// dump with that error (`-errno`).
pub(super) fn apply_datagram(state: &mut NetState, datagram: &[u8]) -> Result<Progress, String> {
    let mut offset = 0;
    while offset < datagram.len() {
        let message = NetlinkBuffer::new_checked(&datagram[offset..])
            .map_err(|err| format!("malformed netlink message: {err}"))?;
        let length = message.length() as usize;
        if length == 0 {
            return Err("netlink message of length 0".into());
        }
        let payload = message.payload();
        match message.message_type() {
            NLMSG_DONE => return Ok(Progress::Done),
            NLMSG_ERROR => match i32_at(payload, 0).unwrap_or(-1) {
                0 => {}
                code => return Err(format!("netlink error {code}")),
            },
            RTM_NEWLINK => state.links.extend(link(payload)),
            RTM_NEWADDR => state.addresses.extend(address(payload)),
            RTM_NEWROUTE => state.routes.extend(route(payload)),
            RTM_NEWNEIGH => state.neighbours.extend(neighbour(payload)),
            _ => {}
        }
        offset += length.div_ceil(ALIGN) * ALIGN;
    }
    Ok(Progress::More)
}

fn bytes_at<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at + N)?.try_into().ok()
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    bytes_at(bytes, at).map(u16::from_ne_bytes)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes_at(bytes, at).map(u32::from_ne_bytes)
}

fn i32_at(bytes: &[u8], at: usize) -> Option<i32> {
    bytes_at(bytes, at).map(i32::from_ne_bytes)
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    bytes_at(bytes, at).map(u64::from_ne_bytes)
}

/// The attributes (`struct nlattr`: length, type, value, padded to 4 bytes) after a family
/// header: `(type, value)`; iteration stops at the first malformed one.
fn attributes(bytes: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let length = usize::from(u16_at(rest, 0)?);
        let kind = u16_at(rest, 2)? & NLA_TYPE_MASK;
        let value = rest.get(NLA_HEADER_SIZE..length)?;
        rest = rest
            .get(length.div_ceil(ALIGN) * ALIGN..)
            .unwrap_or_default();
        Some((kind, value))
    })
}

/// A NUL-terminated string attribute.
fn text(value: &[u8]) -> String {
    let end = value.iter().position(|b| *b == 0).unwrap_or(value.len());
    String::from_utf8_lossy(&value[..end]).into_owned()
}

/// An address attribute of family `family`.
fn ip(family: u8, value: &[u8]) -> Option<IpAddr> {
    match family {
        AF_INET => bytes_at::<4>(value, 0).map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        AF_INET6 => bytes_at::<16>(value, 0).map(|b| IpAddr::V6(Ipv6Addr::from(b))),
        _ => None,
    }
}

/// `aa:bb:cc:dd:ee:ff` for a 6-byte hardware address; empty otherwise.
fn mac(bytes: &[u8]) -> String {
    if bytes.len() != 6 {
        return String::new();
    }
    bytes
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

// `ifinfomsg` and `IFLA_*` (linux/if_link.h).
const ARPHRD_ETHER: u16 = 1;
const IFF_UP: u32 = 0x1;
const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_LINK: u16 = 5;
const IFLA_STATS: u16 = 7;
const IFLA_MASTER: u16 = 10;
const IFLA_OPERSTATE: u16 = 16;
const IFLA_LINKINFO: u16 = 18;
const IFLA_STATS64: u16 = 23;
const IFLA_LINK_NETNSID: u16 = 37;
const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;
const IFLA_VLAN_ID: u16 = 1;

/// RFC 2863 names of `IF_OPER_*`.
fn oper_state(value: u8) -> &'static str {
    match value {
        1 => "notpresent",
        2 => "down",
        3 => "lowerlayerdown",
        4 => "testing",
        5 => "dormant",
        6 => "up",
        _ => "unknown",
    }
}

/// `struct rtnl_link_stats64` (u64 counters) or `rtnl_link_stats` (u32), same order:
/// rx/tx packets, rx/tx bytes, rx/tx errors, rx/tx dropped, multicast, collisions.
fn stats(value: &[u8], wide: bool) -> Option<LinkStats> {
    let counter = |i: usize| match wide {
        true => u64_at(value, i * 8),
        false => u32_at(value, i * 4).map(u64::from),
    };
    Some(LinkStats {
        rx_packets: counter(0)?,
        tx_packets: counter(1)?,
        rx_bytes: counter(2)?,
        tx_bytes: counter(3)?,
        rx_errors: counter(4)?,
        tx_errors: counter(5)?,
        rx_dropped: counter(6)?,
        tx_dropped: counter(7)?,
        multicast: counter(8)?,
        collisions: counter(9)?,
    })
}

fn link(payload: &[u8]) -> Option<Link> {
    let header = payload.get(..IFINFOMSG_LEN)?;
    let mut link = Link {
        ethernet: u16_at(header, 2)? == ARPHRD_ETHER,
        index: u32_at(header, 4)?,
        admin_up: u32_at(header, 8)? & IFF_UP != 0,
        oper_state: "unknown".into(),
        ..Link::default()
    };
    let (mut stats64, mut stats32) = (None, None);
    let mut other_namespace = false;
    for (kind, value) in attributes(&payload[IFINFOMSG_LEN..]) {
        match kind {
            IFLA_IFNAME => link.name = text(value),
            IFLA_ADDRESS => link.mac = mac(value),
            IFLA_MTU => link.mtu = u32_at(value, 0).unwrap_or_default(),
            IFLA_OPERSTATE => {
                link.oper_state = oper_state(value.first().copied().unwrap_or(0)).into()
            }
            IFLA_MASTER => link.master = u32_at(value, 0).filter(|i| *i != 0),
            IFLA_LINK => link.lower = u32_at(value, 0).filter(|i| *i != 0),
            IFLA_LINK_NETNSID => other_namespace = true,
            IFLA_LINKINFO => link_info(&mut link, value),
            IFLA_STATS64 => stats64 = stats(value, true),
            IFLA_STATS => stats32 = stats(value, false),
            _ => {}
        }
    }
    // Old kernels without IFLA_STATS64 send the 32-bit counters only.
    link.stats = stats64.or(stats32).unwrap_or_default();
    // Loopback's all-zero address is no Ethernet address.
    if !link.ethernet {
        link.mac.clear();
    }
    // IFLA_LINK of a link whose peer lives in another namespace is an index there.
    if other_namespace {
        link.lower = None;
    }
    Some(link)
}

/// `IFLA_LINKINFO`: the kind and, for VLANs, the VLAN ID.
fn link_info(link: &mut Link, value: &[u8]) {
    let mut data = None;
    for (kind, value) in attributes(value) {
        match kind {
            IFLA_INFO_KIND => link.kind = text(value),
            IFLA_INFO_DATA => data = Some(value),
            _ => {}
        }
    }
    if let (Some(data), "vlan") = (data, link.kind.as_str()) {
        link.vlan_id = attributes(data)
            .find(|(kind, _)| *kind == IFLA_VLAN_ID)
            .and_then(|(_, value)| u16_at(value, 0));
    }
}

// `ifaddrmsg` and `IFA_*` (linux/if_addr.h).
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_CACHEINFO: u16 = 6;
const IFA_FLAGS: u16 = 8;
const IFA_F_PERMANENT: u32 = 0x80;
/// Lifetimes of `0xFFFFFFFF` mean forever (`INFINITY_LIFE_TIME`).
const FOREVER: u32 = u32::MAX;

fn address(payload: &[u8]) -> Option<Address> {
    let header = payload.get(..IFADDRMSG_LEN)?;
    let family = header[0];
    let mut flags = u32::from(header[2]);
    let (mut address, mut local) = (None, None);
    let (mut preferred, mut valid) = (FOREVER, FOREVER);
    for (kind, value) in attributes(&payload[IFADDRMSG_LEN..]) {
        match kind {
            IFA_ADDRESS => address = ip(family, value),
            IFA_LOCAL => local = ip(family, value),
            IFA_FLAGS => flags = u32_at(value, 0).unwrap_or(flags),
            // struct ifa_cacheinfo: preferred, valid, cstamp, tstamp.
            IFA_CACHEINFO => {
                preferred = u32_at(value, 0).unwrap_or(FOREVER);
                valid = u32_at(value, 4).unwrap_or(FOREVER);
            }
            _ => {}
        }
    }
    let lifetime = |seconds: u32| Some(seconds).filter(|s| *s != FOREVER);
    Some(Address {
        link: u32_at(header, 4)?,
        // IFA_LOCAL is the link's own address; IFA_ADDRESS the peer's on point-to-point links.
        address: local.or(address)?,
        prefix_len: header[1],
        dynamic: flags & IFA_F_PERMANENT == 0,
        valid_lifetime: lifetime(valid),
        preferred_lifetime: lifetime(preferred),
    })
}

// `rtmsg` and `RTA_*` (linux/rtnetlink.h).
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const RTA_TABLE: u16 = 15;
const RT_TABLE_MAIN: u32 = 254;

/// A route of the main table; `None` for other tables and families.
fn route(payload: &[u8]) -> Option<Route> {
    let header = payload.get(..RTMSG_LEN)?;
    let family = header[0];
    let mut table = u32::from(header[4]);
    let unspecified = match family {
        AF_INET => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        AF_INET6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        _ => return None,
    };
    let mut route = Route {
        destination: unspecified,
        prefix_len: header[1],
        gateway: None,
        out_link: None,
        metric: 0,
        protocol: header[5],
        kind: header[7],
    };
    for (kind, value) in attributes(&payload[RTMSG_LEN..]) {
        match kind {
            RTA_TABLE => table = u32_at(value, 0).unwrap_or(table),
            RTA_DST => route.destination = ip(family, value)?,
            RTA_GATEWAY => route.gateway = ip(family, value),
            RTA_OIF => route.out_link = u32_at(value, 0),
            RTA_PRIORITY => route.metric = u32_at(value, 0).unwrap_or_default(),
            _ => {}
        }
    }
    (table == RT_TABLE_MAIN).then_some(route)
}

// `ndmsg` and `NDA_*` (linux/neighbour.h).
const NDA_DST: u16 = 1;
const NDA_LLADDR: u16 = 2;
const NUD_REACHABLE: u16 = 0x02;
const NUD_STALE: u16 = 0x04;
const NUD_DELAY: u16 = 0x08;
const NUD_PROBE: u16 = 0x10;
const NUD_NOARP: u16 = 0x40;

fn neighbour(payload: &[u8]) -> Option<Neighbour> {
    let header = payload.get(..NDMSG_LEN)?;
    let family = header[0];
    let state = u16_at(header, 8)?;
    // NOARP entries are multicast/broadcast and loopback mappings, not hosts.
    if !matches!(family, AF_INET | AF_INET6) || state & NUD_NOARP != 0 {
        return None;
    }
    let (mut address, mut mac_address) = (None, String::new());
    for (kind, value) in attributes(&payload[NDMSG_LEN..]) {
        match kind {
            NDA_DST => address = ip(family, value),
            NDA_LLADDR => mac_address = mac(value),
            _ => {}
        }
    }
    Some(Neighbour {
        link: u32_at(header, 4)?,
        address: address?,
        mac: mac_address,
        reachable: state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE) != 0,
    })
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
