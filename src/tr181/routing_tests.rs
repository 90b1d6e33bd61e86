use core::net::IpAddr;

use crate::backend::test_router::Router;
use crate::live::net::{Link, Route};
use crate::live::services::NetifdInterface;
use crate::tr181::ethernet::tests::dsa_live;

const ROUTES: &str = "
config route 'office'
\toption interface 'lan'
\toption target '10.0.0.0'
\toption netmask '255.0.0.0'
\toption gateway '192.168.1.2'

config route
\toption interface 'wan'
\toption target '198.51.100.0/24'
\toption type 'blackhole'
\toption metric '5'

config route6
\toption interface 'lan'
\toption target '2001:db8:1::/48'
\toption gateway 'fd12:3456:789a::2'
";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn route(dest: &str, len: u8, gateway: Option<&str>, link: u32, protocol: u8, kind: u8) -> Route {
    Route {
        destination: ip(dest),
        prefix_len: len,
        gateway: gateway.map(ip),
        out_link: Some(link),
        metric: 0,
        protocol,
        kind,
    }
}

fn router() -> Router {
    let mut router = Router::new(&[("network", "network-24.10")]);
    let network = router.file("network");
    router.write_file("network", &format!("{network}{ROUTES}"));
    let mut live = dsa_live();
    live.net.links.push(Link {
        index: 9,
        name: "pppoe-wan".into(),
        kind: "ppp".into(),
        admin_up: true,
        oper_state: "unknown".into(),
        ..Link::default()
    });
    live.net.routes = vec![
        route("0.0.0.0", 0, Some("203.0.113.1"), 9, 4, 1),
        route("192.168.1.0", 24, None, 6, 2, 1),
        // Installed by UCI `office`: listed once, as the UCI route.
        route("10.0.0.0", 8, Some("192.168.1.2"), 6, 4, 1),
        route("fd12:3456:789a::", 48, None, 1, 4, 7),
        route("::", 0, Some("fe80::1"), 5, 9, 1),
    ];
    live.services.netifd.interfaces = vec![
        NetifdInterface {
            name: "wan".into(),
            up: true,
            proto: "pppoe".into(),
            device: "wan".into(),
            l3_device: "pppoe-wan".into(),
            ..Default::default()
        },
        NetifdInterface {
            name: "lan".into(),
            up: true,
            proto: "static".into(),
            device: "br-lan".into(),
            l3_device: "br-lan".into(),
            ..Default::default()
        },
    ];
    router.live = live;
    router
}

const V4: &str = "Device.Routing.Router.1.IPv4Forwarding.";
const V6: &str = "Device.Routing.Router.1.IPv6Forwarding.";

fn row(router: &mut Router, table: &str, n: u32, params: &[&str]) -> Vec<String> {
    params
        .iter()
        .map(|p| router.value(&format!("{table}{n}.{p}")))
        .collect()
}

const V4_PARAMS: &[&str] = &[
    "Enable",
    "Status",
    "Type",
    "StaticRoute",
    "DestIPAddress",
    "DestSubnetMask",
    "GatewayIPAddress",
    "Interface",
    "Origin",
    "ForwardingMetric",
];

#[test]
fn uci_routes_then_the_kernels_other_routes() {
    let mut router = router();
    assert_eq!(router.value("Device.Routing.RouterNumberOfEntries"), "1");
    assert_eq!(
        router.value("Device.Routing.Router.1.IPv4ForwardingNumberOfEntries"),
        "4"
    );
    // IP.Interface numbers: loopback 1, lan 2, wan 3, wan6 4.
    assert_eq!(
        row(&mut router, V4, 1, V4_PARAMS),
        [
            "true",
            "Enabled",
            "Normal",
            "true",
            "10.0.0.0",
            "255.0.0.0",
            "192.168.1.2",
            "Device.IP.Interface.2",
            "Static",
            "-1"
        ]
    );
    // Not in the kernel (a blackhole route of a down interface would be): Error.
    assert_eq!(
        row(&mut router, V4, 2, V4_PARAMS),
        [
            "true",
            "Error",
            "Blackhole",
            "true",
            "198.51.100.0",
            "255.255.255.0",
            "",
            "Device.IP.Interface.3",
            "Static",
            "5"
        ]
    );
    assert_eq!(
        row(&mut router, V4, 3, V4_PARAMS),
        [
            "true",
            "Enabled",
            "Normal",
            "false",
            "",
            "",
            "203.0.113.1",
            "Device.IP.Interface.3",
            "IPCP",
            "0"
        ]
    );
    assert_eq!(
        row(&mut router, V4, 4, V4_PARAMS),
        [
            "true",
            "Enabled",
            "Normal",
            "false",
            "192.168.1.0",
            "255.255.255.0",
            "",
            "Device.IP.Interface.2",
            "Static",
            "0"
        ]
    );
    let v6 = &[
        "Status",
        "Type",
        "DestIPPrefix",
        "NextHop",
        "Interface",
        "Origin",
    ];
    assert_eq!(
        row(&mut router, V6, 1, v6),
        [
            "Error",
            "Normal",
            "2001:db8:1::/48",
            "fd12:3456:789a::2",
            "Device.IP.Interface.2",
            "Static"
        ]
    );
    assert_eq!(
        row(&mut router, V6, 2, v6),
        [
            "Enabled",
            "Unreachable",
            "fd12:3456:789a::/48",
            "",
            "Device.IP.Interface.1",
            "Static"
        ]
    );
    assert_eq!(
        row(&mut router, V6, 3, v6),
        [
            "Enabled",
            "Normal",
            "::/0",
            "fe80::1",
            "Device.IP.Interface.3",
            "RA"
        ]
    );
}

#[test]
fn kernel_routes_are_read_only() {
    let mut router = router();
    let faults = router.spv_faults(&[(&format!("{V4}3.GatewayIPAddress"), "203.0.113.9")]);
    assert_eq!(faults.1, [(format!("{V4}3.GatewayIPAddress"), 9008)]);
    assert_eq!(router.delete(&format!("{V4}3.")), Err(9001));
    assert_eq!(router.delete("Device.Routing.Router.1."), Err(9001));
    assert_eq!(router.add("Device.Routing.Router."), Err(9001));
    let faults = router.spv_faults(&[(&format!("{V4}1.Enable"), "false")]);
    assert_eq!(faults.1, [(format!("{V4}1.Enable"), 9007)]);
}

#[test]
fn get_parameter_names_says_kernel_routes_are_read_only() {
    let mut router = router();
    let writable = |router: &mut Router, path: &str| {
        let names = router.gpn(path, false).unwrap();
        names.into_iter().find(|(name, _)| name == path).unwrap().1
    };
    // Route 1 is UCI's, route 3 the kernel's: only the Alias (cwmpd's own) stays writable.
    assert!(writable(&mut router, &format!("{V4}1.")));
    assert!(writable(&mut router, &format!("{V4}1.GatewayIPAddress")));
    assert!(!writable(&mut router, &format!("{V4}3.")));
    assert!(!writable(&mut router, &format!("{V4}3.GatewayIPAddress")));
    assert!(writable(&mut router, &format!("{V4}3.Alias")));
    // One parameter alone, and NextLevel true on the table, agree.
    let alone = router.gpn(&format!("{V4}3.Enable"), false).unwrap();
    assert_eq!(alone, [(format!("{V4}3.Enable"), false)]);
    let table = V4.trim_end_matches('.');
    let rows = router.gpn(&format!("{table}."), true).unwrap();
    assert!(rows.contains(&(format!("{V4}1."), true)));
    assert!(rows.contains(&(format!("{V4}3."), false)));
}

#[test]
fn a_route_is_added_configured_and_deleted() {
    let mut router = router();
    assert_eq!(router.add(V4), Ok(5));
    assert_eq!(
        row(&mut router, V4, 5, &["Status", "StaticRoute"]),
        ["Error_Misconfigured", "true"]
    );
    router
        .spv(&[
            (&format!("{V4}5.DestIPAddress"), "172.16.0.0"),
            (&format!("{V4}5.DestSubnetMask"), "255.240.0.0"),
            (&format!("{V4}5.GatewayIPAddress"), "192.168.1.254"),
            (&format!("{V4}5.Interface"), "Device.IP.Interface.2"),
            (&format!("{V4}5.ForwardingMetric"), "20"),
            (&format!("{V4}5.Type"), "Unreachable"),
        ])
        .unwrap();
    assert_eq!(router.changed_packages, ["network"]);
    assert!(router.file("network").ends_with(
        "config route 'cwmpd_route_1'\n\toption gateway '192.168.1.254'\n\toption interface 'lan'\n\toption metric '20'\n\toption type 'unreachable'\n\toption target '172.16.0.0'\n\toption netmask '255.240.0.0'\n"
    ), "{}", router.file("network"));
    // The kernel now has it: one instance, the UCI one.
    router
        .live
        .net
        .routes
        .push(route("172.16.0.0", 12, Some("192.168.1.254"), 6, 4, 7));
    assert_eq!(router.value(&format!("{V4}5.Status")), "Enabled");
    assert_eq!(
        router.value("Device.Routing.Router.1.IPv4ForwardingNumberOfEntries"),
        "5"
    );
    let faults = router.spv_faults(&[(&format!("{V4}5.DestSubnetMask"), "255.0.255.0")]);
    assert_eq!(faults.1, [(format!("{V4}5.DestSubnetMask"), 9007)]);
    let faults = router.spv_faults(&[(&format!("{V4}5.Interface"), "Device.IP.Interface.9")]);
    assert_eq!(faults.1, [(format!("{V4}5.Interface"), 9007)]);

    // Deleting `office` (named) keeps the numbers of the others.
    router.delete(&format!("{V4}1.")).unwrap();
    assert!(!router.file("network").contains("'office'"));
    assert_eq!(router.value(&format!("{V4}2.Type")), "Blackhole");
    assert_eq!(router.value(&format!("{V4}5.DestIPAddress")), "172.16.0.0");

    assert_eq!(router.add(V6), Ok(4));
    router
        .spv(&[
            (&format!("{V6}4.DestIPPrefix"), "2001:db8:2::/48"),
            (&format!("{V6}4.NextHop"), "fe80::2"),
        ])
        .unwrap();
    assert!(router
        .file("network")
        .contains("config route6 'cwmpd_route6_1'\n\toption target '2001:db8:2::/48'\n\toption gateway 'fe80::2'\n"));
    let faults = router.spv_faults(&[(&format!("{V6}4.DestIPPrefix"), "2001:db8::")]);
    assert_eq!(faults.1.iter().map(|f| f.1).collect::<Vec<_>>(), [9007]);
}
