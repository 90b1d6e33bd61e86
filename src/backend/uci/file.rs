//! One UCI package: its text, what libuci reads from it, and in-place edits.
//!
//! The text is the source of truth. Every edit splices the text (a value, a line, a section
//! block), reads the result again and checks that it means what was asked; an edit that cannot
//! be expressed that way leaves the file unchanged. So whatever is rendered reads back exactly.

use std::ops::Range;

use super::delta::Change;
use super::syntax::{self, Command, Statement};
use super::UciError;

/// The value of an option: `option` gives a single string, `list` lines give a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Single(String),
    List(Vec<String>),
}

impl Value {
    /// The items, a single value being a one-item list.
    pub fn items(&self) -> Vec<&str> {
        match self {
            Value::Single(value) => vec![value.as_str()],
            Value::List(items) => items.iter().map(String::as_str).collect(),
        }
    }

    pub fn as_single(&self) -> Option<&str> {
        match self {
            Value::Single(value) => Some(value),
            Value::List(_) => None,
        }
    }
}

/// A parsed, editable UCI package.
#[derive(Debug, Clone)]
pub struct UciFile {
    package: String,
    text: String,
    /// Ids of the anonymous sections, in the order of their `config` statements. Given once
    /// (at parse or add) and kept, as libuci keeps them for the life of a loaded package.
    anon_ids: Vec<String>,
    /// libuci's `n_section`: sections allocated so far, the counter in `cfgNNxxxx` ids.
    allocated: usize,
    view: View,
    changes: Vec<Change>,
}

/// What the text means.
#[derive(Debug, Clone, Default)]
struct View {
    statements: Vec<Statement>,
    /// The section each statement belongs to (`None` for `package`).
    owner: Vec<Option<usize>>,
    sections: Vec<SectionData>,
}

#[derive(Debug, Clone)]
struct SectionData {
    section_type: String,
    id: String,
    anonymous: bool,
    type_index: usize,
    /// Index into `anon_ids` when anonymous.
    anon_slot: Option<usize>,
    headers: Vec<usize>,
    /// Every statement of the section, headers and options (inert ones too), in text order.
    statements: Vec<usize>,
    options: Vec<OptionData>,
}

#[derive(Debug, Clone)]
struct OptionData {
    name: String,
    value: Value,
    /// The statement each item of the value comes from.
    sources: Vec<usize>,
    /// Every statement that set the option, overwritten ones included.
    statements: Vec<usize>,
}

/// A replacement of `range` in the text by `text`.
#[derive(Debug, Clone)]
struct Splice {
    range: Range<usize>,
    text: String,
}

/// An edited text and what it means, before it is accepted.
struct Candidate {
    text: String,
    view: View,
    anon_ids: Vec<String>,
}

/// A section of a [`UciFile`].
#[derive(Debug, Clone, Copy)]
pub struct Section<'a> {
    file: &'a UciFile,
    index: usize,
}

impl<'a> Section<'a> {
    fn data(&self) -> &'a SectionData {
        &self.file.view.sections[self.index]
    }

    pub fn section_type(&self) -> &'a str {
        &self.data().section_type
    }

    /// The name, `None` for an anonymous section.
    pub fn name(&self) -> Option<&'a str> {
        let data = self.data();
        (!data.anonymous).then_some(data.id.as_str())
    }

    /// The name, or for an anonymous section the id libuci gives it (`cfg02dc81`).
    pub fn id(&self) -> &'a str {
        &self.data().id
    }

    /// The index among the sections of its type, as in `@type[index]`.
    pub fn index(&self) -> usize {
        self.data().type_index
    }

    /// The name, or `@type[index]` for an anonymous section.
    pub fn address(&self) -> String {
        match self.name() {
            Some(name) => name.to_string(),
            None => format!("@{}[{}]", self.section_type(), self.index()),
        }
    }

    pub fn value(&self, option: &str) -> Option<&'a Value> {
        let data = self.data();
        data.options
            .iter()
            .find(|o| o.name == option)
            .map(|o| &o.value)
    }

    /// A single value; `None` for a list or a missing option.
    pub fn get(&self, option: &str) -> Option<&'a str> {
        self.value(option).and_then(Value::as_single)
    }

    /// The items of a list, a single value as one item, nothing for a missing option.
    pub fn get_list(&self, option: &str) -> Vec<&'a str> {
        self.value(option).map(Value::items).unwrap_or_default()
    }

    /// The options in file order.
    pub fn options(&self) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.data()
            .options
            .iter()
            .map(|o| (o.name.as_str(), &o.value))
    }
}

impl UciFile {
    /// An empty package.
    pub fn new(package: &str) -> Result<UciFile, UciError> {
        UciFile::parse(package, "")
    }

    /// Read `text` as the package `package` (libuci's strict mode: any error fails).
    pub fn parse(package: &str, text: &str) -> Result<UciFile, UciError> {
        if !syntax::is_valid_package_name(package) {
            return Err(UciError::InvalidPackageName(package.into()));
        }
        let analysis = analyze(package, text, None)?;
        Ok(UciFile {
            package: package.into(),
            text: text.into(),
            anon_ids: analysis.anon_ids,
            allocated: analysis.allocated,
            view: analysis.view,
            changes: Vec::new(),
        })
    }

    pub fn package(&self) -> &str {
        &self.package
    }

    /// The file's text, as it would be written.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn render(&self) -> String {
        self.text.clone()
    }

    /// The changes made since parse (or since [`UciFile::take_changes`]), as delta lines would
    /// record them, sections named by name or id.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    pub fn sections(&self) -> impl Iterator<Item = Section<'_>> {
        (0..self.view.sections.len()).map(move |index| Section { file: self, index })
    }

    pub fn sections_of_type<'a>(
        &'a self,
        section_type: &'a str,
    ) -> impl Iterator<Item = Section<'a>> + 'a {
        self.sections()
            .filter(move |s| s.section_type() == section_type)
    }

    /// A section by name, anonymous id (`cfg02dc81`) or address (`@zone[1]`, `@zone[-1]`,
    /// `@[0]` for any type).
    pub fn section(&self, section: &str) -> Option<Section<'_>> {
        self.find(section)
            .map(|index| Section { file: self, index })
    }

    pub fn get(&self, section: &str, option: &str) -> Option<&str> {
        self.section(section)?.get(option)
    }

    pub fn get_list(&self, section: &str, option: &str) -> Vec<&str> {
        self.section(section)
            .map(|s| s.get_list(option))
            .unwrap_or_default()
    }

    pub fn value(&self, section: &str, option: &str) -> Option<&Value> {
        self.section(section)?.value(option)
    }

    /// Set an option to a single value. An empty value deletes the option (libuci's `uci set`).
    pub fn set(&mut self, section: &str, option: &str, value: &str) -> Result<(), UciError> {
        check_name(option)?;
        if value.is_empty() {
            return self.delete_option(section, option).map(|_| ());
        }
        check_value(value)?;
        let index = self.find_existing(section)?;
        let desired = Value::Single(value.into());
        let current = self.option_data(index, option);
        if current.map(|o| &o.value) == Some(&desired) {
            return Ok(());
        }
        let minimal = match current {
            Some(o) if o.statements.len() == 1 => self.replace_value_splice(o.statements[0], value),
            Some(_) => None,
            None => Some(self.insert_in_section(index, &[option_line(option, value)])),
        };
        self.edit_option(index, option, Some(desired), minimal)?;
        self.log(Change::set(
            &self.view.sections[index].id.clone(),
            option,
            value,
        ));
        Ok(())
    }

    /// Make an option a list of `values` (no values deletes it).
    pub fn set_list<S: AsRef<str>>(
        &mut self,
        section: &str,
        option: &str,
        values: &[S],
    ) -> Result<(), UciError> {
        check_name(option)?;
        let values: Vec<String> = values.iter().map(|v| v.as_ref().to_string()).collect();
        if values.is_empty() {
            return self.delete_option(section, option).map(|_| ());
        }
        values.iter().try_for_each(|v| check_value(v))?;
        let index = self.find_existing(section)?;
        let desired = Value::List(values.clone());
        let current = self.option_data(index, option).map(|o| o.value.clone());
        let appended = match &current {
            Some(Value::List(old)) if values.starts_with(old) => old.len(),
            _ => 0,
        };
        if current.as_ref() == Some(&desired) {
            return Ok(());
        }
        let new_items: Vec<String> = values[appended..]
            .iter()
            .map(|v| list_line(option, v))
            .collect();
        let minimal = match &current {
            None => Some(self.insert_in_section(index, &new_items)),
            Some(_) if appended > 0 => Some(self.insert_after_option(index, option, &new_items)),
            Some(_) => None,
        };
        self.edit_option(index, option, Some(desired), minimal)?;
        let id = self.view.sections[index].id.clone();
        if appended == 0 && current.is_some() {
            self.log(Change::delete_option(&id, option));
        }
        for value in &values[appended..] {
            self.log(Change::add_list(&id, option, value));
        }
        Ok(())
    }

    /// Append an item to a list; a single value becomes the list's first item (libuci).
    pub fn add_list(&mut self, section: &str, option: &str, value: &str) -> Result<(), UciError> {
        check_name(option)?;
        check_value(value)?;
        let index = self.find_existing(section)?;
        let current = self.option_data(index, option).map(|o| o.value.clone());
        let mut items: Vec<String> = match &current {
            Some(value) => value.items().into_iter().map(String::from).collect(),
            None => Vec::new(),
        };
        items.push(value.into());
        let line = [list_line(option, value)];
        let minimal = match &current {
            None => Some(self.insert_in_section(index, &line)),
            Some(Value::List(_)) => Some(self.insert_after_option(index, option, &line)),
            Some(Value::Single(_)) => None,
        };
        self.edit_option(index, option, Some(Value::List(items)), minimal)?;
        self.log(Change::add_list(
            &self.view.sections[index].id.clone(),
            option,
            value,
        ));
        Ok(())
    }

    /// Remove every item equal to `value` from a list. `false` if there was none.
    pub fn del_list(&mut self, section: &str, option: &str, value: &str) -> Result<bool, UciError> {
        let Some(index) = self.find(section) else {
            return Ok(false);
        };
        let Some(OptionData {
            value: Value::List(items),
            sources,
            ..
        }) = self.option_data(index, option).cloned()
        else {
            return Ok(false);
        };
        if !items.iter().any(|item| item == value) {
            return Ok(false);
        }
        let remaining: Vec<String> = items.iter().filter(|i| *i != value).cloned().collect();
        let mut doomed: Vec<usize> = items
            .iter()
            .zip(&sources)
            .filter(|(item, _)| *item == value)
            .map(|(_, &statement)| statement)
            .collect();
        doomed.dedup();
        let minimal = doomed.iter().map(|&s| self.removal_splice(s)).collect();
        let desired = (!remaining.is_empty()).then_some(Value::List(remaining));
        self.edit_option(index, option, desired, Some(minimal))?;
        let id = self.view.sections[index].id.clone();
        self.log(Change::DelList {
            section: id,
            option: option.into(),
            value: value.into(),
        });
        Ok(true)
    }

    /// Delete an option. `false` if there was no such option (or section).
    pub fn delete_option(&mut self, section: &str, option: &str) -> Result<bool, UciError> {
        let Some(index) = self.find(section) else {
            return Ok(false);
        };
        if self.option_data(index, option).is_none() {
            return Ok(false);
        }
        self.edit_option(index, option, None, None)?;
        self.log(Change::delete_option(
            &self.view.sections[index].id.clone(),
            option,
        ));
        Ok(true)
    }

    /// Add a section at the end. Returns its name, or for an anonymous section the id libuci
    /// would give it (`cfg0c92bd`), usable wherever a section is asked for.
    pub fn add_section(
        &mut self,
        section_type: &str,
        name: Option<&str>,
    ) -> Result<String, UciError> {
        match name {
            Some(name) => {
                check_name(name)?;
                if self.find(name).is_some() {
                    return Err(UciError::AlreadyExists(name.into()));
                }
                self.append_section(section_type, Some(name), None)
            }
            None => self.append_section(section_type, None, None),
        }
    }

    /// Change the type of a section.
    pub fn set_section_type(&mut self, section: &str, section_type: &str) -> Result<(), UciError> {
        if !syntax::is_valid_type(section_type) {
            return Err(UciError::InvalidType(section_type.into()));
        }
        let index = self.find_existing(section)?;
        let data = &self.view.sections[index];
        if data.section_type == section_type {
            return Ok(());
        }
        let splices = data
            .headers
            .iter()
            .map(|&h| Splice {
                range: self.view.statements[h].args[0].span.clone(),
                text: syntax::render_type(section_type),
            })
            .collect();
        let id = data.id.clone();
        let candidate = self.candidate(splices, self.anon_ids.clone())?;
        self.accept_if(candidate, |file| file.get_type(&id) == Some(section_type))?;
        self.log(Change::SetType {
            section: id,
            section_type: section_type.into(),
        });
        Ok(())
    }

    /// Delete a section with its options. `false` if there was no such section.
    pub fn delete_section(&mut self, section: &str) -> Result<bool, UciError> {
        let Some(index) = self.find(section) else {
            return Ok(false);
        };
        let data = &self.view.sections[index];
        let id = data.id.clone();
        let splices = match self.section_block(index) {
            Some(block) => vec![Splice {
                range: block,
                text: String::new(),
            }],
            None => data
                .statements
                .iter()
                .rev()
                .map(|&s| self.removal_splice(s))
                .collect(),
        };
        let mut anon_ids = self.anon_ids.clone();
        if let Some(slot) = data.anon_slot {
            anon_ids.remove(slot);
        }
        let count = self.view.sections.len();
        let candidate = self.candidate(splices, anon_ids)?;
        self.accept_if(candidate, |file| file.view.sections.len() + 1 == count)?;
        self.log(Change::delete_section(&id));
        Ok(true)
    }

    /// Give a section a (new) name; an anonymous section becomes a named one.
    pub fn rename_section(&mut self, section: &str, new_name: &str) -> Result<(), UciError> {
        check_name(new_name)?;
        let index = self.find_existing(section)?;
        if self.find(new_name).is_some_and(|other| other != index) {
            return Err(UciError::AlreadyExists(new_name.into()));
        }
        let data = &self.view.sections[index];
        let (id, section_type) = (data.id.clone(), data.section_type.clone());
        let splices = data
            .headers
            .iter()
            .map(|&h| self.header_name_splice(h, new_name))
            .collect();
        let mut anon_ids = self.anon_ids.clone();
        if let Some(slot) = data.anon_slot {
            anon_ids.remove(slot);
        }
        let candidate = self.candidate(splices, anon_ids)?;
        self.accept_if(candidate, |file| {
            file.get_type(new_name) == Some(section_type.as_str())
        })?;
        self.log(Change::Rename {
            section: id,
            option: None,
            new_name: new_name.into(),
        });
        Ok(())
    }

    /// Rename an option. `false` if there was no such option.
    pub fn rename_option(
        &mut self,
        section: &str,
        option: &str,
        new_name: &str,
    ) -> Result<bool, UciError> {
        check_name(new_name)?;
        let index = self.find_existing(section)?;
        let Some(value) = self.option_data(index, option).map(|o| o.value.clone()) else {
            return Ok(false);
        };
        if self.option_data(index, new_name).is_some() {
            return Err(UciError::AlreadyExists(new_name.into()));
        }
        let splices = self
            .statements_of_option(index, option)
            .into_iter()
            .map(|s| Splice {
                range: self.view.statements[s].args[0].span.clone(),
                text: new_name.into(),
            })
            .collect();
        let id = self.view.sections[index].id.clone();
        let candidate = self.candidate(splices, self.anon_ids.clone())?;
        self.accept_if(candidate, |file| file.value(&id, new_name) == Some(&value))?;
        self.log(Change::Rename {
            section: id,
            option: Some(option.into()),
            new_name: new_name.into(),
        });
        Ok(true)
    }

    /// Apply one delta change, as libuci applies a line of a delta file.
    pub fn apply(&mut self, change: &Change) -> Result<(), UciError> {
        match change {
            Change::SetType {
                section,
                section_type,
            } => match self.find(section) {
                Some(_) => self.set_section_type(section, section_type),
                None => {
                    check_name(section)?;
                    self.append_section(section_type, Some(section), None)
                        .map(|_| ())
                }
            },
            Change::AddAnonymous {
                section,
                section_type,
            } => match self.find(section) {
                Some(_) => self.set_section_type(section, section_type),
                None => {
                    check_name(section)?;
                    self.append_section(section_type, None, Some(section))
                        .map(|_| ())
                }
            },
            Change::Set {
                section,
                option,
                value,
            } => self.set(section, option, value),
            Change::Delete {
                section,
                option: None,
            } => self.delete_section(section).map(|_| ()),
            Change::Delete {
                section,
                option: Some(option),
            } => self.delete_option(section, option).map(|_| ()),
            Change::AddList {
                section,
                option,
                value,
            } => self.add_list(section, option, value),
            Change::DelList {
                section,
                option,
                value,
            } => self.del_list(section, option, value).map(|_| ()),
            Change::Rename {
                section,
                option: None,
                new_name,
            } => self.rename_section(section, new_name),
            Change::Rename {
                section,
                option: Some(option),
                new_name,
            } => self.rename_option(section, option, new_name).map(|_| ()),
            Change::Reorder { .. } => Err(UciError::Unsupported("reordering sections")),
        }
    }

    // ----- lookups -----

    fn find(&self, section: &str) -> Option<usize> {
        match section.strip_prefix('@') {
            Some(address) => self.find_address(address),
            None => self.view.sections.iter().position(|s| s.id == section),
        }
    }

    fn find_existing(&self, section: &str) -> Result<usize, UciError> {
        self.find(section)
            .ok_or_else(|| UciError::SectionNotFound(section.into()))
    }

    /// `type[n]` or `[n]` (any type); a negative index counts from the end (libuci).
    fn find_address(&self, address: &str) -> Option<usize> {
        let (section_type, rest) = address.split_once('[')?;
        let index: i64 = rest.strip_suffix(']')?.parse().ok()?;
        if !section_type.is_empty() && !syntax::is_valid_type(section_type) {
            return None;
        }
        let matching: Vec<usize> = (0..self.view.sections.len())
            .filter(|&i| {
                section_type.is_empty() || self.view.sections[i].section_type == section_type
            })
            .collect();
        let index = if index < 0 {
            index + matching.len() as i64
        } else {
            index
        };
        usize::try_from(index)
            .ok()
            .and_then(|i| matching.get(i).copied())
    }

    fn get_type(&self, section: &str) -> Option<&str> {
        self.section(section).map(|s| s.section_type())
    }

    fn option_data(&self, section: usize, option: &str) -> Option<&OptionData> {
        self.view.sections[section]
            .options
            .iter()
            .find(|o| o.name == option)
    }

    /// Every `option`/`list` statement naming `option` in the section, inert ones included.
    fn statements_of_option(&self, section: usize, option: &str) -> Vec<usize> {
        self.view.sections[section]
            .statements
            .iter()
            .copied()
            .filter(|&s| {
                let statement = &self.view.statements[s];
                matches!(statement.command, Command::Option | Command::List)
                    && statement.args[0].value == option
            })
            .collect()
    }

    fn log(&mut self, change: Change) {
        self.changes.push(change);
    }

    // ----- edits -----

    /// Make `option` of the section mean `desired`: try the minimal splices, and when they do
    /// not give the wanted value, rewrite the option's lines.
    fn edit_option(
        &mut self,
        section: usize,
        option: &str,
        desired: Option<Value>,
        minimal: Option<Vec<Splice>>,
    ) -> Result<(), UciError> {
        let id = self.view.sections[section].id.clone();
        let wanted = |file: &Candidate| file.value(&id, option) == desired.as_ref();
        if let Some(splices) = minimal {
            if let Ok(candidate) = self.candidate(splices, self.anon_ids.clone()) {
                if wanted(&candidate) {
                    self.accept(candidate);
                    return Ok(());
                }
            }
        }
        let splices = self.rewrite_option_splices(section, option, desired.as_ref());
        let candidate = self.candidate(splices, self.anon_ids.clone())?;
        if !wanted(&candidate) {
            return Err(UciError::Unsupported(
                "the option cannot be rewritten in place",
            ));
        }
        self.accept(candidate);
        Ok(())
    }

    /// Replace all statements of the option by fresh lines where the first one was.
    fn rewrite_option_splices(
        &self,
        section: usize,
        option: &str,
        desired: Option<&Value>,
    ) -> Vec<Splice> {
        let lines = match desired {
            None => Vec::new(),
            Some(Value::Single(value)) => vec![option_line(option, value)],
            Some(Value::List(items)) => items.iter().map(|v| list_line(option, v)).collect(),
        };
        let statements = self.statements_of_option(section, option);
        let Some((&first, rest)) = statements.split_first() else {
            return self.insert_in_section(section, &lines);
        };
        let mut splices: Vec<Splice> = rest.iter().map(|&s| self.removal_splice(s)).collect();
        let statement = &self.view.statements[first];
        if statement.shares_line {
            splices.push(self.removal_splice(first));
            splices.push(self.insertion(statement.line.end, &lines, &self.indent_of(section)));
        } else {
            let indent = self
                .line_indent(first)
                .unwrap_or_else(|| self.indent_of(section));
            let mut text: String = lines.iter().map(|l| format!("{indent}{l}")).collect();
            if !self.text[statement.line.clone()].ends_with('\n') {
                text.pop();
            }
            splices.push(Splice {
                range: statement.line.clone(),
                text,
            });
        }
        splices
    }

    fn replace_value_splice(&self, statement: usize, value: &str) -> Option<Vec<Splice>> {
        let statement = &self.view.statements[statement];
        let arg = statement.args.get(1)?;
        (statement.command == Command::Option).then(|| {
            vec![Splice {
                range: arg.span.clone(),
                text: syntax::quote(value),
            }]
        })
    }

    /// New lines after the last statement of the section.
    fn insert_in_section(&self, section: usize, lines: &[String]) -> Vec<Splice> {
        let data = &self.view.sections[section];
        let end = data
            .statements
            .iter()
            .map(|&s| self.view.statements[s].line.end)
            .max()
            .unwrap_or(self.text.len());
        vec![self.insertion(end, lines, &self.indent_of(section))]
    }

    /// New lines after the last statement of the option.
    fn insert_after_option(&self, section: usize, option: &str, lines: &[String]) -> Vec<Splice> {
        let statements = self.statements_of_option(section, option);
        let Some(&last) = statements.last() else {
            return self.insert_in_section(section, lines);
        };
        let indent = self
            .line_indent(last)
            .unwrap_or_else(|| self.indent_of(section));
        vec![self.insertion(self.view.statements[last].line.end, lines, &indent)]
    }

    fn insertion(&self, at: usize, lines: &[String], indent: &str) -> Splice {
        let mut text = String::new();
        if at > 0 && !self.text[..at].ends_with('\n') {
            text.push('\n');
        }
        for line in lines {
            text.push_str(indent);
            text.push_str(line);
        }
        Splice {
            range: at..at,
            text,
        }
    }

    /// The whole logical line of a statement alone on it, else just the statement.
    fn removal_splice(&self, statement: usize) -> Splice {
        let statement = &self.view.statements[statement];
        let range = if statement.shares_line {
            statement.span.clone()
        } else {
            statement.line.clone()
        };
        Splice {
            range,
            text: String::new(),
        }
    }

    /// The blanks before a statement that starts its line.
    fn line_indent(&self, statement: usize) -> Option<String> {
        let statement = &self.view.statements[statement];
        let prefix = &self.text[statement.line.start..statement.span.start];
        (!statement.shares_line && prefix.bytes().all(|b| b == b' ' || b == b'\t'))
            .then(|| prefix.to_string())
    }

    /// The indent of the section's last option line, a tab by default (libuci's export).
    fn indent_of(&self, section: usize) -> String {
        self.view.sections[section]
            .statements
            .iter()
            .rev()
            .filter(|&&s| self.view.statements[s].command != Command::Config)
            .find_map(|&s| self.line_indent(s))
            .unwrap_or_else(|| "\t".into())
    }

    fn header_name_splice(&self, header: usize, new_name: &str) -> Splice {
        let statement = &self.view.statements[header];
        match statement.args.get(1) {
            Some(name) => Splice {
                range: name.span.clone(),
                text: syntax::quote(new_name),
            },
            None => {
                let end = statement.args[0].span.end;
                Splice {
                    range: end..end,
                    text: format!(" {}", syntax::quote(new_name)),
                }
            }
        }
    }

    /// Lines from the section's first line to its last, when nothing else is in between, and
    /// the blank line before it.
    fn section_block(&self, section: usize) -> Option<Range<usize>> {
        let data = &self.view.sections[section];
        let lines = data
            .statements
            .iter()
            .map(|&s| &self.view.statements[s].line);
        let start = lines.clone().map(|l| l.start).min()?;
        let end = lines.map(|l| l.end).max()?;
        let exclusive = self
            .view
            .statements
            .iter()
            .zip(&self.view.owner)
            .filter(|(s, _)| (start..end).contains(&s.span.start))
            .all(|(_, owner)| *owner == Some(section));
        let outer = self.block_start(start);
        // Never take a piece of another statement (a quoted value may span lines).
        let touches_other = self
            .view
            .statements
            .iter()
            .any(|s| s.line.start < start && s.line.end > outer);
        let start = if touches_other { start } else { outer };
        exclusive.then_some(start..end)
    }

    /// Where a section's block starts: the comment lines right above its header belong to
    /// it, and so does one blank line above those.
    fn block_start(&self, header_line: usize) -> usize {
        let mut start = header_line;
        while let Some(previous) = self.previous_line(start) {
            if !self.text[previous..start].trim_start().starts_with('#') {
                break;
            }
            start = previous;
        }
        match self.previous_line(start) {
            Some(previous) if self.text[previous..start].trim().is_empty() => previous,
            _ => start,
        }
    }

    /// The start of the physical line before the one starting at `line_start`.
    fn previous_line(&self, line_start: usize) -> Option<usize> {
        let without_break = self.text[..line_start].strip_suffix('\n')?;
        Some(without_break.rfind('\n').map_or(0, |i| i + 1))
    }

    fn append_section(
        &mut self,
        section_type: &str,
        name: Option<&str>,
        anon_id: Option<&str>,
    ) -> Result<String, UciError> {
        if !syntax::is_valid_type(section_type) {
            return Err(UciError::InvalidType(section_type.into()));
        }
        let header = match name {
            Some(name) => format!(
                "config {} {}\n",
                syntax::render_type(section_type),
                syntax::quote(name)
            ),
            None => format!("config {}\n", syntax::render_type(section_type)),
        };
        let allocated = self.allocated + 1;
        let id = match (name, anon_id) {
            (Some(name), _) => name.to_string(),
            (None, Some(id)) => id.to_string(),
            (None, None) => anonymous_id(allocated, section_type),
        };
        let mut anon_ids = self.anon_ids.clone();
        if name.is_none() {
            anon_ids.push(id.clone());
        }
        let splice = self.section_append_splice(&header);
        let candidate = self.candidate(vec![splice], anon_ids)?;
        self.accept_if(candidate, |file| file.get_type(&id) == Some(section_type))?;
        self.allocated = allocated;
        self.log(match name {
            Some(_) => Change::SetType {
                section: id.clone(),
                section_type: section_type.into(),
            },
            None => Change::AddAnonymous {
                section: id.clone(),
                section_type: section_type.into(),
            },
        });
        Ok(id)
    }

    /// A new section goes after the last non-blank line, after a blank line, as libuci's
    /// export lays out sections; an empty file becomes exactly what libuci would export.
    fn section_append_splice(&self, header: &str) -> Splice {
        let content_end = self.text.trim_end().len();
        if content_end == 0 {
            return Splice {
                range: 0..self.text.len(),
                text: format!("\n{header}\n"),
            };
        }
        let at = self.text[content_end..]
            .find('\n')
            .map_or(self.text.len(), |i| content_end + i + 1);
        let break_first = if self.text[..at].ends_with('\n') {
            ""
        } else {
            "\n"
        };
        Splice {
            range: at..at,
            text: format!("{break_first}\n{header}"),
        }
    }

    fn candidate(
        &self,
        mut splices: Vec<Splice>,
        anon_ids: Vec<String>,
    ) -> Result<Candidate, UciError> {
        splices.sort_by_key(|s| std::cmp::Reverse((s.range.start, s.range.end)));
        let mut text = self.text.clone();
        for splice in splices {
            text.replace_range(splice.range, &splice.text);
        }
        let analysis = analyze(&self.package, &text, Some(&anon_ids))
            .map_err(|_| UciError::Unsupported("the edited text would not read back"))?;
        if analysis.anon_ids != anon_ids {
            return Err(UciError::Unsupported(
                "the edit would rename anonymous sections",
            ));
        }
        Ok(Candidate {
            text,
            view: analysis.view,
            anon_ids,
        })
    }

    fn accept(&mut self, candidate: Candidate) {
        self.text = candidate.text;
        self.view = candidate.view;
        self.anon_ids = candidate.anon_ids;
    }

    fn accept_if(
        &mut self,
        candidate: Candidate,
        check: impl Fn(&UciFile) -> bool,
    ) -> Result<(), UciError> {
        let mut edited = self.clone();
        edited.accept(candidate);
        if !check(&edited) {
            return Err(UciError::Unsupported(
                "the edit did not read back as intended",
            ));
        }
        *self = edited;
        Ok(())
    }
}

impl Candidate {
    fn value(&self, section: &str, option: &str) -> Option<&Value> {
        let data = self.view.sections.iter().find(|s| s.id == section)?;
        data.options
            .iter()
            .find(|o| o.name == option)
            .map(|o| &o.value)
    }
}

fn option_line(option: &str, value: &str) -> String {
    format!("option {option} {}\n", syntax::quote(value))
}

fn list_line(option: &str, value: &str) -> String {
    format!("list {option} {}\n", syntax::quote(value))
}

fn check_name(name: &str) -> Result<(), UciError> {
    if syntax::is_valid_name(name) {
        Ok(())
    } else {
        Err(UciError::InvalidName(name.into()))
    }
}

fn check_value(value: &str) -> Result<(), UciError> {
    if syntax::is_valid_value(value) {
        Ok(())
    } else {
        Err(UciError::InvalidValue(value.into()))
    }
}

/// libuci's name for an anonymous section (`uci_fixup_section`): `cfg`, the package's section
/// counter, and the low 16 bits of a djb hash of the type (the section has no options yet).
fn anonymous_id(counter: usize, section_type: &str) -> String {
    let hash = section_type.bytes().fold(5381u32, |hash, b| {
        hash.wrapping_shl(5)
            .wrapping_add(hash)
            .wrapping_add(u32::from(b))
    }) & 0x7fff_ffff;
    format!("cfg{counter:02x}{:04x}", hash % (1 << 16))
}

struct Analysis {
    view: View,
    anon_ids: Vec<String>,
    allocated: usize,
}

const INVALID_NAME: &str = "invalid character in name field";
const INVALID_TYPE: &str = "invalid character in type field";
const OPTION_BEFORE_SECTION: &str = "option/list command found before the first section";
const TYPE_CONFLICT: &str = "section of different type overwrites prior section with same name";

/// Read the statements of `text` the way libuci builds a package from them. Anonymous
/// sections take their ids from `known_ids` in order, or get new ones.
fn analyze(package: &str, text: &str, known_ids: Option<&[String]>) -> Result<Analysis, UciError> {
    let parse_error = |line: usize, reason: &'static str| UciError::Parse {
        package: package.into(),
        line,
        reason,
    };
    let statements = syntax::tokenize(text).map_err(|e| parse_error(e.line, e.reason))?;
    let mut builder = Builder {
        known_ids: known_ids.unwrap_or_default(),
        anon_ids: Vec::new(),
        allocated: 0,
        sections: Vec::new(),
        owner: Vec::new(),
        current: None,
    };
    for (index, statement) in statements.iter().enumerate() {
        builder
            .statement(index, statement)
            .map_err(|reason| parse_error(statement.line_number, reason))?;
    }
    builder.number_types();
    Ok(Analysis {
        view: View {
            statements,
            owner: builder.owner,
            sections: builder.sections,
        },
        anon_ids: builder.anon_ids,
        allocated: builder.allocated,
    })
}

struct Builder<'a> {
    known_ids: &'a [String],
    anon_ids: Vec<String>,
    allocated: usize,
    sections: Vec<SectionData>,
    owner: Vec<Option<usize>>,
    current: Option<usize>,
}

impl Builder<'_> {
    fn statement(&mut self, index: usize, statement: &Statement) -> Result<(), &'static str> {
        let arg = |i: usize| statement.args.get(i).map_or("", |a| a.value.as_str());
        match statement.command {
            Command::Package => {
                // A `package` line in a file only names what the file is; libuci ignores it.
                if !syntax::is_valid_package_name(arg(0)) {
                    return Err(INVALID_NAME);
                }
                self.owner.push(None);
            }
            Command::Config => self.config(index, arg(0), arg(1))?,
            Command::Option | Command::List => {
                let section = self.current.ok_or(OPTION_BEFORE_SECTION)?;
                if !syntax::is_valid_name(arg(0)) {
                    return Err(INVALID_NAME);
                }
                self.owner.push(Some(section));
                let data = &mut self.sections[section];
                data.statements.push(index);
                let is_list = statement.command == Command::List;
                set_option(data, index, arg(0), arg(1), is_list);
            }
        }
        Ok(())
    }

    fn config(&mut self, index: usize, section_type: &str, name: &str) -> Result<(), &'static str> {
        if !syntax::is_valid_type(section_type) {
            return Err(INVALID_TYPE);
        }
        if !name.is_empty() && !syntax::is_valid_name(name) {
            return Err(INVALID_NAME);
        }
        let existing = (!name.is_empty())
            .then(|| self.sections.iter().position(|s| s.id == name))
            .flatten();
        let section = match existing {
            Some(section) if self.sections[section].section_type != section_type => {
                return Err(TYPE_CONFLICT);
            }
            Some(section) => section,
            None => self.new_section(section_type, name),
        };
        self.owner.push(Some(section));
        self.sections[section].headers.push(index);
        self.sections[section].statements.push(index);
        self.current = Some(section);
        Ok(())
    }

    fn new_section(&mut self, section_type: &str, name: &str) -> usize {
        self.allocated += 1;
        let anonymous = name.is_empty();
        let (id, anon_slot) = if anonymous {
            let slot = self.anon_ids.len();
            let id = self
                .known_ids
                .get(slot)
                .cloned()
                .unwrap_or_else(|| anonymous_id(self.allocated, section_type));
            self.anon_ids.push(id.clone());
            (id, Some(slot))
        } else {
            (name.to_string(), None)
        };
        self.sections.push(SectionData {
            section_type: section_type.into(),
            id,
            anonymous,
            type_index: 0,
            anon_slot,
            headers: Vec::new(),
            statements: Vec::new(),
            options: Vec::new(),
        });
        self.sections.len() - 1
    }

    fn number_types(&mut self) {
        for i in 0..self.sections.len() {
            let section_type = &self.sections[i].section_type;
            let before = self.sections[..i]
                .iter()
                .filter(|s| &s.section_type == section_type)
                .count();
            self.sections[i].type_index = before;
        }
    }
}

/// libuci's `uci_set`/`uci_add_list` during parsing: `option x ''` does nothing, a later
/// `option` replaces the value in place, `list` after `option` turns it into a list.
fn set_option(section: &mut SectionData, statement: usize, name: &str, value: &str, is_list: bool) {
    if !is_list && value.is_empty() {
        return;
    }
    let Some(option) = section.options.iter_mut().find(|o| o.name == name) else {
        let value = if is_list {
            Value::List(vec![value.into()])
        } else {
            Value::Single(value.into())
        };
        section.options.push(OptionData {
            name: name.into(),
            value,
            sources: vec![statement],
            statements: vec![statement],
        });
        return;
    };
    option.statements.push(statement);
    if !is_list {
        option.value = Value::Single(value.into());
        option.sources = vec![statement];
        return;
    }
    let mut items = match std::mem::replace(&mut option.value, Value::List(Vec::new())) {
        Value::Single(old) => vec![old],
        Value::List(items) => items,
    };
    items.push(value.into());
    option.value = Value::List(items);
    option.sources.push(statement);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_ids_match_those_seen_on_openwrt() {
        // `uci show firewall` on stock OpenWrt: defaults, then the lan and wan zones.
        assert_eq!(anonymous_id(1, "defaults"), "cfg01e63d");
        assert_eq!(anonymous_id(2, "zone"), "cfg02dc81");
        assert_eq!(anonymous_id(3, "zone"), "cfg03dc81");
        assert_eq!(anonymous_id(4, "forwarding"), "cfg04ad58");
        assert_eq!(anonymous_id(1, "dnsmasq"), "cfg01411c");
        assert_eq!(anonymous_id(0x100, "rule"), "cfg10092bd");
    }

    #[test]
    fn addresses_count_from_either_end() {
        let file = UciFile::parse("p", "config a\nconfig b 'x'\nconfig a\n").unwrap();
        let id = |address: &str| file.section(address).map(|s| s.id().to_string());
        assert_eq!(id("@a[0]").as_deref(), Some("cfg01b606"));
        assert_eq!(id("@a[-1]").as_deref(), Some("cfg03b606"));
        assert_eq!(id("@a[1]"), id("@a[-1]"));
        assert_eq!(id("@a[-3]"), None);
        assert_eq!(id("@a[2]"), None);
        assert_eq!(id("@[1]").as_deref(), Some("x"));
        assert_eq!(id("@a[x]"), None);
        assert_eq!(id("@a[0]x"), None);
        assert_eq!(id("@a"), None);
        assert_eq!(file.section("@a[1]").unwrap().address(), "@a[1]");
        assert_eq!(file.section("x").unwrap().address(), "x");
        assert_eq!(file.section("x").unwrap().index(), 0);
    }
}
