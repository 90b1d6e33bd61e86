//! NSLookupDiagnostics on the wire: A and AAAA queries ([`super::dns`]) over UDP to the chosen
//! server (or the system's first `nameserver`), on tokio. Each repetition is one `Result.{i}`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use log::warn;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use super::dns::{self, Response, RCODE_NXDOMAIN, TYPE_A, TYPE_AAAA};
use super::ns_lookup::{LookupResult, NsLookupInputs, NsLookupResults};
use super::state::DiagnosticsState;

const DNS_PORT: u16 = 53;
/// RCODE 5: the server refuses to answer us.
const RCODE_REFUSED: u8 = 5;
/// TR-181 `IPAddresses` holds at most 10 addresses.
const MAX_ADDRESSES: usize = 10;

/// Run one NSLookupDiagnostics test to the end.
pub async fn run(inputs: &NsLookupInputs) -> NsLookupResults {
    let Some(server) = server_address(&inputs.dns_server).await else {
        return NsLookupResults::failed(DiagnosticsState::ErrorDnsServerNotResolved);
    };
    if dns::query(0, &inputs.host_name, TYPE_A).is_none() {
        warn!(target: "cwmpd::diagnostics", "NSLookup: {:?} is not a host name", inputs.host_name);
        return NsLookupResults::failed(DiagnosticsState::ErrorOther);
    }
    let mut results = Vec::with_capacity(inputs.repetitions as usize);
    for _ in 0..inputs.repetitions {
        results.push(lookup(server, inputs).await);
    }
    NsLookupResults {
        state: DiagnosticsState::Complete,
        results,
    }
}

/// DNSServer as an address, a name resolved by the system, or (empty) the system's server.
async fn server_address(dns_server: &str) -> Option<SocketAddr> {
    if dns_server.is_empty() {
        let conf = std::fs::read_to_string("/etc/resolv.conf").ok()?;
        let ip = conf.lines().find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next()?.parse::<IpAddr>().ok())
                .flatten()
        })?;
        return Some(SocketAddr::new(ip, DNS_PORT));
    }
    if let Ok(ip) = dns_server.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, DNS_PORT));
    }
    tokio::net::lookup_host((dns_server, DNS_PORT))
        .await
        .ok()?
        .next()
}

/// How one query went.
enum Exchange {
    Answer(Response, Duration),
    Timeout,
    /// ICMP port unreachable: nothing listens on the server.
    Refused,
    Failed,
}

async fn lookup(server: SocketAddr, inputs: &NsLookupInputs) -> LookupResult {
    let mut result = LookupResult {
        status: "Error_Other",
        answer_type: "None",
        host_name_returned: String::new(),
        ip_addresses: Vec::new(),
        dns_server_ip: server.ip().to_string(),
        response_time_ms: 0,
    };
    let socket = match open(server, &inputs.interface).await {
        Ok(socket) => socket,
        Err(err) => {
            warn!(target: "cwmpd::diagnostics", "NSLookup to {server}: {err}");
            return result;
        }
    };
    let timeout = Duration::from_millis(u64::from(inputs.timeout_ms));
    let (a, elapsed) = match exchange(&socket, &inputs.host_name, TYPE_A, timeout).await {
        Exchange::Answer(response, elapsed) => (response, elapsed),
        Exchange::Timeout => {
            return LookupResult {
                status: "Error_Timeout",
                ..result
            }
        }
        Exchange::Refused => {
            return LookupResult {
                status: "Error_DNSServerNotAvailable",
                ..result
            }
        }
        Exchange::Failed => return result,
    };
    result.response_time_ms = elapsed.as_millis().try_into().unwrap_or(u32::MAX);
    result.status = match a.rcode {
        0 => "Success",
        RCODE_NXDOMAIN => "Error_HostNameNotResolved",
        RCODE_REFUSED => "Error_DNSServerNotAvailable",
        _ => "Error_Other",
    };
    if a.rcode != 0 {
        return result;
    }
    let mut addresses = a.addresses.clone();
    let mut host_name = a.host_name.clone();
    if let Exchange::Answer(aaaa, _) =
        exchange(&socket, &inputs.host_name, TYPE_AAAA, timeout).await
    {
        addresses.extend(aaaa.addresses);
        host_name = host_name.or(aaaa.host_name);
    }
    if addresses.is_empty() {
        result.status = "Error_HostNameNotResolved";
        return result;
    }
    result.answer_type = if a.authoritative {
        "Authoritative"
    } else {
        "NonAuthoritative"
    };
    result.host_name_returned = host_name.unwrap_or_default();
    result.ip_addresses = addresses
        .iter()
        .take(MAX_ADDRESSES)
        .map(IpAddr::to_string)
        .collect();
    result
}

/// A UDP socket connected to the server, bound to `interface` when one is given.
async fn open(server: SocketAddr, interface: &str) -> io::Result<UdpSocket> {
    let (domain, any) = match server {
        SocketAddr::V4(_) => (Domain::IPV4, IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        SocketAddr::V6(_) => (Domain::IPV6, IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
    };
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
    if !interface.is_empty() {
        socket.bind_device(Some(interface.as_bytes()))?;
    }
    socket.bind(&SocketAddr::new(any, 0).into())?;
    socket.set_nonblocking(true)?;
    let socket = UdpSocket::from_std(socket.into())?;
    socket.connect(server).await?;
    Ok(socket)
}

/// A random query ID (RFC 5452 §9.2); the source port is random too.
fn query_id() -> u16 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish() as u16
}

async fn exchange(socket: &UdpSocket, name: &str, qtype: u16, timeout: Duration) -> Exchange {
    let id = query_id();
    let Some(query) = dns::query(id, name, qtype) else {
        return Exchange::Failed;
    };
    let start = Instant::now();
    let deadline = tokio::time::Instant::now() + timeout;
    if socket.send(&query).await.is_err() {
        return Exchange::Failed;
    }
    let mut buf = vec![0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, socket.recv(&mut buf)).await {
            Err(_elapsed) => return Exchange::Timeout,
            Ok(Err(err)) if err.kind() == io::ErrorKind::ConnectionRefused => {
                return Exchange::Refused
            }
            Ok(Err(_)) => return Exchange::Failed,
            Ok(Ok(len)) => {
                if let Some(response) = dns::parse_response(&buf[..len], id) {
                    return Exchange::Answer(response, start.elapsed());
                }
            }
        }
    }
}
