//! The walk over one document's events, between the parser and the HTML
//! writer: it collects images with their alt text, plain text and the first
//! paragraph, and the table of contents; resolves links to content files and
//! to files beside them; names task checkboxes; and gives every heading a
//! unique id.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::components::{alert_close, alert_open, Disclosures};
use super::links::{asset_url, broken_link, classify, resolve_path, site_address, Dest};
use super::{escape_attr, Address, DocId, Heading, Image, Link, LinkContext, Positions, Rendered};
use crate::diagnostics::Diagnostic;
use crate::text::slugify;

/// A heading being read: level, id, classes, other attributes, and its events.
type HeldHeading<'a> = (
    HeadingLevel,
    Option<CowStr<'a>>,
    Vec<CowStr<'a>>,
    Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    Vec<Event<'a>>,
);

/// One document's walk: what it has collected so far, and where it is.
pub(super) struct Walk<'e, 'c> {
    ctx: &'c LinkContext<'c>,
    positions: &'c Positions<'e>,
    out: Rendered,
    /// Broken links, located.
    problems: Vec<Diagnostic>,
    /// The events to render, each heading with its id.
    events: Vec<Event<'e>>,
    used_ids: UsedIds,
    /// A heading's events are held back until its text (and so its id) is known.
    heading: Option<HeldHeading<'e>>,
    /// Inside a link to a content file, whose `</a>` is written here.
    in_internal_link: bool,
    paragraph_depth: usize,
    first_paragraph_done: bool,
    /// Inside a code block, whose text keeps its line breaks.
    in_code_block: bool,
    image_depth: usize,
    /// The heading disclosures (`{.details}`) open here.
    disclosures: Disclosures,
    /// The images whose size is known, by address.
    sized: Vec<super::images::Sized>,
}

impl<'e, 'c> Walk<'e, 'c> {
    pub(super) fn new(ctx: &'c LinkContext<'c>, positions: &'c Positions<'e>) -> Self {
        Walk {
            ctx,
            positions,
            out: Rendered::default(),
            problems: Vec::new(),
            events: Vec::new(),
            used_ids: UsedIds::default(),
            heading: None,
            in_internal_link: false,
            paragraph_depth: 0,
            first_paragraph_done: false,
            in_code_block: false,
            image_depth: 0,
            disclosures: Disclosures::default(),
            sized: Vec::new(),
        }
    }

    /// Takes the next event, read from `range` of the body.
    pub(super) fn event(&mut self, event: Event<'e>, range: Range<usize>) {
        if let Event::Start(Tag::FootnoteDefinition(label)) = &event {
            self.out.footnotes.push(label.to_string());
        }
        self.collect_image(&event, &range);
        self.collect_text(&event);
        // Tables and code blocks may be wider than the screen.
        let region = match &event {
            Event::Start(Tag::Table(_)) => Some(("table-scroll", "Table")),
            Event::Start(Tag::CodeBlock(_)) => Some(("code-scroll", "Example")),
            _ => None,
        };
        let closes = matches!(&event, Event::End(TagEnd::Table | TagEnd::CodeBlock));
        if let Some((class, what)) = region {
            self.events
                .push(Event::Html(self.scroll_region(class, what).into()));
        }
        let event = self.rewrite(event, &range);
        self.place(event);
        if closes {
            self.events.push(Event::Html("</div>\n".into()));
        }
    }

    /// The opening of the region a table or code block scrolls in, sideways,
    /// when it is wider than the screen: focusable, so that a keyboard can
    /// scroll it, and named after the heading it comes under, so that a
    /// screen reader says which one it is.
    fn scroll_region(&self, class: &str, what: &str) -> String {
        let name = self
            .out
            .toc
            .last()
            .map_or_else(|| what.to_string(), |h| format!("{what}: {}", h.title));
        format!(
            "<div class=\"{class}\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">\n",
            escape_attr(&name)
        )
    }

    /// Images, with their alt text, for `hubgen check`.
    fn collect_image(&mut self, event: &Event<'e>, range: &Range<usize>) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => self.out.images.push(Image {
                dest: dest_url.to_string(),
                alt: String::new(),
                line: self.positions.line_of(range.start),
                column: self.positions.col_of(range.start),
            }),
            Event::Text(t) | Event::Code(t) if self.image_depth > 0 => {
                if let Some(img) = self.out.images.last_mut() {
                    img.alt.push_str(t);
                }
            }
            _ => {}
        }
        match event {
            Event::Start(Tag::Image { .. }) => self.image_depth += 1,
            Event::End(TagEnd::Image) => self.image_depth -= 1,
            _ => {}
        }
    }

    /// Plain text, for summaries and search.
    fn collect_text(&mut self, event: &Event<'e>) {
        let in_first_paragraph = self.paragraph_depth > 0 && !self.first_paragraph_done;
        match event {
            // A code block is one block of plain text: its lines are not
            // blocks of their own (search excerpts end each block as a sentence).
            Event::Text(t) if self.in_code_block => {
                for word in t.split_whitespace() {
                    if !self.out.plain.is_empty() && !self.out.plain.ends_with(char::is_whitespace)
                    {
                        self.out.plain.push(' ');
                    }
                    self.out.plain.push_str(word);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                self.out.plain.push_str(t);
                if in_first_paragraph {
                    self.out.first_paragraph.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                self.out.plain.push(' ');
                if in_first_paragraph {
                    self.out.first_paragraph.push(' ');
                }
            }
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::Start(Tag::Paragraph) => self.paragraph_depth += 1,
            Event::End(TagEnd::Paragraph) => {
                self.paragraph_depth -= 1;
                if !self.out.first_paragraph.trim().is_empty() {
                    self.first_paragraph_done = true;
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
        ) = event
        {
            self.out.plain.push('\n');
        }
    }

    /// The event to render in place of `event`: links and images resolved,
    /// task checkboxes named.
    fn rewrite(&mut self, event: Event<'e>, range: &Range<usize>) -> Event<'e> {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => self.link(link_type, dest_url, title, id, range.start),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match classify(&dest_url) {
                    Dest::Asset { path, rest } => {
                        let url = asset_url(self.ctx, path, rest);
                        if let (Some(url), Some(file)) = (&url, resolve_path(self.ctx.file, path)) {
                            let found = super::images::sized(
                                self.ctx.content,
                                &file,
                                url.clone(),
                                &self.ctx.up,
                            );
                            self.sized.extend(found);
                        }
                        url.map_or(dest_url.clone(), CowStr::from)
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
            // GitHub's alerts: a callout with its title.
            Event::Start(Tag::BlockQuote(Some(kind))) => alert_open(kind),
            Event::End(TagEnd::BlockQuote(Some(_))) => alert_close(),
            Event::End(TagEnd::Link) if self.in_internal_link => {
                self.in_internal_link = false;
                Event::InlineHtml("</a>".into())
            }
            other => other,
        }
    }

    /// The start of a link at `start` in the body: a link to a content file
    /// becomes a marker (or, when the file does not exist, a problem), a
    /// relative link to another file is rewritten from the page's URL.
    fn link(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'e>,
        title: CowStr<'e>,
        id: CowStr<'e>,
        start: usize,
    ) -> Event<'e> {
        // `<jo@example.org>`: an address, which the HTML writer gives its `mailto:`.
        if link_type == LinkType::Email {
            return Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            });
        }
        match classify(&dest_url) {
            Dest::Content { path, anchor } => {
                let resolved = resolve_path(self.ctx.file, path);
                if let Some(doc) = resolved.as_deref().and_then(|p| (self.ctx.lookup)(p)) {
                    self.internal_link(doc, anchor, &title, start)
                } else {
                    let broken = broken_link(&dest_url, resolved.as_deref(), self.ctx);
                    self.problems.push(self.positions.locate(broken, start));
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
            }
            Dest::Folder { path, anchor } => {
                let list = resolve_path(self.ctx.file, path)
                    .as_deref()
                    .and_then(|p| (self.ctx.list_of)(p));
                if let Some(list) = list {
                    self.list_link(list, anchor, &title)
                } else {
                    let problem = Diagnostic::error(
                        "broken-link",
                        format!("link to the folder \"{path}\", which is not the folder of a collection"),
                    )
                    .with_hint("link to a collection's folder (such as ../guides/) for its list page, or to a page's .md file");
                    self.problems.push(self.positions.locate(problem, start));
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
            }
            Dest::Asset { path, rest } => Event::Start(Tag::Link {
                link_type,
                dest_url: asset_url(self.ctx, path, rest).map_or(dest_url.clone(), CowStr::from),
                title,
                id,
            }),
            Dest::Other => {
                if let Some((path, rest)) = site_address(&dest_url, self.ctx.bases) {
                    return self.address_link(&dest_url, path, rest, &title, start);
                }
                // `#part`: a part of this page, which `hubgen check` looks for.
                let own = (self.ctx.lookup)(self.ctx.file);
                if let (Some(part), Some(doc)) = (dest_url.strip_prefix('#'), own) {
                    if !part.is_empty() {
                        self.record_link(doc, Some(part), start);
                    }
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
        }
    }

    /// The opening tag of a link written as an address on the site (`path`
    /// below a target's base, then `rest`): a marker, resolved per target.
    fn address_link(
        &mut self,
        written: &str,
        path: String,
        rest: &str,
        title: &str,
        start: usize,
    ) -> Event<'e> {
        let n = self.out.addresses.len();
        self.out.addresses.push(Address {
            written: written.to_string(),
            path,
            line: self.positions.line_of(start),
            column: self.positions.col_of(start),
        });
        self.marker_link(&format!("a{n}"), rest, title)
    }

    /// The opening tag of a link to collection `list`'s list page, its URL a marker.
    fn list_link(&mut self, list: usize, anchor: Option<&str>, title: &str) -> Event<'e> {
        self.marker_link(&format!("c{list}"), &fragment(anchor), title)
    }

    /// The opening tag of a link to document `doc`, its URL a marker, and the
    /// link recorded.
    fn internal_link(
        &mut self,
        doc: DocId,
        anchor: Option<&str>,
        title: &str,
        start: usize,
    ) -> Event<'e> {
        self.record_link(doc, anchor, start);
        self.marker_link(&doc.to_string(), &fragment(anchor), title)
    }

    /// Records a link to (a part of) document `doc`, written at `start`.
    fn record_link(&mut self, doc: DocId, anchor: Option<&str>, start: usize) {
        self.out.links.push(Link {
            doc,
            anchor: anchor.map(str::to_string),
            line: self.positions.line_of(start),
            column: self.positions.col_of(start),
        });
    }

    /// The opening tag `<a href="\0MARKER\0AFTER" title="…">`, whose marker
    /// [`crate::markdown::resolve_links`] replaces with a URL per target; its
    /// closing tag is written as raw HTML too.
    fn marker_link(&mut self, marker: &str, after: &str, title: &str) -> Event<'e> {
        let mut html = format!("<a href=\"\0{marker}\0{}\"", escape_attr(after));
        if !title.is_empty() {
            let _ = write!(html, " title=\"{}\"", escape_attr(title));
        }
        html.push('>');
        self.in_internal_link = true;
        Event::InlineHtml(html.into())
    }

    /// Adds `event` to those to render, or to the heading being read.
    fn place(&mut self, event: Event<'e>) {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let closings = self.disclosures.close_before(level);
                self.events.extend(closings);
                self.heading = Some((level, id, classes, attrs, Vec::new()));
            }
            Event::End(TagEnd::Heading(level)) => self.end_heading(level),
            e => match &mut self.heading {
                Some((.., inner)) => inner.push(e),
                None => self.events.push(e),
            },
        }
    }

    /// The heading being read has ended: it gets its id and its place in the
    /// table of contents, and its events go to those to render.
    fn end_heading(&mut self, level: HeadingLevel) {
        let Some((_, id, mut classes, attrs, inner)) = self.heading.take() else {
            return;
        };
        let title: String = inner
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let id = unique_id(
            id.map_or_else(|| slugify(&title), |i| i.to_string()),
            &mut self.used_ids,
        );
        self.out.toc.push(Heading {
            level: level as u8,
            id: id.clone(),
            title: title.trim().to_string(),
        });
        let disclosure = self.disclosures.open(level, &mut classes);
        if let Some((before, _)) = &disclosure {
            self.events.push(before.clone());
        }
        self.events.push(Event::Start(Tag::Heading {
            level,
            id: Some(id.into()),
            classes,
            attrs,
        }));
        self.events.extend(inner);
        self.events.push(Event::End(TagEnd::Heading(level)));
        if let Some((_, after)) = disclosure {
            self.events.push(after);
        }
    }

    /// What the walk collected, with the HTML written, and the broken links.
    /// `body_len` is the length of the body, to size the HTML.
    pub(super) fn finish(self, body_len: usize) -> (Rendered, Vec<Diagnostic>) {
        let Walk {
            mut out,
            mut events,
            problems,
            mut disclosures,
            sized,
            ..
        } = self;
        events.extend(disclosures.close_all());
        let mut html = String::with_capacity(body_len + body_len / 4);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        if html.contains("<img ") {
            html = super::images::add_sizes(&html, &sized);
        }
        // Documents are kept for the whole build: compressed.
        out.html = crate::site::Packed::pack(&html);
        out.word_count = out.plain.split_whitespace().count();
        out.plain = out.plain.trim().to_string();
        out.first_paragraph = out
            .first_paragraph
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        // Kept for the whole build too: without the room they grew into.
        out.toc.shrink_to_fit();
        out.links.shrink_to_fit();
        out.addresses.shrink_to_fit();
        out.footnotes.shrink_to_fit();
        out.images.shrink_to_fit();
        (out, problems)
    }
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

/// `#anchor`, or nothing.
fn fragment(anchor: Option<&str>) -> String {
    anchor.map(|a| format!("#{a}")).unwrap_or_default()
}

#[cfg(test)]
#[path = "walk_tests.rs"]
mod tests;
