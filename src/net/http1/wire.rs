//! HTTP/1.1 on the wire, sans I/O (RFC 9112): the request head we write, the response head
//! we parse (httparse), and the response body's framing — Content-Length, chunked, or until
//! the server closes. Every limit is fixed here, so a hostile server cannot make the client
//! allocate more than a few tens of kilobytes or panic.

use std::fmt;

/// A response head (status line and header fields) larger than this is refused.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// More header fields than this are refused.
pub const MAX_HEADERS: usize = 64;
/// A chunk-size line (with its extensions) longer than this is refused.
pub const MAX_CHUNK_LINE: usize = 1024;

/// The response was not HTTP/1.x as we can read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn wire_error(text: impl Into<String>) -> WireError {
    WireError(text.into())
}

/// Writes a request head. The caller's header values must not contain CR, LF or NUL
/// (`Err` names the header otherwise): an ACS-configured user name must not smuggle headers.
pub fn request_head(
    method: &str,
    target: &str,
    host: &str,
    headers: &[(&str, &str)],
    content_length: Option<u64>,
) -> Result<Vec<u8>, WireError> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(wire_error(format!(
                "invalid character in the {name} header"
            )));
        }
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    if let Some(length) = content_length {
        head.push_str(&format!("Content-Length: {length}\r\n"));
    }
    head.push_str("\r\n");
    Ok(head.into_bytes())
}

/// One chunk of a chunked request body (RFC 9112 §7.1): size line, data, CRLF.
pub fn chunk(data: &[u8]) -> Vec<u8> {
    let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
    chunk.extend_from_slice(data);
    chunk.extend_from_slice(b"\r\n");
    chunk
}

/// The last chunk of a chunked request body, without trailers.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// The status line and header fields of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    /// The minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    pub minor_version: u8,
    /// Names lowercase, values as received.
    headers: Vec<(String, Vec<u8>)>,
}

impl ResponseHead {
    /// Every value of a header field that is visible ASCII (as `http::HeaderValue::to_str`).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .filter_map(|(_, value)| visible_ascii(value))
    }

    /// The first usable value of a header field.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .find_map(|(_, value)| visible_ascii(value))
    }

    /// The Content-Length, if one was sent.
    pub fn content_length(&self) -> Result<Option<u64>, WireError> {
        let mut length = None;
        for (name, value) in &self.headers {
            if name != "content-length" {
                continue;
            }
            // RFC 9110 §8.6: a list of identical values is one value; anything else is fatal.
            for item in value.split(|&b| b == b',') {
                let item = item.trim_ascii();
                let parsed = parse_decimal(item)
                    .ok_or_else(|| wire_error("invalid Content-Length header"))?;
                if length.is_some_and(|known| known != parsed) {
                    return Err(wire_error("conflicting Content-Length headers"));
                }
                length = Some(parsed);
            }
        }
        Ok(length)
    }

    /// How the body is delimited (RFC 9112 §6.3), for a response to a request that was not HEAD.
    pub fn framing(&self) -> Result<Framing, WireError> {
        if self.status < 200 || self.status == 204 || self.status == 304 {
            return Ok(Framing::Length(0));
        }
        let codings: Vec<String> = self
            .headers
            .iter()
            .filter(|(name, _)| name == "transfer-encoding")
            .flat_map(|(_, value)| value.split(|&b| b == b','))
            .map(|coding| String::from_utf8_lossy(coding.trim_ascii()).to_ascii_lowercase())
            .filter(|coding| !coding.is_empty())
            .collect();
        if !codings.is_empty() {
            // We send no TE or Accept-Encoding: chunked is the only coding a server may use.
            return match codings.iter().all(|c| c == "chunked") {
                true => Ok(Framing::Chunked),
                false => Err(wire_error(format!(
                    "unsupported Transfer-Encoding: {}",
                    codings.join(", ")
                ))),
            };
        }
        Ok(match self.content_length()? {
            Some(length) => Framing::Length(length),
            None => Framing::UntilClose,
        })
    }

    /// Whether the server keeps the connection open after this response (RFC 9112 §9.3).
    pub fn keep_alive(&self) -> bool {
        let has = |token: &str| {
            self.all("connection")
                .flat_map(|value| value.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.minor_version == 0 {
            has("keep-alive")
        } else {
            !has("close")
        }
    }
}

fn visible_ascii(value: &[u8]) -> Option<&str> {
    value
        .iter()
        .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b))
        .then(|| std::str::from_utf8(value).ok())
        .flatten()
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Parses a response head at the start of `input`: `Ok(None)` when more bytes are needed,
/// else the head and how many bytes it took.
pub fn parse_head(input: &[u8]) -> Result<Option<(ResponseHead, usize)>, WireError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut fields);
    let used = match response.parse(input) {
        Ok(httparse::Status::Complete(used)) => used,
        Ok(httparse::Status::Partial) if input.len() >= MAX_HEAD_BYTES => {
            return Err(wire_error(format!(
                "response head larger than {MAX_HEAD_BYTES} bytes"
            )))
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(wire_error(format!(
                "more than {MAX_HEADERS} response header fields"
            )))
        }
        Err(e) => return Err(wire_error(format!("malformed response head ({e})"))),
    };
    if used > MAX_HEAD_BYTES {
        return Err(wire_error(format!(
            "response head larger than {MAX_HEAD_BYTES} bytes"
        )));
    }
    let (Some(status), Some(minor_version)) = (response.code, response.version) else {
        return Err(wire_error("malformed status line"));
    };
    let headers = response
        .headers
        .iter()
        .map(|field| (field.name.to_ascii_lowercase(), field.value.to_vec()))
        .collect();
    Ok(Some((
        ResponseHead {
            status,
            minor_version,
            headers,
        },
        used,
    )))
}

/// How a response body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Length(u64),
    Chunked,
    /// Until the server closes the connection (which then cannot be reused).
    UntilClose,
}

/// One step of [`BodyDecoder::step`] over the unread input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing can be decided without more input.
    NeedMore,
    /// The first `n` bytes are framing: drop them and step again.
    Skip(usize),
    /// The first `n` bytes are body data.
    Data(usize),
    /// The body is complete after the first `n` (framing) bytes.
    Done(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Remaining(u64),
    ChunkSize,
    ChunkData(u64),
    ChunkDataEnd,
    /// The trailer section, with how many bytes of it were seen.
    Trailers(usize),
    UntilClose,
    Done,
}

/// Decodes a response body from the bytes after the head, without ever buffering it: the
/// caller feeds what it has read and consumes what each step says.
#[derive(Debug, Clone)]
pub struct BodyDecoder {
    state: State,
}

impl BodyDecoder {
    pub fn new(framing: Framing) -> BodyDecoder {
        let state = match framing {
            Framing::Length(length) => State::Remaining(length),
            Framing::Chunked => State::ChunkSize,
            Framing::UntilClose => State::UntilClose,
        };
        BodyDecoder { state }
    }

    /// Whether the body is complete.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Body bytes still expected when the length is known (for early size checks).
    pub fn remaining(&self) -> Option<u64> {
        match self.state {
            State::Remaining(n) => Some(n),
            _ => None,
        }
    }

    /// Decides what the start of `input` is.
    pub fn step(&mut self, input: &[u8]) -> Result<Step, WireError> {
        match self.state {
            State::Done => Ok(Step::Done(0)),
            State::Remaining(0) => {
                self.state = State::Done;
                Ok(Step::Done(0))
            }
            State::Remaining(left) => Ok(self.data(input, left, State::Remaining)),
            State::UntilClose if input.is_empty() => Ok(Step::NeedMore),
            State::UntilClose => Ok(Step::Data(input.len())),
            State::ChunkSize => self.chunk_size(input),
            State::ChunkData(left) => Ok(self.data(input, left, State::ChunkData)),
            State::ChunkDataEnd => match input {
                [b'\r', b'\n', ..] | [b'\n', ..] => {
                    let used = if input[0] == b'\n' { 1 } else { 2 };
                    self.state = State::ChunkSize;
                    Ok(Step::Skip(used))
                }
                [] | [b'\r'] => Ok(Step::NeedMore),
                _ => Err(wire_error("no line end after chunk data")),
            },
            State::Trailers(seen) => self.trailer_line(input, seen),
        }
    }

    fn data(&mut self, input: &[u8], left: u64, state: fn(u64) -> State) -> Step {
        if input.is_empty() {
            return Step::NeedMore;
        }
        let take = usize::try_from(left).map_or(input.len(), |left| left.min(input.len()));
        let left = left - take as u64;
        self.state = match state(left) {
            State::ChunkData(0) => State::ChunkDataEnd,
            next => next,
        };
        Step::Data(take)
    }

    fn chunk_size(&mut self, input: &[u8]) -> Result<Step, WireError> {
        match httparse::parse_chunk_size(input) {
            Ok(httparse::Status::Complete((used, _))) if used > MAX_CHUNK_LINE => {
                Err(wire_error("chunk size line too long"))
            }
            Ok(httparse::Status::Complete((used, 0))) => {
                self.state = State::Trailers(0);
                Ok(Step::Skip(used))
            }
            Ok(httparse::Status::Complete((used, size))) => {
                self.state = State::ChunkData(size);
                Ok(Step::Skip(used))
            }
            Ok(httparse::Status::Partial) if input.len() > MAX_CHUNK_LINE => {
                Err(wire_error("chunk size line too long"))
            }
            Ok(httparse::Status::Partial) => Ok(Step::NeedMore),
            Err(_) => Err(wire_error("invalid chunk size")),
        }
    }

    /// One trailer field line (ignored), or the empty line that ends the message.
    fn trailer_line(&mut self, input: &[u8], seen: usize) -> Result<Step, WireError> {
        let Some(newline) = input.iter().position(|&b| b == b'\n') else {
            return match seen + input.len() > MAX_HEAD_BYTES {
                true => Err(wire_error("trailer section too large")),
                false => Ok(Step::NeedMore),
            };
        };
        let used = newline + 1;
        if seen + used > MAX_HEAD_BYTES {
            return Err(wire_error("trailer section too large"));
        }
        let line = &input[..newline];
        if line.is_empty() || line == b"\r" {
            self.state = State::Done;
            return Ok(Step::Done(used));
        }
        self.state = State::Trailers(seen + used);
        Ok(Step::Skip(used))
    }

    /// The connection reached its end: fine when the body runs until then, or is complete.
    pub fn at_eof(&mut self) -> Result<(), WireError> {
        match self.state {
            State::UntilClose | State::Done => {
                self.state = State::Done;
                Ok(())
            }
            _ => Err(wire_error(
                "the server closed the connection before the body was complete",
            )),
        }
    }
}

/// A [`BodyDecoder`] for callers that read into buffers of their own and only need to know
/// how much body each held and where it ends (the TR-143 diagnostics, which time every read):
/// framing split between two reads is carried over to the next one.
#[derive(Debug, Clone)]
pub struct BodyScanner {
    decoder: BodyDecoder,
    /// Framing bytes that could not be decided without more input (a few bytes of a chunk
    /// size line or trailer; bounded by the decoder's limits).
    carry: Vec<u8>,
}

impl BodyScanner {
    pub fn new(framing: Framing) -> BodyScanner {
        BodyScanner {
            decoder: BodyDecoder::new(framing),
            carry: Vec::new(),
        }
    }

    /// Takes the next bytes read: how many of them are body data, and whether the body ended
    /// with them (bytes after its end are not looked at). An empty `input` tells whether an
    /// empty body is already complete.
    pub fn feed(&mut self, input: &[u8]) -> Result<(usize, bool), WireError> {
        if self.carry.is_empty() {
            let (data, used, done) = self.scan(input)?;
            if !done {
                self.carry.extend_from_slice(&input[used..]);
            }
            return Ok((data, done));
        }
        let mut pending = std::mem::take(&mut self.carry);
        pending.extend_from_slice(input);
        let (data, used, done) = self.scan(&pending)?;
        if !done {
            pending.drain(..used);
            self.carry = pending;
        }
        Ok((data, done))
    }

    /// Body bytes, bytes used, and whether the body is complete.
    fn scan(&mut self, input: &[u8]) -> Result<(usize, usize, bool), WireError> {
        let (mut used, mut data) = (0, 0);
        loop {
            match self.decoder.step(&input[used..])? {
                Step::NeedMore => return Ok((data, used, false)),
                Step::Skip(n) => used += n,
                Step::Data(n) => {
                    used += n;
                    data += n;
                }
                Step::Done(n) => return Ok((data, used + n, true)),
            }
        }
    }

    /// The connection reached its end: fine when the body runs until then, or is complete.
    pub fn at_eof(&mut self) -> Result<(), WireError> {
        self.decoder.at_eof()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> ResponseHead {
        let (head, used) = parse_head(text.as_bytes()).unwrap().unwrap();
        assert_eq!(used, text.len());
        head
    }

    /// The body of `input` after decoding, fed in pieces of `piece` bytes.
    fn decode(framing: Framing, input: &[u8], piece: usize) -> Result<Vec<u8>, WireError> {
        let mut decoder = BodyDecoder::new(framing);
        let mut buffer: Vec<u8> = Vec::new();
        let mut fed = 0;
        let mut body = Vec::new();
        loop {
            match decoder.step(&buffer)? {
                Step::NeedMore if fed == input.len() => {
                    decoder.at_eof()?;
                    return Ok(body);
                }
                Step::NeedMore => {
                    let end = (fed + piece).min(input.len());
                    buffer.extend_from_slice(&input[fed..end]);
                    fed = end;
                }
                Step::Skip(n) => {
                    buffer.drain(..n);
                }
                Step::Data(n) => {
                    body.extend(buffer.drain(..n));
                }
                Step::Done(n) => {
                    buffer.drain(..n);
                    return Ok(body);
                }
            }
        }
    }

    #[test]
    fn writes_a_request_head() {
        let head = request_head(
            "POST",
            "/acs?x",
            "acs:7547",
            &[("SOAPAction", ""), ("Cookie", "a=b")],
            Some(5),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(head).unwrap(),
            "POST /acs?x HTTP/1.1\r\nHost: acs:7547\r\nSOAPAction: \r\nCookie: a=b\r\nContent-Length: 5\r\n\r\n"
        );
        let smuggled = request_head("GET", "/", "h", &[("Authorization", "x\r\nEvil: 1")], None);
        assert_eq!(
            smuggled,
            Err(WireError(
                "invalid character in the Authorization header".into()
            ))
        );
    }

    #[test]
    fn writes_chunks() {
        assert_eq!(chunk(b"hello"), b"5\r\nhello\r\n");
        assert_eq!(&chunk(&[0; 65536])[..7], b"10000\r\n");
        assert_eq!(chunk(&[0; 65536]).len(), 7 + 65536 + 2);
        let mut body = chunk(b"ab");
        body.extend_from_slice(LAST_CHUNK);
        assert_eq!(decode(Framing::Chunked, &body, 1).unwrap(), b"ab");
    }

    #[test]
    fn parses_a_head_in_pieces() {
        let text = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"a\"\r\nWWW-Authenticate: Digest realm=\"a\", nonce=\"n\"\r\nContent-Length: 3\r\nX-Bin: \xff\r\n\r\nabc";
        for end in 0..text.len() - 3 {
            assert_eq!(parse_head(&text[..end]), Ok(None), "{end}");
        }
        let (head, used) = parse_head(text).unwrap().unwrap();
        assert_eq!(
            (head.status, head.minor_version, used),
            (401, 1, text.len() - 3)
        );
        assert_eq!(head.all("www-authenticate").count(), 2);
        assert_eq!(head.header("Content-Length"), Some("3"));
        assert_eq!(head.header("x-bin"), None, "not visible ASCII");
        assert_eq!(head.framing(), Ok(Framing::Length(3)));
        assert!(head.keep_alive());
    }

    #[test]
    fn refuses_malformed_and_huge_heads() {
        assert!(parse_head(b"HTTP/1.1 2x0 OK\r\n\r\n").is_err());
        assert!(parse_head(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(parse_head(b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n").is_err());
        let endless = format!("HTTP/1.1 200 OK\r\nX: {}", "a".repeat(MAX_HEAD_BYTES));
        assert_eq!(
            parse_head(endless.as_bytes()),
            Err(WireError(format!(
                "response head larger than {MAX_HEAD_BYTES} bytes"
            )))
        );
        let many = format!(
            "HTTP/1.1 200 OK\r\n{}\r\n",
            "X: y\r\n".repeat(MAX_HEADERS + 1)
        );
        assert_eq!(
            parse_head(many.as_bytes()),
            Err(WireError(format!(
                "more than {MAX_HEADERS} response header fields"
            )))
        );
    }

    #[test]
    fn framing_follows_rfc_9112() {
        let framing = |text: &str| head(text).framing();
        assert_eq!(
            framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n"),
            Ok(Framing::Chunked)
        );
        assert_eq!(
            framing("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n"),
            Ok(Framing::Length(0))
        );
        assert_eq!(framing("HTTP/1.0 200 OK\r\n\r\n"), Ok(Framing::UntilClose));
        assert_eq!(
            framing("HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\n\r\n"),
            Ok(Framing::Length(7))
        );
        for bad in [
            "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 8\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        ] {
            assert!(framing(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keep_alive_by_version_and_connection_header() {
        assert!(!head("HTTP/1.1 200 OK\r\nConnection: Close\r\n\r\n").keep_alive());
        assert!(!head("HTTP/1.0 200 OK\r\n\r\n").keep_alive());
        assert!(head("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n").keep_alive());
    }

    #[test]
    fn decodes_chunked_bodies_in_any_pieces() {
        let input = b"5;ext=1\r\nhello\r\n0007\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n";
        for piece in 1..input.len() {
            assert_eq!(
                decode(Framing::Chunked, input, piece).unwrap(),
                b"hello, world",
                "{piece}"
            );
        }
    }

    #[test]
    fn a_scanner_counts_body_bytes_and_finds_the_end_however_reads_split() {
        let input = b"5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\nNEXT";
        for split in 0..input.len() {
            let mut scanner = BodyScanner::new(Framing::Chunked);
            let (first, done) = scanner.feed(&input[..split]).unwrap();
            let (second, done) = match done {
                true => (0, true),
                false => scanner.feed(&input[split..]).unwrap(),
            };
            assert_eq!((first + second, done), (21, true), "split at {split}");
        }
        let mut length = BodyScanner::new(Framing::Length(10));
        assert_eq!(length.feed(b"12345"), Ok((5, false)));
        assert_eq!(length.feed(b"6789012"), Ok((5, true)));
        assert_eq!(
            BodyScanner::new(Framing::Length(0)).feed(&[]),
            Ok((0, true))
        );
        let mut until_close = BodyScanner::new(Framing::UntilClose);
        assert_eq!(until_close.feed(b"abc"), Ok((3, false)));
        assert_eq!(until_close.at_eof(), Ok(()));
        let mut cut = BodyScanner::new(Framing::Length(4));
        assert_eq!(cut.feed(b"ab"), Ok((2, false)));
        assert!(cut.at_eof().is_err());
        assert!(BodyScanner::new(Framing::Chunked).feed(b"zz\r\n").is_err());
        assert!(BodyScanner::new(Framing::Chunked)
            .feed(b"1\r\nab\r\n")
            .is_err());
    }

    #[test]
    fn length_and_close_delimited_bodies() {
        assert_eq!(decode(Framing::Length(3), b"abcdef", 2).unwrap(), b"abc");
        assert_eq!(
            decode(Framing::UntilClose, b"abcdef", 4).unwrap(),
            b"abcdef"
        );
        assert!(decode(Framing::Length(10), b"abc", 2).is_err());
    }

    #[test]
    fn refuses_broken_and_hostile_chunking() {
        let truncated: &[&[u8]] = &[
            b"5\r\nhel",
            b"5\r\nhello\r\n",
            b"5\r\nhello",
            b"0\r\nX: 1\r\n",
        ];
        for input in truncated {
            assert!(decode(Framing::Chunked, input, 3).is_err(), "{input:?}");
        }
        let malformed: &[&[u8]] = &[
            b"zz\r\n",
            b"5\r\nhelloXX0\r\n\r\n",
            b"FFFFFFFFFFFFFFFFF\r\n",
        ];
        for input in malformed {
            assert!(decode(Framing::Chunked, input, 64).is_err(), "{input:?}");
        }
        let long_line = format!("1;{}\r\n", "x".repeat(MAX_CHUNK_LINE));
        assert_eq!(
            decode(Framing::Chunked, long_line.as_bytes(), 256),
            Err(WireError("chunk size line too long".into()))
        );
        let endless_trailers = format!("0\r\n{}", "X: y\r\n".repeat(MAX_HEAD_BYTES / 6 + 1));
        assert_eq!(
            decode(Framing::Chunked, endless_trailers.as_bytes(), 4096),
            Err(WireError("trailer section too large".into()))
        );
        // A huge announced chunk is counted down, never allocated.
        let mut decoder = BodyDecoder::new(Framing::Chunked);
        assert_eq!(decoder.step(b"FFFFFFFFFFFFFFF\r\n"), Ok(Step::Skip(17)));
        assert_eq!(decoder.step(b"abc"), Ok(Step::Data(3)));
    }
}
