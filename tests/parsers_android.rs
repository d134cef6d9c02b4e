//! Android parsers (and the Chromium-family History parser) against the generated sample case:
//! counts and contents equal the answer key row for row; the legacy and transitional WhatsApp
//! schemas; corrupted databases fail alone with a clear `runs` row; Telegram `cache4.db` from a
//! hand-built database with hand-made TL blobs (the generator makes no Telegram data).
//!
//! Rows the generator deleted (`fate: purged`) are not in the tables any more and are not
//! expected: recovering rows from free pages is out of scope for these parsers.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use common::*;
use rusqlite::{Connection, params};
use serde_json::Value;

const DEVICE: &str = "android-nelu";
const MMSSMS: &str = "data/data/com.android.providers.telephony/databases/mmssms.db";
const CONTACTS: &str = "data/data/com.android.providers.contacts/databases/contacts2.db";
const CALLLOG: &str = "data/data/com.android.providers.contacts/databases/calllog.db";
const MSGSTORE: &str = "data/data/com.whatsapp/databases/msgstore.db";
const WA: &str = "data/data/com.whatsapp/databases/wa.db";
const CHROME: &str = "data/data/com.android.chrome/app_chrome/Default/History";
const TELEGRAM: &str = "data/data/org.telegram.messenger/files/cache4.db";

fn generate(dir: &Path, seed: u64) -> (PathBuf, Value) {
    let out = dir.join("evidence");
    threadline::samples::generate("labour-job-ads", &out, seed, threadline::samples::Scale::Small).unwrap();
    let key: Value = serde_json::from_slice(&std::fs::read(out.join("answer_key.json")).unwrap()).unwrap();
    (out, key)
}

fn android_archive(ev: &Path) -> PathBuf {
    ev.join(DEVICE).join("android_ffs.tar.gz")
}

/// Every file of the Android extraction, by path without the `Dump/` prefix.
fn android_files(ev: &Path) -> HashMap<String, Vec<u8>> {
    let f = std::fs::File::open(android_archive(ev)).unwrap();
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let mut out = HashMap::new();
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if !e.header().entry_type().is_file() {
            continue;
        }
        let p = e.path().unwrap().to_string_lossy().trim_start_matches("Dump/").to_string();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        out.insert(p, b);
    }
    out
}

fn write_file(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Apply SQL to a copy of a database and return the new bytes.
fn altered(dir: &Path, name: &str, bytes: &[u8], sql: &str) -> Vec<u8> {
    let p = dir.join(format!("alter-{name}"));
    std::fs::write(&p, bytes).unwrap();
    {
        let c = Connection::open(&p).unwrap();
        c.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        c.execute_batch(sql).unwrap();
    }
    std::fs::read(&p).unwrap()
}

fn runs(v: &Value) -> Vec<Value> {
    v["parse"]["runs"].as_array().cloned().unwrap_or_default()
}

fn run_of(v: &Value, parser: &str, path_end: &str) -> Value {
    runs(v)
        .into_iter()
        .find(|r| r["parser"] == parser && r["path"].as_str().is_some_and(|p| p.ends_with(path_end)))
        .unwrap_or_else(|| panic!("no run of {parser} on {path_end}: {:#}", v["parse"]))
}

fn list(case: &Path, what: &str, source: i64) -> Vec<Value> {
    let o = run(&[&what, &case, &"--source", &source.to_string(), &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice::<Vec<Value>>(&o.stdout).unwrap()
}

fn from_file<'a>(rows: &'a [Value], file_end: &str) -> Vec<&'a Value> {
    rows.iter().filter(|m| m["provenance"]["path"].as_str().unwrap().ends_with(file_end)).collect()
}

fn expected_rows(key: &Value, file_end: &str, table: &str) -> i64 {
    key["expected_counts"]["by_file"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["device"] == DEVICE && f["path"].as_str().unwrap().ends_with(file_end))
        .unwrap_or_else(|| panic!("no counts for {file_end}"))["tables"][table]
        .as_i64()
        .unwrap_or(0)
}

fn us(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_micros()
}

/// The key's identifiers of a person on the Android device, of one kind.
fn identifiers(key: &Value, person: &str, kind: &str) -> BTreeSet<String> {
    key["persons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["key"] == person)
        .flat_map(|p| p["identifiers"].as_array().unwrap().iter())
        .filter(|i| i["device"] == DEVICE && i["kind"] == kind)
        .map(|i| i["value"].as_str().unwrap().to_string())
        .collect()
}

fn owner(key: &Value) -> String {
    key["devices"].as_array().unwrap().iter().find(|d| d["id"] == DEVICE).unwrap()["owner"].as_str().unwrap().to_string()
}

#[test]
fn android_sample_matches_the_answer_key_row_for_row() {
    let t = tempfile::tempdir().unwrap();
    let (ev, key) = generate(t.path(), 3);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &android_archive(&ev), &[]);
    assert_eq!(code, 0, "{out}");
    let owner = owner(&key);

    // Every parser ran and said so.
    for (parser, file) in [
        ("android-sms", MMSSMS),
        ("android-contacts", CONTACTS),
        ("android-calllog", CALLLOG),
        ("android-calllog", CONTACTS),
        ("android-whatsapp", MSGSTORE),
        ("android-whatsapp-contacts", WA),
        ("chromium-history", CHROME),
    ] {
        let r = run_of(&v, parser, file);
        assert_eq!(r["status"], "ok", "{r}");
    }
    assert_eq!(run_of(&v, "android-calllog", CONTACTS)["message"], "ran, found nothing", "contacts2.db of Android 7+ has no calls table");
    let tg = runs(&v).into_iter().find(|r| r["parser"] == "telegram").unwrap();
    assert!(tg["path"].is_null() && tg["message"].as_str().unwrap().starts_with("searched, no file matches"), "{tg}");

    let messages = list(&case, "messages", 1);

    // --- SMS and MMS -----------------------------------------------------------------------
    let mmssms = from_file(&messages, MMSSMS);
    let sms_rows = expected_rows(&key, MMSSMS, "sms");
    let pdu_rows = expected_rows(&key, MMSSMS, "pdu");
    assert_eq!(mmssms.len() as i64, sms_rows + pdu_rows);
    let mut checked = 0;
    let mut purged = 0;
    for m in key["messages"].as_array().unwrap() {
        for c in m["copies"].as_array().unwrap() {
            if c["device"] != DEVICE || !c["file"].as_str().unwrap().ends_with(MMSSMS) {
                continue;
            }
            let table = c["table"].as_str().unwrap();
            let row = c["row_id"].as_i64().unwrap();
            let ours = mmssms.iter().find(|x| x["provenance"]["table"] == table && x["provenance"]["row"] == row);
            if c["fate"] == "purged" {
                assert!(ours.is_none(), "purged {table}#{row} is not in the table any more");
                purged += 1;
                continue;
            }
            let ours = ours.unwrap_or_else(|| panic!("{table}#{row} missing"));
            let outgoing = m["from"] == owner.as_str();
            assert_eq!(ours["direction"], if outgoing { "outgoing" } else { "incoming" }, "{table}#{row}");
            assert_eq!(ours["deleted"], false, "{table}#{row}");
            if !outgoing {
                let sender = ours["sender"].as_str().unwrap();
                assert!(identifiers(&key, m["from"].as_str().unwrap(), "phone").contains(sender), "{table}#{row}: sender {sender}");
            } else {
                assert!(ours["sender"].is_null());
                assert!(ours["recipients"].as_str().unwrap().starts_with("[\""), "{table}#{row}");
            }
            match table {
                "sms" => {
                    assert_eq!(ours["service"], "sms");
                    assert_eq!(ours["body"], m["text"], "sms#{row}");
                    assert_eq!(ours["body_source"], "body");
                    assert_eq!(ours["sent"]["utc"], m["at"], "sms#{row}");
                    assert_eq!(ours["sent"]["unit"], "unix-ms");
                    assert_eq!(ours["status"], if outgoing { Value::from("sent") } else { Value::Null }, "sms#{row}");
                }
                "pdu" => {
                    assert_eq!(ours["service"], "mms");
                    assert_eq!(ours["sent"]["unit"], "unix-s");
                    // The message time is the sender's `date_sent` (the key's time), as for SMS.
                    let at = us(m["at"].as_str().unwrap());
                    assert_eq!(ours["sent"]["utc_us"].as_i64().unwrap(), at, "pdu#{row}");
                    if m["text"] == "" {
                        assert!(ours["body"].is_null(), "pdu#{row}: picture only");
                    } else {
                        assert_eq!(ours["body"], m["text"], "pdu#{row}");
                        assert_eq!(ours["body_source"], "part");
                    }
                }
                other => panic!("unexpected table {other}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked as i64, sms_rows + pdu_rows);
    assert!(purged > 0, "the sample has a purged SMS");
    // The MMS picture is an attachment linked to its file in the extraction.
    let db = db(&case);
    let (fname, mime, linked): (String, String, Option<String>) = db
        .query_row(
            "SELECT a.filename, a.mime, f.path FROM attachments a JOIN messages m ON m.id = a.message_id LEFT JOIN files f ON f.id = a.linked_file_id WHERE m.src_table = 'pdu'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let expected_name = key["messages"].as_array().unwrap().iter().find_map(|m| {
        m["copies"].as_array().unwrap().iter().any(|c| c["device"] == DEVICE && c["table"] == "pdu").then(|| m["attachment"].as_str().unwrap().to_string())
    });
    assert_eq!(Some(fname), expected_name);
    assert_eq!(mime, "image/jpeg");
    assert!(linked.unwrap().starts_with("/data/user_de/0/com.android.providers.telephony/app_parts/PART_"));
    // Threads: one per `threads` row, keyed by thread id, every SMS/MMS in one.
    assert_eq!(count(&case, "SELECT count(*) FROM threads WHERE service = 'sms'"), expected_rows(&key, MMSSMS, "threads"));
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE service IN ('sms', 'mms') AND thread_id IS NULL"), 0);

    // --- WhatsApp messages --------------------------------------------------------------
    let wa = from_file(&messages, MSGSTORE);
    assert_eq!(wa.len() as i64, expected_rows(&key, MSGSTORE, "message"));
    let mut revoked = 0;
    let mut group_incoming = 0;
    let copies: Vec<(&Value, &Value)> = key["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["copies"].as_array().unwrap().iter().map(move |c| (m, c)))
        .filter(|(_, c)| c["device"] == DEVICE && c["file"].as_str().unwrap().ends_with(MSGSTORE))
        .collect();
    assert_eq!(copies.iter().filter(|(_, c)| c["fate"] != "purged").count(), wa.len());
    for (m, c) in copies {
        let row = c["row_id"].as_i64().unwrap();
        let ours = wa.iter().find(|x| x["provenance"]["table"] == "message" && x["provenance"]["row"] == row);
        if c["fate"] == "purged" {
            assert!(ours.is_none());
            continue;
        }
        let ours = ours.unwrap_or_else(|| panic!("message#{row} missing"));
        let outgoing = m["from"] == owner.as_str();
        assert_eq!(ours["service"], "whatsapp");
        assert_eq!(ours["direction"], if outgoing { "outgoing" } else { "incoming" }, "message#{row}");
        assert_eq!(ours["sent"]["utc"], m["at"], "message#{row}");
        assert_eq!(ours["sent"]["unit"], "unix-ms");
        if c["fate"] == "revoked" {
            assert_eq!(ours["deleted"], true, "message#{row}");
            assert_eq!(ours["status"], "revoked");
            assert!(ours["body"].is_null());
            revoked += 1;
        } else {
            assert_eq!(ours["deleted"], false, "message#{row}");
            assert_eq!(ours["body"], m["text"], "message#{row}");
            assert_eq!(ours["body_source"], "text_data");
        }
        // Received and read, from received_timestamp (incoming) and receipt_user (outgoing).
        assert_eq!(ours["received"]["utc_us"].as_i64(), c["received_unix_ms"].as_i64().map(|ms| ms * 1000), "message#{row} received");
        assert_eq!(ours["read"]["utc_us"].as_i64(), c["read_unix_ms"].as_i64().map(|ms| ms * 1000), "message#{row} read");
        if outgoing {
            assert!(c["read_unix_ms"].is_i64(), "message#{row}: the key has a read receipt for every outgoing message");
        }
        if !outgoing {
            let sender = ours["sender"].as_str().unwrap_or_else(|| panic!("message#{row} has no sender"));
            assert!(identifiers(&key, m["from"].as_str().unwrap(), "whatsapp-jid").contains(sender), "message#{row}: {sender}");
            let thread = key["threads"].as_array().unwrap().iter().find(|t| t["key"] == m["thread"]).unwrap();
            if !thread["group_jid"].is_null() {
                group_incoming += 1;
                assert_eq!(ours["thread"], thread["group_name"], "message#{row}");
            }
        }
    }
    assert!(revoked > 0 && group_incoming > 0);
    assert_eq!(count(&case, "SELECT count(*) FROM threads WHERE service = 'whatsapp'"), expected_rows(&key, MSGSTORE, "chat"));
    let group: (i64, String) = db.query_row("SELECT is_group, participants FROM threads WHERE thread_key LIKE '%@g.us'", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(group.0, 1);
    assert_eq!(serde_json::from_str::<Vec<String>>(&group.1).unwrap().len() as i64, expected_rows(&key, MSGSTORE, "group_participant_user"));

    // --- Calls ---------------------------------------------------------------------------
    let calls = list(&case, "calls", 1);
    let phone = from_file(&calls, CALLLOG);
    let wa_calls = from_file(&calls, MSGSTORE);
    assert_eq!(phone.len() as i64, expected_rows(&key, CALLLOG, "calls"));
    assert_eq!(wa_calls.len() as i64, expected_rows(&key, MSGSTORE, "call_log"));
    let mut matched = 0;
    for c in key["calls"].as_array().unwrap() {
        if c["from"] != owner.as_str() && c["to"] != owner.as_str() {
            continue;
        }
        let outgoing = c["from"] == owner.as_str();
        let (ours_list, service) = if c["channel"] == "phone" { (&phone, "phone") } else { (&wa_calls, "whatsapp") };
        let ours = ours_list.iter().find(|x| x["start"]["utc"] == c["at"]).unwrap_or_else(|| panic!("call {} missing", c["key"]));
        assert_eq!(ours["service"], service);
        assert_eq!(ours["direction"], if outgoing { "outgoing" } else { "incoming" }, "call {}", c["key"]);
        assert_eq!(ours["duration_s"].as_f64().unwrap() as i64, c["duration_s"].as_i64().unwrap());
        let answered = if outgoing && service == "phone" {
            // The call log does not record whether an outgoing call was answered; a duration does.
            if c["duration_s"].as_i64().unwrap() > 0 { Value::from(true) } else { Value::Null }
        } else {
            c["answered"].clone()
        };
        assert_eq!(ours["answered"], answered, "call {}", c["key"]);
        let status = if outgoing { "outgoing" } else { c["callee_status"].as_str().unwrap() };
        assert_eq!(ours["status"], status, "call {}", c["key"]);
        let peer = if outgoing { c["to"].as_str().unwrap() } else { c["from"].as_str().unwrap() };
        if service == "whatsapp" {
            assert!(identifiers(&key, peer, "whatsapp-jid").contains(ours["peer"].as_str().unwrap()), "call {}", c["key"]);
        }
        matched += 1;
    }
    assert_eq!(matched, phone.len() + wa_calls.len());
    assert_eq!(
        key["expected_counts"]["by_artefact_type"][DEVICE]["calls"].as_i64().unwrap(),
        (phone.len() + wa_calls.len()) as i64
    );

    // --- Contacts ------------------------------------------------------------------------
    let contacts = list(&case, "contacts", 1);
    let address_book = from_file(&contacts, CONTACTS);
    assert_eq!(address_book.len() as i64, expected_rows(&key, CONTACTS, "raw_contacts"), "one contact per raw contact");
    let names: BTreeSet<&str> = address_book.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names.len() as i64, key["expected_counts"]["by_artefact_type"][DEVICE]["address_book_entries"].as_i64().unwrap(), "aggregated: one name per address-book entry");
    assert_eq!(contacts.len() as i64, key["expected_counts"]["by_artefact_type"][DEVICE]["contacts"].as_i64().unwrap(), "every contact record the device holds");
    assert_eq!(names.len() as i64, expected_rows(&key, CONTACTS, "contacts"));
    let contact_names: BTreeSet<String> = key["persons"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["identifiers"].as_array().unwrap().iter())
        .filter(|i| i["device"] == DEVICE && i["kind"] == "contact-name" && i["artefact"].as_str().unwrap().ends_with(CONTACTS))
        .map(|i| i["value"].as_str().unwrap().to_string())
        .collect();
    for n in &contact_names {
        assert!(names.contains(n.as_str()), "contact {n}");
    }
    let entries_of = |c: &Value, kind: &str| -> Vec<String> { c["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == kind).map(|e| e["value"].as_str().unwrap().to_string()).collect() };
    let wa_profiles: Vec<&&Value> = address_book.iter().filter(|c| !entries_of(c, "whatsapp-profile").is_empty()).collect();
    assert!(!wa_profiles.is_empty() && wa_profiles.iter().all(|c| c["account"].as_str().unwrap().starts_with("com.whatsapp")));
    assert!(address_book.iter().all(|c| c["deleted"] == false));
    for c in address_book.iter().filter(|c| c["account"].as_str().unwrap().starts_with("com.google")) {
        assert_eq!(entries_of(c, "name"), vec![c["name"].as_str().unwrap().to_string()]);
    }
    // Modification time: contacts.contact_last_updated_timestamp of each raw contact's aggregate.
    let key_contacts: Vec<&Value> = key["contacts"].as_array().unwrap().iter().filter(|c| c["device"] == DEVICE).collect();
    assert_eq!(key_contacts.len() as i64, expected_rows(&key, CONTACTS, "contacts"));
    for k in &key_contacts {
        let ours: Vec<&&Value> = address_book.iter().filter(|c| c["name"] == k["name"]).collect();
        assert!(!ours.is_empty(), "contact {}", k["name"]);
        for c in ours {
            assert_eq!((c["modified"]["utc"].as_str(), c["modified"]["unit"].as_str()), (k["modified_at"].as_str(), Some("unix-ms")), "contact {}", k["name"]);
            assert!(c["created"].is_null(), "contacts2.db keeps no creation time");
        }
    }
    let emails: usize = address_book.iter().map(|c| entries_of(c, "email").len()).sum();
    assert!(emails > 0);
    let wa_contacts = from_file(&contacts, WA);
    assert_eq!(wa_contacts.len() as i64, expected_rows(&key, WA, "wa_contacts"));
    for c in &wa_contacts {
        assert_eq!(c["account"], "com.whatsapp");
        assert_eq!(entries_of(c, "whatsapp-jid").len(), 1, "{c}");
    }
    let jids: BTreeSet<String> = wa_contacts.iter().flat_map(|c| entries_of(c, "whatsapp-jid")).collect();
    for (m, _) in key["messages"].as_array().unwrap().iter().flat_map(|m| m["copies"].as_array().unwrap().iter().map(move |c| (m, c))).filter(|(m, c)| c["device"] == DEVICE && c["table"] == "message" && m["from"] != owner.as_str()) {
        let ids = identifiers(&key, m["from"].as_str().unwrap(), "whatsapp-jid");
        assert!(ids.iter().any(|j| jids.contains(j)), "{} is in wa.db", m["from"]);
    }

    // --- Chrome --------------------------------------------------------------------------
    let visits = list(&case, "visits", 1);
    assert_eq!(visits.len() as i64, expected_rows(&key, CHROME, "visits"));
    assert!(visits.iter().all(|v| v["browser"] == "chrome" && v["visited"]["unit"] == "webkit-us"));
    let ours: BTreeSet<(String, String)> = visits.iter().map(|v| (v["url"].as_str().unwrap().to_string(), v["visited"]["utc"].as_str().unwrap().to_string())).collect();
    let expected: BTreeSet<(String, String)> = key["web_visits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["device"] == DEVICE)
        .map(|w| (w["url"].as_str().unwrap().to_string(), w["at"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(ours, expected);
    for w in key["web_visits"].as_array().unwrap().iter().filter(|w| w["device"] == DEVICE) {
        assert!(visits.iter().any(|v| v["url"] == w["url"] && v["title"] == w["title"]), "{}", w["url"]);
    }
    // Search terms (keyword_search_terms), on every visit of the results page.
    let mut terms = 0;
    for w in key["web_visits"].as_array().unwrap().iter().filter(|w| w["device"] == DEVICE) {
        let v = visits.iter().find(|v| v["url"] == w["url"] && v["visited"]["utc"] == w["at"]).unwrap();
        let expected = key["web_visits"].as_array().unwrap().iter().filter(|x| x["device"] == DEVICE && x["url"] == w["url"]).find_map(|x| x["search_term"].as_str());
        assert_eq!(v["search_term"].as_str(), expected, "{}", w["url"]);
        terms += usize::from(expected.is_some());
    }
    assert!(terms > 0, "the sample has searches");
    assert_eq!(
        count(&case, "SELECT count(DISTINCT url) FROM web_visits WHERE search_term IS NOT NULL AND source_id = 1") ,
        expected_rows(&key, CHROME, "keyword_search_terms")
    );

    // --- Installed apps: packages.xml in binary XML (ABX) ---------------------------------
    let r = run_of(&v, "android-packages-xml", "data/system/packages.xml");
    assert_eq!(r["status"], "ok", "{r}");
    let db2 = common::db(&case);
    let apps: BTreeSet<(String, String, i64)> = db2
        .prepare("SELECT identifier, version, installed_utc FROM apps WHERE source_id = 1 AND parser = 'android-packages-xml'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let expected: BTreeSet<(String, String, i64)> = key["installed_apps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["device"] == DEVICE)
        .map(|a| (a["package"].as_str().unwrap().to_string(), a["version"].as_i64().unwrap().to_string(), a["installed_unix_ms"].as_i64().unwrap() * 1000))
        .collect();
    assert!(expected.len() >= 3 && expected.iter().any(|a| a.0 == "com.whatsapp"), "{expected:?}");
    assert_eq!(apps, expected);

    // The by-type totals of the key.
    let totals = &key["expected_counts"]["by_artefact_type"][DEVICE];
    assert_eq!(totals["messages"].as_i64().unwrap(), (mmssms.len() + wa.len()) as i64);
    assert_eq!(totals["web_visits"].as_i64().unwrap(), visits.len() as i64);
    assert_eq!(totals["attachments"].as_i64().unwrap(), count(&case, "SELECT count(*) FROM attachments"));
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn desktop_chrome_history_is_read_with_its_browser_name() {
    let t = tempfile::tempdir().unwrap();
    let (ev, key) = generate(t.path(), 6);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &ev.join("laptop-sabine"), &[]);
    assert_eq!(code, 0, "{out}");
    let r = run_of(&v, "chromium-history", "Chrome/User Data/Default/History");
    assert_eq!(r["status"], "ok", "{r}");
    let visits = list(&case, "visits", 1);
    let expected: BTreeSet<(String, String)> = key["web_visits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["device"] == "laptop-sabine")
        .map(|w| (w["url"].as_str().unwrap().to_string(), w["at"].as_str().unwrap().to_string()))
        .collect();
    let ours: BTreeSet<(String, String)> = visits.iter().map(|v| (v["url"].as_str().unwrap().to_string(), v["visited"]["utc"].as_str().unwrap().to_string())).collect();
    assert_eq!(ours, expected);
    assert!(visits.iter().all(|v| v["browser"] == "chrome"));
}

#[test]
fn chromium_history_is_read_at_any_path_and_other_history_files_are_not_failures() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 6);
    let sample = android_files(&ev);
    let history = &sample[CHROME];
    let n: i64 = {
        let p = t.path().join("count-History");
        std::fs::write(&p, history).unwrap();
        Connection::open(&p).unwrap().query_row("SELECT count(*) FROM visits", [], |r| r.get(0)).unwrap()
    };
    assert!(n > 0);
    let root = t.path().join("forks");
    let paths: &[(&str, &str)] = &[
        ("Users/s/AppData/Local/Yandex/YandexBrowser/User Data/Default/History", "yandex"),
        ("Users/s/Library/Application Support/Arc/User Data/Default/History", "arc"),
        ("Users/s/AppData/Local/BraveSoftware/Brave-Browser/User Data/Profile 2/History", "brave"),
        ("Users/s/AppData/Roaming/Opera Software/Opera GX Stable/History", "opera"),
        ("data/data/com.example.app/app_webview/Default/History", "webview:com.example.app"),
        ("Users/s/AppData/Local/Thorium/User Data/Default/History", "chromium-family:thorium"),
        ("home/s/foo/History", "chromium-family:foo"),
    ];
    for (p, _) in paths {
        write_file(&root, p, history);
    }
    // Files named History that are not Chromium's: an SQLite of another app, and a text file.
    let other = t.path().join("other-History");
    Connection::open(&other).unwrap().execute_batch("CREATE TABLE history (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO history VALUES (1, 'x');").unwrap();
    write_file(&root, "home/s/game/History", &std::fs::read(&other).unwrap());
    write_file(&root, "home/s/notes/History", b"my history notes, not a database");
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let visits = list(&case, "visits", 1);
    for (p, browser) in paths {
        let r = run_of(&v, "chromium-history", p);
        assert_eq!((r["status"].as_str(), r["items"].as_i64()), (Some("ok"), Some(n)), "{p}: {r}");
        let mine = from_file(&visits, p);
        assert_eq!(mine.len() as i64, n, "{p}");
        assert!(mine.iter().all(|v| v["browser"] == *browser), "{p}: {:?}", mine.iter().map(|v| v["browser"].to_string()).collect::<BTreeSet<_>>());
    }
    let r = run_of(&v, "chromium-history", "home/s/game/History");
    assert_eq!(r["status"], "ok", "another app's History is no failure: {r}");
    let msg = r["message"].as_str().unwrap();
    assert!(msg.starts_with("skipped") && msg.contains("home/s/game/History") && msg.contains("not a Chromium History database"), "{msg}");
    assert!(runs(&v).iter().all(|r| !r["path"].as_str().is_some_and(|p| p.ends_with("notes/History"))), "a text file named History is not claimed");
    assert_eq!(count(&case, "SELECT count(*) FROM runs WHERE kind = 'parser' AND status != 'ok'"), 0);
}

/// The legacy `messages` schema of formats.md §2.8 (≤ 2.22), with `chat_list` and
/// `group_participants`; `media_wa_type` is TEXT as in real files.
const LEGACY_SCHEMA: &str = r#"
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL, key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT, timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER, media_name TEXT, media_caption TEXT, media_hash TEXT, media_duration INTEGER, origin INTEGER, latitude REAL, longitude REAL, thumb_image TEXT, remote_resource TEXT, received_timestamp INTEGER, send_timestamp INTEGER, receipt_server_timestamp INTEGER, receipt_device_timestamp INTEGER, raw_data BLOB, recipient_count INTEGER, starred INTEGER, quoted_row_id INTEGER, forwarded INTEGER);
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE, message_table_id INTEGER, subject TEXT, creation INTEGER);
CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL, jid TEXT NOT NULL, admin INTEGER, pending INTEGER);
"#;

const PEER: &str = "40700000001@s.whatsapp.net";
const MEMBER: &str = "40700000002@s.whatsapp.net";
const GROUP: &str = "120363000000000001@g.us";
const T0: i64 = 1_710_000_000_000;

fn legacy_db(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(LEGACY_SCHEMA).unwrap();
    c.execute_batch(&format!(
        "INSERT INTO chat_list (key_remote_jid, subject, creation) VALUES ('{PEER}', NULL, {T0}), ('{GROUP}', 'Grupul de lucru', {T0});
         INSERT INTO group_participants (gjid, jid, admin) VALUES ('{GROUP}', '', 1), ('{GROUP}', '{MEMBER}', 0), ('{GROUP}', '40700000003@s.whatsapp.net', 0);
         INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status) VALUES (1, '-1', 0, '-1', -1);"
    ))
    .unwrap();
    type Row<'a> = (i64, &'a str, Option<i64>, &'a str, Option<&'a str>, Option<&'a str>, i64, Option<&'a str>);
    let rows: &[Row] = &[
        // id, jid, from_me, key_id, data, remote_resource, timestamp, media_wa_type
        (2, PEER, Some(0), "A1", Some("Salut, ai loc de munca?"), None, T0, Some("0")),
        (3, PEER, Some(1), "A2", Some("Da, vino luni."), None, T0 + 60_000, Some("0")),
        (4, GROUP, Some(0), "A3", Some("Buna ziua grup"), Some(MEMBER), T0 + 120_000, Some("0")),
        (5, GROUP, Some(1), "A4", Some("Bine ati venit"), None, T0 + 180_000, Some("0")),
        (6, PEER, Some(0), "A5", None, None, T0 + 240_000, Some("15")),
        (7, PEER, Some(0), "A6", None, None, T0 + 300_000, Some("1")),
        (8, PEER, Some(1), "A7", None, None, T0 + 360_000, Some("5")),
        (9, PEER, None, "A8", Some("odd row"), None, -5, None),
    ];
    for (id, jid, from_me, key_id, data, rr, ts, ty) in rows {
        c.execute(
            "INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, data, timestamp, media_wa_type, remote_resource) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8)",
            params![id, jid, from_me, key_id, data, ts, ty, rr],
        )
        .unwrap();
    }
    c.execute_batch(
        "UPDATE messages SET media_mime_type = 'image/jpeg', media_name = 'IMG-20240309-WA0001.jpg', media_caption = 'Poza cu buletinul', media_size = 12345 WHERE _id = 7;
         UPDATE messages SET latitude = 48.8566, longitude = 2.3522 WHERE _id = 8;
         UPDATE messages SET key_from_me = 'x' WHERE _id = 9;",
    )
    .unwrap();
}

fn messages_by_row(case: &Path, source: i64) -> BTreeMap<(String, i64), Value> {
    list(case, "messages", source).into_iter().map(|m| ((m["provenance"]["table"].as_str().unwrap().to_string(), m["provenance"]["row"].as_i64().unwrap()), m)).collect()
}

#[test]
fn legacy_and_transitional_whatsapp_schemas() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 7);
    let sample = android_files(&ev);
    let new_db = sample.get(MSGSTORE).unwrap();
    let case = new_case(t.path());

    // 1. Legacy only.
    let legacy_path = t.path().join("legacy.db");
    legacy_db(&legacy_path);
    // Receipts as legacy files keep them: the device's own time for row 2 (incoming), delivery and
    // read columns for row 3 (outgoing), and the per-member `receipts` table for row 5 (group).
    Connection::open(&legacy_path)
        .unwrap()
        .execute_batch(&format!(
            "ALTER TABLE messages ADD COLUMN read_device_timestamp INTEGER;
             CREATE TABLE receipts (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL, key_id TEXT NOT NULL, remote_resource TEXT, receipt_device_timestamp INTEGER, read_device_timestamp INTEGER, played_device_timestamp INTEGER);
             UPDATE messages SET received_timestamp = {T0} + 700 WHERE _id = 2;
             UPDATE messages SET received_timestamp = {T0} + 60000, receipt_device_timestamp = {T0} + 62000, read_device_timestamp = {T0} + 90000 WHERE _id = 3;
             UPDATE messages SET receipt_device_timestamp = -1, read_device_timestamp = -1 WHERE _id = 5;
             INSERT INTO receipts (key_remote_jid, key_id, remote_resource, receipt_device_timestamp, read_device_timestamp) VALUES
               ('{GROUP}', 'A4', '{MEMBER}', {T0} + 185000, {T0} + 200000), ('{GROUP}', 'A4', '40700000003@s.whatsapp.net', {T0} + 183000, -1);"
        ))
        .unwrap();
    let legacy_bytes = std::fs::read(&legacy_path).unwrap();
    let root = t.path().join("legacy");
    write_file(&root, MSGSTORE, &legacy_bytes);
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let r = run_of(&v, "android-whatsapp", MSGSTORE);
    assert_eq!(r["status"], "ok", "{r}");
    let m = messages_by_row(&case, 1);
    assert_eq!(m.len(), 8, "the placeholder row (_id 1, jid '-1') is not a message");
    let get = |m: &BTreeMap<(String, i64), Value>, row: i64| m[&("messages".to_string(), row)].clone();
    let x = get(&m, 2);
    assert_eq!((x["direction"].as_str(), x["sender"].as_str(), x["body"].as_str(), x["body_source"].as_str()), (Some("incoming"), Some(PEER), Some("Salut, ai loc de munca?"), Some("data")));
    assert_eq!(x["sent"]["utc"], "2024-03-09T16:00:00Z");
    assert_eq!((x["received"]["utc_us"].as_i64(), x["received"]["unit"].as_str(), x["read"].is_null()), (Some((T0 + 700) * 1000), Some("unix-ms"), true), "incoming: stored time");
    let x = get(&m, 3);
    assert_eq!((x["direction"].as_str(), x["recipients"].as_str()), (Some("outgoing"), Some(format!("[\"{PEER}\"]").as_str())));
    assert_eq!((x["received"]["utc_us"].as_i64(), x["read"]["utc_us"].as_i64()), (Some((T0 + 62_000) * 1000), Some((T0 + 90_000) * 1000)), "outgoing: delivery and read receipts");
    let x = get(&m, 5);
    assert_eq!((x["received"]["utc_us"].as_i64(), x["read"]["utc_us"].as_i64()), (Some((T0 + 183_000) * 1000), Some((T0 + 200_000) * 1000)), "group: the earliest member's receipts");
    assert!(get(&m, 4)["received"].is_null(), "no received_timestamp");
    let x = get(&m, 4);
    assert_eq!((x["sender"].as_str(), x["thread"].as_str()), (Some(MEMBER), Some("Grupul de lucru")));
    let x = get(&m, 5);
    assert_eq!(serde_json::from_str::<Vec<String>>(x["recipients"].as_str().unwrap()).unwrap(), vec![MEMBER.to_string(), "40700000003@s.whatsapp.net".to_string()]);
    let x = get(&m, 6);
    assert_eq!((x["deleted"].as_bool(), x["status"].as_str(), x["body"].is_null()), (Some(true), Some("revoked"), true));
    let x = get(&m, 7);
    assert_eq!((x["body"].as_str(), x["body_source"].as_str(), x["status"].as_str()), (Some("Poza cu buletinul"), Some("media_caption"), Some("image")));
    let x = get(&m, 8);
    assert_eq!((x["body"].as_str(), x["body_source"].as_str()), (Some("geo:48.8566,2.3522"), Some("latitude/longitude")));
    let x = get(&m, 9);
    assert_eq!((x["direction"].as_str(), x["sent"]["utc"].is_null(), x["body"].as_str()), (Some("unknown"), true, Some("odd row")), "odd values are tolerated");
    assert_eq!(count(&case, "SELECT count(*) FROM threads WHERE source_id = 1 AND src_table = 'chat_list'"), 2);
    assert_eq!(count(&case, "SELECT count(*) FROM attachments WHERE source_id = 1 AND filename = 'IMG-20240309-WA0001.jpg' AND mime = 'image/jpeg' AND size = 12345 AND message_id IS NOT NULL"), 1);

    // 2. Transitional, both tables full: `message` is read, plus the legacy row never migrated.
    let mut schema_sql = String::from(LEGACY_SCHEMA);
    schema_sql.push_str(
        "INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, timestamp)
           SELECT j.raw_string, m.from_me, m.key_id, m.status, m.text_data, m.timestamp FROM message m JOIN chat c ON c._id = m.chat_row_id JOIN jid j ON j._id = c.jid_row_id;
         INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, timestamp) VALUES ('40711111111@s.whatsapp.net', 0, 'LEGACY-ONLY', 0, 'Doar in tabelul vechi', 1700000000000);",
    );
    let both = altered(t.path(), "both.db", new_db, &schema_sql);
    let root = t.path().join("transitional");
    write_file(&root, MSGSTORE, &both);
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let r = run_of(&v, "android-whatsapp", MSGSTORE);
    assert_eq!(r["status"], "ok", "{r}");
    let m = messages_by_row(&case, 2);
    let from_new = m.keys().filter(|(t, _)| t == "message").count();
    let new_rows: i64 = {
        let p = t.path().join("count.db");
        std::fs::write(&p, new_db).unwrap();
        Connection::open(&p).unwrap().query_row("SELECT count(*) FROM message", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(from_new as i64, new_rows);
    let legacy_only: Vec<&Value> = m.iter().filter(|((t, _), _)| t == "messages").map(|(_, v)| v).collect();
    assert_eq!(legacy_only.len(), 1, "migrated rows are not read twice");
    assert_eq!(legacy_only[0]["body"], "Doar in tabelul vechi");
    assert!(legacy_only[0]["status"].as_str().unwrap().contains("only in legacy messages"));
    assert_eq!(count(&case, "SELECT count(*) FROM calls WHERE source_id = 2 AND service = 'whatsapp'"), 1);

    // 3. Transitional with an empty `message`: the legacy table is read.
    let empty_new = altered(t.path(), "empty-new.db", new_db, &format!("DELETE FROM message; {LEGACY_SCHEMA} INSERT INTO messages (key_remote_jid, key_from_me, key_id, data, timestamp) VALUES ('{PEER}', 0, 'B1', 'Din tabelul vechi', {T0});"));
    let root = t.path().join("transitional-empty");
    write_file(&root, MSGSTORE, &empty_new);
    let (code, _, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let m = messages_by_row(&case, 3);
    assert_eq!(m.len(), 1);
    let x = get(&m, 1);
    assert_eq!(x["body"], "Din tabelul vechi");
    assert!(x["status"].is_null());
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn corrupted_android_databases_fail_alone_with_a_clear_run_row() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 8);
    let sample = android_files(&ev);
    let case = new_case(t.path());

    // A required table dropped from each database.
    let cases: &[(&str, &str, &str, &str)] = &[
        ("android-sms", MMSSMS, "DROP TABLE sms; DROP TABLE pdu;", "not an Android mmssms.db"),
        ("android-contacts", CONTACTS, "DROP TABLE raw_contacts;", "not an Android contacts2.db"),
        ("android-calllog", CALLLOG, "DROP TABLE calls;", "not an Android call log"),
        ("android-whatsapp", MSGSTORE, "DROP TABLE message;", "not a WhatsApp msgstore.db"),
        ("android-whatsapp-contacts", WA, "DROP TABLE wa_contacts;", "not a WhatsApp wa.db"),
        ("chromium-history", CHROME, "DROP TABLE visits;", "not a Chromium History database"),
    ];
    let root = t.path().join("dropped");
    for (_, file, sql, _) in cases {
        let name = file.rsplit('/').next().unwrap();
        write_file(&root, file, &altered(t.path(), name, &sample[*file], sql));
    }
    let foreign = t.path().join("foreign-cache4.db");
    Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE params (id INTEGER, seq INTEGER); INSERT INTO params VALUES (1, 2);").unwrap();
    write_file(&root, TELEGRAM, &std::fs::read(&foreign).unwrap());
    // Other evidence beside them.
    write_file(&root, "data/media/0/Download/notes.txt", b"other evidence");
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "the ingest itself is complete: {out}");
    for (parser, file, _, needle) in cases.iter().copied().chain([("telegram", TELEGRAM, "", "not a Telegram cache4.db")]) {
        let r = run_of(&v, parser, file);
        assert_eq!(r["status"], "failed", "{parser}: {r}");
        let msg = r["message"].as_str().unwrap();
        assert!(msg.contains(&format!("/{file}")) && msg.contains(needle), "{parser}: {msg}");
        assert_eq!(r["items"], 0);
    }
    // The call-log parser on the same (damaged) contacts2.db is unaffected: it has no `calls` either way.
    assert_eq!(run_of(&v, "android-calllog", CONTACTS)["status"], "ok");
    assert_eq!(count(&case, "SELECT count(*) FROM messages") + count(&case, "SELECT count(*) FROM contacts") + count(&case, "SELECT count(*) FROM calls"), 0);

    // Damaged bytes: truncated, not SQLite at all; the good files beside them are still parsed.
    let good = &sample[MMSSMS];
    let mut header = good.clone();
    header[..16].copy_from_slice(b"NotSQLite at all");
    for (name, bytes, needle) in [("truncated", good[..good.len() / 3].to_vec(), "mmssms.db"), ("not-sqlite", header, "not an SQLite database")] {
        let root = t.path().join(name);
        write_file(&root, MMSSMS, &bytes);
        write_file(&root, CALLLOG, &sample[CALLLOG]);
        let (code, v, out) = ingest_json(&case, &root, &[]);
        assert_eq!(code, 0, "{name}: {out}");
        let r = run_of(&v, "android-sms", MMSSMS);
        assert_eq!(r["status"], "failed", "{name}: {r}");
        let msg = r["message"].as_str().unwrap();
        assert!(msg.contains(&format!("/{MMSSMS}")) && msg.contains(needle), "{name}: {msg}");
        let calls = run_of(&v, "android-calllog", CALLLOG);
        assert_eq!(calls["status"], "ok", "{name}: {calls}");
        assert!(calls["items"].as_i64().unwrap() > 0);
    }
    assert_eq!(count(&case, "SELECT count(*) FROM messages"), 0);
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn a_missing_table_or_a_renamed_column_is_named_never_read_as_less() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 8);
    let sample = android_files(&ev);
    let case = new_case(t.path());
    // (source folder, parser, file, SQL, what the run must say)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("no-sms", "android-sms", MMSSMS, "DROP TABLE sms;", "no `sms` table although `pdu` is there"),
        ("no-pdu", "android-sms", MMSSMS, "DROP TABLE pdu;", "no `pdu` table although `sms` is there"),
        ("renamed-date", "android-sms", MMSSMS, "ALTER TABLE sms RENAME COLUMN date TO date_x;", "`sms` has no `date` column"),
        ("renamed-date", "android-calllog", CALLLOG, "ALTER TABLE calls RENAME COLUMN number TO number_x;", "`calls` has no `number` column"),
        ("renamed-date", "android-whatsapp", MSGSTORE, "ALTER TABLE message RENAME COLUMN timestamp TO ts;", "`message` has no `timestamp` column"),
        ("renamed-date", "android-contacts", CONTACTS, "ALTER TABLE data RENAME COLUMN mimetype_id TO mime_x;", "`data` has no `mimetype_id` column"),
        ("renamed-date", "android-whatsapp-contacts", WA, "ALTER TABLE wa_contacts RENAME COLUMN _id TO id_x;", "`wa_contacts` has no `_id` column"),
    ];
    for (folder, _, file, sql, _) in cases {
        let name = file.rsplit('/').next().unwrap();
        write_file(&t.path().join(folder), file, &altered(t.path(), &format!("{folder}-{name}"), &sample[*file], sql));
    }
    // Telegram: `users` without its messages table.
    let half = t.path().join("half-cache4.db");
    Connection::open(&half).unwrap().execute_batch("CREATE TABLE users (uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB); INSERT INTO users VALUES (1, 'a', 0, NULL);").unwrap();
    write_file(&t.path().join("no-sms"), TELEGRAM, &std::fs::read(&half).unwrap());
    let mut results: HashMap<&str, Value> = HashMap::new();
    for folder in ["no-sms", "no-pdu", "renamed-date"] {
        let (code, v, out) = ingest_json(&case, &t.path().join(folder), &[]);
        assert_eq!(code, 0, "{folder}: {out}");
        results.insert(folder, v);
    }
    for (folder, parser, file, _, needle) in cases.iter().copied().chain([("no-sms", "telegram", TELEGRAM, "", "no `messages_v2` (or legacy `messages`) table")]) {
        let r = run_of(&results[folder], parser, file);
        assert_eq!(r["status"], "failed", "{folder} {parser}: {r}");
        let msg = r["message"].as_str().unwrap();
        assert!(msg.contains(&format!("/{file}")) && msg.contains(needle), "{folder} {parser}: {msg}");
        assert!(!msg.contains("no such column") && !msg.contains("SELECT"), "no raw SQL: {msg}");
        assert_eq!(r["items"], 0);
    }
    // The MMS of a database without `sms` are not passed off as the whole database.
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE service IN ('sms', 'mms')"), 0);
}

// --- Telegram ------------------------------------------------------------------------------

/// A TL string: 1-byte length (or 0xFE + 3 bytes), padded with zeros to 4 bytes.
fn tl_string(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut v = if b.len() < 254 { vec![b.len() as u8] } else { vec![254, b.len() as u8, (b.len() >> 8) as u8, (b.len() >> 16) as u8] };
    v.extend_from_slice(b);
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v
}

/// A `user` of a recent layer: constructor, flags, flags2, id:long, access_hash, first_name,
/// last_name, username, phone, then a status it does not matter to read.
fn tl_user(uid: i64, first: &str, last: &str, username: &str, phone: &str, extra_flags: u32) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&0x215c_4438u32.to_le_bytes());
    v.extend_from_slice(&(0b1_1111 | extra_flags).to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(&uid.to_le_bytes());
    v.extend_from_slice(&0x1122_3344_5566_7788i64.to_le_bytes());
    for s in [first, last, username, phone] {
        v.extend(tl_string(s));
    }
    v.extend_from_slice(&0x79a1_39e5u32.to_le_bytes());
    v
}

/// A `message` of a recent layer: constructor, flags (bit 8: from_id), flags2, id:int,
/// from_id peerUser(long), peer_id peer, date:int, message:string, then more fields.
fn tl_message(mid: i32, from: Option<i64>, peer: (u32, i64), date: i64, text: &str) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&0x9434_5242u32.to_le_bytes());
    v.extend_from_slice(&(if from.is_some() { 1u32 << 8 } else { 0 } | 2).to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(&mid.to_le_bytes());
    if let Some(f) = from {
        v.extend_from_slice(&0x9db1_bc6du32.to_le_bytes());
        v.extend_from_slice(&f.to_le_bytes());
    }
    v.extend_from_slice(&peer.0.to_le_bytes());
    v.extend_from_slice(&peer.1.to_le_bytes());
    v.extend_from_slice(&(date as i32).to_le_bytes());
    v.extend(tl_string(text));
    v.extend_from_slice(&0u32.to_le_bytes());
    v
}

const SELF_ID: i64 = 777_000_111;
const PEER_ID: i64 = 5_123_456_789;
const JUNK_ID: i64 = 42_424_242;
const CHAT_ID: i64 = 1_987_654_321;
const D0: i64 = 1_710_500_000;

fn telegram_db(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB);
         CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB);
         CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, unread_count INTEGER, last_mid INTEGER, inbox_max INTEGER, outbox_max INTEGER, last_mid_i INTEGER, unread_count_i INTEGER, pts INTEGER, date_i INTEGER, pinned INTEGER, flags INTEGER, folder_id INTEGER, data BLOB);
         CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, send_state INTEGER, date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER, replydata BLOB, imp INTEGER, mention INTEGER, forwards INTEGER, replies_data BLOB, thread_reply_id INTEGER, is_channel INTEGER, reply_to_message_id INTEGER, custom_params BLOB, group_id INTEGER, reply_to_story_id INTEGER, PRIMARY KEY(mid, uid));
         CREATE TABLE user_contacts_v7(key TEXT PRIMARY KEY, uid INTEGER, fname TEXT, sname TEXT, imported INTEGER);
         CREATE TABLE user_phones_v7(key TEXT, phone TEXT, sphone TEXT, deleted INTEGER, PRIMARY KEY (key, phone));",
    )
    .unwrap();
    c.execute("INSERT INTO users VALUES (?1, 'ionel vasilescu;;;nelu_jobs', 0, ?2)", params![SELF_ID, tl_user(SELF_ID, "Ionel", "Vasilescu", "nelu_jobs", "33699001234", 1 << 10)]).unwrap();
    c.execute("INSERT INTO users VALUES (?1, 'andrei munteanu;;;', 0, ?2)", params![PEER_ID, tl_user(PEER_ID, "Andrei", "Munteanu", "andrei_m", "33699003120", 1 << 11)]).unwrap();
    c.execute("INSERT INTO users VALUES (?1, 'marc transport;;;marc_t', 0, X'DEADBEEF0102')", params![JUNK_ID]).unwrap();
    let mut chat = Vec::new();
    chat.extend_from_slice(&0x41cb_f256u32.to_le_bytes());
    chat.extend_from_slice(&0u32.to_le_bytes());
    chat.extend_from_slice(&CHAT_ID.to_le_bytes());
    chat.extend(tl_string("Transport Lyon–Paris"));
    c.execute("INSERT INTO chats VALUES (?1, 'transport lyon–paris', ?2)", params![CHAT_ID, chat]).unwrap();
    c.execute("INSERT INTO dialogs (did, date) VALUES (?1, ?2), (?3, ?2)", params![PEER_ID, D0, -CHAT_ID]).unwrap();
    let peer_user = (0x9db1_bc6du32, PEER_ID);
    let peer_chat = (0x36c6_019au32, CHAT_ID);
    type Row = (i64, i64, i64, i64, Option<Vec<u8>>);
    let rows: Vec<Row> = vec![
        // mid, dialog, date, out, data
        (10, PEER_ID, D0, 0, Some(tl_message(10, Some(PEER_ID), (0x9db1_bc6d, SELF_ID), D0, "Salut Nelu, când plecăm?"))),
        (11, PEER_ID, D0 + 60, 1, Some(tl_message(11, Some(SELF_ID), peer_user, D0 + 60, "Sâmbătă la 6, fii gata."))),
        (12, -CHAT_ID, D0 + 120, 0, Some(tl_message(12, Some(PEER_ID), peer_chat, D0 + 120, "Eu sunt în grup"))),
        (13, PEER_ID, D0 + 180, 0, Some(vec![0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4, 5, 6, 7])),
        (14, PEER_ID, D0 + 240, 0, None),
        (15, PEER_ID, D0 + 300, 0, Some(tl_message(15, Some(PEER_ID), (0x9db1_bc6d, SELF_ID), D0 + 300, ""))),
    ];
    for (mid, did, date, out, data) in rows {
        c.execute("INSERT INTO messages_v2 (mid, uid, read_state, send_state, date, data, out) VALUES (?1, ?2, 1, 0, ?3, ?4, ?5)", params![mid, did, date, data, out]).unwrap();
    }
    c.execute_batch(
        "INSERT INTO user_contacts_v7 VALUES ('k1', 0, 'Sabine', 'compta', 1);
         INSERT INTO user_phones_v7 VALUES ('k1', '+33699008890', '33699008890', 0), ('k1', '+33600000000', '33600000000', 1);",
    )
    .unwrap();
}

#[test]
fn telegram_users_contacts_and_messages_from_tl_blobs() {
    let t = tempfile::tempdir().unwrap();
    let db_path = t.path().join("cache4.db");
    telegram_db(&db_path);
    let root = t.path().join("phone");
    write_file(&root, TELEGRAM, &std::fs::read(&db_path).unwrap());
    write_file(&root, "data/data/org.telegram.messenger/files/account1/cache4.db", &std::fs::read(&db_path).unwrap());
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let runs_tg: Vec<Value> = runs(&v).into_iter().filter(|r| r["parser"] == "telegram").collect();
    assert_eq!(runs_tg.len(), 2, "both accounts are claimed: {runs_tg:?}");
    assert!(runs_tg.iter().all(|r| r["status"] == "ok"), "{runs_tg:?}");
    let first = runs_tg.iter().find(|r| r["path"] == format!("/{TELEGRAM}")).unwrap();
    assert_eq!(first["message"], "2 threads, 4 contacts, 6 messages", "{first}");

    let contacts = from_file(&list(&case, "contacts", 1), TELEGRAM).into_iter().cloned().collect::<Vec<_>>();
    let by_name = |n: &str| contacts.iter().find(|c| c["name"] == n).unwrap_or_else(|| panic!("contact {n}: {contacts:#?}")).clone();
    let entries = |c: &Value| -> Vec<(String, String, Option<String>)> {
        c["entries"].as_array().unwrap().iter().map(|e| (e["kind"].as_str().unwrap().into(), e["value"].as_str().unwrap().into(), e["label"].as_str().map(String::from))).collect()
    };
    let me = by_name("Ionel Vasilescu");
    assert_eq!(me["account"], "org.telegram.messenger");
    assert_eq!(
        entries(&me),
        vec![
            ("telegram-id".into(), SELF_ID.to_string(), Some("this account (self)".into())),
            ("phone".into(), "33699001234".into(), None),
            ("username".into(), "nelu_jobs".into(), None)
        ]
    );
    let peer = by_name("Andrei Munteanu");
    assert!(entries(&peer).contains(&("phone".into(), "33699003120".into(), None)));
    assert_eq!(entries(&peer)[0].2.as_deref(), Some("in address book"));
    // An undecodable profile blob: the search-name column, and it says so.
    let junk = by_name("marc transport");
    assert!(entries(&junk)[0].2.as_deref().unwrap().contains("not decoded"));
    assert!(entries(&junk).contains(&("username".into(), "marc_t".into(), None)));
    let book = by_name("Sabine compta");
    assert_eq!(book["account"], "org.telegram.messenger (address book)");
    assert_eq!(entries(&book)[1], ("phone".into(), "+33600000000".into(), Some("deleted".into())));

    let msgs = from_file(&list(&case, "messages", 1), TELEGRAM).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(msgs.len(), 6, "no row is dropped, decoded or not");
    let tg = Connection::open(&db_path).unwrap();
    let row = |mid: i64| -> Value {
        let rowid: i64 = tg.query_row("SELECT rowid FROM messages_v2 WHERE mid = ?1", [mid], |r| r.get(0)).unwrap();
        msgs.iter().find(|m| m["provenance"]["row"] == rowid && m["provenance"]["table"] == "messages_v2").unwrap().clone()
    };
    let m = row(10);
    assert_eq!((m["body"].as_str(), m["body_source"].as_str(), m["direction"].as_str(), m["sender"].as_str()), (Some("Salut Nelu, când plecăm?"), Some("tl-date-anchored"), Some("incoming"), Some(PEER_ID.to_string().as_str())));
    assert_eq!((m["sent"]["utc_us"].as_i64(), m["sent"]["unit"].as_str()), (Some(D0 * 1_000_000), Some("unix-s")));
    assert_eq!(m["thread"], "Andrei Munteanu");
    let m = row(11);
    assert_eq!((m["body"].as_str(), m["direction"].as_str(), m["recipients"].as_str()), (Some("Sâmbătă la 6, fii gata."), Some("outgoing"), Some(format!("[\"{PEER_ID}\"]").as_str())));
    let m = row(12);
    assert_eq!((m["body"].as_str(), m["sender"].as_str(), m["thread"].as_str()), (Some("Eu sunt în grup"), Some(PEER_ID.to_string().as_str()), Some("Transport Lyon–Paris")));
    let m = row(13);
    assert!(m["body"].is_null());
    assert_eq!(m["body_source"], "tl-undecoded");
    assert!(m["status"].as_str().unwrap().contains("TL constructor 0x44332211"), "{m}");
    assert_eq!(m["sent"]["utc_us"].as_i64(), Some((D0 + 180) * 1_000_000), "metadata is kept when the text is not");
    let m = row(14);
    assert_eq!((m["body_source"].as_str(), m["status"].as_str()), (Some("tl-undecoded"), Some("text not recovered (no TL blob)")));
    let m = row(15);
    assert_eq!((m["body"].is_null(), m["body_source"].as_str()), (true, Some("tl-date-anchored (empty text)")));
    assert_eq!(count(&case, "SELECT count(*) FROM threads WHERE service = 'telegram' AND is_group = 1 AND thread_key = '-1987654321'"), 2);
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn odd_values_are_tolerated_not_fatal() {
    let t = tempfile::tempdir().unwrap();
    let (ev, _) = generate(t.path(), 9);
    let sample = android_files(&ev);
    let root = t.path().join("odd");
    // Dates as text, negative and absurd times, types as text, bodies as BLOBs, NULLs everywhere.
    let sms = altered(
        t.path(),
        "mmssms.db",
        &sample[MMSSMS],
        "INSERT INTO sms (_id, thread_id, address, date, date_sent, type, body) VALUES
            (900, NULL, NULL, '1710000000000', NULL, '1', X'48656C6C6F'),
            (901, 999, '+33', -1, -5, 'abc', NULL),
            (902, 1, '+33', 1710000000, 0, 2, 'seconds where ms are declared'),
            (903, NULL, NULL, NULL, NULL, NULL, NULL);
         INSERT INTO pdu (_id, thread_id, date, msg_box, m_type) VALUES (900, NULL, 'x', NULL, 130);
         INSERT INTO part (_id, mid, seq, ct, text, _data) VALUES (900, 900, 'q', NULL, NULL, '/data/user/0/x/PART_9'), (901, 900, 1, 'text/plain', NULL, '/storage/emulated/0/y.txt');",
    );
    write_file(&root, MMSSMS, &sms);
    let calls = altered(t.path(), "calllog.db", &sample[CALLLOG], "INSERT INTO calls (_id, number, date, duration, type, features) VALUES (900, NULL, -1, 'x', NULL, 'video'), (901, '', '1710000000000', 12.7, '5', 1);");
    write_file(&root, CALLLOG, &calls);
    let contacts = altered(
        t.path(),
        "contacts2.db",
        &sample[CONTACTS],
        "INSERT INTO mimetypes (_id, mimetype) VALUES (99, 'vnd.android.cursor.item/vnd.org.telegram.messenger.android.profile');
         INSERT INTO raw_contacts (_id, account_id, display_name, deleted) VALUES (900, 77, NULL, 1);
         INSERT INTO data (_id, mimetype_id, raw_contact_id, data1, data2, data3) VALUES (900, 99, 900, 12345, 'Telegram', 'Message +33'), (901, 5, 900, 33600000000, 'x', NULL), (902, 7, 4242, 'Orphan Name', NULL, NULL);",
    );
    write_file(&root, CONTACTS, &contacts);
    let history = altered(t.path(), "History", &sample[CHROME], "INSERT INTO visits (id, url, visit_time) VALUES (900, 4242, 0), (901, 1, -7), (902, 1, 'x');");
    write_file(&root, CHROME, &history);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    for (parser, file) in [("android-sms", MMSSMS), ("android-calllog", CALLLOG), ("android-contacts", CONTACTS), ("chromium-history", CHROME)] {
        assert_eq!(run_of(&v, parser, file)["status"], "ok", "{parser}: {}", run_of(&v, parser, file));
    }
    let m = messages_by_row(&case, 1);
    let get = |table: &str, row: i64| m[&(table.to_string(), row)].clone();
    let x = get("sms", 900);
    assert_eq!((x["body"].as_str(), x["direction"].as_str(), x["sent"]["utc"].as_str()), (Some("Hello"), Some("incoming"), Some("2024-03-09T16:00:00Z")));
    let x = get("sms", 901);
    assert_eq!((x["direction"].as_str(), x["sent"]["utc"].is_null(), x["status"].as_str()), (Some("unknown"), true, None));
    let x = get("sms", 902);
    assert!(x["sent"]["flag"].as_str().unwrap().contains("plausible as unix-s"), "a wrong unit is flagged, not guessed: {x}");
    assert!(get("sms", 903)["body"].is_null());
    let x = get("pdu", 900);
    assert_eq!((x["status"].as_str(), x["body_source"].as_str(), x["sent"]["utc"].is_null()), (Some("not downloaded"), Some("part (text in a file, not read)"), true));
    let path: String = db(&case).query_row("SELECT evidence_path FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.src_table = 'pdu' AND m.src_row = 900", [], |r| r.get(0)).unwrap();
    assert_eq!(path, "/data/user/0/x/PART_9");
    let calls = list(&case, "calls", 1);
    let c = calls.iter().find(|c| c["provenance"]["row"] == 900).unwrap();
    assert_eq!((c["direction"].as_str(), c["start"]["utc"].is_null(), c["video"].as_bool(), c["peer"].is_null()), (Some("unknown"), true, Some(false), true));
    let c = calls.iter().find(|c| c["provenance"]["row"] == 901).unwrap();
    assert_eq!((c["direction"].as_str(), c["answered"].as_bool(), c["video"].as_bool(), c["duration_s"].as_f64()), (Some("incoming"), Some(false), Some(true), Some(12.0)));
    let contacts = list(&case, "contacts", 1);
    let c = contacts.iter().find(|c| c["provenance"]["table"] == "raw_contacts" && c["provenance"]["row"] == 900).unwrap();
    assert_eq!((c["deleted"].as_bool(), c["account"].as_str()), (Some(true), Some("local")));
    let kinds: Vec<&str> = c["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["telegram-profile", "phone"]);
    let orphan = contacts.iter().find(|c| c["provenance"]["table"] == "data").unwrap();
    assert_eq!((orphan["name"].as_str(), orphan["account"].as_str()), (Some("Orphan Name"), Some("(raw contact missing)")));
    let visits = list(&case, "visits", 1);
    assert!(visits.iter().any(|v| v["url"] == "(urls row 4242 missing)" && v["visited"]["utc"].is_null()));
    assert_eq!(visits.iter().filter(|v| v["visited"]["utc"].is_null()).count(), 3);
}

#[test]
fn received_sms_keep_the_device_time_apart_from_the_sent_time() {
    let t = tempfile::tempdir().unwrap();
    let ev = t.path().join("ev");
    threadline::samples::generate("labour-job-ads", &ev, 21, threadline::samples::Scale::Small).unwrap();
    let case = new_case(t.path());
    assert_eq!(ingest_json(&case, &ev.join("android-nelu/android_ffs.tar.gz"), &[]).0, 0);
    // The generator stores received SMS and MMS 3 s after they were sent.
    assert!(count(&case, "SELECT count(*) FROM messages WHERE service IN ('sms', 'mms') AND direction = 'incoming'") > 0);
    assert_eq!(
        count(&case, "SELECT count(*) FROM messages WHERE service IN ('sms', 'mms') AND direction = 'incoming' AND (received_utc IS NULL OR received_utc - sent_utc != 3000000)"),
        0
    );
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE service IN ('sms', 'mms') AND direction = 'outgoing' AND received_utc IS NOT NULL"), 0);
    // WhatsApp: an outgoing message's received time is its first delivery receipt, after sending.
    assert!(count(&case, "SELECT count(*) FROM messages WHERE service = 'whatsapp' AND direction = 'outgoing' AND received_utc > sent_utc") > 0);
}

#[test]
fn every_call_log_type_becomes_a_status_shown_by_the_cli() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("calls");
    let p = t.path().join("calllog.db");
    {
        let c = Connection::open(&p).unwrap();
        c.execute_batch(threadline::samples::schema::ANDROID_CALLLOG).unwrap();
        for (id, ty, duration) in [(1, Some(1), 30), (2, Some(2), 0), (3, Some(3), 0), (4, Some(4), 12), (5, Some(5), 0), (6, Some(6), 0), (7, Some(7), 0), (8, Some(99), 0), (9, None, 0)] {
            c.execute(
                "INSERT INTO calls (_id, number, date, duration, type) VALUES (?1, '+33699001234', ?2, ?3, ?4)",
                params![id, T0 + id * 60_000, duration, ty],
            )
            .unwrap();
        }
    }
    write_file(&root, CALLLOG, &std::fs::read(&p).unwrap());
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(run_of(&v, "android-calllog", CALLLOG)["items"], 9);
    let calls = list(&case, "calls", 1);
    let got: Vec<(i64, Value, Value, Value)> = calls.iter().map(|c| (c["provenance"]["row"].as_i64().unwrap(), c["status"].clone(), c["direction"].clone(), c["answered"].clone())).collect();
    let want: Vec<(i64, Value, Value, Value)> = vec![
        (1, "incoming".into(), "incoming".into(), true.into()),
        (2, "outgoing".into(), "outgoing".into(), Value::Null),
        (3, "missed".into(), "incoming".into(), false.into()),
        (4, "voicemail".into(), "incoming".into(), false.into()),
        (5, "rejected".into(), "incoming".into(), false.into()),
        (6, "blocked".into(), "incoming".into(), false.into()),
        (7, "answered elsewhere".into(), "incoming".into(), Value::Null),
        (8, "type 99".into(), "unknown".into(), Value::Null),
        (9, Value::Null, "unknown".into(), Value::Null),
    ];
    assert_eq!(got, want);
    let o = run(&[&"calls", &case]);
    assert!(o.status.success(), "{}", text(&o));
    let shown = text(&o);
    for word in ["voicemail", "rejected", "blocked", "answered elsewhere", "missed"] {
        assert!(shown.contains(word), "'{word}' not shown:\n{shown}");
    }
    // Parsing again replaces the rows instead of adding them once more.
    let o = run(&[&"parse", &case, &"--force", &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(count(&case, "SELECT count(*) FROM calls"), 9);
    assert_eq!(count(&case, "SELECT count(*) FROM identifier_sightings s WHERE s.ref_table = 'calls' AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = s.ref_id)"), 0);
    assert!(text(&o).contains("replaced the 9 rows of this file's earlier runs"), "{}", text(&o));
}

#[test]
fn search_terms_from_old_and_new_keyword_tables() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("chrome");
    // Old layout (plaso's v20 file): `lower_term` and `term`, no `normalized_term`; one URL searched twice.
    let p = t.path().join("History");
    {
        let c = Connection::open(&p).unwrap();
        c.execute_batch(
            "CREATE TABLE urls (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR, visit_count INTEGER, typed_count INTEGER, last_visit_time INTEGER NOT NULL, hidden INTEGER);
             CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER NOT NULL, visit_time INTEGER NOT NULL, from_visit INTEGER, transition INTEGER);
             CREATE TABLE keyword_search_terms (keyword_id INTEGER NOT NULL, url_id INTEGER NOT NULL, lower_term LONGVARCHAR NOT NULL, term LONGVARCHAR);
             INSERT INTO urls VALUES (1, 'https://www.google.com/search?q=Job+Berlin', 'Job Berlin - Google Search', 2, 0, 13350000000000000, 0),
                                     (2, 'https://jobs.example.org/', 'Jobs', 1, 0, 13350000100000000, 0),
                                     (3, 'https://www.google.com/search?q=visa', 'visa', 1, 0, 13350000200000000, 0);
             INSERT INTO visits VALUES (1, 1, 13350000000000000, 0, 0), (2, 1, 13350000050000000, 0, 0), (3, 2, 13350000100000000, 1, 0), (4, 3, 13350000200000000, 0, 0);
             INSERT INTO keyword_search_terms VALUES (2, 1, 'job berlin', 'Job Berlin'), (2, 1, 'job berlin later', 'Job Berlin later'), (2, 3, 'visa', NULL);",
        )
        .unwrap();
    }
    write_file(&root, CHROME, &std::fs::read(&p).unwrap());
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(run_of(&v, "chromium-history", CHROME)["status"], "ok");
    let visits = list(&case, "visits", 1);
    let term = |row: i64| visits.iter().find(|v| v["provenance"]["row"] == row).unwrap()["search_term"].clone();
    assert_eq!((term(1), term(2)), (Value::from("Job Berlin"), Value::from("Job Berlin")), "every visit of the results page; the first term as typed");
    assert_eq!(term(3), Value::Null, "not a results page");
    assert_eq!(term(4), Value::from("visa"), "lower_term when term is missing");
    let shown = text(&run(&[&"visits", &case]));
    assert!(shown.contains("searched \"Job Berlin\""), "{shown}");
}
