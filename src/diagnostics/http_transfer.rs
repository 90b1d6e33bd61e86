//! One connection of a Download (HTTP GET) or Upload (HTTP PUT) test on tokio's TcpStream,
//! timed as TR-143 §4 says: ROM when the request goes out, BOM at the first test byte, EOM at
//! the last; every byte of the HTTP exchange after BOM, headers included, is a test byte.
//! A time-based test repeats the GET on its persistent connection (a new connection if the
//! server closes it) or sends a chunked PUT, until `TimeBasedTestDuration` after BOM.

use log::debug;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::net::http1::wire::{chunk, LAST_CHUNK};

use super::http_wire::{get_request, put_request, Response};
use super::state::DiagnosticsState;
use super::throughput::{ConnectionResult, Direction};
use super::transfer_run::{Outcome, TransferTest, IDLE_TIMEOUT};

/// Read size: large enough that a fast link costs few system calls.
const READ_BUFFER: usize = 128 * 1024;
/// Bytes per write of an upload (and per chunk of a time-based one: the test overruns its
/// end by at most one of these).
const WRITE_BLOCK: usize = 64 * 1024;

/// What one read brought.
enum Read {
    Data(usize, Instant),
    Closed,
    /// A time-based test's end came.
    Deadline,
    Idle,
    Failed,
}

impl TransferTest<'_> {
    /// Read once, waiting at most until `deadline` (a time-based test's end) or the idle
    /// timeout.
    async fn read(stream: &mut TcpStream, buf: &mut [u8], deadline: Option<Instant>) -> Read {
        let idle = Instant::now() + IDLE_TIMEOUT;
        let until = deadline.map_or(idle, |end| end.min(idle));
        match tokio::time::timeout_at(until, stream.read(buf)).await {
            Err(_) if deadline.is_some_and(|end| end <= Instant::now()) => Read::Deadline,
            Err(_) => Read::Idle,
            Ok(Ok(0)) => Read::Closed,
            Ok(Ok(n)) => Read::Data(n, Instant::now()),
            Ok(Err(err)) => {
                debug!(target: "cwmpd::diagnostics", "read: {err}");
                Read::Failed
            }
        }
    }

    fn past_deadline(&self) -> bool {
        self.deadline().is_some_and(|end| end <= Instant::now())
    }

    /// One connection of the test; one that fails stops counting towards the test's end.
    pub(super) async fn connection(&self, direction: Direction) -> Outcome {
        let outcome = match direction {
            Direction::Download => self.download().await,
            Direction::Upload => self.upload().await,
        };
        if outcome.is_err() {
            self.abandon();
        }
        outcome
    }

    async fn download(&self) -> Outcome {
        let (mut stream, open_request, open_response) = self.open().await?;
        let local = local_address(&stream);
        let start_counters = self.request_counters();
        let mut result = ConnectionResult {
            tcp_open_request: open_request,
            tcp_open_response: open_response,
            rom: self.clock.now(),
            ..ConnectionResult::default()
        };
        let mut begun = false;
        let mut buf = vec![0u8; READ_BUFFER];
        let request = get_request(self.url).map_err(|_| DiagnosticsState::ErrorInternal)?;
        loop {
            send(&mut stream, &request, DiagnosticsState::ErrorNoResponse).await?;
            let mut response = Response::default();
            let close = loop {
                match Self::read(&mut stream, &mut buf, self.deadline()).await {
                    Read::Data(n, at) => {
                        if !begun {
                            result.bom = self.clock.at(at);
                            self.begin(at);
                            begun = true;
                        }
                        self.moved(n);
                        result.test_bytes += n as u64;
                        result.eom = self.clock.at(at);
                        if let Some(close) = response.take(&buf[..n])? {
                            break close;
                        }
                    }
                    Read::Closed => break response.closed()?,
                    Read::Deadline => break true,
                    Read::Idle => return Err(DiagnosticsState::ErrorTimeout),
                    Read::Failed => return Err(DiagnosticsState::ErrorTransferFailed),
                }
            };
            if !self.time_based() || self.past_deadline() {
                break;
            }
            if close {
                stream = self.open().await?.0;
            }
        }
        let end_counters = self.end(result.eom);
        result.total = end_counters.since(start_counters);
        Ok((result, local))
    }

    async fn upload(&self) -> Outcome {
        let failed = DiagnosticsState::ErrorNoTransferComplete;
        let (mut stream, open_request, open_response) = self.open().await?;
        let local = local_address(&stream);
        let length = (!self.time_based()).then_some(self.inputs.file_length);
        let head = put_request(self.url, length).map_err(|_| DiagnosticsState::ErrorInternal)?;
        let start_counters = self.request_counters();
        let rom = self.clock.now();
        send(&mut stream, &head, failed).await?;
        let bom_at = Instant::now();
        self.begin(bom_at);
        let mut result = ConnectionResult {
            tcp_open_request: open_request,
            tcp_open_response: open_response,
            rom,
            bom: self.clock.at(bom_at),
            test_bytes: head.len() as u64,
            ..ConnectionResult::default()
        };
        self.moved(head.len());
        let sent = match length {
            Some(length) => self.send_body(&mut stream, length).await?,
            None => self.send_chunks(&mut stream).await?,
        };
        result.test_bytes += sent;
        let mut buf = vec![0u8; 16 * 1024];
        let mut response = Response::default();
        loop {
            match Self::read(&mut stream, &mut buf, None).await {
                Read::Data(n, at) => {
                    if !response.has_head() {
                        result.eom = self.clock.at(at);
                    }
                    if response.take(&buf[..n]).map_err(|_| failed)?.is_some() {
                        break;
                    }
                }
                Read::Closed if !response.has_head() => {
                    return Err(DiagnosticsState::ErrorNoResponse)
                }
                Read::Closed => break,
                Read::Idle | Read::Deadline => return Err(DiagnosticsState::ErrorTimeout),
                Read::Failed => return Err(failed),
            }
        }
        let end_counters = self.end(result.eom);
        result.total = end_counters.since(start_counters);
        Ok((result, local))
    }

    /// `length` bytes of body.
    async fn send_body(
        &self,
        stream: &mut TcpStream,
        length: u64,
    ) -> Result<u64, DiagnosticsState> {
        let block = vec![0u8; WRITE_BLOCK];
        let mut remaining = length;
        while remaining > 0 {
            let n = remaining.min(WRITE_BLOCK as u64) as usize;
            send(
                stream,
                &block[..n],
                DiagnosticsState::ErrorNoTransferComplete,
            )
            .await?;
            self.moved(n);
            remaining -= n as u64;
        }
        Ok(length)
    }

    /// Chunks until the time-based test's end, then the last chunk.
    async fn send_chunks(&self, stream: &mut TcpStream) -> Result<u64, DiagnosticsState> {
        let block = chunk(&vec![0u8; WRITE_BLOCK]);
        let mut sent = 0;
        while !self.past_deadline() {
            send(stream, &block, DiagnosticsState::ErrorNoTransferComplete).await?;
            self.moved(block.len());
            sent += block.len() as u64;
        }
        send(
            stream,
            LAST_CHUNK,
            DiagnosticsState::ErrorNoTransferComplete,
        )
        .await?;
        self.moved(LAST_CHUNK.len());
        Ok(sent + LAST_CHUNK.len() as u64)
    }
}

/// Write all of `bytes`, or fail the test with `error`; a write that cannot proceed for the
/// idle timeout is `Error_Timeout`.
async fn send(
    stream: &mut TcpStream,
    bytes: &[u8],
    error: DiagnosticsState,
) -> Result<(), DiagnosticsState> {
    match tokio::time::timeout(IDLE_TIMEOUT, stream.write_all(bytes)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(error),
        Err(_) => Err(DiagnosticsState::ErrorTimeout),
    }
}

fn local_address(stream: &TcpStream) -> String {
    stream
        .local_addr()
        .map(|addr| addr.ip().to_string())
        .unwrap_or_default()
}
