//! TR-181 Device:2 areas, one file each, over the generic engine (`crate::datamodel`).
//!
//! Areas reach the system only through what they are given: [`SystemInfo`] (filled once at
//! start by the daemon from `/etc/board.json` and `/etc/openwrt_release`) and the engine's
//! `Context` (time, uptime, the configuration backend, runtime values). No file, socket or
//! clock is touched in here.

pub mod device_info;
pub mod dns_diagnostics;
pub mod ip_diagnostics;
pub mod management_server;
pub mod root;

use crate::cwmp::types::DeviceIdStruct;
use crate::datamodel::{Area, Context, Engine, Error, SchemaError};

pub use device_info::{DeviceInfoArea, SystemInfo, BOARD_JSON, OPENWRT_RELEASE};
pub use dns_diagnostics::DnsDiagnosticsArea;
pub use ip_diagnostics::IpDiagnosticsArea;
pub use management_server::ManagementServerArea;
pub use root::RootArea;

/// cwmpd's own UCI package (`/etc/config/cwmpd`, sections `acs` and `cpe`).
pub const CWMPD_PACKAGE: &str = "cwmpd";

/// Every area cwmpd serves, root first (the engine needs parents before children).
pub fn areas(system: SystemInfo) -> Vec<Box<dyn Area>> {
    vec![
        Box::new(RootArea),
        Box::new(DeviceInfoArea::new(system)),
        Box::new(ManagementServerArea),
        Box::new(IpDiagnosticsArea),
        Box::new(DnsDiagnosticsArea),
    ]
}

/// The engine serving every TR-181 area cwmpd implements.
pub fn engine(system: SystemInfo) -> Result<Engine, SchemaError> {
    Engine::new(areas(system))
}

/// The DeviceIdStruct of the Inform (TR-069 A.3.3.1), from the same values the data model
/// reports under `Device.DeviceInfo.` (so configuration overrides apply to both).
pub fn device_id(engine: &mut Engine, ctx: &mut Context<'_>) -> Result<DeviceIdStruct, Error> {
    let names: Vec<String> = [
        "Manufacturer",
        "ManufacturerOUI",
        "ProductClass",
        "SerialNumber",
    ]
    .iter()
    .map(|name| format!("Device.DeviceInfo.{name}"))
    .collect();
    let mut values = engine
        .get_parameter_values(ctx, &names)?
        .into_iter()
        .map(|parameter| parameter.value);
    let mut next = || values.next().unwrap_or_default();
    Ok(DeviceIdStruct {
        manufacturer: next(),
        oui: next(),
        product_class: next(),
        serial_number: next(),
    })
}

/// Cut a string to at most `max` characters (TR-181 string sizes count characters).
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
