//! `TestUbusd`: a ubusd for tests on a Unix socket, speaking the real wire protocol (HELLO,
//! LOOKUP, INVOKE routed between clients, ADD_OBJECT, events, SUBSCRIBE/NOTIFY, STATUS codes
//! as ubusd sends them) with built-in objects answering from `tests/fixtures/ubus/`.
//!
//! It counts calls per (object, method), can hang a method (to test time-outs), send events
//! and notifications, respawn an object under a new id, and restart (to test reconnection).
//! It runs on its own thread and runtime like `TestAcs`; its methods block only briefly, so
//! it works from `#[test]` and `#[tokio::test]` alike (`call` waits for a reply: from a
//! current-thread test whose object answers on the same runtime, use `spawn_blocking`).
//!
//! ```ignore
//! let ubusd = TestUbusd::start();
//! let ubus = Ubus::connect(UbusConfig::new(ubusd.socket())).await?;
//! assert_eq!(ubusd.calls("system", "board"), 0);
//! ```

use super::ubus_wire::{self as wire, BlobBuf, Msg};
use super::ubusd_fakes as fakes;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{mpsc as std_mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};

/// ubusd's event object.
const EVENT_OBJECT: u32 = 1;
/// The peer id ubusd's own calls and notifications come from (real ids are ≥ 1024).
const OWN_PEER: u32 = 2;
const MAX_MESSAGE: usize = 1024 * 1024;

const OK: u32 = 0;
const INVALID_COMMAND: u32 = 1;
const INVALID_ARGUMENT: u32 = 2;
const NOT_FOUND: u32 = 4;
const PERMISSION_DENIED: u32 = 6;

/// What ubusd's own call got back.
#[derive(Debug, Clone, PartialEq)]
pub struct CallReply {
    pub status: u32,
    pub data: Vec<Value>,
}

enum Owner {
    Client(u32),
    Fake,
}

struct Object {
    path: Option<String>,
    owner: Owner,
    type_id: u32,
    signature: Option<Map<String, Value>>,
}

#[derive(Default)]
struct State {
    clients: HashMap<u32, mpsc::UnboundedSender<Vec<u8>>>,
    objects: HashMap<u32, Object>,
    paths: BTreeMap<String, u32>,
    /// (listening object, pattern)
    listeners: Vec<(u32, String)>,
    /// (target, subscriber)
    subscriptions: Vec<(u32, u32)>,
    calls: HashMap<(String, String), usize>,
    hung: HashSet<(String, String)>,
    own_calls: HashMap<u16, (std_mpsc::Sender<CallReply>, Vec<Value>)>,
    seq: u16,
    next_id: u32,
}

/// The bus: everything a test may look at or poke, shared with the server thread.
pub struct Bus {
    state: Mutex<State>,
    changed: Condvar,
}

pub struct TestUbusd {
    socket: PathBuf,
    _dir: Option<tempfile::TempDir>,
    bus: Arc<Bus>,
    run: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl Deref for TestUbusd {
    type Target = Bus;
    fn deref(&self) -> &Bus {
        &self.bus
    }
}

impl TestUbusd {
    /// A ubusd on a socket in a new temporary directory.
    pub fn start() -> TestUbusd {
        let dir = tempfile::Builder::new()
            .prefix("cwmpd-test-ubusd-")
            .tempdir()
            .expect("temporary directory");
        let socket = dir.path().join("ubus.sock");
        let mut ubusd = TestUbusd::new(socket, Some(dir));
        ubusd.spawn();
        ubusd
    }

    /// A ubusd at `socket` (e.g. `ROOT/var/run/ubus/ubus.sock`).
    pub fn start_at(socket: &Path) -> TestUbusd {
        let mut ubusd = TestUbusd::new(socket.to_path_buf(), None);
        ubusd.spawn();
        ubusd
    }

    fn new(socket: PathBuf, dir: Option<tempfile::TempDir>) -> TestUbusd {
        let bus = Arc::new(Bus {
            state: Mutex::default(),
            changed: Condvar::new(),
        });
        TestUbusd {
            socket,
            _dir: dir,
            bus,
            run: None,
        }
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Another handle on the bus, for a blocking call from another thread.
    pub fn bus(&self) -> Arc<Bus> {
        self.bus.clone()
    }

    fn spawn(&mut self) {
        if let Some(dir) = self.socket.parent() {
            std::fs::create_dir_all(dir).expect("socket directory");
        }
        let _ = std::fs::remove_file(&self.socket);
        let listener = std::os::unix::net::UnixListener::bind(&self.socket)
            .unwrap_or_else(|e| panic!("bind {}: {e}", self.socket.display()));
        listener.set_nonblocking(true).expect("non-blocking");
        self.bus.reset();
        let (stop, stopped) = oneshot::channel();
        let bus = self.bus.clone();
        let thread = std::thread::Builder::new()
            .name("test-ubusd".into())
            .spawn(move || serve(bus, listener, stopped))
            .expect("spawn ubusd thread");
        self.run = Some((stop, thread));
    }

    /// Stops: every client's connection closes and the socket disappears.
    pub fn stop(&mut self) {
        if let Some((stop, thread)) = self.run.take() {
            let _ = stop.send(());
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.socket);
    }

    /// `stop`, then a fresh ubusd (only the built-in objects) on the same socket. Call
    /// counts are kept.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }
}

impl Drop for TestUbusd {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(
    bus: Arc<Bus>,
    listener: std::os::unix::net::UnixListener,
    stopped: oneshot::Receiver<()>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("ubusd runtime");
    runtime.block_on(async move {
        let listener = UnixListener::from_std(listener).expect("tokio listener");
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_client(bus.clone(), stream));
            }
        });
        let _ = stopped.await;
    });
}

async fn serve_client(bus: Arc<Bus>, stream: UnixStream) {
    let (mut reader, mut writer) = stream.into_split();
    let (frames, mut queue) = mpsc::unbounded_channel::<Vec<u8>>();
    let client = bus.connect(frames);
    tokio::spawn(async move {
        while let Some(frame) = queue.recv().await {
            if writer.write_all(&frame).await.is_err() {
                break;
            }
        }
    });
    while let Some(frame) = read_frame(&mut reader).await {
        match Msg::parse(&frame) {
            Some(msg) => bus.handle(client, &msg),
            None => break,
        }
    }
    bus.disconnect(client);
}

/// One message, or None at EOF or when the client breaks the framing (ubusd drops it).
async fn read_frame(reader: &mut tokio::net::unix::OwnedReadHalf) -> Option<Vec<u8>> {
    let mut frame = vec![0u8; 12];
    reader.read_exact(&mut frame).await.ok()?;
    let len = u32::from_be_bytes(frame[8..12].try_into().ok()?) as usize & 0x00ff_ffff;
    if frame[0] != 0 || !(4..=MAX_MESSAGE).contains(&len) {
        return None;
    }
    frame.resize(8 + len, 0);
    reader.read_exact(&mut frame[12..]).await.ok()?;
    Some(frame)
}

fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

impl Bus {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn update<R>(&self, change: impl FnOnce(&mut State) -> R) -> R {
        let result = change(&mut self.lock());
        self.changed.notify_all();
        result
    }

    /// A fresh bus with only the built-in objects (call counts and hangs are kept).
    fn reset(&self) {
        self.update(|state| {
            state.clients.clear();
            state.objects.clear();
            state.paths.clear();
            state.listeners.clear();
            state.subscriptions.clear();
            state.own_calls.clear();
            for fake in fakes::objects() {
                state.add_object(Some(fake.path), Owner::Fake, Some(fake.signature));
            }
        });
    }

    fn connect(&self, frames: mpsc::UnboundedSender<Vec<u8>>) -> u32 {
        self.update(|state| {
            let id = state.new_id();
            let _ = frames.send(wire::message(wire::HELLO, 0, id, BlobBuf::default()));
            state.clients.insert(id, frames);
            id
        })
    }

    fn disconnect(&self, client: u32) {
        self.update(|state| {
            state.clients.remove(&client);
            let owned: Vec<u32> = state
                .objects
                .iter()
                .filter(|(_, o)| matches!(o.owner, Owner::Client(c) if c == client))
                .map(|(id, _)| *id)
                .collect();
            for id in owned {
                state.remove_object(id);
            }
        });
    }

    fn handle(&self, client: u32, msg: &Msg) {
        self.update(|state| {
            let status = match msg.kind {
                wire::LOOKUP => state.lookup(client, msg),
                wire::ADD_OBJECT => state.add_client_object(client, msg),
                wire::REMOVE_OBJECT => state.remove_client_object(client, msg),
                wire::INVOKE => state.invoke(client, msg),
                wire::DATA | wire::STATUS => {
                    state.response(client, msg);
                    None
                }
                wire::SUBSCRIBE => state.subscribe(client, msg),
                wire::UNSUBSCRIBE => state.unsubscribe(client, msg),
                wire::NOTIFY => state.notify_from(client, msg),
                _ => Some(INVALID_COMMAND),
            };
            if let Some(code) = status {
                state.status(client, msg, code);
            }
        });
    }

    // ---- for tests ----

    /// How many INVOKEs reached `object`'s `method` (fakes and clients' objects alike).
    pub fn calls(&self, object: &str, method: &str) -> usize {
        let key = (object.to_string(), method.to_string());
        self.lock().calls.get(&key).copied().unwrap_or(0)
    }

    /// Every INVOKE of an object (not the event object) so far.
    pub fn total_calls(&self) -> usize {
        self.lock().calls.values().sum()
    }

    pub fn reset_counts(&self) {
        self.update(|state| state.calls.clear());
    }

    /// Calls of `object`/`method` are counted but never answered.
    pub fn hang(&self, object: &str, method: &str) {
        self.update(|state| state.hung.insert((object.into(), method.into())));
    }

    /// Paths of all objects, sorted.
    pub fn objects(&self) -> Vec<String> {
        self.lock().paths.keys().cloned().collect()
    }

    pub fn clients(&self) -> usize {
        self.lock().clients.len()
    }

    pub fn has_object(&self, path: &str) -> bool {
        self.lock().paths.contains_key(path)
    }

    /// How many listeners for exactly `pattern` are registered.
    pub fn listeners(&self, pattern: &str) -> usize {
        self.lock()
            .listeners
            .iter()
            .filter(|(_, p)| p == pattern)
            .count()
    }

    /// How many subscribers the object at `path` has.
    pub fn subscribers(&self, path: &str) -> usize {
        let state = self.lock();
        let Some(target) = state.paths.get(path) else {
            return 0;
        };
        state
            .subscriptions
            .iter()
            .filter(|(t, _)| t == target)
            .count()
    }

    /// Waits until an object is registered at `path` (a client's, after (re)connecting).
    /// Blocks the thread: not for a client on the test's own current-thread runtime.
    pub fn wait_object(&self, path: &str, timeout: Duration) -> bool {
        self.wait(timeout, |state| state.paths.contains_key(path))
    }

    fn wait(&self, timeout: Duration, done: impl Fn(&State) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        while !done(&state) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }

    /// `ubus send NAME DATA` from ubusd itself.
    pub fn send_event(&self, name: &str, data: Value) {
        let data = data.as_object().cloned().unwrap_or_default();
        self.update(|state| state.broadcast(None, name, &data));
    }

    /// A notification of object `path` to its subscribers (hostapd's station events).
    pub fn notify(&self, path: &str, kind: &str, data: Value) {
        let data = data.as_object().cloned().unwrap_or_default();
        self.update(|state| {
            if let Some(target) = state.paths.get(path).copied() {
                state.forward_notify(target, OWN_PEER, 0, kind, &data, true);
            }
        });
    }

    /// The object at `path` goes away (its subscribers get UNSUBSCRIBE) and comes back
    /// under a new id, as when hostapd restarts.
    pub fn respawn_object(&self, path: &str) {
        self.update(|state| {
            if let Some(id) = state.paths.get(path).copied() {
                let signature = state.objects.get(&id).and_then(|o| o.signature.clone());
                state.remove_object(id);
                state.add_object(Some(path.to_string()), Owner::Fake, signature);
            }
        });
    }

    /// `ubus call PATH METHOD ARGS` from ubusd itself: forwards the INVOKE to the object's
    /// owner and waits for its DATA and STATUS.
    pub fn call(
        &self,
        path: &str,
        method: &str,
        args: Value,
        timeout: Duration,
    ) -> Option<CallReply> {
        let args = args.as_object().cloned().unwrap_or_default();
        let (reply, answer) = std_mpsc::channel();
        self.update(|state| state.own_call(path, method, &args, reply));
        answer.recv_timeout(timeout).ok()
    }
}

impl State {
    fn new_id(&mut self) -> u32 {
        // Like ubusd: random 32-bit ids above the system range, so half are > i32::MAX.
        loop {
            self.next_id = self
                .next_id
                .wrapping_mul(1_103_515_245)
                .wrapping_add(0x9e37_79b9);
            let id = self.next_id;
            if id >= 1024 && !self.objects.contains_key(&id) && !self.clients.contains_key(&id) {
                return id;
            }
        }
    }

    fn send(&self, client: u32, kind: u8, seq: u16, peer: u32, attrs: BlobBuf) {
        if let Some(frames) = self.clients.get(&client) {
            let _ = frames.send(wire::message(kind, seq, peer, attrs));
        }
    }

    /// STATUS echoing the request's seq and peer.
    fn status(&self, client: u32, msg: &Msg, code: u32) {
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_STATUS, code);
        self.send(client, wire::STATUS, msg.seq, msg.peer, attrs);
    }

    fn add_object(
        &mut self,
        path: Option<String>,
        owner: Owner,
        signature: Option<Map<String, Value>>,
    ) -> u32 {
        let id = self.new_id();
        let type_id = if signature.is_some() {
            self.new_id()
        } else {
            0
        };
        if let Some(path) = &path {
            self.paths.insert(path.clone(), id);
            let event = serde_json::json!({"id": id, "path": path});
            self.broadcast(
                None,
                "ubus.object.add",
                event.as_object().unwrap_or(&Map::new()),
            );
        }
        let object = Object {
            path,
            owner,
            type_id,
            signature,
        };
        self.objects.insert(id, object);
        id
    }

    fn remove_object(&mut self, id: u32) {
        let Some(object) = self.objects.remove(&id) else {
            return;
        };
        for (target, subscriber) in self.subscriptions.clone() {
            if target == id {
                let mut attrs = BlobBuf::default();
                attrs.put_u32(wire::A_OBJID, subscriber);
                attrs.put_u32(wire::A_TARGET, id);
                if let Some(Owner::Client(owner)) = self.objects.get(&subscriber).map(|o| &o.owner)
                {
                    self.send(*owner, wire::UNSUBSCRIBE, 0, 0, attrs);
                }
            }
        }
        self.subscriptions.retain(|(t, s)| *t != id && *s != id);
        self.listeners.retain(|(object, _)| *object != id);
        if let Some(path) = object.path {
            self.paths.remove(&path);
            let event = serde_json::json!({"id": id, "path": path});
            self.broadcast(
                None,
                "ubus.object.remove",
                event.as_object().unwrap_or(&Map::new()),
            );
        }
    }

    fn describe(&self, id: u32) -> BlobBuf {
        let mut attrs = BlobBuf::default();
        let object = &self.objects[&id];
        attrs.put_string(wire::A_OBJPATH, object.path.as_deref().unwrap_or_default());
        attrs.put_u32(wire::A_OBJID, id);
        attrs.put_u32(wire::A_OBJTYPE, object.type_id);
        attrs.put_table(
            wire::A_SIGNATURE,
            object.signature.as_ref().unwrap_or(&Map::new()),
        );
        attrs
    }

    fn lookup(&self, client: u32, msg: &Msg) -> Option<u32> {
        let pattern = msg.string(wire::A_OBJPATH);
        let found: Vec<u32> = match pattern.as_deref() {
            None => self.paths.values().copied().collect(),
            Some(pattern) => self
                .paths
                .iter()
                .filter(|(path, _)| matches(pattern, path))
                .map(|(_, id)| *id)
                .collect(),
        };
        for id in &found {
            self.send(client, wire::DATA, msg.seq, msg.peer, self.describe(*id));
        }
        Some(if found.is_empty() && pattern.is_some() {
            NOT_FOUND
        } else {
            OK
        })
    }

    fn add_client_object(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let path = msg.string(wire::A_OBJPATH);
        if path.as_ref().is_some_and(|p| self.paths.contains_key(p)) {
            return Some(INVALID_ARGUMENT);
        }
        let signature = msg
            .attrs
            .contains_key(&wire::A_SIGNATURE)
            .then(|| msg.table(wire::A_SIGNATURE).unwrap_or_default());
        let has_signature = signature.is_some();
        let id = self.add_object(path, Owner::Client(client), signature);
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_OBJID, id);
        if has_signature {
            attrs.put_u32(wire::A_OBJTYPE, self.objects[&id].type_id);
        }
        self.send(client, wire::DATA, msg.seq, msg.peer, attrs);
        Some(OK)
    }

    fn owned_by(&self, id: u32, client: u32) -> bool {
        matches!(self.objects.get(&id), Some(Object { owner: Owner::Client(c), .. }) if *c == client)
    }

    fn remove_client_object(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let id = msg.u32(wire::A_OBJID)?;
        if !self.owned_by(id, client) {
            return Some(PERMISSION_DENIED);
        }
        self.remove_object(id);
        Some(OK)
    }

    fn invoke(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let (Some(id), Some(method)) = (msg.u32(wire::A_OBJID), msg.string(wire::A_METHOD)) else {
            return Some(INVALID_ARGUMENT);
        };
        let raw_args = msg.attrs.get(&wire::A_DATA).cloned().unwrap_or_default();
        let args = msg.table(wire::A_DATA).unwrap_or_default();
        if id == EVENT_OBJECT {
            return Some(self.event_method(client, &method, &args, &raw_args));
        }
        let Some(object) = self.objects.get(&id) else {
            return Some(NOT_FOUND);
        };
        let path = object.path.clone().unwrap_or_default();
        *self
            .calls
            .entry((path.clone(), method.clone()))
            .or_default() += 1;
        if self.hung.contains(&(path.clone(), method.clone())) {
            return None;
        }
        match object.owner {
            Owner::Fake => match fakes::answer(&path, &method, &args) {
                Ok(data) => {
                    self.reply_data(client, msg.seq, id, id, &data);
                    self.reply_status(client, msg.seq, id, id, OK);
                    None
                }
                Err(code) => Some(code),
            },
            Owner::Client(owner) => {
                self.forward_invoke(owner, msg.seq, client, id, &method, &args, false);
                None
            }
        }
    }

    fn reply_data(&self, client: u32, seq: u16, peer: u32, object: u32, data: &Map<String, Value>) {
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_OBJID, object);
        attrs.put_table(wire::A_DATA, data);
        self.send(client, wire::DATA, seq, peer, attrs);
    }

    fn reply_status(&self, client: u32, seq: u16, peer: u32, object: u32, code: u32) {
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_STATUS, code);
        attrs.put_u32(wire::A_OBJID, object);
        self.send(client, wire::STATUS, seq, peer, attrs);
    }

    /// INVOKE {OBJID, METHOD, DATA} to an object's owner, with the caller as peer.
    #[allow(clippy::too_many_arguments)]
    fn forward_invoke(
        &self,
        owner: u32,
        seq: u16,
        caller: u32,
        object: u32,
        method: &str,
        args: &Map<String, Value>,
        no_reply: bool,
    ) {
        let mut attrs = BlobBuf::default();
        attrs.put_u32(wire::A_OBJID, object);
        attrs.put_string(wire::A_METHOD, method);
        attrs.put_table(wire::A_DATA, args);
        if no_reply {
            attrs.put(wire::A_NO_REPLY, &[1]);
        }
        self.send(owner, wire::INVOKE, seq, caller, attrs);
    }

    /// DATA / STATUS from an object's owner: routed to the caller (`peer`) with the object
    /// id as peer, as ubusd does.
    fn response(&mut self, client: u32, msg: &Msg) {
        let Some(object) = msg.u32(wire::A_OBJID) else {
            return;
        };
        if !self.owned_by(object, client) {
            return;
        }
        if msg.peer == OWN_PEER {
            return self.own_call_response(msg);
        }
        if let Some(frames) = self.clients.get(&msg.peer) {
            let mut attrs = BlobBuf::default();
            for (id, payload) in &msg.attrs {
                attrs.put(*id, payload);
            }
            let _ = frames.send(wire::message(msg.kind, msg.seq, object, attrs));
        }
    }

    fn own_call(
        &mut self,
        path: &str,
        method: &str,
        args: &Map<String, Value>,
        reply: std_mpsc::Sender<CallReply>,
    ) {
        let Some(id) = self.paths.get(path).copied() else {
            let _ = reply.send(CallReply {
                status: NOT_FOUND,
                data: vec![],
            });
            return;
        };
        *self
            .calls
            .entry((path.to_string(), method.to_string()))
            .or_default() += 1;
        match self.objects[&id].owner {
            Owner::Fake => {
                let answer = fakes::answer(path, method, args);
                let _ = reply.send(match answer {
                    Ok(data) => CallReply {
                        status: OK,
                        data: vec![Value::Object(data)],
                    },
                    Err(status) => CallReply {
                        status,
                        data: vec![],
                    },
                });
            }
            Owner::Client(owner) => {
                self.seq = self.seq.wrapping_add(1);
                self.own_calls.insert(self.seq, (reply, Vec::new()));
                self.forward_invoke(owner, self.seq, OWN_PEER, id, method, args, false);
            }
        }
    }

    fn own_call_response(&mut self, msg: &Msg) {
        if msg.kind == wire::DATA {
            if let (Some(call), Some(data)) =
                (self.own_calls.get_mut(&msg.seq), msg.table(wire::A_DATA))
            {
                call.1.push(Value::Object(data));
            }
        } else if let Some((reply, data)) = self.own_calls.remove(&msg.seq) {
            let status = msg.u32(wire::A_STATUS).unwrap_or(u32::MAX);
            let _ = reply.send(CallReply { status, data });
        }
    }

    /// The event object's `register` and `send`.
    fn event_method(
        &mut self,
        client: u32,
        method: &str,
        args: &Map<String, Value>,
        raw: &[u8],
    ) -> u32 {
        match method {
            "register" => {
                // ubusd's policy wants `object` as an INT32 (blobmsg_add_u32).
                if wire::blobmsg_kinds(raw).get("object") != Some(&5) {
                    return INVALID_ARGUMENT;
                }
                let (Some(object), Some(pattern)) = (
                    args["object"].as_i64(),
                    args.get("pattern").and_then(Value::as_str),
                ) else {
                    return INVALID_ARGUMENT;
                };
                let object = object as i32 as u32;
                if !self.objects.contains_key(&object) {
                    return NOT_FOUND;
                }
                if !self.owned_by(object, client) {
                    return PERMISSION_DENIED;
                }
                self.listeners.push((object, pattern.to_string()));
                OK
            }
            "send" => {
                let (Some(name), Some(Value::Object(data))) =
                    (args.get("id").and_then(Value::as_str), args.get("data"))
                else {
                    return INVALID_ARGUMENT;
                };
                self.broadcast(Some(client), name, data);
                OK
            }
            _ => INVALID_ARGUMENT,
        }
    }

    /// Delivers an event to every listening object once, never back to its sender.
    fn broadcast(&mut self, sender: Option<u32>, name: &str, data: &Map<String, Value>) {
        let mut seen = HashSet::new();
        for (object, pattern) in self.listeners.clone() {
            let Some(Owner::Client(owner)) = self.objects.get(&object).map(|o| &o.owner) else {
                continue;
            };
            if !matches(&pattern, name) || Some(*owner) == sender || !seen.insert(object) {
                continue;
            }
            self.seq = self.seq.wrapping_add(1);
            self.forward_invoke(*owner, self.seq, 0, object, name, data, false);
        }
    }

    fn subscribe(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let (Some(subscriber), Some(target)) = (msg.u32(wire::A_OBJID), msg.u32(wire::A_TARGET))
        else {
            return Some(INVALID_ARGUMENT);
        };
        if !self.owned_by(subscriber, client) {
            return Some(INVALID_ARGUMENT);
        }
        if !self.objects.contains_key(&target) {
            return Some(NOT_FOUND);
        }
        self.subscriptions.push((target, subscriber));
        Some(OK)
    }

    fn unsubscribe(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let (Some(subscriber), Some(target)) = (msg.u32(wire::A_OBJID), msg.u32(wire::A_TARGET))
        else {
            return Some(INVALID_ARGUMENT);
        };
        if !self.owned_by(subscriber, client) {
            return Some(INVALID_ARGUMENT);
        }
        self.subscriptions.retain(|s| *s != (target, subscriber));
        Some(OK)
    }

    /// NOTIFY from an object's owner: an INVOKE to each subscriber.
    fn notify_from(&mut self, client: u32, msg: &Msg) -> Option<u32> {
        let (Some(target), Some(kind)) = (msg.u32(wire::A_OBJID), msg.string(wire::A_METHOD))
        else {
            return Some(INVALID_ARGUMENT);
        };
        if !self.owned_by(target, client) {
            return Some(NOT_FOUND);
        }
        let data = msg.table(wire::A_DATA).unwrap_or_default();
        self.forward_notify(target, client, msg.seq, &kind, &data, true);
        Some(OK)
    }

    fn forward_notify(
        &self,
        target: u32,
        from: u32,
        seq: u16,
        kind: &str,
        data: &Map<String, Value>,
        no_reply: bool,
    ) {
        for (t, subscriber) in &self.subscriptions {
            if *t != target {
                continue;
            }
            if let Some(Owner::Client(owner)) = self.objects.get(subscriber).map(|o| &o.owner) {
                self.forward_invoke(*owner, seq, from, *subscriber, kind, data, no_reply);
            }
        }
    }
}
