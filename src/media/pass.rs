//! The image pass: per source, every image file (sniffed `jpeg`, `png`, `gif`, `bmp`, `tiff`,
//! `webp`, `heic`, or named like one: a 0-byte `.jpg` gets a row too) is decoded small and hashed
//! (dHash, pHash, PDQ + quality, see [`super::hashes`]); each gets one `image_hashes` row, with
//! the hashes or a status (`unsupported`, `corrupt`, `timeout`) and a reason. One `runs` row
//! named [`NAME`] per source records the counts per status.
//!
//! The source is walked once; only wanted entries are read. Decoding runs on a bounded rayon
//! pool in batches (at most [`BATCH_ITEMS`] images or [`BATCH_BYTES`] of encoded data held at a
//! time), each image on a decoder thread with a time limit ([`super::decode::DEFAULT_TIMEOUT`]).
//!
//! Images are normally decoded during the ingest, from the same read as the crypto hashes
//! (`ingest::image_tap`); this pass hashes the rest. After a parse that ran it, the
//! near-duplicate groups of the whole case are rebuilt once ([`rebuild_groups`]).

use std::collections::HashMap;
use std::time::Duration;

use rayon::prelude::*;
use rusqlite::{Connection, params};

use super::decode::{self, DecodeError};
use super::hashes::{self, ImageHashes};
use super::thumbs;
use super::matching::{Hashed, words};
use super::pdq;
use crate::case::{Case, SourceInfo, now_rfc3339};
use crate::error::{Error, Result, SqlContext};
use crate::parsers::RunReport;
use crate::progress::CancelToken;
use crate::vfs::{self, Content, Entry, EntrySink, Issue};

/// Run name.
pub const NAME: &str = "image-hashes";
/// Version, bumped when the hashes change.
pub const VERSION: &str = "1";
/// Sniffed types hashed.
pub const TYPES: &[&str] = &["jpeg", "png", "gif", "bmp", "tiff", "webp", "heic", "avif"];
/// Extensions that make a file an image even when its content was not sniffed as one.
pub const EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp", "heic", "heif", "avif"];
/// Images larger than this are not read (recorded `unsupported`).
pub const MAX_IMAGE_BYTES: u64 = 256 << 20;
/// Images held before a batch is decoded.
pub const BATCH_ITEMS: usize = 64;
/// Encoded bytes held before a batch is decoded.
pub const BATCH_BYTES: usize = 128 << 20;

/// Result for one image.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Hashed, with the thumbnails made from the same decode (`None` when they could not be
    /// made: `threadline thumb --backfill` retries).
    Ok(ImageHashes, Option<Box<thumbs::Thumbs>>),
    /// Not hashed: status and reason.
    Failed(&'static str, String),
}

/// Decode and hash one image (decoder thread, time limit, panics caught).
pub fn hash_bytes(bytes: Vec<u8>, timeout: Duration) -> Outcome {
    match decode::decode_with_timeout(bytes, timeout, |d| (hashes::compute(&d.rgb, d.orig_w, d.orig_h), thumbs::make(&d.rgb).ok())) {
        Ok((Ok(h), t)) => Outcome::Ok(h, t.map(Box::new)),
        Ok((Err(e), _)) => Outcome::Failed("corrupt", e),
        Err(e @ DecodeError::Unsupported(_)) => Outcome::Failed("unsupported", e.to_string()),
        Err(e) => Outcome::Failed(e.status(), e.to_string()),
    }
}

struct ImageSink<'a> {
    wanted: &'a HashMap<u64, i64>,
    pending: Vec<(i64, Vec<u8>)>,
    pending_bytes: usize,
    done: Vec<(i64, Outcome)>,
    pool: &'a rayon::ThreadPool,
    timeout: Duration,
}

impl ImageSink<'_> {
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let timeout = self.timeout;
        let out: Vec<(i64, Outcome)> = self.pool.install(|| batch.into_par_iter().map(|(id, b)| (id, hash_bytes(b, timeout))).collect());
        self.done.extend(out);
    }
}

impl EntrySink for ImageSink<'_> {
    fn already_done(&self, seq: u64) -> bool {
        !self.wanted.contains_key(&seq)
    }
    fn issue(&mut self, _issue: Issue) {}
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()> {
        let Some(&file_id) = self.wanted.get(&entry.seq) else { return Ok(()) };
        let buf = match content.read_up_to(MAX_IMAGE_BYTES + 1) {
            Ok(b) => b,
            Err(e) => {
                self.done.push((file_id, Outcome::Failed("corrupt", format!("could not be read from the evidence: {e}"))));
                return Ok(());
            }
        };
        if buf.len() as u64 > MAX_IMAGE_BYTES {
            self.done.push((file_id, Outcome::Failed("unsupported", format!("larger than {} MiB: not decoded", MAX_IMAGE_BYTES >> 20))));
            return Ok(());
        }
        self.pending_bytes += buf.len();
        self.pending.push((file_id, buf));
        if self.pending.len() >= BATCH_ITEMS || self.pending_bytes >= BATCH_BYTES {
            self.flush();
        }
        Ok(())
    }
}

fn u64_sql(v: u64) -> i64 {
    v as i64
}

/// Record one image's outcome in `image_hashes` (replacing an earlier row of the file).
/// The thumbnails, when made, are stored under the file's content SHA-256 `sha256`.
pub(crate) fn insert_outcome(conn: &Connection, source_id: i64, file_id: i64, run_id: i64, sha256: Option<&str>, o: &Outcome) -> Result<()> {
    if let (Outcome::Ok(_, Some(t)), Some(sha)) = (o, sha256) {
        thumbs::store(conn, sha, t)?;
    }
    match o {
        Outcome::Ok(h, _) => conn
            .execute(
                "INSERT OR REPLACE INTO image_hashes (source_id, file_id, run_id, width, height, decoded_w, decoded_h, dhash, phash, pdq, pdq_quality, pdq_alt, status, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'ok', NULL)",
                params![source_id, file_id, run_id, h.width, h.height, h.decoded_w, h.decoded_h, u64_sql(h.dhash), u64_sql(h.phash), h.pdq.to_hex(), h.pdq.quality, hashes::alt_to_text(&h.pdq_alt)],
            )
            .ctx("writing image hashes")?,
        Outcome::Failed(status, reason) => conn
            .execute(
                "INSERT OR REPLACE INTO image_hashes (source_id, file_id, run_id, status, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![source_id, file_id, run_id, status, reason],
            )
            .ctx("writing image hashes")?,
    };
    Ok(())
}

/// Hash every image of a source not yet hashed, and record one run. The caller rebuilds the
/// case's near-duplicate groups ([`rebuild_groups`]) once all sources are done.
pub(crate) fn run_source(case: &mut Case, src: &SourceInfo, at: &std::path::Path, force: bool, cancel: &CancelToken) -> Result<Option<RunReport>> {
    if !force && crate::parsers::source_pass_done(case, src.id, NAME, VERSION)? {
        return Ok(None);
    }
    let types = TYPES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",");
    let exts = EXTENSIONS.iter().map(|e| format!("lower(path) LIKE '%.{e}'")).collect::<Vec<_>>().join(" OR ");
    // Images decoded from the ingest's own read already have their row (see
    // `ingest::image_tap`); this pass reads only the others (named like images but not sniffed
    // as such, larger than the ingest keeps, from an older ingest), or all of them when forced.
    let pending = if force { "" } else { " AND id NOT IN (SELECT file_id FROM image_hashes)" };
    let wanted: HashMap<u64, i64> = {
        let mut st = case
            .conn()
            .prepare(&format!("SELECT seq, id FROM files WHERE source_id = ?1 AND parent_id = 0 AND kind = 'file' AND (sniffed IN ({types}) OR {exts}){pending}"))
            .ctx("listing images")?;
        st.query_map([src.id], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))).ctx("listing images")?.collect::<std::result::Result<_, _>>().ctx("listing images")?
    };
    case.conn()
        .execute(
            "INSERT INTO runs (source_id, kind, name, version, started_utc, status) VALUES (?1, 'parser', ?2, ?3, ?4, 'running')",
            params![src.id, NAME, VERSION, now_rfc3339()],
        )
        .ctx("recording the image pass")?;
    let run_id = case.conn().last_insert_rowid();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("tl-img-{i}")).build().map_err(|e| Error::Internal(format!("image pool: {e}")))?;
    let mut sink = ImageSink { wanted: &wanted, pending: Vec::new(), pending_bytes: 0, done: Vec::new(), pool: &pool, timeout: decode::DEFAULT_TIMEOUT };
    let walk_problem = if wanted.is_empty() {
        None
    } else {
        match vfs::detect(at).and_then(|k| vfs::walk(at, k, &vfs::Limits { max_ratio: f64::INFINITY, ..Default::default() }, &mut sink, cancel)) {
            Ok(_) => None,
            Err(Error::Cancelled) => Some("cancelled by the user".to_string()),
            Err(e) => Some(e.to_string()),
        }
    };
    sink.flush();
    let mut results = std::mem::take(&mut sink.done);
    let seen: std::collections::HashSet<i64> = results.iter().map(|(id, _)| *id).collect();
    for id in wanted.values().filter(|id| !seen.contains(id)) {
        results.push((*id, Outcome::Failed("corrupt", "entry not met while walking the evidence".into())));
    }
    let mut counts: HashMap<&'static str, i64> = HashMap::new();
    let mut reasons = Vec::new();
    let tx = case.conn_mut().transaction().ctx("writing image hashes")?;
    for (file_id, o) in &results {
        let status = match o {
            Outcome::Ok(..) => "ok",
            Outcome::Failed(status, reason) => {
                if reasons.len() < 20 {
                    reasons.push(format!("file {file_id}: {reason}"));
                }
                status
            }
        };
        *counts.entry(status).or_default() += 1;
        let sha: Option<String> = tx.query_row("SELECT sha256 FROM files WHERE id = ?1", [file_id], |r| r.get(0)).ctx("reading a file hash")?;
        insert_outcome(&tx, src.id, *file_id, run_id, sha.as_deref(), o)?;
    }
    let n = |s: &str| counts.get(s).copied().unwrap_or(0);
    let at_ingest: i64 = tx
        .query_row("SELECT count(*) FROM image_hashes WHERE source_id = ?1 AND run_id <> ?2", params![src.id, run_id], |r| r.get(0))
        .ctx("counting image hashes")?;
    let mut message = if wanted.is_empty() && at_ingest == 0 {
        "searched, no image in this source".to_string()
    } else {
        format!(
            "{at_ingest} images hashed from the ingest read; {} read here: {} ok, {} unsupported, {} corrupt, {} timeout",
            wanted.len(),
            n("ok"),
            n("unsupported"),
            n("corrupt"),
            n("timeout")
        )
    };
    if !reasons.is_empty() {
        message.push_str(&format!("; {}", reasons.join("; ")));
    }
    let status = match &walk_problem {
        Some(p) => {
            message.push_str(&format!("; stopped: {p}"));
            if p.starts_with("cancelled") { "cancelled" } else { "failed" }
        }
        None => "ok",
    };
    if status == "ok" {
        tx.commit().ctx("writing image hashes")?;
    } else {
        tx.rollback().ctx("rolling back image hashes")?;
    }
    let items = if status == "ok" {
        case.conn().query_row("SELECT count(*) FROM image_hashes WHERE source_id = ?1 AND status = 'ok'", [src.id], |r| r.get(0)).ctx("counting image hashes")?
    } else {
        0
    };
    let errors = n("corrupt") + n("timeout") + i64::from(status != "ok");
    case.conn()
        .execute(
            "UPDATE runs SET finished_utc = ?2, status = ?3, item_count = ?4, error_count = ?5, message = ?6 WHERE id = ?1",
            params![run_id, now_rfc3339(), status, items, errors, message],
        )
        .ctx("recording the image pass")?;
    Ok(Some(RunReport { run_id, source_id: src.id, parser: NAME.into(), path: None, status: status.into(), items, message }))
}

/// Every `ok` row of `image_hashes`.
pub(crate) fn load_hashed(conn: &Connection) -> Result<Vec<Hashed>> {
    let mut st = conn
        .prepare("SELECT file_id, pdq_quality, pdq, pdq_alt, dhash, phash FROM image_hashes WHERE status = 'ok' AND pdq IS NOT NULL ORDER BY file_id")
        .ctx("reading image hashes")?;
    let rows = st
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?, r.get::<_, Option<i64>>(4)?, r.get::<_, Option<i64>>(5)?)))
        .ctx("reading image hashes")?;
    let mut out = Vec::new();
    for r in rows {
        let (file_id, q, main, alt, d, p) = r.ctx("reading image hashes")?;
        let Ok(h) = pdq::hash_from_hex(&main) else { continue };
        let alt = hashes::alt_from_text(alt.as_deref().unwrap_or("")).into_iter().map(|(v, h)| (v, words(&h))).collect();
        out.push(Hashed { file_id, quality: q.unwrap_or(0).clamp(0, 100) as u32, main: words(&h), alt, dhash: d.unwrap_or(0) as u64, phash: p.unwrap_or(0) as u64 });
    }
    Ok(out)
}

/// Replace the case's near-duplicate groups (`similar_groups`, `similar_members`) with the
/// connected components over every hashed image, at the default radii (see
/// [`super::query::rebuild_groups_at`]). Returns the number of groups.
pub fn rebuild_groups(conn: &mut Connection, run_id: Option<i64>) -> Result<usize> {
    super::query::rebuild_groups_at(conn, run_id, &super::matching::Radii::default())
}
