//! The built files of a target, as `hubgen deploy` uploads them: each with
//! its key (its path from the output folder's root), headers and hash.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::HeaderRule;
use crate::diagnostics::Diagnostic;

/// One file of the build.
#[derive(Clone, Debug)]
pub struct LocalFile {
    /// Its path from the output folder's root, with `/` between folders:
    /// `guides/index.html`.
    pub key: String,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its bytes and of the headers it is served with, in hex: a
    /// file is uploaded again when either changes.
    pub hash: String,
    /// Its `Content-Type`.
    pub content_type: String,
    /// Its `Cache-Control`, from the first header rule that sets one.
    pub cache_control: Option<String>,
}

impl LocalFile {
    /// Whether it is a page (HTML), which the deploy uploads after the files
    /// pages link to.
    pub fn is_page(&self) -> bool {
        self.content_type.starts_with("text/html")
    }
}

/// Every file under `dir` but hubgen's marker, sorted by key, with its
/// headers from `rules`.
pub(super) fn scan(dir: &Path, rules: &[HeaderRule]) -> Result<Vec<LocalFile>, Diagnostic> {
    let unreadable = |path: &Path, e: &dyn std::fmt::Display| {
        Diagnostic::error("deploy", format!("cannot read {}: {e}", path.display()))
            .with_hint("build the site again with `hubgen build`, then deploy")
    };
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| unreadable(dir, &e))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        if crate::output::is_own_file(rel) {
            continue; // hubgen's own mark and manifest on its output folders, not the site's
        }
        let Some(key) = key_of(rel) else {
            return Err(Diagnostic::error(
                "deploy",
                format!("{} has a name that is not UTF-8", entry.path().display()),
            )
            .with_hint("rename or remove the file; hubgen writes only UTF-8 names"));
        };
        paths.push((key, entry.path().to_path_buf()));
    }
    paths
        .into_par_iter()
        .map(|(key, path)| {
            let bytes = std::fs::read(&path).map_err(|e| unreadable(&path, &e))?;
            let (content_type, cache_control) = headers(&key, rules);
            let hash = hash(&bytes, &content_type, cache_control.as_deref());
            Ok(LocalFile {
                key,
                path,
                size: bytes.len() as u64,
                hash,
                content_type,
                cache_control,
            })
        })
        .collect()
}

/// `a/b/c.html` from a relative path, or `None` if a part is not UTF-8.
fn key_of(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// The `Content-Type` and `Cache-Control` of the file at `key`: each from the
/// first rule that matches and sets it; the type otherwise from the
/// extension, text in UTF-8 (as hubgen writes it).
pub fn headers(key: &str, rules: &[HeaderRule]) -> (String, Option<String>) {
    let matching = || rules.iter().filter(|r| r.matcher.is_match(key));
    let content_type = matching()
        .find_map(|r| r.content_type.clone())
        .unwrap_or_else(|| content_type(key));
    let cache_control = matching().find_map(|r| r.cache_control.clone());
    (content_type, cache_control)
}

/// The type a file's extension gives, with `charset=utf-8` for text.
fn content_type(key: &str) -> String {
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    let essence = mime.essence_str();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml")
        || essence.ends_with("+json")
        || essence.ends_with("+xml");
    if textual {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    }
}

/// SHA-256, in hex, of a file's bytes and the headers it is served with.
fn hash(bytes: &[u8], content_type: &str, cache_control: Option<&str>) -> String {
    let mut h = Sha256::new();
    h.update(bytes);
    h.update(b"\0content-type: ");
    h.update(content_type.as_bytes());
    h.update(b"\0cache-control: ");
    h.update(cache_control.unwrap_or_default().as_bytes());
    let mut hex = String::with_capacity(64);
    for b in h.finalize() {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(glob: &str, cache: Option<&str>, ty: Option<&str>) -> HeaderRule {
        HeaderRule {
            glob: glob.into(),
            matcher: globset::GlobBuilder::new(glob)
                .literal_separator(true)
                .build()
                .unwrap()
                .compile_matcher(),
            cache_control: cache.map(String::from),
            content_type: ty.map(String::from),
        }
    }

    #[test]
    fn the_first_matching_rule_sets_each_header() {
        let rules = [
            rule("search/**", Some("public, max-age=31536000"), None),
            rule("**/*.html", Some("public, max-age=300"), None),
            rule("*.webmanifest", None, Some("application/manifest+json")),
        ];
        assert_eq!(
            headers("search/terms-0.json", &rules),
            (
                "application/json; charset=utf-8".into(),
                Some("public, max-age=31536000".into())
            )
        );
        assert_eq!(
            headers("guides/a/index.html", &rules),
            (
                "text/html; charset=utf-8".into(),
                Some("public, max-age=300".into())
            )
        );
        assert_eq!(
            headers("index.html", &rules).1.as_deref(),
            Some("public, max-age=300")
        );
        assert_eq!(
            headers("site.webmanifest", &rules).0,
            "application/manifest+json"
        );
        // `*` stays inside a folder.
        assert_eq!(
            headers("a/site.webmanifest", &rules).0,
            "application/manifest+json; charset=utf-8"
        );
        assert_eq!(headers("logo.png", &rules), ("image/png".into(), None));
    }

    #[test]
    fn the_hash_covers_bytes_and_headers() {
        let a = hash(b"x", "text/html", None);
        assert_eq!(a.len(), 64);
        assert_eq!(a, hash(b"x", "text/html", None));
        assert_ne!(a, hash(b"y", "text/html", None));
        assert_ne!(a, hash(b"x", "text/plain", None));
        assert_ne!(a, hash(b"x", "text/html", Some("max-age=1")));
    }
}
