//! Live router state: what the kernel (netlink, `/proc`, `/sys`) and the running services
//! (ubus: netifd, hostapd, dnsmasq, iwinfo) report, as opposed to the configuration in UCI.
//!
//! The engine and the areas are synchronous and must not do I/O, while ubus and netlink are
//! asynchronous sockets. So the daemon gathers one [`LiveState`] snapshot at a time
//! ([`gather`], the I/O edge) and the areas read it through `Context::live`:
//! - at the start of every session (so a session sees one consistent picture and each source
//!   is read once per session, never once per parameter);
//! - again within a session, a `cwmpd get` or a notification poll only when the snapshot was
//!   invalidated by an event (netlink link/address changes, ubus `network.interface`, hostapd)
//!   or is older than the caller allows (`daemon/live.rs`).
//!
//! Each part lives in its own file: [`net`] (netlink), [`services`] (ubus), [`system`]
//! (`/proc` and `/sys`). A part a source cannot fill (no ubusd in a sandbox, no permission)
//! stays at its `Default` and says so in its `available` flag; areas then report what UCI
//! alone knows.

#[cfg(feature = "tr181-cellular")]
pub mod cellular;
pub mod net;
pub mod services;
pub mod system;

use crate::backend::ubus::Ubus;
use crate::platform::Paths;

pub use net::NetState;
pub use services::ServiceState;
pub use system::SystemState;

/// One snapshot of the running router.
#[derive(Debug, Clone, Default)]
pub struct LiveState {
    pub net: NetState,
    pub services: ServiceState,
    pub system: SystemState,
    /// ModemManager's modems (feature `tr181-cellular`).
    #[cfg(feature = "tr181-cellular")]
    pub cellular: cellular::CellularState,
}

/// Where a snapshot comes from.
#[derive(Clone)]
pub struct Sources {
    /// `/proc` and `/sys` are read under the root (`--root DIR` gives a sandbox its own).
    pub paths: Paths,
    /// The daemon's ubus connection for reading, when ubusd answers.
    pub ubus: Option<Ubus>,
    /// The previous snapshot's CPU load: CPU usage is measured from it (`system`).
    pub previous_cpu: Option<system::CpuLoad>,
}

/// Read every source once (the I/O edge of this module).
pub async fn gather(sources: &Sources) -> LiveState {
    let now = unix_now();
    let mut services = services::gather(sources.ubus.as_ref(), now).await;
    if !services.dhcp.available {
        services.dhcp = services::dhcp::read_lease_file(&sources.paths, now);
    }
    LiveState {
        net: net::gather().await,
        services,
        system: system::gather(&sources.paths, sources.previous_cpu.as_ref(), now),
        #[cfg(feature = "tr181-cellular")]
        cellular: cellular::gather(&sources.paths).await,
    }
}

/// The snapshot's time (association times, lease expiry in the lease file, sensor readings).
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
