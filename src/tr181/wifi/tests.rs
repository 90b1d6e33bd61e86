use crate::backend::test_router::{fixture, Router, NOW};
use crate::live::net::{Link, LinkStats};
use crate::live::services::wireless::test_router_state;

fn router() -> Router {
    let mut router = Router::new(&[("wireless", "wireless-archer-c7")]);
    router.live.services.available = true;
    router.live.services.wireless = test_router_state(NOW);
    router
}

fn below(router: &mut Router, path: &str) -> Vec<(String, String)> {
    router.values_below(path)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn radios_from_uci_netifd_and_iwinfo() {
    let mut router = router();
    let values: Vec<(String, String)> = below(&mut router, "Device.WiFi.Radio.1.")
        .into_iter()
        .filter(|(name, _)| !name.starts_with("Stats."))
        .collect();
    let channels = "36,40,44,48,52,56,60,64,100,104,108,112,116,120,124,128,132,136,140";
    assert_eq!(
        values,
        pairs(&[
            ("Enable", "true"),
            ("Status", "Up"),
            ("Name", "radio0"),
            ("SupportedFrequencyBands", "5GHz"),
            ("OperatingFrequencyBand", "5GHz"),
            ("SupportedStandards", "a,n,ac"),
            ("OperatingStandards", "a,n,ac"),
            ("PossibleChannels", channels),
            ("Channel", "36"),
            ("AutoChannelSupported", "true"),
            ("AutoChannelEnable", "false"),
            ("TransmitPowerSupported", "-1,12,25,50,100"),
            ("TransmitPower", "-1"),
        ])
    );
    // Auto channel: the channel hostapd picked.
    assert_eq!(router.value("Device.WiFi.Radio.2.Channel"), "1");
    assert_eq!(
        router.value("Device.WiFi.Radio.2.AutoChannelEnable"),
        "true"
    );
    assert_eq!(
        router.value("Device.WiFi.Radio.2.OperatingStandards"),
        "b,g,n"
    );
    assert_eq!(router.value("Device.WiFi.Radio.2.Stats.Noise"), "-91");
}

#[test]
fn ssids_and_their_counters() {
    let mut router = router();
    let stats = LinkStats {
        tx_bytes: 88_300_000,
        rx_bytes: 10_500_000,
        tx_packets: 71_600,
        rx_packets: 50_300,
        tx_errors: 2,
        rx_errors: 1,
        tx_dropped: 5,
        rx_dropped: (1 << 32) + 7,
        multicast: 90,
        collisions: 0,
    };
    router.live.net.available = true;
    router.live.net.links = vec![Link {
        index: 9,
        name: "wlan0".into(),
        mac: "c0:06:c3:5a:1e:92".into(),
        oper_state: "up".into(),
        stats,
        ..Link::default()
    }];
    assert_eq!(
        below(&mut router, "Device.WiFi.SSID.1."),
        pairs(&[
            ("Enable", "true"),
            ("Status", "Up"),
            ("Name", "wlan0"),
            ("LowerLayers", "Device.WiFi.Radio.1"),
            ("Upstream", "false"),
            ("BSSID", "c0:06:c3:5a:1e:92"),
            ("MACAddress", "c0:06:c3:5a:1e:92"),
            ("SSID", "OpenWrt"),
            ("Stats.BytesSent", "88300000"),
            ("Stats.BytesReceived", "10500000"),
            ("Stats.PacketsSent", "71600"),
            ("Stats.PacketsReceived", "50300"),
            ("Stats.ErrorsSent", "2"),
            ("Stats.ErrorsReceived", "1"),
            ("Stats.DiscardPacketsSent", "5"),
            ("Stats.DiscardPacketsReceived", "7"),
            ("Stats.MulticastPacketsReceived", "90"),
        ])
    );
    // The radio sums its interfaces; wlan1 has no link in this snapshot.
    assert_eq!(
        router.value("Device.WiFi.Radio.1.Stats.BytesSent"),
        "88300000"
    );
    assert_eq!(router.value("Device.WiFi.Radio.2.Stats.BytesSent"), "0");
    assert_eq!(router.value("Device.WiFi.SSID.2.Status"), "Up");
}

#[test]
fn the_access_point_and_its_station() {
    let mut router = router();
    assert_eq!(
        below(&mut router, "Device.WiFi.AccessPoint.1."),
        pairs(&[
            ("Enable", "true"),
            ("Status", "Enabled"),
            ("SSIDReference", "Device.WiFi.SSID.1"),
            ("SSIDAdvertisementEnabled", "true"),
            ("IsolationEnable", "false"),
            ("AssociatedDeviceNumberOfEntries", "1"),
            (
                "Security.ModesSupported",
                "None,WPA-Personal,WPA2-Personal,WPA-WPA2-Personal,WPA3-Personal,\
                 WPA3-Personal-Transition,OWE,WPA-Enterprise,WPA2-Enterprise,WPA3-Enterprise,\
                 WPA-WPA2-Enterprise"
            ),
            ("Security.ModeEnabled", "WPA2-Personal"),
            ("Security.KeyPassphrase", ""),
            ("AssociatedDevice.1.MACAddress", "3c:22:fb:7a:10:05"),
            ("AssociatedDevice.1.OperatingStandard", "ac"),
            ("AssociatedDevice.1.AuthenticationState", "true"),
            ("AssociatedDevice.1.LastDataDownlinkRate", "866700"),
            ("AssociatedDevice.1.LastDataUplinkRate", "780000"),
            ("AssociatedDevice.1.AssociationTime", "2026-11-24T16:41:29Z"),
            ("AssociatedDevice.1.SignalStrength", "-48"),
            ("AssociatedDevice.1.Noise", "-95"),
            ("AssociatedDevice.1.SNR", "47"),
            ("AssociatedDevice.1.Active", "true"),
            ("AssociatedDevice.1.Stats.BytesSent", "88231002"),
            ("AssociatedDevice.1.Stats.BytesReceived", "10452331"),
            ("AssociatedDevice.1.Stats.PacketsSent", "71533"),
            ("AssociatedDevice.1.Stats.PacketsReceived", "50211"),
            ("AssociatedDevice.1.Stats.RetransCount", "211"),
            ("AssociatedDevice.1.Stats.FailedRetransCount", "3"),
        ])
    );
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.2.AssociatedDeviceNumberOfEntries"),
        "0"
    );
}

#[test]
fn stations_keep_their_numbers_by_mac() {
    let mut router = router();
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.1.AssociatedDevice.1.MACAddress"),
        "3c:22:fb:7a:10:05"
    );
    let laptop = router.live.services.wireless.radios[0].interfaces[0].stations[0].clone();
    let mut phone = laptop.clone();
    phone.mac = "02:11:22:33:44:55".into();
    let stations = &mut router.live.services.wireless.radios[0].interfaces[0].stations;
    stations.insert(0, phone);
    let names = router
        .gpn("Device.WiFi.AccessPoint.1.AssociatedDevice.", true)
        .unwrap();
    assert_eq!(
        names,
        [
            (
                "Device.WiFi.AccessPoint.1.AssociatedDevice.1.".to_string(),
                false
            ),
            (
                "Device.WiFi.AccessPoint.1.AssociatedDevice.2.".to_string(),
                false
            ),
        ]
    );
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.1.AssociatedDevice.2.MACAddress"),
        "02:11:22:33:44:55"
    );
}

#[test]
fn without_ubus_uci_alone_answers() {
    let mut router = Router::new(&[("wireless", "wireless-archer-c7")]);
    assert_eq!(router.value("Device.WiFi.Radio.1.Status"), "Unknown");
    assert_eq!(router.value("Device.WiFi.Radio.1.Channel"), "36");
    assert_eq!(
        router.value("Device.WiFi.Radio.1.OperatingStandards"),
        "a,n,ac"
    );
    assert_eq!(router.value("Device.WiFi.Radio.1.SupportedStandards"), "");
    assert_eq!(router.value("Device.WiFi.SSID.1.Status"), "Unknown");
    assert_eq!(router.value("Device.WiFi.SSID.1.Name"), "wlan0");
    assert_eq!(router.value("Device.WiFi.SSID.1.BSSID"), "");
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries"),
        "0"
    );
}

#[test]
fn the_stock_24_10_configuration() {
    let mut router = Router::new(&[("wireless", "wireless-24.10")]);
    assert_eq!(router.value("Device.WiFi.SSIDNumberOfEntries"), "3");
    assert_eq!(router.value("Device.WiFi.AccessPointNumberOfEntries"), "3");
    assert_eq!(router.value("Device.WiFi.SSID.1.SSID"), "Home & \"Garden\"");
    assert_eq!(
        router.value("Device.WiFi.SSID.3.LowerLayers"),
        "Device.WiFi.Radio.1"
    );
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.1.Security.ModeEnabled"),
        "WPA3-Personal-Transition"
    );
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.3.Security.ModeEnabled"),
        "WPA2-Personal"
    );
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.3.IsolationEnable"),
        "true"
    );
    assert_eq!(
        router.value("Device.WiFi.Radio.2.AutoChannelEnable"),
        "true"
    );
    assert_eq!(
        router.value("Device.WiFi.Radio.2.OperatingStandards"),
        "a,n,ac,ax"
    );
    // `auto` on a radio that is not running: the first channel of its band (5 GHz).
    assert_eq!(router.value("Device.WiFi.Radio.2.Channel"), "36");
}

#[test]
fn ssid_and_passphrase_land_in_uci() {
    let mut router = router();
    router
        .spv(&[
            ("Device.WiFi.SSID.1.SSID", "Büro 5G"),
            (
                "Device.WiFi.AccessPoint.1.Security.KeyPassphrase",
                "new 's3cret' pass",
            ),
        ])
        .unwrap();
    let expected = fixture("wireless-archer-c7")
        .replacen("option ssid 'OpenWrt'", "option ssid 'Büro 5G'", 1)
        .replacen(
            "option key 'correct horse battery'",
            "option key 'new '\\''s3cret'\\'' pass'",
            1,
        );
    assert_eq!(router.file("wireless"), expected);
    assert_eq!(router.changed_packages, ["wireless"]);
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.1.Security.KeyPassphrase"),
        ""
    );
}

#[test]
fn radio_writes() {
    let mut router = router();
    router
        .spv(&[
            ("Device.WiFi.Radio.1.Channel", "44"),
            ("Device.WiFi.Radio.1.TransmitPower", "50"),
            ("Device.WiFi.Radio.1.OperatingStandards", "a,n"),
            ("Device.WiFi.Radio.2.AutoChannelEnable", "false"),
            ("Device.WiFi.Radio.2.Enable", "false"),
        ])
        .unwrap();
    let text = router.file("wireless");
    let radio0 = text.split("config wifi-iface").next().unwrap();
    assert!(radio0.contains("\toption channel '44'\n"), "{radio0}");
    assert!(radio0.contains("\toption htmode 'HT40'\n"), "{radio0}");
    assert!(radio0.contains("\toption txpower '20'\n"), "{radio0}");
    let radio1 = text.split("config wifi-device 'radio1'").nth(1).unwrap();
    // Auto off keeps the channel hostapd picked.
    assert!(radio1.contains("\toption channel '1'\n"), "{radio1}");
    assert!(radio1.contains("\toption disabled '1'\n"), "{radio1}");
    assert_eq!(router.value("Device.WiFi.Radio.1.TransmitPower"), "50");
    assert_eq!(router.value("Device.WiFi.Radio.2.Status"), "Down");
    assert_eq!(router.value("Device.WiFi.SSID.2.Status"), "Down");
    assert_eq!(router.value("Device.WiFi.AccessPoint.2.Status"), "Disabled");
    router
        .spv(&[
            ("Device.WiFi.Radio.1.AutoChannelEnable", "true"),
            ("Device.WiFi.Radio.1.Channel", "48"),
            ("Device.WiFi.Radio.1.TransmitPower", "-1"),
            ("Device.WiFi.Radio.2.Enable", "true"),
        ])
        .unwrap();
    let text = router.file("wireless");
    assert!(
        text.contains("\toption channel 'auto'\n\toption band '5g'"),
        "{text}"
    );
    assert!(
        !text.contains("txpower") && !text.contains("disabled"),
        "{text}"
    );
}

#[test]
fn invalid_radio_writes_are_refused() {
    let mut router = router();
    let (code, faults) = router.spv_faults(&[
        ("Device.WiFi.Radio.1.Channel", "1"),
        ("Device.WiFi.Radio.1.TransmitPower", "75"),
        ("Device.WiFi.Radio.1.OperatingFrequencyBand", "2.4GHz"),
        ("Device.WiFi.Radio.2.OperatingStandards", "n,ac"),
    ]);
    assert_eq!(code, 9003);
    assert_eq!(
        faults,
        [
            ("Device.WiFi.Radio.1.Channel".to_string(), 9007),
            ("Device.WiFi.Radio.1.TransmitPower".to_string(), 9007),
            (
                "Device.WiFi.Radio.1.OperatingFrequencyBand".to_string(),
                9007
            ),
            ("Device.WiFi.Radio.2.OperatingStandards".to_string(), 9007),
        ]
    );
    assert_eq!(router.file("wireless"), fixture("wireless-archer-c7"));
}

#[test]
fn security_modes() {
    let mut router = router();
    router
        .spv(&[
            (
                "Device.WiFi.AccessPoint.1.Security.ModeEnabled",
                "WPA3-Personal-Transition",
            ),
            (
                "Device.WiFi.AccessPoint.2.SSIDAdvertisementEnabled",
                "false",
            ),
            ("Device.WiFi.AccessPoint.2.IsolationEnable", "true"),
        ])
        .unwrap();
    let text = router.file("wireless");
    assert!(text.contains("\toption encryption 'sae-mixed'\n"), "{text}");
    assert!(
        text.contains("\toption hidden '1'\n\toption isolate '1'\n"),
        "{text}"
    );
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.1.Security.ModeEnabled"),
        "WPA3-Personal-Transition"
    );
    // A Personal mode needs a key; Enterprise a RADIUS server.
    let mut open = Router::new(&[("wireless", "wireless-23.05")]);
    let (_, faults) = open.spv_faults(&[(
        "Device.WiFi.AccessPoint.1.Security.ModeEnabled",
        "WPA2-Personal",
    )]);
    assert_eq!(
        faults,
        [(
            "Device.WiFi.AccessPoint.1.Security.ModeEnabled".to_string(),
            9007
        )]
    );
    let (_, faults) = router.spv_faults(&[(
        "Device.WiFi.AccessPoint.1.Security.ModeEnabled",
        "WPA2-Enterprise",
    )]);
    assert_eq!(faults.len(), 1);
    open.spv(&[
        (
            "Device.WiFi.AccessPoint.1.Security.ModeEnabled",
            "WPA2-Personal",
        ),
        (
            "Device.WiFi.AccessPoint.1.Security.KeyPassphrase",
            "longenough",
        ),
    ])
    .unwrap();
    let text = open.file("wireless");
    assert!(
        text.contains("\toption encryption 'psk2'\n\toption key 'longenough'\n"),
        "{text}"
    );
    assert_eq!(
        router
            .spv_faults(&[(
                "Device.WiFi.AccessPoint.1.SSIDReference",
                "Device.WiFi.SSID.2"
            )])
            .1,
        [("Device.WiFi.AccessPoint.1.SSIDReference".to_string(), 9007)]
    );
    assert_eq!(
        router
            .spv_faults(&[("Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "short")])
            .1,
        [(
            "Device.WiFi.AccessPoint.1.Security.KeyPassphrase".to_string(),
            9007
        )]
    );
}

#[test]
fn ssids_are_added_and_deleted() {
    let mut router = router();
    assert_eq!(router.add("Device.WiFi.SSID."), Ok(3));
    let added = format!(
        "{}\nconfig wifi-iface 'cwmpd_wifi_1'\n\toption device 'radio0'\n\toption mode 'ap'\n\
         \toption ssid 'OpenWrt'\n\toption encryption 'none'\n\toption disabled '1'\n\
         \toption network 'lan'\n",
        fixture("wireless-archer-c7")
    );
    assert_eq!(router.file("wireless"), added);
    assert_eq!(
        router.value("Device.WiFi.AccessPoint.3.SSIDReference"),
        "Device.WiFi.SSID.3"
    );
    assert_eq!(router.value("Device.WiFi.SSID.3.Status"), "Down");
    router
        .spv(&[
            ("Device.WiFi.SSID.3.LowerLayers", "Device.WiFi.Radio.2"),
            ("Device.WiFi.SSID.3.SSID", "Guest"),
        ])
        .unwrap();
    assert_eq!(
        router.value("Device.WiFi.SSID.3.LowerLayers"),
        "Device.WiFi.Radio.2"
    );
    router.delete("Device.WiFi.AccessPoint.3.").unwrap();
    assert_eq!(router.file("wireless"), fixture("wireless-archer-c7"));
    assert_eq!(router.value("Device.WiFi.SSIDNumberOfEntries"), "2");
    assert_eq!(router.add("Device.WiFi.AccessPoint."), Ok(4));
    assert_eq!(router.value("Device.WiFi.SSIDNumberOfEntries"), "3");
    assert_eq!(
        router.gpn("Device.WiFi.SSID.4.", true).map(|n| n.len()),
        Ok(10)
    );
}

#[test]
fn an_auto_channel_radio_that_is_not_running_reports_a_channel_it_may_use() {
    let mut router = router();
    // radio1 (2.4 GHz, `channel 'auto'`) is being set up: no channel chosen yet, the
    // regulatory domain's channels known.
    let radio = &mut router.live.services.wireless.radios[1];
    assert_eq!(radio.name, "radio1");
    radio.up = false;
    radio.channels = vec![11, 12, 13];
    for iface in &mut radio.interfaces {
        iface.info = None;
    }
    assert_eq!(router.value("Device.WiFi.Radio.2.Channel"), "11");
    assert_eq!(
        router.value("Device.WiFi.Radio.2.AutoChannelEnable"),
        "true"
    );
    // Nothing from iwinfo at all: the band's first channel.
    router.live.services.wireless.radios[1].channels.clear();
    assert_eq!(router.value("Device.WiFi.Radio.2.Channel"), "1");
    // A fixed channel is reported as configured whether or not the radio runs.
    router.live.services.wireless.radios[0].interfaces[0].info = None;
    assert_eq!(router.value("Device.WiFi.Radio.1.Channel"), "36");
}

#[test]
fn writing_back_the_channel_auto_selection_chose_keeps_it_automatic() {
    let mut router = router();
    let before = router.file("wireless");
    assert_eq!(router.value("Device.WiFi.Radio.2.Channel"), "1");
    assert_eq!(router.spv(&[("Device.WiFi.Radio.2.Channel", "1")]), Ok(0));
    assert_eq!(router.file("wireless"), before);
    assert!(router.changed_packages.is_empty());
    // Another channel, or the same one with auto selection turned off, is pinned.
    router
        .spv(&[
            ("Device.WiFi.Radio.2.Channel", "1"),
            ("Device.WiFi.Radio.2.AutoChannelEnable", "false"),
        ])
        .unwrap();
    assert_eq!(
        router.value("Device.WiFi.Radio.2.AutoChannelEnable"),
        "false"
    );
    router.spv(&[("Device.WiFi.Radio.2.Channel", "6")]).unwrap();
    assert_eq!(router.value("Device.WiFi.Radio.2.Channel"), "1");
    assert!(router.file("wireless").contains("\toption channel '6'\n"));
}
