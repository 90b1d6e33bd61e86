//! UDPEchoDiagnostics on the wire (TR-143 §5, Appendix A): UDP packets to an echo server,
//! each carrying the Echo Plus header (TestGenSN first, so a reply is matched to its packet
//! even when it comes late), one at a time, `InterTransmissionTime` apart.

use std::io;
use std::net::SocketAddr;

use log::warn;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use tokio::net::UdpSocket;
use tokio::time::{Duration, Instant};

use super::echo_plus::EchoPlus;
use super::ping::resolve;
use super::state::DiagnosticsState;
use super::transfer_run::Clock;
use super::udp_echo::{PacketResult, UdpEchoInputs, UdpEchoResults, MAX_RESULTS};

/// Run one UDPEcho test to the end.
pub async fn run(inputs: &UdpEchoInputs) -> UdpEchoResults {
    let Some(ip) = resolve(&inputs.host, inputs.protocol_version).await else {
        return UdpEchoResults::failed(DiagnosticsState::ErrorCannotResolveHostName);
    };
    let target = SocketAddr::new(ip, inputs.port);
    let socket = match open(target, &inputs.interface, inputs.dscp) {
        Ok(socket) => socket,
        Err(err) => {
            warn!(target: "cwmpd::diagnostics", "UDPEcho to {target}: {err}");
            return UdpEchoResults::failed(DiagnosticsState::ErrorInternal);
        }
    };
    let clock = Clock::new();
    let mut results = UdpEchoResults {
        state: DiagnosticsState::Complete,
        ip_address_used: socket
            .local_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default(),
        ..UdpEchoResults::default()
    };
    let timeout = Duration::from_millis(u64::from(inputs.timeout_ms));
    let gap = Duration::from_millis(u64::from(inputs.inter_transmission_ms));
    let mut next_send = Instant::now();
    let mut buf = vec![0u8; inputs.data_block_size as usize + 64];
    for test_gen_sn in 1..=inputs.repetitions {
        tokio::time::sleep_until(next_send).await;
        next_send = Instant::now() + gap;
        let packet = echo_packet(test_gen_sn, inputs.data_block_size as usize);
        let sent_at = Instant::now();
        let mut result = PacketResult {
            send_time: clock.at(sent_at),
            test_gen_sn,
            ..PacketResult::default()
        };
        if let Err(err) = socket.send(&packet).await {
            warn!(target: "cwmpd::diagnostics", "UDPEcho to {target}: {err}");
        } else if let Some((at, answer)) =
            answer(&socket, &packet, sent_at + timeout, &mut buf).await
        {
            result.receive_time = Some(clock.at(at));
            result.answer = answer;
        }
        let rtt = result
            .receive_time
            .map(|received| u32::try_from(received - result.send_time).unwrap_or(u32::MAX));
        results.stats.add(rtt);
        if inputs.individual_results && results.packets.len() < MAX_RESULTS as usize {
            results.packets.push(result);
        }
    }
    results
}

/// `size` bytes: the Echo Plus header (as much of it as fits) with this packet's TestGenSN.
fn echo_packet(test_gen_sn: u32, size: usize) -> Vec<u8> {
    let mut packet = vec![0u8; size];
    EchoPlus {
        test_gen_sn,
        ..EchoPlus::default()
    }
    .write(&mut packet);
    packet
}

/// The answer to `packet` (same length, same TestGenSN), when it came and its Echo Plus
/// fields; `None` when none came by `deadline` (late answers to earlier packets are skipped).
async fn answer(
    socket: &UdpSocket,
    packet: &[u8],
    deadline: Instant,
    buf: &mut [u8],
) -> Option<(Instant, EchoPlus)> {
    let sn_len = packet.len().min(4);
    loop {
        let len = match tokio::time::timeout_at(deadline, socket.recv(buf)).await {
            Err(_elapsed) => return None,
            // ICMP port unreachable and friends: keep waiting for the timeout.
            Ok(Err(_)) => continue,
            Ok(Ok(len)) => len,
        };
        let at = Instant::now();
        if len == packet.len() && buf[..sn_len] == packet[..sn_len] {
            return Some((at, EchoPlus::read(&buf[..len]).unwrap_or_default()));
        }
    }
}

/// A UDP socket connected to `target`, bound to `device` when one is given, DSCP set.
pub(super) fn open(target: SocketAddr, device: &str, dscp: u8) -> io::Result<UdpSocket> {
    let socket = Socket::new(
        Domain::for_address(target),
        Type::DGRAM,
        Some(Protocol::UDP),
    )?;
    if !device.is_empty() {
        socket.bind_device(Some(device.as_bytes()))?;
    }
    let tos = u32::from(dscp) << 2;
    match target {
        SocketAddr::V4(_) => socket.set_tos_v4(tos)?,
        SocketAddr::V6(_) => socket.set_tclass_v6(tos)?,
    }
    socket.connect(&SockAddr::from(target))?;
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket.into())
}
