//! The text of rendered HTML, read back for the search index.

/// The text of HTML that [`render`](super::render) wrote: tags dropped
/// (block-level ones leave a line break, so words on either side stay apart),
/// the entities it writes decoded. Search indexes documents from this rather
/// than keeping a second copy of every document's text in memory.
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
            .take_while(char::is_ascii_alphanumeric)
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
        if let (Some(e), Some(c)) = (entity, decoded) {
            out.push(c);
            rest = &after[e.len() + 1..];
        } else {
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::render_in;

    #[test]
    fn text_of_rendered_html() {
        let (r, _) = render_in("guides/a.md", "# Tea & *biscuits*\n\nFirst para with [a link](../workstreams/procurement.md \"T>\") and `<code>`.\n\n- one\n- two\n\n|a|b|\n|-|-|\n|1|2|\n");
        let text = html_text(&r.html.unpack());
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(words(&text), words(&r.plain), "{text:?}");
        assert_eq!(html_text("a&#39;b &#x41; &bogus; &"), "a'b A &bogus; &");
    }
}
