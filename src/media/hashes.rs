//! Perceptual hashes of a decoded (small) RGB image: dHash and pHash (64 bits each, from
//! `image_hasher`), PDQ (256 bits + quality, our conformance-tested port) and extra PDQ
//! [`Variant`]s used for matching only ([`super::matching`] says which variant meets which):
//!
//! * the left–right mirror (derived from the DCT coefficients, no re-hash): messengers and ad
//!   pages mirror pictures;
//! * the PDQ of the *content box* and its mirror, when flat bands (letterboxing, the empty areas
//!   of a phone screenshot) surround the picture: the box is the longest run of rows (then
//!   columns) that are not flat. Only computed when the box is at most 90 % of the image;
//! * centred crops of the picture (the box, or the whole image) at 95 % … 70 % of each side, so
//!   a copy cropped around the centre still meets its original (PDQ alone is ~100 bits off at
//!   a 20 % crop, but within a few bits of the original's crop at the nearest 5 % step);
//! * the top and bottom three quarters of the picture (and their mirrors), so a caption or
//!   banner across one edge (which moves ~50 bits of the whole-image PDQ) leaves the other
//!   three quarters comparable.
//!
//! Variants whose PDQ quality is below [`pdq::MIN_USEFUL_QUALITY`] are dropped.

use image::RgbImage;
use image_hasher::{FilterType, HashAlg, HasherConfig};

use super::pdq::{self, Pdq};

/// A PDQ variant of an image, see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Whole image mirrored left–right.
    Mirror,
    /// Content box (flat bands cut).
    Box,
    /// Content box mirrored.
    BoxMirror,
    /// Centred crop of the picture, keeping this percentage of each side.
    Crop(u8),
    /// Top three quarters of the picture.
    Top,
    /// Top three quarters, mirrored.
    TopMirror,
    /// Bottom three quarters of the picture.
    Bottom,
    /// Bottom three quarters, mirrored.
    BottomMirror,
}

/// Crop percentages computed (each side).
pub const CROPS: [u8; 6] = [95, 90, 85, 80, 75, 70];

impl Variant {
    /// Short code stored in `image_hashes.pdq_alt` (`code:hex`).
    pub fn code(&self) -> String {
        match self {
            Variant::Mirror => "m".into(),
            Variant::Box => "b".into(),
            Variant::BoxMirror => "bm".into(),
            Variant::Crop(p) => format!("c{p}"),
            Variant::Top => "t".into(),
            Variant::TopMirror => "tm".into(),
            Variant::Bottom => "u".into(),
            Variant::BottomMirror => "um".into(),
        }
    }

    /// Inverse of [`Variant::code`].
    pub fn from_code(s: &str) -> Option<Variant> {
        Some(match s {
            "m" => Variant::Mirror,
            "b" => Variant::Box,
            "bm" => Variant::BoxMirror,
            "t" => Variant::Top,
            "tm" => Variant::TopMirror,
            "u" => Variant::Bottom,
            "um" => Variant::BottomMirror,
            c => Variant::Crop(c.strip_prefix('c')?.parse().ok().filter(|p| CROPS.contains(p))?),
        })
    }
}

/// Hashes of one image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageHashes {
    /// Width of the original (header).
    pub width: u32,
    /// Height of the original (header).
    pub height: u32,
    /// Width of the decoded image the hashes were computed from.
    pub decoded_w: u32,
    /// Height of the decoded image.
    pub decoded_h: u32,
    /// dHash (gradient, 8×8), 64 bits.
    pub dhash: u64,
    /// pHash (DCT + median, 8×8), 64 bits.
    pub phash: u64,
    /// PDQ of the whole image.
    pub pdq: Pdq,
    /// Extra PDQ hashes for matching (mirror, content box, crops, bands).
    pub pdq_alt: Vec<(Variant, [u8; 32])>,
}

fn hash64(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    for (d, s) in b.iter_mut().zip(bytes) {
        *d = *s;
    }
    u64::from_be_bytes(b)
}

/// The `image` crate's grey value of an RGB pixel (`rgb_to_luma`: integer sRGB luma weights,
/// truncated), written out so that the conversion is one vectorised pass over the buffer
/// (`imageops::grayscale` goes pixel by pixel through generic colour conversions).
#[inline(always)]
fn grey(r: u8, g: u8, b: u8) -> u8 {
    ((2126 * u32::from(r) + 7152 * u32::from(g) + 722 * u32::from(b)) / 10_000) as u8
}

/// `image::imageops::resize(…, FilterType::Triangle)` of a grey image (`w × h`, row-major),
/// with the same pixels: the same `f32` weights (computed as the crate computes them), the same
/// order of multiplications and additions per output sample (vertical pass, then horizontal,
/// each starting from 0), the same clamp and rounding. The crate converts every pixel to four
/// `f32` channels and reads them one by one through its generic accessors; here the vertical
/// pass runs along whole rows (vectorised), which is what makes it ~10× as fast on a 500×375
/// decode.
pub fn resize_triangle(src: &[u8], w: usize, h: usize, nw: usize, nh: usize) -> Vec<u8> {
    if nw == 0 || nh == 0 {
        return Vec::new();
    }
    if w == 0 || h == 0 || src.len() != w * h {
        return vec![0; nw * nh];
    }
    if (nw, nh) == (w, h) {
        return src.to_vec();
    }
    let (vt, ht) = (triangle_taps(h, nh), triangle_taps(w, nw));
    let mut tmp = vec![0f32; nh * w];
    for ((left, ws), row) in vt.iter().zip(tmp.chunks_exact_mut(w)) {
        for (i, &wt) in ws.iter().enumerate() {
            let Some(s) = src.get((left + i) * w..(left + i + 1) * w) else { continue };
            for (t, &p) in row.iter_mut().zip(s) {
                *t += f32::from(p) * wt;
            }
        }
    }
    let mut out = vec![0u8; nw * nh];
    for (row, orow) in tmp.chunks_exact(w).zip(out.chunks_exact_mut(nw)) {
        for ((left, ws), o) in ht.iter().zip(orow.iter_mut()) {
            let mut t = 0f32;
            for (&v, &wt) in row[*left..].iter().zip(ws) {
                t += v * wt;
            }
            *o = t.clamp(0.0, 255.0).round() as u8;
        }
    }
    out
}

/// The triangle filter's taps for resampling `len` samples to `new`, as
/// `image::imageops::sample` computes them: per output sample, the first input sample and the
/// normalised weights.
fn triangle_taps(len: usize, new: usize) -> Vec<(usize, Vec<f32>)> {
    let ratio = len as f32 / new as f32;
    let sratio = if ratio < 1.0 { 1.0 } else { ratio };
    let support = sratio;
    (0..new)
        .map(|o| {
            let centre = (o as f32 + 0.5) * ratio;
            let left = ((centre - support).floor() as i64).clamp(0, len as i64 - 1);
            let right = ((centre + support).ceil() as i64).clamp(left + 1, len as i64);
            let centre = centre - 0.5;
            let mut ws = Vec::with_capacity((right - left) as usize);
            let mut sum = 0f32;
            for i in left..right {
                let x = (i as f32 - centre) / sratio;
                let wt = if x.abs() < 1.0 { 1.0 - x.abs() } else { 0.0 };
                ws.push(wt);
                sum += wt;
            }
            for wt in &mut ws {
                *wt /= sum;
            }
            (left as usize, ws)
        })
        .collect()
}

/// dHash and pHash of an RGB image.
pub fn dhash_phash(img: &RgbImage) -> (u64, u64) {
    thread_local! {
        // Built once per thread (the pHash one precomputes its DCT).
        static HASHERS: (image_hasher::Hasher, image_hasher::Hasher) = (
            HasherConfig::new().hash_alg(HashAlg::Gradient).hash_size(8, 8).resize_filter(FilterType::Triangle).to_hasher(),
            HasherConfig::new().hash_alg(HashAlg::Median).preproc_dct().hash_size(8, 8).resize_filter(FilterType::Triangle).to_hasher(),
        );
    }
    // One grey conversion, and the two resizes image_hasher would make (9×8 for the gradient
    // hash, 16×16 for the DCT one) made here the same way but faster: given an image of exactly
    // its size, image_hasher's own resize is a copy, so the hashes are image_hasher's.
    let (w, h) = (img.width() as usize, img.height() as usize);
    let gray: Vec<u8> = img.as_raw().chunks_exact(3).map(|p| grey(p[0], p[1], p[2])).collect();
    let small = |nw: u32, nh: u32| image::GrayImage::from_raw(nw, nh, resize_triangle(&gray, w, h, nw as usize, nh as usize)).map(image::DynamicImage::ImageLuma8);
    let (Some(g9), Some(g16)) = (small(9, 8), small(16, 16)) else { return (0, 0) };
    HASHERS.with(|(d, p)| (hash64(d.hash_image(&g9).as_bytes()), hash64(p.hash_image(&g16).as_bytes())))
}

/// Whether a line of luma values is flat (letterbox band).
fn flat(v: impl Iterator<Item = f32>) -> bool {
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for x in v {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    hi - lo <= 3.0
}

/// Longest run of `false` in `flags`: (start, len).
fn longest_run(flags: &[bool]) -> (usize, usize) {
    let (mut best, mut start) = ((0, 0), None);
    for (i, &f) in flags.iter().chain(std::iter::once(&true)).enumerate() {
        match (f, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                if i - s > best.1 {
                    best = (s, i - s);
                }
                start = None;
            }
            _ => {}
        }
    }
    best
}

/// Content box `(x, y, w, h)` of a luma image, when flat bands take at least 10 % of it.
pub fn content_box(luma: &[f32], w: usize, h: usize) -> Option<(usize, usize, usize, usize)> {
    if w < 16 || h < 16 || luma.len() != w * h {
        return None;
    }
    let rows: Vec<bool> = (0..h).map(|y| flat(luma[y * w..(y + 1) * w].iter().copied())).collect();
    let (y0, bh) = longest_run(&rows);
    let cols: Vec<bool> = (0..w).map(|x| flat((y0..y0 + bh).map(|y| luma[y * w + x]))).collect();
    let (x0, bw) = longest_run(&cols);
    let small = bw < 16 || bh < 16;
    let most = (bw * bh) as f64 > 0.9 * (w * h) as f64;
    (!small && !most).then_some((x0, y0, bw, bh))
}

/// PDQ (and the PDQ of its left–right mirror, hashed from mirrored pixels: deriving it from the
/// DCT coefficients is exact only on symmetric sampling grids, and ~40 bits off on small
/// decodes) of the sub-rectangle `(x0, y0, w, h)` of `luma` (row stride `stride`), when its
/// quality is useful.
fn sub_pdq(luma: &[f32], stride: usize, (x0, y0, w, h): (usize, usize, usize, usize), mirror: bool) -> Option<([u8; 32], Option<[u8; 32]>)> {
    if w < pdq::MIN_HASHABLE_DIM || h < pdq::MIN_HASHABLE_DIM {
        return None;
    }
    let mut sub: Vec<f32> = (y0..y0 + h).flat_map(|y| luma[y * stride + x0..y * stride + x0 + w].iter().copied()).collect();
    let f = pdq::pdq_float_from_luma(&sub, w, h).ok()?;
    if f.quality < pdq::MIN_USEFUL_QUALITY {
        return None;
    }
    let p = f.to_pdq().ok()?.hash;
    if !mirror {
        return Some((p, None));
    }
    for row in sub.chunks_exact_mut(w) {
        row.reverse();
    }
    let m = pdq::pdq_float_from_luma(&sub, w, h).ok().and_then(|f| f.to_pdq().ok()).map(|m| m.hash);
    Some((p, m))
}

/// Short side the variant hashes are computed at (at least; below twice this, no reduction).
pub const VARIANT_SHORT_SIDE: usize = 128;

/// Box-average `luma` by the largest integer factor that keeps the short side ≥
/// [`VARIANT_SHORT_SIDE`].
fn reduce(luma: Vec<f32>, w: usize, h: usize) -> (Vec<f32>, usize, usize) {
    let k = w.min(h) / VARIANT_SHORT_SIDE;
    if k < 2 {
        return (luma, w, h);
    }
    let (nw, nh) = (w / k, h / k);
    let mut out = vec![0f32; nw * nh];
    let inv = 1.0 / (k * k) as f32;
    for y in 0..nh {
        for dy in 0..k {
            let row = &luma[(y * k + dy) * w..(y * k + dy) * w + nw * k];
            for (x, o) in out[y * nw..(y + 1) * nw].iter_mut().enumerate() {
                *o += row[x * k..x * k + k].iter().sum::<f32>();
            }
        }
    }
    for v in &mut out {
        *v *= inv;
    }
    (out, nw, nh)
}

/// Every hash of a decoded image.
pub fn compute(img: &RgbImage, orig_w: u32, orig_h: u32) -> Result<ImageHashes, String> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let luma = pdq::luma_from_rgb8(img.as_raw(), w, h);
    let float = pdq::pdq_float_from_luma(&luma, w, h).map_err(|e| format!("PDQ: {e}"))?;
    let hash = float.to_pdq().map_err(|e| format!("PDQ: {e}"))?;
    // The variants are matching aids: computed on a box-averaged copy with a short side of
    // [`VARIANT_SHORT_SIDE`]–2× that (PDQ filters down to 64×64 anyway), so their ~15 hashes cost
    // about as much as the main one on a 12 MP photo's 1/8-scale decode.
    let (luma, w, h) = reduce(luma, w, h);
    let mut alt = Vec::new();
    if hash.quality >= pdq::MIN_USEFUL_QUALITY
        && let Some((_, Some(m))) = sub_pdq(&luma, w, (0, 0, w, h), true)
    {
        alt.push((Variant::Mirror, m));
    }
    // The picture: the content box when flat bands surround it, else the whole image.
    let pic = match content_box(&luma, w, h) {
        Some(b) => {
            if let Some((p, m)) = sub_pdq(&luma, w, b, true) {
                alt.push((Variant::Box, p));
                alt.extend(m.map(|m| (Variant::BoxMirror, m)));
            }
            b
        }
        None => (0, 0, w, h),
    };
    let (px, py, pw, ph) = pic;
    for pct in CROPS {
        let (cw, ch) = (pw * usize::from(pct) / 100, ph * usize::from(pct) / 100);
        if let Some((p, _)) = sub_pdq(&luma, w, (px + (pw - cw) / 2, py + (ph - ch) / 2, cw, ch), false) {
            alt.push((Variant::Crop(pct), p));
        }
    }
    let band = ph * 3 / 4;
    if let Some((p, m)) = sub_pdq(&luma, w, (px, py, pw, band), true) {
        alt.push((Variant::Top, p));
        alt.extend(m.map(|m| (Variant::TopMirror, m)));
    }
    if let Some((p, m)) = sub_pdq(&luma, w, (px, py + ph - band, pw, band), true) {
        alt.push((Variant::Bottom, p));
        alt.extend(m.map(|m| (Variant::BottomMirror, m)));
    }
    let (dhash, phash) = dhash_phash(img);
    Ok(ImageHashes { width: orig_w, height: orig_h, decoded_w: img.width(), decoded_h: img.height(), dhash, phash, pdq: hash, pdq_alt: alt })
}

/// `pdq_alt` as stored: space-separated `code:hex`.
pub fn alt_to_text(alt: &[(Variant, [u8; 32])]) -> String {
    alt.iter().map(|(v, h)| format!("{}:{}", v.code(), hex::encode(h))).collect::<Vec<_>>().join(" ")
}

/// Inverse of [`alt_to_text`]; unknown or damaged tokens are skipped.
pub fn alt_from_text(s: &str) -> Vec<(Variant, [u8; 32])> {
    s.split_whitespace()
        .filter_map(|t| {
            let (code, hx) = t.split_once(':')?;
            Some((Variant::from_code(code)?, pdq::hash_from_hex(hx).ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_the_grey_image_is_hashing_the_colour_one() {
        let img = RgbImage::from_fn(500, 375, |x, y| image::Rgb([(x * 7 % 251) as u8, (y * 13 % 241) as u8, ((x * y) % 239) as u8]));
        let d = HasherConfig::new().hash_alg(HashAlg::Gradient).hash_size(8, 8).resize_filter(FilterType::Triangle).to_hasher();
        let p = HasherConfig::new().hash_alg(HashAlg::Median).preproc_dct().hash_size(8, 8).resize_filter(FilterType::Triangle).to_hasher();
        assert_eq!(dhash_phash(&img), (hash64(d.hash_image(&img).as_bytes()), hash64(p.hash_image(&img).as_bytes())));
        let mut rng = crate::samples::rng::Rng::new(9);
        for (w, h) in [(500, 375), (375, 500), (37, 23), (9, 8), (8, 8), (3, 200), (1, 1), (640, 360)] {
            let img = RgbImage::from_raw(w, h, rng.bytes((w * h * 3) as usize)).unwrap();
            assert_eq!(dhash_phash(&img), (hash64(d.hash_image(&img).as_bytes()), hash64(p.hash_image(&img).as_bytes())), "{w}x{h}");
        }
        // The grey conversion is the image crate's, on every possible channel value.
        let all = RgbImage::from_fn(256, 256, |x, y| image::Rgb([x as u8, y as u8, (x ^ y) as u8]));
        let ours: Vec<u8> = all.pixels().map(|p| grey(p[0], p[1], p[2])).collect();
        assert_eq!(ours, image::imageops::grayscale(&all).into_raw());
        let blue = RgbImage::from_fn(256, 256, |x, y| image::Rgb([(x * 7) as u8, (y * 3) as u8, x.max(y) as u8]));
        assert_eq!(blue.pixels().map(|p| grey(p[0], p[1], p[2])).collect::<Vec<u8>>(), image::imageops::grayscale(&blue).into_raw());
    }

    #[test]
    fn resize_triangle_gives_the_image_crates_pixels() {
        let mut rng = crate::samples::rng::Rng::new(5);
        let mut sizes = vec![(500, 375, 9, 8), (500, 375, 16, 16), (375, 500, 16, 16), (17, 9, 9, 8), (9, 8, 9, 8), (1, 1, 9, 8), (5, 3, 16, 16), (4000, 2, 9, 8)];
        for _ in 0..200 {
            let (w, h) = (1 + rng.below(400) as usize, 1 + rng.below(400) as usize);
            sizes.push((w, h, 1 + rng.below(40) as usize, 1 + rng.below(40) as usize));
        }
        for (w, h, nw, nh) in sizes {
            let src = rng.bytes(w * h);
            let img = image::GrayImage::from_raw(w as u32, h as u32, src.clone()).unwrap();
            let want = image::imageops::resize(&img, nw as u32, nh as u32, FilterType::Triangle).into_raw();
            assert_eq!(resize_triangle(&src, w, h, nw, nh), want, "{w}x{h} -> {nw}x{nh}");
        }
        assert!(resize_triangle(&[1, 2, 3, 4], 2, 2, 0, 3).is_empty());
        assert_eq!(resize_triangle(&[1, 2, 3], 2, 2, 1, 1), vec![0], "a buffer of the wrong size");
    }

    #[test]
    fn letterbox_is_found() {
        let (w, h) = (40, 100);
        let mut l = vec![20.0f32; w * h];
        for y in 30..70 {
            for x in 0..w {
                l[y * w + x] = ((x * 7 + y * 13) % 200) as f32;
            }
        }
        assert_eq!(content_box(&l, w, h), Some((0, 30, 40, 40)));
        assert_eq!(longest_run(&[true, false, false, true, false]), (1, 2));
    }

    #[test]
    fn reduce_averages_blocks() {
        let (w, h) = (600, 300);
        let l: Vec<f32> = (0..w * h).map(|i| (i % w) as f32).collect();
        let (r, nw, nh) = reduce(l, w, h);
        assert_eq!((nw, nh), (300, 150));
        assert_eq!(r[0], 0.5);
        assert_eq!(r[1], 2.5);
        let (_, a, b) = reduce(vec![0.0; 200 * 200], 200, 200);
        assert_eq!((a, b), (200, 200));
    }

    #[test]
    fn variant_codes_round_trip() {
        let mut all = vec![Variant::Mirror, Variant::Box, Variant::BoxMirror, Variant::Top, Variant::TopMirror, Variant::Bottom, Variant::BottomMirror];
        all.extend(CROPS.iter().map(|&p| Variant::Crop(p)));
        let alt: Vec<(Variant, [u8; 32])> = all.iter().enumerate().map(|(i, v)| (*v, [i as u8; 32])).collect();
        assert_eq!(alt_from_text(&alt_to_text(&alt)), alt);
        assert_eq!(Variant::from_code("c42"), None);
        assert!(alt_from_text("zz:00 m:xyz").is_empty());
    }
}
