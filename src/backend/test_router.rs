//! Test harness for the TR-181 areas (kept here, beside the backend it drives, because it does
//! file I/O and `tr181/` may not): a router's `/etc/config` on a temporary directory, seeded from
//! the stock OpenWrt files in `tests/fixtures/uci/`, served by the real engine over the real
//! UCI backend, with instance numbers kept as the daemon keeps them (and a "restart" that
//! rebuilds everything from the saved JSON).

use std::path::PathBuf;

use crate::backend::uci_config::UciConfig;
use crate::cwmp::fault::Fault;
use crate::cwmp::rpc::{AcsRequest, CpeResponse};
use crate::cwmp::types::{ParameterValueStruct, XsdType};
use crate::datamodel::{Context, Engine, InstanceTables, RuntimeValues};
use crate::live::LiveState;
use crate::platform::Paths;
use crate::tr181::{self, SystemInfo};

/// 2026-11-24T17:30:00Z.
pub(crate) const NOW: i64 = 1_795_541_400;

pub(crate) struct Router {
    dir: tempfile::TempDir,
    paths: Paths,
    config: UciConfig,
    runtime: RuntimeValues,
    instances: InstanceTables,
    /// The live state the areas see (tests fill it as netlink and ubus would).
    pub live: LiveState,
    engine: Engine,
    /// The packages the last RPC committed (the daemon reloads their services).
    pub changed_packages: Vec<String>,
    /// The system actions the last RPC asked for after the session.
    pub actions: Vec<crate::platform::Action>,
}

/// The text of a fixture in `tests/fixtures/uci/`.
pub(crate) fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/uci")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A temporary root, on tmpfs where there is one: every commit fsyncs, and sweeps over the
/// whole model commit thousands of times.
fn temp_root() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    match shm.is_dir() {
        true => tempfile::tempdir_in(shm).unwrap_or_else(|_| tempfile::tempdir().unwrap()),
        false => tempfile::tempdir().unwrap(),
    }
}

impl Router {
    /// A router whose `/etc/config/<package>` files are the given fixtures.
    pub fn new(files: &[(&str, &str)]) -> Router {
        let dir = temp_root();
        let config_dir = dir.path().join("etc/config");
        std::fs::create_dir_all(&config_dir).unwrap();
        for (package, name) in files {
            std::fs::write(config_dir.join(package), fixture(name)).unwrap();
        }
        Router::open(dir, InstanceTables::new())
    }

    fn open(dir: tempfile::TempDir, instances: InstanceTables) -> Router {
        let paths = Paths::new(dir.path());
        Router {
            config: UciConfig::new(&paths),
            paths,
            dir,
            runtime: RuntimeValues::default(),
            instances,
            live: LiveState::default(),
            engine: tr181::engine(SystemInfo::default()).unwrap(),
            changed_packages: Vec::new(),
            actions: Vec::new(),
        }
    }

    /// The same router with the board description `system` (board.json's ports…).
    pub fn with_system(mut self, system: SystemInfo) -> Router {
        self.engine = tr181::engine(system).unwrap();
        self
    }

    /// The daemon restarting: a new engine and backend, the instance numbers read back from
    /// the JSON the daemon saved.
    pub fn restart(self) -> Router {
        let saved = serde_json::to_string(&self.instances).unwrap();
        Router::open(self.dir, serde_json::from_str(&saved).unwrap())
    }

    /// The text of `/etc/config/<package>`.
    pub fn file(&self, package: &str) -> String {
        std::fs::read_to_string(self.dir.path().join("etc/config").join(package)).unwrap()
    }

    /// Replace `/etc/config/<package>` (an edit by LuCI or `uci`).
    pub fn write_file(&self, package: &str, text: &str) {
        std::fs::write(self.dir.path().join("etc/config").join(package), text).unwrap();
    }

    pub fn handle(&mut self, request: AcsRequest) -> Result<CpeResponse, Fault> {
        self.config.forget_loaded();
        let mut ctx = Context {
            paths: &self.paths,
            now: NOW,
            uptime: 3_725,
            config: &mut self.config,
            runtime: &mut self.runtime,
            instances: &mut self.instances,
            live: &self.live,
        };
        let outcome = self
            .engine
            .handle(&mut ctx, &request)
            .expect("a data-model RPC");
        self.changed_packages = outcome.effects.changed_packages;
        self.actions = outcome.effects.actions;
        outcome.response
    }

    pub fn gpn(&mut self, path: &str, next_level: bool) -> Result<Vec<(String, bool)>, u32> {
        match self.handle(AcsRequest::GetParameterNames {
            parameter_path: path.into(),
            next_level,
        }) {
            Ok(CpeResponse::GetParameterNamesResponse { parameter_list }) => Ok(parameter_list
                .into_iter()
                .map(|info| (info.name, info.writable))
                .collect()),
            Ok(other) => panic!("unexpected {other:?}"),
            Err(fault) => Err(fault.fault_code),
        }
    }

    /// Names and values.
    pub fn gpv(&mut self, names: &[&str]) -> Result<Vec<(String, String)>, u32> {
        match self.handle(AcsRequest::GetParameterValues {
            parameter_names: names.iter().map(|n| n.to_string()).collect(),
        }) {
            Ok(CpeResponse::GetParameterValuesResponse { parameter_list }) => Ok(parameter_list
                .into_iter()
                .map(|p| (p.name, p.value))
                .collect()),
            Ok(other) => panic!("unexpected {other:?}"),
            Err(fault) => Err(fault.fault_code),
        }
    }

    /// The values below a partial path, with the path prefix stripped from their names, without
    /// the tables' `Alias` (served by the engine for every table and tested there and in
    /// `tr181::nat`'s alias test): the areas' own parameters.
    pub fn values_below(&mut self, path: &str) -> Vec<(String, String)> {
        self.gpv(&[path])
            .unwrap()
            .into_iter()
            .map(|(name, value)| (name[path.len()..].to_string(), value))
            .filter(|(name, _)| name != "Alias" && !name.ends_with(".Alias"))
            .collect()
    }

    pub fn value(&mut self, name: &str) -> String {
        self.gpv(&[name]).unwrap().remove(0).1
    }

    /// SetParameterValues with untyped values (`xsi:type` left out, as some ACSs send).
    pub fn spv(&mut self, values: &[(&str, &str)]) -> Result<u8, Fault> {
        let request = AcsRequest::SetParameterValues {
            parameter_list: values
                .iter()
                .map(|(name, value)| ParameterValueStruct {
                    name: name.to_string(),
                    value: value.to_string(),
                    xsd_type: XsdType::Other(String::new()),
                })
                .collect(),
            parameter_key: "key".into(),
        };
        match self.handle(request)? {
            CpeResponse::SetParameterValuesResponse { status } => Ok(status),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// The faults of a rejected SetParameterValues as `(code, [(parameter, code)])`.
    pub fn spv_faults(&mut self, values: &[(&str, &str)]) -> (u32, Vec<(String, u32)>) {
        let fault = self.spv(values).expect_err("SetParameterValues must fail");
        let details = fault
            .set_parameter_values_faults
            .iter()
            .map(|f| (f.parameter_name.clone(), f.fault_code))
            .collect();
        (fault.fault_code, details)
    }

    pub fn add(&mut self, object: &str) -> Result<u32, u32> {
        match self.handle(AcsRequest::AddObject {
            object_name: object.into(),
            parameter_key: "key".into(),
        }) {
            Ok(CpeResponse::AddObjectResponse {
                instance_number, ..
            }) => Ok(instance_number),
            Ok(other) => panic!("unexpected {other:?}"),
            Err(fault) => Err(fault.fault_code),
        }
    }

    pub fn delete(&mut self, object: &str) -> Result<(), u32> {
        match self.handle(AcsRequest::DeleteObject {
            object_name: object.into(),
            parameter_key: "key".into(),
        }) {
            Ok(CpeResponse::DeleteObjectResponse { .. }) => Ok(()),
            Ok(other) => panic!("unexpected {other:?}"),
            Err(fault) => Err(fault.fault_code),
        }
    }
}
