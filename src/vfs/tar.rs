//! TAR and TAR.GZ back end: one sequential pass, never rewinding, so a multi-hundred-gigabyte
//! `.tar.gz` is read exactly once. Handles GNU long names, PAX headers, links and special entries.
//!
//! For gzip, two counters measure compressed bytes in and expanded bytes out; a stream whose
//! expansion ratio passes the configured limit is stopped as a decompression bomb. A truncated or
//! corrupt stream ends the walk with a reason; every entry before the damage is kept.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use super::{Content, Entry, EntryKind, EntrySink, Issue, Limits, Severity, WalkOutcome};
use crate::error::{Error, Result};
use crate::progress::CancelToken;

/// Counts bytes passing through.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Stops an expanding stream whose ratio or total passes the limits.
struct BombGuard<R> {
    inner: R,
    compressed: Rc<Cell<u64>>,
    expanded: u64,
    limits: Limits,
}

impl<R: Read> Read for BombGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.expanded += n as u64;
        let compressed = self.compressed.get().max(1);
        let ratio = self.expanded as f64 / compressed as f64;
        if self.expanded > self.limits.ratio_floor && ratio > self.limits.max_ratio {
            return Err(io::Error::other(format!(
                "gzip stream expands {compressed} bytes to more than {} bytes (ratio {ratio:.0}, limit {:.0}, --max-ratio): stopped as a decompression bomb",
                self.expanded, self.limits.max_ratio
            )));
        }
        if self.expanded > self.limits.max_total_size {
            return Err(io::Error::other(format!(
                "gzip stream expands beyond {} bytes (--max-total-size): stopped",
                self.limits.max_total_size
            )));
        }
        Ok(n)
    }
}

pub(super) fn walk(path: &Path, gz: bool, limits: &Limits, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    let file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let container_size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let compressed = Rc::new(Cell::new(0u64));
    let raw = Counting { inner: BufReader::with_capacity(1 << 20, file), count: compressed.clone() };
    if gz {
        let dec = flate2::read::MultiGzDecoder::new(raw);
        let guarded = BombGuard { inner: dec, compressed: compressed.clone(), expanded: 0, limits: *limits };
        walk_archive(tar::Archive::new(BufReader::with_capacity(1 << 20, guarded)), path, "TAR.GZ", limits, sink, cancel, (&compressed, container_size))
    } else {
        walk_archive(tar::Archive::new(raw), path, "TAR", limits, sink, cancel, (&compressed, container_size))
    }
}

fn walk_archive<R: Read>(
    mut archive: tar::Archive<R>,
    path: &Path,
    what: &str,
    limits: &Limits,
    sink: &mut dyn EntrySink,
    cancel: &CancelToken,
    (read, container_size): (&Rc<Cell<u64>>, u64),
) -> Result<WalkOutcome> {
    let mut out = WalkOutcome::default();
    let entries = archive.entries().map_err(|e| Error::SourceUnreadable {
        path: path.to_path_buf(),
        expected: what.to_string(),
        reason: e.to_string(),
    })?;
    let mut seq: u64 = 0;
    let mut total: u64 = 0;
    for item in entries {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let mut te = match item {
            Ok(te) => te,
            Err(e) => {
                let why = format!("{what} stream damaged after {seq} entries: {}", describe(&e));
                sink.issue(Issue {
                    seq: None,
                    path: None,
                    severity: Severity::Error,
                    code: "stream-damaged",
                    message: format!("'{}': {why}; the entries before the damage are kept", path.display()),
                });
                out.damaged = Some(why);
                break;
            }
        };
        let this = seq;
        seq += 1;
        sink.position(read.get(), container_size);
        let header = te.header();
        let raw_path = String::from_utf8_lossy(&te.path_bytes()).into_owned();
        let et = header.entry_type();
        let kind = if et.is_file() || et.is_contiguous() || et.is_gnu_sparse() {
            EntryKind::File
        } else if et.is_dir() {
            EntryKind::Dir
        } else if et.is_symlink() {
            EntryKind::Symlink
        } else {
            EntryKind::Other
        };
        let norm = super::normalise(&raw_path);
        let mut flags = norm.flags;
        if et.is_hard_link() {
            flags.push("hard-link");
        }
        let size = te.size();
        let entry = Entry {
            seq: this,
            raw_path: raw_path.clone(),
            path: norm.path,
            kind,
            size: if kind == EntryKind::File { size } else { 0 },
            compressed_size: None,
            mtime: header.mtime().ok().and_then(|t| i64::try_from(t).ok()).map(|t| t * 1_000_000),
            atime: None,
            ctime: None,
            btime: None,
            link_target: te.link_name_bytes().map(|b| String::from_utf8_lossy(&b).into_owned()),
            flags,
            stated: None,
        };
        out.entries += 1;
        if sink.already_done(this) {
            total = total.saturating_add(entry.size);
            continue;
        }
        if kind != EntryKind::File {
            sink.entry(entry, Content::None(None))?;
            continue;
        }
        if let Some(why) = limits.refuse(size, u64::MAX, total) {
            let msg = format!("{what} member '{raw_path}' {why}; listed, not read");
            sink.issue(Issue { seq: Some(this), path: Some(entry.path.clone()), severity: Severity::Error, code: "too-large", message: msg.clone() });
            sink.entry(entry, Content::None(Some(msg)))?;
            continue;
        }
        total = total.saturating_add(size);
        sink.entry(entry, Content::Stream(&mut te))?;
    }
    Ok(out)
}

fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => format!("the stream ends early (truncated?): {e}"),
        _ => e.to_string(),
    }
}
