//! The HTTP side of one CWMP session with the ACS (TR-069 §3.4).
//!
//! One [`AcsSession`] per CWMP session: a fresh reqwest client with its own cookie jar (the
//! ACS ties a session's POSTs together with a cookie, §3.4.1) and its own connection pool of
//! one HTTP/1.1 connection (§3.4.1: a session should use a single connection). Redirects and
//! authentication are handled here, not by reqwest, because TR-069 gives them session scope:
//! a redirect moves the rest of the session (§3.4.5), and a Digest context is reused with an
//! increasing nonce-count for the rest of the session (§3.4.4, RFC 7616 §3.4).

use std::error::Error as StdError;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use digest_auth::{AuthContext, WwwAuthenticateHeader};
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use reqwest::{Response, Url};

use crate::cwmp::digest::{parse_challenges, AuthItem};
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
    client: reqwest::Client,
    /// The URL the credentials were configured for.
    configured_url: Url,
    /// Where the session is now (moves on 302/307, TR-069 §3.4.5).
    url: Url,
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
        if url.scheme() == "https" && roots.is_empty() {
            return Err(AcsError::Config(
                "no trusted CA certificate: configure a CA file or install ca-bundle".to_string(),
            ));
        }
        let tls_config =
            tls::client_config_with_roots(roots, &settings.tls).map_err(config_error)?;
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls_config)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .http1_only()
            .pool_max_idle_per_host(1)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .no_proxy()
            .user_agent(concat!("cwmpd/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AcsError::Config(error_chain(&e)))?;
        Ok(AcsSession {
            client,
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
            let response = self.send(&body).await?;
            match response.status().as_u16() {
                401 => {
                    let challenges = challenges_of(response.headers());
                    drain(response).await;
                    self.answer_challenge(&challenges, &mut attempt)?;
                }
                302 | 307 => {
                    let location = location_of(response.headers())?;
                    drain(response).await;
                    self.follow_redirect(&location)?;
                }
                _ => return finish(response).await,
            }
        }
    }

    async fn send(&mut self, body: &[u8]) -> Result<Response, AcsError> {
        let mut request = self.client.post(self.url.clone());
        request = if body.is_empty() {
            request.header(CONTENT_LENGTH, "0")
        } else {
            // TR-069 §3.4.1: text/xml, and a SOAPAction header that may be empty.
            request
                .header(CONTENT_TYPE, "text/xml; charset=\"utf-8\"")
                .header("SOAPAction", "")
        };
        request = match self.authorization(body) {
            Some(Credentials::Basic) => request.basic_auth(&self.username, Some(&self.password)),
            Some(Credentials::Header(value)) => request.header(AUTHORIZATION, value),
            None => request,
        };
        request
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| classify(&e))
    }

    /// The credentials for the next request, if any were asked for and may go to this host.
    fn authorization(&mut self, body: &[u8]) -> Option<Credentials> {
        if !self.may_send_credentials() {
            return None;
        }
        match self.auth.as_mut()? {
            Auth::Basic => Some(Credentials::Basic),
            Auth::Digest(prompt) => {
                let context = AuthContext::new_post(
                    self.username.as_str(),
                    self.password.as_str(),
                    request_target(&self.url),
                    Some(body),
                );
                let header = prompt.respond(&context).ok()?;
                Some(Credentials::Header(header.to_string()))
            }
        }
    }

    /// Credentials go only to the host they were configured for, and never from https down
    /// to plain http.
    fn may_send_credentials(&self) -> bool {
        let downgraded = self.configured_url.scheme() == "https" && self.url.scheme() != "https";
        same_host(&self.url, &self.configured_url) && !downgraded
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
        let next = self
            .url
            .join(location)
            .map_err(|e| AcsError::InvalidUrl(format!("redirect to {location:?}: {e}")))?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(AcsError::InvalidUrl(format!(
                "redirect to a {} URL",
                next.scheme()
            )));
        }
        if !same_host(&next, &self.url) {
            // A Digest context belongs to the old server; never replay it elsewhere.
            self.auth = None;
        }
        log::info!("ACS redirected the session to {next}");
        self.url = next;
        Ok(())
    }
}

enum Credentials {
    Basic,
    Header(String),
}

fn parse_acs_url(text: &str) -> Result<Url, AcsError> {
    let url = Url::parse(text).map_err(|e| AcsError::InvalidUrl(format!("{text:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(AcsError::InvalidUrl(format!(
            "{text:?}: not an http or https URL"
        )));
    }
    Ok(url)
}

fn same_host(a: &Url, b: &Url) -> bool {
    match (a.host_str(), b.host_str()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// The request-target for the Digest `uri` parameter: path and query.
pub(crate) fn request_target(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
}

pub(crate) fn challenges_of(headers: &HeaderMap) -> Vec<AuthItem> {
    headers
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
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

fn location_of(headers: &HeaderMap) -> Result<String, AcsError> {
    headers
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| AcsError::Other("redirect without a usable Location header".to_string()))
}

/// 2xx, or a 500 carrying a SOAP Fault, becomes a reply; any other status an error.
async fn finish(response: Response) -> Result<AcsReply, AcsError> {
    let status = response.status().as_u16();
    let soap_fault = status == 500 && is_xml(response.headers());
    if !(200..300).contains(&status) && !soap_fault {
        drain(response).await;
        return Err(AcsError::HttpStatus(status));
    }
    let body = read_body(response, MAX_REPLY_BODY).await?;
    Ok(AcsReply { status, body })
}

fn is_xml(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().contains("xml"))
}

async fn read_body(mut response: Response, limit: usize) -> Result<Vec<u8>, AcsError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(AcsError::BodyTooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e))? {
        if body.len() + chunk.len() > limit {
            return Err(AcsError::BodyTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads and drops a small body so the connection can carry the next request.
async fn drain(response: Response) {
    let _ = read_body(response, MAX_DRAINED_BODY).await;
}

/// Sorts a reqwest error into its kind by walking the source chain: TLS before connect
/// (a failed handshake is also a connect error), DNS by hyper-util's "dns error" layer.
pub(crate) fn classify(error: &reqwest::Error) -> AcsError {
    if error.is_timeout() {
        return AcsError::Timeout;
    }
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    let mut dns = false;
    while let Some(current) = source {
        if let Some(tls_error) = rustls_error_in(current) {
            return AcsError::Tls(tls_error.to_string());
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return AcsError::Timeout;
            }
        }
        dns |= current.to_string() == "dns error";
        source = current.source();
    }
    let detail = root_cause(error);
    if dns {
        AcsError::Dns(detail)
    } else if error.is_connect() {
        AcsError::Connect(detail)
    } else {
        AcsError::Other(error_chain(error))
    }
}

/// The rustls error at `error`, or inside the io::Errors wrapping it (io::Error hides its
/// payload from `source()`, and the TLS connector wraps it twice).
fn rustls_error_in<'a>(mut error: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    for _ in 0..8 {
        if let Some(tls_error) = error.downcast_ref::<rustls::Error>() {
            return Some(tls_error);
        }
        error = error.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
    None
}

fn root_cause(error: &(dyn StdError + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(current) = source {
        text.push_str(": ");
        text.push_str(&current.to_string());
        source = current.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[test]
    fn request_target_keeps_the_query() {
        assert_eq!(request_target(&url("http://a/b/c?x=1")), "/b/c?x=1");
        assert_eq!(request_target(&url("http://a")), "/");
    }

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
