//! Atomic, fsync'd, flash-aware persistence.
//!
//! * [`atomic_write`]: a file is replaced whole or not at all, even across a crash or power cut:
//!   write a temporary file in the same directory, fsync it, rename it over the target, fsync
//!   the directory (so the rename itself is durable).
//! * [`JsonFile`]: a value kept in a JSON file, written only when it changed (flash has a
//!   limited number of erase cycles), recovering from a corrupt file by starting over.
//! * [`LockedFile`]: an open file under `flock`, as libuci locks its files, that is sure to
//!   lock the file its path names now (not one renamed away while we waited for the lock).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use nix::fcntl::{Flock, FlockArg};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Permissions of a file this module creates: cwmpd's state and UCI files may hold secrets
/// (libuci creates config files 0600 too).
pub const NEW_FILE_MODE: u32 = 0o600;

/// Replace `path` with `bytes` atomically and durably. Keeps the permissions of the file it
/// replaces (new files get [`NEW_FILE_MODE`]). Creates missing parent directories.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mode = match fs::metadata(path) {
        Ok(metadata) => metadata.permissions().mode() & 0o7777,
        Err(e) if e.kind() == io::ErrorKind::NotFound => NEW_FILE_MODE,
        Err(e) => return Err(e),
    };
    atomic_write_with_mode(path, bytes, mode)
}

/// [`atomic_write`] with explicit permissions.
pub fn atomic_write_with_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = parent_dir(path);
    fs::create_dir_all(dir)?;
    let (temp_path, mut temp) = create_temp_file(path)?;
    let result = write_and_rename(&mut temp, bytes, mode, &temp_path, path, dir);
    if result.is_err() {
        let _ = fs::remove_file(&temp_path);
    }
    result
}

fn write_and_rename(
    temp: &mut File,
    bytes: &[u8],
    mode: u32,
    temp_path: &Path,
    path: &Path,
    dir: &Path,
) -> io::Result<()> {
    temp.write_all(bytes)?;
    temp.set_permissions(fs::Permissions::from_mode(mode))?;
    temp.sync_all()?;
    fs::rename(temp_path, path)?;
    sync_dir(dir)
}

/// fsync a directory, making renames and new names in it durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// A new file `.NAME.tmp-PID-N` beside `path`. The leading dot and the inner dots keep it out
/// of what libuci lists as packages, should it be left behind in /etc/config by a crash.
fn create_temp_file(path: &Path) -> io::Result<(PathBuf, File)> {
    // AtomicUsize: 32-bit MIPS has no 64-bit atomics.
    static SEQUENCE: AtomicUsize = AtomicUsize::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?
        .to_string_lossy()
        .into_owned();
    loop {
        let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let temp_name = format!(".{name}.tmp-{}-{sequence}", std::process::id());
        let temp_path = parent_dir(path).join(temp_name);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(NEW_FILE_MODE)
            .open(&temp_path)
        {
            Ok(file) => return Ok((temp_path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// How to lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockKind {
    /// Readers (libuci's `LOCK_SH`).
    Shared,
    /// Writers (libuci's `LOCK_EX`).
    Exclusive,
}

/// An open file holding an `flock`; the lock goes with the value.
#[derive(Debug)]
pub struct LockedFile {
    file: Flock<File>,
    path: PathBuf,
}

impl LockedFile {
    /// Lock an existing file; `None` if there is none.
    pub fn open(path: &Path, kind: LockKind) -> io::Result<Option<LockedFile>> {
        LockedFile::lock(path, kind, None)
    }

    /// Lock a file, creating it empty (with `mode`) if needed.
    pub fn open_or_create(path: &Path, kind: LockKind, mode: u32) -> io::Result<LockedFile> {
        let locked = LockedFile::lock(path, kind, Some(mode))?;
        locked.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "lock file vanished"))
    }

    fn lock(path: &Path, kind: LockKind, create: Option<u32>) -> io::Result<Option<LockedFile>> {
        let arg = match kind {
            LockKind::Shared => FlockArg::LockShared,
            LockKind::Exclusive => FlockArg::LockExclusive,
        };
        loop {
            let mut options = OpenOptions::new();
            options.read(true).write(kind == LockKind::Exclusive);
            if let Some(mode) = create {
                options.create(true).mode(mode);
            }
            let file = match options.open(path) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound && create.is_none() => {
                    return Ok(None)
                }
                Err(e) => return Err(e),
            };
            let file = Flock::lock(file, arg).map_err(|(_, errno)| io::Error::from(errno))?;
            // Another writer may have renamed a new file over the path (or removed it) while we
            // waited: then we hold the lock of a file nobody will read again. Try again.
            if names_same_file(path, &file)? {
                return Ok(Some(LockedFile {
                    file,
                    path: path.to_path_buf(),
                }));
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole content, read from the start.
    pub fn read_to_string(&mut self) -> io::Result<String> {
        let mut text = String::new();
        self.file.seek(SeekFrom::Start(0))?;
        self.file.read_to_string(&mut text)?;
        Ok(text)
    }

    /// Append at the end of the file.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.seek(SeekFrom::End(0))?;
        self.file.write_all(bytes)
    }
}

fn names_same_file(path: &Path, file: &File) -> io::Result<bool> {
    let held = file.metadata()?;
    match fs::metadata(path) {
        Ok(named) => Ok(named.dev() == held.dev() && named.ino() == held.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// A value persisted as JSON, written only when it differs from what is on disk.
///
/// A missing file reads as `T::default()`; so does a corrupt one, which is first moved aside
/// to `NAME.corrupt` for inspection (and logged).
#[derive(Debug)]
pub struct JsonFile<T> {
    path: PathBuf,
    value: T,
    /// What the file holds now (the default when there is no file).
    on_disk: T,
    writes: u64,
}

impl<T> JsonFile<T>
where
    T: Serialize + DeserializeOwned + Default + PartialEq + Clone,
{
    pub fn open(path: impl Into<PathBuf>) -> io::Result<JsonFile<T>> {
        let path = path.into();
        let on_disk: T = read_json(&path)?;
        Ok(JsonFile {
            path,
            value: on_disk.clone(),
            on_disk,
            writes: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(&self) -> &T {
        &self.value
    }

    /// Change the value in memory; [`JsonFile::save_if_changed`] writes it.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    pub fn update<R>(&mut self, change: impl FnOnce(&mut T) -> R) -> R {
        change(&mut self.value)
    }

    pub fn set(&mut self, value: T) {
        self.value = value;
    }

    /// The value differs from what is on disk.
    pub fn is_dirty(&self) -> bool {
        self.value != self.on_disk
    }

    /// Write the value if it differs from what is on disk; `true` if it wrote.
    pub fn save_if_changed(&mut self) -> io::Result<bool> {
        if !self.is_dirty() {
            return Ok(false);
        }
        let mut bytes = serde_json::to_vec_pretty(&self.value).map_err(io::Error::from)?;
        bytes.push(b'\n');
        atomic_write(&self.path, &bytes)?;
        self.on_disk = self.value.clone();
        self.writes += 1;
        Ok(true)
    }

    /// How many times this handle wrote the file.
    pub fn writes(&self) -> u64 {
        self.writes
    }
}

fn read_json<T: DeserializeOwned + Default>(path: &Path) -> io::Result<T> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(T::default()),
        Err(e) => return Err(e),
    };
    match serde_json::from_slice(&bytes) {
        Ok(value) => Ok(value),
        Err(error) => {
            let aside = corrupt_path(path);
            log::warn!(
                "{}: unreadable ({error}); moved to {} and starting from defaults",
                path.display(),
                aside.display()
            );
            fs::rename(path, &aside)?;
            Ok(T::default())
        }
    }
}

fn corrupt_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".corrupt");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cwmpd-store-test-{name}"));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
    struct Instances {
        next: u32,
        numbers: BTreeMap<String, u32>,
    }

    #[test]
    fn atomic_write_creates_parents_and_leaves_no_temp_files() {
        let dir = scratch_dir("atomic");
        let path = dir.join("a/b/state.json");
        atomic_write(&path, b"one").unwrap();
        atomic_write(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(entries(&dir.join("a/b")), ["state.json"]);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn atomic_write_keeps_permissions_of_the_replaced_file() {
        let dir = scratch_dir("mode");
        let path = dir.join("network");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        atomic_write(&path, b"new").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }

    #[test]
    fn a_failed_write_leaves_the_target_alone() {
        let dir = scratch_dir("fail");
        let path = dir.join("target");
        fs::write(&path, "old").unwrap();
        // Renaming a file over a non-empty directory fails after the temp file was written.
        let blocked = dir.join("blocked");
        fs::create_dir_all(blocked.join("inside")).unwrap();
        assert!(atomic_write(&blocked, b"new").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(entries(&dir), ["blocked", "target"]);
    }

    #[test]
    fn json_file_writes_only_when_changed() {
        let dir = scratch_dir("json");
        let path = dir.join("instances.json");
        let mut file: JsonFile<Instances> = JsonFile::open(&path).unwrap();
        assert_eq!(file.get(), &Instances::default());
        assert!(
            !file.save_if_changed().unwrap(),
            "the default needs no file"
        );
        assert!(!path.exists());

        file.update(|i| {
            i.next = 2;
            i.numbers.insert("lan".into(), 1);
        });
        assert!(file.save_if_changed().unwrap());
        let modified = fs::metadata(&path).unwrap().modified().unwrap();
        assert!(!file.save_if_changed().unwrap());
        file.get_mut().next = 2; // the same value again
        assert!(!file.save_if_changed().unwrap());
        assert_eq!(file.writes(), 1);
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), modified);

        let reopened: JsonFile<Instances> = JsonFile::open(&path).unwrap();
        assert_eq!(reopened.get().next, 2);
        assert_eq!(reopened.get().numbers["lan"], 1);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "{\n  \"next\": 2,\n  \"numbers\": {\n    \"lan\": 1\n  }\n}\n"
        );
    }

    #[test]
    fn json_file_sets_a_corrupt_file_aside() {
        let dir = scratch_dir("corrupt");
        let path = dir.join("events.json");
        fs::write(&path, "{\"next\": 3, \"numb").unwrap();
        let mut file: JsonFile<Instances> = JsonFile::open(&path).unwrap();
        assert_eq!(file.get(), &Instances::default());
        assert_eq!(entries(&dir), ["events.json.corrupt"]);
        assert_eq!(
            fs::read_to_string(dir.join("events.json.corrupt")).unwrap(),
            "{\"next\": 3, \"numb"
        );
        file.get_mut().next = 1;
        assert!(file.save_if_changed().unwrap());
        assert_eq!(entries(&dir), ["events.json", "events.json.corrupt"]);
    }

    #[test]
    fn readers_see_old_or_new_content_never_a_mix() {
        let dir = scratch_dir("readers");
        let path = dir.join("big");
        let old = vec![b'a'; 256 * 1024];
        let new = vec![b'b'; 256 * 1024];
        atomic_write(&path, &old).unwrap();
        let writer = {
            let (path, old, new) = (path.clone(), old.clone(), new.clone());
            std::thread::spawn(move || {
                for i in 0..40 {
                    atomic_write(&path, if i % 2 == 0 { &new } else { &old }).unwrap();
                }
            })
        };
        while !writer.is_finished() {
            let seen = fs::read(&path).unwrap();
            assert!(seen == old || seen == new, "a reader saw a torn file");
        }
        writer.join().unwrap();
    }

    #[test]
    fn a_lock_follows_the_path_after_a_rename() {
        let dir = scratch_dir("lock");
        let path = dir.join("network");
        fs::write(&path, "old").unwrap();
        let mut first = LockedFile::open(&path, LockKind::Exclusive)
            .unwrap()
            .unwrap();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut second = LockedFile::open(&path, LockKind::Exclusive)
                    .unwrap()
                    .unwrap();
                second.read_to_string().unwrap()
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(first.read_to_string().unwrap(), "old");
        atomic_write(&path, b"new").unwrap();
        drop(first);
        assert_eq!(waiter.join().unwrap(), "new");
        assert!(LockedFile::open(&dir.join("missing"), LockKind::Shared)
            .unwrap()
            .is_none());
    }
}
