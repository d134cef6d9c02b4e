//! The append-only, hash-chained audit log.
//!
//! Every action that changes the case appends a row. Each row stores the SHA-256 of the previous
//! row (`prev_hash`) and of its own content chained to it (`row_hash`), so editing, inserting or
//! deleting any row breaks the chain from that row on. SQLite triggers refuse `UPDATE` and `DELETE`
//! on the table; the chain catches whoever drops the triggers first.

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use crate::error::{Result, SqlContext};

/// `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One row of the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// When, UTC, RFC 3339.
    pub at_utc: String,
    /// Who (examiner name or OS user).
    pub actor: String,
    /// What (`case.create`, `ingest.start` …).
    pub action: String,
    /// Details as JSON text.
    pub detail: String,
    /// Hash of the previous row.
    pub prev_hash: String,
    /// Hash of this row.
    pub row_hash: String,
}

/// The hash of a row's content chained to the previous row's hash.
pub fn row_hash(prev_hash: &str, id: i64, at_utc: &str, actor: &str, action: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev_hash, &id.to_string(), at_utc, actor, action, detail] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Append one row. Call inside the caller's transaction when the action changes other tables.
pub fn append(conn: &Connection, actor: &str, action: &str, detail: &serde_json::Value) -> Result<i64> {
    let (last_id, prev): (i64, String) = conn
        .query_row("SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok((0, GENESIS.to_string())),
            e => Err(e),
        })
        .ctx("reading the last audit row")?;
    let id = last_id + 1;
    let at = super::now_rfc3339();
    let detail = detail.to_string();
    let hash = row_hash(&prev, id, &at, actor, action, &detail);
    conn.execute(
        "INSERT INTO audit_log (id, at_utc, actor, action, detail, prev_hash, row_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, at, actor, action, detail, prev, hash],
    )
    .ctx("appending to the audit log")?;
    Ok(id)
}

/// A break in the chain found by [`check_chain`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChainBreak {
    /// The first row that does not verify.
    pub id: i64,
    /// What is wrong with it.
    pub problem: String,
}

/// Recompute the chain; returns the number of rows checked, the head hash and every break.
pub fn check_chain(conn: &Connection) -> Result<(u64, String, Vec<ChainBreak>)> {
    let mut stmt = conn
        .prepare("SELECT id, at_utc, actor, action, detail, prev_hash, row_hash FROM audit_log ORDER BY id")
        .ctx("reading the audit log")?;
    let mut rows = stmt.query([]).ctx("reading the audit log")?;
    let mut prev = GENESIS.to_string();
    let mut expected_id = 1i64;
    let mut breaks = Vec::new();
    let mut n = 0u64;
    while let Some(r) = rows.next().ctx("reading the audit log")? {
        let e = AuditEntry {
            id: r.get(0).ctx("audit id")?,
            at_utc: r.get(1).ctx("audit time")?,
            actor: r.get(2).ctx("audit actor")?,
            action: r.get(3).ctx("audit action")?,
            detail: r.get(4).ctx("audit detail")?,
            prev_hash: r.get(5).ctx("audit prev_hash")?,
            row_hash: r.get(6).ctx("audit row_hash")?,
        };
        n += 1;
        if e.id != expected_id {
            breaks.push(ChainBreak { id: e.id, problem: format!("row id {} where {} was expected: a row was deleted or inserted", e.id, expected_id) });
        }
        if e.prev_hash != prev {
            breaks.push(ChainBreak { id: e.id, problem: "prev_hash does not match the previous row's hash".into() });
        }
        let recomputed = row_hash(&e.prev_hash, e.id, &e.at_utc, &e.actor, &e.action, &e.detail);
        if recomputed != e.row_hash {
            breaks.push(ChainBreak { id: e.id, problem: "row content does not match its row_hash: the row was edited".into() });
        }
        prev = e.row_hash;
        expected_id = e.id + 1;
    }
    Ok((n, prev, breaks))
}

/// The whole log, oldest first.
pub fn entries(conn: &Connection) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn
        .prepare("SELECT id, at_utc, actor, action, detail, prev_hash, row_hash FROM audit_log ORDER BY id")
        .ctx("reading the audit log")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at_utc: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                detail: r.get(4)?,
                prev_hash: r.get(5)?,
                row_hash: r.get(6)?,
            })
        })
        .ctx("reading the audit log")?;
    rows.collect::<std::result::Result<Vec<_>, _>>().ctx("reading the audit log")
}
