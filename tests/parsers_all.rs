//! Every scenario, every device: what the parsers write equals the answer key. For every table of
//! every database the key counts, the rows parsed from it equal the key's count; every copy of every
//! message is found at its row with the key's text, time, direction and deleted state (and, for
//! WhatsApp Android, received and read times); every call has the status each side records, every
//! contact its times, every Chromium visit its search term, every Android app its install time.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use serde_json::Value;

/// Tables of the key's `by_file` that give no artefact row of their own, and where they go.
const FOLDED: &[(&str, &str)] = &[
    ("part", "MMS text (the body) or attachments"),
    ("addr", "MMS senders and recipients"),
    ("canonical_addresses", "thread participants"),
    ("contacts", "the aggregate of raw contacts: address_book_entries"),
    ("data", "entries of raw contacts"),
    ("handle", "senders and chat participants"),
    ("chat_handle_join", "chat participants"),
    ("chat_message_join", "a message's thread"),
    ("chat_recoverable_message_join", "a message's thread and deleted flag"),
    ("message_attachment_join", "an attachment's message"),
    ("ABMultiValue", "entries of a person"),
    ("jid", "WhatsApp identifiers of chats, senders and calls"),
    ("group_participant_user", "group members"),
    ("ZWAGROUPMEMBER", "group members"),
    ("message_revoked", "the revoked status of a message"),
    ("receipt_user", "received and read times"),
    ("urls", "a visit's URL and title"),
    ("keyword_search_terms", "a visit's search term"),
    ("history_items", "a Safari visit's URL"),
];

/// Rows parsed per (source, file path, source table), over every artefact table.
fn parsed_rows(case: &Path) -> HashMap<(i64, String, String), i64> {
    let c = db(case);
    let mut out = HashMap::new();
    for t in ["messages", "threads", "attachments", "calls", "contacts", "web_visits", "locations", "accounts", "apps"] {
        let sql = format!("SELECT a.source_id, f.path, a.src_table, count(*) FROM {t} a JOIN files f ON f.id = a.file_id GROUP BY a.source_id, f.path, a.src_table");
        let mut st = c.prepare(&sql).unwrap();
        for r in st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))).unwrap() {
            let (src, p, s, n) = r.unwrap();
            *out.entry((src, p, s)).or_insert(0) += n;
        }
    }
    out
}

fn check_scenario(name: &str, seed: u64) {
    let t = tempfile::tempdir().unwrap();
    let ev = t.path().join("evidence");
    threadline::samples::generate(name, &ev, seed, threadline::samples::Scale::Small).unwrap();
    let key: Value = serde_json::from_slice(&std::fs::read(ev.join("answer_key.json")).unwrap()).unwrap();
    let case = new_case(t.path());
    // One container per device (the iPhone is delivered twice; the second is checked elsewhere).
    let mut device_of_source = HashMap::new();
    for d in key["devices"].as_array().unwrap() {
        let c = &d["containers"][0]["path"];
        let (code, v, out) = ingest_json(&case, &ev.join(c.as_str().unwrap()), &[]);
        assert_eq!(code, 0, "{name}: {out}");
        for r in v["parse"]["runs"].as_array().unwrap() {
            assert_eq!(r["status"], "ok", "{name}: a parser failed on generated data: {r}");
        }
        device_of_source.insert(v["source_id"].as_i64().unwrap(), d["id"].as_str().unwrap().to_string());
    }
    let parsed = parsed_rows(&case);
    let mut checked = 0;
    for f in key["expected_counts"]["by_file"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let device = f["device"].as_str().unwrap();
        let source = device_of_source.iter().find(|(_, d)| d.as_str() == device).map(|(s, _)| *s).unwrap();
        for (table, n) in f["tables"].as_object().unwrap() {
            if let Some(why) = FOLDED.iter().find(|(t, _)| t == table).map(|(_, why)| why) {
                // Not a row of its own: checked through what it folds into.
                assert!(!why.is_empty());
                continue;
            }
            let got = parsed.get(&(source, path.to_string(), table.clone())).copied().unwrap_or(0);
            assert_eq!(got, n.as_i64().unwrap(), "{name}: {device} {path} table {table}");
            checked += 1;
        }
    }
    assert!(checked >= 8, "{name}: only {checked} tables were checked");
    // Per device, every count of `by_artefact_type`, against what the case lists.
    let c = db(&case);
    let documents: Vec<(String, String)> = key["documents"].as_array().map(|d| d.iter().map(|x| (x["device"].as_str().unwrap().to_string(), x["path"].as_str().unwrap().to_string())).collect()).unwrap_or_default();
    for (device, types) in key["expected_counts"]["by_artefact_type"].as_object().unwrap() {
        let source = device_of_source.iter().find(|(_, d)| *d == device).map(|(s, _)| *s).unwrap();
        let n = |sql: &str| -> i64 { c.query_row(sql, [source], |r| r.get(0)).unwrap() };
        for (ty, want) in types.as_object().unwrap() {
            let got = match ty.as_str() {
                "messages" | "calls" | "contacts" | "web_visits" | "attachments" => n(&format!("SELECT count(*) FROM {ty} WHERE source_id = ?1")),
                // The address book's people: one name per aggregate (iOS: per ABPerson).
                "address_book_entries" => n("SELECT count(DISTINCT a.name) FROM contacts a JOIN files f ON f.id = a.file_id WHERE a.source_id = ?1 AND (f.path LIKE '%/contacts2.db' OR f.path LIKE '%/AddressBook.sqlitedb')"),
                // Camera photos: pictures with metadata under DCIM (a picture received in a message is not one).
                "photos" => n("SELECT count(*) FROM media a JOIN files f ON f.id = a.file_id WHERE a.source_id = ?1 AND f.path LIKE '%/DCIM/%'"),
                "documents" => documents
                    .iter()
                    .filter(|(d, _)| d == device)
                    .map(|(_, p)| c.query_row("SELECT count(*) FROM files WHERE source_id = ?1 AND path = ?2 AND sha256 IS NOT NULL", rusqlite::params![source, p], |r| r.get::<_, i64>(0)).unwrap())
                    .sum(),
                // Lines of the payment CSV: no parser reads spreadsheets; the file itself is counted in `documents`.
                "payment_rows" => continue,
                other => panic!("{name}: the key counts '{other}', which this test does not know"),
            };
            assert_eq!(got, want.as_i64().unwrap(), "{name}: {device} {ty}");
        }
    }
    // Every copy of every message, at its row.
    let owner: HashMap<String, String> = key["devices"].as_array().unwrap().iter().map(|d| (d["id"].as_str().unwrap().to_string(), d["owner"].as_str().unwrap().to_string())).collect();
    let mut copies = 0;
    let mut receipts = 0;
    for m in key["messages"].as_array().unwrap() {
        for cp in m["copies"].as_array().unwrap() {
            if cp["fate"] == "purged" {
                continue;
            }
            let device = cp["device"].as_str().unwrap();
            let source = device_of_source.iter().find(|(_, d)| d.as_str() == device).map(|(s, _)| *s).unwrap();
            let path = threadline::vfs::normalise(cp["file"].as_str().unwrap()).path;
            let row: Option<(Option<String>, Option<i64>, String, bool)> = c
                .query_row(
                    "SELECT a.body, a.sent_utc, a.direction, a.deleted FROM messages a JOIN files f ON f.id = a.file_id
                     WHERE a.source_id = ?1 AND f.path = ?2 AND a.src_table = ?3 AND a.src_row = ?4",
                    rusqlite::params![source, path, cp["table"].as_str().unwrap(), cp["row_id"].as_i64().unwrap()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .ok();
            let (body, sent, direction, deleted) = row.unwrap_or_else(|| panic!("{name}: {} not parsed at {device} {path} {} row {}", m["key"], cp["table"], cp["row_id"]));
            // WhatsApp Android receipts: received and read as the key says (absent where it has none).
            if cp["file"].as_str().unwrap().ends_with("msgstore.db") {
                let (received, read): (Option<i64>, Option<i64>) = c
                    .query_row(
                        "SELECT a.received_utc, a.read_utc FROM messages a JOIN files f ON f.id = a.file_id WHERE a.source_id = ?1 AND f.path = ?2 AND a.src_table = ?3 AND a.src_row = ?4",
                        rusqlite::params![source, path, cp["table"].as_str().unwrap(), cp["row_id"].as_i64().unwrap()],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .unwrap();
                assert_eq!(received, cp["received_unix_ms"].as_i64().map(|ms| ms * 1000), "{name}: {} received at {device}", m["key"]);
                assert_eq!(read, cp["read_unix_ms"].as_i64().map(|ms| ms * 1000), "{name}: {} read at {device}", m["key"]);
                receipts += 1;
            }
            let text = m["text"].as_str().unwrap_or("");
            let fate = cp["fate"].as_str().unwrap();
            if fate != "revoked" && !text.is_empty() {
                assert_eq!(body.as_deref(), Some(text), "{name}: {} at {device} {path}", m["key"]);
            }
            assert_eq!(deleted, fate == "recently-deleted" || fate == "revoked", "{name}: {} deleted flag ({fate})", m["key"]);
            let at = chrono::DateTime::parse_from_rfc3339(m["at"].as_str().unwrap()).unwrap().timestamp();
            assert_eq!(sent.map(|us| us.div_euclid(1_000_000)), Some(at), "{name}: {} time at {device} {path}", m["key"]);
            let outgoing = m["from"].as_str() == owner.get(device).map(String::as_str);
            assert_eq!(direction, if outgoing { "outgoing" } else { "incoming" }, "{name}: {} direction at {device}", m["key"]);
            copies += 1;
        }
    }
    assert!(copies > 40, "{name}: only {copies} message copies checked");
    assert!(receipts > 0, "{name}: no WhatsApp receipts checked");
    let source_of = |device: &str| device_of_source.iter().find(|(_, d)| d.as_str() == device).map(|(s, _)| *s).unwrap();
    let kind_of: HashMap<String, String> = key["devices"].as_array().unwrap().iter().map(|d| (d["id"].as_str().unwrap().to_string(), d["kind"].as_str().unwrap().to_string())).collect();

    // Calls: the status each side records.
    let mut statuses = 0;
    for k in key["calls"].as_array().unwrap() {
        for (device, who) in &owner {
            let side = if k["from"] == who.as_str() {
                "outgoing"
            } else if k["to"] == who.as_str() {
                k["callee_status"].as_str().unwrap()
            } else {
                continue;
            };
            let at = chrono::DateTime::parse_from_rfc3339(k["at"].as_str().unwrap()).unwrap().timestamp() * 1_000_000;
            let got: Vec<Option<String>> = c
                .prepare("SELECT status FROM calls WHERE source_id = ?1 AND start_utc = ?2")
                .unwrap()
                .query_map(rusqlite::params![source_of(device), at], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            if kind_of[device.as_str()] == "laptop" {
                continue;
            }
            assert!(!got.is_empty(), "{name}: call {} not on {device}", k["key"]);
            assert!(got.iter().all(|g| g.as_deref() == Some(side)), "{name}: call {} on {device}: {got:?}, expected {side}", k["key"]);
            statuses += 1;
        }
    }
    assert!(statuses > 0, "{name}: no call checked");

    // Contacts: modification times everywhere, creation times where the database keeps them (iOS).
    for k in key["contacts"].as_array().unwrap() {
        let device = k["device"].as_str().unwrap();
        let ios = kind_of[device] == "ios";
        let times: Vec<(Option<i64>, Option<i64>)> = c
            .prepare("SELECT created_utc, modified_utc FROM contacts WHERE source_id = ?1 AND name = ?2 AND parser IN ('ios-addressbook', 'android-contacts')")
            .unwrap()
            .query_map(rusqlite::params![source_of(device), k["name"].as_str().unwrap()], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(!times.is_empty(), "{name}: contact {} not on {device}", k["name"]);
        let us = |f: &str| chrono::DateTime::parse_from_rfc3339(k[f].as_str().unwrap()).unwrap().timestamp() * 1_000_000;
        for (created, modified) in times {
            assert_eq!(modified, Some(us("modified_at")), "{name}: contact {} on {device}", k["name"]);
            assert_eq!(created, ios.then(|| us("created_at")), "{name}: contact {} on {device}", k["name"]);
        }
    }

    // Web visits: the search term of Chromium visits (Safari keeps none).
    let mut terms = 0;
    for w in key["web_visits"].as_array().unwrap() {
        let device = w["device"].as_str().unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(w["at"].as_str().unwrap()).unwrap().timestamp();
        let got: (Option<String>, String) = c
            .query_row(
                "SELECT search_term, parser FROM web_visits WHERE source_id = ?1 AND url = ?2 AND visit_utc / 1000000 = ?3",
                rusqlite::params![source_of(device), w["url"].as_str().unwrap(), at],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap_or_else(|e| panic!("{name}: visit {} on {device}: {e}", w["url"]));
        if got.1 == "chromium-history" {
            // The generator writes one term per URL, the first visit's.
            let first = key["web_visits"].as_array().unwrap().iter().find(|x| x["device"] == device && x["url"] == w["url"]).unwrap();
            assert_eq!(got.0.as_deref(), first["search_term"].as_str(), "{name}: visit {} on {device}", w["url"]);
            terms += usize::from(got.0.is_some());
        } else {
            assert_eq!(got.0, None);
        }
    }
    let keyed = key["web_visits"].as_array().unwrap().iter().any(|w| w["search_term"].is_string() && kind_of[w["device"].as_str().unwrap()] != "ios");
    assert_eq!(terms > 0, keyed, "{name}: search terms checked: {terms}");

    // Installed apps from the binary packages.xml of every Android device.
    let apps = key["installed_apps"].as_array().unwrap();
    assert!(!apps.is_empty());
    for a in apps {
        let n = count(
            &case,
            &format!(
                "SELECT count(*) FROM apps WHERE source_id = {} AND parser = 'android-packages-xml' AND identifier = '{}' AND version = '{}' AND installed_utc = {}",
                source_of(a["device"].as_str().unwrap()),
                a["package"].as_str().unwrap(),
                a["version"],
                a["installed_unix_ms"].as_i64().unwrap() * 1000
            ),
        );
        assert_eq!(n, 1, "{name}: {a}");
    }
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn labour_job_ads_parses_to_its_key() {
    check_scenario("labour-job-ads", 11);
}

#[test]
fn loverboy_ads_parses_to_its_key() {
    check_scenario("loverboy-ads", 12);
}

#[test]
fn scam_compound_parses_to_its_key() {
    check_scenario("scam-compound", 13);
}
