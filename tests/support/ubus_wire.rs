//! The ubus wire format for the test ubusd, written apart from `src/backend/ubus` so that a
//! bug shared by the client's encoder and decoder cannot hide: it builds messages the way
//! libubox's `blob_buf` does (nest start/end) and reads them with plain slicing.
//!
//! Everything on the wire is big-endian: attribute headers `ext:1 | id:7 | len:24`, blobmsg
//! name lengths, integers, doubles, and the message header's seq and peer.

use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

pub const HELLO: u8 = 0;
pub const STATUS: u8 = 1;
pub const DATA: u8 = 2;
pub const LOOKUP: u8 = 4;
pub const INVOKE: u8 = 5;
pub const ADD_OBJECT: u8 = 6;
pub const REMOVE_OBJECT: u8 = 7;
pub const SUBSCRIBE: u8 = 8;
pub const UNSUBSCRIBE: u8 = 9;
pub const NOTIFY: u8 = 10;

pub const A_STATUS: u8 = 1;
pub const A_OBJPATH: u8 = 2;
pub const A_OBJID: u8 = 3;
pub const A_METHOD: u8 = 4;
pub const A_OBJTYPE: u8 = 5;
pub const A_SIGNATURE: u8 = 6;
pub const A_DATA: u8 = 7;
pub const A_TARGET: u8 = 8;
pub const A_NO_REPLY: u8 = 10;

/// A libubox-style growing buffer of blob attributes.
#[derive(Default)]
pub struct BlobBuf {
    pub bytes: Vec<u8>,
}

fn pad(len: usize) -> usize {
    len.div_ceil(4) * 4
}

impl BlobBuf {
    pub fn nest_start(&mut self, id: u8, extended: bool) -> usize {
        let at = self.bytes.len();
        let ext = if extended { 0x80 } else { 0 };
        self.bytes.extend_from_slice(&[ext | id, 0, 0, 0]);
        at
    }

    pub fn nest_end(&mut self, at: usize) {
        let len = self.bytes.len() - at;
        assert!(len < 1 << 24, "attribute too long");
        self.bytes[at + 1] = (len >> 16) as u8;
        self.bytes[at + 2] = (len >> 8) as u8;
        self.bytes[at + 3] = len as u8;
        self.bytes.resize(at + pad(len), 0);
    }

    pub fn put(&mut self, id: u8, payload: &[u8]) {
        let at = self.nest_start(id, false);
        self.bytes.extend_from_slice(payload);
        self.nest_end(at);
    }

    pub fn put_u32(&mut self, id: u8, value: u32) {
        self.put(id, &value.to_be_bytes());
    }

    pub fn put_string(&mut self, id: u8, text: &str) {
        let mut payload = text.as_bytes().to_vec();
        payload.push(0);
        self.put(id, &payload);
    }

    /// A blobmsg table's members, as the payload of a plain attribute (DATA, SIGNATURE).
    pub fn put_table(&mut self, id: u8, members: &Map<String, Value>) {
        let at = self.nest_start(id, false);
        for (name, value) in members {
            self.put_json(name, value);
        }
        self.nest_end(at);
    }

    /// blobmsg_add_json_element: bool → INT8, integers → INT32 if they fit else INT64,
    /// other numbers → DOUBLE, null → UNSPEC.
    pub fn put_json(&mut self, name: &str, value: &Value) {
        let kind = match value {
            Value::Null => 0,
            Value::Array(_) => 1,
            Value::Object(_) => 2,
            Value::String(_) => 3,
            Value::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => 5,
            Value::Number(n) if n.as_i64().is_some() => 4,
            Value::Number(_) => 8,
            Value::Bool(_) => 7,
        };
        let at = self.nest_start(kind, true);
        self.bytes
            .extend_from_slice(&(name.len() as u16).to_be_bytes());
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.push(0);
        self.bytes.resize(at + 4 + pad(2 + name.len() + 1), 0);
        match value {
            Value::Null => {}
            Value::Bool(b) => self.bytes.push(*b as u8),
            Value::String(s) => {
                self.bytes.extend_from_slice(s.as_bytes());
                self.bytes.push(0);
            }
            Value::Number(n) => match (kind, n.as_i64()) {
                (5, Some(i)) => self.bytes.extend_from_slice(&(i as i32).to_be_bytes()),
                (4, Some(i)) => self.bytes.extend_from_slice(&i.to_be_bytes()),
                _ => self
                    .bytes
                    .extend_from_slice(&n.as_f64().unwrap_or(0.0).to_bits().to_be_bytes()),
            },
            Value::Array(items) => items.iter().for_each(|item| self.put_json("", item)),
            Value::Object(members) => members.iter().for_each(|(k, v)| self.put_json(k, v)),
        }
        self.nest_end(at);
    }
}

/// A whole message: header, then the attributes in a blob with id 0.
pub fn message(kind: u8, seq: u16, peer: u32, attrs: BlobBuf) -> Vec<u8> {
    let mut out = vec![0, kind];
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&peer.to_be_bytes());
    let len = 4 + attrs.bytes.len();
    out.extend_from_slice(&(len as u32).to_be_bytes());
    out.extend_from_slice(&attrs.bytes);
    out
}

/// (id, extended, payload) of each attribute; None if anything does not fit.
pub fn attrs(mut bytes: &[u8]) -> Option<Vec<(u8, bool, &[u8])>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let head = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?);
        let len = (head & 0x00ff_ffff) as usize;
        if len < 4 {
            return None;
        }
        out.push((
            (head >> 24) as u8 & 0x7f,
            head >> 31 == 1,
            bytes.get(4..len)?,
        ));
        bytes = bytes.get(pad(len)..).unwrap_or(&[]);
    }
    Some(out)
}

/// A received message: header fields and its attributes' payloads by id.
#[derive(Debug, Clone)]
pub struct Msg {
    pub kind: u8,
    pub seq: u16,
    pub peer: u32,
    pub attrs: BTreeMap<u8, Vec<u8>>,
}

impl Msg {
    pub fn parse(frame: &[u8]) -> Option<Msg> {
        let body = frame.get(12..)?;
        let attrs = attrs(body)?
            .into_iter()
            .map(|(id, _, payload)| (id, payload.to_vec()))
            .collect();
        Some(Msg {
            kind: frame[1],
            seq: u16::from_be_bytes([frame[2], frame[3]]),
            peer: u32::from_be_bytes(frame[4..8].try_into().ok()?),
            attrs,
        })
    }

    pub fn u32(&self, id: u8) -> Option<u32> {
        Some(u32::from_be_bytes(
            self.attrs.get(&id)?.as_slice().try_into().ok()?,
        ))
    }

    pub fn string(&self, id: u8) -> Option<String> {
        let raw = self.attrs.get(&id)?;
        let text = raw.strip_suffix(&[0])?;
        Some(String::from_utf8_lossy(text).into_owned())
    }

    pub fn table(&self, id: u8) -> Option<Map<String, Value>> {
        blobmsg_table(self.attrs.get(&id)?)
    }
}

/// blobmsg members → JSON, as `ubus call` prints them (INT8 as a boolean).
pub fn blobmsg_table(bytes: &[u8]) -> Option<Map<String, Value>> {
    attrs(bytes)?
        .into_iter()
        .map(|(kind, _, payload)| blobmsg_value(kind, payload))
        .collect()
}

fn blobmsg_value(kind: u8, payload: &[u8]) -> Option<(String, Value)> {
    let name_len = u16::from_be_bytes(payload.get(..2)?.try_into().ok()?) as usize;
    let name = String::from_utf8_lossy(payload.get(2..2 + name_len)?).into_owned();
    let data = payload.get(pad(2 + name_len + 1)..)?;
    let value = match kind {
        0 => Value::Null,
        1 => Value::Array(
            blobmsg_items(data)?
                .into_iter()
                .map(|(_, value)| value)
                .collect(),
        ),
        2 => Value::Object(blobmsg_items(data)?.into_iter().collect()),
        3 => Value::String(String::from_utf8_lossy(data.strip_suffix(&[0])?).into_owned()),
        4 => Value::from(i64::from_be_bytes(data.try_into().ok()?)),
        5 => Value::from(i32::from_be_bytes(data.try_into().ok()?)),
        6 => Value::from(i16::from_be_bytes(data.try_into().ok()?)),
        7 => Value::Bool(*data.first()? != 0),
        8 => Value::Number(Number::from_f64(f64::from_bits(u64::from_be_bytes(
            data.try_into().ok()?,
        )))?),
        _ => return None,
    };
    Some((name, value))
}

fn blobmsg_items(bytes: &[u8]) -> Option<Vec<(String, Value)>> {
    attrs(bytes)?
        .into_iter()
        .map(|(kind, _, payload)| blobmsg_value(kind, payload))
        .collect()
}

/// The blobmsg type id of each top-level member (ubusd checks `object` is an INT32).
pub fn blobmsg_kinds(bytes: &[u8]) -> BTreeMap<String, u8> {
    attrs(bytes)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(kind, _, payload)| Some((blobmsg_value(kind, payload)?.0, kind)))
        .collect()
}
