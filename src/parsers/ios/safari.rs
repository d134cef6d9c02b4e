//! Safari `History.db` (formats.md §2.12), iOS and macOS; iOS 17+ also keeps one per profile in
//! `Safari/Profiles/<UUID>/History.db`.
//!
//! - One visit per `history_visits` row, its URL from `history_items`.
//! - `visit_time` is declared Cocoa seconds. iOS 26 is reported to store Unix seconds instead: such
//!   values are not converted by guess; they read as dates after 2045 and carry the flag
//!   `implausible as cocoa-s; plausible as unix-s`.
//! - `origin = 1` marks a visit synced from another device through iCloud: the browser is then
//!   `safari (iCloud-synced)` so that the visit is not taken for this device's user's own.
//! - A visit whose `history_items` row is missing keeps an empty URL (the row is not dropped).
//!
//! Not decoded: redirects (`redirect_source`/`redirect_destination`), `load_successful`,
//! `history_tombstones` (deleted-history ranges), `visit_count`, recent searches and tabs (other
//! files). Safari keeps no search-term table: a search shows only in its URL (`…/search?q=…`).

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Sink, Visit};
use super::super::sqlite::{as_f64, as_i64, as_text, columns, qcol, require, what};
use super::super::{ParseCtx, ParseError, Parser};
use super::cocoa_s;

/// The parser.
pub struct SafariHistory;

impl Parser for SafariHistory {
    fn name(&self) -> &'static str {
        "safari-history"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/Safari/History.db", "*/Safari/Profiles/*/History.db"]
    }

    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let vc = columns(db, "history_visits");
        let ic = columns(db, "history_items");
        let has = |cols: &[String], c: &str| cols.iter().any(|x| x.eq_ignore_ascii_case(c));
        if !has(&vc, "history_item") || !has(&vc, "visit_time") || !has(&ic, "url") {
            return Err(ParseError::Schema("no `history_visits`/`history_items` tables with `visit_time`/`url`: not a Safari History.db".into()));
        }
        require(db, "history_visits", &["id"]).map_err(|e| what(e, "unexpected Safari History.db schema"))?;
        require(db, "history_items", &["id"]).map_err(|e| what(e, "unexpected Safari History.db schema"))?;
        let sql = format!(
            "SELECT v.id, v.visit_time, {}, i.url, {} FROM history_visits v LEFT JOIN history_items i ON i.id = v.history_item ORDER BY v.id",
            qcol(&vc, "v", "title"),
            qcol(&vc, "v", "origin"),
        );
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let synced = as_i64(r.get_ref(4)?) == Some(1);
            out.put(Artefact::Visit(Visit {
                src: ("history_visits", as_i64(r.get_ref(0)?)),
                browser: if synced { "safari (iCloud-synced)".into() } else { "safari".into() },
                url: as_text(r.get_ref(3)?).unwrap_or_default(),
                title: as_text(r.get_ref(2)?).filter(|t| !t.is_empty()),
                visited: cocoa_s(as_f64(r.get_ref(1)?)),
                search_term: None,
            }))?;
        }
        Ok(())
    }
}
