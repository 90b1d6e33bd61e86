//! `Device.DHCPv4.Client.{i}` (TR-181 Device:2): one client per UCI `network` `interface`
//! section with `proto 'dhcp'` (netifd runs udhcpc for it), numbered by section name. The
//! lease comes from netifd (`network.interface dump`).
//!
//! | TR-181 `Client.{i}.` | source | notes |
//! |---|---|---|
//! | Enable, Status | UCI `disabled` | the client runs exactly while its interface is enabled: switching one switches the other (see `netifd_interface.rs`) |
//! | Interface | — | the `Device.IP.Interface.{i}` of the section; only the current value may be written |
//! | DHCPStatus | netifd | `Bound` while up, `Selecting` while pending (udhcpc discovering), else `Init` |
//! | IPAddress, SubnetMask, IPRouters, DNSServers, DHCPServer | netifd | the lease's address, the default routes' gateways, the IPv4 DNS servers, `data.dhcpserver` |
//! | LeaseTimeRemaining | netifd `data.leasetime`, `uptime` | see [`lease_time_remaining`] |
//! | Renew | — | `ubus call network.interface.NAME renew` after the session (udhcpc renews at once) |
//!
//! AddObject/DeleteObject are refused (9001): a client is the protocol of an interface.
//! `Device.DHCPv4.ClientNumberOfEntries` belongs on `Device.DHCPv4.`: `dhcpv4.rs` serves it
//! with [`client_sections`]. Not served: the SentOption/ReqOption tables and Retransmission (udhcpc's
//! options are not in UCI in a form that maps cleanly).

use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE};
use super::netifd_interface as netifd_if;
use super::section_table::instance_number;
use crate::datamodel::{
    ActiveNotify, Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamDef,
    ParamRef, Transaction, Type, Value,
};
use crate::live::services::NetifdInterface;
use crate::platform::Action;

const CLIENT: &str = "Device.DHCPv4.Client.{i}.";

/// The lease seconds left, or −1 for an infinite lease; 0 without a lease.
///
/// netifd tells the lease time (`data.leasetime`) and how long the interface has been up,
/// not when the lease was last renewed. udhcpc renews at half the lease time (T1), and a
/// renewal grants the lease anew, so the lease now running started `uptime mod (lease/2)`
/// seconds ago.
pub(crate) fn lease_time_remaining(iface: &NetifdInterface) -> i64 {
    let (Some(lease), Some(uptime)) = (iface.lease_time, iface.uptime) else {
        return 0;
    };
    if !iface.up {
        return 0;
    }
    if lease == u32::MAX {
        return -1;
    }
    let renew_interval = u64::from(lease / 2).max(1);
    i64::from(lease) - (uptime % renew_interval) as i64
}

/// The interface sections that are DHCPv4 clients (also counted by `dhcpv4.rs` for
/// `Device.DHCPv4.ClientNumberOfEntries`).
pub(crate) fn client_sections(network: &[ConfigSection]) -> Vec<&ConfigSection> {
    netifd_if::interface_sections(network)
        .into_iter()
        .filter(|section| netifd_if::proto(section) == "dhcp")
        .collect()
}

/// `Device.DHCPv4.Client.{i}.`
pub struct Dhcpv4ClientArea;

impl Area for Dhcpv4ClientArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let ipv4 = || Type::string(15).data_type("IPv4Address");
        vec![ObjectDef::writable_table(CLIENT)
            .param(ParamDef::read_write("Enable", Type::boolean()))
            .param(ParamDef::read_write("Interface", Type::string(256)))
            .param(ParamDef::read_only(
                "Status",
                Type::any_string().enumeration(&["Disabled", "Enabled", "Error_Misconfigured"]),
            ))
            .param(ParamDef::read_only(
                "DHCPStatus",
                Type::any_string().enumeration(&[
                    "Init",
                    "Selecting",
                    "Requesting",
                    "Rebinding",
                    "Bound",
                    "Renewing",
                ]),
            ))
            .param(ParamDef::read_only("IPAddress", ipv4()))
            .param(ParamDef::read_only("SubnetMask", ipv4()))
            .param(ParamDef::read_only(
                "IPRouters",
                ipv4().list().list_max_len(256),
            ))
            .param(ParamDef::read_only(
                "DNSServers",
                ipv4().list().list_max_len(256),
            ))
            .param(
                ParamDef::read_only("LeaseTimeRemaining", Type::int().range(Some(-1), None))
                    .active_notify(ActiveNotify::CanDeny),
            )
            .param(ParamDef::read_only("DHCPServer", ipv4()))
            .param(ParamDef::read_write("Renew", Type::boolean()))]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        let interfaces = IpInterfaces::load(ctx, &network);
        let sections = client_sections(&network);
        let names: Vec<&str> = sections.iter().map(|s| s.name.as_str()).collect();
        let numbered = ctx.instances.table(CLIENT).assign(&names);
        let clients = numbered
            .into_iter()
            .filter_map(|(number, name)| {
                let section = sections.iter().find(|s| s.name == name)?;
                Some((number, (*section).clone()))
            })
            .collect();
        Ok(Box::new(ClientView {
            clients,
            interfaces,
        }))
    }
}

struct ClientView {
    clients: Vec<(u32, ConfigSection)>,
    interfaces: IpInterfaces,
}

impl ClientView {
    fn client(&self, instances: &[u32]) -> Result<&ConfigSection, Error> {
        let number = instance_number(instances)?;
        self.clients
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, section)| section)
            .ok_or_else(|| Error::invalid_name(""))
    }
}

fn joined<T: ToString>(items: impl Iterator<Item = T>) -> String {
    items.map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

impl AreaView for ClientView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let section = self.client(param.instances)?;
        let live = netifd_if::netifd(ctx.live, &section.name);
        let lease = live.filter(|iface| iface.up);
        let address = lease.and_then(|iface| iface.ipv4_addresses.first());
        let text = |text: Option<String>| Value::String(text.unwrap_or_default());
        Ok(match param.name {
            "Enable" => Value::Boolean(netifd_if::enabled(section)),
            "Interface" => Value::String(self.interfaces.path(&section.name)),
            "Status" => Value::from(match netifd_if::enabled(section) {
                true => "Enabled",
                false => "Disabled",
            }),
            "DHCPStatus" => Value::from(match live {
                Some(iface) if iface.up => "Bound",
                Some(iface) if iface.pending => "Selecting",
                _ => "Init",
            }),
            "IPAddress" => text(address.map(|a| a.address.to_string())),
            "SubnetMask" => text(address.map(|a| {
                let bits = u32::MAX
                    .checked_shl(32 - u32::from(a.prefix_len))
                    .unwrap_or(0);
                core::net::Ipv4Addr::from(bits).to_string()
            })),
            "IPRouters" => text(lease.map(|iface| joined(iface.ipv4_routers().into_iter()))),
            "DNSServers" => {
                text(lease.map(|iface| {
                    joined(iface.dns_servers.iter().filter(|server| server.is_ipv4()))
                }))
            }
            "LeaseTimeRemaining" => Value::Int(lease.map_or(0, lease_time_remaining)),
            "DHCPServer" => text(lease.and_then(|iface| iface.dhcp_server.map(|s| s.to_string()))),
            "Renew" => Value::Boolean(false),
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
        let section = self.client(param.instances)?;
        let flag = value.as_bool().unwrap_or_default();
        match param.name {
            "Enable" => netifd_if::set_enabled(tx, section, flag),
            "Interface" => {
                let wanted = value.as_str().unwrap_or_default();
                if self.interfaces.name(wanted)? != section.name {
                    return Err(Error::invalid_value(
                        "",
                        "a DHCP client belongs to the interface whose protocol it is",
                    ));
                }
            }
            "Renew" if flag => tx.after_session(Action::UbusCall {
                object: format!("network.interface.{}", section.name),
                method: "renew".into(),
            }),
            "Renew" => {}
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(self.clients.iter().map(|(number, _)| *number).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::lease_time_remaining;
    use crate::backend::test_router::Router;
    use crate::live::services::netifd::test_router;
    use crate::live::services::NetifdInterface;
    use crate::platform::Action;

    fn router() -> Router {
        let mut router = Router::new(&[("network", "network-23.05")]);
        router.live.services.netifd = test_router();
        router
    }

    #[test]
    fn the_wan_lease() {
        let mut router = router();
        let values = router.values_below("Device.DHCPv4.Client.");
        let expected: Vec<(String, String)> = [
            ("1.Enable", "true"),
            ("1.Interface", "Device.IP.Interface.3"),
            ("1.Status", "Enabled"),
            ("1.DHCPStatus", "Bound"),
            ("1.IPAddress", "203.0.113.57"),
            ("1.SubnetMask", "255.255.255.0"),
            ("1.IPRouters", "203.0.113.1"),
            ("1.DNSServers", "203.0.113.53"),
            // 86400 − 4120 (the fixture's uptime, still before the first renewal at 43200).
            ("1.LeaseTimeRemaining", "82280"),
            ("1.DHCPServer", "203.0.113.1"),
            ("1.Renew", "false"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(values, expected);
    }

    #[test]
    fn lease_time_after_renewals() {
        let lease = |lease: Option<u32>, uptime: u64| NetifdInterface {
            up: true,
            lease_time: lease,
            uptime: Some(uptime),
            ..NetifdInterface::default()
        };
        assert_eq!(lease_time_remaining(&lease(Some(3600), 100)), 3500);
        assert_eq!(lease_time_remaining(&lease(Some(3600), 1900)), 3500);
        assert_eq!(lease_time_remaining(&lease(Some(u32::MAX), 5)), -1);
        assert_eq!(lease_time_remaining(&lease(None, 5)), 0);
    }

    #[test]
    fn renew_asks_netifd_after_the_session() {
        let mut router = router();
        assert_eq!(
            router.spv(&[("Device.DHCPv4.Client.1.Renew", "true")]),
            Ok(1)
        );
        assert_eq!(
            router.actions,
            [Action::UbusCall {
                object: "network.interface.wan".into(),
                method: "renew".into()
            }]
        );
        assert!(router.changed_packages.is_empty());
        assert_eq!(
            router.spv(&[("Device.DHCPv4.Client.1.Renew", "false")]),
            Ok(0)
        );
        assert!(router.actions.is_empty());
        assert_eq!(
            router.spv_faults(&[
                ("Device.DHCPv4.Client.1.Interface", "Device.IP.Interface.2"),
                ("Device.DHCPv4.Client.1.IPAddress", "203.0.113.2"),
            ]),
            (
                9003,
                vec![
                    ("Device.DHCPv4.Client.1.Interface".into(), 9007),
                    ("Device.DHCPv4.Client.1.IPAddress".into(), 9008),
                ]
            )
        );
        router
            .spv(&[("Device.DHCPv4.Client.1.Enable", "false")])
            .unwrap();
        assert!(router.file("network").contains("\toption disabled '1'\n"));
        assert_eq!(router.value("Device.DHCPv4.Client.1.Status"), "Disabled");
        assert_eq!(router.add("Device.DHCPv4.Client."), Err(9001));
    }
}
