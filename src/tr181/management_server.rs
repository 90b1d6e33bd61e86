//! `Device.ManagementServer.` (TR-181 Device:2, TR-069 §3 and Annex A): how cwmpd reaches the
//! ACS and how the ACS reaches cwmpd. Backed by UCI `/etc/config/cwmpd`, sections `acs` and
//! `cpe`; ParameterKey and ConnectionRequestURL come from the daemon at run time.
//!
//! Changes are committed to `cwmpd` and answered with Status 0: they are in force for
//! everything that reads the configuration after the session, which is when the daemon
//! reloads it (a new ACS URL is used from the next session on, as TR-069 §3.2 expects).

use super::{truncate_chars, CWMPD_PACKAGE};
use crate::cwmp::types::{parse_datetime, UNKNOWN_TIME};
use crate::datamodel::alias::INSTANCE_MODE_OPTION;
use crate::datamodel::value::UNKNOWN_TIME_SECS;
use crate::datamodel::{
    ActiveNotify, Area, AreaView, Context, Error, InstanceMode, ObjectDef, ParamDef, ParamRef,
    Transaction, Type, Value,
};

/// How a UCI option's text becomes a parameter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Boolean,
    Unsigned,
    DateTime,
}

/// A parameter stored in a `cwmpd` option, with the value assumed when the option is unset.
struct OptionMapping {
    param: &'static str,
    section: &'static str,
    option: &'static str,
    kind: Kind,
    default: &'static str,
}

const fn mapping(
    param: &'static str,
    section: &'static str,
    option: &'static str,
    kind: Kind,
    default: &'static str,
) -> OptionMapping {
    OptionMapping {
        param,
        section,
        option,
        kind,
        default,
    }
}

/// The parameters kept in `/etc/config/cwmpd`. Defaults: TR-069 §3.2.1.1 (retry wait m=5,
/// multiplier k=2000), TR-181 factory defaults (EnableCWMP and HTTPConnectionRequestEnable
/// true), one periodic Inform a day.
const OPTIONS: &[OptionMapping] = &[
    mapping("EnableCWMP", "cpe", "enable", Kind::Boolean, "1"),
    mapping("URL", "acs", "url", Kind::Text, ""),
    mapping("Username", "acs", "username", Kind::Text, ""),
    mapping("Password", "acs", "password", Kind::Text, ""),
    mapping(
        "PeriodicInformEnable",
        "acs",
        "periodic_enable",
        Kind::Boolean,
        "1",
    ),
    mapping(
        "PeriodicInformInterval",
        "acs",
        "periodic_interval",
        Kind::Unsigned,
        "86400",
    ),
    mapping(
        "PeriodicInformTime",
        "acs",
        "periodic_time",
        Kind::DateTime,
        UNKNOWN_TIME,
    ),
    mapping(
        "ConnectionRequestUsername",
        "cpe",
        "cr_username",
        Kind::Text,
        "",
    ),
    mapping(
        "ConnectionRequestPassword",
        "cpe",
        "cr_password",
        Kind::Text,
        "",
    ),
    mapping(
        "UpgradesManaged",
        "acs",
        "upgrades_managed",
        Kind::Boolean,
        "0",
    ),
    mapping(
        "DefaultActiveNotificationThrottle",
        "acs",
        "notification_throttle",
        Kind::Unsigned,
        "0",
    ),
    mapping(
        "CWMPRetryMinimumWaitInterval",
        "acs",
        "retry_min_wait",
        Kind::Unsigned,
        "5",
    ),
    mapping(
        "CWMPRetryIntervalMultiplier",
        "acs",
        "retry_multiplier",
        Kind::Unsigned,
        "2000",
    ),
    mapping(
        "HTTPConnectionRequestEnable",
        "cpe",
        "cr_enable",
        Kind::Boolean,
        "1",
    ),
];

/// `Device.ManagementServer.`
pub struct ManagementServerArea;

impl Area for ManagementServerArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let url = Type::string(2048).data_type("URL");
        vec![ObjectDef::new("Device.ManagementServer.")
            .param(ParamDef::read_write("EnableCWMP", Type::boolean()))
            .param(ParamDef::read_write("URL", url.clone()))
            .param(ParamDef::read_write("Username", Type::string(256)))
            .param(ParamDef::read_write("Password", Type::string(256)).hidden())
            .param(ParamDef::read_write(
                "PeriodicInformEnable",
                Type::boolean(),
            ))
            .param(ParamDef::read_write(
                "PeriodicInformInterval",
                Type::unsigned_int().range(Some(1), None),
            ))
            .param(ParamDef::read_write(
                "PeriodicInformTime",
                Type::date_time(),
            ))
            .param(
                ParamDef::read_only("ParameterKey", Type::string(32))
                    .forced_inform()
                    .active_notify(ActiveNotify::CanDeny),
            )
            .param(
                ParamDef::read_only("ConnectionRequestURL", url)
                    .forced_inform()
                    .active_notify(ActiveNotify::ForceDefaultEnabled),
            )
            .param(ParamDef::read_write(
                "ConnectionRequestUsername",
                Type::string(256),
            ))
            .param(ParamDef::read_write("ConnectionRequestPassword", Type::string(256)).hidden())
            .param(ParamDef::read_write("UpgradesManaged", Type::boolean()))
            .param(ParamDef::read_write(
                "DefaultActiveNotificationThrottle",
                Type::unsigned_int(),
            ))
            .param(ParamDef::read_write(
                "CWMPRetryMinimumWaitInterval",
                Type::unsigned_int().range(Some(1), Some(65535)),
            ))
            .param(ParamDef::read_write(
                "CWMPRetryIntervalMultiplier",
                Type::unsigned_int().range(Some(1000), Some(65535)),
            ))
            .param(ParamDef::read_write(
                "HTTPConnectionRequestEnable",
                Type::boolean(),
            ))
            .param(ParamDef::read_only("AliasBasedAddressing", Type::boolean()).forced_inform())
            .param(ParamDef::read_write(
                "InstanceMode",
                Type::any_string().enumeration(&["InstanceNumber", "InstanceAlias"]),
            ))
            .param(ParamDef::read_only(
                "SupportedConnReqMethods",
                Type::any_string().enumeration(&["HTTP"]).list(),
            ))
            .param(ParamDef::read_only(
                "InstanceWildcardsSupported",
                Type::boolean(),
            ))]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let stored = OPTIONS
            .iter()
            .map(|mapping| {
                ctx.config
                    .get(CWMPD_PACKAGE, mapping.section, mapping.option)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Box::new(ManagementServerView { stored }))
    }
}

/// The `cwmpd` options of [`OPTIONS`], read once per RPC (same order).
struct ManagementServerView {
    stored: Vec<Option<String>>,
}

fn find_mapping(param: &str) -> Option<(usize, &'static OptionMapping)> {
    OPTIONS
        .iter()
        .enumerate()
        .find(|(_, mapping)| mapping.param == param)
}

impl ManagementServerView {
    fn stored_value(&self, index: usize, mapping: &OptionMapping) -> Value {
        let stored = self.stored.get(index).and_then(Option::as_deref);
        if let Some(value) = stored.and_then(|text| convert(mapping.kind, text)) {
            return value;
        }
        if let Some(text) = stored {
            log::warn!(
                "tr181: cwmpd.{}.{} = {text:?} is not valid, using {:?}",
                mapping.section,
                mapping.option,
                mapping.default
            );
        }
        convert(mapping.kind, mapping.default).unwrap_or(Value::String(String::new()))
    }
}

/// Read a UCI option's text as a value of `kind` (UCI booleans: 1/0, true/false, on/off,
/// yes/no, enabled/disabled). Text is shown exactly as stored: the daemon uses it so (a
/// username with a trailing space is what it sends), and GPV must show what it sends.
fn convert(kind: Kind, text: &str) -> Option<Value> {
    let trimmed = text.trim();
    match kind {
        Kind::Text => Some(Value::String(text.to_string())),
        Kind::Unsigned => trimmed.parse::<u32>().ok().map(Value::from),
        Kind::Boolean => match trimmed {
            "1" | "true" | "on" | "yes" | "enabled" => Some(Value::Boolean(true)),
            "0" | "false" | "off" | "no" | "disabled" => Some(Value::Boolean(false)),
            _ => None,
        },
        Kind::DateTime if trimmed.is_empty() || trimmed == UNKNOWN_TIME => {
            Some(Value::DateTime(UNKNOWN_TIME_SECS))
        }
        Kind::DateTime => parse_datetime(trimmed).map(Value::DateTime),
    }
}

/// TR-069 §3.1: the ACS URL is an HTTP or HTTPS URL. Empty is allowed (no ACS configured).
fn check_acs_url(url: &str) -> Result<(), Error> {
    let lower = url.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    let has_host = url.split_once("://").is_some_and(|(_, rest)| {
        !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace)
    });
    if url.is_empty() || (scheme_ok && has_host) {
        Ok(())
    } else {
        Err(Error::invalid_value(
            "",
            "the ACS URL must be an http:// or https:// URL",
        ))
    }
}

impl AreaView for ManagementServerView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        if let Some((index, mapping)) = find_mapping(param.name) {
            return Ok(self.stored_value(index, mapping));
        }
        let value = match param.name {
            "ParameterKey" => Value::String(truncate_chars(&ctx.runtime.parameter_key, 32)),
            "ConnectionRequestURL" => {
                Value::String(truncate_chars(&ctx.runtime.connection_request_url, 2048))
            }
            // TR-069 §3.6.1: the engine serves Alias and `[alias]` paths for every table.
            "AliasBasedAddressing" => Value::Boolean(true),
            "InstanceMode" => Value::from(InstanceMode::load(ctx.config)?.name()),
            "SupportedConnReqMethods" => Value::from("HTTP"),
            "InstanceWildcardsSupported" => Value::Boolean(true),
            _ => return Err(Error::not_served(param.name)),
        };
        Ok(value)
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        if param.name == "InstanceMode" {
            // Already checked against the enumeration; read by the engine (alias.rs).
            let (package, section, option) = INSTANCE_MODE_OPTION;
            tx.set_option(package, section, option, value.to_uci());
            return Ok(());
        }
        let Some((_, mapping)) = find_mapping(param.name) else {
            return Err(Error::not_writable(""));
        };
        if param.name == "URL" {
            check_acs_url(value.as_str().unwrap_or_default())?;
        }
        tx.set_option(
            CWMPD_PACKAGE,
            mapping.section,
            mapping.option,
            value.to_uci(),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_default_converts() {
        for mapping in OPTIONS {
            assert!(
                convert(mapping.kind, mapping.default).is_some(),
                "{}",
                mapping.param
            );
        }
    }

    #[test]
    fn uci_values_convert() {
        assert_eq!(convert(Kind::Boolean, "on"), Some(Value::Boolean(true)));
        assert_eq!(convert(Kind::Boolean, "0"), Some(Value::Boolean(false)));
        assert_eq!(convert(Kind::Boolean, "maybe"), None);
        assert_eq!(convert(Kind::Unsigned, "300"), Some(Value::Unsigned(300)));
        assert_eq!(convert(Kind::Unsigned, "-1"), None);
        assert_eq!(convert(Kind::Unsigned, " 300 "), Some(Value::Unsigned(300)));
        // Credentials read back as the daemon uses them, spaces and all.
        assert_eq!(
            convert(Kind::Text, " cpe "),
            Some(Value::String(" cpe ".into()))
        );
        assert_eq!(
            convert(Kind::DateTime, "2026-11-24T17:30:00Z"),
            Some(Value::DateTime(1_795_541_400))
        );
        assert_eq!(
            convert(Kind::DateTime, ""),
            Some(Value::DateTime(UNKNOWN_TIME_SECS))
        );
    }

    #[test]
    fn acs_urls() {
        assert!(check_acs_url("").is_ok());
        assert!(check_acs_url("http://acs.example.com:7547/").is_ok());
        assert!(check_acs_url("HTTPS://acs.example.com/cwmp").is_ok());
        assert!(check_acs_url("ftp://acs.example.com/").is_err());
        assert!(check_acs_url("http://").is_err());
        assert!(check_acs_url("acs.example.com").is_err());
    }
}
