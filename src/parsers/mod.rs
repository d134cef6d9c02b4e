//! Artefact parsers: turn files of an extraction into evidence rows, each traceable to its bytes.
//!
//! Each parser declares the path patterns it claims (`*` spans `/`, case-insensitive), detects the
//! schema version it meets, and writes rows through a [`Sink`]. The runner:
//!
//! 1. finds, per source, the files every parser claims;
//! 2. copies each database **with its `-wal`, `-shm` and `-journal` side files** out of the evidence
//!    into the case's scratch folder (rows that live only in the WAL are found; the evidence is
//!    never opened in place);
//! 3. runs each parser on its own thread, isolated: a malformed database, a panic or an overrun of
//!    the time budget ends that parser alone, as a `runs` row with status and reason; its partial
//!    rows are rolled back; the rest goes on;
//! 4. writes every run to `runs`, including "ran, found nothing" (count 0) and "no file matched".
//!
//! Runs that succeeded are not repeated unless forced, so parsing resumes after an interruption.

pub mod abx;
mod accounts;
mod android;
mod apps;
pub mod artefacts;
mod ios;
mod ios_sms;
pub mod media;
pub mod sqlite;
mod store;
mod ufdr;
pub mod time;
pub mod timezone;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, params};
use serde::Serialize;

pub use artefacts::{Artefact, Sink, SinkClosed};

use crate::case::{Case, audit, now_rfc3339};
use crate::error::{Error, Result, SqlContext};
use crate::progress::{CancelToken, Progress, ProgressEvent};
use crate::vfs;

/// Why a parser failed.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// SQLite refused the file or a query.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The schema is not one the parser understands.
    #[error("unexpected schema: {0}")]
    Schema(String),
    /// The case stopped accepting rows.
    #[error(transparent)]
    Closed(#[from] SinkClosed),
    /// A plain file could not be read or is not in the expected format.
    #[error("{0}")]
    Format(String),
    /// The file was claimed by a generic name only (see [`Parser::sqlite_patterns`]) and is not
    /// the parser's kind of database: the run is recorded as `ok`, 0 rows, with this reason.
    #[error("skipped: {0}")]
    NotApplicable(String),
}

/// What a parser gets besides its database.
#[derive(Debug, Clone)]
pub struct ParseCtx {
    /// Virtual path of the file in the source.
    pub path: String,
    /// Side files copied with it (`-wal`, `-shm`, `-journal`).
    pub sidecars: Vec<String>,
}

/// One artefact parser.
pub trait Parser: Send + Sync {
    /// Stable name (`ios-sms` …).
    fn name(&self) -> &'static str;
    /// Version, bumped when output changes.
    fn version(&self) -> &'static str;
    /// Path patterns claimed, e.g. `*/Library/SMS/sms.db`.
    fn patterns(&self) -> &'static [&'static str];
    /// Path patterns claimed only when the file is an SQLite database by its magic bytes (a
    /// generic name such as `*/History`): a text file of that name is not claimed at all, and the
    /// parser answers [`ParseError::NotApplicable`] for an SQLite file of another schema.
    fn sqlite_patterns(&self) -> &'static [&'static str] {
        &[]
    }
    /// Parse the (copied) database.
    fn parse(&self, db: &Connection, ctx: &ParseCtx, out: &mut dyn Sink) -> std::result::Result<(), ParseError>;
    /// `true` for parsers of plain files (text, XML, plist) rather than SQLite databases: they get
    /// [`Parser::parse_file`] instead of [`Parser::parse`].
    fn reads_plain_file(&self) -> bool {
        false
    }
    /// Parse a plain file (copied out of the evidence).
    fn parse_file(&self, _path: &Path, _ctx: &ParseCtx, _out: &mut dyn Sink) -> std::result::Result<(), ParseError> {
        Err(ParseError::Schema(format!("{} reads SQLite databases only", self.name())))
    }
}

/// Every parser, in dispatch order.
pub fn registry() -> Vec<&'static dyn Parser> {
    let mut all: Vec<&'static dyn Parser> = vec![&ios_sms::IosSms, &accounts::IosAccounts, &accounts::AndroidAccounts, &apps::IosApps, &apps::AndroidPackagesList, &apps::AndroidPackagesXml];
    all.extend(ios::parsers());
    all.extend(android::parsers());
    all
}

/// Glob match: `*` matches any run of characters including `/`; ASCII case-insensitive.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let s: Vec<char> = path.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut pi, mut si, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while si < s.len() {
        if pi < p.len() && (p[pi] == s[si] || p[pi] == '?') {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = si;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Options of a parse.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Only this source.
    pub source: Option<i64>,
    /// Run again even where a parser already succeeded.
    pub force: bool,
    /// Time budget per parser and file.
    pub budget: Duration,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { source: None, force: false, budget: Duration::from_secs(600) }
    }
}

/// One parser run, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Run id.
    pub run_id: i64,
    /// Source.
    pub source_id: i64,
    /// Parser.
    pub parser: String,
    /// File, when one matched.
    pub path: Option<String>,
    /// `ok`, `failed`, `cancelled`.
    pub status: String,
    /// Rows written.
    pub items: i64,
    /// What happened.
    pub message: String,
}

/// What a parse did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ParseSummary {
    /// Every run recorded by this parse.
    pub runs: Vec<RunReport>,
    /// Runs skipped because an earlier one succeeded.
    pub skipped: usize,
}

struct Job {
    parser: &'static dyn Parser,
    file_id: i64,
    seq: i64,
    path: String,
}

/// Parse every source of the case (or one).
pub fn parse_case(case: &mut Case, opts: &ParseOptions, progress: &dyn Progress, cancel: &CancelToken) -> Result<ParseSummary> {
    if !case.is_writable() {
        return Err(Error::InvalidArgument("the case is open read-only".into()));
    }
    let mut summary = ParseSummary::default();
    let parsers = registry();
    let sources = case.sources()?;
    for src in sources.iter().filter(|s| opts.source.is_none_or(|id| id == s.id)) {
        // Files of this source (top level only: entries inside nested archives are not parsed yet).
        let files: Vec<(i64, i64, String, bool)> = {
            let mut stmt = case
                .conn()
                .prepare("SELECT id, seq, path, sniffed IS 'sqlite' FROM files WHERE source_id = ?1 AND parent_id = 0 AND kind = 'file' AND sha256 IS NOT NULL ORDER BY seq")
                .ctx("listing files to parse")?;
            stmt.query_map([src.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).ctx("listing files to parse")?.collect::<std::result::Result<_, _>>().ctx("listing files to parse")?
        };
        let by_path: HashMap<&str, (i64, i64)> = files.iter().map(|(id, seq, p, _)| (p.as_str(), (*id, *seq))).collect();
        let mut jobs = Vec::new();
        for parser in &parsers {
            let matched: Vec<_> = files
                .iter()
                .filter(|(_, _, p, sqlite)| parser.patterns().iter().any(|pat| glob_match(pat, p)) || (*sqlite && parser.sqlite_patterns().iter().any(|pat| glob_match(pat, p))))
                .map(|(id, seq, p, _)| (id, seq, p))
                .collect();
            if matched.is_empty() {
                let already: i64 = case
                    .conn()
                    .query_row("SELECT count(*) FROM runs WHERE kind = 'parser' AND name = ?1 AND source_id = ?2 AND file_id IS NULL", params![parser.name(), src.id], |r| r.get(0))
                    .ctx("reading runs")?;
                if already == 0 {
                    let generic = parser.sqlite_patterns().iter().map(|p| format!("{p} (SQLite)")).collect::<Vec<_>>();
                    let all: Vec<String> = parser.patterns().iter().map(|p| p.to_string()).chain(generic).collect();
                    let msg = format!("searched, no file matches {}", all.join(" or "));
                    let run_id = record_run(case, src.id, None, *parser, "ok", 0, &msg)?;
                    summary.runs.push(RunReport { run_id, source_id: src.id, parser: parser.name().into(), path: None, status: "ok".into(), items: 0, message: msg });
                }
                continue;
            }
            for (id, seq, path) in matched {
                let done: i64 = case
                    .conn()
                    .query_row(
                        "SELECT count(*) FROM runs WHERE kind = 'parser' AND name = ?1 AND file_id = ?2 AND version = ?3 AND status = 'ok'",
                        params![parser.name(), id, parser.version()],
                        |r| r.get(0),
                    )
                    .ctx("reading runs")?;
                if done > 0 && !opts.force {
                    summary.skipped += 1;
                    continue;
                }
                jobs.push(Job { parser: *parser, file_id: *id, seq: *seq, path: path.clone() });
            }
        }
        if !jobs.is_empty() {
            run_jobs(case, src, &jobs, &by_path, opts, progress, cancel, &mut summary)?;
        }
        if cancel.is_cancelled() {
            break;
        }
        match case.locate_source(&src.path, src.rel_path.as_deref()) {
            Some(at) => {
                timezone::detect(case, src, &at, cancel)?;
                if let Some(r) = media::run_source(case, src, &at, opts.force, cancel)? {
                    summary.runs.push(r);
                }
                if let Some(r) = crate::media::pass::run_source(case, src, &at, opts.force, cancel)? {
                    summary.runs.push(r);
                }
                if let Some(r) = ufdr::run_source(case, src, &at, opts.force, cancel)? {
                    summary.runs.push(r);
                }
            }
            None => {
                let msg = format!("the evidence '{}' is not reachable: photo metadata not read", src.path);
                let run_id = record_run_named(case, src.id, None, media::NAME, media::VERSION, "failed", 0, &msg)?;
                summary.runs.push(RunReport { run_id, source_id: src.id, parser: media::NAME.into(), path: None, status: "failed".into(), items: 0, message: msg });
            }
        }
    }
    if let Some(r) = summary.runs.iter().rev().find(|r| r.parser == crate::media::pass::NAME && r.status == "ok") {
        crate::media::pass::rebuild_groups(case.conn_mut(), Some(r.run_id))?;
    }
    crate::search::fts::update(case)?;
    crate::search::linking::update(case)?;
    let actor = case.actor();
    let detail = serde_json::json!({
        "runs": summary.runs.len(), "skipped": summary.skipped,
        "failed": summary.runs.iter().filter(|r| r.status != "ok").count(),
        "items": summary.runs.iter().map(|r| r.items).sum::<i64>(),
    });
    let tx = case.conn_mut().transaction().ctx("recording the parse")?;
    audit::append(&tx, &actor, "parse", &detail)?;
    tx.commit().ctx("recording the parse")?;
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
fn run_jobs(
    case: &mut Case,
    src: &crate::case::SourceInfo,
    jobs: &[Job],
    by_path: &HashMap<&str, (i64, i64)>,
    opts: &ParseOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
    summary: &mut ParseSummary,
) -> Result<()> {
    let scratch = case.scratch_dir().join(format!("parse-{}", src.id));
    std::fs::create_dir_all(&scratch).map_err(|e| Error::io("creating the scratch folder", &scratch, e))?;
    let mut wanted: HashMap<u64, PathBuf> = HashMap::new();
    let mut sidecars: HashMap<i64, Vec<String>> = HashMap::new();
    for j in jobs {
        let dir = scratch.join(j.file_id.to_string());
        let name = Path::new(&j.path).file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "db".into());
        wanted.insert(j.seq as u64, dir.join(&name));
        for suffix in ["-wal", "-shm", "-journal"] {
            if let Some((_, seq)) = by_path.get(format!("{}{suffix}", j.path).as_str()) {
                let mut n = name.clone();
                n.push(suffix);
                wanted.insert(*seq as u64, dir.join(n));
                sidecars.entry(j.file_id).or_default().push(suffix.to_string());
            }
        }
    }
    for p in wanted.values() {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| Error::io("creating the scratch folder", d, e))?;
        }
    }
    let copy_problem = materialise(case, src, &wanted, cancel)?;
    for (n, j) in jobs.iter().enumerate() {
        if cancel.is_cancelled() {
            break;
        }
        progress.report(&ProgressEvent { phase: "parsing", files_done: n as u64, files_total: Some(jobs.len() as u64), bytes_done: 0, bytes_total: None });
        let local = &wanted[&(j.seq as u64)];
        let ctx = ParseCtx { path: j.path.clone(), sidecars: sidecars.get(&j.file_id).cloned().unwrap_or_default() };
        let report = if !local.exists() {
            let msg = format!("'{}' could not be copied out of the evidence: {}", j.path, copy_problem.clone().unwrap_or_else(|| "unknown reason".into()));
            let run_id = record_run(case, src.id, Some(j.file_id), j.parser, "failed", 0, &msg)?;
            RunReport { run_id, source_id: src.id, parser: j.parser.name().into(), path: Some(j.path.clone()), status: "failed".into(), items: 0, message: msg }
        } else {
            run_job(case, src.id, j, local, ctx, opts.budget, cancel)?
        };
        summary.runs.push(report);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

fn record_run(case: &mut Case, source_id: i64, file_id: Option<i64>, parser: &dyn Parser, status: &str, items: i64, message: &str) -> Result<i64> {
    record_run_named(case, source_id, file_id, parser.name(), parser.version(), status, items, message)
}

#[allow(clippy::too_many_arguments)]
/// Whether the per-source pass `name` at `version` already ran successfully on `source_id`.
pub(crate) fn source_pass_done(case: &Case, source_id: i64, name: &str, version: &str) -> Result<bool> {
    let n: i64 = case
        .conn()
        .query_row(
            "SELECT count(*) FROM runs WHERE kind = 'parser' AND name = ?1 AND version = ?2 AND source_id = ?3 AND status = 'ok'",
            params![name, version, source_id],
            |r| r.get(0),
        )
        .ctx("reading runs")?;
    Ok(n > 0)
}

fn record_run_named(case: &mut Case, source_id: i64, file_id: Option<i64>, name: &str, version: &str, status: &str, items: i64, message: &str) -> Result<i64> {
    let now = now_rfc3339();
    case.conn()
        .execute(
            "INSERT INTO runs (source_id, file_id, kind, name, version, started_utc, finished_utc, status, item_count, error_count, message)
             VALUES (?1, ?2, 'parser', ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9)",
            params![source_id, file_id, name, version, now, status, items, i64::from(status != "ok"), message],
        )
        .ctx("recording a parser run")?;
    Ok(case.conn().last_insert_rowid())
}

/// Copy the wanted entries of a source into scratch; returns a summary of what failed.
fn materialise(case: &Case, src: &crate::case::SourceInfo, wanted: &HashMap<u64, PathBuf>, cancel: &CancelToken) -> Result<Option<String>> {
    let Some(at) = case.locate_source(&src.path, src.rel_path.as_deref()) else {
        return Ok(Some(format!("the evidence '{}' is not reachable", src.path)));
    };
    let kind = match vfs::detect(&at) {
        Ok(k) => k,
        Err(e) => return Ok(Some(e.to_string())),
    };
    let limits = vfs::Limits { max_ratio: f64::INFINITY, ..vfs::Limits::default() };
    let problems = vfs::copy_out(&at, kind, &limits, wanted, cancel)?;
    Ok((!problems.is_empty()).then(|| problems.join("; ")))
}

enum JobMsg {
    Interrupt(rusqlite::InterruptHandle),
    Batch(Vec<Artefact>),
    /// `Ok(Some(why))`: the file is not the parser's (see [`ParseError::NotApplicable`]).
    Done(std::result::Result<Option<String>, String>),
}

struct ChannelSink {
    tx: mpsc::SyncSender<JobMsg>,
    batch: Vec<Artefact>,
}

impl ChannelSink {
    fn flush(&mut self) -> std::result::Result<(), SinkClosed> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let b = std::mem::take(&mut self.batch);
        self.tx.send(JobMsg::Batch(b)).map_err(|_| SinkClosed)
    }
}

impl Sink for ChannelSink {
    fn put(&mut self, a: Artefact) -> std::result::Result<(), SinkClosed> {
        self.batch.push(a);
        if self.batch.len() >= 2000 { self.flush() } else { Ok(()) }
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_else(|| "unknown panic".into())
}

fn run_job(case: &mut Case, source_id: i64, job: &Job, local: &Path, ctx: ParseCtx, budget: Duration, cancel: &CancelToken) -> Result<RunReport> {
    let parser = job.parser;
    let now = now_rfc3339();
    case.conn()
        .execute(
            "INSERT INTO runs (source_id, file_id, kind, name, version, started_utc, status) VALUES (?1, ?2, 'parser', ?3, ?4, ?5, 'running')",
            params![source_id, job.file_id, parser.name(), parser.version(), now],
        )
        .ctx("recording a parser run")?;
    let run_id = case.conn().last_insert_rowid();
    let (tx, rx) = mpsc::sync_channel::<JobMsg>(4);
    let local = local.to_path_buf();
    let sidecars = ctx.sidecars.clone();
    let handle = std::thread::Builder::new()
        .name(format!("tl-parse-{}", parser.name()))
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> std::result::Result<Option<String>, String> {
                if parser.reads_plain_file() {
                    let mut sink = ChannelSink { tx: tx.clone(), batch: Vec::new() };
                    parser.parse_file(&local, &ctx, &mut sink).map_err(|e| e.to_string())?;
                    return sink.flush().map(|_| None).map_err(|e| e.to_string());
                }
                let db = Connection::open_with_flags(&local, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                    .map_err(|e| format!("not an SQLite database, or damaged: {e}"))?;
                db.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
                    .map_err(|e| format!("not an SQLite database, encrypted, or damaged: {e}"))?;
                let _ = tx.send(JobMsg::Interrupt(db.get_interrupt_handle()));
                let mut sink = ChannelSink { tx: tx.clone(), batch: Vec::new() };
                match parser.parse(&db, &ctx, &mut sink) {
                    Ok(()) => {}
                    // Nothing was put (the parser says so before reading rows): nothing to flush.
                    Err(ParseError::NotApplicable(why)) => return Ok(Some(why)),
                    Err(e) => return Err(e.to_string()),
                }
                sink.flush().map(|_| None).map_err(|e| e.to_string())
            }));
            let done = match result {
                Ok(r) => r,
                Err(p) => Err(format!("the parser panicked: {}", panic_text(&*p))),
            };
            let _ = tx.send(JobMsg::Done(done));
        })
        .map_err(|e| Error::Internal(format!("starting a parser thread: {e}")))?;

    let started = Instant::now();
    let mut interrupt = None;
    let mut counts: HashMap<&'static str, i64> = HashMap::new();
    let outcome: std::result::Result<Option<String>, String>;
    let mut status = "failed";
    let txn = case.conn_mut().transaction().ctx("writing artefacts")?;
    let mut store = store::Store::new(&txn, source_id, job.file_id, run_id, parser.name(), parser.version());
    loop {
        let left = budget.saturating_sub(started.elapsed());
        let msg = if cancel.is_cancelled() { Err(mpsc::RecvTimeoutError::Timeout) } else { rx.recv_timeout(left.min(Duration::from_millis(200))) };
        match msg {
            Ok(JobMsg::Interrupt(h)) => interrupt = Some(h),
            Ok(JobMsg::Batch(b)) => {
                for a in b {
                    let kind = store.put(a)?;
                    *counts.entry(kind).or_default() += 1;
                }
            }
            Ok(JobMsg::Done(r)) => {
                outcome = r;
                if outcome.is_ok() {
                    status = "ok";
                }
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if cancel.is_cancelled() {
                    outcome = Err("cancelled by the user".into());
                    status = "cancelled";
                } else if started.elapsed() >= budget {
                    outcome = Err(format!("stopped: time budget of {} s exceeded", budget.as_secs()));
                } else {
                    continue;
                }
                if let Some(h) = &interrupt {
                    h.interrupt();
                }
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                outcome = Err("the parser thread stopped without a result".into());
                break;
            }
        }
    }
    drop(rx);
    let items: i64 = counts.values().sum();
    let message = match &outcome {
        Ok(Some(why)) => format!("skipped '{}': {why}", job.path),
        Ok(None) if items == 0 => "ran, found nothing".to_string(),
        Ok(None) => {
            let mut parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
            parts.sort();
            let wal = if sidecars.iter().any(|s| s == "-wal") { " (read with its -wal)" } else { "" };
            format!("{}{wal}", parts.join(", "))
        }
        Err(e) => format!("'{}': {e}", job.path),
    };
    drop(store);
    let mut message = message;
    let items = if status == "ok" {
        let replaced = store::supersede(&txn, run_id, parser.name(), job.file_id)?;
        if replaced > 0 {
            message.push_str(&format!("; replaced the {replaced} rows of this file's earlier runs"));
        }
        txn.commit().ctx("writing artefacts")?;
        items
    } else {
        txn.rollback().ctx("rolling back a failed parser's rows")?;
        0
    };
    case.conn()
        .execute(
            "UPDATE runs SET finished_utc = ?2, status = ?3, item_count = ?4, error_count = ?5, message = ?6 WHERE id = ?1",
            params![run_id, now_rfc3339(), status, items, i64::from(status != "ok"), message],
        )
        .ctx("recording a parser run")?;
    if status == "ok" {
        let _ = handle.join();
    }
    Ok(RunReport { run_id, source_id, parser: parser.name().into(), path: Some(job.path.clone()), status: status.into(), items, message })
}

/// Parsers' names, for listings.
pub fn parser_names() -> HashSet<&'static str> {
    registry().iter().map(|p| p.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Panics;
    impl Parser for Panics {
        fn name(&self) -> &'static str {
            "test-panics"
        }
        fn version(&self) -> &'static str {
            "1"
        }
        fn patterns(&self) -> &'static [&'static str] {
            &["*/x.db"]
        }
        fn parse(&self, _db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> std::result::Result<(), ParseError> {
            out.put(Artefact::Visit(artefacts::Visit { src: ("t", Some(1)), browser: "b".into(), url: "u".into(), title: None, visited: None, search_term: None }))?;
            let v: Vec<u8> = Vec::new();
            let _ = v[3];
            Ok(())
        }
    }

    struct Hangs;
    impl Parser for Hangs {
        fn name(&self) -> &'static str {
            "test-hangs"
        }
        fn version(&self) -> &'static str {
            "1"
        }
        fn patterns(&self) -> &'static [&'static str] {
            &["*/x.db"]
        }
        fn parse(&self, db: &Connection, _ctx: &ParseCtx, _out: &mut dyn Sink) -> std::result::Result<(), ParseError> {
            // A query that never ends on its own: stopped by the interrupt when the budget runs out.
            db.query_row("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", [], |r| r.get::<_, i64>(0))?;
            Ok(())
        }
    }

    fn case_with_db() -> (tempfile::TempDir, Case, i64, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let ev = t.path().join("ev");
        std::fs::create_dir_all(&ev).unwrap();
        let db = ev.join("x.db");
        Connection::open(&db).unwrap().execute_batch("CREATE TABLE t (a); INSERT INTO t VALUES (1);").unwrap();
        let mut case = Case::create(&t.path().join("c.tlcase"), "t", "e").unwrap();
        crate::ingest::ingest(&mut case, &ev, &Default::default(), &crate::progress::NoProgress, &CancelToken::new()).unwrap();
        let file_id: i64 = case.conn().query_row("SELECT id FROM files WHERE path = '/x.db'", [], |r| r.get(0)).unwrap();
        (t, case, file_id, db)
    }

    #[test]
    fn a_panicking_parser_fails_alone_and_its_rows_are_rolled_back() {
        let (_t, mut case, file_id, db) = case_with_db();
        let job = Job { parser: &Panics, file_id, seq: 0, path: "/x.db".into() };
        let ctx = ParseCtx { path: "/x.db".into(), sidecars: vec![] };
        let r = run_job(&mut case, 1, &job, &db, ctx, Duration::from_secs(30), &CancelToken::new()).unwrap();
        assert_eq!(r.status, "failed");
        assert!(r.message.contains("panicked") && r.message.contains("index out of bounds"), "{}", r.message);
        let n: i64 = case.conn().query_row("SELECT count(*) FROM web_visits", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn a_parser_over_its_time_budget_is_stopped() {
        let (_t, mut case, file_id, db) = case_with_db();
        let job = Job { parser: &Hangs, file_id, seq: 0, path: "/x.db".into() };
        let ctx = ParseCtx { path: "/x.db".into(), sidecars: vec![] };
        let started = Instant::now();
        let r = run_job(&mut case, 1, &job, &db, ctx, Duration::from_millis(300), &CancelToken::new()).unwrap();
        assert_eq!(r.status, "failed");
        assert!(r.message.contains("time budget"), "{}", r.message);
        assert!(started.elapsed() < Duration::from_secs(20));
        let status: String = case.conn().query_row("SELECT status FROM runs WHERE id = ?1", [r.run_id], |r| r.get(0)).unwrap();
        assert_eq!(status, "failed");
    }

    #[test]
    fn globs_span_folders_and_ignore_case() {
        assert!(glob_match("*/Library/SMS/sms.db", "/private/var/mobile/Library/SMS/sms.db"));
        assert!(glob_match("*/library/sms/SMS.DB", "/private/var/mobile/Library/SMS/sms.db"));
        assert!(!glob_match("*/Library/SMS/sms.db", "/private/var/mobile/Library/SMS/sms.db-wal"));
        assert!(glob_match("*/com.whatsapp/databases/msgstore.db", "/data/data/com.whatsapp/databases/msgstore.db"));
        assert!(glob_match("*/app_chrome/*/History", "/data/data/com.android.chrome/app_chrome/Default/History"));
        assert!(!glob_match("*/app_chrome/*/History", "/data/data/com.android.chrome/app_chrome/Default/History-journal"));
    }
}
