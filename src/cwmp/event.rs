//! Inform events and their rules (TR-069 Amendment 6 §3.7.1.5 and the event code table of
//! A.3.3.1).
//!
//! - *Single* events ("1 BOOT", "2 PERIODIC", …) appear at most once in an Inform however often
//!   they happened; *multiple* events ("M Reboot", "M Download", …) appear once per CommandKey.
//! - Adding "0 BOOTSTRAP" discards every event queued before it: they were meant for an ACS
//!   relationship that no longer exists (new ACS URL, factory reset). While it is pending, adding
//!   it again changes nothing.
//! - Events are delivered when the InformResponse arrives. Until then they stay queued, except
//!   those the spec lets go when a session fails ("6 CONNECTION REQUEST") or when the CPE
//!   reboots ("1 BOOT" is raised anew, "4 VALUE CHANGE" and "8 DIAGNOSTICS COMPLETE" refer to
//!   state that no longer exists, …).

use super::types::EventStruct;

pub const BOOTSTRAP: &str = "0 BOOTSTRAP";
pub const BOOT: &str = "1 BOOT";
pub const PERIODIC: &str = "2 PERIODIC";
pub const SCHEDULED: &str = "3 SCHEDULED";
pub const VALUE_CHANGE: &str = "4 VALUE CHANGE";
pub const KICKED: &str = "5 KICKED";
pub const CONNECTION_REQUEST: &str = "6 CONNECTION REQUEST";
pub const TRANSFER_COMPLETE: &str = "7 TRANSFER COMPLETE";
pub const DIAGNOSTICS_COMPLETE: &str = "8 DIAGNOSTICS COMPLETE";
pub const REQUEST_DOWNLOAD: &str = "9 REQUEST DOWNLOAD";
pub const AUTONOMOUS_TRANSFER_COMPLETE: &str = "10 AUTONOMOUS TRANSFER COMPLETE";
pub const M_REBOOT: &str = "M Reboot";
pub const M_SCHEDULE_INFORM: &str = "M ScheduleInform";
pub const M_DOWNLOAD: &str = "M Download";
pub const M_SCHEDULE_DOWNLOAD: &str = "M ScheduleDownload";
pub const M_UPLOAD: &str = "M Upload";

/// The most events one Inform carries (the XSD's EventList allows 64).
pub const MAX_EVENTS: usize = 64;

/// How an event code behaves, per the A.3.3.1 table and §3.7.1.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPolicy {
    /// One entry per CommandKey ("M …") rather than one in all.
    pub multiple: bool,
    /// Kept for the next attempt when a session fails before the InformResponse.
    pub kept_after_failed_session: bool,
    /// Kept across a reboot of the CPE.
    pub kept_across_reboot: bool,
}

/// The policy of an event code. Unknown codes (vendor "X …" events) are treated like the
/// numbered single events that survive a failure but not a reboot.
pub fn policy(event_code: &str) -> EventPolicy {
    let (failure, reboot) = match event_code {
        BOOTSTRAP
        | PERIODIC
        | SCHEDULED
        | KICKED
        | TRANSFER_COMPLETE
        | REQUEST_DOWNLOAD
        | AUTONOMOUS_TRANSFER_COMPLETE => (true, true),
        "11 DU STATE CHANGE COMPLETE" | "12 AUTONOMOUS DU STATE CHANGE COMPLETE" => (true, true),
        BOOT | VALUE_CHANGE | DIAGNOSTICS_COMPLETE => (true, false),
        CONNECTION_REQUEST => (false, false),
        code if code.starts_with("M ") => (true, true),
        _ => (true, false),
    };
    EventPolicy {
        multiple: event_code.starts_with("M "),
        kept_after_failed_session: failure,
        kept_across_reboot: reboot,
    }
}

/// The queue of undelivered events, in the order they were raised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQueue {
    events: Vec<EventStruct>,
}

impl EventQueue {
    pub fn from_events(events: Vec<EventStruct>) -> EventQueue {
        let mut queue = EventQueue::default();
        for event in events {
            queue.add(event);
        }
        queue
    }

    pub fn events(&self) -> &[EventStruct] {
        &self.events
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn contains(&self, event_code: &str) -> bool {
        self.events.iter().any(|e| e.event_code == event_code)
    }

    /// Queue an event, applying the single/multiple and BOOTSTRAP rules. Returns whether the
    /// queue changed (so the caller persists only real changes).
    pub fn add(&mut self, event: EventStruct) -> bool {
        if event.event_code == BOOTSTRAP {
            // Already pending: the events queued after it belong to the same (new) ACS.
            if self.contains(BOOTSTRAP) {
                return false;
            }
            self.events = vec![event];
            return true;
        }
        let duplicate = if policy(&event.event_code).multiple {
            self.events.contains(&event)
        } else {
            self.contains(&event.event_code)
        };
        if duplicate {
            return false;
        }
        if self.events.len() >= MAX_EVENTS {
            // Keep the oldest (BOOTSTRAP, BOOT, transfer results); a flood of new "M" events
            // must not push them out.
            return false;
        }
        self.events.push(event);
        true
    }

    /// The InformResponse arrived: the events that were in the Inform are delivered.
    pub fn delivered(&mut self, sent: &[EventStruct]) -> bool {
        let before = self.events.len();
        self.events.retain(|e| !sent.contains(e));
        before != self.events.len()
    }

    /// A session failed before the InformResponse: drop what the spec lets go.
    pub fn session_failed(&mut self) -> bool {
        self.retain(|p| p.kept_after_failed_session)
    }

    /// The CPE rebooted: drop what does not survive a reboot.
    pub fn rebooted(&mut self) -> bool {
        self.retain(|p| p.kept_across_reboot)
    }

    fn retain(&mut self, keep: impl Fn(EventPolicy) -> bool) -> bool {
        let before = self.events.len();
        self.events.retain(|e| keep(policy(&e.event_code)));
        before != self.events.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(queue: &EventQueue) -> Vec<(&str, &str)> {
        queue
            .events()
            .iter()
            .map(|e| (e.event_code.as_str(), e.command_key.as_str()))
            .collect()
    }

    #[test]
    fn single_events_collapse_and_multiple_keep_each_command_key() {
        let mut queue = EventQueue::default();
        assert!(queue.add(EventStruct::new(PERIODIC, "")));
        assert!(!queue.add(EventStruct::new(PERIODIC, "")));
        assert!(queue.add(EventStruct::new(M_REBOOT, "a")));
        assert!(queue.add(EventStruct::new(M_REBOOT, "b")));
        assert!(!queue.add(EventStruct::new(M_REBOOT, "a")));
        assert_eq!(
            codes(&queue),
            [(PERIODIC, ""), (M_REBOOT, "a"), (M_REBOOT, "b")]
        );
    }

    #[test]
    fn bootstrap_clears_everything_queued_before_it() {
        let mut queue = EventQueue::from_events(vec![
            EventStruct::new(PERIODIC, ""),
            EventStruct::new(M_DOWNLOAD, "fw"),
        ]);
        assert!(queue.add(EventStruct::new(BOOTSTRAP, "")));
        assert!(queue.add(EventStruct::new(BOOT, "")));
        assert_eq!(codes(&queue), [(BOOTSTRAP, ""), (BOOT, "")]);
        // A BOOTSTRAP that is still pending keeps what was queued after it.
        assert!(!queue.add(EventStruct::new(BOOTSTRAP, "")));
        assert_eq!(codes(&queue), [(BOOTSTRAP, ""), (BOOT, "")]);
    }

    #[test]
    fn failed_session_drops_only_connection_request() {
        let mut queue = EventQueue::from_events(vec![
            EventStruct::new(BOOT, ""),
            EventStruct::new(VALUE_CHANGE, ""),
            EventStruct::new(CONNECTION_REQUEST, ""),
            EventStruct::new(M_SCHEDULE_INFORM, "k"),
        ]);
        assert!(queue.session_failed());
        assert_eq!(
            codes(&queue),
            [(BOOT, ""), (VALUE_CHANGE, ""), (M_SCHEDULE_INFORM, "k")]
        );
        assert!(!queue.session_failed());
    }

    #[test]
    fn reboot_keeps_bootstrap_transfers_and_m_events() {
        let mut queue = EventQueue::from_events(vec![
            EventStruct::new(BOOTSTRAP, ""),
            EventStruct::new(BOOT, ""),
            EventStruct::new(VALUE_CHANGE, ""),
            EventStruct::new(TRANSFER_COMPLETE, ""),
            EventStruct::new(DIAGNOSTICS_COMPLETE, ""),
            EventStruct::new(M_DOWNLOAD, "fw-1"),
        ]);
        assert!(queue.rebooted());
        assert_eq!(
            codes(&queue),
            [
                (BOOTSTRAP, ""),
                (TRANSFER_COMPLETE, ""),
                (M_DOWNLOAD, "fw-1")
            ]
        );
    }

    #[test]
    fn delivered_removes_exactly_what_was_sent() {
        let mut queue = EventQueue::from_events(vec![
            EventStruct::new(BOOT, ""),
            EventStruct::new(M_REBOOT, "x"),
        ]);
        let sent = queue.events().to_vec();
        queue.add(EventStruct::new(VALUE_CHANGE, ""));
        assert!(queue.delivered(&sent));
        assert_eq!(codes(&queue), [(VALUE_CHANGE, "")]);
    }

    #[test]
    fn queue_is_bounded() {
        let mut queue = EventQueue::from_events(vec![EventStruct::new(BOOT, "")]);
        for i in 0..100 {
            queue.add(EventStruct::new(M_DOWNLOAD, &i.to_string()));
        }
        assert_eq!(queue.events().len(), MAX_EVENTS);
        assert_eq!(queue.events()[0].event_code, BOOT);
    }

    #[test]
    fn policy_table_matches_the_spec() {
        let p = policy(CONNECTION_REQUEST);
        assert_eq!(
            (
                p.multiple,
                p.kept_after_failed_session,
                p.kept_across_reboot
            ),
            (false, false, false)
        );
        let p = policy(M_UPLOAD);
        assert_eq!(
            (
                p.multiple,
                p.kept_after_failed_session,
                p.kept_across_reboot
            ),
            (true, true, true)
        );
        let p = policy(BOOT);
        assert_eq!(
            (
                p.multiple,
                p.kept_after_failed_session,
                p.kept_across_reboot
            ),
            (false, true, false)
        );
        let p = policy(BOOTSTRAP);
        assert_eq!(
            (
                p.multiple,
                p.kept_after_failed_session,
                p.kept_across_reboot
            ),
            (false, true, true)
        );
    }
}
