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
use super::ubusd_state::*;
use serde_json::{Map, Value};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{mpsc as std_mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};

/// What ubusd's own call got back.
#[derive(Debug, Clone, PartialEq)]
pub struct CallReply {
    pub status: u32,
    pub data: Vec<Value>,
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

    /// Answer `object`'s fixture `name` (`get_clients`, `assoclist.wlan0`) with `reply` from
    /// now on (the router changed).
    pub fn set_reply(&self, object: &str, name: &str, reply: Value) {
        let Value::Object(reply) = reply else {
            panic!("a reply is a JSON object");
        };
        self.update(|state| state.replies.insert((object.into(), name.into()), reply));
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

/// Every ubus call one snapshot of the test router makes (`crate::live::gather`): netifd's
/// two, then wireless and DHCP: 1 + 2 × radios + 2 × interfaces + access points, and the
/// leases. A new source adds its rows here; the footprint tests (`tests/ubus_e2e.rs`,
/// `tests/wifi_e2e.rs`) assert exactly these counts per snapshot.
pub const CALLS_PER_SNAPSHOT: &[(&str, &str, usize)] = &[
    ("network.interface", "dump", 1),
    ("network.device", "status", 1),
    ("network.wireless", "status", 1),
    ("iwinfo", "freqlist", 2),
    ("iwinfo", "txpowerlist", 2),
    ("iwinfo", "info", 2),
    ("iwinfo", "assoclist", 2),
    ("hostapd.wlan0", "get_clients", 1),
    ("hostapd.wlan1", "get_clients", 1),
    ("luci-rpc", "getDHCPLeases", 1),
];
