//! How a test configures the ACS: scripts per session, auth, failure injection, TLS.

use super::digest::DigestAlgorithm;
use super::http::Response;
use super::soap::{AcsRpc, NS_CWMP_1_0};
use super::tls::TlsOptions;
use std::ops::RangeInclusive;
use std::time::Duration;

/// One scripted ACS request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub rpc: AcsRpc,
    /// The cwmp:ID to send; default `acs-<session>-<step>` (1-based).
    pub id: Option<String>,
    /// Send a `cwmp:HoldRequests` header with this value.
    pub hold_requests: Option<bool>,
}

impl From<AcsRpc> for Step {
    fn from(rpc: AcsRpc) -> Step {
        Step {
            rpc,
            id: None,
            hold_requests: None,
        }
    }
}

/// What the ACS does in one session once the Inform is accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionScript {
    /// Sent one by one after the CPE's empty POST; then 204 ends the session.
    pub steps: Vec<Step>,
    /// `cwmp:HoldRequests` header on the InformResponse.
    pub inform_hold_requests: Option<bool>,
    /// CPE requests (by method) answered with this ACS fault (SOAP Fault, HTTP 500) instead.
    pub cpe_request_faults: Vec<(String, u32)>,
}

impl SessionScript {
    pub fn new() -> SessionScript {
        SessionScript::default()
    }

    /// Appends a request.
    pub fn rpc(mut self, rpc: AcsRpc) -> SessionScript {
        self.steps.push(rpc.into());
        self
    }

    /// Appends a request with its own cwmp:ID and/or HoldRequests header.
    pub fn step(mut self, step: Step) -> SessionScript {
        self.steps.push(step);
        self
    }

    pub fn hold_requests_on_inform(mut self, hold: bool) -> SessionScript {
        self.inform_hold_requests = Some(hold);
        self
    }

    /// Answer the CPE's `method` request (e.g. "TransferComplete") with ACS fault `code`.
    pub fn fault_cpe_request(mut self, method: &str, code: u32) -> SessionScript {
        self.cpe_request_faults.push((method.to_string(), code));
        self
    }
}

impl From<Vec<AcsRpc>> for SessionScript {
    fn from(rpcs: Vec<AcsRpc>) -> SessionScript {
        SessionScript {
            steps: rpcs.into_iter().map(Step::from).collect(),
            ..SessionScript::default()
        }
    }
}

/// The namespace of the ACS's envelopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NsChoice {
    /// The namespace of the session's Inform, as GenieACS does (cwmp-1-0 if it has none).
    #[default]
    FromInform,
    /// Always `urn:dslforum-org:cwmp-1-0`.
    Cwmp10,
    Fixed(String),
}

impl NsChoice {
    pub fn resolve(&self, inform_ns: Option<&str>) -> String {
        match self {
            NsChoice::FromInform => inform_ns.unwrap_or(NS_CWMP_1_0).to_string(),
            NsChoice::Cwmp10 => NS_CWMP_1_0.to_string(),
            NsChoice::Fixed(ns) => ns.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Auth {
    #[default]
    None,
    Basic {
        username: String,
        password: String,
    },
    /// Digest with qop=auth; one challenge per algorithm, in this order.
    Digest {
        username: String,
        password: String,
        realm: String,
        algorithms: Vec<DigestAlgorithm>,
    },
}

pub const DEFAULT_REALM: &str = "cwmpd-test-acs";

impl Auth {
    pub fn basic(username: &str, password: &str) -> Auth {
        Auth::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// Digest offering MD5 only.
    pub fn digest(username: &str, password: &str) -> Auth {
        Auth::digest_with(username, password, &[DigestAlgorithm::Md5])
    }

    /// Digest offering SHA-256 only.
    pub fn digest_sha256(username: &str, password: &str) -> Auth {
        Auth::digest_with(username, password, &[DigestAlgorithm::Sha256])
    }

    /// Digest offering these algorithms (one WWW-Authenticate header each, in order).
    pub fn digest_with(username: &str, password: &str, algorithms: &[DigestAlgorithm]) -> Auth {
        Auth::Digest {
            username: username.into(),
            password: password.into(),
            realm: DEFAULT_REALM.into(),
            algorithms: algorithms.to_vec(),
        }
    }
}

/// Which POSTs must carry valid credentials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthScope {
    /// Only the Inform; the session cookie vouches for the rest (what GenieACS does).
    #[default]
    InformOnly,
    EveryRequest,
}

/// When a failure rule fires. POSTs and Informs are counted (1-based) among the requests
/// that passed authentication; Informs include rejected and retried ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    Post(usize),
    Inform(usize),
    Informs(RangeInclusive<usize>),
    EveryInform,
    EveryPost,
}

/// Where a redirect points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Another path on the same port.
    Path(String),
    /// This path on the ACS's second port (`TestAcs::alt_url`), which serves the same sessions.
    OtherPort(String),
    /// Verbatim.
    Url(String),
}

/// What a failure rule does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inject {
    /// Answer with this status and no body (e.g. 503); the request is otherwise ignored.
    Status(u16),
    /// Close the connection without answering.
    Drop,
    /// Wait, then serve the request normally.
    Delay(Duration),
    /// Answer 301/302/307/308 with a Location header; the request is otherwise ignored.
    Redirect { status: u16, to: Location },
    /// Answer exactly this.
    Respond(Response),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub when: When,
    pub inject: Inject,
}

/// The ACS's whole configuration. `AcsConfig::default()` is a GenieACS-like ACS without
/// authentication that ends every session right after the Inform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcsConfig {
    /// `scripts[k - 1]` drives session k.
    pub scripts: Vec<SessionScript>,
    /// Drives sessions beyond `scripts`.
    pub default_script: SessionScript,
    pub namespace: NsChoice,
    pub auth: Auth,
    pub auth_scope: AuthScope,
    /// Record a violation when a POST after the Inform lacks the session cookie.
    pub require_cookie: bool,
    pub rules: Vec<Rule>,
    pub tls: Option<TlsOptions>,
    /// The NextURL of the KickedResponse.
    pub kicked_next_url: String,
    /// Print each exchange to stdout as it happens (the demo's live transcript).
    pub echo: bool,
    /// Answer every request with `Connection: close`, so each POST of a session arrives on a
    /// new TCP connection and only the cookie ties them together.
    pub close_connections: bool,
}

impl Default for AcsConfig {
    fn default() -> AcsConfig {
        AcsConfig {
            scripts: Vec::new(),
            default_script: SessionScript::default(),
            namespace: NsChoice::default(),
            auth: Auth::None,
            auth_scope: AuthScope::default(),
            require_cookie: true,
            rules: Vec::new(),
            tls: None,
            kicked_next_url: "http://127.0.0.1/kicked-done".into(),
            echo: false,
            close_connections: false,
        }
    }
}

impl AcsConfig {
    pub fn new() -> AcsConfig {
        AcsConfig::default()
    }

    /// Appends the script of the next session (the first call scripts session 1).
    pub fn session(mut self, script: impl Into<SessionScript>) -> AcsConfig {
        self.scripts.push(script.into());
        self
    }

    pub fn default_script(mut self, script: impl Into<SessionScript>) -> AcsConfig {
        self.default_script = script.into();
        self
    }

    pub fn namespace(mut self, namespace: NsChoice) -> AcsConfig {
        self.namespace = namespace;
        self
    }

    pub fn auth(mut self, auth: Auth) -> AcsConfig {
        self.auth = auth;
        self
    }

    pub fn auth_scope(mut self, scope: AuthScope) -> AcsConfig {
        self.auth_scope = scope;
        self
    }

    pub fn require_cookie(mut self, require: bool) -> AcsConfig {
        self.require_cookie = require;
        self
    }

    pub fn rule(mut self, when: When, inject: Inject) -> AcsConfig {
        self.rules.push(Rule { when, inject });
        self
    }

    pub fn tls(mut self, options: TlsOptions) -> AcsConfig {
        self.tls = Some(options);
        self
    }

    pub fn echo(mut self, echo: bool) -> AcsConfig {
        self.echo = echo;
        self
    }

    pub fn close_connections(mut self, close: bool) -> AcsConfig {
        self.close_connections = close;
        self
    }
}
