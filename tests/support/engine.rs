//! The ACS's brain, free of I/O: takes one HTTP request, records it, decides the reply.
//!
//! Order of checks for a request: method (POST only) → authentication → failure rules →
//! the CWMP session machine (Inform → CPE requests → empty POST → scripted requests → 204).

use super::config::{AcsConfig, Auth, AuthScope, Inject, Location, SessionScript, When};
use super::digest::{self, Challenge, DigestAlgorithm, DigestInput};
use super::http::{Request, Response};
use super::log::{AcsLog, AuthCheck, Exchange, Outcome, Record, Reply, Session};
use super::soap;
use super::xml::Envelope;
use std::collections::HashMap;
use std::time::Duration;

const SERVER: &str = "cwmpd-test-acs (GenieACS/1.2.16 envelopes)";

/// Where a request came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    pub conn: u64,
    pub port: u16,
    pub tls: bool,
    pub client_cert: bool,
    pub at: Duration,
}

/// What the connection task does: optionally wait, then answer (None: drop the connection).
#[derive(Debug)]
pub struct Decision {
    pub delay: Option<Duration>,
    pub response: Option<Response>,
    pub close: bool,
    /// Index of the record in the log.
    pub record: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// After the InformResponse: the CPE may send its own requests until its empty POST.
    CpeRequests,
    /// Waiting for the CPE's answer to scripted step `awaiting`.
    Script {
        awaiting: usize,
    },
    Ended,
}

struct SessionState {
    phase: Phase,
    script: SessionScript,
}

struct NonceState {
    algorithm: DigestAlgorithm,
    opaque: String,
    last_nc: u32,
}

/// Base URLs of the two listeners, for redirects.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub scheme: &'static str,
    pub port: u16,
    pub alt_port: u16,
}

pub struct Engine {
    pub config: AcsConfig,
    pub log: AcsLog,
    endpoints: Endpoints,
    states: Vec<SessionState>,
    current: Option<usize>,
    posts: usize,
    informs: usize,
    nonces: HashMap<String, NonceState>,
}

impl Engine {
    pub fn new(config: AcsConfig, endpoints: Endpoints) -> Engine {
        Engine {
            config,
            log: AcsLog::default(),
            endpoints,
            states: Vec::new(),
            current: None,
            posts: 0,
            informs: 0,
            nonces: HashMap::new(),
        }
    }

    /// Records the request and decides what to answer.
    pub fn handle(&mut self, request: Request, origin: Origin) -> Decision {
        let mut record = new_record(&request, origin, self.log.records.len() + 1);
        let mut delay = None;
        let response = self.respond(&request, &mut record, &mut delay);
        let response = response.map(|r| r.header("Server", SERVER).header("SOAPServer", SERVER));
        record.reply = match &response {
            Some(r) => Reply::Sent(r.clone()),
            None => Reply::Dropped,
        };
        record.delay = delay;
        self.log.records.push(record);
        Decision {
            delay,
            response,
            close: self.config.close_connections || !request.keep_alive(),
            record: self.log.records.len() - 1,
        }
    }

    fn respond(
        &mut self,
        request: &Request,
        record: &mut Record,
        delay: &mut Option<Duration>,
    ) -> Option<Response> {
        if request.method != "POST" {
            record.note = Some("only POST is served".into());
            return Some(Response::new(405).header("Allow", "POST"));
        }
        if let Some(challenge) = self.authenticate(request, record) {
            return Some(challenge);
        }
        self.posts += 1;
        let is_inform = record.cpe_method() == "Inform";
        if is_inform {
            self.informs += 1;
        }
        for inject in self.matching_rules(is_inform) {
            match inject {
                Inject::Delay(d) => *delay = Some(delay.unwrap_or_default() + d),
                other => return self.inject(other, record),
            }
        }
        Some(self.cwmp(record))
    }

    fn matching_rules(&self, is_inform: bool) -> Vec<Inject> {
        let (posts, informs) = (self.posts, self.informs);
        self.config
            .rules
            .iter()
            .filter(|rule| match &rule.when {
                When::Post(n) => posts == *n,
                When::Inform(k) => is_inform && informs == *k,
                When::Informs(range) => is_inform && range.contains(&informs),
                When::EveryInform => is_inform,
                When::EveryPost => true,
            })
            .map(|rule| rule.inject.clone())
            .collect()
    }

    fn inject(&self, inject: Inject, record: &mut Record) -> Option<Response> {
        match inject {
            Inject::Status(status) => {
                record.note = Some(format!("injected {status}"));
                Some(Response::new(status))
            }
            Inject::Drop => {
                record.note = Some("injected: connection dropped".into());
                None
            }
            Inject::Redirect { status, to } => {
                let location = self.location(&to);
                record.note = Some(format!("injected redirect to {location}"));
                Some(Response::new(status).header("Location", &location))
            }
            Inject::Respond(response) => {
                record.note = Some("injected response".into());
                Some(response)
            }
            Inject::Delay(_) => unreachable!("delays are applied by the caller"),
        }
    }

    fn location(&self, to: &Location) -> String {
        let e = &self.endpoints;
        match to {
            Location::Path(path) => format!("{}://127.0.0.1:{}{path}", e.scheme, e.port),
            Location::OtherPort(path) => format!("{}://127.0.0.1:{}{path}", e.scheme, e.alt_port),
            Location::Url(url) => url.clone(),
        }
    }

    // ---- authentication ----

    /// None if the request may proceed; otherwise the 401 to send.
    fn authenticate(&mut self, request: &Request, record: &mut Record) -> Option<Response> {
        let needed = match self.config.auth_scope {
            AuthScope::EveryRequest => true,
            AuthScope::InformOnly => record.cpe_method() == "Inform",
        };
        if matches!(self.config.auth, Auth::None) || !needed {
            return None;
        }
        record.auth = match request.header("authorization") {
            None => AuthCheck::Missing,
            Some(value) => self.check_credentials(value, request),
        };
        if record.auth == AuthCheck::Passed {
            return None;
        }
        Some(self.challenge())
    }

    fn check_credentials(&mut self, value: &str, request: &Request) -> AuthCheck {
        let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
        let result = match (&self.config.auth, scheme.to_ascii_lowercase().as_str()) {
            (Auth::Basic { username, password }, "basic") => check_basic(rest, username, password),
            (Auth::Digest { .. }, "digest") => self.check_digest(rest, request),
            _ => Err(format!("unexpected scheme {scheme}")),
        };
        match result {
            Ok(()) => AuthCheck::Passed,
            Err(reason) => AuthCheck::Failed(reason),
        }
    }

    fn check_digest(&mut self, params: &str, request: &Request) -> Result<(), String> {
        let Auth::Digest {
            username,
            password,
            realm,
            ..
        } = &self.config.auth
        else {
            return Err("digest not configured".into());
        };
        let p = digest::parse_params(params);
        let get = |key: &str| p.get(key).map(String::as_str).ok_or(format!("no {key}="));
        if get("username")? != username {
            return Err(format!("unknown user {:?}", get("username")?));
        }
        if get("realm")? != realm {
            return Err(format!("wrong realm {:?}", get("realm")?));
        }
        let nonce = get("nonce")?;
        let state = self.nonces.get(nonce).ok_or("unknown nonce")?;
        let algorithm = match p.get("algorithm") {
            Some(a) => DigestAlgorithm::from_token(a).ok_or(format!("unknown algorithm {a}"))?,
            None => DigestAlgorithm::Md5,
        };
        if algorithm != state.algorithm {
            return Err(format!(
                "algorithm {algorithm} answers a {} nonce",
                state.algorithm
            ));
        }
        if p.get("opaque") != Some(&state.opaque) {
            return Err("opaque not echoed".into());
        }
        let uri = get("uri")?;
        if uri != request.target {
            return Err(format!(
                "uri {uri:?} is not the request-target {:?}",
                request.target
            ));
        }
        if get("qop")? != "auth" {
            return Err("qop must be auth".into());
        }
        let nc_text = get("nc")?;
        let nc = u32::from_str_radix(nc_text, 16).map_err(|_| format!("bad nc {nc_text}"))?;
        if nc <= state.last_nc {
            return Err(format!("nc {nc} not above {} (replay)", state.last_nc));
        }
        let expected = digest::response(&DigestInput {
            algorithm,
            username,
            realm,
            password,
            method: &request.method,
            uri,
            nonce,
            qop: Some((nc_text, get("cnonce")?, "auth")),
        });
        if !get("response")?.eq_ignore_ascii_case(&expected) {
            return Err("wrong response (credentials)".into());
        }
        if let Some(state) = self.nonces.get_mut(nonce) {
            state.last_nc = nc;
        }
        Ok(())
    }

    fn challenge(&mut self) -> Response {
        let mut response = Response::new(401);
        match &self.config.auth {
            Auth::None => {}
            Auth::Basic { .. } => {
                let value = format!("Basic realm=\"{}\"", super::config::DEFAULT_REALM);
                response = response.header("WWW-Authenticate", &value);
            }
            Auth::Digest {
                realm, algorithms, ..
            } => {
                for &algorithm in algorithms {
                    let challenge = Challenge {
                        realm: realm.clone(),
                        nonce: digest::random_hex(16),
                        opaque: Some(digest::random_hex(8)),
                        qop: vec!["auth".into()],
                        algorithm,
                        stale: false,
                    };
                    self.nonces.insert(
                        challenge.nonce.clone(),
                        NonceState {
                            algorithm,
                            opaque: challenge.opaque.clone().unwrap_or_default(),
                            last_nc: 0,
                        },
                    );
                    response = response.header("WWW-Authenticate", &challenge.header_value());
                }
            }
        }
        response
    }

    // ---- the CWMP session machine ----

    fn cwmp(&mut self, record: &mut Record) -> Response {
        if let Some(error) = &record.parse_error {
            let message = format!("#{}: CPE body is not an envelope: {error}", record.seq);
            self.violation(message);
            return Response::new(400);
        }
        if record.cpe_method() == "Inform" {
            return self.start_session(record);
        }
        let Some(index) = self.session_for(record) else {
            return Response::new(400);
        };
        record.session = Some(index + 1);
        self.log.sessions[index].records.push(record.seq);
        match self.states[index].phase {
            Phase::CpeRequests => self.in_cpe_requests(index, record),
            Phase::Script { awaiting } => self.in_script(index, awaiting, record),
            Phase::Ended => Response::new(400),
        }
    }

    fn violation(&mut self, message: String) {
        self.log.violations.push(message);
    }

    fn start_session(&mut self, record: &mut Record) -> Response {
        if let Some(open) = self.current.take() {
            self.log.sessions[open].outcome = Outcome::Abandoned;
            self.states[open].phase = Phase::Ended;
        }
        let inform = record.envelope.clone().expect("an Inform is an envelope");
        let number = self.log.sessions.len() + 1;
        let script = self
            .config
            .scripts
            .get(number - 1)
            .cloned()
            .unwrap_or_else(|| self.config.default_script.clone());
        let ns = self.config.namespace.resolve(inform.cwmp_ns());
        let id = inform.id().unwrap_or("").to_string();
        if inform.id().is_none() {
            self.violation(format!("#{}: Inform without cwmp:ID", record.seq));
        }
        let cookie = digest::random_hex(16);
        let body = soap::envelope(
            &ns,
            &id,
            script.inform_hold_requests,
            &soap::inform_response(),
        );
        self.log.sessions.push(Session {
            number,
            cookie: cookie.clone(),
            inform,
            cwmp_ns: ns,
            cpe_requests: Vec::new(),
            exchanges: Vec::new(),
            outcome: Outcome::Open,
            records: vec![record.seq],
        });
        self.states.push(SessionState {
            phase: Phase::CpeRequests,
            script,
        });
        self.current = Some(number - 1);
        record.session = Some(number);
        Response::new(200)
            .header("Set-Cookie", &format!("session={cookie}"))
            .xml(body)
    }

    /// The open session this POST belongs to, recording binding violations.
    fn session_for(&mut self, record: &Record) -> Option<usize> {
        let seq = record.seq;
        if let Some(cookie) = &record.cookie {
            if let Some(index) = self.log.sessions.iter().position(|s| &s.cookie == cookie) {
                if self.states[index].phase == Phase::Ended {
                    self.violation(format!(
                        "#{seq}: POST with the cookie of session {}, which has ended",
                        index + 1
                    ));
                    return None;
                }
                return Some(index);
            }
            self.violation(format!("#{seq}: POST with an unknown session cookie"));
        } else if self.config.require_cookie && self.current.is_some() {
            self.violation(format!("#{seq}: POST without the session cookie"));
        }
        if self.current.is_none() {
            self.violation(format!(
                "#{seq}: POST outside a session (no Inform before it)"
            ));
        }
        self.current
    }

    fn in_cpe_requests(&mut self, index: usize, record: &mut Record) -> Response {
        let Some(request) = record.envelope.clone() else {
            return self.next_step(index, record);
        };
        let ns = self.log.sessions[index].cwmp_ns.clone();
        let method = request.method().to_string();
        let id = request.id().unwrap_or("").to_string();
        self.log.sessions[index].cpe_requests.push(request.clone());
        let scripted_fault = self.states[index]
            .script
            .cpe_request_faults
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, code)| *code);
        if let Some(code) = scripted_fault {
            let body = soap::soap_fault(code, soap::acs_fault_string(code));
            return Response::new(500).xml(soap::envelope(&ns, &id, None, &body));
        }
        match soap::cpe_request_reply(&request, &self.config.kicked_next_url) {
            Some(body) => Response::new(200).xml(soap::envelope(&ns, &id, None, &body)),
            None => {
                self.violation(format!(
                    "#{}: CPE sent {method} before its empty POST",
                    record.seq
                ));
                let body = soap::soap_fault(8000, soap::acs_fault_string(8000));
                Response::new(500).xml(soap::envelope(&ns, &id, None, &body))
            }
        }
    }

    fn in_script(&mut self, index: usize, awaiting: usize, record: &mut Record) -> Response {
        let exchange = &mut self.log.sessions[index].exchanges[awaiting];
        exchange.response_raw = Some(record.body.clone());
        exchange.response = record.envelope.clone();
        let (sent_method, sent_id) = (exchange.method.clone(), exchange.id.clone());
        let seq = record.seq;
        match &record.envelope {
            None => self.violation(format!(
                "#{seq}: empty POST while awaiting the response to {sent_method}"
            )),
            Some(envelope) => {
                if sent_id.is_some() && envelope.id() != sent_id.as_deref() {
                    self.violation(format!(
                        "#{seq}: {} has cwmp:ID {:?}, the {sent_method} had {:?}",
                        envelope.method(),
                        envelope.id(),
                        sent_id
                    ));
                }
                let method = envelope.method();
                if !method.ends_with("Response") && method != "Fault" {
                    self.violation(format!("#{seq}: CPE sent {method} while the ACS awaited the response to {sent_method}"));
                }
            }
        }
        self.next_step(index, record)
    }

    /// Sends the next scripted request, or ends the session with 204.
    fn next_step(&mut self, index: usize, record: &mut Record) -> Response {
        let session = &mut self.log.sessions[index];
        let state = &mut self.states[index];
        let position = session.exchanges.len();
        let Some(step) = state.script.steps.get(position) else {
            state.phase = Phase::Ended;
            session.outcome = Outcome::Completed;
            self.current = None;
            return Response::new(204);
        };
        let id = step
            .id
            .clone()
            .unwrap_or_else(|| format!("acs-{}-{}", session.number, position + 1));
        let xml = step.rpc.to_xml(&session.cwmp_ns, &id, step.hold_requests);
        let is_raw = matches!(step.rpc, soap::AcsRpc::Raw { .. });
        if is_raw {
            record.note = Some(format!("raw step {:?}", step.rpc.name()));
        }
        session.exchanges.push(Exchange {
            method: step.rpc.name().to_string(),
            id: if is_raw { None } else { Some(id) },
            request: xml.clone(),
            response: None,
            response_raw: None,
        });
        state.phase = Phase::Script { awaiting: position };
        Response::new(200).xml(xml)
    }
}

fn check_basic(encoded: &str, username: &str, password: &str) -> Result<(), String> {
    let decoded = digest::base64_decode(encoded).ok_or("bad base64")?;
    let text = String::from_utf8(decoded).map_err(|_| "credentials not UTF-8")?;
    if text == format!("{username}:{password}") {
        Ok(())
    } else {
        Err("wrong credentials".into())
    }
}

fn new_record(request: &Request, origin: Origin, seq: usize) -> Record {
    let body = String::from_utf8_lossy(&request.body).into_owned();
    let (envelope, parse_error) = if body.trim().is_empty() {
        (None, None)
    } else {
        match Envelope::parse(&body) {
            Ok(envelope) => (Some(envelope), None),
            Err(error) => (None, Some(error)),
        }
    };
    Record {
        seq,
        at: origin.at,
        conn: origin.conn,
        port: origin.port,
        tls: origin.tls,
        client_cert: origin.client_cert,
        method: request.method.clone(),
        path: request.target.clone(),
        headers: request.headers.clone(),
        cookie: request.cookie("session"),
        body,
        envelope,
        parse_error,
        auth: AuthCheck::NotRequired,
        session: None,
        note: None,
        delay: None,
        reply: Reply::Dropped,
    }
}
