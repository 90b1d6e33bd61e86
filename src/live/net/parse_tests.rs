//! The parser against datagrams shaped as the kernel sends them, encoded independently by
//! `netlink-packet-route` (a dev-dependency: the oracle for the layouts `parse.rs` reads),
//! several messages per datagram, ending in `NLMSG_DONE`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroI32;

use netlink_packet_core::{
    DoneMessage, ErrorMessage, NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_MULTIPART,
};
use netlink_packet_route::address::{AddressAttribute, AddressFlags, AddressMessage, CacheInfo};
use netlink_packet_route::link::{
    InfoData, InfoKind, InfoVlan, LinkAttribute, LinkFlags, LinkInfo, LinkLayerType, LinkMessage,
    State, Stats, Stats64,
};
use netlink_packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourMessage, NeighbourState,
};
use netlink_packet_route::route::{RouteAttribute, RouteMessage, RouteProtocol, RouteType};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use super::*;

fn encode(payload: NetlinkPayload<RouteNetlinkMessage>) -> Vec<u8> {
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_MULTIPART;
    let mut message = NetlinkMessage::new(header, payload);
    message.finalize();
    let mut bytes = vec![0; message.buffer_len()];
    message.serialize(&mut bytes);
    bytes
}

fn datagram(messages: Vec<RouteNetlinkMessage>) -> Vec<u8> {
    messages
        .into_iter()
        .flat_map(|message| encode(NetlinkPayload::InnerMessage(message)))
        .collect()
}

fn done() -> Vec<u8> {
    encode(NetlinkPayload::Done(DoneMessage::default()))
}

fn lan1() -> LinkMessage {
    let mut message = LinkMessage::default();
    message.header.index = 4;
    message.header.link_layer_type = LinkLayerType::Ether;
    message.header.flags = LinkFlags::Up | LinkFlags::Broadcast | LinkFlags::Running;
    let mut stats = Stats64::default();
    stats.rx_bytes = 1_234_567_890_123;
    stats.tx_bytes = 987_654;
    stats.rx_packets = 1_000;
    stats.tx_packets = 900;
    stats.rx_errors = 3;
    stats.tx_errors = 4;
    stats.rx_dropped = 5;
    stats.tx_dropped = 6;
    stats.multicast = 7;
    stats.collisions = 8;
    message.attributes = vec![
        LinkAttribute::IfName("lan1".into()),
        LinkAttribute::Mtu(1500),
        LinkAttribute::Address(vec![0xc0, 0x06, 0xc3, 0x5a, 0x1e, 0x90]),
        LinkAttribute::OperState(State::Up),
        LinkAttribute::Controller(7),
        LinkAttribute::Link(2),
        LinkAttribute::Stats64(stats),
    ];
    message
}

fn vlan() -> LinkMessage {
    let mut message = LinkMessage::default();
    message.header.index = 9;
    message.header.link_layer_type = LinkLayerType::Ether;
    message.attributes = vec![
        LinkAttribute::IfName("eth0.2".into()),
        LinkAttribute::Mtu(1496),
        LinkAttribute::OperState(State::LowerLayerDown),
        LinkAttribute::Link(2),
        LinkAttribute::LinkInfo(vec![
            LinkInfo::Kind(InfoKind::Vlan),
            LinkInfo::Data(InfoData::Vlan(vec![InfoVlan::Id(2)])),
        ]),
    ]
    .into_iter()
    .collect();
    message
}

#[test]
fn links_carry_names_addresses_state_relations_and_counters() {
    let mut state = NetState::default();
    let progress = apply_datagram(
        &mut state,
        &datagram(vec![
            RouteNetlinkMessage::NewLink(lan1()),
            RouteNetlinkMessage::NewLink(vlan()),
        ]),
    );
    assert_eq!(progress, Ok(Progress::More));
    assert_eq!(apply_datagram(&mut state, &done()), Ok(Progress::Done));
    assert_eq!(
        state.links[0],
        Link {
            index: 4,
            name: "lan1".into(),
            kind: String::new(),
            mac: "c0:06:c3:5a:1e:90".into(),
            mtu: 1500,
            admin_up: true,
            oper_state: "up".into(),
            master: Some(7),
            lower: Some(2),
            stats: LinkStats {
                rx_bytes: 1_234_567_890_123,
                tx_bytes: 987_654,
                rx_packets: 1_000,
                tx_packets: 900,
                rx_errors: 3,
                tx_errors: 4,
                rx_dropped: 5,
                tx_dropped: 6,
                multicast: 7,
                collisions: 8,
            },
            speed_mbps: None,
            full_duplex: None,
            ethernet: true,
            wireless: false,
            vlan_id: None,
        }
    );
    let vlan = &state.links[1];
    assert_eq!(
        (
            vlan.name.as_str(),
            vlan.kind.as_str(),
            vlan.vlan_id,
            vlan.admin_up,
            vlan.oper_state.as_str(),
            vlan.mac.as_str(),
            vlan.master
        ),
        ("eth0.2", "vlan", Some(2), false, "lowerlayerdown", "", None)
    );
    assert!(state.links[0].is_ethernet_port());
    assert!(!state.links[1].is_ethernet_port());
}

#[test]
fn old_kernels_32_bit_counters_are_used_without_stats64() {
    let mut message = LinkMessage::default();
    message.header.index = 1;
    let mut stats = Stats::default();
    stats.rx_bytes = 42;
    stats.tx_packets = 3;
    message.attributes = vec![
        LinkAttribute::IfName("eth0".into()),
        LinkAttribute::Stats(stats),
    ];
    let mut state = NetState::default();
    apply_datagram(
        &mut state,
        &datagram(vec![RouteNetlinkMessage::NewLink(message)]),
    )
    .unwrap();
    assert_eq!(
        (
            state.links[0].stats.rx_bytes,
            state.links[0].stats.tx_packets
        ),
        (42, 3)
    );
    assert_eq!(state.links[0].oper_state, "unknown");
}

fn address_message(
    index: u32,
    address: IpAddr,
    prefix_len: u8,
    flags: AddressFlags,
    lifetimes: (u32, u32),
) -> RouteNetlinkMessage {
    let mut message = AddressMessage::default();
    message.header.family = match address {
        IpAddr::V4(_) => AddressFamily::Inet,
        IpAddr::V6(_) => AddressFamily::Inet6,
    };
    message.header.index = index;
    message.header.prefix_len = prefix_len;
    let mut cache = CacheInfo::default();
    cache.ifa_valid = lifetimes.0;
    cache.ifa_preferred = lifetimes.1;
    message.attributes = vec![
        AddressAttribute::Address(address),
        AddressAttribute::Flags(flags),
        AddressAttribute::CacheInfo(cache),
    ];
    if address.is_ipv4() {
        message.attributes.push(AddressAttribute::Local(address));
    }
    RouteNetlinkMessage::NewAddress(message)
}

#[test]
fn addresses_carry_prefix_flags_and_lifetimes() {
    let mut state = NetState::default();
    let v4 = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
    let v6 = IpAddr::V6("2001:db8::10".parse::<Ipv6Addr>().unwrap());
    let messages = vec![
        address_message(4, v4, 24, AddressFlags::Permanent, (u32::MAX, u32::MAX)),
        address_message(4, v6, 64, AddressFlags::empty(), (3600, 1800)),
    ];
    apply_datagram(&mut state, &datagram(messages)).unwrap();
    assert_eq!(
        state.addresses,
        [
            Address {
                link: 4,
                address: v4,
                prefix_len: 24,
                dynamic: false,
                valid_lifetime: None,
                preferred_lifetime: None,
            },
            Address {
                link: 4,
                address: v6,
                prefix_len: 64,
                dynamic: true,
                valid_lifetime: Some(3600),
                preferred_lifetime: Some(1800),
            }
        ]
    );
}

fn route_message(
    table: u8,
    destination: Option<(IpAddr, u8)>,
    gateway: Option<IpAddr>,
) -> RouteNetlinkMessage {
    let mut message = RouteMessage::default();
    message.header.address_family = AddressFamily::Inet;
    message.header.table = table;
    message.header.protocol = RouteProtocol::Dhcp;
    message.header.kind = RouteType::Unicast;
    if let Some((address, len)) = destination {
        message.header.destination_prefix_length = len;
        message
            .attributes
            .push(RouteAttribute::Destination(address.into()));
    }
    if let Some(gateway) = gateway {
        message
            .attributes
            .push(RouteAttribute::Gateway(gateway.into()));
    }
    message.attributes.push(RouteAttribute::Oif(9));
    message.attributes.push(RouteAttribute::Priority(10));
    RouteNetlinkMessage::NewRoute(message)
}

#[test]
fn routes_of_the_main_table_only() {
    let gateway = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1));
    let subnet = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 0));
    let mut state = NetState::default();
    let messages = vec![
        route_message(254, None, Some(gateway)),
        route_message(254, Some((subnet, 24)), None),
        // The local table (255): addresses of the router itself.
        route_message(255, Some((subnet, 32)), None),
    ];
    apply_datagram(&mut state, &datagram(messages)).unwrap();
    assert_eq!(
        state.routes,
        [
            Route {
                destination: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                prefix_len: 0,
                gateway: Some(gateway),
                out_link: Some(9),
                metric: 10,
                protocol: 16,
                kind: 1,
            },
            Route {
                destination: subnet,
                prefix_len: 24,
                gateway: None,
                out_link: Some(9),
                metric: 10,
                protocol: 16,
                kind: 1,
            }
        ]
    );
}

#[test]
fn neighbours_without_noarp_entries() {
    let host = |state: NeighbourState, ip: Ipv4Addr| {
        let mut message = NeighbourMessage::default();
        message.header.family = AddressFamily::Inet;
        message.header.ifindex = 7;
        message.header.state = state;
        message.attributes = vec![
            NeighbourAttribute::Destination(NeighbourAddress::Inet(ip)),
            NeighbourAttribute::LinkLayerAddress(vec![2, 0, 0, 0, 0, 0x2a]),
        ];
        RouteNetlinkMessage::NewNeighbour(message)
    };
    let mut state = NetState::default();
    let messages = vec![
        host(NeighbourState::Stale, Ipv4Addr::new(192, 168, 1, 42)),
        host(NeighbourState::Failed, Ipv4Addr::new(192, 168, 1, 43)),
        host(NeighbourState::Noarp, Ipv4Addr::new(224, 0, 0, 1)),
    ];
    apply_datagram(&mut state, &datagram(messages)).unwrap();
    let seen: Vec<(String, String, bool)> = state
        .neighbours
        .iter()
        .map(|n| (n.address.to_string(), n.mac.clone(), n.reachable))
        .collect();
    assert_eq!(
        seen,
        [
            ("192.168.1.42".into(), "02:00:00:00:00:2a".into(), true),
            ("192.168.1.43".into(), "02:00:00:00:00:2a".into(), false),
        ]
    );
}

#[test]
fn an_error_ends_the_dump_and_garbage_is_refused() {
    let mut error = ErrorMessage::default();
    error.code = NonZeroI32::new(-1);
    let mut state = NetState::default();
    let result = apply_datagram(&mut state, &encode(NetlinkPayload::Error(error)));
    assert_eq!(result, Err("netlink error -1".to_string()));
    assert!(apply_datagram(&mut state, &[1, 2, 3]).is_err());
    let mut zero_length = done();
    zero_length[..4].copy_from_slice(&0u32.to_ne_bytes());
    assert!(apply_datagram(&mut state, &zero_length).is_err());
}
