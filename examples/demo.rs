//! `make demo`: the real `cwmpd` (target/debug/cwmpd, which `make demo` builds first) in a
//! sandbox root against the scripted test ACS over loopback, the conversation printed as it
//! happens. The walkthrough itself is `tests/support/demo.rs`, which `tests/demo.rs` also runs.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::ExitCode;

fn main() -> ExitCode {
    match support::demo::run(&mut std::io::stdout()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\ndemo failed: {error}");
            ExitCode::FAILURE
        }
    }
}
