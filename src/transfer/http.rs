//! HTTP(S) to file servers: GET a file into a file (streamed, never held in memory), PUT (or
//! POST) a body. Basic and Digest authentication as for the ACS (`net::acs_client`), TLS
//! with the ACS's trust settings. Every failure maps to its transfer fault (A.5.1).

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use digest_auth::{AuthContext, HttpMethod};

use super::model::TransferFault;
use crate::cwmp::fault::FaultCode;
use crate::net::acs_client::{self, Auth, USER_AGENT};
use crate::net::http1::{self, HttpUrl, Request, ResponseHead, UrlError};
use crate::net::tls::{self, TlsFiles};

/// Redirects followed per transfer.
const MAX_REDIRECTS: u32 = 5;
/// How much of an error or redirect body is read (to keep the connection reusable).
const MAX_DRAINED_BODY: usize = 64 * 1024;

/// A file server and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileServer {
    pub url: String,
    pub username: String,
    pub password: String,
    pub tls: TlsFiles,
    /// Connecting, and the longest silence while a body is read.
    pub timeout: Duration,
}

/// Faults of one direction: downloads have their own codes; every upload failure but
/// authentication is 9011.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Download,
    Upload,
}

impl Direction {
    fn fault(self, download_code: FaultCode, detail: impl Into<String>) -> TransferFault {
        let code = match (self, download_code) {
            (_, FaultCode::FileTransferServerAuthenticationFailure) => download_code,
            (Direction::Upload, _) => FaultCode::UploadFailure,
            (Direction::Download, code) => code,
        };
        TransferFault::new(code, detail)
    }

    /// The fault of a failed exchange: no contact (9015), or contact lost (9017).
    fn http_fault(self, error: &http1::Error) -> TransferFault {
        let code = match error {
            http1::Error::Dns(_)
            | http1::Error::Connect(_)
            | http1::Error::Tls(_)
            | http1::Error::ConnectTimeout
            | http1::Error::Request(_) => FaultCode::DownloadFailureUnableToContactFileServer,
            http1::Error::Timeout
            | http1::Error::Io(_)
            | http1::Error::Closed
            | http1::Error::Malformed(_)
            | http1::Error::BodyTooLarge(_) => FaultCode::DownloadFailureUnableToCompleteDownload,
        };
        self.fault(code, format!("file server: {error}"))
    }
}

/// One transfer's HTTP side: the request, answering one authentication challenge when
/// credentials were given, and following up to five redirects.
struct Client {
    http: http1::Client,
    /// The URL the credentials were given for.
    configured_url: HttpUrl,
    username: String,
    password: String,
    direction: Direction,
}

impl Client {
    fn new(server: &FileServer, direction: Direction) -> Result<Client, TransferFault> {
        let url = HttpUrl::parse(server.url.trim()).map_err(|e| match e {
            UrlError::Scheme(scheme) => {
                TransferFault::new(FaultCode::UnsupportedProtocolForFileTransfer, scheme)
            }
            UrlError::Invalid(_) => {
                direction.fault(FaultCode::DownloadFailureUnableToAccessFile, e.to_string())
            }
        })?;
        let setup = |e: tls::TlsSetupError| direction.fault(FaultCode::DownloadFailure, e.0);
        let tls_config = tls::client_config(&server.tls).map_err(setup)?;
        Ok(Client {
            http: http1::Client::new(Arc::new(tls_config), server.timeout),
            configured_url: url,
            username: server.username.clone(),
            password: server.password.clone(),
            direction,
        })
    }

    /// Sends the request; the response body is then read from `self.http`.
    async fn send(&mut self, method: &str, body: &[u8]) -> Result<ResponseHead, TransferFault> {
        let mut url = self.configured_url.clone();
        let mut auth: Option<Auth> = None;
        let mut redirects = 0;
        loop {
            let head = self.attempt(method, &url, body, auth.as_mut()).await?;
            if head.status == 401 {
                self.http.discard_body(MAX_DRAINED_BODY).await;
                auth = Some(self.answer_challenge(&head, &url, auth.is_some())?);
                continue;
            }
            let Some(location) = redirect_location(&head, method) else {
                return Ok(head);
            };
            self.http.discard_body(MAX_DRAINED_BODY).await;
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(self.direction.fault(
                    FaultCode::DownloadFailureUnableToCompleteDownload,
                    format!("more than {MAX_REDIRECTS} redirects"),
                ));
            }
            url = url.join(location).map_err(|e| {
                self.direction.fault(
                    FaultCode::DownloadFailureUnableToAccessFile,
                    format!("redirect to {location:?}: {e}"),
                )
            })?;
        }
    }

    fn answer_challenge(
        &self,
        head: &ResponseHead,
        url: &HttpUrl,
        answered: bool,
    ) -> Result<Auth, TransferFault> {
        // Credentials go only to the host they were given for, never down from https.
        let downgraded = self.configured_url.is_https() && !url.is_https();
        let may_send = url.host() == self.configured_url.host() && !downgraded;
        if answered || self.username.is_empty() || !may_send {
            return Err(TransferFault::new(
                FaultCode::FileTransferServerAuthenticationFailure,
                "HTTP 401",
            ));
        }
        acs_client::choose_challenge(&acs_client::challenges_of(head)).ok_or_else(|| {
            TransferFault::new(
                FaultCode::FileTransferServerAuthenticationFailure,
                "no usable authentication scheme",
            )
        })
    }

    async fn attempt(
        &mut self,
        method: &str,
        url: &HttpUrl,
        body: &[u8],
        auth: Option<&mut Auth>,
    ) -> Result<ResponseHead, TransferFault> {
        let authorization = match auth {
            Some(Auth::Basic) => Some(http1::basic_credentials(&self.username, &self.password)),
            Some(Auth::Digest(prompt)) => {
                let context = AuthContext::new_with_method(
                    self.username.as_str(),
                    self.password.as_str(),
                    url.target(),
                    None::<&[u8]>,
                    HttpMethod(method.to_string().into()),
                );
                prompt
                    .respond(&context)
                    .ok()
                    .map(|header| header.to_string())
            }
            None => None,
        };
        let mut headers: Vec<(&str, &str)> = vec![("User-Agent", USER_AGENT)];
        if method != "GET" {
            headers.push(("Content-Type", "application/octet-stream"));
        }
        if let Some(value) = &authorization {
            headers.push(("Authorization", value));
        }
        let request = Request {
            method,
            url,
            headers: &headers,
            body,
        };
        let direction = self.direction;
        self.http
            .send(&request)
            .await
            .map_err(|e| direction.http_fault(&e))
    }
}

/// Where a redirect leads, if this status is one we follow for this method: every kind for
/// a download; for an upload the ones that keep the method and body (301, 302 and 308 as
/// curl does, 307).
fn redirect_location<'a>(head: &'a ResponseHead, method: &str) -> Option<&'a str> {
    let follow = match head.status {
        301 | 302 | 307 | 308 => true,
        303 => method == "GET",
        _ => false,
    };
    follow.then(|| head.header("location")).flatten()
}

/// How much may be written: the FileSize the ACS announced (0 = unknown) and the free space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimits {
    pub file_size: u64,
    pub free_space: u64,
}

impl SizeLimits {
    /// Before any byte is written: the announced sizes must agree and fit.
    fn check_announced(&self, content_length: Option<u64>) -> Result<(), TransferFault> {
        if let Some(length) = content_length {
            if self.file_size > 0 && length != self.file_size {
                return Err(size_mismatch(length, self.file_size));
            }
        }
        let needed = content_length.unwrap_or(self.file_size);
        if needed > self.free_space {
            return Err(no_space(needed, self.free_space));
        }
        Ok(())
    }
}

fn size_mismatch(actual: u64, announced: u64) -> TransferFault {
    TransferFault::new(
        FaultCode::DownloadFailureFileCorrupted,
        format!("the file has {actual} bytes, FileSize says {announced}"),
    )
}

fn no_space(needed: u64, free: u64) -> TransferFault {
    TransferFault::new(
        FaultCode::DownloadFailure,
        format!("not enough free space: {needed} bytes needed, {free} available"),
    )
}

/// The free bytes of the file system holding `dir`.
pub fn free_space(dir: &Path) -> std::io::Result<u64> {
    let stat = nix::sys::statvfs::statvfs(dir).map_err(std::io::Error::from)?;
    Ok((stat.blocks_available() as u64).saturating_mul(stat.fragment_size() as u64))
}

/// GET the file into `dest` (written as `dest.part`, renamed when whole and the right
/// size). Returns the size.
pub async fn download(
    server: &FileServer,
    dest: &Path,
    limits: SizeLimits,
) -> Result<u64, TransferFault> {
    let mut client = Client::new(server, Direction::Download)?;
    let head = client.send("GET", &[]).await?;
    if !(200..300).contains(&head.status) {
        return Err(TransferFault::new(
            FaultCode::DownloadFailureUnableToAccessFile,
            format!("HTTP {}", head.status),
        ));
    }
    limits.check_announced(client.http.body_length())?;
    let part = dest.with_extension("part");
    let result = stream_to_file(&mut client.http, &part, limits).await;
    let size = match result {
        Ok(size) => size,
        Err(fault) => {
            let _ = fs::remove_file(&part);
            return Err(fault);
        }
    };
    fs::rename(&part, dest).map_err(|e| write_fault(dest, &e))?;
    Ok(size)
}

async fn stream_to_file(
    http: &mut http1::Client,
    part: &Path,
    limits: SizeLimits,
) -> Result<u64, TransferFault> {
    let mut file = File::create(part).map_err(|e| write_fault(part, &e))?;
    let mut written: u64 = 0;
    loop {
        let chunk = http.body_chunk().await.map_err(|e| {
            TransferFault::new(
                FaultCode::DownloadFailureUnableToCompleteDownload,
                format!("file server: {e}"),
            )
        })?;
        let Some(chunk) = chunk else { break };
        written += chunk.len() as u64;
        if written > limits.free_space {
            return Err(no_space(written, limits.free_space));
        }
        if limits.file_size > 0 && written > limits.file_size {
            return Err(size_mismatch(written, limits.file_size));
        }
        // The download directory is tmpfs (RAM): a write is a memory copy, not disk I/O.
        file.write_all(chunk).map_err(|e| write_fault(part, &e))?;
    }
    if limits.file_size > 0 && written != limits.file_size {
        return Err(size_mismatch(written, limits.file_size));
    }
    file.sync_all().map_err(|e| write_fault(part, &e))?;
    Ok(written)
}

fn write_fault(path: &Path, error: &std::io::Error) -> TransferFault {
    TransferFault::new(
        FaultCode::DownloadFailure,
        format!("{}: {error}", path.display()),
    )
}

/// PUT `body` to the server; a server that does not allow PUT (405, 501) gets a POST.
pub async fn upload(server: &FileServer, body: &[u8]) -> Result<(), TransferFault> {
    let mut client = Client::new(server, Direction::Upload)?;
    let mut head = client.send("PUT", body).await?;
    if matches!(head.status, 405 | 501) {
        client.http.discard_body(MAX_DRAINED_BODY).await;
        head = client.send("POST", body).await?;
    }
    if (200..300).contains(&head.status) {
        return Ok(());
    }
    Err(TransferFault::new(
        FaultCode::UploadFailure,
        format!("HTTP {}", head.status),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_sizes_are_checked_before_writing() {
        let limits = SizeLimits {
            file_size: 100,
            free_space: 1000,
        };
        assert!(limits.check_announced(Some(100)).is_ok());
        assert!(limits.check_announced(None).is_ok());
        assert_eq!(
            limits.check_announced(Some(99)).unwrap_err().code,
            FaultCode::DownloadFailureFileCorrupted
        );
        let small = SizeLimits {
            file_size: 0,
            free_space: 10,
        };
        let fault = small.check_announced(Some(11)).unwrap_err();
        assert_eq!(fault.code, FaultCode::DownloadFailure);
        assert_eq!(
            fault.fault_string(),
            "Download failure: not enough free space: 11 bytes needed, 10 available"
        );
    }

    #[test]
    fn upload_faults_are_9011_except_authentication() {
        let d = Direction::Upload;
        assert_eq!(
            d.fault(FaultCode::DownloadFailureUnableToContactFileServer, "x")
                .code,
            FaultCode::UploadFailure
        );
        assert_eq!(
            d.fault(FaultCode::FileTransferServerAuthenticationFailure, "x")
                .code,
            FaultCode::FileTransferServerAuthenticationFailure
        );
    }

    #[test]
    fn free_space_of_the_temp_dir_is_known() {
        assert!(free_space(&std::env::temp_dir()).unwrap() > 0);
    }
}
