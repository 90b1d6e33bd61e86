//! libuci's delta format (`delta.c`): one change per line, `[cmd]package.section[.option][='value']`,
//! the value quoted like an export (`'\''` for a quote). The command character is none for a
//! change, `+` add (an anonymous section, named by its `cfgXXXXXX` id), `-` remove, `@` rename,
//! `^` reorder, `|` add a list item, `~` delete a list item. libuci rejects `@type[n]`
//! addresses in deltas, so changes name sections by name or id.

use super::syntax::{self, is_valid_name, is_valid_package_name, is_valid_type, is_valid_value};
use super::UciError;

/// One staged change to a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `package.section='type'`: create the named section, or change its type.
    SetType {
        section: String,
        section_type: String,
    },
    /// `+package.cfgXXXXXX='type'`: add an anonymous section known by that id until reload.
    AddAnonymous {
        section: String,
        section_type: String,
    },
    /// `package.section.option='value'` (an empty value deletes the option, as in libuci).
    Set {
        section: String,
        option: String,
        value: String,
    },
    /// `-package.section[.option]`.
    Delete {
        section: String,
        option: Option<String>,
    },
    /// `|package.section.option='value'`.
    AddList {
        section: String,
        option: String,
        value: String,
    },
    /// `~package.section.option='value'`: remove every item equal to the value.
    DelList {
        section: String,
        option: String,
        value: String,
    },
    /// `@package.section[.option]='new_name'`.
    Rename {
        section: String,
        option: Option<String>,
        new_name: String,
    },
    /// `^package.section='position'`: move the section to that index.
    Reorder { section: String, position: usize },
}

impl Change {
    pub fn set(section: &str, option: &str, value: &str) -> Change {
        Change::Set {
            section: section.into(),
            option: option.into(),
            value: value.into(),
        }
    }

    pub fn delete_option(section: &str, option: &str) -> Change {
        Change::Delete {
            section: section.into(),
            option: Some(option.into()),
        }
    }

    pub fn delete_section(section: &str) -> Change {
        Change::Delete {
            section: section.into(),
            option: None,
        }
    }

    pub fn add_list(section: &str, option: &str, value: &str) -> Change {
        Change::AddList {
            section: section.into(),
            option: option.into(),
            value: value.into(),
        }
    }

    /// The changes that replace a list (or option) by `values`: delete, then add each item.
    pub fn set_list<S: AsRef<str>>(section: &str, option: &str, values: &[S]) -> Vec<Change> {
        let delete = Change::delete_option(section, option);
        let items = values
            .iter()
            .map(|value| Change::add_list(section, option, value.as_ref()));
        std::iter::once(delete).chain(items).collect()
    }

    /// The section the change is about.
    pub fn section(&self) -> &str {
        match self {
            Change::SetType { section, .. }
            | Change::AddAnonymous { section, .. }
            | Change::Set { section, .. }
            | Change::Delete { section, .. }
            | Change::AddList { section, .. }
            | Change::DelList { section, .. }
            | Change::Rename { section, .. }
            | Change::Reorder { section, .. } => section,
        }
    }

    /// The same change about another section (an address resolved to an id, say).
    pub fn with_section(&self, id: &str) -> Change {
        let mut change = self.clone();
        *change.section_mut() = id.to_string();
        change
    }

    fn section_mut(&mut self) -> &mut String {
        match self {
            Change::SetType { section, .. }
            | Change::AddAnonymous { section, .. }
            | Change::Set { section, .. }
            | Change::Delete { section, .. }
            | Change::AddList { section, .. }
            | Change::DelList { section, .. }
            | Change::Rename { section, .. }
            | Change::Reorder { section, .. } => section,
        }
    }

    fn option(&self) -> Option<&str> {
        match self {
            Change::Set { option, .. }
            | Change::AddList { option, .. }
            | Change::DelList { option, .. } => Some(option),
            Change::Delete { option, .. } | Change::Rename { option, .. } => option.as_deref(),
            Change::SetType { .. } | Change::AddAnonymous { .. } | Change::Reorder { .. } => None,
        }
    }

    fn command_char(&self) -> &'static str {
        match self {
            Change::SetType { .. } | Change::Set { .. } => "",
            Change::AddAnonymous { .. } => "+",
            Change::Delete { .. } => "-",
            Change::Rename { .. } => "@",
            Change::Reorder { .. } => "^",
            Change::AddList { .. } => "|",
            Change::DelList { .. } => "~",
        }
    }

    fn value(&self) -> Option<String> {
        match self {
            Change::SetType { section_type, .. } | Change::AddAnonymous { section_type, .. } => {
                Some(section_type.clone())
            }
            Change::Set { value, .. }
            | Change::AddList { value, .. }
            | Change::DelList { value, .. } => Some(value.clone()),
            Change::Rename { new_name, .. } => Some(new_name.clone()),
            Change::Reorder { position, .. } => Some(position.to_string()),
            Change::Delete { .. } => None,
        }
    }

    /// Check names and value the way libuci checks a delta line before accepting it.
    pub fn validate(&self) -> Result<(), UciError> {
        if !is_valid_name(self.section()) {
            return Err(UciError::InvalidName(self.section().into()));
        }
        if let Some(option) = self.option() {
            if !is_valid_name(option) {
                return Err(UciError::InvalidName(option.into()));
            }
        }
        match self {
            Change::SetType { section_type, .. } | Change::AddAnonymous { section_type, .. }
                if !is_valid_type(section_type) =>
            {
                Err(UciError::InvalidType(section_type.clone()))
            }
            Change::Rename { new_name, .. } if !is_valid_name(new_name) => {
                Err(UciError::InvalidName(new_name.clone()))
            }
            _ => match self.value() {
                Some(value) if !is_valid_value(&value) => Err(UciError::InvalidValue(value)),
                _ => Ok(()),
            },
        }
    }

    /// The delta line for `package`, without the line break (libuci's `uci_delta_save`).
    pub fn to_delta_line(&self, package: &str) -> String {
        let mut line = format!("{}{}.{}", self.command_char(), package, self.section());
        if let Some(option) = self.option() {
            line.push('.');
            line.push_str(option);
        }
        if let Some(value) = self.value() {
            line.push('=');
            line.push_str(&syntax::quote(&value));
        }
        line
    }

    /// Read one delta line of `package` (libuci's `uci_parse_delta_tuple`).
    pub fn parse_delta_line(package: &str, line: &str) -> Result<Change, UciError> {
        let invalid = || UciError::InvalidDelta(line.trim_end().to_string());
        let (argument, rest) = syntax::parse_single_argument(line).map_err(|_| invalid())?;
        if !rest.trim().is_empty() || !is_valid_package_name(package) {
            return Err(invalid());
        }
        let (command, pointer) = split_command(&argument);
        let (path, value) = match pointer.split_once('=') {
            Some((path, value)) => (path, Some(value)),
            None => (pointer, None),
        };
        let mut parts = path.split('.');
        let (Some(found_package), Some(section)) = (parts.next(), parts.next()) else {
            return Err(invalid());
        };
        let option = parts.next();
        if found_package != package || parts.next().is_some() {
            return Err(invalid());
        }
        let change = build(command, section, option, value).ok_or_else(invalid)?;
        change.validate().map_err(|_| invalid())?;
        Ok(change)
    }
}

fn split_command(argument: &str) -> (char, &str) {
    match argument.chars().next() {
        Some(c @ ('+' | '-' | '@' | '^' | '|' | '~')) => (c, &argument[1..]),
        _ => (' ', argument),
    }
}

fn build(
    command: char,
    section: &str,
    option: Option<&str>,
    value: Option<&str>,
) -> Option<Change> {
    let section = section.to_string();
    let option = option.map(str::to_string);
    if command != '-' && value.is_none() {
        return None;
    }
    let value = value.unwrap_or_default().to_string();
    let change = match (command, option) {
        // An empty value deletes, as `uci_set` does.
        (' ' | '+', option) if value.is_empty() => Change::Delete { section, option },
        (' ' | '+', Some(option)) => Change::Set {
            section,
            option,
            value,
        },
        (' ', None) => Change::SetType {
            section,
            section_type: value,
        },
        ('+', None) => Change::AddAnonymous {
            section,
            section_type: value,
        },
        // `-a.b.c=N` deletes list item N; cwmpd never writes it.
        ('-', option) if value.is_empty() => Change::Delete { section, option },
        ('@', option) => Change::Rename {
            section,
            option,
            new_name: value,
        },
        ('^', None) => Change::Reorder {
            section,
            position: value.parse().ok()?,
        },
        ('|', Some(option)) => Change::AddList {
            section,
            option,
            value,
        },
        ('~', Some(option)) => Change::DelList {
            section,
            option,
            value,
        },
        _ => return None,
    };
    Some(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(change: Change, line: &str) {
        assert_eq!(change.to_delta_line("network"), line);
        assert_eq!(Change::parse_delta_line("network", line), Ok(change));
    }

    #[test]
    fn delta_lines_match_libuci_format() {
        round_trip(
            Change::set("lan", "ipaddr", "192.168.2.1"),
            "network.lan.ipaddr='192.168.2.1'",
        );
        round_trip(Change::delete_option("lan", "dns"), "-network.lan.dns");
        round_trip(Change::delete_section("wan6"), "-network.wan6");
        round_trip(
            Change::add_list("lan", "dns", "it's"),
            "|network.lan.dns='it'\\''s'",
        );
        round_trip(
            Change::DelList {
                section: "lan".into(),
                option: "dns".into(),
                value: "1.1.1.1".into(),
            },
            "~network.lan.dns='1.1.1.1'",
        );
        round_trip(
            Change::AddAnonymous {
                section: "cfg0a3579".into(),
                section_type: "wifi-iface".into(),
            },
            "+network.cfg0a3579='wifi-iface'",
        );
        round_trip(
            Change::SetType {
                section: "guest".into(),
                section_type: "interface".into(),
            },
            "network.guest='interface'",
        );
        round_trip(
            Change::Rename {
                section: "cfg0a3579".into(),
                option: None,
                new_name: "guest".into(),
            },
            "@network.cfg0a3579='guest'",
        );
        round_trip(
            Change::Reorder {
                section: "guest".into(),
                position: 2,
            },
            "^network.guest='2'",
        );
    }

    #[test]
    fn older_unquoted_delta_lines_read_too() {
        assert_eq!(
            Change::parse_delta_line("network", "network.lan.proto=static\n"),
            Ok(Change::set("lan", "proto", "static"))
        );
        assert_eq!(
            Change::parse_delta_line("network", "network.lan.gateway=''"),
            Ok(Change::delete_option("lan", "gateway"))
        );
    }

    #[test]
    fn bad_delta_lines_are_refused() {
        for line in [
            "network.@interface[0].proto='dhcp'",
            "wireless.lan.proto='dhcp'",
            "network.lan.proto",
            "network.lan.a.b='c'",
            "^network.lan.proto='1'",
            "@network.lan='bad-name'",
            "network.lan.proto='dhcp' extra",
        ] {
            assert_eq!(
                Change::parse_delta_line("network", line),
                Err(UciError::InvalidDelta(line.into())),
                "{line}"
            );
        }
    }

    #[test]
    fn validation_refuses_what_libuci_refuses() {
        assert_eq!(
            Change::set("lan", "ip-addr", "x").validate(),
            Err(UciError::InvalidName("ip-addr".into()))
        );
        assert_eq!(
            Change::set("lan", "ipaddr", "a\nb").validate(),
            Err(UciError::InvalidValue("a\nb".into()))
        );
        assert_eq!(
            Change::set_list("lan", "dns", &["1.1.1.1", "8.8.8.8"]),
            vec![
                Change::delete_option("lan", "dns"),
                Change::add_list("lan", "dns", "1.1.1.1"),
                Change::add_list("lan", "dns", "8.8.8.8"),
            ]
        );
    }
}
