//! One diagnostics object's parameters as the daemon keeps them in memory
//! (`RuntimeValues::volatile`, by full path): what was written or measured, else the object's
//! defaults. Every diagnostics object reads its inputs and state this way.

use std::collections::BTreeMap;

use super::state::DiagnosticsState;
use crate::datamodel::Value;

pub struct Stored<'a> {
    values: &'a BTreeMap<String, Value>,
    /// The object's path, ending in a dot (`Device.IP.Diagnostics.IPPing.`).
    object: &'static str,
    defaults: fn(&str) -> Option<Value>,
}

impl<'a> Stored<'a> {
    pub fn new(
        values: &'a BTreeMap<String, Value>,
        object: &'static str,
        defaults: fn(&str) -> Option<Value>,
    ) -> Stored<'a> {
        Stored {
            values,
            object,
            defaults,
        }
    }

    /// A parameter of the object itself: written or measured, else its default.
    pub fn value(&self, name: &str) -> Option<Value> {
        self.values
            .get(&format!("{}{name}", self.object))
            .cloned()
            .or_else(|| (self.defaults)(name))
    }

    pub fn text(&self, name: &str) -> String {
        self.value(name)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn number(&self, name: &str) -> u32 {
        self.value(name)
            .and_then(|v| v.as_u64())
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or_default()
    }

    pub fn big_number(&self, name: &str) -> u64 {
        self.value(name)
            .and_then(|v| v.as_u64())
            .unwrap_or_default()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.value(name)
            .and_then(|v| v.as_bool())
            .unwrap_or_default()
    }

    pub fn state(&self) -> DiagnosticsState {
        DiagnosticsState::parse(&self.text("DiagnosticsState")).unwrap_or_default()
    }
}
