//! The system's state from `/proc` and `/sys`: memory, processes and CPU use, temperature
//! sensors. Filled by [`gather`]; read by `Device.DeviceInfo.` through `Context::live.system`.
//!
//! - **Which `/proc` and `/sys`.** On a router (root `/`) the kernel's. Under `--root DIR` the
//!   sandbox's own `DIR/proc` (`DIR/sys`) when that directory exists — tests put recorded
//!   files there and get exact values — else the machine's, so a sandbox on a plain Linux box
//!   shows the memory, processes and sensors it really runs on (as netlink shows its real
//!   links).
//! - **CPU usage** (TR-181 `ProcessStatus.CPUUsage`) is a rate: it needs two samples of the
//!   `/proc/stat` counters. Sleeping between two reads would hold up the single-threaded
//!   loop, so each snapshot compares its counters with the previous snapshot's ([`CpuLoad`],
//!   kept by the daemon's `LiveHub` and handed back in `Sources`): the usage over the time
//!   since then — at most the 30 s of the notification poll while the daemon runs, which
//!   refreshes the snapshot. The first snapshot after start reports the average since boot;
//!   a snapshot less than [`MIN_WINDOW_TICKS`] after its base keeps the previous figure (a
//!   few clock ticks give no meaningful percentage).

mod proc;
mod sensors;

use std::path::{Path, PathBuf};

use crate::platform::Paths;

pub use proc::{CpuTimes, Memory, Process, ProcessState};
pub use sensors::TemperatureSensor;

/// What `/proc` and `/sys` reported in one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SystemState {
    /// False when `/proc` could not be read.
    pub available: bool,
    /// When the snapshot was taken (Unix seconds): the sensors' LastUpdate.
    pub taken_at: i64,
    /// `/proc/meminfo`; `None` when unreadable.
    pub memory: Option<Memory>,
    /// `/proc/stat` counters and the CPU usage they give; `None` when unreadable.
    pub cpu: Option<CpuLoad>,
    /// `/proc/[pid]/`, ascending by PID.
    pub processes: Vec<Process>,
    /// `/sys/class/thermal/thermal_zone*` and `/sys/class/hwmon/*/temp*_input`.
    pub sensors: Vec<TemperatureSensor>,
}

/// The CPU usage of a snapshot: busy ticks over all ticks between two `/proc/stat` samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuLoad {
    /// The counters at the start of the window.
    pub from: CpuTimes,
    /// The counters at its end: where the next snapshot's window starts.
    pub to: CpuTimes,
    /// Percent busy over the window, rounded up (TR-181 CPUUsage).
    pub usage_percent: u32,
}

/// The shortest window (in clock ticks summed over every CPU: 100 = one CPU-second) a new
/// CPU usage figure is computed over.
pub const MIN_WINDOW_TICKS: u64 = 100;

impl CpuLoad {
    /// The load at `now`, measured from the end of the previous snapshot's window (or since
    /// boot); a window shorter than [`MIN_WINDOW_TICKS`] keeps the previous load.
    pub fn measure(previous: Option<&CpuLoad>, now: CpuTimes) -> CpuLoad {
        // No earlier sample, or the counters went back (a sandbox's files replaced).
        let from = match previous {
            Some(previous) if now.total() >= previous.to.total() => previous.to,
            _ => CpuTimes::default(),
        };
        match previous {
            Some(previous)
                if from == previous.to && now.total() - from.total() < MIN_WINDOW_TICKS =>
            {
                *previous
            }
            _ => CpuLoad {
                from,
                to: now,
                usage_percent: now.busy_percent_since(&from),
            },
        }
    }
}

/// Read the files once. `previous` is the last snapshot's CPU load (see the module docs).
pub fn gather(paths: &Paths, previous: Option<&CpuLoad>, taken_at: i64) -> SystemState {
    let proc_dir = kernel_dir(paths, "/proc");
    let sys_dir = kernel_dir(paths, "/sys");
    let read = |path: PathBuf| std::fs::read_to_string(path).ok();
    let memory = read(proc_dir.join("meminfo")).and_then(|text| Memory::parse(&text));
    let cpu = read(proc_dir.join("stat"))
        .and_then(|text| CpuTimes::parse(&text))
        .map(|times| CpuLoad::measure(previous, times));
    let processes = proc::read_processes(&proc_dir);
    if memory.is_none() {
        log::debug!(target: "cwmpd::live", "no memory figures in {}", proc_dir.display());
    }
    SystemState {
        available: memory.is_some() || cpu.is_some() || !processes.is_empty(),
        taken_at,
        memory,
        cpu,
        processes,
        sensors: sensors::read_sensors(&sys_dir),
    }
}

/// `/proc` or `/sys` for `paths` (see the module docs).
fn kernel_dir(paths: &Paths, system_dir: &str) -> PathBuf {
    let own = paths.resolve(system_dir);
    match paths.root() != Path::new("/") && own.is_dir() {
        true => own,
        false => PathBuf::from(system_dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(user: u64, system: u64, idle: u64) -> CpuTimes {
        CpuTimes {
            user,
            system,
            idle,
            ..CpuTimes::default()
        }
    }

    #[test]
    fn the_first_load_is_the_average_since_boot() {
        let load = CpuLoad::measure(None, times(10, 15, 75));
        assert_eq!(load.usage_percent, 25);
        assert_eq!(
            (load.from, load.to),
            (CpuTimes::default(), times(10, 15, 75))
        );
    }

    #[test]
    fn later_loads_measure_from_the_previous_snapshot() {
        let first = CpuLoad::measure(None, times(10, 15, 75));
        // 300 more ticks, 100 of them busy: 33.3 % rounds up to 34.
        let second = CpuLoad::measure(Some(&first), times(60, 65, 275));
        assert_eq!(second.usage_percent, 34);
        assert_eq!(second.from, times(10, 15, 75));
        // 50 ticks later: too short a window, the previous load stays.
        let third = CpuLoad::measure(Some(&second), times(110, 65, 275));
        assert_eq!(third, second);
        // 100 ticks after the second: 50 of them busy.
        let fourth = CpuLoad::measure(Some(&third), times(110, 65, 325));
        assert_eq!(fourth.usage_percent, 50);
        assert_eq!(fourth.from, times(60, 65, 275));
    }

    #[test]
    fn counters_going_back_start_over() {
        let first = CpuLoad::measure(None, times(500, 500, 1000));
        let rebooted = CpuLoad::measure(Some(&first), times(1, 1, 98));
        assert_eq!(rebooted.usage_percent, 2);
        assert_eq!(rebooted.from, CpuTimes::default());
    }

    #[test]
    fn a_sandbox_without_its_own_proc_reads_the_machines() {
        let root = tempfile::tempdir().unwrap();
        let paths = Paths::new(root.path());
        assert_eq!(kernel_dir(&paths, "/proc"), PathBuf::from("/proc"));
        std::fs::create_dir(root.path().join("proc")).unwrap();
        assert_eq!(kernel_dir(&paths, "/proc"), root.path().join("proc"));
        assert_eq!(kernel_dir(&Paths::new("/"), "/sys"), PathBuf::from("/sys"));
    }
}
