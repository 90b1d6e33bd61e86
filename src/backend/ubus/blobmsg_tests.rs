use super::*;
use serde_json::json;

fn table(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => panic!("not a table"),
    }
}

/// The worked example of docs/ubus-wire.md, byte for byte.
#[test]
fn table_encodes_exactly_big_endian() {
    let bytes = encode_table(&table(json!({"interface": "wan", "mtu": 1500, "up": true}))).unwrap();
    #[rustfmt::skip]
    let expected: Vec<u8> = vec![
        // "interface": STRING, len 20: namelen 9, "interface\0", "wan\0"
        0x83, 0x00, 0x00, 0x14, 0x00, 0x09, b'i', b'n', b't', b'e', b'r', b'f', b'a', b'c', b'e', 0x00,
        b'w', b'a', b'n', 0x00,
        // "mtu": INT32, len 16: namelen 3, "mtu\0", 2 pad, be32 1500
        0x85, 0x00, 0x00, 0x10, 0x00, 0x03, b'm', b't', b'u', 0x00, 0x00, 0x00,
        0x00, 0x00, 0x05, 0xdc,
        // "up": INT8 (BOOL), len 13: namelen 2, "up\0", 3 pad, 0x01, 3 pad
        0x87, 0x00, 0x00, 0x0d, 0x00, 0x02, b'u', b'p', 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00,
    ];
    assert_eq!(bytes, expected);
    assert_eq!(
        decode_table(&bytes).unwrap(),
        table(json!({"interface": "wan", "mtu": 1500, "up": true}))
    );
}

#[test]
fn nested_arrays_and_tables_encode_exactly() {
    let bytes = encode_table(&table(json!({"a": [{"m": 24}]}))).unwrap();
    #[rustfmt::skip]
    let expected: Vec<u8> = vec![
        // "a": ARRAY, len 28
        0x81, 0x00, 0x00, 0x1c, 0x00, 0x01, b'a', 0x00,
        // element: TABLE with an empty name, len 20
        0x82, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,
        // "m": INT32 24, len 12
        0x85, 0x00, 0x00, 0x0c, 0x00, 0x01, b'm', 0x00, 0x00, 0x00, 0x00, 0x18,
    ];
    assert_eq!(bytes, expected);
    assert_eq!(
        decode_table(&bytes).unwrap(),
        table(json!({"a": [{"m": 24}]}))
    );
}

#[test]
fn integers_pick_int32_or_int64_and_doubles_are_big_endian() {
    let bytes = encode_table(&table(json!({"n": 5_000_000_000_i64}))).unwrap();
    assert_eq!(&bytes[..4], [0x84, 0x00, 0x00, 0x10]);
    assert_eq!(&bytes[8..], 5_000_000_000_i64.to_be_bytes());
    let bytes = encode_table(&table(json!({"n": -1}))).unwrap();
    assert_eq!(&bytes[..4], [0x85, 0x00, 0x00, 0x0c]);
    assert_eq!(&bytes[8..], [0xff, 0xff, 0xff, 0xff]);
    let bytes = encode_table(&table(json!({"d": 1.5}))).unwrap();
    assert_eq!(&bytes[..4], [0x88, 0x00, 0x00, 0x10]);
    assert_eq!(&bytes[8..], [0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    let bytes = encode_table(&table(json!({"z": null}))).unwrap();
    assert_eq!(bytes, [0x80, 0x00, 0x00, 0x08, 0x00, 0x01, b'z', 0x00]);
    assert_eq!(decode_table(&bytes).unwrap(), table(json!({"z": null})));
}

#[test]
fn int16_and_int8_decode_as_libubox_prints_them() {
    #[rustfmt::skip]
    let bytes = [
        0x86, 0x00, 0x00, 0x0a, 0x00, 0x01, b's', 0x00, 0xff, 0xfe, 0x00, 0x00,
        0x87, 0x00, 0x00, 0x09, 0x00, 0x01, b'b', 0x00, 0x02, 0x00, 0x00, 0x00,
    ];
    assert_eq!(
        decode_table(&bytes).unwrap(),
        table(json!({"s": -2, "b": true}))
    );
}

#[test]
fn unencodable_values_are_errors() {
    assert!(matches!(
        encode_table(&table(json!({"n": u64::MAX}))),
        Err(WireError::Unencodable(_))
    ));
    assert!(matches!(
        encode_table(&table(json!({"s": "a\u{0}b"}))),
        Err(WireError::Unencodable(_))
    ));
    let deep = (0..=MAX_DEPTH + 1).fold(json!(1), |inner, _| json!([inner]));
    assert_eq!(
        encode_table(&table(json!({ "deep": deep }))),
        Err(WireError::TooDeep)
    );
}

#[test]
fn malformed_values_are_rejected() {
    // int32 with a 2-byte payload
    let short_int = [0x85, 0, 0, 0x0a, 0, 1, b'x', 0, 0, 1, 0, 0];
    assert_eq!(
        decode_table(&short_int),
        Err(WireError::BadSize {
            kind: "int32",
            len: 2
        })
    );
    // string without its NUL
    let open_string = [0x83, 0, 0, 0x0c, 0, 1, b'x', 0, b'a', b'b', b'c', b'd'];
    assert_eq!(decode_table(&open_string), Err(WireError::Unterminated));
    // type 9
    let unknown = [0x89, 0, 0, 0x08, 0, 1, b'x', 0];
    assert_eq!(decode_table(&unknown), Err(WireError::UnknownType(9)));
    // plain blob attribute in a table
    let plain = [0x03, 0, 0, 0x08, 0, 1, b'x', 0];
    assert_eq!(decode_table(&plain), Err(WireError::NotBlobmsg));
    // name longer than the attribute
    let long_name = [0x83, 0, 0, 0x08, 0, 9, b'x', 0];
    assert_eq!(decode_table(&long_name), Err(WireError::Truncated));
    // nesting deeper than MAX_DEPTH
    let mut deep = encode_table(&table(json!({"x": 1}))).unwrap();
    for _ in 0..=MAX_DEPTH + 1 {
        let mut outer = Vec::new();
        let start = blob::begin_attr(&mut outer, BlobmsgType::Array as u8, true);
        outer.extend_from_slice(&[0, 0, 0, 0]);
        outer.extend_from_slice(&deep);
        blob::end_attr(&mut outer, start).unwrap();
        deep = outer;
    }
    assert_eq!(decode_table(&deep), Err(WireError::TooDeep));
}

/// xorshift64*: deterministic pseudo-random input without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn value(&mut self, depth: usize) -> Value {
        let kinds = if depth > 4 { 5 } else { 7 };
        match self.below(kinds) {
            0 => Value::Null,
            1 => Value::Bool(self.below(2) == 1),
            2 => Value::from(self.next() as i64 >> self.below(64)),
            3 => Value::from((self.next() as i32) as f64 / 7.0),
            4 => Value::String(
                (0..self.below(9))
                    .map(|i| (b'a' + i as u8) as char)
                    .collect(),
            ),
            5 => Value::Array((0..self.below(4)).map(|_| self.value(depth + 1)).collect()),
            _ => Value::Object(self.table(depth + 1)),
        }
    }

    fn table(&mut self, depth: usize) -> Map<String, Value> {
        (0..self.below(5))
            .map(|i| {
                (
                    format!("k{i}{}", "x".repeat(self.below(6) as usize)),
                    self.value(depth),
                )
            })
            .collect()
    }
}

#[test]
fn random_tables_round_trip() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..2000 {
        let original = rng.table(0);
        let bytes = encode_table(&original).unwrap();
        assert_eq!(bytes.len() % 4, 0);
        assert_eq!(decode_table(&bytes).unwrap(), original);
    }
}

#[test]
fn truncated_and_mutated_input_never_panics() {
    let mut rng = Rng(42);
    for _ in 0..300 {
        let bytes = encode_table(&rng.table(0)).unwrap();
        for cut in 0..bytes.len() {
            let _ = decode_table(&bytes[..cut]);
        }
        if let Some(first_len) = bytes.get(..4).and_then(|h| blob::read_header(h).ok()) {
            // Cutting inside the first attribute always fails.
            for cut in 1..first_len.2.min(bytes.len()) {
                assert!(
                    decode_table(&bytes[..cut]).is_err(),
                    "cut {cut} of {bytes:?}"
                );
            }
        }
        for _ in 0..50 {
            let mut mutated = bytes.clone();
            if mutated.is_empty() {
                break;
            }
            let at = rng.below(mutated.len() as u64) as usize;
            mutated[at] ^= 1 << rng.below(8);
            let _ = decode_table(&mutated);
        }
    }
    for _ in 0..5000 {
        let noise: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
        let _ = decode_table(&noise);
    }
}
