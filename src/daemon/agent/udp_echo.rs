//! The agent's side of `Device.IP.Diagnostics.UDPEchoConfig.`: the echo server runs as a
//! local task for the daemon's whole life, with its settings from the `udpecho` section of
//! `/etc/config/cwmpd` (re-read on every reload, so a change the ACS made applies at once and
//! survives a reboot) and its counters published into the data model's in-memory values.

use log::warn;
use tokio::sync::watch;

use super::Agent;
use crate::backend::uci::UciFile;
use crate::daemon::cr_url::linux_device;
use crate::daemon::SharedAgent;
use crate::diagnostics::echo_server;
use crate::diagnostics::udp_echo_config::{EchoServerSettings, SECTION};
use crate::tr181::CWMPD_PACKAGE;

impl Agent {
    /// Start the server task (it idles while UDPEchoConfig is disabled).
    pub fn start_udp_echo_server(shared: &SharedAgent) {
        let settings = shared.borrow().udp_echo_settings();
        let (sender, receiver) = watch::channel(settings);
        shared.borrow_mut().udp_echo_tx = Some(sender);
        let agent = shared.clone();
        tokio::task::spawn_local(echo_server::serve(receiver, move |counters| {
            counters.write(agent.borrow_mut().model.volatile_mut())
        }));
    }

    /// Hand the server the current settings (it restarts only if they changed).
    pub(super) fn update_udp_echo_server(&self) {
        let Some(sender) = &self.udp_echo_tx else {
            return;
        };
        let settings = self.udp_echo_settings();
        sender.send_if_modified(|current| {
            let changed = *current != settings;
            *current = settings;
            changed
        });
    }

    /// The `udpecho` section as it is now, its interface resolved to its Linux device.
    fn udp_echo_settings(&self) -> EchoServerSettings {
        let text = std::fs::read_to_string(&self.config_file).unwrap_or_default();
        let file = UciFile::parse(CWMPD_PACKAGE, &text).ok();
        let section = file.as_ref().and_then(|file| file.section(SECTION));
        let (mut settings, interface) =
            EchoServerSettings::from_options(|name| section?.get(name).map(str::to_string));
        if !interface.is_empty() {
            let network = self.network_config();
            match network.and_then(|network| linux_device(&network, &interface)) {
                Some(device) => settings.device = device,
                None => {
                    warn!(target: "cwmpd::diagnostics", "UDP echo: interface {interface:?} has no device: not serving");
                    settings.enable = false;
                }
            }
        }
        settings
    }
}
