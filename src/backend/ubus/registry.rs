//! What a client keeps registered with ubusd — its objects, event patterns and object
//! subscriptions — so that it can register all of it again on a new connection.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};

use super::blobmsg::BlobmsgType;
use super::error::{Status, UbusError};
use super::link::Link;
use super::ops;

/// A method of an object we register, with its argument signature (what `ubus -v list`
/// shows; ubusd does not enforce it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    pub name: String,
    pub args: Vec<(String, BlobmsgType)>,
}

impl Method {
    pub fn new(name: &str, args: &[(&str, BlobmsgType)]) -> Method {
        Method {
            name: name.to_string(),
            args: args.iter().map(|(n, t)| (n.to_string(), *t)).collect(),
        }
    }
}

/// The SIGNATURE attribute: method → { argument → blobmsg type id }.
pub fn signature(methods: &[Method]) -> Map<String, Value> {
    methods
        .iter()
        .map(|method| {
            let args = method
                .args
                .iter()
                .map(|(name, kind)| (name.clone(), Value::from(*kind as u8)))
                .collect();
            (method.name.clone(), Value::Object(args))
        })
        .collect()
}

/// A call of one of our objects' methods. Answer it with [`IncomingCall::answer`]; dropping
/// it answers UNKNOWN_ERROR.
#[derive(Debug)]
pub struct IncomingCall {
    pub method: String,
    pub args: Map<String, Value>,
    reply: oneshot::Sender<(Status, Option<Map<String, Value>>)>,
}

impl IncomingCall {
    pub(super) fn new(
        method: String,
        args: Map<String, Value>,
        reply: oneshot::Sender<(Status, Option<Map<String, Value>>)>,
    ) -> IncomingCall {
        IncomingCall {
            method,
            args,
            reply,
        }
    }

    /// Sends `data` (if any) as the DATA reply, then `status`.
    pub fn answer(self, status: Status, data: Option<Map<String, Value>>) {
        let _ = self.reply.send((status, data));
    }
}

/// An event (`ubus send`, e.g. `network.interface`) or a notification of a subscribed
/// object (e.g. `hostapd.wlan0` "disassoc").
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The notifying object's path; `None` for broadcast events.
    pub object: Option<String>,
    /// The event id, or the notification type.
    pub name: String,
    pub data: Value,
}

impl Event {
    pub fn broadcast(name: String, data: Map<String, Value>) -> Event {
        Event {
            object: None,
            name,
            data: Value::Object(data),
        }
    }

    pub fn notification(object: String, name: String, data: Map<String, Value>) -> Event {
        Event {
            object: Some(object),
            name,
            data: Value::Object(data),
        }
    }
}

pub enum RegistrationKind {
    Object {
        path: String,
        methods: Vec<Method>,
        calls: mpsc::Sender<IncomingCall>,
    },
    Events {
        patterns: Vec<String>,
        sink: mpsc::Sender<Event>,
    },
    Subscription {
        path: String,
        sink: mpsc::Sender<Event>,
    },
}

pub struct Registration {
    pub kind: RegistrationKind,
    /// The connection generation it is in force on.
    applied: Mutex<Option<u64>>,
    /// Our object for it: (generation, id); kept between retries on one connection.
    object: Mutex<Option<(u64, u32)>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Registration {
    pub fn new(kind: RegistrationKind) -> Arc<Registration> {
        Arc::new(Registration {
            kind,
            applied: Mutex::new(None),
            object: Mutex::new(None),
        })
    }

    pub fn is_applied_on(&self, link: &Link) -> bool {
        *locked(&self.applied) == Some(link.generation)
    }

    pub fn mark_unapplied(&self) {
        *locked(&self.applied) = None;
    }

    /// Whether nobody listens any more (the receiver was dropped): then it is dropped too.
    pub fn is_abandoned(&self) -> bool {
        match &self.kind {
            RegistrationKind::Object { calls, .. } => calls.is_closed(),
            RegistrationKind::Events { sink, .. } => sink.is_closed(),
            RegistrationKind::Subscription { sink, .. } => sink.is_closed(),
        }
    }

    /// Registers it on `link` (callers serialize this per client).
    pub async fn apply(self: &Arc<Self>, link: &Link, timeout: Duration) -> Result<(), UbusError> {
        if self.is_applied_on(link) {
            return Ok(());
        }
        match &self.kind {
            RegistrationKind::Object { path, methods, .. } => {
                let signature = Some(signature(methods));
                let id =
                    ops::add_object(link, Some(path), signature, self.clone(), timeout).await?;
                self.own_object(link, id);
            }
            RegistrationKind::Events { patterns, .. } => {
                let id = self.anonymous_object(link, timeout).await?;
                for pattern in patterns {
                    ops::register_events(link, id, pattern, timeout).await?;
                }
            }
            RegistrationKind::Subscription { path, .. } => {
                let id = self.anonymous_object(link, timeout).await?;
                let target = ops::lookup(link, Some(path), timeout).await?;
                let target = target.first().ok_or(UbusError::Status(Status::NotFound))?;
                ops::subscribe(link, id, target.id, timeout).await?;
            }
        }
        *locked(&self.applied) = Some(link.generation);
        Ok(())
    }

    fn own_object(self: &Arc<Self>, link: &Link, id: u32) {
        *locked(&self.object) = Some((link.generation, id));
        link.route(id, self.clone());
    }

    /// The anonymous object events and notifications are delivered to.
    async fn anonymous_object(
        self: &Arc<Self>,
        link: &Link,
        timeout: Duration,
    ) -> Result<u32, UbusError> {
        let existing = *locked(&self.object);
        match existing {
            Some((generation, id)) if generation == link.generation => Ok(id),
            _ => {
                let id = ops::add_object(link, None, None, self.clone(), timeout).await?;
                self.own_object(link, id);
                Ok(id)
            }
        }
    }
}
