//! Network edges: ACS HTTP client and connection-request server.

pub mod acs_client;
pub mod cr_server;
