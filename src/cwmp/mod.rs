//! The sans-I/O CWMP core: codec and session state machine. Nothing in here touches tokio,
//! sockets, files, processes or the wall clock — time comes in as an argument.

pub mod codec;
pub mod digest;
pub mod event;
pub mod fault;
pub mod retry;
pub mod rpc;
pub mod session;
pub mod types;
pub mod xml;
