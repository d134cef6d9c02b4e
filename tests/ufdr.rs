//! Cellebrite UFDR: the raw files become a device-path tree whose stated hashes are checked, and the
//! decoded models of `report.xml` become messages, calls, contacts, locations and web visits.
//! Every UFDR here is synthetic, written by hand in the test.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use sha2::Digest;

const NS: &str = "http://pa.cellebrite.com/report/2.0";

// ---------------------------------------------------------------------------------------------
// Report builders.
// ---------------------------------------------------------------------------------------------

fn field(name: &str, ty: &str, value: &str) -> String {
    format!(r#"<field name="{name}" type="{ty}"><value type="{ty}"><![CDATA[{value}]]></value></field>"#)
}

fn time_field(name: &str, text: &str, formatted: &str) -> String {
    format!(r#"<field name="{name}" type="TimeStamp"><value type="TimeStamp" formattedTimestamp="{formatted}">{text}</value></field>"#)
}

fn empty_field(name: &str) -> String {
    format!(r#"<field name="{name}" type="String"><empty /></field>"#)
}

fn model(ty: &str, id: &str, deleted: &str, inner: &str) -> String {
    format!(r#"<model type="{ty}" id="{id}" deleted_state="{deleted}" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">{inner}</model>"#)
}

fn model_field(name: &str, ty: &str, inner: &str) -> String {
    format!(r#"<modelField name="{name}" type="{ty}">{inner}</modelField>"#)
}

fn multi_model_field(name: &str, ty: &str, inner: &str) -> String {
    format!(r#"<multiModelField name="{name}" type="{ty}">{inner}</multiModelField>"#)
}

fn party(id: &str, identifier: &str, name: &str, role: &str, owner: bool) -> String {
    let owner = if owner { "True" } else { "False" };
    model(
        "Party",
        id,
        "Intact",
        &[field("Identifier", "String", identifier), field("Name", "String", name), field("Role", "PartyRole", role), field("IsPhoneOwner", "Boolean", owner)].concat(),
    )
}

const OWNER: &str = "+33612345678";
const RECRUITER: &str = "+491701234567";

/// One tagged file.
struct Tagged<'a> {
    id: &'a str,
    path: &'a str,
    local: &'a str,
    deleted: &'a str,
    md5: String,
    sha256: String,
    size: usize,
}

fn tagged_xml(t: &Tagged<'_>) -> String {
    format!(
        r#"<file fs="Apple File System" fsid="fs-1" path="{path}" size="{size}" id="{id}" extractionId="0" deleted="{deleted}" embedded="false" isrelated="False" source_index="0">
      <accessInfo>
        <timestamp name="CreationTime" formattedTimestamp="2024-03-01T10:00:00+01:00">2024-03-01T09:00:00</timestamp>
        <timestamp name="ModifyTime" formattedTimestamp="2024-03-09T11:00:00+01:00">2024-03-09T10:00:00</timestamp>
        <timestamp name="AccessTime" formattedTimestamp="2024-03-10T10:00:00+00:00">2024-03-10T10:00:00</timestamp>
      </accessInfo>
      <metadata section="File">
        <item name="Local Path"><![CDATA[{local}]]></item>
        <item name="SHA256"><![CDATA[{sha256}]]></item>
        <item name="MD5"><![CDATA[{md5}]]></item>
        <item name="Tags"><![CDATA[Database]]></item>
      </metadata>
      <metadata section="MetaData"><item name="Size"><![CDATA[{size}]]></item></metadata>
    </file>
"#,
        path = t.path,
        size = t.size,
        id = t.id,
        deleted = t.deleted,
        local = t.local,
        sha256 = t.sha256,
        md5 = t.md5
    )
}

fn report_head(tagged: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<project id="6d1f3c1e-0000-4000-8000-000000000001" name="Synthetic UFDR" reportVersion="8.5" licenseID="TEST" containsGarbage="False" extractionType="FileSystem" NodeCount="12" ModelCount="14" xmlns="{NS}">
  <sourceExtractions><extractionInfo id="0" name="File System" type="FileSystem" deviceName="iPhone" fullName="Apple iPhone 12" index="0" IsPartialData="False" /><extractionInfo id="1" name="Advanced Logical" type="AdvancedLogical" deviceName="iPhone" fullName="Apple iPhone 12" index="1" IsPartialData="True" /></sourceExtractions>
  <caseInformation><field name="Case number" isSystem="True" isRequired="False" fieldType="CaseNumber" multipleLines="False">TEST-1</field></caseInformation>
  <metadata section="Device Info"><item name="DeviceInfoSelectedManufacturer" systemtype="System.String"><![CDATA[Apple]]></item></metadata>
  <taggedFiles>
{tagged}  </taggedFiles>
"#
    )
}

const CHAT_ID: &str = "c0ffee00-0000-4000-8000-0000000000c1";

/// The decoded models: a WhatsApp chat of 3 messages (one deleted), an SMS, two calls, a contact,
/// a location, a visited page, a search, an account, an app, and two types we skip.
fn decoded_models() -> String {
    let recruiter = |id: &str| party(id, RECRUITER, "Recruiter", "From", false);
    let owner_to = |id: &str| party(id, OWNER, "Me", "To", true);
    let im1 = model(
        "InstantMessage",
        "11111111-0000-4000-8000-000000000001",
        "Intact",
        &[
            field("Body", "String", "Work in Berlin, 1500 EUR a month. Bring your passport."),
            time_field("TimeStamp", "2024-03-09T16:00:00.250", "2024-03-09T17:00:00+01:00"),
            field("Status", "MessageStatus", "Read"),
            field("Type", "MessageType", "Incoming"),
            field("Source", "String", "WhatsApp"),
            model_field("From", "Party", &recruiter("p-1")),
            multi_model_field("To", "Party", &owner_to("p-2")),
            model_field(
                "Position",
                "Coordinate",
                &model("Coordinate", "co-1", "Intact", &[field("Latitude", "Double", "52.520008"), field("Longitude", "Double", "13.404954")].concat()),
            ),
            // Decoded from the SMS database and the picture (as the report says; any tagged file).
            "<jumptargets><targetid>file-sms</targetid><targetid> file-jpg </targetid></jumptargets>".to_string(),
        ]
        .concat(),
    );
    let im2 = model(
        "InstantMessage",
        "11111111-0000-4000-8000-000000000002",
        "Intact",
        &[
            field("Body", "String", "OK. When do I leave?"),
            time_field("TimeStamp", "2024-03-09T16:05:00", "2024-03-09T16:05:00+00:00"),
            time_field("DateDelivered", "2024-03-09T16:05:02", "2024-03-09T16:05:02+00:00"),
            time_field("DateRead", "2024-03-09T16:07:00", "2024-03-09T16:07:00+00:00"),
            field("Status", "MessageStatus", "Sent"),
            field("Type", "MessageType", "Outgoing"),
            empty_field("Subject"),
            model_field("From", "Party", &party("p-3", OWNER, "Me", "From", true)),
            multi_model_field("To", "Party", &party("p-4", RECRUITER, "Recruiter", "To", false)),
            multi_model_field(
                "Attachments",
                "Attachment",
                &model(
                    "Attachment",
                    "a-1",
                    "Intact",
                    &[
                        field("Filename", "String", "x.jpg"),
                        field("ContentType", "String", "image/jpeg"),
                        field("attachment_extracted_path", "String", r"files\Image\x.jpg"),
                        field("file_id", "String", "file-jpg"),
                    ]
                    .concat(),
                ),
            ),
        ]
        .concat(),
    );
    // Entities in plain text, no Type field: the direction comes from the phone owner's party.
    let im3 = format!(
        r#"<model type="InstantMessage" id="11111111-0000-4000-8000-000000000003" deleted_state="Deleted" decoding_confidence="Medium" isrelated="True" iscarved="True" source_index="1" extractionId="1"><field name="Body" type="String"><value type="String">Delete this &amp; tell nobody &lt;3 &#x1F600;</value></field>{}{}{}<jumptargets><targetid>file-unknown</targetid></jumptargets></model>"#,
        time_field("TimeStamp", "2024-03-09T23:30:00", "2024-03-09T18:30:00-05:00"),
        model_field("From", "Party", &recruiter("p-5")),
        multi_model_field("To", "Party", &owner_to("p-6")),
    );
    let chat = model(
        "Chat",
        CHAT_ID,
        "Intact",
        &[
            field("Source", "String", "WhatsApp"),
            field("Name", "String", "Job offer Berlin"),
            field("ChatType", "ChatType", "OneOnOne"),
            multi_model_field("Participants", "Party", &[party("p-7", RECRUITER, "Recruiter", "General", false), party("p-8", OWNER, "Me", "General", true)].concat()),
            multi_model_field("Messages", "InstantMessage", &[im1, im2, im3].concat()),
        ]
        .concat(),
    );
    let sms = model(
        "SMS",
        "22222222-0000-4000-8000-000000000001",
        "Intact",
        &[
            field("Body", "String", "Your code is 4242"),
            time_field("TimeStamp", "2024-03-08T09:00:00", "2024-03-08T10:00:00+01:00"),
            field("Folder", "String", "Inbox"),
            multi_model_field("Parties", "Party", &party("p-9", "BANK", "", "From", false)),
        ]
        .concat(),
    );
    let call_out = model(
        "Call",
        "33333333-0000-4000-8000-000000000001",
        "Intact",
        &[
            field("Source", "String", "Phone"),
            field("Direction", "CallDirection", "Outgoing"),
            field("Type", "CallType", "Outgoing"),
            field("Duration", "TimeSpan", "00:02:05.5000000"),
            field("VideoCall", "Boolean", "False"),
            time_field("TimeStamp", "2024-03-10T07:00:00", "2024-03-10T08:00:00+01:00"),
            multi_model_field("Parties", "Party", &[party("p-10", OWNER, "Me", "From", true), party("p-11", RECRUITER, "Recruiter", "To", false)].concat()),
        ]
        .concat(),
    );
    let call_missed = model(
        "Call",
        "33333333-0000-4000-8000-000000000002",
        "Deleted",
        &[
            field("Source", "String", "WhatsApp"),
            field("Direction", "CallDirection", "Incoming"),
            field("Status", "CallStatus", "Missed"),
            field("Duration", "TimeSpan", "00:00:00"),
            field("VideoCall", "Boolean", "True"),
            time_field("TimeStamp", "2024-03-10T21:15:00", "2024-03-10T21:15:00+00:00"),
            multi_model_field("Parties", "Party", &[party("p-12", RECRUITER, "Recruiter", "From", false), party("p-13", OWNER, "Me", "To", true)].concat()),
        ]
        .concat(),
    );
    let contact = model(
        "Contact",
        "44444444-0000-4000-8000-000000000001",
        "Intact",
        &[
            field("Name", "String", "Recruiter Berlin"),
            field("Source", "String", "WhatsApp"),
            field("Account", "String", OWNER),
            time_field("TimeCreated", "2024-03-01T12:00:00", "2024-03-01T12:00:00+00:00"),
            time_field("TimeModified", "2024-03-05T09:30:00", "2024-03-05T10:30:00+01:00"),
            multi_model_field(
                "Entries",
                "ContactEntry",
                &[
                    model("PhoneNumber", "e-1", "Intact", &[field("Category", "String", "Mobile"), field("Value", "String", "+49 170 1234567")].concat()),
                    model("EmailAddress", "e-2", "Intact", &[field("Category", "String", "Work"), field("Value", "String", "jobs@example.org")].concat()),
                ]
                .concat(),
            ),
        ]
        .concat(),
    );
    let location = model(
        "Location",
        "55555555-0000-4000-8000-000000000001",
        "Intact",
        &[
            field("Name", "String", "Alexanderplatz"),
            field("Source", "String", "Google Maps"),
            time_field("TimeStamp", "2024-03-11T11:00:00", "2024-03-11T12:00:00+01:00"),
            model_field(
                "Position",
                "Coordinate",
                &model(
                    "Coordinate",
                    "co-2",
                    "Intact",
                    &[field("Latitude", "Double", "52.5219"), field("Longitude", "Double", "13.4132"), field("Elevation", "Double", "34")].concat(),
                ),
            ),
            model_field(
                "Address",
                "StreetAddress",
                &model("StreetAddress", "ad-1", "Intact", &[field("City", "String", "Berlin"), field("Country", "String", "Germany")].concat()),
            ),
        ]
        .concat(),
    );
    let visited = format!(
        r#"<model type="VisitedPage" id="66666666-0000-4000-8000-000000000001" deleted_state="Intact" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0"><field name="Url" type="String"><value type="String">https://jobs.example.org/berlin?ref=ad&amp;lang=ro</value></field>{}{}{}</model>"#,
        field("Title", "String", "Jobs in Berlin – no experience"),
        field("Source", "String", "Chrome"),
        time_field("LastVisited", "2024-03-08T20:00:00", "2024-03-08T20:00:00+00:00"),
    );
    let searched = model(
        "SearchedItem",
        "66666666-0000-4000-8000-000000000002",
        "Intact",
        &[
            field("Value", "String", "work abroad no visa"),
            field("Source", "String", "Chrome"),
            time_field("TimeStamp", "2024-03-08T19:58:00", "2024-03-08T19:58:00+00:00"),
        ]
        .concat(),
    );
    let account = model(
        "UserAccount",
        "77777777-0000-4000-8000-000000000001",
        "Intact",
        &[field("Name", "String", "Andrei"), field("Username", "String", "andrei.p@example.org"), field("ServiceType", "String", "com.google")].concat(),
    );
    let app = model(
        "InstalledApplication",
        "88888888-0000-4000-8000-000000000001",
        "Intact",
        &[field("Name", "String", "WhatsApp"), field("Identifier", "String", "net.whatsapp.WhatsApp"), field("Version", "String", "24.5.1")].concat(),
    );
    let note = model("Note", "99999999-0000-4000-8000-000000000001", "Intact", &field("Body", "String", "not mapped"));
    let email = model("Email", "99999999-0000-4000-8000-000000000002", "Intact", &field("Body", "String", "not mapped either"));
    let mt = |t: &str, inner: &str| {
        format!(
            r#"    <modelType type="{t}">{inner}</modelType>
"#
        )
    };
    [
        mt("Chat", &chat),
        mt("SMS", &sms),
        mt("Call", &[call_out, call_missed].concat()),
        mt("Contact", &contact),
        mt("Location", &location),
        mt("VisitedPage", &visited),
        mt("SearchedItem", &searched),
        mt("UserAccount", &account),
        mt("InstalledApplication", &app),
        mt("Note", &note),
        mt("Email", &email),
    ]
    .concat()
}

fn report(tagged: &str, models: &str) -> String {
    format!("{}  <decodedData>\n{models}  </decodedData>\n</project>\n", report_head(tagged))
}

// ---------------------------------------------------------------------------------------------
// UFDR files.
// ---------------------------------------------------------------------------------------------

fn md5_hex(d: &[u8]) -> String {
    hex::encode(md5::Md5::digest(d))
}

fn sha256_hex(d: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(d))
}

/// A small iOS `sms.db` (a real SQLite file), so the native parser can read it at its device path.
fn sms_db(dir: &Path) -> Vec<u8> {
    let p = dir.join("sms-src.db");
    let _ = std::fs::remove_file(&p);
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute_batch(
        "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT, service TEXT);
         CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, handle_id INTEGER, service TEXT, date INTEGER, date_read INTEGER, is_from_me INTEGER);
         CREATE TABLE chat (ROWID INTEGER PRIMARY KEY, guid TEXT, chat_identifier TEXT, display_name TEXT, style INTEGER, service_name TEXT);
         CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER);
         CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER);
         INSERT INTO handle VALUES (1, '+491701234567', 'SMS');
         INSERT INTO chat VALUES (1, 'SMS;-;+491701234567', '+491701234567', '', 45, 'SMS');
         INSERT INTO chat_handle_join VALUES (1, 1);
         INSERT INTO message VALUES (1, 'g1', 'Call me about the job', 1, 'SMS', 731779200000000000, 0, 0);
         INSERT INTO chat_message_join VALUES (1, 1);",
    )
    .unwrap();
    drop(c);
    std::fs::read(&p).unwrap()
}

fn jpg() -> Vec<u8> {
    [b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00".as_slice(), &[7u8; 2000], b"\xFF\xD9"].concat()
}

struct Ufdr {
    path: PathBuf,
    sms: Vec<u8>,
    jpg: Vec<u8>,
}

#[derive(Clone, Copy, Default)]
struct Variant {
    wrong_sms_sha256: bool,
    missing_member: bool,
    report_name_capital: bool,
}

fn write_zip(out: &Path, members: &[(&str, &[u8], bool)]) {
    let f = std::fs::File::create(out).unwrap();
    let mut z = zip::ZipWriter::new(f);
    for (name, data, deflate) in members {
        let method = if *deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
        z.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(method).large_file(data.len() > 1 << 30)).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

fn tagged_files(sms: &[u8], jpg: &[u8], v: Variant) -> String {
    let mut sms_sha = sha256_hex(sms);
    if v.wrong_sms_sha256 {
        sms_sha = "0".repeat(64);
    }
    let mut t = tagged_xml(&Tagged {
        id: "file-sms",
        path: "/private/var/mobile/Library/SMS/sms.db",
        local: r"files\Database\sms.db",
        deleted: "Intact",
        md5: md5_hex(sms),
        sha256: sms_sha,
        size: sms.len(),
    });
    t.push_str(&tagged_xml(&Tagged {
        id: "file-jpg",
        path: "/private/var/mobile/Media/DCIM/100APPLE/IMG_0001.JPG",
        local: r"files\Image\x.jpg",
        deleted: "Deleted",
        md5: md5_hex(jpg),
        sha256: sha256_hex(jpg).to_uppercase(),
        size: jpg.len(),
    }));
    if v.missing_member {
        t.push_str(&tagged_xml(&Tagged {
            id: "file-lost",
            path: "/private/var/mobile/Library/Notes/NoteStore.sqlite",
            local: r"files\Database\NoteStore.sqlite",
            deleted: "Intact",
            md5: md5_hex(b"gone"),
            sha256: sha256_hex(b"gone"),
            size: 4,
        }));
    }
    // Known to the report, not exported.
    t.push_str(r#"<file fs="Apple File System" path="/private/var/mobile/Library/Caches/big.cache" size="99" id="file-not-exported" deleted="Intact" />"#);
    t
}

fn build(dir: &Path, name: &str, v: Variant, report_text: Option<&str>) -> Ufdr {
    let sms = sms_db(dir);
    let jpg = jpg();
    let xml = match report_text {
        Some(r) => r.to_string(),
        None => report(&tagged_files(&sms, &jpg, v), &decoded_models()),
    };
    let path = dir.join(name);
    let report_name = if v.report_name_capital { "Report.xml" } else { "report.xml" };
    write_zip(
        &path,
        &[
            (report_name, xml.as_bytes(), true),
            ("files/Database/sms.db", &sms, false),
            ("files/Image/x.jpg", &jpg, false),
            ("chats/WhatsApp/Job offer Berlin.html", b"<html>rendered chat</html>", true),
        ],
    );
    Ufdr { path, sms, jpg }
}

fn issues_of(case: &Path) -> Vec<(String, String, Option<String>, String)> {
    let c = db(case);
    let mut s = c.prepare("SELECT code, severity, path, message FROM ingest_issues ORDER BY id").unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(|r| r.unwrap()).collect()
}

fn ufdr_run(v: &serde_json::Value) -> serde_json::Value {
    v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == "ufdr-report").cloned().unwrap_or_else(|| panic!("no ufdr-report run in {v}"))
}

const T_2024_03_09_16_00: i64 = 1_710_000_000_000_000;

// ---------------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_ufdr_is_a_device_tree_with_checked_hashes_and_its_models_become_artefacts() {
    let t = tempfile::tempdir().unwrap();
    let u = build(t.path(), "phone.ufdr", Variant::default(), None);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &u.path, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(v["container_kind"], "ufdr", "{out}");
    assert_eq!(v["status"], "complete", "{out}");

    // The raw files sit at their device paths, with the device's times and the member as raw path.
    let c = db(&case);
    let (raw, sha, md5, mtime, btime, atime): (String, String, String, Option<i64>, Option<i64>, Option<i64>) = c
        .query_row("SELECT raw_path, sha256, md5, mtime_utc, btime_utc, atime_utc FROM files WHERE path = '/private/var/mobile/Library/SMS/sms.db'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })
        .unwrap();
    assert_eq!(raw, "files/Database/sms.db");
    assert_eq!(sha, sha256_hex(&u.sms));
    assert_eq!(md5, md5_hex(&u.sms));
    assert_eq!(mtime, Some(1_709_978_400_000_000), "ModifyTime 2024-03-09T11:00:00+01:00");
    assert_eq!(btime, Some(1_709_283_600_000_000), "CreationTime 2024-03-01T10:00:00+01:00");
    assert_eq!(atime, Some(1_710_064_800_000_000));
    let (jpg_id, jpg_flags, jpg_sha): (i64, Option<String>, String) = c
        .query_row("SELECT id, flags, sha256 FROM files WHERE path = '/private/var/mobile/Media/DCIM/100APPLE/IMG_0001.JPG'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(jpg_sha, sha256_hex(&u.jpg));
    assert!(jpg_flags.unwrap_or_default().split(',').any(|f| f == "deleted"), "the report says the picture is deleted");
    // Everything else stays under /_ufdr/.
    for p in ["/_ufdr/report.xml", "/_ufdr/chats/WhatsApp/Job offer Berlin.html"] {
        assert_eq!(count(&case, &format!("SELECT count(*) FROM files WHERE path = '{p}' AND sha256 IS NOT NULL")), 1, "{p}");
    }
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path LIKE '/files/%' OR path LIKE '/_ufdr/files/%'"), 0);
    // The stated hashes matched (the JPEG's was stated in upper case).
    let issues = issues_of(&case);
    assert!(!issues.iter().any(|i| i.0 == "hash-mismatch" || i.0 == "missing-member" || i.1 == "error"), "{issues:?}");
    assert!(issues.iter().any(|i| i.0 == "ufdr-not-exported" && i.3.starts_with("1 files")), "{issues:?}");

    // The native parser read the raw sms.db at its device path too.
    let runs = v["parse"]["runs"].as_array().unwrap();
    let sms_run = runs.iter().find(|r| r["parser"] == "ios-sms").unwrap();
    assert_eq!(sms_run["status"], "ok", "{sms_run}");
    assert_eq!(sms_run["path"], "/private/var/mobile/Library/SMS/sms.db");

    // One ufdr-report run with the counts.
    let report_run = ufdr_run(&v);
    assert_eq!(report_run["status"], "ok", "{report_run}");
    assert_eq!(report_run["path"], "/_ufdr/report.xml");
    let msg = report_run["message"].as_str().unwrap();
    eprintln!("ufdr-report run: {msg}");
    for part in [
        "4 messages",
        "1 threads",
        "2 calls",
        "1 contacts",
        "2 locations",
        "2 web visits",
        "1 attachments",
        "1 accounts",
        "1 apps",
        "Chat 1 (holding 3 messages)",
        "2 model types skipped: Email (1), Note (1)",
    ] {
        assert!(msg.contains(part), "'{part}' not in: {msg}");
    }
    assert_eq!(report_run["items"], 15, "{msg}");
    assert_eq!(count(&case, "SELECT count(*) FROM runs WHERE name = 'ufdr-report'"), 1);
    let report_id: i64 = c.query_row("SELECT id FROM files WHERE path = '/_ufdr/report.xml'", [], |r| r.get(0)).unwrap();

    // The chat: a thread and its three messages, in order, with times, directions and the deleted one.
    let (tid, service, name, participants, is_group, tfile): (i64, String, String, String, bool, i64) = c
        .query_row("SELECT id, service, name, participants, is_group, file_id FROM threads WHERE thread_key = ?1", [CHAT_ID], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })
        .unwrap();
    assert_eq!((service.as_str(), name.as_str(), is_group, tfile), ("whatsapp", "Job offer Berlin", false, report_id));
    assert_eq!(participants, format!(r#"["{RECRUITER}","{OWNER}"]"#));
    type Row = (String, Option<i64>, String, String, Option<String>, Option<String>, bool, i64, Option<String>, String, Option<String>, Option<String>);
    let rows: Vec<Row> = {
        let mut s = c
            .prepare(
                "SELECT body, sent_utc, sent_raw, direction, sender, recipients, deleted, src_row, status, service, sent_unit, time_flag
                 FROM messages WHERE parser = 'ufdr-report' AND thread_id = ?1 ORDER BY src_row",
            )
            .unwrap();
        s.query_map([tid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].0, "Work in Berlin, 1500 EUR a month. Bring your passport.");
    assert_eq!(rows[0].1, Some(T_2024_03_09_16_00 + 250_000), "the offset is applied and the value's milliseconds kept");
    assert_eq!(rows[0].2, "2024-03-09T17:00:00+01:00 (value 2024-03-09T16:00:00.250)");
    assert_eq!((rows[0].3.as_str(), rows[0].4.as_deref(), rows[0].5.as_deref()), ("incoming", Some(RECRUITER), Some(format!(r#"["{OWNER}"]"#).as_str())));
    assert_eq!(rows[0].9, "whatsapp");
    assert_eq!(rows[0].10.as_deref(), Some("unix-us"));
    assert_eq!(rows[0].8.as_deref(), Some("Read"), "the status is the model's Status field alone");
    assert_eq!((rows[1].0.as_str(), rows[1].1, rows[1].3.as_str()), ("OK. When do I leave?", Some(T_2024_03_09_16_00 + 300_000_000), "outgoing"));
    assert_eq!(rows[1].4.as_deref(), Some(OWNER));
    let (received, read): (Option<i64>, Option<i64>) =
        c.query_row("SELECT received_utc, read_utc FROM messages WHERE src_table = 'ufdr:InstantMessage' AND src_row = 2", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((received, read), (Some(T_2024_03_09_16_00 + 302_000_000), Some(T_2024_03_09_16_00 + 420_000_000)), "DateDelivered and DateRead");
    assert_eq!(rows[2].0, "Delete this & tell nobody <3 \u{1F600}");
    assert_eq!(rows[2].1, Some(1_710_027_000_000_000), "18:30-05:00 is 23:30 UTC");
    assert_eq!((rows[2].3.as_str(), rows[2].6), ("incoming", true), "direction from the owner's party; deleted_state Deleted");
    assert!(!rows[0].6 && !rows[1].6);
    assert_eq!(rows[2].8, None, "no Status field");
    // The model's provenance sits in ufdr_models, one row per artefact row.
    type ProvRow = (String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let prov = |table: &str, where_: &str| -> ProvRow {
        c.query_row(
            &format!(
                "SELECT u.model_type, u.model_id, u.deleted_state, u.decoding_confidence, u.is_related, u.is_carved, u.extraction_id, u.extraction_name, u.jump_targets
                 FROM ufdr_models u JOIN {table} a ON a.id = u.ref_id AND u.ref_table = '{table}' WHERE {where_}"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)),
        )
        .unwrap()
    };
    let p1 = prov("messages", "a.src_table = 'ufdr:InstantMessage' AND a.src_row = 1");
    assert_eq!(
        (p1.0.as_str(), p1.1.as_deref(), p1.2.as_deref(), p1.3.as_deref(), p1.4.as_deref(), p1.5.as_deref(), p1.6.as_deref(), p1.7.as_deref()),
        ("InstantMessage", Some("11111111-0000-4000-8000-000000000001"), Some("Intact"), Some("High"), Some("False"), None, Some("0"), Some("File System"))
    );
    let targets: serde_json::Value = serde_json::from_str(p1.8.as_deref().unwrap()).unwrap();
    assert_eq!(
        targets,
        serde_json::json!([
            {"id": "file-sms", "path": "/private/var/mobile/Library/SMS/sms.db"},
            {"id": "file-jpg", "path": "/private/var/mobile/Media/DCIM/100APPLE/IMG_0001.JPG"}
        ])
    );
    let p3 = prov("messages", "a.src_table = 'ufdr:InstantMessage' AND a.src_row = 3");
    assert_eq!(
        (p3.2.as_deref(), p3.3.as_deref(), p3.4.as_deref(), p3.5.as_deref(), p3.6.as_deref(), p3.7.as_deref()),
        (Some("Deleted"), Some("Medium"), Some("True"), Some("True"), Some("1"), Some("Advanced Logical"))
    );
    assert_eq!(p3.8.as_deref(), Some(r#"[{"id":"file-unknown","path":null}]"#), "a target the report does not tag keeps its id");
    // The shared location has its message's provenance; the attachment and the thread their own.
    assert_eq!(prov("locations", "a.src_table = 'ufdr:InstantMessage'").1.as_deref(), Some("11111111-0000-4000-8000-000000000001"));
    assert_eq!(prov("attachments", "1").1.as_deref(), Some("a-1"));
    assert_eq!(prov("threads", "1").1.as_deref(), Some(CHAT_ID));
    assert_eq!(prov("calls", "a.src_row = 2").2.as_deref(), Some("Deleted"));
    // Every row the report made has exactly one provenance row.
    assert_eq!(count(&case, "SELECT count(*) FROM ufdr_models"), 15);
    for t in ["messages", "threads", "attachments", "calls", "contacts", "web_visits", "locations", "accounts", "apps"] {
        assert_eq!(
            count(&case, &format!("SELECT count(*) FROM {t} a WHERE a.run_id IN (SELECT id FROM runs WHERE name = 'ufdr-report') AND NOT EXISTS (SELECT 1 FROM ufdr_models u WHERE u.ref_table = '{t}' AND u.ref_id = a.id)")),
            0,
            "{t}"
        );
    }
    assert_eq!(rows.iter().map(|r| r.7).collect::<Vec<_>>(), [1, 2, 3], "src_row: the ordinal of the InstantMessage models");
    assert!(rows.iter().all(|r| r.11.is_none()));
    assert_eq!(
        count(
            &case,
            "SELECT count(*) FROM messages WHERE parser = 'ufdr-report' AND src_table = 'ufdr:InstantMessage' AND file_id = (SELECT id FROM files WHERE path = '/_ufdr/report.xml')"
        ),
        3
    );
    // The standalone SMS.
    let (body, dir, sender, service, sent): (String, String, String, String, i64) = c
        .query_row("SELECT body, direction, sender, service, sent_utc FROM messages WHERE src_table = 'ufdr:SMS'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap();
    assert_eq!((body.as_str(), dir.as_str(), sender.as_str(), service.as_str(), sent), ("Your code is 4242", "incoming", "BANK", "sms", 1_709_888_400_000_000));
    // The attachment is linked to the picture at its device path.
    let (fname, mime, linked, evidence): (String, String, i64, String) = c
        .query_row("SELECT filename, mime, linked_file_id, evidence_path FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.src_row = 2 AND m.src_table = 'ufdr:InstantMessage'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!((fname.as_str(), mime.as_str(), linked), ("x.jpg", "image/jpeg", jpg_id));
    assert_eq!(evidence, "/private/var/mobile/Media/DCIM/100APPLE/IMG_0001.JPG");

    // Calls.
    type CallRow = (String, String, Option<String>, Option<String>, i64, Option<f64>, Option<bool>, bool, bool);
    let calls: Vec<CallRow> = {
        let mut s = c.prepare("SELECT service, direction, peer, peer_name, start_utc, duration_s, answered, video, deleted FROM calls ORDER BY src_row").unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let statuses: Vec<Option<String>> = c.prepare("SELECT status FROM calls ORDER BY src_row").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(statuses, [Some("outgoing".to_string()), Some("missed".to_string())], "from the direction, and from the Status field");
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[0],
        ("phone".into(), "outgoing".into(), Some(RECRUITER.into()), Some("Recruiter".into()), 1_710_054_000_000_000, Some(125.5), Some(true), false, false)
    );
    assert_eq!(
        calls[1],
        ("whatsapp".into(), "incoming".into(), Some(RECRUITER.into()), Some("Recruiter".into()), 1_710_105_300_000_000, Some(0.0), Some(false), true, true)
    );

    // The contact with its two entries.
    let (cname, account, entries, created): (String, String, String, i64) =
        c.query_row("SELECT name, account, entries, created_utc FROM contacts", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
    let modified: (i64, String, String) = c.query_row("SELECT modified_utc, modified_raw, modified_unit FROM contacts", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!(modified, (1_709_631_000_000_000, "2024-03-05T10:30:00+01:00".to_string(), "unix-us".to_string()));
    assert_eq!((cname.as_str(), account.as_str(), created), ("Recruiter Berlin", format!("WhatsApp ({OWNER})").as_str(), 1_709_294_400_000_000));
    let entries: serde_json::Value = serde_json::from_str(&entries).unwrap();
    assert_eq!(
        entries,
        serde_json::json!([{"kind": "phone", "value": "+49 170 1234567", "label": "Mobile"}, {"kind": "email", "value": "jobs@example.org", "label": "Work"}])
    );

    // Locations: the Location model and the position shared in the first message.
    type LocRow = (String, f64, f64, Option<f64>, Option<i64>, Option<String>, String);
    let locs: Vec<LocRow> = {
        let mut s = c.prepare("SELECT kind, lat, lon, alt, at_utc, name, src_table FROM locations ORDER BY src_table").unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))).unwrap().map(|r| r.unwrap()).collect()
    };
    assert_eq!(locs.len(), 2);
    assert_eq!(locs[0], ("ufdr:shared-location".into(), 52.520008, 13.404954, None, Some(T_2024_03_09_16_00 + 250_000), None, "ufdr:InstantMessage".into()));
    assert_eq!(
        locs[1],
        ("ufdr:google maps".into(), 52.5219, 13.4132, Some(34.0), Some(1_710_154_800_000_000), Some("Alexanderplatz — Berlin, Germany".into()), "ufdr:Location".into())
    );
    // The same through the CLI, with the report's model as provenance.
    let o = run(&[&"locations", &case, &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let cli: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<(f64, f64, &str)> = cli.as_array().unwrap().iter().map(|l| (l["lat"].as_f64().unwrap(), l["lon"].as_f64().unwrap(), l["provenance"]["ufdr_model"]["model_type"].as_str().unwrap())).collect();
    assert_eq!(got, [(52.520008, 13.404954, "InstantMessage"), (52.5219, 13.4132, "Location")]);
    let o = run(&[&"locations", &case, &"--from", &"2024-03-10"]);
    assert!(text(&o).contains("Alexanderplatz") && !text(&o).contains("52.52001"), "{}", text(&o));

    // Web: the visited page (entity in its URL) and the search.
    let visits: Vec<(String, String, Option<String>, i64)> = {
        let mut s = c.prepare("SELECT browser, url, title, visit_utc FROM web_visits ORDER BY visit_utc").unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(|r| r.unwrap()).collect()
    };
    let terms: Vec<Option<String>> = c.prepare("SELECT search_term FROM web_visits ORDER BY visit_utc").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(terms, [Some("work abroad no visa".to_string()), None], "a SearchedItem's Value is its search term");
    assert_eq!(visits[0], ("chrome".into(), "search: work abroad no visa".into(), Some("search: work abroad no visa".into()), 1_709_927_880_000_000));
    assert_eq!(
        visits[1],
        ("chrome".into(), "https://jobs.example.org/berlin?ref=ad&lang=ro".into(), Some("Jobs in Berlin – no experience".into()), 1_709_928_000_000_000)
    );
    assert_eq!(count(&case, "SELECT count(*) FROM accounts WHERE service = 'com.google' AND username = 'andrei.p@example.org' AND display_name = 'Andrei'"), 1);
    assert_eq!(count(&case, "SELECT count(*) FROM apps WHERE identifier = 'net.whatsapp.WhatsApp' AND name = 'WhatsApp' AND version = '24.5.1'"), 1);

    // The CLI shows them with their provenance.
    let o = run(&[&"messages", &case, &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let ours: Vec<&serde_json::Value> = listed.iter().filter(|m| m["provenance"]["parser"].as_str().unwrap_or("").starts_with("ufdr-report")).collect();
    assert_eq!(ours.len(), 4);
    assert!(ours.iter().all(|m| m["provenance"]["path"] == "/_ufdr/report.xml"), "{ours:?}");
    let deleted = ours.iter().find(|m| m["provenance"]["ufdr_model"]["id"] == "11111111-0000-4000-8000-000000000003").unwrap();
    assert_eq!(deleted["provenance"]["ufdr_model"]["deleted_state"], "Deleted");
    assert_eq!(deleted["provenance"]["ufdr_model"]["extraction"], "Advanced Logical");
    assert_eq!(deleted["provenance"]["ufdr_model"]["jump_targets"][0]["id"], "file-unknown");
    assert!(listed.iter().filter(|m| m["provenance"]["parser"].as_str().unwrap_or("").starts_with("ios-sms")).all(|m| m["provenance"]["ufdr_model"].is_null()), "native rows have none");
    let shown = text(&run(&[&"messages", &case]));
    assert!(shown.contains("ufdr model 11111111-0000-4000-8000-000000000003, confidence Medium, Deleted"), "{shown}");
    let o = run(&[&"calls", &case, &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|c| c["status"] == "missed"), "{listed:?}");
    let o = run(&[&"calls", &case]);
    assert!(text(&o).contains("missed"), "{}", text(&o));

    // Parsing again without --force does nothing new; with it, the run is repeated, not doubled.
    let o = run(&[&"parse", &case, &"--force", &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(count(&case, "SELECT count(*) FROM runs WHERE name = 'ufdr-report' AND status = 'ok'"), 2);
    // The second run's rows replace the first's, with their provenance and index entries.
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE parser = 'ufdr-report'"), 4);
    assert_eq!(count(&case, "SELECT count(*) FROM ufdr_models"), 15);
    assert_eq!(count(&case, "SELECT count(*) FROM ufdr_models u WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE u.ref_table = 'messages' AND m.id = u.ref_id) AND u.ref_table = 'messages'"), 0);
    assert_eq!(count(&case, "SELECT count(*) FROM fts_text t WHERE t.kind = 'message' AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = t.ref_id)"), 0);
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE parser = 'ios-sms'"), count(&case, "SELECT count(DISTINCT src_row) FROM messages WHERE parser = 'ios-sms'"));
    let last: String = db(&case).query_row("SELECT message FROM runs WHERE name = 'ufdr-report' ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert!(last.contains("replaced the 15 rows of earlier runs"), "{last}");
    let (code, v2, out) = ingest_json(&case, &u.path, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(v2["already_complete"], true);
}

#[test]
fn a_wrong_stated_hash_is_a_hash_mismatch_and_the_source_is_partial() {
    let t = tempfile::tempdir().unwrap();
    let u = build(t.path(), "wrong.ufdr", Variant { wrong_sms_sha256: true, report_name_capital: true, ..Variant::default() }, None);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &u.path, &[]);
    assert_eq!(code, 5, "{out}");
    assert_eq!(v["container_kind"], "ufdr");
    assert_eq!(v["status"], "partial");
    assert!(v["status_reason"].as_str().unwrap().contains("1 files do not match the hashes the container states"), "{out}");
    let issues = issues_of(&case);
    let mm: Vec<_> = issues.iter().filter(|i| i.0 == "hash-mismatch").collect();
    assert_eq!(mm.len(), 1, "{issues:?}");
    assert_eq!(mm[0].2.as_deref(), Some("/private/var/mobile/Library/SMS/sms.db"));
    assert!(mm[0].3.contains("files/Database/sms.db") && mm[0].3.contains(&"0".repeat(64)) && mm[0].3.contains(&sha256_hex(&u.sms)), "{}", mm[0].3);
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/private/var/mobile/Library/SMS/sms.db' AND flags LIKE '%hash-mismatch%'"), 1);
    // `Report.xml` (capital R) is read the same way.
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/_ufdr/Report.xml'"), 1);
    assert_eq!(ufdr_run(&v)["status"], "ok");
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE parser = 'ufdr-report'"), 4);
}

#[test]
fn a_missing_member_is_reported_and_listed_at_its_device_path() {
    let t = tempfile::tempdir().unwrap();
    let u = build(t.path(), "missing.ufdr", Variant { missing_member: true, ..Variant::default() }, None);
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &u.path, &[]);
    assert_eq!(code, 5, "{out}");
    assert_eq!(v["status"], "partial");
    let issues = issues_of(&case);
    let missing: Vec<_> = issues.iter().filter(|i| i.0 == "missing-member").collect();
    assert_eq!(missing.len(), 1, "{issues:?}");
    assert_eq!(missing[0].1, "warning");
    assert!(missing[0].3.contains("/private/var/mobile/Library/Notes/NoteStore.sqlite") && missing[0].3.contains(r"files\Database\NoteStore.sqlite"), "{}", missing[0].3);
    let (seq, err, sha): (i64, Option<String>, Option<String>) = db(&case)
        .query_row("SELECT seq, error, sha256 FROM files WHERE path = '/private/var/mobile/Library/Notes/NoteStore.sqlite'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(seq, 4, "after the ZIP's four members");
    assert!(err.unwrap().contains("no such member"));
    assert_eq!(sha, None);
    // Everything else was read and checked.
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE sha256 IS NOT NULL"), 4);
    assert!(!issues.iter().any(|i| i.0 == "hash-mismatch"));
    // Resuming retries the missing member only, and reports it again, once.
    let (code, v, out) = ingest_json(&case, &u.path, &[]);
    assert_eq!(code, 5, "{out}");
    assert_eq!(v["resumed"], true);
    assert_eq!(v["entries_added"], 1, "{out}");
    assert_eq!(issues_of(&case).iter().filter(|i| i.0 == "missing-member").count(), 1);
}

#[test]
fn malformed_models_fail_the_report_run_alone_and_roll_its_rows_back() {
    let t = tempfile::tempdir().unwrap();
    let sms = sms_db(t.path());
    let jpg = jpg();
    // The damage comes after the chat, so rows were written before it: they must be rolled back.
    let models = decoded_models().replacen(
        r#"<modelType type="Call">"#,
        r#"<modelType type="Call"><model type="Call" id="bad"><field name="Duration"><value>00:01:00</field></model>"#,
        1,
    );
    let xml = report(&tagged_files(&sms, &jpg, Variant::default()), &models);
    let bad_line = xml[..xml.find(r#"id="bad""#).unwrap()].matches('\n').count() + 1;
    let u = build(t.path(), "bad-models.ufdr", Variant::default(), Some(&xml));
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &u.path, &[]);
    // The files are fine: all hashed, at their device paths, the source complete.
    assert_eq!(code, 0, "{out}");
    assert_eq!(v["status"], "complete");
    assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/private/var/mobile/Library/SMS/sms.db' AND sha256 IS NOT NULL"), 1);
    let run = ufdr_run(&v);
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["items"], 0);
    let msg = run["message"].as_str().unwrap();
    eprintln!("ufdr-report run: {msg}");
    assert!(msg.contains("'/_ufdr/report.xml'") && msg.contains("malformed XML") && msg.contains(&format!("at line {bad_line}, column ")), "{msg}");
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE parser = 'ufdr-report'"), 0);
    assert_eq!(count(&case, "SELECT count(*) FROM threads WHERE src_table = 'ufdr:Chat'"), 0);
    assert_eq!(count(&case, "SELECT count(*) FROM runs WHERE name = 'ufdr-report' AND status = 'failed' AND error_count = 1"), 1);
    // The other parsers ran as usual.
    assert_eq!(v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == "ios-sms").unwrap()["status"], "ok");
}

#[test]
fn an_unreadable_report_still_leaves_every_member_hashed() {
    let t = tempfile::tempdir().unwrap();
    let sms = sms_db(t.path());
    let jpg = jpg();
    let full = report(&tagged_files(&sms, &jpg, Variant::default()), &decoded_models());
    // Cut in the middle of taggedFiles: neither device paths nor models can be read.
    let end = full[..full.find(r#"id="file-jpg""#).unwrap()].rfind("<file").unwrap();
    let cut = &full[..end];
    let u = build(t.path(), "truncated.ufdr", Variant::default(), Some(cut));
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &u.path, &[]);
    assert_eq!(code, 5, "{out}");
    assert_eq!(v["container_kind"], "ufdr");
    assert_eq!(v["status"], "partial");
    let reason = v["status_reason"].as_str().unwrap();
    eprintln!("status reason: {reason}\nissues: {:#?}\nrun: {}", issues_of(&case), ufdr_run(&v)["message"]);
    assert!(reason.contains("report.xml' could not be read") && reason.contains("plain ZIP"), "{reason}");
    assert!(issues_of(&case).iter().any(|i| i.0 == "ufdr-report" && i.1 == "error" && i.3.contains("truncated")), "{:?}", issues_of(&case));
    // Every member hashed, under /_ufdr/.
    let files = file_list(&case, 1);
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(files.iter().all(|f| f.0.starts_with("/_ufdr/")), "{files:?}");
    let sms_row = files.iter().find(|f| f.0 == "/_ufdr/files/Database/sms.db").unwrap();
    assert_eq!(sms_row.3, sha256_hex(&sms));
    let run = ufdr_run(&v);
    assert_eq!(run["status"], "failed");
    assert!(run["message"].as_str().unwrap().contains("truncated"), "{run}");

    // Not XML at all: the same.
    let u = build(t.path(), "garbage.ufdr", Variant::default(), Some("\u{1}\u{2} this is not XML <<<"));
    let (code, v, out) = ingest_json(&case, &u.path, &[]);
    assert_eq!(code, 5, "{out}");
    assert_eq!(v["status"], "partial");
    assert_eq!(file_list(&case, 2).len(), 4);
    let run = ufdr_run(&v);
    assert_eq!(run["status"], "failed", "{run}");
}

/// Peak resident memory of the children that have ended, in KiB.
fn children_max_rss_kib() -> i64 {
    // SAFETY: getrusage writes into the struct we pass and reads nothing else.
    unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut u);
        u.ru_maxrss
    }
}

#[test]
fn a_large_report_is_streamed() {
    let t = tempfile::tempdir().unwrap();
    const IN_CHAT: usize = 100_000;
    const STANDALONE: usize = 100_000;
    let path = t.path().join("large.ufdr");
    let f = std::fs::File::create(&path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    z.start_file("report.xml", zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true)).unwrap();
    let mut written = 0usize;
    let mut w = |z: &mut zip::ZipWriter<std::fs::File>, s: &str| {
        written += s.len();
        z.write_all(s.as_bytes()).unwrap();
    };
    w(&mut z, &report_head(""));
    w(&mut z, "  <decodedData>\n");
    let msg = |i: usize| {
        let s = 1_710_000_000 + i as i64;
        let ts = chrono::DateTime::from_timestamp(s, 0).unwrap().format("%Y-%m-%dT%H:%M:%S").to_string();
        model(
            "InstantMessage",
            &format!("00000000-0000-4000-8000-{i:012}"),
            if i.is_multiple_of(10) { "Deleted" } else { "Intact" },
            &[
                field("Body", "String", &format!("message number {i}: meet at the station, bring documents")),
                time_field("TimeStamp", &ts, &format!("{ts}+00:00")),
                field("Type", "MessageType", if i.is_multiple_of(2) { "Incoming" } else { "Outgoing" }),
                model_field("From", "Party", &party(&format!("pf-{i}"), if i.is_multiple_of(2) { RECRUITER } else { OWNER }, "", "From", i % 2 == 1)),
            ]
            .concat(),
        )
    };
    w(
        &mut z,
        &format!(
            r#"<modelType type="Chat"><model type="Chat" id="{CHAT_ID}" deleted_state="Intact" decoding_confidence="High">{}<multiModelField name="Messages" type="InstantMessage">"#,
            field("Source", "String", "Telegram")
        ),
    );
    for i in 0..IN_CHAT {
        w(&mut z, &msg(i));
    }
    // Participants after the messages: the thread is written before all of them are known.
    w(&mut z, &format!("</multiModelField>{}</model></modelType>\n", multi_model_field("Participants", "Party", &party("pp", RECRUITER, "", "General", false))));
    w(&mut z, r#"<modelType type="InstantMessage">"#);
    for i in IN_CHAT..IN_CHAT + STANDALONE {
        w(&mut z, &msg(i));
    }
    w(&mut z, "</modelType>\n  </decodedData>\n</project>\n");
    z.finish().unwrap();
    assert!(written > 100 << 20, "the report should be large: {written} bytes");

    let case = new_case(t.path());
    let started = std::time::Instant::now();
    let (code, v, out) = ingest_json(&case, &path, &[]);
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(code, 0, "{out}");
    let run = ufdr_run(&v);
    assert_eq!(run["status"], "ok", "{run}");
    assert_eq!(run["items"], (IN_CHAT + STANDALONE + 1) as i64);
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE parser = 'ufdr-report'"), (IN_CHAT + STANDALONE) as i64);
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE parser = 'ufdr-report' AND thread_id IS NOT NULL"), IN_CHAT as i64);
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE deleted = 1"), ((IN_CHAT + STANDALONE) / 10) as i64);
    assert_eq!(count(&case, "SELECT count(*) FROM messages WHERE direction = 'outgoing'"), ((IN_CHAT + STANDALONE) / 2) as i64);
    assert_eq!(count(&case, "SELECT max(src_row) FROM messages WHERE src_table = 'ufdr:InstantMessage'"), (IN_CHAT + STANDALONE) as i64);
    assert_eq!(count(&case, "SELECT count(*) FROM threads WHERE service = 'telegram'"), 1);
    // Memory stays bounded, well below the report's size: it is never held whole. (The case
    // connection alone may keep a 64 MiB page cache; the report is over 200 MiB.)
    let rss_mib = children_max_rss_kib() / 1024;
    eprintln!("large report: {} MiB of XML, ingest + parse {secs:.1} s, peak RSS {rss_mib} MiB", written >> 20);
    assert!(written > 200 << 20);
    assert!(rss_mib < 150, "peak RSS {rss_mib} MiB for a {} MiB report", written >> 20);
}
