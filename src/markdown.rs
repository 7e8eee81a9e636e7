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
//!
//! Editors are trusted but are not developers, and text is often pasted from
//! elsewhere, so markup that could run code in a reader's browser is refused
//! with a located error (see [`Guard`]): script-capable raw HTML, script URLs
//! in links and images, heading attributes other than `{#id .class}`, and a
//! comment or tag left open, which would hide the rest of the page.

mod safe_html;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

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
    /// The collection allows raw HTML as written (`raw_html = true` in site.toml).
    pub raw_html: bool,
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

/// A heading being read: level, id, classes, other attributes, and its events.
type HeldHeading<'a> = (
    HeadingLevel,
    Option<CowStr<'a>>,
    Vec<CowStr<'a>>,
    Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    Vec<Event<'a>>,
);

/// Renders `body`, which starts on line `body_line` of its file.
///
/// Broken links and unsafe markup are returned as diagnostics without a path;
/// the caller adds it.
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
    let mut used_ids = UsedIds::default();
    // A heading's events are held back until its text (and so its id) is known.
    let mut heading: Option<HeldHeading<'_>> = None;
    let mut in_internal_link = false;
    let mut paragraph_depth = 0usize;
    let mut first_paragraph_done = false;
    let mut image_depth = 0usize;

    let parser = Parser::new_ext(body, options()).into_offset_iter();
    let mut guard = Guard::new(body, ctx.raw_html);
    let mut unsafe_markup = guard.reference_definitions(parser.reference_definitions());
    for (event, range) in parser {
        guard.check(&event, range.clone(), &mut unsafe_markup);
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

    problems.extend(
        unsafe_markup
            .into_iter()
            .map(|(offset, d)| d.with_position(line_of(offset), col_of(offset))),
    );
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

/// Problems found by [`Guard`], at byte offsets of the body.
type Located = Vec<(usize, Diagnostic)>;

/// Watches the parser's events for markup that may not be published.
struct Guard<'a> {
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
    fn new(body: &'a str, raw_html: bool) -> Self {
        Guard {
            body,
            raw_html,
            block: String::new(),
            block_lines: Vec::new(),
        }
    }

    /// Reference definitions are checked where they are written, once, not at
    /// each link that uses them (a definition nothing uses is refused too).
    fn reference_definitions(&self, defs: &pulldown_cmark::RefDefs<'_>) -> Located {
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

    fn check(&mut self, event: &Event<'_>, range: Range<usize>, found: &mut Located) {
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
fn script_url(url: &str) -> Option<String> {
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

/// The ids given to a document's headings so far.
#[derive(Default)]
struct UsedIds {
    used: HashSet<String>,
    /// For each base that has been taken, the suffix to try next: every
    /// smaller one is taken, so counting from 1 again each time (quadratic
    /// for a page of identical headings) finds the same id.
    next: HashMap<String, usize>,
}

fn unique_id(base: String, ids: &mut UsedIds) -> String {
    let base = if base.is_empty() {
        "section".to_string()
    } else {
        base
    };
    if ids.used.insert(base.clone()) {
        return base;
    }
    let next = ids.next.entry(base.clone()).or_insert(1);
    loop {
        let candidate = format!("{base}-{next}");
        *next += 1;
        if ids.used.insert(candidate.clone()) {
            return candidate;
        }
    }
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
            raw_html: false,
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

    fn render_raw(body: &str, raw_html: bool) -> (Rendered, Vec<Diagnostic>) {
        let lookup = |_: &Path| None;
        let all = Vec::new;
        let ctx = LinkContext {
            file: Path::new("guides/a.md"),
            lookup: &lookup,
            all_paths: &all,
            up: String::new(),
            raw_html,
        };
        render(body, 5, &ctx)
    }

    /// Line, column and code of each problem in `body` (which starts on line 5).
    fn problems(body: &str) -> Vec<(usize, usize, &'static str)> {
        render_raw(body, false)
            .1
            .iter()
            .map(|d| (d.line, d.column, d.code))
            .collect()
    }

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
        assert!(r.html.contains("<kbd>Ctrl</kbd>"), "{}", r.html);
        assert!(
            r.html.contains(
                "<details>\n<summary>More</summary>\n<p>Hidden <em>text</em>.</p>\n</details>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("<!-- a note -->"));
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
        assert!(r.html.contains("<script>track()</script>"));
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
            r.html.contains("<h1 id=\"top\" class=\"wide\">Fine</h1>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn unique_ids_skip_ids_already_taken() {
        let (r, _) = render_in(
            "guides/a.md",
            "# A\n\n# A-2\n\n# A\n\n# A\n\n# A {#a-4}\n\n# A\n",
        );
        let ids: Vec<_> = r.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a", "a-2", "a-1", "a-3", "a-4", "a-5"]);
    }

    /// 50,000 identical headings took minutes when each new id counted from 1.
    #[test]
    fn many_identical_headings_stay_linear() {
        let body = "## Same\n\n".repeat(50_000);
        let start = std::time::Instant::now();
        let (r, _) = render_raw(&body, false);
        assert_eq!(r.toc.len(), 50_000);
        assert_eq!(r.toc[49_999].id, "same-49999");
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
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

    #[test]
    fn raw_nul_cannot_forge_a_marker() {
        let (r, _) = render_in("guides/a.md", "a\0b <a href=\"\x001\0\">x</a>");
        assert!(!r.html.contains('\0'));
    }
}
