//! The connection-request listener (TR-069 §3.2.2).
//!
//! The ACS asks the CPE to open a session with an HTTP GET on the ConnectionRequestURL. The
//! CPE authenticates it with HTTP Digest only (§3.2.2: "the CPE MUST use Digest
//! authentication"; never Basic), answers 200 and tells the daemon, which starts a session
//! with the "6 CONNECTION REQUEST" event.
//!
//! Defences, cheapest first:
//! - at most [`MAX_CONNECTIONS`] connections at once; one more is closed at once;
//! - the source allow-list (`CrSettings::allow`); other peers get 403;
//! - a token bucket for requests that do not authenticate ([`UNAUTHENTICATED_BURST`], one
//!   token back per [`UNAUTHENTICATED_REFILL`]); when it is empty the connection is closed
//!   without parsing the credentials or hashing anything, so a flood costs little CPU;
//! - request heads larger than [`MAX_REQUEST_HEAD`] or slower than [`HEADER_TIMEOUT`] close
//!   the connection;
//! - a sliding window of `rate_limit_per_hour` accepted requests (§3.2.2: the CPE SHOULD
//!   restrict the number of connection requests it accepts in a period); beyond it a valid
//!   request gets 503 and is not forwarded.
//!
//! Settings come through a `watch` channel, so the ACS can change
//! ConnectionRequestUsername/Password (or the path, the allow-list, the rate) without a
//! restart. A change of the listen address ends [`serve`] so the daemon can bind anew.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ipnet::IpNet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{timeout, Instant};

use crate::cwmp::digest::{
    DigestServer, ExpectedCredentials, RequestLine, Verification, DEFAULT_NONCE_LIFETIME,
    DEFAULT_REALM,
};

/// The port TR-069 deployments conventionally use for connection requests.
pub const DEFAULT_PORT: u16 = 7547;
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 16;
/// A request head (request line and headers) larger than this closes the connection.
pub const MAX_REQUEST_HEAD: usize = 4096;
/// A request head must arrive within this time, and a response be written within it.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests on one keep-alive connection (an ACS needs two: challenge, then credentials).
pub const MAX_REQUESTS_PER_CONNECTION: usize = 8;
/// Requests without valid credentials allowed in a burst.
pub const UNAUTHENTICATED_BURST: u32 = 32;
/// One more unauthenticated request is allowed per this interval.
pub const UNAUTHENTICATED_REFILL: Duration = Duration::from_secs(1);
const RATE_WINDOW: Duration = Duration::from_secs(3600);

/// The listener's configuration (ManagementServer.ConnectionRequest* and cwmpd's UCI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrSettings {
    pub bind: IpAddr,
    pub port: u16,
    /// The path part of ConnectionRequestURL, e.g. "/" or "/cr-5f3a".
    pub path: String,
    pub username: String,
    /// An empty username refuses every request.
    pub password: String,
    /// Accepted requests per sliding hour; 0 = unlimited.
    pub rate_limit_per_hour: u32,
    /// Peers allowed to connect; empty = everyone.
    pub allow: Vec<IpNet>,
    pub nonce_lifetime: Duration,
}

impl Default for CrSettings {
    fn default() -> Self {
        CrSettings {
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: DEFAULT_PORT,
            path: "/".to_string(),
            username: String::new(),
            password: String::new(),
            rate_limit_per_hour: 0,
            allow: Vec::new(),
            nonce_lifetime: DEFAULT_NONCE_LIFETIME,
        }
    }
}

impl CrSettings {
    pub fn listen_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }

    /// Whether a listener bound to `local` serves these settings (port 0 = any port).
    fn listens_on(&self, local: Option<SocketAddr>) -> bool {
        local.is_none_or(|local| {
            local.ip() == self.bind && (self.port == 0 || self.port == local.port())
        })
    }

    fn allows(&self, peer: IpAddr) -> bool {
        // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
        let peer = peer.to_canonical();
        self.allow.is_empty() || self.allow.iter().any(|net| net.contains(&peer))
    }
}

/// Parses an allow-list entry: a CIDR ("10.0.0.0/8", "2001:db8::/32") or a single address.
pub fn parse_allow_entry(text: &str) -> Option<IpNet> {
    let text = text.trim();
    IpNet::from_str(text)
        .map(|net| net.trunc())
        .or_else(|_| IpAddr::from_str(text).map(IpNet::from))
        .ok()
}

/// A connection request that authenticated; the daemon should start a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrEvent {
    pub peer: SocketAddr,
}

/// Why [`serve`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeEnd {
    /// The settings sender was dropped: shut down.
    SettingsClosed,
    /// The event receiver was dropped: nobody listens any more.
    EventsClosed,
    /// The settings name another address or port than the listener's (checked at the start
    /// and on every change): bind it and call `serve` again.
    ListenAddressChanged,
    /// No random source for the nonce key.
    NoRandomness,
}

/// Serves connection requests on `listener` until one of [`ServeEnd`] happens. Connections
/// run as tasks (`Send`, so any tokio runtime works, including `current_thread`).
pub async fn serve(
    listener: TcpListener,
    mut settings: watch::Receiver<CrSettings>,
    events: mpsc::Sender<CrEvent>,
) -> ServeEnd {
    let Some(secret) = random_secret() else {
        return ServeEnd::NoRandomness;
    };
    let local_addr = listener.local_addr().ok();
    if !settings.borrow_and_update().listens_on(local_addr) {
        return ServeEnd::ListenAddressChanged;
    }
    let context = Arc::new(Context {
        state: Mutex::new(State::new(secret)),
        origin: Instant::now(),
        settings: settings.clone(),
        events,
    });
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => match slots.clone().try_acquire_owned() {
                    Ok(permit) => {
                        let context = context.clone();
                        connections.spawn(async move {
                            serve_connection(stream, peer, &context).await;
                            drop(permit);
                        });
                    }
                    Err(_) => log::debug!("connection request from {peer}: too many connections"),
                },
                Err(e) => {
                    // Out of file descriptors and the like: do not spin.
                    log::warn!("connection request listener: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            changed = settings.changed() => {
                if changed.is_err() {
                    return ServeEnd::SettingsClosed;
                }
                if !settings.borrow_and_update().listens_on(local_addr) {
                    return ServeEnd::ListenAddressChanged;
                }
            }
            () = context.events.closed() => return ServeEnd::EventsClosed,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

fn random_secret() -> Option<[u8; 32]> {
    use ring::rand::SecureRandom;
    let mut secret = [0u8; 32];
    ring::rand::SystemRandom::new().fill(&mut secret).ok()?;
    Some(secret)
}

/// What all connections share.
struct Context {
    state: Mutex<State>,
    /// Time for nonces and limits is measured from here (tokio's clock, so tests can pause it).
    origin: Instant,
    settings: watch::Receiver<CrSettings>,
    events: mpsc::Sender<CrEvent>,
}

impl Context {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave State inconsistent in a way that matters here.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct State {
    digest: DigestServer,
    accepted: SlidingWindow,
    unauthenticated: TokenBucket,
}

impl State {
    fn new(secret: [u8; 32]) -> Self {
        State {
            digest: DigestServer::new(DEFAULT_REALM, secret, DEFAULT_NONCE_LIFETIME),
            accepted: SlidingWindow::default(),
            unauthenticated: TokenBucket::new(UNAUTHENTICATED_BURST, UNAUTHENTICATED_REFILL),
        }
    }
}

async fn serve_connection(mut stream: TcpStream, peer: SocketAddr, context: &Context) {
    let mut buffer = Vec::with_capacity(1024);
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        let head = match timeout(HEADER_TIMEOUT, read_head(&mut stream, &mut buffer)).await {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(_) => {
                log::debug!("connection request from {peer}: headers too slow");
                return;
            }
        };
        let Some(answer) = answer(&head, peer, context) else {
            return;
        };
        let keep_alive = head.keep_alive() && answer.status != 403;
        let bytes = answer.encode(keep_alive);
        if !matches!(
            timeout(HEADER_TIMEOUT, stream.write_all(&bytes)).await,
            Ok(Ok(()))
        ) {
            return;
        }
        if !keep_alive {
            return;
        }
    }
}

/// The parts of a request head the listener looks at.
struct RequestHead {
    method: String,
    target: String,
    http_1_1: bool,
    authorization: Vec<String>,
    connection_close: bool,
    has_body: bool,
}

impl RequestHead {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// A request with a body is answered and the connection closed (GET has none).
    fn keep_alive(&self) -> bool {
        self.http_1_1 && !self.connection_close && !self.has_body
    }
}

/// Reads one request head; `None` when the peer closed, sent garbage or too much.
async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<RequestHead> {
    loop {
        if let Some((head, length)) = parse_head(buffer)? {
            buffer.drain(..length);
            return Some(head);
        }
        if buffer.len() >= MAX_REQUEST_HEAD {
            return None;
        }
        let mut chunk = [0u8; 1024];
        let room = (MAX_REQUEST_HEAD - buffer.len()).min(chunk.len());
        let n = stream.read(&mut chunk[..room]).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// `Some(None)` = incomplete, `None` = malformed.
fn parse_head(buffer: &[u8]) -> Option<Option<(RequestHead, usize)>> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    let length = match request.parse(buffer).ok()? {
        httparse::Status::Complete(length) => length,
        httparse::Status::Partial => return Some(None),
    };
    let mut head = RequestHead {
        method: request.method?.to_string(),
        target: request.path?.to_string(),
        http_1_1: request.version? == 1,
        authorization: Vec::new(),
        connection_close: false,
        has_body: false,
    };
    for header in request.headers.iter() {
        let value = String::from_utf8_lossy(header.value);
        let name = header.name;
        if name.eq_ignore_ascii_case("authorization") {
            head.authorization.push(value.into_owned());
        } else if name.eq_ignore_ascii_case("connection") {
            head.connection_close |= value.to_ascii_lowercase().contains("close");
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            head.has_body = true;
        } else if name.eq_ignore_ascii_case("content-length") {
            head.has_body |= value.trim() != "0";
        }
    }
    Some(Some((head, length)))
}

/// A response to write.
struct Answer {
    status: u16,
    challenges: Option<[String; 2]>,
}

impl Answer {
    fn status(status: u16) -> Self {
        Answer {
            status,
            challenges: None,
        }
    }

    fn encode(&self, keep_alive: bool) -> Vec<u8> {
        let reason = match self.status {
            200 => "OK",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            503 => "Service Unavailable",
            _ => "",
        };
        let mut text = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        for challenge in self.challenges.iter().flatten() {
            text.push_str(&format!("WWW-Authenticate: {challenge}\r\n"));
        }
        if self.status == 405 {
            text.push_str("Allow: GET\r\n");
        }
        if !keep_alive {
            text.push_str("Connection: close\r\n");
        }
        text.push_str("Content-Length: 0\r\n\r\n");
        text.into_bytes()
    }
}

/// Decides the response; `None` closes the connection without one.
fn answer(head: &RequestHead, peer: SocketAddr, context: &Context) -> Option<Answer> {
    let settings = context.settings.borrow().clone();
    let now = context.now();
    let mut state = context.state();
    if !state.unauthenticated.has_token(now) {
        log::debug!("connection request from {peer}: unauthenticated flood, closing");
        return None;
    }
    let answer = if !settings.allows(peer.ip()) {
        Answer::status(403)
    } else if head.path() != settings.path {
        Answer::status(404)
    } else if head.method != "GET" {
        Answer::status(405)
    } else {
        authenticate(head, &settings, &mut state, now)
    };
    if answer.status == 200 {
        return Some(accept(answer, peer, &settings, &mut state, context, now));
    }
    state.unauthenticated.take();
    log::debug!("connection request from {peer}: {}", answer.status);
    Some(answer)
}

fn authenticate(
    head: &RequestHead,
    settings: &CrSettings,
    state: &mut State,
    now: Duration,
) -> Answer {
    state.digest.set_nonce_lifetime(settings.nonce_lifetime);
    let verification = match head.authorization.as_slice() {
        [authorization] => state.digest.verify(
            authorization,
            RequestLine {
                method: &head.method,
                uri: &head.target,
            },
            ExpectedCredentials {
                username: &settings.username,
                password: &settings.password,
            },
            now,
        ),
        _ => Verification::Rejected(crate::cwmp::digest::Rejection::Malformed),
    };
    match verification {
        Verification::Authorized => Answer::status(200),
        Verification::Stale => Answer {
            status: 401,
            challenges: Some(state.digest.challenges(now, true)),
        },
        Verification::Rejected(reason) => {
            if !head.authorization.is_empty() {
                log::info!("connection request refused: {reason:?}");
            }
            Answer {
                status: 401,
                challenges: Some(state.digest.challenges(now, false)),
            }
        }
    }
}

/// An authenticated request: forward it unless over the hourly limit.
fn accept(
    answer: Answer,
    peer: SocketAddr,
    settings: &CrSettings,
    state: &mut State,
    context: &Context,
    now: Duration,
) -> Answer {
    if !state.accepted.try_accept(now, settings.rate_limit_per_hour) {
        log::warn!("connection request from {peer}: over the hourly limit, 503");
        return Answer::status(503);
    }
    log::debug!("connection request from {peer} accepted");
    // Full means a request is already waiting for the daemon: one session serves both.
    if let Err(mpsc::error::TrySendError::Closed(_)) = context.events.try_send(CrEvent { peer }) {
        log::warn!("connection request from {peer}: daemon not listening");
    }
    answer
}

/// Times of accepted requests within the last hour.
#[derive(Default)]
struct SlidingWindow {
    accepted: VecDeque<Duration>,
}

impl SlidingWindow {
    fn try_accept(&mut self, now: Duration, limit_per_hour: u32) -> bool {
        while self
            .accepted
            .front()
            .is_some_and(|&t| now.saturating_sub(t) >= RATE_WINDOW)
        {
            self.accepted.pop_front();
        }
        if limit_per_hour == 0 {
            self.accepted.clear();
            return true;
        }
        let limit = usize::try_from(limit_per_hour).unwrap_or(usize::MAX);
        if self.accepted.len() >= limit {
            return false;
        }
        self.accepted.push_back(now);
        true
    }
}

/// A token bucket: `capacity` tokens, one back every `refill`.
struct TokenBucket {
    capacity: u32,
    tokens: u32,
    refill: Duration,
    last_refill: Duration,
}

impl TokenBucket {
    fn new(capacity: u32, refill: Duration) -> Self {
        TokenBucket {
            capacity,
            tokens: capacity,
            refill,
            last_refill: Duration::ZERO,
        }
    }

    fn has_token(&mut self, now: Duration) -> bool {
        let elapsed = now.saturating_sub(self.last_refill);
        let earned = elapsed.as_nanos() / self.refill.as_nanos().max(1);
        if earned > 0 {
            let earned = u32::try_from(earned).unwrap_or(u32::MAX);
            self.tokens = self.tokens.saturating_add(earned).min(self.capacity);
            self.last_refill = if self.tokens == self.capacity {
                now
            } else {
                self.last_refill + self.refill * earned
            };
        }
        self.tokens > 0
    }

    fn take(&mut self) {
        self.tokens = self.tokens.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_entries_parse_cidrs_and_addresses() {
        assert_eq!(
            parse_allow_entry("10.0.0.0/8"),
            IpNet::from_str("10.0.0.0/8").ok()
        );
        assert_eq!(
            parse_allow_entry(" 10.1.2.3/8 "),
            IpNet::from_str("10.0.0.0/8").ok()
        );
        assert_eq!(
            parse_allow_entry("192.0.2.7"),
            IpNet::from_str("192.0.2.7/32").ok()
        );
        assert_eq!(
            parse_allow_entry("2001:db8::/32"),
            IpNet::from_str("2001:db8::/32").ok()
        );
        assert_eq!(parse_allow_entry("::1"), IpNet::from_str("::1/128").ok());
        assert_eq!(parse_allow_entry("10.0.0.0/33"), None);
        assert_eq!(parse_allow_entry("example.com"), None);
    }

    #[test]
    fn allow_list_matches_v4_v6_and_mapped_peers() {
        let settings = CrSettings {
            allow: vec![
                parse_allow_entry("10.0.0.0/8").expect("v4"),
                parse_allow_entry("2001:db8::/32").expect("v6"),
            ],
            ..CrSettings::default()
        };
        let ip = |text: &str| IpAddr::from_str(text).expect("ip");
        assert!(settings.allows(ip("10.20.30.40")));
        assert!(settings.allows(ip("::ffff:10.20.30.40")));
        assert!(settings.allows(ip("2001:db8::1")));
        assert!(!settings.allows(ip("127.0.0.1")));
        assert!(!settings.allows(ip("2001:db9::1")));
        assert!(CrSettings::default().allows(ip("127.0.0.1")));
    }

    #[test]
    fn listener_matches_settings_by_address_and_port() {
        let settings = CrSettings {
            bind: IpAddr::from_str("127.0.0.1").expect("ip"),
            port: 7547,
            ..CrSettings::default()
        };
        let addr = |text: &str| SocketAddr::from_str(text).ok();
        assert!(settings.listens_on(addr("127.0.0.1:7547")));
        assert!(!settings.listens_on(addr("127.0.0.1:7548")));
        assert!(!settings.listens_on(addr("0.0.0.0:7547")));
        let any_port = CrSettings {
            port: 0,
            ..settings
        };
        assert!(any_port.listens_on(addr("127.0.0.1:40000")));
        assert!(any_port.listens_on(None));
    }

    #[test]
    fn sliding_window_allows_n_per_hour() {
        let mut window = SlidingWindow::default();
        let at = Duration::from_secs;
        assert!(window.try_accept(at(0), 2));
        assert!(window.try_accept(at(10), 2));
        assert!(!window.try_accept(at(20), 2));
        assert!(!window.try_accept(at(3599), 2));
        assert!(window.try_accept(at(3600), 2));
        assert!(!window.try_accept(at(3605), 2));
        assert!(window.try_accept(at(3610), 2));
        assert!(window.try_accept(at(3611), 0));
    }

    #[test]
    fn token_bucket_refills_one_per_interval() {
        let mut bucket = TokenBucket::new(2, Duration::from_secs(1));
        let at = Duration::from_millis;
        assert!(bucket.has_token(at(0)));
        bucket.take();
        bucket.take();
        assert!(!bucket.has_token(at(999)));
        assert!(bucket.has_token(at(1000)));
        bucket.take();
        assert!(!bucket.has_token(at(1500)));
        assert!(bucket.has_token(at(2000)));
        assert!(bucket.has_token(at(60_000)));
        bucket.take();
        bucket.take();
        assert!(!bucket.has_token(at(60_000)));
    }

    #[test]
    fn heads_parse_and_decide_keep_alive() {
        let raw = b"GET /cr?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Digest x=1\r\n\r\nrest";
        let (head, length) = parse_head(raw).expect("valid").expect("complete");
        assert_eq!(length, raw.len() - 4);
        assert_eq!(head.path(), "/cr");
        assert_eq!(head.target, "/cr?x=1");
        assert_eq!(head.authorization, vec!["Digest x=1".to_string()]);
        assert!(head.keep_alive());
        let closing = b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
        let (head, _) = parse_head(closing).expect("valid").expect("complete");
        assert!(!head.keep_alive());
        let old = b"GET / HTTP/1.0\r\n\r\n";
        assert!(!parse_head(old)
            .expect("valid")
            .expect("complete")
            .0
            .keep_alive());
        assert!(parse_head(b"GET / HTTP/1.1\r\nHost")
            .expect("valid")
            .is_none());
        assert!(parse_head(b"\x00\x01 nonsense\r\n\r\n").is_none());
    }
}
