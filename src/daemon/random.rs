//! Randomness from the kernel (ring's SystemRandom): retry jitter, boot delay, CR path.

use ring::rand::{SecureRandom, SystemRandom};

/// A uniform number in [0, 1).
pub fn fraction() -> f64 {
    let mut bytes = [0u8; 8];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_be_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// `len` random characters from [a-z0-9] (connection-request paths, cookies in tests).
pub fn token(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        return String::new();
    }
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_in_range_and_vary() {
        let samples: Vec<f64> = (0..100).map(|_| fraction()).collect();
        assert!(samples.iter().all(|f| (0.0..1.0).contains(f)));
        assert!(samples.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn tokens_use_the_alphabet() {
        let token = token(24);
        assert_eq!(token.len(), 24);
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }
}
