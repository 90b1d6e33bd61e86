//! Accuracy of the native diagnostics against the standard tools, side by side on the same
//! link in one run (issue 6): DownloadDiagnostics throughput against `curl`, IPPing's
//! average round trip against iputils `ping`. Two network namespaces joined by a veth pair;
//! an HTTP server of this binary in one, the clients in the other, rounds interleaved so
//! both see the same machine load. `make bench-diagnostics`; needs root, `ip`, `curl`,
//! `ping` (skips with a message otherwise).
//!
//! Throughput is file bytes over the time from the first to the last byte: for cwmpd
//! TestBytesReceived / (EOMTime − BOMTime) (TR-143), for curl size_download /
//! (time_total − time_starttransfer). The link is measured unshaped (CPU-bound: on a shared
//! machine the rounds of both scatter by 10 % or more) and shaped with `tbf` to 1 Gbit/s
//! (link-bound), when the kernel has it. Medians of the rounds are compared.

#[path = "../tests/netns/mod.rs"]
mod netns;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;

use cwmpd::diagnostics::ip_ping::{IpPingInputs, ProtocolVersion};
use cwmpd::diagnostics::throughput::{Direction, TransferInputs};
use cwmpd::diagnostics::{ping, transfer_run};
use netns::Pair;

const SERVER: &str = "CWMPD_BENCH_HTTP_SERVER";
const DOWNLOAD: &str = "CWMPD_BENCH_DOWNLOAD";
const PING: &str = "CWMPD_BENCH_PING";
const PEER: &str = "10.203.7.2";
const FILE_BYTES: u64 = 400 * 1024 * 1024;
const ROUNDS: usize = 7;
const PINGS: u32 = 200;

fn main() {
    if let Ok(spec) = std::env::var(SERVER) {
        return serve(&spec);
    }
    if let Ok(url) = std::env::var(DOWNLOAD) {
        return download(&url);
    }
    if let Ok(host) = std::env::var(PING) {
        return ping_host(&host);
    }
    let tools = ["curl", "ping"]
        .iter()
        .all(|tool| Command::new(tool).arg("-V").output().is_ok());
    if !tools {
        eprintln!("SKIPPED: the diagnostics benchmark needs curl and iputils ping");
        return;
    }
    let Some(pair) = Pair::new("bench") else {
        eprintln!("SKIPPED: the diagnostics benchmark needs root and ip (network namespaces)");
        return;
    };
    let _server = pair.server(&pair.b, "serve", SERVER, &format!("{PEER}:8080"));
    println!(
        "DownloadDiagnostics vs curl, {} MiB file, {ROUNDS} rounds each",
        FILE_BYTES >> 20
    );
    compare_downloads(&pair, "veth, unshaped");
    let shaped = Command::new("ip")
        .args([
            "netns", "exec", &pair.b, "tc", "qdisc", "replace", "dev", "vb", "root",
        ])
        .args(["tbf", "rate", "1gbit", "burst", "256kb", "latency", "20ms"])
        .status()
        .is_ok_and(|status| status.success());
    match shaped {
        true => compare_downloads(&pair, "veth shaped to 1 Gbit/s (tbf)"),
        false => println!("  (no tbf in this kernel: shaped link skipped)"),
    }
    let _ = Command::new("ip")
        .args([
            "netns", "exec", &pair.b, "tc", "qdisc", "del", "dev", "vb", "root",
        ])
        .status();
    compare_pings(&pair);
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn compare_downloads(pair: &Pair, link: &str) {
    let url = format!("http://{PEER}:8080/{FILE_BYTES}");
    let (mut ours, mut curls) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Who goes first alternates, so neither always meets the same moment of load.
        if round % 2 == 1 {
            curls.push(curl(pair, &url));
        }
        let line = pair.child(&pair.a, "download", DOWNLOAD, &url);
        ours.push(line.trim().parse().expect("cwmpd's throughput"));
        if round % 2 == 0 {
            curls.push(curl(pair, &url));
        }
    }
    let (ours_mbit, curl_mbit) = (median(ours.clone()), median(curls.clone()));
    let difference = (ours_mbit - curl_mbit) / curl_mbit * 100.0;
    println!("  {link}:");
    println!(
        "    cwmpd  Mbit/s: median {ours_mbit:9.1}  rounds {}",
        list(&ours)
    );
    println!(
        "    curl   Mbit/s: median {curl_mbit:9.1}  rounds {}",
        list(&curls)
    );
    println!("    cwmpd vs curl: {difference:+.2} % (target within ±2 %)");
}

fn list(samples: &[f64]) -> String {
    let texts: Vec<String> = samples.iter().map(|s| format!("{s:.0}")).collect();
    texts.join(" ")
}

/// curl's throughput from first to last byte, in Mbit/s.
fn curl(pair: &Pair, url: &str) -> f64 {
    let out = Command::new("ip")
        .args(["netns", "exec", &pair.a, "curl", "-s", "-o", "/dev/null"])
        .args([
            "-w",
            "%{size_download} %{time_starttransfer} %{time_total}",
            url,
        ])
        .output()
        .expect("curl");
    let text = String::from_utf8_lossy(&out.stdout);
    let n: Vec<f64> = text
        .split(' ')
        .map(|v| v.parse().expect("curl -w"))
        .collect();
    n[0] * 8.0 / (n[2] - n[1]) / 1e6
}

fn compare_pings(pair: &Pair) {
    println!("IPPing vs ping, {PINGS} echoes 10 ms apart, {ROUNDS} rounds each (averages in ms)");
    let (mut ours, mut pings) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let line = pair.child(&pair.a, "ping", PING, PEER);
        ours.push(line.trim().parse::<f64>().expect("cwmpd's average") / 1000.0);
        pings.push(iputils_ping(pair));
    }
    let (ours_ms, ping_ms) = (median(ours.clone()), median(pings.clone()));
    let rounds = |s: &[f64]| {
        s.iter()
            .map(|v| format!("{v:.4}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "  cwmpd  average: median {ours_ms:.4} ms  rounds {}",
        rounds(&ours)
    );
    println!(
        "  ping   average: median {ping_ms:.4} ms  rounds {}",
        rounds(&pings)
    );
    println!(
        "  cwmpd − ping: {:+.4} ms (target within ±0.05 ms)",
        ours_ms - ping_ms
    );
}

/// iputils ping's average round trip, in ms.
fn iputils_ping(pair: &Pair) -> f64 {
    let count = PINGS.to_string();
    let out = Command::new("ip")
        .args([
            "netns", "exec", &pair.a, "ping", "-q", "-n", "-i", "0.01", "-s", "56",
        ])
        .args(["-c", &count, PEER])
        .output()
        .expect("ping");
    let text = String::from_utf8_lossy(&out.stdout);
    // rtt min/avg/max/mdev = 0.031/0.047/0.090/0.010 ms
    let stats = text
        .lines()
        .find_map(|line| line.split_once(" = "))
        .map(|(_, numbers)| numbers.to_string())
        .expect("ping's summary");
    stats.split('/').nth(1).unwrap().parse().unwrap()
}

// --- the children ---------------------------------------------------------------------

/// HTTP server: `GET /N` answers N zero bytes.
fn serve(address: &str) {
    let listener = TcpListener::bind(address).unwrap();
    println!("READY");
    for stream in listener.incoming().map_while(Result::ok) {
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut stream = stream;
            let block = vec![0u8; 1 << 20];
            let mut length = 0u64;
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(_) if line.starts_with("GET /") => {
                        let path = line.split(' ').nth(1).unwrap_or("/0");
                        length = path[1..].parse().unwrap_or(0);
                    }
                    Ok(_) if line == "\r\n" => {
                        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n");
                        if stream.write_all(head.as_bytes()).is_err() {
                            return;
                        }
                        let mut left = length;
                        while left > 0 {
                            let n = left.min(block.len() as u64) as usize;
                            if stream.write_all(&block[..n]).is_err() {
                                return;
                            }
                            left -= n as u64;
                        }
                    }
                    Ok(_) => {}
                }
            }
        });
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// One DownloadDiagnostics; prints its throughput in Mbit/s.
fn download(url: &str) {
    let inputs = TransferInputs {
        interface: String::new(),
        url: url.to_string(),
        dscp: 0,
        ethernet_priority: 0,
        protocol_version: ProtocolVersion::Any,
        connections: 1,
        duration_s: 0,
        interval_s: 0,
        offset_s: 0,
        per_connection_results: false,
        file_length: 0,
    };
    let results = runtime().block_on(transfer_run::run(&inputs, Direction::Download));
    let connection = results.connections.first().expect("the download completed");
    let seconds = (connection.eom - connection.bom) as f64 / 1e6;
    println!("{}", connection.test_bytes as f64 * 8.0 / seconds / 1e6);
}

/// One IPPing; prints its average round trip in µs.
fn ping_host(host: &str) {
    let inputs = IpPingInputs {
        interface: String::new(),
        protocol_version: ProtocolVersion::Any,
        host: host.to_string(),
        repetitions: PINGS,
        timeout_ms: 1000,
        data_block_size: 56,
        dscp: 0,
    };
    let results = runtime().block_on(ping::run(&inputs));
    assert_eq!(results.success_count, PINGS, "{results:?}");
    println!("{}", results.average_us);
}
