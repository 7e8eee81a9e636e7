//! Static files from the output folder, never from outside it: what a
//! request path leads to, the content type, and the answer with the file or
//! the theme's 404 page.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::reload::inject;

/// What a request path leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The file to send: the one asked for, or a folder's `index.html`.
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    /// Nothing there inside the output folder: the theme's 404 page.
    NotFound,
    /// A path that could reach outside the output folder, or is malformed:
    /// refused with 400, never looked up.
    Bad,
}

/// Maps a request path to a file inside `root`, refusing anything that could
/// leave it: `..` (also percent-encoded), backslashes, NUL, and symbolic links
/// that point outside.
pub fn resolve(root: &Path, raw_path: &str) -> Resolved {
    let Some(decoded) = percent_decode(raw_path) else {
        return Resolved::Bad;
    };
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) {
        return Resolved::Bad;
    }
    let mut rel = PathBuf::new();
    let parts: Vec<&str> = decoded.split('/').filter(|p| !p.is_empty()).collect();
    for part in &parts {
        match Path::new(part).components().next() {
            Some(Component::Normal(_)) if *part != "." && *part != ".." => rel.push(part),
            _ => return Resolved::Bad,
        }
    }
    let candidate = root.join(&rel);
    let Ok(real_root) = root.canonicalize() else {
        return Resolved::NotFound;
    };
    let Ok(real) = candidate.canonicalize() else {
        return Resolved::NotFound;
    };
    if !real.starts_with(&real_root) {
        return Resolved::NotFound;
    }
    if real.is_dir() {
        if !decoded.ends_with('/') {
            // Made from the cleaned path, never from what was asked: `//guides`
            // would otherwise send the browser to the host `guides`.
            let mut to = String::from("/");
            for part in &parts {
                to.extend(utf8_percent_encode(part, SEGMENT));
                to.push('/');
            }
            return Resolved::Redirect(to);
        }
        let index = real.join("index.html");
        return if index.is_file() {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if real.is_file() {
        Resolved::File(real)
    } else {
        Resolved::NotFound
    }
}

/// Decodes `%XX` escapes into UTF-8. Stricter than the crate on its own: a
/// `%` not followed by two hex digits makes the path bad rather than being
/// kept as it is, so no request is read two ways.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let malformed = bytes.iter().enumerate().any(|(i, &b)| {
        b == b'%'
            && !bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if malformed {
        return None;
    }
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

/// What a path segment keeps as it is in a `Location` header: unreserved
/// characters and a few harmless ones. Everything else is percent-encoded, so
/// a slash or backslash in a segment can never start a new one.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// The content type of a file, by its extension; text types say they are
/// UTF-8, as everything hubgen writes is.
pub fn content_type(path: &Path) -> String {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let guess = mime_guess::from_ext(ext).first_or_octet_stream();
    let essence = match guess.essence_str() {
        // Feeds and sitemaps are served as application/xml, as they always were.
        "text/xml" => "application/xml",
        // The one name for JavaScript since RFC 9239; mime_guess still gives
        // the old one for .mjs.
        "application/javascript" => "text/javascript",
        other => other,
    };
    if essence.starts_with("text/") || essence == "application/xml" {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_string()
    }
}

/// The file at `file`, with the live-reload script in HTML pages; the 404
/// page if it cannot be read.
pub(super) fn file_response(file: &Path, root: &Path) -> Response {
    let Ok(mut bytes) = std::fs::read(file) else {
        return not_found(root);
    };
    let kind = content_type(file);
    if kind.starts_with("text/html") {
        bytes = inject(bytes);
    }
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_str(&kind)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from(bytes),
    )
        .into_response()
}

/// The theme's 404 page, with status 404.
pub(super) fn not_found(root: &Path) -> Response {
    let body =
        std::fs::read(root.join("404.html")).map_or_else(|_| b"not found\n".to_vec(), inject);
    (
        StatusCode::NOT_FOUND,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        Body::from(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("guides/x")).unwrap();
        std::fs::write(root.join("guides/x/index.html"), "<p>x</p>").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt")).unwrap();
        assert_eq!(
            resolve(&root, "/guides/x/"),
            Resolved::File(root.canonicalize().unwrap().join("guides/x/index.html"))
        );
        assert_eq!(
            resolve(&root, "/guides/x"),
            Resolved::Redirect("/guides/x/".into())
        );
        for bad in [
            "/../secret.txt",
            "/guides/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%5csecret.txt",
            "/guides\\..\\..\\secret.txt",
            "/%00",
            "/%zz",
            "relative",
        ] {
            assert_eq!(resolve(&root, bad), Resolved::Bad, "{bad}");
        }
        assert_eq!(
            resolve(&root, "/link.txt"),
            Resolved::NotFound,
            "a symlink out of the root"
        );
        assert_eq!(resolve(&root, "//etc/passwd"), Resolved::NotFound);
        assert_eq!(resolve(&root, "/missing.html"), Resolved::NotFound);
    }

    #[test]
    fn redirects_never_leave_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("guides/a b")).unwrap();
        for asked in [
            "//guides",
            "///guides",
            "/%2f%2fguides",
            "/%2F/guides",
            "/guides//",
            "//guides/",
        ] {
            match resolve(root, asked) {
                Resolved::Redirect(to) => assert_eq!(to, "/guides/", "{asked}"),
                Resolved::NotFound | Resolved::File(_) => {}
                Resolved::Bad => panic!("{asked}: refused"),
            }
        }
        assert_eq!(
            resolve(root, "//guides/a%20b"),
            Resolved::Redirect("/guides/a%20b/".into())
        );
        for bad in ["/\\guides", "/%5cguides", "/%5C%5Cguides", "/\\/guides"] {
            assert_eq!(resolve(root, bad), Resolved::Bad, "{bad}");
        }
    }

    #[test]
    fn content_types_are_what_the_preview_always_sent() {
        for (file, expected) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.htm", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.mjs", "text/javascript; charset=utf-8"),
            ("a.json", "application/json"),
            ("sitemap.xml", "application/xml; charset=utf-8"),
            ("a.txt", "text/plain; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.png", "image/png"),
            ("a.jpg", "image/jpeg"),
            ("a.jpeg", "image/jpeg"),
            ("a.gif", "image/gif"),
            ("a.webp", "image/webp"),
            ("favicon.ico", "image/x-icon"),
            ("a.pdf", "application/pdf"),
            ("a.woff2", "font/woff2"),
            ("a.wasm", "application/wasm"),
            ("CNAME", "application/octet-stream"),
            ("a.unknown-extension", "application/octet-stream"),
            // Types the old table did not know, now named.
            ("a.csv", "text/csv; charset=utf-8"),
        ] {
            assert_eq!(content_type(Path::new(file)), expected, "{file}");
        }
    }
}
