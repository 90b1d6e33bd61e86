//! The agent's side of diagnostics: a test the ACS requested runs after the session as a
//! local task (like transfers), never blocking the loop; when it ends its results go into the
//! data model and "8 DIAGNOSTICS COMPLETE" starts a session (TR-069 §3.7.1.5, A.3.3.1).
//! Writing an input while the test runs cancels it (the engine set DiagnosticsState to None).

use log::{info, warn};
use tokio::task::AbortHandle;

use super::Agent;
use crate::cwmp::event;
use crate::cwmp::types::EventStruct;
use crate::daemon::cr_url::linux_device;
use crate::diagnostics::{DiagnosticsState, Finished, Job, Test};
use crate::tr181::ip_diagnostics::referenced_interface;

/// Requested and running diagnostics.
#[derive(Debug, Default)]
pub(super) struct DiagnosticsRuns {
    /// Requested in a session, start once it is over.
    pending: Vec<Test>,
    /// Running tests: which, their number, a way to stop them.
    running: Vec<(Test, u64, AbortHandle)>,
    /// Numbers the runs, so a result of a canceled run is never taken.
    generation: u64,
}

impl DiagnosticsRuns {
    fn cancel(&mut self, test: Test) {
        self.running.retain(|(running, _, handle)| {
            if *running == test {
                info!(target: "cwmpd::diagnostics", "{test:?} canceled");
                handle.abort();
            }
            *running != test
        });
    }
}

impl Agent {
    /// After an RPC or a local change: start, restart or cancel as DiagnosticsState says.
    pub(super) fn diagnostics_after_change(&mut self) {
        let changed = self.model.take_volatile_changed();
        for test in Test::ALL {
            if !changed.iter().any(|path| path.starts_with(test.object())) {
                continue;
            }
            let state_path = format!("{}DiagnosticsState", test.object());
            let requested = test.state(self.model.volatile()) == DiagnosticsState::Requested;
            let requested_now = requested && changed.contains(&state_path);
            let runs = &mut self.diagnostics;
            if requested_now || !requested {
                runs.cancel(test);
                runs.pending.retain(|pending| *pending != test);
            }
            if requested_now {
                runs.pending.push(test);
            }
        }
    }

    /// The requested tests to start now (only between sessions: the test begins after the
    /// session that requested it, TR-069 A.4.1), each with its number.
    pub fn next_diagnostics_jobs(&mut self) -> Vec<(u64, Job)> {
        if self.session_open {
            return Vec::new();
        }
        let tests = std::mem::take(&mut self.diagnostics.pending);
        tests
            .into_iter()
            .map(|test| {
                self.diagnostics.generation += 1;
                let mut job = test.job(self.model.volatile());
                let device = self.interface_device(job.interface_mut());
                *job.interface_mut() = device;
                info!(target: "cwmpd::diagnostics", "{job:?} started");
                (self.diagnostics.generation, job)
            })
            .collect()
    }

    /// The Linux device to bind a test to: the one netifd uses for the interface the
    /// `Interface` reference names (empty: routing decides, also when it names none now).
    pub(super) fn interface_device(&self, reference: &str) -> String {
        if reference.is_empty() {
            return String::new();
        }
        let name = referenced_interface(self.model.instances(), reference);
        let network = self.network_config();
        let device = name.and_then(|name| linux_device(network.as_ref()?, &name));
        device.unwrap_or_else(|| {
            warn!(target: "cwmpd::diagnostics", "{reference} has no Linux device: routing decides");
            String::new()
        })
    }

    /// The task of `generation` started with `run`.
    pub fn diagnostics_started(&mut self, test: Test, generation: u64, run: AbortHandle) {
        self.diagnostics.running.push((test, generation, run));
    }

    /// A test ended: keep its results (until the next test) and report it.
    pub fn diagnostics_finished(&mut self, generation: u64, finished: Finished) {
        let runs = &mut self.diagnostics.running;
        let Some(index) = runs.iter().position(|(_, g, _)| *g == generation) else {
            return;
        };
        let (test, _, _) = runs.remove(index);
        if test.state(self.model.volatile()) != DiagnosticsState::Requested {
            return;
        }
        info!(target: "cwmpd::diagnostics", "{}", finished.summary());
        finished.write(self.model.volatile_mut());
        self.raise(EventStruct::new(event::DIAGNOSTICS_COMPLETE, ""));
        self.refresh_status();
        self.wake_loop();
    }
}
