//! Android `contacts2.db` (contacts provider; Samsung's under
//! `com.samsung.android.providers.contacts`): one contact per **raw contact** (formats.md §2.6).
//!
//! - A raw contact is one account's card (the Google card, the WhatsApp card … of the same person
//!   are separate raw contacts aggregated by `contact_id`); each is kept with its account, so the
//!   messenger cards (`vnd.com.whatsapp.profile`, Telegram, Signal …) show who uses which app.
//! - Account: `accounts` joined on `raw_contacts.account_id`, or the `account_name`/`account_type`
//!   columns of `raw_contacts` in older schemas; shown as `type (name)`, `local` when absent.
//! - Entries from `data` by mimetype: `name` (data1), `phone` (data1; label from data2/data3),
//!   `email`, `postal`, `website`, `im` (label = protocol), `organization` (label = title),
//!   `nickname`, `note`, `sip`, `identity`, `group` (title from `groups`); app rows
//!   (`vnd.android.cursor.item/vnd.<app>…`) become `whatsapp-profile`, `telegram-profile`,
//!   `signal-profile`, `viber-profile`, or the mimetype itself, with data1 as value and
//!   data3 (else data2) as label. Photos (binary `data15`) are not read.
//! - Modified: `contacts.contact_last_updated_timestamp` (Unix ms) of the raw contact's aggregate
//!   (`raw_contacts.contact_id`); the provider keeps no creation time.
//! - `raw_contacts.deleted` = 1 → deleted. `data` rows whose raw contact is gone are kept as a
//!   contact of their own (account `(raw contact missing)`).
//! - Not read: `deleted_contacts` (aggregate ids and deletion times, no names: the contact row has
//!   no place for a deletion time), `contacts.times_contacted`/`last_time_contacted`.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Contact, ContactEntry, Sink};
use super::super::sqlite::{as_i64, columns, has_table, qcol, require, require_table, what};
use super::super::time::{Unit, stamp_i};
use super::super::{ParseCtx, ParseError, Parser};
use super::{has_col, join_some, text};

/// The parser.
pub struct AndroidContacts;

const PREFIX: &str = "vnd.android.cursor.item/";

fn phone_label(t: Option<i64>) -> Option<&'static str> {
    Some(match t? {
        1 => "home",
        2 => "mobile",
        3 => "work",
        4 => "work fax",
        5 => "home fax",
        6 => "pager",
        7 => "other",
        8 => "callback",
        9 => "car",
        10 => "company main",
        11 => "isdn",
        12 => "main",
        13 => "other fax",
        14 => "radio",
        15 => "telex",
        16 => "tty/tdd",
        17 => "work mobile",
        18 => "work pager",
        19 => "assistant",
        20 => "mms",
        _ => return None,
    })
}

fn email_label(t: Option<i64>) -> Option<&'static str> {
    Some(match t? {
        1 => "home",
        2 => "work",
        3 => "other",
        4 => "mobile",
        _ => return None,
    })
}

fn postal_label(t: Option<i64>) -> Option<&'static str> {
    Some(match t? {
        1 => "home",
        2 => "work",
        3 => "other",
        _ => return None,
    })
}

fn website_label(t: Option<i64>) -> Option<&'static str> {
    Some(match t? {
        1 => "homepage",
        2 => "blog",
        3 => "profile",
        4 => "home",
        5 => "work",
        6 => "ftp",
        7 => "other",
        _ => return None,
    })
}

fn im_protocol(p: Option<i64>) -> Option<&'static str> {
    Some(match p? {
        0 => "AIM",
        1 => "MSN",
        2 => "Yahoo",
        3 => "Skype",
        4 => "QQ",
        5 => "Google Talk",
        6 => "ICQ",
        7 => "Jabber",
        8 => "NetMeeting",
        _ => return None,
    })
}

/// One `data` row: mimetype, data1 … data6.
struct DataRow {
    mime: String,
    d: [Option<String>; 6],
}

impl DataRow {
    fn num(&self, i: usize) -> Option<i64> {
        self.d[i - 1].as_deref().and_then(|s| s.trim().parse().ok())
    }
    fn s(&self, i: usize) -> Option<String> {
        self.d[i - 1].clone()
    }
}

/// Typed label: the type's name, or data3 for "custom" (0).
fn typed(row: &DataRow, names: fn(Option<i64>) -> Option<&'static str>) -> Option<String> {
    match row.num(2) {
        Some(0) => row.s(3),
        t => names(t).map(String::from).or_else(|| row.s(3)),
    }
}

/// The entry of one data row (`None` for rows without a usable value: photos, empty rows).
fn entry(row: &DataRow, groups: &HashMap<i64, String>) -> Option<ContactEntry> {
    let kind_of = row.mime.strip_prefix(PREFIX).unwrap_or(&row.mime);
    let e = |kind: &str, value: Option<String>, label: Option<String>| value.map(|value| ContactEntry { kind: kind.to_string(), value, label });
    match kind_of {
        "phone_v2" => e("phone", row.s(1), typed(row, phone_label)),
        "email_v2" => e("email", row.s(1), typed(row, email_label)),
        "name" => e("name", row.s(1).or_else(|| join_some(&[row.s(2), row.s(3)], " ")), None),
        "postal-address_v2" => e("postal", row.s(1), typed(row, postal_label)),
        "website" => e("website", row.s(1), typed(row, website_label)),
        "im" => {
            let protocol = match row.num(5) {
                Some(-1) => row.s(6),
                p => im_protocol(p).map(String::from).or_else(|| row.s(6)),
            };
            e("im", row.s(1), protocol)
        }
        "organization" => e("organization", row.s(1).or_else(|| row.s(4)), row.s(1).and(row.s(4))),
        "nickname" => e("nickname", row.s(1), None),
        "note" => e("note", row.s(1), None),
        "sip_address" => e("sip", row.s(1), None),
        "identity" => e("identity", row.s(1), row.s(2)),
        "photo" => None,
        "group_membership" => {
            let id = row.num(1)?;
            e("group", Some(groups.get(&id).cloned().unwrap_or_else(|| format!("group #{id}"))), None)
        }
        other => {
            let lower = other.to_ascii_lowercase();
            let kind = if lower.contains("whatsapp") {
                "whatsapp-profile".to_string()
            } else if lower.contains("telegram") {
                "telegram-profile".to_string()
            } else if lower.contains("thoughtcrime") || lower.contains("signal") {
                "signal-profile".to_string()
            } else if lower.contains("viber") {
                "viber-profile".to_string()
            } else {
                row.mime.clone()
            };
            e(&kind, row.s(1), row.s(3).or_else(|| row.s(2)))
        }
    }
}

impl Parser for AndroidContacts {
    fn name(&self) -> &'static str {
        "android-contacts"
    }
    fn version(&self) -> &'static str {
        "2"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/com.android.providers.contacts/databases/contacts2.db", "*/com.samsung.android.providers.contacts/databases/contacts2.db"]
    }

    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let rc = columns(db, "raw_contacts");
        let dc = columns(db, "data");
        if rc.is_empty() || dc.is_empty() || !has_table(db, "mimetypes") {
            return Err(ParseError::Schema("no `raw_contacts`/`data`/`mimetypes` tables: not an Android contacts2.db".into()));
        }
        let unexpected = |e| what(e, "unexpected Android contacts2.db schema");
        require(db, "raw_contacts", &["_id"]).map_err(unexpected)?;
        require(db, "data", &["_id", "raw_contact_id", "mimetype_id", "data1"]).map_err(unexpected)?;
        require(db, "mimetypes", &["_id", "mimetype"]).map_err(unexpected)?;
        require_table(db, "groups", &["_id"]).map_err(unexpected)?;
        require_table(db, "accounts", &["_id", "account_name", "account_type"]).map_err(unexpected)?;
        let mut groups: HashMap<i64, String> = HashMap::new();
        if has_table(db, "groups") && has_col(&columns(db, "groups"), "title") {
            let mut st = db.prepare("SELECT _id, title FROM groups")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                if let (Some(id), Some(t)) = (as_i64(r.get_ref(0)?), text(r.get_ref(1)?)) {
                    groups.insert(id, t);
                }
            }
        }
        // Data rows per raw contact, in `_id` order.
        let mut data: BTreeMap<i64, (i64, Vec<DataRow>)> = BTreeMap::new();
        {
            let sql = format!(
                "SELECT d.raw_contact_id, d._id, m.mimetype, {}, {}, {}, {}, {}, {} FROM data d JOIN mimetypes m ON m._id = d.mimetype_id ORDER BY d.raw_contact_id, d._id",
                qcol(&dc, "d", "data1"),
                qcol(&dc, "d", "data2"),
                qcol(&dc, "d", "data3"),
                qcol(&dc, "d", "data4"),
                qcol(&dc, "d", "data5"),
                qcol(&dc, "d", "data6"),
            );
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let Some(raw) = as_i64(r.get_ref(0)?) else { continue };
                let did = as_i64(r.get_ref(1)?).unwrap_or(0);
                let row = DataRow {
                    mime: text(r.get_ref(2)?).unwrap_or_default(),
                    d: [text(r.get_ref(3)?), text(r.get_ref(4)?), text(r.get_ref(5)?), text(r.get_ref(6)?), text(r.get_ref(7)?), text(r.get_ref(8)?)],
                };
                data.entry(raw).or_insert_with(|| (did, Vec::new())).1.push(row);
            }
        }
        // Last update of each aggregate contact (Unix ms), given to its raw contacts.
        let mut updated: HashMap<i64, i64> = HashMap::new();
        let cc = columns(db, "contacts");
        if has_col(&cc, "contact_last_updated_timestamp") {
            let mut st = db.prepare("SELECT _id, contact_last_updated_timestamp FROM contacts")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                if let (Some(id), Some(t)) = (as_i64(r.get_ref(0)?), as_i64(r.get_ref(1)?)) {
                    updated.insert(id, t);
                }
            }
        }
        let accounts_joined = has_table(db, "accounts") && has_col(&rc, "account_id");
        let sql = if accounts_joined {
            format!(
                "SELECT rc._id, {}, {}, a.account_name, a.account_type, {} FROM raw_contacts rc LEFT JOIN accounts a ON a._id = rc.account_id ORDER BY rc._id",
                qcol(&rc, "rc", "display_name"),
                qcol(&rc, "rc", "deleted"),
                qcol(&rc, "rc", "contact_id")
            )
        } else {
            format!(
                "SELECT rc._id, {}, {}, {}, {}, {} FROM raw_contacts rc ORDER BY rc._id",
                qcol(&rc, "rc", "display_name"),
                qcol(&rc, "rc", "deleted"),
                qcol(&rc, "rc", "account_name"),
                qcol(&rc, "rc", "account_type"),
                qcol(&rc, "rc", "contact_id")
            )
        };
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let Some(id) = as_i64(r.get_ref(0)?) else { continue };
            let rows_of = data.remove(&id).map(|(_, v)| v).unwrap_or_default();
            let entries: Vec<ContactEntry> = rows_of.iter().filter_map(|d| entry(d, &groups)).collect();
            let name = text(r.get_ref(1)?).or_else(|| entries.iter().find(|e| e.kind == "name").map(|e| e.value.clone()));
            let account = match (text(r.get_ref(4)?), text(r.get_ref(3)?)) {
                (Some(t), Some(n)) if t != n => format!("{t} ({n})"),
                (Some(t), _) => t,
                (None, Some(n)) => n,
                (None, None) => "local".to_string(),
            };
            out.put(Artefact::Contact(Contact {
                src: ("raw_contacts", Some(id)),
                name,
                account: Some(account),
                entries,
                created: None,
                modified: as_i64(r.get_ref(5)?).and_then(|c| updated.get(&c)).and_then(|t| stamp_i(*t, Unit::UnixMs)),
                deleted: as_i64(r.get_ref(2)?) == Some(1),
            }))?;
        }
        // Data left without a raw contact.
        for (_, (first_data_id, rows_of)) in data {
            let entries: Vec<ContactEntry> = rows_of.iter().filter_map(|d| entry(d, &groups)).collect();
            if entries.is_empty() {
                continue;
            }
            out.put(Artefact::Contact(Contact {
                src: ("data", Some(first_data_id)),
                name: entries.iter().find(|e| e.kind == "name").map(|e| e.value.clone()),
                account: Some("(raw contact missing)".into()),
                entries,
                created: None,
                modified: None,
                deleted: false,
            }))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(mime: &str, d: [Option<&str>; 6]) -> DataRow {
        DataRow { mime: mime.into(), d: d.map(|x| x.map(String::from)) }
    }

    #[test]
    fn data_rows_become_labelled_entries() {
        let g = HashMap::from([(4, "Coworkers".to_string())]);
        let e = entry(&row("vnd.android.cursor.item/phone_v2", [Some("+33 6"), Some("2"), None, None, None, None]), &g).unwrap();
        assert_eq!((e.kind.as_str(), e.value.as_str(), e.label.as_deref()), ("phone", "+33 6", Some("mobile")));
        let e = entry(&row("vnd.android.cursor.item/phone_v2", [Some("1"), Some("0"), Some("burner"), None, None, None]), &g).unwrap();
        assert_eq!(e.label.as_deref(), Some("burner"));
        let e = entry(&row("vnd.android.cursor.item/vnd.com.whatsapp.profile", [Some("33@s.whatsapp.net"), Some("WhatsApp"), Some("Message +33"), None, None, None]), &g).unwrap();
        assert_eq!((e.kind.as_str(), e.label.as_deref()), ("whatsapp-profile", Some("Message +33")));
        let e = entry(&row("vnd.android.cursor.item/group_membership", [Some("4"), None, None, None, None, None]), &g).unwrap();
        assert_eq!(e.value, "Coworkers");
        let e = entry(&row("vnd.android.cursor.item/im", [Some("bob"), None, None, None, Some("-1"), Some("Wire")]), &g).unwrap();
        assert_eq!(e.label.as_deref(), Some("Wire"));
        assert!(entry(&row("vnd.android.cursor.item/photo", [None, None, None, None, None, None]), &g).is_none());
        assert!(entry(&row("vnd.android.cursor.item/phone_v2", [None, Some("x"), None, None, None, None]), &g).is_none());
    }
}
