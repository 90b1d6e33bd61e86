//! The kernel's dump replies → [`NetState`] (pure: no socket, no file).
//!
//! A reply is a sequence of datagrams, each holding one or more netlink messages; the last
//! one of a dump is `NLMSG_DONE`. Messages the crate cannot decode are skipped (a newer
//! kernel may add attributes; the crate keeps unknown ones as `Other`, so this is rare).

use std::net::IpAddr;

use netlink_packet_core::{NetlinkBuffer, Parseable};
use netlink_packet_route::address::{AddressAttribute, AddressFlags, AddressMessage};
use netlink_packet_route::link::{
    InfoData, InfoVlan, LinkAttribute, LinkFlags, LinkInfo, LinkLayerType, LinkMessage, State,
};
use netlink_packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourMessage, NeighbourState,
};
use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteHeader, RouteMessage};
use netlink_packet_route::AddressFamily;

use super::{Address, Link, LinkStats, Neighbour, NetState, Route};

/// Where a dump stands after one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Progress {
    More,
    Done,
}

/// Lifetimes of `0xFFFFFFFF` mean forever (`INFINITY_LIFE_TIME`).
const FOREVER: u32 = u32::MAX;
/// Netlink messages are aligned to 4 bytes (`NLMSG_ALIGN`).
const ALIGN: usize = 4;

/// Message types (`linux/netlink.h`, `linux/rtnetlink.h`). Only these four are decoded: the
/// crate's decoder of every rtnetlink message (traffic control, rules…) would cost the
/// binary far more than the dumps need.
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
pub(super) const RTM_NEWLINK: u16 = 16;
pub(super) const RTM_NEWADDR: u16 = 20;
pub(super) const RTM_NEWROUTE: u16 = 24;
pub(super) const RTM_NEWNEIGH: u16 = 28;

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
            NLMSG_ERROR => match error_code(payload) {
                0 => {}
                code => return Err(format!("netlink error {code}")),
            },
            kind => {
                if let Err(err) = apply_message(state, kind, payload) {
                    log::debug!(target: "cwmpd::live", "netlink message skipped: {err}");
                }
            }
        }
        offset += length.div_ceil(ALIGN) * ALIGN;
    }
    Ok(Progress::More)
}

/// The `error` of a `struct nlmsgerr` (0 for an acknowledgement).
fn error_code(payload: &[u8]) -> i32 {
    payload
        .get(..4)
        .and_then(|bytes| bytes.try_into().ok())
        .map(i32::from_ne_bytes)
        .unwrap_or(-1)
}

fn apply_message(
    state: &mut NetState,
    kind: u16,
    payload: &[u8],
) -> Result<(), netlink_packet_core::DecodeError> {
    match kind {
        RTM_NEWLINK => {
            state.links.push(link(LinkMessage::parse(payload)?));
        }
        RTM_NEWADDR => {
            state
                .addresses
                .extend(address(AddressMessage::parse(payload)?));
        }
        RTM_NEWROUTE => {
            state.routes.extend(route(RouteMessage::parse(payload)?));
        }
        RTM_NEWNEIGH => {
            state
                .neighbours
                .extend(neighbour(NeighbourMessage::parse(payload)?));
        }
        _ => {}
    }
    Ok(())
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

fn oper_state(state: &State) -> &'static str {
    match state {
        State::Up => "up",
        State::Down => "down",
        State::Dormant => "dormant",
        State::LowerLayerDown => "lowerlayerdown",
        State::NotPresent => "notpresent",
        State::Testing => "testing",
        _ => "unknown",
    }
}

fn link(message: LinkMessage) -> Link {
    let header = message.header;
    let mut link = Link {
        index: header.index,
        admin_up: header.flags.contains(LinkFlags::Up),
        ethernet: header.link_layer_type == LinkLayerType::Ether,
        oper_state: "unknown".into(),
        ..Link::default()
    };
    let (mut stats64, mut stats32) = (None, None);
    let mut other_namespace = false;
    for attribute in message.attributes {
        match attribute {
            LinkAttribute::IfName(name) => link.name = name,
            LinkAttribute::Address(bytes) => link.mac = mac(&bytes),
            LinkAttribute::Mtu(mtu) => link.mtu = mtu,
            LinkAttribute::OperState(state) => link.oper_state = oper_state(&state).into(),
            LinkAttribute::Controller(index) => link.master = Some(index).filter(|i| *i != 0),
            LinkAttribute::Link(index) => link.lower = Some(index).filter(|i| *i != 0),
            LinkAttribute::LinkNetNsId(_) => other_namespace = true,
            LinkAttribute::LinkInfo(infos) => apply_link_info(&mut link, infos),
            LinkAttribute::Stats64(stats) => stats64 = Some(stats),
            LinkAttribute::Stats(stats) => stats32 = Some(stats),
            _ => {}
        }
    }
    // Old kernels without IFLA_STATS64 send the 32-bit counters only.
    link.stats = match (stats64, stats32) {
        (Some(stats), _) => LinkStats {
            rx_bytes: stats.rx_bytes,
            tx_bytes: stats.tx_bytes,
            rx_packets: stats.rx_packets,
            tx_packets: stats.tx_packets,
            rx_errors: stats.rx_errors,
            tx_errors: stats.tx_errors,
            rx_dropped: stats.rx_dropped,
            tx_dropped: stats.tx_dropped,
            multicast: stats.multicast,
            collisions: stats.collisions,
        },
        (None, Some(stats)) => LinkStats {
            rx_bytes: stats.rx_bytes.into(),
            tx_bytes: stats.tx_bytes.into(),
            rx_packets: stats.rx_packets.into(),
            tx_packets: stats.tx_packets.into(),
            rx_errors: stats.rx_errors.into(),
            tx_errors: stats.tx_errors.into(),
            rx_dropped: stats.rx_dropped.into(),
            tx_dropped: stats.tx_dropped.into(),
            multicast: stats.multicast.into(),
            collisions: stats.collisions.into(),
        },
        (None, None) => LinkStats::default(),
    };
    // Loopback's all-zero address is no Ethernet address.
    if !link.ethernet {
        link.mac.clear();
    }
    // IFLA_LINK of a link whose peer lives in another namespace is an index there.
    if other_namespace {
        link.lower = None;
    }
    link
}

fn apply_link_info(link: &mut Link, infos: Vec<LinkInfo>) {
    for info in infos {
        match info {
            LinkInfo::Kind(kind) => link.kind = kind.to_string(),
            LinkInfo::Data(InfoData::Vlan(vlan)) => {
                link.vlan_id = vlan.iter().find_map(|item| match item {
                    InfoVlan::Id(id) => Some(*id),
                    _ => None,
                })
            }
            _ => {}
        }
    }
}

fn address(message: AddressMessage) -> Option<Address> {
    let header = message.header;
    if !matches!(header.family, AddressFamily::Inet | AddressFamily::Inet6) {
        return None;
    }
    let mut address = None;
    let mut local = None;
    let mut permanent = header.flags.bits() & (AddressFlags::Permanent.bits() as u8) != 0;
    let (mut valid, mut preferred) = (FOREVER, FOREVER);
    for attribute in message.attributes {
        match attribute {
            AddressAttribute::Address(ip) => address = Some(ip),
            AddressAttribute::Local(ip) => local = Some(ip),
            AddressAttribute::Flags(flags) => permanent = flags.contains(AddressFlags::Permanent),
            AddressAttribute::CacheInfo(info) => {
                valid = info.ifa_valid;
                preferred = info.ifa_preferred;
            }
            _ => {}
        }
    }
    let lifetime = |seconds: u32| Some(seconds).filter(|s| *s != FOREVER);
    Some(Address {
        link: header.index,
        // IFA_LOCAL is the link's own address; IFA_ADDRESS the peer's on point-to-point links.
        address: local.or(address)?,
        prefix_len: header.prefix_len,
        dynamic: !permanent,
        valid_lifetime: lifetime(valid),
        preferred_lifetime: lifetime(preferred),
    })
}

/// `RT_TABLE_MAIN`.
const MAIN_TABLE: u32 = 254;

fn route_address(address: RouteAddress) -> Option<IpAddr> {
    match address {
        RouteAddress::Inet(ip) => Some(IpAddr::V4(ip)),
        RouteAddress::Inet6(ip) => Some(IpAddr::V6(ip)),
        _ => None,
    }
}

fn unspecified(header: &RouteHeader) -> Option<IpAddr> {
    match header.address_family {
        AddressFamily::Inet => Some(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        AddressFamily::Inet6 => Some(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)),
        _ => None,
    }
}

/// A route of the main table; `None` for other tables and families.
fn route(message: RouteMessage) -> Option<Route> {
    let header = message.header;
    let mut table = u32::from(header.table);
    let mut destination = None;
    let mut gateway = None;
    let mut out_link = None;
    let mut metric = 0;
    for attribute in message.attributes {
        match attribute {
            RouteAttribute::Table(id) => table = id,
            RouteAttribute::Destination(address) => destination = route_address(address),
            RouteAttribute::Gateway(address) => gateway = route_address(address),
            RouteAttribute::Oif(index) => out_link = Some(index),
            RouteAttribute::Priority(priority) => metric = priority,
            _ => {}
        }
    }
    if table != MAIN_TABLE {
        return None;
    }
    Some(Route {
        destination: destination.or_else(|| unspecified(&header))?,
        prefix_len: header.destination_prefix_length,
        gateway,
        out_link,
        metric,
        protocol: header.protocol.into(),
        kind: header.kind.into(),
    })
}

fn neighbour(message: NeighbourMessage) -> Option<Neighbour> {
    let header = message.header;
    if !matches!(header.family, AddressFamily::Inet | AddressFamily::Inet6) {
        return None;
    }
    // NOARP entries are multicast/broadcast and loopback mappings, not hosts.
    if header.state == NeighbourState::Noarp {
        return None;
    }
    let mut address = None;
    let mut mac_address = String::new();
    for attribute in message.attributes {
        match attribute {
            NeighbourAttribute::Destination(NeighbourAddress::Inet(ip)) => {
                address = Some(IpAddr::V4(ip))
            }
            NeighbourAttribute::Destination(NeighbourAddress::Inet6(ip)) => {
                address = Some(IpAddr::V6(ip))
            }
            NeighbourAttribute::LinkLayerAddress(bytes) => mac_address = mac(&bytes),
            _ => {}
        }
    }
    Some(Neighbour {
        link: header.ifindex,
        address: address?,
        mac: mac_address,
        reachable: matches!(
            header.state,
            NeighbourState::Reachable
                | NeighbourState::Stale
                | NeighbourState::Delay
                | NeighbourState::Probe
        ),
    })
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
