//! Every URL and output path hubgen makes, in one place: a document's URL
//! from its collection's permalink, a collection's list, the pages of a
//! list, a redirect's path and the file a URL is written to. Every stage that needs one imports it from here.

use crate::config::Collection;
use crate::text::Date;

/// A document's URL path below a target's base (no leading `/`), from its
/// collection's permalink `pattern`; `None` when the pattern uses the date
/// (`{year}`, `{month}`, `{day}`) and the document has none.
pub fn document_url(pattern: &str, slug: &str, date: Option<Date>) -> Option<String> {
    let url = pattern.trim_start_matches('/').replace("{slug}", slug);
    if !(url.contains("{year}") || url.contains("{month}") || url.contains("{day}")) {
        return Some(url);
    }
    let date = date?;
    Some(
        url.replace("{year}", &format!("{:04}", date.year))
            .replace("{month}", &format!("{:02}", date.month))
            .replace("{day}", &format!("{:02}", date.day)),
    )
}

/// The URL path of a collection's list, below the base (`guides/`); empty when
/// its documents sit at the site's root (`/{slug}/`), which means it has no list.
pub fn section_url(c: &Collection) -> String {
    let before = c.permalink.split('{').next().unwrap_or_default();
    // The folders before the first placeholder: `/guides-{slug}/` has none.
    let folders = before.rfind('/').map_or("", |i| &before[..=i]);
    folders.trim_start_matches('/').to_string()
}

/// Whether a collection has a list page.
pub fn has_section(c: &Collection) -> bool {
    !section_url(c).is_empty()
}

/// The URL path of a collection's Atom feed, below the base
/// (`guides/feed.xml`), beside its list; `None` for a collection with no
/// list, or kept from readers (`search = false`, as the editors' pages are).
/// These collections are also the ones the site's own feed holds.
pub fn feed_url(c: &Collection) -> Option<String> {
    (has_section(c) && c.search).then(|| format!("{}feed.xml", section_url(c)))
}

/// The URL of page `page` (0-based) of a list at `base`.
pub fn paged(base: &str, page: usize) -> String {
    if page == 0 {
        base.to_string()
    } else {
        format!("{base}page/{}/", page + 1)
    }
}

/// The output file of a URL below the base: `guides/x/` → `guides/x/index.html`.
pub fn file_of(url: &str) -> String {
    if url.is_empty() || url.ends_with('/') {
        format!("{url}index.html")
    } else {
        url.to_string()
    }
}

/// `/old/name/` or `/old/name.html` → the output path below the base (`old/name/`);
/// `None` for anything that is not a plain path.
// An address's path is case-sensitive: `/old/name.HTML` is a folder, as written.
#[allow(clippy::case_sensitive_file_extension_comparisons)]
pub fn alias_path(alias: &str) -> Option<String> {
    let trimmed = alias.trim().trim_start_matches('/');
    let inner = trimmed.strip_suffix('/').unwrap_or(trimmed);
    let ok = !trimmed.is_empty()
        && !alias.contains("://")
        && inner
            .split('/')
            .all(|seg| !seg.trim().is_empty() && seg != ".." && seg != "." && seg.trim() == seg)
        && !trimmed.contains(['\\', '?', '#'])
        && !trimmed.chars().any(char::is_control);
    if !ok {
        return None;
    }
    if trimmed.ends_with(".html") || trimmed.ends_with('/') {
        Some(trimmed.to_string())
    } else {
        Some(format!("{trimmed}/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_paths() {
        assert_eq!(alias_path("/old/name/").as_deref(), Some("old/name/"));
        assert_eq!(alias_path("/old/name").as_deref(), Some("old/name/"));
        assert_eq!(alias_path("/old.html").as_deref(), Some("old.html"));
        assert_eq!(alias_path("/../etc/"), None);
        assert_eq!(alias_path("https://example.org/x/"), None);
        assert_eq!(alias_path("/"), None);
    }
}
