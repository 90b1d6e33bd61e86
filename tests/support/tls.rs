//! Certificates made at test start (rcgen): a CA, a server certificate for 127.0.0.1 and
//! localhost (or, for negative tests, for a host name the CPE never dials), and a client
//! certificate; all written as PEM files so the agent can be configured with them.

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The host name on the certificate of `TlsOptions::wrong_hostname`.
pub const WRONG_HOSTNAME: &str = "not-this-acs.invalid";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Serve a certificate (from the same CA) for `WRONG_HOSTNAME` only.
    pub wrong_hostname: bool,
    /// Refuse clients without a certificate signed by the CA.
    pub require_client_cert: bool,
}

/// The PEM files of one ACS, all in its temporary directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

pub struct TlsMaterial {
    pub files: TlsFiles,
    pub ca_pem: String,
    ca_der: CertificateDer<'static>,
    client_chain: Vec<CertificateDer<'static>>,
    client_key: Vec<u8>,
    pub server_config: Arc<rustls::ServerConfig>,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn new_ca() -> (Certificate, KeyPair) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "cwmpd test ACS CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().expect("CA key");
    let cert = params.self_signed(&key).expect("CA certificate");
    (cert, key)
}

fn leaf(
    ca: &Certificate,
    ca_key: &KeyPair,
    name: &str,
    sans: Vec<SanType>,
    usage: ExtendedKeyUsagePurpose,
) -> (Certificate, KeyPair) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("leaf params");
    params.distinguished_name.push(DnType::CommonName, name);
    params.subject_alt_names = sans;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![usage];
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().expect("leaf key");
    let cert = params
        .signed_by(&key, ca, ca_key)
        .expect("leaf certificate");
    (cert, key)
}

fn dns(name: &str) -> SanType {
    SanType::DnsName(name.try_into().expect("DNS name"))
}

fn server_sans(wrong_hostname: bool) -> Vec<SanType> {
    if wrong_hostname {
        return vec![dns(WRONG_HOSTNAME)];
    }
    vec![
        dns("localhost"),
        SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
    ]
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, contents).expect("write PEM file");
    path
}

impl TlsMaterial {
    /// Makes the certificates, writes them into `dir`, builds the server's rustls config.
    pub fn generate(options: &TlsOptions, dir: &Path) -> TlsMaterial {
        let (ca, ca_key) = new_ca();
        let server_name = if options.wrong_hostname {
            WRONG_HOSTNAME
        } else {
            "localhost"
        };
        let sans = server_sans(options.wrong_hostname);
        let (server, server_key) = leaf(
            &ca,
            &ca_key,
            server_name,
            sans,
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let (client, client_key) = leaf(
            &ca,
            &ca_key,
            "cwmpd test CPE",
            vec![dns("cpe.test")],
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        let files = TlsFiles {
            ca_cert: write(dir, "ca.pem", &ca.pem()),
            server_cert: write(dir, "server.pem", &server.pem()),
            server_key: write(dir, "server.key", &server_key.serialize_pem()),
            client_cert: write(dir, "client.pem", &client.pem()),
            client_key: write(dir, "client.key", &client_key.serialize_pem()),
        };
        let ca_der = ca.der().clone();
        let server_config = server_config(options, &ca_der, &server, &server_key);
        TlsMaterial {
            files,
            ca_pem: ca.pem(),
            ca_der,
            client_chain: vec![client.der().clone()],
            client_key: client_key.serialize_der(),
            server_config,
        }
    }

    fn roots(&self) -> rustls::RootCertStore {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone()).expect("CA into root store");
        roots
    }

    /// A client config trusting the CA (and presenting the client certificate if asked):
    /// for fake CPEs in tests.
    pub fn client_config(&self, with_client_cert: bool) -> rustls::ClientConfig {
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(self.roots());
        if with_client_cert {
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.client_key.clone()));
            builder
                .with_client_auth_cert(self.client_chain.clone(), key)
                .expect("client certificate")
        } else {
            builder.with_no_client_auth()
        }
    }
}

fn server_config(
    options: &TlsOptions,
    ca_der: &CertificateDer<'static>,
    server: &Certificate,
    server_key: &KeyPair,
) -> Arc<rustls::ServerConfig> {
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("protocol versions");
    let builder = if options.require_client_cert {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca_der.clone()).expect("CA into root store");
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .build()
        .expect("client verifier");
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let config = builder
        .with_single_cert(vec![server.der().clone()], key)
        .expect("server certificate");
    Arc::new(config)
}
