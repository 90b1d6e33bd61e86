//! Typed messages → canonical envelope bytes, written straight into a `Vec<u8>`.
//!
//! The output validates against the official SOAP 1.1 and CWMP schemas (see
//! `tests/codec.rs`): elements in schema order, every SOAP-encoded array with its
//! `soapenc:arrayType` and member count, every `Value` with an `xsi:type`, no `encodingStyle`
//! on the Envelope (the SOAP 1.1 schema rejects it there) and no `NoMoreRequests` header (no
//! CWMP schema declares it).

use crate::cwmp::fault::Fault;
use crate::cwmp::rpc::*;
use crate::cwmp::types::*;
use crate::cwmp::xml::{XmlWriter, SOAP_ENCODING_URI, SOAP_ENVELOPE_URI, XSD_URI, XSI_URI};

pub(super) fn envelope(envelope: &Envelope, out: &mut Vec<u8>) {
    let mut w = XmlWriter::new(out);
    w.raw(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    w.raw("\n<soapenv:Envelope");
    namespace_declaration(&mut w, "soapenv", SOAP_ENVELOPE_URI);
    namespace_declaration(&mut w, "soapenc", SOAP_ENCODING_URI);
    namespace_declaration(&mut w, "xsd", XSD_URI);
    namespace_declaration(&mut w, "xsi", XSI_URI);
    namespace_declaration(&mut w, "cwmp", envelope.namespace.uri());
    w.raw(">");
    header(&mut w, envelope);
    w.raw("<soapenv:Body>");
    body(&mut w, &envelope.body);
    w.raw("</soapenv:Body></soapenv:Envelope>");
}

fn namespace_declaration(w: &mut XmlWriter<'_>, prefix: &str, uri: &str) {
    w.raw(" xmlns:");
    w.raw(prefix);
    w.raw("=\"");
    w.attribute_value(uri);
    w.raw("\"");
}

/// The CWMP SOAP header elements (TR-069 "Use of SOAP"). NoMoreRequests is never sent: it is
/// deprecated and no CWMP schema declares it.
fn header(w: &mut XmlWriter<'_>, envelope: &Envelope) {
    if envelope.id.is_none() && !envelope.hold_requests && envelope.session_timeout.is_none() {
        return;
    }
    w.raw("<soapenv:Header>");
    if let Some(id) = &envelope.id {
        w.raw(r#"<cwmp:ID soapenv:mustUnderstand="1">"#);
        w.text(id);
        w.raw("</cwmp:ID>");
    }
    if envelope.hold_requests {
        w.raw(r#"<cwmp:HoldRequests soapenv:mustUnderstand="1">1</cwmp:HoldRequests>"#);
    }
    if let Some(seconds) = envelope.session_timeout {
        // Declared by cwmp-1-3.xsd (namespace cwmp-1-2) with mustUnderstand fixed to 0.
        w.raw(r#"<cwmp:SessionTimeout soapenv:mustUnderstand="0">"#);
        w.unsigned(seconds.into());
        w.raw("</cwmp:SessionTimeout>");
    }
    w.raw("</soapenv:Header>");
}

fn body(w: &mut XmlWriter<'_>, body: &Body) {
    match body {
        Body::AcsRequest(request) => acs_request(w, request),
        Body::CpeResponse(response) => cpe_response(w, response),
        Body::CpeRequest(request) => cpe_request(w, request),
        Body::AcsResponse(response) => acs_response(w, response),
        Body::Fault(fault) => soap_fault(w, fault),
    }
}

/// `<cwmp:NAME>…</cwmp:NAME>`
fn rpc(w: &mut XmlWriter<'_>, name: &str, arguments: impl FnOnce(&mut XmlWriter<'_>)) {
    w.raw("<cwmp:");
    w.raw(name);
    w.raw(">");
    arguments(w);
    w.raw("</cwmp:");
    w.raw(name);
    w.raw(">");
}

/// An RPC without arguments.
fn empty_rpc(w: &mut XmlWriter<'_>, name: &str) {
    rpc(w, name, |_| {});
}

/// A SOAP-encoded array: `<NAME soapenc:arrayType="MEMBER_TYPE[N]">…</NAME>` (SOAP 1.1 §5.4.2).
fn array<T>(
    w: &mut XmlWriter<'_>,
    name: &str,
    member_type: &str,
    members: &[T],
    write_member: impl Fn(&mut XmlWriter<'_>, &T),
) {
    w.raw("<");
    w.raw(name);
    w.raw(r#" soapenc:arrayType=""#);
    w.raw(member_type);
    w.raw("[");
    w.unsigned(members.len() as u64);
    w.raw(r#"]">"#);
    for member in members {
        write_member(w, member);
    }
    w.end(name);
}

/// An array of xsd:string, each member a `<string>` element.
fn string_array(w: &mut XmlWriter<'_>, name: &str, strings: &[String]) {
    array(w, name, "xsd:string", strings, |w, s| {
        w.text_element("string", s)
    });
}

/// `<NAME>…</NAME>` around the fields of a struct.
fn structure(w: &mut XmlWriter<'_>, name: &str, fields: impl FnOnce(&mut XmlWriter<'_>)) {
    w.start(name);
    fields(w);
    w.end(name);
}

// ---------------------------------------------------------------------------------------------
// ACS → CPE

fn acs_request(w: &mut XmlWriter<'_>, request: &AcsRequest) {
    let name = request.method_name();
    match request {
        AcsRequest::GetRPCMethods
        | AcsRequest::FactoryReset
        | AcsRequest::GetQueuedTransfers
        | AcsRequest::GetAllQueuedTransfers => empty_rpc(w, name),
        AcsRequest::SetParameterValues {
            parameter_list,
            parameter_key,
        } => rpc(w, name, |w| {
            parameter_value_list(w, parameter_list);
            w.text_element("ParameterKey", parameter_key);
        }),
        AcsRequest::GetParameterValues { parameter_names }
        | AcsRequest::GetParameterAttributes { parameter_names } => rpc(w, name, |w| {
            string_array(w, "ParameterNames", parameter_names)
        }),
        AcsRequest::GetParameterNames {
            parameter_path,
            next_level,
        } => rpc(w, name, |w| {
            w.text_element("ParameterPath", parameter_path);
            w.boolean_element("NextLevel", *next_level);
        }),
        AcsRequest::SetParameterAttributes { parameter_list } => rpc(w, name, |w| {
            array(
                w,
                "ParameterList",
                "cwmp:SetParameterAttributesStruct",
                parameter_list,
                set_parameter_attributes_struct,
            )
        }),
        AcsRequest::AddObject {
            object_name,
            parameter_key,
        }
        | AcsRequest::DeleteObject {
            object_name,
            parameter_key,
        } => rpc(w, name, |w| {
            w.text_element("ObjectName", object_name);
            w.text_element("ParameterKey", parameter_key);
        }),
        AcsRequest::Reboot { command_key } | AcsRequest::CancelTransfer { command_key } => {
            rpc(w, name, |w| w.text_element("CommandKey", command_key))
        }
        AcsRequest::Download(download_request) => rpc(w, name, |w| download(w, download_request)),
        AcsRequest::Upload(upload_request) => rpc(w, name, |w| upload(w, upload_request)),
        AcsRequest::ScheduleInform {
            delay_seconds,
            command_key,
        } => rpc(w, name, |w| {
            w.unsigned_element("DelaySeconds", (*delay_seconds).into());
            w.text_element("CommandKey", command_key);
        }),
        AcsRequest::ScheduleDownload(request) => rpc(w, name, |w| schedule_download(w, request)),
        AcsRequest::Unknown(method) => empty_rpc(w, &xml_name(method)),
    }
}

/// An element name made from arbitrary text: characters not allowed in an XML name become `_`.
fn xml_name(text: &str) -> String {
    let name: String = text
        .chars()
        .enumerate()
        .map(|(position, c)| {
            let allowed = c.is_alphanumeric() || c == '_' || (position > 0 && ".-".contains(c));
            let starts_with_digit = position == 0 && c.is_numeric();
            if allowed && !starts_with_digit {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "_".to_owned()
    } else {
        name
    }
}

fn set_parameter_attributes_struct(w: &mut XmlWriter<'_>, item: &SetParameterAttributesStruct) {
    structure(w, "SetParameterAttributesStruct", |w| {
        w.text_element("Name", &item.name);
        w.boolean_element("NotificationChange", item.notification_change);
        w.unsigned_element("Notification", item.notification.into());
        w.boolean_element("AccessListChange", item.access_list_change);
        string_array(w, "AccessList", &item.access_list);
    });
}

/// Download (A.3.2.8), arguments in schema order.
fn download(w: &mut XmlWriter<'_>, download: &Download) {
    w.text_element("CommandKey", &download.command_key);
    w.text_element("FileType", &download.file_type);
    w.text_element("URL", &download.url);
    w.text_element("Username", &download.username);
    w.text_element("Password", &download.password);
    w.unsigned_element("FileSize", download.file_size.into());
    w.text_element("TargetFileName", &download.target_file_name);
    w.unsigned_element("DelaySeconds", download.delay_seconds.into());
    w.text_element("SuccessURL", &download.success_url);
    w.text_element("FailureURL", &download.failure_url);
}

/// Upload (A.4.1.5).
fn upload(w: &mut XmlWriter<'_>, upload: &Upload) {
    w.text_element("CommandKey", &upload.command_key);
    w.text_element("FileType", &upload.file_type);
    w.text_element("URL", &upload.url);
    w.text_element("Username", &upload.username);
    w.text_element("Password", &upload.password);
    w.unsigned_element("DelaySeconds", upload.delay_seconds.into());
}

/// ScheduleDownload (A.4.1.8).
fn schedule_download(w: &mut XmlWriter<'_>, request: &ScheduleDownload) {
    w.text_element("CommandKey", &request.command_key);
    w.text_element("FileType", &request.file_type);
    w.text_element("URL", &request.url);
    w.text_element("Username", &request.username);
    w.text_element("Password", &request.password);
    w.unsigned_element("FileSize", request.file_size.into());
    w.text_element("TargetFileName", &request.target_file_name);
    array(
        w,
        "TimeWindowList",
        "cwmp:TimeWindowStruct",
        &request.time_window_list,
        |w, window| {
            structure(w, "TimeWindowStruct", |w| {
                w.unsigned_element("WindowStart", window.window_start.into());
                w.unsigned_element("WindowEnd", window.window_end.into());
                w.text_element("WindowMode", &window.window_mode);
                w.text_element("UserMessage", &window.user_message);
                w.signed_element("MaxRetries", window.max_retries.into());
            })
        },
    );
}

fn acs_response(w: &mut XmlWriter<'_>, response: &AcsResponse) {
    match response {
        AcsResponse::InformResponse { max_envelopes } => rpc(w, "InformResponse", |w| {
            w.unsigned_element("MaxEnvelopes", (*max_envelopes).into())
        }),
        AcsResponse::GetRPCMethodsResponse { method_list } => {
            rpc(w, "GetRPCMethodsResponse", |w| {
                string_array(w, "MethodList", method_list)
            })
        }
        AcsResponse::TransferCompleteResponse => empty_rpc(w, "TransferCompleteResponse"),
        AcsResponse::AutonomousTransferCompleteResponse => {
            empty_rpc(w, "AutonomousTransferCompleteResponse")
        }
        AcsResponse::RequestDownloadResponse => empty_rpc(w, "RequestDownloadResponse"),
        AcsResponse::KickedResponse { next_url } => {
            rpc(w, "KickedResponse", |w| w.text_element("NextURL", next_url))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CPE → ACS

fn cpe_request(w: &mut XmlWriter<'_>, request: &CpeRequest) {
    let name = request.method_name();
    match request {
        CpeRequest::Inform(message) => rpc(w, name, |w| inform(w, message)),
        CpeRequest::GetRPCMethods => empty_rpc(w, name),
        CpeRequest::TransferComplete(message) => rpc(w, name, |w| {
            w.text_element("CommandKey", &message.command_key);
            fault_struct(w, &message.fault_struct);
            w.text_element("StartTime", &message.start_time);
            w.text_element("CompleteTime", &message.complete_time);
        }),
        CpeRequest::AutonomousTransferComplete(message) => {
            rpc(w, name, |w| autonomous_transfer_complete(w, message))
        }
        CpeRequest::RequestDownload {
            file_type,
            file_type_arg,
        } => rpc(w, name, |w| {
            w.text_element("FileType", file_type);
            array(
                w,
                "FileTypeArg",
                "cwmp:ArgStruct",
                file_type_arg,
                |w, arg| {
                    structure(w, "ArgStruct", |w| {
                        w.text_element("Name", &arg.name);
                        w.text_element("Value", &arg.value);
                    })
                },
            );
        }),
        CpeRequest::Kicked(message) => rpc(w, name, |w| {
            w.text_element("Command", &message.command);
            w.text_element("Referer", &message.referer);
            w.text_element("Arg", &message.arg);
            w.text_element("Next", &message.next);
        }),
    }
}

/// Inform (A.3.3.1).
fn inform(w: &mut XmlWriter<'_>, inform: &Inform) {
    structure(w, "DeviceId", |w| {
        w.text_element("Manufacturer", &inform.device_id.manufacturer);
        w.text_element("OUI", &inform.device_id.oui);
        w.text_element("ProductClass", &inform.device_id.product_class);
        w.text_element("SerialNumber", &inform.device_id.serial_number);
    });
    array(w, "Event", "cwmp:EventStruct", &inform.event, |w, event| {
        structure(w, "EventStruct", |w| {
            w.text_element("EventCode", &event.event_code);
            w.text_element("CommandKey", &event.command_key);
        })
    });
    w.unsigned_element("MaxEnvelopes", inform.max_envelopes.into());
    w.text_element("CurrentTime", &inform.current_time);
    w.unsigned_element("RetryCount", inform.retry_count.into());
    parameter_value_list(w, &inform.parameter_list);
}

/// AutonomousTransferComplete (A.3.3.3).
fn autonomous_transfer_complete(w: &mut XmlWriter<'_>, message: &AutonomousTransferComplete) {
    w.text_element("AnnounceURL", &message.announce_url);
    w.text_element("TransferURL", &message.transfer_url);
    w.boolean_element("IsDownload", message.is_download);
    w.text_element("FileType", &message.file_type);
    w.unsigned_element("FileSize", message.file_size.into());
    w.text_element("TargetFileName", &message.target_file_name);
    fault_struct(w, &message.fault_struct);
    w.text_element("StartTime", &message.start_time);
    w.text_element("CompleteTime", &message.complete_time);
}

fn fault_struct(w: &mut XmlWriter<'_>, fault: &FaultStruct) {
    structure(w, "FaultStruct", |w| {
        w.unsigned_element("FaultCode", fault.fault_code.into());
        w.text_element("FaultString", &fault.fault_string);
    });
}

fn cpe_response(w: &mut XmlWriter<'_>, response: &CpeResponse) {
    match response {
        CpeResponse::GetRPCMethodsResponse { method_list } => {
            rpc(w, "GetRPCMethodsResponse", |w| {
                string_array(w, "MethodList", method_list)
            })
        }
        CpeResponse::SetParameterValuesResponse { status } => {
            rpc(w, "SetParameterValuesResponse", |w| {
                w.unsigned_element("Status", (*status).into())
            })
        }
        CpeResponse::GetParameterValuesResponse { parameter_list } => {
            rpc(w, "GetParameterValuesResponse", |w| {
                parameter_value_list(w, parameter_list)
            })
        }
        CpeResponse::GetParameterNamesResponse { parameter_list } => {
            rpc(w, "GetParameterNamesResponse", |w| {
                parameter_info_list(w, parameter_list)
            })
        }
        CpeResponse::SetParameterAttributesResponse => {
            empty_rpc(w, "SetParameterAttributesResponse")
        }
        CpeResponse::GetParameterAttributesResponse { parameter_list } => {
            rpc(w, "GetParameterAttributesResponse", |w| {
                parameter_attribute_list(w, parameter_list)
            })
        }
        CpeResponse::AddObjectResponse {
            instance_number,
            status,
        } => rpc(w, "AddObjectResponse", |w| {
            w.unsigned_element("InstanceNumber", (*instance_number).into());
            w.unsigned_element("Status", (*status).into());
        }),
        CpeResponse::DeleteObjectResponse { status } => rpc(w, "DeleteObjectResponse", |w| {
            w.unsigned_element("Status", (*status).into())
        }),
        CpeResponse::RebootResponse => empty_rpc(w, "RebootResponse"),
        CpeResponse::DownloadResponse {
            status,
            start_time,
            complete_time,
        } => rpc(w, "DownloadResponse", |w| {
            transfer_response(w, *status, start_time, complete_time)
        }),
        CpeResponse::UploadResponse {
            status,
            start_time,
            complete_time,
        } => rpc(w, "UploadResponse", |w| {
            transfer_response(w, *status, start_time, complete_time)
        }),
        CpeResponse::FactoryResetResponse => empty_rpc(w, "FactoryResetResponse"),
        CpeResponse::GetQueuedTransfersResponse { transfer_list } => {
            rpc(w, "GetQueuedTransfersResponse", |w| {
                queued_transfer_list(w, transfer_list)
            })
        }
        CpeResponse::GetAllQueuedTransfersResponse { transfer_list } => {
            rpc(w, "GetAllQueuedTransfersResponse", |w| {
                all_queued_transfer_list(w, transfer_list)
            })
        }
        CpeResponse::ScheduleInformResponse => empty_rpc(w, "ScheduleInformResponse"),
        CpeResponse::ScheduleDownloadResponse => empty_rpc(w, "ScheduleDownloadResponse"),
        CpeResponse::CancelTransferResponse => empty_rpc(w, "CancelTransferResponse"),
    }
}

fn transfer_response(w: &mut XmlWriter<'_>, status: u8, start_time: &str, complete_time: &str) {
    w.unsigned_element("Status", status.into());
    w.text_element("StartTime", start_time);
    w.text_element("CompleteTime", complete_time);
}

fn parameter_info_list(w: &mut XmlWriter<'_>, list: &[ParameterInfoStruct]) {
    array(
        w,
        "ParameterList",
        "cwmp:ParameterInfoStruct",
        list,
        |w, info| {
            structure(w, "ParameterInfoStruct", |w| {
                w.text_element("Name", &info.name);
                w.boolean_element("Writable", info.writable);
            })
        },
    );
}

fn parameter_attribute_list(w: &mut XmlWriter<'_>, list: &[ParameterAttributeStruct]) {
    array(
        w,
        "ParameterList",
        "cwmp:ParameterAttributeStruct",
        list,
        |w, attributes| {
            structure(w, "ParameterAttributeStruct", |w| {
                w.text_element("Name", &attributes.name);
                w.unsigned_element("Notification", attributes.notification.into());
                string_array(w, "AccessList", &attributes.access_list);
            })
        },
    );
}

fn queued_transfer_list(w: &mut XmlWriter<'_>, list: &[QueuedTransferStruct]) {
    array(
        w,
        "TransferList",
        "cwmp:QueuedTransferStruct",
        list,
        |w, transfer| {
            structure(w, "QueuedTransferStruct", |w| {
                w.text_element("CommandKey", &transfer.command_key);
                w.unsigned_element("State", transfer.state.into());
            })
        },
    );
}

fn all_queued_transfer_list(w: &mut XmlWriter<'_>, list: &[AllQueuedTransferStruct]) {
    array(
        w,
        "TransferList",
        "cwmp:AllQueuedTransferStruct",
        list,
        |w, transfer| {
            structure(w, "AllQueuedTransferStruct", |w| {
                w.text_element("CommandKey", &transfer.command_key);
                w.unsigned_element("State", transfer.state.into());
                w.boolean_element("IsDownload", transfer.is_download);
                w.text_element("FileType", &transfer.file_type);
                w.unsigned_element("FileSize", transfer.file_size.into());
                w.text_element("TargetFileName", &transfer.target_file_name);
            })
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Both directions

/// A ParameterList of ParameterValueStruct (A.3.2.1), each Value with its `xsi:type`.
fn parameter_value_list(w: &mut XmlWriter<'_>, list: &[ParameterValueStruct]) {
    array(
        w,
        "ParameterList",
        "cwmp:ParameterValueStruct",
        list,
        parameter_value_struct,
    );
}

fn parameter_value_struct(w: &mut XmlWriter<'_>, parameter: &ParameterValueStruct) {
    w.raw("<ParameterValueStruct><Name>");
    w.text(&parameter.name);
    w.raw(r#"</Name><Value xsi:type="xsd:"#);
    let type_name = match parameter.xsd_type.local_name() {
        "" => "string",
        name => name,
    };
    w.attribute_value(type_name);
    w.raw(r#"">"#);
    w.text(&parameter.value);
    w.raw("</Value></ParameterValueStruct>");
}

/// A SOAP Fault carrying a cwmp:Fault detail (A.5). `faultcode` is written as TR-069's own
/// examples write it (`Client` / `Server`, unprefixed); the SOAP schema accepts that QName.
fn soap_fault(w: &mut XmlWriter<'_>, fault: &Fault) {
    w.raw("<soapenv:Fault>");
    w.text_element("faultcode", &fault.soap_fault_code);
    w.text_element("faultstring", "CWMP fault");
    w.raw("<detail><cwmp:Fault>");
    w.unsigned_element("FaultCode", fault.fault_code.into());
    w.text_element("FaultString", &fault.fault_string);
    for entry in &fault.set_parameter_values_faults {
        structure(w, "SetParameterValuesFault", |w| {
            w.text_element("ParameterName", &entry.parameter_name);
            w.unsigned_element("FaultCode", entry.fault_code.into());
            w.text_element("FaultString", &entry.fault_string);
        });
    }
    w.raw("</cwmp:Fault></detail></soapenv:Fault>");
}
