//! The ubus object `cwmpd`, so hotplug scripts, LuCI and `ubus call` reach the agent:
//! `status`, `inform {event?}`, `get {paths, pairs?}`, `set {values}`, `reload`. Each call
//! becomes a control-socket [`Request`] answered by `handle_control`, the one implementation;
//! the reply is that [`Response`] as JSON, with `values` as a table (docs/ubus-wire.md) — or,
//! with `"pairs": true`, as a list of `[path, value]` pairs in the engine's order (a table
//! has no order and no repeated names; the command line asks for pairs).
//!
//! No ubusd (a sandbox, a router still booting) is normal: we try again every
//! [`RETRY_INTERVAL`]. Once registered, the client keeps the object registered across ubusd
//! restarts by itself.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ::log::{debug, info, warn};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::control::{Request, Response};
use super::SharedAgent;
use crate::backend::ubus::{
    BlobmsgType, IncomingCall, Method, Status, Ubus, UbusConfig, DEFAULT_SOCKET,
};

pub const OBJECT_PATH: &str = "cwmpd";
const RETRY_INTERVAL: Duration = Duration::from_secs(10);

/// The object's methods and their argument signatures.
pub fn methods() -> Vec<Method> {
    vec![
        Method::new("status", &[]),
        Method::new("inform", &[("event", BlobmsgType::String)]),
        Method::new(
            "get",
            &[("paths", BlobmsgType::Array), ("pairs", BlobmsgType::BOOL)],
        ),
        Method::new("set", &[("values", BlobmsgType::Table)]),
        Method::new("reload", &[]),
        Method::new(
            "request_download",
            &[
                ("file_type", BlobmsgType::String),
                ("args", BlobmsgType::Table),
            ],
        ),
    ]
}

/// Registers `cwmpd` on the root's ubus socket (now or when ubusd appears) and serves it.
pub fn start_ubus_object(agent: &SharedAgent, wake: mpsc::Sender<()>) {
    let socket = agent.borrow().paths.resolve(DEFAULT_SOCKET);
    tokio::task::spawn_local(serve(agent.clone(), socket, wake));
}

async fn serve(agent: SharedAgent, socket: PathBuf, wake: mpsc::Sender<()>) {
    // Held for as long as we serve: dropping the last handle closes the connection.
    let (_ubus, mut calls) = register(&socket).await;
    while let Some(call) = calls.recv().await {
        tokio::task::spawn_local(answer(agent.clone(), call, wake.clone()));
    }
}

async fn register(socket: &Path) -> (Ubus, mpsc::Receiver<IncomingCall>) {
    loop {
        match Ubus::connect(UbusConfig::new(socket)).await {
            Ok(ubus) => match ubus.add_object(OBJECT_PATH, methods()).await {
                Ok(calls) => {
                    info!(target: "cwmpd::ubus", "object {OBJECT_PATH} registered");
                    return (ubus, calls);
                }
                Err(err) => warn!(target: "cwmpd::ubus", "cannot register {OBJECT_PATH}: {err}"),
            },
            Err(err) => debug!(target: "cwmpd::ubus", "no ubus yet ({err}); trying again later"),
        }
        tokio::time::sleep(RETRY_INTERVAL).await;
    }
}

async fn answer(agent: SharedAgent, call: IncomingCall, wake: mpsc::Sender<()>) {
    let parsed = request_for(&call.method, &call.args)
        .and_then(|request| Ok((request, values_form(&call.args)?)));
    match parsed {
        Ok((request, form)) => {
            let response = super::handle_control(&agent, request, &wake).await;
            call.answer(Status::Ok, Some(reply_for(response, form)));
        }
        Err(status) => call.answer(status, None),
    }
}

/// How a reply carries `values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValuesForm {
    /// `{"Device.A": "1", …}`: handy in LuCI and shell scripts.
    Table,
    /// `[["Device.A", "1"], …]`: the engine's order, repeated names kept.
    Pairs,
}

/// The `pairs` argument: a boolean when present.
fn values_form(args: &Map<String, Value>) -> Result<ValuesForm, Status> {
    match args.get("pairs") {
        None | Some(Value::Bool(false)) => Ok(ValuesForm::Table),
        Some(Value::Bool(true)) => Ok(ValuesForm::Pairs),
        // ubus(1) users may write 1 / 0 for a boolean.
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(ValuesForm::Pairs),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(ValuesForm::Table),
        Some(_) => Err(Status::InvalidArgument),
    }
}

/// The control request a call stands for; INVALID_ARGUMENT for arguments of the wrong shape.
pub fn request_for(method: &str, args: &Map<String, Value>) -> Result<Request, Status> {
    let invalid = Status::InvalidArgument;
    match method {
        "status" => Ok(Request::Status),
        "reload" => Ok(Request::Reload),
        "inform" => match args.get("event") {
            None => Ok(Request::Inform { event: None }),
            Some(Value::String(event)) => Ok(Request::Inform {
                event: Some(event.clone()),
            }),
            Some(_) => Err(invalid),
        },
        "get" => {
            let paths = args.get("paths").and_then(Value::as_array).ok_or(invalid)?;
            let paths = paths.iter().map(|p| p.as_str().map(str::to_string));
            let paths = paths.collect::<Option<Vec<_>>>().ok_or(invalid)?;
            Ok(Request::Get { paths })
        }
        "set" => {
            let values = args
                .get("values")
                .and_then(Value::as_object)
                .ok_or(invalid)?;
            let values = values
                .iter()
                .map(|(path, value)| Some((path.clone(), text_of(value)?)));
            let values = values.collect::<Option<Vec<_>>>().ok_or(invalid)?;
            Ok(Request::Set { values })
        }
        "request_download" => {
            let file_type = args
                .get("file_type")
                .and_then(Value::as_str)
                .ok_or(invalid)?;
            let pairs = match args.get("args") {
                None => Vec::new(),
                Some(Value::Object(table)) => table
                    .iter()
                    .map(|(name, value)| Some((name.clone(), text_of(value)?)))
                    .collect::<Option<Vec<_>>>()
                    .ok_or(invalid)?,
                Some(_) => return Err(invalid),
            };
            Ok(Request::RequestDownload {
                file_type: file_type.to_string(),
                args: pairs,
            })
        }
        _ => Err(Status::MethodNotFound),
    }
}

/// A parameter value as text; `ubus call` users may write 60 or true for "60" or "true".
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The control response as a ubus reply: the same fields, `values` as `form` says (a
/// `Response` serialises them as pairs already).
pub fn reply_for(response: Response, form: ValuesForm) -> Map<String, Value> {
    let mut reply = match serde_json::to_value(&response) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if form == ValuesForm::Table && !response.values.is_empty() {
        let values: Map<String, Value> = response
            .values
            .iter()
            .map(|(path, value)| (path.clone(), Value::from(value.as_str())))
            .collect();
        reply.insert("values".into(), Value::Object(values));
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn calls_map_onto_control_requests() {
        assert_eq!(request_for("status", &Map::new()), Ok(Request::Status));
        assert_eq!(request_for("reload", &Map::new()), Ok(Request::Reload));
        let download = serde_json::json!({"file_type": "1 Firmware Upgrade Image", "args": {"Version": "24.10.1"}});
        let request = Request::RequestDownload {
            file_type: "1 Firmware Upgrade Image".into(),
            args: vec![("Version".into(), "24.10.1".into())],
        };
        assert_eq!(
            request_for("request_download", &args(download.clone())),
            Ok(request.clone())
        );
        assert_eq!(
            request_for("request_download", &args(serde_json::json!({"args": {}}))),
            Err(Status::InvalidArgument)
        );
        assert_eq!(
            request_for("inform", &args(json!({"event": "2 PERIODIC"}))),
            Ok(Request::Inform {
                event: Some("2 PERIODIC".into())
            })
        );
        assert_eq!(
            request_for("get", &args(json!({"paths": ["Device.DeviceInfo."]}))),
            Ok(Request::Get {
                paths: vec!["Device.DeviceInfo.".into()]
            })
        );
        assert_eq!(
            request_for("set", &args(json!({"values": {"A.B": 60, "A.C": true}}))),
            Ok(Request::Set {
                values: vec![("A.B".into(), "60".into()), ("A.C".into(), "true".into())]
            })
        );
    }

    #[test]
    fn malformed_arguments_are_invalid() {
        let invalid = Err(Status::InvalidArgument);
        assert_eq!(request_for("get", &Map::new()), invalid);
        assert_eq!(request_for("get", &args(json!({"paths": [1]}))), invalid);
        assert_eq!(
            request_for("set", &args(json!({"values": {"A": [1]}}))),
            invalid
        );
        assert_eq!(request_for("inform", &args(json!({"event": 2}))), invalid);
        assert_eq!(
            request_for("reboot", &Map::new()),
            Err(Status::MethodNotFound)
        );
    }

    #[test]
    fn replies_carry_values_as_a_table() {
        let response = Response {
            values: vec![("Device.DeviceInfo.Manufacturer".into(), "OpenWrt".into())],
            ..Response::ok()
        };
        assert_eq!(
            Value::Object(reply_for(response.clone(), ValuesForm::Table)),
            json!({"ok": true, "values": {"Device.DeviceInfo.Manufacturer": "OpenWrt"}})
        );
        assert_eq!(
            Value::Object(reply_for(response, ValuesForm::Pairs)),
            json!({"ok": true, "values": [["Device.DeviceInfo.Manufacturer", "OpenWrt"]]})
        );
        assert_eq!(
            Value::Object(reply_for(
                Response::error("fault 9005 x"),
                ValuesForm::Table
            )),
            json!({"ok": false, "error": "fault 9005 x"})
        );
        assert_eq!(values_form(&Map::new()), Ok(ValuesForm::Table));
        assert_eq!(
            values_form(&args(json!({"pairs": true}))),
            Ok(ValuesForm::Pairs)
        );
        assert_eq!(
            values_form(&args(json!({"pairs": "yes"}))),
            Err(Status::InvalidArgument)
        );
    }
}
