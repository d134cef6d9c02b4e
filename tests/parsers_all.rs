//! Every scenario, every device: what the parsers write equals the answer key. For every table of
//! every database the key counts, the rows parsed from it equal the key's count; every copy of every
//! message is found at its row with the key's text, time, direction and deleted state.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use serde_json::Value;

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
            // MMS `part` rows are text (the body) or attachments, never one artefact each.
            if table == "part" {
                continue;
            }
            if let Some(got) = parsed.get(&(source, path.to_string(), table.clone())) {
                assert_eq!(*got, n.as_i64().unwrap(), "{name}: {device} {path} table {table}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "{name}: only {checked} tables were checked");
    // Every copy of every message, at its row.
    let c = db(&case);
    let owner: HashMap<String, String> = key["devices"].as_array().unwrap().iter().map(|d| (d["id"].as_str().unwrap().to_string(), d["owner"].as_str().unwrap().to_string())).collect();
    let mut copies = 0;
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
