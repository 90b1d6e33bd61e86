//! ubus status codes (`enum ubus_msg_status`) and the client's errors.

use std::fmt;

use super::blob::WireError;

/// A STATUS message's code, named as in libubus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Ok,
    InvalidCommand,
    InvalidArgument,
    MethodNotFound,
    NotFound,
    NoData,
    PermissionDenied,
    Timeout,
    NotSupported,
    UnknownError,
    ConnectionFailed,
    NoMemory,
    ParseError,
    SystemError,
    /// A code this list does not know.
    Other(u32),
}

const NAMED: [Status; 14] = [
    Status::Ok,
    Status::InvalidCommand,
    Status::InvalidArgument,
    Status::MethodNotFound,
    Status::NotFound,
    Status::NoData,
    Status::PermissionDenied,
    Status::Timeout,
    Status::NotSupported,
    Status::UnknownError,
    Status::ConnectionFailed,
    Status::NoMemory,
    Status::ParseError,
    Status::SystemError,
];

impl Status {
    pub fn from_code(code: u32) -> Status {
        NAMED
            .get(code as usize)
            .copied()
            .unwrap_or(Status::Other(code))
    }

    pub fn code(self) -> u32 {
        match self {
            Status::Other(code) => code,
            named => NAMED.iter().position(|s| *s == named).unwrap_or(9) as u32,
        }
    }

    /// `ubus_strerror`'s wording.
    pub fn message(self) -> &'static str {
        match self {
            Status::Ok => "Success",
            Status::InvalidCommand => "Invalid command",
            Status::InvalidArgument => "Invalid argument",
            Status::MethodNotFound => "Method not found",
            Status::NotFound => "Not found",
            Status::NoData => "No response",
            Status::PermissionDenied => "Permission denied",
            Status::Timeout => "Request timed out",
            Status::NotSupported => "Operation not supported",
            Status::UnknownError => "Unknown error",
            Status::ConnectionFailed => "Connection failed",
            Status::NoMemory => "Out of memory",
            Status::ParseError => "Parsing message data failed",
            Status::SystemError => "System error",
            Status::Other(_) => "Unknown error",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message(), self.code())
    }
}

/// Why a ubus operation did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum UbusError {
    /// ubusd or the object answered with a non-zero status.
    Status(Status),
    /// No answer within the call's timeout.
    TimedOut,
    /// No connection to ubusd right now (it is being re-established in the background).
    NotConnected,
    /// The connection dropped while waiting for the answer.
    ConnectionLost,
    /// Connecting to the socket failed.
    Connect(String),
    /// Bytes that are not ubus, or a value ubus cannot carry.
    Wire(WireError),
    /// An answer that breaks the protocol (a reply without its attributes).
    Protocol(String),
}

impl fmt::Display for UbusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UbusError::Status(status) => write!(f, "ubus: {status}"),
            UbusError::TimedOut => write!(f, "ubus: no answer in time"),
            UbusError::NotConnected => write!(f, "ubus: not connected"),
            UbusError::ConnectionLost => write!(f, "ubus: connection lost"),
            UbusError::Connect(why) => write!(f, "ubus: cannot connect: {why}"),
            UbusError::Wire(err) => write!(f, "ubus: {err}"),
            UbusError::Protocol(what) => write!(f, "ubus: {what}"),
        }
    }
}

impl std::error::Error for UbusError {}

impl From<WireError> for UbusError {
    fn from(err: WireError) -> UbusError {
        UbusError::Wire(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_both_ways() {
        for code in 0..16 {
            assert_eq!(Status::from_code(code).code(), code);
        }
        assert_eq!(Status::from_code(4), Status::NotFound);
        assert_eq!(Status::from_code(7), Status::Timeout);
        assert_eq!(Status::from_code(99), Status::Other(99));
        assert_eq!(Status::NotFound.to_string(), "Not found (4)");
    }
}
