//! Full-text search over a generated sample case: accents and case ignored, query syntax, filters,
//! provenance, and an index that resumes without indexing a row twice.

mod common;

use common::*;
use serde_json::Value;

fn search(case: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let mut c = bin();
    c.arg("search").arg(case).args(args).arg("--json");
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn search_ignores_case_and_accents_and_filters() {
    let t = tempfile::tempdir().unwrap();
    let ev = t.path().join("ev");
    threadline::samples::generate("labour-job-ads", &ev, 4, threadline::samples::Scale::Small).unwrap();
    let key: Value = serde_json::from_slice(&std::fs::read(ev.join("answer_key.json")).unwrap()).unwrap();
    let case = new_case(t.path());
    for c in ["ios-andrei/ios_ffs.tar", "android-nelu/android_ffs.tar.gz", "laptop-sabine"] {
        assert_eq!(ingest_json(&case, &ev.join(c), &[]).0, 0);
    }
    // Every word of a French message with an accent is found without it, in any case.
    let m = key["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["lang"] == "fr" && m["text"].as_str().unwrap().split_whitespace().any(|w| w.chars().any(|c| "éèêàç".contains(c)) && w.len() > 5))
        .expect("a French message with an accented word");
    let word: String = m["text"].as_str().unwrap().split_whitespace().find(|w| w.chars().any(|c| "éèêàç".contains(c)) && w.len() > 5).unwrap().chars().filter(|c| c.is_alphabetic()).collect();
    let plain: String = word.chars().map(|c| match c { 'é' | 'è' | 'ê' => 'e', 'à' => 'a', 'ç' => 'c', c => c }).collect::<String>().to_uppercase();
    let hits = search(&case, &[&plain, "--kind", "message"]);
    assert!(hits.iter().any(|h| h["snippet"].as_str().unwrap().to_lowercase().contains(&word.to_lowercase())), "{plain}: {hits:?}");
    for h in &hits {
        assert!(h["provenance"].as_str().unwrap().contains('#'), "{h}");
        assert!(h["time"].as_str().unwrap().ends_with('Z'));
    }
    // Syntax: phrase, prefix, NOT, OR.
    let n_all = search(&case, &["Sabine", "--limit", "1000"]).len();
    let n_not = search(&case, &["Sabine NOT comptes", "--limit", "1000"]).len();
    assert!(n_all > 0 && n_not <= n_all);
    assert!(!search(&case, &["sabin*"]).is_empty());
    assert!(search(&case, &["\"zzz qqq\""]).is_empty());
    assert!(!search(&case, &["zzzq OR Sabine"]).is_empty());
    // Filters: direction and dates.
    let outgoing = search(&case, &["Sabine", "--kind", "message", "--direction", "outgoing", "--limit", "1000"]);
    let incoming = search(&case, &["Sabine", "--kind", "message", "--direction", "incoming", "--limit", "1000"]);
    let all_msgs = search(&case, &["Sabine", "--kind", "message", "--limit", "1000"]);
    assert_eq!(outgoing.len() + incoming.len(), all_msgs.len());
    assert!(search(&case, &["Sabine", "--kind", "message", "--to", "2000-01-01"]).is_empty());
    // File names and visits are searchable too.
    assert!(!search(&case, &["paiements", "--kind", "file"]).is_empty());
    assert!(!search(&case, &["example", "--kind", "visit"]).is_empty());
    // A bad query is refused with a message, not a crash.
    let o = run(&[&"search", &case, &"\"unclosed"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not a valid search"));
    // The index resumes: parsing again adds nothing twice.
    let rows = count(&case, "SELECT count(*) FROM fts_text");
    assert!(run(&[&"parse", &case]).status.success());
    assert_eq!(count(&case, "SELECT count(*) FROM fts_text"), rows);
    assert!(count(&case, "SELECT count(*) FROM runs WHERE kind = 'index' AND message = 'nothing new to index'") >= 1);
    assert_eq!(count(&case, "SELECT count(*) FROM fts_text WHERE kind = 'message'"), count(&case, "SELECT count(*) FROM messages WHERE body IS NOT NULL AND body != ''"));
}

#[test]
fn the_same_people_are_found_across_devices_by_their_identifiers() {
    for (scenario, seed) in [("labour-job-ads", 6u64), ("loverboy-ads", 7)] {
        let t = tempfile::tempdir().unwrap();
        let ev = t.path().join("ev");
        threadline::samples::generate(scenario, &ev, seed, threadline::samples::Scale::Small).unwrap();
        let key: Value = serde_json::from_slice(&std::fs::read(ev.join("answer_key.json")).unwrap()).unwrap();
        let case = new_case(t.path());
        let mut source_of = std::collections::HashMap::new();
        for d in key["devices"].as_array().unwrap() {
            let (code, v, out) = ingest_json(&case, &ev.join(d["containers"][0]["path"].as_str().unwrap()), &[]);
            assert_eq!(code, 0, "{out}");
            source_of.insert(d["id"].as_str().unwrap().to_string(), v["source_id"].as_i64().unwrap());
        }
        let o = run(&[&"identifiers", &case, &"--kind", &"phone", &"--json"]);
        let seen: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
        let mut checked = 0;
        // Each involved person's number, seen in the phone databases of every phone that holds it.
        let databases = ["sms.db", "mmssms.db", "ChatStorage.sqlite", "msgstore.db", "AddressBook.sqlitedb", "contacts2.db", "CallHistory.storedata", "calllog.db", "wa.db"];
        for p in key["persons"].as_array().unwrap().iter().filter(|p| p["roles"].as_array().unwrap().iter().any(|r| r == "recruiter" || r == "victim" || r == "exploiter")) {
            let mut number_devices: std::collections::HashMap<String, std::collections::BTreeSet<i64>> = std::collections::HashMap::new();
            for i in p["identifiers"].as_array().unwrap() {
                let art = i["artefact"].as_str().unwrap_or("");
                if !databases.iter().any(|d| art.ends_with(d)) || i["device"].as_str().unwrap().starts_with("laptop") {
                    continue;
                }
                let digits: String = match i["kind"].as_str().unwrap() {
                    "phone" => i["value"].as_str().unwrap().chars().filter(|c| c.is_ascii_digit()).collect(),
                    "whatsapp-jid" => i["value"].as_str().unwrap().split('@').next().unwrap().to_string(),
                    _ => continue,
                };
                let tail = digits[digits.len() - 9..].to_string();
                number_devices.entry(tail).or_default().insert(source_of[i["device"].as_str().unwrap()]);
            }
            for (tail, devices) in number_devices.iter().filter(|(_, d)| d.len() >= 2) {
                let ours = seen.iter().find(|s| s["value"].as_str().unwrap().ends_with(tail.as_str())).unwrap_or_else(|| panic!("{scenario}: {} ({tail}) not found: {seen:?}", p["key"]));
                let sources: std::collections::BTreeSet<i64> = ours["sources"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
                assert!(devices.is_subset(&sources), "{scenario}: {} {tail}: key devices {devices:?}, found in {sources:?}", p["key"]);
                checked += 1;
            }
        }
        assert!(checked >= 2, "{scenario}: only {checked} people checked");
        // Nothing is linked twice when parsing again.
        let before = count(&case, "SELECT count(*) FROM identifier_sightings");
        assert!(run(&[&"parse", &case, &"--force"]).status.success());
        assert!(count(&case, "SELECT count(*) FROM identifier_sightings") >= before);
        assert_eq!(count(&case, "SELECT count(*) FROM (SELECT identifier_id, ref_table, ref_id, field, count(*) c FROM identifier_sightings GROUP BY 1,2,3,4 HAVING c > 1)"), 0);
    }
}
