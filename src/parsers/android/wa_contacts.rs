//! WhatsApp Android `wa.db`: `wa_contacts` → one contact per row (formats.md §2.8).
//!
//! - Account `com.whatsapp` (`com.whatsapp.w4b` for WhatsApp Business).
//! - Name: given + family name → `display_name` (both from the phone's address book) → `wa_name`
//!   (the push name the person chose) → none.
//! - Entries: `whatsapp-jid` (label `not a WhatsApp user` when `is_whatsapp_user` = 0), `phone`
//!   (`number`, label `phone_label`), `display-name`, `whatsapp-name` (push name), `status` (the
//!   "about" text), `nickname`, `company`, and `verified-name` from `wa_vnames` (business accounts).
//!   Groups (`…@g.us`) are rows of `wa_contacts` too and are kept as such.

use std::collections::HashMap;

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Contact, ContactEntry, Sink};
use super::super::sqlite::{as_i64, columns, has_table, qcol, require, what};
use super::super::{ParseCtx, ParseError, Parser};
use super::{has_col, join_some, text};

/// The parser.
pub struct WhatsAppContacts;

impl Parser for WhatsAppContacts {
    fn name(&self) -> &'static str {
        "android-whatsapp-contacts"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/com.whatsapp/databases/wa.db", "*/com.whatsapp.w4b/databases/wa.db"]
    }

    fn parse(&self, db: &Connection, ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let c = columns(db, "wa_contacts");
        if !has_col(&c, "jid") {
            return Err(ParseError::Schema("no `wa_contacts` table with a `jid` column: not a WhatsApp wa.db".into()));
        }
        require(db, "wa_contacts", &["_id", "jid"]).map_err(|e| what(e, "unexpected WhatsApp wa.db schema"))?;
        let account = if ctx.path.to_ascii_lowercase().contains("/com.whatsapp.w4b/") { "com.whatsapp.w4b" } else { "com.whatsapp" };
        let mut vnames: HashMap<String, String> = HashMap::new();
        if has_table(db, "wa_vnames") && has_col(&columns(db, "wa_vnames"), "verified_name") && has_col(&columns(db, "wa_vnames"), "jid") {
            let mut st = db.prepare("SELECT jid, verified_name FROM wa_vnames")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                if let (Some(j), Some(v)) = (text(r.get_ref(0)?), text(r.get_ref(1)?)) {
                    vnames.insert(j, v);
                }
            }
        }
        let sql = format!(
            "SELECT w._id, w.jid, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} FROM wa_contacts w ORDER BY w._id",
            qcol(&c, "w", "is_whatsapp_user"),
            qcol(&c, "w", "status"),
            qcol(&c, "w", "number"),
            qcol(&c, "w", "phone_label"),
            qcol(&c, "w", "display_name"),
            qcol(&c, "w", "given_name"),
            qcol(&c, "w", "family_name"),
            qcol(&c, "w", "wa_name"),
            qcol(&c, "w", "nickname"),
            qcol(&c, "w", "company"),
            qcol(&c, "w", "title"),
        );
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let jid = text(r.get_ref(1)?);
            let display = text(r.get_ref(6)?);
            let wa_name = text(r.get_ref(9)?);
            let name = join_some(&[text(r.get_ref(7)?), text(r.get_ref(8)?)], " ").or_else(|| display.clone()).or_else(|| wa_name.clone());
            let mut entries = Vec::new();
            let mut add = |kind: &str, value: Option<String>, label: Option<String>| {
                if let Some(value) = value {
                    entries.push(ContactEntry { kind: kind.into(), value, label });
                }
            };
            let not_user = as_i64(r.get_ref(2)?) == Some(0);
            add("whatsapp-jid", jid.clone(), not_user.then(|| "not a WhatsApp user".to_string()));
            add("phone", text(r.get_ref(4)?), text(r.get_ref(5)?));
            add("display-name", display, None);
            add("whatsapp-name", wa_name, Some("push name".into()));
            add("status", text(r.get_ref(3)?), None);
            add("nickname", text(r.get_ref(10)?), None);
            add("company", text(r.get_ref(11)?), text(r.get_ref(12)?));
            add("verified-name", jid.as_ref().and_then(|j| vnames.get(j).cloned()), None);
            out.put(Artefact::Contact(Contact {
                src: ("wa_contacts", as_i64(r.get_ref(0)?)),
                name,
                account: Some(account.into()),
                entries,
                created: None,
                modified: None,
                deleted: false,
            }))?;
        }
        Ok(())
    }
}
