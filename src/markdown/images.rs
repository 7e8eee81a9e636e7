//! Content images' intrinsic sizes: each `<img>` of a page whose file sits in
//! `content/` gets its `width` and `height` (read from the file's header by
//! the `imagesize` crate, which reads a few bytes of PNG, JPEG, GIF, WebP and
//! more without decoding the picture), so that the browser keeps the image's
//! room while it loads and the text does not jump; every image but the
//! page's first loads lazily.
//!
//! No `srcset`: that needs resized copies of each image, made by decoding
//! and re-encoding it (the `image` crate), which would make a build of a hub
//! with many large images slow, and the content has none yet.

use std::fmt::Write;
use std::path::Path;

/// An image of the page: its address as written in the HTML, and its size.
pub(super) type Sized = (String, (usize, usize));

/// The size of the image at `path` (below `content`), when its header says.
pub(super) fn size_of(content: &Path, path: &Path) -> Option<(usize, usize)> {
    imagesize::size(content.join(path))
        .ok()
        .map(|s| (s.width, s.height))
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
        if let Some((_, (w, h))) = sized
            .iter()
            .find(|(url, _)| url.replace('&', "&amp;") == src)
            .filter(|_| !has_size)
        {
            let _ = write!(out, "width=\"{w}\" height=\"{h}\" ");
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
    use super::add_sizes;

    #[test]
    fn images_get_their_sizes_and_all_but_the_first_load_lazily() {
        let html = "<p><img src=\"../../a.png\" alt=\"A\" /> <img src=\"b&amp;c.png\" alt=\"B\" /> <img src=\"x.png\" width=\"3\" alt=\"\" /></p>";
        let sized = vec![
            ("../../a.png".to_string(), (640, 480)),
            ("b&c.png".to_string(), (20, 10)),
            ("x.png".to_string(), (1, 1)),
        ];
        assert_eq!(
            add_sizes(html, &sized),
            "<p><img width=\"640\" height=\"480\" src=\"../../a.png\" alt=\"A\" /> <img width=\"20\" height=\"10\" loading=\"lazy\" src=\"b&amp;c.png\" alt=\"B\" /> <img loading=\"lazy\" src=\"x.png\" width=\"3\" alt=\"\" /></p>"
        );
    }
}
