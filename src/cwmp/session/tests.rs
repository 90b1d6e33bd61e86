//! Timeline tests: a session driven step by step under virtual time.

use super::*;
use crate::cwmp::event;
use crate::cwmp::rpc::TransferComplete;
use crate::cwmp::types::{FaultStruct, ParameterValueStruct, XsdType};

const NS: CwmpNamespace = CwmpNamespace::V1_0;

fn inform(events: &[&str]) -> Inform {
    Inform {
        event: events
            .iter()
            .map(|code| EventStruct::new(code, ""))
            .collect(),
        max_envelopes: 1,
        current_time: "2026-11-24T17:30:00Z".into(),
        ..Inform::default()
    }
}

fn settings() -> SessionSettings {
    SessionSettings {
        namespace: CwmpNamespace::V1_2,
        step_timeout_ms: 30_000,
    }
}

fn acs(body: Body) -> Reply {
    Reply::Envelope(Envelope::new(NS, Some("acs-1".into()), body))
}

fn inform_response() -> Reply {
    acs(Body::AcsResponse(AcsResponse::InformResponse {
        max_envelopes: 1,
    }))
}

fn transfer_complete() -> CpeRequest {
    CpeRequest::TransferComplete(TransferComplete {
        command_key: "fw-1".into(),
        fault_struct: FaultStruct::default(),
        start_time: "2026-11-24T17:00:00Z".into(),
        complete_time: "2026-11-24T17:01:00Z".into(),
    })
}

fn posted(outputs: &[Output]) -> Option<&Option<Envelope>> {
    outputs.iter().find_map(|o| match o {
        Output::Post(envelope) => Some(envelope),
        _ => None,
    })
}

#[test]
fn bootstrap_session_with_one_acs_request() {
    let (mut session, out) = Session::start(
        0,
        inform(&[event::BOOTSTRAP, event::BOOT]),
        vec![],
        &settings(),
    );
    let Some(Some(envelope)) = posted(&out) else {
        panic!("expected the Inform, got {out:?}")
    };
    assert_eq!(envelope.namespace, CwmpNamespace::V1_2);
    assert_eq!(envelope.id.as_deref(), Some("cwmpd-1"));
    assert!(
        matches!(&envelope.body, Body::CpeRequest(CpeRequest::Inform(i)) if i.event.len() == 2)
    );

    let out = session.handle_reply(100, inform_response());
    assert_eq!(
        out,
        vec![
            Output::InformDelivered(vec![
                EventStruct::new(event::BOOTSTRAP, ""),
                EventStruct::new(event::BOOT, "")
            ]),
            Output::Post(None),
        ]
    );
    assert_eq!(session.namespace(), NS, "answers in the ACS's namespace");

    let gpv = AcsRequest::GetParameterValues {
        parameter_names: vec!["Device.DeviceInfo.UpTime".into()],
    };
    let out = session.handle_reply(200, acs(Body::AcsRequest(gpv.clone())));
    assert_eq!(out, vec![Output::Execute(gpv)]);

    let response = CpeResponse::GetParameterValuesResponse {
        parameter_list: vec![ParameterValueStruct {
            name: "Device.DeviceInfo.UpTime".into(),
            value: "42".into(),
            xsd_type: XsdType::UnsignedInt,
        }],
    };
    let out = session.handle_rpc_result(250, Ok(response.clone()));
    assert_eq!(
        out,
        vec![Output::Post(Some(Envelope::new(
            NS,
            Some("acs-1".into()),
            Body::CpeResponse(response)
        )))]
    );

    let out = session.handle_reply(300, Reply::Empty);
    assert_eq!(out, vec![Output::Ended(Outcome::Completed)]);
    assert!(session.is_ended());
    assert_eq!(session.next_deadline(), None);
}

#[test]
fn cpe_requests_go_before_the_empty_post() {
    let (mut session, _) = Session::start(
        0,
        inform(&[event::TRANSFER_COMPLETE]),
        vec![transfer_complete()],
        &settings(),
    );
    let out = session.handle_reply(10, inform_response());
    assert_eq!(out.len(), 2);
    let Some(Some(envelope)) = posted(&out) else {
        panic!("{out:?}")
    };
    assert_eq!(envelope.body, Body::CpeRequest(transfer_complete()));
    assert_eq!(envelope.id.as_deref(), Some("cwmpd-2"));

    let out = session.handle_reply(
        20,
        acs(Body::AcsResponse(AcsResponse::TransferCompleteResponse)),
    );
    assert_eq!(
        out,
        vec![
            Output::RequestDelivered(transfer_complete()),
            Output::Post(None)
        ]
    );
    assert_eq!(
        session.handle_reply(30, Reply::Empty),
        vec![Output::Ended(Outcome::Completed)]
    );
}

#[test]
fn hold_requests_defers_cpe_requests_until_the_acs_is_done() {
    let (mut session, _) = Session::start(
        0,
        inform(&[event::TRANSFER_COMPLETE]),
        vec![transfer_complete()],
        &settings(),
    );
    let mut held = Envelope::new(
        NS,
        Some("a".into()),
        Body::AcsResponse(AcsResponse::InformResponse { max_envelopes: 1 }),
    );
    held.hold_requests = true;
    let out = session.handle_reply(10, Reply::Envelope(held));
    assert_eq!(
        posted(&out),
        Some(&None),
        "HoldRequests: empty POST instead of TransferComplete"
    );

    let mut request = Envelope::new(
        NS,
        Some("b".into()),
        Body::AcsRequest(AcsRequest::GetRPCMethods),
    );
    request.hold_requests = true;
    assert_eq!(
        session.handle_reply(20, Reply::Envelope(request)),
        vec![Output::Execute(AcsRequest::GetRPCMethods)]
    );
    let out = session.handle_rpc_result(
        21,
        Ok(CpeResponse::GetRPCMethodsResponse {
            method_list: vec!["Inform".into()],
        }),
    );
    assert!(matches!(posted(&out), Some(Some(e)) if e.id.as_deref() == Some("b")));

    // The ACS has nothing more: the held TransferComplete goes now, then the session ends.
    let out = session.handle_reply(30, Reply::Empty);
    assert!(
        matches!(posted(&out), Some(Some(e)) if e.body == Body::CpeRequest(transfer_complete()))
    );
    let out = session.handle_reply(
        40,
        acs(Body::AcsResponse(AcsResponse::TransferCompleteResponse)),
    );
    assert_eq!(
        out,
        vec![
            Output::RequestDelivered(transfer_complete()),
            Output::Post(None)
        ]
    );
    assert_eq!(
        session.handle_reply(50, Reply::Empty),
        vec![Output::Ended(Outcome::Completed)]
    );
}

#[test]
fn unknown_method_is_answered_with_fault_9000() {
    let (mut session, _) = Session::start(0, inform(&[event::PERIODIC]), vec![], &settings());
    session.handle_reply(10, inform_response());
    let out = session.handle_reply(
        20,
        acs(Body::AcsRequest(AcsRequest::Unknown(
            "ChangeDUState".into(),
        ))),
    );
    let Some(Some(envelope)) = posted(&out) else {
        panic!("{out:?}")
    };
    let Body::Fault(fault) = &envelope.body else {
        panic!("{envelope:?}")
    };
    assert_eq!(fault.fault_code, 9000);
    assert_eq!(fault.soap_fault_code, "Server");
    assert_eq!(fault.fault_string, "Method not supported: ChangeDUState");
    assert_eq!(envelope.id.as_deref(), Some("acs-1"));
    assert_eq!(
        session.handle_reply(30, Reply::Empty),
        vec![Output::Ended(Outcome::Completed)]
    );
}

#[test]
fn undecodable_request_gets_its_fault_with_the_id() {
    let (mut session, _) = Session::start(0, inform(&[event::PERIODIC]), vec![], &settings());
    session.handle_reply(10, inform_response());
    let out = session.handle_reply(
        20,
        Reply::Undecodable {
            id: Some("x7".into()),
            fault: Fault::new(FaultCode::InvalidArguments),
            reason: "NextLevel is not a boolean".into(),
        },
    );
    let Some(Some(envelope)) = posted(&out) else {
        panic!("{out:?}")
    };
    assert_eq!(envelope.id.as_deref(), Some("x7"));
    assert!(matches!(&envelope.body, Body::Fault(f) if f.fault_code == 9003));
}

#[test]
fn inform_fault_fails_the_session_and_keeps_events_undelivered() {
    let (mut session, _) = Session::start(0, inform(&[event::BOOT]), vec![], &settings());
    let fault = Fault {
        soap_fault_code: "Server".into(),
        fault_code: 8002,
        fault_string: "Internal error".into(),
        set_parameter_values_faults: vec![],
    };
    let out = session.handle_reply(5, acs(Body::Fault(fault.clone())));
    assert_eq!(
        out,
        vec![Output::Ended(Outcome::Failed(Failure::InformRejected(
            fault
        )))]
    );
    assert!(!session.inform_delivered());
}

#[test]
fn empty_answer_to_inform_is_a_protocol_violation() {
    let (mut session, _) = Session::start(0, inform(&[event::BOOT]), vec![], &settings());
    let out = session.handle_reply(5, Reply::Empty);
    assert_eq!(
        out,
        vec![Output::Ended(Outcome::Failed(Failure::ProtocolViolation(
            "expected InformResponse, got an empty body".into()
        )))]
    );
}

#[test]
fn retry_request_fault_on_transfer_complete_fails_the_session() {
    let (mut session, _) = Session::start(
        0,
        inform(&[event::TRANSFER_COMPLETE]),
        vec![transfer_complete()],
        &settings(),
    );
    session.handle_reply(10, inform_response());
    let fault = Fault {
        soap_fault_code: "Server".into(),
        fault_code: 8005,
        fault_string: "Retry request".into(),
        set_parameter_values_faults: vec![],
    };
    let out = session.handle_reply(20, acs(Body::Fault(fault)));
    assert_eq!(
        out,
        vec![Output::Ended(Outcome::Failed(Failure::RetryRequested))]
    );
    assert!(session.inform_delivered());
}

#[test]
fn other_fault_on_a_cpe_request_drops_it_and_goes_on() {
    let (mut session, _) = Session::start(
        0,
        inform(&[event::TRANSFER_COMPLETE]),
        vec![transfer_complete()],
        &settings(),
    );
    session.handle_reply(10, inform_response());
    let fault = Fault {
        soap_fault_code: "Client".into(),
        fault_code: 8003,
        fault_string: "Invalid arguments".into(),
        set_parameter_values_faults: vec![],
    };
    let out = session.handle_reply(20, acs(Body::Fault(fault.clone())));
    assert_eq!(
        out,
        vec![
            Output::RequestRejected(transfer_complete(), fault),
            Output::Post(None)
        ]
    );
}

#[test]
fn the_session_times_out_after_a_silent_step() {
    let (mut session, _) = Session::start(1_000, inform(&[event::PERIODIC]), vec![], &settings());
    assert_eq!(session.next_deadline(), Some(31_000));
    assert_eq!(session.handle_timeout(30_999), vec![]);
    session.handle_reply(2_000, inform_response());
    assert_eq!(
        session.next_deadline(),
        Some(32_000),
        "each step moves the deadline"
    );
    assert_eq!(
        session.handle_timeout(32_000),
        vec![Output::Ended(Outcome::Failed(Failure::Timeout))]
    );
    assert_eq!(session.handle_timeout(40_000), vec![]);
    assert_eq!(
        session.handle_transport_error(40_001, "late".into()),
        vec![]
    );
}

#[test]
fn transport_error_fails_once() {
    let (mut session, _) = Session::start(0, inform(&[event::PERIODIC]), vec![], &settings());
    let out = session.handle_transport_error(10, "HTTP 503 Service Unavailable".into());
    assert_eq!(
        out,
        vec![Output::Ended(Outcome::Failed(Failure::Transport(
            "HTTP 503 Service Unavailable".into()
        )))]
    );
    assert_eq!(session.handle_reply(20, Reply::Empty), vec![]);
}

#[test]
fn a_response_where_a_request_belongs_is_a_protocol_violation() {
    let (mut session, _) = Session::start(0, inform(&[event::PERIODIC]), vec![], &settings());
    session.handle_reply(10, inform_response());
    let out = session.handle_reply(20, inform_response());
    assert!(
        matches!(&out[..], [Output::Ended(Outcome::Failed(Failure::ProtocolViolation(m)))] if m.contains("InformResponse"))
    );
}
