use super::*;
use crate::backend::test_router::Router;
use crate::live::net::{Link, LinkStats};
use crate::live::LiveState;

/// A DSA router as board.json describes it: three LAN ports and a WAN port.
pub(crate) fn dsa_board() -> SystemInfo {
    SystemInfo::parse(
        Some(
            r#"{"network": {"lan": {"ports": ["lan1", "lan2", "lan3"]},
                "wan": {"device": "wan"}}}"#,
        ),
        None,
    )
}

pub(crate) fn link(index: u32, name: &str, kind: &str, up: bool) -> Link {
    Link {
        index,
        name: name.into(),
        kind: kind.into(),
        mac: format!("94:83:c4:01:02:{index:02x}"),
        mtu: 1500,
        admin_up: up,
        oper_state: if up { "up" } else { "down" }.into(),
        ethernet: true,
        ..Link::default()
    }
}

/// The kernel of that router running the stock 24.10 configuration: `eth0` the DSA conduit,
/// `lan1` up at 1 Gbit/s full duplex, `lan2` down, `lan3` absent (unplugged USB adapter),
/// `wan`, `br-lan` and the Wi-Fi `phy0-ap0` in the bridge.
pub(crate) fn dsa_live() -> LiveState {
    let mut lan1 = link(3, "lan1", "dsa", true);
    lan1.master = Some(6);
    lan1.lower = Some(2);
    lan1.speed_mbps = Some(1000);
    lan1.full_duplex = Some(true);
    lan1.stats = LinkStats {
        rx_bytes: 5_000_000_000,
        tx_bytes: 7_000,
        rx_packets: 40_000,
        tx_packets: 30,
        rx_errors: 1,
        tx_errors: 2,
        rx_dropped: 3,
        tx_dropped: 4,
        multicast: 5,
        collisions: 6,
    };
    let mut lan2 = link(4, "lan2", "dsa", false);
    lan2.master = Some(6);
    let mut wan = link(5, "wan", "dsa", true);
    wan.mtu = 1480;
    let mut wifi = link(8, "phy0-ap0", "", true);
    wifi.wireless = true;
    wifi.master = Some(6);
    let mut live = LiveState::default();
    live.net.available = true;
    live.net.links = vec![
        Link {
            index: 1,
            name: "lo".into(),
            admin_up: true,
            oper_state: "unknown".into(),
            ..Link::default()
        },
        link(2, "eth0", "", true),
        lan1,
        lan2,
        wan,
        link(6, "br-lan", "bridge", true),
        link(7, "veth0", "veth", true),
        wifi,
    ];
    live
}

fn router() -> Router {
    let mut router = Router::new(&[("network", "network-24.10")]).with_system(dsa_board());
    router.live = dsa_live();
    router
}

fn values(router: &mut Router, path: &str) -> Vec<(String, String)> {
    router.values_below(path)
}

pub(crate) fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

#[test]
fn board_ports_then_other_physical_ports() {
    let mut router = router();
    let names: Vec<String> = (1..=5)
        .map(|n| router.value(&format!("Device.Ethernet.Interface.{n}.Name")))
        .collect();
    // lan3 is declared by the board though the kernel lacks it; veth0 (virtual), br-lan
    // (bridge) and phy0-ap0 (Wi-Fi) are no Ethernet interfaces.
    assert_eq!(names, ["lan1", "lan2", "lan3", "wan", "eth0"]);
    assert_eq!(
        router.value("Device.Ethernet.InterfaceNumberOfEntries"),
        "5"
    );
    assert_eq!(router.gpv(&["Device.Ethernet.Interface.6.Name"]), Err(9005));
}

#[test]
fn an_interface_shows_the_kernel_state_and_counters() {
    let mut router = router();
    assert_eq!(
        values(&mut router, "Device.Ethernet.Interface.1."),
        pairs(&[
            ("Enable", "true"),
            ("Status", "Up"),
            ("Name", "lan1"),
            ("LowerLayers", ""),
            ("Upstream", "false"),
            ("MACAddress", "94:83:c4:01:02:03"),
            ("MaxBitRate", "-1"),
            ("CurrentBitRate", "1000"),
            ("DuplexMode", "Auto"),
            ("CurrentDuplexMode", "Full"),
            ("Stats.BytesSent", "7000"),
            ("Stats.BytesReceived", "5000000000"),
            ("Stats.PacketsSent", "30"),
            ("Stats.PacketsReceived", "40000"),
            ("Stats.ErrorsSent", "2"),
            ("Stats.ErrorsReceived", "1"),
            ("Stats.DiscardPacketsSent", "4"),
            ("Stats.DiscardPacketsReceived", "3"),
            ("Stats.MulticastPacketsReceived", "5"),
            ("Stats.Collisions", "6"),
        ])
    );
    let status = |router: &mut Router, n: u32| {
        router.value(&format!("Device.Ethernet.Interface.{n}.Status"))
    };
    assert_eq!(status(&mut router, 2), "Down");
    assert_eq!(status(&mut router, 3), "NotPresent");
    assert_eq!(router.value("Device.Ethernet.Interface.4.Upstream"), "true");
    assert_eq!(
        router.value("Device.Ethernet.Interface.2.CurrentBitRate"),
        "0"
    );
    assert_eq!(
        router.value("Device.Ethernet.Interface.2.CurrentDuplexMode"),
        "Unknown"
    );
    router.live.net = Default::default();
    assert_eq!(status(&mut router, 1), "Unknown");
}

#[test]
fn a_32_bit_counter_wraps() {
    let mut router = router();
    router.live.net.links[2].stats.rx_errors = (1 << 32) + 9;
    assert_eq!(
        router.value("Device.Ethernet.Interface.1.Stats.ErrorsReceived"),
        "9"
    );
}

#[test]
fn interface_settings_are_netifd_device_options() {
    let mut router = router();
    let status = router.spv(&[
        ("Device.Ethernet.Interface.2.Enable", "false"),
        ("Device.Ethernet.Interface.2.MaxBitRate", "100"),
        ("Device.Ethernet.Interface.2.DuplexMode", "Full"),
        ("Device.Ethernet.Interface.4.Enable", "false"),
    ]);
    assert_eq!(status, Ok(0));
    assert_eq!(router.changed_packages, ["network"]);
    let file = router.file("network");
    assert!(
        file.contains(
            "config device 'cwmpd_dev_lan2'\n\toption name 'lan2'\n\toption enabled '0'\n\toption speed '100'\n\toption duplex '1'\n"
        ),
        "{file}"
    );
    // The existing section of `wan` is used.
    assert!(
        file.contains("config device\n\toption name 'wan'\n\toption macaddr '94:83:c4:01:02:03'\n\toption enabled '0'\n"),
        "{file}"
    );
    assert_eq!(
        values(&mut router, "Device.Ethernet.Interface.2.")[..1],
        pairs(&[("Enable", "false")])[..]
    );
    assert_eq!(
        router.value("Device.Ethernet.Interface.2.MaxBitRate"),
        "100"
    );
    assert_eq!(
        router.value("Device.Ethernet.Interface.2.DuplexMode"),
        "Full"
    );

    router
        .spv(&[
            ("Device.Ethernet.Interface.2.Enable", "true"),
            ("Device.Ethernet.Interface.2.MaxBitRate", "-1"),
            ("Device.Ethernet.Interface.2.DuplexMode", "Auto"),
        ])
        .unwrap();
    assert!(router
        .file("network")
        .contains("config device 'cwmpd_dev_lan2'\n\toption name 'lan2'\n\n"));
}

#[test]
fn interface_writes_that_cannot_be_honoured_are_refused() {
    let mut router = router();
    let faults = router.spv_faults(&[
        (
            "Device.Ethernet.Interface.1.LowerLayers",
            "Device.Ethernet.Interface.2",
        ),
        ("Device.Ethernet.Interface.1.MaxBitRate", "0"),
        ("Device.Ethernet.Interface.1.Name", "x"),
    ]);
    assert_eq!(
        faults,
        (
            9003,
            vec![
                ("Device.Ethernet.Interface.1.LowerLayers".into(), 9007),
                ("Device.Ethernet.Interface.1.MaxBitRate".into(), 9007),
                ("Device.Ethernet.Interface.1.Name".into(), 9008),
            ]
        )
    );
    assert_eq!(
        router.spv(&[("Device.Ethernet.Interface.1.LowerLayers", "")]),
        Ok(0)
    );
}

#[test]
fn links_are_the_devices_of_ip_interfaces() {
    let mut router = router();
    router.live.net.links[5].stats.tx_packets = 77;
    assert_eq!(router.value("Device.Ethernet.LinkNumberOfEntries"), "2");
    assert_eq!(
        values(&mut router, "Device.Ethernet.Link.1."),
        pairs(&[
            ("Enable", "true"),
            ("Status", "Up"),
            ("Name", "br-lan"),
            ("LowerLayers", "Device.Bridging.Bridge.1.Port.1"),
            ("MTU", "1500"),
            ("MACAddress", "94:83:c4:01:02:06"),
            ("Stats.BytesSent", "0"),
            ("Stats.BytesReceived", "0"),
            ("Stats.PacketsSent", "77"),
            ("Stats.PacketsReceived", "0"),
            ("Stats.ErrorsSent", "0"),
            ("Stats.ErrorsReceived", "0"),
            ("Stats.DiscardPacketsSent", "0"),
            ("Stats.DiscardPacketsReceived", "0"),
            ("Stats.MulticastPacketsReceived", "0"),
        ])
    );
    // `wan6` names `@wan`: the same device, one link.
    assert_eq!(router.value("Device.Ethernet.Link.2.Name"), "wan");
    assert_eq!(
        router.value("Device.Ethernet.Link.2.LowerLayers"),
        "Device.Ethernet.Interface.4"
    );
    assert_eq!(router.value("Device.Ethernet.Link.2.MTU"), "1480");
    assert_eq!(router.add("Device.Ethernet.Link."), Err(9001));
}

#[test]
fn a_vlan_sits_on_the_link_of_its_parent_port() {
    let network = "config interface 'wan'\n\toption device 'eth0.2'\n\toption proto 'dhcp'\n";
    let mut router = Router::new(&[]).with_system(SystemInfo::parse(
        Some(r#"{"network": {"wan": {"device": "eth0.2"}}}"#),
        None,
    ));
    router.write_file("network", network);
    router.live = dsa_live();
    assert_eq!(router.value("Device.Ethernet.Interface.1.Name"), "eth0");
    assert_eq!(router.value("Device.Ethernet.LinkNumberOfEntries"), "1");
    assert_eq!(router.value("Device.Ethernet.Link.1.Name"), "eth0");
    assert_eq!(
        router.value("Device.Ethernet.Link.1.LowerLayers"),
        "Device.Ethernet.Interface.1"
    );
    assert_eq!(router.value("Device.Ethernet.Link.1.Status"), "Up");
    assert_eq!(
        router.value("Device.Ethernet.VLANTermination.1.Name"),
        "eth0.2"
    );
    assert_eq!(
        router.value("Device.Ethernet.VLANTermination.1.LowerLayers"),
        "Device.Ethernet.Link.1"
    );
    assert_eq!(
        router.value("Device.Ethernet.VLANTermination.1.Status"),
        "NotPresent"
    );
}

#[test]
fn link_settings_are_netifd_device_options() {
    let mut router = router();
    router
        .spv(&[
            ("Device.Ethernet.Link.1.MTU", "1400"),
            ("Device.Ethernet.Link.1.MACAddress", "02:AA:BB:CC:DD:EE"),
            (
                "Device.Ethernet.Link.1.LowerLayers",
                "Device.Bridging.Bridge.1.Port.1",
            ),
        ])
        .unwrap();
    let file = router.file("network");
    assert!(
        file.contains("\toption name 'br-lan'\n\toption type 'bridge'\n\tlist ports 'lan1'\n\tlist ports 'lan2'\n\tlist ports 'lan3'\n\toption mtu '1400'\n\toption macaddr '02:aa:bb:cc:dd:ee'\n"),
        "{file}"
    );
    let faults = router.spv_faults(&[
        ("Device.Ethernet.Link.1.MTU", "20"),
        ("Device.Ethernet.Link.1.MACAddress", "01:00:5e:00:00:01"),
        (
            "Device.Ethernet.Link.1.LowerLayers",
            "Device.Ethernet.Interface.1",
        ),
    ]);
    assert_eq!(
        faults.1.iter().map(|(_, code)| *code).collect::<Vec<_>>(),
        [9007, 9007, 9007]
    );
}

#[test]
fn link_numbers_survive_a_restart_and_the_ip_area_gets_the_same_paths() {
    let mut router = router();
    assert_eq!(router.value("Device.Ethernet.Link.2.Name"), "wan");
    let mut router = router.restart();
    router.live = dsa_live();
    assert_eq!(router.value("Device.Ethernet.Link.2.Name"), "wan");

    let network = vec![
        interface_section("loopback", "lo"),
        interface_section("lan", "br-lan"),
        interface_section("wan", "wan"),
        interface_section("wan6", "@wan"),
    ];
    let paths = crate::platform::Paths::new("/nonexistent");
    let mut config = crate::datamodel::testing::MemoryConfig::new();
    let mut runtime = crate::datamodel::RuntimeValues::default();
    let mut instances = crate::datamodel::InstanceTables::new();
    let live = LiveState::default();
    let mut ctx = Context {
        paths: &paths,
        now: 0,
        uptime: 0,
        config: &mut config,
        runtime: &mut runtime,
        instances: &mut instances,
        live: &live,
    };
    let layers = EthernetLayers::load(&mut ctx, &network);
    assert_eq!(layers.path("wan"), "Device.Ethernet.Link.2");
    assert_eq!(layers.path("br-lan"), "Device.Ethernet.Link.1");
    assert_eq!(layers.path("lo"), "");
    assert_eq!(layers.path("@wan"), "");
}

fn interface_section(name: &str, device: &str) -> ConfigSection {
    ConfigSection {
        name: name.into(),
        anonymous: false,
        section_type: "interface".into(),
        index: 0,
        options: vec![(
            "device".into(),
            crate::datamodel::ConfigValue::Single(device.into()),
        )],
    }
}
