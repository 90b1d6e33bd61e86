//! The agent: configuration, persistent state, the event queue, the data model and the
//! schedule of sessions. The daemon loop owns one; `cwmpd get|set` without a daemon opens one
//! on the root directly.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use log::{info, warn};
use serde::Serialize;

use super::live::LiveHub;
use super::model::Model;
use super::state::{AgentState, RequestedDownload};
use super::{cr_url, random};
use crate::cli::Args;
use crate::config::Config;
use crate::cwmp::event::{self, EventQueue};
use crate::cwmp::fault::{Fault, FaultCode};
use crate::cwmp::retry;
use crate::cwmp::rpc::{AcsRequest, CpeRequest, CpeResponse, Inform};
use crate::cwmp::session::{Failure, Outcome};
use crate::cwmp::types::{format_datetime, ArgStruct, EventStruct};
use crate::net::acs_client::AcsSettings;
use crate::net::cr_server::CrSettings;
use crate::net::tls::TlsFiles;
use crate::platform::{self, Action, Paths, Platform};
use crate::store::JsonFile;
use crate::transfer::Transfers;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr};

mod diagnostics;
mod transfers;
mod udp_echo;
pub use transfers::unix_now_ms;

/// Seconds since the Unix epoch, from the wall clock.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Test-only time scale (`CWMPD_TIME_SCALE=0.01` makes a 10 s retry wait 100 ms) so
/// integration tests can check the back-off windows without waiting minutes.
pub fn time_scale() -> f64 {
    std::env::var("CWMPD_TIME_SCALE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| *v > 0.0 && *v <= 1.0)
        .unwrap_or(1.0)
}

/// The longest random wait before the first session after boot (seconds), so a fleet that
/// powers up together does not hit the ACS in the same second.
const BOOT_DELAY_MAX_SECS: f64 = 5.0;

/// What `cwmpd status` shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    pub acs_url: String,
    pub connection_request_url: String,
    pub session_in_progress: bool,
    pub last_session_start: Option<String>,
    pub last_session_end: Option<String>,
    pub last_outcome: Option<String>,
    pub last_error: Option<String>,
    pub sessions_completed: u64,
    pub sessions_failed: u64,
    pub retry_count: u32,
    pub next_session_in_secs: Option<f64>,
    pub next_periodic_inform: Option<String>,
    pub pending_events: Vec<String>,
    pub pending_transfers: Vec<String>,
}

pub struct Agent {
    pub paths: Paths,
    platform: Box<dyn Platform>,
    config_file: PathBuf,
    pub config: Config,
    state: JsonFile<AgentState>,
    events: EventQueue,
    pub model: Model,
    pub status: Status,
    /// Set while a session runs.
    pub session_open: bool,
    /// A connection request arrived during the open session and the ACS has sent no request
    /// since: if the session ends like that, the ACS may have ended it before it knew of the
    /// request (it sent 204, then the request), so a new session follows.
    pub connection_request_waiting: bool,
    started_unix: i64,
    /// Monotonic time before which no session starts (boot delay, retry back-off).
    not_before: tokio::time::Instant,
    /// A failed session must be retried even when no events are pending (§3.2.1.1).
    retry_pending: bool,
    next_periodic: Option<i64>,
    /// System actions to take once the session is over (Reboot, FactoryReset, reload).
    pub after_session: Vec<Action>,
    /// Live settings of the connection-request listener (credentials change with SPV).
    pub cr_settings_tx: Option<tokio::sync::watch::Sender<CrSettings>>,
    /// Download / Upload / ScheduleDownload queue (`/etc/cwmpd/transfers.json`).
    transfers: Transfers,
    /// Wakes the daemon loop when something happened off the loop (a transfer ended).
    pub wake: Option<tokio::sync::mpsc::Sender<()>>,
    /// Diagnostics requested by the ACS and the one running.
    diagnostics: diagnostics::DiagnosticsRuns,
    /// The snapshot of the running router: its sources and age (`daemon/live.rs`).
    pub live: LiveHub,
    /// Live settings of the UDPEchoConfig server.
    udp_echo_tx:
        Option<tokio::sync::watch::Sender<crate::diagnostics::udp_echo_config::EchoServerSettings>>,
}

impl Agent {
    pub fn open(args: &Args) -> Result<Agent, String> {
        let paths = Paths::new(&args.root);
        let config_file = args
            .config
            .clone()
            .unwrap_or_else(|| paths.uci_config_dir().join("cwmpd"));
        let config = Config::load_file(&config_file).map_err(|e| e.to_string())?;
        let state_file = paths.state_dir().join("state.json");
        let state = JsonFile::<AgentState>::open(&state_file)
            .map_err(|e| format!("{}: {e}", state_file.display()))?;
        let events = EventQueue::from_events(state.get().events());
        let model = Model::open(&paths, &config_file, state.get())?;
        let transfers = Transfers::open(
            &paths.state_dir().join("transfers.json"),
            config.cpe.transfer_queue_depth as usize,
        )?;
        Ok(Agent {
            platform: platform::for_root(&args.root),
            live: LiveHub::new(&paths),
            paths,
            config_file,
            config,
            state,
            events,
            model,
            status: Status::default(),
            session_open: false,
            connection_request_waiting: false,
            started_unix: unix_now(),
            not_before: tokio::time::Instant::now(),
            retry_pending: false,
            next_periodic: None,
            after_session: Vec::new(),
            cr_settings_tx: None,
            transfers,
            wake: None,
            diagnostics: Default::default(),
            udp_echo_tx: None,
        })
    }

    /// Daemon start: tell a boot from a restart, raise BOOTSTRAP/BOOT/M Reboot, pick the CR path.
    pub fn start(&mut self) -> Result<(), String> {
        let booted = self.detect_boot();
        let url = self.config.acs.url.clone();
        let state = self.state.get().clone();
        if booted {
            self.events.rebooted();
        }
        if !state.bootstrap_done || state.acs_url != url {
            info!(target: "cwmpd::session", "new ACS ({url:?}): 0 BOOTSTRAP");
            self.events.add(EventStruct::new(event::BOOTSTRAP, ""));
        }
        if booted {
            self.events.add(EventStruct::new(event::BOOT, ""));
            if let Some(key) = &state.reboot_command_key {
                self.events.add(EventStruct::new(event::M_REBOOT, key));
            }
        }
        self.recover_transfers(booted);
        if booted {
            let scale = time_scale();
            let delay = BOOT_DELAY_MAX_SECS * random::fraction() * scale;
            self.not_before = tokio::time::Instant::now() + Duration::from_secs_f64(delay);
        }
        self.state.update(|s| {
            // Cleared only by the boot that reports it; a daemon restart keeps it for that boot.
            if booted {
                s.reboot_command_key = None;
            }
            if s.acs_url != url {
                s.acs_url = url.clone();
                s.bootstrap_done = false;
            }
            if s.cr_path.is_empty() {
                s.cr_path = random::token(16);
            }
        });
        self.persist_events()?;
        self.mark_booted();
        self.schedule_periodic(unix_now());
        self.refresh_status();
        Ok(())
    }

    /// A boot empties /var/run (tmpfs); a daemon restart finds its marker there.
    fn detect_boot(&self) -> bool {
        !self.paths.run_dir().join("booted").exists()
    }

    /// Written once the boot's events and transfer results are persisted: a crash before
    /// that makes the next start handle the boot again (its events are idempotent).
    fn mark_booted(&self) {
        let marker = self.paths.run_dir().join("booted");
        if let Err(err) = std::fs::create_dir_all(self.paths.run_dir())
            .and_then(|()| std::fs::write(&marker, b""))
        {
            warn!(target: "cwmpd::daemon", "cannot write boot marker {}: {err}", marker.display());
        }
    }

    pub fn config_file(&self) -> &PathBuf {
        &self.config_file
    }

    pub fn platform(&self) -> &dyn Platform {
        self.platform.as_ref()
    }

    /// Queue an event and persist the queue before anything else happens (a kill -9 right
    /// after must not lose it).
    pub fn raise(&mut self, event: EventStruct) {
        if self.events.add(event) {
            if let Err(err) = self.persist_events() {
                warn!(target: "cwmpd::store", "cannot persist events: {err}");
            }
        }
        self.refresh_status();
    }

    fn persist_events(&mut self) -> Result<(), String> {
        let events = self.events.events().to_vec();
        self.state.update(|s| s.set_events(&events));
        self.state
            .save_if_changed()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn save_state(&mut self) {
        if let Err(err) = self.state.save_if_changed() {
            warn!(target: "cwmpd::store", "cannot save state: {err}");
        }
    }

    pub fn state(&self) -> &AgentState {
        self.state.get()
    }

    pub fn connection_request_path(&self) -> String {
        let configured = self.config.cpe.cr_path.trim_start_matches('/');
        if configured.is_empty() {
            self.state.get().cr_path.clone()
        } else {
            configured.to_string()
        }
    }

    /// `/etc/config/network` as it is now (with uci's pending changes).
    pub fn network_config(&self) -> Option<crate::backend::uci::UciFile> {
        crate::backend::uci::UciStore::new(self.paths.uci_config_dir(), self.paths.uci_delta_dir())
            .load("network")
            .ok()
    }

    pub fn connection_request_url(&self) -> String {
        let network = self.network_config();
        match cr_url::advertised_address(
            &self.config.cpe.interface,
            &self.model.live().services.netifd,
            network.as_ref(),
            &self.config.acs.url,
        ) {
            Some(address) => cr_url::connection_request_url(
                address,
                self.config.cpe.cr_port,
                &self.connection_request_path(),
            ),
            None => String::new(),
        }
    }

    // --- settings for the network edges ------------------------------------------------

    pub fn acs_settings(&self) -> AcsSettings {
        let acs = &self.config.acs;
        // Configured file paths are router paths: under `--root` they live below the root.
        let under_root = |path: &Option<PathBuf>| {
            path.as_ref()
                .map(|p| self.paths.resolve(&p.to_string_lossy()))
        };
        AcsSettings {
            username: acs.username.clone(),
            password: acs.password.clone(),
            tls: TlsFiles {
                ca_file: under_root(&acs.ca_file),
                ca_dir: under_root(&acs.ca_dir),
                client_cert: under_root(&acs.client_cert),
                client_key: under_root(&acs.client_key),
                system_ca_file: Some(self.paths.resolve("/etc/ssl/certs/ca-certificates.crt")),
                system_ca_dir: Some(self.paths.resolve("/etc/ssl/certs")),
            },
            ..AcsSettings::new(&acs.url)
        }
    }

    pub fn cr_settings(&self) -> CrSettings {
        let cpe = &self.config.cpe;
        CrSettings {
            bind: IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            port: cpe.cr_port,
            path: format!("/{}", self.connection_request_path()),
            username: cpe.cr_username.clone(),
            password: cpe.cr_password.clone(),
            rate_limit_per_hour: cpe.cr_rate_limit,
            allow: cpe
                .cr_allow
                .iter()
                .filter_map(|source| IpNet::new(source.network, source.prefix_len).ok())
                .collect(),
            ..CrSettings::default()
        }
    }

    // --- schedule ---------------------------------------------------------------------------

    fn schedule_periodic(&mut self, now: i64) {
        let acs = &self.config.acs;
        self.next_periodic = acs.periodic_enable.then(|| {
            let anchor = self.started_unix;
            retry::next_periodic_inform(now, acs.periodic_interval, acs.periodic_time, anchor)
        });
    }

    /// Raise the periodic and scheduled events when their time has come.
    pub fn tick(&mut self) {
        self.scheduled_informs_due(unix_now_ms());
        let now = unix_now();
        if let Some(at) = self.next_periodic {
            if now >= at {
                self.raise(EventStruct::new(event::PERIODIC, ""));
                self.schedule_periodic(now);
            }
        }
    }

    /// Whether a session should start now.
    pub fn session_due(&self) -> bool {
        let wanted = !self.events.is_empty() || self.retry_pending;
        wanted
            && !self.config.acs.url.is_empty()
            && self.config.cpe.enable
            && tokio::time::Instant::now() >= self.not_before
    }

    /// How long the loop may sleep before something is due. Capped, so a wall-clock jump (NTP
    /// setting the time after boot) is noticed within minutes.
    pub fn time_until_next(&self) -> Duration {
        const MAX_SLEEP: Duration = Duration::from_secs(300);
        let mut wait = MAX_SLEEP;
        if !self.events.is_empty() || self.retry_pending {
            wait = wait.min(
                self.not_before
                    .saturating_duration_since(tokio::time::Instant::now()),
            );
        }
        if let Some(at) = self.next_periodic {
            let secs = (at - unix_now()).max(0) as u64;
            wait = wait.min(Duration::from_secs(secs));
        }
        let now_ms = unix_now_ms();
        if let Some(at_ms) = self.next_transfer_wake_ms(now_ms) {
            wait = wait.min(Duration::from_millis((at_ms - now_ms).max(0) as u64));
        }
        wait
    }

    /// Look for changed values of notified parameters: an active one starts a session
    /// ("4 VALUE CHANGE", TR-069 A.3.2.4); passive ones wait for the next Inform.
    pub fn poll_notifications(&mut self) {
        let cr_url = self.connection_request_url();
        let parameter_key = self.state.get().parameter_key.clone();
        self.model.set_runtime(&cr_url, &parameter_key);
        if self.model.poll_value_changes() {
            info!(target: "cwmpd::notify", "active notification: 4 VALUE CHANGE");
            self.raise(EventStruct::new(event::VALUE_CHANGE, ""));
        }
    }

    /// Ask the ACS for a file (RequestDownload, A.4.2.2): persisted, then "9 REQUEST DOWNLOAD"
    /// starts a session that carries it. Checked as the schema's DownloadFileType and ArgStruct
    /// demand, so the envelope is never refused for its shape.
    pub fn request_download(
        &mut self,
        file_type: &str,
        args: Vec<(String, String)>,
    ) -> Result<(), String> {
        check_download_file_type(file_type)?;
        if args.len() > MAX_FILE_TYPE_ARGS {
            return Err(format!("at most {MAX_FILE_TYPE_ARGS} arguments"));
        }
        if let Some((name, _)) = args
            .iter()
            .find(|(name, value)| name.len() > 64 || value.len() > 256)
        {
            return Err(format!(
                "argument {name:?}: names are at most 64 characters, values 256"
            ));
        }
        let requested = RequestedDownload {
            file_type: file_type.to_string(),
            args,
        };
        self.state.update(|s| s.requested_downloads.push(requested));
        // raise() saves the state with the request and its event in one atomic write.
        self.raise(EventStruct::new(event::REQUEST_DOWNLOAD, ""));
        Ok(())
    }

    fn requested_downloads(&self) -> Vec<CpeRequest> {
        self.state
            .get()
            .requested_downloads
            .iter()
            .map(|requested| CpeRequest::RequestDownload {
                file_type: requested.file_type.clone(),
                file_type_arg: requested
                    .args
                    .iter()
                    .map(|(name, value)| ArgStruct {
                        name: name.clone(),
                        value: value.clone(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The ACS answered (or refused) a RequestDownload: it leaves the queue.
    pub fn requested_download_delivered(&mut self, file_type: &str, args: &[ArgStruct]) {
        let delivered = |r: &RequestedDownload| {
            r.file_type == file_type
                && r.args.len() == args.len()
                && r.args
                    .iter()
                    .zip(args)
                    .all(|((n, v), a)| *n == a.name && *v == a.value)
        };
        self.state.update(|s| {
            if let Some(index) = s.requested_downloads.iter().position(delivered) {
                s.requested_downloads.remove(index);
            }
        });
        self.save_state();
    }

    /// A connection request was accepted while no session was open.
    pub fn connection_requested(&mut self) {
        self.raise(EventStruct::new(event::CONNECTION_REQUEST, ""));
        // The ACS asked explicitly: no need to wait out the back-off (§3.2.2).
        self.not_before = tokio::time::Instant::now();
    }

    // --- sessions ---------------------------------------------------------------------------

    /// The Inform and queued CPE requests for a new session.
    pub fn prepare_session(&mut self) -> (Inform, Vec<CpeRequest>) {
        let now = unix_now();
        self.status.session_in_progress = true;
        self.status.last_session_start = Some(format_datetime(now));
        let cr_url = self.connection_request_url();
        self.model
            .set_runtime(&cr_url, &self.state.get().parameter_key);
        let parameter_list = self.model.inform_parameters();
        if self.model.has_value_changes() {
            // Passive (and not yet sent active) notifications ride on this Inform (A.3.3.1).
            self.raise(EventStruct::new(event::VALUE_CHANGE, ""));
        }
        let inform = Inform {
            device_id: self.model.device_id(),
            event: self.events.events().to_vec(),
            max_envelopes: 1,
            current_time: format_datetime(now),
            retry_count: self.state.get().retry_count,
            parameter_list,
        };
        let mut requests = self.transfer_requests();
        requests.extend(self.requested_downloads());
        let inform = Inform {
            event: self.events.events().to_vec(),
            ..inform
        };
        (inform, requests)
    }

    pub fn events_delivered(&mut self, sent: &[EventStruct]) {
        self.events.delivered(sent);
        if sent.iter().any(|e| e.event_code == event::VALUE_CHANGE) {
            self.model.value_changes_delivered();
        }
        let bootstrap = sent.iter().any(|e| e.event_code == event::BOOTSTRAP);
        let url = self.config.acs.url.clone();
        self.state.update(|s| {
            if bootstrap {
                s.bootstrap_done = true;
                s.acs_url = url;
            }
        });
        if let Err(err) = self.persist_events() {
            warn!(target: "cwmpd::store", "cannot persist events: {err}");
        }
    }

    pub fn session_ended(&mut self, outcome: &Outcome, inform_delivered: bool) {
        let now = unix_now();
        self.status.session_in_progress = false;
        self.status.last_session_end = Some(format_datetime(now));
        match outcome {
            Outcome::Completed => {
                self.status.last_outcome = Some("completed".into());
                self.status.last_error = None;
                self.status.sessions_completed += 1;
                self.retry_pending = false;
                self.state.update(|s| s.retry_count = 0);
                info!(target: "cwmpd::session", "session completed");
            }
            Outcome::Failed(failure) => self.session_failed(failure, inform_delivered),
        }
        // The Inform and the ACS's reads may have numbered new instances.
        self.keep_model_state();
        self.save_state();
        self.refresh_status();
    }

    fn session_failed(&mut self, failure: &Failure, inform_delivered: bool) {
        if !inform_delivered {
            self.events.session_failed();
            if let Err(err) = self.persist_events() {
                warn!(target: "cwmpd::store", "cannot persist events: {err}");
            }
        }
        self.state
            .update(|s| s.retry_count = s.retry_count.saturating_add(1));
        let count = self.state.get().retry_count;
        let acs = &self.config.acs;
        let wait_ms = retry::retry_wait_ms(
            count,
            acs.retry_min_wait,
            acs.retry_multiplier,
            random::fraction(),
        );
        let wait = Duration::from_millis(wait_ms).mul_f64(time_scale());
        self.not_before = tokio::time::Instant::now() + wait;
        self.retry_pending = true;
        self.status.last_outcome = Some("failed".into());
        self.status.last_error = Some(failure.to_string());
        self.status.sessions_failed += 1;
        warn!(
            target: "cwmpd::session",
            "session failed: {failure}; retry {count} in {:.1} s",
            wait.as_secs_f64()
        );
    }

    /// Run one ACS request against the agent.
    pub fn execute(&mut self, request: AcsRequest) -> Result<CpeResponse, Fault> {
        match request {
            AcsRequest::GetRPCMethods => Ok(CpeResponse::GetRPCMethodsResponse {
                method_list: SUPPORTED_METHODS.iter().map(|m| m.to_string()).collect(),
            }),
            AcsRequest::Reboot { command_key } => {
                // Persist the CommandKey before anything else: "M Reboot" must follow the boot.
                self.state
                    .update(|s| s.reboot_command_key = Some(command_key));
                self.state
                    .save_if_changed()
                    .map_err(|e| internal_error(&e.to_string()))?;
                self.after_session.push(Action::Reboot {
                    reason: "ACS Reboot RPC".into(),
                });
                Ok(CpeResponse::RebootResponse)
            }
            AcsRequest::FactoryReset => {
                self.after_session.push(Action::FactoryReset);
                Ok(CpeResponse::FactoryResetResponse)
            }
            other if Model::handles(&other) => {
                let result = self.model.execute(&other);
                self.after_model_change();
                if matches!(other, AcsRequest::SetParameterAttributes { .. }) {
                    // Newly watched parameters get their baseline now, so a change made
                    // before the next poll is still reported.
                    self.poll_notifications();
                }
                result
            }
            other if Self::is_transfer_rpc(&other) => self.execute_transfer_rpc(other),
            other => Err(Fault::with_string(
                FaultCode::MethodNotSupported,
                &format!("Method not supported: {}", other.method_name()),
            )),
        }
    }

    /// After the data model changed: persist what it keeps in the state, pick up config edits,
    /// reload the services whose configuration changed.
    pub fn after_model_change(&mut self) {
        self.keep_model_state();
        self.save_state();
        self.diagnostics_after_change();
        if self.model.take_config_changed() {
            self.reload_config();
        }
        self.schedule_reloads();
        self.schedule_actions();
    }

    /// The system actions the data model asked for (a DHCP renew): after the session (and
    /// after the reloads queued before them), at once for `cwmpd set`.
    fn schedule_actions(&mut self) {
        for action in self.model.take_actions() {
            if self.session_open {
                self.after_session.push(action);
            } else if let Err(err) = self.platform.perform(&action) {
                warn!(target: "cwmpd::daemon", "{action:?} failed: {err}");
            }
        }
    }

    /// Copy what the model persists (ParameterKey, attributes, instance numbers) into the state.
    fn keep_model_state(&mut self) {
        let saved = self.model.saved_state();
        self.state.update(|s| {
            s.parameter_key = saved.parameter_key;
            s.attributes = saved.attributes;
            s.instances = saved.instances;
        });
    }

    /// Reload the services of the UCI packages the data model changed: once the session is
    /// over when an ACS changed them (TR-069 A.3.2.1: Status 1 tells it the change applies
    /// then), at once for `cwmpd set`.
    fn schedule_reloads(&mut self) {
        let packages = self.model.take_changed_packages();
        if packages.is_empty() {
            return;
        }
        if !self.session_open {
            let action = Action::ReloadConfig { packages };
            if let Err(err) = self.platform.perform(&action) {
                warn!(target: "cwmpd::daemon", "{action:?} failed: {err}");
            }
            return;
        }
        let queued = self
            .after_session
            .iter_mut()
            .find_map(|action| match action {
                Action::ReloadConfig { packages } => Some(packages),
                _ => None,
            });
        match queued {
            Some(queued) => {
                for package in packages {
                    if !queued.contains(&package) {
                        queued.push(package);
                    }
                }
            }
            // Before a queued Reboot, which ends the process in the sandbox.
            None => self
                .after_session
                .insert(0, Action::ReloadConfig { packages }),
        }
    }

    /// Re-read /etc/config/cwmpd (SIGHUP, `reload`, or the ACS changed ManagementServer).
    pub fn reload_config(&mut self) {
        match Config::load_file(&self.config_file) {
            Ok(config) => {
                let url_changed = config.acs.url != self.config.acs.url;
                self.transfers
                    .set_depth(config.cpe.transfer_queue_depth as usize);
                self.config = config;
                if url_changed {
                    info!(target: "cwmpd::session", "ACS URL changed: 0 BOOTSTRAP");
                    let url = self.config.acs.url.clone();
                    self.state.update(|s| {
                        s.acs_url = url;
                        s.bootstrap_done = false;
                    });
                    self.raise(EventStruct::new(event::BOOTSTRAP, ""));
                }
                self.schedule_periodic(unix_now());
                log::set_max_level(self.config.cpe.log_level);
                if let Some(sender) = &self.cr_settings_tx {
                    sender.send_replace(self.cr_settings());
                }
                self.update_udp_echo_server();
            }
            Err(err) => warn!(target: "cwmpd::daemon", "keeping the old configuration: {err}"),
        }
        self.refresh_status();
    }

    pub fn refresh_status(&mut self) {
        self.status.acs_url = self.config.acs.url.clone();
        self.status.connection_request_url = self.connection_request_url();
        self.status.retry_count = self.state.get().retry_count;
        self.status.pending_events = self
            .events
            .events()
            .iter()
            .map(|e| match e.command_key.as_str() {
                "" => e.event_code.clone(),
                key => format!("{} ({key})", e.event_code),
            })
            .collect();
        self.status.next_periodic_inform = self.next_periodic.map(format_datetime);
        self.status.pending_transfers = self.transfer_status();
        let wanted = !self.events.is_empty() || self.retry_pending;
        self.status.next_session_in_secs = wanted.then(|| {
            let wait = self
                .not_before
                .saturating_duration_since(tokio::time::Instant::now());
            (wait.as_secs_f64() * 10.0).round() / 10.0
        });
    }
}

fn internal_error(detail: &str) -> Fault {
    Fault::with_string(
        FaultCode::InternalError,
        &format!("Internal error: {detail}"),
    )
}

/// The RPCs this agent answers (GetRPCMethodsResponse, A.3.1.1): every CPE method of CWMP 1.4
/// except the optional ChangeDUState, SetVouchers and GetOptions (answered with 9000).
pub const SUPPORTED_METHODS: &[&str] = &[
    "GetRPCMethods",
    "SetParameterValues",
    "GetParameterValues",
    "GetParameterNames",
    "SetParameterAttributes",
    "GetParameterAttributes",
    "AddObject",
    "DeleteObject",
    "Reboot",
    "Download",
    "Upload",
    "FactoryReset",
    "GetQueuedTransfers",
    "GetAllQueuedTransfers",
    "ScheduleInform",
    "ScheduleDownload",
    "CancelTransfer",
];

/// The most FileTypeArg entries a RequestDownload may carry (the XSD's FileTypeArg).
const MAX_FILE_TYPE_ARGS: usize = 16;

/// DownloadFileType of the CWMP schema: "N word…" (1 Firmware Upgrade Image, 2 Web Content,
/// 3 Vendor Configuration File, …) or a vendor type "X OUI text", at most 64 characters.
fn check_download_file_type(file_type: &str) -> Result<(), String> {
    let mut words = file_type.split(' ');
    let first = words.next().unwrap_or_default();
    let numbered = first.starts_with(|c: char| ('1'..='9').contains(&c))
        && first.bytes().all(|b| b.is_ascii_digit());
    let rest: Vec<&str> = words.collect();
    let well_formed =
        (numbered || first == "X") && !rest.is_empty() && rest.iter().all(|w| !w.is_empty());
    if file_type.len() > 64 || !well_formed {
        return Err(format!(
            "{file_type:?} is not a file type like '1 Firmware Upgrade Image' or 'X 00D09E Vendor File'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod file_type_tests {
    use super::check_download_file_type;

    #[test]
    fn file_types_follow_the_schema() {
        for good in [
            "1 Firmware Upgrade Image",
            "3 Vendor Configuration File",
            "X 00D09E Vendor File",
            "12 Thing",
        ] {
            assert_eq!(check_download_file_type(good), Ok(()), "{good}");
        }
        for bad in [
            "Firmware",
            "0 Firmware",
            "1",
            "1 ",
            "1  Image",
            "X",
            &format!("1 {}", "a".repeat(64)),
        ] {
            assert!(check_download_file_type(bad).is_err(), "{bad}");
        }
    }
}
