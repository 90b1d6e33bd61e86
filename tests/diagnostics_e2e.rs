//! End to end: diagnostics through the real `cwmpd` in a sandbox root and the scripted test
//! ACS (issue 6). The ACS requests an IPPing to 127.0.0.1; the test runs after the session,
//! "8 DIAGNOSTICS COMPLETE" opens the next one, where the results are read back.

mod support;

use std::net::TcpListener;
use std::time::Duration;

use support::*;

const WAIT: Duration = Duration::from_secs(30);
const PING: &str = "Device.IP.Diagnostics.IPPing.";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn cwmpd_uci(acs_url: &str) -> String {
    format!(
        "config acs 'acs'\n\toption url '{acs_url}'\n\toption periodic_enable '0'\n\n\
         config cpe 'cpe'\n\toption interface 'lo'\n\toption cr_port '{}'\n",
        free_port()
    )
}

/// ICMP needs a raw socket (root) unless ping sockets are allowed for our group.
fn can_ping() -> bool {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
    let ping_sockets = std::fs::read_to_string("/proc/sys/net/ipv4/ping_group_range")
        .is_ok_and(|range| range.split_whitespace().next() == Some("0"));
    root || ping_sockets
}

fn p(name: &str) -> String {
    format!("{PING}{name}")
}

#[test]
fn ip_ping_requested_runs_after_the_session_and_reports_diagnostics_complete() {
    if !can_ping() {
        eprintln!("SKIPPED: ICMP sockets need root or net.ipv4.ping_group_range");
        return;
    }
    let results: Vec<String> = [
        "DiagnosticsState",
        "Host",
        "IPAddressUsed",
        "NumberOfRepetitions",
        "SuccessCount",
        "FailureCount",
        "AverageResponseTime",
        "MaximumResponseTimeDetailed",
    ]
    .iter()
    .map(|name| p(name))
    .collect();
    let result_names: Vec<&str> = results.iter().map(String::as_str).collect();
    let (host, reps, timeout, state) = (
        p("Host"),
        p("NumberOfRepetitions"),
        p("Timeout"),
        p("DiagnosticsState"),
    );
    let acs = TestAcs::start(
        AcsConfig::new()
            .session(vec![
                AcsRpc::spv(
                    &[
                        (host.as_str(), "127.0.0.1", "xsd:string"),
                        (reps.as_str(), "5", "xsd:unsignedInt"),
                        (timeout.as_str(), "1000", "xsd:unsignedInt"),
                        (state.as_str(), "Requested", "xsd:string"),
                    ],
                    "diag-1",
                ),
                // Still Requested at the end of the session: the test has not started.
                AcsRpc::gpv(&[state.as_str()]),
            ])
            .session(vec![AcsRpc::gpv(&result_names)]),
    );
    let mut cpe = CpeProcess::new(&cwmpd_uci(&acs.url()));
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe.spawn();

    let first = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(first.response(0).status(), Some(0));
    assert_eq!(
        first.response(1).value_of(&state).as_deref(),
        Some("Requested")
    );
    let second = acs
        .wait_for_inform_with_event("8 DIAGNOSTICS COMPLETE", WAIT)
        .unwrap();
    assert_eq!(second.event_codes(), ["8 DIAGNOSTICS COMPLETE"]);
    let values = second.response(0);
    let value = |name: &str| values.value_of(&p(name)).unwrap_or_default();
    assert_eq!(value("DiagnosticsState"), "Complete");
    assert_eq!(value("Host"), "127.0.0.1");
    assert_eq!(value("IPAddressUsed"), "127.0.0.1");
    assert_eq!(value("NumberOfRepetitions"), "5");
    assert_eq!(value("SuccessCount"), "5");
    assert_eq!(value("FailureCount"), "0");
    // Loopback answers within a millisecond or so; milliseconds are the µs rounded.
    let max_us: u32 = value("MaximumResponseTimeDetailed").parse().unwrap();
    assert!(max_us > 0 && max_us < 100_000, "{max_us} µs");
    let average_ms: u32 = value("AverageResponseTime").parse().unwrap();
    assert!(average_ms <= max_us.div_ceil(1000), "{average_ms} ms");
    acs.assert_no_violations();
    acs.validate_cpe_bodies()
        .expect("every CPE envelope is schema-valid");
    let _ = cpe.terminate(WAIT);
}

#[test]
fn an_input_change_cancels_a_running_ping_and_a_local_request_reports_too() {
    if !can_ping() {
        eprintln!("SKIPPED: ICMP sockets need root or net.ipv4.ping_group_range");
        return;
    }
    let (host, reps, state) = (p("Host"), p("NumberOfRepetitions"), p("DiagnosticsState"));
    // Four billion echoes, 10 ms apart at most: this test never ends by itself.
    let acs = TestAcs::start(AcsConfig::new().session(vec![AcsRpc::spv(
        &[
            (host.as_str(), "127.0.0.1", "xsd:string"),
            (reps.as_str(), "4000000000", "xsd:unsignedInt"),
            (state.as_str(), "Requested", "xsd:string"),
        ],
        "diag-2",
    )]));
    let mut cpe = CpeProcess::new(&cwmpd_uci(&acs.url()));
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe.spawn();
    acs.wait_session(1, WAIT).unwrap();
    let started = std::time::Instant::now();
    while !cpe.stderr().contains("IpPing(") {
        assert!(started.elapsed() < WAIT, "the ping never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let get = |cpe: &CpeProcess| {
        let out = cpe.cli(&["get", &state]);
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(!text.is_empty(), "{out:?}");
        text
    };
    assert_eq!(get(&cpe), format!("{state} = Requested"));
    // The loop stays responsive while the test runs; a new input cancels it.
    let out = cpe.cli(&["set", &format!("{reps}=2")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(get(&cpe), format!("{state} = None"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(cpe.stderr().contains("IpPing canceled"), "{}", cpe.stderr());
    assert_eq!(
        acs.sessions().len(),
        1,
        "no DIAGNOSTICS COMPLETE for a canceled test"
    );
    // A request made on the device itself runs and reports the same way.
    let out = cpe.cli(&["set", &format!("{state}=Requested")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let second = acs
        .wait_for_inform_with_event("8 DIAGNOSTICS COMPLETE", WAIT)
        .unwrap();
    assert_eq!(second.event_codes(), ["8 DIAGNOSTICS COMPLETE"]);
    let out = cpe.cli(&["get", &state, &p("SuccessCount")]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{state} = Complete\n{} = 2\n", p("SuccessCount"))
    );
    acs.assert_no_violations();
    let _ = cpe.terminate(WAIT);
}

/// dnsmasq on 127.203.7.53:53 (an address of this machine's loopback nobody else uses),
/// answering `www.test`; killed on drop.
struct Dnsmasq(std::process::Child);

impl Dnsmasq {
    fn start() -> Option<Dnsmasq> {
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
        let installed = std::process::Command::new("dnsmasq")
            .arg("--version")
            .output()
            .is_ok();
        if !root || !installed {
            eprintln!("SKIPPED: needs root (port 53) and dnsmasq");
            return None;
        }
        let child = std::process::Command::new("dnsmasq")
            .args([
                "--no-daemon",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
            ])
            .args([
                "--pid-file=",
                "--user=root",
                "--listen-address=127.203.7.53",
            ])
            .args(["--bind-interfaces", "--local=/test/"])
            .args(["--host-record=www.test,192.0.2.81,2001:db8::81"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let dnsmasq = Dnsmasq(child);
        let udp = format!("/proc/{}/net/udp", dnsmasq.0.id());
        for _ in 0..50 {
            // 127.203.7.53:53 as /proc writes it (little-endian address, hex port).
            if std::fs::read_to_string(&udp).is_ok_and(|t| t.contains("3507CB7F:0035")) {
                return Some(dnsmasq);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("dnsmasq did not start");
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// cwmpd against an ACS that writes `params` (a test's inputs and `Requested`) in the first
/// session and reads `object` in the one "8 DIAGNOSTICS COMPLETE" opens; that session.
fn request_diagnostics(
    params: &[(&str, &str, &str)],
    object: &str,
) -> (TestAcs, CpeProcess, Session) {
    let acs = TestAcs::start(
        AcsConfig::new()
            .session(vec![AcsRpc::spv(params, "diag")])
            .session(vec![AcsRpc::gpv(&[object])]),
    );
    let mut cpe = CpeProcess::new(&cwmpd_uci(&acs.url()));
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe.spawn();
    let second = acs
        .wait_for_inform_with_event("8 DIAGNOSTICS COMPLETE", WAIT)
        .unwrap();
    (acs, cpe, second)
}

#[test]
fn ns_lookup_requested_reports_its_result_table() {
    let Some(_dnsmasq) = Dnsmasq::start() else {
        return;
    };
    const NS: &str = "Device.DNS.Diagnostics.NSLookupDiagnostics.";
    let n = |name: &str| format!("{NS}{name}");
    let (host, server, reps, state) = (
        n("HostName"),
        n("DNSServer"),
        n("NumberOfRepetitions"),
        n("DiagnosticsState"),
    );
    let (acs, mut cpe, second) = request_diagnostics(
        &[
            (host.as_str(), "www.test", "xsd:string"),
            (server.as_str(), "127.203.7.53", "xsd:string"),
            (reps.as_str(), "2", "xsd:unsignedInt"),
            (state.as_str(), "Requested", "xsd:string"),
        ],
        NS,
    );
    let values = second.response(0);
    let value = |name: &str| values.value_of(&n(name)).unwrap_or_default();
    assert_eq!(value("DiagnosticsState"), "Complete");
    assert_eq!(value("ResultNumberOfEntries"), "2");
    assert_eq!(value("SuccessCount"), "2");
    for i in 1..=2 {
        assert_eq!(value(&format!("Result.{i}.Status")), "Success");
        assert_eq!(value(&format!("Result.{i}.HostNameReturned")), "www.test");
        assert_eq!(
            value(&format!("Result.{i}.IPAddresses")),
            "192.0.2.81,2001:db8::81"
        );
        assert_eq!(value(&format!("Result.{i}.DNSServerIP")), "127.203.7.53");
    }
    assert_eq!(values.value_of(&n("Result.3.Status")), None);
    acs.assert_no_violations();
    acs.validate_cpe_bodies()
        .expect("every CPE envelope is schema-valid");
    let _ = cpe.terminate(WAIT);
}

/// A one-file HTTP server on 127.0.0.1: every GET gets `HEAD` and `BODY_LEN` bytes.
struct FileServer {
    port: u16,
}

const BODY_LEN: usize = 250_000;
const HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Length: 250000\r\n\r\n";

impl FileServer {
    fn start() -> FileServer {
        use std::io::{BufRead, BufReader, Write};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut stream = stream;
                    let body = vec![b'x'; BODY_LEN];
                    loop {
                        let mut line = String::new();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) if line == "\r\n" => {
                                let _ = stream.write_all(HEAD.as_bytes());
                                let _ = stream.write_all(&body);
                            }
                            Ok(_) => {}
                        }
                    }
                });
            }
        });
        FileServer { port }
    }
}

#[test]
fn download_requested_by_the_acs_reports_exact_bytes_and_per_connection_results() {
    const DL: &str = "Device.IP.Diagnostics.DownloadDiagnostics.";
    let d = |name: &str| format!("{DL}{name}");
    let server = FileServer::start();
    let url = format!("http://127.0.0.1:{}/file.bin", server.port);
    let (url_param, connections, per_connection, interface, state) = (
        d("DownloadURL"),
        d("NumberOfConnections"),
        d("EnablePerConnectionResults"),
        d("Interface"),
        d("DiagnosticsState"),
    );
    let (acs, mut cpe, second) = request_diagnostics(
        &[
            (url_param.as_str(), url.as_str(), "xsd:string"),
            (connections.as_str(), "2", "xsd:unsignedInt"),
            (per_connection.as_str(), "true", "xsd:boolean"),
            // The sandbox's first network interface: 'loopback', device lo.
            (interface.as_str(), "Device.IP.Interface.1", "xsd:string"),
            (state.as_str(), "Requested", "xsd:string"),
        ],
        DL,
    );
    assert_eq!(second.event_codes(), ["8 DIAGNOSTICS COMPLETE"]);
    let values = second.response(0);
    let value = |name: &str| values.value_of(&d(name)).unwrap_or_default();
    assert_eq!(value("DiagnosticsState"), "Complete");
    assert_eq!(value("Interface"), "Device.IP.Interface.1");
    let per_connection = (HEAD.len() + BODY_LEN) as u64;
    assert_eq!(value("TestBytesReceived"), (2 * per_connection).to_string());
    assert_eq!(value("PerConnectionResultNumberOfEntries"), "2");
    for i in 1..=2 {
        let name = format!("PerConnectionResult.{i}.TestBytesReceived");
        assert_eq!(value(&name), per_connection.to_string());
    }
    assert_eq!(value("IPAddressUsed"), "127.0.0.1");
    // Bound to lo: its counters saw at least the test bytes.
    let total: u64 = value("TotalBytesReceived").parse().unwrap();
    assert!(total >= 2 * per_connection, "{total}");
    // TR-143 times to the microsecond: 2026-11-24T17:30:00.123456Z.
    let bom = value("BOMTime");
    assert_eq!(
        (bom.len(), &bom[19..20], &bom[26..]),
        (27, ".", "Z"),
        "{bom}"
    );
    assert!(value("ROMTime") <= bom && bom <= value("EOMTime"));
    assert_eq!(value("DownloadTransports"), "HTTP");
    acs.assert_no_violations();
    acs.validate_cpe_bodies()
        .expect("every CPE envelope is schema-valid");
    // An Interface must name an existing Device.IP.Interface (9007), and FTP is not offered.
    for bad in [
        format!("{interface}=Device.IP.Interface.99"),
        format!("{url_param}=ftp://127.0.0.1/file"),
    ] {
        let out = cpe.cli(&["set", &bad]);
        let text = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("9007"), "{bad}: {text}");
    }
    let _ = cpe.terminate(WAIT);
}

/// One Echo Plus packet to 127.0.0.1:`port`: the server's TestRespSN, or `None`.
fn echo_plus(port: u16, test_gen_sn: u32) -> Option<u32> {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut packet = [0u8; 24];
    packet[..4].copy_from_slice(&test_gen_sn.to_be_bytes());
    socket.send_to(&packet, ("127.0.0.1", port)).unwrap();
    let mut reply = [0u8; 64];
    let len = socket.recv(&mut reply).ok()?;
    assert_eq!(len, 24);
    assert_eq!(reply[..4], packet[..4]);
    Some(u32::from_be_bytes(reply[4..8].try_into().unwrap()))
}

/// Until the server answers (it restarts when its settings change), at most `WAIT`.
fn first_echo(port: u16) -> u32 {
    let started = std::time::Instant::now();
    loop {
        if let Some(sn) = echo_plus(port, 1) {
            return sn;
        }
        assert!(started.elapsed() < WAIT, "no echo server on port {port}");
    }
}

#[test]
fn udp_echo_config_set_by_the_acs_serves_counts_and_survives_a_restart() {
    const CONFIG: &str = "Device.IP.Diagnostics.UDPEchoConfig.";
    let c = |name: &str| format!("{CONFIG}{name}");
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (enable, udp_port, plus, interface) = (
        c("Enable"),
        c("UDPPort"),
        c("EchoPlusEnabled"),
        c("Interface"),
    );
    let port_text = port.to_string();
    let acs = TestAcs::start(AcsConfig::new().session(vec![AcsRpc::spv(
        &[
            (enable.as_str(), "true", "xsd:boolean"),
            (udp_port.as_str(), port_text.as_str(), "xsd:unsignedInt"),
            (plus.as_str(), "true", "xsd:boolean"),
            (interface.as_str(), "Device.IP.Interface.1", "xsd:string"),
        ],
        "echo-1",
    )]));
    let mut cpe = CpeProcess::new(&cwmpd_uci(&acs.url()));
    cpe.spawn();
    let first = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(first.response(0).status(), Some(0));
    // Echo Plus: the server numbers its responses from 1.
    assert_eq!(first_echo(port), 1);
    assert_eq!(echo_plus(port, 2), Some(2));
    assert_eq!(echo_plus(port, 3), Some(3));
    let get = |cpe: &CpeProcess, names: &[&str]| {
        let paths: Vec<String> = names.iter().map(|name| c(name)).collect();
        let mut args = vec!["get"];
        args.extend(paths.iter().map(String::as_str));
        String::from_utf8_lossy(&cpe.cli(&args).stdout).to_string()
    };
    assert_eq!(
        get(
            &cpe,
            &["PacketsReceived", "BytesResponded", "Interface", "UDPPort"]
        ),
        format!(
            "{} = 3\n{} = 96\n{} = Device.IP.Interface.1\n{} = {port}\n",
            c("PacketsReceived"),
            c("BytesResponded"),
            c("Interface"),
            c("UDPPort")
        )
    );
    let stored = cpe.read_file("/etc/config/cwmpd").unwrap();
    assert!(stored.contains("config udpecho 'udpecho'"), "{stored}");
    assert!(
        stored.contains(&format!("option port '{port}'")),
        "{stored}"
    );
    assert!(stored.contains("option interface 'loopback'"), "{stored}");
    // After a restart (a reboot) it serves again; the counters start afresh.
    cpe.restart();
    assert_eq!(first_echo(port), 1);
    assert_eq!(
        get(&cpe, &["PacketsResponded"]),
        format!("{} = 1\n", c("PacketsResponded"))
    );
    // Disabled: silence.
    let out = cpe.cli(&["set", &format!("{enable}=false")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(echo_plus(port, 9), None);
    acs.assert_no_violations();
    let _ = cpe.terminate(WAIT);
}
