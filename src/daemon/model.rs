//! The daemon's side of the data model: builds the engine from the router's files, gives it a
//! context for each call, and keeps what the engine's effects ask for (ParameterKey,
//! attributes, config reloads, value changes waiting for an Inform).

use std::collections::BTreeMap;
use std::path::Path;

use log::warn;

use crate::backend::uci_config::UciConfig;
use crate::cwmp::fault::Fault;
use crate::cwmp::rpc::{AcsRequest, CpeResponse};
use crate::cwmp::types::{DeviceIdStruct, ParameterValueStruct, XsdType};
use crate::datamodel::{Context, Engine, InstanceTables, RuntimeValues, Value};
use crate::live::LiveState;
use crate::platform::Paths;
use crate::tr181::{self, SystemInfo, BOARD_JSON, CWMPD_PACKAGE, OPENWRT_RELEASE};

use super::state::AgentState;

/// What the agent persists on the model's behalf.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavedModelState {
    pub parameter_key: String,
    pub attributes: serde_json::Value,
    pub instances: serde_json::Value,
}

/// The instance numbers saved earlier, or none (a corrupt table is logged and dropped: numbers
/// then start afresh, which TR-069 allows after a loss of state).
fn restore_instances(saved: &serde_json::Value) -> InstanceTables {
    if saved.is_null() {
        return InstanceTables::new();
    }
    serde_json::from_value(saved.clone()).unwrap_or_else(|err| {
        warn!(target: "cwmpd::store", "ignoring saved instance numbers: {err}");
        InstanceTables::new()
    })
}

pub struct Model {
    engine: Engine,
    paths: Paths,
    config: UciConfig,
    runtime: RuntimeValues,
    config_changed: bool,
    /// UCI packages other than cwmpd's own that the ACS changed: reloaded after the session.
    changed_packages: Vec<String>,
    /// Changed values of notified parameters not yet delivered in an Inform (latest wins).
    value_changes: Vec<ParameterValueStruct>,
    active_change: bool,
    /// The instance numbers of every table, persisted in the agent's state.
    instances: InstanceTables,
    /// In-memory parameters the engine wrote since the daemon last looked (diagnostics).
    volatile_changed: Vec<String>,
    /// System actions the engine asked for (a DHCP renew), taken after the session.
    actions: Vec<crate::platform::Action>,
    /// The running router as last gathered (`crate::live`); the daemon refreshes it.
    live: LiveState,
}

/// Seconds since boot: /proc/uptime on a router; in a `--root` sandbox, since the sandbox
/// "booted" (its boot marker was written), so a sandbox reboot starts UpTime again.
fn uptime_secs(paths: &Paths) -> u64 {
    if paths.root() != Path::new("/") {
        let marker = paths.run_dir().join("booted");
        if let Some(age) = std::fs::metadata(marker)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|booted| booted.elapsed().ok())
        {
            return age.as_secs();
        }
    }
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|text| text.split('.').next().and_then(|s| s.trim().parse().ok()))
        .unwrap_or(0)
}

impl Model {
    pub fn open(paths: &Paths, config_file: &Path, state: &AgentState) -> Result<Model, String> {
        let read = |path: &str| std::fs::read_to_string(paths.resolve(path)).ok();
        let system = SystemInfo::parse(
            read(BOARD_JSON).as_deref(),
            read(OPENWRT_RELEASE).as_deref(),
        );
        let mut engine = tr181::engine(system).map_err(|e| format!("data model: {e}"))?;
        if !state.attributes.is_null() {
            match serde_json::from_value(state.attributes.clone()) {
                Ok(attributes) => engine.restore_attributes(attributes),
                Err(err) => warn!(target: "cwmpd::store", "ignoring saved attributes: {err}"),
            }
        }
        let mut config = UciConfig::new(paths);
        config.map_package(CWMPD_PACKAGE, config_file);
        Ok(Model {
            engine,
            paths: paths.clone(),
            config,
            runtime: RuntimeValues {
                connection_request_url: String::new(),
                parameter_key: state.parameter_key.clone(),
                volatile: Default::default(),
            },
            config_changed: false,
            changed_packages: Vec::new(),
            value_changes: Vec::new(),
            active_change: false,
            instances: restore_instances(&state.instances),
            volatile_changed: Vec::new(),
            actions: Vec::new(),
            live: LiveState::default(),
        })
    }

    /// A new snapshot of the running router (`daemon/live.rs` decides when).
    pub fn set_live(&mut self, live: LiveState) {
        self.live = live;
    }

    /// Values the daemon computes: the ConnectionRequestURL and the persisted ParameterKey.
    pub fn set_runtime(&mut self, connection_request_url: &str, parameter_key: &str) {
        self.runtime.connection_request_url = connection_request_url.to_string();
        self.runtime.parameter_key = parameter_key.to_string();
    }

    /// Run `f` with a fresh context; UCI packages are read once per call and re-read on the
    /// next, so edits made by LuCI or `uci` in between are seen.
    fn with_context<T>(&mut self, f: impl FnOnce(&mut Engine, &mut Context<'_>) -> T) -> T {
        self.config.forget_loaded();
        let mut ctx = Context {
            paths: &self.paths,
            now: super::agent::unix_now(),
            uptime: uptime_secs(&self.paths),
            config: &mut self.config,
            runtime: &mut self.runtime,
            instances: &mut self.instances,
            live: &self.live,
        };
        f(&mut self.engine, &mut ctx)
    }

    pub fn device_id(&mut self) -> DeviceIdStruct {
        self.with_context(tr181::device_id).unwrap_or_else(|err| {
            warn!(target: "cwmpd::datamodel", "DeviceId: {err}");
            DeviceIdStruct::default()
        })
    }

    /// The Inform's ParameterList: forced-inform parameters, then changed notified values.
    pub fn inform_parameters(&mut self) -> Vec<ParameterValueStruct> {
        self.poll_value_changes();
        let mut list = self
            .with_context(|engine, ctx| engine.inform_parameters(ctx))
            .unwrap_or_else(|err| {
                warn!(target: "cwmpd::datamodel", "forced inform parameters: {err}");
                Vec::new()
            });
        for change in &self.value_changes {
            if !list.iter().any(|p| p.name == change.name) {
                list.push(change.clone());
            }
        }
        list
    }

    /// Whether value changes wait for an Inform ("4 VALUE CHANGE").
    pub fn has_value_changes(&self) -> bool {
        !self.value_changes.is_empty()
    }

    /// Look for changed values of parameters with notification on; true when one of them is
    /// active (the agent then starts a session at once).
    pub fn poll_value_changes(&mut self) -> bool {
        match self.with_context(|engine, ctx| engine.poll_value_changes(ctx)) {
            Ok(changes) => {
                for change in changes.changed {
                    self.value_changes.retain(|c| c.name != change.name);
                    self.value_changes.push(change);
                }
                self.active_change |= changes.active;
            }
            Err(err) => warn!(target: "cwmpd::datamodel", "value change poll: {err}"),
        }
        std::mem::take(&mut self.active_change)
    }

    /// The Inform that carried the value changes was accepted.
    pub fn value_changes_delivered(&mut self) {
        self.value_changes.clear();
    }

    /// The RPCs the engine answers.
    pub fn handles(request: &AcsRequest) -> bool {
        matches!(
            request,
            AcsRequest::GetParameterNames { .. }
                | AcsRequest::GetParameterValues { .. }
                | AcsRequest::SetParameterValues { .. }
                | AcsRequest::GetParameterAttributes { .. }
                | AcsRequest::SetParameterAttributes { .. }
                | AcsRequest::AddObject { .. }
                | AcsRequest::DeleteObject { .. }
        )
    }

    pub fn execute(&mut self, request: &AcsRequest) -> Result<CpeResponse, Fault> {
        let Some(outcome) = self.with_context(|engine, ctx| engine.handle(ctx, request)) else {
            return Err(Fault::new(
                crate::cwmp::fault::FaultCode::MethodNotSupported,
            ));
        };
        self.note_changed_packages(outcome.effects.changed_packages);
        self.volatile_changed
            .extend(outcome.effects.volatile_changed);
        self.actions.extend(outcome.effects.actions);
        outcome.response
    }

    /// `cwmpd get`: values as `(name, value)` pairs, in the engine's order.
    pub fn get_values(&mut self, paths: &[String]) -> Result<Vec<(String, String)>, Fault> {
        let request = AcsRequest::GetParameterValues {
            parameter_names: paths.to_vec(),
        };
        match self.execute(&request)? {
            CpeResponse::GetParameterValuesResponse { parameter_list } => Ok(parameter_list
                .into_iter()
                .map(|p| (p.name, p.value))
                .collect()),
            _ => Ok(Vec::new()),
        }
    }

    /// `cwmpd set`: one SetParameterValues (all or nothing) made on the device itself: the
    /// ParameterKey stays, and notified parameters report the change.
    pub fn set_values(&mut self, values: &[(String, String)]) -> Result<u8, Fault> {
        let parameter_list: Vec<ParameterValueStruct> = values
            .iter()
            .map(|(name, value)| ParameterValueStruct {
                name: name.clone(),
                value: value.clone(),
                xsd_type: XsdType::Other(String::new()),
            })
            .collect();
        let committed = self
            .with_context(|engine, ctx| engine.set_parameter_values_locally(ctx, &parameter_list))
            .map_err(Fault::from)?;
        self.note_changed_packages(committed.effects.changed_packages);
        self.volatile_changed
            .extend(committed.effects.volatile_changed);
        self.actions.extend(committed.effects.actions);
        Ok(committed.status)
    }

    /// cwmpd's own package is re-read at once; every changed package (cwmpd's too: procd then
    /// re-runs the init script, which carries the firewall rule for the CR port) is reloaded
    /// once the session is over.
    fn note_changed_packages(&mut self, packages: Vec<String>) {
        for package in packages {
            self.config_changed |= package == CWMPD_PACKAGE;
            if !self.changed_packages.contains(&package) {
                self.changed_packages.push(package);
            }
        }
    }

    /// What to persist; tables below instances that are gone are dropped first.
    pub fn saved_state(&mut self) -> SavedModelState {
        self.instances.prune_orphans();
        SavedModelState {
            parameter_key: self.runtime.parameter_key.clone(),
            attributes: serde_json::to_value(self.engine.attributes()).unwrap_or_default(),
            instances: serde_json::to_value(&self.instances).unwrap_or_default(),
        }
    }

    /// Whether the ACS changed cwmpd's own configuration since the last call.
    pub fn take_config_changed(&mut self) -> bool {
        std::mem::take(&mut self.config_changed)
    }

    /// UCI packages to reload once the session is over.
    pub fn take_changed_packages(&mut self) -> Vec<String> {
        std::mem::take(&mut self.changed_packages)
    }

    /// System actions the engine asked for since the last call.
    pub fn take_actions(&mut self) -> Vec<crate::platform::Action> {
        std::mem::take(&mut self.actions)
    }

    /// The running router as last gathered.
    pub fn live(&self) -> &LiveState {
        &self.live
    }

    /// Parameters kept in memory only (diagnostics inputs and results), by full path.
    pub fn volatile(&self) -> &BTreeMap<String, Value> {
        &self.runtime.volatile
    }

    pub fn volatile_mut(&mut self) -> &mut BTreeMap<String, Value> {
        &mut self.runtime.volatile
    }

    /// The instance numbers of every table (e.g. what `Device.IP.Interface.2` names).
    pub fn instances(&self) -> &InstanceTables {
        &self.instances
    }

    /// In-memory parameters the ACS (or `cwmpd set`) wrote since the last call.
    pub fn take_volatile_changed(&mut self) -> Vec<String> {
        std::mem::take(&mut self.volatile_changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_instance_numbers_are_restored_or_dropped_when_corrupt() {
        assert_eq!(
            restore_instances(&serde_json::Value::Null),
            InstanceTables::new()
        );
        let mut tables = InstanceTables::new();
        tables
            .table("Device.NAT.PortMapping.{i}.")
            .assign(&["@redirect[0]"]);
        let saved = serde_json::to_value(&tables).unwrap();
        assert_eq!(restore_instances(&saved), tables);
        let corrupt = serde_json::json!({"Device.NAT.PortMapping.{i}.": 7});
        assert_eq!(restore_instances(&corrupt), InstanceTables::new());
    }
}
