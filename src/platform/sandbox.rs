//! The sandbox platform: a plain Linux box standing in for a router under `--root DIR`.
//!
//! It never touches the host. Each action is appended as one JSON object per line to
//! `DIR/var/log/cwmpd/actions.jsonl`; a reboot (also the one after sysupgrade or factory
//! reset) clears `DIR/var/run` and `DIR/tmp` — the tmpfs of a router — and tells the agent to
//! exit, so a test "reboots" the router by starting the binary again.
//!
//! Stand-ins for the router's programs, all confined to DIR:
//! - factory reset (`firstboot -y`) wipes `DIR/etc/cwmpd`, cwmpd's state on the overlay, so the
//!   next start is a first one ("0 BOOTSTRAP", "1 BOOT"); `DIR/etc/config` stays, standing
//!   for the defaults in the image's read-only root. `sysupgrade -n` (settings not kept)
//!   wipes `DIR/etc/cwmpd` too.
//! - `validate_firmware_image`: the reply is `DIR/etc/cwmpd/sandbox-validate.json` when that
//!   file exists (same JSON as ubus gives, so tests choose valid, refused, no backup, …);
//!   otherwise an image is valid when it starts with [`SANDBOX_FIRMWARE_MAGIC`].
//! - `sysupgrade --create-backup` / `--restore-backup`: `tar -czf` of `DIR/etc/config`, and
//!   `tar -xzf` into DIR (GNU tar refuses absolute and `..` member names).
//! - `logread`: the contents of `DIR/var/log/messages` (empty when there is none).

use super::{firmware, run, Action, Aftermath, ImageCheck, Paths, Platform};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// The first bytes of a firmware image the sandbox accepts.
pub const SANDBOX_FIRMWARE_MAGIC: &[u8] = b"CWMPD-SANDBOX-FIRMWARE";
/// The sandbox's validate_firmware_image reply, when present (router path).
pub const SANDBOX_VALIDATE_FILE: &str = "/etc/cwmpd/sandbox-validate.json";

pub struct Sandbox {
    paths: Paths,
}

impl Sandbox {
    pub fn new(paths: Paths) -> Sandbox {
        Sandbox { paths }
    }

    fn record(&self, record: serde_json::Value) -> io::Result<()> {
        let dir = self.paths.resolve("/var/log/cwmpd");
        fs::create_dir_all(&dir)?;
        let mut line = record.to_string();
        line.push('\n');
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("actions.jsonl"))?;
        // One write per line keeps each record whole even when two processes append.
        file.write_all(line.as_bytes())?;
        file.sync_all()
    }

    /// A path on this machine as the router would name it (`/tmp/cwmpd/fw.bin`).
    fn router_path(&self, path: &Path) -> String {
        match path.strip_prefix(self.paths.root()) {
            Ok(rest) => format!("/{}", rest.display()),
            Err(_) => path.display().to_string(),
        }
    }

    fn path_arg<'a>(&self, path: &'a Path) -> io::Result<&'a str> {
        path.to_str()
            .ok_or_else(|| io::Error::other(format!("not UTF-8: {}", path.display())))
    }

    /// What `firstboot` wipes of cwmpd: its state on the overlay.
    fn wipe_state(&self) -> io::Result<()> {
        match fs::remove_dir_all(self.paths.state_dir()) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }

    /// Empty the router's tmpfs directories, as a power cycle does.
    fn clear_volatile(&self) -> io::Result<()> {
        for dir in ["/var/run", "/tmp"] {
            let path = self.paths.resolve(dir);
            match fs::remove_dir_all(&path) {
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
            fs::create_dir_all(&path)?;
        }
        Ok(())
    }
}

impl Platform for Sandbox {
    fn paths(&self) -> &Paths {
        &self.paths
    }

    fn perform(&self, action: &Action) -> io::Result<Aftermath> {
        match action {
            Action::Reboot { reason } => {
                self.record(serde_json::json!({ "action": "reboot", "reason": reason }))?;
            }
            Action::FactoryReset => {
                self.record(
                    serde_json::json!({ "action": "factory_reset", "argv": ["firstboot", "-y"] }),
                )?;
                self.wipe_state()?;
                self.record(serde_json::json!({ "action": "reboot", "reason": "factory reset" }))?;
            }
            Action::Sysupgrade { args } => {
                let mut argv = vec!["sysupgrade".to_string()];
                argv.extend(args.iter().map(|arg| self.router_path(Path::new(arg))));
                self.record(serde_json::json!({ "action": "sysupgrade", "argv": argv }))?;
                if args.iter().any(|arg| arg == "-n") {
                    self.wipe_state()?;
                }
                self.record(serde_json::json!({ "action": "reboot", "reason": "sysupgrade" }))?;
            }
            Action::ReloadConfig { packages } => {
                self.record(
                    serde_json::json!({ "action": "reload_config", "packages": packages }),
                )?;
                return Ok(Aftermath::Continue);
            }
            Action::UbusCall { object, method } => {
                self.record(
                    serde_json::json!({ "action": "ubus_call", "object": object, "method": method }),
                )?;
                return Ok(Aftermath::Continue);
            }
        }
        self.clear_volatile()?;
        Ok(Aftermath::Exit)
    }

    fn validate_firmware_image(&self, image: &Path) -> io::Result<ImageCheck> {
        self.record(serde_json::json!({
            "action": "validate_firmware_image",
            "path": self.router_path(image),
        }))?;
        let reply = match fs::read_to_string(self.paths.resolve(SANDBOX_VALIDATE_FILE)) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                let mut head = vec![0; SANDBOX_FIRMWARE_MAGIC.len()];
                let read = io::Read::read(&mut fs::File::open(image)?, &mut head)?;
                let signed = &head[..read] == SANDBOX_FIRMWARE_MAGIC;
                serde_json::json!({
                    "tests": { "fwtool_signature": signed, "fwtool_device_match": true },
                    "valid": signed, "forceable": true, "allow_backup": true,
                })
                .to_string()
            }
            Err(err) => return Err(err),
        };
        firmware::parse_validation(&reply).map_err(io::Error::other)
    }

    fn create_backup(&self, archive: &Path) -> io::Result<()> {
        let argv = ["sysupgrade", "--create-backup", &self.router_path(archive)];
        self.record(serde_json::json!({ "action": "create_backup", "argv": argv }))?;
        let root = self.path_arg(self.paths.root())?;
        run(&[
            "tar",
            "-czf",
            self.path_arg(archive)?,
            "-C",
            root,
            "etc/config",
        ])
        .map(|_| ())
    }

    fn restore_backup(&self, archive: &Path) -> io::Result<()> {
        let argv = ["sysupgrade", "--restore-backup", &self.router_path(archive)];
        self.record(serde_json::json!({ "action": "restore_backup", "argv": argv }))?;
        let root = self.path_arg(self.paths.root())?;
        run(&[
            "tar",
            "-xzf",
            self.path_arg(archive)?,
            "-C",
            root,
            "--no-same-owner",
        ])
        .map(|_| ())
    }

    fn read_log(&self) -> io::Result<Vec<u8>> {
        match fs::read(self.paths.resolve("/var/log/messages")) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reboot_is_recorded_and_clears_tmpfs() {
        let dir = std::env::temp_dir().join(format!("cwmpd-sandbox-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("var/run/cwmpd")).unwrap();
        fs::write(dir.join("var/run/cwmpd/booted"), "1").unwrap();
        fs::create_dir_all(dir.join("etc")).unwrap();
        let sandbox = Sandbox::new(Paths::new(&dir));

        let reload = Action::ReloadConfig {
            packages: vec!["cwmpd".into()],
        };
        assert_eq!(sandbox.perform(&reload).unwrap(), Aftermath::Continue);
        let upgrade = Action::Sysupgrade {
            args: vec!["/tmp/fw.bin".into()],
        };
        assert_eq!(sandbox.perform(&upgrade).unwrap(), Aftermath::Exit);

        let log = fs::read_to_string(dir.join("var/log/cwmpd/actions.jsonl")).unwrap();
        assert_eq!(
            log,
            "{\"action\":\"reload_config\",\"packages\":[\"cwmpd\"]}\n\
             {\"action\":\"sysupgrade\",\"argv\":[\"sysupgrade\",\"/tmp/fw.bin\"]}\n\
             {\"action\":\"reboot\",\"reason\":\"sysupgrade\"}\n"
        );
        assert!(!dir.join("var/run/cwmpd/booted").exists());
        assert!(dir.join("var/run").is_dir() && dir.join("tmp").is_dir());
        assert!(dir.join("etc").is_dir());
        fs::remove_dir_all(&dir).unwrap();
    }
}
