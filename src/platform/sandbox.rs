//! The sandbox platform: a plain Linux box standing in for a router under `--root DIR`.
//!
//! It never touches the host. Each action is appended as one JSON object per line to
//! `DIR/var/log/cwmpd/actions.jsonl`; a reboot (also the one after sysupgrade or factory
//! reset) clears `DIR/var/run` and `DIR/tmp` — the tmpfs of a router — and tells the agent to
//! exit, so a test "reboots" the router by starting the binary again.

use super::{Action, Aftermath, Paths, Platform};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};

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
                self.record(serde_json::json!({ "action": "reboot", "reason": "factory reset" }))?;
            }
            Action::Sysupgrade { args } => {
                let mut argv = vec!["sysupgrade".to_string()];
                argv.extend(args.iter().cloned());
                self.record(serde_json::json!({ "action": "sysupgrade", "argv": argv }))?;
                self.record(serde_json::json!({ "action": "reboot", "reason": "sysupgrade" }))?;
            }
            Action::ReloadConfig { packages } => {
                self.record(
                    serde_json::json!({ "action": "reload_config", "packages": packages }),
                )?;
                return Ok(Aftermath::Continue);
            }
        }
        self.clear_volatile()?;
        Ok(Aftermath::Exit)
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
