//! `Device.` itself and `Device.RootDataModelVersion` (TR-181 Device:2).

use crate::datamodel::{
    Area, AreaView, Context, Error, ObjectDef, ParamDef, ParamRef, Type, Value,
};

/// The Device:2 version cwmpd implements (the BBF index in `shared/bbf` is 2.19).
pub const ROOT_DATA_MODEL_VERSION: &str = "2.19";

/// The root object. Other areas hang their objects below it.
pub struct RootArea;

impl Area for RootArea {
    fn schema(&self) -> Vec<ObjectDef> {
        vec![ObjectDef::new("Device.")
            .param(ParamDef::read_only("RootDataModelVersion", Type::string(32)).forced_inform())]
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        Ok(Box::new(RootView))
    }
}

struct RootView;

impl AreaView for RootView {
    fn get(&mut self, _ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        match param.name {
            "RootDataModelVersion" => Ok(Value::from(ROOT_DATA_MODEL_VERSION)),
            _ => Err(Error::not_served(param.name)),
        }
    }
}
