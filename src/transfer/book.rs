//! The transfer queue as persisted in `/etc/cwmpd/transfers.json` (kept across sysupgrade by
//! keep.d): every transition is written atomically before anything acts on it, so a kill -9
//! or a power cut at any point resumes or reports correctly.

use std::path::Path;

use log::{info, warn};
use serde::{Deserialize, Serialize};

use super::model::{Transfer, TransferFault};
use crate::cwmp::fault::{Fault, FaultCode};
use crate::cwmp::rpc::{AutonomousTransferComplete, CpeRequest};
use crate::cwmp::types::{AllQueuedTransferStruct, QueuedTransferStruct};
use crate::store::JsonFile;

/// Test-only: `CWMPD_CRASH_AT=STEP` ends the process (status 86, nothing else saved, no
/// core dump) right after the named transition was persisted, as a kill -9 at that instant
/// would. Steps: transfer-queued, transfer-started, transfer-applying, transfer-completed,
/// transfer-recovered, transfer-delivered, transfer-cancelled, autonomous-recorded.
pub const CRASH_AT_VAR: &str = "CWMPD_CRASH_AT";

/// What is in the file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Book {
    pub next_id: u64,
    pub transfers: Vec<Transfer>,
    /// AutonomousTransferCompletes not yet acknowledged by the ACS (A.3.3.3).
    pub autonomous: Vec<AutonomousRecord>,
}

/// A transfer the ACS did not ask for (e.g. a sysupgrade from LuCI), as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutonomousRecord {
    pub is_download: bool,
    pub file_type: String,
    pub transfer_url: String,
    pub fault_code: u32,
    pub fault_string: String,
    pub start_time: String,
    pub complete_time: String,
}

impl AutonomousRecord {
    pub fn request(&self) -> AutonomousTransferComplete {
        AutonomousTransferComplete {
            announce_url: String::new(),
            transfer_url: self.transfer_url.clone(),
            is_download: self.is_download,
            file_type: self.file_type.clone(),
            file_size: 0,
            target_file_name: String::new(),
            fault_struct: crate::cwmp::types::FaultStruct {
                fault_code: self.fault_code,
                fault_string: self.fault_string.clone(),
            },
            start_time: self.start_time.clone(),
            complete_time: self.complete_time.clone(),
        }
    }
}

pub struct Transfers {
    file: JsonFile<Book>,
    /// The most transfers queued or running at once (fault 9004 beyond).
    depth: usize,
}

fn crash_point(step: &str) {
    if std::env::var(CRASH_AT_VAR).is_ok_and(|wanted| wanted == step) {
        warn!(target: "cwmpd::transfer", "{CRASH_AT_VAR}={step}: exiting as if killed");
        std::process::exit(86);
    }
}

impl Transfers {
    pub fn open(path: &Path, depth: usize) -> Result<Transfers, String> {
        let file = JsonFile::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Transfers { file, depth })
    }

    pub fn set_depth(&mut self, depth: usize) {
        self.depth = depth;
    }

    pub fn all(&self) -> &[Transfer] {
        &self.file.get().transfers
    }

    pub fn get(&self, id: u64) -> Option<&Transfer> {
        self.all().iter().find(|t| t.id == id)
    }

    /// Persist, then stop here if a test asked for a crash at this step.
    fn save(&mut self, step: &str) -> Result<(), String> {
        self.file.save_if_changed().map_err(|e| e.to_string())?;
        crash_point(step);
        Ok(())
    }

    fn save_or_warn(&mut self, step: &str) {
        if let Err(err) = self.save(step) {
            warn!(target: "cwmpd::store", "cannot persist transfers: {err}");
        }
    }

    fn update(&mut self, id: u64, change: impl FnOnce(&mut Transfer)) {
        self.file.update(|book| {
            if let Some(t) = book.transfers.iter_mut().find(|t| t.id == id) {
                change(t);
            }
        });
    }

    /// Queue a new transfer; persisted before the RPC is answered. Fault 9004 when full.
    pub fn add(&mut self, mut transfer: Transfer) -> Result<u64, Fault> {
        let pending = self.all().iter().filter(|t| !t.is_completed()).count();
        if pending >= self.depth {
            return Err(Fault::with_string(
                FaultCode::ResourcesExceeded,
                &format!("Resources exceeded: {pending} transfers queued"),
            ));
        }
        let id = self.file.update(|book| {
            book.next_id += 1;
            transfer.id = book.next_id;
            book.transfers.push(transfer);
            book.next_id
        });
        if let Err(err) = self.save("transfer-queued") {
            // Not persisted, so not accepted: the ACS gets a fault and nothing runs.
            self.file
                .update(|book| book.transfers.retain(|t| t.id != id));
            return Err(Fault::with_string(
                FaultCode::InternalError,
                &format!("Internal error: {err}"),
            ));
        }
        Ok(id)
    }

    /// CancelTransfer (A.4.1.9): queued transfers with this CommandKey go without a
    /// TransferComplete; one that has started or finished cannot be cancelled (9021).
    pub fn cancel(&mut self, command_key: &str) -> Result<(), Fault> {
        let matching: Vec<&Transfer> = self
            .all()
            .iter()
            .filter(|t| t.command_key == command_key)
            .collect();
        if matching.is_empty() {
            return Err(Fault::with_string(
                FaultCode::InvalidArguments,
                &format!("Invalid arguments: no transfer with CommandKey {command_key:?}"),
            ));
        }
        if matching.iter().any(|t| t.transfer_state() != 1) {
            return Err(Fault::new(FaultCode::CancelationNotPermitted));
        }
        self.file.update(|book| {
            book.transfers.retain(|t| t.command_key != command_key);
        });
        self.save("transfer-cancelled")
            .map_err(|e| Fault::with_string(FaultCode::InternalError, &e))
    }

    /// GetQueuedTransfers (A.4.1.6).
    pub fn queued_list(&self) -> Vec<QueuedTransferStruct> {
        self.all()
            .iter()
            .map(|t| QueuedTransferStruct {
                command_key: t.command_key.clone(),
                state: t.transfer_state(),
            })
            .collect()
    }

    /// GetAllQueuedTransfers (A.4.1.7).
    pub fn all_queued_list(&self) -> Vec<AllQueuedTransferStruct> {
        self.all()
            .iter()
            .map(|t| AllQueuedTransferStruct {
                command_key: t.command_key.clone(),
                state: t.transfer_state(),
                is_download: t.origin.is_download(),
                file_type: t.file_type.clone(),
                file_size: t.file_size,
                target_file_name: t.target_file_name.clone(),
            })
            .collect()
    }

    /// Whether a transfer is running (one at a time).
    pub fn busy(&self) -> bool {
        self.all().iter().any(Transfer::is_active)
    }

    /// Start the first due transfer, if none runs: persisted as in progress, then returned.
    pub fn start_due(&mut self, now_ms: i64) -> Option<Transfer> {
        if self.busy() {
            return None;
        }
        let id = self.all().iter().find(|t| t.is_due(now_ms))?.id;
        self.update(id, |t| t.start(now_ms));
        self.save_or_warn("transfer-started");
        self.get(id).cloned()
    }

    /// Queued ScheduleDownloads whose windows have passed complete with 9020. Returns those.
    pub fn expire(&mut self, now_ms: i64) -> Vec<Transfer> {
        let expired: Vec<u64> = self
            .all()
            .iter()
            .filter(|t| t.is_expired(now_ms))
            .map(|t| t.id)
            .collect();
        for &id in &expired {
            self.update(id, |t| t.expire(now_ms));
        }
        if !expired.is_empty() {
            self.save_or_warn("transfer-completed");
        }
        expired
            .iter()
            .filter_map(|&id| self.get(id).cloned())
            .collect()
    }

    /// The attempt ended. Returns the transfer when it completed (its events are due).
    pub fn finished(
        &mut self,
        id: u64,
        now_ms: i64,
        result: Result<(), TransferFault>,
    ) -> Option<Transfer> {
        self.update(id, |t| match &result {
            Ok(()) => t.succeed(now_ms),
            Err(fault) => t.fail(now_ms, fault),
        });
        self.save_or_warn("transfer-completed");
        self.get(id).filter(|t| t.is_completed()).cloned()
    }

    /// The file is whole and checked: persisted as being applied before the platform
    /// applies it (sysupgrade, restore); the reboot completes it.
    pub fn applying(&mut self, id: u64, now_ms: i64) -> Result<(), String> {
        self.update(id, |t| t.apply(now_ms));
        self.save("transfer-applying")
    }

    /// The agent starts: see [`Transfer::recover`]. Returns the transfers that completed
    /// with this boot (their events are due). Not persisted: the caller persists their
    /// events first, then calls [`Transfers::save_recovered`], so a crash in between
    /// replays the recovery rather than losing the events.
    pub fn recover(&mut self, booted: bool, now_ms: i64) -> Vec<Transfer> {
        let mut completed = Vec::new();
        self.file.update(|book| {
            for t in book.transfers.iter_mut() {
                let was_completed = t.is_completed();
                t.recover(booted, now_ms);
                if t.is_completed() && !was_completed {
                    info!(target: "cwmpd::transfer", "transfer {} ({:?}) completed with the boot", t.id, t.command_key);
                    completed.push(t.clone());
                }
            }
        });
        completed
    }

    pub fn save_recovered(&mut self) {
        self.save_or_warn("transfer-recovered");
    }

    /// Record an autonomous transfer (detected at boot).
    pub fn add_autonomous(&mut self, record: AutonomousRecord) {
        self.file.update(|book| book.autonomous.push(record));
        self.save_or_warn("autonomous-recorded");
    }

    /// The CPE requests waiting for the ACS: TransferComplete and
    /// AutonomousTransferComplete, oldest first.
    pub fn pending_requests(&self) -> Vec<CpeRequest> {
        let book = self.file.get();
        let completes = book
            .transfers
            .iter()
            .filter_map(Transfer::transfer_complete)
            .map(CpeRequest::TransferComplete);
        let autonomous = book
            .autonomous
            .iter()
            .map(|a| CpeRequest::AutonomousTransferComplete(a.request()));
        completes.chain(autonomous).collect()
    }

    pub fn has_pending_completes(&self) -> bool {
        self.all().iter().any(Transfer::is_completed)
    }

    pub fn has_pending_autonomous(&self) -> bool {
        !self.file.get().autonomous.is_empty()
    }

    /// The ACS acknowledged (or refused) a request: its record goes.
    pub fn delivered(&mut self, request: &CpeRequest) {
        self.file.update(|book| match request {
            CpeRequest::TransferComplete(tc) => {
                if let Some(index) = book
                    .transfers
                    .iter()
                    .position(|t| t.transfer_complete().as_ref() == Some(tc))
                {
                    book.transfers.remove(index);
                }
            }
            CpeRequest::AutonomousTransferComplete(atc) => {
                if let Some(index) = book.autonomous.iter().position(|a| &a.request() == atc) {
                    book.autonomous.remove(index);
                }
            }
            _ => {}
        });
        self.save_or_warn("transfer-delivered");
    }

    /// The next time a queued transfer may become due or expire.
    pub fn next_wake(&self, now_ms: i64) -> Option<i64> {
        self.all().iter().filter_map(|t| t.next_wake(now_ms)).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cwmp::rpc::Download;
    use crate::transfer::request;

    fn book(dir: &Path, depth: usize) -> Transfers {
        Transfers::open(&dir.join("transfers.json"), depth).unwrap()
    }

    fn download(key: &str, delay: u32) -> Transfer {
        let request = Download {
            command_key: key.into(),
            file_type: request::FIRMWARE.into(),
            url: "http://files.example/fw.bin".into(),
            delay_seconds: delay,
            ..Download::default()
        };
        request::download(&request, 0, 1.0).unwrap()
    }

    #[test]
    fn queue_is_bounded_and_lists_states() {
        let dir = tempfile::tempdir().unwrap();
        let mut transfers = book(dir.path(), 2);
        transfers.add(download("a", 0)).unwrap();
        transfers.add(download("b", 60)).unwrap();
        assert_eq!(
            transfers.add(download("c", 0)).unwrap_err().fault_code,
            9004
        );
        let started = transfers.start_due(1_000).unwrap();
        assert_eq!(started.command_key, "a");
        assert!(transfers.start_due(1_000).is_none(), "one at a time");
        let states: Vec<(String, u8)> = transfers
            .queued_list()
            .into_iter()
            .map(|q| (q.command_key, q.state))
            .collect();
        assert_eq!(states, [("a".to_string(), 2), ("b".to_string(), 1)]);
        assert_eq!(transfers.cancel("a").unwrap_err().fault_code, 9021);
        assert_eq!(transfers.cancel("zz").unwrap_err().fault_code, 9003);
        transfers.cancel("b").unwrap();
        assert_eq!(transfers.all().len(), 1);
    }

    #[test]
    fn a_completed_transfer_survives_reopening_until_delivered() {
        let dir = tempfile::tempdir().unwrap();
        let mut transfers = book(dir.path(), 4);
        let id = transfers.add(download("fw", 0)).unwrap();
        transfers.start_due(5_000).unwrap();
        transfers.applying(id, 9_000).unwrap();
        drop(transfers);

        let mut transfers = book(dir.path(), 4);
        let completed = transfers.recover(true, 60_000);
        assert_eq!(completed.len(), 1);
        transfers.save_recovered();
        let requests = transfers.pending_requests();
        assert_eq!(requests.len(), 1);
        drop(transfers);

        let mut transfers = book(dir.path(), 4);
        assert_eq!(transfers.pending_requests(), requests);
        transfers.delivered(&requests[0]);
        assert!(transfers.pending_requests().is_empty());
        assert!(book(dir.path(), 4).all().is_empty());
    }
}
