//! The walkthrough behind `make demo` (examples/demo.rs), also run by tests/demo.rs: the real
//! `cwmpd` in a sandbox root against the scripted ACS, the conversation printed as it happens.
//!
//! 1. boot: the bootstrap session (GetParameterNames, GetParameterValues, SetParameterValues);
//! 2. a connection request with Digest to the URL the agent reported, and the session it opens;
//! 3. the operator's view: `cwmpd get`, `cwmpd status`, the rewritten `/etc/config/cwmpd`;
//! 4. SIGTERM, and a look at the agent's log for warnings.
//!
//! Any failure comes back as an `Err` that carries the ACS transcript and the agent's logs.

use super::cpe::{cwmpd_binary, KEEP_ROOT_VAR};
use super::cr::{connection_request_with, CrRequest};
use super::digest::DigestAlgorithm;
use super::log::{AcsLog, Outcome};
use super::soap::AcsRpc;
use super::transcript;
use super::{AcsConfig, CpeProcess, SessionScript, TestAcs};
use std::fmt::Display;
use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

pub const CR_USERNAME: &str = "demo-acs";
pub const CR_PASSWORD: &str = "demo-secret";
/// The ParameterKey the bootstrap session's SetParameterValues carries.
pub const PARAMETER_KEY: &str = "demo-1";
const INTERVAL: &str = "Device.ManagementServer.PeriodicInformInterval";
const KEY: &str = "Device.ManagementServer.ParameterKey";
const CR_URL: &str = "Device.ManagementServer.ConnectionRequestURL";
/// The longest wait for any one step; the whole walkthrough takes well under a second.
const STEP_TIMEOUT: Duration = Duration::from_secs(15);

/// Runs the walkthrough, writing it to `out` line by line.
pub fn run(out: &mut dyn Write) -> Result<(), String> {
    let binary = cwmpd_binary();
    if !binary.is_file() {
        return Err(format!(
            "{} not found: build it first (`cargo build --bin cwmpd`; `make demo` does)",
            binary.display()
        ));
    }
    let acs = TestAcs::start(
        AcsConfig::new()
            .session(vec![
                AcsRpc::gpn("Device.", true),
                AcsRpc::gpv(&["Device.DeviceInfo.", "Device.ManagementServer."]),
                AcsRpc::spv(&[(INTERVAL, "3600", "xsd:unsignedInt")], PARAMETER_KEY),
            ])
            .session(vec![AcsRpc::gpv(&[INTERVAL, KEY])])
            .default_script(SessionScript::new()),
    );
    let cr_port = free_port().map_err(|e| format!("no free port for the agent: {e}"))?;
    let uci = format!(
        "config acs 'acs'\n\toption url '{}'\n\toption periodic_enable '0'\n\n\
         config cpe 'cpe'\n\toption interface 'lo'\n\toption cr_port '{cr_port}'\n\
         \toption cr_path 'cr'\n\toption cr_username '{CR_USERNAME}'\n\
         \toption cr_password '{CR_PASSWORD}'\n",
        acs.url()
    );
    let mut cpe = CpeProcess::new(&uci);
    // The random boot delay (up to 5 s) and any retry waits, scaled down to 1/100.
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    let mut demo = Demo {
        out,
        acs,
        cpe,
        printed: 0,
        original_uci: uci,
    };
    let result = demo.walk_through();
    if demo.cpe.is_running() {
        demo.cpe.kill();
    }
    result.map_err(|error| demo.failure(&error))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

struct Demo<'a> {
    out: &'a mut dyn Write,
    acs: TestAcs,
    cpe: CpeProcess,
    /// How many ACS records have been printed.
    printed: usize,
    original_uci: String,
}

impl Demo<'_> {
    fn line(&mut self, text: impl Display) -> Result<(), String> {
        writeln!(self.out, "{text}")
            .and_then(|()| self.out.flush())
            .map_err(|e| format!("writing the demo output: {e}"))
    }

    fn heading(&mut self, text: &str) -> Result<(), String> {
        self.line(format_args!("\n== {text} =="))
    }

    fn walk_through(&mut self) -> Result<(), String> {
        self.line("cwmpd demo: the real agent in a sandbox root, a scripted test ACS on loopback")?;
        let root = self.cpe.root().display().to_string();
        let kept = if std::env::var_os(KEEP_ROOT_VAR).is_some() {
            "kept at exit"
        } else {
            "removed at exit; set CWMPD_KEEP_TEST_ROOT=1 to keep it"
        };
        self.line(format_args!("  agent  {}", cwmpd_binary().display()))?;
        self.line(format_args!("  ROOT   {root}  (the router's /; {kept})"))?;
        self.line(format_args!("  ACS    {}", self.acs.url()))?;
        self.line(format_args!(
            "  logs   $ROOT/cwmpd.stderr.log  (cwmpd --root $ROOT --foreground --log-level debug)"
        ))?;

        self.heading("1. Boot: the bootstrap session")?;
        self.line("(a first contact with this ACS: the ACS reads the data model and sets the periodic interval)")?;
        self.cpe.spawn();
        self.follow("session 1 to complete", |log| session_done(log, 1))?;
        let first = self.acs.session(1);
        let cr_url = first
            .inform_value(CR_URL)
            .filter(|url| !url.is_empty())
            .ok_or("the Inform carries no ConnectionRequestURL")?;
        let set = first.exchanges.get(2).and_then(|e| e.response.as_ref());
        if set.and_then(|r| r.status()) != Some(0) {
            return Err("SetParameterValues did not answer Status 0".into());
        }

        self.heading("2. The ACS sends a connection request")?;
        self.line(
            "(to the ConnectionRequestURL from the Inform; the agent answers, then calls the ACS)",
        )?;
        self.connection_request(&cr_url)?;
        self.follow("session 2 to complete", |log| session_done(log, 2))?;
        let second = self.acs.session(2);
        if !second.has_event("6 CONNECTION REQUEST") {
            return Err(format!(
                "session 2 has events {:?}, not 6 CONNECTION REQUEST",
                second.event_codes()
            ));
        }
        let values = second.response(0);
        if values.value_of(INTERVAL).as_deref() != Some("3600")
            || values.value_of(KEY).as_deref() != Some(PARAMETER_KEY)
        {
            return Err("session 2 did not read back what session 1 set".into());
        }
        let violations = self.acs.violations();
        if !violations.is_empty() {
            return Err(format!(
                "protocol violations:\n  {}",
                violations.join("\n  ")
            ));
        }

        self.heading("3. The operator's view on the router")?;
        self.cli(&["get", INTERVAL, KEY])?;
        self.cli(&["status"])?;
        self.uci_changes()?;

        self.heading("4. Stop")?;
        self.stop()
    }

    /// Prints ACS records as they arrive until `done` holds.
    fn follow(&mut self, what: &str, done: fn(&AcsLog) -> bool) -> Result<(), String> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let printed = self.printed;
            let found = self
                .acs
                .wait_until(what, Duration::from_millis(200), |log| {
                    let finished = done(log);
                    (finished || log.records.len() > printed)
                        .then(|| (log.records[printed..].to_vec(), finished))
                })
                .ok();
            if let Some((records, finished)) = found {
                for record in &records {
                    for line in transcript::record_lines(record) {
                        self.line(line)?;
                    }
                }
                self.printed += records.len();
                if finished {
                    return Ok(());
                }
            } else if !self.cpe.is_running() {
                let status = self.cpe.wait_exit(Duration::ZERO);
                let status = status.map_or("unknown status".into(), |s| s.to_string());
                return Err(format!("cwmpd exited ({status}) while waiting for {what}"));
            } else if Instant::now() >= deadline {
                return Err(format!(
                    "timed out after {STEP_TIMEOUT:?} waiting for {what}"
                ));
            }
        }
    }

    /// GET the ConnectionRequestURL, answer the Digest challenge, GET again.
    fn connection_request(&mut self, url: &str) -> Result<(), String> {
        let at = format!("{:>8.3}s cr ", self.acs.elapsed().as_secs_f64());
        let blank = " ".repeat(at.chars().count());
        self.line(format_args!("{at} ACS → CPE  GET {url}"))?;
        let request = CrRequest::new(url, CR_USERNAME, CR_PASSWORD, DigestAlgorithm::Md5);
        let outcome = connection_request_with(&request)
            .map_err(|e| format!("connection request to {url}: {e}"))?;
        let (Some(401), Some(challenge)) = (outcome.first_status, &outcome.challenge) else {
            return Err(format!(
                "the connection request was not challenged: {outcome:?}"
            ));
        };
        self.line(format_args!(
            "{blank} CPE → ACS  401 Unauthorized  [Digest realm=\"{}\" qop={} algorithm={}]",
            challenge.realm,
            challenge.qop.join(","),
            challenge.algorithm
        ))?;
        self.line(format_args!(
            "{blank} ACS → CPE  GET {url}  [Authorization: Digest username=\"{CR_USERNAME}\" …]"
        ))?;
        self.line(format_args!(
            "{blank} CPE → ACS  {} {}",
            outcome.status,
            super::http::reason(outcome.status)
        ))?;
        if outcome.status != 200 {
            return Err(format!(
                "the connection request was refused: {}",
                outcome.status
            ));
        }
        Ok(())
    }

    /// `$ cwmpd --root $ROOT ARGS…` and its output, indented.
    fn cli(&mut self, args: &[&str]) -> Result<(), String> {
        self.line(format_args!("$ cwmpd --root $ROOT {}", args.join(" ")))?;
        let output = self.cpe.cli(args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        for line in stdout.lines() {
            self.line(format_args!("  {line}"))?;
        }
        if !output.status.success() {
            return Err(format!(
                "cwmpd {} failed ({}): {}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(())
    }

    /// The UCI file as the agent rewrote it, changed lines marked `+` / `-`.
    fn uci_changes(&mut self) -> Result<(), String> {
        let now = self
            .cpe
            .read_file("/etc/config/cwmpd")
            .ok_or("/etc/config/cwmpd is gone")?;
        let original = self.original_uci.clone();
        let before: Vec<&str> = original.lines().collect();
        let after: Vec<&str> = now.lines().collect();
        let diff = line_diff(&before, &after);
        if diff.iter().all(|(mark, _)| *mark == ' ') {
            return Err("the agent did not rewrite /etc/config/cwmpd".into());
        }
        self.line("$ cat $ROOT/etc/config/cwmpd    (+/-: what the agent changed)")?;
        for (mark, line) in diff {
            let line = format!("{mark} {}", line.replace('\t', "    "));
            self.line(line.trim_end())?;
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<(), String> {
        let pid = self.cpe.pid().unwrap_or(0);
        let status = self
            .cpe
            .terminate(Duration::from_secs(10))
            .ok_or("cwmpd did not exit within 10 s of SIGTERM")?;
        self.line(format_args!(
            "SIGTERM to pid {pid}: cwmpd exited ({status})"
        ))?;
        if !status.success() {
            return Err(format!("cwmpd exited with {status}"));
        }
        let log = self.cpe.stderr();
        let complaints: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
            .collect();
        if complaints.is_empty() {
            self.line("its log ($ROOT/cwmpd.stderr.log) has no warnings or errors")
        } else {
            self.line("its log ($ROOT/cwmpd.stderr.log) has warnings or errors:")?;
            for line in complaints {
                self.line(format_args!("  {line}"))?;
            }
            Ok(())
        }
    }

    /// The error, the ACS transcript and the agent's logs.
    fn failure(&self, error: &str) -> String {
        format!(
            "{error}\n--- ACS transcript ---\n{}\n--- cwmpd stdout ({}) ---\n{}\n--- cwmpd stderr ---\n{}",
            self.acs.transcript(),
            self.cpe.root().display(),
            self.cpe.stdout(),
            self.cpe.stderr()
        )
    }
}

fn session_done(log: &AcsLog, number: usize) -> bool {
    log.sessions
        .get(number - 1)
        .is_some_and(|s| s.outcome == Outcome::Completed)
}

/// A longest-common-subsequence line diff: (' ' | '-' | '+', line).
fn line_diff<'a>(before: &[&'a str], after: &[&'a str]) -> Vec<(char, &'a str)> {
    let (n, m) = (before.len(), after.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if before[i] == after[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut diff) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && before[i] == after[j] {
            diff.push((' ', before[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            diff.push(('+', after[j]));
            j += 1;
        } else {
            diff.push(('-', before[i]));
            i += 1;
        }
    }
    diff
}
