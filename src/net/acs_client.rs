//! The HTTP side of one CWMP session with the ACS (TR-069 §3.4).
//!
//! One [`AcsSession`] per CWMP session: its own cookie jar (the ACS ties a session's POSTs
//! together with a cookie, §3.4.1) and one kept-alive HTTP/1.1 connection (§3.4.1: a session
//! should use a single connection), both from `net::http1`. Redirects and authentication have
//! session scope in TR-069: a redirect moves the rest of the session (§3.4.5), and a Digest
//! context is reused with an increasing nonce-count for the rest of the session (§3.4.4,
//! RFC 7616 §3.4).

use std::error::Error as StdError;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use digest_auth::{AuthContext, WwwAuthenticateHeader};
use tokio::time::{timeout_at, Instant};

use crate::cwmp::digest::{parse_challenges, AuthItem};
use crate::net::http1::cookies::CookieJar;
use crate::net::http1::{self, Client, HttpUrl, Request, ResponseHead, UrlError};
use crate::net::tls::{self, TlsFiles};

/// Replies larger than this are refused (a CWMP envelope is a few kB; a big
/// GetParameterValues response goes the other way).
pub const MAX_REPLY_BODY: usize = 4 * 1024 * 1024;
/// Redirects followed per session (TR-069 §3.4.5 asks for at least 5).
pub const MAX_REDIRECTS: u32 = 5;
/// Per-request timeout unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How much of an error or redirect body is read (to keep the connection reusable).
const MAX_DRAINED_BODY: usize = 64 * 1024;
/// How often one request may be retried because the server called our nonce stale.
const MAX_STALE_RETRIES: u32 = 2;

/// How to reach the ACS (ManagementServer.URL, .Username, .Password and TLS files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcsSettings {
    pub url: String,
    pub username: String,
    pub password: String,
    pub tls: TlsFiles,
    /// For each request as a whole: connect, send, and read the reply.
    pub timeout: Duration,
}

impl AcsSettings {
    /// No credentials, system CAs only, the default timeout.
    pub fn new(url: &str) -> Self {
        AcsSettings {
            url: url.to_string(),
            username: String::new(),
            password: String::new(),
            tls: TlsFiles::default(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// What the ACS answered to one POST. `status` is 2xx, or 500 with an XML body (a SOAP
/// Fault, SOAP 1.1 §6.2); anything else is an [`AcsError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcsReply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why a POST failed; one variant per kind the log and the status output distinguish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcsError {
    /// The ACS host name did not resolve.
    Dns(String),
    /// No TCP connection (refused, unreachable, …).
    Connect(String),
    /// The TLS handshake failed (untrusted certificate, wrong host name, client certificate refused, …).
    Tls(String),
    Timeout,
    /// The ACS refused our credentials, offered no usable scheme, or wants credentials from a
    /// host we may not give them to.
    Unauthorized,
    /// A status other than 2xx, a SOAP Fault 500, 401, 302 or 307.
    HttpStatus(u16),
    TooManyRedirects,
    BodyTooLarge,
    InvalidUrl(String),
    /// Configuration that cannot work (missing or unparsable certificate files, …).
    Config(String),
    Other(String),
}

impl fmt::Display for AcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AcsError::Dns(detail) => write!(f, "ACS host name lookup failed: {detail}"),
            AcsError::Connect(detail) => write!(f, "cannot connect to the ACS: {detail}"),
            AcsError::Tls(detail) => write!(f, "TLS handshake with the ACS failed: {detail}"),
            AcsError::Timeout => f.write_str("the ACS did not answer in time"),
            AcsError::Unauthorized => f.write_str("HTTP 401: the ACS refused our credentials"),
            AcsError::HttpStatus(code) => write!(f, "the ACS answered HTTP {code}"),
            AcsError::TooManyRedirects => {
                write!(f, "the ACS redirected more than {MAX_REDIRECTS} times")
            }
            AcsError::BodyTooLarge => {
                write!(f, "the ACS reply is larger than {MAX_REPLY_BODY} bytes")
            }
            AcsError::InvalidUrl(detail) => write!(f, "invalid ACS URL: {detail}"),
            AcsError::Config(detail) => write!(f, "ACS connection settings: {detail}"),
            AcsError::Other(detail) => write!(f, "ACS connection failed: {detail}"),
        }
    }
}

impl StdError for AcsError {}

/// Credentials the session has learnt how to present (also used for file servers).
pub(crate) enum Auth {
    Basic,
    /// The challenge, kept for the session; digest_auth increments its nonce-count.
    Digest(Box<WwwAuthenticateHeader>),
}

/// The HTTP side of one CWMP session.
pub struct AcsSession {
    client: Client,
    cookies: CookieJar,
    timeout: Duration,
    /// The URL the credentials were configured for.
    configured_url: HttpUrl,
    /// Where the session is now (moves on 302/307, TR-069 §3.4.5).
    url: HttpUrl,
    username: String,
    password: String,
    auth: Option<Auth>,
    redirects: u32,
}

/// What to do after a 401 within one `post`.
#[derive(Default)]
struct AuthAttempt {
    /// Credentials were computed from a challenge received during this `post`.
    answered_fresh_challenge: bool,
    stale_retries: u32,
}

impl AcsSession {
    /// Checks the URL, loads the TLS files and builds the session's own client.
    pub fn new(settings: &AcsSettings) -> Result<Self, AcsError> {
        let url = parse_acs_url(&settings.url)?;
        let config_error = |e: tls::TlsSetupError| AcsError::Config(e.to_string());
        let roots = tls::root_store(&settings.tls).map_err(config_error)?;
        if url.is_https() && roots.is_empty() {
            return Err(AcsError::Config(
                "no trusted CA certificate: configure a CA file or install ca-bundle".to_string(),
            ));
        }
        let tls_config =
            tls::client_config_with_roots(roots, &settings.tls).map_err(config_error)?;
        Ok(AcsSession {
            client: Client::new(Arc::new(tls_config), settings.timeout),
            cookies: CookieJar::new(),
            timeout: settings.timeout,
            configured_url: url.clone(),
            url,
            username: settings.username.clone(),
            password: settings.password.clone(),
            auth: None,
            redirects: 0,
        })
    }

    /// Where the session is now: the configured URL, or where redirects led.
    pub fn current_url(&self) -> &str {
        self.url.as_str()
    }

    /// POSTs one envelope (or the empty POST when `body` is empty, TR-069 §3.7.1.2) and
    /// returns the ACS's answer, following redirects and answering authentication challenges.
    pub async fn post(&mut self, body: Vec<u8>) -> Result<AcsReply, AcsError> {
        let mut attempt = AuthAttempt::default();
        loop {
            // The timeout holds for each request as a whole: connect, send, read the reply.
            let deadline = Instant::now() + self.timeout;
            let head = timeout_at(deadline, self.send(&body))
                .await
                .map_err(|_| AcsError::Timeout)??;
            match head.status {
                401 => {
                    let challenges = challenges_of(&head);
                    self.drain(deadline).await;
                    self.answer_challenge(&challenges, &mut attempt)?;
                }
                302 | 307 => {
                    let location = location_of(&head)?;
                    self.drain(deadline).await;
                    self.follow_redirect(&location)?;
                }
                _ => return self.finish(&head, deadline).await,
            }
        }
    }

    async fn send(&mut self, body: &[u8]) -> Result<ResponseHead, AcsError> {
        let mut headers: Vec<(&str, &str)> = vec![("User-Agent", USER_AGENT)];
        if !body.is_empty() {
            // TR-069 §3.4.1: text/xml, and a SOAPAction header that may be empty.
            headers.push(("Content-Type", "text/xml; charset=\"utf-8\""));
            headers.push(("SOAPAction", ""));
        }
        let authorization = self.authorization(body);
        if let Some(value) = &authorization {
            headers.push(("Authorization", value));
        }
        let cookie = self.cookies.header(&self.url);
        if let Some(value) = &cookie {
            headers.push(("Cookie", value));
        }
        let request = Request {
            method: "POST",
            url: &self.url,
            headers: &headers,
            body,
        };
        let head = self.client.send(&request).await.map_err(acs_error)?;
        for set_cookie in head.all("set-cookie") {
            self.cookies.store(&self.url, set_cookie);
        }
        Ok(head)
    }

    /// The Authorization header for the next request, if credentials were asked for and may
    /// go to this host.
    fn authorization(&mut self, body: &[u8]) -> Option<String> {
        if !self.may_send_credentials() {
            return None;
        }
        match self.auth.as_mut()? {
            Auth::Basic => Some(http1::basic_credentials(&self.username, &self.password)),
            Auth::Digest(prompt) => {
                let context = AuthContext::new_post(
                    self.username.as_str(),
                    self.password.as_str(),
                    self.url.target(),
                    Some(body),
                );
                let header = prompt.respond(&context).ok()?;
                Some(header.to_string())
            }
        }
    }

    /// Credentials go only to the host they were configured for, and never from https down
    /// to plain http.
    fn may_send_credentials(&self) -> bool {
        let downgraded = self.configured_url.is_https() && !self.url.is_https();
        same_host(&self.url, &self.configured_url) && !downgraded
    }

    /// 2xx, or a 500 carrying a SOAP Fault, becomes a reply; any other status an error.
    async fn finish(
        &mut self,
        head: &ResponseHead,
        deadline: Instant,
    ) -> Result<AcsReply, AcsError> {
        let status = head.status;
        let soap_fault = status == 500 && is_xml(head);
        if !(200..300).contains(&status) && !soap_fault {
            self.drain(deadline).await;
            return Err(AcsError::HttpStatus(status));
        }
        let body = timeout_at(deadline, self.client.read_body(MAX_REPLY_BODY))
            .await
            .map_err(|_| AcsError::Timeout)?
            .map_err(acs_error)?;
        Ok(AcsReply { status, body })
    }

    /// Reads and drops a small body so the connection can carry the next request.
    async fn drain(&mut self, deadline: Instant) {
        if timeout_at(deadline, self.client.discard_body(MAX_DRAINED_BODY))
            .await
            .is_err()
        {
            self.client.close();
        }
    }

    fn answer_challenge(
        &mut self,
        challenges: &[AuthItem],
        attempt: &mut AuthAttempt,
    ) -> Result<(), AcsError> {
        if !self.may_send_credentials() || self.username.is_empty() {
            return Err(AcsError::Unauthorized);
        }
        let chosen = choose_challenge(challenges).ok_or(AcsError::Unauthorized)?;
        let stale =
            matches!((&chosen, &self.auth), (Auth::Digest(p), Some(Auth::Digest(_))) if p.stale);
        if stale {
            // RFC 7616 §3.3: our digest was right, only the nonce expired.
            attempt.stale_retries += 1;
            if attempt.stale_retries > MAX_STALE_RETRIES {
                return Err(AcsError::Unauthorized);
            }
        } else if attempt.answered_fresh_challenge {
            return Err(AcsError::Unauthorized);
        }
        attempt.answered_fresh_challenge = true;
        self.auth = Some(chosen);
        Ok(())
    }

    fn follow_redirect(&mut self, location: &str) -> Result<(), AcsError> {
        self.redirects += 1;
        if self.redirects > MAX_REDIRECTS {
            return Err(AcsError::TooManyRedirects);
        }
        let next = self.url.join(location).map_err(|e| match e {
            UrlError::Scheme(scheme) => AcsError::InvalidUrl(format!("redirect to a {scheme} URL")),
            UrlError::Invalid(_) => AcsError::InvalidUrl(format!("redirect to {location:?}: {e}")),
        })?;
        if !same_host(&next, &self.url) {
            // A Digest context belongs to the old server; never replay it elsewhere.
            self.auth = None;
        }
        log::info!("ACS redirected the session to {next}");
        self.url = next;
        Ok(())
    }
}

/// What the agent calls itself on every request.
pub(crate) const USER_AGENT: &str = concat!("cwmpd/", env!("CARGO_PKG_VERSION"));

fn parse_acs_url(text: &str) -> Result<HttpUrl, AcsError> {
    HttpUrl::parse(text).map_err(|e| AcsError::InvalidUrl(format!("{text:?}: {e}")))
}

fn same_host(a: &HttpUrl, b: &HttpUrl) -> bool {
    a.host() == b.host()
}

pub(crate) fn challenges_of(head: &ResponseHead) -> Vec<AuthItem> {
    head.all("www-authenticate")
        .flat_map(parse_challenges)
        .collect()
}

/// Digest before Basic; among Digest challenges the strongest algorithm (RFC 7616 §3.7).
pub(crate) fn choose_challenge(challenges: &[AuthItem]) -> Option<Auth> {
    let best_digest = challenges
        .iter()
        .filter(|c| c.is_scheme("Digest"))
        .filter_map(digest_prompt)
        .max_by_key(|prompt| algorithm_rank(prompt.algorithm.algo));
    if let Some(prompt) = best_digest {
        return Some(Auth::Digest(Box::new(prompt)));
    }
    challenges
        .iter()
        .any(|c| c.is_scheme("Basic"))
        .then_some(Auth::Basic)
}

fn algorithm_rank(algorithm: digest_auth::AlgorithmType) -> u8 {
    match algorithm {
        digest_auth::AlgorithmType::SHA2_256 => 3,
        digest_auth::AlgorithmType::SHA2_512_256 => 2,
        digest_auth::AlgorithmType::MD5 => 1,
    }
}

/// Builds digest_auth's prompt from our own parse (its parser is not safe on hostile
/// non-ASCII input); `None` for a challenge we cannot answer.
fn digest_prompt(challenge: &AuthItem) -> Option<WwwAuthenticateHeader> {
    let algorithm = match challenge.param("algorithm") {
        None => digest_auth::Algorithm::default(),
        Some(name) => digest_auth::Algorithm::from_str(&name.to_ascii_uppercase())
            .or_else(|_| digest_auth::Algorithm::from_str(name))
            .ok()?,
    };
    let qop = match challenge.param("qop") {
        None => None,
        Some(list) => {
            let known: Vec<digest_auth::Qop> = list
                .split(',')
                .filter_map(|q| digest_auth::Qop::from_str(q.trim()).ok())
                .collect();
            if known.is_empty() {
                return None;
            }
            Some(known)
        }
    };
    let flag = |name: &str| {
        challenge
            .param(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    let charset = match challenge.param("charset") {
        Some(c) if c.eq_ignore_ascii_case("UTF-8") => digest_auth::Charset::UTF8,
        _ => digest_auth::Charset::ASCII,
    };
    Some(WwwAuthenticateHeader {
        domain: None,
        realm: challenge.param("realm")?.to_string(),
        nonce: challenge.param("nonce")?.to_string(),
        opaque: challenge.param("opaque").map(str::to_string),
        stale: flag("stale"),
        algorithm,
        qop,
        userhash: flag("userhash"),
        charset,
        nc: 0,
    })
}

fn location_of(head: &ResponseHead) -> Result<String, AcsError> {
    head.header("location")
        .map(str::to_string)
        .ok_or_else(|| AcsError::Other("redirect without a usable Location header".to_string()))
}

fn is_xml(head: &ResponseHead) -> bool {
    head.header("content-type")
        .is_some_and(|value| value.to_ascii_lowercase().contains("xml"))
}

/// The ACS's view of an HTTP failure.
fn acs_error(error: http1::Error) -> AcsError {
    match error {
        http1::Error::Dns(detail) => AcsError::Dns(detail),
        http1::Error::Connect(detail) => AcsError::Connect(detail),
        http1::Error::Tls(detail) => AcsError::Tls(detail),
        http1::Error::ConnectTimeout | http1::Error::Timeout => AcsError::Timeout,
        http1::Error::BodyTooLarge(_) => AcsError::BodyTooLarge,
        other => AcsError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_digest_sha256_over_md5_and_basic() {
        let challenges = parse_challenges(
            r#"Basic realm="r", Digest realm="r", nonce="n1", qop="auth", Digest realm="r", nonce="n2", qop="auth", algorithm=SHA-256"#,
        );
        match choose_challenge(&challenges) {
            Some(Auth::Digest(prompt)) => {
                assert_eq!(prompt.nonce, "n2");
                assert_eq!(prompt.algorithm.algo, digest_auth::AlgorithmType::SHA2_256);
            }
            _ => panic!("expected a Digest choice"),
        }
        let basic_only = parse_challenges(r#"Basic realm="r""#);
        assert!(matches!(choose_challenge(&basic_only), Some(Auth::Basic)));
        let unusable = parse_challenges(r#"Digest realm="r", nonce="n", qop="weird""#);
        assert!(choose_challenge(&unusable).is_none());
    }

    #[test]
    fn rejects_urls_that_are_not_http() {
        assert!(matches!(
            parse_acs_url("ftp://acs/"),
            Err(AcsError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse_acs_url("not a url"),
            Err(AcsError::InvalidUrl(_))
        ));
        assert!(parse_acs_url("https://acs.example:7547/cwmp").is_ok());
    }

    #[test]
    fn http_failures_keep_their_kind() {
        let cases = [
            (http1::Error::Dns("x".into()), AcsError::Dns("x".into())),
            (
                http1::Error::Connect("x".into()),
                AcsError::Connect("x".into()),
            ),
            (http1::Error::Tls("x".into()), AcsError::Tls("x".into())),
            (http1::Error::ConnectTimeout, AcsError::Timeout),
            (http1::Error::Timeout, AcsError::Timeout),
            (http1::Error::BodyTooLarge(9), AcsError::BodyTooLarge),
            (
                http1::Error::Closed,
                AcsError::Other(
                    "the server closed the connection before the response was complete".into(),
                ),
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(acs_error(error), expected);
        }
    }

    #[test]
    fn messages_are_one_line() {
        let errors = [
            AcsError::Dns("x".into()),
            AcsError::Connect("x".into()),
            AcsError::Tls("x".into()),
            AcsError::Timeout,
            AcsError::Unauthorized,
            AcsError::HttpStatus(503),
            AcsError::TooManyRedirects,
            AcsError::BodyTooLarge,
            AcsError::InvalidUrl("x".into()),
            AcsError::Config("x".into()),
            AcsError::Other("x".into()),
        ];
        for error in errors {
            assert!(!error.to_string().contains('\n'));
        }
        assert_eq!(
            AcsError::HttpStatus(503).to_string(),
            "the ACS answered HTTP 503"
        );
    }
}
