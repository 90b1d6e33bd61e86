//! Alias-based addressing (TR-069 Amendment 6 §3.6.1, A.2.2.1, Appendix II; TR-181 `Alias`).
//!
//! Every multi-instance object gets an `Alias` parameter (string(64), readWrite), served by the
//! engine itself, not by the areas: the aliases live next to the instance numbers in
//! [`super::instances::InstanceNumbers`] (cwmpd's own state, never a system UCI file).
//!
//! - An instance the ACS did not name has the alias `cpe-<n>` (`<n>` its instance number):
//!   TR-181 `Alias` rule 3, "the CPE MUST assign a value with a `cpe-` prefix". Because
//!   instance numbers are never reused, these are unique and persistent without being stored.
//! - The ACS may set an alias (SetParameterValues, or AddObject with `Table.[alias].`). It must
//!   be unique in its table, start with a letter (so it is never an instance number), not
//!   start with `cpe-`, and be at most 64 characters; otherwise 9007 (9005 for AddObject).
//! - `[alias]` path segments resolve only while `ManagementServer.InstanceMode` is
//!   `InstanceAlias` (stored in UCI `cwmpd.cpe.instance_mode`); in `InstanceNumber` mode they
//!   are invalid names (9005). Instance numbers are accepted in both modes.
//! - Responses always name instances by number (cwmpd does not return alias-based names; the
//!   ACS gets each instance's alias from its `Alias` parameter).
//! - AddObject `Table.[alias].` creates an instance with that alias (A.3.2.6); an alias that
//!   is taken, CPE-style or not allowed makes the object name invalid (9005), as does any
//!   `[alias]` in InstanceNumber mode.
//! - `ManagementServer.AutoCreateInstances` is not served (as if false): a SetParameterValues
//!   on an `[alias]` no instance has is an invalid name (9005), never an implicit AddObject.

use super::context::ConfigBackend;
use super::error::BackendError;
use super::schema::ParamDef;
use super::value::Type;

/// The name of the parameter every table gets.
pub const ALIAS: &str = "Alias";

/// The prefix of the aliases the CPE assigns (TR-181 `Alias` rule 3).
pub const CPE_PREFIX: &str = "cpe-";

/// TR-181 `Alias`: string(64).
pub const ALIAS_MAX_LEN: usize = 64;

/// Where `ManagementServer.InstanceMode` is stored: UCI package, section, option.
pub const INSTANCE_MODE_OPTION: (&str, &str, &str) = ("cwmpd", "cpe", "instance_mode");

/// `Device.ManagementServer.InstanceMode` (TR-069 §3.6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InstanceMode {
    #[default]
    InstanceNumber,
    InstanceAlias,
}

impl InstanceMode {
    pub fn name(self) -> &'static str {
        match self {
            InstanceMode::InstanceNumber => "InstanceNumber",
            InstanceMode::InstanceAlias => "InstanceAlias",
        }
    }

    /// The stored mode; anything but `InstanceAlias` (unset, garbage) is `InstanceNumber`.
    pub fn load(config: &mut dyn ConfigBackend) -> Result<InstanceMode, BackendError> {
        let (package, section, option) = INSTANCE_MODE_OPTION;
        Ok(match config.get(package, section, option)?.as_deref() {
            Some("InstanceAlias") => InstanceMode::InstanceAlias,
            _ => InstanceMode::InstanceNumber,
        })
    }
}

/// The `Alias` parameter as TR-181 declares it (data type `_AliasCWMP`, string(64)).
pub fn alias_param() -> ParamDef {
    ParamDef::read_write(
        ALIAS,
        Type::string(ALIAS_MAX_LEN as u32).data_type("_AliasCWMP"),
    )
}

/// The alias of an instance the ACS did not name.
pub fn default_alias(number: u32) -> String {
    format!("{CPE_PREFIX}{number}")
}

/// Check an alias the ACS chose (TR-181 `Alias` rules 1–3, TR-069 A.2.2.1: an alias must be
/// told apart from an instance number).
pub fn check_acs_alias(alias: &str) -> Result<(), String> {
    let first = alias.chars().next();
    if alias.chars().count() > ALIAS_MAX_LEN {
        return Err(format!("an Alias is at most {ALIAS_MAX_LEN} characters"));
    }
    if !first.is_some_and(|c| c.is_ascii_alphabetic()) {
        return Err("an Alias must start with a letter".into());
    }
    if alias.starts_with(CPE_PREFIX) {
        return Err("aliases starting with \"cpe-\" are assigned by the CPE".into());
    }
    if alias.contains(['.', '[', ']', '*']) {
        return Err("an Alias cannot contain '.', '[', ']' or '*'".into());
    }
    Ok(())
}

/// The name of a table in the instance tables: its pattern with the numbers of the enclosing
/// instances filled in (`Device.DHCPv4.Server.Pool.1.StaticAddress.{i}.`), as areas name it.
pub fn table_name(pattern: &str, enclosing: &[u32]) -> String {
    super::path::instantiate(pattern, enclosing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datamodel::testing::MemoryConfig;

    #[test]
    fn acs_aliases() {
        assert!(check_acs_alias("web").is_ok());
        assert!(check_acs_alias("Web-Server_2").is_ok());
        assert!(check_acs_alias("").is_err());
        assert!(check_acs_alias("12").is_err());
        assert!(check_acs_alias("cpe-3").is_err());
        assert!(check_acs_alias("a.b").is_err());
        assert!(check_acs_alias(&"a".repeat(64)).is_ok());
        assert!(check_acs_alias(&"a".repeat(65)).is_err());
    }

    #[test]
    fn instance_mode_defaults_to_numbers() {
        let mut config = MemoryConfig::new();
        assert_eq!(
            InstanceMode::load(&mut config).unwrap(),
            InstanceMode::InstanceNumber
        );
        let mut config = MemoryConfig::with(&[("cwmpd", "cpe", "instance_mode", "InstanceAlias")]);
        assert_eq!(
            InstanceMode::load(&mut config).unwrap(),
            InstanceMode::InstanceAlias
        );
    }

    #[test]
    fn table_names_fill_enclosing_numbers() {
        assert_eq!(table_name("Device.A.{i}.", &[]), "Device.A.{i}.");
        assert_eq!(table_name("Device.A.{i}.B.{i}.", &[3]), "Device.A.3.B.{i}.");
    }
}
