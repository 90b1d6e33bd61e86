//! `Device.Firewall.` (TR-181 Device:2) over fw4's UCI `firewall`, only where the two models
//! meet.
//!
//! | TR-181 | UCI `firewall` | notes |
//! |---|---|---|
//! | Enable | — | always true: fw4 has no switch in UCI (only the init script can stop it), so writing false is 9007 |
//! | Config | the `input` and `forward` policies of the masquerading (WAN) zones | `Low` ("traffic denied inbound, all outbound permitted", stock OpenWrt) when every WAN zone rejects or drops both; otherwise `Advanced`: the zones' own rules decide. Writing `Low` sets both policies of every WAN zone that accepts to `REJECT` (what OpenWrt ships); `Advanced` is accepted and changes nothing; `High` ("minimally permit common services outbound") has no fw4 equivalent and is 9007 |
//! | Type | — | `Stateful` (nftables connection tracking) |
//!
//! Not mapped: Level, Chain, Policy, DMZ, InterfaceSetting and the `defaults` section
//! (`syn_flood`, `flow_offloading`, the default `input`/`output`/`forward` policies): fw4's
//! zone-and-rule model does not map onto TR-181's chains without inventing a translation
//! that LuCI would not show. Port forwards are `Device.NAT.PortMapping`. Changes commit
//! `firewall`; the daemon then reloads it.

use super::uci_value::bool_option;
use crate::datamodel::{
    Area, AreaView, ConfigSection, Context, Error, ObjectDef, ParamDef, ParamRef, Transaction,
    Type, Value,
};

const FIREWALL: &str = "firewall";
const OBJECT: &str = "Device.Firewall.";
const LOW: &str = "Low";
const ADVANCED: &str = "Advanced";
/// What OpenWrt ships for its WAN zone.
const STOCK_WAN_POLICY: &str = "REJECT";

/// `Device.Firewall.`
pub struct FirewallArea;

impl Area for FirewallArea {
    fn schema(&self) -> Vec<ObjectDef> {
        vec![ObjectDef::new(OBJECT)
            .param(ParamDef::read_write("Enable", Type::boolean()))
            .param(ParamDef::read_write(
                "Config",
                Type::any_string().enumeration(&["High", LOW, ADVANCED]),
            ))
            .param(ParamDef::read_only(
                "Type",
                Type::any_string().enumeration(&["Stateless", "Stateful"]),
            ))]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let firewall = ctx.config.sections(FIREWALL)?;
        let wan_zones = firewall
            .into_iter()
            .filter(|s| s.section_type == "zone" && bool_option(s, "masq", false))
            .collect();
        Ok(Box::new(FirewallView { wan_zones }))
    }
}

struct FirewallView {
    wan_zones: Vec<ConfigSection>,
}

/// An explicit `REJECT` or `DROP` policy (an unset zone policy follows the `defaults`
/// section, which may accept, so it does not count).
fn denies(zone: &ConfigSection, chain: &str) -> bool {
    zone.get(chain)
        .is_some_and(|policy| matches!(policy.to_ascii_uppercase().as_str(), "REJECT" | "DROP"))
}

impl FirewallView {
    fn inbound_denied(&self) -> bool {
        !self.wan_zones.is_empty()
            && self
                .wan_zones
                .iter()
                .all(|zone| denies(zone, "input") && denies(zone, "forward"))
    }

    fn stage_low(&self, tx: &mut Transaction) {
        for zone in &self.wan_zones {
            for chain in ["input", "forward"] {
                if !denies(zone, chain) {
                    tx.set_option(FIREWALL, &zone.name, chain, STOCK_WAN_POLICY);
                }
            }
        }
    }
}

impl AreaView for FirewallView {
    fn get(&mut self, _ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        Ok(match param.name {
            "Enable" => Value::Boolean(true),
            "Config" if self.inbound_denied() => Value::from(LOW),
            "Config" => Value::from(ADVANCED),
            "Type" => Value::from("Stateful"),
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
        match (param.name, value) {
            ("Enable", Value::Boolean(true)) => Ok(()),
            ("Enable", _) => Err(Error::invalid_value(
                "",
                "fw4 cannot be switched off through its configuration",
            )),
            ("Config", Value::String(config)) if config == LOW && self.wan_zones.is_empty() => Err(
                Error::invalid_value("", "there is no WAN (masquerading) zone"),
            ),
            ("Config", Value::String(config)) if config == LOW => {
                self.stage_low(tx);
                Ok(())
            }
            ("Config", Value::String(config)) if config == ADVANCED => Ok(()),
            ("Config", _) => Err(Error::invalid_value(
                "",
                "High (minimal outbound services) has no fw4 equivalent",
            )),
            _ => Err(Error::not_writable("")),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::backend::test_router::{fixture, Router};

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn stock_firewalls_deny_inbound() {
        for stock in ["firewall-23.05-stock", "firewall-24.10"] {
            let mut router = Router::new(&[("firewall", stock)]);
            assert_eq!(
                router.values_below("Device.Firewall."),
                pairs(&[("Enable", "true"), ("Config", "Low"), ("Type", "Stateful")]),
                "{stock}"
            );
        }
    }

    #[test]
    fn low_restores_the_stock_wan_policies() {
        let mut router = Router::new(&[("firewall", "firewall-24.10")]);
        let open = fixture("firewall-24.10").replace(
            "\toption input 'REJECT'\n\toption output 'ACCEPT'\n\toption forward 'REJECT'\n\toption masq '1'\n",
            "\toption input 'ACCEPT'\n\toption output 'ACCEPT'\n\toption forward 'DROP'\n\toption masq '1'\n",
        );
        router.write_file("firewall", &open);
        assert_eq!(router.value("Device.Firewall.Config"), "Advanced");
        assert_eq!(router.spv(&[("Device.Firewall.Config", "Advanced")]), Ok(0));
        assert!(router.changed_packages.is_empty());
        assert_eq!(router.spv(&[("Device.Firewall.Config", "Low")]), Ok(0));
        assert_eq!(router.changed_packages, ["firewall"]);
        assert_eq!(
            router.file("firewall"),
            open.replace(
                "\toption input 'ACCEPT'\n\toption output 'ACCEPT'\n\toption forward 'DROP'\n\toption masq '1'\n",
                "\toption input 'REJECT'\n\toption output 'ACCEPT'\n\toption forward 'DROP'\n\toption masq '1'\n",
            )
        );
        assert_eq!(router.value("Device.Firewall.Config"), "Low");
    }

    #[test]
    fn what_fw4_cannot_do_is_refused() {
        let mut router = Router::new(&[("firewall", "firewall-24.10")]);
        assert_eq!(
            router.spv_faults(&[
                ("Device.Firewall.Enable", "false"),
                ("Device.Firewall.Config", "High"),
                ("Device.Firewall.Config", "Policy"),
            ]),
            (9003, vec![])
        );
        assert_eq!(
            router.spv_faults(&[
                ("Device.Firewall.Enable", "false"),
                ("Device.Firewall.Config", "High"),
                ("Device.Firewall.Type", "Stateless"),
            ]),
            (
                9003,
                vec![
                    ("Device.Firewall.Enable".into(), 9007),
                    ("Device.Firewall.Config".into(), 9007),
                    ("Device.Firewall.Type".into(), 9008),
                ]
            )
        );
        assert_eq!(
            router.spv_faults(&[("Device.Firewall.Config", "Policy")]),
            (9003, vec![("Device.Firewall.Config".into(), 9007)])
        );
        assert_eq!(router.file("firewall"), fixture("firewall-24.10"));
    }
}
