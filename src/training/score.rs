//! Grading a trainee's case against the answer key.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::key::{AnswerKey, KeyMessage};
use super::{source_devices, virtual_path};
use crate::case::Case;
use crate::case::review::{ItemRef, ROLES};
use crate::error::Result;

/// Identifier kinds that link a person across devices.
pub(crate) const LINKABLE: &[&str] = &["phone", "email", "whatsapp-jid", "iban"];

/// One graded task.
#[derive(Debug, Clone, Serialize)]
pub struct TaskScore {
    /// `indicators`, `people`, `roles`, `exhibits`.
    pub task: String,
    /// What the task asks.
    pub description: String,
    /// Items in the key.
    pub expected: usize,
    /// Items the trainee gave.
    pub submitted: usize,
    /// Trainee items that are right.
    pub correct: usize,
    /// Key items the trainee found.
    pub found: usize,
    /// correct / submitted.
    pub precision: f64,
    /// found / expected.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
    /// Key items not found, with pointers into the evidence.
    pub missed: Vec<String>,
    /// Trainee items that are not in the key, with why.
    pub wrong: Vec<String>,
}

/// The graded report.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreReport {
    /// Scenario name.
    pub scenario: String,
    /// Trainee (the case's examiner).
    pub trainee: String,
    /// One entry per task.
    pub tasks: Vec<TaskScore>,
    /// Mean F1 over the tasks, 0–100.
    pub overall: f64,
    /// A warning about the key, if any.
    pub warning: Option<String>,
}

fn task(name: &str, description: &str, expected: &BTreeSet<String>, submitted: &BTreeSet<String>, is_right: impl Fn(&str) -> bool, pointer: impl Fn(&str) -> String) -> TaskScore {
    let correct = submitted.iter().filter(|s| is_right(s)).count();
    let found = expected.iter().filter(|e| submitted.contains(*e)).count();
    let precision = if submitted.is_empty() { 0.0 } else { correct as f64 / submitted.len() as f64 };
    let recall = if expected.is_empty() { if submitted.is_empty() { 1.0 } else { 0.0 } } else { found as f64 / expected.len() as f64 };
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    TaskScore {
        task: name.into(),
        description: description.into(),
        expected: expected.len(),
        submitted: submitted.len(),
        correct,
        found,
        precision,
        recall,
        f1,
        missed: expected.iter().filter(|e| !submitted.contains(*e)).map(|e| pointer(e)).collect(),
        wrong: submitted.iter().filter(|s| !is_right(s)).cloned().collect(),
    }
}

/// Identity token of an identifier: phones and WhatsApp JIDs by their last nine digits, e-mails
/// lower-cased, IBANs without spaces. `None` for kinds that do not link people.
pub fn identity_token(kind: &str, value: &str) -> Option<String> {
    let last9 = |s: &str| {
        let d: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
        (d.len() >= 9).then(|| format!("tel:{}", &d[d.len() - 9..]))
    };
    match kind {
        "phone" => last9(value),
        "whatsapp-jid" => last9(value.split('@').next().unwrap_or("")),
        "email" => Some(format!("mail:{}", value.trim().to_lowercase())),
        "iban" => Some(format!("iban:{}", value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase())),
        _ => None,
    }
}

fn excerpt(m: &KeyMessage) -> String {
    let t = m.text.clone().unwrap_or_default();
    let short: String = t.chars().take(70).collect();
    if short.len() < t.len() { format!("{short}…") } else { short }
}

/// Grade `case` against `key`.
pub fn score(case: &Case, key: &AnswerKey, warning: Option<String>) -> Result<ScoreReport> {
    let devices = source_devices(&case.sources()?, key);
    // Where each message and document lives.
    let mut rows: HashMap<(String, String, String, i64), &KeyMessage> = HashMap::new();
    for m in &key.messages {
        for c in &m.copies {
            rows.insert((c.device.clone(), virtual_path(&c.file), c.table.clone(), c.row_id), m);
        }
    }
    let messages: HashMap<&str, &KeyMessage> = key.messages.iter().map(|m| (m.key.as_str(), m)).collect();
    let resolve = |item: &ItemRef| -> String {
        let Some(device) = devices.get(&item.source_id) else { return format!("source {} (not a scenario device):{}", item.source_id, item.path) };
        if let (Some(t), Some(r)) = (&item.table, item.row_id) {
            match rows.get(&(device.clone(), item.path.clone(), t.clone(), r)) {
                Some(m) => m.key.clone(),
                None => format!("{device}:{}#{t}:{r}", item.path),
            }
        } else {
            format!("{device}:{}", item.path)
        }
    };
    let pointer_for = |id: &str| -> String {
        match messages.get(id) {
            Some(m) => {
                let at = m.copies.iter().map(|c| format!("{} {} table {} row {}", c.device, virtual_path(&c.file), c.table, c.row_id)).collect::<Vec<_>>().join("; ");
                format!("{id} “{}” — {at}", excerpt(m))
            }
            None => id.to_string(),
        }
    };

    // 1. Indicator tags.
    let mut expected = BTreeSet::new();
    for m in &key.messages {
        for i in &m.indicators {
            expected.insert(format!("{} {i}", m.key));
        }
    }
    for d in &key.documents {
        for i in &d.indicators {
            expected.insert(format!("{}:{} {i}", d.device, virtual_path(&d.path)));
        }
    }
    let is_indicator = |t: &str| {
        let b = t.as_bytes();
        b.len() == 5 && b[0].is_ascii_uppercase() && b[1].is_ascii_uppercase() && b[2] == b'-' && b[3].is_ascii_digit() && b[4].is_ascii_digit()
    };
    let submitted: BTreeSet<String> = case.tags()?.iter().filter(|t| is_indicator(&t.tag)).map(|t| format!("{} {}", resolve(&t.item), t.tag)).collect();
    let indicators = task(
        "indicators",
        "tag each message or document that carries a trafficking indicator with the indicator's id (e.g. LB-03)",
        &expected,
        &submitted,
        |s| expected.contains(s),
        |e| {
            let (id, ind) = e.rsplit_once(' ').unwrap_or((e, ""));
            format!("[{ind}] {}", pointer_for(id))
        },
    );

    // People: map each trainee person to the key person sharing most identity tokens.
    let mut key_tokens: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let scored: Vec<_> = key.persons.iter().filter(|p| p.roles.iter().any(|r| ROLES.contains(&r.as_str()))).collect();
    for p in &scored {
        let set = key_tokens.entry(p.key.as_str()).or_default();
        for i in &p.identifiers {
            if let Some(t) = identity_token(&i.kind, &i.value) {
                set.insert(t);
            }
        }
    }
    let all_key_tokens: HashMap<String, &str> = key
        .persons
        .iter()
        .flat_map(|p| p.identifiers.iter().filter_map(move |i| identity_token(&i.kind, &i.value).map(|t| (t, p.key.as_str()))))
        .collect();
    let persons = case.persons()?;
    let mut mapping: HashMap<i64, String> = HashMap::new();
    let mut submitted_people = BTreeSet::new();
    let mut submitted_roles = BTreeSet::new();
    for tp in &persons {
        let tokens: BTreeSet<String> = tp.identifiers.iter().filter_map(|(k, v)| identity_token(k, v)).collect();
        let mut votes: HashMap<&str, usize> = HashMap::new();
        for t in &tokens {
            if let Some(k) = all_key_tokens.get(t) {
                *votes.entry(k).or_default() += 1;
            }
        }
        let mut best = votes.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).map(|(k, _)| k.to_string());
        if best.is_none() {
            // No shared number, JID, e-mail or IBAN: fall back to the name (some people appear only
            // by name or alias, e.g. in adverts and ledgers).
            let wanted = tp.name.trim().to_lowercase();
            best = key
                .persons
                .iter()
                .find(|kp| {
                    kp.name.to_lowercase() == wanted
                        || kp.identifiers.iter().any(|i| matches!(i.kind.as_str(), "name" | "contact-name" | "alias" | "device-owner") && i.value.trim().to_lowercase() == wanted)
                })
                .map(|kp| kp.key.clone());
        }
        let who = best.clone().unwrap_or_else(|| format!("unmatched person '{}'", tp.name));
        if let Some(b) = best {
            mapping.insert(tp.id, b);
        }
        for t in tokens {
            submitted_people.insert(format!("{who} {t}"));
        }
        for r in &tp.roles {
            submitted_roles.insert(format!("{who} {r}"));
        }
    }
    // 2. People linked across devices by their identifiers.
    let mut expected_people = BTreeSet::new();
    for (p, toks) in &key_tokens {
        for t in toks {
            expected_people.insert(format!("{p} {t}"));
        }
    }
    let names: HashMap<&str, &str> = key.persons.iter().map(|p| (p.key.as_str(), p.name.as_str())).collect();
    let people = task(
        "people",
        "create each involved person once and attach every phone number, WhatsApp id, e-mail and IBAN they use on any device",
        &expected_people,
        &submitted_people,
        |s| expected_people.contains(s),
        |e| {
            let (p, t) = e.split_once(' ').unwrap_or((e, ""));
            let seen: Vec<String> = key
                .persons
                .iter()
                .filter(|kp| kp.key == p)
                .flat_map(|kp| kp.identifiers.iter())
                .filter(|i| identity_token(&i.kind, &i.value).as_deref() == Some(t))
                .map(|i| format!("{} as {} '{}'", i.device, i.kind, i.value))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            format!("{p} ({}) {t}: {}", names.get(p).unwrap_or(&""), seen.join("; "))
        },
    );
    // 3. Roles.
    let mut expected_roles = BTreeSet::new();
    for p in &scored {
        for r in p.roles.iter().filter(|r| ROLES.contains(&r.as_str())) {
            expected_roles.insert(format!("{} {r}", p.key));
        }
    }
    let roles = task(
        "roles",
        "give each involved person their role(s) in the network (recruiter, transporter, exploiter, money-handler, victim …)",
        &expected_roles,
        &submitted_roles,
        |s| expected_roles.contains(s),
        |e| {
            let (p, r) = e.split_once(' ').unwrap_or((e, ""));
            format!("{p} ({}) as {r}", names.get(p).unwrap_or(&""))
        },
    );
    // 4. Exhibits: the evidence behind the key events.
    let mut expected_items = BTreeSet::new();
    let mut event_of: HashMap<String, String> = HashMap::new();
    for e in &key.key_events {
        for ev in &e.evidence {
            let id = if messages.contains_key(ev.as_str()) {
                ev.clone()
            } else if let Some((device, path)) = ev.split_once(':').filter(|(_, p)| !p.starts_with("visit:")) {
                if key.devices.iter().any(|d| d.id == device) { format!("{device}:{}", virtual_path(path)) } else { continue }
            } else {
                continue; // calls, web visits and money flows are not exhibit items yet
            };
            event_of.entry(id.clone()).or_insert_with(|| format!("{} {}", e.id, e.title));
            expected_items.insert(id);
        }
    }
    let relevant: BTreeSet<String> = key
        .messages
        .iter()
        .filter(|m| !m.indicators.is_empty())
        .map(|m| m.key.clone())
        .chain(key.documents.iter().filter(|d| !d.indicators.is_empty()).map(|d| format!("{}:{}", d.device, virtual_path(&d.path))))
        .collect();
    let submitted_items: BTreeSet<String> = case.exhibits()?.iter().flat_map(|x| x.items.iter().map(|(i, _)| resolve(i))).collect();
    let exhibits = task(
        "exhibits",
        "put the evidence behind each key event of the case into exhibits",
        &expected_items,
        &submitted_items,
        |s| expected_items.contains(s) || relevant.contains(s),
        |e| format!("{} — for {}", pointer_for(e), event_of.get(e).cloned().unwrap_or_default()),
    );
    let tasks = vec![indicators, people, roles, exhibits];
    let overall = (tasks.iter().map(|t| t.f1).sum::<f64>() / tasks.len() as f64 * 1000.0).round() / 10.0;
    let trainee = case.info()?.examiner;
    Ok(ScoreReport { scenario: key.scenario.name.clone(), trainee, tasks, overall, warning })
}
