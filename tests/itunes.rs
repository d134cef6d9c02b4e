//! iTunes / Finder backups: Manifest.db becomes a device-path tree that the parsers read like a
//! full-file-system extraction; an encrypted backup says so; a missing blob is reported.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use common::*;
use sha1::Digest;

/// Build a backup from the generated iPhone TAR: HomeDomain for `private/var/mobile/…`,
/// AppDomainGroup-<id> for shared app-group containers. Returns the backup folder.
fn backup_from_sample(dir: &Path, encrypted: bool) -> (PathBuf, usize) {
    let ev = dir.join("evidence");
    threadline::samples::generate("labour-job-ads", &ev, 9, threadline::samples::Scale::Small).unwrap();
    let root = dir.join(if encrypted { "backup-enc" } else { "backup" });
    std::fs::create_dir_all(&root).unwrap();
    let db = rusqlite::Connection::open(root.join("Manifest.db")).unwrap();
    db.execute_batch("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);").unwrap();
    let mut a = tar::Archive::new(std::fs::File::open(ev.join("ios-andrei/ios_ffs.tar")).unwrap());
    let mut n = 0;
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if !e.header().entry_type().is_file() {
            continue;
        }
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let Some(rest) = path.strip_prefix("private/var/mobile/") else { continue };
        let (domain, rel) = match rest.strip_prefix("Containers/Shared/AppGroup/") {
            Some(r) => {
                let (group, inner) = r.split_once('/').unwrap();
                (format!("AppDomainGroup-{group}"), inner.to_string())
            }
            None => ("HomeDomain".to_string(), rest.to_string()),
        };
        let id = hex::encode(sha1::Sha1::digest(format!("{domain}-{rel}").as_bytes()));
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        std::fs::create_dir_all(root.join(&id[..2])).unwrap();
        std::fs::write(root.join(&id[..2]).join(&id), &data).unwrap();
        let mut mbfile = plist::Dictionary::new();
        mbfile.insert("LastModified".into(), plist::Value::Integer(1_709_900_000.into()));
        mbfile.insert("Size".into(), plist::Value::Integer((data.len() as i64).into()));
        let mut archive = plist::Dictionary::new();
        archive.insert("$objects".into(), plist::Value::Array(vec![plist::Value::String("$null".into()), plist::Value::Dictionary(mbfile)]));
        let mut blob = Vec::new();
        plist::Value::Dictionary(archive).to_writer_binary(&mut blob).unwrap();
        db.execute("INSERT INTO Files VALUES (?1, ?2, ?3, 1, ?4)", rusqlite::params![id, domain, rel, blob]).unwrap();
        n += 1;
    }
    // One file listed but absent.
    db.execute("INSERT INTO Files VALUES ('ffffffffffffffffffffffffffffffffffffffff', 'HomeDomain', 'Library/Notes/lost.sqlite', 1, NULL)", []).unwrap();
    drop(db);
    let mut manifest = plist::Dictionary::new();
    manifest.insert("IsEncrypted".into(), plist::Value::Boolean(encrypted));
    plist::Value::Dictionary(manifest).to_file_xml(root.join("Manifest.plist")).unwrap();
    let mut info = plist::Dictionary::new();
    info.insert("Device Name".into(), plist::Value::String("iPhone de test".into()));
    plist::Value::Dictionary(info).to_file_binary(root.join("Info.plist")).unwrap();
    (root, n)
}

#[test]
fn a_backup_is_a_device_tree_the_parsers_read() {
    let t = tempfile::tempdir().unwrap();
    let (backup, n) = backup_from_sample(t.path(), false);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &backup, &[]);
    assert_eq!(code, 5, "one blob is missing, so the source is partial: {out}");
    assert_eq!(v["container_kind"], "itunes-backup");
    assert!(v["status_reason"].as_str().unwrap().contains("1 entries could not be read"), "{out}");
    let issues = text(&run(&[&"issues", &case]));
    assert!(issues.contains("missing-blob") && issues.contains("HomeDomain/Library/Notes/lost.sqlite"), "{issues}");
    // Every file of the backup is at its device path, with the device's modification time.
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path LIKE '/private/var/mobile/%' AND sha256 IS NOT NULL"), n as i64);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/private/var/mobile/Library/SMS/sms.db' AND mtime_utc = 1709900000000000"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path LIKE '/_backup/%'"), 3);
    // The parsers read it as they read the full-file-system extraction of the same phone.
    let sms = v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == "ios-sms").cloned().unwrap();
    assert_eq!(sms["status"], "ok", "{sms}");
    let tar_case = t.path().join("tar.tlcase");
    assert!(run(&[&"case", &"new", &tar_case, &"--name", &"t", &"--examiner", &"e"]).status.success());
    assert_eq!(ingest_json(&tar_case, &t.path().join("evidence/ios-andrei/ios_ffs.tar"), &[]).0, 0);
    assert_eq!(count(&case, "SELECT count(*) FROM messages"), count(&tar_case, "SELECT count(*) FROM messages"));
    assert!(count(&case, "SELECT count(*) FROM messages") > 10);
    let (code, v) = verify_json(&case);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn an_encrypted_backup_says_so_and_is_still_hashed() {
    let t = tempfile::tempdir().unwrap();
    let (backup, n) = backup_from_sample(t.path(), true);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &backup, &[]);
    assert_eq!(code, 5, "{out}");
    assert_eq!(v["status"], "partial");
    assert!(v["status_reason"].as_str().unwrap().contains("encrypted iTunes/Finder backup"), "{out}");
    let issues = text(&run(&[&"issues", &case]));
    assert!(issues.contains("encrypted") && issues.contains("backup password"), "{issues}");
    // Every blob is hashed as stored (plus the four backup files).
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE kind = 'file' AND sha256 IS NOT NULL"), n as i64 + 3);
    assert_eq!(count(&case, "SELECT count(*) FROM messages"), 0);
}

/// What `messages --json` lists of a source, without the source itself.
fn messages_of(case: &Path, source: i64) -> Vec<(String, i64, String, String, String)> {
    let o = run(&[&"messages", &case, &"--source", &source.to_string(), &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let mut v: Vec<_> = rows
        .iter()
        .map(|m| {
            (
                m["provenance"]["path"].as_str().unwrap().to_string(),
                m["provenance"]["row"].as_i64().unwrap_or(-1),
                m["body"].to_string(),
                m["sent"].to_string(),
                m["sender"].to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_zipped_or_tarred_backup_is_read_as_the_folder_is() {
    let t = tempfile::tempdir().unwrap();
    let (backup, n) = backup_from_sample(t.path(), false);
    let zip = t.path().join("backup.zip");
    zip_dir(&backup, &zip, "00008110-001A2B3C4D5E801E/");
    let root_zip = t.path().join("backup-root.zip");
    zip_dir(&backup, &root_zip, "");
    let tar = t.path().join("backup.tar");
    tar_dir(&backup, &tar);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &backup, &[]);
    assert_eq!(code, 5, "one blob is missing: {out}");
    let folder_files = file_list(&case, 1);
    let folder_msgs = messages_of(&case, 1);
    assert!(folder_msgs.len() > 10);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE source_id = 1 AND path LIKE '/private/var/mobile/%' AND sha256 IS NOT NULL"), n as i64);
    let folder_runs = v["parse"]["runs"].as_array().unwrap().len();
    for (source, (archive, kind)) in (2i64..).zip([(&zip, "itunes-backup-zip"), (&root_zip, "itunes-backup-zip"), (&tar, "itunes-backup-tar")]) {
        let (code, v, out) = ingest_json(&case, archive, &[]);
        assert_eq!(code, 5, "{kind}: the same missing blob: {out}");
        assert_eq!(v["container_kind"], kind, "{out}");
        assert!(v["status_reason"].as_str().unwrap().contains("1 entries could not be read"), "{out}");
        assert_eq!(file_list(&case, source), folder_files, "{kind}: the same entries at the same device paths with the same hashes");
        assert_eq!(count(&case, &format!("SELECT count(*) FROM files WHERE source_id = {source} AND path = '/private/var/mobile/Library/SMS/sms.db' AND mtime_utc = 1709900000000000")), 1);
        assert_eq!(messages_of(&case, source), folder_msgs, "{kind}: the same messages");
        let runs = v["parse"]["runs"].as_array().unwrap();
        assert_eq!(runs.len(), folder_runs);
        assert!(runs.iter().all(|r| r["status"] == "ok"), "{kind}: {runs:?}");
    }
    let issues = text(&run(&[&"issues", &case]));
    assert_eq!(issues.matches("HomeDomain/Library/Notes/lost.sqlite").count(), 4, "{issues}");
    let (code, v) = verify_json(&case);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn an_encrypted_zipped_backup_says_so() {
    let t = tempfile::tempdir().unwrap();
    let (backup, n) = backup_from_sample(t.path(), true);
    let zip = t.path().join("backup-enc.zip");
    zip_dir(&backup, &zip, "Backup/");
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &zip, &[]);
    assert_eq!(code, 5, "{out}");
    assert_eq!(v["container_kind"], "itunes-backup-zip");
    assert!(v["status_reason"].as_str().unwrap().contains("encrypted iTunes/Finder backup"), "{out}");
    let issues = text(&run(&[&"issues", &case]));
    assert!(issues.contains("encrypted") && issues.contains("backup password"), "{issues}");
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE kind = 'file' AND sha256 IS NOT NULL"), n as i64 + 3);
    assert_eq!(count(&case, "SELECT count(*) FROM messages"), 0);
}
