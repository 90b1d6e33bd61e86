//! IPPing on the wire: ICMP / ICMPv6 echo over datagram ICMP sockets (Linux "ping sockets",
//! allowed by `net.ipv4.ping_group_range`), else raw sockets (root). The socket is driven by
//! tokio's `UdpSocket`, which only calls send/recv on a connected datagram-like descriptor, so
//! no unsafe registration is needed.
//! Name resolution uses the system resolver (getaddrinfo through tokio); nothing is run as a
//! program.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use log::{debug, warn};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use tokio::net::UdpSocket;

use super::icmp;
use super::ip_ping::{IpPingInputs, IpPingResults, PingStats, ProtocolVersion};
use super::state::DiagnosticsState;

/// Echoes go one at a time (the next after the reply or the timeout), and at most this often:
/// a long test to a near host must not flood it (ping(8)'s default is 1 s; TR-181 leaves it
/// to the CPE).
const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// Echo identifiers for raw sockets (datagram sockets get theirs from the kernel).
static NEXT_ID: AtomicU16 = AtomicU16::new(0);

/// Run one IPPing test to the end (TR-181 `Device.IP.Diagnostics.IPPing.`).
pub async fn run(inputs: &IpPingInputs) -> IpPingResults {
    let target = match resolve(&inputs.host, inputs.protocol_version).await {
        Some(ip) => ip,
        None => return IpPingResults::failed(DiagnosticsState::ErrorCannotResolveHostName),
    };
    let pinger = match Pinger::open(target, inputs) {
        Ok(pinger) => pinger,
        Err(err) => {
            warn!(target: "cwmpd::diagnostics", "IPPing to {target}: {err}");
            return IpPingResults::failed(error_state(&err));
        }
    };
    let timeout = Duration::from_millis(u64::from(inputs.timeout_ms));
    let mut stats = PingStats::default();
    let mut unreachable: u32 = 0;
    let mut next_send = tokio::time::Instant::now();
    for repetition in 0..inputs.repetitions {
        if repetition > 0 {
            tokio::time::sleep_until(next_send).await;
        }
        next_send = tokio::time::Instant::now() + MIN_INTERVAL;
        let seq = (repetition % 65_536) as u16;
        match pinger
            .echo(seq, inputs.data_block_size as usize, timeout)
            .await
        {
            Ok(rtt) => stats.add(rtt),
            Err(err) => {
                debug!(target: "cwmpd::diagnostics", "echo {seq} to {target}: {err}");
                unreachable += u32::from(error_state(&err) == DiagnosticsState::ErrorNoRouteToHost);
                stats.add(None);
            }
        }
    }
    if unreachable == inputs.repetitions {
        return IpPingResults::failed(DiagnosticsState::ErrorNoRouteToHost);
    }
    stats.results(pinger.source())
}

/// An IP literal, or the first address of the name in the wanted family.
pub(super) async fn resolve(host: &str, version: ProtocolVersion) -> Option<IpAddr> {
    let wanted = |ip: &IpAddr| match version {
        ProtocolVersion::Any => true,
        ProtocolVersion::IPv4 => ip.is_ipv4(),
        ProtocolVersion::IPv6 => ip.is_ipv6(),
    };
    if host.is_empty() {
        return None;
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return wanted(&ip).then_some(ip);
    }
    let found = tokio::net::lookup_host((host, 0)).await.ok()?;
    found.map(|addr| addr.ip()).find(wanted)
}

/// The TR-181 error for a socket error.
pub(super) fn error_state(err: &io::Error) -> DiagnosticsState {
    match err.raw_os_error() {
        Some(nix::libc::ENETUNREACH | nix::libc::EHOSTUNREACH) => {
            DiagnosticsState::ErrorNoRouteToHost
        }
        _ => DiagnosticsState::ErrorInternal,
    }
}

struct Pinger {
    socket: UdpSocket,
    v6: bool,
    /// A raw socket: replies to other processes' pings arrive too (match the identifier), and
    /// IPv4 ones with their IP header.
    raw: bool,
    id: u16,
}

impl Pinger {
    fn open(target: IpAddr, inputs: &IpPingInputs) -> io::Result<Pinger> {
        let v6 = target.is_ipv6();
        let (domain, protocol) = match v6 {
            true => (Domain::IPV6, Protocol::ICMPV6),
            false => (Domain::IPV4, Protocol::ICMPV4),
        };
        let (socket, raw) = match Socket::new(domain, Type::DGRAM, Some(protocol)) {
            Ok(socket) => (socket, false),
            Err(_) => (Socket::new(domain, Type::RAW, Some(protocol))?, true),
        };
        if !inputs.interface.is_empty() {
            socket.bind_device(Some(inputs.interface.as_bytes()))?;
        }
        // DSCP is the upper six bits of the TOS / Traffic Class octet (RFC 2474).
        let tos = u32::from(inputs.dscp) << 2;
        match v6 {
            true => socket.set_tclass_v6(tos)?,
            false => socket.set_tos_v4(tos)?,
        }
        socket.connect(&SockAddr::from(SocketAddr::new(target, 0)))?;
        socket.set_nonblocking(true)?;
        Ok(Pinger {
            socket: UdpSocket::from_std(socket.into())?,
            v6,
            raw,
            id: std::process::id() as u16 ^ NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The source address the kernel chose (TR-181 `IPAddressUsed`).
    fn source(&self) -> String {
        self.socket
            .local_addr()
            .map(|addr| addr.ip().to_string())
            .ok()
            .unwrap_or_default()
    }

    /// One echo: the round trip in µs, or `None` when no reply came within `timeout`.
    async fn echo(&self, seq: u16, size: usize, timeout: Duration) -> io::Result<Option<u32>> {
        let packet = icmp::echo_request(self.v6, self.id, seq, size);
        let deadline = tokio::time::Instant::now() + timeout;
        let start = std::time::Instant::now();
        self.send(&packet).await?;
        let mut buf = vec![0u8; packet.len() + 128];
        loop {
            let read = tokio::time::timeout_at(deadline, self.recv(&mut buf)).await;
            let len = match read {
                Err(_elapsed) => return Ok(None),
                // ICMP errors (unreachable, …) reported on the socket: keep waiting.
                Ok(Err(_)) => continue,
                Ok(Ok(len)) => len,
            };
            let ip_header = self.raw && !self.v6;
            let Some(reply) = icmp::parse_echo_reply(self.v6, ip_header, &buf[..len]) else {
                continue;
            };
            if reply.seq == seq && (!self.raw || reply.id == self.id) {
                let micros = start.elapsed().as_micros();
                return Ok(Some(u32::try_from(micros).unwrap_or(u32::MAX)));
            }
        }
    }

    async fn send(&self, packet: &[u8]) -> io::Result<()> {
        self.socket.send(packet).await.map(|_| ())
    }

    async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket.recv(buf).await
    }
}
