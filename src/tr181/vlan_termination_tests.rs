use super::*;
use crate::backend::test_router::Router;
use crate::datamodel::ConfigValue;
use crate::live::net::LinkStats;
use crate::live::LiveState;
use crate::tr181::ethernet::tests::{dsa_board, dsa_live, link, pairs};
use crate::tr181::SystemInfo;

fn section(name: &str, section_type: &str, options: &[(&str, &str)]) -> ConfigSection {
    ConfigSection {
        name: name.into(),
        anonymous: false,
        section_type: section_type.into(),
        index: 0,
        options: options
            .iter()
            .map(|(k, v)| (k.to_string(), ConfigValue::Single(v.to_string())))
            .collect(),
    }
}

fn vlan(name: &str, parent: &str, vid: u32, tpid: u32, section: Option<&str>) -> Vlan {
    Vlan {
        name: name.into(),
        parent: parent.into(),
        vid,
        tpid,
        section: section.map(str::to_string),
    }
}

#[test]
fn vlans_are_device_sections_then_the_dotted_names_interfaces_use() {
    let network = [
        section("lan", "interface", &[("device", "br-lan.10")]),
        section("wan", "interface", &[("device", "eth0.100.7")]),
        section("iptv", "interface", &[("ifname", "eth1.5 eth1.6")]),
        section("alias", "interface", &[("device", "@wan")]),
        section("odd", "interface", &[("device", "wg0.x")]),
        section("zero", "interface", &[("device", "eth0.0")]),
        section("big", "interface", &[("device", "eth0.4095")]),
        section(
            "svlan",
            "device",
            &[
                ("type", "8021ad"),
                ("name", "sv"),
                ("ifname", "eth2"),
                ("vid", "300"),
            ],
        ),
        section(
            "cvlan",
            "device",
            &[
                ("type", "8021q"),
                ("name", "eth0.100"),
                ("ifname", "eth0"),
                ("vid", "100"),
            ],
        ),
        section(
            "broken",
            "device",
            &[("type", "8021q"), ("name", "b"), ("ifname", "eth0")],
        ),
        section(
            "bridge",
            "device",
            &[("type", "bridge"), ("name", "br-lan")],
        ),
    ];
    assert_eq!(
        vlan_devices(&network),
        [
            vlan("sv", "eth2", 300, TPID_8021AD, Some("svlan")),
            vlan("eth0.100", "eth0", 100, TPID_8021Q, Some("cvlan")),
            vlan("br-lan.10", "br-lan", 10, TPID_8021Q, None),
            vlan("eth0.100.7", "eth0.100", 7, TPID_8021Q, None),
            vlan("eth1.5", "eth1", 5, TPID_8021Q, None),
        ]
    );
    let vlans = vlan_devices(&network);
    assert_eq!(base_device(&vlans, "eth0.100.7"), "eth0");
    assert_eq!(base_device(&vlans, "sv"), "eth2");
    assert_eq!(base_device(&vlans, "br-lan"), "br-lan");
}

/// The 23.05 test router (`tests/fixtures/ubus/README.md`): an Archer C7 v5 with swconfig
/// VLANs `eth0.1` (LAN, in `br-lan`) and `eth0.2` (WAN) on the CPU port `eth0`.
pub(crate) fn archer() -> Router {
    let mut router = Router::new(&[("wireless", "wireless-archer-c7")])
        .with_system(SystemInfo::parse(Some(archer::BOARD_JSON), None));
    router.write_file("network", archer::UCI_NETWORK);
    router.live = archer_live();
    router
}

#[path = "../../tests/support/fixtures.rs"]
#[allow(dead_code)]
mod archer;

fn archer_live() -> LiveState {
    let mut lan = link(3, "eth0.1", "vlan", true);
    lan.lower = Some(2);
    lan.vlan_id = Some(1);
    lan.master = Some(5);
    let mut wan = link(4, "eth0.2", "vlan", true);
    wan.lower = Some(2);
    wan.vlan_id = Some(2);
    wan.stats = LinkStats {
        rx_bytes: 1_288_125_307,
        tx_bytes: 91_032_566,
        rx_packets: 973_301,
        tx_packets: 125_086,
        rx_errors: 1,
        tx_errors: 2,
        rx_dropped: 3,
        tx_dropped: 4,
        multicast: 5,
        collisions: 0,
    };
    let mut live = LiveState::default();
    live.net.available = true;
    live.net.links = vec![
        link(2, "eth0", "", true),
        lan,
        wan,
        link(5, "br-lan", "bridge", true),
    ];
    live
}

#[test]
fn the_wan_vlan_of_a_swconfig_router() {
    let mut router = archer();
    assert_eq!(
        router.value("Device.Ethernet.VLANTerminationNumberOfEntries"),
        "1"
    );
    assert_eq!(
        router.values_below("Device.Ethernet.VLANTermination.1."),
        pairs(&[
            ("Enable", "true"),
            ("Status", "Up"),
            ("Name", "eth0.2"),
            ("LowerLayers", "Device.Ethernet.Link.2"),
            ("VLANID", "2"),
            ("TPID", "33024"),
            ("Stats.BytesSent", "91032566"),
            ("Stats.BytesReceived", "1288125307"),
            ("Stats.PacketsSent", "125086"),
            ("Stats.PacketsReceived", "973301"),
            ("Stats.ErrorsSent", "2"),
            ("Stats.ErrorsReceived", "1"),
            ("Stats.DiscardPacketsSent", "4"),
            ("Stats.DiscardPacketsReceived", "3"),
            ("Stats.MulticastPacketsReceived", "5"),
        ])
    );
    // The link below the VLAN is the CPU port's device, above the Ethernet interface.
    assert_eq!(router.value("Device.Ethernet.Link.2.Name"), "eth0");
    assert_eq!(
        router.value("Device.Ethernet.Link.2.LowerLayers"),
        "Device.Ethernet.Interface.1"
    );
    assert_eq!(router.value("Device.Ethernet.Interface.1.Name"), "eth0");
    // wan and wan6 both sit on the VLAN.
    for n in [3, 4] {
        assert_eq!(
            router.value(&format!("Device.IP.Interface.{n}.LowerLayers")),
            "Device.Ethernet.VLANTermination.1"
        );
    }
    assert_eq!(router.add("Device.Ethernet.VLANTermination."), Err(9001));
    assert_eq!(
        router.delete("Device.Ethernet.VLANTermination.1."),
        Err(9001)
    );
}

#[test]
fn a_dotted_vlan_keeps_its_id_and_tpid_and_takes_enable() {
    let mut router = archer();
    let faults = router.spv_faults(&[
        ("Device.Ethernet.VLANTermination.1.VLANID", "7"),
        ("Device.Ethernet.VLANTermination.1.TPID", "34984"),
        (
            "Device.Ethernet.VLANTermination.1.LowerLayers",
            "Device.Ethernet.Link.1",
        ),
        ("Device.Ethernet.VLANTermination.1.Name", "eth0.7"),
    ]);
    assert_eq!(
        faults,
        (
            9003,
            vec![
                ("Device.Ethernet.VLANTermination.1.VLANID".into(), 9007),
                ("Device.Ethernet.VLANTermination.1.TPID".into(), 9007),
                ("Device.Ethernet.VLANTermination.1.LowerLayers".into(), 9007),
                ("Device.Ethernet.VLANTermination.1.Name".into(), 9008),
            ]
        )
    );
    // The engine checks the range before the area.
    assert_eq!(
        router
            .spv_faults(&[("Device.Ethernet.VLANTermination.1.VLANID", "4095")])
            .1,
        [("Device.Ethernet.VLANTermination.1.VLANID".into(), 9007)]
    );
    let before = router.file("network");
    let status = router.spv(&[
        ("Device.Ethernet.VLANTermination.1.VLANID", "2"),
        ("Device.Ethernet.VLANTermination.1.TPID", "33024"),
        (
            "Device.Ethernet.VLANTermination.1.LowerLayers",
            "Device.Ethernet.Link.2",
        ),
        ("Device.Ethernet.VLANTermination.1.Enable", "false"),
    ]);
    assert_eq!(status, Ok(0));
    assert_eq!(router.changed_packages, ["network"]);
    assert_eq!(
        router.file("network"),
        format!("{before}\nconfig device 'cwmpd_dev_eth0_2'\n\toption name 'eth0.2'\n\toption enabled '0'\n")
    );
    assert_eq!(
        router.value("Device.Ethernet.VLANTermination.1.Enable"),
        "false"
    );
}

const SECTION_VLANS: &str = "
config device 'wan_vlan'
\toption type '8021q'
\toption name 'wan.7'
\toption ifname 'wan'
\toption vid '7'

config device 'svlan'
\toption type '8021ad'
\toption name 'sv'
\toption ifname 'lan1'
\toption vid '300'

config interface 'wan'
\toption device 'wan.7'
\toption proto 'pppoe'

config interface 'iptv'
\toption device 'br-lan.10'
\toption proto 'dhcp'

config device
\toption name 'br-lan'
\toption type 'bridge'
\tlist ports 'lan1'
";

fn dsa_router() -> Router {
    let mut router = Router::new(&[]).with_system(dsa_board());
    router.write_file("network", SECTION_VLANS);
    router.live = dsa_live();
    router
}

#[test]
fn vlan_sections_and_dsa_bridge_vlans() {
    let mut router = dsa_router();
    let names: Vec<String> = (1..=3)
        .map(|n| router.value(&format!("Device.Ethernet.VLANTermination.{n}.Name")))
        .collect();
    assert_eq!(names, ["wan.7", "sv", "br-lan.10"]);
    let values = |router: &mut Router, n: u32| {
        ["LowerLayers", "VLANID", "TPID", "Status"]
            .map(|name| router.value(&format!("Device.Ethernet.VLANTermination.{n}.{name}")))
    };
    // Links: the devices below wan.7 and br-lan.10 (the interfaces' order), then sv's.
    let links: Vec<String> = (1..=3)
        .map(|n| router.value(&format!("Device.Ethernet.Link.{n}.Name")))
        .collect();
    assert_eq!(links, ["wan", "br-lan", "lan1"]);
    assert_eq!(
        values(&mut router, 1),
        ["Device.Ethernet.Link.1", "7", "33024", "NotPresent"]
    );
    assert_eq!(
        values(&mut router, 2),
        ["Device.Ethernet.Link.3", "300", "34984", "NotPresent"]
    );
    assert_eq!(
        values(&mut router, 3),
        ["Device.Ethernet.Link.2", "10", "33024", "NotPresent"]
    );
    assert_eq!(
        router.value("Device.Ethernet.Link.2.LowerLayers"),
        "Device.Bridging.Bridge.1.Port.1"
    );
    // PPPoE over the VLAN; the DHCP interface on the bridge VLAN.
    assert_eq!(
        router.value("Device.PPP.Interface.1.LowerLayers"),
        "Device.Ethernet.VLANTermination.1"
    );
    assert_eq!(
        router.value("Device.IP.Interface.1.LowerLayers"),
        "Device.PPP.Interface.1"
    );
    assert_eq!(
        router.value("Device.IP.Interface.2.LowerLayers"),
        "Device.Ethernet.VLANTermination.3"
    );
}

#[test]
fn a_vlan_section_takes_id_tpid_and_parent() {
    let mut router = dsa_router();
    let status = router.spv(&[
        ("Device.Ethernet.VLANTermination.1.VLANID", "8"),
        ("Device.Ethernet.VLANTermination.2.TPID", "33024"),
        (
            "Device.Ethernet.VLANTermination.2.LowerLayers",
            "Device.Ethernet.Link.1",
        ),
    ]);
    assert_eq!(status, Ok(0));
    let file = router.file("network");
    assert!(
        file.contains("config device 'wan_vlan'\n\toption type '8021q'\n\toption name 'wan.7'\n\toption ifname 'wan'\n\toption vid '8'\n"),
        "{file}"
    );
    assert!(
        file.contains("config device 'svlan'\n\toption type '8021q'\n\toption name 'sv'\n\toption ifname 'wan'\n\toption vid '300'\n"),
        "{file}"
    );
    assert_eq!(
        router.value("Device.Ethernet.VLANTermination.1.VLANID"),
        "8"
    );
    assert_eq!(
        router.value("Device.Ethernet.VLANTermination.2.TPID"),
        "33024"
    );
    let faults = router.spv_faults(&[
        ("Device.Ethernet.VLANTermination.1.TPID", "37120"),
        (
            "Device.Ethernet.VLANTermination.2.LowerLayers",
            "Device.Ethernet.Interface.1",
        ),
    ]);
    assert_eq!(
        faults.1,
        [
            ("Device.Ethernet.VLANTermination.1.TPID".into(), 9007),
            ("Device.Ethernet.VLANTermination.2.LowerLayers".into(), 9007),
        ]
    );
}
