//! Finding the content files: every Markdown file under `content/`, with the
//! collection it belongs to, and the problems of those that cannot be pages.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::CONTENT_DIR;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Lists the Markdown files under `content/` with their collection, sorted by path.
pub(super) fn discover(config: &Config, content: &Path) -> (Vec<(PathBuf, usize)>, Diagnostics) {
    let mut problems = Diagnostics::new();
    let mut files = Vec::new();
    if !content.is_dir() {
        problems.push(
            Diagnostic::error(
                "content",
                format!("no {CONTENT_DIR}/ folder in {}", config.root.display()),
            )
            .with_hint("create content/ with one folder per collection declared in site.toml"),
        );
        return (files, problems);
    }
    let site_root = std::fs::canonicalize(&config.root).ok();
    // Links are followed only when they stay inside the site, so that a link
    // cannot publish a file or folder from elsewhere on the computer.
    let inside = |path: &Path| {
        std::fs::canonicalize(path)
            .is_ok_and(|real| site_root.as_ref().is_some_and(|r| real.starts_with(r)))
    };
    let mut walk = WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.strip_prefix(&config.root).unwrap_or(p).to_path_buf());
                let mut d = Diagnostic::error("io", format!("cannot read: {e}"));
                if let Some(p) = path {
                    d = d.in_file(p);
                }
                problems.push(d);
                continue;
            }
        };
        let rel = entry
            .path()
            .strip_prefix(content)
            .unwrap_or(entry.path())
            .to_path_buf();
        let source = Path::new(CONTENT_DIR).join(&rel);
        let is_dir = entry.file_type().is_dir();
        if entry.path_is_symlink() && !inside(entry.path()) {
            problems.push(
                Diagnostic::error("file-name", "this is a link to a file or folder outside the site, so it cannot be published")
                    .in_file(&source)
                    .with_hint("copy what it links to into content/ instead of linking to it"),
            );
            if is_dir {
                walk.skip_current_dir();
            }
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && (name.starts_with('.') || is_editor_leftover(&name)) {
            // Never content, never published.
            if is_dir {
                walk.skip_current_dir();
            }
            continue;
        }
        if let Some(d) = page_file(&entry, &rel, &source) {
            problems.push(d);
            continue;
        }
        if !(entry.file_type().is_file() && rel.extension().is_some_and(|e| e == "md")) {
            continue;
        }
        match config
            .collections
            .iter()
            .position(|c| rel.starts_with(&c.folder))
        {
            Some(c) => files.push((rel, c)),
            None => problems.push(no_collection(config, &source)),
        }
    }
    (files, problems)
}

/// Why the file at `rel` cannot be read as a page, if it looks like one: a
/// Markdown file with another ending (neither published as a page nor
/// copied raw, front matter and all), or a name that is not UTF-8.
fn page_file(entry: &walkdir::DirEntry, rel: &Path, source: &Path) -> Option<Diagnostic> {
    let ext = entry.path().extension().and_then(|e| e.to_str())?;
    if ext != "md" && is_markdown(entry.path()) {
        return Some(
            Diagnostic::error(
                "file-name",
                "hubgen reads pages only from files ending in `.md`, in lower case",
            )
            .in_file(source)
            .with_hint(format!(
                "rename it to {}",
                source.with_extension("md").display()
            )),
        );
    }
    if ext == "md" && entry.file_type().is_file() && rel.to_str().is_none() {
        return Some(
            Diagnostic::error("file-name", "the file name is not valid UTF-8")
                .in_file(source)
                .with_hint("rename the file using letters, digits and hyphens"),
        );
    }
    None
}

/// A page outside every collection's folder.
fn no_collection(config: &Config, source: &Path) -> Diagnostic {
    let folders: Vec<String> = config
        .collections
        .iter()
        .map(|c| format!("content/{}/", c.folder))
        .collect();
    Diagnostic::error(
        "no-collection",
        "this file is in no collection's folder, so no target would publish it",
    )
    .in_file(source)
    .with_hint(format!(
        "move it into one of {}, or declare a collection for its folder in site.toml",
        folders.join(", ")
    ))
}

/// Whether `path` names a Markdown file, in any case of `.md` or `.markdown`:
/// such a file is a page (if it ends in `.md`) or refused, never copied raw.
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Files an editor's tools leave beside the content: backups (`page.md~`,
/// `page.md.orig`, `page.bak`), swap and lock files (`.page.md.swp`,
/// `.#page.md`, `#page.md#`). They are never published.
pub fn is_editor_leftover(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.contains(".md.")
        || matches!(
            ext.as_deref(),
            Some("orig" | "bak" | "swp" | "swo" | "swn" | "rej" | "tmp" | "old")
        )
}
