//! Any bytes, decoded on both sides: never a panic. Whatever decodes must re-encode to an
//! envelope that decodes to the same message, and encoding must be stable from then on.
#![no_main]

use cwmpd::cwmp::codec::{decode, decode_with_limits, encode, Limits, Side};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for side in [Side::Cpe, Side::Acs] {
        let Ok(first) = decode(data, side) else {
            continue;
        };
        let encoded = encode(&first);
        // Encoding may add the empty optional elements the input left out: relax the limits.
        let relaxed = Limits {
            max_bytes: usize::MAX,
            max_depth: 64,
            max_elements: usize::MAX,
        };
        let second = match decode_with_limits(&encoded, side, &relaxed) {
            Ok(second) => second,
            Err(error) => panic!("re-encoded envelope does not decode: {error}"),
        };
        assert_eq!(encode(&second), encoded, "encoding is not stable");
    }
});
