//! The single writer: owns the case's SQLite connection during an ingest and commits rows in large
//! transactions (every 5,000 rows or every second, whichever comes first), so a crash loses at
//! most the last second and resuming skips everything committed. It also drives progress reports.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use rusqlite::{Connection, params};

use super::{Counters, Msg};
use crate::error::{Result, SqlContext};
use crate::progress::{Progress, ProgressEvent};

const BATCH_ROWS: usize = 5_000;
const BATCH_TIME: Duration = Duration::from_secs(1);
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// What the writer did.
#[derive(Debug, Default)]
pub(crate) struct WriterStats {
    pub files_added: u64,
    /// Images decoded and hashed from the ingest read.
    pub images_hashed: u64,
}

pub(crate) fn run(conn: &mut Connection, rx: Receiver<Msg>, source_id: i64, run_id: i64, counters: &Counters, progress: &dyn Progress) -> Result<WriterStats> {
    let mut stats = WriterStats::default();
    let mut last_progress = Instant::now();
    let mut open = true;
    while open {
        let tx = conn.transaction().ctx("starting a batch")?;
        {
            let mut file_stmt = tx
                .prepare_cached(
                    "INSERT INTO files (source_id, parent_id, seq, path, raw_path, kind, size, mtime_utc, atime_utc, ctime_utc, btime_utc,
                                        md5, sha1, sha256, sniffed, link_target, flags, error)
                     VALUES (?1, ?18, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                     ON CONFLICT (source_id, parent_id, seq) DO NOTHING",
                )
                .ctx("preparing the file insert")?;
            let mut issue_stmt = tx
                .prepare_cached("INSERT INTO ingest_issues (run_id, source_id, seq, path, severity, code, message, parent_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .ctx("preparing the issue insert")?;
            let batch_start = Instant::now();
            let mut rows = 0usize;
            while rows < BATCH_ROWS && batch_start.elapsed() < BATCH_TIME {
                match rx.recv_timeout(PROGRESS_EVERY) {
                    Ok(Msg::File(rec)) => {
                        let e = &rec.entry;
                        let d = rec.digests.as_ref();
                        let flags = (!e.flags.is_empty()).then(|| e.flags.join(","));
                        let n = file_stmt
                            .execute(params![
                                source_id,
                                e.seq as i64,
                                e.path,
                                e.raw_path,
                                e.kind.as_str(),
                                e.size as i64,
                                e.mtime,
                                e.atime,
                                e.ctime,
                                e.btime,
                                d.map(|d| d.md5.as_str()),
                                d.map(|d| d.sha1.as_str()),
                                d.map(|d| d.sha256.as_str()),
                                rec.sniffed,
                                e.link_target,
                                flags,
                                rec.error,
                                rec.parent_id,
                            ])
                            .ctx(&format!("recording entry '{}'", e.raw_path))?;
                        if n == 1
                            && let Some(image) = &rec.image
                        {
                            crate::media::pass::insert_outcome(&tx, source_id, tx.last_insert_rowid(), run_id, d.map(|d| d.sha256.as_str()), image)?;
                            stats.images_hashed += 1;
                        }
                        stats.files_added += n as u64;
                        rows += 1;
                    }
                    Ok(Msg::Issue(i, parent_id)) => {
                        issue_stmt
                            .execute(params![run_id, source_id, i.seq.map(|s| s as i64), i.path, i.severity.as_str(), i.code, i.message, parent_id])
                            .ctx("recording an ingest issue")?;
                        rows += 1;
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => {
                        open = false;
                        break;
                    }
                }
                if last_progress.elapsed() >= PROGRESS_EVERY {
                    report(counters, progress);
                    last_progress = Instant::now();
                }
            }
        }
        tx.commit().ctx("committing a batch")?;
    }
    report(counters, progress);
    Ok(stats)
}

fn report(c: &Counters, progress: &dyn Progress) {
    let some = |v: u64| (v > 0).then_some(v);
    let container_size = c.container_size.load(Ordering::Relaxed);
    let (bytes_done, bytes_total) = if container_size > 0 {
        (c.container_read.load(Ordering::Relaxed), Some(container_size))
    } else {
        (c.bytes_done.load(Ordering::Relaxed), some(c.bytes_total.load(Ordering::Relaxed)))
    };
    progress.report(&ProgressEvent {
        phase: "hashing",
        files_done: c.files_done.load(Ordering::Relaxed),
        files_total: some(c.files_total.load(Ordering::Relaxed)),
        bytes_done,
        bytes_total,
    });
}
