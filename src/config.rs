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

fn validate(root: &Path, text: &str, raw: RawConfig) -> Result<Config, Diagnostics> {
    let mut errors = Diagnostics::new();
    let err = |span: std::ops::Range<usize>, message: String| {
        let (line, col) = line_col(text, span.start);
        Diagnostic::error("config", message)
            .at(CONFIG_FILE, line, col)
            .with_source(text)
    };
    let builtin = |name: &str| BUILTIN_FIELDS.iter().any(|(n, _)| *n == name);

    let mut collections = Vec::new();
    for (name, c) in &raw.collections {
        if let Err(why) = check_name(name.get_ref()) {
            errors.push(
                err(
                    name.span(),
                    format!("collection name `{}` {why}", name.get_ref()),
                )
                .with_hint(NAME_HINT),
            );
        }
        let name = name.get_ref();
        let mut fields = Vec::new();
        for (fname, f) in &c.fields {
            if builtin(fname.get_ref()) {
                errors.push(
                    err(fname.span(), format!("field `{}` is built in and cannot be redefined", fname.get_ref()))
                        .with_hint("every collection already has title, summary, date, updated, tags, draft, aliases and weight"),
                );
            }
            let refers = matches!(f.kind, FieldType::Reference | FieldType::References);
            match (&f.collection, refers) {
                (None, true) => errors.push(
                    err(
                        fname.span(),
                        format!(
                            "field `{}` is a reference but names no collection",
                            fname.get_ref()
                        ),
                    )
                    .with_hint("add `collection = \"NAME\"` to the field"),
                ),
                (Some(target), _) if !raw.collections.contains_key(target.get_ref().as_str()) => {
                    let mut d = err(
                        target.span(),
                        format!("no collection named `{}`", target.get_ref()),
                    );
                    if let Some(m) = did_you_mean(
                        target.get_ref(),
                        raw.collections.keys().map(|k| k.get_ref().as_str()),
                    ) {
                        d = d.with_hint(format!("did you mean `{m}`?"));
                    }
                    errors.push(d);
                }
                (Some(target), false) => errors.push(err(
                    target.span(),
                    format!(
                        "`collection` only applies to reference fields, and `{}` is not one",
                        fname.get_ref()
                    ),
                )),
                _ => {}
            }
            fields.push(Field {
                name: fname.get_ref().clone(),
                kind: f.kind,
                required: f.required,
                allowed: f.allowed.clone(),
                collection: f.collection.as_ref().map(|s| s.get_ref().clone()),
                default: f.default.clone(),
                description: f.description.clone(),
            });
        }
        for r in &c.required {
            if !builtin(r.get_ref()) {
                errors.push(
                    err(
                        r.span(),
                        format!(
                            "`required` lists built-in fields, and `{}` is not one",
                            r.get_ref()
                        ),
                    )
                    .with_hint(
                        "mark a collection's own fields with `required = true` in their table",
                    ),
                );
            }
        }
        let folder = match &c.folder {
            Some(f) => {
                if let Err(why) = check_relative(f.get_ref()) {
                    errors.push(
                        err(f.span(), format!("folder `{}` {why}", f.get_ref())).with_hint(
                            format!("name a folder inside content/, such as \"{name}\""),
                        ),
                    );
                }
                f.get_ref().clone()
            }
            None => name.clone(),
        };
        let permalink = match &c.permalink {
            Some(p) => {
                let v = p.get_ref();
                if let Err(why) = check_permalink(v) {
                    errors.push(
                        err(p.span(), format!("permalink `{v}` {why}"))
                            .with_hint(format!("for example \"/{name}/{{slug}}/\"; the placeholders are {{slug}}, {{year}}, {{month}} and {{day}}")),
                    );
                }
                v.clone()
            }
            None => format!("/{folder}/{{slug}}/"),
        };
        let paginate_by = positive(&c.paginate_by, 20, &mut errors, &err);
        collections.push(Collection {
            name: name.clone(),
            title: c.title.clone().unwrap_or_else(|| title_case(name)),
            description: c.description.clone(),
            folder,
            permalink,
            template: c.template.clone().unwrap_or_else(|| "page.html".into()),
            list_template: c
                .list_template
                .clone()
                .unwrap_or_else(|| "section.html".into()),
            sort_by: c.sort_by,
            paginate_by,
            required: c.required.iter().map(|r| r.get_ref().clone()).collect(),
            fields,
            raw_html: c.raw_html,
        });
    }

    let mut taxonomies = Vec::new();
    for (name, t) in &raw.taxonomies {
        if let Err(why) = check_name(name.get_ref()) {
            errors.push(
                err(
                    name.span(),
                    format!("taxonomy name `{}` {why}", name.get_ref()),
                )
                .with_hint(NAME_HINT),
            );
        }
        let name = name.get_ref();
        let paginate_by = positive(&t.paginate_by, 50, &mut errors, &err);
        let field = t
            .field
            .as_ref()
            .map_or_else(|| name.clone(), |f| f.get_ref().clone());
        let known = field == "tags"
            || collections.iter().any(|c| {
                c.field(&field)
                    .is_some_and(|f| matches!(f.kind, FieldType::String | FieldType::List))
            });
        if !known {
            let span = t.field.as_ref().map_or(0..0, |f| f.span());
            let d = if span.is_empty() {
                Diagnostic::error("config", format!("taxonomy `{name}` takes its terms from field `{field}`, which no collection has as a string or list"))
                    .in_file(CONFIG_FILE)
            } else {
                err(
                    span,
                    format!("no collection has a string or list field `{field}`"),
                )
            };
            errors.push(d.with_hint(
                "declare the field in a collection's [collections.NAME.fields], or set `field`",
            ));
        }
        taxonomies.push(Taxonomy {
            name: name.clone(),
            title: t.title.clone().unwrap_or_else(|| title_case(name)),
            field,
            paginate_by,
        });
    }

    let themes_dir = root.join(raw.themes_dir.as_deref().unwrap_or("themes"));
    let mut targets = Vec::new();
    for (name, t) in &raw.targets {
        if let Err(why) = check_name(name.get_ref()) {
            errors.push(
                err(
                    name.span(),
                    format!("target name `{}` {why}", name.get_ref()),
                )
                .with_hint(NAME_HINT),
            );
        }
        let name = name.get_ref();
        let base = t.base_url.get_ref();
        if let Err(why) = check_base_url(base) {
            errors.push(
                err(t.base_url.span(), format!("base_url `{base}` {why}"))
                    .with_hint("for example \"https://example.org/hub/\""),
            );
        }
        let theme = t.theme.get_ref();
        if let Err(why) = check_name(theme) {
            errors.push(
                err(t.theme.span(), format!("theme `{theme}` {why}"))
                    .with_hint("a theme is named by its folder in themes/, such as \"hub\""),
            );
        } else if !themes_dir.join(theme).join("templates").is_dir() {
            errors.push(
                err(
                    t.theme.span(),
                    format!(
                        "theme `{theme}` not found: no folder {}/{theme}/templates",
                        themes_dir
                            .strip_prefix(root)
                            .unwrap_or(&themes_dir)
                            .display()
                    ),
                )
                .with_hint("themes live in themes/NAME/ with templates/ and static/"),
            );
        }
        for c in &t.collections {
            if !raw.collections.contains_key(c.get_ref().as_str()) {
                let mut d = err(
                    c.span(),
                    format!(
                        "target `{name}` publishes `{}`, which is not a collection",
                        c.get_ref()
                    ),
                );
                if let Some(m) = did_you_mean(
                    c.get_ref(),
                    raw.collections.keys().map(|k| k.get_ref().as_str()),
                ) {
                    d = d.with_hint(format!("did you mean `{m}`?"));
                }
                errors.push(d);
            }
        }
        let taxonomy_names = match &t.taxonomies {
            Some(list) => {
                for tx in list {
                    if !raw.taxonomies.contains_key(tx.get_ref().as_str()) {
                        errors.push(err(
                            tx.span(),
                            format!("no taxonomy named `{}`", tx.get_ref()),
                        ));
                    }
                }
                list.iter().map(|s| s.get_ref().clone()).collect()
            }
            None => raw.taxonomies.keys().map(|k| k.get_ref().clone()).collect(),
        };
        let mut base_url = base.clone();
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        targets.push(Target {
            name: name.clone(),
            title: t.title.clone().unwrap_or_else(|| raw.title.clone()),
            description: if t.description.is_empty() {
                raw.description.clone()
            } else {
                t.description.clone()
            },
            base_url,
            theme: theme.clone(),
            collections: t.collections.iter().map(|s| s.get_ref().clone()).collect(),
            taxonomies: taxonomy_names,
            output: match &t.output {
                Some(o) if o.get_ref().trim().is_empty() || o.get_ref().contains(['\\', '\0']) => {
                    errors.push(
                        err(o.span(), format!("output `{}` is empty or holds a backslash", o.get_ref().escape_debug()))
                            .with_hint(format!("write folders with `/` between them, which works everywhere: for example \"public/{name}\"")),
                    );
                    PathBuf::new()
                }
                Some(o) => PathBuf::from(o.get_ref()),
                None => PathBuf::from(format!("public/{name}")),
            },
            output_at: t
                .output
                .as_ref()
                .map_or((0, 0), |o| line_col(text, o.span().start)),
        });
    }
    if targets.is_empty() {
        errors.push(
            Diagnostic::error("config", "site.toml declares no targets")
                .in_file(CONFIG_FILE)
                .with_hint("add a [targets.NAME] table with base_url, theme and collections"),
        );
    }

    if errors.has_errors() {
        return Err(errors);
    }
    Ok(Config {
        root: root.to_path_buf(),
        title: raw.title,
        description: raw.description,
        language: raw.language,
        themes_dir,
        repo_url: raw.repo_url.map(|u| u.trim_end_matches('/').to_string()),
        branch: raw.branch,
        check: raw.check,
        collections,
        taxonomies,
        targets,
        extra: serde_json::to_value(&raw.extra).unwrap_or_default(),
    })
}

/// What a name that becomes a folder or a part of an address may be made of.
const NAME_HINT: &str =
    "use letters, digits, `-` and `_`, starting with a letter or digit, for example `case-studies`";

/// Names of targets, collections, taxonomies and themes become folder names
/// and address segments, so they must be plain path segments: nothing that a
/// file system or a browser would read as "go up", "start again at the root"
/// or "a different folder".
pub fn check_name(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    match chars.next() {
        None => Err("is empty"),
        Some(c) if !c.is_ascii_alphanumeric() => Err("must start with a letter or digit"),
        _ if name.len() > 64 => Err("is longer than 64 characters"),
        _ if !chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
            Err("may hold only letters, digits, `-` and `_`")
        }
        _ => Ok(()),
    }
}

/// A folder below `content/`: one or more plain names separated by `/`.
fn check_relative(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("is empty");
    }
    path.split('/').try_for_each(|seg| {
        check_name(seg).map_err(|_| "must be a folder inside content/, named with letters, digits, `-` and `_` (no `..`, no leading `/`)")
    })
}

/// The placeholders a permalink may use.
const PLACEHOLDERS: [&str; 4] = ["{slug}", "{year}", "{month}", "{day}"];

/// A permalink is `/`, then segments of plain characters and placeholders,
/// each ending in `/`; it must contain `{slug}`, so every page has its own.
fn check_permalink(pattern: &str) -> Result<(), &'static str> {
    if !pattern.starts_with('/') || !pattern.ends_with('/') || !pattern.contains("{slug}") {
        return Err("must start and end with `/` and contain `{slug}`");
    }
    let inner = &pattern[1..pattern.len() - 1];
    for seg in inner.split('/') {
        let mut rest = seg.to_string();
        for p in PLACEHOLDERS {
            rest = rest.replace(p, "x");
        }
        if rest.contains(['{', '}']) {
            return Err("uses a placeholder hubgen does not know");
        }
        if seg.is_empty() || seg == "." || seg == ".." {
            return Err("has an empty, `.` or `..` part");
        }
        if seg.len() > 100 {
            return Err("has a part longer than 100 characters");
        }
        if !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
        {
            return Err("may hold only letters, digits, `-`, `_`, `.` and `~` between its slashes");
        }
    }
    Ok(())
}

/// An absolute http(s) URL with a host, and nothing after its path.
fn check_base_url(base: &str) -> Result<(), &'static str> {
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or("must be an absolute http(s) URL")?;
    let host = rest.split('/').next().unwrap_or_default();
    let host_ok = !host.is_empty()
        && !host.contains('@')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !host_ok {
        return Err("has no valid host name after the scheme");
    }
    if rest.contains(['?', '#', ' ', '\\']) {
        return Err("must not hold a query, a fragment, spaces or backslashes");
    }
    Ok(())
}

/// `paginate_by`: at least 1, or the default when unset.
fn positive(
    value: &Option<Spanned<usize>>,
    default: usize,
    errors: &mut Diagnostics,
    err: &impl Fn(std::ops::Range<usize>, String) -> Diagnostic,
) -> usize {
    match value {
        Some(v) if *v.get_ref() == 0 => {
            errors.push(
                err(v.span(), "paginate_by must be at least 1".into()).with_hint(format!(
                    "leave it out for the default of {default} items a page"
                )),
            );
            default
        }
        Some(v) => *v.get_ref(),
        None => default,
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
