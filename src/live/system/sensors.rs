//! Temperature sensors in sysfs: thermal zones (`/sys/class/thermal/thermal_zone*/` with `type`
//! and `temp`) and hwmon channels (`/sys/class/hwmon/hwmon*/` with `name`, `temp*_input` and
//! an optional `temp*_label`), both in millidegrees Celsius.
//!
//! The kernel mirrors each thermal zone as a hwmon device named after the zone's type (with
//! `-` turned into `_`); those mirrors are left out so a sensor is reported once.

use std::path::Path;

/// One sensor in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemperatureSensor {
    /// Distinguishes it from every other sensor (TR-181's functional unique key):
    /// the zone's type (`cpu-thermal`), or the hwmon device's name with the channel's label
    /// or number (`mt7915_phy0 temp1`); with the sysfs name appended where those repeat.
    pub name: String,
    /// Millidegrees Celsius; `None` when the sensor could not be read (driver error).
    pub millicelsius: Option<i64>,
}

impl TemperatureSensor {
    /// Whole degrees Celsius, rounded to the nearest.
    pub fn celsius(&self) -> Option<i64> {
        self.millicelsius
            .map(|milli| (milli + 500).div_euclid(1000))
    }
}

/// A sensor as sysfs names it, before names are made unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSensor {
    /// `thermal_zone0`, `hwmon1/temp2`.
    pub sysfs: String,
    pub name: String,
    pub millicelsius: Option<i64>,
}

fn read_trimmed(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(text.trim().to_string())
}

fn read_millicelsius(path: &Path) -> Option<i64> {
    read_trimmed(path)?.parse().ok()
}

/// Entries of `dir` whose names start with `prefix`, sorted naturally (`x2` before `x10`).
fn numbered_entries(dir: &Path, prefix: &str) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(u32, String)> = entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            let number = name.strip_prefix(prefix)?.split('_').next()?.parse().ok()?;
            Some((number, name))
        })
        .collect();
    found.sort();
    found
}

fn thermal_zones(sys_dir: &Path) -> Vec<RawSensor> {
    let class = sys_dir.join("class/thermal");
    numbered_entries(&class, "thermal_zone")
        .into_iter()
        .map(|(_, zone)| {
            let dir = class.join(&zone);
            RawSensor {
                name: read_trimmed(&dir.join("type")).unwrap_or_else(|| zone.clone()),
                millicelsius: read_millicelsius(&dir.join("temp")),
                sysfs: zone,
            }
        })
        .collect()
}

fn hwmon_channels(sys_dir: &Path, zone_names: &[String]) -> Vec<RawSensor> {
    let class = sys_dir.join("class/hwmon");
    let mut sensors = Vec::new();
    for (_, device) in numbered_entries(&class, "hwmon") {
        let dir = class.join(&device);
        let name = read_trimmed(&dir.join("name")).unwrap_or_else(|| device.clone());
        if zone_names.iter().any(|zone| zone.replace('-', "_") == name) {
            continue;
        }
        for (_, input) in numbered_entries(&dir, "temp") {
            let Some(channel) = input.strip_suffix("_input") else {
                continue;
            };
            let label = read_trimmed(&dir.join(format!("{channel}_label")));
            sensors.push(RawSensor {
                sysfs: format!("{device}/{channel}"),
                name: format!("{name} {}", label.as_deref().unwrap_or(channel)),
                millicelsius: read_millicelsius(&dir.join(&input)),
            });
        }
    }
    sensors
}

/// Make names unique: a name several sensors share gets the sysfs name appended.
pub fn unique_names(raw: Vec<RawSensor>) -> Vec<TemperatureSensor> {
    let shared = |name: &str| raw.iter().filter(|sensor| sensor.name == name).count() > 1;
    raw.iter()
        .map(|sensor| TemperatureSensor {
            name: match shared(&sensor.name) {
                true => format!("{} ({})", sensor.name, sensor.sysfs),
                false => sensor.name.clone(),
            },
            millicelsius: sensor.millicelsius,
        })
        .collect()
}

/// Every sensor under `sys_dir`: thermal zones first, then hwmon channels.
pub fn read_sensors(sys_dir: &Path) -> Vec<TemperatureSensor> {
    let mut raw = thermal_zones(sys_dir);
    let zone_names: Vec<String> = raw.iter().map(|zone| zone.name.clone()).collect();
    raw.extend(hwmon_channels(sys_dir, &zone_names));
    unique_names(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn rounding_to_whole_degrees() {
        let sensor = |milli| TemperatureSensor {
            name: String::new(),
            millicelsius: Some(milli),
        };
        let degrees: Vec<Option<i64>> = [52_499, 52_500, -1_499, -1_500, 0]
            .into_iter()
            .map(|milli| sensor(milli).celsius())
            .collect();
        assert_eq!(degrees, [Some(52), Some(53), Some(-1), Some(-1), Some(0)]);
        let broken = TemperatureSensor {
            name: String::new(),
            millicelsius: None,
        };
        assert_eq!(broken.celsius(), None);
    }

    /// An OpenWrt 23.05 Filogic (MT7986) router: the SoC's thermal zone, its hwmon mirror,
    /// and the Wi-Fi chip's hwmon channel; plus a zone whose driver fails to read and two
    /// zones of the same type.
    #[test]
    fn zones_and_hwmon_channels() {
        let sys = tempfile::tempdir().unwrap();
        let root = sys.path();
        write(root, "class/thermal/thermal_zone0/type", "cpu-thermal\n");
        write(root, "class/thermal/thermal_zone0/temp", "52300\n");
        write(root, "class/thermal/thermal_zone0/mode", "enabled\n");
        write(root, "class/thermal/cooling_device0/type", "pwm-fan\n");
        write(root, "class/hwmon/hwmon0/name", "cpu_thermal\n");
        write(root, "class/hwmon/hwmon0/temp1_input", "52300\n");
        write(root, "class/hwmon/hwmon1/name", "mt7915_phy0\n");
        write(root, "class/hwmon/hwmon1/temp1_input", "47000\n");
        write(root, "class/hwmon/hwmon1/temp1_max", "120000\n");
        write(root, "class/hwmon/hwmon10/name", "nvme\n");
        write(root, "class/hwmon/hwmon10/temp1_input", "38850\n");
        write(root, "class/hwmon/hwmon10/temp1_label", "Composite\n");
        write(root, "class/thermal/thermal_zone1/type", "ddr-thermal\n");
        write(root, "class/thermal/thermal_zone1/temp", "");
        write(root, "class/thermal/thermal_zone2/type", "ddr-thermal\n");
        write(root, "class/thermal/thermal_zone2/temp", "-5200\n");
        let sensors = read_sensors(root);
        let found: Vec<(&str, Option<i64>)> = sensors
            .iter()
            .map(|sensor| (sensor.name.as_str(), sensor.celsius()))
            .collect();
        assert_eq!(
            found,
            [
                ("cpu-thermal", Some(52)),
                ("ddr-thermal (thermal_zone1)", None),
                ("ddr-thermal (thermal_zone2)", Some(-5)),
                ("mt7915_phy0 temp1", Some(47)),
                ("nvme Composite", Some(39)),
            ]
        );
    }

    #[test]
    fn no_sysfs_no_sensors() {
        assert_eq!(read_sensors(Path::new("/nonexistent")), []);
    }
}
