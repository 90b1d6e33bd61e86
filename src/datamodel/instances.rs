//! Stable instance numbers for multi-instance objects (TR-069 A.2.2.1, TR-106 §3.6.1).
//!
//! An instance number, once given to a backend object (a UCI section name, an ifname), stays
//! with it while it exists and is never given to another object afterwards. Each table has
//! one [`InstanceNumbers`], kept in the [`InstanceTables`] the daemon passes in every
//! `Context` and persists in its state (it is `serde`-serialisable); the numbers are never
//! written into system UCI files.
//!
//! Persisting costs a flash write whenever a table's keys change, so two rules keep the state
//! small and quiet:
//! - **Volatile tables** (`InstanceTables::volatile_table`) live in memory only. They are for
//!   read-only live tables whose keys churn (processes, a host's addresses): TR-069 asks only
//!   that a number stays with its instance while it exists and is not given to another one
//!   (A.2.2.1), which memory alone guarantees within one daemon's life. Tables below a
//!   volatile table's instances are volatile too.
//! - **Orphans**: the tables below an instance that no longer exists
//!   (`Device.Hosts.Host.3.IPv4Address.{i}.` once host 3 is gone) are dropped by
//!   `InstanceTables::prune_orphans`; number 3 is never handed out again, so they would only
//!   grow.

use std::collections::{BTreeMap, BTreeSet};

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
/// e.g. `Device.NAT.PortMapping.{i}.`, so two areas referring to the same table share it;
/// a table below an instance names it: `Device.Hosts.Host.3.IPv4Address.{i}.`).
///
/// Serialises the persistent tables only (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "BTreeMap<String, InstanceNumbers>")]
pub struct InstanceTables {
    tables: BTreeMap<String, InstanceNumbers>,
    /// Names of the tables kept in memory only.
    volatile: BTreeSet<String>,
}

impl From<BTreeMap<String, InstanceNumbers>> for InstanceTables {
    fn from(tables: BTreeMap<String, InstanceNumbers>) -> InstanceTables {
        InstanceTables {
            tables,
            volatile: BTreeSet::new(),
        }
    }
}

impl Serialize for InstanceTables {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.tables
                .iter()
                .filter(|(name, _)| !self.is_volatile(name)),
        )
    }
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

    /// The numbers of a table kept in memory only, never persisted: for read-only live
    /// tables whose keys churn (a process list). Numbers still never repeat while the daemon
    /// runs; after a restart the table starts again at 1.
    pub fn volatile_table(&mut self, name: &str) -> &mut InstanceNumbers {
        if !self.volatile.contains(name) {
            self.volatile.insert(name.to_string());
        }
        self.table(name)
    }

    /// Whether `name` is kept in memory only: marked so, or below an instance of such a table.
    pub fn is_volatile(&self, name: &str) -> bool {
        let mut name = name.to_string();
        loop {
            if self.volatile.contains(&name) {
                return true;
            }
            match parent_instance(&name) {
                Some((parent, _)) => name = parent,
                None => return false,
            }
        }
    }

    /// Drop the tables below instances that no longer exist (their parent table has no such
    /// number now). A table whose parent table is unknown is kept.
    pub fn prune_orphans(&mut self) {
        let orphans: Vec<String> = self
            .tables
            .keys()
            .filter(|name| self.is_orphan(name))
            .cloned()
            .collect();
        for name in orphans {
            self.tables.remove(&name);
            self.volatile.remove(&name);
        }
    }

    fn is_orphan(&self, name: &str) -> bool {
        let Some((parent, number)) = parent_instance(name) else {
            return false;
        };
        match self.tables.get(&parent) {
            Some(numbers) => numbers.key_of(number).is_none() || self.is_orphan(&parent),
            None => false,
        }
    }
}

/// The table and number of the instance a table is below: `Device.Hosts.Host.3.IPv4Address.{i}.`
/// → (`Device.Hosts.Host.{i}.`, 3). `None` for a top-level table.
fn parent_instance(name: &str) -> Option<(String, u32)> {
    let segments: Vec<&str> = name.split('.').collect();
    let (index, number) = segments
        .iter()
        .enumerate()
        .rev()
        .find_map(|(index, segment)| Some((index, segment.parse::<u32>().ok()?)))?;
    Some((format!("{}.{{i}}.", segments[..index].join(".")), number))
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
    fn volatile_tables_are_numbered_but_never_saved() {
        let mut tables = InstanceTables::new();
        tables.table("Device.X.{i}.").number_for("lan");
        let processes = "Device.DeviceInfo.ProcessStatus.Process.{i}.";
        assert_eq!(
            tables.volatile_table(processes).assign(&["1@5", "2@9"]),
            [(1, "1@5"), (2, "2@9")]
        );
        // Process 1 ended, 7 started: 2 keeps its number, 1's is not reused.
        assert_eq!(
            tables.volatile_table(processes).assign(&["2@9", "7@40"]),
            [(2, "2@9"), (3, "7@40")]
        );
        // Tables below a volatile table's instances are volatile too.
        tables.table("Device.DeviceInfo.ProcessStatus.Process.2.X.{i}.");
        assert!(tables.is_volatile("Device.DeviceInfo.ProcessStatus.Process.2.X.{i}."));
        assert!(!tables.is_volatile("Device.X.{i}."));
        let json = serde_json::to_string(&tables).unwrap();
        assert_eq!(json, r#"{"Device.X.{i}.":{"next":2,"by_key":{"lan":1}}}"#);
        let back: InstanceTables = serde_json::from_str(&json).unwrap();
        assert_eq!(back.get(processes), None);
        assert_eq!(back.get("Device.X.{i}."), tables.get("Device.X.{i}."));
    }

    #[test]
    fn tables_below_instances_that_are_gone_are_pruned() {
        let mut tables = InstanceTables::new();
        let hosts = "Device.Hosts.Host.{i}.";
        tables.table(hosts).assign(&["aa", "bb"]);
        for host in [1, 2, 7] {
            let name = format!("Device.Hosts.Host.{host}.IPv4Address.{{i}}.");
            tables.table(&name).assign(&["192.0.2.1"]);
        }
        tables
            .table("Device.Hosts.Host.1.IPv4Address.1.Deep.{i}.")
            .assign(&["x"]);
        tables.table("Device.Other.4.Table.{i}.").assign(&["x"]);
        // Host aa (number 1) left.
        tables.table(hosts).assign(&["bb"]);
        tables.prune_orphans();
        let names: Vec<&str> = tables.tables.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "Device.Hosts.Host.2.IPv4Address.{i}.",
                "Device.Hosts.Host.{i}.",
                // No table `Device.Other.{i}.`: nothing says instance 4 is gone.
                "Device.Other.4.Table.{i}.",
            ]
        );
    }

    #[test]
    fn parents_of_tables() {
        assert_eq!(
            parent_instance("Device.WiFi.AccessPoint.2.AssociatedDevice.{i}."),
            Some(("Device.WiFi.AccessPoint.{i}.".to_string(), 2))
        );
        assert_eq!(
            parent_instance("Device.Hosts.Host.3.IPv6Address.{i}."),
            Some(("Device.Hosts.Host.{i}.".to_string(), 3))
        );
        assert_eq!(parent_instance("Device.NAT.PortMapping.{i}."), None);
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
