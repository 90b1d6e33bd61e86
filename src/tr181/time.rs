//! `Device.Time.` (TR-181 Device:2) over UCI `system`: the NTP client of the
//! `timeserver 'ntp'` section (sysntpd, busybox ntpd) and the time zone of the first `system`
//! section.
//!
//! | TR-181 | UCI `system` | notes |
//! |---|---|---|
//! | Enable | `ntp.enabled` | sysntpd default `1` |
//! | Status | — | `Disabled`; `Error` when enabled without servers; else `Unsynchronized`: ntpd's sync state is not in UCI, so cwmpd does not claim `Synchronized` |
//! | NTPServer1–5 | `ntp.server` list, items 1–5 | writing empty removes the item, so later servers move up; items beyond the fifth are kept |
//! | CurrentLocalTime | `@system[0].timezone` | now, shown in the zone's offset (DST rules evaluated) |
//! | LocalTimeZone | `@system[0].timezone` | a POSIX TZ string (`CET-1CEST,M3.5.0,M10.5.0/3`), as TR-181 and OpenWrt both use; default `UTC`. Writing another zone removes `zonename`, which would otherwise name the old one; writing the zone in force changes nothing |
//!
//! NTPServer1–5 were deleted from Device:2.19 in favour of `Time.Client.{i}.Servers`; they are
//! served because the issue asks for them and ACSs in the field still set them (string(64) as
//! in Device:2.18; the conformance test lists them as documented deviations). Changes commit
//! `system`; the daemon then reloads it (sysntpd and the time zone follow).

use super::uci_value::{bool_option, uci_bool};
use crate::datamodel::{
    ActiveNotify, Area, AreaView, ConfigSection, Context, Error, ObjectDef, ParamDef, ParamRef,
    Transaction, Type, Value,
};

const SYSTEM: &str = "system";
const NTP_SECTION: &str = "ntp";
const TIME: &str = "Device.Time.";
const NTP_SERVER_SLOTS: usize = 5;
const NTP_SERVER_PARAMS: [&str; NTP_SERVER_SLOTS] = [
    "NTPServer1",
    "NTPServer2",
    "NTPServer3",
    "NTPServer4",
    "NTPServer5",
];
/// What /etc/init.d/system assumes without a `timezone`.
const DEFAULT_TIME_ZONE: &str = "UTC";

/// `Device.Time.`
pub struct TimeArea;

impl Area for TimeArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let mut time = ObjectDef::new(TIME)
            .param(ParamDef::read_write("Enable", Type::boolean()))
            .param(ParamDef::read_only(
                "Status",
                Type::any_string().enumeration(&[
                    "Disabled",
                    "Unsynchronized",
                    "Synchronized",
                    "Error",
                ]),
            ));
        for name in NTP_SERVER_PARAMS {
            time = time.param(ParamDef::read_write(name, Type::string(64)));
        }
        vec![time
            .param(
                ParamDef::read_only("CurrentLocalTime", Type::date_time())
                    .active_notify(ActiveNotify::CanDeny),
            )
            .param(ParamDef::read_write("LocalTimeZone", Type::string(256)))]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let system = ctx.config.sections(SYSTEM)?;
        let ntp = system
            .iter()
            .find(|s| s.name == NTP_SECTION && s.section_type == "timeserver");
        let system_section = system.iter().find(|s| s.section_type == "system");
        Ok(Box::new(TimeView {
            servers: ntp
                .map(|s| s.list("server").iter().map(|i| i.to_string()).collect())
                .unwrap_or_default(),
            enabled: ntp.is_none_or(|s| bool_option(s, "enabled", true)),
            ntp_exists: ntp.is_some(),
            system: system_section.cloned(),
            pending_servers: None,
        }))
    }
}

struct TimeView {
    servers: Vec<String>,
    enabled: bool,
    ntp_exists: bool,
    /// The first `system` section (anonymous on every stock image).
    system: Option<ConfigSection>,
    /// The server slots as the current SetParameterValues leaves them.
    pending_servers: Option<Vec<String>>,
}

impl TimeView {
    fn time_zone(&self) -> String {
        let zone = self.system.as_ref().and_then(|s| s.get("timezone"));
        zone.filter(|z| !z.is_empty())
            .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_string())
    }

    fn status(&self) -> &'static str {
        match (self.enabled, self.servers.is_empty()) {
            (false, _) => "Disabled",
            (true, true) => "Error",
            (true, false) => "Unsynchronized",
        }
    }

    fn current_local_time(&self, now: i64) -> Value {
        let offset = PosixTz::parse(&self.time_zone()).map_or(0, |tz| tz.offset_at(now));
        Value::LocalDateTime { secs: now, offset }
    }

    fn set_server(&mut self, slot: usize, server: &str) {
        let servers = self.pending_servers.get_or_insert_with(|| {
            let mut slots = self.servers.clone();
            slots.resize(slots.len().max(NTP_SERVER_SLOTS), String::new());
            slots
        });
        servers[slot] = server.trim().to_string();
    }

    fn stage_time_zone(&self, tx: &mut Transaction, zone: &str) -> Result<(), Error> {
        let Some(system) = &self.system else {
            return Err(Error::invalid_value("", "there is no system section"));
        };
        // The zone in force written back keeps `zonename`, which still names it.
        if zone == self.time_zone() {
            return Ok(());
        }
        if !zone.is_empty() && PosixTz::parse(zone).is_none() {
            return Err(Error::invalid_value(
                "",
                format!("{zone:?} is not a POSIX TZ string"),
            ));
        }
        match zone {
            "" => tx.delete_option(SYSTEM, &system.name, "timezone"),
            _ => tx.set_option(SYSTEM, &system.name, "timezone", zone),
        }
        if system.get("zonename").is_some() {
            tx.delete_option(SYSTEM, &system.name, "zonename");
        }
        Ok(())
    }

    /// Stage the `timeserver 'ntp'` section if the image has none (once per RPC).
    fn ensure_ntp_section(&mut self, tx: &mut Transaction) {
        if !self.ntp_exists {
            tx.add_section(SYSTEM, "timeserver", NTP_SECTION);
            self.ntp_exists = true;
        }
    }
}

impl AreaView for TimeView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        if let Some(slot) = NTP_SERVER_PARAMS.iter().position(|n| *n == param.name) {
            return Ok(Value::String(
                self.servers.get(slot).cloned().unwrap_or_default(),
            ));
        }
        Ok(match param.name {
            "Enable" => Value::Boolean(self.enabled),
            "Status" => Value::from(self.status()),
            "CurrentLocalTime" => self.current_local_time(ctx.now),
            "LocalTimeZone" => Value::String(self.time_zone()),
            other => return Err(Error::not_served(other)),
        })
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let text = value.as_str().unwrap_or_default();
        if let Some(slot) = NTP_SERVER_PARAMS.iter().position(|n| *n == param.name) {
            if text.contains(char::is_whitespace) {
                return Err(Error::invalid_value("", "a server name has no spaces"));
            }
            self.set_server(slot, text);
            return Ok(());
        }
        match param.name {
            "Enable" => {
                self.ensure_ntp_section(tx);
                let enable = uci_bool(value.as_bool().unwrap_or_default());
                tx.set_option(SYSTEM, NTP_SECTION, "enabled", enable);
                Ok(())
            }
            "LocalTimeZone" => self.stage_time_zone(tx, text),
            _ => Err(Error::not_writable("")),
        }
    }

    /// The five NTPServer parameters share one list: write it once.
    fn finish_set(&mut self, _ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        let Some(slots) = self.pending_servers.take() else {
            return Ok(());
        };
        let servers: Vec<String> = slots.into_iter().filter(|s| !s.is_empty()).collect();
        self.ensure_ntp_section(tx);
        tx.set_list(SYSTEM, NTP_SECTION, "server", servers);
        Ok(())
    }
}

/// A POSIX TZ string (`std offset [dst [offset] [,start[/time],end[/time]]]`, POSIX.1
/// §8.3), enough to find the UTC offset at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PosixTz {
    /// Seconds east of UTC in standard time (POSIX writes them west: `CET-1` is +3600).
    standard: i32,
    daylight: Option<Daylight>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Daylight {
    offset: i32,
    start: Transition,
    end: Transition,
}

/// When daylight time starts or ends: a day rule and the local time of day in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transition {
    day: DayRule,
    time: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayRule {
    /// `Jn`: day 1–365, February 29 never counted.
    Julian(u16),
    /// `n`: day 0–365, February 29 counted.
    ZeroBased(u16),
    /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
    MonthWeekDay { month: u8, week: u8, weekday: u8 },
}

/// The rules glibc assumes when a TZ names a daylight zone without rules (US, 2007).
const DEFAULT_RULES: &str = "M3.2.0,M11.1.0";

impl PosixTz {
    fn parse(text: &str) -> Option<PosixTz> {
        let mut rest = text.trim();
        rest = skip_zone_name(rest)?;
        if rest.is_empty() {
            // `UTC`, OpenWrt's default, names no offset: musl and glibc read it as UTC.
            return Some(PosixTz {
                standard: 0,
                daylight: None,
            });
        }
        let (standard_west, after) = parse_hms(rest, MAX_OFFSET_HOURS)?;
        rest = after;
        let standard = -standard_west;
        if rest.is_empty() {
            return Some(PosixTz {
                standard,
                daylight: None,
            });
        }
        rest = skip_zone_name(rest)?;
        let mut offset = standard + 3600;
        if !rest.starts_with(',') && !rest.is_empty() {
            let (daylight_west, after) = parse_hms(rest, MAX_OFFSET_HOURS)?;
            offset = -daylight_west;
            rest = after;
        }
        let rules = rest.strip_prefix(',').unwrap_or(DEFAULT_RULES);
        if !rest.is_empty() && !rest.starts_with(',') {
            return None;
        }
        let (start, end) = rules.split_once(',')?;
        Some(PosixTz {
            standard,
            daylight: Some(Daylight {
                offset,
                start: Transition::parse(start)?,
                end: Transition::parse(end)?,
            }),
        })
    }

    /// Seconds east of UTC at the instant `utc` (Unix seconds).
    fn offset_at(&self, utc: i64) -> i32 {
        let Some(daylight) = &self.daylight else {
            return self.standard;
        };
        let year = civil_year(utc + i64::from(self.standard));
        let start = daylight.start.utc(year, self.standard);
        let end = daylight.end.utc(year, daylight.offset);
        let in_daylight = if start < end {
            start <= utc && utc < end
        } else {
            // Southern hemisphere: daylight time spans the new year.
            !(end <= utc && utc < start)
        };
        match in_daylight {
            true => daylight.offset,
            false => self.standard,
        }
    }
}

impl Transition {
    fn parse(text: &str) -> Option<Transition> {
        let (rule, time) = match text.split_once('/') {
            Some((rule, time)) => {
                let (seconds, rest) = parse_hms(time, MAX_TRANSITION_HOURS)?;
                (rule, rest.is_empty().then_some(seconds)?)
            }
            None => (text, 7200),
        };
        let day = if let Some(julian) = rule.strip_prefix('J') {
            DayRule::Julian(julian.parse().ok().filter(|d| (1..=365).contains(d))?)
        } else if let Some(mwd) = rule.strip_prefix('M') {
            let mut parts = mwd.split('.').map(|p| p.parse::<u8>().ok());
            let (month, week, weekday) = (parts.next()??, parts.next()??, parts.next()??);
            let valid = (1..=12).contains(&month) && (1..=5).contains(&week) && weekday <= 6;
            (valid && parts.next().is_none()).then_some(DayRule::MonthWeekDay {
                month,
                week,
                weekday,
            })?
        } else {
            DayRule::ZeroBased(rule.parse().ok().filter(|d| *d <= 365)?)
        };
        Some(Transition { day, time })
    }

    /// The instant of the transition in `year`, given the offset in force before it.
    fn utc(&self, year: i64, offset_before: i32) -> i64 {
        let day = match self.day {
            DayRule::Julian(n) => {
                let leap_shift = i64::from(is_leap(year) && n >= 60);
                days_from_civil(year, 1, 1) + i64::from(n) - 1 + leap_shift
            }
            DayRule::ZeroBased(n) => days_from_civil(year, 1, 1) + i64::from(n),
            DayRule::MonthWeekDay {
                month,
                week,
                weekday,
            } => month_week_day(year, month, week, weekday),
        };
        day * 86_400 + i64::from(self.time) - i64::from(offset_before)
    }
}

/// Skip a zone name: three or more letters, or `<...>` (e.g. `<+03>`).
fn skip_zone_name(text: &str) -> Option<&str> {
    if let Some(quoted) = text.strip_prefix('<') {
        let end = quoted.find('>')?;
        return (end >= 3).then(|| &quoted[end + 1..]);
    }
    let length = text.chars().take_while(char::is_ascii_alphabetic).count();
    (length >= 3).then(|| &text[length..])
}

/// A zone's offset: at most 24 hours (POSIX); a transition time may reach 167 (RFC 8536).
const MAX_OFFSET_HOURS: i32 = 24;
const MAX_TRANSITION_HOURS: i32 = 167;

/// `[+-]hh[:mm[:ss]]` in seconds (hours at most `max_hours`), and what follows it.
fn parse_hms(text: &str, max_hours: i32) -> Option<(i32, &str)> {
    let (sign, unsigned) = match text.as_bytes().first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => (1, text),
    };
    let length = unsigned
        .find(|c: char| !c.is_ascii_digit() && c != ':')
        .unwrap_or(unsigned.len());
    let mut parts = unsigned[..length].split(':');
    let hours: i32 = parts.next()?.parse().ok().filter(|h| *h <= max_hours)?;
    let minutes: i32 = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    let seconds: i32 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    if minutes > 59 || seconds > 59 || parts.next().is_some() {
        return None;
    }
    Some((
        sign * (hours * 3600 + minutes * 60 + seconds),
        &unsigned[length..],
    ))
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil year of a Unix time.
fn civil_year(secs: i64) -> i64 {
    let days = secs.div_euclid(86_400);
    // An estimate corrected by at most one year either way.
    let mut year = 1970 + days.div_euclid(365);
    while days_from_civil(year, 1, 1) > days {
        year -= 1;
    }
    while days_from_civil(year + 1, 1, 1) <= days {
        year += 1;
    }
    year
}

/// The day (since the epoch) of weekday `weekday` of week `week` (5 = last) of a month.
fn month_week_day(year: i64, month: u8, week: u8, weekday: u8) -> i64 {
    let first = days_from_civil(year, month, 1);
    // 1970-01-01 was a Thursday (4).
    let first_weekday = (first + 4).rem_euclid(7);
    let mut day =
        first + (i64::from(weekday) - first_weekday).rem_euclid(7) + 7 * (i64::from(week) - 1);
    let next_month = match month {
        12 => days_from_civil(year + 1, 1, 1),
        m => days_from_civil(year, m + 1, 1),
    };
    while day >= next_month {
        day -= 7;
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::test_router::{fixture, Router, NOW};

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn stock_23_05() {
        let mut router = Router::new(&[("system", "system-23.05")]);
        assert_eq!(
            router.values_below(TIME),
            pairs(&[
                ("Enable", "true"),
                ("Status", "Unsynchronized"),
                ("NTPServer1", "0.openwrt.pool.ntp.org"),
                ("NTPServer2", "1.openwrt.pool.ntp.org"),
                ("NTPServer3", "2.openwrt.pool.ntp.org"),
                ("NTPServer4", "3.openwrt.pool.ntp.org"),
                ("NTPServer5", ""),
                ("CurrentLocalTime", "2026-11-24T17:30:00+00:00"),
                ("LocalTimeZone", "UTC"),
            ])
        );
    }

    #[test]
    fn local_time_follows_the_posix_zone() {
        let mut router = Router::new(&[("system", "system-24.10")]);
        assert_eq!(
            router.value("Device.Time.CurrentLocalTime"),
            "2026-11-24T18:30:00+01:00"
        );
        assert_eq!(
            router.value("Device.Time.LocalTimeZone"),
            "CET-1CEST,M3.5.0,M10.5.0/3"
        );
        assert_eq!(router.value("Device.Time.Enable"), "true");
    }

    #[test]
    fn servers_share_one_list() {
        let mut router = Router::new(&[("system", "system-23.05")]);
        let status = router.spv(&[
            ("Device.Time.NTPServer2", ""),
            ("Device.Time.NTPServer5", "time.example.net"),
            ("Device.Time.NTPServer1", "ntp.example.net"),
        ]);
        assert_eq!(status, Ok(0));
        assert_eq!(router.changed_packages, ["system"]);
        assert_eq!(
            router.file("system"),
            fixture("system-23.05").replace(
                "\tlist server '0.openwrt.pool.ntp.org'\n\tlist server '1.openwrt.pool.ntp.org'\n\
                 \tlist server '2.openwrt.pool.ntp.org'\n\tlist server '3.openwrt.pool.ntp.org'\n",
                "\tlist server 'ntp.example.net'\n\tlist server '2.openwrt.pool.ntp.org'\n\
                 \tlist server '3.openwrt.pool.ntp.org'\n\tlist server 'time.example.net'\n"
            )
        );
        assert_eq!(router.value("Device.Time.NTPServer4"), "time.example.net");
    }

    #[test]
    fn time_zone_and_enable_are_written() {
        let mut router = Router::new(&[("system", "system-24.10")]);
        let status = router.spv(&[
            ("Device.Time.LocalTimeZone", "<+0330>-3:30"),
            ("Device.Time.Enable", "false"),
        ]);
        assert_eq!(status, Ok(0));
        assert_eq!(
            router.file("system"),
            fixture("system-24.10")
                .replace(
                    "\toption timezone 'CET-1CEST,M3.5.0,M10.5.0/3'\n\toption zonename 'Europe/Berlin'\n",
                    "\toption timezone '<+0330>-3:30'\n"
                )
                .replace(
                    "\tlist server '3.openwrt.pool.ntp.org'\n",
                    "\tlist server '3.openwrt.pool.ntp.org'\n\toption enabled '0'\n"
                )
        );
        assert_eq!(
            router.values_below(TIME)[..2],
            pairs(&[("Enable", "false"), ("Status", "Disabled")])
        );
        assert_eq!(
            router.value("Device.Time.CurrentLocalTime"),
            "2026-11-24T21:00:00+03:30"
        );
    }

    #[test]
    fn writing_back_the_time_zone_keeps_its_name() {
        let mut router = Router::new(&[("system", "system-24.10")]);
        let zone = "CET-1CEST,M3.5.0,M10.5.0/3";
        assert_eq!(router.value("Device.Time.LocalTimeZone"), zone);
        assert_eq!(router.spv(&[("Device.Time.LocalTimeZone", zone)]), Ok(0));
        assert_eq!(router.file("system"), fixture("system-24.10"));
        assert!(router.changed_packages.is_empty());
    }

    #[test]
    fn a_missing_ntp_section_is_created_once() {
        let mut router = Router::new(&[("system", "system-24.10")]);
        let ntp = "config timeserver 'ntp'\n\tlist server '0.openwrt.pool.ntp.org'\n\
                   \tlist server '1.openwrt.pool.ntp.org'\n\tlist server '2.openwrt.pool.ntp.org'\n\
                   \tlist server '3.openwrt.pool.ntp.org'\n";
        router.write_file("system", &fixture("system-24.10").replace(ntp, ""));
        assert_eq!(router.value("Device.Time.Status"), "Error");
        let status = router.spv(&[
            ("Device.Time.Enable", "true"),
            ("Device.Time.NTPServer1", "ntp.example.net"),
        ]);
        assert_eq!(status, Ok(0));
        let created = "config timeserver 'ntp'\n\toption enabled '1'\n\
                       \tlist server 'ntp.example.net'\n";
        // A new section goes after the last one, before the file's trailing blank lines.
        assert_eq!(
            router.file("system"),
            fixture("system-24.10").replace(ntp, created) + "\n"
        );
    }

    #[test]
    fn one_bad_parameter_changes_nothing() {
        let mut router = Router::new(&[("system", "system-24.10")]);
        let faults = router.spv_faults(&[
            ("Device.Time.NTPServer1", "ntp.example.net"),
            ("Device.Time.LocalTimeZone", "Europe/Berlin"),
            ("Device.Time.NTPServer2", "two words"),
            ("Device.Time.CurrentLocalTime", "2026-11-24T18:30:00Z"),
            ("Device.Time.Status", "Synchronized"),
        ]);
        assert_eq!(
            faults,
            (
                9003,
                vec![
                    ("Device.Time.LocalTimeZone".into(), 9007),
                    ("Device.Time.NTPServer2".into(), 9007),
                    ("Device.Time.CurrentLocalTime".into(), 9008),
                    ("Device.Time.Status".into(), 9008),
                ]
            )
        );
        assert_eq!(router.file("system"), fixture("system-24.10"));
    }

    fn offset(tz: &str, utc: i64) -> i32 {
        PosixTz::parse(tz).unwrap().offset_at(utc)
    }

    #[test]
    fn posix_zones() {
        let berlin = "CET-1CEST,M3.5.0,M10.5.0/3";
        // 2026: daylight time from March 29 01:00 UTC to October 25 01:00 UTC.
        let start = days_from_civil(2026, 3, 29) * 86_400 + 3600;
        let end = days_from_civil(2026, 10, 25) * 86_400 + 3600;
        assert_eq!(offset(berlin, start - 1), 3600);
        assert_eq!(offset(berlin, start), 7200);
        assert_eq!(offset(berlin, end - 1), 7200);
        assert_eq!(offset(berlin, end), 3600);
        let sydney = "AEST-10AEDT,M10.1.0,M4.1.0/3";
        assert_eq!(offset(sydney, NOW), 39_600);
        assert_eq!(offset(sydney, start + 30 * 86_400), 36_000);
        // Default (US) rules, and a zone without daylight time.
        assert_eq!(offset("EST5EDT", start + 100 * 86_400), -14_400);
        assert_eq!(offset("EST5EDT", NOW), -18_000);
        assert_eq!(offset("<-03>3", NOW), -10_800);
        assert_eq!(offset("UTC", NOW), 0);
        assert_eq!(offset("NZST-12NZDT,J272/2,J96/3", NOW), 46_800);
        for bad in [
            "Europe/Berlin",
            "",
            "C-1",
            "CET-1CEST,M13.5.0,M10.5.0",
            "CET-25",
        ] {
            assert_eq!(PosixTz::parse(bad), None, "{bad}");
        }
        assert_eq!(civil_year(NOW), 2026);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}
