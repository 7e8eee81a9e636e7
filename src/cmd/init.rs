//! `hubgen init DIR`: a new, minimal site that builds and checks clean.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};

/// The base theme, built into the binary so that a new site has one.
pub const BASE_THEME: &[(&str, &str)] = &[
    (
        "templates/404.html",
        include_str!("../../themes/base/templates/404.html"),
    ),
    (
        "templates/alias.html",
        include_str!("../../themes/base/templates/alias.html"),
    ),
    (
        "templates/atom.xml",
        include_str!("../../themes/base/templates/atom.xml"),
    ),
    (
        "templates/base.html",
        include_str!("../../themes/base/templates/base.html"),
    ),
    (
        "templates/index.html",
        include_str!("../../themes/base/templates/index.html"),
    ),
    (
        "templates/macros.html",
        include_str!("../../themes/base/templates/macros.html"),
    ),
    (
        "templates/library.html",
        include_str!("../../themes/base/templates/library.html"),
    ),
    (
        "templates/page.html",
        include_str!("../../themes/base/templates/page.html"),
    ),
    (
        "templates/partials/footer.html",
        include_str!("../../themes/base/templates/partials/footer.html"),
    ),
    (
        "templates/partials/menu.html",
        include_str!("../../themes/base/templates/partials/menu.html"),
    ),
    (
        "templates/robots.txt",
        include_str!("../../themes/base/templates/robots.txt"),
    ),
    (
        "templates/search.html",
        include_str!("../../themes/base/templates/search.html"),
    ),
    (
        "templates/section.html",
        include_str!("../../themes/base/templates/section.html"),
    ),
    (
        "templates/sitemap.xml",
        include_str!("../../themes/base/templates/sitemap.xml"),
    ),
    (
        "templates/taxonomy.html",
        include_str!("../../themes/base/templates/taxonomy.html"),
    ),
    (
        "templates/term.html",
        include_str!("../../themes/base/templates/term.html"),
    ),
    (
        "static/favicon.svg",
        include_str!("../../themes/base/static/favicon.svg"),
    ),
    (
        "static/print.css",
        include_str!("../../themes/base/static/print.css"),
    ),
    (
        "static/library.js",
        include_str!("../../themes/base/static/library.js"),
    ),
    (
        "static/menu.js",
        include_str!("../../themes/base/static/menu.js"),
    ),
    (
        "static/search.js",
        include_str!("../../themes/base/static/search.js"),
    ),
    (
        "static/style.css",
        include_str!("../../themes/base/static/style.css"),
    ),
    (
        "static/theme.css",
        include_str!("../../themes/base/static/theme.css"),
    ),
];

const SITE_TOML: &str = r#"# The site's configuration: `hubgen schema` shows what pages may hold.
title = "TITLE"
description = "A knowledge hub built with hubgen."
language = "en-GB"

# One collection per folder of content/. Every page has the built-in fields
# title (required), summary, date, updated, tags, draft, aliases and weight.
[collections.guides]
title = "Guides"
sort_by = "title"
required = ["summary"]

[collections.guides.fields.audience]
type = "string"
description = "Who the guide is for"

[taxonomies.tags]
title = "Tags"

[targets.site]
base_url = "https://example.org/"
theme = "base"
collections = ["guides"]
"#;

const FIRST_PAGE: &str = r#"---
title: Getting started
summary: How this site is made, and how to add a page to it.
audience: Editors
tags: [editors]
---

Pages are Markdown files in `content/guides/`. Add one with:

```sh
hubgen new guides "My first guide"
```

then build the site with `hubgen build` and check it with `hubgen check`.
"#;

/// Entry point for `hubgen init`: writes the site into `dir`, which must be empty or absent.
pub fn run(dir: &Path) -> Result<(), Diagnostics> {
    let fail = |e: std::io::Error| {
        Diagnostics::from(Diagnostic::error("io", format!("{}: {e}", dir.display())))
    };
    if dir.exists() && std::fs::read_dir(dir).map_err(fail)?.next().is_some() {
        return Err(Diagnostic::error(
            "exists",
            format!("{} is not empty; nothing was written", dir.display()),
        )
        .with_hint("choose a new folder name")
        .into());
    }
    let title = dir
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.replace(['-', '_'], " "))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Knowledge hub".into());
    let mut files: Vec<(String, String)> = vec![
        (
            "site.toml".into(),
            SITE_TOML.replace("TITLE", &title.replace('"', "")),
        ),
        (
            "content/guides/getting-started.md".into(),
            FIRST_PAGE.into(),
        ),
        (".gitignore".into(), "/public/\n/.hubgen-cache/\n".into()),
    ];
    files.extend(
        BASE_THEME
            .iter()
            .map(|(p, t)| (format!("themes/base/{p}"), t.to_string())),
    );
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("a file in a folder")).map_err(fail)?;
        std::fs::write(&path, text).map_err(fail)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in copy of the base theme is every file of themes/base but
    /// the browser editor's (Decap's own files, 6 MB, which a site that turns
    /// the editor on copies into its theme).
    #[test]
    fn embedded_theme_is_complete() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/base");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.file_name() != "theme.toml")
            .filter(|e| !e.path().starts_with(dir.join("editor")))
            .map(|e| {
                e.path()
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = BASE_THEME.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }
}
