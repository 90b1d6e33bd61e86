//! `cwmp/`, `datamodel/` and `tr181/` stay sans-I/O (design notes): no tokio, files, sockets,
//! processes or wall clock in their code. Time comes in as an argument, I/O goes out as an
//! action; the daemon and `net/` are the edges.

use std::fs;
use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "tokio",
    "std::fs",
    "std::net",
    "std::process",
    "SystemTime::now",
    "Instant::now",
    "File::open",
];

fn check_dir(dir: &Path, offences: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            check_dir(&path, offences);
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        check_file(&path, offences);
    }
}

fn check_file(path: &Path, offences: &mut Vec<String>) {
    let text = fs::read_to_string(path).unwrap();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        for word in FORBIDDEN {
            if code.contains(word) {
                offences.push(format!("{}:{}: {word}", path.display(), number + 1));
            }
        }
    }
}

#[test]
fn the_protocol_core_and_the_data_model_do_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offences = Vec::new();
    check_dir(&root.join("cwmp"), &mut offences);
    check_dir(&root.join("datamodel"), &mut offences);
    check_dir(&root.join("tr181"), &mut offences);
    assert!(
        offences.is_empty(),
        "I/O in sans-I/O code:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_transfer_model_and_request_checks_do_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/transfer");
    let mut offences = Vec::new();
    check_file(&root.join("model.rs"), &mut offences);
    check_dir(&root.join("model"), &mut offences);
    check_file(&root.join("request.rs"), &mut offences);
    assert!(
        offences.is_empty(),
        "I/O in the transfer model:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_diagnostics_model_and_wire_formats_do_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diagnostics");
    let mut offences = Vec::new();
    for file in [
        "state.rs",
        "stored.rs",
        "ip_ping.rs",
        "ns_lookup.rs",
        "trace_route.rs",
        "icmp.rs",
        "dns.rs",
        "throughput.rs",
        "download.rs",
        "upload.rs",
        "http_wire.rs",
        "echo_plus.rs",
        "udp_echo.rs",
        "udp_echo_config.rs",
        "server_selection.rs",
    ] {
        check_file(&root.join(file), &mut offences);
    }
    assert!(
        offences.is_empty(),
        "I/O in the diagnostics model:\n{}",
        offences.join("\n")
    );
}
