//! Android full-file-system tree: mmssms.db (SMS + MMS), contacts2.db, calllog.db, WhatsApp
//! msgstore.db + wa.db, Chrome History, camera roll, MMS part files.

use std::path::Path;

use rusqlite::params;

use super::Tree;
use super::images::Bases;
use super::plan::*;
use super::rng::Rng;
use super::schema;
use super::sqlite;
use super::sqlite::Exec;
use super::timefmt::{unix_ms, webkit_us};
use crate::error::{Result, SqlContext};

/// Android MIME types used in `contacts2.db`, in `_id` order.
pub const MIMETYPES: &[&str] = &[
    "vnd.android.cursor.item/email_v2",
    "vnd.android.cursor.item/im",
    "vnd.android.cursor.item/nickname",
    "vnd.android.cursor.item/organization",
    "vnd.android.cursor.item/phone_v2",
    "vnd.android.cursor.item/sip_address",
    "vnd.android.cursor.item/name",
    "vnd.android.cursor.item/postal-address_v2",
    "vnd.android.cursor.item/identity",
    "vnd.android.cursor.item/photo",
    "vnd.android.cursor.item/group_membership",
    "vnd.android.cursor.item/vnd.com.whatsapp.profile",
];

fn mime_id(m: &str) -> i64 {
    MIMETYPES.iter().position(|x| *x == m).map(|p| p as i64 + 1).unwrap_or(0)
}

/// The Android tree of device `di` (paths without the `Dump/` vendor prefix).
pub fn build_tree(plan: &Plan, di: usize, scratch: &Path, bases: &Bases) -> Result<Tree> {
    let mut tree = Tree::new();
    let mut rng = Rng::new(plan.seed).fork(&format!("android/{}", plan.devices[di].id));
    mmssms(plan, di, scratch, &mut rng, &mut tree, bases)?;
    contacts(plan, di, scratch, &mut tree)?;
    calllog(plan, di, scratch, &mut tree)?;
    msgstore(plan, di, scratch, &mut rng, &mut tree)?;
    wa_db(plan, di, scratch, &mut tree)?;
    tree.insert(AND_CHROME.to_string(), chrome_history(plan, di, scratch, "History-android")?);
    tree.insert(AND_PACKAGES.to_string(), packages_xml(plan, di));
    for (path, bytes) in super::media::device_files(plan, di, bases)? {
        tree.insert(path, bytes);
    }
    tree.insert(
        "data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml".to_string(),
        wa_prefs(&plan.persons[plan.devices[di].owner]).into_bytes(),
    );
    Ok(tree)
}

/// Apps installed on Android device `di`: (package, version code, first install in Unix ms).
/// Install times are whole seconds before the extraction day.
pub fn installed_apps(plan: &Plan, di: usize) -> Vec<(&'static str, i64, i64)> {
    let day = 86_400i64;
    let base = plan.archive_mtime as i64 - di as i64 * 3 * day;
    let mut apps = vec![
        ("com.google.android.apps.messaging", 180_012_345i64, (base - 420 * day) * 1000),
        ("com.android.chrome", 619_903_733, (base - 410 * day - 3_600) * 1000),
    ];
    if !plan.wa_peers(di).is_empty() {
        apps.push(("com.whatsapp", 232_418_002, (base - 130 * day - 7_200) * 1000));
    }
    apps
}

/// `/data/system/packages.xml` as Android 12+ writes it: binary XML (ABX), `it`/`ut`/`ft` as longs
/// shown in hex, `version` as a long.
fn packages_xml(plan: &Plan, di: usize) -> Vec<u8> {
    let mut w = super::abx::AbxWriter::new();
    w.start("packages");
    w.start("version").attr_int("sdkVersion", 33).attr_int("databaseVersion", 3).attr("fingerprint", "google/sample/sample:13/TQ3A.230805.001/10316531:user/release-keys").end("version");
    for (i, (pkg, version, installed_ms)) in installed_apps(plan, di).into_iter().enumerate() {
        w.start("package")
            .attr_interned("name", pkg)
            .attr("codePath", &format!("/data/app/~~{:x}==/{pkg}-1", 0x51a7 + i))
            .attr_int("publicFlags", 0x38d8_be44)
            .attr_long_hex("ft", installed_ms + 12_000)
            .attr_long_hex("it", installed_ms)
            .attr_long_hex("ut", installed_ms + 30 * 86_400_000)
            .attr_long("version", version)
            .attr_int("userId", 10_100 + i as i32)
            .attr_interned("installer", "com.android.vending")
            .attr_bool("isOrphaned", false);
        w.start("sigs").attr_int("count", 1).attr_int("schemeVersion", 3);
        w.start("cert").attr_int("index", i as i32).attr_bytes_hex("key", &[0x30, 0x82, 0x01, i as u8]).end("cert");
        w.end("sigs");
        w.end("package");
    }
    w.end("packages");
    w.finish()
}

/// Delivery receipt time of the `k`-th recipient of an outgoing WhatsApp message sent at `t_ms`.
pub fn wa_delivered_ms(t_ms: i64, k: usize) -> i64 {
    t_ms + 1_500 + 250 * k as i64
}

/// Read receipt time of the `k`-th recipient of an outgoing WhatsApp message sent at `t_ms`.
pub fn wa_read_ms(t_ms: i64, k: usize) -> i64 {
    t_ms + 45_000 + 5_000 * k as i64
}

/// How long after its sending time an incoming WhatsApp message is stored (`received_timestamp`).
pub const WA_STORED_AFTER_MS: i64 = 400;

fn wa_prefs(owner: &Person) -> String {
    let phone = owner.phone.clone().unwrap_or_default();
    let (cc, ph) = if let Some(rest) = phone.strip_prefix("+33") { ("33", rest.to_string()) } else { ("", phone.clone()) };
    format!(
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <string name=\"cc\">{cc}</string>\n    <string name=\"ph\">{ph}</string>\n    <string name=\"push_name\">{}</string>\n</map>\n",
        owner.push_name.clone().unwrap_or_default()
    )
}

/// Path of an MMS picture part file (`PART_<ms>`), from the message time and the attachment key.
pub fn part_path(m: &Message, att: &Attachment) -> String {
    let n: i64 = att.key.bytes().filter(u8::is_ascii_digit).fold(0, |a, d| a * 10 + i64::from(d - b'0')) % 1000;
    format!("{AND_PARTS}/PART_{}", unix_ms(m.t) + n)
}

fn mmssms(plan: &Plan, di: usize, scratch: &Path, rng: &mut Rng, tree: &mut Tree, bases: &Bases) -> Result<()> {
    let owner = plan.devices[di].owner;
    let (conn, path) = sqlite::create(scratch, "mmssms.db")?;
    conn.execute_batch(schema::ANDROID_MMSSMS).ctx("creating mmssms.db")?;
    conn.exec("INSERT INTO android_metadata (locale) VALUES ('fr_FR')", []).ctx("android_metadata")?;
    let threads = plan.threads_in(di, &[Store::AndroidSms, Store::AndroidMms]);
    let copies: Vec<MsgCopy> = plan.copies().iter().filter(|c| c.device == di && matches!(c.store, Store::AndroidSms | Store::AndroidMms)).cloned().collect();
    for (i, &t) in threads.iter().enumerate() {
        let peer = &plan.persons[plan.peer(t, owner)];
        let id = i as i64 + 1;
        conn.exec("INSERT INTO canonical_addresses (_id, address) VALUES (?1, ?2)", params![id, peer.android_sms_address()]).ctx("canonical_addresses")?;
        let mine: Vec<&MsgCopy> = copies.iter().filter(|c| plan.messages[c.msg].thread == t && c.fate != Fate::Purged).collect();
        let last = mine.last().map(|c| &plan.messages[c.msg]);
        conn.exec(
            "INSERT INTO threads (_id, date, message_count, recipient_ids, snippet, snippet_cs, read, type, has_attachment) VALUES (?1, ?2, ?3, ?4, ?5, 0, 1, 0, ?6)",
            params![id, last.map(|m| unix_ms(m.t)).unwrap_or(0), mine.len() as i64, id.to_string(), last.map(|m| m.text.clone()), mine.iter().any(|c| c.store == Store::AndroidMms) as i64],
        )
        .ctx("threads")?;
    }
    let mut part_id = 0i64;
    let mut addr_id = 0i64;
    for c in &copies {
        let m = &plan.messages[c.msg];
        let thread_id = threads.iter().position(|&t| t == m.thread).map(|p| p as i64 + 1).unwrap_or(0);
        let from_me = m.from == owner;
        let peer = &plan.persons[plan.peer(m.thread, owner)];
        match c.store {
            Store::AndroidSms => {
                conn.exec(
                    "INSERT INTO sms (_id, thread_id, address, person, date, date_sent, protocol, read, status, type, reply_path_present, body, service_center, locked, sub_id, error_code, creator, seen) \
                     VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, 1, -1, ?7, ?8, ?9, ?10, 0, 1, 0, ?11, 1)",
                    params![
                        c.row_id,
                        thread_id,
                        peer.android_sms_address(),
                        unix_ms(m.t + if from_me { 0 } else { 3 }),
                        if from_me { 0 } else { unix_ms(m.t) },
                        if from_me { None } else { Some(0) },
                        if from_me { 2 } else { 1 },
                        if from_me { None } else { Some(0) },
                        m.text,
                        if from_me { None } else { Some("+33609001100") },
                        if from_me { Some("com.samsung.android.messaging") } else { None },
                    ],
                )
                .ctx("sms")?;
            }
            Store::AndroidMms => {
                conn.exec(
                    "INSERT INTO pdu (_id, thread_id, date, date_sent, msg_box, read, m_id, ct_t, m_type, v, m_size, pri, tr_id, d_rpt, rr, locked, sub_id, seen, creator, text_only) \
                     VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, 'application/vnd.wap.multipart.related', ?7, 18, ?8, 129, ?9, 129, 129, 0, 1, 1, ?10, 0)",
                    params![
                        c.row_id,
                        thread_id,
                        // As for SMS: `date` is when the device stored it, `date_sent` the sender's time.
                        m.t + if from_me { 0 } else { 3 },
                        if from_me { 0 } else { m.t },
                        if from_me { 2 } else { 1 },
                        hex::encode(rng.bytes(12)),
                        if from_me { 128 } else { 132 },
                        60_000,
                        format!("T{}", hex::encode(rng.bytes(6))),
                        if from_me { Some("com.samsung.android.messaging") } else { None },
                    ],
                )
                .ctx("pdu")?;
                part_id += 1;
                conn.exec(
                    "INSERT INTO part (_id, mid, seq, ct, name, chset, cid, cl, text) VALUES (?1, ?2, -1, 'application/smil', NULL, NULL, '<smil>', 'smil.xml', ?3)",
                    params![part_id, c.row_id, "<smil><head><layout><root-layout/><region id=\"Image\" fit=\"meet\" top=\"0\" left=\"0\" height=\"100%\" width=\"100%\"/></layout></head><body><par dur=\"5000ms\"><img src=\"image000000.jpg\" region=\"Image\" /></par></body></smil>"],
                )
                .ctx("part")?;
                if let Some(att) = &m.attachment {
                    part_id += 1;
                    let file = part_path(m, att);
                    let bytes = super::ios::attachment_bytes(plan, m, att, bases)?;
                    conn.exec(
                        "INSERT INTO part (_id, mid, seq, ct, name, chset, cid, cl, _data, text) VALUES (?1, ?2, 0, 'image/jpeg', ?3, NULL, '<image000000>', 'image000000.jpg', ?4, NULL)",
                        params![part_id, c.row_id, att.name, format!("/{file}")],
                    )
                    .ctx("part")?;
                    tree.insert(file, bytes);
                }
                if !m.text.is_empty() {
                    part_id += 1;
                    conn.exec(
                        "INSERT INTO part (_id, mid, seq, ct, name, chset, cid, cl, text) VALUES (?1, ?2, 0, 'text/plain', NULL, 106, '<text000001>', 'text000001.txt', ?3)",
                        params![part_id, c.row_id, m.text],
                    )
                    .ctx("part")?;
                }
                let me = "insert-address-token".to_string();
                let (from_addr, to_addr) = if from_me { (me, peer.android_sms_address()) } else { (peer.android_sms_address(), plan.persons[owner].phone.clone().unwrap_or_default()) };
                for (a, ty) in [(from_addr, 137), (to_addr, 151)] {
                    addr_id += 1;
                    conn.exec("INSERT INTO addr (_id, msg_id, contact_id, address, type, charset) VALUES (?1, ?2, NULL, ?3, ?4, 106)", params![addr_id, c.row_id, a, ty])
                        .ctx("addr")?;
                }
            }
            _ => {}
        }
    }
    for c in copies.iter().filter(|c| c.fate == Fate::Purged) {
        let table = if c.store == Store::AndroidSms { "sms" } else { "pdu" };
        conn.exec(&format!("DELETE FROM {table} WHERE _id = ?1"), [c.row_id]).ctx("purging a row")?;
    }
    tree.insert(AND_MMSSMS.to_string(), sqlite::finish(conn, &path)?);
    Ok(())
}

fn contacts(plan: &Plan, di: usize, scratch: &Path, tree: &mut Tree) -> Result<()> {
    let owner = &plan.persons[plan.devices[di].owner];
    let (conn, path) = sqlite::create(scratch, "contacts2.db")?;
    conn.execute_batch(schema::ANDROID_CONTACTS).ctx("creating contacts2.db")?;
    conn.exec("INSERT INTO android_metadata (locale) VALUES ('fr_FR')", []).ctx("android_metadata")?;
    conn.exec("INSERT INTO accounts (_id, account_name, account_type, data_set) VALUES (1, ?1, 'com.google', NULL), (2, 'WhatsApp', 'com.whatsapp', NULL)", [owner.email.clone()])
        .ctx("accounts")?;
    for (i, m) in MIMETYPES.iter().enumerate() {
        conn.exec("INSERT INTO mimetypes (_id, mimetype) VALUES (?1, ?2)", params![i as i64 + 1, m]).ctx("mimetypes")?;
    }
    let list: Vec<&Contact> = plan.contacts.iter().filter(|c| c.device == di).collect();
    let mut raw = 0i64;
    let mut data = 0i64;
    for (i, c) in list.iter().enumerate() {
        let cid = i as i64 + 1;
        let display = format!("{} {}", c.first, c.last).trim().to_string();
        raw += 1;
        let person = &plan.persons[c.person];
        conn.exec(
            "INSERT INTO contacts (_id, name_raw_contact_id, has_phone_number, lookup, contact_last_updated_timestamp) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![cid, raw, c.phone.is_some() as i64, format!("0r{raw}-{}", display.replace(' ', "")), unix_ms(c.modified())],
        )
        .ctx("contacts")?;
        conn.exec(
            "INSERT INTO raw_contacts (_id, account_id, sourceid, contact_id, display_name, display_name_alt, display_name_source, sort_key, sort_key_alt) VALUES (?1, 1, ?2, ?3, ?4, ?5, 40, ?4, ?5)",
            params![raw, format!("{:x}", 0x5a00 + raw), cid, display, format!("{}, {}", c.last, c.first).trim_start_matches(", ").to_string()],
        )
        .ctx("raw_contacts")?;
        data += 1;
        conn.exec(
            "INSERT INTO data (_id, mimetype_id, raw_contact_id, data1, data2, data3) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![data, mime_id("vnd.android.cursor.item/name"), raw, display, c.first, if c.last.is_empty() { None } else { Some(&c.last) }],
        )
        .ctx("data name")?;
        if let Some(phone) = &c.phone {
            data += 1;
            conn.exec(
                "INSERT INTO data (_id, mimetype_id, raw_contact_id, data1, data2, data4) VALUES (?1, ?2, ?3, ?4, '2', ?5)",
                params![data, mime_id("vnd.android.cursor.item/phone_v2"), raw, phone, person.phone],
            )
            .ctx("data phone")?;
        }
        if let Some(mail) = &c.email {
            data += 1;
            conn.exec("INSERT INTO data (_id, mimetype_id, raw_contact_id, data1, data2) VALUES (?1, ?2, ?3, ?4, '2')", params![data, mime_id("vnd.android.cursor.item/email_v2"), raw, mail])
                .ctx("data email")?;
        }
        if let Some(jid) = person.jid() {
            raw += 1;
            conn.exec(
                "INSERT INTO raw_contacts (_id, account_id, sourceid, contact_id, display_name, display_name_source, sort_key) VALUES (?1, 2, ?2, ?3, ?4, 40, ?4)",
                params![raw, jid, cid, display],
            )
            .ctx("raw_contacts whatsapp")?;
            data += 1;
            conn.exec(
                "INSERT INTO data (_id, mimetype_id, raw_contact_id, data1, data2, data3) VALUES (?1, ?2, ?3, ?4, 'WhatsApp', ?5)",
                params![data, mime_id("vnd.android.cursor.item/vnd.com.whatsapp.profile"), raw, jid, format!("Message {}", c.phone.clone().unwrap_or_default())],
            )
            .ctx("data whatsapp")?;
        }
    }
    tree.insert(AND_CONTACTS.to_string(), sqlite::finish(conn, &path)?);
    Ok(())
}

fn calllog(plan: &Plan, di: usize, scratch: &Path, tree: &mut Tree) -> Result<()> {
    let owner = plan.devices[di].owner;
    let (conn, path) = sqlite::create(scratch, "calllog.db")?;
    conn.execute_batch(schema::ANDROID_CALLLOG).ctx("creating calllog.db")?;
    conn.exec("INSERT INTO android_metadata (locale) VALUES ('fr_FR')", []).ctx("android_metadata")?;
    for (i, c) in plan.calls_on(di, CallChannel::Phone).iter().enumerate() {
        let outgoing = c.from == owner;
        let peer_i = if outgoing { c.to } else { c.from };
        let peer = &plan.persons[peer_i];
        let ty = if outgoing { 2 } else if c.answered { 1 } else { 3 };
        let name = plan.contact_on(di, peer_i).map(|k| format!("{} {}", k.first, k.last).trim().to_string());
        conn.exec(
            "INSERT INTO calls (_id, number, presentation, date, duration, data_usage, type, features, subscription_component_name, subscription_id, phone_account_address, new, name, numbertype, countryiso, is_read, geocoded_location, normalized_number, formatted_number, last_modified) \
             VALUES (?1, ?2, 1, ?3, ?4, NULL, ?5, 0, 'com.android.phone/com.android.services.telephony.TelephonyConnectionService', '1', ?6, 0, ?7, 2, 'FR', 1, 'France', ?8, ?9, ?10)",
            params![i as i64 + 1, peer.android_sms_address(), unix_ms(c.t), c.duration, ty, plan.persons[owner].phone, name, peer.phone, peer.android_sms_address(), unix_ms(c.t + c.duration + 1)],
        )
        .ctx("calls")?;
    }
    tree.insert(AND_CALLLOG.to_string(), sqlite::finish(conn, &path)?);
    Ok(())
}

/// `jid` rows of a device's msgstore.db: WhatsApp peers then group JIDs, in first-seen order.
pub fn msgstore_jids(plan: &Plan, di: usize) -> Vec<String> {
    let mut v: Vec<String> = plan.wa_peers(di).iter().filter_map(|&p| plan.persons[p].jid()).collect();
    for t in plan.threads_in(di, &[Store::AndroidWhatsApp]) {
        if let Some(g) = &plan.threads[t].group {
            v.push(g.jid.clone());
        }
    }
    v
}

fn msgstore(plan: &Plan, di: usize, scratch: &Path, rng: &mut Rng, tree: &mut Tree) -> Result<()> {
    let owner = plan.devices[di].owner;
    let (conn, path) = sqlite::create(scratch, "msgstore.db")?;
    conn.execute_batch(schema::ANDROID_MSGSTORE).ctx("creating msgstore.db")?;
    conn.exec("INSERT INTO android_metadata (locale) VALUES ('fr_FR')", []).ctx("android_metadata")?;
    let jids = msgstore_jids(plan, di);
    for (i, j) in jids.iter().enumerate() {
        let (user, server) = j.split_once('@').unwrap_or((j, ""));
        conn.exec("INSERT INTO jid (_id, user, server, agent, device, type, raw_string) VALUES (?1, ?2, ?3, 0, 0, ?4, ?5)", params![i as i64 + 1, user, server, if server == "g.us" { 1 } else { 0 }, j])
            .ctx("jid")?;
    }
    let jid_id = |j: &str| jids.iter().position(|x| x == j).map(|p| p as i64 + 1).unwrap_or(0);
    let threads = plan.threads_in(di, &[Store::AndroidWhatsApp]);
    let copies = plan.copies_in(di, Store::AndroidWhatsApp);
    let chat_jid = |t: usize| -> String {
        match &plan.threads[t].group {
            Some(g) => g.jid.clone(),
            None => plan.persons[plan.peer(t, owner)].jid().unwrap_or_default(),
        }
    };
    for (i, &t) in threads.iter().enumerate() {
        let th = &plan.threads[t];
        let mine: Vec<&MsgCopy> = copies.iter().filter(|c| plan.messages[c.msg].thread == t).collect();
        let last = mine.last().map(|c| c.row_id);
        let created = th.group.as_ref().map(|g| g.created).or_else(|| mine.first().map(|c| plan.messages[c.msg].t)).unwrap_or(0);
        conn.exec(
            "INSERT INTO chat (_id, jid_row_id, hidden, subject, created_timestamp, display_message_row_id, last_message_row_id, last_read_message_row_id, archived, sort_timestamp, group_type) VALUES (?1, ?2, 0, ?3, ?4, ?5, ?5, ?5, 0, ?6, 0)",
            params![i as i64 + 1, jid_id(&chat_jid(t)), th.group.as_ref().map(|g| g.name.clone()), unix_ms(created), last, mine.last().map(|c| unix_ms(plan.messages[c.msg].t))],
        )
        .ctx("chat")?;
        if let Some(g) = &th.group {
            for &p in th.members.iter().filter(|&&p| p != owner) {
                conn.exec(
                    "INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id, rank, pending, add_timestamp) VALUES (?1, ?2, ?3, 0, ?4)",
                    params![jid_id(&g.jid), jid_id(&plan.persons[p].jid().unwrap_or_default()), if g.admin == p { 2 } else { 0 }, unix_ms(g.created)],
                )
                .ctx("group_participant_user")?;
            }
        }
    }
    for c in &copies {
        let m = &plan.messages[c.msg];
        let th = &plan.threads[m.thread];
        let chat_row = threads.iter().position(|&t| t == m.thread).map(|p| p as i64 + 1).unwrap_or(0);
        let from_me = m.from == owner;
        let sender = if th.group.is_some() && !from_me { jid_id(&plan.persons[m.from].jid().unwrap_or_default()) } else { 0 };
        let key_id = if from_me { format!("3EB0{}", hex::encode_upper(rng.bytes(8))) } else { hex::encode_upper(rng.bytes(16)) };
        let (mtype, text) = if c.fate == Fate::Revoked { (15, None) } else { (0, Some(m.text.clone())) };
        conn.exec(
            "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, broadcast, recipient_count, origination_flags, origin, timestamp, received_timestamp, receipt_server_timestamp, message_type, text_data, starred, lookup_tables, sort_id, message_add_on_flags) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, 0, 0, ?8, ?9, ?10, ?11, ?12, 0, 0, ?1, 0)",
            params![
                c.row_id,
                chat_row,
                from_me as i64,
                key_id.clone(),
                sender,
                if from_me { 13 } else { 0 },
                if from_me { th.members.len() as i64 - 1 } else { 0 },
                unix_ms(m.t),
                unix_ms(m.t) + WA_STORED_AFTER_MS,
                if from_me { unix_ms(m.t) + 250 } else { -1 },
                mtype,
                text,
            ],
        )
        .ctx("message")?;
        if from_me {
            // One receipt row per recipient: delivered, then read.
            let recipients: Vec<String> = th.members.iter().filter(|&&p| p != owner).filter_map(|&p| plan.persons[p].jid()).collect();
            for (k, jid) in recipients.iter().enumerate() {
                conn.exec(
                    "INSERT INTO receipt_user (message_row_id, receipt_user_jid_row_id, receipt_timestamp, read_timestamp, played_timestamp) VALUES (?1, ?2, ?3, ?4, NULL)",
                    params![c.row_id, jid_id(jid), wa_delivered_ms(unix_ms(m.t), k), wa_read_ms(unix_ms(m.t), k)],
                )
                .ctx("receipt_user")?;
            }
        }
        if c.fate == Fate::Revoked {
            conn.exec("INSERT INTO message_revoked (message_row_id, revoked_key_id, admin_jid_row_id, revoke_timestamp) VALUES (?1, ?2, NULL, ?3)", params![c.row_id, key_id, unix_ms(m.t + 120)])
                .ctx("message_revoked")?;
        }
    }
    for (i, c) in plan.calls_on(di, CallChannel::WhatsApp).iter().enumerate() {
        let outgoing = c.from == owner;
        let peer = &plan.persons[if outgoing { c.to } else { c.from }];
        conn.exec(
            "INSERT INTO call_log (_id, jid_row_id, from_me, call_id, transaction_id, timestamp, video_call, duration, call_result, bytes_transferred, group_jid_row_id, is_joinable_group_call, call_creator_device_jid_row_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, 0, 0, 0)",
            params![i as i64 + 1, jid_id(&peer.jid().unwrap_or_default()), outgoing as i64, hex::encode_upper(rng.bytes(16)), rng.below(1 << 30) as i64, unix_ms(c.t), c.duration, if c.answered { 5 } else { 2 }, c.duration * 3000],
        )
        .ctx("call_log")?;
    }
    for c in copies.iter().filter(|c| c.fate == Fate::Purged) {
        conn.exec("DELETE FROM message WHERE _id = ?1", [c.row_id]).ctx("purging a row")?;
    }
    tree.insert(AND_MSGSTORE.to_string(), sqlite::finish(conn, &path)?);
    Ok(())
}

fn wa_db(plan: &Plan, di: usize, scratch: &Path, tree: &mut Tree) -> Result<()> {
    let (conn, path) = sqlite::create(scratch, "wa.db")?;
    conn.execute_batch(schema::ANDROID_WA).ctx("creating wa.db")?;
    conn.exec("INSERT INTO android_metadata (locale) VALUES ('fr_FR')", []).ctx("android_metadata")?;
    let mut id = 0i64;
    for p in plan.wa_peers(di) {
        let person = &plan.persons[p];
        let contact = plan.contact_on(di, p);
        id += 1;
        conn.exec(
            "INSERT INTO wa_contacts (_id, jid, is_whatsapp_user, status, number, raw_contact_id, display_name, phone_type, given_name, family_name, wa_name, sort_name) VALUES (?1, ?2, 1, 'Hey there! I am using WhatsApp.', ?3, ?4, ?5, 2, ?6, ?7, ?8, ?5)",
            params![
                id,
                person.jid(),
                contact.and_then(|c| c.phone.clone()),
                contact.map(|_| id),
                contact.map(|c| format!("{} {}", c.first, c.last).trim().to_string()),
                contact.map(|c| c.first.clone()),
                contact.map(|c| c.last.clone()).filter(|l| !l.is_empty()),
                person.push_name,
            ],
        )
        .ctx("wa_contacts")?;
    }
    for t in plan.threads_in(di, &[Store::AndroidWhatsApp]) {
        if let Some(g) = &plan.threads[t].group {
            id += 1;
            conn.exec("INSERT INTO wa_contacts (_id, jid, is_whatsapp_user, display_name) VALUES (?1, ?2, 1, ?3)", params![id, g.jid, g.name]).ctx("wa_contacts group")?;
        }
    }
    tree.insert(AND_WA.to_string(), sqlite::finish(conn, &path)?);
    Ok(())
}

/// Chrome `History` for the visits of device `di`.
pub fn chrome_history(plan: &Plan, di: usize, scratch: &Path, name: &str) -> Result<Vec<u8>> {
    let (conn, path) = sqlite::create(scratch, name)?;
    conn.execute_batch(schema::CHROME_HISTORY).ctx("creating History")?;
    conn.exec("INSERT INTO meta (key, value) VALUES ('mmap_status', '-1'), ('version', '69'), ('last_compatible_version', '16')", []).ctx("meta")?;
    let (visits, urls) = plan.visits_on(di);
    let mut by_url: std::collections::HashMap<&str, (usize, Vec<&Visit>)> = std::collections::HashMap::new();
    for (i, u) in urls.iter().enumerate() {
        by_url.insert(u.as_str(), (i, Vec::new()));
    }
    for v in &visits {
        if let Some(e) = by_url.get_mut(v.url.as_str()) {
            e.1.push(v);
        }
    }
    for (i, url) in urls.iter().enumerate() {
        let vs = &by_url[url.as_str()].1;
        let last = vs.iter().map(|v| v.t).max().unwrap_or(0);
        conn.exec(
            "INSERT INTO urls (id, url, title, visit_count, typed_count, last_visit_time, hidden) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
            params![i as i64 + 1, url, vs[0].title, vs.len() as i64, vs.iter().filter(|v| v.typed).count() as i64, webkit_us(last)],
        )
        .ctx("urls")?;
        if let Some(term) = &vs[0].search_term {
            conn.exec("INSERT INTO keyword_search_terms (keyword_id, url_id, term, normalized_term) VALUES (2, ?1, ?2, ?3)", params![i as i64 + 1, term, term.to_lowercase()])
                .ctx("keyword_search_terms")?;
        }
    }
    for (i, v) in visits.iter().enumerate() {
        let url_id = by_url.get(v.url.as_str()).map(|e| e.0 as i64 + 1).unwrap_or(0);
        let transition: i64 = (if v.typed { 1 } else { 0 }) | 0x3000_0000;
        conn.exec(
            "INSERT INTO visits (id, url, visit_time, from_visit, transition, segment_id, visit_duration, incremented_omnibox_typed_score, is_known_to_sync, consider_for_ntp_most_visited, visited_link_id) VALUES (?1, ?2, ?3, 0, ?4, 0, ?5, ?6, 0, 1, 0)",
            params![i as i64 + 1, url_id, webkit_us(v.t), transition, 15_000_000i64 + (i as i64 * 7_919_000) % 240_000_000, v.typed as i64],
        )
        .ctx("visits")?;
    }
    sqlite::finish(conn, &path)
}
