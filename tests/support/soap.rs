//! The ACS's envelopes, built with string templates modelled byte for byte on GenieACS 1.2.16
//! (`../shared/acs-traces/genieacs-1.2.16/`): `soap-env`/`soap-enc` prefixes, `cwmp:ID` with
//! `mustUnderstand="1"`, `xsi:type` on every SetParameterValues value, every optional Download
//! argument as an empty element, `<cwmp:X></cwmp:X>` for argument-less RPCs.
//! RPCs GenieACS never sends (Upload, ScheduleInform, …) follow the same style.

use super::xml::Envelope;

pub const NS_CWMP_1_0: &str = "urn:dslforum-org:cwmp-1-0";
pub const NS_CWMP_1_1: &str = "urn:dslforum-org:cwmp-1-1";
pub const NS_CWMP_1_2: &str = "urn:dslforum-org:cwmp-1-2";

/// Escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A whole envelope around `body` (one `cwmp:...` element), exactly as GenieACS lays it out.
pub fn envelope(ns: &str, id: &str, hold_requests: Option<bool>, body: &str) -> String {
    let hold = match hold_requests {
        Some(on) => format!(
            "<cwmp:HoldRequests soap-env:mustUnderstand=\"1\">{}</cwmp:HoldRequests>",
            u8::from(on)
        ),
        None => String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope \
         xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" \
         xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:cwmp=\"{ns}\"><soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">{id}</cwmp:ID>{hold}\
         </soap-env:Header><soap-env:Body>{body}</soap-env:Body></soap-env:Envelope>",
        id = escape(id),
    )
}

/// Arguments of a Download (defaults: firmware image, size 0, no delay, empty optional fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub file_size: u64,
    pub target_file_name: String,
    pub delay_seconds: u32,
    pub success_url: String,
    pub failure_url: String,
}

impl Default for Download {
    fn default() -> Download {
        Download {
            command_key: String::new(),
            file_type: "1 Firmware Upgrade Image".into(),
            url: String::new(),
            username: String::new(),
            password: String::new(),
            file_size: 0,
            target_file_name: String::new(),
            delay_seconds: 0,
            success_url: String::new(),
            failure_url: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub delay_seconds: u32,
}

impl Default for Upload {
    fn default() -> Upload {
        Upload {
            command_key: String::new(),
            file_type: "1 Vendor Configuration File".into(),
            url: String::new(),
            username: String::new(),
            password: String::new(),
            delay_seconds: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeWindow {
    pub window_start: u32,
    pub window_end: u32,
    pub window_mode: String,
    pub user_message: String,
    pub max_retries: i32,
}

impl Default for TimeWindow {
    fn default() -> TimeWindow {
        TimeWindow {
            window_start: 0,
            window_end: 3600,
            window_mode: "1 At Any Time".into(),
            user_message: String::new(),
            max_retries: -1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleDownload {
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub file_size: u64,
    pub target_file_name: String,
    pub time_windows: Vec<TimeWindow>,
}

impl Default for ScheduleDownload {
    fn default() -> ScheduleDownload {
        ScheduleDownload {
            command_key: String::new(),
            file_type: "1 Firmware Upgrade Image".into(),
            url: String::new(),
            username: String::new(),
            password: String::new(),
            file_size: 0,
            target_file_name: String::new(),
            time_windows: vec![TimeWindow::default()],
        }
    }
}

/// One entry of SetParameterAttributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAttribute {
    pub name: String,
    pub notification_change: bool,
    pub notification: u8,
    pub access_list_change: bool,
    pub access_list: Vec<String>,
}

/// A request the ACS sends to the CPE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcsRpc {
    GetRpcMethods,
    GetParameterNames {
        path: String,
        next_level: bool,
    },
    GetParameterValues {
        names: Vec<String>,
    },
    /// (name, value, xsi:type such as `xsd:unsignedInt`), ParameterKey.
    SetParameterValues {
        params: Vec<(String, String, String)>,
        key: String,
    },
    GetParameterAttributes {
        names: Vec<String>,
    },
    SetParameterAttributes {
        attributes: Vec<SetAttribute>,
    },
    AddObject {
        object: String,
        key: String,
    },
    DeleteObject {
        object: String,
        key: String,
    },
    Reboot {
        command_key: String,
    },
    FactoryReset,
    Download(Download),
    Upload(Upload),
    ScheduleInform {
        delay_seconds: u32,
        command_key: String,
    },
    ScheduleDownload(ScheduleDownload),
    CancelTransfer {
        command_key: String,
    },
    GetQueuedTransfers,
    GetAllQueuedTransfers,
    /// Sent verbatim as the HTTP body (malformed-input tests); `label` names it in transcripts.
    Raw {
        label: String,
        body: String,
    },
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl AcsRpc {
    pub fn get_rpc_methods() -> AcsRpc {
        AcsRpc::GetRpcMethods
    }

    pub fn gpn(path: &str, next_level: bool) -> AcsRpc {
        AcsRpc::GetParameterNames {
            path: path.into(),
            next_level,
        }
    }

    pub fn gpv(names: &[&str]) -> AcsRpc {
        AcsRpc::GetParameterValues {
            names: strings(names),
        }
    }

    /// `params`: (name, value, xsi:type).
    pub fn spv(params: &[(&str, &str, &str)], key: &str) -> AcsRpc {
        AcsRpc::SetParameterValues {
            params: params
                .iter()
                .map(|(n, v, t)| (n.to_string(), v.to_string(), t.to_string()))
                .collect(),
            key: key.into(),
        }
    }

    pub fn gpa(names: &[&str]) -> AcsRpc {
        AcsRpc::GetParameterAttributes {
            names: strings(names),
        }
    }

    pub fn spa(attributes: Vec<SetAttribute>) -> AcsRpc {
        AcsRpc::SetParameterAttributes { attributes }
    }

    /// SetParameterAttributes changing only the notification of one parameter.
    pub fn spa_notification(name: &str, notification: u8) -> AcsRpc {
        AcsRpc::spa(vec![SetAttribute {
            name: name.into(),
            notification_change: true,
            notification,
            access_list_change: false,
            access_list: Vec::new(),
        }])
    }

    pub fn add_object(object: &str, key: &str) -> AcsRpc {
        AcsRpc::AddObject {
            object: object.into(),
            key: key.into(),
        }
    }

    pub fn delete_object(object: &str, key: &str) -> AcsRpc {
        AcsRpc::DeleteObject {
            object: object.into(),
            key: key.into(),
        }
    }

    pub fn reboot(command_key: &str) -> AcsRpc {
        AcsRpc::Reboot {
            command_key: command_key.into(),
        }
    }

    pub fn factory_reset() -> AcsRpc {
        AcsRpc::FactoryReset
    }

    pub fn download(download: Download) -> AcsRpc {
        AcsRpc::Download(download)
    }

    pub fn upload(upload: Upload) -> AcsRpc {
        AcsRpc::Upload(upload)
    }

    pub fn schedule_inform(delay_seconds: u32, command_key: &str) -> AcsRpc {
        AcsRpc::ScheduleInform {
            delay_seconds,
            command_key: command_key.into(),
        }
    }

    pub fn schedule_download(schedule: ScheduleDownload) -> AcsRpc {
        AcsRpc::ScheduleDownload(schedule)
    }

    pub fn cancel_transfer(command_key: &str) -> AcsRpc {
        AcsRpc::CancelTransfer {
            command_key: command_key.into(),
        }
    }

    pub fn get_queued_transfers() -> AcsRpc {
        AcsRpc::GetQueuedTransfers
    }

    pub fn get_all_queued_transfers() -> AcsRpc {
        AcsRpc::GetAllQueuedTransfers
    }

    pub fn raw(label: &str, body: &str) -> AcsRpc {
        AcsRpc::Raw {
            label: label.into(),
            body: body.into(),
        }
    }

    /// The RPC's name (`GetParameterValues`), or the label of a raw body.
    pub fn name(&self) -> &str {
        match self {
            AcsRpc::GetRpcMethods => "GetRPCMethods",
            AcsRpc::GetParameterNames { .. } => "GetParameterNames",
            AcsRpc::GetParameterValues { .. } => "GetParameterValues",
            AcsRpc::SetParameterValues { .. } => "SetParameterValues",
            AcsRpc::GetParameterAttributes { .. } => "GetParameterAttributes",
            AcsRpc::SetParameterAttributes { .. } => "SetParameterAttributes",
            AcsRpc::AddObject { .. } => "AddObject",
            AcsRpc::DeleteObject { .. } => "DeleteObject",
            AcsRpc::Reboot { .. } => "Reboot",
            AcsRpc::FactoryReset => "FactoryReset",
            AcsRpc::Download(_) => "Download",
            AcsRpc::Upload(_) => "Upload",
            AcsRpc::ScheduleInform { .. } => "ScheduleInform",
            AcsRpc::ScheduleDownload(_) => "ScheduleDownload",
            AcsRpc::CancelTransfer { .. } => "CancelTransfer",
            AcsRpc::GetQueuedTransfers => "GetQueuedTransfers",
            AcsRpc::GetAllQueuedTransfers => "GetAllQueuedTransfers",
            AcsRpc::Raw { label, .. } => label,
        }
    }

    /// The whole HTTP body: an envelope in namespace `ns` with this ID, or the raw body.
    pub fn to_xml(&self, ns: &str, id: &str, hold_requests: Option<bool>) -> String {
        match self {
            AcsRpc::Raw { body, .. } => body.clone(),
            _ => envelope(ns, id, hold_requests, &self.body_xml()),
        }
    }

    /// The `<cwmp:...>` element that goes inside Body ("" for a raw body).
    pub fn body_xml(&self) -> String {
        match self {
            AcsRpc::GetRpcMethods => empty_rpc("GetRPCMethods"),
            AcsRpc::GetParameterNames { path, next_level } => rpc(
                "GetParameterNames",
                &format!(
                    "{}{}",
                    field("ParameterPath", path),
                    field("NextLevel", &u8::from(*next_level).to_string())
                ),
            ),
            AcsRpc::GetParameterValues { names } => {
                rpc("GetParameterValues", &string_array("ParameterNames", names))
            }
            AcsRpc::SetParameterValues { params, key } => rpc(
                "SetParameterValues",
                &format!("{}{}", spv_list(params), field("ParameterKey", key)),
            ),
            AcsRpc::GetParameterAttributes { names } => rpc(
                "GetParameterAttributes",
                &string_array("ParameterNames", names),
            ),
            AcsRpc::SetParameterAttributes { attributes } => {
                rpc("SetParameterAttributes", &spa_list(attributes))
            }
            AcsRpc::AddObject { object, key } => rpc("AddObject", &object_args(object, key)),
            AcsRpc::DeleteObject { object, key } => rpc("DeleteObject", &object_args(object, key)),
            AcsRpc::Reboot { command_key } => rpc("Reboot", &field("CommandKey", command_key)),
            AcsRpc::FactoryReset => empty_rpc("FactoryReset"),
            AcsRpc::Download(d) => rpc("Download", &download_args(d)),
            AcsRpc::Upload(u) => rpc("Upload", &upload_args(u)),
            AcsRpc::ScheduleInform {
                delay_seconds,
                command_key,
            } => rpc(
                "ScheduleInform",
                &format!(
                    "{}{}",
                    field("DelaySeconds", &delay_seconds.to_string()),
                    field("CommandKey", command_key)
                ),
            ),
            AcsRpc::ScheduleDownload(s) => rpc("ScheduleDownload", &schedule_download_args(s)),
            AcsRpc::CancelTransfer { command_key } => {
                rpc("CancelTransfer", &field("CommandKey", command_key))
            }
            AcsRpc::GetQueuedTransfers => empty_rpc("GetQueuedTransfers"),
            AcsRpc::GetAllQueuedTransfers => empty_rpc("GetAllQueuedTransfers"),
            AcsRpc::Raw { .. } => String::new(),
        }
    }
}

fn rpc(name: &str, args: &str) -> String {
    format!("<cwmp:{name}>{args}</cwmp:{name}>")
}

fn empty_rpc(name: &str) -> String {
    rpc(name, "")
}

fn field(name: &str, value: &str) -> String {
    format!("<{name}>{}</{name}>", escape(value))
}

fn string_array(name: &str, items: &[String]) -> String {
    let members: String = items.iter().map(|s| field("string", s)).collect();
    format!(
        "<{name} soap-enc:arrayType=\"xsd:string[{}]\">{members}</{name}>",
        items.len()
    )
}

fn spv_list(params: &[(String, String, String)]) -> String {
    let members: String = params
        .iter()
        .map(|(name, value, xsi_type)| {
            format!(
                "<ParameterValueStruct>{}<Value xsi:type=\"{}\">{}</Value></ParameterValueStruct>",
                field("Name", name),
                escape(xsi_type),
                escape(value)
            )
        })
        .collect();
    format!(
        "<ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[{}]\">{members}</ParameterList>",
        params.len()
    )
}

fn spa_list(attributes: &[SetAttribute]) -> String {
    let members: String = attributes
        .iter()
        .map(|a| {
            format!(
                "<SetParameterAttributesStruct>{}{}{}{}{}</SetParameterAttributesStruct>",
                field("Name", &a.name),
                field(
                    "NotificationChange",
                    &u8::from(a.notification_change).to_string()
                ),
                field("Notification", &a.notification.to_string()),
                field(
                    "AccessListChange",
                    &u8::from(a.access_list_change).to_string()
                ),
                string_array("AccessList", &a.access_list)
            )
        })
        .collect();
    format!(
        "<ParameterList soap-enc:arrayType=\"cwmp:SetParameterAttributesStruct[{}]\">{members}</ParameterList>",
        attributes.len()
    )
}

fn object_args(object: &str, key: &str) -> String {
    format!(
        "{}{}",
        field("ObjectName", object),
        field("ParameterKey", key)
    )
}

fn download_args(d: &Download) -> String {
    [
        field("CommandKey", &d.command_key),
        field("FileType", &d.file_type),
        field("URL", &d.url),
        field("Username", &d.username),
        field("Password", &d.password),
        field("FileSize", &d.file_size.to_string()),
        field("TargetFileName", &d.target_file_name),
        field("DelaySeconds", &d.delay_seconds.to_string()),
        field("SuccessURL", &d.success_url),
        field("FailureURL", &d.failure_url),
    ]
    .concat()
}

fn upload_args(u: &Upload) -> String {
    [
        field("CommandKey", &u.command_key),
        field("FileType", &u.file_type),
        field("URL", &u.url),
        field("Username", &u.username),
        field("Password", &u.password),
        field("DelaySeconds", &u.delay_seconds.to_string()),
    ]
    .concat()
}

fn schedule_download_args(s: &ScheduleDownload) -> String {
    let windows: String = s
        .time_windows
        .iter()
        .map(|w| {
            format!(
                "<TimeWindowStruct>{}{}{}{}{}</TimeWindowStruct>",
                field("WindowStart", &w.window_start.to_string()),
                field("WindowEnd", &w.window_end.to_string()),
                field("WindowMode", &w.window_mode),
                field("UserMessage", &w.user_message),
                field("MaxRetries", &w.max_retries.to_string())
            )
        })
        .collect();
    [
        field("CommandKey", &s.command_key),
        field("FileType", &s.file_type),
        field("URL", &s.url),
        field("Username", &s.username),
        field("Password", &s.password),
        field("FileSize", &s.file_size.to_string()),
        field("TargetFileName", &s.target_file_name),
        format!(
            "<TimeWindowList soap-enc:arrayType=\"cwmp:TimeWindowStruct[{}]\">{windows}</TimeWindowList>",
            s.time_windows.len()
        ),
    ]
    .concat()
}

/// The InformResponse body GenieACS sends.
pub fn inform_response() -> String {
    rpc("InformResponse", &field("MaxEnvelopes", "1"))
}

/// The methods the test ACS offers (its answer to the CPE's GetRPCMethods).
pub const ACS_METHODS: [&str; 6] = [
    "Inform",
    "GetRPCMethods",
    "TransferComplete",
    "AutonomousTransferComplete",
    "RequestDownload",
    "Kicked",
];

/// The body answering a CPE request, or None if the ACS does not implement that method.
pub fn cpe_request_reply(request: &Envelope, kicked_next_url: &str) -> Option<String> {
    let method = request.method();
    let body = match method {
        "GetRPCMethods" => rpc(
            "GetRPCMethodsResponse",
            &string_array("MethodList", &strings(&ACS_METHODS)),
        ),
        "TransferComplete"
        | "AutonomousTransferComplete"
        | "RequestDownload"
        | "DUStateChangeComplete"
        | "AutonomousDUStateChangeComplete" => empty_rpc(&format!("{method}Response")),
        "Kicked" => rpc("KickedResponse", &field("NextURL", kicked_next_url)),
        _ => return None,
    };
    Some(body)
}

/// A SOAP Fault carrying a CWMP ACS fault (8000-8006).
pub fn soap_fault(code: u32, string: &str) -> String {
    let soap_code = if code == 8003 { "Client" } else { "Server" };
    format!(
        "<soap-env:Fault><faultcode>{soap_code}</faultcode><faultstring>CWMP fault</faultstring>\
         <detail><cwmp:Fault>{}{}</cwmp:Fault></detail></soap-env:Fault>",
        field("FaultCode", &code.to_string()),
        field("FaultString", string)
    )
}

/// The standard text of an ACS fault code.
pub fn acs_fault_string(code: u32) -> &'static str {
    match code {
        8000 => "Method not supported",
        8001 => "Request denied",
        8002 => "Internal error",
        8003 => "Invalid arguments",
        8004 => "Resources exceeded",
        8005 => "Retry request",
        8006 => "ACS version incompatible",
        _ => "Vendor defined fault",
    }
}
