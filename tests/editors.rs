//! What an editor does, on a copy of the programme's own site: start a page
//! with `hubgen new`, and follow the editors' guide step by step.

mod common;

use std::path::Path;

use common::*;

/// Copies the site at the repository root (site.toml, content, themes,
/// static files) into `to`.
fn copy_site(to: &Path) {
    let from = repo();
    std::fs::copy(from.join("site.toml"), to.join("site.toml")).unwrap();
    for dir in ["content", "themes", "static", "archetypes"]
        .into_iter()
        .filter(|d| from.join(d).is_dir())
    {
        for entry in walkdir::WalkDir::new(from.join(dir)) {
            let entry = entry.unwrap();
            let dest = to.join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&dest).unwrap();
            } else {
                std::fs::copy(entry.path(), &dest).unwrap();
            }
        }
    }
}

/// The findings of `hubgen check --format json` as JSON values, and its exit code.
fn check(site: &Path) -> (Option<i32>, Vec<serde_json::Value>) {
    let o = hubgen(site, &["check", "--format", "json"]);
    let found = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (o.status.code(), found)
}

/// The fields `hubgen schema COLLECTION` lists, with whether each is required.
fn schema_fields(site: &Path, collection: &str) -> Vec<(String, bool)> {
    let o = hubgen(site, &["schema", collection]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    text.lines()
        .skip_while(|l| l.trim() != "fields:")
        .skip(1)
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            (words[0].to_string(), words[2].starts_with("required"))
        })
        .collect()
}

#[test]
fn a_new_page_of_any_collection_passes_check_once_its_summary_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    copy_site(site);
    let config: toml::Table = read(site.join("site.toml")).parse().unwrap();
    let collections: Vec<String> = config["collections"]
        .as_table()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(collections.len() >= 7, "{collections:?}");
    for collection in &collections {
        // The singular works as well as the collection's name: `new guide`.
        let asked = collection.strip_suffix("ies").map_or_else(
            || collection.trim_end_matches('s').to_string(),
            |s| format!("{s}y"),
        );
        let o = hubgen(site, &["new", &asked, "A new page to test"]);
        assert!(o.status.success(), "new {asked}: {}", stderr(&o));
        let rel = stdout(&o).trim().to_string();
        assert!(rel.starts_with(&format!("content/{collection}/")), "{rel}");
        let path = site.join(&rel);
        let page = read(&path);

        // Every field of the schema, each saying whether it is required and what it is for.
        for (field, required) in schema_fields(site, collection) {
            let line = page
                .lines()
                .find(|l| l.starts_with(&format!("{field}:")))
                .unwrap_or_else(|| panic!("{collection}: no {field} in\n{page}"));
            let word = if required {
                "# Required: "
            } else {
                "# Optional: "
            };
            let (_, about) = line
                .split_once(word)
                .unwrap_or_else(|| panic!("{collection}: {line:?} does not say {word}"));
            assert!(
                about.len() > 10,
                "{collection}: {line:?} says what the field is for"
            );
        }

        // Before the summary is written, check names it (and nothing else) in this page.
        let (_, found) = check(site);
        let mine: Vec<&serde_json::Value> =
            found.iter().filter(|f| f["file"] == rel.as_str()).collect();
        let summary_line = page
            .lines()
            .position(|l| l.starts_with("summary:"))
            .unwrap()
            + 1;
        let summary_required =
            schema_fields(site, collection).contains(&("summary".to_string(), true));
        if summary_required {
            assert_eq!(mine.len(), 1, "{collection}: {mine:#?}\n{page}");
            assert_eq!(mine[0]["code"], "missing-field", "{mine:#?}");
            assert_eq!(mine[0]["line"], summary_line, "{mine:#?}");
        }

        // The editor writes the summary: the whole site passes.
        let filled = page.replacen(
            "summary: \"\"",
            "summary: \"A page written to test hubgen new.\"",
            1,
        );
        std::fs::write(&path, filled).unwrap();
        let (code, found) = check(site);
        let errors: Vec<&serde_json::Value> =
            found.iter().filter(|f| f["severity"] == "error").collect();
        assert!(errors.is_empty(), "{collection}: {errors:#?}\n{page}");
        assert_eq!(code, Some(0), "{collection}: {found:#?}");
        // Kept, so that the next collection's page checks with this one in place.
    }
}

#[test]
fn new_never_overwrites_and_refuses_titles_it_cannot_use() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    copy_site(site);
    let o = hubgen(site, &["new", "guide", "Sharing capital assets"]);
    assert_eq!(o.status.code(), Some(1), "the guide exists already");
    assert!(
        stderr(&o).contains("already exists; nothing was written"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        read(site.join("content/guides/sharing-capital-assets.md")),
        read(repo().join("content/guides/sharing-capital-assets.md"))
    );

    let o = hubgen(site, &["new", "guide", "Two\nlines"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("line break"), "{}", stderr(&o));
    let long = "word ".repeat(60);
    let o = hubgen(site, &["new", "guide", &long]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("characters long"), "{}", stderr(&o));

    // A title that looks like a path still makes a page inside content/guides/.
    let o = hubgen(site, &["new", "guide", "../../outside/it"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "content/guides/outside-it.md");
    assert!(!site.join("outside").exists());
}
