//! Staged changes of one SetParameterValues / AddObject / DeleteObject (TR-069 A.3.2.1: the
//! changes are applied all together or not at all).
//!
//! Areas stage backend writes into a [`Transaction`] while the engine validates the request;
//! the engine applies it only when everything was valid, then commits each touched package
//! once.

use std::collections::BTreeSet;

use super::context::ConfigBackend;
use super::error::BackendError;
use super::instances::InstanceTables;
use super::value::Value;
use crate::platform::Action;

/// One staged write to the configuration backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChange {
    SetOption {
        package: String,
        section: String,
        option: String,
        value: String,
    },
    DeleteOption {
        package: String,
        section: String,
        option: String,
    },
    /// Make an option a list (no values deletes it).
    SetList {
        package: String,
        section: String,
        option: String,
        values: Vec<String>,
    },
    AddSection {
        package: String,
        section_type: String,
        name: String,
    },
    DeleteSection {
        package: String,
        name: String,
    },
}

impl ConfigChange {
    pub fn package(&self) -> &str {
        match self {
            ConfigChange::SetOption { package, .. }
            | ConfigChange::DeleteOption { package, .. }
            | ConfigChange::SetList { package, .. }
            | ConfigChange::AddSection { package, .. }
            | ConfigChange::DeleteSection { package, .. } => package,
        }
    }

    fn apply_to(&self, config: &mut dyn ConfigBackend) -> Result<(), BackendError> {
        match self {
            ConfigChange::SetOption {
                package,
                section,
                option,
                value,
            } => config.set(package, section, option, value),
            ConfigChange::DeleteOption {
                package,
                section,
                option,
            } => config.delete(package, section, option),
            ConfigChange::SetList {
                package,
                section,
                option,
                values,
            } => config.set_list(package, section, option, values),
            ConfigChange::AddSection {
                package,
                section_type,
                name,
            } => config.add_section(package, section_type, name),
            ConfigChange::DeleteSection { package, name } => config.delete_section(package, name),
        }
    }
}

/// A change to the instance numbers that must happen only if the writes are committed (a
/// deleted instance's number is forgotten only once it is really gone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceChange {
    Forget {
        table: String,
        key: String,
    },
    Rename {
        table: String,
        from: String,
        to: String,
    },
    /// Give instance `number` of `table` an alias (TR-069 §3.6.1).
    SetAlias {
        table: String,
        number: u32,
        alias: String,
    },
    /// Drop the alias of a deleted instance.
    ForgetAlias {
        table: String,
        number: u32,
    },
}

impl InstanceChange {
    fn apply_to(&self, instances: &mut InstanceTables) {
        match self {
            InstanceChange::Forget { table, key } => {
                instances.table(table).remove(key);
            }
            InstanceChange::Rename { table, from, to } => {
                instances.table(table).rename_key(from, to)
            }
            InstanceChange::SetAlias {
                table,
                number,
                alias,
            } => instances.table(table).set_alias(*number, alias),
            InstanceChange::ForgetAlias { table, number } => {
                instances.table(table).forget_alias(*number)
            }
        }
    }
}

/// The writes one RPC will make, and whether they take effect only later.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transaction {
    changes: Vec<ConfigChange>,
    instance_changes: Vec<InstanceChange>,
    /// In-memory parameters to write (full path, value), in order: a later write wins.
    volatile: Vec<(String, Value)>,
    /// System actions to take once the session is over (e.g. a DHCP renew).
    actions: Vec<Action>,
    applies_later: bool,
}

/// What applying a transaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The packages the commit changed, sorted; the daemon reloads their services once after
    /// the session (a write of the values a package already holds reloads nothing).
    pub packages: Vec<String>,
    /// The RPC's Status: 0 applied, 1 committed but takes effect later (A.3.2.1).
    pub status: u8,
}

impl Transaction {
    pub fn new() -> Transaction {
        Transaction::default()
    }

    pub fn set_option(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
        value: impl Into<String>,
    ) {
        self.changes.push(ConfigChange::SetOption {
            package: package.to_string(),
            section: section.to_string(),
            option: option.to_string(),
            value: value.into(),
        });
    }

    pub fn delete_option(&mut self, package: &str, section: &str, option: &str) {
        self.changes.push(ConfigChange::DeleteOption {
            package: package.to_string(),
            section: section.to_string(),
            option: option.to_string(),
        });
    }

    pub fn set_list(&mut self, package: &str, section: &str, option: &str, values: Vec<String>) {
        self.changes.push(ConfigChange::SetList {
            package: package.to_string(),
            section: section.to_string(),
            option: option.to_string(),
            values,
        });
    }

    pub fn add_section(&mut self, package: &str, section_type: &str, name: &str) {
        self.changes.push(ConfigChange::AddSection {
            package: package.to_string(),
            section_type: section_type.to_string(),
            name: name.to_string(),
        });
    }

    pub fn delete_section(&mut self, package: &str, name: &str) {
        self.changes.push(ConfigChange::DeleteSection {
            package: package.to_string(),
            name: name.to_string(),
        });
    }

    /// Forget the number of the instance `key` of `table` once the writes are committed.
    pub fn forget_instance(&mut self, table: &str, key: &str) {
        self.instance_changes.push(InstanceChange::Forget {
            table: table.to_string(),
            key: key.to_string(),
        });
    }

    /// Move a number from one backend identity to another once the writes are committed.
    pub fn rename_instance(&mut self, table: &str, from: &str, to: &str) {
        self.instance_changes.push(InstanceChange::Rename {
            table: table.to_string(),
            from: from.to_string(),
            to: to.to_string(),
        });
    }

    /// Give instance `number` of `table` the alias `alias` once the writes are committed.
    pub fn set_alias(&mut self, table: &str, number: u32, alias: &str) {
        self.instance_changes.push(InstanceChange::SetAlias {
            table: table.to_string(),
            number,
            alias: alias.to_string(),
        });
    }

    /// Drop the alias of instance `number` of `table` once the writes are committed.
    pub fn forget_alias(&mut self, table: &str, number: u32) {
        self.instance_changes.push(InstanceChange::ForgetAlias {
            table: table.to_string(),
            number,
        });
    }

    /// Stage a write to a parameter kept in memory ([`super::RuntimeValues::volatile`]).
    pub fn set_volatile(&mut self, path: impl Into<String>, value: Value) {
        self.volatile.push((path.into(), value));
    }

    /// The staged in-memory writes, in order.
    pub fn volatile_changes(&self) -> &[(String, Value)] {
        &self.volatile
    }

    /// Take the staged in-memory writes out (the engine applies them after the backend's).
    pub fn take_volatile(&mut self) -> Vec<(String, Value)> {
        std::mem::take(&mut self.volatile)
    }

    /// Ask for a system action once the session is over (TR-069 A.3.2.1: the RPC's effects
    /// come after the session). Marks the change as taking effect later.
    pub fn after_session(&mut self, action: Action) {
        self.actions.push(action);
        self.applies_later = true;
    }

    /// Take the staged actions out (the engine hands them to the daemon).
    pub fn take_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.actions)
    }

    /// Mark the change as taking effect only after a service reload or reboot: the RPC then
    /// answers Status 1.
    pub fn applies_later(&mut self) {
        self.applies_later = true;
    }

    pub fn changes(&self) -> &[ConfigChange] {
        &self.changes
    }

    /// Check that every staged configuration value can be stored: the backend keeps
    /// single-line text (UCI refuses line breaks and control characters other than the tab,
    /// libuci's `uci_validate_text`).
    pub fn check_storable(&self) -> Result<(), String> {
        let mut values = self.changes.iter().flat_map(|change| match change {
            ConfigChange::SetOption { value, .. } => std::slice::from_ref(value),
            ConfigChange::SetList { values, .. } => values.as_slice(),
            _ => &[],
        });
        match values.any(|value| !Transaction::is_storable(value)) {
            true => Err("line breaks and control characters cannot be stored: the \
                         configuration holds single-line text"
                .to_string()),
            false => Ok(()),
        }
    }

    /// Whether `value` is text the configuration can hold (no control character but the tab).
    pub fn is_storable(value: &str) -> bool {
        value.chars().all(|c| c == '\t' || c >= ' ')
    }

    pub fn instance_changes(&self) -> &[InstanceChange] {
        &self.instance_changes
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Write every change to `config`, then commit each touched package once. If a write
    /// fails, the uncommitted changes of every touched package are reverted. (A commit that
    /// fails after another package was committed leaves that package committed: commits of
    /// different files cannot be atomic together; all first areas write one package.)
    ///
    /// Instance-number changes are made in `instances` only after every commit succeeded.
    pub fn apply(
        self,
        config: &mut dyn ConfigBackend,
        instances: &mut InstanceTables,
    ) -> Result<Applied, BackendError> {
        let packages: BTreeSet<&str> = self.changes.iter().map(ConfigChange::package).collect();
        let written = self
            .changes
            .iter()
            .try_for_each(|change| change.apply_to(config));
        if let Err(error) = written {
            packages.iter().for_each(|package| config.revert(package));
            return Err(error);
        }
        let mut changed = Vec::with_capacity(packages.len());
        for package in packages {
            if config.commit(package)? {
                changed.push(package.to_string());
            }
        }
        for change in &self.instance_changes {
            change.apply_to(instances);
        }
        Ok(Applied {
            packages: changed,
            status: u8::from(self.applies_later),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datamodel::testing::MemoryConfig;

    #[test]
    fn only_single_line_text_is_storable() {
        let mut tx = Transaction::new();
        tx.set_option("wireless", "ap", "ssid", "tab\tand ü");
        tx.set_list("system", "ntp", "server", vec!["a".into(), "b".into()]);
        assert_eq!(tx.check_storable(), Ok(()));
        tx.set_list("system", "ntp", "server", vec!["a".into(), "b\0".into()]);
        assert!(tx.check_storable().is_err());
        let mut tx = Transaction::new();
        tx.set_option("wireless", "ap", "ssid", "two\nlines");
        assert!(tx.check_storable().is_err());
        assert!(!Transaction::is_storable("cr\r"));
        assert!(Transaction::is_storable("del\u{7f} and \u{85}"));
    }

    fn deleting_transaction() -> Transaction {
        let mut tx = Transaction::new();
        tx.delete_section("firewall", "a");
        tx.forget_instance("T", "a");
        tx.rename_instance("T", "@r[1]", "@r[0]");
        tx
    }

    fn numbered() -> InstanceTables {
        let mut instances = InstanceTables::new();
        instances.table("T").assign(&["a", "@r[1]"]);
        instances
    }

    #[test]
    fn instance_changes_follow_a_successful_commit() {
        let mut config = MemoryConfig::with(&[("firewall", "a", "x", "1")]);
        let mut instances = numbered();
        let applied = deleting_transaction()
            .apply(&mut config, &mut instances)
            .unwrap();
        assert_eq!(applied.packages, ["firewall"]);
        assert_eq!(config.committed("firewall", "a", "x"), None);
        assert_eq!(instances.table("T").assign(&["@r[0]"]), [(2, "@r[0]")]);
    }

    #[test]
    fn a_failed_commit_keeps_the_numbers() {
        let mut config = MemoryConfig::with(&[("firewall", "a", "x", "1")]);
        config.fail_commits = true;
        let mut instances = numbered();
        let result = deleting_transaction().apply(&mut config, &mut instances);
        assert!(matches!(result, Err(BackendError { .. })));
        assert_eq!(instances, numbered());
    }
}
