//! The OpenWrt platform: real system actions, each program run from an argument vector.

use super::{firmware, run, Action, Aftermath, ImageCheck, Paths, Platform};
use std::io;
use std::path::Path;
use std::process::Command;

pub struct OpenWrt {
    paths: Paths,
}

impl OpenWrt {
    pub fn new() -> OpenWrt {
        OpenWrt {
            paths: Paths::new("/"),
        }
    }
}

impl Default for OpenWrt {
    fn default() -> Self {
        OpenWrt::new()
    }
}

fn path_str(path: &Path) -> io::Result<&str> {
    path.to_str()
        .ok_or_else(|| io::Error::other(format!("not UTF-8: {}", path.display())))
}

/// Start a program without waiting for it (the agent's loop must not block).
fn spawn(program: &str, args: &[&str]) -> io::Result<()> {
    Command::new(program).args(args).spawn().map(|_child| ())
}

impl Platform for OpenWrt {
    fn paths(&self) -> &Paths {
        &self.paths
    }

    fn perform(&self, action: &Action) -> io::Result<Aftermath> {
        match action {
            Action::Reboot { .. } => spawn("/sbin/reboot", &[])?,
            // `firstboot -y` wipes the overlay; the reboot afterwards makes it take effect.
            Action::FactoryReset => {
                let status = Command::new("/sbin/firstboot").arg("-y").status()?;
                if !status.success() {
                    return Err(io::Error::other(format!("firstboot -y failed: {status}")));
                }
                spawn("/sbin/reboot", &[])?
            }
            Action::Sysupgrade { args } => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                spawn("/sbin/sysupgrade", &args)?
            }
            Action::ReloadConfig { packages } => {
                // What /sbin/reload_config does: one config.change event per package; procd's
                // triggers then reload exactly the services that depend on it.
                for package in packages {
                    let event = serde_json::json!({
                        "type": "config.change",
                        "data": { "package": package },
                    });
                    Command::new("/bin/ubus")
                        .args(["call", "service", "event"])
                        .arg(event.to_string())
                        .status()?;
                }
                return Ok(Aftermath::Continue);
            }
            Action::UbusCall { object, method } => {
                let status = Command::new("/bin/ubus")
                    .args(["call", object, method])
                    .status()?;
                if !status.success() {
                    return Err(io::Error::other(format!(
                        "ubus call {object} {method} failed: {status}"
                    )));
                }
                return Ok(Aftermath::Continue);
            }
        }
        Ok(Aftermath::Continue)
    }

    fn validate_firmware_image(&self, image: &Path) -> io::Result<ImageCheck> {
        let request = serde_json::json!({ "path": path_str(image)? }).to_string();
        let reply = run(&[
            "/bin/ubus",
            "call",
            "system",
            "validate_firmware_image",
            &request,
        ])?;
        firmware::parse_validation(&String::from_utf8_lossy(&reply)).map_err(io::Error::other)
    }

    fn create_backup(&self, archive: &Path) -> io::Result<()> {
        run(&["/sbin/sysupgrade", "--create-backup", path_str(archive)?]).map(|_| ())
    }

    fn restore_backup(&self, archive: &Path) -> io::Result<()> {
        run(&["/sbin/sysupgrade", "--restore-backup", path_str(archive)?]).map(|_| ())
    }

    fn read_log(&self) -> io::Result<Vec<u8>> {
        run(&["/sbin/logread"])
    }
}
