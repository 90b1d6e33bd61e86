//! Test support: a scripted TR-069 ACS over loopback and a harness for the real `cwmpd`.
//!
//! The ACS is an independent oracle: it builds GenieACS-shaped envelopes from string
//! templates (`soap`) and reads what the CPE sends into a generic XML tree (`xml`); it never
//! uses the crate's own codec.
//!
//! ```ignore
//! mod support;                      // from tests/*.rs; an example uses #[path = "../tests/support/mod.rs"]
//! use support::*;
//! use std::time::Duration;
//!
//! let acs = TestAcs::start(AcsConfig::new().session(vec![AcsRpc::gpv(&["Device.DeviceInfo."])]));
//! // Illustrative UCI: the option names are whatever src/config.rs defines.
//! let cpe = CpeProcess::start(&format!("config acs 'acs'\n\toption url '{}'\n", acs.url()));
//! let session = acs.wait_session(1, Duration::from_secs(10)).unwrap();
//! assert!(session.has_event("1 BOOT"));
//! assert_eq!(session.response(0).method(), "GetParameterValuesResponse");
//! acs.assert_no_violations();
//! acs.validate_cpe_bodies().unwrap();
//! ```
//!
//! Runtime: `TestAcs` runs on its own thread and current-thread tokio runtime, so it works
//! from `#[test]` and from `#[tokio::test]` (either flavour). Blocking waits (`wait_*`) park
//! the calling thread; from a test whose fake CPE is a task on the same current-thread
//! runtime, use the `*_async` waits.
#![allow(dead_code, unused_imports)]

pub mod acs;
pub mod config;
pub mod cpe;
pub mod cr;
pub mod demo;
pub mod digest;
mod engine;
pub mod files;
pub mod fixtures;
pub mod http;
pub mod log;
mod server;
pub mod soap;
pub mod tls;
pub mod transcript;
pub mod ubus_wire;
pub mod ubusd;
mod ubusd_fakes;
mod ubusd_state;
pub mod validate;
pub mod xml;

pub use acs::{TestAcs, WaitTimeout, ACS_PATH};
pub use config::{
    AcsConfig, Auth, AuthScope, Inject, Location, NsChoice, Rule, SessionScript, Step, When,
};
pub use cpe::CpeProcess;
pub use cr::{connection_request, connection_request_with, CrOutcome, CrRequest};
pub use digest::DigestAlgorithm;
pub use files::{FileAuth, Received, ServedFile, TestFileServer};
pub use log::{AcsLog, AuthCheck, Exchange, Outcome, Record, Reply, Session};
pub use soap::{AcsRpc, Download, ScheduleDownload, SetAttribute, TimeWindow, Upload};
pub use soap::{NS_CWMP_1_0, NS_CWMP_1_1, NS_CWMP_1_2};
pub use tls::TlsOptions;
pub use ubusd::{CallReply, TestUbusd};
pub use ubusd_fakes::fixture as ubus_fixture;
pub use validate::validate_with_bbf_schema;
pub use xml::{CwmpFault, Element, Envelope, ParamValue};
