//! Diagnostics (TR-181 `Device.IP.Diagnostics.`, TR-143): tests the ACS requests by writing
//! `DiagnosticsState = Requested`, run natively (no ping/traceroute/nslookup programs) as local
//! tasks after the session, reported with "8 DIAGNOSTICS COMPLETE" (TR-069 §3.7.1.5).
//!
//! - [`state`] and [`ip_ping`] are sans-I/O: the DiagnosticsState rules, inputs with their
//!   defaults, results from measured samples, all kept in the engine's in-memory values.
//! - [`icmp`] builds and parses ICMP/ICMPv6 echo messages (pure).
//! - [`ping`] is the edge: ICMP sockets on tokio.

pub mod icmp;
pub mod ip_ping;
pub mod ping;
pub mod state;

pub use state::DiagnosticsState;
