//! The platform seam: where system files live and how system actions are taken.
//!
//! `openwrt` runs the real programs (by argument vector, never a shell); `sandbox` runs on a
//! plain Linux box under `--root DIR`, touches nothing outside DIR and records each action it
//! would take as one JSON object per line in `DIR/var/log/cwmpd/actions.jsonl`.

pub mod firmware;
pub mod openwrt;
pub mod sandbox;

pub use firmware::ImageCheck;

use std::io;
use std::path::{Path, PathBuf};

/// Maps the absolute paths of a router (`/etc/config/cwmpd`) to where they are on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    root: PathBuf,
}

impl Paths {
    /// Paths under `root`; `/` for a real router.
    pub fn new(root: impl Into<PathBuf>) -> Paths {
        Paths { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `system_path` must be absolute (`/etc/config`); the result is that path under the root.
    pub fn resolve(&self, system_path: &str) -> PathBuf {
        self.root.join(system_path.trim_start_matches('/'))
    }

    pub fn uci_config_dir(&self) -> PathBuf {
        self.resolve("/etc/config")
    }

    /// cwmpd's persistent state (flash on a router; kept across sysupgrade by keep.d).
    pub fn state_dir(&self) -> PathBuf {
        self.resolve("/etc/cwmpd")
    }

    /// Volatile runtime files (tmpfs on a router): boot marker, control socket, pid.
    pub fn run_dir(&self) -> PathBuf {
        self.resolve("/var/run/cwmpd")
    }

    /// cwmpd's own UCI delta directory, never LuCI's /tmp/.uci.
    pub fn uci_delta_dir(&self) -> PathBuf {
        self.resolve("/tmp/.cwmpd-uci")
    }

    pub fn control_socket(&self) -> PathBuf {
        self.run_dir().join("control.sock")
    }

    /// Where downloads are written (tmpfs: RAM on a router, and where sysupgrade wants its
    /// image); emptied by a reboot.
    pub fn download_dir(&self) -> PathBuf {
        self.resolve("/tmp/cwmpd")
    }

    /// Web content downloaded by the ACS ("2 Web Content"), served by uhttpd.
    pub fn web_content_dir(&self) -> PathBuf {
        self.resolve("/www/cwmpd")
    }
}

/// A system action, as the agent asks the platform to take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Reboot {
        reason: String,
    },
    FactoryReset,
    /// `sysupgrade` with its full argument vector (without the program name).
    Sysupgrade {
        args: Vec<String>,
    },
    /// Reload the services that depend on these UCI packages (what `reload_config` does).
    ReloadConfig {
        packages: Vec<String>,
    },
    /// `ubus call OBJECT METHOD` without arguments, e.g. `network.interface.wan renew` (the
    /// DHCP client asks for a new lease). Objects and methods come from the areas, never from
    /// ACS-supplied text.
    UbusCall {
        object: String,
        method: String,
    },
}

/// What happens to the process after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aftermath {
    /// The agent keeps running.
    Continue,
    /// The system is going down; the agent should exit now (the sandbox "reboot").
    Exit,
}

/// Send + Sync: the slow queries (image validation, backups) run on the blocking pool, off
/// the agent's loop.
pub trait Platform: Send + Sync {
    fn paths(&self) -> &Paths;

    /// Take a system action. Errors describe why the action could not be started.
    fn perform(&self, action: &Action) -> io::Result<Aftermath>;

    /// Check a firmware image before it is flashed.
    fn validate_firmware_image(&self, image: &Path) -> io::Result<ImageCheck>;

    /// Write a configuration backup to `archive` (`sysupgrade --create-backup`).
    fn create_backup(&self, archive: &Path) -> io::Result<()>;

    /// Restore a configuration backup (`sysupgrade --restore-backup`); a reboot applies it.
    fn restore_backup(&self, archive: &Path) -> io::Result<()>;

    /// The system log (`logread`).
    fn read_log(&self) -> io::Result<Vec<u8>>;
}

/// Run a program from an argument vector and wait for it; its standard output, or an error
/// naming the program and its exit status with what it printed on standard error.
pub fn run(argv: &[&str]) -> io::Result<Vec<u8>> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| io::Error::other("empty command"))?;
    let output = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(io::Error::other(format!(
        "{} failed ({}): {}",
        argv.join(" "),
        output.status,
        stderr.trim()
    )))
}

/// Build the platform for `root`: the sandbox for any root other than `/`.
pub fn for_root(root: &Path) -> Box<dyn Platform> {
    if root == Path::new("/") {
        Box::new(openwrt::OpenWrt::new())
    } else {
        Box::new(sandbox::Sandbox::new(Paths::new(root)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_under_root() {
        let paths = Paths::new("/tmp/sbx");
        assert_eq!(
            paths.resolve("/etc/config/cwmpd"),
            PathBuf::from("/tmp/sbx/etc/config/cwmpd")
        );
        assert_eq!(
            paths.control_socket(),
            PathBuf::from("/tmp/sbx/var/run/cwmpd/control.sock")
        );
        assert_eq!(
            Paths::new("/").resolve("/etc/board.json"),
            PathBuf::from("/etc/board.json")
        );
    }
}
