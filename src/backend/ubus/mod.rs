//! A native ubus client on tokio: OpenWrt's message bus spoken over its Unix socket, with
//! no libubus. The wire format is in docs/ubus-wire.md.
//!
//! ```no_run
//! # use cwmpd::backend::ubus::{Method, Ubus, UbusConfig, UbusError, DEFAULT_SOCKET};
//! # use serde_json::json;
//! # async fn example() -> Result<(), UbusError> {
//! let ubus = Ubus::connect(UbusConfig::new(DEFAULT_SOCKET)).await?;
//! let status = ubus.call("network.interface.wan", "status", json!({})).await?;
//! let mut events = ubus.subscribe_events(&["network.interface"]).await?;
//! let mut calls = ubus.add_object("cwmpd", vec![Method::new("status", &[])]).await?;
//! # let _ = (status, &mut events, &mut calls);
//! # Ok(()) }
//! ```
//!
//! Layers: `blob` (TLV attributes) → `blobmsg` (JSON values) → `message` (header, message
//! attributes, framing) → `link` (one connection: requests and replies, routing of incoming
//! INVOKEs) → `ops` (LOOKUP, INVOKE, ADD_OBJECT, SUBSCRIBE, events) → `client` (the handle,
//! reconnection) with `registry` (what is registered again after a reconnection).

pub mod blob;
pub mod blobmsg;
mod client;
mod error;
mod link;
pub mod message;
mod ops;
mod registry;

pub use blob::WireError;
pub use blobmsg::BlobmsgType;
pub use client::{Ubus, UbusConfig, DEFAULT_SOCKET};
pub use error::{Status, UbusError};
pub use ops::ObjectInfo;
pub use registry::{Event, IncomingCall, Method};
