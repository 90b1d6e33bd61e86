//! The LuCI app in a browser: the real view (openwrt/luci-app-cwmpd/.../view/cwmpd.js, not a
//! copy) loads in headless Chromium on a test page (tests/luci/index.html) whose stand-in for
//! LuCI's runtime (tests/luci/luci-stub.js) answers `ubus call uci get` from the shipped
//! /etc/config/cwmpd and `ubus call cwmpd status` from the recorded answer, under the app's
//! rpcd ACL. tests/luci/driver.js works the page as a person would and writes, in the target
//! directory:
//!
//! - luci-cwmpd.png: the page as first shown (status panel and form), 1280×1600;
//! - luci-cwmpd.html: its DOM, serialized as `chromium --dump-dom` does;
//! - luci-cwmpd-inform.png, luci-cwmpd-{hostile,failing,absent}.png: after Send Inform now;
//! - luci-report.json: what the page showed and called at each step.
//!
//! Checked on the DOM: every option of the shipped config has its field, showing the shipped
//! value; password options are password fields; the status panel shows the recorded answer;
//! Send Inform now is there. Checked on the report: the page loads without errors and asks only
//! what the ACL grants; the panel follows the poll; the periodic options follow their flag;
//! the button calls cwmpd.inform and says so; markup in the agent's answer stays text; ubus
//! errors and a missing agent show as such.
//!
//! Needs chromium and node: without either the tests say they skip, unless CI is set
//! (.ci/run installs both).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cwmpd::backend::uci::UciFile;
use cwmpd::config;
use serde_json::{json, Value};

const SHIPPED_CONFIG: &str = "openwrt/files/cwmpd.config";
const STATUS: &str = "tests/packaging/cwmpd-status.json";
const STATUS_POLLED: &str = "tests/packaging/cwmpd-status-polled.json";
/// The driver stops itself after 25 s; this is the last resort.
const DRIVER_DEADLINE: Duration = Duration::from_secs(60);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: impl AsRef<Path>) -> String {
    let path = repo().join(path);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"))
}

fn find_in_path(tools: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| tools.iter().map(move |tool| dir.join(tool)))
        .find(|candidate| candidate.is_file())
}

/// What one run of the driver left: its report and the DOM of the page as first shown.
struct Run {
    report: Value,
    dom: String,
}

/// Outside the test harness's capture, so that a skip is seen.
fn say(message: &str) {
    writeln!(std::io::stderr(), "{message}").ok();
}

/// One driver run for all the tests of this file; None when Chromium or node is missing
/// outside CI. A failed run fails every test with its message, without running again.
fn run() -> Option<&'static Run> {
    static RUN: OnceLock<Result<Option<Run>, String>> = OnceLock::new();
    match RUN.get_or_init(drive) {
        Ok(run) => run.as_ref(),
        Err(message) => panic!("{message}"),
    }
}

fn drive() -> Result<Option<Run>, String> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| find_in_path(&["chromium", "chromium-browser"]));
    let node = find_in_path(&["node"]);
    let (Some(chromium), Some(node)) = (chromium, node) else {
        if std::env::var_os("CI").is_some() {
            return Err("chromium and node are required in CI (.ci/run installs them)".into());
        }
        say("tests/luci_view.rs: skipping the LuCI view in Chromium: chromium or node is not installed");
        return Ok(None);
    };
    let out = target_dir();
    let started = Instant::now();
    let mut child = Command::new(node)
        .current_dir(repo())
        .arg("tests/luci/driver.js")
        .arg("--chromium")
        .arg(&chromium)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("node tests/luci/driver.js: {e}"))?;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > DRIVER_DEADLINE {
            child.kill().ok();
            child.wait().ok();
            return Err(format!(
                "tests/luci/driver.js still running after {DRIVER_DEADLINE:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).ok();
    }
    if !status.success() {
        return Err(format!("tests/luci/driver.js failed ({status}):\n{stderr}"));
    }
    say(&format!(
        "tests/luci_view.rs: Chromium drove the LuCI view in {:.1} s; screenshot: {}",
        started.elapsed().as_secs_f64(),
        out.join("luci-cwmpd.png").display()
    ));
    let read_out = |name: &str| {
        fs::read_to_string(out.join(name)).map_err(|e| format!("{}: {e}", out.join(name).display()))
    };
    let report = read_out("luci-report.json")?;
    Ok(Some(Run {
        report: serde_json::from_str(&report).map_err(|e| format!("luci-report.json: {e}"))?,
        dom: read_out("luci-cwmpd.html")?,
    }))
}

// --- the DOM dump: a few start tags and texts, read the way Chromium serializes them ---------

#[derive(Debug)]
struct Tag {
    name: String,
    attrs: BTreeMap<String, String>,
    /// Byte offsets of `<` and just past `>`.
    start: usize,
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
}

fn decode(text: &str) -> String {
    text.replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Where the tag that `rest` (just past its `<`) starts ends: the first `>` outside quotes.
fn tag_end(rest: &str) -> Option<usize> {
    let mut quoted = false;
    rest.char_indices().find_map(|(i, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        (c == '>' && !quoted).then_some(i)
    })
}

/// Every start tag in `html`, with its attributes (Chromium writes them name="value").
fn start_tags(html: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut pos = 0;
    while let Some(found) = html[pos..].find('<') {
        let start = pos + found;
        let rest = &html[start + 1..];
        if rest.starts_with("!--") {
            pos = start + rest.find("-->").map_or(html.len() - start, |e| e + 4);
            continue;
        }
        let Some(close) = tag_end(rest) else { break };
        let inner = &rest[..close];
        pos = start + 1 + close + 1;
        if inner.starts_with('/') || inner.starts_with('!') {
            continue;
        }
        let name_len = inner
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inner.len());
        let mut attrs = BTreeMap::new();
        let mut a = &inner[name_len..];
        loop {
            a = a.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if a.is_empty() {
                break;
            }
            let n = a.find(['=', ' ', '\t', '\n']).unwrap_or(a.len());
            let key = a[..n].to_ascii_lowercase();
            a = &a[n..];
            if let Some(after) = a.strip_prefix("=\"") {
                let q = after.find('"').expect("closing quote");
                attrs.insert(key, decode(&after[..q]));
                a = &after[q + 1..];
            } else {
                attrs.insert(key, String::new());
            }
        }
        tags.push(Tag {
            name: inner[..name_len].to_ascii_lowercase(),
            attrs,
            start,
            end: pos,
        });
    }
    tags
}

/// The text of `html[from..to]`, tags removed, entities decoded, blanks collapsed.
fn text_between(html: &str, from: usize, to: usize) -> String {
    let mut out = String::new();
    let mut rest = &html[from..to];
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        rest = tag_end(after).map_or("", |close| &after[close + 1..]);
    }
    out.push_str(rest);
    decode(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The end of the element whose start tag ends at `from`: the matching close tag's start.
fn element_end(html: &str, name: &str, from: usize) -> usize {
    let (open, close) = (format!("<{name}"), format!("</{name}>"));
    let mut depth = 1;
    let mut pos = from;
    loop {
        let next_open = html[pos..].find(&open).map(|i| pos + i);
        let next_close = pos + html[pos..].find(&close).expect("close tag");
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                pos = o + open.len();
            }
            _ => {
                depth -= 1;
                if depth == 0 {
                    return next_close;
                }
                pos = next_close + close.len();
            }
        }
    }
}

/// The rows of the table under id="cwmpd-status", cell texts.
fn status_rows(html: &str) -> Vec<Vec<String>> {
    let tags = start_tags(html);
    let panel = tags
        .iter()
        .find(|t| t.attr("id") == Some("cwmpd-status"))
        .expect("the status panel (id=cwmpd-status)");
    let end = element_end(html, "div", panel.end);
    tags.iter()
        .filter(|t| t.name == "tr" && t.start > panel.start && t.end <= end)
        .map(|tr| {
            let tr_end = element_end(html, "tr", tr.end);
            tags.iter()
                .filter(|t| t.name == "td" && t.start > tr.start && t.end <= tr_end)
                .map(|td| text_between(html, td.end, element_end(html, "td", td.end)))
                .collect()
        })
        .collect()
}

// --- expectations ----------------------------------------------------------------------------

/// Every option the shipped config spells out (empty ones included), per section, plus the
/// list it only mentions in a comment, with the value(s) the daemon reads: an option set to ''
/// is no option to UCI, so it reads as empty.
fn shipped_options() -> BTreeMap<(String, String), Vec<String>> {
    let text = read(SHIPPED_CONFIG);
    let file = UciFile::parse(config::PACKAGE, &text).unwrap();
    let mut options = BTreeMap::new();
    let mut section = String::new();
    for line in text.lines() {
        match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["config", _, name, ..] => section = name.trim_matches('\'').to_string(),
            ["option", name, ..] => {
                let value = file.get(&section, name).unwrap_or_default().to_string();
                options.insert((section.clone(), name.to_string()), vec![value]);
            }
            _ => {}
        }
    }
    assert!(text.contains("# list cr_allow "));
    let allow = file.get_list("cpe", config::cpe::CR_ALLOW);
    options.insert(
        ("cpe".into(), config::cpe::CR_ALLOW.into()),
        allow.iter().map(|v| v.to_string()).collect(),
    );
    // The UDP echo server's section is the ACS's (Device.IP.Diagnostics.UDPEchoConfig), not
    // a setting of the agent's page.
    options.retain(|(section, _), _| section != "udpecho");
    options
}

/// The status panel's rows for a `cwmpd status` answer, as the view words them.
fn expected_rows(status: &Value) -> Value {
    let text = |key: &str| match status[key].as_str() {
        None | Some("") => "-".to_string(),
        Some(text) => text.to_string(),
    };
    let pending: Vec<&str> = status["pending_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    json!([
        ["Agent", "Running"],
        ["ACS URL", text("acs_url")],
        ["Connection request URL", text("connection_request_url")],
        ["Session", "Idle"],
        [
            "Last session",
            format!(
                "{} → {}",
                text("last_session_start"),
                text("last_session_end")
            )
        ],
        [
            "Last outcome",
            format!("{}: {}", text("last_outcome"), text("last_error"))
        ],
        [
            "Sessions",
            format!(
                "{} completed, {} failed, {} retries",
                status["sessions_completed"], status["sessions_failed"], status["retry_count"]
            )
        ],
        [
            "Next session",
            format!(
                "in {} s",
                status["next_session_in_secs"].as_f64().unwrap().ceil()
            )
        ],
        ["Next periodic inform", text("next_periodic_inform")],
        ["Pending events", pending.join(", ")]
    ])
}

fn fixture(path: &str) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

fn calls(snapshot: &Value) -> Vec<String> {
    snapshot["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}.{}",
                c["object"].as_str().unwrap(),
                c["method"].as_str().unwrap()
            )
        })
        .collect()
}

fn field<'a>(snapshot: &'a Value, cbid: &str) -> &'a Value {
    snapshot["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == cbid)
        .unwrap_or_else(|| panic!("no field {cbid}"))
}

fn step<'a>(run: &'a Run, scenario: &str, step: &str) -> &'a Value {
    let snapshot = &run.report["scenarios"][scenario][step];
    assert!(snapshot.is_object(), "no {scenario}/{step} in the report");
    snapshot
}

// --- the tests -------------------------------------------------------------------------------

#[test]
fn the_page_loads_without_errors_and_the_screenshot_is_there() {
    let Some(run) = run() else { return };
    for (scenario, steps) in run.report["scenarios"].as_object().unwrap() {
        for (name, snapshot) in steps.as_object().unwrap() {
            assert_eq!(snapshot["state"], "ready", "{scenario}/{name}");
            assert_eq!(snapshot["errors"], json!([]), "{scenario}/{name}");
            // The stand-in rpcd holds the app's ACL (rpcd/acl.d) and says -32002 to the rest.
            for call in snapshot["calls"].as_array().unwrap() {
                assert_ne!(call["reply"]["error"], -32002, "{scenario}/{name}: {call}");
            }
        }
    }
    assert_eq!(run.report["exceptions"], json!([]));
    // Console errors: only the hostile scenario's image that is not there.
    for entry in run.report["console"].as_array().unwrap() {
        let (kind, text) = (
            entry["type"].as_str().unwrap(),
            entry["text"].as_str().unwrap(),
        );
        assert!(
            !(kind.contains("error") || kind.contains("warn")) || text.ends_with("/nothing-here"),
            "{entry}"
        );
    }
    // The view came from where the router serves it, and every file the page asked for was there.
    let requests = run.report["requests"].as_array().unwrap();
    assert!(requests
        .iter()
        .any(|r| r["path"] == "/luci-static/resources/view/cwmpd.js" && r["status"] == 200));
    for r in requests {
        assert!(r["status"] == 200 || r["path"] == "/nothing-here", "{r}");
    }

    let png = fs::read(target_dir().join("luci-cwmpd.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (1280, 1600));
}

#[test]
fn every_shipped_option_has_a_field_showing_its_value() {
    let Some(run) = run() else { return };
    let html = &run.dom;
    let tags = start_tags(html);
    let shipped = shipped_options();

    let frames: Vec<&Tag> = tags
        .iter()
        .filter(|t| t.attrs.contains_key("data-field"))
        .collect();
    let rendered: BTreeSet<String> = frames
        .iter()
        .map(|t| t.attr("data-field").unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = shipped
        .keys()
        .map(|(section, option)| format!("cbid.{}.{section}.{option}", config::PACKAGE))
        .collect();
    assert_eq!(rendered, expected);

    for (i, frame) in frames.iter().enumerate() {
        let cbid = frame.attr("data-field").unwrap();
        let parts: Vec<&str> = cbid.split('.').collect();
        let values = &shipped[&(parts[2].to_string(), parts[3].to_string())];
        let single = values.first().map(String::as_str).unwrap_or("");
        let end = frames.get(i + 1).map_or(html.len(), |next| next.start);
        let inside: Vec<&Tag> = tags
            .iter()
            .filter(|t| t.start > frame.start && t.end <= end)
            .collect();
        let widget = format!("widget.{cbid}");
        match frame.attr("data-type").unwrap() {
            "CBI.FlagValue" => {
                let checkbox = inside
                    .iter()
                    .find(|t| t.name == "input" && t.attr("type") == Some("checkbox"))
                    .unwrap_or_else(|| panic!("{cbid}: no checkbox"));
                assert_eq!(
                    checkbox.attrs.contains_key("checked"),
                    single == "1",
                    "{cbid}"
                );
            }
            "CBI.ListValue" => {
                assert!(inside
                    .iter()
                    .any(|t| t.name == "select" && t.attr("id") == Some(&widget)));
                let selected: Vec<&str> = inside
                    .iter()
                    .filter(|t| t.name == "option" && t.attrs.contains_key("selected"))
                    .map(|t| t.attr("value").unwrap())
                    .collect();
                assert_eq!(selected, [single], "{cbid}");
            }
            "CBI.DynamicList" => {
                let items: Vec<&str> = inside
                    .iter()
                    .filter(|t| t.attr("class") == Some("item"))
                    .map(|t| t.attr("data-value").unwrap())
                    .collect();
                assert_eq!(items, *values, "{cbid}");
                assert!(inside.iter().any(|t| t.attr("id") == Some(&widget)));
            }
            "CBI.Value" => {
                let input = inside
                    .iter()
                    .find(|t| t.name == "input" && t.attr("id") == Some(&widget))
                    .unwrap_or_else(|| panic!("{cbid}: no input {widget}"));
                // An empty value leaves the attribute out.
                assert_eq!(input.attr("value").unwrap_or(""), single, "{cbid}");
            }
            other => panic!("{cbid}: unexpected field type {other}"),
        }
    }

    // Every field shown, in the tab it is in, is valid with the shipped values.
    assert!(!html.contains("cbi-input-invalid"));
    let initial = step(run, "running", "initial");
    for f in initial["fields"].as_array().unwrap() {
        assert_eq!(f["invalid"], false, "{f}");
        assert_eq!(f["hidden"], false, "{f}: hidden by its dependencies");
    }
}

#[test]
fn password_options_are_password_fields() {
    let Some(run) = run() else { return };
    let password_inputs: BTreeSet<String> = start_tags(&run.dom)
        .iter()
        .filter(|t| t.name == "input" && t.attr("type") == Some("password"))
        .map(|t| t.attr("id").unwrap().to_string())
        .collect();
    let secrets: BTreeSet<String> = shipped_options()
        .keys()
        .filter(|(_, option)| option.ends_with("password"))
        .map(|(section, option)| format!("widget.cbid.{}.{section}.{option}", config::PACKAGE))
        .collect();
    assert_eq!(secrets.len(), 2);
    assert_eq!(password_inputs, secrets);
}

#[test]
fn the_status_panel_shows_the_recorded_answer_and_follows_the_poll() {
    let Some(run) = run() else { return };
    let recorded = expected_rows(&fixture(STATUS));
    assert_eq!(json!(status_rows(&run.dom)), recorded);
    let initial = step(run, "running", "initial");
    assert_eq!(initial["statusRows"], recorded);
    assert_eq!(initial["title"], "TR-069 (CWMP)");
    let sections: Vec<(&str, Vec<&str>)> = initial["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let tabs = s["tabs"].as_array().unwrap();
            (
                s["title"].as_str().unwrap(),
                tabs.iter().map(|t| t["title"].as_str().unwrap()).collect(),
            )
        })
        .collect();
    assert_eq!(
        sections,
        [
            (
                "Auto-Configuration Server",
                vec!["ACS", "Periodic inform", "TLS", "Retries"]
            ),
            (
                "This device",
                vec!["General", "Connection requests", "Identity"]
            )
        ]
    );

    // Send Inform now sits in the status panel, after the table.
    let tags = start_tags(&run.dom);
    let panel = tags
        .iter()
        .find(|t| t.attr("id") == Some("cwmpd-status"))
        .unwrap();
    let button = tags
        .iter()
        .filter(|t| t.name == "button" && t.start > panel.start)
        .find(|t| {
            text_between(&run.dom, t.end, element_end(&run.dom, "button", t.end))
                == "Send Inform now"
        })
        .expect("a Send Inform now button");
    assert!(button.attr("class").unwrap().contains("cbi-button-action"));
    assert!(
        button.start
            < tags
                .iter()
                .find(|t| t.attr("class") == Some("cbi-map"))
                .unwrap()
                .start
    );

    // What the view asked for: the config, and the status at load and at the poller's first
    // tick; five ticks later the answer has changed and the panel with it.
    assert_eq!(calls(initial), ["cwmpd.status", "uci.get", "cwmpd.status"]);
    assert_eq!(initial["calls"][1]["params"], json!({ "config": "cwmpd" }));
    let polled = step(run, "running", "polled");
    assert_eq!(calls(polled).len(), 4);
    assert_eq!(polled["statusRows"], expected_rows(&fixture(STATUS_POLLED)));
}

#[test]
fn send_inform_now_calls_cwmpd_inform_and_says_so() {
    let Some(run) = run() else { return };
    let after = step(run, "running", "afterInform");
    let calls = calls(after);
    assert_eq!(calls.last().unwrap(), "cwmpd.inform");
    assert_eq!(calls.iter().filter(|c| *c == "cwmpd.inform").count(), 1);
    assert_eq!(
        after["calls"].as_array().unwrap().last().unwrap()["params"],
        json!({})
    );
    assert_eq!(
        after["notifications"],
        json!([{ "classes": ["info"], "text": "The agent starts a session with the ACS now." }])
    );
}

#[test]
fn the_periodic_options_follow_their_flag() {
    let Some(run) = run() else { return };
    let ids = [
        "cbid.cwmpd.acs.periodic_interval",
        "cbid.cwmpd.acs.periodic_time",
    ];
    // On the first tab at first; a click on the Periodic inform tab shows them.
    let initial = step(run, "running", "initial");
    let tab = step(run, "running", "periodicTab");
    for id in ids {
        assert_eq!(field(initial, id)["shown"], false, "{id}");
        assert_eq!(field(tab, id)["shown"], true, "{id}");
    }
    let off = step(run, "running", "periodicOff");
    let on = step(run, "running", "periodicOn");
    assert_eq!(
        field(off, "cbid.cwmpd.acs.periodic_enable")["widget"]["checked"],
        false
    );
    for id in ids {
        assert_eq!(
            field(off, id)["hidden"],
            true,
            "{id} with periodic inform off"
        );
        assert_eq!(
            field(on, id)["hidden"],
            false,
            "{id} with periodic inform on"
        );
        assert_eq!(field(on, id)["shown"], true, "{id}");
    }
}

#[test]
fn markup_in_the_agents_answer_is_shown_as_text() {
    let Some(run) = run() else { return };
    for name in ["initial", "afterInform"] {
        let snapshot = step(run, "hostile", name);
        assert_eq!(
            snapshot["scriptRan"], false,
            "{name}: the ACS URL ran script"
        );
        assert_eq!(snapshot["injected"], false, "{name}");
        assert_eq!(snapshot["statusElements"], json!([]), "{name}");
        let rows = snapshot["statusRows"].as_array().unwrap();
        assert_eq!(
            rows[1][1],
            "http://acs.example.net/<img src=\"/nothing-here\" onerror=\"window.injected = true\">"
        );
        assert_eq!(
            rows[5][1],
            "failed: HTTP 500 from the ACS: <b id=\"injected-error\">boom</b> & more"
        );
    }
}

#[test]
fn ubus_errors_and_a_missing_agent_show_as_such() {
    let Some(run) = run() else { return };
    let not_running = json!([[
        "Agent",
        "Not running (no answer from ubus object \"cwmpd\")"
    ]]);
    for (scenario, error) in [
        (
            "failing",
            "RPC call to cwmpd/inform failed with ubus code 9: Unspecified error",
        ),
        (
            "absent",
            "RPC call to cwmpd/inform failed with error -32000: Object not found",
        ),
    ] {
        let initial = step(run, scenario, "initial");
        assert_eq!(initial["statusRows"], not_running, "{scenario}");
        let after = step(run, scenario, "afterInform");
        assert_eq!(calls(after).last().unwrap(), "cwmpd.inform", "{scenario}");
        assert_eq!(
            after["notifications"],
            json!([{
                "classes": ["error"],
                "text": format!("Could not ask the agent for a session: RPCError: {error}")
            }]),
            "{scenario}"
        );
    }
}
