//! iOS `AddressBook.sqlitedb` (formats.md §2.2): one contact per `ABPerson` row.
//!
//! - Values come from `ABMultiValue` (`record_id` → person): property 3 phone, 4 e-mail, 5 postal
//!   address, 13 instant messaging, 22 URL, 23 related name, 46 social profile; other properties
//!   are kept as `property N`.
//! - Labels (`ABMultiValueLabel`, by ROWID) like `_$!<Mobile>!$_` are cleaned to `Mobile`; custom
//!   labels (e.g. a burner-app name) are kept as typed.
//! - Addresses, IM and social profiles keep their parts in `ABMultiValueEntry` (`parent_id` =
//!   `ABMultiValue.UID`, `key` → `ABMultiValueEntryKey` ROWID): the value becomes
//!   `key: value; key: value` in key order.
//! - Organisation, job title, nickname, note and birthday become entries of their own kind.
//! - The account is the `ABStore` name; `CreationDate` and `ModificationDate` are Cocoa seconds
//!   (created / modified, each kept raw with its unit; a value implausible as Cocoa seconds is
//!   flagged in `time_flag`).
//! - Most of a live address book sits in the `-wal`: the runner copies it beside the database.
//!
//! Not decoded: photos (`AddressBookImages.sqlitedb`), groups (`ABGroup`), linked cards
//! (`PersonLink`), deleted records left in free pages.

use std::collections::HashMap;

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Contact, ContactEntry, Sink};
use super::super::sqlite::{as_f64, as_i64, as_text, columns, has_table, qcol};
use super::super::time::{Unit, rfc3339, stamp};
use super::super::{ParseCtx, ParseError, Parser};
use super::{cocoa_s, nonempty};

/// The parser.
pub struct IosAddressBook;

/// `_$!<Mobile>!$_` → `Mobile`; anything else as typed.
pub(super) fn clean_label(l: &str) -> String {
    match l.strip_prefix("_$!<").and_then(|r| r.strip_suffix(">!$_")) {
        Some(inner) => inner.to_string(),
        None => l.to_string(),
    }
}

/// Kind of an `ABMultiValue.property`.
fn kind_of(property: Option<i64>) -> String {
    match property {
        Some(3) => "phone".into(),
        Some(4) => "email".into(),
        Some(5) => "address".into(),
        Some(13) => "im".into(),
        Some(22) => "url".into(),
        Some(23) => "related-name".into(),
        Some(46) => "social-profile".into(),
        Some(p) => format!("property {p}"),
        None => "property (null)".into(),
    }
}

fn birthday_text(raw: &str) -> String {
    // Stored as Cocoa seconds in TEXT (e.g. "-315576000"): show the date, keep the raw value.
    match raw.trim().parse::<f64>().ok().and_then(|v| stamp(v, Unit::CocoaS)).and_then(|s| s.utc_us) {
        Some(us) => format!("{} (raw {raw}, cocoa-s)", rfc3339(us).get(..10).unwrap_or_default()),
        None => raw.to_string(),
    }
}

impl Parser for IosAddressBook {
    fn name(&self) -> &'static str {
        "ios-addressbook"
    }
    fn version(&self) -> &'static str {
        "2"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/Library/AddressBook/AddressBook.sqlitedb"]
    }

    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let pcols = columns(db, "ABPerson");
        if pcols.is_empty() {
            return Err(ParseError::Schema("no `ABPerson` table: not an iOS AddressBook.sqlitedb".into()));
        }
        if !["First", "Last"].iter().all(|c| pcols.iter().any(|x| x.eq_ignore_ascii_case(c))) {
            return Err(ParseError::Schema("`ABPerson` has no `First`/`Last` columns: not an iOS AddressBook.sqlitedb".into()));
        }
        // Stores (accounts).
        let mut stores: HashMap<i64, String> = HashMap::new();
        if has_table(db, "ABStore") {
            let scols = columns(db, "ABStore");
            let mut st = db.prepare(&format!("SELECT ROWID, {} FROM ABStore s", qcol(&scols, "s", "Name")))?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                if let (Some(id), Some(n)) = (as_i64(r.get_ref(0)?), nonempty(as_text(r.get_ref(1)?))) {
                    stores.insert(id, n);
                }
            }
        }
        // Labels and entry keys, by ROWID.
        let lookup = |table: &str| -> Result<HashMap<i64, String>, ParseError> {
            let mut m = HashMap::new();
            if has_table(db, table) {
                let mut st = db.prepare(&format!("SELECT ROWID, value FROM \"{table}\""))?;
                let mut rows = st.query([])?;
                while let Some(r) = rows.next()? {
                    if let (Some(id), Some(v)) = (as_i64(r.get_ref(0)?), as_text(r.get_ref(1)?)) {
                        m.insert(id, v);
                    }
                }
            }
            Ok(m)
        };
        let labels = lookup("ABMultiValueLabel")?;
        let entry_keys = lookup("ABMultiValueEntryKey")?;
        // Parts of structured values: UID → [(key, value)].
        let mut parts: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        if has_table(db, "ABMultiValueEntry") {
            let mut st = db.prepare("SELECT parent_id, key, value FROM ABMultiValueEntry ORDER BY parent_id, key")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                if let (Some(p), Some(v)) = (as_i64(r.get_ref(0)?), nonempty(as_text(r.get_ref(2)?))) {
                    parts.entry(p).or_default().push((as_i64(r.get_ref(1)?).unwrap_or(0), v));
                }
            }
        }
        // Multi-values: person → entries.
        let mut values: HashMap<i64, Vec<ContactEntry>> = HashMap::new();
        let mcols = columns(db, "ABMultiValue");
        if !mcols.is_empty() {
            let sql = format!(
                "SELECT {}, {}, {}, {}, {} FROM ABMultiValue mv ORDER BY mv.record_id, mv.ROWID",
                qcol(&mcols, "mv", "record_id"),
                qcol(&mcols, "mv", "property"),
                qcol(&mcols, "mv", "label"),
                qcol(&mcols, "mv", "value"),
                qcol(&mcols, "mv", "UID"),
            );
            let mut st = db.prepare(&sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let Some(person) = as_i64(r.get_ref(0)?) else { continue };
                let label = as_i64(r.get_ref(2)?).and_then(|l| labels.get(&l)).map(|l| clean_label(l)).filter(|l| !l.is_empty());
                let uid = as_i64(r.get_ref(4)?);
                let value = nonempty(as_text(r.get_ref(3)?)).or_else(|| {
                    let p = uid.and_then(|u| parts.get(&u))?;
                    let text: Vec<String> = p
                        .iter()
                        .map(|(k, v)| match entry_keys.get(k) {
                            Some(name) => format!("{name}: {v}"),
                            None => format!("key {k}: {v}"),
                        })
                        .collect();
                    Some(text.join("; "))
                });
                let Some(value) = value else { continue };
                values.entry(person).or_default().push(ContactEntry { kind: kind_of(as_i64(r.get_ref(1)?)), value, label });
            }
        }
        let sql = format!(
            "SELECT p.ROWID, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} FROM ABPerson p ORDER BY p.ROWID",
            qcol(&pcols, "p", "Prefix"),
            qcol(&pcols, "p", "First"),
            qcol(&pcols, "p", "Middle"),
            qcol(&pcols, "p", "Last"),
            qcol(&pcols, "p", "Suffix"),
            qcol(&pcols, "p", "Organization"),
            qcol(&pcols, "p", "Nickname"),
            qcol(&pcols, "p", "CompositeNameFallback"),
            qcol(&pcols, "p", "JobTitle"),
            qcol(&pcols, "p", "Note"),
            qcol(&pcols, "p", "Birthday"),
            qcol(&pcols, "p", "CreationDate"),
            qcol(&pcols, "p", "StoreID"),
            qcol(&pcols, "p", "ModificationDate"),
        );
        let mut st = db.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let rowid = as_i64(r.get_ref(0)?);
            let text = |i: usize| -> Result<Option<String>, rusqlite::Error> { Ok(nonempty(as_text(r.get_ref(i)?))) };
            let mut full = Vec::new();
            for i in 1..=5 {
                full.extend(text(i)?);
            }
            let organization = text(6)?;
            let nickname = text(7)?;
            let name = (!full.is_empty()).then(|| full.join(" ")).or_else(|| organization.clone()).or_else(|| nickname.clone()).or(text(8)?);
            let mut entries = rowid.and_then(|id| values.remove(&id)).unwrap_or_default();
            for (kind, v) in [("organization", organization), ("job-title", text(9)?), ("nickname", nickname), ("note", text(10)?)] {
                if let Some(value) = v {
                    entries.push(ContactEntry { kind: kind.into(), value, label: None });
                }
            }
            if let Some(b) = text(11)? {
                entries.push(ContactEntry { kind: "birthday".into(), value: birthday_text(&b), label: None });
            }
            out.put(Artefact::Contact(Contact {
                src: ("ABPerson", rowid),
                name,
                account: as_i64(r.get_ref(13)?).and_then(|s| stores.get(&s)).cloned(),
                entries,
                created: cocoa_s(as_f64(r.get_ref(12)?)),
                modified: cocoa_s(as_f64(r.get_ref(14)?)),
                deleted: false,
            }))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_cleaned_and_custom_ones_kept() {
        assert_eq!(clean_label("_$!<Mobile>!$_"), "Mobile");
        assert_eq!(clean_label("_$!<HomePage>!$_"), "HomePage");
        assert_eq!(clean_label("TextNow"), "TextNow");
        assert_eq!(clean_label("_$!<broken"), "_$!<broken");
        assert_eq!(kind_of(Some(46)), "social-profile");
        assert_eq!(kind_of(Some(99)), "property 99");
        assert!(birthday_text("-315576000").starts_with("1991-01-01"), "{}", birthday_text("-315576000"));
        assert_eq!(birthday_text("not a number"), "not a number");
    }
}
