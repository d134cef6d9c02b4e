//! NIST NSRL RDSv3 (SQLite) as a known-good set.
//!
//! RDSv3 is published as an SQLite database. The hashes are in the `FILE` table of the minimal
//! sets (a view over `METADATA` in the full sets): `sha256, sha1, md5, crc32, file_name,
//! file_size, package_id`, hex in upper case. The reader takes `METADATA` when it has the hash
//! columns, else `FILE`, and reads distinct (sha256, sha1, md5) triples with one file name each,
//! as a stream (the database is opened read-only and immutable, never written). `VERSION`, when
//! present, gives the release (`version` column), kept as the set's version.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{Item, ItemWriter, ReadOutcome, bad, norm_hex};
use crate::error::{Error, Result};

/// What the reader expects, for error messages.
pub const EXPECTED: &str = "an NSRL RDSv3 database (SQLite with a FILE or METADATA table of sha256, sha1, md5)";

/// `file:` URI of `path` with `immutable=1`, so SQLite neither locks nor writes beside it.
fn immutable_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")")).map_err(|e| Error::sql("reading the NSRL schema", e))?;
    let cols = stmt
        .query_map([], |r| r.get::<_, String>(1))
        .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| Error::sql("reading the NSRL schema", e))?;
    Ok(cols.into_iter().map(|c| c.to_ascii_lowercase()).collect())
}

/// Read an RDSv3 database into `writer`.
/// `digest` is the file's (SHA-256, size) when the caller has computed it already.
pub(crate) fn read(path: &Path, writer: &mut ItemWriter<'_>, digest: Option<(String, u64)>) -> Result<ReadOutcome> {
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| Error::io("opening the hash set", path, e))?;
        let n = f.read(&mut head).map_err(|e| Error::io("reading the hash set", path, e))?;
        if n < 16 || &head != b"SQLite format 3\0" {
            return Err(bad(path, EXPECTED, "it is not an SQLite database"));
        }
    }
    let conn = Connection::open_with_flags(immutable_uri(path), OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| bad(path, EXPECTED, format!("SQLite cannot open it: {e}")))?;
    let objects: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")
            .map_err(|e| bad(path, EXPECTED, format!("SQLite cannot read it: {e}")))?;
        stmt.query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| bad(path, EXPECTED, format!("SQLite cannot read it: {e}")))?
    };
    let find = |name: &str| objects.iter().find(|o| o.eq_ignore_ascii_case(name)).cloned();
    let mut source = None;
    for candidate in ["METADATA", "FILE"] {
        if let Some(table) = find(candidate) {
            let cols = columns(&conn, &table)?;
            if ["sha256", "sha1", "md5"].iter().all(|c| cols.iter().any(|k| k == c)) {
                source = Some((table, cols.iter().any(|k| k == "file_name")));
                break;
            }
        }
    }
    let Some((table, has_name)) = source else {
        return Err(bad(
            path,
            EXPECTED,
            format!("no FILE or METADATA table with sha256, sha1 and md5 columns (tables: {})", if objects.is_empty() { "none".into() } else { objects.join(", ") }),
        ));
    };
    let format_version: Option<String> = match find("VERSION") {
        Some(t) if columns(&conn, &t)?.iter().any(|c| c == "version") => conn
            .query_row(&format!("SELECT CAST(version AS TEXT) FROM \"{t}\" LIMIT 1"), [], |r| r.get(0))
            .optional()
            .map_err(|e| Error::sql("reading the NSRL version", e))?
            .flatten(),
        _ => None,
    };
    let name_expr = if has_name { "min(file_name)" } else { "NULL" };
    let sql = format!("SELECT sha256, sha1, md5, {name_expr} FROM \"{table}\" GROUP BY sha256, sha1, md5");
    let mut stmt = conn.prepare(&sql).map_err(|e| bad(path, EXPECTED, format!("cannot read {table}: {e}")))?;
    let mut rows = stmt.query([]).map_err(|e| bad(path, EXPECTED, format!("cannot read {table}: {e}")))?;
    let mut row_no = 0u64;
    while let Some(r) = rows.next().map_err(|e| bad(path, EXPECTED, format!("cannot read {table}: {e}")))? {
        row_no += 1;
        let get = |i: usize| -> Result<Option<String>> {
            r.get::<_, Option<String>>(i).map_err(|e| bad(path, EXPECTED, format!("{table} row {row_no}: column {i} is not text: {e}")))
        };
        let hex = |v: Option<String>, len: usize, label: &str| -> Result<Option<String>> {
            match v {
                Some(v) => norm_hex(&v, len).map_err(|e| bad(path, EXPECTED, format!("{table} row {row_no}, {label}: {e}"))),
                None => Ok(None),
            }
        };
        let item = Item {
            sha256: hex(get(0)?, 64, "sha256")?,
            sha1: hex(get(1)?, 40, "sha1")?,
            md5: hex(get(2)?, 32, "md5")?,
            name: get(3)?,
            ..Item::default()
        };
        writer.push(item)?;
    }
    drop(rows);
    drop(stmt);
    drop(conn);
    let (file_sha256, file_size) = match digest {
        Some(d) => d,
        None => sha256_file(path)?,
    };
    Ok(ReadOutcome { file_sha256, file_size, format_version, envelope: None })
}

fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let f = std::fs::File::open(path).map_err(|e| Error::io("opening the hash set", path, e))?;
    super::HashingReader::new(f).finish().map_err(|e| Error::io("reading the hash set", path, e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn uri_escapes_odd_characters() {
        let u = super::immutable_uri(std::path::Path::new("/tmp/a b?c#d%.db"));
        assert_eq!(u, "file:/tmp/a%20b%3Fc%23d%25.db?immutable=1");
    }
}
