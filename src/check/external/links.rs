//! The external links and images of a page, with where they are written.

use pulldown_cmark::{Event, Parser, Tag};

/// An address on another site, and where a page writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct External {
    /// The address as written.
    pub(super) url: String,
    /// 1-based line in the file.
    pub(super) line: usize,
    /// 1-based column, in characters.
    pub(super) column: usize,
}

/// Whether `dest` is an address this checker can ask for.
fn is_web(dest: &str) -> bool {
    let lower = dest.get(..8).unwrap_or(dest).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The `http(s)://` links and images in `source` (a whole content file).
pub(super) fn external_links(source: &str) -> Vec<External> {
    let Some((body, body_line)) = crate::frontmatter::body_of(source) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        let Event::Start(Tag::Link { dest_url: dest, .. } | Tag::Image { dest_url: dest, .. }) =
            &event
        else {
            continue;
        };
        if !is_web(dest) {
            continue;
        }
        let before = &body[..range.start];
        let line = body_line + before.matches('\n').count();
        let column = before.rsplit('\n').next().unwrap_or(before).chars().count() + 1;
        out.push(External {
            url: dest.to_string(),
            line,
            column,
        });
    }
    out
}

/// Whether `url` matches `pattern`: a prefix, or with `*` standing for any
/// run of characters.
pub(super) fn matches(pattern: &str, url: &str) -> bool {
    if !pattern.contains('*') {
        return url.starts_with(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some(mut rest) = url.strip_prefix(parts[0]) else {
        return false;
    };
    for (i, part) in parts.iter().enumerate().skip(1) {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_web_links_and_images_where_they_are_written() {
        let page = "---\ntitle: T\n---\n\nSee [the LGA](https://www.local.gov.uk/) and\n![A map](http://example.org/map.png), [a page](other.md), <https://example.org/a>.\n";
        let found: Vec<(String, usize, usize)> = external_links(page)
            .into_iter()
            .map(|e| (e.url, e.line, e.column))
            .collect();
        assert_eq!(
            found,
            [
                ("https://www.local.gov.uk/".to_string(), 5, 5),
                ("http://example.org/map.png".to_string(), 6, 1),
                ("https://example.org/a".to_string(), 6, 59),
            ]
        );
    }

    #[test]
    fn skip_patterns() {
        assert!(matches(
            "https://intranet.",
            "https://intranet.example.org/x"
        ));
        assert!(matches(
            "https://*.example.org/*",
            "https://a.example.org/b"
        ));
        assert!(!matches("https://*.example.org/*", "https://example.com/b"));
        assert!(matches("*.pdf", "https://x.org/a.pdf"));
        assert!(!matches("*.pdf", "https://x.org/a.pdf?x"));
    }
}
