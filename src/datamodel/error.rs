//! Errors of the data-model layer and their one mapping to CWMP faults (TR-069 A.5.1).
//!
//! Every engine operation fails with a [`Error`]; the session turns it into a [`Fault`] through
//! the single `From<Error> for Fault` below, so fault codes are decided in one place.

use std::fmt;

use crate::cwmp::fault::{Fault, FaultCode};
use crate::cwmp::types::SetParameterValuesFault;

/// A backend (UCI, ubus, …) failed. The detail is logged, never sent to the ACS (it becomes
/// fault 9002 "Internal error").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError {
    pub detail: String,
}

impl BackendError {
    pub fn new(detail: impl Into<String>) -> BackendError {
        BackendError {
            detail: detail.into(),
        }
    }
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for BackendError {}

impl From<std::io::Error> for BackendError {
    fn from(error: std::io::Error) -> BackendError {
        BackendError::new(error.to_string())
    }
}

/// What went wrong, named after the TR-069 fault it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// 9003: the request's arguments are inconsistent (NextLevel on a parameter, a parameter
    /// twice in one SetParameterValues, an over-long ParameterKey, …).
    InvalidArguments(String),
    /// 9005: no such parameter or object (or the path is malformed).
    InvalidName { name: String },
    /// 9006: the `xsi:type` the ACS sent does not match the parameter's type.
    InvalidType { name: String, detail: String },
    /// 9007: the value is not valid for the parameter (syntax, range, length, enumeration).
    InvalidValue { name: String, detail: String },
    /// 9008: the parameter is read-only.
    NotWritable { name: String },
    /// 9009: the requested notification is not allowed on this parameter.
    NotificationRejected { name: String, detail: String },
    /// 9001: the request is valid but refused (e.g. AddObject on a table that does not allow it).
    RequestDenied(String),
    /// 9004: a limit was reached (e.g. no more instances).
    ResourcesExceeded(String),
    /// 9002: a backend failed.
    Backend(BackendError),
    /// 9003 carrying one SetParameterValuesFault per failing parameter (A.5.1): each entry is
    /// an `InvalidName`, `InvalidType`, `InvalidValue` or `NotWritable`.
    SetParameterValues(Vec<Error>),
}

impl Error {
    pub fn invalid_name(name: &str) -> Error {
        Error::InvalidName {
            name: name.to_string(),
        }
    }

    pub fn invalid_value(name: &str, detail: impl Into<String>) -> Error {
        Error::InvalidValue {
            name: name.to_string(),
            detail: detail.into(),
        }
    }

    pub fn invalid_type(name: &str, detail: impl Into<String>) -> Error {
        Error::InvalidType {
            name: name.to_string(),
            detail: detail.into(),
        }
    }

    pub fn not_writable(name: &str) -> Error {
        Error::NotWritable {
            name: name.to_string(),
        }
    }

    /// An area was asked for a parameter it declared but does not serve: a programming error,
    /// answered as 9002 (and logged) rather than blamed on the ACS.
    pub fn not_served(name: &str) -> Error {
        Error::Backend(BackendError::new(format!("no area serves {name}")))
    }

    /// The fault code this error becomes.
    pub fn fault_code(&self) -> FaultCode {
        match self {
            Error::InvalidArguments(_) | Error::SetParameterValues(_) => {
                FaultCode::InvalidArguments
            }
            Error::InvalidName { .. } => FaultCode::InvalidParameterName,
            Error::InvalidType { .. } => FaultCode::InvalidParameterType,
            Error::InvalidValue { .. } => FaultCode::InvalidParameterValue,
            Error::NotWritable { .. } => FaultCode::NonWritableParameter,
            Error::NotificationRejected { .. } => FaultCode::NotificationRequestRejected,
            Error::RequestDenied(_) => FaultCode::RequestDenied,
            Error::ResourcesExceeded(_) => FaultCode::ResourcesExceeded,
            Error::Backend(_) => FaultCode::InternalError,
        }
    }

    /// The parameter an error is about, when it is about one.
    pub fn parameter_name(&self) -> Option<&str> {
        match self {
            Error::InvalidName { name }
            | Error::InvalidType { name, .. }
            | Error::InvalidValue { name, .. }
            | Error::NotWritable { name }
            | Error::NotificationRejected { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Attach a parameter name to an error an area raised without one (areas validate values
    /// without knowing the concrete instance path; the engine fills it in).
    pub(crate) fn for_parameter(self, name: &str) -> Error {
        match self {
            Error::InvalidName { name: n } if n.is_empty() => Error::invalid_name(name),
            Error::InvalidType { name: n, detail } if n.is_empty() => {
                Error::invalid_type(name, detail)
            }
            Error::InvalidValue { name: n, detail } if n.is_empty() => {
                Error::invalid_value(name, detail)
            }
            Error::NotWritable { name: n } if n.is_empty() => Error::not_writable(name),
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArguments(detail) => write!(f, "invalid arguments: {detail}"),
            Error::InvalidName { name } => write!(f, "invalid parameter name: {name}"),
            Error::InvalidType { name, detail } => {
                write!(f, "invalid parameter type for {name}: {detail}")
            }
            Error::InvalidValue { name, detail } => {
                write!(f, "invalid parameter value for {name}: {detail}")
            }
            Error::NotWritable { name } => write!(f, "parameter is not writable: {name}"),
            Error::NotificationRejected { name, detail } => {
                write!(f, "notification request rejected for {name}: {detail}")
            }
            Error::RequestDenied(detail) => write!(f, "request denied: {detail}"),
            Error::ResourcesExceeded(detail) => write!(f, "resources exceeded: {detail}"),
            Error::Backend(error) => write!(f, "backend error: {error}"),
            Error::SetParameterValues(errors) => {
                write!(f, "{} parameter(s) rejected", errors.len())
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<BackendError> for Error {
    fn from(error: BackendError) -> Error {
        Error::Backend(error)
    }
}

/// The one place where data-model errors become CWMP faults.
impl From<Error> for Fault {
    fn from(error: Error) -> Fault {
        let code = error.fault_code();
        match error {
            Error::Backend(backend) => {
                // The detail may name files and system state: log it, tell the ACS only 9002.
                log::error!("datamodel: backend failure answered as 9002: {backend}");
                Fault::new(code)
            }
            Error::SetParameterValues(errors) => {
                let mut fault = Fault::new(code);
                fault.set_parameter_values_faults = errors
                    .iter()
                    .map(|entry| SetParameterValuesFault {
                        parameter_name: entry.parameter_name().unwrap_or_default().to_string(),
                        fault_code: entry.fault_code().code(),
                        fault_string: entry.to_string(),
                    })
                    .collect();
                fault
            }
            other => Fault::with_string(code, &other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_maps_to_its_fault_code() {
        let cases = [
            (Error::InvalidArguments("x".into()), 9003),
            (Error::invalid_name("Device.X"), 9005),
            (Error::invalid_type("Device.X", "boolean"), 9006),
            (Error::invalid_value("Device.X", "range"), 9007),
            (Error::not_writable("Device.X"), 9008),
            (
                Error::NotificationRejected {
                    name: "Device.X".into(),
                    detail: "canDeny".into(),
                },
                9009,
            ),
            (Error::RequestDenied("no".into()), 9001),
            (Error::ResourcesExceeded("full".into()), 9004),
            (Error::Backend(BackendError::new("disk on fire")), 9002),
        ];
        for (error, code) in cases {
            assert_eq!(Fault::from(error).fault_code, code);
        }
    }

    #[test]
    fn backend_detail_is_not_sent_to_the_acs() {
        let fault = Fault::from(Error::Backend(BackendError::new("/etc/config/cwmpd: EIO")));
        assert_eq!(fault.fault_string, "Internal error");
        assert_eq!(fault.soap_fault_code, "Server");
    }

    #[test]
    fn set_parameter_values_fault_lists_each_parameter() {
        let fault = Fault::from(Error::SetParameterValues(vec![
            Error::invalid_name("Device.Nope"),
            Error::not_writable("Device.DeviceInfo.UpTime"),
        ]));
        assert_eq!(fault.fault_code, 9003);
        assert_eq!(fault.soap_fault_code, "Client");
        let entries: Vec<(&str, u32)> = fault
            .set_parameter_values_faults
            .iter()
            .map(|e| (e.parameter_name.as_str(), e.fault_code))
            .collect();
        assert_eq!(
            entries,
            vec![("Device.Nope", 9005), ("Device.DeviceInfo.UpTime", 9008)]
        );
    }
}
