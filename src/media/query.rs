//! Queries over the image hashes: near-duplicates of one file (or of a PDQ hash), and the groups.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::matching::{linked, pdq_distance, probe_distance, words};
use super::pass;
use super::pdq;
use crate::case::Case;
use crate::error::{Error, Result, SqlContext};

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
}

/// A near-duplicate group with its members.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    /// Group id.
    pub id: i64,
    /// `pdq`.
    pub kind: String,
    /// PDQ distance threshold.
    pub threshold: i64,
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
    /// PDQ distance to the representative.
    pub distance: Option<i64>,
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

/// Near-duplicates of `what`: a file path (as listed by `files`, exact or a unique suffix), a
/// SHA-256 of a hashed file, or a 64-hex-digit PDQ hash. Nearest first. A 64-hex string is a
/// SHA-256 when a file has it, otherwise a PDQ hash.
pub fn similar(case: &Case, what: &str) -> Result<Vec<SimilarHit>> {
    let what = what.trim();
    let items = pass::load_hashed(case.conn())?;
    let is_hex64 = what.len() == 64 && what.bytes().all(|b| b.is_ascii_hexdigit());
    let mut file_id: Option<i64> = None;
    if is_hex64 {
        file_id = case
            .conn()
            .query_row(
                "SELECT f.id FROM files f JOIN image_hashes h ON h.file_id = f.id WHERE f.sha256 = ?1 ORDER BY h.status = 'ok' DESC, f.id LIMIT 1",
                [what.to_ascii_lowercase()],
                |r| r.get(0),
            )
            .optional()
            .ctx("finding a file by SHA-256")?;
    }
    if file_id.is_none() && !is_hex64 {
        let norm = crate::vfs::normalise(what).path;
        let mut st = case.conn().prepare("SELECT f.id FROM files f JOIN image_hashes h ON h.file_id = f.id WHERE f.path = ?1 OR f.path = ?2 OR f.path LIKE ?3 ORDER BY f.path = ?1 DESC, f.id").ctx("finding a file")?;
        let ids: Vec<i64> = st
            .query_map(params![what, norm, format!("%/{}", what.trim_start_matches('/'))], |r| r.get(0))
            .ctx("finding a file")?
            .collect::<std::result::Result<_, _>>()
            .ctx("finding a file")?;
        file_id = ids.first().copied();
        if file_id.is_none() {
            return Err(Error::InvalidArgument(format!("no hashed image matches '{what}' (give a path, a SHA-256 or a PDQ hex hash)")));
        }
    }
    let mut hits = Vec::new();
    match file_id {
        Some(fid) => {
            let status: (String, Option<String>) =
                case.conn().query_row("SELECT status, reason FROM image_hashes WHERE file_id = ?1", [fid], |r| Ok((r.get(0)?, r.get(1)?))).ctx("reading image hashes")?;
            let Some(me) = items.iter().find(|h| h.file_id == fid) else {
                return Err(Error::InvalidArgument(format!("file {fid} has no image hash: {} ({})", status.0, status.1.unwrap_or_default())));
            };
            for other in items.iter().filter(|h| h.file_id != fid) {
                if linked(me, other, pdq::MATCH_DISTANCE) {
                    let d = pdq_distance(me, other).unwrap_or(u32::MAX);
                    hits.push((other.file_id, d, Some((me.dhash ^ other.dhash).count_ones()), Some((me.phash ^ other.phash).count_ones())));
                }
            }
        }
        None => {
            let q = words(&pdq::hash_from_hex(what).map_err(|e| Error::InvalidArgument(e.to_string()))?);
            for other in items.iter().filter(|h| h.useful()) {
                let d = probe_distance(&q, other);
                if d <= pdq::MATCH_DISTANCE {
                    hits.push((other.file_id, d, None, None));
                }
            }
        }
    }
    hits.sort_by_key(|h| (h.1, h.0));
    let mut out = Vec::new();
    for (fid, dp, dd, dh) in hits {
        let (path, source_id, source, sha256) = file_info(case, fid)?;
        out.push(SimilarHit { file_id: fid, path, source_id, source, sha256, distance_pdq: dp, distance_dhash: dd, distance_phash: dh });
    }
    Ok(out)
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
    let mut out = Vec::new();
    for (id, kind, threshold, rep) in gs {
        let members = ms
            .query_map(params![id, rep], |r| Ok(GroupMember { file_id: r.get(0)?, path: r.get(1)?, source_id: r.get(2)?, source: r.get(3)?, distance: r.get(4)? }))
            .ctx("reading groups")?
            .collect::<std::result::Result<_, _>>()
            .ctx("reading groups")?;
        out.push(Group { id, kind, threshold, representative_file_id: rep, members });
    }
    Ok(out)
}
