//! A small HTTP/1.1 client for the ACS session and file transfers: one request at a time on
//! one kept-alive connection, TLS through rustls, bodies streamed with fixed limits.
//!
//! Not a general client: no HTTP/2, proxies, compression or pipelining, and redirects,
//! authentication and cookies are left to the callers (TR-069 gives them session scope,
//! §3.4.4–§3.4.5). It replaced reqwest, whose stack (hyper, hyper-util, http, url with IDNA,
//! cookie_store with time) was about 0.45 MB of the router binary (README, "Size").

mod conn;
pub mod cookies;
pub mod url;
pub mod wire;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;

use conn::Connection;
pub use conn::Request;
pub use url::{HttpUrl, UrlError};
pub use wire::ResponseHead;

/// Why an exchange failed, by the kind the callers report (log, status, transfer faults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The host name did not resolve.
    Dns(String),
    /// No TCP connection (refused, unreachable, …).
    Connect(String),
    /// The TLS handshake failed, or the server ended the session with a TLS alert.
    Tls(String),
    /// No connection (name, TCP and TLS) within the timeout.
    ConnectTimeout,
    /// Connected, but the server was silent longer than the timeout.
    Timeout,
    /// Reading or writing failed after the connection was up.
    Io(String),
    /// The server closed the connection before the response was complete.
    Closed,
    /// The server's answer is not HTTP/1.x as this client reads it.
    Malformed(String),
    /// The body is longer than the caller's limit (bytes).
    BodyTooLarge(usize),
    /// The request could not be written (a header value with a line break).
    Request(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Dns(detail) => write!(f, "host name lookup failed: {detail}"),
            Error::Connect(detail) => write!(f, "cannot connect: {detail}"),
            Error::Tls(detail) => write!(f, "TLS failed: {detail}"),
            Error::ConnectTimeout => f.write_str("no connection within the timeout"),
            Error::Timeout => f.write_str("the server did not answer in time"),
            Error::Io(detail) => write!(f, "connection failed: {detail}"),
            Error::Closed => {
                f.write_str("the server closed the connection before the response was complete")
            }
            Error::Malformed(detail) => write!(f, "invalid HTTP response: {detail}"),
            Error::BodyTooLarge(limit) => write!(f, "the body is larger than {limit} bytes"),
            Error::Request(detail) => write!(f, "cannot send the request: {detail}"),
        }
    }
}

impl std::error::Error for Error {}

/// Sends requests over one connection at a time, reusing it while the origin stays the same
/// and the server keeps it open (TR-069 §3.4.1: a session should use a single connection).
pub struct Client {
    tls: Arc<ClientConfig>,
    io_timeout: Duration,
    connection: Option<Connection>,
}

impl Client {
    /// `io_timeout` bounds connecting (name, TCP, TLS) and each read or write.
    pub fn new(tls: Arc<ClientConfig>, io_timeout: Duration) -> Client {
        Client {
            tls,
            io_timeout,
            connection: None,
        }
    }

    /// Sends the request and returns the response head; read the body next with
    /// [`Client::body_chunk`], [`Client::read_body`] or [`Client::discard_body`].
    pub async fn send(&mut self, request: &Request<'_>) -> Result<ResponseHead, Error> {
        let reusable = self
            .connection
            .take()
            .filter(|c| c.is_idle() && c.origin.same_origin(request.url));
        if let Some(mut connection) = reusable {
            match connection.exchange(request).await {
                Ok(head) => {
                    self.connection = Some(connection);
                    return Ok(head);
                }
                // The server closed the idle connection as we used it: nothing was answered,
                // so the request goes again on a new one (as curl and hyper do).
                Err(Error::Closed | Error::Io(_)) if !connection.received_any() => {}
                Err(e) => return Err(e),
            }
        }
        let mut connection = Connection::open(request.url, &self.tls, self.io_timeout).await?;
        let head = connection.exchange(request).await?;
        self.connection = Some(connection);
        Ok(head)
    }

    /// The length the server announced for the body being read, if any.
    pub fn body_length(&self) -> Option<u64> {
        self.connection.as_ref()?.body_length()
    }

    /// The next piece of the body; `None` once it is complete. After an error the
    /// connection is closed.
    pub async fn body_chunk(&mut self) -> Result<Option<&[u8]>, Error> {
        let Some(connection) = self.connection.as_mut() else {
            return Ok(None);
        };
        match connection.next_data().await {
            Ok(Some(range)) => Ok(self.connection.as_ref().map(|c| c.bytes(range))),
            Ok(None) => Ok(None),
            Err(e) => {
                self.connection = None;
                Err(e)
            }
        }
    }

    /// The whole body, refused (and the connection closed) beyond `limit` bytes.
    pub async fn read_body(&mut self, limit: usize) -> Result<Vec<u8>, Error> {
        if self
            .body_length()
            .is_some_and(|length| length > limit as u64)
        {
            self.connection = None;
            return Err(Error::BodyTooLarge(limit));
        }
        let mut body = Vec::new();
        while let Some(chunk) = self.body_chunk().await? {
            if body.len() + chunk.len() > limit {
                self.connection = None;
                return Err(Error::BodyTooLarge(limit));
            }
            body.extend_from_slice(chunk);
        }
        Ok(body)
    }

    /// Reads and drops a body of at most `limit` bytes so the connection can carry the next
    /// request; a longer or broken one closes the connection instead.
    pub async fn discard_body(&mut self, limit: usize) {
        let _ = self.read_body(limit).await;
    }

    /// Closes the connection (the next request opens a new one).
    pub fn close(&mut self) {
        self.connection = None;
    }
}

/// The value of an `Authorization: Basic` header (RFC 7617): base64 of `user:password`.
pub fn basic_credentials(username: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{username}:{password}").into_bytes();
    let mut encoded = String::from("Basic ");
    for group in input.chunks(3) {
        let bytes = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let bits = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
        for (index, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if index <= group.len() {
                encoded.push(char::from(ALPHABET[(bits >> shift & 63) as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_base64() {
        // RFC 7617 §2's example, and every padding length.
        assert_eq!(
            basic_credentials("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_credentials("cpe", "secret"), "Basic Y3BlOnNlY3JldA==");
        assert_eq!(basic_credentials("a", ""), "Basic YTo=");
        assert_eq!(basic_credentials("ab", "c"), "Basic YWI6Yw==");
        assert_eq!(basic_credentials("ab", "cd"), "Basic YWI6Y2Q=");
    }
}
