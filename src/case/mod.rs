//! The case file: one SQLite database (`*.tlcase`) in WAL mode, versioned, with an audit log.
//!
//! [`Case::create`] makes a new case, [`Case::open`] opens one for writing (taking the write lock and
//! upgrading an older schema), [`Case::open_read_only`] opens one for reading alongside a writer.
//! Everything a finding rests on lives in this one file; see `DESIGN.md` §2.

pub mod artefacts;
pub mod audit;
pub mod lock;
pub mod review;
pub mod schema;
pub mod verify;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result, SqlContext};
pub use lock::CaseLock;

/// Version of this build, recorded with every source and run.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Now, UTC, RFC 3339 with microseconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The operating-system user running this process.
pub fn current_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| format!("uid {}", process_uid()))
}

fn process_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX)
}

/// An open case.
pub struct Case {
    conn: Connection,
    path: PathBuf,
    lock: Option<CaseLock>,
    examiner: String,
}

/// One source as shown by `case info`.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// Source id.
    pub id: i64,
    /// Examiner's label.
    pub label: String,
    /// `folder`, `zip`, `tar`, `tar.gz`.
    pub container_kind: String,
    /// Path as given when it was added.
    pub path: String,
    /// Path relative to the case's folder, so a case and its evidence can move together.
    pub rel_path: Option<String>,
    /// Container size in bytes (archives only).
    pub size: Option<i64>,
    /// SHA-256 of the container (archives only).
    pub sha256: Option<String>,
    /// MD5 of the container (archives only).
    pub md5: Option<String>,
    /// `partial`, `complete` or `failed`.
    pub status: String,
    /// Why, when not complete (or notes on a complete one).
    pub status_reason: Option<String>,
    /// Entries recorded.
    pub file_count: i64,
    /// Content bytes hashed.
    pub byte_count: i64,
    /// Problems recorded for this source, by severity.
    pub issues: IssueCounts,
    /// Parser runs recorded for the source that did not end `ok` (`partial`, `failed`,
    /// `cancelled`; every run, re-parses included): see `threadline runs`.
    pub parser_runs_not_ok: i64,
    /// When it was added, and by whom.
    pub added_utc: String,
    /// Who added it.
    pub added_by: String,
    /// When the ingest finished.
    pub finished_utc: Option<String>,
}

/// Counts of ingest issues by severity.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IssueCounts {
    /// Informational notes (e.g. absolute names stripped).
    pub info: i64,
    /// Warnings (e.g. a name escaping the container).
    pub warning: i64,
    /// Errors (e.g. an unreadable entry).
    pub error: i64,
}

/// What `threadline case info` prints.
#[derive(Debug, Clone, Serialize)]
pub struct CaseInfo {
    /// Case file path.
    pub path: String,
    /// Case name.
    pub name: String,
    /// Lead examiner.
    pub examiner: String,
    /// Random case id given at creation.
    pub case_id: String,
    /// When the case was created.
    pub created_utc: String,
    /// Schema version of the file.
    pub schema_version: i64,
    /// Threadline version that created the case.
    pub created_with: String,
    /// Sources, oldest first.
    pub sources: Vec<SourceInfo>,
    /// Total entries over all sources.
    pub file_count: i64,
    /// Total content bytes.
    pub byte_count: i64,
    /// Runs recorded.
    pub run_count: i64,
    /// Audit rows.
    pub audit_rows: i64,
    /// Head hash of the audit chain (write it down to detect a rewritten log later).
    pub audit_head: String,
}

fn is_case(conn: &Connection, path: &Path) -> Result<i64> {
    let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(|e| Error::NotACase {
        path: path.to_path_buf(),
        reason: format!("not a SQLite database ({e})"),
    })?;
    if app != schema::APPLICATION_ID {
        return Err(Error::NotACase {
            path: path.to_path_buf(),
            reason: format!("SQLite application id is {app:#x}, expected {:#x}", schema::APPLICATION_ID),
        });
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).ctx("reading the schema version")?;
    if version > schema::CURRENT_VERSION {
        return Err(Error::SchemaTooNew { path: path.to_path_buf(), found: version, supported: schema::CURRENT_VERSION });
    }
    Ok(version)
}

fn tune(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10)).ctx("setting the busy timeout")?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;")
        .ctx("setting connection pragmas")
}

impl Case {
    /// Create a new case file at `path`.
    pub fn create(path: &Path, name: &str, examiner: &str) -> Result<Case> {
        if path.exists() {
            return Err(Error::CaseExists(path.to_path_buf()));
        }
        if name.trim().is_empty() || examiner.trim().is_empty() {
            return Err(Error::InvalidArgument("a case needs a name and an examiner".into()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("creating the folder", dir, e))?;
        }
        let lock = CaseLock::acquire(path, "creating the case")?;
        let mut conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
            .map_err(|e| Error::sql(format!("creating '{}'", path.display()), e))?;
        conn.pragma_update(None, "page_size", 8192).ctx("setting the page size")?;
        conn.pragma_update(None, "application_id", schema::APPLICATION_ID).ctx("setting the application id")?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).ctx("switching to WAL")?;
        tune(&conn)?;
        schema::migrate_to(&mut conn, schema::CURRENT_VERSION)?;
        let case_id = random_id();
        let created = now_rfc3339();
        let tx = conn.transaction().ctx("writing case metadata")?;
        for (k, v) in [
            ("name", name),
            ("examiner", examiner),
            ("case_id", case_id.as_str()),
            ("created_utc", created.as_str()),
            ("created_with", TOOL_VERSION),
        ] {
            tx.execute("INSERT INTO case_meta (key, value) VALUES (?1, ?2)", params![k, v]).ctx("writing case metadata")?;
        }
        audit::append(
            &tx,
            examiner,
            "case.create",
            &serde_json::json!({"name": name, "examiner": examiner, "case_id": case_id, "tool_version": TOOL_VERSION,
                                "os_user": current_user(), "host": lock::hostname()}),
        )?;
        tx.commit().ctx("writing case metadata")?;
        Ok(Case { conn, path: path.to_path_buf(), lock: Some(lock), examiner: examiner.to_string() })
    }

    /// Open an existing case for writing: takes the write lock and upgrades an older schema.
    pub fn open(path: &Path, purpose: &str) -> Result<Case> {
        if !path.is_file() {
            return Err(Error::NotACase { path: path.to_path_buf(), reason: "no such file".into() });
        }
        let lock = CaseLock::acquire(path, purpose)?;
        let mut conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|e| Error::sql(format!("opening '{}'", path.display()), e))?;
        let found = is_case(&conn, path)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).ctx("switching to WAL")?;
        tune(&conn)?;
        if found < schema::CURRENT_VERSION {
            schema::migrate_to(&mut conn, schema::CURRENT_VERSION)?;
        }
        let examiner = meta(&conn, "examiner")?.unwrap_or_else(current_user);
        let mut case = Case { conn, path: path.to_path_buf(), lock: Some(lock), examiner };
        if found < schema::CURRENT_VERSION {
            case.audit("case.migrate", &serde_json::json!({"from": found, "to": schema::CURRENT_VERSION, "tool_version": TOOL_VERSION}))?;
        }
        Ok(case)
    }

    /// Open a case for reading only (no lock; works while another process writes).
    pub fn open_read_only(path: &Path) -> Result<Case> {
        if !path.is_file() {
            return Err(Error::NotACase { path: path.to_path_buf(), reason: "no such file".into() });
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| Error::sql(format!("opening '{}'", path.display()), e))?;
        let found = is_case(&conn, path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).ctx("setting the busy timeout")?;
        if found < schema::CURRENT_VERSION {
            drop(conn);
            // Upgrading needs the write lock; do it, then reopen read-only.
            drop(Case::open(path, "upgrading the case schema")?);
            return Case::open_read_only(path);
        }
        let examiner = meta(&conn, "examiner")?.unwrap_or_else(current_user);
        Ok(Case { conn, path: path.to_path_buf(), lock: None, examiner })
    }

    /// The case file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Folder holding the case file (relative source paths are relative to it).
    pub fn dir(&self) -> PathBuf {
        self.path.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
    }

    /// Scratch folder beside the case, for copies of evidence databases and nested archives.
    pub fn scratch_dir(&self) -> PathBuf {
        let mut name = self.path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".scratch");
        self.path.with_file_name(name)
    }

    /// Is the write lock held?
    pub fn is_writable(&self) -> bool {
        self.lock.is_some()
    }

    /// Where a source's evidence is now: its recorded path, else its path relative to the case
    /// (a case and its evidence moved together). `None` when neither exists.
    pub fn locate_source(&self, path: &str, rel_path: Option<&str>) -> Option<PathBuf> {
        [Some(PathBuf::from(path)), rel_path.map(|r| self.dir().join(r))].into_iter().flatten().find(|p| p.exists())
    }

    /// The acting examiner (the `THREADLINE_EXAMINER` environment variable, else the case's).
    pub fn actor(&self) -> String {
        std::env::var("THREADLINE_EXAMINER").ok().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| self.examiner.clone())
    }

    /// The SQLite connection (core modules only).
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Mutable connection, for transactions (core modules only).
    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Append an audit row in its own transaction.
    pub fn audit(&mut self, action: &str, detail: &serde_json::Value) -> Result<i64> {
        let actor = self.actor();
        let tx = self.conn.transaction().ctx("appending to the audit log")?;
        let id = audit::append(&tx, &actor, action, detail)?;
        tx.commit().ctx("appending to the audit log")?;
        Ok(id)
    }

    /// Everything `case info` shows.
    pub fn info(&self) -> Result<CaseInfo> {
        let c = &self.conn;
        let get = |k: &str| -> Result<String> { Ok(meta(c, k)?.unwrap_or_default()) };
        let sources = self.sources()?;
        let (file_count, byte_count): (i64, i64) = c
            .query_row("SELECT count(*), coalesce(sum(size), 0) FROM files WHERE kind = 'file'", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("counting files")?;
        let run_count: i64 = c.query_row("SELECT count(*) FROM runs", [], |r| r.get(0)).ctx("counting runs")?;
        let (audit_rows, audit_head): (i64, Option<String>) = c
            .query_row("SELECT count(*), (SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1) FROM audit_log", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("reading the audit log")?;
        Ok(CaseInfo {
            path: self.path.display().to_string(),
            name: get("name")?,
            examiner: get("examiner")?,
            case_id: get("case_id")?,
            created_utc: get("created_utc")?,
            schema_version: c.query_row("PRAGMA user_version", [], |r| r.get(0)).ctx("reading the schema version")?,
            created_with: get("created_with")?,
            sources,
            file_count,
            byte_count,
            run_count,
            audit_rows,
            audit_head: audit_head.unwrap_or_else(|| audit::GENESIS.to_string()),
        })
    }

    /// All sources, oldest first.
    pub fn sources(&self) -> Result<Vec<SourceInfo>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, label, container_kind, path, rel_path, size, sha256, md5, status, status_reason,
                        (SELECT count(*) FROM files f WHERE f.source_id = s.id),
                        (SELECT coalesce(sum(size), 0) FROM files f WHERE f.source_id = s.id AND f.kind = 'file' AND f.sha256 IS NOT NULL),
                        (SELECT count(*) FROM ingest_issues i WHERE i.source_id = s.id AND severity = 'info'),
                        (SELECT count(*) FROM ingest_issues i WHERE i.source_id = s.id AND severity = 'warning'),
                        (SELECT count(*) FROM ingest_issues i WHERE i.source_id = s.id AND severity = 'error'),
                        added_utc, added_by, finished_utc,
                        (SELECT count(*) FROM runs r WHERE r.source_id = s.id AND r.kind = 'parser' AND r.status NOT IN ('ok', 'running'))
                 FROM sources s ORDER BY id",
            )
            .ctx("listing sources")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SourceInfo {
                    id: r.get(0)?,
                    label: r.get(1)?,
                    container_kind: r.get(2)?,
                    path: r.get(3)?,
                    rel_path: r.get(4)?,
                    size: r.get(5)?,
                    sha256: r.get(6)?,
                    md5: r.get(7)?,
                    status: r.get(8)?,
                    status_reason: r.get(9)?,
                    file_count: r.get(10)?,
                    byte_count: r.get(11)?,
                    issues: IssueCounts { info: r.get(12)?, warning: r.get(13)?, error: r.get(14)? },
                    added_utc: r.get(15)?,
                    added_by: r.get(16)?,
                    finished_utc: r.get(17)?,
                    parser_runs_not_ok: r.get(18)?,
                })
            })
            .ctx("listing sources")?;
        rows.collect::<std::result::Result<Vec<_>, _>>().ctx("listing sources")
    }

    /// The audit log, oldest first.
    pub fn audit_entries(&self) -> Result<Vec<audit::AuditEntry>> {
        audit::entries(&self.conn)
    }

    /// Problems recorded during ingest, for one source or all.
    pub fn issues(&self, source_id: Option<i64>) -> Result<Vec<IssueRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, source_id, seq, path, severity, code, message FROM ingest_issues
                 WHERE (?1 IS NULL OR source_id = ?1) ORDER BY id",
            )
            .ctx("listing ingest issues")?;
        let rows = stmt
            .query_map(params![source_id], |r| {
                Ok(IssueRow {
                    id: r.get(0)?,
                    source_id: r.get(1)?,
                    seq: r.get(2)?,
                    path: r.get(3)?,
                    severity: r.get(4)?,
                    code: r.get(5)?,
                    message: r.get(6)?,
                })
            })
            .ctx("listing ingest issues")?;
        rows.collect::<std::result::Result<Vec<_>, _>>().ctx("listing ingest issues")
    }

    /// Runs recorded, for one source or all.
    pub fn runs(&self, source_id: Option<i64>) -> Result<Vec<RunRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, source_id, kind, name, version, started_utc, finished_utc, status, item_count, error_count, message
                 FROM runs WHERE (?1 IS NULL OR source_id = ?1) ORDER BY id",
            )
            .ctx("listing runs")?;
        let rows = stmt
            .query_map(params![source_id], |r| {
                Ok(RunRow {
                    id: r.get(0)?,
                    source_id: r.get(1)?,
                    kind: r.get(2)?,
                    name: r.get(3)?,
                    version: r.get(4)?,
                    started_utc: r.get(5)?,
                    finished_utc: r.get(6)?,
                    status: r.get(7)?,
                    item_count: r.get(8)?,
                    error_count: r.get(9)?,
                    message: r.get(10)?,
                })
            })
            .ctx("listing runs")?;
        rows.collect::<std::result::Result<Vec<_>, _>>().ctx("listing runs")
    }

    /// Files of a source (or all), ordered by source and path.
    pub fn files(&self, source_id: Option<i64>) -> Result<Vec<FileRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, source_id, parent_id, seq, path, raw_path, kind, size, mtime_utc, md5, sha1, sha256, sniffed, link_target, flags, error
                 FROM files WHERE (?1 IS NULL OR source_id = ?1) ORDER BY source_id, path, parent_id, seq",
            )
            .ctx("listing files")?;
        let rows = stmt
            .query_map(params![source_id], |r| {
                Ok(FileRow {
                    id: r.get(0)?,
                    source_id: r.get(1)?,
                    parent_id: r.get(2)?,
                    seq: r.get(3)?,
                    path: r.get(4)?,
                    raw_path: r.get(5)?,
                    kind: r.get(6)?,
                    size: r.get(7)?,
                    mtime_utc: r.get(8)?,
                    md5: r.get(9)?,
                    sha1: r.get(10)?,
                    sha256: r.get(11)?,
                    sniffed: r.get(12)?,
                    link_target: r.get(13)?,
                    flags: r.get(14)?,
                    error: r.get(15)?,
                })
            })
            .ctx("listing files")?;
        rows.collect::<std::result::Result<Vec<_>, _>>().ctx("listing files")
    }
}

/// One ingest issue.
#[derive(Debug, Clone, Serialize)]
pub struct IssueRow {
    /// Row id.
    pub id: i64,
    /// Source.
    pub source_id: Option<i64>,
    /// Entry sequence number in the container, when about one entry.
    pub seq: Option<i64>,
    /// Entry path, when about one entry.
    pub path: Option<String>,
    /// `info`, `warning` or `error`.
    pub severity: String,
    /// Stable code (`unreadable`, `path-escape`, `zip-bomb` …).
    pub code: String,
    /// Human message naming the entry and what was expected.
    pub message: String,
}

/// One run.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// Row id.
    pub id: i64,
    /// Source, if the run was about one.
    pub source_id: Option<i64>,
    /// `ingest`, `verify`, `parser` …
    pub kind: String,
    /// Name of what ran.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Start.
    pub started_utc: String,
    /// End.
    pub finished_utc: Option<String>,
    /// `running`, `ok`, `partial`, `failed`, `cancelled`.
    pub status: String,
    /// Items produced.
    pub item_count: i64,
    /// Errors met.
    pub error_count: i64,
    /// Summary or reason.
    pub message: Option<String>,
}

/// One file row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileRow {
    /// Row id.
    pub id: i64,
    /// Source.
    pub source_id: i64,
    /// Row id of the archive entry this was expanded from (0 = top level).
    pub parent_id: i64,
    /// Position in the container's enumeration.
    pub seq: i64,
    /// Normalised virtual path.
    pub path: String,
    /// Name as stored in the container.
    pub raw_path: String,
    /// `file`, `dir`, `symlink`, `other`.
    pub kind: String,
    /// Size in bytes.
    pub size: Option<i64>,
    /// Modification time, UTC µs since 1970.
    pub mtime_utc: Option<i64>,
    /// MD5, hex.
    pub md5: Option<String>,
    /// SHA-1, hex.
    pub sha1: Option<String>,
    /// SHA-256, hex.
    pub sha256: Option<String>,
    /// Sniffed type.
    pub sniffed: Option<String>,
    /// Symlink target.
    pub link_target: Option<String>,
    /// Comma-separated flags (`absolute-path`, `escapes-root`, `duplicate-path`, `empty`).
    pub flags: Option<String>,
    /// Why the content could not be read.
    pub error: Option<String>,
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    conn.query_row("SELECT value FROM case_meta WHERE key = ?1", [key], |r| r.get(0)).optional().ctx("reading case metadata")
}

fn random_id() -> String {
    let mut buf = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut buf);
    }
    hex::encode(buf)
}
