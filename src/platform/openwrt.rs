//! The OpenWrt platform: real system actions, each program run from an argument vector.

use super::{Action, Aftermath, Paths, Platform};
use std::io;
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
        }
        Ok(Aftermath::Continue)
    }
}
