//! The browser editor: Decap CMS, configured from site.toml. Every collection,
//! field, type, allowed value and reference the site declares becomes the
//! editor's collection and widget, so the editor cannot offer what `hubgen
//! check` refuses, nor drift from it. Decap's own files are served from the
//! site (the base theme's `editor/` folder, copied from the npm package at
//! the version below, with the `file:///` paths of Decap's build machine that
//! webpack left in two chunks emptied), never from another host.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{
    title_case, Collection, Config, Editor, Field, FieldType, Target, BUILTIN_FIELDS,
};
use crate::diagnostics::Diagnostic;

/// The version of Decap CMS in the base theme's `editor/` folder (a test
/// holds the folder to the npm package at this version).
pub const DECAP_VERSION: &str = "3.16.3";

/// The version of Decap's local backend that `hubgen serve --editor` runs
/// (a test holds it to the npm package in the lockfile).
pub const DECAP_SERVER_VERSION: &str = "3.11.3";

/// Decap's `config.yml`, in the order its documentation writes it.
#[derive(Serialize)]
struct DecapConfig<'a> {
    backend: Backend<'a>,
    /// Lets `hubgen serve --editor` (Decap's local backend) work against the
    /// working copy; a published site ignores it.
    local_backend: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    publish_mode: Option<&'static str>,
    media_folder: &'a str,
    public_folder: &'a str,
    site_url: &'a str,
    display_url: &'a str,
    collections: Vec<DecapCollection>,
}

#[derive(Serialize)]
struct Backend<'a> {
    name: &'static str,
    repo: &'a str,
    branch: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_root: Option<&'a str>,
}

#[derive(Serialize)]
struct DecapCollection {
    name: String,
    label: String,
    label_singular: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    folder: String,
    create: bool,
    extension: &'static str,
    format: &'static str,
    slug: &'static str,
    fields: Vec<Widget>,
}

/// One field's widget: the options each widget takes are left out where
/// they do not apply. (Decap calls the widget's kind `widget`.)
#[derive(Serialize, Default)]
#[allow(clippy::struct_field_names)]
struct Widget {
    label: String,
    name: String,
    widget: &'static str,
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<serde_json::Value>,
    // datetime
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_format: Option<bool>,
    // number
    #[serde(skip_serializing_if = "Option::is_none")]
    value_type: Option<&'static str>,
    // select
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    multiple: Option<bool>,
    // relation
    #[serde(skip_serializing_if = "Option::is_none")]
    collection: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    search_fields: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_fields: Option<Vec<&'static str>>,
}

/// The widget for a field of type `kind` called `name`.
fn widget(name: &str, kind: FieldType, required: bool) -> Widget {
    let mut w = Widget {
        label: title_case(name),
        name: name.to_string(),
        widget: "string",
        required,
        ..Widget::default()
    };
    match kind {
        FieldType::String => {}
        FieldType::Text => w.widget = "text",
        FieldType::Date => {
            w.widget = "datetime";
            w.format = Some("YYYY-MM-DD");
            w.date_format = Some("YYYY-MM-DD");
            w.time_format = Some(false);
        }
        FieldType::Bool => w.widget = "boolean",
        FieldType::Integer => {
            w.widget = "number";
            w.value_type = Some("int");
        }
        FieldType::List => w.widget = "list",
        FieldType::Reference | FieldType::References => {
            w.widget = "relation";
            w.search_fields = Some(vec!["title"]);
            w.value_field = Some("{{slug}}");
            w.display_fields = Some(vec!["title"]);
            w.multiple = Some(kind == FieldType::References);
        }
    }
    w
}

/// The widget of one of a collection's own fields, with what site.toml says
/// of it: allowed values, the collection referred to, default, description.
fn own_widget(f: &Field) -> Widget {
    let mut w = widget(&f.name, f.kind, f.required);
    if !f.allowed.is_empty() {
        w.widget = "select";
        w.options = Some(f.allowed.clone());
        w.multiple = Some(f.kind == FieldType::List);
    }
    w.collection.clone_from(&f.collection);
    w.default = f
        .default
        .as_ref()
        .and_then(|d| serde_json::to_value(d).ok());
    if !f.description.is_empty() {
        w.hint = Some(f.description.clone());
    }
    w
}

/// The built-in fields written before a collection's own, as pages are
/// usually written; the rest (tags, draft, aliases, weight) come after them.
const HEAD_FIELDS: [&str; 4] = ["title", "summary", "date", "updated"];

/// The widgets of a collection: the built-in fields (title always required,
/// the others as the collection's `required` says) around its own, then the
/// body. Decap writes front matter in this order.
fn widgets(c: &Collection) -> Vec<Widget> {
    let builtin = |(name, kind): &(&str, FieldType)| {
        let mut w = widget(name, *kind, c.requires(name));
        if *name == "draft" {
            w.default = Some(serde_json::Value::Bool(false));
            w.hint = Some("A draft is kept out of the published sites.".into());
        }
        if *name == "summary" {
            w.widget = "text";
            w.hint = Some("One or two sentences that lists and search results show.".into());
        }
        w
    };
    let (head, tail): (Vec<_>, Vec<_>) = BUILTIN_FIELDS
        .iter()
        .partition(|(name, _)| HEAD_FIELDS.contains(name));
    let mut fields: Vec<Widget> = head.into_iter().map(builtin).collect();
    fields.extend(c.fields.iter().map(own_widget));
    fields.extend(tail.into_iter().map(builtin));
    fields.push(Widget {
        label: "Body".into(),
        name: "body".into(),
        widget: "markdown",
        required: false,
        ..Widget::default()
    });
    fields
}

/// The text of `config.yml` for the editor of `config`, served by `target`.
pub fn config_yml(config: &Config, editor: &Editor, target: &Target) -> Result<String, Diagnostic> {
    let collections = config
        .collections
        .iter()
        .map(|c| DecapCollection {
            name: c.name.clone(),
            label: c.title.clone(),
            label_singular: title_case(&c.noun()),
            description: c.description.clone(),
            folder: format!("content/{}", c.folder),
            create: true,
            extension: "md",
            format: "yaml-frontmatter",
            slug: "{{slug}}",
            fields: widgets(c),
        })
        .collect();
    let decap = DecapConfig {
        backend: Backend {
            name: editor.host.name(),
            repo: &editor.repo,
            branch: &editor.branch,
            api_root: editor.api_root.as_deref(),
        },
        local_backend: true,
        publish_mode: editor.editorial_workflow.then_some("editorial_workflow"),
        media_folder: &editor.media_folder,
        public_folder: &editor.public_folder,
        site_url: &target.published_url,
        display_url: &target.published_url,
        collections,
    };
    let yaml = crate::frontmatter::to_yaml(&decap).map_err(|e| {
        Diagnostic::error(
            "editor",
            format!("cannot write the editor's configuration: {e}"),
        )
    })?;
    Ok(format!(
        "# Written by hubgen from site.toml: edit site.toml, not this file.\n{yaml}"
    ))
}

/// The editor's page: Decap from the same folder, with the target's own
/// stylesheets for its preview. Kept out of search engines.
pub fn index_html(config: &Config, target: &Target) -> String {
    let base = target.base_path();
    let title = crate::markdown::escape_attr(&config.title);
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Edit: {title}</title>
</head>
<body>
<script src="decap-cms.js"></script>
<script>
CMS.registerPreviewStyle("{base}style.css");
CMS.registerPreviewStyle("{base}theme.css");
</script>
</body>
</html>
"#,
        lang = crate::markdown::escape_attr(&config.language),
    )
}

/// The files the editor adds to `target`'s output, by path below it: its
/// page and configuration, which hubgen writes, when `target` serves it.
pub fn written_files(
    config: &Config,
    target: &Target,
) -> Result<BTreeMap<String, Vec<u8>>, Diagnostic> {
    let mut files = BTreeMap::new();
    let Some(editor) = config.editor.as_ref().filter(|e| e.target == target.name) else {
        return Ok(files);
    };
    files.insert(
        format!("{}/index.html", editor.path),
        index_html(config, target).into_bytes(),
    );
    files.insert(
        format!("{}/config.yml", editor.path),
        config_yml(config, editor, target)?.into_bytes(),
    );
    Ok(files)
}

mod drift;
#[cfg(test)]
mod tests;

pub use drift::drift;
