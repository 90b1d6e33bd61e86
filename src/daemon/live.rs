//! When the daemon refreshes its snapshot of the running router (`crate::live`).
//!
//! - A session starts with a fresh snapshot, so every source is read once per session.
//! - Within a session, before an RPC the engine answers, only when an event invalidated it.
//! - A `cwmpd get`/`set` (control socket or ubus) and the notification poll accept a snapshot
//!   up to [`LOCAL_MAX_AGE`] old unless an event invalidated it.
//!
//! Events (netlink link and address changes, ubus `network.interface`, hostapd, procd's
//! `config.change`) call
//! [`LiveHub::invalidate`] and wake the loop, whose notification poll then refreshes and
//! compares notified values: an active notification fires within a second of the change.
//!
//! Gathering awaits sockets, so it runs without holding the agent's borrow; the snapshot is
//! handed to the model afterwards.

use std::time::Duration;

use tokio::time::Instant;

use super::SharedAgent;
use ::log::{debug, warn};
use tokio::sync::mpsc;

use crate::backend::ubus::{Ubus, UbusConfig, DEFAULT_SOCKET};
use crate::live::services::wireless;
use crate::live::{self, Sources};
use crate::platform::Paths;

/// How old a snapshot a local `get` or the notification poll accepts when no event said it
/// changed.
pub const LOCAL_MAX_AGE: Duration = Duration::from_secs(2);

/// How fresh a snapshot must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Gather now (session start).
    Now,
    /// Gather when invalidated by an event (within a session).
    UnlessValid,
    /// Gather when invalidated or older than this.
    MaxAge(Duration),
}

/// The daemon's side of the snapshot: where it comes from and how old it is.
pub struct LiveHub {
    paths: Paths,
    /// The connection used for reading services (not the one serving our own object), when
    /// ubusd answers.
    pub ubus: Option<Ubus>,
    taken_at: Option<Instant>,
    invalid: bool,
    /// The last snapshot's CPU load, which the next one measures CPU usage from.
    cpu: Option<live::system::CpuLoad>,
}

impl LiveHub {
    pub fn new(paths: &Paths) -> LiveHub {
        LiveHub {
            paths: paths.clone(),
            ubus: None,
            taken_at: None,
            invalid: true,
            cpu: None,
        }
    }

    /// Something changed on the router: the next refresh gathers again.
    pub fn invalidate(&mut self) {
        self.invalid = true;
    }

    fn needs_refresh(&self, freshness: Freshness, now: Instant) -> bool {
        let Some(taken_at) = self.taken_at else {
            return true;
        };
        match freshness {
            Freshness::Now => true,
            Freshness::UnlessValid => self.invalid,
            Freshness::MaxAge(age) => self.invalid || now.duration_since(taken_at) > age,
        }
    }

    fn sources(&self) -> Sources {
        Sources {
            paths: self.paths.clone(),
            ubus: self.ubus.clone(),
            previous_cpu: self.cpu,
        }
    }
}

/// Gather a new snapshot when `freshness` asks for one and give it to the model.
pub async fn refresh(shared: &SharedAgent, freshness: Freshness) {
    let sources = {
        let mut agent = shared.borrow_mut();
        if !agent.live.needs_refresh(freshness, Instant::now()) {
            return;
        }
        // Cleared before gathering: an event arriving meanwhile invalidates again.
        agent.live.invalid = false;
        agent.live.sources()
    };
    let snapshot = live::gather(&sources).await;
    let mut agent = shared.borrow_mut();
    agent.live.taken_at = Some(Instant::now());
    agent.live.cpu = snapshot.system.cpu;
    agent.model.set_live(snapshot);
}

/// How long the command line without a daemon waits for ubusd's greeting, and for each call.
const OFFLINE_UBUS_TIMEOUT: Duration = Duration::from_secs(1);
/// How long the command line without a daemon spends gathering with ubus; after that it
/// gathers again without (a ubusd that answers slowly must not hold up `cwmpd get`).
const OFFLINE_GATHER_LIMIT: Duration = Duration::from_secs(4);

/// One snapshot for `cwmpd get`/`set` when no daemon runs: the same sources as the daemon's
/// (ubus when the root's ubusd answers), gathered on a runtime of its own. The first snapshot
/// has no earlier CPU counters: CPUUsage is then the average since boot.
pub fn gather_now(paths: &Paths) -> live::LiveState {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            warn!(target: "cwmpd::live", "no runtime to gather the router's state: {err}");
            return live::LiveState::default();
        }
    };
    runtime.block_on(async {
        let mut config = UbusConfig::new(paths.resolve(DEFAULT_SOCKET));
        config.call_timeout = OFFLINE_UBUS_TIMEOUT;
        let mut sources = Sources {
            paths: paths.clone(),
            ubus: Ubus::connect(config).await.ok(),
            previous_cpu: None,
        };
        if sources.ubus.is_some() {
            let gathered = tokio::time::timeout(OFFLINE_GATHER_LIMIT, live::gather(&sources));
            if let Ok(snapshot) = gathered.await {
                return snapshot;
            }
            warn!(target: "cwmpd::live", "ubus answers too slowly; reading without it");
            sources.ubus = None;
        }
        live::gather(&sources).await
    })
}

/// How long notifications that follow a first one are gathered into one refresh (an
/// interface going down sends its link, address and route changes together).
const NETLINK_SETTLE: Duration = Duration::from_millis(100);

/// Wait for a notification, then for the rest of its burst.
async fn next_burst(events: &mut live::net::Events) -> std::io::Result<()> {
    events.next().await?;
    let settle = tokio::time::sleep(NETLINK_SETTLE);
    tokio::pin!(settle);
    loop {
        tokio::select! {
            _ = &mut settle => return Ok(()),
            next = events.next() => next?,
        }
    }
}

/// ubus events after which the snapshot is out of date.
const UBUS_EVENTS: &[&str] = &["network.interface", "network.device"];
/// How long to wait before trying ubusd again.
const UBUS_RETRY: Duration = Duration::from_secs(10);

/// Start the tasks that keep the snapshot's sources: the ubus connection for reading and its
/// event subscriptions, and the kernel's link, address and route notifications. The first connection is
/// tried before this returns, so the first session's snapshot already has ubus when ubusd is
/// running.
pub async fn start_watchers(shared: &SharedAgent, wake: mpsc::Sender<()>) {
    let socket = shared.borrow().paths.resolve(DEFAULT_SOCKET);
    let first = connect(&socket).await;
    if let Some((ubus, _)) = &first {
        shared.borrow_mut().live.ubus = Some(ubus.clone());
    }
    tokio::task::spawn_local(watch_netlink(shared.clone(), wake.clone()));
    tokio::task::spawn_local(watch_ubus(shared.clone(), wake, socket, first));
}

type Connection = (Ubus, mpsc::Receiver<crate::backend::ubus::Event>);

/// One attempt to connect and subscribe.
async fn connect(socket: &std::path::Path) -> Option<Connection> {
    match Ubus::connect(UbusConfig::new(socket)).await {
        Ok(ubus) => match ubus.subscribe_events(UBUS_EVENTS).await {
            Ok(events) => Some((ubus, events)),
            Err(err) => {
                warn!(target: "cwmpd::live", "ubus events: {err}");
                None
            }
        },
        Err(err) => {
            debug!(target: "cwmpd::live", "no ubus yet ({err}); trying again later");
            None
        }
    }
}

/// Invalidate the snapshot on every netlink notification (a link going down, an address
/// added…) and wake the loop, whose notification poll then compares notified values at once.
async fn watch_netlink(shared: SharedAgent, wake: mpsc::Sender<()>) {
    let mut events = match live::net::Events::subscribe() {
        Ok(events) => events,
        Err(err) => {
            debug!(target: "cwmpd::live", "no netlink notifications ({err}); polling only");
            return;
        }
    };
    loop {
        if let Err(err) = next_burst(&mut events).await {
            warn!(target: "cwmpd::live", "netlink notifications: {err}; polling only");
            return;
        }
        debug!(target: "cwmpd::live", "netlink notification");
        shared.borrow_mut().live.invalidate();
        let _ = wake.try_send(());
    }
}

/// Connect to ubusd (now or when it appears; the client reconnects by itself afterwards) and
/// invalidate the snapshot on every event that says the network changed.
async fn watch_ubus(
    shared: SharedAgent,
    wake: mpsc::Sender<()>,
    socket: std::path::PathBuf,
    first: Option<Connection>,
) {
    let mut connection = first;
    let (ubus, mut events) = loop {
        if let Some(connection) = connection.take() {
            break connection;
        }
        tokio::time::sleep(UBUS_RETRY).await;
        connection = connect(&socket).await;
    };
    tokio::task::spawn_local(watch_stations(shared.clone(), ubus.clone(), wake.clone()));
    tokio::task::spawn_local(watch_config_changes(
        shared.clone(),
        ubus.clone(),
        wake.clone(),
    ));
    {
        // A connection made before the first snapshot is already in it; a later one makes
        // the snapshot out of date.
        let mut agent = shared.borrow_mut();
        if agent.live.ubus.is_none() {
            agent.live.invalidate();
        }
        agent.live.ubus = Some(ubus);
    }
    while let Some(event) = events.recv().await {
        debug!(target: "cwmpd::live", "ubus event {}", event.name);
        shared.borrow_mut().live.invalidate();
        let _ = wake.try_send(());
    }
}

/// hostapd's station events (association, disassociation): the AssociatedDevice tables
/// changed, so a notification on them fires at once.
async fn watch_stations(shared: SharedAgent, ubus: Ubus, wake: mpsc::Sender<()>) {
    let mut stations = wireless::station_events(&ubus).await;
    while let Some(event) = stations.recv().await {
        let object = event.object.unwrap_or_default();
        debug!(target: "cwmpd::live", "{object} {}", event.name);
        shared.borrow_mut().live.invalidate();
        let _ = wake.try_send(());
    }
}

/// The object whose subscribers procd tells about configuration changes.
const PROCD_SERVICE: &str = "service";
/// procd's notification after `reload_config` or LuCI's apply (`ubus call service event
/// {"type": "config.change", "data": {"package": …}}`): it notifies the subscribers of its
/// `service` object with `config.change {"config": PACKAGE}` — a notification, not a `ubus
/// send` event, so an event listener never sees it.
const CONFIG_CHANGE: &str = "config.change";

/// A configuration changed outside cwmpd (LuCI, `uci commit` + `reload_config`): compare the
/// notified values at once instead of at the next 30 s poll. Our own reloads send it too; the
/// comparison then finds nothing, because values the ACS (or `cwmpd set`) wrote are already
/// the last reported ones — so no session follows and nothing loops.
async fn watch_config_changes(shared: SharedAgent, ubus: Ubus, wake: mpsc::Sender<()>) {
    let mut notifications = ubus.subscribe_object(PROCD_SERVICE).await;
    while let Some(event) = notifications.recv().await {
        if event.name != CONFIG_CHANGE {
            continue;
        }
        let package = event.data.get("config").and_then(|p| p.as_str());
        debug!(target: "cwmpd::live", "config.change {}", package.unwrap_or("?"));
        shared.borrow_mut().live.invalidate();
        let _ = wake.try_send(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_is_gathered_as_freshness_asks() {
        let mut hub = LiveHub::new(&Paths::new("/nonexistent"));
        let start = Instant::now();
        assert!(hub.needs_refresh(Freshness::UnlessValid, start));
        hub.taken_at = Some(start);
        hub.invalid = false;
        assert!(hub.needs_refresh(Freshness::Now, start));
        assert!(!hub.needs_refresh(Freshness::UnlessValid, start));
        let later = start + LOCAL_MAX_AGE;
        assert!(!hub.needs_refresh(Freshness::MaxAge(LOCAL_MAX_AGE), later));
        let too_late = later + Duration::from_millis(1);
        assert!(hub.needs_refresh(Freshness::MaxAge(LOCAL_MAX_AGE), too_late));
        hub.invalidate();
        assert!(hub.needs_refresh(Freshness::UnlessValid, start));
        assert!(hub.needs_refresh(Freshness::MaxAge(LOCAL_MAX_AGE), start));
    }
}
