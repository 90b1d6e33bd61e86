//! `Device.IP.Diagnostics.UDPEchoDiagnostics.` with its `IndividualPacketResult.{i}.` table and
//! `Device.IP.Diagnostics.ServerSelectionDiagnostics.` (TR-181 Device:2, TR-143 §5, §6), kept
//! in the daemon's memory like IPPing (see [`super::ip_diagnostics`]).

use super::diagnostics_view::{
    address_used, can_deny, diagnostics_state, interface, protocol_version, unsigned_result,
    DiagnosticsView,
};
use crate::datamodel::{Area, AreaView, Context, Error, ObjectDef, ParamDef, Type, Value};
use crate::diagnostics::server_selection::{self, MAX_HOSTS, PROTOCOLS};
use crate::diagnostics::udp_echo::{self, PACKET_RESULT};
use crate::diagnostics::Test;

pub struct EchoDiagnosticsArea;

fn range(min: i128, max: Option<i128>) -> Type {
    Type::unsigned_int().range(Some(min), max)
}

fn udp_echo_object() -> ObjectDef {
    let input = |name, ty| can_deny(ParamDef::read_write(name, ty));
    ObjectDef::new(udp_echo::OBJECT)
        .param(can_deny(diagnostics_state(udp_echo::STATES)))
        .param(interface())
        .param(input("Host", Type::string(256)))
        .param(input("Port", range(1, Some(65535))))
        .param(input("NumberOfRepetitions", range(1, None)))
        .param(input("Timeout", range(1, None)))
        .param(input("DataBlockSize", range(1, Some(65535))))
        .param(input("DSCP", range(0, Some(63))))
        .param(input("InterTransmissionTime", range(1, Some(65535))))
        .param(protocol_version())
        .param(address_used())
        .param(unsigned_result("SuccessCount"))
        .param(unsigned_result("FailureCount"))
        .param(unsigned_result("AverageResponseTime"))
        .param(unsigned_result("MinimumResponseTime"))
        .param(unsigned_result("MaximumResponseTime"))
        .param(input("EnableIndividualPacketResults", Type::boolean()))
        .param(ParamDef::read_only(
            "UDPEchoDiagnosticsMaxResults",
            range(1, None),
        ))
        .param(unsigned_result("IndividualPacketResultNumberOfEntries"))
}

fn packet_result_object() -> ObjectDef {
    ObjectDef::new(PACKET_RESULT)
        .without_alias()
        .param(ParamDef::read_only("PacketSuccess", Type::boolean()))
        .param(ParamDef::read_only("PacketSendTime", Type::date_time()))
        .param(ParamDef::read_only("PacketReceiveTime", Type::date_time()))
        .param(unsigned_result("TestGenSN"))
        .param(unsigned_result("TestRespSN"))
        .param(unsigned_result("TestRespRcvTimeStamp"))
        .param(unsigned_result("TestRespReplyTimeStamp"))
        .param(unsigned_result("TestRespReplyFailureCount"))
}

fn server_selection_object() -> ObjectDef {
    ObjectDef::new(server_selection::OBJECT)
        .param(can_deny(diagnostics_state(server_selection::STATES)))
        .param(interface())
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
        .param(can_deny(unsigned_result("MinimumResponseTime")))
        .param(can_deny(unsigned_result("AverageResponseTime")))
        .param(unsigned_result("MaximumResponseTime"))
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
        let view = DiagnosticsView::new(check_host_list, DiagnosticsView::no_other);
        Ok(Box::new(view))
    }
}

/// TR-181: HostList holds at most 10 hosts.
fn check_host_list(test: Test, name: &str, value: &Value) -> Result<(), Error> {
    let hosts = value.as_str().unwrap_or_default().split(',').count();
    if test == Test::ServerSelection && name == "HostList" && hosts > MAX_HOSTS {
        let detail = format!("at most {MAX_HOSTS} hosts");
        return Err(Error::invalid_value("", detail));
    }
    Ok(())
}
