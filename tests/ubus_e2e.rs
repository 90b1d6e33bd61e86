//! End to end: the real `cwmpd` binary on a sandbox root whose ubus socket is the test
//! ubusd's, called through ubus as LuCI or a hotplug script would (`ubus call cwmpd …`).

mod support;

use serde_json::{json, Value};
use std::time::Duration;
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
