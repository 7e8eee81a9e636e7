//! Checks a parsed site.toml and turns it into a [`Config`]: every name,
//! folder, permalink, URL and cross-reference, each problem located at its
//! line in the file.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use toml::Spanned;

use super::{
    title_case, Collection, Config, Field, FieldType, RawConfig, RawField, RawTarget, Target,
    Taxonomy, BUILTIN_FIELDS, CONFIG_FILE,
};
use crate::diagnostics::{did_you_mean, line_col, Diagnostic, Diagnostics};

pub(super) fn validate(root: &Path, text: &str, raw: RawConfig) -> Result<Config, Diagnostics> {
    let mut errors = Diagnostics::new();
    let err = |span: std::ops::Range<usize>, message: String| {
        let (line, col) = line_col(text, span.start);
        Diagnostic::error("config", message)
            .at(CONFIG_FILE, line, col)
            .with_source(text)
    };

    let collections = collections(&raw, &err, &mut errors);
    let taxonomies = taxonomies(&raw, &collections, &err, &mut errors);
    let themes_dir = root.join(raw.themes_dir.as_deref().unwrap_or("themes"));
    let targets = targets(&raw, root, &themes_dir, text, &err, &mut errors);
    if targets.is_empty() {
        errors.push(
            Diagnostic::error("config", "site.toml declares no targets")
                .in_file(CONFIG_FILE)
                .with_hint("add a [targets.NAME] table with base_url, theme and collections"),
        );
    }

    let known = (collections.as_slice(), targets.as_slice());
    let menu = raw
        .menu
        .as_ref()
        .map(|m| super::links::links("menu", m, known, text, &err, &mut errors));
    let footer = super::links::links("footer", &raw.footer, known, text, &err, &mut errors);
    let editor = super::editor::editor(
        raw.editor.as_ref(),
        &targets,
        raw.repo_url.as_deref(),
        &raw.branch,
        &err,
        &mut errors,
    );
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
        menu,
        footer,
        editor,
    })
}

/// Reports a problem at a span of site.toml.
pub(super) type Err<'a> = dyn Fn(std::ops::Range<usize>, String) -> Diagnostic + 'a;

/// The collections, each checked: names, folders, permalinks, fields.
fn collections(raw: &RawConfig, err: &Err<'_>, errors: &mut Diagnostics) -> Vec<Collection> {
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
        let fields = fields(raw, &c.fields, err, errors);
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
        let paginate_by = positive(c.paginate_by.as_ref(), 20, errors, err);
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
            search: c.search,
        });
    }

    collections
}

/// A collection's own fields: not built in, references naming a collection.
fn fields(
    raw: &RawConfig,
    declared: &IndexMap<Spanned<String>, RawField>,
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> Vec<Field> {
    let builtin = |name: &str| BUILTIN_FIELDS.iter().any(|(n, _)| *n == name);
    let mut fields = Vec::new();
    for (fname, f) in declared {
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
            search_weight: super::search::field_weight(fname.get_ref(), f, err, errors),
        });
    }
    fields
}

/// The taxonomies, each taking its terms from a string or list field.
fn taxonomies(
    raw: &RawConfig,
    collections: &[Collection],
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> Vec<Taxonomy> {
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
        let paginate_by = positive(t.paginate_by.as_ref(), 50, errors, err);
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
            let span = t.field.as_ref().map_or(0..0, Spanned::span);
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

    taxonomies
}

/// The targets: names, base URLs, themes, what they publish, outputs.
fn targets(
    raw: &RawConfig,
    root: &Path,
    themes_dir: &Path,
    text: &str,
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> Vec<Target> {
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
        let name_span = name.span();
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
                            .unwrap_or(themes_dir)
                            .display()
                    ),
                )
                .with_hint("themes live in themes/NAME/ with templates/ and static/"),
            );
        }
        let taxonomy_names = published(raw, name, t, err, errors);
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
            published_url: base_url.clone(),
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
            pages: says_pages(t),
            deploy: t
                .deploy
                .as_ref()
                .map(|d| super::deploy::deploy(d, err, errors)),
            search: super::search::searched(raw, (name, name_span), t, err, errors),
        });
    }
    one_way_each(raw, err, errors);
    targets
}

/// Each target is published one way (GitHub Pages or `hubgen deploy`), and
/// one target at most on GitHub Pages.
fn one_way_each(raw: &RawConfig, err: &Err<'_>, errors: &mut Diagnostics) {
    for (name, t) in &raw.targets {
        let name = name.get_ref();
        if let (Some(p), Some(_)) = (t.pages.as_ref().filter(|_| says_pages(t)), &t.deploy) {
            errors.push(
                err(p.span(), format!("target `{name}` says both pages = true and [targets.{name}.deploy]"))
                    .with_hint("a target is published one way: remove pages = true to deploy it with `hubgen deploy`, or its [deploy] table to publish it on GitHub Pages"),
            );
        }
    }
    let pages = raw
        .targets
        .values()
        .filter_map(|t| t.pages.as_ref().filter(|_| says_pages(t)));
    for p in pages.skip(1) {
        errors.push(
            err(p.span(), "more than one target says pages = true".into())
                .with_hint("GitHub Pages publishes one site per repository: keep pages = true on one target and give the others a [targets.NAME.deploy] table"),
        );
    }
}

/// Whether a target says `pages = true`.
fn says_pages(t: &RawTarget) -> bool {
    t.pages.as_ref().is_some_and(|p| *p.get_ref())
}

/// Checks what target `name` publishes; returns its taxonomies (all when it
/// names none).
fn published(
    raw: &RawConfig,
    name: &str,
    t: &RawTarget,
    err: &Err<'_>,
    errors: &mut Diagnostics,
) -> Vec<String> {
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
    match &t.taxonomies {
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
    }
}

/// What a name that becomes a folder or a part of an address may be made of.
const NAME_HINT: &str =
    "use letters, digits, `-` and `_`, starting with a letter or digit, for example `case-studies`";

/// Names of targets, collections, taxonomies and themes become folder names
/// and address segments, so they must be plain path segments: nothing that a
/// file system or a browser would read as "go up", "start again at the root"
/// or "a different folder".
fn check_name(name: &str) -> Result<(), &'static str> {
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
    value: Option<&Spanned<usize>>,
    default: usize,
    errors: &mut Diagnostics,
    err: &Err<'_>,
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
