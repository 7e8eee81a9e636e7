//! What `hubgen check` looks for beyond what `build` already refuses: anchors
//! between pages, pages no one can reach, missing images and attachments,
//! images without alt text, guides past their review date, and personal
//! contact details.

mod contacts;
pub mod external;
mod normal;
mod personal;

use std::collections::HashSet;
use std::path::Path;

use personal::personal_data;

use crate::config::FieldType;
use crate::diagnostics::{Diagnostic, Severity};
use crate::markdown::resolve_path;
use crate::schema::Value;
use crate::site::Site;
use crate::text::Date;

/// How strict a check is, and what day it is.
#[derive(Clone, Debug)]
pub struct Options {
    /// Review dates that have passed are errors rather than warnings.
    pub strict: bool,
    /// The day review dates are compared with: today, or `--today`.
    pub today: Date,
}

/// Every finding about `site`, unsorted.
pub fn check(site: &Site, opts: &Options) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    anchors(site, &mut out);
    orphans(site, &mut out);
    files(site, &mut out);
    review_dates(site, opts, &mut out);
    personal_data(site, &mut out);
    out.extend(crate::editor::drift(&site.config));
    if opts.strict {
        for d in &mut out {
            d.severity = Severity::Error;
        }
    }
    out
}

/// The findings that stop a site from being published (`hubgen build` runs
/// these): broken anchors, missing images and attachments, images without
/// alt text, and personal contact details. Unsorted.
pub fn blocking(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    anchors(site, &mut out);
    files(site, &mut out);
    personal_data(site, &mut out);
    out.retain(|d| d.severity == Severity::Error);
    out
}

fn warning(code: &'static str, message: String) -> Diagnostic {
    let mut d = Diagnostic::error(code, message);
    d.severity = Severity::Warning;
    d
}

/// `[text](other.md#part)` and `[text](#part)`: `part` must be a heading id
/// or a footnote label of the page linked to.
fn anchors(site: &Site, out: &mut Vec<Diagnostic>) {
    for doc in site.docs.iter().filter(|d| site.is_published(d)) {
        for link in &doc.body.links {
            let Some(anchor) = &link.anchor else { continue };
            if site.unreadable.contains(&link.doc) {
                continue; // its headings are not known; its own problem is reported
            }
            let to = &site.docs[link.doc];
            if to.body.toc.iter().any(|h| h.id == *anchor) || to.body.footnotes.contains(anchor) {
                continue;
            }
            let ids: Vec<&str> = to.body.toc.iter().map(|h| h.id.as_str()).collect();
            let hint = match crate::diagnostics::did_you_mean(anchor, ids.iter().copied()) {
                Some(m) => format!("did you mean #{m}?"),
                None if ids.is_empty() => {
                    format!("{} has no headings to link to", to.source.display())
                }
                None => format!(
                    "the headings of {} are #{}",
                    to.source.display(),
                    ids.join(", #")
                ),
            };
            let message = if to.id == doc.id {
                format!("link to #{anchor} on this page, which has no such heading or footnote")
            } else {
                format!(
                    "link to #{anchor} in {}, which has no such heading or footnote",
                    to.source.display()
                )
            };
            out.push(
                Diagnostic::error("broken-anchor", message)
                    .at(&doc.source, link.line, link.column)
                    .with_hint(hint),
            );
        }
    }
}

/// A page that nothing links to, refers to, or lists cannot be found by a reader.
fn orphans(site: &Site, out: &mut Vec<Diagnostic>) {
    let mut reached: HashSet<usize> = HashSet::new();
    for doc in site.docs.iter().filter(|d| site.is_published(d)) {
        reached.extend(
            doc.body
                .links
                .iter()
                .map(|l| l.doc)
                .filter(|&d| d != doc.id),
        );
        reached.extend(doc.refs.iter().flat_map(|(_, ids)| ids.iter().copied()));
        reached.extend(doc.referrers.iter().copied());
    }
    for doc in site
        .docs
        .iter()
        .filter(|d| site.is_published(d) && !site.unreadable.contains(&d.id))
    {
        let coll = site.collection_of(doc);
        let listed = !crate::urls::section_url(coll).is_empty();
        let termed = site
            .config
            .targets
            .iter()
            .filter(|t| site.publishes(t, doc))
            .any(|t| {
                site.config
                    .taxonomies
                    .iter()
                    .filter(|tx| t.taxonomies.contains(&tx.name))
                    .any(|tx| {
                        if tx.field == "tags" {
                            !doc.meta.tags.is_empty()
                        } else {
                            doc.meta.get(&tx.field).is_some()
                        }
                    })
            });
        if !listed && !termed && !reached.contains(&doc.id) {
            out.push(
                warning(
                    "orphan",
                    format!(
                        "no page links to this one and no list shows it ({})",
                        doc.url
                    ),
                )
                .at(&doc.source, 1, 1)
                .with_hint("link to it from a related page, or give it tags"),
            );
        }
    }
}

/// Whether the picture beside a page at `dest` (a PNG, JPEG, GIF, WebP or
/// AVIF by its name) cannot be read: its header does not give a size.
fn unreadable_picture(content: &Path, doc_path: &Path, dest: &str) -> bool {
    let path = dest.split(['?', '#']).next().unwrap_or(dest);
    let picture = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            ["png", "jpg", "jpeg", "gif", "webp", "avif"].contains(&e.to_ascii_lowercase().as_str())
        });
    if !picture || path.starts_with('/') {
        return false;
    }
    resolve_path(doc_path, path).is_some_and(|p| imagesize::size(content.join(p)).is_err())
}

/// Images and attachments must exist, and images need alt text.
fn files(site: &Site, out: &mut Vec<Diagnostic>) {
    let root = &site.config.root;
    let content = root.join(crate::load::CONTENT_DIR);
    let statics: Vec<std::path::PathBuf> = std::iter::once(root.join("static"))
        .chain(
            std::fs::read_dir(&site.config.themes_dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path().join("static")),
        )
        .collect();
    let exists = |doc_path: &Path, dest: &str| -> bool {
        let path = dest.split(['?', '#']).next().unwrap_or(dest);
        match path.strip_prefix('/') {
            Some(rooted) => statics.iter().any(|s| s.join(rooted).is_file()),
            None => resolve_path(doc_path, path).is_some_and(|p| content.join(p).is_file()),
        }
    };
    for doc in site.docs.iter().filter(|d| site.is_published(d)) {
        for img in &doc.body.images {
            let external = img.dest.contains("://")
                || img.dest.starts_with("//")
                || img.dest.starts_with("data:");
            if !external && !exists(&doc.path, &img.dest) {
                out.push(
                    Diagnostic::error("missing-image", format!("image \"{}\" does not exist", img.dest))
                        .at(&doc.source, img.line, img.column)
                        .with_hint("put the image beside the page (paths are relative to the Markdown file) or in static/"),
                );
            } else if !external && unreadable_picture(&content, &doc.path, &img.dest) {
                out.push(
                    Diagnostic::error("image-unreadable", format!("image \"{}\" cannot be read as a picture", img.dest))
                        .at(&doc.source, img.line, img.column)
                        .with_hint("open it and save it again as PNG or JPEG: the file may be damaged, or its name may end in the wrong extension"),
                );
            }
            if img.alt.trim().is_empty() {
                out.push(
                    Diagnostic::error("image-alt", format!("image \"{}\" has no alt text", img.dest))
                        .at(&doc.source, img.line, img.column)
                        .with_hint("describe the image in the brackets: ![A chart of spending by year](chart.png); readers using screen readers depend on it"),
                );
            }
        }
        let coll = site.collection_of(doc);
        for field in coll
            .fields
            .iter()
            .filter(|f| f.name == "attachments" && f.kind == FieldType::List)
        {
            if let Some(Value::List(files)) = doc.meta.get(&field.name) {
                for f in files.iter().filter(|f| !exists(&doc.path, f)) {
                    out.push(
                        Diagnostic::error("missing-attachment", format!("attachment \"{f}\" does not exist"))
                            .at(&doc.source, doc.meta.line_of("attachments"), 1)
                            .with_hint("attachments are paths relative to the Markdown file, like files/toolkit.pdf"),
                    );
                }
            }
        }
    }
}

/// Guides (any document with a `review_by` date) past their review date.
fn review_dates(site: &Site, opts: &Options, out: &mut Vec<Diagnostic>) {
    for doc in site.docs.iter().filter(|d| site.is_published(d)) {
        if let Some(Value::Date(due)) = doc.meta.get("review_by") {
            if *due < opts.today {
                out.push(
                    warning(
                        "review-overdue",
                        format!("this page was due for review on {}", due.long()),
                    )
                    .at(&doc.source, doc.meta.line_of("review_by"), 1)
                    .with_hint("review the page, then set a new review_by date"),
                );
            }
        }
    }
}
