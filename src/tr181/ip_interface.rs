//! References to `Device.IP.Interface.{i}` (TR-181 `pathRef` parameters such as
//! `NAT.PortMapping.{i}.Interface` or `DHCPv4.Server.Pool.{i}.Interface`).
//!
//! An IP interface is a UCI `network` `interface` section (`lan`, `wan`, `wan6`, …). Its
//! instance number comes from the shared table `Device.IP.Interface.{i}.` keyed by the
//! section name, numbered in file order the first time any area refers to an interface; the
//! `Device.IP.` area uses the same table, so references and objects agree. Values are written
//! without a trailing dot (`Device.IP.Interface.2`), as TR-181 shows references; both forms
//! are accepted on write.

use crate::datamodel::{ConfigSection, Context, Error};

pub(crate) const NETWORK_PACKAGE: &str = "network";
pub(crate) const IP_INTERFACE_TABLE: &str = "Device.IP.Interface.{i}.";
const PATH_PREFIX: &str = "Device.IP.Interface.";

/// The numbered IP interfaces of one RPC.
#[derive(Debug, Clone, Default)]
pub(crate) struct IpInterfaces {
    /// `(number, interface name)`, ascending by number.
    numbered: Vec<(u32, String)>,
}

impl IpInterfaces {
    /// Number the `interface` sections of `network` (every section of the package).
    pub fn load(ctx: &mut Context<'_>, network: &[ConfigSection]) -> IpInterfaces {
        let names: Vec<&str> = network
            .iter()
            .filter(|section| section.section_type == "interface" && !section.anonymous)
            .map(|section| section.name.as_str())
            .collect();
        let numbered = ctx.instances.table(IP_INTERFACE_TABLE).assign(&names);
        IpInterfaces {
            numbered: numbered
                .into_iter()
                .map(|(number, name)| (number, name.to_string()))
                .collect(),
        }
    }

    /// The reference to interface `name`; empty when there is no such interface.
    pub fn path(&self, name: &str) -> String {
        self.numbered
            .iter()
            .find(|(_, known)| known == name)
            .map(|(number, _)| format!("{PATH_PREFIX}{number}"))
            .unwrap_or_default()
    }

    /// The instance number of interface `name`.
    pub fn number(&self, name: &str) -> Option<u32> {
        self.numbered
            .iter()
            .find(|(_, known)| known == name)
            .map(|(number, _)| *number)
    }

    /// The interface a reference names; 9007 when it names none (TR-181 strong references
    /// must point at an existing object).
    pub fn name(&self, path: &str) -> Result<&str, Error> {
        let number = path
            .strip_prefix(PATH_PREFIX)
            .map(|rest| rest.strip_suffix('.').unwrap_or(rest))
            .and_then(|digits| digits.parse::<u32>().ok());
        number
            .and_then(|number| self.numbered.iter().find(|(n, _)| *n == number))
            .map(|(_, name)| name.as_str())
            .ok_or_else(|| {
                Error::invalid_value("", format!("{path:?} is not a Device.IP.Interface"))
            })
    }
}
