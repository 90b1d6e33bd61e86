//! cwmpd's configuration: `/etc/config/cwmpd`, UCI syntax, read with the native parser.
//!
//! ```text
//! config acs 'acs'
//!     option url 'https://acs.example.net:7547/'
//!     option username 'cpe'
//!     option password 'secret'
//!     option periodic_enable '1'
//!     option periodic_interval '3600'
//!     option periodic_time '2026-01-01T03:00:00Z'   # or Unix seconds
//!     option ca_file '/etc/ssl/certs/acs-ca.pem'
//!     option retry_min_wait '5'
//!     option retry_multiplier '2000'
//!
//! config cpe 'cpe'
//!     option enable '1'
//!     option interface 'wan'
//!     option cr_port '7547'
//!     option cr_rate_limit '50'                     # per hour, 0 = unlimited
//!     list cr_allow '192.0.2.0/24'
//!     option log_level 'info'
//!     option transfer_queue_depth '8'               # Download/Upload queue (fault 9004 beyond)
//! ```
//!
//! Each section is found by name (`acs`, `cpe`), else as the first section of that type. A
//! missing file or option means the default; an invalid value is an error that names the
//! option and the value (`cwmpd.acs.periodic_interval: "abc" is not a number`).
//!
//! Writing back (the ManagementServer object does, for values the ACS sets): the constants
//! below name the package, sections and options, [`ensure_section`] finds or creates the
//! section and [`format_bool`] spells booleans as UCI does.
//!
//! ```no_run
//! # use cwmpd::{backend::uci::UciStore, config, platform::Paths};
//! # fn main() -> std::io::Result<()> {
//! let paths = Paths::new("/");
//! let store = UciStore::new(paths.uci_config_dir(), paths.uci_delta_dir());
//! let mut file = store.load(config::PACKAGE)?;
//! let acs = config::ensure_section(&mut file, config::ACS_SECTION)?;
//! file.set(&acs, config::acs::PERIODIC_INTERVAL, "600")?;
//! file.set(&acs, config::acs::PERIODIC_ENABLE, config::format_bool(true))?;
//! store.commit(&mut file)?; // or store.save(&mut file) to stage it in a transaction
//! # Ok(()) }
//! ```

use std::fmt;
use std::fs;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::backend::uci::{Section, UciError, UciFile, Value};
use crate::cwmp::types::{parse_datetime, UNKNOWN_TIME};
use crate::platform::Paths;

/// The UCI package: `/etc/config/cwmpd`.
pub const PACKAGE: &str = "cwmpd";
/// Type and name of the section with the ACS settings.
pub const ACS_SECTION: &str = "acs";
/// Type and name of the section with the CPE's own settings.
pub const CPE_SECTION: &str = "cpe";

/// Option names of the `acs` section.
pub mod acs {
    pub const URL: &str = "url";
    pub const USERNAME: &str = "username";
    pub const PASSWORD: &str = "password";
    pub const PERIODIC_ENABLE: &str = "periodic_enable";
    pub const PERIODIC_INTERVAL: &str = "periodic_interval";
    pub const PERIODIC_TIME: &str = "periodic_time";
    pub const CA_FILE: &str = "ca_file";
    pub const CA_DIR: &str = "ca_dir";
    pub const CLIENT_CERT: &str = "client_cert";
    pub const CLIENT_KEY: &str = "client_key";
    pub const RETRY_MIN_WAIT: &str = "retry_min_wait";
    pub const RETRY_MULTIPLIER: &str = "retry_multiplier";

    /// Every option above (for checks that the UI, docs and defaults cover them all).
    pub const ALL: &[&str] = &[
        URL,
        USERNAME,
        PASSWORD,
        PERIODIC_ENABLE,
        PERIODIC_INTERVAL,
        PERIODIC_TIME,
        CA_FILE,
        CA_DIR,
        CLIENT_CERT,
        CLIENT_KEY,
        RETRY_MIN_WAIT,
        RETRY_MULTIPLIER,
    ];
}

/// Option names of the `cpe` section.
pub mod cpe {
    pub const ENABLE: &str = "enable";
    pub const INTERFACE: &str = "interface";
    pub const CR_PORT: &str = "cr_port";
    pub const CR_PATH: &str = "cr_path";
    pub const CR_USERNAME: &str = "cr_username";
    pub const CR_PASSWORD: &str = "cr_password";
    pub const CR_RATE_LIMIT: &str = "cr_rate_limit";
    pub const CR_ALLOW: &str = "cr_allow";
    pub const MANUFACTURER: &str = "manufacturer";
    pub const OUI: &str = "oui";
    pub const PRODUCT_CLASS: &str = "product_class";
    pub const SERIAL: &str = "serial";
    pub const LOG_LEVEL: &str = "log_level";
    pub const TRANSFER_QUEUE_DEPTH: &str = "transfer_queue_depth";

    /// Every option above (for checks that the UI, docs and defaults cover them all).
    pub const ALL: &[&str] = &[
        ENABLE,
        INTERFACE,
        CR_PORT,
        CR_PATH,
        CR_USERNAME,
        CR_PASSWORD,
        CR_RATE_LIMIT,
        CR_ALLOW,
        MANUFACTURER,
        OUI,
        PRODUCT_CLASS,
        SERIAL,
        LOG_LEVEL,
        TRANSFER_QUEUE_DEPTH,
    ];
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    pub acs: AcsConfig,
    pub cpe: CpeConfig,
}

/// How to reach the ACS and when to inform it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcsConfig {
    pub url: String,
    pub username: String,
    pub password: String,
    /// Default on: an ACS expects periodic informs.
    pub periodic_enable: bool,
    /// Seconds, at least 1. Default 86400.
    pub periodic_interval: u32,
    /// Reference time of the periodic informs, Unix seconds; `None` = any (also for the
    /// TR-069 unknown time `0001-01-01T00:00:00Z`).
    pub periodic_time: Option<i64>,
    pub ca_file: Option<PathBuf>,
    pub ca_dir: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// CWMPRetryMinimumWaitInterval, 1..=65535 seconds. Default 5.
    pub retry_min_wait: u32,
    /// CWMPRetryIntervalMultiplier, 1000..=65535 (per mille). Default 2000.
    pub retry_multiplier: u32,
}

impl Default for AcsConfig {
    fn default() -> AcsConfig {
        AcsConfig {
            url: String::new(),
            username: String::new(),
            password: String::new(),
            periodic_enable: true,
            periodic_interval: 86_400,
            periodic_time: None,
            ca_file: None,
            ca_dir: None,
            client_cert: None,
            client_key: None,
            retry_min_wait: 5,
            retry_multiplier: 2000,
        }
    }
}

/// The CPE side: connection requests, identity overrides, logging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpeConfig {
    pub enable: bool,
    /// The logical interface (netifd name) whose address the ACS reaches us on.
    pub interface: String,
    pub cr_port: u16,
    /// Connection request path; empty = chosen at random by the daemon.
    pub cr_path: String,
    pub cr_username: String,
    pub cr_password: String,
    /// Connection requests accepted per hour; 0 = unlimited.
    pub cr_rate_limit: u32,
    /// Sources allowed to send connection requests; empty = all.
    pub cr_allow: Vec<AllowedSource>,
    /// Identity overrides; `None` = from the board.
    pub manufacturer: Option<String>,
    pub oui: Option<String>,
    pub product_class: Option<String>,
    pub serial: Option<String>,
    pub log_level: log::LevelFilter,
    /// Transfers queued or running at once, 1..=64 (fault 9004 beyond). Default 8.
    pub transfer_queue_depth: u32,
}

impl Default for CpeConfig {
    fn default() -> CpeConfig {
        CpeConfig {
            enable: true,
            interface: "wan".into(),
            cr_port: 7547,
            cr_path: String::new(),
            cr_username: String::new(),
            cr_password: String::new(),
            cr_rate_limit: 50,
            cr_allow: Vec::new(),
            manufacturer: None,
            oui: None,
            product_class: None,
            serial: None,
            log_level: log::LevelFilter::Info,
            transfer_queue_depth: 8,
        }
    }
}

/// An address or a network (`192.0.2.7`, `192.0.2.0/24`, `2001:db8::/32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowedSource {
    pub network: IpAddr,
    pub prefix_len: u8,
}

impl AllowedSource {
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        match (self.network, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                same_prefix(&network.octets(), &address.octets(), self.prefix_len)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                same_prefix(&network.octets(), &address.octets(), self.prefix_len)
            }
            _ => false,
        }
    }
}

/// An IPv4 client on a dual-stack socket shows up as `::ffff:a.b.c.d`.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

fn same_prefix(network: &[u8], address: &[u8], prefix_len: u8) -> bool {
    let full_bytes = usize::from(prefix_len / 8);
    let rest_bits = prefix_len % 8;
    if network[..full_bytes] != address[..full_bytes] {
        return false;
    }
    if rest_bits == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest_bits);
    network[full_bytes] & mask == address[full_bytes] & mask
}

impl FromStr for AllowedSource {
    type Err = ();

    fn from_str(text: &str) -> Result<AllowedSource, ()> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network = canonical(address.parse().map_err(|_| ())?);
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix_len = match prefix {
            Some(prefix) if prefix.bytes().all(|b| b.is_ascii_digit()) => {
                prefix.parse().map_err(|_| ())?
            }
            Some(_) => return Err(()),
            None => max,
        };
        if prefix_len > max {
            return Err(());
        }
        Ok(AllowedSource {
            network,
            prefix_len,
        })
    }
}

impl fmt::Display for AllowedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix_len)
    }
}

/// Why the configuration could not be read.
#[derive(Debug)]
pub enum ConfigError {
    Read {
        path: PathBuf,
        error: io::Error,
    },
    Syntax(UciError),
    /// `option` is `package.section.option`.
    Invalid {
        option: String,
        value: String,
        problem: &'static str,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, error } => write!(f, "{}: {error}", path.display()),
            ConfigError::Syntax(error) => error.fmt(f),
            ConfigError::Invalid {
                option,
                value,
                problem,
            } => write!(f, "{option}: {value:?} {problem}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<UciError> for ConfigError {
    fn from(error: UciError) -> ConfigError {
        ConfigError::Syntax(error)
    }
}

impl Config {
    /// Read `/etc/config/cwmpd` under the root of `paths`; a missing file gives the defaults.
    pub fn load(paths: &Paths) -> Result<Config, ConfigError> {
        Config::load_file(&paths.uci_config_dir().join(PACKAGE))
    }

    /// Read a cwmpd config file from anywhere (`--config FILE`); missing gives the defaults.
    pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
        let path = path.to_path_buf();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(ConfigError::Read { path, error }),
        };
        Config::from_uci(&UciFile::parse(PACKAGE, &text)?)
    }

    pub fn from_uci(file: &UciFile) -> Result<Config, ConfigError> {
        Ok(Config {
            acs: AcsConfig::read(&Options::find(file, ACS_SECTION))?,
            cpe: CpeConfig::read(&Options::find(file, CPE_SECTION))?,
        })
    }
}

impl AcsConfig {
    fn read(options: &Options<'_>) -> Result<AcsConfig, ConfigError> {
        let defaults = AcsConfig::default();
        Ok(AcsConfig {
            url: options.string(acs::URL)?,
            username: options.string(acs::USERNAME)?,
            password: options.string(acs::PASSWORD)?,
            periodic_enable: options.boolean(acs::PERIODIC_ENABLE, defaults.periodic_enable)?,
            periodic_interval: options.number(
                acs::PERIODIC_INTERVAL,
                defaults.periodic_interval,
                1..=u32::MAX,
            )?,
            periodic_time: options.time(acs::PERIODIC_TIME)?,
            ca_file: options.path(acs::CA_FILE)?,
            ca_dir: options.path(acs::CA_DIR)?,
            client_cert: options.path(acs::CLIENT_CERT)?,
            client_key: options.path(acs::CLIENT_KEY)?,
            retry_min_wait: options.number(
                acs::RETRY_MIN_WAIT,
                defaults.retry_min_wait,
                1..=65535,
            )?,
            retry_multiplier: options.number(
                acs::RETRY_MULTIPLIER,
                defaults.retry_multiplier,
                1000..=65535,
            )?,
        })
    }
}

impl CpeConfig {
    fn read(options: &Options<'_>) -> Result<CpeConfig, ConfigError> {
        let defaults = CpeConfig::default();
        Ok(CpeConfig {
            enable: options.boolean(cpe::ENABLE, defaults.enable)?,
            interface: options
                .optional(cpe::INTERFACE)?
                .unwrap_or(defaults.interface),
            cr_port: options.number(cpe::CR_PORT, defaults.cr_port, 1..=65535)?,
            cr_path: options.string(cpe::CR_PATH)?,
            cr_username: options.string(cpe::CR_USERNAME)?,
            cr_password: options.string(cpe::CR_PASSWORD)?,
            cr_rate_limit: options.number(
                cpe::CR_RATE_LIMIT,
                defaults.cr_rate_limit,
                0..=u32::MAX,
            )?,
            cr_allow: options.sources(cpe::CR_ALLOW)?,
            manufacturer: options.optional(cpe::MANUFACTURER)?,
            oui: options.optional(cpe::OUI)?,
            product_class: options.optional(cpe::PRODUCT_CLASS)?,
            serial: options.optional(cpe::SERIAL)?,
            log_level: options.log_level(cpe::LOG_LEVEL, defaults.log_level)?,
            transfer_queue_depth: options.number(
                cpe::TRANSFER_QUEUE_DEPTH,
                defaults.transfer_queue_depth,
                1..=64,
            )?,
        })
    }
}

/// The section named `section_type`, else the first of that type, else a new section of that
/// type and name. Returns what to pass as `section` to [`UciFile::set`].
pub fn ensure_section(file: &mut UciFile, section_type: &str) -> Result<String, UciError> {
    match find_section(file, section_type) {
        Some(section) => Ok(section.id().to_string()),
        None => file.add_section(section_type, Some(section_type)),
    }
}

/// A boolean as UCI files spell it.
pub fn format_bool(value: bool) -> &'static str {
    if value {
        "1"
    } else {
        "0"
    }
}

fn find_section<'a>(file: &'a UciFile, section_type: &str) -> Option<Section<'a>> {
    file.section(section_type)
        .filter(|s| s.section_type() == section_type)
        .or_else(|| file.sections().find(|s| s.section_type() == section_type))
}

const NOT_A_NUMBER: &str = "is not a number";
const OUT_OF_RANGE: &str = "is out of range";
const NOT_A_BOOLEAN: &str = "is not a boolean (1/0, true/false, on/off, yes/no)";
const NOT_A_TIME: &str = "is not a TR-069 dateTime or Unix time";
const NOT_A_SOURCE: &str = "is not an IP address or network (address/prefix)";
const NOT_A_LOG_LEVEL: &str = "is not a log level (off, error, warn, info, debug, trace)";
const NOT_SINGLE: &str = "is a list, expected a single value";

/// The options of one section, read with errors that name them.
struct Options<'a> {
    section: Option<Section<'a>>,
    /// `cwmpd.acs` or `cwmpd.@acs[0]`.
    label: String,
}

impl<'a> Options<'a> {
    fn find(file: &'a UciFile, section_type: &str) -> Options<'a> {
        let section = find_section(file, section_type);
        let address = section.map_or_else(|| section_type.to_string(), |s| s.address());
        Options {
            section,
            label: format!("{}.{address}", file.package()),
        }
    }

    fn invalid(&self, option: &str, value: &str, problem: &'static str) -> ConfigError {
        ConfigError::Invalid {
            option: format!("{}.{option}", self.label),
            value: value.into(),
            problem,
        }
    }

    /// The value, `None` if missing or empty.
    fn optional(&self, option: &str) -> Result<Option<String>, ConfigError> {
        match self.section.and_then(|s| s.value(option)) {
            None => Ok(None),
            Some(Value::Single(value)) => Ok(Some(value.clone())),
            Some(Value::List(items)) => Err(self.invalid(option, &items.join(" "), NOT_SINGLE)),
        }
    }

    fn string(&self, option: &str) -> Result<String, ConfigError> {
        Ok(self.optional(option)?.unwrap_or_default())
    }

    fn path(&self, option: &str) -> Result<Option<PathBuf>, ConfigError> {
        Ok(self.optional(option)?.map(PathBuf::from))
    }

    /// OpenWrt's `config_get_bool` words.
    fn boolean(&self, option: &str, default: bool) -> Result<bool, ConfigError> {
        let Some(value) = self.optional(option)? else {
            return Ok(default);
        };
        match value.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "on" | "yes" | "enabled" => Ok(true),
            "0" | "false" | "off" | "no" | "disabled" => Ok(false),
            _ => Err(self.invalid(option, &value, NOT_A_BOOLEAN)),
        }
    }

    fn number<T>(
        &self,
        option: &str,
        default: T,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd,
    {
        let Some(value) = self.optional(option)? else {
            return Ok(default);
        };
        let trimmed = value.trim();
        if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.invalid(option, &value, NOT_A_NUMBER));
        }
        match trimmed.parse::<T>() {
            Ok(number) if range.contains(&number) => Ok(number),
            _ => Err(self.invalid(option, &value, OUT_OF_RANGE)),
        }
    }

    fn time(&self, option: &str) -> Result<Option<i64>, ConfigError> {
        let Some(value) = self.optional(option)? else {
            return Ok(None);
        };
        let trimmed = value.trim();
        if trimmed == UNKNOWN_TIME {
            return Ok(None);
        }
        let seconds = if trimmed.bytes().all(|b| b.is_ascii_digit()) {
            trimmed.parse().ok()
        } else {
            parse_datetime(trimmed)
        };
        seconds
            .map(Some)
            .ok_or_else(|| self.invalid(option, &value, NOT_A_TIME))
    }

    /// A list (or an option) of addresses and networks, several to an item if separated by
    /// blanks (`option cr_allow '10.0.0.0/8 192.0.2.1'`).
    fn sources(&self, option: &str) -> Result<Vec<AllowedSource>, ConfigError> {
        let items = self.section.map(|s| s.get_list(option)).unwrap_or_default();
        items
            .iter()
            .flat_map(|item| item.split_whitespace())
            .map(|word| {
                word.parse()
                    .map_err(|()| self.invalid(option, word, NOT_A_SOURCE))
            })
            .collect()
    }

    fn log_level(
        &self,
        option: &str,
        default: log::LevelFilter,
    ) -> Result<log::LevelFilter, ConfigError> {
        let Some(value) = self.optional(option)? else {
            return Ok(default);
        };
        match value.trim().to_ascii_lowercase().as_str() {
            "warning" => Ok(log::LevelFilter::Warn),
            level => level
                .parse()
                .map_err(|_| self.invalid(option, &value, NOT_A_LOG_LEVEL)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<Config, ConfigError> {
        Config::from_uci(&UciFile::parse(PACKAGE, text).unwrap())
    }

    fn error(text: &str) -> String {
        config(text).unwrap_err().to_string()
    }

    #[test]
    fn missing_sections_give_defaults() {
        let config = config("").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.acs.periodic_interval, 86_400);
        assert_eq!(config.acs.retry_min_wait, 5);
        assert_eq!(config.acs.retry_multiplier, 2000);
        assert!(config.acs.periodic_enable);
        assert_eq!(config.cpe.interface, "wan");
        assert_eq!(config.cpe.cr_port, 7547);
        assert_eq!(config.cpe.cr_rate_limit, 50);
        assert_eq!(config.cpe.log_level, log::LevelFilter::Info);
        assert!(config.cpe.enable);
    }

    #[test]
    fn a_full_file_reads_exact_values() {
        let text = "
config acs 'acs'
\toption url 'https://acs.example.net:7547/cwmp'
\toption username 'cpe-1'
\toption password 'it'\\''s secret'
\toption periodic_enable 'off'
\toption periodic_interval '3600'
\toption periodic_time '2026-11-24T17:30:00Z'
\toption ca_file '/etc/ssl/acs.pem'
\toption ca_dir '/etc/ssl/certs'
\toption client_cert '/etc/cwmpd/cert.pem'
\toption client_key '/etc/cwmpd/key.pem'
\toption retry_min_wait '10'
\toption retry_multiplier '3000'

config cpe 'cpe'
\toption enable 'no'
\toption interface 'wwan'
\toption cr_port '30005'
\toption cr_path '/cr-abc'
\toption cr_username 'acs'
\toption cr_password 'pw'
\toption cr_rate_limit '0'
\tlist cr_allow '192.0.2.0/24'
\tlist cr_allow '2001:db8::1 198.51.100.7'
\toption manufacturer 'ACME'
\toption oui '00AABB'
\toption product_class 'Router'
\toption serial 'SN123'
\toption log_level 'debug'
";
        let config = config(text).unwrap();
        assert_eq!(
            config.acs,
            AcsConfig {
                url: "https://acs.example.net:7547/cwmp".into(),
                username: "cpe-1".into(),
                password: "it's secret".into(),
                periodic_enable: false,
                periodic_interval: 3600,
                periodic_time: Some(1_795_541_400),
                ca_file: Some("/etc/ssl/acs.pem".into()),
                ca_dir: Some("/etc/ssl/certs".into()),
                client_cert: Some("/etc/cwmpd/cert.pem".into()),
                client_key: Some("/etc/cwmpd/key.pem".into()),
                retry_min_wait: 10,
                retry_multiplier: 3000,
            }
        );
        let sources: Vec<String> = config.cpe.cr_allow.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            sources,
            ["192.0.2.0/24", "2001:db8::1/128", "198.51.100.7/32"]
        );
        assert_eq!(
            config.cpe,
            CpeConfig {
                enable: false,
                interface: "wwan".into(),
                cr_port: 30005,
                cr_path: "/cr-abc".into(),
                cr_username: "acs".into(),
                cr_password: "pw".into(),
                cr_rate_limit: 0,
                cr_allow: config.cpe.cr_allow.clone(),
                manufacturer: Some("ACME".into()),
                oui: Some("00AABB".into()),
                product_class: Some("Router".into()),
                serial: Some("SN123".into()),
                log_level: log::LevelFilter::Debug,
                transfer_queue_depth: 8,
            }
        );
    }

    #[test]
    fn the_first_section_of_a_type_serves_when_none_is_named() {
        let config =
            config("config acs\n\toption url 'http://a'\nconfig acs\n\toption url 'http://b'\n")
                .unwrap();
        assert_eq!(config.acs.url, "http://a");
        assert_eq!(
            error("config acs\n\toption periodic_interval 'abc'\n"),
            "cwmpd.@acs[0].periodic_interval: \"abc\" is not a number"
        );
    }

    #[test]
    fn invalid_values_name_option_and_value() {
        assert_eq!(
            error("config acs 'acs'\n\toption periodic_interval 'abc'\n"),
            "cwmpd.acs.periodic_interval: \"abc\" is not a number"
        );
        assert_eq!(
            error("config acs 'acs'\n\toption periodic_interval '0'\n"),
            "cwmpd.acs.periodic_interval: \"0\" is out of range"
        );
        assert_eq!(
            error("config acs 'acs'\n\toption retry_multiplier '999'\n"),
            "cwmpd.acs.retry_multiplier: \"999\" is out of range"
        );
        assert_eq!(
            error("config acs 'acs'\n\toption retry_min_wait '-5'\n"),
            "cwmpd.acs.retry_min_wait: \"-5\" is not a number"
        );
        assert_eq!(
            error("config acs 'acs'\n\toption periodic_enable 'maybe'\n"),
            "cwmpd.acs.periodic_enable: \"maybe\" is not a boolean (1/0, true/false, on/off, yes/no)"
        );
        assert_eq!(
            error("config acs 'acs'\n\toption periodic_time 'noon'\n"),
            "cwmpd.acs.periodic_time: \"noon\" is not a TR-069 dateTime or Unix time"
        );
        assert_eq!(
            error("config cpe 'cpe'\n\toption cr_port '70000'\n"),
            "cwmpd.cpe.cr_port: \"70000\" is out of range"
        );
        assert_eq!(
            error("config cpe 'cpe'\n\tlist cr_allow '10.0.0.0/33'\n"),
            "cwmpd.cpe.cr_allow: \"10.0.0.0/33\" is not an IP address or network (address/prefix)"
        );
        assert_eq!(
            error("config cpe 'cpe'\n\toption log_level 'loud'\n"),
            "cwmpd.cpe.log_level: \"loud\" is not a log level (off, error, warn, info, debug, trace)"
        );
        assert_eq!(
            error("config cpe 'cpe'\n\tlist interface 'wan'\n\tlist interface 'lan'\n"),
            "cwmpd.cpe.interface: \"wan lan\" is a list, expected a single value"
        );
    }

    #[test]
    fn periodic_time_accepts_unix_seconds_and_the_unknown_time() {
        let read = |value: &str| {
            config(&format!(
                "config acs 'acs'\n\toption periodic_time '{value}'\n"
            ))
            .unwrap()
            .acs
            .periodic_time
        };
        assert_eq!(read("1795541400"), Some(1_795_541_400));
        assert_eq!(read("0001-01-01T00:00:00Z"), None);
        assert_eq!(read("2026-11-24T18:30:00+01:00"), Some(1_795_541_400));
    }

    #[test]
    fn allowed_sources_match_addresses() {
        let net: AllowedSource = "192.0.2.0/23".parse().unwrap();
        assert!(net.contains("192.0.3.255".parse().unwrap()));
        assert!(net.contains("::ffff:192.0.2.9".parse().unwrap()));
        assert!(!net.contains("192.0.4.1".parse().unwrap()));
        let host: AllowedSource = "2001:db8::1".parse().unwrap();
        assert!(host.contains("2001:db8::1".parse().unwrap()));
        assert!(!host.contains("2001:db8::2".parse().unwrap()));
        assert!("10.0.0.1/x".parse::<AllowedSource>().is_err());
        let any: AllowedSource = "0.0.0.0/0".parse().unwrap();
        assert!(any.contains("203.0.113.1".parse().unwrap()));
    }

    #[test]
    fn load_reads_the_file_under_the_root() {
        let root = std::env::temp_dir().join(format!("cwmpd-config-{}", std::process::id()));
        let paths = Paths::new(&root);
        assert_eq!(Config::load(&paths).unwrap(), Config::default());
        fs::create_dir_all(paths.uci_config_dir()).unwrap();
        fs::write(
            paths.uci_config_dir().join(PACKAGE),
            "config cpe 'cpe'\n\toption cr_port '8080'\n",
        )
        .unwrap();
        assert_eq!(Config::load(&paths).unwrap().cpe.cr_port, 8080);
        fs::write(
            paths.uci_config_dir().join(PACKAGE),
            "config cpe 'cpe'\n\toption\n",
        )
        .unwrap();
        assert_eq!(
            Config::load(&paths).unwrap_err().to_string(),
            "cwmpd: parse error at line 2: insufficient arguments"
        );
        let _ = fs::remove_dir_all(root);
    }

    #[test]
    fn writing_back_finds_or_creates_the_section() {
        let mut file = UciFile::parse(PACKAGE, "").unwrap();
        let acs = ensure_section(&mut file, ACS_SECTION).unwrap();
        assert_eq!(acs, "acs");
        file.set(&acs, acs::PERIODIC_INTERVAL, "600").unwrap();
        file.set(&acs, acs::PERIODIC_ENABLE, format_bool(false))
            .unwrap();
        assert_eq!(
            file.text(),
            "\nconfig acs 'acs'\n\toption periodic_interval '600'\n\toption periodic_enable '0'\n\n"
        );
        let mut anonymous = UciFile::parse(PACKAGE, "config acs\n").unwrap();
        assert_eq!(
            ensure_section(&mut anonymous, ACS_SECTION).unwrap(),
            "cfg015cbc"
        );
        let config = Config::from_uci(&file).unwrap();
        assert_eq!(config.acs.periodic_interval, 600);
        assert!(!config.acs.periodic_enable);
    }
}
