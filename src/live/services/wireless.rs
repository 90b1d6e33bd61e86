//! The radios, their interfaces and the stations on them, as the running services report
//! them (`Device.WiFi.` reads this through `Context::live.services.wireless`):
//!
//! - `network.wireless status` (netifd): every radio (the UCI `wifi-device` section) with its
//!   state and the interfaces it set up, each with its UCI `wifi-iface` section and the Linux
//!   `ifname` (`wlan0`, or `phy0-ap0` when the section sets none) — one call for the map;
//! - per radio, on its first interface: `iwinfo freqlist` (PossibleChannels) and
//!   `iwinfo txpowerlist` (the power levels TransmitPower is a percentage of);
//! - per interface: `iwinfo info` (channel, band, standards, BSSID, noise) and
//!   `iwinfo assoclist` (stations: rates, signal, counters);
//! - per access point: `hostapd.<ifname> get_clients` (station flags, rates, counters).
//!
//! So a snapshot costs 1 + 2 × radios + 2 × interfaces + access points calls, however many
//! parameters an RPC reads. A failed call leaves its part empty (logged at debug).

use std::collections::BTreeSet;

use ::log::debug;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::backend::ubus::{Event, Ubus};

/// What the wireless services reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WirelessState {
    /// `network.wireless status` answered.
    pub available: bool,
    pub radios: Vec<Radio>,
}

impl WirelessState {
    pub fn radio(&self, name: &str) -> Option<&Radio> {
        self.radios.iter().find(|radio| radio.name == name)
    }

    /// The interface set up for UCI `wifi-iface` section `section`, or else the one named
    /// `ifname` (a section's `ifname` option).
    pub fn interface(&self, section: &str, ifname: Option<&str>) -> Option<&Interface> {
        let interfaces = || self.radios.iter().flat_map(|radio| &radio.interfaces);
        interfaces()
            .find(|iface| iface.section == section)
            .or_else(|| interfaces().find(|iface| Some(iface.ifname.as_str()) == ifname))
    }
}

/// One radio (`wifi-device`) as netifd and iwinfo see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Radio {
    /// The UCI section name (`radio0`).
    pub name: String,
    pub up: bool,
    /// Being set up or torn down.
    pub pending: bool,
    pub disabled: bool,
    /// netifd gave up setting it up.
    pub setup_failed: bool,
    pub interfaces: Vec<Interface>,
    /// The channels the regulatory domain allows (`iwinfo freqlist`).
    pub channels: Vec<u32>,
    /// The transmit power levels the driver offers, dBm ascending (`iwinfo txpowerlist`).
    pub power_levels_dbm: Vec<i32>,
}

impl Radio {
    /// iwinfo's view of the radio: that of its first interface with one.
    pub fn info(&self) -> Option<&Info> {
        self.interfaces.iter().find_map(|iface| iface.info.as_ref())
    }
}

/// One interface (`wifi-iface`) set up on a radio.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Interface {
    /// The UCI section (`default_radio0`, or libuci's `cfgNNxxxx` for anonymous ones).
    pub section: String,
    /// The Linux interface; empty until netifd set it up.
    pub ifname: String,
    /// `ap`, `sta`, `mesh`, … (the section's `mode` as netifd applied it).
    pub mode: String,
    pub info: Option<Info>,
    /// Associated stations (assoclist merged with hostapd's clients), by MAC.
    pub stations: Vec<Station>,
}

/// `iwinfo info` of an interface (keys iwinfo could not read are `None`/empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Info {
    pub phy: String,
    pub ssid: String,
    /// Lower case.
    pub bssid: String,
    pub channel: Option<u32>,
    /// MHz.
    pub frequency: Option<u32>,
    /// dBm.
    pub txpower: Option<i32>,
    /// dBm.
    pub noise: Option<i32>,
    /// The 802.11 standards the hardware supports (`a`, `b`, `g`, `n`, `ac`, `ax`, `be`).
    pub hwmodes: Vec<String>,
    /// The mode in use (`HT20`, `VHT80`, `HE80`, `NOHT`).
    pub htmode: String,
}

/// The kind of rate a frame was last sent or received with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RateKind {
    #[default]
    Legacy,
    Ht,
    Vht,
    He,
    Eht,
}

/// One associated station.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Station {
    /// Lower case.
    pub mac: String,
    pub associated: bool,
    /// The 802.1X/WPA handshake completed (hostapd `authorized`).
    pub authorized: bool,
    /// dBm.
    pub signal: Option<i32>,
    pub noise: Option<i32>,
    /// kbit/s, AP → station and station → AP.
    pub tx_rate_kbps: Option<u32>,
    pub rx_rate_kbps: Option<u32>,
    pub tx_rate_kind: RateKind,
    pub tx_bytes: u64,
    pub rx_bytes: u64,
    pub tx_packets: u64,
    pub rx_packets: u64,
    /// MPDU retries and failures (`iwinfo assoclist` only).
    pub tx_retries: Option<u64>,
    pub tx_failed: Option<u64>,
    /// Unix seconds, from `connected_time` and the snapshot's time.
    pub associated_since: Option<i64>,
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn flag(value: &Value, key: &str) -> bool {
    match value.get(key) {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::Number(number)) => number.as_i64().is_some_and(|n| n != 0),
        _ => false,
    }
}

fn int(value: &Value, key: &str) -> Option<i64> {
    value.get(key).and_then(Value::as_i64)
}

fn unsigned(value: &Value, key: &str) -> Option<u64> {
    value.get(key).and_then(Value::as_u64)
}

fn results(reply: &Value) -> &[Value] {
    reply
        .get("results")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// `network.wireless status`: `{RADIO: {up, pending, disabled, retry_setup_failed, config,
/// interfaces: [{section, ifname, config: {mode, …}, …}]}}`.
pub fn parse_status(reply: &Value) -> Vec<Radio> {
    let Some(radios) = reply.as_object() else {
        return Vec::new();
    };
    radios
        .iter()
        .map(|(name, radio)| Radio {
            name: name.clone(),
            up: flag(radio, "up"),
            pending: flag(radio, "pending"),
            disabled: flag(radio, "disabled"),
            setup_failed: flag(radio, "retry_setup_failed"),
            interfaces: radio
                .get("interfaces")
                .and_then(Value::as_array)
                .map(|list| list.iter().map(parse_interface).collect())
                .unwrap_or_default(),
            channels: Vec::new(),
            power_levels_dbm: Vec::new(),
        })
        .collect()
}

fn parse_interface(iface: &Value) -> Interface {
    Interface {
        section: text(iface, "section"),
        ifname: text(iface, "ifname"),
        mode: iface
            .get("config")
            .map(|config| text(config, "mode"))
            .unwrap_or_default(),
        info: None,
        stations: Vec::new(),
    }
}

/// `iwinfo info {device}`.
pub fn parse_info(reply: &Value) -> Info {
    let to_i32 = |key| int(reply, key).and_then(|n| i32::try_from(n).ok());
    let to_u32 = |key| unsigned(reply, key).and_then(|n| u32::try_from(n).ok());
    Info {
        phy: text(reply, "phy"),
        ssid: text(reply, "ssid"),
        bssid: text(reply, "bssid").to_ascii_lowercase(),
        channel: to_u32("channel"),
        frequency: to_u32("frequency"),
        txpower: to_i32("txpower"),
        noise: to_i32("noise"),
        hwmodes: reply
            .get("hwmodes")
            .and_then(Value::as_array)
            .map(|modes| {
                modes
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        htmode: text(reply, "htmode"),
    }
}

/// `iwinfo freqlist {device}`: the channel numbers.
pub fn parse_freqlist(reply: &Value) -> Vec<u32> {
    results(reply)
        .iter()
        .filter_map(|entry| unsigned(entry, "channel"))
        .filter_map(|channel| u32::try_from(channel).ok())
        .collect()
}

/// `iwinfo txpowerlist {device}`: the levels in dBm, ascending.
pub fn parse_txpowerlist(reply: &Value) -> Vec<i32> {
    let mut levels: Vec<i32> = results(reply)
        .iter()
        .filter_map(|entry| int(entry, "dbm"))
        .filter_map(|dbm| i32::try_from(dbm).ok())
        .collect();
    levels.sort_unstable();
    levels.dedup();
    levels
}

fn rate_kind(rate: &Value) -> RateKind {
    match () {
        _ if flag(rate, "eht") => RateKind::Eht,
        _ if flag(rate, "he") => RateKind::He,
        _ if flag(rate, "vht") => RateKind::Vht,
        _ if flag(rate, "ht") => RateKind::Ht,
        _ => RateKind::Legacy,
    }
}

/// `iwinfo assoclist {device}` at Unix time `now`.
pub fn parse_assoclist(reply: &Value, now: i64) -> Vec<Station> {
    results(reply)
        .iter()
        .map(|entry| {
            let rx = entry.get("rx").cloned().unwrap_or_default();
            let tx = entry.get("tx").cloned().unwrap_or_default();
            let rate = |side: &Value| unsigned(side, "rate").and_then(|r| u32::try_from(r).ok());
            let connected = int(entry, "connected_time");
            Station {
                mac: text(entry, "mac").to_ascii_lowercase(),
                associated: true,
                authorized: flag(entry, "authorized"),
                signal: int(entry, "signal").and_then(|s| i32::try_from(s).ok()),
                noise: int(entry, "noise").and_then(|s| i32::try_from(s).ok()),
                tx_rate_kbps: rate(&tx),
                rx_rate_kbps: rate(&rx),
                tx_rate_kind: rate_kind(&tx),
                tx_bytes: unsigned(&tx, "bytes").unwrap_or_default(),
                rx_bytes: unsigned(&rx, "bytes").unwrap_or_default(),
                tx_packets: unsigned(&tx, "packets").unwrap_or_default(),
                rx_packets: unsigned(&rx, "packets").unwrap_or_default(),
                tx_retries: unsigned(&tx, "retries"),
                tx_failed: unsigned(&tx, "failed"),
                associated_since: connected.map(|secs| now - secs),
            }
        })
        .filter(|station| !station.mac.is_empty())
        .collect()
}

/// Merge `hostapd.<ifname> get_clients` (`{clients: {MAC: {assoc, authorized, rate, bytes,
/// packets, signal, …}}}`) into the stations iwinfo listed: hostapd's flags win, and a client
/// iwinfo did not list is added.
pub fn merge_clients(stations: &mut Vec<Station>, reply: &Value) {
    let Some(clients) = reply.get("clients").and_then(Value::as_object) else {
        return;
    };
    for (mac, client) in clients {
        let mac = mac.to_ascii_lowercase();
        let index = match stations.iter().position(|station| station.mac == mac) {
            Some(index) => index,
            None => {
                stations.push(Station {
                    mac,
                    ..Station::default()
                });
                stations.len() - 1
            }
        };
        apply_client(&mut stations[index], client);
    }
}

fn apply_client(station: &mut Station, client: &Value) {
    station.associated = flag(client, "assoc");
    station.authorized = flag(client, "authorized");
    let pair = |key: &str, side: &str| client.get(key).and_then(|v| unsigned(v, side));
    let rate = |side| pair("rate", side).and_then(|r| u32::try_from(r).ok());
    station.tx_rate_kbps = station.tx_rate_kbps.or(rate("tx"));
    station.rx_rate_kbps = station.rx_rate_kbps.or(rate("rx"));
    if station.tx_bytes == 0 && station.rx_bytes == 0 {
        station.tx_bytes = pair("bytes", "tx").unwrap_or_default();
        station.rx_bytes = pair("bytes", "rx").unwrap_or_default();
        station.tx_packets = pair("packets", "tx").unwrap_or_default();
        station.rx_packets = pair("packets", "rx").unwrap_or_default();
    }
    if station.signal.is_none() {
        station.signal = int(client, "signal").and_then(|s| i32::try_from(s).ok());
    }
    if station.tx_rate_kind == RateKind::Legacy {
        station.tx_rate_kind = match () {
            _ if flag(client, "he") => RateKind::He,
            _ if flag(client, "vht") => RateKind::Vht,
            _ if flag(client, "ht") => RateKind::Ht,
            _ => RateKind::Legacy,
        };
    }
}

/// One call; its failure is logged and yields `None`.
async fn call(ubus: &Ubus, object: &str, method: &str, args: Value) -> Option<Value> {
    match ubus.call(object, method, args).await {
        Ok(reply) => Some(reply),
        Err(err) => {
            debug!(target: "cwmpd::live", "ubus call {object} {method}: {err}");
            None
        }
    }
}

/// Ask netifd, iwinfo and hostapd once per radio, interface and access point, at Unix time
/// `now` (for association times).
pub async fn gather(ubus: &Ubus, now: i64) -> WirelessState {
    let Some(status) = call(ubus, "network.wireless", "status", Value::Null).await else {
        return WirelessState::default();
    };
    let mut radios = parse_status(&status);
    for radio in &mut radios {
        gather_radio(ubus, radio, now).await;
    }
    WirelessState {
        available: true,
        radios,
    }
}

async fn gather_radio(ubus: &Ubus, radio: &mut Radio, now: i64) {
    let first = radio
        .interfaces
        .iter()
        .map(|iface| iface.ifname.clone())
        .find(|ifname| !ifname.is_empty());
    if let Some(device) = first {
        let args = json!({ "device": device });
        if let Some(reply) = call(ubus, "iwinfo", "freqlist", args.clone()).await {
            radio.channels = parse_freqlist(&reply);
        }
        if let Some(reply) = call(ubus, "iwinfo", "txpowerlist", args).await {
            radio.power_levels_dbm = parse_txpowerlist(&reply);
        }
    }
    for iface in radio.interfaces.iter_mut().filter(|i| !i.ifname.is_empty()) {
        let args = json!({ "device": iface.ifname });
        iface.info = call(ubus, "iwinfo", "info", args.clone())
            .await
            .map(|reply| parse_info(&reply));
        if let Some(reply) = call(ubus, "iwinfo", "assoclist", args).await {
            iface.stations = parse_assoclist(&reply, now);
        }
        if iface.mode == "ap" {
            let hostapd = format!("hostapd.{}", iface.ifname);
            if let Some(reply) = call(ubus, &hostapd, "get_clients", Value::Null).await {
                merge_clients(&mut iface.stations, &reply);
            }
        }
    }
}

/// hostapd's notifications that change the associated stations (its `probe` and `auth`
/// requests do not, and a busy air brings many of them).
const STATION_EVENTS: &[&str] = &["assoc", "disassoc", "deauth", "sta-authorized"];

/// hostapd's station notifications from every access point: each `hostapd.<ifname>` object
/// there now and every one ubusd announces later (`ubus.object.add`); the client renews the
/// subscriptions when hostapd restarts.
pub async fn station_events(ubus: &Ubus) -> mpsc::Receiver<Event> {
    let (sink, events) = mpsc::channel(16);
    let added = ubus.subscribe_events(&["ubus.object.add"]).await;
    let mut subscribed = BTreeSet::new();
    if let Ok(objects) = ubus.list("hostapd.*").await {
        for object in objects {
            subscribe_station_events(ubus, &mut subscribed, &object.path, &sink).await;
        }
    }
    let ubus = ubus.clone();
    tokio::spawn(async move {
        let Ok(mut added) = added else {
            return;
        };
        while let Some(event) = added.recv().await {
            let path = text(&event.data, "path");
            subscribe_station_events(&ubus, &mut subscribed, &path, &sink).await;
        }
    });
    events
}

async fn subscribe_station_events(
    ubus: &Ubus,
    subscribed: &mut BTreeSet<String>,
    path: &str,
    sink: &mpsc::Sender<Event>,
) {
    if !path.starts_with("hostapd.") || !subscribed.insert(path.to_string()) {
        return;
    }
    let mut notifications = ubus.subscribe_object(path).await;
    let sink = sink.clone();
    tokio::spawn(async move {
        while let Some(event) = notifications.recv().await {
            if STATION_EVENTS.contains(&event.name.as_str()) && sink.send(event).await.is_err() {
                return;
            }
        }
    });
}

/// The test router's wireless state, as `gather` builds it from `tests/fixtures/ubus/`.
#[cfg(test)]
pub(crate) fn test_router_state(now: i64) -> WirelessState {
    let fixture = |object: &str, name: &str| -> Value {
        let path = format!(
            "{}/tests/fixtures/ubus/{object}/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let mut radios = parse_status(&fixture("network.wireless", "status"));
    for radio in &mut radios {
        let device = radio.interfaces[0].ifname.clone();
        radio.channels = parse_freqlist(&fixture("iwinfo", &format!("freqlist.{device}")));
        radio.power_levels_dbm =
            parse_txpowerlist(&fixture("iwinfo", &format!("txpowerlist.{device}")));
        for iface in &mut radio.interfaces {
            let name = iface.ifname.clone();
            iface.info = Some(parse_info(&fixture("iwinfo", &format!("info.{name}"))));
            iface.stations = parse_assoclist(&fixture("iwinfo", &format!("assoclist.{name}")), now);
            merge_clients(
                &mut iface.stations,
                &fixture(&format!("hostapd.{name}"), "get_clients"),
            );
        }
    }
    WirelessState {
        available: true,
        radios,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(object: &str, name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/ubus/{object}/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn netifd_status_maps_radios_to_interfaces() {
        let radios = parse_status(&fixture("network.wireless", "status"));
        let summary: Vec<String> = radios
            .iter()
            .flat_map(|radio| {
                radio.interfaces.iter().map(move |i| {
                    format!(
                        "{} up={} {} {} {}",
                        radio.name, radio.up, i.section, i.ifname, i.mode
                    )
                })
            })
            .collect();
        assert_eq!(
            summary,
            [
                "radio0 up=true default_radio0 wlan0 ap",
                "radio1 up=true default_radio1 wlan1 ap",
            ]
        );
        assert!(radios
            .iter()
            .all(|r| !r.pending && !r.disabled && !r.setup_failed));
    }

    #[test]
    fn iwinfo_info_of_the_5ghz_ap() {
        let info = parse_info(&fixture("iwinfo", "info.wlan0"));
        assert_eq!(
            info,
            Info {
                phy: "phy0".into(),
                ssid: "OpenWrt".into(),
                bssid: "c0:06:c3:5a:1e:92".into(),
                channel: Some(36),
                frequency: Some(5180),
                txpower: Some(23),
                noise: Some(-95),
                hwmodes: vec!["a".into(), "n".into(), "ac".into()],
                htmode: "VHT80".into(),
            }
        );
    }

    #[test]
    fn channel_and_power_lists() {
        assert_eq!(
            parse_freqlist(&fixture("iwinfo", "freqlist.wlan1")),
            (1..=13).collect::<Vec<u32>>()
        );
        let levels = parse_txpowerlist(&fixture("iwinfo", "txpowerlist.wlan0"));
        assert_eq!(levels.first(), Some(&0));
        assert_eq!(levels.last(), Some(&23));
        assert_eq!(levels.len(), 24);
    }

    #[test]
    fn stations_merge_iwinfo_and_hostapd() {
        let now = 1_795_541_400;
        let mut stations = parse_assoclist(&fixture("iwinfo", "assoclist.wlan0"), now);
        merge_clients(&mut stations, &fixture("hostapd.wlan0", "get_clients"));
        assert_eq!(
            stations,
            [Station {
                mac: "3c:22:fb:7a:10:05".into(),
                associated: true,
                authorized: true,
                signal: Some(-48),
                noise: Some(-95),
                tx_rate_kbps: Some(866_700),
                rx_rate_kbps: Some(780_000),
                tx_rate_kind: RateKind::Vht,
                tx_bytes: 88_231_002,
                rx_bytes: 10_452_331,
                tx_packets: 71_533,
                rx_packets: 50_211,
                tx_retries: Some(211),
                tx_failed: Some(3),
                associated_since: Some(now - 2911),
            }]
        );
    }

    #[test]
    fn a_client_only_hostapd_knows_is_added() {
        let mut stations = Vec::new();
        merge_clients(&mut stations, &fixture("hostapd.wlan0", "get_clients"));
        assert_eq!(stations.len(), 1);
        let station = &stations[0];
        assert_eq!(station.mac, "3c:22:fb:7a:10:05");
        assert_eq!(
            (station.tx_rate_kbps, station.rx_rate_kbps),
            (Some(866_700), Some(780_000))
        );
        assert_eq!((station.tx_bytes, station.rx_packets), (88_231_002, 50_211));
        assert_eq!(station.tx_rate_kind, RateKind::Vht);
        assert_eq!((station.tx_retries, station.associated_since), (None, None));
    }

    #[test]
    fn malformed_replies_give_nothing() {
        assert!(parse_status(&json!([1, 2])).is_empty());
        assert!(parse_assoclist(&json!({"results": [{"signal": -40}]}), 0).is_empty());
        assert!(parse_freqlist(&json!({"results": "x"})).is_empty());
        assert_eq!(parse_info(&json!({"channel": -1})).channel, None);
    }
}
