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

mod deploy;
mod editor;
mod links;
mod search;
mod types;
mod validate;
pub use deploy::{Deploy, HeaderRule};
pub use editor::{Editor, GitHost};
pub use links::{LinkTo, NavLink};
pub use types::{FieldType, SortBy};
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
    /// `[[menu]]`: the links at the head of every page of every target.
    #[serde(default)]
    menu: Option<Vec<Spanned<links::RawLink>>>,
    /// `[[footer]]`: the links at the foot of every page of every target.
    #[serde(default)]
    footer: Vec<Spanned<links::RawLink>>,
    /// `[editor]`: the browser editor, off unless present.
    editor: Option<Spanned<editor::RawEditor>>,
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
    /// External addresses `hubgen check --external` leaves alone: a prefix,
    /// or a pattern with `*` for any run of characters.
    #[serde(default)]
    pub skip_external: Vec<String>,
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
    /// `search = false`: its pages are not in any target's search.
    #[serde(default = "yes")]
    search: bool,
}

fn yes() -> bool {
    true
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
    /// Whether search indexes the field (text fields only; true unless set).
    search: Option<Spanned<bool>>,
    /// How much a word of the field counts in search (1 to 5; 1 unless set).
    weight: Option<Spanned<u32>>,
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
    pages: Option<Spanned<bool>>,
    deploy: Option<deploy::RawDeploy>,
    /// The targets whose pages its search covers; every target unless set.
    search: Option<Vec<Spanned<String>>>,
}

/// The whole, validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The site's root folder (the one holding `site.toml`).
    pub root: PathBuf,
    /// The whole site's name (`site.name` in templates), and the title of
    /// every target that does not set its own.
    pub title: String,
    /// The site's description, for every target that does not set its own
    /// (may be empty).
    pub description: String,
    /// The language the content is written in (`en-GB`), for `<html lang>`
    /// and the Open Graph locale; `en` unless set.
    pub language: String,
    /// The folder the targets' themes are found in: `themes/` under the
    /// root unless `themes_dir` says otherwise.
    pub themes_dir: PathBuf,
    /// The repository's web address, for each page's "Edit this page" link;
    /// without a trailing `/`. No such links without it.
    pub repo_url: Option<String>,
    /// The branch "Edit this page" links open the file on (`main` unless set).
    pub branch: String,
    /// What `hubgen check` lets through.
    pub check: CheckConfig,
    /// The collections, in site.toml's order.
    pub collections: Vec<Collection>,
    /// The taxonomies, in site.toml's order.
    pub taxonomies: Vec<Taxonomy>,
    /// The targets, in site.toml's order: a document's canonical home is the
    /// first that publishes its collection.
    pub targets: Vec<Target>,
    /// Free-form values for templates (`[extra]`).
    pub extra: serde_json::Value,
    /// `[[menu]]`: the links at the head of every page; none when site.toml
    /// has no `[[menu]]`, and then each target's lists and the other targets.
    pub menu: Option<Vec<NavLink>>,
    /// `[[footer]]`: the links at the foot of every page.
    pub footer: Vec<NavLink>,
    /// `[editor]`: the browser editor hubgen writes into one target, if any.
    pub editor: Option<Editor>,
}

/// A collection (`[collections.NAME]`): the documents of one folder of
/// `content/`, sharing a front-matter schema, a permalink and templates.
#[derive(Clone, Debug)]
pub struct Collection {
    /// Its name in site.toml, by which targets, reference fields and
    /// `hubgen new` name it.
    pub name: String,
    /// Its title, as its list page and the site's navigation show it: made
    /// from the name (`case-studies` → "Case studies") unless set.
    pub title: String,
    /// What it holds, for its list page (may be empty).
    pub description: String,
    /// Folder under `content/`.
    pub folder: String,
    /// URL pattern, e.g. `/guides/{slug}/`.
    pub permalink: String,
    /// The template its documents' pages are rendered with (`page.html`
    /// unless set).
    pub template: String,
    /// The template its list pages are rendered with (`section.html` unless set).
    pub list_template: String,
    /// The order of its documents in its list, on the home page, and for each
    /// page's previous and next.
    pub sort_by: SortBy,
    /// How many documents each page of its list shows (20 unless set).
    pub paginate_by: usize,
    /// Built-in fields that this collection's documents must have (`date`, `summary`…).
    pub required: Vec<String>,
    /// Fields beyond the built-in ones.
    pub fields: Vec<Field>,
    /// Raw HTML in this collection's Markdown is published as written, script
    /// and all, instead of only the safe subset (`raw_html = true`).
    pub raw_html: bool,
    /// Whether search covers its pages (`search = false` keeps them out, as
    /// the editors' pages are kept out of the readers' search).
    pub search: bool,
}

/// A front-matter field of a collection's own, beyond the built-in ones
/// (`[collections.NAME.fields.FIELD]`).
#[derive(Clone, Debug)]
pub struct Field {
    /// The key editors write in front matter.
    pub name: String,
    /// What its value must be.
    pub kind: FieldType,
    /// Whether every document of the collection must set it.
    pub required: bool,
    /// The only values it may take; any value when empty.
    pub allowed: Vec<String>,
    /// For references: the collection referred to.
    pub collection: Option<String>,
    /// The value a document that leaves the field out gets, as site.toml writes it.
    pub default: Option<toml::Value>,
    /// What the field is for, in `hubgen schema`'s reference (may be empty).
    pub description: String,
    /// How much each of its words counts in search: 0 when search leaves it
    /// out (a field that is not text, or set `search = false`).
    pub search_weight: u32,
}

/// A taxonomy (`[taxonomies.NAME]`): documents grouped by the values of one
/// field, each value a term with a page listing its documents.
#[derive(Clone, Debug)]
pub struct Taxonomy {
    /// Its name, which is also the first segment of its pages' URLs
    /// (`/tags/energy/`).
    pub name: String,
    /// Its title, for its index page: made from the name unless set.
    pub title: String,
    /// The front-matter field whose values are the terms.
    pub field: String,
    /// How many documents each page of a term's list shows (50 unless set).
    pub paginate_by: usize,
}

/// A target (`[targets.NAME]`): one published site, with its own base URL,
/// theme and choice of collections.
#[derive(Clone, Debug)]
pub struct Target {
    /// Its name, as in `hubgen build --target NAME`.
    pub name: String,
    /// The site's title as this target shows it; the whole site's unless set.
    pub title: String,
    /// Its description; the whole site's unless set.
    pub description: String,
    /// The absolute URL it is built for. Always ends with `/`.
    pub base_url: String,
    /// The absolute URL site.toml publishes it at, whatever a build or the
    /// preview builds it for: a link pasted from the published site is an
    /// address on it.
    pub published_url: String,
    /// The theme it is rendered with: the name of a folder in the themes folder.
    pub theme: String,
    /// The names of the collections it publishes, in its order, which is the
    /// order of its sections.
    pub collections: Vec<String>,
    /// The names of the taxonomies it has pages for; all of the site's unless set.
    pub taxonomies: Vec<String>,
    /// Output folder, relative to the site root unless absolute.
    pub output: PathBuf,
    /// Where `output` is set in site.toml (line, column); (0, 0) when it is not.
    pub output_at: (usize, usize),
    /// Whether CI publishes it on GitHub Pages (`pages = true`; one target at most).
    pub pages: bool,
    /// Where `hubgen deploy` uploads it (`[targets.NAME.deploy]`), if anywhere.
    pub deploy: Option<Deploy>,
    /// The targets whose pages its search covers, in site.toml's order.
    pub search: Vec<String>,
}

/// The path part of an absolute URL: `/hub/` of `https://example.org/hub/`.
fn path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..]
        .find('/')
        .map_or("/", |i| &url[after_scheme + i..])
}

impl Target {
    /// The path part of the base URL, e.g. `/hub/`; `/` at a domain's root.
    pub fn base_path(&self) -> &str {
        path_of(&self.base_url)
    }

    /// The path part of the URL site.toml publishes it at (see `published_url`).
    pub fn published_path(&self) -> &str {
        path_of(&self.published_url)
    }

    /// Whether this target publishes the collection called `collection`.
    pub fn publishes(&self, collection: &str) -> bool {
        self.collections.iter().any(|c| c == collection)
    }
}

impl Collection {
    /// One document of the collection, in words an editor uses: "a guide",
    /// "an opportunity", "a case study" (from its name).
    pub fn one(&self) -> String {
        let single = self.noun();
        let article = if single.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {single}")
    }

    /// One document of the collection without an article: "guide",
    /// "opportunity", "case study".
    pub fn noun(&self) -> String {
        let words = self.name.replace(['-', '_'], " ");
        if words.ends_with("news") || words.ends_with("ss") {
            format!("{words} item")
        } else if let Some(stem) = words.strip_suffix("ies") {
            format!("{stem}y")
        } else {
            words.strip_suffix('s').unwrap_or(&words).to_string()
        }
    }

    /// The collection's own field called `name`, if it has one (the built-in
    /// fields are not among them).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The type of the field called `name`, built-in or the collection's own.
    pub fn kind_of(&self, name: &str) -> Option<FieldType> {
        BUILTIN_FIELDS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k)
            .or_else(|| self.field(name).map(|f| f.kind))
    }

    /// Whether every document of this collection must set the field `name`:
    /// the title always, a built-in field its `required` lists, the date when
    /// the permalink is made from it, and its own fields marked required.
    pub fn requires(&self, name: &str) -> bool {
        let dated = ["{year}", "{month}", "{day}"]
            .iter()
            .any(|p| self.permalink.contains(p));
        name == "title"
            || self.required.iter().any(|r| r == name)
            || (name == "date" && dated)
            || self.field(name).is_some_and(|f| f.required)
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

    /// The collection called `name`, if there is one.
    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.name == name)
    }

    /// The target called `name`, if there is one.
    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.name == name)
    }

    /// The taxonomy called `name`, if there is one.
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

/// `case-studies` → `Case studies`, `review_by` → `Review by`.
pub(crate) fn title_case(name: &str) -> String {
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
    fn one_document_in_words() {
        let one = |name: &str| {
            let toml = MINIMAL.replace("guides", name);
            parse(&toml).expect("it parses").collections[0].one()
        };
        assert_eq!(one("guides"), "a guide");
        assert_eq!(one("opportunities"), "an opportunity");
        assert_eq!(one("case-studies"), "a case study");
        assert_eq!(one("updates"), "an update");
        assert_eq!(one("news"), "a news item");
    }

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
