//! Network namespaces for the diagnostics tests: two namespaces joined by a veth pair
//! (`va` 10.203.7.1 / fd00:203:7::1 in `<tag>a`, `vb` 10.203.7.2 / fd00:203:7::2 in
//! `<tag>b`), deleted on drop, and children of the test binary run inside them with
//! `ip netns exec` (the test process itself never changes namespace). Needs root and `ip`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// The environment variable that makes `inner_responder` answer ICMP echoes.
pub const RESPONDER: &str = "CWMPD_NETNS_RESPONDER";

pub fn run(args: &[&str]) -> Output {
    Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|err| panic!("{args:?}: {err}"))
}

pub fn must(args: &[&str]) {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Namespaces `<tag>a` (pinging, device `va`) and `<tag>b` (answering, `vb`), deleted on drop.
pub struct Pair {
    pub a: String,
    pub b: String,
}

impl Pair {
    pub fn new(tag: &str) -> Option<Pair> {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
        let ip = Command::new("ip").arg("-V").output().is_ok();
        if !root || !ip {
            eprintln!("SKIPPED: network namespaces need root and iproute2's `ip`");
            return None;
        }
        let id = std::process::id();
        let pair = Pair {
            a: format!("cwd{tag}{id}a"),
            b: format!("cwd{tag}{id}b"),
        };
        must(&["ip", "netns", "add", &pair.a]);
        must(&["ip", "netns", "add", &pair.b]);
        let (a, b) = (pair.a.as_str(), pair.b.as_str());
        must(&[
            "ip", "-n", a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b,
        ]);
        must(&["ip", "-n", a, "addr", "add", "10.203.7.1/24", "dev", "va"]);
        must(&["ip", "-n", b, "addr", "add", "10.203.7.2/24", "dev", "vb"]);
        must(&[
            "ip",
            "-n",
            a,
            "addr",
            "add",
            "fd00:203:7::1/64",
            "dev",
            "va",
            "nodad",
        ]);
        must(&[
            "ip",
            "-n",
            b,
            "addr",
            "add",
            "fd00:203:7::2/64",
            "dev",
            "vb",
            "nodad",
        ]);
        for (ns, dev) in [(a, "va"), (b, "vb"), (a, "lo"), (b, "lo")] {
            must(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
        pair.wait_for_ipv6();
        Some(pair)
    }

    /// Until duplicate address detection of the link-local addresses is over (an echo sent
    /// before may go unanswered: neighbour discovery cannot complete yet).
    pub fn wait_for_ipv6(&self) {
        for _ in 0..50 {
            let tentative = [&self.a, &self.b].iter().any(|ns| {
                !run(&["ip", "-n", ns, "-6", "addr", "show", "tentative"])
                    .stdout
                    .is_empty()
            });
            if !tentative {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("IPv6 addresses stay tentative");
    }

    /// Where the kernel lacks `sch_netem`: answer IPv4 echoes in `b` from a child of this
    /// test binary instead of the kernel, `delay_ms` late, dropping the requests whose
    /// sequence number ends in 0, 1 or 2 when `lossy` (30 %, deterministic). Killed on drop.
    pub fn slow_responder(&self, delay_ms: u64, lossy: bool) -> Responder {
        must(&[
            "ip",
            "netns",
            "exec",
            &self.b,
            "sysctl",
            "-qw",
            "net.ipv4.icmp_echo_ignore_all=1",
        ]);
        let spec = format!("{delay_ms} {lossy}");
        self.server(&self.b, "inner_responder", RESPONDER, &spec)
    }

    /// Run test `test` of this binary in namespace `ns` with `env=spec`; its stdout.
    pub fn child(&self, ns: &str, test: &str, env: &str, spec: &str) -> String {
        let out = inner(ns, test, env, spec).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        if !out.status.success() {
            panic!("{test}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        }
        stdout
    }

    /// Start test `test` of this binary in namespace `ns` as a server: returns once it
    /// printed READY; killed on drop.
    pub fn server(&self, ns: &str, test: &str, env: &str, spec: &str) -> Responder {
        let mut child = inner(ns, test, env, spec)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let ready = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains("READY"));
        assert!(ready, "{test} did not start");
        Responder(child)
    }
}

/// Test `test` of this binary run in namespace `ns` with `env=spec`.
fn inner(ns: &str, test: &str, env: &str, spec: &str) -> Command {
    let mut command = Command::new("ip");
    command
        .args(["netns", "exec", ns])
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(env, spec);
    command
}

/// A child process, killed on drop.
pub struct Responder(pub Child);

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = run(&["ip", "netns", "del", &self.a]);
        let _ = run(&["ip", "netns", "del", &self.b]);
    }
}

/// A network namespace deleted on drop.
pub struct Namespace(pub String);

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = run(&["ip", "netns", "del", &self.0]);
    }
}

/// The responder's side of [`Pair::slow_responder`] (each test binary using it has a test
/// `inner_responder` calling this).
pub fn icmp_responder() {
    let Ok(spec) = std::env::var(RESPONDER) else {
        return;
    };
    let (delay, lossy) = spec.split_once(' ').unwrap();
    let delay = std::time::Duration::from_millis(delay.parse().unwrap());
    let lossy: bool = lossy.parse().unwrap();
    let socket = socket2::Socket::new(
        socket2::Domain::IPV4,
        socket2::Type::RAW,
        Some(socket2::Protocol::ICMPV4),
    )
    .unwrap();
    let socket = std::net::UdpSocket::from(socket);
    println!("READY");
    let mut buf = [0u8; 65_536];
    loop {
        let (len, from) = socket.recv_from(&mut buf).unwrap();
        let header = usize::from(buf[0] & 0x0f) * 4;
        let mut reply = buf[header..len].to_vec();
        if reply.len() < 8 || reply[0] != 8 {
            continue;
        }
        let seq = u16::from_be_bytes([reply[6], reply[7]]);
        if lossy && seq % 10 < 3 {
            continue;
        }
        std::thread::sleep(delay);
        reply[0] = 0;
        reply[2..4].copy_from_slice(&[0, 0]);
        let sum = cwmpd::diagnostics::icmp::checksum(&reply);
        reply[2..4].copy_from_slice(&sum.to_be_bytes());
        socket.send_to(&reply, from).unwrap();
    }
}
