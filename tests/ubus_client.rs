//! The ubus client (`cwmpd::backend::ubus`) against the test ubusd: calls of every fixture
//! object, errors, events, subscriptions, objects of our own, time-outs and reconnection.
//! Tests run on a current-thread runtime, like the daemon.

mod support;

use cwmpd::backend::ubus::{BlobmsgType, Event, Method, Status, Ubus, UbusConfig, UbusError};
use serde_json::{json, Value};
use std::time::Duration;
use support::{ubus_fixture, CallReply, TestUbusd};

const WAIT: Duration = Duration::from_secs(5);

fn config(ubusd: &TestUbusd) -> UbusConfig {
    let mut config = UbusConfig::new(ubusd.socket());
    config.call_timeout = Duration::from_secs(2);
    config.reconnect_min = Duration::from_millis(20);
    config.reconnect_max = Duration::from_millis(200);
    config.retry_interval = Duration::from_millis(50);
    config
}

async fn connect(ubusd: &TestUbusd) -> Ubus {
    Ubus::connect(config(ubusd)).await.expect("connect")
}

/// Polls `done` (without blocking the runtime the client runs on).
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn next_event(events: &mut tokio::sync::mpsc::Receiver<Event>) -> Event {
    tokio::time::timeout(WAIT, events.recv())
        .await
        .expect("an event in time")
        .expect("event channel open")
}

fn fixture(object: &str, name: &str) -> Value {
    Value::Object(ubus_fixture(object, name).expect("fixture"))
}

#[tokio::test]
async fn every_fixture_object_answers_exactly() {
    let ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    let cases = [
        ("network.interface", "dump", json!({}), "dump"),
        ("network.device", "status", json!({}), "status"),
        ("iwinfo", "info", json!({"device": "wlan0"}), "info.wlan0"),
        ("iwinfo", "info", json!({"device": "wlan1"}), "info.wlan1"),
        (
            "iwinfo",
            "assoclist",
            json!({"device": "wlan0"}),
            "assoclist.wlan0",
        ),
        ("hostapd.wlan0", "get_clients", json!({}), "get_clients"),
        ("system", "board", json!({}), "board"),
        ("system", "info", json!({}), "info"),
        ("luci-rpc", "getDHCPLeases", json!({}), "getDHCPLeases"),
    ];
    for (object, method, args, file) in cases {
        let answer = ubus.call(object, method, args).await;
        assert_eq!(answer, Ok(fixture(object, file)), "{object} {method}");
    }
    assert_eq!(ubusd.calls("iwinfo", "info"), 2);
    assert_eq!(ubusd.calls("system", "board"), 1);
    assert_eq!(ubusd.total_calls(), 9);
}

#[tokio::test]
async fn derived_answers_pick_one_device_or_interface() {
    let ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    let lan = ubus
        .call("network.device", "status", json!({"name": "br-lan"}))
        .await
        .unwrap();
    assert_eq!(lan, fixture("network.device", "status")["br-lan"]);
    assert_eq!(lan["bridge-members"], json!(["eth0.1", "wlan0", "wlan1"]));
    let wan = ubus
        .call("network.interface.wan", "status", Value::Null)
        .await
        .unwrap();
    assert_eq!(
        wan["ipv4-address"],
        json!([{"address": "203.0.113.57", "mask": 24}])
    );
    assert_eq!(
        wan["data"],
        json!({"dhcpserver": "203.0.113.1", "leasetime": 86400})
    );
    assert!(wan.get("interface").is_none());
}

#[tokio::test]
async fn errors_carry_ubus_status_codes() {
    let ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    let not_found = Err(UbusError::Status(Status::NotFound));
    assert_eq!(ubus.call("nosuch", "x", json!({})).await, not_found);
    assert_eq!(
        ubus.lookup("nosuch").await,
        Err(UbusError::Status(Status::NotFound))
    );
    assert_eq!(
        ubus.call("system", "reboot_now", json!({})).await,
        Err(UbusError::Status(Status::MethodNotFound))
    );
    assert_eq!(
        ubus.call("iwinfo", "info", json!({})).await,
        Err(UbusError::Status(Status::InvalidArgument))
    );
    assert_eq!(
        ubus.call("iwinfo", "info", json!({"device": "wlan7"}))
            .await,
        not_found
    );
    assert_eq!(
        ubus.call("network.device", "status", json!({"name": "eth9"}))
            .await,
        Err(UbusError::Status(Status::InvalidArgument))
    );
    assert!(matches!(
        ubus.call("system", "board", json!([1])).await,
        Err(UbusError::Protocol(_))
    ));
}

#[tokio::test]
async fn list_matches_paths_and_prefixes_with_signatures() {
    let ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    let interfaces: Vec<String> = ubus
        .list("network.interface.*")
        .await
        .unwrap()
        .into_iter()
        .map(|object| object.path)
        .collect();
    assert_eq!(
        interfaces,
        [
            "network.interface.lan",
            "network.interface.loopback",
            "network.interface.wan",
            "network.interface.wan6"
        ]
    );
    let iwinfo = ubus.list("iwinfo").await.unwrap();
    assert_eq!(iwinfo.len(), 1);
    assert_eq!(iwinfo[0].id, ubus.lookup("iwinfo").await.unwrap());
    assert_eq!(
        Value::Object(iwinfo[0].signature.clone()),
        json!({
            "info": {"device": 3},
            "assoclist": {"device": 3},
            "freqlist": {"device": 3},
            "txpowerlist": {"device": 3}
        })
    );
    assert_eq!(ubus.list("nosuch.*").await, Ok(vec![]));
    assert_eq!(ubus.list("").await.unwrap().len(), ubusd.objects().len());
}

#[tokio::test]
async fn lookups_are_cached() {
    let ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    let first = ubus.lookup("system").await.unwrap();
    for _ in 0..3 {
        ubus.call("system", "board", json!({})).await.unwrap();
    }
    assert_eq!(ubus.lookup("system").await, Ok(first));
    assert_eq!(ubusd.calls("system", "board"), 3);
}

#[tokio::test]
async fn events_are_delivered_by_pattern_and_not_echoed() {
    let ubusd = TestUbusd::start();
    let listener = connect(&ubusd).await;
    let sender = connect(&ubusd).await;
    let mut events = listener
        .subscribe_events(&["network.interface", "hostapd.*"])
        .await
        .unwrap();
    let mut own = sender.subscribe_events(&["network.*"]).await.unwrap();
    ubusd.send_event(
        "network.interface",
        json!({"action": "ifup", "interface": "wan"}),
    );
    let event = next_event(&mut events).await;
    assert_eq!(
        event,
        Event {
            object: None,
            name: "network.interface".into(),
            data: json!({"action": "ifup", "interface": "wan"}),
        }
    );
    assert_eq!(next_event(&mut own).await.name, "network.interface");
    let Value::Object(data) = json!({"config": "network"}) else {
        unreachable!()
    };
    sender
        .send_event("config.change", data.clone())
        .await
        .unwrap();
    // Matches the sender's own pattern: ubusd never loops an event back to its sender.
    sender
        .send_event("network.wireless", data.clone())
        .await
        .unwrap();
    sender
        .send_event("hostapd.wlan0.sta", data.clone())
        .await
        .unwrap();
    // config.change and network.wireless match none of the listener's patterns.
    assert_eq!(next_event(&mut events).await.name, "hostapd.wlan0.sta");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(own.try_recv().is_err());
}

#[tokio::test]
async fn object_notifications_survive_the_object_restarting() {
    let ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    let mut stations = ubus.subscribe_object("hostapd.wlan0").await;
    assert_eq!(ubusd.subscribers("hostapd.wlan0"), 1);
    let station = json!({"address": "3c:22:fb:7a:10:05"});
    ubusd.notify("hostapd.wlan0", "disassoc", station.clone());
    assert_eq!(
        next_event(&mut stations).await,
        Event {
            object: Some("hostapd.wlan0".into()),
            name: "disassoc".into(),
            data: station.clone(),
        }
    );
    ubusd.respawn_object("hostapd.wlan0");
    eventually("subscribed again", || {
        ubusd.subscribers("hostapd.wlan0") == 1
    })
    .await;
    ubusd.notify("hostapd.wlan0", "assoc", station);
    assert_eq!(next_event(&mut stations).await.name, "assoc");
}

#[tokio::test]
async fn subscriptions_wait_for_their_object() {
    let ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    let provider = connect(&ubusd).await;
    let mut events = ubus.subscribe_object("hostapd.wlan2").await;
    assert_eq!(ubusd.subscribers("hostapd.wlan2"), 0);
    let _calls = provider
        .add_object("hostapd.wlan2", vec![Method::new("get_clients", &[])])
        .await
        .unwrap();
    eventually("subscribed", || ubusd.subscribers("hostapd.wlan2") == 1).await;
    ubusd.notify("hostapd.wlan2", "probe", json!({}));
    assert_eq!(next_event(&mut events).await.name, "probe");
}

#[tokio::test]
async fn our_object_answers_calls_from_other_clients() {
    let ubusd = TestUbusd::start();
    let server = connect(&ubusd).await;
    let client = connect(&ubusd).await;
    let methods = vec![
        Method::new("echo", &[("text", BlobmsgType::String)]),
        Method::new("fail", &[]),
    ];
    let mut calls = server.add_object("test.echo", methods).await.unwrap();
    tokio::spawn(async move {
        while let Some(call) = calls.recv().await {
            match call.method.as_str() {
                "echo" => {
                    let args = call.args.clone();
                    call.answer(Status::Ok, Some(args));
                }
                _ => call.answer(Status::PermissionDenied, None),
            }
        }
    });
    let listed = client.list("test.echo").await.unwrap();
    assert_eq!(
        Value::Object(listed[0].signature.clone()),
        json!({"echo": {"text": 3}, "fail": {}})
    );
    assert_eq!(
        client
            .call(
                "test.echo",
                "echo",
                json!({"text": "hi", "n": 5_000_000_000_i64})
            )
            .await,
        Ok(json!({"text": "hi", "n": 5_000_000_000_i64}))
    );
    assert_eq!(
        client.call("test.echo", "fail", json!({})).await,
        Err(UbusError::Status(Status::PermissionDenied))
    );
    assert_eq!(
        client.call("test.echo", "nosuch", json!({})).await,
        Err(UbusError::Status(Status::MethodNotFound))
    );
    // ubusd's own caller (independent of the client code) gets DATA then STATUS.
    let bus = ubusd.bus();
    let reply = tokio::task::spawn_blocking(move || {
        bus.call("test.echo", "echo", json!({"text": "x"}), WAIT)
    })
    .await
    .unwrap();
    assert_eq!(
        reply,
        Some(CallReply {
            status: 0,
            data: vec![json!({"text": "x"})]
        })
    );
    assert_eq!(
        server.add_object("test.echo", vec![]).await.err(),
        Some(UbusError::Status(Status::InvalidArgument))
    );
}

#[tokio::test]
async fn calls_time_out_and_the_connection_stays_usable() {
    let ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    ubusd.hang("system", "info");
    let quick = ubus.with_timeout(Duration::from_millis(150));
    let started = tokio::time::Instant::now();
    assert_eq!(
        quick.call("system", "info", json!({})).await,
        Err(UbusError::TimedOut)
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(
        quick.call("system", "board", json!({})).await,
        Ok(fixture("system", "board"))
    );
    assert_eq!(ubusd.calls("system", "info"), 1);
}

#[tokio::test]
async fn reconnects_after_ubusd_restarts_and_registers_again() {
    let mut ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    let mut calls = ubus
        .add_object("cwmpd", vec![Method::new("status", &[])])
        .await
        .unwrap();
    let mut events = ubus.subscribe_events(&["network.interface"]).await.unwrap();
    let mut stations = ubus.subscribe_object("hostapd.wlan0").await;
    let first_peer = ubus.client_id();
    ubusd.restart();
    assert!(!ubusd.has_object("cwmpd"));
    eventually("re-registered", || {
        ubusd.has_object("cwmpd")
            && ubusd.listeners("network.interface") == 1
            && ubusd.subscribers("hostapd.wlan0") == 1
    })
    .await;
    assert_ne!(ubus.client_id(), first_peer);
    assert_eq!(
        ubus.call("system", "board", json!({})).await,
        Ok(fixture("system", "board"))
    );
    ubusd.send_event("network.interface", json!({"action": "ifdown"}));
    assert_eq!(
        next_event(&mut events).await.data,
        json!({"action": "ifdown"})
    );
    ubusd.notify("hostapd.wlan0", "disassoc", json!({}));
    assert_eq!(next_event(&mut stations).await.name, "disassoc");
    let bus = ubusd.bus();
    let reply = tokio::task::spawn_blocking(move || bus.call("cwmpd", "status", json!({}), WAIT));
    let call = tokio::time::timeout(WAIT, calls.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(call.method, "status");
    call.answer(Status::Ok, None);
    let reply = reply.await.unwrap();
    assert_eq!(
        reply,
        Some(CallReply {
            status: 0,
            data: vec![]
        })
    );
}

#[tokio::test]
async fn calls_fail_fast_while_ubusd_is_away() {
    let mut ubusd = TestUbusd::start();
    let ubus = connect(&ubusd).await;
    ubusd.stop();
    eventually("disconnected", || ubus.client_id().is_none()).await;
    assert_eq!(
        ubus.call("system", "board", json!({})).await,
        Err(UbusError::NotConnected)
    );
    ubusd.restart();
    eventually("reconnected", || ubus.client_id().is_some()).await;
    assert!(ubus.call("system", "board", json!({})).await.is_ok());
}

#[tokio::test]
async fn connecting_to_a_missing_socket_fails() {
    let dir = tempfile::tempdir().unwrap();
    let result = Ubus::connect(UbusConfig::new(dir.path().join("ubus.sock"))).await;
    assert!(matches!(result, Err(UbusError::Connect(_))));
}
