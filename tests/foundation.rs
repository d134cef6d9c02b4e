//! Integration tests of the foundation (issue 3): case file, evidence tree, ingest, verify, CLI.
//! Every fixture is built here, in a temporary folder.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use common::*;

#[test]
fn folder_zip_tar_and_targz_of_one_tree_give_identical_hashes_equal_to_sha256sum() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    make_tree(&tree);
    zip_dir(&tree, &t.path().join("e.zip"), "");
    targz_dir(&tree, &t.path().join("e.tgz"));
    tar_dir(&tree, &t.path().join("e.tar"));
    let case = new_case(t.path());
    for (i, src) in ["tree", "e.zip", "e.tgz", "e.tar"].iter().enumerate() {
        let (code, v, out) = ingest_json(&case, &t.path().join(src), &[]);
        assert_eq!(code, 0, "{out}");
        assert_eq!(v["status"], "complete", "{out}");
        assert_eq!(v["source_id"], (i + 1) as i64);
    }
    let kinds: Vec<String> = {
        let c = db(&case);
        let mut s = c.prepare("SELECT container_kind FROM sources ORDER BY id").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    assert_eq!(kinds, ["folder", "zip", "tar.gz", "tar"]);
    let folder = file_list(&case, 1);
    assert_eq!(folder.len(), 6);
    for s in 2..=4 {
        assert_eq!(file_list(&case, s), folder, "source {s} differs from the folder");
    }
    // Equal to sha256sum, path for path.
    for (path, _, _, sha256, _) in &folder {
        let o = std::process::Command::new("sha256sum").arg(tree.join(path.trim_start_matches('/'))).output().unwrap();
        let expected = String::from_utf8_lossy(&o.stdout).split_whitespace().next().unwrap().to_string();
        assert_eq!(sha256, &expected, "{path}");
    }
    // Accented names survive; the empty file is recorded with the empty hashes.
    assert!(folder.iter().any(|f| f.0 == "/private/var/mobile/notes/prêt à partir.txt"));
    let empty = folder.iter().find(|f| f.0.ends_with("empty.txt")).unwrap();
    assert_eq!(empty.3, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(empty.4, 0);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path LIKE '%empty.txt' AND sniffed = 'empty' AND flags LIKE '%empty%'"), 4);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path LIKE '%sms.db' AND sniffed = 'sqlite'"), 4);
    // Containers carry their own SHA-256, equal to sha256sum of the archive.
    let zip_sha: String = db(&case).query_row("SELECT sha256 FROM sources WHERE id = 2", [], |r| r.get(0)).unwrap();
    let o = std::process::Command::new("sha256sum").arg(t.path().join("e.zip")).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).starts_with(&zip_sha));
    let (code, v) = verify_json(&case);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["sources"][1]["files_checked"], 6);
}

#[test]
fn vendor_prefixes_are_normalised_and_raw_names_kept() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    make_tree(&tree);
    zip_dir(&tree, &t.path().join("clbx.zip"), "filesystem1/");
    zip_dir(&tree, &t.path().join("graykey.zip"), "/");
    zip_dir(&tree, &t.path().join("topfolder.zip"), "Extraction 2024-05-01/");
    let case = new_case(t.path());
    for src in ["tree", "clbx.zip", "graykey.zip", "topfolder.zip"] {
        let (code, _, out) = ingest_json(&case, &t.path().join(src), &[]);
        assert_eq!(code, 0, "{out}");
    }
    let reference = file_list(&case, 1);
    for s in 2..=4 {
        assert_eq!(file_list(&case, s), reference, "source {s}");
    }
    let raw: String = db(&case).query_row("SELECT raw_path FROM files WHERE source_id = 2 AND path LIKE '%sms.db'", [], |r| r.get(0)).unwrap();
    assert_eq!(raw, "filesystem1/private/var/mobile/Library/SMS/sms.db");
    let issues = text(&run(&[&"issues", &case]));
    assert!(issues.contains("absolute-path"), "{issues}");
    assert!(issues.contains("vendor-prefix"), "{issues}");
}

#[test]
fn missing_and_unsupported_sources_are_refused_with_a_clear_message_and_recorded() {
    let t = tempfile::tempdir().unwrap();
    let case = new_case(t.path());
    let missing = t.path().join("no-such-extraction.zip");
    let (code, _, out) = ingest_json(&case, &missing, &[]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("no-such-extraction.zip") && out.contains("does not exist"), "{out}");
    let txt = t.path().join("notes.zip");
    std::fs::write(&txt, "this is not a zip at all\n").unwrap();
    let (code, _, out) = ingest_json(&case, &txt, &[]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("notes.zip") && out.contains("expected a folder, a ZIP, a TAR or a TAR.GZ"), "{out}");
    assert_eq!(count(&case, "SELECT count(*) FROM runs WHERE status = 'failed' AND message LIKE '%no-such-extraction.zip%'"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM audit_log WHERE action = 'ingest.refused'"), 2);
    assert_eq!(verify_json(&case).0, 0);
}

fn five_file_zip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let files: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| (format!("dir/file{i}.bin"), (0..200_000u32).map(|j| ((j * 7 + i * 13) % 251) as u8 ^ (j >> 11) as u8).collect()))
        .collect();
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (n, d) in &files {
        z.start_file(n.as_str(), zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)).unwrap();
        z.write_all(d).unwrap();
    }
    z.finish().unwrap();
    files
}

fn sha256_hex(d: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(d))
}

#[test]
fn truncated_zip_keeps_every_entry_before_the_cut() {
    let t = tempfile::tempdir().unwrap();
    let z = t.path().join("cut.zip");
    let files = five_file_zip(&z);
    let bytes = std::fs::read(&z).unwrap();
    std::fs::write(&z, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &z, &[]);
    assert_eq!(code, 5, "{out}");
    assert_eq!(v["status"], "partial");
    let why = v["status_reason"].as_str().unwrap();
    assert!(why.contains("central directory"), "{why}");
    let got = file_list(&case, 1);
    // Three whole members precede the cut at 60%: all three are recovered with the right hashes.
    for (name, data) in &files[..3] {
        let row = got.iter().find(|f| f.0 == format!("/{name}")).unwrap_or_else(|| panic!("{name} missing: {got:?}"));
        assert_eq!(row.3, sha256_hex(data));
    }
    let issues = text(&run(&[&"issues", &case]));
    assert!(issues.contains("cut.zip") && issues.contains("central directory"), "{issues}");
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn corrupt_central_directory_falls_back_to_local_headers() {
    let t = tempfile::tempdir().unwrap();
    let z = t.path().join("cd.zip");
    let files = five_file_zip(&z);
    let mut bytes = std::fs::read(&z).unwrap();
    // Break the end-of-central-directory record's signature.
    let eocd = bytes.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    bytes[eocd..eocd + 4].copy_from_slice(b"XXXX");
    std::fs::write(&z, &bytes).unwrap();
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &z, &[]);
    assert_eq!(code, 5, "{out}");
    assert!(v["status_reason"].as_str().unwrap().contains("5 entries recovered"), "{out}");
    let got = file_list(&case, 1);
    assert_eq!(got.len(), 5);
    for (name, data) in &files {
        assert_eq!(got.iter().find(|f| f.0 == format!("/{name}")).unwrap().3, sha256_hex(data));
    }
}

#[test]
fn truncated_gzip_keeps_the_entries_before_the_damage() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    make_tree(&tree);
    let tgz = t.path().join("cut.tar.gz");
    targz_dir(&tree, &tgz);
    let bytes = std::fs::read(&tgz).unwrap();
    std::fs::write(&tgz, &bytes[..bytes.len() * 7 / 10]).unwrap();
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &tgz, &[]);
    assert_eq!(code, 5, "{out}");
    let why = v["status_reason"].as_str().unwrap();
    assert!(why.contains("TAR.GZ stream damaged") && why.contains("truncated"), "{why}");
    // What came before the cut is there and correct.
    let got = file_list(&case, 1);
    assert!(!got.is_empty());
    for (path, _, _, sha, _) in got.iter().filter(|f| !f.0.ends_with("big.bin")) {
        let data = std::fs::read(tree.join(path.trim_start_matches('/'))).unwrap();
        assert_eq!(sha, &sha256_hex(&data), "{path}");
    }
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn zip_bomb_members_are_refused_and_the_rest_ingested() {
    let t = tempfile::tempdir().unwrap();
    let z = t.path().join("bomb.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&z).unwrap());
        w.start_file("ok.txt", zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(b"fine").unwrap();
        w.start_file("zeros.bin", zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)).unwrap();
        w.write_all(&vec![0u8; 20 << 20]).unwrap();
        w.finish().unwrap();
    }
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &z, &["--max-ratio", "100", "--ratio-floor", "1048576"]);
    assert_eq!(code, 5, "{out}");
    assert_eq!(v["status"], "partial");
    let issues = text(&run(&[&"issues", &case]));
    assert!(issues.contains("zip-bomb") && issues.contains("zeros.bin") && issues.contains("decompression bomb"), "{issues}");
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/ok.txt' AND sha256 IS NOT NULL"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/zeros.bin' AND sha256 IS NULL AND error LIKE '%ratio%'"), 1);
    assert_eq!(verify_json(&case).0, 0);
    // With default limits the same file is accepted.
    let case2 = t.path().join("u.tlcase");
    assert!(run(&[&"case", &"new", &case2, &"--name", &"n", &"--examiner", &"e"]).status.success());
    assert_eq!(ingest_json(&case2, &z, &[]).0, 0);
}

#[test]
fn gzip_bomb_stream_is_stopped() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("a.txt"), "first").unwrap();
    std::fs::write(tree.join("zz.bin"), vec![0u8; 30 << 20]).unwrap();
    let tgz = t.path().join("bomb.tgz");
    targz_dir(&tree, &tgz);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &tgz, &["--max-ratio", "50", "--ratio-floor", "1048576"]);
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("decompression bomb"), "{out}");
    assert!(v["status_reason"].as_str().unwrap().contains("bomb"), "{out}");
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/a.txt' AND sha256 IS NOT NULL"), 1);
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn names_that_escape_the_container_or_are_absolute_are_flagged() {
    let t = tempfile::tempdir().unwrap();
    let z = t.path().join("evil.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&z).unwrap());
        for name in ["../../etc/evil.txt", "/abs/path.txt", "normal/ok.txt"] {
            w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(name.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    let case = new_case(t.path());
    let (code, _, out) = ingest_json(&case, &z, &[]);
    assert_eq!(code, 0, "{out}");
    let issues = text(&run(&[&"issues", &case]));
    assert!(issues.contains("path-escape") && issues.contains("'../../etc/evil.txt' climbs out of the container"), "{issues}");
    assert!(issues.contains("absolute-path"), "{issues}");
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/etc/evil.txt' AND flags LIKE '%escapes-root%' AND raw_path = '../../etc/evil.txt'"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/abs/path.txt' AND flags LIKE '%absolute-path%'"), 1);
    // Nothing was written outside (or inside) the evidence folder.
    assert!(!t.path().join("etc").exists());
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn symlink_loops_are_recorded_not_followed() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    std::fs::create_dir_all(tree.join("d")).unwrap();
    std::fs::write(tree.join("d/file.txt"), "x").unwrap();
    std::fs::write(tree.join("top.txt"), "y").unwrap();
    std::os::unix::fs::symlink("b", tree.join("d/a")).unwrap();
    std::os::unix::fs::symlink("a", tree.join("d/b")).unwrap();
    std::os::unix::fs::symlink("..", tree.join("d/up")).unwrap();
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &tree, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(v["status"], "complete");
    let issues = text(&run(&[&"issues", &case]));
    assert!(issues.contains("symlink-loop") && issues.contains("d/a") && issues.contains("loop"), "{issues}");
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE kind = 'symlink'"), 3);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/d/up' AND link_target = '..'"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE kind = 'file'"), 2);
    assert_eq!(verify_json(&case).0, 0);
}

#[test]
fn unreadable_file_is_recorded_and_the_rest_ingested() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    make_tree(&tree);
    let secret = tree.join("private/var/root/locked.db");
    std::fs::write(&secret, "cannot read me").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let case = t.path().join("u.tlcase");
    // As root every file is readable: run the ingest as an unprivileged user instead.
    let is_root = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false);
    // The binary may sit under a folder `nobody` cannot enter (/root/.cache): run a copy.
    let exe = t.path().join("threadline-copy");
    std::fs::copy(env!("CARGO_BIN_EXE_threadline"), &exe).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = if is_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(&exe);
        c
    } else {
        bin()
    };
    let o = cmd.env("HOME", t.path()).arg("case").arg("new").arg(&case).args(["--name", "u", "--examiner", "e"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let mut cmd = if is_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(&exe);
        c
    } else {
        bin()
    };
    let o = cmd.arg("ingest").arg(&case).arg(&tree).arg("--json").output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(5), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "partial");
    assert!(v["status_reason"].as_str().unwrap().contains("1 entries could not be read"), "{out}");
    let issues = text(&run(&[&"issues", &case]));
    assert!(issues.contains("unreadable") && issues.contains("locked.db") && issues.contains("Permission denied"), "{issues}");
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE kind = 'file' AND sha256 IS NOT NULL"), 6);
    let (code, v) = verify_json(&case);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn editing_an_audit_row_or_a_file_hash_makes_verify_fail() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    make_tree(&tree);
    let case = new_case(t.path());
    assert_eq!(ingest_json(&case, &tree, &[]).0, 0);
    assert_eq!(verify_json(&case).0, 0);
    // The triggers refuse edits outright.
    let c = db(&case);
    let err = c.execute("UPDATE audit_log SET actor = 'someone else' WHERE id = 1", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(c.execute("DELETE FROM audit_log WHERE id = 2", []).is_err());
    // Whoever drops them is caught by the chain.
    let tampered = t.path().join("tampered.tlcase");
    drop(c);
    std::fs::copy(&case, &tampered).unwrap();
    {
        let c = db(&tampered);
        c.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '{}' WHERE id = 2;").unwrap();
    }
    let (code, v) = verify_json(&tampered);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["audit_breaks"][0]["id"], 2);
    // Edited file hash: caught by the file-list digest and by re-reading the evidence.
    let edited = t.path().join("edited.tlcase");
    std::fs::copy(&case, &edited).unwrap();
    {
        let c = db(&edited);
        c.execute("UPDATE files SET sha256 = replace(sha256, substr(sha256, 1, 1), 'f') WHERE path LIKE '%readme.txt'", []).unwrap();
    }
    let (code, v) = verify_json(&edited);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["sources"][0]["manifest"], "mismatch");
    let all = v.to_string();
    assert!(all.contains("readme.txt") && all.contains("SHA-256"), "{all}");
    // Even with the evidence gone, the edit is caught.
    std::fs::rename(&tree, t.path().join("moved-away")).unwrap();
    let o = bin().arg("verify").arg(&edited).arg("--quick").output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // And a changed evidence file is caught too.
    std::fs::rename(t.path().join("moved-away"), &tree).unwrap();
    std::fs::write(tree.join("private/var/root/readme.txt"), "hellO\n").unwrap();
    let (code, v) = verify_json(&case);
    assert_eq!(code, 1, "{v}");
    assert!(v.to_string().contains("readme.txt"));
}

#[test]
fn a_second_writer_is_refused_with_the_holder_named() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    make_tree(&tree);
    let case = new_case(t.path());
    let held = threadline::Case::open(&case, "a long review session").unwrap();
    let (code, _, out) = ingest_json(&case, &tree, &[]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("open for writing by another process") && out.contains(&format!("pid {}", std::process::id())) && out.contains("a long review session"), "{out}");
    // Readers still work.
    assert!(run(&[&"case", &"info", &case]).status.success());
    drop(held);
    assert_eq!(ingest_json(&case, &tree, &[]).0, 0);
}

#[test]
fn every_older_schema_version_is_upgraded() {
    for v in 1..threadline::case::schema::CURRENT_VERSION {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("old.tlcase");
        threadline::case::schema::create_at_version(&p, v).unwrap();
        {
            let c = db(&p);
            c.execute("INSERT INTO case_meta (key, value) VALUES ('name', 'old case'), ('examiner', 'old examiner')", []).unwrap();
            c.execute(
                "INSERT INTO sources (label, container_kind, path, added_utc, added_by, tool_version, status) VALUES ('s', 'folder', '/x', 't', 'e', '0.0', 'complete')",
                [],
            )
            .unwrap();
        }
        let case = threadline::Case::open(&p, "upgrade test").unwrap();
        let info = case.info().unwrap();
        assert_eq!(info.schema_version, threadline::case::schema::CURRENT_VERSION);
        assert_eq!(info.name, "old case");
        assert_eq!(info.sources.len(), 1);
        assert!(case.audit_entries().unwrap().iter().any(|e| e.action == "case.migrate"));
        assert_eq!(case.issues(None).unwrap().len(), 0);
    }
    // A newer case is refused, not damaged.
    let t = tempfile::tempdir().unwrap();
    let p = new_case(t.path());
    db(&p).pragma_update(None, "user_version", 99).unwrap();
    let o = run(&[&"case", &"info", &p]);
    assert_eq!(o.status.code(), Some(4));
    assert!(text(&o).contains("schema version 99"));
}

#[test]
fn json_interfaces_parse_and_carry_the_facts() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("tree");
    make_tree(&tree);
    let inner = tree.join("private/var/mobile/inner.zip");
    zip_dir(&tree.join("private/var/root"), &inner, "");
    let case = new_case(t.path());
    let (code, v, _) = ingest_json(&case, &tree, &["--label", "Phone A"]);
    assert_eq!(code, 0);
    assert_eq!(v["label"], "Phone A");
    assert_eq!(v["nested_archives"][0], "/private/var/mobile/inner.zip");
    let o = run(&[&"case", &"info", &case, &"--json"]);
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(info["name"], "Test");
    assert_eq!(info["examiner"], "Ex Aminer");
    assert_eq!(info["sources"][0]["status"], "complete");
    assert_eq!(info["file_count"], 7);
    assert_eq!(info["schema_version"], threadline::case::schema::CURRENT_VERSION);
    let (code, v) = verify_json(&case);
    assert_eq!(code, 0);
    assert_eq!(v["ok"], true);
    assert_eq!(v["sources"][0]["files_checked"], 7);
    // Running the same ingest again changes nothing.
    let (code, v, _) = ingest_json(&case, &tree, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["already_complete"], true);
    assert_eq!(count(&case, "SELECT count(*) FROM files"), count(&case, "SELECT count(DISTINCT seq) FROM files"));
}

#[test]
fn cp437_and_zip64_names_and_members_are_read() {
    let t = tempfile::tempdir().unwrap();
    let z = t.path().join("old.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&z).unwrap());
        w.start_file("caf?.txt", zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(b"coffee").unwrap();
        w.start_file("big64.bin", zip::write::SimpleFileOptions::default().large_file(true)).unwrap();
        w.write_all(b"zip64 member").unwrap();
        // More than 65,535 entries forces the zip64 end-of-central-directory records.
        for i in 0..65_600u32 {
            w.start_file(format!("many/{i}"), zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)).unwrap();
            w.write_all(&[i as u8]).unwrap();
        }
        w.finish().unwrap();
    }
    // Patch the name to the CP437 byte for 'é' (0x82) in both headers: no UTF-8 flag is set.
    let mut bytes = std::fs::read(&z).unwrap();
    let mut n = 0;
    for i in 0..bytes.len() - 8 {
        if &bytes[i..i + 8] == b"caf?.txt" {
            bytes[i + 3] = 0x82;
            n += 1;
        }
    }
    assert_eq!(n, 2);
    std::fs::write(&z, &bytes).unwrap();
    let case = new_case(t.path());
    let (code, _, out) = ingest_json(&case, &z, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/café.txt' AND size = 6"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/big64.bin' AND sha256 IS NOT NULL"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path LIKE '/many/%' AND sha256 IS NOT NULL"), 65_600);
    let mut f = std::fs::File::open(&z).unwrap();
    let mut s = Vec::new();
    f.read_to_end(&mut s).unwrap();
    assert!(s.windows(4).any(|w| w == b"PK\x06\x06"), "fixture has no zip64 record");
}

#[test]
fn archives_inside_a_source_are_listed_and_expanded_when_asked() {
    let t = tempfile::tempdir().unwrap();
    // inner.tgz holds a file; mid.zip holds inner.tgz and a note; the source (a ZIP) holds mid.zip.
    let inner_tree = t.path().join("inner");
    std::fs::create_dir_all(inner_tree.join("deep")).unwrap();
    std::fs::write(inner_tree.join("deep/photo.jpg"), b"\xFF\xD8\xFF\xE0 inner photo").unwrap();
    let inner = t.path().join("inner.tgz");
    targz_dir(&inner_tree, &inner);
    let mid_tree = t.path().join("mid");
    std::fs::create_dir_all(&mid_tree).unwrap();
    std::fs::copy(&inner, mid_tree.join("inner.tgz")).unwrap();
    std::fs::write(mid_tree.join("note.txt"), "a note").unwrap();
    std::fs::write(mid_tree.join("broken.zip"), b"PK\x03\x04 this zip is cut short").unwrap();
    let src_tree = t.path().join("src");
    std::fs::create_dir_all(src_tree.join("sdcard")).unwrap();
    zip_dir(&mid_tree, &src_tree.join("sdcard/mid.zip"), "");
    std::fs::write(src_tree.join("sdcard/plain.txt"), "plain").unwrap();
    let outer = t.path().join("outer.zip");
    zip_dir(&src_tree, &outer, "");

    let case = new_case(t.path());
    // Without the flag: listed, not expanded.
    let (code, v, out) = ingest_json(&case, &outer, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(v["nested_archives"], serde_json::json!(["/sdcard/mid.zip"]));
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE parent_id != 0"), 0);

    let case2 = t.path().join("x.tlcase");
    assert!(run(&[&"case", &"new", &case2, &"--name", &"x", &"--examiner", &"e"]).status.success());
    let (code, v, out) = ingest_json(&case2, &outer, &["--expand-archives"]);
    assert_eq!(code, 5, "{out}");
    assert!(v["status_reason"].as_str().unwrap().contains("broken.zip"), "{out}");
    let photo_sha = sha256_hex(b"\xFF\xD8\xFF\xE0 inner photo");
    assert_eq!(
        count(&case2, &format!("SELECT count(*) FROM files WHERE path = '/sdcard/mid.zip/inner.tgz/deep/photo.jpg' AND sha256 = '{photo_sha}' AND parent_id != 0")),
        1
    );
    assert_eq!(count(&case2, "SELECT count(*) FROM files WHERE path = '/sdcard/mid.zip/note.txt'"), 1);
    let nested = v["nested_archives"].as_array().unwrap().len();
    assert!(nested >= 3, "{v}");
    let rows = count(&case2, "SELECT count(*) FROM files");
    // Running it again resumes: nothing is duplicated.
    let (_, v2, out) = ingest_json(&case2, &outer, &["--expand-archives"]);
    assert_eq!(v2["resumed"], true, "{out}");
    assert_eq!(count(&case2, "SELECT count(*) FROM files"), rows);
    assert_eq!(count(&case2, "SELECT count(*) FROM ingest_issues WHERE code = 'not-expanded'"), count(&case2, "SELECT count(DISTINCT path) FROM ingest_issues WHERE code = 'not-expanded'"));
    assert_eq!(verify_json(&case2).0, 0);
}
