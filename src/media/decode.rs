//! Decode an image (bytes) to a small RGB8 buffer, large enough for the perceptual hashes.
//!
//! * JPEG: libjpeg-turbo (the `turbojpeg` crate) with DCT-domain scaling (1/2 … 1/8): the
//!   smallest scale that keeps the short side ≥ [`TARGET_SHORT_SIDE`] px (PDQ filters down to
//!   64×64; dHash/pHash need less), so a 12 MP photo is decoded to 500×375. What remains is the
//!   Huffman decoding of every coefficient, which no scaling avoids. When that scale is 1/8 (every
//!   photo of 1 MP and more), our own DC-only decoder ([`super::dcjpeg`]) runs first: it gives
//!   the same pixels as libjpeg-turbo at 1/8 about 1.8× as fast by skipping the AC coefficients
//!   through tables, and leaves every file it does not handle or finds odd (progressive, CMYK,
//!   truncated …) to libjpeg-turbo. A JPEG that libjpeg-turbo
//!   refuses (CMYK, a truncated file, …) is tried again with the pure-Rust `jpeg-decoder` at the
//!   same scale; [`JpegBackend`] chooses one decoder explicitly (benchmarks, tests).
//!   libjpeg-turbo is C: it is fuzzed continuously upstream, and it runs here under the same time
//!   limit as every decoder, but a memory-safety bug in it would not be caught as a panic.
//! * PNG, GIF (first frame), BMP, TIFF, WebP: the `image` crate, full decode, then a fast
//!   area-average thumbnail down to a short side of at most [`MAX_SHORT_SIDE`].
//! * HEIC/HEIF: no registry decoder is available here → [`DecodeError::Unsupported`].
//! * EXIF orientation (read with `kamadak-exif`) is applied after decoding, so a portrait photo
//!   stored sideways hashes like its upright copies.
//!
//! [`decode_with_timeout`] runs the decoder on a decoder thread with a time limit and catches
//! panics: a damaged or hostile file gives a reason, never a hang or a crash. Each calling thread
//! keeps one decoder thread for all its images; one that overruns keeps running until its
//! decoder returns (Rust cannot kill a thread) and is replaced; the caller moves on.

use std::io::Cursor;
use std::sync::mpsc;
use std::time::Duration;

use image::{DynamicImage, RgbImage};

/// Wanted minimum short side of the decoded image (JPEG scale selection).
pub const TARGET_SHORT_SIDE: u32 = 128;
/// Non-JPEG images are thumbnailed to at most this short side.
pub const MAX_SHORT_SIDE: u32 = 256;
/// Default per-image decode time limit.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest allocation a decoder may make (bytes).
const MAX_ALLOC: u64 = 1 << 30;
/// Largest picture (pixels) decoded whole (every format but JPEG, which is decoded scaled):
/// above it the image is recorded `unsupported` with its size, before any pixel is decoded.
pub const MAX_PIXELS: u64 = 128_000_000;

/// A decoded image.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// Packed RGB8, `w × h × 3` bytes, orientation applied.
    pub rgb: RgbImage,
    /// Width of the original (from the header, before orientation).
    pub orig_w: u32,
    /// Height of the original (from the header, before orientation).
    pub orig_h: u32,
    /// Format decoded (`jpeg`, `png` …).
    pub format: &'static str,
}

/// Why an image could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// No decoder for this format.
    #[error("unsupported format: {0}")]
    Unsupported(String),
    /// The bytes are not a valid image.
    #[error("{0}")]
    Corrupt(String),
    /// The decoder ran over its time limit.
    #[error("decode exceeded {0} s")]
    Timeout(u64),
}

impl DecodeError {
    /// Status recorded in `image_hashes.status`.
    pub fn status(&self) -> &'static str {
        match self {
            DecodeError::Unsupported(_) => "unsupported",
            DecodeError::Corrupt(_) => "corrupt",
            DecodeError::Timeout(_) => "timeout",
        }
    }
}

/// Format name from the magic bytes (the same rules as the ingest sniffer, images only).
pub fn image_format(b: &[u8]) -> Option<&'static str> {
    let at = |off: usize, m: &[u8]| b.len() >= off + m.len() && &b[off..off + m.len()] == m;
    if b.starts_with(b"\xFF\xD8\xFF") {
        Some("jpeg")
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some("gif")
    } else if b.starts_with(b"RIFF") && at(8, b"WEBP") {
        Some("webp")
    } else if b.starts_with(b"BM") && b.len() >= 14 {
        Some("bmp")
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") || b.starts_with(b"II+\0") || b.starts_with(b"MM\0+") {
        Some("tiff")
    } else if at(4, b"ftyp") {
        match b.get(8..12).unwrap_or(b"") {
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis" | b"hevc" => Some("heic"),
            b"avif" => Some("avif"),
            _ => None,
        }
    } else {
        None
    }
}

/// The header of a JPEG: the bytes before its first scan (SOS), where APP1/EXIF must be. The
/// EXIF reader otherwise walks the whole entropy-coded data of a file without EXIF looking for
/// markers. `None` when the segments do not parse (the caller then gives the whole file).
fn jpeg_header(b: &[u8]) -> Option<&[u8]> {
    if !b.starts_with(b"\xFF\xD8") {
        return None;
    }
    let mut i = 2;
    loop {
        if *b.get(i)? != 0xFF {
            return None;
        }
        while *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        let m = *b.get(i + 1)?;
        match m {
            0xDA | 0xD9 => return Some(&b[..i]),
            0x01 | 0xD0..=0xD7 => i += 2,
            _ => {
                let len = usize::from(u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]));
                if len < 2 {
                    return None;
                }
                i += 2 + len;
            }
        }
    }
}

/// EXIF orientation (1–8) of an image, when it has one.
pub fn exif_orientation(bytes: &[u8]) -> Option<u8> {
    let bytes = if image_format(bytes) == Some("jpeg") { jpeg_header(bytes).unwrap_or(bytes) } else { bytes };
    let exif = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)).ok()?;
    let v = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?.value.get_uint(0)?;
    u8::try_from(v).ok().filter(|v| (1..=8).contains(v))
}

/// Which JPEG decoder [`decode_small_with`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JpegBackend {
    /// The DC decoder when the scale is 1/8, else (or when it declines the file) libjpeg-turbo,
    /// then `jpeg-decoder` if libjpeg-turbo refuses the file (the default).
    Auto,
    /// The DC decoder ([`super::dcjpeg`]) only: an error when the scale is not 1/8 or the file is
    /// not one it handles.
    Dc,
    /// libjpeg-turbo only.
    Turbo,
    /// `jpeg-decoder` (pure Rust) only.
    Rust,
}

/// Decode `bytes` to a small RGB8 image (see the module docs). Runs on the calling thread, with
/// no time limit and no panic guard: use [`decode_with_timeout`] on evidence.
pub fn decode_small(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    decode_small_with(bytes, JpegBackend::Auto)
}

/// [`decode_small`] with a chosen JPEG decoder.
pub fn decode_small_with(bytes: &[u8], backend: JpegBackend) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Corrupt("empty file (0 bytes)".into()));
    }
    let format = image_format(bytes).ok_or_else(|| DecodeError::Corrupt("not a recognised image (bad signature)".into()))?;
    let (img, orig_w, orig_h) = match format {
        "heic" => return Err(DecodeError::Unsupported("HEIC (no decoder)".into())),
        "avif" => return Err(DecodeError::Unsupported("AVIF (no decoder)".into())),
        "jpeg" => decode_jpeg(bytes, backend)?,
        _ => decode_other(bytes, format)?,
    };
    let mut img = img;
    if let Some(o) = exif_orientation(bytes).and_then(image::metadata::Orientation::from_exif) {
        img.apply_orientation(o);
    }
    let rgb = img.into_rgb8();
    if rgb.width() == 0 || rgb.height() == 0 {
        return Err(DecodeError::Corrupt("decoded to an empty image".into()));
    }
    Ok(Decoded { rgb, orig_w, orig_h, format })
}

/// Scaled size `(w, h)` wanted for a `ow × oh` JPEG: the short side brought down to
/// [`TARGET_SHORT_SIDE`] (each decoder then picks the smallest DCT scale at least that big).
fn wanted_size(ow: u32, oh: u32) -> (u32, u32) {
    let short = ow.min(oh);
    if short <= TARGET_SHORT_SIDE {
        (ow, oh)
    } else {
        let f = f64::from(TARGET_SHORT_SIDE) / f64::from(short);
        ((f64::from(ow) * f).ceil() as u32, (f64::from(oh) * f).ceil() as u32)
    }
}

/// Whether libjpeg-turbo's scale for a `ow × oh` JPEG is 1/8 (see [`decode_jpeg_turbo`]).
pub fn eighth_is_wanted(ow: u32, oh: u32) -> bool {
    let (rw, rh) = wanted_size(ow, oh);
    ow.div_ceil(8) >= rw && oh.div_ceil(8) >= rh
}

/// The DC decoder at 1/8 scale, when that is the scale wanted.
fn decode_jpeg_dc(bytes: &[u8]) -> Result<(DynamicImage, u32, u32), DecodeError> {
    use super::dcjpeg::{DcError, decode_eighth};
    match decode_eighth(bytes, eighth_is_wanted) {
        Ok(d) => Ok((DynamicImage::ImageRgb8(d.rgb), d.orig_w, d.orig_h)),
        Err(e @ DcError::NotHandled(_)) => Err(DecodeError::Unsupported(e.to_string())),
        Err(e @ DcError::Corrupt(_)) => Err(DecodeError::Corrupt(e.to_string())),
    }
}

fn decode_jpeg(bytes: &[u8], backend: JpegBackend) -> Result<(DynamicImage, u32, u32), DecodeError> {
    match backend {
        JpegBackend::Dc => decode_jpeg_dc(bytes),
        JpegBackend::Turbo => decode_jpeg_turbo(bytes),
        JpegBackend::Rust => decode_jpeg_rust(bytes),
        JpegBackend::Auto => decode_jpeg_dc(bytes).or_else(|_| decode_jpeg_turbo(bytes)).or_else(|turbo| {
            decode_jpeg_rust(bytes).map_err(|rust| match (turbo, rust) {
                (DecodeError::Corrupt(t), DecodeError::Corrupt(r)) => DecodeError::Corrupt(format!("{r} (libjpeg-turbo: {t})")),
                (_, r) => r,
            })
        }),
    }
}

/// libjpeg-turbo at the smallest of 1/8, 1/4, 1/2, 1 whose size is at least [`wanted_size`].
fn decode_jpeg_turbo(bytes: &[u8]) -> Result<(DynamicImage, u32, u32), DecodeError> {
    use turbojpeg::{Decompressor, Image, PixelFormat, ScalingFactor};
    let mut dec = Decompressor::new().map_err(|e| DecodeError::Corrupt(format!("libjpeg-turbo: {e}")))?;
    let header = dec.read_header(bytes).map_err(|e| DecodeError::Corrupt(format!("JPEG header: {e}")))?;
    let (ow, oh) = (u32::try_from(header.width).unwrap_or(0), u32::try_from(header.height).unwrap_or(0));
    if ow == 0 || oh == 0 {
        return Err(DecodeError::Corrupt(format!("JPEG header: size {}×{}", header.width, header.height)));
    }
    let (rw, rh) = wanted_size(ow, oh);
    let factor = if header.is_lossless {
        ScalingFactor::ONE
    } else {
        [ScalingFactor::ONE_EIGHTH, ScalingFactor::ONE_QUARTER, ScalingFactor::ONE_HALF]
            .into_iter()
            .find(|f| f.scale(header.width) >= rw as usize && f.scale(header.height) >= rh as usize)
            .unwrap_or(ScalingFactor::ONE)
    };
    dec.set_scaling_factor(factor).map_err(|e| DecodeError::Corrupt(format!("JPEG scale: {e}")))?;
    let (w, h) = (factor.scale(header.width), factor.scale(header.height));
    let len = w.checked_mul(h).and_then(|n| n.checked_mul(3)).filter(|&n| n as u64 <= MAX_ALLOC);
    let Some(len) = len else {
        return Err(DecodeError::Unsupported(format!("JPEG of {ow}×{oh}: decoded size over the {} MiB limit", MAX_ALLOC >> 20)));
    };
    let mut img = Image { pixels: vec![0u8; len], width: w, pitch: 3 * w, height: h, format: PixelFormat::RGB };
    dec.decompress(bytes, img.as_deref_mut()).map_err(|e| DecodeError::Corrupt(format!("JPEG data: {e}")))?;
    let (w32, h32) = (u32::try_from(w).unwrap_or(0), u32::try_from(h).unwrap_or(0));
    let rgb = RgbImage::from_raw(w32, h32, img.pixels).ok_or_else(|| DecodeError::Corrupt("JPEG: buffer size mismatch".into()))?;
    Ok((DynamicImage::ImageRgb8(rgb), ow, oh))
}

/// `jpeg-decoder` (pure Rust) at the smallest of 1/8 … 1 whose size is at least [`wanted_size`].
fn decode_jpeg_rust(bytes: &[u8]) -> Result<(DynamicImage, u32, u32), DecodeError> {
    let mut dec = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    dec.set_max_decoding_buffer_size(MAX_ALLOC as usize);
    dec.read_info().map_err(|e| DecodeError::Corrupt(format!("JPEG header: {e}")))?;
    let info = dec.info().ok_or_else(|| DecodeError::Corrupt("JPEG header: no frame".into()))?;
    let (ow, oh) = (u32::from(info.width), u32::from(info.height));
    if ow == 0 || oh == 0 {
        return Err(DecodeError::Corrupt(format!("JPEG header: size {ow}×{oh}")));
    }
    // Smallest DCT scale (1/8 … 1/1) whose short side stays ≥ TARGET_SHORT_SIDE.
    let (rw, rh) = wanted_size(ow, oh);
    let (sw, sh) = dec
        .scale(u16::try_from(rw.max(1)).unwrap_or(u16::MAX), u16::try_from(rh.max(1)).unwrap_or(u16::MAX))
        .map_err(|e| DecodeError::Corrupt(format!("JPEG scale: {e}")))?;
    let pixels = dec.decode().map_err(|e| DecodeError::Corrupt(format!("JPEG data: {e}")))?;
    let info = dec.info().ok_or_else(|| DecodeError::Corrupt("JPEG: no frame".into()))?;
    let bpp = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => 1,
        jpeg_decoder::PixelFormat::L16 => 2,
        jpeg_decoder::PixelFormat::RGB24 => 3,
        jpeg_decoder::PixelFormat::CMYK32 => 4,
    };
    // The scaled size is what `scale` returned; fall back to the frame's size if they disagree.
    let (w, h) = if (sw as usize) * (sh as usize) * bpp == pixels.len() { (u32::from(sw), u32::from(sh)) } else { (u32::from(info.width), u32::from(info.height)) };
    let n = (w as usize) * (h as usize);
    let rgb: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&v| [v, v, v]).collect(),
        jpeg_decoder::PixelFormat::L16 => pixels.chunks_exact(2).flat_map(|c| [c[0], c[0], c[0]]).collect(),
        jpeg_decoder::PixelFormat::CMYK32 => pixels
            .chunks_exact(4)
            .flat_map(|p| {
                // jpeg-decoder un-inverts Adobe CMYK (and converts YCCK), so these are amounts of
                // ink: R = (255 − C)(255 − K) / 255, the naive conversion (no colour profile).
                let (k, ink) = (255 - u16::from(p[3]), |c: u8| 255 - u16::from(c));
                [(ink(p[0]) * k / 255) as u8, (ink(p[1]) * k / 255) as u8, (ink(p[2]) * k / 255) as u8]
            })
            .collect(),
    };
    if rgb.len() != n * 3 {
        return Err(DecodeError::Corrupt(format!("JPEG: decoded {} bytes for {w}×{h}", rgb.len())));
    }
    let img = RgbImage::from_raw(w, h, rgb).ok_or_else(|| DecodeError::Corrupt("JPEG: buffer size mismatch".into()))?;
    Ok((DynamicImage::ImageRgb8(img), ow, oh))
}

fn decode_other(bytes: &[u8], format: &'static str) -> Result<(DynamicImage, u32, u32), DecodeError> {
    let fmt = match format {
        "png" => image::ImageFormat::Png,
        "gif" => image::ImageFormat::Gif,
        "bmp" => image::ImageFormat::Bmp,
        "tiff" => image::ImageFormat::Tiff,
        "webp" => image::ImageFormat::WebP,
        other => return Err(DecodeError::Unsupported(other.to_uppercase())),
    };
    let upper = format.to_uppercase();
    let limits = || {
        let mut l = image::Limits::default();
        l.max_alloc = Some(MAX_ALLOC);
        l
    };
    let why = |e: image::ImageError| match e {
        image::ImageError::Unsupported(u) => DecodeError::Unsupported(format!("{upper}: {u}")),
        image::ImageError::Limits(l) => DecodeError::Unsupported(format!("{upper}: {l} (decoding limit {} MiB)", MAX_ALLOC >> 20)),
        other => DecodeError::Corrupt(format!("{upper}: {other}")),
    };
    // The header first: these formats are decoded whole, so a small file declaring a huge
    // picture (a decompression bomb, or a giant scan) is refused before any pixel is decoded.
    let mut probe = image::ImageReader::with_format(Cursor::new(bytes), fmt);
    probe.limits(limits());
    let (ow, oh) = probe.into_dimensions().map_err(&why)?;
    let pixels = u64::from(ow) * u64::from(oh);
    if pixels > MAX_PIXELS {
        return Err(DecodeError::Unsupported(format!(
            "{upper} of {ow}×{oh} ({} megapixels): above the {} megapixels decoded whole (only JPEG is decoded scaled); not decoded",
            pixels / 1_000_000,
            MAX_PIXELS / 1_000_000
        )));
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), fmt);
    reader.limits(limits());
    let img = reader.decode().map_err(&why)?;
    let (ow, oh) = (img.width(), img.height());
    let short = ow.min(oh);
    let img = if short > MAX_SHORT_SIDE {
        let f = f64::from(MAX_SHORT_SIDE) / f64::from(short);
        let (nw, nh) = (((f64::from(ow) * f).round() as u32).max(1), ((f64::from(oh) * f).round() as u32).max(1));
        // Area-average in the decoded pixel type, then convert the small result: no full-size
        // RGB copy (a grey picture would triple in memory).
        DynamicImage::ImageRgb8(img.thumbnail_exact(nw, nh).into_rgb8())
    } else {
        img
    };
    Ok((img, ow, oh))
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_else(|| "unknown panic".into())
}

/// A job for a decoder thread.
type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// The calling thread's decoder thread (its job queue): long-lived, so its allocations are
    /// reused from image to image instead of a new thread (stack, heap arena, page faults) per
    /// image. Replaced when an image overruns its time limit (the busy thread is abandoned and
    /// ends once its job returns, its queue being closed); ends with the calling thread.
    static DECODER: std::cell::RefCell<Option<mpsc::Sender<Job>>> = const { std::cell::RefCell::new(None) };
}

/// Queue `job` on this thread's decoder thread, starting one when there is none or it ended.
fn send_to_decoder(job: Job) -> std::io::Result<()> {
    DECODER.with(|slot| {
        let mut slot = slot.borrow_mut();
        let job = match slot.as_ref() {
            Some(queue) => match queue.send(job) {
                Ok(()) => return Ok(()),
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new().name("tl-decode".into()).spawn(move || {
            for job in rx {
                job();
            }
        })?;
        tx.send(job).map_err(|_| std::io::Error::other("the decoder thread ended at once"))?;
        *slot = Some(tx);
        Ok(())
    })
}

/// Forget this thread's decoder thread (it overran: it keeps running until its job returns).
fn abandon_decoder() {
    DECODER.with(|slot| slot.borrow_mut().take());
}

/// [`decode_small`] then `f` on the result, on a decoder thread with a time limit; panics become
/// [`DecodeError::Corrupt`].
pub fn decode_with_timeout<T: Send + 'static>(
    bytes: Vec<u8>,
    timeout: Duration,
    f: impl FnOnce(Decoded) -> T + Send + 'static,
) -> Result<T, DecodeError> {
    let (tx, rx) = mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_small(&bytes).map(f)));
        let _ = tx.send(r.unwrap_or_else(|p| Err(DecodeError::Corrupt(format!("decoder panicked: {}", panic_text(&*p))))));
    });
    if let Err(e) = send_to_decoder(job) {
        return Err(DecodeError::Corrupt(format!("could not start a decoder thread: {e}")));
    }
    match rx.recv_timeout(timeout) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            abandon_decoder();
            Err(DecodeError::Timeout(timeout.as_secs().max(1)))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            abandon_decoder();
            Err(DecodeError::Corrupt("decoder thread ended without a result".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap_or_default();
        out
    }

    #[test]
    fn jpeg_is_decoded_scaled() {
        let d = decode_small(&jpeg(800, 600)).unwrap();
        assert_eq!((d.orig_w, d.orig_h), (800, 600));
        assert_eq!((d.rgb.width(), d.rgb.height()), (200, 150));
        // 1/2 when 1/4 would fall under the target; no scaling for small images.
        assert_eq!(decode_small(&jpeg(400, 300)).unwrap().rgb.dimensions(), (200, 150));
        assert_eq!(decode_small(&jpeg(60, 40)).unwrap().rgb.dimensions(), (60, 40));
    }

    #[test]
    fn exif_orientation_is_read_from_the_jpeg_header() {
        // A JPEG with an APP1 EXIF segment saying orientation 6, inserted after SOI.
        let j = jpeg(80, 60);
        let tiff: &[u8] = &[b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0];
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(tiff);
        let mut with = vec![0xFF, 0xD8, 0xFF, 0xE1];
        with.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        with.extend_from_slice(&app1);
        with.extend_from_slice(&j[2..]);
        let header = jpeg_header(&with).unwrap();
        assert!(header.len() < with.len() / 2 && header.len() > app1.len());
        assert_eq!(exif_orientation(&with), Some(6));
        assert_eq!(exif_orientation(&j), None);
        // Rotated by 90°: 80×60 becomes 60×80.
        assert_eq!(decode_small(&with).unwrap().rgb.dimensions(), (60, 80));
        assert_eq!(jpeg_header(b"\xFF\xD8\xFF\xE1\x00"), None);
    }

    #[test]
    fn both_jpeg_decoders_agree() {
        let j = jpeg(800, 600);
        let t = decode_small_with(&j, JpegBackend::Turbo).unwrap();
        let r = decode_small_with(&j, JpegBackend::Rust).unwrap();
        assert_eq!(t.rgb.dimensions(), r.rgb.dimensions());
        let diff = t.rgb.as_raw().iter().zip(r.rgb.as_raw()).map(|(a, b)| u64::from(a.abs_diff(*b))).sum::<u64>() as f64 / t.rgb.as_raw().len() as f64;
        assert!(diff < 3.0, "mean difference {diff}");
    }

    #[test]
    fn a_truncated_jpeg_gets_a_reason_from_both_decoders() {
        let mut j = jpeg(800, 600);
        j.truncate(200);
        let e = decode_small(&j).unwrap_err();
        assert_eq!(e.status(), "corrupt", "{e}");
    }

    #[test]
    fn bad_inputs_give_reasons() {
        assert_eq!(decode_small(b"").unwrap_err().status(), "corrupt");
        assert_eq!(decode_small(b"\0\0\0\x18ftypheic\0\0\0\0").unwrap_err().to_string(), "unsupported format: HEIC (no decoder)");
        let mut j = jpeg(300, 200);
        j.truncate(j.len() / 3);
        let _ = decode_small(&j);
        assert!(decode_small(b"\xFF\xD8\xFF\xE0garbage").is_err());
        let r = decode_with_timeout(b"\x89PNG\r\n\x1a\n\0\0".to_vec(), Duration::from_secs(5), |d| d.rgb.width());
        assert_eq!(r.unwrap_err().status(), "corrupt");
    }

    #[test]
    fn an_overrun_is_a_timeout_and_the_next_image_gets_a_fresh_decoder() {
        let j = jpeg(64, 48);
        let t0 = std::time::Instant::now();
        let r = decode_with_timeout(j.clone(), Duration::from_millis(100), |d| {
            std::thread::sleep(Duration::from_secs(3));
            d.rgb.width()
        });
        assert_eq!(r.unwrap_err(), DecodeError::Timeout(1));
        // Not a speed limit: the stuck job sleeps 3 s, so returning sooner means not waiting for it.
        assert!(t0.elapsed() < Duration::from_secs(3), "the caller waited for the stuck decoder");
        // The stuck thread is abandoned: the next image on this thread does not queue behind it
        // (queued, it would still be waiting when its own 2 s limit ran out).
        assert_eq!(decode_with_timeout(j.clone(), Duration::from_secs(2), |d| d.rgb.width()), Ok(64));
        // A panic is a reason, and the decoder thread survives it.
        let p = decode_with_timeout(j.clone(), Duration::from_secs(5), |_| -> u32 { panic!("boom") });
        assert_eq!(p.unwrap_err(), DecodeError::Corrupt("decoder panicked: boom".into()));
        assert_eq!(decode_with_timeout(j, Duration::from_secs(5), |d| d.rgb.height()), Ok(48));
    }

    /// A PNG whose header declares `w × h` 8-bit grey, with `rows` rows of zeros compressed
    /// (a decompression bomb when `rows == h`; truncated data otherwise).
    fn grey_png(w: u32, h: u32, rows: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let mut crc = flate2::Crc::new();
            crc.update(&out[start..]);
            out.extend_from_slice(&crc.sum().to_be_bytes());
        }
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let row = vec![0u8; w as usize + 1];
        for _ in 0..rows {
            std::io::Write::write_all(&mut z, &row).unwrap();
        }
        chunk(&mut out, b"IDAT", &z.finish().unwrap());
        chunk(&mut out, b"IEND", &[]);
        out
    }

    #[test]
    fn a_huge_picture_is_refused_from_its_header() {
        // 30000×30000 declared, 20 rows present: refused before decoding, as unsupported.
        let bomb = grey_png(30_000, 30_000, 20);
        assert!(bomb.len() < 10_000);
        let e = decode_small(&bomb).unwrap_err();
        assert_eq!(e.status(), "unsupported", "{e}");
        assert!(e.to_string().contains("30000×30000 (900 megapixels)"), "{e}");
        // Under the limit, the same kind of file decodes (small, grey).
        let ok = grey_png(600, 400, 400);
        let d = decode_small(&ok).unwrap();
        assert_eq!((d.orig_w, d.orig_h, d.rgb.dimensions()), (600, 400, (384, 256)));
        assert_eq!(d.rgb.get_pixel(10, 10).0, [0, 0, 0]);
    }

    #[test]
    fn a_cmyk_jpeg_decodes_to_its_colours() {
        // Adobe CMYK as Photoshop and Pillow store it (inverted: 255 − ink), coded as YCCK by
        // libjpeg-turbo: left half red (no cyan, full magenta and yellow), right half grey.
        let (w, h) = (64usize, 48usize);
        let mut px = Vec::with_capacity(w * h * 4);
        for _ in 0..h {
            for x in 0..w {
                px.extend_from_slice(if x < w / 2 { &[255, 0, 0, 255] } else { &[128, 128, 128, 255] });
            }
        }
        let img = turbojpeg::Image { pixels: px.as_slice(), width: w, pitch: w * 4, height: h, format: turbojpeg::PixelFormat::CMYK };
        let jpeg = turbojpeg::compress(img, 95, turbojpeg::Subsamp::None).unwrap().to_vec();
        let d = decode_small(&jpeg).unwrap();
        let near = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 6);
        assert!(near(d.rgb.get_pixel(4, 10).0, [255, 0, 0]), "{:?}", d.rgb.get_pixel(4, 10));
        assert!(near(d.rgb.get_pixel(60, 10).0, [128, 128, 128]), "{:?}", d.rgb.get_pixel(60, 10));
    }
}
