use super::*;

const T0: i64 = 1_795_541_400_000; // 2026-11-24T17:30:00Z

fn download() -> Transfer {
    Transfer {
        id: 1,
        origin: Origin::Download,
        command_key: "fw-1".into(),
        file_type: "1 Firmware Upgrade Image".into(),
        url: "https://files.example/fw.bin".into(),
        username: String::new(),
        password: String::new(),
        file_size: 0,
        target_file_name: String::new(),
        not_before_ms: T0 + 5_000,
        windows: Vec::new(),
        window_attempts: 0,
        window_index: 0,
        interruptions: 0,
        phase: Phase::Queued,
    }
}

fn window(start_s: i64, end_s: i64, mode: WindowMode, max_retries: i32) -> Window {
    Window {
        start_ms: T0 + start_s * 1000,
        end_ms: T0 + end_s * 1000,
        mode,
        user_message: String::new(),
        max_retries,
    }
}

#[test]
fn download_waits_for_its_delay_then_completes_with_both_times() {
    let mut t = download();
    assert!(!t.is_due(T0));
    assert_eq!(t.next_wake(T0), Some(T0 + 5_000));
    assert!(t.is_due(T0 + 5_000));
    t.start(T0 + 5_000);
    assert_eq!(t.transfer_state(), 2);
    t.succeed(T0 + 65_000);
    assert_eq!(t.transfer_state(), 3);
    let tc = t.transfer_complete().unwrap();
    assert_eq!(tc.command_key, "fw-1");
    assert_eq!(tc.fault_struct, FaultStruct::default());
    assert_eq!(tc.start_time, "2026-11-24T17:30:05Z");
    assert_eq!(tc.complete_time, "2026-11-24T17:31:05Z");
}

#[test]
fn a_failed_download_reports_its_fault() {
    let mut t = download();
    t.start(T0 + 5_000);
    t.fail(
        T0 + 6_000,
        &TransferFault::new(
            FaultCode::DownloadFailureFileCorrupted,
            "size 10, expected 12",
        ),
    );
    let tc = t.transfer_complete().unwrap();
    assert_eq!(tc.fault_struct.fault_code, 9018);
    assert_eq!(
        tc.fault_struct.fault_string,
        "Download failure: file corrupted: size 10, expected 12"
    );
}

#[test]
fn firmware_completes_at_the_boot_after_it_was_applied() {
    let mut t = download();
    t.start(T0 + 5_000);
    t.apply(T0 + 20_000);
    assert_eq!(t.transfer_state(), 2);
    assert!(t.transfer_complete().is_none());
    t.recover(true, T0 + 90_000);
    let tc = t.transfer_complete().unwrap();
    assert_eq!(tc.fault_struct.fault_code, 0);
    assert_eq!(tc.start_time, "2026-11-24T17:30:05Z");
    assert_eq!(tc.complete_time, "2026-11-24T17:31:30Z");
}

#[test]
fn a_restart_without_boot_starts_the_transfer_over_and_gives_up_eventually() {
    let mut t = download();
    for _ in 0..MAX_INTERRUPTIONS {
        t.start(T0 + 5_000);
        t.recover(false, T0 + 6_000);
        assert_eq!(t.phase, Phase::Queued);
        t.start(T0 + 7_000);
        t.apply(T0 + 8_000);
        t.recover(false, T0 + 9_000);
        if t.is_completed() {
            break;
        }
    }
    let tc = t.transfer_complete().unwrap();
    assert_eq!(tc.fault_struct.fault_code, 9010);
}

#[test]
fn schedule_download_waits_for_its_window_and_expires_after_it() {
    let mut t = download();
    t.origin = Origin::ScheduleDownload;
    t.not_before_ms = T0;
    t.windows = vec![window(60, 120, WindowMode::AtAnyTime, 0)];
    assert!(!t.is_due(T0));
    assert_eq!(t.next_wake(T0), Some(T0 + 60_000));
    assert!(t.is_due(T0 + 60_000));
    assert_eq!(t.next_wake(T0 + 60_000), Some(T0 + 120_000));
    assert!(!t.is_expired(T0 + 119_999));
    assert!(t.is_expired(T0 + 120_000));
    t.expire(T0 + 120_000);
    let tc = t.transfer_complete().unwrap();
    assert_eq!(tc.fault_struct.fault_code, 9020);
    assert_eq!(tc.start_time, UNKNOWN_TIME);
}

#[test]
fn max_retries_counts_attempts_per_window() {
    let mut t = download();
    t.origin = Origin::ScheduleDownload;
    t.not_before_ms = T0;
    t.windows = vec![window(0, 3600, WindowMode::Immediately, 1)];
    let fault = TransferFault::new(FaultCode::DownloadFailureUnableToContactFileServer, "");
    t.start(T0);
    t.fail(T0 + 1_000, &fault);
    assert_eq!(t.phase, Phase::Queued, "one retry allowed");
    assert_eq!(t.not_before_ms, T0 + 1_000 + RETRY_DELAY_MS);
    t.start(t.not_before_ms);
    t.fail(T0 + 40_000, &fault);
    assert_eq!(t.transfer_complete().unwrap().fault_struct.fault_code, 9015);
}

#[test]
fn confirmation_windows_are_never_used() {
    let mut t = download();
    t.origin = Origin::ScheduleDownload;
    t.windows = vec![window(0, 60, WindowMode::ConfirmationNeeded, -1)];
    t.not_before_ms = T0;
    assert!(!t.is_due(T0 + 1_000));
    assert!(t.is_expired(T0 + 1_000));
}

#[test]
fn window_modes_parse_exactly() {
    assert_eq!(
        WindowMode::parse("2 Immediately"),
        Some(WindowMode::Immediately)
    );
    assert_eq!(WindowMode::parse("5 Whenever"), None);
    assert_eq!(Origin::ScheduleDownload.event_code(), "M ScheduleDownload");
}
