//! Cellebrite UFDR: a ZIP whose `report.xml` indexes the files it holds (and the models Cellebrite
//! decoded from them, read by the `ufdr-report` parser).
//!
//! The walk streams `report.xml` (or `Report.xml`), never loading it whole, and keeps for every
//! `taggedFiles/file`: the member path (`Local Path`, backslashes made `/`), the original device path
//! (`path`), the deletion state (`deleted`), the device times (`accessInfo/timestamp`) and the MD5
//! and SHA-256 the report states. Reading stops at the end of `taggedFiles`: the decoded models that
//! follow are the parser's business. The ZIP's members are then walked in index order (so `seq`
//! numbers are stable and an interrupted ingest resumes):
//!
//! - a member named by a tagged file becomes an entry at the file's normalised **device path**
//!   (raw path: the member path), with the device times (`ModifyTime` → mtime, `AccessTime` → atime,
//!   `ChangeTime` → ctime, `CreationTime` → btime; never the ZIP's own time, which is the export's),
//!   a `deleted` flag when the report says so, and the stated hashes, which ingest checks
//!   (`hash-mismatch`);
//! - every other member (`report.xml` itself, `chats/`, `ThumbnailCache.s3db` …) stays at
//!   `/_ufdr/<member path>`;
//! - a tagged file whose member is absent is reported (`missing-member`, warning) and listed at its
//!   device path as an entry without content (its `seq` follows the ZIP's last index, in report
//!   order), so the source says what it could not hold;
//! - a report that cannot be read (malformed or truncated XML, encrypted, refused by the limits) does
//!   not stop the walk: the members are walked as a plain ZIP under `/_ufdr/`, and the outcome's
//!   `damaged` says why the report could not be used (the source is then `partial`).
//!
//! Times in the report are ISO 8601 strings, usually with an offset (`formattedTimestamp`); see
//! [`parse_time`].

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::{Reader, XmlVersion};
use zip::ZipArchive;

use super::zip::{DeclaredSizeGuard, SharedFile};
use super::{Content, Entry, EntryKind, EntrySink, Issue, Limits, Severity, StatedHashes, WalkOutcome};
use crate::error::{Error, Result};
use crate::progress::CancelToken;

/// Virtual folder of the members no tagged file names.
pub const UFDR_DIR: &str = "/_ufdr";

/// Is this ZIP a UFDR (a `report.xml` at its root, any case)?
pub fn is_ufdr(path: &Path) -> bool {
    let Ok(f) = std::fs::File::open(path) else { return false };
    let Ok(z) = zip::ZipArchive::new(f) else { return false };
    z.file_names().any(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case("report.xml")))
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with the `ufdr-report` parser.
// ---------------------------------------------------------------------------------------------

/// The report member of a UFDR.
#[derive(Debug, Clone)]
pub(crate) struct ReportMember {
    /// ZIP index.
    pub index: usize,
    /// Member name as stored (`report.xml`, `Report.xml`).
    pub name: String,
    /// Declared size.
    pub size: u64,
}

/// Find `report.xml` at the root: `report.xml` first, then `Report.xml`, then any case.
fn find_report(archive: &ZipArchive<SharedFile>) -> Option<ReportMember> {
    let mut found: Option<(u8, usize, String)> = None;
    for i in 0..archive.len() {
        let Some(Ok(name)) = archive.name_for_index(i) else { continue };
        let rank = match name.as_ref() {
            "report.xml" => 0,
            "Report.xml" => 1,
            n if n.eq_ignore_ascii_case("report.xml") => 2,
            _ => continue,
        };
        if found.as_ref().is_none_or(|(r, _, _)| rank < *r) {
            found = Some((rank, i, name.into_owned()));
        }
    }
    let (_, index, name) = found?;
    let size = archive.by_index_data(index).map(|z| z.size()).unwrap_or(0);
    Some(ReportMember { index, name, size })
}

/// Open the report of the UFDR at `path` and call `f` with a buffered reader over it. `limits`
/// (when given) may refuse a report that looks like a decompression bomb. Errors are sentences.
pub(crate) fn with_report<T>(path: &Path, limits: Option<&Limits>, f: impl FnOnce(&mut dyn BufRead, &ReportMember) -> T) -> std::result::Result<T, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("'{}' cannot be opened: {e}", path.display()))?;
    let shared = SharedFile::new(file).map_err(|e| format!("'{}' cannot be read: {e}", path.display()))?;
    let mut archive = ZipArchive::new(shared).map_err(|e| format!("the ZIP central directory of '{}' cannot be read ({e})", path.display()))?;
    let member = find_report(&archive).ok_or_else(|| format!("'{}' has no report.xml at its root", path.display()))?;
    let (encrypted, compressed) = match archive.by_index_raw(member.index) {
        Ok(z) => (z.encrypted(), z.compressed_size()),
        Err(e) => return Err(format!("'{}' cannot be opened: {e}", member.name)),
    };
    if encrypted {
        return Err(format!("'{}' is encrypted (no password given)", member.name));
    }
    if let Some(why) = limits.and_then(|l| l.refuse(member.size, compressed, 0)) {
        return Err(format!("'{}' {why}", member.name));
    }
    let z = archive.by_index(member.index).map_err(|e| format!("'{}' cannot be opened: {e}", member.name))?;
    let mut reader = BufReader::with_capacity(256 * 1024, DeclaredSizeGuard { inner: z, left: member.size });
    Ok(f(&mut reader, &member))
}

/// Line and column (1-based, column in bytes) of byte `offset` of the report, for error messages.
pub(crate) fn line_col(path: &Path, offset: u64) -> Option<(u64, u64)> {
    with_report(path, None, |r, _| {
        let mut line = 1u64;
        let mut col = 1u64;
        let mut left = offset;
        let mut buf = vec![0u8; 64 * 1024];
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = match r.read(&mut buf[..want]) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            for &b in &buf[..n] {
                if b == b'\n' {
                    line += 1;
                    col = 1;
                } else {
                    col += 1;
                }
            }
            left -= n as u64;
        }
        (line, col)
    })
    .ok()
}

/// "at line L, column C (byte N)" of the report, or "at byte N" when the line cannot be found.
pub(crate) fn position_text(path: &Path, offset: u64) -> String {
    match line_col(path, offset) {
        Some((l, c)) => format!("at line {l}, column {c} (byte {offset})"),
        None => format!("at byte {offset}"),
    }
}

/// Local name of an element.
pub(crate) fn local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_string()
}

/// An attribute's value by local name; a malformed attribute list is an error.
pub(crate) fn attr(e: &BytesStart<'_>, name: &str) -> std::result::Result<Option<String>, String> {
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| format!("malformed attribute in <{}>: {err}", local(e)))?;
        if a.key.local_name().as_ref() == name {
            let v = a.normalized_value(XmlVersion::Implicit1_0).map_err(|err| format!("malformed attribute '{name}' in <{}>: {err}", local(e)))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

/// Append the character an entity or character reference stands for.
pub(crate) fn push_ref(r: &BytesRef<'_>, out: &mut String) {
    match r.resolve_char_ref() {
        Ok(Some(c)) => out.push(c),
        Ok(None) => match &**r {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            other => {
                out.push('&');
                out.push_str(other);
                out.push(';');
            }
        },
        Err(_) => out.push('\u{FFFD}'),
    }
}

/// Skip the rest of an element whose start was just read.
pub(crate) fn skip<R: BufRead>(reader: &mut Reader<R>, qname: &str, buf: &mut Vec<u8>) -> std::result::Result<(), quick_xml::Error> {
    reader.read_to_end_into(QName(qname), buf)?;
    buf.clear();
    Ok(())
}

/// Member path as a lookup key: `\` → `/`, no empty or `.` components, no leading `/`.
pub(crate) fn member_key(raw: &str) -> String {
    let s = raw.trim().replace('\\', "/");
    s.split('/').filter(|c| !c.is_empty() && *c != ".").collect::<Vec<_>>().join("/")
}

/// Virtual path of a member that no tagged file names: `/_ufdr/<member path>` (`..` resolved
/// lexically, never above `/_ufdr`).
pub(crate) fn member_virtual_path(raw: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in raw.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut p = String::from(UFDR_DIR);
    for c in parts {
        p.push('/');
        p.push_str(&c.replace('\0', "\u{FFFD}"));
    }
    p
}

/// Virtual path of a device path from the report (the walk and the parser agree on it).
pub(crate) fn device_virtual_path(device: &str) -> String {
    super::normalise(device).path
}

/// A time read from the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UfdrTime {
    /// An instant (the text carried a UTC offset or `Z`), µs since 1970 UTC.
    Utc(i64),
    /// A clock reading without any offset: µs since 1970 *as if* it were UTC; the zone is unknown.
    Floating(i64),
}

const OFFSET_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M:%S%.f %:z",
    "%d-%b-%y %I:%M:%S %p %:z",
    "%d-%b-%y %H:%M:%S %:z",
    "%d/%m/%Y %I:%M:%S %p %:z",
    "%d/%m/%Y %H:%M:%S%.f %:z",
];

const NAIVE_FORMATS: &[&str] =
    &["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%d/%m/%Y %H:%M:%S%.f", "%d/%m/%Y %I:%M:%S %p", "%d-%b-%y %H:%M:%S", "%d-%b-%y %I:%M:%S %p"];

fn parse_naive(s: &str) -> Option<chrono::NaiveDateTime> {
    NAIVE_FORMATS.iter().find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
}

/// `+2`, `-03:30`, `+0545`, `` (UTC itself) → offset.
fn parse_offset(s: &str) -> Option<chrono::FixedOffset> {
    let s = s.trim();
    if s.is_empty() {
        return chrono::FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => (rest.get(..2)?, rest.get(2..)?),
        None => (rest, "0"),
    };
    let secs = sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60);
    chrono::FixedOffset::east_opt(secs)
}

/// Parse a UFDR time: RFC 3339 (`2024-10-29T17:17:48.838+02:00`, `…Z`), the older
/// `dd-MMM-yy hh:mm:ss ±hh:mm` and `dd/MM/yyyy hh:mm:ss ±hh:mm` forms, a `(UTC+2)` suffix; a text
/// without any offset is a [`UfdrTime::Floating`] clock reading. `None` when unrecognised.
pub(crate) fn parse_time(s: &str) -> Option<UfdrTime> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(UfdrTime::Utc(t.timestamp_micros()));
    }
    if s.ends_with(')')
        && let Some(open) = s.rfind("(UTC")
    {
        let off = parse_offset(&s[open + 4..s.len() - 1])?;
        let naive = parse_naive(s[..open].trim())?;
        return naive.and_local_timezone(off).single().map(|t| UfdrTime::Utc(t.timestamp_micros()));
    }
    for f in OFFSET_FORMATS {
        if let Ok(t) = chrono::DateTime::parse_from_str(s, f) {
            return Some(UfdrTime::Utc(t.timestamp_micros()));
        }
    }
    if let Some(body) = s.strip_suffix('Z').or_else(|| s.strip_suffix(" UTC")) {
        return parse_naive(body.trim()).map(|n| UfdrTime::Utc(n.and_utc().timestamp_micros()));
    }
    parse_naive(s).map(|n| UfdrTime::Floating(n.and_utc().timestamp_micros()))
}

/// .NET's `DateTime.MinValue` (0001-01-01) and the Unix epoch itself mean "not set".
pub(crate) fn is_unset_us(us: i64) -> bool {
    us == 0 || us < -62_104_060_800_000_000
}

/// An instant for a file-system time: only times with an offset; sentinels dropped.
fn instant(s: &str) -> Option<i64> {
    match parse_time(s)? {
        UfdrTime::Utc(us) if !is_unset_us(us) => Some(us),
        _ => None,
    }
}

fn hex_of_len(s: &str, len: usize) -> Option<String> {
    let s = s.trim();
    (s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())).then(|| s.to_ascii_lowercase())
}

// ---------------------------------------------------------------------------------------------
// The tagged-file index.
// ---------------------------------------------------------------------------------------------

/// One `taggedFiles/file` of the report.
#[derive(Debug, Clone, Default)]
struct Tagged {
    id: Option<String>,
    device_path: Option<String>,
    local: Option<String>,
    deleted: Option<String>,
    size: Option<u64>,
    mtime: Option<i64>,
    atime: Option<i64>,
    ctime: Option<i64>,
    btime: Option<i64>,
    md5: Option<String>,
    sha256: Option<String>,
    bad_hash: Vec<String>,
}

/// What the report says about the files of the UFDR.
#[derive(Debug, Default)]
struct Index {
    tagged: Vec<Tagged>,
    /// Member key → first tagged file naming it.
    by_key: HashMap<String, usize>,
    /// Lower-case member key → first tagged file naming it (fallback).
    by_lower: HashMap<String, usize>,
    /// Files listed without a `Local Path` (known to the report, not exported into the UFDR).
    no_local: u64,
    /// Tagged files naming a member another tagged file already names: (earlier, later).
    shared: Vec<(usize, usize)>,
}

impl Index {
    fn lookup(&self, raw_member: &str) -> Option<usize> {
        let key = member_key(raw_member);
        self.by_key.get(&key).or_else(|| self.by_lower.get(&key.to_lowercase())).copied()
    }
}

enum ScanError {
    Xml { pos: u64, msg: String },
    NotAReport(String),
    Cancelled,
}

enum St {
    Project,
    Tagged,
    File,
    Access,
    Stamp { name: String, formatted: Option<String>, text: String },
    Meta { section: Option<String> },
    Item { name: String, text: String },
}

fn apply_stamp(t: &mut Tagged, name: &str, formatted: Option<&str>, text: &str) {
    let v = formatted.filter(|f| !f.trim().is_empty()).and_then(instant).or_else(|| instant(text));
    match name {
        "ModifyTime" | "ModifiedTime" | "LastModified" => t.mtime = t.mtime.or(v),
        "AccessTime" | "LastAccessTime" => t.atime = t.atime.or(v),
        "ChangeTime" | "ChangedTime" | "MetadataChangeTime" => t.ctime = t.ctime.or(v),
        "CreationTime" | "CreateTime" | "BirthTime" => t.btime = t.btime.or(v),
        _ => {}
    }
}

fn apply_item(t: &mut Tagged, section: Option<&str>, name: &str, value: &str) {
    let file_section = section.is_none_or(|s| s.eq_ignore_ascii_case("File"));
    if name.eq_ignore_ascii_case("Local Path") {
        if t.local.is_none() && !value.trim().is_empty() {
            t.local = Some(value.trim().to_string());
        }
    } else if file_section && name.eq_ignore_ascii_case("MD5") {
        match hex_of_len(value, 32) {
            Some(h) => t.md5 = Some(h),
            None if !value.trim().is_empty() => t.bad_hash.push(format!("MD5 '{}'", value.trim())),
            None => {}
        }
    } else if file_section && (name.eq_ignore_ascii_case("SHA256") || name.eq_ignore_ascii_case("SHA-256")) {
        match hex_of_len(value, 64) {
            Some(h) => t.sha256 = Some(h),
            None if !value.trim().is_empty() => t.bad_hash.push(format!("SHA-256 '{}'", value.trim())),
            None => {}
        }
    }
}

fn tagged_of(e: &BytesStart<'_>) -> std::result::Result<Tagged, String> {
    Ok(Tagged {
        id: attr(e, "id")?.filter(|s| !s.trim().is_empty()),
        device_path: attr(e, "path")?.filter(|s| !s.trim().is_empty()),
        deleted: attr(e, "deleted")?.filter(|s| !s.trim().is_empty()),
        size: attr(e, "size")?.and_then(|s| s.trim().parse().ok()),
        ..Tagged::default()
    })
}

impl Index {
    fn push(&mut self, t: Tagged) {
        let Some(local) = &t.local else {
            self.no_local += 1;
            return;
        };
        let key = member_key(local);
        let i = self.tagged.len();
        match self.by_key.get(&key) {
            Some(&j) => self.shared.push((j, i)),
            None => {
                self.by_lower.entry(key.to_lowercase()).or_insert(i);
                self.by_key.insert(key, i);
            }
        }
        self.tagged.push(t);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Top {
    None,
    Project,
    Tagged,
    File,
    Access,
    Meta,
    Text,
}

/// Read `taggedFiles` from the report, stopping at its end.
fn scan_tagged(r: &mut dyn BufRead, cancel: &CancelToken) -> std::result::Result<Index, ScanError> {
    let mut reader = Reader::from_reader(r);
    let mut buf = Vec::new();
    let mut skip_buf = Vec::new();
    let mut stack: Vec<St> = Vec::new();
    let mut cur: Option<Tagged> = None;
    let mut index = Index::default();
    let mut events: u64 = 0;
    let mut seen_root = false;
    loop {
        events += 1;
        if events.is_multiple_of(4096) && cancel.is_cancelled() {
            return Err(ScanError::Cancelled);
        }
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => return Err(ScanError::Xml { pos: reader.error_position(), msg: e.to_string() }),
        };
        let (e, empty) = match ev {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                match stack.pop() {
                    Some(St::Stamp { name, formatted, text }) => {
                        if let Some(t) = cur.as_mut() {
                            apply_stamp(t, &name, formatted.as_deref(), &text);
                        }
                    }
                    Some(St::Item { name, text }) => {
                        let section = match stack.last() {
                            Some(St::Meta { section }) => section.clone(),
                            _ => None,
                        };
                        if let Some(t) = cur.as_mut() {
                            apply_item(t, section.as_deref(), &name, &text);
                        }
                    }
                    Some(St::File) => {
                        if let Some(t) = cur.take() {
                            index.push(t);
                        }
                    }
                    Some(St::Tagged) | Some(St::Project) => return Ok(index),
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Event::Text(t) => {
                if let Some(St::Stamp { text, .. } | St::Item { text, .. }) = stack.last_mut() {
                    text.push_str(&t.xml10_content());
                }
                buf.clear();
                continue;
            }
            Event::CData(c) => {
                if let Some(St::Stamp { text, .. } | St::Item { text, .. }) = stack.last_mut() {
                    text.push_str(&c.xml10_content());
                }
                buf.clear();
                continue;
            }
            Event::GeneralRef(r) => {
                if let Some(St::Stamp { text, .. } | St::Item { text, .. }) = stack.last_mut() {
                    push_ref(&r, text);
                }
                buf.clear();
                continue;
            }
            Event::Eof => {
                if !seen_root {
                    return Err(ScanError::NotAReport("it holds no XML element".into()));
                }
                if stack.is_empty() {
                    return Ok(index);
                }
                return Err(ScanError::Xml { pos: reader.buffer_position(), msg: "the document ends before its open elements are closed (truncated?)".into() });
            }
            _ => {
                buf.clear();
                continue;
            }
        };
        let name = local(&e);
        let qname = e.name().as_ref().to_string();
        let bad = |msg: String, reader: &Reader<&mut dyn BufRead>| ScanError::Xml { pos: reader.buffer_position(), msg };
        let top = match stack.last() {
            None => Top::None,
            Some(St::Project) => Top::Project,
            Some(St::Tagged) => Top::Tagged,
            Some(St::File) => Top::File,
            Some(St::Access) => Top::Access,
            Some(St::Meta { .. }) => Top::Meta,
            Some(St::Stamp { .. } | St::Item { .. }) => Top::Text,
        };
        let mut skip_it = false;
        match (top, name.as_str()) {
            (Top::None, "project") => {
                seen_root = true;
                if empty {
                    return Ok(index);
                }
                stack.push(St::Project);
            }
            (Top::None, other) => return Err(ScanError::NotAReport(format!("its root element is <{other}>, not <project>"))),
            (Top::Project, "taggedFiles") => {
                if empty {
                    return Ok(index);
                }
                stack.push(St::Tagged);
            }
            (Top::Tagged, "file") => {
                let t = tagged_of(&e).map_err(|m| bad(m, &reader))?;
                if empty {
                    index.push(t);
                } else {
                    cur = Some(t);
                    stack.push(St::File);
                }
            }
            (Top::File, "accessInfo") if !empty => stack.push(St::Access),
            (Top::File, "metadata") if !empty => {
                let section = attr(&e, "section").map_err(|m| bad(m, &reader))?;
                stack.push(St::Meta { section });
            }
            (Top::Access, "timestamp") => {
                let n = attr(&e, "name").map_err(|m| bad(m, &reader))?.unwrap_or_default();
                let formatted = attr(&e, "formattedTimestamp").map_err(|m| bad(m, &reader))?;
                if empty {
                    if let Some(t) = cur.as_mut() {
                        apply_stamp(t, &n, formatted.as_deref(), "");
                    }
                } else {
                    stack.push(St::Stamp { name: n, formatted, text: String::new() });
                }
            }
            (Top::Meta, "item") => {
                let n = attr(&e, "name").map_err(|m| bad(m, &reader))?.unwrap_or_default();
                let value = attr(&e, "value").map_err(|m| bad(m, &reader))?.unwrap_or_default();
                if empty {
                    let section = match stack.last() {
                        Some(St::Meta { section }) => section.clone(),
                        _ => None,
                    };
                    if let Some(t) = cur.as_mut() {
                        apply_item(t, section.as_deref(), &n, &value);
                    }
                } else {
                    stack.push(St::Item { name: n, text: value });
                }
            }
            _ => skip_it = !empty,
        }
        buf.clear();
        if skip_it && let Err(e) = skip(&mut reader, &qname, &mut skip_buf) {
            return Err(ScanError::Xml { pos: reader.error_position(), msg: e.to_string() });
        }
    }
}

/// Flag for a file's deletion state (`None` for intact files).
fn deleted_flag(state: Option<&str>) -> Option<&'static str> {
    let s = state?.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("Intact") {
        None
    } else if s.eq_ignore_ascii_case("Deleted") {
        Some("deleted")
    } else if s.eq_ignore_ascii_case("Trash") {
        Some("trash")
    } else if s.eq_ignore_ascii_case("Unknown") {
        Some("deleted-state-unknown")
    } else {
        Some("deleted-state-other")
    }
}

/// Raw member names by ZIP index (as the ZIP walker names them), when the central directory reads.
pub(crate) fn member_names(path: &Path) -> Option<Vec<String>> {
    let f = std::fs::File::open(path).ok()?;
    let archive = ZipArchive::new(SharedFile::new(f).ok()?).ok()?;
    let raws: Vec<&[u8]> = archive.file_names_raw().collect();
    Some(
        (0..archive.len())
            .map(|i| match archive.name_for_index(i) {
                Some(Ok(n)) => n.into_owned(),
                _ => String::from_utf8_lossy(raws.get(i).copied().unwrap_or_default()).into_owned(),
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// The walk.
// ---------------------------------------------------------------------------------------------

/// Puts the ZIP walker's entries at their device paths before they reach the real sink.
struct UfdrSink<'a> {
    inner: &'a mut dyn EntrySink,
    index: Option<&'a Index>,
    names: &'a [String],
    report_name: &'a str,
}

impl UfdrSink<'_> {
    fn tagged_for(&self, raw: &str) -> Option<&Tagged> {
        let ix = self.index?;
        ix.lookup(raw).and_then(|i| ix.tagged.get(i))
    }

    fn virtual_path(&self, raw: &str, is_file: bool) -> String {
        match (is_file, self.tagged_for(raw).and_then(|t| t.device_path.as_deref())) {
            (true, Some(dp)) => device_virtual_path(dp),
            _ => member_virtual_path(raw),
        }
    }
}

impl EntrySink for UfdrSink<'_> {
    fn already_done(&self, seq: u64) -> bool {
        self.inner.already_done(seq)
    }

    fn totals(&mut self, entries: u64, bytes: u64) {
        self.inner.totals(entries, bytes);
    }

    fn position(&mut self, read: u64, size: u64) {
        self.inner.position(read, size);
    }

    fn issue(&mut self, mut issue: Issue) {
        match issue.seq.and_then(|s| usize::try_from(s).ok()).and_then(|s| self.names.get(s)) {
            Some(raw) => issue.path = Some(self.virtual_path(raw, true)),
            None => issue.path = issue.path.map(|p| format!("{UFDR_DIR}{p}")),
        }
        self.inner.issue(issue);
    }

    fn entry(&mut self, mut entry: Entry, content: Content<'_>) -> Result<()> {
        entry.flags.retain(|f| *f != "vendor-prefix");
        let tagged = if entry.kind == EntryKind::File { self.tagged_for(&entry.raw_path).cloned() } else { None };
        let Some(t) = tagged else {
            entry.path = member_virtual_path(&entry.raw_path);
            return self.inner.entry(entry, content);
        };
        if let Some(dp) = &t.device_path {
            let norm = super::normalise(dp);
            entry.path = norm.path;
            // Device paths are absolute by nature; the member's own name flags do not apply.
            entry.flags = norm.flags.into_iter().filter(|f| *f != "absolute-path").collect();
            // The device's times, never the ZIP's (those are the export's).
            entry.mtime = t.mtime;
            entry.atime = t.atime;
            entry.ctime = t.ctime;
            entry.btime = t.btime;
        } else {
            entry.path = member_virtual_path(&entry.raw_path);
        }
        if let Some(flag) = deleted_flag(t.deleted.as_deref()) {
            entry.flags.push(flag);
        }
        if t.md5.is_some() || t.sha256.is_some() {
            entry.stated = Some(StatedHashes { md5: t.md5.clone(), sha256: t.sha256.clone() });
        }
        if !t.bad_hash.is_empty() {
            self.inner.issue(Issue {
                seq: Some(entry.seq),
                path: Some(entry.path.clone()),
                severity: Severity::Warning,
                code: "bad-stated-hash",
                message: format!(
                    "'{}' ({}): {} states {} that is not a well-formed hash; not checked",
                    entry.raw_path,
                    entry.path,
                    self.report_name,
                    t.bad_hash.join(" and ")
                ),
            });
        }
        self.inner.entry(entry, content)
    }
}

pub(super) fn walk(path: &Path, limits: &Limits, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    let names = member_names(path).unwrap_or_default();
    let mut report_name = String::from("report.xml");
    let mut problem: Option<String> = None;
    let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        with_report(path, Some(limits), |r, m| {
            report_name = m.name.clone();
            scan_tagged(r, cancel)
        })
    }))
    .unwrap_or_else(|_| Err("the report reader panicked".to_string()));
    let index = match scanned {
        Ok(Ok(ix)) => Some(ix),
        Ok(Err(ScanError::Cancelled)) => return Err(Error::Cancelled),
        Ok(Err(ScanError::Xml { pos, msg })) => {
            problem = Some(format!("malformed XML {}: {msg}", position_text(path, pos)));
            None
        }
        Ok(Err(ScanError::NotAReport(why))) => {
            problem = Some(format!("not a Cellebrite report: {why}"));
            None
        }
        Err(why) => {
            problem = Some(why);
            None
        }
    };
    if let Some(why) = &problem {
        sink.issue(Issue {
            seq: None,
            path: Some(format!("{UFDR_DIR}/{report_name}")),
            severity: Severity::Error,
            code: "ufdr-report",
            message: format!(
                "the UFDR's '{report_name}' could not be read: {why}; its members are walked as a plain ZIP under {UFDR_DIR}/, \
                 without device paths nor the hashes the report states"
            ),
        });
    }
    if let Some(ix) = &index {
        if ix.no_local > 0 {
            sink.issue(Issue {
                seq: None,
                path: None,
                severity: Severity::Info,
                code: "ufdr-not-exported",
                message: format!("{} files listed in '{report_name}' have no Local Path: known to the report, not exported into the UFDR", ix.no_local),
            });
        }
        for (first, later) in &ix.shared {
            let (Some(a), Some(b)) = (ix.tagged.get(*first), ix.tagged.get(*later)) else { continue };
            sink.issue(Issue {
                seq: None,
                path: b.device_path.as_deref().map(device_virtual_path),
                severity: Severity::Info,
                code: "ufdr-shared-member",
                message: format!(
                    "'{}' (file id {}) names the member '{}' that '{}' (file id {}) already names; the member is listed once, at the first path",
                    b.device_path.as_deref().unwrap_or("?"),
                    b.id.as_deref().unwrap_or("?"),
                    b.local.as_deref().unwrap_or(""),
                    a.device_path.as_deref().unwrap_or("?"),
                    a.id.as_deref().unwrap_or("?"),
                ),
            });
        }
    }
    let mut out = {
        let mut wrapper = UfdrSink { inner: &mut *sink, index: index.as_ref(), names: &names, report_name: &report_name };
        super::zip::walk(path, limits, &mut wrapper, cancel)?
    };
    if let Some(ix) = &index {
        if out.damaged.is_none() {
            let present: HashSet<String> = names.iter().map(|n| member_key(n)).collect();
            let present_lower: HashSet<String> = present.iter().map(|k| k.to_lowercase()).collect();
            let later: HashSet<usize> = ix.shared.iter().map(|(_, b)| *b).collect();
            let mut seq = names.len() as u64;
            for (i, t) in ix.tagged.iter().enumerate() {
                if cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                let Some(local) = t.local.as_deref() else { continue };
                let key = member_key(local);
                if later.contains(&i) || present.contains(&key) || present_lower.contains(&key.to_lowercase()) {
                    continue;
                }
                let this = seq;
                seq += 1;
                out.entries += 1;
                if sink.already_done(this) {
                    continue;
                }
                let vpath = t.device_path.as_deref().map(device_virtual_path).unwrap_or_else(|| member_virtual_path(&key));
                let msg = format!(
                    "'{}' (file id {}) is listed in '{report_name}' with Local Path '{local}', but the UFDR holds no such member",
                    t.device_path.as_deref().unwrap_or(&key),
                    t.id.as_deref().unwrap_or("?"),
                );
                sink.issue(Issue { seq: Some(this), path: Some(vpath.clone()), severity: Severity::Warning, code: "missing-member", message: msg.clone() });
                let mut flags = Vec::new();
                if let Some(f) = deleted_flag(t.deleted.as_deref()) {
                    flags.push(f);
                }
                let entry = Entry {
                    seq: this,
                    raw_path: key,
                    path: vpath,
                    kind: EntryKind::File,
                    size: t.size.unwrap_or(0),
                    compressed_size: None,
                    mtime: t.mtime,
                    atime: t.atime,
                    ctime: t.ctime,
                    btime: t.btime,
                    link_target: None,
                    flags,
                    stated: None,
                };
                sink.entry(entry, Content::None(Some(msg)))?;
            }
        } else {
            sink.issue(Issue {
                seq: None,
                path: None,
                severity: Severity::Warning,
                code: "missing-member",
                message: format!("the ZIP is damaged: the {} files '{report_name}' lists were not checked for missing members", ix.tagged.len()),
            });
        }
    }
    if let Some(why) = problem {
        let why = format!("the UFDR's '{report_name}' could not be read ({why}): members walked as a plain ZIP under {UFDR_DIR}/");
        out.damaged = Some(match out.damaged.take() {
            Some(d) => format!("{d}; {why}"),
            None => why,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_and_without_offsets() {
        let t = 1_730_222_268_000_000; // 2024-10-29T17:17:48Z
        assert_eq!(parse_time("2024-10-29T17:17:48+00:00"), Some(UfdrTime::Utc(t)));
        assert_eq!(parse_time("2024-10-29T19:17:48.838+02:00"), Some(UfdrTime::Utc(t + 838_000)));
        assert_eq!(parse_time("2024-10-29T17:17:48Z"), Some(UfdrTime::Utc(t)));
        assert_eq!(parse_time("2024-10-29T12:17:48-0500"), Some(UfdrTime::Utc(t)));
        assert_eq!(parse_time("29-Oct-24 07:17:48 PM +02:00"), Some(UfdrTime::Utc(t)));
        assert_eq!(parse_time("29/10/2024 19:17:48 +02:00"), Some(UfdrTime::Utc(t)));
        assert_eq!(parse_time("29/10/2024 19:17:48(UTC+2)"), Some(UfdrTime::Utc(t)));
        assert_eq!(parse_time("29/10/2024 17:17:48(UTC)"), Some(UfdrTime::Utc(t)));
        assert_eq!(parse_time("29/10/2024 19:47:48(UTC+0230)"), Some(UfdrTime::Utc(t)));
        assert_eq!(parse_time("29/10/2024 19:47:48(UTC+1é1)"), None);
        assert_eq!(parse_time("2024-10-29T17:17:48.838"), Some(UfdrTime::Floating(t + 838_000)));
        assert_eq!(parse_time(""), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2024-13-45T99:00:00+00:00"), None);
        assert!(matches!(parse_time("0001-01-01T00:00:00+00:00"), Some(UfdrTime::Utc(us)) if is_unset_us(us)));
    }

    #[test]
    fn member_keys_and_paths() {
        assert_eq!(member_key(r"files\Image\x.jpg"), "files/Image/x.jpg");
        assert_eq!(member_key(" /files//Image/./x.jpg "), "files/Image/x.jpg");
        assert_eq!(member_virtual_path("report.xml"), "/_ufdr/report.xml");
        assert_eq!(member_virtual_path("chats/../../x"), "/_ufdr/x");
        assert_eq!(member_virtual_path("Dump/data/x"), "/_ufdr/Dump/data/x");
        assert_eq!(device_virtual_path("/private/var/mobile/Library/SMS/sms.db"), "/private/var/mobile/Library/SMS/sms.db");
    }

    fn scan(xml: &str) -> std::result::Result<Index, ScanError> {
        let mut r: &[u8] = xml.as_bytes();
        scan_tagged(&mut r, &CancelToken::new())
    }

    #[test]
    fn tagged_files_are_read_and_reading_stops_after_them() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<project xmlns="http://pa.cellebrite.com/report/2.0" name="x">
  <sourceExtractions><extractionInfo id="0" name="Logical" /></sourceExtractions>
  <taggedFiles>
    <file fs="FS" path="/private/var/mobile/a&amp;b.db" size="3" id="F1" deleted="Deleted">
      <accessInfo><timestamp name="ModifyTime" formattedTimestamp="2024-10-29T19:17:48+02:00">2024-10-29T17:17:48</timestamp></accessInfo>
      <metadata section="File">
        <item name="Local Path"><![CDATA[files\Database\a.db]]></item>
        <item name="MD5"><![CDATA[0123456789ABCDEF0123456789abcdef]]></item>
        <item name="SHA256">not-a-hash</item>
      </metadata>
    </file>
    <file fs="FS" path="/x/not-exported" id="F2" />
  </taggedFiles>
  <decodedData><modelType type="Chat"><model type="Chat"><broken></model></modelType></decodedData>
</project>"#;
        let ix = scan(xml).unwrap_or_else(|_| panic!("scan failed"));
        assert_eq!(ix.tagged.len(), 1);
        assert_eq!(ix.no_local, 1);
        let t = &ix.tagged[0];
        assert_eq!(t.device_path.as_deref(), Some("/private/var/mobile/a&b.db"));
        assert_eq!(t.md5.as_deref(), Some("0123456789abcdef0123456789abcdef"));
        assert_eq!(t.sha256, None);
        assert_eq!(t.bad_hash.len(), 1);
        assert_eq!(t.mtime, Some(1_730_222_268_000_000));
        assert_eq!(t.deleted.as_deref(), Some("Deleted"));
        assert_eq!(ix.lookup("files/Database/a.db"), Some(0));
        assert_eq!(ix.lookup("FILES/database/A.db"), Some(0));
    }

    #[test]
    fn damaged_copies_never_panic() {
        let xml = r#"<project><taggedFiles><file path="/p/a&amp;b" id="1" deleted="Deleted"><accessInfo><timestamp name="ModifyTime" formattedTimestamp="2024-10-29T19:17:48+02:00" /><timestamp name="CreationTime">29/10/2024 17:17:48(UTC+2)</timestamp></accessInfo><metadata section="File"><item name="Local Path" value="files\a" /><item name="MD5">00112233445566778899aabbccddeeff</item></metadata></file></taggedFiles></project>"#;
        let bytes = xml.as_bytes();
        assert_eq!(scan(xml).map(|ix| ix.tagged.len()).unwrap_or(0), 1);
        for cut in 0..bytes.len() {
            let mut r: &[u8] = &bytes[..cut];
            let _ = scan_tagged(&mut r, &CancelToken::new());
        }
        let mut seed: u64 = 42;
        for _ in 0..3000 {
            let mut b = bytes.to_vec();
            for _ in 0..3 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let at = (seed >> 33) as usize % b.len();
                b[at] = [b'<', b'>', b'/', b'&', b'"', 0xC3, b'(', b')'][(seed >> 20) as usize % 8];
            }
            let mut r: &[u8] = &b;
            let _ = scan_tagged(&mut r, &CancelToken::new());
        }
        for s in ["(UTC", "x(UTC+é)", "(UTC+99:99)", "01/01/0000 00:00:00(UTC-1)", "9999-12-31T23:59:59+14:00", "-"] {
            let _ = parse_time(s);
        }
    }

    #[test]
    fn damage_is_reported_with_a_position() {
        match scan("<project><taggedFiles><file path='/a' id='1'><metadata section='File'></file></taggedFiles></project>") {
            Err(ScanError::Xml { pos, msg }) => assert!(pos > 0 && !msg.is_empty(), "{pos} {msg}"),
            _ => panic!("expected an XML error"),
        }
        match scan("<project><taggedFiles><file path='/a' id='1'>") {
            Err(ScanError::Xml { msg, .. }) => assert!(msg.contains("truncated"), "{msg}"),
            _ => panic!("expected a truncation error"),
        }
        assert!(matches!(scan("<html></html>"), Err(ScanError::NotAReport(_))));
        assert!(matches!(scan(""), Err(ScanError::NotAReport(_))));
    }
}
