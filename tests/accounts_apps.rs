//! Accounts and installed apps, iOS and Android, from small databases and files built here.

mod common;

use common::*;

#[test]
fn accounts_and_apps_are_read_from_text_and_binary_xml() {
    let t = tempfile::tempdir().unwrap();
    let ios = t.path().join("ios");
    let acc = ios.join("private/var/mobile/Library/Accounts");
    let fb = ios.join("private/var/mobile/Library/FrontBoard");
    std::fs::create_dir_all(&acc).unwrap();
    std::fs::create_dir_all(&fb).unwrap();
    rusqlite::Connection::open(acc.join("Accounts3.sqlite"))
        .unwrap()
        .execute_batch(
            "CREATE TABLE ZACCOUNTTYPE (Z_PK INTEGER PRIMARY KEY, ZACCOUNTTYPEDESCRIPTION TEXT, ZIDENTIFIER TEXT);
             CREATE TABLE ZACCOUNT (Z_PK INTEGER PRIMARY KEY, ZACCOUNTTYPE INTEGER, ZUSERNAME TEXT, ZACCOUNTDESCRIPTION TEXT, ZDATE REAL);
             INSERT INTO ZACCOUNTTYPE VALUES (1, 'iCloud', 'com.apple.account.AppleAccount'), (2, 'Gmail', 'com.apple.account.Google');
             INSERT INTO ZACCOUNT VALUES (1, 1, 'andrei.m@example.com', 'iCloud', 731000000.5), (2, 2, 'andrei.work@example.org', 'Gmail', NULL);",
        )
        .unwrap();
    rusqlite::Connection::open(fb.join("applicationState.db"))
        .unwrap()
        .execute_batch(
            "CREATE TABLE application_identifier_tab (id INTEGER PRIMARY KEY, application_identifier TEXT);
             INSERT INTO application_identifier_tab VALUES (1, 'net.whatsapp.WhatsApp'), (2, 'ph.telegra.Telegraph'), (3, 'com.revolut.revolut');",
        )
        .unwrap();
    let android = t.path().join("android");
    let sys = android.join("data/system");
    let ce = android.join("data/system_ce/0");
    std::fs::create_dir_all(&sys).unwrap();
    std::fs::create_dir_all(&ce).unwrap();
    rusqlite::Connection::open(ce.join("accounts_ce.db"))
        .unwrap()
        .execute_batch(
            "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, name TEXT, type TEXT, password TEXT);
             INSERT INTO accounts VALUES (1, 'nelu.recrutement@example.com', 'com.google', 'secret-never-read'), (2, '33699001234', 'com.whatsapp', NULL);",
        )
        .unwrap();
    std::fs::write(sys.join("packages.list"), "com.whatsapp 10123 0 /data/user/0/com.whatsapp default:targetSdkVersion=33 3003\norg.telegram.messenger 10150 0 /data/user/0/org.telegram.messenger default 3003\n").unwrap();
    std::fs::write(
        sys.join("packages.xml"),
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<packages>\n<package name=\"com.whatsapp\" codePath=\"/data/app/x\" ft=\"18e0a1b2c00\" it=\"18e0a1b2c00\" ut=\"18e0a1b2c00\" version=\"231013\" userId=\"10123\">\n</package>\n<package name=\"com.binance.dev\" it=\"18e0a1b2c00\" version=\"7\" />\n</packages>\n",
    )
    .unwrap();
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &ios, &[]);
    assert_eq!(code, 0, "{out}");
    let runs = v["parse"]["runs"].as_array().unwrap();
    assert!(runs.iter().any(|r| r["parser"] == "ios-accounts" && r["items"] == 2), "{out}");
    assert!(runs.iter().any(|r| r["parser"] == "ios-apps" && r["items"] == 3), "{out}");
    let (code, v, out) = ingest_json(&case, &android, &[]);
    assert_eq!(code, 0, "{out}");
    let runs = v["parse"]["runs"].as_array().unwrap();
    assert!(runs.iter().any(|r| r["parser"] == "android-accounts" && r["items"] == 2), "{out}");
    assert!(runs.iter().any(|r| r["parser"] == "android-packages-list" && r["items"] == 2), "{out}");
    assert!(runs.iter().any(|r| r["parser"] == "android-packages-xml" && r["items"] == 2), "{out}");
    assert_eq!(count(&case, "SELECT count(*) FROM accounts WHERE username = 'andrei.m@example.com' AND service = 'com.apple.account.AppleAccount' AND created_unit = 'cocoa-s'"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM accounts WHERE service = 'com.whatsapp' AND username = '33699001234'"), 1);
    // it="18e0a1b2c00" is 1709566536704 ms (2024-03-04).
    assert_eq!(count(&case, "SELECT count(*) FROM apps WHERE identifier = 'com.whatsapp' AND installed_utc = 1709566536704000 AND version = '231013'"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM apps WHERE identifier = 'net.whatsapp.WhatsApp'"), 1);
    // Passwords are never copied into the case.
    assert_eq!(count(&case, "SELECT count(*) FROM accounts WHERE username LIKE '%secret%' OR display_name LIKE '%secret%'"), 0);

    // The CLI lists them, by source id or label, in a time range, with provenance.
    let json = |args: &[&dyn AsRef<std::ffi::OsStr>]| -> serde_json::Value {
        let o = run(args);
        assert!(o.status.success(), "{}", text(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let ios_apps = json(&[&"apps", &case, &"--source", &"ios", &"--json"]);
    let ids: Vec<&str> = ios_apps.as_array().unwrap().iter().map(|a| a["identifier"].as_str().unwrap()).collect();
    assert_eq!(ids, ["com.revolut.revolut", "net.whatsapp.WhatsApp", "ph.telegra.Telegraph"]);
    assert!(ios_apps[0]["provenance"]["path"].as_str().unwrap().ends_with("applicationState.db"), "{}", ios_apps[0]);
    let in_range = json(&[&"apps", &case, &"--from", &"2024-03-04", &"--to", &"2024-03-05", &"--json"]);
    let ids: Vec<&str> = in_range.as_array().unwrap().iter().map(|a| a["identifier"].as_str().unwrap()).collect();
    assert_eq!(ids, ["com.binance.dev", "com.whatsapp"], "{in_range}");
    assert_eq!(in_range[1]["installed"]["utc"], "2024-03-04T15:35:36Z");
    let accounts = json(&[&"accounts", &case, &"--source", &"2", &"--json"]);
    let users: Vec<&str> = accounts.as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap()).collect();
    assert_eq!(users, ["nelu.recrutement@example.com", "33699001234"]);
    let o = run(&[&"accounts", &case]);
    assert!(text(&o).contains("andrei.m@example.com") && text(&o).contains("Accounts3.sqlite"), "{}", text(&o));
    // An unknown source, an empty range and an unknown time zone are refused, saying why.
    let o = run(&[&"messages", &case, &"--source", &"99"]);
    assert!(!o.status.success() && text(&o).contains("no source '99'") && text(&o).contains("1 'ios'"), "{}", text(&o));
    let o = run(&[&"calls", &case, &"--from", &"2025-01-01", &"--to", &"2024-01-01"]);
    assert!(!o.status.success() && text(&o).contains("is not before"), "{}", text(&o));
    if std::path::Path::new("/usr/share/zoneinfo/Europe/Paris").exists() {
        let o = run(&[&"timezone", &case, &"1", &"Mars/Olympus"]);
        assert!(!o.status.success() && text(&o).contains("not an IANA time zone"), "{}", text(&o));
    }
    // A reader that goes away (`threadline files CASE | head -0`) ends the listing quietly.
    let mut child = bin().args([std::ffi::OsStr::new("files"), case.as_os_str()]).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("internal error"));

    // Android 12+ binary XML (ABX), written as BinaryXmlSerializer does: the same rows as text.
    let abx_ok = t.path().join("abx-ok");
    std::fs::create_dir_all(abx_ok.join("data/system")).unwrap();
    let mut w = threadline::samples::abx::AbxWriter::new();
    w.start("packages");
    w.start("version").attr_int("sdkVersion", 33).attr("fingerprint", "x").end("version");
    // Names interned and repeated, as Android writes them.
    for (pkg, it, version) in [("com.whatsapp", 0x18e0a1b2c00i64, 231013i64), ("org.telegram.messenger", 0x18f0000000a, 43012), ("com.binance.dev", 0x1900000000b, 7)] {
        w.start("package")
            .attr_interned("name", pkg)
            .attr("codePath", "/data/app/~~x==/a")
            .attr_long_hex("ft", it + 5)
            .attr_long_hex("it", it)
            .attr_long_hex("ut", it + 1000)
            .attr_long("version", version)
            .attr_int("userId", 10123)
            .attr_bool("isOrphaned", true);
        w.start("sigs").attr_int("count", 1).start("cert").attr_bytes_hex("key", &[1, 2, 3]).end("cert").end("sigs");
        w.end("package");
    }
    w.start("shared-user").attr("name", "android.uid.system").attr_int("userId", 1000).end("shared-user");
    w.end("packages");
    std::fs::write(abx_ok.join("data/system/packages.xml"), w.finish()).unwrap();
    let (code, v, out) = ingest_json(&case, &abx_ok, &[]);
    assert_eq!(code, 0, "{out}");
    let src = v["source_id"].as_i64().unwrap();
    let runs = v["parse"]["runs"].as_array().unwrap();
    let xml = runs.iter().find(|r| r["parser"] == "android-packages-xml").unwrap();
    assert_eq!((xml["status"].as_str(), xml["items"].as_i64()), (Some("ok"), Some(3)), "{xml}");
    type AppRow = (String, Option<String>, Option<i64>, Option<String>, Option<String>, i64);
    let apps: Vec<AppRow> = {
        let c = db(&case);
        let mut st = c.prepare("SELECT identifier, version, installed_utc, installed_raw, installed_unit, src_row FROM apps WHERE source_id = ?1 ORDER BY src_row").unwrap();
        st.query_map([src], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).unwrap().map(|r| r.unwrap()).collect()
    };
    assert_eq!(
        apps,
        vec![
            ("com.whatsapp".into(), Some("231013".into()), Some(1_709_566_536_704_000), Some("1709566536704".into()), Some("unix-ms".into()), 1),
            ("org.telegram.messenger".into(), Some("43012".into()), Some(0x18f0000000a * 1000), Some((0x18f0000000ai64).to_string()), Some("unix-ms".into()), 2),
            ("com.binance.dev".into(), Some("7".into()), Some(0x1900000000b * 1000), Some((0x1900000000bi64).to_string()), Some("unix-ms".into()), 3),
        ]
    );

    // Damaged binary XML: a failed run that says why and where, the rest unaffected.
    let abx = t.path().join("abx");
    std::fs::create_dir_all(abx.join("data/system")).unwrap();
    std::fs::write(abx.join("data/system/packages.xml"), b"ABX\0\x01\x02binary").unwrap();
    std::fs::write(abx.join("data/system/packages.list"), "com.whatsapp 10123 0 /data/user/0/com.whatsapp default 3003\n").unwrap();
    let (code, v, out) = ingest_json(&case, &abx, &[]);
    assert_eq!(code, 0, "{out}");
    let runs = v["parse"]["runs"].as_array().unwrap();
    let xml = runs.iter().find(|r| r["parser"] == "android-packages-xml").unwrap();
    assert_eq!(xml["status"], "failed");
    let msg = xml["message"].as_str().unwrap();
    assert!(msg.contains("ABX") && msg.contains("/data/system/packages.xml") && msg.contains("malformed ABX at byte 4"), "{xml}");
    assert_eq!(count(&case, &format!("SELECT count(*) FROM apps WHERE source_id = {} AND parser = 'android-packages-xml'", v["source_id"].as_i64().unwrap())), 0, "no partial rows");
    assert!(runs.iter().any(|r| r["parser"] == "android-packages-list" && r["items"] == 1));
    // `case info` says that source has a parser run that did not end ok; the others have none.
    let o = run(&[&"case", &"info", &case]);
    assert!(text(&o).contains("parsers: 1 runs did not end ok"), "{}", text(&o));
    let info: serde_json::Value = serde_json::from_slice(&run(&[&"case", &"info", &case, &"--json"]).stdout).unwrap();
    let not_ok: Vec<i64> = info["sources"].as_array().unwrap().iter().map(|s| s["parser_runs_not_ok"].as_i64().unwrap()).collect();
    assert_eq!(not_ok, [0, 0, 0, 1]);
}

#[test]
fn the_device_zone_is_taken_from_the_extraction_unless_set() {
    let t = tempfile::tempdir().unwrap();
    let ios = t.path().join("ios");
    std::fs::create_dir_all(ios.join("private/var/db/timezone")).unwrap();
    std::os::unix::fs::symlink("/usr/share/zoneinfo/Europe/Paris", ios.join("private/var/db/timezone/localtime")).unwrap();
    std::fs::write(ios.join("private/var/note.txt"), "x").unwrap();
    let android = t.path().join("android");
    std::fs::create_dir_all(android.join("data/property")).unwrap();
    let mut pb = b"\n\x1e\n\x14persist.sys.timezone".to_vec();
    pb.extend_from_slice(b"\x12\x10Europe/Bucharest\n\x05other");
    std::fs::write(android.join("data/property/persistent_properties"), &pb).unwrap();
    let case = new_case(t.path());
    assert_eq!(ingest_json(&case, &ios, &[]).0, 0);
    assert_eq!(ingest_json(&case, &android, &[]).0, 0);
    let zones: Vec<Option<String>> = {
        let c = db(&case);
        let mut s = c.prepare("SELECT timezone FROM sources ORDER BY id").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    assert_eq!(zones, vec![Some("Europe/Paris".to_string()), Some("Europe/Bucharest".to_string())]);
    // The examiner's choice wins over the extraction's, and stays.
    assert!(run(&[&"timezone", &case, &"1", &"Europe/London"]).status.success());
    assert!(run(&[&"parse", &case, &"--force"]).status.success());
    assert_eq!(count(&case, "SELECT count(*) FROM sources WHERE id = 1 AND timezone = 'Europe/London'"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM audit_log WHERE action = 'source.timezone'"), 3);
}

#[test]
fn a_ufdr_gives_its_time_zone_setting() {
    use std::io::Write;
    let t = tempfile::tempdir().unwrap();
    for (name, value) in [("text.ufdr", "_America/Sao_Paulo"), ("cdata.ufdr", "<![CDATA[_Europe/Bucharest]]>")] {
        let p = t.path().join(name);
        let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
        z.start_file("report.xml", zip::write::SimpleFileOptions::default()).unwrap();
        write!(
            z,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<project xmlns=\"http://pa.cellebrite.com/report/2.0\" id=\"1\" name=\"t\" reportVersion=\"7.60\">\
             <metadata section=\"Extraction Data\"><item name=\"DeviceInfoSelectedManufacturer\">Samsung</item>\
             <item name=\"Time zone settings (ID)\">{value}</item></metadata><taggedFiles></taggedFiles><decodedData></decodedData></project>"
        )
        .unwrap();
        z.start_file("files/Text/note.txt", zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(b"x").unwrap();
        z.finish().unwrap();
    }
    let case = new_case(t.path());
    assert_eq!(ingest_json(&case, &t.path().join("text.ufdr"), &[]).0, 0);
    assert_eq!(ingest_json(&case, &t.path().join("cdata.ufdr"), &[]).0, 0);
    assert_eq!(count(&case, "SELECT count(*) FROM sources WHERE id = 1 AND timezone = 'America/Sao_Paulo'"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM sources WHERE id = 2 AND timezone = 'Europe/Bucharest'"), 1);
}
