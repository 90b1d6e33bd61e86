//! The local control socket (`/var/run/cwmpd/control.sock`): one JSON request per line, one
//! JSON answer per line. `cwmpd get|set|inform|status` use it; when no daemon runs they open
//! the agent's state on the root directly (what `--root` sandboxes are for).
//!
//! The ubus object `cwmpd` (`ubus_object.rs`) offers the same requests, plus `reload`.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cli::{Args, Command};

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

fn request_for(command: &Command) -> Option<Request> {
    Some(match command {
        Command::Get(paths) => Request::Get {
            paths: paths.clone(),
        },
        Command::Set(values) => Request::Set {
            values: values.clone(),
        },
        Command::Inform(event) => Request::Inform {
            event: event.clone(),
        },
        Command::RequestDownload(file_type, args) => Request::RequestDownload {
            file_type: file_type.clone(),
            args: args.clone(),
        },
        Command::Status => Request::Status,
        Command::Daemon | Command::Version | Command::Help => return None,
    })
}

/// Ask the running daemon; `None` when no daemon listens on the socket.
fn ask_daemon(args: &Args, request: &Request) -> Option<Result<Response, String>> {
    let paths = crate::platform::Paths::new(&args.root);
    let mut stream = UnixStream::connect(paths.control_socket()).ok()?;
    Some(exchange(&mut stream, request))
}

/// Ask the daemon; while one holds the root's lock but has no socket yet (it is starting),
/// keep trying for a few seconds instead of touching its files behind its back.
fn ask_daemon_patiently(args: &Args, request: &Request) -> Option<Result<Response, String>> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(answer) = ask_daemon(args, request) {
            return Some(answer);
        }
        if !super::daemon_running(args) {
            return None;
        }
        // Its control socket is gone (or not there yet): ubus reaches it too.
        if let Some(answer) = super::ubus_object::ask_over_ubus(&args.root, request) {
            return Some(answer);
        }
        if std::time::Instant::now() >= deadline {
            return Some(Err(
                "the daemon runs but does not answer on its control socket".into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn exchange(stream: &mut UnixStream, request: &Request) -> Result<Response, String> {
    // A session may hold the agent for a while; `set` waits for it rather than failing.
    stream.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let mut line = serde_json::to_string(request).map_err(|e| e.to_string())?;
    line.push('\n');
    stream
        .write_all(line.as_bytes())
        .map_err(|e| format!("control socket: {e}"))?;
    let mut answer = String::new();
    BufReader::new(stream)
        .read_line(&mut answer)
        .map_err(|e| format!("control socket: {e}"))?;
    serde_json::from_str(&answer).map_err(|e| format!("control socket: bad answer: {e}"))
}

/// `cwmpd get|set|inform|status`: print the answer, return the exit code.
pub fn run_client(args: &Args) -> i32 {
    let Some(request) = request_for(&args.command) else {
        return 2;
    };
    let answer = match ask_daemon_patiently(args, &request) {
        Some(answer) => answer,
        None => super::offline_request(args, request),
    };
    match answer {
        Ok(response) => print_response(&args.command, &response),
        Err(message) => {
            eprintln!("cwmpd: {message}");
            1
        }
    }
}

fn print_response(command: &Command, response: &Response) -> i32 {
    if !response.ok {
        eprintln!("cwmpd: {}", response.error.as_deref().unwrap_or("failed"));
        return 1;
    }
    match command {
        Command::Get(_) => {
            let mut out = String::new();
            for (name, value) in &response.values {
                out.push_str(&format!("{name} = {value}\n"));
            }
            print!("{out}");
        }
        Command::Set(_) if response.set_status == Some(1) => {
            println!("applied; takes effect after a restart");
        }
        Command::Status => {
            let status = response.status.clone().unwrap_or_default();
            println!(
                "{}",
                serde_json::to_string_pretty(&status).unwrap_or_default()
            );
        }
        _ => {}
    }
    0
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
