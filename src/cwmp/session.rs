//! One CWMP session as a sans-I/O state machine (TR-069 Amendment 6 §3.7.1).
//!
//! The session never does I/O: inputs arrive through `handle_*` methods with the current time
//! in milliseconds, and each returns the [`Output`]s the caller must act on (post an envelope,
//! execute an ACS request, record delivered events, end). Bytes are the caller's concern too:
//! it decodes what the ACS sent into a [`Reply`] and encodes the envelopes it is asked to post.
//!
//! The order of a session (§3.7.1.2–§3.7.1.4):
//! 1. the CPE posts an Inform; the ACS answers InformResponse (events are now delivered);
//! 2. the CPE posts its own requests (TransferComplete, …) one at a time (MaxEnvelopes = 1),
//!    unless the ACS's last message carried HoldRequests = true;
//! 3. the CPE posts an empty body; the ACS sends its requests, each answered in the next post;
//! 4. the session ends when the ACS answers with an empty body and the CPE has nothing left.

use std::collections::VecDeque;

use super::fault::{Fault, FaultCode};
use super::rpc::{AcsRequest, AcsResponse, Body, CpeRequest, CpeResponse, Envelope, Inform};
use super::types::{CwmpNamespace, EventStruct};

/// ACS fault 8005 "Retry request" (A.5.2): the CPE must send the same request again later.
pub const ACS_FAULT_RETRY_REQUEST: u32 = 8005;

/// What the ACS answered to one HTTP POST, as the caller decoded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A SOAP envelope.
    Envelope(Envelope),
    /// An empty body (HTTP 204, or 200 with nothing in it).
    Empty,
    /// A body that is not a usable envelope. When it was a request the CPE can still answer,
    /// `id` is its cwmp:ID and `fault` what to answer with.
    Undecodable {
        id: Option<String>,
        fault: Fault,
        reason: String,
    },
}

/// What the caller must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// POST this envelope to the ACS; `None` is the empty POST.
    Post(Option<Envelope>),
    /// Execute this ACS request and give its result to [`Session::handle_rpc_result`].
    Execute(AcsRequest),
    /// The InformResponse arrived: these events are delivered and leave the queue (A.3.3.1).
    InformDelivered(Vec<EventStruct>),
    /// The ACS answered this CPE request: it leaves the persistent queue.
    RequestDelivered(CpeRequest),
    /// The ACS refused this CPE request with a fault other than 8005; it is dropped.
    RequestRejected(CpeRequest, Fault),
    /// The session is over.
    Ended(Outcome),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    Failed(Failure),
}

/// Why a session failed; each counts as a failed attempt for the retry back-off (§3.2.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// HTTP or network trouble, described by the caller (DNS, connect, TLS, 401, 5xx, …).
    Transport(String),
    /// The ACS answered the Inform with a fault.
    InformRejected(Fault),
    /// The ACS asked to retry a CPE request (fault 8005).
    RetryRequested,
    /// The ACS sent something that has no place at this point of the session.
    ProtocolViolation(String),
    /// Nothing happened for longer than the session timeout.
    Timeout,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Transport(reason) => write!(f, "{reason}"),
            Failure::InformRejected(fault) => {
                write!(
                    f,
                    "ACS rejected the Inform: fault {} {}",
                    fault.fault_code, fault.fault_string
                )
            }
            Failure::RetryRequested => write!(f, "ACS asked to retry a request (fault 8005)"),
            Failure::ProtocolViolation(what) => write!(f, "protocol violation: {what}"),
            Failure::Timeout => write!(f, "session timed out"),
        }
    }
}

/// Settings of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
    /// The namespace of the Inform; later envelopes answer in the namespace the ACS uses.
    pub namespace: CwmpNamespace,
    /// How long the session may wait for any one step before it fails.
    pub step_timeout_ms: u64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            namespace: CwmpNamespace::default(),
            step_timeout_ms: 60_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    ExpectInformResponse,
    ExpectRequestResponse(CpeRequest),
    ExpectAcsMessage,
    Executing { id: Option<String> },
    Ended,
}

#[derive(Debug)]
pub struct Session {
    phase: Phase,
    namespace: CwmpNamespace,
    inform_events: Vec<EventStruct>,
    cpe_requests: VecDeque<CpeRequest>,
    /// HoldRequests of the ACS's last message: true forbids CPE requests in the next post.
    hold_requests: bool,
    step_timeout_ms: u64,
    deadline_ms: u64,
    next_id: u32,
    inform_delivered: bool,
}

impl Session {
    /// Start a session: returns it and the Inform to post.
    pub fn start(
        now_ms: u64,
        inform: Inform,
        cpe_requests: Vec<CpeRequest>,
        settings: &SessionSettings,
    ) -> (Session, Vec<Output>) {
        let mut session = Session {
            phase: Phase::ExpectInformResponse,
            namespace: settings.namespace,
            inform_events: inform.event.clone(),
            cpe_requests: cpe_requests.into(),
            hold_requests: false,
            step_timeout_ms: settings.step_timeout_ms,
            deadline_ms: now_ms + settings.step_timeout_ms,
            next_id: 1,
            inform_delivered: false,
        };
        let envelope = session.request_envelope(CpeRequest::Inform(inform));
        (session, vec![Output::Post(Some(envelope))])
    }

    pub fn is_ended(&self) -> bool {
        self.phase == Phase::Ended
    }

    /// Whether the ACS accepted this session's Inform.
    pub fn inform_delivered(&self) -> bool {
        self.inform_delivered
    }

    /// The namespace the session currently answers in.
    pub fn namespace(&self) -> CwmpNamespace {
        self.namespace
    }

    /// When [`Session::handle_timeout`] must be called, if the session is still running.
    pub fn next_deadline(&self) -> Option<u64> {
        (!self.is_ended()).then_some(self.deadline_ms)
    }

    /// Queue a CPE request raised while the session runs (e.g. a transfer that just finished).
    pub fn add_cpe_request(&mut self, request: CpeRequest) {
        self.cpe_requests.push_back(request);
    }

    /// The ACS answered the last POST.
    pub fn handle_reply(&mut self, now_ms: u64, reply: Reply) -> Vec<Output> {
        self.deadline_ms = now_ms + self.step_timeout_ms;
        if let Reply::Envelope(envelope) = &reply {
            self.hold_requests = envelope.hold_requests;
        }
        match std::mem::replace(&mut self.phase, Phase::Ended) {
            Phase::ExpectInformResponse => self.on_inform_reply(reply),
            Phase::ExpectRequestResponse(request) => self.on_request_reply(request, reply),
            Phase::ExpectAcsMessage => self.on_acs_message(reply),
            phase @ (Phase::Executing { .. } | Phase::Ended) => {
                self.phase = phase;
                Vec::new()
            }
        }
    }

    /// The caller finished executing the ACS request it was given.
    pub fn handle_rpc_result(
        &mut self,
        now_ms: u64,
        result: Result<CpeResponse, Fault>,
    ) -> Vec<Output> {
        let Phase::Executing { id } = std::mem::replace(&mut self.phase, Phase::ExpectAcsMessage)
        else {
            return Vec::new();
        };
        self.deadline_ms = now_ms + self.step_timeout_ms;
        let body = match result {
            Ok(response) => Body::CpeResponse(response),
            Err(fault) => Body::Fault(fault),
        };
        vec![Output::Post(Some(Envelope::new(self.namespace, id, body)))]
    }

    /// The POST could not be completed (network, TLS, HTTP status, …).
    pub fn handle_transport_error(&mut self, _now_ms: u64, reason: String) -> Vec<Output> {
        if self.is_ended() {
            return Vec::new();
        }
        self.end(Outcome::Failed(Failure::Transport(reason)))
    }

    /// Time passed; fails the session once its deadline is reached.
    pub fn handle_timeout(&mut self, now_ms: u64) -> Vec<Output> {
        match self.next_deadline() {
            Some(deadline) if now_ms >= deadline => self.end(Outcome::Failed(Failure::Timeout)),
            _ => Vec::new(),
        }
    }

    fn on_inform_reply(&mut self, reply: Reply) -> Vec<Output> {
        match reply {
            Reply::Envelope(Envelope {
                body: Body::AcsResponse(AcsResponse::InformResponse { .. }),
                namespace,
                ..
            }) => {
                self.namespace = namespace;
                self.inform_delivered = true;
                let mut outputs = vec![Output::InformDelivered(std::mem::take(
                    &mut self.inform_events,
                ))];
                outputs.extend(self.send_next_cpe_request_or_empty_post());
                outputs
            }
            Reply::Envelope(Envelope {
                body: Body::Fault(fault),
                ..
            }) => self.end(Outcome::Failed(Failure::InformRejected(fault))),
            other => self.violation("expected InformResponse", &other),
        }
    }

    fn on_request_reply(&mut self, request: CpeRequest, reply: Reply) -> Vec<Output> {
        match reply {
            Reply::Envelope(Envelope {
                body: Body::AcsResponse(response),
                ..
            }) if answers(&request, &response) => {
                let mut outputs = vec![Output::RequestDelivered(request)];
                outputs.extend(self.send_next_cpe_request_or_empty_post());
                outputs
            }
            Reply::Envelope(Envelope {
                body: Body::Fault(fault),
                ..
            }) => {
                if fault.fault_code == ACS_FAULT_RETRY_REQUEST {
                    return self.end(Outcome::Failed(Failure::RetryRequested));
                }
                let mut outputs = vec![Output::RequestRejected(request, fault)];
                outputs.extend(self.send_next_cpe_request_or_empty_post());
                outputs
            }
            other => {
                let expected = format!("expected {}Response", request.method_name());
                self.violation(&expected, &other)
            }
        }
    }

    fn on_acs_message(&mut self, reply: Reply) -> Vec<Output> {
        match reply {
            Reply::Empty => {
                if !self.cpe_requests.is_empty() {
                    // The ACS is done; requests held back by HoldRequests go now (§3.7.1.4).
                    self.hold_requests = false;
                    return self.send_next_cpe_request_or_empty_post();
                }
                self.end(Outcome::Completed)
            }
            Reply::Envelope(Envelope {
                body: Body::AcsRequest(request),
                id,
                namespace,
                ..
            }) => {
                self.namespace = namespace;
                if let AcsRequest::Unknown(method) = &request {
                    let fault = Fault::with_string(
                        FaultCode::MethodNotSupported,
                        &format!("Method not supported: {method}"),
                    );
                    return self.answer_fault(id, fault);
                }
                self.phase = Phase::Executing { id };
                vec![Output::Execute(request)]
            }
            Reply::Undecodable { id, fault, .. } => self.answer_fault(id, fault),
            other => self.violation("expected an ACS request or an empty body", &other),
        }
    }

    fn answer_fault(&mut self, id: Option<String>, fault: Fault) -> Vec<Output> {
        self.phase = Phase::ExpectAcsMessage;
        vec![Output::Post(Some(Envelope::new(
            self.namespace,
            id,
            Body::Fault(fault),
        )))]
    }

    fn send_next_cpe_request_or_empty_post(&mut self) -> Vec<Output> {
        if !self.hold_requests {
            if let Some(request) = self.cpe_requests.pop_front() {
                let envelope = self.request_envelope(request.clone());
                self.phase = Phase::ExpectRequestResponse(request);
                return vec![Output::Post(Some(envelope))];
            }
        }
        self.phase = Phase::ExpectAcsMessage;
        vec![Output::Post(None)]
    }

    fn request_envelope(&mut self, request: CpeRequest) -> Envelope {
        let id = format!("cwmpd-{}", self.next_id);
        self.next_id += 1;
        Envelope::new(self.namespace, Some(id), Body::CpeRequest(request))
    }

    fn violation(&mut self, expected: &str, got: &Reply) -> Vec<Output> {
        let got = match got {
            Reply::Empty => "an empty body".to_string(),
            Reply::Envelope(envelope) => describe_body(&envelope.body),
            Reply::Undecodable { reason, .. } => format!("an undecodable body ({reason})"),
        };
        self.end(Outcome::Failed(Failure::ProtocolViolation(format!(
            "{expected}, got {got}"
        ))))
    }

    fn end(&mut self, outcome: Outcome) -> Vec<Output> {
        self.phase = Phase::Ended;
        vec![Output::Ended(outcome)]
    }
}

/// Whether an ACS response is the answer to a CPE request.
fn answers(request: &CpeRequest, response: &AcsResponse) -> bool {
    matches!(
        (request, response),
        (
            CpeRequest::GetRPCMethods,
            AcsResponse::GetRPCMethodsResponse { .. }
        ) | (
            CpeRequest::TransferComplete(_),
            AcsResponse::TransferCompleteResponse
        ) | (
            CpeRequest::AutonomousTransferComplete(_),
            AcsResponse::AutonomousTransferCompleteResponse
        ) | (
            CpeRequest::RequestDownload { .. },
            AcsResponse::RequestDownloadResponse
        ) | (CpeRequest::Kicked(_), AcsResponse::KickedResponse { .. })
    )
}

fn describe_body(body: &Body) -> String {
    match body {
        Body::AcsRequest(request) => request.method_name().to_string(),
        Body::CpeRequest(request) => request.method_name().to_string(),
        Body::AcsResponse(response) => format!("{response:?}")
            .split([' ', '{'])
            .next()
            .unwrap_or("a response")
            .to_string(),
        Body::CpeResponse(_) => "a CPE response".to_string(),
        Body::Fault(fault) => format!("fault {}", fault.fault_code),
    }
}

#[cfg(test)]
mod tests;
