//! When to start sessions: the retry back-off of TR-069 §3.2.1.1 and the periodic inform
//! schedule of PeriodicInformInterval/PeriodicInformTime. Pure functions of their arguments.

/// ManagementServer.CWMPRetryMinimumWaitInterval's default (seconds), TR-069 §3.2.1.1.
pub const DEFAULT_MIN_WAIT: u32 = 5;
/// ManagementServer.CWMPRetryIntervalMultiplier's default (thousandths), TR-069 §3.2.1.1.
pub const DEFAULT_MULTIPLIER: u32 = 2000;
/// The retry count after which the interval stops growing (§3.2.1.1: "10 and subsequent").
pub const MAX_GROWTH_COUNT: u32 = 10;

/// The wait before retry number `retry_count` (1 = the first retry after a failed session), as
/// the interval `[m·(k/1000)^(n-1), m·(k/1000)^n]` seconds with n = min(retry_count, 10).
pub fn retry_window(retry_count: u32, min_wait: u32, multiplier: u32) -> (f64, f64) {
    let n = retry_count.clamp(1, MAX_GROWTH_COUNT) as i32;
    let m = f64::from(min_wait.max(1));
    let k = f64::from(multiplier.max(1000)) / 1000.0;
    (m * k.powi(n - 1), m * k.powi(n))
}

/// The wait in milliseconds for `retry_count`, placed in its window by `random` in [0, 1).
pub fn retry_wait_ms(retry_count: u32, min_wait: u32, multiplier: u32, random: f64) -> u64 {
    let (low, high) = retry_window(retry_count, min_wait, multiplier);
    let random = random.clamp(0.0, 1.0);
    ((low + (high - low) * random) * 1000.0).round() as u64
}

/// The next periodic inform strictly after `now` (Unix seconds).
///
/// PeriodicInformTime fixes the phase: informs happen at `phase + j·interval` for integer j
/// (TR-181 ManagementServer.PeriodicInformTime). Without a phase (unset or the unknown time),
/// the CPE counts the interval from `anchor` — the start of the agent or the last session.
pub fn next_periodic_inform(now: i64, interval: u32, phase: Option<i64>, anchor: i64) -> i64 {
    let interval = i64::from(interval.max(1));
    let base = phase.unwrap_or(anchor);
    let elapsed = now - base;
    let periods = elapsed.div_euclid(interval) + 1;
    base + periods * interval
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TR-069 §3.2.1.1, Table 3: the session retry wait intervals for the default values of
    /// CWMPRetryMinimumWaitInterval (5) and CWMPRetryIntervalMultiplier (2000).
    const SPEC_TABLE: &[(u32, f64, f64)] = &[
        (1, 5.0, 10.0),
        (2, 10.0, 20.0),
        (3, 20.0, 40.0),
        (4, 40.0, 80.0),
        (5, 80.0, 160.0),
        (6, 160.0, 320.0),
        (7, 320.0, 640.0),
        (8, 640.0, 1280.0),
        (9, 1280.0, 2560.0),
        (10, 2560.0, 5120.0),
        (11, 2560.0, 5120.0),
        (50, 2560.0, 5120.0),
    ];

    #[test]
    fn windows_match_the_spec_table() {
        for &(count, low, high) in SPEC_TABLE {
            assert_eq!(
                retry_window(count, DEFAULT_MIN_WAIT, DEFAULT_MULTIPLIER),
                (low, high),
                "retry count {count}"
            );
        }
    }

    #[test]
    fn waits_stay_inside_the_window() {
        for &(count, low, high) in SPEC_TABLE {
            assert_eq!(retry_wait_ms(count, 5, 2000, 0.0), (low * 1000.0) as u64);
            assert_eq!(retry_wait_ms(count, 5, 2000, 1.0), (high * 1000.0) as u64);
            let mid = retry_wait_ms(count, 5, 2000, 0.5);
            assert_eq!(mid, ((low + high) / 2.0 * 1000.0) as u64);
        }
    }

    #[test]
    fn other_parameters_scale_the_window() {
        assert_eq!(retry_window(1, 30, 1500), (30.0, 45.0));
        assert_eq!(retry_window(3, 30, 1500), (67.5, 101.25));
        assert_eq!(retry_window(1, 10, 1000), (10.0, 10.0));
        assert_eq!(retry_window(0, 5, 2000), (5.0, 10.0));
    }

    #[test]
    fn periodic_follows_the_phase() {
        // Phase at midnight, hourly: from 17:30:00 the next inform is 18:00:00.
        let midnight = 1_795_478_400; // 2026-11-24T00:00:00Z
        let now = midnight + 17 * 3600 + 1800;
        assert_eq!(
            next_periodic_inform(now, 3600, Some(midnight), 0),
            midnight + 18 * 3600
        );
        // Exactly on a boundary: strictly after now.
        assert_eq!(
            next_periodic_inform(midnight + 3600, 3600, Some(midnight), 0),
            midnight + 7200
        );
        // A phase in the future still defines the grid.
        assert_eq!(
            next_periodic_inform(midnight, 3600, Some(midnight + 86_400 + 600), 0),
            midnight + 600
        );
    }

    #[test]
    fn periodic_without_phase_counts_from_the_anchor() {
        assert_eq!(next_periodic_inform(1000, 300, None, 900), 1200);
        assert_eq!(next_periodic_inform(900, 300, None, 900), 1200);
    }
}
