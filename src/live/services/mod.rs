//! The running services' state over ubus, one file per service: [`netifd`]
//! (`network.interface dump`, `network.device status`), [`wireless`] (`iwinfo`, `hostapd.*`),
//! [`dhcp`] (dnsmasq's leases) and `system`. Filled by [`gather`] with a bounded number of
//! calls; read by the areas through `Context::live.services`.

pub mod dhcp;
pub mod netifd;
pub mod wireless;

use crate::backend::ubus::Ubus;

pub use dhcp::DhcpState;
pub use netifd::{NetifdInterface, NetifdState};
pub use wireless::WirelessState;

/// What ubus reported in one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceState {
    /// False when ubusd could not be reached.
    pub available: bool,
    pub netifd: NetifdState,
    pub wireless: WirelessState,
    pub dhcp: DhcpState,
}

/// Ask each service once, at Unix time `now`.
pub async fn gather(ubus: Option<&Ubus>, now: i64) -> ServiceState {
    let Some(ubus) = ubus else {
        return ServiceState::default();
    };
    ServiceState {
        available: ubus.client_id().is_some(),
        netifd: netifd::gather(ubus).await,
        wireless: wireless::gather(ubus, now).await,
        dhcp: dhcp::gather(ubus).await,
    }
}
