//! The answer key, written from the plan (never by reading back what was generated).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::plan::*;
use super::timefmt::iso_utc;

#[derive(Serialize)]
pub struct AnswerKey {
    format: &'static str,
    scenario: Scenario,
    notes: Vec<String>,
    devices: Vec<DeviceKey>,
    persons: Vec<PersonKey>,
    threads: Vec<ThreadKey>,
    messages: Vec<MessageKey>,
    indicators: BTreeMap<String, Vec<String>>,
    calls: Vec<CallKey>,
    web_visits: Vec<VisitKey>,
    /// Address-book entries, per device, with their times.
    contacts: Vec<ContactKey>,
    /// Apps listed in Android `packages.xml` (binary ABX), per device.
    installed_apps: Vec<AppKey>,
    photos: Vec<PhotoKey>,
    documents: Vec<DocumentKey>,
    money_flows: Vec<MoneyFlow>,
    key_events: Vec<KeyEvent>,
    expected_counts: Counts,
    /// `registry` (photos from the fetched base-image folder) or `procedural` (drawn).
    base_images: &'static str,
    /// Every base-photo slot and what filled it.
    bases: Vec<BaseKey>,
    /// Pictures derived from the same base photo (two or more files each).
    near_duplicate_groups: Vec<GroupKey>,
    /// Pictures whose base is used only once: they must not be grouped with anything.
    distinct_images: Vec<ImageMember>,
    /// Background data added at `--scale large`: counted in `expected_counts`, not listed.
    bulk: BulkKey,
}

#[derive(Serialize)]
struct BaseKey {
    id: String,
    stands_for: String,
    source: &'static str,
    name: String,
    origin: Option<String>,
    licence: Option<String>,
    /// SHA-256 of the source file (registry) or of the drawn RGB8 pixels (procedural).
    sha256: String,
    sha256_of: &'static str,
    /// Size after normalisation (fit inside 800×600), before the transforms.
    normalised_size: (u32, u32),
}

#[derive(Serialize, Clone)]
struct ImageMember {
    base: String,
    device: String,
    /// Path in the device tree (as the other answer-key paths: leading `/`).
    path: String,
    /// `camera-photo`, `message-attachment`, `file`.
    kind: &'static str,
    transforms: Vec<super::images::Transform>,
    format: super::images::Format,
}

#[derive(Serialize)]
struct GroupKey {
    group: String,
    base: String,
    stands_for: String,
    members: Vec<ImageMember>,
}

#[derive(Serialize, Default)]
struct BulkKey {
    messages: usize,
    message_copies: usize,
    persons: usize,
    photos: usize,
    files: usize,
    note: &'static str,
}

#[derive(Serialize)]
struct Scenario {
    name: &'static str,
    seed: u64,
    scale: super::Scale,
    extraction_time: String,
}

#[derive(Serialize)]
struct DeviceKey {
    id: String,
    kind: &'static str,
    owner: String,
    make: String,
    model: String,
    containers: Vec<Container>,
}

#[derive(Serialize)]
struct Container {
    path: String,
    kind: &'static str,
    entry_prefix: &'static str,
}

#[derive(Serialize)]
struct PersonKey {
    key: String,
    name: String,
    roles: Vec<String>,
    languages: Vec<String>,
    identifiers: Vec<IdentKey>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct IdentKey {
    device: String,
    kind: String,
    value: String,
    artefact: String,
}

#[derive(Serialize)]
struct ThreadKey {
    key: String,
    channel: &'static str,
    members: Vec<String>,
    group_name: Option<String>,
    group_jid: Option<String>,
}

#[derive(Serialize)]
struct CopyKey {
    device: String,
    file: &'static str,
    table: &'static str,
    row_id: i64,
    fate: Fate,
    text_in: &'static str,
    /// WhatsApp Android: when the message reached the other side (outgoing: the first recipient's
    /// delivery receipt) or this device (incoming: `received_timestamp`), Unix ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    received_unix_ms: Option<i64>,
    /// WhatsApp Android, outgoing: the first recipient's read receipt, Unix ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    read_unix_ms: Option<i64>,
}

#[derive(Serialize)]
struct MessageKey {
    key: String,
    thread: String,
    from: String,
    at: String,
    lang: String,
    text: String,
    attachment: Option<String>,
    indicators: Vec<String>,
    noise: bool,
    copies: Vec<CopyKey>,
}

#[derive(Serialize)]
struct CallKey {
    key: String,
    from: String,
    to: String,
    at: String,
    duration_s: i64,
    channel: &'static str,
    answered: bool,
    /// The status the callee's device records (`incoming` when answered, else `missed`); the
    /// caller's records `outgoing`.
    callee_status: &'static str,
    noise: bool,
}

#[derive(Serialize)]
struct ContactKey {
    device: String,
    /// As displayed (`first last`).
    name: String,
    created_at: String,
    modified_at: String,
}

#[derive(Serialize)]
struct AppKey {
    device: String,
    package: &'static str,
    version: i64,
    installed_unix_ms: i64,
}

#[derive(Serialize)]
struct VisitKey {
    device: String,
    at: String,
    url: String,
    title: String,
    search_term: Option<String>,
    indicators: Vec<String>,
    noise: bool,
}

#[derive(Serialize)]
struct PhotoKey {
    key: String,
    device: String,
    path: String,
    taken_at: String,
    gps: Option<(f64, f64)>,
    description: String,
}

#[derive(Serialize)]
struct DocumentKey {
    device: String,
    path: String,
    indicators: Vec<String>,
}

#[derive(Serialize)]
struct Counts {
    /// device → artefact type → count: the rows an examiner's listing of that type shows for the
    /// device (`contacts`: every contact record, address-book raw contacts and WhatsApp's
    /// `wa_contacts` alike; `address_book_entries`: the people of the address book, aggregated;
    /// `photos`: camera photos under `DCIM`, not pictures received in messages).
    by_artefact_type: BTreeMap<String, BTreeMap<&'static str, usize>>,
    /// One entry per database file.
    by_file: Vec<FileCounts>,
    /// device → files and pictures in its tree (the extraction, without directories).
    files_per_device: BTreeMap<String, super::TreeCounts>,
    /// Sums over all devices: messages (rows), files, pictures.
    totals: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct FileCounts {
    device: String,
    path: String,
    /// table → rows visible when the file is opened with its -wal (if any).
    tables: BTreeMap<&'static str, usize>,
    /// Extra checks: named SQL-able facts.
    facts: BTreeMap<&'static str, usize>,
}

fn kind_str(k: DeviceKind) -> &'static str {
    match k {
        DeviceKind::Ios => "ios",
        DeviceKind::Android => "android",
        DeviceKind::Laptop => "laptop",
    }
}

/// Device path of a store file as the answer key names it.
fn store_file(_dev: &Device, file: &str) -> String {
    format!("/{file}")
}

pub fn build(plan: &Plan, bases: &super::images::Bases, tree_counts: &BTreeMap<String, super::TreeCounts>) -> AnswerKey {
    let copies = plan.copies();
    let mut copies_of: Vec<Vec<&MsgCopy>> = vec![Vec::new(); plan.messages.len()];
    for c in copies {
        copies_of[c.msg].push(c);
    }
    let pkey = |i: usize| plan.persons[i].key.clone();
    let dev_id = |i: usize| plan.devices[i].id.clone();

    let devices = plan
        .devices
        .iter()
        .map(|d| DeviceKey {
            id: d.id.clone(),
            kind: kind_str(d.kind),
            owner: pkey(d.owner),
            make: d.make.clone(),
            model: d.model.clone(),
            containers: match d.kind {
                DeviceKind::Ios => vec![
                    Container { path: format!("{}/ios_ffs.tar", d.id), kind: "ios-ffs-tar", entry_prefix: "" },
                    Container { path: format!("{}/ios_ffs.zip", d.id), kind: "ios-ffs-zip", entry_prefix: "filesystem1/" },
                ],
                DeviceKind::Android => vec![Container { path: format!("{}/android_ffs.tar.gz", d.id), kind: "android-ffs-tar-gz", entry_prefix: "Dump/" }],
                DeviceKind::Laptop => vec![Container { path: d.id.clone(), kind: "folder", entry_prefix: "" }],
            },
        })
        .collect();

    // Identifiers: every way a person shows up on each device.
    let mut idents: BTreeMap<usize, BTreeSet<IdentKey>> = BTreeMap::new();
    let mut note = |p: usize, di: usize, kind: &str, value: String, artefact: &str| {
        if value.is_empty() {
            return;
        }
        idents.entry(p).or_default().insert(IdentKey { device: dev_id(di), kind: kind.to_string(), value, artefact: artefact.to_string() });
    };
    for (di, d) in plan.devices.iter().enumerate() {
        let o = &plan.persons[d.owner];
        note(d.owner, di, "device-owner", o.full_name(), "device");
        if d.kind == DeviceKind::Android {
            if let Some(e) = &o.email {
                note(d.owner, di, "email", e.clone(), &store_file(d, AND_CONTACTS));
            }
            if let Some(j) = o.jid() {
                note(d.owner, di, "whatsapp-jid", j, "/data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml");
            }
        }
    }
    for c in copies {
        let d = &plan.devices[c.device];
        let m = &plan.messages[c.msg];
        let (file, _) = c.store.location();
        for &p in &plan.threads[m.thread].members {
            if p == d.owner {
                continue;
            }
            let person = &plan.persons[p];
            match c.store {
                Store::IosSms => note(p, c.device, if person.phone.is_some() { "phone" } else { "sender-id" }, person.ios_handle(), &store_file(d, file)),
                Store::AndroidSms | Store::AndroidMms => note(p, c.device, "phone", person.android_sms_address(), &store_file(d, file)),
                Store::IosWhatsApp | Store::AndroidWhatsApp => {
                    note(p, c.device, "whatsapp-jid", person.jid().unwrap_or_default(), &store_file(d, file));
                    if let Some(n) = &person.push_name {
                        note(p, c.device, "whatsapp-push-name", n.clone(), &store_file(d, file));
                    }
                }
            }
        }
    }
    for k in &plan.contacts {
        let d = &plan.devices[k.device];
        let file = if d.kind == DeviceKind::Ios { IOS_AB } else { AND_CONTACTS };
        note(k.person, k.device, "contact-name", format!("{} {}", k.first, k.last).trim().to_string(), &store_file(d, file));
        if let Some(ph) = &k.phone {
            note(k.person, k.device, "phone", ph.clone(), &store_file(d, file));
        }
        if let Some(e) = &k.email {
            note(k.person, k.device, "email", e.clone(), &store_file(d, file));
        }
    }
    for (di, d) in plan.devices.iter().enumerate() {
        for c in plan.calls.iter().filter(|c| c.from == d.owner || c.to == d.owner) {
            let peer = if c.from == d.owner { c.to } else { c.from };
            let person = &plan.persons[peer];
            match (d.kind, c.channel) {
                (DeviceKind::Ios, CallChannel::Phone) => note(peer, di, "phone", person.ios_handle(), &store_file(d, IOS_CALLS)),
                (DeviceKind::Ios, CallChannel::WhatsApp) => note(peer, di, "whatsapp-jid", person.jid().unwrap_or_default(), &store_file(d, IOS_CALLS)),
                (DeviceKind::Android, CallChannel::Phone) => note(peer, di, "phone", person.android_sms_address(), &store_file(d, AND_CALLLOG)),
                (DeviceKind::Android, CallChannel::WhatsApp) => note(peer, di, "whatsapp-jid", person.jid().unwrap_or_default(), &store_file(d, AND_MSGSTORE)),
                _ => {}
            }
        }
    }
    for doc in &plan.documents {
        for (p, kind, value) in &doc.mentions {
            note(*p, doc.device, kind, value.clone(), &format!("/{}", doc.path));
        }
    }
    let persons = plan
        .persons
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.bulk)
        .map(|(i, p)| PersonKey {
            key: p.key.clone(),
            name: p.full_name(),
            roles: p.roles.clone(),
            languages: p.languages.clone(),
            identifiers: idents.remove(&i).map(|s| s.into_iter().collect()).unwrap_or_default(),
        })
        .collect();

    let threads = plan
        .threads
        .iter()
        .map(|t| ThreadKey {
            key: t.key.clone(),
            channel: match t.channel {
                Channel::Sms => "sms",
                Channel::IMessage => "imessage",
                Channel::WhatsApp => "whatsapp",
            },
            members: t.members.iter().map(|&m| pkey(m)).collect(),
            group_name: t.group.as_ref().map(|g| g.name.clone()),
            group_jid: t.group.as_ref().map(|g| g.jid.clone()),
        })
        .collect();

    let mut indicators: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let messages = plan
        .messages
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.bulk)
        .map(|(mi, m)| {
            for i in &m.indicators {
                indicators.entry(i.clone()).or_default().push(m.key.clone());
            }
            MessageKey {
                key: m.key.clone(),
                thread: plan.threads[m.thread].key.clone(),
                from: pkey(m.from),
                at: iso_utc(m.t),
                lang: m.lang.clone(),
                text: m.text.clone(),
                attachment: m.attachment.as_ref().map(|a| a.name.clone()),
                indicators: m.indicators.clone(),
                noise: m.noise,
                copies: copies_of[mi]
                    .iter()
                    .map(|c| {
                        let (file, table) = c.store.location();
                        let text_in = match (c.store, c.fate) {
                            (_, Fate::Revoked) => "none (revoked)",
                            (_, Fate::Purged) => "free pages only (row deleted)",
                            (Store::IosSms, _) if m.ios_attributed_only => "attributedBody only (text NULL)",
                            (Store::IosSms, _) => "text and attributedBody",
                            (Store::AndroidMms, _) => "part",
                            _ => "text column",
                        };
                        let (received_unix_ms, read_unix_ms) = if c.store == Store::AndroidWhatsApp {
                            let t_ms = super::timefmt::unix_ms(m.t);
                            let owner = plan.devices[c.device].owner;
                            if m.from == owner {
                                let any = plan.threads[m.thread].members.iter().any(|&p| p != owner && plan.persons[p].jid().is_some());
                                if any { (Some(super::android::wa_delivered_ms(t_ms, 0)), Some(super::android::wa_read_ms(t_ms, 0))) } else { (None, None) }
                            } else {
                                (Some(t_ms + super::android::WA_STORED_AFTER_MS), None)
                            }
                        } else {
                            (None, None)
                        };
                        CopyKey { device: dev_id(c.device), file: file_static(file), table, row_id: c.row_id, fate: c.fate, text_in, received_unix_ms, read_unix_ms }
                    })
                    .collect(),
            }
        })
        .collect();
    for (di, d) in plan.devices.iter().enumerate() {
        for v in plan.visits.iter().filter(|v| v.device == di) {
            for i in &v.indicators {
                indicators.entry(i.clone()).or_default().push(format!("{}:visit:{}", d.id, v.url));
            }
        }
    }
    for doc in &plan.documents {
        for i in &doc.indicators {
            indicators.entry(i.clone()).or_default().push(format!("{}:/{}", dev_id(doc.device), doc.path));
        }
    }
    for f in &plan.money {
        for i in &f.indicators {
            indicators.entry(i.clone()).or_default().push(f.id.clone());
        }
    }

    let calls = plan
        .calls
        .iter()
        .map(|c| CallKey {
            key: c.key.clone(),
            from: pkey(c.from),
            to: pkey(c.to),
            at: iso_utc(c.t),
            duration_s: c.duration,
            channel: match c.channel {
                CallChannel::Phone => "phone",
                CallChannel::WhatsApp => "whatsapp",
            },
            answered: c.answered,
            callee_status: if c.answered { "incoming" } else { "missed" },
            noise: c.noise,
        })
        .collect();
    let contacts = plan
        .contacts
        .iter()
        .map(|c| ContactKey { device: dev_id(c.device), name: format!("{} {}", c.first, c.last).trim().to_string(), created_at: iso_utc(c.created), modified_at: iso_utc(c.modified()) })
        .collect();
    let installed_apps = plan
        .devices
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == DeviceKind::Android)
        .flat_map(|(di, d)| {
            super::android::installed_apps(plan, di).into_iter().map(move |(package, version, installed_unix_ms)| AppKey { device: d.id.clone(), package, version, installed_unix_ms })
        })
        .collect();
    let web_visits = plan
        .visits
        .iter()
        .map(|v| VisitKey { device: dev_id(v.device), at: iso_utc(v.t), url: v.url.clone(), title: v.title.clone(), search_term: v.search_term.clone(), indicators: v.indicators.clone(), noise: v.noise })
        .collect();
    let photos = plan
        .photos
        .iter()
        .filter(|p| !p.bulk)
        .map(|p| PhotoKey { key: p.key.clone(), device: dev_id(p.device), path: store_file(&plan.devices[p.device], &plan.photo_path(p)), taken_at: iso_utc(p.t), gps: p.gps, description: p.description.clone() })
        .collect();
    let (near_duplicate_groups, distinct_images) = image_groups(plan);
    let bases_key = plan
        .bases
        .iter()
        .zip(&bases.list)
        .map(|(slot, b)| BaseKey {
            id: slot.id.clone(),
            stands_for: slot.stands_for.clone(),
            source: b.source,
            name: b.name.clone(),
            origin: b.origin.clone(),
            licence: b.licence.clone(),
            sha256: b.sha256.clone(),
            sha256_of: if b.source == "registry" { "file" } else { "rgb8-pixels" },
            normalised_size: b.rgb.dimensions(),
        })
        .collect();
    let bulk = BulkKey {
        messages: plan.messages.iter().filter(|m| m.bulk).count(),
        message_copies: copies.iter().filter(|c| plan.messages[c.msg].bulk).count(),
        persons: plan.persons.iter().filter(|p| p.bulk).count(),
        photos: plan.photos.iter().filter(|p| p.bulk).count(),
        files: plan.files.iter().filter(|f| f.bulk).count(),
        note: "Harmless background data (--scale large): no indicators; included in expected_counts, not listed individually.",
    };
    let documents = plan.documents.iter().map(|d| DocumentKey { device: dev_id(d.device), path: format!("/{}", d.path), indicators: d.indicators.clone() }).collect();

    let mut notes: Vec<String> = vec![
        "All people, numbers, e-mails, IBANs and places are invented.".to_string(),
        "Times are UTC; the scenario is set in France (Europe/Paris).".to_string(),
        "Indicator ids refer to online-trafficking-greta.md §3; an indicator is a lead, not a finding.".to_string(),
        "Counts are the rows a reader sees with the -wal applied; facts named *_main_only are without it.".to_string(),
        "Pictures never show people: 'victim' photos are proxies (landscapes, animals, objects). Base photos are normalised to fit 800x600 before their transforms.".to_string(),
    ];
    notes.extend(plan.notes.iter().cloned());
    let mut expected_counts = counts(plan, copies);
    expected_counts.files_per_device = tree_counts.clone();
    expected_counts.totals.insert("files", tree_counts.values().map(|c| c.files).sum());
    expected_counts.totals.insert("images", tree_counts.values().map(|c| c.images).sum());
    expected_counts.totals.insert("messages", expected_counts.by_artefact_type.values().map(|t| t.get("messages").copied().unwrap_or(0)).sum());
    AnswerKey {
        format: "threadline-answer-key/1",
        scenario: Scenario { name: plan.scenario, seed: plan.seed, scale: plan.scale, extraction_time: iso_utc(plan.archive_mtime as i64) },
        notes,
        devices,
        persons,
        threads,
        messages,
        indicators,
        calls,
        web_visits,
        contacts,
        installed_apps,
        photos,
        documents,
        money_flows: plan.money.clone(),
        key_events: plan.events.clone(),
        expected_counts,
        base_images: bases.mode,
        bases: bases_key,
        near_duplicate_groups,
        distinct_images,
        bulk,
    }
}

/// Every picture derived from a base slot, grouped by base. Bases with one picture are "distinct".
fn image_groups(plan: &Plan) -> (Vec<GroupKey>, Vec<ImageMember>) {
    use super::images::ImageSpec;
    let mut by_base: BTreeMap<usize, Vec<ImageMember>> = BTreeMap::new();
    let mut add = |spec: &ImageSpec, device: usize, path: String, kind: &'static str| {
        if let Some(b) = spec.base_slot() {
            by_base.entry(b).or_default().push(ImageMember {
                base: plan.bases.get(b).map(|s| s.id.clone()).unwrap_or_default(),
                device: plan.devices[device].id.clone(),
                path: format!("/{path}"),
                kind,
                transforms: spec.transforms.clone(),
                format: spec.format,
            });
        }
    };
    for p in &plan.photos {
        add(&p.image, p.device, plan.photo_path(p), "camera-photo");
    }
    for c in plan.copies() {
        let m = &plan.messages[c.msg];
        if let Some(att) = &m.attachment {
            let path = match c.store {
                Store::IosSms => {
                    let (dir, guid) = super::ios::attachment_dir(plan, att);
                    format!("{}/{dir}/{guid}/{}", super::ios::IOS_ATTACH, att.name)
                }
                Store::AndroidMms => super::android::part_path(m, att),
                _ => continue,
            };
            if c.fate == Fate::Purged {
                continue;
            }
            add(&att.image, c.device, path, "message-attachment");
        }
    }
    for f in &plan.files {
        if let FileContent::Image { spec, .. } = &f.content {
            add(spec, f.device, f.path.clone(), "file");
        }
    }
    let mut groups = Vec::new();
    let mut distinct = Vec::new();
    for (b, members) in by_base {
        if members.len() >= 2 {
            groups.push(GroupKey {
                group: format!("G{:02}", groups.len() + 1),
                base: plan.bases[b].id.clone(),
                stands_for: plan.bases[b].stands_for.clone(),
                members,
            });
        } else {
            distinct.extend(members);
        }
    }
    (groups, distinct)
}

fn file_static(f: &str) -> &'static str {
    [IOS_SMS, IOS_WA, AND_MMSSMS, AND_MSGSTORE].into_iter().find(|x| *x == f).unwrap_or("?")
}

fn counts(plan: &Plan, copies: &[MsgCopy]) -> Counts {
    let mut by_type = BTreeMap::new();
    let mut by_file = Vec::new();
    let live = |di: usize, store: Store| copies.iter().filter(|c| c.device == di && c.store == store && c.fate != Fate::Purged).count();
    for (di, d) in plan.devices.iter().enumerate() {
        let mut t: BTreeMap<&'static str, usize> = BTreeMap::new();
        let (visits, urls) = plan.visits_on(di);
        let contacts: Vec<&Contact> = plan.contacts.iter().filter(|c| c.device == di).collect();
        let mut file = |path: &str, tables: Vec<(&'static str, usize)>, facts: Vec<(&'static str, usize)>| {
            by_file.push(FileCounts { device: d.id.clone(), path: store_file(d, path), tables: tables.into_iter().collect(), facts: facts.into_iter().collect() });
        };
        match d.kind {
            DeviceKind::Ios => {
                let sms: Vec<&MsgCopy> = copies.iter().filter(|c| c.device == di && c.store == Store::IosSms && c.fate != Fate::Purged).collect();
                let sms_threads = plan.threads_in(di, &[Store::IosSms]).len();
                let wa_threads = plan.threads_in(di, &[Store::IosWhatsApp]);
                let members: usize = wa_threads.iter().filter_map(|&t| plan.threads[t].group.as_ref().map(|_| plan.threads[t].members.len() - 1)).sum();
                let attachments = sms.iter().filter(|c| plan.messages[c.msg].attachment.is_some()).count();
                let calls = plan.ios_calls(di).len();
                file(
                    IOS_SMS,
                    vec![
                        ("message", sms.len()),
                        ("handle", sms_threads),
                        ("chat", sms_threads),
                        ("chat_handle_join", sms_threads),
                        ("chat_message_join", sms.iter().filter(|c| c.fate != Fate::RecentlyDeleted).count()),
                        ("chat_recoverable_message_join", sms.iter().filter(|c| c.fate == Fate::RecentlyDeleted).count()),
                        ("attachment", attachments),
                        ("message_attachment_join", attachments),
                    ],
                    vec![("message_text_null", sms.iter().filter(|c| plan.messages[c.msg].ios_attributed_only).count())],
                );
                let phones = contacts.iter().filter(|c| c.phone.is_some()).count() + contacts.iter().filter(|c| c.email.is_some()).count();
                file(
                    IOS_AB,
                    vec![("ABPerson", contacts.len()), ("ABMultiValue", phones)],
                    vec![("ABPerson_main_only", contacts.iter().filter(|c| !c.wal_only).count())],
                );
                file(IOS_CALLS, vec![("ZCALLRECORD", calls)], vec![]);
                let wa = live(di, Store::IosWhatsApp);
                file(
                    IOS_WA,
                    vec![("ZWAMESSAGE", wa), ("ZWACHATSESSION", wa_threads.len()), ("ZWAGROUPMEMBER", members)],
                    vec![("ZWAMESSAGE_deleted_type14", copies.iter().filter(|c| c.device == di && c.store == Store::IosWhatsApp && c.fate == Fate::Revoked).count())],
                );
                file(IOS_SAFARI, vec![("history_items", urls.len()), ("history_visits", visits.len())], vec![]);
                t.insert("messages", sms.len() + wa);
                t.insert("calls", calls);
                t.insert("contacts", contacts.len());
                t.insert("address_book_entries", contacts.len());
                t.insert("web_visits", visits.len());
                t.insert("photos", plan.photos_on(di).len());
                t.insert("attachments", attachments);
            }
            DeviceKind::Android => {
                let sms = live(di, Store::AndroidSms);
                let mms: Vec<&MsgCopy> = copies.iter().filter(|c| c.device == di && c.store == Store::AndroidMms && c.fate != Fate::Purged).collect();
                let parts: usize = mms.iter().map(|c| {
                    let m = &plan.messages[c.msg];
                    1 + m.attachment.is_some() as usize + (!m.text.is_empty()) as usize
                }).sum();
                let sms_threads = plan.threads_in(di, &[Store::AndroidSms, Store::AndroidMms]).len();
                let wa_threads = plan.threads_in(di, &[Store::AndroidWhatsApp]);
                let groups = wa_threads.iter().filter(|&&t| plan.threads[t].group.is_some()).count();
                let members: usize = wa_threads.iter().filter_map(|&t| plan.threads[t].group.as_ref().map(|_| plan.threads[t].members.len() - 1)).sum();
                let wa = live(di, Store::AndroidWhatsApp);
                let phone_calls = plan.calls_on(di, CallChannel::Phone).len();
                let wa_calls = plan.calls_on(di, CallChannel::WhatsApp).len();
                let wa_raw = contacts.iter().filter(|c| plan.persons[c.person].jid().is_some()).count();
                let data_rows = contacts.len() + contacts.iter().filter(|c| c.phone.is_some()).count() + contacts.iter().filter(|c| c.email.is_some()).count() + wa_raw;
                let peers = plan.wa_peers(di).len();
                // One receipt row per recipient of every outgoing message (purged rows keep theirs).
                let owner = plan.devices[di].owner;
                let receipts: usize = copies
                    .iter()
                    .filter(|c| c.device == di && c.store == Store::AndroidWhatsApp && plan.messages[c.msg].from == owner)
                    .map(|c| plan.threads[plan.messages[c.msg].thread].members.iter().filter(|&&p| p != owner && plan.persons[p].jid().is_some()).count())
                    .sum();
                file(
                    AND_MMSSMS,
                    vec![("sms", sms), ("pdu", mms.len()), ("part", parts), ("addr", mms.len() * 2), ("threads", sms_threads), ("canonical_addresses", sms_threads)],
                    vec![("sms_purged_rows", copies.iter().filter(|c| c.device == di && c.store == Store::AndroidSms && c.fate == Fate::Purged).count())],
                );
                file(AND_CONTACTS, vec![("raw_contacts", contacts.len() + wa_raw), ("contacts", contacts.len()), ("data", data_rows)], vec![]);
                file(AND_CALLLOG, vec![("calls", phone_calls)], vec![]);
                file(
                    AND_MSGSTORE,
                    vec![
                        ("message", wa),
                        ("chat", wa_threads.len()),
                        ("jid", peers + groups),
                        ("group_participant_user", members),
                        ("message_revoked", copies.iter().filter(|c| c.device == di && c.store == Store::AndroidWhatsApp && c.fate == Fate::Revoked).count()),
                        ("call_log", wa_calls),
                        ("receipt_user", receipts),
                    ],
                    vec![],
                );
                file(AND_WA, vec![("wa_contacts", peers + groups)], vec![]);
                let terms = urls.iter().filter(|u| visits.iter().find(|v| &&v.url == u).and_then(|v| v.search_term.as_ref()).is_some()).count();
                file(AND_CHROME, vec![("urls", urls.len()), ("visits", visits.len()), ("keyword_search_terms", terms)], vec![]);
                t.insert("messages", sms + mms.len() + wa);
                t.insert("calls", phone_calls + wa_calls);
                // Every contact record: raw contacts (the WhatsApp account's ones too) and wa.db's.
                t.insert("contacts", contacts.len() + wa_raw + peers + groups);
                t.insert("address_book_entries", contacts.len());
                t.insert("web_visits", visits.len());
                t.insert("photos", plan.photos_on(di).len());
                t.insert("attachments", mms.iter().filter(|c| plan.messages[c.msg].attachment.is_some()).count());
            }
            DeviceKind::Laptop => {
                let terms = urls.iter().filter(|u| visits.iter().find(|v| &&v.url == u).and_then(|v| v.search_term.as_ref()).is_some()).count();
                file(&super::laptop::chrome_path(plan, di), vec![("urls", urls.len()), ("visits", visits.len()), ("keyword_search_terms", terms)], vec![]);
                t.insert("web_visits", visits.len());
                t.insert("documents", plan.documents.iter().filter(|x| x.device == di).count());
                t.insert("payment_rows", plan.documents.iter().filter(|x| x.device == di && x.path.ends_with(".csv")).map(|x| x.content.lines().count().saturating_sub(1)).sum());
            }
        }
        by_type.insert(d.id.clone(), t);
    }
    Counts { by_artefact_type: by_type, by_file, files_per_device: BTreeMap::new(), totals: BTreeMap::new() }
}
