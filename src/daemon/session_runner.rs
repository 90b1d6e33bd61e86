//! Runs one session: feeds the sans-I/O [`Session`] with HTTP replies and RPC results and
//! carries out what it asks. The only place where the session meets bytes and sockets.

use std::collections::VecDeque;
use std::time::Instant;

use log::{debug, info, warn};

use super::live::{self, Freshness};
use super::model::Model;
use super::SharedAgent;
use crate::cwmp::codec::{self, Side};
use crate::cwmp::fault::{Fault, FaultCode};
use crate::cwmp::rpc::Envelope;
use crate::cwmp::session::{Outcome, Output, Reply, Session, SessionSettings};
use crate::net::acs_client::AcsSession;
use crate::platform::Aftermath;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterSession {
    Continue,
    /// The system is restarting (sandbox reboot): the daemon exits.
    Exit,
}

fn millis_since(start: Instant) -> u64 {
    start.elapsed().as_millis() as u64
}

pub async fn run_session(shared: &SharedAgent) -> AfterSession {
    let start = Instant::now();
    // One snapshot of the running router per session (the Inform may carry live values).
    live::refresh(shared, Freshness::Now).await;
    let (inform, requests, settings, namespace) = {
        let mut agent = shared.borrow_mut();
        agent.session_open = true;
        let (inform, requests) = agent.prepare_session();
        let namespace = crate::cwmp::types::CwmpNamespace::default();
        (inform, requests, agent.acs_settings(), namespace)
    };
    info!(
        target: "cwmpd::session",
        "session to {} with events [{}]",
        settings.url,
        inform.event.iter().map(|e| e.event_code.as_str()).collect::<Vec<_>>().join(", ")
    );
    let session_settings = SessionSettings {
        namespace,
        ..SessionSettings::default()
    };
    let (mut session, outputs) = Session::start(0, inform, requests, &session_settings);
    let mut queue: VecDeque<Output> = outputs.into();
    let mut client = match AcsSession::new(&settings) {
        Ok(client) => Some(client),
        Err(err) => {
            queue.clear();
            queue.extend(session.handle_transport_error(0, err.to_string()));
            None
        }
    };
    while let Some(output) = queue.pop_front() {
        let more = match output {
            Output::Post(envelope) => match client.as_mut() {
                Some(client) => post(client, &mut session, start, envelope).await,
                None => Vec::new(),
            },
            Output::Execute(request) => {
                // The ACS is acting in this session: a connection request it sent is folded.
                shared.borrow_mut().connection_request_waiting = false;
                debug!(target: "cwmpd::session", "ACS request {}", request.method_name());
                if Model::handles(&request) {
                    live::refresh(shared, Freshness::UnlessValid).await;
                }
                let result = shared.borrow_mut().execute(request);
                session.handle_rpc_result(millis_since(start), result)
            }
            Output::InformDelivered(events) => {
                shared.borrow_mut().events_delivered(&events);
                Vec::new()
            }
            Output::RequestDelivered(request) | Output::RequestRejected(request, _) => {
                shared.borrow_mut().request_delivered(&request);
                Vec::new()
            }
            Output::Ended(outcome) => {
                finish(shared, &outcome, session.inform_delivered());
                Vec::new()
            }
        };
        queue.extend(more);
    }
    after_session(shared)
}

/// Post one envelope (or the empty POST) and hand the reply to the session.
async fn post(
    client: &mut AcsSession,
    session: &mut Session,
    start: Instant,
    envelope: Option<Envelope>,
) -> Vec<Output> {
    let body = envelope.as_ref().map(codec::encode).unwrap_or_default();
    trace_envelope("CPE → ACS", &body);
    let step = std::time::Duration::from_millis(
        session
            .next_deadline()
            .unwrap_or(0)
            .saturating_sub(millis_since(start)),
    );
    let result = tokio::time::timeout(step, client.post(body)).await;
    let now = millis_since(start);
    match result {
        Err(_elapsed) => session.handle_timeout(session.next_deadline().unwrap_or(now)),
        Ok(Err(err)) => session.handle_transport_error(now, err.to_string()),
        Ok(Ok(reply)) => {
            trace_envelope("ACS → CPE", &reply.body);
            match reply_for_status(reply.status, &reply.body) {
                Ok(decoded) => session.handle_reply(now, decoded),
                Err(reason) => session.handle_transport_error(now, reason),
            }
        }
    }
}

/// What an HTTP answer means for the session. 200 and 204 carry the conversation; SOAP 1.1
/// (§6.2) sends a Fault with 500, so a 500 whose body is a SOAP Fault is one too. Anything
/// else is a transport failure.
fn reply_for_status(status: u16, body: &[u8]) -> Result<Reply, String> {
    match status {
        200 | 204 => Ok(decode_reply(body)),
        500 => match decode_reply(body) {
            fault @ Reply::Envelope(Envelope {
                body: crate::cwmp::rpc::Body::Fault(_),
                ..
            }) => Ok(fault),
            _ => Err("ACS answered HTTP 500".to_string()),
        },
        status => Err(format!("ACS answered HTTP {status}")),
    }
}

/// An ACS body as the session sees it. Undecodable requests are answered with a fault when
/// their cwmp:ID could be read: 9003 when a known RPC had bad arguments, 9002 otherwise.
pub fn decode_reply(body: &[u8]) -> Reply {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Reply::Empty;
    }
    match codec::decode(body, Side::Cpe) {
        Ok(envelope) => Reply::Envelope(envelope),
        Err(err) => {
            let code = match err.kind {
                codec::DecodeErrorKind::InvalidArgument(_) => FaultCode::InvalidArguments,
                _ => FaultCode::InternalError,
            };
            Reply::Undecodable {
                id: err.id.clone(),
                fault: Fault::with_string(code, &err.to_string()),
                reason: err.to_string(),
            }
        }
    }
}

fn trace_envelope(direction: &str, body: &[u8]) {
    if !log::log_enabled!(target: "cwmpd::soap", log::Level::Trace) {
        return;
    }
    let text = String::from_utf8_lossy(body);
    log::trace!(target: "cwmpd::soap", "{direction}\n{}", redact_passwords(&text));
}

/// Hide credentials in SOAP traces: the content of Password elements (Download, Upload) and
/// the Value of any parameter whose name ends in "Password".
pub fn redact_passwords(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some((start, end)) = next_secret(rest) {
        out.push_str(&rest[..start]);
        if end > start {
            out.push_str("***");
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The byte range of the first secret in `text`.
fn next_secret(text: &str) -> Option<(usize, usize)> {
    let element = text.find("<Password>").and_then(|open| {
        let start = open + "<Password>".len();
        Some((start, start + text[start..].find("</Password>")?))
    });
    let parameter = text.find("Password</Name>").and_then(|name_end| {
        let after = name_end + "Password</Name>".len();
        let value = after + text[after..].find("<Value")?;
        let start = value + text[value..].find('>')? + 1;
        Some((start, start + text[start..].find("</Value>")?))
    });
    match (element, parameter) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn finish(shared: &SharedAgent, outcome: &Outcome, inform_delivered: bool) {
    let mut agent = shared.borrow_mut();
    agent.session_open = false;
    agent.session_ended(outcome, inform_delivered);
    if std::mem::take(&mut agent.connection_request_waiting) {
        info!(target: "cwmpd::cr", "a connection request came as the session ended: new session");
        agent.connection_requested();
    }
}

/// Reboot, factory reset, service reloads: only once the session is over (TR-069 A.3.2.9).
fn after_session(shared: &SharedAgent) -> AfterSession {
    let actions = {
        let mut agent = shared.borrow_mut();
        agent.session_open = false;
        std::mem::take(&mut agent.after_session)
    };
    perform(shared, actions)
}

/// Between sessions: take the system actions transfers asked for (sysupgrade, the reboot
/// after a configuration restore), then start the next due transfer as a task of its own.
/// Transfers start only here, so the response to Download always goes first (A.3.2.8).
pub fn between_sessions(shared: &SharedAgent) -> AfterSession {
    let actions = shared.borrow_mut().take_pending_actions();
    if perform(shared, actions) == AfterSession::Exit {
        return AfterSession::Exit;
    }
    start_diagnostics(shared);
    let Some(job) = shared.borrow_mut().next_transfer_job() else {
        return AfterSession::Continue;
    };
    let shared = shared.clone();
    tokio::task::spawn_local(async move {
        let id = job.transfer.id;
        let outcome = crate::transfer::run::run(job).await;
        shared.borrow_mut().transfer_finished(id, outcome);
    });
    AfterSession::Continue
}

/// Diagnostics requested in the last session run as tasks of their own.
fn start_diagnostics(shared: &SharedAgent) {
    let jobs = shared.borrow_mut().next_diagnostics_jobs();
    for (generation, job) in jobs {
        let test = job.test();
        let task_shared = shared.clone();
        let task = tokio::task::spawn_local(async move {
            let finished = job.run().await;
            task_shared
                .borrow_mut()
                .diagnostics_finished(generation, finished);
        });
        shared
            .borrow_mut()
            .diagnostics_started(test, generation, task.abort_handle());
    }
}

fn perform(shared: &SharedAgent, actions: Vec<crate::platform::Action>) -> AfterSession {
    let agent = shared.borrow();
    for action in actions {
        info!(target: "cwmpd::daemon", "system action: {action:?}");
        match agent.platform().perform(&action) {
            Ok(Aftermath::Exit) => return AfterSession::Exit,
            Ok(Aftermath::Continue) => {}
            Err(err) => warn!(target: "cwmpd::daemon", "{action:?} failed: {err}"),
        }
    }
    AfterSession::Continue
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_traces() {
        let xml = "<Name>Device.ManagementServer.Password</Name><Value xsi:type=\"xsd:string\">s3cret</Value>\
                   <Password>hunter2</Password><Username>bob</Username>";
        assert_eq!(
            redact_passwords(xml),
            "<Name>Device.ManagementServer.Password</Name><Value xsi:type=\"xsd:string\">***</Value>\
             <Password>***</Password><Username>bob</Username>"
        );
        assert_eq!(redact_passwords("no secrets"), "no secrets");
        assert_eq!(
            redact_passwords("<Password></Password>"),
            "<Password></Password>"
        );
    }
}
