//! `Ubus`: a cloneable handle on one ubusd connection that reconnects by itself.
//!
//! A supervisor task owns the read side of the connection. When ubusd goes away it fails
//! the calls in flight (`ConnectionLost`), reconnects with exponential back-off and registers
//! everything again (objects, event patterns, subscriptions); receivers handed out earlier
//! keep working. Everything runs on `tokio::spawn`, so a current-thread runtime is enough.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ::log::{debug, info};
use serde_json::{Map, Value};
use tokio::io::BufReader;
use tokio::net::unix::OwnedReadHalf;
use tokio::sync::{mpsc, watch};

use super::error::{Status, UbusError};
use super::link::Link;
use super::ops::{self, ObjectInfo};
use super::registry::{Event, IncomingCall, Method, Registration, RegistrationKind};

/// ubusd's socket on OpenWrt.
pub const DEFAULT_SOCKET: &str = "/var/run/ubus/ubus.sock";
/// Events or calls queued for a receiver before new ones are dropped (events) or wait.
const QUEUE: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct UbusConfig {
    pub socket: PathBuf,
    /// Default time limit of each request (`Ubus::with_timeout` overrides it).
    pub call_timeout: Duration,
    /// First and longest wait between reconnection attempts.
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// How often registrations that failed (a subscription whose object is not there yet)
    /// are tried again.
    pub retry_interval: Duration,
}

impl UbusConfig {
    pub fn new(socket: impl Into<PathBuf>) -> UbusConfig {
        UbusConfig {
            socket: socket.into(),
            call_timeout: Duration::from_secs(10),
            reconnect_min: Duration::from_millis(100),
            reconnect_max: Duration::from_secs(5),
            retry_interval: Duration::from_secs(5),
        }
    }
}

struct Shared {
    config: UbusConfig,
    link: Mutex<Option<Arc<Link>>>,
    /// Connections opened so far. `AtomicUsize`: 32-bit MIPS has no 64-bit atomics.
    generations: AtomicUsize,
    registrations: Mutex<Vec<Arc<Registration>>>,
    /// One registration pass at a time, so nothing is registered twice.
    registering: tokio::sync::Mutex<()>,
    /// path → object id, forgotten on reconnect or when the id stops working.
    ids: Mutex<HashMap<String, u32>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Dropping the last handle (its `stop` sender) ends the supervisor.
struct Handle {
    shared: Arc<Shared>,
    _stop: watch::Sender<()>,
}

#[derive(Clone)]
pub struct Ubus {
    handle: Arc<Handle>,
    timeout: Duration,
}

impl Ubus {
    /// Connects (failing if ubusd is not there now); afterwards the connection is kept up.
    pub async fn connect(config: UbusConfig) -> Result<Ubus, UbusError> {
        let (link, reader) = Link::open(&config.socket, 1, config.call_timeout).await?;
        info!(target: "cwmpd::ubus", "connected to {} as peer {:08x}", config.socket.display(), link.client_id);
        let timeout = config.call_timeout;
        let shared = Arc::new(Shared {
            config,
            link: Mutex::new(Some(link.clone())),
            generations: AtomicUsize::new(1),
            registrations: Mutex::default(),
            registering: tokio::sync::Mutex::new(()),
            ids: Mutex::default(),
        });
        let (stop, stopped) = watch::channel(());
        tokio::spawn(supervise(shared.clone(), link, reader, stopped));
        let handle = Arc::new(Handle {
            shared,
            _stop: stop,
        });
        Ok(Ubus { handle, timeout })
    }

    /// The same connection with another per-request time limit.
    pub fn with_timeout(&self, timeout: Duration) -> Ubus {
        Ubus {
            handle: self.handle.clone(),
            timeout,
        }
    }

    /// Our peer id while connected.
    pub fn client_id(&self) -> Option<u32> {
        self.link().ok().map(|link| link.client_id)
    }

    fn shared(&self) -> &Shared {
        &self.handle.shared
    }

    fn link(&self) -> Result<Arc<Link>, UbusError> {
        match &*locked(&self.shared().link) {
            Some(link) if !link.is_closed() => Ok(link.clone()),
            _ => Err(UbusError::NotConnected),
        }
    }

    /// The id of the object at `path` (exact; cached until it stops working).
    pub async fn lookup(&self, path: &str) -> Result<u32, UbusError> {
        if let Some(id) = locked(&self.shared().ids).get(path) {
            return Ok(*id);
        }
        let objects = ops::lookup(&*self.link()?, Some(path), self.timeout).await?;
        let id = objects
            .iter()
            .find(|object| object.path == path)
            .map(|object| object.id)
            .ok_or(UbusError::Status(Status::NotFound))?;
        locked(&self.shared().ids).insert(path.to_string(), id);
        Ok(id)
    }

    /// `ubus list PATTERN`: a path, a prefix ending in `*`, or "" for all objects.
    pub async fn list(&self, pattern: &str) -> Result<Vec<ObjectInfo>, UbusError> {
        let pattern = (!pattern.is_empty()).then_some(pattern);
        match ops::lookup(&*self.link()?, pattern, self.timeout).await {
            Err(UbusError::Status(Status::NotFound)) => Ok(Vec::new()),
            other => other,
        }
    }

    /// INVOKE on an object id: every DATA reply, in order.
    pub async fn invoke(
        &self,
        id: u32,
        method: &str,
        args: Map<String, Value>,
    ) -> Result<Vec<Map<String, Value>>, UbusError> {
        ops::invoke(&*self.link()?, id, method, args, self.timeout).await
    }

    /// `ubus call PATH METHOD ARGS`: the first DATA reply (an empty table when there is
    /// none). `args` must be a JSON object or null.
    pub async fn call(&self, path: &str, method: &str, args: Value) -> Result<Value, UbusError> {
        let args = match args {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                return Err(UbusError::Protocol(format!(
                    "arguments must be a JSON object, not {other}"
                )))
            }
        };
        let id = self.lookup(path).await?;
        let replies = match self.invoke(id, method, args.clone()).await {
            // The object was registered again under a new id: look it up once more.
            Err(UbusError::Status(Status::NotFound)) => {
                locked(&self.shared().ids).remove(path);
                let id = self.lookup(path).await?;
                self.invoke(id, method, args).await?
            }
            other => other?,
        };
        Ok(Value::Object(
            replies.into_iter().next().unwrap_or_default(),
        ))
    }

    /// `ubus send NAME DATA`.
    pub async fn send_event(&self, name: &str, data: Map<String, Value>) -> Result<(), UbusError> {
        ops::send_event(&*self.link()?, name, data, self.timeout).await
    }

    /// Events whose id matches one of `patterns` (`network.interface`, `hostapd.*`).
    pub async fn subscribe_events(
        &self,
        patterns: &[&str],
    ) -> Result<mpsc::Receiver<Event>, UbusError> {
        let (sink, events) = mpsc::channel(QUEUE);
        let patterns = patterns.iter().map(|p| p.to_string()).collect();
        self.register(RegistrationKind::Events { patterns, sink }, true)
            .await?;
        Ok(events)
    }

    /// Notifications of the object at `path` (hostapd's station events). The object need
    /// not exist yet: the subscription is retried until it does, and again whenever the
    /// object comes back.
    pub async fn subscribe_object(&self, path: &str) -> mpsc::Receiver<Event> {
        let (sink, events) = mpsc::channel(QUEUE);
        let path = path.to_string();
        let kind = RegistrationKind::Subscription { path, sink };
        if let Err(err) = self.register(kind, false).await {
            debug!(target: "cwmpd::ubus", "subscription waits: {err}");
        }
        events
    }

    /// ADD_OBJECT `path` with `methods`; calls arrive on the receiver. Fails when ubusd
    /// refuses (the path is taken); kept registered across reconnections afterwards.
    pub async fn add_object(
        &self,
        path: &str,
        methods: Vec<Method>,
    ) -> Result<mpsc::Receiver<IncomingCall>, UbusError> {
        let (calls_tx, calls) = mpsc::channel(QUEUE);
        let path = path.to_string();
        let kind = RegistrationKind::Object {
            path,
            methods,
            calls: calls_tx,
        };
        self.register(kind, true).await?;
        Ok(calls)
    }

    /// Applies a registration now; keeps it (for reconnections and retries) unless it
    /// failed and `must_succeed`.
    async fn register(&self, kind: RegistrationKind, must_succeed: bool) -> Result<(), UbusError> {
        let registration = Registration::new(kind);
        let result = match self.link() {
            Ok(link) => {
                let _one_at_a_time = self.shared().registering.lock().await;
                registration.apply(&link, self.timeout).await
            }
            Err(err) => Err(err),
        };
        if result.is_ok() || !must_succeed {
            locked(&self.shared().registrations).push(registration);
        }
        result
    }
}

/// Serves a connection until it drops, then reconnects; until every handle is gone.
async fn supervise(
    shared: Arc<Shared>,
    mut link: Arc<Link>,
    mut reader: BufReader<OwnedReadHalf>,
    mut stopped: watch::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = serve(&shared, link.clone(), reader) => {}
            _ = stopped.changed() => break,
        }
        link.close();
        locked(&shared.ids).clear();
        info!(target: "cwmpd::ubus", "connection to ubusd lost, reconnecting");
        tokio::select! {
            next = reconnect(&shared) => (link, reader) = next,
            _ = stopped.changed() => break,
        }
        *locked(&shared.link) = Some(link.clone());
    }
    link.close();
    debug!(target: "cwmpd::ubus", "client closed");
}

/// Reads from the connection while (re)applying registrations that are not in force.
async fn serve(shared: &Shared, link: Arc<Link>, reader: BufReader<OwnedReadHalf>) {
    let keep_registered = async {
        loop {
            apply_registrations(shared, &link).await;
            tokio::time::sleep(shared.config.retry_interval).await;
        }
    };
    tokio::select! {
        _ = link.clone().read_loop(reader) => {}
        _ = keep_registered => {}
    }
}

async fn apply_registrations(shared: &Shared, link: &Link) {
    let _one_at_a_time = shared.registering.lock().await;
    let registrations = {
        let mut all = locked(&shared.registrations);
        all.retain(|registration| !registration.is_abandoned());
        all.clone()
    };
    for registration in registrations {
        if let Err(err) = registration.apply(link, shared.config.call_timeout).await {
            debug!(target: "cwmpd::ubus", "registration not in force yet: {err}");
        }
    }
}

/// Connects again, waiting `reconnect_min`, doubling up to `reconnect_max`.
async fn reconnect(shared: &Shared) -> (Arc<Link>, BufReader<OwnedReadHalf>) {
    let config = &shared.config;
    let mut wait = config.reconnect_min;
    loop {
        tokio::time::sleep(wait).await;
        let generation = shared.generations.fetch_add(1, Ordering::SeqCst) as u64 + 1;
        match Link::open(&config.socket, generation, config.call_timeout).await {
            Ok((link, reader)) => {
                info!(target: "cwmpd::ubus", "reconnected as peer {:08x}", link.client_id);
                return (link, reader);
            }
            Err(err) => debug!(target: "cwmpd::ubus", "reconnect: {err}"),
        }
        wait = (wait * 2).min(config.reconnect_max);
    }
}
