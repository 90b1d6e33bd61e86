//! Command line (placeholder until the daemon lands).

pub fn main() -> i32 {
    0
}
