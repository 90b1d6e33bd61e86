//! libubox `blob_attr`: the TLV every ubus message and every blobmsg value is made of.
//!
//! One big-endian `u32` header: `extended (1 bit) | id (7 bits) | len (24 bits)`, where `len`
//! counts the 4 header bytes and the payload but not the padding that follows it up to the
//! next multiple of 4 (docs/ubus-wire.md, "Blob attributes").

use std::fmt;

pub const HEADER_LEN: usize = 4;
const EXTENDED: u32 = 0x8000_0000;
const ID_SHIFT: u32 = 24;
const ID_MASK: u32 = 0x7f;
/// The largest `len` the 24-bit field holds.
pub const MAX_LEN: usize = 0x00ff_ffff;

/// Why bytes are not a valid blob/blobmsg, or a value cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// An attribute claims more bytes than its container has.
    Truncated,
    /// An attribute's `len` is below its header size.
    BadLength,
    /// Larger than the protocol allows (24-bit lengths, 16-bit names, the message limit).
    TooLarge,
    /// Nested deeper than we are willing to recurse.
    TooDeep,
    /// A fixed-size value (int8/16/32/64, double) with the wrong payload size.
    BadSize { kind: &'static str, len: usize },
    /// A string or name without its terminating NUL.
    Unterminated,
    /// A blobmsg type id above DOUBLE.
    UnknownType(u8),
    /// A blobmsg container holding an attribute without the extended bit.
    NotBlobmsg,
    /// A JSON value ubus cannot carry (an integer beyond i64, a NUL inside a string).
    Unencodable(String),
    /// A ubus message that breaks the framing rules (header version, message length).
    BadMessage(String),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated => write!(f, "attribute runs past its container"),
            WireError::BadLength => write!(f, "attribute length below its header"),
            WireError::TooLarge => write!(f, "too large for the ubus wire format"),
            WireError::TooDeep => write!(f, "nested too deeply"),
            WireError::BadSize { kind, len } => write!(f, "{kind} with a {len}-byte payload"),
            WireError::Unterminated => write!(f, "string without its NUL"),
            WireError::UnknownType(kind) => write!(f, "unknown blobmsg type {kind}"),
            WireError::NotBlobmsg => write!(f, "plain blob attribute inside a blobmsg container"),
            WireError::Unencodable(what) => write!(f, "cannot encode {what}"),
            WireError::BadMessage(what) => write!(f, "bad message: {what}"),
        }
    }
}

impl std::error::Error for WireError {}

/// Rounds up to the 4-byte alignment of blob attributes.
pub fn pad4(len: usize) -> usize {
    (len + 3) & !3
}

/// One attribute borrowed from a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    pub id: u8,
    pub extended: bool,
    /// The bytes after the header, without padding.
    pub payload: &'a [u8],
}

/// Reads the header at the start of `bytes`: (id, extended, len).
pub fn read_header(bytes: &[u8]) -> Result<(u8, bool, usize), WireError> {
    let header: [u8; HEADER_LEN] = bytes
        .get(..HEADER_LEN)
        .and_then(|b| b.try_into().ok())
        .ok_or(WireError::Truncated)?;
    let word = u32::from_be_bytes(header);
    let id = ((word >> ID_SHIFT) & ID_MASK) as u8;
    let len = (word as usize) & MAX_LEN;
    if len < HEADER_LEN {
        return Err(WireError::BadLength);
    }
    Ok((id, word & EXTENDED != 0, len))
}

/// Splits `bytes` (a container's payload) into its attributes. The last attribute's padding
/// may be missing; anything else that does not fit is an error.
pub fn parse_attrs(bytes: &[u8]) -> Result<Vec<Attr<'_>>, WireError> {
    let mut attrs = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (id, extended, len) = read_header(rest)?;
        let payload = rest.get(HEADER_LEN..len).ok_or(WireError::Truncated)?;
        attrs.push(Attr {
            id,
            extended,
            payload,
        });
        rest = rest.get(pad4(len)..).unwrap_or_default();
    }
    Ok(attrs)
}

/// Starts an attribute whose length is filled in by [`end_attr`]; returns its offset.
pub fn begin_attr(out: &mut Vec<u8>, id: u8, extended: bool) -> usize {
    let start = out.len();
    let flag = if extended { EXTENDED } else { 0 };
    out.extend_from_slice(&(flag | (u32::from(id & ID_MASK as u8) << ID_SHIFT)).to_be_bytes());
    start
}

/// Writes the length of the attribute begun at `start` (everything after it so far), then
/// pads to 4 with zeros.
pub fn end_attr(out: &mut Vec<u8>, start: usize) -> Result<(), WireError> {
    let len = out.len() - start;
    if len > MAX_LEN {
        return Err(WireError::TooLarge);
    }
    let mut header = [0u8; HEADER_LEN];
    header.copy_from_slice(&out[start..start + HEADER_LEN]);
    let word = u32::from_be_bytes(header) | len as u32;
    out[start..start + HEADER_LEN].copy_from_slice(&word.to_be_bytes());
    out.resize(start + pad4(len), 0);
    Ok(())
}

/// A whole attribute: header, `payload`, padding.
pub fn put_attr(
    out: &mut Vec<u8>,
    id: u8,
    extended: bool,
    payload: &[u8],
) -> Result<(), WireError> {
    let start = begin_attr(out, id, extended);
    out.extend_from_slice(payload);
    end_attr(out, start)
}

/// The text of a NUL-terminated payload (up to the first NUL, as C reads it). Bytes that are
/// not UTF-8 (an SSID can hold any) are replaced rather than rejected.
pub fn c_string(payload: &[u8]) -> Result<String, WireError> {
    if payload.last() != Some(&0) {
        return Err(WireError::Unterminated);
    }
    let text = payload.split(|&b| b == 0).next().unwrap_or_default();
    Ok(String::from_utf8_lossy(text).into_owned())
}

/// A big-endian `u32` payload of exactly 4 bytes.
pub fn be_u32(payload: &[u8]) -> Result<u32, WireError> {
    payload
        .try_into()
        .map(u32::from_be_bytes)
        .map_err(|_| WireError::BadSize {
            kind: "int32",
            len: payload.len(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_big_endian_with_the_extended_bit_on_top() {
        let mut out = Vec::new();
        put_attr(&mut out, 3, false, b"ab\0").unwrap();
        assert_eq!(out, [0x03, 0x00, 0x00, 0x07, b'a', b'b', 0, 0]);
        let mut out = Vec::new();
        put_attr(&mut out, 7, true, &[1]).unwrap();
        assert_eq!(out, [0x87, 0x00, 0x00, 0x05, 1, 0, 0, 0]);
        assert_eq!(read_header(&out), Ok((7, true, 5)));
    }

    #[test]
    fn parse_rejects_lengths_that_do_not_fit() {
        assert_eq!(parse_attrs(&[0, 0, 0, 3]), Err(WireError::BadLength));
        assert_eq!(parse_attrs(&[0, 0, 0, 9, 1, 2]), Err(WireError::Truncated));
        assert_eq!(parse_attrs(&[0, 0]), Err(WireError::Truncated));
        // The last attribute may come without its padding.
        let attrs = parse_attrs(&[0x01, 0, 0, 5, 42]).unwrap();
        assert_eq!(attrs[0].payload, [42]);
    }

    #[test]
    fn c_strings_need_their_nul() {
        assert_eq!(c_string(b"wan\0"), Ok("wan".into()));
        assert_eq!(c_string(b"a\0b\0"), Ok("a".into()));
        assert_eq!(c_string(b"wan"), Err(WireError::Unterminated));
        assert_eq!(c_string(b""), Err(WireError::Unterminated));
        assert_eq!(c_string(b"\xff\0"), Ok("\u{fffd}".into()));
    }
}
