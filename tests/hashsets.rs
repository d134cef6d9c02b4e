//! Hash sets against a generated sample case: VICS 1.x and 2.0, CSV and NSRL imports; hits by
//! content (which file, which set, which category, how it matched); empty files never match;
//! PhotoDNA counted, never matched; lossless VICS round trip; malformed inputs give clear errors
//! and leave no set behind; VICS export of the categorised media.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::{Value, json};

struct Fixture {
    _t: tempfile::TempDir,
    dir: PathBuf,
    case: PathBuf,
    /// Source id of the sample laptop (images).
    laptop: i64,
    /// Source id of the extra folder.
    extra: i64,
}

struct FileHashes {
    source_id: i64,
    path: String,
    md5: String,
    sha1: String,
    sha256: String,
}

/// A sample case (the loverboy scenario's laptop, with its ad photos) plus a folder with an empty
/// file and a few files the sets will name.
fn fixture() -> Fixture {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().to_path_buf();
    let ev = dir.join("evidence");
    threadline::samples::generate("loverboy-ads", &ev, 7, threadline::samples::Scale::Small).unwrap();
    let case = new_case(&dir);
    let (code, v, out) = ingest_json(&case, &ev.join("laptop-florin"), &[]);
    assert_eq!(code, 0, "{out}");
    let laptop = v["source_id"].as_i64().unwrap();
    let extra_dir = dir.join("extra");
    std::fs::create_dir_all(extra_dir.join("bin")).unwrap();
    std::fs::write(extra_dir.join("empty.dat"), b"").unwrap();
    std::fs::write(extra_dir.join("bin/known-good.dll"), b"MZ\x90\x00 a known-good library\n").unwrap();
    std::fs::write(extra_dir.join("flagged.bin"), (0..5000u32).map(|i| (i * 7 % 251) as u8).collect::<Vec<_>>()).unwrap();
    std::fs::write(extra_dir.join("listed.txt"), "listed by the CSV set\n").unwrap();
    std::fs::write(extra_dir.join("tagged.bin"), b"categorised by the examiner, in no set\n").unwrap();
    let (code, v, out) = ingest_json(&case, &extra_dir, &[]);
    assert_eq!(code, 0, "{out}");
    let extra = v["source_id"].as_i64().unwrap();
    Fixture { _t: t, dir, case, laptop, extra }
}

fn file(case: &Path, suffix: &str) -> FileHashes {
    db(case)
        .query_row(
            "SELECT source_id, path, md5, sha1, sha256 FROM files WHERE kind = 'file' AND path LIKE ?1 ORDER BY id LIMIT 1",
            [format!("%{suffix}")],
            |r| Ok(FileHashes { source_id: r.get(0)?, path: r.get(1)?, md5: r.get(2)?, sha1: r.get(3)?, sha256: r.get(4)? }),
        )
        .unwrap_or_else(|e| panic!("no file ending in {suffix}: {e}"))
}

/// Hashed images of the case: (path, sha1, pdq, pdq variants) with distinct PDQ, by path.
fn images(case: &Path) -> Vec<(String, String, String, Vec<String>)> {
    let c = db(case);
    let mut s = c
        .prepare(
            "SELECT f.path, f.sha1, ih.pdq, coalesce(ih.pdq_alt, '') FROM image_hashes ih JOIN files f ON f.id = ih.file_id
             WHERE ih.status = 'ok' AND ih.pdq_quality >= 50 ORDER BY f.path",
        )
        .unwrap();
    let rows: Vec<(String, String, String, String)> = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(|r| r.unwrap()).collect();
    rows.into_iter()
        .map(|(p, sha1, pdq, alt)| {
            // Whole-picture variants and centred crops (`code:hex`), not the top/bottom bands.
            let mut v = vec![pdq.clone()];
            v.extend(alt.split_whitespace().filter_map(|t| t.split_once(':')).filter(|(k, _)| !matches!(*k, "t" | "tm" | "u" | "um")).map(|(_, h)| h.to_string()));
            (p, sha1, pdq, v)
        })
        .collect()
}

fn hamming(a: &str, b: &str) -> u32 {
    let (a, b) = (hex::decode(a).unwrap(), hex::decode(b).unwrap());
    a.iter().zip(b.iter()).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// `pdq` with its first `n` bits flipped.
fn flip(pdq: &str, n: usize) -> String {
    let mut b = hex::decode(pdq).unwrap();
    for i in 0..n {
        b[i / 8] ^= 0x80 >> (i % 8);
    }
    hex::encode(b)
}

fn hs(args: &[&dyn AsRef<std::ffi::OsStr>]) -> (i32, String, String) {
    let mut c = bin();
    c.arg("hashset");
    for a in args {
        c.arg(a);
    }
    let o = c.env("THREADLINE_EXAMINER", "test examiner").output().expect("run threadline");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn hs_json(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Value {
    let (code, out, err) = hs(args);
    assert_eq!(code, 0, "threadline hashset failed: {err}{out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn import(f: &Fixture, path: &Path, extra: &[&str]) -> Value {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"import", &f.case, &path];
    for e in extra {
        args.push(e);
    }
    args.push(&"--json");
    hs_json(&args)
}

/// The VICS 1.x case export used by several tests: Media records for `flagged.bin` (category 1,
/// PhotoDNA, unknown fields), the empty file (category 1: must never match), a PhotoDNA-only
/// record, and the first image by SHA-1 (category 2). A second Case has `"Media": null`.
fn vics1(f: &Fixture) -> Value {
    let flagged = file(&f.case, "/flagged.bin");
    let img = &images(&f.case)[0];
    json!({
        "odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases",
        "odata.count": 2,
        "value": [
            {
                "CaseID": "4f6b1d1e-0000-4000-8000-000000000001",
                "CaseNumber": "OP-17",
                "ContactName": "A. Analyst",
                "SourceApplicationName": "SomeTool",
                "TotalMediaFiles": 4,
                "UnknownCaseField": {"kept": [1, 2.5, null, "x"]},
                "Media": [
                    {
                        "MediaID": 1, "Category": 1, "MD5": flagged.md5.to_uppercase(), "SHA1": flagged.sha1.to_uppercase(),
                        "PhotoDNA": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "Series": "S-17", "VictimIdentified": "true",
                        "Xtra": {"nested": [1, 2, {"a": null}], "big": 12345678901234i64},
                        "MediaFiles": [{"MD5": flagged.md5.to_uppercase(), "FileName": "x.jpg", "FilePath": "C:\\Users\\x", "Deleted": false}]
                    },
                    {"MediaID": 2, "Category": 1, "MD5": "D41D8CD98F00B204E9800998ECF8427E", "SHA1": "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", "MediaSize": 0},
                    {"MediaID": 3, "Category": 1, "PhotoDNA": "ZmFrZSBwaG90b2RuYQ==", "MD5": "0123456789ABCDEF0123456789ABCDEF"},
                    {"MediaID": 4, "Category": 2, "SHA1": img.1.to_uppercase(), "Comments": "same photo elsewhere"}
                ]
            },
            {"CaseID": "4f6b1d1e-0000-4000-8000-000000000002", "Media": null}
        ]
    })
}

/// The VICS 2.0 hash set: PDQ of the second image (category 3), the third image's PDQ with 6
/// bits flipped (category 4), an uncategorised SHA-256 record, and a PDQ far from everything.
fn vics2(f: &Fixture) -> Value {
    let imgs = images(&f.case);
    let far = flip(&imgs[3].2, 128);
    json!({
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
        "value": [
            {"MediaID": 10, "Category": 3, "AlternativeHashes": [{"HashName": "PDQ", "HashValue": imgs[1].2.to_uppercase()}], "IsPrecategorized": "true"},
            {"MediaID": 11, "Category": 4, "AlternativeHashes": [{"HashName": "pdq", "HashValue": flip(&imgs[2].2, 6)}], "Tags": ["a", "b"]},
            {"MediaID": 12, "Category": null, "AlternativeHashes": [{"HashName": "SHA-256", "HashValue": "ab".repeat(32)}]},
            {"MediaID": 13, "Category": 1, "AlternativeHashes": [{"HashName": "PDQ", "HashValue": far}]}
        ]
    })
}

fn csv(f: &Fixture) -> String {
    let listed = file(&f.case, "/listed.txt");
    format!(
        "# exported list\nSHA-256;Category;Name;Size\n{};notable;\"listed; by name\";22\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;notable;empty;0\n;;no hash;\n",
        listed.sha256.to_uppercase()
    )
}

/// An NSRL RDSv3-shaped database: FILE (with a duplicate row and the empty file), PKG, VERSION.
fn nsrl(f: &Fixture, path: &Path) {
    let good = file(&f.case, "/bin/known-good.dll");
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE VERSION (version TEXT, build_set TEXT, build_date TEXT, release_date TEXT, description TEXT);
         INSERT INTO VERSION VALUES ('2025.03.1', 'Modern', '2025-03-01', '2025-03-15', 'test subset');
         CREATE TABLE PKG (package_id INTEGER, name TEXT, version TEXT, operating_system_id INTEGER, manufacturer_id INTEGER, language TEXT, application_type TEXT);
         INSERT INTO PKG VALUES (1, 'Some Suite', '1.0', 1, 1, 'English', 'Office'), (2, 'Other Suite', '2.0', 1, 1, 'English', 'Office');
         CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT, file_size INTEGER, package_id INTEGER);",
    )
    .unwrap();
    let mut ins = c.prepare("INSERT INTO FILE VALUES (?1, ?2, ?3, '00000000', ?4, ?5, ?6)").unwrap();
    ins.execute(rusqlite::params![good.sha256.to_uppercase(), good.sha1.to_uppercase(), good.md5.to_uppercase(), "known-good.dll", 27, 1]).unwrap();
    ins.execute(rusqlite::params![good.sha256.to_uppercase(), good.sha1.to_uppercase(), good.md5.to_uppercase(), "known-good.dll", 27, 2]).unwrap();
    ins.execute(rusqlite::params![
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
        "D41D8CD98F00B204E9800998ECF8427E",
        "empty.txt",
        0,
        1
    ])
    .unwrap();
    ins.execute(rusqlite::params!["CD".repeat(32), "EF".repeat(20), "12".repeat(16), "other.exe", 100, 2]).unwrap();
}

fn write_json(path: &Path, v: &Value, bom: bool) {
    let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
    bytes.extend(serde_json::to_vec_pretty(v).unwrap());
    std::fs::write(path, bytes).unwrap();
}

/// Import all four sets and match; returns (the sets as listed, the match summary).
fn import_all(f: &Fixture) -> (Value, Value) {
    let v1 = f.dir.join("vics1.json");
    write_json(&v1, &vics1(f), true);
    let v2 = f.dir.join("vics2.json");
    write_json(&v2, &vics2(f), false);
    let c = f.dir.join("list.csv");
    std::fs::write(&c, csv(f)).unwrap();
    let n = f.dir.join("RDS_2025.03.1_modern_minimal.db");
    nsrl(f, &n);
    let s1 = import(f, &v1, &["--name", "Project VIC 1.3"]);
    assert_eq!((s1["format"].as_str(), s1["format_version"].as_str(), s1["kind"].as_str()), (Some("vics"), Some("1.3"), Some("categorised")));
    assert_eq!(s1["item_count"], 4, "{s1}");
    assert_eq!(s1["photodna_count"], 2, "{s1}");
    let s2 = import(f, &v2, &[]);
    assert_eq!((s2["name"].as_str(), s2["format_version"].as_str(), s2["item_count"].as_i64()), (Some("vics2"), Some("2.0"), Some(4)));
    let s3 = import(f, &c, &["--kind", "known-bad", "--name", "CSV list"]);
    assert_eq!((s3["format"].as_str(), s3["item_count"].as_i64(), s3["kind"].as_str()), (Some("csv"), Some(2), Some("known-bad")), "{s3}");
    let s4 = import(f, &n, &["--name", "NSRL"]);
    assert_eq!((s4["format"].as_str(), s4["kind"].as_str(), s4["format_version"].as_str()), (Some("nsrl"), Some("known-good"), Some("2025.03.1")));
    assert_eq!(s4["item_count"], 3, "duplicate FILE rows are one item: {s4}");
    let expected_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(std::fs::read(&n).unwrap()));
    assert_eq!(s4["file_sha256"].as_str(), Some(expected_sha.as_str()));
    // The same RDS file again is refused before it is read.
    let (code, _, err) = hs(&[&"import", &f.case, &n]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already imported as hash set 4 'NSRL'"), "{err}");
    let m = hs_json(&[&"match", &f.case, &"--json"]);
    (hs_json(&[&"list", &f.case, &"--json"]), m)
}

fn hits(f: &Fixture) -> Vec<Value> {
    hs_json(&[&"hits", &f.case, &"--json"]).as_array().unwrap().clone()
}

fn hits_of<'h>(hits: &'h [Value], path: &str) -> Vec<&'h Value> {
    hits.iter().filter(|h| h["path"].as_str() == Some(path)).collect()
}

#[test]
fn hits_by_content_empty_never_photodna_counted() {
    let f = fixture();
    let (sets, m) = import_all(&f);
    assert_eq!(sets.as_array().unwrap().len(), 4);
    assert_eq!(m["photodna_not_matched"], 2, "{m}");
    assert_eq!(m["pdq_distance"], 31);
    let hits = hits(&f);
    let set_id = |name: &str| sets.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].as_i64().unwrap();

    // flagged.bin: the VICS 1.x record, by MD5 and SHA-1, category 1.
    let flagged = file(&f.case, "/flagged.bin");
    let h = hits_of(&hits, &flagged.path);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0]["set_id"].as_i64(), h[0]["category"].as_str(), h[0]["source_id"].as_i64()), (Some(set_id("Project VIC 1.3")), Some("1"), Some(f.extra)));
    assert_eq!(h[0]["matched_by"], json!(["md5", "sha1"]));
    assert_eq!(h[0]["known_name"], "x.jpg");

    // The first image: by SHA-1, category 2 (and maybe by PDQ from nothing else).
    let imgs = images(&f.case);
    let h0: Vec<_> = hits_of(&hits, &imgs[0].0).into_iter().filter(|h| h["set_name"] == "Project VIC 1.3").collect();
    assert_eq!(h0.len(), 1, "{h0:?}");
    assert_eq!((h0[0]["category"].as_str(), h0[0]["source_id"].as_i64()), (Some("2"), Some(f.laptop)));
    assert_eq!(h0[0]["matched_by"], json!(["sha1"]));

    // PDQ: exactly the images within 31 of a known PDQ (over their variants), with the distance.
    let known = [(imgs[1].2.clone(), "3"), (flip(&imgs[2].2, 6), "4"), (flip(&imgs[3].2, 128), "1")];
    let mut expected = BTreeSet::new();
    for (path, _, _, variants) in &imgs {
        for (k, cat) in &known {
            let d = variants.iter().map(|v| hamming(v, k)).min().unwrap();
            if d <= 31 {
                expected.insert((path.clone(), cat.to_string(), d as i64));
            }
        }
    }
    let got: BTreeSet<(String, String, i64)> = hits
        .iter()
        .filter(|h| h["set_name"] == "vics2" && h["matched_by"] == json!(["pdq"]))
        .map(|h| (h["path"].as_str().unwrap().to_string(), h["category"].as_str().unwrap().to_string(), h["pdq_distance"].as_i64().unwrap()))
        .collect();
    assert_eq!(got, expected);
    assert!(got.contains(&(imgs[1].0.clone(), "3".into(), 0)), "{got:?}");
    assert!(got.iter().any(|(p, c, d)| p == &imgs[2].0 && c == "4" && *d <= 6), "{got:?}");
    assert!(!got.iter().any(|(_, c, _)| c == "1"), "the far PDQ matched: {got:?}");

    // listed.txt: the CSV set, by SHA-256, its category column.
    let listed = file(&f.case, "/listed.txt");
    let h = hits_of(&hits, &listed.path);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0]["set_name"].as_str(), h[0]["set_kind"].as_str(), h[0]["category"].as_str()), (Some("CSV list"), Some("known-bad"), Some("notable")));
    assert_eq!(h[0]["matched_by"], json!(["sha256"]));
    assert_eq!(h[0]["known_name"], "listed; by name");

    // known-good.dll: NSRL, by all three, one row although the set lists it twice.
    let good = file(&f.case, "/bin/known-good.dll");
    let h = hits_of(&hits, &good.path);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0]["set_name"].as_str(), h[0]["set_kind"].as_str(), h[0]["category"].as_str()), (Some("NSRL"), Some("known-good"), None));
    assert_eq!(h[0]["matched_by"], json!(["md5", "sha1", "sha256"]));

    // The empty file is in three sets (VICS by MD5/SHA-1, CSV by SHA-256, NSRL by all): no hit.
    let empty = file(&f.case, "/empty.dat");
    assert!(hits_of(&hits, &empty.path).is_empty(), "{hits:?}");
    assert_eq!(count(&f.case, "SELECT count(*) FROM hash_hits h JOIN files f ON f.id = h.file_id WHERE coalesce(f.size, 0) = 0"), 0);
    // Nothing else was hit.
    let expected_files: BTreeSet<String> =
        [flagged.path.clone(), imgs[0].0.clone(), listed.path.clone(), good.path.clone()].into_iter().chain(expected.iter().map(|e| e.0.clone())).collect();
    let hit_files: BTreeSet<String> = hits.iter().map(|h| h["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(hit_files, expected_files);
    assert_eq!(m["files_hit"].as_i64().unwrap() as usize, expected_files.len(), "{m}");

    // PhotoDNA stored, never a hit.
    assert_eq!(count(&f.case, "SELECT count(*) FROM known_hashes WHERE photodna IS NOT NULL"), 2);
    assert_eq!(count(&f.case, "SELECT count(*) FROM hash_hits h JOIN known_hashes k ON k.id = h.known_id WHERE k.md5 = '0123456789abcdef0123456789abcdef'"), 0);

    // Listed with hit counts; the ledger and the audit log say what happened.
    let listed_sets = hs_json(&[&"list", &f.case, &"--json"]);
    let vic = listed_sets.as_array().unwrap().iter().find(|s| s["name"] == "Project VIC 1.3").unwrap();
    assert_eq!(vic["hit_count"], 2, "{vic}");
    assert_eq!(count(&f.case, "SELECT count(*) FROM runs WHERE name = 'hashset-import' AND status = 'ok'"), 4);
    assert_eq!(count(&f.case, "SELECT count(*) FROM runs WHERE name = 'hashset-match' AND status = 'ok'"), 1);
    assert_eq!(count(&f.case, "SELECT count(*) FROM audit_log WHERE action = 'hashset.import'"), 4);
    assert_eq!(count(&f.case, "SELECT count(*) FROM audit_log WHERE action = 'hashset.match'"), 1);
    let (code, v) = verify_json(&f.case);
    assert_eq!(code, 0, "{v}");

    // A tighter distance drops the flipped PDQ; matching again replaces the hits.
    let m0 = hs_json(&[&"match", &f.case, &"--pdq-distance", &"0", &"--json"]);
    assert_eq!(m0["pdq_distance"], 0);
    let hits0 = hs_json(&[&"hits", &f.case, &"--set", &set_id("vics2").to_string(), &"--json"]);
    assert!(hits0.as_array().unwrap().iter().all(|h| h["pdq_distance"] == 0 && h["set_name"] == "vics2"), "{hits0}");
    assert!(hits0.as_array().unwrap().iter().any(|h| h["path"].as_str() == Some(imgs[1].0.as_str())));
    // Text output names the file, the set and the category.
    let (code, out, err) = hs(&[&"hits", &f.case]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&flagged.path) && out.contains("Project VIC 1.3") && out.contains("category 1"), "{out}");
}

#[test]
fn vics_round_trip_is_lossless() {
    let f = fixture();
    for (name, doc, bom) in [("v1.json", vics1(&f), true), ("v2.json", vics2(&f), false)] {
        let src = f.dir.join(name);
        write_json(&src, &doc, bom);
        let set = import(&f, &src, &[]);
        let out = f.dir.join(format!("out-{name}"));
        let e = hs_json(&[&"export", &f.case, &out, &"--set", &set["id"].as_i64().unwrap().to_string(), &"--json"]);
        assert_eq!(e["media"], 4, "{name}: {e}");
        let back: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(back, doc, "{name}: export of an unchanged import differs");
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(e["sha256"].as_str().unwrap(), hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)));
        // Never overwrites.
        let (code, _, err) = hs(&[&"export", &f.case, &out, &"--set", &set["id"].as_i64().unwrap().to_string()]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("already exists"), "{err}");
    }
    // A CSV set exports as a VICS 2.0 hash set.
    let c = f.dir.join("list.csv");
    std::fs::write(&c, csv(&f)).unwrap();
    let set = import(&f, &c, &[]);
    let out = f.dir.join("csv-as-vics.json");
    hs_json(&[&"export", &f.case, &out, &"--set", &set["id"].as_i64().unwrap().to_string(), &"--json"]);
    let back: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(back["@odata.context"].as_str().unwrap().ends_with("#Media"));
    let listed = file(&f.case, "/listed.txt");
    assert_eq!(back["value"][0]["AlternativeHashes"][0], json!({"HashName": "SHA256", "HashValue": listed.sha256.to_uppercase()}));
    assert_eq!(back["value"][0]["Category"], "notable");
    assert_eq!(back["value"][0]["MediaFiles"], json!([{"FileName": "listed; by name"}]), "the CSV name column is kept");
    assert_eq!(back["value"][1]["MediaFiles"], json!([{"FileName": "empty"}]));
    assert_eq!(count(&f.case, "SELECT count(*) FROM audit_log WHERE action = 'hashset.export'"), 3);
}

#[test]
fn malformed_inputs_give_clear_errors_and_no_partial_set() {
    let f = fixture();
    let good = vics1(&f);
    let mut bad_third = good.clone();
    bad_third["value"][0]["Media"][2]["MD5"] = json!("not-a-hash");
    let truncated = serde_json::to_string(&good).unwrap();
    let truncated = &truncated[..truncated.len() / 2];
    let not_sqlite_for_nsrl = f.dir.join("not.db");
    std::fs::write(&not_sqlite_for_nsrl, "sha256\n").unwrap();
    let other_sqlite = f.dir.join("other.sqlite");
    rusqlite::Connection::open(&other_sqlite).unwrap().execute_batch("CREATE TABLE hashes (h TEXT); INSERT INTO hashes VALUES ('x');").unwrap();
    /// (file name, content, extra arguments, expected in the message, why in the message)
    type BadCase<'a> = (&'a str, Vec<u8>, Vec<&'a str>, &'a str, &'a str);
    let cases: Vec<BadCase> = vec![
        ("truncated.json", truncated.as_bytes().to_vec(), vec![], "VICS JSON", "EOF"),
        ("novalue.json", br#"{"odata.metadata": "x/1.3.xml#Cases", "items": []}"#.to_vec(), vec![], "VICS JSON", "no 'value' array"),
        ("nocontext.json", br#"{"value": []}"#.to_vec(), vec![], "VICS JSON", "odata.metadata"),
        ("valuenotarray.json", br#"{"@odata.context": "x/2.0.xml/Default/$metadata#Media", "value": {}}"#.to_vec(), vec![], "VICS JSON", "array"),
        ("badthird.json", serde_json::to_vec(&bad_third).unwrap(), vec![], "Media record 3", "not 32 hexadecimal digits"),
        ("nocolumns.csv", b"path,size\n/a,1\n".to_vec(), vec![], "CSV hash list", "names no md5"),
        (
            "badline.csv",
            format!("md5,category\n{},1\n{},2\nnot-hex,3\n", "a".repeat(32), "b".repeat(32)).into_bytes(),
            vec![],
            "line 4, column md5",
            "not 32 hexadecimal digits",
        ),
        ("not.db", std::fs::read(&not_sqlite_for_nsrl).unwrap(), vec!["--format", "nsrl"], "NSRL RDSv3", "not an SQLite database"),
        ("other.sqlite", std::fs::read(&other_sqlite).unwrap(), vec![], "NSRL RDSv3", "no FILE or METADATA table"),
    ];
    for (name, bytes, extra, what, why) in cases {
        let p = f.dir.join(format!("bad-{name}"));
        std::fs::write(&p, bytes).unwrap();
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"import", &f.case, &p];
        for e in &extra {
            args.push(e);
        }
        let (code, out, err) = hs(&args);
        assert_eq!(code, 3, "{name}: {out}{err}");
        assert!(err.contains(&format!("bad-{name}")), "{name}: the error names the file: {err}");
        assert!(err.contains(what) && err.contains(why), "{name}: expected '{what}' and '{why}' in: {err}");
    }
    assert_eq!(hs_json(&[&"list", &f.case, &"--json"]), json!([]));
    assert_eq!(count(&f.case, "SELECT count(*) FROM known_hashes"), 0);
    assert_eq!(count(&f.case, "SELECT count(*) FROM hash_sets"), 0);
    assert_eq!(count(&f.case, "SELECT count(*) FROM audit_log WHERE action LIKE 'hashset.%'"), 0);
    // A failed bulk (NSRL) import rolled its index rebuild back too.
    assert_eq!(count(&f.case, "SELECT count(*) FROM sqlite_master WHERE name IN ('known_hashes_md5', 'known_hashes_sha1', 'known_hashes_sha256')"), 3);
    // The same file twice: refused, the first import stays whole.
    let p = f.dir.join("good.json");
    write_json(&p, &good, false);
    import(&f, &p, &[]);
    let (code, _, err) = hs(&[&"import", &f.case, &p]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already imported as hash set 1"), "{err}");
    assert_eq!(count(&f.case, "SELECT count(*) FROM known_hashes"), 4);
    // A headerless list of bare hashes, typed by length.
    let flagged = file(&f.case, "/flagged.bin");
    let bare = f.dir.join("bare.txt");
    std::fs::write(&bare, format!("{}\r\n{}\r\n\r\n{}\r\n", flagged.md5, flagged.sha1.to_uppercase(), flagged.sha256)).unwrap();
    let set = import(&f, &bare, &[]);
    assert_eq!((set["format"].as_str(), set["item_count"].as_i64(), set["kind"].as_str()), (Some("csv"), Some(3), Some("notable")), "{set}");
    assert_eq!(count(&f.case, &format!("SELECT count(*) FROM known_hashes WHERE set_id = {} AND (md5 = '{}' OR sha1 = '{}' OR sha256 = '{}')", set["id"], flagged.md5, flagged.sha1, flagged.sha256)), 3);
    // Unknown kind and format are usage errors.
    let (code, _, err) = hs(&[&"import", &f.case, &p, &"--kind", &"evil"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("known-good"), "{err}");
    let (code, _, err) = hs(&[&"import", &f.case, &p, &"--format", &"xml"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn export_categorised_media_as_vics() {
    let f = fixture();
    import_all(&f);
    let imgs = images(&f.case);
    let tagged = file(&f.case, "/tagged.bin");
    let first_image = db(&f.case).query_row("SELECT source_id, path, md5 FROM files WHERE path = ?1", [&imgs[0].0], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))).unwrap();
    for (source, path, tag) in [(tagged.source_id, tagged.path.clone(), "vics:2"), (first_image.0, first_image.1.clone(), "category:4")] {
        let o = run(&[&"tag", &"add", &f.case, &"--source", &source.to_string(), &"--path", &path, &tag]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let out = f.dir.join("case-vics1.json");
    let e = hs_json(&[&"export", &f.case, &out, &"--json"]);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["odata.metadata"], "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases");
    let case = &doc["value"][0];
    assert_eq!(case["SourceApplicationName"], "Threadline");
    let media = case["Media"].as_array().unwrap();
    assert_eq!(e["media"].as_i64().unwrap() as usize, media.len());
    let by_md5 = |md5: &str| media.iter().find(|m| m["MD5"].as_str() == Some(md5.to_uppercase().as_str()));
    // A VICS hit keeps the record's unknown fields; Threadline's own fields replace the rest.
    let flagged = file(&f.case, "/flagged.bin");
    let m = by_md5(&flagged.md5).expect("flagged.bin exported");
    assert_eq!(m["Category"], 1);
    assert_eq!(m["Series"], "S-17");
    assert_eq!(m["Xtra"], json!({"nested": [1, 2, {"a": null}], "big": 12345678901234i64}));
    assert_eq!(m["PhotoDNA"], "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    assert_eq!(m["MediaFiles"].as_array().unwrap().len(), 1, "{m}");
    assert_eq!(m["MediaFiles"][0]["FileName"], "flagged.bin");
    assert_eq!(m["MediaFiles"][0]["MD5"], flagged.md5.to_uppercase());
    assert_eq!(m["MediaSize"], 5000);
    // Examiner tags: a file in no set, and a tag overriding a hit's category.
    assert_eq!(by_md5(&tagged.md5).expect("tagged file exported")["Category"], 2);
    assert_eq!(by_md5(&first_image.2).expect("tagged image exported")["Category"], 4);
    // PDQ hits of the 2.0 set are categorised media too.
    assert!(media.iter().any(|m| m["Category"] == 3), "{media:?}");
    // Not categorised: the CSV hit (text category), the NSRL hit, the empty file.
    for suffix in ["/listed.txt", "/bin/known-good.dll", "/empty.dat"] {
        assert!(by_md5(&file(&f.case, suffix).md5).is_none(), "{suffix} exported");
    }
    assert_eq!(case["TotalMediaFiles"].as_u64().unwrap() as usize, media.len());
    let ids: Vec<i64> = media.iter().map(|m| m["MediaID"].as_i64().unwrap()).collect();
    assert_eq!(ids, (1..=media.len() as i64).collect::<Vec<_>>());
    // 2.0 envelope.
    let out2 = f.dir.join("case-vics2.json");
    hs_json(&[&"export", &f.case, &out2, &"--vics", &"2", &"--json"]);
    let doc2: Value = serde_json::from_slice(&std::fs::read(&out2).unwrap()).unwrap();
    assert_eq!(doc2["@odata.context"], "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases");
    assert_eq!(doc2["value"][0]["Media"].as_array().unwrap().len(), media.len());
    // Both exports re-import as VICS sets (1.3 and 2.0 case shapes).
    let again = import(&f, &out, &["--name", "re-import"]);
    assert_eq!(again["item_count"].as_i64().unwrap() as usize, media.len());
    assert_eq!(again["format_version"], "1.3");
    let again2 = import(&f, &out2, &["--name", "re-import 2"]);
    assert_eq!(again2["item_count"].as_i64().unwrap() as usize, media.len());
    assert_eq!(again2["format_version"], "2.0");
}

/// The case export describes the case's files: every record's MD5, SHA-1, SHA-256 (always
/// present) and PDQ are the file's own, never a set's. A VICS record hit exactly (by MD5) is the
/// same file, so its unknown fields and other-named alternative hashes go back out; a record hit
/// only by PDQ (a near match: another file) gives the file its category and nothing else.
#[test]
fn case_export_states_the_case_files_own_hashes() {
    let f = fixture();
    let imgs = images(&f.case);
    let near = &imgs[1];
    let exact = file(&f.case, &imgs[2].0);
    let far = flip(&imgs[3].2, 128);
    let set = json!({
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
        "value": [
            // PDQ only: the near image's PDQ with 5 bits flipped.
            {"MediaID": 20, "Category": 3, "AlternativeHashes": [{"HashName": "PDQ", "HashValue": flip(&near.2, 5).to_uppercase()}], "Unknown2": "near-side", "PhotoDNA": "bmVhcg=="},
            // MD5 equal to another image, with set-side SHA-256 and PDQ that are not the file's.
            {
                "MediaID": 21, "Category": 2, "MD5": exact.md5.to_uppercase(), "SHA256": "cd".repeat(32), "Unknown2": {"kept": [1, "x"]},
                "AlternativeHashes": [{"HashName": "pdq", "HashValue": far}, {"HashName": "SHA-256", "HashValue": "ab".repeat(32)}, {"HashName": "ED2K", "HashValue": "00".repeat(16)}]
            }
        ]
    });
    let p = f.dir.join("near-and-exact.json");
    write_json(&p, &set, false);
    let s = import(&f, &p, &[]);
    assert_eq!(s["item_count"], 2, "{s}");
    hs_json(&[&"match", &f.case, &"--json"]);
    let hits = hits(&f);
    assert!(hits_of(&hits, &near.0).iter().any(|h| h["matched_by"] == json!(["pdq"]) && h["category"] == "3"), "{hits:?}");
    assert!(hits_of(&hits, &exact.path).iter().any(|h| h["matched_by"] == json!(["md5"]) && h["category"] == "2"), "{hits:?}");

    let out = f.dir.join("case.json");
    hs_json(&[&"export", &f.case, &out, &"--vics", &"2", &"--json"]);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let media = doc["value"][0]["Media"].as_array().unwrap();
    assert!(!media.is_empty());
    let c = db(&f.case);
    let near_md5: String = c.query_row("SELECT md5 FROM files WHERE path = ?1", [&near.0], |r| r.get(0)).unwrap();
    let mut seen = (false, false);
    for m in media {
        let md5 = m["MD5"].as_str().unwrap().to_lowercase();
        // The case file's own hashes, from `files` and `image_hashes`.
        let (sha1, sha256, pdq): (String, String, Option<String>) = c
            .query_row(
                "SELECT f.sha1, f.sha256, (SELECT ih.pdq FROM image_hashes ih WHERE ih.file_id = f.id AND ih.status = 'ok')
                 FROM files f WHERE f.md5 = ?1 AND f.kind = 'file' ORDER BY f.id LIMIT 1",
                [&md5],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(m["SHA1"].as_str().map(str::to_lowercase), Some(sha1), "{m}");
        let alts = m["AlternativeHashes"].as_array().unwrap_or_else(|| panic!("no AlternativeHashes: {m}"));
        let named = |n: &str| -> Vec<String> {
            alts.iter()
                .filter(|a| a["HashName"].as_str().unwrap().chars().filter(char::is_ascii_alphanumeric).collect::<String>().eq_ignore_ascii_case(n))
                .map(|a| a["HashValue"].as_str().unwrap().to_lowercase())
                .collect()
        };
        assert_eq!(named("sha256"), vec![sha256], "the file's SHA-256, once: {m}");
        assert_eq!(named("pdq"), pdq.map(|p| p.to_lowercase()).into_iter().collect::<Vec<_>>(), "the file's own PDQ or none: {m}");
        assert!(m.get("SHA256").is_none() && m.get("PDQ").is_none(), "{m}");
        if md5 == exact.md5 {
            seen.0 = true;
            assert_eq!(m["Category"], 2);
            assert_eq!(m["Unknown2"], json!({"kept": [1, "x"]}), "exact match keeps the set's fields: {m}");
            assert_eq!(named("ed2k"), vec!["00".repeat(16)], "{m}");
        } else {
            // Near (PDQ) matches carry nothing of the set record but its category.
            assert!(m.get("Unknown2").is_none() && m.get("PhotoDNA").is_none(), "set fields on a near match: {m}");
            assert!(named("ed2k").is_empty(), "{m}");
            let keys: BTreeSet<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["AlternativeHashes", "Category", "MD5", "MediaFiles", "MediaID", "MediaSize", "SHA1"].into_iter().collect(), "{m}");
        }
        if md5 == near_md5 {
            seen.1 = true;
            assert_eq!(m["Category"], 3);
        }
    }
    assert_eq!(seen, (true, true), "both matched images exported: {media:?}");
}
