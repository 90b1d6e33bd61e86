//! A small logger: stderr in the foreground (procd hands it to logd), syslog otherwise.
//! Each line names the subsystem (the log target) so `logread -e cwmpd` is easy to read.

use std::io::Write;
use std::os::unix::net::UnixDatagram;
use std::sync::Mutex;

use log::{Level, LevelFilter, Log, Metadata, Record};

struct Logger {
    syslog: Option<Mutex<UnixDatagram>>,
}

/// Install the logger once; later calls only change the level. Logs go to syslog when asked
/// or when the daemon went to the background, to stderr otherwise.
pub fn init(level: LevelFilter, to_syslog: bool) {
    let syslog = if !to_syslog {
        None
    } else {
        UnixDatagram::unbound()
            .and_then(|socket| socket.connect("/dev/log").map(|()| socket))
            .ok()
            .map(Mutex::new)
    };
    let logger = Box::new(Logger { syslog });
    // A second call (tests, reload) keeps the first logger and only takes the new level.
    let _ = log::set_boxed_logger(logger);
    log::set_max_level(level);
}

fn subsystem(target: &str) -> &str {
    target.strip_prefix("cwmpd::").unwrap_or(target)
}

/// RFC 3164 priority: facility daemon (3) × 8 + severity.
fn syslog_priority(level: Level) -> u8 {
    let severity = match level {
        Level::Error => 3,
        Level::Warn => 4,
        Level::Info => 6,
        Level::Debug | Level::Trace => 7,
    };
    3 * 8 + severity
}

impl Log for Logger {
    /// cwmpd's own subsystems log at the configured level; libraries (rustls, tokio…) only
    /// warnings and errors — at debug level some HTTP libraries print cookies.
    fn enabled(&self, metadata: &Metadata) -> bool {
        let own = metadata.target().starts_with("cwmpd");
        metadata.level() <= log::max_level() && (own || metadata.level() <= Level::Warn)
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let target = subsystem(record.target());
        match &self.syslog {
            Some(socket) => {
                let line = format!(
                    "<{}>cwmpd[{}]: {target}: {}",
                    syslog_priority(record.level()),
                    std::process::id(),
                    record.args()
                );
                if let Ok(socket) = socket.lock() {
                    let _ = socket.send(line.as_bytes());
                }
            }
            None => {
                let line = format!("cwmpd {:5} {target}: {}\n", record.level(), record.args());
                let _ = std::io::stderr().write_all(line.as_bytes());
            }
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enabled(target: &str, level: Level) -> bool {
        log::set_max_level(LevelFilter::Trace);
        let logger = Logger { syslog: None };
        logger.enabled(&Metadata::builder().target(target).level(level).build())
    }

    #[test]
    fn libraries_only_log_warnings() {
        assert!(enabled("cwmpd::session", Level::Trace));
        assert!(!enabled("cookie_store::cookie_store", Level::Debug));
        assert!(!enabled("reqwest::connect", Level::Info));
        assert!(enabled("rustls::client", Level::Warn));
    }

    #[test]
    fn subsystem_names_drop_the_crate() {
        assert_eq!(subsystem("cwmpd::session"), "session");
        assert_eq!(subsystem("rustls::client"), "rustls::client");
        assert_eq!(syslog_priority(Level::Error), 27);
        assert_eq!(syslog_priority(Level::Info), 30);
    }
}
