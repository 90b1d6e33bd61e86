//! `Device.DNS.Relay.` (TR-181 Device:2): dnsmasq's DNS forwarder, over the first UCI `dhcp`
//! `dnsmasq` section.
//!
//! | TR-181 | source | notes |
//! |---|---|---|
//! | Relay.Enable, Status | `port` | dnsmasq answers DNS unless `port '0'`; disabling writes `port '0'`, enabling removes it |
//! | Forwarding.{i} (static) | the `server` list's plain addresses | writable DNSServer, keyed `server:<address>`; Type `Static`, Interface empty (dnsmasq picks the route); items naming a domain (`/lan/…`), a port (`#`) or a device (`@`) are not listed and kept as they are |
//! | Forwarding.{i} (learnt) | netifd's `dns-server` of every interface | what dnsmasq reads from `resolvfile` (netifd writes it), unless `noresolv '1'`; read-only (9008), Type as for `DNS.Client.Server` (`Static` for an interface's UCI `dns`), keyed `netifd:<iface>\|<address>` |
//!
//! Enable of a forwarding row is always true: a server dnsmasq should not use is removed
//! (DeleteObject on a static row removes its item; learnt rows are refused, 9001), so
//! writing false is refused (9007). AddObject is refused (9001): an item needs its address
//! before it can be written. Changes commit `dhcp`; the daemon then reloads dnsmasq.

use core::net::IpAddr;
use std::collections::BTreeMap;

use super::dns::{enabled_status, learnt_type, server_table};
use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE};
use super::section_table::instance_number;
use super::uci_value::{bool_option, ip_address};
use crate::datamodel::{
    Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};
use crate::live::LiveState;

const DHCP: &str = "dhcp";
const RELAY: &str = "Device.DNS.Relay.";
const FORWARDING: &str = "Device.DNS.Relay.Forwarding.{i}.";
const STATIC_PREFIX: &str = "server:";

/// `Device.DNS.Relay.`
pub struct DnsRelayArea;

impl Area for DnsRelayArea {
    fn schema(&self) -> Vec<ObjectDef> {
        vec![
            ObjectDef::new(RELAY)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only("Status", enabled_status()))
                .param(ParamDef::read_only(
                    "ForwardNumberOfEntries",
                    Type::unsigned_int(),
                )),
            server_table(FORWARDING),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let dhcp = ctx.config.sections(DHCP)?;
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        let interfaces = IpInterfaces::load(ctx, &network);
        let dnsmasq = dhcp
            .into_iter()
            .find(|section| section.section_type == "dnsmasq");
        let rows = match &dnsmasq {
            Some(section) => rows(ctx.live, section, &network),
            None => Vec::new(),
        };
        let keys: Vec<&str> = rows.iter().map(|(key, _)| key.as_str()).collect();
        let numbers: Vec<(u32, String)> = ctx
            .instances
            .table(FORWARDING)
            .assign(&keys)
            .into_iter()
            .map(|(number, key)| (number, key.to_string()))
            .collect();
        let forwarding = numbers
            .into_iter()
            .filter_map(|(number, key)| {
                let row = rows.iter().find(|(k, _)| *k == key)?.1.clone();
                Some((number, row))
            })
            .collect();
        Ok(Box::new(RelayView {
            dnsmasq,
            forwarding,
            interfaces,
            pending: BTreeMap::new(),
        }))
    }
}

/// One forwarding server.
#[derive(Debug, Clone)]
struct Forward {
    address: String,
    /// The netifd interface that learnt it; `None` for a `server` item.
    interface: Option<String>,
    kind: &'static str,
}

/// The static rows, then (unless `noresolv`) the servers netifd wrote for dnsmasq.
fn rows(
    live: &LiveState,
    dnsmasq: &ConfigSection,
    network: &[ConfigSection],
) -> Vec<(String, Forward)> {
    let mut rows: Vec<(String, Forward)> = static_servers(dnsmasq)
        .into_iter()
        .map(|address| {
            let row = Forward {
                address: address.clone(),
                interface: None,
                kind: "Static",
            };
            (format!("{STATIC_PREFIX}{address}"), row)
        })
        .collect();
    if bool_option(dnsmasq, "noresolv", false) {
        return rows;
    }
    for iface in &live.services.netifd.interfaces {
        let configured: Vec<&str> = network
            .iter()
            .find(|s| s.section_type == "interface" && s.name == iface.name)
            .map(|s| {
                s.list("dns")
                    .into_iter()
                    .flat_map(str::split_whitespace)
                    .collect()
            })
            .unwrap_or_default();
        for address in &iface.dns_servers {
            let text = address.to_string();
            let kind = match configured.contains(&text.as_str()) {
                true => "Static",
                false => match learnt_type(&iface.proto, address) {
                    Some(kind) => kind,
                    None => continue,
                },
            };
            let key = format!("netifd:{}|{text}", iface.name);
            if !rows.iter().any(|(known, _)| *known == key) {
                let row = Forward {
                    address: text,
                    interface: Some(iface.name.clone()),
                    kind,
                };
                rows.push((key, row));
            }
        }
    }
    rows
}

/// The plain addresses of the `server` list.
fn static_servers(dnsmasq: &ConfigSection) -> Vec<String> {
    dnsmasq
        .list("server")
        .into_iter()
        .filter_map(|item| item.trim().parse::<IpAddr>().ok())
        .map(|address| address.to_string())
        .collect()
}

struct RelayView {
    dnsmasq: Option<ConfigSection>,
    forwarding: Vec<(u32, Forward)>,
    interfaces: IpInterfaces,
    /// New addresses of static rows, by number.
    pending: BTreeMap<u32, String>,
}

impl RelayView {
    fn forward(&self, number: u32) -> Result<&Forward, Error> {
        self.forwarding
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, row)| row)
            .ok_or_else(|| Error::invalid_name(""))
    }

    fn enabled(&self) -> bool {
        self.dnsmasq
            .as_ref()
            .is_some_and(|section| section.get("port").as_deref().map(str::trim) != Some("0"))
    }

    fn dnsmasq(&self) -> Result<&ConfigSection, Error> {
        self.dnsmasq
            .as_ref()
            .ok_or_else(|| Error::invalid_value("", "dnsmasq is not configured"))
    }

    fn set_relay(&self, value: &Value, tx: &mut Transaction) -> Result<(), Error> {
        let section = self.dnsmasq()?;
        match (value.as_bool().unwrap_or_default(), self.enabled()) {
            (true, false) => tx.delete_option(DHCP, &section.name, "port"),
            (false, true) => tx.set_option(DHCP, &section.name, "port", "0"),
            _ => {}
        }
        Ok(())
    }

    /// Stage the `server` list with `replace(item)` applied to each item.
    fn stage_list(&self, tx: &mut Transaction, replace: impl Fn(&str) -> Option<String>) {
        let Some(section) = &self.dnsmasq else {
            return;
        };
        let items: Vec<String> = section
            .list("server")
            .into_iter()
            .filter_map(&replace)
            .collect();
        tx.set_list(DHCP, &section.name, "server", items);
    }
}

/// An item of `server` as a plain address (to match it with a row).
fn plain(item: &str) -> Option<String> {
    item.trim().parse::<IpAddr>().ok().map(|a| a.to_string())
}

impl AreaView for RelayView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let _ = ctx;
        if param.object == RELAY {
            return Ok(match param.name {
                "Enable" => Value::Boolean(self.enabled()),
                "Status" => Value::from(if self.enabled() {
                    "Enabled"
                } else {
                    "Disabled"
                }),
                "ForwardNumberOfEntries" => Value::Unsigned(self.forwarding.len() as u64),
                other => return Err(Error::not_served(other)),
            });
        }
        let row = self.forward(instance_number(param.instances)?)?;
        Ok(match param.name {
            "Enable" => Value::Boolean(true),
            "Status" => Value::from("Enabled"),
            "DNSServer" => Value::String(row.address.clone()),
            "Interface" => Value::String(
                row.interface
                    .as_deref()
                    .map(|name| self.interfaces.path(name))
                    .unwrap_or_default(),
            ),
            "Type" => Value::from(row.kind),
            other => return Err(Error::not_served(other)),
        })
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        if param.object == RELAY {
            return self.set_relay(value, tx);
        }
        let number = instance_number(param.instances)?;
        if self.forward(number)?.interface.is_some() {
            return Err(Error::not_writable(""));
        }
        let text = value.as_str().unwrap_or_default().trim();
        match param.name {
            "Enable" if value.as_bool() == Some(true) => Ok(()),
            "Enable" => Err(Error::invalid_value(
                "",
                "dnsmasq has no disabled servers: delete the object instead",
            )),
            "Interface" if text.is_empty() => Ok(()),
            "Interface" => Err(Error::invalid_value(
                "",
                "dnsmasq reaches its servers by the routing table",
            )),
            "DNSServer" => {
                self.pending.insert(number, ip_address(text)?.to_string());
                Ok(())
            }
            _ => Err(Error::not_writable("")),
        }
    }

    /// The servers netifd gives dnsmasq (through its resolv file) are netifd's.
    fn read_only_instance(&mut self, _ctx: &mut Context<'_>, instance: ObjectRef<'_>) -> bool {
        let row = instance_number(instance.instances).and_then(|n| self.forward(n));
        instance.object != RELAY && row.is_ok_and(|row| row.interface.is_some())
    }

    fn finish_set(&mut self, _ctx: &mut Context<'_>, tx: &mut Transaction) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        for (number, new) in &self.pending {
            let old = self.forward(*number)?.address.clone();
            let taken = self
                .forwarding
                .iter()
                .any(|(n, row)| n != number && row.interface.is_none() && row.address == *new);
            if taken {
                return Err(Error::SetParameterValues(vec![Error::invalid_value(
                    &format!("Device.DNS.Relay.Forwarding.{number}.DNSServer"),
                    format!("{new} is already a forwarding server"),
                )]));
            }
            if old != *new {
                renames.insert(old, new.clone());
            }
        }
        self.stage_list(tx, |item| {
            Some(match plain(item).and_then(|p| renames.get(&p)) {
                Some(new) => new.clone(),
                None => item.to_string(),
            })
        });
        for (old, new) in &renames {
            let (from, to) = (
                format!("{STATIC_PREFIX}{old}"),
                format!("{STATIC_PREFIX}{new}"),
            );
            tx.rename_instance(FORWARDING, &from, &to);
        }
        Ok(())
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(self.forwarding.iter().map(|(number, _)| *number).collect())
    }

    fn delete_instance(
        &mut self,
        _ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let row = self.forward(instance_number(instance.instances)?)?;
        if row.interface.is_some() {
            return Err(Error::RequestDenied(
                "a server netifd learnt goes with its interface".into(),
            ));
        }
        let address = row.address.clone();
        self.stage_list(tx, |item| match plain(item) {
            Some(p) if p == address => None,
            _ => Some(item.to_string()),
        });
        tx.forget_instance(FORWARDING, &format!("{STATIC_PREFIX}{address}"));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::backend::test_router::{fixture, Router};
    use crate::live::services::netifd::test_router;

    const DNSMASQ_END: &str = "\toption ednspacket_max '1232'\n";

    fn dhcp(extra: &str) -> String {
        fixture("dhcp-24.10").replace(DNSMASQ_END, &format!("{DNSMASQ_END}{extra}"))
    }

    fn router(extra: &str) -> Router {
        let mut router = Router::new(&[("network", "network-23.05"), ("dhcp", "dhcp-24.10")]);
        router.write_file("dhcp", &dhcp(extra));
        router.live.services.netifd = test_router();
        router
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    const SERVERS: &str =
        "\tlist server '/example.com/10.0.0.53'\n\tlist server '1.1.1.1'\n\tlist server '9.9.9.9'\n";

    #[test]
    fn static_and_learnt_forwarders() {
        let mut router = router(SERVERS);
        assert_eq!(
            router.values_below("Device.DNS.Relay."),
            pairs(&[
                ("Enable", "true"),
                ("Status", "Enabled"),
                ("ForwardNumberOfEntries", "3"),
                ("Forwarding.1.Enable", "true"),
                ("Forwarding.1.Status", "Enabled"),
                ("Forwarding.1.DNSServer", "1.1.1.1"),
                ("Forwarding.1.Interface", ""),
                ("Forwarding.1.Type", "Static"),
                ("Forwarding.2.Enable", "true"),
                ("Forwarding.2.Status", "Enabled"),
                ("Forwarding.2.DNSServer", "9.9.9.9"),
                ("Forwarding.2.Interface", ""),
                ("Forwarding.2.Type", "Static"),
                ("Forwarding.3.Enable", "true"),
                ("Forwarding.3.Status", "Enabled"),
                ("Forwarding.3.DNSServer", "203.0.113.53"),
                ("Forwarding.3.Interface", "Device.IP.Interface.3"),
                ("Forwarding.3.Type", "DHCPv4"),
            ])
        );
        let mut router = self::router(&format!("{SERVERS}\toption noresolv '1'\n"));
        assert_eq!(router.value("Device.DNS.Relay.ForwardNumberOfEntries"), "2");
    }

    #[test]
    fn static_forwarders_are_edited_in_the_server_list() {
        let mut router = router(SERVERS);
        router
            .spv(&[
                ("Device.DNS.Relay.Forwarding.2.DNSServer", "149.112.112.112"),
                ("Device.DNS.Relay.Enable", "false"),
            ])
            .unwrap();
        assert_eq!(router.changed_packages, ["dhcp"]);
        assert_eq!(
            router.file("dhcp"),
            // UCI's set_list writes the list anew at the end of the section.
            dhcp(
                "\toption port '0'\n\tlist server '/example.com/10.0.0.53'\n\
                 \tlist server '1.1.1.1'\n\tlist server '149.112.112.112'\n"
            )
        );
        assert_eq!(router.value("Device.DNS.Relay.Status"), "Disabled");
        router.delete("Device.DNS.Relay.Forwarding.1.").unwrap();
        let mut router = router.restart();
        router.live.services.netifd = test_router();
        assert_eq!(
            router.value("Device.DNS.Relay.Forwarding.2.DNSServer"),
            "149.112.112.112"
        );
        assert_eq!(
            router.spv_faults(&[
                ("Device.DNS.Relay.Forwarding.3.DNSServer", "192.0.2.1"),
                ("Device.DNS.Relay.Forwarding.2.Enable", "false"),
            ]),
            (
                9003,
                vec![
                    ("Device.DNS.Relay.Forwarding.3.DNSServer".into(), 9008),
                    ("Device.DNS.Relay.Forwarding.2.Enable".into(), 9007),
                ]
            )
        );
        assert_eq!(router.delete("Device.DNS.Relay.Forwarding.3."), Err(9001));
        assert_eq!(router.add("Device.DNS.Relay.Forwarding."), Err(9001));
    }
}
