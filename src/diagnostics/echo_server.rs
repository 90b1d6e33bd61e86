//! The UDPEchoConfig server on the wire (RFC 862 echo, TR-143 Appendix A.1 Echo Plus): one
//! UDP socket, bound to the configured interface, answering only the configured source
//! address; rebuilt whenever the settings change, stopped while disabled.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{SystemTime, UNIX_EPOCH};

use log::{info, warn};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::udp_echo_config::{EchoCounters, EchoServerSettings};

/// Serve as `settings` say, for as long as their sender lives; `publish` gets the counters
/// after every packet (and zeroed ones whenever the server goes from disabled to enabled).
pub async fn serve(
    mut settings: watch::Receiver<EchoServerSettings>,
    mut publish: impl FnMut(&EchoCounters),
) {
    let mut counters = EchoCounters::default();
    let mut was_enabled = false;
    loop {
        let current = settings.borrow_and_update().clone();
        if current.enable && !was_enabled {
            counters = EchoCounters::default();
            publish(&counters);
        }
        was_enabled = current.enable;
        if current.enable {
            match bind(&current) {
                Ok(socket) => {
                    info!(target: "cwmpd::diagnostics", "UDP echo server on port {} ({})", current.port,
                        if current.device.is_empty() { "every interface" } else { &current.device });
                    tokio::select! {
                        () = answer(&socket, &current, &mut counters, &mut publish) => {}
                        changed = settings.changed() => if changed.is_err() { return },
                    }
                    continue;
                }
                Err(err) => {
                    warn!(target: "cwmpd::diagnostics", "UDP echo server on port {}: {err}", current.port)
                }
            }
        }
        if settings.changed().await.is_err() {
            return;
        }
    }
}

fn unix_us() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    since.as_micros() as i64
}

/// Answer echo requests until the future is dropped.
async fn answer(
    socket: &UdpSocket,
    settings: &EchoServerSettings,
    counters: &mut EchoCounters,
    publish: &mut impl FnMut(&EchoCounters),
) {
    let only = match settings.source.as_str() {
        "" => None,
        text => match text.parse::<IpAddr>() {
            Ok(address) => Some(address),
            Err(_) => {
                warn!(target: "cwmpd::diagnostics", "UDP echo: SourceIPAddress {text:?} is not an address: answering nobody");
                Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
            }
        },
    };
    let mut buf = vec![0u8; 65_536];
    loop {
        let Ok((len, from)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let received = unix_us();
        if only.is_some_and(|only| only != from.ip().to_canonical()) {
            continue;
        }
        counters.received(len, received);
        counters.answer(&mut buf[..len], settings.echo_plus, received, unix_us());
        match socket.send_to(&buf[..len], from).await {
            Ok(_) => counters.responded(len),
            Err(_) => counters.reply_failed(),
        }
        publish(counters);
    }
}

/// Both IPv4 and IPv6 on one socket where the kernel has IPv6, else IPv4 only.
fn bind(settings: &EchoServerSettings) -> io::Result<UdpSocket> {
    let open = |v6: bool| -> io::Result<Socket> {
        let (domain, any) = match v6 {
            true => (Domain::IPV6, IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
            false => (Domain::IPV4, IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        };
        let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
        if v6 {
            socket.set_only_v6(false)?;
        }
        if !settings.device.is_empty() {
            socket.bind_device(Some(settings.device.as_bytes()))?;
        }
        socket.bind(&SocketAddr::new(any, settings.port).into())?;
        Ok(socket)
    };
    let socket = open(true).or_else(|_| open(false))?;
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket.into())
}
