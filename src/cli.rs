//! The command line: `cwmpd` runs the daemon; `cwmpd get|set|inform|status` talk to it over
//! ubus or its control socket, or work on the (sandbox) root directly when no daemon runs
//! (`daemon/client.rs`).

use std::path::PathBuf;

use crate::daemon::{self, client};

pub const USAGE: &str = "\
usage: cwmpd [OPTIONS]                  run the agent
       cwmpd [OPTIONS] get PATH...      print parameters, one 'Device.X.Y = value' per line
       cwmpd [OPTIONS] set PATH=VALUE...
       cwmpd [OPTIONS] inform [EVENT]   start a session now (event default '6 CONNECTION REQUEST')
       cwmpd [OPTIONS] status           the agent's state
       cwmpd [OPTIONS] request-download FILETYPE [NAME=VALUE...]
                                        ask the ACS for a file, e.g. '1 Firmware Upgrade Image'
options:
  --root DIR         treat DIR as the router's root (sandbox: nothing outside DIR is touched)
  --config FILE      UCI config file (default ROOT/etc/config/cwmpd)
  --foreground       stay in the foreground, log to stderr
  --syslog           log to syslog even in the foreground (as procd runs it)
  --log-level LEVEL  error, warn, info, debug or trace (default from the config, else info)
  --version          print the version";

/// Everything the command line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub root: PathBuf,
    pub config: Option<PathBuf>,
    pub foreground: bool,
    pub syslog: bool,
    pub log_level: Option<log::LevelFilter>,
    pub command: Command,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Daemon,
    Get(Vec<String>),
    Set(Vec<(String, String)>),
    Inform(Option<String>),
    RequestDownload(String, Vec<(String, String)>),
    Status,
    Version,
    Help,
}

pub fn parse(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        root: PathBuf::from("/"),
        config: None,
        foreground: false,
        syslog: false,
        log_level: None,
        command: Command::Daemon,
    };
    let mut rest = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = |name: &str| iter.next().cloned().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--root" => parsed.root = PathBuf::from(value("--root")?),
            "--config" => parsed.config = Some(PathBuf::from(value("--config")?)),
            "--foreground" | "-f" => parsed.foreground = true,
            "--syslog" => parsed.syslog = true,
            "--log-level" => {
                let level = value("--log-level")?;
                parsed.log_level = Some(
                    level
                        .parse()
                        .map_err(|_| format!("unknown log level '{level}'"))?,
                );
            }
            "--version" | "-V" => parsed.command = Command::Version,
            "--help" | "-h" => parsed.command = Command::Help,
            option if option.starts_with("--") => return Err(format!("unknown option {option}")),
            word => rest.push(word.to_string()),
        }
    }
    if matches!(parsed.command, Command::Version | Command::Help) {
        return Ok(parsed);
    }
    parsed.command = parse_command(&rest)?;
    Ok(parsed)
}

fn parse_command(words: &[String]) -> Result<Command, String> {
    let Some((name, operands)) = words.split_first() else {
        return Ok(Command::Daemon);
    };
    match name.as_str() {
        "get" if !operands.is_empty() => Ok(Command::Get(operands.to_vec())),
        "get" => Err("get needs at least one PATH".into()),
        "set" if !operands.is_empty() => name_values(operands).map(Command::Set),
        "set" => Err("set needs at least one PATH=VALUE".into()),
        "inform" if operands.len() <= 1 => Ok(Command::Inform(operands.first().cloned())),
        "inform" => Err("inform takes at most one EVENT (quote it: '6 CONNECTION REQUEST')".into()),
        "status" if operands.is_empty() => Ok(Command::Status),
        "request-download" => match operands.split_first() {
            Some((file_type, args)) => Ok(Command::RequestDownload(
                file_type.clone(),
                name_values(args)?,
            )),
            None => Err(
                "request-download needs a FILETYPE (quote it: '1 Firmware Upgrade Image')".into(),
            ),
        },
        other => Err(format!("unknown command '{other}'")),
    }
}

/// `NAME=VALUE` operands as pairs (the value may contain '=').
fn name_values(operands: &[String]) -> Result<Vec<(String, String)>, String> {
    operands
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
            _ => Err(format!("'{pair}' is not PATH=VALUE")),
        })
        .collect()
}

pub fn main() -> i32 {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&argv) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("cwmpd: {message}\n{USAGE}");
            return 2;
        }
    };
    match &args.command {
        Command::Version => {
            println!("cwmpd {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Command::Help => {
            println!("{USAGE}");
            0
        }
        Command::Daemon => daemon::run(&args),
        _ => client::run_client(&args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Result<Args, String> {
        parse(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn daemon_options() {
        let parsed = args(&["--root", "/tmp/r", "--foreground", "--log-level", "debug"]).unwrap();
        assert_eq!(parsed.root, PathBuf::from("/tmp/r"));
        assert!(parsed.foreground);
        assert!(!parsed.syslog);
        assert!(args(&["--foreground", "--syslog"]).unwrap().syslog);
        assert_eq!(parsed.log_level, Some(log::LevelFilter::Debug));
        assert_eq!(parsed.command, Command::Daemon);
    }

    #[test]
    fn commands() {
        assert_eq!(
            args(&["get", "Device.DeviceInfo.", "Device.ManagementServer.URL"])
                .unwrap()
                .command,
            Command::Get(vec![
                "Device.DeviceInfo.".into(),
                "Device.ManagementServer.URL".into()
            ])
        );
        assert_eq!(
            args(&["--root", "/r", "set", "Device.A.B=x=y", "Device.C="])
                .unwrap()
                .command,
            Command::Set(vec![
                ("Device.A.B".into(), "x=y".into()),
                ("Device.C".into(), "".into())
            ])
        );
        assert_eq!(args(&["inform"]).unwrap().command, Command::Inform(None));
        assert_eq!(
            args(&["inform", "2 PERIODIC"]).unwrap().command,
            Command::Inform(Some("2 PERIODIC".into()))
        );
        assert_eq!(args(&["status"]).unwrap().command, Command::Status);
        assert_eq!(
            args(&[
                "request-download",
                "1 Firmware Upgrade Image",
                "Version=24.10.1"
            ])
            .unwrap()
            .command,
            Command::RequestDownload(
                "1 Firmware Upgrade Image".into(),
                vec![("Version".into(), "24.10.1".into())]
            )
        );
        assert_eq!(args(&["--version"]).unwrap().command, Command::Version);
    }

    #[test]
    fn errors_are_specific() {
        assert_eq!(args(&["--root"]), Err("--root needs a value".into()));
        assert_eq!(args(&["--bogus"]), Err("unknown option --bogus".into()));
        assert_eq!(args(&["get"]), Err("get needs at least one PATH".into()));
        assert_eq!(
            args(&["set", "novalue"]),
            Err("'novalue' is not PATH=VALUE".into())
        );
        assert_eq!(
            args(&["frobnicate"]),
            Err("unknown command 'frobnicate'".into())
        );
        assert_eq!(
            args(&["--log-level", "loud"]),
            Err("unknown log level 'loud'".into())
        );
    }
}
