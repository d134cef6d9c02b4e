//! Folder back end: a depth-first walk sorted by name (so `seq` is stable across runs), never
//! following symbolic links. Files are opened read-only with `O_NOATIME` where the OS allows it, so
//! reading evidence does not even touch its access times.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::{Content, Entry, EntryKind, EntrySink, Issue, OpenEntry, Severity, WalkOutcome, system_time_us};
use crate::error::{Error, Result};
use crate::progress::CancelToken;

/// A file of a folder, opened when asked.
pub(crate) struct FolderEntry(pub(crate) PathBuf);

/// Open a file of the evidence read-only, without updating its access time when permitted.
pub fn open_evidence(path: &Path) -> std::io::Result<File> {
    match std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOATIME | libc::O_NOFOLLOW).open(path) {
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path),
        r => r,
    }
}

impl OpenEntry for FolderEntry {
    fn with_reader(self: Box<Self>, f: &mut dyn FnMut(&mut dyn Read) -> std::io::Result<()>) -> std::io::Result<()> {
        let mut file = open_evidence(&self.0)?;
        f(&mut file)
    }
}

pub(crate) fn walk(root: &Path, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    std::fs::read_dir(root).map_err(|e| Error::SourceUnreadable {
        path: root.to_path_buf(),
        expected: "a readable folder".into(),
        reason: e.to_string(),
    })?;
    // A quick metadata-only pass gives totals for progress and ETA.
    let (mut n, mut bytes) = (0u64, 0u64);
    for item in walkdir::WalkDir::new(root).follow_links(false).min_depth(1).into_iter().flatten() {
        n += 1;
        if item.file_type().is_file() {
            bytes += item.metadata().map(|m| m.len()).unwrap_or(0);
        }
        if n % 4096 == 0 && cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
    }
    sink.totals(n, bytes);
    let mut out = WalkOutcome::default();
    let mut seq: u64 = 0;
    for item in walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name().min_depth(1) {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                let path = e.path().map(|p| p.display().to_string());
                let msg = match e.io_error() {
                    Some(io) => format!("'{}' could not be listed: {io}", path.clone().unwrap_or_default()),
                    None => format!("walking the folder: {e}"),
                };
                sink.issue(Issue { seq: None, path, severity: Severity::Error, code: "unreadable-dir", message: msg });
                continue;
            }
        };
        let this_seq = seq;
        seq += 1;
        let rel = item.path().strip_prefix(root).unwrap_or(item.path());
        let raw_path = rel.to_string_lossy().into_owned();
        let norm = super::normalise(&raw_path);
        let ft = item.file_type();
        let mut pending: Vec<Issue> = Vec::new();
        let meta = match item.metadata() {
            Ok(m) => Some(m),
            Err(e) => {
                pending.push(Issue {
                    seq: Some(this_seq),
                    path: Some(norm.path.clone()),
                    severity: Severity::Error,
                    code: "unreadable",
                    message: format!("'{}': metadata could not be read: {e}", item.path().display()),
                });
                None
            }
        };
        let kind = if ft.is_file() {
            EntryKind::File
        } else if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_symlink() {
            EntryKind::Symlink
        } else {
            EntryKind::Other
        };
        let mut link_target = None;
        if kind == EntryKind::Symlink {
            link_target = std::fs::read_link(item.path()).ok().map(|t| t.to_string_lossy().into_owned());
            if let Err(e) = std::fs::metadata(item.path())
                && e.raw_os_error() == Some(libc::ELOOP)
            {
                pending.push(Issue {
                    seq: Some(this_seq),
                    path: Some(norm.path.clone()),
                    severity: Severity::Warning,
                    code: "symlink-loop",
                    message: format!(
                        "'{}' is a symbolic link loop (-> '{}'); recorded as a link, not followed",
                        item.path().display(),
                        link_target.as_deref().unwrap_or("?")
                    ),
                });
            }
        }
        let entry = Entry {
            seq: this_seq,
            raw_path,
            path: norm.path,
            kind,
            size: if kind == EntryKind::File { meta.as_ref().map(|m| m.len()).unwrap_or(0) } else { 0 },
            compressed_size: None,
            mtime: meta.as_ref().and_then(|m| m.modified().ok()).and_then(system_time_us),
            atime: meta.as_ref().and_then(|m| m.accessed().ok()).and_then(system_time_us),
            ctime: meta.as_ref().map(|m| m.ctime() * 1_000_000 + m.ctime_nsec() / 1000),
            btime: meta.as_ref().and_then(|m| m.created().ok()).and_then(system_time_us),
            link_target,
            flags: norm.flags,
            stated: None,
        };
        out.entries += 1;
        if sink.already_done(this_seq) {
            continue;
        }
        for issue in pending {
            sink.issue(issue);
        }
        let content = match kind {
            EntryKind::File if meta.is_some() => Content::Deferred(Box::new(FolderEntry(item.path().to_path_buf()))),
            EntryKind::File => Content::None(Some("metadata could not be read".into())),
            EntryKind::Other => {
                let what = if ft.is_socket() {
                    "a socket"
                } else if ft.is_fifo() {
                    "a FIFO"
                } else if ft.is_block_device() {
                    "a block device"
                } else if ft.is_char_device() {
                    "a character device"
                } else {
                    "a special file"
                };
                sink.issue(Issue {
                    seq: Some(this_seq),
                    path: Some(entry.path.clone()),
                    severity: Severity::Info,
                    code: "special-file",
                    message: format!("'{}' is {what}; listed, content not read", item.path().display()),
                });
                Content::None(None)
            }
            _ => Content::None(None),
        };
        sink.entry(entry, content)?;
    }
    Ok(out)
}
