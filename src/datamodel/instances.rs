//! Stable instance numbers for multi-instance objects (TR-069 A.2.2.1, TR-106 §3.6.1).
//!
//! An instance number, once given to a backend object (a UCI section name, an ifname), stays
//! with it while it exists and is never given to another object afterwards. Each table has
//! one [`InstanceNumbers`], kept in the [`InstanceTables`] the daemon passes in every
//! `Context` and persists in its state (it is `serde`-serialisable); the numbers are never
//! written into system UCI files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Instance numbers of one table, keyed by the backend identity of each instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceNumbers {
    /// The next number to hand out (numbers start at 1 and only grow).
    #[serde(default = "first_number")]
    next: u32,
    #[serde(default)]
    by_key: BTreeMap<String, u32>,
    /// Aliases the ACS chose, by instance number (TR-069 §3.6.1; unset: `cpe-<n>`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    aliases: BTreeMap<u32, String>,
}

fn first_number() -> u32 {
    1
}

impl InstanceNumbers {
    pub fn new() -> InstanceNumbers {
        InstanceNumbers {
            next: 1,
            by_key: BTreeMap::new(),
            aliases: BTreeMap::new(),
        }
    }

    /// The number of `key`, assigning the next free one if it has none. `None` when the
    /// numbers are exhausted (after 4,294,967,295 instances).
    pub fn number_for(&mut self, key: &str) -> Option<u32> {
        if let Some(&number) = self.by_key.get(key) {
            return Some(number);
        }
        let number = self.next.max(1);
        self.next = number.checked_add(1)?;
        self.by_key.insert(key.to_string(), number);
        Some(number)
    }

    /// The key that has `number`.
    pub fn key_of(&self, number: u32) -> Option<&str> {
        self.by_key
            .iter()
            .find(|(_, &n)| n == number)
            .map(|(key, _)| key.as_str())
    }

    /// Forget `key`; its number is not reused.
    pub fn remove(&mut self, key: &str) -> Option<u32> {
        let number = self.by_key.remove(key)?;
        self.aliases.remove(&number);
        Some(number)
    }

    /// The alias the ACS gave instance `number`, if any.
    pub fn alias(&self, number: u32) -> Option<&str> {
        self.aliases.get(&number).map(String::as_str)
    }

    /// Give instance `number` an alias (checked by the engine).
    pub fn set_alias(&mut self, number: u32, alias: &str) {
        self.aliases.insert(number, alias.to_string());
    }

    /// Drop the alias of instance `number` (it was deleted).
    pub fn forget_alias(&mut self, number: u32) {
        self.aliases.remove(&number);
    }

    /// The backend identity of an instance changed (e.g. `@redirect[3]` became
    /// `@redirect[2]` when an earlier anonymous section was deleted): keep its number.
    pub fn rename_key(&mut self, from: &str, to: &str) {
        if let Some(number) = self.by_key.remove(from) {
            self.by_key.insert(to.to_string(), number);
        }
    }

    /// The keys that have numbers.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.by_key.keys().map(String::as_str)
    }

    /// Whether `key` has a number.
    pub fn contains_key(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Number exactly the objects `keys` (in the order given, so new objects get numbers in
    /// backend order), forgetting keys that no longer exist. Returns `(number, key)` pairs in
    /// ascending number order. Keys beyond the last number are left out.
    pub fn assign<'k>(&mut self, keys: &[&'k str]) -> Vec<(u32, &'k str)> {
        self.retain_keys(keys.iter().copied());
        let mut numbered: Vec<(u32, &'k str)> = keys
            .iter()
            .filter_map(|&key| self.number_for(key).map(|number| (number, key)))
            .collect();
        numbered.sort_unstable();
        numbered
    }

    /// Keep only the keys that still exist (after a backend change outside cwmpd).
    pub fn retain_keys<'a>(&mut self, existing: impl IntoIterator<Item = &'a str>) {
        let existing: std::collections::BTreeSet<&str> = existing.into_iter().collect();
        self.by_key.retain(|key, _| existing.contains(key.as_str()));
        let kept: std::collections::BTreeSet<u32> = self.by_key.values().copied().collect();
        self.aliases.retain(|number, _| kept.contains(number));
    }

    /// The numbers in use, ascending.
    pub fn numbers(&self) -> Vec<u32> {
        let mut numbers: Vec<u32> = self.by_key.values().copied().collect();
        numbers.sort_unstable();
        numbers
    }
}

/// The instance numbers of every table, by table name (areas use the table's path pattern,
/// e.g. `Device.NAT.PortMapping.{i}.`, so two areas referring to the same table share it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstanceTables {
    tables: BTreeMap<String, InstanceNumbers>,
}

impl InstanceTables {
    pub fn new() -> InstanceTables {
        InstanceTables::default()
    }

    /// The numbers of one table, if it has any (without creating it).
    pub fn get(&self, name: &str) -> Option<&InstanceNumbers> {
        self.tables.get(name)
    }

    /// The numbers of one table (empty at first use).
    pub fn table(&mut self, name: &str) -> &mut InstanceNumbers {
        self.tables.entry(name.to_string()).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stable_and_never_reused() {
        let mut numbers = InstanceNumbers::new();
        assert_eq!(numbers.number_for("lan"), Some(1));
        assert_eq!(numbers.number_for("wan"), Some(2));
        assert_eq!(numbers.number_for("lan"), Some(1));
        assert_eq!(numbers.remove("lan"), Some(1));
        assert_eq!(numbers.number_for("guest"), Some(3));
        assert_eq!(numbers.number_for("lan"), Some(4));
        assert_eq!(numbers.key_of(2), Some("wan"));
        assert_eq!(numbers.numbers(), vec![2, 3, 4]);
        numbers.retain_keys(["wan"]);
        assert_eq!(numbers.numbers(), vec![2]);
    }

    #[test]
    fn assign_numbers_in_backend_order_and_prunes() {
        let mut numbers = InstanceNumbers::new();
        assert_eq!(numbers.assign(&["b", "a"]), vec![(1, "b"), (2, "a")]);
        assert_eq!(numbers.assign(&["a", "c"]), vec![(2, "a"), (3, "c")]);
        assert!(!numbers.contains_key("b"));
        numbers.rename_key("c", "d");
        assert_eq!(numbers.assign(&["d"]), vec![(3, "d")]);
        assert_eq!(numbers.assign(&["b"]), vec![(4, "b")]);
    }

    #[test]
    fn tables_round_trip_through_json() {
        let mut tables = InstanceTables::new();
        tables.table("Device.X.{i}.").number_for("lan");
        let json = serde_json::to_string(&tables).unwrap();
        assert_eq!(json, r#"{"Device.X.{i}.":{"next":2,"by_key":{"lan":1}}}"#);
        let back: InstanceTables = serde_json::from_str(&json).unwrap();
        assert_eq!(back, tables);
    }

    #[test]
    fn round_trips_through_json() {
        let mut numbers = InstanceNumbers::new();
        numbers.number_for("lan");
        let json = serde_json::to_string(&numbers).unwrap();
        let back: InstanceNumbers = serde_json::from_str(&json).unwrap();
        assert_eq!(back, numbers);
        let empty: InstanceNumbers = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, InstanceNumbers::new());
    }

    #[test]
    fn aliases_persist_and_go_with_their_instance() {
        let mut numbers = InstanceNumbers::new();
        numbers.assign(&["a", "b", "c"]);
        numbers.set_alias(1, "web");
        numbers.set_alias(2, "ssh");
        numbers.set_alias(3, "ftp");
        let json = serde_json::to_string(&numbers).unwrap();
        assert_eq!(
            json,
            r#"{"next":4,"by_key":{"a":1,"b":2,"c":3},"aliases":{"1":"web","2":"ssh","3":"ftp"}}"#
        );
        let mut back: InstanceNumbers = serde_json::from_str(&json).unwrap();
        assert_eq!(back.alias(1), Some("web"));
        back.remove("a");
        back.retain_keys(["c"]);
        assert_eq!((back.alias(1), back.alias(2)), (None, None));
        assert_eq!(back.alias(3), Some("ftp"));
    }
}
