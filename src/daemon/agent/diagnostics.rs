//! The agent's side of diagnostics: a test the ACS requested runs after the session as a
//! local task (like transfers), never blocking the loop; when it ends its results go into the
//! data model and "8 DIAGNOSTICS COMPLETE" starts a session (TR-069 §3.7.1.5, A.3.3.1).
//! Writing an input while the test runs cancels it (the engine set DiagnosticsState to None).

use log::info;
use tokio::task::AbortHandle;

use super::Agent;
use crate::cwmp::event;
use crate::cwmp::types::EventStruct;
use crate::diagnostics::ip_ping::{self, IpPingInputs, IpPingResults};
use crate::diagnostics::DiagnosticsState;

/// Requested and running diagnostics (IPPing so far).
#[derive(Debug, Default)]
pub(super) struct DiagnosticsRuns {
    /// Requested in a session, starts once it is over.
    pending: bool,
    /// The running test: its number and a way to stop it.
    running: Option<(u64, AbortHandle)>,
    /// Numbers the runs, so a result of a canceled run is never taken.
    generation: u64,
}

/// A test to start: run it, then hand the results to [`Agent::diagnostics_finished`].
pub struct DiagnosticsJob {
    pub generation: u64,
    pub inputs: IpPingInputs,
}

impl Agent {
    /// After an RPC or a local change: start, restart or cancel as DiagnosticsState says.
    pub(super) fn diagnostics_after_change(&mut self) {
        let changed = self.model.take_volatile_changed();
        if changed.is_empty() {
            return;
        }
        let state_path = format!("{}DiagnosticsState", ip_ping::OBJECT);
        let requested = ip_ping::state(self.model.volatile()) == DiagnosticsState::Requested;
        let requested_now = requested && changed.contains(&state_path);
        if requested_now || !requested {
            if let Some((_, run)) = self.diagnostics.running.take() {
                info!(target: "cwmpd::diagnostics", "IPPing canceled");
                run.abort();
            }
        }
        self.diagnostics.pending = requested && (requested_now || self.diagnostics.pending);
    }

    /// The requested test to start now (only between sessions: TR-069 A.4.1 wants the test
    /// to begin after the session that requested it).
    pub fn next_diagnostics_job(&mut self) -> Option<DiagnosticsJob> {
        if !std::mem::take(&mut self.diagnostics.pending) || self.session_open {
            return None;
        }
        self.diagnostics.generation += 1;
        let inputs = IpPingInputs::from_values(self.model.volatile());
        info!(target: "cwmpd::diagnostics", "IPPing to {:?} started", inputs.host);
        Some(DiagnosticsJob {
            generation: self.diagnostics.generation,
            inputs,
        })
    }

    /// The task of `generation` started with `run`.
    pub fn diagnostics_started(&mut self, generation: u64, run: AbortHandle) {
        self.diagnostics.running = Some((generation, run));
    }

    /// A test ended: keep its results (until the next test) and report it.
    pub fn diagnostics_finished(&mut self, generation: u64, results: IpPingResults) {
        match &self.diagnostics.running {
            Some((running, _)) if *running == generation => self.diagnostics.running = None,
            _ => return,
        }
        if ip_ping::state(self.model.volatile()) != DiagnosticsState::Requested {
            return;
        }
        info!(
            target: "cwmpd::diagnostics",
            "IPPing {}: {} of {} answered",
            results.state.name(),
            results.success_count,
            results.success_count + results.failure_count
        );
        results.write(self.model.volatile_mut());
        self.raise(EventStruct::new(event::DIAGNOSTICS_COMPLETE, ""));
        self.refresh_status();
        self.wake_loop();
    }
}
