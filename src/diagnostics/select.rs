//! ServerSelectionDiagnostics on the wire: each host of the list measured in turn with the
//! IPPing or UDPEcho edge ([`super::ping`], [`super::echo`]), then the fastest chosen.

use tokio::time::Duration;

use super::echo;
use super::ip_ping::IpPingInputs;
use super::ping;
use super::server_selection::{
    Protocol, ServerSelectionInputs, ServerSelectionResults, UDP_ECHO_PORT,
};
use super::state::DiagnosticsState;
use super::udp_echo::UdpEchoInputs;

/// Between two echoes to the same host (as IPPing's minimum interval).
const GAP: Duration = Duration::from_millis(10);

/// Run one ServerSelection test to the end. Hosts that cannot be resolved or reached are
/// not chosen; when no host resolves at all: `Error_CannotResolveHostName`.
pub async fn run(inputs: &ServerSelectionInputs) -> ServerSelectionResults {
    let mut measured = Vec::new();
    let mut resolved = false;
    for host in &inputs.hosts {
        let results = match inputs.protocol {
            Protocol::Icmp => ping::run(&ping_inputs(inputs, host)).await,
            Protocol::UdpEcho => {
                let echoed = echo::run(&echo_inputs(inputs, host)).await;
                let mut results = echoed.stats.results(echoed.ip_address_used);
                results.state = echoed.state;
                results
            }
        };
        resolved |= results.state != DiagnosticsState::ErrorCannotResolveHostName;
        if results.state == DiagnosticsState::Complete {
            measured.push((host.clone(), results));
        }
    }
    if !resolved {
        return ServerSelectionResults::failed(DiagnosticsState::ErrorCannotResolveHostName);
    }
    ServerSelectionResults::fastest(&measured)
}

fn ping_inputs(inputs: &ServerSelectionInputs, host: &str) -> IpPingInputs {
    IpPingInputs {
        interface: inputs.interface.clone(),
        protocol_version: inputs.protocol_version,
        host: host.to_string(),
        repetitions: inputs.repetitions,
        timeout_ms: inputs.timeout_ms,
        data_block_size: 24,
        dscp: 0,
    }
}

fn echo_inputs(inputs: &ServerSelectionInputs, host: &str) -> UdpEchoInputs {
    UdpEchoInputs {
        interface: inputs.interface.clone(),
        host: host.to_string(),
        port: UDP_ECHO_PORT,
        repetitions: inputs.repetitions,
        timeout_ms: inputs.timeout_ms,
        data_block_size: 24,
        dscp: 0,
        inter_transmission_ms: GAP.as_millis() as u32,
        protocol_version: inputs.protocol_version,
        individual_results: false,
    }
}
