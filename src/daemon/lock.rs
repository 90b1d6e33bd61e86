//! One agent per root: the daemon holds an exclusive flock on `/var/run/cwmpd/lock` for its
//! whole life. A command-line call that finds no control socket takes the same lock before it
//! works on the state files directly, so it never races a daemon that is still starting.

use std::fs::{File, OpenOptions};
use std::time::{Duration, Instant};

use nix::fcntl::{Flock, FlockArg};

use crate::platform::Paths;

pub struct RootLock {
    _lock: Flock<File>,
}

fn open_lock_file(paths: &Paths) -> Result<File, String> {
    let dir = paths.run_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("lock");
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

impl RootLock {
    /// Take the lock, waiting up to `patience` for another holder to let go.
    pub fn acquire(paths: &Paths, patience: Duration) -> Result<RootLock, String> {
        let deadline = Instant::now() + patience;
        let mut file = open_lock_file(paths)?;
        loop {
            match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                Ok(lock) => return Ok(RootLock { _lock: lock }),
                Err((returned, _errno)) if Instant::now() < deadline => {
                    file = returned;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err((_, errno)) => {
                    return Err(format!(
                        "another cwmpd holds {} ({errno})",
                        paths.run_dir().join("lock").display()
                    ))
                }
            }
        }
    }

    /// Whether a daemon (or another command) holds the lock right now.
    pub fn is_held(paths: &Paths) -> bool {
        match open_lock_file(paths) {
            Ok(file) => Flock::lock(file, FlockArg::LockExclusiveNonblock).is_err(),
            Err(_) => false,
        }
    }
}
