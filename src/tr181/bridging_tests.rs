use crate::backend::test_router::Router;
use crate::tr181::ethernet::tests::{dsa_board, dsa_live};

fn router() -> Router {
    let mut router = Router::new(&[("network", "network-24.10")]).with_system(dsa_board());
    router.live = dsa_live();
    router
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

#[test]
fn the_bridge_with_its_management_port_and_ports() {
    let mut router = router();
    assert_eq!(router.value("Device.Bridging.BridgeNumberOfEntries"), "1");
    let bridge: Vec<(String, String)> = router
        .values_below("Device.Bridging.Bridge.1.")
        .into_iter()
        .filter(|(name, _)| !name.starts_with("Port."))
        .collect();
    assert_eq!(
        bridge,
        pairs(&[
            ("Enable", "true"),
            ("Status", "Enabled"),
            ("Name", "br-lan"),
            ("AgingTime", "300"),
            ("PortNumberOfEntries", "4"),
        ])
    );
    let port = |router: &mut Router, n: u32| {
        let names = ["Enable", "Status", "Name", "LowerLayers", "ManagementPort"];
        names
            .iter()
            .map(|p| router.value(&format!("Device.Bridging.Bridge.1.Port.{n}.{p}")))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        port(&mut router, 1),
        [
            "true",
            "Up",
            "br-lan",
            "Device.Bridging.Bridge.1.Port.2,Device.Bridging.Bridge.1.Port.3,Device.Bridging.Bridge.1.Port.4",
            "true"
        ]
    );
    assert_eq!(
        port(&mut router, 2),
        ["true", "Up", "lan1", "Device.Ethernet.Interface.1", "false"]
    );
    assert_eq!(
        port(&mut router, 3),
        [
            "true",
            "Down",
            "lan2",
            "Device.Ethernet.Interface.2",
            "false"
        ]
    );
    assert_eq!(
        router.value("Device.Bridging.Bridge.1.Port.2.Stats.BytesReceived"),
        "5000000000"
    );
}

#[test]
fn a_bridge_the_kernel_lacks_is_in_error() {
    let mut router = router();
    router.live.net.links.retain(|link| link.name != "br-lan");
    assert_eq!(router.value("Device.Bridging.Bridge.1.Status"), "Error");
    router.live.net = Default::default();
    assert_eq!(router.value("Device.Bridging.Bridge.1.Status"), "Enabled");
}

#[test]
fn ports_are_moved_and_removed_in_the_ports_list() {
    let mut router = router();
    router
        .spv(&[
            (
                "Device.Bridging.Bridge.1.Port.2.LowerLayers",
                "Device.Ethernet.Interface.5",
            ),
            ("Device.Bridging.Bridge.1.AgingTime", "600"),
        ])
        .unwrap();
    router.delete("Device.Bridging.Bridge.1.Port.3.").unwrap();
    let file = router.file("network");
    assert!(
        file.contains("\toption name 'br-lan'\n\toption type 'bridge'\n\toption ageing_time '600'\n\tlist ports 'eth0'\n\tlist ports 'lan3'\n"),
        "{file}"
    );
    // The moved port keeps its number; the deleted one's is gone.
    assert_eq!(router.value("Device.Bridging.Bridge.1.Port.2.Name"), "eth0");
    assert_eq!(router.value("Device.Bridging.Bridge.1.Port.4.Name"), "lan3");
    assert_eq!(
        router.gpv(&["Device.Bridging.Bridge.1.Port.3.Name"]),
        Err(9005)
    );

    assert_eq!(router.delete("Device.Bridging.Bridge.1.Port.1."), Err(9001));
    assert_eq!(router.add("Device.Bridging.Bridge.1.Port."), Err(9001));
    let faults = router.spv_faults(&[
        ("Device.Bridging.Bridge.1.Port.2.ManagementPort", "true"),
        (
            "Device.Bridging.Bridge.1.Port.2.LowerLayers",
            "Device.Ethernet.Interface.9",
        ),
        ("Device.Bridging.Bridge.1.AgingTime", "5"),
    ]);
    assert_eq!(
        faults.1.iter().map(|(_, code)| *code).collect::<Vec<_>>(),
        [9007, 9007, 9007]
    );
}

#[test]
fn bridges_are_added_and_deleted_as_device_sections() {
    let mut router = router();
    assert_eq!(router.add("Device.Bridging.Bridge."), Ok(2));
    assert!(router.file("network").contains(
        "config device 'cwmpd_bridge_1'\n\toption type 'bridge'\n\toption name 'br-cwmpd1'\n"
    ));
    assert_eq!(router.value("Device.Bridging.Bridge.2.Name"), "br-cwmpd1");
    assert_eq!(
        router.value("Device.Bridging.Bridge.2.PortNumberOfEntries"),
        "1"
    );
    router
        .spv(&[("Device.Bridging.Bridge.2.Enable", "false")])
        .unwrap();
    assert_eq!(router.value("Device.Bridging.Bridge.2.Status"), "Disabled");
    router.delete("Device.Bridging.Bridge.2.").unwrap();
    assert!(!router.file("network").contains("cwmpd_bridge_1"));
    assert_eq!(router.changed_packages, ["network"]);
    assert_eq!(router.value("Device.Bridging.BridgeNumberOfEntries"), "1");
}
