//! A hand-written Decap configuration (`config.yml` under `static/`, for a
//! site that does not let hubgen write its editor) checked against site.toml:
//! the collections it edits, the fields it offers and the ones it leaves out,
//! their widgets and whether they are required. Each drift is a warning at its
//! line in `config.yml`, so that the editor never writes a page that `hubgen
//! check` refuses.

use std::path::Path;

use serde_json::Value;
use walkdir::WalkDir;

use crate::config::{Collection, Config, FieldType};
use crate::diagnostics::Diagnostic;

/// The widgets that write a value of `kind` that hubgen accepts.
fn widgets_for(kind: FieldType) -> &'static [&'static str] {
    match kind {
        FieldType::String => &["string", "select", "text", "hidden"],
        FieldType::Text => &["text", "markdown", "string", "hidden"],
        FieldType::Date => &["datetime", "date", "hidden"],
        FieldType::Bool => &["boolean", "hidden"],
        FieldType::Integer => &["number", "hidden"],
        FieldType::List => &["list", "select", "hidden"],
        FieldType::Reference | FieldType::References => &["relation", "select", "string", "list"],
    }
}

/// Every hand-written editor configuration under the site's `static/`, checked.
pub fn drift(config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if config.editor.is_some() {
        return out; // hubgen writes it, from site.toml: it cannot drift
    }
    let root = &config.root;
    for entry in WalkDir::new(root.join("static"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() == "config.yml")
    {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let shown = entry.path().strip_prefix(root).unwrap_or(entry.path());
        out.extend(check_file(config, shown, &text));
    }
    out
}

/// The 1-based line of the first line at or after `from` that holds `needle`.
fn line_of(text: &str, needle: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map_or(from.max(1), |(i, _)| i + 1)
}

fn check_file(config: &Config, path: &Path, text: &str) -> Vec<Diagnostic> {
    let Ok(value) = crate::frontmatter::yaml_to_json(text) else {
        return Vec::new(); // not YAML: not an editor's configuration
    };
    let (Some(_), Some(collections)) = (value.get("backend"), value["collections"].as_array())
    else {
        return Vec::new(); // some other config.yml
    };
    let mut out = Vec::new();
    let warn = |line: usize, message: String, hint: &str| {
        Diagnostic::warning("editor-drift", message)
            .at(path, line, 1)
            .with_source(text)
            .with_hint(hint)
    };
    for coll in collections {
        let name = coll["name"].as_str().unwrap_or_default();
        let at = line_of(text, &format!("name: {name}"), 1);
        let Some(folder) = coll["folder"].as_str() else {
            continue; // a file collection: not one of hubgen's folders
        };
        let folder = folder.trim_matches('/');
        let Some(c) = config
            .collections
            .iter()
            .find(|c| folder.strip_prefix("content/") == Some(c.folder.as_str()))
        else {
            out.push(warn(
                line_of(text, folder, at),
                format!("the editor's collection `{name}` writes to {folder}/, which is not the folder of any collection in site.toml"),
                "point `folder` at content/ and a collection's folder, or add the collection to site.toml",
            ));
            continue;
        };
        out.extend(check_fields(c, coll, text, at, &warn));
    }
    out
}

fn check_fields(
    c: &Collection,
    coll: &Value,
    text: &str,
    at: usize,
    warn: &impl Fn(usize, String, &str) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let fields = coll["fields"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for f in fields {
        let name = f["name"].as_str().unwrap_or_default();
        let line = line_of(text, &format!("name: {name}"), at);
        if name == "body" {
            continue;
        }
        let Some(kind) = c.kind_of(name) else {
            out.push(warn(
                line,
                format!(
                    "the editor offers the field `{name}`, which site.toml does not declare for {}",
                    c.name
                ),
                "remove the field from config.yml, or declare it in site.toml",
            ));
            continue;
        };
        let widget = f["widget"].as_str().unwrap_or("string");
        if !widgets_for(kind).contains(&widget) {
            out.push(warn(
                line,
                format!(
                    "`{name}` is {} in site.toml, but the editor's widget for it is `{widget}`",
                    kind.describe()
                ),
                &format!("use one of these widgets: {}", widgets_for(kind).join(", ")),
            ));
        }
        // Decap's fields are required unless they say `required: false`.
        if c.requires(name) && f["required"] == Value::Bool(false) {
            out.push(warn(
                line,
                format!("site.toml requires `{name}` in every page of {}, but the editor marks it optional", c.name),
                "remove `required: false` from the field in config.yml",
            ));
        }
    }
    let offered: Vec<&str> = fields.iter().filter_map(|f| f["name"].as_str()).collect();
    for name in c
        .field_names()
        .filter(|n| c.requires(n) && !offered.contains(n))
    {
        out.push(warn(
            at,
            format!(
                "the editor has no field for `{name}`, which every page of {} must have",
                c.name
            ),
            "add the field to the collection in config.yml",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = r#"title = "T"
[collections.guides]
required = ["summary"]
[collections.guides.fields.review_by]
type = "date"
required = true
[targets.site]
base_url = "https://example.org/"
theme = "base"
collections = ["guides"]
"#;

    const HAND_WRITTEN: &str = "backend:
  name: github
  repo: a/b
collections:
  - name: guides
    folder: content/guides
    fields:
      - {label: Title, name: title, widget: string}
      - {label: Summary, name: summary, widget: text, required: false}
      - {label: Workstrem, name: workstrem, widget: string}
      - {label: Draft, name: draft, widget: string}
      - {label: Body, name: body, widget: markdown}
  - name: news
    folder: content/news
    fields: []
";

    #[test]
    fn every_drift_is_reported_at_its_line() {
        let config = Config::parse(Path::new(env!("CARGO_MANIFEST_DIR")), SITE).unwrap();
        let found: Vec<String> =
            check_file(&config, Path::new("static/admin/config.yml"), HAND_WRITTEN)
                .iter()
                .map(|d| format!("{}: {}", d.line, d.message))
                .collect();
        assert_eq!(
            found,
            [
                "9: site.toml requires `summary` in every page of guides, but the editor marks it optional",
                "10: the editor offers the field `workstrem`, which site.toml does not declare for guides",
                "11: `draft` is true or false in site.toml, but the editor's widget for it is `string`",
                "5: the editor has no field for `review_by`, which every page of guides must have",
                "14: the editor's collection `news` writes to content/news/, which is not the folder of any collection in site.toml",
            ]
        );
    }

    #[test]
    fn a_configuration_that_matches_site_toml_has_no_drift() {
        let config = Config::parse(Path::new(env!("CARGO_MANIFEST_DIR")), SITE).unwrap();
        let editor = "backend: {name: github, repo: a/b}
collections:
  - name: guides
    folder: content/guides
    fields:
      - {name: title, widget: string}
      - {name: summary, widget: text}
      - {name: review_by, widget: datetime}
      - {name: body, widget: markdown}
";
        assert!(check_file(&config, Path::new("c.yml"), editor).is_empty());
        // Another tool's config.yml is not an editor's.
        assert!(check_file(&config, Path::new("c.yml"), "name: something\n").is_empty());
    }
}
