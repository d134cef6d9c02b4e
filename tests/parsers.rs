//! Artefact parsers against the generated sample cases: counts and contents equal the answer key;
//! corrupted databases fail alone, with a clear `runs` row; rows living only in a `-wal` are found.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn generate(dir: &Path, seed: u64) -> (PathBuf, Value) {
    let out = dir.join("evidence");
    threadline::samples::generate("labour-job-ads", &out, seed, threadline::samples::Scale::Small).unwrap();
    let key: Value = serde_json::from_slice(&std::fs::read(out.join("answer_key.json")).unwrap()).unwrap();
    (out, key)
}

fn messages_json(case: &Path, source: i64) -> Vec<Value> {
    let o = run(&[&"messages", &case, &"--source", &source.to_string(), &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice::<Vec<Value>>(&o.stdout).unwrap()
}

/// The key's copies of messages in one file of one device: (row, message).
fn key_copies<'a>(key: &'a Value, device: &str, file: &str) -> Vec<(i64, &'a Value, &'a Value)> {
    let mut out = Vec::new();
    for m in key["messages"].as_array().unwrap() {
        for c in m["copies"].as_array().unwrap() {
            if c["device"] == device && c["file"].as_str().unwrap().ends_with(file) {
                out.push((c["row_id"].as_i64().unwrap(), m, c));
            }
        }
    }
    out
}

#[test]
fn ios_sms_matches_the_answer_key_row_for_row() {
    let t = tempfile::tempdir().unwrap();
    let (ev, key) = generate(t.path(), 3);
    let case = new_case(t.path());
    for c in ["ios-andrei/ios_ffs.tar", "ios-andrei/ios_ffs.zip"] {
        let (code, v, out) = ingest_json(&case, &ev.join(c), &[]);
        assert_eq!(code, 0, "{out}");
        let runs = v["parse"]["runs"].as_array().unwrap();
        let sms = runs.iter().find(|r| r["parser"] == "ios-sms").unwrap();
        assert_eq!(sms["status"], "ok", "{sms}");
    }
    let expected_rows = key["expected_counts"]["by_file"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("SMS/sms.db"))
        .unwrap()["tables"]["message"]
        .as_i64()
        .unwrap();
    let tar = messages_json(&case, 1);
    let zip = messages_json(&case, 2);
    let sms: Vec<&Value> = tar.iter().filter(|m| m["provenance"]["path"].as_str().unwrap().ends_with("SMS/sms.db")).collect();
    assert_eq!(sms.len() as i64, expected_rows);
    // The same device delivered twice gives the same messages.
    let strip = |v: &Vec<Value>| v.iter().map(|m| (m["body"].clone(), m["sent"]["utc_us"].clone(), m["provenance"]["row"].clone())).collect::<Vec<_>>();
    assert_eq!(strip(&tar), strip(&zip));
    let copies = key_copies(&key, "ios-andrei", "Library/SMS/sms.db");
    assert_eq!(copies.len() as i64, expected_rows);
    let owner = "P1";
    let mut from_attributed = 0;
    for (row, m, c) in copies {
        let ours = sms.iter().find(|x| x["provenance"]["row"] == row).unwrap_or_else(|| panic!("row {row} missing"));
        if m["text"] == "" {
            // Picture-only messages carry U+FFFC (object replacement), as iOS stores them.
            assert_eq!(ours["body"], "\u{FFFC}", "row {row}");
        } else {
            assert_eq!(ours["body"], m["text"], "row {row}");
        }
        assert_eq!(ours["sent"]["utc"], m["at"], "row {row}");
        assert_eq!(ours["sent"]["unit"], "cocoa-ns");
        let outgoing = m["from"] == owner;
        assert_eq!(ours["direction"], if outgoing { "outgoing" } else { "incoming" }, "row {row}");
        assert_eq!(ours["deleted"], c["fate"] == "recently-deleted", "row {row}");
        if c["text_in"].as_str().unwrap().starts_with("attributedBody") {
            assert_eq!(ours["body_source"], "attributedBody", "row {row}");
            from_attributed += 1;
        }
    }
    assert!(from_attributed > 0);
    // Every parser ran and said so, including "no file matched".
    assert!(count(&case, "SELECT count(*) FROM runs WHERE kind = 'parser' AND name = 'ios-sms' AND status = 'ok' AND item_count > 0") == 2);
    // Parsing again skips what succeeded; --force reparses without duplicating.
    let o = run(&[&"parse", &case]);
    assert!(text(&o).contains("already done"), "{}", text(&o));
    let before = count(&case, "SELECT count(*) FROM messages");
    let o = run(&[&"parse", &case, &"--force"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(count(&case, "SELECT count(*) FROM messages"), before, "a forced run replaces the rows of the earlier one");
    // Both runs stay in the ledger; the rows are the new run's.
    assert_eq!(count(&case, "SELECT count(*) FROM runs WHERE kind = 'parser' AND name = 'ios-sms' AND status = 'ok' AND item_count > 0"), 4);
    assert_eq!(count(&case, "SELECT count(DISTINCT run_id) FROM messages WHERE parser = 'ios-sms'"), 2, "one run per source, the latest");
    assert_eq!(count(&case, "SELECT count(*) FROM runs WHERE name = 'ios-sms' AND message LIKE '%replaced the % rows of this file''s earlier runs'"), 2);
    assert_eq!(verify_json(&case).0, 0);
}

fn sms_db_from(ev: &Path, dir: &Path) -> PathBuf {
    let f = std::fs::File::open(ev.join("ios-andrei/ios_ffs.tar")).unwrap();
    let mut a = tar::Archive::new(f);
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_string_lossy().ends_with("Library/SMS/sms.db") {
            let p = dir.join("sms.db");
            e.unpack(&p).unwrap();
            return p;
        }
    }
    panic!("no sms.db in the sample");
}

fn phone_tree(root: &Path, db: &[u8]) {
    let d = root.join("private/var/mobile/Library/SMS");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("sms.db"), db).unwrap();
    std::fs::write(root.join("private/var/mobile/notes.txt"), "other evidence").unwrap();
}

#[test]
fn corrupted_databases_fail_alone_with_a_clear_run_row() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 4);
    let good = std::fs::read(sms_db_from(&ev, t.path())).unwrap();
    let mut variants: Vec<(&str, Vec<u8>, &str)> = Vec::new();
    variants.push(("truncated", good[..good.len() / 3].to_vec(), "sms.db"));
    let mut flipped = good.clone();
    for i in (4096..flipped.len()).step_by(7) {
        flipped[i] ^= 0x5A;
    }
    variants.push(("flipped", flipped, "sms.db"));
    let mut header = good.clone();
    header[..16].copy_from_slice(b"NotSQLite at all");
    variants.push(("not-sqlite", header, "not an SQLite database"));
    // Dropped table and a foreign schema, made with SQLite itself.
    let dropped = t.path().join("dropped.db");
    std::fs::write(&dropped, &good).unwrap();
    rusqlite::Connection::open(&dropped).unwrap().execute_batch("DROP TABLE message;").unwrap();
    variants.push(("dropped", std::fs::read(&dropped).unwrap(), "not an iOS sms.db"));
    let foreign = t.path().join("foreign.db");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE message (x); INSERT INTO message VALUES (1); CREATE TABLE handle (y);").unwrap();
    variants.push(("wrong-schema", std::fs::read(&foreign).unwrap(), "sms.db"));
    let case = new_case(t.path());
    for (name, bytes, needle) in &variants {
        let root = t.path().join(name);
        phone_tree(&root, bytes);
        let (code, v, out) = ingest_json(&case, &root, &[]);
        assert_eq!(code, 0, "{name}: the ingest itself is complete: {out}");
        let sms = v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == "ios-sms").cloned().unwrap();
        assert_eq!(sms["status"], "failed", "{name}: {sms}");
        let msg = sms["message"].as_str().unwrap();
        assert!(msg.contains("/private/var/mobile/Library/SMS/sms.db") && msg.contains(needle), "{name}: {msg}");
        assert_eq!(sms["items"], 0, "{name}: partial rows are rolled back");
    }
    assert_eq!(count(&case, "SELECT count(*) FROM runs WHERE kind = 'parser' AND name = 'ios-sms' AND status = 'failed'"), variants.len() as i64);
    assert_eq!(count(&case, "SELECT count(*) FROM messages"), 0);
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn a_renamed_sms_db_column_is_named_not_dumped_as_sql() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 4);
    let good = sms_db_from(&ev, t.path());
    let case = new_case(t.path());
    for (name, sql, needle) in [
        ("renamed-date", "ALTER TABLE message RENAME COLUMN date TO date_x;", "`message` has no `date` column"),
        ("renamed-handle", "ALTER TABLE handle RENAME COLUMN id TO ident;", "`handle` has no `id` column"),
        ("renamed-join", "ALTER TABLE chat_message_join RENAME COLUMN message_id TO msg;", "`chat_message_join` has no `message_id` column"),
    ] {
        let p = t.path().join(format!("{name}.db"));
        std::fs::copy(&good, &p).unwrap();
        rusqlite::Connection::open(&p).unwrap().execute_batch(sql).unwrap();
        let root = t.path().join(name);
        phone_tree(&root, &std::fs::read(&p).unwrap());
        let (code, v, out) = ingest_json(&case, &root, &[]);
        assert_eq!(code, 0, "{name}: {out}");
        let sms = v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == "ios-sms").cloned().unwrap();
        assert_eq!(sms["status"], "failed", "{name}: {sms}");
        let msg = sms["message"].as_str().unwrap();
        assert!(msg.contains("/private/var/mobile/Library/SMS/sms.db") && msg.contains(needle) && msg.contains("unexpected iOS sms.db schema"), "{name}: {msg}");
        assert!(!msg.contains("no such column") && !msg.contains("SELECT"), "{name}: {msg}");
    }
}

#[test]
fn sms_db_dates_take_the_database_unit_and_values_in_the_other_unit_are_flagged() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 4);
    let good = sms_db_from(&ev, t.path());
    let case = new_case(t.path());
    // 1. A nanosecond database with one row in seconds: converted as nanoseconds and flagged.
    // 2. A seconds database (every date divided) with one row left in nanoseconds.
    let variants = [
        ("mostly-ns", "UPDATE message SET date = date / 1000000000 WHERE ROWID = (SELECT min(ROWID) FROM message WHERE date > 0);", "cocoa-ns", "plausible as cocoa-s"),
        (
            "mostly-s",
            "UPDATE message SET date = date / 1000000000, date_read = date_read / 1000000000 WHERE ROWID != (SELECT min(ROWID) FROM message WHERE date > 0);",
            "cocoa-s",
            "plausible as cocoa-ns",
        ),
    ];
    for (source, (name, sql, unit, flag)) in (1i64..).zip(variants) {
        let p = t.path().join(format!("{name}.db"));
        std::fs::copy(&good, &p).unwrap();
        let odd_row: i64 = {
            let c = rusqlite::Connection::open(&p).unwrap();
            let row = c.query_row("SELECT min(ROWID) FROM message WHERE date > 0", [], |r| r.get(0)).unwrap();
            c.execute_batch(sql).unwrap();
            row
        };
        let root = t.path().join(name);
        phone_tree(&root, &std::fs::read(&p).unwrap());
        let (code, _, out) = ingest_json(&case, &root, &[]);
        assert_eq!(code, 0, "{name}: {out}");
        let msgs = messages_json(&case, source);
        assert!(msgs.len() > 2, "{name}");
        for m in &msgs {
            if m["sent"].is_null() {
                continue;
            }
            assert_eq!(m["sent"]["unit"], unit, "{name}: every value in the database's unit: {m}");
            if m["provenance"]["row"] == odd_row {
                let f = m["sent"]["flag"].as_str().unwrap_or_else(|| panic!("{name}: the odd value is flagged: {m}"));
                assert!(f.contains(&format!("implausible as {unit}")) && f.contains(flag), "{name}: {f}");
            } else {
                assert!(m["sent"]["flag"].is_null(), "{name}: {m}");
            }
        }
        let flagged = msgs.iter().filter(|m| m["sent"]["flag"].is_string()).count();
        assert_eq!(flagged, 1, "{name}");
    }
    // The seconds-read-as-nanoseconds row is converted, not moved: the first second of 2001.
    let odd = messages_json(&case, 1).into_iter().find(|m| m["sent"]["flag"].is_string()).unwrap();
    assert!(odd["sent"]["utc"].as_str().unwrap().starts_with("2001-01-01T00:00:0"), "{odd}");
}

#[test]
fn rows_living_only_in_the_wal_are_found() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 5);
    let db = sms_db_from(&ev, t.path());
    let work = t.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let live = work.join("sms.db");
    std::fs::copy(&db, &live).unwrap();
    let root = t.path().join("phone");
    let dest = root.join("private/var/mobile/Library/SMS");
    std::fs::create_dir_all(&dest).unwrap();
    {
        let c = rusqlite::Connection::open(&live).unwrap();
        c.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
        c.execute_batch("PRAGMA wal_autocheckpoint = 0;").unwrap();
        c.execute("INSERT INTO message (guid, text, date, is_from_me, service, handle_id) VALUES ('wal-only-guid', 'only in the WAL', 731000000000000000, 0, 'SMS', 1)", []).unwrap();
        // Copy while the connection is open: closing would checkpoint the WAL into the database.
        std::fs::copy(&live, dest.join("sms.db")).unwrap();
        std::fs::copy(work.join("sms.db-wal"), dest.join("sms.db-wal")).unwrap();
    }
    // Opening the main file alone does not see the row.
    let alone = t.path().join("alone.db");
    std::fs::copy(dest.join("sms.db"), &alone).unwrap();
    let n: i64 = rusqlite::Connection::open(&alone).unwrap().query_row("SELECT count(*) FROM message WHERE guid = 'wal-only-guid'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
    let before = std::fs::read(dest.join("sms.db-wal")).unwrap();
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let sms = v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == "ios-sms").cloned().unwrap();
    assert!(sms["message"].as_str().unwrap().contains("read with its -wal"), "{sms}");
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE body = 'only in the WAL'"), 1);
    // The evidence was not touched: the WAL is byte-identical and no -shm appeared beside it.
    assert_eq!(std::fs::read(dest.join("sms.db-wal")).unwrap(), before);
    assert!(!dest.join("sms.db-shm").exists());
}

#[test]
fn photo_exif_times_and_gps_match_the_key() {
    let t = tempfile::tempdir().unwrap();
    let (ev, key) = generate(t.path(), 6);
    let case = new_case(t.path());
    for c in ["ios-andrei/ios_ffs.tar", "android-nelu/android_ffs.tar.gz"] {
        let (code, v, out) = ingest_json(&case, &ev.join(c), &[]);
        assert_eq!(code, 0, "{out}");
        let media = v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == "media-exif").cloned().unwrap();
        assert_eq!(media["status"], "ok", "{media}");
    }
    let o = run(&[&"media", &case, &"--json"]);
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let photos: Vec<&Value> = key["photos"].as_array().unwrap().iter().filter(|p| p["device"] != "laptop-sabine").collect();
    assert!(!photos.is_empty());
    for p in photos {
        let ours = rows.iter().find(|r| r["path"] == p["path"]).unwrap_or_else(|| panic!("{} has no metadata", p["path"]));
        assert_eq!(ours["taken_utc"], p["taken_at"], "{}", p["path"]);
        if let Some(g) = p["gps"].as_array() {
            assert!((ours["gps_lat"].as_f64().unwrap() - g[0].as_f64().unwrap()).abs() < 1e-4, "{}", p["path"]);
            assert!((ours["gps_lon"].as_f64().unwrap() - g[1].as_f64().unwrap()).abs() < 1e-4, "{}", p["path"]);
        }
    }
}

#[test]
fn heic_exif_time_and_gps_are_read() {
    // A HEIC photo's EXIF lives in an `Exif` item of the HEIF `meta` box, not in a JPEG APP1.
    let t = tempfile::tempdir().unwrap();
    let dcim = t.path().join("ev/private/var/mobile/Media/DCIM/100APPLE");
    std::fs::create_dir_all(&dcim).unwrap();
    let meta = threadline::samples::exif::PhotoMeta { make: "Apple".into(), model: "iPhone 12".into(), taken_unix: 1_709_800_000, offset_s: 7200, gps: Some((44.4268, 26.1025)) };
    std::fs::write(dcim.join("IMG_0042.HEIC"), threadline::samples::exif::heic_with_exif(&meta)).unwrap();
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &t.path().join("ev"), &[]);
    assert_eq!(code, 0, "{out}");
    let media = v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == "media-exif").cloned().unwrap();
    assert_eq!((media["status"].as_str(), media["items"].as_i64()), (Some("ok"), Some(1)), "{media}");
    let o = run(&[&"media", &case, &"--json"]);
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!((r["sniffed"].as_str(), r["camera"].as_str()), (Some("heic"), Some("Apple iPhone 12")));
    // 1_709_800_000 = 2024-03-07T08:26:40Z; local +02:00 written with its offset.
    assert_eq!((r["taken_utc"].as_str(), r["taken_local"].as_str(), r["taken_offset"].as_str()), (Some("2024-03-07T08:26:40Z"), Some("2024:03:07 10:26:40"), Some("+02:00")));
    assert!((r["gps_lat"].as_f64().unwrap() - 44.4268).abs() < 1e-4 && (r["gps_lon"].as_f64().unwrap() - 26.1025).abs() < 1e-4, "{r}");
    assert!(r["parser"].as_str().unwrap().starts_with("media-exif"), "{r}");
}
