//! `--scale large`: bury the scenario's core in harmless background data, for performance work.
//!
//! Added to any plan, spread over its devices: ≥ 200,000 message rows (1:1 chats and groups with
//! background contacts, in the scenario's languages, with emojis, typos, a few deleted rows),
//! ≥ 10,000 pictures (camera rolls, WhatsApp media, thumbnails; all procedural and distinct, so
//! none joins a near-duplicate group), ≥ 50,000 files in all (browser and app caches), plus calls
//! and browsing. Everything is marked `bulk`: the answer key counts it but does not list it.

use std::collections::BTreeSet;

use super::images::{Format, ImageSpec};
use super::plan::*;
use super::rng::Rng;
use super::timefmt::{paris_offset, parts};

/// Message rows to reach, over all devices.
pub const TARGET_MESSAGES: usize = 205_000;
/// Pictures to reach, over all devices.
pub const TARGET_IMAGES: usize = 10_600;
/// Files to reach, over all devices (pictures and databases included).
pub const TARGET_FILES: usize = 52_000;

struct Pool {
    open: &'static [&'static str],
    body: &'static [&'static str],
    close: &'static [&'static str],
}

const FR: Pool = Pool {
    open: &["", "", "Salut", "Coucou", "Hey", "Re", "Bonjour", "Yo", "Dis", "Oh"],
    body: &[
        "tu fais quoi ce soir", "on mange ensemble demain midi", "j'ai raté le bus encore", "il fait trop chaud aujourd'hui",
        "t'as vu le match hier", "je rentre tard ce soir", "n'oublie pas le pain", "la réunion est décalée à 15h",
        "c'est l'anniversaire de Léa samedi", "tu peux m'envoyer la photo", "je suis chez ma sœur", "j'ai fini la série, trop bien",
        "il reste du gâteau", "on se voit au marché", "le chat a encore cassé un verre", "j'arrive dans 10 min",
        "je suis crevé", "tu as des nouvelles de Karim", "le train a 20 min de retard", "je t'appelle après le boulot",
        "bon appétit", "on va au ciné dimanche", "j'ai oublié mes clés", "ma mère te passe le bonjour", "c'est noté",
        "tu veux un café", "il pleut des cordes", "je passe à la pharmacie", "bonne nuit à demain", "merci pour hier soir",
    ],
    close: &["", "", "", "😂", "👍", "❤️", "😘", "🙏", "😅", "!", "?", " bisous", " à plus", " stp", " lol", " 😴", " ☀️"],
};

const EN: Pool = Pool {
    open: &["", "", "Hi", "Hey", "Morning", "Ok so", "Hello", "Yo", "Btw"],
    body: &[
        "are you free tonight", "running late sorry", "did you see the game", "it's raining again", "call me when you can",
        "I'm at the shop, need anything", "the bus is late again", "happy birthday", "see you tomorrow", "thanks for dinner",
        "can you send me the pic", "I'm so tired today", "what time is the meeting", "good night", "I'll be there in 10",
        "the wifi is down again", "let's get lunch friday", "my phone is almost dead", "did you eat", "have a good day",
    ],
    close: &["", "", "", "😂", "👍", "❤️", "🙏", "!", "?", " lol", " xx", " 😅", " 🎉"],
};

const RO: Pool = Pool {
    open: &["", "", "Salut", "Bună", "Hei", "Ce faci", "Mamă", "Frate"],
    body: &[
        "ai mâncat", "vorbim diseară", "am ajuns acasă", "vremea e urâtă azi", "ai văzut meciul", "trimite-mi poza",
        "sunt obosit azi", "mâine e mai bine", "ce mai face tata", "am fost la biserică", "la mulți ani", "te sun mai târziu",
        "unde ești", "noapte bună", "mersi mult", "am făcut sarmale", "plouă iar aici", "ne vedem duminică", "sunt la magazin",
        "bunica te pupă",
    ],
    close: &["", "", "", "❤️", "😘", "😂", "👍", "🙏", "!", "?", " pupici", " te iubesc"],
};

const VI: Pool = Pool {
    open: &["", "", "Con ơi", "Mẹ ơi", "Anh ơi", "Em ơi", "Chào", "Ê"],
    body: &[
        "ăn cơm chưa", "hôm nay trời mưa quá", "mai gọi nhé", "con khỏe không", "nhớ mặc ấm nhé", "bà ngoại hỏi thăm con",
        "tối nay nấu phở", "đi làm về chưa", "chúc ngủ ngon", "gửi ảnh cho mẹ xem", "cuối tuần về chơi nhé", "mệt quá",
        "cảm ơn nhiều", "đang ở chợ", "trận bóng hôm qua hay lắm", "nhà mình vẫn ổn", "nhớ uống thuốc", "em bé ngủ rồi",
    ],
    close: &["", "", "", "❤️", "😘", "😂", "👍", "🙏", "!", "?", " nhé", " 🥰"],
};

fn pool(lang: &str) -> &'static Pool {
    match lang {
        "fr" => &FR,
        "ro" => &RO,
        "vi" => &VI,
        _ => &EN,
    }
}

/// One harmless chat line in `lang`, sometimes with a typo.
pub fn chat_line(r: &mut Rng, lang: &str) -> String {
    let p = pool(lang);
    let open = *r.pick(p.open);
    let body = *r.pick(p.body);
    let close = *r.pick(p.close);
    let mut t = if open.is_empty() {
        let mut c = body.chars();
        match c.next() {
            Some(f) if r.chance(0.6) => f.to_uppercase().collect::<String>() + c.as_str(),
            _ => body.to_string(),
        }
    } else {
        format!("{open} {body}")
    };
    t.push_str(close);
    if r.chance(0.12) {
        // Typo: swap two neighbouring characters (ASCII only, to stay valid UTF-8 trivially).
        let b: Vec<char> = t.chars().collect();
        if b.len() > 4 {
            let i = r.range(1, b.len() as i64 - 3) as usize;
            if b[i].is_ascii_alphabetic() && b[i + 1].is_ascii_alphabetic() {
                let mut b = b;
                b.swap(i, i + 1);
                t = b.into_iter().collect();
            }
        }
    }
    t
}

const FIRST: &[&str] = &["Julie", "Karim", "Sofia", "Tom", "Inès", "Lucas", "Amira", "Hugo", "Chloé", "Mehdi", "Emma", "Yanis", "Nora", "Paul", "Léa", "Adam", "Sarah", "Noah"];
const LAST: &[&str] = &["Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux"];

/// Add the large-scale background to `plan`.
pub fn add(plan: &mut Plan) {
    let root = Rng::new(plan.seed).fork("bulk");
    let day0 = plan.archive_mtime as i64 - 40 * 86_400 - 9 * 3600;
    let phones: Vec<usize> = plan.devices.iter().enumerate().filter(|(_, d)| d.kind != DeviceKind::Laptop).map(|(i, _)| i).collect();
    let laptops: Vec<usize> = plan.devices.iter().enumerate().filter(|(_, d)| d.kind == DeviceKind::Laptop).map(|(i, _)| i).collect();
    if phones.is_empty() {
        return;
    }
    let np = phones.len();
    let msgs_per_phone = TARGET_MESSAGES.div_ceil(np);
    let laptop_images = 300 * laptops.len();
    let laptop_files = 1_500 * laptops.len();
    let images_per_phone = (TARGET_IMAGES - laptop_images).div_ceil(np);
    let files_per_phone = (TARGET_FILES - laptop_files).div_ceil(np);
    // A time in the scenario window, daytime local, as Unix seconds.
    let when = |r: &mut Rng| -> i64 {
        let local = day0 + r.range(-30, 39) * 86_400 + r.range(7, 23) * 3600 + r.range(0, 3599);
        local - paris_offset(local)
    };
    let mut new_msgs: Vec<Message> = Vec::new();
    for (pi, &di) in phones.iter().enumerate() {
        let mut r = root.fork(&format!("dev/{}", plan.devices[di].id));
        let owner = plan.devices[di].owner;
        let kind = plan.devices[di].kind;
        let mut langs: Vec<String> = plan.persons[owner].languages.clone();
        if langs.is_empty() {
            langs.push("fr".into());
        }
        // Background contacts.
        let mut people = Vec::new();
        for i in 0..14 {
            let key = format!("N{}{:02}", pi + 1, i + 1);
            let phone = format!("+33699{}{:05}", 5 + pi, 100 + i * 37);
            let given = *r.pick(FIRST);
            let family = *r.pick(LAST);
            let lang = r.pick(&langs).clone();
            let whatsapp = i % 3 != 0;
            let p = Person {
                key,
                given: given.to_string(),
                family: family.to_string(),
                roles: vec!["uninvolved".into()],
                phone: Some(phone.clone()),
                android_address: if i % 2 == 0 { Some(format!("0{}", &phone[3..])) } else { None },
                email: None,
                whatsapp,
                push_name: whatsapp.then(|| given.to_string()),
                sender_id: None,
                languages: vec![lang],
                bulk: true,
            };
            let idx = plan.persons.len();
            plan.persons.push(p);
            let created = when(&mut r) - 40 * 86_400;
            plan.contacts.push(Contact { device: di, person: idx, first: given.to_string(), last: family.to_string(), phone: Some(phone), email: None, created, wal_only: false });
            people.push(idx);
        }
        // Threads: one per contact (SMS, iMessage on iOS, or WhatsApp) and two WhatsApp groups.
        let mut threads = Vec::new();
        for (i, &p) in people.iter().enumerate() {
            let channel = if plan.persons[p].whatsapp {
                Channel::WhatsApp
            } else if kind == DeviceKind::Ios && i % 2 == 0 {
                Channel::IMessage
            } else {
                Channel::Sms
            };
            let t = plan.threads.len();
            plan.threads.push(Thread { key: format!("T{}", t + 1), channel, members: vec![owner, p], group: None });
            threads.push(t);
        }
        for g in 0..2 {
            let members: Vec<usize> = std::iter::once(owner).chain(people.iter().copied().filter(|&p| plan.persons[p].whatsapp).skip(g * 3).take(5)).collect();
            let t = plan.threads.len();
            let name = ["Famille ❤️", "Foot dimanche ⚽", "Voisins 🏠", "Collègues"][(pi * 2 + g) % 4];
            plan.threads.push(Thread {
                key: format!("T{}", t + 1),
                channel: Channel::WhatsApp,
                members: members.clone(),
                group: Some(Group { name: name.into(), jid: format!("1203630{:02}{:011}@g.us", pi, 4_000_000 + g * 77_777), admin: members[1], created: day0 - 200 * 86_400 }),
            });
            threads.push(t);
        }
        // Messages, weighted towards a few busy threads.
        for n in 0..msgs_per_phone {
            let t = threads[if r.chance(0.5) { (n * 7) % 4 } else { r.below(threads.len() as u64) as usize }];
            let th = &plan.threads[t];
            let from = if r.chance(0.5) { owner } else { th.members[1 + r.below(th.members.len() as u64 - 1) as usize] };
            let lang = plan.persons[if from == owner { th.members[1] } else { from }].languages[0].clone();
            let text = chat_line(&mut r, &lang);
            let mut fates = Vec::new();
            let roll = r.below(1000);
            match (th.channel, kind) {
                (Channel::WhatsApp, _) if roll < 3 => fates.push((di, Fate::Revoked)),
                (Channel::Sms, DeviceKind::Android) if roll < 1 => fates.push((di, Fate::Purged)),
                (Channel::Sms, DeviceKind::Ios) if roll < 2 => fates.push((di, Fate::RecentlyDeleted)),
                _ => {}
            }
            let ios_attributed_only = kind == DeviceKind::Ios && (th.channel == Channel::IMessage || r.chance(0.35));
            new_msgs.push(Message {
                key: String::new(),
                thread: t,
                from,
                t: when(&mut r),
                text,
                lang,
                indicators: Vec::new(),
                attachment: None,
                fates,
                ios_attributed_only,
                noise: true,
                bulk: true,
            });
        }
        // Calls.
        for i in 0..400 {
            let p = people[r.below(people.len() as u64) as usize];
            let (from, to) = if r.chance(0.5) { (owner, p) } else { (p, owner) };
            let duration = if r.chance(0.8) { r.range(15, 1800) } else { 0 };
            let channel = if plan.persons[p].whatsapp && r.chance(0.4) { CallChannel::WhatsApp } else { CallChannel::Phone };
            plan.calls.push(Call { key: format!("C{}{:04}", pi + 1, i + 1), from, to, t: when(&mut r), duration, channel, answered: duration > 0, noise: true });
        }
        // Browsing.
        add_visits(plan, di, &mut r, &when, 1_500);
        // Pictures: camera roll (half), WhatsApp media (30 %), small thumbnails/app pictures (rest).
        let cam = images_per_phone / 2;
        let wa = images_per_phone * 3 / 10;
        let thumbs = images_per_phone - cam - wa;
        let dev_id = plan.devices[di].id.clone();
        let wa_folders: Vec<String> = people.iter().filter_map(|&p| plan.persons[p].jid()).collect();
        let mut used_names = BTreeSet::new();
        for i in 0..cam {
            let t = when(&mut r);
            let (dir, name) = match kind {
                DeviceKind::Ios => (format!("private/var/mobile/Media/DCIM/{}APPLE", 101 + i / 1000), format!("IMG_{:04}.JPG", 1000 + i)),
                _ => {
                    let mut tt = t;
                    loop {
                        let (y, mo, d, h, mi, sec) = parts(tt, paris_offset(tt));
                        let n = format!("{y:04}{mo:02}{d:02}_{h:02}{mi:02}{sec:02}.jpg");
                        if used_names.insert(n.clone()) {
                            break (AND_DCIM.to_string(), n);
                        }
                        tt += 1;
                    }
                }
            };
            let key = format!("{dev_id}/cam/{i}");
            let gps = r.chance(0.7).then(|| (48.80 + r.below(2000) as f64 / 10_000.0, 2.25 + r.below(2500) as f64 / 10_000.0));
            plan.photos.push(Photo {
                key: format!("PHB{}{:05}", pi + 1, i + 1),
                device: di,
                name,
                t,
                gps,
                description: "background photo".into(),
                image: ImageSpec::procedural(&key, 320, 240, Format::Jpeg(80)),
                bulk: true,
                dir: Some(dir),
            });
        }
        for i in 0..wa {
            let t = when(&mut r);
            let (y, mo, d, _, _, _) = parts(t, paris_offset(t));
            let path = match kind {
                DeviceKind::Ios => format!("{IOS_WA_GROUP}/Message/Media/{}/{:x}/{:x}/{}.jpg", wa_folders[i % wa_folders.len()], i % 16, (i / 16) % 16, r.uuid()),
                _ => format!("data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-{y:04}{mo:02}{d:02}-WA{:04}.jpg", i + 1),
            };
            let spec = ImageSpec::procedural(&format!("{dev_id}/wa/{i}"), 320, 240, Format::Jpeg(70));
            plan.files.push(PlanFile { device: di, path, content: FileContent::Image { spec, exif: None }, bulk: true });
        }
        for i in 0..thumbs {
            let path = match kind {
                DeviceKind::Ios => format!("private/var/mobile/Media/PhotoData/Thumbnails/V2/DCIM/101APPLE/IMG_{:04}.JPG/5005.JPG", 1000 + i),
                _ => format!("data/data/com.android.providers.media.module/cache/thumbs/{:016x}.jpg", r.next_u64()),
            };
            let spec = ImageSpec::procedural(&format!("{dev_id}/th/{i}"), 96, 72, Format::Jpeg(75));
            plan.files.push(PlanFile { device: di, path, content: FileContent::Image { spec, exif: None }, bulk: true });
        }
        // Caches up to the file target.
        let others = files_per_phone.saturating_sub(images_per_phone + 12);
        for i in 0..others {
            let (path, body) = cache_entry(kind, &mut r, i);
            plan.files.push(PlanFile { device: di, path, content: FileContent::Bytes(body), bulk: true });
        }
    }
    for &di in &laptops {
        let mut r = root.fork(&format!("dev/{}", plan.devices[di].id));
        let user = plan.persons[plan.devices[di].owner].given.to_lowercase().replace(' ', "");
        add_visits(plan, di, &mut r, &when, 1_500);
        for i in 0..300 {
            let spec = ImageSpec::procedural(&format!("{}/pic/{i}", plan.devices[di].id), 320, 240, Format::Jpeg(82));
            let t = when(&mut r);
            let (y, mo, _, _, _, _) = parts(t, paris_offset(t));
            plan.files.push(PlanFile {
                device: di,
                path: format!("Users/{user}/Pictures/{y:04}-{mo:02}/photo_{:04}.jpg", i + 1),
                content: FileContent::Image { spec, exif: Some((t, None)) },
                bulk: true,
            });
        }
        for i in 0..1_200 {
            let body = cache_body(&mut r, i);
            plan.files.push(PlanFile { device: di, path: format!("Users/{user}/AppData/Local/Google/Chrome/User Data/Default/Cache/Cache_Data/f_{:06x}", i + 1), content: FileContent::Bytes(body), bulk: true });
        }
    }
    // Merge: keep the listed messages' keys, give bulk ones `B000001`… in time order.
    new_msgs.sort_by_key(|m| m.t);
    for (n, m) in new_msgs.iter_mut().enumerate() {
        m.key = format!("B{:06}", n + 1);
    }
    let mut all = std::mem::take(&mut plan.messages);
    all.extend(new_msgs);
    all.sort_by(|a, b| a.t.cmp(&b.t).then(a.bulk.cmp(&b.bulk)).then(a.key.cmp(&b.key)));
    plan.messages = all;
    plan.calls.sort_by_key(|c| c.t);
    plan.visits.sort_by_key(|v| (v.device, v.t));
    plan.copies_cache = std::sync::OnceLock::new();
}

const SITES: &[(&str, &str)] = &[
    ("https://news.example.com/", "Actualités"),
    ("https://meteo.example.org/", "Météo"),
    ("https://video.example.com/watch", "Vidéo"),
    ("https://recipes.example.org/", "Recettes"),
    ("https://shop.example.com/", "Boutique"),
    ("https://sport.example.com/", "Sport – résultats"),
    ("https://maps.example.com/", "Plans"),
    ("https://wiki.example.org/wiki/", "Encyclopédie"),
];

fn add_visits(plan: &mut Plan, di: usize, r: &mut Rng, when: &dyn Fn(&mut Rng) -> i64, n: usize) {
    for _ in 0..n {
        let (base, title) = *r.pick(SITES);
        let page = r.below(300);
        plan.visits.push(Visit {
            device: di,
            t: when(r),
            url: format!("{base}p/{page}"),
            title: format!("{title} – page {page}"),
            typed: r.chance(0.1),
            search_term: None,
            indicators: Vec::new(),
            noise: true,
        });
    }
}

fn cache_body(r: &mut Rng, i: usize) -> Vec<u8> {
    let n = 3 + r.below(20) as usize;
    let mut s = format!("<!doctype html><html><head><title>cache {i}</title></head><body>\n");
    for _ in 0..n {
        s.push_str(&format!("<p>{}</p>\n", chat_line(r, "en")));
    }
    s.push_str("</body></html>\n");
    s.into_bytes()
}

fn cache_entry(kind: DeviceKind, r: &mut Rng, i: usize) -> (String, Vec<u8>) {
    let h = r.next_u64();
    match (kind, i % 3) {
        (DeviceKind::Ios, 0) => (format!("private/var/mobile/Library/Caches/com.apple.Safari/WebKitCache/Version 16/Records/{:016X}/Resource/{h:016X}", h >> 40), cache_body(r, i)),
        (DeviceKind::Ios, 1) => (
            format!("private/var/mobile/Containers/Data/Application/0B9D3E52-7F1A-4C8B-9E2D-5A6F7C8D9E0F/Library/Caches/com.example.news/fsCachedData/{h:016X}"),
            format!("{{\"id\":{i},\"headline\":\"{}\",\"ttl\":3600}}\n", chat_line(r, "en")).into_bytes(),
        ),
        (DeviceKind::Ios, _) => (format!("private/var/mobile/Library/Caches/com.apple.nsurlsessiond/Downloads/{h:016x}.tmp"), { let n = 64 + r.below(512) as usize; r.bytes(n) }),
        (_, 0) => (format!("data/data/com.android.chrome/cache/Cache/Cache_Data/{h:016x}_0"), cache_body(r, i)),
        (_, 1) => (
            format!("data/data/com.example.news/cache/http/{h:016x}.1"),
            format!("{{\"id\":{i},\"headline\":\"{}\",\"ttl\":3600}}\n", chat_line(r, "fr")).into_bytes(),
        ),
        _ => (format!("data/data/com.google.android.gms/cache/{h:016x}.tmp"), { let n = 64 + r.below(512) as usize; r.bytes(n) }),
    }
}
