//! Markdown to HTML, once per document for every target.
//!
//! pulldown-cmark does the parsing. On the way through, this module gives every
//! heading a unique id and collects the table of contents, gathers plain text
//! for summaries and the search index, and resolves links between content
//! files (`../guides/x.md#part`). A resolved link is written as a marker
//! holding the target document's id — `\0{id}\0` — which [`resolve_links`]
//! replaces with each target's URL. NUL can never come from Markdown source
//! (`CommonMark` replaces it with U+FFFD), so the markers cannot collide with
//! anything an editor wrote.
//!
//! Editors are trusted but are not developers, and text is often pasted from
//! elsewhere, so markup that could run code in a reader's browser is refused
//! with a located error (see `guard::Guard`): script-capable raw HTML, script
//! URLs in links and images, heading attributes other than `{#id .class}`, and
//! a comment or tag left open, which would hide the rest of the page.
//!
//! The parts: [`render`], here, reads the parser's events once and hands each
//! to the guard (`guard.rs`, with `safe_html.rs` for raw HTML) and to the walk
//! (`walk.rs`), which collects what the document is made of and rewrites its
//! links; `links.rs` says where a link points and resolves the markers; and
//! [`html_text()`] reads the text back out of rendered HTML for search.

mod components;
mod guard;
mod html_text;
mod images;
mod links;
mod safe_html;
#[cfg(test)]
mod tests;
mod walk;

use std::path::Path;

use pulldown_cmark::{Options, Parser};

use crate::diagnostics::Diagnostic;

pub use html_text::html_text;
pub use links::{relative_link, resolve_links, resolve_path, Linked};

pub use crate::site::{Address, DocId, Heading, Image, Link, Rendered};

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
    /// Finds the collection whose folder is a path relative to `content/`
    /// (`opportunities`), for links to a folder, which go to its list page.
    pub list_of: &'a (dyn Fn(&Path) -> Option<usize> + Sync),
    /// The base URLs of the site's targets (`https://hub.example.org/hub/`)
    /// and their paths (`/hub/`), longest first: a link starting with one is
    /// an address on the site.
    pub bases: &'a [String],
    /// The `content/` folder, where images are read for their sizes.
    pub content: &'a Path,
    /// The collection allows raw HTML as written (`raw_html = true` in site.toml).
    pub raw_html: bool,
}

/// The relative path from a page at `url` (below the base, e.g. `guides/x/`) to the base.
pub fn up_from(url: &str) -> String {
    "../".repeat(url.split('/').filter(|s| !s.is_empty()).count())
}

/// The Markdown extensions every page is read with.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
}

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
    let positions = Positions::new(body, body_line);
    let parser = Parser::new_ext(body, options()).into_offset_iter();
    let mut guard = guard::Guard::new(body, ctx.raw_html);
    let mut unsafe_markup = guard.reference_definitions(parser.reference_definitions());
    let mut walk = walk::Walk::new(ctx, &positions);
    for (event, range) in parser {
        guard.check(&event, range.clone(), &mut unsafe_markup);
        walk.event(event, range);
    }
    let (out, mut problems) = walk.finish(body.len());
    problems.extend(
        unsafe_markup
            .into_iter()
            .map(|(offset, d)| positions.locate(d, offset)),
    );
    (out, problems)
}

/// Lines and columns of byte offsets in a document's body.
struct Positions<'a> {
    body: &'a str,
    /// The line of the file on which the body starts.
    body_line: usize,
    /// Where each line of the body starts.
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    fn new(body: &'a str, body_line: usize) -> Self {
        let line_starts = std::iter::once(0)
            .chain(body.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Positions {
            body,
            body_line,
            line_starts,
        }
    }

    /// The 1-based line in the file of `offset` in the body.
    fn line_of(&self, offset: usize) -> usize {
        self.body_line + self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// The 1-based column, in characters, of `offset` in the body.
    fn col_of(&self, offset: usize) -> usize {
        let start = self.line_starts[self.line_starts.partition_point(|&s| s <= offset) - 1];
        self.body[start..offset].chars().count() + 1
    }

    /// `d`, placed at `offset` in the body.
    fn locate(&self, d: Diagnostic, offset: usize) -> Diagnostic {
        d.with_position(self.line_of(offset), self.col_of(offset))
    }
}

/// Escapes text for an HTML attribute value or element content.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    // The characters escaped are ASCII, so runs between them are whole
    // characters and are copied at once.
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(escaped);
        from = i + 1;
    }
    out.push_str(&s[from..]);
    out
}
