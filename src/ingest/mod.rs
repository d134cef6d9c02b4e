//! The ingest pipeline: enumerate → hash → sniff → batched writer.
//!
//! One walker (the calling thread) enumerates the container; a rayon pool hashes contents that can
//! be opened from any thread (folder, ZIP) and small members of streamed containers (TAR); one writer
//! thread owns the SQLite connection and commits in large transactions, fed by a bounded channel,
//! so memory stays flat whatever the size of the source.
//!
//! Each file is read once: MD5, SHA-1 and SHA-256 are computed together and the first bytes kept for
//! sniffing. A source is `partial` from the moment it is added until it completes; running the same
//! ingest again resumes it (entries already in the case are skipped, entries that failed are
//! retried) without duplicating rows, after Ctrl-C or `kill -9` alike.

pub mod hasher;
mod image_tap;
pub mod nested;
pub mod sniff;
mod writer;

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, bounded};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::case::{Case, IssueCounts, TOOL_VERSION, audit, now_rfc3339};
use crate::error::{Error, Result, SqlContext};
use crate::progress::{CancelToken, Progress};
use crate::vfs::{self, Content, ContainerKind, Entry, EntryKind, EntrySink, Issue, Limits, Severity};
use hasher::{BUF_SIZE, Digests, MultiHasher};

/// Members of streamed containers up to this size are read into memory and hashed on the pool;
/// bigger ones are hashed in the walker thread as they stream.
const POOL_STREAM_MAX: u64 = 4 << 20;

/// Options of one ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Label for the source (defaults to the file or folder name).
    pub label: Option<String>,
    /// Decompression-bomb limits.
    pub limits: Limits,
    /// Hashing threads (0 = one per core).
    pub threads: usize,
    /// Expand archives found inside the source (ZIP, TAR, TAR.GZ), up to [`nested::MAX_DEPTH`] levels.
    pub expand_archives: bool,
}

/// What an ingest did.
#[derive(Debug, Clone, Serialize)]
pub struct IngestSummary {
    /// Source id in the case.
    pub source_id: i64,
    /// Its label.
    pub label: String,
    /// Absolute path of the source.
    pub path: String,
    /// `folder`, `zip`, `tar`, `tar.gz`.
    pub container_kind: String,
    /// `complete` or `partial` (`failed` sources end with an error instead).
    pub status: String,
    /// Why not complete.
    pub status_reason: Option<String>,
    /// True when this run resumed an earlier, unfinished one.
    pub resumed: bool,
    /// True when the source was already complete and nothing was done.
    pub already_complete: bool,
    /// Entries in the case for this source after the run.
    pub entries: i64,
    /// Entries added by this run.
    pub entries_added: u64,
    /// Files whose content was hashed by this run.
    pub files_hashed: u64,
    /// Bytes hashed by this run.
    pub bytes_hashed: u64,
    /// Entries skipped because an earlier run had recorded them.
    pub skipped_already_done: u64,
    /// Issues recorded for this source, by severity.
    pub issues: IssueCounts,
    /// Archives found inside the source (virtual paths), listed for expansion.
    pub nested_archives: Vec<String>,
    /// SHA-256 of the container file (archives only).
    pub container_sha256: Option<String>,
    /// MD5 of the container file (archives only).
    pub container_md5: Option<String>,
    /// Digest of the source's file list, also written to the audit log.
    pub manifest_sha256: String,
    /// Wall time of this run, seconds.
    pub seconds: f64,
}

/// One row for the writer.
pub(crate) enum Msg {
    File(Box<FileRecord>),
    Issue(Issue, i64),
}

/// A finished entry.
pub(crate) struct FileRecord {
    pub parent_id: i64,
    pub entry: Entry,
    pub digests: Option<Digests>,
    pub sniffed: Option<&'static str>,
    pub error: Option<String>,
    /// Image hashes computed from the same read (images only).
    pub image: Option<crate::media::pass::Outcome>,
}

/// Shared counters for progress.
#[derive(Default)]
pub(crate) struct Counters {
    pub files_done: AtomicU64,
    pub bytes_done: AtomicU64,
    pub files_total: AtomicU64,
    pub bytes_total: AtomicU64,
    pub container_read: AtomicU64,
    pub container_size: AtomicU64,
    pub hashed: AtomicU64,
}

/// Ingest `source` into `case`. See the module docs.
pub fn ingest(case: &mut Case, source: &Path, opts: &IngestOptions, progress: &dyn Progress, cancel: &CancelToken) -> Result<IngestSummary> {
    let started = Instant::now();
    if !case.is_writable() {
        return Err(Error::InvalidArgument("the case is open read-only".into()));
    }
    let abs = std::fs::canonicalize(source).unwrap_or_else(|_| std::path::absolute(source).unwrap_or_else(|_| source.to_path_buf()));
    let kind = match vfs::detect(&abs) {
        Ok(k) => k,
        Err(e) => {
            record_refused(case, &abs, &e)?;
            return Err(e);
        }
    };
    let label = opts.label.clone().unwrap_or_else(|| abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| abs.display().to_string()));
    let meta = std::fs::metadata(&abs).map_err(|e| Error::io("reading the metadata of", &abs, e))?;
    let (size, mtime) = if kind.is_folder() { (None, None) } else { (Some(meta.len() as i64), meta.modified().ok().and_then(vfs::system_time_us)) };
    let path_str = abs.display().to_string();

    // New source, or resume an unfinished one.
    let existing: Option<(i64, String, Option<i64>, Option<i64>, String)> = case
        .conn()
        .query_row("SELECT id, status, size, mtime_utc, label FROM sources WHERE path = ?1 ORDER BY id DESC LIMIT 1", [&path_str], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()
        .ctx("looking for an earlier ingest of this source")?;
    let actor = case.actor();
    let (source_id, resumed, label) = match existing {
        Some((id, status, _, _, label)) if status == "complete" => {
            let mut s = summary_of(case, id, &label, &path_str, kind, false, started)?;
            s.already_complete = true;
            return Ok(s);
        }
        Some((id, _, old_size, old_mtime, label)) => {
            if old_size != size || old_mtime != mtime {
                return Err(Error::InvalidArgument(format!(
                    "source '{path_str}' changed since its unfinished ingest (size or modification time differ); \
                     add the new copy under another path so both stay traceable"
                )));
            }
            (id, true, label)
        }
        None => {
            let rel = pathdiff(&abs, &case.dir());
            let tx = case.conn_mut().transaction().ctx("adding the source")?;
            tx.execute(
                "INSERT INTO sources (label, container_kind, path, rel_path, size, mtime_utc, added_utc, added_by, tool_version, status, status_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'partial', 'ingest in progress')",
                params![label, kind.as_str(), path_str, rel, size, mtime, now_rfc3339(), actor, TOOL_VERSION],
            )
            .ctx("adding the source")?;
            let id = tx.last_insert_rowid();
            audit::append(&tx, &actor, "source.add", &serde_json::json!({"source_id": id, "label": label, "path": path_str, "container_kind": kind.as_str()}))?;
            tx.commit().ctx("adding the source")?;
            (id, false, label)
        }
    };

    // On resume: entries that failed are retried; their issues and container-level issues go.
    let done: HashSet<u64> = {
        let tx = case.conn_mut().transaction().ctx("preparing the resume")?;
        tx.execute(
            "DELETE FROM ingest_issues WHERE source_id = ?1 AND (seq IS NULL OR NOT EXISTS
               (SELECT 1 FROM files f WHERE f.source_id = ?1 AND f.parent_id = ingest_issues.parent_id AND f.seq = ingest_issues.seq AND f.error IS NULL))",
            [source_id],
        )
        .ctx("preparing the resume")?;
        tx.execute("DELETE FROM files WHERE source_id = ?1 AND error IS NOT NULL", [source_id]).ctx("preparing the resume")?;
        let mut stmt = tx.prepare("SELECT seq FROM files WHERE source_id = ?1 AND parent_id = 0").ctx("preparing the resume")?;
        let set = stmt.query_map([source_id], |r| r.get::<_, i64>(0)).ctx("preparing the resume")?.filter_map(|r| r.ok()).map(|v| v as u64).collect();
        drop(stmt);
        tx.commit().ctx("preparing the resume")?;
        set
    };
    let skipped = done.len() as u64;

    let run_id = {
        let tx = case.conn_mut().transaction().ctx("starting the run")?;
        tx.execute(
            "INSERT INTO runs (source_id, kind, name, version, started_utc, status) VALUES (?1, 'ingest', 'hash', ?2, ?3, 'running')",
            params![source_id, TOOL_VERSION, now_rfc3339()],
        )
        .ctx("starting the run")?;
        let run_id = tx.last_insert_rowid();
        audit::append(
            &tx,
            &actor,
            if resumed { "ingest.resume" } else { "ingest.start" },
            &serde_json::json!({"source_id": source_id, "run_id": run_id, "already_done": skipped, "limits": opts.limits}),
        )?;
        tx.commit().ctx("starting the run")?;
        run_id
    };

    let counters = Arc::new(Counters::default());
    let threads = if opts.threads == 0 { std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) } else { opts.threads };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("tl-hash-{i}"))
        .build()
        .map_err(|e| Error::Internal(format!("starting the hashing pool: {e}")))?;

    let top = Walk { path: &abs, kind, parent_id: 0, prefix: String::new(), done: &done };
    let (walk_result, writer_result, container_digests) =
        run_pipeline(case.conn_mut(), source_id, run_id, top, &pool, threads, &counters, opts, progress, cancel, !kind.is_folder());
    let mut stats = writer_result?;
    let mut nested_problems = Vec::new();
    if opts.expand_archives && walk_result.is_ok() && !cancel.is_cancelled() {
        let (added, problems) = nested::expand_all(case, source_id, run_id, &abs, kind, &pool, threads, &counters, opts, progress, cancel)?;
        stats.files_added += added;
        nested_problems = problems;
    }
    let (container_sha256, container_md5, container_err) = match container_digests {
        Some(Ok(d)) => (Some(d.sha256), Some(d.md5), None),
        Some(Err(e)) => (None, None, Some(format!("the container could not be hashed: {e}"))),
        None => (None, None, None),
    };
    let cancelled = matches!(walk_result, Err(Error::Cancelled)) || cancel.is_cancelled();
    let (damaged, fatal) = match walk_result {
        Ok(out) => (out.damaged, None),
        Err(Error::Cancelled) => (None, None),
        Err(e) => (None, Some(e)),
    };

    // Decide the status.
    let errors: i64 = case
        .conn()
        .query_row("SELECT count(*) FROM files WHERE source_id = ?1 AND error IS NOT NULL", [source_id], |r| r.get(0))
        .ctx("counting unreadable entries")?;
    let entries_now: i64 = case.conn().query_row("SELECT count(*) FROM files WHERE source_id = ?1", [source_id], |r| r.get(0)).ctx("counting entries")?;
    let mut reasons = Vec::new();
    if cancelled {
        reasons.push(format!("interrupted by the user after {entries_now} entries; run the same ingest again to resume"));
    }
    if let Some(e) = &fatal {
        reasons.push(e.to_string());
    }
    if let Some(d) = &damaged {
        reasons.push(d.clone());
    }
    if errors > 0 {
        reasons.push(format!("{errors} entries could not be read (see `threadline issues`)"));
    }
    let mismatched: i64 = case
        .conn()
        .query_row("SELECT count(*) FROM ingest_issues WHERE source_id = ?1 AND code = 'hash-mismatch'", [source_id], |r| r.get(0))
        .ctx("counting hash mismatches")?;
    if mismatched > 0 {
        reasons.push(format!("{mismatched} files do not match the hashes the container states (see `threadline issues`)"));
    }
    if let Some(e) = &container_err {
        reasons.push(e.clone());
    }
    reasons.extend(nested_problems);
    let status = if fatal.is_some() && entries_now == 0 {
        "failed"
    } else if reasons.is_empty() {
        "complete"
    } else {
        "partial"
    };
    let reason = (!reasons.is_empty()).then(|| reasons.join("; "));

    let tx = case.conn_mut().transaction().ctx("finishing the ingest")?;
    if status == "complete" {
        strip_single_top_folder(&tx, source_id)?;
    }
    let manifest = manifest_digest(&tx, source_id)?;
    let (file_count, byte_count): (i64, i64) = tx
        .query_row("SELECT count(*), coalesce(sum(CASE WHEN sha256 IS NOT NULL THEN size END), 0) FROM files WHERE source_id = ?1", [source_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("counting entries")?;
    let finished = now_rfc3339();
    tx.execute(
        "UPDATE sources SET status = ?2, status_reason = ?3, file_count = ?4, byte_count = ?5, sha256 = coalesce(?6, sha256), md5 = coalesce(?7, md5),
                            manifest_sha256 = ?8, finished_utc = ?9 WHERE id = ?1",
        params![source_id, status, reason, file_count, byte_count, container_sha256, container_md5, manifest, finished],
    )
    .ctx("finishing the ingest")?;
    let run_status = match status {
        "complete" => "ok",
        "failed" => "failed",
        _ if cancelled => "cancelled",
        _ => "partial",
    };
    tx.execute(
        "UPDATE runs SET finished_utc = ?2, status = ?3, item_count = ?4, error_count = ?5, message = ?6 WHERE id = ?1",
        params![run_id, finished, run_status, stats.files_added as i64, errors, reason.clone().unwrap_or_else(|| format!("{} entries recorded", stats.files_added))],
    )
    .ctx("finishing the run")?;
    audit::append(
        &tx,
        &actor,
        "ingest.finish",
        &serde_json::json!({"source_id": source_id, "run_id": run_id, "status": status, "reason": reason, "entries": file_count,
                            "bytes": byte_count, "container_sha256": container_sha256, "container_md5": container_md5, "manifest_sha256": manifest}),
    )?;
    tx.commit().ctx("finishing the ingest")?;
    if let Some(e) = fatal
        && status == "failed"
    {
        return Err(e);
    }
    let mut s = summary_of(case, source_id, &label, &path_str, kind, resumed, started)?;
    s.entries_added = stats.files_added;
    s.files_hashed = counters.hashed.load(Ordering::Relaxed);
    s.bytes_hashed = counters.bytes_done.load(Ordering::Relaxed);
    s.skipped_already_done = skipped;
    Ok(s)
}

/// One container to walk into the case: the source itself, or an archive found inside it.
pub(crate) struct Walk<'a> {
    pub path: &'a Path,
    pub kind: ContainerKind,
    /// Row id of the archive entry being expanded (0 for the source itself).
    pub parent_id: i64,
    /// Virtual path of that archive entry ("" for the source itself).
    pub prefix: String,
    /// Entries of this container already in the case.
    pub done: &'a HashSet<u64>,
}

/// Walk one container through the pool into the writer. Returns the walk's outcome, the writer's
/// result and, when asked, the container's own digests (computed alongside, on another thread).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_pipeline(
    conn: &mut rusqlite::Connection,
    source_id: i64,
    run_id: i64,
    walk: Walk<'_>,
    pool: &rayon::ThreadPool,
    threads: usize,
    counters: &Arc<Counters>,
    opts: &IngestOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
    hash_container: bool,
) -> (Result<vfs::WalkOutcome>, Result<writer::WriterStats>, Option<std::io::Result<Digests>>) {
    std::thread::scope(|scope| {
        let (tx, rx) = bounded::<Msg>(8192);
        let c2 = counters.clone();
        let writer = scope.spawn(move || writer::run(conn, rx, source_id, run_id, &c2, progress));
        let container = hash_container.then(|| {
            let p = walk.path.to_path_buf();
            scope.spawn(move || hasher::hash_file(&p))
        });
        let slots = threads * 4;
        let (slot_tx, slot_rx) = bounded::<()>(slots);
        let mut sink = IngestSink {
            tx: tx.clone(),
            pool,
            slot_tx: slot_tx.clone(),
            slot_rx: slot_rx.clone(),
            done: walk.done,
            parent_id: walk.parent_id,
            prefix: walk.prefix.clone(),
            counters: counters.clone(),
            cancel: cancel.clone(),
            seen: HashSet::new(),
            summary_flags: Default::default(),
            buf: vec![0u8; BUF_SIZE],
        };
        let result = vfs::walk(walk.path, walk.kind, &opts.limits, &mut sink, cancel);
        sink.flush_summary_issues();
        // Wait for every hashing job to give its slot back, then close the channel.
        for _ in 0..slots {
            let _ = slot_tx.send(());
        }
        drop(sink);
        drop(tx);
        let writer = writer.join().unwrap_or_else(|_| Err(Error::Internal("the case writer thread panicked".into())));
        let container = container.map(|h| h.join().unwrap_or_else(|_| Err(std::io::Error::other("container hashing thread panicked"))));
        (result, writer, container)
    })
}

fn summary_of(case: &Case, id: i64, label: &str, path: &str, kind: ContainerKind, resumed: bool, started: Instant) -> Result<IngestSummary> {
    let c = case.conn();
    let (status, reason, sha, md5, manifest): (String, Option<String>, Option<String>, Option<String>, Option<String>) = c
        .query_row("SELECT status, status_reason, sha256, md5, manifest_sha256 FROM sources WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .ctx("reading the source")?;
    let entries: i64 = c.query_row("SELECT count(*) FROM files WHERE source_id = ?1", [id], |r| r.get(0)).ctx("counting entries")?;
    let mut issues = IssueCounts::default();
    let mut stmt = c.prepare("SELECT severity, count(*) FROM ingest_issues WHERE source_id = ?1 GROUP BY severity").ctx("counting issues")?;
    for row in stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).ctx("counting issues")? {
        let (sev, n) = row.ctx("counting issues")?;
        match sev.as_str() {
            "info" => issues.info = n,
            "warning" => issues.warning = n,
            _ => issues.error = n,
        }
    }
    let placeholders = sniff::ARCHIVE_TYPES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",");
    let mut stmt = c
        .prepare(&format!("SELECT path FROM files WHERE source_id = ?1 AND kind = 'file' AND sniffed IN ({placeholders}) ORDER BY path"))
        .ctx("listing nested archives")?;
    let nested = stmt.query_map([id], |r| r.get(0)).ctx("listing nested archives")?.collect::<std::result::Result<Vec<String>, _>>().ctx("listing nested archives")?;
    Ok(IngestSummary {
        source_id: id,
        label: label.to_string(),
        path: path.to_string(),
        container_kind: kind.as_str().to_string(),
        status,
        status_reason: reason,
        resumed,
        already_complete: false,
        entries,
        entries_added: 0,
        files_hashed: 0,
        bytes_hashed: 0,
        skipped_already_done: 0,
        issues,
        nested_archives: nested,
        container_sha256: sha,
        container_md5: md5,
        manifest_sha256: manifest.unwrap_or_default(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// A source that could not even be opened: a failed run row and an audit row say so.
fn record_refused(case: &mut Case, path: &Path, err: &Error) -> Result<()> {
    let actor = case.actor();
    let now = now_rfc3339();
    let tx = case.conn_mut().transaction().ctx("recording a refused source")?;
    tx.execute(
        "INSERT INTO runs (source_id, kind, name, version, started_utc, finished_utc, status, error_count, message)
         VALUES (NULL, 'ingest', 'open-source', ?1, ?2, ?2, 'failed', 1, ?3)",
        params![TOOL_VERSION, now, err.to_string()],
    )
    .ctx("recording a refused source")?;
    audit::append(&tx, &actor, "ingest.refused", &serde_json::json!({"path": path.display().to_string(), "kind": err.kind(), "message": err.to_string()}))?;
    tx.commit().ctx("recording a refused source")
}

/// The digest of a source's file list: SHA-256 over one line per entry in (parent, seq) order.
pub fn manifest_digest(conn: &rusqlite::Connection, source_id: i64) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut stmt = conn
        .prepare("SELECT parent_id, seq, path, kind, size, md5, sha1, sha256 FROM files WHERE source_id = ?1 ORDER BY parent_id, seq")
        .ctx("computing the manifest digest")?;
    let mut rows = stmt.query([source_id]).ctx("computing the manifest digest")?;
    let mut h = Sha256::new();
    while let Some(r) = rows.next().ctx("computing the manifest digest")? {
        let line = format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            r.get::<_, i64>(0).ctx("manifest")?,
            r.get::<_, i64>(1).ctx("manifest")?,
            r.get::<_, String>(2).ctx("manifest")?,
            r.get::<_, String>(3).ctx("manifest")?,
            r.get::<_, Option<i64>>(4).ctx("manifest")?.map(|v| v.to_string()).unwrap_or_default(),
            r.get::<_, Option<String>>(5).ctx("manifest")?.unwrap_or_default(),
            r.get::<_, Option<String>>(6).ctx("manifest")?.unwrap_or_default(),
            r.get::<_, Option<String>>(7).ctx("manifest")?.unwrap_or_default(),
        );
        h.update(line.as_bytes());
    }
    Ok(hex::encode(h.finalize()))
}

/// When every top-level entry of a complete source sits under one folder, that folder is an
/// artefact of how the extraction was packed: remove it from virtual paths (raw paths keep it).
fn strip_single_top_folder(conn: &rusqlite::Connection, source_id: i64) -> Result<()> {
    let tops: Vec<String> = {
        let mut stmt = conn
            .prepare(
                "SELECT DISTINCT substr(path, 2, CASE WHEN instr(substr(path, 2), '/') = 0 THEN length(path) ELSE instr(substr(path, 2), '/') - 1 END)
                 FROM files WHERE source_id = ?1 AND parent_id = 0 AND path != '/' LIMIT 2",
            )
            .ctx("looking for a single top folder")?;
        stmt.query_map([source_id], |r| r.get(0)).ctx("looking for a single top folder")?.filter_map(|r| r.ok()).collect()
    };
    if tops.len() != 1 {
        return Ok(());
    }
    // Folders that are the top of a device file system are meaning, not packing.
    const DEVICE_ROOTS: &[&str] = &[
        "private", "var", "data", "system", "sdcard", "storage", "mnt", "mobile", "media", "Users", "home", "root", "System",
        "Library", "Applications", "Volumes", "etc", "usr", "vendor", "cache", "apex", "product", "_ufdr", "_backup",
    ];
    if DEVICE_ROOTS.contains(&tops[0].as_str()) {
        return Ok(());
    }
    let top = format!("/{}", tops[0]);
    // Only a folder: a lone file at the top stays where it is.
    let nested: i64 = conn
        .query_row("SELECT count(*) FROM files WHERE source_id = ?1 AND parent_id = 0 AND substr(path, 1, ?3) = ?2 || '/'", params![source_id, top, top.len() as i64 + 1], |r| r.get(0))
        .ctx("looking for a single top folder")?;
    if nested == 0 {
        return Ok(());
    }
    conn.execute(
        "UPDATE files SET path = CASE WHEN path = ?2 THEN '/' ELSE substr(path, ?3) END
         WHERE source_id = ?1 AND parent_id = 0 AND (path = ?2 OR substr(path, 1, ?3) = ?2 || '/')",
        params![source_id, top, top.len() as i64 + 1],
    )
    .ctx("removing the single top folder")?;
    conn.execute(
        "INSERT INTO ingest_issues (source_id, severity, code, message) VALUES (?1, 'info', 'top-folder', ?2)",
        params![source_id, format!("every entry sat under one top folder '{}'; it was removed from virtual paths (raw paths keep it)", &top[1..])],
    )
    .ctx("recording the top folder")?;
    Ok(())
}

fn pathdiff(path: &Path, base: &Path) -> Option<String> {
    let base = std::fs::canonicalize(base).ok()?;
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    Some(out.display().to_string())
}

/// Flags that would flood the issue list entry by entry are summarised once per source.
#[derive(Default)]
struct SummaryFlags {
    absolute: (u64, Option<String>),
    vendor: (u64, Option<String>),
    dos_time: (u64, Option<String>),
}

struct IngestSink<'a> {
    tx: Sender<Msg>,
    pool: &'a rayon::ThreadPool,
    slot_tx: Sender<()>,
    slot_rx: Receiver<()>,
    done: &'a HashSet<u64>,
    parent_id: i64,
    prefix: String,
    counters: Arc<Counters>,
    cancel: CancelToken,
    seen: HashSet<u64>,
    summary_flags: SummaryFlags,
    buf: Vec<u8>,
}

fn path_key(p: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    p.hash(&mut h);
    h.finish()
}

impl IngestSink<'_> {
    fn send(&self, msg: Msg) -> Result<()> {
        self.tx.send(msg).map_err(|_| Error::Internal("the case writer stopped".into()))
    }

    fn flush_summary_issues(&mut self) {
        let f = std::mem::take(&mut self.summary_flags);
        for ((n, example), code, what) in [
            (f.absolute, "absolute-path", "entry names were absolute (leading '/' removed in virtual paths)"),
            (f.vendor, "vendor-prefix", "entry names carried a vendor prefix (filesystemN/, Dump/ or an extra top folder) removed in virtual paths"),
            (f.dos_time, "dos-time", "ZIP entries carry only a DOS time, which has no time zone; stored as if UTC"),
        ] {
            if n > 0 {
                let _ = self.tx.send(Msg::Issue(
                    Issue { seq: None, path: None, severity: Severity::Info, code, message: format!("{n} {what}; e.g. '{}'", example.unwrap_or_default()) },
                    self.parent_id,
                ));
            }
        }
    }
}

/// Stops a long read as soon as cancellation is asked for.
struct CancelRead<'a> {
    inner: &'a mut dyn Read,
    cancel: &'a CancelToken,
}

impl Read for CancelRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.is_cancelled() {
            return Err(std::io::Error::other("cancelled"));
        }
        self.inner.read(buf)
    }
}

/// Hash content; `None` when cancelled midway (the entry is then left for the resumed run).
fn hash_content(r: &mut dyn Read, buf: &mut [u8], counters: &Counters, cancel: &CancelToken) -> Option<std::io::Result<Digests>> {
    hash_content_keeping_image(r, buf, counters, cancel).map(|r| r.map(|(d, _)| d))
}

/// [`hash_content`], also returning the bytes when the content is an image (see [`image_tap`]).
fn hash_content_keeping_image(r: &mut dyn Read, buf: &mut [u8], counters: &Counters, cancel: &CancelToken) -> Option<std::io::Result<(Digests, Option<Vec<u8>>)>> {
    let mut cr = CancelRead { inner: r, cancel };
    let mut tap = image_tap::ImageTap::new(&mut cr);
    let result = hasher::hash_reader(&mut tap, buf, &mut |n| {
        counters.bytes_done.fetch_add(n, Ordering::Relaxed);
    });
    let image = tap.into_image();
    if result.is_err() && cancel.is_cancelled() { None } else { Some(result.map(|d| (d, image))) }
}

/// Decode and hash an image read during the ingest (on the ingest pool, with the time limit).
fn image_outcome(rec: &FileRecord, bytes: Option<Vec<u8>>) -> Option<crate::media::pass::Outcome> {
    let bytes = bytes?;
    if rec.digests.is_none() || !rec.sniffed.is_some_and(|s| crate::media::pass::TYPES.contains(&s)) {
        return None;
    }
    Some(crate::media::pass::hash_bytes(bytes, crate::media::decode::DEFAULT_TIMEOUT))
}

fn finish_record(parent_id: i64, entry: Entry, result: std::io::Result<Digests>, counters: &Counters) -> (FileRecord, Option<Issue>) {
    match result {
        Ok(d) => {
            counters.hashed.fetch_add(1, Ordering::Relaxed);
            let sniffed = sniff::sniff(&d.head, d.size);
            let mut issue = None;
            let mut entry = entry;
            if let Some(stated) = &entry.stated {
                let pairs = [("MD5", stated.md5.as_deref(), d.md5.as_str()), ("SHA-256", stated.sha256.as_deref(), d.sha256.as_str())];
                let wrong: Vec<String> = pairs
                    .iter()
                    .filter_map(|(name, s, got)| s.filter(|s| !s.eq_ignore_ascii_case(got)).map(|s| format!("{name} {got}, the container states {s}")))
                    .collect();
                if !wrong.is_empty() {
                    let issue = Issue {
                        seq: Some(entry.seq),
                        path: Some(entry.path.clone()),
                        severity: Severity::Error,
                        code: "hash-mismatch",
                        message: format!("'{}' hashes to {}", entry.raw_path, wrong.join("; ")),
                    };
                    entry.flags.push("hash-mismatch");
                    let sniffed = sniff::sniff(&d.head, d.size);
                    return (FileRecord { parent_id, entry, digests: Some(d), sniffed: Some(sniffed), error: None, image: None }, Some(issue));
                }
            }
            if entry.kind == EntryKind::File && d.size != entry.size {
                issue = Some(Issue {
                    seq: Some(entry.seq),
                    path: Some(entry.path.clone()),
                    severity: Severity::Warning,
                    code: "size-mismatch",
                    message: format!("'{}' declared {} bytes but {} were read; the hashes cover the bytes read", entry.raw_path, entry.size, d.size),
                });
                entry.size = d.size;
            }
            (FileRecord { parent_id, entry, digests: Some(d), sniffed: Some(sniffed), error: None, image: None }, issue)
        }
        Err(e) => {
            let msg = format!("'{}' could not be read: {e}", entry.raw_path);
            let issue = Issue { seq: Some(entry.seq), path: Some(entry.path.clone()), severity: Severity::Error, code: "unreadable", message: msg.clone() };
            (FileRecord { parent_id, entry, digests: None, sniffed: None, error: Some(msg), image: None }, Some(issue))
        }
    }
}

impl EntrySink for IngestSink<'_> {
    fn already_done(&self, seq: u64) -> bool {
        self.done.contains(&seq)
    }

    fn totals(&mut self, entries: u64, bytes: u64) {
        self.counters.files_total.store(entries, Ordering::Relaxed);
        self.counters.bytes_total.store(bytes, Ordering::Relaxed);
    }

    fn position(&mut self, read: u64, size: u64) {
        self.counters.container_read.store(read, Ordering::Relaxed);
        self.counters.container_size.store(size, Ordering::Relaxed);
    }

    fn issue(&mut self, mut issue: Issue) {
        if !self.prefix.is_empty() {
            issue.path = Some(format!("{}{}", self.prefix, issue.path.as_deref().unwrap_or("")));
            issue.message = format!("inside '{}': {}", self.prefix, issue.message);
        }
        let _ = self.tx.send(Msg::Issue(issue, self.parent_id));
    }

    fn entry(&mut self, mut entry: Entry, content: Content<'_>) -> Result<()> {
        if self.cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        if !self.prefix.is_empty() {
            entry.path = if entry.path == "/" { self.prefix.clone() } else { format!("{}{}", self.prefix, entry.path) };
        }
        for flag in &entry.flags {
            let slot = match *flag {
                "absolute-path" => &mut self.summary_flags.absolute,
                "vendor-prefix" => &mut self.summary_flags.vendor,
                "dos-time" => &mut self.summary_flags.dos_time,
                "escapes-root" => {
                    let parent_id = self.parent_id;
                    let _ = self.tx.send(Msg::Issue(Issue {
                        seq: Some(entry.seq),
                        path: Some(entry.path.clone()),
                        severity: Severity::Warning,
                        code: "path-escape",
                        message: format!(
                            "entry name '{}' climbs out of the container with '..'; recorded under '{}' and flagged (nothing is extracted by this name)",
                            entry.raw_path, entry.path
                        ),
                    }, parent_id));
                    continue;
                }
                _ => continue,
            };
            slot.0 += 1;
            if slot.1.is_none() {
                slot.1 = Some(entry.raw_path.clone());
            }
        }
        if !self.seen.insert(path_key(&entry.path)) && entry.kind != EntryKind::Dir {
            entry.flags.push("duplicate-path");
            self.send(Msg::Issue(Issue {
                seq: Some(entry.seq),
                path: Some(entry.path.clone()),
                severity: Severity::Warning,
                code: "duplicate-path",
                message: format!("'{}' occurs more than once in the container; every occurrence is recorded", entry.raw_path),
            }, self.parent_id))?;
        }
        if entry.kind == EntryKind::File && entry.size == 0 {
            entry.flags.push("empty");
        }
        match content {
            Content::None(error) => {
                let sniffed = (entry.kind == EntryKind::File && error.is_none() && entry.size == 0).then_some("empty");
                self.counters.files_done.fetch_add(1, Ordering::Relaxed);
                self.send(Msg::File(Box::new(FileRecord { parent_id: self.parent_id, entry, digests: None, sniffed, error, image: None })))?;
            }
            Content::Deferred(opener) => {
                let _ = self.slot_tx.send(());
                let (tx, slot_rx, counters, cancel) = (self.tx.clone(), self.slot_rx.clone(), self.counters.clone(), self.cancel.clone());
                let parent_id = self.parent_id;
                self.pool.spawn(move || {
                    if !cancel.is_cancelled() {
                        let mut buf = vec![0u8; BUF_SIZE];
                        let mut result = None;
                        let opened = opener.with_reader(&mut |r| {
                            result = hash_content_keeping_image(r, &mut buf, &counters, &cancel);
                            Ok(())
                        });
                        let (result, image) = match (opened, result) {
                            (Err(e), _) => (Err(e), None),
                            (Ok(()), Some(Ok((d, image)))) => (Ok(d), image),
                            (Ok(()), Some(Err(e))) => (Err(e), None),
                            (Ok(()), None) => {
                                let _ = slot_rx.recv();
                                return;
                            }
                        };
                        let (mut rec, issue) = finish_record(parent_id, entry, result, &counters);
                        rec.image = image_outcome(&rec, image);
                        if let Some(i) = issue {
                            let _ = tx.send(Msg::Issue(i, parent_id));
                        }
                        counters.files_done.fetch_add(1, Ordering::Relaxed);
                        let _ = tx.send(Msg::File(Box::new(rec)));
                    }
                    let _ = slot_rx.recv();
                });
            }
            Content::Stream(r) => {
                if entry.size <= POOL_STREAM_MAX {
                    // Read now (bounded: the declared size plus one buffer), hash on the pool.
                    let mut data = Vec::with_capacity(entry.size as usize);
                    let read = (&mut *r).take(POOL_STREAM_MAX + 1).read_to_end(&mut data);
                    if read.is_ok() && data.len() as u64 > POOL_STREAM_MAX {
                        // The size was not declared (ZIP data descriptor): finish streaming here.
                        let mut h = MultiHasher::new();
                        h.update(&data);
                        self.counters.bytes_done.fetch_add(data.len() as u64, Ordering::Relaxed);
                        let result = hasher::continue_reader(h, r, &mut self.buf, &mut |n| {
                            self.counters.bytes_done.fetch_add(n, Ordering::Relaxed);
                        });
                        let (rec, issue) = finish_record(self.parent_id, entry, result, &self.counters);
                        if let Some(i) = issue {
                            self.send(Msg::Issue(i, self.parent_id))?;
                        }
                        self.counters.files_done.fetch_add(1, Ordering::Relaxed);
                        return self.send(Msg::File(Box::new(rec)));
                    }
                    let _ = self.slot_tx.send(());
                    let (tx, slot_rx, counters) = (self.tx.clone(), self.slot_rx.clone(), self.counters.clone());
                    let parent_id = self.parent_id;
                    self.pool.spawn(move || {
                        let result = match read {
                            Ok(_) => {
                                let mut h = MultiHasher::new();
                                h.update(&data);
                                counters.bytes_done.fetch_add(data.len() as u64, Ordering::Relaxed);
                                Ok(h.finish())
                            }
                            Err(e) => Err(e),
                        };
                        let (mut rec, issue) = finish_record(parent_id, entry, result, &counters);
                        let is_image = crate::media::decode::image_format(&data).is_some();
                        rec.image = image_outcome(&rec, is_image.then_some(data));
                        if let Some(i) = issue {
                            let _ = tx.send(Msg::Issue(i, parent_id));
                        }
                        counters.files_done.fetch_add(1, Ordering::Relaxed);
                        let _ = tx.send(Msg::File(Box::new(rec)));
                        let _ = slot_rx.recv();
                    });
                } else {
                    let Some(result) = hash_content(r, &mut self.buf, &self.counters, &self.cancel) else {
                        return Err(Error::Cancelled);
                    };
                    let (rec, issue) = finish_record(self.parent_id, entry, result, &self.counters);
                    if let Some(i) = issue {
                        self.send(Msg::Issue(i, self.parent_id))?;
                    }
                    self.counters.files_done.fetch_add(1, Ordering::Relaxed);
                    self.send(Msg::File(Box::new(rec)))?;
                }
            }
        }
        Ok(())
    }
}
