//! What the unit tests of the Markdown module share: rendering a body as a
//! file of a small site, and the problems found in it; and the tests of
//! [`render`] as a whole.

use std::path::Path;

use super::*;

/// The test site's one collection with a list: guides.
fn list_of(folder: &Path) -> Option<usize> {
    (folder == Path::new("guides")).then_some(0)
}

/// The test site's addresses: a target published under `/hub/`.
fn bases() -> [String; 3] {
    [
        "https://hub.example.org/hub/".into(),
        "/hub/".into(),
        "/".into(),
    ]
}

pub(super) fn render_in(file: &str, body: &str) -> (Rendered, Vec<Diagnostic>) {
    let known = ["guides/a.md", "workstreams/procurement.md"];
    let lookup = |p: &Path| known.iter().position(|k| Path::new(k) == p);
    let all = || known.iter().map(ToString::to_string).collect();
    let ctx = LinkContext {
        list_of: &list_of,
        bases: &bases(),
        file: Path::new(file),
        lookup: &lookup,
        all_paths: &all,
        up: up_from("guides/a/"),
        content: Path::new("content"),
        raw_html: false,
    };
    render(body, 5, &ctx)
}

pub(super) fn render_raw(body: &str, raw_html: bool) -> (Rendered, Vec<Diagnostic>) {
    let lookup = |_: &Path| None;
    let all = Vec::new;
    let ctx = LinkContext {
        list_of: &list_of,
        bases: &bases(),
        file: Path::new("guides/a.md"),
        lookup: &lookup,
        all_paths: &all,
        up: String::new(),
        content: Path::new("content"),
        raw_html,
    };
    render(body, 5, &ctx)
}

/// Line, column and code of each problem in `body` (which starts on line 5).
pub(super) fn problems(body: &str) -> Vec<(usize, usize, &'static str)> {
    render_raw(body, false)
        .1
        .iter()
        .map(|d| (d.line, d.column, d.code))
        .collect()
}

#[test]
fn extensions_are_on() {
    let (r, _) = render_in(
        "guides/a.md",
        "|a|b|\n|-|-|\n|1|2|\n\n~~gone~~\n\n- [x] done\n\nNote[^1]\n\n[^1]: A footnote.\n",
    );
    assert!(r.html.unpack().contains("<table>"));
    assert!(r.html.unpack().contains("<del>gone</del>"));
    assert!(r.html.unpack().contains("type=\"checkbox\""));
    assert!(r.html.unpack().contains("footnote-definition"));
}

#[test]
fn raw_nul_cannot_forge_a_marker() {
    let (r, _) = render_in("guides/a.md", "a\0b <a href=\"\x001\0\">x</a>");
    assert!(!r.html.unpack().contains('\0'));
}

#[test]
fn an_address_in_angle_brackets_is_a_mail_link() {
    let (r, problems) = render_in("pages/about.md", "Write to <team@example.org>.\n");
    assert!(problems.is_empty(), "{problems:?}");
    assert!(
        r.html.unpack().contains("href=\"mailto:team@example.org\""),
        "{}",
        r.html.unpack()
    );
}

#[test]
fn a_link_to_a_collection_s_folder_goes_to_its_list() {
    let (r, problems) = render_in(
        "workstreams/procurement.md",
        "See [all guides](../guides/#latest) or [nothing](../nowhere/).\n",
    );
    assert!(
        r.html
            .unpack()
            .contains("<a href=\"\0c0\0#latest\">all guides</a>"),
        "{}",
        r.html.unpack()
    );
    let html = crate::markdown::resolve_links(&r.html.unpack(), |to| format!("{to:?}"));
    assert!(html.contains("href=\"List(0)#latest\""), "{html}");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].line, problems[0].column), (5, 40));
    assert!(
        problems[0].message.contains("\"../nowhere/\""),
        "{problems:?}"
    );
}

#[test]
fn escape_attr_escapes_the_five_characters_and_keeps_the_rest() {
    assert_eq!(escape_attr(""), "");
    assert_eq!(escape_attr("plain"), "plain");
    assert_eq!(
        escape_attr(r#"<a href="x">Tom & Jerry's</a>"#),
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
    );
    assert_eq!(
        escape_attr("café & naïve—“quoted”"),
        "café &amp; naïve—“quoted”"
    );
    assert_eq!(escape_attr("&&"), "&amp;&amp;");
}
