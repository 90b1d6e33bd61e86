//! Backends that TR-181 areas map onto.

#[cfg(test)]
pub(crate) mod test_router;
pub mod ubus;
pub mod uci;
pub mod uci_config;
