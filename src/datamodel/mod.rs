//! The generic TR-069 data-model engine (TR-069 Amendment 6 Annex A, CWMP 1.4).
//!
//! Sans-I/O: nothing in here touches files, sockets, processes, tokio or the wall clock.
//! Areas (see `crate::tr181`) declare their objects and parameters once ([`schema`]) and
//! answer through an [`area::AreaView`] opened once per RPC; the daemon passes a
//! [`context::Context`] holding time, paths, the configuration backend and runtime values.
//!
//! Entry points for the daemon: [`engine::Engine::new`], [`engine::Engine::handle`],
//! [`engine::Engine::inform_parameters`], [`engine::Engine::poll_value_changes`],
//! [`engine::Engine::attributes`] / [`engine::Engine::restore_attributes`].

pub mod area;
pub mod context;
pub mod engine;
pub mod error;
pub mod instances;
pub mod notify;
pub mod path;
pub mod registry;
pub mod schema;
pub mod testing;
pub mod transaction;
pub mod value;

pub use area::{Area, AreaView, ObjectRef, ParamRef};
pub use context::{ConfigBackend, Context, RuntimeValues};
pub use engine::{Committed, DeclaredObject, DeclaredParameter, Effects, Engine, RpcOutcome};
pub use error::{BackendError, Error};
pub use notify::{AttributeTable, StoredAttributes, ValueChanges};
pub use registry::SchemaError;
pub use schema::{Access, ActiveNotify, ObjectDef, ParamDef};
pub use transaction::{ConfigChange, Transaction};
pub use value::{BaseType, Type, Value};
