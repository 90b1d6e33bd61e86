//! TR-143 diagnostics against real peers in network namespaces (see `netns/`): Download and
//! Upload against a small HTTP/1.1 server of this file (an independent oracle: it counts
//! every byte it reads and writes per connection), UDPEcho against cwmpd's own UDPEchoConfig
//! server and against a responder here that drops 30 % of the packets (this kernel has no
//! `sch_netem`), ServerSelection between a near and a far host. Needs root; skipped
//! otherwise.

mod netns;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use cwmpd::diagnostics::server_selection::{self, Protocol, ServerSelectionInputs};
use cwmpd::diagnostics::throughput::{Direction, TransferInputs};
use cwmpd::diagnostics::udp_echo::{self, UdpEchoInputs};
use cwmpd::diagnostics::udp_echo_config::EchoServerSettings;
use cwmpd::diagnostics::{download, echo, echo_server, ip_ping::ProtocolVersion, select};
use cwmpd::diagnostics::{transfer_run, upload};
use netns::Pair;

const SERVER: &str = "CWMPD_TR143_HTTP_SERVER";
const TRANSFER: &str = "CWMPD_TR143_TRANSFER";
const PEER: &str = "10.203.7.2";

// --- the HTTP server (runs in the peer namespace) -------------------------------------------

/// A stream that counts what passes.
struct Counted {
    stream: TcpStream,
    received: u64,
    sent: u64,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.stream.read(buf)?;
        self.received += n as u64;
        Ok(n)
    }
}

impl Counted {
    fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)?;
        self.sent += bytes.len() as u64;
        Ok(())
    }

    fn send_zeros(&mut self, mut n: u64, piece: usize, pause: Duration) -> std::io::Result<()> {
        let zeros = vec![0u8; piece];
        while n > 0 {
            let len = n.min(piece as u64) as usize;
            self.send(&zeros[..len])?;
            n -= len as u64;
            if !pause.is_zero() {
                std::thread::sleep(pause);
            }
        }
        Ok(())
    }
}

/// The body of a PUT: by Content-Length or chunked (decoded here, independently of cwmpd).
fn read_body(reader: &mut BufReader<Counted>, head: &str) -> std::io::Result<()> {
    let header = |name: &str| {
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    };
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            let size = u64::from_str_radix(line.trim(), 16).unwrap();
            std::io::copy(&mut reader.by_ref().take(size), &mut std::io::sink())?;
            let mut crlf = String::new();
            reader.read_line(&mut crlf)?;
            if size == 0 {
                return Ok(());
            }
        }
    }
    let length: u64 = header("content-length").map_or(0, |v| v.parse().unwrap());
    std::io::copy(&mut reader.by_ref().take(length), &mut std::io::sink())?;
    Ok(())
}

/// Answer requests until the client closes; false when the server closed.
fn serve_request(reader: &mut BufReader<Counted>) -> std::io::Result<bool> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(false);
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let mut words = head.split_whitespace();
    let (method, path) = (words.next().unwrap(), words.next().unwrap().to_string());
    if method == "PUT" {
        read_body(reader, &head)?;
    }
    let mut parts = path.trim_start_matches('/').split('/');
    let kind = parts.next().unwrap_or_default();
    let n: u64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let out = reader.get_mut();
    let ok_length = |n: u64| format!("HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n\r\n");
    match (method, kind) {
        ("PUT", "missing") | ("GET", "missing") => {
            out.send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")?
        }
        ("PUT", _) => out.send(ok_length(0).as_bytes())?,
        (_, "bytes") => {
            out.send(ok_length(n).as_bytes())?;
            out.send_zeros(n, 65536, Duration::ZERO)?;
        }
        (_, "paced") => {
            out.send(ok_length(n).as_bytes())?;
            out.send_zeros(n, 16384, Duration::from_millis(5))?;
        }
        (_, "chunked") => {
            out.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")?;
            for _ in 0..n / 1000 {
                out.send(b"3e8\r\n")?;
                out.send_zeros(1000, 1000, Duration::ZERO)?;
                out.send(b"\r\n")?;
            }
            out.send(b"0\r\n\r\n")?;
        }
        (_, "close") => {
            out.send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
            out.send_zeros(n, 65536, Duration::ZERO)?;
            return Ok(false);
        }
        (_, "short") => {
            out.send(ok_length(n).as_bytes())?;
            out.send_zeros(n / 2, 65536, Duration::ZERO)?;
            return Ok(false);
        }
        _ => out.send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")?,
    }
    Ok(true)
}

/// The server's side: one thread per connection; `CONN received sent` appended to the log
/// file when a connection ends.
#[test]
fn inner_http_server() {
    let Ok(spec) = std::env::var(SERVER) else {
        return;
    };
    let (address, log) = spec.split_once(' ').unwrap();
    let listener = TcpListener::bind(address).unwrap();
    println!("READY");
    for stream in listener.incoming() {
        let stream = stream.unwrap();
        let log = log.to_string();
        std::thread::spawn(move || {
            let mut reader = BufReader::with_capacity(
                65536,
                Counted {
                    stream,
                    received: 0,
                    sent: 0,
                },
            );
            while let Ok(true) = serve_request(&mut reader) {}
            let counted = reader.get_ref();
            let line = format!("CONN {} {}\n", counted.received, counted.sent);
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(log)
                .unwrap();
            file.write_all(line.as_bytes()).unwrap();
        });
    }
}

/// The ICMP responder of [`Pair::slow_responder`].
#[test]
fn inner_responder() {
    netns::icmp_responder();
}

// --- the client (runs in the test namespace) ------------------------------------------------

/// The child's side: one Download or Upload test; every result parameter as `V name = value`.
#[test]
fn inner_transfer() {
    let Ok(spec) = std::env::var(TRANSFER) else {
        return;
    };
    let f: Vec<&str> = spec.split(' ').collect();
    let inputs = TransferInputs {
        interface: f[7].trim_start_matches('-').to_string(),
        url: f[1].to_string(),
        dscp: 10,
        ethernet_priority: 3,
        protocol_version: ProtocolVersion::Any,
        connections: f[2].parse().unwrap(),
        duration_s: f[3].parse().unwrap(),
        interval_s: f[4].parse().unwrap(),
        offset_s: f[5].parse().unwrap(),
        per_connection_results: f[8] == "1",
        file_length: f[6].parse().unwrap(),
    };
    let (direction, object) = match f[0] {
        "download" => (Direction::Download, download::OBJECT),
        _ => (Direction::Upload, upload::OBJECT),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let results = runtime.block_on(transfer_run::run(&inputs, direction));
    let mut values = std::collections::BTreeMap::new();
    results.write(object, direction, &mut values);
    print_values(&values, object);
}

struct Http {
    pair: Pair,
    log: String,
    _server: netns::Responder,
}

/// A test as the child reported it: result name → value.
type Results = HashMap<String, String>;

impl Http {
    fn start(tag: &str) -> Option<Http> {
        let pair = Pair::new(tag)?;
        let log = format!("/tmp/cwmpd-tr143-{tag}-{}.log", std::process::id());
        let _ = std::fs::remove_file(&log);
        let server = pair.server(
            &pair.b,
            "inner_http_server",
            SERVER,
            &format!("{PEER}:8080 {log}"),
        );
        Some(Http {
            pair,
            log,
            _server: server,
        })
    }

    /// `kind`: download or upload; `args`: connections duration interval offset length.
    fn run(&self, kind: &str, path: &str, args: &str, per_connection: bool) -> Results {
        let url = format!("http://{PEER}:8080{path}");
        let spec = format!("{kind} {url} {args} va {}", u8::from(per_connection));
        let stdout = self
            .pair
            .child(&self.pair.a, "inner_transfer", TRANSFER, &spec);
        let results = parse_values(&stdout);
        eprintln!("{kind} {path}: {results:?}");
        results
    }

    /// `(received, sent)` of the server's connections, once `count` of them have ended.
    fn connections(&self, count: usize) -> Vec<(u64, u64)> {
        for _ in 0..100 {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            let rows: Vec<(u64, u64)> = text
                .lines()
                .map(|line| {
                    let n: Vec<u64> = line[5..].split(' ').map(|v| v.parse().unwrap()).collect();
                    (n[0], n[1])
                })
                .collect();
            if rows.len() >= count {
                let _ = std::fs::remove_file(&self.log);
                return rows;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server saw fewer than {count} connections end");
    }
}

impl Drop for Http {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log);
    }
}

fn number(results: &Results, name: &str) -> u64 {
    results[name].parse().unwrap()
}

/// TR-143 times have six fractional digits; same-format UTC times compare as text.
fn assert_time_order(results: &Results, names: &[&str]) {
    for name in names {
        assert_eq!(results[*name].len(), 27, "{name} = {}", results[*name]);
    }
    for pair in names.windows(2) {
        assert!(
            results[pair[0]] <= results[pair[1]],
            "{} {} after {} {}",
            pair[0],
            results[pair[0]],
            pair[1],
            results[pair[1]]
        );
    }
}

/// The times of a test, in the order they happen.
const TEST_TIMES: [&str; 5] = [
    "TCPOpenRequestTime",
    "TCPOpenResponseTime",
    "ROMTime",
    "BOMTime",
    "EOMTime",
];

const OK_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n";

#[test]
fn a_download_counts_exactly_the_bytes_the_server_sent() {
    let Some(http) = Http::start("g") else { return };
    let results = http.run("download", "/bytes/1000000", "1 0 0 0 0", false);
    assert_eq!(results["DiagnosticsState"], "Complete");
    let expected = (OK_HEAD.len() + 1_000_000) as u64;
    assert_eq!(number(&results, "TestBytesReceived"), expected);
    let server = http.connections(1);
    assert_eq!(server[0].1, expected);
    assert_eq!(results["IPAddressUsed"], "10.203.7.1");
    assert_time_order(&results, &TEST_TIMES);
    // Bound to va: the interface counters saw the file plus TCP/IP framing, and the request.
    let total = number(&results, "TotalBytesReceived");
    assert!(total > expected && total < expected * 11 / 10, "{total}");
    assert!(number(&results, "TotalBytesSent") >= server[0].0);
    assert_eq!(
        number(&results, "TestBytesReceivedUnderFullLoading"),
        expected
    );
    assert!(number(&results, "PeriodOfFullLoading") > 0);
    assert_eq!(results["PerConnectionResultNumberOfEntries"], "0");
    assert_eq!(results["IncrementalResultNumberOfEntries"], "0");

    let chunked = http.run("download", "/chunked/200000", "1 0 0 0 0", false);
    assert_eq!(chunked["DiagnosticsState"], "Complete");
    assert_eq!(
        number(&chunked, "TestBytesReceived"),
        http.connections(1)[0].1
    );
    let until_close = http.run("download", "/close/300000", "1 0 0 0 0", false);
    assert_eq!(until_close["DiagnosticsState"], "Complete");
    assert_eq!(
        number(&until_close, "TestBytesReceived"),
        http.connections(1)[0].1
    );
}

#[test]
fn an_upload_sends_exactly_test_file_length_and_its_head() {
    let Some(http) = Http::start("u") else { return };
    let results = http.run("upload", "/up", "1 0 0 0 3000000", false);
    assert_eq!(results["DiagnosticsState"], "Complete");
    let server = http.connections(1);
    // The server read the request head and exactly TestFileLength body bytes.
    assert_eq!(number(&results, "TestBytesSent"), server[0].0);
    let head = number(&results, "TestBytesSent") - 3_000_000;
    assert!((100..300).contains(&head), "head of {head} bytes");
    assert_time_order(&results, &TEST_TIMES);
    let total = number(&results, "TotalBytesSent");
    assert!(total > 3_000_000 && total < 3_300_000, "{total}");
}

#[test]
fn per_connection_results_sum_to_the_totals() {
    let Some(http) = Http::start("m") else { return };
    let results = http.run("download", "/bytes/1000000", "3 0 0 0 0", true);
    assert_eq!(results["DiagnosticsState"], "Complete");
    assert_eq!(results["PerConnectionResultNumberOfEntries"], "3");
    let rows: Vec<u64> = (1..=3)
        .map(|i| {
            number(
                &results,
                &format!("PerConnectionResult.{i}.TestBytesReceived"),
            )
        })
        .collect();
    assert_eq!(rows, [(OK_HEAD.len() + 1_000_000) as u64; 3]);
    assert_eq!(
        number(&results, "TestBytesReceived"),
        rows.iter().sum::<u64>()
    );
    let server: u64 = http.connections(3).iter().map(|(_, sent)| sent).sum();
    assert_eq!(number(&results, "TestBytesReceived"), server);
    let field = |name: &str| -> Vec<String> {
        (1..=3)
            .map(|i| results[&format!("PerConnectionResult.{i}.{name}")].clone())
            .collect()
    };
    // ROM and BOM the earliest of the connections, EOM and the TCP open times the latest.
    assert_eq!(&results["ROMTime"], field("ROMTime").iter().min().unwrap());
    assert_eq!(&results["BOMTime"], field("BOMTime").iter().min().unwrap());
    assert_eq!(&results["EOMTime"], field("EOMTime").iter().max().unwrap());
    assert_eq!(
        &results["TCPOpenResponseTime"],
        field("TCPOpenResponseTime").iter().max().unwrap()
    );
    let uploads = http.run("upload", "/up", "2 0 0 0 500000", true);
    assert_eq!(uploads["DiagnosticsState"], "Complete");
    let server: u64 = http
        .connections(2)
        .iter()
        .map(|(received, _)| received)
        .sum();
    let rows: u64 = (1..=2)
        .map(|i| number(&uploads, &format!("PerConnectionResult.{i}.TestBytesSent")))
        .sum();
    assert_eq!((number(&uploads, "TestBytesSent"), rows), (server, server));
}

/// StartTime and EndTime of `IncrementalResult.{i}` in µs of the same minute.
fn interval_us(results: &Results, i: u32) -> i64 {
    let micros = |name: &str| -> i64 {
        let time = &results[&format!("IncrementalResult.{i}.{name}")];
        let seconds: f64 = time[17..26].parse().unwrap();
        let minutes: i64 = time[14..16].parse().unwrap();
        minutes * 60_000_000 + (seconds * 1e6).round() as i64
    };
    (micros("EndTime") - micros("StartTime")).rem_euclid(3_600_000_000)
}

#[test]
fn a_time_based_test_reports_incremental_results() {
    let Some(http) = Http::start("t") else { return };
    // 3 s, intervals of 1 s from BOM: three rows. The server paces itself (~3 MB/s) and the
    // file is longer than the test: the test ends it.
    let results = http.run("download", "/paced/100000000", "1 3 1 0 0", false);
    assert_eq!(results["DiagnosticsState"], "Complete");
    assert_eq!(results["IncrementalResultNumberOfEntries"], "3");
    let mut sum = 0;
    for i in 1..=3 {
        let us = interval_us(&results, i);
        // Sampled by a timer: a loaded machine may wake it a little late.
        assert!((950_000..1_250_000).contains(&us), "interval {i}: {us} µs");
        let bytes = number(
            &results,
            &format!("IncrementalResult.{i}.TestBytesReceived"),
        );
        assert!(bytes > 1_000_000, "interval {i}: {bytes} bytes");
        sum += bytes;
    }
    let total = number(&results, "TestBytesReceived");
    assert!(sum <= total && sum * 10 >= total * 9, "{sum} of {total}");
    // A file shorter than the test is fetched again on the same connection.
    let again = http.run("download", "/paced/1000000", "1 2 0 0 0", false);
    assert_eq!(again["DiagnosticsState"], "Complete");
    assert!(number(&again, "TestBytesReceived") > 2 * 1_000_000);
    assert_eq!(http.connections(2).len(), 2);
    // A time-based upload: a chunked PUT for 1 s, one interval of 1 s.
    let up = http.run("upload", "/up", "1 1 1 0 0", false);
    assert_eq!(up["DiagnosticsState"], "Complete");
    assert_eq!(up["IncrementalResultNumberOfEntries"], "1");
    let server = http.connections(1);
    assert_eq!(number(&up, "TestBytesSent"), server[0].0);
}

#[test]
fn failures_map_to_tr181_errors() {
    let Some(http) = Http::start("f") else { return };
    let state = |kind: &str, path: &str| {
        http.run(kind, path, "1 0 0 0 1000", false)["DiagnosticsState"].clone()
    };
    assert_eq!(state("download", "/missing"), "Error_TransferFailed");
    assert_eq!(state("download", "/short/100000"), "Error_IncorrectSize");
    assert_eq!(state("upload", "/missing"), "Error_NoTransferComplete");
    // Nothing listens on port 9; no such name; nothing routes to TEST-NET-1.
    for (url, expected) in [
        ("http://10.203.7.2:9/x", "Error_InitConnectionFailed"),
        (
            "http://no-such-host.invalid/x",
            "Error_CannotResolveHostName",
        ),
        ("http://192.0.2.1/x", "Error_NoRouteToHost"),
    ] {
        let spec = format!("download {url} 1 0 0 0 0 - 0");
        let out = http
            .pair
            .child(&http.pair.a, "inner_transfer", TRANSFER, &spec);
        assert_eq!(parse_values(&out)["DiagnosticsState"], expected, "{url}");
    }
}

// --- UDP echo and server selection ----------------------------------------------------------

const ECHO_SERVER: &str = "CWMPD_TR143_ECHO_SERVER";
const TEST_ECHO: &str = "CWMPD_TR143_TEST_ECHO";
const UDP_ECHO: &str = "CWMPD_TR143_UDP_ECHO";
const SELECT: &str = "CWMPD_TR143_SELECT";

/// cwmpd's UDPEchoConfig server: spec `port echo_plus source device counters-file`
/// (`-` for empty); its counters rewritten to the file after every packet.
#[test]
fn inner_echo_server() {
    let Ok(spec) = std::env::var(ECHO_SERVER) else {
        return;
    };
    let f: Vec<String> = spec
        .split(' ')
        .map(|field| field.trim_start_matches('-').to_string())
        .collect();
    let settings = EchoServerSettings {
        enable: true,
        device: f[3].clone(),
        source: f[2].clone(),
        port: f[0].parse().unwrap(),
        echo_plus: f[1] == "1",
    };
    let file = f[4].clone();
    let (_sender, receiver) = tokio::sync::watch::channel(settings);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        tokio::task::spawn_local(echo_server::serve(receiver, move |c| {
            let line = format!(
                "{} {} {} {}",
                c.packets_received, c.packets_responded, c.bytes_received, c.bytes_responded
            );
            // Whole or not at all for the reader: write aside, then rename.
            let aside = format!("{file}.new");
            std::fs::write(&aside, line).unwrap();
            std::fs::rename(&aside, &file).unwrap();
        }));
        // The server binds when first polled.
        tokio::task::yield_now().await;
        println!("READY");
        std::future::pending::<()>().await
    });
}

/// An echo responder of this test (not cwmpd's): spec `address:port delay_ms lossy`;
/// lossy drops the packets whose TestGenSN ends in 0, 1 or 2 (30 %, deterministic).
#[test]
fn inner_test_echo() {
    let Ok(spec) = std::env::var(TEST_ECHO) else {
        return;
    };
    let f: Vec<&str> = spec.split(' ').collect();
    let socket = std::net::UdpSocket::bind(f[0]).unwrap();
    let delay = Duration::from_millis(f[1].parse().unwrap());
    let lossy = f[2] == "true";
    println!("READY");
    let mut buf = [0u8; 65_536];
    loop {
        let (len, from) = socket.recv_from(&mut buf).unwrap();
        let sn = u32::from_be_bytes(buf[..4].try_into().unwrap());
        if lossy && sn % 10 < 3 {
            continue;
        }
        std::thread::sleep(delay);
        socket.send_to(&buf[..len], from).unwrap();
    }
}

/// UDPEchoDiagnostics in the child: spec `host port repetitions timeout_ms size`.
#[test]
fn inner_udp_echo() {
    let Ok(spec) = std::env::var(UDP_ECHO) else {
        return;
    };
    let f: Vec<&str> = spec.split(' ').collect();
    let inputs = UdpEchoInputs {
        interface: "va".into(),
        host: f[0].into(),
        port: f[1].parse().unwrap(),
        repetitions: f[2].parse().unwrap(),
        timeout_ms: f[3].parse().unwrap(),
        data_block_size: f[4].parse().unwrap(),
        dscp: 0,
        inter_transmission_ms: 5,
        protocol_version: ProtocolVersion::Any,
        individual_results: true,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let results = runtime.block_on(echo::run(&inputs));
    let mut values = std::collections::BTreeMap::new();
    results.write(&mut values);
    print_values(&values, udp_echo::OBJECT);
}

/// ServerSelectionDiagnostics in the child: spec `protocol hosts repetitions`.
#[test]
fn inner_select() {
    let Ok(spec) = std::env::var(SELECT) else {
        return;
    };
    let f: Vec<&str> = spec.split(' ').collect();
    let inputs = ServerSelectionInputs {
        interface: String::new(),
        protocol_version: ProtocolVersion::Any,
        protocol: match f[0] {
            "icmp" => Protocol::Icmp,
            _ => Protocol::UdpEcho,
        },
        hosts: f[1].split(',').map(str::to_string).collect(),
        repetitions: f[2].parse().unwrap(),
        timeout_ms: 300,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let results = runtime.block_on(select::run(&inputs));
    let mut values = std::collections::BTreeMap::new();
    results.write(&mut values);
    print_values(&values, server_selection::OBJECT);
}

fn print_values(
    values: &std::collections::BTreeMap<String, cwmpd::datamodel::Value>,
    object: &str,
) {
    println!();
    for (path, value) in values {
        let name = path.strip_prefix(object).unwrap();
        println!("V {name} = {}", value.to_lexical());
    }
}

fn parse_values(stdout: &str) -> Results {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("V "))
        .filter_map(|line| line.split_once(" = "))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// SuccessCount and FailureCount.
fn counts(results: &Results) -> (&str, &str) {
    (&results["SuccessCount"], &results["FailureCount"])
}

fn udp_echo(pair: &Pair, spec: &str) -> Results {
    let results = parse_values(&pair.child(&pair.a, "inner_udp_echo", UDP_ECHO, spec));
    eprintln!("UDPEcho {spec}: {results:?}");
    results
}

/// The counters cwmpd's server wrote (received, responded, bytes received, responded),
/// once they are `expected` (the server publishes them just after it answered): at most 2 s.
fn assert_server_counters(file: &str, expected: [u32; 4]) {
    let mut last: Vec<u32> = Vec::new();
    for _ in 0..100 {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        last = text.split(' ').filter_map(|n| n.parse().ok()).collect();
        if last == expected {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server counters {last:?}, expected {expected:?}");
}

#[test]
fn udp_echo_against_cwmpds_echo_plus_server() {
    let Some(pair) = Pair::new("p") else { return };
    let id = std::process::id();
    let counters = |port: u16| format!("/tmp/cwmpd-tr143-echo-{id}-{port}");
    let start = |port: u16, plus: bool, source: &str| {
        let spec = format!("{port} {} {source} vb {}", u8::from(plus), counters(port));
        pair.server(&pair.b, "inner_echo_server", ECHO_SERVER, &spec)
    };
    let _plus = start(7007, true, "10.203.7.1");
    let _plain = start(7008, false, "-");
    let _elsewhere = start(7009, true, "10.203.7.99");

    let results = udp_echo(&pair, &format!("{PEER} 7007 5 1000 24"));
    assert_eq!(results["DiagnosticsState"], "Complete");
    assert_eq!(counts(&results), ("5", "0"));
    assert_eq!(results["IPAddressUsed"], "10.203.7.1");
    assert_eq!(results["IndividualPacketResultNumberOfEntries"], "5");
    for i in 1..=5 {
        let row = |name: &str| results[&format!("IndividualPacketResult.{i}.{name}")].clone();
        assert_eq!(row("PacketSuccess"), "true");
        assert_eq!(row("TestGenSN"), i.to_string());
        // The server numbers its responses from 1 since it was enabled.
        assert_eq!(row("TestRespSN"), i.to_string());
        assert_eq!(row("TestRespReplyFailureCount"), "0");
        let received: u32 = row("TestRespRcvTimeStamp").parse().unwrap();
        let replied: u32 = row("TestRespReplyTimeStamp").parse().unwrap();
        assert!(
            replied.wrapping_sub(received) < 10_000,
            "{received} {replied}"
        );
        assert!(row("PacketSendTime") < row("PacketReceiveTime"));
    }
    let average: u32 = results["AverageResponseTime"].parse().unwrap();
    assert!(average > 0 && average < 20_000, "{average} µs");
    // 5 packets of 24 bytes plus the UDP header, each way.
    assert_server_counters(&counters(7007), [5, 5, 160, 160]);

    let plain = udp_echo(&pair, &format!("{PEER} 7008 2 1000 24"));
    assert_eq!(plain["SuccessCount"], "2");
    assert_eq!(plain["IndividualPacketResult.2.TestRespSN"], "0");
    assert_eq!(plain["IndividualPacketResult.2.TestGenSN"], "2");
    // A short packet carries no Echo Plus header; still echoed.
    let short = udp_echo(&pair, &format!("{PEER} 7007 1 1000 8"));
    assert_eq!(short["SuccessCount"], "1");
    assert_eq!(short["IndividualPacketResult.1.TestRespSN"], "0");
    // The third server answers only 10.203.7.99: our packets are not even counted.
    let filtered = udp_echo(&pair, &format!("{PEER} 7009 3 200 24"));
    assert_eq!(counts(&filtered), ("0", "3"));
    assert_eq!(
        filtered["IndividualPacketResult.1.PacketReceiveTime"],
        "0001-01-01T00:00:00Z"
    );
    assert_server_counters(&counters(7009), [0, 0, 0, 0]);
    for port in [7007, 7008, 7009] {
        let _ = std::fs::remove_file(counters(port));
    }
    let unresolvable = udp_echo(&pair, "no-such-host.invalid 7 1 100 24");
    assert_eq!(
        unresolvable["DiagnosticsState"],
        "Error_CannotResolveHostName"
    );
}

#[test]
fn udp_echo_loss_shows_as_failures() {
    let Some(pair) = Pair::new("o") else { return };
    let _lossy = pair.server(
        &pair.b,
        "inner_test_echo",
        TEST_ECHO,
        &format!("{PEER}:7010 0 true"),
    );
    let results = udp_echo(&pair, &format!("{PEER} 7010 20 100 24"));
    assert_eq!(results["DiagnosticsState"], "Complete");
    // TestGenSN 1..20: 10, 20 and 1, 2, 11, 12 end in 0, 1 or 2.
    assert_eq!(counts(&results), ("14", "6"));
    assert_eq!(results["IndividualPacketResult.10.PacketSuccess"], "false");
    assert_eq!(results["IndividualPacketResult.13.PacketSuccess"], "true");
}

#[test]
fn server_selection_picks_the_nearer_host() {
    let Some(pair) = Pair::new("s") else { return };
    // A third namespace `c` behind `a` (10.203.9.0/24), answering at once; `b` answers
    // 20 ms late (ICMP through the responder instead of the kernel, UDP through ours).
    let c = netns::Namespace(format!("cwds{}c", std::process::id()));
    netns::must(&["ip", "netns", "add", &c.0]);
    netns::must(&[
        "ip", "-n", &pair.a, "link", "add", "vc", "type", "veth", "peer", "name", "vc", "netns",
        &c.0,
    ]);
    netns::must(&[
        "ip",
        "-n",
        &pair.a,
        "addr",
        "add",
        "10.203.9.1/24",
        "dev",
        "vc",
    ]);
    netns::must(&[
        "ip",
        "-n",
        &c.0,
        "addr",
        "add",
        "10.203.9.2/24",
        "dev",
        "vc",
    ]);
    for (ns, dev) in [
        (pair.a.as_str(), "vc"),
        (c.0.as_str(), "vc"),
        (c.0.as_str(), "lo"),
    ] {
        netns::must(&["ip", "-n", ns, "link", "set", dev, "up"]);
    }
    let _slow_icmp = pair.slow_responder(20, false);
    let _slow_udp = pair.server(
        &pair.b,
        "inner_test_echo",
        TEST_ECHO,
        &format!("{PEER}:7 20 false"),
    );
    let _fast_udp = pair.server(&c.0, "inner_test_echo", TEST_ECHO, "10.203.9.2:7 0 false");
    let select = |spec: &str| {
        let results = parse_values(&pair.child(&pair.a, "inner_select", SELECT, spec));
        eprintln!("ServerSelection {spec}: {results:?}");
        results
    };
    for protocol in ["icmp", "udp"] {
        for hosts in ["10.203.7.2,10.203.9.2", "10.203.9.2,10.203.7.2"] {
            let results = select(&format!("{protocol} {hosts} 3"));
            assert_eq!(results["DiagnosticsState"], "Complete");
            assert_eq!(results["FastestHost"], "10.203.9.2", "{protocol} {hosts}");
            assert_eq!(results["IPAddressUsed"], "10.203.9.1");
            let average: u32 = results["AverageResponseTime"].parse().unwrap();
            assert!(average < 10_000, "{protocol}: {average} µs");
        }
        // The far host alone: chosen, with its 20 ms.
        let far = select(&format!("{protocol} 10.203.7.2,no-such-host.invalid 3"));
        assert_eq!(far["FastestHost"], "10.203.7.2");
        let min: u32 = far["MinimumResponseTime"].parse().unwrap();
        assert!(min >= 19_000, "{protocol}: {min} µs");
    }
    let nobody = select("icmp no-such-host.invalid 1");
    assert_eq!(nobody["DiagnosticsState"], "Error_CannotResolveHostName");
    let silent = select("udp 10.203.9.7 1");
    assert_eq!(
        (
            silent["DiagnosticsState"].as_str(),
            silent["FastestHost"].as_str()
        ),
        ("Complete", "")
    );
}
