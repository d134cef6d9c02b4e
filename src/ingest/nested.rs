//! Archives found inside a source: always listed (by sniffed type), expanded when asked.
//!
//! Expansion walks each inner archive as a container of its own: its entries are recorded under the
//! same source with `parent_id` = the archive entry's row and virtual paths prefixed by the archive's
//! path (`/sdcard/backup.zip/DCIM/x.jpg`). Inner archives of archives follow, up to [`MAX_DEPTH`]
//! levels. Members of archive sources are copied to the case's scratch folder first (never next to
//! the evidence); archives in folder sources are read in place. The same bomb limits apply, and
//! resuming skips what an earlier run recorded.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::params;

use super::{Counters, IngestOptions, Walk, run_pipeline, sniff};
use crate::case::Case;
use crate::error::{Error, Result, SqlContext};
use crate::progress::{CancelToken, Progress};
use crate::vfs::{self, ContainerKind};

/// How deep archives inside archives are expanded.
pub const MAX_DEPTH: usize = 3;

struct ArchiveRow {
    id: i64,
    parent_id: i64,
    seq: i64,
    path: String,
    raw_path: String,
}

fn archive_rows(case: &Case, source_id: i64, parents: &[i64]) -> Result<Vec<ArchiveRow>> {
    let types = sniff::ARCHIVE_TYPES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",");
    let list = parents.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
    let mut stmt = case
        .conn()
        .prepare(&format!(
            "SELECT id, parent_id, seq, path, raw_path FROM files WHERE source_id = ?1 AND parent_id IN ({list})
             AND kind = 'file' AND sniffed IN ({types}) AND sha256 IS NOT NULL ORDER BY id"
        ))
        .ctx("listing archives inside the source")?;
    let rows = stmt
        .query_map([source_id], |r| Ok(ArchiveRow { id: r.get(0)?, parent_id: r.get(1)?, seq: r.get(2)?, path: r.get(3)?, raw_path: r.get(4)? }))
        .ctx("listing archives inside the source")?;
    rows.collect::<std::result::Result<Vec<_>, _>>().ctx("listing archives inside the source")
}

/// Expand every archive of the source, level by level. Returns rows added and problems met.
#[allow(clippy::too_many_arguments)]
pub(crate) fn expand_all(
    case: &mut Case,
    source_id: i64,
    run_id: i64,
    source_path: &Path,
    source_kind: ContainerKind,
    pool: &rayon::ThreadPool,
    threads: usize,
    counters: &Arc<Counters>,
    opts: &IngestOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<(u64, Vec<String>)> {
    let scratch = case.scratch_dir().join(format!("source-{source_id}"));
    std::fs::create_dir_all(&scratch).map_err(|e| Error::io("creating the scratch folder", &scratch, e))?;
    let mut added = 0u64;
    let mut problems = Vec::new();
    // Where each expanded archive's bytes are (its own container for the next level).
    let mut located: HashMap<i64, (PathBuf, ContainerKind)> = HashMap::new();
    located.insert(0, (source_path.to_path_buf(), source_kind));
    let mut parents = vec![0i64];
    for _depth in 1..=MAX_DEPTH {
        let rows = archive_rows(case, source_id, &parents)?;
        if rows.is_empty() {
            break;
        }
        // Materialise this level's archives, grouped by the container holding them.
        let mut by_parent: HashMap<i64, Vec<&ArchiveRow>> = HashMap::new();
        for r in &rows {
            by_parent.entry(r.parent_id).or_default().push(r);
        }
        let mut files: HashMap<i64, PathBuf> = HashMap::new();
        for (parent, members) in by_parent {
            let Some((container, kind)) = located.get(&parent).cloned() else { continue };
            if kind == ContainerKind::Folder {
                for m in members {
                    files.insert(m.id, container.join(&m.raw_path));
                }
                continue;
            }
            let wanted: HashMap<u64, PathBuf> = members.iter().map(|m| (m.seq as u64, scratch.join(m.id.to_string()))).collect();
            for p in vfs::copy_out(&container, kind, &opts.limits, &wanted, cancel)? {
                problems.push(format!("copying archives out of '{}' for expansion: {p}", container.display()));
            }
            for m in members {
                let p = scratch.join(m.id.to_string());
                if p.exists() {
                    files.insert(m.id, p);
                }
            }
        }
        let mut next = Vec::new();
        for r in &rows {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let Some(path) = files.get(&r.id) else { continue };
            let kind = match vfs::detect(path) {
                Ok(k) => k,
                Err(e) => {
                    record_issue(case, source_id, run_id, r, &format!("'{}' was not expanded: {}", r.path, reason_of(&e)))?;
                    continue;
                }
            };
            let done: HashSet<u64> = {
                let conn = case.conn();
                conn.execute("DELETE FROM files WHERE source_id = ?1 AND parent_id = ?2 AND error IS NOT NULL", params![source_id, r.id])
                    .ctx("preparing the expansion")?;
                let mut stmt = conn.prepare("SELECT seq FROM files WHERE source_id = ?1 AND parent_id = ?2").ctx("preparing the expansion")?;
                stmt.query_map(params![source_id, r.id], |row| row.get::<_, i64>(0)).ctx("preparing the expansion")?.filter_map(|v| v.ok()).map(|v| v as u64).collect()
            };
            let walk = Walk { path, kind, parent_id: r.id, prefix: r.path.clone(), done: &done };
            let (result, writer, _) = run_pipeline(case.conn_mut(), source_id, run_id, walk, pool, threads, counters, opts, progress, cancel, false);
            added += writer?.files_added;
            match result {
                Ok(out) => {
                    if let Some(d) = out.damaged {
                        problems.push(format!("archive '{}' inside the source is damaged: {d}", r.path));
                    }
                }
                Err(Error::Cancelled) => return Err(Error::Cancelled),
                Err(e) => problems.push(format!("archive '{}' inside the source could not be expanded: {e}", r.path)),
            }
            located.insert(r.id, (path.clone(), kind));
            next.push(r.id);
        }
        parents = next;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok((added, problems))
}

fn reason_of(e: &Error) -> String {
    match e {
        Error::UnsupportedSource { reason, .. } => reason.clone(),
        e => e.to_string(),
    }
}

fn record_issue(case: &Case, source_id: i64, run_id: i64, r: &ArchiveRow, message: &str) -> Result<()> {
    case.conn()
        .execute(
            "INSERT INTO ingest_issues (run_id, source_id, parent_id, seq, path, severity, code, message)
             SELECT ?1, ?2, ?3, ?4, ?5, 'info', 'not-expanded', ?6
             WHERE NOT EXISTS (SELECT 1 FROM ingest_issues WHERE source_id = ?2 AND parent_id = ?3 AND seq = ?4 AND code = 'not-expanded')",
            params![run_id, source_id, r.parent_id, r.seq, r.path, message],
        )
        .ctx("recording an ingest issue")?;
    Ok(())
}
