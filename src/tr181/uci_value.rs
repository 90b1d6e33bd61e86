//! Reading and writing UCI option text the way OpenWrt's scripts do (`config_get_bool`, …).

use core::net::{IpAddr, Ipv4Addr};

use crate::datamodel::{ConfigSection, Error};

/// A UCI boolean (`config_get_bool`: 1/0, true/false, on/off, yes/no, enabled/disabled).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "1" | "true" | "on" | "yes" | "enabled" => Some(true),
        "0" | "false" | "off" | "no" | "disabled" => Some(false),
        _ => None,
    }
}

/// A boolean option with the default its service assumes when the option is unset or not a
/// boolean.
pub(crate) fn bool_option(section: &ConfigSection, option: &str, default: bool) -> bool {
    section
        .get(option)
        .and_then(|text| parse_bool(&text))
        .unwrap_or(default)
}

/// The spelling cwmpd writes.
pub(crate) fn uci_bool(flag: bool) -> &'static str {
    if flag {
        "1"
    } else {
        "0"
    }
}

/// A dotted-quad IPv4 address, or 9007 naming what was expected.
pub(crate) fn ipv4(text: &str) -> Result<Ipv4Addr, Error> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid_value("", format!("{text:?} is not an IPv4 address")))
}

/// An IPv4 or IPv6 address, or 9007 naming what was expected.
pub(crate) fn ip_address(text: &str) -> Result<IpAddr, Error> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid_value("", format!("{text:?} is not an IP address")))
}

/// The section of `sections` named `name`.
pub(crate) fn named<'a>(sections: &'a [ConfigSection], name: &str) -> Option<&'a ConfigSection> {
    sections.iter().find(|section| section.name == name)
}
