//! Identifiers seen in the artefacts (senders, recipients, call peers, contact entries, account
//! names, and identifiers inside message text), normalised and recorded with where they were seen,
//! so the same person can be followed across devices. A post-pass: it resumes from the last row
//! it read per table and records a `runs` row.
//!
//! National phone numbers ("06 99 …") need a country: each source's default region is the country
//! most of its international numbers belong to (recorded in the run's message); without one, only
//! international numbers are read.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::identifiers::{IdKind, extract, phone_e164_lenient};
use crate::case::review::normalise_identifier;
use crate::case::{Case, TOOL_VERSION, now_rfc3339};
use crate::error::{Result, SqlContext};

/// `(table, SQL yielding id, source_id, field name, value, is_free_text)` past a given id.
const FIELDS: &[(&str, &str)] = &[
    ("messages", "SELECT id, source_id, 'sender', sender, 0 FROM messages WHERE id > ?1 AND sender IS NOT NULL
                  UNION ALL SELECT id, source_id, 'recipients', recipients, 0 FROM messages WHERE id > ?1 AND recipients IS NOT NULL
                  UNION ALL SELECT id, source_id, 'body', body, 1 FROM messages WHERE id > ?1 AND body IS NOT NULL"),
    ("calls", "SELECT id, source_id, 'peer', peer, 0 FROM calls WHERE id > ?1 AND peer IS NOT NULL"),
    ("contacts", "SELECT id, source_id, 'entries', entries, 0 FROM contacts WHERE id > ?1"),
    ("accounts", "SELECT id, source_id, 'username', username, 0 FROM accounts WHERE id > ?1 AND username IS NOT NULL"),
];

/// The country most of a source's international numbers belong to.
fn default_regions(case: &Case) -> Result<HashMap<i64, String>> {
    let mut counts: HashMap<i64, HashMap<String, usize>> = HashMap::new();
    let mut st = case
        .conn()
        .prepare("SELECT source_id, sender FROM messages WHERE sender LIKE '+%' UNION ALL SELECT source_id, peer FROM calls WHERE peer LIKE '+%'")
        .ctx("reading numbers")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).ctx("reading numbers")?;
    for row in rows {
        let (src, number) = row.ctx("reading numbers")?;
        if let Ok(n) = phonenumber::parse(None, &number)
            && let Some(id) = n.country().id()
        {
            *counts.entry(src).or_default().entry(format!("{id:?}")).or_default() += 1;
        }
    }
    Ok(counts.into_iter().filter_map(|(s, c)| c.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(r, _)| (s, r))).collect())
}

/// Identifiers in one field value.
fn identifiers_in(value: &str, free_text: bool, region: Option<&str>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if free_text {
        for f in extract(value, region) {
            let kind = match f.kind {
                IdKind::Phone => "phone",
                IdKind::Email => "email",
                IdKind::Iban => "iban",
                IdKind::Btc | IdKind::Eth | IdKind::Tron | IdKind::Xmr => "wallet",
                IdKind::Handle => "handle",
                IdKind::Card => "card",
                IdKind::Url => continue,
            };
            out.push((kind, f.value));
        }
        return out;
    }
    // Structured fields: a JSON list (recipients, contact entries) or one value.
    let values: Vec<String> = match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| match v {
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Object(o) => o.get("value").and_then(|v| v.as_str()).map(String::from),
                _ => None,
            })
            .collect(),
        _ => vec![value.to_string()],
    };
    for v in values {
        let v = v.trim();
        if let Some(user) = v.strip_suffix("@s.whatsapp.net").or_else(|| v.strip_suffix("@c.us")) {
            out.push(("whatsapp-jid", v.to_lowercase()));
            if let Some(p) = phone_e164_lenient(&format!("+{user}"), None) {
                out.push(("phone", p));
            }
        } else if v.ends_with("@g.us") {
            continue;
        } else if let Some(handle) = v.strip_prefix('@').filter(|h| !h.is_empty() && !h.contains(['@', ' '])) {
            out.push(("handle", format!("@{}", handle.to_lowercase())));
        } else if v.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.')) && !v.contains(' ') {
            out.push(("email", v.to_lowercase()));
        } else if v.chars().filter(|c| c.is_ascii_digit()).count() >= 7 && v.chars().all(|c| c.is_ascii_digit() || " +-.()".contains(c)) {
            if let Some(p) = phone_e164_lenient(v, if v.starts_with('+') || v.starts_with("00") { None } else { region }) {
                out.push(("phone", p));
            }
        } else {
            out.extend(identifiers_in(v, true, region).into_iter().filter(|(k, _)| *k != "phone"));
        }
    }
    out
}

/// Record what is new; returns the number of sightings added.
pub fn update(case: &mut Case) -> Result<i64> {
    let started = now_rfc3339();
    let regions = default_regions(case)?;
    let tx = case.conn_mut().transaction().ctx("linking identifiers")?;
    let mut added = 0i64;
    for (table, sql) in FIELDS {
        let last: i64 = tx
            .query_row("SELECT last_id FROM identifier_state WHERE ref_table = ?1", [table], |r| r.get(0))
            .optional()
            .ctx("reading the linking state")?
            .unwrap_or(0);
        let mut max = last;
        {
            let mut read = tx.prepare(sql).ctx("reading artefacts")?;
            let mut ident = tx.prepare("INSERT OR IGNORE INTO identifiers (kind, value, normalised) VALUES (?1, ?2, ?3)").ctx("recording identifiers")?;
            let mut find = tx.prepare("SELECT id FROM identifiers WHERE kind = ?1 AND normalised = ?2").ctx("recording identifiers")?;
            let mut seen = tx
                .prepare("INSERT OR IGNORE INTO identifier_sightings (identifier_id, source_id, ref_table, ref_id, field) VALUES (?1, ?2, ?3, ?4, ?5)")
                .ctx("recording sightings")?;
            let mut rows = read.query([last]).ctx("reading artefacts")?;
            while let Some(r) = rows.next().ctx("reading artefacts")? {
                let id: i64 = r.get(0).ctx("reading artefacts")?;
                let source: i64 = r.get(1).ctx("reading artefacts")?;
                let field: String = r.get(2).ctx("reading artefacts")?;
                let value: String = r.get(3).ctx("reading artefacts")?;
                let free: bool = r.get::<_, i64>(4).ctx("reading artefacts")? == 1;
                max = max.max(id);
                for (kind, v) in identifiers_in(&value, free, regions.get(&source).map(String::as_str)) {
                    let norm = normalise_identifier(kind, &v);
                    ident.execute(params![kind, v, norm]).ctx("recording identifiers")?;
                    let iid: i64 = find.query_row(params![kind, norm], |r| r.get(0)).ctx("recording identifiers")?;
                    added += seen.execute(params![iid, source, table, id, field]).ctx("recording sightings")? as i64;
                }
            }
        }
        tx.execute(
            "INSERT INTO identifier_state (ref_table, last_id) VALUES (?1, ?2) ON CONFLICT(ref_table) DO UPDATE SET last_id = excluded.last_id",
            params![table, max],
        )
        .ctx("recording the linking state")?;
    }
    let mut regions_text: Vec<String> = regions.iter().map(|(s, r)| format!("source {s}: {r}")).collect();
    regions_text.sort();
    tx.execute(
        "INSERT INTO runs (kind, name, version, started_utc, finished_utc, status, item_count, message) VALUES ('index', 'identifiers', ?1, ?2, ?3, 'ok', ?4, ?5)",
        params![
            TOOL_VERSION,
            started,
            now_rfc3339(),
            added,
            format!("{added} sightings; default regions for national numbers: {}", if regions_text.is_empty() { "none".to_string() } else { regions_text.join(", ") })
        ],
    )
    .ctx("recording the linking run")?;
    tx.commit().ctx("linking identifiers")?;
    Ok(added)
}

/// An identifier with where it was seen.
#[derive(Debug, Clone, Serialize)]
pub struct Seen {
    /// Kind.
    pub kind: String,
    /// Normalised value.
    pub value: String,
    /// Sources (devices) it was seen in.
    pub sources: Vec<i64>,
    /// Number of sightings.
    pub sightings: i64,
}

/// Identifiers seen in at least `min_sources` sources, most widespread first.
pub fn seen(case: &Case, kind: Option<&str>, min_sources: i64) -> Result<Vec<Seen>> {
    let mut st = case
        .conn()
        .prepare(
            "SELECT i.kind, i.normalised, group_concat(DISTINCT s.source_id), count(*), count(DISTINCT s.source_id) AS n
             FROM identifier_sightings s JOIN identifiers i ON i.id = s.identifier_id
             WHERE (?1 IS NULL OR i.kind = ?1)
             GROUP BY i.id HAVING n >= ?2 ORDER BY n DESC, count(*) DESC, i.normalised",
        )
        .ctx("listing identifiers")?;
    let rows = st
        .query_map(params![kind, min_sources], |r| {
            let list: String = r.get(2)?;
            let mut sources: Vec<i64> = list.split(',').filter_map(|s| s.parse().ok()).collect();
            sources.sort();
            Ok(Seen { kind: r.get(0)?, value: r.get(1)?, sources, sightings: r.get(3)? })
        })
        .ctx("listing identifiers")?;
    rows.collect::<std::result::Result<_, _>>().ctx("listing identifiers")
}
