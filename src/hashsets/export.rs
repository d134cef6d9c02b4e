//! VICS JSON export: an imported set back out, or the case's categorised media.
//!
//! - [`export_set`]: a VICS set is written back from its envelope and its records verbatim, in
//!   their order, so an unchanged import round-trips (same JSON values; key order and number
//!   spelling may differ). A CSV or NSRL set is written as a VICS 2.0 hash set (`…#Media`).
//! - [`export_case`]: one Case whose `Media[]` has one record per distinct MD5 among the case's
//!   categorised files. A file is categorised by an examiner tag `vics:N` or `category:N` on the
//!   file (the latest tag wins), else by the categories of the set items it hit (numeric ones;
//!   the most severe wins: 1, 2, 3, 4 … before 0). A record describes the case's file: `MediaID`,
//!   `Category`, `MD5`, `SHA1`, `MediaSize`, `MediaFiles` (the case's copies) and the
//!   `AlternativeHashes` `SHA256` (always, when the file was hashed) and `PDQ` (the file's own,
//!   from the image pass, when it has one) are Threadline's; a set's MD5, SHA-1, SHA-256 or PDQ
//!   is never written as the case file's.
//!
//!   Which set metadata is carried over: only from a VICS record the file hit *exactly* (by MD5,
//!   SHA-1 or SHA-256: the same bytes, so the record describes this very file). That record is
//!   the starting point, so fields Threadline does not know (series, flags, PhotoDNA, unknown
//!   keys, other-named `AlternativeHashes` entries) are kept. A PDQ hit, even at distance 0, is
//!   a *near* match: the record describes a different file, so nothing of it is copied; the file
//!   gets only its own values and the hit's category.
//!
//! Files are written beside the target and renamed into place; an existing file is never
//! overwritten. Each export is audited with the SHA-256 of what was written.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::vics::{Envelope, get_ci};
use crate::case::{Case, TOOL_VERSION};
use crate::error::{Error, Result, SqlContext};

/// Context URL of a VICS 1.3 case export.
pub const CONTEXT_V1: &str = "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases";
/// Context URL of a VICS 2.0 (US) case export.
pub const CONTEXT_V2: &str = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases";
/// Context URL of a VICS 2.0 hash set.
pub const CONTEXT_V2_MEDIA: &str = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media";

/// Which VICS envelope to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum VicsVersion {
    /// `odata.metadata` … 1.3.
    V1,
    /// `@odata.context` … 2.0.
    V2,
}

impl VicsVersion {
    /// Parse `1`, `1.3`, `2`, `2.0`.
    pub fn parse(s: &str) -> Result<VicsVersion> {
        match s.trim() {
            "1" | "1.3" | "1.x" => Ok(VicsVersion::V1),
            "2" | "2.0" => Ok(VicsVersion::V2),
            other => Err(Error::InvalidArgument(format!("unknown VICS version '{other}'; expected 1 (1.3) or 2 (2.0)"))),
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    /// Output file.
    pub out: String,
    /// Media records written.
    pub media: i64,
    /// Case files behind them (copies), for a case export.
    pub files: i64,
    /// SHA-256 of the output.
    pub sha256: String,
}

/// Writes to `<out>.partial`, hashing, then renames into place.
struct Output {
    tmp: PathBuf,
    out: PathBuf,
    w: std::io::BufWriter<std::fs::File>,
    hasher: Sha256,
}

impl Output {
    fn create(out: &Path) -> Result<Output> {
        if out.exists() {
            return Err(Error::InvalidArgument(format!("'{}' already exists; choose another output file", out.display())));
        }
        let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".partial");
        let tmp = out.with_file_name(name);
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io("creating", &tmp, e))?;
        Ok(Output { tmp, out: out.to_path_buf(), w: std::io::BufWriter::new(f), hasher: Sha256::new() })
    }

    fn put(&mut self, s: &str) -> Result<()> {
        self.hasher.update(s.as_bytes());
        self.w.write_all(s.as_bytes()).map_err(|e| Error::io("writing", &self.tmp, e))
    }

    fn value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        let s = serde_json::to_string(v).map_err(|e| Error::Internal(format!("serialising VICS JSON: {e}")))?;
        self.put(&s)
    }

    fn finish(self) -> Result<String> {
        let Output { tmp, out, w, hasher } = self;
        let f = w.into_inner().map_err(|e| Error::io("writing", &tmp, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io("writing", &tmp, e))?;
        drop(f);
        std::fs::rename(&tmp, &out).map_err(|e| Error::io("renaming into place", &out, e))?;
        Ok(hex::encode(hasher.finalize()))
    }
}

fn absolute(p: &Path) -> String {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).to_string_lossy().into_owned()
}

/// Write the keys of `map` (after a `{`), comma-separated; returns whether any was written.
fn put_fields(o: &mut Output, map: &Map<String, Value>, first_keys: &[&str]) -> Result<bool> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| first_keys.iter().position(|f| f == k).unwrap_or(first_keys.len()));
    let mut any = false;
    for k in keys {
        if any {
            o.put(",")?;
        }
        o.value(k)?;
        o.put(":")?;
        o.value(&map[k])?;
        any = true;
    }
    Ok(any)
}

/// Export an imported set as VICS JSON.
pub fn export_set(case: &mut Case, set_id: i64, out: &Path) -> Result<ExportSummary> {
    let found: Option<(String, Option<String>)> = case
        .conn()
        .query_row("SELECT format, envelope FROM hash_sets WHERE id = ?1", [set_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .ctx("reading the hash set")?;
    let Some((format, envelope)) = found else {
        return Err(Error::InvalidArgument(format!("no hash set {set_id}; see `threadline hashset list`")));
    };
    let mut o = Output::create(out)?;
    let mut media = 0i64;
    let result = (|| -> Result<()> {
        let mut stmt = case
            .conn()
            .prepare("SELECT grp, raw, md5, sha1, sha256, pdq, photodna, category, seq, name FROM known_hashes WHERE set_id = ?1 ORDER BY seq")
            .ctx("reading the hash set")?;
        let mut rows = stmt
            .query_map([set_id], |r| -> rusqlite::Result<Row> {
                Ok((r.get(0)?, r.get(1)?, [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?], r.get(8)?, r.get(9)?))
            })
            .ctx("reading the hash set")?
            .peekable();
        let mut next_record = |o: &mut Output, row: Option<rusqlite::Result<Row>>, first: bool| -> Result<()> {
            let Some(row) = row else { return Ok(()) };
            let row = row.ctx("reading the hash set")?;
            if !first {
                o.put(",")?;
            }
            media += 1;
            match row.1 {
                Some(raw) => o.put(&raw),
                None => o.value(&record_of(&row.2, row.3, row.4.as_deref())),
            }
        };
        if format == "vics" {
            let env: Envelope = serde_json::from_str(envelope.as_deref().unwrap_or("{}")).map_err(|e| Error::Internal(format!("reading a VICS envelope: {e}")))?;
            o.put("{")?;
            if put_fields(&mut o, &env.top, &["odata.metadata", "@odata.context"])? {
                o.put(",")?;
            }
            o.put("\"value\":[")?;
            if env.shape == "media" {
                let mut first = true;
                while rows.peek().is_some() {
                    next_record(&mut o, rows.next(), first)?;
                    first = false;
                }
            } else {
                for (i, (grp, fields)) in env.cases.iter().enumerate() {
                    if i > 0 {
                        o.put(",")?;
                    }
                    o.put("{")?;
                    if fields.contains_key("Media") {
                        put_fields(&mut o, fields, &[])?;
                    } else {
                        if put_fields(&mut o, fields, &["CaseID", "CaseNumber"])? {
                            o.put(",")?;
                        }
                        o.put("\"Media\":[")?;
                        let mut first = true;
                        while matches!(rows.peek(), Some(Ok(r)) if r.0 == Some(*grp)) {
                            next_record(&mut o, rows.next(), first)?;
                            first = false;
                        }
                        o.put("]")?;
                    }
                    o.put("}")?;
                }
            }
            o.put("]}")?;
        } else {
            o.put("{")?;
            o.value("@odata.context")?;
            o.put(":")?;
            o.value(CONTEXT_V2_MEDIA)?;
            o.put(",\"value\":[")?;
            let mut first = true;
            while rows.peek().is_some() {
                next_record(&mut o, rows.next(), first)?;
                first = false;
            }
            o.put("]}")?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let tmp = o.tmp.clone();
        drop(o);
        let _ = std::fs::remove_file(tmp);
        return Err(e);
    }
    let sha256 = o.finish()?;
    let summary = ExportSummary { out: absolute(out), media, files: 0, sha256 };
    case.audit("hashset.export", &json!({"set_id": set_id, "out": summary.out, "media": media, "sha256": summary.sha256}))?;
    Ok(summary)
}

/// One stored item: (grp, raw, [md5, sha1, sha256, pdq, photodna, category], seq, name).
type Row = (Option<i64>, Option<String>, [Option<String>; 6], i64, Option<String>);

/// A VICS Media record for a CSV or NSRL item; its name (a CSV `name` column, an NSRL file
/// name), when it had one, as the record's `MediaFiles[0].FileName`.
fn record_of(h: &[Option<String>; 6], seq: i64, name: Option<&str>) -> Value {
    let [md5, sha1, sha256, pdq, photodna, category] = h;
    let mut m = Map::new();
    m.insert("MediaID".into(), json!(seq));
    m.insert("Category".into(), category_value(category.as_deref()));
    if let Some(n) = name {
        m.insert("MediaFiles".into(), json!([{"FileName": n}]));
    }
    if let Some(v) = md5 {
        m.insert("MD5".into(), json!(v.to_ascii_uppercase()));
    }
    if let Some(v) = sha1 {
        m.insert("SHA1".into(), json!(v.to_ascii_uppercase()));
    }
    if let Some(v) = photodna {
        m.insert("PhotoDNA".into(), json!(v));
    }
    let mut alts = Vec::new();
    if let Some(v) = sha256 {
        alts.push(json!({"HashName": "SHA256", "HashValue": v.to_ascii_uppercase()}));
    }
    if let Some(v) = pdq {
        alts.push(json!({"HashName": "PDQ", "HashValue": v}));
    }
    if !alts.is_empty() {
        m.insert("AlternativeHashes".into(), Value::Array(alts));
    }
    Value::Object(m)
}

/// A category as VICS writes it: an integer when it is one, else the text, else null.
fn category_value(c: Option<&str>) -> Value {
    match c.map(str::trim) {
        Some(t) => t.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(t)),
        None => Value::Null,
    }
}

/// The numeric category of a tag `vics:N` / `category:N`, if it is one.
pub fn tag_category(tag: &str) -> Option<i64> {
    let t = tag.trim().to_ascii_lowercase();
    let rest = t.strip_prefix("vics:").or_else(|| t.strip_prefix("category:"))?;
    rest.trim().parse::<i64>().ok().filter(|n| (0..=99).contains(n))
}

/// Most severe first: 1, 2, 3 … then 0 (non-pertinent).
fn severity(c: i64) -> (u8, i64) {
    if c == 0 { (1, 0) } else { (0, c) }
}

struct CaseFile {
    id: i64,
    source: String,
    path: String,
    size: Option<i64>,
    md5: String,
    sha1: Option<String>,
    sha256: Option<String>,
    pdq: Option<String>,
}

/// A hash name reduced for comparison: `SHA-256`, `sha_256`, `Sha256` → `sha256`.
fn hash_name(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

/// Hashes Threadline states for the case file itself: a set's values under these names are
/// never carried over.
const OWN_HASHES: [&str; 4] = ["md5", "sha1", "sha256", "pdq"];

/// Export the case's categorised media as one VICS Case.
pub fn export_case(case: &mut Case, out: &Path, version: VicsVersion) -> Result<ExportSummary> {
    let conn = case.conn();
    // Categories from hits (numeric only), with the VICS record hit exactly (not by PDQ), if any.
    let mut hit_cats: HashMap<i64, Vec<(i64, Option<i64>)>> = HashMap::new();
    {
        let mut stmt = conn
            .prepare(
                "SELECT h.file_id, h.category, CASE WHEN k.raw IS NOT NULL AND h.hash_kind <> 'pdq' THEN k.id END FROM hash_hits h
                 JOIN known_hashes k ON k.id = h.known_id WHERE h.category IS NOT NULL ORDER BY h.id",
            )
            .ctx("reading hits")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<i64>>(2)?))).ctx("reading hits")?;
        for row in rows {
            let (file_id, cat, known) = row.ctx("reading hits")?;
            if let Ok(c) = cat.trim().parse::<i64>() {
                hit_cats.entry(file_id).or_default().push((c, known));
            }
        }
    }
    // Categories from examiner tags on files (latest wins).
    let mut tag_cats: HashMap<i64, (i64, i64)> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, source_id, path, tag FROM tags WHERE table_name IS NULL ORDER BY id").ctx("reading tags")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))).ctx("reading tags")?;
        let mut files = conn.prepare("SELECT id FROM files WHERE source_id = ?1 AND path = ?2 AND kind = 'file'").ctx("reading tagged files")?;
        for row in rows {
            let (tag_id, source_id, path, tag) = row.ctx("reading tags")?;
            let Some(cat) = tag_category(&tag) else { continue };
            let ids = files.query_map(params![source_id, path], |r| r.get::<_, i64>(0)).ctx("reading tagged files")?;
            for id in ids {
                tag_cats.insert(id.ctx("reading tagged files")?, (tag_id, cat));
            }
        }
    }
    let mut ids: Vec<i64> = hit_cats.keys().chain(tag_cats.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut by_md5: BTreeMap<String, Vec<CaseFile>> = BTreeMap::new();
    {
        let mut stmt = conn
            .prepare(
                "SELECT f.id, s.label, f.path, f.size, f.md5, f.sha1, f.sha256,
                        (SELECT ih.pdq FROM image_hashes ih WHERE ih.file_id = f.id AND ih.status = 'ok' AND ih.pdq IS NOT NULL)
                 FROM files f JOIN sources s ON s.id = f.source_id WHERE f.id = ?1",
            )
            .ctx("reading categorised files")?;
        for id in ids {
            let f = stmt
                .query_row([id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get::<_, Option<String>>(7)?,
                    ))
                })
                .ctx("reading categorised files")?;
            let (id, source, path, size, md5, sha1, sha256, pdq) = f;
            // Unhashed and empty files are not media.
            let Some(md5) = md5.filter(|m| m != super::EMPTY_MD5 && size.unwrap_or(0) > 0) else { continue };
            by_md5.entry(md5.clone()).or_default().push(CaseFile { id, source, path, size, md5, sha1, sha256, pdq });
        }
    }
    let mut records: Vec<Value> = Vec::new();
    let mut copies = 0i64;
    let mut raw_stmt = conn.prepare("SELECT raw FROM known_hashes WHERE id = ?1").ctx("reading a VICS record")?;
    for (md5, mut files) in by_md5 {
        files.sort_by(|a, b| (&a.source, &a.path).cmp(&(&b.source, &b.path)));
        let tagged = files.iter().filter_map(|f| tag_cats.get(&f.id)).max_by_key(|(tag_id, _)| *tag_id).map(|(_, c)| *c);
        let hits: Vec<(i64, Option<i64>)> = files.iter().flat_map(|f| hit_cats.get(&f.id).cloned().unwrap_or_default()).collect();
        let category = tagged.or_else(|| hits.iter().map(|(c, _)| *c).min_by_key(|c| severity(*c)));
        let Some(category) = category else { continue };
        let mut m = match hits.iter().find_map(|(_, k)| *k) {
            Some(known) => {
                let raw: Option<String> = raw_stmt.query_row([known], |r| r.get(0)).optional().ctx("reading a VICS record")?.flatten();
                match raw.and_then(|r| serde_json::from_str::<Value>(&r).ok()) {
                    Some(Value::Object(m)) => m,
                    _ => Map::new(),
                }
            }
            None => Map::new(),
        };
        // The set's other-named alternative hashes (same file: exact hits only); its MD5, SHA-1,
        // SHA-256 and PDQ, top-level or alternative, are replaced by the case file's own.
        let kept_alts: Vec<Value> = match get_ci(&m, "AlternativeHashes") {
            Some(Value::Array(alts)) => alts
                .iter()
                .filter(|a| {
                    let name = a.as_object().and_then(|o| get_ci(o, "HashName")).and_then(Value::as_str).map(hash_name);
                    !name.is_some_and(|n| OWN_HASHES.contains(&n.as_str()))
                })
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        m.retain(|k, _| {
            let own = ["MediaID", "Category", "MD5", "SHA1", "SHA256", "PDQ", "MediaSize", "MediaFiles", "AlternativeHashes"];
            !own.iter().any(|o| k.eq_ignore_ascii_case(o))
        });
        let first = &files[0];
        m.insert("MediaID".into(), json!(records.len() as i64 + 1));
        m.insert("Category".into(), json!(category));
        m.insert("MD5".into(), json!(md5.to_ascii_uppercase()));
        if let Some(sha1) = &first.sha1 {
            m.insert("SHA1".into(), json!(sha1.to_ascii_uppercase()));
        }
        m.insert("MediaSize".into(), json!(first.size));
        let mut alts = Vec::new();
        if let Some(sha256) = files.iter().find_map(|f| f.sha256.as_ref()) {
            alts.push(json!({"HashName": "SHA256", "HashValue": sha256.to_ascii_uppercase()}));
        }
        if let Some(pdq) = files.iter().find_map(|f| f.pdq.as_ref()) {
            alts.push(json!({"HashName": "PDQ", "HashValue": pdq}));
        }
        alts.extend(kept_alts);
        if !alts.is_empty() {
            m.insert("AlternativeHashes".into(), Value::Array(alts));
        }
        let media_files: Vec<Value> = files
            .iter()
            .map(|f| {
                let (dir, name) = match f.path.rsplit_once('/') {
                    Some((d, n)) => (if d.is_empty() { "/" } else { d }, n),
                    None => ("", f.path.as_str()),
                };
                json!({"MD5": f.md5.to_ascii_uppercase(), "FileName": name, "FilePath": dir, "SourceID": f.source})
            })
            .collect();
        copies += files.len() as i64;
        m.insert("MediaFiles".into(), Value::Array(media_files));
        records.push(Value::Object(m));
    }
    drop(raw_stmt);
    let case_id: String = conn.query_row("SELECT value FROM case_meta WHERE key = 'case_id'", [], |r| r.get(0)).optional().ctx("reading case metadata")?.unwrap_or_default();
    let case_name: String = conn.query_row("SELECT value FROM case_meta WHERE key = 'name'", [], |r| r.get(0)).optional().ctx("reading case metadata")?.unwrap_or_default();
    let guid = if case_id.len() == 32 {
        format!("{}-{}-{}-{}-{}", &case_id[..8], &case_id[8..12], &case_id[12..16], &case_id[16..20], &case_id[20..])
    } else {
        case_id.clone()
    };
    let media = records.len() as i64;
    let mut case_obj = Map::new();
    case_obj.insert("CaseID".into(), json!(guid));
    case_obj.insert("CaseNumber".into(), json!(case_name));
    case_obj.insert("ContactName".into(), json!(case.actor()));
    case_obj.insert("SourceApplicationName".into(), json!("Threadline"));
    case_obj.insert("SourceApplicationVersion".into(), json!(TOOL_VERSION));
    case_obj.insert("TotalMediaFiles".into(), json!(media));
    case_obj.insert("Media".into(), Value::Array(records));
    let (key, context) = match version {
        VicsVersion::V1 => ("odata.metadata", CONTEXT_V1),
        VicsVersion::V2 => ("@odata.context", CONTEXT_V2),
    };
    let mut o = Output::create(out)?;
    let doc = json!({ key: context, "value": [Value::Object(case_obj)] });
    if let Err(e) = o.value(&doc) {
        let tmp = o.tmp.clone();
        drop(o);
        let _ = std::fs::remove_file(tmp);
        return Err(e);
    }
    let sha256 = o.finish()?;
    let summary = ExportSummary { out: absolute(out), media, files: copies, sha256 };
    case.audit(
        "hashset.export",
        &json!({"case_media": true, "vics": format!("{version:?}"), "out": summary.out, "media": media, "files": copies, "sha256": summary.sha256}),
    )?;
    Ok(summary)
}
