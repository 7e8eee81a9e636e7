//! Checks a document's front matter against its collection's schema and turns
//! it into typed values.

use std::collections::HashMap;

use crate::config::{Collection, Field, FieldType, BUILTIN_FIELDS};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::frontmatter::{Entry, Raw};
use crate::text::Date;

/// A checked front-matter value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    /// A string or text field's value, trimmed; or the slug a reference names.
    String(String),
    /// A date field's day.
    Date(Date),
    /// A yes-or-no field's value.
    Bool(bool),
    /// A whole-number field's value.
    Integer(i64),
    /// A list field's strings, or the slugs a references field names, empty
    /// items left out.
    List(Vec<String>),
}

/// The front matter of one document, checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrontMatter {
    /// The document's title: the heading of its page and its name in every list.
    pub title: String,
    /// The summary as written; without one, the document's summary is drawn
    /// from its first paragraph.
    pub summary: Option<String>,
    /// When it was published: what date-ordered lists and the feed go by.
    pub date: Option<Date>,
    /// When it was last revised, as written; its page prefers the date of the
    /// last commit to its file.
    pub updated: Option<Date>,
    /// Its tags as written, which a taxonomy of `tags` gives pages.
    pub tags: Vec<String>,
    /// A draft is left out of a build unless `--drafts` (the preview shows it).
    pub draft: bool,
    /// Old addresses of the page, each of which gets a redirect to it.
    pub aliases: Vec<String>,
    /// Its place in a collection sorted by weight, lowest first; 0 unless set.
    pub weight: i64,
    /// The collection's own fields that are set (or have a default), in schema order.
    pub fields: Vec<(String, Value)>,
    /// The line each key was written on.
    pub lines: HashMap<String, usize>,
}

impl FrontMatter {
    /// The value of the collection's own field `name`, if the document sets it
    /// or the field has a default.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The line of field `name`, or of the opening `---` when it is not written.
    pub fn line_of(&self, name: &str) -> usize {
        self.lines.get(name).copied().unwrap_or(1)
    }
}

/// Checks `entries` against `collection`. Problems carry line and column, not the path.
pub fn check(entries: Vec<Entry>, collection: &Collection) -> (FrontMatter, Vec<Diagnostic>) {
    let mut fields = Fields::read(entries, collection);
    let mut fm = builtin_fields(&mut fields);
    let mut missing = missing_builtins(&fm, collection, &fields);
    fm.fields = own_fields(collection, &mut fields, &mut missing);
    fields.report_missing(&missing, collection);
    fm.lines = fields.lines;
    (fm, fields.problems)
}

/// The known fields of a document as written, taken out one by one as they
/// are checked, and the problems found so far.
struct Fields {
    /// The known fields not taken yet.
    values: HashMap<String, Raw>,
    /// The known fields written, taken or not.
    written: Vec<String>,
    /// The line each key was written on, known or not.
    lines: HashMap<String, usize>,
    /// The fields already reported as the wrong type or value.
    failed: Vec<String>,
    problems: Vec<Diagnostic>,
}

impl Fields {
    /// Reads `entries`, reporting every field that `collection` does not know.
    fn read(entries: Vec<Entry>, collection: &Collection) -> Fields {
        let mut values = HashMap::new();
        let mut lines = HashMap::new();
        let mut problems = Vec::new();
        for Entry { key, value, line } in entries {
            lines.insert(key.clone(), line);
            let known =
                BUILTIN_FIELDS.iter().any(|(n, _)| *n == key) || collection.field(&key).is_some();
            if !known {
                problems.push(unknown_field(&key, line, collection));
                continue;
            }
            values.insert(key, value);
        }
        Fields {
            written: values.keys().cloned().collect(),
            values,
            lines,
            failed: Vec::new(),
            problems,
        }
    }

    fn is_written(&self, name: &str) -> bool {
        self.written.iter().any(|w| w == name)
    }

    /// The line of field `name`, or of the opening `---` when it is not written.
    fn line(&self, name: &str) -> usize {
        self.lines.get(name).copied().unwrap_or(1)
    }

    /// Takes field `name` as a `kind`, one of `allowed` unless that is empty.
    /// `None` when it is not written, empty, or wrong; wrong is reported.
    fn take(&mut self, name: &str, kind: FieldType, allowed: &[String]) -> Option<Value> {
        let raw = self.values.remove(name)?;
        let line = self.line(name);
        let problem = match coerce(&raw, kind) {
            Ok(None) => return None,
            Ok(Some(v)) => match not_allowed(&v, allowed) {
                None => return Some(v),
                Some(bad) => not_allowed_error(name, bad, allowed),
            },
            Err(found) => {
                let written = found.trim_matches('"');
                let hint = match (kind, crate::text::Date::why_not(written)) {
                    (FieldType::Date, Some(why)) => {
                        format!("{why}; write the day it is meant to be, as YYYY-MM-DD")
                    }
                    _ => format!("write it as {}", example(name, kind)),
                };
                Diagnostic::error(
                    "wrong-type",
                    format!("`{name}` must be {}, but is {found}", kind.describe()),
                )
                .with_hint(hint)
            }
        };
        self.problems.push(problem.with_position(line, 1));
        self.failed.push(name.to_string());
        None
    }

    /// Reports each field of `missing` that is not already reported as the
    /// wrong type or value.
    fn report_missing(&mut self, missing: &[(&str, FieldType)], collection: &Collection) {
        for &(name, kind) in missing {
            if self.failed.iter().any(|f| f == name) {
                continue; // already reported as the wrong type or value
            }
            let empty = self.is_written(name);
            let line = if empty { self.line(name) } else { 1 };
            let what = if empty { "is empty" } else { "is missing" };
            self.problems.push(
                Diagnostic::error(
                    "missing-field",
                    format!(
                        "required field `{name}` {what} (every {} must have it)",
                        collection.noun()
                    ),
                )
                .with_position(line, 1)
                .with_hint(format!("add {}", example(name, kind))),
            );
        }
    }
}

/// The error for field `key` on `line`, which `collection` does not have.
fn unknown_field(key: &str, line: usize, collection: &Collection) -> Diagnostic {
    let d = Diagnostic::error(
        "unknown-field",
        format!("unknown field \"{key}\" in {}", collection.one()),
    )
    .with_position(line, 1);
    match did_you_mean(key, collection.field_names()) {
        Some(m) => d.with_hint(format!("did you mean \"{m}\"?")),
        None => d.with_hint(format!(
            "the fields of `{}` are: {} (declare new ones in site.toml)",
            collection.name,
            collection.field_names().collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The error for value `bad` of field `name`, which is not one of `allowed`.
fn not_allowed_error(name: &str, bad: &str, allowed: &[String]) -> Diagnostic {
    let d = Diagnostic::error(
        "not-allowed",
        format!("\"{bad}\" is not an allowed value of `{name}`"),
    );
    let list = allowed
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ");
    match did_you_mean(bad, allowed.iter().map(String::as_str)) {
        Some(m) => d.with_hint(format!("did you mean \"{m}\"? allowed: {list}")),
        None => d.with_hint(format!("allowed: {list}")),
    }
}

/// Takes the fields every document may have: title, summary, date, updated,
/// tags, draft, aliases and weight.
fn builtin_fields(fields: &mut Fields) -> FrontMatter {
    let as_string = |v: Option<Value>| match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let as_date = |v: Option<Value>| match v {
        Some(Value::Date(d)) => Some(d),
        _ => None,
    };
    let as_list = |v: Option<Value>| match v {
        Some(Value::List(l)) => l,
        _ => Vec::new(),
    };
    let title = as_string(fields.take("title", FieldType::String, &[])).unwrap_or_default();
    let summary = as_string(fields.take("summary", FieldType::String, &[]));
    let date = as_date(fields.take("date", FieldType::Date, &[]));
    let updated = as_date(fields.take("updated", FieldType::Date, &[]));
    let tags = as_list(fields.take("tags", FieldType::List, &[]));
    let draft = matches!(
        fields.take("draft", FieldType::Bool, &[]),
        Some(Value::Bool(true))
    );
    let aliases = as_list(fields.take("aliases", FieldType::List, &[]));
    let weight = match fields.take("weight", FieldType::Integer, &[]) {
        Some(Value::Integer(w)) => w,
        _ => 0,
    };
    FrontMatter {
        title,
        summary,
        date,
        updated,
        tags,
        draft,
        aliases,
        weight,
        ..FrontMatter::default()
    }
}

/// The title when it is empty, and the built-in fields `collection` requires
/// that are not set, with their types.
fn missing_builtins<'a>(
    fm: &FrontMatter,
    collection: &'a Collection,
    fields: &Fields,
) -> Vec<(&'a str, FieldType)> {
    let mut missing = Vec::new();
    if fm.title.trim().is_empty() {
        missing.push(("title", FieldType::String));
    }
    for name in &collection.required {
        let absent = match name.as_str() {
            "summary" => fm.summary.is_none(),
            "date" => fm.date.is_none(),
            "updated" => fm.updated.is_none(),
            "tags" => fm.tags.is_empty(),
            "aliases" => fm.aliases.is_empty(),
            "draft" | "weight" => !fields.is_written(name),
            _ => false,
        };
        if absent {
            let kind = BUILTIN_FIELDS
                .iter()
                .find(|(n, _)| n == name)
                .map_or(FieldType::String, |(_, k)| *k);
            missing.push((name.as_str(), kind));
        }
    }
    missing
}

/// Takes the collection's own fields, in schema order, with their defaults
/// when they are not written; required ones that are not set go to `missing`.
fn own_fields<'a>(
    collection: &'a Collection,
    fields: &mut Fields,
    missing: &mut Vec<(&'a str, FieldType)>,
) -> Vec<(String, Value)> {
    let mut values = Vec::new();
    for field in &collection.fields {
        match fields.take(&field.name, field.kind, &field.allowed) {
            Some(v) => values.push((field.name.clone(), v)),
            None if fields.is_written(&field.name) => {
                if field.required {
                    missing.push((field.name.as_str(), field.kind));
                }
            }
            None => match default_value(field) {
                Some(v) => values.push((field.name.clone(), v)),
                None if field.required => missing.push((field.name.as_str(), field.kind)),
                None => {}
            },
        }
    }
    values
}

/// Turns a raw value into `kind`; `Ok(None)` for an empty value, `Err` with what was found.
fn coerce(raw: &Raw, kind: FieldType) -> Result<Option<Value>, String> {
    let scalar = |r: &Raw| match r {
        Raw::String(s) => Some(s.trim().to_string()),
        Raw::Integer(i) => Some(i.to_string()),
        Raw::Float(f) => Some(f.to_string()),
        _ => None,
    };
    if *raw == Raw::Null {
        return Ok(None);
    }
    let found = || match raw {
        Raw::String(s) => format!("\"{}\"", s.chars().take(40).collect::<String>()),
        other => other.describe().to_string(),
    };
    Ok(Some(match kind {
        FieldType::String | FieldType::Text | FieldType::Reference => {
            let s = scalar(raw).ok_or_else(found)?;
            if kind != FieldType::Text && s.contains('\n') {
                return Err("several lines".into());
            }
            if s.is_empty() {
                return Ok(None);
            }
            Value::String(s)
        }
        FieldType::Date => match raw {
            Raw::String(s) => Value::Date(Date::parse(s.trim()).ok_or_else(found)?),
            _ => return Err(found()),
        },
        FieldType::Bool => match raw {
            Raw::Bool(b) => Value::Bool(*b),
            _ => return Err(found()),
        },
        FieldType::Integer => match raw {
            Raw::Integer(i) => Value::Integer(*i),
            _ => return Err(found()),
        },
        FieldType::List | FieldType::References => match raw {
            Raw::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match scalar(item) {
                        Some(s) if !s.is_empty() => out.push(s),
                        Some(_) => {}
                        None => return Err(format!("a list holding {}", item.describe())),
                    }
                }
                Value::List(out)
            }
            _ => return Err(found()),
        },
    }))
}

fn not_allowed<'a>(v: &'a Value, allowed: &[String]) -> Option<&'a str> {
    if allowed.is_empty() {
        return None;
    }
    match v {
        Value::String(s) => (!allowed.contains(s)).then_some(s.as_str()),
        Value::List(items) => items
            .iter()
            .find(|i| !allowed.contains(i))
            .map(String::as_str),
        _ => None,
    }
}

fn default_value(field: &Field) -> Option<Value> {
    let d = field.default.as_ref()?;
    Some(match (field.kind, d) {
        (FieldType::Bool, toml::Value::Boolean(b)) => Value::Bool(*b),
        (FieldType::Integer, toml::Value::Integer(i)) => Value::Integer(*i),
        (FieldType::Date, toml::Value::String(s)) => Value::Date(Date::parse(s)?),
        (FieldType::List | FieldType::References, toml::Value::Array(a)) => Value::List(
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        (_, toml::Value::String(s)) => Value::String(s.clone()),
        _ => return None,
    })
}

/// An example line for a field of `kind`, for hints.
pub fn example(name: &str, kind: FieldType) -> String {
    match kind {
        FieldType::String | FieldType::Text => format!("`{name}: Some text`"),
        FieldType::Date => format!("`{name}: 2011-01-31`"),
        FieldType::Bool => format!("`{name}: true`"),
        FieldType::Integer => format!("`{name}: 10`"),
        FieldType::List => format!("`{name}: [first, second]`"),
        FieldType::Reference => format!("`{name}: slug-of-the-document`"),
        FieldType::References => format!("`{name}: [first-slug, second-slug]`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SortBy;
    use crate::frontmatter::split;

    fn collection() -> Collection {
        let field = |name: &str, kind, required, allowed: &[&str]| Field {
            name: name.into(),
            kind,
            required,
            allowed: allowed.iter().map(ToString::to_string).collect(),
            collection: None,
            default: None,
            description: String::new(),
            search_weight: 1,
        };
        Collection {
            name: "workstreams".into(),
            title: "Workstreams".into(),
            description: String::new(),
            folder: "workstreams".into(),
            permalink: "/workstreams/{slug}/".into(),
            template: "page.html".into(),
            list_template: "section.html".into(),
            sort_by: SortBy::default(),
            paginate_by: 10,
            required: vec!["date".into()],
            fields: vec![
                field("champion", FieldType::String, true, &[]),
                field(
                    "status",
                    FieldType::String,
                    false,
                    &["completed", "mainstreamed"],
                ),
                field("review_by", FieldType::Date, false, &[]),
            ],
            raw_html: false,
            search: true,
        }
    }

    fn check_src(src: &str) -> (FrontMatter, Vec<Diagnostic>) {
        check(split(src).unwrap().entries, &collection())
    }

    #[test]
    fn a_good_document() {
        let (fm, errs) = check_src(
            "---\ntitle: Data\ndate: 2011-01-01\nchampion: Cllr X\nstatus: completed\ntags: [a, b]\nweight: 3\n---\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(fm.title, "Data");
        assert_eq!(fm.tags, ["a", "b"]);
        assert_eq!(fm.weight, 3);
        assert_eq!(fm.get("champion"), Some(&Value::String("Cllr X".into())));
    }

    #[test]
    fn every_problem_is_reported() {
        let (_, errs) = check_src("---\ntitle: Data\nstatus: complete\nreview_by: next week\nchampoin: X\ntags: solo\n---\n");
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(
            got,
            [
                (5, "unknown-field"),
                (6, "wrong-type"),
                (3, "not-allowed"),
                (4, "wrong-type"),
                (1, "missing-field"),
                (1, "missing-field")
            ]
        );
        assert_eq!(errs[0].hint.as_deref(), Some("did you mean \"champion\"?"));
        assert!(errs[2]
            .hint
            .as_deref()
            .unwrap()
            .starts_with("did you mean \"completed\"?"));
        assert!(errs[3]
            .message
            .contains("must be a date (YYYY-MM-DD), but is \"next week\""));
    }

    #[test]
    fn empty_required_field_points_at_its_line() {
        let (_, errs) = check_src("---\ntitle: Data\ndate: 2011-01-01\nchampion:\n---\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 4);
        assert!(errs[0].message.contains("is empty"));
    }

    #[test]
    fn required_builtin_fields() {
        let (_, errs) = check_src("---\ntitle: Data\nchampion: X\n---\n");
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("`date` is missing"), "{errs:?}");
        assert_eq!(errs[0].hint.as_deref(), Some("add `date: 2011-01-31`"));
    }

    #[test]
    fn missing_title() {
        let (_, errs) = check_src("---\nchampion: X\ndate: 2011-01-01\n---\n");
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("`title` is missing"));
    }
}
