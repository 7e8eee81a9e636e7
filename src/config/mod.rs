//! `site.toml`: the site's metadata, its collections and their front-matter
//! schemas, its taxonomies and the targets it is published as.
//!
//! Parsing is strict: an unknown key is an error naming the key and its line,
//! and every cross-reference inside the file (a target's collections, a
//! reference field's collection, a target's theme) is checked here, so later
//! stages can trust the configuration.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{did_you_mean, line_col, Diagnostic, Diagnostics};

mod validate;
use validate::validate;

/// The name of the configuration file at a site's root.
pub const CONFIG_FILE: &str = "site.toml";

/// Front-matter fields every collection has, with their types.
pub const BUILTIN_FIELDS: &[(&str, FieldType)] = &[
    ("title", FieldType::String),
    ("summary", FieldType::String),
    ("date", FieldType::Date),
    ("updated", FieldType::Date),
    ("tags", FieldType::List),
    ("draft", FieldType::Bool),
    ("aliases", FieldType::List),
    ("weight", FieldType::Integer),
];

/// The type of a front-matter field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// One line of text.
    String,
    /// Text that may run over several lines.
    Text,
    /// `YYYY-MM-DD`.
    Date,
    Bool,
    Integer,
    /// A list of strings.
    List,
    /// The slug of one document of another collection.
    Reference,
    /// A list of slugs of documents of another collection.
    References,
}

impl FieldType {
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::String => "a string",
            FieldType::Text => "text",
            FieldType::Date => "a date (YYYY-MM-DD)",
            FieldType::Bool => "true or false",
            FieldType::Integer => "a whole number",
            FieldType::List => "a list of strings",
            FieldType::Reference => "the slug of a document",
            FieldType::References => "a list of document slugs",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Text => "text",
            FieldType::Date => "date",
            FieldType::Bool => "bool",
            FieldType::Integer => "integer",
            FieldType::List => "list",
            FieldType::Reference => "reference",
            FieldType::References => "references",
        }
    }
}

/// How a collection's documents are ordered in lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first; undated documents last, by title.
    #[default]
    Date,
    /// Lowest weight first, then by title.
    Weight,
    Title,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default)]
    themes_dir: Option<String>,
    /// The repository's web address, for "Edit this page" links.
    repo_url: Option<String>,
    #[serde(default = "default_branch")]
    branch: String,
    #[serde(default)]
    check: CheckConfig,
    #[serde(default)]
    collections: IndexMap<Spanned<String>, RawCollection>,
    #[serde(default)]
    taxonomies: IndexMap<Spanned<String>, RawTaxonomy>,
    targets: IndexMap<Spanned<String>, RawTarget>,
    #[serde(default)]
    extra: toml::Table,
}

fn default_language() -> String {
    "en".into()
}

fn default_branch() -> String {
    "main".into()
}

/// `[check]`: what `hubgen check` lets through.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// E-mail addresses that may be published: role mailboxes, not people.
    #[serde(default)]
    pub allowed_emails: Vec<String>,
    /// Phone numbers that may be published (switchboards), compared by their digits.
    #[serde(default)]
    pub allowed_phones: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCollection {
    title: Option<String>,
    #[serde(default)]
    description: String,
    folder: Option<Spanned<String>>,
    permalink: Option<Spanned<String>>,
    template: Option<String>,
    list_template: Option<String>,
    #[serde(default)]
    sort_by: SortBy,
    paginate_by: Option<Spanned<usize>>,
    /// Built-in fields that this collection's documents must have.
    #[serde(default)]
    required: Vec<Spanned<String>>,
    #[serde(default)]
    fields: IndexMap<Spanned<String>, RawField>,
    #[serde(default)]
    raw_html: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    #[serde(rename = "type")]
    kind: FieldType,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    allowed: Vec<String>,
    collection: Option<Spanned<String>>,
    default: Option<toml::Value>,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    title: Option<String>,
    field: Option<Spanned<String>>,
    paginate_by: Option<Spanned<usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    title: Option<String>,
    #[serde(default)]
    description: String,
    base_url: Spanned<String>,
    theme: Spanned<String>,
    collections: Vec<Spanned<String>>,
    taxonomies: Option<Vec<Spanned<String>>>,
    output: Option<Spanned<String>>,
}

/// The whole, validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The site's root folder (the one holding `site.toml`).
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    pub language: String,
    pub themes_dir: PathBuf,
    /// Without a trailing `/`.
    pub repo_url: Option<String>,
    pub branch: String,
    pub check: CheckConfig,
    pub collections: Vec<Collection>,
    pub taxonomies: Vec<Taxonomy>,
    pub targets: Vec<Target>,
    /// Free-form values for templates (`[extra]`).
    pub extra: serde_json::Value,
}

#[derive(Clone, Debug)]
pub struct Collection {
    pub name: String,
    pub title: String,
    pub description: String,
    /// Folder under `content/`.
    pub folder: String,
    /// URL pattern, e.g. `/guides/{slug}/`.
    pub permalink: String,
    pub template: String,
    pub list_template: String,
    pub sort_by: SortBy,
    pub paginate_by: usize,
    /// Built-in fields that this collection's documents must have (`date`, `summary`…).
    pub required: Vec<String>,
    /// Fields beyond the built-in ones.
    pub fields: Vec<Field>,
    /// Raw HTML in this collection's Markdown is published as written, script
    /// and all, instead of only the safe subset (`raw_html = true`).
    pub raw_html: bool,
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub kind: FieldType,
    pub required: bool,
    pub allowed: Vec<String>,
    /// For references: the collection referred to.
    pub collection: Option<String>,
    pub default: Option<toml::Value>,
    pub description: String,
}

#[derive(Clone, Debug)]
pub struct Taxonomy {
    pub name: String,
    pub title: String,
    /// The front-matter field whose values are the terms.
    pub field: String,
    pub paginate_by: usize,
}

#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub title: String,
    pub description: String,
    /// Always ends with `/`.
    pub base_url: String,
    pub theme: String,
    pub collections: Vec<String>,
    pub taxonomies: Vec<String>,
    /// Output folder, relative to the site root unless absolute.
    pub output: PathBuf,
    /// Where `output` is set in site.toml (line, column); (0, 0) when it is not.
    pub output_at: (usize, usize),
}

impl Target {
    /// The path part of the base URL, e.g. `/hub/`; `/` at a domain's root.
    pub fn base_path(&self) -> &str {
        let after_scheme = self.base_url.find("://").map_or(0, |i| i + 3);
        self.base_url[after_scheme..]
            .find('/')
            .map_or("/", |i| &self.base_url[after_scheme + i..])
    }

    pub fn publishes(&self, collection: &str) -> bool {
        self.collections.iter().any(|c| c == collection)
    }
}

impl Collection {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Every field name a document of this collection may use.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        BUILTIN_FIELDS
            .iter()
            .map(|(n, _)| *n)
            .chain(self.fields.iter().map(|f| f.name.as_str()))
    }
}

impl Config {
    /// Reads and validates `site.toml` in `root`.
    pub fn load(root: &Path) -> Result<Config, Diagnostics> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::error("config", format!("cannot read {CONFIG_FILE}: {e}"))
                .in_file(CONFIG_FILE)
                .with_hint("run hubgen in the folder that holds site.toml, or pass -C DIR")
        })?;
        Config::parse(root, &text)
    }

    /// Parses and validates the text of a `site.toml`.
    pub fn parse(root: &Path, text: &str) -> Result<Config, Diagnostics> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map_or((0, 0), |s| line_col(text, s.start));
            let message = e.message().trim().to_string();
            let hint = unknown_key_hint(&message);
            let mut d = Diagnostic::error("config", message)
                .at(CONFIG_FILE, line, col)
                .with_source(text);
            if let Some(h) = hint {
                d = d.with_hint(h);
            }
            Diagnostics::from(d)
        })?;
        validate(root, text, raw)
    }

    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.name == name)
    }

    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.name == name)
    }

    pub fn taxonomy(&self, name: &str) -> Option<&Taxonomy> {
        self.taxonomies.iter().find(|t| t.name == name)
    }

    /// The target called `name`, or a diagnostic naming the nearest one.
    pub fn target_named(&self, name: &str) -> Result<&Target, Diagnostic> {
        self.target(name).ok_or_else(|| {
            crate::diagnostics::unknown_name(
                "target",
                name,
                self.targets.iter().map(|t| t.name.as_str()),
            )
        })
    }

    /// The collection called `name`, or a diagnostic naming the nearest one.
    pub fn collection_named(&self, name: &str) -> Result<&Collection, Diagnostic> {
        self.collection(name).ok_or_else(|| {
            crate::diagnostics::unknown_name(
                "collection",
                name,
                self.collections.iter().map(|c| c.name.as_str()),
            )
        })
    }
}

/// toml's message for an unknown key lists the expected ones; turn that into a suggestion.
fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    match did_you_mean(key, expected.iter().copied()) {
        Some(m) => Some(format!("did you mean `{m}`?")),
        None if !expected.is_empty() => {
            Some(format!("the keys allowed here are {}", expected.join(", ")))
        }
        None => None,
    }
}
/// `case-studies` → `Case studies`.
fn title_case(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes/t/templates")).unwrap();
        Config::parse(dir.path(), text).map_err(Diagnostics::into_sorted)
    }

    const MINIMAL: &str = r#"
title = "T"
[collections.guides]
[collections.guides.fields.workstream]
type = "reference"
collection = "guides"
[targets.site]
base_url = "https://example.org/sub"
theme = "t"
collections = ["guides"]
"#;

    #[test]
    fn minimal_config_gets_defaults() {
        let c = parse(MINIMAL).unwrap();
        let g = c.collection("guides").unwrap();
        assert_eq!(g.permalink, "/guides/{slug}/");
        assert_eq!(g.title, "Guides");
        let t = c.target("site").unwrap();
        assert_eq!(t.base_url, "https://example.org/sub/");
        assert_eq!(t.base_path(), "/sub/");
        assert_eq!(t.output, PathBuf::from("public/site"));
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let text = MINIMAL.replace("theme = \"t\"", "theme = \"t\"\nthem = \"x\"");
        let errs = parse(&text).unwrap_err();
        assert_eq!(errs.len(), 1);
        let e = errs[0].to_string();
        assert!(
            e.starts_with("site.toml:10:1: error: unknown field `them`"),
            "{e}"
        );
        assert!(e.contains("did you mean `theme`?"), "{e}");
    }

    #[test]
    fn every_cross_reference_is_checked() {
        let text = MINIMAL
            .replace("collection = \"guides\"", "collection = \"guide\"")
            .replace(
                "collections = [\"guides\"]",
                "collections = [\"guides\", \"news\"]",
            )
            .replace("theme = \"t\"", "theme = \"missing\"");
        let errs = parse(&text).unwrap_err();
        let msgs: Vec<String> = errs.iter().map(|d| d.message.clone()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("no collection named `guide`"));
        assert!(msgs[1].contains("theme `missing` not found"));
        assert!(msgs[2].contains("`news`, which is not a collection"));
    }
}
