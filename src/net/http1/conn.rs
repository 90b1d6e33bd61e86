//! One HTTP/1.1 connection: name resolution, TCP, TLS (rustls through tokio-rustls), one
//! request at a time, the response head and a streamed body (framing in `wire`). Every
//! connect, read and write has the connection's I/O timeout.

use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, timeout_at, Instant};
use tokio_rustls::TlsConnector;

use super::url::HttpUrl;
use super::wire::{self, BodyDecoder, Framing, ResponseHead, Step};
use super::Error;

/// How much is read from the socket at once.
const READ_SIZE: usize = 16 * 1024;
/// A body up to this size is written in one go with its head (one TLS record, one segment).
const COALESCE_BODY: usize = 16 * 1024;
/// Interim (1xx) responses skipped before the final one; more is a misbehaving server.
const MAX_INTERIM_RESPONSES: usize = 8;

/// A TCP stream or a TLS stream over one (a single trait object keeps one copy of the code).
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A request: the caller's header fields (Host, Content-Length are added).
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a HttpUrl,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

pub(super) struct Connection {
    stream: Box<dyn Stream>,
    /// Where this connection goes (scheme, host, port of the URL it was opened for).
    pub(super) origin: HttpUrl,
    /// Read but not yet consumed: `buffer[start..]`.
    buffer: Vec<u8>,
    start: usize,
    /// The body being read, until it is complete.
    body: Option<BodyDecoder>,
    /// The server lets the connection carry another request once the body is read.
    keep_alive: bool,
    /// Some byte of a response arrived since the last request was written.
    received: bool,
    io_timeout: Duration,
}

impl Connection {
    pub(super) async fn open(
        url: &HttpUrl,
        tls: &Arc<ClientConfig>,
        io_timeout: Duration,
    ) -> Result<Connection, Error> {
        let deadline = Instant::now() + io_timeout;
        let addresses = resolve(url, deadline).await?;
        let tcp = connect_any(&addresses, deadline).await?;
        // Head and body go out in at most two writes; don't let Nagle hold the second.
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Stream> = if url.is_https() {
            let name = ServerName::try_from(url.host().to_string())
                .map_err(|e| Error::Tls(format!("invalid server name: {e}")))?;
            let handshake = TlsConnector::from(tls.clone()).connect(name, tcp);
            match timeout_at(deadline, handshake).await {
                Err(_) => return Err(Error::ConnectTimeout),
                Ok(Err(e)) => return Err(rustls_error(&e).unwrap_or(Error::Connect(e.to_string()))),
                Ok(Ok(stream)) => Box::new(stream),
            }
        } else {
            Box::new(tcp)
        };
        Ok(Connection {
            stream,
            origin: url.clone(),
            buffer: Vec::new(),
            start: 0,
            body: None,
            keep_alive: false,
            received: false,
            io_timeout,
        })
    }

    /// Ready for another request: the last body was read to its end, and the server keeps
    /// the connection.
    pub(super) fn is_idle(&self) -> bool {
        self.body.is_none() && self.keep_alive
    }

    /// Whether any byte of the current response arrived (a request that got nothing back
    /// on a reused connection may be sent again on a new one).
    pub(super) fn received_any(&self) -> bool {
        self.received
    }

    /// Writes the request and reads the final response's head.
    pub(super) async fn exchange(&mut self, request: &Request<'_>) -> Result<ResponseHead, Error> {
        self.body = None;
        self.keep_alive = false;
        self.received = false;
        self.buffer.clear();
        self.start = 0;
        let content_length = (request.method != "GET").then_some(request.body.len() as u64);
        let mut head = wire::request_head(
            request.method,
            request.url.target(),
            &request.url.host_header(),
            request.headers,
            content_length,
        )
        .map_err(|e| Error::Request(e.0))?;
        if request.body.len() <= COALESCE_BODY {
            head.extend_from_slice(request.body);
            self.write(&[&head]).await?;
        } else {
            self.write(&[&head, request.body]).await?;
        }
        let head = self.read_final_head().await?;
        let framing = head.framing().map_err(|e| Error::Malformed(e.0))?;
        self.keep_alive = head.keep_alive() && framing != Framing::UntilClose;
        self.body = Some(BodyDecoder::new(framing));
        Ok(head)
    }

    async fn read_final_head(&mut self) -> Result<ResponseHead, Error> {
        let mut interim = 0;
        loop {
            let parsed =
                wire::parse_head(&self.buffer[self.start..]).map_err(|e| Error::Malformed(e.0))?;
            match parsed {
                None => {
                    if !self.fill().await? {
                        return Err(Error::Closed);
                    }
                }
                Some((head, used)) => {
                    self.start += used;
                    if !(100..200).contains(&head.status) {
                        return Ok(head);
                    }
                    interim += 1;
                    if head.status == 101 || interim > MAX_INTERIM_RESPONSES {
                        return Err(Error::Malformed(format!(
                            "unexpected interim response {}",
                            head.status
                        )));
                    }
                }
            }
        }
    }

    /// The body bytes known so far to be coming, if the server announced a length.
    pub(super) fn body_length(&self) -> Option<u64> {
        self.body.as_ref().and_then(BodyDecoder::remaining)
    }

    /// Buffered bytes, by a range [`Connection::next_data`] returned.
    pub(super) fn bytes(&self, range: Range<usize>) -> &[u8] {
        &self.buffer[range]
    }

    /// Where in the buffer the next piece of the body is; `None` once it is complete.
    pub(super) async fn next_data(&mut self) -> Result<Option<Range<usize>>, Error> {
        loop {
            let Some(decoder) = self.body.as_mut() else {
                return Ok(None);
            };
            let step = decoder
                .step(&self.buffer[self.start..])
                .map_err(|e| Error::Malformed(e.0))?;
            match step {
                Step::NeedMore => {
                    if !self.fill().await? {
                        if let Some(decoder) = self.body.as_mut() {
                            decoder.at_eof().map_err(|_| Error::Closed)?;
                        }
                        self.keep_alive = false;
                        self.body = None;
                    }
                }
                Step::Skip(n) => self.start += n,
                Step::Data(n) => {
                    let range = self.start..self.start + n;
                    self.start += n;
                    return Ok(Some(range));
                }
                Step::Done(n) => {
                    self.start += n;
                    self.body = None;
                    // Bytes after the body were not asked for: the connection is out of step.
                    if self.start != self.buffer.len() {
                        self.keep_alive = false;
                    }
                }
            }
        }
    }

    /// Reads more into the buffer; `false` at the end of the stream.
    async fn fill(&mut self) -> Result<bool, Error> {
        if self.start > 0 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        let filled = self.buffer.len();
        self.buffer.resize(filled + READ_SIZE, 0);
        let read = timeout(
            self.io_timeout,
            self.stream.read(&mut self.buffer[filled..]),
        )
        .await;
        let read = match read {
            Err(_) => Err(Error::Timeout),
            Ok(result) => result.map_err(|e| io_error(&e)),
        };
        self.buffer.truncate(filled + *read.as_ref().unwrap_or(&0));
        let n = read?;
        self.received |= n > 0;
        Ok(n > 0)
    }

    /// Writes `parts` and flushes them (tokio-rustls holds data until a flush).
    async fn write(&mut self, parts: &[&[u8]]) -> Result<(), Error> {
        let stream = &mut self.stream;
        let write_all = async {
            for part in parts {
                stream.write_all(part).await?;
            }
            stream.flush().await
        };
        match timeout(self.io_timeout, write_all).await {
            Err(_) => Err(Error::Timeout),
            Ok(result) => result.map_err(|e| io_error(&e)),
        }
    }
}

async fn resolve(url: &HttpUrl, deadline: Instant) -> Result<Vec<SocketAddr>, Error> {
    if let Ok(ip) = url.host().parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, url.port())]);
    }
    let lookup = tokio::net::lookup_host((url.host(), url.port()));
    let addresses: Vec<SocketAddr> = match timeout_at(deadline, lookup).await {
        Err(_) => return Err(Error::ConnectTimeout),
        Ok(Err(e)) => return Err(Error::Dns(e.to_string())),
        Ok(Ok(addresses)) => addresses.collect(),
    };
    if addresses.is_empty() {
        return Err(Error::Dns(format!("{}: no address", url.host())));
    }
    Ok(addresses)
}

/// The first address that accepts, in the resolver's order.
async fn connect_any(addresses: &[SocketAddr], deadline: Instant) -> Result<TcpStream, Error> {
    let mut last_error = None;
    for address in addresses {
        match timeout_at(deadline, TcpStream::connect(address)).await {
            Err(_) => return Err(Error::ConnectTimeout),
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(e)) => last_error = Some(e),
        }
    }
    let detail = last_error.map_or_else(|| "no address".to_string(), |e| e.to_string());
    Err(Error::Connect(detail))
}

fn io_error(error: &std::io::Error) -> Error {
    if let Some(tls) = rustls_error(error) {
        return tls;
    }
    match error.kind() {
        std::io::ErrorKind::TimedOut => Error::Timeout,
        // tokio-rustls: the peer closed TCP without a TLS close_notify.
        std::io::ErrorKind::UnexpectedEof => Error::Closed,
        _ => Error::Io(error.to_string()),
    }
}

/// The rustls error inside an io::Error (tokio-rustls wraps alerts and certificate errors).
fn rustls_error(error: &std::io::Error) -> Option<Error> {
    let mut inner = error.get_ref()?;
    for _ in 0..4 {
        if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
            return Some(Error::Tls(tls.to_string()));
        }
        inner = inner.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
    None
}
