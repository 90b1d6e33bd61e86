//! Download and Upload diagnostics on the wire, the parts both share: resolving the URL,
//! opening TCP connections with TR-143's timestamps, running the connections side by side
//! in one task, the interface counters, the time-based test's end and its
//! `IncrementalResult` intervals. The HTTP exchanges themselves are [`super::http_transfer`].
//!
//! Times: one wall-clock reading at the start, then the monotonic clock, so every reported
//! time is in UTC to the microsecond and they never go backwards within a test.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use log::warn;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::http_wire::parse_url;
use super::ping::{error_state, resolve};
use super::state::DiagnosticsState;
use super::throughput::{
    ConnectionResult, Counters, Direction, FullLoading, IncrementalResult, ThroughputResults,
    TransferInputs,
};
use crate::net::http1::HttpUrl;

/// Opening a connection takes at most this long (TR-143 sets no limit).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// A transfer that moves nothing for this long ends in `Error_Timeout`.
pub(super) const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Run one Download or Upload test to the end.
pub async fn run(inputs: &TransferInputs, direction: Direction) -> ThroughputResults {
    let url = match parse_url(&inputs.url) {
        Ok(url) => url,
        Err(err) => {
            warn!(target: "cwmpd::diagnostics", "{direction:?} URL {:?}: {err}", inputs.url);
            return ThroughputResults::failed(DiagnosticsState::ErrorOther);
        }
    };
    let Some(ip) = resolve(url.host(), inputs.protocol_version).await else {
        return ThroughputResults::failed(DiagnosticsState::ErrorCannotResolveHostName);
    };
    let test = TransferTest::new(inputs, &url, SocketAddr::new(ip, url.port()));
    let connections = (0..inputs.connections)
        .map(|_| -> Pin<Box<dyn Future<Output = Outcome> + '_>> {
            Box::pin(test.connection(direction))
        })
        .collect();
    let (outcomes, ()) = tokio::join!(join_all(connections), test.sample_intervals());
    test.results(outcomes)
}

/// One connection's outcome: its measurements and the local address, or the test's error.
pub(super) type Outcome = Result<(ConnectionResult, String), DiagnosticsState>;

/// Poll every future until all are done (all in this task: cancelling the test drops them).
async fn join_all<'a, T>(futures: Vec<Pin<Box<dyn Future<Output = T> + 'a>>>) -> Vec<T> {
    let mut running: Vec<Option<Pin<Box<dyn Future<Output = T> + 'a>>>> =
        futures.into_iter().map(Some).collect();
    let mut done: Vec<Option<T>> = running.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (slot, future) in done.iter_mut().zip(running.iter_mut()) {
            if let Some(pending) = future {
                if let Poll::Ready(value) = pending.as_mut().poll(cx) {
                    *slot = Some(value);
                    *future = None;
                }
            }
        }
        match running.iter().all(Option::is_none) {
            true => Poll::Ready(()),
            false => Poll::Pending,
        }
    })
    .await;
    done.into_iter().flatten().collect()
}

/// UTC to the microsecond from the monotonic clock.
pub(super) struct Clock {
    unix_us: i64,
    start: Instant,
}

impl Clock {
    pub fn new() -> Clock {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Clock {
            unix_us: since_epoch.as_micros() as i64,
            start: Instant::now(),
        }
    }

    pub fn at(&self, instant: Instant) -> i64 {
        self.unix_us + instant.saturating_duration_since(self.start).as_micros() as i64
    }

    pub fn now(&self) -> i64 {
        self.at(Instant::now())
    }
}

/// What the test stood at, at one moment.
#[derive(Debug, Clone, Copy)]
struct Snapshot {
    at: i64,
    test_bytes: u64,
    counters: Counters,
}

/// One test in progress, shared by its connections (all polled by one task).
pub(super) struct TransferTest<'a> {
    pub inputs: &'a TransferInputs,
    pub url: &'a HttpUrl,
    pub target: SocketAddr,
    pub clock: Clock,
    test_bytes: Cell<u64>,
    started: Cell<u32>,
    finished: Cell<u32>,
    first_bom: Cell<Option<Instant>>,
    /// A time-based test's end: `TimeBasedTestDuration` after the first BOM.
    deadline: Cell<Option<Instant>>,
    /// Interface counters when the first request went out.
    test_start: Cell<Option<Counters>>,
    test_end: Cell<Counters>,
    /// At the latest BOM and the earliest EOM of all connections.
    full_start: Cell<Option<Snapshot>>,
    full_end: Cell<Option<Snapshot>>,
    incremental: RefCell<Vec<IncrementalResult>>,
    changed: Notify,
}

impl<'a> TransferTest<'a> {
    fn new(inputs: &'a TransferInputs, url: &'a HttpUrl, target: SocketAddr) -> TransferTest<'a> {
        TransferTest {
            inputs,
            url,
            target,
            clock: Clock::new(),
            test_bytes: Cell::new(0),
            started: Cell::new(0),
            finished: Cell::new(0),
            first_bom: Cell::new(None),
            deadline: Cell::new(None),
            test_start: Cell::new(None),
            test_end: Cell::new(Counters::default()),
            full_start: Cell::new(None),
            full_end: Cell::new(None),
            incremental: RefCell::new(Vec::new()),
            changed: Notify::new(),
        }
    }

    pub fn time_based(&self) -> bool {
        self.inputs.duration_s > 0
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline.get()
    }

    /// Open a TCP connection as the inputs say: the time the SYN went out and the time the
    /// handshake completed (TCPOpenRequestTime, TCPOpenResponseTime).
    pub async fn open(&self) -> Result<(TcpStream, i64, i64), DiagnosticsState> {
        let internal = |err: io::Error| {
            warn!(target: "cwmpd::diagnostics", "socket for {}: {err}", self.target);
            DiagnosticsState::ErrorInternal
        };
        let socket = self.socket().map_err(internal)?;
        let request = self.clock.now();
        let connected = tokio::time::timeout(CONNECT_TIMEOUT, socket.connect(self.target)).await;
        let response = self.clock.now();
        let stream = match connected {
            Ok(Ok(stream)) => stream,
            Ok(Err(err)) => {
                warn!(target: "cwmpd::diagnostics", "connect to {}: {err}", self.target);
                return Err(match error_state(&err) {
                    DiagnosticsState::ErrorNoRouteToHost => DiagnosticsState::ErrorNoRouteToHost,
                    _ => DiagnosticsState::ErrorInitConnectionFailed,
                });
            }
            Err(_elapsed) => return Err(DiagnosticsState::ErrorInitConnectionFailed),
        };
        stream.set_nodelay(true).map_err(internal)?;
        Ok((stream, request, response))
    }

    fn socket(&self) -> io::Result<TcpSocket> {
        let socket = Socket::new(
            Domain::for_address(self.target),
            Type::STREAM,
            Some(Protocol::TCP),
        )?;
        if !self.inputs.interface.is_empty() {
            socket.bind_device(Some(self.inputs.interface.as_bytes()))?;
        }
        // DSCP: the upper six bits of the TOS / Traffic Class octet (RFC 2474).
        let tos = u32::from(self.inputs.dscp) << 2;
        match self.target {
            SocketAddr::V4(_) => socket.set_tos_v4(tos)?,
            SocketAddr::V6(_) => socket.set_tclass_v6(tos)?,
        }
        if self.inputs.ethernet_priority > 0 {
            socket.set_priority(u32::from(self.inputs.ethernet_priority))?;
        }
        socket.set_nonblocking(true)?;
        Ok(TcpSocket::from_std_stream(socket.into()))
    }

    /// The bound interface's byte counters (zero without an Interface: TR-181 says the
    /// totals cannot be determined then and SHOULD be 0).
    fn counters(&self) -> Counters {
        let device = &self.inputs.interface;
        let read = |name: &str| {
            let path = format!("/sys/class/net/{device}/statistics/{name}");
            std::fs::read_to_string(path)
                .ok()
                .and_then(|text| text.trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        match device.is_empty() {
            true => Counters::default(),
            false => Counters {
                received: read("rx_bytes"),
                sent: read("tx_bytes"),
            },
        }
    }

    fn snapshot(&self, at: i64) -> Snapshot {
        Snapshot {
            at,
            test_bytes: self.test_bytes.get(),
            counters: self.counters(),
        }
    }

    /// A request goes out: the interface counters from which the connection's (and, for
    /// the first, the test's) totals count, sampled before the first byte of the answer
    /// arrives so that it counts too.
    pub fn request_counters(&self) -> Counters {
        let counters = self.counters();
        if self.test_start.get().is_none() {
            self.test_start.set(Some(counters));
        }
        counters
    }

    /// A connection's first test byte moves now: its BOM. The first one starts a
    /// time-based test's clock; the last one starts the full loading.
    pub fn begin(&self, at: Instant) {
        let snapshot = self.snapshot(self.clock.at(at));
        if self.first_bom.get().is_none() {
            self.first_bom.set(Some(at));
            let duration = Duration::from_secs(u64::from(self.inputs.duration_s));
            self.deadline
                .set(self.time_based().then_some(at + duration));
            self.changed.notify_one();
        }
        self.started.set(self.started.get() + 1);
        if self.started.get() == self.inputs.connections {
            self.full_start.set(Some(snapshot));
        }
    }

    /// Test bytes moved (received or sent).
    pub fn moved(&self, bytes: usize) {
        self.test_bytes.set(self.test_bytes.get() + bytes as u64);
    }

    /// A connection's last test byte moved at `eom`: the first one ends the full loading.
    pub fn end(&self, eom: i64) -> Counters {
        let snapshot = self.snapshot(eom);
        self.finished.set(self.finished.get() + 1);
        if self.full_end.get().is_none() {
            self.full_end.set(Some(snapshot));
        }
        self.test_end.set(snapshot.counters);
        self.changed.notify_one();
        snapshot.counters
    }

    /// A connection gave up (an error): nothing more to wait for from it.
    pub fn abandon(&self) {
        self.finished.set(self.finished.get() + 1);
        self.changed.notify_one();
    }

    fn all_done(&self) -> bool {
        self.finished.get() >= self.inputs.connections
    }

    async fn wait_all_done(&self) {
        while !self.all_done() {
            self.changed.notified().await;
        }
    }

    /// `IncrementalResult` rows of a time-based test: from BOM + offset, one per
    /// measurement interval that fits in the test's duration (TR-143 §4.3).
    async fn sample_intervals(&self) {
        let (duration, interval) = (self.inputs.duration_s, self.inputs.interval_s);
        if duration == 0 || interval == 0 {
            return;
        }
        let bom = loop {
            if let Some(bom) = self.first_bom.get() {
                break bom;
            }
            if self.all_done() {
                return;
            }
            self.changed.notified().await;
        };
        let secs = |s: u32| Duration::from_secs(u64::from(s));
        let end = bom + secs(duration);
        let mut boundary = bom + secs(self.inputs.offset_s);
        let mut previous: Option<Snapshot> = None;
        while boundary <= end {
            let ended = tokio::select! {
                _ = tokio::time::sleep_until(boundary) => false,
                _ = self.wait_all_done() => true,
            };
            // Every connection stopped: at the test's end (sample it), or early (an error).
            if ended {
                if Instant::now() + Duration::from_millis(5) < boundary {
                    return;
                }
                tokio::time::sleep_until(boundary).await;
            }
            let snapshot = self.snapshot(self.clock.now());
            if let Some(start) = previous {
                self.incremental.borrow_mut().push(IncrementalResult {
                    start: start.at,
                    end: snapshot.at,
                    test_bytes: snapshot.test_bytes - start.test_bytes,
                    total: snapshot.counters.since(start.counters),
                });
            }
            previous = Some(snapshot);
            boundary += secs(interval);
        }
    }

    fn results(&self, outcomes: Vec<Outcome>) -> ThroughputResults {
        let mut connections = Vec::new();
        let mut ip_address_used = String::new();
        for outcome in outcomes {
            match outcome {
                Ok((connection, local)) => {
                    connections.push(connection);
                    if ip_address_used.is_empty() {
                        ip_address_used = local;
                    }
                }
                Err(state) => return ThroughputResults::failed(state),
            }
        }
        let full_loading = match (self.full_start.get(), self.full_end.get()) {
            (Some(start), Some(end)) if end.at > start.at => FullLoading {
                test_bytes: end.test_bytes - start.test_bytes,
                total: end.counters.since(start.counters),
                period_us: u32::try_from(end.at - start.at).unwrap_or(u32::MAX),
            },
            _ => FullLoading::default(),
        };
        ThroughputResults {
            state: DiagnosticsState::Complete,
            ip_address_used,
            connections,
            per_connection_results: self.inputs.per_connection_results,
            total: self
                .test_end
                .get()
                .since(self.test_start.get().unwrap_or_default()),
            full_loading,
            incremental: self.incremental.take(),
        }
    }
}
