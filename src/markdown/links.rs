//! Links and paths: where a link in a content file points (another content
//! file, a file beside the content, or elsewhere), the markers of links
//! between documents and their resolution to URLs, and the problem reported
//! for a link to a file that does not exist.

use std::path::{Component, Path, PathBuf};

use super::{DocId, LinkContext};
use crate::diagnostics::{did_you_mean, Diagnostic};

/// What a link marker stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linked {
    /// A document.
    Doc(DocId),
    /// A collection's list page, by the collection's index in site.toml.
    List(usize),
    /// The page's `n`th link written as an address (see [`crate::site::Address`]).
    Address(usize),
}

/// Replaces every link marker in `html` with the URL `url_of` gives for what it stands for.
pub fn resolve_links(html: &str, mut url_of: impl FnMut(Linked) -> String) -> String {
    if !html.contains('\0') {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 256);
    let mut parts = html.split('\0');
    out.push_str(parts.next().unwrap_or_default());
    while let Some(id) = parts.next() {
        let linked = if let Some(list) = id.strip_prefix('c') {
            list.parse().map(Linked::List)
        } else if let Some(n) = id.strip_prefix('a') {
            n.parse().map(Linked::Address)
        } else {
            id.parse().map(Linked::Doc)
        };
        match linked {
            Ok(linked) => out.push_str(&url_of(linked)),
            Err(_) => out.push_str(id),
        }
        out.push_str(parts.next().unwrap_or_default());
    }
    out
}

pub(super) enum Dest<'a> {
    /// A link to a content file: path (relative, or from `content/` when it starts with `/`) and anchor.
    Content {
        path: &'a str,
        anchor: Option<&'a str>,
    },
    /// A relative link to a folder (`../opportunities/`): its path and anchor.
    Folder {
        path: &'a str,
        anchor: Option<&'a str>,
    },
    /// A relative link to any other file: its path, and what follows it (`?query#anchor`).
    Asset {
        path: &'a str,
        rest: &'a str,
    },
    Other,
}

// Links name files as written: only `.md` is a page (a `.MD` file is refused,
// see `load::is_markdown`), so a link to one is not a link to a page.
#[allow(clippy::case_sensitive_file_extension_comparisons)]
pub(super) fn classify(dest: &str) -> Dest<'_> {
    let has_scheme = dest.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if has_scheme || dest.starts_with("//") || dest.starts_with('#') {
        return Dest::Other;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a).filter(|a| !a.is_empty())),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    if path.ends_with(".md") {
        Dest::Content { path, anchor }
    } else if path.ends_with('/') && !path.starts_with('/') {
        Dest::Folder { path, anchor }
    } else if !path.is_empty() && !path.starts_with('/') {
        Dest::Asset {
            path,
            rest: &dest[path.len()..],
        }
    } else {
        Dest::Other
    }
}

/// The address below a target's base that `dest` names, when it is an
/// address on one of `bases` (see [`super::LinkContext::bases`]) of a page
/// or list (ending in `/` or `.html`, or without an extension), and what
/// follows it (`#part`).
pub(super) fn site_address<'d>(dest: &'d str, bases: &[String]) -> Option<(String, &'d str)> {
    if dest.starts_with("//") {
        return None;
    }
    let end = dest.find(['#', '?']).unwrap_or(dest.len());
    let (address, rest) = dest.split_at(end);
    let below = bases
        .iter()
        .find_map(|b| address.strip_prefix(b.as_str()))?;
    let last = below.rsplit('/').next().unwrap_or_default();
    let html = std::path::Path::new(last)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html"));
    let page = below.is_empty() || below.ends_with('/') || html || !last.contains('.');
    page.then(|| {
        let below = if below.is_empty() || below.ends_with('/') || html {
            below.to_string()
        } else {
            format!("{below}/")
        };
        (below, rest)
    })
}

/// A relative link to a file beside the content (an image, a PDF), rewritten
/// relative to the page's own URL so that it reaches the copy `build` puts at
/// the file's path below the site root.
pub(super) fn asset_url(ctx: &LinkContext<'_>, path: &str, rest: &str) -> Option<String> {
    let resolved = resolve_path(ctx.file, path)?;
    Some(format!(
        "{}{}{rest}",
        ctx.up,
        resolved.to_string_lossy().replace('\\', "/")
    ))
}

/// The content-relative path a link from `from` (content-relative) points at;
/// `None` when it climbs out of `content/`.
pub fn resolve_path(from: &Path, link: &str) -> Option<PathBuf> {
    let joined = match link.strip_prefix('/') {
        Some(rooted) => PathBuf::from(rooted),
        None => from.parent().unwrap_or(Path::new("")).join(link),
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

pub(super) fn broken_link(
    dest: &str,
    resolved: Option<&Path>,
    ctx: &LinkContext<'_>,
) -> Diagnostic {
    let Some(resolved) = resolved else {
        return Diagnostic::error(
            "broken-link",
            format!("link to \"{dest}\" goes outside content/"),
        )
        .with_hint("link to content files with paths relative to this file, like ../guides/x.md");
    };
    let wanted = resolved.to_string_lossy().replace('\\', "/");
    let d = Diagnostic::error(
        "broken-link",
        format!("link to \"{dest}\", but content/{wanted} does not exist"),
    );
    let all = (ctx.all_paths)();
    match did_you_mean(&wanted, all.iter().map(String::as_str)) {
        Some(m) => {
            let rel = relative_link(ctx.file, Path::new(m));
            d.with_hint(format!("did you mean \"{rel}\" (content/{m})?"))
        }
        None => d.with_hint("check the file name, or remove the link"),
    }
}

/// The relative link from content file `from` to content file `to`.
pub fn relative_link(from: &Path, to: &Path) -> String {
    let from_dir: Vec<_> = from
        .parent()
        .map(|p| p.components().collect())
        .unwrap_or_default();
    let to_parts: Vec<_> = to.components().collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".into(); from_dir.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::render_in;
    use crate::markdown::{up_from, Link};

    #[test]
    fn content_links_become_markers_and_resolve() {
        let (r, errs) = render_in("guides/a.md", "See [the workstream](../workstreams/procurement.md#aims \"T\") and [web](https://example.org/x.md).\n");
        assert!(errs.is_empty());
        assert_eq!(
            r.links,
            vec![Link {
                doc: 1,
                anchor: Some("aims".into()),
                line: 5,
                column: 5
            }]
        );
        let html = resolve_links(&r.html.unpack(), |d| match d {
            Linked::Doc(d) => format!("/w/{d}/"),
            Linked::List(c) => format!("/list/{c}/"),
            Linked::Address(n) => format!("/address/{n}/"),
        });
        assert!(
            html.contains("<a href=\"/w/1/#aims\" title=\"T\">the workstream</a>"),
            "{html}"
        );
        assert!(html.contains("href=\"https://example.org/x.md\""));
    }

    #[test]
    fn broken_link_names_line_column_and_suggestion() {
        let (_, errs) = render_in(
            "guides/a.md",
            "Text.\n\nSee [x](../workstreams/procurment.md).\n",
        );
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].column), (7, 5));
        assert!(errs[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("../workstreams/procurement.md"));
        let (_, errs) = render_in("guides/a.md", "[x](../../../etc/passwd.md)");
        assert!(errs[0].message.contains("outside content/"));
    }

    #[test]
    fn relative_assets_are_rewritten_from_the_page_url() {
        let (r, _) = render_in("guides/a.md", "![Chart](img/chart.png) [PDF](../files/report.pdf#page=2) [web](https://x.org/a.pdf) [root](/x.pdf)\n");
        assert!(
            r.html
                .unpack()
                .contains("src=\"../../guides/img/chart.png\""),
            "{}",
            r.html.unpack()
        );
        assert!(
            r.html
                .unpack()
                .contains("href=\"../../files/report.pdf#page=2\""),
            "{}",
            r.html.unpack()
        );
        assert!(r.html.unpack().contains("href=\"https://x.org/a.pdf\""));
        assert!(r.html.unpack().contains("href=\"/x.pdf\""));
        assert_eq!(
            r.images[0].dest, "img/chart.png",
            "check sees what the editor wrote"
        );
        assert_eq!(up_from(""), "");
        assert_eq!(up_from("about/"), "../");
    }

    #[test]
    fn relative_links_between_files() {
        assert_eq!(
            relative_link(Path::new("guides/a.md"), Path::new("workstreams/b.md")),
            "../workstreams/b.md"
        );
        assert_eq!(
            relative_link(Path::new("guides/a.md"), Path::new("guides/c.md")),
            "c.md"
        );
        assert_eq!(
            resolve_path(Path::new("guides/a.md"), "/workstreams/b.md").unwrap(),
            Path::new("workstreams/b.md")
        );
    }
}
