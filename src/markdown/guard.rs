//! The guard: markup an editor may not publish, found while the document is
//! parsed. Raw HTML is judged by [`safe_html`]; links and images whose
//! address runs code, and heading attributes other than an id and classes,
//! are judged here.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::safe_html;
use crate::diagnostics::Diagnostic;

/// Problems found by [`Guard`], at byte offsets of the body.
pub(super) type Located = Vec<(usize, Diagnostic)>;

/// Watches the parser's events for markup that may not be published.
pub(super) struct Guard<'a> {
    body: &'a str,
    raw_html: bool,
    /// The HTML block being read: its text, and where each of its lines
    /// starts in the block and in the body (container markers such as `> `
    /// are not part of the block's text).
    block: String,
    block_lines: Vec<(usize, usize)>,
}

const RAW_HTML_HINT: &str =
    "if this collection really needs raw HTML, set `raw_html = true` for it in site.toml";

impl<'a> Guard<'a> {
    pub(super) fn new(body: &'a str, raw_html: bool) -> Self {
        Guard {
            body,
            raw_html,
            block: String::new(),
            block_lines: Vec::new(),
        }
    }

    /// Reference definitions are checked where they are written, once, not at
    /// each link that uses them (a definition nothing uses is refused too).
    pub(super) fn reference_definitions(&self, defs: &pulldown_cmark::RefDefs<'_>) -> Located {
        let mut found: Located = defs
            .iter()
            .filter_map(|(_, def)| {
                let d = script_link(&def.dest, false)?;
                Some((self.find_in(def.span.clone(), &def.dest), d))
            })
            .collect();
        found.sort_by_key(|(offset, _)| *offset);
        found
    }

    pub(super) fn check(&mut self, event: &Event<'_>, range: Range<usize>, found: &mut Located) {
        match event {
            Event::Start(Tag::HtmlBlock) => {
                self.block.clear();
                self.block_lines.clear();
            }
            Event::Html(text) => {
                self.block_lines.push((self.block.len(), range.start));
                self.block.push_str(text);
            }
            Event::End(TagEnd::HtmlBlock) => {
                for f in safe_html::check(&self.block, self.raw_html) {
                    let line = self.block_lines.partition_point(|&(s, _)| s <= f.offset);
                    let offset = match line.checked_sub(1).map(|l| self.block_lines[l]) {
                        Some((start, source)) => source + f.offset - start,
                        None => range.start,
                    };
                    found.push((offset, html_problem(f.problem)));
                }
            }
            Event::InlineHtml(text) => {
                for f in safe_html::check(text, self.raw_html) {
                    found.push((range.start + f.offset, html_problem(f.problem)));
                }
            }
            Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) if !is_reference(*link_type) => {
                let image = matches!(event, Event::Start(Tag::Image { .. }));
                if let Some(d) = script_link(dest_url, image) {
                    found.push((self.find_in(range, dest_url), d));
                }
            }
            Event::Start(Tag::Heading { attrs, .. }) if !attrs.is_empty() => {
                let offset = self.body[range.clone()]
                    .rfind('{')
                    .map_or(range.start, |i| range.start + i);
                let written: Vec<String> = attrs
                    .iter()
                    .map(|(k, v)| match v {
                        Some(v) => format!("{k}={v}"),
                        None => k.to_string(),
                    })
                    .collect();
                found.push((
                    offset,
                    Diagnostic::error(
                        "heading-attribute",
                        format!(
                            "a heading may only have an id and classes, like {{#id .class}}, not `{}`",
                            written.join(" ")
                        ),
                    )
                    .with_hint("remove it from the braces after the heading"),
                ));
            }
            _ => {}
        }
    }

    /// The offset of `needle` within `range` of the body, or of the range.
    fn find_in(&self, range: Range<usize>, needle: &str) -> usize {
        self.body
            .get(range.clone())
            .and_then(|text| text.find(needle))
            .map_or(range.start, |i| range.start + i)
    }
}

fn is_reference(link_type: LinkType) -> bool {
    matches!(
        link_type,
        LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
    )
}

/// The error for a link or image whose address runs code.
fn script_link(dest: &str, image: bool) -> Option<Diagnostic> {
    let scheme = script_url(dest)?;
    let what = if image { "image" } else { "link" };
    let message = if scheme == "data" {
        format!("this {what}'s address is a `data:` URL that is not an image, and could carry a page that runs code")
    } else {
        format!("this {what}'s address starts with `{scheme}:`, which runs code instead of opening a page")
    };
    Some(Diagnostic::error("unsafe-link", message).with_hint(
        "use an address that starts with https://, or a path to a page or file of the site",
    ))
}

/// The scheme of a URL that runs code, or can carry a page that does, as a
/// browser reads it: `javascript:`, `vbscript:`, and `data:` other than a
/// raster image. Browsers ignore spaces and control characters around a URL
/// and tabs and newlines inside it, so `java&#9;script:` counts too.
pub(super) fn script_url(url: &str) -> Option<String> {
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, rest) = url.split_once(':')?;
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !is_scheme {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    match scheme.as_str() {
        "javascript" | "vbscript" | "livescript" => Some(scheme),
        "data" => {
            let media = rest.trim_start().to_ascii_lowercase();
            let raster = ["png", "gif", "jpeg", "jpg", "webp", "avif", "bmp"]
                .iter()
                .any(|kind| {
                    media
                        .strip_prefix("image/")
                        .and_then(|m| m.strip_prefix(kind))
                        .is_some_and(|after| after.starts_with([';', ',']))
                });
            (!raster).then_some(scheme)
        }
        _ => None,
    }
}

/// The error for raw HTML that may not be published.
fn html_problem(problem: safe_html::Problem) -> Diagnostic {
    use safe_html::Problem;
    const ACTIVE: &[&str] = &[
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
        "button", "textarea", "select", "style", "link", "meta", "base", "svg", "math", "template",
        "noscript",
    ];
    let allowed =
        "allowed HTML includes <abbr>, <sup>, <sub>, <br>, <kbd>, <details>/<summary> and tables";
    match problem {
        Problem::Element(name) if name == "script" => Diagnostic::error(
            "unsafe-html",
            "`<script>` runs code in readers' browsers, so it cannot be published",
        )
        .with_hint(format!("remove the script; {RAW_HTML_HINT}")),
        Problem::Element(name) if ACTIVE.contains(&name.as_str()) => Diagnostic::error(
            "unsafe-html",
            format!("`<{name}>` can run code or change how the page behaves, so it cannot be published"),
        )
        .with_hint(format!("remove the `<{name}>`; {RAW_HTML_HINT}")),
        Problem::Element(name) => Diagnostic::error(
            "unsafe-html",
            format!("`<{name}>` is not among the HTML a page may contain"),
        )
        .with_hint(format!(
            "remove it, or write `\\<` if you meant the character `<`; {allowed}; {RAW_HTML_HINT}"
        )),
        Problem::Attribute { element, name, .. } if name.starts_with("on") => Diagnostic::error(
            "unsafe-html",
            format!("the `{name}` attribute runs code in readers' browsers, so it cannot be published"),
        )
        .with_hint(format!("remove `{name}=…` from the `<{element}>`; {RAW_HTML_HINT}")),
        Problem::Attribute {
            element,
            name,
            value,
        } => match script_url(&value) {
            Some(scheme) => Diagnostic::error(
                "unsafe-html",
                format!("`{name}` of this `<{element}>` starts with `{scheme}:`, which runs code instead of opening a page"),
            )
            .with_hint(format!(
                "use an address that starts with https://, or a path to a page or file of the site; {RAW_HTML_HINT}"
            )),
            None => Diagnostic::error(
                "unsafe-html",
                format!("the `{name}` attribute of `<{element}>` is not among the HTML a page may contain"),
            )
            .with_hint(format!("remove `{name}=…`; {RAW_HTML_HINT}")),
        },
        Problem::UnclosedComment => Diagnostic::error(
            "unclosed-html",
            "this `<!--` comment is never closed, so it would hide the rest of the page",
        )
        .with_hint("end the comment with `-->`, or remove the `<!--`"),
        Problem::UnclosedTag => Diagnostic::error(
            "unclosed-html",
            "this HTML tag is never closed with `>`, so it would swallow what follows it",
        )
        .with_hint("close the tag with `>` (check for a missing quote), or remove it"),
        Problem::Other => Diagnostic::error(
            "unsafe-html",
            "this HTML holds markup that a page may not contain",
        )
        .with_hint(format!("write it in Markdown, or remove it; {allowed}; {RAW_HTML_HINT}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::{problems, render_raw};

    #[test]
    fn script_capable_raw_html_is_refused_where_it_is() {
        assert_eq!(
            problems("Text.\n\nSome <script>alert(1)</script> here.\n"),
            [(7, 6, "unsafe-html")]
        );
        assert_eq!(
            problems("<div>\n<iframe src=\"https://x.org/\"></iframe>\n</div>\n"),
            [(6, 1, "unsafe-html")]
        );
        // Inside a block quote the `> ` is not part of the HTML, but counts for the column.
        assert_eq!(
            problems("> <p>\n> <img src=x.png onerror=\"alert(1)\">\n"),
            [(6, 18, "unsafe-html")]
        );
        let (_, errs) = render_raw("<style>body{}</style>\n", false);
        assert!(errs[0].message.contains("`<style>`"), "{errs:?}");
        assert!(errs[0].hint.as_deref().unwrap().contains("raw_html = true"));
    }

    #[test]
    fn safe_raw_html_passes_as_written() {
        let body = "Press <kbd>Ctrl</kbd>, see <abbr title=\"Local Government Association\">LGA</abbr>, x<sup>2</sup><br>\n\n<details>\n<summary>More</summary>\n\nHidden *text*.\n\n</details>\n\n<!-- a note -->\n";
        let (r, errs) = render_raw(body, false);
        assert!(errs.is_empty(), "{errs:?}");
        assert!(
            r.html.unpack().contains("<kbd>Ctrl</kbd>"),
            "{}",
            r.html.unpack()
        );
        assert!(
            r.html.unpack().contains(
                "<details>\n<summary>More</summary>\n<p>Hidden <em>text</em>.</p>\n</details>"
            ),
            "{}",
            r.html.unpack()
        );
        assert!(r.html.unpack().contains("<!-- a note -->"));
    }

    #[test]
    fn an_unclosed_comment_is_refused() {
        assert_eq!(
            problems("Intro.\n\n<!-- draft\n\nThe rest of the page.\n"),
            [(7, 1, "unclosed-html")]
        );
    }

    #[test]
    fn raw_html_collections_publish_html_as_written() {
        let (r, errs) = render_raw("<script>track()</script>\n", true);
        assert!(errs.is_empty());
        assert!(r.html.unpack().contains("<script>track()</script>"));
        let (_, errs) = render_raw("<!-- hidden\n", true);
        assert_eq!(errs[0].code, "unclosed-html");
    }

    #[test]
    fn script_urls_in_links_and_images_are_refused() {
        assert_eq!(
            problems("See [x](javascript:alert(1)) and ![y](data:text/html,z).\n"),
            [(5, 9, "unsafe-link"), (5, 39, "unsafe-link")]
        );
        assert_eq!(problems("Go <vbscript:msgbox>.\n"), [(5, 5, "unsafe-link")]);
        // A definition is reported where it is written, once, used or not.
        assert_eq!(
            problems("[a][x], [x] and [x][].\n\n[x]: JavaScript:alert(1)\n[unused]: javascript:void(0)\n"),
            [(7, 6, "unsafe-link"), (8, 11, "unsafe-link")]
        );
        assert_eq!(
            problems("![chart](data:image/png;base64,iVBORw0KGgo=) [ok](https://x.org/) [mail](mailto:a@b.org)\n"),
            []
        );
    }

    #[test]
    fn what_a_browser_reads_as_a_script_url() {
        for url in [
            "javascript:x",
            " JAVASCRIPT:x",
            "java\tscript:x",
            "\u{1}javascript:x",
            "vbscript:x",
            "data:text/html,x",
            "data:image/svg+xml,x",
            "data:,x",
        ] {
            assert!(script_url(url).is_some(), "{url:?}");
        }
        for url in [
            "https://x.org/javascript:",
            "javascript",
            "./javascript:x",
            "data:image/png;base64,x",
            "DATA:image/jpeg,x",
            "mailto:a@b.org",
            "#x",
            "",
        ] {
            assert_eq!(script_url(url), None, "{url:?}");
        }
    }

    #[test]
    fn heading_attributes_are_only_id_and_class() {
        assert_eq!(
            problems("# Fine {#top .wide}\n\n## Bad {onclick=alert(1)}\n"),
            [(7, 8, "heading-attribute")]
        );
        let (r, _) = render_raw("# Fine {#top .wide}\n", false);
        assert!(
            r.html
                .unpack()
                .contains("<h1 id=\"top\" class=\"wide\">Fine</h1>"),
            "{}",
            r.html.unpack()
        );
    }

    /// The raw-HTML and link checks never panic, whatever their input: every
    /// prefix of a body full of markup, and every position overwritten.
    #[test]
    fn mangled_markup_never_panics() {
        let body = "> <p>é\n> <img src=x onerror=\"y\">\n\n<!-- a\n\n# H {#i .c k=v}\n\n[a](javascript:x) <a href=\'java&#9;script:\'>b</a> <?x > ?>\n\n[r]: data:text/html,x\n";
        let mut variants: Vec<String> = (0..=body.len())
            .filter(|&end| body.is_char_boundary(end))
            .map(|end| body[..end].to_string())
            .collect();
        for (i, _) in body.char_indices() {
            for c in ['<', '>', '"', '\n', '{', '-', '!', 'é', '&'] {
                let mut v = body.to_string();
                let len = v[i..].chars().next().unwrap().len_utf8();
                v.replace_range(i..i + len, &c.to_string());
                variants.push(v);
            }
        }
        for v in variants {
            let _ = render_raw(&v, false);
        }
    }
}
