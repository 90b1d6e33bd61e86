//! `make demo` runs examples/demo.rs, a thin wrapper around `support::demo::run`; this runs
//! the same walkthrough and checks its output. (`cargo test --all-targets` also builds the
//! example itself.)

mod support;

#[test]
fn demo_walkthrough_succeeds() {
    let mut out = Vec::new();
    let result = support::demo::run(&mut out);
    let text = String::from_utf8_lossy(&out);
    if let Err(error) = result {
        panic!("{text}\n--- demo failed ---\n{error}");
    }
    for expected in [
        "Inform  events: 0 BOOTSTRAP, 1 BOOT",
        "GetParameterNames  Device.",
        "SetParameterValuesResponse  Status=0 (applied)",
        "CPE → ACS  401 Unauthorized  [Digest",
        "CPE → ACS  200 OK",
        "Inform  events: 6 CONNECTION REQUEST",
        "Device.ManagementServer.PeriodicInformInterval = 3600",
        "Device.ManagementServer.ParameterKey = demo-1",
        "\"sessions_completed\": 2",
        "+     option periodic_interval '3600'",
        "cwmpd exited (exit status: 0)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}
