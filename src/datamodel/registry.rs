//! The tree the engine serves, assembled once from the schemas of all areas.
//!
//! Objects are kept in declaration order; an object lists its parameters first, then its
//! sub-objects (the order of TR-181 and of the BBF index), so responses come out in tree
//! order.

use std::collections::HashMap;
use std::fmt;

use super::alias;
use super::area::Area;
use super::path;
use super::schema::{Access, ObjectDef, ParamDef};

pub(crate) type AreaId = usize;
pub(crate) type ObjectId = usize;
pub(crate) type ParamId = usize;

/// A mistake in an area's schema (a programming error, reported at start-up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError(pub String);

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "data-model schema error: {}", self.0)
    }
}

impl std::error::Error for SchemaError {}

#[derive(Debug)]
pub(crate) struct ObjectNode {
    /// The pattern, e.g. `Device.IP.Interface.{i}.`.
    pub path: &'static str,
    /// The last name in the pattern, e.g. `Interface`.
    pub name: &'static str,
    pub multi: bool,
    pub access: Access,
    pub params: Vec<ParamId>,
    pub objects: Vec<ObjectId>,
    pub area: AreaId,
}

#[derive(Debug)]
pub(crate) struct ParamNode {
    pub def: ParamDef,
    pub object: ObjectId,
    pub area: AreaId,
    /// The `Alias` of a table, served by the engine itself (see `super::alias`).
    pub alias: bool,
}

#[derive(Debug)]
pub(crate) struct Registry {
    pub objects: Vec<ObjectNode>,
    pub params: Vec<ParamNode>,
}

/// The object that holds the whole tree.
pub(crate) const ROOT_OBJECT: ObjectId = 0;

impl Registry {
    pub fn build(areas: &[Box<dyn Area>]) -> Result<Registry, SchemaError> {
        let mut registry = Registry {
            objects: Vec::new(),
            params: Vec::new(),
        };
        let mut by_path: HashMap<&'static str, ObjectId> = HashMap::new();
        for (area, declared) in areas.iter().enumerate() {
            for object in declared.schema() {
                registry.add_object(area, object, &mut by_path)?;
            }
        }
        match registry.objects.first() {
            Some(root) if root.path == "Device." => Ok(registry),
            _ => Err(SchemaError(
                "the first area must declare the root object Device.".into(),
            )),
        }
    }

    fn add_object(
        &mut self,
        area: AreaId,
        def: ObjectDef,
        by_path: &mut HashMap<&'static str, ObjectId>,
    ) -> Result<(), SchemaError> {
        let (name, parent_path) = split_pattern(def.path)?;
        if by_path.contains_key(def.path) {
            return Err(SchemaError(format!("{} is declared twice", def.path)));
        }
        let parent = match parent_path {
            None => None,
            Some(parent_path) => Some(*by_path.get(parent_path.as_str()).ok_or_else(|| {
                SchemaError(format!(
                    "{} is declared before its parent {parent_path}",
                    def.path
                ))
            })?),
        };
        let id = self.objects.len();
        let multi = def.is_multi_instance();
        let mut params = Vec::with_capacity(def.params.len() + 1);
        for param in with_alias(def.params, multi && def.has_alias)? {
            if !path::is_name(param.name) || param.name == "{i}" {
                return Err(SchemaError(format!("bad parameter name {}", param.name)));
            }
            let duplicate = params
                .iter()
                .any(|&p: &ParamId| self.params[p].def.name == param.name);
            if duplicate {
                return Err(SchemaError(format!(
                    "{}{} is declared twice",
                    def.path, param.name
                )));
            }
            params.push(self.params.len());
            self.params.push(ParamNode {
                alias: multi && param.name == alias::ALIAS,
                def: param,
                object: id,
                area,
            });
        }
        self.objects.push(ObjectNode {
            path: def.path,
            name,
            multi,
            access: def.access,
            params,
            objects: Vec::new(),
            area,
        });
        if let Some(parent) = parent {
            self.objects[parent].objects.push(id);
        }
        by_path.insert(def.path, id);
        Ok(())
    }

    /// The sub-object or parameter of `object` called `name`.
    pub fn child(&self, object: ObjectId, name: &str) -> Option<Child> {
        let node = &self.objects[object];
        if let Some(&param) = node
            .params
            .iter()
            .find(|&&p| self.params[p].def.name == name)
        {
            return Some(Child::Param(param));
        }
        node.objects
            .iter()
            .find(|&&o| self.objects[o].name == name)
            .map(|&o| Child::Object(o))
    }

    /// The full pattern of a parameter, e.g. `Device.IP.Interface.{i}.Enable`.
    pub fn param_pattern(&self, param: ParamId) -> String {
        let node = &self.params[param];
        format!("{}{}", self.objects[node.object].path, node.def.name)
    }
}

/// The parameters of an object plus, for a table, the engine's `Alias` (TR-069 §3.6.1), placed
/// where TR-181 usually has it: after the leading `Enable` and `Status`. Areas must not
/// declare `Alias` themselves.
fn with_alias(mut params: Vec<ParamDef>, multi: bool) -> Result<Vec<ParamDef>, SchemaError> {
    if params.iter().any(|param| param.name == alias::ALIAS) {
        return Err(SchemaError(
            "Alias is served by the engine; areas must not declare it".into(),
        ));
    }
    if multi {
        let at = params
            .iter()
            .take_while(|param| matches!(param.name, "Enable" | "Status"))
            .count();
        params.insert(at, alias::alias_param());
    }
    Ok(params)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Child {
    Object(ObjectId),
    Param(ParamId),
}

/// Split an object pattern into its name and its parent's pattern (`None` for `Device.`).
fn split_pattern(pattern: &'static str) -> Result<(&'static str, Option<String>), SchemaError> {
    let bad = || SchemaError(format!("bad object pattern {pattern}"));
    let body = pattern.strip_suffix('.').ok_or_else(bad)?;
    let body = body.strip_suffix(".{i}").unwrap_or(body);
    let segments: Vec<&str> = body.split('.').collect();
    let valid = segments.first() == Some(&path::ROOT)
        && segments
            .iter()
            .all(|segment| *segment == "{i}" || path::is_name(segment));
    let name = *segments.last().ok_or_else(bad)?;
    if !valid || name == "{i}" {
        return Err(bad());
    }
    if segments.len() == 1 {
        return Ok((name, None));
    }
    let parent_len = body.len() - name.len();
    Ok((name, Some(body[..parent_len].to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_split_into_name_and_parent() {
        assert_eq!(split_pattern("Device.").unwrap(), ("Device", None));
        assert_eq!(
            split_pattern("Device.DeviceInfo.").unwrap(),
            ("DeviceInfo", Some("Device.".to_string()))
        );
        assert_eq!(
            split_pattern("Device.IP.Interface.{i}.").unwrap(),
            ("Interface", Some("Device.IP.".to_string()))
        );
        assert_eq!(
            split_pattern("Device.IP.Interface.{i}.IPv4Address.{i}.").unwrap(),
            ("IPv4Address", Some("Device.IP.Interface.{i}.".to_string()))
        );
        assert!(split_pattern("Device.IP").is_err());
        assert!(split_pattern("Other.").is_err());
        assert!(split_pattern("Device.{i}.{i}.").is_err());
    }
}
