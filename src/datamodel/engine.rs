//! The data-model engine: TR-069 Annex A semantics over the tree the areas declare.
//!
//! One [`Engine`] lives for the whole process. For each RPC the daemon builds a [`Context`]
//! and calls [`Engine::handle`] (or one of the typed methods). The engine:
//! - resolves paths (complete, partial, `*` wildcards, `[alias]` via the area),
//! - opens at most one view per touched area per RPC (areas load backends once per RPC),
//! - validates SetParameterValues completely before staging anything, applies the staged
//!   [`Transaction`] only when every parameter is valid, and reports what changed,
//! - keeps the attribute table (persisted by the daemon) and detects value changes.

use std::collections::HashSet;

use super::alias::InstanceMode;
use super::area::{Area, AreaView, ObjectRef, ParamRef};
use super::context::Context;
use super::error::Error;
use super::notify::{
    check_notification, AttributeTable, Baseline, StoredAttributes, ValueChanges,
    ACCESS_SUBSCRIBER, NOTIFICATION_ACTIVE, NOTIFICATION_OFF,
};
use super::path::{self, instantiate, Segment};
use super::registry::{AreaId, Child, ObjectId, ParamId, Registry, SchemaError, ROOT_OBJECT};
use super::schema::{Access, ParamDef};
use super::transaction::{Applied, Transaction};
use super::value::{BaseType, Value, UNKNOWN_TIME_SECS};
use crate::cwmp::fault::Fault;
use crate::cwmp::rpc::{AcsRequest, CpeResponse};
use crate::cwmp::types::{
    ParameterAttributeStruct, ParameterInfoStruct, ParameterValueStruct,
    SetParameterAttributesStruct,
};

/// The longest ParameterKey TR-069 allows (A.3.2.1: string(32)).
const PARAMETER_KEY_MAX_LEN: usize = 32;

/// What an RPC changed besides its answer; the daemon acts on it after the RPC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    /// The new ParameterKey after a successful SetParameterValues/AddObject/DeleteObject:
    /// persist it (it is already in `Context::runtime`).
    pub parameter_key: Option<String>,
    /// Configuration packages committed; reload their services once after the session.
    pub changed_packages: Vec<String>,
    /// The attribute table changed: save [`Engine::attributes`].
    pub attributes_changed: bool,
    /// In-memory parameters written (full paths, in order), e.g. a DiagnosticsState the
    /// daemon acts on after the session.
    pub volatile_changed: Vec<String>,
    /// System actions to take once the session is over (staged with
    /// `Transaction::after_session`).
    pub actions: Vec<crate::platform::Action>,
}

/// The answer to one RPC and its effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcOutcome {
    pub response: Result<CpeResponse, Fault>,
    pub effects: Effects,
}

/// A committed change: its Status and what the daemon must do about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    /// 0 applied, 1 takes effect later (A.3.2.1, A.3.2.6, A.3.2.7).
    pub status: u8,
    pub effects: Effects,
}

/// An object as declared (for conformance checks and documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclaredObject {
    pub path: &'static str,
    pub multi_instance: bool,
    pub access: Access,
}

/// A parameter as declared, with its full pattern (`Device.X.{i}.Y`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredParameter<'a> {
    pub path: String,
    pub def: &'a ParamDef,
}

pub struct Engine {
    registry: Registry,
    areas: Vec<Box<dyn Area>>,
    attributes: AttributeTable,
    baseline: Baseline,
}

impl Engine {
    /// Assemble the tree from `areas`; the first must declare `Device.`. Objects must be
    /// declared after their parents (areas in order, objects in order within an area).
    pub fn new(areas: Vec<Box<dyn Area>>) -> Result<Engine, SchemaError> {
        Ok(Engine {
            registry: Registry::build(&areas)?,
            areas,
            attributes: AttributeTable::default(),
            baseline: Baseline::default(),
        })
    }

    /// The attribute table to persist.
    pub fn attributes(&self) -> &AttributeTable {
        &self.attributes
    }

    /// Restore the attribute table saved earlier (at start-up).
    pub fn restore_attributes(&mut self, attributes: AttributeTable) {
        self.attributes = attributes;
    }

    pub fn declared_objects(&self) -> impl Iterator<Item = DeclaredObject> + '_ {
        self.registry.objects.iter().map(|node| DeclaredObject {
            path: node.path,
            multi_instance: node.multi,
            access: node.access,
        })
    }

    pub fn declared_parameters(&self) -> impl Iterator<Item = DeclaredParameter<'_>> + '_ {
        (0..self.registry.params.len()).map(|param| DeclaredParameter {
            path: self.registry.param_pattern(param),
            def: &self.registry.params[param].def,
        })
    }

    /// Answer a data-model RPC; `None` for RPCs the engine does not handle (Reboot, Download…).
    pub fn handle(&mut self, ctx: &mut Context<'_>, request: &AcsRequest) -> Option<RpcOutcome> {
        let mut effects = Effects::default();
        let response = match request {
            AcsRequest::GetParameterNames {
                parameter_path,
                next_level,
            } => self
                .get_parameter_names(ctx, parameter_path, *next_level)
                .map(|parameter_list| CpeResponse::GetParameterNamesResponse { parameter_list }),
            AcsRequest::GetParameterValues { parameter_names } => self
                .get_parameter_values(ctx, parameter_names)
                .map(|parameter_list| CpeResponse::GetParameterValuesResponse { parameter_list }),
            AcsRequest::SetParameterValues {
                parameter_list,
                parameter_key,
            } => self
                .set_parameter_values(ctx, parameter_list, parameter_key)
                .map(|committed| {
                    effects = committed.effects;
                    CpeResponse::SetParameterValuesResponse {
                        status: committed.status,
                    }
                }),
            AcsRequest::GetParameterAttributes { parameter_names } => self
                .get_parameter_attributes(ctx, parameter_names)
                .map(
                    |parameter_list| CpeResponse::GetParameterAttributesResponse { parameter_list },
                ),
            AcsRequest::SetParameterAttributes { parameter_list } => self
                .set_parameter_attributes(ctx, parameter_list)
                .map(|changed| {
                    effects.attributes_changed = changed;
                    CpeResponse::SetParameterAttributesResponse
                }),
            AcsRequest::AddObject {
                object_name,
                parameter_key,
            } => self.add_object(ctx, object_name, parameter_key).map(
                |(instance_number, committed)| {
                    effects = committed.effects;
                    CpeResponse::AddObjectResponse {
                        instance_number,
                        status: committed.status,
                    }
                },
            ),
            AcsRequest::DeleteObject {
                object_name,
                parameter_key,
            } => self
                .delete_object(ctx, object_name, parameter_key)
                .map(|committed| {
                    effects = committed.effects;
                    CpeResponse::DeleteObjectResponse {
                        status: committed.status,
                    }
                }),
            _ => return None,
        };
        Some(RpcOutcome {
            response: response.map_err(Fault::from),
            effects,
        })
    }

    /// GetParameterNames (A.3.2.3).
    pub fn get_parameter_names(
        &mut self,
        ctx: &mut Context<'_>,
        parameter_path: &str,
        next_level: bool,
    ) -> Result<Vec<ParameterInfoStruct>, Error> {
        let mut rpc = Rpc::new(&self.registry, &self.areas, ctx);
        // An empty path with NextLevel true names only the top-level object.
        if parameter_path.is_empty() && next_level {
            return Ok(vec![ParameterInfoStruct {
                name: "Device.".to_string(),
                writable: false,
            }]);
        }
        let mut out = Vec::new();
        for found in rpc.resolve(parameter_path, false)? {
            match found {
                Found::Param(_, _) if next_level => {
                    return Err(Error::InvalidArguments(
                        "NextLevel true requires a partial path".to_string(),
                    ))
                }
                Found::Param(param, instances) => {
                    let position = Position {
                        object: rpc.registry.params[param].object,
                        instances: instances.clone(),
                        table: false,
                    };
                    let owned = rpc.cpe_owned(&position)?;
                    out.push(rpc.param_info(param, &instances, owned));
                }
                Found::Object(position) if next_level => rpc.list_children(&position, &mut out)?,
                Found::Object(position) => rpc.list_subtree(&position, &mut out)?,
            }
        }
        Ok(out)
    }

    /// GetParameterValues (A.3.2.2): complete and partial paths, `*` wildcards.
    pub fn get_parameter_values(
        &mut self,
        ctx: &mut Context<'_>,
        parameter_names: &[String],
    ) -> Result<Vec<ParameterValueStruct>, Error> {
        let mut rpc = Rpc::new(&self.registry, &self.areas, ctx);
        let mut out = Vec::new();
        for name in parameter_names {
            for (param, instances) in rpc.resolve_parameters(name, true)? {
                out.push(rpc.parameter_value(param, &instances)?);
            }
        }
        Ok(out)
    }

    /// SetParameterValues (A.3.2.1): every parameter is validated first; on any error nothing
    /// changes and the fault (9003) lists each failing parameter.
    pub fn set_parameter_values(
        &mut self,
        ctx: &mut Context<'_>,
        parameter_list: &[ParameterValueStruct],
        parameter_key: &str,
    ) -> Result<Committed, Error> {
        check_parameter_key(parameter_key)?;
        check_no_duplicates(parameter_list)?;
        let mut rpc = Rpc::new(&self.registry, &self.areas, ctx);
        let mut tx = Transaction::new();
        let mut rejected = Vec::new();
        for parameter in parameter_list {
            match rpc.stage_value(parameter, &mut tx) {
                Ok(()) => {}
                Err(error @ Error::Backend(_)) => return Err(error),
                Err(error) => rejected.push(error.for_parameter(&parameter.name)),
            }
        }
        if !rejected.is_empty() {
            return Err(Error::SetParameterValues(rejected));
        }
        rpc.finish_set(&mut tx)?;
        drop(rpc);
        check_storable(&tx, parameter_list)?;
        let committed = commit(ctx, tx, parameter_key)?;
        // Values the ACS set itself never trigger a notification (TR-069 §3.2.1).
        for parameter in parameter_list {
            self.baseline.forget(&parameter.name);
        }
        Ok(committed)
    }

    /// SetParameterValues made on the device itself (`cwmpd set`): the same validation and
    /// transaction, but the ParameterKey stays as it is and notified parameters report the
    /// change like any change the ACS did not make (TR-069 A.3.2.4).
    pub fn set_parameter_values_locally(
        &mut self,
        ctx: &mut Context<'_>,
        parameter_list: &[ParameterValueStruct],
    ) -> Result<Committed, Error> {
        let parameter_key = ctx.runtime.parameter_key.clone();
        let baseline = self.baseline.clone();
        let committed = self.set_parameter_values(ctx, parameter_list, &parameter_key)?;
        self.baseline = baseline;
        Ok(committed)
    }

    /// AddObject (A.3.2.6) on a writable multi-instance object (`Device.X.Table.`). In
    /// InstanceAlias mode the name may end with the new instance's alias
    /// (`Device.X.Table.[web].`, TR-069 A.3.2.6, §3.6.1); an alias that is taken or invalid
    /// makes the name invalid (9005).
    pub fn add_object(
        &mut self,
        ctx: &mut Context<'_>,
        object_name: &str,
        parameter_key: &str,
    ) -> Result<(u32, Committed), Error> {
        check_parameter_key(parameter_key)?;
        let mut rpc = Rpc::new(&self.registry, &self.areas, ctx);
        let (table_name, alias) = match aliases::split_alias(object_name) {
            Some((table_name, alias)) => (table_name, Some(alias)),
            None => (object_name.to_string(), None),
        };
        let table = rpc.writable_table(&table_name, true)?;
        if let Some(alias) = alias {
            rpc.check_new_alias(&table, alias, object_name)?;
        }
        let mut tx = Transaction::new();
        let number = rpc.add_instance(&table, &mut tx)?;
        if let Some(alias) = alias {
            tx.set_alias(
                &rpc.alias_table(table.object, &table.instances),
                number,
                alias,
            );
        }
        drop(rpc);
        Ok((number, commit(ctx, tx, parameter_key)?))
    }

    /// DeleteObject (A.3.2.7) of one instance (`Device.X.Table.3.`).
    pub fn delete_object(
        &mut self,
        ctx: &mut Context<'_>,
        object_name: &str,
        parameter_key: &str,
    ) -> Result<Committed, Error> {
        check_parameter_key(parameter_key)?;
        let mut rpc = Rpc::new(&self.registry, &self.areas, ctx);
        let instance = rpc.writable_table(object_name, false)?;
        let instance_path = rpc.object_path(&instance);
        let mut tx = Transaction::new();
        rpc.delete_instance(&instance, &mut tx)?;
        rpc.forget_alias(&instance, &mut tx);
        drop(rpc);
        let mut committed = commit(ctx, tx, parameter_key)?;
        let before = self.attributes.parameters.len();
        self.attributes.remove_under(&instance_path);
        self.baseline.forget_under(&instance_path);
        committed.effects.attributes_changed = self.attributes.parameters.len() != before;
        Ok(committed)
    }

    /// GetParameterAttributes (A.3.2.5): complete and partial paths, `*` wildcards.
    pub fn get_parameter_attributes(
        &mut self,
        ctx: &mut Context<'_>,
        parameter_names: &[String],
    ) -> Result<Vec<ParameterAttributeStruct>, Error> {
        let mut rpc = Rpc::new(&self.registry, &self.areas, ctx);
        let mut out = Vec::new();
        for name in parameter_names {
            for (param, instances) in rpc.resolve_parameters(name, true)? {
                let name = rpc.param_path(param, &instances);
                let def = &self.registry.params[param].def;
                out.push(ParameterAttributeStruct {
                    notification: self.attributes.notification(&name, def),
                    access_list: self.attributes.access_list(&name).to_vec(),
                    name,
                });
            }
        }
        Ok(out)
    }

    /// SetParameterAttributes (A.3.2.4), all or nothing. Returns whether the table changed.
    ///
    /// A complete path whose parameter cannot take the requested notification fails with 9009
    /// (e.g. active notification on `activeNotify=canDeny` parameters such as UpTime). A
    /// partial path applies the notification to every parameter below it that can take it
    /// and leaves the others (canDeny, forceEnabled) as they are.
    pub fn set_parameter_attributes(
        &mut self,
        ctx: &mut Context<'_>,
        parameter_list: &[SetParameterAttributesStruct],
    ) -> Result<bool, Error> {
        let mut rpc = Rpc::new(&self.registry, &self.areas, ctx);
        let mut table = self.attributes.clone();
        for request in parameter_list {
            check_attribute_request(request)?;
            let complete_path = !request.name.is_empty() && !request.name.ends_with('.');
            for (param, instances) in rpc.resolve_parameters(&request.name, false)? {
                let name = rpc.param_path(param, &instances);
                let def = &self.registry.params[param].def;
                let mut attributes = StoredAttributes {
                    notification: table.notification(&name, def),
                    access_list: table.access_list(&name).to_vec(),
                };
                if request.notification_change {
                    match check_notification(def, request.notification) {
                        Ok(()) => attributes.notification = request.notification,
                        Err(detail) if complete_path => {
                            return Err(Error::NotificationRejected {
                                name,
                                detail: detail.to_string(),
                            })
                        }
                        Err(_) => {}
                    }
                }
                if request.access_list_change {
                    attributes.access_list = request.access_list.clone();
                }
                table.store(&name, def, attributes);
            }
        }
        let changed = table != self.attributes;
        self.attributes = table;
        Ok(changed)
    }

    /// The forced-inform parameters (TR-069 §3.7.1.5, TR-181 `forcedInform`) with their current
    /// values, in tree order, for every Inform. DeviceId values go in the DeviceIdStruct.
    pub fn inform_parameters(
        &mut self,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ParameterValueStruct>, Error> {
        let forced: Vec<ParamId> = (0..self.registry.params.len())
            .filter(|&param| self.registry.params[param].def.forced_inform)
            .collect();
        let mut rpc = Rpc::new(&self.registry, &self.areas, ctx);
        let mut out = Vec::new();
        for param in forced {
            for (param, instances) in rpc.every_instance(param)? {
                out.push(rpc.parameter_value(param, &instances)?);
            }
        }
        Ok(out)
    }

    /// Compare the current values of parameters with passive or active notification with the
    /// values last seen (TR-069 §3.2.1, A.3.2.4). Values the ACS set through
    /// SetParameterValues are not reported. The first poll only records values.
    pub fn poll_value_changes(&mut self, ctx: &mut Context<'_>) -> Result<ValueChanges, Error> {
        let mut rpc = Rpc::new(&self.registry, &self.areas, ctx);
        let mut watched = Vec::new();
        let mut seen = HashSet::new();
        let notified_by_default = (0..self.registry.params.len()).filter(|&param| {
            self.registry.params[param]
                .def
                .active_notify
                .default_notification()
                > NOTIFICATION_OFF
        });
        for param in notified_by_default {
            for (param, instances) in rpc.every_instance(param)? {
                let name = rpc.param_path(param, &instances);
                let notification = self
                    .attributes
                    .notification(&name, &self.registry.params[param].def);
                seen.insert(name);
                if notification > NOTIFICATION_OFF {
                    watched.push((rpc.parameter_value(param, &instances)?, notification));
                }
            }
        }
        for (name, stored) in &self.attributes.parameters {
            if stored.notification == NOTIFICATION_OFF || seen.contains(name) {
                continue;
            }
            let found = match rpc.resolve_parameters(name, false) {
                Ok(found) => found,
                // The parameter's instance is gone (deleted outside cwmpd): nothing to watch.
                Err(Error::InvalidName { .. }) => continue,
                Err(error) => return Err(error),
            };
            for (param, instances) in found {
                watched.push((rpc.parameter_value(param, &instances)?, stored.notification));
            }
        }
        drop(rpc);
        Ok(self.baseline.compare(watched))
    }
}

fn check_parameter_key(parameter_key: &str) -> Result<(), Error> {
    if parameter_key.chars().count() > PARAMETER_KEY_MAX_LEN {
        return Err(Error::InvalidArguments(format!(
            "ParameterKey longer than {PARAMETER_KEY_MAX_LEN} characters"
        )));
    }
    Ok(())
}

/// A.3.2.1: a parameter may appear only once in one SetParameterValues (else 9003).
fn check_no_duplicates(parameter_list: &[ParameterValueStruct]) -> Result<(), Error> {
    let mut names = HashSet::with_capacity(parameter_list.len());
    match parameter_list
        .iter()
        .find(|p| !names.insert(p.name.as_str()))
    {
        Some(duplicate) => Err(Error::InvalidArguments(format!(
            "{} appears more than once",
            duplicate.name
        ))),
        None => Ok(()),
    }
}

fn check_attribute_request(request: &SetParameterAttributesStruct) -> Result<(), Error> {
    let unknown_access = request
        .access_list
        .iter()
        .find(|entry| entry.as_str() != ACCESS_SUBSCRIBER);
    if let (true, Some(entry)) = (request.access_list_change, unknown_access) {
        return Err(Error::InvalidArguments(format!(
            "unknown AccessList entry {entry:?}"
        )));
    }
    if request.notification_change && request.notification > NOTIFICATION_ACTIVE {
        // 3..6 are CWMP 1.4 lightweight notifications, not supported; above 6 undefined.
        return match request.notification {
            3..=6 => Err(Error::NotificationRejected {
                name: request.name.clone(),
                detail: "lightweight notification is not supported".to_string(),
            }),
            _ => Err(Error::InvalidArguments(format!(
                "undefined notification value {}",
                request.notification
            ))),
        };
    }
    Ok(())
}

/// Apply a validated transaction and take the new ParameterKey (A.3.2.1: it changes only when
/// the whole request succeeded).
fn commit(
    ctx: &mut Context<'_>,
    mut tx: Transaction,
    parameter_key: &str,
) -> Result<Committed, Error> {
    let volatile = tx.take_volatile();
    let actions = tx.take_actions();
    let Applied { packages, status } = tx.apply(ctx.config, ctx.instances)?;
    ctx.runtime.parameter_key = parameter_key.to_string();
    let mut volatile_changed = Vec::with_capacity(volatile.len());
    for (path, value) in volatile {
        ctx.runtime.volatile.insert(path.clone(), value);
        volatile_changed.push(path);
    }
    Ok(Committed {
        status,
        effects: Effects {
            parameter_key: Some(parameter_key.to_string()),
            changed_packages: packages,
            attributes_changed: false,
            volatile_changed,
            actions,
        },
    })
}

/// Refuse a write the configuration cannot store (a line break in a UCI value) as an invalid
/// value of each parameter that carried such text (9003 with 9007 each, TR-069 A.3.2.1), not
/// as an internal error when the commit fails.
fn check_storable(tx: &Transaction, parameter_list: &[ParameterValueStruct]) -> Result<(), Error> {
    let Err(detail) = tx.check_storable() else {
        return Ok(());
    };
    let carriers: Vec<Error> = parameter_list
        .iter()
        .filter(|parameter| !Transaction::is_storable(&parameter.value))
        .map(|parameter| Error::invalid_value(&parameter.name, detail.clone()))
        .collect();
    match carriers.is_empty() {
        true => Err(Error::invalid_value("", detail)),
        false => Err(Error::SetParameterValues(carriers)),
    }
}

/// A place in the instantiated tree: an object (for a multi-instance object, either its table
/// — no instance chosen yet — or one instance).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    object: ObjectId,
    /// One number per `{i}` passed so far.
    instances: Vec<u32>,
    /// At the table of a multi-instance object (`Device.IP.Interface.`).
    table: bool,
}

impl Position {
    fn root() -> Position {
        Position {
            object: ROOT_OBJECT,
            instances: Vec::new(),
            table: false,
        }
    }

    fn instance(&self, number: u32) -> Position {
        let mut instances = Vec::with_capacity(self.instances.len() + 1);
        instances.extend_from_slice(&self.instances);
        instances.push(number);
        Position {
            object: self.object,
            instances,
            table: false,
        }
    }
}

/// What a path resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    Object(Position),
    Param(ParamId, Vec<u32>),
}

/// The views opened during one RPC: at most one per area, opened on first use.
struct Views<'e> {
    areas: &'e [Box<dyn Area>],
    open: Vec<Option<Box<dyn AreaView + 'e>>>,
}

impl<'e> Views<'e> {
    fn new(areas: &'e [Box<dyn Area>]) -> Views<'e> {
        Views {
            areas,
            open: areas.iter().map(|_| None).collect(),
        }
    }

    fn view(
        &mut self,
        area: AreaId,
        ctx: &mut Context<'_>,
    ) -> Result<&mut (dyn AreaView + 'e), Error> {
        let slot = &mut self.open[area];
        if slot.is_none() {
            *slot = Some(self.areas[area].open(ctx)?);
        }
        match slot {
            Some(view) => Ok(view.as_mut()),
            None => Err(Error::RequestDenied("area view unavailable".into())),
        }
    }
}

/// One RPC's working state: the tree, the open views and the context.
struct Rpc<'e, 'x, 'c> {
    registry: &'e Registry,
    views: Views<'e>,
    ctx: &'x mut Context<'c>,
    /// `ManagementServer.InstanceMode`, read on first use.
    instance_mode: Option<InstanceMode>,
    /// Aliases staged by this SetParameterValues: (table name, instance number, alias).
    staged_aliases: Vec<(String, u32, String)>,
}

impl<'e, 'x, 'c> Rpc<'e, 'x, 'c> {
    fn new(
        registry: &'e Registry,
        areas: &'e [Box<dyn Area>],
        ctx: &'x mut Context<'c>,
    ) -> Rpc<'e, 'x, 'c> {
        Rpc {
            registry,
            views: Views::new(areas),
            ctx,
            instance_mode: None,
            staged_aliases: Vec::new(),
        }
    }

    /// Resolve a requested path to the objects or parameters it names.
    fn resolve(&mut self, text: &str, wildcards: bool) -> Result<Vec<Found>, Error> {
        let path = path::parse(text)?;
        if path.has_wildcard() && !wildcards {
            return Err(Error::invalid_name(text));
        }
        let mut found = vec![Found::Object(Position::root())];
        let mut after_wildcard = false;
        for &segment in &path.segments {
            let mut next = Vec::with_capacity(found.len());
            for item in found {
                match item {
                    Found::Object(position) => {
                        self.step(position, segment, text, after_wildcard, &mut next)?
                    }
                    Found::Param(..) => return Err(Error::invalid_name(text)),
                }
            }
            after_wildcard |= segment == Segment::Wildcard;
            found = next;
        }
        let kind_matches = found.iter().all(|item| match item {
            Found::Object(_) => path.partial,
            Found::Param(..) => !path.partial,
        });
        if !kind_matches {
            return Err(Error::invalid_name(text));
        }
        Ok(found)
    }

    /// Follow one segment from `position`. After a wildcard, instances that do not exist
    /// below some of the matched instances are skipped rather than an error.
    fn step(
        &mut self,
        position: Position,
        segment: Segment<'_>,
        text: &str,
        lenient: bool,
        next: &mut Vec<Found>,
    ) -> Result<(), Error> {
        let invalid = || Error::invalid_name(text);
        if position.table {
            let chosen = match segment {
                Segment::Instance(number) => {
                    let exists = self.instances(&position)?.contains(&number);
                    exists.then_some(number)
                }
                Segment::Alias(alias) => self.resolve_alias(&position, alias, text)?,
                Segment::Wildcard => {
                    let numbers = self.instances(&position)?;
                    next.extend(
                        numbers
                            .into_iter()
                            .map(|number| Found::Object(position.instance(number))),
                    );
                    return Ok(());
                }
                Segment::Name(_) => return Err(invalid()),
            };
            match chosen {
                Some(number) => next.push(Found::Object(position.instance(number))),
                None if lenient => {}
                None => return Err(invalid()),
            }
            return Ok(());
        }
        let Segment::Name(name) = segment else {
            return Err(invalid());
        };
        match self.registry.child(position.object, name) {
            Some(Child::Param(param)) => next.push(Found::Param(param, position.instances)),
            Some(Child::Object(object)) => next.push(Found::Object(Position {
                object,
                instances: position.instances,
                table: self.registry.objects[object].multi,
            })),
            None => return Err(invalid()),
        }
        Ok(())
    }

    /// Resolve a path and expand objects to every parameter below them, in tree order.
    fn resolve_parameters(
        &mut self,
        text: &str,
        wildcards: bool,
    ) -> Result<Vec<(ParamId, Vec<u32>)>, Error> {
        let mut params = Vec::new();
        for found in self.resolve(text, wildcards)? {
            match found {
                Found::Param(param, instances) => params.push((param, instances)),
                Found::Object(position) => self.collect_params(&position, &mut params)?,
            }
        }
        Ok(params)
    }

    /// Every instance of a declared parameter (its pattern with `*` for each `{i}`).
    fn every_instance(&mut self, param: ParamId) -> Result<Vec<(ParamId, Vec<u32>)>, Error> {
        let pattern = path::pattern_to_wildcard(&self.registry.param_pattern(param));
        self.resolve_parameters(&pattern, true)
    }

    fn collect_params(
        &mut self,
        position: &Position,
        out: &mut Vec<(ParamId, Vec<u32>)>,
    ) -> Result<(), Error> {
        if position.table {
            for number in self.instances(position)? {
                self.collect_params(&position.instance(number), out)?;
            }
            return Ok(());
        }
        let registry = self.registry;
        let node = &registry.objects[position.object];
        out.extend(
            node.params
                .iter()
                .map(|&param| (param, position.instances.clone())),
        );
        for &child in &node.objects {
            let child = self.child_position(position, child);
            self.collect_params(&child, out)?;
        }
        Ok(())
    }

    fn child_position(&self, parent: &Position, child: ObjectId) -> Position {
        Position {
            object: child,
            instances: parent.instances.clone(),
            table: self.registry.objects[child].multi,
        }
    }

    /// GetParameterNames with NextLevel false: the object itself and everything below it.
    fn list_subtree(
        &mut self,
        position: &Position,
        out: &mut Vec<ParameterInfoStruct>,
    ) -> Result<(), Error> {
        let owned = self.cpe_owned(position)?;
        out.push(self.object_info(position, owned));
        if position.table {
            for number in self.instances(position)? {
                self.list_subtree(&position.instance(number), out)?;
            }
            return Ok(());
        }
        let registry = self.registry;
        let node = &registry.objects[position.object];
        for &param in &node.params {
            out.push(self.param_info(param, &position.instances, owned));
        }
        for &child in &node.objects {
            let child = self.child_position(position, child);
            self.list_subtree(&child, out)?;
        }
        Ok(())
    }

    /// GetParameterNames with NextLevel true: only the objects and parameters one level down.
    fn list_children(
        &mut self,
        position: &Position,
        out: &mut Vec<ParameterInfoStruct>,
    ) -> Result<(), Error> {
        if position.table {
            for number in self.instances(position)? {
                let instance = position.instance(number);
                let owned = self.cpe_owned(&instance)?;
                out.push(self.object_info(&instance, owned));
            }
            return Ok(());
        }
        let owned = self.cpe_owned(position)?;
        let registry = self.registry;
        let node = &registry.objects[position.object];
        for &param in &node.params {
            out.push(self.param_info(param, &position.instances, owned));
        }
        for &child in &node.objects {
            // A child is a table or a single object: never a row of its own.
            out.push(self.object_info(&self.child_position(position, child), false));
        }
        Ok(())
    }

    /// Whether `position` is an instance its area says the CPE owns (a row learnt from a
    /// protocol or the kernel: `AreaView::read_only_instance`).
    fn cpe_owned(&mut self, position: &Position) -> Result<bool, Error> {
        let node = &self.registry.objects[position.object];
        if position.table || !node.multi {
            return Ok(false);
        }
        let instance = ObjectRef {
            object: node.path,
            instances: &position.instances,
        };
        let view = self.views.view(node.area, self.ctx)?;
        Ok(view.read_only_instance(self.ctx, instance))
    }

    /// An object's entry in GetParameterNames. Writable means AddObject is allowed (table)
    /// or DeleteObject is allowed (instance) (A.3.2.3); a row the CPE owns is neither.
    fn object_info(&self, position: &Position, cpe_owned: bool) -> ParameterInfoStruct {
        let node = &self.registry.objects[position.object];
        ParameterInfoStruct {
            name: self.object_path(position),
            writable: node.multi && node.access == Access::ReadWrite && !cpe_owned,
        }
    }

    /// A parameter's entry in GetParameterNames: in a row the CPE owns only the Alias (which
    /// cwmpd keeps itself) stays writable.
    fn param_info(
        &self,
        param: ParamId,
        instances: &[u32],
        cpe_owned: bool,
    ) -> ParameterInfoStruct {
        let def = &self.registry.params[param].def;
        ParameterInfoStruct {
            name: self.param_path(param, instances),
            writable: def.writable() && (!cpe_owned || def.name == "Alias"),
        }
    }

    /// The concrete path of an object position (`Device.IP.Interface.` for a table,
    /// `Device.IP.Interface.2.` for an instance).
    fn object_path(&self, position: &Position) -> String {
        let pattern = self.registry.objects[position.object].path;
        let pattern = match position.table {
            true => pattern.strip_suffix("{i}.").unwrap_or(pattern),
            false => pattern,
        };
        instantiate(pattern, &position.instances)
    }

    fn param_path(&self, param: ParamId, instances: &[u32]) -> String {
        let node = &self.registry.params[param];
        let mut path = instantiate(self.registry.objects[node.object].path, instances);
        path.push_str(node.def.name);
        path
    }

    fn parameter_value(
        &mut self,
        param: ParamId,
        instances: &[u32],
    ) -> Result<ParameterValueStruct, Error> {
        let registry = self.registry;
        let node = &registry.params[param];
        let name = self.param_path(param, instances);
        let value = if node.alias {
            Value::String(self.alias_of(node.object, instances))
        } else if node.def.hidden {
            null_value(node.def.ty.base)
        } else {
            let param_ref = ParamRef {
                object: registry.objects[node.object].path,
                name: node.def.name,
                instances,
            };
            let view = self.views.view(node.area, self.ctx)?;
            view.get(self.ctx, param_ref)
                .map_err(|error| error.for_parameter(&name))?
        };
        Ok(ParameterValueStruct {
            name,
            value: value.to_lexical(),
            xsd_type: node.def.ty.xsd_type(),
        })
    }

    fn instances(&mut self, table: &Position) -> Result<Vec<u32>, Error> {
        let node = &self.registry.objects[table.object];
        let table_ref = ObjectRef {
            object: node.path,
            instances: &table.instances,
        };
        let view = self.views.view(node.area, self.ctx)?;
        view.instances(self.ctx, table_ref)
    }

    /// Validate one SetParameterValues entry and stage its writes.
    fn stage_value(
        &mut self,
        parameter: &ParameterValueStruct,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let name = parameter.name.as_str();
        let (param, instances) = match self.resolve(name, false)?.as_slice() {
            [Found::Param(param, instances)] => (*param, instances.clone()),
            _ => return Err(Error::invalid_name(name)),
        };
        let registry = self.registry;
        let node = &registry.params[param];
        let def = &node.def;
        if !def.writable() {
            return Err(Error::not_writable(name));
        }
        if !def.ty.accepts_xsd(&parameter.xsd_type) {
            return Err(Error::invalid_type(
                name,
                format!(
                    "{} sent for a {}",
                    parameter.xsd_type.local_name(),
                    def.ty.base.tr106_name()
                ),
            ));
        }
        let value = def
            .ty
            .parse(&parameter.value)
            .map_err(|detail| Error::invalid_value(name, detail))?;
        if node.alias {
            return self.stage_alias(node.object, &instances, &value, name, tx);
        }
        let param_ref = ParamRef {
            object: registry.objects[node.object].path,
            name: def.name,
            instances: &instances,
        };
        let view = self.views.view(node.area, self.ctx)?;
        view.set(self.ctx, param_ref, &value, tx)
    }

    /// Let every view opened by a SetParameterValues check and stage what spans several of its
    /// parameters; the rejections of all views make one 9003 fault.
    fn finish_set(&mut self, tx: &mut Transaction) -> Result<(), Error> {
        let mut rejected = Vec::new();
        for view in self.views.open.iter_mut().flatten() {
            match view.finish_set(self.ctx, tx) {
                Ok(()) => {}
                Err(error @ Error::Backend(_)) => return Err(error),
                Err(Error::SetParameterValues(errors)) => rejected.extend(errors),
                Err(error) => rejected.push(error),
            }
        }
        match rejected.is_empty() {
            true => Ok(()),
            false => Err(Error::SetParameterValues(rejected)),
        }
    }

    /// The table (for AddObject) or instance (for DeleteObject) a path names; 9005 unless it
    /// is a multi-instance object the ACS may add to or delete from.
    fn writable_table(&mut self, text: &str, want_table: bool) -> Result<Position, Error> {
        let found = self.resolve(text, false)?;
        match found.as_slice() {
            [Found::Object(position)]
                if position.table == want_table
                    && self.registry.objects[position.object].multi
                    && self.registry.objects[position.object].access == Access::ReadWrite =>
            {
                Ok(position.clone())
            }
            _ => Err(Error::invalid_name(text)),
        }
    }

    fn add_instance(&mut self, table: &Position, tx: &mut Transaction) -> Result<u32, Error> {
        let node = &self.registry.objects[table.object];
        let table_ref = ObjectRef {
            object: node.path,
            instances: &table.instances,
        };
        let view = self.views.view(node.area, self.ctx)?;
        view.add_instance(self.ctx, table_ref, tx)
    }

    fn delete_instance(&mut self, instance: &Position, tx: &mut Transaction) -> Result<(), Error> {
        let node = &self.registry.objects[instance.object];
        let instance_ref = ObjectRef {
            object: node.path,
            instances: &instance.instances,
        };
        let view = self.views.view(node.area, self.ctx)?;
        view.delete_instance(self.ctx, instance_ref, tx)
    }
}

/// The null value a hidden parameter reads back as (TR-106 `hidden`).
fn null_value(base: BaseType) -> Value {
    match base {
        BaseType::Boolean => Value::Boolean(false),
        BaseType::Int | BaseType::Long => Value::Int(0),
        BaseType::UnsignedInt | BaseType::UnsignedLong => Value::Unsigned(0),
        BaseType::DateTime => Value::DateTime(UNKNOWN_TIME_SECS),
        BaseType::String | BaseType::Base64 | BaseType::HexBinary => Value::String(String::new()),
    }
}

mod aliases;
#[cfg(test)]
mod tests;
