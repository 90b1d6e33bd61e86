//! The radios and access points: `iwinfo info`/`assoclist` per wireless device and
//! `hostapd.<ifname> get_clients`.

use crate::backend::ubus::Ubus;

/// What the wireless services reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WirelessState {}

/// Ask iwinfo and hostapd once per device.
pub async fn gather(ubus: &Ubus) -> WirelessState {
    let _ = ubus;
    WirelessState::default()
}
