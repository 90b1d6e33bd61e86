//! blobmsg: libubox's JSON-like encoding on top of blob attributes, to and from
//! `serde_json::Value` the way `ubus call` (blobmsg_json) does it.
//!
//! A blobmsg attribute has the extended bit set and its blob id is the type; its payload is
//! `be16 namelen`, the name, a NUL, zeros up to a multiple of 4, then the value. Integers
//! and doubles are big-endian on every CPU.

use serde_json::{Map, Number, Value};

use super::blob::{self, Attr, WireError};

/// blobmsg type ids (`enum blobmsg_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum BlobmsgType {
    /// JSON null.
    Unspec = 0,
    Array = 1,
    Table = 2,
    String = 3,
    Int64 = 4,
    Int32 = 5,
    Int16 = 6,
    /// Also BOOL: libubox has no separate boolean.
    Int8 = 7,
    Double = 8,
}

impl BlobmsgType {
    pub const BOOL: BlobmsgType = BlobmsgType::Int8;

    fn from_id(id: u8) -> Result<BlobmsgType, WireError> {
        Ok(match id {
            0 => BlobmsgType::Unspec,
            1 => BlobmsgType::Array,
            2 => BlobmsgType::Table,
            3 => BlobmsgType::String,
            4 => BlobmsgType::Int64,
            5 => BlobmsgType::Int32,
            6 => BlobmsgType::Int16,
            7 => BlobmsgType::Int8,
            8 => BlobmsgType::Double,
            other => return Err(WireError::UnknownType(other)),
        })
    }
}

/// Tables and arrays nested deeper than this are refused (no real ubus answer comes close).
pub const MAX_DEPTH: usize = 32;

/// The attributes of a table (what goes inside a ubus DATA attribute).
pub fn encode_table(table: &Map<String, Value>) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    for (name, value) in table {
        encode_value(&mut out, name, value, 0)?;
    }
    Ok(out)
}

/// The inverse of [`encode_table`].
pub fn decode_table(bytes: &[u8]) -> Result<Map<String, Value>, WireError> {
    decode_members(bytes, 0)
}

/// One named attribute (`blobmsg_add_*`).
pub fn encode_value(
    out: &mut Vec<u8>,
    name: &str,
    value: &Value,
    depth: usize,
) -> Result<(), WireError> {
    if depth > MAX_DEPTH {
        return Err(WireError::TooDeep);
    }
    let start = blob::begin_attr(out, kind_of(value)? as u8, true);
    put_name(out, name)?;
    match value {
        Value::Null => {}
        Value::Bool(flag) => out.push(u8::from(*flag)),
        Value::Number(number) => put_number(out, number)?,
        Value::String(text) => put_string(out, text)?,
        Value::Array(items) => {
            for item in items {
                encode_value(out, "", item, depth + 1)?;
            }
        }
        Value::Object(members) => {
            for (member, item) in members {
                encode_value(out, member, item, depth + 1)?;
            }
        }
    }
    blob::end_attr(out, start)
}

/// The blobmsg type `value` is sent as: integers as INT32 when they fit, else INT64
/// (blobmsg_add_json_element).
fn kind_of(value: &Value) -> Result<BlobmsgType, WireError> {
    Ok(match value {
        Value::Null => BlobmsgType::Unspec,
        Value::Bool(_) => BlobmsgType::BOOL,
        Value::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => BlobmsgType::Int32,
            Some(_) => BlobmsgType::Int64,
            None if n.is_f64() => BlobmsgType::Double,
            None => return Err(WireError::Unencodable(format!("integer {n}"))),
        },
        Value::String(_) => BlobmsgType::String,
        Value::Array(_) => BlobmsgType::Array,
        Value::Object(_) => BlobmsgType::Table,
    })
}

/// `be16 namelen`, the name, NUL, zeros to 4 (blobmsg_hdrlen).
fn put_name(out: &mut Vec<u8>, name: &str) -> Result<(), WireError> {
    let len = u16::try_from(name.len()).map_err(|_| WireError::TooLarge)?;
    if name.contains('\0') {
        return Err(WireError::Unencodable(format!("name {name:?}")));
    }
    let start = out.len();
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    out.resize(start + blob::pad4(out.len() - start), 0);
    Ok(())
}

fn put_number(out: &mut Vec<u8>, number: &Number) -> Result<(), WireError> {
    match (number.as_i64(), number.as_f64()) {
        (Some(i), _) => match i32::try_from(i) {
            Ok(small) => out.extend_from_slice(&small.to_be_bytes()),
            Err(_) => out.extend_from_slice(&i.to_be_bytes()),
        },
        (None, Some(f)) if number.is_f64() => out.extend_from_slice(&f.to_bits().to_be_bytes()),
        _ => return Err(WireError::Unencodable(format!("integer {number}"))),
    }
    Ok(())
}

fn put_string(out: &mut Vec<u8>, text: &str) -> Result<(), WireError> {
    if text.contains('\0') {
        return Err(WireError::Unencodable("a string with a NUL".into()));
    }
    out.extend_from_slice(text.as_bytes());
    out.push(0);
    Ok(())
}

fn decode_members(bytes: &[u8], depth: usize) -> Result<Map<String, Value>, WireError> {
    let mut members = Map::new();
    for attr in blob::parse_attrs(bytes)? {
        let (name, value) = decode_attr(&attr, depth)?;
        members.insert(name, value);
    }
    Ok(members)
}

fn decode_items(bytes: &[u8], depth: usize) -> Result<Vec<Value>, WireError> {
    blob::parse_attrs(bytes)?
        .iter()
        .map(|attr| decode_attr(attr, depth).map(|(_, value)| value))
        .collect()
}

/// One attribute as (name, value).
pub fn decode_attr(attr: &Attr<'_>, depth: usize) -> Result<(String, Value), WireError> {
    if depth > MAX_DEPTH {
        return Err(WireError::TooDeep);
    }
    if !attr.extended {
        return Err(WireError::NotBlobmsg);
    }
    let (name, data) = split_name(attr.payload)?;
    let value = match BlobmsgType::from_id(attr.id)? {
        BlobmsgType::Unspec => Value::Null,
        BlobmsgType::Array => Value::Array(decode_items(data, depth + 1)?),
        BlobmsgType::Table => Value::Object(decode_members(data, depth + 1)?),
        BlobmsgType::String => Value::String(blob::c_string(data)?),
        BlobmsgType::Int64 => Value::from(i64::from_be_bytes(fixed(data, "int64")?)),
        BlobmsgType::Int32 => Value::from(i32::from_be_bytes(fixed(data, "int32")?)),
        BlobmsgType::Int16 => Value::from(i16::from_be_bytes(fixed(data, "int16")?)),
        BlobmsgType::Int8 => Value::Bool(fixed::<1>(data, "int8")?[0] != 0),
        BlobmsgType::Double => {
            let bits = u64::from_be_bytes(fixed(data, "double")?);
            Number::from_f64(f64::from_bits(bits)).map_or(Value::Null, Value::Number)
        }
    };
    Ok((name, value))
}

/// Splits a blobmsg payload into its name and the value bytes after the name's padding.
fn split_name(payload: &[u8]) -> Result<(String, &[u8]), WireError> {
    let len_bytes: [u8; 2] = payload
        .get(..2)
        .and_then(|b| b.try_into().ok())
        .ok_or(WireError::Truncated)?;
    let name_len = usize::from(u16::from_be_bytes(len_bytes));
    let with_nul = payload
        .get(2..2 + name_len + 1)
        .ok_or(WireError::Truncated)?;
    let name = blob::c_string(with_nul)?;
    // The blob header is 4 bytes, so padding from here keeps the value 4-aligned.
    let value_at = blob::pad4(2 + name_len + 1);
    let data = payload.get(value_at..).ok_or(WireError::Truncated)?;
    Ok((name, data))
}

fn fixed<const N: usize>(data: &[u8], kind: &'static str) -> Result<[u8; N], WireError> {
    data.try_into().map_err(|_| WireError::BadSize {
        kind,
        len: data.len(),
    })
}

#[cfg(test)]
#[path = "blobmsg_tests.rs"]
mod tests;
