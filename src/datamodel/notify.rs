//! Parameter attributes (Notification, AccessList; TR-069 A.3.2.4/A.3.2.5) and value-change
//! detection (TR-069 §3.2.1, "4 VALUE CHANGE").
//!
//! The [`AttributeTable`] holds what the ACS set and is persisted by the daemon (it is
//! `serde`-serialisable; the engine reports `Effects::attributes_changed` when it changes).
//! Only entries that differ from a parameter's default are kept.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::schema::{ActiveNotify, ParamDef};
use crate::cwmp::types::ParameterValueStruct;

/// Notification off / passive / active (A.3.2.4). 3–6 are CWMP 1.4 lightweight notifications,
/// which cwmpd does not support.
pub const NOTIFICATION_OFF: u8 = 0;
pub const NOTIFICATION_PASSIVE: u8 = 1;
pub const NOTIFICATION_ACTIVE: u8 = 2;
const NOTIFICATION_MAX_DEFINED: u8 = 6;

/// The only AccessList entry TR-069 defines (A.3.2.4).
pub const ACCESS_SUBSCRIBER: &str = "Subscriber";

/// Attributes the ACS set on one parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAttributes {
    #[serde(default)]
    pub notification: u8,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_list: Vec<String>,
}

/// Attributes by concrete parameter path (`Device.IP.Interface.2.Enable`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeTable {
    #[serde(default)]
    pub parameters: BTreeMap<String, StoredAttributes>,
}

impl AttributeTable {
    /// The notification in force for a parameter (TR-069 A.3.2.4 with TR-106 activeNotify).
    pub fn notification(&self, name: &str, def: &ParamDef) -> u8 {
        if def.active_notify == ActiveNotify::ForceEnabled {
            return NOTIFICATION_ACTIVE;
        }
        self.parameters
            .get(name)
            .map(|stored| stored.notification)
            .unwrap_or_else(|| def.active_notify.default_notification())
    }

    pub fn access_list(&self, name: &str) -> &[String] {
        self.parameters
            .get(name)
            .map(|stored| stored.access_list.as_slice())
            .unwrap_or_default()
    }

    /// Record attributes, dropping the entry when it equals the parameter's default.
    pub(crate) fn store(&mut self, name: &str, def: &ParamDef, attributes: StoredAttributes) {
        let is_default = attributes.notification == def.active_notify.default_notification()
            && attributes.access_list.is_empty();
        if is_default {
            self.parameters.remove(name);
        } else {
            self.parameters.insert(name.to_string(), attributes);
        }
    }

    /// Forget the attributes of every parameter under an object path (after DeleteObject).
    pub(crate) fn remove_under(&mut self, object_path: &str) {
        self.parameters
            .retain(|name, _| !name.starts_with(object_path));
    }
}

/// Why a requested notification is refused, or `Ok` when it may be set.
pub(crate) fn check_notification(def: &ParamDef, notification: u8) -> Result<(), &'static str> {
    if notification > NOTIFICATION_MAX_DEFINED {
        return Err("undefined notification value");
    }
    if notification > NOTIFICATION_ACTIVE {
        return Err("lightweight notification is not supported");
    }
    match def.active_notify {
        ActiveNotify::CanDeny if notification == NOTIFICATION_ACTIVE => {
            Err("active notification is denied for this parameter (activeNotify=canDeny)")
        }
        ActiveNotify::ForceEnabled if notification != NOTIFICATION_ACTIVE => Err(
            "active notification is always enabled for this parameter (activeNotify=forceEnabled)",
        ),
        _ => Ok(()),
    }
}

/// Value changes found by one poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueChanges {
    /// True when at least one changed parameter has active notification: the daemon starts a
    /// session (subject to DefaultActiveNotificationThrottle).
    pub active: bool,
    /// The changed parameters with their current values, for the next Inform's ParameterList
    /// with event "4 VALUE CHANGE". The daemon keeps them until an Inform succeeds, merging
    /// by name (the latest value wins).
    pub changed: Vec<ParameterValueStruct>,
}

/// The last value seen of each watched parameter.
#[derive(Debug, Clone, Default)]
pub(crate) struct Baseline {
    values: HashMap<String, String>,
}

impl Baseline {
    /// Compare the current values of the watched parameters (name, value, notification) with
    /// the baseline, report the changes and make the current values the new baseline. A
    /// parameter seen for the first time is recorded, not reported.
    pub(crate) fn compare(&mut self, current: Vec<(ParameterValueStruct, u8)>) -> ValueChanges {
        let mut changes = ValueChanges::default();
        let mut next = HashMap::with_capacity(current.len());
        for (parameter, notification) in current {
            let changed = self
                .values
                .get(&parameter.name)
                .is_some_and(|last| *last != parameter.value);
            next.insert(parameter.name.clone(), parameter.value.clone());
            if changed {
                changes.active |= notification == NOTIFICATION_ACTIVE;
                changes.changed.push(parameter);
            }
        }
        self.values = next;
        changes
    }

    /// Forget a parameter's last value: its next value is taken as the new baseline without a
    /// notification (used after the ACS itself set it, TR-069 §3.2.1).
    pub(crate) fn forget(&mut self, name: &str) {
        self.values.remove(name);
    }

    pub(crate) fn forget_under(&mut self, object_path: &str) {
        self.values.retain(|name, _| !name.starts_with(object_path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datamodel::value::Type;

    fn pvs(name: &str, value: &str) -> ParameterValueStruct {
        ParameterValueStruct {
            name: name.into(),
            value: value.into(),
            ..Default::default()
        }
    }

    #[test]
    fn notification_rules_follow_active_notify() {
        let normal = ParamDef::read_write("X", Type::string(8));
        let deny = normal.clone().active_notify(ActiveNotify::CanDeny);
        let forced = normal.clone().active_notify(ActiveNotify::ForceEnabled);
        assert!(check_notification(&normal, 2).is_ok());
        assert!(check_notification(&deny, 1).is_ok());
        assert!(check_notification(&deny, 2).is_err());
        assert!(check_notification(&forced, 2).is_ok());
        assert!(check_notification(&forced, 0).is_err());
        assert!(check_notification(&normal, 3).is_err());
        assert!(check_notification(&normal, 7).is_err());
    }

    #[test]
    fn table_keeps_only_non_default_entries() {
        let def = ParamDef::read_only("CRURL", Type::string(8))
            .active_notify(ActiveNotify::ForceDefaultEnabled);
        let mut table = AttributeTable::default();
        assert_eq!(table.notification("Device.X", &def), 2);
        table.store("Device.X", &def, StoredAttributes::default());
        assert_eq!(table.notification("Device.X", &def), 0);
        table.store(
            "Device.X",
            &def,
            StoredAttributes {
                notification: 2,
                access_list: vec![],
            },
        );
        assert!(table.parameters.is_empty());
    }

    #[test]
    fn baseline_reports_changes_once() {
        let mut baseline = Baseline::default();
        let first = baseline.compare(vec![(pvs("A", "1"), 1), (pvs("B", "x"), 2)]);
        assert_eq!(first, ValueChanges::default());
        let second = baseline.compare(vec![(pvs("A", "2"), 1), (pvs("B", "x"), 2)]);
        assert!(!second.active);
        assert_eq!(second.changed, vec![pvs("A", "2")]);
        let third = baseline.compare(vec![(pvs("A", "2"), 1), (pvs("B", "y"), 2)]);
        assert!(third.active);
        assert_eq!(third.changed, vec![pvs("B", "y")]);
        baseline.forget("B");
        let fourth = baseline.compare(vec![(pvs("A", "2"), 1), (pvs("B", "z"), 2)]);
        assert_eq!(fourth, ValueChanges::default());
    }
}
