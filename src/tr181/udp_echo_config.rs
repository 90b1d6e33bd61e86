//! `Device.IP.Diagnostics.UDPEchoConfig.` (TR-181 Device:2, TR-143 Appendix A.1): the UDP
//! echo server cwmpd runs. The settings are UCI `/etc/config/cwmpd`, section `udpecho`:
//! `enable`, `interface` (a netifd interface, shown as its `Device.IP.Interface.{i}`),
//! `source_ip`, `port` (default 7) and `echo_plus`; the daemon re-reads them when they
//! change and (re)starts the server. Its counters are the daemon's, in memory.

use super::ip_interface::{IpInterfaces, NETWORK_PACKAGE};
use super::uci_value::{ip_address, parse_bool, uci_bool};
use super::CWMPD_PACKAGE;
use crate::datamodel::{
    ActiveNotify, Area, AreaView, Context, Error, ObjectDef, ParamDef, ParamRef, Transaction, Type,
    Value,
};
use crate::diagnostics::udp_echo_config::{
    counter_value, DEFAULT_PORT, OBJECT, OPTION_ECHO_PLUS, OPTION_ENABLE, OPTION_INTERFACE,
    OPTION_PORT, OPTION_SOURCE, SECTION,
};

pub struct UdpEchoConfigArea;

impl Area for UdpEchoConfigArea {
    fn schema(&self) -> Vec<ObjectDef> {
        let counter =
            |name, ty: Type| ParamDef::read_only(name, ty).active_notify(ActiveNotify::CanDeny);
        vec![ObjectDef::new(OBJECT)
            .param(ParamDef::read_write("Enable", Type::boolean()))
            .param(ParamDef::read_write("Interface", Type::string(256)))
            .param(ParamDef::read_write(
                "SourceIPAddress",
                Type::string(45).data_type("IPAddress"),
            ))
            .param(ParamDef::read_write("UDPPort", Type::unsigned_int()))
            .param(ParamDef::read_write("EchoPlusEnabled", Type::boolean()))
            .param(ParamDef::read_only("EchoPlusSupported", Type::boolean()))
            .param(counter("PacketsReceived", Type::unsigned_int()))
            .param(counter("PacketsResponded", Type::unsigned_int()))
            .param(counter("BytesReceived", Type::unsigned_int()))
            .param(counter("BytesResponded", Type::unsigned_int()))
            .param(counter("TimeFirstPacketReceived", Type::date_time()))
            .param(counter("TimeLastPacketReceived", Type::date_time()))]
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        Ok(Box::new(UdpEchoConfigView { interfaces: None }))
    }
}

struct UdpEchoConfigView {
    /// `Device.IP.Interface` numbering, read when first needed in this RPC.
    interfaces: Option<IpInterfaces>,
}

impl UdpEchoConfigView {
    fn interfaces(&mut self, ctx: &mut Context<'_>) -> Result<&IpInterfaces, Error> {
        if self.interfaces.is_none() {
            let network = ctx.config.sections(NETWORK_PACKAGE)?;
            self.interfaces = Some(IpInterfaces::load(ctx, &network));
        }
        Ok(self.interfaces.get_or_insert_with(IpInterfaces::default))
    }
}

fn option(ctx: &mut Context<'_>, name: &str) -> Result<Option<String>, Error> {
    Ok(ctx.config.get(CWMPD_PACKAGE, SECTION, name)?)
}

fn flag(ctx: &mut Context<'_>, name: &str) -> Result<Value, Error> {
    let text = option(ctx, name)?.unwrap_or_default();
    Ok(Value::from(parse_bool(&text).unwrap_or(false)))
}

impl AreaView for UdpEchoConfigView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        Ok(match param.name {
            "Enable" => flag(ctx, OPTION_ENABLE)?,
            "EchoPlusEnabled" => flag(ctx, OPTION_ECHO_PLUS)?,
            "EchoPlusSupported" => Value::from(true),
            "SourceIPAddress" => Value::from(option(ctx, OPTION_SOURCE)?.unwrap_or_default()),
            "UDPPort" => {
                let port = option(ctx, OPTION_PORT)?.and_then(|p| p.trim().parse::<u16>().ok());
                Value::from(u32::from(port.unwrap_or(DEFAULT_PORT)))
            }
            "Interface" => {
                let name = option(ctx, OPTION_INTERFACE)?.unwrap_or_default();
                Value::from(self.interfaces(ctx)?.path(&name))
            }
            counter => counter_value(&ctx.runtime.volatile, counter)
                .ok_or_else(|| Error::not_served(param.name))?,
        })
    }

    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let text = value.as_str().unwrap_or_default().trim();
        let (option, stored) = match param.name {
            "Enable" => (
                OPTION_ENABLE,
                uci_bool(value.as_bool() == Some(true)).to_string(),
            ),
            "EchoPlusEnabled" => (
                OPTION_ECHO_PLUS,
                uci_bool(value.as_bool() == Some(true)).to_string(),
            ),
            "SourceIPAddress" => {
                if !text.is_empty() {
                    ip_address(text)?;
                }
                (OPTION_SOURCE, text.to_string())
            }
            "UDPPort" => {
                let port = value.as_u64().unwrap_or(0);
                if !(1..=65535).contains(&port) {
                    return Err(Error::invalid_value("", "a UDP port is 1 to 65535"));
                }
                (OPTION_PORT, port.to_string())
            }
            "Interface" if text.is_empty() => (OPTION_INTERFACE, String::new()),
            "Interface" => (
                OPTION_INTERFACE,
                self.interfaces(ctx)?.name(text)?.to_string(),
            ),
            _ => return Err(Error::not_writable("")),
        };
        tx.set_option(CWMPD_PACKAGE, SECTION, option, stored);
        Ok(())
    }
}
