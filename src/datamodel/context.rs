//! What the engine and the areas get from the outside world for one call: where files live,
//! the time, the configuration backend and the runtime values the daemon computes.
//!
//! Nothing here reads a clock or a file: the daemon fills a [`Context`] for each call.

use std::collections::BTreeMap;

use super::error::BackendError;
use super::instances::InstanceTables;
use super::value::Value;
use crate::live::LiveState;
use crate::platform::Paths;

/// Runtime values the daemon supplies (not stored in any configuration file by the engine).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuntimeValues {
    /// `Device.ManagementServer.ConnectionRequestURL`, computed by the daemon from the WAN
    /// address and the CR listener's port/path. Empty while unknown.
    pub connection_request_url: String,
    /// `Device.ManagementServer.ParameterKey`, persisted by the daemon's store. The engine
    /// updates it here when a SetParameterValues/AddObject/DeleteObject succeeds and also
    /// reports the new value in `Effects::parameter_key` so the daemon persists it.
    pub parameter_key: String,
    /// Parameters kept in the daemon's memory only, by full path (diagnostics inputs and
    /// results: TR-181 asks no persistence across reboot). Areas stage writes to them with
    /// [`super::Transaction::set_volatile`]; the engine applies them with the rest.
    pub volatile: BTreeMap<String, Value>,
}

/// The value of an option: UCI's `option` (one string) or `list` (several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    Single(String),
    List(Vec<String>),
}

impl ConfigValue {
    /// The items; a single value is a one-item list.
    pub fn items(&self) -> Vec<&str> {
        match self {
            ConfigValue::Single(value) => vec![value.as_str()],
            ConfigValue::List(items) => items.iter().map(String::as_str).collect(),
        }
    }
}

/// One section of a package as it is at the moment it was read (see
/// [`ConfigBackend::sections`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSection {
    /// The section's name; for an anonymous section the id libuci gives it (`cfg02dc81`),
    /// which addresses it until the package is read again.
    pub name: String,
    pub anonymous: bool,
    pub section_type: String,
    /// The index among the sections of its type, as in `@type[index]`.
    pub index: usize,
    /// The options in file order.
    pub options: Vec<(String, ConfigValue)>,
}

impl ConfigSection {
    pub fn value(&self, option: &str) -> Option<&ConfigValue> {
        self.options
            .iter()
            .find(|(name, _)| name == option)
            .map(|(_, value)| value)
    }

    /// A single value, or the items of a list joined by spaces (what `config_get` gives a
    /// shell script); `None` when unset.
    pub fn get(&self, option: &str) -> Option<String> {
        self.value(option).map(|value| value.items().join(" "))
    }

    /// The items of a list, a single value as one item, nothing when unset.
    pub fn list(&self, option: &str) -> Vec<&str> {
        self.value(option)
            .map(ConfigValue::items)
            .unwrap_or_default()
    }

    /// The key that identifies the section across reads: its name, or `@type[index]` for an
    /// anonymous section (libuci's ids of anonymous sections change when any earlier
    /// anonymous section of the package is added or removed; the index changes only when an
    /// earlier section of the same type is).
    pub fn key(&self) -> String {
        match self.anonymous {
            true => format!("@{}[{}]", self.section_type, self.index),
            false => self.name.clone(),
        }
    }
}

/// The configuration store the areas read and write, shaped like UCI: packages of named
/// sections holding options (`cwmpd.acs.url`). The daemon implements it over `UciStore`.
///
/// Contract:
/// - `get` and `sections` answer from the package as last loaded plus this object's
///   uncommitted changes. Implementations load a package once (on first use in a session) and
///   answer further calls from memory; the engine and areas may call them many times.
/// - `set`/`set_list`/`delete`/`add_section`/`delete_section` change the in-memory package
///   only.
/// - `commit` writes one package atomically (cwmpd's own delta directory, never LuCI's).
/// - `revert` drops uncommitted changes of a package (called when applying a transaction
///   failed half-way).
///
/// The engine calls the mutating methods only while applying a validated
/// [`Transaction`](super::transaction::Transaction); areas never write directly.
pub trait ConfigBackend {
    fn get(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
    ) -> Result<Option<String>, BackendError>;

    fn set(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
        value: &str,
    ) -> Result<(), BackendError>;

    fn delete(&mut self, package: &str, section: &str, option: &str) -> Result<(), BackendError>;

    /// Every section of a package, in file order (for areas whose tables are sections). A
    /// missing package has no sections.
    fn sections(&mut self, package: &str) -> Result<Vec<ConfigSection>, BackendError> {
        Err(BackendError::new(format!(
            "listing the sections of {package} is not supported by this backend"
        )))
    }

    /// Make an option a list of `values` (no values deletes it).
    fn set_list(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
        values: &[String],
    ) -> Result<(), BackendError> {
        let _ = (section, option, values);
        Err(BackendError::new(format!(
            "list options of {package} are not supported by this backend"
        )))
    }

    /// Add a named section of `section_type` (for areas whose table instances are sections).
    fn add_section(
        &mut self,
        package: &str,
        section_type: &str,
        name: &str,
    ) -> Result<(), BackendError> {
        let _ = (section_type, name);
        Err(BackendError::new(format!(
            "adding sections to {package} is not supported by this backend"
        )))
    }

    fn delete_section(&mut self, package: &str, name: &str) -> Result<(), BackendError> {
        let _ = name;
        Err(BackendError::new(format!(
            "deleting sections of {package} is not supported by this backend"
        )))
    }

    /// Write the package's changes for good. `true` when the stored package changed (a write
    /// of the values it already holds changes nothing, and no service needs a reload).
    fn commit(&mut self, package: &str) -> Result<bool, BackendError>;

    fn revert(&mut self, package: &str);
}

/// Everything one engine call may use. Built by the daemon per RPC (cheap: all borrows).
pub struct Context<'a> {
    /// Where system files live (under `--root` in the sandbox).
    pub paths: &'a Paths,
    /// Now, in Unix seconds (UTC).
    pub now: i64,
    /// Seconds since boot (`/proc/uptime`, read by the daemon).
    pub uptime: u64,
    pub config: &'a mut dyn ConfigBackend,
    pub runtime: &'a mut RuntimeValues,
    /// The instance numbers of every table (TR-069 A.2.2.1), owned and persisted by the daemon
    /// (never written into system configuration files).
    pub instances: &'a mut InstanceTables,
    /// The running router as last gathered by the daemon (netlink, ubus, `/proc`): see
    /// `crate::live` for when it is refreshed. Read-only for areas.
    pub live: &'a LiveState,
}
