//! Queries over the image hashes: near-duplicates of one file (or of a PDQ hash), and the groups.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::matching::{Hashed, Radii, Rule, components, link_rule, pdq_distance, probe_distance, words};
use super::pass;
use super::pdq;
use crate::case::{Case, audit};
use crate::error::{Error, Result, SqlContext};

/// How many candidates an ambiguous `similar` argument lists.
pub const MAX_CANDIDATES: usize = 10;

/// One near-duplicate found by [`similar`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SimilarHit {
    /// File id.
    pub file_id: i64,
    /// Path in its source.
    pub path: String,
    /// Source id.
    pub source_id: i64,
    /// Source label.
    pub source: String,
    /// SHA-256 of the file.
    pub sha256: Option<String>,
    /// Smallest PDQ distance over the variants (mirror, content box).
    pub distance_pdq: u32,
    /// dHash distance (`None` when querying by a PDQ hash).
    pub distance_dhash: Option<u32>,
    /// pHash distance (`None` when querying by a PDQ hash).
    pub distance_phash: Option<u32>,
    /// The rule that links it to the query (`None` when querying by a PDQ hash).
    pub rule: Option<Rule>,
}

/// The file a [`similar`] query resolved to.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QueryFile {
    /// File id.
    pub file_id: i64,
    /// Path in its source.
    pub path: String,
    /// Source id.
    pub source_id: i64,
    /// Source label.
    pub source: String,
    /// SHA-256 of the file.
    pub sha256: Option<String>,
}

/// The answer of [`similar`]: what was queried and the near-duplicates, nearest first.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SimilarResult {
    /// The query file; `None` when the query is a bare PDQ hash.
    pub query: Option<QueryFile>,
    /// The PDQ hash queried, when the query is a bare PDQ hash.
    pub query_pdq: Option<String>,
    /// The radii used.
    pub radii: Radii,
    /// The near-duplicates, nearest first.
    pub hits: Vec<SimilarHit>,
}

/// A near-duplicate group with its members.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    /// Group id.
    pub id: i64,
    /// `pdq`, or `pdq;dhash=N;phash=N;fallback=N` when built at other than the default dHash,
    /// pHash or low-quality radii (see [`rebuild_groups_at`]).
    pub kind: String,
    /// PDQ distance threshold.
    pub threshold: i64,
    /// The radii the group was built at (from `kind` and `threshold`).
    pub radii: Radii,
    /// The rule, in words ("pdq ≤ 31, or dHash ≤ 6 and pHash ≤ 6, …").
    pub rule: String,
    /// Representative file (highest quality).
    pub representative_file_id: i64,
    /// Members, representative first.
    pub members: Vec<GroupMember>,
}

/// A member of a [`Group`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupMember {
    /// File id.
    pub file_id: i64,
    /// Path.
    pub path: String,
    /// Source id.
    pub source_id: i64,
    /// Source label.
    pub source: String,
    /// PDQ distance to the representative (0 for the representative).
    pub distance: Option<i64>,
    /// dHash distance to the representative (`None` when its hashes are gone).
    pub distance_dhash: Option<u32>,
    /// pHash distance to the representative.
    pub distance_phash: Option<u32>,
    /// The rule linking it directly to the representative; `None` for the representative, and
    /// for a member linked only through other members (see `via_other`).
    pub rule: Option<Rule>,
    /// Linked to the group through other members, not directly to the representative.
    pub via_other: bool,
}

/// The link rule at `r`, in words.
pub fn describe_radii(r: &Radii) -> String {
    format!(
        "pdq ≤ {} (≤ {} with dHash ≤ {} and pHash ≤ {}), or dHash ≤ {} and pHash ≤ {}, or dHash and pHash ≤ {} when a PDQ quality is below {}; flat images never by dHash/pHash",
        r.pdq,
        super::matching::CORROBORATE_PDQ,
        super::matching::CORROBORATE_DHASH,
        super::matching::CORROBORATE_PHASH,
        r.dhash,
        r.phash,
        r.fallback,
        pdq::MIN_USEFUL_QUALITY
    )
}

fn kind_of(r: &Radii) -> String {
    let d = Radii::default();
    if (r.dhash, r.phash, r.fallback) == (d.dhash, d.phash, d.fallback) { "pdq".into() } else { format!("pdq;dhash={};phash={};fallback={}", r.dhash, r.phash, r.fallback) }
}

fn radii_of(kind: &str, threshold: i64) -> Radii {
    let mut r = Radii { pdq: threshold.clamp(0, 256) as u32, ..Radii::default() };
    for part in kind.split(';').skip(1) {
        let Some((k, v)) = part.split_once('=') else { continue };
        let Ok(v) = v.parse::<u32>() else { continue };
        match k {
            "dhash" => r.dhash = v,
            "phash" => r.phash = v,
            "fallback" => r.fallback = v,
            _ => {}
        }
    }
    r
}

/// Replace the case's near-duplicate groups (`similar_groups`, `similar_members`) with the
/// connected components over every hashed image at `radii`: `threshold` records the PDQ
/// radius, `kind` the others when they are not the defaults (`pdq;dhash=N;phash=N;fallback=N`).
/// Returns the number of groups.
pub fn rebuild_groups_at(conn: &mut Connection, run_id: Option<i64>, radii: &Radii) -> Result<usize> {
    let items = pass::load_hashed(conn)?;
    let groups = components(&items, radii);
    let kind = kind_of(radii);
    let tx = conn.transaction().ctx("writing near-duplicate groups")?;
    tx.execute("DELETE FROM similar_members", []).ctx("writing near-duplicate groups")?;
    tx.execute("DELETE FROM similar_groups", []).ctx("writing near-duplicate groups")?;
    for g in &groups {
        let rep = &items[g[0]];
        tx.execute(
            "INSERT INTO similar_groups (kind, threshold, representative_file_id, created_run_id) VALUES (?1, ?2, ?3, ?4)",
            params![kind, radii.pdq, rep.file_id, run_id],
        )
        .ctx("writing near-duplicate groups")?;
        let gid = tx.last_insert_rowid();
        for &i in g {
            tx.execute("INSERT INTO similar_members (group_id, file_id, distance) VALUES (?1, ?2, ?3)", params![gid, items[i].file_id, (i != g[0]).then(|| pdq_distance(rep, &items[i])).flatten().or((i == g[0]).then_some(0))])
                .ctx("writing near-duplicate groups")?;
        }
    }
    tx.commit().ctx("writing near-duplicate groups")?;
    Ok(groups.len())
}

/// `groups --rebuild`: rebuild the groups at `radii` and record it in the audit log
/// (`rebuild-groups`, with the radii and the number of groups). Returns the number of groups.
pub fn rebuild(case: &mut Case, radii: &Radii) -> Result<usize> {
    let n = rebuild_groups_at(case.conn_mut(), None, radii)?;
    let actor = case.actor();
    let detail = serde_json::json!({ "radii": radii, "kind": kind_of(radii), "threshold": radii.pdq, "groups": n });
    let tx = case.conn_mut().transaction().ctx("recording the group rebuild")?;
    audit::append(&tx, &actor, "rebuild-groups", &detail)?;
    tx.commit().ctx("recording the group rebuild")?;
    Ok(n)
}

fn file_info(case: &Case, file_id: i64) -> Result<(String, i64, String, Option<String>)> {
    case.conn()
        .query_row(
            "SELECT f.path, f.source_id, s.label, f.sha256 FROM files f JOIN sources s ON s.id = f.source_id WHERE f.id = ?1",
            [file_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .ctx("reading a file")
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// File ids matching `sql` (one `?1`… parameter list), in order.
fn ids(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<i64>> {
    let mut st = conn.prepare(sql).ctx("finding a file")?;
    let v = st.query_map(p, |r| r.get(0)).ctx("finding a file")?.collect::<std::result::Result<_, _>>().ctx("finding a file");
    v
}

fn describe(case: &Case, fid: i64) -> Result<String> {
    let (path, _, source, _) = file_info(case, fid)?;
    Ok(format!("{path} [{source}] (file id {fid})"))
}

/// Which file `what` names (see [`similar`]): `Ok(None)` for a bare PDQ hash.
fn resolve(case: &Case, what: &str) -> Result<Option<i64>> {
    let conn = case.conn();
    if let Some(id) = what.strip_prefix("id:") {
        let id: i64 = id.trim().parse().map_err(|_| Error::InvalidArgument(format!("'{what}' is not a file id (id:N)")))?;
        let found: Option<i64> = conn.query_row("SELECT id FROM files WHERE id = ?1", [id], |r| r.get(0)).optional().ctx("finding a file")?;
        return found.map(Some).ok_or_else(|| Error::InvalidArgument(format!("no file has id {id}")));
    }
    let is_hex64 = what.len() == 64 && what.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex64 {
        // Identical bytes: any of the files with this SHA-256 will do; prefer a hashed one.
        let found: Option<i64> = conn
            .query_row(
                "SELECT f.id FROM files f LEFT JOIN image_hashes h ON h.file_id = f.id WHERE f.sha256 = ?1 ORDER BY h.status = 'ok' DESC, h.file_id IS NOT NULL DESC, f.id LIMIT 1",
                [what.to_ascii_lowercase()],
                |r| r.get(0),
            )
            .optional()
            .ctx("finding a file by SHA-256")?;
        return Ok(found);
    }
    let norm = crate::vfs::normalise(what).path;
    let hashed = "SELECT f.id FROM files f JOIN image_hashes h ON h.file_id = f.id";
    let mut cands = ids(conn, &format!("{hashed} WHERE f.path = ?1 OR f.path = ?2 ORDER BY f.id"), params![what, norm])?;
    if cands.is_empty() {
        let suffix = format!("%/{}", escape_like(norm.trim_start_matches('/')));
        cands = ids(conn, &format!("{hashed} WHERE f.path LIKE ?1 ESCAPE '\\' ORDER BY f.id"), params![suffix])?;
        if cands.is_empty() {
            // Not an image, or no such file at all.
            let any = ids(conn, "SELECT id FROM files WHERE path = ?1 OR path = ?2 OR path LIKE ?3 ESCAPE '\\' ORDER BY id LIMIT 2", params![what, norm, suffix])?;
            return Err(Error::InvalidArgument(match any.as_slice() {
                [one] => format!("{} is not an image (no image hash); give an image's path, SHA-256 or a PDQ hex hash", describe(case, *one)?),
                _ => format!("no image matches '{what}' (give a path, a SHA-256, id:N or a PDQ hex hash)"),
            }));
        }
    }
    if cands.len() > 1 {
        let mut list = String::new();
        for &c in cands.iter().take(MAX_CANDIDATES) {
            list.push_str(&format!("\n  {}", describe(case, c)?));
        }
        if cands.len() > MAX_CANDIDATES {
            list.push_str(&format!("\n  … and {} more", cands.len() - MAX_CANDIDATES));
        }
        return Err(Error::InvalidArgument(format!(
            "'{what}' matches {} images; give a longer path, the SHA-256 or the file id (id:N):{list}",
            cands.len()
        )));
    }
    Ok(cands.first().copied())
}

/// Near-duplicates of `what` at `radii`: a file path (as listed by `files`, exact or a suffix
/// that names a single image — an ambiguous one is refused with the candidates), `id:N` (a file
/// id), a SHA-256 of a file, or a 64-hex-digit PDQ hash. A 64-hex string is a SHA-256 when a
/// file has it (an error when that file is not an image), otherwise a PDQ hash. Nearest first.
pub fn similar(case: &Case, what: &str, radii: &Radii) -> Result<SimilarResult> {
    let what = what.trim();
    let file_id = resolve(case, what)?;
    let items = pass::load_hashed(case.conn())?;
    let mut hits = Vec::new();
    let mut query = None;
    let mut query_pdq = None;
    match file_id {
        Some(fid) => {
            let status: Option<(String, Option<String>)> =
                case.conn().query_row("SELECT status, reason FROM image_hashes WHERE file_id = ?1", [fid], |r| Ok((r.get(0)?, r.get(1)?))).optional().ctx("reading image hashes")?;
            let Some(status) = status else {
                return Err(Error::InvalidArgument(format!("{} is not an image (no image hash)", describe(case, fid)?)));
            };
            let Some(me) = items.iter().find(|h| h.file_id == fid) else {
                return Err(Error::InvalidArgument(format!("{} has no image hash: {} ({})", describe(case, fid)?, status.0, status.1.unwrap_or_default())));
            };
            let (path, source_id, source, sha256) = file_info(case, fid)?;
            query = Some(QueryFile { file_id: fid, path, source_id, source, sha256 });
            for other in items.iter().filter(|h| h.file_id != fid) {
                if let Some(rule) = link_rule(me, other, radii) {
                    let d = pdq_distance(me, other).unwrap_or(u32::MAX);
                    hits.push((other.file_id, d, Some((me.dhash ^ other.dhash).count_ones()), Some((me.phash ^ other.phash).count_ones()), Some(rule)));
                }
            }
        }
        None => {
            let q = words(&pdq::hash_from_hex(what).map_err(|e| Error::InvalidArgument(e.to_string()))?);
            query_pdq = Some(what.to_ascii_lowercase());
            for other in items.iter().filter(|h| h.useful()) {
                let d = probe_distance(&q, other);
                if d <= radii.pdq {
                    hits.push((other.file_id, d, None, None, None));
                }
            }
        }
    }
    hits.sort_by_key(|h| (h.1, h.0));
    let mut out = Vec::new();
    for (fid, dp, dd, dh, rule) in hits {
        let (path, source_id, source, sha256) = file_info(case, fid)?;
        out.push(SimilarHit { file_id: fid, path, source_id, source, sha256, distance_pdq: dp, distance_dhash: dd, distance_phash: dh, rule });
    }
    Ok(SimilarResult { query, query_pdq, radii: *radii, hits: out })
}

/// Every near-duplicate group of the case, with its members.
pub fn groups(case: &Case) -> Result<Vec<Group>> {
    let mut st = case.conn().prepare("SELECT id, kind, threshold, representative_file_id FROM similar_groups ORDER BY id").ctx("reading groups")?;
    let gs: Vec<(i64, String, i64, i64)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).ctx("reading groups")?.collect::<std::result::Result<_, _>>().ctx("reading groups")?;
    let mut ms = case
        .conn()
        .prepare(
            "SELECT m.file_id, f.path, f.source_id, s.label, m.distance FROM similar_members m JOIN files f ON f.id = m.file_id JOIN sources s ON s.id = f.source_id
             WHERE m.group_id = ?1 ORDER BY m.file_id = ?2 DESC, m.distance, m.file_id",
        )
        .ctx("reading groups")?;
    let items = if gs.is_empty() { Vec::new() } else { pass::load_hashed(case.conn())? };
    let by_id: std::collections::HashMap<i64, &Hashed> = items.iter().map(|h| (h.file_id, h)).collect();
    let mut out = Vec::new();
    for (id, kind, threshold, rep) in gs {
        let radii = radii_of(&kind, threshold);
        let mut members: Vec<GroupMember> = ms
            .query_map(params![id, rep], |r| {
                Ok(GroupMember { file_id: r.get(0)?, path: r.get(1)?, source_id: r.get(2)?, source: r.get(3)?, distance: r.get(4)?, distance_dhash: None, distance_phash: None, rule: None, via_other: false })
            })
            .ctx("reading groups")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading groups")?;
        if let Some(r) = by_id.get(&rep) {
            for m in members.iter_mut().filter(|m| m.file_id != rep) {
                if let Some(h) = by_id.get(&m.file_id) {
                    m.distance_dhash = Some((r.dhash ^ h.dhash).count_ones());
                    m.distance_phash = Some((r.phash ^ h.phash).count_ones());
                    m.rule = link_rule(r, h, &radii);
                    m.via_other = m.rule.is_none();
                }
            }
        }
        out.push(Group { id, rule: describe_radii(&radii), kind, threshold, radii, representative_file_id: rep, members });
    }
    Ok(out)
}
