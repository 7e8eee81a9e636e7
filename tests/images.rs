//! Content images on a built page: each `<img>` has its width and height,
//! and a picture wider than a phone's column lists smaller copies in
//! `srcset`, each of which the build wrote beside the original at the width
//! it declares. The copies are the same bytes on every build, with the
//! cache of copies or without it, and a damaged cache entry is made again.

mod common;

use std::path::Path;

use common::*;

/// A site with one guide showing a wide PNG, a JPEG, a WebP, a GIF, an SVG
/// and a PNG too small for copies.
fn site(dir: &Path) {
    let guides = one_collection_site(dir, "Pictures", "guides", "https://pictures.example.org/");
    let gradient = |w: u32, h: u32| {
        image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 120])
        })
    };
    gradient(1800, 900)
        .save(guides.join("wide chart.png"))
        .unwrap();
    gradient(1000, 600).save(guides.join("photo.jpg")).unwrap();
    let mut webp = Vec::new();
    image::DynamicImage::ImageRgb8(gradient(900, 300))
        .write_to(
            &mut std::io::Cursor::new(&mut webp),
            image::ImageFormat::WebP,
        )
        .unwrap();
    std::fs::write(guides.join("banner.webp"), webp).unwrap();
    // An 800 × 400 GIF (its screen) holding one pixel: GIFs get no copies.
    let mut gif = b"GIF89a\x20\x03\x90\x01\x80\x00\x00".to_vec();
    gif.extend_from_slice(b"\x00\x00\x00\xff\xff\xff");
    gif.extend_from_slice(b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b");
    std::fs::write(guides.join("moving.gif"), gif).unwrap();
    gradient(300, 200).save(guides.join("small.png")).unwrap();
    std::fs::write(
        guides.join("logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1600\" height=\"800\"><rect width=\"1600\" height=\"800\"/></svg>",
    )
    .unwrap();
    std::fs::write(
        guides.join("pictures.md"),
        "---\ntitle: Pictures\n---\n\n![A wide chart](<wide chart.png>)\n\n![A photo](photo.jpg)\n\n![A banner](banner.webp)\n\n![A moving picture](moving.gif)\n\n![A logo](logo.svg)\n\n![A small picture](small.png)\n",
    )
    .unwrap();
}

/// The `<img>` tags of `html`.
fn imgs(html: &str) -> Vec<&str> {
    html.match_indices("<img ")
        .map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()])
        .collect()
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let at = tag.find(&needle)? + needle.len();
    Some(&tag[at..at + tag[at..].find('"')?])
}

#[test]
fn every_srcset_candidate_exists_at_the_width_it_declares() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    site(tmp.path());
    build_ok(tmp.path(), &out, &[]);
    let page_dir = out.join("guides/pictures");
    let html = read(page_dir.join("index.html"));
    let tags = imgs(&html);
    assert_eq!(tags.len(), 6, "{html}");
    let mut with_srcset = Vec::new();
    for tag in &tags {
        let src = attr(tag, "src").unwrap().replace("%20", " ");
        let Some(srcset) = attr(tag, "srcset") else {
            continue;
        };
        let (w, h) = (attr(tag, "width").unwrap(), attr(tag, "height").unwrap());
        with_srcset.push(src.clone());
        assert!(attr(tag, "sizes").is_some(), "srcset without sizes: {tag}");
        let candidates: Vec<&str> = srcset.split(", ").collect();
        assert!(candidates.len() >= 2, "{tag}");
        let mut last = 0;
        for c in &candidates {
            let (url, width) = c.rsplit_once(' ').unwrap();
            let width: u32 = width.strip_suffix('w').unwrap().parse().unwrap();
            assert!(width > last, "narrowest first: {srcset}");
            last = width;
            let file = page_dir.join(url.replace("%20", " ").replace("%2C", ","));
            let size = imagesize::size(&file)
                .unwrap_or_else(|e| panic!("{url} of {tag}: {} {e}", file.display()));
            assert_eq!(size.width as u32, width, "{url} is not {width} wide");
            // In the original's proportions, to the nearest pixel.
            let expected = f64::from(width) * h.parse::<f64>().unwrap() / w.parse::<f64>().unwrap();
            assert!(
                (size.height as f64 - expected).abs() <= 1.0,
                "{url}: {} high",
                size.height
            );
        }
        // The original is the widest candidate, at its own width.
        let widest = candidates.last().unwrap();
        assert_eq!(*widest, format!("{} {w}w", attr(tag, "src").unwrap()));
    }
    with_srcset.sort();
    assert_eq!(
        with_srcset,
        [
            "../../guides/banner.webp",
            "../../guides/photo.jpg",
            "../../guides/wide chart.png"
        ],
        "GIFs, SVGs and pictures narrower than a phone's column get no copies"
    );
    let wide = tags
        .iter()
        .find(|t| t.contains("wide%20chart.png"))
        .unwrap();
    let widths: Vec<&str> = attr(wide, "srcset")
        .unwrap()
        .split(", ")
        .map(|c| c.rsplit_once(' ').unwrap().1)
        .collect();
    assert_eq!(widths, ["480w", "800w", "1200w", "1600w", "1800w"]);
    // The copies are named by width and by the original's hash.
    let names: Vec<String> = std::fs::read_dir(out.join("guides"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("wide chart-"))
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(
        names.iter().all(|n| {
            let rest = n
                .strip_prefix("wide chart-")
                .unwrap()
                .strip_suffix(".png")
                .unwrap();
            let (w, hash) = rest.split_once("w-").unwrap();
            w.parse::<u32>().is_ok()
                && hash.len() == 8
                && hash.chars().all(|c| c.is_ascii_hexdigit())
        }),
        "{names:?}"
    );
}

#[test]
fn copies_are_the_same_bytes_with_the_cache_without_it_and_after_it_is_damaged() {
    let tmp = tempfile::tempdir().unwrap();
    site(tmp.path());
    let cache = tmp.path().join(".hubgen-cache/images");
    build_ok(tmp.path(), &tmp.path().join("first"), &[]);
    let first = snapshot(&tmp.path().join("first"));
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 4 + 2 + 2, "one entry per copy: {entries:?}");

    // From the cache.
    build_ok(tmp.path(), &tmp.path().join("cached"), &[]);
    assert_eq!(first, snapshot(&tmp.path().join("cached")));

    // Every entry damaged: none is trusted, each is made again.
    for e in &entries {
        let mut bytes = std::fs::read(e).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(e, &bytes).unwrap();
    }
    std::fs::write(&entries[0], b"").unwrap();
    build_ok(tmp.path(), &tmp.path().join("damaged"), &[]);
    assert_eq!(first, snapshot(&tmp.path().join("damaged")));
    for e in &entries {
        let again = std::fs::read(e).unwrap();
        assert!(again.len() > 32, "{} made again", e.display());
    }

    // Without a cache, and where none can be made: the same site.
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::write(&cache, "not a folder").unwrap();
    build_ok(tmp.path(), &tmp.path().join("uncached"), &[]);
    assert_eq!(first, snapshot(&tmp.path().join("uncached")));
}

#[test]
fn a_picture_that_cannot_be_decoded_fails_the_build_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    site(tmp.path());
    let chart = tmp.path().join("content/guides/wide chart.png");
    let mut bytes = std::fs::read(&chart).unwrap();
    // The header still says 1800 × 900; the picture itself is cut short.
    bytes.truncate(200);
    std::fs::write(&chart, bytes).unwrap();
    let out = tmp.path().join("out");
    let o = hubgen(tmp.path(), &["build", "--output", out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("content/guides/wide chart.png"), "{err}");
    assert!(err.contains("cannot be read"), "{err}");
    assert!(!out.exists(), "nothing is written");
    // `hubgen check` says the same.
    let o = hubgen(tmp.path(), &["check"]);
    assert!(!o.status.success());
    let err = stdout(&o) + &stderr(&o);
    assert!(
        err.contains("content/guides/wide chart.png") && err.contains("cannot be read"),
        "{err}"
    );
}
