//! `hubgen new COLLECTION "Title"`: a new page with every required field in place.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{Collection, Config, FieldType};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::CONTENT_DIR;
use crate::text::{slugify, Date};

/// Where archetypes live: `archetypes/COLLECTION.md`, with `{{ title }}` and `{{ date }}` filled in.
pub const ARCHETYPES_DIR: &str = "archetypes";

/// The longest title `new` accepts: long enough for any real title, short
/// enough that its file name fits every file system.
const MAX_TITLE: usize = 200;
/// The longest file name `new` makes from a title, in characters before `.md`.
const MAX_SLUG: usize = 80;

/// `slug` cut at a hyphen to at most [`MAX_SLUG`] characters.
fn short_slug(slug: &str) -> String {
    if slug.len() <= MAX_SLUG {
        return slug.to_string();
    }
    let cut = &slug[..MAX_SLUG];
    cut.rfind('-').map_or(cut, |i| &cut[..i]).to_string()
}

/// Entry point for `hubgen new`: writes the page and returns its path (relative to the site root).
pub fn run(
    root: &Path,
    collection: &str,
    title: &str,
    today: Date,
) -> Result<PathBuf, Diagnostics> {
    let config = Config::load(root)?;
    let coll = config.collection_named(collection)?;
    if title.chars().any(char::is_control) {
        return Err(Diagnostic::error(
            "usage",
            "the title has a line break or another control character in it",
        )
        .with_hint(
            "give the title on one line, in quotes: hubgen new guides \"Sharing capital assets\"",
        )
        .into());
    }
    if title.chars().count() > MAX_TITLE {
        return Err(Diagnostic::error(
            "usage",
            format!(
                "the title is {} characters long; titles here are at most {MAX_TITLE}",
                title.chars().count()
            ),
        )
        .with_hint("shorten the title; the summary is the place for a longer description")
        .into());
    }
    let slug = short_slug(&slugify(title));
    if slug.is_empty() {
        return Err(Diagnostic::error(
            "usage",
            format!("the title {title:?} has no letters or digits to make a file name from"),
        )
        .into());
    }
    let rel = Path::new(CONTENT_DIR)
        .join(&coll.folder)
        .join(format!("{slug}.md"));
    let path = root.join(&rel);
    if path.exists() {
        return Err(
            Diagnostic::error("exists", "this file already exists; nothing was written")
                .in_file(&rel)
                .with_hint("choose another title, or edit the existing page")
                .into(),
        );
    }
    let archetype = root.join(ARCHETYPES_DIR).join(format!("{collection}.md"));
    let text = match std::fs::read_to_string(&archetype) {
        Ok(a) => a
            .replace("{{ title }}", &yaml_string(title))
            .replace("{{ date }}", &today.to_string()),
        Err(_) => from_schema(&config, coll, title, today, root),
    };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(path.parent().expect("a file in a folder"))?;
        // create_new: never overwrite, even if the file appeared meanwhile.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?
            .write_all(text.as_bytes())
    };
    write().map_err(|e| Diagnostic::error("io", format!("cannot write: {e}")).in_file(&rel))?;
    Ok(rel)
}

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A page built from the collection's schema: every required field, dates
/// set to today and review dates (`…_by`) a year ahead.
fn from_schema(
    config: &Config,
    coll: &Collection,
    title: &str,
    today: Date,
    root: &Path,
) -> String {
    let mut fm = vec![format!("title: {}", yaml_string(title))];
    let needs_date = coll.required.iter().any(|r| r == "date") || coll.permalink.contains("{year}");
    for builtin in ["summary", "date", "updated", "tags"] {
        let required =
            coll.required.iter().any(|r| r == builtin) || (builtin == "date" && needs_date);
        if !required {
            continue;
        }
        fm.push(match builtin {
            "summary" => "summary: \"\"  # one sentence, shown in lists, search results and the page's description".into(),
            "tags" => "tags: []".into(),
            date => format!("{date}: {today}"),
        });
    }
    for field in coll.fields.iter().filter(|f| f.required) {
        let comment = if field.description.is_empty() {
            String::new()
        } else {
            format!("  # {}", field.description)
        };
        let line = match field.kind {
            // A review date (`review_by`) a year ahead: today's would be overdue at once.
            FieldType::Date if field.name.ends_with("_by") => {
                format!("{}: {}{comment}", field.name, today.years_later(1))
            }
            FieldType::Date => format!("{}: {today}", field.name),
            FieldType::Bool => format!("{}: false", field.name),
            FieldType::Integer => format!("{}: 0", field.name),
            FieldType::List | FieldType::References if field.allowed.is_empty() => {
                format!("{}: []{comment}", field.name)
            }
            FieldType::Reference | FieldType::References => {
                let slugs = reference_slugs(config, field.collection.as_deref(), root);
                let choose = if slugs.is_empty() {
                    String::new()
                } else {
                    format!("  # one of: {}", slugs.join(", "))
                };
                let empty = if field.kind == FieldType::References {
                    "[]"
                } else {
                    "\"\""
                };
                format!("{}: {empty}{choose}", field.name)
            }
            _ if !field.allowed.is_empty() => format!(
                "{}: {}  # one of: {}",
                field.name,
                yaml_string(&field.allowed[0]),
                field.allowed.join(", ")
            ),
            _ => format!("{}: \"\"{comment}", field.name),
        };
        fm.push(line);
    }
    format!(
        "---\n{}\n---\n\nWrite the page here, in Markdown.\n",
        fm.join("\n")
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_date_is_a_year_ahead() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes/t/templates")).unwrap();
        let toml = r#"
title = "T"
[collections.guides]
[collections.guides.fields.review_by]
type = "date"
required = true
[collections.guides.fields.published]
type = "date"
required = true
[targets.site]
base_url = "https://example.org/"
theme = "t"
collections = ["guides"]
"#;
        std::fs::write(dir.path().join("site.toml"), toml).unwrap();
        let config = Config::load(dir.path()).expect("it loads");
        let today = Date::parse("2028-02-29").unwrap();
        let page = from_schema(
            &config,
            &config.collections[0],
            "A guide",
            today,
            dir.path(),
        );
        assert!(page.contains("\nreview_by: 2029-02-28\n"), "{page}");
        assert!(page.contains("\npublished: 2028-02-29\n"), "{page}");
    }
}
