//! rustls client configuration for talking to the ACS (and, later, file servers).
//!
//! Always the ring provider, built explicitly: aws-lc does not build for MIPS routers.
//! Trust = the configured CA file/dir plus the system store. Hostname verification stays on
//! (rustls' default WebPKI verifier).

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore};

/// Where the OpenWrt `ca-bundle` package (and Debian's `ca-certificates`) put the system bundle.
pub const DEFAULT_SYSTEM_CA_FILE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// Where OpenWrt's `ca-certificates` package puts one file per CA.
pub const DEFAULT_SYSTEM_CA_DIR: &str = "/etc/ssl/certs";

/// The certificate and key files of a TLS client; every path is a PEM file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Extra trusted CAs (ManagementServer's own CA), PEM bundle. Must exist if set.
    pub ca_file: Option<PathBuf>,
    /// A directory of extra trusted CAs (`*.pem`, `*.crt`). Must exist if set.
    pub ca_dir: Option<PathBuf>,
    /// Client certificate chain, leaf first (TR-069 §3.3 CPE authentication by certificate).
    pub client_cert: Option<PathBuf>,
    /// The key of `client_cert`: PKCS#8, PKCS#1 (RSA) or SEC1 (EC).
    pub client_key: Option<PathBuf>,
    /// The system bundle; a missing file is not an error (a router may have none).
    pub system_ca_file: Option<PathBuf>,
    /// The system CA directory, read only when `system_ca_file` does not exist (on OpenWrt
    /// and Debian both hold the same CAs, and parsing them twice on a router is waste).
    pub system_ca_dir: Option<PathBuf>,
}

impl Default for TlsFiles {
    fn default() -> Self {
        TlsFiles {
            ca_file: None,
            ca_dir: None,
            client_cert: None,
            client_key: None,
            system_ca_file: Some(PathBuf::from(DEFAULT_SYSTEM_CA_FILE)),
            system_ca_dir: Some(PathBuf::from(DEFAULT_SYSTEM_CA_DIR)),
        }
    }
}

impl TlsFiles {
    /// No system store at all: only the configured files are trusted (tests, pinned ACS CA).
    pub fn without_system_roots(mut self) -> Self {
        self.system_ca_file = None;
        self.system_ca_dir = None;
        self
    }
}

/// A configured file is missing or unusable; the message names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSetupError(pub String);

impl fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsSetupError {}

/// Builds the client configuration from `files`.
pub fn client_config(files: &TlsFiles) -> Result<ClientConfig, TlsSetupError> {
    client_config_with_roots(root_store(files)?, files)
}

/// Builds the client configuration trusting `roots` and presenting the client certificate of
/// `files`, if any.
pub fn client_config_with_roots(
    roots: RootCertStore,
    files: &TlsFiles,
) -> Result<ClientConfig, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError(format!("TLS setup: {e}")))?
        .with_root_certificates(roots);
    match (&files.client_cert, &files.client_key) {
        (None, None) => Ok(builder.with_no_client_auth()),
        (Some(cert), Some(key)) => {
            let chain = read_certificates(cert)?;
            let key = read_private_key(key)?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                TlsSetupError(format!(
                    "client certificate {} does not fit its key: {e}",
                    cert.display()
                ))
            })
        }
        (Some(_), None) => Err(TlsSetupError(
            "a client certificate is configured without its key".to_string(),
        )),
        (None, Some(_)) => Err(TlsSetupError(
            "a client key is configured without its certificate".to_string(),
        )),
    }
}

/// The configured CAs (strict: each must parse) plus the system ones (lenient: skip bad ones).
pub fn root_store(files: &TlsFiles) -> Result<RootCertStore, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    if let Some(file) = &files.ca_file {
        add_strict(&mut roots, file, read_certificates(file)?)?;
    }
    if let Some(dir) = &files.ca_dir {
        for file in pem_files_in(dir)? {
            add_strict(&mut roots, &file, read_certificates(&file)?)?;
        }
    }
    add_system_roots(&mut roots, files);
    Ok(roots)
}

fn add_strict(
    roots: &mut RootCertStore,
    file: &Path,
    certificates: Vec<CertificateDer<'static>>,
) -> Result<(), TlsSetupError> {
    for certificate in certificates {
        roots.add(certificate).map_err(|e| {
            TlsSetupError(format!(
                "CA certificate in {} is unusable: {e}",
                file.display()
            ))
        })?;
    }
    Ok(())
}

fn add_system_roots(roots: &mut RootCertStore, files: &TlsFiles) {
    let bundle = files.system_ca_file.as_deref().filter(|f| f.is_file());
    let sources: Vec<PathBuf> = match (bundle, &files.system_ca_dir) {
        (Some(file), _) => vec![file.to_path_buf()],
        (None, Some(dir)) => pem_files_in(dir).unwrap_or_default(),
        (None, None) => Vec::new(),
    };
    for file in sources {
        match read_certificates(&file) {
            Ok(certificates) => {
                let (_, ignored) = roots.add_parsable_certificates(certificates);
                if ignored > 0 {
                    log::debug!("{}: skipped {ignored} unusable CA(s)", file.display());
                }
            }
            Err(e) => log::debug!("system CA store: {e}"),
        }
    }
}

/// `*.pem` and `*.crt` files of a directory, sorted for a stable order.
fn pem_files_in(dir: &Path) -> Result<Vec<PathBuf>, TlsSetupError> {
    let entries = fs::read_dir(dir)
        .map_err(|e| TlsSetupError(format!("cannot read CA directory {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "pem" || ext == "crt")
                && path.is_file()
        })
        .collect();
    files.sort();
    Ok(files)
}

/// All certificates of a PEM file; at least one.
pub fn read_certificates(file: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let pem = read_file(file)?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsSetupError(format!("{}: bad PEM: {e}", file.display())))?;
    if certificates.is_empty() {
        return Err(TlsSetupError(format!(
            "{}: no certificate found",
            file.display()
        )));
    }
    Ok(certificates)
}

/// The first private key of a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn read_private_key(file: &Path) -> Result<PrivateKeyDer<'static>, TlsSetupError> {
    let pem = read_file(file)?;
    PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| TlsSetupError(format!("{}: no usable private key: {e}", file.display())))
}

fn read_file(file: &Path) -> Result<Vec<u8>, TlsSetupError> {
    fs::read(file).map_err(|e| TlsSetupError(format!("cannot read {}: {e}", file.display())))
}
