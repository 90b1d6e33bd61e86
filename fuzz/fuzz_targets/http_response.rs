//! Any bytes as an HTTP/1.1 response (src/net/http1/wire.rs): never a panic; the head and
//! body decode the same whether the bytes come at once or one at a time; the body is never
//! longer than the input, and a decoder that is done stays done.
#![no_main]

use cwmpd::net::http1::wire::{parse_head, BodyDecoder, Step};
use libfuzzer_sys::fuzz_target;

/// The decoded body, or None on a framing error; input fed `piece` bytes at a time.
fn decode(mut decoder: BodyDecoder, input: &[u8], piece: usize) -> Option<Vec<u8>> {
    let mut buffer = Vec::new();
    let mut fed = 0;
    let mut body = Vec::new();
    loop {
        match decoder.step(&buffer).ok()? {
            Step::NeedMore if fed == input.len() => {
                decoder.at_eof().ok()?;
                return Some(body);
            }
            Step::NeedMore => {
                let end = (fed + piece).min(input.len());
                buffer.extend_from_slice(&input[fed..end]);
                fed = end;
            }
            Step::Skip(n) => {
                assert!(n > 0 && n <= buffer.len(), "a skip consumes input");
                buffer.drain(..n);
            }
            Step::Data(n) => {
                assert!(n > 0 && n <= buffer.len(), "data is input");
                body.extend(buffer.drain(..n));
            }
            Step::Done(n) => {
                buffer.drain(..n);
                assert!(decoder.is_done());
                assert_eq!(decoder.step(&buffer), Ok(Step::Done(0)));
                return Some(body);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(Some((head, used))) = parse_head(data) else {
        return;
    };
    assert!(used <= data.len());
    for end in 0..used {
        assert!(
            matches!(parse_head(&data[..end]), Ok(None) | Err(_)),
            "no shorter prefix is a whole head"
        );
    }
    let _ = (head.keep_alive(), head.header("content-type"), head.all("set-cookie").count());
    let Ok(framing) = head.framing() else {
        return;
    };
    let rest = &data[used..];
    let whole = decode(BodyDecoder::new(framing), rest, rest.len().max(1));
    let bytewise = decode(BodyDecoder::new(framing), rest, 1);
    assert_eq!(whole, bytewise, "framing does not depend on how reads split");
    if let Some(body) = whole {
        assert!(body.len() <= rest.len());
    }
});
