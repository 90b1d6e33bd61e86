//! Typed CWMP messages (TR-069 Amendment 6 Annex A), one variant per RPC, named as the spec
//! names them. Grouped by direction so that each side of the conversation matches only on what
//! it can receive.

use super::fault::Fault;
use super::types::*;

/// Requests the ACS sends to the CPE (A.3.2, A.4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcsRequest {
    GetRPCMethods,
    SetParameterValues {
        parameter_list: Vec<ParameterValueStruct>,
        parameter_key: String,
    },
    GetParameterValues {
        parameter_names: Vec<String>,
    },
    GetParameterNames {
        parameter_path: String,
        next_level: bool,
    },
    SetParameterAttributes {
        parameter_list: Vec<SetParameterAttributesStruct>,
    },
    GetParameterAttributes {
        parameter_names: Vec<String>,
    },
    AddObject {
        object_name: String,
        parameter_key: String,
    },
    DeleteObject {
        object_name: String,
        parameter_key: String,
    },
    Reboot {
        command_key: String,
    },
    Download(Download),
    Upload(Upload),
    FactoryReset,
    GetQueuedTransfers,
    GetAllQueuedTransfers,
    ScheduleInform {
        delay_seconds: u32,
        command_key: String,
    },
    ScheduleDownload(ScheduleDownload),
    CancelTransfer {
        command_key: String,
    },
    /// A method this CPE does not implement (answered with fault 9000). Holds the local name.
    Unknown(String),
}

impl AcsRequest {
    /// The RPC's element name, as in the SOAP body.
    pub fn method_name(&self) -> &str {
        match self {
            AcsRequest::GetRPCMethods => "GetRPCMethods",
            AcsRequest::SetParameterValues { .. } => "SetParameterValues",
            AcsRequest::GetParameterValues { .. } => "GetParameterValues",
            AcsRequest::GetParameterNames { .. } => "GetParameterNames",
            AcsRequest::SetParameterAttributes { .. } => "SetParameterAttributes",
            AcsRequest::GetParameterAttributes { .. } => "GetParameterAttributes",
            AcsRequest::AddObject { .. } => "AddObject",
            AcsRequest::DeleteObject { .. } => "DeleteObject",
            AcsRequest::Reboot { .. } => "Reboot",
            AcsRequest::Download(_) => "Download",
            AcsRequest::Upload(_) => "Upload",
            AcsRequest::FactoryReset => "FactoryReset",
            AcsRequest::GetQueuedTransfers => "GetQueuedTransfers",
            AcsRequest::GetAllQueuedTransfers => "GetAllQueuedTransfers",
            AcsRequest::ScheduleInform { .. } => "ScheduleInform",
            AcsRequest::ScheduleDownload(_) => "ScheduleDownload",
            AcsRequest::CancelTransfer { .. } => "CancelTransfer",
            AcsRequest::Unknown(name) => name,
        }
    }
}

/// Download (A.3.2.8). Every optional field arrives possibly empty (GenieACS sends them all).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Download {
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub file_size: u32,
    pub target_file_name: String,
    pub delay_seconds: u32,
    pub success_url: String,
    pub failure_url: String,
}

/// Upload (A.4.1.5).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Upload {
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub delay_seconds: u32,
}

/// ScheduleDownload (A.4.1.8).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScheduleDownload {
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub file_size: u32,
    pub target_file_name: String,
    pub time_window_list: Vec<TimeWindowStruct>,
}

/// The CPE's successful answers to ACS requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpeResponse {
    GetRPCMethodsResponse {
        method_list: Vec<String>,
    },
    SetParameterValuesResponse {
        status: u8,
    },
    GetParameterValuesResponse {
        parameter_list: Vec<ParameterValueStruct>,
    },
    GetParameterNamesResponse {
        parameter_list: Vec<ParameterInfoStruct>,
    },
    SetParameterAttributesResponse,
    GetParameterAttributesResponse {
        parameter_list: Vec<ParameterAttributeStruct>,
    },
    AddObjectResponse {
        instance_number: u32,
        status: u8,
    },
    DeleteObjectResponse {
        status: u8,
    },
    RebootResponse,
    DownloadResponse {
        status: u8,
        start_time: String,
        complete_time: String,
    },
    UploadResponse {
        status: u8,
        start_time: String,
        complete_time: String,
    },
    FactoryResetResponse,
    GetQueuedTransfersResponse {
        transfer_list: Vec<QueuedTransferStruct>,
    },
    GetAllQueuedTransfersResponse {
        transfer_list: Vec<AllQueuedTransferStruct>,
    },
    ScheduleInformResponse,
    ScheduleDownloadResponse,
    CancelTransferResponse,
}

/// Inform (A.3.3.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inform {
    pub device_id: DeviceIdStruct,
    pub event: Vec<EventStruct>,
    pub max_envelopes: u32,
    pub current_time: String,
    pub retry_count: u32,
    pub parameter_list: Vec<ParameterValueStruct>,
}

/// TransferComplete (A.3.3.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransferComplete {
    pub command_key: String,
    pub fault_struct: FaultStruct,
    pub start_time: String,
    pub complete_time: String,
}

/// AutonomousTransferComplete (A.3.3.3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutonomousTransferComplete {
    pub announce_url: String,
    pub transfer_url: String,
    pub is_download: bool,
    pub file_type: String,
    pub file_size: u32,
    pub target_file_name: String,
    pub fault_struct: FaultStruct,
    pub start_time: String,
    pub complete_time: String,
}

/// Kicked (A.4.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Kicked {
    pub command: String,
    pub referer: String,
    pub arg: String,
    pub next: String,
}

/// Requests the CPE sends to the ACS (A.3.1.1, A.3.3, A.4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpeRequest {
    Inform(Inform),
    GetRPCMethods,
    TransferComplete(TransferComplete),
    AutonomousTransferComplete(AutonomousTransferComplete),
    RequestDownload {
        file_type: String,
        file_type_arg: Vec<ArgStruct>,
    },
    Kicked(Kicked),
}

impl CpeRequest {
    pub fn method_name(&self) -> &'static str {
        match self {
            CpeRequest::Inform(_) => "Inform",
            CpeRequest::GetRPCMethods => "GetRPCMethods",
            CpeRequest::TransferComplete(_) => "TransferComplete",
            CpeRequest::AutonomousTransferComplete(_) => "AutonomousTransferComplete",
            CpeRequest::RequestDownload { .. } => "RequestDownload",
            CpeRequest::Kicked(_) => "Kicked",
        }
    }
}

/// The ACS's successful answers to CPE requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcsResponse {
    InformResponse { max_envelopes: u32 },
    GetRPCMethodsResponse { method_list: Vec<String> },
    TransferCompleteResponse,
    AutonomousTransferCompleteResponse,
    RequestDownloadResponse,
    KickedResponse { next_url: String },
}

/// The single element of a SOAP Body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    AcsRequest(AcsRequest),
    CpeResponse(CpeResponse),
    CpeRequest(CpeRequest),
    AcsResponse(AcsResponse),
    /// A SOAP Fault carrying a cwmp:Fault detail (A.5), from either side.
    Fault(Fault),
}

/// A whole SOAP envelope: the CWMP header elements (A.4.1 of TR-069 §3.4.1) and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub namespace: CwmpNamespace,
    /// `cwmp:ID`: echoed in the response to a request (§3.4.1).
    pub id: Option<String>,
    /// `cwmp:HoldRequests` (ACS → CPE only): true asks the CPE not to send requests.
    pub hold_requests: bool,
    /// `cwmp:NoMoreRequests` (deprecated; parsed, never emitted — no CWMP XSD declares it).
    pub no_more_requests: bool,
    /// `cwmp:SessionTimeout` (CWMP 1.3+), seconds.
    pub session_timeout: Option<u32>,
    pub body: Body,
}

impl Envelope {
    /// An envelope with no optional headers.
    pub fn new(namespace: CwmpNamespace, id: Option<String>, body: Body) -> Envelope {
        Envelope {
            namespace,
            id,
            hold_requests: false,
            no_more_requests: false,
            session_timeout: None,
            body,
        }
    }
}
