//! Helpers for parsers reading SQLite databases from evidence (always a scratch copy, never the
//! evidence itself): schema feature detection and tolerant value access.
//!
//! [`require`] and [`require_table`] check a table and the columns a parser cannot do without
//! *before* any query, so an unexpected schema gives "`message` has no `date` column" rather than
//! SQLite's "no such column: m.date in SELECT …" (the runner prefixes the file's path).

use rusqlite::Connection;

use super::ParseError;

/// The columns of `table`, after checking that the table exists and has every column of
/// `required` (ASCII case-insensitive). The error names the table and what is missing, and lists
/// the columns the table does have.
pub fn require(db: &Connection, table: &str, required: &[&str]) -> Result<Vec<String>, ParseError> {
    let cols = columns(db, table);
    if cols.is_empty() {
        return Err(ParseError::Schema(format!("no `{table}` table")));
    }
    let missing: Vec<&str> = required.iter().copied().filter(|c| !cols.iter().any(|have| have.eq_ignore_ascii_case(c))).collect();
    match missing.as_slice() {
        [] => Ok(cols),
        [one] => Err(ParseError::Schema(format!("`{table}` has no `{one}` column (it has: {})", cols.join(", ")))),
        many => Err(ParseError::Schema(format!(
            "`{table}` has no `{}` columns (it has: {})",
            many.join("`, `"),
            cols.join(", ")
        ))),
    }
}

/// Like [`require`], for a table the parser reads only when it is there: `Ok(None)` when the
/// table does not exist, an error when it exists without a required column.
pub fn require_table(db: &Connection, table: &str, required: &[&str]) -> Result<Option<Vec<String>>, ParseError> {
    if !has_table(db, table) {
        return Ok(None);
    }
    require(db, table, required).map(Some)
}

/// Add what the database is (`not an iOS sms.db`) to a schema error.
pub fn what(e: ParseError, what: &str) -> ParseError {
    match e {
        ParseError::Schema(m) => ParseError::Schema(format!("{m}: {what}")),
        other => other,
    }
}

/// Column names of a table (empty when the table does not exist).
pub fn columns(db: &Connection, table: &str) -> Vec<String> {
    let Ok(mut stmt) = db.prepare(&format!("PRAGMA table_info(\"{}\")", table.replace('"', "\"\""))) else { return Vec::new() };
    let Ok(rows) = stmt.query_map([], |r| r.get::<_, String>(1)) else { return Vec::new() };
    rows.filter_map(|r| r.ok()).collect()
}

/// Does the table exist?
pub fn has_table(db: &Connection, table: &str) -> bool {
    db.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| r.get::<_, i64>(0)).map(|n| n > 0).unwrap_or(false)
}

/// `col` when the table has it, else `NULL` — for SELECT lists over varying schema versions.
pub fn col_or_null(cols: &[String], col: &str) -> String {
    if cols.iter().any(|c| c.eq_ignore_ascii_case(col)) { format!("\"{col}\"") } else { "NULL".to_string() }
}

/// `alias."col"` when the table has the column, else `NULL`.
pub fn qcol(cols: &[String], alias: &str, col: &str) -> String {
    if cols.iter().any(|c| c.eq_ignore_ascii_case(col)) { format!("{alias}.\"{col}\"") } else { "NULL".to_string() }
}

/// A value as f64 whatever its storage class (INTEGER, REAL, TEXT digits); `None` for NULL/BLOB/text.
pub fn as_f64(v: rusqlite::types::ValueRef<'_>) -> Option<f64> {
    use rusqlite::types::ValueRef::*;
    match v {
        Integer(i) => Some(i as f64),
        Real(f) => Some(f),
        Text(t) => std::str::from_utf8(t).ok().and_then(|s| s.trim().parse().ok()),
        _ => None,
    }
}

/// A value as i64 (INTEGER, or REAL truncated, or TEXT digits).
pub fn as_i64(v: rusqlite::types::ValueRef<'_>) -> Option<i64> {
    use rusqlite::types::ValueRef::*;
    match v {
        Integer(i) => Some(i),
        Real(f) => Some(f as i64),
        Text(t) => std::str::from_utf8(t).ok().and_then(|s| s.trim().parse().ok()),
        _ => None,
    }
}

/// A value as text: TEXT as is, BLOB decoded as UTF-8 (lossy), numbers formatted.
pub fn as_text(v: rusqlite::types::ValueRef<'_>) -> Option<String> {
    use rusqlite::types::ValueRef::*;
    match v {
        Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Integer(i) => Some(i.to_string()),
        Real(f) => Some(f.to_string()),
        Null => None,
    }
}
