//! Themes: a folder in `themes/` with `templates/`, `static/` and an
//! optional `theme.toml` saying which theme it extends. Every template is
//! registered under `THEME/NAME` and, for the most specific theme that has
//! it, under plain `NAME`; so a child theme's `base.html` can
//! `{% extends "base/base.html" %}` and override blocks. A site's own
//! `templates/` and `static/` override any theme's.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value as Json;
use tera::{Context, Tera};
use walkdir::WalkDir;

use crate::config::Target;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::Site;
use crate::text::Date;

/// `theme.toml`. Only `extends` matters to hubgen; `name` and `description`
/// are for people, and accepted so that a typo in any key is still an error.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ThemeToml {
    #[serde(default, rename = "name")]
    _name: Option<String>,
    #[serde(default, rename = "description")]
    _description: String,
    extends: Option<String>,
}

/// The templates and static folders of a target's theme chain.
pub struct Theme {
    /// Every template of the chain, loaded, with hubgen's filters: each under
    /// `THEME/NAME`, and under `NAME` as the most specific one that has it
    /// (the site's own `templates/` before any theme's).
    pub tera: Tera,
    /// Template name → the file it came from (as shown, and as read), for error messages.
    files: HashMap<String, (PathBuf, PathBuf)>,
    /// Static folders, least specific first.
    pub static_dirs: Vec<PathBuf>,
    /// The browser editor's files (`editor/` of each theme), least specific first.
    pub editor_dirs: Vec<PathBuf>,
    /// The templates each template uses, read from their text as loaded.
    uses: HashMap<String, HashSet<String>>,
    /// The hash of every template's name and text: part of each page's key
    /// (what its bytes are made from, besides the program). None when a
    /// template reads what no context holds (tera's `get_env`): every page
    /// of the theme is rendered every time.
    pub key: Option<u128>,
}

/// The theme folders from the root of the chain (`base`) to `name`.
fn theme_chain(
    themes_dir: &Path,
    name: &str,
    root: &Path,
) -> Result<Vec<(String, PathBuf)>, Diagnostic> {
    let mut chain: Vec<(String, PathBuf)> = Vec::new();
    let mut next = Some(name.to_string());
    while let Some(n) = next.take() {
        let dir = themes_dir.join(&n);
        let shown = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
        if chain.iter().any(|(c, _)| *c == n) {
            return Err(Diagnostic::error(
                "theme",
                format!(
                    "theme `{n}` extends itself through {}",
                    chain
                        .iter()
                        .map(|(c, _)| c.as_str())
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            )
            .in_file(shown.join("theme.toml")));
        }
        if !dir.join("templates").is_dir() {
            return Err(Diagnostic::error(
                "theme",
                format!(
                    "theme `{n}` not found: no folder {}",
                    shown.join("templates").display()
                ),
            )
            .with_hint("themes live in themes/NAME/ with templates/ and static/"));
        }
        let toml_path = dir.join("theme.toml");
        if toml_path.is_file() {
            let text = std::fs::read_to_string(&toml_path).map_err(|e| {
                Diagnostic::error("theme", format!("cannot read: {e}"))
                    .in_file(shown.join("theme.toml"))
            })?;
            let t: ThemeToml = toml::from_str(&text).map_err(|e| {
                let (line, col) = e
                    .span()
                    .map_or((0, 0), |s| crate::diagnostics::line_col(&text, s.start));
                Diagnostic::error("theme", e.message().to_string())
                    .at(shown.join("theme.toml"), line, col)
                    .with_source(&text)
            })?;
            next = t.extends;
        }
        chain.push((n, dir));
    }
    chain.reverse();
    Ok(chain)
}

/// The hash of every template's name and text, or none when one reads the
/// environment (tera's `get_env`), which no page's context holds.
fn theme_key(texts: &[(String, String)]) -> Option<u128> {
    if texts.iter().any(|(_, t)| t.contains("get_env")) {
        return None;
    }
    let mut key = crate::output::KeyHasher::new();
    for (name, text) in texts {
        key.add(&(name.len() as u64).to_le_bytes());
        key.add(name.as_bytes());
        key.add(&(text.len() as u64).to_le_bytes());
        key.add(text.as_bytes());
    }
    Some(key.finish())
}

pub(super) fn template_files(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_str()?
                .replace('\\', "/");
            Some((rel, e.path().to_path_buf()))
        })
        .collect()
}

impl Theme {
    /// Loads the theme chain of `target`, with the site's own overrides.
    pub fn load(site: &Site, target: &Target) -> Result<Theme, Diagnostics> {
        let root = &site.config.root;
        let chain = theme_chain(&site.config.themes_dir, &target.theme, root)?;
        let mut sources: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut static_dirs = Vec::new();
        let mut editor_dirs = Vec::new();
        for (name, dir) in &chain {
            for (rel, path) in template_files(&dir.join("templates")) {
                sources.insert(format!("{name}/{rel}"), path.clone());
                sources.insert(rel, path);
            }
            static_dirs.push(dir.join("static"));
            editor_dirs.push(dir.join("editor"));
        }
        for (rel, path) in template_files(&root.join("templates")) {
            sources.insert(rel, path);
        }
        static_dirs.push(root.join("static"));

        let mut texts = Vec::with_capacity(sources.len());
        let mut files = HashMap::new();
        for (name, path) in &sources {
            let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
            let text = std::fs::read_to_string(path).map_err(|e| {
                Diagnostic::error("template", format!("cannot read: {e}")).in_file(&shown)
            })?;
            texts.push((name.clone(), text));
            files.insert(name.clone(), (shown, path.clone()));
        }
        let mut tera = Tera::default();
        // tera's default also escapes `/`, which makes every URL in an attribute unreadable.
        tera.set_escape_fn(crate::markdown::escape_attr);
        tera.register_filter("date_long", date_long);
        tera.register_filter("flatten", flatten);
        tera.add_raw_templates(texts.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(&e, &files))?;
        super::fragments::register(&mut tera).map_err(|e| template_error(&e, &files))?;
        let key = theme_key(&texts);
        let uses = template_uses(&texts.into_iter().collect());
        Ok(Theme {
            tera,
            files,
            static_dirs,
            editor_dirs,
            uses,
            key,
        })
    }

    pub(super) fn render(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, ctx)
            .map_err(|e| template_error(&e, &self.files))
    }

    /// Template `name` and every template it uses (extends, includes, imports), by name.
    pub fn templates_read(&self, name: &str) -> std::collections::BTreeSet<String> {
        let mut read: std::collections::BTreeSet<String> = self
            .uses
            .get(name)
            .map(|u| u.iter().cloned().collect())
            .unwrap_or_default();
        read.insert(name.to_string());
        read
    }

    /// The templates that are, or use (extend, include, import), one of `changed`
    /// (file names below a `templates/` folder).
    pub fn users_of(
        &self,
        changed: &std::collections::BTreeSet<String>,
    ) -> std::collections::HashSet<String> {
        let uses = &self.uses;
        let hit = |n: &str| {
            changed
                .iter()
                .any(|c| n == c || n.ends_with(&format!("/{c}")))
        };
        self.files
            .keys()
            .filter(|n| hit(n) || uses.get(*n).is_some_and(|u| u.iter().any(|x| hit(x))))
            .cloned()
            .collect()
    }
}

/// `{{ page.date | date_long }}` → "3 December 2010".
#[allow(clippy::unnecessary_wraps)] // the signature tera's filters have
fn date_long(value: &Json, _: &HashMap<String, Json>) -> tera::Result<Json> {
    match value.as_str().and_then(Date::parse) {
        Some(d) => Ok(Json::String(d.long())),
        None => Ok(value.clone()),
    }
}

/// `{{ paginator.pages | map(attribute="tags") | flatten }}`: a list's lists
/// joined into one list, in order; what is not a list stays as it is. Where a
/// template would otherwise `concat` onto a list in a loop, which copies the
/// list at every step (a 500-item page then takes a second to render), this
/// copies each value once.
fn flatten(value: &Json, _: &HashMap<String, Json>) -> tera::Result<Json> {
    let Json::Array(items) = value else {
        return Err(tera::Error::msg(format!(
            "the `flatten` filter needs a list, not {value}"
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Json::Array(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Json::Array(out))
}

/// Turns a tera error into a diagnostic naming the template file and line.
fn template_error(err: &tera::Error, files: &HashMap<String, (PathBuf, PathBuf)>) -> Diagnostic {
    let mut messages = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        messages.push(s.to_string());
        source = s.source();
    }
    let full = messages.join("\n");
    // The template the error is about: the last quoted name tera mentions that we know.
    let name = quoted(&full, '\'')
        .into_iter()
        .chain(quoted(&full, '"'))
        .rfind(|n| files.contains_key(n.as_str()));
    // Parse errors carry ` --> line:col`.
    let mut line_col = full.split(" --> ").nth(1).and_then(|rest| {
        let (l, rest) = rest.split_once(':')?;
        let c: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((l.trim().parse().ok()?, c.parse().unwrap_or(0)))
    });
    let file = name.as_ref().and_then(|n| files.get(n.as_str()));
    // Render errors don't; find the first line that uses the name they mention.
    if line_col.is_none() {
        let ident = quoted(&full, '`')
            .into_iter()
            .chain(
                quoted(&full, '\'')
                    .into_iter()
                    .filter(|q| !files.contains_key(q.as_str())),
            )
            .next();
        if let (Some(file), Some(ident)) = (file, ident) {
            // The whole name (`page.attachments`) if it is written as such, else its root (`page`).
            let root = ident
                .split(['.', '[', '('])
                .next()
                .unwrap_or(&ident)
                .to_string();
            if let Ok(text) = std::fs::read_to_string(&file.1) {
                let find = |needle: &str| {
                    text.lines()
                        .enumerate()
                        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, c + 1)))
                };
                line_col = find(&ident).or_else(|| find(&root));
            }
        }
    }
    let summary: Vec<&str> = messages
        .iter()
        .flat_map(|m| m.lines())
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("-->")
                && !l.starts_with('|')
                && !l.starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    let mut d = Diagnostic::error(
        "template",
        format!("template error: {}", summary.join(": ")),
    );
    if let Some((shown, real)) = file {
        let (line, col) = line_col.unwrap_or((0, 0));
        d = d.at(shown, line, col);
        if let Ok(text) = std::fs::read_to_string(real) {
            d = d.with_source(&text);
        }
    }
    d
}

fn quoted(s: &str, q: char) -> Vec<String> {
    s.split(q).skip(1).step_by(2).map(str::to_string).collect()
}

/// The templates each template uses (extends, includes, imports), by name.
/// A template that names one by a variable (`{% include name %}`) may use
/// any: it is taken to use them all.
pub(crate) fn template_uses(sources: &HashMap<String, String>) -> HashMap<String, HashSet<String>> {
    let mut direct: HashMap<String, HashSet<String>> = HashMap::new();
    for (name, text) in sources {
        let named = named_templates(text).zip(shared_partials(text));
        let mut uses = match named {
            Some((mut names, partials)) => {
                names.extend(partials);
                names
            }
            None => sources.keys().filter(|n| *n != name).cloned().collect(),
        };
        // `list_item` renders the `item` macro of macros.html.
        if text.contains(super::fragments::FUNCTION) && sources.contains_key("macros.html") {
            uses.insert("macros.html".to_string());
        }
        direct.insert(name.clone(), uses);
    }
    // Transitive closure: small, templates number in the tens.
    let mut all = direct.clone();
    loop {
        let mut grew = false;
        for name in direct.keys() {
            let current: Vec<String> = all[name].iter().cloned().collect();
            for u in current {
                let more: Vec<String> = all
                    .get(&u)
                    .map(|s| s.iter().cloned().collect())
                    .unwrap_or_default();
                let set = all.get_mut(name).expect("present");
                for m in more {
                    grew |= set.insert(m);
                }
            }
        }
        if !grew {
            break;
        }
    }
    all
}

/// The templates `text` renders with `shared_partial(template="…")`, or
/// `None` when one is named otherwise than by a quoted name.
fn shared_partials(text: &str) -> Option<Vec<String>> {
    text.match_indices(super::fragments::PARTIAL)
        .map(|(at, _)| {
            let args = &text[at..];
            let args = &args[..args.find(')').unwrap_or(args.len())];
            let value = args[args.find("template")? + "template".len()..]
                .trim_start()
                .strip_prefix('=')?
                .trim_start();
            let q = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let name = quoted(value, q).into_iter().next()?;
            // A name made of more than the quoted string (`"a" ~ x`) is not known.
            // (Unterminated, it has no end: `get` gives nothing.)
            let after = value.get(name.len() + 2..)?.trim_start();
            (after.is_empty() || after.starts_with(',')).then_some(name)
        })
        .collect()
}

/// The templates `text`'s `{% extends %}`, `{% include %}` and `{% import %}`
/// tags name (one, or a list of which tera takes the first that exists);
/// `None` if one of them names it by a variable.
fn named_templates(text: &str) -> Option<HashSet<String>> {
    let mut names = HashSet::new();
    for (at, _) in text.match_indices("{%") {
        let rest = &text[at + 2..];
        let tag = rest[..rest.find("%}").unwrap_or(rest.len())]
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let Some(args) = ["extends", "include", "import"].iter().find_map(|k| {
            tag.strip_prefix(k)
                .filter(|a| a.starts_with(char::is_whitespace))
        }) else {
            continue;
        };
        let args = args.trim_start();
        let listed = args
            .strip_prefix('[')
            .map(|a| a.split(']').next().unwrap_or(a));
        let quoted: Vec<String> = if let Some(list) = listed {
            quoted(list, '"')
                .into_iter()
                .chain(quoted(list, '\''))
                .collect()
        } else {
            let q = args.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            quoted(args, q).into_iter().take(1).collect()
        };
        if quoted.is_empty() {
            return None;
        }
        names.extend(quoted);
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_joins_a_list_of_lists_in_order() {
        let mut tera = Tera::default();
        tera.register_filter("flatten", flatten);
        tera.add_raw_template(
            "t",
            r#"{{ pages | map(attribute="tags") | flatten | map(attribute="name") | join(sep=",") }}|{{ pages | map(attribute="region") | flatten | join(sep=",") }}"#,
        )
        .unwrap();
        let pages = serde_json::json!([
            {"tags": [{"name": "b"}, {"name": "a"}], "region": "North"},
            {"tags": [], "region": null},
            {"tags": [{"name": "b"}]},
            {"tags": [{"name": "c"}], "region": ["East", "West"]},
        ]);
        let mut ctx = tera::Context::new();
        ctx.insert("pages", &pages);
        assert_eq!(tera.render("t", &ctx).unwrap(), "b,a,b,c|North,East,West");
        let err = flatten(&Json::from("text"), &HashMap::new()).unwrap_err();
        assert!(err.to_string().contains("needs a list"), "{err}");
    }

    #[test]
    fn a_theme_key_covers_every_template_and_none_reads_the_environment() {
        let texts = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let base = theme_key(&texts(&[
            ("page.html", "{{ page.title }}"),
            ("base.html", "x"),
        ]));
        assert!(base.is_some());
        assert_ne!(
            base,
            theme_key(&texts(&[
                ("page.html", "{{ page.title }}!"),
                ("base.html", "x")
            ]))
        );
        assert_ne!(
            base,
            theme_key(&texts(&[
                ("page.htm", "l{{ page.title }}"),
                ("base.html", "x")
            ]))
        );
        assert_eq!(
            theme_key(&texts(&[("page.html", "{{ get_env(name=\"ID\") }}")])),
            None
        );
    }

    #[test]
    fn a_template_named_by_a_variable_may_be_any() {
        let sources: HashMap<String, String> = [
            (
                "page.html",
                "{%- include  \"a.html\" -%} {% include [\"b.html\", 'c.html'] ignore missing %}",
            ),
            ("list.html", "{% set t = \"a.html\" %}{% include t %}"),
            (
                "a.html",
                "Includes nothing, whatever the word include says.",
            ),
            ("b.html", ""),
            ("c.html", ""),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let uses = template_uses(&sources);
        let sorted = |n: &str| {
            let mut v: Vec<&String> = uses[n].iter().collect();
            v.sort();
            v
        };
        assert_eq!(sorted("page.html"), ["a.html", "b.html", "c.html"]);
        assert_eq!(
            sorted("list.html"),
            ["a.html", "b.html", "c.html", "page.html"]
        );
        assert!(uses["a.html"].is_empty());
    }

    #[test]
    fn template_uses_are_transitive() {
        let sources: HashMap<String, String> = [
            (
                "page.html",
                "{% extends \"base.html\" %}{% import 'macros.html' as m %}",
            ),
            ("base.html", "{% include \"nav.html\" %}"),
            ("nav.html", "<nav></nav>"),
            ("macros.html", ""),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let uses = template_uses(&sources);
        assert_eq!(
            shared_partials(
                r#"{{ shared_partial(template="partials/menu.html", current=c) }} {{ shared_partial( template = 'f.html') }}"#
            ),
            Some(vec!["partials/menu.html".to_string(), "f.html".to_string()])
        );
        assert_eq!(shared_partials("{{ shared_partial(template=name) }}"), None);
        assert_eq!(
            shared_partials(r#"{{ shared_partial(template="a" ~ x) }}"#),
            None
        );
        // Unterminated: not a name, and no panic.
        assert_eq!(
            shared_partials(r#"{{ shared_partial(template="abc) }}"#),
            None
        );
        let mut page: Vec<&String> = uses["page.html"].iter().collect();
        page.sort();
        assert_eq!(page, ["base.html", "macros.html", "nav.html"]);
        assert!(uses["nav.html"].is_empty());
    }
}
