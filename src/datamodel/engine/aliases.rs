//! The engine's side of alias-based addressing (TR-069 §3.6.1, A.2.2.1; rules in
//! [`crate::datamodel::alias`]): reading, setting and resolving the `Alias` of every table.

use super::{Position, Rpc};
use crate::datamodel::alias::{self, InstanceMode};
use crate::datamodel::error::Error;
use crate::datamodel::registry::ObjectId;
use crate::datamodel::transaction::Transaction;
use crate::datamodel::value::Value;

/// `Device.X.Table.[web].` → (`Device.X.Table.`, `web`): an AddObject name that ends with
/// the alias of the instance to create (TR-069 A.3.2.6).
pub(super) fn split_alias(object_name: &str) -> Option<(String, &str)> {
    let body = object_name.strip_suffix("].")?;
    let (table, alias) = body.rsplit_once(".[")?;
    Some((format!("{table}."), alias))
}

impl Rpc<'_, '_, '_> {
    fn instance_mode(&mut self) -> Result<InstanceMode, Error> {
        if let Some(mode) = self.instance_mode {
            return Ok(mode);
        }
        let mode = InstanceMode::load(self.ctx.config)?;
        self.instance_mode = Some(mode);
        Ok(mode)
    }

    /// The instance-table name of the table `object` below the instances `enclosing`.
    pub(super) fn alias_table(&self, object: ObjectId, enclosing: &[u32]) -> String {
        alias::table_name(self.registry.objects[object].path, enclosing)
    }

    /// The alias of the instance `instances` (its table's numbers, then its own) of `object`.
    pub(super) fn alias_of(&self, object: ObjectId, instances: &[u32]) -> String {
        let Some((&number, enclosing)) = instances.split_last() else {
            return String::new();
        };
        let table = self.alias_table(object, enclosing);
        let stored = self.ctx.instances.get(&table).and_then(|t| t.alias(number));
        stored.map_or_else(|| alias::default_alias(number), str::to_string)
    }

    /// The instance of `table` whose alias is `alias` (a `[alias]` path segment). Only in
    /// InstanceAlias mode; in InstanceNumber mode the path is an invalid name (9005).
    pub(super) fn resolve_alias(
        &mut self,
        table: &Position,
        alias: &str,
        text: &str,
    ) -> Result<Option<u32>, Error> {
        if self.instance_mode()? != InstanceMode::InstanceAlias {
            return Err(Error::invalid_name(text));
        }
        self.instance_with_alias(table, alias)
    }

    fn instance_with_alias(&mut self, table: &Position, alias: &str) -> Result<Option<u32>, Error> {
        let numbers = self.instances(table)?;
        Ok(numbers.into_iter().find(|&number| {
            self.alias_of(table.object, &table.instance(number).instances) == alias
        }))
    }

    /// AddObject with an alias (A.3.2.6): only in InstanceAlias mode, and only an alias the
    /// ACS may choose that no instance of the table has (else 9005, the name is invalid).
    pub(super) fn check_new_alias(
        &mut self,
        table: &Position,
        alias: &str,
        object_name: &str,
    ) -> Result<(), Error> {
        let mode = self.instance_mode()?;
        let valid = mode == InstanceMode::InstanceAlias
            && alias::check_acs_alias(alias).is_ok()
            && self.instance_with_alias(table, alias)?.is_none();
        match valid {
            true => Ok(()),
            false => Err(Error::invalid_name(object_name)),
        }
    }

    /// SetParameterValues of an `Alias`: TR-181 `Alias` rules and uniqueness in its table,
    /// including the aliases staged earlier in the same request (9007 otherwise).
    pub(super) fn stage_alias(
        &mut self,
        object: ObjectId,
        instances: &[u32],
        value: &Value,
        name: &str,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let alias = value.as_str().unwrap_or_default();
        let Some((&number, enclosing)) = instances.split_last() else {
            return Err(Error::invalid_name(name));
        };
        // Writing back the alias an instance has (its `cpe-` one included: an ACS restoring
        // what it read) changes nothing and is no attempt to choose a CPE-reserved alias.
        if self.alias_of(object, instances) == alias {
            return Ok(());
        }
        alias::check_acs_alias(alias).map_err(|detail| Error::invalid_value(name, detail))?;
        let table_name = self.alias_table(object, enclosing);
        let table = Position {
            object,
            instances: enclosing.to_vec(),
            table: true,
        };
        let taken_now = self.instance_with_alias(&table, alias)?;
        let taken_staged = self
            .staged_aliases
            .iter()
            .any(|(t, n, a)| *t == table_name && *n != number && a == alias);
        if taken_now.is_some_and(|other| other != number) || taken_staged {
            return Err(Error::invalid_value(
                name,
                format!("another instance already has the Alias {alias:?}"),
            ));
        }
        self.staged_aliases
            .push((table_name.clone(), number, alias.to_string()));
        tx.set_alias(&table_name, number, alias);
        Ok(())
    }

    /// DeleteObject: the deleted instance's alias goes with it.
    pub(super) fn forget_alias(&self, instance: &Position, tx: &mut Transaction) {
        if let Some((&number, enclosing)) = instance.instances.split_last() {
            tx.forget_alias(&self.alias_table(instance.object, enclosing), number);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_object_names_with_an_alias() {
        assert_eq!(
            split_alias("Device.NAT.PortMapping.[web]."),
            Some(("Device.NAT.PortMapping.".to_string(), "web"))
        );
        assert_eq!(split_alias("Device.NAT.PortMapping."), None);
        assert_eq!(
            split_alias("Device.A.[x].B.[y]."),
            Some(("Device.A.[x].B.".into(), "y"))
        );
    }
}
