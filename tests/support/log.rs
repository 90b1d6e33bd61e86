//! What the test ACS recorded: every HTTP exchange in order, and a per-session view.

use super::http::{self, Response};
use super::xml::{Envelope, ParamValue};
use std::time::Duration;

/// How the request fared against the configured authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthCheck {
    /// No authentication configured, or not needed for this request (GenieACS-like scope).
    NotRequired,
    Passed,
    /// No (or no usable) Authorization header: answered with a challenge.
    Missing,
    /// Wrong credentials, replayed nonce count, unknown nonce, …: answered 401 again.
    Failed(String),
}

/// What the ACS did with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Sent(Response),
    /// The connection was closed without a response (failure injection).
    Dropped,
}

impl Reply {
    pub fn status(&self) -> Option<u16> {
        match self {
            Reply::Sent(response) => Some(response.status),
            Reply::Dropped => None,
        }
    }

    pub fn body(&self) -> &str {
        match self {
            Reply::Sent(response) => std::str::from_utf8(&response.body).unwrap_or(""),
            Reply::Dropped => "",
        }
    }
}

/// One HTTP request and the ACS's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based position among all requests.
    pub seq: usize,
    /// When the whole request had arrived, since the ACS started.
    pub at: Duration,
    /// Which TCP connection (1-based, in accept order): equal ids mean keep-alive reuse.
    pub conn: u64,
    /// The local port it arrived on (`TestAcs::port()` or `TestAcs::alt_port()`).
    pub port: u16,
    pub tls: bool,
    /// Whether the client presented a certificate.
    pub client_cert: bool,
    pub method: String,
    /// The request-target as sent.
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The `session` cookie the client sent, if any.
    pub cookie: Option<String>,
    pub body: String,
    /// The body parsed, when it is a non-empty envelope.
    pub envelope: Option<Envelope>,
    /// Why a non-empty body did not parse.
    pub parse_error: Option<String>,
    pub auth: AuthCheck,
    /// The session (1-based number) this request was served in.
    pub session: Option<usize>,
    /// Injected failure or other remark, for the transcript.
    pub note: Option<String>,
    pub delay: Option<Duration>,
    pub reply: Reply,
}

impl Record {
    pub fn header(&self, name: &str) -> Option<&str> {
        http::header(&self.headers, name)
    }

    /// True for a POST with no body (or only whitespace): the CPE's "I have nothing more".
    pub fn is_empty_post(&self) -> bool {
        self.method == "POST" && self.body.trim().is_empty()
    }

    /// The CWMP method the CPE sent ("" for an empty or unparseable body).
    pub fn cpe_method(&self) -> &str {
        self.envelope.as_ref().map(|e| e.method()).unwrap_or("")
    }
}

/// One scripted ACS request and what the CPE answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The RPC's name (or a raw body's label).
    pub method: String,
    /// The cwmp:ID sent (None for a raw body).
    pub id: Option<String>,
    /// The envelope sent.
    pub request: String,
    /// The CPE's answer (None until it arrives, or if it was an empty POST or not XML).
    pub response: Option<Envelope>,
    /// The answer's body as received.
    pub response_raw: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Open,
    /// The ACS ended it with 204 No Content after its script.
    Completed,
    /// A new Inform arrived before it completed.
    Abandoned,
}

/// A CWMP session: from an accepted Inform to the 204 that ends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// 1-based, counting only Informs the ACS accepted (InformResponse sent).
    pub number: usize,
    pub cookie: String,
    pub inform: Envelope,
    /// The namespace the ACS used towards the CPE in this session.
    pub cwmp_ns: String,
    /// Requests the CPE made (TransferComplete, GetRPCMethods, …) in order.
    pub cpe_requests: Vec<Envelope>,
    /// The scripted ACS requests sent so far, with the CPE's responses.
    pub exchanges: Vec<Exchange>,
    pub outcome: Outcome,
    /// `Record::seq` of every request served in this session.
    pub records: Vec<usize>,
}

impl Session {
    /// Inform events as (EventCode, CommandKey).
    pub fn events(&self) -> Vec<(String, String)> {
        self.inform.events()
    }

    pub fn event_codes(&self) -> Vec<String> {
        self.inform.event_codes()
    }

    pub fn has_event(&self, code: &str) -> bool {
        self.event_codes().iter().any(|c| c == code)
    }

    /// The CommandKey of the first event with this code.
    pub fn command_key(&self, code: &str) -> Option<String> {
        self.events()
            .into_iter()
            .find(|(c, _)| c == code)
            .map(|(_, key)| key)
    }

    pub fn inform_params(&self) -> Vec<ParamValue> {
        self.inform.param_values()
    }

    pub fn inform_value(&self, name: &str) -> Option<String> {
        self.inform.value_of(name)
    }

    /// The CPE's response to scripted step `index` (0-based); panics with a readable message.
    pub fn response(&self, index: usize) -> &Envelope {
        let Some(exchange) = self.exchanges.get(index) else {
            panic!(
                "session {}: step {index} was never sent ({} steps sent)",
                self.number,
                self.exchanges.len()
            );
        };
        match &exchange.response {
            Some(envelope) => envelope,
            None => panic!(
                "session {}: no envelope in response to step {index} ({}); body: {:?}",
                self.number, exchange.method, exchange.response_raw
            ),
        }
    }

    /// Every response received so far, in step order.
    pub fn responses(&self) -> Vec<&Envelope> {
        self.exchanges
            .iter()
            .filter_map(|e| e.response.as_ref())
            .collect()
    }

    /// The first request of this method the CPE made in this session.
    pub fn cpe_request(&self, method: &str) -> Option<&Envelope> {
        self.cpe_requests.iter().find(|e| e.method() == method)
    }
}

/// Everything recorded so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcsLog {
    pub records: Vec<Record>,
    pub sessions: Vec<Session>,
    /// Protocol violations by the CPE (missing cookie, wrong ID, POST after the session ended…).
    pub violations: Vec<String>,
    /// TLS handshakes that failed, with the error.
    pub tls_errors: Vec<String>,
    /// Connection-level errors (malformed HTTP, resets mid-request).
    pub http_errors: Vec<String>,
    /// TCP connections accepted.
    pub connections: u64,
}

impl AcsLog {
    pub fn completed_sessions(&self) -> Vec<&Session> {
        self.sessions
            .iter()
            .filter(|s| s.outcome == Outcome::Completed)
            .collect()
    }

    /// Every non-empty Inform POST, accepted or not (retries included).
    pub fn informs(&self) -> Vec<&Record> {
        self.records
            .iter()
            .filter(|r| r.cpe_method() == "Inform")
            .collect()
    }
}
