//! TR-143 Download and Upload diagnostics on [`crate::net::http1`]'s URLs and wire format,
//! with what is TR-143's own: http:// only, the GET and PUT requests, and following a
//! response to its end, failures named by their DiagnosticsState. Sans-I/O; the edge
//! ([`super::http_transfer`]) owns the sockets so it can time every step itself.
//! TR-143: persistent connections, no pipelining, no HTTP authentication.

use super::state::DiagnosticsState;
use crate::net::acs_client::USER_AGENT;
use crate::net::http1::wire::{parse_head, request_head, BodyScanner, Framing, WireError};
use crate::net::http1::{HttpUrl, UrlError};

/// Parse a DownloadURL or UploadURL. HTTPS and FTP are not offered (`DownloadTransports` is
/// `HTTP`); credentials in the URL are refused (TR-181: HTTP authentication MUST NOT be used).
pub fn parse_url(text: &str) -> Result<HttpUrl, String> {
    let refused = |scheme: &str| format!("{scheme}: only http:// URLs are supported");
    match HttpUrl::parse(text) {
        Ok(url) if url.is_https() => Err(refused(url.scheme())),
        Ok(url) => Ok(url),
        Err(UrlError::Scheme(scheme)) => Err(refused(&scheme)),
        Err(err) => Err(format!("{text:?}: {err}")),
    }
}

/// `GET` on a persistent connection (HTTP/1.1's default).
pub fn get_request(url: &HttpUrl) -> Result<Vec<u8>, WireError> {
    let headers = [("User-Agent", USER_AGENT), ("Accept", "*/*")];
    request_head("GET", url.target(), &url.host_header(), &headers, None)
}

/// `PUT` of `length` bytes, or of a chunked body that ends when the test does (`None`: a
/// time-based test).
pub fn put_request(url: &HttpUrl, length: Option<u64>) -> Result<Vec<u8>, WireError> {
    let mut headers = vec![
        ("User-Agent", USER_AGENT),
        ("Content-Type", "application/octet-stream"),
    ];
    if length.is_none() {
        headers.push(("Transfer-Encoding", "chunked"));
    }
    request_head("PUT", url.target(), &url.host_header(), &headers, length)
}

/// A response arriving read by read: its head, then its body.
#[derive(Default)]
pub struct Response {
    /// Head bytes received so far (until the head is complete).
    pending: Vec<u8>,
    body: Option<ResponseBody>,
}

struct ResponseBody {
    scanner: BodyScanner,
    framing: Framing,
    /// The server closes the connection after this response.
    close: bool,
}

impl Response {
    /// Whether the final response's head has come.
    pub fn has_head(&self) -> bool {
        self.body.is_some()
    }

    /// Take received bytes: `Some(close)` once the response is complete (and whether the
    /// server closes the connection after it). Only a 2xx status completes a test.
    pub fn take(&mut self, data: &[u8]) -> Result<Option<bool>, DiagnosticsState> {
        if self.body.is_none() {
            self.pending.extend_from_slice(data);
            return self.take_head();
        }
        self.feed_body(data)
    }

    fn take_head(&mut self) -> Result<Option<bool>, DiagnosticsState> {
        let failed = |_: WireError| DiagnosticsState::ErrorTransferFailed;
        loop {
            let Some((head, used)) = parse_head(&self.pending).map_err(failed)? else {
                return Ok(None);
            };
            self.pending.drain(..used);
            match head.status {
                // An interim response: the real one follows.
                100..=199 => continue,
                200..=299 => {}
                _ => return Err(DiagnosticsState::ErrorTransferFailed),
            }
            let framing = head.framing().map_err(failed)?;
            self.body = Some(ResponseBody {
                scanner: BodyScanner::new(framing),
                framing,
                close: !head.keep_alive() || framing == Framing::UntilClose,
            });
            let body = std::mem::take(&mut self.pending);
            return self.feed_body(&body);
        }
    }

    fn feed_body(&mut self, data: &[u8]) -> Result<Option<bool>, DiagnosticsState> {
        let Some(body) = self.body.as_mut() else {
            return Ok(None);
        };
        let fed = body.scanner.feed(data);
        let (_, done) = fed.map_err(|_| DiagnosticsState::ErrorTransferFailed)?;
        Ok(done.then_some(body.close))
    }

    /// The server closed the connection: fine if the body runs until then.
    pub fn closed(&self) -> Result<bool, DiagnosticsState> {
        match &self.body {
            None if self.pending.is_empty() => Err(DiagnosticsState::ErrorNoResponse),
            None => Err(DiagnosticsState::ErrorTransferFailed),
            Some(body) => match body.framing {
                Framing::UntilClose => Ok(true),
                Framing::Length(_) => Err(DiagnosticsState::ErrorIncorrectSize),
                Framing::Chunked => Err(DiagnosticsState::ErrorTransferFailed),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let url = parse_url("http://files.example:8080/big.bin?x=1#frag").unwrap();
        assert_eq!(
            (url.host(), url.port(), url.target()),
            ("files.example", 8080, "/big.bin?x=1")
        );
        assert_eq!(url.host_header(), "files.example:8080");
        let v6 = parse_url("HTTP://[fd00::2]/").unwrap();
        assert_eq!((v6.host(), v6.port()), ("fd00::2", 80));
        assert_eq!(parse_url("http://h?q").unwrap().target(), "/?q");
        assert_eq!(parse_url("http://h").unwrap().target(), "/");
        assert_eq!(
            parse_url("ftp://h/f"),
            Err("ftp: only http:// URLs are supported".into())
        );
        assert_eq!(
            parse_url("https://h/f"),
            Err("https: only http:// URLs are supported".into())
        );
        assert!(parse_url("http://u:p@h/f").is_err());
        assert!(parse_url("http:///f").is_err());
        assert!(parse_url("http://h:0/").is_err());
        assert!(parse_url("h/f").is_err());
    }

    #[test]
    fn requests() {
        let url = parse_url("http://10.0.0.2:8080/up").unwrap();
        let get = String::from_utf8(get_request(&url).unwrap()).unwrap();
        assert_eq!(
            get,
            format!(
                "GET /up HTTP/1.1\r\nHost: 10.0.0.2:8080\r\nUser-Agent: {USER_AGENT}\r\n\
                 Accept: */*\r\n\r\n"
            )
        );
        let put = String::from_utf8(put_request(&url, Some(10_000_000_000)).unwrap()).unwrap();
        assert!(
            put.starts_with("PUT /up HTTP/1.1\r\nHost: 10.0.0.2:8080\r\n"),
            "{put}"
        );
        assert!(
            put.ends_with("\r\nContent-Length: 10000000000\r\n\r\n"),
            "{put}"
        );
        let chunked = String::from_utf8(put_request(&url, None).unwrap()).unwrap();
        assert!(chunked.ends_with("\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assert!(!chunked.contains("Content-Length"));
    }

    #[test]
    fn a_response_completes_however_it_is_split() {
        let text =
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        for split in 0..text.len() {
            let mut response = Response::default();
            let first = response.take(&text[..split]).unwrap();
            assert_eq!(first, None, "split at {split}");
            let second = response.take(&text[split..]).unwrap();
            assert_eq!(second, Some(false), "split at {split}");
        }
        let mut empty = Response::default();
        let head = b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
        assert_eq!(empty.take(head), Ok(Some(true)));
    }

    #[test]
    fn failures_name_their_diagnostics_state() {
        let take = |text: &[u8]| Response::default().take(text);
        let not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(take(not_found), Err(DiagnosticsState::ErrorTransferFailed));
        assert_eq!(
            take(b"SSH-2.0-OpenSSH\r\n\r\n"),
            Err(DiagnosticsState::ErrorTransferFailed)
        );
        let conflicting = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n";
        assert_eq!(
            take(conflicting),
            Err(DiagnosticsState::ErrorTransferFailed)
        );
        let closed = |text: &[u8]| {
            let mut response = Response::default();
            assert_eq!(response.take(text), Ok(None));
            response.closed()
        };
        assert_eq!(closed(b""), Err(DiagnosticsState::ErrorNoResponse));
        assert_eq!(
            closed(b"HTTP/1.1 2"),
            Err(DiagnosticsState::ErrorTransferFailed)
        );
        let short = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc";
        assert_eq!(closed(short), Err(DiagnosticsState::ErrorIncorrectSize));
        let chunk = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";
        assert_eq!(closed(chunk), Err(DiagnosticsState::ErrorTransferFailed));
        assert_eq!(closed(b"HTTP/1.0 200 OK\r\n\r\nabc"), Ok(true));
    }
}
