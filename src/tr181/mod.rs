//! TR-181 Device:2 areas, one file each, over the generic engine (`crate::datamodel`).
//!
//! Areas reach the system only through what they are given: [`SystemInfo`] (filled once at
//! start by the daemon from `/etc/board.json` and `/etc/openwrt_release`) and the engine's
//! `Context` (time, uptime, the configuration backend, runtime values, instance numbers). No
//! file, socket or clock is touched in here.
//!
//! Each area reads its UCI packages once per RPC (`ConfigBackend::sections` when it opens),
//! stages every write in the engine's transaction and documents its mapping onto OpenWrt at
//! the top of its file. Shared pieces: `section_table.rs` (tables whose instances are UCI
//! sections: numbering, AddObject, DeleteObject) and `ip_interface.rs` (references to
//! `Device.IP.Interface.{i}`).
//!
//! Not served: `Device.Users.` — accounts live in `/etc/passwd` and `/etc/shadow`, not UCI;
//! areas cannot read files, TR-181 makes every User parameter writable, and writing accounts
//! needs the platform (`passwd`), so no clean mapping exists yet.

pub mod bridging;
#[cfg(feature = "tr181-cellular")]
pub mod cellular;
pub mod device_info;
pub mod dhcpv4;
pub mod dhcpv4_client;
mod diagnostics_view;
pub mod dns;
pub mod dns_diagnostics;
pub mod dns_relay;
pub mod echo_diagnostics;
pub mod ethernet;
pub mod firewall;
pub mod hosts;
pub mod interface_stack;
pub mod ip;
pub mod ip_diagnostics;
mod ip_interface;
mod link_layer;
pub mod management_server;
#[cfg(test)]
mod model_sweep;
pub mod nat;
mod netifd_interface;
pub mod ppp;
pub mod root;
pub mod routing;
mod section_table;
pub mod time;
pub mod transfer_diagnostics;
pub(crate) mod uci_value;
pub mod udp_echo_config;
mod vlan_termination;
pub mod wifi;
mod wifi_access_point;
mod wifi_radio;
mod wifi_ssid;

use crate::cwmp::types::DeviceIdStruct;
use crate::datamodel::{Area, Context, Engine, Error, SchemaError};

pub use bridging::BridgingArea;
pub use device_info::{DeviceInfoArea, SystemInfo, BOARD_JSON, OPENWRT_RELEASE};
pub use dhcpv4::Dhcpv4Area;
pub use dhcpv4_client::Dhcpv4ClientArea;
pub use dns::DnsArea;
pub use dns_diagnostics::DnsDiagnosticsArea;
pub use dns_relay::DnsRelayArea;
pub use echo_diagnostics::EchoDiagnosticsArea;
pub use ethernet::EthernetArea;
pub use firewall::FirewallArea;
pub use hosts::HostsArea;
pub use interface_stack::InterfaceStackArea;
pub use ip::IpArea;
pub use ip_diagnostics::IpDiagnosticsArea;
pub use management_server::ManagementServerArea;
pub use nat::NatArea;
pub use ppp::PppArea;
pub use root::RootArea;
pub use routing::RoutingArea;
pub use time::TimeArea;
pub use transfer_diagnostics::TransferDiagnosticsArea;
pub use udp_echo_config::UdpEchoConfigArea;
pub use wifi::WifiArea;

/// cwmpd's own UCI package (`/etc/config/cwmpd`, sections `acs` and `cpe`).
pub const CWMPD_PACKAGE: &str = "cwmpd";

/// Every area cwmpd serves, root first (the engine needs parents before children).
pub fn areas(system: SystemInfo) -> Vec<Box<dyn Area>> {
    vec![
        Box::new(RootArea::new(system.clone())),
        Box::new(DeviceInfoArea::new(system.clone())),
        Box::new(TimeArea),
        Box::new(ManagementServerArea),
        Box::new(Dhcpv4Area),
        Box::new(DnsArea),
        Box::new(NatArea),
        Box::new(FirewallArea),
        Box::new(IpDiagnosticsArea),
        Box::new(TransferDiagnosticsArea),
        Box::new(EchoDiagnosticsArea),
        Box::new(UdpEchoConfigArea),
        Box::new(DnsDiagnosticsArea),
        Box::new(EthernetArea::new(system.clone())),
        Box::new(BridgingArea::new(system.clone())),
        Box::new(RoutingArea),
        Box::new(IpArea),
        Box::new(PppArea),
        Box::new(Dhcpv4ClientArea),
        Box::new(DnsRelayArea),
        Box::new(WifiArea),
        Box::new(HostsArea),
        Box::new(InterfaceStackArea::new(system)),
        #[cfg(feature = "tr181-cellular")]
        Box::new(cellular::CellularArea),
    ]
}

/// The engine serving every TR-181 area cwmpd implements.
pub fn engine(system: SystemInfo) -> Result<Engine, SchemaError> {
    Engine::new(areas(system))
}

/// The DeviceIdStruct of the Inform (TR-069 A.3.3.1), from the same values the data model
/// reports under `Device.DeviceInfo.` (so configuration overrides apply to both).
pub fn device_id(engine: &mut Engine, ctx: &mut Context<'_>) -> Result<DeviceIdStruct, Error> {
    let names: Vec<String> = [
        "Manufacturer",
        "ManufacturerOUI",
        "ProductClass",
        "SerialNumber",
    ]
    .iter()
    .map(|name| format!("Device.DeviceInfo.{name}"))
    .collect();
    let mut values = engine
        .get_parameter_values(ctx, &names)?
        .into_iter()
        .map(|parameter| parameter.value);
    let mut next = || values.next().unwrap_or_default();
    Ok(DeviceIdStruct {
        manufacturer: next(),
        oui: next(),
        product_class: next(),
        serial_number: next(),
    })
}

/// Cut a string to at most `max` characters (TR-181 string sizes count characters).
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datamodel::testing::MemoryConfig;
    use crate::datamodel::{ConfigBackend, InstanceTables, RuntimeValues};
    use crate::platform::Paths;

    fn with_redirects(count: usize) -> MemoryConfig {
        let mut config = MemoryConfig::new();
        for n in 0..count {
            let name = format!("r{n}");
            config.add_section("firewall", "redirect", &name).unwrap();
            config.set("firewall", &name, "name", &name).unwrap();
        }
        config.commit("firewall").unwrap();
        config
    }

    /// Every package an RPC reads, however many parameters and instances it answers.
    fn packages_read_by_gpv_of_everything(config: &mut MemoryConfig) -> Vec<String> {
        let mut engine = engine(SystemInfo::default()).unwrap();
        let paths = Paths::new("/nonexistent");
        let mut runtime = RuntimeValues::default();
        let mut instances = InstanceTables::new();
        let mut ctx = Context {
            paths: &paths,
            now: 0,
            uptime: 0,
            config,
            runtime: &mut runtime,
            instances: &mut instances,
            live: &Default::default(),
        };
        let all = engine.get_parameter_values(&mut ctx, &["Device.".to_string()]);
        assert!(all.unwrap().len() > 40);
        let mut reads = std::mem::take(&mut config.section_reads);
        reads.sort();
        reads
    }

    #[test]
    fn packages_are_read_once_per_area_and_rpc() {
        // network (15): DHCPv4 server, DNS client, NAT, Device.IP., UDPEchoConfig, Ethernet,
        // Bridging, Routing, IP, PPP, DHCPv4 client, DNS relay, Hosts, InterfaceStack and its
        // count on Device.; dhcp: DHCPv4 server, DNS relay; wireless: WiFi, Hosts,
        // InterfaceStack and its count.
        let mut expected = vec![
            "dhcp", "dhcp", "firewall", "firewall", "network", "network", "network", "network",
            "network", "network", "network", "network", "network", "network", "network", "network",
            "network", "network", "network", "system", "wireless", "wireless", "wireless",
            "wireless",
        ];
        if cfg!(feature = "tr181-cellular") {
            expected.insert(4, "network");
        }
        for count in [1, 20] {
            let mut config = with_redirects(count);
            assert_eq!(packages_read_by_gpv_of_everything(&mut config), expected);
        }
    }
}
