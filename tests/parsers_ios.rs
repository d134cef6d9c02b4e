//! iOS artefact parsers (AddressBook, CallHistory, WhatsApp ChatStorage, Safari History) against
//! the generated sample's answer key, row for row; damaged databases fail alone with a clear `runs`
//! row; hand-built databases cover legacy layouts and odd values (NULLs, BLOBs, wrong units).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use rusqlite::{Connection, params};
use serde_json::Value;

const DEVICE: &str = "ios-andrei";
const AB: &str = "Library/AddressBook/AddressBook.sqlitedb";
const CALLS: &str = "Library/CallHistoryDB/CallHistory.storedata";
const WA: &str = "ChatStorage.sqlite";
const SAFARI: &str = "Library/Safari/History.db";
const WA_GROUP: &str = "private/var/mobile/Containers/Shared/AppGroup/4F7A1C2E-9B3D-4E8F-A6C1-2D5E8B9F0A13";

fn generate(dir: &Path, seed: u64) -> (PathBuf, Value) {
    let out = dir.join("evidence");
    threadline::samples::generate("labour-job-ads", &out, seed, threadline::samples::Scale::Small).unwrap();
    let key: Value = serde_json::from_slice(&std::fs::read(out.join("answer_key.json")).unwrap()).unwrap();
    (out, key)
}

/// `threadline <what> CASE --source N --json`, keeping the rows of one file.
fn listing(what: &str, case: &Path, source: i64, file: &str) -> Vec<Value> {
    let o = run(&[&what, &case, &"--source", &source.to_string(), &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice::<Vec<Value>>(&o.stdout).unwrap().into_iter().filter(|r| r["provenance"]["path"].as_str().unwrap().ends_with(file)).collect()
}

fn run_of(v: &Value, parser: &str) -> Value {
    v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == parser).cloned().unwrap_or_else(|| panic!("no run of {parser}: {v}"))
}

/// The answer key's counts of one file.
fn file_counts<'a>(key: &'a Value, file: &str) -> &'a Value {
    key["expected_counts"]["by_file"].as_array().unwrap().iter().find(|f| f["device"] == DEVICE && f["path"].as_str().unwrap().ends_with(file)).unwrap()
}

/// The key's identifiers of a person on the iPhone, of a kind, recorded in a file.
fn idents(key: &Value, person: &str, kind: &str, file: &str) -> Vec<String> {
    let p = key["persons"].as_array().unwrap().iter().find(|p| p["key"] == person).unwrap();
    p["identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["device"] == DEVICE && i["kind"] == kind && i["artefact"].as_str().unwrap().ends_with(file))
        .map(|i| i["value"].as_str().unwrap().to_string())
        .collect()
}

fn owner(key: &Value) -> String {
    key["devices"].as_array().unwrap().iter().find(|d| d["id"] == DEVICE).unwrap()["owner"].as_str().unwrap().to_string()
}

/// Unpack the entries of the iPhone TAR whose paths end with `suffix` (a database and its side
/// files) into `dir`; returns the database's path there.
fn from_tar(ev: &Path, suffix: &str, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let f = std::fs::File::open(ev.join("ios-andrei/ios_ffs.tar")).unwrap();
    let mut a = tar::Archive::new(f);
    let mut main = None;
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        for side in ["", "-wal", "-shm", "-journal"] {
            if path.ends_with(&format!("{suffix}{side}")) {
                let name = Path::new(&path).file_name().unwrap().to_owned();
                let p = dir.join(&name);
                e.unpack(&p).unwrap();
                if side.is_empty() {
                    main = Some(p);
                }
                break;
            }
        }
    }
    main.unwrap_or_else(|| panic!("no {suffix} in the sample"))
}

fn put(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn strip(rows: &[Value], fields: &[&str]) -> Vec<Vec<Value>> {
    rows.iter()
        .map(|r| {
            let mut v: Vec<Value> = fields.iter().map(|f| r.pointer(f).cloned().unwrap_or(Value::Null)).collect();
            v.push(r["provenance"]["row"].clone());
            v
        })
        .collect()
}

#[test]
fn ios_sample_matches_the_answer_key_row_for_row() {
    let t = tempfile::tempdir().unwrap();
    let (ev, key) = generate(t.path(), 3);
    let case = new_case(t.path());
    let owner = owner(&key);
    for c in ["ios-andrei/ios_ffs.tar", "ios-andrei/ios_ffs.zip"] {
        let (code, v, out) = ingest_json(&case, &ev.join(c), &[]);
        assert_eq!(code, 0, "{out}");
        for (parser, file) in [("ios-addressbook", AB), ("ios-callhistory", CALLS), ("ios-whatsapp", WA), ("safari-history", SAFARI)] {
            let r = run_of(&v, parser);
            assert_eq!(r["status"], "ok", "{c}: {r}");
            assert!(r["path"].as_str().unwrap().ends_with(file), "{r}");
            assert!(r["items"].as_i64().unwrap() > 0, "{r}");
        }
        let ab = run_of(&v, "ios-addressbook");
        assert!(ab["message"].as_str().unwrap().contains("read with its -wal"), "{ab}");
    }

    // --- Contacts: all of them, including the ones living only in the -wal.
    let ab_counts = file_counts(&key, AB);
    let expected = ab_counts["tables"]["ABPerson"].as_i64().unwrap();
    let main_only = ab_counts["facts"]["ABPerson_main_only"].as_i64().unwrap();
    assert_eq!(expected, 6);
    assert!(main_only < expected, "the sample keeps its newest contacts in the WAL");
    let alone = from_tar(&ev, AB, &t.path().join("ab-alone"));
    std::fs::remove_file(alone.with_file_name("AddressBook.sqlitedb-wal")).unwrap();
    let n: i64 = Connection::open(&alone).unwrap().query_row("SELECT count(*) FROM ABPerson", [], |r| r.get(0)).unwrap();
    assert_eq!(n, main_only, "without its WAL the database holds only the older contacts");
    let contacts = listing("contacts", &case, 1, AB);
    assert_eq!(contacts.len() as i64, expected);
    let values: usize = contacts.iter().map(|c| c["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == "phone" || e["kind"] == "email").count()).sum();
    assert_eq!(values as i64, ab_counts["tables"]["ABMultiValue"].as_i64().unwrap());
    let mut checked = 0;
    for p in key["persons"].as_array().unwrap() {
        let pk = p["key"].as_str().unwrap();
        let names = idents(&key, pk, "contact-name", AB);
        let Some(name) = names.first() else { continue };
        let ours = contacts.iter().find(|c| c["name"] == name.as_str()).unwrap_or_else(|| panic!("contact {name} missing"));
        assert_eq!(ours["account"], "Local", "{ours}");
        let entries = ours["entries"].as_array().unwrap();
        for (kind, label) in [("phone", "Mobile"), ("email", "Home")] {
            let want = idents(&key, pk, kind, AB);
            let got: Vec<&Value> = entries.iter().filter(|e| e["kind"] == kind).collect();
            assert_eq!(got.len(), want.len(), "{name} {kind}: {ours}");
            for w in &want {
                let e = got.iter().find(|e| e["value"] == w.as_str()).unwrap_or_else(|| panic!("{name}: {kind} {w} missing: {ours}"));
                assert_eq!(e["label"], label, "labels are cleaned: {e}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked as i64, expected);
    assert_eq!(count(&case, "SELECT count(*) FROM contacts WHERE source_id = 1 AND created_unit = 'cocoa-s' AND created_utc IS NOT NULL"), expected);
    // Created and modified (CreationDate, ModificationDate: Cocoa s) equal the key's.
    let key_contacts: Vec<&Value> = key["contacts"].as_array().unwrap().iter().filter(|c| c["device"] == DEVICE).collect();
    assert_eq!(key_contacts.len() as i64, expected);
    for k in key_contacts {
        let ours = contacts.iter().find(|c| c["name"] == k["name"]).unwrap_or_else(|| panic!("contact {} missing", k["name"]));
        assert_eq!(ours["created"]["utc"], k["created_at"], "{ours}");
        assert_eq!(ours["modified"]["utc"], k["modified_at"], "{ours}");
        assert_eq!((ours["modified"]["unit"].as_str(), ours["modified"]["flag"].is_null()), (Some("cocoa-s"), true), "{ours}");
        assert_ne!(ours["created"]["utc"], ours["modified"]["utc"], "the sample edits every contact after creating it");
    }

    // --- Calls: every call of the owner, the WhatsApp one (CallKit) included.
    let calls = listing("calls", &case, 1, CALLS);
    assert_eq!(calls.len() as i64, file_counts(&key, CALLS)["tables"]["ZCALLRECORD"].as_i64().unwrap());
    let key_calls: Vec<&Value> = key["calls"].as_array().unwrap().iter().filter(|c| c["from"] == owner.as_str() || c["to"] == owner.as_str()).collect();
    assert_eq!(calls.len(), key_calls.len());
    assert!(key_calls.iter().any(|c| c["channel"] == "whatsapp"), "the sample has a WhatsApp call in CallHistory");
    for k in &key_calls {
        let outgoing = k["from"] == owner.as_str();
        let peer = if outgoing { k["to"].as_str().unwrap() } else { k["from"].as_str().unwrap() };
        let kind = if k["channel"] == "whatsapp" { "whatsapp-jid" } else { "phone" };
        let peer_id = idents(&key, peer, kind, CALLS);
        assert_eq!(peer_id.len(), 1, "{k}");
        let ours = calls.iter().find(|c| c["start"]["utc"] == k["at"] && c["peer"] == peer_id[0].as_str()).unwrap_or_else(|| panic!("call {k} missing"));
        assert_eq!(ours["direction"], if outgoing { "outgoing" } else { "incoming" }, "{k}");
        assert_eq!(ours["duration_s"].as_f64().unwrap(), k["duration_s"].as_f64().unwrap(), "{k}");
        assert_eq!(ours["service"], k["channel"], "{k}");
        assert_eq!(ours["answered"], k["answered"], "{k}");
        let status = if outgoing { "outgoing" } else { k["callee_status"].as_str().unwrap() };
        assert_eq!(ours["status"], status, "{k}");
        assert_eq!(ours["video"], false);
        assert_eq!(ours["start"]["unit"], "cocoa-s");
        assert!(ours["start"]["flag"].is_null(), "{ours}");
    }

    // --- WhatsApp: every message, body, time, direction, sender, deleted flag.
    let wa_counts = file_counts(&key, WA);
    let wa = listing("messages", &case, 1, WA);
    assert_eq!(wa.len() as i64, wa_counts["tables"]["ZWAMESSAGE"].as_i64().unwrap());
    let threads = key["threads"].as_array().unwrap();
    let mut copies = 0;
    let mut revoked = 0;
    for m in key["messages"].as_array().unwrap() {
        for c in m["copies"].as_array().unwrap().iter().filter(|c| c["device"] == DEVICE && c["file"].as_str().unwrap().ends_with(WA)) {
            copies += 1;
            let row = c["row_id"].as_i64().unwrap();
            let ours = wa.iter().find(|x| x["provenance"]["row"] == row).unwrap_or_else(|| panic!("ZWAMESSAGE row {row} missing"));
            assert_eq!(ours["provenance"]["table"], "ZWAMESSAGE");
            assert_eq!(ours["service"], "whatsapp");
            assert_eq!(ours["sent"]["utc"], m["at"], "row {row}");
            assert_eq!(ours["sent"]["unit"], "cocoa-s", "row {row}");
            let outgoing = m["from"] == owner.as_str();
            assert_eq!(ours["direction"], if outgoing { "outgoing" } else { "incoming" }, "row {row}");
            if outgoing {
                assert!(ours["sender"].is_null(), "row {row}: the owner's JID is not in ChatStorage");
            } else {
                let jid = idents(&key, m["from"].as_str().unwrap(), "whatsapp-jid", WA);
                assert_eq!(ours["sender"], jid[0].as_str(), "row {row}: the sender is the member, not the group");
            }
            if c["fate"] == "revoked" {
                revoked += 1;
                assert!(ours["body"].is_null(), "row {row}");
                assert_eq!(ours["deleted"], true, "row {row}");
                assert_eq!(ours["status"], "revoked", "row {row}");
            } else {
                assert_eq!(ours["body"], m["text"], "row {row}");
                assert_eq!(ours["body_source"], "ZTEXT", "row {row}");
                assert_eq!(ours["deleted"], false, "row {row}");
                assert!(ours["status"].is_null(), "row {row}");
            }
            let th = threads.iter().find(|x| x["key"] == m["thread"]).unwrap();
            if let Some(g) = th["group_name"].as_str() {
                assert_eq!(ours["thread"], g, "row {row}");
            }
        }
    }
    assert_eq!(copies, wa.len());
    assert_eq!(revoked, wa_counts["facts"]["ZWAMESSAGE_deleted_type14"].as_i64().unwrap());
    assert!(revoked > 0);
    // Threads: one per chat session; groups with their members' JIDs.
    let c = db(&case);
    let sessions: Vec<(String, bool, String)> = c
        .prepare("SELECT coalesce(t.name, ''), t.is_group, t.participants FROM threads t JOIN files f ON f.id = t.file_id WHERE t.source_id = 1 AND f.path LIKE '%ChatStorage.sqlite' ORDER BY t.id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(sessions.len() as i64, wa_counts["tables"]["ZWACHATSESSION"].as_i64().unwrap());
    let mut members = 0;
    for th in threads.iter().filter(|x| x["channel"] == "whatsapp" && x["group_jid"].is_string()) {
        let ms: Vec<&str> = th["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
        if !ms.contains(&owner.as_str()) {
            continue;
        }
        let (_, is_group, parts) = sessions.iter().find(|s| s.0 == th["group_name"].as_str().unwrap()).unwrap_or_else(|| panic!("group {th} missing"));
        assert!(is_group);
        let parts: Vec<String> = serde_json::from_str(parts).unwrap();
        let mut want: Vec<String> = ms.iter().filter(|m| **m != owner.as_str()).map(|m| idents(&key, m, "whatsapp-jid", WA)[0].clone()).collect();
        let mut got = parts.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{th}");
        members += parts.len();
    }
    assert_eq!(members as i64, wa_counts["tables"]["ZWAGROUPMEMBER"].as_i64().unwrap());

    // --- Safari: every visit with its URL, title and time.
    let visits = listing("visits", &case, 1, SAFARI);
    assert_eq!(visits.len() as i64, file_counts(&key, SAFARI)["tables"]["history_visits"].as_i64().unwrap());
    let key_visits: Vec<&Value> = key["web_visits"].as_array().unwrap().iter().filter(|v| v["device"] == DEVICE).collect();
    assert_eq!(visits.len(), key_visits.len());
    for k in key_visits {
        let ours = visits.iter().find(|v| v["url"] == k["url"] && v["visited"]["utc"] == k["at"]).unwrap_or_else(|| panic!("visit {k} missing"));
        assert_eq!(ours["title"], k["title"]);
        assert_eq!(ours["browser"], "safari");
        assert_eq!(ours["visited"]["unit"], "cocoa-s");
        assert!(ours["visited"]["flag"].is_null(), "{ours}");
    }

    // The same device delivered as a TAR and as a ZIP gives the same rows.
    for (what, file, fields) in [
        ("contacts", AB, &["/name", "/entries"][..]),
        ("calls", CALLS, &["/peer", "/start/utc_us", "/direction", "/service", "/duration_s"][..]),
        ("messages", WA, &["/body", "/sent/utc_us", "/direction", "/sender", "/deleted"][..]),
        ("visits", SAFARI, &["/url", "/visited/utc_us", "/title"][..]),
    ] {
        assert_eq!(strip(&listing(what, &case, 1, file), fields), strip(&listing(what, &case, 2, file), fields), "{what}");
    }
    // Parsing again skips what succeeded; the case verifies.
    let o = run(&[&"parse", &case]);
    assert!(text(&o).contains("already done"), "{}", text(&o));
    assert_eq!(verify_json(&case).0, 0);
}

/// Bytes of a copy of `db` after `sql` (side files folded in: the copy is closed, so checkpointed).
fn altered(db: &Path, dir: &Path, sql: &str) -> Vec<u8> {
    std::fs::create_dir_all(dir).unwrap();
    let name = db.file_name().unwrap();
    let copy = dir.join(name);
    std::fs::copy(db, &copy).unwrap();
    let wal = db.with_file_name(format!("{}-wal", name.to_string_lossy()));
    if wal.exists() {
        std::fs::copy(&wal, dir.join(format!("{}-wal", name.to_string_lossy()))).unwrap();
    }
    {
        let c = Connection::open(&copy).unwrap();
        c.execute_batch(sql).unwrap();
        c.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(())).unwrap();
    }
    std::fs::read(&copy).unwrap()
}

#[test]
fn damaged_ios_databases_fail_alone_with_a_clear_run_row() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 4);
    // (parser, path in the phone, file in the sample, required table, what the schema error says)
    let wa_rel = format!("{WA_GROUP}/ChatStorage.sqlite");
    let dbs = [
        ("ios-addressbook", "private/var/mobile/Library/AddressBook/AddressBook.sqlitedb", AB, "ABPerson", "not an iOS AddressBook.sqlitedb"),
        ("ios-callhistory", "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata", CALLS, "ZCALLRECORD", "not an iOS CallHistory.storedata"),
        ("ios-whatsapp", wa_rel.as_str(), WA, "ZWAMESSAGE", "not a WhatsApp ChatStorage.sqlite"),
        ("safari-history", "private/var/mobile/Library/Safari/History.db", SAFARI, "history_visits", "not a Safari History.db"),
    ];
    let case = new_case(t.path());
    let variants = ["dropped", "truncated", "wiped-table", "not-sqlite", "foreign"];
    for variant in variants {
        let root = t.path().join(variant);
        for (i, (_, rel, file, table, _)) in dbs.iter().enumerate() {
            let good = from_tar(&ev, file, &t.path().join(format!("good-{i}")));
            let bytes = match variant {
                "dropped" => altered(&good, &t.path().join(format!("{variant}-{i}")), &format!("DROP TABLE {table};")),
                "truncated" => {
                    // The first page and a half: the schema is readable, the tables are not.
                    let b = altered(&good, &t.path().join(format!("{variant}-{i}")), "SELECT 1;");
                    let page = u16::from_be_bytes([b[16], b[17]]) as usize;
                    b[..page + page / 2].to_vec()
                }
                "wiped-table" => {
                    // The schema is intact but the required table's root page is zeros: the
                    // database opens, the parser's query fails (after other rows were put).
                    let mut b = altered(&good, &t.path().join(format!("{variant}-{i}")), "SELECT 1;");
                    let c = Connection::open(t.path().join(format!("{variant}-{i}")).join(good.file_name().unwrap())).unwrap();
                    let root: usize = c.query_row("SELECT rootpage FROM sqlite_master WHERE name = ?1", [table], |r| r.get::<_, i64>(0)).unwrap() as usize;
                    let page = u16::from_be_bytes([b[16], b[17]]) as usize;
                    b[(root - 1) * page..root * page].fill(0);
                    b
                }
                "not-sqlite" => {
                    let mut b = std::fs::read(&good).unwrap();
                    b[..16].copy_from_slice(b"NotSQLite at all");
                    b
                }
                _ => {
                    // Another app's database under the same name: a table of that name, other columns.
                    let p = t.path().join(format!("foreign-{i}.db"));
                    Connection::open(&p).unwrap().execute_batch(&format!("CREATE TABLE {table} (x); INSERT INTO {table} VALUES (1);")).unwrap();
                    std::fs::read(&p).unwrap()
                }
            };
            put(&root, rel, &bytes);
        }
        put(&root, "private/var/mobile/notes.txt", b"other evidence");
        let (code, v, out) = ingest_json(&case, &root, &[]);
        assert_eq!(code, 0, "{variant}: the ingest itself is complete: {out}");
        for (parser, rel, _, _, needle) in &dbs {
            let r = run_of(&v, parser);
            assert_eq!(r["status"], "failed", "{variant}: {r}");
            let msg = r["message"].as_str().unwrap();
            assert!(msg.contains(&format!("/{rel}")), "{variant}: the message names the file: {msg}");
            let reason = match variant {
                "dropped" | "foreign" => *needle,
                "truncated" | "wiped-table" => "malformed",
                _ => "not an SQLite database",
            };
            assert!(msg.contains(reason), "{variant}: {parser}: {msg}");
            assert_eq!(r["items"], 0, "{variant}: partial rows are rolled back");
        }
    }
    for (parser, ..) in &dbs {
        assert_eq!(count(&case, &format!("SELECT count(*) FROM runs WHERE kind = 'parser' AND name = '{parser}' AND status = 'failed'")), variants.len() as i64, "{parser}");
    }
    for table in ["contacts", "calls", "messages", "threads", "web_visits"] {
        assert_eq!(count(&case, &format!("SELECT count(*) FROM {table}")), 0, "{table}");
    }
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn legacy_call_history_db_is_read() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("phone");
    let p = t.path().join("call_history.db");
    {
        // iOS ≤ 7 layout (formats.md §2.3: `call(address, date U-s, duration, flags, read)`).
        let c = Connection::open(&p).unwrap();
        c.execute_batch(
            "CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
             CREATE TABLE call (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date INTEGER, duration INTEGER, flags INTEGER, id INTEGER, name TEXT, country_code TEXT, network_code TEXT, read INTEGER, assisted INTEGER, face_time_data BLOB, originalAddress TEXT);",
        )
        .unwrap();
        type Row<'a> = (Option<&'a str>, Option<i64>, Option<i64>, Option<i64>, Option<&'a str>);
        let rows: [Row; 5] = [
            (Some("+33611223344"), Some(1_710_000_000), Some(65), Some(5), Some("Marc")),
            (Some("0611223344"), Some(1_710_003_600), Some(0), Some(4), None),
            (Some("+447700900461"), None, None, None, None),
            (None, Some(-5), Some(3), Some(1), None),
            (Some("+33700000000"), Some(1_710_000_000_000), Some(10), Some(4), None),
        ];
        for (a, d, du, f, n) in rows {
            c.execute("INSERT INTO call (address, date, duration, flags, id, name, read) VALUES (?1, ?2, ?3, ?4, -1, ?5, 1)", params![a, d, du, f, n]).unwrap();
        }
    }
    put(&root, "private/var/mobile/Library/CallHistory/call_history.db", &std::fs::read(&p).unwrap());
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let r = run_of(&v, "ios-callhistory");
    assert_eq!(r["status"], "ok", "{r}");
    assert_eq!(r["items"], 5, "{r}");
    let calls = listing("calls", &case, 1, "call_history.db");
    let row = |n: i64| calls.iter().find(|c| c["provenance"]["row"] == n).unwrap_or_else(|| panic!("row {n}"));
    assert_eq!(row(1)["provenance"]["table"], "call");
    assert_eq!(row(1)["service"], "phone");
    assert_eq!(row(1)["direction"], "outgoing");
    assert_eq!(row(1)["peer"], "+33611223344");
    assert_eq!(row(1)["peer_name"], "Marc");
    assert_eq!(row(1)["start"]["utc"], "2024-03-09T16:00:00Z");
    assert_eq!(row(1)["start"]["unit"], "unix-s");
    assert_eq!(row(1)["start"]["raw"], "1710000000");
    assert_eq!(row(1)["duration_s"].as_f64(), Some(65.0));
    assert!(row(1)["answered"].is_null(), "not recorded in the legacy layout");
    assert_eq!((row(1)["status"].as_str(), row(2)["status"].as_str()), (Some("outgoing"), None), "whether an incoming legacy call was answered is not recorded");
    assert_eq!(row(2)["direction"], "incoming");
    assert_eq!(row(2)["start"]["utc"], "2024-03-09T17:00:00Z");
    // NULLs and negative sentinels: no time, unknown direction, no panic.
    assert!(row(3)["start"]["utc"].is_null());
    assert_eq!(row(3)["direction"], "unknown");
    assert!(row(3)["duration_s"].is_null());
    assert!(row(4)["start"]["utc"].is_null() && row(4)["peer"].is_null());
    // Milliseconds where seconds are declared: kept as declared, flagged.
    let flag = row(5)["start"]["flag"].as_str().unwrap();
    assert!(flag.contains("implausible as unix-s") && flag.contains("unix-ms"), "{flag}");
}

#[test]
fn odd_values_and_every_addressbook_property() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("phone");
    let mk = |name: &str, sql: &str| -> Vec<u8> {
        let p = t.path().join(name);
        Connection::open(&p).unwrap().execute_batch(sql).unwrap();
        std::fs::read(&p).unwrap()
    };
    // AddressBook: labels (standard and custom), structured values, stores, names from fallbacks.
    let ab = mk(
        "ab.db",
        r#"
        CREATE TABLE ABStore (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT, Type INTEGER, guid TEXT);
        INSERT INTO ABStore VALUES (1, 'iCloud', 1, 'g1');
        CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, Organization TEXT, Note TEXT, Birthday TEXT, JobTitle TEXT, Nickname TEXT, CreationDate INTEGER, StoreID INTEGER, ModificationDate INTEGER);
        INSERT INTO ABPerson VALUES (1, 'Ion', 'Popescu', 'Vasile', 'Transport SRL', 'met at the bus station', '-315576000', 'driver', 'Ionut', 731000000, 1, 731086400.5);
        INSERT INTO ABPerson VALUES (2, NULL, NULL, NULL, 'Agentie Munca', NULL, NULL, NULL, NULL, NULL, 7, 1710000000);
        INSERT INTO ABPerson VALUES (3, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, -1, NULL, NULL);
        INSERT INTO ABPerson VALUES (4, CAST('Blob' AS BLOB), 'Name', NULL, NULL, NULL, NULL, NULL, NULL, 'not a date', 1, 0);
        CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT, guid TEXT);
        CREATE TABLE ABMultiValueLabel (value TEXT, UNIQUE(value));
        INSERT INTO ABMultiValueLabel (ROWID, value) VALUES (1, '_$!<Mobile>!$_'), (2, 'TextNow'), (3, '_$!<Home>!$_'), (4, '_$!<HomePage>!$_');
        CREATE TABLE ABMultiValueEntry (parent_id INTEGER, key INTEGER, value TEXT, UNIQUE(parent_id, key));
        CREATE TABLE ABMultiValueEntryKey (value TEXT, UNIQUE(value));
        INSERT INTO ABMultiValueEntryKey (ROWID, value) VALUES (1, 'Street'), (2, 'City'), (3, 'Country'), (4, 'service'), (5, 'username');
        INSERT INTO ABMultiValue VALUES (1, 1, 3, 0, 1, '+40 722 000 111', 'a');
        INSERT INTO ABMultiValue VALUES (2, 1, 3, 1, 2, '+1 555 0100', 'b');
        INSERT INTO ABMultiValue VALUES (3, 1, 4, 0, 3, 'ion@example.org', 'c');
        INSERT INTO ABMultiValue VALUES (4, 1, 5, 0, 3, NULL, 'd');
        INSERT INTO ABMultiValueEntry VALUES (4, 1, '12 Strada Mare'), (4, 2, 'Iasi'), (4, 3, 'Romania');
        INSERT INTO ABMultiValue VALUES (5, 1, 13, 0, NULL, NULL, 'e');
        INSERT INTO ABMultiValueEntry VALUES (5, 4, 'Telegram'), (5, 5, 'ion_p'), (5, 9, 'stray key');
        INSERT INTO ABMultiValue VALUES (6, 1, 22, 0, 4, 'https://example.org/ion', 'f');
        INSERT INTO ABMultiValue VALUES (7, 1, 46, 0, NULL, NULL, 'g');
        INSERT INTO ABMultiValueEntry VALUES (7, 4, 'Facebook'), (7, 5, 'ion.popescu');
        INSERT INTO ABMultiValue VALUES (8, 2, 3, 0, 99, CAST('+40 700 BLOB' AS BLOB), 'h');
        INSERT INTO ABMultiValue VALUES (9, 2, 77, 0, NULL, 'odd property', 'i');
        INSERT INTO ABMultiValue VALUES (10, 2, 3, 0, 1, NULL, 'j');
        "#,
    );
    put(&root, "private/var/mobile/Library/AddressBook/AddressBook.sqlitedb", &ab);
    // CallHistory: BLOB address, FaceTime, other providers, NULLs, text numbers, wrong units.
    let ch = mk(
        "ch.db",
        r#"
        CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZANSWERED INTEGER, ZCALLTYPE INTEGER, ZORIGINATED INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS BLOB, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR);
        INSERT INTO ZCALLRECORD VALUES (1, 1, 8, 1, 731000000.25, 61.5, CAST('ion@example.org' AS BLOB), 'Ion', 'com.apple.FaceTime');
        INSERT INTO ZCALLRECORD VALUES (2, 0, 16, 0, '731000100', '12.5', X'2B34303732323030303131310000', NULL, NULL);
        INSERT INTO ZCALLRECORD VALUES (3, NULL, 0, NULL, NULL, NULL, NULL, NULL, 'org.whispersystems.signal');
        INSERT INTO ZCALLRECORD VALUES (4, 1, 0, 1, 731000000000000000, 5, 'x', NULL, 'com.example.NewApp');
        INSERT INTO ZCALLRECORD VALUES (5, 1, NULL, 0, -300000000, 1, X'FF00', NULL, NULL);
        "#,
    );
    put(&root, "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata", &ch);
    // WhatsApp: captions, locations, contacts, media files, group senders without a member row.
    let wa = mk(
        "wa.db",
        r#"
        CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZSESSIONTYPE INTEGER, ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR);
        INSERT INTO ZWACHATSESSION VALUES (1, 0, '40722000111@s.whatsapp.net', 'Ion');
        INSERT INTO ZWACHATSESSION VALUES (2, 1, '120363000000000001@g.us', NULL);
        INSERT INTO ZWACHATSESSION VALUES (3, 1, NULL, 'Old group');
        CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZMEMBERJID VARCHAR);
        INSERT INTO ZWAGROUPMEMBER VALUES (1, 2, '40722000111@s.whatsapp.net'), (2, 2, '447700900999@s.whatsapp.net'), (3, 2, NULL);
        CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZISFROMME INTEGER, ZMESSAGETYPE INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER, ZMEDIAITEM INTEGER, ZMESSAGEDATE TIMESTAMP, ZFROMJID VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR);
        INSERT INTO ZWAMESSAGE VALUES (1, 0, 1, 1, NULL, 1, 731000000, '40722000111@s.whatsapp.net', NULL, NULL);
        INSERT INTO ZWAMESSAGE VALUES (2, 1, 5, 1, NULL, NULL, 731000060.5, NULL, NULL, '40722000111@s.whatsapp.net');
        INSERT INTO ZWAMESSAGE VALUES (3, 0, 4, 2, 2, NULL, 731000120, '120363000000000001@g.us', NULL, NULL);
        INSERT INTO ZWAMESSAGE VALUES (4, 0, 0, 2, 99, NULL, 731000180, '120363000000000001@g.us', CAST('bytes as text' AS BLOB), NULL);
        INSERT INTO ZWAMESSAGE VALUES (5, NULL, 0, NULL, NULL, NULL, NULL, NULL, '', NULL);
        INSERT INTO ZWAMESSAGE VALUES (6, 1, 0, 2, NULL, NULL, -1, NULL, 'to the group', '120363000000000001@g.us');
        INSERT INTO ZWAMESSAGE VALUES (7, 0, 2, 1, NULL, NULL, 731000240, '40722000111@s.whatsapp.net', NULL, NULL);
        INSERT INTO ZWAMESSAGE VALUES (8, 0, 14, 3, NULL, NULL, 731000300, NULL, NULL, NULL);
        CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZFILESIZE INTEGER, ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZMEDIALOCALPATH VARCHAR, ZTITLE VARCHAR, ZVCARDSTRING VARCHAR);
        INSERT INTO ZWAMEDIAITEM VALUES (1, 1, 4, NULL, NULL, 'Media/40722000111@s.whatsapp.net/a/b/photo.jpg', 'the room', NULL);
        INSERT INTO ZWAMEDIAITEM VALUES (2, 2, NULL, 48.9601, 2.8843, NULL, 'Depozit', NULL);
        INSERT INTO ZWAMEDIAITEM VALUES (3, 3, NULL, NULL, NULL, NULL, NULL, 'BEGIN:VCARD\nFN:Boss\nEND:VCARD');
        INSERT INTO ZWAMEDIAITEM VALUES (4, 7, 'big', NULL, NULL, NULL, NULL, NULL);
        "#,
    );
    put(&root, &format!("{WA_GROUP}/ChatStorage.sqlite"), &wa);
    put(&root, &format!("{WA_GROUP}/Message/Media/40722000111@s.whatsapp.net/a/b/photo.jpg"), b"\xFF\xD8\xFF\xE0jpeg");
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    for p in ["ios-addressbook", "ios-callhistory", "ios-whatsapp"] {
        assert_eq!(run_of(&v, p)["status"], "ok", "{}", run_of(&v, p));
    }

    // --- AddressBook.
    let contacts = listing("contacts", &case, 1, "AddressBook.sqlitedb");
    assert_eq!(contacts.len(), 4);
    let row = |n: i64| contacts.iter().find(|c| c["provenance"]["row"] == n).unwrap();
    let ion = row(1);
    assert_eq!(ion["name"], "Ion Vasile Popescu");
    assert_eq!(ion["account"], "iCloud");
    let e = |kind: &str| -> Vec<(Value, Value)> { ion["entries"].as_array().unwrap().iter().filter(|x| x["kind"] == kind).map(|x| (x["value"].clone(), x["label"].clone())).collect() };
    assert_eq!(e("phone"), vec![(Value::from("+40 722 000 111"), Value::from("Mobile")), (Value::from("+1 555 0100"), Value::from("TextNow"))]);
    assert_eq!(e("email"), vec![(Value::from("ion@example.org"), Value::from("Home"))]);
    assert_eq!(e("address"), vec![(Value::from("Street: 12 Strada Mare; City: Iasi; Country: Romania"), Value::from("Home"))]);
    assert_eq!(e("im"), vec![(Value::from("service: Telegram; username: ion_p; key 9: stray key"), Value::Null)]);
    assert_eq!(e("url"), vec![(Value::from("https://example.org/ion"), Value::from("HomePage"))]);
    assert_eq!(e("social-profile"), vec![(Value::from("service: Facebook; username: ion.popescu"), Value::Null)]);
    assert_eq!(e("organization"), vec![(Value::from("Transport SRL"), Value::Null)]);
    assert_eq!(e("job-title")[0].0, "driver");
    assert_eq!(e("nickname")[0].0, "Ionut");
    assert_eq!(e("note")[0].0, "met at the bus station");
    assert!(e("birthday")[0].0.as_str().unwrap().starts_with("1991-01-01"), "{ion}");
    let org = row(2);
    assert_eq!(org["name"], "Agentie Munca", "no personal name: the organisation");
    assert!(org["account"].is_null(), "store 7 does not exist");
    let oe = org["entries"].as_array().unwrap();
    assert!(oe.iter().any(|x| x["kind"] == "phone" && x["value"] == "+40 700 BLOB" && x["label"].is_null()), "{org}");
    assert!(oe.iter().any(|x| x["kind"] == "property 77" && x["value"] == "odd property"), "{org}");
    assert_eq!(oe.iter().filter(|x| x["kind"] == "phone").count(), 1, "an empty value is not an entry");
    assert!(row(3)["name"].is_null());
    assert_eq!(row(4)["name"], "Blob Name");
    let created: Vec<(i64, Option<i64>, Option<String>)> = db(&case)
        .prepare("SELECT src_row, created_utc, created_unit FROM contacts ORDER BY src_row")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(created[0], (1, Some((731_000_000 + 978_307_200) * 1_000_000), Some("cocoa-s".into())));
    assert_eq!(created[1].1, None);
    assert_eq!(created[2].1, None, "-1 is a sentinel");
    assert_eq!(created[3].1, None, "text that is not a number");
    type Modified = (Option<i64>, Option<String>, Option<String>, Option<String>);
    let modified: Vec<Modified> = db(&case)
        .prepare("SELECT modified_utc, modified_raw, modified_unit, time_flag FROM contacts ORDER BY src_row")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(modified[0], (Some((731_086_400 + 978_307_200) * 1_000_000 + 500_000), Some("731086400.5".into()), Some("cocoa-s".into()), None));
    // Unix seconds where Cocoa seconds are declared: kept as declared (2055), flagged, not moved.
    assert_eq!(modified[1].0, Some((1_710_000_000 + 978_307_200) * 1_000_000));
    let flag = modified[1].3.as_deref().unwrap();
    assert!(flag.starts_with("modified: implausible as cocoa-s") && flag.contains("unix-s"), "{flag}");
    assert_eq!((modified[2].0, modified[3].0), (None, None), "NULL and 0 are not set");
    // The CLI shows both times.
    let shown = text(&run(&[&"contacts", &case]));
    assert!(shown.contains("created 2024-03-01") && shown.contains("modified 2024-03-02"), "{shown}");

    // --- CallHistory.
    let calls = listing("calls", &case, 1, "CallHistory.storedata");
    assert_eq!(calls.len(), 5);
    let call = |n: i64| calls.iter().find(|c| c["provenance"]["row"] == n).unwrap();
    assert_eq!((call(1)["service"].clone(), call(1)["video"].clone(), call(1)["peer"].clone()), (Value::from("facetime"), Value::from(true), Value::from("ion@example.org")));
    assert_eq!(call(1)["start"]["raw"], "731000000.25");
    assert_eq!(call(1)["start"]["utc_us"], (731_000_000i64 + 978_307_200) * 1_000_000 + 250_000);
    assert_eq!(call(1)["peer_name"], "Ion");
    assert_eq!((call(2)["service"].clone(), call(2)["video"].clone()), (Value::from("facetime"), Value::from(false)));
    assert_eq!(call(2)["peer"], "+40722000111", "a BLOB address, its NUL padding trimmed");
    assert_eq!(call(2)["duration_s"].as_f64(), Some(12.5));
    assert_eq!(call(2)["answered"], false);
    assert_eq!((call(1)["status"].as_str(), call(2)["status"].as_str(), call(3)["status"].as_str(), call(5)["status"].as_str()), (Some("outgoing"), Some("missed"), None, Some("incoming")));
    assert_eq!(call(2)["direction"], "incoming");
    assert_eq!(call(2)["start"]["utc_us"], (731_000_100i64 + 978_307_200) * 1_000_000);
    assert_eq!(call(3)["service"], "signal");
    assert_eq!(call(3)["direction"], "unknown");
    assert!(call(3)["answered"].is_null() && call(3)["start"]["utc"].is_null() && call(3)["peer"].is_null());
    assert_eq!(call(4)["service"], "com.example.NewApp", "an unknown provider keeps its bundle id");
    let flag = call(4)["start"]["flag"].as_str().unwrap();
    assert!(flag.contains("implausible as cocoa-s") && flag.contains("cocoa-ns"), "{flag}");
    assert_eq!(call(5)["service"], "callkit");
    assert!(call(5)["start"]["flag"].as_str().unwrap().contains("implausible"), "a negative Cocoa time is kept and flagged: {}", call(5));
    assert_eq!(call(5)["peer"], "\u{FFFD}", "undecodable bytes are shown, not dropped");

    // --- WhatsApp.
    let msgs = listing("messages", &case, 1, "ChatStorage.sqlite");
    assert_eq!(msgs.len(), 8);
    let m = |n: i64| msgs.iter().find(|c| c["provenance"]["row"] == n).unwrap();
    assert_eq!((m(1)["body"].clone(), m(1)["body_source"].clone(), m(1)["status"].clone()), (Value::from("the room"), Value::from("ZWAMEDIAITEM.ZTITLE"), Value::from("image (type 1)")));
    assert_eq!(m(1)["sender"], "40722000111@s.whatsapp.net");
    assert_eq!(m(1)["thread"], "Ion");
    assert_eq!(m(2)["body"], "Depozit: 48.9601, 2.8843");
    assert_eq!(m(2)["recipients"], "[\"40722000111@s.whatsapp.net\"]");
    assert_eq!(m(2)["sent"]["raw"], "731000060.5");
    assert_eq!(m(3)["body"], r"BEGIN:VCARD\nFN:Boss\nEND:VCARD");
    assert_eq!(m(3)["sender"], "447700900999@s.whatsapp.net", "the group member, not the group");
    assert_eq!(m(3)["thread"], "120363000000000001@g.us", "a group without a name shows its JID");
    assert_eq!(m(4)["body"], "bytes as text");
    assert!(m(4)["sender"].is_null(), "no member row: the group JID is not passed off as the sender");
    assert_eq!(m(5)["direction"], "unknown");
    assert!(m(5)["body"].is_null() && m(5)["sent"]["utc"].is_null() && m(5)["thread"].is_null());
    let to_group: Vec<String> = serde_json::from_str(m(6)["recipients"].as_str().unwrap()).unwrap();
    assert_eq!(to_group, vec!["40722000111@s.whatsapp.net", "447700900999@s.whatsapp.net"]);
    assert!(m(6)["sent"]["utc"].is_null(), "-1 is a sentinel");
    assert_eq!(m(7)["status"], "video (type 2)");
    assert_eq!((m(8)["deleted"].clone(), m(8)["status"].clone(), m(8)["thread"].clone()), (Value::from(true), Value::from("revoked"), Value::from("Old group")));
    let c = db(&case);
    let groups: Vec<(String, bool)> = c.prepare("SELECT coalesce(name, ''), is_group FROM threads ORDER BY src_row").unwrap().query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(groups, vec![("Ion".into(), false), ("120363000000000001@g.us".into(), true), ("Old group".into(), true)]);
    type Att = (i64, Option<String>, Option<String>, Option<i64>, Option<i64>, Option<i64>);
    let atts: Vec<Att> = c
        .prepare("SELECT a.src_row, a.evidence_path, a.filename, a.size, m.src_row, a.linked_file_id FROM attachments a LEFT JOIN messages m ON m.id = a.message_id ORDER BY a.src_row")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(atts.len(), 2, "the photo and the (not downloaded) video; not the location nor the contact: {atts:?}");
    assert_eq!(atts[0].1.as_deref(), Some(format!("/{WA_GROUP}/Message/Media/40722000111@s.whatsapp.net/a/b/photo.jpg").as_str()));
    assert_eq!(atts[0].2.as_deref(), Some("photo.jpg"));
    assert_eq!((atts[0].3, atts[0].4), (Some(4), Some(1)));
    let linked: String = c.query_row("SELECT path FROM files WHERE id = ?1", [atts[0].5.expect("the media file is linked")], |r| r.get(0)).unwrap();
    assert!(linked.ends_with("photo.jpg"));
    assert_eq!((atts[1].0, atts[1].1.clone(), atts[1].3, atts[1].4), (4, None, None, Some(7)));
}

#[test]
fn safari_profiles_unix_seconds_synced_visits_and_the_wal() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("phone");
    let schema = "CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, visit_count INTEGER NOT NULL DEFAULT 0);
                  CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT, history_item INTEGER NOT NULL, visit_time REAL NOT NULL, title TEXT NULL, load_successful BOOLEAN NOT NULL DEFAULT 1, origin INTEGER NOT NULL DEFAULT 0);";
    let dir = root.join("private/var/mobile/Library/Safari/Profiles/5E1C2D3A-0000-4000-8000-00000000CAFE");
    std::fs::create_dir_all(&dir).unwrap();
    let work = t.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let live = work.join("History.db");
    {
        let c = Connection::open(&live).unwrap();
        c.execute_batch(schema).unwrap();
        c.execute_batch(
            "INSERT INTO history_items (id, url) VALUES (1, 'https://jobs.example.com/a'), (2, 'https://jobs.example.com/b');
             INSERT INTO history_visits (id, history_item, visit_time, title, origin) VALUES (1, 1, 731000000.5, 'Job A', 0);
             INSERT INTO history_visits (id, history_item, visit_time, title, origin) VALUES (2, 2, 1760000000, 'Unix seconds (iOS 26)', 0);
             INSERT INTO history_visits (id, history_item, visit_time, title, origin) VALUES (3, 1, 731000100, NULL, 1);
             INSERT INTO history_visits (id, history_item, visit_time, title, origin) VALUES (4, 42, 731000200, 'orphan', 0);",
        )
        .unwrap();
        c.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
        c.execute_batch("PRAGMA wal_autocheckpoint = 0;").unwrap();
        c.execute("INSERT INTO history_visits (id, history_item, visit_time, title) VALUES (5, 2, 731000300, 'only in the WAL')", []).unwrap();
        // Copy while the connection is open: closing would checkpoint the WAL into the database.
        std::fs::copy(&live, dir.join("History.db")).unwrap();
        std::fs::copy(work.join("History.db-wal"), dir.join("History.db-wal")).unwrap();
    }
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let runs: Vec<&Value> = v["parse"]["runs"].as_array().unwrap().iter().filter(|r| r["parser"] == "safari-history").collect();
    assert_eq!(runs.len(), 1, "the -wal is not claimed as a database of its own: {runs:?}");
    assert_eq!(runs[0]["status"], "ok", "{}", runs[0]);
    assert!(runs[0]["message"].as_str().unwrap().contains("read with its -wal"), "{}", runs[0]);
    let visits = listing("visits", &case, 1, "History.db");
    assert_eq!(visits.len(), 5);
    let row = |n: i64| visits.iter().find(|c| c["provenance"]["row"] == n).unwrap();
    assert_eq!(row(1)["url"], "https://jobs.example.com/a");
    assert_eq!(row(1)["title"], "Job A");
    assert_eq!(row(1)["visited"]["utc_us"], (731_000_000i64 + 978_307_200) * 1_000_000 + 500_000);
    assert_eq!(row(1)["browser"], "safari");
    // Unix seconds where Cocoa seconds are declared: kept as Cocoa, flagged as plausible Unix.
    assert_eq!(row(2)["visited"]["unit"], "cocoa-s");
    assert_eq!(row(2)["visited"]["raw"], "1760000000");
    let flag = row(2)["visited"]["flag"].as_str().unwrap();
    assert!(flag.contains("implausible as cocoa-s") && flag.contains("unix-s"), "{flag}");
    assert_eq!(row(3)["browser"], "safari (iCloud-synced)");
    assert!(row(3)["title"].is_null());
    assert_eq!(row(4)["url"], "", "a visit whose item is gone is kept");
    assert_eq!(row(5)["title"], "only in the WAL");
}
