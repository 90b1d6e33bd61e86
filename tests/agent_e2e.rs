//! End to end: the real `cwmpd` binary in a sandbox root against the scripted test ACS over
//! loopback. Every envelope the agent emits is validated against the BBF schema.

mod support;

use std::net::TcpListener;
use std::time::Duration;

use support::*;

const WAIT: Duration = Duration::from_secs(30);
const CR_USER: &str = "cr-user";
const CR_PASS: &str = "cr-pass";

/// A free TCP port on loopback for the connection-request listener.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// /etc/config/cwmpd for a test: the ACS URL, no periodic inform unless asked, the CR listener
/// on a free port of `lo`, plus extra `option` lines for the acs and cpe sections.
fn cwmpd_uci(acs_url: &str, cr_port: u16, acs_options: &str, cpe_options: &str) -> String {
    format!(
        "config acs 'acs'\n\toption url '{acs_url}'\n\toption periodic_enable '0'\n{acs_options}\n\
         config cpe 'cpe'\n\toption interface 'lo'\n\toption cr_port '{cr_port}'\n\
         \toption cr_path 'cr'\n\toption cr_username '{CR_USER}'\n\toption cr_password '{CR_PASS}'\n{cpe_options}"
    )
}

/// Start the agent with a test time scale of 1/100 (boot delay and retry waits).
fn start_cpe(uci: &str) -> CpeProcess {
    start_cpe_scaled(uci, "0.01")
}

fn start_cpe_scaled(uci: &str, scale: &str) -> CpeProcess {
    let mut cpe = CpeProcess::new(uci);
    cpe.env.push(("CWMPD_TIME_SCALE".into(), scale.into()));
    cpe.spawn();
    cpe
}

fn finish(acs: &TestAcs) {
    acs.assert_no_violations();
    let validated = acs
        .validate_cpe_bodies()
        .expect("every CPE envelope is schema-valid");
    assert!(validated > 0);
}

#[test]
fn bootstrap_session_with_names_values_and_a_set() {
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        AcsRpc::gpn("Device.ManagementServer.", true),
        AcsRpc::gpv(&[
            "Device.DeviceInfo.",
            "Device.ManagementServer.PeriodicInformInterval",
        ]),
        AcsRpc::spv(
            &[(
                "Device.ManagementServer.PeriodicInformInterval",
                "600",
                "xsd:unsignedInt",
            )],
            "key-1",
        ),
    ]));
    let port = free_port();
    let cpe = start_cpe(&cwmpd_uci(&acs.url(), port, "", ""));
    let session = acs.wait_session(1, WAIT).unwrap();

    assert_eq!(session.event_codes(), ["0 BOOTSTRAP", "1 BOOT"]);
    assert_eq!(session.inform.text_of("RetryCount"), Some("0"));
    assert_eq!(session.inform.text_of("MaxEnvelopes"), Some("1"));
    assert_eq!(
        session.inform_value("Device.ManagementServer.ConnectionRequestURL"),
        Some(format!("http://127.0.0.1:{port}/cr"))
    );
    assert_eq!(
        session
            .inform_value("Device.ManagementServer.ParameterKey")
            .as_deref(),
        Some("")
    );
    assert_eq!(
        session
            .inform_value("Device.RootDataModelVersion")
            .as_deref(),
        Some("2.19")
    );

    let names = session.response(0).param_infos();
    assert!(
        names.contains(&("Device.ManagementServer.URL".to_string(), true)),
        "{names:?}"
    );
    assert!(names.contains(&("Device.ManagementServer.ParameterKey".to_string(), false)));
    let values = session.response(1);
    assert_eq!(
        values.value_of("Device.DeviceInfo.Manufacturer").as_deref(),
        Some("OpenWrt")
    );
    assert_eq!(
        values
            .value_of("Device.ManagementServer.PeriodicInformInterval")
            .as_deref(),
        Some("86400")
    );
    assert_eq!(session.response(2).status(), Some(0));

    let config = cpe.read_file("/etc/config/cwmpd").unwrap();
    assert!(
        config.contains("\toption periodic_interval '600'\n"),
        "{config}"
    );
    let out = cpe.cli(&[
        "get",
        "Device.ManagementServer.ParameterKey",
        "Device.ManagementServer.PeriodicInformInterval",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Device.ManagementServer.ParameterKey = key-1\nDevice.ManagementServer.PeriodicInformInterval = 600\n"
    );
    finish(&acs);
}

#[test]
fn spv_with_one_bad_parameter_changes_nothing() {
    let acs = TestAcs::start(AcsConfig::new().session(vec![AcsRpc::spv(
        &[
            (
                "Device.ManagementServer.PeriodicInformInterval",
                "120",
                "xsd:unsignedInt",
            ),
            (
                "Device.ManagementServer.CWMPRetryMinimumWaitInterval",
                "0",
                "xsd:unsignedInt",
            ),
            ("Device.ManagementServer.ParameterKey", "x", "xsd:string"),
            ("Device.ManagementServer.NoSuchThing", "1", "xsd:string"),
        ],
        "key-2",
    )]));
    let cpe = start_cpe(&cwmpd_uci(&acs.url(), free_port(), "", ""));
    let before = cpe.read_file("/etc/config/cwmpd").unwrap();
    let session = acs.wait_session(1, WAIT).unwrap();
    let fault = session.response(0).fault().expect("a fault");
    assert_eq!((fault.soap_code.as_str(), fault.code), ("Client", 9003));
    let details: Vec<(&str, u32)> = fault
        .spv_faults
        .iter()
        .map(|f| (f.name.as_str(), f.code))
        .collect();
    assert_eq!(
        details,
        [
            ("Device.ManagementServer.CWMPRetryMinimumWaitInterval", 9007),
            ("Device.ManagementServer.ParameterKey", 9008),
            ("Device.ManagementServer.NoSuchThing", 9005),
        ]
    );
    assert_eq!(cpe.read_file("/etc/config/cwmpd").unwrap(), before);
    let out = cpe.cli(&["get", "Device.ManagementServer.ParameterKey"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Device.ManagementServer.ParameterKey = \n"
    );
    finish(&acs);
}

#[test]
fn genieacs_messages_are_answered() {
    let traces = traces_dir();
    let trace = |name: &str| std::fs::read_to_string(traces.join(name)).unwrap();
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        AcsRpc::raw("GetParameterNames-1", &trace("GetParameterNames-1.xml")),
        AcsRpc::raw("GetParameterNames-2", &trace("GetParameterNames-2.xml")),
        AcsRpc::raw("GetParameterValues-1", &trace("GetParameterValues-1.xml")),
        AcsRpc::raw("GetParameterValues-2", &trace("GetParameterValues-2.xml")),
        AcsRpc::raw("SetParameterValues-1", &trace("SetParameterValues-1.xml")),
        AcsRpc::raw("SetParameterValues-2", &trace("SetParameterValues-2.xml")),
        AcsRpc::raw("Download-1", &trace("Download-1.xml")),
    ]));
    let cpe = start_cpe(&cwmpd_uci(&acs.url(), free_port(), "", ""));
    let session = acs.wait_session(1, WAIT).unwrap();

    let r = session.responses();
    assert_eq!(r.len(), 7);
    assert_eq!(r[0].method(), "GetParameterNamesResponse");
    assert_eq!(r[0].id(), Some("1a20e41d5dc0000"));
    assert!(r[0]
        .param_infos()
        .contains(&("Device.DeviceInfo.UpTime".to_string(), false)));
    assert!(r[1].param_infos().contains(&(
        "Device.ManagementServer.PeriodicInformInterval".to_string(),
        true
    )));
    assert_eq!(
        r[2].value_of("Device.ManagementServer.PeriodicInformInterval")
            .as_deref(),
        Some("86400")
    );
    assert_eq!(r[3].param_values().len(), 5);
    // PeriodicInformInterval is unsignedInt[1:]: 0 is invalid (TR-181).
    let fault = r[4].fault().unwrap();
    assert_eq!(
        (fault.code, fault.spv_faults.len(), fault.spv_faults[0].code),
        (9003, 1, 9007)
    );
    assert_eq!(r[5].status(), Some(0));
    // Download arrives with GenieACS's empty optional arguments and is accepted: it
    // completes later (Status 1, both times unknown) and is reported by TransferComplete.
    assert_eq!(r[6].method(), "DownloadResponse");
    assert_eq!(r[6].status(), Some(1));
    assert_eq!(r[6].text_of("StartTime"), Some("0001-01-01T00:00:00Z"));
    assert!(cpe
        .read_file("/etc/config/cwmpd")
        .unwrap()
        .contains("option periodic_interval '60'"));
    finish(&acs);
}

fn traces_dir() -> std::path::PathBuf {
    let manifest = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("shared/acs-traces/genieacs-1.2.16"))
        .find(|dir| dir.is_dir())
        .expect("shared/acs-traces beside the repository")
}

#[test]
fn unknown_and_malformed_requests_get_faults() {
    let unknown = "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">u-1</cwmp:ID>\
        </soap-env:Header><soap-env:Body><cwmp:ChangeDUState><Operations/></cwmp:ChangeDUState></soap-env:Body></soap-env:Envelope>";
    let bad_args = "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">u-2</cwmp:ID>\
        </soap-env:Header><soap-env:Body><cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath>\
        <NextLevel>maybe</NextLevel></cwmp:GetParameterNames></soap-env:Body></soap-env:Envelope>";
    let doctype = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>";
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        AcsRpc::raw("unknown", unknown),
        AcsRpc::raw("bad-args", bad_args),
        AcsRpc::raw("doctype", doctype),
        AcsRpc::gpv(&["Device.NoSuchObject."]),
    ]));
    let _cpe = start_cpe(&cwmpd_uci(&acs.url(), free_port(), "", ""));
    let session = acs.wait_session(1, WAIT).unwrap();
    let r = session.responses();
    let unknown = r[0].fault().unwrap();
    assert_eq!((unknown.soap_code.as_str(), unknown.code), ("Server", 9000));
    assert_eq!(r[0].id(), Some("u-1"));
    assert_eq!(r[1].fault().unwrap().code, 9003);
    assert_eq!(r[1].id(), Some("u-2"));
    assert_eq!(r[2].fault().unwrap().code, 9002);
    assert_eq!(r[3].fault().unwrap().code, 9005);
    acs.validate_cpe_bodies().unwrap();
}

#[test]
fn periodic_inform_follows_the_interval() {
    let acs = TestAcs::start(AcsConfig::new());
    let uci = cwmpd_uci(&acs.url(), free_port(), "", "").replace(
        "option periodic_enable '0'",
        "option periodic_enable '1'\n\toption periodic_interval '1'",
    );
    let _cpe = start_cpe(&uci);
    // On a loaded machine the bootstrap session may take longer than the 1 s interval and
    // carry the first "2 PERIODIC" itself; the sessions after it are periodic ones only.
    let sessions = acs.wait_sessions(3, WAIT).unwrap();
    assert_eq!(sessions[1].event_codes(), ["2 PERIODIC"]);
    assert_eq!(sessions[2].event_codes(), ["2 PERIODIC"]);
    // Their times sit on the 1 s grid anchored at the start (PeriodicInformTime semantics), so
    // two informs can be milliseconds apart when load delayed the first to just before a grid
    // point; the schedule's arithmetic is tested exactly in cwmp::retry.
    finish(&acs);
}

#[test]
fn session_cookie_binds_posts_over_separate_connections() {
    let acs = TestAcs::start(AcsConfig::new().close_connections(true).session(vec![
        AcsRpc::gpv(&["Device.DeviceInfo.UpTime"]),
        AcsRpc::get_rpc_methods(),
    ]));
    let _cpe = start_cpe(&cwmpd_uci(&acs.url(), free_port(), "", ""));
    let session = acs.wait_session(1, WAIT).unwrap();
    let records: Vec<_> = acs
        .records()
        .into_iter()
        .filter(|r| r.session == Some(1))
        .collect();
    assert_eq!(records.len(), 4, "Inform, empty POST, two responses");
    let mut connections: Vec<u64> = records.iter().map(|r| r.conn).collect();
    connections.dedup();
    assert_eq!(connections.len(), 4, "each POST on its own connection");
    assert!(records[1..]
        .iter()
        .all(|r| r.cookie.as_deref() == Some(session.cookie.as_str())));
    assert_eq!(session.response(1).method_list().len(), 17);
    finish(&acs);
}

#[test]
fn digest_and_basic_authentication_to_the_acs() {
    for auth in [
        Auth::digest("acs-user", "acs-pass"),
        Auth::digest_sha256("acs-user", "acs-pass"),
        Auth::basic("acs-user", "acs-pass"),
    ] {
        let acs = TestAcs::start(
            AcsConfig::new()
                .auth(auth.clone())
                .session(vec![AcsRpc::gpv(&["Device.DeviceInfo.UpTime"])]),
        );
        let uci = cwmpd_uci(
            &acs.url(),
            free_port(),
            "\toption username 'acs-user'\n\toption password 'acs-pass'\n",
            "",
        );
        let _cpe = start_cpe(&uci);
        let session = acs
            .wait_session(1, WAIT)
            .unwrap_or_else(|e| panic!("{auth:?}: {e:?}"));
        assert!(session
            .response(0)
            .value_of("Device.DeviceInfo.UpTime")
            .is_some());
        finish(&acs);
    }
}

#[test]
fn wrong_acs_password_fails_and_is_reported() {
    let acs = TestAcs::start(AcsConfig::new().auth(Auth::digest("acs-user", "acs-pass")));
    let uci = cwmpd_uci(
        &acs.url(),
        free_port(),
        "\toption username 'acs-user'\n\toption password 'wrong'\n",
        "",
    );
    let cpe = start_cpe(&uci);
    acs.wait_requests(4, WAIT).unwrap();
    let status = wait_status(&cpe, |s| s["sessions_failed"].as_u64() >= Some(1));
    assert_eq!(status["last_outcome"], "failed");
    let error = status["last_error"].as_str().unwrap();
    assert_eq!(error, "HTTP 401: the ACS refused our credentials");
    assert!(acs.sessions().is_empty());
}

fn wait_status(cpe: &CpeProcess, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let out = cpe.cli(&["status"]);
        let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if done(&status) {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "status never matched: {status}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn tls_with_a_test_ca_and_hostname_verification() {
    let acs = TestAcs::start(
        AcsConfig::new()
            .tls(TlsOptions::default())
            .session(vec![AcsRpc::gpv(&["Device.DeviceInfo.UpTime"])]),
    );
    let ca = acs.ca_pem().unwrap();
    let mut cpe = CpeProcess::new(&cwmpd_uci(
        &acs.url(),
        free_port(),
        "\toption ca_file '/etc/cwmpd/acs-ca.pem'\n",
        "",
    ));
    cpe.write_file("/etc/cwmpd/acs-ca.pem", &ca);
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe.spawn();
    assert!(acs.url().starts_with("https://"));
    acs.wait_session(1, WAIT).unwrap();
    assert!(acs.records().iter().all(|r| r.tls));
    finish(&acs);

    let wrong = TestAcs::start(AcsConfig::new().tls(TlsOptions {
        wrong_hostname: true,
        ..TlsOptions::default()
    }));
    let mut cpe = CpeProcess::new(&cwmpd_uci(
        &wrong.url(),
        free_port(),
        "\toption ca_file '/etc/cwmpd/acs-ca.pem'\n",
        "",
    ));
    cpe.write_file("/etc/cwmpd/acs-ca.pem", &wrong.ca_pem().unwrap());
    cpe.spawn();
    let status = wait_status(&cpe, |s| s["sessions_failed"].as_u64() >= Some(1));
    let error = status["last_error"].as_str().unwrap().to_lowercase();
    assert!(
        error.contains("tls") || error.contains("certificate"),
        "{error}"
    );
    assert!(wrong.sessions().is_empty());
}

#[test]
fn redirect_is_followed_for_the_rest_of_the_session() {
    for status in [302, 307] {
        let acs = TestAcs::start(
            AcsConfig::new()
                .rule(
                    When::Post(1),
                    Inject::Redirect {
                        status,
                        to: Location::OtherPort("/acs".into()),
                    },
                )
                .session(vec![AcsRpc::gpv(&["Device.DeviceInfo.UpTime"])]),
        );
        let _cpe = start_cpe(&cwmpd_uci(&acs.url(), free_port(), "", ""));
        acs.wait_session(1, WAIT).unwrap();
        let records = acs.records();
        assert_eq!(records[0].port, acs.port());
        assert!(
            records[1..].iter().all(|r| r.port == acs.alt_port()),
            "status {status}"
        );
        finish(&acs);
    }
}

#[test]
fn failed_sessions_are_retried_inside_the_spec_window() {
    // Scale 1/20: the windows 5–10 s and 10–20 s of §3.2.1.1 become 0.25–0.5 s and 0.5–1 s.
    let acs = TestAcs::start(AcsConfig::new().rule(When::Informs(1..=2), Inject::Status(503)));
    let _cpe = start_cpe_scaled(&cwmpd_uci(&acs.url(), free_port(), "", ""), "0.05");
    let session = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(session.inform.text_of("RetryCount"), Some("2"));
    assert_eq!(session.event_codes(), ["0 BOOTSTRAP", "1 BOOT"]);
    let informs: Vec<_> = acs
        .records()
        .into_iter()
        .filter(|r| r.envelope.as_ref().map(|e| e.method()) == Some("Inform"))
        .collect();
    assert_eq!(informs.len(), 3);
    let retry_counts: Vec<_> = informs
        .iter()
        .map(|r| r.envelope.as_ref().unwrap().text_of("RetryCount").unwrap())
        .collect();
    assert_eq!(retry_counts, ["0", "1", "2"]);
    let first_wait = (informs[1].at - informs[0].at).as_secs_f64();
    let second_wait = (informs[2].at - informs[1].at).as_secs_f64();
    assert!(
        (0.25..0.5 + 0.25).contains(&first_wait),
        "first retry after {first_wait} s"
    );
    assert!(
        (0.5..1.0 + 0.25).contains(&second_wait),
        "second retry after {second_wait} s"
    );
    finish(&acs);
}

#[test]
fn connection_requests_need_digest_and_are_rate_limited() {
    let acs = TestAcs::start(AcsConfig::new());
    let port = free_port();
    let _cpe = start_cpe(&cwmpd_uci(
        &acs.url(),
        port,
        "",
        "\toption cr_rate_limit '2'\n",
    ));
    acs.wait_session(1, WAIT).unwrap();
    let url = format!("http://127.0.0.1:{port}/cr");

    assert_eq!(
        connection_request(&url, CR_USER, "wrong", DigestAlgorithm::Md5).unwrap(),
        401
    );
    assert_eq!(
        connection_request(&url, CR_USER, CR_PASS, DigestAlgorithm::Sha256).unwrap(),
        200
    );
    let session = acs
        .wait_for_inform_with_event("6 CONNECTION REQUEST", WAIT)
        .unwrap();
    assert_eq!(session.event_codes(), ["6 CONNECTION REQUEST"]);

    let first = connection_request_with(&CrRequest::new(
        &url,
        CR_USER,
        CR_PASS,
        DigestAlgorithm::Md5,
    ))
    .unwrap();
    assert_eq!(first.status, 200);
    acs.wait_sessions(3, WAIT).unwrap();
    let mut replay = CrRequest::new(&url, CR_USER, CR_PASS, DigestAlgorithm::Md5);
    replay.replay = first.challenge.clone();
    assert_eq!(
        connection_request_with(&replay).unwrap().status,
        401,
        "replayed nonce and nc"
    );

    // Two accepted per hour: the third valid request is refused.
    assert_eq!(
        connection_request(&url, CR_USER, CR_PASS, DigestAlgorithm::Md5).unwrap(),
        503
    );
    assert_eq!(
        connection_request(
            &format!("http://127.0.0.1:{port}/other"),
            CR_USER,
            CR_PASS,
            DigestAlgorithm::Md5
        )
        .unwrap(),
        404
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(acs.sessions().len(), 3);
    finish(&acs);
}

#[test]
fn kill_during_a_session_keeps_the_events() {
    let acs = TestAcs::start(
        AcsConfig::new().rule(When::Inform(1), Inject::Delay(Duration::from_secs(20))),
    );
    let mut cpe = start_cpe(&cwmpd_uci(&acs.url(), free_port(), "", ""));
    acs.wait_requests(1, WAIT).unwrap();
    cpe.kill();
    let state = cpe.read_file("/etc/cwmpd/state.json").unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(
        state["pending_events"],
        serde_json::json!([["0 BOOTSTRAP", ""], ["1 BOOT", ""]])
    );

    cpe.spawn();
    // The ACS counts the abandoned one as session 1.
    let session = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(session.event_codes(), ["0 BOOTSTRAP", "1 BOOT"]);
    let status = wait_status(&cpe, |s| s["sessions_completed"].as_u64() == Some(1));
    assert_eq!(status["pending_events"], serde_json::json!([]));
    let state = cpe.read_file("/etc/cwmpd/state.json").unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["pending_events"], serde_json::json!([]));
    assert_eq!(state["bootstrap_done"], true);
}

#[test]
fn reboot_rpc_reboots_and_reports_m_reboot() {
    let acs = TestAcs::start(AcsConfig::new().session(vec![AcsRpc::reboot("reboot-key-7")]));
    let mut cpe = start_cpe(&cwmpd_uci(&acs.url(), free_port(), "", ""));
    let first = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(first.response(0).method(), "RebootResponse");
    assert!(
        cpe.wait_exit(WAIT).is_some(),
        "the sandbox reboot exits the agent"
    );
    assert_eq!(
        cpe.actions(),
        [serde_json::json!({"action": "reboot", "reason": "ACS Reboot RPC"})]
    );
    assert!(!cpe.path("/var/run/cwmpd/booted").exists());

    cpe.spawn();
    let second = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(second.event_codes(), ["1 BOOT", "M Reboot"]);
    assert_eq!(
        second.command_key("M Reboot").as_deref(),
        Some("reboot-key-7")
    );
    finish(&acs);
}

#[test]
fn a_new_acs_url_means_bootstrap_and_a_restart_is_not_a_boot() {
    let acs = TestAcs::start(AcsConfig::new());
    let port = free_port();
    let mut cpe = start_cpe(&cwmpd_uci(&acs.url(), port, "", ""));
    acs.wait_session(1, WAIT).unwrap();
    wait_status(&cpe, |s| s["sessions_completed"].as_u64() == Some(1));
    cpe.terminate(WAIT);

    // A daemon restart (no reboot): no event, so no session, until asked.
    cpe.spawn();
    let out = cpe.cli(&["inform", "6 CONNECTION REQUEST"]);
    assert!(out.status.success());
    let second = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(second.event_codes(), ["6 CONNECTION REQUEST"]);
    cpe.terminate(WAIT);

    let other = TestAcs::start(AcsConfig::new());
    cpe.write_file("/etc/config/cwmpd", &cwmpd_uci(&other.url(), port, "", ""));
    cpe.spawn();
    let first_at_new = other.wait_session(1, WAIT).unwrap();
    assert_eq!(first_at_new.event_codes(), ["0 BOOTSTRAP"]);
    finish(&acs);
    finish(&other);
}

#[test]
fn value_changes_are_notified_actively_and_passively() {
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        AcsRpc::spa_notification("Device.ManagementServer.PeriodicInformInterval", 2),
        AcsRpc::spa_notification("Device.ManagementServer.CWMPRetryMinimumWaitInterval", 1),
        AcsRpc::gpa(&["Device.ManagementServer.PeriodicInformInterval"]),
    ]));
    let cpe = start_cpe(&cwmpd_uci(&acs.url(), free_port(), "", ""));
    let first = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(first.response(0).method(), "SetParameterAttributesResponse");
    let attributes = first.response(2).param_attributes();
    assert_eq!(attributes.len(), 1);
    assert_eq!(
        attributes[0].name,
        "Device.ManagementServer.PeriodicInformInterval"
    );
    assert_eq!(attributes[0].notification, "2");
    assert!(attributes[0].access_list.is_empty());
    wait_status(&cpe, |s| s["sessions_completed"].as_u64() == Some(1));

    // A passive parameter changed by LuCI (file edit + reload): no session of its own.
    let config = cpe.read_file("/etc/config/cwmpd").unwrap();
    cpe.write_file(
        "/etc/config/cwmpd",
        &config.replace(
            "config acs 'acs'\n",
            "config acs 'acs'\n\toption retry_min_wait '9'\n",
        ),
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(cpe.pid().unwrap() as i32),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        acs.sessions().len(),
        1,
        "passive changes wait for the next Inform"
    );

    // An active one changed on the device: a session at once, carrying both changes.
    let out = cpe.cli(&["set", "Device.ManagementServer.PeriodicInformInterval=777"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let second = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(second.event_codes(), ["4 VALUE CHANGE"]);
    assert_eq!(
        second
            .inform_value("Device.ManagementServer.PeriodicInformInterval")
            .as_deref(),
        Some("777")
    );
    assert_eq!(
        second
            .inform_value("Device.ManagementServer.CWMPRetryMinimumWaitInterval")
            .as_deref(),
        Some("9")
    );
    // Delivered: the next session carries no value change.
    cpe.cli(&["inform"]);
    let third = acs.wait_session(3, WAIT).unwrap();
    assert_eq!(third.event_codes(), ["6 CONNECTION REQUEST"]);
    assert_eq!(
        third.inform_value("Device.ManagementServer.CWMPRetryMinimumWaitInterval"),
        None
    );
    finish(&acs);
}

#[test]
fn command_line_works_on_the_root_without_a_daemon() {
    let cpe = CpeProcess::new(&cwmpd_uci("http://127.0.0.1:9/", free_port(), "", ""));
    let out = cpe.cli(&[
        "get",
        "Device.DeviceInfo.Manufacturer",
        "Device.ManagementServer.URL",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Device.DeviceInfo.Manufacturer = OpenWrt\nDevice.ManagementServer.URL = http://127.0.0.1:9/\n"
    );

    let out = cpe.cli(&["set", "Device.ManagementServer.PeriodicInformInterval=0"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "cwmpd: fault 9003 Invalid arguments\n  Device.ManagementServer.PeriodicInformInterval: fault 9007 \
         invalid parameter value for Device.ManagementServer.PeriodicInformInterval: 0 is outside the range \
         1..4294967295\n"
    );
    let out = cpe.cli(&["get", "Device.Nope."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("cwmpd: fault 9005 "));

    let out = cpe.cli(&[
        "set",
        "Device.ManagementServer.URL=http://acs.example:7547/",
    ]);
    assert!(out.status.success());
    assert!(cpe
        .read_file("/etc/config/cwmpd")
        .unwrap()
        .contains("\toption url 'http://acs.example:7547/'\n"));

    let out = cpe.cli(&["inform", "2 PERIODIC"]);
    assert!(out.status.success());
    let out = cpe.cli(&["status"]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["daemon_running"], false);
    // The new ACS URL queued 0 BOOTSTRAP; the requested event follows it.
    assert_eq!(
        status["pending_events"],
        serde_json::json!(["0 BOOTSTRAP", "2 PERIODIC"])
    );
    assert_eq!(status["acs_url"], "http://acs.example:7547/");
}

#[test]
fn connection_request_during_a_session_is_folded_into_it() {
    // The ACS holds its answer to the empty POST for a while: the session stays open.
    let acs = TestAcs::start(
        AcsConfig::new()
            .rule(When::Post(2), Inject::Delay(Duration::from_millis(1500)))
            .session(vec![AcsRpc::gpv(&["Device.DeviceInfo.UpTime"])]),
    );
    let port = free_port();
    let _cpe = start_cpe(&cwmpd_uci(&acs.url(), port, "", ""));
    acs.wait_requests(2, WAIT).unwrap();
    let url = format!("http://127.0.0.1:{port}/cr");
    assert_eq!(
        connection_request(&url, CR_USER, CR_PASS, DigestAlgorithm::Md5).unwrap(),
        200
    );
    acs.wait_session(1, WAIT).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        acs.sessions().len(),
        1,
        "no second session for a folded request"
    );

    // After the session, a connection request opens a new one.
    assert_eq!(
        connection_request(&url, CR_USER, CR_PASS, DigestAlgorithm::Md5).unwrap(),
        200
    );
    let second = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(second.event_codes(), ["6 CONNECTION REQUEST"]);
    finish(&acs);
}

#[test]
fn connection_request_as_the_acs_ends_the_session_gets_a_new_session() {
    // The ACS holds its final 204 (its answer to the empty POST, the second POST) while it
    // sends a connection request: it meant a new session, and gets one.
    let acs = TestAcs::start(
        AcsConfig::new().rule(When::Post(2), Inject::Delay(Duration::from_millis(1500))),
    );
    let port = free_port();
    let _cpe = start_cpe(&cwmpd_uci(&acs.url(), port, "", ""));
    acs.wait_requests(2, WAIT).unwrap();
    let url = format!("http://127.0.0.1:{port}/cr");
    assert_eq!(
        connection_request(&url, CR_USER, CR_PASS, DigestAlgorithm::Md5).unwrap(),
        200
    );
    let second = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(second.event_codes(), ["6 CONNECTION REQUEST"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(acs.sessions().len(), 2);
    finish(&acs);
}

#[test]
fn request_download_asks_the_acs_for_a_file() {
    let acs = TestAcs::start(AcsConfig::new());
    let cpe = start_cpe(&cwmpd_uci(&acs.url(), free_port(), "", ""));
    acs.wait_session(1, WAIT).unwrap();
    wait_status(&cpe, |s| s["sessions_completed"].as_u64() == Some(1));

    let out = cpe.cli(&["request-download", "Firmware"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a file type"));

    let out = cpe.cli(&[
        "request-download",
        "1 Firmware Upgrade Image",
        "Version=24.10.1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let session = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(session.event_codes(), ["9 REQUEST DOWNLOAD"]);
    let request = session
        .cpe_request("RequestDownload")
        .expect("a RequestDownload");
    assert_eq!(
        request.text_of("FileType"),
        Some("1 Firmware Upgrade Image")
    );
    assert_eq!(request.text_of("Name"), Some("Version"));
    assert_eq!(request.text_of("Value"), Some("24.10.1"));

    // Acknowledged: it is not asked again.
    wait_status(&cpe, |s| s["sessions_completed"].as_u64() == Some(2));
    let state: serde_json::Value =
        serde_json::from_str(&cpe.read_file("/etc/cwmpd/state.json").unwrap()).unwrap();
    assert_eq!(state["requested_downloads"], serde_json::json!([]));
    cpe.cli(&["inform"]);
    let third = acs.wait_session(3, WAIT).unwrap();
    assert!(third.cpe_request("RequestDownload").is_none());
    finish(&acs);
}
