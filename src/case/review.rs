//! The review layer: what the examiner adds to the evidence. Tags on items, people with their
//! identifiers and roles, exhibits.
//!
//! Items are referenced by provenance ([`ItemRef`]: source, virtual path, and for a database row
//! its table and row id), the key every parsed artefact carries, so a tag made on a raw database
//! row and one made on the parsed message point at the same thing. Every change is audited.
//! Roles are always the examiner's decision: nothing here assigns one automatically.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Case, audit, now_rfc3339};
use crate::error::{Error, Result, SqlContext};

/// Roles an examiner can give a person (networks-and-roles.md §1.2, plus `recruit`).
pub const ROLES: &[&str] = &[
    "victim",
    "recruit",
    "smuggled-migrant",
    "recruiter",
    "recruitment-agency",
    "transporter",
    "journey-organiser",
    "journey-escort",
    "protector",
    "controller",
    "exploiter",
    "employer",
    "debt-collector",
    "document-forger",
    "illegal-stay-enabler",
    "money-handler",
    "corrupt-official",
    "informant",
    "client",
    "witness",
];

/// Identifier kinds.
pub const IDENTIFIER_KINDS: &[&str] = &["phone", "email", "whatsapp-jid", "handle", "iban", "wallet", "name", "account"];

/// A reference to an item of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    /// Source id.
    pub source_id: i64,
    /// Virtual path of the file.
    pub path: String,
    /// Table, for a database row.
    pub table: Option<String>,
    /// Row id, for a database row.
    pub row_id: Option<i64>,
}

/// One tag.
#[derive(Debug, Clone, Serialize)]
pub struct TagRow {
    /// Row id.
    pub id: i64,
    /// The item.
    pub item: ItemRef,
    /// The tag (free text, or an indicator id such as `LB-03`).
    pub tag: String,
    /// Examiner's note.
    pub note: Option<String>,
    /// Who.
    pub created_by: String,
}

/// One person with identifiers and roles.
#[derive(Debug, Clone, Serialize)]
pub struct PersonRow {
    /// Row id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// (kind, value as entered).
    pub identifiers: Vec<(String, String)>,
    /// Roles.
    pub roles: Vec<String>,
}

/// One exhibit with its items.
#[derive(Debug, Clone, Serialize)]
pub struct ExhibitRow {
    /// Row id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Items with notes.
    pub items: Vec<(ItemRef, Option<String>)>,
}

/// Normalise an identifier for matching: phones keep digits (and a leading `+`), e-mails and JIDs
/// are lower-cased, IBANs upper-cased without spaces.
pub fn normalise_identifier(kind: &str, value: &str) -> String {
    let v = value.trim();
    match kind {
        "phone" => {
            let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
            if v.starts_with('+') || v.starts_with("00") { format!("+{}", digits.trim_start_matches("00")) } else { digits }
        }
        "email" | "whatsapp-jid" | "handle" => v.to_lowercase(),
        "iban" => v.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase(),
        _ => v.to_string(),
    }
}

impl Case {
    fn check_item(&self, item: &ItemRef) -> Result<()> {
        let found: Option<i64> = self
            .conn()
            .query_row("SELECT id FROM files WHERE source_id = ?1 AND path = ?2 LIMIT 1", params![item.source_id, item.path], |r| r.get(0))
            .optional()
            .ctx("looking up the item")?;
        if found.is_none() {
            return Err(Error::InvalidArgument(format!("source {} has no entry '{}'; see `threadline files`", item.source_id, item.path)));
        }
        if item.table.is_some() != item.row_id.is_some() {
            return Err(Error::InvalidArgument("a database row needs both a table and a row id".into()));
        }
        Ok(())
    }

    /// Tag an item.
    pub fn add_tag(&mut self, item: &ItemRef, tag: &str, note: Option<&str>) -> Result<i64> {
        if tag.trim().is_empty() {
            return Err(Error::InvalidArgument("a tag cannot be empty".into()));
        }
        self.check_item(item)?;
        let actor = self.actor();
        let tx = self.conn_mut().transaction().ctx("adding a tag")?;
        tx.execute(
            "INSERT INTO tags (source_id, path, table_name, row_id, tag, note, created_utc, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![item.source_id, item.path, item.table, item.row_id, tag.trim(), note, now_rfc3339(), actor],
        )
        .ctx("adding a tag")?;
        let id = tx.last_insert_rowid();
        audit::append(&tx, &actor, "tag.add", &serde_json::json!({"tag_id": id, "item": item, "tag": tag.trim(), "note": note}))?;
        tx.commit().ctx("adding a tag")?;
        Ok(id)
    }

    /// All tags.
    pub fn tags(&self) -> Result<Vec<TagRow>> {
        let mut stmt = self.conn().prepare("SELECT id, source_id, path, table_name, row_id, tag, note, created_by FROM tags ORDER BY id").ctx("listing tags")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TagRow {
                    id: r.get(0)?,
                    item: ItemRef { source_id: r.get(1)?, path: r.get(2)?, table: r.get(3)?, row_id: r.get(4)? },
                    tag: r.get(5)?,
                    note: r.get(6)?,
                    created_by: r.get(7)?,
                })
            })
            .ctx("listing tags")?;
        rows.collect::<std::result::Result<Vec<_>, _>>().ctx("listing tags")
    }

    /// Add a person with identifiers (`kind`, `value`).
    pub fn add_person(&mut self, name: &str, identifiers: &[(String, String)]) -> Result<i64> {
        if name.trim().is_empty() {
            return Err(Error::InvalidArgument("a person needs a name".into()));
        }
        let actor = self.actor();
        let now = now_rfc3339();
        let tx = self.conn_mut().transaction().ctx("adding a person")?;
        tx.execute("INSERT INTO persons (name, created_utc, created_by) VALUES (?1, ?2, ?3)", params![name.trim(), now, actor]).ctx("adding a person")?;
        let id = tx.last_insert_rowid();
        for (kind, value) in identifiers {
            link_identifier(&tx, id, kind, value, &now, &actor)?;
        }
        audit::append(&tx, &actor, "person.add", &serde_json::json!({"person_id": id, "name": name.trim(), "identifiers": identifiers}))?;
        tx.commit().ctx("adding a person")?;
        Ok(id)
    }

    /// Attach one more identifier to a person.
    pub fn add_identifier(&mut self, person_id: i64, kind: &str, value: &str) -> Result<()> {
        self.person_exists(person_id)?;
        let actor = self.actor();
        let now = now_rfc3339();
        let tx = self.conn_mut().transaction().ctx("adding an identifier")?;
        link_identifier(&tx, person_id, kind, value, &now, &actor)?;
        audit::append(&tx, &actor, "person.identifier", &serde_json::json!({"person_id": person_id, "kind": kind, "value": value}))?;
        tx.commit().ctx("adding an identifier")
    }

    fn person_exists(&self, person_id: i64) -> Result<()> {
        let n: i64 = self.conn().query_row("SELECT count(*) FROM persons WHERE id = ?1", [person_id], |r| r.get(0)).ctx("looking up the person")?;
        if n == 0 {
            return Err(Error::InvalidArgument(format!("no person {person_id}; see `threadline person list`")));
        }
        Ok(())
    }

    /// Give a person a role (the examiner's decision).
    pub fn set_role(&mut self, person_id: i64, role: &str, note: Option<&str>) -> Result<()> {
        if !ROLES.contains(&role) {
            return Err(Error::InvalidArgument(format!("unknown role '{role}'; roles: {}", ROLES.join(", "))));
        }
        self.person_exists(person_id)?;
        let actor = self.actor();
        let tx = self.conn_mut().transaction().ctx("setting a role")?;
        tx.execute(
            "INSERT OR IGNORE INTO roles (person_id, role, note, created_utc, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![person_id, role, note, now_rfc3339(), actor],
        )
        .ctx("setting a role")?;
        audit::append(&tx, &actor, "person.role", &serde_json::json!({"person_id": person_id, "role": role, "note": note}))?;
        tx.commit().ctx("setting a role")
    }

    /// All persons.
    pub fn persons(&self) -> Result<Vec<PersonRow>> {
        let c = self.conn();
        let mut stmt = c.prepare("SELECT id, name FROM persons ORDER BY id").ctx("listing persons")?;
        let base: Vec<(i64, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).ctx("listing persons")?.collect::<std::result::Result<_, _>>().ctx("listing persons")?;
        let mut ids = c
            .prepare("SELECT i.kind, i.value FROM person_identifiers p JOIN identifiers i ON i.id = p.identifier_id WHERE p.person_id = ?1 ORDER BY i.id")
            .ctx("listing identifiers")?;
        let mut roles = c.prepare("SELECT role FROM roles WHERE person_id = ?1 ORDER BY id").ctx("listing roles")?;
        let mut out = Vec::new();
        for (id, name) in base {
            let identifiers = ids.query_map([id], |r| Ok((r.get(0)?, r.get(1)?))).ctx("listing identifiers")?.collect::<std::result::Result<_, _>>().ctx("listing identifiers")?;
            let roles = roles.query_map([id], |r| r.get(0)).ctx("listing roles")?.collect::<std::result::Result<_, _>>().ctx("listing roles")?;
            out.push(PersonRow { id, name, identifiers, roles });
        }
        Ok(out)
    }

    /// Open a new exhibit.
    pub fn add_exhibit(&mut self, title: &str, description: Option<&str>) -> Result<i64> {
        if title.trim().is_empty() {
            return Err(Error::InvalidArgument("an exhibit needs a title".into()));
        }
        let actor = self.actor();
        let tx = self.conn_mut().transaction().ctx("adding an exhibit")?;
        tx.execute("INSERT INTO exhibits (title, description, created_utc, created_by) VALUES (?1, ?2, ?3, ?4)", params![title.trim(), description, now_rfc3339(), actor])
            .ctx("adding an exhibit")?;
        let id = tx.last_insert_rowid();
        audit::append(&tx, &actor, "exhibit.add", &serde_json::json!({"exhibit_id": id, "title": title.trim()}))?;
        tx.commit().ctx("adding an exhibit")?;
        Ok(id)
    }

    /// Put an item into an exhibit.
    pub fn add_exhibit_item(&mut self, exhibit_id: i64, item: &ItemRef, note: Option<&str>) -> Result<i64> {
        let n: i64 = self.conn().query_row("SELECT count(*) FROM exhibits WHERE id = ?1", [exhibit_id], |r| r.get(0)).ctx("looking up the exhibit")?;
        if n == 0 {
            return Err(Error::InvalidArgument(format!("no exhibit {exhibit_id}; see `threadline exhibit list`")));
        }
        self.check_item(item)?;
        let actor = self.actor();
        let tx = self.conn_mut().transaction().ctx("adding an exhibit item")?;
        tx.execute(
            "INSERT INTO exhibit_items (exhibit_id, source_id, path, table_name, row_id, note, added_utc, added_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![exhibit_id, item.source_id, item.path, item.table, item.row_id, note, now_rfc3339(), actor],
        )
        .ctx("adding an exhibit item")?;
        let id = tx.last_insert_rowid();
        audit::append(&tx, &actor, "exhibit.item", &serde_json::json!({"exhibit_id": exhibit_id, "item_id": id, "item": item, "note": note}))?;
        tx.commit().ctx("adding an exhibit item")?;
        Ok(id)
    }

    /// All exhibits with their items.
    pub fn exhibits(&self) -> Result<Vec<ExhibitRow>> {
        let c = self.conn();
        let mut stmt = c.prepare("SELECT id, title, description FROM exhibits ORDER BY id").ctx("listing exhibits")?;
        let base: Vec<(i64, String, Option<String>)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).ctx("listing exhibits")?.collect::<std::result::Result<_, _>>().ctx("listing exhibits")?;
        let mut items = c.prepare("SELECT source_id, path, table_name, row_id, note FROM exhibit_items WHERE exhibit_id = ?1 ORDER BY id").ctx("listing exhibit items")?;
        let mut out = Vec::new();
        for (id, title, description) in base {
            let items = items
                .query_map([id], |r| Ok((ItemRef { source_id: r.get(0)?, path: r.get(1)?, table: r.get(2)?, row_id: r.get(3)? }, r.get(4)?)))
                .ctx("listing exhibit items")?
                .collect::<std::result::Result<_, _>>()
                .ctx("listing exhibit items")?;
            out.push(ExhibitRow { id, title, description, items });
        }
        Ok(out)
    }
}

fn link_identifier(conn: &rusqlite::Connection, person_id: i64, kind: &str, value: &str, now: &str, actor: &str) -> Result<()> {
    if !IDENTIFIER_KINDS.contains(&kind) {
        return Err(Error::InvalidArgument(format!("unknown identifier kind '{kind}'; kinds: {}", IDENTIFIER_KINDS.join(", "))));
    }
    if value.trim().is_empty() {
        return Err(Error::InvalidArgument(format!("empty {kind}")));
    }
    let norm = normalise_identifier(kind, value);
    conn.execute("INSERT OR IGNORE INTO identifiers (kind, value, normalised) VALUES (?1, ?2, ?3)", params![kind, value.trim(), norm]).ctx("adding an identifier")?;
    let ident: i64 = conn.query_row("SELECT id FROM identifiers WHERE kind = ?1 AND normalised = ?2", params![kind, norm], |r| r.get(0)).ctx("adding an identifier")?;
    conn.execute(
        "INSERT OR IGNORE INTO person_identifiers (person_id, identifier_id, added_utc, added_by) VALUES (?1, ?2, ?3, ?4)",
        params![person_id, ident, now, actor],
    )
    .ctx("adding an identifier")?;
    Ok(())
}
