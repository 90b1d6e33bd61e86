//! End to end: the real `cwmpd` binary on a sandbox root whose ubus socket is the test
//! ubusd's, called through ubus as LuCI or a hotplug script would (`ubus call cwmpd …`).

mod support;

use serde_json::{json, Value};
use std::time::Duration;
use support::ubusd::CALLS_PER_SNAPSHOT;
use support::*;

const WAIT: Duration = Duration::from_secs(20);
const SOCKET: &str = "/var/run/ubus/ubus.sock";

/// /etc/config/cwmpd: the ACS at `acs_url`, the CR listener on a free port of `lo`.
fn cwmpd_uci(acs_url: &str) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port();
    format!(
        "config acs 'acs'\n\toption url '{acs_url}'\n\toption periodic_enable '0'\n\n\
         config cpe 'cpe'\n\toption interface 'lo'\n\toption cr_port '{port}'\n"
    )
}

/// An agent whose ACS never answers (port 9, discard): sessions fail, the agent still serves.
fn start_with_ubus() -> (CpeProcess, TestUbusd) {
    let mut cpe = CpeProcess::new(&cwmpd_uci("http://127.0.0.1:9/"));
    let ubusd = TestUbusd::start_at(&cpe.path(SOCKET));
    cpe.spawn();
    assert!(
        ubusd.wait_object("cwmpd", WAIT),
        "cwmpd never registered its object"
    );
    (cpe, ubusd)
}

fn call(ubusd: &TestUbusd, method: &str, args: Value) -> CallReply {
    ubusd
        .call("cwmpd", method, args, WAIT)
        .unwrap_or_else(|| panic!("no answer to cwmpd {method}"))
}

fn ok(data: Value) -> CallReply {
    CallReply {
        status: 0,
        data: vec![data],
    }
}

#[test]
fn get_and_set_through_ubus() {
    let (cpe, ubusd) = start_with_ubus();
    assert_eq!(
        call(
            &ubusd,
            "get",
            json!({"paths": ["Device.DeviceInfo.Manufacturer"]})
        ),
        ok(json!({"ok": true, "values": {"Device.DeviceInfo.Manufacturer": "OpenWrt"}}))
    );
    assert_eq!(
        call(
            &ubusd,
            "set",
            json!({"values": {"Device.ManagementServer.PeriodicInformInterval": 600}})
        ),
        ok(json!({"ok": true, "set_status": 0}))
    );
    assert_eq!(
        call(
            &ubusd,
            "get",
            json!({"paths": ["Device.ManagementServer.PeriodicInformInterval"]})
        ),
        ok(
            json!({"ok": true, "values": {"Device.ManagementServer.PeriodicInformInterval": "600"}})
        )
    );
    assert!(cpe
        .read_file("/etc/config/cwmpd")
        .unwrap()
        .contains("\toption periodic_interval '600'\n"));
    assert_eq!(ubusd.calls("cwmpd", "get"), 2);
    assert_eq!(ubusd.calls("cwmpd", "set"), 1);
}

#[test]
fn faults_and_bad_arguments() {
    let (_cpe, ubusd) = start_with_ubus();
    assert_eq!(
        call(
            &ubusd,
            "set",
            json!({"values": {"Device.ManagementServer.PeriodicInformInterval": "0"}})
        ),
        ok(json!({
            "ok": false,
            "error": "fault 9003 Invalid arguments\n  Device.ManagementServer.PeriodicInformInterval: \
                      fault 9007 invalid parameter value for Device.ManagementServer.PeriodicInformInterval: \
                      0 is outside the range 1..4294967295"
        }))
    );
    let missing = call(&ubusd, "get", json!({"paths": ["Device.Nope."]}));
    assert_eq!(missing.status, 0);
    assert!(missing.data[0]["error"]
        .as_str()
        .unwrap()
        .starts_with("fault 9005 "));
    let invalid = CallReply {
        status: 2,
        data: vec![],
    };
    assert_eq!(call(&ubusd, "get", json!({})), invalid);
    assert_eq!(call(&ubusd, "set", json!({"values": ["x"]})), invalid);
    assert_eq!(
        call(&ubusd, "reboot", json!({})),
        CallReply {
            status: 3,
            data: vec![]
        }
    );
}

#[test]
fn status_inform_and_reload_through_ubus() {
    let (cpe, ubusd) = start_with_ubus();
    let reply = call(&ubusd, "status", json!({}));
    assert_eq!(reply.status, 0);
    let mut status = reply.data[0]["status"].clone();
    // The same fields as `cwmpd status` over the control socket: one implementation.
    let cli: Value = serde_json::from_slice(&cpe.cli(&["status"]).stdout).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&status), keys(&cli));
    // What changes with the timing of the (failing) sessions.
    let url = status["connection_request_url"].as_str().unwrap();
    assert!(
        url.is_empty() || url.starts_with("http://127.0.0.1:"),
        "{url}"
    );
    for volatile in [
        "connection_request_url",
        "last_session_start",
        "last_session_end",
        "last_error",
        "last_outcome",
    ] {
        status[volatile] = json!("…");
    }
    for volatile in ["next_session_in_secs", "sessions_failed", "retry_count"] {
        assert!(status[volatile].is_number() || status[volatile].is_null());
        status[volatile] = json!(0);
    }
    for volatile in ["session_in_progress", "pending_events"] {
        status[volatile] = json!(null);
    }
    assert_eq!(reply.data[0]["ok"], json!(true));
    assert_eq!(
        status,
        json!({
            "acs_url": "http://127.0.0.1:9/",
            "connection_request_url": "…",
            "daemon_running": true,
            "last_error": "…",
            "last_outcome": "…",
            "last_session_end": "…",
            "last_session_start": "…",
            "next_periodic_inform": null,
            "next_session_in_secs": 0,
            "pending_events": null,
            "pending_transfers": [],
            "retry_count": 0,
            "session_in_progress": null,
            "sessions_completed": 0,
            "sessions_failed": 0
        })
    );

    assert_eq!(
        call(&ubusd, "inform", json!({"event": "6 CONNECTION REQUEST"})),
        ok(json!({"ok": true}))
    );
    cpe.write_file("/etc/config/cwmpd", &cwmpd_uci("http://127.0.0.1:19/"));
    assert_eq!(call(&ubusd, "reload", json!({})), ok(json!({"ok": true})));
    let status = call(&ubusd, "status", json!({}));
    assert_eq!(status.data[0]["status"]["acs_url"], "http://127.0.0.1:19/");
}

#[test]
fn the_object_comes_back_after_ubusd_restarts() {
    let (_cpe, mut ubusd) = start_with_ubus();
    ubusd.restart();
    assert!(
        ubusd.wait_object("cwmpd", WAIT),
        "cwmpd did not register again"
    );
    assert_eq!(
        call(
            &ubusd,
            "get",
            json!({"paths": ["Device.DeviceInfo.Manufacturer"]})
        ),
        ok(json!({"ok": true, "values": {"Device.DeviceInfo.Manufacturer": "OpenWrt"}}))
    );
}

#[test]
fn the_command_line_falls_back_to_ubus_without_the_control_socket() {
    let (cpe, ubusd) = start_with_ubus();
    std::fs::remove_file(cpe.path("/var/run/cwmpd/control.sock")).unwrap();
    let out = cpe.cli(&["get", "Device.DeviceInfo.Manufacturer"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Device.DeviceInfo.Manufacturer = OpenWrt\n"
    );
    let out = cpe.cli(&["set", "Device.ManagementServer.PeriodicInformInterval=0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("cwmpd: fault 9003 Invalid arguments\n")
    );
    assert_eq!(ubusd.calls("cwmpd", "get"), 1);
    assert_eq!(ubusd.calls("cwmpd", "set"), 1);
}

fn stdout_of(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// With ubusd there, the command line asks the `cwmpd` object (the control socket is up too),
/// and prints exactly what the control socket's answer gives: the engine's order, a name
/// asked twice printed twice, the same fault text and exit code.
#[test]
fn the_command_line_asks_the_ubus_object_first() {
    let (cpe, mut ubusd) = start_with_ubus();
    let get = [
        "get",
        "Device.ManagementServer.URL",
        "Device.DeviceInfo.Manufacturer",
        "Device.ManagementServer.URL",
        "Device.ManagementServer.",
    ];
    let set = ["set", "Device.ManagementServer.PeriodicInformInterval=0"];
    let over_ubus = stdout_of(&cpe.cli(&get));
    let lines: Vec<&str> = over_ubus.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "Device.ManagementServer.URL = http://127.0.0.1:9/",
            "Device.DeviceInfo.Manufacturer = OpenWrt",
            "Device.ManagementServer.URL = http://127.0.0.1:9/",
        ]
    );
    // Then all of ManagementServer, URL among them once more.
    assert!(lines.len() > 10, "{over_ubus}");
    assert_eq!(lines.iter().filter(|l| l.contains(".URL = ")).count(), 3);
    let refused_over_ubus = cpe.cli(&set);
    assert_eq!(refused_over_ubus.status.code(), Some(1));
    assert_eq!(ubusd.calls("cwmpd", "get"), 1);
    assert_eq!(ubusd.calls("cwmpd", "set"), 1);

    // Without ubusd: the control socket gives the same output.
    ubusd.stop();
    assert_eq!(stdout_of(&cpe.cli(&get)), over_ubus);
    let refused = cpe.cli(&set);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(refused.stderr, refused_over_ubus.stderr);
    assert!(String::from_utf8_lossy(&refused.stderr).starts_with(
        "cwmpd: fault 9003 Invalid arguments\n  Device.ManagementServer.PeriodicInformInterval: fault 9007 "
    ));
}

/// A ubusd that accepts connections but never speaks (hung) costs the command line about a
/// second: it then asks over the control socket.
#[test]
fn a_hung_ubusd_does_not_hang_the_command_line() {
    let mut cpe = CpeProcess::new(&cwmpd_uci("http://127.0.0.1:9/"));
    let socket = cpe.path(SOCKET);
    std::fs::create_dir_all(socket.parent().unwrap()).unwrap();
    let _silent = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    cpe.spawn();
    let started = std::time::Instant::now();
    while !cpe.path("/var/run/cwmpd/control.sock").exists() {
        assert!(started.elapsed() < WAIT, "no control socket");
        std::thread::sleep(Duration::from_millis(20));
    }
    let asked = std::time::Instant::now();
    let out = cpe.cli(&["get", "Device.DeviceInfo.Manufacturer"]);
    let took = asked.elapsed();
    assert_eq!(
        stdout_of(&out),
        "Device.DeviceInfo.Manufacturer = OpenWrt\n"
    );
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

/// No daemon: `cwmpd get` reads netifd's state from the root's ubusd itself (one snapshot).
#[test]
fn the_command_line_without_a_daemon_reads_netifd() {
    let cpe = CpeProcess::new(&cwmpd_uci("http://127.0.0.1:9/"));
    let ubusd = TestUbusd::start_at(&cpe.path(SOCKET));
    let out = cpe.cli(&[
        "get",
        "Device.DHCPv4.Client.1.IPAddress",
        "Device.DHCPv4.Client.1.IPRouters",
        "Device.IP.Interface.3.IPv4Address.1.IPAddress",
    ]);
    assert_eq!(
        stdout_of(&out),
        "Device.DHCPv4.Client.1.IPAddress = 203.0.113.57\n\
         Device.DHCPv4.Client.1.IPRouters = 203.0.113.1\n\
         Device.IP.Interface.3.IPv4Address.1.IPAddress = 203.0.113.57\n"
    );
    assert_eq!(ubusd.calls("network.interface", "dump"), 1);
    assert_eq!(ubusd.calls("cwmpd", "get"), 0);
    assert!(!cpe.path("/var/run/cwmpd/control.sock").exists());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port()
}

/// An agent informing `acs`, advertising netifd's `wan`, on a sandbox whose ubusd is the test
/// router's (the first ubus connection is made before the first session).
fn start_router(acs: &TestAcs) -> (CpeProcess, TestUbusd, u16) {
    let cr_port = free_port();
    let mut cpe = CpeProcess::new(&format!(
        "config acs 'acs'\n\toption url '{}'\n\toption periodic_enable '0'\n\n\
         config cpe 'cpe'\n\toption interface 'wan'\n\toption cr_port '{cr_port}'\n",
        acs.url()
    ));
    let ubusd = TestUbusd::start_at(&cpe.path(SOCKET));
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe.spawn();
    (cpe, ubusd, cr_port)
}

#[test]
fn the_acs_reads_netifds_state_and_sets_a_static_address() {
    let dhcp = |name: &str| format!("Device.DHCPv4.Client.1.{name}");
    let names = [
        "Device.IP.Interface.3.IPv4Address.1.IPAddress".to_string(),
        "Device.IP.Interface.3.IPv4Address.1.AddressingType".to_string(),
        dhcp("Status"),
        dhcp("DHCPStatus"),
        dhcp("IPAddress"),
        dhcp("SubnetMask"),
        dhcp("IPRouters"),
        dhcp("DNSServers"),
        dhcp("LeaseTimeRemaining"),
        dhcp("DHCPServer"),
        "Device.DNS.Client.Server.1.DNSServer".to_string(),
        "Device.DNS.Client.Server.1.Type".to_string(),
        "Device.DNS.Client.Server.1.Interface".to_string(),
        // The WAN's stack: IP.Interface → VLANTermination (eth0.2) → Link (eth0) → the CPU
        // port board.json declares.
        "Device.IP.Interface.3.LowerLayers".to_string(),
        "Device.Ethernet.VLANTermination.1.Name".to_string(),
        "Device.Ethernet.VLANTermination.1.VLANID".to_string(),
        "Device.Ethernet.VLANTermination.1.LowerLayers".to_string(),
        "Device.Ethernet.Link.2.LowerLayers".to_string(),
        "Device.InterfaceStackNumberOfEntries".to_string(),
        "Device.InterfaceStack.4.HigherLayer".to_string(),
        "Device.InterfaceStack.4.LowerLayer".to_string(),
    ];
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        AcsRpc::gpv(&name_refs),
        AcsRpc::spv(
            &[
                (
                    "Device.IP.Interface.2.IPv4Address.1.IPAddress",
                    "192.168.7.1",
                    "xsd:string",
                ),
                ("Device.DHCPv4.Client.1.Renew", "true", "xsd:boolean"),
            ],
            "lan-address",
        ),
    ]));
    let (cpe, _ubusd, cr_port) = start_router(&acs);
    let session = acs.wait_session(1, WAIT).unwrap();

    // The URL carries the address netifd reports for `wan`.
    let url = session
        .inform_value("Device.ManagementServer.ConnectionRequestURL")
        .unwrap();
    let prefix = format!("http://203.0.113.57:{cr_port}/");
    assert!(url.starts_with(&prefix), "{url}");
    let values: Vec<(String, String)> = session
        .response(0)
        .param_values()
        .into_iter()
        .map(|p| (p.name, p.value))
        .collect();
    let expected = [
        "203.0.113.57",
        "DHCP",
        "Enabled",
        "Bound",
        "203.0.113.57",
        "255.255.255.0",
        "203.0.113.1",
        "203.0.113.53",
        // The fixture's lease (86400 s) less its uptime (4120 s).
        "82280",
        "203.0.113.1",
        "203.0.113.53",
        "DHCPv4",
        "Device.IP.Interface.3",
        "Device.Ethernet.VLANTermination.1",
        "eth0.2",
        "2",
        "Device.Ethernet.Link.2",
        "Device.Ethernet.Interface.1",
        // lan, wan and wan6 on their links, the VLAN and the links on theirs, the bridge's
        // management port on its port and that port (eth0.1) on eth0.
        "8",
        "Device.Ethernet.VLANTermination.1",
        "Device.Ethernet.Link.2",
    ];
    let expected: Vec<(String, String)> = names
        .iter()
        .cloned()
        .zip(expected.iter().map(|v| v.to_string()))
        .collect();
    assert_eq!(values, expected);
    // Renew takes effect after the session: Status 1.
    assert_eq!(session.response(1).status(), Some(1));

    let renew = cpe.wait_for_action("ubus_call", WAIT).unwrap();
    assert_eq!(
        renew,
        json!({"action": "ubus_call", "object": "network.interface.wan", "method": "renew"})
    );
    let actions: Vec<Value> = cpe.actions();
    assert_eq!(
        actions,
        [
            json!({"action": "reload_config", "packages": ["network"]}),
            renew
        ]
    );
    assert_eq!(
        cpe.read_file("/etc/config/network").unwrap(),
        support::fixtures::UCI_NETWORK.replace(
            "\toption ipaddr '192.168.1.1'\n",
            "\toption ipaddr '192.168.7.1'\n"
        )
    );
    acs.assert_no_violations();
}

/// A full GetParameterValues("Device.") costs one snapshot per session, whatever the number of
/// parameters: each source is asked once (`support::ubusd::CALLS_PER_SNAPSHOT` lists them).
#[test]
fn a_session_reads_each_ubus_source_once() {
    // Session 1 schedules session 2 a second later (100 s × the time scale), so nothing else
    // (boot, notification poll) gathers in between.
    let acs = TestAcs::start(
        AcsConfig::new()
            .session(vec![AcsRpc::schedule_inform(100, "footprint")])
            .session(vec![
                AcsRpc::gpv(&["Device."]),
                AcsRpc::gpv(&["Device."]),
                AcsRpc::gpv(&["Device.IP.", "Device.DHCPv4.", "Device.DNS."]),
            ]),
    );
    let (_cpe, ubusd, _) = start_router(&acs);
    acs.wait_session(1, WAIT).unwrap();
    // The loop's first notification poll may follow session 1 (on a snapshot taken moments
    // ago, so without gathering): let it pass.
    std::thread::sleep(Duration::from_millis(200));
    let before: Vec<usize> = CALLS_PER_SNAPSHOT
        .iter()
        .map(|(object, method, _)| ubusd.calls(object, method))
        .collect();
    let total_before = ubusd.total_calls();
    let session = acs.wait_session(2, WAIT).unwrap();
    assert!(session.response(0).param_values().len() > 100);
    for ((object, method, expected), before) in CALLS_PER_SNAPSHOT.iter().zip(before) {
        assert_eq!(
            ubusd.calls(object, method) - before,
            *expected,
            "{object} {method}"
        );
    }
    let per_snapshot: usize = CALLS_PER_SNAPSHOT.iter().map(|(_, _, n)| n).sum();
    assert_eq!(per_snapshot, 14);
    assert_eq!(ubusd.total_calls() - total_before, per_snapshot);
}

/// What `reload_config` (or LuCI's apply) asks procd after `uci commit PACKAGE`.
fn reload_config(ubusd: &TestUbusd, package: &str) {
    let reply = ubusd.call(
        "service",
        "event",
        json!({"type": "config.change", "data": {"package": package}}),
        WAIT,
    );
    assert_eq!(reply.map(|r| r.status), Some(0));
}

/// A notified value changed outside cwmpd (an edit of /etc/config/system, then
/// `reload_config`): procd's `config.change` makes the agent compare at once, so the
/// "4 VALUE CHANGE" session follows within two seconds instead of at the 30 s poll. The same
/// notification after cwmpd's own reload (the ACS set the value) starts no session.
#[test]
fn a_config_change_outside_cwmpd_is_notified_at_once() {
    let ntp = "Device.Time.NTPServer1";
    let acs = TestAcs::start(
        AcsConfig::new()
            .session(vec![AcsRpc::spa_notification(ntp, 2)])
            .session(vec![AcsRpc::spv(
                &[(ntp, "ntp.acs.example", "xsd:string")],
                "ntp",
            )]),
    );
    let (cpe, ubusd, _) = start_router(&acs);
    acs.wait_session(1, WAIT).unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    while ubusd.subscribers("service") == 0 {
        assert!(std::time::Instant::now() < deadline, "no subscription");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the first session's end settle (its notification poll, if any).
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(acs.sessions().len(), 1);

    let system = cpe.read_file("/etc/config/system").unwrap();
    cpe.write_file(
        "/etc/config/system",
        &system.replace("'0.openwrt.pool.ntp.org'", "'ntp.example.net'"),
    );
    let changed = std::time::Instant::now();
    reload_config(&ubusd, "system");
    let second = acs.wait_session(2, WAIT).unwrap();
    assert!(
        changed.elapsed() < Duration::from_secs(2),
        "{:?}",
        changed.elapsed()
    );
    assert_eq!(second.event_codes(), ["4 VALUE CHANGE"]);
    assert_eq!(second.inform_value(ntp).as_deref(), Some("ntp.example.net"));

    // The ACS's own write: reloaded after the session, procd says config.change: no session.
    let reload = cpe.wait_for_action("reload_config", WAIT).unwrap();
    assert_eq!(
        reload,
        json!({"action": "reload_config", "packages": ["system"]})
    );
    reload_config(&ubusd, "system");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(acs.sessions().len(), 2);
    acs.assert_no_violations();
}
