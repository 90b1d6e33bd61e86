//! Network edges: the ACS HTTP client and the connection-request server (TR-069 §3.2, §3.4).

pub mod acs_client;
pub mod cr_server;
pub mod http1;
pub mod tls;
