//! Helpers shared by the scenario plans: a builder that turns "day, hour, minute" story beats into
//! timestamped plan entries, picks one phrasing per seed, and gives messages their final keys.

#![allow(clippy::too_many_arguments)]

use std::collections::BTreeMap;

use super::Scale;
use super::images::{BaseSlot, Format, ImageSpec, Transform};
use super::plan::*;
use super::rng::Rng;
use super::timefmt::{iso_utc, paris_offset};

/// `&str` → `String`.
pub fn s(v: &str) -> String {
    v.to_string()
}

/// A person with the common fields set.
pub fn person(key: &str, given: &str, family: &str, roles: &[&str], phone: Option<&str>, langs: &[&str]) -> Person {
    Person {
        key: s(key),
        given: s(given),
        family: s(family),
        roles: roles.iter().map(|r| s(r)).collect(),
        phone: phone.map(s),
        android_address: None,
        email: None,
        whatsapp: false,
        push_name: None,
        sender_id: None,
        languages: langs.iter().map(|l| s(l)).collect(),
        bulk: false,
    }
}

/// An empty plan.
pub fn empty_plan(scenario: &'static str, seed: u64, scale: Scale, day0: i64, persons: Vec<Person>, devices: Vec<Device>, threads: Vec<Thread>) -> Plan {
    Plan {
        scenario,
        seed,
        scale,
        archive_mtime: (day0 + 40 * 86_400 + 9 * 3600) as u64,
        persons,
        devices,
        threads,
        messages: Vec::new(),
        calls: Vec::new(),
        contacts: Vec::new(),
        visits: Vec::new(),
        photos: Vec::new(),
        money: Vec::new(),
        events: Vec::new(),
        documents: Vec::new(),
        bases: Vec::new(),
        files: Vec::new(),
        notes: Vec::new(),
        copies_cache: std::sync::OnceLock::new(),
    }
}

/// A thread.
pub fn thread(key: &str, channel: Channel, members: &[usize]) -> Thread {
    Thread { key: s(key), channel, members: members.to_vec(), group: None }
}

/// Camera-roll picture of base `slot`: the phone's own downscale and JPEG.
pub fn camera(slot: usize) -> ImageSpec {
    ImageSpec::base(slot, vec![Transform::Fit { width: 480, height: 360 }], Format::Jpeg(85))
}

/// Builder state.
pub struct Builder {
    /// Story randomness (phrasings, jitter).
    pub rng: Rng,
    /// Scenario day 0 at local midnight, as Unix seconds of the local wall time.
    pub day0: i64,
    /// The plan being filled.
    pub plan: Plan,
    /// Temporary message labels → index, resolved to final keys by [`Builder::finish_messages`].
    pub labels: BTreeMap<String, usize>,
}

impl Builder {
    /// A builder over `plan`, story randomness forked from `root`.
    pub fn new(root: &Rng, day0: i64, plan: Plan) -> Builder {
        Builder { rng: root.fork("core"), day0, plan, labels: BTreeMap::new() }
    }

    /// Local Paris wall time on scenario day `day` → Unix seconds, with a few seconds of jitter.
    pub fn at(&mut self, day: i64, h: i64, m: i64) -> i64 {
        let local = self.day0 + day * 86_400 + h * 3600 + m * 60 + self.rng.range(0, 59);
        local - paris_offset(local)
    }

    /// A message; one of `variants` is picked per seed. `label` (may be empty) names it for
    /// evidence lists.
    pub fn msg(&mut self, label: &str, thread: usize, from: usize, when: (i64, i64, i64), lang: &str, variants: &[&str], inds: &[&str]) -> usize {
        let t = self.at(when.0, when.1, when.2);
        let text: String = self.rng.pick(variants).to_string();
        let idx = self.plan.messages.len();
        self.plan.messages.push(Message {
            key: s(label),
            thread,
            from,
            t,
            text,
            lang: s(lang),
            indicators: inds.iter().map(|i| s(i)).collect(),
            attachment: None,
            fates: Vec::new(),
            ios_attributed_only: false,
            noise: false,
            bulk: false,
        });
        if !label.is_empty() {
            self.labels.insert(s(label), idx);
        }
        idx
    }

    /// A harmless message.
    pub fn noise(&mut self, thread: usize, from: usize, when: (i64, i64, i64), lang: &str, text: &str) -> usize {
        let i = self.msg("", thread, from, when, lang, &[text], &[]);
        self.plan.messages[i].noise = true;
        i
    }

    /// Attach a picture to message `i`.
    pub fn attach(&mut self, i: usize, key: &str, name: &str, gps: Option<(f64, f64)>, image: ImageSpec) {
        self.plan.messages[i].attachment = Some(Attachment { key: s(key), name: s(name), gps, image });
    }

    /// A call.
    pub fn call(&mut self, key: &str, from: usize, to: usize, when: (i64, i64, i64), duration: i64, channel: CallChannel, noise: bool) {
        let t = self.at(when.0, when.1, when.2);
        self.plan.calls.push(Call { key: s(key), from, to, t, duration, channel, answered: duration > 0, noise });
    }

    /// A browser visit.
    pub fn visit(&mut self, device: usize, when: (i64, i64, i64), url: &str, title: &str, typed: bool, term: Option<&str>, inds: &[&str], noise: bool) {
        let t = self.at(when.0, when.1, when.2);
        self.plan.visits.push(Visit {
            device,
            t,
            url: s(url),
            title: s(title),
            typed,
            search_term: term.map(s),
            indicators: inds.iter().map(|i| s(i)).collect(),
            noise,
        });
    }

    /// An address-book entry.
    pub fn contact(&mut self, device: usize, person: usize, first: &str, last: &str, phone: Option<&str>, email: Option<&str>, day: i64, wal_only: bool) {
        let created = self.at(day, 12, 0);
        self.plan.contacts.push(Contact { device, person, first: s(first), last: s(last), phone: phone.map(s), email: email.map(s), created, wal_only });
    }

    /// A camera-roll photo.
    pub fn photo(&mut self, device: usize, name: &str, when: (i64, i64, i64), gps: Option<(f64, f64)>, description: &str, image: ImageSpec) {
        let t = self.at(when.0, when.1, when.2);
        let key = format!("PH{}", self.plan.photos.len() + 1);
        self.plan.photos.push(Photo { key, device, name: s(name), t, gps, description: s(description), image, bulk: false, dir: None });
    }

    /// Declare a base-photo slot; returns its index.
    pub fn base(&mut self, stands_for: &str) -> usize {
        let i = self.plan.bases.len();
        self.plan.bases.push(BaseSlot { id: format!("B{:02}", i + 1), stands_for: s(stands_for) });
        i
    }

    /// Plant a file.
    pub fn file(&mut self, device: usize, path: &str, content: FileContent) {
        self.plan.files.push(PlanFile { device, path: s(path), content, bulk: false });
    }

    /// A document (text file with what it names).
    pub fn document(&mut self, device: usize, path: &str, content: String, mentions: Vec<(usize, String, String)>, inds: &[&str]) {
        self.plan.documents.push(Document { device, path: s(path), content, mentions, indicators: inds.iter().map(|i| s(i)).collect() });
    }

    /// Sort messages by time and give the final keys `M0001`…; returns label → key.
    pub fn finish_messages(&mut self) -> BTreeMap<String, String> {
        let mut order: Vec<usize> = (0..self.plan.messages.len()).collect();
        order.sort_by_key(|&i| (self.plan.messages[i].t, i));
        let old = std::mem::take(&mut self.plan.messages);
        let mut final_key: BTreeMap<usize, String> = BTreeMap::new();
        for (n, &i) in order.iter().enumerate() {
            let mut m = old[i].clone();
            m.key = format!("M{:04}", n + 1);
            final_key.insert(i, m.key.clone());
            self.plan.messages.push(m);
        }
        self.labels.iter().map(|(l, i)| (l.clone(), final_key[i].clone())).collect()
    }

    /// Time of the first visit of `url` on `dev` (day 0 if none).
    pub fn visit_time(&self, dev: usize, url: &str) -> i64 {
        self.plan.visits.iter().find(|v| v.device == dev && v.url == url).map(|v| v.t).unwrap_or(self.day0)
    }

    /// Time of message `key`.
    pub fn msg_time(&self, key: &str) -> i64 {
        self.plan.messages.iter().find(|m| m.key == key).map(|m| m.t).unwrap_or(self.day0)
    }
}

/// A key event.
pub fn event(id: &str, t: i64, title: &str, persons: &[&str], evidence: Vec<String>) -> KeyEvent {
    KeyEvent { id: s(id), at: iso_utc(t), title: s(title), persons: persons.iter().map(|p| s(p)).collect(), evidence }
}

/// A money flow.
pub fn flow(id: &str, t: i64, from: &str, to: &str, acct: Option<&str>, ctrl: Option<&str>, cents: i64, currency: &str, method: &str, label: &str, inds: &[&str], ev: Vec<String>) -> MoneyFlow {
    MoneyFlow {
        id: s(id),
        at: iso_utc(t),
        from: s(from),
        to: s(to),
        to_account: acct.map(s),
        account_controlled_by: ctrl.map(s),
        amount_cents: cents,
        currency: s(currency),
        method: s(method),
        label: s(label),
        indicators: inds.iter().map(|i| s(i)).collect(),
        evidence: ev,
    }
}

/// Mark a share of messages (iMessage threads always, SMS after `after_day`) as `attributedBody`-only on iOS.
pub fn mark_attributed(plan: &mut Plan, root: &Rng, day0: i64, after_day: i64) {
    let mut ar = root.fork("attributed");
    for m in &mut plan.messages {
        let imessage = plan.threads[m.thread].channel == Channel::IMessage;
        if imessage || (m.t > day0 + after_day * 86_400 && ar.chance(0.35)) {
            m.ios_attributed_only = true;
        }
    }
}

/// Give Android camera photos their real `YYYYMMDD_HHMMSS.jpg` names.
pub fn android_photo_names(plan: &mut Plan) {
    for p in &mut plan.photos {
        if plan.devices[p.device].kind == DeviceKind::Android {
            let (y, mo, d, h, mi, sec) = super::timefmt::parts(p.t, paris_offset(p.t));
            p.name = format!("{y:04}{mo:02}{d:02}_{h:02}{mi:02}{sec:02}.jpg");
        }
    }
}
