//! Writes parsed artefacts into the case, inside the parser run's transaction, turning
//! parser-local keys (thread keys, source row ids) into case row ids.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::artefacts::Artefact;
use super::time::Stamp;
use crate::error::{Result, SqlContext};

/// Artefact tables a parser run writes to (each row carries its `run_id`).
const ARTEFACT_TABLES: &[&str] = &["attachments", "messages", "threads", "calls", "contacts", "web_visits", "locations", "accounts", "apps"];

/// Remove the rows that earlier runs of `parser` on the same file wrote, now that run `run_id` has
/// read that file again (a forced parse, or a new parser version): without this every re-run would
/// add the same rows once more. What points at those rows goes with them: their full-text entries,
/// identifier sightings and UFDR model provenance. Review items (tags, exhibits) refer to rows by
/// source, path, table and source row, which the new rows share, so they are unaffected. Runs
/// themselves stay in `runs`. Returns the number of artefact rows removed.
pub(super) fn supersede(conn: &Connection, run_id: i64, parser: &str, file_id: i64) -> Result<i64> {
    let old = "SELECT id FROM runs WHERE kind = 'parser' AND name = ?1 AND file_id = ?2 AND id != ?3";
    let ctx = "removing the rows of a superseded parser run";
    for (kind, table) in [("message", "messages"), ("contact", "contacts"), ("visit", "web_visits")] {
        conn.execute(&format!("DELETE FROM fts_text WHERE kind = '{kind}' AND ref_id IN (SELECT id FROM {table} WHERE run_id IN ({old}))"), params![parser, file_id, run_id])
            .ctx(ctx)?;
    }
    let mut removed = 0;
    for table in ARTEFACT_TABLES {
        conn.execute(
            &format!("DELETE FROM identifier_sightings WHERE ref_table = '{table}' AND ref_id IN (SELECT id FROM {table} WHERE run_id IN ({old}))"),
            params![parser, file_id, run_id],
        )
        .ctx(ctx)?;
        conn.execute(&format!("DELETE FROM ufdr_models WHERE ref_table = '{table}' AND ref_id IN (SELECT id FROM {table} WHERE run_id IN ({old}))"), params![parser, file_id, run_id])
            .ctx(ctx)?;
        removed += conn.execute(&format!("DELETE FROM {table} WHERE run_id IN ({old})"), params![parser, file_id, run_id]).ctx(ctx)? as i64;
    }
    Ok(removed)
}

pub(super) struct Store<'c> {
    conn: &'c Connection,
    source_id: i64,
    file_id: i64,
    run_id: i64,
    parser: &'static str,
    version: &'static str,
    threads: HashMap<String, i64>,
    messages: HashMap<(&'static str, i64), i64>,
}

/// The flags of a row's times in one text: a lone flag of the first (main) time as it is, the
/// others named (`sent: …; read: …`).
fn flags(list: &[(&str, Option<String>)]) -> Option<String> {
    let present: Vec<(usize, &str, &String)> = list.iter().enumerate().filter_map(|(i, (n, f))| f.as_ref().map(|f| (i, *n, f))).collect();
    match present.as_slice() {
        [] => None,
        [(0, _, f)] => Some((*f).clone()),
        many => Some(many.iter().map(|(_, n, f)| format!("{n}: {f}")).collect::<Vec<_>>().join("; ")),
    }
}

fn parts(s: &Option<Stamp>) -> (Option<i64>, Option<String>, Option<&'static str>, Option<String>) {
    match s {
        Some(s) => (s.utc_us, Some(s.raw.clone()), Some(s.unit.as_str()), s.flag.clone()),
        None => (None, None, None, None),
    }
}

impl<'c> Store<'c> {
    pub(super) fn new(conn: &'c Connection, source_id: i64, file_id: i64, run_id: i64, parser: &'static str, version: &'static str) -> Self {
        Store { conn, source_id, file_id, run_id, parser, version, threads: HashMap::new(), messages: HashMap::new() }
    }

    /// Case row id of the artefact written last.
    pub(super) fn last_row_id(&self) -> i64 {
        self.conn.last_insert_rowid()
    }

    /// Source and run the rows are written for.
    pub(super) fn source_and_run(&self) -> (i64, i64) {
        (self.source_id, self.run_id)
    }

    /// The connection rows are written on (inside the run's transaction).
    pub(super) fn conn(&self) -> &Connection {
        self.conn
    }

    /// Write one artefact; returns its kind for the run's counts.
    pub(super) fn put(&mut self, a: Artefact) -> Result<&'static str> {
        let (sid, fid, rid) = (self.source_id, self.file_id, self.run_id);
        match a {
            Artefact::Thread(t) => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO threads (source_id, file_id, run_id, src_table, src_row, service, thread_key, name, is_group, participants)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![sid, fid, rid, t.src.0, t.src.1, t.service, t.key, t.name, t.is_group, serde_json::to_string(&t.participants).unwrap_or_default()])
                    })
                    .ctx("writing a thread")?;
                self.threads.insert(t.key, self.conn.last_insert_rowid());
                Ok("threads")
            }
            Artefact::Message(m) => {
                let thread_id = m.thread_key.as_ref().and_then(|k| self.threads.get(k)).copied();
                let (s_utc, s_raw, s_unit, s_flag) = parts(&m.sent);
                let (r_utc, r_raw, r_unit, r_flag) = parts(&m.read);
                let (v_utc, v_raw, v_unit, v_flag) = parts(&m.received);
                let flag = flags(&[("sent", s_flag), ("read", r_flag), ("received", v_flag)]);
                self.conn
                    .prepare_cached(
                        "INSERT INTO messages (source_id, file_id, run_id, src_table, src_row, thread_id, service, direction, sender, recipients, body, body_source,
                                               sent_utc, sent_raw, sent_unit, read_utc, read_raw, read_unit, time_flag, status, deleted, parser, parser_version,
                                               received_utc, received_raw, received_unit)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            sid,
                            fid,
                            rid,
                            m.src.0,
                            m.src.1,
                            thread_id,
                            m.service,
                            m.direction.as_str(),
                            m.sender,
                            (!m.recipients.is_empty()).then(|| serde_json::to_string(&m.recipients).unwrap_or_default()),
                            m.body,
                            m.body_source,
                            s_utc,
                            s_raw,
                            s_unit,
                            r_utc,
                            r_raw,
                            r_unit,
                            flag,
                            m.status,
                            m.deleted,
                            self.parser,
                            self.version,
                            v_utc,
                            v_raw,
                            v_unit
                        ])
                    })
                    .ctx("writing a message")?;
                if let Some(row) = m.src.1 {
                    self.messages.insert((m.src.0, row), self.conn.last_insert_rowid());
                }
                Ok("messages")
            }
            Artefact::Attachment(a) => {
                let message_id = self.messages.get(&a.message).copied();
                let linked: Option<i64> = match &a.evidence_path {
                    Some(p) => {
                        // Exact path first; else the same file under another mount prefix.
                        let tail = p.find("/Library/").or_else(|| p.find("/media/")).or_else(|| p.find("/data/")).map(|i| &p[i..]).unwrap_or(p);
                        // The exact match uses the (source, path) index; the suffix scan only runs when it fails.
                        self.conn
                            .query_row("SELECT id FROM files WHERE source_id = ?1 AND path = ?2 LIMIT 1", params![sid, p], |r| r.get(0))
                            .ok()
                            .or_else(|| {
                                self.conn
                                    .query_row("SELECT id FROM files WHERE source_id = ?1 AND path LIKE '%' || ?2 LIMIT 1", params![sid, tail], |r| r.get(0))
                                    .ok()
                            })
                    }
                    None => None,
                };
                self.conn
                    .prepare_cached(
                        "INSERT INTO attachments (message_id, source_id, file_id, run_id, src_table, src_row, filename, mime, size, evidence_path, linked_file_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    )
                    .and_then(|mut s| s.execute(params![message_id, sid, fid, rid, a.src.0, a.src.1, a.filename, a.mime, a.size, a.evidence_path, linked]))
                    .ctx("writing an attachment")?;
                Ok("attachments")
            }
            Artefact::Call(c) => {
                let (utc, raw, unit, flag) = parts(&c.start);
                self.conn
                    .prepare_cached(
                        "INSERT INTO calls (source_id, file_id, run_id, src_table, src_row, service, direction, peer, peer_name, start_utc, start_raw, start_unit,
                                            time_flag, duration_s, answered, video, deleted, parser, parser_version, status)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            sid,
                            fid,
                            rid,
                            c.src.0,
                            c.src.1,
                            c.service,
                            c.direction.as_str(),
                            c.peer,
                            c.peer_name,
                            utc,
                            raw,
                            unit,
                            flag,
                            c.duration_s,
                            c.answered,
                            c.video,
                            c.deleted,
                            self.parser,
                            self.version,
                            c.status.as_ref().map(|st| st.as_str())
                        ])
                    })
                    .ctx("writing a call")?;
                Ok("calls")
            }
            Artefact::Contact(c) => {
                let (utc, raw, unit, c_flag) = parts(&c.created);
                let (m_utc, m_raw, m_unit, m_flag) = parts(&c.modified);
                let flag = flags(&[("created", c_flag), ("modified", m_flag)]);
                self.conn
                    .prepare_cached(
                        "INSERT INTO contacts (source_id, file_id, run_id, src_table, src_row, name, account, entries, created_utc, created_raw, created_unit, deleted, parser, parser_version,
                                               modified_utc, modified_raw, modified_unit, time_flag)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            sid,
                            fid,
                            rid,
                            c.src.0,
                            c.src.1,
                            c.name,
                            c.account,
                            serde_json::to_string(&c.entries).unwrap_or_default(),
                            utc,
                            raw,
                            unit,
                            c.deleted,
                            self.parser,
                            self.version,
                            m_utc,
                            m_raw,
                            m_unit,
                            flag
                        ])
                    })
                    .ctx("writing a contact")?;
                Ok("contacts")
            }
            Artefact::Visit(v) => {
                let (utc, raw, unit, flag) = parts(&v.visited);
                self.conn
                    .prepare_cached(
                        "INSERT INTO web_visits (source_id, file_id, run_id, src_table, src_row, browser, url, title, visit_utc, visit_raw, visit_unit, time_flag, parser, parser_version, search_term)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                    )
                    .and_then(|mut s| s.execute(params![sid, fid, rid, v.src.0, v.src.1, v.browser, v.url, v.title, utc, raw, unit, flag, self.parser, self.version, v.search_term]))
                    .ctx("writing a web visit")?;
                Ok("web visits")
            }
            Artefact::Location(l) => {
                let (utc, raw, unit, flag) = parts(&l.at);
                self.conn
                    .prepare_cached(
                        "INSERT INTO locations (source_id, file_id, run_id, src_table, src_row, kind, lat, lon, alt, accuracy_m, at_utc, at_raw, at_unit, time_flag, name, parser, parser_version)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![sid, fid, rid, l.src.0, l.src.1, l.kind, l.lat, l.lon, l.alt, l.accuracy_m, utc, raw, unit, flag, l.name, self.parser, self.version])
                    })
                    .ctx("writing a location")?;
                Ok("locations")
            }
            Artefact::Account(a) => {
                let (utc, raw, unit, _) = parts(&a.created);
                self.conn
                    .prepare_cached(
                        "INSERT INTO accounts (source_id, file_id, run_id, src_table, src_row, service, username, display_name, created_utc, created_raw, created_unit, parser, parser_version)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    )
                    .and_then(|mut s| s.execute(params![sid, fid, rid, a.src.0, a.src.1, a.service, a.username, a.display_name, utc, raw, unit, self.parser, self.version]))
                    .ctx("writing an account")?;
                Ok("accounts")
            }
            Artefact::App(a) => {
                let (utc, raw, unit, _) = parts(&a.installed);
                self.conn
                    .prepare_cached(
                        "INSERT INTO apps (source_id, file_id, run_id, src_table, src_row, identifier, name, version, installed_utc, installed_raw, installed_unit, deleted, parser, parser_version)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![sid, fid, rid, a.src.0, a.src.1, a.identifier, a.name, a.version, utc, raw, unit, a.deleted, self.parser, self.version])
                    })
                    .ctx("writing an app")?;
                Ok("apps")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::flags;

    #[test]
    fn flags_name_every_time_but_a_lone_main_one() {
        let f = |v: Option<&str>| v.map(String::from);
        assert_eq!(flags(&[("sent", None), ("read", None)]), None);
        assert_eq!(flags(&[("sent", f(Some("a"))), ("read", None)]).as_deref(), Some("a"));
        assert_eq!(flags(&[("sent", None), ("read", f(Some("b")))]).as_deref(), Some("read: b"));
        assert_eq!(flags(&[("sent", f(Some("a"))), ("read", None), ("received", f(Some("c")))]).as_deref(), Some("sent: a; received: c"));
    }
}
