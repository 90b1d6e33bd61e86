//! `Device.InterfaceStack.{i}` (TR-181 Device:2 §4.2.1): one row per layer relationship,
//! i.e. per item of the `LowerLayers` of every interface object cwmpd serves. Read-only;
//! `Device.InterfaceStackNumberOfEntries` is served by `root.rs` from the same rows.
//!
//! The engine has no reads across areas, so the rows come from the functions the areas use
//! for their own `LowerLayers` (each area's `stack_layers`, over the same UCI sections, live
//! state and instance tables): `IP.Interface` (`ip.rs`), `PPP.Interface` (`ppp.rs`),
//! `Ethernet.VLANTermination` and `Ethernet.Link` (`ethernet.rs`), `Bridging.Bridge.{i}.Port`
//! (`bridging.rs`) and `WiFi.SSID` (`wifi_ssid.rs`). `Ethernet.Interface` and `WiFi.Radio`
//! are the lowest layers (no `LowerLayers` to follow). Rows are listed top-down in that
//! order and numbered by the key `"<higher>|<lower>"`, so a row keeps its number while the
//! relationship exists.
//!
//! | TR-181 | value |
//! |---|---|
//! | HigherLayer, LowerLayer | the two objects, as `LowerLayers` names them (no trailing dot) |
//! | HigherAlias, LowerAlias | their `Alias` (the ACS's, else `cpe-<n>`) |
//!
//! A full stack on a stock 24.10 DSA router: `IP.Interface.2` (lan) → `Ethernet.Link.1`
//! (br-lan) → `Bridging.Bridge.1.Port.1` (management) → `Port.2`–`4` (lan1–3) →
//! `Ethernet.Interface.1`–`3`; `IP.Interface.3` (wan, PPPoE) and `IP.Interface.4` (wan6,
//! `@wan`) → `PPP.Interface.1` → `Ethernet.Link.2` → `Ethernet.Interface.4`.

use super::ethernet::Numbered;
use super::link_layer::NETWORK;
use super::section_table::instance_number;
use super::wifi::WifiView;
use super::{bridging, ethernet, ip, ppp, wifi_ssid, SystemInfo};
use crate::datamodel::{
    alias, Area, AreaView, Context, Error, InstanceTables, ObjectDef, ObjectRef, ParamDef,
    ParamRef, Type, Value,
};

pub(crate) const STACK_TABLE: &str = "Device.InterfaceStack.{i}.";

/// One layer relationship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layer {
    pub higher: String,
    pub lower: String,
}

impl Layer {
    fn key(&self) -> String {
        format!("{}|{}", self.higher, self.lower)
    }
}

/// Every layer relationship of the served interface objects, top-down, each once. Reads
/// UCI `network` and `wireless` once.
pub(crate) fn layers(ctx: &mut Context<'_>, system: &SystemInfo) -> Result<Vec<Layer>, Error> {
    let network = ctx.config.sections(NETWORK)?;
    let mut objects = ip::stack_layers(ctx, &network);
    objects.extend(ppp::stack_layers(ctx, &network));
    objects.extend(ethernet::stack_layers(ctx, system, &network));
    objects.extend(bridging::stack_layers(ctx, system, &network));
    let wifi = WifiView::load(ctx)?;
    objects.extend(wifi_ssid::stack_layers(&wifi));
    let mut layers: Vec<Layer> = Vec::new();
    for (higher, lower_layers) in objects {
        let lowers = lower_layers.split(',').map(str::trim);
        for lower in lowers.filter(|lower| !lower.is_empty()) {
            let layer = Layer {
                higher: higher.clone(),
                lower: lower.to_string(),
            };
            if !layers.contains(&layer) {
                layers.push(layer);
            }
        }
    }
    Ok(layers)
}

/// The `Alias` of the object `path` names (`Device.Ethernet.Link.2`): the one the ACS set,
/// else `cpe-<n>`, as the engine serves it; empty for a path that is no table instance.
fn alias_of(instances: &InstanceTables, path: &str) -> String {
    let Some((table, number)) = path.trim_end_matches('.').rsplit_once('.') else {
        return String::new();
    };
    let Ok(number) = number.parse::<u32>() else {
        return String::new();
    };
    let table = format!("{table}.{{i}}.");
    let stored = instances.get(&table).and_then(|t| t.alias(number));
    stored.map_or_else(|| alias::default_alias(number), str::to_string)
}

/// `Device.InterfaceStack.{i}.`
pub struct InterfaceStackArea {
    system: SystemInfo,
}

impl InterfaceStackArea {
    pub fn new(system: SystemInfo) -> InterfaceStackArea {
        InterfaceStackArea { system }
    }
}

impl Area for InterfaceStackArea {
    fn schema(&self) -> Vec<ObjectDef> {
        vec![ObjectDef::new(STACK_TABLE)
            .param(ParamDef::read_only("HigherLayer", Type::string(256)))
            .param(ParamDef::read_only("LowerLayer", Type::string(256)))
            .param(ParamDef::read_only("HigherAlias", Type::string(64)))
            .param(ParamDef::read_only("LowerAlias", Type::string(64)))]
    }

    fn open<'a>(&'a self, ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        let layers = layers(ctx, &self.system)?;
        let keys: Vec<String> = layers.iter().map(Layer::key).collect();
        let numbered = Numbered::load(ctx, STACK_TABLE, &keys);
        Ok(Box::new(InterfaceStackView { layers, numbered }))
    }
}

struct InterfaceStackView {
    layers: Vec<Layer>,
    numbered: Numbered,
}

impl AreaView for InterfaceStackView {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let key = self.numbered.name(instance_number(param.instances)?)?;
        let layer = self
            .layers
            .iter()
            .find(|layer| layer.key() == key)
            .ok_or_else(|| Error::invalid_name(""))?;
        Ok(Value::String(match param.name {
            "HigherLayer" => layer.higher.clone(),
            "LowerLayer" => layer.lower.clone(),
            "HigherAlias" => alias_of(ctx.instances, &layer.higher),
            "LowerAlias" => alias_of(ctx.instances, &layer.lower),
            other => return Err(Error::not_served(other)),
        }))
    }

    fn instances(
        &mut self,
        _ctx: &mut Context<'_>,
        _table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(self.numbered.numbers())
    }
}

#[cfg(test)]
#[path = "interface_stack_tests.rs"]
mod tests;
