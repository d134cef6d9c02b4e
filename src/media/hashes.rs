//! Perceptual hashes of a decoded (small) RGB image: dHash and pHash (64 bits each, from
//! `image_hasher`), PDQ (256 bits + quality, our conformance-tested port) and extra PDQ variants
//! used for matching only:
//!
//! * the left–right mirror (derived from the DCT coefficients, no re-hash): messengers and ad
//!   pages mirror pictures;
//! * the PDQ of the *content box* and its mirror, when flat bands (letterboxing, the empty areas
//!   of a phone screenshot) surround the picture: the box is the longest run of rows (then
//!   columns) that are not flat. Only computed when the box is at most 90 % of the image.

use image::RgbImage;
use image_hasher::{FilterType, HashAlg, HasherConfig};

use super::pdq::{self, Pdq};

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
    /// Extra PDQ hashes for matching: mirror, then content box and its mirror when found.
    pub pdq_alt: Vec<[u8; 32]>,
}

fn hash64(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    for (d, s) in b.iter_mut().zip(bytes) {
        *d = *s;
    }
    u64::from_be_bytes(b)
}

/// dHash and pHash of an RGB image.
pub fn dhash_phash(img: &RgbImage) -> (u64, u64) {
    let d = HasherConfig::new().hash_alg(HashAlg::Gradient).hash_size(8, 8).resize_filter(FilterType::Triangle).to_hasher();
    let p = HasherConfig::new().hash_alg(HashAlg::Median).preproc_dct().hash_size(8, 8).resize_filter(FilterType::Triangle).to_hasher();
    (hash64(d.hash_image(img).as_bytes()), hash64(p.hash_image(img).as_bytes()))
}

/// Whether a line of luma values is flat (letterbox band).
fn flat(v: impl Iterator<Item = f32>) -> bool {
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for x in v {
        lo = lo.min(x);
        hi = hi.max(x);
    }
    hi - lo <= 6.0
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

/// Every hash of a decoded image.
pub fn compute(img: &RgbImage, orig_w: u32, orig_h: u32) -> Result<ImageHashes, String> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let luma = pdq::luma_from_rgb8(img.as_raw(), w, h);
    let float = pdq::pdq_float_from_luma(&luma, w, h).map_err(|e| format!("PDQ: {e}"))?;
    let hash = float.to_pdq().map_err(|e| format!("PDQ: {e}"))?;
    let mut alt = Vec::new();
    if let Ok(d) = float.dihedral() {
        alt.push(d[5].hash);
    }
    if let Some((x0, y0, bw, bh)) = content_box(&luma, w, h) {
        let sub: Vec<f32> = (y0..y0 + bh).flat_map(|y| luma[y * w + x0..y * w + x0 + bw].iter().copied()).collect();
        if let Ok(f) = pdq::pdq_float_from_luma(&sub, bw, bh)
            && f.quality >= pdq::MIN_USEFUL_QUALITY
            && let Ok(p) = f.to_pdq()
        {
            alt.push(p.hash);
            if let Ok(d) = f.dihedral() {
                alt.push(d[5].hash);
            }
        }
    }
    let (dhash, phash) = dhash_phash(img);
    Ok(ImageHashes { width: orig_w, height: orig_h, decoded_w: img.width(), decoded_h: img.height(), dhash, phash, pdq: hash, pdq_alt: alt })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
