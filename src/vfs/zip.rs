//! ZIP back end: random access through the central directory; when the central directory is
//! missing or damaged (a truncated copy, a corrupt end record), a sequential scan of the local file
//! headers recovers every entry that precedes the damage.
//!
//! Members are opened from any thread through a shared, position-free reader (`pread`), so a rayon
//! pool can hash many members of one ZIP at once without re-reading the central directory.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use zip::ZipArchive;
use zip::extra_fields::ExtraField;
use zip::read::ZipFile;

use super::{Content, Entry, EntryKind, EntrySink, Issue, Limits, OpenEntry, Severity, WalkOutcome};
use crate::error::{Error, Result};
use crate::progress::CancelToken;

/// A cloneable reader over one open file: each clone keeps its own position and reads with `pread`.
#[derive(Clone)]
pub(crate) struct SharedFile {
    file: Arc<File>,
    pos: u64,
    len: u64,
}

impl SharedFile {
    pub(crate) fn new(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(SharedFile { file: Arc::new(file), pos: 0, len })
    }
}

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let new = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(io::ErrorKind::InvalidInput, "seek before the start of the file")),
        }
    }
}

/// Refuses to deliver more bytes than the member declared (a lying header is a bomb technique).
pub(crate) struct DeclaredSizeGuard<R> {
    pub(crate) inner: R,
    pub(crate) left: u64,
}

impl<R: Read> Read for DeclaredSizeGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other("member expands beyond its declared size: refused as a decompression bomb"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

struct ZipMember {
    archive: ZipArchive<SharedFile>,
    index: usize,
    declared: u64,
}

impl OpenEntry for ZipMember {
    fn with_reader(mut self: Box<Self>, f: &mut dyn FnMut(&mut dyn Read) -> io::Result<()>) -> io::Result<()> {
        let declared = self.declared;
        let member = self.archive.by_index(self.index).map_err(io::Error::other)?;
        let mut guarded = DeclaredSizeGuard { inner: member, left: declared };
        f(&mut guarded)
    }
}

fn mtime_of<R: Read>(z: &ZipFile<'_, R>) -> Option<i64> {
    for field in z.extra_data_fields() {
        if let ExtraField::ExtendedTimestamp(ts) = field
            && let Some(t) = ts.mod_time()
        {
            return Some(t as i64 * 1_000_000);
        }
    }
    // DOS time has no zone: taken as UTC, and the entry is flagged `dos-time` by the caller.
    let dt = z.last_modified()?;
    let date = chrono::NaiveDate::from_ymd_opt(dt.year() as i32, dt.month() as u32, dt.day() as u32)?;
    let t = date.and_hms_opt(dt.hour() as u32, dt.minute() as u32, dt.second() as u32)?;
    Some(t.and_utc().timestamp() * 1_000_000)
}

fn has_ext_time<R: Read>(z: &ZipFile<'_, R>) -> bool {
    z.extra_data_fields().any(|f| matches!(f, ExtraField::ExtendedTimestamp(ts) if ts.mod_time().is_some()))
}

fn entry_of<R: Read>(z: &ZipFile<'_, R>, seq: u64) -> Entry {
    let raw_path = match z.name() {
        Ok(n) => n.into_owned(),
        Err(_) => String::from_utf8_lossy(z.name_raw()).into_owned(),
    };
    let norm = super::normalise(&raw_path);
    let mut flags = norm.flags;
    let kind = if z.is_dir() {
        EntryKind::Dir
    } else if z.is_symlink() {
        EntryKind::Symlink
    } else {
        EntryKind::File
    };
    if !has_ext_time(z) && z.last_modified().is_some() {
        flags.push("dos-time");
    }
    Entry {
        seq,
        raw_path,
        path: norm.path,
        kind,
        size: z.size(),
        compressed_size: Some(z.compressed_size()),
        mtime: mtime_of(z),
        atime: None,
        ctime: None,
        btime: None,
        link_target: None,
        flags,
        stated: None,
    }
}

pub(super) fn walk(path: &Path, limits: &Limits, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    let file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let shared = SharedFile::new(file).map_err(|e| Error::io("reading the metadata of", path, e))?;
    match ZipArchive::new(shared.clone()) {
        Ok(archive) => walk_indexed(archive, limits, sink, cancel),
        Err(e) => {
            let why = format!("ZIP central directory missing or damaged ({e})");
            sink.issue(Issue {
                seq: None,
                path: None,
                severity: Severity::Error,
                code: "zip-central-directory",
                message: format!("'{}': {why}; recovering entries by scanning local file headers", path.display()),
            });
            let mut out = walk_stream(shared, limits, sink, cancel, path)?;
            let recovered = out.entries;
            out.damaged = Some(match out.damaged.take() {
                Some(more) => format!("{why}; {recovered} entries recovered from local headers; {more}"),
                None => format!("{why}; {recovered} entries recovered from local headers"),
            });
            Ok(out)
        }
    }
}

fn walk_indexed(mut archive: ZipArchive<SharedFile>, limits: &Limits, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    let mut out = WalkOutcome::default();
    let mut total: u64 = 0;
    let bytes: u64 = (0..archive.len()).filter_map(|i| archive.by_index_data(i).ok().map(|z| z.size())).sum();
    sink.totals(archive.len() as u64, bytes);
    for i in 0..archive.len() {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let seq = i as u64;
        let (mut entry, encrypted) = match archive.by_index_raw(i) {
            Ok(z) => (entry_of(&z, seq), z.encrypted()),
            Err(e) => {
                sink.issue(Issue {
                    seq: Some(seq),
                    path: None,
                    severity: Severity::Error,
                    code: "zip-entry",
                    message: format!("ZIP entry #{i} could not be read from the central directory: {e}"),
                });
                continue;
            }
        };
        out.entries += 1;
        if sink.already_done(seq) {
            total = total.saturating_add(entry.size);
            continue;
        }
        if entry.kind == EntryKind::Symlink {
            // The target is the member's content.
            let mut target = Vec::new();
            if let Ok(z) = archive.by_index(i) {
                let _ = z.take(4096).read_to_end(&mut target);
            }
            entry.link_target = Some(String::from_utf8_lossy(&target).into_owned());
            sink.entry(entry, Content::None(None))?;
            continue;
        }
        if entry.kind == EntryKind::Dir {
            sink.entry(entry, Content::None(None))?;
            continue;
        }
        if encrypted {
            let msg = format!("ZIP member '{}' is encrypted; listed, content not read (no password given)", entry.raw_path);
            sink.issue(Issue { seq: Some(seq), path: Some(entry.path.clone()), severity: Severity::Error, code: "encrypted", message: msg.clone() });
            sink.entry(entry, Content::None(Some(msg)))?;
            continue;
        }
        if let Some(why) = limits.refuse(entry.size, entry.compressed_size.unwrap_or(0), total) {
            let msg = format!("ZIP member '{}' {why}; listed, not expanded", entry.raw_path);
            sink.issue(Issue { seq: Some(seq), path: Some(entry.path.clone()), severity: Severity::Error, code: "zip-bomb", message: msg.clone() });
            sink.entry(entry, Content::None(Some(msg)))?;
            continue;
        }
        total = total.saturating_add(entry.size);
        let member = ZipMember { archive: archive.clone(), index: i, declared: entry.size };
        sink.entry(entry, Content::Deferred(Box::new(member)))?;
    }
    Ok(out)
}

fn walk_stream(mut reader: SharedFile, limits: &Limits, sink: &mut dyn EntrySink, cancel: &CancelToken, path: &Path) -> Result<WalkOutcome> {
    reader.seek(SeekFrom::Start(0)).map_err(|e| Error::io("seeking", path, e))?;
    let mut reader = io::BufReader::with_capacity(256 * 1024, reader);
    let mut out = WalkOutcome::default();
    let mut total: u64 = 0;
    let mut seq: u64 = 0;
    loop {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let pos = reader.stream_position().unwrap_or(0);
        sink.position(pos, reader.get_ref().len);
        let z = match zip::read::read_zipfile_from_stream(&mut reader) {
            Ok(Some(z)) => z,
            Ok(None) => break,
            Err(e) => {
                out.damaged = Some(format!("local header scan stopped after {seq} entries: {e}"));
                break;
            }
        };
        let entry = entry_of(&z, seq);
        let this = seq;
        seq += 1;
        out.entries += 1;
        if sink.already_done(this) || entry.kind != EntryKind::File {
            drop(z);
            if !sink.already_done(this) {
                sink.entry(entry, Content::None(None))?;
            }
            continue;
        }
        if z.encrypted() {
            let msg = format!("ZIP member '{}' is encrypted; listed, content not read (no password given)", entry.raw_path);
            sink.issue(Issue { seq: Some(this), path: Some(entry.path.clone()), severity: Severity::Error, code: "encrypted", message: msg.clone() });
            sink.entry(entry, Content::None(Some(msg)))?;
            continue;
        }
        // Sizes in a local header may be zero (data descriptor): the ratio check then happens on the fly.
        let declared = if entry.size > 0 { entry.size } else { limits.max_entry_size };
        if let Some(why) = limits.refuse(entry.size, entry.compressed_size.unwrap_or(0), total) {
            let msg = format!("ZIP member '{}' {why}; listed, not expanded", entry.raw_path);
            sink.issue(Issue { seq: Some(this), path: Some(entry.path.clone()), severity: Severity::Error, code: "zip-bomb", message: msg.clone() });
            sink.entry(entry, Content::None(Some(msg)))?;
            continue;
        }
        total = total.saturating_add(entry.size);
        let mut guarded = DeclaredSizeGuard { inner: z, left: declared };
        sink.entry(entry, Content::Stream(&mut guarded))?;
    }
    Ok(out)
}
