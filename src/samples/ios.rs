//! iOS full-file-system tree: sms.db, AddressBook.sqlitedb (+ -wal), CallHistory.storedata,
//! WhatsApp ChatStorage.sqlite, Safari History.db, camera roll.

use std::path::Path;

use rusqlite::params;

use super::Tree;
use super::exif::PhotoMeta;
use super::images::Bases;
use super::plan::*;
use super::rng::Rng;
use super::schema;
use super::sqlite;
use super::sqlite::Exec;
use super::timefmt::{cocoa_ns, cocoa_s, paris_offset};
use crate::error::{Result, SqlContext};

/// SMS attachments folder, relative to the root.
pub const IOS_ATTACH: &str = "private/var/mobile/Library/SMS/Attachments";

/// The iOS tree of device `di`.
pub fn build_tree(plan: &Plan, di: usize, scratch: &Path, bases: &Bases) -> Result<Tree> {
    let mut tree = Tree::new();
    let mut rng = Rng::new(plan.seed).fork(&format!("ios/{}", plan.devices[di].id));
    sms_db(plan, di, scratch, &mut rng, &mut tree, bases)?;
    address_book(plan, di, scratch, &mut rng, &mut tree)?;
    call_history(plan, di, scratch, &mut rng, &mut tree)?;
    whatsapp(plan, di, scratch, &mut rng, &mut tree)?;
    safari(plan, di, scratch, &mut tree)?;
    for (path, bytes) in super::media::device_files(plan, di, bases)? {
        tree.insert(path, bytes);
    }
    tree.insert(
        format!("{IOS_WA_GROUP}/.com.apple.mobile_container_manager.metadata.plist"),
        CONTAINER_PLIST.as_bytes().to_vec(),
    );
    Ok(tree)
}

const CONTAINER_PLIST: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n\t<key>MCMMetadataContentClass</key>\n\t<integer>7</integer>\n\t<key>MCMMetadataIdentifier</key>\n\t<string>group.net.whatsapp.WhatsApp.shared</string>\n\t<key>MCMMetadataVersion</key>\n\t<integer>6</integer>\n</dict>\n</plist>\n";

/// Deterministic bytes of a message attachment (identical on every device holding it).
pub fn attachment_bytes(plan: &Plan, m: &Message, att: &Attachment, bases: &Bases) -> Result<Vec<u8>> {
    let sender_dev = plan.devices.iter().find(|d| d.owner == m.from);
    let (make, model) = sender_dev.map(|d| (d.make.clone(), d.model.clone())).unwrap_or_else(|| ("Apple".into(), "iPhone".into()));
    let taken = m.t - 90;
    let meta = PhotoMeta { make, model, taken_unix: taken, offset_s: paris_offset(taken), gps: att.gps };
    super::media::picture(&att.image, Some(&meta), bases, plan.seed)
}

/// Directory of an attachment under `Attachments/` (two hex levels, then a GUID).
pub fn attachment_dir(plan: &Plan, att: &Attachment) -> (String, String) {
    let mut r = Rng::new(plan.seed).fork(&format!("guid/{}", att.key));
    let guid = r.uuid();
    let h = hex::encode(r.bytes(1));
    (format!("{h}/{:02}", r.below(100)), guid)
}

fn sms_db(plan: &Plan, di: usize, scratch: &Path, rng: &mut Rng, tree: &mut Tree, bases: &Bases) -> Result<()> {
    let owner = &plan.persons[plan.devices[di].owner];
    let (conn, path) = sqlite::create(scratch, "sms.db")?;
    conn.execute_batch(schema::IOS_SMS).ctx("creating sms.db")?;
    conn.exec("INSERT INTO _SqliteDatabaseProperties (key, value) VALUES ('counter_in_all', '0'), ('_ClientVersion', '17100')", []).ctx("sms.db properties")?;
    let threads = plan.threads_in(di, &[Store::IosSms]);
    // handle + chat per thread (1:1 only on iOS in this scenario).
    for (i, &t) in threads.iter().enumerate() {
        let th = &plan.threads[t];
        let peer = &plan.persons[plan.peer(t, plan.devices[di].owner)];
        let service = if th.channel == Channel::IMessage { "iMessage" } else { "SMS" };
        let id = i as i64 + 1;
        let handle = peer.ios_handle();
        let country = if handle.starts_with('+') { Some("fr") } else { None };
        conn.exec(
            "INSERT INTO handle (ROWID, id, country, service, uncanonicalized_id, person_centric_id) VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
            params![id, handle, country, service, if handle.starts_with('+') { None } else { Some(&handle) }],
        )
        .ctx("sms.db handle")?;
        conn.exec(
            "INSERT INTO chat (ROWID, guid, style, state, account_id, chat_identifier, service_name, account_login, last_addressed_handle, display_name, group_id) VALUES (?1, ?2, 45, 3, ?3, ?4, ?5, ?6, ?7, '', ?8)",
            params![id, format!("{service};-;{handle}"), rng.uuid(), handle, service, format!("P:{}", owner.ios_handle()), owner.ios_handle(), rng.uuid()],
        )
        .ctx("sms.db chat")?;
        conn.exec("INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?1, ?1)", [id]).ctx("sms.db chat_handle_join")?;
    }
    let mut attachment_id = 0i64;
    let copies = plan.copies_in(di, Store::IosSms);
    for c in &copies {
        let m = &plan.messages[c.msg];
        let th = &plan.threads[m.thread];
        let chat_id = threads.iter().position(|&t| t == m.thread).map(|p| p as i64 + 1).unwrap_or(0);
        let from_me = m.from == plan.devices[di].owner;
        let service = if th.channel == Channel::IMessage { "iMessage" } else { "SMS" };
        let text = if m.attachment.is_some() && m.text.is_empty() { "\u{FFFC}".to_string() } else { m.text.clone() };
        let body = super::typedstream::attributed_body(&text);
        let text_col = if m.ios_attributed_only { None } else { Some(text.clone()) };
        let date = cocoa_ns(m.t);
        let read = if from_me { 0 } else { cocoa_ns(m.t + 30 + rng.range(0, 600)) };
        let delivered = if from_me && service == "iMessage" { cocoa_ns(m.t + 2) } else { 0 };
        conn.exec(
            "INSERT INTO message (ROWID, guid, text, handle_id, attributedBody, version, type, service, account, account_guid, date, date_read, date_delivered, is_delivered, is_finished, is_from_me, is_read, is_sent, cache_has_attachments, destination_caller_id, sort_id, part_count) \
             VALUES (?1, ?2, ?3, ?4, ?5, 10, 0, ?6, ?7, ?8, ?9, ?10, ?11, 1, 1, ?12, ?13, ?14, ?15, ?16, 0, 1)",
            params![
                c.row_id,
                rng.uuid(),
                text_col,
                chat_id,
                body,
                service,
                format!("P:{}", owner.ios_handle()),
                rng.uuid(),
                date,
                read,
                delivered,
                from_me as i64,
                (!from_me) as i64,
                from_me as i64,
                m.attachment.is_some() as i64,
                owner.ios_handle(),
            ],
        )
        .ctx("sms.db message")?;
        match c.fate {
            Fate::RecentlyDeleted => {
                conn.exec(
                    "INSERT INTO chat_recoverable_message_join (chat_id, message_id, delete_date, ck_sync_state) VALUES (?1, ?2, ?3, 0)",
                    params![chat_id, c.row_id, cocoa_ns(m.t + 600)],
                )
                .ctx("sms.db chat_recoverable_message_join")?;
            }
            _ => {
                conn.exec("INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?1, ?2, ?3)", params![chat_id, c.row_id, date])
                    .ctx("sms.db chat_message_join")?;
            }
        }
        if let Some(att) = &m.attachment {
            attachment_id += 1;
            let bytes = attachment_bytes(plan, m, att, bases)?;
            let (dir, guid) = attachment_dir(plan, att);
            let rel = format!("{dir}/{guid}/{}", att.name);
            conn.exec(
                "INSERT INTO attachment (ROWID, guid, created_date, start_date, filename, uti, mime_type, transfer_state, is_outgoing, transfer_name, total_bytes, original_guid) VALUES (?1, ?2, ?3, 0, ?4, 'public.jpeg', 'image/jpeg', 5, ?5, ?6, ?7, ?2)",
                params![attachment_id, guid, cocoa_s(m.t) as i64, format!("~/Library/SMS/Attachments/{rel}"), from_me as i64, att.name, bytes.len() as i64],
            )
            .ctx("sms.db attachment")?;
            conn.exec("INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?1, ?2)", params![c.row_id, attachment_id])
                .ctx("sms.db message_attachment_join")?;
            tree.insert(format!("{IOS_ATTACH}/{rel}"), bytes);
        }
    }
    for c in copies.iter().filter(|c| c.fate == Fate::Purged) {
        conn.exec("DELETE FROM chat_message_join WHERE message_id = ?1", [c.row_id]).ctx("sms.db purge")?;
        conn.exec("DELETE FROM message WHERE ROWID = ?1", [c.row_id]).ctx("sms.db purge")?;
    }
    tree.insert(IOS_SMS.to_string(), sqlite::finish(conn, &path)?);
    Ok(())
}

fn address_book(plan: &Plan, di: usize, scratch: &Path, rng: &mut Rng, tree: &mut Tree) -> Result<()> {
    let (conn, path) = sqlite::create(scratch, "AddressBook.sqlitedb")?;
    conn.execute_batch(schema::IOS_ADDRESSBOOK).ctx("creating AddressBook.sqlitedb")?;
    conn.exec("INSERT INTO ABStore (ROWID, Name, Type, Enabled, guid) VALUES (1, 'Local', 0, 1, ?1)", [rng.uuid()]).ctx("ABStore")?;
    conn.execute_batch("INSERT INTO ABMultiValueLabel (value) VALUES ('_$!<Mobile>!$_'); INSERT INTO ABMultiValueLabel (value) VALUES ('_$!<Home>!$_');")
        .ctx("ABMultiValueLabel")?;
    let contacts: Vec<&Contact> = plan.contacts.iter().filter(|c| c.device == di).collect();
    let mut uid = 0i64;
    let mut insert = |conn: &rusqlite::Connection, rowid: i64, c: &Contact, rng: &mut Rng| -> Result<()> {
        let created = cocoa_s(c.created) as i64;
        conn.exec(
            "INSERT INTO ABPerson (ROWID, First, Last, Kind, FirstSort, LastSort, CreationDate, ModificationDate, StoreID, guid, ExternalUUID) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?9, 1, ?7, ?8)",
            params![rowid, c.first, if c.last.is_empty() { None } else { Some(&c.last) }, c.first.to_lowercase(), c.last.to_lowercase(), created, rng.uuid(), rng.uuid(), cocoa_s(c.modified()) as i64],
        )
        .ctx("ABPerson")?;
        if let Some(phone) = &c.phone {
            uid += 1;
            conn.exec("INSERT INTO ABMultiValue (UID, record_id, property, identifier, label, value, guid) VALUES (?1, ?2, 3, 0, 1, ?3, ?4)", params![uid, rowid, phone, rng.uuid()])
                .ctx("ABMultiValue")?;
        }
        if let Some(mail) = &c.email {
            uid += 1;
            conn.exec("INSERT INTO ABMultiValue (UID, record_id, property, identifier, label, value, guid) VALUES (?1, ?2, 4, 0, 2, ?3, ?4)", params![uid, rowid, mail, rng.uuid()])
                .ctx("ABMultiValue")?;
        }
        Ok(())
    };
    for (i, c) in contacts.iter().enumerate().filter(|(_, c)| !c.wal_only) {
        insert(&conn, i as i64 + 1, c, rng)?;
    }
    sqlite::begin_wal(&conn)?;
    for (i, c) in contacts.iter().enumerate().filter(|(_, c)| c.wal_only) {
        insert(&conn, i as i64 + 1, c, rng)?;
    }
    let salt = (rng.next_u64() as u32, rng.next_u64() as u32);
    let (main, wal) = sqlite::finish_with_wal(conn, &path, salt)?;
    tree.insert(IOS_AB.to_string(), main);
    tree.insert(format!("{IOS_AB}-wal"), wal);
    Ok(())
}

fn call_history(plan: &Plan, di: usize, scratch: &Path, rng: &mut Rng, tree: &mut Tree) -> Result<()> {
    let owner = plan.devices[di].owner;
    let (conn, path) = sqlite::create(scratch, "CallHistory.storedata")?;
    conn.execute_batch(schema::IOS_CALLHISTORY).ctx("creating CallHistory.storedata")?;
    let calls = plan.ios_calls(di);
    conn.exec("INSERT INTO Z_PRIMARYKEY (Z_ENT, Z_NAME, Z_SUPER, Z_MAX) VALUES (1, 'CallDBProperties', 0, 0), (2, 'CallRecord', 0, ?1), (3, 'EmergencyMediaItem', 0, 0), (4, 'Handle', 0, 0)", [calls.len() as i64])
        .ctx("Z_PRIMARYKEY")?;
    conn.exec("INSERT INTO Z_METADATA (Z_VERSION, Z_UUID, Z_PLIST) VALUES (1, ?1, NULL)", [rng.uuid()]).ctx("Z_METADATA")?;
    for (i, c) in calls.iter().enumerate() {
        let outgoing = c.from == owner;
        let peer = &plan.persons[if outgoing { c.to } else { c.from }];
        let (calltype, provider) = match c.channel {
            CallChannel::Phone => (1, "com.apple.Telephony"),
            CallChannel::WhatsApp => (0, "net.whatsapp.WhatsApp"),
        };
        let address = match c.channel {
            CallChannel::Phone => peer.ios_handle(),
            CallChannel::WhatsApp => peer.jid().unwrap_or_default(),
        };
        let country = if address.starts_with("+44") || address.starts_with("44") { "gb" } else { "fr" };
        conn.exec(
            "INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZANSWERED, ZCALL_CATEGORY, ZCALLTYPE, ZDISCONNECTED_CAUSE, ZHANDLE_TYPE, ZNUMBER_AVAILABILITY, ZORIGINATED, ZREAD, ZJUNKCONFIDENCE, ZVERIFICATIONSTATUS, ZDATE, ZDURATION, ZADDRESS, ZISO_COUNTRY_CODE, ZLOCATION, ZNAME, ZSERVICE_PROVIDER, ZUNIQUE_ID) \
             VALUES (?1, 2, 1, ?2, 1, ?3, ?4, 2, 0, ?5, 1, 0, 0, ?6, ?7, ?8, ?9, ?10, NULL, ?11, ?12)",
            params![
                i as i64 + 1,
                c.answered as i64,
                calltype,
                if c.answered { 0 } else { 6 },
                outgoing as i64,
                cocoa_s(c.t),
                c.duration as f64,
                address,
                country,
                if country == "gb" { "United Kingdom" } else { "France" },
                provider,
                rng.uuid()
            ],
        )
        .ctx("ZCALLRECORD")?;
    }
    tree.insert(IOS_CALLS.to_string(), sqlite::finish(conn, &path)?);
    Ok(())
}

fn stanza(rng: &mut Rng) -> String {
    hex::encode_upper(rng.bytes(10))
}

fn whatsapp(plan: &Plan, di: usize, scratch: &Path, rng: &mut Rng, tree: &mut Tree) -> Result<()> {
    let owner = plan.devices[di].owner;
    let (conn, path) = sqlite::create(scratch, "ChatStorage.sqlite")?;
    conn.execute_batch(schema::IOS_WHATSAPP).ctx("creating ChatStorage.sqlite")?;
    conn.exec("INSERT INTO Z_METADATA (Z_VERSION, Z_UUID, Z_PLIST) VALUES (1, ?1, NULL)", [rng.uuid()]).ctx("Z_METADATA")?;
    let threads = plan.threads_in(di, &[Store::IosWhatsApp]);
    let copies = plan.copies_in(di, Store::IosWhatsApp);
    let mut member_pk: Vec<(usize, usize, i64)> = Vec::new(); // (thread, person, Z_PK)
    for (i, &t) in threads.iter().enumerate() {
        let th = &plan.threads[t];
        let pk = i as i64 + 1;
        let last = copies.iter().rfind(|c| plan.messages[c.msg].thread == t);
        let last_date = last.map(|c| cocoa_s(plan.messages[c.msg].t));
        let count = copies.iter().filter(|c| plan.messages[c.msg].thread == t).count() as i64;
        let (jid, partner, kind) = match &th.group {
            Some(g) => (g.jid.clone(), g.name.clone(), 1),
            None => {
                let peer = plan.peer(t, owner);
                let name = plan.contact_on(di, peer).map(|c| format!("{} {}", c.first, c.last).trim().to_string());
                (plan.persons[peer].jid().unwrap_or_default(), name.or_else(|| plan.persons[peer].push_name.clone()).unwrap_or_default(), 0)
            }
        };
        conn.exec(
            "INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, Z_OPT, ZARCHIVED, ZCONTACTABID, ZFLAGS, ZHIDDEN, ZMESSAGECOUNTER, ZREMOVED, ZSESSIONTYPE, ZSPOTLIGHTSTATUS, ZUNREADCOUNT, ZLASTMESSAGE, ZLASTMESSAGEDATE, ZCONTACTJID, ZPARTNERNAME) VALUES (?1, 4, 1, 0, 0, 0, 0, ?2, 0, ?3, 0, 0, ?4, ?5, ?6, ?7)",
            params![pk, count, kind, last.map(|c| c.row_id), last_date, jid, partner],
        )
        .ctx("ZWACHATSESSION")?;
        if let Some(g) = &th.group {
            for &p in th.members.iter().filter(|&&p| p != owner) {
                let mpk = member_pk.len() as i64 + 1;
                let name = plan.contact_on(di, p).map(|c| format!("{} {}", c.first, c.last).trim().to_string());
                conn.exec(
                    "INSERT INTO ZWAGROUPMEMBER (Z_PK, Z_ENT, Z_OPT, ZISACTIVE, ZISADMIN, ZSENDERKEYSENT, ZCHATSESSION, ZCONTACTNAME, ZFIRSTNAME, ZMEMBERJID) VALUES (?1, 7, 1, 1, ?2, 0, ?3, ?4, ?5, ?6)",
                    params![mpk, (g.admin == p) as i64, pk, name.clone().or_else(|| plan.persons[p].push_name.clone()), name.as_deref().and_then(|n| n.split(' ').next()).map(str::to_string), plan.persons[p].jid()],
                )
                .ctx("ZWAGROUPMEMBER")?;
                member_pk.push((t, p, mpk));
            }
        }
    }
    for c in &copies {
        let m = &plan.messages[c.msg];
        let th = &plan.threads[m.thread];
        let session = threads.iter().position(|&t| t == m.thread).map(|p| p as i64 + 1).unwrap_or(0);
        let from_me = m.from == owner;
        let chat_jid = match &th.group {
            Some(g) => g.jid.clone(),
            None => plan.persons[plan.peer(m.thread, owner)].jid().unwrap_or_default(),
        };
        let member = if th.group.is_some() && !from_me { member_pk.iter().find(|(t, p, _)| *t == m.thread && *p == m.from).map(|x| x.2) } else { None };
        if c.fate == Fate::RecentlyDeleted {
            return Err(crate::Error::InvalidArgument(format!(
                "sample plan error: message {} is 'recently deleted' in WhatsApp, a fate only iOS Messages has",
                c.row_id
            )));
        }
        let (mtype, text) = if c.fate == Fate::Revoked { (14, None) } else { (0, Some(m.text.clone())) };
        conn.exec(
            "INSERT INTO ZWAMESSAGE (Z_PK, Z_ENT, Z_OPT, ZCHILDMESSAGESDELIVEREDCOUNT, ZCHILDMESSAGESPLAYEDCOUNT, ZCHILDMESSAGESREADCOUNT, ZDATAITEMVERSION, ZDOCID, ZENCRETRYCOUNT, ZFILTEREDRECIPIENTCOUNT, ZFLAGS, ZGROUPEVENTTYPE, ZISFROMME, ZMESSAGEERRORSTATUS, ZMESSAGESTATUS, ZMESSAGETYPE, ZSORT, ZSPOTLIGHTSTATUS, ZSTARRED, ZCHATSESSION, ZGROUPMEMBER, ZMESSAGEDATE, ZSENTDATE, ZFROMJID, ZPUSHNAME, ZSTANZAID, ZTEXT, ZTOJID) \
             VALUES (?1, 9, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, ?2, 0, ?3, ?4, ?1, 0, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                c.row_id,
                from_me as i64,
                if from_me { 8 } else { 0 },
                mtype,
                session,
                member,
                cocoa_s(m.t),
                cocoa_s(m.t),
                if from_me { None } else { Some(chat_jid.clone()) },
                if from_me { None } else { plan.persons[m.from].push_name.clone() },
                stanza(rng),
                text,
                if from_me { Some(chat_jid) } else { None },
            ],
        )
        .ctx("ZWAMESSAGE")?;
    }
    conn.exec(
        "INSERT INTO Z_PRIMARYKEY (Z_ENT, Z_NAME, Z_SUPER, Z_MAX) VALUES (4, 'WAChatSession', 0, ?1), (7, 'WAGroupMember', 0, ?2), (9, 'WAMessage', 0, ?3)",
        params![threads.len() as i64, member_pk.len() as i64, copies.iter().map(|c| c.row_id).max().unwrap_or(0)],
    )
    .ctx("Z_PRIMARYKEY")?;
    tree.insert(IOS_WA.to_string(), sqlite::finish(conn, &path)?);
    Ok(())
}

fn safari(plan: &Plan, di: usize, scratch: &Path, tree: &mut Tree) -> Result<()> {
    let (conn, path) = sqlite::create(scratch, "History.db")?;
    conn.execute_batch(schema::IOS_SAFARI).ctx("creating History.db")?;
    conn.exec("INSERT INTO metadata (key, value) VALUES ('version', 20)", []).ctx("Safari metadata")?;
    let (visits, urls) = plan.visits_on(di);
    let mut ids: std::collections::HashMap<&str, (i64, i64)> = std::collections::HashMap::new();
    for (i, u) in urls.iter().enumerate() {
        ids.insert(u.as_str(), (i as i64 + 1, 0));
    }
    for v in &visits {
        if let Some(e) = ids.get_mut(v.url.as_str()) {
            e.1 += 1;
        }
    }
    for url in &urls {
        let (id, n) = ids[url.as_str()];
        let domain = url.split('/').nth(2).unwrap_or("").trim_start_matches("www.").split('.').next().unwrap_or("").to_string();
        conn.exec(
            "INSERT INTO history_items (id, url, domain_expansion, visit_count, daily_visit_counts, should_recompute_derived_visit_counts, visit_count_score, status_code) VALUES (?1, ?2, ?3, ?4, X'', 0, ?5, 0)",
            params![id, url, domain, n, n * 100],
        )
        .ctx("history_items")?;
    }
    for (i, v) in visits.iter().enumerate() {
        let item = ids.get(v.url.as_str()).map(|e| e.0).unwrap_or(0);
        conn.exec(
            "INSERT INTO history_visits (id, history_item, visit_time, title, load_successful, origin, generation, attributes, score) VALUES (?1, ?2, ?3, ?4, 1, 0, 0, 0, 100)",
            params![i as i64 + 1, item, cocoa_s(v.t), v.title],
        )
        .ctx("history_visits")?;
    }
    tree.insert(IOS_SAFARI.to_string(), sqlite::finish(conn, &path)?);
    Ok(())
}
