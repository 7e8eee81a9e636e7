//! Which raw HTML in Markdown may be published.
//!
//! ammonia decides: a fragment is safe when ammonia, configured for the safe
//! subset ([`SAFE`]), removes nothing from it. "Removes nothing" is measured
//! against ammonia itself configured to keep every element, attribute and
//! URL scheme the fragment uses, so both outputs share html5ever's parsing
//! and serialisation and differ only in what the safe subset drops.
//!
//! What passes is published as the editor wrote it, not as ammonia would
//! re-serialise it: Markdown splits HTML into pieces (`<details>` in one
//! block, `</details>` in another), and ammonia, closing each piece's open
//! elements, would break that nesting. Nothing unsafe is lost by this, since
//! anything ammonia would remove is an error instead.
//!
//! html5ever's tokenizer, run over the same fragment, says where the
//! offending markup is, and whether the fragment leaves a comment or a tag
//! open (which would swallow what follows it on the page).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt::Write;
use std::sync::LazyLock;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::guard::script_url;

/// Something in a fragment that may not be published, at a byte offset of the fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Finding {
    pub(super) offset: usize,
    pub(super) problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Problem {
    /// An element outside the safe subset (`script`, `iframe`, `style`…).
    Element(String),
    /// An attribute the safe subset drops: an event handler, `style`, a script URL.
    Attribute {
        element: String,
        name: String,
        value: String,
    },
    /// `<!--` with no `-->`: the rest of the page would be a comment.
    UnclosedComment,
    /// A tag with no `>`: the page's next markup would land inside it.
    UnclosedTag,
    /// ammonia would change the fragment, but no single tag explains why.
    Other,
}

/// The safe subset: ammonia's defaults (text-level and structural elements,
/// tables, `<details>`, images and links with http(s), mailto and the like),
/// comments kept, links left as written, plus `class`, `id` and
/// `<details open>`; `data:` URLs only for raster images.
static SAFE: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = base();
    b.add_url_schemes(["data"])
        .attribute_filter(|_, attr, value| {
            let is_url = matches!(
                attr,
                "href" | "src" | "cite" | "longdesc" | "usemap" | "srcset"
            );
            match script_url(value) {
                Some(_) if is_url => None,
                _ => Some(Cow::Borrowed(value)),
            }
        });
    b
});

/// What the safe subset and the reference configuration share.
fn base<'a>() -> ammonia::Builder<'a> {
    let mut b = ammonia::Builder::default();
    b.link_rel(None)
        .strip_comments(false)
        .add_generic_attributes(["class", "id"])
        .add_tag_attributes("details", ["open"]);
    b
}

/// Checks one raw-HTML fragment. With `raw_allowed` (the collection has
/// `raw_html = true`) only comments and tags left open are findings.
pub(super) fn check(fragment: &str, raw_allowed: bool) -> Vec<Finding> {
    let scan = scan(fragment);
    let mut findings = Vec::new();
    if let Some(open) = scan.left_open {
        findings.push(open);
    }
    if raw_allowed || !removes(fragment, &scan.tags) {
        return findings;
    }
    let before = findings.len();
    for tag in &scan.tags {
        findings.extend(culprit(tag));
    }
    if findings.len() == before {
        findings.push(Finding {
            offset: 0,
            problem: Problem::Other,
        });
    }
    findings
}

/// Whether the safe subset would remove anything from `fragment`.
fn removes(fragment: &str, tags: &[StartTag]) -> bool {
    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    let attrs: Vec<&str> = tags
        .iter()
        .flat_map(|t| t.attrs.iter().map(|(n, _)| n.as_str()))
        .collect();
    let schemes: Vec<String> = tags
        .iter()
        .flat_map(|t| t.attrs.iter())
        .filter_map(|(_, v)| ammonia::Url::parse(v).ok())
        .map(|u| u.scheme().to_string())
        .collect();
    let mut keep_all = base();
    keep_all
        .clean_content_tags(HashSet::new())
        .add_tags(names)
        .add_generic_attributes(attrs)
        .add_url_schemes(schemes.iter().map(String::as_str));
    SAFE.clean(fragment).to_string() != keep_all.clean(fragment).to_string()
}

/// What of one start tag the safe subset removes: the element itself, or else
/// each attribute it drops. Each is tried alone, so the finding names it.
fn culprit(tag: &StartTag) -> Vec<Finding> {
    let alone = |attrs: &[(String, String)]| StartTag {
        name: tag.name.clone(),
        attrs: attrs.to_vec(),
        offset: tag.offset,
        attr_offsets: Vec::new(),
    };
    if removes(&alone(&[]).html(), &[alone(&[])]) {
        return vec![Finding {
            offset: tag.offset,
            problem: Problem::Element(tag.name.clone()),
        }];
    }
    tag.attrs
        .iter()
        .zip(&tag.attr_offsets)
        .filter(|(attr, _)| {
            let one = alone(std::slice::from_ref(attr));
            removes(&one.html(), &[one])
        })
        .map(|((name, value), &offset)| Finding {
            offset,
            problem: Problem::Attribute {
                element: tag.name.clone(),
                name: name.clone(),
                value: value.clone(),
            },
        })
        .collect()
}

#[derive(Clone, Debug)]
struct StartTag {
    name: String,
    attrs: Vec<(String, String)>,
    /// Byte offset of the `<` in the fragment.
    offset: usize,
    /// Byte offset of each attribute's name.
    attr_offsets: Vec<usize>,
}

impl StartTag {
    /// The tag written out again, for trying it alone.
    fn html(&self) -> String {
        let mut out = format!("<{}", self.name);
        for (name, value) in &self.attrs {
            let value = value
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;");
            let _ = write!(out, " {name}=\"{value}\"");
        }
        out.push('>');
        out
    }
}

struct Scan {
    tags: Vec<StartTag>,
    left_open: Option<Finding>,
}

/// A start tag's name and its attributes' names and values.
type Tag = (String, Vec<(String, String)>);

/// Collects start tags and how the tokenizer ended.
#[derive(Default)]
struct Sink {
    tags: RefCell<Vec<Tag>>,
    /// The tokenizer's state at the end, when it ended inside something.
    eof_state: RefCell<Option<String>>,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                let attrs = tag
                    .attrs
                    .iter()
                    .map(|a| (a.name.local.to_string(), a.value.to_string()))
                    .collect();
                self.tags.borrow_mut().push((tag.name.to_string(), attrs));
            }
            // html5ever names the state it was in when the input ended inside
            // a comment, tag or doctype; that is all it says about it.
            Token::ParseError(msg) => {
                if let Some(state) = msg.strip_prefix("Saw EOF in state ") {
                    *self.eof_state.borrow_mut() = Some(state.to_string());
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn scan(fragment: &str) -> Scan {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(fragment));
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = tokenizer.sink;

    // The tokenizer gives no byte offsets: each tag is found in the text, in
    // order, from where the previous one was found.
    let lower = fragment.to_ascii_lowercase();
    let mut cursor = 0;
    let mut tags = Vec::new();
    for (name, attrs) in sink.tags.into_inner() {
        let offset = find_tag(&lower, &name, cursor).unwrap_or(cursor.min(fragment.len()));
        cursor = (offset + 1).min(fragment.len());
        let end = lower[offset..]
            .find('>')
            .map_or(lower.len(), |i| offset + i);
        let attr_offsets = attrs
            .iter()
            .map(|(n, _)| {
                lower[offset..end]
                    .find(n.as_str())
                    .map_or(offset, |i| offset + i)
            })
            .collect();
        tags.push(StartTag {
            name,
            attrs,
            offset,
            attr_offsets,
        });
    }
    let left_open = sink.eof_state.into_inner().and_then(|state| {
        if state.contains("Comment") {
            Some(Finding {
                offset: unclosed_comment(fragment),
                problem: Problem::UnclosedComment,
            })
        } else if state == "TagOpen" || state == "EndTagOpen" {
            None // a lone `<` at the very end is written out as text
        } else {
            Some(Finding {
                offset: lower.rfind('<').unwrap_or(0),
                problem: Problem::UnclosedTag,
            })
        }
    });
    Scan { tags, left_open }
}

/// The offset of `<name` (followed by no further letter of a name) at or after `from`.
fn find_tag(lower: &str, name: &str, from: usize) -> Option<usize> {
    let needle = format!("<{name}");
    let mut at = from;
    while let Some(i) = lower.get(at..)?.find(&needle) {
        let start = at + i;
        let next = lower[start + needle.len()..].chars().next();
        if !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

/// The first `<!--` that no `-->` follows.
fn unclosed_comment(fragment: &str) -> usize {
    let mut at = 0;
    while let Some(i) = fragment[at..].find("<!--") {
        let start = at + i;
        let rest = &fragment[start + 4..];
        let closed = rest.starts_with('>') || rest.starts_with("->") || rest.contains("-->");
        if !closed {
            return start;
        }
        at = start + 4;
    }
    fragment.rfind("<!").unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(html: &str) -> Vec<(usize, Problem)> {
        check(html, false)
            .into_iter()
            .map(|f| (f.offset, f.problem))
            .collect()
    }

    #[test]
    fn the_safe_subset_passes() {
        for html in [
            "<em>",
            "</em>",
            "<abbr title=\"Local Government Association\">LGA</abbr>",
            "x<sup>2</sup><br><kbd>Ctrl</kbd>",
            "<details open>\n<summary>More</summary>\n",
            "</details>\n",
            "<table>\n<tr><td colspan=\"2\">a</td></tr>\n</table>\n",
            "<a href=\"https://example.org/\" class=\"x\">a</a>",
            "<img src=\"chart.png\" alt=\"A chart\">",
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"\">",
            "<!-- a note for editors -->",
            "<span id=\"here\">x</span>",
        ] {
            assert_eq!(problems(html), [], "{html}");
        }
    }

    #[test]
    fn script_capable_markup_is_found_where_it_is() {
        let el = |n: &str| Problem::Element(n.into());
        assert_eq!(problems("a <script>alert(1)</script>"), [(2, el("script"))]);
        assert_eq!(problems("<iframe src=\"x\"></iframe>"), [(0, el("iframe"))]);
        assert_eq!(problems("<p>\n<style>p{}</style>"), [(4, el("style"))]);
        assert_eq!(
            problems("<object data=x></object><embed src=x><form action=x></form>"),
            [(0, el("object")), (24, el("embed")), (37, el("form"))]
        );
        let attr = |e: &str, n: &str, v: &str| Problem::Attribute {
            element: e.into(),
            name: n.into(),
            value: v.into(),
        };
        assert_eq!(
            problems("<img src=x.png onerror=\"alert(1)\">"),
            [(15, attr("img", "onerror", "alert(1)"))]
        );
        assert_eq!(
            problems("<a href=\"javascript:alert(1)\">x</a>"),
            [(3, attr("a", "href", "javascript:alert(1)"))]
        );
        assert_eq!(
            problems("<A HREF=\" JaVa&#x09;script:x\">x</A>"),
            [(3, attr("a", "href", " JaVa\tscript:x"))]
        );
        assert_eq!(
            problems("<a href=\"data:text/html,x\">x</a>"),
            [(3, attr("a", "href", "data:text/html,x"))]
        );
        assert_eq!(
            problems("<p style=\"color:red\">x</p>"),
            [(3, attr("p", "style", "color:red"))]
        );
    }

    #[test]
    fn markup_that_hides_what_follows() {
        assert_eq!(
            problems("<!-- done -->\n<!-- draft:\nthe rest\n"),
            [(14, Problem::UnclosedComment)]
        );
        assert_eq!(
            problems("<div>\n<span title=\"open\n"),
            [(6, Problem::UnclosedTag)]
        );
        // A processing instruction ends at the first `>` for a browser, as for ammonia.
        assert_eq!(
            problems("<?x > <script>alert(1)</script> ?>"),
            [(6, Problem::Element("script".into()))]
        );
    }

    #[test]
    fn raw_html_collections_only_check_what_is_left_open() {
        assert_eq!(check("<script>alert(1)</script>", true), []);
        assert_eq!(check("<!-- x", true)[0].problem, Problem::UnclosedComment);
    }
}
