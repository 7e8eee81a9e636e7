//! The front matter of a new page: every field of its collection, built-in
//! and the collection's own, each with a comment saying what it is for,
//! whether it is required and what it may hold.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{Collection, Config, Field, FieldType, BUILTIN_FIELDS};
use crate::frontmatter::Raw;
use crate::load::CONTENT_DIR;
use crate::text::Date;

use super::yaml_string;

/// What each built-in field is for, in an editor's words.
fn builtin_about(name: &str) -> &'static str {
    match name {
        "title" => "the page's title, shown as its heading, in lists and in search results",
        "summary" => "one sentence saying what the page is for, shown in lists, in search results and as the page's description",
        "date" => "the date the page is about or was published, written YYYY-MM-DD",
        "updated" => "when the page last changed in substance, written YYYY-MM-DD",
        "tags" => "topics that group this page with others, like [assets, procurement]",
        "draft" => "true keeps the page off the published sites (the preview still shows it)",
        "aliases" => "old addresses of this page, each then redirecting here, like [/old/address/]",
        _ => "a whole number that places the page in its list (lower numbers first)",
    }
}

/// What a field of `kind` holds, for a field site.toml does not describe.
fn kind_about(field: &Field) -> String {
    match field.kind {
        FieldType::String => "a line of text".into(),
        FieldType::Text => "text, which may run over several lines".into(),
        FieldType::Date => "a date, written YYYY-MM-DD".into(),
        FieldType::Bool => "true or false".into(),
        FieldType::Integer => "a whole number".into(),
        FieldType::List => "a list, like [first, second]".into(),
        FieldType::Reference | FieldType::References => String::new(),
    }
}

/// The comment after a field: required or optional, what it is for, what it may hold.
fn comment(required: bool, about: &str, extra: &[String]) -> String {
    let mut s = format!("  # {}", if required { "Required" } else { "Optional" });
    let rest: Vec<&str> = std::iter::once(about)
        .chain(extra.iter().map(String::as_str))
        .filter(|p| !p.is_empty())
        .collect();
    if !rest.is_empty() {
        s.push_str(": ");
        s.push_str(&rest.join("; "));
    }
    s
}

/// A page built from the collection's schema.
pub(super) fn from_schema(
    config: &Config,
    coll: &Collection,
    title: &str,
    today: Date,
    root: &Path,
) -> String {
    let existing = existing_values(root, coll);
    let mut fm = Vec::new();
    for (name, _) in BUILTIN_FIELDS {
        let required = coll.requires(name);
        let value = match *name {
            "title" => yaml_string(title),
            "summary" => "\"\"".into(),
            "date" | "updated" if required => today.to_string(),
            "tags" | "aliases" => "[]".into(),
            "draft" => "false".into(),
            _ => String::new(),
        };
        fm.push(line(
            name,
            &value,
            &comment(required, builtin_about(name), &[]),
        ));
    }
    for field in &coll.fields {
        let (value, extra) = own_value(config, field, today, root, &existing);
        let about = if field.description.is_empty() {
            kind_about(field)
        } else {
            sentence_case_after_colon(&field.description)
        };
        fm.push(line(
            &field.name,
            &value,
            &comment(field.required, &about, &extra),
        ));
    }
    format!(
        "---\n# Fill in the summary (and any field marked Required that is empty),\n\
         # then run `hubgen check`. Delete the comments or leave them: they are not published.\n\
         {}\n---\n\nWrite the page here, in Markdown.\n",
        fm.join("\n")
    )
}

/// `text` with its first letter in lower case, as it follows "Required: "
/// ("The role…" → "the role…"), when its first word is a common one: a
/// name at the start ("Ofcom", "LG Group") keeps its capital.
fn sentence_case_after_colon(text: &str) -> String {
    let first_word = text.split_whitespace().next().unwrap_or_default();
    let common = [
        "The",
        "A",
        "An",
        "Where",
        "What",
        "When",
        "Who",
        "How",
        "Self-assessment",
    ];
    if !common.contains(&first_word) {
        return text.to_string();
    }
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

fn line(name: &str, value: &str, comment: &str) -> String {
    if value.is_empty() {
        format!("{name}:{comment}")
    } else {
        format!("{name}: {value}{comment}")
    }
}

/// The value a new page starts with for one of the collection's own fields,
/// and what the comment should add about it.
fn own_value(
    config: &Config,
    field: &Field,
    today: Date,
    root: &Path,
    existing: &BTreeMap<String, BTreeMap<String, usize>>,
) -> (String, Vec<String>) {
    let mut extra = Vec::new();
    let slugs = match field.kind {
        FieldType::Reference | FieldType::References => {
            reference_slugs(config, field.collection.as_deref(), root)
        }
        _ => Vec::new(),
    };
    if let Some(c) = &field.collection {
        let what = if field.kind == FieldType::References {
            format!("a list of file names (without .md) from content/{c}/")
        } else {
            format!("the file name (without .md) of a page in content/{c}/")
        };
        extra.push(what);
    }
    if !field.allowed.is_empty() {
        extra.push(format!("one of: {}", field.allowed.join(", ")));
    } else if !slugs.is_empty() {
        extra.push(format!("one of: {}", slugs.join(", ")));
    }
    if let Some(d) = &field.default {
        extra.push("the site's default is filled in".into());
        return (toml_as_yaml(d), extra);
    }
    let empty = match field.kind {
        FieldType::List | FieldType::References => "[]",
        FieldType::Bool => "false",
        FieldType::Date | FieldType::Integer => "",
        _ => "\"\"",
    };
    if !field.required {
        return (empty.into(), extra);
    }
    let value = match field.kind {
        // A review date (`review_by`) a year ahead: today's would be overdue at once.
        FieldType::Date if field.name.ends_with("_by") => today.years_later(1).to_string(),
        FieldType::Date => today.to_string(),
        FieldType::Integer => "0".into(),
        FieldType::String | FieldType::Text | FieldType::Reference => {
            match most_common(existing, &field.name) {
                Some(v) => {
                    extra.push(
                        "filled in with what most pages here have; change it if this page differs"
                            .into(),
                    );
                    yaml_string(&v)
                }
                None => field
                    .allowed
                    .first()
                    .or(slugs.first())
                    .map_or_else(|| empty.into(), |v| yaml_string(v)),
            }
        }
        _ => empty.into(),
    };
    (value, extra)
}

fn toml_as_yaml(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => yaml_string(s),
        toml::Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(toml_as_yaml)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// The value most pages of the collection give `field`; the first in order on a tie.
fn most_common(
    existing: &BTreeMap<String, BTreeMap<String, usize>>,
    field: &str,
) -> Option<String> {
    let counts = existing.get(field)?;
    let top = counts.values().max()?;
    counts
        .iter()
        .find(|(_, n)| *n == top)
        .map(|(v, _)| v.clone())
}

/// How often each text value of each field occurs in the collection's pages.
fn existing_values(root: &Path, coll: &Collection) -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut out: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let dir = root.join(CONTENT_DIR).join(&coll.folder);
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if !crate::load::is_markdown(&path) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(split) = crate::frontmatter::split(&text) else {
            continue;
        };
        for e in split.entries {
            if let Raw::String(s) = e.value {
                if !s.trim().is_empty() {
                    *out.entry(e.key).or_default().entry(s).or_default() += 1;
                }
            }
        }
    }
    out
}

/// The slugs of a collection's documents, for the comment beside a reference field.
fn reference_slugs(config: &Config, collection: Option<&str>, root: &Path) -> Vec<String> {
    let Some(coll) = collection.and_then(|c| config.collection(c)) else {
        return Vec::new();
    };
    let mut slugs: Vec<String> = std::fs::read_dir(root.join(CONTENT_DIR).join(&coll.folder))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".md")
                .map(str::to_string)
        })
        .collect();
    slugs.sort();
    slugs
}
