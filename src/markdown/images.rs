//! Content images' sizes and resized copies: each `<img>` of a page whose
//! file sits in `content/` gets its `width` and `height` (read from the
//! file's header by the `imagesize` crate, which reads a few bytes of PNG,
//! JPEG, GIF, WebP and more without decoding the picture), so that the
//! browser keeps the image's room while it loads and the text does not
//! jump; every image but the page's first loads lazily. A picture wider
//! than a phone's column also gets `srcset` and `sizes`, listing the
//! narrower copies that [`crate::images`] names (and the build makes), so
//! that a phone downloads a copy of its own width rather than the original.

use std::fmt::Write;
use std::path::Path;

use super::escape_attr;

/// An image of the page: its address as written in the HTML, its size, and
/// its `srcset` when it has resized copies.
pub(super) struct Sized {
    /// Its address, as the HTML's `src` has it (before escaping).
    pub(super) url: String,
    /// Its width and height in pixels.
    pub(super) size: (u32, u32),
    /// Its copies and itself, as `srcset` lists them; empty when it has no copies.
    pub(super) srcset: String,
}

/// The image at `path` (below `content`), whose address on the page is
/// `url`, with its size and copies, when its header says how big it is.
/// `up` leads from the page to the site root, where `path` is published.
pub(super) fn sized(content: &Path, path: &Path, url: String, up: &str) -> Option<Sized> {
    let found = crate::images::variants_of(content, path)?;
    let mut srcset = String::new();
    if !found.variants.is_empty() {
        for v in &found.variants {
            let _ = write!(
                srcset,
                "{} {}w, ",
                srcset_url(&format!("{up}{}", crate::text::slashed(&v.path))),
                v.width
            );
        }
        let _ = write!(srcset, "{} {}w", srcset_url(&url), found.size.0);
    }
    Some(Sized {
        url,
        size: found.size,
        srcset,
    })
}

/// `url` as pulldown-cmark writes it in `src` (percent-encoding spaces and
/// other characters a URL may not hold, and `&` as `&amp;`).
fn href(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let _ = pulldown_cmark_escape::escape_href(&mut out, url);
    out
}

/// `url` as a `srcset` candidate may hold it: spaces and commas, which
/// separate candidates, percent-encoded.
fn srcset_url(url: &str) -> String {
    url.replace(' ', "%20").replace(',', "%2C")
}

/// `html` with each `<img>` of `sized` given its width and height, and each
/// `<img>` but the first `loading="lazy"`.
pub(super) fn add_sizes(html: &str, sized: &[Sized]) -> String {
    let mut out = String::with_capacity(html.len() + sized.len() * 48);
    let mut rest = html;
    let mut first = true;
    while let Some(at) = rest.find("<img ") {
        out.push_str(&rest[..at]);
        let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        let tag = &rest[at..tag_end];
        out.push_str("<img ");
        let src = tag
            .strip_prefix("<img src=\"")
            .and_then(|t| t.split('"').next())
            .unwrap_or_default();
        let has_size = tag.contains(" width=") || tag.contains(" height=");
        if let Some(found) = sized
            .iter()
            .find(|s| href(&s.url) == src)
            .filter(|_| !has_size)
        {
            let (w, h) = found.size;
            let _ = write!(out, "width=\"{w}\" height=\"{h}\" ");
            if !found.srcset.is_empty() && !tag.contains(" srcset=") {
                let _ = write!(
                    out,
                    "srcset=\"{}\" sizes=\"{}\" ",
                    escape_attr(&found.srcset),
                    crate::images::sizes_for(w)
                );
            }
        }
        if !first && !tag.contains(" loading=") {
            out.push_str("loading=\"lazy\" ");
        }
        first = false;
        rest = &rest[at + "<img ".len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{add_sizes, Sized};

    fn sized(url: &str, size: (u32, u32), srcset: &str) -> Sized {
        Sized {
            url: url.into(),
            size,
            srcset: srcset.into(),
        }
    }

    #[test]
    fn images_get_their_sizes_and_all_but_the_first_load_lazily() {
        let html = "<p><img src=\"../../a.png\" alt=\"A\" /> <img src=\"b&amp;c.png\" alt=\"B\" /> <img src=\"x.png\" width=\"3\" alt=\"\" /></p>";
        let sized = vec![
            sized("../../a.png", (640, 480), ""),
            sized("b&c.png", (20, 10), ""),
            sized("x.png", (1, 1), ""),
        ];
        assert_eq!(
            add_sizes(html, &sized),
            "<p><img width=\"640\" height=\"480\" src=\"../../a.png\" alt=\"A\" /> <img width=\"20\" height=\"10\" loading=\"lazy\" src=\"b&amp;c.png\" alt=\"B\" /> <img loading=\"lazy\" src=\"x.png\" width=\"3\" alt=\"\" /></p>"
        );
    }

    #[test]
    fn a_large_image_lists_its_copies() {
        let html = "<p><img src=\"../big&amp;wide.jpg\" alt=\"A\" /></p>";
        let sized = vec![sized(
            "../big&wide.jpg",
            (2000, 1000),
            "../big&wide-480w-0123abcd.jpg 480w, ../big&wide.jpg 2000w",
        )];
        assert_eq!(
            add_sizes(html, &sized),
            "<p><img width=\"2000\" height=\"1000\" srcset=\"../big&amp;wide-480w-0123abcd.jpg 480w, ../big&amp;wide.jpg 2000w\" sizes=\"(max-width: 736px) calc(100vw - 32px), 704px\" src=\"../big&amp;wide.jpg\" alt=\"A\" /></p>"
        );
    }
}
