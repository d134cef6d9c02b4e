//! One read-only virtual file tree over every container an extraction arrives in.
//!
//! Supported: a plain folder, ZIP (random access; stored, deflate, deflate64, bzip2, LZMA, XZ;
//! zip64; CP437 and UTF-8 names; AES-encrypted entries are listed, not read), TAR, and TAR.GZ/TGZ
//! (one sequential pass, never rewinding). The kind is detected from magic bytes, never from the
//! extension ([`detect`]). Entry names are normalised ([`normalise`]) so parsers match on path suffixes.
//!
//! A container is walked once with [`walk`]: every entry goes to an [`EntrySink`] with its metadata and
//! its content, either as a stream to read now (TAR) or as a handle that any thread can open later
//! (folder, ZIP). Damage to the container (a truncated gzip stream, a missing central directory) ends
//! the walk early with a reason in the [`WalkOutcome`]; what was walked before stays walked.

mod copy_out;
mod folder;
pub mod itunes;
pub mod ufdr;
pub use folder::open_evidence;
pub mod normalise;
mod tar;
mod zip;

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::progress::CancelToken;

pub use copy_out::copy_out;
pub use normalise::normalise;

/// Container kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ContainerKind {
    /// A plain folder.
    Folder,
    /// A ZIP file (also UFDR, CLBX, GrayKey output).
    Zip,
    /// An uncompressed TAR.
    Tar,
    /// A gzip-compressed TAR.
    TarGz,
    /// An iTunes / Finder backup folder (`Manifest.db`).
    ItunesBackup,
    /// An iTunes / Finder backup in a ZIP (at its root or in a single top folder).
    ItunesBackupZip,
    /// An iTunes / Finder backup in an uncompressed TAR.
    ItunesBackupTar,
    /// A Cellebrite UFDR (a ZIP with `report.xml`).
    Ufdr,
}

impl ContainerKind {
    /// A folder on disk (plain or a backup): no single container file to hash.
    pub fn is_folder(self) -> bool {
        matches!(self, ContainerKind::Folder | ContainerKind::ItunesBackup)
    }

    /// Stable name stored in the case.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerKind::Folder => "folder",
            ContainerKind::Zip => "zip",
            ContainerKind::Tar => "tar",
            ContainerKind::TarGz => "tar.gz",
            ContainerKind::ItunesBackup => "itunes-backup",
            ContainerKind::ItunesBackupZip => "itunes-backup-zip",
            ContainerKind::ItunesBackupTar => "itunes-backup-tar",
            ContainerKind::Ufdr => "ufdr",
        }
    }
}

/// Kind of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Regular file.
    File,
    /// Directory.
    Dir,
    /// Symbolic link (never followed).
    Symlink,
    /// Anything else (device, FIFO, socket, hard link record).
    Other,
}

impl EntryKind {
    /// Stable name stored in the case.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Dir => "dir",
            EntryKind::Symlink => "symlink",
            EntryKind::Other => "other",
        }
    }
}

/// Metadata of one entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Position in the container's enumeration (stable across runs: used to resume).
    pub seq: u64,
    /// Name as stored in the container.
    pub raw_path: String,
    /// Normalised virtual path.
    pub path: String,
    /// Kind.
    pub kind: EntryKind,
    /// Size in bytes (declared, for archives).
    pub size: u64,
    /// Compressed size, for archive members.
    pub compressed_size: Option<u64>,
    /// Modification time, µs since 1970 UTC.
    pub mtime: Option<i64>,
    /// Access time, µs since 1970 UTC (folders only).
    pub atime: Option<i64>,
    /// Inode change time, µs since 1970 UTC (folders only).
    pub ctime: Option<i64>,
    /// Birth time, µs since 1970 UTC, where the file system keeps it.
    pub btime: Option<i64>,
    /// Symlink target.
    pub link_target: Option<String>,
    /// Flags raised while reading the name (see [`normalise`]).
    pub flags: Vec<&'static str>,
    /// Hashes the container itself states for this entry (UFDR `report.xml`), checked after hashing.
    pub stated: Option<StatedHashes>,
}

/// Hashes a container states for an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatedHashes {
    /// MD5, lower-case hex.
    pub md5: Option<String>,
    /// SHA-256, lower-case hex.
    pub sha256: Option<String>,
}

/// Opens an entry's content from any thread.
pub trait OpenEntry: Send {
    /// Call `f` with a reader over the content.
    fn with_reader(self: Box<Self>, f: &mut dyn FnMut(&mut dyn Read) -> std::io::Result<()>) -> std::io::Result<()>;
}

/// An entry's content, as the container can give it.
pub enum Content<'a> {
    /// Must be read now, in the calling thread (sequential containers).
    Stream(&'a mut dyn Read),
    /// Can be opened later from any thread (random-access containers).
    Deferred(Box<dyn OpenEntry>),
    /// No content to read (directories, links), or refused with a reason.
    None(Option<String>),
}

impl Content<'_> {
    /// Read at most `limit` bytes of the content into memory (a stream now, a random-access entry
    /// by opening it). No content is an error carrying its reason ("no content" when none is
    /// given).
    pub fn read_up_to(self, limit: u64) -> std::io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        let mut read = |r: &mut dyn Read| r.take(limit).read_to_end(&mut buf).map(|_| ());
        match self {
            Content::Stream(r) => read(r)?,
            Content::Deferred(o) => o.with_reader(&mut read)?,
            Content::None(why) => return Err(std::io::Error::other(why.unwrap_or_else(|| "no content".into()))),
        }
        Ok(buf)
    }
}

/// Severity of a recorded problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Worth knowing; nothing lost.
    Info,
    /// Something unusual in the evidence; nothing lost.
    Warning,
    /// Content could not be read.
    Error,
}

impl Severity {
    /// Stable name stored in the case.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A problem met while walking.
#[derive(Debug, Clone)]
pub struct Issue {
    /// The entry, if about one.
    pub seq: Option<u64>,
    /// The entry's path, if about one.
    pub path: Option<String>,
    /// How bad.
    pub severity: Severity,
    /// Stable code.
    pub code: &'static str,
    /// Message naming the entry and what was expected.
    pub message: String,
}

/// Receives the entries of a walk.
pub trait EntrySink {
    /// True when the entry with this `seq` is already in the case (resume): its content is not read.
    fn already_done(&self, seq: u64) -> bool;
    /// One entry. An error stops the walk (cancellation).
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()>;
    /// One problem.
    fn issue(&mut self, issue: Issue);
    /// Totals, when the container knows them before the walk (entries, content bytes).
    fn totals(&mut self, _entries: u64, _bytes: u64) {}
    /// Position in a sequential container (bytes of the container file read so far, its size).
    fn position(&mut self, _read: u64, _size: u64) {}
}

/// Limits against decompression bombs. All configurable from the CLI.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Limits {
    /// Largest expansion ratio accepted for a member bigger than `ratio_floor`.
    pub max_ratio: f64,
    /// Members expanding to less than this are never refused for their ratio.
    pub ratio_floor: u64,
    /// Largest single member accepted, in bytes.
    pub max_entry_size: u64,
    /// Largest total of expanded bytes accepted per container.
    pub max_total_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_ratio: 1000.0, ratio_floor: 64 << 20, max_entry_size: 1 << 40, max_total_size: 16 << 40 }
    }
}

impl Limits {
    /// Why a member of `size` bytes stored in `compressed` bytes is refused, if it is.
    pub fn refuse(&self, size: u64, compressed: u64, total_so_far: u64) -> Option<String> {
        if size > self.max_entry_size {
            return Some(format!("declares {size} bytes, above the limit of {} bytes per entry (--max-entry-size)", self.max_entry_size));
        }
        if size > self.ratio_floor {
            let ratio = size as f64 / compressed.max(1) as f64;
            if ratio > self.max_ratio {
                return Some(format!(
                    "expands {compressed} bytes to {size} bytes (ratio {ratio:.0}, limit {:.0}, --max-ratio): a decompression bomb",
                    self.max_ratio
                ));
            }
        }
        if total_so_far.saturating_add(size) > self.max_total_size {
            return Some(format!("would take the expanded total above {} bytes (--max-total-size)", self.max_total_size));
        }
        None
    }
}

/// How a walk ended.
#[derive(Debug, Clone, Default)]
pub struct WalkOutcome {
    /// Entries handed to the sink.
    pub entries: u64,
    /// Why the container could not be walked to its end, if it could not.
    pub damaged: Option<String>,
}

/// Detect the container kind of `path` from its magic bytes.
pub fn detect(path: &Path) -> Result<ContainerKind> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::SourceNotFound(path.to_path_buf())),
        Err(e) => return Err(Error::io("reading the metadata of", path, e)),
    };
    if meta.is_dir() {
        return Ok(if itunes::is_backup(path) { ContainerKind::ItunesBackup } else { ContainerKind::Folder });
    }
    let mut head = [0u8; 512];
    let n = read_up_to(&mut std::fs::File::open(path).map_err(|e| Error::io("opening", path, e))?, &mut head)
        .map_err(|e| Error::io("reading", path, e))?;
    let head = &head[..n];
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") || head.starts_with(b"PK\x07\x08") {
        return Ok(if ufdr::is_ufdr(path) {
            ContainerKind::Ufdr
        } else if itunes::archive_root(path, false).is_some() {
            ContainerKind::ItunesBackupZip
        } else {
            ContainerKind::Zip
        });
    }
    if is_tar_header(head) {
        return Ok(if itunes::archive_root(path, true).is_some() { ContainerKind::ItunesBackupTar } else { ContainerKind::Tar });
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        let f = std::fs::File::open(path).map_err(|e| Error::io("opening", path, e))?;
        let mut inner = [0u8; 512];
        let got = read_up_to(&mut flate2::read::MultiGzDecoder::new(f), &mut inner).unwrap_or(0);
        if is_tar_header(&inner[..got]) {
            return Ok(ContainerKind::TarGz);
        }
        return Err(Error::UnsupportedSource {
            path: path.to_path_buf(),
            reason: "a gzip stream that does not hold a TAR archive (or whose start is damaged)".into(),
        });
    }
    let what = if n == 0 { "an empty file".to_string() } else { format!("a file of type '{}'", crate::ingest::sniff::sniff(head, meta.len())) };
    Err(Error::UnsupportedSource {
        path: path.to_path_buf(),
        reason: format!("{what}; expected a folder, a ZIP, a TAR or a TAR.GZ (by content, not by extension)"),
    })
}

/// A TAR header: `ustar` magic at 257, or a valid v7 header checksum.
pub(crate) fn is_tar_header(h: &[u8]) -> bool {
    if h.len() < 512 {
        return false;
    }
    if &h[257..262] == b"ustar" {
        return true;
    }
    // v7 tar: checksum field (148..156) octal, sum of the header with the field as spaces.
    let field = std::str::from_utf8(&h[148..156]).unwrap_or("");
    let Ok(stored) = u32::from_str_radix(field.trim_matches(|c: char| c == ' ' || c == '\0'), 8) else { return false };
    let sum: u32 = h.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { 32 } else { b as u32 }).sum();
    stored == sum && h[0] != 0
}

/// Read until `buf` is full or the reader ends.
pub(crate) fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Walk a container of a known kind.
pub fn walk(path: &Path, kind: ContainerKind, limits: &Limits, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    match kind {
        ContainerKind::Folder => folder::walk(path, sink, cancel),
        ContainerKind::ItunesBackup => itunes::walk(path, sink, cancel),
        ContainerKind::ItunesBackupZip => itunes::walk_archive(path, false, limits, sink, cancel),
        ContainerKind::ItunesBackupTar => itunes::walk_archive(path, true, limits, sink, cancel),
        ContainerKind::Ufdr => ufdr::walk(path, limits, sink, cancel),
        ContainerKind::Zip => zip::walk(path, limits, sink, cancel),
        ContainerKind::Tar => tar::walk(path, false, limits, sink, cancel),
        ContainerKind::TarGz => tar::walk(path, true, limits, sink, cancel),
    }
}

/// µs since 1970 from a `SystemTime`.
pub(crate) fn system_time_us(t: std::time::SystemTime) -> Option<i64> {
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).ok(),
        Err(e) => i64::try_from(e.duration().as_micros()).ok().map(|v| -v),
    }
}
