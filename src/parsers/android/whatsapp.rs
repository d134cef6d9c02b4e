//! WhatsApp Android `msgstore.db` (and WhatsApp Business, `com.whatsapp.w4b`), formats.md §2.8.
//!
//! **Schemas.** The 2.22+ schema (`message` + `chat` + `jid`, `message_media`,
//! `message_location`, `message_revoked`, `group_participant_user`, `call_log`) and the legacy one
//! (`messages` with `key_remote_jid`, `chat_list`, `group_participants`). Transitional databases
//! hold both: `message` is read when it has rows, and then the legacy rows whose `key_id` is not in
//! `message` are added with status `only in legacy messages` (nothing migrated is read twice,
//! nothing left behind is lost). Which schema a row came from is its source table (`message` /
//! `messages`, threads `chat` / `chat_list`).
//!
//! - **Threads**: key = the chat's JID (both schemas); group = `@g.us`; participants from
//!   `group_participant_user` / `group_participants` (the owner, stored as an empty JID, is left out);
//!   one-to-one chats list the peer's JID. Name = group subject.
//! - **Messages**: `timestamp` Unix ms; direction `from_me` / `key_from_me`; sender: incoming group
//!   messages `sender_jid_row_id` / `remote_resource`, incoming one-to-one the chat JID, outgoing
//!   none (the owner's number is in `shared_prefs`, not here); recipients of outgoing messages: the
//!   chat JID, or the group's participants.
//! - **Body**: `text_data` / `data`, else the media caption, else a location as
//!   `geo:<lat>,<lon> (<place>)` (`body_source` says which).
//! - **Revoked** ("deleted for everyone": `message_type`/`media_wa_type` 15 or 64, or a
//!   `message_revoked` row) → deleted, status `revoked`.
//! - Status: the message kind (image, audio …, `type N` when unknown) and the receipt state
//!   (0 received, 4 waiting on server, 5 delivered, 6 control message, 8 played, 13 read).
//! - **Media**: `message_media` → attachment. Relative `file_path`s are resolved under
//!   `/data/media/0/Android/media/com.whatsapp/WhatsApp/` (Android 11+ layout; `…w4b/WhatsApp
//!   Business/` for Business); absolute `/storage/emulated/N/…` paths become `/data/media/N/…`.
//!   Legacy media rows become attachments without a path (the path is inside the Java-serialised
//!   `thumb_image` blob, not decoded); legacy relative paths would be under `/data/media/0/WhatsApp/`.
//! - **Calls**: `call_log` → calls with service `whatsapp`; `call_result` 5 (connected) or a
//!   duration > 0 → answered, any other recorded result → not answered; status `outgoing`,
//!   `incoming` (answered) or `missed` (the other `call_result` codes are not told apart: a
//!   declined call reads as missed); group calls name the
//!   group JID as peer (`call_log_participant_v2` members are not listed).
//! - The placeholder rows are skipped: legacy `messages` JID `-1`, new `message` `chat_row_id` -1
//!   with `key_id` '-1' (a transitional database whose `message` holds only that row is read as
//!   legacy).
//! - **Received / read** (Unix ms): an incoming message's `received_timestamp` (when this device
//!   stored it) is its received time; an outgoing message's received time is the first delivery
//!   receipt (`receipt_user.receipt_timestamp`, else `receipt_device.receipt_device_timestamp`;
//!   legacy `receipt_device_timestamp`, else the `receipts` table) and its read time the first read
//!   receipt (`receipt_user.read_timestamp`; legacy `read_device_timestamp`). In a group that is
//!   the earliest recipient; receipts of the other members are not listed. An incoming message's
//!   own read time is not recorded by WhatsApp. `receipt_server_timestamp` is not kept.
//! - Not read: reactions (`message_add_on`), quotes, per-participant receipts, `jid_map` (LID ↔
//!   phone JIDs), encrypted backups (`.crypt14/15`), rows in free pages.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Attachment, Call, CallStatus, Direction, Message, Sink, Thread};
use super::super::sqlite::{as_f64, as_i64, columns, has_table, qcol, require, require_table, what};
use super::super::time::{Unit, stamp_i};
use super::super::{ParseCtx, ParseError, Parser};
use super::{has_col, row_count, shared_storage_path, text};

/// The parser.
pub struct AndroidWhatsApp;

const SERVICE: &str = "whatsapp";

fn type_label(t: i64) -> Option<String> {
    Some(
        match t {
            0 => return None,
            1 => "image",
            2 => "audio",
            3 => "video",
            4 => "contact card",
            5 => "location",
            7 => "system",
            9 => "document",
            13 => "gif",
            16 => "live location",
            20 => "sticker",
            42 => "view-once image",
            43 => "view-once video",
            _ => return Some(format!("type {t}")),
        }
        .to_string(),
    )
}

fn receipt_label(s: i64, from_me: bool) -> Option<String> {
    Some(
        match s {
            0 if !from_me => return None,
            0 => "pending",
            4 => "waiting on server",
            5 => "delivered",
            6 => "control message",
            8 => "played",
            13 => "read",
            _ => return Some(format!("status {s}")),
        }
        .to_string(),
    )
}

fn is_revoked(t: Option<i64>) -> bool {
    matches!(t, Some(15) | Some(64))
}

/// A media path as a virtual path of the extraction.
fn media_path(p: &str, business: bool, legacy: bool) -> String {
    if p.starts_with('/') {
        return shared_storage_path(p);
    }
    let base = match (business, legacy) {
        (false, false) => "/data/media/0/Android/media/com.whatsapp/WhatsApp",
        (true, false) => "/data/media/0/Android/media/com.whatsapp.w4b/WhatsApp Business",
        (false, true) => "/data/media/0/WhatsApp",
        (true, true) => "/data/media/0/WhatsApp Business",
    };
    format!("{base}/{}", p.trim_start_matches("./"))
}

fn geo(lat: Option<f64>, lon: Option<f64>, place: Option<String>) -> Option<String> {
    let (lat, lon) = (lat?, lon?);
    if lat == 0.0 && lon == 0.0 {
        return None;
    }
    Some(match place {
        Some(p) => format!("geo:{lat},{lon} ({p})"),
        None => format!("geo:{lat},{lon}"),
    })
}

fn is_group(jid: &str) -> bool {
    jid.ends_with("@g.us")
}

struct Chat {
    jid: String,
    participants: Vec<String>,
}

impl Parser for AndroidWhatsApp {
    fn name(&self) -> &'static str {
        "android-whatsapp"
    }
    fn version(&self) -> &'static str {
        "2"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/com.whatsapp/databases/msgstore.db", "*/com.whatsapp.w4b/databases/msgstore.db"]
    }

    fn parse(&self, db: &Connection, ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let business = ctx.path.to_ascii_lowercase().contains("/com.whatsapp.w4b/");
        let mcols = columns(db, "message");
        let lcols = columns(db, "messages");
        let new = has_col(&mcols, "chat_row_id") && has_table(db, "chat") && has_table(db, "jid");
        let legacy = has_col(&lcols, "key_remote_jid");
        if !new && !legacy {
            return Err(ParseError::Schema(
                "neither the 2.22+ schema (`message` + `chat` + `jid`) nor the legacy `messages` table: not a WhatsApp msgstore.db".into(),
            ));
        }
        let unexpected = |e| what(e, "unexpected WhatsApp msgstore.db schema");
        if new {
            require(db, "message", &["_id", "chat_row_id", "from_me", "timestamp"]).map_err(unexpected)?;
            require(db, "chat", &["_id", "jid_row_id"]).map_err(unexpected)?;
            require(db, "jid", &["_id"]).map_err(unexpected)?;
            require_table(db, "message_media", &["message_row_id"]).map_err(unexpected)?;
            require_table(db, "message_location", &["message_row_id"]).map_err(unexpected)?;
            require_table(db, "message_revoked", &["message_row_id"]).map_err(unexpected)?;
        }
        if legacy {
            require(db, "messages", &["_id", "key_remote_jid", "key_from_me", "timestamp"]).map_err(unexpected)?;
        }
        let legacy_rows = if legacy { row_count(db, "messages") } else { 0 };
        if new && legacy_rows > 0 && real_message_rows(db, &mcols) > 0 {
            // Unmigrated legacy rows are told apart by their `key_id`.
            require(db, "messages", &["key_id"]).map_err(unexpected)?;
            require(db, "message", &["key_id"]).map_err(unexpected)?;
        }
        let mut threads_done: HashSet<String> = HashSet::new();
        if new && (real_message_rows(db, &mcols) > 0 || legacy_rows == 0) {
            let jids = jid_map(db)?;
            new_schema(db, &mcols, &jids, business, out, &mut threads_done)?;
            if legacy_rows > 0 {
                legacy_schema(db, &lcols, true, out, &mut threads_done)?;
            }
            calls(db, &jids, out)?;
        } else {
            legacy_schema(db, &lcols, false, out, &mut threads_done)?;
            if new || has_table(db, "jid") {
                let jids = jid_map(db)?;
                calls(db, &jids, out)?;
            }
        }
        Ok(())
    }
}

/// `message` holds a placeholder row (`_id` 1, `chat_row_id` -1, `key_id` '-1') like the legacy
/// table's: not a message.
fn placeholder_filter(mcols: &[String]) -> &'static str {
    if has_col(mcols, "key_id") { "WHERE NOT (m.chat_row_id IS -1 AND m.key_id IS '-1')" } else { "WHERE m.chat_row_id IS NOT -1" }
}

/// Rows of `message` other than its placeholder (0 when the count fails: the legacy table is read).
fn real_message_rows(db: &Connection, mcols: &[String]) -> i64 {
    db.query_row(&format!("SELECT count(*) FROM message m {}", placeholder_filter(mcols)), [], |r| r.get(0)).unwrap_or(0)
}

fn jid_map(db: &Connection) -> Result<HashMap<i64, String>, ParseError> {
    let mut jids = HashMap::new();
    if !has_table(db, "jid") {
        return Ok(jids);
    }
    let c = columns(db, "jid");
    let sql = format!("SELECT j._id, {}, {}, {} FROM jid j", qcol(&c, "j", "raw_string"), qcol(&c, "j", "user"), qcol(&c, "j", "server"));
    let mut st = db.prepare(&sql)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let Some(id) = as_i64(r.get_ref(0)?) else { continue };
        let (user, server) = (text(r.get_ref(2)?), text(r.get_ref(3)?));
        let jid = text(r.get_ref(1)?).or(match (user, server) {
            (Some(u), Some(s)) => Some(format!("{u}@{s}")),
            (None, Some(s)) => Some(s),
            (Some(u), None) => Some(u),
            (None, None) => None,
        });
        if let Some(j) = jid {
            jids.insert(id, j);
        }
    }
    Ok(jids)
}

/// Group JID → member JIDs, from `group_participant_user` (new) and `group_participants` (legacy).
fn group_members(db: &Connection, jids: &HashMap<i64, String>) -> Result<HashMap<String, Vec<String>>, ParseError> {
    let mut members: HashMap<String, Vec<String>> = HashMap::new();
    if has_table(db, "group_participant_user") {
        let mut st = db.prepare("SELECT group_jid_row_id, user_jid_row_id FROM group_participant_user ORDER BY _id")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let g = as_i64(r.get_ref(0)?).and_then(|i| jids.get(&i));
            let u = as_i64(r.get_ref(1)?).and_then(|i| jids.get(&i));
            if let (Some(g), Some(u)) = (g, u) {
                let list = members.entry(g.clone()).or_default();
                if !list.contains(u) {
                    list.push(u.clone());
                }
            }
        }
    }
    if has_table(db, "group_participants") && has_col(&columns(db, "group_participants"), "gjid") {
        let mut st = db.prepare("SELECT gjid, jid FROM group_participants ORDER BY rowid")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            if let (Some(g), Some(u)) = (text(r.get_ref(0)?), text(r.get_ref(1)?)) {
                let list = members.entry(g).or_default();
                if !list.contains(&u) {
                    list.push(u);
                }
            }
        }
    }
    Ok(members)
}

fn put_thread(out: &mut dyn Sink, done: &mut HashSet<String>, src: (&'static str, Option<i64>), jid: &str, name: Option<String>, members: &HashMap<String, Vec<String>>) -> Result<Vec<String>, ParseError> {
    let participants = if is_group(jid) { members.get(jid).cloned().unwrap_or_default() } else { vec![jid.to_string()] };
    if done.insert(jid.to_string()) {
        out.put(Artefact::Thread(Thread { src, service: SERVICE.into(), key: jid.to_string(), name, is_group: is_group(jid), participants: participants.clone() }))?;
    }
    Ok(participants)
}

fn new_schema(db: &Connection, mcols: &[String], jids: &HashMap<i64, String>, business: bool, out: &mut dyn Sink, done: &mut HashSet<String>) -> Result<(), ParseError> {
    let members = group_members(db, jids)?;
    let mut chats: HashMap<i64, Chat> = HashMap::new();
    {
        let c = columns(db, "chat");
        let sql = format!("SELECT c._id, {}, {} FROM chat c ORDER BY c._id", qcol(&c, "c", "jid_row_id"), qcol(&c, "c", "subject"));
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let Some(id) = as_i64(r.get_ref(0)?) else { continue };
            let jid = as_i64(r.get_ref(1)?).and_then(|j| jids.get(&j).cloned()).unwrap_or_else(|| format!("chat #{id} (jid missing)"));
            let participants = put_thread(out, done, ("chat", Some(id)), &jid, text(r.get_ref(2)?), &members)?;
            chats.insert(id, Chat { jid, participants });
        }
    }
    let mm = if has_table(db, "message_media") { columns(db, "message_media") } else { Vec::new() };
    let ml = if has_table(db, "message_location") { columns(db, "message_location") } else { Vec::new() };
    let revoked = if has_table(db, "message_revoked") { "EXISTS (SELECT 1 FROM message_revoked r WHERE r.message_row_id = m._id)" } else { "0" };
    let (delivered, read) = receipt_columns(db);
    let sql = format!(
        "SELECT m._id, {chat}, {from_me}, {sender}, {status}, {ts}, {mtype}, {text}, {revoked},
                {fp}, {mime}, {size}, {mname}, {caption}, {lat}, {lon}, {place},
                {received}, {delivered}, {read}
         FROM message m {mm_join} {ml_join} {filter} ORDER BY m._id",
        filter = placeholder_filter(mcols),
        received = qcol(mcols, "m", "received_timestamp"),
        chat = qcol(mcols, "m", "chat_row_id"),
        from_me = qcol(mcols, "m", "from_me"),
        sender = qcol(mcols, "m", "sender_jid_row_id"),
        status = qcol(mcols, "m", "status"),
        ts = qcol(mcols, "m", "timestamp"),
        mtype = qcol(mcols, "m", "message_type"),
        text = qcol(mcols, "m", "text_data"),
        fp = qcol(&mm, "mm", "file_path"),
        mime = qcol(&mm, "mm", "mime_type"),
        size = qcol(&mm, "mm", "file_size"),
        mname = qcol(&mm, "mm", "media_name"),
        caption = qcol(&mm, "mm", "media_caption"),
        lat = qcol(&ml, "ml", "latitude"),
        lon = qcol(&ml, "ml", "longitude"),
        place = qcol(&ml, "ml", "place_name"),
        mm_join = if mm.is_empty() { "" } else { "LEFT JOIN message_media mm ON mm.message_row_id = m._id" },
        ml_join = if ml.is_empty() { "" } else { "LEFT JOIN message_location ml ON ml.message_row_id = m._id" },
    );
    let mut st = db.prepare(&sql)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let Some(id) = as_i64(r.get_ref(0)?) else { continue };
        let chat = as_i64(r.get_ref(1)?).and_then(|c| chats.get(&c));
        let from_me = as_i64(r.get_ref(2)?);
        let direction = match from_me {
            Some(1) => Direction::Outgoing,
            Some(0) => Direction::Incoming,
            _ => Direction::Unknown,
        };
        let mtype = as_i64(r.get_ref(6)?);
        let revoked = is_revoked(mtype) || as_i64(r.get_ref(8)?) == Some(1);
        let (body, body_source) = match (text(r.get_ref(7)?), text(r.get_ref(13)?)) {
            (Some(t), _) => (Some(t), Some("text_data")),
            (None, Some(c)) => (Some(c), Some("media_caption")),
            (None, None) => match geo(as_f64(r.get_ref(14)?), as_f64(r.get_ref(15)?), text(r.get_ref(16)?)) {
                Some(g) => (Some(g), Some("message_location")),
                None => (None, None),
            },
        };
        let status = if revoked {
            Some("revoked".to_string())
        } else {
            let parts: Vec<String> = [mtype.and_then(type_label), as_i64(r.get_ref(4)?).and_then(|s| receipt_label(s, direction == Direction::Outgoing))].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        };
        let chat_jid = chat.map(|c| c.jid.clone());
        let group = chat_jid.as_deref().is_some_and(is_group);
        let sender = match direction {
            Direction::Outgoing => None,
            _ => as_i64(r.get_ref(3)?).filter(|s| *s > 0).and_then(|s| jids.get(&s).cloned()).or_else(|| if group { None } else { chat_jid.clone() }),
        };
        let recipients = match (direction, chat) {
            (Direction::Outgoing, Some(c)) => c.participants.clone(),
            _ => Vec::new(),
        };
        out.put(Artefact::Message(Message {
            src: ("message", Some(id)),
            thread_key: chat_jid,
            service: SERVICE.into(),
            direction,
            sender,
            recipients,
            body,
            body_source,
            sent: as_i64(r.get_ref(5)?).and_then(|v| stamp_i(v, Unit::UnixMs)),
            read: receipt_time(direction, None, as_i64(r.get_ref(19)?)),
            received: receipt_time(direction, as_i64(r.get_ref(17)?), as_i64(r.get_ref(18)?)),
            status,
            deleted: revoked,
        }))?;
        let path = text(r.get_ref(9)?);
        let mime = text(r.get_ref(10)?);
        let name = text(r.get_ref(12)?);
        if path.is_some() || mime.is_some() || name.is_some() {
            out.put(Artefact::Attachment(Attachment {
                src: ("message_media", Some(id)),
                message: ("message", id),
                filename: name.or_else(|| path.as_ref().and_then(|p| p.rsplit('/').next().map(String::from))),
                mime,
                size: as_i64(r.get_ref(11)?),
                evidence_path: path.map(|p| media_path(&p, business, false)),
            }))?;
        }
    }
    Ok(())
}

/// SQL for the earliest set (> 0) `col` of `table` whose `key` equals `outer` (a column of the
/// message row). Receipt tables often have no index on the key, and a correlated subquery per
/// message then scans the whole table each time (40 s for 40,000 messages): the minima are first
/// gathered once into an indexed TEMP table (the scratch copy itself is not written; the table
/// is made with `AS SELECT` so `k` keeps the key column's affinity and the index is usable). When that cannot
/// be made, the plain correlated subquery is used.
fn earliest(db: &Connection, table: &str, key: &str, outer: &str, col: &str) -> String {
    let temp = format!("tl_min_{table}_{col}");
    let made = db.execute_batch(&format!(
        "DROP TABLE IF EXISTS temp.\"{temp}\";
         CREATE TEMP TABLE \"{temp}\" AS SELECT \"{key}\" AS k, min(\"{col}\") AS v FROM \"{table}\" WHERE \"{col}\" > 0 AND \"{key}\" IS NOT NULL GROUP BY \"{key}\";
         CREATE INDEX temp.\"{temp}_k\" ON \"{temp}\"(k);"
    ));
    match made {
        Ok(()) => format!("(SELECT x.v FROM temp.\"{temp}\" x WHERE x.k = {outer})"),
        Err(_) => format!("(SELECT min(x.\"{col}\") FROM \"{table}\" x WHERE x.\"{key}\" = {outer} AND x.\"{col}\" > 0)"),
    }
}

/// SQL for the first delivery and first read receipt of a `message` row (`m`): `receipt_user`
/// (per recipient), else `receipt_device` for delivery; `NULL` when the tables are absent.
/// Unset values (0, -1) are left out.
fn receipt_columns(db: &Connection) -> (String, String) {
    let ru = columns(db, "receipt_user");
    let rd = columns(db, "receipt_device");
    let min_of = |table: &str, col: &str| earliest(db, table, "message_row_id", "m._id", col);
    let user_delivered = (has_col(&ru, "message_row_id") && has_col(&ru, "receipt_timestamp")).then(|| min_of("receipt_user", "receipt_timestamp"));
    let device_delivered = (has_col(&rd, "message_row_id") && has_col(&rd, "receipt_device_timestamp")).then(|| min_of("receipt_device", "receipt_device_timestamp"));
    let delivered = match (user_delivered, device_delivered) {
        (Some(u), Some(d)) => format!("coalesce({u}, {d})"),
        (Some(u), None) => u,
        (None, Some(d)) => d,
        (None, None) => "NULL".into(),
    };
    let read = if has_col(&ru, "message_row_id") && has_col(&ru, "read_timestamp") { min_of("receipt_user", "read_timestamp") } else { "NULL".into() };
    (delivered, read)
}

/// SQL for a legacy receipt time of a `messages` row (`m`): its own column, else the earliest in
/// the `receipts` table (one row per group member) for the same `key_id`.
fn legacy_receipt(db: &Connection, lcols: &[String], col: &str) -> String {
    let own = has_col(lcols, col).then(|| format!("nullif(m.\"{col}\", -1)"));
    let rc = columns(db, "receipts");
    let table = (has_col(&rc, "key_id") && has_col(&rc, col) && has_col(lcols, "key_id"))
        .then(|| earliest(db, "receipts", "key_id", "m.key_id", col));
    match (own, table) {
        (Some(o), Some(t)) => format!("coalesce(nullif({o}, 0), {t})"),
        (Some(o), None) => o,
        (None, Some(t)) => t,
        (None, None) => "NULL".into(),
    }
}

/// Received or read time of a message: incoming messages take the device's own time (`stored`),
/// outgoing ones the recipients' receipt (`receipt`). Unix ms; 0 and -1 are "not set".
fn receipt_time(direction: Direction, stored: Option<i64>, receipt: Option<i64>) -> Option<super::super::time::Stamp> {
    let v = match direction {
        Direction::Incoming => stored,
        Direction::Outgoing => receipt,
        Direction::Unknown => None,
    };
    v.filter(|v| *v > 0).and_then(|v| stamp_i(v, Unit::UnixMs))
}

/// The legacy `messages` table; `only_unmigrated` keeps the rows whose `key_id` is not in `message`.
fn legacy_schema(db: &Connection, lcols: &[String], only_unmigrated: bool, out: &mut dyn Sink, done: &mut HashSet<String>) -> Result<(), ParseError> {
    let members = group_members(db, &HashMap::new())?;
    if has_table(db, "chat_list") {
        let c = columns(db, "chat_list");
        if has_col(&c, "key_remote_jid") {
            let sql = format!("SELECT l.rowid, l.key_remote_jid, {} FROM chat_list l ORDER BY l.rowid", qcol(&c, "l", "subject"));
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(jid) = text(r.get_ref(1)?) {
                    put_thread(out, done, ("chat_list", as_i64(r.get_ref(0)?)), &jid, text(r.get_ref(2)?), &members)?;
                }
            }
        }
    }
    // `_id` 1 with the JID `-1` is the table's placeholder row, not a message.
    let filter = if only_unmigrated {
        "WHERE m.key_remote_jid IS NOT '-1' AND (m.key_id IS NULL OR m.key_id NOT IN (SELECT key_id FROM message WHERE key_id IS NOT NULL))"
    } else {
        "WHERE m.key_remote_jid IS NOT '-1'"
    };
    let sql = format!(
        "SELECT m._id, m.key_remote_jid, {from_me}, {rr}, {status}, {data}, {ts}, {wa_type}, {mime}, {mname}, {caption}, {size}, {lat}, {lon},
                {received}, {delivered}, {read}
         FROM messages m {filter} ORDER BY m._id",
        received = qcol(lcols, "m", "received_timestamp"),
        delivered = legacy_receipt(db, lcols, "receipt_device_timestamp"),
        read = legacy_receipt(db, lcols, "read_device_timestamp"),
        from_me = qcol(lcols, "m", "key_from_me"),
        rr = qcol(lcols, "m", "remote_resource"),
        status = qcol(lcols, "m", "status"),
        data = qcol(lcols, "m", "data"),
        ts = qcol(lcols, "m", "timestamp"),
        wa_type = qcol(lcols, "m", "media_wa_type"),
        mime = qcol(lcols, "m", "media_mime_type"),
        mname = qcol(lcols, "m", "media_name"),
        caption = qcol(lcols, "m", "media_caption"),
        size = qcol(lcols, "m", "media_size"),
        lat = qcol(lcols, "m", "latitude"),
        lon = qcol(lcols, "m", "longitude"),
    );
    let mut st = db.prepare(&sql)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let Some(id) = as_i64(r.get_ref(0)?) else { continue };
        let jid = text(r.get_ref(1)?);
        let participants = match &jid {
            Some(j) => put_thread(out, done, ("messages", Some(id)), j, None, &members)?,
            None => Vec::new(),
        };
        let from_me = as_i64(r.get_ref(2)?);
        let direction = match from_me {
            Some(1) => Direction::Outgoing,
            Some(0) => Direction::Incoming,
            _ => Direction::Unknown,
        };
        let wa_type = as_i64(r.get_ref(7)?);
        let revoked = is_revoked(wa_type);
        let (body, body_source) = match (text(r.get_ref(5)?), text(r.get_ref(10)?)) {
            (Some(t), _) => (Some(t), Some("data")),
            (None, Some(c)) => (Some(c), Some("media_caption")),
            (None, None) if matches!(wa_type, Some(5) | Some(16)) => match geo(as_f64(r.get_ref(12)?), as_f64(r.get_ref(13)?), None) {
                Some(g) => (Some(g), Some("latitude/longitude")),
                None => (None, None),
            },
            _ => (None, None),
        };
        let mut parts: Vec<String> = Vec::new();
        if revoked {
            parts.push("revoked".into());
        } else {
            parts.extend(wa_type.and_then(type_label));
            parts.extend(as_i64(r.get_ref(4)?).and_then(|s| receipt_label(s, direction == Direction::Outgoing)));
        }
        if only_unmigrated {
            parts.push("only in legacy messages".into());
        }
        let group = jid.as_deref().is_some_and(is_group);
        let sender = match direction {
            Direction::Outgoing => None,
            _ => text(r.get_ref(3)?).or_else(|| if group { None } else { jid.clone() }),
        };
        out.put(Artefact::Message(Message {
            src: ("messages", Some(id)),
            thread_key: jid,
            service: SERVICE.into(),
            direction,
            sender,
            recipients: if direction == Direction::Outgoing { participants } else { Vec::new() },
            body,
            body_source,
            sent: as_i64(r.get_ref(6)?).and_then(|v| stamp_i(v, Unit::UnixMs)),
            read: receipt_time(direction, None, as_i64(r.get_ref(16)?)),
            received: receipt_time(direction, as_i64(r.get_ref(14)?), as_i64(r.get_ref(15)?)),
            status: (!parts.is_empty()).then(|| parts.join("; ")),
            deleted: revoked,
        }))?;
        let mime = text(r.get_ref(8)?);
        let name = text(r.get_ref(9)?);
        let media = matches!(wa_type, Some(1) | Some(2) | Some(3) | Some(9) | Some(13) | Some(20) | Some(42) | Some(43));
        if media || mime.is_some() || name.is_some() {
            out.put(Artefact::Attachment(Attachment {
                src: ("messages", Some(id)),
                message: ("messages", id),
                filename: name,
                mime,
                size: as_i64(r.get_ref(11)?).filter(|s| *s > 0),
                evidence_path: None,
            }))?;
        }
    }
    Ok(())
}

fn calls(db: &Connection, jids: &HashMap<i64, String>, out: &mut dyn Sink) -> Result<(), ParseError> {
    let c = columns(db, "call_log");
    if !has_col(&c, "jid_row_id") {
        return Ok(());
    }
    let sql = format!(
        "SELECT l._id, l.jid_row_id, {}, {}, {}, {}, {}, {} FROM call_log l ORDER BY l._id",
        qcol(&c, "l", "from_me"),
        qcol(&c, "l", "timestamp"),
        qcol(&c, "l", "video_call"),
        qcol(&c, "l", "duration"),
        qcol(&c, "l", "call_result"),
        qcol(&c, "l", "group_jid_row_id"),
    );
    let mut st = db.prepare(&sql)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let group = as_i64(r.get_ref(7)?).filter(|g| *g > 0).and_then(|g| jids.get(&g).cloned());
        let user = as_i64(r.get_ref(1)?).and_then(|j| jids.get(&j).cloned());
        let peer = group.or(user);
        let duration = as_i64(r.get_ref(5)?);
        let result = as_i64(r.get_ref(6)?);
        let answered = if result == Some(5) || duration.is_some_and(|d| d > 0) {
            Some(true)
        } else {
            result.map(|_| false)
        };
        let direction = match as_i64(r.get_ref(2)?) {
            Some(1) => Direction::Outgoing,
            Some(0) => Direction::Incoming,
            _ => Direction::Unknown,
        };
        let status = match (direction, answered) {
            (Direction::Outgoing, _) => Some(CallStatus::Outgoing),
            (Direction::Incoming, Some(true)) => Some(CallStatus::Incoming),
            (Direction::Incoming, Some(false)) => Some(CallStatus::Missed),
            _ => None,
        };
        out.put(Artefact::Call(Call {
            src: ("call_log", as_i64(r.get_ref(0)?)),
            service: SERVICE.into(),
            direction,
            peer,
            peer_name: None,
            start: as_i64(r.get_ref(3)?).and_then(|v| stamp_i(v, Unit::UnixMs)),
            duration_s: duration.map(|d| d as f64),
            answered,
            status,
            video: as_i64(r.get_ref(4)?) == Some(1),
            deleted: false,
        }))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_table_placeholder_is_not_a_message() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE message (_id INTEGER PRIMARY KEY, chat_row_id INTEGER, key_id TEXT);
             INSERT INTO message VALUES (1, -1, '-1');",
        )
        .unwrap();
        let cols = columns(&db, "message");
        assert_eq!(real_message_rows(&db, &cols), 0);
        db.execute_batch("INSERT INTO message VALUES (2, 1, 'ABC');").unwrap();
        assert_eq!(real_message_rows(&db, &cols), 1);
    }

    #[test]
    fn media_paths_and_labels() {
        assert_eq!(media_path("Media/WhatsApp Images/IMG-1.jpg", false, false), "/data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-1.jpg");
        assert_eq!(media_path("Media/x.jpg", true, true), "/data/media/0/WhatsApp Business/Media/x.jpg");
        assert_eq!(media_path("/storage/emulated/0/WhatsApp/Media/x.jpg", false, false), "/data/media/0/WhatsApp/Media/x.jpg");
        assert_eq!(type_label(0), None);
        assert_eq!(type_label(99).as_deref(), Some("type 99"));
        assert_eq!(receipt_label(0, false), None);
        assert_eq!(receipt_label(13, true).as_deref(), Some("read"));
        assert_eq!(geo(Some(0.0), Some(0.0), None), None);
        assert_eq!(geo(Some(48.5), Some(2.25), Some("Gare".into())).as_deref(), Some("geo:48.5,2.25 (Gare)"));
    }
}
