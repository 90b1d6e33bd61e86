//! cwmpd: a TR-069 (CWMP) agent for OpenWrt and Linux gateways.
//!
//! Layers, top to bottom (see `docs/` and the team's design notes): `daemon` (the only
//! `tokio::select!`), `net` (ACS client, connection-request server), `tr181` (one file per area),
//! `backend` (UCI, …), `platform` (OpenWrt or sandbox), `store` (atomic persistence),
//! `datamodel` (generic engine) and `cwmp` (the sans-I/O codec and session state machine).
#![forbid(unsafe_code)]

pub mod backend;
pub mod cli;
pub mod config;
pub mod cwmp;
pub mod daemon;
pub mod datamodel;
pub mod diagnostics;
pub mod live;
pub mod net;
pub mod platform;
pub mod store;
pub mod tr181;
pub mod transfer;
