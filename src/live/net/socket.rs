//! The netlink I/O: dumps for a snapshot and a socket subscribed to change notifications.

use std::io;

use netlink_packet_core::{Emitable, NetlinkHeader, NLM_F_DUMP, NLM_F_REQUEST};
use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::{AsyncSocket, AsyncSocketExt, SocketAddr, TokioSocket};

use super::parse::{self, Progress};
use super::NetState;

/// Multicast groups (`RTMGRP_*` of `linux/rtnetlink.h`): links, IPv4/IPv6 addresses and
/// routes. Neighbours are left out: they change with every host's traffic.
const RTMGRP_LINK: u32 = 0x1;
const RTMGRP_IPV4_IFADDR: u32 = 0x10;
const RTMGRP_IPV4_ROUTE: u32 = 0x40;
const RTMGRP_IPV6_IFADDR: u32 = 0x100;
const RTMGRP_IPV6_ROUTE: u32 = 0x400;
const GROUPS: u32 =
    RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;

/// `ENOBUFS`: the kernel dropped notifications because we read too slowly.
const ENOBUFS: i32 = 105;

fn connected_socket(groups: u32) -> io::Result<TokioSocket> {
    let mut socket = TokioSocket::new(NETLINK_ROUTE)?;
    socket.socket_mut().bind(&SocketAddr::new(0, groups))?;
    Ok(socket)
}

/// `RTM_GET*` = `RTM_NEW*` + 2.
const GET: u16 = 2;
/// The length of `struct nlmsghdr`.
const HEADER_LEN: usize = 16;

/// A dump request: the netlink header, then a family header of `body_len` zero bytes
/// (every address family, every link).
fn request(message_type: u16, body_len: usize, sequence: u32) -> Vec<u8> {
    let length = HEADER_LEN + body_len;
    let mut header = NetlinkHeader::default();
    header.length = length as u32;
    header.message_type = message_type;
    header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    header.sequence_number = sequence;
    let mut bytes = vec![0; length];
    header.emit(&mut bytes[..HEADER_LEN]);
    bytes
}

/// The four dump requests of a snapshot.
fn requests() -> [Vec<u8>; 4] {
    [
        request(parse::RTM_NEWLINK + GET, parse::IFINFOMSG_LEN, 1),
        request(parse::RTM_NEWADDR + GET, parse::IFADDRMSG_LEN, 2),
        request(parse::RTM_NEWROUTE + GET, parse::RTMSG_LEN, 3),
        request(parse::RTM_NEWNEIGH + GET, parse::NDMSG_LEN, 4),
    ]
}

/// Dump links, addresses, routes and neighbours on one socket.
pub(super) async fn dump_all() -> io::Result<NetState> {
    let socket = connected_socket(0)?;
    let kernel = SocketAddr::new(0, 0);
    let mut state = NetState {
        available: true,
        ..NetState::default()
    };
    for request in requests() {
        socket.send_to(&request, &kernel).await?;
        loop {
            let (datagram, _) = socket.recv_from_full().await?;
            match parse::apply_datagram(&mut state, &datagram) {
                Ok(Progress::More) => continue,
                Ok(Progress::Done) => break,
                Err(err) => return Err(io::Error::other(err)),
            }
        }
    }
    Ok(state)
}

/// A socket subscribed to the kernel's link, address and route notifications.
pub struct Events {
    socket: TokioSocket,
}

impl Events {
    pub fn subscribe() -> io::Result<Events> {
        Ok(Events {
            socket: connected_socket(GROUPS)?,
        })
    }

    /// Wait for the next notification (its content does not matter: any change makes the
    /// snapshot stale). A receive buffer overrun means changes were lost, which is a change
    /// too; other errors end the subscription.
    pub async fn next(&mut self) -> io::Result<()> {
        match self.socket.recv_from_full().await {
            Ok(_) => Ok(()),
            Err(err) if err.raw_os_error() == Some(ENOBUFS) => Ok(()),
            Err(err) => Err(err),
        }
    }
}
