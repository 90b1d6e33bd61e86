//! End to end through the real binary: `Device.DeviceInfo.MemoryStatus.`, `.ProcessStatus.`
//! and `.TemperatureStatus.` reach the ACS from the sandbox root's own `/proc` and `/sys`
//! (the test router's recorded files, `tests/fixtures/system/archer-c7-v5`), and a sensor
//! disabled by the ACS is kept in `/etc/config/cwmpd`.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use support::*;

const WAIT: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn cwmpd_uci(acs_url: &str) -> String {
    format!(
        "config acs 'acs'\n\toption url '{acs_url}'\n\toption periodic_enable '0'\n\n\
         config cpe 'cpe'\n\toption interface 'lo'\n\toption cr_port '{}'\n",
        free_port()
    )
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        match entry.file_type().unwrap().is_dir() {
            true => copy_tree(&entry.path(), &target),
            false => drop(std::fs::copy(entry.path(), target).unwrap()),
        }
    }
}

/// A sandbox root (not started) with the test router's recorded `/proc` and `/sys`.
fn recorded_router(acs_url: &str) -> CpeProcess {
    let cpe = CpeProcess::new(&cwmpd_uci(acs_url));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/archer-c7-v5");
    copy_tree(&fixture, cpe.root());
    cpe
}

const SENSOR: &str = "Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.";

#[test]
fn status_objects_come_from_the_roots_proc_and_sys() {
    let process = |name: &str| format!("Device.DeviceInfo.ProcessStatus.Process.6.{name}");
    let sensor = |name: &str| format!("{SENSOR}{name}");
    let acs = TestAcs::start(AcsConfig::new().session(vec![
        AcsRpc::gpv(&[
            "Device.DeviceInfo.MemoryStatus.",
            "Device.DeviceInfo.ProcessStatus.CPUUsage",
            "Device.DeviceInfo.ProcessStatus.ProcessNumberOfEntries",
            &process("PID"),
            &process("Command"),
            &process("CPUTime"),
            "Device.DeviceInfo.TemperatureStatus.TemperatureSensorNumberOfEntries",
            &sensor("Name"),
            &sensor("Value"),
        ]),
        AcsRpc::spv(&[(&sensor("Enable"), "false", "xsd:boolean")], "sensor-off"),
        AcsRpc::gpv(&[&sensor("Status"), &sensor("Value")]),
    ]));
    let mut cpe = recorded_router(&acs.url());
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe.spawn();

    let session = acs.wait_session(1, WAIT).unwrap();
    let values: Vec<(String, String, Option<String>)> = session
        .response(0)
        .param_values()
        .into_iter()
        .map(|p| (p.name, p.value, p.xsi_type))
        .collect();
    let value = |name: &str, value: &str, xsd: &str| {
        (name.to_string(), value.to_string(), Some(xsd.to_string()))
    };
    assert_eq!(
        values,
        [
            value(
                "Device.DeviceInfo.MemoryStatus.Total",
                "121852",
                "xsd:unsignedInt"
            ),
            value(
                "Device.DeviceInfo.MemoryStatus.Free",
                "58316",
                "xsd:unsignedInt"
            ),
            value(
                "Device.DeviceInfo.ProcessStatus.CPUUsage",
                "11",
                "xsd:unsignedInt"
            ),
            value(
                "Device.DeviceInfo.ProcessStatus.ProcessNumberOfEntries",
                "9",
                "xsd:unsignedInt"
            ),
            value(&process("PID"), "1467", "xsd:unsignedInt"),
            value(
                &process("Command"),
                "/usr/sbin/hostapd -s -g /var/run/hostapd/global",
                "xsd:string"
            ),
            value(&process("CPUTime"), "3950", "xsd:unsignedInt"),
            value(
                "Device.DeviceInfo.TemperatureStatus.TemperatureSensorNumberOfEntries",
                "1",
                "xsd:unsignedInt"
            ),
            value(&sensor("Name"), "ath10k_hwmon temp1", "xsd:string"),
            value(&sensor("Value"), "53", "xsd:int"),
        ]
    );
    assert_eq!(session.response(1).status(), Some(0));
    assert_eq!(
        session.response(2).value_of(&sensor("Status")).as_deref(),
        Some("Disabled")
    );
    assert_eq!(
        session.response(2).value_of(&sensor("Value")).as_deref(),
        Some("-274")
    );
    let config = cpe.read_file("/etc/config/cwmpd").unwrap();
    assert!(
        config.contains("\tlist disabled_sensor 'ath10k_hwmon temp1'\n"),
        "{config}"
    );
    // The operator's view of the same daemon.
    let output = cpe.cli(&[
        "get",
        &sensor("Enable"),
        "Device.DeviceInfo.MemoryStatus.Total",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{SENSOR}Enable = false\nDevice.DeviceInfo.MemoryStatus.Total = 121852\n")
    );
    acs.assert_no_violations();
    assert!(acs.validate_cpe_bodies().expect("schema-valid envelopes") > 0);
}

/// No daemon running: `cwmpd get` gathers its own snapshot, so the status objects read the
/// root's `/proc`, not zero.
#[test]
fn the_command_line_without_a_daemon_reads_proc() {
    let cpe = recorded_router("http://127.0.0.1:9/");
    let output = cpe.cli(&[
        "get",
        "Device.DeviceInfo.MemoryStatus.Total",
        "Device.DeviceInfo.MemoryStatus.Free",
        "Device.DeviceInfo.ProcessStatus.ProcessNumberOfEntries",
        "Device.DeviceInfo.ProcessStatus.Process.6.Command",
    ]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "Device.DeviceInfo.MemoryStatus.Total = 121852\n\
         Device.DeviceInfo.MemoryStatus.Free = 58316\n\
         Device.DeviceInfo.ProcessStatus.ProcessNumberOfEntries = 9\n\
         Device.DeviceInfo.ProcessStatus.Process.6.Command = \
         /usr/sbin/hostapd -s -g /var/run/hostapd/global\n"
    );
    // Nothing of the process table reached the state file.
    let state = cpe.read_file("/etc/cwmpd/state.json").unwrap_or_default();
    assert!(!state.contains("ProcessStatus"), "{state}");
}

fn state_file_stamp(cpe: &CpeProcess) -> (u64, std::time::SystemTime, String) {
    use std::os::unix::fs::MetadataExt;
    let path = cpe.path("/etc/cwmpd/state.json");
    let meta = std::fs::metadata(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    (meta.ino(), meta.modified().unwrap(), text)
}

/// Process numbers live in memory: reading the table after processes came and went keeps the
/// numbers of the living ones, gives the new one a new number, and never writes the state file
/// (on flash on a router; it is replaced by rename, so a write shows as a new inode).
#[test]
fn reading_processes_never_rewrites_the_state_file() {
    let pids = "Device.DeviceInfo.ProcessStatus.Process.*.PID";
    let acs = TestAcs::start(AcsConfig::new().session(vec![AcsRpc::gpv(&[pids])]));
    let mut cpe = recorded_router(&acs.url());
    cpe.env.push(("CWMPD_TIME_SCALE".into(), "0.01".into()));
    cpe.spawn();
    let session = acs.wait_session(1, WAIT).unwrap();
    assert_eq!(
        session
            .response(0)
            .value_of(&pids.replace('*', "4"))
            .as_deref(),
        Some("611")
    );
    // Once the session's end is persisted, nothing else writes the state.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let status = String::from_utf8_lossy(&cpe.cli(&["status"]).stdout).into_owned();
        if status.contains("\"sessions_completed\": 1") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{status}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = state_file_stamp(&cpe);
    assert!(!before.2.contains("ProcessStatus"), "{}", before.2);

    // uhttpd (611) ends, hostapd is restarted as 3001.
    std::fs::remove_dir_all(cpe.path("/proc/611")).unwrap();
    copy_tree(&cpe.path("/proc/1467"), &cpe.path("/proc/3001"));
    let stat = cpe.read_file("/proc/1467/stat").unwrap();
    cpe.write_file(
        "/proc/3001/stat",
        &stat.replacen(
            "1467 (hostapd) S 1 1467 1467",
            "3001 (hostapd) S 1 3001 3001",
            1,
        ),
    );
    // Older than the 2 s a local `get` accepts: the daemon reads /proc again.
    std::thread::sleep(Duration::from_millis(2100));
    let output = cpe.cli(&["get", pids]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        [
            (1, 1),
            (2, 2),
            (3, 9),
            (5, 1102),
            (6, 1467),
            (7, 1523),
            (8, 1987),
            (9, 2214),
            (10, 3001),
        ]
        .iter()
        .map(|(n, pid)| format!("Device.DeviceInfo.ProcessStatus.Process.{n}.PID = {pid}\n"))
        .collect::<String>()
    );
    assert_eq!(state_file_stamp(&cpe), before);
}
