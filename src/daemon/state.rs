//! What the agent keeps across restarts and reboots, in `/etc/cwmpd/state.json` (flash on a
//! router; listed in keep.d so it survives sysupgrade). Written atomically, and only when it
//! changed, to spare the flash.

use serde::{Deserialize, Serialize};

use crate::cwmp::types::EventStruct;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentState {
    /// Undelivered events, oldest first: (EventCode, CommandKey).
    pub pending_events: Vec<(String, String)>,
    /// The ACS acknowledged a "0 BOOTSTRAP" Inform for `acs_url`.
    pub bootstrap_done: bool,
    /// The ACS URL of the last session; a different URL means a new ACS and "0 BOOTSTRAP".
    pub acs_url: String,
    /// ManagementServer.ParameterKey (TR-069 A.3.2.1): set by the ACS with SPV/Add/Delete.
    pub parameter_key: String,
    /// Consecutive failed sessions (the Inform's RetryCount and the back-off exponent).
    pub retry_count: u32,
    /// The connection request path chosen at first start when the config leaves it empty.
    pub cr_path: String,
    /// CommandKey of an ACS Reboot in progress: "M Reboot" is sent with it after the boot.
    pub reboot_command_key: Option<String>,
    /// ScheduleInform requests (A.4.1.4) not yet due, oldest first.
    pub scheduled_informs: Vec<ScheduledInform>,
    /// DeviceInfo.SoftwareVersion at the last start: a different one after a boot that no
    /// ACS Download explains is an autonomous firmware upgrade (LuCI, the command line).
    pub software_version: String,
    /// Parameter attributes (notification, access list) set by the ACS, as the engine saves them.
    pub attributes: serde_json::Value,
    /// RequestDownloads asked for on the device and not yet acknowledged by the ACS (A.4.2.2).
    pub requested_downloads: Vec<RequestedDownload>,
    /// Instance numbers of multi-instance objects, as the engine saves them.
    pub instances: serde_json::Value,
}

/// A one-time Inform the ACS asked for ("3 SCHEDULED" + "M ScheduleInform").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledInform {
    /// Due time, Unix milliseconds.
    pub at_ms: i64,
    pub command_key: String,
}

/// One RequestDownload: the FileType and its FileTypeArg (name, value) pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedDownload {
    pub file_type: String,
    pub args: Vec<(String, String)>,
}

impl AgentState {
    pub fn events(&self) -> Vec<EventStruct> {
        self.pending_events
            .iter()
            .map(|(code, key)| EventStruct::new(code, key))
            .collect()
    }

    pub fn set_events(&mut self, events: &[EventStruct]) {
        self.pending_events = events
            .iter()
            .map(|e| (e.event_code.clone(), e.command_key.clone()))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_or_partial_files_load_with_defaults() {
        let state: AgentState =
            serde_json::from_str(r#"{"parameter_key":"k1","unknown":3}"#).unwrap();
        assert_eq!(state.parameter_key, "k1");
        assert_eq!(state.retry_count, 0);
        assert!(state.pending_events.is_empty());
    }

    #[test]
    fn events_round_trip() {
        let mut state = AgentState::default();
        let events = vec![
            EventStruct::new("1 BOOT", ""),
            EventStruct::new("M Reboot", "k"),
        ];
        state.set_events(&events);
        assert_eq!(state.events(), events);
        let json = serde_json::to_string(&state.pending_events).unwrap();
        assert_eq!(json, r#"[["1 BOOT",""],["M Reboot","k"]]"#);
    }
}
