//! Full-text search: one FTS5 index (tokenizer `unicode61 remove_diacritics 2`, so matching ignores
//! case and diacritics: "pret" finds "prêt") over message bodies, contacts (names and values), web
//! visits (URLs and titles), file names and the examiner's notes on tags (tag and note text).
//!
//! The index is a post-pass: [`update`] adds what is new since its last run (per kind, by row id)
//! and records a `runs` row, so it resumes after an interruption and never indexes a row twice.
//! [`search`] takes FTS5 query syntax (phrases `"…"`, prefixes `pass*`, `AND`/`OR`/`NOT`) and
//! filters by source, time range, direction and kind; every hit comes with a snippet and its
//! provenance.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::case::{Case, TOOL_VERSION, now_rfc3339};
use crate::error::{Error, Result, SqlContext};

/// What the index covers, with the SQL that yields `(id, source_id, text)` rows past a given id.
const KINDS: &[(&str, &str)] = &[
    ("message", "SELECT id, source_id, body FROM messages WHERE id > ?1 AND body IS NOT NULL AND body != '' ORDER BY id"),
    ("contact", "SELECT id, source_id, coalesce(name, '') || ' ' || coalesce(entries, '') FROM contacts WHERE id > ?1 ORDER BY id"),
    ("visit", "SELECT id, source_id, url || ' ' || coalesce(title, '') FROM web_visits WHERE id > ?1 ORDER BY id"),
    ("file", "SELECT id, source_id, path FROM files WHERE id > ?1 AND kind = 'file' ORDER BY id"),
    ("note", "SELECT id, source_id, tag || ' ' || note FROM tags WHERE id > ?1 AND note IS NOT NULL AND note != '' ORDER BY id"),
];

/// Index what is new; returns rows added per kind.
pub fn update(case: &mut Case) -> Result<Vec<(String, i64)>> {
    let started = now_rfc3339();
    let tx = case.conn_mut().transaction().ctx("updating the full-text index")?;
    let mut added = Vec::new();
    for (kind, sql) in KINDS {
        let last: i64 = tx
            .query_row("SELECT last_id FROM fts_state WHERE kind = ?1", [kind], |r| r.get(0))
            .optional()
            .ctx("reading the index state")?
            .unwrap_or(0);
        let mut n = 0i64;
        let mut max = last;
        {
            let mut read = tx.prepare(sql).ctx("reading rows to index")?;
            let mut ins = tx.prepare("INSERT INTO fts_text (body, kind, ref_id, source_id) VALUES (?1, ?2, ?3, ?4)").ctx("indexing")?;
            let mut rows = read.query([last]).ctx("reading rows to index")?;
            while let Some(r) = rows.next().ctx("reading rows to index")? {
                let id: i64 = r.get(0).ctx("reading rows to index")?;
                let source: i64 = r.get(1).ctx("reading rows to index")?;
                let text: String = r.get(2).ctx("reading rows to index")?;
                ins.execute(params![text, kind, id, source]).ctx("indexing")?;
                n += 1;
                max = max.max(id);
            }
        }
        tx.execute("INSERT INTO fts_state (kind, last_id) VALUES (?1, ?2) ON CONFLICT(kind) DO UPDATE SET last_id = excluded.last_id", params![kind, max])
            .ctx("recording the index state")?;
        added.push((kind.to_string(), n));
    }
    let total: i64 = added.iter().map(|(_, n)| n).sum();
    let message = added.iter().map(|(k, n)| format!("{n} {k}s")).collect::<Vec<_>>().join(", ");
    tx.execute(
        "INSERT INTO runs (kind, name, version, started_utc, finished_utc, status, item_count, message) VALUES ('index', 'fts', ?1, ?2, ?3, 'ok', ?4, ?5)",
        params![TOOL_VERSION, started, now_rfc3339(), total, if total == 0 { "nothing new to index".to_string() } else { format!("indexed {message}") }],
    )
    .ctx("recording the index run")?;
    tx.commit().ctx("updating the full-text index")?;
    Ok(added)
}

/// Filters of a search.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// FTS5 query text.
    pub text: String,
    /// Only this source.
    pub source: Option<i64>,
    /// Messages, visits: from (UTC µs, inclusive).
    pub from_us: Option<i64>,
    /// Messages, visits: to (UTC µs, exclusive).
    pub to_us: Option<i64>,
    /// Messages only: `incoming` or `outgoing`.
    pub direction: Option<String>,
    /// Messages only: sent or received by this person (`persons.id`): one of the message's sender or
    /// recipient identifiers is one of the person's.
    pub person: Option<i64>,
    /// Only this kind: `message`, `contact`, `visit`, `file`, `note`.
    pub kind: Option<String>,
    /// At most this many hits (default 100).
    pub limit: Option<i64>,
}

/// One hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// `message`, `contact`, `visit`, `file`.
    pub kind: String,
    /// Row id in its table.
    pub id: i64,
    /// Snippet with the matches in `[…]`.
    pub snippet: String,
    /// Time (messages, visits), RFC 3339 UTC.
    pub time: Option<String>,
    /// Source id and label.
    pub source: String,
    /// File the row came from (virtual path) and its table/row, or the file itself.
    pub provenance: String,
}

/// Above this many matching texts, hits come in index order (newest indexed first) instead of by
/// relevance: ranking computes bm25 for every match (about 50 ms per 35,000 matches here).
pub const RANK_LIMIT: i64 = 10_000;

/// How many texts a query matches (before filters).
pub fn matches(case: &Case, text: &str) -> Result<i64> {
    if text.trim().is_empty() {
        return Err(Error::InvalidArgument("an empty search".into()));
    }
    case.conn().query_row("SELECT count(*) FROM fts_text WHERE fts_text MATCH ?1", [text], |r| r.get(0)).map_err(|e| bad_query(text, e))
}

/// Run a search: the best `limit` hits by relevance, or in index order past [`RANK_LIMIT`] matches.
pub fn search(case: &Case, q: &Query) -> Result<Vec<Hit>> {
    if q.text.trim().is_empty() {
        return Err(Error::InvalidArgument("an empty search".into()));
    }
    if let Some(k) = &q.kind
        && !KINDS.iter().any(|(n, _)| n == k)
    {
        return Err(Error::InvalidArgument(format!("unknown kind '{k}' (message, contact, visit, file, note)")));
    }
    // Ranking costs a bm25 evaluation per match: past RANK_LIMIT matches, index order instead.
    let ranked = matches(case, &q.text)? <= RANK_LIMIT;
    let sql = format!(
        "
        SELECT t.kind, t.ref_id, snippet(fts_text, 0, '[', ']', '…', 12), s.id, s.label,
               CASE t.kind WHEN 'message' THEN m.sent_utc WHEN 'visit' THEN v.visit_utc END AS at,
               coalesce(fm.path || ' ' || m.src_table || '#' || m.src_row,
                        fc.path || ' ' || c.src_table || '#' || c.src_row,
                        fv.path || ' ' || v.src_table || '#' || v.src_row,
                        f.path,
                        'tag ' || tg.id || ' on ' || tg.path || coalesce(' ' || tg.table_name || '#' || tg.row_id, ''))
        FROM fts_text t
        JOIN sources s ON s.id = t.source_id
        LEFT JOIN messages m ON t.kind = 'message' AND m.id = t.ref_id
        LEFT JOIN files fm ON fm.id = m.file_id
        LEFT JOIN contacts c ON t.kind = 'contact' AND c.id = t.ref_id
        LEFT JOIN files fc ON fc.id = c.file_id
        LEFT JOIN web_visits v ON t.kind = 'visit' AND v.id = t.ref_id
        LEFT JOIN files fv ON fv.id = v.file_id
        LEFT JOIN files f ON t.kind = 'file' AND f.id = t.ref_id
        LEFT JOIN tags tg ON t.kind = 'note' AND tg.id = t.ref_id
        WHERE fts_text MATCH ?1
          AND (?2 IS NULL OR t.source_id = ?2)
          AND (?3 IS NULL OR t.kind = ?3)
          AND (?4 IS NULL OR (t.kind = 'message' AND m.direction = ?4))
          AND (?5 IS NULL OR (CASE t.kind WHEN 'message' THEN m.sent_utc WHEN 'visit' THEN v.visit_utc END) >= ?5)
          AND (?6 IS NULL OR (CASE t.kind WHEN 'message' THEN m.sent_utc WHEN 'visit' THEN v.visit_utc END) < ?6)
          AND (?8 IS NULL OR (t.kind = 'message' AND EXISTS (
                SELECT 1 FROM identifier_sightings s JOIN person_identifiers pi ON pi.identifier_id = s.identifier_id
                WHERE s.ref_table = 'messages' AND s.ref_id = t.ref_id AND s.field IN ('sender', 'recipients') AND pi.person_id = ?8)))
        ORDER BY {} LIMIT ?7",
        if ranked { "rank" } else { "t.rowid DESC" }
    );
    let mut st = case.conn().prepare(&sql).ctx("searching")?;
    let rows = st
        .query_map(params![q.text, q.source, q.kind, q.direction, q.from_us, q.to_us, q.limit.unwrap_or(100), q.person], |r| {
            Ok(Hit {
                kind: r.get(0)?,
                id: r.get(1)?,
                snippet: r.get(2)?,
                source: format!("{} '{}'", r.get::<_, i64>(3)?, r.get::<_, String>(4)?),
                time: r.get::<_, Option<i64>>(5)?.map(crate::parsers::time::rfc3339),
                provenance: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            })
        })
        .map_err(|e| bad_query(&q.text, e))?;
    rows.collect::<std::result::Result<Vec<_>, _>>().map_err(|e| bad_query(&q.text, e))
}

/// A person by id or by name (case-insensitive; a name must be unambiguous).
pub fn find_person(case: &Case, id_or_name: &str) -> Result<i64> {
    let wanted = id_or_name.trim();
    if let Ok(id) = wanted.parse::<i64>() {
        let found: Option<i64> = case.conn().query_row("SELECT id FROM persons WHERE id = ?1", [id], |r| r.get(0)).optional().ctx("finding the person")?;
        return found.ok_or_else(|| Error::InvalidArgument(format!("no person {id} in this case (see `threadline person list`)")));
    }
    let mut st = case.conn().prepare("SELECT id, name FROM persons WHERE name = ?1 COLLATE NOCASE OR name LIKE '%' || ?1 || '%' ORDER BY name = ?1 COLLATE NOCASE DESC, id").ctx("finding the person")?;
    let rows: Vec<(i64, String)> =
        st.query_map([wanted], |r| Ok((r.get(0)?, r.get(1)?))).ctx("finding the person")?.collect::<std::result::Result<_, _>>().ctx("finding the person")?;
    match rows.as_slice() {
        [] => Err(Error::InvalidArgument(format!("no person named '{wanted}' in this case (see `threadline person list`)"))),
        [(id, _)] => Ok(*id),
        [(id, name), ..] if name.eq_ignore_ascii_case(wanted) => Ok(*id),
        many => Err(Error::InvalidArgument(format!(
            "'{wanted}' names several persons ({}); give the id",
            many.iter().map(|(i, n)| format!("{i} {n}")).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn bad_query(text: &str, e: rusqlite::Error) -> Error {
    let m = e.to_string();
    // The query text is the only input here: a plain SQLITE_ERROR is FTS5 refusing its syntax.
    let query_error = matches!(&e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == 1);
    if query_error || m.contains("fts5") || m.contains("syntax") {
        Error::InvalidArgument(format!("'{text}' is not a valid search (phrases \"…\", prefixes word*, AND, OR, NOT): {m}"))
    } else {
        Error::sql("searching", e)
    }
}
