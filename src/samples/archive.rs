//! Deterministic TAR / TAR.GZ / ZIP writers: fixed entry order (directories, then files, sorted),
//! fixed mtimes, fixed modes, uid/gid 0 with fixed owner names, no wall clock.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use super::Tree;
use crate::error::{Error, Result};

/// Every directory that holds an entry of `tree`, each ending in `/`, sorted.
fn directories(tree: &Tree) -> BTreeSet<String> {
    let mut dirs = BTreeSet::new();
    for path in tree.keys() {
        let mut acc = String::new();
        let parts: Vec<&str> = path.split('/').collect();
        for p in &parts[..parts.len() - 1] {
            acc.push_str(p);
            acc.push('/');
            dirs.insert(acc.clone());
        }
    }
    dirs
}

/// Entries in archive order: a directory comes right before its contents (sorted walk).
fn ordered(tree: &Tree) -> Vec<(String, Option<&Vec<u8>>)> {
    let mut all: Vec<(String, Option<&Vec<u8>>)> = directories(tree).into_iter().map(|d| (d, None)).collect();
    all.extend(tree.iter().map(|(p, b)| (p.clone(), Some(b))));
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io("writing", path, e)
}

/// Write `tree` as a GNU tar (gzip-compressed when `gz`), each name prefixed with `prefix`.
pub fn write_tar(path: &Path, prefix: &str, tree: &Tree, mtime: u64, gz: bool) -> Result<()> {
    let mut buf: Vec<u8> = Vec::new();
    {
        let mut b = tar::Builder::new(&mut buf);
        b.mode(tar::HeaderMode::Deterministic);
        for (name, data) in ordered(tree) {
            let full = format!("{prefix}{name}");
            let mut h = tar::Header::new_gnu();
            h.set_mtime(mtime);
            h.set_uid(501);
            h.set_gid(501);
            h.set_username("mobile").map_err(io_err(path))?;
            h.set_groupname("mobile").map_err(io_err(path))?;
            match data {
                None => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_mode(0o755);
                    h.set_size(0);
                    b.append_data(&mut h, &full, std::io::empty()).map_err(io_err(path))?;
                }
                Some(bytes) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(bytes.len() as u64);
                    b.append_data(&mut h, &full, bytes.as_slice()).map_err(io_err(path))?;
                }
            }
        }
        b.finish().map_err(io_err(path))?;
    }
    let bytes = if gz {
        let mut enc = flate2::GzBuilder::new().mtime(mtime as u32).write(Vec::new(), flate2::Compression::new(6));
        enc.write_all(&buf).map_err(io_err(path))?;
        enc.finish().map_err(io_err(path))?
    } else {
        buf
    };
    std::fs::write(path, bytes).map_err(io_err(path))
}

/// Write `tree` as a ZIP (deflate), each name prefixed with `prefix`.
pub fn write_zip(path: &Path, prefix: &str, tree: &Tree, mtime: u64) -> Result<()> {
    let (y, mo, d, h, mi, s) = super::timefmt::parts(mtime as i64, 0);
    let dt = zip::DateTime::from_date_and_time(y as u16, mo as u8, d as u8, h as u8, mi as u8, s as u8)
        .map_err(|e| Error::InvalidArgument(format!("zip timestamp: {e}")))?;
    let zerr = |e: zip::result::ZipError| Error::io("writing", path, std::io::Error::other(e));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in ordered(tree) {
        let full = format!("{prefix}{name}");
        match data {
            None => {
                let opts = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored)
                    .last_modified_time(dt)
                    .unix_permissions(0o755);
                w.add_directory(full, opts).map_err(zerr)?;
            }
            Some(bytes) => {
                let opts = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .compression_level(Some(6))
                    .last_modified_time(dt)
                    .unix_permissions(0o644);
                w.start_file(full, opts).map_err(zerr)?;
                w.write_all(bytes).map_err(io_err(path))?;
            }
        }
    }
    let cursor = w.finish().map_err(zerr)?;
    std::fs::write(path, cursor.into_inner()).map_err(io_err(path))
}
