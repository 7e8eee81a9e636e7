//! `hubgen new COLLECTION "Title"`: a new page with every field of its
//! collection in place, each saying what it is for.

mod page;

use page::from_schema;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::Config;
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
    // `hubgen new guide …` as well as `hubgen new guides …`.
    let coll = config
        .collections
        .iter()
        .find(|c| c.noun().replace(' ', "-") == collection)
        .map_or_else(|| config.collection_named(collection), Ok)?;
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
    let archetype = root.join(ARCHETYPES_DIR).join(format!("{}.md", coll.name));
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

/// `s` as a quoted YAML string.
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
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
        assert!(
            page.contains("\nreview_by: 2029-02-28  # Required"),
            "{page}"
        );
        assert!(
            page.contains("\npublished: 2028-02-29  # Required"),
            "{page}"
        );
    }
}
