//! Staged changes of one SetParameterValues / AddObject / DeleteObject (TR-069 A.3.2.1: the
//! changes are applied all together or not at all).
//!
//! Areas stage backend writes into a [`Transaction`] while the engine validates the request;
//! the engine applies it only when everything was valid, then commits each touched package
//! once.

use std::collections::BTreeSet;

use super::context::ConfigBackend;
use super::error::BackendError;
use super::value::Value;

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
            ConfigChange::AddSection {
                package,
                section_type,
                name,
            } => config.add_section(package, section_type, name),
            ConfigChange::DeleteSection { package, name } => config.delete_section(package, name),
        }
    }
}

/// The writes one RPC will make, and whether they take effect only later.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transaction {
    changes: Vec<ConfigChange>,
    /// In-memory parameters to write (full path, value), in order: a later write wins.
    volatile: Vec<(String, Value)>,
    applies_later: bool,
}

/// What applying a transaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The packages committed, sorted; the daemon reloads their services once after the
    /// session.
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

    /// Mark the change as taking effect only after a service reload or reboot: the RPC then
    /// answers Status 1.
    pub fn applies_later(&mut self) {
        self.applies_later = true;
    }

    pub fn changes(&self) -> &[ConfigChange] {
        &self.changes
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Write every change to `config`, then commit each touched package once. If a write
    /// fails, the uncommitted changes of every touched package are reverted. (A commit that
    /// fails after another package was committed leaves that package committed: commits of
    /// different files cannot be atomic together; all first areas write one package.)
    pub fn apply(self, config: &mut dyn ConfigBackend) -> Result<Applied, BackendError> {
        let packages: BTreeSet<&str> = self.changes.iter().map(ConfigChange::package).collect();
        let written = self
            .changes
            .iter()
            .try_for_each(|change| change.apply_to(config));
        if let Err(error) = written {
            packages.iter().for_each(|package| config.revert(package));
            return Err(error);
        }
        for package in &packages {
            config.commit(package)?;
        }
        Ok(Applied {
            packages: packages.into_iter().map(str::to_string).collect(),
            status: u8::from(self.applies_later),
        })
    }
}
