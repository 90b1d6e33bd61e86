//! The HTTP/1.1 of TR-143 Download and Upload diagnostics (RFC 9112): the URL, the GET and PUT
//! requests, the response head and where a response body ends. Sans-I/O; the edge
//! ([`super::http_transfer`]) owns the sockets so it can time every step itself.
//! TR-143: persistent connections, no pipelining, no HTTP authentication.

/// An `http://` URL split into what a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    /// `Host:` header value (as written in the URL, port included if given).
    pub authority: String,
    /// Path and query (`/` when the URL has none).
    pub target: String,
}

/// Parse an `http://` URL. HTTPS and FTP are not offered (`DownloadTransports` is `HTTP`);
/// credentials in the URL are refused (TR-181: HTTP authentication MUST NOT be used).
pub fn parse_url(url: &str) -> Result<HttpUrl, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("{url:?} is not a URL"))?;
    if !scheme.eq_ignore_ascii_case("http") {
        return Err(format!("{scheme}: only http:// URLs are supported"));
    }
    let rest = rest.split('#').next().unwrap_or_default();
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(split);
    if authority.contains('@') {
        return Err("credentials in the URL: TR-143 tests use no authentication".into());
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or("unclosed [ in the host")?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("{url:?} has no host"));
    }
    let port = match port {
        None | Some("") => 80,
        Some(digits) => digits
            .parse::<u16>()
            .ok()
            .filter(|port| *port > 0)
            .ok_or_else(|| format!("bad port {digits:?}"))?,
    };
    let target = match target {
        "" => "/".to_string(),
        query if query.starts_with('?') => format!("/{query}"),
        path => path.to_string(),
    };
    Ok(HttpUrl {
        host: host.to_string(),
        port,
        authority: authority.to_string(),
        target,
    })
}

const USER_AGENT: &str = concat!("cwmpd/", env!("CARGO_PKG_VERSION"));

/// `GET` on a persistent connection (HTTP/1.1's default).
pub fn get_request(url: &HttpUrl) -> Vec<u8> {
    format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\n\r\n",
        url.target, url.authority
    )
    .into_bytes()
}

/// `PUT` of `length` bytes, or of a chunked body that ends when the test does (`None`: a
/// time-based test).
pub fn put_request(url: &HttpUrl, length: Option<u64>) -> Vec<u8> {
    let framing = match length {
        Some(length) => format!("Content-Length: {length}"),
        None => "Transfer-Encoding: chunked".to_string(),
    };
    format!(
        "PUT {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {USER_AGENT}\r\n\
         Content-Type: application/octet-stream\r\n{framing}\r\n\r\n",
        url.target, url.authority
    )
    .into_bytes()
}

/// The line that starts a chunk of `len` bytes (RFC 9112 §7.1); the chunk ends with CRLF.
pub fn chunk_header(len: usize) -> Vec<u8> {
    format!("{len:x}\r\n").into_bytes()
}

pub const CHUNK_END: &[u8] = b"\r\n";
/// The last chunk, no trailers.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// A response's status line and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    /// Bytes of the head, the blank line included.
    pub len: usize,
    pub body: Body,
    /// The server closes the connection after this response.
    pub close: bool,
}

/// Parse a response head from the start of `buf`: `None` while it is incomplete.
pub fn parse_response_head(buf: &[u8]) -> Result<Option<ResponseHead>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(err) => return Err(format!("bad HTTP response: {err}")),
    };
    let status = response.code.unwrap_or_default();
    let header = |name: &str| {
        response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    };
    let connection = header("connection");
    let close = connection.contains("close")
        || (response.version == Some(0) && !connection.contains("keep-alive"));
    let body = if matches!(status, 100..=199 | 204 | 304) {
        Body::Length(0)
    } else if header("transfer-encoding").contains("chunked") {
        Body::Chunked(Chunked::default())
    } else if let Some(length) = content_length(&header("content-length"))? {
        Body::Length(length)
    } else {
        Body::UntilClose
    };
    let until_close = body == Body::UntilClose;
    Ok(Some(ResponseHead {
        status,
        len,
        body,
        close: close || until_close,
    }))
}

fn content_length(value: &str) -> Result<Option<u64>, String> {
    let mut lengths = value.split(',').map(str::trim).filter(|v| !v.is_empty());
    let Some(first) = lengths.next() else {
        return Ok(None);
    };
    let length = first
        .parse::<u64>()
        .map_err(|_| format!("bad Content-Length {first:?}"))?;
    if lengths.any(|other| other != first) {
        return Err("conflicting Content-Length headers".into());
    }
    Ok(Some(length))
}

/// Where a response body ends (RFC 9112 §6.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Length(u64),
    Chunked(Chunked),
    UntilClose,
}

impl Body {
    /// Take the next received bytes: how many of them belong to the body, and whether it
    /// ended with them.
    pub fn feed(&mut self, data: &[u8]) -> Result<(usize, bool), String> {
        match self {
            Body::Length(remaining) => {
                let taken = (*remaining).min(data.len() as u64);
                *remaining -= taken;
                Ok((taken as usize, *remaining == 0))
            }
            Body::Chunked(chunked) => chunked.feed(data),
            Body::UntilClose => Ok((data.len(), false)),
        }
    }

    /// Whether the body is complete before any byte of it came (an empty body).
    pub fn is_done(&self) -> bool {
        matches!(
            self,
            Body::Length(0)
                | Body::Chunked(Chunked {
                    state: ChunkState::Done
                })
        )
    }
}

/// The chunked transfer coding, decoded only as far as needed to find its end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chunked {
    state: ChunkState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    /// The chunk-size line: the size so far, its digit count, past the digits.
    Size {
        size: u64,
        digits: u32,
        past: bool,
    },
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// Trailer lines after the last chunk; the length of the current one.
    Trailer(usize),
    Done,
}

impl Default for ChunkState {
    fn default() -> ChunkState {
        ChunkState::Size {
            size: 0,
            digits: 0,
            past: false,
        }
    }
}

impl Chunked {
    fn feed(&mut self, data: &[u8]) -> Result<(usize, bool), String> {
        let mut at = 0;
        while at < data.len() {
            if let ChunkState::Data(remaining) = &mut self.state {
                let taken = (*remaining).min((data.len() - at) as u64);
                *remaining -= taken;
                at += taken as usize;
                if *remaining == 0 {
                    self.state = ChunkState::DataEnd;
                }
                continue;
            }
            self.state = self.step(data[at])?;
            at += 1;
            if self.state == ChunkState::Done {
                return Ok((at, true));
            }
        }
        Ok((at, false))
    }

    fn step(&self, byte: u8) -> Result<ChunkState, String> {
        Ok(match (self.state, byte) {
            (ChunkState::Size { digits: 0, .. }, b'\n') => return Err("empty chunk size".into()),
            (ChunkState::Size { size: 0, .. }, b'\n') => ChunkState::Trailer(0),
            (ChunkState::Size { size, .. }, b'\n') => ChunkState::Data(size),
            (
                ChunkState::Size {
                    size,
                    digits,
                    past: false,
                },
                digit,
            ) if digit.is_ascii_hexdigit() => {
                let value = u64::from(char::from(digit).to_digit(16).unwrap_or(0));
                let size = size
                    .checked_mul(16)
                    .and_then(|s| s.checked_add(value))
                    .ok_or("chunk size overflows")?;
                ChunkState::Size {
                    size,
                    digits: digits + 1,
                    past: false,
                }
            }
            // Extensions, whitespace and the CR: skipped up to the LF.
            (ChunkState::Size { size, digits, .. }, _) => ChunkState::Size {
                size,
                digits,
                past: true,
            },
            (ChunkState::DataEnd, b'\r') => ChunkState::DataEnd,
            (ChunkState::DataEnd, b'\n') => ChunkState::default(),
            (ChunkState::DataEnd, _) => return Err("chunk data too long".into()),
            (ChunkState::Trailer(0), b'\n') => ChunkState::Done,
            (ChunkState::Trailer(_), b'\n') => ChunkState::Trailer(0),
            (ChunkState::Trailer(len), b'\r') => ChunkState::Trailer(len),
            (ChunkState::Trailer(len), _) => ChunkState::Trailer(len + 1),
            (state @ (ChunkState::Data(_) | ChunkState::Done), _) => state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let url = parse_url("http://files.example:8080/big.bin?x=1#frag").unwrap();
        assert_eq!(
            (url.host.as_str(), url.port, url.target.as_str()),
            ("files.example", 8080, "/big.bin?x=1")
        );
        assert_eq!(url.authority, "files.example:8080");
        let v6 = parse_url("HTTP://[fd00::2]/").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("fd00::2", 80));
        assert_eq!(parse_url("http://h?q").unwrap().target, "/?q");
        assert_eq!(parse_url("http://h").unwrap().target, "/");
        assert!(parse_url("ftp://h/f").is_err());
        assert!(parse_url("https://h/f").is_err());
        assert!(parse_url("http://u:p@h/f").is_err());
        assert!(parse_url("http:///f").is_err());
        assert!(parse_url("http://h:0/").is_err());
        assert!(parse_url("h/f").is_err());
    }

    #[test]
    fn requests() {
        let url = parse_url("http://10.0.0.2:8080/up").unwrap();
        let get = String::from_utf8(get_request(&url)).unwrap();
        assert!(get.starts_with("GET /up HTTP/1.1\r\nHost: 10.0.0.2:8080\r\n"));
        assert!(get.ends_with("\r\n\r\n"));
        let put = String::from_utf8(put_request(&url, Some(1000))).unwrap();
        assert!(put.contains("\r\nContent-Length: 1000\r\n\r\n"), "{put}");
        let chunked = String::from_utf8(put_request(&url, None)).unwrap();
        assert!(chunked.contains("\r\nTransfer-Encoding: chunked\r\n"));
        assert_eq!(chunk_header(65536), b"10000\r\n");
    }

    #[test]
    fn response_heads() {
        let text = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let head = parse_response_head(text).unwrap().unwrap();
        assert_eq!((head.status, head.len, head.close), (200, 38, false));
        assert_eq!(head.body, Body::Length(5));
        assert_eq!(parse_response_head(&text[..20]).unwrap(), None);
        let close = b"HTTP/1.0 404 Not Found\r\n\r\n";
        let head = parse_response_head(close).unwrap().unwrap();
        assert_eq!((head.status, head.close), (404, true));
        assert_eq!(head.body, Body::UntilClose);
        let bad = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n";
        assert!(parse_response_head(bad).is_err());
        let empty = b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
        let head = parse_response_head(empty).unwrap().unwrap();
        assert!(head.body.is_done() && head.close);
        assert!(parse_response_head(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
    }

    #[test]
    fn chunked_bodies_end_at_the_last_chunk_however_they_are_split() {
        let body = b"5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\nNEXT";
        let end = body.len() - 4;
        for split in 0..body.len() {
            let mut decoder = Body::Chunked(Chunked::default());
            let (first, done) = decoder.feed(&body[..split]).unwrap();
            assert_eq!(first, split.min(end));
            if done {
                assert_eq!(first, end);
                continue;
            }
            let (rest, done) = decoder.feed(&body[split..]).unwrap();
            assert!(done, "split at {split}");
            assert_eq!(split + rest, end, "split at {split}");
        }
        let mut bad = Body::Chunked(Chunked::default());
        assert!(bad.feed(b"zz\r\n").is_err());
        let mut long = Body::Chunked(Chunked::default());
        assert!(long.feed(b"1\r\nab\r\n").is_err());
    }

    #[test]
    fn lengths_and_until_close() {
        let mut body = Body::Length(10);
        assert_eq!(body.feed(b"12345").unwrap(), (5, false));
        assert_eq!(body.feed(b"6789012").unwrap(), (5, true));
        let mut rest = Body::UntilClose;
        assert_eq!(rest.feed(b"abc").unwrap(), (3, false));
    }
}
