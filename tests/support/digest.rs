//! HTTP Basic and Digest (RFC 7616: MD5 and SHA-256, qop=auth), written here from the RFC so
//! the tests do not lean on the code under test.

use md5::Md5;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Md5,
    Sha256,
}

impl DigestAlgorithm {
    /// The token in `algorithm=`.
    pub fn token(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Sha256 => "SHA-256",
        }
    }

    pub fn from_token(token: &str) -> Option<DigestAlgorithm> {
        match token.to_ascii_uppercase().as_str() {
            "MD5" => Some(DigestAlgorithm::Md5),
            "SHA-256" => Some(DigestAlgorithm::Sha256),
            _ => None,
        }
    }

    /// Lower-case hex of the hash of `data`.
    pub fn hex(self, data: &str) -> String {
        match self {
            DigestAlgorithm::Md5 => to_hex(&Md5::digest(data.as_bytes())),
            DigestAlgorithm::Sha256 => to_hex(&Sha256::digest(data.as_bytes())),
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.token())
    }
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Random bytes as lower-case hex (cookies, nonces, cnonces).
pub fn random_hex(bytes: usize) -> String {
    use ring::rand::SecureRandom;
    let mut buf = vec![0u8; bytes];
    ring::rand::SystemRandom::new()
        .fill(&mut buf)
        .expect("system random");
    to_hex(&buf)
}

/// A `WWW-Authenticate: Digest ...` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    /// The `qop` options offered (`auth`, `auth-int`); empty for an RFC 2069 challenge.
    pub qop: Vec<String>,
    pub algorithm: DigestAlgorithm,
    pub stale: bool,
}

impl Challenge {
    /// The header value, e.g. `Digest realm="x", qop="auth", nonce="..", algorithm=MD5`.
    pub fn header_value(&self) -> String {
        let mut out = format!("Digest realm=\"{}\"", self.realm);
        if !self.qop.is_empty() {
            out.push_str(&format!(", qop=\"{}\"", self.qop.join(",")));
        }
        out.push_str(&format!(", nonce=\"{}\"", self.nonce));
        if let Some(opaque) = &self.opaque {
            out.push_str(&format!(", opaque=\"{opaque}\""));
        }
        out.push_str(&format!(", algorithm={}", self.algorithm));
        if self.stale {
            out.push_str(", stale=true");
        }
        out
    }
}

/// Splits `k=v, k="quoted, v"` into a map with lower-case keys.
pub fn parse_params(text: &str) -> HashMap<String, String> {
    let mut params = HashMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq]
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let (value, after) = parse_value(&rest[eq + 1..]);
        params.insert(key, value);
        rest = after.trim_start().trim_start_matches(',').trim_start();
    }
    params
}

fn parse_value(text: &str) -> (String, &str) {
    let text = text.trim_start();
    if let Some(quoted) = text.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, ch)) = chars.next() {
            match ch {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                '"' => return (value, &quoted[i + 1..]),
                _ => value.push(ch),
            }
        }
        (value, "")
    } else {
        let end = text.find(',').unwrap_or(text.len());
        (text[..end].trim().to_string(), &text[end..])
    }
}

/// The Digest challenges in a list of `WWW-Authenticate` header values (one challenge per
/// value, or several in one value each starting with `Digest `).
pub fn parse_challenges(values: &[&str]) -> Vec<Challenge> {
    values
        .iter()
        .flat_map(|v| split_schemes(v))
        .filter_map(|(scheme, params)| {
            if !scheme.eq_ignore_ascii_case("Digest") {
                return None;
            }
            let p = parse_params(&params);
            Some(Challenge {
                realm: p.get("realm")?.clone(),
                nonce: p.get("nonce")?.clone(),
                opaque: p.get("opaque").cloned(),
                qop: p
                    .get("qop")
                    .map(|q| q.split(',').map(|s| s.trim().to_string()).collect())
                    .unwrap_or_default(),
                algorithm: match p.get("algorithm") {
                    Some(a) => DigestAlgorithm::from_token(a)?,
                    None => DigestAlgorithm::Md5,
                },
                stale: p
                    .get("stale")
                    .is_some_and(|s| s.eq_ignore_ascii_case("true")),
            })
        })
        .collect()
}

fn split_schemes(value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for piece in split_outside_quotes(value) {
        let piece = piece.trim();
        let first = piece.split_whitespace().next().unwrap_or("");
        if !first.is_empty() && !first.contains('=') {
            let params = piece[first.len()..].trim().to_string();
            out.push((first.to_string(), params));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(", ");
            last.1.push_str(piece);
        }
    }
    out
}

fn split_outside_quotes(value: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, ch) in value.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                pieces.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(&value[start..]);
    pieces
}

/// The fields of a Digest response that the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestInput<'a> {
    pub algorithm: DigestAlgorithm,
    pub username: &'a str,
    pub realm: &'a str,
    pub password: &'a str,
    pub method: &'a str,
    pub uri: &'a str,
    pub nonce: &'a str,
    /// `nc`, `cnonce`, `qop`; None for an RFC 2069 response (no qop).
    pub qop: Option<(&'a str, &'a str, &'a str)>,
}

/// `response=` of RFC 7616 section 3.4.1.
pub fn response(input: &DigestInput) -> String {
    let alg = input.algorithm;
    let ha1 = alg.hex(&format!(
        "{}:{}:{}",
        input.username, input.realm, input.password
    ));
    let ha2 = alg.hex(&format!("{}:{}", input.method, input.uri));
    match input.qop {
        Some((nc, cnonce, qop)) => {
            alg.hex(&format!("{ha1}:{}:{nc}:{cnonce}:{qop}:{ha2}", input.nonce))
        }
        None => alg.hex(&format!("{ha1}:{}:{ha2}", input.nonce)),
    }
}

/// A complete `Authorization: Digest ...` value answering `challenge` with qop=auth.
pub fn authorization(
    challenge: &Challenge,
    username: &str,
    password: &str,
    method: &str,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let nc = format!("{nc:08x}");
    let resp = response(&DigestInput {
        algorithm: challenge.algorithm,
        username,
        realm: &challenge.realm,
        password,
        method,
        uri,
        nonce: &challenge.nonce,
        qop: Some((&nc, cnonce, "auth")),
    });
    let mut out = format!(
        "Digest username=\"{username}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", \
         algorithm={}, response=\"{resp}\", qop=auth, nc={nc}, cnonce=\"{cnonce}\"",
        challenge.realm, challenge.nonce, challenge.algorithm
    );
    if let Some(opaque) = &challenge.opaque {
        out.push_str(&format!(", opaque=\"{opaque}\""));
    }
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().trim_end_matches('=');
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for ch in text.bytes() {
        let v = BASE64.iter().position(|&c| c == ch)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// `Authorization: Basic ...` value.
pub fn basic_authorization(username: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64_encode(format!("{username}:{password}").as_bytes())
    )
}
