//! IPPing against a real peer: two network namespaces joined by a veth pair, with `tc netem`
//! delay and loss on the sending side so the results are predictable. Kernels without
//! `sch_netem` get the same delay or loss from a small echo responder in the peer namespace
//! (the kernel's own echo replies turned off). Needs root and `ip`
//! (CI runs as root); skipped with a message otherwise. The ping itself runs in a child of
//! this test binary started with `ip netns exec`, so the test process never changes namespace.

mod netns;

use std::process::{Command, Stdio};

use netns::{must, run, Namespace, Pair, Responder};

use cwmpd::diagnostics::ip_ping::{IpPingInputs, IpPingResults, ProtocolVersion};
use cwmpd::diagnostics::ns_lookup::NsLookupInputs;
use cwmpd::diagnostics::trace_route::TraceRouteInputs;
use cwmpd::diagnostics::DiagnosticsState;

const INNER: &str = "CWMPD_NETNS_INNER";
const LOOKUP: &str = "CWMPD_NETNS_LOOKUP";
const TRACE: &str = "CWMPD_NETNS_TRACE";
const PEER_V4: &str = "10.203.7.2";
const PEER_V6: &str = "fd00:203:7::2";

impl Pair {
    /// `tc netem` on `va` (requests only: the round trip gains exactly the delay once).
    fn netem(&self, args: &[&str]) -> bool {
        let mut command = vec!["ip", "netns", "exec", &self.a, "tc", "qdisc", "replace"];
        command.extend(["dev", "va", "root", "netem"]);
        command.extend(args);
        let out = run(&command);
        if !out.status.success() {
            eprintln!(
                "SKIPPED netem part: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        out.status.success()
    }

    /// dnsmasq in `b` on 10.203.7.2:53, authoritative for `test`: `www.test` has an IPv4 and
    /// an IPv6 address, other names under `test` do not exist. `None` without dnsmasq.
    fn dnsmasq(&self) -> Option<Responder> {
        if Command::new("dnsmasq").arg("--version").output().is_err() {
            eprintln!("SKIPPED: dnsmasq is not installed");
            return None;
        }
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.b,
                "dnsmasq",
                "--no-daemon",
                "--conf-file=/dev/null",
            ])
            .args(["--no-resolv", "--no-hosts", "--pid-file=", "--user=root"])
            .args([
                "--listen-address=10.203.7.2",
                "--bind-interfaces",
                "--local=/test/",
            ])
            .args(["--host-record=www.test,10.203.7.81,fd00:203:7::81"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let dnsmasq = Responder(child);
        let udp = format!("/proc/{}/net/udp", dnsmasq.0.id());
        for _ in 0..50 {
            if std::fs::read_to_string(&udp).is_ok_and(|t| t.contains(":0035 ")) {
                return Some(dnsmasq);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("dnsmasq did not start");
    }

    /// NSLookupDiagnostics from `a` in a child: the state and one line per Result.
    fn lookup(
        &self,
        host: &str,
        server: &str,
        repetitions: u32,
        timeout_ms: u32,
    ) -> (String, Vec<String>) {
        let exe = std::env::current_exe().unwrap();
        let out = Command::new("ip")
            .args(["netns", "exec", &self.a])
            .arg(exe)
            .args(["--exact", "inner_lookup", "--nocapture", "--test-threads=1"])
            .env(
                LOOKUP,
                format!("{host} {server} {repetitions} {timeout_ms}"),
            )
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let state = stdout
            .lines()
            .find_map(|line| line.split_once("STATE ").map(|(_, rest)| rest.to_string()))
            .unwrap_or_else(|| panic!("no result: {stdout}"));
        let rows = stdout
            .lines()
            .filter_map(|line| line.split_once("ROW ").map(|(_, rest)| rest.to_string()))
            .collect();
        (state, rows)
    }

    /// Let unprivileged-style datagram ICMP sockets work in `a` (root's group 0 included).
    fn allow_ping_sockets(&self) {
        let range = "net.ipv4.ping_group_range=0 2147483647";
        must(&["ip", "netns", "exec", &self.a, "sysctl", "-qw", range]);
    }

    /// Ping from namespace `a` in a child process; its results.
    fn ping(
        &self,
        host: &str,
        repetitions: u32,
        timeout_ms: u32,
        interface: &str,
    ) -> IpPingResults {
        let exe = std::env::current_exe().unwrap();
        let out = Command::new("ip")
            .args(["netns", "exec", &self.a])
            .arg(exe)
            .args(["--exact", "inner_ping", "--nocapture", "--test-threads=1"])
            .env(
                INNER,
                format!("{host} {repetitions} {timeout_ms} {interface}"),
            )
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find_map(|line| line.split_once("RESULT ").map(|(_, rest)| rest))
            .unwrap_or_else(|| {
                panic!(
                    "no result: {stdout} {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            });
        let n: Vec<&str> = line.split(' ').collect();
        IpPingResults {
            state: DiagnosticsState::parse(n[0]).unwrap(),
            ip_address_used: n[1].to_string(),
            success_count: n[2].parse().unwrap(),
            failure_count: n[3].parse().unwrap(),
            average_us: n[4].parse().unwrap(),
            minimum_us: n[5].parse().unwrap(),
            maximum_us: n[6].parse().unwrap(),
        }
    }
}

/// The child's side of [`Pair::lookup`].
#[test]
fn inner_lookup() {
    let Ok(spec) = std::env::var(LOOKUP) else {
        return;
    };
    let parts: Vec<&str> = spec.split(' ').collect();
    let inputs = NsLookupInputs {
        interface: String::new(),
        host_name: parts[0].to_string(),
        dns_server: parts[1].to_string(),
        repetitions: parts[2].parse().unwrap(),
        timeout_ms: parts[3].parse().unwrap(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = runtime.block_on(cwmpd::diagnostics::lookup::run(&inputs));
    println!("\nSTATE {}", r.state.name());
    for row in r.results {
        println!(
            "ROW {} {} {} {} {} {}",
            row.status,
            row.answer_type,
            row.host_name_returned,
            row.ip_addresses.join(","),
            row.dns_server_ip,
            row.response_time_ms
        );
    }
}

/// The responder's side (see [`Pair::slow_responder`]).
#[test]
fn inner_responder() {
    netns::icmp_responder();
}

/// The child's side: run one IPPing in the current namespace and print the results.
#[test]
fn inner_ping() {
    let Ok(spec) = std::env::var(INNER) else {
        return; // only meaningful when started by the tests below
    };
    let parts: Vec<&str> = spec.split(' ').collect();
    let inputs = IpPingInputs {
        interface: parts.get(3).unwrap_or(&"").to_string(),
        protocol_version: ProtocolVersion::Any,
        host: parts[0].to_string(),
        repetitions: parts[1].parse().unwrap(),
        timeout_ms: parts[2].parse().unwrap(),
        data_block_size: 56,
        dscp: 0,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = runtime.block_on(cwmpd::diagnostics::ping::run(&inputs));
    println!(
        "RESULT {} {} {} {} {} {} {}",
        r.state.name(),
        if r.ip_address_used.is_empty() {
            "-"
        } else {
            &r.ip_address_used
        },
        r.success_count,
        r.failure_count,
        r.average_us,
        r.minimum_us,
        r.maximum_us
    );
}

fn assert_about_20ms(results: &IpPingResults, what: &str) {
    eprintln!("{what}: {results:?}");
    assert_eq!(results.state, DiagnosticsState::Complete, "{what}");
    assert_eq!(
        (results.success_count, results.failure_count),
        (10, 0),
        "{what}"
    );
    let average_ms = f64::from(results.average_us) / 1000.0;
    assert!(
        (15.0..=25.0).contains(&average_ms),
        "{what}: average {average_ms} ms"
    );
    assert!(
        results.minimum_us >= 19_000,
        "{what}: netem never delays less"
    );
}

#[test]
fn a_20_ms_delay_shows_as_20_ms_over_raw_and_datagram_sockets() {
    let Some(pair) = Pair::new("d") else { return };
    let quick = pair.ping(PEER_V4, 3, 1000, "");
    assert_eq!(quick.success_count, 3, "{quick:?}");
    assert_eq!(quick.ip_address_used, "10.203.7.1");
    let quick6 = pair.ping(PEER_V6, 3, 1000, "");
    assert_eq!(quick6.success_count, 3, "{quick6:?}");
    assert_eq!(quick6.ip_address_used, "fd00:203:7::1");
    if !pair.netem(&["delay", "20ms"]) {
        let _responder = pair.slow_responder(20, false);
        assert_about_20ms(
            &pair.ping(PEER_V4, 10, 1000, ""),
            "IPv4 raw, slow responder",
        );
        pair.allow_ping_sockets();
        assert_about_20ms(
            &pair.ping(PEER_V4, 10, 1000, "va"),
            "IPv4 datagram, slow responder",
        );
        return;
    }
    // Raw sockets first (a new namespace refuses ping sockets: ping_group_range "1 0").
    assert_about_20ms(&pair.ping(PEER_V4, 10, 1000, ""), "IPv4 raw");
    assert_about_20ms(&pair.ping(PEER_V6, 10, 1000, ""), "IPv6 raw");
    pair.allow_ping_sockets();
    assert_about_20ms(
        &pair.ping(PEER_V4, 10, 1000, "va"),
        "IPv4 datagram, bound to va",
    );
    assert_about_20ms(&pair.ping(PEER_V6, 10, 1000, ""), "IPv6 datagram");
}

#[test]
fn a_30_percent_loss_gives_failures() {
    let Some(pair) = Pair::new("l") else { return };
    if !pair.netem(&["loss", "30%"]) {
        let _responder = pair.slow_responder(0, true);
        let results = pair.ping(PEER_V4, 60, 200, "");
        eprintln!("30 % dropped by the responder: {results:?}");
        assert_eq!((results.success_count, results.failure_count), (42, 18));
        return;
    }
    // 60 echoes at 30 % loss: all answered with probability 0.7^60 ≈ 5e-10, none answered
    // with 0.3^60: a false result is practically impossible.
    let results = pair.ping(PEER_V4, 60, 200, "");
    eprintln!("30 % loss: {results:?}");
    assert_eq!(results.state, DiagnosticsState::Complete);
    assert_eq!(results.success_count + results.failure_count, 60);
    assert!(
        results.failure_count > 0 && results.success_count > 0,
        "{results:?}"
    );
}

#[test]
fn errors_map_to_tr181_states() {
    let Some(pair) = Pair::new("e") else { return };
    let unresolvable = pair.ping("no-such-host.invalid", 1, 100, "");
    assert_eq!(
        unresolvable.state,
        DiagnosticsState::ErrorCannotResolveHostName
    );
    // Nothing routes to 192.0.2.0/24 (TEST-NET-1) in the namespace.
    let unroutable = pair.ping("192.0.2.1", 2, 100, "");
    assert_eq!(unroutable.state, DiagnosticsState::ErrorNoRouteToHost);
    // Bound to an interface that does not exist.
    let no_device = pair.ping(PEER_V4, 1, 100, "nosuchdev0");
    assert_eq!(no_device.state, DiagnosticsState::ErrorInternal);
    // A silent address on the link: every echo times out, the test still completes.
    let silent = pair.ping("10.203.7.9", 2, 100, "");
    assert_eq!(silent.state, DiagnosticsState::Complete, "{silent:?}");
    assert_eq!((silent.success_count, silent.failure_count), (0, 2));
}

#[test]
fn ns_lookup_against_dnsmasq() {
    let Some(pair) = Pair::new("n") else { return };
    let Some(_dnsmasq) = pair.dnsmasq() else {
        return;
    };
    let (state, rows) = pair.lookup("www.test", "10.203.7.2", 3, 1000);
    assert_eq!(state, "Complete");
    assert_eq!(rows.len(), 3, "{rows:?}");
    for row in &rows {
        let fields: Vec<&str> = row.split(' ').collect();
        assert_eq!(
            fields[..5],
            [
                "Success",
                "Authoritative",
                "www.test",
                "10.203.7.81,fd00:203:7::81",
                "10.203.7.2"
            ],
            "{row}"
        );
        assert!(fields[5].parse::<u32>().unwrap() < 100, "{row}");
    }
    let (state, rows) = pair.lookup("nope.test", "10.203.7.2", 1, 1000);
    assert_eq!(state, "Complete");
    assert!(
        rows[0].starts_with("Error_HostNameNotResolved None  "),
        "{rows:?}"
    );
    // Nothing listens on port 53 of the pinging side itself: ICMP port unreachable.
    let (_, rows) = pair.lookup("www.test", "10.203.7.1", 1, 1000);
    assert!(
        rows[0].starts_with("Error_DNSServerNotAvailable "),
        "{rows:?}"
    );
    // A silent address on the link.
    let (_, rows) = pair.lookup("www.test", "10.203.7.9", 2, 200);
    assert_eq!(rows.len(), 2);
    assert!(rows[0].starts_with("Error_Timeout "), "{rows:?}");
    let (state, rows) = pair.lookup("www.test", "no-such-server.invalid", 1, 200);
    assert_eq!(
        (state.as_str(), rows.len()),
        ("Error_DNSServerNotResolved", 0)
    );
}

/// The child's side of the traceroute test: hops as `address:error:times` lines.
#[test]
fn inner_trace() {
    let Ok(spec) = std::env::var(TRACE) else {
        return;
    };
    let (host, max_hops) = spec.split_once(' ').unwrap();
    let inputs = TraceRouteInputs {
        interface: String::new(),
        protocol_version: ProtocolVersion::Any,
        host: host.to_string(),
        tries: 3,
        timeout_ms: 500,
        data_block_size: 38,
        dscp: 0,
        max_hop_count: max_hops.parse().unwrap(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = runtime.block_on(cwmpd::diagnostics::trace::run(&inputs));
    println!("\nSTATE {} {}", r.state.name(), r.ip_address_used);
    for hop in r.hops {
        let times: Vec<String> = hop.rt_times.iter().map(u32::to_string).collect();
        println!(
            "HOP {} {} {}",
            hop.host_address,
            hop.error_code,
            times.join(",")
        );
    }
}

#[test]
fn trace_route_through_a_router_namespace() {
    // a (10.203.8.1) — r (10.203.8.2 | 10.203.9.1, forwarding) — b (10.203.9.2); IPv6 the same
    // with fd00:203:8::/64 and fd00:203:9::/64.
    let Some(left) = Pair::new("t") else { return };
    let (a, r) = (left.a.as_str(), left.b.as_str());
    let b = format!("cwdt{}c", std::process::id());
    must(&["ip", "netns", "add", &b]);
    let _b = Namespace(b.clone());
    must(&[
        "ip", "-n", r, "link", "add", "rb", "type", "veth", "peer", "name", "vb", "netns", &b,
    ]);
    must(&["ip", "-n", r, "addr", "add", "10.203.9.1/24", "dev", "rb"]);
    must(&["ip", "-n", &b, "addr", "add", "10.203.9.2/24", "dev", "vb"]);
    must(&[
        "ip",
        "-n",
        r,
        "addr",
        "add",
        "fd00:203:9::1/64",
        "dev",
        "rb",
        "nodad",
    ]);
    must(&[
        "ip",
        "-n",
        &b,
        "addr",
        "add",
        "fd00:203:9::2/64",
        "dev",
        "vb",
        "nodad",
    ]);
    for (ns, dev) in [(r, "rb"), (b.as_str(), "vb"), (b.as_str(), "lo")] {
        must(&["ip", "-n", ns, "link", "set", dev, "up"]);
    }
    must(&[
        "ip",
        "-n",
        a,
        "route",
        "add",
        "default",
        "via",
        "10.203.7.2",
    ]);
    must(&[
        "ip",
        "-n",
        &b,
        "route",
        "add",
        "default",
        "via",
        "10.203.9.1",
    ]);
    must(&[
        "ip",
        "-n",
        a,
        "-6",
        "route",
        "add",
        "default",
        "via",
        "fd00:203:7::2",
    ]);
    must(&[
        "ip",
        "-n",
        &b,
        "-6",
        "route",
        "add",
        "default",
        "via",
        "fd00:203:9::1",
    ]);
    must(&[
        "ip",
        "netns",
        "exec",
        r,
        "sysctl",
        "-qw",
        "net.ipv4.ip_forward=1",
    ]);
    must(&[
        "ip",
        "netns",
        "exec",
        r,
        "sysctl",
        "-qw",
        "net.ipv6.conf.all.forwarding=1",
    ]);
    left.wait_for_ipv6();

    let trace = |host: &str, max_hops: u32| {
        let out = Command::new("ip")
            .args(["netns", "exec", a])
            .arg(std::env::current_exe().unwrap())
            .args(["--exact", "inner_trace", "--nocapture", "--test-threads=1"])
            .env(TRACE, format!("{host} {max_hops}"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let state = stdout
            .lines()
            .find_map(|l| l.split_once("STATE ").map(|(_, r)| r.to_string()))
            .unwrap_or_else(|| panic!("no result: {stdout}"));
        let hops: Vec<String> = stdout
            .lines()
            .filter_map(|l| l.split_once("HOP ").map(|(_, r)| r.to_string()))
            .collect();
        eprintln!("trace to {host}: {state} {hops:?}");
        (state, hops)
    };
    let addresses = |hops: &[String]| -> Vec<String> {
        hops.iter()
            .map(|hop| hop.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect()
    };
    // The router's route to 10.203.10.0/24 is "unreachable": ICMP host unreachable (code 1)
    // from it ends the trace at its hop. First, while
    // the router's per-host ICMP error budget is full.
    must(&[
        "ip",
        "-n",
        r,
        "route",
        "add",
        "unreachable",
        "10.203.10.0/24",
    ]);
    let (state, hops) = trace("10.203.10.5", 10);
    assert_eq!(state, "Complete 10.203.7.1");
    assert_eq!(addresses(&hops), ["10.203.7.2 1"]);
    let (state, hops) = trace("10.203.9.2", 10);
    assert_eq!(state, "Complete 10.203.7.1");
    assert_eq!(addresses(&hops), ["10.203.7.2 0", "10.203.9.2 0"]);
    // One round trip per answered probe, up to NumberOfTries (3); the router's ICMP error
    // budget per host (net.ipv4.route.error_cost, global) may drop some answers.
    for hop in &hops {
        let times = hop.split(' ').nth(2).unwrap();
        let count = times.split(',').filter(|t| !t.is_empty()).count();
        assert!((1..=3).contains(&count), "{hop}");
    }
    let (state, hops) = trace("fd00:203:9::2", 10);
    assert_eq!(state, "Complete fd00:203:7::1");
    assert_eq!(addresses(&hops), ["fd00:203:7::2 0", "fd00:203:9::2 0"]);
    let (state, hops) = trace("10.203.9.2", 1);
    assert_eq!(state, "Error_MaxHopCountExceeded 10.203.7.1");
    assert_eq!(addresses(&hops), ["10.203.7.2 0"]);
}
