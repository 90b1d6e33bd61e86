//! The protocol's operations on one connection: LOOKUP, INVOKE, ADD_OBJECT, SUBSCRIBE and
//! the event object's `register` / `send` (docs/ubus-wire.md, "Operations").

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use super::error::{Status, UbusError};
use super::link::{Link, Reply};
use super::message::{Attrs, MsgType};
use super::registry::Registration;

/// ubusd's event object: `register` (listen to a pattern) and `send`.
pub const EVENT_OBJECT: u32 = 1;

/// One object as LOOKUP describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectInfo {
    pub path: String,
    pub id: u32,
    pub type_id: u32,
    /// method → { argument → blobmsg type id }.
    pub signature: Map<String, Value>,
}

fn expect_ok(reply: Reply) -> Result<Vec<Attrs>, UbusError> {
    match reply.status {
        Some(Status::Ok) => Ok(reply.data),
        Some(status) => Err(UbusError::Status(status)),
        None => Err(UbusError::Protocol("no status".into())),
    }
}

/// LOOKUP: `pattern` is a path, a prefix ending in `*`, or `None` for every object.
pub async fn lookup(
    link: &Link,
    pattern: Option<&str>,
    timeout: Duration,
) -> Result<Vec<ObjectInfo>, UbusError> {
    let attrs = Attrs {
        objpath: pattern.map(str::to_string),
        ..Attrs::default()
    };
    let reply = link.request(MsgType::Lookup, 0, attrs, timeout).await?;
    expect_ok(reply)?
        .into_iter()
        .map(|data| {
            Ok(ObjectInfo {
                path: data.objpath.ok_or(missing("OBJPATH"))?,
                id: data.objid.ok_or(missing("OBJID"))?,
                type_id: data.objtype.unwrap_or_default(),
                signature: data.signature.unwrap_or_default(),
            })
        })
        .collect()
}

fn missing(what: &str) -> UbusError {
    UbusError::Protocol(format!("reply without {what}"))
}

/// INVOKE `method` on object `id`: the DATA replies, in order.
pub async fn invoke(
    link: &Link,
    id: u32,
    method: &str,
    args: Map<String, Value>,
    timeout: Duration,
) -> Result<Vec<Map<String, Value>>, UbusError> {
    let attrs = Attrs {
        objid: Some(id),
        method: Some(method.to_string()),
        // Always present: libubus answers INVALID_ARGUMENT to an INVOKE without DATA.
        data: Some(args),
        ..Attrs::default()
    };
    let reply = link.request(MsgType::Invoke, id, attrs, timeout).await?;
    Ok(expect_ok(reply)?
        .into_iter()
        .filter_map(|attrs| attrs.data)
        .collect())
}

/// ADD_OBJECT: a named object with a signature, or (both `None`) an anonymous one for
/// events and subscriptions, whose INVOKEs go to `owner`. Returns the object id.
pub async fn add_object(
    link: &Link,
    path: Option<&str>,
    signature: Option<Map<String, Value>>,
    owner: Arc<Registration>,
    timeout: Duration,
) -> Result<u32, UbusError> {
    let attrs = Attrs {
        objpath: path.map(str::to_string),
        signature,
        ..Attrs::default()
    };
    let owner = Some(owner);
    let reply = link
        .request_routed(MsgType::AddObject, 0, attrs, timeout, owner)
        .await?;
    expect_ok(reply)?
        .iter()
        .find_map(|data| data.objid)
        .ok_or(missing("OBJID"))
}

/// Asks ubusd to deliver events matching `pattern` to our object `object_id`.
pub async fn register_events(
    link: &Link,
    object_id: u32,
    pattern: &str,
    timeout: Duration,
) -> Result<(), UbusError> {
    let mut args = Map::new();
    // An INT32 holding the id's bits, as blobmsg_add_u32 sends it (ids use all 32 bits).
    args.insert("object".into(), Value::from(object_id as i32));
    args.insert("pattern".into(), Value::from(pattern));
    invoke(link, EVENT_OBJECT, "register", args, timeout)
        .await
        .map(drop)
}

/// `ubus send NAME DATA`.
pub async fn send_event(
    link: &Link,
    name: &str,
    data: Map<String, Value>,
    timeout: Duration,
) -> Result<(), UbusError> {
    let mut args = Map::new();
    args.insert("id".into(), Value::from(name));
    args.insert("data".into(), Value::Object(data));
    invoke(link, EVENT_OBJECT, "send", args, timeout)
        .await
        .map(drop)
}

/// SUBSCRIBE our object `subscriber_id` to the notifications of object `target`.
pub async fn subscribe(
    link: &Link,
    subscriber_id: u32,
    target: u32,
    timeout: Duration,
) -> Result<(), UbusError> {
    let attrs = Attrs {
        objid: Some(subscriber_id),
        target: Some(target),
        ..Attrs::default()
    };
    let reply = link.request(MsgType::Subscribe, 0, attrs, timeout).await?;
    expect_ok(reply).map(drop)
}
