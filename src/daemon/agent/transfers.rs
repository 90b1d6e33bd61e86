//! The agent's side of file transfers and scheduled informs: the RPCs, the events and CPE
//! requests that report them, and the hand-over to the executor (`transfer::run`).

use log::{info, warn};

use super::{time_scale, Agent};
use crate::cwmp::event;
use crate::cwmp::fault::{Fault, FaultCode};
use crate::cwmp::rpc::{AcsRequest, CpeRequest, CpeResponse};
use crate::cwmp::types::{format_datetime, EventStruct, UNKNOWN_TIME};
use crate::daemon::state::ScheduledInform;
use crate::platform::Action;
use crate::transfer::book::AutonomousRecord;
use crate::transfer::http::FileServer;
use crate::transfer::model::Phase;
use crate::transfer::run::{self, Job, Outcome};
use crate::transfer::{request, Transfer};

/// How long a file server may stay silent (connecting, or in the middle of a body).
const FILE_SERVER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Unix milliseconds, from the wall clock.
pub fn unix_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// DownloadResponse / UploadResponse Status 1: the transfer completes later, reported by
/// TransferComplete; both times are then the unknown time (A.3.2.8).
fn later<T>(make: impl FnOnce(u8, String, String) -> T) -> T {
    make(1, UNKNOWN_TIME.to_string(), UNKNOWN_TIME.to_string())
}

fn internal(detail: &str) -> Fault {
    Fault::with_string(
        FaultCode::InternalError,
        &format!("Internal error: {detail}"),
    )
}

impl Agent {
    /// The RPCs [`Agent::execute_transfer_rpc`] runs.
    pub(super) fn is_transfer_rpc(request: &AcsRequest) -> bool {
        matches!(
            request,
            AcsRequest::Download(_)
                | AcsRequest::Upload(_)
                | AcsRequest::ScheduleDownload(_)
                | AcsRequest::CancelTransfer { .. }
                | AcsRequest::GetQueuedTransfers
                | AcsRequest::GetAllQueuedTransfers
                | AcsRequest::ScheduleInform { .. }
        )
    }

    /// The transfer RPCs and ScheduleInform.
    pub(super) fn execute_transfer_rpc(
        &mut self,
        request: AcsRequest,
    ) -> Result<CpeResponse, Fault> {
        let (now, scale) = (unix_now_ms(), time_scale());
        match request {
            AcsRequest::Download(d) => self.queue(request::download(&d, now, scale)).map(|()| {
                later(
                    |status, start_time, complete_time| CpeResponse::DownloadResponse {
                        status,
                        start_time,
                        complete_time,
                    },
                )
            }),
            AcsRequest::Upload(u) => self.queue(request::upload(&u, now, scale)).map(|()| {
                later(
                    |status, start_time, complete_time| CpeResponse::UploadResponse {
                        status,
                        start_time,
                        complete_time,
                    },
                )
            }),
            AcsRequest::ScheduleDownload(s) => self
                .queue(request::schedule_download(&s, now, scale))
                .map(|()| CpeResponse::ScheduleDownloadResponse),
            AcsRequest::CancelTransfer { command_key } => {
                let result = self.transfers.cancel(&command_key);
                self.refresh_status();
                result.map(|()| CpeResponse::CancelTransferResponse)
            }
            AcsRequest::GetQueuedTransfers => Ok(CpeResponse::GetQueuedTransfersResponse {
                transfer_list: self.transfers.queued_list(),
            }),
            AcsRequest::GetAllQueuedTransfers => Ok(CpeResponse::GetAllQueuedTransfersResponse {
                transfer_list: self.transfers.all_queued_list(),
            }),
            AcsRequest::ScheduleInform {
                delay_seconds,
                command_key,
            } => self
                .schedule_inform(now, delay_seconds, command_key)
                .map(|()| CpeResponse::ScheduleInformResponse),
            other => Err(Fault::with_string(
                FaultCode::MethodNotSupported,
                &format!("Method not supported: {}", other.method_name()),
            )),
        }
    }

    /// Persist the new transfer before it is acknowledged; it starts after the session.
    fn queue(&mut self, transfer: Result<Transfer, Fault>) -> Result<(), Fault> {
        let transfer = transfer?;
        info!(target: "cwmpd::transfer", "queued {} {:?} {}", transfer.origin.event_code(), transfer.command_key, transfer.url);
        self.transfers.add(transfer)?;
        self.refresh_status();
        Ok(())
    }

    /// ScheduleInform (A.4.1.4): DelaySeconds must be at least 1.
    fn schedule_inform(
        &mut self,
        now_ms: i64,
        delay_seconds: u32,
        command_key: String,
    ) -> Result<(), Fault> {
        if delay_seconds == 0 {
            return Err(Fault::with_string(
                FaultCode::InvalidArguments,
                "Invalid arguments: DelaySeconds must be at least 1",
            ));
        }
        let at_ms = now_ms + (f64::from(delay_seconds) * 1000.0 * time_scale()) as i64;
        self.state.update(|s| {
            s.scheduled_informs
                .push(ScheduledInform { at_ms, command_key });
        });
        self.state
            .save_if_changed()
            .map_err(|e| internal(&e.to_string()))?;
        Ok(())
    }

    /// Raise "3 SCHEDULED" + "M ScheduleInform" for each due ScheduleInform; the entries
    /// leave the state in the same write that queues the events.
    pub(super) fn scheduled_informs_due(&mut self, now_ms: i64) {
        let due: Vec<ScheduledInform> = self
            .state
            .get()
            .scheduled_informs
            .iter()
            .filter(|s| s.at_ms <= now_ms)
            .cloned()
            .collect();
        if due.is_empty() {
            return;
        }
        self.state
            .update(|s| s.scheduled_informs.retain(|i| i.at_ms > now_ms));
        self.events.add(EventStruct::new(event::SCHEDULED, ""));
        for inform in due {
            self.events.add(EventStruct::new(
                event::M_SCHEDULE_INFORM,
                &inform.command_key,
            ));
        }
        if let Err(err) = self.persist_events() {
            warn!(target: "cwmpd::store", "cannot persist events: {err}");
        }
        self.refresh_status();
    }

    /// The agent starts: transfers cut short resume, those applied before this boot have
    /// completed ("M Download" + "7 TRANSFER COMPLETE" after "1 BOOT"); a firmware change
    /// nobody asked for is an autonomous transfer.
    pub(super) fn recover_transfers(&mut self, booted: bool) {
        let _ = run::clear_dir(&self.paths.download_dir());
        let now = unix_now_ms();
        let applied_firmware = booted
            && self.transfers.all().iter().any(|t| {
                matches!(t.phase, Phase::Applying { .. })
                    && request::download_kind(&t.file_type) == Some(request::DownloadKind::Firmware)
            });
        for transfer in self.transfers.recover(booted, now) {
            self.raise_completion(&transfer);
        }
        self.transfers.save_recovered();
        self.detect_autonomous_upgrade(booted && !applied_firmware, now);
    }

    fn detect_autonomous_upgrade(&mut self, may_be_autonomous: bool, now_ms: i64) {
        let version = self
            .model
            .get_values(&["Device.DeviceInfo.SoftwareVersion".to_string()])
            .ok()
            .and_then(|values| values.into_iter().next())
            .map(|(_, value)| value)
            .unwrap_or_default();
        let previous = self.state.get().software_version.clone();
        if may_be_autonomous && !previous.is_empty() && previous != version {
            info!(target: "cwmpd::transfer", "firmware changed from {previous:?} to {version:?}: autonomous transfer");
            self.transfers.add_autonomous(AutonomousRecord {
                is_download: true,
                file_type: request::FIRMWARE.to_string(),
                transfer_url: String::new(),
                fault_code: 0,
                fault_string: String::new(),
                start_time: UNKNOWN_TIME.to_string(),
                complete_time: format_datetime(now_ms / 1000),
            });
            self.events
                .add(EventStruct::new(event::AUTONOMOUS_TRANSFER_COMPLETE, ""));
        }
        self.state.update(|s| s.software_version = version);
    }

    /// "M Download" (or M ScheduleDownload / M Upload) with the CommandKey, then
    /// "7 TRANSFER COMPLETE" (A.3.3.1).
    fn raise_completion(&mut self, transfer: &Transfer) {
        self.raise(EventStruct::new(
            transfer.origin.event_code(),
            &transfer.command_key,
        ));
        self.raise(EventStruct::new(event::TRANSFER_COMPLETE, ""));
    }

    /// The TransferComplete / AutonomousTransferComplete requests for a new session. Their
    /// events go with them: a session that delivered the events but not the requests leaves
    /// the requests, which need "7 TRANSFER COMPLETE" (or "10 …") in the next Inform.
    pub(super) fn transfer_requests(&mut self) -> Vec<CpeRequest> {
        if self.transfers.has_pending_completes() {
            self.raise(EventStruct::new(event::TRANSFER_COMPLETE, ""));
        }
        if self.transfers.has_pending_autonomous() {
            self.raise(EventStruct::new(event::AUTONOMOUS_TRANSFER_COMPLETE, ""));
        }
        self.transfers.pending_requests()
    }

    /// The ACS acknowledged (or refused, A.3.3.2) a TransferComplete: it leaves the queue.
    pub fn request_delivered(&mut self, request: &CpeRequest) {
        if let CpeRequest::RequestDownload {
            file_type,
            file_type_arg,
        } = request
        {
            self.requested_download_delivered(file_type, file_type_arg);
        }
        self.transfers.delivered(request);
        self.refresh_status();
    }

    /// Expire ScheduleDownloads whose windows passed; start the next due transfer, if none
    /// runs. The transfer is persisted as in progress before it is handed out.
    pub fn next_transfer_job(&mut self) -> Option<Job> {
        let now = unix_now_ms();
        for expired in self.transfers.expire(now) {
            self.raise_completion(&expired);
        }
        let transfer = self.transfers.start_due(now)?;
        self.refresh_status();
        let tls = self.acs_settings().tls;
        Some(Job {
            server: FileServer {
                url: transfer.url.clone(),
                username: transfer.username.clone(),
                password: transfer.password.clone(),
                tls,
                timeout: FILE_SERVER_TIMEOUT,
            },
            transfer,
            root: self.paths.root().to_path_buf(),
            work_dir: self.paths.download_dir(),
            web_dir: self.paths.web_content_dir(),
        })
    }

    /// An attempt ended. A completed transfer raises its events (a session follows); one
    /// to apply is persisted as such before its action is queued for the loop to take.
    pub fn transfer_finished(&mut self, id: u64, outcome: Outcome) {
        let now = unix_now_ms();
        match outcome {
            Outcome::Done(result) => {
                if let Err(fault) = &result {
                    warn!(target: "cwmpd::transfer", "transfer {id} failed: {fault}");
                }
                if let Some(done) = self.transfers.finished(id, now, result) {
                    self.raise_completion(&done);
                }
            }
            Outcome::Apply(action) => match self.transfers.applying(id, now) {
                Ok(()) => self.after_session.push(action),
                Err(err) => {
                    let fault = crate::transfer::TransferFault::new(
                        FaultCode::DownloadFailure,
                        format!("cannot persist the transfer: {err}"),
                    );
                    self.transfer_finished(id, Outcome::Done(Err(fault)));
                }
            },
        }
        self.refresh_status();
        self.wake_loop();
    }

    /// Pending system actions (sysupgrade, reboot after a restore), taken when no session runs.
    pub fn take_pending_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.after_session)
    }

    pub fn wake_loop(&self) {
        if let Some(wake) = &self.wake {
            let _ = wake.try_send(());
        }
    }

    /// When the next transfer may become due or expire, or a ScheduleInform falls due.
    pub(super) fn next_transfer_wake_ms(&self, now_ms: i64) -> Option<i64> {
        let informs = self.state.get().scheduled_informs.iter().map(|s| s.at_ms);
        self.transfers
            .next_wake(now_ms)
            .into_iter()
            .chain(informs)
            .min()
    }

    /// One line per transfer for `cwmpd status`.
    pub(super) fn transfer_status(&self) -> Vec<String> {
        self.transfers
            .all()
            .iter()
            .map(|t| {
                format!(
                    "{} {:?} {} (state {})",
                    t.origin.event_code().trim_start_matches("M "),
                    t.command_key,
                    t.file_type,
                    t.transfer_state()
                )
            })
            .collect()
    }
}
