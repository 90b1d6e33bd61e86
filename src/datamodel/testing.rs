//! In-memory doubles for tests and benchmarks: a configuration backend ([`MemoryConfig`]) and a
//! generic area that keeps its values in it ([`MemoryArea`]).

use std::collections::BTreeMap;

use super::area::{Area, AreaView, ObjectRef, ParamRef};
use super::context::{ConfigBackend, ConfigSection, ConfigValue, Context};
use super::error::{BackendError, Error};
use super::path::instantiate;
use super::schema::ObjectDef;
use super::transaction::Transaction;
use super::value::Value;

type Options = BTreeMap<(String, String), ConfigValue>;

/// The pseudo-option holding a section's type (sections without one have their name as type).
const TYPE_OPTION: &str = ".type";

/// A UCI-shaped configuration held in memory: committed packages plus uncommitted working
/// copies, with counters and a failure switch for tests. Sections are listed in name order.
#[derive(Debug, Clone, Default)]
pub struct MemoryConfig {
    committed: BTreeMap<String, Options>,
    working: BTreeMap<String, Options>,
    /// Packages committed, in order.
    pub commits: Vec<String>,
    /// Number of `get` calls (to check that areas read their backend once per RPC).
    pub gets: usize,
    /// The packages `sections` was asked for, in order (same purpose).
    pub section_reads: Vec<String>,
    /// Make every `commit` fail (to test fault 9002).
    pub fail_commits: bool,
}

impl MemoryConfig {
    pub fn new() -> MemoryConfig {
        MemoryConfig::default()
    }

    /// A configuration with these committed `(package, section, option, value)` entries.
    pub fn with(entries: &[(&str, &str, &str, &str)]) -> MemoryConfig {
        let mut config = MemoryConfig::new();
        for (package, section, option, value) in entries {
            config
                .committed
                .entry(package.to_string())
                .or_default()
                .insert(
                    (section.to_string(), option.to_string()),
                    ConfigValue::Single(value.to_string()),
                );
        }
        config
    }

    /// A committed single value.
    pub fn committed(&self, package: &str, section: &str, option: &str) -> Option<&str> {
        match self.committed_value(package, section, option)? {
            ConfigValue::Single(value) => Some(value),
            ConfigValue::List(_) => None,
        }
    }

    /// A committed value, single or list.
    pub fn committed_value(
        &self,
        package: &str,
        section: &str,
        option: &str,
    ) -> Option<&ConfigValue> {
        self.committed
            .get(package)?
            .get(&(section.to_string(), option.to_string()))
    }

    /// Every committed option of a package as `(section, option, value)` (list items joined
    /// by spaces).
    pub fn committed_options(&self, package: &str) -> Vec<(String, String, String)> {
        self.committed
            .get(package)
            .map(|options| {
                options
                    .iter()
                    .map(|((section, option), value)| {
                        (section.clone(), option.clone(), value.items().join(" "))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn working_copy(&mut self, package: &str) -> &mut Options {
        if !self.working.contains_key(package) {
            let copy = self.committed.get(package).cloned().unwrap_or_default();
            self.working.insert(package.to_string(), copy);
        }
        self.working.entry(package.to_string()).or_default()
    }
}

impl ConfigBackend for MemoryConfig {
    fn get(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
    ) -> Result<Option<String>, BackendError> {
        self.gets += 1;
        let options = self
            .working
            .get(package)
            .or_else(|| self.committed.get(package));
        Ok(options
            .and_then(|options| options.get(&(section.to_string(), option.to_string())))
            .map(|value| value.items().join(" ")))
    }

    fn set(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
        value: &str,
    ) -> Result<(), BackendError> {
        self.working_copy(package).insert(
            (section.to_string(), option.to_string()),
            ConfigValue::Single(value.to_string()),
        );
        Ok(())
    }

    fn set_list(
        &mut self,
        package: &str,
        section: &str,
        option: &str,
        values: &[String],
    ) -> Result<(), BackendError> {
        let key = (section.to_string(), option.to_string());
        let options = self.working_copy(package);
        match values.is_empty() {
            true => options.remove(&key),
            false => options.insert(key, ConfigValue::List(values.to_vec())),
        };
        Ok(())
    }

    fn sections(&mut self, package: &str) -> Result<Vec<ConfigSection>, BackendError> {
        self.section_reads.push(package.to_string());
        let options = self
            .working
            .get(package)
            .or_else(|| self.committed.get(package));
        Ok(options.map(sections_of).unwrap_or_default())
    }

    fn delete(&mut self, package: &str, section: &str, option: &str) -> Result<(), BackendError> {
        self.working_copy(package)
            .remove(&(section.to_string(), option.to_string()));
        Ok(())
    }

    fn add_section(
        &mut self,
        package: &str,
        section_type: &str,
        name: &str,
    ) -> Result<(), BackendError> {
        self.working_copy(package).insert(
            (name.to_string(), TYPE_OPTION.to_string()),
            ConfigValue::Single(section_type.to_string()),
        );
        Ok(())
    }

    fn delete_section(&mut self, package: &str, name: &str) -> Result<(), BackendError> {
        self.working_copy(package)
            .retain(|(section, _), _| section != name);
        Ok(())
    }

    fn commit(&mut self, package: &str) -> Result<bool, BackendError> {
        if self.fail_commits {
            self.working.remove(package);
            return Err(BackendError::new(format!("commit of {package} failed")));
        }
        self.commits.push(package.to_string());
        let Some(options) = self.working.remove(package) else {
            return Ok(false);
        };
        let changed = self.committed.get(package) != Some(&options);
        self.committed.insert(package.to_string(), options);
        Ok(changed)
    }

    fn revert(&mut self, package: &str) {
        self.working.remove(package);
    }
}

/// The sections of a package's options, in name order, typed by their `.type` pseudo-option.
fn sections_of(options: &Options) -> Vec<ConfigSection> {
    let mut sections: Vec<ConfigSection> = Vec::new();
    for ((section, option), value) in options {
        if sections.last().map(|s| &s.name) != Some(section) {
            sections.push(ConfigSection {
                name: section.clone(),
                anonymous: false,
                section_type: section.clone(),
                index: 0,
                options: Vec::new(),
            });
        }
        let Some(current) = sections.last_mut() else {
            continue;
        };
        match (option.as_str(), value) {
            (TYPE_OPTION, ConfigValue::Single(section_type)) => {
                current.section_type = section_type.clone()
            }
            _ => current.options.push((option.clone(), value.clone())),
        }
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for section in &mut sections {
        let count = seen.entry(section.section_type.clone()).or_default();
        section.index = *count;
        *count += 1;
    }
    sections
}

/// A generic area over [`MemoryConfig`]: every parameter is the option `name` of the section
/// named by the object's concrete path, in `package`; values are stored in lexical form.
/// Tables keep their instance numbers in the option `.instances` (comma-separated) and the
/// next number in `.next` of the section named by the table's concrete path.
#[derive(Debug, Clone)]
pub struct MemoryArea {
    pub objects: Vec<ObjectDef>,
    pub package: &'static str,
    /// Stage changes as taking effect later (Status 1).
    pub applies_later: bool,
}

impl MemoryArea {
    pub fn new(package: &'static str, objects: Vec<ObjectDef>) -> MemoryArea {
        MemoryArea {
            objects,
            package,
            applies_later: false,
        }
    }
}

impl Area for MemoryArea {
    fn schema(&self) -> Vec<ObjectDef> {
        self.objects.clone()
    }

    fn open<'a>(&'a self, _ctx: &mut Context<'_>) -> Result<Box<dyn AreaView + 'a>, Error> {
        Ok(Box::new(MemoryView { area: self }))
    }
}

struct MemoryView<'a> {
    area: &'a MemoryArea,
}

/// The section holding a table's bookkeeping: the table's concrete path.
fn table_section(table: &ObjectRef<'_>) -> String {
    let pattern = table.object.strip_suffix("{i}.").unwrap_or(table.object);
    instantiate(pattern, table.instances)
}

impl MemoryView<'_> {
    fn stored_instances(
        &self,
        ctx: &mut Context<'_>,
        section: &str,
    ) -> Result<Vec<u32>, BackendError> {
        let list = ctx
            .config
            .get(self.area.package, section, ".instances")?
            .unwrap_or_default();
        Ok(list
            .split(',')
            .filter_map(|number| number.parse().ok())
            .collect())
    }

    fn stage_instances(&self, tx: &mut Transaction, section: &str, numbers: &[u32]) {
        let list: Vec<String> = numbers.iter().map(u32::to_string).collect();
        tx.set_option(self.area.package, section, ".instances", list.join(","));
        if self.area.applies_later {
            tx.applies_later();
        }
    }
}

impl AreaView for MemoryView<'_> {
    fn get(&mut self, ctx: &mut Context<'_>, param: ParamRef<'_>) -> Result<Value, Error> {
        let section = instantiate(param.object, param.instances);
        let value = ctx.config.get(self.area.package, &section, param.name)?;
        Ok(Value::String(value.unwrap_or_default()))
    }

    fn set(
        &mut self,
        _ctx: &mut Context<'_>,
        param: ParamRef<'_>,
        value: &Value,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let section = instantiate(param.object, param.instances);
        tx.set_option(self.area.package, &section, param.name, value.to_lexical());
        if self.area.applies_later {
            tx.applies_later();
        }
        Ok(())
    }

    fn instances(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
    ) -> Result<Vec<u32>, Error> {
        Ok(self.stored_instances(ctx, &table_section(&table))?)
    }

    fn add_instance(
        &mut self,
        ctx: &mut Context<'_>,
        table: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<u32, Error> {
        let section = table_section(&table);
        let next = ctx
            .config
            .get(self.area.package, &section, ".next")?
            .and_then(|next| next.parse().ok())
            .unwrap_or(1u32);
        let mut numbers = self.stored_instances(ctx, &section)?;
        numbers.push(next);
        self.stage_instances(tx, &section, &numbers);
        let following = next
            .checked_add(1)
            .ok_or_else(|| Error::ResourcesExceeded("instance numbers exhausted".into()))?;
        tx.set_option(self.area.package, &section, ".next", following.to_string());
        Ok(next)
    }

    fn delete_instance(
        &mut self,
        ctx: &mut Context<'_>,
        instance: ObjectRef<'_>,
        tx: &mut Transaction,
    ) -> Result<(), Error> {
        let (number, parents) = match instance.instances.split_last() {
            Some((number, parents)) => (*number, parents),
            None => return Err(Error::invalid_name("")),
        };
        let section = table_section(&ObjectRef {
            object: instance.object,
            instances: parents,
        });
        let mut numbers = self.stored_instances(ctx, &section)?;
        numbers.retain(|&n| n != number);
        self.stage_instances(tx, &section, &numbers);
        Ok(())
    }
}
