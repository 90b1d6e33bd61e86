//! `CpeProcess`: the real `cwmpd` binary running on a sandbox root, for end-to-end tests.
//!
//! CLI contract: `cwmpd [--root DIR] [--config FILE] [--foreground] [--log-level LEVEL]`,
//! subcommands `get PATH…`, `set PATH=VALUE…`, `inform [EVENT]`, `status`. The sandbox
//! platform records system actions in `DIR/var/log/cwmpd/actions.jsonl`; a "reboot" makes
//! the agent exit, and the test restarts it on the same root.

use super::fixtures;
use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

const STDOUT_LOG: &str = "cwmpd.stdout.log";
const STDERR_LOG: &str = "cwmpd.stderr.log";
/// Set this variable to keep sandbox roots after the test (their paths are printed).
pub const KEEP_ROOT_VAR: &str = "CWMPD_KEEP_TEST_ROOT";

pub struct CpeProcess {
    root: tempfile::TempDir,
    child: Option<Child>,
    runs: u32,
    /// Extra arguments for every start (after `--root DIR --foreground --log-level debug`).
    pub extra_args: Vec<String>,
    /// Extra environment for every start, e.g. `CWMPD_TIME_SCALE` (tests run in threads of
    /// one process, so the process environment is not theirs to change).
    pub env: Vec<(String, String)>,
}

/// The `cwmpd` binary cargo built for this test (or, from an example, the one beside it).
pub fn cwmpd_binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_cwmpd") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current executable");
    let profile_dir = exe
        .parent()
        .and_then(|dir| {
            if dir.ends_with("examples") {
                dir.parent()
            } else {
                Some(dir)
            }
        })
        .expect("target directory");
    profile_dir.join("cwmpd")
}

impl CpeProcess {
    /// A sandbox root with `/etc/config/cwmpd` = `cwmpd_uci` and the Archer C7 fixtures;
    /// nothing is started yet (add files with `write_file`, then `spawn`).
    pub fn new(cwmpd_uci: &str) -> CpeProcess {
        let root = tempfile::Builder::new()
            .prefix("cwmpd-root-")
            .tempdir()
            .expect("sandbox root");
        let process = CpeProcess {
            root,
            child: None,
            runs: 0,
            extra_args: Vec::new(),
            env: Vec::new(),
        };
        for (path, contents) in fixtures::ROOT_FILES {
            process.write_file(path, contents);
        }
        process.write_file("/etc/config/cwmpd", cwmpd_uci);
        for dir in ["/tmp", "/var/run", "/var/log", "/etc/cwmpd"] {
            fs::create_dir_all(process.path(dir)).expect("sandbox directory");
        }
        process
    }

    /// `new` + `spawn`.
    pub fn start(cwmpd_uci: &str) -> CpeProcess {
        let mut process = CpeProcess::new(cwmpd_uci);
        process.spawn();
        process
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// A router path (`/etc/config/cwmpd`) inside the sandbox root.
    pub fn path(&self, system_path: &str) -> PathBuf {
        self.root().join(system_path.trim_start_matches('/'))
    }

    pub fn write_file(&self, system_path: &str, contents: &str) {
        let path = self.path(system_path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("parent directory");
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    pub fn read_file(&self, system_path: &str) -> Option<String> {
        fs::read_to_string(self.path(system_path)).ok()
    }

    fn log_file(&self, name: &str, run: u32) -> File {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.root().join(name))
            .expect("log file");
        writeln!(file, "===== cwmpd run {run} =====").expect("log file");
        file
    }

    /// Starts `cwmpd --root DIR --foreground --log-level debug` (stdout and stderr appended
    /// to files in the root). Panics if it is already running.
    pub fn spawn(&mut self) {
        assert!(!self.is_running(), "cwmpd is already running");
        self.runs += 1;
        let child = Command::new(cwmpd_binary())
            .arg("--root")
            .arg(self.root())
            .args(["--foreground", "--log-level", "debug"])
            .args(&self.extra_args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(self.log_file(STDOUT_LOG, self.runs))
            .stderr(self.log_file(STDERR_LOG, self.runs))
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", cwmpd_binary().display()));
        self.child = Some(child);
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// How many times the agent was started on this root.
    pub fn runs(&self) -> u32 {
        self.runs
    }

    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    fn signal(&self, signal: Signal) {
        if let Some(pid) = self.pid() {
            let _ = signal::kill(Pid::from_raw(pid as i32), signal);
        }
    }

    /// Waits for the agent to exit by itself (e.g. after a sandbox reboot).
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        let child = self.child.as_mut()?;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then waits up to `timeout`; None if it is still running (then it is left be).
    pub fn terminate(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.signal(Signal::SIGTERM);
        self.wait_exit(timeout)
    }

    /// SIGKILL (a power cut), and reaps the process.
    pub fn kill(&mut self) -> Option<ExitStatus> {
        self.signal(Signal::SIGKILL);
        self.child.as_mut().and_then(|c| c.wait().ok())
    }

    /// Stops the agent if it runs (SIGTERM, SIGKILL after 10 s) and starts it again on the
    /// same root.
    pub fn restart(&mut self) {
        if self.is_running() && self.terminate(Duration::from_secs(10)).is_none() {
            self.kill();
        }
        self.spawn();
    }

    /// Runs a one-shot subcommand: `cwmpd --root DIR ARGS…` (e.g. `["get", "Device.DeviceInfo."]`).
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(cwmpd_binary())
            .arg("--root")
            .arg(self.root())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run cwmpd subcommand")
    }

    /// The system actions the sandbox platform recorded, one JSON object each.
    pub fn actions(&self) -> Vec<serde_json::Value> {
        let Some(text) = self.read_file("/var/log/cwmpd/actions.jsonl") else {
            return Vec::new();
        };
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("bad action line {line:?}: {e}"))
            })
            .collect()
    }

    /// Waits until an action with `"action": name` is recorded.
    pub fn wait_for_action(&self, name: &str, timeout: Duration) -> Option<serde_json::Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.actions().into_iter().find(|a| a["action"] == name);
            if found.is_some() || Instant::now() >= deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the agent wrote to stdout, all runs.
    pub fn stdout(&self) -> String {
        fs::read_to_string(self.root().join(STDOUT_LOG)).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        fs::read_to_string(self.root().join(STDERR_LOG)).unwrap_or_default()
    }

    /// Prints the agent's output to stderr (done automatically when a test panics).
    pub fn dump_logs(&self) {
        eprintln!(
            "--- cwmpd stdout ({}) ---\n{}",
            self.root().display(),
            self.stdout()
        );
        eprintln!("--- cwmpd stderr ---\n{}", self.stderr());
    }
}

impl Drop for CpeProcess {
    fn drop(&mut self) {
        if self.is_running() {
            self.kill();
        }
        if std::thread::panicking() {
            self.dump_logs();
        }
        if std::env::var_os(KEEP_ROOT_VAR).is_some() {
            self.root.disable_cleanup(true);
            eprintln!("kept sandbox root {}", self.root().display());
        }
    }
}
