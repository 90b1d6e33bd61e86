//! One connection to ubusd: the HELLO handshake, a writer task, requests matched to their
//! replies by (seq, peer), and the read loop that routes what ubusd sends.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ::log::{debug, warn};
use serde_json::{Map, Value};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot};

use super::error::{Status, UbusError};
use super::message::{read_frame, Attrs, Message, MsgType};
use super::registry::{Event, IncomingCall, Registration, RegistrationKind};

/// What a request got back: the DATA messages' attributes, then the STATUS code.
#[derive(Debug, Default)]
pub struct Reply {
    pub data: Vec<Attrs>,
    pub status: Option<Status>,
}

struct Waiting {
    data: Vec<Attrs>,
    reply: oneshot::Sender<Result<Reply, UbusError>>,
    /// ADD_OBJECT for this registration: route the new id before anything else is read, so
    /// a call that comes right behind the reply finds it.
    route: Option<Arc<Registration>>,
}

#[derive(Default)]
struct Pending {
    next_seq: u16,
    waiting: HashMap<(u16, u32), Waiting>,
}

pub struct Link {
    /// Our peer id, from ubusd's HELLO.
    pub client_id: u32,
    /// Counts connections; registrations remember the one they were made on.
    pub generation: u64,
    frames: mpsc::Sender<Vec<u8>>,
    pending: Mutex<Pending>,
    /// Object id → the registration that owns it (INVOKEs are routed by OBJID).
    routes: Mutex<HashMap<u32, Arc<Registration>>>,
    closed: AtomicBool,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Link {
    /// Connects and waits for ubusd's HELLO, whose peer field is our id.
    pub async fn open(
        socket: &Path,
        generation: u64,
        timeout: Duration,
    ) -> Result<(Arc<Link>, BufReader<OwnedReadHalf>), UbusError> {
        let stream = UnixStream::connect(socket)
            .await
            .map_err(|e| UbusError::Connect(format!("{}: {e}", socket.display())))?;
        let (reader, writer) = stream.into_split();
        let mut reader = BufReader::new(reader);
        let frame = tokio::time::timeout(timeout, read_frame(&mut reader))
            .await
            .map_err(|_| UbusError::TimedOut)?
            .map_err(|_| UbusError::ConnectionLost)?;
        let hello = Message::decode(&frame)?;
        if hello.msg_type() != Some(MsgType::Hello) {
            return Err(UbusError::Protocol(format!(
                "expected HELLO, got type {}",
                hello.kind
            )));
        }
        let (frames, queue) = mpsc::channel(64);
        tokio::spawn(write_frames(writer, queue));
        let link = Link {
            client_id: hello.peer,
            generation,
            frames,
            pending: Mutex::default(),
            routes: Mutex::default(),
            closed: AtomicBool::new(false),
        };
        Ok((Arc::new(link), reader))
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Sends a request and waits for its STATUS (collecting DATA on the way).
    pub async fn request(
        &self,
        kind: MsgType,
        peer: u32,
        attrs: Attrs,
        timeout: Duration,
    ) -> Result<Reply, UbusError> {
        self.request_routed(kind, peer, attrs, timeout, None).await
    }

    /// [`Link::request`] for an ADD_OBJECT whose object id, once known, routes INVOKEs to
    /// `route`.
    pub async fn request_routed(
        &self,
        kind: MsgType,
        peer: u32,
        attrs: Attrs,
        timeout: Duration,
        route: Option<Arc<Registration>>,
    ) -> Result<Reply, UbusError> {
        let (reply_tx, reply_rx) = oneshot::channel();
        let seq = self.expect_reply(peer, reply_tx, route)?;
        let frame = match Message::new(kind, seq, peer, attrs).encode() {
            Ok(frame) => frame,
            Err(err) => {
                self.forget(seq, peer);
                return Err(err.into());
            }
        };
        if self.frames.send(frame).await.is_err() {
            self.forget(seq, peer);
            return Err(UbusError::ConnectionLost);
        }
        match tokio::time::timeout(timeout, reply_rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(UbusError::ConnectionLost),
            Err(_) => {
                self.forget(seq, peer);
                Err(UbusError::TimedOut)
            }
        }
    }

    /// Sends a message that gets no reply (answers to INVOKEs).
    pub async fn send(&self, message: Message) {
        match message.encode() {
            Ok(frame) => {
                let _ = self.frames.send(frame).await;
            }
            Err(err) => warn!(target: "cwmpd::ubus", "cannot encode a reply: {err}"),
        }
    }

    pub fn route(&self, object_id: u32, registration: Arc<Registration>) {
        locked(&self.routes).insert(object_id, registration);
    }

    fn expect_reply(
        &self,
        peer: u32,
        reply: oneshot::Sender<Result<Reply, UbusError>>,
        route: Option<Arc<Registration>>,
    ) -> Result<u16, UbusError> {
        if self.is_closed() {
            return Err(UbusError::ConnectionLost);
        }
        let mut pending = locked(&self.pending);
        pending
            .waiting
            .retain(|_, waiting| !waiting.reply.is_closed());
        loop {
            pending.next_seq = pending.next_seq.wrapping_add(1);
            let key = (pending.next_seq, peer);
            if let Entry::Vacant(slot) = pending.waiting.entry(key) {
                let data = Vec::new();
                slot.insert(Waiting { data, reply, route });
                return Ok(key.0);
            }
        }
    }

    fn forget(&self, seq: u16, peer: u32) {
        locked(&self.pending).waiting.remove(&(seq, peer));
    }

    /// Fails every waiting request; later requests fail at once.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        for (_, waiting) in locked(&self.pending).waiting.drain() {
            let _ = waiting.reply.send(Err(UbusError::ConnectionLost));
        }
    }

    /// Reads and routes messages until the connection ends.
    pub async fn read_loop(self: Arc<Self>, mut reader: BufReader<OwnedReadHalf>) {
        loop {
            let frame = match read_frame(&mut reader).await {
                Ok(frame) => frame,
                Err(err) => {
                    debug!(target: "cwmpd::ubus", "connection ended: {err}");
                    break;
                }
            };
            match Message::decode(&frame) {
                Ok(message) => self.dispatch(message).await,
                // The frame was whole, so the stream is still in step: skip just this one.
                Err(err) => warn!(target: "cwmpd::ubus", "ignoring a malformed message: {err}"),
            }
        }
        self.close();
    }

    async fn dispatch(self: &Arc<Self>, message: Message) {
        match message.msg_type() {
            Some(MsgType::Data) => self.collect_data(message),
            Some(MsgType::Status) => self.complete(message),
            Some(MsgType::Invoke) => self.invoked(message).await,
            Some(MsgType::Unsubscribe) => self.unsubscribed(&message.attrs),
            // NOTIFY from ubusd tells an object's owner whether it has subscribers.
            _ => debug!(target: "cwmpd::ubus", "ignoring message type {}", message.kind),
        }
    }

    fn collect_data(&self, message: Message) {
        let mut pending = locked(&self.pending);
        if let Some(waiting) = pending.waiting.get_mut(&(message.seq, message.peer)) {
            waiting.data.push(message.attrs);
        }
    }

    fn complete(&self, message: Message) {
        let waiting = locked(&self.pending)
            .waiting
            .remove(&(message.seq, message.peer));
        if let Some(waiting) = waiting {
            let status = message.attrs.status.map(Status::from_code);
            let object_id = waiting.data.iter().find_map(|data| data.objid);
            if let (Some(Status::Ok), Some(id), Some(route)) = (status, object_id, waiting.route) {
                self.route(id, route);
            }
            let reply = match status {
                Some(_) => Ok(Reply {
                    data: waiting.data,
                    status,
                }),
                None => Err(UbusError::Protocol("STATUS without a code".into())),
            };
            let _ = waiting.reply.send(reply);
        }
    }

    fn registration(&self, object_id: Option<u32>) -> Option<Arc<Registration>> {
        locked(&self.routes).get(&object_id?).cloned()
    }

    /// A call of one of our objects, or an event / notification for a subscriber object.
    async fn invoked(self: &Arc<Self>, message: Message) {
        let object_id = message.attrs.objid.unwrap_or_default();
        let no_reply = message.attrs.no_reply == Some(true);
        let Some(registration) = self.registration(message.attrs.objid) else {
            if !no_reply {
                self.answer(&message, object_id, Status::NotFound, None)
                    .await;
            }
            return;
        };
        let name = message.attrs.method.clone().unwrap_or_default();
        let data = message.attrs.data.clone().unwrap_or_default();
        match &registration.kind {
            RegistrationKind::Object { methods, calls, .. } => {
                if !methods.iter().any(|m| m.name == name) {
                    self.answer(&message, object_id, Status::MethodNotFound, None)
                        .await;
                    return;
                }
                let link = self.clone();
                let calls = calls.clone();
                tokio::spawn(async move {
                    let (reply, answer) = oneshot::channel();
                    let call = IncomingCall::new(name, data, reply);
                    let (status, data) = match calls.send(call).await {
                        Ok(()) => answer.await.unwrap_or((Status::UnknownError, None)),
                        Err(_) => (Status::UnknownError, None),
                    };
                    link.answer(&message, object_id, status, data).await;
                });
            }
            RegistrationKind::Events { sink, .. } => {
                deliver(sink, Event::broadcast(name, data));
                if !no_reply {
                    self.answer(&message, object_id, Status::Ok, None).await;
                }
            }
            RegistrationKind::Subscription { path, sink } => {
                deliver(sink, Event::notification(path.clone(), name, data));
                if !no_reply {
                    self.answer(&message, object_id, Status::Ok, None).await;
                }
            }
        }
    }

    /// DATA (when there is some) then STATUS, echoing the call's seq and peer; ubusd routes
    /// both by OBJID back to the caller.
    async fn answer(
        &self,
        call: &Message,
        object_id: u32,
        status: Status,
        data: Option<Map<String, Value>>,
    ) {
        if let Some(data) = data {
            let attrs = Attrs {
                objid: Some(object_id),
                data: Some(data),
                ..Attrs::default()
            };
            self.send(Message::new(MsgType::Data, call.seq, call.peer, attrs))
                .await;
        }
        let attrs = Attrs {
            status: Some(status.code()),
            objid: Some(object_id),
            ..Attrs::default()
        };
        self.send(Message::new(MsgType::Status, call.seq, call.peer, attrs))
            .await;
    }

    /// ubusd dropped a subscription (its target went away): subscribe again later.
    fn unsubscribed(&self, attrs: &Attrs) {
        if let Some(registration) = self.registration(attrs.objid) {
            debug!(target: "cwmpd::ubus", "subscription ended by ubusd");
            registration.mark_unapplied();
        }
    }
}

fn deliver(sink: &mpsc::Sender<Event>, event: Event) {
    if let Err(mpsc::error::TrySendError::Full(event)) = sink.try_send(event) {
        warn!(target: "cwmpd::ubus", "event queue full, dropping {}", event.name);
    }
}

async fn write_frames(mut writer: OwnedWriteHalf, mut queue: mpsc::Receiver<Vec<u8>>) {
    while let Some(frame) = queue.recv().await {
        if let Err(err) = writer.write_all(&frame).await {
            debug!(target: "cwmpd::ubus", "write: {err}");
            return;
        }
    }
}
