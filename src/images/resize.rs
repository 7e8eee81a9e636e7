//! Decoding, resizing and encoding one copy with the `image` crate.
//!
//! Every step is pure Rust and deterministic: the same original and width
//! give the same bytes on every machine, which keeps builds reproducible.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageEncoder, ImageFormat, ImageReader};

use super::{Format, Variant};

/// JPEG quality of the copies: no visible loss at the sizes shown, about a
/// third of the bytes of quality 95.
const JPEG_QUALITY: u8 = 82;

/// The bytes of `variant`, made from the bytes of its original.
pub(super) fn resized(original: &[u8], variant: &Variant) -> Result<Vec<u8>, String> {
    let format = match variant.format {
        Format::Png => ImageFormat::Png,
        Format::Jpeg => ImageFormat::Jpeg,
        Format::WebP => ImageFormat::WebP,
    };
    let mut reader = ImageReader::new(Cursor::new(original));
    reader.set_format(format);
    let picture = reader.decode().map_err(|e| e.to_string())?;
    // Lanczos3: the sharpest of the filters for shrinking photos and charts.
    let small = picture.resize_exact(variant.width, variant.height, FilterType::Lanczos3);
    let mut out = Vec::new();
    match variant.format {
        Format::Png => small.write_with_encoder(PngEncoder::new_with_quality(
            &mut out,
            CompressionType::Default,
            PngFilter::Adaptive,
        )),
        Format::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(small.to_rgb8());
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
        }
        Format::WebP => {
            let (w, h) = (small.width(), small.height());
            if small.color().has_alpha() {
                let rgba = small.to_rgba8();
                WebPEncoder::new_lossless(&mut out).write_image(
                    &rgba,
                    w,
                    h,
                    image::ExtendedColorType::Rgba8,
                )
            } else {
                let rgb = small.to_rgb8();
                WebPEncoder::new_lossless(&mut out).write_image(
                    &rgb,
                    w,
                    h,
                    image::ExtendedColorType::Rgb8,
                )
            }
        }
    }
    .map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use image::{ImageBuffer, Rgb, Rgba};

    use super::super::{Format, Variant};
    use super::resized;

    fn variant(format: Format, width: u32, height: u32) -> Variant {
        Variant {
            original: PathBuf::from("a"),
            path: PathBuf::from("b"),
            width,
            height,
            hash: String::new(),
            format,
        }
    }

    fn encoded(format: image::ImageFormat, alpha: bool) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        if alpha {
            let img = ImageBuffer::from_fn(600, 300, |x, y| {
                Rgba([(x % 256) as u8, (y % 256) as u8, 90, 200])
            });
            img.write_to(&mut out, format).expect("encoded");
        } else {
            let img =
                ImageBuffer::from_fn(600, 300, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
            img.write_to(&mut out, format).expect("encoded");
        }
        out.into_inner()
    }

    #[test]
    fn each_format_is_resized_to_the_width_asked_for_the_same_every_time() {
        for (format, ours, alpha) in [
            (image::ImageFormat::Png, Format::Png, true),
            (image::ImageFormat::Jpeg, Format::Jpeg, false),
            (image::ImageFormat::WebP, Format::WebP, true),
            (image::ImageFormat::WebP, Format::WebP, false),
        ] {
            let original = encoded(format, alpha);
            let v = variant(ours, 480, 240);
            let bytes = resized(&original, &v).expect("resized");
            assert_eq!(
                bytes,
                resized(&original, &v).expect("again"),
                "{format:?}: deterministic"
            );
            let back = image::load_from_memory_with_format(&bytes, format).expect("decodes");
            assert_eq!((back.width(), back.height()), (480, 240), "{format:?}");
            assert_eq!(
                back.color().has_alpha(),
                alpha && ours != Format::Jpeg,
                "{format:?}"
            );
        }
    }

    #[test]
    fn a_damaged_picture_is_an_error_not_a_panic() {
        let mut original = encoded(image::ImageFormat::Png, false);
        original.truncate(original.len() / 2);
        assert!(resized(&original, &variant(Format::Png, 480, 240)).is_err());
        assert!(resized(b"not a picture", &variant(Format::Jpeg, 480, 240)).is_err());
    }
}
