//! Markdown to HTML, once per document for every target.
//!
//! pulldown-cmark does the parsing. On the way through, this module gives every
//! heading a unique id and collects the table of contents, gathers plain text
//! for summaries and the search index, and resolves links between content
//! files (`../guides/x.md#part`). A resolved link is written as a marker
//! holding the target document's id — `\0{id}\0` — which [`resolve_links`]
//! replaces with each target's URL. NUL can never come from Markdown source
//! (CommonMark replaces it with U+FFFD), so the markers cannot collide with
//! anything an editor wrote.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::text::slugify;

/// Index of a document in the site model.
pub type DocId = usize;

/// A heading, as listed in the table of contents.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A link from one content file to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub doc: DocId,
    pub anchor: Option<String>,
    /// 1-based line in the source file.
    pub line: usize,
}

/// An image in a document's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub dest: String,
    pub alt: String,
    /// 1-based line and column in the source file.
    pub line: usize,
    pub column: usize,
}

/// What rendering a document's body produces.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// HTML with link markers; see [`resolve_links`].
    pub html: String,
    pub toc: Vec<Heading>,
    /// The text alone, blocks separated by newlines.
    pub plain: String,
    /// The plain text of the first paragraph.
    pub first_paragraph: String,
    pub links: Vec<Link>,
    pub images: Vec<Image>,
    pub word_count: usize,
}

/// Where a document sits, for resolving its relative links.
pub struct LinkContext<'a> {
    /// The file's path relative to `content/`.
    pub file: &'a Path,
    /// Finds the document for a path relative to `content/`.
    pub lookup: &'a (dyn Fn(&Path) -> Option<DocId> + Sync),
    /// Every content path, for suggestions when a link is broken.
    pub all_paths: &'a (dyn Fn() -> Vec<String> + Sync),
    /// From the page's URL back to the site root: `../../` for `guides/x/`.
    pub up: String,
}

/// The relative path from a page at `url` (below the base, e.g. `guides/x/`) to the base.
pub fn up_from(url: &str) -> String {
    "../".repeat(url.split('/').filter(|s| !s.is_empty()).count())
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `body`, which starts on line `body_line` of its file.
///
/// Broken links are returned as diagnostics without a path; the caller adds it.
pub fn render(body: &str, body_line: usize, ctx: &LinkContext<'_>) -> (Rendered, Vec<Diagnostic>) {
    // NUL is reserved for link markers; a space keeps every byte offset (and so every line number) in place.
    let cleaned;
    let body = if body.contains('\0') {
        cleaned = body.replace('\0', " ");
        cleaned.as_str()
    } else {
        body
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| body_line + line_starts.partition_point(|&s| s <= offset) - 1;
    let col_of = |offset: usize| {
        let start = line_starts[line_starts.partition_point(|&s| s <= offset) - 1];
        body[start..offset].chars().count() + 1
    };

    let mut out = Rendered::default();
    let mut problems = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut used_ids = HashSet::new();
    // A heading's events are held back until its text (and so its id) is known.
    let mut heading: Option<(
        HeadingLevel,
        Option<CowStr<'_>>,
        Vec<CowStr<'_>>,
        Vec<(CowStr<'_>, Option<CowStr<'_>>)>,
        Vec<Event<'_>>,
    )> = None;
    let mut in_internal_link = false;
    let mut paragraph_depth = 0usize;
    let mut first_paragraph_done = false;
    let mut image_depth = 0usize;

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        // Images, with their alt text, for `hubgen check`.
        match &event {
            Event::Start(Tag::Image { dest_url, .. }) => out.images.push(Image {
                dest: dest_url.to_string(),
                alt: String::new(),
                line: line_of(range.start),
                column: col_of(range.start),
            }),
            Event::Text(t) | Event::Code(t) if image_depth > 0 => {
                if let Some(img) = out.images.last_mut() {
                    img.alt.push_str(t);
                }
            }
            _ => {}
        }
        match &event {
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth -= 1,
            _ => {}
        }
        // Plain text, for summaries and search.
        match &event {
            Event::Text(t) | Event::Code(t) => {
                out.plain.push_str(t);
                if paragraph_depth > 0 && !first_paragraph_done {
                    out.first_paragraph.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                out.plain.push(' ');
                if paragraph_depth > 0 && !first_paragraph_done {
                    out.first_paragraph.push(' ');
                }
            }
            Event::Start(Tag::Paragraph) => paragraph_depth += 1,
            Event::End(TagEnd::Paragraph) => {
                paragraph_depth -= 1;
                if !out.first_paragraph.trim().is_empty() {
                    first_paragraph_done = true;
                }
            }
            _ => {}
        }
        if let Event::End(
            TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::CodeBlock,
        ) = &event
        {
            out.plain.push('\n');
        }

        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match classify(&dest_url) {
                Dest::Content { path, anchor } => {
                    let resolved = resolve_path(ctx.file, path);
                    match resolved.as_deref().and_then(|p| (ctx.lookup)(p)) {
                        Some(doc) => {
                            let mut html = format!("<a href=\"\0{doc}\0");
                            if let Some(a) = anchor {
                                html.push('#');
                                html.push_str(&escape_attr(a));
                            }
                            html.push('"');
                            if !title.is_empty() {
                                html.push_str(&format!(" title=\"{}\"", escape_attr(&title)));
                            }
                            html.push('>');
                            out.links.push(Link {
                                doc,
                                anchor: anchor.map(str::to_string),
                                line: line_of(range.start),
                            });
                            in_internal_link = true;
                            Event::InlineHtml(html.into())
                        }
                        None => {
                            problems.push(
                                broken_link(&dest_url, resolved.as_deref(), ctx)
                                    .with_position(line_of(range.start), col_of(range.start)),
                            );
                            Event::Start(Tag::Link {
                                link_type,
                                dest_url,
                                title,
                                id,
                            })
                        }
                    }
                }
                Dest::Asset { path, rest } => Event::Start(Tag::Link {
                    link_type,
                    dest_url: asset_url(ctx, path, rest).map_or(dest_url.clone(), CowStr::from),
                    title,
                    id,
                }),
                Dest::Other => Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }),
            },
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match classify(&dest_url) {
                    Dest::Asset { path, rest } => {
                        asset_url(ctx, path, rest).map_or(dest_url.clone(), CowStr::from)
                    }
                    _ => dest_url,
                };
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            // A task's checkbox gets a name, as every form control must.
            Event::TaskListMarker(done) => Event::InlineHtml(
                if done {
                    "<input type=\"checkbox\" disabled checked aria-label=\"Done\"> "
                } else {
                    "<input type=\"checkbox\" disabled aria-label=\"Not done\"> "
                }
                .into(),
            ),
            Event::End(TagEnd::Link) if in_internal_link => {
                in_internal_link = false;
                Event::InlineHtml("</a>".into())
            }
            other => other,
        };

        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                heading = Some((level, id, classes, attrs, Vec::new()));
            }
            Event::End(TagEnd::Heading(level)) => {
                let Some((_, id, classes, attrs, inner)) = heading.take() else {
                    continue;
                };
                let title: String = inner
                    .iter()
                    .filter_map(|e| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                let id = unique_id(
                    id.map(|i| i.to_string()).unwrap_or_else(|| slugify(&title)),
                    &mut used_ids,
                );
                out.toc.push(Heading {
                    level: level as u8,
                    id: id.clone(),
                    title: title.trim().to_string(),
                });
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(id.into()),
                    classes,
                    attrs,
                }));
                events.extend(inner);
                events.push(Event::End(TagEnd::Heading(level)));
            }
            e => match &mut heading {
                Some((.., inner)) => inner.push(e),
                None => events.push(e),
            },
        }
    }

    out.html.reserve(body.len() + body.len() / 4);
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    // Documents are kept for the whole build: hold no spare capacity.
    out.html.shrink_to_fit();
    out.word_count = out.plain.split_whitespace().count();
    out.plain = out.plain.trim().to_string();
    out.first_paragraph = out
        .first_paragraph
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (out, problems)
}

/// Replaces every link marker in `html` with the URL `url_of` gives for its document.
pub fn resolve_links(html: &str, mut url_of: impl FnMut(DocId) -> String) -> String {
    if !html.contains('\0') {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 256);
    let mut parts = html.split('\0');
    out.push_str(parts.next().unwrap_or_default());
    while let Some(id) = parts.next() {
        match id.parse::<DocId>() {
            Ok(doc) => out.push_str(&url_of(doc)),
            Err(_) => out.push_str(id),
        }
        out.push_str(parts.next().unwrap_or_default());
    }
    out
}

enum Dest<'a> {
    /// A link to a content file: path (relative, or from `content/` when it starts with `/`) and anchor.
    Content {
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

fn classify(dest: &str) -> Dest<'_> {
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
    } else if !path.is_empty() && !path.starts_with('/') {
        Dest::Asset {
            path,
            rest: &dest[path.len()..],
        }
    } else {
        Dest::Other
    }
}

/// A relative link to a file beside the content (an image, a PDF), rewritten
/// relative to the page's own URL so that it reaches the copy `build` puts at
/// the file's path below the site root.
fn asset_url(ctx: &LinkContext<'_>, path: &str, rest: &str) -> Option<String> {
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

fn broken_link(dest: &str, resolved: Option<&Path>, ctx: &LinkContext<'_>) -> Diagnostic {
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

fn unique_id(base: String, used: &mut HashSet<String>) -> String {
    let base = if base.is_empty() {
        "section".to_string()
    } else {
        base
    };
    if used.insert(base.clone()) {
        return base;
    }
    (1..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| used.insert(candidate.clone()))
        .expect("an unused id")
}

/// The text of HTML that this module rendered: tags dropped (block-level ones
/// leave a line break, so words on either side stay apart), the entities it
/// writes decoded. Search indexes documents from this rather than keeping a
/// second copy of every document's text in memory.
pub fn html_text(html: &str) -> String {
    const BLOCKS: &[&str] = &[
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "td",
        "th",
        "tr",
        "table",
        "thead",
        "tbody",
        "br",
        "hr",
        "div",
        "pre",
        "blockquote",
        "dt",
        "dd",
        "dl",
        "section",
        "sup",
        "figure",
        "figcaption",
    ];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_decoded(&mut out, &rest[..lt]);
        let tag = &rest[lt + 1..];
        // The end of the tag: the first `>` outside a quoted attribute value.
        let mut quote = None;
        let mut end = tag.len();
        for (i, c) in tag.char_indices() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if BLOCKS.contains(&name.to_ascii_lowercase().as_str()) {
            out.push('\n');
        }
        rest = tag.get(end + 1..).unwrap_or("");
    }
    push_decoded(&mut out, rest);
    out
}

fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let entity = after.find(';').filter(|&i| i <= 10).map(|i| &after[..i]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => {
                let n = e
                    .strip_prefix("#x")
                    .or_else(|| e.strip_prefix("#X"))
                    .map(|h| u32::from_str_radix(h, 16));
                let n = n.or_else(|| e.strip_prefix('#').map(str::parse::<u32>));
                n.and_then(Result::ok).and_then(char::from_u32)
            }
        });
        match (entity, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e.len() + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Escapes text for an HTML attribute value or element content.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_in(file: &str, body: &str) -> (Rendered, Vec<Diagnostic>) {
        let known = ["guides/a.md", "workstreams/procurement.md"];
        let lookup = |p: &Path| known.iter().position(|k| Path::new(k) == p);
        let all = || known.iter().map(|s| s.to_string()).collect();
        let ctx = LinkContext {
            file: Path::new(file),
            lookup: &lookup,
            all_paths: &all,
            up: up_from("guides/a/"),
        };
        render(body, 5, &ctx)
    }

    #[test]
    fn headings_get_unique_ids_and_toc() {
        let (r, _) = render_in(
            "guides/a.md",
            "# Intro\n\n## Intro\n\n## Custom {#mine}\n\n### `Code` bit\n",
        );
        let ids: Vec<_> = r.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["intro", "intro-1", "mine", "code-bit"]);
        assert!(
            r.html.contains("<h2 id=\"intro-1\">Intro</h2>"),
            "{}",
            r.html
        );
        assert_eq!(r.toc[3].level, 3);
    }

    #[test]
    fn extensions_are_on() {
        let (r, _) = render_in(
            "guides/a.md",
            "|a|b|\n|-|-|\n|1|2|\n\n~~gone~~\n\n- [x] done\n\nNote[^1]\n\n[^1]: A footnote.\n",
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>gone</del>"));
        assert!(r.html.contains("type=\"checkbox\""));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn content_links_become_markers_and_resolve() {
        let (r, errs) = render_in("guides/a.md", "See [the workstream](../workstreams/procurement.md#aims \"T\") and [web](https://example.org/x.md).\n");
        assert!(errs.is_empty());
        assert_eq!(
            r.links,
            vec![Link {
                doc: 1,
                anchor: Some("aims".into()),
                line: 5
            }]
        );
        let html = resolve_links(&r.html, |d| format!("/w/{d}/"));
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
            r.html.contains("src=\"../../guides/img/chart.png\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("href=\"../../files/report.pdf#page=2\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"https://x.org/a.pdf\""));
        assert!(r.html.contains("href=\"/x.pdf\""));
        assert_eq!(
            r.images[0].dest, "img/chart.png",
            "check sees what the editor wrote"
        );
        assert_eq!(up_from(""), "");
        assert_eq!(up_from("about/"), "../");
    }

    #[test]
    fn text_of_rendered_html() {
        let (r, _) = render_in("guides/a.md", "# Tea & *biscuits*\n\nFirst para with [a link](../workstreams/procurement.md \"T>\") and `<code>`.\n\n- one\n- two\n\n|a|b|\n|-|-|\n|1|2|\n");
        let text = html_text(&r.html);
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(words(&text), words(&r.plain), "{text:?}");
        assert_eq!(html_text("a&#39;b &#x41; &bogus; &"), "a'b A &bogus; &");
    }

    #[test]
    fn images_and_their_alt_text() {
        let (r, _) = render_in(
            "guides/a.md",
            "Text.\n\n![A *chart*](chart.png) and ![](x.png)\n",
        );
        assert_eq!(r.images.len(), 2);
        assert_eq!(
            (
                r.images[0].alt.as_str(),
                r.images[0].dest.as_str(),
                r.images[0].line
            ),
            ("A chart", "chart.png", 7)
        );
        assert_eq!(r.images[1].alt, "");
    }

    #[test]
    fn plain_text_and_first_paragraph() {
        let (r, _) = render_in(
            "guides/a.md",
            "# Title\n\nFirst *para*\ngoes on.\n\nSecond.\n",
        );
        assert_eq!(r.first_paragraph, "First para goes on.");
        assert_eq!(r.word_count, 6);
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

    #[test]
    fn raw_nul_cannot_forge_a_marker() {
        let (r, _) = render_in("guides/a.md", "a\0b <a href=\"\01\0\">x</a>");
        assert!(!r.html.contains('\0'));
    }
}
