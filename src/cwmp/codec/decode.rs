//! Element tree → typed messages (the "Repr" view of the codec).
//!
//! Arguments are found by local name, in any order and any namespace (TR-069 messages use
//! unqualified child elements, A.2.1, but some ACSes qualify them); unknown elements are
//! ignored. Rules for what may be missing:
//! - string arguments that TR-069 lets be empty read as `""` when empty or missing;
//! - numeric arguments read as 0 when empty (GenieACS sends `<FileSize></FileSize>`) and, where
//!   a zero is a harmless default, also when missing;
//! - arguments without which a request cannot be carried out (ObjectName, NextLevel, URL, …)
//!   are required: missing or unreadable, they give [`DecodeErrorKind::InvalidArgument`].

use std::str::FromStr;

use super::{DecodeError, DecodeErrorKind, Side};
use crate::cwmp::fault::Fault;
use crate::cwmp::rpc::*;
use crate::cwmp::types::*;
use crate::cwmp::xml::{Children, Document, Element, Ns};

/// An argument problem, explained for the log and the fault string.
type Arg<T> = Result<T, String>;

/// The context a CPE needs to answer even an undecodable request with a fault.
struct Context {
    id: Option<String>,
    namespace: Option<CwmpNamespace>,
    method: Option<String>,
}

impl Context {
    /// Read what can be read of the context, from a complete or a partial tree.
    fn read(document: &Document<'_>) -> Context {
        let root = document
            .root()
            .filter(|root| root.is(Ns::SoapEnvelope, "Envelope"));
        let id_header = root
            .and_then(|root| root.child_in(Ns::SoapEnvelope, "Header"))
            .and_then(|header| {
                header
                    .children()
                    .find(|child| is_cwmp(*child) && child.local_name() == "ID")
            });
        let rpc = root
            .and_then(|root| root.child_in(Ns::SoapEnvelope, "Body"))
            .and_then(|body| body.children().next());
        let namespace = rpc
            .and_then(rpc_namespace)
            .or_else(|| id_header.and_then(cwmp_namespace));
        Context {
            id: id_header
                .filter(|id| id.is_closed())
                .map(|id| id.text().to_owned()),
            namespace,
            method: rpc.map(|rpc| rpc.local_name().to_owned()),
        }
    }

    fn error(self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError {
            kind,
            id: self.id,
            namespace: self.namespace,
            method: self.method,
        }
    }
}

/// Attach whatever context the (partial) tree holds to an error.
pub(super) fn error_with_context(document: &Document<'_>, kind: DecodeErrorKind) -> DecodeError {
    Context::read(document).error(kind)
}

fn is_cwmp(element: Element<'_, '_>) -> bool {
    matches!(element.ns(), Ns::Cwmp(_))
}

fn cwmp_namespace(element: Element<'_, '_>) -> Option<CwmpNamespace> {
    match element.ns() {
        Ns::Cwmp(namespace) => Some(namespace),
        _ => None,
    }
}

/// The CWMP namespace of a Body element: its own, or for a SOAP Fault that of the
/// `cwmp:Fault` in its detail (A.5).
fn rpc_namespace(rpc: Element<'_, '_>) -> Option<CwmpNamespace> {
    if rpc.is(Ns::SoapEnvelope, "Fault") {
        return cwmp_fault_detail(rpc).and_then(cwmp_namespace);
    }
    cwmp_namespace(rpc)
}

fn cwmp_fault_detail<'d, 'a>(soap_fault: Element<'d, 'a>) -> Option<Element<'d, 'a>> {
    soap_fault.child("detail")?.child("Fault")
}

/// Decode a well-formed document into an envelope.
pub(super) fn envelope(document: &Document<'_>, side: Side) -> Result<Envelope, DecodeError> {
    let context = Context::read(document);
    let root = match document.root() {
        Some(root) if root.is(Ns::SoapEnvelope, "Envelope") => root,
        _ => return Err(context.error(DecodeErrorKind::NotAnEnvelope)),
    };
    let Some(body) = root.child_in(Ns::SoapEnvelope, "Body") else {
        return Err(context.error(DecodeErrorKind::NotAnEnvelope));
    };
    let mut entries = body.children();
    let Some(rpc) = entries.next() else {
        return Err(context.error(DecodeErrorKind::NotAnEnvelope));
    };
    if entries.next().is_some() {
        // TR-069 ("Use of SOAP"): the Body carries a single method call or response.
        let reason = "Body holds more than one element".to_owned();
        return Err(context.error(DecodeErrorKind::Malformed(reason)));
    }
    let Some(namespace) = rpc_namespace(rpc) else {
        return Err(context.error(DecodeErrorKind::NoCwmpNamespace));
    };
    let header = root.child_in(Ns::SoapEnvelope, "Header");
    match headers_and_body(header, rpc, side) {
        Ok((headers, body)) => Ok(Envelope {
            namespace,
            id: context.id,
            hold_requests: headers.hold_requests,
            no_more_requests: headers.no_more_requests,
            session_timeout: headers.session_timeout,
            body,
        }),
        Err(kind) => Err(context.error(kind)),
    }
}

fn headers_and_body(
    header: Option<Element<'_, '_>>,
    rpc: Element<'_, '_>,
    side: Side,
) -> Result<(Headers, Body), DecodeErrorKind> {
    let headers = match header {
        Some(header) => Headers::read(header).map_err(DecodeErrorKind::InvalidArgument)?,
        None => Headers::default(),
    };
    Ok((headers, message(rpc, side)?))
}

/// The CWMP SOAP header elements other than ID (TR-069 "Use of SOAP"; cwmp-1-x.xsd).
#[derive(Default)]
struct Headers {
    hold_requests: bool,
    no_more_requests: bool,
    session_timeout: Option<u32>,
}

impl Headers {
    fn read(header: Element<'_, '_>) -> Arg<Headers> {
        let mut headers = Headers::default();
        for element in header.children().filter(|child| is_cwmp(*child)) {
            match element.local_name() {
                "HoldRequests" => headers.hold_requests = parse_boolean(element)?,
                "NoMoreRequests" => headers.no_more_requests = parse_boolean(element)?,
                "SessionTimeout" => headers.session_timeout = Some(parse_number(element)?),
                _ => {}
            }
        }
        Ok(headers)
    }
}

fn message(rpc: Element<'_, '_>, side: Side) -> Result<Body, DecodeErrorKind> {
    if rpc.is(Ns::SoapEnvelope, "Fault") {
        return fault(rpc)
            .map(Body::Fault)
            .map_err(DecodeErrorKind::InvalidArgument);
    }
    match side {
        Side::Cpe => message_to_cpe(rpc).map_err(DecodeErrorKind::InvalidArgument),
        Side::Acs => message_to_acs(rpc),
    }
}

fn message_to_cpe(rpc: Element<'_, '_>) -> Arg<Body> {
    if let Some(response) = acs_response(rpc) {
        return response.map(Body::AcsResponse);
    }
    acs_request(rpc).map(Body::AcsRequest)
}

fn message_to_acs(rpc: Element<'_, '_>) -> Result<Body, DecodeErrorKind> {
    let body = if let Some(request) = cpe_request(rpc) {
        request.map(Body::CpeRequest)
    } else if let Some(response) = cpe_response(rpc) {
        response.map(Body::CpeResponse)
    } else {
        let name = rpc.local_name().to_owned();
        return Err(DecodeErrorKind::UnknownMethod(name));
    };
    body.map_err(DecodeErrorKind::InvalidArgument)
}

// ---------------------------------------------------------------------------------------------
// ACS → CPE

/// ACS requests (A.3.2, A.4.1); any other name is `Unknown`, answered with fault 9000.
fn acs_request(rpc: Element<'_, '_>) -> Arg<AcsRequest> {
    Ok(match rpc.local_name() {
        "GetRPCMethods" => AcsRequest::GetRPCMethods,
        "SetParameterValues" => AcsRequest::SetParameterValues {
            parameter_list: list(rpc, "ParameterList", parameter_value_struct)?,
            parameter_key: string(rpc, "ParameterKey"),
        },
        "GetParameterValues" => AcsRequest::GetParameterValues {
            parameter_names: string_list(rpc, "ParameterNames")?,
        },
        "GetParameterNames" => AcsRequest::GetParameterNames {
            parameter_path: string(rpc, "ParameterPath"),
            next_level: required_boolean(rpc, "NextLevel")?,
        },
        "SetParameterAttributes" => AcsRequest::SetParameterAttributes {
            parameter_list: list(rpc, "ParameterList", set_parameter_attributes_struct)?,
        },
        "GetParameterAttributes" => AcsRequest::GetParameterAttributes {
            parameter_names: string_list(rpc, "ParameterNames")?,
        },
        "AddObject" => AcsRequest::AddObject {
            object_name: required_string(rpc, "ObjectName")?,
            parameter_key: string(rpc, "ParameterKey"),
        },
        "DeleteObject" => AcsRequest::DeleteObject {
            object_name: required_string(rpc, "ObjectName")?,
            parameter_key: string(rpc, "ParameterKey"),
        },
        "Reboot" => AcsRequest::Reboot {
            command_key: string(rpc, "CommandKey"),
        },
        "Download" => AcsRequest::Download(download(rpc)?),
        "Upload" => AcsRequest::Upload(upload(rpc)?),
        "FactoryReset" => AcsRequest::FactoryReset,
        "GetQueuedTransfers" => AcsRequest::GetQueuedTransfers,
        "GetAllQueuedTransfers" => AcsRequest::GetAllQueuedTransfers,
        "ScheduleInform" => AcsRequest::ScheduleInform {
            delay_seconds: required_number(rpc, "DelaySeconds")?,
            command_key: string(rpc, "CommandKey"),
        },
        "ScheduleDownload" => AcsRequest::ScheduleDownload(schedule_download(rpc)?),
        "CancelTransfer" => AcsRequest::CancelTransfer {
            command_key: string(rpc, "CommandKey"),
        },
        other => AcsRequest::Unknown(other.to_owned()),
    })
}

/// ACS responses to CPE requests (A.3.1, A.3.3, A.4.2); `None` for any other name.
fn acs_response(rpc: Element<'_, '_>) -> Option<Arg<AcsResponse>> {
    let response = match rpc.local_name() {
        "InformResponse" => number(rpc, "MaxEnvelopes")
            .map(|max_envelopes| AcsResponse::InformResponse { max_envelopes }),
        "GetRPCMethodsResponse" => string_list(rpc, "MethodList")
            .map(|method_list| AcsResponse::GetRPCMethodsResponse { method_list }),
        "TransferCompleteResponse" => Ok(AcsResponse::TransferCompleteResponse),
        "AutonomousTransferCompleteResponse" => Ok(AcsResponse::AutonomousTransferCompleteResponse),
        "RequestDownloadResponse" => Ok(AcsResponse::RequestDownloadResponse),
        "KickedResponse" => Ok(AcsResponse::KickedResponse {
            next_url: string(rpc, "NextURL"),
        }),
        _ => return None,
    };
    Some(response)
}

/// Download (A.3.2.8): GenieACS sends every optional argument, empty.
fn download(rpc: Element<'_, '_>) -> Arg<Download> {
    Ok(Download {
        command_key: string(rpc, "CommandKey"),
        file_type: required_string(rpc, "FileType")?,
        url: required_string(rpc, "URL")?,
        username: string(rpc, "Username"),
        password: string(rpc, "Password"),
        file_size: number(rpc, "FileSize")?,
        target_file_name: string(rpc, "TargetFileName"),
        delay_seconds: number(rpc, "DelaySeconds")?,
        success_url: string(rpc, "SuccessURL"),
        failure_url: string(rpc, "FailureURL"),
    })
}

/// Upload (A.4.1.5).
fn upload(rpc: Element<'_, '_>) -> Arg<Upload> {
    Ok(Upload {
        command_key: string(rpc, "CommandKey"),
        file_type: required_string(rpc, "FileType")?,
        url: required_string(rpc, "URL")?,
        username: string(rpc, "Username"),
        password: string(rpc, "Password"),
        delay_seconds: number(rpc, "DelaySeconds")?,
    })
}

/// ScheduleDownload (A.4.1.8).
fn schedule_download(rpc: Element<'_, '_>) -> Arg<ScheduleDownload> {
    Ok(ScheduleDownload {
        command_key: string(rpc, "CommandKey"),
        file_type: required_string(rpc, "FileType")?,
        url: required_string(rpc, "URL")?,
        username: string(rpc, "Username"),
        password: string(rpc, "Password"),
        file_size: number(rpc, "FileSize")?,
        target_file_name: string(rpc, "TargetFileName"),
        time_window_list: list(rpc, "TimeWindowList", time_window_struct)?,
    })
}

fn time_window_struct(element: Element<'_, '_>) -> Arg<TimeWindowStruct> {
    Ok(TimeWindowStruct {
        window_start: required_number(element, "WindowStart")?,
        window_end: required_number(element, "WindowEnd")?,
        window_mode: required_string(element, "WindowMode")?,
        user_message: string(element, "UserMessage"),
        max_retries: required_number(element, "MaxRetries")?,
    })
}

fn set_parameter_attributes_struct(element: Element<'_, '_>) -> Arg<SetParameterAttributesStruct> {
    let notification_change = required_boolean(element, "NotificationChange")?;
    let access_list_change = required_boolean(element, "AccessListChange")?;
    // Notification and AccessList matter only when their change flag is set (A.3.2.4).
    let notification = match element.child("Notification") {
        Some(notification) => parse_number(notification)?,
        None if notification_change => return Err(missing("Notification")),
        None => 0,
    };
    let access_list = match element.child("AccessList") {
        Some(access_list) => members(access_list).map(text).collect(),
        None if access_list_change => return Err(missing("AccessList")),
        None => Vec::new(),
    };
    Ok(SetParameterAttributesStruct {
        name: required_string(element, "Name")?,
        notification_change,
        notification,
        access_list_change,
        access_list,
    })
}

// ---------------------------------------------------------------------------------------------
// CPE → ACS

/// CPE requests (A.3.1.1, A.3.3, A.4.2); `None` for any other name.
fn cpe_request(rpc: Element<'_, '_>) -> Option<Arg<CpeRequest>> {
    let request = match rpc.local_name() {
        "Inform" => inform(rpc).map(CpeRequest::Inform),
        "GetRPCMethods" => Ok(CpeRequest::GetRPCMethods),
        "TransferComplete" => transfer_complete(rpc).map(CpeRequest::TransferComplete),
        "AutonomousTransferComplete" => {
            autonomous_transfer_complete(rpc).map(CpeRequest::AutonomousTransferComplete)
        }
        "RequestDownload" => request_download(rpc),
        "Kicked" => Ok(CpeRequest::Kicked(Kicked {
            command: string(rpc, "Command"),
            referer: string(rpc, "Referer"),
            arg: string(rpc, "Arg"),
            next: string(rpc, "Next"),
        })),
        _ => return None,
    };
    Some(request)
}

/// Inform (A.3.3.1).
fn inform(rpc: Element<'_, '_>) -> Arg<Inform> {
    let device_id = required(rpc, "DeviceId")?;
    Ok(Inform {
        device_id: DeviceIdStruct {
            manufacturer: string(device_id, "Manufacturer"),
            oui: string(device_id, "OUI"),
            product_class: string(device_id, "ProductClass"),
            serial_number: string(device_id, "SerialNumber"),
        },
        event: list(rpc, "Event", event_struct)?,
        max_envelopes: number(rpc, "MaxEnvelopes")?,
        current_time: string(rpc, "CurrentTime"),
        retry_count: number(rpc, "RetryCount")?,
        parameter_list: list(rpc, "ParameterList", parameter_value_struct)?,
    })
}

fn event_struct(element: Element<'_, '_>) -> Arg<EventStruct> {
    Ok(EventStruct {
        event_code: required_string(element, "EventCode")?,
        command_key: string(element, "CommandKey"),
    })
}

/// TransferComplete (A.3.3.2).
fn transfer_complete(rpc: Element<'_, '_>) -> Arg<TransferComplete> {
    Ok(TransferComplete {
        command_key: string(rpc, "CommandKey"),
        fault_struct: fault_struct(required(rpc, "FaultStruct")?)?,
        start_time: string(rpc, "StartTime"),
        complete_time: string(rpc, "CompleteTime"),
    })
}

/// AutonomousTransferComplete (A.3.3.3).
fn autonomous_transfer_complete(rpc: Element<'_, '_>) -> Arg<AutonomousTransferComplete> {
    Ok(AutonomousTransferComplete {
        announce_url: string(rpc, "AnnounceURL"),
        transfer_url: string(rpc, "TransferURL"),
        is_download: required_boolean(rpc, "IsDownload")?,
        file_type: string(rpc, "FileType"),
        file_size: number(rpc, "FileSize")?,
        target_file_name: string(rpc, "TargetFileName"),
        fault_struct: fault_struct(required(rpc, "FaultStruct")?)?,
        start_time: string(rpc, "StartTime"),
        complete_time: string(rpc, "CompleteTime"),
    })
}

fn fault_struct(element: Element<'_, '_>) -> Arg<FaultStruct> {
    Ok(FaultStruct {
        fault_code: number(element, "FaultCode")?,
        fault_string: string(element, "FaultString"),
    })
}

/// RequestDownload (A.4.2.2).
fn request_download(rpc: Element<'_, '_>) -> Arg<CpeRequest> {
    let file_type_arg = match rpc.child("FileTypeArg") {
        Some(arguments) => members(arguments).map(arg_struct).collect(),
        None => Vec::new(),
    };
    Ok(CpeRequest::RequestDownload {
        file_type: required_string(rpc, "FileType")?,
        file_type_arg,
    })
}

fn arg_struct(element: Element<'_, '_>) -> ArgStruct {
    ArgStruct {
        name: string(element, "Name"),
        value: string(element, "Value"),
    }
}

/// CPE responses to ACS requests (A.3.2, A.4.1); `None` for any other name.
fn cpe_response(rpc: Element<'_, '_>) -> Option<Arg<CpeResponse>> {
    let response = match rpc.local_name() {
        "GetRPCMethodsResponse" => string_list(rpc, "MethodList")
            .map(|method_list| CpeResponse::GetRPCMethodsResponse { method_list }),
        "SetParameterValuesResponse" => required_number(rpc, "Status")
            .map(|status| CpeResponse::SetParameterValuesResponse { status }),
        "GetParameterValuesResponse" => list(rpc, "ParameterList", parameter_value_struct)
            .map(|parameter_list| CpeResponse::GetParameterValuesResponse { parameter_list }),
        "GetParameterNamesResponse" => list(rpc, "ParameterList", parameter_info_struct)
            .map(|parameter_list| CpeResponse::GetParameterNamesResponse { parameter_list }),
        "SetParameterAttributesResponse" => Ok(CpeResponse::SetParameterAttributesResponse),
        "GetParameterAttributesResponse" => list(rpc, "ParameterList", parameter_attribute_struct)
            .map(|parameter_list| CpeResponse::GetParameterAttributesResponse { parameter_list }),
        "AddObjectResponse" => add_object_response(rpc),
        "DeleteObjectResponse" => required_number(rpc, "Status")
            .map(|status| CpeResponse::DeleteObjectResponse { status }),
        "RebootResponse" => Ok(CpeResponse::RebootResponse),
        "DownloadResponse" => transfer_response(rpc).map(|(status, start_time, complete_time)| {
            CpeResponse::DownloadResponse {
                status,
                start_time,
                complete_time,
            }
        }),
        "UploadResponse" => transfer_response(rpc).map(|(status, start_time, complete_time)| {
            CpeResponse::UploadResponse {
                status,
                start_time,
                complete_time,
            }
        }),
        "FactoryResetResponse" => Ok(CpeResponse::FactoryResetResponse),
        "GetQueuedTransfersResponse" => list(rpc, "TransferList", queued_transfer_struct)
            .map(|transfer_list| CpeResponse::GetQueuedTransfersResponse { transfer_list }),
        "GetAllQueuedTransfersResponse" => list(rpc, "TransferList", all_queued_transfer_struct)
            .map(|transfer_list| CpeResponse::GetAllQueuedTransfersResponse { transfer_list }),
        "ScheduleInformResponse" => Ok(CpeResponse::ScheduleInformResponse),
        "ScheduleDownloadResponse" => Ok(CpeResponse::ScheduleDownloadResponse),
        "CancelTransferResponse" => Ok(CpeResponse::CancelTransferResponse),
        _ => return None,
    };
    Some(response)
}

fn add_object_response(rpc: Element<'_, '_>) -> Arg<CpeResponse> {
    Ok(CpeResponse::AddObjectResponse {
        instance_number: required_number(rpc, "InstanceNumber")?,
        status: required_number(rpc, "Status")?,
    })
}

/// Status, StartTime and CompleteTime of DownloadResponse / UploadResponse.
fn transfer_response(rpc: Element<'_, '_>) -> Arg<(u8, String, String)> {
    Ok((
        required_number(rpc, "Status")?,
        string(rpc, "StartTime"),
        string(rpc, "CompleteTime"),
    ))
}

fn parameter_info_struct(element: Element<'_, '_>) -> Arg<ParameterInfoStruct> {
    Ok(ParameterInfoStruct {
        name: required_string(element, "Name")?,
        writable: required_boolean(element, "Writable")?,
    })
}

fn parameter_attribute_struct(element: Element<'_, '_>) -> Arg<ParameterAttributeStruct> {
    Ok(ParameterAttributeStruct {
        name: required_string(element, "Name")?,
        notification: required_number(element, "Notification")?,
        access_list: match element.child("AccessList") {
            Some(access_list) => members(access_list).map(text).collect(),
            None => Vec::new(),
        },
    })
}

fn queued_transfer_struct(element: Element<'_, '_>) -> Arg<QueuedTransferStruct> {
    Ok(QueuedTransferStruct {
        command_key: string(element, "CommandKey"),
        state: required_number(element, "State")?,
    })
}

fn all_queued_transfer_struct(element: Element<'_, '_>) -> Arg<AllQueuedTransferStruct> {
    Ok(AllQueuedTransferStruct {
        command_key: string(element, "CommandKey"),
        state: required_number(element, "State")?,
        is_download: required_boolean(element, "IsDownload")?,
        file_type: string(element, "FileType"),
        file_size: number(element, "FileSize")?,
        target_file_name: string(element, "TargetFileName"),
    })
}

// ---------------------------------------------------------------------------------------------
// Both directions

/// ParameterValueStruct (A.3.2.1). The value keeps its exact text; `xsi:type` absent →
/// `XsdType::Other("")`.
fn parameter_value_struct(element: Element<'_, '_>) -> Arg<ParameterValueStruct> {
    let value = required(element, "Value")?;
    Ok(ParameterValueStruct {
        name: required_string(element, "Name")?,
        value: value.text().to_owned(),
        xsd_type: match value.xsi_type() {
            Some(local_name) => XsdType::from_local_name(local_name),
            None => XsdType::Other(String::new()),
        },
    })
}

/// A SOAP Fault with a cwmp:Fault detail (A.5). The SOAP `faultcode` is a QName
/// (`soapenv:Client`); only its local part is kept.
fn fault(soap_fault: Element<'_, '_>) -> Arg<Fault> {
    let soap_fault_code = string(soap_fault, "faultcode");
    let soap_fault_code = match soap_fault_code.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => soap_fault_code,
    };
    let detail = cwmp_fault_detail(soap_fault).ok_or_else(|| missing("detail/Fault"))?;
    let set_parameter_values_faults = detail
        .children()
        .filter(|child| child.local_name() == "SetParameterValuesFault")
        .map(set_parameter_values_fault)
        .collect::<Arg<Vec<_>>>()?;
    Ok(Fault {
        soap_fault_code: soap_fault_code.trim_matches(is_xml_space).to_owned(),
        fault_code: required_number(detail, "FaultCode")?,
        fault_string: string(detail, "FaultString"),
        set_parameter_values_faults,
    })
}

fn set_parameter_values_fault(element: Element<'_, '_>) -> Arg<SetParameterValuesFault> {
    Ok(SetParameterValuesFault {
        parameter_name: string(element, "ParameterName"),
        fault_code: required_number(element, "FaultCode")?,
        fault_string: string(element, "FaultString"),
    })
}

// ---------------------------------------------------------------------------------------------
// Argument helpers

fn missing(name: &str) -> String {
    format!("{name} missing")
}

fn required<'d, 'a>(parent: Element<'d, 'a>, name: &str) -> Arg<Element<'d, 'a>> {
    parent.child(name).ok_or_else(|| missing(name))
}

fn text(element: Element<'_, '_>) -> String {
    element.text().to_owned()
}

/// A string argument; empty when missing.
fn string(parent: Element<'_, '_>, name: &str) -> String {
    parent.child(name).map(text).unwrap_or_default()
}

fn required_string(parent: Element<'_, '_>, name: &str) -> Arg<String> {
    required(parent, name).map(text)
}

/// A numeric argument; 0 when missing or empty.
fn number<T: FromStr + Default>(parent: Element<'_, '_>, name: &str) -> Arg<T> {
    match parent.child(name) {
        Some(element) => parse_number(element),
        None => Ok(T::default()),
    }
}

/// A numeric argument that must be present; 0 when empty.
fn required_number<T: FromStr + Default>(parent: Element<'_, '_>, name: &str) -> Arg<T> {
    parse_number(required(parent, name)?)
}

fn required_boolean(parent: Element<'_, '_>, name: &str) -> Arg<bool> {
    parse_boolean(required(parent, name)?)
}

/// The members of a SOAP-encoded array (any element name: SOAP 1.1 §5.4.2).
fn members<'d, 'a>(array: Element<'d, 'a>) -> Children<'d, 'a> {
    array.children()
}

/// A required array of structs.
fn list<T>(
    parent: Element<'_, '_>,
    name: &str,
    read_member: impl Fn(Element<'_, '_>) -> Arg<T>,
) -> Arg<Vec<T>> {
    members(required(parent, name)?).map(read_member).collect()
}

/// A required array of strings (ParameterNames, MethodList).
fn string_list(parent: Element<'_, '_>, name: &str) -> Arg<Vec<String>> {
    Ok(members(required(parent, name)?).map(text).collect())
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// An xsd integer type; whitespace around it is collapsed (XML Schema §4.3.6) and an empty
/// element reads as 0.
fn parse_number<T: FromStr + Default>(element: Element<'_, '_>) -> Arg<T> {
    let text = element.text().trim_matches(is_xml_space);
    if text.is_empty() {
        return Ok(T::default());
    }
    text.parse()
        .map_err(|_| invalid(element, "a number in range"))
}

/// xsd:boolean: `1`, `0`, `true`, `false` (case-insensitive, for tolerance).
fn parse_boolean(element: Element<'_, '_>) -> Arg<bool> {
    let text = element.text().trim_matches(is_xml_space);
    if text == "1" || text.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if text == "0" || text.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid(element, "a boolean"))
    }
}

fn invalid(element: Element<'_, '_>, expected: &str) -> String {
    const SHOWN: usize = 40;
    let text = element.text();
    let shown: String = text.chars().take(SHOWN).collect();
    let ellipsis = if shown.len() < text.len() { "…" } else { "" };
    format!(
        "{}: expected {expected}, got {shown:?}{ellipsis}",
        element.local_name()
    )
}
