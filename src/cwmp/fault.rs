//! CWMP fault codes (TR-069 Amendment 6, A.5.1) and the cwmp:Fault detail of a SOAP Fault.

use super::types::SetParameterValuesFault;

/// CPE fault codes of TR-069 Table 81 (A.5.1), plus the ACS fault codes the CPE may receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum FaultCode {
    MethodNotSupported = 9000,
    RequestDenied = 9001,
    InternalError = 9002,
    InvalidArguments = 9003,
    ResourcesExceeded = 9004,
    InvalidParameterName = 9005,
    InvalidParameterType = 9006,
    InvalidParameterValue = 9007,
    NonWritableParameter = 9008,
    NotificationRequestRejected = 9009,
    DownloadFailure = 9010,
    UploadFailure = 9011,
    FileTransferServerAuthenticationFailure = 9012,
    UnsupportedProtocolForFileTransfer = 9013,
    DownloadFailureUnableToJoinMulticastGroup = 9014,
    DownloadFailureUnableToContactFileServer = 9015,
    DownloadFailureUnableToAccessFile = 9016,
    DownloadFailureUnableToCompleteDownload = 9017,
    DownloadFailureFileCorrupted = 9018,
    DownloadFailureFileAuthenticationFailure = 9019,
    DownloadFailureNotCompletedInTimeWindow = 9020,
    CancelationNotPermitted = 9021,
}

impl FaultCode {
    pub fn code(self) -> u32 {
        self as u32
    }

    /// The fault string TR-069 Table 81 gives for the code.
    pub fn description(self) -> &'static str {
        match self {
            FaultCode::MethodNotSupported => "Method not supported",
            FaultCode::RequestDenied => "Request denied (no reason specified)",
            FaultCode::InternalError => "Internal error",
            FaultCode::InvalidArguments => "Invalid arguments",
            FaultCode::ResourcesExceeded => "Resources exceeded",
            FaultCode::InvalidParameterName => "Invalid parameter name",
            FaultCode::InvalidParameterType => "Invalid parameter type",
            FaultCode::InvalidParameterValue => "Invalid parameter value",
            FaultCode::NonWritableParameter => "Attempt to set a non-writable parameter",
            FaultCode::NotificationRequestRejected => "Notification request rejected",
            FaultCode::DownloadFailure => "Download failure",
            FaultCode::UploadFailure => "Upload failure",
            FaultCode::FileTransferServerAuthenticationFailure => {
                "File transfer server authentication failure"
            }
            FaultCode::UnsupportedProtocolForFileTransfer => {
                "Unsupported protocol for file transfer"
            }
            FaultCode::DownloadFailureUnableToJoinMulticastGroup => {
                "Download failure: unable to join multicast group"
            }
            FaultCode::DownloadFailureUnableToContactFileServer => {
                "Download failure: unable to contact file server"
            }
            FaultCode::DownloadFailureUnableToAccessFile => {
                "Download failure: unable to access file"
            }
            FaultCode::DownloadFailureUnableToCompleteDownload => {
                "Download failure: unable to complete download"
            }
            FaultCode::DownloadFailureFileCorrupted => "Download failure: file corrupted",
            FaultCode::DownloadFailureFileAuthenticationFailure => {
                "Download failure: file authentication failure"
            }
            FaultCode::DownloadFailureNotCompletedInTimeWindow => {
                "Download failure: unable to complete download within specified time windows"
            }
            FaultCode::CancelationNotPermitted => {
                "Cancelation of file transfer not permitted in current transfer state"
            }
        }
    }

    /// The SOAP `faultcode` for a CPE fault: "Client" when the request was at fault, "Server"
    /// otherwise (TR-069 Table 81, the "Type" column).
    pub fn soap_fault_code(self) -> &'static str {
        match self {
            FaultCode::InvalidArguments
            | FaultCode::InvalidParameterName
            | FaultCode::InvalidParameterType
            | FaultCode::InvalidParameterValue
            | FaultCode::NonWritableParameter
            | FaultCode::CancelationNotPermitted => "Client",
            _ => "Server",
        }
    }
}

/// A cwmp:Fault (A.5): the fault code, its string and, for SetParameterValues, one entry per
/// parameter that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The SOAP `faultcode` ("Client" or "Server").
    pub soap_fault_code: String,
    pub fault_code: u32,
    pub fault_string: String,
    pub set_parameter_values_faults: Vec<SetParameterValuesFault>,
}

impl Fault {
    /// A fault with the standard string for `code`.
    pub fn new(code: FaultCode) -> Fault {
        Fault::with_string(code, code.description())
    }

    /// A fault with a specific explanation.
    pub fn with_string(code: FaultCode, fault_string: &str) -> Fault {
        Fault {
            soap_fault_code: code.soap_fault_code().to_string(),
            fault_code: code.code(),
            fault_string: fault_string.to_string(),
            set_parameter_values_faults: Vec::new(),
        }
    }
}

impl From<FaultCode> for Fault {
    fn from(code: FaultCode) -> Fault {
        Fault::new(code)
    }
}
