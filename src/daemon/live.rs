//! When the daemon refreshes its snapshot of the running router (`crate::live`).
//!
//! - A session starts with a fresh snapshot, so every source is read once per session.
//! - Within a session, before an RPC the engine answers, only when an event invalidated it.
//! - A `cwmpd get`/`set` (control socket or ubus) and the notification poll accept a snapshot
//!   up to [`LOCAL_MAX_AGE`] old unless an event invalidated it.
//!
//! Events (netlink link and address changes, ubus `network.interface`, hostapd) call
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

/// ubus events after which the snapshot is out of date.
const UBUS_EVENTS: &[&str] = &["network.interface", "network.device"];
/// How long to wait before trying ubusd again.
const UBUS_RETRY: Duration = Duration::from_secs(10);

/// Start the tasks that keep the snapshot's sources: the ubus connection for reading and its
/// event subscriptions (netlink's come with `crate::live::net`).
pub fn start_watchers(shared: &SharedAgent, wake: mpsc::Sender<()>) {
    tokio::task::spawn_local(watch_ubus(shared.clone(), wake));
}

/// Connect to ubusd (now or when it appears; the client reconnects by itself afterwards) and
/// invalidate the snapshot on every event that says the network changed.
async fn watch_ubus(shared: SharedAgent, wake: mpsc::Sender<()>) {
    let socket = shared.borrow().paths.resolve(DEFAULT_SOCKET);
    let (ubus, mut events) = loop {
        match Ubus::connect(UbusConfig::new(&socket)).await {
            Ok(ubus) => match ubus.subscribe_events(UBUS_EVENTS).await {
                Ok(events) => break (ubus, events),
                Err(err) => warn!(target: "cwmpd::live", "ubus events: {err}"),
            },
            Err(err) => debug!(target: "cwmpd::live", "no ubus yet ({err}); trying again later"),
        }
        tokio::time::sleep(UBUS_RETRY).await;
    };
    {
        let mut agent = shared.borrow_mut();
        agent.live.ubus = Some(ubus);
        agent.live.invalidate();
    }
    while let Some(event) = events.recv().await {
        debug!(target: "cwmpd::live", "ubus event {}", event.name);
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
