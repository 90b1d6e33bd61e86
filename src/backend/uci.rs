//! Native UCI: libuci-compatible reading, editing, staging and committing of `/etc/config` files.
//!
//! * [`UciFile`] is one package. It keeps the file's text and edits it in place: comments,
//!   blank lines, quoting and order survive, an unchanged file renders byte for byte, and a
//!   changed option changes only its line. Anonymous sections get libuci's names
//!   (`cfg` + a counter + a hash of the type, e.g. `cfg02dc81`) and `@type[n]` addresses.
//! * [`Change`] is one line of a libuci delta file (`uci -P DIR` / `/tmp/.uci` format).
//! * [`UciStore`] reads and writes a config directory the way libuci does: readers take a
//!   shared `flock` on the config file, a commit takes an exclusive one, re-reads the file under
//!   it, applies only its own changes and replaces the file by rename (after fsync), so `uci`,
//!   LuCI and cwmpd never see half a file nor lose each other's changes.
//!
//! Two ways to write:
//!
//! ```no_run
//! # use cwmpd::backend::uci::{UciStore, Change};
//! # fn main() -> std::io::Result<()> {
//! let store = UciStore::new("/etc/config", "/tmp/.cwmpd-uci");
//! // Directly: edit a loaded file, commit its changes onto whatever is on disk by then.
//! let mut network = store.load("network")?;
//! network.set("lan", "ipaddr", "192.168.2.1")?;
//! store.commit(&mut network)?;
//! // Staged (transactions): changes wait in cwmpd's own delta directory until commit_staged.
//! store.stage("network", &Change::set("lan", "netmask", "255.255.255.0"))?;
//! let mut view = store.load_staged("network")?; // the file with staged changes applied
//! view.add_list("lan", "dns", "192.168.2.1")?;
//! store.save(&mut view)?; // stage what was edited on the view
//! store.commit_staged("network")?; // or store.revert("network")
//! # Ok(()) }
//! ```

mod delta;
mod file;
mod store;
mod syntax;

pub use delta::Change;
pub use file::{Section, UciFile, Value};
pub use store::UciStore;
pub use syntax::{is_valid_name, is_valid_package_name, is_valid_type, is_valid_value};

use std::fmt;
use std::io;

/// What went wrong reading or editing UCI data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UciError {
    /// The file is not valid UCI (libuci's reason text and a 1-based line number).
    Parse {
        package: String,
        line: usize,
        reason: &'static str,
    },
    InvalidPackageName(String),
    /// A section or option name outside `[A-Za-z0-9_]`.
    InvalidName(String),
    InvalidType(String),
    /// A value with a line break or control character (libuci refuses them in `uci set`).
    InvalidValue(String),
    SectionNotFound(String),
    /// A section (or an option of the section) by that name exists already.
    AlreadyExists(String),
    /// A delta line that libuci would not accept either.
    InvalidDelta(String),
    /// An edit could not be expressed in place; the file is unchanged.
    Unsupported(&'static str),
}

impl fmt::Display for UciError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UciError::Parse {
                package,
                line,
                reason,
            } => write!(f, "{package}: parse error at line {line}: {reason}"),
            UciError::InvalidPackageName(name) => write!(f, "invalid package name {name:?}"),
            UciError::InvalidName(name) => write!(
                f,
                "invalid name {name:?}: only letters, digits and _ are allowed"
            ),
            UciError::InvalidType(name) => write!(f, "invalid section type {name:?}"),
            UciError::InvalidValue(value) => write!(
                f,
                "invalid value {value:?}: line breaks and control characters are not allowed"
            ),
            UciError::SectionNotFound(section) => write!(f, "section {section:?} not found"),
            UciError::AlreadyExists(name) => write!(f, "{name:?} exists already"),
            UciError::InvalidDelta(line) => write!(f, "invalid delta line {line:?}"),
            UciError::Unsupported(what) => write!(f, "unsupported edit: {what}"),
        }
    }
}

impl std::error::Error for UciError {}

impl From<UciError> for io::Error {
    fn from(error: UciError) -> io::Error {
        let kind = match error {
            UciError::Parse { .. } => io::ErrorKind::InvalidData,
            UciError::SectionNotFound(_) => io::ErrorKind::NotFound,
            _ => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, error)
    }
}
