//! `threadline verify`: recompute what the case's integrity rests on.
//!
//! 1. The audit log's hash chain, row by row.
//! 2. For each source, the digest of its file list against the value stored with the source and the
//!    value written to the (chained) audit log when its ingest finished: an edited hash in `files`
//!    is caught even when the evidence is gone.
//! 3. For each source still reachable (at its recorded path, or at its path relative to the case):
//!    the container's SHA-256, and every stored file hash, re-read from the evidence.

use std::collections::HashMap;

use rusqlite::params;
use serde::Serialize;

use super::audit::{self, ChainBreak};
use super::{Case, TOOL_VERSION, now_rfc3339};
use crate::error::{Error, Result, SqlContext};
use crate::ingest::hasher::{self, BUF_SIZE};
use crate::progress::CancelToken;
use crate::vfs::{self, Content, ContainerKind, Entry, EntrySink, Issue, Limits};

/// Result of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// True when nothing failed.
    pub ok: bool,
    /// Audit rows checked.
    pub audit_rows: u64,
    /// Head hash of the audit chain.
    pub audit_head: String,
    /// Breaks in the chain.
    pub audit_breaks: Vec<ChainBreak>,
    /// One entry per source.
    pub sources: Vec<SourceCheck>,
    /// Whether this verification was recorded in the case (not when another process holds it).
    pub recorded: bool,
}

/// Checks of one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCheck {
    /// Source id.
    pub source_id: i64,
    /// Label.
    pub label: String,
    /// Where the evidence was found, if it was.
    pub found_at: Option<String>,
    /// `match`, `mismatch`, `unreachable`, `not-applicable` (folders), `not-recorded`.
    pub container: String,
    /// `match` or `mismatch`.
    pub manifest: String,
    /// File hashes re-read and compared.
    pub files_checked: u64,
    /// Every mismatch found, one sentence each.
    pub mismatches: Vec<String>,
}

/// Verify the case. With `rehash_files` false only the chain, manifests and containers are checked.
pub fn verify(case: &mut Case, rehash_files: bool, cancel: &CancelToken) -> Result<VerifyReport> {
    let (audit_rows, audit_head, audit_breaks) = audit::check_chain(case.conn())?;
    let mut sources = Vec::new();
    let rows: Vec<(i64, String, String, String, Option<String>, Option<String>, Option<String>)> = {
        let mut stmt = case
            .conn()
            .prepare("SELECT id, label, container_kind, path, rel_path, sha256, manifest_sha256 FROM sources ORDER BY id")
            .ctx("listing sources")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
            .ctx("listing sources")?
            .collect::<std::result::Result<_, _>>()
            .ctx("listing sources")?
    };
    let finishes = audited_manifests(case)?;
    for (id, label, _kind, path, rel, sha, manifest) in rows {
        let mut check = SourceCheck {
            source_id: id,
            label,
            found_at: None,
            container: "unreachable".into(),
            manifest: "match".into(),
            files_checked: 0,
            mismatches: Vec::new(),
        };
        let now = crate::ingest::manifest_digest(case.conn(), id)?;
        if manifest.as_deref() != Some(now.as_str()) {
            check.manifest = "mismatch".into();
            check.mismatches.push(format!("the file list of source {id} no longer matches the digest stored with the source: a row of `files` was edited"));
        }
        if let Some(audited) = finishes.get(&id)
            && audited != &now
        {
            check.manifest = "mismatch".into();
            check.mismatches.push(format!("the file list of source {id} no longer matches the digest written to the audit log when its ingest finished"));
        }
        if let Some(at) = case.locate_source(&path, rel.as_deref()) {
            check.found_at = Some(at.display().to_string());
            let kind = vfs::detect(&at).ok();
            if kind.is_some_and(ContainerKind::is_folder) {
                check.container = "not-applicable".into();
            } else if let Some(stored) = &sha {
                match hasher::hash_file(&at) {
                    Ok(d) if &d.sha256 == stored => check.container = "match".into(),
                    Ok(d) => {
                        check.container = "mismatch".into();
                        check.mismatches.push(format!("container '{}' has SHA-256 {} but {} was recorded", at.display(), d.sha256, stored));
                    }
                    Err(e) => {
                        check.container = "mismatch".into();
                        check.mismatches.push(format!("container '{}' could not be re-read: {e}", at.display()));
                    }
                }
            } else {
                check.container = "not-recorded".into();
            }
            if rehash_files && let Some(kind) = kind {
                rehash(case, id, &at, kind, &mut check, cancel)?;
            }
        }
        sources.push(check);
    }
    let ok = audit_breaks.is_empty() && sources.iter().all(|s| s.mismatches.is_empty());
    let mut report = VerifyReport { ok, audit_rows, audit_head, audit_breaks, sources, recorded: false };
    if case.is_writable() {
        let actor = case.actor();
        let summary = serde_json::json!({"ok": report.ok, "audit_rows": report.audit_rows, "audit_head": report.audit_head,
            "breaks": report.audit_breaks.len(),
            "sources": report.sources.iter().map(|s| serde_json::json!({"source_id": s.source_id, "container": s.container,
                "manifest": s.manifest, "files_checked": s.files_checked, "mismatches": s.mismatches.len()})).collect::<Vec<_>>()});
        let tx = case.conn_mut().transaction().ctx("recording the verification")?;
        let now = now_rfc3339();
        let errors: i64 = report.audit_breaks.len() as i64 + report.sources.iter().map(|s| s.mismatches.len() as i64).sum::<i64>();
        tx.execute(
            "INSERT INTO runs (kind, name, version, started_utc, finished_utc, status, item_count, error_count, message)
             VALUES ('verify', 'verify', ?1, ?2, ?2, ?3, ?4, ?5, ?6)",
            params![TOOL_VERSION, now, if report.ok { "ok" } else { "failed" }, report.sources.iter().map(|s| s.files_checked as i64).sum::<i64>(), errors,
                    if report.ok { "everything verified".to_string() } else { format!("{errors} problems") }],
        )
        .ctx("recording the verification")?;
        audit::append(&tx, &actor, "verify", &summary)?;
        tx.commit().ctx("recording the verification")?;
        report.recorded = true;
    }
    Ok(report)
}

/// The manifest digest written by the last `ingest.finish` of each source.
fn audited_manifests(case: &Case) -> Result<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for e in audit::entries(case.conn())? {
        if e.action == "ingest.finish"
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&e.detail)
            && let (Some(id), Some(m)) = (v["source_id"].as_i64(), v["manifest_sha256"].as_str())
        {
            out.insert(id, m.to_string());
        }
    }
    Ok(out)
}

struct Stored {
    md5: String,
    sha1: String,
    sha256: String,
    path: String,
    seen: bool,
}

struct VerifySink<'a> {
    stored: &'a mut HashMap<u64, Stored>,
    check: &'a mut SourceCheck,
    buf: Vec<u8>,
}

impl EntrySink for VerifySink<'_> {
    fn already_done(&self, seq: u64) -> bool {
        !self.stored.contains_key(&seq)
    }
    fn issue(&mut self, _issue: Issue) {}
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()> {
        let Some(s) = self.stored.get_mut(&entry.seq) else { return Ok(()) };
        s.seen = true;
        let mut result = None;
        let buf = &mut self.buf;
        let outcome = match content {
            Content::Stream(r) => {
                result = Some(hasher::hash_reader(r, buf, &mut |_| {}));
                Ok(())
            }
            Content::Deferred(o) => o.with_reader(&mut |r| {
                result = Some(hasher::hash_reader(r, buf, &mut |_| {}));
                Ok(())
            }),
            Content::None(_) => Ok(()),
        };
        self.check.files_checked += 1;
        match (outcome, result) {
            (Ok(()), Some(Ok(d))) => {
                for (name, now, then) in [("MD5", &d.md5, &s.md5), ("SHA-1", &d.sha1, &s.sha1), ("SHA-256", &d.sha256, &s.sha256)] {
                    if now != then {
                        self.check.mismatches.push(format!("'{}' (entry {}): {name} is {now} but {then} is recorded", s.path, entry.seq));
                    }
                }
            }
            (Err(e), _) | (Ok(()), Some(Err(e))) => self.check.mismatches.push(format!("'{}' (entry {}) could not be re-read: {e}", s.path, entry.seq)),
            (Ok(()), None) => self.check.mismatches.push(format!("'{}' (entry {}) has no content any more", s.path, entry.seq)),
        }
        Ok(())
    }
}

fn rehash(case: &Case, source_id: i64, at: &std::path::Path, kind: ContainerKind, check: &mut SourceCheck, cancel: &CancelToken) -> Result<()> {
    let mut stored: HashMap<u64, Stored> = HashMap::new();
    {
        let mut stmt = case
            .conn()
            .prepare("SELECT seq, md5, sha1, sha256, path FROM files WHERE source_id = ?1 AND parent_id = 0 AND sha256 IS NOT NULL")
            .ctx("reading stored hashes")?;
        let rows = stmt
            .query_map([source_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?)))
            .ctx("reading stored hashes")?;
        for row in rows {
            let (seq, md5, sha1, sha256, path) = row.ctx("reading stored hashes")?;
            stored.insert(seq as u64, Stored { md5, sha1, sha256, path, seen: false });
        }
    }
    let limits = Limits { max_ratio: f64::INFINITY, ..Limits::default() };
    let mut sink = VerifySink { stored: &mut stored, check, buf: vec![0u8; BUF_SIZE] };
    match vfs::walk(at, kind, &limits, &mut sink, cancel) {
        Ok(_) => {}
        Err(Error::Cancelled) => return Err(Error::Cancelled),
        Err(e) => check.mismatches.push(format!("'{}' could not be walked again: {e}", at.display())),
    }
    let mut missing: Vec<_> = stored.values().filter(|s| !s.seen).map(|s| s.path.clone()).collect();
    missing.sort();
    for p in missing {
        check.mismatches.push(format!("'{p}' is recorded but was not found in the evidence any more"));
    }
    Ok(())
}
