//! `TestAcs`: the scripted ACS on its own thread and tokio runtime, with blocking and async
//! ways to wait for what the CPE does.
//!
//! The ACS never runs on the test's runtime, so it works the same from a plain `#[test]`,
//! a current-thread `#[tokio::test]` or a multi-thread one. The blocking `wait_*` helpers
//! park the calling thread: fine while the CPE is another process or thread; when the fake
//! CPE is a task on the test's own current-thread runtime, use the `*_async` variants.

use super::config::{AcsConfig, Auth, Rule, SessionScript};
use super::engine::{Endpoints, Engine};
use super::log::{AcsLog, Outcome, Record, Session};
use super::server::{self, Listener, Shared};
use super::tls::{TlsFiles, TlsMaterial};
use super::transcript;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio_rustls::TlsAcceptor;

/// The path of `TestAcs::url()`.
pub const ACS_PATH: &str = "/acs";

pub struct TestAcs {
    shared: Arc<Shared>,
    dir: tempfile::TempDir,
    tls: Option<TlsMaterial>,
    port: u16,
    alt_port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// A wait that ran out of time; its Debug output is the readable transcript.
pub struct WaitTimeout {
    pub what: String,
    pub waited: Duration,
    pub transcript: String,
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "timed out after {:?} waiting for {}\n--- ACS transcript ---\n{}",
            self.waited, self.what, self.transcript
        )
    }
}

impl fmt::Debug for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for WaitTimeout {}

fn bind_loopback() -> std::net::TcpListener {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    listener
}

impl TestAcs {
    /// Starts the ACS on 127.0.0.1 (two ephemeral ports: `url()` and `alt_url()`).
    pub fn start(config: AcsConfig) -> TestAcs {
        let dir = tempfile::Builder::new()
            .prefix("cwmpd-test-acs-")
            .tempdir()
            .expect("temporary directory");
        let tls = config
            .tls
            .as_ref()
            .map(|options| TlsMaterial::generate(options, dir.path()));
        let (main, alt) = (bind_loopback(), bind_loopback());
        let port = main.local_addr().expect("local address").port();
        let alt_port = alt.local_addr().expect("local address").port();
        let endpoints = Endpoints {
            scheme: if tls.is_some() { "https" } else { "http" },
            port,
            alt_port,
        };
        let shared = Arc::new(Shared::new(Engine::new(config, endpoints)));
        let acceptor = tls
            .as_ref()
            .map(|t| TlsAcceptor::from(t.server_config.clone()));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let thread = spawn_runtime(shared.clone(), acceptor, [main, alt], stopped);
        TestAcs {
            shared,
            dir,
            tls,
            port,
            alt_port,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// `http://127.0.0.1:PORT/acs` (https with TLS): the URL to configure in the CPE.
    pub fn url(&self) -> String {
        format!("{}://127.0.0.1:{}{ACS_PATH}", self.scheme(), self.port)
    }

    /// The same ACS on its second port (redirect target).
    pub fn alt_url(&self) -> String {
        format!("{}://127.0.0.1:{}{ACS_PATH}", self.scheme(), self.alt_port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Time since the ACS started: the clock of the transcript's timestamps.
    pub fn elapsed(&self) -> Duration {
        self.shared.started.elapsed()
    }

    pub fn alt_port(&self) -> u16 {
        self.alt_port
    }

    /// The ACS's temporary directory (certificates, dumped bodies); removed on drop.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The PEM files, when TLS is on.
    pub fn tls_files(&self) -> Option<&TlsFiles> {
        self.tls.as_ref().map(|t| &t.files)
    }

    /// The CA certificate file (the agent's `ca_file`), when TLS is on.
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.tls_files().map(|f| f.ca_cert.clone())
    }

    pub fn ca_pem(&self) -> Option<String> {
        self.tls.as_ref().map(|t| t.ca_pem.clone())
    }

    /// A rustls client config trusting this ACS's CA, for fake CPEs.
    pub fn tls_client_config(&self, with_client_cert: bool) -> Option<rustls::ClientConfig> {
        self.tls.as_ref().map(|t| t.client_config(with_client_cert))
    }

    // ---- changing the script while running ----

    /// Appends the script of the next not-yet-scripted session.
    pub fn add_session_script(&self, script: impl Into<SessionScript>) {
        let script = script.into();
        self.shared.update(|e| e.config.scripts.push(script));
    }

    /// Sets the script of session `number` (1-based), if that session has not started yet.
    pub fn set_session_script(&self, number: usize, script: impl Into<SessionScript>) {
        let script = script.into();
        self.shared.update(|e| {
            let scripts = &mut e.config.scripts;
            if scripts.len() < number {
                scripts.resize(number, SessionScript::default());
            }
            scripts[number - 1] = script;
        });
    }

    pub fn add_rule(&self, rule: Rule) {
        self.shared.update(|e| e.config.rules.push(rule));
    }

    pub fn clear_rules(&self) {
        self.shared.update(|e| e.config.rules.clear());
    }

    pub fn set_auth(&self, auth: Auth) {
        self.shared.update(|e| e.config.auth = auth);
    }

    // ---- what happened ----

    /// A copy of everything recorded so far.
    pub fn log(&self) -> AcsLog {
        self.shared.lock().log.clone()
    }

    pub fn records(&self) -> Vec<Record> {
        self.shared.lock().log.records.clone()
    }

    pub fn sessions(&self) -> Vec<Session> {
        self.shared.lock().log.sessions.clone()
    }

    /// Session `number` (1-based); panics with the transcript if it has not started.
    pub fn session(&self, number: usize) -> Session {
        let found = self.shared.lock().log.sessions.get(number - 1).cloned();
        found.unwrap_or_else(|| panic!("no session {number}\n{}", self.transcript()))
    }

    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().log.violations.clone()
    }

    /// Panics (with the transcript) if the CPE broke a protocol rule the ACS checks.
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "CPE protocol violations:\n  {}\n--- ACS transcript ---\n{}",
            violations.join("\n  "),
            self.transcript()
        );
    }

    pub fn tls_errors(&self) -> Vec<String> {
        self.shared.lock().log.tls_errors.clone()
    }

    pub fn connections(&self) -> u64 {
        self.shared.lock().log.connections
    }

    /// The conversation so far, a few lines per message.
    pub fn transcript(&self) -> String {
        transcript::render(&self.shared.lock().log)
    }

    pub fn print_transcript(&self) {
        println!("{}", self.transcript());
    }

    /// Writes every non-empty body the CPE sent to `dir` as `NNN-Method.xml`; returns the files.
    pub fn write_cpe_bodies(&self, dir: &Path) -> Vec<PathBuf> {
        std::fs::create_dir_all(dir).expect("create body directory");
        self.records()
            .iter()
            .filter(|r| !r.body.trim().is_empty())
            .map(|r| {
                let method = r.cpe_method();
                let name = if method.is_empty() {
                    "unparsed"
                } else {
                    method
                };
                let path = dir.join(format!("{:03}-{name}.xml", r.seq));
                std::fs::write(&path, &r.body).expect("write CPE body");
                path
            })
            .collect()
    }

    /// Writes the CPE's bodies and validates them with `../shared/bbf/validate-cwmp.sh`.
    pub fn validate_cpe_bodies(&self) -> Result<usize, String> {
        let files = self.write_cpe_bodies(&self.dir().join("cpe-bodies"));
        super::validate::validate_with_bbf_schema(&files)?;
        Ok(files.len())
    }

    // ---- blocking waits ----

    /// Blocks until `check` returns Some (re-checked on every change), or times out.
    pub fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&AcsLog) -> Option<T>,
    ) -> Result<T, WaitTimeout> {
        let deadline = Instant::now() + timeout;
        let mut engine = self.shared.lock();
        loop {
            if let Some(found) = check(&engine.log) {
                return Ok(found);
            }
            let now = Instant::now();
            if now >= deadline {
                drop(engine);
                return Err(self.timed_out(what, timeout));
            }
            engine = self
                .shared
                .condvar()
                .wait_timeout(engine, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// Waits until `n` sessions have completed (204 sent); returns all sessions.
    pub fn wait_sessions(&self, n: usize, timeout: Duration) -> Result<Vec<Session>, WaitTimeout> {
        self.wait_until(
            &format!("{n} completed session(s)"),
            timeout,
            sessions_completed(n),
        )
    }

    /// Waits until session `number` has completed.
    pub fn wait_session(&self, number: usize, timeout: Duration) -> Result<Session, WaitTimeout> {
        self.wait_until(
            &format!("session {number} to complete"),
            timeout,
            session_completed(number),
        )
    }

    /// Waits for a completed session whose Inform carries `code` (past sessions count).
    pub fn wait_for_inform_with_event(
        &self,
        code: &str,
        timeout: Duration,
    ) -> Result<Session, WaitTimeout> {
        self.wait_until(
            &format!("a completed session with event {code:?}"),
            timeout,
            session_with_event(code),
        )
    }

    /// Waits until at least `n` HTTP requests have been served.
    pub fn wait_requests(&self, n: usize, timeout: Duration) -> Result<Vec<Record>, WaitTimeout> {
        self.wait_until(&format!("{n} request(s)"), timeout, requests_received(n))
    }

    // ---- async waits (for a fake CPE on the test's own runtime) ----

    pub async fn wait_until_async<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&AcsLog) -> Option<T>,
    ) -> Result<T, WaitTimeout> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.shared.subscribe();
        loop {
            changes.borrow_and_update();
            if let Some(found) = check(&self.shared.lock().log) {
                return Ok(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return Err(self.timed_out(what, timeout)),
            }
        }
    }

    pub async fn wait_sessions_async(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Session>, WaitTimeout> {
        self.wait_until_async(
            &format!("{n} completed session(s)"),
            timeout,
            sessions_completed(n),
        )
        .await
    }

    pub async fn wait_for_inform_with_event_async(
        &self,
        code: &str,
        timeout: Duration,
    ) -> Result<Session, WaitTimeout> {
        let what = format!("a completed session with event {code:?}");
        self.wait_until_async(&what, timeout, session_with_event(code))
            .await
    }

    fn timed_out(&self, what: &str, waited: Duration) -> WaitTimeout {
        WaitTimeout {
            what: what.to_string(),
            waited,
            transcript: self.transcript(),
        }
    }
}

fn sessions_completed(n: usize) -> impl FnMut(&AcsLog) -> Option<Vec<Session>> {
    move |log| (log.completed_sessions().len() >= n).then(|| log.sessions.clone())
}

fn session_completed(number: usize) -> impl FnMut(&AcsLog) -> Option<Session> {
    move |log| {
        log.sessions
            .get(number - 1)
            .filter(|s| s.outcome == Outcome::Completed)
            .cloned()
    }
}

fn session_with_event(code: &str) -> impl FnMut(&AcsLog) -> Option<Session> + '_ {
    move |log| {
        log.sessions
            .iter()
            .find(|s| s.outcome == Outcome::Completed && s.has_event(code))
            .cloned()
    }
}

fn requests_received(n: usize) -> impl FnMut(&AcsLog) -> Option<Vec<Record>> {
    move |log| (log.records.len() >= n).then(|| log.records.clone())
}

fn spawn_runtime(
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    listeners: [std::net::TcpListener; 2],
    stopped: tokio::sync::oneshot::Receiver<()>,
) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("test-acs".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("ACS runtime");
            runtime.block_on(async move {
                for listener in listeners {
                    let port = listener.local_addr().expect("local address").port();
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let ctx = Listener {
                        shared: shared.clone(),
                        tls: tls.clone(),
                        port,
                    };
                    tokio::spawn(server::accept_loop(listener, ctx));
                }
                let _ = stopped.await;
            });
        })
        .expect("spawn ACS thread")
}

impl Drop for TestAcs {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- ACS transcript (test failed) ---\n{}",
                self.transcript()
            );
            let violations = self.violations();
            if !violations.is_empty() {
                eprintln!(
                    "--- CPE protocol violations ---\n  {}",
                    violations.join("\n  ")
                );
            }
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
