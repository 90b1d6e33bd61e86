//! One transfer attempt end to end, at the edge: fetch or send over HTTP(S), check, and say
//! how to finish. Async on the agent's single-threaded runtime; the platform's slow programs
//! (image validation, backups, logread) run on tokio's blocking pool, never on the loop.

use std::fs;
use std::path::{Path, PathBuf};

use log::info;

use super::http::{self, FileServer, SizeLimits};
use super::model::{Transfer, TransferFault};
use super::request::{self, DownloadKind, UploadKind};
use crate::cwmp::fault::FaultCode;
use crate::platform::{self, Action, ImageCheck};

/// Everything an attempt needs, cloned out of the agent so no borrow spans an await.
#[derive(Debug, Clone)]
pub struct Job {
    pub transfer: Transfer,
    pub server: FileServer,
    /// The router's root (`/`, or the sandbox's DIR): the platform is built from it.
    pub root: PathBuf,
    /// tmpfs directory for downloads and uploads in the making.
    pub work_dir: PathBuf,
    /// Where "2 Web Content" goes.
    pub web_dir: PathBuf,
}

/// How the attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done, with or without a fault.
    Done(Result<(), TransferFault>),
    /// The file is whole and checked: persist the transfer as being applied, then take this
    /// action (sysupgrade, or a reboot after a configuration restore); the boot completes it.
    Apply(Action),
}

pub async fn run(job: Job) -> Outcome {
    info!(target: "cwmpd::transfer", "{} {:?} ({}) from/to {}", job.transfer.origin.event_code(), job.transfer.command_key, job.transfer.file_type, job.transfer.url);
    if let Err(err) = prepare_work_dir(&job.work_dir) {
        return Outcome::Done(Err(local_fault(&job, &err.to_string())));
    }
    if job.transfer.origin.is_download() {
        download(&job).await
    } else {
        Outcome::Done(upload(&job).await)
    }
}

fn local_fault(job: &Job, detail: &str) -> TransferFault {
    let code = if job.transfer.origin.is_download() {
        FaultCode::DownloadFailure
    } else {
        FaultCode::UploadFailure
    };
    TransferFault::new(code, detail)
}

/// One transfer at a time: whatever is in the work directory is a leftover.
fn prepare_work_dir(dir: &Path) -> std::io::Result<()> {
    clear_dir(dir)?;
    fs::create_dir_all(dir)
}

/// Remove the directory's contents (a crashed attempt's partial files).
pub fn clear_dir(dir: &Path) -> std::io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

/// Run a platform query on the blocking pool.
async fn platform_call<T: Send + 'static>(
    root: &Path,
    call: impl FnOnce(&dyn platform::Platform) -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    let root = root.to_path_buf();
    tokio::task::spawn_blocking(move || call(platform::for_root(&root).as_ref()))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?
}

async fn download(job: &Job) -> Outcome {
    let Some(kind) = request::download_kind(&job.transfer.file_type) else {
        return Outcome::Done(Err(local_fault(job, "unsupported FileType")));
    };
    let file = job
        .work_dir
        .join(format!("download-{}.bin", job.transfer.id));
    let limits = SizeLimits {
        file_size: u64::from(job.transfer.file_size),
        free_space: http::free_space(&job.work_dir).unwrap_or(0),
    };
    if let Err(fault) = http::download(&job.server, &file, limits).await {
        return Outcome::Done(Err(fault));
    }
    match kind {
        DownloadKind::Firmware => firmware(job, file).await,
        DownloadKind::VendorConfig => vendor_config(job, file).await,
        DownloadKind::WebContent => Outcome::Done(web_content(job, &file)),
    }
}

/// Validate through the platform (9018 with its reason when refused), then sysupgrade,
/// keeping the settings unless the image does not allow it.
async fn firmware(job: &Job, image: PathBuf) -> Outcome {
    let path = image.clone();
    let check = platform_call(&job.root, move |p| p.validate_firmware_image(&path)).await;
    match check {
        Ok(ImageCheck {
            valid: true,
            allow_backup,
            ..
        }) => {
            let mut args = Vec::new();
            if !allow_backup {
                args.push("-n".to_string());
            }
            args.push(image.to_string_lossy().into_owned());
            Outcome::Apply(Action::Sysupgrade { args })
        }
        Ok(refused) => {
            let _ = fs::remove_file(&image);
            Outcome::Done(Err(TransferFault::new(
                FaultCode::DownloadFailureFileCorrupted,
                refused.reason,
            )))
        }
        Err(err) => Outcome::Done(Err(local_fault(job, &format!("cannot validate: {err}")))),
    }
}

/// An OpenWrt backup archive: restored by the platform, applied by the reboot that follows.
async fn vendor_config(job: &Job, archive: PathBuf) -> Outcome {
    let path = archive.clone();
    let restored = platform_call(&job.root, move |p| p.restore_backup(&path)).await;
    let _ = fs::remove_file(&archive);
    match restored {
        Ok(()) => Outcome::Apply(Action::Reboot {
            reason: "configuration restored".into(),
        }),
        Err(err) => Outcome::Done(Err(TransferFault::new(
            FaultCode::DownloadFailureFileCorrupted,
            format!("not a usable configuration backup: {err}"),
        ))),
    }
}

/// The file name for web content: TargetFileName, else the URL's last segment; plain names
/// only (no directories, no dot files).
pub fn web_file_name(target_file_name: &str, url: &str) -> Option<String> {
    let candidate = match target_file_name.trim() {
        "" => url
            .split(['?', '#'])
            .next()?
            .rsplit('/')
            .next()?
            .to_string(),
        name => name.to_string(),
    };
    let plain = candidate
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    (plain && !candidate.starts_with('.') && (1..=64).contains(&candidate.len()))
        .then_some(candidate)
}

/// Copy into the web directory atomically (tmpfs and flash are different file systems).
fn web_content(job: &Job, file: &Path) -> Result<(), TransferFault> {
    let name = web_file_name(&job.transfer.target_file_name, &job.transfer.url)
        .ok_or_else(|| local_fault(job, "no usable TargetFileName"))?;
    let bytes = fs::read(file).map_err(|e| local_fault(job, &e.to_string()))?;
    let _ = fs::remove_file(file);
    crate::store::atomic_write_with_mode(&job.web_dir.join(name), &bytes, 0o644)
        .map_err(|e| local_fault(job, &e.to_string()))
}

async fn upload(job: &Job) -> Result<(), TransferFault> {
    let kind = request::upload_kind(&job.transfer.file_type)
        .ok_or_else(|| local_fault(job, "unsupported FileType"))?;
    let body = match kind {
        UploadKind::VendorConfig => {
            let archive = job
                .work_dir
                .join(format!("backup-{}.tar.gz", job.transfer.id));
            let path = archive.clone();
            platform_call(&job.root, move |p| p.create_backup(&path))
                .await
                .and_then(|()| fs::read(&archive))
                .map_err(|e| local_fault(job, &format!("cannot create the backup: {e}")))?
        }
        UploadKind::VendorLog => platform_call(&job.root, |p| p.read_log())
            .await
            .map_err(|e| local_fault(job, &format!("cannot read the log: {e}")))?,
    };
    let result = http::upload(&job.server, &body).await;
    let _ = clear_dir(&job.work_dir);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_content_names_are_plain() {
        assert_eq!(
            web_file_name("", "https://x/a/b/logo.png?v=2").as_deref(),
            Some("logo.png")
        );
        assert_eq!(
            web_file_name("index.html", "https://x/").as_deref(),
            Some("index.html")
        );
        assert_eq!(web_file_name("../etc/passwd", "https://x/a"), None);
        assert_eq!(web_file_name(".htaccess", "https://x/a"), None);
        assert_eq!(web_file_name("", "https://x/"), None);
    }
}
