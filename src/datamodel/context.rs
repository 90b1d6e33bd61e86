//! What the engine and the areas get from the outside world for one call: where files live,
//! the time, the configuration backend and the runtime values the daemon computes.
//!
//! Nothing here reads a clock or a file: the daemon fills a [`Context`] for each call.

use std::collections::BTreeMap;

use super::error::BackendError;
use super::value::Value;
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

/// The configuration store the areas read and write, shaped like UCI: packages of named
/// sections holding options (`cwmpd.acs.url`). The daemon implements it over `UciStore`.
///
/// Contract:
/// - `get` answers from the package as last loaded plus this object's uncommitted changes.
///   Implementations load a package once (on first use in a session) and answer further `get`s
///   from memory; the engine and areas may call `get` many times.
/// - `set`/`delete`/`add_section`/`delete_section` change the in-memory package only.
/// - `commit` writes one package atomically (cwmpd's own delta directory, never LuCI's).
/// - `revert` drops uncommitted changes of a package (called when applying a transaction
///   failed half-way).
///
/// The engine calls the mutating methods only while applying a validated [`Transaction`]
/// (super::transaction::Transaction); areas never write directly.
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

    fn commit(&mut self, package: &str) -> Result<(), BackendError>;

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
}
