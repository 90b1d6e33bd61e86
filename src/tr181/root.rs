//! `Device.` itself: `Device.RootDataModelVersion` and `Device.InterfaceStackNumberOfEntries`
//! (TR-181 Device:2).

use super::interface_stack;
use super::SystemInfo;
use crate::datamodel::{
    Area, AreaView, Context, Error, ObjectDef, ParamDef, ParamRef, Type, Value,
};

/// The Device:2 version cwmpd implements (the BBF index in `shared/bbf` is 2.19).
pub const ROOT_DATA_MODEL_VERSION: &str = "2.19";

/// The root object. Other areas hang their objects below it.
pub struct RootArea {
    system: SystemInfo,
}

impl RootArea {
    pub fn new(system: SystemInfo) -> RootArea {
        RootArea { system }
    }
}

impl Area for RootArea {
    fn schema(&self) -> Vec<ObjectDef> {
        vec![ObjectDef::new("Device.")
            .param(ParamDef::read_only("RootDataModelVersion", Type::string(32)).forced_inform())
            .param(ParamDef::read_only(
                "InterfaceStackNumberOfEntries",
                Type::unsigned_int(),
            ))]
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        Ok(Box::new(RootView {
            system: &self.system,
        }))
    }
}

struct RootView<'a> {
    system: &'a SystemInfo,
}

impl AreaView for RootView<'_> {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        match param.name {
            "RootDataModelVersion" => Ok(Value::from(ROOT_DATA_MODEL_VERSION)),
            // Computed only when asked: the Inform reads RootDataModelVersion every session.
            "InterfaceStackNumberOfEntries" => {
                let layers = interface_stack::layers(ctx, self.system)?;
                Ok(Value::from(layers.len() as u32))
            }
            _ => Err(Error::not_served(param.name)),
        }
    }
}
