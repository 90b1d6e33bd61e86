//! TR-106 parameter types (base types with their facets) and typed values.
//!
//! A [`Type`] is what a schema declares (`unsignedInt` with range `1..`, `string(64)`, a
//! comma-separated list of an enumeration, …). A [`Value`] is what an area answers and what
//! SetParameterValues delivers to an area after [`Type::parse`] has checked it.

use std::fmt::Write;

use crate::cwmp::types::{format_datetime, parse_datetime, XsdType, UNKNOWN_TIME};

/// The TR-106 primitive types CWMP carries (TR-106 §3.2, TR-069 A.2.1). `decimal` is not a
/// CWMP wire type and no parameter cwmpd serves uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseType {
    String,
    Int,
    UnsignedInt,
    Long,
    UnsignedLong,
    Boolean,
    DateTime,
    Base64,
    HexBinary,
}

impl BaseType {
    /// The `xsi:type` this base type travels as.
    pub fn xsd_type(self) -> XsdType {
        match self {
            BaseType::String => XsdType::String,
            BaseType::Int => XsdType::Int,
            BaseType::UnsignedInt => XsdType::UnsignedInt,
            BaseType::Long => XsdType::Long,
            BaseType::UnsignedLong => XsdType::UnsignedLong,
            BaseType::Boolean => XsdType::Boolean,
            BaseType::DateTime => XsdType::DateTime,
            BaseType::Base64 => XsdType::Base64,
            BaseType::HexBinary => XsdType::HexBinary,
        }
    }

    /// The name TR-106 (and the BBF TSV index) uses.
    pub fn tr106_name(self) -> &'static str {
        match self {
            BaseType::String => "string",
            BaseType::Int => "int",
            BaseType::UnsignedInt => "unsignedInt",
            BaseType::Long => "long",
            BaseType::UnsignedLong => "unsignedLong",
            BaseType::Boolean => "boolean",
            BaseType::DateTime => "dateTime",
            BaseType::Base64 => "base64",
            BaseType::HexBinary => "hexBinary",
        }
    }

    /// The full range of a numeric base type.
    fn natural_range(self) -> Option<(i128, i128)> {
        match self {
            BaseType::Int => Some((i32::MIN.into(), i32::MAX.into())),
            BaseType::UnsignedInt => Some((0, u32::MAX.into())),
            BaseType::Long => Some((i64::MIN.into(), i64::MAX.into())),
            BaseType::UnsignedLong => Some((0, u64::MAX.into())),
            _ => None,
        }
    }
}

/// A declared parameter type: base type plus the TR-106 facets cwmpd checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Type {
    pub base: BaseType,
    /// The named TR-106/TR-181 data type, e.g. `URL`, `IPAddress` (documentation and
    /// conformance only; the checks are those of the base type and facets).
    pub data_type: Option<&'static str>,
    /// Length limits in characters (strings) or bytes (base64, hexBinary): `(min, max)`.
    /// For a list, the limits apply to each item.
    pub size: Option<(Option<u32>, Option<u32>)>,
    /// Inclusive numeric limits; `None` on a side means the base type's own limit.
    pub range: Option<(Option<i128>, Option<i128>)>,
    /// Allowed values (for a list: allowed items). Empty means any.
    pub enumeration: &'static [&'static str],
    /// A comma-separated list of values (TR-106 §3.2.3).
    pub list: bool,
    /// Maximum length of the whole list string, when it has one.
    pub list_max_len: Option<u32>,
}

impl Type {
    const fn of(base: BaseType) -> Type {
        Type {
            base,
            data_type: None,
            size: None,
            range: None,
            enumeration: &[],
            list: false,
            list_max_len: None,
        }
    }

    /// `string` without a length limit.
    pub const fn any_string() -> Type {
        Type::of(BaseType::String)
    }

    /// `string(:max_len)`.
    pub const fn string(max_len: u32) -> Type {
        let mut ty = Type::of(BaseType::String);
        ty.size = Some((None, Some(max_len)));
        ty
    }

    pub const fn int() -> Type {
        Type::of(BaseType::Int)
    }

    pub const fn unsigned_int() -> Type {
        Type::of(BaseType::UnsignedInt)
    }

    pub const fn long() -> Type {
        Type::of(BaseType::Long)
    }

    pub const fn unsigned_long() -> Type {
        Type::of(BaseType::UnsignedLong)
    }

    pub const fn boolean() -> Type {
        Type::of(BaseType::Boolean)
    }

    pub const fn date_time() -> Type {
        Type::of(BaseType::DateTime)
    }

    pub const fn base64() -> Type {
        Type::of(BaseType::Base64)
    }

    pub const fn hex_binary() -> Type {
        Type::of(BaseType::HexBinary)
    }

    /// Length limits `min..max` (characters for strings, bytes for binary types).
    pub const fn size(mut self, min: Option<u32>, max: Option<u32>) -> Type {
        self.size = Some((min, max));
        self
    }

    /// Inclusive numeric range `min..max`.
    pub const fn range(mut self, min: Option<i128>, max: Option<i128>) -> Type {
        self.range = Some((min, max));
        self
    }

    pub const fn enumeration(mut self, values: &'static [&'static str]) -> Type {
        self.enumeration = values;
        self
    }

    /// Make this a comma-separated list whose items have this type's facets.
    pub const fn list(mut self) -> Type {
        self.list = true;
        self
    }

    pub const fn list_max_len(mut self, max_len: u32) -> Type {
        self.list_max_len = Some(max_len);
        self
    }

    pub const fn data_type(mut self, name: &'static str) -> Type {
        self.data_type = Some(name);
        self
    }

    /// The effective inclusive range of a numeric type.
    pub fn numeric_range(&self) -> Option<(i128, i128)> {
        let (natural_min, natural_max) = self.base.natural_range()?;
        let (min, max) = self.range.unwrap_or((None, None));
        Some((min.unwrap_or(natural_min), max.unwrap_or(natural_max)))
    }

    /// The `xsi:type` on the wire: a list is a comma-separated string whatever its items
    /// (TR-106 §3.2.3), anything else its base type's.
    pub fn xsd_type(&self) -> XsdType {
        match self.list {
            true => XsdType::String,
            false => self.base.xsd_type(),
        }
    }

    /// Check that the `xsi:type` an ACS sent suits this type. A missing type (`Other("")`) is
    /// accepted; anything else must be the base type's own (TR-069 A.3.2.1: fault 9006).
    pub fn accepts_xsd(&self, xsd: &XsdType) -> bool {
        match xsd {
            XsdType::Other(name) => name.is_empty(),
            given => *given == self.xsd_type(),
        }
    }

    /// Parse a lexical value into a typed value and check every facet. The error text says
    /// why (it becomes the fault string of a 9007).
    pub fn parse(&self, lexical: &str) -> Result<Value, String> {
        if self.list && self.base != BaseType::String {
            return self.parse_list(lexical);
        }
        let value = match self.base {
            BaseType::String => Value::String(lexical.to_string()),
            BaseType::Boolean => Value::Boolean(parse_boolean(lexical)?),
            BaseType::DateTime => Value::DateTime(
                parse_datetime(lexical).ok_or_else(|| format!("not a dateTime: {lexical:?}"))?,
            ),
            BaseType::Base64 => {
                check_base64(lexical)?;
                Value::Base64(lexical.trim().to_string())
            }
            BaseType::HexBinary => {
                check_hex_binary(lexical)?;
                Value::HexBinary(lexical.trim().to_string())
            }
            BaseType::Int | BaseType::Long => Value::Int(self.parse_number(lexical)? as i64),
            BaseType::UnsignedInt | BaseType::UnsignedLong => {
                Value::Unsigned(self.parse_number(lexical)? as u64)
            }
        };
        self.check_facets(&value)?;
        Ok(value)
    }

    /// A list of non-string items (e.g. `int(-1:100)[]`, TR-106 §3.2.3): each item parses
    /// as the item type; the value stays the comma-separated string.
    fn parse_list(&self, lexical: &str) -> Result<Value, String> {
        if let Some(max) = self.list_max_len {
            if lexical.chars().count() > max as usize {
                return Err(format!("list longer than {max} characters"));
            }
        }
        let item = Type {
            list: false,
            list_max_len: None,
            ..self.clone()
        };
        if !lexical.trim().is_empty() {
            lexical
                .split(',')
                .try_for_each(|text| item.parse(text.trim()).map(|_| ()))?;
        }
        Ok(Value::String(lexical.to_string()))
    }

    fn parse_number(&self, lexical: &str) -> Result<i128, String> {
        let text = lexical.trim();
        let text = text.strip_prefix('+').unwrap_or(text);
        let number: i128 = text
            .parse()
            .map_err(|_| format!("not a {}: {lexical:?}", self.base.tr106_name()))?;
        let (min, max) = self.numeric_range().unwrap_or((i128::MIN, i128::MAX));
        if number < min || number > max {
            return Err(format!("{number} is outside the range {min}..{max}"));
        }
        Ok(number)
    }

    fn check_facets(&self, value: &Value) -> Result<(), String> {
        let text = match value {
            Value::String(text) => text,
            Value::Base64(text) => return self.check_size(&text.replace('=', ""), 4, 3),
            Value::HexBinary(text) => return self.check_size(text, 2, 1),
            _ => return Ok(()),
        };
        if self.list {
            self.check_list(text)
        } else {
            self.check_item(text)
        }
    }

    fn check_list(&self, text: &str) -> Result<(), String> {
        if let Some(max) = self.list_max_len {
            if text.chars().count() > max as usize {
                return Err(format!("list longer than {max} characters"));
            }
        }
        if text.is_empty() {
            return Ok(());
        }
        text.split(',')
            .try_for_each(|item| self.check_item(item.trim()))
    }

    fn check_item(&self, item: &str) -> Result<(), String> {
        if !self.enumeration.is_empty() && !self.enumeration.contains(&item) {
            return Err(format!("{item:?} is not one of {:?}", self.enumeration));
        }
        self.check_size(item, 1, 1)
    }

    /// Check `size` on a length measured as `units * chunk_out / chunk_in` (characters for
    /// strings; decoded bytes for base64 (4 chars → 3 bytes) and hexBinary (2 chars → 1 byte)).
    fn check_size(&self, text: &str, chunk_in: usize, chunk_out: usize) -> Result<(), String> {
        let Some((min, max)) = self.size else {
            return Ok(());
        };
        let length = text.chars().count() * chunk_out / chunk_in;
        if let Some(min) = min {
            if length < min as usize {
                return Err(format!("shorter than {min}"));
            }
        }
        if let Some(max) = max {
            if length > max as usize {
                return Err(format!("longer than {max}"));
            }
        }
        Ok(())
    }
}

/// TR-106 §3.2: a boolean is one of `0`, `1`, `true`, `false`.
fn parse_boolean(lexical: &str) -> Result<bool, String> {
    match lexical.trim() {
        "1" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "false" | "FALSE" | "False" => Ok(false),
        other => Err(format!("not a boolean: {other:?}")),
    }
}

fn check_base64(lexical: &str) -> Result<(), String> {
    let text: Vec<u8> = lexical
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let body_len = text.iter().take_while(|&&b| b != b'=').count();
    let padding = &text[body_len..];
    let alphabet_ok = text[..body_len]
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/');
    if !alphabet_ok
        || text.len() % 4 != 0
        || padding.len() > 2
        || padding.iter().any(|&b| b != b'=')
    {
        return Err("not base64".to_string());
    }
    Ok(())
}

fn check_hex_binary(lexical: &str) -> Result<(), String> {
    let text = lexical.trim();
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("not hexBinary".to_string());
    }
    Ok(())
}

/// A typed parameter value. Areas answer with these; the engine renders them on the wire with
/// the `xsi:type` of the declared [`Type`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    String(String),
    /// `int` and `long`.
    Int(i64),
    /// `unsignedInt` and `unsignedLong`.
    Unsigned(u64),
    Boolean(bool),
    /// Seconds since the Unix epoch; [`UNKNOWN_TIME_SECS`] is the unknown time.
    DateTime(i64),
    /// Microseconds since the Unix epoch, shown with six fractional digits
    /// (`2008-04-09T15:01:05.123456Z`): TR-143 measurement times "MUST be specified to
    /// microsecond precision".
    DateTimeMicros(i64),
    /// Seconds since the Unix epoch shown in a local time zone `offset` seconds east of UTC
    /// (e.g. `CurrentLocalTime`: `2026-11-24T18:30:00+01:00`).
    LocalDateTime {
        secs: i64,
        offset: i32,
    },
    Base64(String),
    HexBinary(String),
}

/// `0001-01-01T00:00:00Z` (TR-069 A.2.1, the unknown time) in Unix seconds.
pub const UNKNOWN_TIME_SECS: i64 = -62_135_596_800;

impl Value {
    /// The lexical form on the wire (TR-069 A.2.1): booleans as `true`/`false`, dateTimes in UTC.
    pub fn to_lexical(&self) -> String {
        let mut out = String::new();
        self.write_lexical(&mut out);
        out
    }

    /// Append the lexical form to `out` (avoids an allocation per value in big responses).
    pub fn write_lexical(&self, out: &mut String) {
        match self {
            Value::String(text) | Value::Base64(text) | Value::HexBinary(text) => {
                out.push_str(text)
            }
            Value::Int(number) => {
                let _ = write!(out, "{number}");
            }
            Value::Unsigned(number) => {
                let _ = write!(out, "{number}");
            }
            Value::Boolean(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Value::DateTime(UNKNOWN_TIME_SECS) => out.push_str(UNKNOWN_TIME),
            Value::DateTime(secs) => out.push_str(&format_datetime(*secs)),
            Value::DateTimeMicros(micros) => {
                let whole = format_datetime(micros.div_euclid(1_000_000));
                out.push_str(whole.trim_end_matches('Z'));
                let _ = write!(out, ".{:06}Z", micros.rem_euclid(1_000_000));
            }
            Value::LocalDateTime { secs, offset } => write_local_datetime(out, *secs, *offset),
        }
    }

    /// The form UCI stores: booleans as `1`/`0`, dateTimes as TR-069 dateTime strings.
    pub fn to_uci(&self) -> String {
        match self {
            Value::Boolean(flag) => if *flag { "1" } else { "0" }.to_string(),
            other => other.to_lexical(),
        }
    }

    /// The string inside, for string-like values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) | Value::Base64(text) | Value::HexBinary(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Unsigned(number) => Some(*number),
            _ => None,
        }
    }
}

/// `format_datetime` of the local wall-clock time, with `±hh:mm` instead of `Z`.
fn write_local_datetime(out: &mut String, secs: i64, offset: i32) {
    let local = format_datetime(secs + i64::from(offset));
    out.push_str(local.trim_end_matches('Z'));
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::String(text.to_string())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::String(text)
    }
}

impl From<bool> for Value {
    fn from(flag: bool) -> Value {
        Value::Boolean(flag)
    }
}

impl From<u32> for Value {
    fn from(number: u32) -> Value {
        Value::Unsigned(number.into())
    }
}

impl From<u64> for Value {
    fn from(number: u64) -> Value {
        Value::Unsigned(number)
    }
}

impl From<i32> for Value {
    fn from(number: i32) -> Value {
        Value::Int(number.into())
    }
}

impl From<i64> for Value {
    fn from(number: i64) -> Value {
        Value::Int(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsecond_times_show_six_fractional_digits() {
        let value = Value::DateTimeMicros(1_207_753_265_123_456);
        assert_eq!(value.to_lexical(), "2008-04-09T15:01:05.123456Z");
        assert_eq!(
            Value::DateTimeMicros(1_207_753_265_000_007).to_lexical(),
            "2008-04-09T15:01:05.000007Z"
        );
    }

    #[test]
    fn booleans_accept_tr106_forms() {
        let ty = Type::boolean();
        assert_eq!(ty.parse("1"), Ok(Value::Boolean(true)));
        assert_eq!(ty.parse("true"), Ok(Value::Boolean(true)));
        assert_eq!(ty.parse("0"), Ok(Value::Boolean(false)));
        assert_eq!(ty.parse("false"), Ok(Value::Boolean(false)));
        assert!(ty.parse("yes").is_err());
        assert!(ty.parse("").is_err());
    }

    #[test]
    fn unsigned_int_checks_natural_and_declared_ranges() {
        let ty = Type::unsigned_int().range(Some(1), None);
        assert_eq!(ty.parse("1"), Ok(Value::Unsigned(1)));
        assert_eq!(ty.parse("4294967295"), Ok(Value::Unsigned(4_294_967_295)));
        assert!(ty.parse("0").is_err());
        assert!(ty.parse("4294967296").is_err());
        assert!(ty.parse("-1").is_err());
        assert!(ty.parse("12abc").is_err());
        let multiplier = Type::unsigned_int().range(Some(1000), Some(65535));
        assert!(multiplier.parse("999").is_err());
        assert!(multiplier.parse("65536").is_err());
        assert_eq!(multiplier.parse("2000"), Ok(Value::Unsigned(2000)));
    }

    #[test]
    fn int_and_long_ranges() {
        assert_eq!(Type::int().parse("-1"), Ok(Value::Int(-1)));
        assert!(Type::int().parse("2147483648").is_err());
        assert_eq!(
            Type::long().parse("-9223372036854775808"),
            Ok(Value::Int(i64::MIN))
        );
        assert_eq!(
            Type::unsigned_long().parse("18446744073709551615"),
            Ok(Value::Unsigned(u64::MAX))
        );
    }

    #[test]
    fn lists_of_numbers_check_each_item() {
        let ty = Type::int()
            .range(Some(-1), Some(100))
            .list()
            .list_max_len(64);
        assert_eq!(
            ty.parse("-1,12,25,50,100"),
            Ok(Value::String("-1,12,25,50,100".into()))
        );
        assert_eq!(ty.parse(""), Ok(Value::String(String::new())));
        assert!(ty.parse("-1,101").is_err());
        assert!(ty.parse("1,x").is_err());
        assert!(ty.parse(&"1,".repeat(40)).is_err());
    }

    #[test]
    fn strings_check_length_enumeration_and_lists() {
        assert!(Type::string(3).parse("abc").is_ok());
        assert!(Type::string(3).parse("abcd").is_err());
        // Length counts characters, not bytes.
        assert!(Type::string(3).parse("äöü").is_ok());
        let mode = Type::string(16).enumeration(&["InstanceNumber", "InstanceAlias"]);
        assert!(mode.parse("InstanceAlias").is_ok());
        assert!(mode.parse("Other").is_err());
        let methods = Type::any_string().enumeration(&["HTTP", "STUN"]).list();
        assert!(methods.parse("HTTP,STUN").is_ok());
        assert!(methods.parse("").is_ok());
        assert!(methods.parse("HTTP,XMPP").is_err());
        let oui = Type::string(6).size(Some(6), Some(6));
        assert!(oui.parse("00AB").is_err());
    }

    #[test]
    fn date_times_including_the_unknown_time() {
        let ty = Type::date_time();
        assert_eq!(
            ty.parse("2026-11-24T17:30:00Z"),
            Ok(Value::DateTime(1_795_541_400))
        );
        assert_eq!(
            ty.parse("0001-01-01T00:00:00Z"),
            Ok(Value::DateTime(UNKNOWN_TIME_SECS))
        );
        assert_eq!(
            Value::DateTime(UNKNOWN_TIME_SECS).to_lexical(),
            "0001-01-01T00:00:00Z"
        );
        assert!(ty.parse("yesterday").is_err());
    }

    #[test]
    fn binary_types() {
        assert!(Type::hex_binary().parse("00aBcD").is_ok());
        assert!(Type::hex_binary().parse("abc").is_err());
        assert!(Type::hex_binary()
            .size(None, Some(2))
            .parse("aabbcc")
            .is_err());
        assert!(Type::base64().parse("aGVsbG8=").is_ok());
        assert!(Type::base64().parse("aGVsbG8").is_err());
        assert!(Type::base64().parse("a$==").is_err());
    }

    #[test]
    fn xsi_types() {
        let ty = Type::unsigned_int();
        assert!(ty.accepts_xsd(&XsdType::UnsignedInt));
        assert!(ty.accepts_xsd(&XsdType::Other(String::new())));
        assert!(!ty.accepts_xsd(&XsdType::Boolean));
        assert!(!ty.accepts_xsd(&XsdType::String));
        assert!(!ty.accepts_xsd(&XsdType::Other("anyType".into())));
    }

    #[test]
    fn lexical_and_uci_forms() {
        assert_eq!(Value::Boolean(true).to_lexical(), "true");
        assert_eq!(Value::Boolean(false).to_uci(), "0");
        let local = |offset| Value::LocalDateTime {
            secs: 1_795_541_400,
            offset,
        };
        assert_eq!(local(3600).to_lexical(), "2026-11-24T18:30:00+01:00");
        assert_eq!(local(-12_600).to_lexical(), "2026-11-24T14:00:00-03:30");
        assert_eq!(local(0).to_lexical(), "2026-11-24T17:30:00+00:00");
        assert_eq!(Value::Unsigned(300).to_uci(), "300");
        assert_eq!(
            Value::DateTime(1_795_541_400).to_uci(),
            "2026-11-24T17:30:00Z"
        );
    }
}
