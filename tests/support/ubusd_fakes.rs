//! The objects the test ubusd serves itself, answering from `tests/fixtures/ubus/` (see the
//! README there for where the shapes come from).

use serde_json::{json, Map, Value};
use std::path::PathBuf;

pub const INVALID_ARGUMENT: u32 = 2;
pub const METHOD_NOT_FOUND: u32 = 3;
pub const NOT_FOUND: u32 = 4;

/// procd's object for services and their events (`ubus call service event …`).
pub const PROCD_SERVICE: &str = "service";

/// blobmsg type ids for signatures.
const TABLE: u8 = 2;
const STRING: u8 = 3;
const BOOL: u8 = 7;

pub struct FakeObject {
    pub path: String,
    /// method → { argument → blobmsg type id }, as `ubus -v list` shows it.
    pub signature: Map<String, Value>,
}

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ubus")
}

/// The fixture reply of `object`/`name` (e.g. `iwinfo`, `info.wlan0`).
pub fn fixture(object: &str, name: &str) -> Option<Map<String, Value>> {
    let path = fixture_dir().join(object).join(format!("{name}.json"));
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Some(map),
        _ => panic!("fixture {object}/{name}.json is not a JSON object"),
    }
}

fn signature(methods: &[(&str, &[(&str, u8)])]) -> Map<String, Value> {
    methods
        .iter()
        .map(|(method, args)| {
            let args = args
                .iter()
                .map(|(a, t)| (a.to_string(), json!(t)))
                .collect();
            (method.to_string(), Value::Object(args))
        })
        .collect()
}

fn interfaces() -> Vec<Value> {
    fixture("network.interface", "dump")
        .and_then(|dump| dump.get("interface").cloned())
        .and_then(|list| list.as_array().cloned())
        .unwrap_or_default()
}

/// Every object a fresh test ubusd has.
pub fn objects() -> Vec<FakeObject> {
    let device = &[("device", STRING)][..];
    let mut objects = vec![
        ("network.interface", signature(&[("dump", &[])])),
        (
            "network.device",
            signature(&[("status", &[("name", STRING)])]),
        ),
        ("network.wireless", signature(&[("status", &[])])),
        (
            "iwinfo",
            signature(&[
                ("info", device),
                ("assoclist", device),
                ("freqlist", device),
                ("txpowerlist", device),
            ]),
        ),
        (
            "hostapd.wlan0",
            signature(&[
                ("get_clients", &[]),
                ("del_client", &[("addr", STRING), ("deauth", BOOL)]),
            ]),
        ),
        (
            "hostapd.wlan1",
            signature(&[
                ("get_clients", &[]),
                ("del_client", &[("addr", STRING), ("deauth", BOOL)]),
            ]),
        ),
        ("system", signature(&[("board", &[]), ("info", &[])])),
        (
            PROCD_SERVICE,
            signature(&[("event", &[("type", STRING), ("data", TABLE)])]),
        ),
        (
            "luci-rpc",
            signature(&[("getDHCPLeases", &[("family", 5)])]),
        ),
    ]
    .into_iter()
    .map(|(path, signature)| FakeObject {
        path: path.to_string(),
        signature,
    })
    .collect::<Vec<_>>();
    for interface in interfaces() {
        if let Some(name) = interface["interface"].as_str() {
            objects.push(FakeObject {
                path: format!("network.interface.{name}"),
                signature: signature(&[("status", &[])]),
            });
        }
    }
    objects
}

/// A fake object's answer: the DATA table, or a ubus status code.
pub fn answer(
    object: &str,
    method: &str,
    args: &Map<String, Value>,
) -> Result<Map<String, Value>, u32> {
    let text_arg = |name: &str| args.get(name).and_then(Value::as_str);
    match (object, method) {
        ("iwinfo", _) => {
            let device = text_arg("device").ok_or(INVALID_ARGUMENT)?;
            fixture(object, &format!("{method}.{device}")).ok_or(NOT_FOUND)
        }
        ("network.device", "status") => {
            let all = fixture(object, "status").ok_or(NOT_FOUND)?;
            match text_arg("name") {
                None => Ok(all),
                Some(name) => match all.get(name) {
                    Some(Value::Object(device)) => Ok(device.clone()),
                    _ => Err(INVALID_ARGUMENT),
                },
            }
        }
        (_, "status") if object.starts_with("network.interface.") => {
            let name = &object["network.interface.".len()..];
            let mut entry = interfaces()
                .into_iter()
                .find(|i| i["interface"] == name)
                .and_then(|i| i.as_object().cloned())
                .ok_or(NOT_FOUND)?;
            entry.remove("interface");
            Ok(entry)
        }
        ("hostapd.wlan0", "del_client") => Ok(Map::new()),
        _ => fixture(object, method).ok_or(METHOD_NOT_FOUND),
    }
}
