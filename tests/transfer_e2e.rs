//! End to end: file transfers and the device lifecycle (issue 5). The real `cwmpd` in a
//! sandbox root, the scripted test ACS, and a test file server (HTTP or HTTPS with its own
//! CA). Every envelope the agent emits is validated against the BBF schema.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use support::*;

const WAIT: Duration = Duration::from_secs(30);
/// The sandbox platform accepts images that start with this (src/platform/sandbox.rs).
const MAGIC: &[u8] = b"CWMPD-SANDBOX-FIRMWARE";
const UNKNOWN_TIME: &str = "0001-01-01T00:00:00Z";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn cwmpd_uci(acs_url: &str, acs_options: &str, cpe_options: &str) -> String {
    format!(
        "config acs 'acs'\n\toption url '{acs_url}'\n\toption periodic_enable '0'\n{acs_options}\n\
         config cpe 'cpe'\n\toption interface 'lo'\n\toption cr_port '{}'\n{cpe_options}",
        free_port()
    )
}

/// A CPE trusting `files`' CA (when HTTPS), on a 1/100 time scale; not started.
fn new_cpe(acs: &TestAcs, files: Option<&TestFileServer>, cpe_options: &str) -> CpeProcess {
    let ca = files.and_then(TestFileServer::ca_pem);
    let acs_options = match ca {
        Some(_) => "\toption ca_file '/etc/ssl/files-ca.pem'\n",
        None => "",
    };
    let mut cpe = CpeProcess::new(&cwmpd_uci(&acs.url(), acs_options, cpe_options));
    if let Some(ca) = ca {
        cpe.write_file("/etc/ssl/files-ca.pem", &ca);
    }
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe
}

fn finish(acs: &TestAcs) {
    acs.assert_no_violations();
    assert!(acs.validate_cpe_bodies().expect("schema-valid envelopes") > 0);
}

fn firmware_image() -> Vec<u8> {
    let mut image = MAGIC.to_vec();
    image.extend((0..64 * 1024).map(|i| (i % 251) as u8));
    image
}

fn download(key: &str, url: &str, file_size: usize) -> AcsRpc {
    AcsRpc::download(Download {
        command_key: key.into(),
        url: url.into(),
        file_size: file_size as u64,
        ..Download::default()
    })
}

fn web_download(key: &str, url: &str, file_size: usize) -> AcsRpc {
    AcsRpc::download(Download {
        command_key: key.into(),
        file_type: "2 Web Content".into(),
        url: url.into(),
        file_size: file_size as u64,
        ..Download::default()
    })
}

/// Every TransferComplete the ACS received (acknowledged sessions only), in order.
fn transfer_completes(acs: &TestAcs) -> Vec<Envelope> {
    acs.sessions()
        .iter()
        .flat_map(|s| s.cpe_requests.iter())
        .filter(|r| r.method() == "TransferComplete")
        .cloned()
        .collect()
}

fn wait_transfer_completes(acs: &TestAcs, n: usize) -> Vec<Envelope> {
    acs.wait_until(&format!("{n} TransferComplete"), WAIT, |log| {
        let found: Vec<Envelope> = log
            .completed_sessions()
            .iter()
            .flat_map(|s| s.cpe_requests.iter())
            .filter(|r| r.method() == "TransferComplete")
            .cloned()
            .collect();
        (found.len() >= n).then_some(found)
    })
    .unwrap()
}

/// (CommandKey, FaultCode, FaultString) of a TransferComplete.
fn outcome(tc: &Envelope) -> (String, u32, String) {
    (
        tc.text_of("CommandKey").unwrap_or("").to_string(),
        tc.text_of("FaultCode").unwrap().parse().unwrap(),
        tc.text_of("FaultString").unwrap_or("").to_string(),
    )
}

fn actions_named(cpe: &CpeProcess, name: &str) -> Vec<serde_json::Value> {
    cpe.actions()
        .into_iter()
        .filter(|a| a["action"] == name)
        .collect()
}

#[test]
fn firmware_download_over_https_with_digest_flashes_reboots_and_reports() {
    let files = TestFileServer::start(true);
    let image = firmware_image();
    files.serve("/fw/openwrt.bin", ServedFile::new(&image));
    files.set_auth(FileAuth::Digest("fw-user".into(), "fw-pass".into()));
    let acs = TestAcs::start(AcsConfig::new().session(vec![AcsRpc::download(Download {
        command_key: "fw-1".into(),
        url: files.url("/fw/openwrt.bin"),
        username: "fw-user".into(),
        password: "fw-pass".into(),
        file_size: image.len() as u64,
        ..Download::default()
    })]));
    let mut cpe = new_cpe(&acs, Some(&files), "");
    cpe.spawn();

    let first = acs.wait_session(1, WAIT).unwrap();
    let response = first.response(0);
    assert_eq!(response.method(), "DownloadResponse");
    assert_eq!(response.status(), Some(1));
    assert_eq!(response.text_of("StartTime"), Some(UNKNOWN_TIME));
    assert_eq!(response.text_of("CompleteTime"), Some(UNKNOWN_TIME));
    assert!(cpe.wait_exit(WAIT).is_some(), "sysupgrade reboots");
    assert_eq!(
        cpe.actions(),
        [
            serde_json::json!({"action": "validate_firmware_image", "path": "/tmp/cwmpd/download-1.bin"}),
            serde_json::json!({"action": "sysupgrade", "argv": ["sysupgrade", "/tmp/cwmpd/download-1.bin"]}),
            serde_json::json!({"action": "reboot", "reason": "sysupgrade"}),
        ]
    );
    let gets: Vec<bool> = files.received().iter().map(|r| r.authorized).collect();
    assert_eq!(gets, [false, true], "challenged, then Digest");

    cpe.spawn();
    let second = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(
        second.event_codes(),
        ["1 BOOT", "M Download", "7 TRANSFER COMPLETE"]
    );
    assert_eq!(second.command_key("M Download").as_deref(), Some("fw-1"));
    let tc = second.cpe_request("TransferComplete").unwrap();
    assert_eq!(outcome(tc), ("fw-1".into(), 0, String::new()));
    let (start, complete) = (
        tc.text_of("StartTime").unwrap(),
        tc.text_of("CompleteTime").unwrap(),
    );
    assert!(start.starts_with("20") && start.ends_with('Z'), "{start}");
    assert!(complete >= start, "{start} .. {complete}");
    let book: serde_json::Value =
        serde_json::from_str(&cpe.read_file("/etc/cwmpd/transfers.json").unwrap()).unwrap();
    assert_eq!(book["transfers"], serde_json::json!([]));
    finish(&acs);
}

#[test]
fn corrupt_and_refused_images_are_never_flashed() {
    let files = TestFileServer::start(false);
    let corrupt = b"this is not a firmware image".to_vec();
    files.serve("/corrupt.bin", ServedFile::new(&corrupt));
    files.serve("/other-board.bin", ServedFile::new(&firmware_image()));
    let acs = TestAcs::start(AcsConfig::new().session(vec![download(
        "corrupt",
        &files.url("/corrupt.bin"),
        corrupt.len(),
    )]));
    let mut cpe = new_cpe(&acs, None, "");
    cpe.spawn();
    let tc = wait_transfer_completes(&acs, 1);
    assert_eq!(
        outcome(&tc[0]),
        (
            "corrupt".into(),
            9018,
            "Download failure: file corrupted: image refused by the platform: fwtool_signature failed"
                .into()
        )
    );

    // The platform refuses a well-formed image (another board): 9018 with its reason.
    cpe.write_file(
        "/etc/cwmpd/sandbox-validate.json",
        r#"{"tests":{"fwtool_signature":true,"fwtool_device_match":false},"valid":false,"forceable":true,"allow_backup":true}"#,
    );
    let next = acs.sessions().len() + 1;
    acs.set_session_script(
        next,
        vec![download("board", &files.url("/other-board.bin"), 0)],
    );
    assert!(cpe.cli(&["inform"]).status.success());
    let tc = wait_transfer_completes(&acs, 2);
    assert_eq!(
        outcome(&tc[1]),
        (
            "board".into(),
            9018,
            "Download failure: file corrupted: image refused by the platform: fwtool_device_match failed"
                .into()
        )
    );
    assert!(actions_named(&cpe, "sysupgrade").is_empty());
    assert_eq!(actions_named(&cpe, "validate_firmware_image").len(), 2);
    assert!(cpe.is_running());
    finish(&acs);
}

#[test]
fn download_failures_have_their_fault_codes() {
    let files = TestFileServer::start(false);
    let locked = TestFileServer::start(false);
    locked.set_auth(FileAuth::Basic("user".into(), "right".into()));
    let body: Vec<u8> = (0..100u8).collect();
    files.serve("/ok.html", ServedFile::new(b"<h1>hello</h1>"));
    files.serve("/sized.bin", ServedFile::new(&body));
    files.serve(
        "/cut.bin",
        ServedFile {
            stop_after: Some(40),
            ..ServedFile::new(&body)
        },
    );
    locked.serve("/secret.bin", ServedFile::new(&body));
    let wrong_password = AcsRpc::download(Download {
        command_key: "auth".into(),
        file_type: "2 Web Content".into(),
        url: locked.url("/secret.bin"),
        username: "user".into(),
        password: "wrong".into(),
        ..Download::default()
    });
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        web_download("ok", &files.url("/ok.html"), 14),
        web_download("size", &files.url("/sized.bin"), 99),
        wrong_password,
        web_download("cut", &files.url("/cut.bin"), 0),
        web_download("missing", &files.url("/missing.bin"), 0),
        web_download("refused", &format!("http://127.0.0.1:{}/x", free_port()), 0),
        web_download("ftp", "ftp://127.0.0.1/fw.bin", 0),
        web_download("file", "file:///etc/passwd", 0),
    ]));
    let mut cpe = new_cpe(&acs, None, "");
    cpe.spawn();
    let first = acs.wait_session(1, WAIT).unwrap();
    for (index, response) in first.responses().iter().enumerate().take(6) {
        assert_eq!(response.status(), Some(1), "Download {index}");
    }
    for index in [6, 7] {
        let fault = first.response(index).fault().unwrap();
        assert_eq!((fault.code, fault.soap_code.as_str()), (9013, "Server"));
    }
    let mut outcomes: Vec<(String, u32, String)> = wait_transfer_completes(&acs, 6)
        .iter()
        .map(outcome)
        .collect();
    outcomes.sort();
    let codes: Vec<(&str, u32)> = outcomes.iter().map(|(k, c, _)| (k.as_str(), *c)).collect();
    assert_eq!(
        codes,
        [
            ("auth", 9012),
            ("cut", 9017),
            ("missing", 9016),
            ("ok", 0),
            ("refused", 9015),
            ("size", 9018),
        ]
    );
    assert_eq!(
        outcomes[5].2,
        "Download failure: file corrupted: the file has 100 bytes, FileSize says 99"
    );
    assert_eq!(
        outcomes[2].2,
        "Download failure: unable to access file: HTTP 404"
    );
    assert_eq!(
        cpe.read_file("/www/cwmpd/ok.html").as_deref(),
        Some("<h1>hello</h1>")
    );
    let leftovers = std::fs::read_dir(cpe.path("/tmp/cwmpd"))
        .map(|dir| dir.count())
        .unwrap_or(0);
    assert_eq!(leftovers, 0, "no partial file is left behind");
    finish(&acs);
}

/// Run a firmware download with the agent killed right after `step` was persisted, then
/// restart it (and again after the sysupgrade reboot) until the TransferComplete is in.
fn firmware_with_crash_at(step: &str) {
    let files = TestFileServer::start(false);
    let image = firmware_image();
    files.serve("/fw.bin", ServedFile::new(&image));
    let acs = TestAcs::start(AcsConfig::new().session(vec![download(
        "fw-crash",
        &files.url("/fw.bin"),
        image.len(),
    )]));
    let mut cpe = new_cpe(&acs, None, "");
    cpe.env.push(("CWMPD_CRASH_AT".into(), step.to_string()));
    cpe.spawn();
    let deadline = Instant::now() + WAIT * 2;
    let mut starts = 1;
    while transfer_completes(&acs).is_empty() {
        assert!(Instant::now() < deadline, "{step}: no TransferComplete");
        if !cpe.is_running() {
            cpe.env.retain(|(name, _)| name != "CWMPD_CRASH_AT");
            cpe.spawn();
            starts += 1;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let completes = transfer_completes(&acs);
    assert_eq!(completes.len(), 1, "{step}: exactly one TransferComplete");
    assert_eq!(
        outcome(&completes[0]),
        ("fw-crash".into(), 0, String::new())
    );
    let session = acs
        .sessions()
        .into_iter()
        .find(|s| s.cpe_request("TransferComplete").is_some())
        .unwrap();
    assert!(session.has_event("M Download") && session.has_event("7 TRANSFER COMPLETE"));
    assert!(
        session.has_event("1 BOOT"),
        "{step}: {:?}",
        session.event_codes()
    );
    assert_eq!(
        actions_named(&cpe, "sysupgrade").len(),
        1,
        "{step}: flashed exactly once"
    );
    assert!(
        starts >= 3,
        "{step}: crash, sysupgrade reboot: {starts} starts"
    );
    acs.validate_cpe_bodies().unwrap();
}

#[test]
fn kill_at_every_persisted_step_resumes_or_reports() {
    for step in [
        "transfer-queued",
        "transfer-started",
        "transfer-applying",
        "transfer-recovered",
    ] {
        firmware_with_crash_at(step);
    }
}

#[test]
fn kill_after_the_transfer_complete_was_acknowledged_sends_it_once() {
    let files = TestFileServer::start(false);
    files.serve("/a.html", ServedFile::new(b"a"));
    let acs = TestAcs::start(AcsConfig::new().session(vec![web_download(
        "web-1",
        &files.url("/a.html"),
        1,
    )]));
    let mut cpe = new_cpe(&acs, None, "");
    cpe.env
        .push(("CWMPD_CRASH_AT".into(), "transfer-delivered".into()));
    cpe.spawn();
    assert!(
        cpe.wait_exit(WAIT).is_some(),
        "exits right after the acknowledgement"
    );
    assert_eq!(transfer_completes(&acs).len(), 1);
    cpe.env.retain(|(name, _)| name != "CWMPD_CRASH_AT");
    cpe.spawn();
    assert!(cpe.cli(&["inform"]).status.success());
    let third = acs.wait_session(3, WAIT).unwrap();
    assert_eq!(third.event_codes(), ["6 CONNECTION REQUEST"]);
    assert_eq!(transfer_completes(&acs).len(), 1, "not sent again");
    acs.validate_cpe_bodies().unwrap();
}

#[test]
fn schedule_download_windows_queue_listing_and_cancel() {
    let files = TestFileServer::start(false);
    files.serve("/soon.html", ServedFile::new(b"soon"));
    let window = |start: u32, end: u32| TimeWindow {
        window_start: start,
        window_end: end,
        ..TimeWindow::default()
    };
    let schedule = |key: &str, start: u32, end: u32| {
        AcsRpc::schedule_download(ScheduleDownload {
            command_key: key.into(),
            file_type: "2 Web Content".into(),
            url: files.url("/soon.html"),
            file_size: 4,
            target_file_name: "soon.html".into(),
            time_windows: vec![window(start, end)],
            ..ScheduleDownload::default()
        })
    };
    let later = AcsRpc::download(Download {
        command_key: "dl-later".into(),
        file_type: "2 Web Content".into(),
        url: files.url("/later.html"),
        delay_seconds: 3600,
        ..Download::default()
    });
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        schedule("sd-far", 3600, 7200),
        schedule("sd-soon", 200, 3600),
        later,
        web_download("dl-full", &files.url("/x"), 0),
        AcsRpc::get_all_queued_transfers(),
        AcsRpc::get_queued_transfers(),
        AcsRpc::cancel_transfer("sd-far"),
        AcsRpc::cancel_transfer("no-such-key"),
        AcsRpc::get_all_queued_transfers(),
    ]));
    let mut cpe = new_cpe(&acs, None, "\toption transfer_queue_depth '3'\n");
    cpe.spawn();
    let first = acs.wait_session(1, WAIT).unwrap();
    let accepted = Instant::now();
    let r = first.responses();
    assert_eq!(r[0].method(), "ScheduleDownloadResponse");
    assert_eq!(r[1].method(), "ScheduleDownloadResponse");
    assert_eq!(r[2].status(), Some(1));
    assert_eq!(r[3].fault().unwrap().code, 9004);
    let all: Vec<Vec<String>> = r[4]
        .find_all("AllQueuedTransferStruct")
        .iter()
        .map(|s| {
            [
                "CommandKey",
                "State",
                "IsDownload",
                "FileType",
                "FileSize",
                "TargetFileName",
            ]
            .iter()
            .map(|f| s.child_text(f).unwrap_or("").to_string())
            .collect()
        })
        .collect();
    assert_eq!(
        all,
        [
            ["sd-far", "1", "1", "2 Web Content", "4", "soon.html"],
            ["sd-soon", "1", "1", "2 Web Content", "4", "soon.html"],
            ["dl-later", "1", "1", "2 Web Content", "0", ""],
        ]
    );
    let queued: Vec<(String, String)> = r[5]
        .find_all("QueuedTransferStruct")
        .iter()
        .map(|s| {
            let field = |f: &str| s.child_text(f).unwrap_or("").to_string();
            (field("CommandKey"), field("State"))
        })
        .collect();
    assert_eq!(queued.len(), 3);
    assert_eq!(queued[0], ("sd-far".to_string(), "1".to_string()));
    assert_eq!(r[6].method(), "CancelTransferResponse");
    assert_eq!(r[7].fault().unwrap().code, 9003);
    let keys: Vec<&str> = r[8]
        .find_all("AllQueuedTransferStruct")
        .iter()
        .filter_map(|s| s.child_text("CommandKey"))
        .collect();
    assert_eq!(keys, ["sd-soon", "dl-later"]);

    // The window opens 200 s (2 s at the test scale) after the request.
    assert!(files.wait_until(WAIT, |r| !r.is_empty()));
    assert!(
        accepted.elapsed() >= Duration::from_millis(1500),
        "started {:?} after the session",
        accepted.elapsed()
    );
    let tc = wait_transfer_completes(&acs, 1);
    assert_eq!(outcome(&tc[0]), ("sd-soon".into(), 0, String::new()));
    let session = acs.session(2);
    assert_eq!(
        session.events(),
        [
            ("M ScheduleDownload".to_string(), "sd-soon".to_string()),
            ("7 TRANSFER COMPLETE".to_string(), String::new())
        ]
    );
    assert_eq!(
        cpe.read_file("/www/cwmpd/soon.html").as_deref(),
        Some("soon")
    );
    finish(&acs);
}

#[test]
fn uploads_of_the_configuration_and_the_log() {
    let files = TestFileServer::start(false);
    files.set_auth(FileAuth::Basic("up".into(), "load".into()));
    let post_only = TestFileServer::start(false);
    post_only.refuse_put(true);
    let upload = |key: &str, file_type: &str, url: String| {
        AcsRpc::upload(Upload {
            command_key: key.into(),
            file_type: file_type.into(),
            url,
            username: "up".into(),
            password: "load".into(),
            ..Upload::default()
        })
    };
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        upload(
            "cfg",
            "1 Vendor Configuration File",
            files.url("/up/config.tgz"),
        ),
        upload("log", "2 Vendor Log File", files.url("/up/messages")),
        upload("post", "2 Vendor Log File", post_only.url("/up/by-post")),
        upload("bad", "3 Vendor Tone File", files.url("/x")),
    ]));
    let mut cpe = new_cpe(&acs, None, "");
    cpe.write_file("/var/log/messages", "Nov 24 17:30:00 kernel: hello\n");
    cpe.spawn();
    let first = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(first.response(0).method(), "UploadResponse");
    assert_eq!(first.response(0).status(), Some(1));
    assert_eq!(first.response(3).fault().unwrap().code, 9003);
    let mut outcomes: Vec<(String, u32, String)> = wait_transfer_completes(&acs, 3)
        .iter()
        .map(outcome)
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            ("cfg".into(), 0, String::new()),
            ("log".into(), 0, String::new()),
            ("post".into(), 0, String::new())
        ]
    );

    let config = files.uploads("/up/config.tgz");
    assert_eq!(config.len(), 1);
    assert_eq!(config[0].method, "PUT");
    let archive = cpe.root().join("uploaded-config.tgz");
    std::fs::write(&archive, &config[0].body).unwrap();
    let listing = std::process::Command::new("tar")
        .arg("-tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.lines().any(|l| l == "etc/config/cwmpd"),
        "{listing}"
    );
    let log = files.uploads("/up/messages");
    assert_eq!(log[0].body, b"Nov 24 17:30:00 kernel: hello\n");
    let methods: Vec<String> = post_only
        .received()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, ["PUT", "POST"]);
    assert_eq!(post_only.uploads("/up/by-post")[0].body, log[0].body);
    let session = acs
        .sessions()
        .into_iter()
        .find(|s| s.has_event("M Upload"))
        .unwrap();
    assert!(session.has_event("7 TRANSFER COMPLETE"));
    finish(&acs);
}

#[test]
fn factory_reset_wipes_the_state_and_bootstraps_again() {
    let acs = TestAcs::start(AcsConfig::new().session(vec![AcsRpc::factory_reset()]));
    let mut cpe = new_cpe(&acs, None, "");
    cpe.spawn();
    let first = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(first.response(0).method(), "FactoryResetResponse");
    assert!(cpe.wait_exit(WAIT).is_some());
    assert_eq!(
        cpe.actions(),
        [
            serde_json::json!({"action": "factory_reset", "argv": ["firstboot", "-y"]}),
            serde_json::json!({"action": "reboot", "reason": "factory reset"}),
        ]
    );
    assert!(!cpe.path("/etc/cwmpd/state.json").exists());
    cpe.spawn();
    let second = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(second.event_codes(), ["0 BOOTSTRAP", "1 BOOT"]);
    finish(&acs);
}

#[test]
fn schedule_inform_comes_after_its_delay() {
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        AcsRpc::schedule_inform(0, "too-soon"),
        AcsRpc::schedule_inform(100, "si-1"),
    ]));
    let mut cpe = new_cpe(&acs, None, "");
    cpe.spawn();
    let first = acs.wait_session(1, WAIT).unwrap();
    let accepted = Instant::now();
    assert_eq!(first.response(0).fault().unwrap().code, 9003);
    assert_eq!(first.response(1).method(), "ScheduleInformResponse");
    let second = acs.wait_session(2, WAIT).unwrap();
    assert!(accepted.elapsed() >= Duration::from_millis(500));
    assert_eq!(
        second.events(),
        [
            ("3 SCHEDULED".to_string(), String::new()),
            ("M ScheduleInform".to_string(), "si-1".to_string())
        ]
    );
    finish(&acs);
}

#[test]
fn a_firmware_change_nobody_asked_for_is_an_autonomous_transfer() {
    let acs = TestAcs::start(AcsConfig::new());
    let mut cpe = new_cpe(&acs, None, "");
    cpe.spawn();
    acs.wait_session(1, WAIT).unwrap();
    cpe.terminate(WAIT);
    // sysupgrade from LuCI: a new release, and a reboot (tmpfs emptied).
    let release = cpe.read_file("/etc/openwrt_release").unwrap();
    cpe.write_file(
        "/etc/openwrt_release",
        &release.replace("r24106-10cc5fcd00", "r24200-aaaaaaaaaa"),
    );
    std::fs::remove_dir_all(cpe.path("/var/run")).unwrap();
    cpe.spawn();
    let second = acs.wait_session(2, WAIT).unwrap();
    assert_eq!(
        second.event_codes(),
        ["1 BOOT", "10 AUTONOMOUS TRANSFER COMPLETE"]
    );
    let atc = second.cpe_request("AutonomousTransferComplete").unwrap();
    assert_eq!(atc.text_of("IsDownload"), Some("1"));
    assert_eq!(atc.text_of("FileType"), Some("1 Firmware Upgrade Image"));
    assert_eq!(atc.text_of("FaultCode"), Some("0"));
    assert_eq!(atc.text_of("StartTime"), Some(UNKNOWN_TIME));
    // Reported once.
    cpe.terminate(WAIT);
    std::fs::remove_dir_all(cpe.path("/var/run")).unwrap();
    cpe.spawn();
    let third = acs.wait_session(3, WAIT).unwrap();
    assert_eq!(third.event_codes(), ["1 BOOT"]);
    finish(&acs);
}
