//! HTTP(S) to file servers: GET a file into a file (streamed, never held in memory), PUT (or
//! POST) a body. Basic and Digest authentication as for the ACS (`net::acs_client`), TLS
//! with the ACS's trust settings. Every failure maps to its transfer fault (A.5.1).

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use digest_auth::{AuthContext, HttpMethod};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Response, StatusCode, Url};

use super::model::TransferFault;
use crate::cwmp::fault::FaultCode;
use crate::net::acs_client::{self, AcsError, Auth};
use crate::net::tls::{self, TlsFiles};

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
}

struct Client {
    client: reqwest::Client,
    url: Url,
    username: String,
    password: String,
    direction: Direction,
}

impl Client {
    fn new(server: &FileServer, direction: Direction) -> Result<Client, TransferFault> {
        let url = Url::parse(server.url.trim()).map_err(|e| {
            direction.fault(FaultCode::DownloadFailureUnableToAccessFile, e.to_string())
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(TransferFault::new(
                FaultCode::UnsupportedProtocolForFileTransfer,
                url.scheme(),
            ));
        }
        let setup = |e: tls::TlsSetupError| direction.fault(FaultCode::DownloadFailure, e.0);
        let tls_config = tls::client_config(&server.tls).map_err(setup)?;
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls_config)
            .redirect(reqwest::redirect::Policy::limited(5))
            .http1_only()
            .connect_timeout(server.timeout)
            .read_timeout(server.timeout)
            .no_proxy()
            .user_agent(concat!("cwmpd/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| direction.fault(FaultCode::DownloadFailure, e.to_string()))?;
        Ok(Client {
            client,
            url,
            username: server.username.clone(),
            password: server.password.clone(),
            direction,
        })
    }

    /// Send, answering one authentication challenge when credentials were given.
    async fn send(&self, method: Method, body: &[u8]) -> Result<Response, TransferFault> {
        let mut auth: Option<Auth> = None;
        loop {
            let response = self.attempt(&method, body, auth.as_mut()).await?;
            if response.status() != StatusCode::UNAUTHORIZED {
                return Ok(response);
            }
            let challenges = acs_client::challenges_of(response.headers());
            if auth.is_some() || self.username.is_empty() {
                return Err(TransferFault::new(
                    FaultCode::FileTransferServerAuthenticationFailure,
                    "HTTP 401",
                ));
            }
            auth = Some(acs_client::choose_challenge(&challenges).ok_or_else(|| {
                TransferFault::new(
                    FaultCode::FileTransferServerAuthenticationFailure,
                    "no usable authentication scheme",
                )
            })?);
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        body: &[u8],
        auth: Option<&mut Auth>,
    ) -> Result<Response, TransferFault> {
        let mut request = self.client.request(method.clone(), self.url.clone());
        match auth {
            Some(Auth::Basic) => request = request.basic_auth(&self.username, Some(&self.password)),
            Some(Auth::Digest(prompt)) => {
                let context = AuthContext::new_with_method(
                    self.username.as_str(),
                    self.password.as_str(),
                    acs_client::request_target(&self.url),
                    None::<&[u8]>,
                    HttpMethod(method.as_str().to_string().into()),
                );
                if let Ok(header) = prompt.respond(&context) {
                    request = request.header(AUTHORIZATION, header.to_string());
                }
            }
            None => {}
        }
        if *method != Method::GET {
            request = request
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(body.to_vec());
        }
        request.send().await.map_err(|e| self.send_fault(&e))
    }

    fn send_fault(&self, error: &reqwest::Error) -> TransferFault {
        let detail = acs_client::classify(error)
            .to_string()
            .replace("the ACS", "the file server");
        match acs_client::classify(error) {
            AcsError::Timeout if error.is_connect() => self
                .direction
                .fault(FaultCode::DownloadFailureUnableToContactFileServer, detail),
            AcsError::Timeout | AcsError::Other(_) => self
                .direction
                .fault(FaultCode::DownloadFailureUnableToCompleteDownload, detail),
            _ => self
                .direction
                .fault(FaultCode::DownloadFailureUnableToContactFileServer, detail),
        }
    }
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
    let client = Client::new(server, Direction::Download)?;
    let response = client.send(Method::GET, &[]).await?;
    let status = response.status();
    if !status.is_success() {
        return Err(TransferFault::new(
            FaultCode::DownloadFailureUnableToAccessFile,
            format!("HTTP {}", status.as_u16()),
        ));
    }
    limits.check_announced(response.content_length())?;
    let part = dest.with_extension("part");
    let result = stream_to_file(response, &part, limits).await;
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
    mut response: Response,
    part: &Path,
    limits: SizeLimits,
) -> Result<u64, TransferFault> {
    let mut file = File::create(part).map_err(|e| write_fault(part, &e))?;
    let mut written: u64 = 0;
    loop {
        let chunk = response.chunk().await.map_err(|e| {
            TransferFault::new(
                FaultCode::DownloadFailureUnableToCompleteDownload,
                acs_client::classify(&e)
                    .to_string()
                    .replace("the ACS", "the file server"),
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
        file.write_all(&chunk).map_err(|e| write_fault(part, &e))?;
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
    let client = Client::new(server, Direction::Upload)?;
    let mut response = client.send(Method::PUT, body).await?;
    if matches!(response.status().as_u16(), 405 | 501) {
        response = client.send(Method::POST, body).await?;
    }
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    Err(TransferFault::new(
        FaultCode::UploadFailure,
        format!("HTTP {}", status.as_u16()),
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
