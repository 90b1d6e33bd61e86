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
//!
//! ```
//! use cwmpd::cwmp::rpc::{AcsRequest, CpeResponse};
//! use cwmpd::datamodel::{testing::MemoryConfig, Context, InstanceTables, RuntimeValues};
//! use cwmpd::platform::Paths;
//! use cwmpd::tr181::{self, SystemInfo};
//!
//! // At start: read /etc/board.json and /etc/openwrt_release once (the daemon does the I/O).
//! let system = SystemInfo::parse(None, Some("DISTRIB_RELEASE='24.10.0'"));
//! let mut engine = tr181::engine(system).expect("the TR-181 schema is valid");
//! // engine.restore_attributes(saved_table);
//!
//! // Per RPC: a context over the UCI backend and the runtime values.
//! let paths = Paths::new("/");
//! let mut config = MemoryConfig::new(); // the daemon passes its UciStore-backed backend
//! let mut runtime = RuntimeValues {
//!     connection_request_url: "http://192.0.2.1:7547/".into(),
//!     parameter_key: String::new(),
//!     ..Default::default()
//! };
//! let mut instances = InstanceTables::new(); // the daemon restores and saves these
//! let mut ctx = Context {
//!     paths: &paths,
//!     now: 0,
//!     uptime: 60,
//!     config: &mut config,
//!     runtime: &mut runtime,
//!     instances: &mut instances,
//!     live: &Default::default(),
//! };
//! let request = AcsRequest::GetParameterValues {
//!     parameter_names: vec!["Device.DeviceInfo.UpTime".into()],
//! };
//! let outcome = engine.handle(&mut ctx, &request).expect("a data-model RPC");
//! match outcome.response {
//!     Ok(CpeResponse::GetParameterValuesResponse { parameter_list }) => {
//!         assert_eq!(parameter_list[0].value, "60")
//!     }
//!     other => panic!("{other:?}"),
//! }
//! // outcome.effects: persist parameter_key, save attributes and instances, reload
//! // changed_packages.
//! ```

pub mod alias;
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

pub use alias::InstanceMode;
pub use area::{Area, AreaView, ObjectRef, ParamRef};
pub use context::{ConfigBackend, ConfigSection, ConfigValue, Context, RuntimeValues};
pub use engine::{Committed, DeclaredObject, DeclaredParameter, Effects, Engine, RpcOutcome};
pub use error::{BackendError, Error};
pub use instances::{InstanceNumbers, InstanceTables};
pub use notify::{AttributeTable, StoredAttributes, ValueChanges};
pub use registry::SchemaError;
pub use schema::{Access, ActiveNotify, ObjectDef, ParamDef};
pub use transaction::{ConfigChange, InstanceChange, Transaction};
pub use value::{BaseType, Type, Value};
