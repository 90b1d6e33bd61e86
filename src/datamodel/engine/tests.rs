//! Engine semantics over a small in-memory tree: exact values and exact fault codes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::*;
use crate::cwmp::types::XsdType;
use crate::datamodel::context::RuntimeValues;
use crate::datamodel::instances::InstanceTables;
use crate::datamodel::schema::{ActiveNotify, ObjectDef, ParamDef};
use crate::datamodel::testing::{MemoryArea, MemoryConfig};
use crate::datamodel::value::Type;
use crate::live::LiveState;
use crate::platform::Paths;

const PKG: &str = "memory";

fn test_objects() -> Vec<ObjectDef> {
    vec![
        ObjectDef::new("Device."),
        ObjectDef::new("Device.Test.")
            .param(ParamDef::read_write("Name", Type::string(16)))
            .param(ParamDef::read_write(
                "Count",
                Type::unsigned_int().range(Some(1), Some(100)),
            ))
            .param(ParamDef::read_write("Flag", Type::boolean()))
            .param(
                ParamDef::read_only("UpTime", Type::unsigned_int())
                    .active_notify(ActiveNotify::CanDeny),
            )
            .param(ParamDef::read_write("Secret", Type::string(16)).hidden())
            .param(
                ParamDef::read_only("Version", Type::string(16))
                    .forced_inform()
                    .active_notify(ActiveNotify::ForceEnabled),
            )
            .param(
                ParamDef::read_only("Address", Type::string(16))
                    .active_notify(ActiveNotify::ForceDefaultEnabled),
            ),
        ObjectDef::writable_table("Device.Test.Table.{i}.")
            .param(ParamDef::read_write("Value", Type::string(8)))
            .param(ParamDef::read_write("Enable", Type::boolean()).forced_inform()),
        ObjectDef::new("Device.Test.Table.{i}.Sub.{i}.")
            .param(ParamDef::read_only("X", Type::int())),
        ObjectDef::new("Device.Fixed.{i}.").param(ParamDef::read_only("Y", Type::int())),
    ]
}

fn initial_config() -> MemoryConfig {
    MemoryConfig::with(&[
        (PKG, "Device.Test.", "Name", "alpha"),
        (PKG, "Device.Test.", "Count", "5"),
        (PKG, "Device.Test.", "Flag", "false"),
        (PKG, "Device.Test.", "UpTime", "42"),
        (PKG, "Device.Test.", "Secret", "hunter2"),
        (PKG, "Device.Test.", "Version", "1.0"),
        (PKG, "Device.Test.", "Address", "10.0.0.1"),
        (PKG, "Device.Test.Table.", ".instances", "1,2"),
        (PKG, "Device.Test.Table.", ".next", "3"),
        (PKG, "Device.Test.Table.1.", "Value", "one"),
        (PKG, "Device.Test.Table.1.", "Enable", "true"),
        (PKG, "Device.Test.Table.2.", "Value", "two"),
        (PKG, "Device.Test.Table.2.", "Enable", "false"),
        (PKG, "Device.Test.Table.2.Sub.", ".instances", "7"),
        (PKG, "Device.Test.Table.2.Sub.7.", "X", "-3"),
    ])
}

struct Fixture {
    paths: Paths,
    config: MemoryConfig,
    runtime: RuntimeValues,
    instances: InstanceTables,
    live: LiveState,
    engine: Engine,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with_area(MemoryArea::new(PKG, test_objects()))
    }

    fn with_area(area: MemoryArea) -> Fixture {
        Fixture {
            paths: Paths::new("/nonexistent"),
            config: initial_config(),
            runtime: RuntimeValues {
                parameter_key: "old-key".into(),
                ..Default::default()
            },
            instances: InstanceTables::new(),
            live: LiveState::default(),
            engine: Engine::new(vec![Box::new(area)]).unwrap(),
        }
    }

    fn run<T>(&mut self, f: impl FnOnce(&mut Engine, &mut Context<'_>) -> T) -> T {
        let mut ctx = Context {
            paths: &self.paths,
            now: 1_795_541_400,
            uptime: 42,
            config: &mut self.config,
            runtime: &mut self.runtime,
            instances: &mut self.instances,
            live: &self.live,
        };
        f(&mut self.engine, &mut ctx)
    }

    fn gpn(&mut self, path: &str, next_level: bool) -> Result<Vec<(String, bool)>, u32> {
        self.run(|engine, ctx| engine.get_parameter_names(ctx, path, next_level))
            .map(|list| list.into_iter().map(|i| (i.name, i.writable)).collect())
            .map_err(|error| error.fault_code().code())
    }

    fn gpv(&mut self, names: &[&str]) -> Result<Vec<(String, String, XsdType)>, u32> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        self.run(|engine, ctx| engine.get_parameter_values(ctx, &names))
            .map(|list| {
                list.into_iter()
                    .map(|p| (p.name, p.value, p.xsd_type))
                    .collect()
            })
            .map_err(|error| error.fault_code().code())
    }

    fn value(&mut self, name: &str) -> String {
        self.gpv(&[name]).unwrap().remove(0).1
    }

    fn spv(&mut self, list: &[(&str, &str, XsdType)], key: &str) -> Result<Committed, Fault> {
        let list: Vec<ParameterValueStruct> = list
            .iter()
            .map(|(name, value, xsd_type)| ParameterValueStruct {
                name: name.to_string(),
                value: value.to_string(),
                xsd_type: xsd_type.clone(),
            })
            .collect();
        self.run(|engine, ctx| engine.set_parameter_values(ctx, &list, key))
            .map_err(Fault::from)
    }

    fn spa(&mut self, name: &str, notification: u8) -> Result<bool, u32> {
        let request = SetParameterAttributesStruct {
            name: name.into(),
            notification_change: true,
            notification,
            access_list_change: false,
            access_list: vec![],
        };
        self.run(|engine, ctx| engine.set_parameter_attributes(ctx, &[request]))
            .map_err(|error| error.fault_code().code())
    }

    fn gpa(&mut self, name: &str) -> Vec<(String, u8)> {
        let names = vec![name.to_string()];
        self.run(|engine, ctx| engine.get_parameter_attributes(ctx, &names))
            .unwrap()
            .into_iter()
            .map(|a| (a.name, a.notification))
            .collect()
    }
}

fn names(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter().map(|(n, w)| (n.to_string(), *w)).collect()
}

#[test]
fn gpn_empty_path_next_level_lists_only_the_root() {
    let mut fx = Fixture::new();
    assert_eq!(fx.gpn("", true), Ok(names(&[("Device.", false)])));
}

#[test]
fn gpn_next_level_lists_direct_children_only() {
    let mut fx = Fixture::new();
    assert_eq!(
        fx.gpn("Device.", true),
        Ok(names(&[("Device.Test.", false), ("Device.Fixed.", false)]))
    );
    assert_eq!(
        fx.gpn("Device.Test.", true),
        Ok(names(&[
            ("Device.Test.Name", true),
            ("Device.Test.Count", true),
            ("Device.Test.Flag", true),
            ("Device.Test.UpTime", false),
            ("Device.Test.Secret", true),
            ("Device.Test.Version", false),
            ("Device.Test.Address", false),
            ("Device.Test.Table.", true),
        ]))
    );
    assert_eq!(
        fx.gpn("Device.Test.Table.", true),
        Ok(names(&[
            ("Device.Test.Table.1.", true),
            ("Device.Test.Table.2.", true)
        ]))
    );
    assert_eq!(
        fx.gpn("Device.Test.Table.2.", true),
        Ok(names(&[
            ("Device.Test.Table.2.Alias", true),
            ("Device.Test.Table.2.Value", true),
            ("Device.Test.Table.2.Enable", true),
            ("Device.Test.Table.2.Sub.", false),
        ]))
    );
}

#[test]
fn gpn_whole_subtree_includes_the_object_itself() {
    let mut fx = Fixture::new();
    assert_eq!(
        fx.gpn("Device.Test.Table.", false),
        Ok(names(&[
            ("Device.Test.Table.", true),
            ("Device.Test.Table.1.", true),
            ("Device.Test.Table.1.Alias", true),
            ("Device.Test.Table.1.Value", true),
            ("Device.Test.Table.1.Enable", true),
            ("Device.Test.Table.1.Sub.", false),
            ("Device.Test.Table.2.", true),
            ("Device.Test.Table.2.Alias", true),
            ("Device.Test.Table.2.Value", true),
            ("Device.Test.Table.2.Enable", true),
            ("Device.Test.Table.2.Sub.", false),
            ("Device.Test.Table.2.Sub.7.", false),
            ("Device.Test.Table.2.Sub.7.Alias", true),
            ("Device.Test.Table.2.Sub.7.X", false),
        ]))
    );
    let all = fx.gpn("", false).unwrap();
    assert_eq!(all.first(), Some(&("Device.".to_string(), false)));
    // 14 below the table: 11 + an Alias for each of its 3 instances (TR-069 §3.6.1).
    assert_eq!(all.len(), 1 + 1 + 7 + 14 + 1);
    assert_eq!(fx.gpn("Device.", false).unwrap(), all);
}

#[test]
fn gpn_on_a_parameter() {
    let mut fx = Fixture::new();
    assert_eq!(
        fx.gpn("Device.Test.Name", false),
        Ok(names(&[("Device.Test.Name", true)]))
    );
    assert_eq!(fx.gpn("Device.Test.Name", true), Err(9003));
}

#[test]
fn gpn_unknown_or_malformed_paths_are_9005() {
    let mut fx = Fixture::new();
    for path in [
        "Device.Nope.",
        "Device.Test.Nope",
        "Device.Test",
        "Device.Test.Name.",
        "Device.Test.Table.3.",
        "Device.Test.Table.*.",
        "Device.Fixed.Y",
        "InternetGatewayDevice.",
        "Device",
    ] {
        assert_eq!(fx.gpn(path, false), Err(9005), "{path}");
    }
}

#[test]
fn gpv_partial_path_returns_values_with_types_and_hides_secrets() {
    let mut fx = Fixture::new();
    let values = fx.gpv(&["Device.Test."]).unwrap();
    let first: Vec<(String, String, XsdType)> = values.into_iter().take(7).collect();
    let expected = [
        ("Device.Test.Name", "alpha", XsdType::String),
        ("Device.Test.Count", "5", XsdType::UnsignedInt),
        ("Device.Test.Flag", "false", XsdType::Boolean),
        ("Device.Test.UpTime", "42", XsdType::UnsignedInt),
        ("Device.Test.Secret", "", XsdType::String),
        ("Device.Test.Version", "1.0", XsdType::String),
        ("Device.Test.Address", "10.0.0.1", XsdType::String),
    ];
    let expected: Vec<(String, String, XsdType)> = expected
        .into_iter()
        .map(|(n, v, t)| (n.to_string(), v.to_string(), t))
        .collect();
    assert_eq!(first, expected);
}

#[test]
fn gpv_wildcards_expand_over_existing_instances() {
    let mut fx = Fixture::new();
    let values = fx.gpv(&["Device.Test.Table.*.Value"]).unwrap();
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(n, v, _)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("Device.Test.Table.1.Value", "one"),
            ("Device.Test.Table.2.Value", "two")
        ]
    );
    let nested = fx.gpv(&["Device.Test.Table.*.Sub.*.X"]).unwrap();
    assert_eq!(nested.len(), 1);
    assert_eq!(nested[0].0, "Device.Test.Table.2.Sub.7.X");
    assert_eq!(nested[0].2, XsdType::Int);
    assert_eq!(fx.gpv(&["Device.Fixed.*."]), Ok(vec![]));
}

#[test]
fn gpv_unknown_name_faults_the_whole_request() {
    let mut fx = Fixture::new();
    assert_eq!(
        fx.gpv(&["Device.Test.Name", "Device.Test.Bogus"]),
        Err(9005)
    );
    assert_eq!(fx.gpv(&["Device.Test.Table.9.Value"]), Err(9005));
    assert_eq!(fx.gpv(&["Device.Test.Table.[lan].Value"]), Err(9005));
}

#[test]
fn spv_applies_all_values_with_status_0_and_takes_the_key() {
    let mut fx = Fixture::new();
    let committed = fx
        .spv(
            &[
                ("Device.Test.Name", "beta", XsdType::String),
                ("Device.Test.Count", "100", XsdType::UnsignedInt),
                ("Device.Test.Flag", "1", XsdType::Other(String::new())),
                ("Device.Test.Table.2.Enable", "true", XsdType::Boolean),
            ],
            "key-1",
        )
        .unwrap();
    assert_eq!(committed.status, 0);
    assert_eq!(committed.effects.parameter_key.as_deref(), Some("key-1"));
    assert_eq!(committed.effects.changed_packages, vec![PKG.to_string()]);
    assert_eq!(fx.runtime.parameter_key, "key-1");
    assert_eq!(fx.config.commits, vec![PKG.to_string()]);
    assert_eq!(
        fx.config.committed(PKG, "Device.Test.", "Name"),
        Some("beta")
    );
    assert_eq!(
        fx.config.committed(PKG, "Device.Test.", "Count"),
        Some("100")
    );
    assert_eq!(
        fx.config.committed(PKG, "Device.Test.", "Flag"),
        Some("true")
    );
    assert_eq!(
        fx.config.committed(PKG, "Device.Test.Table.2.", "Enable"),
        Some("true")
    );
}

#[test]
fn spv_with_bad_parameters_changes_nothing_and_lists_exactly_the_bad_ones() {
    let mut fx = Fixture::new();
    let fault = fx
        .spv(
            &[
                ("Device.Test.Name", "gamma", XsdType::String),
                ("Device.Test.Bogus", "x", XsdType::String),
                ("Device.Test.Count", "true", XsdType::Boolean),
                ("Device.Test.Flag", "maybe", XsdType::Boolean),
                ("Device.Test.Count2.", "1", XsdType::String),
                ("Device.Test.UpTime", "7", XsdType::UnsignedInt),
                ("Device.Test.Table.1.Value", "123456789", XsdType::String),
            ],
            "key-2",
        )
        .unwrap_err();
    assert_eq!(fault.fault_code, 9003);
    let entries: Vec<(&str, u32)> = fault
        .set_parameter_values_faults
        .iter()
        .map(|e| (e.parameter_name.as_str(), e.fault_code))
        .collect();
    assert_eq!(
        entries,
        vec![
            ("Device.Test.Bogus", 9005),
            ("Device.Test.Count", 9006),
            ("Device.Test.Flag", 9007),
            ("Device.Test.Count2.", 9005),
            ("Device.Test.UpTime", 9008),
            ("Device.Test.Table.1.Value", 9007),
        ]
    );
    assert!(fx.config.commits.is_empty());
    assert_eq!(fx.value("Device.Test.Name"), "alpha");
    assert_eq!(fx.runtime.parameter_key, "old-key");
}

#[test]
fn spv_range_violation_is_9007() {
    let mut fx = Fixture::new();
    for bad in ["0", "101", "-1", "4294967296"] {
        let fault = fx
            .spv(&[("Device.Test.Count", bad, XsdType::UnsignedInt)], "k")
            .unwrap_err();
        assert_eq!(
            fault.set_parameter_values_faults[0].fault_code, 9007,
            "{bad}"
        );
    }
}

#[test]
fn spv_duplicate_parameter_is_9003_without_changes() {
    let mut fx = Fixture::new();
    let fault = fx
        .spv(
            &[
                ("Device.Test.Name", "a", XsdType::String),
                ("Device.Test.Name", "b", XsdType::String),
            ],
            "k",
        )
        .unwrap_err();
    assert_eq!(fault.fault_code, 9003);
    assert!(fault.set_parameter_values_faults.is_empty());
    assert!(fx.config.commits.is_empty());
}

#[test]
fn spv_over_long_parameter_key_is_9003() {
    let mut fx = Fixture::new();
    let key = "k".repeat(33);
    let fault = fx
        .spv(&[("Device.Test.Name", "a", XsdType::String)], &key)
        .unwrap_err();
    assert_eq!(fault.fault_code, 9003);
}

#[test]
fn spv_with_wildcard_is_an_invalid_name() {
    let mut fx = Fixture::new();
    let fault = fx
        .spv(&[("Device.Test.Table.*.Value", "x", XsdType::String)], "k")
        .unwrap_err();
    assert_eq!(fault.set_parameter_values_faults[0].fault_code, 9005);
}

#[test]
fn spv_status_1_when_the_area_applies_later() {
    let mut area = MemoryArea::new(PKG, test_objects());
    area.applies_later = true;
    let mut fx = Fixture::with_area(area);
    let committed = fx
        .spv(&[("Device.Test.Name", "later", XsdType::String)], "k")
        .unwrap();
    assert_eq!(committed.status, 1);
}

#[test]
fn spv_backend_failure_is_9002_and_keeps_the_key() {
    let mut fx = Fixture::new();
    fx.config.fail_commits = true;
    let fault = fx
        .spv(&[("Device.Test.Name", "x", XsdType::String)], "new")
        .unwrap_err();
    assert_eq!(fault.fault_code, 9002);
    assert_eq!(fx.runtime.parameter_key, "old-key");
    assert_eq!(fx.value("Device.Test.Name"), "alpha");
}

#[test]
fn add_and_delete_object_never_reuse_numbers() {
    let mut fx = Fixture::new();
    let (number, committed) = fx
        .run(|engine, ctx| engine.add_object(ctx, "Device.Test.Table.", "add-1"))
        .unwrap();
    assert_eq!((number, committed.status), (3, 0));
    assert_eq!(fx.runtime.parameter_key, "add-1");
    fx.run(|engine, ctx| engine.delete_object(ctx, "Device.Test.Table.3.", "del-1"))
        .unwrap();
    assert_eq!(fx.runtime.parameter_key, "del-1");
    let (number, _) = fx
        .run(|engine, ctx| engine.add_object(ctx, "Device.Test.Table.", "add-2"))
        .unwrap();
    assert_eq!(number, 4);
    assert_eq!(
        fx.gpn("Device.Test.Table.", true),
        Ok(names(&[
            ("Device.Test.Table.1.", true),
            ("Device.Test.Table.2.", true),
            ("Device.Test.Table.4.", true),
        ]))
    );
}

#[test]
fn add_and_delete_object_only_on_writable_tables() {
    let mut fx = Fixture::new();
    let add = |fx: &mut Fixture, path: &str| {
        fx.run(|engine, ctx| engine.add_object(ctx, path, "k"))
            .map(|(n, _)| n)
            .map_err(|e| e.fault_code().code())
    };
    assert_eq!(add(&mut fx, "Device.Test."), Err(9005));
    assert_eq!(add(&mut fx, "Device.Fixed."), Err(9005));
    assert_eq!(add(&mut fx, "Device.Test.Table.1."), Err(9005));
    assert_eq!(add(&mut fx, "Device.Test.Table"), Err(9005));
    assert_eq!(add(&mut fx, "Device.Test.Table.2.Sub."), Err(9005));
    let delete = |fx: &mut Fixture, path: &str| {
        fx.run(|engine, ctx| engine.delete_object(ctx, path, "k"))
            .map(|_| ())
            .map_err(|e| e.fault_code().code())
    };
    assert_eq!(delete(&mut fx, "Device.Test.Table."), Err(9005));
    assert_eq!(delete(&mut fx, "Device.Test.Table.9."), Err(9005));
    assert_eq!(delete(&mut fx, "Device.Test."), Err(9005));
    assert_eq!(fx.runtime.parameter_key, "old-key");
}

#[test]
fn attributes_active_on_can_deny_is_9009_and_passive_is_fine() {
    let mut fx = Fixture::new();
    assert_eq!(fx.spa("Device.Test.UpTime", 2), Err(9009));
    assert_eq!(fx.spa("Device.Test.UpTime", 1), Ok(true));
    assert_eq!(fx.spa("Device.Test.Count", 2), Ok(true));
    assert_eq!(
        fx.gpa("Device.Test.Count"),
        vec![("Device.Test.Count".to_string(), 2)]
    );
    assert_eq!(
        fx.gpa("Device.Test.UpTime"),
        vec![("Device.Test.UpTime".to_string(), 1)]
    );
}

#[test]
fn attributes_forced_and_default_enabled() {
    let mut fx = Fixture::new();
    assert_eq!(
        fx.gpa("Device.Test.Version"),
        vec![("Device.Test.Version".to_string(), 2)]
    );
    assert_eq!(fx.spa("Device.Test.Version", 0), Err(9009));
    assert_eq!(fx.spa("Device.Test.Version", 2), Ok(false));
    assert_eq!(
        fx.gpa("Device.Test.Address"),
        vec![("Device.Test.Address".to_string(), 2)]
    );
    assert_eq!(fx.spa("Device.Test.Address", 0), Ok(true));
    assert_eq!(
        fx.gpa("Device.Test.Address"),
        vec![("Device.Test.Address".to_string(), 0)]
    );
    assert_eq!(fx.spa("Device.Test.Count", 3), Err(9009));
    assert_eq!(fx.spa("Device.Test.Count", 9), Err(9003));
}

#[test]
fn attributes_partial_path_skips_parameters_that_cannot_take_it() {
    let mut fx = Fixture::new();
    assert_eq!(fx.spa("Device.Test.", 2), Ok(true));
    let attributes = fx.gpa("Device.Test.");
    let uptime = attributes.iter().find(|(n, _)| n == "Device.Test.UpTime");
    assert_eq!(uptime, Some(&("Device.Test.UpTime".to_string(), 0)));
    let name = attributes.iter().find(|(n, _)| n == "Device.Test.Name");
    assert_eq!(name, Some(&("Device.Test.Name".to_string(), 2)));
    // All or nothing: a rejected entry leaves earlier entries of the same request unapplied.
    let requests = vec![
        SetParameterAttributesStruct {
            name: "Device.Test.Flag".into(),
            notification_change: true,
            notification: 1,
            ..Default::default()
        },
        SetParameterAttributesStruct {
            name: "Device.Test.UpTime".into(),
            notification_change: true,
            notification: 2,
            ..Default::default()
        },
    ];
    let result = fx.run(|engine, ctx| engine.set_parameter_attributes(ctx, &requests));
    assert_eq!(result.map_err(|e| e.fault_code().code()), Err(9009));
    assert_eq!(
        fx.gpa("Device.Test.Flag"),
        vec![("Device.Test.Flag".to_string(), 2)]
    );
}

#[test]
fn attribute_access_list_and_persistence_round_trip() {
    let mut fx = Fixture::new();
    let request = SetParameterAttributesStruct {
        name: "Device.Test.Name".into(),
        notification_change: true,
        notification: 1,
        access_list_change: true,
        access_list: vec!["Subscriber".into()],
    };
    fx.run(|engine, ctx| engine.set_parameter_attributes(ctx, std::slice::from_ref(&request)))
        .unwrap();
    let names = vec!["Device.Test.Name".to_string()];
    let attributes = fx
        .run(|engine, ctx| engine.get_parameter_attributes(ctx, &names))
        .unwrap();
    assert_eq!(attributes[0].access_list, vec!["Subscriber".to_string()]);
    let saved = serde_json::to_string(fx.engine.attributes()).unwrap();
    assert_eq!(
        saved,
        r#"{"parameters":{"Device.Test.Name":{"notification":1,"access_list":["Subscriber"]}}}"#
    );
    let mut restored = Fixture::new();
    restored
        .engine
        .restore_attributes(serde_json::from_str(&saved).unwrap());
    assert_eq!(
        restored.gpa("Device.Test.Name"),
        vec![("Device.Test.Name".to_string(), 1)]
    );
    let bad = SetParameterAttributesStruct {
        access_list: vec!["Everyone".into()],
        ..request
    };
    let result = fx.run(|engine, ctx| engine.set_parameter_attributes(ctx, &[bad]));
    assert_eq!(result.map_err(|e| e.fault_code().code()), Err(9003));
}

#[test]
fn value_changes_are_reported_except_those_the_acs_made() {
    let mut fx = Fixture::new();
    fx.spa("Device.Test.Name", 1).unwrap();
    fx.spa("Device.Test.Table.1.Value", 2).unwrap();
    let first = fx
        .run(|engine, ctx| engine.poll_value_changes(ctx))
        .unwrap();
    assert_eq!(first, ValueChanges::default());
    // Something outside the ACS changes Name (passive) and Address (forceDefaultEnabled).
    use crate::datamodel::context::ConfigBackend;
    fx.config.set(PKG, "Device.Test.", "Name", "local").unwrap();
    fx.config
        .set(PKG, "Device.Test.", "Address", "10.0.0.2")
        .unwrap();
    fx.config.commit(PKG).unwrap();
    let second = fx
        .run(|engine, ctx| engine.poll_value_changes(ctx))
        .unwrap();
    assert!(second.active);
    let changed: Vec<(&str, &str)> = second
        .changed
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        changed,
        vec![
            ("Device.Test.Address", "10.0.0.2"),
            ("Device.Test.Name", "local")
        ]
    );
    // The ACS sets a watched value: no notification.
    fx.spv(
        &[("Device.Test.Table.1.Value", "acs", XsdType::String)],
        "k",
    )
    .unwrap();
    let third = fx
        .run(|engine, ctx| engine.poll_value_changes(ctx))
        .unwrap();
    assert_eq!(third, ValueChanges::default());
    // A passive-only change does not ask for a session.
    fx.config.set(PKG, "Device.Test.", "Name", "again").unwrap();
    fx.config.commit(PKG).unwrap();
    let fourth = fx
        .run(|engine, ctx| engine.poll_value_changes(ctx))
        .unwrap();
    assert!(!fourth.active);
    assert_eq!(fourth.changed.len(), 1);
}

#[test]
fn deleting_an_instance_drops_its_attributes() {
    let mut fx = Fixture::new();
    fx.spa("Device.Test.Table.2.Value", 1).unwrap();
    let committed = fx
        .run(|engine, ctx| engine.delete_object(ctx, "Device.Test.Table.2.", "k"))
        .unwrap();
    assert!(committed.effects.attributes_changed);
    assert!(fx.engine.attributes().parameters.is_empty());
}

#[test]
fn inform_parameters_are_the_forced_ones_in_tree_order() {
    let mut fx = Fixture::new();
    let inform = fx.run(|engine, ctx| engine.inform_parameters(ctx)).unwrap();
    let pairs: Vec<(&str, &str)> = inform
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("Device.Test.Version", "1.0"),
            ("Device.Test.Table.1.Enable", "true"),
            ("Device.Test.Table.2.Enable", "false"),
        ]
    );
}

#[test]
fn handle_dispatches_and_maps_errors_to_faults() {
    let mut fx = Fixture::new();
    let request = AcsRequest::GetParameterNames {
        parameter_path: "Device.Test.Name".into(),
        next_level: true,
    };
    let outcome = fx.run(|engine, ctx| engine.handle(ctx, &request)).unwrap();
    assert_eq!(outcome.response.unwrap_err().fault_code, 9003);
    let request = AcsRequest::SetParameterValues {
        parameter_list: vec![ParameterValueStruct {
            name: "Device.Test.Count".into(),
            value: "7".into(),
            xsd_type: XsdType::UnsignedInt,
        }],
        parameter_key: "via-handle".into(),
    };
    let outcome = fx.run(|engine, ctx| engine.handle(ctx, &request)).unwrap();
    assert_eq!(
        outcome.response,
        Ok(CpeResponse::SetParameterValuesResponse { status: 0 })
    );
    assert_eq!(outcome.effects.parameter_key.as_deref(), Some("via-handle"));
    assert_eq!(outcome.effects.changed_packages, vec![PKG.to_string()]);
    let reboot = AcsRequest::Reboot {
        command_key: String::new(),
    };
    assert!(fx.run(|engine, ctx| engine.handle(ctx, &reboot)).is_none());
}

/// An area that counts how often it is opened.
struct CountingArea {
    opens: AtomicUsize,
}

impl Area for CountingArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let mut object = ObjectDef::new("Device.");
        for name in ["A", "B", "C", "D"] {
            object = object.param(ParamDef::read_only(name, Type::string(4)));
        }
        vec![object]
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        self.opens.fetch_add(1, Ordering::SeqCst);
        Ok(Box::new(CountingView))
    }
}

struct CountingView;

impl AreaView for CountingView {
    fn get(&mut self, _ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        Ok(Value::from(param.name))
    }
}

#[test]
fn an_area_is_opened_once_per_rpc() {
    let area = Arc::new(CountingArea {
        opens: AtomicUsize::new(0),
    });
    struct Shared(Arc<CountingArea>);
    impl Area for Shared {
        fn schema(&self) -> Vec<ObjectDef> {
            self.0.schema()
        }
        fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
            self.0.open(ctx)
        }
    }
    let mut fx = Fixture::with_area(MemoryArea::new(PKG, test_objects()));
    fx.engine = Engine::new(vec![Box::new(Shared(area.clone()))]).unwrap();
    let values = fx.gpv(&["Device.", "Device.A", "Device.D"]).unwrap();
    assert_eq!(values.len(), 6);
    assert_eq!(area.opens.load(Ordering::SeqCst), 1);
    fx.gpn("Device.", false).unwrap();
    assert_eq!(
        area.opens.load(Ordering::SeqCst),
        1,
        "GetParameterNames reads no values"
    );
}

#[test]
fn schema_mistakes_are_reported() {
    let no_root = MemoryArea::new(PKG, vec![ObjectDef::new("Device.Test.")]);
    assert!(Engine::new(vec![Box::new(no_root)]).is_err());
    let orphan = MemoryArea::new(
        PKG,
        vec![ObjectDef::new("Device."), ObjectDef::new("Device.A.B.")],
    );
    assert!(Engine::new(vec![Box::new(orphan)]).is_err());
    let twice = MemoryArea::new(
        PKG,
        vec![
            ObjectDef::new("Device."),
            ObjectDef::new("Device.A."),
            ObjectDef::new("Device.A."),
        ],
    );
    assert!(Engine::new(vec![Box::new(twice)]).is_err());
}

#[test]
fn the_engine_can_move_between_tasks() {
    fn assert_send<T: Send>() {}
    assert_send::<Engine>();
}

// ---- Alias-based addressing (TR-069 §3.6.1, A.2.2.1, A.3.2.6; TR-181 `Alias`) ----

fn use_aliases(fx: &mut Fixture, mode: &str) {
    use crate::datamodel::context::ConfigBackend;
    fx.config
        .set("cwmpd", "cpe", "instance_mode", mode)
        .unwrap();
    fx.config.commit("cwmpd").unwrap();
}

/// The SetParameterValues fault entries as (name, code).
fn spv_faults(fx: &mut Fixture, list: &[(&str, &str)]) -> Vec<(String, u32)> {
    let list: Vec<(&str, &str, XsdType)> = list
        .iter()
        .map(|(name, value)| (*name, *value, XsdType::String))
        .collect();
    let fault = fx.spv(&list, "k").unwrap_err();
    assert_eq!(fault.fault_code, 9003);
    fault
        .set_parameter_values_faults
        .into_iter()
        .map(|e| (e.parameter_name, e.fault_code))
        .collect()
}

fn add(fx: &mut Fixture, path: &str) -> Result<u32, u32> {
    fx.run(|engine, ctx| engine.add_object(ctx, path, "k"))
        .map(|(n, _)| n)
        .map_err(|e| e.fault_code().code())
}

#[test]
fn every_instance_has_a_cpe_alias_by_default() {
    let mut fx = Fixture::new();
    assert_eq!(fx.value("Device.Test.Table.1.Alias"), "cpe-1");
    assert_eq!(fx.value("Device.Test.Table.2.Sub.7.Alias"), "cpe-7");
    assert_eq!(add(&mut fx, "Device.Test.Table."), Ok(3));
    assert_eq!(fx.value("Device.Test.Table.3.Alias"), "cpe-3");
    // Reading aliases does not touch the persisted instance tables.
    assert_eq!(fx.instances, InstanceTables::new());
}

#[test]
fn spv_alias_checks_the_tr181_rules_and_uniqueness() {
    let mut fx = Fixture::new();
    let committed = fx
        .spv(
            &[("Device.Test.Table.1.Alias", "web", XsdType::String)],
            "a-1",
        )
        .unwrap();
    assert_eq!(committed.status, 0);
    assert_eq!(fx.value("Device.Test.Table.1.Alias"), "web");
    assert_eq!(fx.runtime.parameter_key, "a-1");
    let t2 = "Device.Test.Table.2.Alias";
    let long = "a".repeat(65);
    for bad in ["web", "cpe-9", "12", "", long.as_str()] {
        assert_eq!(
            spv_faults(&mut fx, &[(t2, bad)]),
            [(t2.to_string(), 9007)],
            "{bad:?}"
        );
    }
    // Two instances cannot take the same new alias in one request.
    let t1 = "Device.Test.Table.1.Alias";
    assert_eq!(
        spv_faults(&mut fx, &[(t1, "ssh"), (t2, "ssh")]),
        [(t2.to_string(), 9007)]
    );
    // Setting an instance's own alias again is fine; another table may reuse it.
    fx.spv(&[(t1, "web", XsdType::String)], "a-2").unwrap();
    // So is writing back the CPE's own `cpe-` alias: nothing is stored.
    let before = fx.instances.clone();
    fx.spv(&[(t2, "cpe-2", XsdType::String)], "a-2").unwrap();
    assert_eq!(fx.instances, before);
    fx.spv(
        &[("Device.Test.Table.2.Sub.7.Alias", "web", XsdType::String)],
        "a-3",
    )
    .unwrap();
    assert_eq!(fx.value(t2), "cpe-2");
}

#[test]
fn bracketed_paths_are_9005_in_instance_number_mode() {
    let mut fx = Fixture::new();
    fx.spv(
        &[("Device.Test.Table.1.Alias", "web", XsdType::String)],
        "k",
    )
    .unwrap();
    assert_eq!(fx.gpv(&["Device.Test.Table.[web].Value"]), Err(9005));
    assert_eq!(fx.gpn("Device.Test.Table.[web].", true), Err(9005));
    assert_eq!(add(&mut fx, "Device.Test.Table.[ssh]."), Err(9005));
    use_aliases(&mut fx, "InstanceNumber");
    assert_eq!(fx.gpv(&["Device.Test.Table.[cpe-1].Value"]), Err(9005));
}

#[test]
fn alias_paths_resolve_in_instance_alias_mode_and_answer_with_numbers() {
    let mut fx = Fixture::new();
    fx.spv(
        &[("Device.Test.Table.2.Alias", "web", XsdType::String)],
        "k",
    )
    .unwrap();
    use_aliases(&mut fx, "InstanceAlias");
    assert_eq!(
        fx.gpv(&[
            "Device.Test.Table.[web].Value",
            "Device.Test.Table.[cpe-1].Value"
        ]),
        Ok(vec![
            (
                "Device.Test.Table.2.Value".into(),
                "two".into(),
                XsdType::String
            ),
            (
                "Device.Test.Table.1.Value".into(),
                "one".into(),
                XsdType::String
            ),
        ])
    );
    assert_eq!(fx.value("Device.Test.Table.[web].Sub.[cpe-7].X"), "-3");
    assert_eq!(fx.gpv(&["Device.Test.Table.[nope].Value"]), Err(9005));
    fx.spv(
        &[("Device.Test.Table.[web].Value", "deux", XsdType::String)],
        "k",
    )
    .unwrap();
    assert_eq!(fx.value("Device.Test.Table.2.Value"), "deux");
    // Instance numbers still work in InstanceAlias mode.
    assert_eq!(fx.value("Device.Test.Table.1.Value"), "one");
}

#[test]
fn add_object_with_an_alias_and_delete_by_alias() {
    let mut fx = Fixture::new();
    use_aliases(&mut fx, "InstanceAlias");
    assert_eq!(add(&mut fx, "Device.Test.Table.[ssh]."), Ok(3));
    assert_eq!(fx.value("Device.Test.Table.3.Alias"), "ssh");
    // Taken, CPE-style or number-like aliases make the name invalid.
    for taken in ["[ssh]", "[cpe-1]", "[cpe-9]", "[7x]"] {
        let name = format!("Device.Test.Table.{taken}.");
        assert_eq!(add(&mut fx, &name), Err(9005), "{name}");
    }
    assert_eq!(add(&mut fx, "Device.Fixed.[x]."), Err(9005));
    fx.run(|engine, ctx| engine.delete_object(ctx, "Device.Test.Table.[ssh].", "d"))
        .unwrap();
    assert_eq!(fx.gpv(&["Device.Test.Table.[ssh].Value"]), Err(9005));
    let table = fx.instances.get("Device.Test.Table.{i}.").unwrap();
    assert_eq!(table.alias(3), None);
    // The alias is free again.
    assert_eq!(add(&mut fx, "Device.Test.Table.[ssh]."), Ok(4));
}

#[test]
fn aliases_survive_a_restart() {
    let mut fx = Fixture::new();
    fx.spv(
        &[("Device.Test.Table.1.Alias", "web", XsdType::String)],
        "k",
    )
    .unwrap();
    let saved = serde_json::to_string(&fx.instances).unwrap();
    let mut restarted = Fixture::new();
    restarted.instances = serde_json::from_str(&saved).unwrap();
    assert_eq!(restarted.value("Device.Test.Table.1.Alias"), "web");
    use_aliases(&mut restarted, "InstanceAlias");
    assert_eq!(restarted.value("Device.Test.Table.[web].Value"), "one");
}
