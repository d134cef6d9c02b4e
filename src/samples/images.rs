//! Pictures of the sample cases: base photos and their near-duplicates.
//!
//! A scenario names *base slots* (`B01`, `B02`, …). At generation time each slot is filled with a
//! real photograph from the base-image folder that `samples/fetch-base-images.sh` fills from
//! registry packages (scikit-image's wheel, Debian's `mate-backgrounds`), or, when that folder is
//! absent (or has too few photos), with a procedurally drawn picture. Every picture the case holds
//! is an [`ImageSpec`]: an origin (a base slot or a procedural drawing) plus a list of known
//! [`Transform`]s (re-encode, resize, crop, mirror, text overlay, screenshot padding) and an output
//! format. The answer key lists, per base, every file derived from it.
//!
//! Folder lookup: `THREADLINE_BASE_IMAGES` (a folder; `none`/`procedural` forces the drawings),
//! else `$HOME/.cache/threadline/base-images`. The folder must hold a `MANIFEST`
//! (`<sha256>  <name>  <source>  <licence>` per line); each listed file is checked against its
//! hash. The registry photos are assigned to slots in an order shuffled by the seed, so the same
//! seed and the same folder give byte-identical output.
//!
//! No picture shows a person: "victim" photos are proxies (landscapes, animals, objects).

use std::path::{Path, PathBuf};

use image::{Rgb, RgbImage, imageops};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::rng::Rng;
use crate::error::{Error, Result};

/// Largest size a base photo is normalised to (fit inside, aspect kept) before any transform.
pub const BASE_MAX: (u32, u32) = (800, 600);

/// A known image transform.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Transform {
    /// Fit inside `width`×`height` (aspect kept): the camera or app's own downscale.
    Fit {
        /// Maximum width.
        width: u32,
        /// Maximum height.
        height: u32,
    },
    /// JPEG round trip at `quality` (generation loss, as when an app re-compresses).
    Reencode {
        /// JPEG quality (1–100).
        quality: u8,
    },
    /// Scale both sides to `percent` %.
    Resize {
        /// Scale, in percent.
        percent: u32,
    },
    /// Keep the centre `percent` % of each side.
    Crop {
        /// Share of each side kept, in percent.
        percent: u32,
    },
    /// Mirror left–right.
    Mirror,
    /// A banner across the bottom with `text` (upper-cased, blocky bitmap font).
    TextOverlay {
        /// Banner text.
        text: String,
    },
    /// Place the picture on a phone-screen canvas (`width`×`height`) with status and navigation bars.
    ScreenshotPad {
        /// Screen width.
        width: u32,
        /// Screen height.
        height: u32,
    },
}

/// Output encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Baseline JPEG at the given quality.
    Jpeg(u8),
    /// PNG.
    Png,
}

/// Where a picture's pixels come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Base slot index (`Plan::bases`).
    Base(usize),
    /// A procedural drawing seeded by `key` (seed-dependent), `w`×`h`.
    Procedural {
        /// Drawing key (with the seed, decides the picture).
        key: String,
        /// Width.
        w: u32,
        /// Height.
        h: u32,
    },
}

/// One picture: origin, transforms, format.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSpec {
    /// Pixels' origin.
    pub origin: Origin,
    /// Applied in order.
    pub transforms: Vec<Transform>,
    /// Output encoding.
    pub format: Format,
}

impl ImageSpec {
    /// A picture derived from base slot `slot`.
    pub fn base(slot: usize, transforms: Vec<Transform>, format: Format) -> ImageSpec {
        ImageSpec { origin: Origin::Base(slot), transforms, format }
    }

    /// A procedural picture (distinct from every other key).
    pub fn procedural(key: &str, w: u32, h: u32, format: Format) -> ImageSpec {
        ImageSpec { origin: Origin::Procedural { key: key.to_string(), w, h }, transforms: Vec::new(), format }
    }

    /// The base slot, if any.
    pub fn base_slot(&self) -> Option<usize> {
        match self.origin {
            Origin::Base(b) => Some(b),
            Origin::Procedural { .. } => None,
        }
    }
}

/// A base slot as the scenario declares it.
#[derive(Debug, Clone)]
pub struct BaseSlot {
    /// `B01`…
    pub id: String,
    /// What the picture stands for in the story (answer-key text only).
    pub stands_for: String,
}

/// A filled base slot.
#[derive(Debug, Clone)]
pub struct Base {
    /// `registry` or `procedural`.
    pub source: &'static str,
    /// File name in the base folder (registry) or `procedural:<slot>`.
    pub name: String,
    /// Where the file came from (MANIFEST column 3), registry only.
    pub origin: Option<String>,
    /// Licence (MANIFEST column 4), registry only.
    pub licence: Option<String>,
    /// SHA-256 of the source file (registry) or of the drawn RGB8 pixels (procedural).
    pub sha256: String,
    /// Normalised pixels (fit inside [`BASE_MAX`]).
    pub rgb: RgbImage,
}

/// The filled base slots of one generation run.
#[derive(Debug, Clone)]
pub struct Bases {
    /// `registry` when at least one slot holds a registry photo, else `procedural`.
    pub mode: &'static str,
    /// One per slot.
    pub list: Vec<Base>,
}

/// Which base set to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseImages {
    /// `THREADLINE_BASE_IMAGES`, else `~/.cache/threadline/base-images`; procedural when absent.
    Auto,
    /// Always draw.
    Procedural,
    /// This folder (must hold a MANIFEST).
    Dir(PathBuf),
}

/// The folder [`BaseImages::Auto`] uses, if it exists and holds a MANIFEST.
pub fn default_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("THREADLINE_BASE_IMAGES") {
        Some(v) => {
            let s = v.to_string_lossy();
            if s.is_empty() || s == "none" || s == "procedural" {
                return None;
            }
            PathBuf::from(v)
        }
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/threadline/base-images"),
    };
    dir.join("MANIFEST").is_file().then_some(dir)
}

struct ManifestEntry {
    sha256: String,
    name: String,
    origin: String,
    licence: String,
}

fn read_manifest(dir: &Path) -> Result<Vec<ManifestEntry>> {
    let path = dir.join("MANIFEST");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("reading", &path, e))?;
    let mut v = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let mut it = line.splitn(4, "  ");
        let (Some(sha), Some(name)) = (it.next(), it.next()) else {
            return Err(Error::InvalidArgument(format!("{}: bad MANIFEST line '{line}'", path.display())));
        };
        if name.contains('/') || name.contains('\\') || sha.len() != 64 {
            return Err(Error::InvalidArgument(format!("{}: bad MANIFEST line '{line}'", path.display())));
        }
        v.push(ManifestEntry {
            sha256: sha.to_ascii_lowercase(),
            name: name.to_string(),
            origin: it.next().unwrap_or("").trim().to_string(),
            licence: it.next().unwrap_or("").trim().to_string(),
        });
    }
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v.dedup_by(|a, b| a.name == b.name);
    Ok(v)
}

fn fit(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (iw, ih) = img.dimensions();
    if iw <= w && ih <= h {
        return img.clone();
    }
    let s = f64::min(f64::from(w) / f64::from(iw), f64::from(h) / f64::from(ih));
    let nw = ((f64::from(iw) * s).round() as u32).max(1);
    let nh = ((f64::from(ih) * s).round() as u32).max(1);
    resize(img, nw, nh)
}

/// Resize through `DynamicImage` (instantiated, and optimised, inside the `image` crate: a
/// generic call from here would be compiled at this crate's opt level, slow in debug test builds).
fn resize(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    image::DynamicImage::ImageRgb8(img.clone()).resize_exact(w, h, imageops::FilterType::Triangle).into_rgb8()
}

/// Base-folder files that are periodic textures (older caches hold them), left out of the slots.
pub const TEXTURES: &[&str] = &["skimage-brick.png", "skimage-grass.png", "skimage-gravel.png"];

/// Fill `slots`: registry photos (shuffled by `seed`) first, procedural drawings for the rest.
pub fn load(slots: &[BaseSlot], seed: u64, which: &BaseImages) -> Result<Bases> {
    let dir = match which {
        BaseImages::Auto => default_dir(),
        BaseImages::Procedural => None,
        BaseImages::Dir(d) => {
            if !d.join("MANIFEST").is_file() {
                return Err(Error::InvalidArgument(format!("{}: no MANIFEST (run samples/fetch-base-images.sh)", d.display())));
            }
            Some(d.clone())
        }
    };
    let mut entries = match &dir {
        Some(d) => read_manifest(d)?,
        None => Vec::new(),
    };
    // Periodic textures stand for no photo a case holds, and are where PDQ is weakest (a 10 %
    // resize moves 25–50 bits): they are never a base.
    entries.retain(|e| !TEXTURES.contains(&e.name.as_str()));
    // Seeded Fisher–Yates over the name-sorted list.
    let mut r = Rng::new(seed).fork("base-images");
    for i in (1..entries.len()).rev() {
        let j = r.below(i as u64 + 1) as usize;
        entries.swap(i, j);
    }
    let mut list = Vec::with_capacity(slots.len());
    for (i, slot) in slots.iter().enumerate() {
        if let (Some(d), Some(e)) = (&dir, entries.get(i)) {
            let path = d.join(&e.name);
            let bytes = std::fs::read(&path).map_err(|err| Error::io("reading", &path, err))?;
            let sha = hex::encode(Sha256::digest(&bytes));
            if sha != e.sha256 {
                return Err(Error::InvalidArgument(format!("{}: SHA-256 does not match the MANIFEST (re-run samples/fetch-base-images.sh)", path.display())));
            }
            let img = image::load_from_memory(&bytes).map_err(|err| Error::InvalidArgument(format!("{}: {err}", path.display())))?.to_rgb8();
            list.push(Base { source: "registry", name: e.name.clone(), origin: Some(e.origin.clone()), licence: Some(e.licence.clone()), sha256: sha, rgb: fit(&img, BASE_MAX.0, BASE_MAX.1) });
        } else {
            let img = draw_procedural(&mut Rng::new(seed).fork(&format!("base/{}", slot.id)), 640, 480);
            let sha = hex::encode(Sha256::digest(img.as_raw()));
            list.push(Base { source: "procedural", name: format!("procedural:{}", slot.id), origin: None, licence: None, sha256: sha, rgb: img });
        }
    }
    let mode = if list.iter().any(|b| b.source == "registry") { "registry" } else { "procedural" };
    Ok(Bases { mode, list })
}

/// Render `spec` to file bytes.
pub fn render(spec: &ImageSpec, bases: &Bases, seed: u64) -> Result<Vec<u8>> {
    let mut img = match &spec.origin {
        Origin::Base(b) => {
            let base = bases.list.get(*b).ok_or_else(|| Error::InvalidArgument(format!("image refers to base slot {b}, which does not exist")))?;
            base.rgb.clone()
        }
        Origin::Procedural { key, w, h } => draw_procedural(&mut Rng::new(seed).fork(&format!("img/{key}")), *w, *h),
    };
    for t in &spec.transforms {
        img = apply(&img, t)?;
    }
    encode(&img, spec.format)
}

fn encode(img: &RgbImage, format: Format) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let (w, h) = img.dimensions();
    match format {
        Format::Jpeg(q) => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q)
            .encode(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .map_err(|e| Error::InvalidArgument(format!("encoding a sample JPEG: {e}")))?,
        Format::Png => {
            use image::ImageEncoder;
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
                .map_err(|e| Error::InvalidArgument(format!("encoding a sample PNG: {e}")))?
        }
    }
    Ok(out)
}

/// Apply one transform.
pub fn apply(img: &RgbImage, t: &Transform) -> Result<RgbImage> {
    let (w, h) = img.dimensions();
    Ok(match t {
        Transform::Fit { width, height } => fit(img, *width, *height),
        Transform::Reencode { quality } => {
            let bytes = encode(img, Format::Jpeg(*quality))?;
            image::load_from_memory(&bytes).map_err(|e| Error::InvalidArgument(format!("re-decoding a sample JPEG: {e}")))?.to_rgb8()
        }
        Transform::Resize { percent } => {
            let nw = (w * percent / 100).max(1);
            let nh = (h * percent / 100).max(1);
            resize(img, nw, nh)
        }
        Transform::Crop { percent } => {
            let cw = (w * percent / 100).max(1);
            let ch = (h * percent / 100).max(1);
            image::DynamicImage::ImageRgb8(img.clone()).crop_imm((w - cw) / 2, (h - ch) / 2, cw, ch).into_rgb8()
        }
        Transform::Mirror => image::DynamicImage::ImageRgb8(img.clone()).fliph().into_rgb8(),
        Transform::TextOverlay { text } => overlay(img, text),
        Transform::ScreenshotPad { width, height } => screenshot(img, *width, *height),
    })
}

// ---------------------------------------------------------------------------------------------
// Procedural drawing.

/// A `w`×`h` procedural "photo": sky gradient, ground, sun, a few buildings with windows, some
/// texture noise. Different keys give visibly different pictures.
pub fn draw_procedural(rng: &mut Rng, w: u32, h: u32) -> RgbImage {
    let mut px = vec![0u8; (w * h * 3) as usize];
    let sky = [rng.range(40, 160) as f32, rng.range(80, 200) as f32, rng.range(140, 250) as f32];
    let ground = [rng.range(40, 160) as f32, rng.range(50, 160) as f32, rng.range(20, 110) as f32];
    let horizon = (h as f32) * (0.3 + rng.below(45) as f32 / 100.0);
    let tilt = (rng.range(-30, 30) as f32) / 100.0;
    let shapes: Vec<(u32, u32, u32, u32, [u8; 3], u32)> = (0..2 + rng.below(6))
        .map(|_| {
            let x0 = rng.below(u64::from(w) * 3 / 4) as u32;
            let bw = 12 + rng.below(u64::from(w) / 3) as u32;
            let bh = 12 + rng.below(u64::from(h) / 2) as u32;
            let y1 = horizon as u32 + rng.below(u64::from(h) / 5) as u32;
            let c = [rng.range(60, 240) as u8, rng.range(40, 220) as u8, rng.range(30, 200) as u8];
            (x0, y1.saturating_sub(bh), bw, bh, c, w / 20 + rng.below(u64::from(w / 20).max(1)) as u32)
        })
        .collect();
    let sun = (rng.below(u64::from(w)) as f32, rng.below(u64::from(h) / 3) as f32, 6.0 + rng.below((w / 10).max(2) as u64) as f32);
    // Broad ground undulation (a period of a third of the width or more): fine periodic
    // texture would stand for no photo and is where perceptual hashes are weakest.
    let swell = rng.chance(0.3).then(|| (f32::from(u16::try_from(w / 3 + rng.below(u64::from(w)) as u32).unwrap_or(u16::MAX)), [rng.range(0, 255) as f32, rng.range(0, 255) as f32, rng.range(0, 255) as f32]));
    // Large soft blobs (clouds, bushes, hills): low-frequency structure, as photos have.
    let blobs: Vec<(f32, f32, f32, [f32; 3])> = (0..6 + rng.below(6))
        .map(|_| {
            let r = (w.min(h) / 8 + rng.below(u64::from(w.min(h) / 4).max(1)) as u32) as f32;
            (rng.below(u64::from(w)) as f32, rng.below(u64::from(h)) as f32, r, [rng.range(0, 255) as f32, rng.range(0, 255) as f32, rng.range(0, 255) as f32])
        })
        .collect();
    let mut noise = rng.fork("noise");
    for y in 0..h {
        for x in 0..w {
            let i = ((y * w + x) * 3) as usize;
            let yf = y as f32;
            let hz = horizon + tilt * (x as f32 - w as f32 / 2.0);
            let mut c = if yf < hz {
                let t = (yf / hz.max(1.0)).clamp(0.0, 1.0);
                [sky[0] * (1.0 - 0.4 * t), sky[1] * (1.0 - 0.2 * t), sky[2]]
            } else {
                let t = ((yf - hz) / (h as f32 - hz).max(1.0)).clamp(0.0, 1.0);
                let mut g = [ground[0] * (0.7 + 0.3 * t), ground[1] * (0.7 + 0.3 * t), ground[2] * (0.7 + 0.3 * t)];
                if let Some((p, col)) = swell {
                    let a = 0.25 * (1.0 + ((x as f32 + 0.5 * yf) * std::f32::consts::TAU / p).sin());
                    g = [g[0] * (1.0 - a) + col[0] * a, g[1] * (1.0 - a) + col[1] * a, g[2] * (1.0 - a) + col[2] * a];
                }
                g
            };
            for &(bx, by, br, col) in &blobs {
                let d2 = ((x as f32 - bx).powi(2) + (yf - by).powi(2)) / (br * br);
                if d2 < 1.0 {
                    let a = 0.9 * (1.0 - d2 * d2);
                    c = [c[0] * (1.0 - a) + col[0] * a, c[1] * (1.0 - a) + col[1] * a, c[2] * (1.0 - a) + col[2] * a];
                }
            }
            let (dx, dy) = (x as f32 - sun.0, yf - sun.1);
            if dx * dx + dy * dy < sun.2 * sun.2 {
                c = [250.0, 220.0, 120.0];
            }
            for &(sx, sy, sw, sh, col, win) in &shapes {
                if x >= sx && x < sx + sw && y >= sy && y < sy + sh {
                    c = [f32::from(col[0]), f32::from(col[1]), f32::from(col[2])];
                    if (x - sx) % win < win / 2 && (y - sy) % (win + 2) < win / 2 && (y - sy) > 4 {
                        c = [40.0, 50.0, 70.0];
                    }
                }
            }
            let n = (noise.next_u64() & 15) as f32 - 7.5;
            px[i] = (c[0] + n).clamp(0.0, 255.0) as u8;
            px[i + 1] = (c[1] + n).clamp(0.0, 255.0) as u8;
            px[i + 2] = (c[2] + n).clamp(0.0, 255.0) as u8;
        }
    }
    RgbImage::from_raw(w, h, px).unwrap_or_else(|| RgbImage::new(w, h))
}

// ---------------------------------------------------------------------------------------------
// Text overlay and screenshot padding, with a 3×5 bitmap font drawn here (no font files).

/// 3×5 glyphs, one row per byte, bit 2 = left column.
fn glyph(c: char) -> [u8; 5] {
    match c {
        'A' => [2, 5, 7, 5, 5],
        'B' => [6, 5, 6, 5, 6],
        'C' => [3, 4, 4, 4, 3],
        'D' => [6, 5, 5, 5, 6],
        'E' => [7, 4, 6, 4, 7],
        'F' => [7, 4, 6, 4, 4],
        'G' => [3, 4, 5, 5, 3],
        'H' => [5, 5, 7, 5, 5],
        'I' => [7, 2, 2, 2, 7],
        'J' => [1, 1, 1, 5, 2],
        'K' => [5, 5, 6, 5, 5],
        'L' => [4, 4, 4, 4, 7],
        'M' => [5, 7, 7, 5, 5],
        'N' => [6, 5, 5, 5, 5],
        'O' => [2, 5, 5, 5, 2],
        'P' => [6, 5, 6, 4, 4],
        'Q' => [2, 5, 5, 6, 3],
        'R' => [6, 5, 6, 5, 5],
        'S' => [3, 4, 2, 1, 6],
        'T' => [7, 2, 2, 2, 2],
        'U' => [5, 5, 5, 5, 7],
        'V' => [5, 5, 5, 5, 2],
        'W' => [5, 5, 7, 7, 5],
        'X' => [5, 5, 2, 5, 5],
        'Y' => [5, 5, 2, 2, 2],
        'Z' => [7, 1, 2, 4, 7],
        '0' => [7, 5, 5, 5, 7],
        '1' => [2, 6, 2, 2, 7],
        '2' => [6, 1, 2, 4, 7],
        '3' => [6, 1, 2, 1, 6],
        '4' => [5, 5, 7, 1, 1],
        '5' => [7, 4, 6, 1, 6],
        '6' => [3, 4, 7, 5, 7],
        '7' => [7, 1, 2, 2, 2],
        '8' => [7, 5, 7, 5, 7],
        '9' => [7, 5, 7, 1, 6],
        ' ' => [0, 0, 0, 0, 0],
        '.' => [0, 0, 0, 0, 2],
        ',' => [0, 0, 0, 2, 4],
        ':' => [0, 2, 0, 2, 0],
        '-' => [0, 0, 7, 0, 0],
        '+' => [0, 2, 7, 2, 0],
        '/' => [1, 1, 2, 4, 4],
        '!' => [2, 2, 2, 0, 2],
        '@' => [2, 5, 7, 4, 3],
        '#' => [5, 7, 5, 7, 5],
        '€' => [3, 6, 4, 6, 3],
        '$' => [3, 6, 2, 3, 6],
        '%' => [5, 1, 2, 4, 5],
        '&' => [2, 5, 2, 5, 3],
        '\'' => [2, 2, 0, 0, 0],
        '(' => [1, 2, 2, 2, 1],
        ')' => [4, 2, 2, 2, 4],
        _ => [6, 1, 2, 0, 2], // '?'
    }
}

/// Upper-case, fold common Latin diacritics, drop what the font cannot show (emoji, CJK…).
fn font_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let u = match c {
            'à' | 'á' | 'â' | 'ä' | 'ă' | 'ã' | 'À' | 'Â' | 'Ă' => 'A',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'E',
            'î' | 'ï' | 'í' | 'Î' => 'I',
            'ô' | 'ö' | 'ó' | 'ơ' | 'Ô' => 'O',
            'ù' | 'û' | 'ü' | 'ú' | 'ư' => 'U',
            'ç' | 'Ç' => 'C',
            'ș' | 'ş' | 'Ș' => 'S',
            'ț' | 'ţ' | 'Ț' => 'T',
            'đ' | 'Đ' => 'D',
            c if c.is_ascii() => c.to_ascii_uppercase(),
            '€' => '€',
            '’' => '\'',
            _ => continue,
        };
        out.push(u);
    }
    out
}

fn draw_text(img: &mut RgbImage, text: &str, x0: u32, y0: u32, scale: u32, color: Rgb<u8>) {
    let (w, h) = img.dimensions();
    let mut x = x0;
    for c in font_text(text).chars() {
        let g = glyph(c);
        for (row, bits) in g.iter().enumerate() {
            for col in 0..3u32 {
                if bits & (4 >> col) != 0 {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let (px, py) = (x + col * scale + dx, y0 + row as u32 * scale + dy);
                            if px < w && py < h {
                                img.put_pixel(px, py, color);
                            }
                        }
                    }
                }
            }
        }
        x += 4 * scale;
        if x >= w {
            break;
        }
    }
}

fn overlay(img: &RgbImage, text: &str) -> RgbImage {
    let mut out = img.clone();
    let (w, h) = out.dimensions();
    let chars = font_text(text).chars().count().max(1) as u32;
    let scale = ((w * 9 / 10) / (4 * chars)).clamp(1, (h / 12).max(1));
    let band = 5 * scale + 2 * scale.max(2);
    let top = h.saturating_sub(band + h / 20);
    for y in top..(top + band).min(h) {
        for x in 0..w {
            let p = out.get_pixel_mut(x, y);
            for c in p.0.iter_mut() {
                *c = (u16::from(*c) * 2 / 7) as u8;
            }
        }
    }
    let text_w = chars * 4 * scale;
    let x0 = w.saturating_sub(text_w) / 2;
    draw_text(&mut out, text, x0, top + (band - 5 * scale) / 2, scale, Rgb([255, 236, 120]));
    out
}

fn screenshot(img: &RgbImage, width: u32, height: u32) -> RgbImage {
    let mut canvas = RgbImage::from_pixel(width, height, Rgb([16, 16, 20]));
    let bar = (height / 24).max(8);
    for y in 0..bar {
        for x in 0..width {
            canvas.put_pixel(x, y, Rgb([34, 34, 40]));
        }
    }
    let s = (bar / 8).max(1);
    draw_text(&mut canvas, "12:41", bar / 2, (bar - 5 * s) / 2, s, Rgb([230, 230, 230]));
    // Battery.
    let bx = width.saturating_sub(bar * 2);
    for y in bar / 3..bar * 2 / 3 {
        for x in bx..(bx + bar).min(width) {
            canvas.put_pixel(x, y, Rgb([200, 200, 200]));
        }
    }
    // Navigation bar.
    for y in height.saturating_sub(bar * 2)..height {
        for x in 0..width {
            canvas.put_pixel(x, y, Rgb([0, 0, 0]));
        }
    }
    let pic = fit(img, width, height.saturating_sub(bar * 3));
    let pic = if pic.width() < width && img.width() >= pic.width() {
        // Upscale small pictures to the screen width, as a phone does.
        let s = f64::from(width) / f64::from(img.width());
        let nh = ((f64::from(img.height()) * s).round() as u32).min(height.saturating_sub(bar * 3)).max(1);
        resize(img, width, nh)
    } else {
        pic
    };
    let y0 = bar + (height.saturating_sub(bar * 3).saturating_sub(pic.height())) / 2;
    let x0 = width.saturating_sub(pic.width()) / 2;
    imageops::replace(&mut canvas, &pic, i64::from(x0), i64::from(y0));
    canvas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_change_dimensions_as_documented() {
        let bases = Bases { mode: "procedural", list: vec![Base { source: "procedural", name: "p".into(), origin: None, licence: None, sha256: String::new(), rgb: draw_procedural(&mut Rng::new(1), 400, 300) }] };
        let dims = |t: Vec<Transform>| {
            let b = render(&ImageSpec::base(0, t, Format::Png), &bases, 1).unwrap();
            image::load_from_memory(&b).unwrap().to_rgb8().dimensions()
        };
        assert_eq!(dims(vec![Transform::Resize { percent: 50 }]), (200, 150));
        assert_eq!(dims(vec![Transform::Crop { percent: 80 }]), (320, 240));
        assert_eq!(dims(vec![Transform::Mirror, Transform::TextOverlay { text: "Bianca 06 99".into() }]), (400, 300));
        assert_eq!(dims(vec![Transform::ScreenshotPad { width: 360, height: 780 }]), (360, 780));
        assert_eq!(dims(vec![Transform::Fit { width: 200, height: 200 }]), (200, 150));
    }
}
