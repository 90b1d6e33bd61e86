//! Backends that TR-181 areas map onto.

pub mod ubus;
pub mod uci;
pub mod uci_config;
