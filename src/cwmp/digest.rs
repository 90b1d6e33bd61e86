//! HTTP Digest access authentication (RFC 7616), sans-I/O.
//!
//! Three parts:
//! - a tolerant parser for the `WWW-Authenticate` / `Authorization` grammar (RFC 9110 §11.6.1,
//!   §11.6.2): several challenges in one header value, quoted strings with escapes, commas
//!   inside quotes, case-insensitive names. It never panics and runs in linear time.
//! - the response computation of RFC 7616 §3.4.1 for MD5 and SHA-256 with `qop=auth`.
//! - [`DigestServer`], the server side used by the connection-request listener (TR-069
//!   §3.2.2): it issues challenges and verifies credentials. Time comes in as an argument
//!   (`now`, a duration since any fixed origin), so the module needs no clock.
//!
//! Nonces are stateless: `hex(issued_ms ‖ counter ‖ HMAC-SHA-256(secret, issued_ms ‖ counter)[..16])`.
//! A flood of unauthenticated requests therefore costs no memory, and cannot push a
//! legitimate nonce out of a table. Only nonces that authenticated a request enter the bounded
//! replay table ([`REPLAY_TABLE_SIZE`]), which remembers the highest `nc` seen per nonce
//! (RFC 7616 §3.4: the server should reject a repeated or lower nonce-count).

use std::time::Duration;

use md5::Md5;
use ring::hmac;
use sha2::{Digest, Sha256};

/// The realm cwmpd announces for connection requests.
pub const DEFAULT_REALM: &str = "cwmpd";

/// How long a nonce is accepted after it was issued, unless configured otherwise.
pub const DEFAULT_NONCE_LIFETIME: Duration = Duration::from_secs(300);

/// How many authenticated nonces the replay table tracks at once.
pub const REPLAY_TABLE_SIZE: usize = 32;

// ---------------------------------------------------------------------------------------------
// Header grammar
// ---------------------------------------------------------------------------------------------

/// One challenge (in `WWW-Authenticate`) or one set of credentials (in `Authorization`):
/// `auth-scheme [ 1*SP ( token68 / #auth-param ) ]` (RFC 9110 §11.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthItem {
    /// The scheme as sent (compare with [`AuthItem::is_scheme`]).
    pub scheme: String,
    /// A token68 such as Basic's base64 credentials.
    pub token68: Option<String>,
    /// Parameters in order; names lower-cased, values unquoted.
    pub params: Vec<(String, String)>,
}

impl AuthItem {
    fn new(scheme: &str) -> Self {
        AuthItem {
            scheme: scheme.to_string(),
            token68: None,
            params: Vec::new(),
        }
    }

    /// Case-insensitive scheme comparison (RFC 9110 §11.1).
    pub fn is_scheme(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The first value of a parameter; `name` must be lower case.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn has_duplicate_params(&self) -> bool {
        self.params
            .iter()
            .enumerate()
            .any(|(i, (key, _))| self.params[..i].iter().any(|(k, _)| k == key))
    }
}

/// Parses a `WWW-Authenticate` value into its challenges. Tolerant: on malformed input it
/// returns the challenges read before the damage.
pub fn parse_challenges(value: &str) -> Vec<AuthItem> {
    parse_auth_items(value).0
}

/// Parses an `Authorization` value: exactly one well-formed item without duplicate
/// parameters (RFC 9110 §11.2: each parameter name only once), or `None`.
pub fn parse_credentials(value: &str) -> Option<AuthItem> {
    let (mut items, complete) = parse_auth_items(value);
    if !complete || items.len() != 1 {
        return None;
    }
    let item = items.pop()?;
    (!item.has_duplicate_params()).then_some(item)
}

/// Returns the items and whether the whole input was well formed.
fn parse_auth_items(value: &str) -> (Vec<AuthItem>, bool) {
    let mut cursor = Cursor::new(value.as_bytes());
    let mut items: Vec<AuthItem> = Vec::new();
    loop {
        cursor.skip_whitespace_and_commas();
        if cursor.at_end() {
            return (items, true);
        }
        let name = cursor.token();
        if name.is_empty() {
            return (items, false);
        }
        if let Some(value) = cursor.try_param_value() {
            match items.last_mut() {
                Some(item) if item.token68.is_none() => {
                    item.params.push((name.to_ascii_lowercase(), value))
                }
                _ => return (items, false),
            }
            continue;
        }
        let mut item = AuthItem::new(name);
        item.token68 = cursor.try_token68();
        items.push(item);
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, pos: 0 }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_while(&mut self, pred: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(&pred) {
            self.pos += 1;
        }
        &self.bytes[start..self.pos]
    }

    fn skip_whitespace(&mut self) -> usize {
        self.skip_while(|b| b == b' ' || b == b'\t').len()
    }

    fn skip_whitespace_and_commas(&mut self) {
        self.skip_while(|b| b == b' ' || b == b'\t' || b == b',');
    }

    /// A `token` (RFC 9110 §5.6.2); only ASCII, so the slice is valid UTF-8.
    fn token(&mut self) -> &'a str {
        let raw = self.skip_while(is_tchar);
        std::str::from_utf8(raw).unwrap_or_default()
    }

    /// `OWS "=" OWS ( token / quoted-string )`; restores the position when absent.
    fn try_param_value(&mut self) -> Option<String> {
        let start = self.pos;
        self.skip_whitespace();
        if self.peek() == Some(b'=') {
            self.pos += 1;
            self.skip_whitespace();
            let value = match self.peek() {
                Some(b'"') => self.quoted_string(),
                Some(b'=') | None => None,
                Some(_) => {
                    // A token, leniently: some servers leave base64 nonces unquoted.
                    let raw = self.skip_while(|b| is_tchar(b) || b"/:@?[]=".contains(&b));
                    Some(String::from_utf8_lossy(raw).into_owned()).filter(|v| !v.is_empty())
                }
            };
            if value.is_some() {
                return value;
            }
        }
        self.pos = start;
        None
    }

    /// `quoted-string` with `quoted-pair` escapes; `None` if unterminated.
    fn quoted_string(&mut self) -> Option<String> {
        self.pos += 1; // opening quote
        let mut out = Vec::new();
        loop {
            let byte = self.peek()?;
            self.pos += 1;
            match byte {
                b'"' => return Some(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    out.push(self.peek()?);
                    self.pos += 1;
                }
                _ => out.push(byte),
            }
        }
    }

    /// `1*SP token68` followed by the end or a comma; restores the position when absent.
    fn try_token68(&mut self) -> Option<String> {
        let start = self.pos;
        if self.skip_whitespace() > 0 {
            let body_start = self.pos;
            let body = self.skip_while(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
            self.skip_while(|b| b == b'=');
            let token68 = &self.bytes[body_start..self.pos];
            self.skip_whitespace();
            let end_of_item = self.at_end() || self.peek() == Some(b',');
            if !body.is_empty() && end_of_item {
                return Some(String::from_utf8_lossy(token68).into_owned());
            }
        }
        self.pos = start;
        None
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Quotes a value for a header parameter (RFC 9110 §5.6.4).
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// Response computation (RFC 7616 §3.4.1)
// ---------------------------------------------------------------------------------------------

/// The hash algorithms cwmpd offers and accepts (RFC 7616 §3.3: SHA-256 preferred, MD5 for
/// older ACSs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Md5,
    Sha256,
}

impl DigestAlgorithm {
    /// The name used in the `algorithm` parameter.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Sha256 => "SHA-256",
        }
    }

    /// Parses an `algorithm` value (case-insensitive); the `-sess` variants are not offered
    /// and so not accepted.
    pub fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("MD5") {
            Some(DigestAlgorithm::Md5)
        } else if name.eq_ignore_ascii_case("SHA-256") {
            Some(DigestAlgorithm::Sha256)
        } else {
            None
        }
    }

    fn hex_hash(self, data: &[u8]) -> String {
        match self {
            DigestAlgorithm::Md5 => hex(&Md5::digest(data)),
            DigestAlgorithm::Sha256 => hex(&Sha256::digest(data)),
        }
    }
}

/// Everything that goes into a `qop=auth` response.
#[derive(Debug, Clone, Copy)]
pub struct ResponseInput<'a> {
    pub username: &'a str,
    pub realm: &'a str,
    pub password: &'a str,
    pub method: &'a str,
    pub uri: &'a str,
    pub nonce: &'a str,
    pub nc: u32,
    pub cnonce: &'a str,
}

/// `KD(H(A1), nonce:nc:cnonce:qop:H(A2))` with `qop=auth` (RFC 7616 §3.4.1), lower-case hex.
pub fn response_hash(algorithm: DigestAlgorithm, input: &ResponseInput<'_>) -> String {
    let ha1 = algorithm
        .hex_hash(format!("{}:{}:{}", input.username, input.realm, input.password).as_bytes());
    let ha2 = algorithm.hex_hash(format!("{}:{}", input.method, input.uri).as_bytes());
    let kd = format!(
        "{ha1}:{}:{:08x}:{}:auth:{ha2}",
        input.nonce, input.nc, input.cnonce
    );
    algorithm.hex_hash(kd.as_bytes())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        out[i] = u8::try_from(high * 16 + low).ok()?;
    }
    Some(out)
}

/// Compares without an early exit, so the time taken does not reveal the matching prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ---------------------------------------------------------------------------------------------
// Server side
// ---------------------------------------------------------------------------------------------

/// The outcome of [`DigestServer::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Credentials are right, the nonce is live and the nonce-count is new.
    Authorized,
    /// The digest is right but the nonce expired (or its replay record was evicted): answer
    /// 401 with `stale=true` so the client retries with a fresh nonce (RFC 7616 §3.3).
    Stale,
    /// Anything else: answer 401 with fresh challenges.
    Rejected(Rejection),
}

/// Why a request was rejected; for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// No `Authorization` header could be parsed.
    Malformed,
    /// A scheme other than Digest (e.g. Basic, never accepted for connection requests).
    NotDigest,
    /// A required parameter is missing or invalid (`qop` other than `auth`, bad `nc`, …).
    MissingOrInvalidParameter,
    /// An algorithm that was not offered.
    UnsupportedAlgorithm,
    WrongRealm,
    /// `uri` differs from the request-target (RFC 7616 §3.4.6).
    UriMismatch,
    /// Not a nonce this server issued (or issued in the future).
    UnknownNonce,
    WrongCredentials,
    /// The nonce-count was not higher than the last one accepted for this nonce.
    Replayed,
}

/// The username and password the client must prove.
#[derive(Debug, Clone, Copy)]
pub struct ExpectedCredentials<'a> {
    pub username: &'a str,
    pub password: &'a str,
}

/// The request being authenticated.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    pub method: &'a str,
    /// The request-target exactly as received.
    pub uri: &'a str,
}

/// Issues challenges and verifies Digest credentials; one per listener.
pub struct DigestServer {
    realm: String,
    key: hmac::Key,
    lifetime: Duration,
    next_counter: u64,
    replay: ReplayTable,
}

struct Nonce {
    issued_ms: u64,
    counter: u64,
}

const NONCE_TAG_LEN: usize = 16;
const NONCE_LEN: usize = 8 + 8 + NONCE_TAG_LEN;

impl DigestServer {
    /// `secret` keys the nonce HMAC; take it from a random source at start-up.
    pub fn new(realm: &str, secret: [u8; 32], nonce_lifetime: Duration) -> Self {
        DigestServer {
            realm: realm.to_string(),
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            lifetime: nonce_lifetime,
            next_counter: 1,
            replay: ReplayTable::default(),
        }
    }

    pub fn realm(&self) -> &str {
        &self.realm
    }

    pub fn set_nonce_lifetime(&mut self, lifetime: Duration) {
        self.lifetime = lifetime;
    }

    /// Two `WWW-Authenticate` values sharing one fresh nonce: SHA-256 first, then MD5
    /// (RFC 7616 §3.7: the server lists its preferred algorithm first).
    pub fn challenges(&mut self, now: Duration, stale: bool) -> [String; 2] {
        let nonce = self.issue_nonce(now);
        [DigestAlgorithm::Sha256, DigestAlgorithm::Md5].map(|algorithm| {
            let mut value = format!(
                "Digest realm={}, qop=\"auth\", algorithm={}, nonce={}",
                quote(&self.realm),
                algorithm.name(),
                quote(&nonce)
            );
            if stale {
                value.push_str(", stale=true");
            }
            value
        })
    }

    fn issue_nonce(&mut self, now: Duration) -> String {
        let counter = self.next_counter;
        self.next_counter += 1;
        let mut raw = [0u8; NONCE_LEN];
        raw[..8].copy_from_slice(&millis(now).to_be_bytes());
        raw[8..16].copy_from_slice(&counter.to_be_bytes());
        let tag = hmac::sign(&self.key, &raw[..16]);
        raw[16..].copy_from_slice(&tag.as_ref()[..NONCE_TAG_LEN]);
        hex(&raw)
    }

    fn open_nonce(&self, nonce: &str, now: Duration) -> Option<Nonce> {
        let raw: [u8; NONCE_LEN] = unhex(nonce)?;
        let tag = hmac::sign(&self.key, &raw[..16]);
        if !constant_time_eq(&tag.as_ref()[..NONCE_TAG_LEN], &raw[16..]) {
            return None;
        }
        let issued_ms = u64::from_be_bytes(raw[..8].try_into().ok()?);
        let counter = u64::from_be_bytes(raw[8..16].try_into().ok()?);
        (issued_ms <= millis(now)).then_some(Nonce { issued_ms, counter })
    }

    /// Verifies an `Authorization` header value for `request`.
    pub fn verify(
        &mut self,
        authorization: &str,
        request: RequestLine<'_>,
        expected: ExpectedCredentials<'_>,
        now: Duration,
    ) -> Verification {
        match self.check(authorization, request, expected, now) {
            Ok(verification) => verification,
            Err(rejection) => Verification::Rejected(rejection),
        }
    }

    fn check(
        &mut self,
        authorization: &str,
        request: RequestLine<'_>,
        expected: ExpectedCredentials<'_>,
        now: Duration,
    ) -> Result<Verification, Rejection> {
        let item = parse_credentials(authorization).ok_or(Rejection::Malformed)?;
        if !item.is_scheme("Digest") {
            return Err(Rejection::NotDigest);
        }
        let fields = DigestFields::from_item(&item)?;
        if fields.realm != self.realm {
            return Err(Rejection::WrongRealm);
        }
        if fields.uri != request.uri {
            return Err(Rejection::UriMismatch);
        }
        let nonce = self
            .open_nonce(fields.nonce, now)
            .ok_or(Rejection::UnknownNonce)?;
        self.check_response(&fields, request, expected)?;
        // Only now that the digest is known to be right may the client learn the nonce is stale.
        if millis(now) - nonce.issued_ms > millis(self.lifetime) {
            return Ok(Verification::Stale);
        }
        Ok(self
            .replay
            .record(&nonce, fields.nc, millis(now), millis(self.lifetime)))
    }

    fn check_response(
        &self,
        fields: &DigestFields<'_>,
        request: RequestLine<'_>,
        expected: ExpectedCredentials<'_>,
    ) -> Result<(), Rejection> {
        // An empty configured username means nobody may connect (never "anyone").
        if expected.username.is_empty() || fields.username != expected.username {
            return Err(Rejection::WrongCredentials);
        }
        let input = ResponseInput {
            username: fields.username,
            realm: &self.realm,
            password: expected.password,
            method: request.method,
            uri: request.uri,
            nonce: fields.nonce,
            nc: fields.nc,
            cnonce: fields.cnonce,
        };
        let wanted = response_hash(fields.algorithm, &input);
        let given = fields.response.to_ascii_lowercase();
        if constant_time_eq(wanted.as_bytes(), given.as_bytes()) {
            Ok(())
        } else {
            Err(Rejection::WrongCredentials)
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The parameters of a Digest `Authorization` header (RFC 7616 §3.4).
struct DigestFields<'a> {
    username: &'a str,
    realm: &'a str,
    nonce: &'a str,
    uri: &'a str,
    response: &'a str,
    algorithm: DigestAlgorithm,
    nc: u32,
    cnonce: &'a str,
}

impl<'a> DigestFields<'a> {
    fn from_item(item: &'a AuthItem) -> Result<Self, Rejection> {
        let required = |name: &str| item.param(name).ok_or(Rejection::MissingOrInvalidParameter);
        let algorithm = match item.param("algorithm") {
            None => DigestAlgorithm::Md5, // RFC 7616 §3.3: absent means MD5
            Some(name) => {
                DigestAlgorithm::from_name(name).ok_or(Rejection::UnsupportedAlgorithm)?
            }
        };
        // Only qop=auth was offered; RFC 2069 mode (no qop) has no nonce-count and is refused.
        if required("qop")? != "auth" || item.param("userhash").is_some_and(|v| v != "false") {
            return Err(Rejection::MissingOrInvalidParameter);
        }
        let nc_text = required("nc")?;
        let nc = u32::from_str_radix(nc_text, 16)
            .ok()
            .filter(|_| nc_text.len() == 8)
            .ok_or(Rejection::MissingOrInvalidParameter)?;
        Ok(DigestFields {
            username: required("username")?,
            realm: required("realm")?,
            nonce: required("nonce")?,
            uri: required("uri")?,
            response: required("response")?,
            algorithm,
            nc,
            cnonce: required("cnonce")?,
        })
    }
}

/// Highest nonce-count per authenticated nonce, bounded. When a live entry must be evicted,
/// every nonce issued up to it (by counter) is treated as stale from then on, so an evicted
/// nonce can never be replayed: its client just gets a fresh nonce.
#[derive(Default)]
struct ReplayTable {
    entries: Vec<ReplayEntry>,
    /// Nonces with a counter at or below this one are no longer tracked.
    evicted_up_to: u64,
}

struct ReplayEntry {
    counter: u64,
    issued_ms: u64,
    highest_nc: u32,
}

impl ReplayTable {
    fn record(&mut self, nonce: &Nonce, nc: u32, now_ms: u64, lifetime_ms: u64) -> Verification {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.counter == nonce.counter) {
            if nc <= entry.highest_nc {
                return Verification::Rejected(Rejection::Replayed);
            }
            entry.highest_nc = nc;
            return Verification::Authorized;
        }
        if nonce.counter <= self.evicted_up_to {
            return Verification::Stale;
        }
        self.entries
            .retain(|e| now_ms - e.issued_ms.min(now_ms) <= lifetime_ms);
        if self.entries.len() >= REPLAY_TABLE_SIZE {
            self.evict_oldest();
        }
        self.entries.push(ReplayEntry {
            counter: nonce.counter,
            issued_ms: nonce.issued_ms,
            highest_nc: nc,
        });
        Verification::Authorized
    }

    fn evict_oldest(&mut self) {
        let oldest = self
            .entries
            .iter()
            .enumerate()
            .min_by_key(|(_, e)| e.counter)
            .map(|(i, _)| i);
        if let Some(index) = oldest {
            let entry = self.entries.swap_remove(index);
            self.evicted_up_to = self.evicted_up_to.max(entry.counter);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7616 §3.9.1.
    const RFC_INPUT: ResponseInput<'static> = ResponseInput {
        username: "Mufasa",
        realm: "http-auth@example.org",
        password: "Circle of Life",
        method: "GET",
        uri: "/dir/index.html",
        nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        nc: 1,
        cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    };

    #[test]
    fn rfc7616_md5_vector() {
        assert_eq!(
            response_hash(DigestAlgorithm::Md5, &RFC_INPUT),
            "8ca523f5e9506fed4657c9700eebdbec"
        );
    }

    #[test]
    fn rfc7616_sha256_vector() {
        assert_eq!(
            response_hash(DigestAlgorithm::Sha256, &RFC_INPUT),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn parses_rfc7616_challenges_in_one_value() {
        let value = r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v""#;
        let items = parse_challenges(value);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].param("algorithm"), Some("SHA-256"));
        assert_eq!(items[0].param("qop"), Some("auth, auth-int"));
        assert_eq!(
            items[0].param("opaque"),
            Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
        );
        assert_eq!(items[1].param("algorithm"), Some("MD5"));
        assert_eq!(items[1].params.len(), 4);
    }

    #[test]
    fn parses_escapes_commas_in_quotes_and_case() {
        let items = parse_challenges(r#"dIgEsT REALM="a, \"b\" \\c",Nonce=xyz ,  Basic realm=r"#);
        assert_eq!(items.len(), 2);
        assert!(items[0].is_scheme("Digest"));
        assert_eq!(items[0].param("realm"), Some(r#"a, "b" \c"#));
        assert_eq!(items[0].param("nonce"), Some("xyz"));
        assert!(items[1].is_scheme("basic"));
        assert_eq!(items[1].param("realm"), Some("r"));
    }

    #[test]
    fn parses_token68() {
        let item = parse_credentials("Basic dXNlcjpwYXNz==").expect("credentials");
        assert!(item.is_scheme("Basic"));
        assert_eq!(item.token68.as_deref(), Some("dXNlcjpwYXNz=="));
        assert!(item.params.is_empty());
        let items = parse_challenges("Negotiate abc, Basic realm=\"x\"");
        assert_eq!(items[0].token68.as_deref(), Some("abc"));
        assert_eq!(items[1].param("realm"), Some("x"));
    }

    #[test]
    fn credentials_must_be_one_clean_item() {
        assert_eq!(parse_credentials(r#"Digest realm="unterminated"#), None);
        assert_eq!(parse_credentials(r#"Digest a=1, a=2"#), None);
        assert_eq!(parse_credentials(r#"Digest a=1, Basic b=2"#), None);
        assert_eq!(parse_credentials(""), None);
        assert_eq!(parse_credentials("=x"), None);
    }

    #[test]
    fn hostile_input_never_panics() {
        let samples = [
            "\"",
            "\\",
            "Digest \"",
            "Digest a=\"\\",
            "Digest a=",
            "Digest ,,,, =",
            "é=ü, ß",
            "Digest realm=\"\u{1F600}\", nonce=\u{1F600}",
            "Basic ====",
            "a b c d",
            "\0\0",
        ];
        for sample in samples {
            let _ = parse_challenges(sample);
            let _ = parse_credentials(sample);
        }
        let mut server = DigestServer::new("r", [1; 32], DEFAULT_NONCE_LIFETIME);
        for sample in samples {
            let verification = server.verify(sample, GET_ROOT, CREDS, Duration::ZERO);
            assert!(matches!(verification, Verification::Rejected(_)));
        }
    }

    #[test]
    fn tolerates_unquoted_base64_values() {
        let items = parse_challenges("Digest realm=r, nonce=ab/c+d==, qop=auth");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].param("nonce"), Some("ab/c+d=="));
        assert_eq!(items[0].param("qop"), Some("auth"));
    }

    /// A cheap deterministic fuzz: random strings over the characters that matter.
    #[test]
    fn random_input_never_panics() {
        const ALPHABET: &[&str] = &[
            "Digest",
            "Basic",
            " ",
            ",",
            "=",
            "\"",
            "\\",
            "realm",
            "nonce",
            "a",
            "é",
            "\t",
            "/",
            "uri",
            "nc",
            "00000001",
            "response",
            "qop",
            "auth",
            "\u{1F600}",
            "==",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut server = server();
        for _ in 0..5000 {
            let length = next() % 24;
            let text: String = (0..length)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let _ = parse_challenges(&text);
            let _ = parse_credentials(&text);
            let _ = server.verify(&text, GET_ROOT, CREDS, Duration::ZERO);
        }
    }

    const GET_ROOT: RequestLine<'static> = RequestLine {
        method: "GET",
        uri: "/cr",
    };
    const CREDS: ExpectedCredentials<'static> = ExpectedCredentials {
        username: "acs",
        password: "s3cret",
    };

    fn server() -> DigestServer {
        DigestServer::new(DEFAULT_REALM, [7; 32], Duration::from_secs(60))
    }

    /// Answers a challenge with an independent client implementation (the digest_auth crate).
    fn answer(challenge: &str, password: &str, nc: u32) -> String {
        let mut prompt = digest_auth::parse(challenge).expect("challenge parses");
        prompt.nc = nc - 1;
        let context = digest_auth::AuthContext::new("acs", password, "/cr");
        prompt.respond(&context).expect("response").to_string()
    }

    fn nonce_of(challenge: &str) -> String {
        parse_challenges(challenge)[0]
            .param("nonce")
            .expect("nonce")
            .to_string()
    }

    #[test]
    fn challenges_offer_sha256_then_md5_with_one_nonce() {
        let [first, second] = server().challenges(Duration::from_secs(5), false);
        assert!(
            first.starts_with("Digest realm=\"cwmpd\", qop=\"auth\", algorithm=SHA-256, nonce=\"")
        );
        assert!(second.starts_with("Digest realm=\"cwmpd\", qop=\"auth\", algorithm=MD5, nonce=\""));
        assert_eq!(nonce_of(&first), nonce_of(&second));
        assert_eq!(nonce_of(&first).len(), 64);
        let [stale, _] = server().challenges(Duration::ZERO, true);
        assert!(stale.ends_with(", stale=true"));
    }

    #[test]
    fn nonces_differ_within_one_millisecond() {
        let mut server = server();
        let a = server.challenges(Duration::ZERO, false);
        let b = server.challenges(Duration::ZERO, false);
        assert_ne!(nonce_of(&a[0]), nonce_of(&b[0]));
    }

    #[test]
    fn verifies_sha256_and_md5() {
        let mut server = server();
        let now = Duration::from_secs(10);
        for pick in [0, 1] {
            let challenge = &server.challenges(now, false)[pick];
            let auth = answer(challenge, "s3cret", 1);
            assert_eq!(
                server.verify(&auth, GET_ROOT, CREDS, now),
                Verification::Authorized,
                "{auth}"
            );
        }
    }

    #[test]
    fn rejects_wrong_password_and_username() {
        let mut server = server();
        let [challenge, _] = server.challenges(Duration::ZERO, false);
        let auth = answer(&challenge, "guess", 1);
        assert_eq!(
            server.verify(&auth, GET_ROOT, CREDS, Duration::ZERO),
            Verification::Rejected(Rejection::WrongCredentials)
        );
        let nobody = ExpectedCredentials {
            username: "",
            password: "",
        };
        let auth = answer(&challenge, "s3cret", 1);
        assert_eq!(
            server.verify(&auth, GET_ROOT, nobody, Duration::ZERO),
            Verification::Rejected(Rejection::WrongCredentials)
        );
    }

    #[test]
    fn rejects_replayed_and_lower_nonce_counts() {
        let mut server = server();
        let now = Duration::ZERO;
        let [challenge, _] = server.challenges(now, false);
        let second = answer(&challenge, "s3cret", 2);
        assert_eq!(
            server.verify(&second, GET_ROOT, CREDS, now),
            Verification::Authorized
        );
        assert_eq!(
            server.verify(&second, GET_ROOT, CREDS, now),
            Verification::Rejected(Rejection::Replayed)
        );
        let first = answer(&challenge, "s3cret", 1);
        assert_eq!(
            server.verify(&first, GET_ROOT, CREDS, now),
            Verification::Rejected(Rejection::Replayed)
        );
        let third = answer(&challenge, "s3cret", 3);
        assert_eq!(
            server.verify(&third, GET_ROOT, CREDS, now),
            Verification::Authorized
        );
    }

    #[test]
    fn expired_nonce_is_stale_only_with_right_credentials() {
        let mut server = server();
        let [challenge, _] = server.challenges(Duration::from_secs(1), false);
        let later = Duration::from_secs(62);
        let right = answer(&challenge, "s3cret", 1);
        assert_eq!(
            server.verify(&right, GET_ROOT, CREDS, later),
            Verification::Stale
        );
        let wrong = answer(&challenge, "guess", 1);
        assert_eq!(
            server.verify(&wrong, GET_ROOT, CREDS, later),
            Verification::Rejected(Rejection::WrongCredentials)
        );
        // Exactly at the lifetime the nonce is still live.
        let edge = Duration::from_secs(61);
        assert_eq!(
            server.verify(&right, GET_ROOT, CREDS, edge),
            Verification::Authorized
        );
    }

    #[test]
    fn rejects_forged_foreign_and_future_nonces() {
        let mut server = server();
        let mut other = DigestServer::new(DEFAULT_REALM, [8; 32], Duration::from_secs(60));
        let [foreign, _] = other.challenges(Duration::ZERO, false);
        let auth = answer(&foreign, "s3cret", 1);
        assert_eq!(
            server.verify(&auth, GET_ROOT, CREDS, Duration::ZERO),
            Verification::Rejected(Rejection::UnknownNonce)
        );
        let [future, _] = server.challenges(Duration::from_secs(100), false);
        let auth = answer(&future, "s3cret", 1);
        assert_eq!(
            server.verify(&auth, GET_ROOT, CREDS, Duration::from_secs(99)),
            Verification::Rejected(Rejection::UnknownNonce)
        );
    }

    #[test]
    fn rejects_wrong_uri_realm_algorithm_qop_and_scheme() {
        let mut server = server();
        let [challenge, _] = server.challenges(Duration::ZERO, false);
        let auth = answer(&challenge, "s3cret", 1);
        let other_uri = RequestLine {
            method: "GET",
            uri: "/other",
        };
        assert_eq!(
            server.verify(&auth, other_uri, CREDS, Duration::ZERO),
            Verification::Rejected(Rejection::UriMismatch)
        );
        let cases = [
            (
                auth.replace("realm=\"cwmpd\"", "realm=\"x\""),
                Rejection::WrongRealm,
            ),
            (
                auth.replace("algorithm=SHA-256", "algorithm=SHA-256-sess"),
                Rejection::UnsupportedAlgorithm,
            ),
            (
                auth.replace("qop=auth", "qop=auth-int"),
                Rejection::MissingOrInvalidParameter,
            ),
            (
                auth.replace("nc=00000001", "nc=1"),
                Rejection::MissingOrInvalidParameter,
            ),
            ("Basic YWNzOnMzY3JldA==".to_string(), Rejection::NotDigest),
        ];
        for (header, rejection) in cases {
            assert_eq!(
                server.verify(&header, GET_ROOT, CREDS, Duration::ZERO),
                Verification::Rejected(rejection),
                "{header}"
            );
        }
    }

    #[test]
    fn evicted_nonces_become_stale_not_replayable() {
        let mut server = server();
        let now = Duration::ZERO;
        let [first, _] = server.challenges(now, false);
        assert_eq!(
            server.verify(&answer(&first, "s3cret", 1), GET_ROOT, CREDS, now),
            Verification::Authorized
        );
        for _ in 0..REPLAY_TABLE_SIZE {
            let [challenge, _] = server.challenges(now, false);
            let auth = answer(&challenge, "s3cret", 1);
            assert_eq!(
                server.verify(&auth, GET_ROOT, CREDS, now),
                Verification::Authorized
            );
        }
        // `first` was evicted: even a fresh nc cannot be checked any more.
        assert_eq!(
            server.verify(&answer(&first, "s3cret", 2), GET_ROOT, CREDS, now),
            Verification::Stale
        );
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(unhex::<3>("00ABff"), Some([0, 0xab, 0xff]));
        assert_eq!(unhex::<2>("0g00"), None);
        assert_eq!(unhex::<2>("000"), None);
        assert_eq!(unhex::<1>("é"), None);
    }
}
