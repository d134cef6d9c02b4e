//! Stored keyword and indicator hits: one `runs` row and one `match_runs` row per run, and one
//! `match_hits` row per hit (row, field, byte span, matched text, term or indicator id, list or
//! pack name and SHA-256). Listing reads the latest run of a kind unless a run is named.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::case::{Case, TOOL_VERSION, now_rfc3339};
use crate::error::{Error, Result, SqlContext};

/// A hit ready to store.
#[derive(Debug, Clone)]
pub struct NewHit {
    /// Source of the row.
    pub source_id: Option<i64>,
    /// Table of the row.
    pub ref_table: &'static str,
    /// Row id.
    pub ref_id: i64,
    /// Field of the row.
    pub field: &'static str,
    /// Byte span in the field's text.
    pub start: usize,
    /// End of the span (exclusive).
    pub end: usize,
    /// The matched text.
    pub matched: String,
    /// The text around it, the match in `[…]`.
    pub context: String,
    /// Keyword term, or indicator id.
    pub term: String,
    /// Keyword category, or indicator family.
    pub category: Option<String>,
    /// Indicator weight.
    pub weight: Option<f64>,
    /// List or pack name.
    pub list_name: String,
    /// SHA-256 of the list or pack.
    pub list_sha256: String,
    /// Stored pack (`indicator_packs.id`).
    pub pack_id: Option<i64>,
}

impl NewHit {
    /// A hit at byte `span` of `u`: where it is, what it matched and its context. The term and
    /// list fields are left empty for the caller to fill.
    pub fn at(u: &super::texts::TextUnit, span: (usize, usize)) -> NewHit {
        NewHit {
            source_id: u.source_id,
            ref_table: u.ref_table,
            ref_id: u.ref_id,
            field: u.field,
            start: span.0,
            end: span.1,
            matched: super::fold::decode(u.text.get(span.0..span.1).unwrap_or_default()).into_owned(),
            context: super::texts::context(&u.text, span.0, span.1),
            term: String::new(),
            category: None,
            weight: None,
            list_name: String::new(),
            list_sha256: String::new(),
            pack_id: None,
        }
    }
}

/// What a run was.
#[derive(Debug, Clone, Serialize)]
pub struct RunHeader {
    /// `keywords` or `indicators`.
    pub kind: &'static str,
    /// List name or pack names.
    pub list_name: String,
    /// SHA-256 of the list, or of the packs (each pack's hash, joined, hashed).
    pub list_sha256: String,
    /// Keyword mode.
    pub mode: Option<String>,
    /// JSON settings (selection, languages).
    pub settings: serde_json::Value,
    /// When it started.
    pub started_utc: String,
    /// Texts searched.
    pub texts: i64,
    /// Run message (problems, counts).
    pub message: String,
}

/// Store a run and its hits in `tx`; returns `(runs.id, match_runs.id)`.
pub fn store(tx: &Transaction<'_>, h: &RunHeader, hits: &[NewHit]) -> Result<(i64, i64)> {
    tx.execute(
        "INSERT INTO runs (kind, name, version, started_utc, finished_utc, status, item_count, message) VALUES (?1, ?2, ?3, ?4, ?5, 'ok', ?6, ?7)",
        params![h.kind, h.list_name, TOOL_VERSION, h.started_utc, now_rfc3339(), hits.len() as i64, h.message],
    )
    .ctx("recording the run")?;
    let run_id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO match_runs (run_id, kind, list_name, list_sha256, mode, settings, texts, hits) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![run_id, h.kind, h.list_name, h.list_sha256, h.mode, h.settings.to_string(), h.texts, hits.len() as i64],
    )
    .ctx("recording the run")?;
    let match_run = tx.last_insert_rowid();
    let mut st = tx
        .prepare(
            "INSERT INTO match_hits (match_run_id, source_id, ref_table, ref_id, field, start, end, matched, context, term, category, weight, list_name, list_sha256, pack_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )
        .ctx("recording hits")?;
    for x in hits {
        st.execute(params![
            match_run,
            x.source_id,
            x.ref_table,
            x.ref_id,
            x.field,
            x.start as i64,
            x.end as i64,
            x.matched,
            x.context,
            x.term,
            x.category,
            x.weight,
            x.list_name,
            x.list_sha256,
            x.pack_id
        ])
        .ctx("recording hits")?;
    }
    Ok((run_id, match_run))
}

/// The `match_runs.id` to read: `run` (a `runs.id`) if given, else the latest run of `kind`.
pub fn pick_run(case: &Case, kind: &str, run: Option<i64>) -> Result<i64> {
    let found: Option<i64> = match run {
        Some(r) => case
            .conn()
            .query_row("SELECT id FROM match_runs WHERE run_id = ?1 AND kind = ?2", params![r, kind], |r| r.get(0))
            .optional()
            .ctx("finding the run")?,
        None => case.conn().query_row("SELECT max(id) FROM match_runs WHERE kind = ?1", [kind], |r| r.get(0)).ctx("finding the run")?,
    };
    found.ok_or_else(|| match run {
        Some(r) => Error::InvalidArgument(format!("run {r} is not a {kind} run (see `threadline runs`)")),
        None => Error::InvalidArgument(format!("no {kind} run in this case yet: run `threadline {kind} run` first")),
    })
}

/// A stored hit with its provenance.
#[derive(Debug, Clone, Serialize)]
pub struct HitRow {
    /// Hit id.
    pub id: i64,
    /// Term or indicator id.
    pub term: String,
    /// Category or family.
    pub category: Option<String>,
    /// Weight (indicators).
    pub weight: Option<f64>,
    /// List or pack name.
    pub list: String,
    /// SHA-256 of the list or pack.
    pub list_sha256: String,
    /// Source id.
    pub source_id: Option<i64>,
    /// Table, row id, field.
    pub ref_table: String,
    /// Row id.
    pub ref_id: i64,
    /// Field.
    pub field: String,
    /// Byte span in the field.
    pub start: i64,
    /// End of the span.
    pub end: i64,
    /// Matched text.
    pub matched: String,
    /// Text around the match.
    pub context: String,
    /// Messages: conversation (thread id).
    pub thread_id: Option<i64>,
    /// Messages: sender as stored.
    pub sender: Option<String>,
    /// Messages, visits: time, RFC 3339 UTC.
    pub time: Option<String>,
    /// The evidence file the row came from, with its table and row.
    pub provenance: String,
}

/// Hits of a match run, optionally of one term or indicator id.
pub fn list(case: &Case, match_run: i64, term: Option<&str>, limit: Option<i64>) -> Result<Vec<HitRow>> {
    let sql = "
        SELECT h.id, h.term, h.category, h.weight, h.list_name, h.list_sha256, h.source_id, h.ref_table, h.ref_id, h.field, h.start, h.end, h.matched, h.context,
               m.thread_id, m.sender, coalesce(m.sent_utc, v.visit_utc),
               coalesce(fm.path || ' ' || m.src_table || '#' || m.src_row, fc.path || ' ' || c.src_table || '#' || c.src_row,
                        fv.path || ' ' || v.src_table || '#' || v.src_row, f.path)
        FROM match_hits h
        LEFT JOIN messages m ON h.ref_table = 'messages' AND m.id = h.ref_id
        LEFT JOIN files fm ON fm.id = m.file_id
        LEFT JOIN contacts c ON h.ref_table = 'contacts' AND c.id = h.ref_id
        LEFT JOIN files fc ON fc.id = c.file_id
        LEFT JOIN web_visits v ON h.ref_table = 'web_visits' AND v.id = h.ref_id
        LEFT JOIN files fv ON fv.id = v.file_id
        LEFT JOIN files f ON h.ref_table = 'files' AND f.id = h.ref_id
        WHERE h.match_run_id = ?1 AND (?2 IS NULL OR h.term = ?2 COLLATE NOCASE)
        ORDER BY h.source_id, h.ref_table, h.ref_id, h.start
        LIMIT ?3";
    let mut st = case.conn().prepare(sql).ctx("listing hits")?;
    let rows = st
        .query_map(params![match_run, term, limit.unwrap_or(-1)], |r| {
            Ok(HitRow {
                id: r.get(0)?,
                term: r.get(1)?,
                category: r.get(2)?,
                weight: r.get(3)?,
                list: r.get(4)?,
                list_sha256: r.get(5)?,
                source_id: r.get(6)?,
                ref_table: r.get(7)?,
                ref_id: r.get(8)?,
                field: r.get(9)?,
                start: r.get(10)?,
                end: r.get(11)?,
                matched: r.get(12)?,
                context: r.get(13)?,
                thread_id: r.get(14)?,
                sender: r.get(15)?,
                time: r.get::<_, Option<i64>>(16)?.map(crate::parsers::time::rfc3339),
                provenance: r.get::<_, Option<String>>(17)?.unwrap_or_default(),
            })
        })
        .ctx("listing hits")?;
    rows.collect::<std::result::Result<_, _>>().ctx("listing hits")
}

/// Hits per term of a match run: `(term, category, count)`, most frequent first.
pub fn counts(case: &Case, match_run: i64) -> Result<Vec<(String, Option<String>, i64)>> {
    let mut st = case
        .conn()
        .prepare("SELECT term, category, count(*) AS n FROM match_hits WHERE match_run_id = ?1 GROUP BY term, category ORDER BY n DESC, term")
        .ctx("counting hits")?;
    let rows = st.query_map([match_run], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).ctx("counting hits")?;
    rows.collect::<std::result::Result<_, _>>().ctx("counting hits")
}
