//! The command line's ways to the agent (`cwmpd get|set|inform|status|request-download`),
//! tried in this order:
//! 1. the `cwmpd` ubus object on the root's ubusd (`ubus_object.rs`), the way LuCI and hotplug
//!    scripts reach the agent;
//! 2. the control socket (`control.rs`): no ubusd, or the object is not registered (yet);
//! 3. no daemon running: the agent's files on the root directly (`offline_request`, which
//!    gathers one snapshot of the running router for `get` and `set`).
//!
//! Every path ends in the same [`Response`], printed the same way with the same exit code.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};

use super::control::{Request, Response};
use super::ubus_object::OBJECT_PATH;
use crate::backend::ubus::{Status, Ubus, UbusConfig, UbusError, DEFAULT_SOCKET};
use crate::cli::{Args, Command};

/// How long ubusd may take to greet us and find the object: a hung ubusd must not hang the
/// command line, which then asks over the control socket.
const UBUS_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a `get` or `status` may take over ubus before the control socket is asked
/// instead (asking twice does no harm; the agent answers them without waiting for a session).
const UBUS_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request that changes something may take: it is never sent twice.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a daemon that holds the root's lock may take to open its control socket.
const STARTING_DAEMON_WAIT: Duration = Duration::from_secs(10);

/// `cwmpd get|set|inform|status|request-download`: print the answer, return the exit code.
pub fn run_client(args: &Args) -> i32 {
    let Some(request) = request_for(&args.command) else {
        return 2;
    };
    match ask(args, request) {
        Ok(response) => print_response(&args.command, &response),
        Err(message) => {
            eprintln!("cwmpd: {message}");
            1
        }
    }
}

fn ask(args: &Args, request: Request) -> Result<Response, String> {
    if let Some(answer) = ask_over_ubus(&args.root, &request) {
        return answer;
    }
    match ask_daemon_patiently(args, &request) {
        Some(answer) => answer,
        None => super::offline_request(args, request),
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

/// Whether asking again (over the control socket) after an answer that never came is safe.
fn repeatable(request: &Request) -> bool {
    matches!(request, Request::Get { .. } | Request::Status)
}

/// Ask the `cwmpd` ubus object. `None` when there is no ubusd (or it does not greet us in
/// time), no such object, or no usable answer in time to a request that may be asked again.
fn ask_over_ubus(root: &Path, request: &Request) -> Option<Result<Response, String>> {
    let socket = crate::platform::Paths::new(root).resolve(DEFAULT_SOCKET);
    if !socket.exists() {
        return None;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    let (method, args) = call_for(request);
    let limit = match repeatable(request) {
        true => UBUS_READ_TIMEOUT,
        false => ANSWER_TIMEOUT,
    };
    let reply = runtime.block_on(async {
        let mut config = UbusConfig::new(socket);
        config.call_timeout = UBUS_CONNECT_TIMEOUT;
        let ubus = Ubus::connect(config).await.ok()?;
        ubus.lookup(OBJECT_PATH).await.ok()?;
        Some(
            ubus.with_timeout(limit)
                .call(OBJECT_PATH, method, args)
                .await,
        )
    })?;
    let answer = match reply {
        Ok(reply) => response_from(reply),
        // The object went away between the lookup and the call: the daemon stopped.
        Err(UbusError::Status(Status::NotFound)) => return None,
        Err(err) => Err(format!("ubus: {err}")),
    };
    match answer {
        // A reply too large for ubus (1 MiB) arrives without its data, too.
        Err(_) if repeatable(request) => None,
        answer => Some(answer),
    }
}

/// The ubus call for a request (the inverse of `ubus_object::request_for`); `get` asks for
/// its values as pairs, in order.
fn call_for(request: &Request) -> (&'static str, Value) {
    let table = |pairs: &[(String, String)]| -> Map<String, Value> {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
            .collect()
    };
    match request {
        Request::Status => ("status", Value::Null),
        Request::Reload => ("reload", Value::Null),
        Request::RequestDownload { file_type, args } => (
            "request_download",
            serde_json::json!({ "file_type": file_type, "args": table(args) }),
        ),
        Request::Inform { event: None } => ("inform", Value::Null),
        Request::Inform { event: Some(event) } => ("inform", serde_json::json!({ "event": event })),
        Request::Get { paths } => ("get", serde_json::json!({ "paths": paths, "pairs": true })),
        Request::Set { values } => ("set", serde_json::json!({ "values": table(values) })),
    }
}

/// A `cwmpd` object's reply as the control socket's response (values as pairs or a table).
fn response_from(mut reply: Value) -> Result<Response, String> {
    if let Some(Value::Object(values)) = reply.get("values").cloned() {
        let pairs = values.into_iter().map(|(path, value)| {
            let text = value
                .as_str()
                .map(str::to_string)
                .unwrap_or(value.to_string());
            Value::from(vec![Value::from(path), Value::from(text)])
        });
        reply["values"] = Value::Array(pairs.collect());
    }
    serde_json::from_value(reply).map_err(|e| format!("ubus: bad answer: {e}"))
}

/// Ask the running daemon over its control socket; `None` when no daemon listens there.
fn ask_daemon(args: &Args, request: &Request) -> Option<Result<Response, String>> {
    let paths = crate::platform::Paths::new(&args.root);
    let mut stream = UnixStream::connect(paths.control_socket()).ok()?;
    Some(exchange(&mut stream, request))
}

/// Ask the daemon; while one holds the root's lock but answers nowhere yet (it is starting),
/// keep trying for a few seconds instead of touching its files behind its back. `None` when
/// no daemon runs.
fn ask_daemon_patiently(args: &Args, request: &Request) -> Option<Result<Response, String>> {
    let deadline = std::time::Instant::now() + STARTING_DAEMON_WAIT;
    loop {
        if let Some(answer) = ask_daemon(args, request) {
            return Some(answer);
        }
        if !super::daemon_running(args) {
            return None;
        }
        // Its control socket is gone (or not there yet): its ubus object may be there now.
        if let Some(answer) = ask_over_ubus(&args.root, request) {
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
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).ok();
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

#[cfg(test)]
mod tests {
    use super::super::ubus_object::{reply_for, request_for as request_of_call, ValuesForm};
    use super::*;
    use crate::backend::ubus::blobmsg;
    use serde_json::json;

    /// The request as the `cwmpd` object parses the call, and the reply's form it asks for.
    fn through_ubus(request: &Request) -> Request {
        let (method, args) = call_for(request);
        let args = args.as_object().cloned().unwrap_or_default();
        request_of_call(method, &args).unwrap()
    }

    #[test]
    fn calls_are_the_objects_requests() {
        for request in [
            Request::Status,
            Request::Reload,
            Request::Inform { event: None },
            Request::Inform {
                event: Some("2 PERIODIC".into()),
            },
            Request::Get {
                paths: vec!["Device.DeviceInfo.".into(), "Device.A".into()],
            },
            Request::Set {
                values: vec![("A.B".into(), "60".into())],
            },
            Request::RequestDownload {
                file_type: "1 Firmware Upgrade Image".into(),
                args: vec![("Version".into(), "24.10.1".into())],
            },
        ] {
            assert_eq!(through_ubus(&request), request);
        }
        assert_eq!(
            call_for(&Request::Get {
                paths: vec!["A.".into()]
            }),
            ("get", json!({"paths": ["A."], "pairs": true}))
        );
    }

    /// A reply's way back: blobmsg on the wire, then the response the CLI prints.
    fn over_the_wire(response: Response, form: ValuesForm) -> Response {
        let bytes = blobmsg::encode_table(&reply_for(response, form)).unwrap();
        response_from(Value::Object(blobmsg::decode_table(&bytes).unwrap())).unwrap()
    }

    #[test]
    fn replies_come_back_as_the_same_response() {
        // Not in name order, and a name twice: pairs keep both, as the control socket does.
        let values = vec![
            ("Device.Z".to_string(), "1".to_string()),
            ("Device.A".to_string(), "".to_string()),
            ("Device.Z".to_string(), "1".to_string()),
        ];
        let get = Response {
            values: values.clone(),
            ..Response::ok()
        };
        assert_eq!(over_the_wire(get.clone(), ValuesForm::Pairs), get);
        // A table (LuCI's form) loses the order: fine for LuCI, not for the command line.
        let sorted = Response {
            values: vec![values[1].clone(), values[0].clone()],
            ..Response::ok()
        };
        assert_eq!(over_the_wire(get, ValuesForm::Table), sorted);
        let status = Response {
            status: Some(json!({
                "acs_url": "http://acs/", "daemon_running": true, "next_periodic_inform": null,
                "next_session_in_secs": 0.0, "pending_events": ["1 BOOT"], "pending_transfers": [],
                "retry_count": 3, "sessions_completed": 4_000_000_000u64,
            })),
            ..Response::ok()
        };
        let back = over_the_wire(status.clone(), ValuesForm::Pairs);
        assert_eq!(back, status);
        // What `cwmpd status` prints, byte for byte (0.0 stays a double).
        assert_eq!(
            serde_json::to_string_pretty(&back.status).unwrap(),
            serde_json::to_string_pretty(&status.status).unwrap()
        );
        let set = Response {
            set_status: Some(1),
            ..Response::ok()
        };
        assert_eq!(over_the_wire(set.clone(), ValuesForm::Pairs), set);
        let fault = Response::error("fault 9005 Invalid parameter name");
        assert_eq!(over_the_wire(fault.clone(), ValuesForm::Pairs), fault);
    }

    #[test]
    fn unusable_replies_are_errors() {
        // A reply whose data did not arrive (too large for ubus).
        assert!(response_from(json!({})).is_err());
        assert!(repeatable(&Request::Get { paths: vec![] }));
        assert!(!repeatable(&Request::Set { values: vec![] }));
        assert!(!repeatable(&Request::Inform { event: None }));
    }
}
