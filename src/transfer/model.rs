//! One file transfer as a pure state machine: what the ACS asked for, where it stands, and
//! how it moves on. Time is always an argument (Unix milliseconds); nothing here does I/O.
//!
//! ```text
//!  Queued ──start──▶ Transferring ──ok──────────────▶ Completed (fault 0)
//!    ▲                   │  └──apply (firmware, config)──▶ Applying ──boot──▶ Completed
//!    │                   └──fault──▶ Completed (fault) or, in a ScheduleDownload window
//!    └──── restart without boot, or a retry ◀────────────┘    with retries left, Queued
//! ```
//!
//! TransferState (A.4.1.7): Queued = 1, Transferring and Applying = 2, Completed = 3 (until
//! the ACS acknowledged the TransferComplete).

use serde::{Deserialize, Serialize};

use crate::cwmp::event;
use crate::cwmp::fault::FaultCode;
use crate::cwmp::rpc::TransferComplete;
use crate::cwmp::types::{format_datetime, FaultStruct, UNKNOWN_TIME};

/// How long a failed ScheduleDownload attempt waits before the next one in its window.
pub const RETRY_DELAY_MS: i64 = 30_000;
/// Restarts of the agent in the middle of one transfer before it is given up: a transfer
/// that keeps crashing the agent must not do so forever.
pub const MAX_INTERRUPTIONS: u32 = 3;

/// Which RPC asked for the transfer; names the "M …" event of its TransferComplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    Download,
    ScheduleDownload,
    Upload,
}

impl Origin {
    pub fn event_code(self) -> &'static str {
        match self {
            Origin::Download => event::M_DOWNLOAD,
            Origin::ScheduleDownload => event::M_SCHEDULE_DOWNLOAD,
            Origin::Upload => event::M_UPLOAD,
        }
    }

    pub fn is_download(self) -> bool {
        self != Origin::Upload
    }
}

/// WindowMode of a TimeWindowStruct (A.4.1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowMode {
    AtAnyTime,
    Immediately,
    /// cwmpd cannot tell whether the user is busy: treated like "1 At Any Time".
    WhenIdle,
    /// Needs a user's confirmation; no user interface confirms today, so such a window
    /// passes without a transfer.
    ConfirmationNeeded,
}

impl WindowMode {
    pub fn parse(text: &str) -> Option<WindowMode> {
        match text.trim() {
            "1 At Any Time" => Some(WindowMode::AtAnyTime),
            "2 Immediately" => Some(WindowMode::Immediately),
            "3 When Idle" => Some(WindowMode::WhenIdle),
            "4 Confirmation Needed" => Some(WindowMode::ConfirmationNeeded),
            _ => None,
        }
    }
}

/// A time window, in absolute Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
    pub mode: WindowMode,
    pub user_message: String,
    /// -1 = no limit.
    pub max_retries: i32,
}

impl Window {
    fn contains(&self, now_ms: i64) -> bool {
        self.start_ms <= now_ms && now_ms < self.end_ms
    }

    fn usable(&self) -> bool {
        self.mode != WindowMode::ConfirmationNeeded
    }
}

/// Where a transfer stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    Queued,
    /// Downloading or uploading since `start_ms`.
    Transferring {
        start_ms: i64,
    },
    /// The file is whole and checked; the platform is applying it (sysupgrade, restore) and
    /// the reboot that follows completes the transfer.
    Applying {
        start_ms: i64,
    },
    /// Finished; the TransferComplete waits for the ACS's acknowledgement.
    Completed {
        start_ms: Option<i64>,
        complete_ms: i64,
        fault_code: u32,
        fault_string: String,
    },
}

/// Why a transfer attempt failed: a transfer fault code (A.5.1) and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferFault {
    pub code: FaultCode,
    pub detail: String,
}

impl TransferFault {
    pub fn new(code: FaultCode, detail: impl Into<String>) -> TransferFault {
        TransferFault {
            code,
            detail: detail.into(),
        }
    }

    /// The FaultString: the spec's text, then what happened.
    pub fn fault_string(&self) -> String {
        match self.detail.as_str() {
            "" => self.code.description().to_string(),
            detail => format!("{}: {detail}", self.code.description()),
        }
    }
}

impl std::fmt::Display for TransferFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code.code(), self.fault_string())
    }
}

/// One transfer the ACS asked for, as persisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Local sequence number (CommandKeys need not be unique).
    pub id: u64,
    pub origin: Origin,
    pub command_key: String,
    pub file_type: String,
    pub url: String,
    pub username: String,
    pub password: String,
    /// 0 = unknown.
    pub file_size: u32,
    pub target_file_name: String,
    /// Not before this time (DelaySeconds after the request).
    pub not_before_ms: i64,
    /// ScheduleDownload's TimeWindowList; empty for Download and Upload.
    #[serde(default)]
    pub windows: Vec<Window>,
    /// Attempts started in the current window.
    #[serde(default)]
    pub window_attempts: u32,
    /// Which window the attempts were counted in.
    #[serde(default)]
    pub window_index: usize,
    /// Agent restarts that interrupted this transfer.
    #[serde(default)]
    pub interruptions: u32,
    pub phase: Phase,
}

impl Transfer {
    /// TransferState of GetQueuedTransfers / GetAllQueuedTransfers (A.4.1.6, A.4.1.7).
    pub fn transfer_state(&self) -> u8 {
        match self.phase {
            Phase::Queued => 1,
            Phase::Transferring { .. } | Phase::Applying { .. } => 2,
            Phase::Completed { .. } => 3,
        }
    }

    pub fn is_completed(&self) -> bool {
        matches!(self.phase, Phase::Completed { .. })
    }

    pub fn is_active(&self) -> bool {
        matches!(
            self.phase,
            Phase::Transferring { .. } | Phase::Applying { .. }
        )
    }

    fn current_window(&self, now_ms: i64) -> Option<(usize, &Window)> {
        self.windows
            .iter()
            .enumerate()
            .find(|(_, w)| w.contains(now_ms) && w.usable())
    }

    /// Whether the transfer may start now.
    pub fn is_due(&self, now_ms: i64) -> bool {
        self.phase == Phase::Queued
            && now_ms >= self.not_before_ms
            && (self.windows.is_empty() || self.current_window(now_ms).is_some())
    }

    /// A queued ScheduleDownload whose last usable window has ended.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.phase == Phase::Queued
            && !self.windows.is_empty()
            && !self.windows.iter().any(|w| w.usable() && now_ms < w.end_ms)
    }

    /// The next time something may change for a queued transfer (it becomes due, a window
    /// opens or closes), if later than `now_ms`.
    pub fn next_wake(&self, now_ms: i64) -> Option<i64> {
        if self.phase != Phase::Queued {
            return None;
        }
        let window_edges = self.windows.iter().flat_map(|w| [w.start_ms, w.end_ms]);
        std::iter::once(self.not_before_ms)
            .chain(window_edges)
            .filter(|&t| t > now_ms)
            .min()
    }

    /// An attempt starts.
    pub fn start(&mut self, now_ms: i64) {
        if let Some((index, _)) = self.current_window(now_ms) {
            if index != self.window_index {
                self.window_index = index;
                self.window_attempts = 0;
            }
        }
        self.window_attempts += 1;
        self.phase = Phase::Transferring { start_ms: now_ms };
    }

    fn start_ms(&self) -> Option<i64> {
        match self.phase {
            Phase::Transferring { start_ms } | Phase::Applying { start_ms } => Some(start_ms),
            Phase::Completed { start_ms, .. } => start_ms,
            Phase::Queued => None,
        }
    }

    /// The attempt succeeded; nothing is left to apply.
    pub fn succeed(&mut self, now_ms: i64) {
        self.complete(now_ms, 0, String::new());
    }

    /// The file is whole and checked; the platform applies it and reboots.
    pub fn apply(&mut self, now_ms: i64) {
        let start_ms = self.start_ms().unwrap_or(now_ms);
        self.phase = Phase::Applying { start_ms };
    }

    /// The attempt failed: retry inside a ScheduleDownload window when MaxRetries allows,
    /// else complete with the fault.
    pub fn fail(&mut self, now_ms: i64, fault: &TransferFault) {
        if self.may_retry(now_ms + RETRY_DELAY_MS) {
            self.phase = Phase::Queued;
            self.not_before_ms = now_ms + RETRY_DELAY_MS;
            return;
        }
        self.complete(now_ms, fault.code.code(), fault.fault_string());
    }

    fn may_retry(&self, at_ms: i64) -> bool {
        let Some(window) = self.windows.get(self.window_index) else {
            return false;
        };
        let retries_left =
            window.max_retries < 0 || self.window_attempts <= window.max_retries as u32;
        retries_left && window.contains(at_ms)
    }

    /// The windows passed without a completed transfer (fault 9020).
    pub fn expire(&mut self, now_ms: i64) {
        let fault = TransferFault::new(FaultCode::DownloadFailureNotCompletedInTimeWindow, "");
        self.complete(now_ms, fault.code.code(), fault.fault_string());
    }

    fn complete(&mut self, now_ms: i64, fault_code: u32, fault_string: String) {
        self.phase = Phase::Completed {
            start_ms: self.start_ms(),
            complete_ms: now_ms,
            fault_code,
            fault_string,
        };
    }

    /// The agent starts again. A transfer cut short by a restart without a reboot starts
    /// over (the partial file is discarded; an image is never flashed unless whole). One that
    /// was being applied when the device rebooted has completed.
    pub fn recover(&mut self, booted: bool, now_ms: i64) {
        match self.phase {
            Phase::Applying { .. } if booted => self.succeed(now_ms),
            Phase::Transferring { .. } | Phase::Applying { .. } => {
                self.interruptions += 1;
                if self.interruptions > MAX_INTERRUPTIONS {
                    let fault = TransferFault::new(
                        FaultCode::DownloadFailure,
                        "interrupted by agent restarts",
                    );
                    self.complete(now_ms, fault.code.code(), fault.fault_string());
                } else {
                    self.phase = Phase::Queued;
                }
            }
            Phase::Queued | Phase::Completed { .. } => {}
        }
    }

    /// The TransferComplete to send (A.3.3.2), once completed.
    pub fn transfer_complete(&self) -> Option<TransferComplete> {
        let Phase::Completed {
            start_ms,
            complete_ms,
            fault_code,
            fault_string,
        } = &self.phase
        else {
            return None;
        };
        Some(TransferComplete {
            command_key: self.command_key.clone(),
            fault_struct: FaultStruct {
                fault_code: *fault_code,
                fault_string: fault_string.clone(),
            },
            start_time: start_ms.map_or(UNKNOWN_TIME.to_string(), |ms| format_datetime(ms / 1000)),
            complete_time: format_datetime(complete_ms / 1000),
        })
    }
}

#[cfg(test)]
mod tests;
