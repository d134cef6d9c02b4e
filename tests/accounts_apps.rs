//! Accounts and installed apps, iOS and Android, from small databases and files built here.

mod common;

use common::*;

#[test]
fn accounts_and_apps_are_read_and_abx_is_said_to_be_undecoded() {
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

    // Android 12+ binary XML: a failed run that says why, the rest unaffected.
    let abx = t.path().join("abx");
    std::fs::create_dir_all(abx.join("data/system")).unwrap();
    std::fs::write(abx.join("data/system/packages.xml"), b"ABX\0\x01\x02binary").unwrap();
    std::fs::write(abx.join("data/system/packages.list"), "com.whatsapp 10123 0 /data/user/0/com.whatsapp default 3003\n").unwrap();
    let (code, v, out) = ingest_json(&case, &abx, &[]);
    assert_eq!(code, 0, "{out}");
    let runs = v["parse"]["runs"].as_array().unwrap();
    let xml = runs.iter().find(|r| r["parser"] == "android-packages-xml").unwrap();
    assert_eq!(xml["status"], "failed");
    assert!(xml["message"].as_str().unwrap().contains("ABX") && xml["message"].as_str().unwrap().contains("/data/system/packages.xml"), "{xml}");
    assert!(runs.iter().any(|r| r["parser"] == "android-packages-list" && r["items"] == 1));
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
