//! The local control socket (`/var/run/cwmpd/control.sock`): one JSON request per line, one
//! JSON answer per line. `cwmpd get|set|inform|status` use it when the ubus object is not
//! there (`client.rs`).
//!
//! The ubus object `cwmpd` (`ubus_object.rs`) offers the same requests, plus `reload`.

use serde::{Deserialize, Serialize};

/// The longest request line the daemon reads.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "lowercase")]
pub enum Request {
    Get {
        paths: Vec<String>,
    },
    Set {
        values: Vec<(String, String)>,
    },
    Inform {
        event: Option<String>,
    },
    /// Ask the ACS for a file (RequestDownload, A.4.2.2): a FileType and its arguments.
    RequestDownload {
        file_type: String,
        args: Vec<(String, String)>,
    },
    Status,
    /// Re-read the configuration, as SIGHUP does (from ubus; the CLI has no command for it).
    Reload,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `get`: the values, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<(String, String)>,
    /// `set`: 0 applied, 1 applied after a restart of the service or device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_status: Option<u8>,
    /// `status`: the agent's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<serde_json::Value>,
}

impl Response {
    pub fn error(message: impl Into<String>) -> Response {
        Response {
            ok: false,
            error: Some(message.into()),
            ..Response::default()
        }
    }

    pub fn ok() -> Response {
        Response {
            ok: true,
            ..Response::default()
        }
    }
}

/// Read one request line from a client; errors name what was wrong.
pub fn parse_request(line: &str) -> Result<Request, String> {
    serde_json::from_str(line).map_err(|e| format!("bad request: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_have_a_stable_wire_form() {
        let request = Request::Set {
            values: vec![(
                "Device.ManagementServer.PeriodicInformInterval".into(),
                "60".into(),
            )],
        };
        let line = serde_json::to_string(&request).unwrap();
        assert_eq!(
            line,
            r#"{"cmd":"set","values":[["Device.ManagementServer.PeriodicInformInterval","60"]]}"#
        );
        assert_eq!(parse_request(&line), Ok(request));
        assert_eq!(parse_request(r#"{"cmd":"status"}"#), Ok(Request::Status));
        assert!(parse_request(r#"{"cmd":"reboot"}"#)
            .unwrap_err()
            .starts_with("bad request: "));
    }

    #[test]
    fn responses_omit_empty_fields() {
        assert_eq!(
            serde_json::to_string(&Response::ok()).unwrap(),
            r#"{"ok":true}"#
        );
        assert_eq!(
            serde_json::to_string(&Response::error("fault 9005")).unwrap(),
            r#"{"ok":false,"error":"fault 9005"}"#
        );
    }
}
