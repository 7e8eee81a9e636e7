//! Tests of the walk over a document's Markdown events.

use crate::markdown::tests::{render_in, render_raw};

#[test]
fn headings_get_unique_ids_and_toc() {
    let (r, _) = render_in(
        "guides/a.md",
        "# Intro\n\n## Intro\n\n## Custom {#mine}\n\n### `Code` bit\n",
    );
    let ids: Vec<_> = r.toc.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["intro", "intro-1", "mine", "code-bit"]);
    assert!(
        r.html.unpack().contains("<h2 id=\"intro-1\">Intro</h2>"),
        "{}",
        r.html.unpack()
    );
    assert_eq!(r.toc[3].level, 3);
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
fn a_code_block_is_one_line_of_plain_text() {
    let (r, _) = render_in(
        "guides/a.md",
        "Run this:\n\n```\nfn main() {\n    go();\n}\n```\n\nThen stop.\n",
    );
    assert_eq!(r.plain, "Run this:\nfn main() { go(); }\nThen stop.");
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
fn unique_ids_skip_ids_already_taken() {
    let (r, _) = render_in(
        "guides/a.md",
        "# A\n\n# A-2\n\n# A\n\n# A\n\n# A {#a-4}\n\n# A\n",
    );
    let ids: Vec<_> = r.toc.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["a", "a-2", "a-1", "a-3", "a-4", "a-5"]);
}

#[test]
fn a_table_scrolls_in_a_focusable_region_named_after_its_heading() {
    let (r, _) = render_in(
        "guides/a.md",
        "|a|b|\n|-|-|\n|1|2|\n\n## Costs & savings\n\n|c|\n|-|\n|3|\n",
    );
    assert!(
        r.html.unpack().starts_with("<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table\">\n<table>"),
        "{}",
        r.html.unpack()
    );
    assert!(
        r.html
            .unpack()
            .contains("aria-label=\"Table: Costs &amp; savings\">\n<table>"),
        "{}",
        r.html.unpack()
    );
    assert_eq!(
        r.html.unpack().matches("</table>\n</div>").count(),
        2,
        "{}",
        r.html.unpack()
    );
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
