//! `Device.DeviceInfo.MemoryStatus.`, `.ProcessStatus.` and `.TemperatureStatus.` (TR-181
//! Device:2), from the live snapshot's `system` part (`crate::live::system`: `/proc`, `/sys`).
//!
//! - MemoryStatus: Total is `MemTotal`, Free is `MemAvailable` (free memory plus what the
//!   kernel can reclaim at once; `MemFree` on old kernels), in KiB; 0 when `/proc/meminfo` is
//!   unreadable. The persistent-storage and MemoryMonitor parameters are not served.
//! - ProcessStatus: CPUUsage is the busy share of every CPU since the previous snapshot,
//!   rounded up (see `live::system`). `Process.{i}` lists every process and kernel thread;
//!   an instance is numbered by PID and start time, so it keeps its number while the process
//!   lives and a later process with the same PID gets a new one. Size is the resident memory
//!   (`VmRSS`), CPUTime user plus system time, Priority the kernel's (0 = nice -20 … 39 =
//!   nice 19; real-time processes 0), State from the `stat` letter. The 2.18 `CPU.{i}`
//!   monitor table is not served.
//! - TemperatureStatus: one `TemperatureSensor.{i}` per thermal zone and hwmon temperature
//!   channel, numbered by Name. Enable is kept in UCI as `list disabled_sensor '<Name>'` in
//!   `cwmpd.cpe`: cwmpd does not sample (read) a disabled sensor, whose Status is `Disabled`
//!   and Value -274 ("no good reading since last reset"). A sensor whose driver fails is
//!   `Error` with Value -274. LastUpdate is the time of the snapshot the reading comes from.
//!   Min/Max, alarms, ResetTime and PollingInterval need sampling history cwmpd does not keep:
//!   not served.

use std::collections::BTreeMap;

use super::super::CWMPD_PACKAGE;
use super::CPE_SECTION;
use crate::datamodel::value::UNKNOWN_TIME_SECS;
use crate::datamodel::{
    ActiveNotify, Context, Error, InstanceNumbers, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};
use crate::live::system::{Process, TemperatureSensor};

pub(super) const MEMORY: &str = "Device.DeviceInfo.MemoryStatus.";
pub(super) const PROCESS_STATUS: &str = "Device.DeviceInfo.ProcessStatus.";
pub(super) const PROCESS: &str = "Device.DeviceInfo.ProcessStatus.Process.{i}.";
pub(super) const TEMPERATURE_STATUS: &str = "Device.DeviceInfo.TemperatureStatus.";
pub(super) const SENSOR: &str = "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.";

/// The UCI list (in `cwmpd.cpe`) of the Names of disabled sensors.
const DISABLED_SENSOR: &str = "disabled_sensor";
/// TR-181's "no good reading since last reset".
const NO_READING: i64 = -274;
const COMMAND_MAX: usize = 256;

const PROCESS_STATES: &[&str] = &[
    "Running",
    "Sleeping",
    "Stopped",
    "Idle",
    "Uninterruptible",
    "Zombie",
];

fn can_deny(def: ParamDef) -> ParamDef {
    def.active_notify(ActiveNotify::CanDeny)
}

pub(super) fn objects() -> Vec<ObjectDef> {
    let kib = Type::unsigned_int;
    let celsius = || Type::int().range(Some(NO_READING.into()), None);
    vec![
        ObjectDef::new(MEMORY)
            .param(ParamDef::read_only("Total", kib()))
            .param(can_deny(ParamDef::read_only("Free", kib()))),
        ObjectDef::new(PROCESS_STATUS)
            .param(can_deny(ParamDef::read_only(
                "CPUUsage",
                Type::unsigned_int().range(None, Some(100)),
            )))
            .param(ParamDef::read_only(
                "ProcessNumberOfEntries",
                Type::unsigned_int(),
            )),
        ObjectDef::new(PROCESS)
            .without_alias()
            .param(ParamDef::read_only("PID", Type::unsigned_int()))
            .param(ParamDef::read_only("Command", Type::string(256)))
            .param(can_deny(ParamDef::read_only("Size", kib())))
            .param(ParamDef::read_only(
                "Priority",
                Type::unsigned_int().range(None, Some(99)),
            ))
            .param(can_deny(ParamDef::read_only(
                "CPUTime",
                Type::unsigned_int(),
            )))
            .param(can_deny(ParamDef::read_only(
                "State",
                Type::any_string().enumeration(PROCESS_STATES),
            ))),
        ObjectDef::new(TEMPERATURE_STATUS).param(ParamDef::read_only(
            "TemperatureSensorNumberOfEntries",
            Type::unsigned_int(),
        )),
        ObjectDef::new(SENSOR)
            .param(ParamDef::read_write("Enable", Type::boolean()))
            .param(ParamDef::read_only(
                "Status",
                Type::any_string().enumeration(&["Disabled", "Enabled", "Error"]),
            ))
            .param(ParamDef::read_only("Name", Type::string(256)))
            .param(can_deny(ParamDef::read_only("Value", celsius())))
            .param(can_deny(ParamDef::read_only(
                "LastUpdate",
                Type::date_time(),
            ))),
    ]
}

/// The status objects for one RPC: instance numbers are given on first use, the disabled
/// sensors read from UCI only when a sensor is.
#[derive(Default)]
pub(super) struct StatusView {
    /// `(number, index into live.system.processes)`, ascending.
    processes: Option<Vec<(u32, usize)>>,
    /// `(number, index into live.system.sensors)`, ascending.
    sensors: Option<Vec<(u32, usize)>>,
    disabled: Option<Vec<String>>,
    /// Enable values staged by this SetParameterValues, by sensor Name.
    enable_changes: BTreeMap<String, bool>,
}

fn number_by<T>(
    numbers: &mut InstanceNumbers,
    items: &[T],
    key: impl Fn(&T) -> String,
) -> Vec<(u32, usize)> {
    let keys: Vec<String> = items.iter().map(key).collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    numbers
        .assign(&key_refs)
        .into_iter()
        .filter_map(|(number, key)| Some((number, keys.iter().position(|k| k == key)?)))
        .collect()
}

fn process_key(process: &Process) -> String {
    format!("{}@{}", process.pid, process.start_time)
}

impl StatusView {
    fn processes(&mut self, ctx: &mut Context<'_>) -> &[(u32, usize)] {
        self.processes.get_or_insert_with(|| {
            let live = ctx.live;
            // Processes come and go all the time: numbered in memory only, so reading the
            // table never costs a flash write (`datamodel::instances`).
            let numbers = ctx.instances.volatile_table(PROCESS);
            number_by(numbers, &live.system.processes, process_key)
        })
    }

    fn sensors(&mut self, ctx: &mut Context<'_>) -> &[(u32, usize)] {
        self.sensors.get_or_insert_with(|| {
            let live = ctx.live;
            number_by(
                ctx.instances.table(SENSOR),
                &live.system.sensors,
                |sensor| sensor.name.clone(),
            )
        })
    }

    fn disabled(&mut self, ctx: &mut Context<'_>) -> Result<&[String], Error> {
        if self.disabled.is_none() {
            let sections = ctx.config.sections(CWMPD_PACKAGE)?;
            let cpe = sections.iter().find(|section| section.name == CPE_SECTION);
            let names = cpe.map(|cpe| cpe.list(DISABLED_SENSOR)).unwrap_or_default();
            self.disabled = Some(names.into_iter().map(str::to_string).collect());
        }
        Ok(self.disabled.as_deref().unwrap_or_default())
    }

    fn process<'c>(&mut self, ctx: &mut Context<'c>, number: u32) -> Result<&'c Process, Error> {
        let live = ctx.live;
        let numbered = self.processes(ctx);
        let index = lookup(numbered, number)?;
        Ok(&live.system.processes[index])
    }

    fn sensor<'c>(
        &mut self,
        ctx: &mut Context<'c>,
        number: u32,
    ) -> Result<&'c TemperatureSensor, Error> {
        let live = ctx.live;
        let numbered = self.sensors(ctx);
        let index = lookup(numbered, number)?;
        Ok(&live.system.sensors[index])
    }

    pub(super) fn instances(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        let numbered = match table.object {
            PROCESS => self.processes(ctx),
            SENSOR => self.sensors(ctx),
            _ => return Ok(Vec::new()),
        };
        Ok(numbered.iter().map(|&(number, _)| number).collect())
    }

    pub(super) fn get(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
    ) -> Result<Value, Error> {
        let live = ctx.live;
        let system = &live.system;
        let memory = system.memory;
        Ok(match (param.object, param.name) {
            (MEMORY, "Total") => Value::from(memory.map_or(0, |m| m.total_kib)),
            (MEMORY, "Free") => Value::from(memory.map_or(0, |m| m.available_kib)),
            (PROCESS_STATUS, "CPUUsage") => {
                Value::from(system.cpu.map_or(0, |cpu| cpu.usage_percent))
            }
            (PROCESS_STATUS, "ProcessNumberOfEntries") => count(self.processes(ctx).len()),
            (TEMPERATURE_STATUS, "TemperatureSensorNumberOfEntries") => {
                count(self.sensors(ctx).len())
            }
            (PROCESS, name) => {
                let number = instance(param)?;
                process_value(self.process(ctx, number)?, name)?
            }
            (SENSOR, name) => {
                let number = instance(param)?;
                let taken_at = ctx.live.system.taken_at;
                let sensor = self.sensor(ctx, number)?;
                let enabled = !self.disabled(ctx)?.contains(&sensor.name);
                sensor_value(sensor, enabled, taken_at, name)?
            }
            _ => return Err(Error::not_served(param.name)),
        })
    }

    pub(super) fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
    ) -> Result<(), Error> {
        match (param.object, param.name, value.as_bool()) {
            (SENSOR, "Enable", Some(enable)) => {
                let sensor = self.sensor(ctx, instance(param)?)?;
                self.enable_changes.insert(sensor.name.clone(), enable);
                Ok(())
            }
            _ => Err(Error::not_writable("")),
        }
    }

    /// Stage the disabled-sensor list once, with every Enable of the request applied.
    pub(super) fn finish_set(
        &mut self,
        ctx: &mut Context<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        if self.enable_changes.is_empty() {
            return Ok(());
        }
        let mut disabled = self.disabled(ctx)?.to_vec();
        for (name, enable) in std::mem::take(&mut self.enable_changes) {
            disabled.retain(|disabled| *disabled != name);
            if !enable {
                disabled.push(name);
            }
        }
        tx.set_list(CWMPD_PACKAGE, CPE_SECTION, DISABLED_SENSOR, disabled);
        Ok(())
    }
}

fn count(entries: usize) -> Value {
    Value::from(u32::try_from(entries).unwrap_or(u32::MAX))
}

fn instance(param: ParamRef<'_>) -> Result<u32, Error> {
    param
        .instances
        .first()
        .copied()
        .ok_or_else(|| Error::invalid_name(""))
}

fn lookup(numbered: &[(u32, usize)], number: u32) -> Result<usize, Error> {
    numbered
        .iter()
        .find(|&&(n, _)| n == number)
        .map(|&(_, index)| index)
        .ok_or_else(|| Error::invalid_name(""))
}

fn saturating_u32(number: u64) -> Value {
    Value::from(u32::try_from(number).unwrap_or(u32::MAX))
}

fn process_value(process: &Process, name: &str) -> Result<Value, Error> {
    Ok(match name {
        "PID" => Value::from(process.pid),
        "Command" => Value::from(super::super::truncate_chars(&process.command, COMMAND_MAX)),
        "Size" => saturating_u32(process.size_kib),
        "Priority" => Value::from(process.tr181_priority()),
        "CPUTime" => saturating_u32(process.cpu_time_ms),
        "State" => Value::from(process.state.tr181_name()),
        _ => return Err(Error::not_served(name)),
    })
}

fn sensor_value(
    sensor: &TemperatureSensor,
    enabled: bool,
    taken_at: i64,
    name: &str,
) -> Result<Value, Error> {
    let reading = sensor.celsius().filter(|_| enabled);
    Ok(match name {
        "Enable" => Value::from(enabled),
        "Status" => Value::from(match (enabled, reading) {
            (false, _) => "Disabled",
            (true, Some(_)) => "Enabled",
            (true, None) => "Error",
        }),
        "Name" => Value::from(super::super::truncate_chars(&sensor.name, 256)),
        "Value" => Value::from(reading.unwrap_or(NO_READING)),
        "LastUpdate" => Value::DateTime(reading.map_or(UNKNOWN_TIME_SECS, |_| taken_at)),
        _ => return Err(Error::not_served(name)),
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::backend::test_router::{Router, NOW};
    use crate::live::system::{gather, SystemState};
    use crate::platform::Paths;

    /// The test router's recorded `/proc` and `/sys` (`tests/fixtures/system/`).
    fn archer_c7() -> SystemState {
        let root =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/archer-c7-v5");
        gather(&Paths::new(root), None, NOW)
    }

    fn router() -> Router {
        let mut router = Router::new(&[("cwmpd", "cwmpd")]);
        router.live.system = archer_c7();
        router
    }

    fn pairs(values: &[(&str, &str)]) -> Vec<(String, String)> {
        values
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn memory_and_cpu_of_the_router() {
        let mut router = router();
        assert_eq!(
            router.values_below("Device.DeviceInfo.MemoryStatus."),
            pairs(&[("Total", "121852"), ("Free", "58316")])
        );
        // 41500 busy ticks of 412366 since boot: 10.06 % rounds up to 11.
        assert_eq!(
            router.value("Device.DeviceInfo.ProcessStatus.CPUUsage"),
            "11"
        );
    }

    #[test]
    fn processes_of_the_router() {
        let mut router = router();
        let status = "Device.DeviceInfo.ProcessStatus.";
        assert_eq!(
            router.value(&format!("{status}ProcessNumberOfEntries")),
            "9"
        );
        let process = |router: &mut Router, number: u32| {
            router.values_below(&format!("{status}Process.{number}."))
        };
        assert_eq!(
            process(&mut router, 1),
            pairs(&[
                ("PID", "1"),
                ("Command", "/sbin/procd"),
                ("Size", "1484"),
                ("Priority", "20"),
                ("CPUTime", "2550"),
                ("State", "Sleeping"),
            ])
        );
        assert_eq!(
            process(&mut router, 3),
            pairs(&[
                ("PID", "9"),
                ("Command", "irq/16-ath10k_p"),
                ("Size", "0"),
                ("Priority", "0"),
                ("CPUTime", "410"),
                ("State", "Sleeping"),
            ])
        );
        assert_eq!(
            process(&mut router, 7)[1],
            pairs(&[(
                "Command",
                "/usr/sbin/dnsmasq -C /var/etc/dnsmasq.conf.cfg01411c -k -x \
                 /var/run/dnsmasq/dnsmasq.cfg01411c.pid"
            )])[0]
        );
        assert_eq!(router.value(&format!("{status}Process.8.State")), "Running");
        assert_eq!(
            process(&mut router, 9),
            pairs(&[
                ("PID", "2214"),
                ("Command", "odhcp6c"),
                ("Size", "0"),
                ("Priority", "25"),
                ("CPUTime", "10"),
                ("State", "Zombie"),
            ])
        );
        assert_eq!(router.gpv(&[&format!("{status}Process.10.PID")]), Err(9005));
        assert_eq!(
            router.gpn(&format!("{status}Process.1."), true).unwrap()[0],
            (format!("{status}Process.1.PID"), false)
        );
    }

    #[test]
    fn a_process_keeps_its_number_while_it_lives() {
        let mut router = router();
        let pids = |router: &mut Router| -> Vec<(String, String)> {
            router
                .gpv(&["Device.DeviceInfo.ProcessStatus.Process."])
                .unwrap()
                .into_iter()
                .filter(|(name, _)| name.ends_with(".PID"))
                .map(|(name, pid)| {
                    (
                        name["Device.DeviceInfo.ProcessStatus.Process.".len()..].to_string(),
                        pid,
                    )
                })
                .collect()
        };
        assert_eq!(pids(&mut router).len(), 9);
        // ubusd (Process.4) ends, a new hostapd gets PID 2300, and uhttpd is restarted on
        // a recycled PID 611 (another start time: another process).
        let processes = &mut router.live.system.processes;
        let mut uhttpd = processes.iter().find(|p| p.pid == 1987).unwrap().clone();
        processes.retain(|process| process.pid != 611 && process.pid != 1987);
        let mut hostapd = processes.iter().find(|p| p.pid == 1467).unwrap().clone();
        hostapd.pid = 2300;
        hostapd.start_time = 41_000;
        uhttpd.pid = 611;
        uhttpd.start_time = 41_200;
        processes.extend([hostapd, uhttpd]);
        processes.sort_by_key(|process| process.pid);
        let after = pids(&mut router);
        assert_eq!(
            after,
            pairs(&[
                ("1.PID", "1"),
                ("2.PID", "2"),
                ("3.PID", "9"),
                ("5.PID", "1102"),
                ("6.PID", "1467"),
                ("7.PID", "1523"),
                ("9.PID", "2214"),
                ("10.PID", "611"),
                ("11.PID", "2300"),
            ])
        );
        // The numbers live in memory only (no flash write per process started): a restarted
        // daemon numbers the processes afresh, in PID order.
        let live = router.live.clone();
        let mut router = router.restart();
        router.live = live;
        assert_eq!(
            pids(&mut router),
            pairs(&[
                ("1.PID", "1"),
                ("2.PID", "2"),
                ("3.PID", "9"),
                ("4.PID", "611"),
                ("5.PID", "1102"),
                ("6.PID", "1467"),
                ("7.PID", "1523"),
                ("8.PID", "2214"),
                ("9.PID", "2300"),
            ])
        );
    }

    #[test]
    fn temperature_sensors_and_their_enable() {
        let mut router = router();
        let sensors = "Device.DeviceInfo.TemperatureStatus.";
        assert_eq!(
            router.value(&format!("{sensors}TemperatureSensorNumberOfEntries")),
            "1"
        );
        let sensor = format!("{sensors}TemperatureSensor.1.");
        assert_eq!(
            router.values_below(&sensor),
            pairs(&[
                ("Enable", "true"),
                ("Status", "Enabled"),
                ("Name", "ath10k_hwmon temp1"),
                ("Value", "53"),
                ("LastUpdate", "2026-11-24T17:30:00Z"),
            ])
        );
        assert_eq!(router.spv(&[(&format!("{sensor}Enable"), "false")]), Ok(0));
        assert!(router
            .file("cwmpd")
            .contains("\tlist disabled_sensor 'ath10k_hwmon temp1'\n"));
        assert_eq!(router.changed_packages, ["cwmpd"]);
        assert_eq!(
            router.values_below(&sensor),
            pairs(&[
                ("Enable", "false"),
                ("Status", "Disabled"),
                ("Name", "ath10k_hwmon temp1"),
                ("Value", "-274"),
                ("LastUpdate", "0001-01-01T00:00:00Z"),
            ])
        );
        assert_eq!(router.spv(&[(&format!("{sensor}Enable"), "true")]), Ok(0));
        assert!(!router.file("cwmpd").contains("disabled_sensor"));
        assert_eq!(router.value(&format!("{sensor}Value")), "53");
        assert_eq!(
            router.spv_faults(&[(&format!("{sensor}Name"), "x")]),
            (9003, vec![(format!("{sensor}Name"), 9008)])
        );
    }

    #[test]
    fn a_failing_sensor_is_an_error() {
        let mut router = router();
        router.live.system.sensors[0].millicelsius = None;
        let sensor = "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.";
        assert_eq!(router.value(&format!("{sensor}Status")), "Error");
        assert_eq!(router.value(&format!("{sensor}Value")), "-274");
    }

    #[test]
    fn without_proc_everything_is_zero_and_empty() {
        let mut router = Router::new(&[("cwmpd", "cwmpd")]);
        assert_eq!(
            router.values_below("Device.DeviceInfo.ProcessStatus."),
            pairs(&[("CPUUsage", "0"), ("ProcessNumberOfEntries", "0")])
        );
        assert_eq!(
            router.values_below("Device.DeviceInfo.TemperatureStatus."),
            pairs(&[("TemperatureSensorNumberOfEntries", "0")])
        );
        assert_eq!(
            router.values_below("Device.DeviceInfo.MemoryStatus."),
            pairs(&[("Total", "0"), ("Free", "0")])
        );
    }
}
