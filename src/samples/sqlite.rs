//! SQLite helpers: build a database in a scratch folder, read it (and its `-wal`) back as bytes,
//! and make the `-wal` deterministic.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::error::{Error, Result, SqlContext};

/// Open a fresh database at `dir/name` (removing any previous one).
pub fn create(dir: &Path, name: &str) -> Result<(Connection, PathBuf)> {
    let path = dir.join(name.replace('/', "_"));
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| Error::io("removing", &p, e))?;
        }
    }
    let conn = Connection::open(&path).ctx("creating a sample database")?;
    conn.execute_batch("PRAGMA journal_mode=DELETE; PRAGMA foreign_keys=OFF; PRAGMA secure_delete=OFF; PRAGMA auto_vacuum=NONE; PRAGMA synchronous=OFF;")
        .ctx("configuring a sample database")?;
    conn.set_prepared_statement_cache_capacity(64);
    // Everything is written in one transaction (committed by `finish`): 200,000 rows take seconds.
    conn.execute_batch("BEGIN").ctx("starting a transaction")?;
    Ok((conn, path))
}

/// `execute` through the prepared-statement cache (the writers insert row by row).
pub trait Exec {
    /// Prepare (cached) and execute.
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl Exec for Connection {
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

fn commit(conn: &Connection) -> Result<()> {
    if !conn.is_autocommit() {
        conn.execute_batch("COMMIT").ctx("committing a sample database")?;
    }
    Ok(())
}

/// Close `conn` and return the database bytes.
pub fn finish(conn: Connection, path: &Path) -> Result<Vec<u8>> {
    commit(&conn)?;
    conn.close().map_err(|(_, e)| Error::sql("closing a sample database", e))?;
    std::fs::read(path).map_err(|e| Error::io("reading", path, e))
}

/// Switch `conn` to WAL mode with automatic checkpoints off: what is written next stays in `-wal`.
pub fn begin_wal(conn: &Connection) -> Result<()> {
    commit(conn)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).ctx("switching to WAL")?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::InvalidArgument(format!("sample database refused WAL mode ({mode})")));
    }
    conn.execute_batch("PRAGMA wal_autocheckpoint=0;").ctx("disabling checkpoints")?;
    conn.execute_batch("BEGIN").ctx("starting a transaction")?;
    Ok(())
}

/// Copy the main file and its `-wal` while `conn` is still open (closing would checkpoint), then
/// drop the connection. The `-wal` salts are replaced with `salt` and its checksums recomputed.
pub fn finish_with_wal(conn: Connection, path: &Path, salt: (u32, u32)) -> Result<(Vec<u8>, Vec<u8>)> {
    commit(&conn)?;
    let main = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
    let wal_path = PathBuf::from(format!("{}-wal", path.display()));
    let mut wal = std::fs::read(&wal_path).map_err(|e| Error::io("reading", &wal_path, e))?;
    drop(conn);
    normalise_wal(&mut wal, salt)?;
    Ok((main, wal))
}

fn rd(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn wr(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// SQLite WAL checksum over `data` (a multiple of 8 bytes), continuing from `s`.
fn checksum(data: &[u8], big_endian: bool, mut s: (u32, u32)) -> (u32, u32) {
    for chunk in data.chunks_exact(8) {
        let (a, b) = if big_endian {
            (u32::from_be_bytes(chunk[0..4].try_into().unwrap_or_default()), u32::from_be_bytes(chunk[4..8].try_into().unwrap_or_default()))
        } else {
            (u32::from_le_bytes(chunk[0..4].try_into().unwrap_or_default()), u32::from_le_bytes(chunk[4..8].try_into().unwrap_or_default()))
        };
        s.0 = s.0.wrapping_add(a).wrapping_add(s.1);
        s.1 = s.1.wrapping_add(b).wrapping_add(s.0);
    }
    s
}

/// Replace the random salts of a WAL file (SQLite draws them from the OS) with fixed ones and
/// recompute the header and frame checksums, so the file is byte-identical across runs and still
/// valid. Layout: 32-byte header (magic, version, page size, checkpoint seq, salt-1, salt-2,
/// checksum-1, checksum-2), then frames of a 24-byte header (page, commit size, salt-1, salt-2,
/// checksum-1, checksum-2) and one page.
pub fn normalise_wal(wal: &mut [u8], salt: (u32, u32)) -> Result<()> {
    if wal.len() < 32 {
        return Err(Error::InvalidArgument("sample -wal is shorter than its header".into()));
    }
    let magic = rd(wal, 0);
    if magic & 0xffff_fffe != 0x377f_0682 {
        return Err(Error::InvalidArgument(format!("sample -wal has a bad magic {magic:#x}")));
    }
    let big_endian = magic & 1 == 1;
    let page_size = rd(wal, 8) as usize;
    wr(wal, 16, salt.0);
    wr(wal, 20, salt.1);
    let mut s = checksum(&wal[0..24], big_endian, (0, 0));
    wr(wal, 24, s.0);
    wr(wal, 28, s.1);
    let frame = 24 + page_size;
    let mut at = 32;
    while at + frame <= wal.len() {
        wr(wal, at + 8, salt.0);
        wr(wal, at + 12, salt.1);
        s = checksum(&wal[at..at + 8], big_endian, s);
        s = checksum(&wal[at + 24..at + frame], big_endian, s);
        wr(wal, at + 16, s.0);
        wr(wal, at + 20, s.1);
        at += frame;
    }
    Ok(())
}
