//! End to end through the real binary: an ACS adds a port mapping, sets it up and deletes it;
//! the sandbox's `/etc/config/firewall` shows each step, the firewall is reloaded after each
//! session, and the instance number survives a daemon restart.

mod support;

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use support::*;

const WAIT: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn cwmpd_uci(acs_url: &str, cr_port: u16) -> String {
    format!(
        "config acs 'acs'\n\toption url '{acs_url}'\n\toption periodic_enable '0'\n\n\
         config cpe 'cpe'\n\toption interface 'lo'\n\toption cr_port '{cr_port}'\n"
    )
}

fn stock_firewall() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/uci/firewall-24.10");
    std::fs::read_to_string(path).unwrap()
}

const ADDED: &str = "config redirect 'cwmpd_portmap_1'\n\toption enabled '1'\n\
    \toption target 'DNAT'\n\toption src 'wan'\n\toption proto 'tcp'\n\
    \toption dest_port '22'\n\toption dest_ip '192.168.1.50'\n\toption name 'ssh'\n\
    \toption src_dport '2222'\n\n";

fn reloads(cpe: &CpeProcess) -> Vec<serde_json::Value> {
    let actions = cpe.actions().into_iter();
    actions.filter(|a| a["action"] == "reload_config").collect()
}

#[test]
fn port_mapping_is_added_set_and_deleted_through_the_daemon() {
    let pm2 = |name: &str| format!("Device.NAT.PortMapping.2.{name}");
    let acs = TestAcs::start(
        AcsConfig::new()
            .session(vec![
                AcsRpc::add_object("Device.NAT.PortMapping.", "pm-add"),
                AcsRpc::spv(
                    &[
                        (&pm2("Enable"), "true", "xsd:boolean"),
                        (&pm2("ExternalPort"), "2222", "xsd:unsignedInt"),
                        (&pm2("InternalPort"), "22", "xsd:unsignedInt"),
                        (&pm2("Protocol"), "TCP", "xsd:string"),
                        (&pm2("InternalClient"), "192.168.1.50", "xsd:string"),
                        (&pm2("Description"), "ssh", "xsd:string"),
                    ],
                    "pm-set",
                ),
                AcsRpc::gpv(&[&pm2("Status")]),
            ])
            .session(vec![
                AcsRpc::gpn("Device.NAT.PortMapping.", true),
                AcsRpc::delete_object("Device.NAT.PortMapping.2.", "pm-del"),
                AcsRpc::delete_object("Device.NAT.PortMapping.2.", "pm-del"),
            ]),
    );
    let mut cpe = CpeProcess::new(&cwmpd_uci(&acs.url(), free_port()));
    cpe.write_file("/etc/config/firewall", &stock_firewall());
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe.spawn();

    let first = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(first.response(0).instance_number(), Some(2));
    assert_eq!(first.response(1).status(), Some(0));
    assert_eq!(
        first.response(2).value_of(&pm2("Status")).as_deref(),
        Some("Enabled")
    );
    let reload = cpe.wait_for_action("reload_config", WAIT).unwrap();
    assert_eq!(reload["packages"], serde_json::json!(["firewall"]));
    let stock = stock_firewall();
    assert_eq!(
        cpe.read_file("/etc/config/firewall").unwrap(),
        format!("{}{ADDED}", stock)
    );

    // A restart keeps the number: instance 2 is still the mapping cwmpd added.
    cpe.terminate(WAIT);
    cpe.spawn();
    assert!(cpe
        .cli(&["inform", "6 CONNECTION REQUEST"])
        .status
        .success());
    let second = acs.wait_session(2, WAIT).unwrap();
    let names: Vec<String> = second
        .response(0)
        .param_infos()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        names,
        ["Device.NAT.PortMapping.1.", "Device.NAT.PortMapping.2."]
    );
    assert_eq!(second.response(1).status(), Some(0));
    // Deleted instances are gone: a second DeleteObject is an invalid name.
    assert_eq!(second.response(2).fault().map(|f| f.code), Some(9005));
    let deadline = std::time::Instant::now() + WAIT;
    while reloads(&cpe).len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(reloads(&cpe).len(), 2);
    assert_eq!(cpe.read_file("/etc/config/firewall").unwrap(), stock);
    acs.assert_no_violations();
    assert!(acs.validate_cpe_bodies().expect("schema-valid envelopes") > 0);
}
