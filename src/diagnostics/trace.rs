//! TraceRoute on the wire: ICMP / ICMPv6 echo requests with a growing hop limit over a raw
//! socket (the ICMP errors routers send back reach only raw sockets; cwmpd runs as root on a
//! router), matched by the identifier and sequence they quote ([`super::icmp`]).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use log::warn;
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use tokio::net::UdpSocket;

use super::icmp::{self, ProbeAnswer};
use super::ping::{error_state, resolve};
use super::state::DiagnosticsState;
use super::trace_route::{Hop, TraceRouteInputs, TraceRouteResults};

static NEXT_ID: AtomicU16 = AtomicU16::new(0x5a5a);

/// Run one TraceRoute test to the end (TR-181 `Device.IP.Diagnostics.TraceRoute.`).
pub async fn run(inputs: &TraceRouteInputs) -> TraceRouteResults {
    let Some(target) = resolve(&inputs.host, inputs.protocol_version).await else {
        return TraceRouteResults::failed(DiagnosticsState::ErrorCannotResolveHostName);
    };
    let socket = match open(target, inputs) {
        Ok(socket) => socket,
        Err(err) => {
            warn!(target: "cwmpd::diagnostics", "TraceRoute to {target}: {err}");
            return TraceRouteResults::failed(error_state(&err));
        }
    };
    let mut tracer = Tracer {
        socket,
        target,
        v6: target.is_ipv6(),
        id: std::process::id() as u16 ^ NEXT_ID.fetch_add(1, Ordering::Relaxed),
        seq: 0,
        timeout: Duration::from_millis(u64::from(inputs.timeout_ms)),
        size: inputs.data_block_size as usize,
    };
    let mut results = TraceRouteResults {
        ip_address_used: source_for(target, &inputs.interface).unwrap_or_default(),
        ..TraceRouteResults::default()
    };
    for hop_limit in 1..=inputs.max_hop_count {
        let (hop, end) = match tracer.hop(hop_limit, inputs.tries).await {
            Ok(found) => found,
            Err(err) => {
                results.state = error_state(&err);
                return results;
            }
        };
        let done = end.is_some();
        if end == Some(true) {
            let times = &hop.rt_times;
            results.response_time_ms = times.iter().sum::<u32>() / times.len().max(1) as u32;
        }
        results.hops.push(hop);
        if done {
            results.state = DiagnosticsState::Complete;
            return results;
        }
    }
    results.state = DiagnosticsState::ErrorMaxHopCountExceeded;
    results
}

fn open(target: IpAddr, inputs: &TraceRouteInputs) -> io::Result<UdpSocket> {
    let (domain, protocol) = match target {
        IpAddr::V6(_) => (Domain::IPV6, Protocol::ICMPV6),
        IpAddr::V4(_) => (Domain::IPV4, Protocol::ICMPV4),
    };
    let socket = Socket::new(domain, Type::RAW, Some(protocol))?;
    if !inputs.interface.is_empty() {
        socket.bind_device(Some(inputs.interface.as_bytes()))?;
    }
    let tos = u32::from(inputs.dscp) << 2;
    match target {
        IpAddr::V6(_) => socket.set_tclass_v6(tos)?,
        IpAddr::V4(_) => socket.set_tos_v4(tos)?,
    }
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket.into())
}

/// The source address the kernel would use towards `target` (TR-181 `IPAddressUsed`): a UDP
/// socket connected to it tells, without sending anything.
fn source_for(target: IpAddr, interface: &str) -> Option<String> {
    let domain = Domain::for_address(SocketAddr::new(target, 0));
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).ok()?;
    if !interface.is_empty() {
        socket.bind_device(Some(interface.as_bytes())).ok()?;
    }
    socket.connect(&SocketAddr::new(target, 9).into()).ok()?;
    let local = socket.local_addr().ok()?.as_socket()?;
    Some(local.ip().to_string())
}

struct Tracer {
    socket: UdpSocket,
    target: IpAddr,
    v6: bool,
    id: u16,
    seq: u16,
    timeout: Duration,
    size: usize,
}

impl Tracer {
    /// Probe one hop `tries` times. The end of the trace comes with it: `Some(true)` the
    /// destination answered, `Some(false)` a hop said it cannot be reached.
    async fn hop(&mut self, hop_limit: u32, tries: u32) -> io::Result<(Hop, Option<bool>)> {
        let socket = SockRef::from(&self.socket);
        match self.v6 {
            true => socket.set_unicast_hops_v6(hop_limit)?,
            false => socket.set_ttl_v4(hop_limit)?,
        }
        let mut hop = Hop::default();
        let mut end = None;
        for _ in 0..tries {
            self.seq = self.seq.wrapping_add(1);
            let Some((from, answer, rtt)) = self.probe().await? else {
                continue;
            };
            hop.host = from.to_string();
            hop.host_address = from.to_string();
            hop.rt_times.push(((rtt.as_micros() + 500) / 1000) as u32);
            match answer {
                ProbeAnswer::EchoReply(_) => end = Some(true),
                ProbeAnswer::Unreachable(_, code) => {
                    hop.error_code = u32::from(code);
                    end = end.or(Some(false));
                }
                ProbeAnswer::TimeExceeded(_) => {}
            }
        }
        Ok((hop, end))
    }

    /// One probe: who answered, how, how fast; `None` after the timeout.
    async fn probe(&self) -> io::Result<Option<(IpAddr, ProbeAnswer, Duration)>> {
        let packet = icmp::echo_request(self.v6, self.id, self.seq, self.size);
        let deadline = tokio::time::Instant::now() + self.timeout;
        let start = Instant::now();
        self.socket
            .send_to(&packet, SocketAddr::new(self.target, 0))
            .await?;
        let mut buf = vec![0u8; 2048];
        loop {
            let read = tokio::time::timeout_at(deadline, self.socket.recv_from(&mut buf)).await;
            let (len, from) = match read {
                Err(_elapsed) => return Ok(None),
                Ok(Err(_)) => continue,
                Ok(Ok(got)) => got,
            };
            let Some(answer) = icmp::parse_probe_answer(self.v6, !self.v6, &buf[..len]) else {
                continue;
            };
            let (ProbeAnswer::EchoReply(echo)
            | ProbeAnswer::TimeExceeded(echo)
            | ProbeAnswer::Unreachable(echo, _)) = answer;
            if echo.id == self.id && echo.seq == self.seq {
                return Ok(Some((from.ip(), answer, start.elapsed())));
            }
        }
    }
}
