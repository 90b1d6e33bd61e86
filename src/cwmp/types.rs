//! Wire data types of TR-069 Amendment 6 Annex A, named as the spec names them.
//!
//! These are the "Repr" half of the codec: plain owned structs with no I/O. The XML layer
//! (`xml.rs`) reads and writes them; the session and the data model produce and consume them.

/// The CWMP namespace an envelope uses (TR-069 §3.4 / A.2.1).
///
/// CWMP 1.0 and 1.1 have namespaces of their own; CWMP 1.2, 1.3 and 1.4 all use
/// `urn:dslforum-org:cwmp-1-2`. The parser also accepts the non-standard `-1-3` and `-1-4`
/// spellings some ACSes send and answers in the namespace the peer used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CwmpNamespace {
    /// The minor version in `urn:dslforum-org:cwmp-1-N` (0..=4).
    pub minor: u8,
}

impl CwmpNamespace {
    pub const V1_0: CwmpNamespace = CwmpNamespace { minor: 0 };
    pub const V1_1: CwmpNamespace = CwmpNamespace { minor: 1 };
    pub const V1_2: CwmpNamespace = CwmpNamespace { minor: 2 };

    /// Parse a namespace URI; `None` when it is not a CWMP namespace.
    pub fn from_uri(uri: &str) -> Option<CwmpNamespace> {
        let minor = uri.strip_prefix("urn:dslforum-org:cwmp-1-")?;
        match minor {
            "0" | "1" | "2" | "3" | "4" => Some(CwmpNamespace {
                minor: minor.as_bytes()[0] - b'0',
            }),
            _ => None,
        }
    }

    pub fn uri(self) -> &'static str {
        match self.minor {
            0 => "urn:dslforum-org:cwmp-1-0",
            1 => "urn:dslforum-org:cwmp-1-1",
            2 => "urn:dslforum-org:cwmp-1-2",
            3 => "urn:dslforum-org:cwmp-1-3",
            _ => "urn:dslforum-org:cwmp-1-4",
        }
    }
}

impl Default for CwmpNamespace {
    fn default() -> Self {
        CwmpNamespace::V1_2
    }
}

/// The XML Schema type of a parameter value on the wire (`xsi:type`, TR-069 A.2.1 / TR-106).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum XsdType {
    #[default]
    String,
    Int,
    UnsignedInt,
    Long,
    UnsignedLong,
    Boolean,
    DateTime,
    Base64,
    HexBinary,
    /// Any other `xsi:type` the ACS sent (kept verbatim, without prefix); also "none given".
    Other(String),
}

impl XsdType {
    /// The local name used after the `xsd:` prefix.
    pub fn local_name(&self) -> &str {
        match self {
            XsdType::String => "string",
            XsdType::Int => "int",
            XsdType::UnsignedInt => "unsignedInt",
            XsdType::Long => "long",
            XsdType::UnsignedLong => "unsignedLong",
            XsdType::Boolean => "boolean",
            XsdType::DateTime => "dateTime",
            XsdType::Base64 => "base64Binary",
            XsdType::HexBinary => "hexBinary",
            XsdType::Other(name) => name,
        }
    }

    /// Map a local name (the part after the prefix of `xsi:type`) to a type.
    pub fn from_local_name(name: &str) -> XsdType {
        match name {
            "string" => XsdType::String,
            "int" => XsdType::Int,
            "unsignedInt" => XsdType::UnsignedInt,
            "long" => XsdType::Long,
            "unsignedLong" => XsdType::UnsignedLong,
            "boolean" => XsdType::Boolean,
            "dateTime" => XsdType::DateTime,
            "base64Binary" | "base64" => XsdType::Base64,
            "hexBinary" => XsdType::HexBinary,
            other => XsdType::Other(other.to_string()),
        }
    }
}

/// DeviceIdStruct (A.3.3.1, Inform).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceIdStruct {
    pub manufacturer: String,
    /// Six upper-case hex digits.
    pub oui: String,
    pub product_class: String,
    pub serial_number: String,
}

/// EventStruct (A.3.3.1): an event code such as `"1 BOOT"` or `"M Reboot"` and its CommandKey.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct EventStruct {
    pub event_code: String,
    pub command_key: String,
}

impl EventStruct {
    pub fn new(event_code: &str, command_key: &str) -> EventStruct {
        EventStruct {
            event_code: event_code.to_string(),
            command_key: command_key.to_string(),
        }
    }
}

/// ParameterValueStruct (A.3.2.1). `value` is the lexical form as it travels on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParameterValueStruct {
    pub name: String,
    pub value: String,
    /// The `xsi:type` of the value. On input, `Other("")` means the ACS gave none.
    pub xsd_type: XsdType,
}

/// ParameterInfoStruct (A.3.2.3, GetParameterNamesResponse).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParameterInfoStruct {
    pub name: String,
    pub writable: bool,
}

/// SetParameterAttributesStruct (A.3.2.4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetParameterAttributesStruct {
    pub name: String,
    pub notification_change: bool,
    /// 0 off, 1 passive, 2 active (3..6 are CWMP 1.4 lightweight variants).
    pub notification: u8,
    pub access_list_change: bool,
    pub access_list: Vec<String>,
}

/// ParameterAttributeStruct (A.3.2.5, GetParameterAttributesResponse).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParameterAttributeStruct {
    pub name: String,
    pub notification: u8,
    pub access_list: Vec<String>,
}

/// FaultStruct inside TransferComplete / AutonomousTransferComplete (A.3.3.2). Code 0 = success.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FaultStruct {
    pub fault_code: u32,
    pub fault_string: String,
}

/// QueuedTransferStruct (A.4.1.3, GetQueuedTransfersResponse).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueuedTransferStruct {
    pub command_key: String,
    /// 1 not yet started, 2 in progress, 3 completed.
    pub state: u8,
}

/// AllQueuedTransferStruct (A.4.1.7, GetAllQueuedTransfersResponse).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllQueuedTransferStruct {
    pub command_key: String,
    pub state: u8,
    pub is_download: bool,
    pub file_type: String,
    pub file_size: u32,
    pub target_file_name: String,
}

/// TimeWindowStruct (A.4.1.8, ScheduleDownload).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimeWindowStruct {
    pub window_start: u32,
    pub window_end: u32,
    /// "1 At Any Time", "2 Immediately", "3 When Idle", "4 Confirmation Needed".
    pub window_mode: String,
    pub user_message: String,
    /// -1 means no limit.
    pub max_retries: i32,
}

/// ArgStruct (RequestDownload FileTypeArg, Kicked).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArgStruct {
    pub name: String,
    pub value: String,
}

/// One SetParameterValuesFault entry inside a 9003 fault (A.5.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetParameterValuesFault {
    pub parameter_name: String,
    pub fault_code: u32,
    pub fault_string: String,
}

/// The "unknown time" of TR-069 (A.2.1): used where a dateTime is required but not known.
pub const UNKNOWN_TIME: &str = "0001-01-01T00:00:00Z";

/// Format seconds since the Unix epoch as a TR-069 dateTime in UTC (`2026-11-24T17:30:00Z`).
pub fn format_datetime(unix_secs: i64) -> String {
    let days = unix_secs.div_euclid(86_400);
    let secs_of_day = unix_secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs_of_day / 3600,
        (secs_of_day / 60) % 60,
        secs_of_day % 60
    )
}

/// Parse a TR-069 dateTime (`YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]`, no zone = UTC) to Unix seconds.
/// Returns `None` for malformed input. The unknown time parses to its (very negative) value.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 19 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[10] != b'T' {
        return None;
    }
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "" | "Z" => 0,
        zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            if zone.as_bytes()[3] != b':' {
                return None;
            }
            let hours: i64 = zone.get(1..3)?.parse().ok()?;
            let minutes: i64 = zone.get(4..6)?.parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_round_trip() {
        for minor in 0..=4u8 {
            let ns = CwmpNamespace { minor };
            assert_eq!(CwmpNamespace::from_uri(ns.uri()), Some(ns));
        }
        assert_eq!(CwmpNamespace::from_uri("urn:dslforum-org:cwmp-1-5"), None);
        assert_eq!(CwmpNamespace::from_uri("urn:dslforum-org:cwmp-1-"), None);
    }

    #[test]
    fn datetime_formats_exact_values() {
        assert_eq!(format_datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_datetime(1_795_541_400), "2026-11-24T17:30:00Z");
        assert_eq!(format_datetime(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn datetime_parses_zones_and_fractions() {
        assert_eq!(parse_datetime("2026-11-24T17:30:00Z"), Some(1_795_541_400));
        assert_eq!(parse_datetime("2026-11-24T17:30:00"), Some(1_795_541_400));
        assert_eq!(
            parse_datetime("2026-11-24T18:30:00+01:00"),
            Some(1_795_541_400)
        );
        assert_eq!(
            parse_datetime("2026-11-24T17:30:00.123456Z"),
            Some(1_795_541_400)
        );
        assert_eq!(parse_datetime(UNKNOWN_TIME), Some(-62_135_596_800));
        assert_eq!(parse_datetime("2026-13-24T17:30:00Z"), None);
        assert_eq!(parse_datetime("2026-11-24 17:30:00Z"), None);
        assert_eq!(parse_datetime("2026-11-24T17:30:00."), None);
        assert_eq!(parse_datetime("tomorrow"), None);
    }
}
