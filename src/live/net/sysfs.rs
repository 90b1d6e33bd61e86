//! Per-link facts netlink does not carry, from `/sys/class/net/NAME/`: the negotiated speed
//! and duplex (what `ethtool NAME` shows, read by the kernel from the driver) and whether
//! the link is Wi-Fi.

use std::path::Path;

use super::Link;

/// Where the kernel lists network devices. Not under `--root`: netlink reads the real
/// kernel, so its sysfs must be the real one too.
pub(super) const SYS_CLASS_NET: &str = "/sys/class/net";

/// Fill `speed_mbps`, `full_duplex` and `wireless` of `link` from `dir/NAME/`. Unreadable
/// files (a link that is down reports no speed) leave the values unknown.
pub(super) fn fill(dir: &Path, link: &mut Link) {
    let base = dir.join(&link.name);
    let read = |file: &str| std::fs::read_to_string(base.join(file)).ok();
    // `speed` is -1 (SPEED_UNKNOWN) when the driver does not know.
    link.speed_mbps = read("speed")
        .and_then(|text| text.trim().parse::<i64>().ok())
        .and_then(|speed| u32::try_from(speed).ok())
        .filter(|speed| *speed > 0 && *speed != u32::MAX);
    link.full_duplex = match read("duplex").as_deref().map(str::trim) {
        Some("full") => Some(true),
        Some("half") => Some(false),
        _ => None,
    };
    link.wireless = base.join("phy80211").exists() || base.join("wireless").exists();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_duplex_and_wireless_come_from_the_link_directory() {
        let dir = tempfile::tempdir().unwrap();
        let port = dir.path().join("lan1");
        std::fs::create_dir_all(&port).unwrap();
        std::fs::write(port.join("speed"), "1000\n").unwrap();
        std::fs::write(port.join("duplex"), "full\n").unwrap();
        let radio = dir.path().join("wlan0");
        std::fs::create_dir_all(radio.join("phy80211")).unwrap();
        std::fs::write(radio.join("speed"), "-1\n").unwrap();
        std::fs::write(radio.join("duplex"), "unknown\n").unwrap();

        let mut lan1 = Link {
            name: "lan1".into(),
            ..Link::default()
        };
        fill(dir.path(), &mut lan1);
        assert_eq!(
            (lan1.speed_mbps, lan1.full_duplex, lan1.wireless),
            (Some(1000), Some(true), false)
        );

        let mut wlan0 = Link {
            name: "wlan0".into(),
            ..Link::default()
        };
        fill(dir.path(), &mut wlan0);
        assert_eq!(
            (wlan0.speed_mbps, wlan0.full_duplex, wlan0.wireless),
            (None, None, true)
        );

        let mut gone = Link {
            name: "eth9".into(),
            speed_mbps: Some(10),
            ..Link::default()
        };
        fill(dir.path(), &mut gone);
        assert_eq!(
            (gone.speed_mbps, gone.full_duplex, gone.wireless),
            (None, None, false)
        );
    }
}
