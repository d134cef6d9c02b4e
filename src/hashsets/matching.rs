//! Matching the case's files against the imported sets, and listing the hits.
//!
//! - MD5, SHA-1 and SHA-256: one indexed join per hash kind, driven by the case's files (a case has
//!   thousands to millions of files, an NSRL set tens of millions of rows: the set side is only
//!   probed through its index).
//! - PDQ: every known PDQ hash is compared with every hashed image of the case (its PDQ and the
//!   variants the image pass keeps in `pdq_alt`: mirror, content box, centred crops), within `pdq_distance`
//!   (default 31, the published guidance), for images of quality at least `pdq_min_quality`
//!   (default 50). Cost: known PDQ hashes × case images popcounts, streamed over the set.
//! - Empty files never match: size 0, and the MD5/SHA-1/SHA-256 of zero bytes, are excluded on
//!   both sides. An all-zero PDQ (a flat image) never matches either.
//! - PhotoDNA values are counted in the summary and never matched.
//!
//! A run replaces every earlier hit (sets may have been added since), is recorded in `runs` with
//! its counts (zero included) and audited.

use std::collections::HashMap;

use rusqlite::params;
use serde::Serialize;

use super::{EMPTY_MD5, EMPTY_SHA1, EMPTY_SHA256};
use crate::case::{Case, TOOL_VERSION, audit, now_rfc3339};
use crate::error::{Error, Result, SqlContext};

/// Default PDQ match distance (ThreatExchange guidance).
pub const DEFAULT_PDQ_DISTANCE: u32 = 31;
/// Default minimum PDQ quality of a case image for it to be matched.
pub const DEFAULT_PDQ_MIN_QUALITY: i64 = 50;

/// Options of [`run`].
#[derive(Debug, Clone, Copy)]
pub struct MatchOptions {
    /// Largest PDQ Hamming distance that is a hit.
    pub pdq_distance: u32,
    /// Case images with a lower PDQ quality are not matched by PDQ.
    pub pdq_min_quality: i64,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions { pdq_distance: DEFAULT_PDQ_DISTANCE, pdq_min_quality: DEFAULT_PDQ_MIN_QUALITY }
    }
}

/// What a match run found.
#[derive(Debug, Clone, Serialize, Default)]
pub struct MatchSummary {
    /// The `runs` row.
    pub run_id: i64,
    /// Sets matched against.
    pub sets: i64,
    /// Hits by MD5.
    pub md5_hits: i64,
    /// Hits by SHA-1.
    pub sha1_hits: i64,
    /// Hits by SHA-256.
    pub sha256_hits: i64,
    /// Hits by PDQ.
    pub pdq_hits: i64,
    /// Distinct files hit.
    pub files_hit: i64,
    /// Case images compared by PDQ.
    pub pdq_images: i64,
    /// Known PDQ hashes compared.
    pub pdq_known: i64,
    /// PhotoDNA values in the sets: counted, never matched (no licensed engine).
    pub photodna_not_matched: i64,
    /// PDQ distance used.
    pub pdq_distance: u32,
}

/// One hit as listed: a file, the set it hit, the category, how it matched.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// File id.
    pub file_id: i64,
    /// Source id.
    pub source_id: i64,
    /// Source label.
    pub source: String,
    /// Virtual path of the file.
    pub path: String,
    /// Size in bytes.
    pub size: Option<i64>,
    /// SHA-256 of the file.
    pub sha256: Option<String>,
    /// Set id.
    pub set_id: i64,
    /// Set name.
    pub set_name: String,
    /// Set kind (`known-good`, `known-bad` …).
    pub set_kind: String,
    /// Category from the set item (VICS category code, or the CSV column).
    pub category: Option<String>,
    /// `md5`, `sha1`, `sha256`, `pdq`: every way it matched.
    pub matched_by: Vec<String>,
    /// PDQ distance, for PDQ hits.
    pub pdq_distance: Option<i64>,
    /// Name the set gives the item (file name, relative path), when it has one.
    pub known_name: Option<String>,
}

fn words(hex_str: &str) -> Option<[u64; 4]> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex_str.trim(), &mut bytes).ok()?;
    let mut w = [0u64; 4];
    for (i, chunk) in bytes.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        w[i] = u64::from_be_bytes(b);
    }
    Some(w)
}

fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones() + (a[1] ^ b[1]).count_ones() + (a[2] ^ b[2]).count_ones() + (a[3] ^ b[3]).count_ones()
}

/// Match every file of the case against every imported set; replaces earlier hits.
pub fn run(case: &mut Case, opts: &MatchOptions) -> Result<MatchSummary> {
    if opts.pdq_distance > 128 {
        return Err(Error::InvalidArgument(format!("a PDQ distance of {} makes no sense (256-bit hashes; the guidance is 31)", opts.pdq_distance)));
    }
    let actor = case.actor();
    let started = now_rfc3339();
    let tx = case.conn_mut().transaction().ctx("starting a hash set match")?;
    tx.execute(
        "INSERT INTO runs (kind, name, version, started_utc, status) VALUES ('hashset', 'hashset-match', ?1, ?2, 'running')",
        params![TOOL_VERSION, started],
    )
    .ctx("recording the match run")?;
    let run_id = tx.last_insert_rowid();
    tx.execute("DELETE FROM hash_hits", []).ctx("clearing earlier hits")?;
    let mut s = MatchSummary { run_id, pdq_distance: opts.pdq_distance, ..MatchSummary::default() };
    s.sets = tx.query_row("SELECT count(*) FROM hash_sets", [], |r| r.get(0)).ctx("counting hash sets")?;
    for (col, empty) in [("md5", EMPTY_MD5), ("sha1", EMPTY_SHA1), ("sha256", EMPTY_SHA256)] {
        // CROSS JOIN keeps files as the outer loop: the set side is probed through its index.
        let sql = format!(
            "INSERT OR IGNORE INTO hash_hits (set_id, known_id, file_id, hash_kind, distance, category, run_id)
             SELECT k.set_id, min(k.id), f.id, '{col}', NULL, k.category, ?1
             FROM files f CROSS JOIN known_hashes k ON k.{col} = f.{col}
             WHERE f.{col} IS NOT NULL AND f.size > 0 AND f.{col} <> ?2
             GROUP BY k.set_id, f.id, k.category"
        );
        let n = tx.execute(&sql, params![run_id, empty]).ctx(&format!("matching by {col}"))? as i64;
        match col {
            "md5" => s.md5_hits = n,
            "sha1" => s.sha1_hits = n,
            _ => s.sha256_hits = n,
        }
    }
    // PDQ: case images in memory, known hashes streamed.
    let mut images: Vec<(i64, Vec<[u64; 4]>)> = Vec::new();
    {
        let mut stmt = tx
            .prepare(
                "SELECT ih.file_id, ih.pdq, coalesce(ih.pdq_alt, '') FROM image_hashes ih JOIN files f ON f.id = ih.file_id
                 WHERE ih.status = 'ok' AND ih.pdq IS NOT NULL AND f.size > 0 AND coalesce(ih.pdq_quality, 0) >= ?1",
            )
            .ctx("reading image hashes")?;
        let mut rows = stmt.query([opts.pdq_min_quality]).ctx("reading image hashes")?;
        while let Some(r) = rows.next().ctx("reading image hashes")? {
            let file_id: i64 = r.get(0).ctx("reading image hashes")?;
            let main: String = r.get(1).ctx("reading image hashes")?;
            let alt: String = r.get(2).ctx("reading image hashes")?;
            // The whole picture and the image pass's whole-picture variants (mirror, content
            // box) and centred crops: a known picture meets a copy, a mirrored copy, a screenshot
            // of it, or a larger picture it was cropped from. Bands are not whole pictures.
            use crate::media::hashes::{Variant, alt_from_text};
            let alt_hex: Vec<String> = alt_from_text(&alt)
                .into_iter()
                .filter(|(v, _)| !matches!(v, Variant::Top | Variant::TopMirror | Variant::Bottom | Variant::BottomMirror))
                .map(|(_, h)| hex::encode(h))
                .collect();
            let variants: Vec<[u64; 4]> =
                std::iter::once(main.as_str()).chain(alt_hex.iter().map(String::as_str)).filter_map(words).filter(|w| *w != [0; 4]).collect();
            if !variants.is_empty() {
                images.push((file_id, variants));
            }
        }
    }
    s.pdq_images = images.len() as i64;
    let mut best: HashMap<(i64, i64, Option<String>), (i64, u32)> = HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT id, set_id, pdq, category FROM known_hashes WHERE pdq IS NOT NULL").ctx("reading known PDQ hashes")?;
        let mut rows = stmt.query([]).ctx("reading known PDQ hashes")?;
        while let Some(r) = rows.next().ctx("reading known PDQ hashes")? {
            let known_id: i64 = r.get(0).ctx("reading known PDQ hashes")?;
            let set_id: i64 = r.get(1).ctx("reading known PDQ hashes")?;
            let pdq: String = r.get(2).ctx("reading known PDQ hashes")?;
            let category: Option<String> = r.get(3).ctx("reading known PDQ hashes")?;
            let Some(k) = words(&pdq).filter(|w| *w != [0; 4]) else { continue };
            s.pdq_known += 1;
            for (file_id, variants) in &images {
                let d = variants.iter().map(|v| distance(v, &k)).min().unwrap_or(u32::MAX);
                if d <= opts.pdq_distance {
                    let e = best.entry((set_id, *file_id, category.clone())).or_insert((known_id, d));
                    if d < e.1 {
                        *e = (known_id, d);
                    }
                }
            }
        }
    }
    {
        let mut ins = tx
            .prepare(
                "INSERT OR IGNORE INTO hash_hits (set_id, known_id, file_id, hash_kind, distance, category, run_id) VALUES (?1, ?2, ?3, 'pdq', ?4, ?5, ?6)",
            )
            .ctx("recording PDQ hits")?;
        for ((set_id, file_id, category), (known_id, d)) in &best {
            ins.execute(params![set_id, known_id, file_id, d, category, run_id]).ctx("recording PDQ hits")?;
        }
    }
    s.pdq_hits = best.len() as i64;
    s.files_hit = tx.query_row("SELECT count(DISTINCT file_id) FROM hash_hits", [], |r| r.get(0)).ctx("counting hits")?;
    s.photodna_not_matched = tx.query_row("SELECT count(*) FROM known_hashes WHERE photodna IS NOT NULL", [], |r| r.get(0)).ctx("counting PhotoDNA values")?;
    let total = s.md5_hits + s.sha1_hits + s.sha256_hits + s.pdq_hits;
    let message = format!(
        "{} files hit over {} sets (md5 {}, sha1 {}, sha256 {}, pdq {} ≤ {} over {} images × {} known PDQ){}",
        s.files_hit,
        s.sets,
        s.md5_hits,
        s.sha1_hits,
        s.sha256_hits,
        s.pdq_hits,
        opts.pdq_distance,
        s.pdq_images,
        s.pdq_known,
        if s.photodna_not_matched > 0 { format!("; {} PhotoDNA values not matched (no licensed engine)", s.photodna_not_matched) } else { String::new() }
    );
    tx.execute(
        "UPDATE runs SET finished_utc = ?1, status = 'ok', item_count = ?2, message = ?3 WHERE id = ?4",
        params![now_rfc3339(), total, message, run_id],
    )
    .ctx("recording the match run")?;
    audit::append(&tx, &actor, "hashset.match", &serde_json::to_value(&s).map_err(|e| Error::Internal(format!("serialising a match summary: {e}")))?)?;
    tx.commit().ctx("committing the hash set match")?;
    Ok(s)
}

/// The hits of the last match, one row per (set, file, category), by source and path.
pub fn hits(case: &Case, set_id: Option<i64>) -> Result<Vec<Hit>> {
    let mut stmt = case
        .conn()
        .prepare(
            "SELECT h.file_id, f.source_id, s.label, f.path, f.size, f.sha256, h.set_id, hs.name, hs.kind, h.category,
                    group_concat(h.hash_kind), min(h.distance), min(k.name)
             FROM hash_hits h
             JOIN files f ON f.id = h.file_id
             JOIN sources s ON s.id = f.source_id
             JOIN hash_sets hs ON hs.id = h.set_id
             JOIN known_hashes k ON k.id = h.known_id
             WHERE ?1 IS NULL OR h.set_id = ?1
             GROUP BY h.set_id, h.file_id, h.category
             ORDER BY f.source_id, f.path, h.set_id",
        )
        .ctx("listing hash set hits")?;
    let rows = stmt
        .query_map([set_id], |r| {
            let kinds: String = r.get(10)?;
            let mut matched_by: Vec<String> = kinds.split(',').map(String::from).collect();
            let order = |k: &str| ["md5", "sha1", "sha256", "pdq"].iter().position(|x| *x == k).unwrap_or(9);
            matched_by.sort_by_key(|k| order(k));
            matched_by.dedup();
            Ok(Hit {
                file_id: r.get(0)?,
                source_id: r.get(1)?,
                source: r.get(2)?,
                path: r.get(3)?,
                size: r.get(4)?,
                sha256: r.get(5)?,
                set_id: r.get(6)?,
                set_name: r.get(7)?,
                set_kind: r.get(8)?,
                category: r.get(9)?,
                matched_by,
                pdq_distance: r.get(11)?,
                known_name: r.get(12)?,
            })
        })
        .ctx("listing hash set hits")?;
    rows.collect::<std::result::Result<Vec<_>, _>>().ctx("listing hash set hits")
}
