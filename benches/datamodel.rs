//! GetParameterValues("Device.") over a synthetic tree of 2,000 parameters: the engine part
//! (path resolution, view dispatch, value rendering into ParameterValueStructs) and, as the
//! issue's goal counts it, engine + SOAP serialisation of the GetParameterValuesResponse.
//!
//! Tree: 10 single-instance objects of 100 parameters each, plus a table of 50 instances of
//! 20 parameters (1,000 + 1,000 parameters), mixed types. The area "loads its backend" once
//! per RPC (it builds its snapshot in `open`), as real areas read their UCI package once.
//!
//! Run: `cargo bench --bench datamodel` (release profile, as shipped). Goal: ≤ 20 ms.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cwmpd::cwmp::codec;
use cwmpd::cwmp::rpc::{Body, CpeResponse, Envelope};
use cwmpd::cwmp::types::CwmpNamespace;
use cwmpd::datamodel::testing::MemoryConfig;
use cwmpd::datamodel::{
    Area, AreaView, Context, Engine, Error, InstanceTables, ObjectDef, ObjectRef, ParamDef,
    ParamRef, RuntimeValues, Type, Value,
};
use cwmpd::platform::Paths;

const OBJECTS: usize = 10;
const PARAMS_PER_OBJECT: usize = 100;
const TABLE_INSTANCES: u32 = 50;
/// 19 declared + the `Alias` the engine adds to every table = 20 per instance.
const PARAMS_PER_INSTANCE: usize = 19;
const ITERATIONS: usize = 200;

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn param_type(index: usize) -> Type {
    match index % 4 {
        0 => Type::string(64),
        1 => Type::unsigned_int(),
        2 => Type::boolean(),
        _ => Type::int().range(Some(-1), None),
    }
}

fn object_with_params(path: &'static str, count: usize) -> ObjectDef {
    (0..count).fold(ObjectDef::new(path), |object, index| {
        let name = leak(format!("Param{index}"));
        object.param(ParamDef::read_write(name, param_type(index)))
    })
}

struct SyntheticArea;

impl Area for SyntheticArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let mut objects = vec![ObjectDef::new("Device.")];
        for object in 0..OBJECTS {
            let path = leak(format!("Device.Object{object}."));
            objects.push(object_with_params(path, PARAMS_PER_OBJECT));
        }
        objects.push(object_with_params("Device.Table.{i}.", PARAMS_PER_INSTANCE));
        objects
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        // The "backend read": one snapshot per RPC.
        let snapshot: Vec<String> = (0..PARAMS_PER_OBJECT)
            .map(|index| format!("value-{index}"))
            .collect();
        Ok(Box::new(SyntheticView { snapshot }))
    }
}

struct SyntheticView {
    snapshot: Vec<String>,
}

impl AreaView for SyntheticView {
    fn get(&mut self, _ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let index: usize = param.name["Param".len()..].parse().unwrap_or(0);
        let instance = param.instances.first().copied().unwrap_or(0);
        Ok(match index % 4 {
            0 => Value::String(self.snapshot[index].clone()),
            1 => Value::from(instance * 1000 + index as u32),
            2 => Value::Boolean(index % 3 == 0),
            _ => Value::from(-1i32),
        })
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok((1..=TABLE_INSTANCES).collect())
    }
}

fn summarize(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let p95 = samples[samples.len() * 95 / 100];
    println!(
        "{label}: median {:.3} ms, p95 {:.3} ms, min {:.3} ms ({} runs)",
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3,
        samples.len()
    );
}

fn main() {
    let mut engine = Engine::new(vec![Box::new(SyntheticArea)]).expect("valid schema");
    let paths = Paths::new("/nonexistent");
    let mut config = MemoryConfig::new();
    let mut runtime = RuntimeValues::default();
    let mut instances = InstanceTables::new();
    let mut ctx = Context {
        paths: &paths,
        now: 0,
        uptime: 0,
        config: &mut config,
        runtime: &mut runtime,
        instances: &mut instances,
        live: &Default::default(),
    };
    let everything = vec!["Device.".to_string()];
    let count = engine
        .get_parameter_values(&mut ctx, &everything)
        .expect("GetParameterValues")
        .len();
    assert_eq!(count, 2_000);

    let mut gpv = Vec::with_capacity(ITERATIONS);
    let mut gpv_soap = Vec::with_capacity(ITERATIONS);
    let mut gpn = Vec::with_capacity(ITERATIONS);
    let mut envelope_bytes = 0;
    for _ in 0..ITERATIONS {
        let start = Instant::now();
        black_box(engine.get_parameter_values(&mut ctx, black_box(&everything))).ok();
        gpv.push(start.elapsed());
        let start = Instant::now();
        let parameter_list = engine
            .get_parameter_values(&mut ctx, black_box(&everything))
            .expect("GetParameterValues");
        let response = CpeResponse::GetParameterValuesResponse { parameter_list };
        let envelope = Envelope::new(
            CwmpNamespace::V1_2,
            Some("bench".into()),
            Body::CpeResponse(response),
        );
        envelope_bytes = black_box(codec::encode(&envelope)).len();
        gpv_soap.push(start.elapsed());
        let start = Instant::now();
        black_box(engine.get_parameter_names(&mut ctx, black_box(""), false)).ok();
        gpn.push(start.elapsed());
    }
    summarize("GetParameterValues(\"Device.\") 2000 params, engine", gpv);
    summarize(
        &format!(
            "GetParameterValues(\"Device.\") 2000 params, engine + SOAP ({envelope_bytes} bytes)"
        ),
        gpv_soap,
    );
    summarize("GetParameterNames(\"\", false) 2000 params", gpn);
}
