//! OpenWrt packaging (`openwrt/`, `hotplug/`, `uci-defaults/`, the LuCI app):
//!
//! - every shell script parses (`sh -n`, and BusyBox ash's) and passes shellcheck;
//! - the init script asks procd for exactly the instance, respawn, log streams, firewall data,
//!   triggers and reload signal it should (procd's shell API replaced by recorders);
//! - the uci-defaults script fills the per-device defaults once, keeps what is set, and leaves a
//!   config the daemon loads (run against a `uci` stand-in that edits a sandbox config);
//! - the iface hotplug script tells a running agent about a new WAN address, and only then;
//! - openwrt/Makefile installs exactly the intended file tree with the intended modes (its
//!   prepare and install sections run against a stand-in buildroot);
//! - the .ipk scripts/ipk.sh makes (from a stand-in binary, and the one `make ipk` built when
//!   CWMPD_IPK names it) is the archive opkg reads, unpacks to exactly that tree with those
//!   modes, and has a well-formed control file that agrees with openwrt/Makefile;
//! - the LuCI view binds only options of /etc/config/cwmpd, shows a recorded status answer, and
//!   calls only what its ACL grants (run by node against stand-ins for LuCI's classes).
//!
//! Scripts run under BusyBox's ash when `busybox` is installed — OpenWrt's shell and applets,
//! with nothing else on PATH but the test's stubs — else under /bin/sh. shellcheck, busybox and
//! node are optional locally (the tests that need them say they skip) and required in CI.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cwmpd::backend::uci::UciFile;
use cwmpd::config::{self, Config};
use serde_json::{json, Value};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: impl AsRef<Path>) -> String {
    let path = repo().join(path);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The scripts installed on the router.
const ROUTER_SCRIPTS: &[&str] = &[
    "openwrt/files/cwmpd.init",
    "hotplug/iface/95-cwmpd",
    "uci-defaults/95-cwmpd",
];

/// The test's own shell: harness and stubs.
const TEST_SCRIPTS: &[&str] = &[
    "tests/packaging/procd_stubs.sh",
    "tests/packaging/init_harness.sh",
    "tests/packaging/stubs/uci",
    "tests/packaging/stubs/jsonfilter",
    "tests/packaging/stubs/cwmpd",
];

const SHIPPED_CONFIG: &str = "openwrt/files/cwmpd.config";

fn find_in_path(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.is_file())
}

/// A tool the test needs: present, or a skip locally and a failure in CI (`.ci/run` installs
/// it there).
fn required_tool(tool: &str) -> Option<PathBuf> {
    let found = find_in_path(tool);
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required in CI (.ci/run installs it)"
        );
        eprintln!("skipping: {tool} is not installed");
    }
    found
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

// --- the scripts parse and pass shellcheck ----------------------------------------------------

#[test]
fn every_shell_script_parses() {
    let mut shells = vec![vec!["sh".to_string()]];
    if find_in_path("busybox").is_some() {
        shells.push(vec!["busybox".into(), "sh".into()]);
    } else {
        eprintln!("busybox not installed: checking with /bin/sh only");
    }
    for script in ROUTER_SCRIPTS.iter().chain(TEST_SCRIPTS) {
        for shell in &shells {
            run(Command::new(&shell[0])
                .args(&shell[1..])
                .arg("-n")
                .arg(repo().join(script)));
        }
    }
}

#[test]
fn every_shell_script_passes_shellcheck() {
    let Some(shellcheck) = required_tool("shellcheck") else {
        return;
    };
    // dash is the dialect shellcheck knows that is closest to BusyBox ash: POSIX plus `local`.
    run(Command::new(shellcheck)
        .current_dir(repo())
        .args(["--shell=dash", "--severity=style"])
        .args(ROUTER_SCRIPTS)
        .args(TEST_SCRIPTS));
}

// --- a sandbox to run scripts in ----------------------------------------------------------------

/// A temporary root with `etc/config/cwmpd`, the stubs (`uci`, `jsonfilter`, `cwmpd`) first on
/// PATH and then BusyBox's applets (or the host's tools), and logs of what the stubs were asked.
struct Sandbox {
    dir: tempfile::TempDir,
    path: String,
    shell: PathBuf,
}

impl Sandbox {
    fn new(config: &str) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let stubs = root.join("stubs");
        fs::create_dir_all(&stubs).unwrap();
        for stub in ["uci", "jsonfilter", "cwmpd"] {
            let target = stubs.join(stub);
            fs::copy(repo().join("tests/packaging/stubs").join(stub), &target).unwrap();
            fs::set_permissions(&target, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let (path, shell) = match find_in_path("busybox") {
            Some(busybox) => {
                let bin = root.join("busybox");
                fs::create_dir_all(&bin).unwrap();
                let list = run(Command::new(&busybox).arg("--list")).stdout;
                for applet in String::from_utf8(list).unwrap().lines() {
                    std::os::unix::fs::symlink(&busybox, bin.join(applet)).unwrap();
                }
                (
                    format!("{}:{}", stubs.display(), bin.display()),
                    bin.join("sh"),
                )
            }
            None => (
                format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", stubs.display()),
                PathBuf::from("/bin/sh"),
            ),
        };
        fs::create_dir_all(root.join("etc/config")).unwrap();
        fs::write(root.join("etc/config/cwmpd"), config).unwrap();
        Sandbox { dir, path, shell }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn config(&self) -> String {
        fs::read_to_string(self.root().join("etc/config/cwmpd")).unwrap()
    }

    /// The sandbox's shell, with a clean environment.
    fn shell(&self) -> Command {
        let root = self.root();
        let mut command = Command::new(&self.shell);
        command
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", root)
            .env("UCI_CONFIG_DIR", root.join("etc/config"))
            .env("UCI_DELTA_DIR", root.join("tmp/.uci"))
            .env("UCI_LOG", root.join("uci.log"))
            .env("JSONFILTER_LOG", root.join("jsonfilter.log"))
            .env("CWMPD_LOG", root.join("cwmpd.log"))
            .env("PROCD_LOG", root.join("procd.log"));
        command
    }

    fn log(&self, name: &str) -> String {
        fs::read_to_string(self.root().join(name)).unwrap_or_default()
    }
}

fn shipped_config_with(from: &str, to: &str) -> String {
    let config = read(SHIPPED_CONFIG);
    assert!(
        config.contains(from),
        "the shipped config has no {from:?} any more"
    );
    config.replacen(from, to, 1)
}

// --- the init script ----------------------------------------------------------------------------

/// Run the init script's functions in the sandbox; the recorded procd calls, per function.
fn init_calls(
    sandbox: &Sandbox,
    functions: &[&str],
    env: &[(&str, &str)],
) -> BTreeMap<String, Vec<String>> {
    let mut command = sandbox.shell();
    command
        .arg(repo().join("tests/packaging/init_harness.sh"))
        .arg(repo().join("openwrt/files/cwmpd.init"))
        .args(functions)
        .envs(env.iter().copied());
    run(&mut command);
    let mut calls = BTreeMap::new();
    let mut current = String::new();
    for line in sandbox.log("procd.log").lines() {
        match line.strip_prefix("== ") {
            Some(function) => {
                current = function.to_string();
                calls.insert(current.clone(), Vec::new());
            }
            None => calls.get_mut(&current).unwrap().push(line.to_string()),
        }
    }
    calls
}

/// The words of a recorded call (`''` is an empty word, `'a b'` one word).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted.find('\'').expect("unbalanced quote");
            words.push(quoted[..end].to_string());
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            words.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    words
}

/// Split recorded calls into the calls outside procd_open_data … procd_close_data and the JSON
/// those jshn calls inside build (the procd data object), as procd would receive it.
fn split_data(calls: &[String]) -> (Vec<String>, Option<Value>) {
    let mut outside = Vec::new();
    let mut data = None;
    // (name, container) — the bottom one is procd's "data" object.
    let mut stack: Vec<(String, Value)> = Vec::new();
    for call in calls {
        let w = words(call);
        match w[0].as_str() {
            "procd_open_data" => {
                outside.push(call.clone());
                stack.push(("data".into(), json!({})));
            }
            "procd_close_data" => {
                outside.push(call.clone());
                assert_eq!(stack.len(), 1, "unclosed json containers: {calls:#?}");
                data = stack.pop().map(|(_, value)| value);
            }
            _ if stack.is_empty() => outside.push(call.clone()),
            "json_add_array" | "json_add_object" => {
                let empty = if w[0] == "json_add_array" {
                    json!([])
                } else {
                    json!({})
                };
                stack.push((w.get(1).cloned().unwrap_or_default(), empty));
            }
            "json_close_array" | "json_close_object" => {
                let (name, value) = stack.pop().unwrap();
                insert(&mut stack.last_mut().expect("closed data").1, &name, value);
            }
            "json_add_string" => {
                let value = Value::String(w[2].clone());
                insert(&mut stack.last_mut().unwrap().1, &w[1], value);
            }
            other => panic!("unexpected call inside procd data: {other}"),
        }
    }
    assert!(stack.is_empty(), "procd_open_data without procd_close_data");
    (outside, data)
}

/// jshn: a member of an object, or (name ignored) an element of an array.
fn insert(container: &mut Value, name: &str, value: Value) {
    match container {
        Value::Array(items) => items.push(value),
        Value::Object(members) => {
            members.insert(name.to_string(), value);
        }
        _ => unreachable!(),
    }
}

fn lines(text: &[&str]) -> Vec<String> {
    text.iter().map(|line| line.to_string()).collect()
}

/// What start_service asks procd for, with and without the firewall data.
fn expected_instance(with_data: bool) -> Vec<String> {
    let mut calls = lines(&[
        "config_load cwmpd",
        "procd_open_instance",
        "procd_set_param command /usr/sbin/cwmpd --foreground --syslog",
        "procd_set_param respawn",
        "procd_set_param stdout 1",
        "procd_set_param stderr 1",
    ]);
    if with_data {
        calls.extend(lines(&["procd_open_data", "procd_close_data"]));
    }
    calls.push("procd_close_instance".into());
    calls
}

fn firewall_rule(port: &str) -> Value {
    json!({ "firewall": [wan_rule("Allow-CWMP-ConnectionRequest", "tcp", port)] })
}

fn wan_rule(name: &str, proto: &str, port: &str) -> Value {
    json!({
        "type": "rule",
        "name": name,
        "src": "wan",
        "proto": proto,
        "dest_port": port,
        "target": "ACCEPT",
    })
}

#[test]
fn init_script_opens_the_udp_echo_port_while_the_echo_server_is_enabled() {
    let enabled = shipped_config_with(
        "\toption enable '0'\n\toption interface ''",
        "\toption enable '1'\n\toption interface ''",
    );
    let enabled = enabled.replacen("\toption port '7'", "\toption port '8007'", 1);
    let sandbox = Sandbox::new(&enabled);
    let calls = init_calls(&sandbox, &["start_service"], &[]);
    let (_, data) = split_data(&calls["start_service"]);
    let both = json!({ "firewall": [
        wan_rule("Allow-CWMP-ConnectionRequest", "tcp", "7547"),
        wan_rule("Allow-CWMP-UDPEcho", "udp", "8007"),
    ]});
    assert_eq!(data, Some(both));
    // CWMP off: the echo server's rule alone.
    let echo_only = enabled.replacen(
        "\toption enable '1'\n\t# The logical",
        "\toption enable '0'\n\t# The logical",
        1,
    );
    assert_ne!(echo_only, enabled);
    let sandbox = Sandbox::new(&echo_only);
    let calls = init_calls(&sandbox, &["start_service"], &[]);
    let (_, data) = split_data(&calls["start_service"]);
    let alone = json!({ "firewall": [wan_rule("Allow-CWMP-UDPEcho", "udp", "8007")] });
    assert_eq!(data, Some(alone));
}

#[test]
fn init_script_starts_the_agent_under_procd_with_the_cr_port_open_on_wan() {
    let sandbox = Sandbox::new(&read(SHIPPED_CONFIG));
    let calls = init_calls(&sandbox, &["start_service", "service_triggers"], &[]);
    let (outside, data) = split_data(&calls["start_service"]);
    assert_eq!(outside, expected_instance(true));
    assert_eq!(data, Some(firewall_rule("7547")));
    assert_eq!(
        calls["service_triggers"],
        lines(&["procd_add_reload_trigger cwmpd"])
    );
}

#[test]
fn init_script_opens_the_configured_cr_port_and_the_default_for_an_empty_one() {
    for (cr_port, opened) in [("30005", "30005"), ("", "7547")] {
        let config = shipped_config_with(
            "option cr_port '7547'",
            &format!("option cr_port '{cr_port}'"),
        );
        let sandbox = Sandbox::new(&config);
        let calls = init_calls(&sandbox, &["start_service"], &[]);
        let (outside, data) = split_data(&calls["start_service"]);
        assert_eq!(outside, expected_instance(true));
        assert_eq!(data, Some(firewall_rule(opened)), "cr_port {cr_port:?}");
        // The daemon reads the same file and agrees on the port.
        let loaded = Config::load_file(&sandbox.root().join("etc/config/cwmpd")).unwrap();
        assert_eq!(loaded.cpe.cr_port.to_string(), opened);
    }
}

#[test]
fn init_script_keeps_the_port_closed_while_cwmp_is_disabled() {
    for disabled in ["0", "off", "no"] {
        let config =
            shipped_config_with("option enable '1'", &format!("option enable '{disabled}'"));
        let sandbox = Sandbox::new(&config);
        let calls = init_calls(&sandbox, &["start_service"], &[]);
        // Still started (status, get/set and LuCI keep working), but no firewall rule.
        assert_eq!(
            calls["start_service"],
            expected_instance(false),
            "{disabled}"
        );
    }
}

#[test]
fn init_script_reload_updates_procd_and_signals_only_a_running_agent() {
    let sandbox = Sandbox::new(&read(SHIPPED_CONFIG));
    let calls = init_calls(&sandbox, &["reload_service"], &[("PROCD_RUNNING", "1")]);
    assert_eq!(
        calls["reload_service"],
        lines(&["procd_running cwmpd", "start", "procd_send_signal cwmpd"])
    );

    let sandbox = Sandbox::new(&read(SHIPPED_CONFIG));
    let calls = init_calls(&sandbox, &["reload_service"], &[("PROCD_RUNNING", "0")]);
    assert_eq!(
        calls["reload_service"],
        lines(&["procd_running cwmpd", "start"])
    );
}

#[test]
fn init_script_boot_clears_the_boot_marker_then_starts() {
    let sandbox = Sandbox::new(&read(SHIPPED_CONFIG));
    let marker = sandbox.root().join("var/run/cwmpd/booted");
    fs::create_dir_all(marker.parent().unwrap()).unwrap();
    fs::write(&marker, "").unwrap();
    let marker_env = marker.to_str().unwrap();
    let calls = init_calls(&sandbox, &["boot"], &[("BOOT_MARKER", marker_env)]);
    assert_eq!(calls["boot"], lines(&["start"]));
    assert!(!marker.exists(), "boot() left {}", marker.display());
    // No marker (the usual case after a real boot: /var/run is a tmpfs): still fine.
    let calls = init_calls(&sandbox, &["boot"], &[("BOOT_MARKER", marker_env)]);
    assert_eq!(calls["boot"], lines(&["start"]));
    // And the path is the one the agent uses.
    assert!(read("openwrt/files/cwmpd.init").contains("BOOT_MARKER=/var/run/cwmpd/booted\n"));
    assert!(read("src/daemon/agent.rs").contains(".join(\"booted\")"));
}

// --- uci-defaults ---------------------------------------------------------------------------

const LABEL_MAC: (&str, &str) = ("BOARD___system_label_macaddr", "a8:42:a1:0b:3c:7d");
const LAN_MAC: (&str, &str) = ("BOARD___network_lan_macaddr", "00-11-22-aa-bb-cc");

/// Run the uci-defaults script as /etc/init.d/boot and opkg do: sourced in a subshell, from
/// /etc/uci-defaults; it must exit 0 (that is what deletes it).
fn run_uci_defaults(sandbox: &Sandbox, board: &[(&str, &str)]) {
    let defaults = sandbox.root().join("etc/uci-defaults");
    fs::create_dir_all(&defaults).unwrap();
    fs::copy(
        repo().join("uci-defaults/95-cwmpd"),
        defaults.join("95-cwmpd"),
    )
    .unwrap();
    let mut command = sandbox.shell();
    command
        .arg("-c")
        .arg("cd \"$1\" && ( . ./95-cwmpd )")
        .arg("sh")
        .arg(&defaults)
        .envs(board.iter().copied());
    run(&mut command);
}

fn option(text: &str, section: &str, option: &str) -> String {
    let file = UciFile::parse(config::PACKAGE, text).unwrap();
    file.get(section, option).unwrap_or_default().to_string()
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The lines of `after` that differ from `before` (same number of lines expected).
fn changed_lines(before: &str, after: &str) -> Vec<String> {
    assert_eq!(before.lines().count(), after.lines().count(), "{after}");
    before
        .lines()
        .zip(after.lines())
        .filter(|(b, a)| b != a)
        .map(|(_, a)| a.trim().to_string())
        .collect()
}

#[test]
fn uci_defaults_fill_per_device_values_once_and_the_daemon_loads_them() {
    let shipped = read(SHIPPED_CONFIG);
    let sandbox = Sandbox::new(&shipped);
    run_uci_defaults(&sandbox, &[LABEL_MAC]);
    let first = sandbox.config();

    // Exactly five options changed, in place; nothing else in the file moved.
    let changed = changed_lines(&shipped, &first);
    let names: Vec<&str> = changed
        .iter()
        .map(|line| line.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "periodic_time",
            "cr_username",
            "cr_password",
            "oui",
            "serial"
        ]
    );

    let phase = option(&first, "acs", "periodic_time");
    let (date, clock) = phase.split_once('T').unwrap();
    assert_eq!(date, "1970-01-01", "{phase}");
    assert!(clock.len() == 9 && clock.ends_with('Z'), "{phase}");
    let username = option(&first, "cpe", "cr_username");
    assert!(
        username.starts_with("cpe-") && is_hex(&username[4..], 8),
        "{username}"
    );
    assert!(is_hex(&option(&first, "cpe", "cr_password"), 32));
    assert_eq!(option(&first, "cpe", "oui"), "A842A1");
    assert_eq!(option(&first, "cpe", "serial"), "A842A10B3C7D");
    assert_eq!(
        sandbox.log("jsonfilter.log"),
        "-i /etc/board.json -e @.system.label_macaddr\n"
    );

    // The daemon takes the result: the phase is a second of the day.
    let loaded = Config::load_file(&sandbox.root().join("etc/config/cwmpd")).unwrap();
    let seconds = loaded.acs.periodic_time.unwrap();
    assert!((0..86_400).contains(&seconds), "{seconds}");
    assert_eq!(loaded.cpe.cr_username, username);
    assert_eq!(loaded.cpe.serial.as_deref(), Some("A842A10B3C7D"));

    // A second run (opkg upgrade, or a restored script) changes nothing.
    run_uci_defaults(&sandbox, &[LABEL_MAC, LAN_MAC]);
    assert_eq!(sandbox.config(), first);

    // Another device gets other credentials.
    let other = Sandbox::new(&shipped);
    run_uci_defaults(&other, &[LABEL_MAC]);
    assert_ne!(
        option(&other.config(), "cpe", "cr_password"),
        option(&first, "cpe", "cr_password")
    );
}

#[test]
fn uci_defaults_never_replace_a_value_that_is_set() {
    let mut config = read(SHIPPED_CONFIG);
    for (from, to) in [
        (
            "option periodic_time ''",
            "option periodic_time '2026-01-01T00:00:00Z'",
        ),
        ("option cr_username ''", "option cr_username 'acs-user'"),
        ("option cr_password ''", "option cr_password 'pw'"),
        ("option oui ''", "option oui 'ABCDEF'"),
        ("option serial ''", "option serial 'SN-1'"),
    ] {
        assert!(config.contains(from));
        config = config.replacen(from, to, 1);
    }
    let sandbox = Sandbox::new(&config);
    run_uci_defaults(&sandbox, &[LABEL_MAC]);
    assert_eq!(sandbox.config(), config);
    assert!(
        !sandbox.log("uci.log").contains("set "),
        "{}",
        sandbox.log("uci.log")
    );
}

#[test]
fn uci_defaults_take_the_lan_mac_without_a_label_mac_and_nothing_without_either() {
    let shipped = read(SHIPPED_CONFIG);
    let sandbox = Sandbox::new(&shipped);
    run_uci_defaults(&sandbox, &[LAN_MAC]);
    assert_eq!(option(&sandbox.config(), "cpe", "oui"), "001122");
    assert_eq!(option(&sandbox.config(), "cpe", "serial"), "001122AABBCC");
    assert_eq!(
        sandbox.log("jsonfilter.log"),
        "-i /etc/board.json -e @.system.label_macaddr\n-i /etc/board.json -e @.network.lan.macaddr\n"
    );

    for board in [vec![], vec![("BOARD___system_label_macaddr", "not-a-mac")]] {
        let sandbox = Sandbox::new(&shipped);
        run_uci_defaults(&sandbox, &board);
        let text = sandbox.config();
        // The daemon then falls back to the board itself, or to 000000 / 000000000000.
        assert_eq!(option(&text, "cpe", "oui"), "");
        assert_eq!(option(&text, "cpe", "serial"), "");
        assert!(is_hex(&option(&text, "cpe", "cr_password"), 32));
    }
}

#[test]
fn uci_defaults_create_the_sections_of_an_emptied_config() {
    let sandbox = Sandbox::new("");
    run_uci_defaults(&sandbox, &[LABEL_MAC]);
    let text = sandbox.config();
    let file = UciFile::parse(config::PACKAGE, &text).unwrap();
    let sections: Vec<(String, Option<String>)> = file
        .sections()
        .map(|s| (s.section_type().to_string(), s.name().map(str::to_string)))
        .collect();
    assert_eq!(
        sections,
        [
            ("acs".to_string(), Some("acs".to_string())),
            ("cpe".to_string(), Some("cpe".to_string()))
        ]
    );
    let loaded = Config::load_file(&sandbox.root().join("etc/config/cwmpd")).unwrap();
    assert!(loaded.acs.periodic_time.is_some());
    assert_eq!(loaded.cpe.oui.as_deref(), Some("A842A1"));
    assert!(is_hex(&loaded.cpe.cr_password, 32));
}

// --- the iface hotplug script ---------------------------------------------------------------

/// Run the hotplug script as hotplug-call does (sourced), with the agent's control socket in
/// the sandbox; wait for what it started in the background; the stub cwmpd's calls.
fn hotplug(sandbox: &Sandbox, env: &[(&str, &str)]) -> String {
    let socket = sandbox.root().join("var/run/cwmpd/control.sock");
    let script = read("hotplug/iface/95-cwmpd");
    assert!(script.contains("/var/run/cwmpd/control.sock"));
    let script = script.replace("/var/run/cwmpd/control.sock", socket.to_str().unwrap());
    let copy = sandbox.root().join("95-cwmpd");
    fs::write(&copy, script).unwrap();
    let _ = fs::remove_file(sandbox.root().join("cwmpd.log"));
    let mut command = sandbox.shell();
    command
        .arg("-c")
        .arg("trap wait EXIT; . \"$1\"")
        .arg("sh")
        .arg(&copy)
        .envs(env.iter().copied());
    run(&mut command);
    sandbox.log("cwmpd.log")
}

/// A sandbox whose agent is running: a listening control socket.
fn with_agent(config: &str) -> (Sandbox, UnixListener) {
    let sandbox = Sandbox::new(config);
    let socket = sandbox.root().join("var/run/cwmpd/control.sock");
    fs::create_dir_all(socket.parent().unwrap()).unwrap();
    let listener = UnixListener::bind(&socket).unwrap();
    (sandbox, listener)
}

const VALUE_CHANGE: &str = "inform|4 VALUE CHANGE\n";

#[test]
fn hotplug_reports_a_new_wan_address_to_the_running_agent() {
    let (sandbox, _agent) = with_agent(&read(SHIPPED_CONFIG));
    let up = [("ACTION", "ifup"), ("INTERFACE", "wan"), ("DEVICE", "eth1")];
    assert_eq!(hotplug(&sandbox, &up), VALUE_CHANGE);
    assert!(sandbox
        .log("uci.log")
        .contains("-q get cwmpd.cpe.interface\n"));

    let new_address = [
        ("ACTION", "ifupdate"),
        ("INTERFACE", "wan"),
        ("DEVICE", "eth1"),
        ("IFUPDATE_ADDRESSES", "1"),
    ];
    assert_eq!(hotplug(&sandbox, &new_address), VALUE_CHANGE);
}

#[test]
fn hotplug_ignores_other_events_and_interfaces() {
    let (sandbox, _agent) = with_agent(&read(SHIPPED_CONFIG));
    for env in [
        // Routes or data changed, the address did not.
        vec![
            ("ACTION", "ifupdate"),
            ("INTERFACE", "wan"),
            ("DEVICE", "eth1"),
            ("IFUPDATE_ROUTES", "1"),
            ("IFUPDATE_DATA", "1"),
        ],
        vec![("ACTION", "ifdown"), ("INTERFACE", "wan")],
        vec![
            ("ACTION", "ifup"),
            ("INTERFACE", "lan"),
            ("DEVICE", "br-lan"),
        ],
        vec![
            ("ACTION", "ifup"),
            ("INTERFACE", "wan6"),
            ("DEVICE", "eth1"),
        ],
    ] {
        assert_eq!(hotplug(&sandbox, &env), "", "{env:?}");
    }
}

#[test]
fn hotplug_follows_the_configured_interface_by_logical_or_linux_name() {
    let config = shipped_config_with("option interface 'wan'", "option interface 'wwan'");
    let (sandbox, _agent) = with_agent(&config);
    let wwan = [
        ("ACTION", "ifup"),
        ("INTERFACE", "wwan"),
        ("DEVICE", "phy1-sta0"),
    ];
    assert_eq!(hotplug(&sandbox, &wwan), VALUE_CHANGE);
    let wan = [("ACTION", "ifup"), ("INTERFACE", "wan"), ("DEVICE", "eth1")];
    assert_eq!(hotplug(&sandbox, &wan), "");

    let config = shipped_config_with("option interface 'wan'", "option interface 'pppoe-wan'");
    let (sandbox, _agent) = with_agent(&config);
    let ppp = [
        ("ACTION", "ifup"),
        ("INTERFACE", "wan"),
        ("DEVICE", "pppoe-wan"),
    ];
    assert_eq!(hotplug(&sandbox, &ppp), VALUE_CHANGE);

    // No interface option at all: 'wan', as the daemon's default.
    let config = shipped_config_with("\toption interface 'wan'\n", "");
    let (sandbox, _agent) = with_agent(&config);
    let wan = [("ACTION", "ifup"), ("INTERFACE", "wan"), ("DEVICE", "eth1")];
    assert_eq!(hotplug(&sandbox, &wan), VALUE_CHANGE);
    assert_eq!(Config::default().cpe.interface, "wan");
}

#[test]
fn hotplug_does_nothing_without_a_running_agent() {
    let sandbox = Sandbox::new(&read(SHIPPED_CONFIG));
    let up = [("ACTION", "ifup"), ("INTERFACE", "wan"), ("DEVICE", "eth1")];
    assert_eq!(hotplug(&sandbox, &up), "");
    assert_eq!(sandbox.log("uci.log"), "", "not even a uci lookup");
}

// --- openwrt/Makefile -----------------------------------------------------------------------

fn cargo_version() -> String {
    let manifest = read("Cargo.toml");
    let line = manifest
        .lines()
        .find(|line| line.starts_with("version = "))
        .unwrap();
    line.trim_start_matches("version = ")
        .trim_matches('"')
        .into()
}

#[test]
fn makefile_follows_the_feeds_rust_package_conventions() {
    let makefile = read("openwrt/Makefile");
    for line in [
        "PKG_NAME:=cwmpd\n",
        &format!("PKG_VERSION:={}\n", cargo_version()),
        "PKG_BUILD_DEPENDS:=rust/host\n",
        "include ../../lang/rust/rust-package.mk\n",
        "RUST_PKG_FEATURES:=",
        "DEPENDS:=$(RUST_ARCH_DEPENDS) +ca-bundle\n",
        "$(eval $(call RustBinPackage,cwmpd))\n",
        "$(eval $(call BuildPackage,cwmpd))\n",
        "$(eval $(call BuildPackage,luci-app-cwmpd))\n",
    ] {
        assert!(makefile.contains(line), "openwrt/Makefile lacks {line:?}");
    }
    // The feed builds with panic=unwind: the crate must not ask for abort on its own.
    assert!(!read("Cargo.toml").contains("panic = \"abort\""));
}

/// `make -C openwrt` against the stand-in buildroot in tests/packaging/buildroot.
fn make(build: &Path, targets: &[&str]) -> String {
    let Some(make) = required_tool("make") else {
        return String::new();
    };
    let output = run(Command::new(make)
        .args(["-s", "--no-print-directory", "-C"])
        .arg(repo().join("openwrt"))
        .arg(format!(
            "TOPDIR={}",
            repo().join("tests/packaging/buildroot").display()
        ))
        .arg(format!("BUILD_DIR={}", build.join("build_dir").display()))
        .arg(format!("DESTROOT={}", build.join("root").display()))
        .args(targets));
    String::from_utf8(output.stdout).unwrap()
}

fn file_tree(root: &Path) -> BTreeMap<String, u32> {
    let mut tree = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                dirs.push(entry.path());
            } else {
                let path = entry
                    .path()
                    .strip_prefix(root)
                    .unwrap()
                    .display()
                    .to_string();
                tree.insert(format!("/{path}"), meta.permissions().mode() & 0o7777);
            }
        }
    }
    tree
}

/// The cwmpd package's files and their modes.
const AGENT_FILES: &[(&str, u32)] = &[
    ("/usr/sbin/cwmpd", 0o755),
    ("/etc/config/cwmpd", 0o600),
    ("/etc/init.d/cwmpd", 0o755),
    ("/etc/hotplug.d/iface/95-cwmpd", 0o644),
    ("/etc/uci-defaults/95-cwmpd", 0o644),
    ("/lib/upgrade/keep.d/cwmpd", 0o644),
];

/// Where each of them (but the binary) comes from in this checkout.
const AGENT_SOURCES: &[(&str, &str)] = &[
    ("/etc/config/cwmpd", SHIPPED_CONFIG),
    ("/etc/init.d/cwmpd", "openwrt/files/cwmpd.init"),
    ("/etc/hotplug.d/iface/95-cwmpd", "hotplug/iface/95-cwmpd"),
    ("/etc/uci-defaults/95-cwmpd", "uci-defaults/95-cwmpd"),
    ("/lib/upgrade/keep.d/cwmpd", "openwrt/files/cwmpd.keep"),
];

#[test]
fn makefile_installs_exactly_the_package_file_trees() {
    if find_in_path("make").is_none() {
        required_tool("make");
        return;
    }
    let build = tempfile::tempdir().unwrap();
    make(build.path(), &["prepare"]);
    // What `cargo install` would leave for the install section.
    let build_dir = build
        .path()
        .join(format!("build_dir/cwmpd-{}", cargo_version()));
    let binary = build_dir.join("ipkg-install/bin/cwmpd");
    fs::create_dir_all(binary.parent().unwrap()).unwrap();
    fs::write(&binary, "the cross-built agent").unwrap();
    make(build.path(), &["install-cwmpd", "install-luci-app-cwmpd"]);

    let root = build.path().join("root");
    let expected_agent: BTreeMap<String, u32> = AGENT_FILES
        .iter()
        .map(|&(path, mode)| (path.to_string(), mode))
        .collect();
    assert_eq!(file_tree(&root.join("cwmpd")), expected_agent);
    let expected_luci: BTreeMap<String, u32> = [
        ("/www/luci-static/resources/view/cwmpd.js", 0o644),
        ("/usr/share/luci/menu.d/luci-app-cwmpd.json", 0o644),
        ("/usr/share/rpcd/acl.d/luci-app-cwmpd.json", 0o644),
    ]
    .into_iter()
    .map(|(path, mode)| (path.to_string(), mode))
    .collect();
    assert_eq!(file_tree(&root.join("luci-app-cwmpd")), expected_luci);

    // Each installed file is its source, byte for byte.
    for (installed, source) in [
        ("cwmpd/etc/config/cwmpd", SHIPPED_CONFIG),
        ("cwmpd/etc/init.d/cwmpd", "openwrt/files/cwmpd.init"),
        (
            "cwmpd/etc/hotplug.d/iface/95-cwmpd",
            "hotplug/iface/95-cwmpd",
        ),
        ("cwmpd/etc/uci-defaults/95-cwmpd", "uci-defaults/95-cwmpd"),
        ("cwmpd/lib/upgrade/keep.d/cwmpd", "openwrt/files/cwmpd.keep"),
        (
            "luci-app-cwmpd/www/luci-static/resources/view/cwmpd.js",
            "openwrt/luci-app-cwmpd/htdocs/luci-static/resources/view/cwmpd.js",
        ),
        (
            "luci-app-cwmpd/usr/share/rpcd/acl.d/luci-app-cwmpd.json",
            "openwrt/luci-app-cwmpd/root/usr/share/rpcd/acl.d/luci-app-cwmpd.json",
        ),
    ] {
        assert_eq!(
            fs::read_to_string(root.join(installed)).unwrap(),
            read(source),
            "{installed}"
        );
    }
    assert_eq!(
        fs::read_to_string(root.join("cwmpd/usr/sbin/cwmpd")).unwrap(),
        "the cross-built agent"
    );
}

#[test]
fn makefile_package_metadata_makes_well_formed_control_files() {
    if find_in_path("make").is_none() {
        required_tool("make");
        return;
    }
    let build = tempfile::tempdir().unwrap();
    let version = cargo_version();
    let control = make(build.path(), &["control-cwmpd"]);
    assert_eq!(
        control,
        format!(
            "Package: cwmpd\nVersion: {version}-r1\nDepends: libc, ca-bundle\nSection: net\n\
             Architecture: target\nLicense: GPL-2.0-only\nDescription: TR-069 (CWMP) agent\n\
             Conffile: /etc/config/cwmpd\n"
        )
    );
    let control = make(build.path(), &["control-luci-app-cwmpd"]);
    assert_eq!(
        control,
        format!(
            "Package: luci-app-cwmpd\nVersion: {version}-r1\nDepends: libc, cwmpd, luci-base\n\
             Section: luci\nArchitecture: all\nLicense: GPL-2.0-only\n\
             Description: LuCI page for cwmpd (TR-069 agent)\nConffile: \n"
        )
    );
    // The LuCI package's postinst is a shell script that does nothing in an image build.
    let postinst = make(build.path(), &["postinst-luci-app-cwmpd"]);
    assert!(postinst.starts_with("#!/bin/sh\n[ -n \"${IPKG_INSTROOT}\" ] || {\n"));
    let script = build.path().join("postinst");
    fs::write(&script, &postinst).unwrap();
    run(Command::new("sh").arg("-n").arg(&script));
}

#[test]
fn keep_d_keeps_the_config_and_the_agents_state() {
    let keep = read("openwrt/files/cwmpd.keep");
    let paths: Vec<&str> = keep
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .collect();
    assert_eq!(paths, ["/etc/config/cwmpd", "/etc/cwmpd/"]);
    // /etc/cwmpd/ is where the agent keeps its state.
    let paths = cwmpd::platform::Paths::new("/");
    assert_eq!(
        paths.state_dir().join("state.json"),
        Path::new("/etc/cwmpd/state.json")
    );
}

#[test]
fn the_shipped_config_loads_with_the_daemons_defaults() {
    let config = Config::load_file(&repo().join(SHIPPED_CONFIG)).unwrap();
    assert_eq!(config, Config::default());
}

// --- the LuCI app ---------------------------------------------------------------------------

const VIEW: &str = "openwrt/luci-app-cwmpd/htdocs/luci-static/resources/view/cwmpd.js";
const ACL: &str = "openwrt/luci-app-cwmpd/root/usr/share/rpcd/acl.d/luci-app-cwmpd.json";
const MENU: &str = "openwrt/luci-app-cwmpd/root/usr/share/luci/menu.d/luci-app-cwmpd.json";
const STATUS: &str = "tests/packaging/cwmpd-status.json";
const STATUS_POLLED: &str = "tests/packaging/cwmpd-status-polled.json";

fn luci_view_report() -> Option<Value> {
    let node = required_tool("node")?;
    let output = run(Command::new(node)
        .current_dir(repo())
        .arg("tests/packaging/luci_view.js")
        .args([VIEW, STATUS, STATUS_POLLED]));
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// Every option the shipped config spells out, per section (empty ones included), plus the
/// list it only mentions in a comment. Not the `udpecho` section: that is the ACS's
/// `Device.IP.Diagnostics.UDPEchoConfig`, not a setting of the agent's page.
fn config_options() -> BTreeSet<(String, String)> {
    let mut options = BTreeSet::new();
    let mut section = String::new();
    for line in read(SHIPPED_CONFIG).lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["config", _, name, ..] => section = name.trim_matches('\'').to_string(),
            ["option", name, ..] => {
                options.insert((section.clone(), name.to_string()));
            }
            _ => {}
        }
    }
    assert!(read(SHIPPED_CONFIG).contains("# list cr_allow "));
    options.insert(("cpe".into(), config::cpe::CR_ALLOW.into()));
    options.retain(|(section, _)| section != "udpecho");
    options
}

#[test]
fn luci_view_binds_every_option_of_the_config_and_no_other() {
    let Some(report) = luci_view_report() else {
        return;
    };
    assert_eq!(report["map"]["config"], config::PACKAGE);
    let mut bound = BTreeSet::new();
    for section in report["sections"].as_array().unwrap() {
        assert_eq!(section["type"], "NamedSection");
        assert_eq!(section["name"], section["sectionType"]);
        for option in section["options"].as_array().unwrap() {
            let key = (
                section["name"].as_str().unwrap().to_string(),
                option["name"].as_str().unwrap().to_string(),
            );
            assert!(bound.insert(key.clone()), "{key:?} twice");
            let secret = key.1.ends_with("password");
            assert_eq!(option["password"], secret, "{key:?}: password field");
        }
    }
    assert_eq!(bound, config_options());
    // The daemon knows each of them.
    let known: BTreeSet<&str> = config::acs::ALL
        .iter()
        .chain(config::cpe::ALL)
        .copied()
        .collect();
    for (_, option) in &bound {
        assert!(
            known.contains(option.as_str()),
            "{option} unknown to the daemon"
        );
    }
}

#[test]
fn luci_view_shows_the_recorded_status_polls_it_and_sends_an_inform() {
    let Some(report) = luci_view_report() else {
        return;
    };
    let rows = |status: &Value| {
        let pending: Vec<&str> = status["pending_events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        let or_dash = |key: &str| match status[key].as_str() {
            None | Some("") => "-".to_string(),
            Some(text) => text.to_string(),
        };
        json!([
            ["Agent", "Running"],
            ["ACS URL", status["acs_url"]],
            ["Connection request URL", or_dash("connection_request_url")],
            ["Session", "Idle"],
            [
                "Last session",
                format!(
                    "{} → {}",
                    status["last_session_start"].as_str().unwrap(),
                    status["last_session_end"].as_str().unwrap()
                )
            ],
            [
                "Last outcome",
                format!(
                    "{}: {}",
                    status["last_outcome"].as_str().unwrap(),
                    status["last_error"].as_str().unwrap()
                )
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
            ["Next periodic inform", status["next_periodic_inform"]],
            ["Pending events", pending.join(", ")]
        ])
    };
    let recorded: Value = serde_json::from_str(&read(STATUS)).unwrap();
    let polled: Value = serde_json::from_str(&read(STATUS_POLLED)).unwrap();
    assert_eq!(report["statusRows"], rows(&recorded));
    assert_eq!(report["statusRowsAfterPoll"], rows(&polled));
    assert_eq!(report["polls"], 1);
    assert_eq!(report["pollInterval"], 5);
    assert_eq!(report["button"], "Send Inform now");
    let calls: Vec<String> = report["calls"]
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
        .collect();
    assert_eq!(calls, ["cwmpd.status", "cwmpd.status", "cwmpd.inform"]);
    assert_eq!(
        report["notifications"],
        json!([{ "kind": "info", "text": "The agent starts a session with the ACS now." }])
    );
}

#[test]
fn luci_acl_grants_exactly_what_the_view_calls() {
    let acl: Value = serde_json::from_str(&read(ACL)).unwrap();
    let expected = json!({
        "luci-app-cwmpd": {
            "description": acl["luci-app-cwmpd"]["description"],
            "read": { "ubus": { "cwmpd": ["status"] }, "uci": ["cwmpd"] },
            "write": { "ubus": { "cwmpd": ["inform"] }, "uci": ["cwmpd"] }
        }
    });
    assert_eq!(acl, expected);
    assert!(acl["luci-app-cwmpd"]["description"].is_string());

    let menu: Value = serde_json::from_str(&read(MENU)).unwrap();
    let entry = &menu["admin/services/cwmpd"];
    assert_eq!(entry["action"], json!({ "type": "view", "path": "cwmpd" }));
    assert_eq!(entry["depends"]["acl"], json!(["luci-app-cwmpd"]));
    assert_eq!(entry["depends"]["uci"], json!({ "cwmpd": true }));
    assert!(repo().join(VIEW).is_file(), "the menu's view path");

    let Some(report) = luci_view_report() else {
        return;
    };
    let declared: BTreeSet<String> = report["rpc"]
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
        .collect();
    let granted: BTreeSet<String> = ["read", "write"]
        .iter()
        .flat_map(|mode| {
            acl["luci-app-cwmpd"][mode]["ubus"]
                .as_object()
                .unwrap()
                .iter()
                .flat_map(|(object, methods)| {
                    methods
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(move |m| format!("{object}.{}", m.as_str().unwrap()))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(declared, granted);
}

// --- the .ipk (scripts/ipk.sh, `make ipk`) -----------------------------------------------------

/// One member of a tar archive, as opkg's unarchiver reads it.
struct TarEntry {
    name: String,
    mode: u32,
    uid: u64,
    gid: u64,
    kind: u8,
    data: Vec<u8>,
}

fn octal(field: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(field);
    let digits = text.trim_matches(|c: char| c == '\0' || c == ' ');
    u64::from_str_radix(digits, 8).unwrap_or_else(|e| panic!("octal {text:?}: {e}"))
}

/// The members of an uncompressed tar archive. Like opkg (libbb/unarchive.c), insists on the
/// ustar magic and a correct header checksum; no GNU long names (opkg-lede reads them, but
/// the package has no path that needs one).
fn untar(archive: &[u8]) -> Vec<TarEntry> {
    let mut entries = Vec::new();
    let mut offset = 0;
    while offset + 512 <= archive.len() {
        let header = &archive[offset..offset + 512];
        if header.iter().all(|&b| b == 0) {
            break;
        }
        assert_eq!(&header[257..262], b"ustar", "ustar magic at {offset}");
        let sum: u64 = header
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    b as u64
                }
            })
            .sum();
        assert_eq!(octal(&header[148..156]), sum, "header checksum at {offset}");
        let kind = header[156];
        assert!(
            kind == b'0' || kind == b'5',
            "only files and directories, got type {:?}",
            kind as char
        );
        assert_eq!(header[345], 0, "no ustar prefix");
        let name_end = header[..100].iter().position(|&b| b == 0).unwrap_or(100);
        let size = octal(&header[124..136]) as usize;
        let data = archive[offset + 512..offset + 512 + size].to_vec();
        entries.push(TarEntry {
            name: String::from_utf8(header[..name_end].to_vec()).unwrap(),
            mode: octal(&header[100..108]) as u32,
            uid: octal(&header[108..116]),
            gid: octal(&header[116..124]),
            kind,
            data,
        });
        offset += 512 + size.div_ceil(512) * 512;
    }
    entries
}

/// gzip -d, insisting on the gzip magic (opkg reads gzip only).
fn gunzip(compressed: &[u8]) -> Vec<u8> {
    assert_eq!(&compressed[..2], [0x1f, 0x8b], "not gzip");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("member.gz");
    fs::write(&file, compressed).unwrap();
    run(Command::new("gzip").arg("-dc").arg(&file)).stdout
}

/// The fields of a control file, checking its form: "Field: value" lines, continuation lines
/// starting with a space, no field twice, a final newline.
fn control_fields(control: &str) -> BTreeMap<String, String> {
    assert!(control.ends_with('\n'), "control ends with a newline");
    let mut fields = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in control.lines() {
        if let Some(more) = line.strip_prefix(' ') {
            let field = last.as_ref().expect("continuation line before any field");
            assert!(!more.trim().is_empty(), "empty continuation line");
            let value: &mut String = fields.get_mut(field).unwrap();
            value.push('\n');
            value.push_str(more);
            continue;
        }
        let (name, value) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("not a field: {line:?}"));
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "field name {name:?}"
        );
        assert!(
            fields.insert(name.to_string(), value.to_string()).is_none(),
            "{name} twice"
        );
        last = Some(name.to_string());
    }
    fields
}

/// ELF class, byte order and machine a binary for an opkg architecture must have.
fn elf_for(arch: &str) -> (u8, u8, u16) {
    match arch.split('_').next().unwrap() {
        "mips" => (1, 2, 8),
        "mipsel" => (1, 1, 8),
        "arm" => (1, 1, 40),
        "aarch64" => (2, 1, 183),
        other => panic!("no ELF expectation for {other}"),
    }
}

fn feed_depends() -> String {
    let control = make(tempfile::tempdir().unwrap().path(), &["control-cwmpd"]);
    control
        .lines()
        .find_map(|line| line.strip_prefix("Depends: "))
        .expect("Depends in the feed's control")
        .to_string()
}

fn feed_release() -> String {
    let makefile = read("openwrt/Makefile");
    let line = makefile
        .lines()
        .find(|line| line.starts_with("PKG_RELEASE:="))
        .unwrap();
    line.trim_start_matches("PKG_RELEASE:=").to_string()
}

/// Check an .ipk: the archive opkg reads, the feed's file tree with its modes, a well-formed
/// control file that agrees with openwrt/Makefile, the feed's maintainer scripts; returns
/// the packaged binary.
fn check_ipk(ipk: &Path, arch: &str) -> Vec<u8> {
    // OpenWrt's VERSION: PKG_VERSION-rPKG_RELEASE.
    let version = format!("{}-r{}", cargo_version(), feed_release());
    assert_eq!(
        ipk.file_name().unwrap().to_str().unwrap(),
        format!("cwmpd_{version}_{arch}.ipk")
    );
    // The outer archive: a gzip'd tar of the three members, in ipkg-build's order.
    let outer = untar(&gunzip(&fs::read(ipk).unwrap()));
    let names: Vec<&str> = outer.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["./debian-binary", "./data.tar.gz", "./control.tar.gz"]
    );
    for entry in &outer {
        assert_eq!(
            (entry.kind, entry.uid, entry.gid),
            (b'0', 0, 0),
            "{}",
            entry.name
        );
    }
    assert_eq!(outer[0].data, b"2.0\n");
    let data_tar = gunzip(&outer[1].data);
    let data = untar(&data_tar);
    let control = untar(&gunzip(&outer[2].data));

    // data.tar.gz: exactly the feed's files with their modes, the directories they need
    // (0755), all root's.
    let mut expected: BTreeMap<String, (u8, u32)> = BTreeMap::new();
    expected.insert("./".into(), (b'5', 0o755));
    for &(path, mode) in AGENT_FILES {
        expected.insert(format!(".{path}"), (b'0', mode));
        let mut dir = Path::new(path).parent().unwrap();
        while dir != Path::new("/") {
            expected.insert(format!(".{}/", dir.display()), (b'5', 0o755));
            dir = dir.parent().unwrap();
        }
    }
    let found: BTreeMap<String, (u8, u32)> = data
        .iter()
        .map(|e| (e.name.clone(), (e.kind, e.mode)))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(found.len(), data.len(), "a member twice");
    let mut files: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for entry in &data {
        assert_eq!(
            (entry.uid, entry.gid),
            (0, 0),
            "{} owned by root",
            entry.name
        );
        files.insert(&entry.name[1..], &entry.data);
    }
    for &(path, source) in AGENT_SOURCES {
        assert_eq!(files[path], read(source).as_bytes(), "{path}");
    }

    // control.tar.gz: control, conffiles and the feed's default postinst/prerm.
    let members: BTreeMap<&str, (u8, u32)> = control
        .iter()
        .map(|e| (e.name.as_str(), (e.kind, e.mode)))
        .collect();
    let expected_members: BTreeMap<&str, (u8, u32)> = [
        ("./", (b'5', 0o755)),
        ("./control", (b'0', 0o644)),
        ("./conffiles", (b'0', 0o644)),
        ("./postinst", (b'0', 0o755)),
        ("./prerm", (b'0', 0o755)),
    ]
    .into_iter()
    .collect();
    assert_eq!(members, expected_members);
    let member = |name: &str| {
        let entry = control.iter().find(|e| e.name == name).unwrap();
        assert_eq!((entry.uid, entry.gid), (0, 0));
        String::from_utf8(entry.data.clone()).unwrap()
    };
    let fields = control_fields(&member("./control"));
    let field = |name: &str| -> &str {
        fields
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in {fields:#?}"))
    };
    assert_eq!(field("Package"), "cwmpd");
    assert_eq!(field("Version"), version);
    assert_eq!(field("Depends"), feed_depends());
    assert_eq!(field("Depends"), "libc, ca-bundle");
    assert_eq!(field("Architecture"), arch);
    assert_eq!(field("Section"), "net");
    assert_eq!(field("License"), "GPL-2.0-only");
    assert_eq!(field("Installed-Size"), data_tar.len().to_string());
    assert!(field("Description").starts_with(" cwmpd lets an ACS"));
    assert!(field("Description").lines().count() > 1);
    let known = [
        "Package",
        "Version",
        "Depends",
        "SourceName",
        "License",
        "Section",
        "SourceDateEpoch",
        "Architecture",
        "Installed-Size",
        "Description",
    ];
    for name in fields.keys() {
        assert!(known.contains(&name.as_str()), "unexpected field {name}");
    }
    // Every conffile is in the package (opkg keeps a changed one on upgrade).
    assert_eq!(member("./conffiles"), "/etc/config/cwmpd\n");
    for conffile in member("./conffiles").lines() {
        assert!(files.contains_key(conffile), "{conffile}");
    }
    for (script, call) in [
        ("./postinst", "default_postinst $0 $@"),
        ("./prerm", "default_prerm $0 $@"),
    ] {
        let text = member(script);
        assert!(text.starts_with("#!/bin/sh\n"), "{script}");
        assert!(
            text.contains("\n. ${IPKG_INSTROOT}/lib/functions.sh\n"),
            "{script}"
        );
        assert!(text.ends_with(&format!("\n{call}\n")), "{script}");
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("script"), &text).unwrap();
        run(Command::new("sh").arg("-n").arg(dir.path().join("script")));
    }
    files["/usr/sbin/cwmpd"].to_vec()
}

#[test]
fn ipk_from_a_stand_in_binary_unpacks_to_the_feed_package() {
    if find_in_path("make").is_none() {
        required_tool("make");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("cwmpd");
    fs::write(&binary, "the cross-built agent").unwrap();
    for (triple, arch) in [
        ("mips-unknown-linux-musl", "mips_24kc"),
        ("armv7-unknown-linux-musleabihf", "arm_cortex-a7_neon-vfpv4"),
    ] {
        let output = run(Command::new(repo().join("scripts/ipk.sh"))
            .arg(triple)
            .env("BINARY", &binary)
            .env("IPK_DIR", dir.path().join("ipk"))
            .env("SOURCE_DATE_EPOCH", "1700000000"));
        let ipk = PathBuf::from(String::from_utf8(output.stdout).unwrap().trim());
        assert_eq!(check_ipk(&ipk, arch), b"the cross-built agent");
    }
}

/// `make ipk` runs this on the package it built (CWMPD_IPK): the same checks, and the binary
/// is an ELF executable for the package's architecture.
#[test]
fn ipk_built_by_make_ipk_unpacks_to_the_feed_package() {
    let Some(ipk) = std::env::var_os("CWMPD_IPK") else {
        eprintln!("skipping: CWMPD_IPK (set by `make ipk`) names no package");
        return;
    };
    let ipk = PathBuf::from(ipk);
    // cwmpd_VERSION_ARCH.ipk; the version has no '_', architectures do (mips_24kc).
    let name = ipk.file_name().unwrap().to_str().unwrap();
    let (_, arch) = name
        .strip_prefix("cwmpd_")
        .and_then(|rest| rest.strip_suffix(".ipk"))
        .and_then(|rest| rest.split_once('_'))
        .unwrap_or_else(|| panic!("{name} is not cwmpd_VERSION_ARCH.ipk"));
    let binary = check_ipk(&ipk, arch);
    let (class, data, machine) = elf_for(arch);
    assert_eq!(&binary[..4], b"\x7fELF");
    assert_eq!(
        (binary[4], binary[5]),
        (class, data),
        "ELF class and byte order"
    );
    let e_machine = [binary[18], binary[19]];
    let e_machine = if data == 2 {
        u16::from_be_bytes(e_machine)
    } else {
        u16::from_le_bytes(e_machine)
    };
    assert_eq!(e_machine, machine);
    let e_type = if data == 2 { binary[17] } else { binary[16] };
    assert_eq!(e_type, 2, "an executable (ET_EXEC: static, non-PIE)");
}
