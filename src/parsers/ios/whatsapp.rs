//! WhatsApp iOS `ChatStorage.sqlite` (formats.md §2.4), in the shared AppGroup container
//! (`group.net.whatsapp.WhatsApp.shared`; WhatsApp Business uses the same schema).
//!
//! - Threads: `ZWACHATSESSION` (`ZCONTACTJID`, `ZPARTNERNAME`); a JID ending `@g.us` is a group,
//!   whose participants are its `ZWAGROUPMEMBER.ZMEMBERJID`s.
//! - Messages: `ZWAMESSAGE`. `ZISFROMME` gives the direction, `ZMESSAGEDATE` is Cocoa seconds. The
//!   sender of an incoming group message is `ZGROUPMEMBER → ZWAGROUPMEMBER.ZMEMBERJID`; in a 1:1
//!   chat it is `ZFROMJID`. The owner's own JID is not in this database: outgoing messages have no
//!   sender.
//! - `ZMESSAGETYPE` 14 (deleted for everyone) → `deleted`, status `revoked`. Other non-text types
//!   are named in the status with their raw number (`image (type 1)`); the names of types 2, 3, 4,
//!   7, 8, 11, 15 are community-reported (formats.md: verify).
//! - Body: `ZTEXT`; else, for media, the caption `ZWAMEDIAITEM.ZTITLE`, a shared contact's
//!   `ZVCARDSTRING`, or a location's latitude/longitude (each named in `body_source`).
//! - Attachments: `ZWAMEDIAITEM` rows with a `ZMEDIALOCALPATH`, or of a media message. The path is
//!   relative to `<AppGroup>/Message/` and becomes a virtual path beside the database.
//!
//! Not decoded: `ZMETADATA` protobufs (forwarding, quoted replies), delivery and read receipts
//! (`ZWAMESSAGEINFO.ZRECEIPTINFO`, a protobuf blob per message: no received/read times are given),
//! push names of senders (`ZPUSHNAME`: no field for it), group events beyond their type,
//! `ZWAGROUPMEMBERSCHANGE`, `ContactsV2.sqlite`, WhatsApp's own `CallHistory.sqlite`.

use std::collections::HashMap;

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Attachment, Direction, Message, Sink, Thread};
use super::super::sqlite::{as_f64, as_i64, as_text, columns, qcol};
use super::super::{ParseCtx, ParseError, Parser};
use super::{cocoa_s, nonempty};

/// The parser.
pub struct IosWhatsApp;

/// Name of a `ZMESSAGETYPE` for the status column (`None` for plain text).
fn type_status(t: Option<i64>) -> Option<String> {
    let name = match t? {
        0 => return None,
        1 => "image",
        2 => "video",
        3 => "audio",
        4 => "contact",
        5 => "location",
        6 => "group event",
        7 => "url",
        8 => "document",
        10 => "system",
        11 => "gif",
        14 => return Some("revoked".into()),
        15 => "sticker",
        n => return Some(format!("type {n}")),
    };
    Some(format!("{name} (type {})", t.unwrap_or_default()))
}

/// Message types whose content is a file.
fn is_media_type(t: Option<i64>) -> bool {
    matches!(t, Some(1 | 2 | 3 | 8 | 11 | 15))
}

/// Virtual path of a `ZMEDIALOCALPATH`: relative to `<AppGroup>/Message/`, beside the database.
pub(super) fn media_path(db_path: &str, local: &str) -> String {
    if let Some(rest) = local.strip_prefix("/var/mobile/") {
        return format!("/private/var/mobile/{rest}");
    }
    if local.starts_with('/') {
        return local.to_string();
    }
    let container = db_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let rel = local.trim_start_matches("./");
    if rel.starts_with("Message/") { format!("{container}/{rel}") } else { format!("{container}/Message/{rel}") }
}

#[derive(Default)]
struct Media {
    pk: i64,
    message: Option<i64>,
    local: Option<String>,
    size: Option<i64>,
    title: Option<String>,
    vcard: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
}

struct Session {
    jid: Option<String>,
    is_group: bool,
    participants: Vec<String>,
}

impl Parser for IosWhatsApp {
    fn name(&self) -> &'static str {
        "ios-whatsapp"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/ChatStorage.sqlite"]
    }

    fn parse(&self, db: &Connection, ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let mc = columns(db, "ZWAMESSAGE");
        let has = |cols: &[String], c: &str| cols.iter().any(|x| x.eq_ignore_ascii_case(c));
        if mc.is_empty() || !has(&mc, "ZISFROMME") || !has(&mc, "ZMESSAGEDATE") {
            return Err(ParseError::Schema("no `ZWAMESSAGE` table with `ZISFROMME`/`ZMESSAGEDATE`: not a WhatsApp ChatStorage.sqlite".into()));
        }
        // Group members: Z_PK → JID, and session → member JIDs.
        let mut member_jid: HashMap<i64, String> = HashMap::new();
        let mut members_of: HashMap<i64, Vec<String>> = HashMap::new();
        let gc = columns(db, "ZWAGROUPMEMBER");
        if has(&gc, "ZMEMBERJID") {
            let sql = format!("SELECT g.Z_PK, {}, g.ZMEMBERJID FROM ZWAGROUPMEMBER g ORDER BY g.Z_PK", qcol(&gc, "g", "ZCHATSESSION"));
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let Some(jid) = nonempty(as_text(r.get_ref(2)?)) else { continue };
                if let Some(s) = as_i64(r.get_ref(1)?) {
                    members_of.entry(s).or_default().push(jid.clone());
                }
                if let Some(pk) = as_i64(r.get_ref(0)?) {
                    member_jid.insert(pk, jid);
                }
            }
        }
        // Threads.
        let mut sessions: HashMap<i64, Session> = HashMap::new();
        let sc = columns(db, "ZWACHATSESSION");
        if !sc.is_empty() {
            let sql = format!(
                "SELECT s.Z_PK, {}, {}, {} FROM ZWACHATSESSION s ORDER BY s.Z_PK",
                qcol(&sc, "s", "ZCONTACTJID"),
                qcol(&sc, "s", "ZPARTNERNAME"),
                qcol(&sc, "s", "ZSESSIONTYPE")
            );
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let Some(pk) = as_i64(r.get_ref(0)?) else { continue };
                let jid = nonempty(as_text(r.get_ref(1)?));
                let is_group = match &jid {
                    Some(j) => j.to_ascii_lowercase().ends_with("@g.us"),
                    None => as_i64(r.get_ref(3)?) == Some(1),
                };
                let participants = if is_group { members_of.get(&pk).cloned().unwrap_or_default() } else { jid.clone().into_iter().collect() };
                out.put(Artefact::Thread(Thread {
                    src: ("ZWACHATSESSION", Some(pk)),
                    service: "whatsapp".into(),
                    key: pk.to_string(),
                    name: nonempty(as_text(r.get_ref(2)?)).or_else(|| jid.clone()),
                    is_group,
                    participants: participants.clone(),
                }))?;
                sessions.insert(pk, Session { jid, is_group, participants });
            }
        }
        // Media items, by Z_PK, and which message each belongs to.
        let mut media: HashMap<i64, Media> = HashMap::new();
        let ic = columns(db, "ZWAMEDIAITEM");
        if !ic.is_empty() {
            let sql = format!(
                "SELECT i.Z_PK, {}, {}, {}, {}, {}, {}, {} FROM ZWAMEDIAITEM i ORDER BY i.Z_PK",
                qcol(&ic, "i", "ZMESSAGE"),
                qcol(&ic, "i", "ZMEDIALOCALPATH"),
                qcol(&ic, "i", "ZFILESIZE"),
                qcol(&ic, "i", "ZTITLE"),
                qcol(&ic, "i", "ZVCARDSTRING"),
                qcol(&ic, "i", "ZLATITUDE"),
                qcol(&ic, "i", "ZLONGITUDE"),
            );
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let Some(pk) = as_i64(r.get_ref(0)?) else { continue };
                media.insert(
                    pk,
                    Media {
                        pk,
                        message: as_i64(r.get_ref(1)?),
                        local: nonempty(as_text(r.get_ref(2)?)),
                        size: as_i64(r.get_ref(3)?),
                        title: as_text(r.get_ref(4)?).filter(|s| !s.trim().is_empty()),
                        vcard: as_text(r.get_ref(5)?).filter(|s| !s.trim().is_empty()),
                        lat: as_f64(r.get_ref(6)?),
                        lon: as_f64(r.get_ref(7)?),
                    },
                );
            }
        }
        // Message → media item: the message's ZMEDIAITEM, else the item's ZMESSAGE.
        let mut media_of: HashMap<i64, i64> = media.values().filter_map(|m| Some((m.message?, m.pk))).collect();
        let sql = format!(
            "SELECT m.Z_PK, m.ZISFROMME, {}, m.ZMESSAGEDATE, {}, {}, {}, {}, {}, {} FROM ZWAMESSAGE m ORDER BY m.Z_PK",
            qcol(&mc, "m", "ZTEXT"),
            qcol(&mc, "m", "ZFROMJID"),
            qcol(&mc, "m", "ZTOJID"),
            qcol(&mc, "m", "ZCHATSESSION"),
            qcol(&mc, "m", "ZGROUPMEMBER"),
            qcol(&mc, "m", "ZMESSAGETYPE"),
            qcol(&mc, "m", "ZMEDIAITEM"),
        );
        let mut types: HashMap<i64, Option<i64>> = HashMap::new();
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let pk = as_i64(r.get_ref(0)?);
            let direction = match as_i64(r.get_ref(1)?) {
                Some(1) => Direction::Outgoing,
                Some(0) => Direction::Incoming,
                _ => Direction::Unknown,
            };
            let mtype = as_i64(r.get_ref(8)?);
            let session_pk = as_i64(r.get_ref(6)?);
            let session = session_pk.and_then(|s| sessions.get(&s));
            let is_group = session.map(|s| s.is_group).unwrap_or(false);
            let session_jid = session.and_then(|s| s.jid.clone());
            let not_group_jid = |j: Option<String>| j.filter(|j| !j.to_ascii_lowercase().ends_with("@g.us"));
            let from_jid = nonempty(as_text(r.get_ref(4)?));
            let to_jid = nonempty(as_text(r.get_ref(5)?));
            let sender = match direction {
                Direction::Outgoing => None,
                _ => as_i64(r.get_ref(7)?)
                    .and_then(|g| member_jid.get(&g).cloned())
                    .or_else(|| not_group_jid(from_jid.clone()))
                    .or_else(|| if is_group { None } else { not_group_jid(session_jid.clone()) }),
            };
            let recipients = match direction {
                Direction::Outgoing if is_group => session.map(|s| s.participants.clone()).unwrap_or_default(),
                Direction::Outgoing => to_jid.clone().or(session_jid.clone()).into_iter().collect(),
                _ => Vec::new(),
            };
            if let (Some(p), Some(i)) = (pk, as_i64(r.get_ref(9)?))
                && media.contains_key(&i)
            {
                media_of.insert(p, i);
            }
            let item = pk.and_then(|p| media_of.get(&p)).and_then(|i| media.get(i));
            let text = as_text(r.get_ref(2)?).filter(|s| !s.is_empty());
            let (body, body_source) = match (text, item) {
                (Some(t), _) => (Some(t), Some("ZTEXT")),
                (None, Some(i)) if mtype == Some(5) && (i.lat.is_some() || i.lon.is_some()) => {
                    let place = i.title.as_ref().map(|t| format!("{t}: ")).unwrap_or_default();
                    let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_else(|| "?".into());
                    (Some(format!("{place}{}, {}", f(i.lat), f(i.lon))), Some("ZWAMEDIAITEM.ZLATITUDE/ZLONGITUDE"))
                }
                (None, Some(i)) if i.vcard.is_some() => (i.vcard.clone(), Some("ZWAMEDIAITEM.ZVCARDSTRING")),
                (None, Some(i)) if i.title.is_some() => (i.title.clone(), Some("ZWAMEDIAITEM.ZTITLE")),
                _ => (None, None),
            };
            if let Some(p) = pk {
                types.insert(p, mtype);
            }
            out.put(Artefact::Message(Message {
                src: ("ZWAMESSAGE", pk),
                thread_key: session_pk.map(|s| s.to_string()),
                service: "whatsapp".into(),
                direction,
                sender,
                recipients,
                body,
                body_source,
                sent: cocoa_s(as_f64(r.get_ref(3)?)),
                read: None,
                received: None,
                status: type_status(mtype),
                deleted: mtype == Some(14),
            }))?;
        }
        // Attachments, after their messages.
        let mut by_message: Vec<(i64, i64)> = media_of.iter().map(|(m, i)| (*m, *i)).collect();
        by_message.sort_unstable();
        for (msg, item) in by_message {
            let Some(i) = media.get(&item) else { continue };
            if i.local.is_none() && !is_media_type(types.get(&msg).copied().flatten()) {
                continue;
            }
            out.put(Artefact::Attachment(Attachment {
                src: ("ZWAMEDIAITEM", Some(i.pk)),
                message: ("ZWAMESSAGE", msg),
                filename: i.local.as_ref().and_then(|p| p.rsplit('/').next().map(String::from)),
                mime: None,
                size: i.size,
                evidence_path: i.local.as_ref().map(|p| media_path(&ctx.path, p)),
            }))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_paths_land_beside_the_database() {
        let db = "/private/var/mobile/Containers/Shared/AppGroup/ABC/ChatStorage.sqlite";
        assert_eq!(media_path(db, "Media/447700900461@s.whatsapp.net/a/b/x.jpg"), "/private/var/mobile/Containers/Shared/AppGroup/ABC/Message/Media/447700900461@s.whatsapp.net/a/b/x.jpg");
        assert_eq!(media_path(db, "Message/Media/x.jpg"), "/private/var/mobile/Containers/Shared/AppGroup/ABC/Message/Media/x.jpg");
        assert_eq!(media_path(db, "/var/mobile/x.jpg"), "/private/var/mobile/x.jpg");
        assert_eq!(type_status(Some(0)), None);
        assert_eq!(type_status(Some(14)).as_deref(), Some("revoked"));
        assert_eq!(type_status(Some(1)).as_deref(), Some("image (type 1)"));
        assert_eq!(type_status(Some(99)).as_deref(), Some("type 99"));
    }
}
