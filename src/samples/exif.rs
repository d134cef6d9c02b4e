//! Synthetic photos: a procedurally drawn JPEG (gradient sky, ground, a few shapes) with a minimal
//! EXIF APP1 segment written by hand (Make, Model, DateTime, DateTimeOriginal, OffsetTimeOriginal,
//! and a GPS IFD with latitude, longitude, GPS date and time in UTC).

use super::rng::Rng;
use crate::error::{Error, Result};

/// What to stamp into a photo.
#[derive(Debug, Clone)]
pub struct PhotoMeta {
    /// Camera make.
    pub make: String,
    /// Camera model.
    pub model: String,
    /// UTC instant the photo was taken (Unix seconds).
    pub taken_unix: i64,
    /// Local offset (seconds) on the device at that time.
    pub offset_s: i64,
    /// Decimal degrees, if the photo has a location.
    pub gps: Option<(f64, f64)>,
}

/// A `w`×`h` JPEG drawn from `rng`, with EXIF from `meta`.
pub fn jpeg(rng: &mut Rng, w: u32, h: u32, meta: &PhotoMeta) -> Result<Vec<u8>> {
    let mut px = vec![0u8; (w * h * 3) as usize];
    let sky = [rng.range(60, 140) as f32, rng.range(110, 190) as f32, rng.range(170, 250) as f32];
    let ground = [rng.range(60, 140) as f32, rng.range(80, 150) as f32, rng.range(30, 90) as f32];
    let horizon = (h as f32) * (0.45 + rng.below(20) as f32 / 100.0);
    let shapes: Vec<(u32, u32, u32, u32, [u8; 3])> = (0..3 + rng.below(4))
        .map(|_| {
            let x0 = rng.below(u64::from(w) * 3 / 4) as u32;
            let bw = 20 + rng.below(u64::from(w) / 3) as u32;
            let bh = 20 + rng.below(u64::from(h) / 3) as u32;
            let y1 = horizon as u32 + rng.below(u64::from(h) / 6) as u32;
            let c = [rng.range(90, 230) as u8, rng.range(60, 200) as u8, rng.range(40, 180) as u8];
            (x0, y1.saturating_sub(bh), bw, bh, c)
        })
        .collect();
    let sun = (rng.below(u64::from(w)) as f32, rng.below(u64::from(h) / 3) as f32, 10.0 + rng.below(25) as f32);
    for y in 0..h {
        for x in 0..w {
            let i = ((y * w + x) * 3) as usize;
            let yf = y as f32;
            let mut c = if yf < horizon {
                let t = yf / horizon;
                [sky[0] * (1.0 - 0.4 * t), sky[1] * (1.0 - 0.2 * t), sky[2]]
            } else {
                let t = (yf - horizon) / (h as f32 - horizon);
                [ground[0] * (0.7 + 0.3 * t), ground[1] * (0.7 + 0.3 * t), ground[2] * (0.7 + 0.3 * t)]
            };
            let (dx, dy) = (x as f32 - sun.0, yf - sun.1);
            if dx * dx + dy * dy < sun.2 * sun.2 {
                c = [250.0, 220.0, 120.0];
            }
            for &(sx, sy, sw, sh, col) in &shapes {
                if x >= sx && x < sx + sw && y >= sy && y < sy + sh {
                    c = [f32::from(col[0]), f32::from(col[1]), f32::from(col[2])];
                    if (x - sx) % 12 < 5 && (y - sy) % 14 < 6 && (y - sy) > 4 {
                        c = [40.0, 50.0, 70.0]; // windows
                    }
                }
            }
            px[i] = c[0].clamp(0.0, 255.0) as u8;
            px[i + 1] = c[1].clamp(0.0, 255.0) as u8;
            px[i + 2] = c[2].clamp(0.0, 255.0) as u8;
        }
    }
    let mut raw = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut raw, 80)
        .encode(&px, w, h, image::ExtendedColorType::Rgb8)
        .map_err(|e| Error::InvalidArgument(format!("encoding a sample JPEG: {e}")))?;
    Ok(insert_app1(&raw, &exif_tiff(meta)))
}

/// Insert an `Exif\0\0` APP1 segment right after SOI.
fn insert_app1(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(jpeg.len() + tiff.len() + 12);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

const ASCII: u16 = 2;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;
const BYTE: u16 = 1;

struct Field {
    tag: u16,
    ty: u16,
    count: u32,
    data: Vec<u8>,
}

fn ascii(tag: u16, s: &str) -> Field {
    let mut data = s.as_bytes().to_vec();
    data.push(0);
    Field { tag, ty: ASCII, count: data.len() as u32, data }
}

fn rationals(tag: u16, vals: &[(u32, u32)]) -> Field {
    let mut data = Vec::new();
    for (n, d) in vals {
        data.extend_from_slice(&n.to_be_bytes());
        data.extend_from_slice(&d.to_be_bytes());
    }
    Field { tag, ty: RATIONAL, count: vals.len() as u32, data }
}

fn long(tag: u16, v: u32) -> Field {
    Field { tag, ty: LONG, count: 1, data: v.to_be_bytes().to_vec() }
}

fn ifd_size(fields: &[Field]) -> usize {
    2 + 12 * fields.len() + 4 + fields.iter().filter(|f| f.data.len() > 4).map(|f| f.data.len() + (f.data.len() & 1)).sum::<usize>()
}

/// Append an IFD at `out.len()` (offsets are relative to the TIFF header start).
fn write_ifd(out: &mut Vec<u8>, fields: &[Field]) {
    let start = out.len();
    let mut data_at = start + 2 + 12 * fields.len() + 4;
    let mut data = Vec::new();
    out.extend_from_slice(&(fields.len() as u16).to_be_bytes());
    for f in fields {
        out.extend_from_slice(&f.tag.to_be_bytes());
        out.extend_from_slice(&f.ty.to_be_bytes());
        out.extend_from_slice(&f.count.to_be_bytes());
        if f.data.len() <= 4 {
            let mut v = f.data.clone();
            v.resize(4, 0);
            out.extend_from_slice(&v);
        } else {
            out.extend_from_slice(&(data_at as u32).to_be_bytes());
            data.extend_from_slice(&f.data);
            if f.data.len() & 1 == 1 {
                data.push(0);
            }
            data_at += f.data.len() + (f.data.len() & 1);
        }
    }
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&data);
}

fn dms(v: f64) -> [(u32, u32); 3] {
    let v = v.abs();
    let d = v.floor();
    let m = ((v - d) * 60.0).floor();
    let s = ((v - d) * 60.0 - m) * 60.0;
    [(d as u32, 1), (m as u32, 1), ((s * 10_000.0).round() as u32, 10_000)]
}

/// A big-endian TIFF structure with IFD0 → Exif IFD and GPS IFD.
fn exif_tiff(meta: &PhotoMeta) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = super::timefmt::parts(meta.taken_unix, meta.offset_s);
    let local = format!("{y:04}:{mo:02}:{d:02} {h:02}:{mi:02}:{s:02}");
    let off = format!("{}{:02}:{:02}", if meta.offset_s < 0 { '-' } else { '+' }, meta.offset_s.abs() / 3600, (meta.offset_s.abs() % 3600) / 60);
    let exif_fields = vec![ascii(0x9003, &local), ascii(0x9004, &local), ascii(0x9011, &off)];
    let gps_fields: Vec<Field> = match meta.gps {
        None => Vec::new(),
        Some((lat, lon)) => {
            let (uy, umo, ud, uh, umi, us) = super::timefmt::parts(meta.taken_unix, 0);
            vec![
                Field { tag: 0x0000, ty: BYTE, count: 4, data: vec![2, 3, 0, 0] },
                ascii(0x0001, if lat >= 0.0 { "N" } else { "S" }),
                rationals(0x0002, &dms(lat)),
                ascii(0x0003, if lon >= 0.0 { "E" } else { "W" }),
                rationals(0x0004, &dms(lon)),
                rationals(0x0007, &[(uh, 1), (umi, 1), (us, 1)]),
                ascii(0x001D, &format!("{uy:04}:{umo:02}:{ud:02}")),
            ]
        }
    };
    // IFD0 with placeholders for the two pointers; sizes do not depend on their values.
    let mut ifd0 = vec![ascii(0x010F, &meta.make), ascii(0x0110, &meta.model), ascii(0x0132, &local), long(0x8769, 0)];
    if !gps_fields.is_empty() {
        ifd0.push(long(0x8825, 0));
    }
    let exif_at = 8 + ifd_size(&ifd0);
    let gps_at = exif_at + ifd_size(&exif_fields);
    ifd0[3] = long(0x8769, exif_at as u32);
    if !gps_fields.is_empty() {
        ifd0[4] = long(0x8825, gps_at as u32);
    }
    let mut out = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    write_ifd(&mut out, &ifd0);
    debug_assert_eq!(out.len(), exif_at);
    write_ifd(&mut out, &exif_fields);
    if !gps_fields.is_empty() {
        debug_assert_eq!(out.len(), gps_at);
        write_ifd(&mut out, &gps_fields);
    }
    out
}
