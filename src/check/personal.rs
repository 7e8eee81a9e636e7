//! Personal contact details in what is published: every page's file (front
//! matter and text), and the text files published beside the pages (`.txt`,
//! `.csv`, `.json` and other text attachments).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::contacts::{emails, phone_key, phones};
use super::normal::{may_hold_contact, normalise};
use crate::diagnostics::Diagnostic;
use crate::load::CONTENT_DIR;
use crate::site::Site;

/// Endings of the files published beside pages that are read as text.
const TEXT_FILES: &[&str] = &[
    "csv", "htm", "html", "ics", "json", "geojson", "tsv", "txt", "vcf", "xml", "yaml", "yml",
];

/// What site.toml lets through, in the forms the scanners compare.
struct Allowed {
    emails: HashSet<String>,
    phones: HashSet<String>,
}

/// E-mail addresses and phone numbers of individuals are not published;
/// site.toml's `[check]` may allow role mailboxes and switchboard numbers.
pub(super) fn personal_data(site: &Site, out: &mut Vec<Diagnostic>) {
    let check = &site.config.check;
    let allowed = Allowed {
        emails: check
            .allowed_emails
            .iter()
            .map(|e| e.to_lowercase())
            .collect(),
        phones: check.allowed_phones.iter().map(|p| phone_key(p)).collect(),
    };
    let mut files: Vec<PathBuf> = site
        .docs
        .iter()
        .filter(|d| site.is_published(d))
        .map(|d| d.source.clone())
        .collect();
    files.extend(published_text_files(site));
    // Each file is read and scanned on its own, in parallel: a build runs this
    // over every page.
    let found: Vec<Vec<Diagnostic>> = files
        .par_iter()
        .map(|source| scan(&site.config.root, source, &allowed))
        .collect();
    out.extend(found.into_iter().flatten());
}

/// The text files beside the pages of every collection a target publishes,
/// by their path from the site's root.
fn published_text_files(site: &Site) -> Vec<PathBuf> {
    let root = &site.config.root;
    let mut out = Vec::new();
    for coll in site
        .config
        .collections
        .iter()
        .filter(|c| site.config.targets.iter().any(|t| t.publishes(&c.name)))
    {
        let folder = Path::new(CONTENT_DIR).join(&coll.folder);
        for entry in walkdir::WalkDir::new(root.join(&folder))
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let text = entry
                .path()
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| TEXT_FILES.contains(&e.to_ascii_lowercase().as_str()));
            if let (true, Ok(rel)) = (text, entry.path().strip_prefix(root)) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out
}

/// The personal contact details in the file at `source` (from `root`) that
/// are not allowed.
fn scan(root: &Path, source: &Path, allowed: &Allowed) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // A file that is not text (or cannot be read) is reported by the stage
    // that reads it; a text attachment in another encoding is not scanned.
    let Ok(text) = std::fs::read_to_string(root.join(source)) else {
        return out;
    };
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| may_hold_contact(l))
    {
        let normal = normalise(line);
        for email in emails(&normal) {
            if !allowed.emails.contains(&email.key) {
                out.push(
                    Diagnostic::error("personal-data", format!("e-mail address {} is published", email.text))
                        .at(source, n + 1, email.column)
                        .with_source(&text)
                        .with_hint("replace it with the team's shared mailbox; a published personal address is refused (a site's developers can allow a role mailbox in site.toml)"),
                );
            }
        }
        for phone in phones(&normal) {
            if !allowed.phones.contains(&phone.key) {
                out.push(
                    Diagnostic::error("personal-data", format!("phone number {} is published", phone.text))
                        .at(source, n + 1, phone.column)
                        .with_source(&text)
                        .with_hint("replace it with the switchboard or the team's number; a published personal number is refused (a site's developers can allow a shared number in site.toml)"),
                );
            }
        }
    }
    out
}
