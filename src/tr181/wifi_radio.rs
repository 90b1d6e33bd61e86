//! `Device.WiFi.Radio.{i}.` — a UCI `wifi-device` section and the radio netifd and iwinfo
//! report for it (through the radio's first interface).
//!
//! | TR-181 | OpenWrt | notes |
//! |---|---|---|
//! | Enable | `disabled` | enabling removes the option |
//! | Status | netifd `up`, `retry_setup_failed` | `Down` when disabled, `Unknown` without ubus, `NotPresent` when netifd has no such radio, `Error` when netifd gave up setting it up |
//! | Name | the section name (`radio0`) | |
//! | SupportedFrequencyBands, OperatingFrequencyBand | `band` (`2g`, `5g`, `6g`); 21.02's `hwmode` (`11a` = 5 GHz); else iwinfo's frequency | an OpenWrt radio works on one band; writing accepts that band only |
//! | SupportedStandards | iwinfo `hwmodes` | |
//! | OperatingStandards | `htmode` (iwinfo's while running, else UCI) and the band | HE on 5 GHz = `a,n,ac,ax`; HT on 2.4 GHz = `b,g,n`; writing picks the mode family of the newest standard listed (`be` EHT, `ax` HE, `ac` VHT, `n` HT, else NOHT) and keeps the channel width (HT at most 40 MHz) |
//! | PossibleChannels | iwinfo `freqlist` | the channels the regulatory domain allows |
//! | Channel | iwinfo's channel while running, else `channel` | with `auto` and the radio not running: the first of PossibleChannels, else of the band (36 on 5 GHz, else 1), as TR-181 wants 1–255; writing sets `channel` (must be possible when the list is known) |
//! | AutoChannelSupported | — | true: hostapd's ACS on mac80211 |
//! | AutoChannelEnable | `channel 'auto'` (or unset) | false keeps the channel in use |
//! | TransmitPowerSupported, TransmitPower | `txpower` (dBm) against iwinfo `txpowerlist` | see below |
//! | Stats.* | the kernel's counters of the radio's interfaces, summed; Noise from iwinfo | |
//!
//! TransmitPower is a percentage of full power (TR-181), OpenWrt's `txpower` an absolute dBm
//! value (unset = the driver's maximum). cwmpd offers −1 (auto: `txpower` removed) and 100,
//! 50, 25 and 12 % of the power in mW, i.e. the highest level of `txpowerlist` minus 0, 3, 6
//! and 9 dB, snapped down to a level the driver offers. A configured `txpower` reads as the
//! offered percentage nearest to it; without the driver's levels (radio down) it reads 100.

use std::collections::BTreeMap;

use super::uci_value::bool_option;
use super::wifi::{WifiView, RADIO, RADIO_STATS, WIRELESS};
use crate::datamodel::{
    ActiveNotify, Error, ObjectDef, ParamDef, ParamRef, Transaction, Type, Value,
};
use crate::live::net::LinkStats;
use crate::live::services::wireless::{Info, Radio};
use crate::live::LiveState;

/// (percent, dB below the maximum).
const POWER_STEPS: [(i64, i32); 4] = [(100, 0), (50, 3), (25, 6), (12, 9)];
const TRANSMIT_POWER_SUPPORTED: &str = "-1,12,25,50,100";
const BANDS: &[&str] = &["2.4GHz", "5GHz", "6GHz"];
const STANDARDS: &[&str] = &["a", "b", "g", "n", "ac", "ax", "be"];

pub(crate) fn schema() -> Vec<ObjectDef> {
    vec![
        ObjectDef::new(RADIO)
            .param(ParamDef::read_write("Enable", Type::boolean()))
            .param(ParamDef::read_only(
                "Status",
                Type::any_string().enumeration(&[
                    "Up",
                    "Down",
                    "Unknown",
                    "Dormant",
                    "NotPresent",
                    "LowerLayerDown",
                    "Error",
                ]),
            ))
            .param(ParamDef::read_only("Name", Type::string(64)))
            .param(ParamDef::read_only(
                "SupportedFrequencyBands",
                Type::any_string().enumeration(BANDS).list(),
            ))
            .param(ParamDef::read_write(
                "OperatingFrequencyBand",
                Type::any_string(),
            ))
            .param(ParamDef::read_only(
                "SupportedStandards",
                Type::any_string().enumeration(STANDARDS).list(),
            ))
            .param(ParamDef::read_write(
                "OperatingStandards",
                Type::any_string().list(),
            ))
            .param(ParamDef::read_only(
                "PossibleChannels",
                Type::any_string().list().list_max_len(1024),
            ))
            .param(ParamDef::read_write(
                "Channel",
                Type::unsigned_int().range(Some(1), Some(255)),
            ))
            .param(ParamDef::read_only("AutoChannelSupported", Type::boolean()))
            .param(ParamDef::read_write("AutoChannelEnable", Type::boolean()))
            .param(ParamDef::read_only(
                "TransmitPowerSupported",
                Type::int()
                    .range(Some(-1), Some(100))
                    .list()
                    .list_max_len(64),
            ))
            .param(ParamDef::read_write(
                "TransmitPower",
                Type::int().range(Some(-1), Some(100)),
            )),
        with_link_counters(ObjectDef::new(RADIO_STATS))
            .param(ParamDef::read_only("Noise", Type::int())),
    ]
}

/// Channel and AutoChannelEnable of one SetParameterValues, per radio number: both map onto
/// `channel`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pending {
    radios: BTreeMap<u32, PendingRadio>,
}

#[derive(Debug, Clone, Default)]
struct PendingRadio {
    channel: Option<u32>,
    auto: Option<bool>,
}

/// A StatsCounter32 wraps (TR-181).
pub(crate) fn counter32(value: u64) -> Value {
    Value::Unsigned(value & u64::from(u32::MAX))
}

/// The frequency band of a radio: `band`, else 21.02's `hwmode`, else the live frequency.
pub(crate) fn band(
    section_band: Option<&str>,
    hwmode: Option<&str>,
    info: Option<&Info>,
) -> &'static str {
    match (section_band, hwmode) {
        (Some("2g"), _) => "2.4GHz",
        (Some("5g"), _) => "5GHz",
        (Some("6g"), _) => "6GHz",
        (None, Some("11a")) => "5GHz",
        (None, Some("11b" | "11g" | "11n")) => "2.4GHz",
        _ => match info.and_then(|info| info.frequency) {
            Some(mhz) if mhz < 3000 => "2.4GHz",
            Some(mhz) if mhz < 5925 => "5GHz",
            Some(_) => "6GHz",
            None => "",
        },
    }
}

/// The family of an htmode (`HE80` → `HE`) and its width in MHz.
fn htmode_parts(htmode: &str) -> (&str, u32) {
    let upper = htmode.trim_end_matches(['+', '-']);
    let digits = upper.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let family = &upper[..upper.len() - digits.len()];
    (family, digits.parse().unwrap_or(20))
}

/// The standards a radio works with in `htmode` on `band`.
pub(crate) fn operating_standards(band: &str, htmode: &str) -> Vec<&'static str> {
    let (family, _) = htmode_parts(htmode);
    let level = match family {
        "HT" => 1,
        "VHT" => 2,
        "HE" => 3,
        "EHT" => 4,
        _ => 0,
    };
    let (legacy, newer): (&[&str], &[&str]) = match band {
        "2.4GHz" => (&["b", "g"], &["n", "ax", "be"]),
        "6GHz" => (&[], &["ax", "be"]),
        _ => (&["a"], &["n", "ac", "ax", "be"]),
    };
    let newer = newer.iter().filter(|standard| match **standard {
        "n" => level >= 1,
        "ac" => level >= 2,
        "ax" => level >= 3,
        _ => level >= 4,
    });
    legacy.iter().chain(newer).copied().collect()
}

/// The htmode for the standards listed on `band`, keeping the width of `current`.
pub(crate) fn htmode_for(standards: &[&str], band: &str, current: &str) -> Result<String, String> {
    let allowed = operating_standards(band, "EHT320");
    if let Some(bad) = standards.iter().find(|s| !allowed.contains(s)) {
        return Err(format!("{bad} is not a standard of the {band} band"));
    }
    let (_, width) = htmode_parts(current);
    let newest = |s: &str| standards.contains(&s);
    let (family, max_width) = match () {
        _ if newest("be") => ("EHT", 320),
        _ if newest("ax") => ("HE", 160),
        _ if newest("ac") => ("VHT", 160),
        _ if newest("n") => ("HT", 40),
        _ => return Ok("NOHT".to_string()),
    };
    Ok(format!("{family}{}", width.min(max_width)))
}

/// The offered percentage nearest `dbm` below `max`.
pub(crate) fn power_percent(dbm: i32, max: i32) -> i64 {
    let below = max - dbm;
    POWER_STEPS
        .iter()
        .min_by_key(|(_, step)| (step - below).abs())
        .map(|(percent, _)| *percent)
        .unwrap_or(100)
}

/// The driver level for `percent` of full power: the highest level at most the target.
pub(crate) fn power_dbm(percent: i64, levels: &[i32]) -> Option<i32> {
    let (_, below) = POWER_STEPS.iter().find(|(p, _)| *p == percent)?;
    let max = *levels.last()?;
    let target = max - below;
    levels
        .iter()
        .rev()
        .find(|level| **level <= target)
        .or(levels.first())
        .copied()
}

fn live_radio<'a>(live: &'a LiveState, name: &str) -> Option<&'a Radio> {
    live.services.wireless.radio(name)
}

fn status(
    view: &WifiView,
    live: &LiveState,
    section: &crate::datamodel::ConfigSection,
) -> &'static str {
    let _ = view;
    if bool_option(section, "disabled", false) {
        return "Down";
    }
    if !live.services.wireless.available {
        return "Unknown";
    }
    match live_radio(live, &section.name) {
        None => "NotPresent",
        Some(radio) if radio.setup_failed => "Error",
        Some(radio) if radio.up => "Up",
        Some(_) => "Down",
    }
}

/// The kernel counters of the radio's interfaces, summed.
fn stats(live: &LiveState, radio: Option<&Radio>) -> LinkStats {
    let mut total = LinkStats::default();
    let links = radio
        .into_iter()
        .flat_map(|radio| &radio.interfaces)
        .filter_map(|iface| live.net.link(&iface.ifname));
    for link in links {
        let s = &link.stats;
        total.tx_bytes += s.tx_bytes;
        total.rx_bytes += s.rx_bytes;
        total.tx_packets += s.tx_packets;
        total.rx_packets += s.rx_packets;
        total.tx_errors += s.tx_errors;
        total.rx_errors += s.rx_errors;
        total.tx_dropped += s.tx_dropped;
        total.rx_dropped += s.rx_dropped;
    }
    total
}

fn channel_auto(section: &crate::datamodel::ConfigSection) -> bool {
    section
        .get("channel")
        .is_none_or(|channel| channel == "auto")
}

/// The Channel a radio section shows (see [`channel`]).
fn shown_channel(live: &LiveState, section: &crate::datamodel::ConfigSection) -> u32 {
    let radio = live_radio(live, &section.name);
    let info = radio.and_then(Radio::info);
    let band = band(
        section.get("band").as_deref(),
        section.get("hwmode").as_deref(),
        info,
    );
    channel(info, section, radio.map(|r| r.channels.as_slice()), band)
}

pub(crate) fn value(
    view: &WifiView,
    live: &LiveState,
    param: ParamRef<'_>,
) -> Result<Value, Error> {
    let section = &view.radio(param.instances)?.section;
    let radio = live_radio(live, &section.name);
    let info = radio.and_then(Radio::info);
    let band = band(
        section.get("band").as_deref(),
        section.get("hwmode").as_deref(),
        info,
    );
    if param.object == RADIO_STATS {
        let stats = stats(live, radio);
        if let Some(value) = link_counter(&stats, param.name) {
            return Ok(value);
        }
        return match param.name {
            "Noise" => Ok(Value::Int(
                info.and_then(|i| i.noise).unwrap_or_default().into(),
            )),
            name => Err(Error::not_served(name)),
        };
    }
    let htmode = info
        .map(|info| info.htmode.clone())
        .filter(|mode| !mode.is_empty())
        .or_else(|| section.get("htmode"))
        .unwrap_or_default();
    let levels = radio
        .map(|r| r.power_levels_dbm.as_slice())
        .unwrap_or_default();
    Ok(match param.name {
        "Enable" => Value::Boolean(!bool_option(section, "disabled", false)),
        "Status" => Value::from(status(view, live, section)),
        "Name" => Value::String(section.name.clone()),
        "SupportedFrequencyBands" | "OperatingFrequencyBand" => Value::from(band),
        "SupportedStandards" => Value::String(
            info.map(|info| {
                let known = info
                    .hwmodes
                    .iter()
                    .filter(|m| STANDARDS.contains(&m.as_str()));
                known.cloned().collect::<Vec<_>>().join(",")
            })
            .unwrap_or_default(),
        ),
        "OperatingStandards" => Value::String(operating_standards(band, &htmode).join(",")),
        "PossibleChannels" => Value::String(join(radio.map(|r| r.channels.as_slice()))),
        "Channel" => Value::from(shown_channel(live, section)),
        "AutoChannelSupported" => Value::Boolean(true),
        "AutoChannelEnable" => Value::Boolean(channel_auto(section)),
        "TransmitPowerSupported" => Value::from(TRANSMIT_POWER_SUPPORTED),
        "TransmitPower" => Value::Int(match section.get("txpower").and_then(|t| t.parse().ok()) {
            None => -1,
            Some(dbm) => levels.last().map_or(100, |max| power_percent(dbm, *max)),
        }),
        name => return Err(Error::not_served(name)),
    })
}

/// The channel a radio reports: iwinfo's while it runs, else the configured one. With
/// `auto` and no running radio no channel is chosen yet (hostapd picks one when it starts),
/// and TR-181's Channel is 1–255: the first channel the radio may use (PossibleChannels),
/// else the first of its band (36 on 5 GHz, else 1). cwmpd keeps no history between
/// snapshots, so "the last channel it ran on" is not known.
fn channel(
    info: Option<&Info>,
    section: &crate::datamodel::ConfigSection,
    possible: Option<&[u32]>,
    band: &str,
) -> u32 {
    let running = info.and_then(|info| info.channel).filter(|c| *c > 0);
    let configured = section.get("channel").and_then(|c| c.trim().parse().ok());
    let first_possible = possible.and_then(|channels| channels.first().copied());
    let first_of_band = match band {
        "5GHz" => 36,
        _ => 1,
    };
    running
        .or(configured.filter(|c| (1..=255).contains(c)))
        .or(first_possible)
        .unwrap_or(first_of_band)
}

fn join(channels: Option<&[u32]>) -> String {
    let channels = channels.unwrap_or_default().iter();
    channels.map(u32::to_string).collect::<Vec<_>>().join(",")
}

pub(crate) fn set(
    view: &mut WifiView,
    live: &LiveState,
    param: ParamRef<'_>,
    value: &Value,
    tx: &mut Transaction,
) -> Result<(), Error> {
    let numbered = view.radio(param.instances)?;
    let (number, section) = (numbered.number, numbered.section.clone());
    let id = section.name.as_str();
    let radio = live_radio(live, id);
    let info = radio.and_then(Radio::info);
    let band = band(
        section.get("band").as_deref(),
        section.get("hwmode").as_deref(),
        info,
    );
    let text = value.as_str().unwrap_or_default();
    match param.name {
        "Enable" if value.as_bool() == Some(true) => tx.delete_option(WIRELESS, id, "disabled"),
        "Enable" => tx.set_option(WIRELESS, id, "disabled", "1"),
        "OperatingFrequencyBand" if text == band => {}
        "OperatingFrequencyBand" => {
            return Err(Error::invalid_value(
                "",
                format!("the radio works on {band} only"),
            ))
        }
        "OperatingStandards" => {
            let standards: Vec<&str> = text.split(',').map(str::trim).collect();
            let supported = info.map(|info| &info.hwmodes);
            if let Some(bad) = standards
                .iter()
                .find(|s| supported.is_some_and(|known| !known.iter().any(|k| k == *s)))
            {
                return Err(Error::invalid_value("", format!("{bad} is not supported")));
            }
            let current = section.get("htmode").unwrap_or_default();
            let htmode = htmode_for(&standards, band, &current)
                .map_err(|reason| Error::invalid_value("", reason))?;
            tx.set_option(WIRELESS, id, "htmode", htmode);
        }
        "Channel" => {
            let channel = value.as_u64().unwrap_or_default() as u32;
            let possible = radio.map(|r| r.channels.as_slice()).unwrap_or_default();
            if !possible.is_empty() && !possible.contains(&channel) {
                return Err(Error::invalid_value(
                    "",
                    format!("channel {channel} is not in PossibleChannels"),
                ));
            }
            view.pending.radios.entry(number).or_default().channel = Some(channel);
        }
        "AutoChannelEnable" => {
            view.pending.radios.entry(number).or_default().auto = value.as_bool();
        }
        "TransmitPower" => {
            let Value::Int(percent) = value else {
                return Err(Error::invalid_value("", "not an int"));
            };
            if *percent == -1 {
                tx.delete_option(WIRELESS, id, "txpower");
                return Ok(());
            }
            let levels = radio
                .map(|r| r.power_levels_dbm.as_slice())
                .unwrap_or_default();
            let dbm = power_dbm(*percent, levels).ok_or_else(|| {
                Error::invalid_value(
                    "",
                    format!("{percent} is not one of {TRANSMIT_POWER_SUPPORTED}, or the driver's power levels are unknown"),
                )
            })?;
            tx.set_option(WIRELESS, id, "txpower", dbm.to_string());
        }
        _ => return Err(Error::not_writable("")),
    }
    Ok(())
}

/// Stage `channel` from Channel and AutoChannelEnable: auto wins; turning auto off keeps
/// the channel in use (TR-181 AutoChannelEnable).
pub(crate) fn finish_set(
    view: &mut WifiView,
    live: &LiveState,
    tx: &mut Transaction,
) -> Result<(), Error> {
    let pending = std::mem::take(&mut view.pending.radios);
    for (number, change) in pending {
        let section = &view.radio(&[number])?.section;
        let id = section.name.as_str();
        let channel = match (change.auto, change.channel) {
            (Some(true), _) => "auto".to_string(),
            // Writing back the channel auto selection shows keeps auto selection on.
            (None, Some(channel))
                if channel_auto(section) && channel == shown_channel(live, section) =>
            {
                continue
            }
            (_, Some(channel)) => channel.to_string(),
            (Some(false), None) => {
                let running = live_radio(live, id)
                    .and_then(Radio::info)
                    .and_then(|info| info.channel)
                    .or_else(|| section.get("channel").and_then(|c| c.parse().ok()));
                let Some(channel) = running else {
                    return Err(Error::invalid_value(
                        &format!("Device.WiFi.Radio.{number}.AutoChannelEnable"),
                        "the channel in use is unknown: set Channel too",
                    ));
                };
                channel.to_string()
            }
            (None, None) => continue,
        };
        tx.set_option(WIRELESS, id, "channel", channel);
    }
    Ok(())
}

/// The kernel counters `Radio.{i}.Stats.` and `SSID.{i}.Stats.` share.
pub(crate) fn with_link_counters(object: ObjectDef) -> ObjectDef {
    let counter32 = || Type::unsigned_int().data_type("StatsCounter32");
    object
        .param(stat("BytesSent", counter64()))
        .param(stat("BytesReceived", counter64()))
        .param(stat("PacketsSent", counter64()))
        .param(stat("PacketsReceived", counter64()))
        .param(stat("ErrorsSent", counter32()))
        .param(stat("ErrorsReceived", counter32()))
        .param(stat("DiscardPacketsSent", counter32()))
        .param(stat("DiscardPacketsReceived", counter32()))
}

/// One of those counters of a link (sent = transmitted by the router).
pub(crate) fn link_counter(stats: &LinkStats, name: &str) -> Option<Value> {
    Some(match name {
        "BytesSent" => Value::Unsigned(stats.tx_bytes),
        "BytesReceived" => Value::Unsigned(stats.rx_bytes),
        "PacketsSent" => Value::Unsigned(stats.tx_packets),
        "PacketsReceived" => Value::Unsigned(stats.rx_packets),
        "ErrorsSent" => counter32(stats.tx_errors),
        "ErrorsReceived" => counter32(stats.rx_errors),
        "DiscardPacketsSent" => counter32(stats.tx_dropped),
        "DiscardPacketsReceived" => counter32(stats.rx_dropped),
        _ => return None,
    })
}

pub(crate) fn counter64() -> Type {
    Type::unsigned_long().data_type("StatsCounter64")
}

/// A counter: TR-181 lets the CPE refuse active notification on it.
pub(crate) fn stat(name: &'static str, ty: Type) -> ParamDef {
    ParamDef::read_only(name, ty).active_notify(ActiveNotify::CanDeny)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standards_follow_htmode_and_band() {
        assert_eq!(operating_standards("5GHz", "VHT80"), ["a", "n", "ac"]);
        assert_eq!(operating_standards("5GHz", "HE160"), ["a", "n", "ac", "ax"]);
        assert_eq!(operating_standards("2.4GHz", "HT20"), ["b", "g", "n"]);
        assert_eq!(operating_standards("2.4GHz", "HE40"), ["b", "g", "n", "ax"]);
        assert_eq!(operating_standards("2.4GHz", "NOHT"), ["b", "g"]);
        assert_eq!(operating_standards("6GHz", "EHT320"), ["ax", "be"]);
        assert_eq!(operating_standards("5GHz", "HT40+"), ["a", "n"]);
    }

    #[test]
    fn htmode_from_standards_keeps_the_width() {
        assert_eq!(htmode_for(&["a", "n"], "5GHz", "VHT80"), Ok("HT40".into()));
        assert_eq!(
            htmode_for(&["a", "n", "ac", "ax"], "5GHz", "VHT80"),
            Ok("HE80".into())
        );
        assert_eq!(htmode_for(&["g"], "2.4GHz", "HT20"), Ok("NOHT".into()));
        assert_eq!(
            htmode_for(&["n", "ax"], "2.4GHz", "HT40-"),
            Ok("HE40".into())
        );
        assert!(htmode_for(&["ac"], "2.4GHz", "HT20").is_err());
    }

    #[test]
    fn transmit_power_is_a_share_of_the_highest_level() {
        let levels: Vec<i32> = (0..=23).collect();
        assert_eq!(power_dbm(100, &levels), Some(23));
        assert_eq!(power_dbm(50, &levels), Some(20));
        assert_eq!(power_dbm(25, &levels), Some(17));
        assert_eq!(power_dbm(12, &levels), Some(14));
        assert_eq!(power_dbm(75, &levels), None);
        assert_eq!(power_dbm(100, &[]), None);
        // Snapped down to a level the driver has.
        assert_eq!(power_dbm(50, &[5, 10, 15, 22]), Some(15));
        assert_eq!(power_percent(23, 23), 100);
        assert_eq!(power_percent(20, 23), 50);
        assert_eq!(power_percent(18, 23), 25);
        assert_eq!(power_percent(3, 23), 12);
    }

    #[test]
    fn bands() {
        assert_eq!(band(Some("5g"), None, None), "5GHz");
        assert_eq!(band(None, Some("11a"), None), "5GHz");
        assert_eq!(band(None, Some("11g"), None), "2.4GHz");
        let info = Info {
            frequency: Some(2412),
            ..Info::default()
        };
        assert_eq!(band(None, None, Some(&info)), "2.4GHz");
        assert_eq!(band(None, None, None), "");
    }
}
