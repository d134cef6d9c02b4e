//! Telegram Android `cache4.db` (`org.telegram.messenger`, `.web`, and the multi-account
//! `files/accountN/` layout), formats.md §2.9.
//!
//! Telegram keeps metadata in plain columns and everything else in TL-serialised blobs
//! (`TLRPC.User`, `TLRPC.Message` …, little-endian, 4-byte aligned). Constructor ids change with
//! every API layer, so this parser does **not** switch on constructor ids; it decodes the few
//! field prefixes that have stayed stable across layers and checks each decode against a plain
//! column of the same row.
//!
//! **Decoded**
//! - `users.data` (`User`): `constructor, flags, [flags2], id, [access_hash], [first_name],
//!   [last_name], [username], [phone]` — the layout (id as int32, as int64, or int64 after a second
//!   flags word) is the one whose `id` equals the row's `uid`; optional fields follow the flag bits
//!   0–4. Flag bits 10 (self: the account of this device), 11 (in the address book), 13 (deleted
//!   account) and 14 (bot) label the `telegram-id` entry. The phone is as Telegram stores it
//!   (digits, no `+`).
//! - `chats.data` (`Chat`/`Channel`): `constructor, flags, [flags2], id, [access_hash if flag 13],
//!   title`, checked against `-dialog id`; used for thread names.
//! - `messages_v2.data` (or `messages` before the v2 migration): the text is the TL string that
//!   follows the row's own `date` (int32, at a 4-byte-aligned offset after the id) — in every
//!   `message` layout `date:int` is immediately followed by `message:string` (ALEAPP's approach).
//!   The string must be in bounds, zero-padded and valid UTF-8. `body_source` is
//!   `tl-date-anchored`. The sender of an incoming group message is read from `from_id` when the
//!   message `id` (int32 after flags, or after flags + flags2) equals `mid`, flag 8 is set and the
//!   peer is a `peerUser` (0x9db1bc6d int64, or 0x59511722 int32).
//! - `users.name` / `chats.name` (lower-cased search names, `name;;;username`) are the fallback
//!   when a blob does not decode.
//!
//! **Not decoded**
//! - Media, service actions (joins, calls, pins …), forwards, replies, reactions, entities
//!   (formatting), edits; secret chats (`enc_chats`, `enc_tasks`); bios (`user_settings`).
//! - A message whose text cannot be recovered (no anchor, or not a valid string after it:
//!   service messages, unusual layouts, damaged blobs) is still written, with body `None`,
//!   `body_source` `tl-undecoded` and its constructor id in the status. Media messages without a
//!   caption decode to an empty text: body `None`, `body_source` `tl-date-anchored (empty text)`.
//!
//! Other plain data: `dialogs` → threads (key = dialog id: user id, `-chat id`, or a secret chat
//! id with bit 62 set); `user_contacts_v7` + `user_phones_v7` → contacts (the address book as
//! synced to Telegram, account `org.telegram.messenger (address book)`). Message times: `date`,
//! Unix s. Direction: `out`. `send_state` 1/2/3 → status sending / send error / editing.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::super::artefacts::{Artefact, Contact, ContactEntry, Direction, Message, Sink, Thread};
use super::super::sqlite::{as_i64, columns, qcol};
use super::super::time::{Unit, stamp_i};
use super::super::{ParseCtx, ParseError, Parser};
use super::{has_col, join_some, row_count, text};

/// The parser.
pub struct Telegram;

const SERVICE: &str = "telegram";
const ACCOUNT: &str = "org.telegram.messenger";

/// A cursor over a TL blob; every read is bounds-checked.
struct Tl<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Tl<'a> {
    fn at(b: &'a [u8], pos: usize) -> Self {
        Tl { b, pos }
    }
    fn u32(&mut self) -> Option<u32> {
        let v = self.b.get(self.pos..self.pos.checked_add(4)?)?;
        self.pos += 4;
        Some(u32::from_le_bytes([v[0], v[1], v[2], v[3]]))
    }
    fn i64(&mut self) -> Option<i64> {
        let v = self.b.get(self.pos..self.pos.checked_add(8)?)?;
        self.pos += 8;
        Some(i64::from_le_bytes([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]]))
    }
    fn skip(&mut self, n: usize) -> Option<()> {
        let end = self.pos.checked_add(n)?;
        (end <= self.b.len()).then(|| self.pos = end)
    }
    /// A TL string: 1-byte length (< 254) or 0xFE + 3-byte length, padded with zeros to 4 bytes.
    fn string(&mut self) -> Option<String> {
        let first = *self.b.get(self.pos)?;
        let (header, len) = match first {
            0..=253 => (1usize, first as usize),
            254 => {
                let l = self.b.get(self.pos + 1..self.pos + 4)?;
                (4usize, u32::from_le_bytes([l[0], l[1], l[2], 0]) as usize)
            }
            _ => return None,
        };
        let start = self.pos.checked_add(header)?;
        let end = start.checked_add(len)?;
        let padded = end.checked_add((4 - (header + len) % 4) % 4)?;
        let bytes = self.b.get(start..end)?;
        if self.b.get(end..padded)?.iter().any(|&z| z != 0) {
            return None;
        }
        let s = std::str::from_utf8(bytes).ok()?.to_string();
        self.pos = padded;
        Some(s)
    }
}

fn read_u32(b: &[u8], pos: usize) -> Option<u32> {
    Tl::at(b, pos).u32()
}

/// Position after `id` for the layout whose id equals `want`: int64 after flags2, int64, int32.
fn after_id(b: &[u8], want: i64) -> Option<usize> {
    if Tl::at(b, 12).i64() == Some(want) {
        return Some(20);
    }
    if Tl::at(b, 8).i64() == Some(want) {
        return Some(16);
    }
    if read_u32(b, 8).map(|v| v as i32 as i64) == Some(want) || read_u32(b, 8).map(|v| v as i64) == Some(want) {
        return Some(12);
    }
    None
}

/// What a `User` blob gave.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct TlUser {
    pub first: Option<String>,
    pub last: Option<String>,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub flags: u32,
}

/// Decode the stable prefix of a `User` whose id is `uid`.
pub(crate) fn decode_user(b: &[u8], uid: i64) -> Option<TlUser> {
    let flags = read_u32(b, 4)?;
    let mut t = Tl::at(b, after_id(b, uid)?);
    if flags & 1 != 0 {
        t.skip(8)?;
    }
    let mut u = TlUser { flags, ..TlUser::default() };
    let field = |bit: u32, t: &mut Tl<'_>| -> Option<Option<String>> { if flags & bit != 0 { t.string().map(Some) } else { Some(None) } };
    u.first = field(2, &mut t)?.filter(|s| !s.is_empty());
    u.last = field(4, &mut t)?.filter(|s| !s.is_empty());
    u.username = field(8, &mut t)?.filter(|s| !s.is_empty());
    u.phone = field(16, &mut t)?.filter(|s| !s.is_empty());
    Some(u)
}

/// Decode the title of a `Chat`/`Channel` whose id is `chat_id`.
fn decode_chat_title(b: &[u8], chat_id: i64) -> Option<String> {
    let flags = read_u32(b, 4)?;
    let mut t = Tl::at(b, after_id(b, chat_id)?);
    if flags & (1 << 13) != 0 {
        t.skip(8)?;
    }
    t.string().filter(|s| !s.is_empty())
}

/// What a `Message` blob gave.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct TlMessage {
    pub constructor: Option<u32>,
    /// The text after the date anchor (`Some("")` for media without caption).
    pub text: Option<String>,
    /// `from_id` when it is a `peerUser`.
    pub from_user: Option<i64>,
}

/// Decode a `Message` blob of row (`mid`, `date`).
pub(crate) fn decode_message(b: &[u8], mid: Option<i64>, date: Option<i64>) -> TlMessage {
    let mut m = TlMessage { constructor: read_u32(b, 0), ..TlMessage::default() };
    let flags = read_u32(b, 4).unwrap_or(0);
    // The id, as int32 after flags or after flags + flags2.
    let id_end = mid.and_then(|mid| [8usize, 12].into_iter().find(|&p| read_u32(b, p).map(|v| v as i32 as i64) == Some(mid)).map(|p| p + 4));
    if let Some(p) = id_end
        && flags & (1 << 8) != 0
    {
        let mut t = Tl::at(b, p);
        m.from_user = match t.u32() {
            Some(0x9db1_bc6d) => t.i64(),
            Some(0x5951_1722) => t.u32().map(|v| v as i32 as i64),
            _ => None,
        };
    }
    if let Some(date) = date.and_then(|d| u32::try_from(d).ok()) {
        let start = id_end.unwrap_or(8);
        let mut i = start.next_multiple_of(4);
        while i + 4 <= b.len() {
            if read_u32(b, i) == Some(date)
                && let Some(s) = Tl::at(b, i + 4).string()
            {
                m.text = Some(s);
                break;
            }
            i += 4;
        }
    }
    m
}

/// Is a dialog id a secret chat (bit 62 set, positive)?
fn is_secret(did: i64) -> bool {
    did > 0 && did & 0x4000_0000_0000_0000 != 0
}

/// The display part of a `name;;;username` search name.
fn search_name(s: &str) -> (Option<String>, Option<String>) {
    let mut it = s.splitn(2, ";;;");
    let name = it.next().map(str::trim).filter(|x| !x.is_empty()).map(String::from);
    let user = it.next().map(str::trim).filter(|x| !x.is_empty()).map(String::from);
    (name, user)
}

fn blob(v: ValueRef<'_>) -> Option<&[u8]> {
    match v {
        ValueRef::Blob(b) => Some(b),
        _ => None,
    }
}

/// `rowid` when the table has one, else `NULL` (WITHOUT ROWID tables).
fn rowid_expr(db: &Connection, table: &str) -> &'static str {
    if db.prepare(&format!("SELECT rowid FROM \"{table}\" LIMIT 0")).is_ok() { "rowid" } else { "NULL" }
}

impl Parser for Telegram {
    fn name(&self) -> &'static str {
        "telegram"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &[
            "*/org.telegram.messenger/files/cache4.db",
            "*/org.telegram.messenger/files/account*/cache4.db",
            "*/org.telegram.messenger.web/files/cache4.db",
            "*/org.telegram.messenger.web/files/account*/cache4.db",
        ]
    }

    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let ucols = columns(db, "users");
        let msg_table = ["messages_v2", "messages"]
            .into_iter()
            .filter(|t| {
                let c = columns(db, t);
                has_col(&c, "mid") && has_col(&c, "uid") && has_col(&c, "data")
            })
            .max_by_key(|t| (row_count(db, t) > 0, *t == "messages_v2"));
        if !has_col(&ucols, "uid") && msg_table.is_none() {
            return Err(ParseError::Schema("no `users` or `messages_v2` table: not a Telegram cache4.db".into()));
        }
        // Every cache4.db has both: one without the other is damaged or of an unexpected schema,
        // and reading half of it would pass for a complete account.
        if !has_col(&ucols, "uid") {
            let why = if ucols.is_empty() { "no `users` table".to_string() } else { format!("`users` has no `uid` column (it has: {})", ucols.join(", ")) };
            return Err(ParseError::Schema(format!("{why} although the messages table is there: unexpected Telegram cache4.db schema")));
        }
        if msg_table.is_none() {
            let have = columns(db, "messages_v2");
            let why = if have.is_empty() {
                "no `messages_v2` (or legacy `messages`) table with `mid`, `uid` and `data` columns".to_string()
            } else {
                let missing: Vec<&str> = ["mid", "uid", "data"].into_iter().filter(|c| !has_col(&have, c)).collect();
                format!("`messages_v2` has no `{}` column (it has: {})", missing.join("`, `"), have.join(", "))
            };
            return Err(ParseError::Schema(format!("{why} although `users` is there: unexpected Telegram cache4.db schema")));
        }
        // Users → contacts, and names for threads.
        let mut user_names: HashMap<i64, String> = HashMap::new();
        if has_col(&ucols, "uid") {
            let sql = format!("SELECT u.uid, {}, {} FROM users u ORDER BY u.uid", qcol(&ucols, "u", "name"), qcol(&ucols, "u", "data"));
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let Some(uid) = as_i64(r.get_ref(0)?) else { continue };
                let (col_name, col_user) = text(r.get_ref(1)?).map(|s| search_name(&s)).unwrap_or((None, None));
                let tl = blob(r.get_ref(2)?).and_then(|b| decode_user(b, uid));
                let name = tl.as_ref().and_then(|u| join_some(&[u.first.clone(), u.last.clone()], " ")).or(col_name);
                let mut labels: Vec<&str> = Vec::new();
                let flags = tl.as_ref().map(|u| u.flags).unwrap_or(0);
                for (bit, label) in [(10, "this account (self)"), (11, "in address book"), (13, "deleted account"), (14, "bot")] {
                    if flags & (1 << bit) != 0 {
                        labels.push(label);
                    }
                }
                if tl.is_none() {
                    labels.push("profile blob not decoded; name from the search column");
                }
                let mut entries = vec![ContactEntry { kind: "telegram-id".into(), value: uid.to_string(), label: (!labels.is_empty()).then(|| labels.join("; ")) }];
                if let Some(p) = tl.as_ref().and_then(|u| u.phone.clone()) {
                    entries.push(ContactEntry { kind: "phone".into(), value: p, label: None });
                }
                if let Some(u) = tl.as_ref().and_then(|u| u.username.clone()).or(col_user) {
                    entries.push(ContactEntry { kind: "username".into(), value: u, label: None });
                }
                if let Some(n) = &name {
                    user_names.insert(uid, n.clone());
                }
                out.put(Artefact::Contact(Contact { src: ("users", Some(uid)), name, account: Some(ACCOUNT.into()), entries, created: None, modified: None, deleted: false }))?;
            }
        }
        address_book(db, out)?;
        // Chat titles.
        let mut chat_names: HashMap<i64, String> = HashMap::new();
        let ccols = columns(db, "chats");
        if has_col(&ccols, "uid") {
            let sql = format!("SELECT c.uid, {}, {} FROM chats c", qcol(&ccols, "c", "name"), qcol(&ccols, "c", "data"));
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let Some(id) = as_i64(r.get_ref(0)?) else { continue };
                let col = text(r.get_ref(1)?).and_then(|s| search_name(&s).0);
                let title = blob(r.get_ref(2)?).and_then(|b| decode_chat_title(b, id)).or(col);
                if let Some(t) = title {
                    chat_names.insert(id, t);
                }
            }
        }
        // Threads.
        let mut threads: HashSet<i64> = HashSet::new();
        let mut put_thread = |did: i64, src: (&'static str, Option<i64>), out: &mut dyn Sink| -> Result<(), ParseError> {
            if !threads.insert(did) {
                return Ok(());
            }
            let (name, participants) = if did < 0 {
                (chat_names.get(&-did).cloned(), Vec::new())
            } else if is_secret(did) {
                (Some("secret chat".to_string()), Vec::new())
            } else {
                (user_names.get(&did).cloned(), vec![did.to_string()])
            };
            out.put(Artefact::Thread(Thread { src, service: SERVICE.into(), key: did.to_string(), name, is_group: did < 0, participants }))?;
            Ok(())
        };
        if has_col(&columns(db, "dialogs"), "did") {
            let mut st = db.prepare("SELECT did FROM dialogs ORDER BY did")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(did) = as_i64(r.get_ref(0)?) {
                    put_thread(did, ("dialogs", Some(did)), out)?;
                }
            }
        }
        // Messages.
        let Some(table) = msg_table else { return Ok(()) };
        let c = columns(db, table);
        let sql = format!(
            "SELECT {rowid}, m.mid, m.uid, {}, {}, {}, m.data FROM \"{table}\" m ORDER BY m.uid, {}, m.mid",
            qcol(&c, "m", "date"),
            qcol(&c, "m", "out"),
            qcol(&c, "m", "send_state"),
            qcol(&c, "m", "date"),
            rowid = if rowid_expr(db, table) == "rowid" { "m.rowid" } else { "NULL" },
        );
        let src_table: &'static str = if table == "messages_v2" { "messages_v2" } else { "messages" };
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let mid = as_i64(r.get_ref(1)?);
            let did = as_i64(r.get_ref(2)?);
            let date = as_i64(r.get_ref(3)?);
            if let Some(d) = did {
                put_thread(d, (src_table, as_i64(r.get_ref(0)?)), out)?;
            }
            let direction = match as_i64(r.get_ref(4)?) {
                Some(1) => Direction::Outgoing,
                Some(0) => Direction::Incoming,
                _ => Direction::Unknown,
            };
            let tl = blob(r.get_ref(6)?).map(|b| decode_message(b, mid, date)).unwrap_or_default();
            let mut status: Vec<String> = Vec::new();
            match as_i64(r.get_ref(5)?) {
                Some(1) => status.push("sending".into()),
                Some(2) => status.push("send error".into()),
                Some(3) => status.push("editing".into()),
                _ => {}
            }
            let (body, body_source) = match &tl.text {
                Some(t) if !t.is_empty() => (Some(t.clone()), "tl-date-anchored"),
                Some(_) => (None, "tl-date-anchored (empty text)"),
                None => {
                    status.push(match tl.constructor {
                        Some(c) => format!("text not recovered (TL constructor 0x{c:08x})"),
                        None => "text not recovered (no TL blob)".to_string(),
                    });
                    (None, "tl-undecoded")
                }
            };
            let private = did.is_some_and(|d| d > 0 && !is_secret(d));
            let sender = match direction {
                Direction::Outgoing => None,
                _ => tl.from_user.map(|u| u.to_string()).or_else(|| if private { did.map(|d| d.to_string()) } else { None }),
            };
            out.put(Artefact::Message(Message {
                src: (src_table, as_i64(r.get_ref(0)?)),
                thread_key: did.map(|d| d.to_string()),
                service: SERVICE.into(),
                direction,
                sender,
                recipients: if direction == Direction::Outgoing && private { did.map(|d| d.to_string()).into_iter().collect() } else { Vec::new() },
                body,
                body_source: Some(body_source),
                sent: date.and_then(|d| stamp_i(d, Unit::UnixS)),
                read: None,
                received: None,
                status: (!status.is_empty()).then(|| status.join("; ")),
                deleted: false,
            }))?;
        }
        Ok(())
    }
}

/// `user_contacts_v7` (+ `user_phones_v7`): the phone's address book as imported into Telegram.
fn address_book(db: &Connection, out: &mut dyn Sink) -> Result<(), ParseError> {
    let c = columns(db, "user_contacts_v7");
    if !has_col(&c, "key") {
        return Ok(());
    }
    let mut phones: HashMap<String, Vec<(String, bool)>> = HashMap::new();
    let pc = columns(db, "user_phones_v7");
    if has_col(&pc, "key") && has_col(&pc, "phone") {
        let mut st = db.prepare(&format!("SELECT p.key, p.phone, {} FROM user_phones_v7 p", qcol(&pc, "p", "deleted")))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            if let (Some(k), Some(p)) = (text(r.get_ref(0)?), text(r.get_ref(1)?)) {
                phones.entry(k).or_default().push((p, as_i64(r.get_ref(2)?) == Some(1)));
            }
        }
    }
    let rowid = rowid_expr(db, "user_contacts_v7");
    let sql = format!("SELECT {rowid}, c.key, {}, {}, {} FROM user_contacts_v7 c", qcol(&c, "c", "uid"), qcol(&c, "c", "fname"), qcol(&c, "c", "sname"));
    let mut st = db.prepare(&sql)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let key = text(r.get_ref(1)?);
        let mut entries: Vec<ContactEntry> = Vec::new();
        if let Some(uid) = as_i64(r.get_ref(2)?).filter(|u| *u != 0) {
            entries.push(ContactEntry { kind: "telegram-id".into(), value: uid.to_string(), label: None });
        }
        for (p, deleted) in key.as_ref().and_then(|k| phones.get(k)).cloned().unwrap_or_default() {
            entries.push(ContactEntry { kind: "phone".into(), value: p, label: deleted.then(|| "deleted".to_string()) });
        }
        out.put(Artefact::Contact(Contact {
            src: ("user_contacts_v7", as_i64(r.get_ref(0)?)),
            name: join_some(&[text(r.get_ref(3)?), text(r.get_ref(4)?)], " "),
            account: Some(format!("{ACCOUNT} (address book)")),
            entries,
            created: None,
            modified: None,
            deleted: false,
        }))?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A TL string.
    pub fn tl_string(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut v = if b.len() < 254 { vec![b.len() as u8] } else { vec![254, b.len() as u8, (b.len() >> 8) as u8, (b.len() >> 16) as u8] };
        v.extend_from_slice(b);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    /// A user blob in the current layout (flags, flags2, id:long, first, last, username, phone).
    pub fn user_blob(uid: i64, first: &str, last: &str, username: &str, phone: &str, extra_flags: u32) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&0x1234_5678u32.to_le_bytes());
        v.extend_from_slice(&(1 | 2 | 4 | 8 | 16 | extra_flags).to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&uid.to_le_bytes());
        v.extend_from_slice(&0x0102_0304_0506_0708i64.to_le_bytes());
        for s in [first, last, username, phone] {
            v.extend(tl_string(s));
        }
        v.extend_from_slice(&0xdead_beefu32.to_le_bytes());
        v
    }

    /// A message blob: flags (from_id), flags2, id, from_id peerUser(long), peer_id, date, text, trailing fields.
    pub fn message_blob(mid: i32, from: i64, peer: i64, date: i32, text: &str) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&0x9434_5242u32.to_le_bytes());
        v.extend_from_slice(&(1u32 << 8).to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&mid.to_le_bytes());
        v.extend_from_slice(&0x9db1_bc6du32.to_le_bytes());
        v.extend_from_slice(&from.to_le_bytes());
        v.extend_from_slice(&0x9db1_bc6du32.to_le_bytes());
        v.extend_from_slice(&peer.to_le_bytes());
        v.extend_from_slice(&date.to_le_bytes());
        v.extend(tl_string(text));
        v.extend_from_slice(&0u32.to_le_bytes());
        v
    }

    #[test]
    fn users_decode_in_every_id_layout() {
        let b = user_blob(777_000_111, "Ionel", "Vasilescu", "nelu_jobs", "33699001234", 1 << 10);
        let u = decode_user(&b, 777_000_111).unwrap();
        assert_eq!((u.first.as_deref(), u.last.as_deref(), u.username.as_deref(), u.phone.as_deref()), (Some("Ionel"), Some("Vasilescu"), Some("nelu_jobs"), Some("33699001234")));
        assert!(u.flags & (1 << 10) != 0);
        // The wrong uid: no decode rather than a wrong one.
        assert_eq!(decode_user(&b, 5), None);
        // Old layout: id as int32 right after flags, first name only.
        let mut old = Vec::new();
        old.extend_from_slice(&0x2e13_f4c3u32.to_le_bytes());
        old.extend_from_slice(&2u32.to_le_bytes());
        old.extend_from_slice(&4242u32.to_le_bytes());
        old.extend(tl_string("Marc"));
        assert_eq!(decode_user(&old, 4242).unwrap().first.as_deref(), Some("Marc"));
        // Truncated blobs never panic.
        for n in 0..b.len() {
            let _ = decode_user(&b[..n], 777_000_111);
        }
    }

    #[test]
    fn message_text_follows_its_date() {
        let long = "ă".repeat(200);
        for text in ["Salut, ai primit banii?", "", long.as_str()] {
            let b = message_blob(55, 777_000_111, 888, 1_710_000_000, text);
            let m = decode_message(&b, Some(55), Some(1_710_000_000));
            assert_eq!(m.text.as_deref(), Some(text));
            assert_eq!(m.from_user, Some(777_000_111));
            assert_eq!(m.constructor, Some(0x9434_5242));
        }
        // Wrong date: no text; random bytes: no text, no panic.
        let b = message_blob(55, 1, 2, 1_710_000_000, "x");
        assert_eq!(decode_message(&b, Some(55), Some(1_700_000_000)).text, None);
        let junk: Vec<u8> = (0..97u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8).collect();
        assert_eq!(decode_message(&junk, Some(1), Some(1_710_000_000)).text, None);
        for n in 0..b.len() {
            let _ = decode_message(&b[..n], Some(55), Some(1_710_000_000));
        }
        // A string with non-zero padding or invalid UTF-8 is refused.
        let mut bad = message_blob(55, 1, 2, 1_710_000_000, "ab");
        let last = bad.len() - 5;
        bad[last] = 7;
        assert_eq!(decode_message(&bad, Some(55), Some(1_710_000_000)).text, None);
    }

    #[test]
    fn chat_titles_and_dialog_kinds() {
        let mut b = Vec::new();
        b.extend_from_slice(&0xaadf_c8f0u32.to_le_bytes());
        b.extend_from_slice(&(1u32 << 13).to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&1_234_567_890i64.to_le_bytes());
        b.extend_from_slice(&99i64.to_le_bytes());
        b.extend(tl_string("Lucru Franța"));
        assert_eq!(decode_chat_title(&b, 1_234_567_890).as_deref(), Some("Lucru Franța"));
        assert!(is_secret(0x4000_0000_0000_0007));
        assert!(!is_secret(777_000_111));
        assert_eq!(search_name("ionel vasilescu;;;nelu_jobs"), (Some("ionel vasilescu".into()), Some("nelu_jobs".into())));
    }
}
