//! ubus messages: an 8-byte header (`u8 version`, `u8 type`, `be16 seq`, `be32 peer`), then
//! one blob attribute holding the message attributes (docs/ubus-wire.md, "Messages").

use serde_json::{Map, Value};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::blob::{self, WireError};
use super::blobmsg;

pub const HEADER_LEN: usize = 8;
/// ubusd drops clients that send more (`UBUS_MAX_MSGLEN`); we refuse to read more.
pub const MAX_MESSAGE_LEN: usize = 1024 * 1024;

/// `enum ubus_msg_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum MsgType {
    Hello = 0,
    Status = 1,
    Data = 2,
    Ping = 3,
    Lookup = 4,
    Invoke = 5,
    AddObject = 6,
    RemoveObject = 7,
    Subscribe = 8,
    Unsubscribe = 9,
    Notify = 10,
    Monitor = 11,
}

impl MsgType {
    pub fn from_u8(kind: u8) -> Option<MsgType> {
        use MsgType::*;
        [
            Hello,
            Status,
            Data,
            Ping,
            Lookup,
            Invoke,
            AddObject,
            RemoveObject,
            Subscribe,
            Unsubscribe,
            Notify,
            Monitor,
        ]
        .get(usize::from(kind))
        .copied()
    }
}

/// `enum ubus_msg_attr`.
mod attr_id {
    pub const STATUS: u8 = 1;
    pub const OBJPATH: u8 = 2;
    pub const OBJID: u8 = 3;
    pub const METHOD: u8 = 4;
    pub const OBJTYPE: u8 = 5;
    pub const SIGNATURE: u8 = 6;
    pub const DATA: u8 = 7;
    pub const TARGET: u8 = 8;
    pub const ACTIVE: u8 = 9;
    pub const NO_REPLY: u8 = 10;
}

/// The attributes a message may carry; encoded in ascending id order, as libubus does.
/// SIGNATURE and DATA hold blobmsg attributes (the inside of a table).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attrs {
    pub status: Option<u32>,
    pub objpath: Option<String>,
    pub objid: Option<u32>,
    pub method: Option<String>,
    pub objtype: Option<u32>,
    pub signature: Option<Map<String, Value>>,
    pub data: Option<Map<String, Value>>,
    pub target: Option<u32>,
    pub active: Option<bool>,
    pub no_reply: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The raw type byte; [`MsgType::from_u8`] names it.
    pub kind: u8,
    pub seq: u16,
    pub peer: u32,
    pub attrs: Attrs,
}

impl Message {
    pub fn new(kind: MsgType, seq: u16, peer: u32, attrs: Attrs) -> Message {
        Message {
            kind: kind as u8,
            seq,
            peer,
            attrs,
        }
    }

    pub fn msg_type(&self) -> Option<MsgType> {
        MsgType::from_u8(self.kind)
    }

    pub fn encode(&self) -> Result<Vec<u8>, WireError> {
        let mut out = Vec::with_capacity(64);
        out.push(0); // version
        out.push(self.kind);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.peer.to_be_bytes());
        let start = blob::begin_attr(&mut out, 0, false);
        encode_attrs(&mut out, &self.attrs)?;
        blob::end_attr(&mut out, start)?;
        if out.len() > MAX_MESSAGE_LEN {
            return Err(WireError::TooLarge);
        }
        Ok(out)
    }

    /// One whole message (header and body, as [`read_frame`] returns it).
    pub fn decode(frame: &[u8]) -> Result<Message, WireError> {
        let header = frame.get(..HEADER_LEN).ok_or(WireError::Truncated)?;
        let (_, _, len) = blob::read_header(&frame[HEADER_LEN..])?;
        let body = frame
            .get(HEADER_LEN + blob::HEADER_LEN..HEADER_LEN + len)
            .ok_or(WireError::Truncated)?;
        Ok(Message {
            kind: header[1],
            seq: u16::from_be_bytes([header[2], header[3]]),
            peer: u32::from_be_bytes([header[4], header[5], header[6], header[7]]),
            attrs: decode_attrs(body)?,
        })
    }
}

fn encode_attrs(out: &mut Vec<u8>, attrs: &Attrs) -> Result<(), WireError> {
    let int32 = |out: &mut Vec<u8>, id, value: Option<u32>| match value {
        Some(v) => blob::put_attr(out, id, false, &v.to_be_bytes()),
        None => Ok(()),
    };
    let string = |out: &mut Vec<u8>, id, value: &Option<String>| match value {
        Some(text) if text.contains('\0') => Err(WireError::Unencodable(format!("{text:?}"))),
        Some(text) => blob::put_attr(out, id, false, &[text.as_bytes(), &[0]].concat()),
        None => Ok(()),
    };
    let table = |out: &mut Vec<u8>, id, value: &Option<Map<String, Value>>| match value {
        Some(map) => blob::put_attr(out, id, false, &blobmsg::encode_table(map)?),
        None => Ok(()),
    };
    let flag = |out: &mut Vec<u8>, id, value: Option<bool>| match value {
        Some(v) => blob::put_attr(out, id, false, &[u8::from(v)]),
        None => Ok(()),
    };
    int32(out, attr_id::STATUS, attrs.status)?;
    string(out, attr_id::OBJPATH, &attrs.objpath)?;
    int32(out, attr_id::OBJID, attrs.objid)?;
    string(out, attr_id::METHOD, &attrs.method)?;
    int32(out, attr_id::OBJTYPE, attrs.objtype)?;
    table(out, attr_id::SIGNATURE, &attrs.signature)?;
    table(out, attr_id::DATA, &attrs.data)?;
    int32(out, attr_id::TARGET, attrs.target)?;
    flag(out, attr_id::ACTIVE, attrs.active)?;
    flag(out, attr_id::NO_REPLY, attrs.no_reply)
}

/// Known attributes must have their type's shape; unknown ids are skipped (a newer ubusd
/// may add some).
fn decode_attrs(body: &[u8]) -> Result<Attrs, WireError> {
    let mut attrs = Attrs::default();
    for attr in blob::parse_attrs(body)? {
        let payload = attr.payload;
        match attr.id {
            attr_id::STATUS => attrs.status = Some(blob::be_u32(payload)?),
            attr_id::OBJPATH => attrs.objpath = Some(blob::c_string(payload)?),
            attr_id::OBJID => attrs.objid = Some(blob::be_u32(payload)?),
            attr_id::METHOD => attrs.method = Some(blob::c_string(payload)?),
            attr_id::OBJTYPE => attrs.objtype = Some(blob::be_u32(payload)?),
            attr_id::SIGNATURE => attrs.signature = Some(blobmsg::decode_table(payload)?),
            attr_id::DATA => attrs.data = Some(blobmsg::decode_table(payload)?),
            attr_id::TARGET => attrs.target = Some(blob::be_u32(payload)?),
            attr_id::ACTIVE => attrs.active = Some(int8(payload)?),
            attr_id::NO_REPLY => attrs.no_reply = Some(int8(payload)?),
            _ => {}
        }
    }
    Ok(attrs)
}

fn int8(payload: &[u8]) -> Result<bool, WireError> {
    match payload {
        [byte] => Ok(*byte != 0),
        _ => Err(WireError::BadSize {
            kind: "int8",
            len: payload.len(),
        }),
    }
}

/// Reads one message's bytes: the header, then the body its blob header announces. An error
/// here means the stream is out of step and the connection must be dropped.
pub async fn read_frame<R: AsyncRead + Unpin>(reader: &mut R) -> std::io::Result<Vec<u8>> {
    let mut frame = vec![0u8; HEADER_LEN + blob::HEADER_LEN];
    reader.read_exact(&mut frame).await?;
    let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    if frame[0] != 0 {
        return Err(bad(format!("ubus message version {}", frame[0])));
    }
    let (_, _, len) = blob::read_header(&frame[HEADER_LEN..]).map_err(|e| bad(e.to_string()))?;
    if len > MAX_MESSAGE_LEN {
        return Err(bad(format!("ubus message of {len} bytes")));
    }
    frame.resize(HEADER_LEN + len, 0);
    reader
        .read_exact(&mut frame[HEADER_LEN + blob::HEADER_LEN..])
        .await?;
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn invoke_encodes_exactly() {
        let Value::Object(args) = json!({"up": true}) else {
            unreachable!()
        };
        let message = Message::new(
            MsgType::Invoke,
            0x0102,
            0x0a0b0c0d,
            Attrs {
                objid: Some(0x11223344),
                method: Some("get".into()),
                data: Some(args),
                ..Attrs::default()
            },
        );
        let bytes = message.encode().unwrap();
        #[rustfmt::skip]
        let expected: Vec<u8> = vec![
            0x00, 0x05, 0x01, 0x02, 0x0a, 0x0b, 0x0c, 0x0d,
            0x00, 0x00, 0x00, 0x28,                   // message blob, len 40
            0x03, 0x00, 0x00, 0x08, 0x11, 0x22, 0x33, 0x44, // OBJID
            0x04, 0x00, 0x00, 0x08, b'g', b'e', b't', 0x00, // METHOD
            0x07, 0x00, 0x00, 0x14,                   // DATA, len 20
            0x87, 0x00, 0x00, 0x0d, 0x00, 0x02, b'u', b'p', 0x00, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x00, 0x00,
        ];
        assert_eq!(bytes, expected);
        assert_eq!(Message::decode(&bytes).unwrap(), message);
    }

    #[tokio::test]
    async fn frames_are_read_whole_and_checked() {
        let hello = [0u8, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 4];
        let frame = read_frame(&mut &hello[..]).await.unwrap();
        let message = Message::decode(&frame).unwrap();
        assert_eq!(message.msg_type(), Some(MsgType::Hello));
        assert_eq!(message.peer, 0x1234_5678);
        let wrong_version = [1u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4];
        assert!(read_frame(&mut &wrong_version[..]).await.is_err());
        let huge = [0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0];
        assert!(read_frame(&mut &huge[..]).await.is_err());
        let short = [0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0];
        assert!(read_frame(&mut &short[..]).await.is_err());
    }

    #[test]
    fn bad_attribute_shapes_are_errors() {
        let mut frame = vec![0u8, 1, 0, 1, 0, 0, 0, 0];
        let start = blob::begin_attr(&mut frame, 0, false);
        blob::put_attr(&mut frame, attr_id::STATUS, false, &[0, 0]).unwrap();
        blob::end_attr(&mut frame, start).unwrap();
        assert!(matches!(
            Message::decode(&frame),
            Err(WireError::BadSize { kind: "int32", .. })
        ));
        assert_eq!(MsgType::from_u8(10), Some(MsgType::Notify));
        assert_eq!(MsgType::from_u8(12), None);
    }
}
