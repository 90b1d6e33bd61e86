//! From an ACS request to a queued [`Transfer`]: the checks answered at once with a SOAP
//! fault, before the transfer is accepted (TR-069 A.3.2.8, A.4.1.5, A.4.1.8).

use super::model::{Origin, Phase, Transfer, Window, WindowMode};
use crate::cwmp::fault::{Fault, FaultCode};
use crate::cwmp::rpc::{Download, ScheduleDownload, Upload};
use crate::cwmp::types::TimeWindowStruct;

pub const FIRMWARE: &str = "1 Firmware Upgrade Image";
pub const WEB_CONTENT: &str = "2 Web Content";
pub const VENDOR_CONFIG: &str = "3 Vendor Configuration File";
pub const UPLOAD_CONFIG: &str = "1 Vendor Configuration File";
pub const UPLOAD_LOG: &str = "2 Vendor Log File";

/// What a downloaded file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadKind {
    Firmware,
    WebContent,
    VendorConfig,
}

/// What an upload sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    VendorConfig,
    VendorLog,
}

/// CWMP 1.4 lets upload types carry an instance number ("1 Vendor Configuration File 2");
/// this CPE has one of each.
fn base_type<'a>(file_type: &'a str, name: &str) -> Option<&'a str> {
    let rest = file_type.trim().strip_prefix(name)?;
    (rest.is_empty() || rest.trim().parse::<u32>() == Ok(1)).then_some(file_type)
}

pub fn download_kind(file_type: &str) -> Option<DownloadKind> {
    match file_type.trim() {
        FIRMWARE => Some(DownloadKind::Firmware),
        WEB_CONTENT => Some(DownloadKind::WebContent),
        t if base_type(t, VENDOR_CONFIG).is_some() => Some(DownloadKind::VendorConfig),
        _ => None,
    }
}

pub fn upload_kind(file_type: &str) -> Option<UploadKind> {
    if base_type(file_type, UPLOAD_CONFIG).is_some() {
        Some(UploadKind::VendorConfig)
    } else if base_type(file_type, UPLOAD_LOG).is_some() {
        Some(UploadKind::VendorLog)
    } else {
        None
    }
}

fn invalid(detail: &str) -> Fault {
    Fault::with_string(
        FaultCode::InvalidArguments,
        &format!("Invalid arguments: {detail}"),
    )
}

/// Only HTTP and HTTPS are supported (fault 9013 for file://, ftp:// and the rest).
pub fn check_url(url: &str) -> Result<(), Fault> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http" | "https") if url.len() > "https://".len() => Ok(()),
        Some("http" | "https") | None => Err(invalid(&format!("URL {url:?}"))),
        Some(other) => Err(Fault::with_string(
            FaultCode::UnsupportedProtocolForFileTransfer,
            &format!("Unsupported protocol for file transfer: {other}"),
        )),
    }
}

fn unsupported_file_type(file_type: &str) -> Fault {
    invalid(&format!("unsupported FileType {file_type:?}"))
}

/// The common fields of every transfer, queued.
fn queued(origin: Origin, command_key: &str, file_type: &str, url: &str) -> Transfer {
    Transfer {
        id: 0,
        origin,
        command_key: command_key.to_string(),
        file_type: file_type.trim().to_string(),
        url: url.trim().to_string(),
        username: String::new(),
        password: String::new(),
        file_size: 0,
        target_file_name: String::new(),
        not_before_ms: 0,
        windows: Vec::new(),
        window_attempts: 0,
        window_index: 0,
        interruptions: 0,
        phase: Phase::Queued,
    }
}

/// A relative number of seconds from now, under the test time scale.
fn after(now_ms: i64, seconds: u32, scale: f64) -> i64 {
    now_ms + (f64::from(seconds) * 1000.0 * scale) as i64
}

/// Download (A.3.2.8).
pub fn download(request: &Download, now_ms: i64, scale: f64) -> Result<Transfer, Fault> {
    check_url(&request.url)?;
    download_kind(&request.file_type).ok_or_else(|| unsupported_file_type(&request.file_type))?;
    let mut t = queued(
        Origin::Download,
        &request.command_key,
        &request.file_type,
        &request.url,
    );
    t.username = request.username.clone();
    t.password = request.password.clone();
    t.file_size = request.file_size;
    t.target_file_name = request.target_file_name.clone();
    t.not_before_ms = after(now_ms, request.delay_seconds, scale);
    Ok(t)
}

/// Upload (A.4.1.5).
pub fn upload(request: &Upload, now_ms: i64, scale: f64) -> Result<Transfer, Fault> {
    check_url(&request.url)?;
    upload_kind(&request.file_type).ok_or_else(|| unsupported_file_type(&request.file_type))?;
    let mut t = queued(
        Origin::Upload,
        &request.command_key,
        &request.file_type,
        &request.url,
    );
    t.username = request.username.clone();
    t.password = request.password.clone();
    t.not_before_ms = after(now_ms, request.delay_seconds, scale);
    Ok(t)
}

/// ScheduleDownload (A.4.1.8): one or two windows, each ending after it starts, the second
/// starting no earlier than the first ends.
pub fn schedule_download(
    request: &ScheduleDownload,
    now_ms: i64,
    scale: f64,
) -> Result<Transfer, Fault> {
    check_url(&request.url)?;
    download_kind(&request.file_type).ok_or_else(|| unsupported_file_type(&request.file_type))?;
    let windows = windows(&request.time_window_list, now_ms, scale)?;
    let mut t = queued(
        Origin::ScheduleDownload,
        &request.command_key,
        &request.file_type,
        &request.url,
    );
    t.username = request.username.clone();
    t.password = request.password.clone();
    t.file_size = request.file_size;
    t.target_file_name = request.target_file_name.clone();
    t.not_before_ms = now_ms;
    t.windows = windows;
    Ok(t)
}

fn windows(list: &[TimeWindowStruct], now_ms: i64, scale: f64) -> Result<Vec<Window>, Fault> {
    if list.is_empty() || list.len() > 2 {
        return Err(invalid("TimeWindowList needs one or two windows"));
    }
    let mut windows = Vec::with_capacity(list.len());
    let mut previous_end = 0;
    for window in list {
        if window.window_end <= window.window_start || window.window_start < previous_end {
            return Err(invalid("time windows must not be empty or overlap"));
        }
        previous_end = window.window_end;
        let mode = WindowMode::parse(&window.window_mode)
            .ok_or_else(|| invalid(&format!("WindowMode {:?}", window.window_mode)))?;
        if window.max_retries < -1 {
            return Err(invalid("MaxRetries below -1"));
        }
        windows.push(Window {
            start_ms: after(now_ms, window.window_start, scale),
            end_ms: after(now_ms, window.window_end, scale),
            mode,
            user_message: window.user_message.clone(),
            max_retries: window.max_retries,
        });
    }
    Ok(windows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault_code(result: Result<Transfer, Fault>) -> u32 {
        result.expect_err("a fault").fault_code
    }

    fn genieacs_download() -> Download {
        Download {
            command_key: "1a20e41ed480000".into(),
            file_type: FIRMWARE.into(),
            url: "http://127.0.0.1:7567/smoke-fw.bin".into(),
            file_size: 2000,
            ..Download::default()
        }
    }

    #[test]
    fn genieacs_download_with_empty_optional_fields_is_queued() {
        let t = download(&genieacs_download(), 1_000, 1.0).unwrap();
        assert_eq!(t.file_size, 2000);
        assert_eq!(t.not_before_ms, 1_000);
        assert_eq!(t.phase, Phase::Queued);
        assert_eq!(t.origin.event_code(), "M Download");
    }

    #[test]
    fn only_http_and_https_are_supported() {
        for url in [
            "file:///etc/passwd",
            "ftp://x/fw.bin",
            "tftp://x/y",
            "HTTPX://a/b",
        ] {
            let mut request = genieacs_download();
            request.url = url.into();
            assert_eq!(fault_code(download(&request, 0, 1.0)), 9013, "{url}");
        }
        let mut request = genieacs_download();
        request.url = "not a url".into();
        assert_eq!(fault_code(download(&request, 0, 1.0)), 9003);
        request.url = "HTTPS://files.example/fw".into();
        assert!(download(&request, 0, 1.0).is_ok());
    }

    #[test]
    fn file_types() {
        assert_eq!(download_kind(FIRMWARE), Some(DownloadKind::Firmware));
        assert_eq!(
            download_kind("3 Vendor Configuration File"),
            Some(DownloadKind::VendorConfig)
        );
        assert_eq!(download_kind("4 Tone File"), None);
        assert_eq!(
            upload_kind("1 Vendor Configuration File 1"),
            Some(UploadKind::VendorConfig)
        );
        assert_eq!(
            upload_kind("2 Vendor Log File"),
            Some(UploadKind::VendorLog)
        );
        assert_eq!(upload_kind("2 Vendor Log File 2"), None);
        let mut request = genieacs_download();
        request.file_type = "4 Tone File".into();
        assert_eq!(fault_code(download(&request, 0, 1.0)), 9003);
    }

    #[test]
    fn delays_and_windows_are_absolute_and_scaled() {
        let mut request = genieacs_download();
        request.delay_seconds = 30;
        assert_eq!(
            download(&request, 1_000, 0.01).unwrap().not_before_ms,
            1_300
        );
        let schedule = ScheduleDownload {
            command_key: "sd".into(),
            file_type: FIRMWARE.into(),
            url: "https://files.example/fw".into(),
            time_window_list: vec![
                TimeWindowStruct {
                    window_start: 10,
                    window_end: 20,
                    window_mode: "1 At Any Time".into(),
                    user_message: String::new(),
                    max_retries: -1,
                },
                TimeWindowStruct {
                    window_start: 20,
                    window_end: 40,
                    window_mode: "2 Immediately".into(),
                    user_message: String::new(),
                    max_retries: 2,
                },
            ],
            ..ScheduleDownload::default()
        };
        let t = schedule_download(&schedule, 0, 1.0).unwrap();
        let edges: Vec<(i64, i64)> = t.windows.iter().map(|w| (w.start_ms, w.end_ms)).collect();
        assert_eq!(edges, [(10_000, 20_000), (20_000, 40_000)]);

        let mut overlapping = schedule.clone();
        overlapping.time_window_list[1].window_start = 15;
        assert_eq!(fault_code(schedule_download(&overlapping, 0, 1.0)), 9003);
        let mut bad_mode = schedule.clone();
        bad_mode.time_window_list[0].window_mode = "9 Never".into();
        assert_eq!(fault_code(schedule_download(&bad_mode, 0, 1.0)), 9003);
        let mut none = schedule;
        none.time_window_list.clear();
        assert_eq!(fault_code(schedule_download(&none, 0, 1.0)), 9003);
    }
}
