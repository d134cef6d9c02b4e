//! Android `mmssms.db` (telephony provider): SMS, MMS and their threads (formats.md §2.5).
//!
//! - **SMS** (`sms`; Samsung's `spam_sms` too, status `spam`): `type` 1 inbox → incoming; 2 sent,
//!   3 draft, 4 outbox, 5 failed, 6 queued → outgoing with that status (LG: 7 blocked → incoming,
//!   8 scheduled → outgoing). `sms.status` (delivery report: 0 delivered, 32 pending, 64 failed) and
//!   a non-zero `error_code` are added to the status.
//! - **Times.** `sms.date`/`date_sent` are Unix ms; `pdu.date`/`date_sent` are Unix **s**. The
//!   message time is `date_sent` when set (the sender's / service centre's time; 0 on outgoing
//!   rows), else `date` (the time the device stored the row); for a received message `date` is
//!   kept as its received time.
//! - **MMS** (`pdu`): `msg_box` uses the SMS codes; `m_type` 130 (notification, not downloaded)
//!   gets status `not downloaded`. `addr` type 137 = from, 151 = to, 130 = cc, 129 = bcc (the
//!   placeholder `insert-address-token` is skipped). `part`: `text/plain` parts (in `seq` order)
//!   are the body (`body_source` `part`); `application/smil` is skipped; every other part is an
//!   attachment whose `_data` is kept as the device path (resolved by the store against the
//!   extraction's files). A text part stored only in a file (`_data`, no `text`) cannot be read
//!   from the database: `body_source` says so. The subject (`sub`) is the body when there is no
//!   text part, else it is added to the status.
//! - **Threads** (`threads.recipient_ids` → `canonical_addresses`): thread key = `thread_id`.
//! - Samsung's extra tables and columns are ignored, except `spam_sms`; a `deleted` column, where a
//!   vendor has one, sets the deleted flag. Rows deleted from the tables (free pages) are not
//!   recovered.

use std::collections::HashMap;

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Attachment, Direction, Message, Sink, Thread};
use super::super::sqlite::{as_i64, as_text, col_or_null, columns, has_table, qcol, require, require_table, what};
use super::super::time::{Stamp, Unit, stamp_i};
use super::super::{ParseCtx, ParseError, Parser};
use super::{has_col, shared_storage_path, text};

/// The parser.
pub struct AndroidSms;

/// Direction and status of an SMS `type` / MMS `msg_box`.
fn box_meaning(t: Option<i64>) -> (Direction, Option<&'static str>) {
    match t {
        Some(1) => (Direction::Incoming, None),
        Some(2) => (Direction::Outgoing, Some("sent")),
        Some(3) => (Direction::Outgoing, Some("draft")),
        Some(4) => (Direction::Outgoing, Some("outbox")),
        Some(5) => (Direction::Outgoing, Some("failed")),
        Some(6) => (Direction::Outgoing, Some("queued")),
        Some(7) => (Direction::Incoming, Some("blocked")),
        Some(8) => (Direction::Outgoing, Some("scheduled")),
        _ => (Direction::Unknown, None),
    }
}

/// `date_sent` when set (the sender's time), else `date` (the device's record time).
fn message_time(date: Option<i64>, date_sent: Option<i64>, unit: Unit) -> Option<Stamp> {
    match date_sent.filter(|v| *v > 0) {
        Some(v) => stamp_i(v, unit),
        None => date.and_then(|v| stamp_i(v, unit)),
    }
}

/// The device's `date` when the sent time came from `date_sent` (a received message).
fn received_time(date: Option<i64>, date_sent: Option<i64>, unit: Unit) -> Option<Stamp> {
    date_sent.filter(|v| *v > 0).and(date).and_then(|v| stamp_i(v, unit))
}

/// Columns an `sms` (or `spam_sms`) table cannot do without.
const SMS_REQUIRED: &[&str] = &["_id", "address", "date", "type", "body"];
/// Columns a `pdu` table cannot do without.
const PDU_REQUIRED: &[&str] = &["_id", "date", "msg_box"];

fn join_status(parts: Vec<String>) -> Option<String> {
    (!parts.is_empty()).then(|| parts.join("; "))
}

impl Parser for AndroidSms {
    fn name(&self) -> &'static str {
        "android-sms"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/com.android.providers.telephony/databases/mmssms.db"]
    }

    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let has_sms = has_table(db, "sms");
        let has_pdu = has_table(db, "pdu");
        if !has_sms && !has_pdu {
            return Err(ParseError::Schema("no `sms` or `pdu` table: not an Android mmssms.db".into()));
        }
        // Every telephony provider since Android 2 creates both tables: one without the other is
        // a damaged or unexpected database, never "a phone without SMS" (its rows would be lost
        // silently).
        for (table, present, other) in [("sms", has_sms, "pdu"), ("pdu", has_pdu, "sms")] {
            if !present {
                return Err(ParseError::Schema(format!(
                    "no `{table}` table although `{other}` is there: an Android mmssms.db missing its {} table, damaged or of an unexpected schema",
                    if table == "sms" { "SMS" } else { "MMS" }
                )));
            }
        }
        let sms_cols = require(db, "sms", SMS_REQUIRED).map_err(|e| what(e, "unexpected Android mmssms.db schema"))?;
        let pdu_cols = require(db, "pdu", PDU_REQUIRED).map_err(|e| what(e, "unexpected Android mmssms.db schema"))?;
        let spam_cols = require_table(db, "spam_sms", SMS_REQUIRED).map_err(|e| what(e, "unexpected Samsung spam_sms schema"))?;
        let addr_cols = require_table(db, "addr", &["msg_id", "type", "address"]).map_err(|e| what(e, "unexpected Android mmssms.db schema"))?;
        let part_cols = require_table(db, "part", &["mid", "_id"]).map_err(|e| what(e, "unexpected Android mmssms.db schema"))?;
        require_table(db, "threads", &["_id"]).map_err(|e| what(e, "unexpected Android mmssms.db schema"))?;
        require_table(db, "canonical_addresses", &["_id", "address"]).map_err(|e| what(e, "unexpected Android mmssms.db schema"))?;
        threads(db, out)?;
        sms(db, "sms", &sms_cols, out)?;
        if let Some(c) = spam_cols {
            sms(db, "spam_sms", &c, out)?;
        }
        mms(db, &pdu_cols, addr_cols.is_some(), part_cols, out)?;
        Ok(())
    }
}

fn threads(db: &Connection, out: &mut dyn Sink) -> Result<(), ParseError> {
    if !has_table(db, "threads") {
        return Ok(());
    }
    let mut addresses: HashMap<i64, String> = HashMap::new();
    if has_table(db, "canonical_addresses") {
        let mut st = db.prepare("SELECT _id, address FROM canonical_addresses")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            if let (Some(id), Some(a)) = (as_i64(r.get_ref(0)?), text(r.get_ref(1)?)) {
                addresses.insert(id, a);
            }
        }
    }
    let tcols = columns(db, "threads");
    let mut st = db.prepare(&format!("SELECT _id, {} FROM threads ORDER BY _id", col_or_null(&tcols, "recipient_ids")))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let Some(id) = as_i64(r.get_ref(0)?) else { continue };
        let participants: Vec<String> = text(r.get_ref(1)?)
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|s| s.parse::<i64>().ok())
            .map(|a| addresses.get(&a).cloned().unwrap_or_else(|| format!("canonical_addresses #{a} (missing)")))
            .collect();
        out.put(Artefact::Thread(Thread {
            src: ("threads", Some(id)),
            service: "sms".into(),
            key: id.to_string(),
            name: None,
            is_group: participants.len() > 1,
            participants,
        }))?;
    }
    Ok(())
}

fn sms(db: &Connection, table: &'static str, c: &[String], out: &mut dyn Sink) -> Result<(), ParseError> {
    let sql = format!(
        "SELECT _id, {}, {}, {}, {}, {}, {}, {}, {}, {} FROM \"{table}\" ORDER BY _id",
        col_or_null(c, "thread_id"),
        col_or_null(c, "address"),
        col_or_null(c, "date"),
        col_or_null(c, "date_sent"),
        col_or_null(c, "type"),
        col_or_null(c, "status"),
        col_or_null(c, "body"),
        col_or_null(c, "error_code"),
        col_or_null(c, "deleted"),
    );
    let mut st = db.prepare(&sql)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id = as_i64(r.get_ref(0)?);
        let address = text(r.get_ref(2)?);
        let ty = as_i64(r.get_ref(5)?);
        let (direction, box_status) = box_meaning(ty);
        let mut status: Vec<String> = Vec::new();
        if table == "spam_sms" {
            status.push("spam".into());
        }
        match (box_status, ty) {
            (Some(s), _) => status.push(s.into()),
            (None, Some(t)) if direction == Direction::Unknown => status.push(format!("type {t}")),
            _ => {}
        }
        if direction == Direction::Outgoing {
            match as_i64(r.get_ref(6)?) {
                Some(0) => status.push("delivered".into()),
                Some(32) => status.push("delivery pending".into()),
                Some(64) => status.push("delivery failed".into()),
                _ => {}
            }
        }
        if let Some(e) = as_i64(r.get_ref(8)?).filter(|e| *e != 0 && *e != -1) {
            status.push(format!("error {e}"));
        }
        let body = text(r.get_ref(7)?);
        out.put(Artefact::Message(Message {
            src: (table, id),
            thread_key: as_i64(r.get_ref(1)?).map(|t| t.to_string()),
            service: "sms".into(),
            direction,
            sender: if direction == Direction::Outgoing { None } else { address.clone() },
            recipients: if direction == Direction::Outgoing { address.into_iter().collect() } else { Vec::new() },
            body_source: body.as_ref().map(|_| "body"),
            body,
            sent: message_time(as_i64(r.get_ref(3)?), as_i64(r.get_ref(4)?), Unit::UnixMs),
            read: None,
            received: received_time(as_i64(r.get_ref(3)?), as_i64(r.get_ref(4)?), Unit::UnixMs),
            status: join_status(status),
            deleted: as_i64(r.get_ref(9)?) == Some(1),
        }))?;
    }
    Ok(())
}

struct Part {
    id: Option<i64>,
    ct: Option<String>,
    name: Option<String>,
    data: Option<String>,
    text: Option<String>,
}

fn mms(db: &Connection, c: &[String], has_addr: bool, part_cols: Option<Vec<String>>, out: &mut dyn Sink) -> Result<(), ParseError> {
    // Addresses per message: (type, address).
    let mut addrs: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    if has_addr {
        let mut st = db.prepare("SELECT msg_id, type, address FROM addr ORDER BY _id")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            if let (Some(m), Some(t), Some(a)) = (as_i64(r.get_ref(0)?), as_i64(r.get_ref(1)?), text(r.get_ref(2)?))
                && a != "insert-address-token"
            {
                addrs.entry(m).or_default().push((t, a));
            }
        }
    }
    let mut parts: HashMap<i64, Vec<Part>> = HashMap::new();
    if let Some(c) = part_cols {
        let sql = format!(
            "SELECT mid, _id, {}, {}, {}, {}, {}, {} FROM part ORDER BY mid, {}, _id",
            col_or_null(&c, "ct"),
            col_or_null(&c, "name"),
            col_or_null(&c, "cl"),
            col_or_null(&c, "fn"),
            col_or_null(&c, "_data"),
            col_or_null(&c, "text"),
            if has_col(&c, "seq") { "seq" } else { "_id" },
        );
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let Some(mid) = as_i64(r.get_ref(0)?) else { continue };
            parts.entry(mid).or_default().push(Part {
                id: as_i64(r.get_ref(1)?),
                ct: text(r.get_ref(2)?),
                name: text(r.get_ref(3)?).or(text(r.get_ref(4)?)).or(text(r.get_ref(5)?)),
                data: text(r.get_ref(6)?),
                // The empty string is kept: an empty text part is still a text part.
                text: as_text(r.get_ref(7)?),
            });
        }
    }
    let sql = format!(
        "SELECT p._id, {}, {}, {}, {}, {}, {}, {} FROM pdu p ORDER BY p._id",
        qcol(c, "p", "thread_id"),
        qcol(c, "p", "date"),
        qcol(c, "p", "date_sent"),
        qcol(c, "p", "msg_box"),
        qcol(c, "p", "m_type"),
        qcol(c, "p", "sub"),
        qcol(c, "p", "deleted"),
    );
    let mut st = db.prepare(&sql)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id = as_i64(r.get_ref(0)?);
        let msg_box = as_i64(r.get_ref(4)?);
        let m_type = as_i64(r.get_ref(5)?);
        let (mut direction, box_status) = box_meaning(msg_box);
        if direction == Direction::Unknown {
            // m_type: 128 send-req (outgoing); 130 notification-ind and 132 retrieve-conf (incoming).
            direction = match m_type {
                Some(128) => Direction::Outgoing,
                Some(130) | Some(132) => Direction::Incoming,
                _ => Direction::Unknown,
            };
        }
        let mut status: Vec<String> = Vec::new();
        match (box_status, msg_box) {
            (Some(s), _) => status.push(s.into()),
            (None, Some(b)) if b != 1 => status.push(format!("msg_box {b}")),
            _ => {}
        }
        if m_type == Some(130) {
            status.push("not downloaded".into());
        }
        let mine = id.and_then(|i| parts.get(&i)).map(Vec::as_slice).unwrap_or(&[]);
        let mut texts: Vec<String> = Vec::new();
        let mut text_in_file = false;
        let mut attachments: Vec<&Part> = Vec::new();
        for p in mine {
            let ct = p.ct.as_deref().unwrap_or("").to_ascii_lowercase();
            if ct == "application/smil" {
                continue;
            }
            if ct == "text/plain" || (ct.is_empty() && p.text.is_some()) {
                match &p.text {
                    Some(t) => texts.push(t.clone()),
                    None if p.data.is_some() => text_in_file = true,
                    None => {}
                }
            } else {
                attachments.push(p);
            }
        }
        let subject = text(r.get_ref(6)?);
        let joined = texts.join("\n");
        let (body, body_source) = if !joined.is_empty() {
            if let Some(s) = &subject {
                status.push(format!("subject: {s}"));
            }
            (Some(joined), Some(if text_in_file { "part (some text parts only in files, not read)" } else { "part" }))
        } else if text_in_file {
            (None, Some("part (text in a file, not read)"))
        } else if let Some(s) = subject {
            (Some(s), Some("subject"))
        } else {
            (None, None)
        };
        let list = id.and_then(|i| addrs.get(&i)).map(Vec::as_slice).unwrap_or(&[]);
        let of = |types: &[i64]| -> Vec<String> { list.iter().filter(|(t, _)| types.contains(t)).map(|(_, a)| a.clone()).collect() };
        let from = of(&[137]).into_iter().next();
        let recipients = if direction == Direction::Outgoing { of(&[151, 130, 129]) } else { of(&[151, 130]) };
        out.put(Artefact::Message(Message {
            src: ("pdu", id),
            thread_key: as_i64(r.get_ref(1)?).map(|t| t.to_string()),
            service: "mms".into(),
            direction,
            sender: if direction == Direction::Outgoing { None } else { from },
            recipients,
            body,
            body_source,
            sent: message_time(as_i64(r.get_ref(2)?), as_i64(r.get_ref(3)?), Unit::UnixS),
            read: None,
            received: received_time(as_i64(r.get_ref(2)?), as_i64(r.get_ref(3)?), Unit::UnixS),
            status: join_status(status),
            deleted: as_i64(r.get_ref(7)?) == Some(1),
        }))?;
        if let Some(mid) = id {
            for p in attachments {
                out.put(Artefact::Attachment(Attachment {
                    src: ("part", p.id),
                    message: ("pdu", mid),
                    filename: p.name.clone().or_else(|| p.data.as_ref().and_then(|d| d.rsplit('/').next().map(String::from))),
                    mime: p.ct.clone(),
                    size: None,
                    evidence_path: p.data.as_deref().map(shared_storage_path),
                }))?;
            }
        }
    }
    Ok(())
}
