use crate::backend::test_router::Router;
use crate::tr181::ethernet::tests::{dsa_board, dsa_live};
use crate::tr181::vlan_termination::tests::archer;

/// `(HigherLayer, LowerLayer)` of every row, by instance number.
fn rows(router: &mut Router) -> Vec<(u32, String, String)> {
    let count: u32 = router
        .value("Device.InterfaceStackNumberOfEntries")
        .parse()
        .unwrap();
    let names = router.gpn("Device.InterfaceStack.", true).unwrap();
    assert_eq!(names.len() as u32, count);
    names
        .iter()
        .map(|(name, writable)| {
            assert!(!writable, "{name}");
            let number: u32 = name
                .trim_start_matches("Device.InterfaceStack.")
                .trim_end_matches('.')
                .parse()
                .unwrap();
            let higher = router.value(&format!("{name}HigherLayer"));
            let lower = router.value(&format!("{name}LowerLayer"));
            (number, higher, lower)
        })
        .collect()
}

fn expected(list: &[(u32, &str, &str)]) -> Vec<(u32, String, String)> {
    list.iter()
        .map(|(n, h, l)| (*n, format!("Device.{h}"), format!("Device.{l}")))
        .collect()
}

#[test]
fn the_stack_of_the_23_05_swconfig_router() {
    let mut router = archer();
    assert_eq!(
        rows(&mut router),
        expected(&[
            (1, "IP.Interface.2", "Ethernet.Link.1"),
            (2, "IP.Interface.3", "Ethernet.VLANTermination.1"),
            (3, "IP.Interface.4", "Ethernet.VLANTermination.1"),
            (4, "Ethernet.VLANTermination.1", "Ethernet.Link.2"),
            (5, "Ethernet.Link.1", "Bridging.Bridge.1.Port.1"),
            (6, "Ethernet.Link.2", "Ethernet.Interface.1"),
            (7, "Bridging.Bridge.1.Port.1", "Bridging.Bridge.1.Port.2"),
            (8, "Bridging.Bridge.1.Port.2", "Ethernet.Interface.1"),
            (9, "WiFi.SSID.1", "WiFi.Radio.1"),
            (10, "WiFi.SSID.2", "WiFi.Radio.2"),
        ])
    );
    // Every row names objects the other areas serve.
    for (_, higher, lower) in rows(&mut router) {
        for path in [higher, lower] {
            assert!(router.gpv(&[&format!("{path}.")]).is_ok(), "{path}");
        }
    }
}

#[test]
fn the_stack_of_the_24_10_dsa_router_with_pppoe() {
    let mut router = Router::new(&[("network", "network-24.10"), ("wireless", "wireless-24.10")])
        .with_system(dsa_board());
    router.live = dsa_live();
    assert_eq!(
        rows(&mut router),
        expected(&[
            (1, "IP.Interface.2", "Ethernet.Link.1"),
            (2, "IP.Interface.3", "PPP.Interface.1"),
            // wan6 names `@wan`: the IPv6 of the same PPP session.
            (3, "IP.Interface.4", "PPP.Interface.1"),
            (4, "PPP.Interface.1", "Ethernet.Link.2"),
            (5, "Ethernet.Link.1", "Bridging.Bridge.1.Port.1"),
            (6, "Ethernet.Link.2", "Ethernet.Interface.4"),
            (7, "Bridging.Bridge.1.Port.1", "Bridging.Bridge.1.Port.2"),
            (8, "Bridging.Bridge.1.Port.1", "Bridging.Bridge.1.Port.3"),
            (9, "Bridging.Bridge.1.Port.1", "Bridging.Bridge.1.Port.4"),
            (10, "Bridging.Bridge.1.Port.2", "Ethernet.Interface.1"),
            (11, "Bridging.Bridge.1.Port.3", "Ethernet.Interface.2"),
            (12, "Bridging.Bridge.1.Port.4", "Ethernet.Interface.3"),
            (13, "WiFi.SSID.1", "WiFi.Radio.1"),
            (14, "WiFi.SSID.2", "WiFi.Radio.2"),
            (15, "WiFi.SSID.3", "WiFi.Radio.1"),
        ])
    );
    assert_eq!(
        router.value("Device.IP.Interface.4.LowerLayers"),
        "Device.PPP.Interface.1"
    );
}

#[test]
fn rows_keep_their_numbers_and_aliases_follow_the_objects() {
    let mut router = archer();
    rows(&mut router);
    router
        .spv(&[
            ("Device.Ethernet.Link.2.Alias", "cpu"),
            ("Device.InterfaceStack.6.Alias", "cpu-port"),
        ])
        .unwrap();
    assert_eq!(
        router.values_below("Device.InterfaceStack.6."),
        [
            ("HigherLayer", "Device.Ethernet.Link.2"),
            ("LowerLayer", "Device.Ethernet.Interface.1"),
            ("HigherAlias", "cpu"),
            ("LowerAlias", "cpe-1"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(router.value("Device.InterfaceStack.6.Alias"), "cpu-port");
    assert_eq!(
        router
            .spv_faults(&[("Device.InterfaceStack.6.HigherLayer", "x")])
            .1,
        [("Device.InterfaceStack.6.HigherLayer".into(), 9008)]
    );
    assert_eq!(router.add("Device.InterfaceStack."), Err(9005));

    // The WAN moves off its VLAN onto the LAN bridge: its rows go, the others keep their
    // numbers, and the new relationship gets a new one.
    let network = router.file("network");
    router.write_file(
        "network",
        &network.replace("option device 'eth0.2'", "option device 'br-lan'"),
    );
    let after = rows(&mut router);
    assert_eq!(
        after,
        expected(&[
            (1, "IP.Interface.2", "Ethernet.Link.1"),
            (5, "Ethernet.Link.1", "Bridging.Bridge.1.Port.1"),
            (7, "Bridging.Bridge.1.Port.1", "Bridging.Bridge.1.Port.2"),
            (8, "Bridging.Bridge.1.Port.2", "Ethernet.Interface.1"),
            (9, "WiFi.SSID.1", "WiFi.Radio.1"),
            (10, "WiFi.SSID.2", "WiFi.Radio.2"),
            (11, "IP.Interface.3", "Ethernet.Link.1"),
            (12, "IP.Interface.4", "Ethernet.Link.1"),
        ])
    );
}
