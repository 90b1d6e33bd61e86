//! `Device.PPP.` (TR-181 Device:2): one `Interface.{i}` per UCI `network` `interface`
//! section with `proto 'pppoe'` (netifd runs pppd for it through `ppp.sh`), numbered by
//! section name. Live values come from netifd (`crate::live::services::netifd`).
//!
//! | TR-181 `Interface.{i}.` | source | notes |
//! |---|---|---|
//! | Enable, Status, Reset, Stats | UCI `disabled`, netifd | as for IP interfaces (`netifd_interface.rs`) |
//! | Name | — | `pppoe-<section>`, the name `ppp.sh` gives pppd's device |
//! | LowerLayers | `device` | [`lower_layers`]: the Ethernet link or VLANTermination of the device; only the current value may be written |
//! | ConnectionStatus | netifd | `Connected` while up, `Connecting` while pending, else `Disconnected` (netifd does not tell authentication apart) |
//! | LastConnectionError | netifd `errors` | see [`connection_error`] |
//! | Username, Password | `username`, `password` | Password reads empty (TR-181 `secured`) |
//! | LCPEcho, LCPEchoRetry | `keepalive` `"<failures> <interval>"` | `ppp.sh`'s default `5 1`; writing keeps the other half |
//! | IPv6CPEnable | `ipv6` | on unless `0` (`ppp.sh`: unset and `auto` mean on); writing false sets `0`, true `auto` |
//! | PPPoE.ACName, PPPoE.ServiceName | `ac`, `service` | empty: any |
//! | IPCP.LocalIPAddress, RemoteIPAddress, DNSServers | netifd | the address, its peer (`ptpaddress`, else the default route's gateway), the IPv4 DNS servers pppd learnt |
//!
//! Not served: SessionID (pppd keeps it to itself), AuthenticationProtocol, MRU sizes and
//! ConnectionTrigger (no clean mapping yet). AddObject/DeleteObject are refused (9001): a PPP
//! interface is the protocol of an IP interface, changed through UCI `proto`.

use std::collections::BTreeMap;

use super::ethernet::EthernetLayers;
use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE};
use super::link_layer::interface_device;
use super::netifd_interface::{self as netifd_if, INTERFACE_STATUS, PPP_PROTOS};
use super::section_table::instance_number;
use crate::datamodel::{
    Area, AreaView, ConfigSection, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};
use crate::live::services::NetifdInterface;

const PPP: &str = "Device.PPP.";
pub(crate) const PPP_INTERFACE_TABLE: &str = "Device.PPP.Interface.{i}.";
const PPPOE: &str = "Device.PPP.Interface.{i}.PPPoE.";
const IPCP: &str = "Device.PPP.Interface.{i}.IPCP.";
const STATS: &str = "Device.PPP.Interface.{i}.Stats.";
const PATH_PREFIX: &str = "Device.PPP.Interface.";
/// `ppp.sh`'s LCP echo default: 5 failures, 1 s apart.
const DEFAULT_KEEPALIVE: (u32, u32) = (5, 1);

/// The PPP interfaces of one RPC, numbered by section name (shared with the IP area's
/// LowerLayers so both agree).
#[derive(Debug, Clone, Default)]
pub(crate) struct PppInterfaces {
    numbered: Vec<(u32, ConfigSection)>,
}

impl PppInterfaces {
    pub fn load(ctx: &mut Context<'_>, network: &[ConfigSection]) -> PppInterfaces {
        let sections: Vec<&ConfigSection> = netifd_if::interface_sections(network)
            .into_iter()
            .filter(|section| PPP_PROTOS.contains(&netifd_if::proto(section).as_str()))
            .collect();
        let names: Vec<&str> = sections.iter().map(|s| s.name.as_str()).collect();
        let numbered = ctx.instances.table(PPP_INTERFACE_TABLE).assign(&names);
        PppInterfaces {
            numbered: numbered
                .into_iter()
                .filter_map(|(number, name)| {
                    let section = sections.iter().find(|s| s.name == name)?;
                    Some((number, (*section).clone()))
                })
                .collect(),
        }
    }

    /// The reference to the PPP interface of IP interface `name`; empty when it has none.
    pub fn path(&self, name: &str) -> String {
        self.numbered
            .iter()
            .find(|(_, section)| section.name == name)
            .map(|(number, _)| format!("{PATH_PREFIX}{number}"))
            .unwrap_or_default()
    }

    fn section(&self, number: u32) -> Result<&ConfigSection, Error> {
        self.numbered
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, section)| section)
            .ok_or_else(|| Error::invalid_name(""))
    }
}

/// The layer a PPP interface runs over: the PPPoE session runs over the Ethernet link (or the
/// VLANTermination, for a VLAN such as `eth0.7`) of the section's `device`.
pub(crate) fn lower_layers(section: &ConfigSection, ethernet: &EthernetLayers) -> String {
    let device = interface_device(section).unwrap_or_default();
    ethernet.path(&device)
}

/// `(Device.PPP.Interface.N, LowerLayers)` of every PPP interface, for
/// `Device.InterfaceStack.`.
pub(crate) fn stack_layers(
    ctx: &mut Context<'_>,
    network: &[ConfigSection],
) -> Vec<(String, String)> {
    let interfaces = PppInterfaces::load(ctx, network);
    let ethernet = EthernetLayers::load(ctx, network);
    let mut layers = Vec::new();
    for (number, section) in &interfaces.numbered {
        let lower = lower_layers(section, &ethernet);
        layers.push((format!("{PATH_PREFIX}{number}"), lower));
    }
    layers
}

/// TR-181 LastConnectionError for the last error `ppp.sh` reported to netifd
/// (`proto_notify_error` with `ppp_exitcode_tostring`'s names, `AUTH_FAILED` from stock
/// OpenWrt for pppd exit codes 11 and 19); `ERROR_NONE` when there is none.
pub(crate) fn connection_error(iface: Option<&NetifdInterface>) -> &'static str {
    let Some(code) = iface.and_then(|iface| iface.errors.last()) else {
        return "ERROR_NONE";
    };
    match code.code.as_str() {
        "OK" => "ERROR_NONE",
        "AUTH_FAILED" | "PEER_AUTH_FAILED" | "AUTH_TOPEER_FAILED" | "CNID_AUTH_FAILED" => {
            "ERROR_AUTHENTICATION_FAILURE"
        }
        // The access concentrator never answered the discovery (PADI/PADO).
        "CONNECT_FAILED" => "ERROR_ISP_TIME_OUT",
        "USER_REQUEST" => "ERROR_USER_DISCONNECT",
        "IDLE_TIMEOUT" => "ERROR_IDLE_DISCONNECT",
        "CONNECT_TIME" => "ERROR_FORCED_DISCONNECT",
        // LCP echoes unanswered, or the peer hung up.
        "PEER_DEAD" | "HANGUP" => "ERROR_ISP_DISCONNECT",
        "NEGOTIATION_FAILED" => "ERROR_IP_CONFIGURATION",
        "OPTION_ERROR" | "INVALID_OPTIONS" => "ERROR_COMMAND_ABORTED",
        _ => "ERROR_UNKNOWN",
    }
}

/// `Device.PPP.`
pub struct PppArea;

impl Area for PppArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let ipv4 = || Type::string(15).data_type("IPv4Address");
        vec![
            ObjectDef::new(PPP)
                .param(ParamDef::read_only(
                    "InterfaceNumberOfEntries",
                    Type::unsigned_int(),
                ))
                .param(ParamDef::read_only(
                    "SupportedNCPs",
                    Type::any_string()
                        .enumeration(&["ATCP", "IPCP", "IPXCP", "NBFCP", "IPv6CP"])
                        .list(),
                )),
            ObjectDef::writable_table(PPP_INTERFACE_TABLE)
                .param(ParamDef::read_write("Enable", Type::boolean()))
                .param(ParamDef::read_only(
                    "Status",
                    Type::any_string().enumeration(INTERFACE_STATUS),
                ))
                .param(ParamDef::read_only("Name", Type::string(64)))
                .param(ParamDef::read_write(
                    "LowerLayers",
                    Type::any_string().list().list_max_len(1024),
                ))
                .param(ParamDef::read_only(
                    "ConnectionStatus",
                    Type::any_string().enumeration(&[
                        "Unconfigured",
                        "Connecting",
                        "Authenticating",
                        "Connected",
                        "PendingDisconnect",
                        "Disconnecting",
                        "Disconnected",
                    ]),
                ))
                .param(ParamDef::read_only(
                    "LastConnectionError",
                    Type::any_string().enumeration(CONNECTION_ERRORS),
                ))
                .param(ParamDef::read_write("Username", Type::string(64)))
                .param(ParamDef::read_write("Password", Type::string(64)).hidden())
                .param(ParamDef::read_write("LCPEcho", Type::unsigned_int()))
                .param(ParamDef::read_write("LCPEchoRetry", Type::unsigned_int()))
                .param(ParamDef::read_write("IPv6CPEnable", Type::boolean()))
                .param(ParamDef::read_write("Reset", Type::boolean())),
            netifd_if::stats_object(STATS),
            ObjectDef::new(PPPOE)
                .param(ParamDef::read_write("ACName", Type::string(256)))
                .param(ParamDef::read_write("ServiceName", Type::string(256))),
            ObjectDef::new(IPCP)
                .param(ParamDef::read_only("LocalIPAddress", ipv4()))
                .param(ParamDef::read_only("RemoteIPAddress", ipv4()))
                .param(ParamDef::read_only("DNSServers", ipv4().list())),
        ]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let network = ctx.config.sections(NETWORK_PACKAGE)?;
        // Number the IP interfaces first, as every area does, so numbers follow file order.
        let _ = IpInterfaces::load(ctx, &network);
        let interfaces = PppInterfaces::load(ctx, &network);
        let ethernet = EthernetLayers::load(ctx, &network);
        let lower = interfaces
            .numbered
            .iter()
            .map(|(_, section)| (section.name.clone(), lower_layers(section, &ethernet)))
            .collect();
        Ok(Box::new(PppView { interfaces, lower }))
    }
}

const CONNECTION_ERRORS: &[&str] = &[
    "ERROR_NONE",
    "ERROR_ISP_TIME_OUT",
    "ERROR_COMMAND_ABORTED",
    "ERROR_NOT_ENABLED_FOR_INTERNET",
    "ERROR_BAD_PHONE_NUMBER",
    "ERROR_USER_DISCONNECT",
    "ERROR_ISP_DISCONNECT",
    "ERROR_IDLE_DISCONNECT",
    "ERROR_FORCED_DISCONNECT",
    "ERROR_SERVER_OUT_OF_RESOURCES",
    "ERROR_RESTRICTED_LOGON_HOURS",
    "ERROR_ACCOUNT_DISABLED",
    "ERROR_ACCOUNT_EXPIRED",
    "ERROR_PASSWORD_EXPIRED",
    "ERROR_AUTHENTICATION_FAILURE",
    "ERROR_NO_DIALTONE",
    "ERROR_NO_CARRIER",
    "ERROR_NO_ANSWER",
    "ERROR_LINE_BUSY",
    "ERROR_UNSUPPORTED_BITSPERSECOND",
    "ERROR_TOO_MANY_LINE_ERRORS",
    "ERROR_IP_CONFIGURATION",
    "ERROR_UNKNOWN",
];

struct PppView {
    interfaces: PppInterfaces,
    /// LowerLayers by section name.
    lower: BTreeMap<String, String>,
}

/// `keepalive` as `(failures, interval)`: `ppp.sh` takes the first and last words.
fn keepalive(section: &ConfigSection) -> (u32, u32) {
    let Some(text) = section.get("keepalive") else {
        return DEFAULT_KEEPALIVE;
    };
    let mut words = text.split([' ', ',']).filter(|word| !word.is_empty());
    let failures = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
    // One word: `ppp.sh` uses an interval of 5 s.
    let interval = words
        .next_back()
        .map_or(Some(5), |w| w.parse().ok())
        .unwrap_or(DEFAULT_KEEPALIVE.1);
    (failures, interval)
}

fn text_option(section: &ConfigSection, option: &str) -> Value {
    Value::String(section.get(option).unwrap_or_default())
}

impl PppView {
    fn lower_layers(&self, section: &ConfigSection) -> String {
        self.lower.get(&section.name).cloned().unwrap_or_default()
    }

    fn interface_value(
        &self,
        ctx: &Context<'_>,
        section: &ConfigSection,
        name: &str,
    ) -> Result<Value, Error> {
        let live = netifd_if::netifd(ctx.live, &section.name);
        Ok(match name {
            "Enable" => Value::Boolean(netifd_if::enabled(section)),
            "Status" => Value::from(netifd_if::status(ctx.live, section)),
            "Name" => Value::String(format!("pppoe-{}", section.name)),
            "LowerLayers" => Value::String(self.lower_layers(section)),
            "ConnectionStatus" => Value::from(match live {
                Some(iface) if iface.up => "Connected",
                Some(iface) if iface.pending => "Connecting",
                _ => "Disconnected",
            }),
            "LastConnectionError" => Value::from(connection_error(live)),
            "Username" => text_option(section, "username"),
            "Password" => Value::String(String::new()),
            "LCPEcho" => Value::Unsigned(keepalive(section).1.into()),
            "LCPEchoRetry" => Value::Unsigned(keepalive(section).0.into()),
            "IPv6CPEnable" => Value::Boolean(section.get("ipv6").as_deref() != Some("0")),
            "Reset" => Value::Boolean(false),
            other => return Err(Error::not_served(other)),
        })
    }

    fn ipcp_value(&self, live: Option<&NetifdInterface>, name: &str) -> Result<Value, Error> {
        let address = live.and_then(|iface| iface.ipv4_addresses.first());
        Ok(Value::String(match name {
            "LocalIPAddress" => address.map(|a| a.address.to_string()).unwrap_or_default(),
            "RemoteIPAddress" => address
                .and_then(|a| a.peer)
                .or_else(|| live.and_then(|iface| iface.ipv4_routers().first().copied()))
                .map(|peer| peer.to_string())
                .unwrap_or_default(),
            "DNSServers" => live
                .map(|iface| {
                    let v4 = iface.dns_servers.iter().filter(|a| a.is_ipv4());
                    v4.map(ToString::to_string).collect::<Vec<_>>().join(",")
                })
                .unwrap_or_default(),
            other => return Err(Error::not_served(other)),
        }))
    }

    fn set_interface(
        &self,
        section: &ConfigSection,
        name: &str,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let text = value.as_str().unwrap_or_default();
        let flag = value.as_bool().unwrap_or_default();
        let set = |tx: &mut Transaction, option: &str, text: &str| match text.is_empty() {
            true => tx.delete_option(NETWORK_PACKAGE, &section.name, option),
            false => tx.set_option(NETWORK_PACKAGE, &section.name, option, text),
        };
        match name {
            "Enable" => netifd_if::set_enabled(tx, section, flag),
            "LowerLayers" if text == self.lower_layers(section) => {}
            "LowerLayers" => {
                return Err(Error::invalid_value(
                    "",
                    "the PPPoE session runs over the interface's configured device",
                ))
            }
            "Username" => set(tx, "username", text),
            "Password" => set(tx, "password", text),
            "LCPEcho" | "LCPEchoRetry" => {
                let (mut failures, mut interval) = keepalive(section);
                let number = value.as_u64().unwrap_or_default() as u32;
                match name {
                    "LCPEcho" => interval = number,
                    _ => failures = number,
                }
                set(tx, "keepalive", &format!("{failures} {interval}"));
            }
            "IPv6CPEnable" => set(tx, "ipv6", if flag { "auto" } else { "0" }),
            "Reset" if flag => netifd_if::reset(tx, &section.name),
            "Reset" => {}
            _ => return Err(Error::not_writable("")),
        }
        Ok(())
    }
}

impl AreaView for PppView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        if param.object == PPP {
            return Ok(match param.name {
                "InterfaceNumberOfEntries" => {
                    Value::Unsigned(self.interfaces.numbered.len() as u64)
                }
                "SupportedNCPs" => Value::from("IPCP,IPv6CP"),
                other => return Err(Error::not_served(other)),
            });
        }
        let number = *param
            .instances
            .first()
            .ok_or_else(|| Error::invalid_name(""))?;
        let section = self.interfaces.section(number)?;
        let live = netifd_if::netifd(ctx.live, &section.name);
        match param.object {
            PPP_INTERFACE_TABLE => self.interface_value(ctx, section, param.name),
            PPPOE => Ok(match param.name {
                "ACName" => text_option(section, "ac"),
                "ServiceName" => text_option(section, "service"),
                other => return Err(Error::not_served(other)),
            }),
            IPCP => self.ipcp_value(live, param.name),
            STATS => {
                // pppd's device exists only while the session runs.
                let device = live
                    .map(|iface| iface.l3_device.clone())
                    .filter(|l3| !l3.is_empty())
                    .unwrap_or_else(|| format!("pppoe-{}", section.name));
                let stats = netifd_if::device_stats(ctx.live, Some(&device));
                netifd_if::stats_value(&stats, param.name)
                    .ok_or_else(|| Error::not_served(param.name))
            }
            _ => Err(Error::not_served(param.name)),
        }
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let number = instance_number(&param.instances[..1])?;
        let section = self.interfaces.section(number)?.clone();
        match param.object {
            PPP_INTERFACE_TABLE => self.set_interface(&section, param.name, value, tx),
            PPPOE => {
                let option = match param.name {
                    "ACName" => "ac",
                    _ => "service",
                };
                match value.as_str().unwrap_or_default() {
                    "" => tx.delete_option(NETWORK_PACKAGE, &section.name, option),
                    text => tx.set_option(NETWORK_PACKAGE, &section.name, option, text),
                }
                Ok(())
            }
            _ => Err(Error::not_writable("")),
        }
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(self.interfaces.numbered.iter().map(|(n, _)| *n).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::connection_error;
    use crate::backend::test_router::{fixture, Router};
    use crate::live::services::netifd::{parse, NetifdError};
    use crate::live::services::NetifdInterface;

    /// The stock 24.10 network: `wan` is PPPoE (Device.PPP.Interface.1).
    fn router(live: serde_json::Value) -> Router {
        let mut router = Router::new(&[("network", "network-24.10")]);
        router.live.services.netifd = parse(&live, &serde_json::Value::Null);
        router
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_connected_session() {
        let mut router = router(serde_json::json!({"interface": [
            {"interface": "wan", "up": true, "pending": false, "available": true,
             "proto": "pppoe", "device": "wan", "l3_device": "pppoe-wan", "uptime": 60,
             "ipv4-address": [{"address": "198.51.100.7", "mask": 32,
                               "ptpaddress": "198.51.100.1"}],
             "dns-server": ["198.51.100.53", "198.51.100.54", "2001:db8::53"], "data": {}}
        ]}));
        assert_eq!(
            router.values_below("Device.PPP."),
            pairs(&[
                ("InterfaceNumberOfEntries", "1"),
                ("SupportedNCPs", "IPCP,IPv6CP"),
                ("Interface.1.Enable", "true"),
                ("Interface.1.Status", "Up"),
                ("Interface.1.Name", "pppoe-wan"),
                ("Interface.1.LowerLayers", "Device.Ethernet.Link.2"),
                ("Interface.1.ConnectionStatus", "Connected"),
                ("Interface.1.LastConnectionError", "ERROR_NONE"),
                ("Interface.1.Username", "user@isp.example"),
                ("Interface.1.Password", ""),
                ("Interface.1.LCPEcho", "1"),
                ("Interface.1.LCPEchoRetry", "5"),
                ("Interface.1.IPv6CPEnable", "true"),
                ("Interface.1.Reset", "false"),
                ("Interface.1.Stats.BytesSent", "0"),
                ("Interface.1.Stats.BytesReceived", "0"),
                ("Interface.1.Stats.PacketsSent", "0"),
                ("Interface.1.Stats.PacketsReceived", "0"),
                ("Interface.1.Stats.ErrorsSent", "0"),
                ("Interface.1.Stats.ErrorsReceived", "0"),
                ("Interface.1.Stats.DiscardPacketsSent", "0"),
                ("Interface.1.Stats.DiscardPacketsReceived", "0"),
                ("Interface.1.Stats.MulticastPacketsReceived", "0"),
                ("Interface.1.PPPoE.ACName", ""),
                ("Interface.1.PPPoE.ServiceName", ""),
                ("Interface.1.IPCP.LocalIPAddress", "198.51.100.7"),
                ("Interface.1.IPCP.RemoteIPAddress", "198.51.100.1"),
                ("Interface.1.IPCP.DNSServers", "198.51.100.53,198.51.100.54"),
            ])
        );
        assert_eq!(
            router.value("Device.IP.Interface.3.IPv4Address.1.AddressingType"),
            "IPCP"
        );
    }

    #[test]
    fn a_failed_authentication() {
        let mut router = router(serde_json::json!({"interface": [
            {"interface": "wan", "up": false, "pending": true, "available": true,
             "proto": "pppoe", "device": "wan", "data": {},
             "errors": [{"subsystem": "pppoe", "code": "AUTH_FAILED"}]}
        ]}));
        assert_eq!(
            router.gpv(&[
                "Device.PPP.Interface.1.Status",
                "Device.PPP.Interface.1.ConnectionStatus",
                "Device.PPP.Interface.1.LastConnectionError",
                "Device.PPP.Interface.1.IPCP.LocalIPAddress",
            ]),
            Ok(pairs(&[
                ("Device.PPP.Interface.1.Status", "Dormant"),
                ("Device.PPP.Interface.1.ConnectionStatus", "Connecting"),
                (
                    "Device.PPP.Interface.1.LastConnectionError",
                    "ERROR_AUTHENTICATION_FAILURE"
                ),
                ("Device.PPP.Interface.1.IPCP.LocalIPAddress", ""),
            ]))
        );
    }

    #[test]
    fn error_codes_map_onto_tr181() {
        let with = |code: &str| NetifdInterface {
            errors: vec![NetifdError {
                subsystem: "pppoe".into(),
                code: code.into(),
            }],
            ..NetifdInterface::default()
        };
        assert_eq!(connection_error(None), "ERROR_NONE");
        for (code, expected) in [
            ("PEER_AUTH_FAILED", "ERROR_AUTHENTICATION_FAILURE"),
            ("CONNECT_FAILED", "ERROR_ISP_TIME_OUT"),
            ("PEER_DEAD", "ERROR_ISP_DISCONNECT"),
            ("IDLE_TIMEOUT", "ERROR_IDLE_DISCONNECT"),
            ("LOCK_FAILED", "ERROR_UNKNOWN"),
        ] {
            assert_eq!(connection_error(Some(&with(code))), expected, "{code}");
        }
    }

    #[test]
    fn credentials_and_pppoe_options_are_written_to_uci() {
        let mut router = router(serde_json::Value::Null);
        router
            .spv(&[
                ("Device.PPP.Interface.1.Username", "other@isp.example"),
                ("Device.PPP.Interface.1.Password", "s3cret"),
                ("Device.PPP.Interface.1.LCPEcho", "10"),
                ("Device.PPP.Interface.1.IPv6CPEnable", "false"),
                ("Device.PPP.Interface.1.PPPoE.ServiceName", "internet"),
            ])
            .unwrap();
        assert_eq!(router.changed_packages, ["network"]);
        assert_eq!(
            router.file("network"),
            fixture("network-24.10").replace(
                "\toption username 'user@isp.example'\n\toption password 'p@ss w0rd'\n\
                 \toption ipv6 'auto'\n",
                "\toption username 'other@isp.example'\n\toption password 's3cret'\n\
                 \toption ipv6 '0'\n\toption keepalive '5 10'\n\toption service 'internet'\n"
            )
        );
        assert_eq!(router.value("Device.PPP.Interface.1.Password"), "");
        assert_eq!(router.value("Device.PPP.Interface.1.Status"), "Unknown");
        assert_eq!(router.add("Device.PPP.Interface."), Err(9001));
        assert_eq!(router.delete("Device.PPP.Interface.1."), Err(9001));
    }
}
