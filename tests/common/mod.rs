//! Shared helpers of the integration tests: build fixtures in temp dirs, run the CLI.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_threadline"))
}

pub fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut c = bin();
    for a in args {
        c.arg(a);
    }
    c.env("THREADLINE_EXAMINER", "test examiner").output().expect("run threadline")
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

pub fn new_case(dir: &Path) -> PathBuf {
    let p = dir.join("t.tlcase");
    let o = run(&[&"case", &"new", &p, &"--name", &"Test", &"--examiner", &"Ex Aminer"]);
    assert!(o.status.success(), "{}", text(&o));
    p
}

pub fn ingest_json(case: &Path, src: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut c = bin();
    c.arg("ingest").arg(case).arg(src).arg("--json").args(extra);
    let o = c.output().expect("run threadline");
    let v = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (o.status.code().unwrap_or(-1), v, text(&o))
}

pub fn verify_json(case: &Path) -> (i32, serde_json::Value) {
    let o = bin().arg("verify").arg(case).arg("--json").output().expect("run threadline");
    (o.status.code().unwrap_or(-1), serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null))
}

pub fn db(case: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(case).expect("open case")
}

/// A small evidence tree with text, binary, nested folders, an empty file and a 2 MiB file.
pub fn make_tree(root: &Path) {
    let files: &[(&str, Vec<u8>)] = &[
        ("private/var/mobile/Library/SMS/sms.db", b"SQLite format 3\0fake database body".to_vec()),
        ("private/var/mobile/Media/DCIM/100APPLE/IMG_0001.JPG", [b"\xFF\xD8\xFF\xE0".as_slice(), &[7u8; 3000]].concat()),
        ("private/var/mobile/notes/prêt à partir.txt", "rendez-vous à la gare, prêt à partir\n".as_bytes().to_vec()),
        ("private/var/mobile/empty.txt", Vec::new()),
        ("private/var/mobile/big.bin", (0..2_200_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect()),
        ("private/var/root/readme.txt", b"hello\n".to_vec()),
    ];
    for (p, data) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

/// Zip a folder (deflate for most, stored for `.JPG`), names relative to it.
pub fn zip_dir(root: &Path, out: &Path, prefix: &str) {
    let f = std::fs::File::create(out).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let mut entries: Vec<_> = walkdir::WalkDir::new(root).min_depth(1).sort_by_file_name().into_iter().flatten().collect();
    entries.sort_by(|a, b| a.path().cmp(b.path()));
    for e in entries {
        let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let name = format!("{prefix}{rel}");
        if e.file_type().is_dir() {
            z.add_directory(name, zip::write::SimpleFileOptions::default()).unwrap();
        } else {
            let method = if rel.ends_with(".JPG") { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
            z.start_file(name, zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
            z.write_all(&std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
    z.finish().unwrap();
}

/// TAR.GZ a folder.
pub fn targz_dir(root: &Path, out: &Path) {
    let f = std::fs::File::create(out).unwrap();
    let gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
    let mut t = tar::Builder::new(gz);
    append_sorted(&mut t, root);
    t.into_inner().unwrap().finish().unwrap();
}

/// Plain TAR of a folder.
pub fn tar_dir(root: &Path, out: &Path) {
    let f = std::fs::File::create(out).unwrap();
    let mut t = tar::Builder::new(f);
    append_sorted(&mut t, root);
    t.finish().unwrap();
}

/// (path, md5, sha1, sha256, size) of every file row of a source, sorted by path.
pub fn file_list(case: &Path, source: i64) -> Vec<(String, String, String, String, i64)> {
    let c = db(case);
    let mut s = c
        .prepare("SELECT path, md5, sha1, sha256, size FROM files WHERE source_id = ?1 AND kind = 'file' AND sha256 IS NOT NULL ORDER BY path")
        .unwrap();
    s.query_map([source], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))).unwrap().map(|r| r.unwrap()).collect()
}

pub fn count(case: &Path, sql: &str) -> i64 {
    db(case).query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Append a folder to a TAR in sorted order (so tests know which entries come first).
fn append_sorted<W: Write>(t: &mut tar::Builder<W>, root: &Path) {
    for e in walkdir::WalkDir::new(root).min_depth(1).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(root).unwrap();
        t.append_path_with_name(e.path(), rel).unwrap();
    }
}
