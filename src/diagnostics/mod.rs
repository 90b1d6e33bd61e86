//! Diagnostics (TR-181 `Device.IP.Diagnostics.`, `Device.DNS.Diagnostics.`, TR-143): tests
//! the ACS requests by writing `DiagnosticsState = Requested`, run natively (no ping,
//! traceroute or nslookup programs) as local tasks after the session, reported with
//! "8 DIAGNOSTICS COMPLETE" (TR-069 §3.7.1.5).
//!
//! - [`state`], [`ip_ping`], [`trace_route`], [`ns_lookup`], [`download`], [`upload`] (with
//!   [`throughput`]), [`udp_echo`], [`server_selection`] and [`udp_echo_config`] are sans-I/O:
//!   the DiagnosticsState rules, inputs with their defaults, results, all kept in the engine's
//!   in-memory values.
//! - [`icmp`], [`dns`], [`http_wire`] and [`echo_plus`] build and parse the messages (pure).
//! - [`ping`], [`trace`], [`lookup`], [`transfer_run`] with `http_transfer`, [`echo`],
//!   [`select`] and [`echo_server`] are the edges: ICMP, UDP and TCP sockets on tokio.
//!
//! TR-143 (Download, Upload, UDPEcho, ServerSelection, UDPEchoConfig): HTTP only, no FTP.

pub mod dns;
pub mod download;
pub mod echo;
pub mod echo_plus;
pub mod echo_server;
mod http_transfer;
pub mod http_wire;
pub mod icmp;
pub mod ip_ping;
pub mod lookup;
pub mod ns_lookup;
pub mod ping;
pub mod select;
pub mod server_selection;
pub mod state;
mod stored;
pub mod throughput;
pub mod trace;
pub mod trace_route;
pub mod transfer_run;
pub mod udp_echo;
pub mod udp_echo_config;
pub mod upload;

use std::collections::BTreeMap;

use crate::datamodel::Value;
use ip_ping::{IpPingInputs, IpPingResults};
use ns_lookup::{NsLookupInputs, NsLookupResults};
use server_selection::{ServerSelectionInputs, ServerSelectionResults};
pub use state::DiagnosticsState;
use stored::{Defaults, Stored};
use throughput::{Direction, ThroughputResults, TransferInputs};
use trace_route::{TraceRouteInputs, TraceRouteResults};
use udp_echo::{UdpEchoInputs, UdpEchoResults};

/// The diagnostics cwmpd runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    IpPing,
    TraceRoute,
    NsLookup,
    Download,
    Upload,
    UdpEcho,
    ServerSelection,
}

impl Test {
    pub const ALL: [Test; 7] = [
        Test::IpPing,
        Test::TraceRoute,
        Test::NsLookup,
        Test::Download,
        Test::Upload,
        Test::UdpEcho,
        Test::ServerSelection,
    ];

    /// The TR-181 object (e.g. `Device.IP.Diagnostics.IPPing.`), its writable parameters
    /// besides DiagnosticsState, and its parameters' defaults.
    fn spec(self) -> (&'static str, &'static [&'static str], Defaults) {
        match self {
            Test::IpPing => (ip_ping::OBJECT, ip_ping::INPUTS, ip_ping::default_value),
            Test::TraceRoute => (
                trace_route::OBJECT,
                trace_route::INPUTS,
                trace_route::default_value,
            ),
            Test::NsLookup => (
                ns_lookup::OBJECT,
                ns_lookup::INPUTS,
                ns_lookup::default_value,
            ),
            Test::Download => (download::OBJECT, download::INPUTS, download::default_value),
            Test::Upload => (upload::OBJECT, upload::INPUTS, upload::default_value),
            Test::UdpEcho => (udp_echo::OBJECT, udp_echo::INPUTS, udp_echo::default_value),
            Test::ServerSelection => (
                server_selection::OBJECT,
                server_selection::INPUTS,
                server_selection::default_value,
            ),
        }
    }

    /// The TR-181 object, e.g. `Device.IP.Diagnostics.IPPing.`.
    pub fn object(self) -> &'static str {
        self.spec().0
    }

    /// The parameters the ACS may write besides DiagnosticsState.
    pub fn inputs(self) -> &'static [&'static str] {
        self.spec().1
    }

    /// The test whose object (or one of its tables) `path` is.
    pub fn for_path(path: &str) -> Option<Test> {
        Test::ALL
            .into_iter()
            .find(|test| path.starts_with(test.object()))
    }

    fn stored(self, values: &BTreeMap<String, Value>) -> Stored<'_> {
        Stored::new(values, self.object(), self.spec().2)
    }

    /// A parameter of the object itself: written or measured, else its default.
    pub fn value(self, values: &BTreeMap<String, Value>, name: &str) -> Option<Value> {
        self.stored(values).value(name)
    }

    pub fn state(self, values: &BTreeMap<String, Value>) -> DiagnosticsState {
        self.stored(values).state()
    }

    /// The instances of a result table (`RouteHops`).
    pub fn rows(self, values: &BTreeMap<String, Value>, table: &str) -> Vec<u32> {
        stored::row_instances(values, self.object(), table)
    }

    /// A parameter of a result table's row.
    pub fn row_value(
        self,
        values: &BTreeMap<String, Value>,
        table: &str,
        instance: u32,
        name: &str,
    ) -> Option<Value> {
        stored::row_value(values, self.object(), table, instance, name)
    }

    /// The test with its current inputs.
    pub fn job(self, values: &BTreeMap<String, Value>) -> Job {
        let stored = &self.stored(values);
        match self {
            Test::IpPing => Job::IpPing(IpPingInputs::from_stored(stored)),
            Test::TraceRoute => Job::TraceRoute(TraceRouteInputs::from_stored(stored)),
            Test::NsLookup => Job::NsLookup(NsLookupInputs::from_stored(stored)),
            Test::Download => Job::Download(download::inputs(stored)),
            Test::Upload => Job::Upload(upload::inputs(stored)),
            Test::UdpEcho => Job::UdpEcho(UdpEchoInputs::from_stored(stored)),
            Test::ServerSelection => {
                Job::ServerSelection(ServerSelectionInputs::from_stored(stored))
            }
        }
    }
}

/// A test to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    IpPing(IpPingInputs),
    TraceRoute(TraceRouteInputs),
    NsLookup(NsLookupInputs),
    Download(TransferInputs),
    Upload(TransferInputs),
    UdpEcho(UdpEchoInputs),
    ServerSelection(ServerSelectionInputs),
}

impl Job {
    pub fn test(&self) -> Test {
        match self {
            Job::IpPing(_) => Test::IpPing,
            Job::TraceRoute(_) => Test::TraceRoute,
            Job::NsLookup(_) => Test::NsLookup,
            Job::Download(_) => Test::Download,
            Job::Upload(_) => Test::Upload,
            Job::UdpEcho(_) => Test::UdpEcho,
            Job::ServerSelection(_) => Test::ServerSelection,
        }
    }

    /// The `Interface` input: a `Device.IP.Interface.{i}` reference as read, which the daemon
    /// replaces with the Linux device to bind to.
    pub fn interface_mut(&mut self) -> &mut String {
        match self {
            Job::IpPing(inputs) => &mut inputs.interface,
            Job::TraceRoute(inputs) => &mut inputs.interface,
            Job::NsLookup(inputs) => &mut inputs.interface,
            Job::Download(inputs) | Job::Upload(inputs) => &mut inputs.interface,
            Job::UdpEcho(inputs) => &mut inputs.interface,
            Job::ServerSelection(inputs) => &mut inputs.interface,
        }
    }

    /// Run it to the end (the I/O edge).
    pub async fn run(self) -> Finished {
        match self {
            Job::IpPing(inputs) => Finished::IpPing(ping::run(&inputs).await),
            Job::TraceRoute(inputs) => Finished::TraceRoute(trace::run(&inputs).await),
            Job::NsLookup(inputs) => Finished::NsLookup(lookup::run(&inputs).await),
            Job::Download(inputs) => {
                Finished::Download(transfer_run::run(&inputs, Direction::Download).await)
            }
            Job::Upload(inputs) => {
                Finished::Upload(transfer_run::run(&inputs, Direction::Upload).await)
            }
            Job::UdpEcho(inputs) => Finished::UdpEcho(echo::run(&inputs).await),
            Job::ServerSelection(inputs) => Finished::ServerSelection(select::run(&inputs).await),
        }
    }
}

/// What a test measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    IpPing(IpPingResults),
    TraceRoute(TraceRouteResults),
    NsLookup(NsLookupResults),
    Download(ThroughputResults),
    Upload(ThroughputResults),
    UdpEcho(UdpEchoResults),
    ServerSelection(ServerSelectionResults),
}

impl Finished {
    /// Store the results (they stay until the next test of the same kind).
    pub fn write(&self, values: &mut BTreeMap<String, Value>) {
        match self {
            Finished::IpPing(results) => results.write(values),
            Finished::TraceRoute(results) => results.write(values),
            Finished::NsLookup(results) => results.write(values),
            Finished::Download(results) => {
                results.write(download::OBJECT, Direction::Download, values)
            }
            Finished::Upload(results) => results.write(upload::OBJECT, Direction::Upload, values),
            Finished::UdpEcho(results) => results.write(values),
            Finished::ServerSelection(results) => results.write(values),
        }
    }

    /// One line for the log.
    pub fn summary(&self) -> String {
        match self {
            Finished::IpPing(r) => format!(
                "IPPing {}: {} of {} answered, average {} µs",
                r.state.name(),
                r.success_count,
                r.success_count + r.failure_count,
                r.average_us
            ),
            Finished::TraceRoute(r) => {
                format!("TraceRoute {}: {} hop(s)", r.state.name(), r.hops.len())
            }
            Finished::NsLookup(r) => format!(
                "NSLookupDiagnostics {}: {} result(s)",
                r.state.name(),
                r.results.len()
            ),
            Finished::Download(r) | Finished::Upload(r) => format!(
                "{} {}: {} test byte(s) over {} connection(s)",
                self.name(),
                r.state.name(),
                r.test_bytes(),
                r.connections.len()
            ),
            Finished::UdpEcho(r) => {
                let summary = r.stats.results(String::new());
                format!(
                    "UDPEchoDiagnostics {}: {} of {} answered, average {} µs",
                    r.state.name(),
                    summary.success_count,
                    summary.success_count + summary.failure_count,
                    summary.average_us
                )
            }
            Finished::ServerSelection(r) => format!(
                "ServerSelectionDiagnostics {}: fastest {:?}, average {} µs",
                r.state.name(),
                r.fastest_host,
                r.average_us
            ),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Finished::IpPing(_) => "IPPing",
            Finished::TraceRoute(_) => "TraceRoute",
            Finished::NsLookup(_) => "NSLookupDiagnostics",
            Finished::Download(_) => "DownloadDiagnostics",
            Finished::Upload(_) => "UploadDiagnostics",
            Finished::UdpEcho(_) => "UDPEchoDiagnostics",
            Finished::ServerSelection(_) => "ServerSelectionDiagnostics",
        }
    }
}
