//! The data model's configuration backend over native UCI: packages are read once per RPC
//! (so edits by LuCI or `uci` in between are seen), changes are staged in cwmpd's own delta
//! directory and committed atomically under libuci's locks.

use std::collections::HashMap;
use std::path::Path;

use super::uci::{self, Change, Section, UciFile, UciStore};
use crate::datamodel::{BackendError, ConfigBackend, ConfigSection, ConfigValue};
use crate::platform::Paths;

/// Where one package lives: its store and the file name inside the store's directory.
struct PackageHome {
    store: UciStore,
    file_name: String,
}

pub struct UciConfig {
    default_store: UciStore,
    /// Packages kept somewhere else than /etc/config (`--config FILE`).
    mapped: HashMap<String, PackageHome>,
    loaded: HashMap<String, UciFile>,
}

impl UciConfig {
    pub fn new(paths: &Paths) -> UciConfig {
        UciConfig {
            default_store: UciStore::new(paths.uci_config_dir(), paths.uci_delta_dir()),
            mapped: HashMap::new(),
            loaded: HashMap::new(),
        }
    }

    /// Serve `package` from `file` (its directory becomes the package's config directory).
    pub fn map_package(&mut self, package: &str, file: &Path) {
        let (Some(dir), Some(name)) = (file.parent(), file.file_name().and_then(|n| n.to_str()))
        else {
            return;
        };
        let delta_dir = self.default_store.delta_dir().to_path_buf();
        self.mapped.insert(
            package.to_string(),
            PackageHome {
                store: UciStore::new(dir, delta_dir),
                file_name: name.to_string(),
            },
        );
    }

    /// Drop what was read, so the next call reads the files again.
    pub fn forget_loaded(&mut self) {
        self.loaded.clear();
    }

    fn home(&self, package: &str) -> (&UciStore, String) {
        match self.mapped.get(package) {
            Some(home) => (&home.store, home.file_name.clone()),
            None => (&self.default_store, package.to_string()),
        }
    }

    fn file(&mut self, package: &str) -> Result<&mut UciFile, BackendError> {
        if !self.loaded.contains_key(package) {
            let (store, name) = self.home(package);
            let file = store
                .load(&name)
                .map_err(|e| BackendError::new(format!("uci {package}: {e}")))?;
            self.loaded.insert(package.to_string(), file);
        }
        self.loaded
            .get_mut(package)
            .ok_or_else(|| BackendError::new(format!("uci {package}: not loaded")))
    }
}

fn uci_error(package: &str, error: impl std::fmt::Display) -> BackendError {
    BackendError::new(format!("uci {package}: {error}"))
}

fn config_value(value: &uci::Value) -> ConfigValue {
    match value {
        uci::Value::Single(value) => ConfigValue::Single(value.clone()),
        uci::Value::List(items) => ConfigValue::List(items.clone()),
    }
}

fn config_section(section: Section<'_>) -> ConfigSection {
    ConfigSection {
        name: section.id().to_string(),
        anonymous: section.name().is_none(),
        section_type: section.section_type().to_string(),
        index: section.index(),
        options: section
            .options()
            .map(|(name, value)| (name.to_string(), config_value(value)))
            .collect(),
    }
}

impl ConfigBackend for UciConfig {
    fn get(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
    ) -> Result<Option<String>, BackendError> {
        let file = self.file(package)?;
        Ok(match file.value(section, option) {
            Some(value) => Some(value.items().join(" ")),
            None => None,
        })
    }

    fn set(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
        value: &str,
    ) -> Result<(), BackendError> {
        let file = self.file(package)?;
        if file.section(section).is_none() {
            file.add_section(section, Some(section))
                .map_err(|e| uci_error(package, e))?;
        }
        file.set(section, option, value)
            .map_err(|e| uci_error(package, e))
    }

    fn delete(&mut self, package: &str, section: &str, option: &str) -> Result<(), BackendError> {
        self.file(package)?
            .delete_option(section, option)
            .map(|_| ())
            .map_err(|e| uci_error(package, e))
    }

    fn sections(&mut self, package: &str) -> Result<Vec<ConfigSection>, BackendError> {
        Ok(self.file(package)?.sections().map(config_section).collect())
    }

    fn set_list(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
        values: &[String],
    ) -> Result<(), BackendError> {
        self.file(package)?
            .set_list(section, option, values)
            .map_err(|e| uci_error(package, e))
    }

    fn add_section(
        &mut self,
        package: &str,
        section_type: &str,
        name: &str,
    ) -> Result<(), BackendError> {
        let file = self.file(package)?;
        file.add_section(section_type, Some(name))
            .map(|_| ())
            .map_err(|e| uci_error(package, e))
    }

    fn delete_section(&mut self, package: &str, name: &str) -> Result<(), BackendError> {
        self.file(package)?
            .delete_section(name)
            .map(|_| ())
            .map_err(|e| uci_error(package, e))
    }

    /// Stage the package's changes in cwmpd's delta directory, then commit them atomically
    /// onto the file as it is on disk now (changes made by others meanwhile are kept).
    fn commit(&mut self, package: &str) -> Result<bool, BackendError> {
        let changes: Vec<Change> = match self.loaded.get_mut(package) {
            Some(file) => file.take_changes(),
            None => return Ok(false),
        };
        if changes.is_empty() {
            return Ok(false);
        }
        let (store, name) = self.home(package);
        store
            .stage_all(&name, &changes)
            .map_err(|e| uci_error(package, e))?;
        let committed = store.commit_staged(&name);
        self.loaded.remove(package);
        committed.map_err(|e| uci_error(package, e))
    }

    fn revert(&mut self, package: &str) {
        self.loaded.remove(package);
        let (store, name) = self.home(package);
        let _ = store.revert(&name);
    }
}

/// Drop changes a crashed run left staged: the ACS never got an answer for them and will ask
/// again, so applying them now could only apply something half-confirmed.
pub fn revert_leftover_staging(paths: &Paths) {
    let store = UciStore::new(paths.uci_config_dir(), paths.uci_delta_dir());
    if let Ok(packages) = store.staged_packages() {
        for package in packages {
            log::warn!(target: "cwmpd::uci", "reverting changes to {package} staged by an earlier run");
            let _ = store.revert(&package);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox(name: &str) -> (std::path::PathBuf, Paths) {
        let dir =
            std::env::temp_dir().join(format!("cwmpd-uci-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("etc/config")).unwrap();
        let paths = Paths::new(&dir);
        (dir, paths)
    }

    #[test]
    fn set_and_commit_write_the_file_atomically_and_keep_other_changes() {
        let (dir, paths) = sandbox("commit");
        let file = dir.join("etc/config/cwmpd");
        std::fs::write(&file, "config acs 'acs'\n\toption url 'http://a/'\n").unwrap();
        let mut config = UciConfig::new(&paths);
        assert_eq!(
            config.get("cwmpd", "acs", "url").unwrap().as_deref(),
            Some("http://a/")
        );
        config
            .set("cwmpd", "acs", "periodic_interval", "600")
            .unwrap();
        // Someone else (LuCI) edits the file meanwhile.
        std::fs::write(&file, "config acs 'acs'\n\toption url 'http://b/'\n").unwrap();
        config.commit("cwmpd").unwrap();
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "config acs 'acs'\n\toption url 'http://b/'\n\toption periodic_interval '600'\n"
        );
        assert!(
            std::fs::read_dir(paths.uci_delta_dir())
                .unwrap()
                .next()
                .is_none(),
            "nothing left staged"
        );
        config.set("cwmpd", "cpe", "cr_port", "7548").unwrap();
        config.commit("cwmpd").unwrap();
        assert!(std::fs::read_to_string(&file)
            .unwrap()
            .ends_with("config cpe 'cpe'\n\toption cr_port '7548'\n"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn sections_and_lists() {
        let (dir, paths) = sandbox("sections");
        let file = dir.join("etc/config/system");
        std::fs::write(
            &file,
            "config system\n\toption hostname 'OpenWrt'\n\n\
             config timeserver 'ntp'\n\tlist server 'a.pool'\n\tlist server 'b.pool'\n",
        )
        .unwrap();
        let mut config = UciConfig::new(&paths);
        let sections = config.sections("system").unwrap();
        assert_eq!(sections.len(), 2);
        assert!(sections[0].anonymous);
        assert_eq!(sections[0].key(), "@system[0]");
        assert_eq!(sections[0].get("hostname").as_deref(), Some("OpenWrt"));
        assert_eq!(sections[1].key(), "ntp");
        assert_eq!(sections[1].list("server"), ["a.pool", "b.pool"]);
        let anonymous_id = sections[0].name.clone();
        config
            .set("system", &anonymous_id, "hostname", "gw")
            .unwrap();
        config
            .set_list("system", "ntp", "server", &["c.pool".to_string()])
            .unwrap();
        config.commit("system").unwrap();
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "config system\n\toption hostname 'gw'\n\n\
             config timeserver 'ntp'\n\tlist server 'c.pool'\n"
        );
        assert!(config.sections("missing").unwrap().is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn mapped_package_and_revert() {
        let (dir, paths) = sandbox("mapped");
        std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
        let file = dir.join("elsewhere/cwmpd_alt");
        std::fs::write(&file, "config acs 'acs'\n\toption url 'x'\n").unwrap();
        let mut config = UciConfig::new(&paths);
        config.map_package("cwmpd", &file);
        assert_eq!(
            config.get("cwmpd", "acs", "url").unwrap().as_deref(),
            Some("x")
        );
        config.set("cwmpd", "acs", "url", "y").unwrap();
        config.revert("cwmpd");
        assert_eq!(
            config.get("cwmpd", "acs", "url").unwrap().as_deref(),
            Some("x")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
