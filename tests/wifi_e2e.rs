//! End to end through the real binary on the test router (an Archer C7 with OpenWrt 23.05,
//! `tests/fixtures/ubus/`): Wi-Fi and Hosts values reach the ACS, writes land in
//! `/etc/config/wireless` and reload it after the session, a full GetParameterValues costs one
//! call per source, and a hostapd station event fires an active notification at once.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;
use support::ubusd::CALLS_PER_SNAPSHOT;
use support::*;

const WAIT: Duration = Duration::from_secs(30);
const SOCKET: &str = "/var/run/ubus/ubus.sock";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port()
}

fn wireless() -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/uci/wireless-archer-c7");
    std::fs::read_to_string(path).unwrap()
}

/// The agent on the test router, its ACS scripted with `acs`; returns once the boot session
/// is over and the agent follows hostapd (so its ubus connection for reading is up).
fn start(sessions: Vec<Vec<AcsRpc>>) -> (TestAcs, CpeProcess, TestUbusd) {
    let config = sessions
        .into_iter()
        .fold(AcsConfig::new().session(vec![]), AcsConfig::session);
    let acs = TestAcs::start(config);
    let mut cpe = CpeProcess::new(&format!(
        "config acs 'acs'\n\toption url '{}'\n\toption periodic_enable '0'\n\n\
         config cpe 'cpe'\n\toption interface 'lo'\n\toption cr_port '{}'\n",
        acs.url(),
        free_port()
    ));
    cpe.write_file("/etc/config/wireless", &wireless());
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    let ubusd = TestUbusd::start_at(&cpe.path(SOCKET));
    cpe.spawn();
    acs.wait_session(1, WAIT).unwrap();
    wait_until("the agent follows hostapd", || {
        ubusd.subscribers("hostapd.wlan0") == 1 && ubusd.subscribers("hostapd.wlan1") == 1
    });
    (acs, cpe, ubusd)
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn inform(cpe: &CpeProcess) {
    let out = cpe.cli(&["inform", "6 CONNECTION REQUEST"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn wifi_and_hosts_reach_the_acs_and_writes_land_in_uci() {
    let ssid = "Device.WiFi.SSID.1.SSID";
    let key = "Device.WiFi.AccessPoint.1.Security.KeyPassphrase";
    let (acs, cpe, _ubusd) = start(vec![vec![
        AcsRpc::gpv(&["Device.WiFi.", "Device.Hosts."]),
        AcsRpc::spv(
            &[
                (ssid, "Büro 5G", "xsd:string"),
                (key, "it's a new passphrase", "xsd:string"),
            ],
            "wifi-1",
        ),
    ]]);
    inform(&cpe);
    let session = acs.wait_session(2, WAIT).unwrap();
    let values = session.response(0);
    let station = "Device.WiFi.AccessPoint.1.AssociatedDevice.1.";
    for (name, expected) in [
        ("Device.WiFi.SSID.1.SSID", "OpenWrt"),
        ("Device.WiFi.SSID.1.BSSID", "c0:06:c3:5a:1e:92"),
        ("Device.WiFi.SSID.2.BSSID", "c0:06:c3:5a:1e:93"),
        ("Device.WiFi.Radio.1.Channel", "36"),
        ("Device.WiFi.Radio.2.Channel", "1"),
        ("Device.WiFi.Radio.1.Status", "Up"),
        (
            "Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries",
            "1",
        ),
        (&format!("{station}MACAddress"), "3c:22:fb:7a:10:05"),
        (&format!("{station}LastDataDownlinkRate"), "866700"),
        (&format!("{station}LastDataUplinkRate"), "780000"),
        (&format!("{station}SignalStrength"), "-48"),
        ("Device.WiFi.AccessPoint.1.Security.KeyPassphrase", ""),
        ("Device.Hosts.HostNumberOfEntries", "2"),
        ("Device.Hosts.Host.1.PhysAddress", "3c:22:fb:7a:10:05"),
        ("Device.Hosts.Host.1.HostName", "laptop"),
        ("Device.Hosts.Host.1.IPAddress", "192.168.1.170"),
        ("Device.Hosts.Host.1.Layer1Interface", "Device.WiFi.SSID.1"),
        (
            "Device.Hosts.Host.1.AssociatedDevice",
            "Device.WiFi.AccessPoint.1.AssociatedDevice.1",
        ),
        ("Device.Hosts.Host.1.Active", "true"),
        ("Device.Hosts.Host.2.PhysAddress", "b8:27:eb:41:7c:2d"),
    ] {
        assert_eq!(values.value_of(name).as_deref(), Some(expected), "{name}");
    }
    assert_eq!(session.response(1).status(), Some(0));
    let reload = cpe.wait_for_action("reload_config", WAIT).unwrap();
    assert_eq!(reload["packages"], json!(["wireless"]));
    let expected = wireless()
        .replacen("option ssid 'OpenWrt'", "option ssid 'Büro 5G'", 1)
        .replacen(
            "option key 'correct horse battery'",
            "option key 'it'\\''s a new passphrase'",
            1,
        );
    assert_eq!(cpe.read_file("/etc/config/wireless").unwrap(), expected);
    acs.assert_no_violations();
    assert!(acs.validate_cpe_bodies().expect("schema-valid envelopes") > 0);
}

#[test]
fn a_full_get_parameter_values_reads_each_source_once() {
    let (_acs, cpe, ubusd) = start(vec![]);
    // Older than what a local get accepts: the get gathers one snapshot.
    std::thread::sleep(Duration::from_millis(2500));
    ubusd.reset_counts();
    let out = cpe.cli(&["get", "Device."]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() > 200, "{}", text.lines().count());
    assert!(text
        .contains("Device.WiFi.AccessPoint.1.AssociatedDevice.1.MACAddress = 3c:22:fb:7a:10:05\n"));
    for (object, method, count) in CALLS_PER_SNAPSHOT {
        assert_eq!(ubusd.calls(object, method), *count, "{object} {method}");
    }
    let per_snapshot: usize = CALLS_PER_SNAPSHOT.iter().map(|(_, _, n)| n).sum();
    // The command line's own call of the `cwmpd` object, and the daemon's snapshot.
    assert_eq!(ubusd.calls("cwmpd", "get"), 1);
    assert_eq!(ubusd.total_calls(), 1 + per_snapshot);
}

#[test]
fn a_station_leaving_fires_an_active_notification() {
    let count = "Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries";
    let (acs, cpe, ubusd) = start(vec![vec![
        AcsRpc::spa_notification(count, 2),
        AcsRpc::gpv(&[count]),
    ]]);
    inform(&cpe);
    let session = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(session.response(1).value_of(count).as_deref(), Some("1"));
    // The laptop leaves: hostapd and iwinfo forget it, hostapd says so.
    ubusd.set_reply(
        "hostapd.wlan0",
        "get_clients",
        json!({"freq": 5180, "clients": {}}),
    );
    ubusd.set_reply("iwinfo", "assoclist.wlan0", json!({"results": []}));
    let left = Instant::now();
    ubusd.notify(
        "hostapd.wlan0",
        "disassoc",
        json!({"address": "3c:22:fb:7a:10:05"}),
    );
    let change = acs
        .wait_for_inform_with_event("4 VALUE CHANGE", WAIT)
        .unwrap();
    assert!(
        left.elapsed() < Duration::from_secs(5),
        "{:?}",
        left.elapsed()
    );
    assert_eq!(change.inform_value(count).as_deref(), Some("0"));
}
