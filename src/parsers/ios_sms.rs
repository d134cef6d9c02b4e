//! iOS `sms.db`: SMS, MMS, iMessage and RCS messages, chats and attachments.
//!
//! - Times: `date`/`date_read` are Cocoa nanoseconds on iOS 11+ and Cocoa seconds before. The unit
//!   is decided once per database, by the majority of its non-zero `message.date` values (`> 1e11`
//!   ⇒ ns, the magnitude rule of formats.md §2.1; a tie or no dates ⇒ ns), and every value is
//!   converted in that unit. A value whose magnitude belongs to the other unit is converted all the
//!   same and *flagged* (`implausible as cocoa-ns; plausible as cocoa-s`), never reinterpreted.
//! - Text: `text`, or, when it is NULL (iOS 16+), the string inside `attributedBody`, an archived
//!   `NSAttributedString` in Apple typedstream format ([`typedstream_text`]).
//! - "Recently Deleted" messages (iOS 16+, `chat_recoverable_message_join`) are kept and marked deleted.
//! - Tapbacks (`associated_message_type` 2000–3006) are recorded with status `reaction`.

use rusqlite::Connection;

use super::artefacts::{Artefact, Attachment, Direction, Message, Sink, Thread};
use super::sqlite::{as_f64, as_i64, as_text, col_or_null, columns, has_table, qcol, require, require_table, what};
use super::time::{Stamp, Unit, flag_other_unit, stamp, stamp_i};
use super::{ParseCtx, ParseError, Parser};

/// The parser.
pub struct IosSms;

/// Magnitude above which a Cocoa value is nanoseconds (1e11 s is the year 5170; 1e11 ns is 100 s).
const NS_ABOVE: f64 = 1e11;

/// The Cocoa unit of this database's dates: the unit of the majority of non-zero `message.date`
/// values (ties and empty tables: nanoseconds, the unit of every iOS since 11).
fn database_unit(db: &Connection) -> Unit {
    let counts: Option<(i64, i64)> = db
        .query_row(
            "SELECT coalesce(sum(abs(date) > 100000000000), 0), coalesce(sum(date != 0 AND abs(date) <= 100000000000), 0) FROM message WHERE typeof(date) IN ('integer', 'real', 'text')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    match counts {
        Some((ns, s)) if s > ns => Unit::CocoaS,
        _ => Unit::CocoaNs,
    }
}

/// A `date`-style column in the database's unit. A value of the other unit's magnitude is
/// converted in the database's unit and flagged. Integers (all iOS 11+ values) go through integer
/// arithmetic, so the raw value is kept exactly and the UTC µs is `ns / 1000` (through `f64` a
/// nanosecond date lost its last digits: 760569924490443648 was kept as …600).
fn cocoa(v: rusqlite::types::ValueRef<'_>, unit: Unit) -> Option<Stamp> {
    let (mut s, raw) = match v {
        rusqlite::types::ValueRef::Integer(i) => (stamp_i(i, unit)?, i as f64),
        _ => {
            let f = as_f64(v)?;
            (stamp(f, unit)?, f)
        }
    };
    let looks_ns = raw.abs() > NS_ABOVE;
    match unit {
        Unit::CocoaNs if !looks_ns => flag_other_unit(&mut s, raw, Unit::CocoaS),
        Unit::CocoaS if looks_ns => flag_other_unit(&mut s, raw, Unit::CocoaNs),
        _ => {}
    }
    Some(s)
}

/// The text of an `attributedBody` blob (typedstream): the bytes after the `NSString` class
/// reference's `+` marker, with a 1-byte length, or `0x81` + u16 LE, or `0x82` + u32 LE.
pub fn typedstream_text(blob: &[u8]) -> Option<String> {
    let start = blob.windows(8).position(|w| w == b"NSString")? + 8;
    let rest = &blob[start..];
    let plus = rest.iter().take(16).position(|&b| b == 0x2B)?;
    let mut i = plus + 1;
    let len = match *rest.get(i)? {
        0x81 => {
            let v = u16::from_le_bytes([*rest.get(i + 1)?, *rest.get(i + 2)?]) as usize;
            i += 3;
            v
        }
        0x82 => {
            let v = u32::from_le_bytes([*rest.get(i + 1)?, *rest.get(i + 2)?, *rest.get(i + 3)?, *rest.get(i + 4)?]) as usize;
            i += 5;
            v
        }
        b => {
            i += 1;
            b as usize
        }
    };
    let bytes = rest.get(i..i.checked_add(len)?)?;
    Some(String::from_utf8_lossy(bytes).into_owned())
}

fn expand_home(p: &str) -> String {
    if let Some(rest) = p.strip_prefix("~/") {
        format!("/private/var/mobile/{rest}")
    } else if let Some(rest) = p.strip_prefix("/var/mobile/") {
        format!("/private/var/mobile/{rest}")
    } else {
        p.to_string()
    }
}

impl Parser for IosSms {
    fn name(&self) -> &'static str {
        "ios-sms"
    }
    fn version(&self) -> &'static str {
        "2"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/Library/SMS/sms.db"]
    }

    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let mcols = columns(db, "message");
        if mcols.is_empty() || !has_table(db, "handle") {
            return Err(ParseError::Schema("no `message`/`handle` tables: not an iOS sms.db".into()));
        }
        let unexpected = |e| what(e, "unexpected iOS sms.db schema");
        require(db, "message", &["text", "date", "is_from_me", "handle_id"]).map_err(unexpected)?;
        require(db, "handle", &["id"]).map_err(unexpected)?;
        require_table(db, "chat", &["guid"]).map_err(unexpected)?;
        for join in ["chat_handle_join", "chat_message_join", "chat_recoverable_message_join"] {
            let other = if join == "chat_handle_join" { "handle_id" } else { "message_id" };
            require_table(db, join, &["chat_id", other]).map_err(unexpected)?;
        }
        require_table(db, "message_attachment_join", &["message_id", "attachment_id"]).map_err(unexpected)?;
        // Chats and their participants.
        let mut participants: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
        if has_table(db, "chat_handle_join") {
            let mut st = db.prepare("SELECT chj.chat_id, h.id FROM chat_handle_join chj JOIN handle h ON h.ROWID = chj.handle_id ORDER BY chj.chat_id, h.ROWID")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                if let (Some(c), Some(h)) = (as_i64(r.get_ref(0)?), as_text(r.get_ref(1)?)) {
                    participants.entry(c).or_default().push(h);
                }
            }
        }
        let mut groups = std::collections::HashSet::new();
        if has_table(db, "chat") {
            let ccols = columns(db, "chat");
            let sql = format!(
                "SELECT ROWID, guid, {}, {}, {}, {} FROM chat ORDER BY ROWID",
                col_or_null(&ccols, "chat_identifier"),
                col_or_null(&ccols, "display_name"),
                col_or_null(&ccols, "style"),
                col_or_null(&ccols, "service_name")
            );
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let id = as_i64(r.get_ref(0)?).unwrap_or(0);
                let is_group = as_i64(r.get_ref(4)?) == Some(43);
                if is_group {
                    groups.insert(id);
                }
                let name = as_text(r.get_ref(3)?).filter(|s| !s.is_empty());
                let ident = as_text(r.get_ref(2)?);
                out.put(Artefact::Thread(Thread {
                    src: ("chat", Some(id)),
                    service: as_text(r.get_ref(5)?).unwrap_or_else(|| "sms".into()).to_lowercase(),
                    key: id.to_string(),
                    name: name.or(ident),
                    is_group,
                    participants: participants.get(&id).cloned().unwrap_or_default(),
                }))?;
            }
        }
        let unit = database_unit(db);
        let recoverable = has_table(db, "chat_recoverable_message_join");
        let chat_of = if recoverable {
            "coalesce((SELECT chat_id FROM chat_message_join WHERE message_id = m.ROWID LIMIT 1), (SELECT chat_id FROM chat_recoverable_message_join WHERE message_id = m.ROWID LIMIT 1))"
        } else {
            "(SELECT chat_id FROM chat_message_join WHERE message_id = m.ROWID LIMIT 1)"
        };
        let deleted_expr = if recoverable { "EXISTS (SELECT 1 FROM chat_recoverable_message_join WHERE message_id = m.ROWID)" } else { "0" };
        let sql = format!(
            "SELECT m.ROWID, m.text, {ab}, m.date, {dr}, m.is_from_me, {svc}, h.id, {chat_of}, {amt}, {dest}, {err}, {deleted_expr}, {retracted}
             FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id ORDER BY m.ROWID",
            ab = qcol(&mcols, "m", "attributedBody"),
            dr = qcol(&mcols, "m", "date_read"),
            svc = qcol(&mcols, "m", "service"),
            amt = qcol(&mcols, "m", "associated_message_type"),
            dest = qcol(&mcols, "m", "destination_caller_id"),
            err = qcol(&mcols, "m", "error"),
            retracted = qcol(&mcols, "m", "date_retracted"),
        );
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let rowid = as_i64(r.get_ref(0)?).unwrap_or(0);
            let text = as_text(r.get_ref(1)?).filter(|s| !s.is_empty());
            let (body, body_source) = match text {
                Some(t) => (Some(t), Some("text")),
                None => match r.get_ref(2)? {
                    rusqlite::types::ValueRef::Blob(b) => match typedstream_text(b) {
                        Some(t) => (Some(t), Some("attributedBody")),
                        None => (None, Some("attributedBody (undecoded)")),
                    },
                    _ => (None, None),
                },
            };
            let from_me = as_i64(r.get_ref(5)?) == Some(1);
            let handle = as_text(r.get_ref(7)?);
            let chat = as_i64(r.get_ref(8)?);
            let amt = as_i64(r.get_ref(9)?).unwrap_or(0);
            let dest = as_text(r.get_ref(10)?).filter(|s| !s.is_empty());
            let error = as_i64(r.get_ref(11)?).unwrap_or(0);
            let deleted = as_i64(r.get_ref(12)?) == Some(1);
            let retracted = as_f64(r.get_ref(13)?).unwrap_or(0.0) != 0.0;
            let recipients = if from_me {
                match chat {
                    Some(c) if groups.contains(&c) => participants.get(&c).cloned().unwrap_or_default(),
                    _ => handle.clone().into_iter().collect(),
                }
            } else {
                Vec::new()
            };
            let status = if (2000..4000).contains(&amt) {
                Some("reaction".to_string())
            } else if retracted {
                Some("unsent".to_string())
            } else if error != 0 {
                Some(format!("error {error}"))
            } else {
                None
            };
            out.put(Artefact::Message(Message {
                src: ("message", Some(rowid)),
                thread_key: chat.map(|c| c.to_string()),
                service: as_text(r.get_ref(6)?).unwrap_or_else(|| "sms".into()).to_lowercase(),
                direction: if from_me { Direction::Outgoing } else { Direction::Incoming },
                sender: if from_me { dest } else { handle },
                recipients,
                body,
                body_source,
                sent: cocoa(r.get_ref(3)?, unit),
                read: cocoa(r.get_ref(4)?, unit),
                received: None,
                status,
                deleted,
            }))?;
        }
        if has_table(db, "message_attachment_join") && has_table(db, "attachment") {
            let acols = columns(db, "attachment");
            let sql = format!(
                "SELECT maj.message_id, a.ROWID, {}, {}, {}, {} FROM message_attachment_join maj JOIN attachment a ON a.ROWID = maj.attachment_id ORDER BY a.ROWID",
                col_or_null(&acols, "filename"),
                col_or_null(&acols, "mime_type"),
                col_or_null(&acols, "total_bytes"),
                col_or_null(&acols, "transfer_name")
            );
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let path = as_text(r.get_ref(2)?);
                out.put(Artefact::Attachment(Attachment {
                    src: ("attachment", as_i64(r.get_ref(1)?)),
                    message: ("message", as_i64(r.get_ref(0)?).unwrap_or(0)),
                    filename: as_text(r.get_ref(5)?).or_else(|| path.as_ref().and_then(|p| p.rsplit('/').next().map(String::from))),
                    mime: as_text(r.get_ref(3)?),
                    size: as_i64(r.get_ref(4)?),
                    evidence_path: path.map(|p| expand_home(&p)),
                }))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Unit, cocoa, typedstream_text};
    use rusqlite::types::ValueRef;

    #[test]
    fn integer_cocoa_dates_are_exact() {
        // A nanosecond date of a real macOS chat.db (imessage-database's test.db).
        let s = cocoa(ValueRef::Integer(760_569_924_490_443_648), Unit::CocoaNs).unwrap();
        assert_eq!(s.raw, "760569924490443648");
        assert_eq!(s.utc_us, Some(760_569_924_490_443 + 978_307_200_000_000));
        assert!(s.flag.is_none());
        // Seconds, integer and real, in a seconds database.
        assert_eq!(cocoa(ValueRef::Integer(700_000_000), Unit::CocoaS).unwrap().utc_us, Some((700_000_000 + 978_307_200) * 1_000_000));
        assert_eq!(cocoa(ValueRef::Real(700_000_000.5), Unit::CocoaS).unwrap().utc_us, Some((700_000_000 + 978_307_200) * 1_000_000 + 500_000));
        assert!(cocoa(ValueRef::Integer(0), Unit::CocoaNs).is_none());
        assert!(cocoa(ValueRef::Null, Unit::CocoaNs).is_none());
    }

    #[test]
    fn a_value_of_the_other_unit_is_converted_in_the_database_unit_and_flagged() {
        // Seconds in a nanosecond database: 0.7 s after 2001-01-01, flagged.
        let s = cocoa(ValueRef::Integer(700_000_000), Unit::CocoaNs).unwrap();
        assert_eq!((s.unit, s.utc_us), (Unit::CocoaNs, Some(978_307_200_000_000 + 700_000)));
        assert_eq!(s.flag.as_deref(), Some("implausible as cocoa-ns; plausible as cocoa-s"));
        // Nanoseconds in a seconds database.
        let s = cocoa(ValueRef::Integer(700_000_000_000_000_000), Unit::CocoaS).unwrap();
        assert_eq!(s.unit, Unit::CocoaS);
        assert!(s.flag.unwrap().contains("plausible as cocoa-ns"));
    }

    #[test]
    fn typedstream_lengths() {
        // Layout of a real single-run string (imessage-exporter's AttributedBodyTextOnly): length 0x0A.
        let mut b = b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01\x40\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01\x2b\x0aNoter test\x86".to_vec();
        assert_eq!(typedstream_text(&b).as_deref(), Some("Noter test"));
        // 0x81 + u16 length.
        let long = "é".repeat(200);
        let pos = b.windows(1).position(|w| w == [0x0a]).unwrap();
        b.truncate(pos);
        b.push(0x81);
        b.extend_from_slice(&(long.len() as u16).to_le_bytes());
        b.extend_from_slice(long.as_bytes());
        assert_eq!(typedstream_text(&b).as_deref(), Some(long.as_str()));
        // Truncated blob: no panic, no text.
        assert_eq!(typedstream_text(&b[..b.len() - 10]), None);
        assert_eq!(typedstream_text(b"garbage"), None);
    }
}
