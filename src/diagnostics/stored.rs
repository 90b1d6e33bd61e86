//! One diagnostics object's parameters as the daemon keeps them in memory
//! (`RuntimeValues::volatile`, by full path): what was written or measured, else the object's
//! defaults. Every diagnostics object reads its inputs and state and writes its results (with
//! their result tables, `Table.{i}.Name`) this way.

use std::collections::BTreeMap;

use super::state::DiagnosticsState;
use crate::datamodel::Value;

/// An object's parameter defaults, by name (its `default_value`).
pub type Defaults = fn(&str) -> Option<Value>;

pub struct Stored<'a> {
    values: &'a BTreeMap<String, Value>,
    /// The object's path, ending in a dot (`Device.IP.Diagnostics.IPPing.`).
    object: &'static str,
    defaults: Defaults,
}

impl<'a> Stored<'a> {
    pub fn new(
        values: &'a BTreeMap<String, Value>,
        object: &'static str,
        defaults: Defaults,
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

/// Store result parameters of `object` (`Device.IP.Diagnostics.IPPing.`).
pub fn write_params<'a>(
    values: &mut BTreeMap<String, Value>,
    object: &str,
    params: impl IntoIterator<Item = (&'a str, Value)>,
) {
    for (name, value) in params {
        values.insert(format!("{object}{name}"), value);
    }
}

/// Replace the rows of the result table `table` (`RouteHops`) of `object`: row `i` is
/// instance `i + 1`. The count (`…NumberOfEntries`) is the caller's to write.
pub fn replace_rows<'a, R>(
    values: &mut BTreeMap<String, Value>,
    object: &str,
    table: &str,
    rows: impl IntoIterator<Item = R>,
) where
    R: IntoIterator<Item = (&'a str, Value)>,
{
    let prefix = format!("{object}{table}.");
    values.retain(|path, _| !path.starts_with(&prefix));
    for (index, row) in rows.into_iter().enumerate() {
        for (name, value) in row {
            values.insert(format!("{prefix}{}.{name}", index + 1), value);
        }
    }
}

/// The instances of `table` of `object`: 1 to its `…NumberOfEntries`.
pub fn row_instances(values: &BTreeMap<String, Value>, object: &str, table: &str) -> Vec<u32> {
    let count = values
        .get(&format!("{object}{table}NumberOfEntries"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    (1..=count as u32).collect()
}

/// A parameter of row `instance` of `table`.
pub fn row_value(
    values: &BTreeMap<String, Value>,
    object: &str,
    table: &str,
    instance: u32,
    name: &str,
) -> Option<Value> {
    values
        .get(&format!("{object}{table}.{instance}.{name}"))
        .cloned()
}
