//! TR-181 tables whose instances are UCI sections of one type (`firewall` `redirect`, `dhcp`
//! `host`, …): numbering, AddObject and DeleteObject, shared by the areas.
//!
//! - The backend identity of an instance is its section name, or `@type[index]` for an
//!   anonymous section ([`ConfigSection::key`]): libuci's `cfgNNxxxx` ids of anonymous
//!   sections change whenever an earlier anonymous section of *any* type is added or
//!   removed, the type index only when an earlier section of the same type is. When cwmpd
//!   deletes a section, the keys of the anonymous sections after it are moved down with
//!   their numbers. A section deleted or moved by someone else (LuCI, `uci`) shifts the
//!   anonymous sections after it: their numbers then follow the position, which is the best
//!   an unnamed section allows.
//! - AddObject creates a *named* section, `<prefix>_<n>` with the smallest `n` not used by
//!   a section of the package nor by a key of the table, so its identity never changes.
//! - Numbers live in the context's instance tables (persisted by the daemon), never in the
//!   UCI files, and are never reused (TR-069 A.2.2.1).

use crate::datamodel::{ConfigSection, Context, Error, InstanceTables, Transaction};

/// Tables over the sections of `section_type` in `package`. The instance-number table is
/// given per call (usually the object's path pattern; one per parent instance when the
/// sections of one type are split between parents).
pub(crate) struct SectionTable {
    pub package: &'static str,
    pub section_type: &'static str,
    /// Names of sections created by AddObject start with this.
    pub name_prefix: &'static str,
}

/// A section with its instance number.
#[derive(Debug, Clone)]
pub(crate) struct Numbered {
    pub number: u32,
    pub section: ConfigSection,
}

impl SectionTable {
    /// Number `members` (the sections of `table`, in file order); forget sections that are
    /// gone. Ascending by number.
    pub fn number(
        &self,
        instances: &mut InstanceTables,
        table: &str,
        members: &[&ConfigSection],
    ) -> Vec<Numbered> {
        let keys: Vec<String> = members.iter().map(|section| section.key()).collect();
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let numbered = instances.table(table).assign(&key_refs);
        numbered
            .into_iter()
            .filter_map(|(number, key)| {
                let section = members.iter().find(|section| section.key() == key)?;
                Some(Numbered {
                    number,
                    section: (*section).clone(),
                })
            })
            .collect()
    }

    /// Stage a new named section with `options` and return its number in `table` and its
    /// name. `package` holds every section of the package (for a free name).
    pub fn add(
        &self,
        ctx: &mut Context<'_>,
        table: &str,
        package: &[ConfigSection],
        options: &[(&str, &str)],
        tx: &mut Transaction,
    ) -> Result<(u32, String), Error> {
        let numbers = ctx.instances.table(table);
        let name = (1u32..)
            .map(|n| format!("{}_{n}", self.name_prefix))
            .find(|name| {
                !numbers.contains_key(name) && !package.iter().any(|section| &section.name == name)
            })
            .unwrap_or_default();
        let number = numbers
            .number_for(&name)
            .ok_or_else(|| Error::ResourcesExceeded("instance numbers exhausted".into()))?;
        tx.add_section(self.package, self.section_type, &name);
        for (option, value) in options {
            tx.set_option(self.package, &name, option, *value);
        }
        Ok((number, name))
    }

    /// Stage the deletion of `section`; `package` holds every section of the package and
    /// `tables` every instance table that numbers sections of this type. Once committed, its
    /// number is forgotten and the anonymous sections of the same type after it keep their
    /// numbers under their new `@type[index]` keys.
    pub fn delete(
        &self,
        tables: &[&str],
        package: &[ConfigSection],
        section: &ConfigSection,
        tx: &mut Transaction,
    ) {
        tx.delete_section(self.package, &section.name);
        for table in tables {
            self.forget(table, package, section, tx);
        }
    }

    fn forget(
        &self,
        table: &str,
        package: &[ConfigSection],
        section: &ConfigSection,
        tx: &mut Transaction,
    ) {
        tx.forget_instance(table, &section.key());
        let mut later: Vec<&ConfigSection> = package
            .iter()
            .filter(|s| s.section_type == section.section_type && s.index > section.index)
            .filter(|s| s.anonymous)
            .collect();
        later.sort_by_key(|s| s.index);
        for moved in later {
            let new_key = format!("@{}[{}]", moved.section_type, moved.index - 1);
            tx.rename_instance(table, &moved.key(), &new_key);
        }
    }
}

/// The numbered section with instance number `number`, or 9005 (the engine checks that the
/// instance exists before asking, so this is a safety net).
pub(crate) fn find(numbered: &[Numbered], number: u32) -> Result<&Numbered, Error> {
    numbered
        .iter()
        .find(|entry| entry.number == number)
        .ok_or_else(|| Error::invalid_name(""))
}

/// The last instance number of a parameter or object reference.
pub(crate) fn instance_number(instances: &[u32]) -> Result<u32, Error> {
    instances
        .last()
        .copied()
        .ok_or_else(|| Error::invalid_name(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datamodel::{ConfigChange, ConfigValue, InstanceChange};

    const T: &str = "Device.T.{i}.";
    const TABLE: SectionTable = SectionTable {
        package: "firewall",
        section_type: "redirect",
        name_prefix: "cwmpd_t",
    };

    fn section(name: &str, anonymous: bool, index: usize) -> ConfigSection {
        ConfigSection {
            name: name.into(),
            anonymous,
            section_type: "redirect".into(),
            index,
            options: vec![("name".into(), ConfigValue::Single(name.into()))],
        }
    }

    #[test]
    fn deleting_moves_later_anonymous_keys_down() {
        let package = vec![
            section("cfg01", true, 0),
            section("named", false, 1),
            section("cfg02", true, 2),
            section("cfg03", true, 3),
        ];
        let mut tx = Transaction::new();
        TABLE.delete(&[T], &package, &package[1], &mut tx);
        assert_eq!(
            tx.changes(),
            [ConfigChange::DeleteSection {
                package: "firewall".into(),
                name: "named".into()
            }]
        );
        let renames: Vec<(String, String)> = tx
            .instance_changes()
            .iter()
            .filter_map(|change| match change {
                InstanceChange::Rename { from, to, .. } => Some((from.clone(), to.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            renames,
            [
                ("@redirect[2]".to_string(), "@redirect[1]".to_string()),
                ("@redirect[3]".to_string(), "@redirect[2]".to_string())
            ]
        );
    }

    #[test]
    fn new_names_avoid_sections_and_known_keys() {
        let mut instances = InstanceTables::new();
        instances.table(T).number_for("cwmpd_t_2");
        let package = vec![section("cwmpd_t_1", false, 0)];
        let paths = crate::platform::Paths::new("/nonexistent");
        let mut config = crate::datamodel::testing::MemoryConfig::new();
        let mut runtime = crate::datamodel::RuntimeValues::default();
        let mut ctx = Context {
            paths: &paths,
            now: 0,
            uptime: 0,
            config: &mut config,
            runtime: &mut runtime,
            instances: &mut instances,
            live: &Default::default(),
        };
        let mut tx = Transaction::new();
        let added = TABLE.add(&mut ctx, T, &package, &[("enabled", "0")], &mut tx);
        assert_eq!(added.unwrap(), (2, "cwmpd_t_3".to_string()));
    }
}
