//! Thumbnails of images, stored in the case by content hash, with a blurred variant for default
//! display (victims first: an image is blurred until an examiner reveals it, and the reveal is
//! audited).
//!
//! * [`make`] turns a decoded image (the small RGB buffer the image pass already has, EXIF
//!   orientation applied) into a sharp thumbnail (longest side at most [`MAX_SIDE`] px, JPEG
//!   quality [`JPEG_QUALITY`]) and a blurred one of the same size: the picture is averaged down to
//!   a grid of at most [`BLUR_CELLS`] cells on its longest side, smoothed back up and blurred
//!   again, so what is left is a few patches of colour (no face, no text, no outline survives; the
//!   blurred JPEG carries no more than `BLUR_CELLS²` averaged colours of information).
//! * [`store`] writes both into the case's `thumbnails` table keyed by the file's SHA-256: identical
//!   files share one thumbnail. They live **in the case**, not in a sidecar folder, because the case
//!   is the one file that moves, is backed up and is handed over; a thumbnail store beside it would
//!   be one more thing to lose, to keep in step and to protect. They are small (about 6 KiB sharp and
//!   2 KiB blurred; 10,000 images ≈ 80 MiB), which SQLite stores efficiently, and
//!   the image pass can write them in the same transaction as the image hashes.
//! * [`backfill`] makes the missing thumbnails of every image already hashed (`image_hashes` rows
//!   with status `ok`), reading the images again from the evidence, so cases made before
//!   thumbnails existed get them too. One `runs` row per source records the counts.
//! * [`get`] reads one back; [`resolve`] finds an image by file id or SHA-256 (the CLI's
//!   `threadline thumb`).
//!
//! Thumbnails are derived data, never evidence: they are not listed in `files` and `verify` does
//! not check them. Their `version` says which rules made them; [`backfill`] remakes older ones.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;
use std::time::Duration;

use image::RgbImage;
use image::imageops::{self, FilterType};
use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::decode;
use crate::case::{Case, audit, now_rfc3339};
use crate::error::{Error, Result, SqlContext};
use crate::progress::CancelToken;
use crate::vfs::{self, Content, Entry, EntrySink, Issue};

/// Longest side of a thumbnail, in pixels (smaller images are not enlarged).
pub const MAX_SIDE: u32 = 160;
/// JPEG quality of both variants.
pub const JPEG_QUALITY: u8 = 80;
/// Cells on the longest side of the grid the blurred variant is averaged down to.
pub const BLUR_CELLS: u32 = 6;
/// Version of the thumbnail rules; rows with an older version are remade by [`backfill`].
pub const VERSION: i64 = 1;
/// Run name of [`backfill`] in `runs`.
pub const NAME: &str = "thumbnails";
/// Images held in memory before a batch is decoded by [`backfill`].
const BATCH_ITEMS: usize = 32;
/// Encoded bytes held before a batch is decoded by [`backfill`].
const BATCH_BYTES: usize = 64 << 20;

/// The two thumbnails of one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbs {
    /// Width of both variants.
    pub width: u32,
    /// Height of both variants.
    pub height: u32,
    /// The sharp thumbnail, JPEG.
    pub jpeg: Vec<u8>,
    /// The blurred thumbnail, JPEG (shown by default).
    pub blurred: Vec<u8>,
}

/// A thumbnail row read back from the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stored {
    /// Content SHA-256 of the image file.
    pub sha256: String,
    /// Width of both variants.
    pub width: u32,
    /// Height of both variants.
    pub height: u32,
    /// The sharp thumbnail, JPEG.
    #[serde(skip)]
    pub jpeg: Vec<u8>,
    /// The blurred thumbnail, JPEG.
    #[serde(skip)]
    pub blurred: Vec<u8>,
    /// Version of the rules that made it.
    pub version: i64,
}

/// Size of a thumbnail of a `w × h` image: longest side at most [`MAX_SIDE`], aspect kept, never
/// enlarged, never 0.
pub fn thumb_size(w: u32, h: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= MAX_SIDE {
        return (w.max(1), h.max(1));
    }
    let f = f64::from(MAX_SIDE) / f64::from(long);
    (((f64::from(w) * f).round() as u32).clamp(1, MAX_SIDE), ((f64::from(h) * f).round() as u32).clamp(1, MAX_SIDE))
}

fn encode_jpeg(img: &RgbImage, what: &str) -> Result<Vec<u8>> {
    // libjpeg-turbo's SIMD encoder (a compressor kept per thread), ~5× the pure-Rust one; the
    // `image` crate's encoder if libjpeg-turbo refuses.
    thread_local! {
        static TJ: std::cell::RefCell<Option<turbojpeg::Compressor>> = std::cell::RefCell::new(
            turbojpeg::Compressor::new()
                .and_then(|mut c| {
                    c.set_quality(i32::from(JPEG_QUALITY))?;
                    c.set_subsamp(turbojpeg::Subsamp::Sub2x2)?;
                    Ok(c)
                })
                .ok()
        );
    }
    let image = turbojpeg::Image { pixels: img.as_raw().as_slice(), width: img.width() as usize, pitch: img.width() as usize * 3, height: img.height() as usize, format: turbojpeg::PixelFormat::RGB };
    if let Some(out) = TJ.with(|c| c.borrow_mut().as_mut().and_then(|c| c.compress_to_vec(image).ok())) {
        return Ok(out);
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(img)
        .map_err(|e| Error::Internal(format!("encoding the {what} thumbnail ({}×{}) as JPEG: {e}", img.width(), img.height())))?;
    Ok(out)
}

/// The blurred variant of a thumbnail: average down to at most [`BLUR_CELLS`] cells on the
/// longest side, then back up smoothly with a Gaussian blur of about half a cell. The blur runs at
/// a quarter of the size (the picture holds no detail finer than a cell by then), then a bilinear
/// scale to the thumbnail's size.
pub fn blur(thumb: &RgbImage) -> RgbImage {
    let (w, h) = thumb.dimensions();
    let long = w.max(h).max(1);
    let cells = |v: u32| ((f64::from(BLUR_CELLS) * f64::from(v) / f64::from(long)).round() as u32).clamp(1, BLUR_CELLS);
    let grid = shrink(thumb, cells(w), cells(h));
    let (sw, sh) = (w.div_ceil(4).max(1), h.div_ceil(4).max(1));
    let small = imageops::resize(&grid, sw, sh, FilterType::Triangle);
    let sigma = (f64::from(sw.max(sh)) / f64::from(BLUR_CELLS) / 2.0).max(0.5) as f32;
    let small = imageops::blur(&small, sigma);
    imageops::resize(&small, w, h, FilterType::Triangle)
}

/// `imageops::thumbnail` of an RGB image to a size no larger on either side, with the same
/// pixels: each output pixel is the rounded mean of the block of input pixels between the
/// ceilings of its edges (computed in `f32` as the `image` crate does). Rows of a block are
/// summed into per-column totals first, so the work is one pass of additions over the input
/// (the crate's version reads pixel by pixel through its generic accessors: ~0.7 ms for a
/// 500×375 decode, this ~0.1 ms). Enlarging falls back to the crate.
pub fn shrink(img: &RgbImage, nw: u32, nh: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    if nw == 0 || nh == 0 || nw > w || nh > h {
        return imageops::thumbnail(img, nw, nh);
    }
    // Block edges, as `image::imageops::sample::thumbnail` computes them.
    let edges = |len: u32, new: u32| -> Vec<(usize, usize)> {
        let ratio = len as f32 / new as f32;
        (0..new)
            .map(|k| {
                let lo_f = k as f32 * ratio;
                let hi_f = lo_f + ratio;
                let lo = (lo_f.ceil() as u32).clamp(0, len - 1);
                let hi = (hi_f.ceil() as u32).clamp(lo, len);
                (lo as usize, hi as usize)
            })
            .collect()
    };
    let (xs, ys) = (edges(w, nw), edges(h, nh));
    let (w, nw) = (w as usize, nw as usize);
    let src = img.as_raw();
    let mut out = vec![0u8; nw * nh as usize * 3];
    let mut cols = vec![0u32; w * 3];
    for (oy, &(y0, y1)) in ys.iter().enumerate() {
        cols.iter_mut().for_each(|c| *c = 0);
        for row in src.chunks_exact(w * 3).take(y1).skip(y0) {
            for (c, &v) in cols.iter_mut().zip(row) {
                *c += u32::from(v);
            }
        }
        let dst = &mut out[oy * nw * 3..(oy + 1) * nw * 3];
        for (o, &(x0, x1)) in dst.chunks_exact_mut(3).zip(&xs) {
            let n = ((x1 - x0) * (y1 - y0)) as u32;
            if n == 0 {
                continue;
            }
            let mut sum = [0u32; 3];
            for px in cols[x0 * 3..x1 * 3].chunks_exact(3) {
                sum[0] += px[0];
                sum[1] += px[1];
                sum[2] += px[2];
            }
            for (d, s) in o.iter_mut().zip(sum) {
                *d = ((s + n / 2) / n).min(255) as u8;
            }
        }
    }
    RgbImage::from_raw(nw as u32, nh, out).unwrap_or_else(|| imageops::thumbnail(img, nw as u32, nh))
}

/// Make the sharp and the blurred thumbnail of a decoded image (orientation already applied).
pub fn make(rgb: &RgbImage) -> Result<Thumbs> {
    let (w, h) = rgb.dimensions();
    if w == 0 || h == 0 {
        return Err(Error::InvalidArgument(format!("cannot make a thumbnail of an empty image ({w}×{h})")));
    }
    let (tw, th) = thumb_size(w, h);
    let sharp = if (tw, th) == (w, h) { rgb.clone() } else { shrink(rgb, tw, th) };
    let blurred = blur(&sharp);
    Ok(Thumbs { width: tw, height: th, jpeg: encode_jpeg(&sharp, "sharp")?, blurred: encode_jpeg(&blurred, "blurred")? })
}

/// Decode image bytes (the same scaled decoder, time limit and panic guard as the image pass) and
/// make its thumbnails. The error is the reason, as the image pass would record it.
pub fn make_from_bytes(bytes: Vec<u8>, timeout: Duration) -> std::result::Result<Thumbs, String> {
    match decode::decode_with_timeout(bytes, timeout, |d| make(&d.rgb).map_err(|e| e.to_string())) {
        Ok(r) => r,
        Err(e) => Err(e.to_string()),
    }
}

/// A SHA-256 as stored in `files.sha256`: 64 lower-case hex digits.
fn normalise_sha256(sha256: &str) -> Result<String> {
    let s = sha256.trim().to_ascii_lowercase();
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::InvalidArgument(format!("'{sha256}' is not a SHA-256 (64 hex digits)")));
    }
    Ok(s)
}

/// Store the thumbnails of the image whose content SHA-256 is `content_sha256`. Identical files
/// share one row: an existing thumbnail of the same or a newer [`VERSION`] is kept. Returns true
/// when a row was written. Call inside the caller's transaction (the image pass) or on its own.
pub fn store(conn: &Connection, content_sha256: &str, t: &Thumbs) -> Result<bool> {
    let sha = normalise_sha256(content_sha256)?;
    let n = conn
        .execute(
            "INSERT INTO thumbnails (sha256, width, height, jpeg, blurred, version, created_utc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (sha256) DO UPDATE SET width = excluded.width, height = excluded.height, jpeg = excluded.jpeg,
                 blurred = excluded.blurred, version = excluded.version, created_utc = excluded.created_utc
             WHERE thumbnails.version < excluded.version",
            params![sha, t.width, t.height, t.jpeg, t.blurred, VERSION, now_rfc3339()],
        )
        .map_err(|e| Error::sql(format!("storing the thumbnail of {sha}"), e))?;
    Ok(n > 0)
}

fn get_conn(conn: &Connection, sha256: &str) -> Result<Option<Stored>> {
    let sha = normalise_sha256(sha256)?;
    conn.query_row("SELECT sha256, width, height, jpeg, blurred, version FROM thumbnails WHERE sha256 = ?1", [&sha], |r| {
        Ok(Stored { sha256: r.get(0)?, width: r.get(1)?, height: r.get(2)?, jpeg: r.get(3)?, blurred: r.get(4)?, version: r.get(5)? })
    })
    .optional()
    .map_err(|e| Error::sql(format!("reading the thumbnail of {sha}"), e))
}

/// The stored thumbnails of the image with this content SHA-256, if any.
pub fn get(case: &Case, content_sha256: &str) -> Result<Option<Stored>> {
    get_conn(case.conn(), content_sha256)
}

/// An image file found by [`resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// File id (the first file with this content when looked up by SHA-256).
    pub file_id: i64,
    /// Source id.
    pub source_id: i64,
    /// Path in its source.
    pub path: String,
    /// Content SHA-256.
    pub sha256: String,
    /// `image_hashes.status` (`ok`, `unsupported`, `corrupt`, `timeout`), `None` when the image
    /// pass has not seen the file.
    pub status: Option<String>,
    /// `image_hashes.reason`.
    pub reason: Option<String>,
}

/// (file id, source id, path, SHA-256, image status, image reason) as [`resolve`] reads them.
type FoundRow = (i64, i64, String, Option<String>, Option<String>, Option<String>);

/// Find an image by file id (decimal, as listed by `files`) or by content SHA-256.
pub fn resolve(case: &Case, what: &str) -> Result<ImageRef> {
    let what = what.trim();
    let sql = "SELECT f.id, f.source_id, f.path, f.sha256, h.status, h.reason FROM files f LEFT JOIN image_hashes h ON h.file_id = f.id";
    let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<FoundRow> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
    };
    let found = if let Ok(id) = what.parse::<i64>() {
        case.conn().query_row(&format!("{sql} WHERE f.id = ?1"), [id], row).optional().ctx("looking up a file")?.ok_or_else(|| Error::InvalidArgument(format!("no file with id {id}; see `threadline files`")))?
    } else {
        let sha = normalise_sha256(what).map_err(|_| Error::InvalidArgument(format!("'{what}' is neither a file id nor a SHA-256 (64 hex digits)")))?;
        case.conn()
            .query_row(&format!("{sql} WHERE f.sha256 = ?1 ORDER BY (h.status = 'ok') DESC, f.id LIMIT 1"), [&sha], row)
            .optional()
            .ctx("looking up a file")?
            .ok_or_else(|| Error::InvalidArgument(format!("no file of this case has SHA-256 {sha}")))?
    };
    let (file_id, source_id, path, sha256, status, reason) = found;
    let sha256 = sha256.ok_or_else(|| Error::InvalidArgument(format!("file {file_id} ('{path}') has no SHA-256 (not hashed: a folder, a link or unreadable)")))?;
    Ok(ImageRef { file_id, source_id, path, sha256, status, reason })
}

/// Which variant [`export`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The blurred thumbnail (default).
    Blurred,
    /// The sharp thumbnail: a reveal, recorded in the audit log.
    Sharp,
}

/// What [`export`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    /// The image.
    pub image: ImageRef,
    /// `blurred` or `sharp`.
    pub variant: &'static str,
    /// Thumbnail width.
    pub width: u32,
    /// Thumbnail height.
    pub height: u32,
    /// Bytes written.
    pub bytes: usize,
    /// Where.
    pub out: String,
    /// Audit row of the reveal (sharp only).
    pub audit_id: Option<i64>,
}

/// Write the thumbnail of an image (file id or SHA-256, see [`resolve`]) to `out` as JPEG. The
/// sharp variant is a reveal: it needs the case open for writing, and the audit row (examiner,
/// file, reason) is appended before the file is written, so no reveal goes unrecorded.
pub fn export(case: &mut Case, what: &str, variant: Variant, out: &std::path::Path, reason: Option<&str>) -> Result<Exported> {
    let image = resolve(case, what)?;
    let Some(t) = get(case, &image.sha256)? else {
        let why = match (image.status.as_deref(), image.reason.as_deref()) {
            (Some("ok"), _) => "it was hashed before thumbnails were made: run `threadline thumb CASE --backfill`".to_string(),
            (Some(s), r) => format!("the image pass could not decode it ({s}: {})", r.unwrap_or("no reason recorded")),
            (None, _) => "the image pass has not seen it (not an image, or the case has not been parsed: `threadline parse CASE`)".to_string(),
        };
        return Err(Error::InvalidArgument(format!("no thumbnail for file {} ('{}', SHA-256 {}): {why}", image.file_id, image.path, image.sha256)));
    };
    let mut audit_id = None;
    let out_abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    // Never over an existing file: it could be the case, an evidence file or another export.
    // `create_new` refuses atomically (no window between a check and the write).
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(out) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::InvalidArgument(format!("'{}' already exists; choose another output file (a thumbnail never replaces a file)", out.display())));
        }
        Err(e) => return Err(Error::io("creating the thumbnail file", out, e)),
    };
    let (bytes, name) = match variant {
        Variant::Blurred => (&t.blurred, "blurred"),
        Variant::Sharp => {
            if !case.is_writable() {
                drop(file);
                let _ = std::fs::remove_file(out);
                return Err(Error::InvalidArgument("revealing a thumbnail is recorded in the audit log: open the case for writing".into()));
            }
            let detail = serde_json::json!({
                "file_id": image.file_id, "source_id": image.source_id, "path": image.path, "sha256": image.sha256,
                "variant": "sharp", "out": out_abs.display().to_string(), "reason": reason,
            });
            match case.audit("thumb.reveal", &detail) {
                Ok(id) => audit_id = Some(id),
                Err(e) => {
                    drop(file);
                    let _ = std::fs::remove_file(out);
                    return Err(e);
                }
            }
            (&t.jpeg, "sharp")
        }
    };
    if let Err(e) = std::io::Write::write_all(&mut file, bytes) {
        drop(file);
        let _ = std::fs::remove_file(out);
        return Err(Error::io("writing the thumbnail to", out, e));
    }
    Ok(Exported { image, variant: name, width: t.width, height: t.height, bytes: bytes.len(), out: out_abs.display().to_string(), audit_id })
}

/// What [`backfill`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BackfillReport {
    /// Distinct image contents (SHA-256) that lacked a current thumbnail.
    pub missing: usize,
    /// Thumbnails made and stored.
    pub made: usize,
    /// Contents that could not be made, with the reason (file id, reason).
    pub failed: Vec<(i64, String)>,
    /// Sources whose evidence could not be reached or walked (source id, reason).
    pub unreachable: Vec<(i64, String)>,
    /// `runs` rows written (one per source with missing thumbnails).
    pub run_ids: Vec<i64>,
}

/// Entries wanted from one source: seq → (file id, content SHA-256).
type Wanted = HashMap<u64, (i64, String)>;

struct ThumbSink<'a> {
    wanted: &'a Wanted,
    pending: Vec<(i64, String, Vec<u8>)>,
    pending_bytes: usize,
    done: Vec<(i64, String, std::result::Result<Thumbs, String>)>,
    pool: &'a rayon::ThreadPool,
}

impl ThumbSink<'_> {
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let out: Vec<_> = self.pool.install(|| batch.into_par_iter().map(|(id, sha, b)| (id, sha, make_from_bytes(b, decode::DEFAULT_TIMEOUT))).collect());
        self.done.extend(out);
    }
}

impl EntrySink for ThumbSink<'_> {
    fn already_done(&self, seq: u64) -> bool {
        !self.wanted.contains_key(&seq)
    }
    fn issue(&mut self, _issue: Issue) {}
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()> {
        let Some((file_id, sha)) = self.wanted.get(&entry.seq).cloned() else { return Ok(()) };
        let limit = super::pass::MAX_IMAGE_BYTES;
        let buf = match content.read_up_to(limit + 1) {
            Ok(b) => b,
            Err(e) => {
                self.done.push((file_id, sha, Err(format!("could not be read from the evidence: {e}"))));
                return Ok(());
            }
        };
        if buf.len() as u64 > limit {
            self.done.push((file_id, sha, Err(format!("larger than {} MiB: not decoded", limit >> 20))));
            return Ok(());
        }
        self.pending_bytes += buf.len();
        self.pending.push((file_id, sha, buf));
        if self.pending.len() >= BATCH_ITEMS || self.pending_bytes >= BATCH_BYTES {
            self.flush();
        }
        Ok(())
    }
}

/// Make the missing thumbnails (absent, or of an older [`VERSION`]) of every image the image pass
/// hashed (`image_hashes.status = 'ok'`), reading each distinct content once from its evidence.
/// Per source: one `runs` row (`thumbnails`) with the counts; an unreachable source is reported and
/// the others go on. One audit row (`thumbs.backfill`) sums it up.
pub fn backfill(case: &mut Case, cancel: &CancelToken) -> Result<BackfillReport> {
    // Every hashed image lacking a current thumbnail, top-level entries only (as the image pass).
    let rows: Vec<(i64, i64, u64, String)> = {
        let mut st = case
            .conn()
            .prepare(
                "SELECT f.source_id, f.id, f.seq, f.sha256 FROM image_hashes h JOIN files f ON f.id = h.file_id
                 WHERE h.status = 'ok' AND f.sha256 IS NOT NULL AND f.parent_id = 0
                   AND NOT EXISTS (SELECT 1 FROM thumbnails t WHERE t.sha256 = f.sha256 AND t.version >= ?1)
                 ORDER BY f.source_id, f.id",
            )
            .ctx("listing images without thumbnails")?;
        st.query_map([VERSION], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64, r.get(3)?)))
            .ctx("listing images without thumbnails")?
            .collect::<std::result::Result<_, _>>()
            .ctx("listing images without thumbnails")?
    };
    // One file per content; per source, seq → (file id, sha256).
    let mut seen = HashSet::new();
    let mut by_source: Vec<(i64, Wanted)> = Vec::new();
    for (source_id, file_id, seq, sha) in rows {
        if !seen.insert(sha.clone()) {
            continue;
        }
        match by_source.last_mut() {
            Some((s, m)) if *s == source_id => {
                m.insert(seq, (file_id, sha));
            }
            _ => by_source.push((source_id, HashMap::from([(seq, (file_id, sha))]))),
        }
    }
    let mut report = BackfillReport { missing: seen.len(), ..Default::default() };
    if by_source.is_empty() {
        return Ok(report);
    }
    let sources: HashMap<i64, crate::case::SourceInfo> = case.sources()?.into_iter().map(|s| (s.id, s)).collect();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("tl-thumb-{i}"))
        .build()
        .map_err(|e| Error::Internal(format!("thumbnail worker pool: {e}")))?;
    for (source_id, wanted) in &by_source {
        if cancel.is_cancelled() {
            report.unreachable.push((*source_id, "cancelled by the user".into()));
            break;
        }
        let started = now_rfc3339();
        let at = sources.get(source_id).and_then(|s| case.locate_source(&s.path, s.rel_path.as_deref()));
        let mut sink = ThumbSink { wanted, pending: Vec::new(), pending_bytes: 0, done: Vec::new(), pool: &pool };
        let problem = match &at {
            None => Some(format!("the evidence of source {source_id} is not reachable")),
            Some(at) => match vfs::detect(at).and_then(|k| vfs::walk(at, k, &vfs::Limits { max_ratio: f64::INFINITY, ..Default::default() }, &mut sink, cancel)) {
                Ok(_) => None,
                Err(Error::Cancelled) => Some("cancelled by the user".to_string()),
                Err(e) => Some(e.to_string()),
            },
        };
        sink.flush();
        let met: HashSet<i64> = sink.done.iter().map(|(id, _, _)| *id).collect();
        if problem.is_none() {
            for (id, _) in wanted.values().filter(|(id, _)| !met.contains(id)) {
                sink.done.push((*id, String::new(), Err("entry not met while walking the evidence".into())));
            }
        }
        let (mut made, mut failed) = (0i64, Vec::new());
        let tx = case.conn_mut().transaction().ctx("storing thumbnails")?;
        for (file_id, sha, r) in &sink.done {
            match r {
                Ok(t) => {
                    store(&tx, sha, t)?;
                    made += 1;
                }
                Err(reason) => failed.push((*file_id, reason.clone())),
            }
        }
        let status = match &problem {
            None => "ok",
            Some(p) if p.starts_with("cancelled") => "cancelled",
            Some(_) if made > 0 => "partial",
            Some(_) => "failed",
        };
        let mut message = format!("{} images without a thumbnail: {} made, {} failed", wanted.len(), made, failed.len());
        for (id, why) in failed.iter().take(20) {
            message.push_str(&format!("; file {id}: {why}"));
        }
        if let Some(p) = &problem {
            message.push_str(&format!("; stopped: {p}"));
        }
        tx.execute(
            "INSERT INTO runs (source_id, kind, name, version, started_utc, finished_utc, status, item_count, error_count, message)
             VALUES (?1, 'parser', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![source_id, NAME, VERSION.to_string(), started, now_rfc3339(), status, made, failed.len() as i64 + i64::from(problem.is_some()), message],
        )
        .ctx("recording the thumbnail run")?;
        report.run_ids.push(tx.last_insert_rowid());
        tx.commit().ctx("storing thumbnails")?;
        report.made += made as usize;
        report.failed.extend(failed);
        if let Some(p) = problem {
            report.unreachable.push((*source_id, p));
        }
    }
    let actor = case.actor();
    let detail = serde_json::json!({"missing": report.missing, "made": report.made, "failed": report.failed.len(), "unreachable": report.unreachable, "version": VERSION});
    let tx = case.conn_mut().transaction().ctx("recording the thumbnail backfill")?;
    audit::append(&tx, &actor, "thumbs.backfill", &detail)?;
    tx.commit().ctx("recording the thumbnail backfill")?;
    if report.unreachable.iter().any(|(_, p)| p.starts_with("cancelled")) {
        return Err(Error::Cancelled);
    }
    Ok(report)
}

/// Decode a stored JPEG thumbnail (tests and front ends that need pixels).
pub fn decode_jpeg(bytes: &[u8]) -> Result<RgbImage> {
    image::load(Cursor::new(bytes), image::ImageFormat::Jpeg)
        .map(|i| i.into_rgb8())
        .map_err(|e| Error::InvalidArgument(format!("not a readable JPEG thumbnail: {e}")))
}

#[cfg(test)]
mod tests {

    #[test]
    fn shrink_gives_the_image_crates_thumbnail_pixels() {
        let mut rng = crate::samples::rng::Rng::new(11);
        let sizes = [(500, 375, 160, 120), (375, 500, 120, 160), (4000, 1, 160, 1), (161, 161, 160, 160), (7, 3, 7, 3), (640, 480, 6, 5), (333, 97, 160, 47), (160, 120, 6, 5), (1, 200, 1, 160)];
        for (w, h, nw, nh) in sizes {
            let raw = rng.bytes((w * h * 3) as usize);
            let img = RgbImage::from_raw(w, h, raw).unwrap();
            assert_eq!(shrink(&img, nw, nh), imageops::thumbnail(&img, nw, nh), "{w}x{h} -> {nw}x{nh}");
        }
        for _ in 0..300 {
            let (w, h) = (1 + rng.below(300) as u32, 1 + rng.below(300) as u32);
            let (nw, nh) = (1 + rng.below(u64::from(w)) as u32, 1 + rng.below(u64::from(h)) as u32);
            let img = RgbImage::from_raw(w, h, rng.bytes((w * h * 3) as usize)).unwrap();
            assert_eq!(shrink(&img, nw, nh), imageops::thumbnail(&img, nw, nh), "{w}x{h} -> {nw}x{nh}");
        }
        // Enlarging is the crate's own.
        let small = RgbImage::from_pixel(4, 4, image::Rgb([9, 8, 7]));
        assert_eq!(shrink(&small, 8, 8), imageops::thumbnail(&small, 8, 8));
    }
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(thumb_size(4000, 3000), (160, 120));
        assert_eq!(thumb_size(3000, 4000), (120, 160));
        assert_eq!(thumb_size(100, 50), (100, 50));
        assert_eq!(thumb_size(10_000, 10), (160, 1));
    }

    #[test]
    fn empty_image_is_an_error() {
        assert!(make(&RgbImage::new(0, 0)).is_err());
        let t = make(&RgbImage::new(1, 1)).unwrap();
        assert_eq!((t.width, t.height), (1, 1));
    }

    #[test]
    fn bad_sha_is_refused() {
        assert!(normalise_sha256("abc").is_err());
        assert_eq!(normalise_sha256(&"AB".repeat(32)).unwrap(), "ab".repeat(32));
    }
}
