//! Hash sets: import known-file lists into the case, match the case's files against them, export
//! categorised media as VICS JSON.
//!
//! - [`import`] reads a VICS JSON file ([`vics`], 1.x and 2.0 shapes, every record kept verbatim),
//!   a CSV hash list ([`csv`]) or an NSRL RDSv3 SQLite database ([`nsrl`]) as a stream, inside one
//!   transaction: a file that turns out malformed half-way leaves no set behind. Each set gets a
//!   `hash_sets` row (name, kind, format, the file's SHA-256, item count) and an audit row.
//! - [`matching`] records hits of the case's files (MD5, SHA-1, SHA-256 and PDQ within a distance)
//!   with their set and category. Empty files never match; PhotoDNA values are counted, never
//!   matched.
//! - [`export`] writes VICS JSON: an imported set back out (lossless for VICS), or the case's
//!   categorised media (from hits and from examiner tags `vics:N` / `category:N`).

pub mod csv;
pub mod export;
pub mod matching;
pub mod nsrl;
pub mod vics;

use std::io::Read;
use std::path::Path;

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::case::{Case, audit, now_rfc3339};
use crate::error::{Error, Result, SqlContext};

/// MD5 of zero bytes: never matched.
pub const EMPTY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";
/// SHA-1 of zero bytes: never matched.
pub const EMPTY_SHA1: &str = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
/// SHA-256 of zero bytes: never matched.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Above this size a set is imported with the hash indexes dropped and rebuilt (NSRL always).
const BULK_BYTES: u64 = 64 << 20;

/// What a set says about the files it lists.
pub const KINDS: &[&str] = &["known-good", "known-bad", "notable", "categorised"];

/// The file formats [`import`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Project VIC VICS JSON (1.x `odata.metadata` or 2.0 `@odata.context`).
    Vics,
    /// A CSV (or TSV) list with md5/sha1/sha256/pdq columns named in a header line.
    Csv,
    /// NIST NSRL RDSv3 (SQLite).
    Nsrl,
}

impl Format {
    /// Parse `vics`, `csv` or `nsrl`.
    pub fn parse(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vics" | "json" => Ok(Format::Vics),
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "nsrl" | "rds" | "sqlite" => Ok(Format::Nsrl),
            other => Err(Error::InvalidArgument(format!("unknown hash set format '{other}'; expected vics, csv or nsrl"))),
        }
    }

    /// The name stored in `hash_sets.format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Vics => "vics",
            Format::Csv => "csv",
            Format::Nsrl => "nsrl",
        }
    }

    /// Kind of a set of this format when the examiner does not say.
    fn default_kind(self) -> &'static str {
        match self {
            Format::Vics => "categorised",
            Format::Csv => "notable",
            Format::Nsrl => "known-good",
        }
    }
}

/// Options of [`import`].
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Set name (default: the file name without extension).
    pub name: Option<String>,
    /// One of [`KINDS`] (default: `categorised` for VICS, `notable` for CSV, `known-good` for NSRL).
    pub kind: Option<String>,
    /// Format (default: sniffed from the content).
    pub format: Option<Format>,
}

/// One imported set, as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SetInfo {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// One of [`KINDS`].
    pub kind: String,
    /// `vics`, `csv` or `nsrl`.
    pub format: String,
    /// VICS data model version (`1.3`, `2.0`), NSRL release, when known.
    pub format_version: Option<String>,
    /// Path the set was imported from.
    pub source_path: String,
    /// SHA-256 of the imported file.
    pub file_sha256: String,
    /// Its size in bytes.
    pub file_size: i64,
    /// Items (records, rows) imported.
    pub item_count: i64,
    /// PhotoDNA values among them: stored and counted, never matched.
    pub photodna_count: i64,
    /// When (UTC, RFC 3339).
    pub imported_utc: String,
    /// By whom.
    pub imported_by: String,
    /// Hits recorded by the last `match`.
    pub hit_count: i64,
}

/// One item of a set, as the readers hand it over. Hex hashes are lower-case and checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Item {
    /// VICS: index of the Case in `value[]` (Case shape); `None` otherwise.
    pub grp: Option<i64>,
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    pub pdq: Option<String>,
    pub photodna: Option<String>,
    pub category: Option<String>,
    pub name: Option<String>,
    /// VICS: the record verbatim (JSON text).
    pub raw: Option<String>,
}

impl Item {
    fn has_any_hash(&self) -> bool {
        self.md5.is_some() || self.sha1.is_some() || self.sha256.is_some() || self.pdq.is_some() || self.photodna.is_some()
    }
}

/// Inserts the items of one set inside the import transaction, counting them.
pub(crate) struct ItemWriter<'t> {
    stmt: rusqlite::Statement<'t>,
    set_id: i64,
    seq: i64,
    photodna: i64,
    skipped: i64,
}

impl<'t> ItemWriter<'t> {
    fn new(tx: &'t Transaction<'_>, set_id: i64) -> Result<Self> {
        let stmt = tx
            .prepare(
                "INSERT INTO known_hashes (set_id, seq, grp, md5, sha1, sha256, pdq, photodna, category, name, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .ctx("preparing the hash set import")?;
        Ok(ItemWriter { stmt, set_id, seq: 0, photodna: 0, skipped: 0 })
    }

    /// Store one item. Items without any hash are counted as skipped, except VICS records (kept
    /// for the round trip).
    pub(crate) fn push(&mut self, item: Item) -> Result<()> {
        if !item.has_any_hash() && item.raw.is_none() {
            self.skipped += 1;
            return Ok(());
        }
        self.seq += 1;
        if item.photodna.is_some() {
            self.photodna += 1;
        }
        self.stmt
            .execute(params![
                self.set_id,
                self.seq,
                item.grp,
                item.md5,
                item.sha1,
                item.sha256,
                item.pdq,
                item.photodna,
                item.category,
                item.name,
                item.raw
            ])
            .ctx("storing a hash set item")?;
        Ok(())
    }
}

/// Lower-case `v` and check it is `len` hex digits. Empty → `Ok(None)`.
pub(crate) fn norm_hex(v: &str, len: usize) -> std::result::Result<Option<String>, String> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.len() == len && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(Some(t.to_ascii_lowercase()))
    } else {
        Err(format!("'{}' is not {len} hexadecimal digits", shorten(t)))
    }
}

/// At most 80 characters of `s`, for error messages.
pub(crate) fn shorten(s: &str) -> String {
    if s.chars().count() <= 80 { s.to_string() } else { format!("{}…", s.chars().take(80).collect::<String>()) }
}

/// A reader that hashes what passes through it (so a set file is read once).
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        HashingReader { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// Read the rest (so the digest covers the whole file), then return (hex SHA-256, size).
    pub(crate) fn finish(mut self) -> std::io::Result<(String, u64)> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok((hex::encode(self.hasher.finalize()), self.bytes))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Guess the format from the first bytes: SQLite header → NSRL, `{` (after a BOM and blanks) →
/// VICS, anything else → CSV.
fn sniff(path: &Path) -> Result<Format> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io("opening the hash set", path, e))?;
    let mut head = [0u8; 512];
    let mut n = 0;
    while n < head.len() {
        let k = f.read(&mut head[n..]).map_err(|e| Error::io("reading the hash set", path, e))?;
        if k == 0 {
            break;
        }
        n += k;
    }
    let head = &head[..n];
    if head.starts_with(b"SQLite format 3\0") {
        return Ok(Format::Nsrl);
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(head);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => Ok(Format::Vics),
        _ => Ok(Format::Csv),
    }
}

/// What one reader found, besides the items.
#[derive(Debug, Default)]
pub(crate) struct ReadOutcome {
    pub file_sha256: String,
    pub file_size: u64,
    pub format_version: Option<String>,
    /// VICS: the envelope (everything but the media records), JSON text.
    pub envelope: Option<String>,
}

/// Import a hash set file into the case, all or nothing.
pub fn import(case: &mut Case, path: &Path, opts: &ImportOptions) -> Result<SetInfo> {
    if !path.is_file() {
        return Err(Error::InvalidArgument(format!("hash set file '{}' does not exist or is not a file", path.display())));
    }
    let format = match opts.format {
        Some(f) => f,
        None => sniff(path)?,
    };
    let kind = opts.kind.clone().unwrap_or_else(|| format.default_kind().to_string());
    if !KINDS.contains(&kind.as_str()) {
        return Err(Error::InvalidArgument(format!("unknown hash set kind '{kind}'; expected one of {}", KINDS.join(", "))));
    }
    let name = opts
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "hash set".into()));
    let source_path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()).to_string_lossy().into_owned();
    // A large set goes in faster without the hash indexes, rebuilt by one sort afterwards (inside
    // the same transaction: a failed import rolls them back too), with the sort spilling to disk.
    let file_size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bulk = format == Format::Nsrl || file_size > BULK_BYTES;
    if bulk {
        case.conn().execute_batch("PRAGMA temp_store = FILE").ctx("preparing a bulk import")?;
    }
    // An RDS database is read by SQLite, not streamed through a hasher: hash it first, so a second
    // import of the same (large) file is refused before the long part.
    let digest = if format == Format::Nsrl {
        let f = std::fs::File::open(path).map_err(|e| Error::io("opening the hash set", path, e))?;
        let d = HashingReader::new(f).finish().map_err(|e| Error::io("reading the hash set", path, e))?;
        refuse_reimport(case.conn(), path, &d.0, None)?;
        Some(d)
    } else {
        None
    };
    let result = import_in_tx(case, path, format, &kind, &name, &source_path, bulk, digest);
    if bulk {
        case.conn().execute_batch("PRAGMA temp_store = MEMORY").ctx("finishing a bulk import")?;
    }
    let set_id = result?;
    list(case)?
        .into_iter()
        .find(|s| s.id == set_id)
        .ok_or_else(|| Error::Internal(format!("hash set {set_id} vanished after its import")))
}

/// Refuse a file imported before (same SHA-256), other than as `except`.
fn refuse_reimport(conn: &rusqlite::Connection, path: &Path, sha256: &str, except: Option<i64>) -> Result<()> {
    let earlier: Option<(i64, String)> = conn
        .query_row("SELECT id, name FROM hash_sets WHERE file_sha256 = ?1 AND id IS NOT ?2", params![sha256, except], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .ctx("looking for an earlier import of the same file")?;
    match earlier {
        Some((id, n)) => Err(Error::InvalidArgument(format!(
            "'{}' (SHA-256 {sha256}) was already imported as hash set {id} '{n}'; see `threadline hashset list`",
            path.display()
        ))),
        None => Ok(()),
    }
}

/// The import proper, in one transaction; returns the new set's id.
#[allow(clippy::too_many_arguments)]
fn import_in_tx(
    case: &mut Case,
    path: &Path,
    format: Format,
    kind: &str,
    name: &str,
    source_path: &str,
    bulk: bool,
    digest: Option<(String, u64)>,
) -> Result<i64> {
    let actor = case.actor();
    let started = now_rfc3339();
    let tx = case.conn_mut().transaction().ctx("starting the hash set import")?;
    tx.execute(
        "INSERT INTO hash_sets (name, kind, format, source_path, file_sha256, file_size, imported_utc, imported_by) VALUES (?1, ?2, ?3, ?4, '', 0, ?5, ?6)",
        params![name.trim(), kind, format.as_str(), source_path, started, actor],
    )
    .ctx("recording the hash set")?;
    let set_id = tx.last_insert_rowid();
    if bulk {
        tx.execute_batch("DROP INDEX known_hashes_md5; DROP INDEX known_hashes_sha1; DROP INDEX known_hashes_sha256;").ctx("preparing a bulk import")?;
    }
    let (outcome, count, photodna, skipped) = {
        let mut writer = ItemWriter::new(&tx, set_id)?;
        let outcome = match format {
            Format::Vics => vics::read(path, &mut writer)?,
            Format::Csv => csv::read(path, &mut writer)?,
            Format::Nsrl => nsrl::read(path, &mut writer, digest)?,
        };
        (outcome, writer.seq, writer.photodna, writer.skipped)
    };
    if bulk {
        tx.execute_batch(
            "CREATE INDEX known_hashes_md5 ON known_hashes(md5);
             CREATE INDEX known_hashes_sha1 ON known_hashes(sha1);
             CREATE INDEX known_hashes_sha256 ON known_hashes(sha256);",
        )
        .ctx("indexing the imported hashes")?;
    }
    refuse_reimport(&tx, path, &outcome.file_sha256, Some(set_id))?;
    tx.execute(
        "UPDATE hash_sets SET file_sha256 = ?1, file_size = ?2, format_version = ?3, envelope = ?4, item_count = ?5, photodna_count = ?6 WHERE id = ?7",
        params![outcome.file_sha256, outcome.file_size as i64, outcome.format_version, outcome.envelope, count, photodna, set_id],
    )
    .ctx("recording the hash set")?;
    let message = format!(
        "{count} items from '{}' ({}{}){}{}",
        path.display(),
        format.as_str(),
        outcome.format_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default(),
        if photodna > 0 { format!("; {photodna} PhotoDNA values stored, never matched") } else { String::new() },
        if skipped > 0 { format!("; {skipped} rows without any hash skipped") } else { String::new() },
    );
    tx.execute(
        "INSERT INTO runs (kind, name, version, started_utc, finished_utc, status, item_count, message) VALUES ('hashset', 'hashset-import', ?1, ?2, ?3, 'ok', ?4, ?5)",
        params![crate::case::TOOL_VERSION, started, now_rfc3339(), count, message],
    )
    .ctx("recording the import run")?;
    audit::append(
        &tx,
        &actor,
        "hashset.import",
        &serde_json::json!({"set_id": set_id, "name": name.trim(), "kind": kind, "format": format.as_str(),
                            "format_version": outcome.format_version, "path": source_path, "sha256": outcome.file_sha256,
                            "size": outcome.file_size, "items": count, "photodna": photodna, "skipped": skipped}),
    )?;
    tx.commit().ctx("committing the hash set import")?;
    Ok(set_id)
}

/// Every imported set, oldest first, with its hit count.
pub fn list(case: &Case) -> Result<Vec<SetInfo>> {
    let mut stmt = case
        .conn()
        .prepare(
            "SELECT s.id, s.name, s.kind, s.format, s.format_version, s.source_path, s.file_sha256, s.file_size, s.item_count,
                    s.photodna_count, s.imported_utc, s.imported_by,
                    (SELECT count(DISTINCT h.file_id) FROM hash_hits h WHERE h.set_id = s.id)
             FROM hash_sets s ORDER BY s.id",
        )
        .ctx("listing hash sets")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(SetInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
                format: r.get(3)?,
                format_version: r.get(4)?,
                source_path: r.get(5)?,
                file_sha256: r.get(6)?,
                file_size: r.get(7)?,
                item_count: r.get(8)?,
                photodna_count: r.get(9)?,
                imported_utc: r.get(10)?,
                imported_by: r.get(11)?,
                hit_count: r.get(12)?,
            })
        })
        .ctx("listing hash sets")?;
    rows.collect::<std::result::Result<Vec<_>, _>>().ctx("listing hash sets")
}

/// The [`Error::BadInput`] for `path`.
pub(crate) fn bad(path: &Path, expected: &str, reason: impl Into<String>) -> Error {
    Error::BadInput { path: path.to_path_buf(), expected: expected.to_string(), reason: reason.into() }
}
