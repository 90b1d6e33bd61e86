//! `Device.IP.Diagnostics.UDPEchoDiagnostics.` with its `IndividualPacketResult.{i}.` table and
//! `Device.IP.Diagnostics.ServerSelectionDiagnostics.` (TR-181 Device:2, TR-143 §5, §6), kept
//! in the daemon's memory like IPPing (see [`super::ip_diagnostics`]).

use super::ip_diagnostics::DiagnosticsWrite;
use crate::datamodel::{
    ActiveNotify, Area, AreaView, Context, Error, ObjectDef, ObjectRef, ParamDef, ParamRef,
    Transaction, Type, Value,
};
use crate::diagnostics::server_selection::{self, MAX_HOSTS, PROTOCOLS};
use crate::diagnostics::udp_echo::{self, PACKET_RESULT};

pub struct EchoDiagnosticsArea;

fn can_deny(def: ParamDef) -> ParamDef {
    def.active_notify(ActiveNotify::CanDeny)
}

fn state_type(states: &'static [&'static str]) -> Type {
    Type::any_string()
        .enumeration(states)
        .data_type("DiagnosticsState")
}

fn protocol_version() -> ParamDef {
    ParamDef::read_write(
        "ProtocolVersion",
        Type::any_string().enumeration(&["Any", "IPv4", "IPv6"]),
    )
}

fn address_used() -> ParamDef {
    ParamDef::read_only("IPAddressUsed", Type::string(45).data_type("IPAddress"))
}

fn range(min: i128, max: Option<i128>) -> Type {
    Type::unsigned_int().range(Some(min), max)
}

fn udp_echo_object() -> ObjectDef {
    let input = |name, ty| can_deny(ParamDef::read_write(name, ty));
    ObjectDef::new(udp_echo::OBJECT)
        .param(can_deny(ParamDef::read_write(
            "DiagnosticsState",
            state_type(udp_echo::STATES),
        )))
        .param(ParamDef::read_write("Interface", Type::string(256)))
        .param(input("Host", Type::string(256)))
        .param(input("Port", range(1, Some(65535))))
        .param(input("NumberOfRepetitions", range(1, None)))
        .param(input("Timeout", range(1, None)))
        .param(input("DataBlockSize", range(1, Some(65535))))
        .param(input("DSCP", range(0, Some(63))))
        .param(input("InterTransmissionTime", range(1, Some(65535))))
        .param(protocol_version())
        .param(address_used())
        .param(ParamDef::read_only("SuccessCount", Type::unsigned_int()))
        .param(ParamDef::read_only("FailureCount", Type::unsigned_int()))
        .param(ParamDef::read_only(
            "AverageResponseTime",
            Type::unsigned_int(),
        ))
        .param(ParamDef::read_only(
            "MinimumResponseTime",
            Type::unsigned_int(),
        ))
        .param(ParamDef::read_only(
            "MaximumResponseTime",
            Type::unsigned_int(),
        ))
        .param(input("EnableIndividualPacketResults", Type::boolean()))
        .param(ParamDef::read_only(
            "UDPEchoDiagnosticsMaxResults",
            range(1, None),
        ))
        .param(ParamDef::read_only(
            "IndividualPacketResultNumberOfEntries",
            Type::unsigned_int(),
        ))
}

fn packet_result_object() -> ObjectDef {
    let count = |name| ParamDef::read_only(name, Type::unsigned_int());
    ObjectDef::new(PACKET_RESULT)
        .without_alias()
        .param(ParamDef::read_only("PacketSuccess", Type::boolean()))
        .param(ParamDef::read_only("PacketSendTime", Type::date_time()))
        .param(ParamDef::read_only("PacketReceiveTime", Type::date_time()))
        .param(count("TestGenSN"))
        .param(count("TestRespSN"))
        .param(count("TestRespRcvTimeStamp"))
        .param(count("TestRespReplyTimeStamp"))
        .param(count("TestRespReplyFailureCount"))
}

fn server_selection_object() -> ObjectDef {
    let result = |name| can_deny(ParamDef::read_only(name, Type::unsigned_int()));
    ObjectDef::new(server_selection::OBJECT)
        .param(can_deny(ParamDef::read_write(
            "DiagnosticsState",
            state_type(server_selection::STATES),
        )))
        .param(ParamDef::read_write("Interface", Type::string(256)))
        .param(protocol_version())
        .param(ParamDef::read_write(
            "Protocol",
            Type::any_string().enumeration(PROTOCOLS),
        ))
        .param(ParamDef::read_write("HostList", Type::string(256).list()))
        .param(ParamDef::read_write("NumberOfRepetitions", range(1, None)))
        .param(ParamDef::read_write("Timeout", range(1, None)))
        .param(can_deny(ParamDef::read_only(
            "FastestHost",
            Type::any_string(),
        )))
        .param(result("MinimumResponseTime"))
        .param(result("AverageResponseTime"))
        .param(ParamDef::read_only(
            "MaximumResponseTime",
            Type::unsigned_int(),
        ))
        .param(address_used())
}

impl Area for EchoDiagnosticsArea {
    fn schema(&self) -> Vec<ObjectDef> {
        vec![
            udp_echo_object(),
            packet_result_object(),
            server_selection_object(),
        ]
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        Ok(Box::new(EchoDiagnosticsView { requested: false }))
    }
}

struct EchoDiagnosticsView {
    requested: bool,
}

impl AreaView for EchoDiagnosticsView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let values = &ctx.runtime.volatile;
        let value = match (param.object, param.instances) {
            (PACKET_RESULT, [row]) => udp_echo::packet_value(values, *row, param.name),
            (server_selection::OBJECT, _) => server_selection::value(values, param.name),
            _ => udp_echo::value(values, param.name),
        };
        value.ok_or_else(|| Error::not_served(param.name))
    }

    fn instances(
        &mut self,
        ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(udp_echo::packet_instances(&ctx.runtime.volatile))
    }

    fn set(
        &mut self,
        ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let values = &ctx.runtime.volatile;
        let test = match param.object {
            server_selection::OBJECT => {
                let hosts = value.as_str().unwrap_or_default().split(',').count();
                if param.name == "HostList" && hosts > MAX_HOSTS {
                    let detail = format!("at most {MAX_HOSTS} hosts");
                    return Err(Error::invalid_value("", detail));
                }
                DiagnosticsWrite {
                    object: server_selection::OBJECT,
                    inputs: server_selection::INPUTS,
                    current: server_selection::state(values),
                }
            }
            _ => DiagnosticsWrite {
                object: udp_echo::OBJECT,
                inputs: udp_echo::INPUTS,
                current: udp_echo::state(values),
            },
        };
        test.stage(ctx, &mut self.requested, param.name, value, tx)
    }
}
