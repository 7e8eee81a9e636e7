//! The components editors write in plain Markdown, rendered for readers:
//! GitHub's alerts (`> [!NOTE]`, `> [!WARNING]`…) as callouts with a visible
//! title and `role="note"`, and a heading with the class `details`
//! (`### Costs in full {.details}`) as a disclosure: the heading is the
//! `<summary>`, and what follows it, up to the next heading of the same or a
//! higher level, is folded inside the `<details>`. Definition lists are
//! pulldown-cmark's own (`Term` then `: definition`).

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, HeadingLevel};

/// The class that makes a heading a disclosure.
pub(super) const DETAILS_CLASS: &str = "details";

/// The opening of an alert's callout, with its title.
pub(super) fn alert_open(kind: BlockQuoteKind) -> Event<'static> {
    let (class, title) = match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    };
    Event::Html(
        format!(
            "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n"
        )
        .into(),
    )
}

/// The end of an alert's callout.
pub(super) fn alert_close() -> Event<'static> {
    Event::Html("</div>\n".into())
}

/// The disclosures open at this point of a document, by heading level.
#[derive(Default)]
pub(super) struct Disclosures(Vec<HeadingLevel>);

impl Disclosures {
    /// Before a heading of `level`: the closings of the disclosures it ends
    /// (those of its level and below).
    pub(super) fn close_before(&mut self, level: HeadingLevel) -> Vec<Event<'static>> {
        let mut out = Vec::new();
        while self.0.last().is_some_and(|&open| open >= level) {
            self.0.pop();
            out.push(Event::Html("</div>\n</details>\n".into()));
        }
        out
    }

    /// Takes the `details` class off a heading's classes; when it was there,
    /// opens a disclosure at `level` and returns what goes before and after
    /// the heading.
    pub(super) fn open(
        &mut self,
        level: HeadingLevel,
        classes: &mut Vec<CowStr<'_>>,
    ) -> Option<(Event<'static>, Event<'static>)> {
        let at = classes.iter().position(|c| c.as_ref() == DETAILS_CLASS)?;
        classes.remove(at);
        self.0.push(level);
        Some((
            Event::Html("<details class=\"disclosure\">\n<summary>".into()),
            Event::Html("</summary>\n<div class=\"disclosure-body\">\n".into()),
        ))
    }

    /// At the end of the document: the closings of every disclosure still open.
    pub(super) fn close_all(&mut self) -> Vec<Event<'static>> {
        self.close_before(HeadingLevel::H1)
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render_in;

    #[test]
    fn an_alert_is_a_titled_callout() {
        let (r, problems) = render_in("guides/a.md", "> [!CAUTION]\n> Mind the gap.\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            r.html.unpack(),
            "<div class=\"callout callout-caution\" role=\"note\">\n<p class=\"callout-title\">Caution</p>\n<p>Mind the gap.</p>\n</div>\n"
        );
    }

    #[test]
    fn a_details_heading_folds_its_section_up_to_the_next_heading_of_its_level() {
        let (r, problems) = render_in(
            "guides/a.md",
            "## More {.details .wide}\n\nHidden.\n\n### Inside\n\nStill hidden.\n\n## After\n\nShown.\n\n### Last {.details}\n\nEnd.\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let html = &r.html.unpack();
        assert!(
            html.starts_with("<details class=\"disclosure\">\n<summary>\n<h2 id=\"more\" class=\"wide\">More</h2>\n</summary>\n<div class=\"disclosure-body\">\n<p>Hidden.</p>"),
            "{html}"
        );
        let close = html
            .find("</div>\n</details>\n<h2 id=\"after\">")
            .expect("closed before the next h2");
        assert!(html.find("Still hidden").unwrap() < close, "{html}");
        assert!(
            html.ends_with("<p>End.</p>\n</div>\n</details>\n"),
            "{html}"
        );
        assert_eq!(r.toc.len(), 4);
    }
}
