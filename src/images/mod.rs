//! Resized copies of content images, for `srcset`.
//!
//! A photo or chart is often saved at 2,000 pixels or more, and a reader on
//! a phone would download all of it to show it 343 pixels wide. So each
//! PNG, JPEG and WebP beside the content that is wider than the narrowest
//! of [`WIDTHS`] gets copies at the widths below its own, never wider; a
//! page's `<img>` lists them in `srcset` with `sizes`, and the browser picks
//! the smallest that fills the image's box at the screen's density.
//!
//! A copy's name holds its width and a hash of the original's bytes
//! (`chart-800w-3f9a1c2b.png` beside `chart.png`), so that a changed picture
//! gets a new address and no cache serves the old one. The name is worked
//! out from the file alone ([`variants_of`]), so the page that lists the
//! copies and the plan that writes them agree without talking to each other;
//! making a copy ([`make`]) decodes, resizes and encodes it, and is kept in
//! `.hubgen-cache/images/` so that a build does it once per picture.
//!
//! GIFs get no copies (resizing an animation frame by frame is not worth
//! it), nor do SVGs, which are drawn at any width.

mod cache;
mod resize;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diagnostics::Diagnostic;

/// The widths, in pixels, of the copies an image gets: a phone's column
/// (480), the content column at 1x and a little more (800), and the column
/// at 2x and tablets (1200, 1600). Each is used only when the original is
/// wider.
pub const WIDTHS: [u32; 4] = [480, 800, 1200, 1600];

/// Where the copies are kept between builds, below the site root.
pub const CACHE_DIR: &str = ".hubgen-cache/images";

/// What goes into every copy's hash besides the original's bytes: changed
/// when the way copies are made changes (filter, quality, encoder), so that
/// new copies get new names and the cache is not trusted across versions.
const RECIPE: &[u8] = b"hubgen-images-1 lanczos3 jpeg-q82 png-default webp-lossless";

/// The width of the themes' content column (44rem at 16px) and its padding
/// on a narrow screen (1rem each side): what `sizes` tells the browser.
const COLUMN: u32 = 704;
const GUTTER: u32 = 32;

/// The picture formats that get copies, by what they are written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// PNG: lossless, keeps transparency.
    Png,
    /// JPEG, at quality 82.
    Jpeg,
    /// WebP, lossless (the pure-Rust encoder has no lossy mode).
    WebP,
}

impl Format {
    /// The format of a file named `name`, when it is one that gets copies.
    pub fn of(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(Format::Png),
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "webp" => Some(Format::WebP),
            _ => None,
        }
    }
}

/// One resized copy of a content image.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Variant {
    /// The original, as a path below `content/` (`guides/chart.png`).
    pub original: PathBuf,
    /// The copy, as a path below `content/` and below the target's base
    /// (`guides/chart-800w-3f9a1c2b.png`).
    pub path: PathBuf,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels, in the original's proportions.
    pub height: u32,
    /// The hash of the original's bytes and [`RECIPE`], in hex.
    pub hash: String,
    /// What it is written as: the original's format.
    pub format: Format,
}

/// An image beside the content with its size and its copies, smallest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sized {
    /// Its width and height, from the file's header.
    pub size: (u32, u32),
    /// Its resized copies, narrowest first (none for a small picture, a GIF
    /// or anything but PNG, JPEG and WebP).
    pub variants: Vec<Variant>,
}

/// The widths of [`WIDTHS`] an image `width` pixels wide gets copies at:
/// only those at least a tenth narrower, as a copy almost as wide as the
/// original would save nothing worth a file.
pub fn widths_for(width: u32) -> Vec<u32> {
    WIDTHS
        .iter()
        .copied()
        .filter(|&w| u64::from(w) * 10 <= u64::from(width) * 9)
        .collect()
}

/// The height of a copy `width` wide of a picture of `size`: in proportion,
/// rounded to the nearest pixel, and at least one.
pub fn height_for(size: (u32, u32), width: u32) -> u32 {
    let (w, h) = (u64::from(size.0.max(1)), u64::from(size.1));
    ((h * u64::from(width) + w / 2) / w).max(1) as u32
}

/// The name of the copy `width` wide of the file named `name`, whose hash
/// is `hash`: `chart.png` → `chart-800w-3f9a1c2b.png`.
pub fn variant_name(name: &str, width: u32, hash: &str) -> String {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let short = &hash[..hash.len().min(8)];
    format!("{stem}-{width}w-{short}.{ext}")
}

/// The hash a copy's name and cache entry carry: of the original's bytes
/// and of how copies are made.
pub fn hash_of(bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(RECIPE);
    h.update(bytes);
    h.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            use std::fmt::Write;
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The size of the image at `rel` below `content`, and the copies it gets;
/// `None` when its header does not say how big it is (`hubgen check`
/// reports that).
pub fn variants_of(content: &Path, rel: &Path) -> Option<Sized> {
    let name = rel.file_name()?.to_str()?;
    let file = content.join(rel);
    let size = imagesize::size(&file).ok()?;
    let size = (
        u32::try_from(size.width).ok()?,
        u32::try_from(size.height).ok()?,
    );
    let Some(format) = Format::of(name) else {
        return Some(Sized {
            size,
            variants: Vec::new(),
        });
    };
    let widths = widths_for(size.0);
    if widths.is_empty() {
        return Some(Sized {
            size,
            variants: Vec::new(),
        });
    }
    let hash = hash_of(&std::fs::read(&file).ok()?);
    let variants = widths
        .into_iter()
        .map(|width| Variant {
            original: rel.to_path_buf(),
            path: rel.with_file_name(variant_name(name, width, &hash)),
            width,
            height: height_for(size, width),
            hash: hash.clone(),
            format,
        })
        .collect();
    Some(Sized { size, variants })
}

/// The `sizes` of an image `width` pixels wide in the themes' content
/// column: the column's width, or the image's own when it is narrower, and
/// the screen's width less the page's margins on a narrow screen.
pub fn sizes_for(width: u32) -> String {
    let shown = width.min(COLUMN);
    format!(
        "(max-width: {}px) calc(100vw - {GUTTER}px), {shown}px",
        shown + GUTTER
    )
}

/// The bytes of `variant`, whose original is below `content` in the site
/// at `root`: from the cache ([`CACHE_DIR`]) when it holds a sound copy,
/// else made and kept there. A cache that cannot be read or written only
/// costs time.
pub fn make(root: &Path, content: &Path, variant: &Variant) -> Result<Vec<u8>, Diagnostic> {
    let entry = root.join(CACHE_DIR).join(format!(
        "{}-{}.{}",
        variant.hash,
        variant.width,
        variant
            .path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("img")
    ));
    if let Some(bytes) = cache::read(&entry) {
        return Ok(bytes);
    }
    let shown = content
        .strip_prefix(root)
        .unwrap_or(content)
        .join(&variant.original);
    let original = std::fs::read(content.join(&variant.original)).map_err(|e| {
        Diagnostic::error("io", format!("cannot read the picture: {e}")).in_file(&shown)
    })?;
    // The file may have changed since its name was worked out: a copy made
    // from other bytes must not be kept under this hash.
    if hash_of(&original) != variant.hash {
        return Err(Diagnostic::error(
            "image-changed",
            "the picture changed while the site was being built",
        )
        .in_file(&shown)
        .with_hint("build again"));
    }
    let bytes = resize::resized(&original, variant).map_err(|e| {
        Diagnostic::error(
            "image-unreadable",
            format!("this picture cannot be read to make its smaller copies: {e}"),
        )
        .in_file(&shown)
        .with_hint("open it and save it again as PNG or JPEG: the file may be damaged, or its name may end in the wrong extension")
    })?;
    cache::write(&entry, &bytes);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_only_narrower_and_never_almost_as_wide() {
        assert_eq!(widths_for(300), Vec::<u32>::new());
        assert_eq!(widths_for(480), Vec::<u32>::new());
        assert_eq!(
            widths_for(500),
            Vec::<u32>::new(),
            "480 is not a tenth narrower"
        );
        assert_eq!(widths_for(534), vec![480]);
        assert_eq!(widths_for(1000), vec![480, 800]);
        assert_eq!(widths_for(1280), vec![480, 800]);
        assert_eq!(widths_for(1334), vec![480, 800, 1200]);
        assert_eq!(widths_for(4000), vec![480, 800, 1200, 1600]);
    }

    #[test]
    fn heights_keep_the_proportions() {
        assert_eq!(height_for((1000, 500), 480), 240);
        assert_eq!(height_for((1000, 333), 480), 160);
        assert_eq!(height_for((3000, 1), 480), 1);
    }

    #[test]
    fn names_carry_the_width_and_the_hash() {
        let hash = hash_of(b"picture");
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, hash_of(b"picture"), "the same bytes, the same hash");
        assert_ne!(hash, hash_of(b"picture!"));
        let name = variant_name("Chart of spending.png", 800, &hash);
        assert_eq!(name, format!("Chart of spending-800w-{}.png", &hash[..8]));
        assert_eq!(
            variant_name("a.b.JPG", 480, "0123456789"),
            "a.b-480w-01234567.JPG"
        );
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(Format::of("a.PNG"), Some(Format::Png));
        assert_eq!(Format::of("a.jpeg"), Some(Format::Jpeg));
        assert_eq!(Format::of("a.webp"), Some(Format::WebP));
        assert_eq!(Format::of("a.gif"), None);
        assert_eq!(Format::of("a.svg"), None);
        assert_eq!(Format::of("png"), None);
    }

    #[test]
    fn sizes_are_the_column_or_the_image_when_narrower() {
        assert_eq!(
            sizes_for(2000),
            "(max-width: 736px) calc(100vw - 32px), 704px"
        );
        assert_eq!(
            sizes_for(600),
            "(max-width: 632px) calc(100vw - 32px), 600px"
        );
    }
}
