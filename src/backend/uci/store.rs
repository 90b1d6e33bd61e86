//! A UCI config directory and cwmpd's own delta directory, locked and written as libuci does.
//!
//! libuci (`file.c`, `util.c`) takes `flock(LOCK_SH)` on a config file to read it and
//! `flock(LOCK_EX)` to commit; a commit re-reads the file under the lock, applies the pending
//! changes, writes `.<package>.uci-XXXXXX` beside it, fsyncs and renames it over the file.
//! cwmpd does the same, and a little more: it renames while it still holds the lock, fsyncs
//! the directory, and after getting a lock checks that the path still names the locked file
//! (else a commit that waited on a file just replaced would work from stale content).
//!
//! Delta files live in cwmpd's own directory (never LuCI's `/tmp/.uci`), one per package,
//! appended to under `LOCK_EX` like libuci's `uci_save`.

use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use super::delta::Change;
use super::file::UciFile;
use super::syntax::is_valid_package_name;
use super::UciError;
use crate::store::{self, LockKind, LockedFile, NEW_FILE_MODE};

/// A config directory (`/etc/config`) and a delta directory for staged changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UciStore {
    config_dir: PathBuf,
    delta_dir: PathBuf,
}

impl UciStore {
    pub fn new(config_dir: impl Into<PathBuf>, delta_dir: impl Into<PathBuf>) -> UciStore {
        UciStore {
            config_dir: config_dir.into(),
            delta_dir: delta_dir.into(),
        }
    }

    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    pub fn delta_dir(&self) -> &Path {
        &self.delta_dir
    }

    /// Where the package's file is.
    pub fn config_path(&self, package: &str) -> io::Result<PathBuf> {
        check_package(package)?;
        Ok(self.config_dir.join(package))
    }

    fn delta_path(&self, package: &str) -> io::Result<PathBuf> {
        check_package(package)?;
        Ok(self.delta_dir.join(package))
    }

    /// Read a package; a missing file is an empty package.
    pub fn load(&self, package: &str) -> io::Result<UciFile> {
        let path = self.config_path(package)?;
        let text = match LockedFile::open(&path, LockKind::Shared)? {
            Some(mut locked) => locked.read_to_string()?,
            None => String::new(),
        };
        Ok(UciFile::parse(package, &text)?)
    }

    /// Read a package with the staged changes applied (what `uci -P DELTA_DIR` shows). The
    /// returned file lists no changes of its own: edit it and [`UciStore::save`] the edits.
    pub fn load_staged(&self, package: &str) -> io::Result<UciFile> {
        let mut file = self.load(package)?;
        apply_all(&mut file, &self.pending(package)?);
        file.take_changes();
        Ok(file)
    }

    /// Write the changes made on `file` onto the package as it is on disk now (others may have
    /// changed it since `file` was loaded: their changes stay). Afterwards `file` is what was
    /// written, with no changes pending. `true` if the file on disk changed.
    pub fn commit(&self, file: &mut UciFile) -> io::Result<bool> {
        let path = self.config_path(file.package())?;
        let mut locked = lock_config(&path)?;
        let (written, changed) = rewrite(&mut locked, file.package(), file.changes())?;
        *file = written;
        Ok(changed)
    }

    /// Stage one change in the delta directory.
    pub fn stage(&self, package: &str, change: &Change) -> io::Result<()> {
        self.stage_all(package, std::slice::from_ref(change))
    }

    /// Stage changes in the delta directory, all in one append. Sections may be given as
    /// `@type[n]` addresses: they are resolved against the staged view before these changes
    /// (libuci's delta files name sections by name or id only).
    pub fn stage_all(&self, package: &str, changes: &[Change]) -> io::Result<()> {
        let path = self.delta_path(package)?;
        let changes = self.resolve_addresses(package, changes)?;
        let mut lines = String::new();
        for change in &changes {
            change.validate()?;
            lines.push_str(&change.to_delta_line(package));
            lines.push('\n');
        }
        if lines.is_empty() {
            return Ok(());
        }
        // Staged values may be secrets (passwords): the directory is cwmpd's alone.
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.delta_dir)?;
        let mut locked = LockedFile::open_or_create(&path, LockKind::Exclusive, NEW_FILE_MODE)?;
        locked.append(lines.as_bytes())
    }

    fn resolve_addresses(&self, package: &str, changes: &[Change]) -> io::Result<Vec<Change>> {
        if !changes.iter().any(|c| c.section().starts_with('@')) {
            return Ok(changes.to_vec());
        }
        let view = self.load_staged(package)?;
        let resolve = |change: &Change| {
            if !change.section().starts_with('@') {
                return Ok(change.clone());
            }
            view.section(change.section())
                .map(|section| change.with_section(section.id()))
                .ok_or_else(|| UciError::SectionNotFound(change.section().into()))
        };
        Ok(changes.iter().map(resolve).collect::<Result<_, _>>()?)
    }

    /// Stage the changes made on `file` (loaded with [`UciStore::load_staged`] or
    /// [`UciStore::load`]) and clear them from it.
    pub fn save(&self, file: &mut UciFile) -> io::Result<()> {
        self.stage_all(file.package(), file.changes())?;
        file.take_changes();
        Ok(())
    }

    /// The staged changes of a package, in order. Lines libuci would not accept are skipped
    /// (libuci skips them too) and logged.
    pub fn pending(&self, package: &str) -> io::Result<Vec<Change>> {
        let path = self.delta_path(package)?;
        match LockedFile::open(&path, LockKind::Shared)? {
            Some(mut locked) => Ok(parse_delta(package, &locked.read_to_string()?)),
            None => Ok(Vec::new()),
        }
    }

    /// Packages with staged changes.
    pub fn staged_packages(&self) -> io::Result<Vec<String>> {
        let entries = match fs::read_dir(&self.delta_dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut packages = Vec::new();
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_valid_package_name(&name) && entry.metadata()?.len() > 0 {
                packages.push(name);
            }
        }
        packages.sort();
        Ok(packages)
    }

    /// Apply the staged changes to the package on disk atomically, then drop them. `true` if
    /// the file on disk changed. A change that no longer applies (its section was deleted
    /// meanwhile, say) is skipped and logged, as libuci does.
    pub fn commit_staged(&self, package: &str) -> io::Result<bool> {
        let config_path = self.config_path(package)?;
        let delta_path = self.delta_path(package)?;
        // libuci's order: the config file's lock first, then the delta file's.
        let mut config = lock_config(&config_path)?;
        let Some(mut delta) = LockedFile::open(&delta_path, LockKind::Exclusive)? else {
            return Ok(false);
        };
        let changes = parse_delta(package, &delta.read_to_string()?);
        let (_, changed) = rewrite(&mut config, package, &changes)?;
        // Only once the file is durably written: until then the changes can be retried or
        // reverted. (The daemon reverts what a previous run left staged.)
        fs::remove_file(&delta_path)?;
        Ok(changed)
    }

    /// Drop the staged changes of a package. `true` if there were any.
    pub fn revert(&self, package: &str) -> io::Result<bool> {
        let path = self.delta_path(package)?;
        let Some(_locked) = LockedFile::open(&path, LockKind::Exclusive)? else {
            return Ok(false);
        };
        fs::remove_file(&path)?;
        Ok(true)
    }
}

fn check_package(package: &str) -> Result<(), UciError> {
    if is_valid_package_name(package) {
        Ok(())
    } else {
        Err(UciError::InvalidPackageName(package.into()))
    }
}

/// libuci opens the config file for writing, creating it, to hold its lock.
fn lock_config(path: &Path) -> io::Result<LockedFile> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    LockedFile::open_or_create(path, LockKind::Exclusive, NEW_FILE_MODE)
}

/// Under the config file's lock: read it, apply `changes`, write it if that changed it.
fn rewrite(
    locked: &mut LockedFile,
    package: &str,
    changes: &[Change],
) -> io::Result<(UciFile, bool)> {
    let old = locked.read_to_string()?;
    let mut file = UciFile::parse(package, &old)?;
    apply_all(&mut file, changes);
    file.take_changes();
    let changed = file.text() != old;
    if changed {
        store::atomic_write(locked.path(), file.text().as_bytes())?;
    }
    Ok((file, changed))
}

fn apply_all(file: &mut UciFile, changes: &[Change]) {
    for change in changes {
        if let Err(error) = file.apply(change) {
            log::warn!(
                "uci: skipping change {}: {error}",
                change.to_delta_line(file.package())
            );
        }
    }
}

fn parse_delta(package: &str, text: &str) -> Vec<Change> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| match Change::parse_delta_line(package, line) {
            Ok(change) => Some(change),
            Err(error) => {
                log::warn!("uci: skipping staged line: {error}");
                None
            }
        })
        .collect()
}
