//! netlink against real interfaces: a network namespace with a veth pair whose far end is a
//! port of a bridge in a second namespace, static and secondary IPv4 and IPv6 addresses, a
//! static route and pings to move the counters; `live::net::gather()` runs in a child of
//! this test binary started with `ip netns exec` (which also mounts that namespace's
//! `/sys`). Then the real daemon in a namespace: `ip link set eth0 down` must reach the ACS as
//! an active "4 VALUE CHANGE" within a second. Needs root and `ip`; skipped with a message
//! otherwise.

mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::*;

const INNER_GATHER: &str = "CWMPD_NET_INNER_GATHER";
const INNER_DAEMON: &str = "CWMPD_NET_INNER_DAEMON";

fn run(args: &[&str]) -> Output {
    Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|err| panic!("{args:?}: {err}"))
}

fn must(args: &[&str]) {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn can_use_namespaces() -> bool {
    let root = run(&["id", "-u"]).stdout.starts_with(b"0\n");
    let ip = Command::new("ip").arg("-V").output().is_ok();
    if !root || !ip {
        eprintln!("SKIPPED: network namespaces need root and iproute2's `ip`");
    }
    root && ip
}

/// Network namespaces deleted on drop.
struct Namespaces(Vec<String>);

impl Namespaces {
    fn new(tags: &[&str]) -> Namespaces {
        let id = std::process::id();
        let names: Vec<String> = tags.iter().map(|tag| format!("cwnl{tag}{id}")).collect();
        for name in &names {
            must(&["ip", "netns", "add", name]);
        }
        Namespaces(names)
    }

    fn ip(&self, ns: usize, args: &[&str]) {
        let mut command = vec!["ip", "-n", &self.0[ns]];
        command.extend(args);
        must(&command);
    }

    /// Run test `name` of this binary inside namespace `ns` with `env` set; its stdout.
    fn inner(&self, ns: usize, name: &str, env: &str) -> String {
        let exe = std::env::current_exe().unwrap();
        let out = Command::new("ip")
            .args(["netns", "exec", &self.0[ns]])
            .arg(exe)
            .args(["--exact", name, "--nocapture", "--test-threads=1"])
            .env(env, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{name} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = run(&["ip", "netns", "del", name]);
        }
    }
}

/// `a`: `v0` (10.77.0.1/24, fd00:77::1/64). `b`: `v1` in bridge `br0` (10.77.0.2/24 and the
/// secondary 10.77.0.3/24, fd00:77::2/64, MTU 1400), a route to 10.99.0.0/16 via `a`.
fn build() -> Namespaces {
    let ns = Namespaces::new(&["a", "b"]);
    let b = ns.0[1].clone();
    ns.ip(
        0,
        &[
            "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", &b,
        ],
    );
    ns.ip(
        0,
        &[
            "link",
            "set",
            "v0",
            "address",
            "02:00:00:77:00:01",
            "mtu",
            "1400",
        ],
    );
    ns.ip(
        1,
        &[
            "link",
            "set",
            "v1",
            "address",
            "02:00:00:77:00:03",
            "mtu",
            "1400",
        ],
    );
    ns.ip(
        1,
        &[
            "link",
            "add",
            "br0",
            "address",
            "02:00:00:77:00:02",
            "type",
            "bridge",
        ],
    );
    ns.ip(1, &["link", "set", "v1", "master", "br0"]);
    ns.ip(0, &["addr", "add", "10.77.0.1/24", "dev", "v0"]);
    ns.ip(0, &["addr", "add", "fd00:77::1/64", "dev", "v0", "nodad"]);
    ns.ip(1, &["addr", "add", "10.77.0.2/24", "dev", "br0"]);
    ns.ip(1, &["addr", "add", "10.77.0.3/24", "dev", "br0"]);
    ns.ip(1, &["addr", "add", "fd00:77::2/64", "dev", "br0", "nodad"]);
    for (n, dev) in [(0, "v0"), (0, "lo"), (1, "v1"), (1, "br0"), (1, "lo")] {
        ns.ip(n, &["link", "set", dev, "up"]);
    }
    ns.ip(
        1,
        &[
            "route",
            "add",
            "10.99.0.0/16",
            "via",
            "10.77.0.1",
            "dev",
            "br0",
            "metric",
            "7",
        ],
    );
    // The bridge forwards once its port leaves the listening state (no STP: at once).
    let ping = |target: &str| {
        let out = run(&[
            "ip", "netns", "exec", &ns.0[0], "ping", "-c", "5", "-i", "0.2", "-W", "2", target,
        ]);
        out.status.success()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ping("10.77.0.2") {
        assert!(Instant::now() < deadline, "no answer from the bridge");
    }
    assert!(ping("fd00:77::2"), "no IPv6 answer from the bridge");
    ns
}

fn lines<'a>(stdout: &'a str, kind: &str) -> Vec<&'a str> {
    stdout
        .lines()
        // The first line printed by a test follows the harness's "test NAME ... ".
        .filter_map(|line| line.split_once(kind).map(|(_, rest)| rest))
        .collect()
}

#[test]
fn gather_reads_links_addresses_routes_and_counters() {
    if !can_use_namespaces() {
        return;
    }
    let ns = build();
    let stdout = ns.inner(1, "inner_gather", INNER_GATHER);
    let links = lines(&stdout, "LINK ");
    let link = |name: &str| -> Vec<&str> {
        links
            .iter()
            .find(|line| line.split(' ').next() == Some(name))
            .unwrap_or_else(|| panic!("no link {name} in {stdout}"))
            .split(' ')
            .collect()
    };
    // name kind mac mtu admin oper master lower speed duplex ethernet wireless rx_packets
    // tx_packets rx_bytes tx_bytes
    let v1 = link("v1");
    assert_eq!(
        v1[..12],
        [
            "v1",
            "veth",
            "02:00:00:77:00:03",
            "1400",
            "true",
            "up",
            "br0",
            "-",
            "10000",
            "full",
            "true",
            "false"
        ]
    );
    let br0 = link("br0");
    // A bridge's speed is its fastest port's on newer kernels, unknown on older ones.
    assert_eq!(
        [&br0[..8], &br0[9..12]].concat(),
        [
            "br0",
            "bridge",
            "02:00:00:77:00:02",
            "1400",
            "true",
            "up",
            "-",
            "-",
            "-",
            "true",
            "false"
        ]
    );
    let lo = link("lo");
    assert_eq!(lo[..5], ["lo", "", "", "65536", "true"]);
    // 5 IPv4 and 5 IPv6 echo requests (and their neighbour solicitations) came in on v1 and
    // br0; the replies went out.
    for (link, name) in [(&v1, "v1"), (&br0, "br0")] {
        let counter = |i: usize| link[i].parse::<u64>().unwrap();
        assert!(counter(12) >= 10, "{name} rx_packets {}", counter(12));
        assert!(counter(13) >= 10, "{name} tx_packets {}", counter(13));
        assert!(counter(14) >= 10 * 84, "{name} rx_bytes {}", counter(14));
        assert!(counter(15) >= 10 * 84, "{name} tx_bytes {}", counter(15));
    }

    let mut addresses = lines(&stdout, "ADDR ");
    addresses.sort();
    let global: Vec<&&str> = addresses
        .iter()
        .filter(|line| !line.contains(" fe80::") && !line.starts_with("lo "))
        .collect();
    assert_eq!(
        global,
        [
            &"br0 10.77.0.2/24 permanent forever",
            &"br0 10.77.0.3/24 permanent forever",
            &"br0 fd00:77::2/64 permanent forever",
        ]
    );
    assert!(addresses.contains(&"lo 127.0.0.1/8 permanent forever"));

    let routes = lines(&stdout, "ROUTE ");
    assert!(
        routes.contains(&"10.99.0.0/16 via 10.77.0.1 dev br0 metric 7 proto 3 type 1"),
        "{routes:?}"
    );
    assert!(
        routes.contains(&"10.77.0.0/24 via - dev br0 metric 0 proto 2 type 1"),
        "{routes:?}"
    );
    assert!(
        routes
            .iter()
            .any(|r| r.starts_with("fd00:77::/64 via - dev br0 ")),
        "{routes:?}"
    );

    let neighbours = lines(&stdout, "NEIGH ");
    assert!(
        neighbours.contains(&"br0 10.77.0.1 02:00:00:77:00:01 reachable"),
        "{neighbours:?}"
    );
}

/// Inside namespace `b`: one snapshot, printed one fact per line.
#[test]
fn inner_gather() {
    if std::env::var_os(INNER_GATHER).is_none() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let state = runtime.block_on(cwmpd::live::net::gather());
    assert!(state.available);
    let name = |index: Option<u32>| {
        index
            .and_then(|i| state.link_by_index(i))
            .map_or("-".to_string(), |link| link.name.clone())
    };
    for link in &state.links {
        let s = &link.stats;
        println!(
            "LINK {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}",
            link.name,
            link.kind,
            link.mac,
            link.mtu,
            link.admin_up,
            link.oper_state,
            name(link.master),
            if link.kind == "vlan" {
                name(link.lower)
            } else {
                "-".into()
            },
            link.speed_mbps.map_or("-".into(), |s| s.to_string()),
            link.full_duplex
                .map_or("-", |full| if full { "full" } else { "half" }),
            link.ethernet,
            link.wireless,
            s.rx_packets,
            s.tx_packets,
            s.rx_bytes,
            s.tx_bytes,
        );
    }
    for address in &state.addresses {
        println!(
            "ADDR {} {}/{} {} {}",
            name(Some(address.link)),
            address.address,
            address.prefix_len,
            if address.dynamic {
                "dynamic"
            } else {
                "permanent"
            },
            address
                .valid_lifetime
                .map_or("forever".into(), |s| s.to_string()),
        );
    }
    for route in &state.routes {
        println!(
            "ROUTE {}/{} via {} dev {} metric {} proto {} type {}",
            route.destination,
            route.prefix_len,
            route.gateway.map_or("-".into(), |g| g.to_string()),
            name(route.out_link),
            route.metric,
            route.protocol,
            route.kind,
        );
    }
    for neighbour in &state.neighbours {
        println!(
            "NEIGH {} {} {} {}",
            name(Some(neighbour.link)),
            neighbour.address,
            neighbour.mac,
            if neighbour.reachable {
                "reachable"
            } else {
                "unreachable"
            },
        );
    }
}

#[test]
fn a_port_going_down_is_an_active_value_change_within_a_second() {
    if !can_use_namespaces() {
        return;
    }
    let ns = Namespaces::new(&["d"]);
    // The sandbox board (an Archer C7) declares the port eth0.
    ns.ip(
        0,
        &[
            "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p",
        ],
    );
    for dev in ["lo", "eth0", "eth0p"] {
        ns.ip(0, &["link", "set", dev, "up"]);
    }
    let stdout = ns.inner(0, "inner_daemon", INNER_DAEMON);
    let latency = lines(&stdout, "LATENCY ms ");
    assert_eq!(latency.len(), 1, "{stdout}");
    eprintln!("link down → 4 VALUE CHANGE Inform: {} ms", latency[0]);
}

/// Inside the namespace: the test ACS and the real daemon; the ACS asks for active
/// notification of Ethernet.Interface.1.Status, then the port goes down.
#[test]
fn inner_daemon() {
    if std::env::var_os(INNER_DAEMON).is_none() {
        return;
    }
    const STATUS: &str = "Device.Ethernet.Interface.1.Status";
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        AcsRpc::gpv(&["Device.Ethernet.Interface.1.Name", STATUS]),
        AcsRpc::spa_notification(STATUS, 2),
    ]));
    let cr_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uci = format!(
        "config acs 'acs'\n\toption url '{}'\n\toption periodic_enable '0'\n\n\
         config cpe 'cpe'\n\toption interface 'lo'\n\toption cr_port '{cr_port}'\n",
        acs.url()
    );
    let mut cpe = CpeProcess::new(&uci);
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe.spawn();
    let first = acs.wait_session(1, Duration::from_secs(30)).unwrap();
    let values = first.response(0).param_values();
    let values: Vec<(&str, &str)> = values
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        values,
        [("Device.Ethernet.Interface.1.Name", "eth0"), (STATUS, "Up")]
    );
    assert_eq!(first.response(1).method(), "SetParameterAttributesResponse");
    // The session is over once the CLI sees it completed.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = cpe.cli(&["status"]);
        let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if status["sessions_completed"].as_u64() == Some(1) {
            break;
        }
        assert!(Instant::now() < deadline, "the first session never ended");
        std::thread::sleep(Duration::from_millis(50));
    }

    let down = Instant::now();
    must(&["ip", "link", "set", "eth0", "down"]);
    let second = acs.wait_session(2, Duration::from_secs(10)).unwrap();
    let latency = down.elapsed();
    assert_eq!(second.event_codes(), ["4 VALUE CHANGE"]);
    assert_eq!(second.inform_value(STATUS).as_deref(), Some("Down"));
    assert!(latency < Duration::from_secs(1), "{latency:?}");
    println!("LATENCY ms {}", latency.as_millis());
    cpe.terminate(Duration::from_secs(5));
}
