//! Training mode: a fresh case per trainee from a synthetic scenario, and a graded report that
//! compares the trainee's tags, people, roles and exhibits with the scenario's answer key.
//!
//! - [`start`] generates the scenario, keeps the answer key apart from the evidence (in an
//!   `instructor/` folder the trainee is not given), builds the case and ingests every container.
//! - [`score`] grades four tasks, each with precision, recall and F1, and lists what was missed with
//!   pointers into the evidence (device, file, table, row): indicator tags, people linked across
//!   devices by their identifiers, roles, and exhibit items. The overall score is the mean F1.
//! - [`solve`] fills a case with the key's own answers (the instructor's model answer; it scores 100).

pub mod key;
mod score;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::params;
use serde::Serialize;

use crate::case::review::ItemRef;
use crate::case::{Case, SourceInfo};
use crate::error::{Error, Result, SqlContext};
use crate::ingest::{IngestOptions, IngestSummary, ingest};
use crate::progress::{CancelToken, Progress};
use crate::vfs;
pub use key::AnswerKey;
pub use score::{ScoreReport, TaskScore, score};

/// Trainee brief and instructor notes, in English and French, per scenario.
struct Texts {
    brief_en: &'static str,
    brief_fr: &'static str,
    instructor_en: &'static str,
    instructor_fr: &'static str,
}

fn texts(scenario: &str) -> Option<Texts> {
    macro_rules! t {
        ($dir:literal) => {
            Texts {
                brief_en: include_str!(concat!("../../samples/", $dir, "/brief.en.md")),
                brief_fr: include_str!(concat!("../../samples/", $dir, "/brief.fr.md")),
                instructor_en: include_str!(concat!("../../samples/", $dir, "/instructor.en.md")),
                instructor_fr: include_str!(concat!("../../samples/", $dir, "/instructor.fr.md")),
            }
        };
    }
    match scenario {
        "labour-job-ads" => Some(t!("labour-job-ads")),
        "loverboy-ads" => Some(t!("loverboy-ads")),
        "scam-compound" => Some(t!("scam-compound")),
        _ => None,
    }
}

/// A scenario as training mode lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingScenario {
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Whether a trainee brief and instructor notes exist for it.
    pub has_brief: bool,
}

/// Scenarios available for training.
pub fn list() -> Vec<TrainingScenario> {
    crate::samples::scenarios()
        .into_iter()
        .map(|s| TrainingScenario { has_brief: texts(&s.name).is_some(), name: s.name, title: s.title, summary: s.summary })
        .collect()
}

/// What [`start`] made.
#[derive(Debug, Clone, Serialize)]
pub struct Started {
    /// The trainee's case.
    pub case: PathBuf,
    /// The evidence folder given to the trainee.
    pub evidence: PathBuf,
    /// The trainee brief (English and French).
    pub briefs: Vec<PathBuf>,
    /// The answer key and instructor notes (keep them from the trainee).
    pub instructor: PathBuf,
    /// One summary per ingested container.
    pub sources: Vec<IngestSummary>,
}

fn slug(s: &str) -> String {
    let mut out: String = s.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').to_string()
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io("writing", path, e))
}

/// Build a fresh training case for `trainee` under `out_dir/<trainee>/`.
pub fn start(scenario: &str, trainee: &str, out_dir: &Path, seed: u64, progress: &dyn Progress, cancel: &CancelToken) -> Result<Started> {
    let info = crate::samples::scenarios()
        .into_iter()
        .find(|s| s.name == scenario)
        .ok_or_else(|| Error::InvalidArgument(format!("unknown scenario '{scenario}'; see `threadline train list`")))?;
    let texts = texts(scenario).ok_or_else(|| Error::InvalidArgument(format!("scenario '{scenario}' has no trainee brief yet")))?;
    let who = slug(trainee);
    if who.is_empty() {
        return Err(Error::InvalidArgument("the trainee needs a name".into()));
    }
    let root = out_dir.join(&who);
    if root.exists() {
        return Err(Error::InvalidArgument(format!("'{}' exists already: a trainee case is built once; choose another --out", root.display())));
    }
    let generated = root.join(".generated");
    crate::samples::generate(scenario, &generated, seed, crate::samples::Scale::Small)?;
    let evidence = root.join("evidence");
    let instructor = root.join("instructor");
    std::fs::create_dir_all(&instructor).map_err(|e| Error::io("creating", &instructor, e))?;
    let key_path = instructor.join("answer_key.json");
    std::fs::rename(generated.join("answer_key.json"), &key_path).map_err(|e| Error::io("moving the answer key to", &key_path, e))?;
    std::fs::rename(&generated, &evidence).map_err(|e| Error::io("moving the evidence to", &evidence, e))?;
    write(&instructor.join("instructor.en.md"), texts.instructor_en)?;
    write(&instructor.join("instructor.fr.md"), texts.instructor_fr)?;
    let briefs = vec![root.join("brief.en.md"), root.join("brief.fr.md")];
    write(&briefs[0], texts.brief_en)?;
    write(&briefs[1], texts.brief_fr)?;

    let (key, key_sha) = AnswerKey::load(&key_path)?;
    let case_path = root.join(format!("{who}.tlcase"));
    let mut case = Case::create(&case_path, &format!("Training: {}", info.title), trainee)?;
    {
        let tx = case.conn_mut().transaction().ctx("recording the training set-up")?;
        for (k, v) in [
            ("training_scenario", scenario.to_string()),
            ("training_seed", seed.to_string()),
            ("training_trainee", trainee.to_string()),
            ("training_key", key_path.canonicalize().unwrap_or(key_path.clone()).display().to_string()),
            ("training_key_sha256", key_sha.clone()),
        ] {
            tx.execute("INSERT INTO case_meta (key, value) VALUES (?1, ?2)", params![k, v]).ctx("recording the training set-up")?;
        }
        crate::case::audit::append(&tx, trainee, "training.start", &serde_json::json!({"scenario": scenario, "seed": seed, "key_sha256": key_sha}))?;
        tx.commit().ctx("recording the training set-up")?;
    }
    let mut sources = Vec::new();
    for d in &key.devices {
        for c in &d.containers {
            let p = evidence.join(&c.path);
            let label = if p.is_dir() { d.id.clone() } else { c.path.clone() };
            let opts = IngestOptions { label: Some(label), ..IngestOptions::default() };
            sources.push(ingest(&mut case, &p, &opts, progress, cancel)?);
        }
    }
    Ok(Started { case: case_path, evidence, briefs, instructor, sources })
}

/// The answer key recorded with a training case, unless one is given.
pub fn key_for(case: &Case, explicit: Option<&Path>) -> Result<(AnswerKey, PathBuf, Option<String>)> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let p: Option<String> = case
                .conn()
                .query_row("SELECT value FROM case_meta WHERE key = 'training_key'", [], |r| r.get(0))
                .map(Some)
                .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })
                .ctx("reading the training set-up")?;
            PathBuf::from(p.ok_or_else(|| Error::InvalidArgument("this case was not made by `threadline train start`; pass --key".into()))?)
        }
    };
    let (key, sha) = AnswerKey::load(&path)?;
    let recorded: Option<String> = case.conn().query_row("SELECT value FROM case_meta WHERE key = 'training_key_sha256'", [], |r| r.get(0)).ok();
    let warning = match recorded {
        Some(r) if r != sha => Some(format!("the answer key '{}' is not the one this case was built with (SHA-256 differs)", path.display())),
        _ => None,
    };
    Ok((key, path, warning))
}

/// Which device each source of the case belongs to, from the key's container paths.
pub(crate) fn source_devices(sources: &[SourceInfo], key: &AnswerKey) -> HashMap<i64, String> {
    let mut out = HashMap::new();
    for s in sources {
        let p = s.path.trim_end_matches('/');
        for d in &key.devices {
            if d.containers.iter().any(|c| p.ends_with(&format!("/{}", c.path.trim_end_matches('/'))) || p == c.path) {
                out.insert(s.id, d.id.clone());
            }
        }
    }
    out
}

/// A file inside a device, as the case's virtual path.
pub(crate) fn virtual_path(p: &str) -> String {
    vfs::normalise(p).path
}

/// Fill the case with the key's own answers (instructor's model answer).
pub fn solve(case: &mut Case, key: &AnswerKey) -> Result<()> {
    let devices = source_devices(&case.sources()?, key);
    let mut first_source: HashMap<&str, i64> = HashMap::new();
    let mut ids: Vec<_> = devices.iter().collect();
    ids.sort();
    for (sid, dev) in ids {
        first_source.entry(dev.as_str()).or_insert(*sid);
    }
    let item_for_copy = |c: &key::KeyCopy| -> Option<ItemRef> {
        first_source.get(c.device.as_str()).map(|&sid| ItemRef { source_id: sid, path: virtual_path(&c.file), table: Some(c.table.clone()), row_id: Some(c.row_id) })
    };
    let item_for_file = |device: &str, path: &str| -> Option<ItemRef> {
        first_source.get(device).map(|&sid| ItemRef { source_id: sid, path: virtual_path(path), table: None, row_id: None })
    };
    for m in key.messages.iter().filter(|m| !m.indicators.is_empty()) {
        if let Some(item) = m.copies.iter().find_map(item_for_copy) {
            for ind in &m.indicators {
                case.add_tag(&item, ind, Some(&format!("model answer: {}", m.key)))?;
            }
        }
    }
    for d in key.documents.iter().filter(|d| !d.indicators.is_empty()) {
        if let Some(item) = item_for_file(&d.device, &d.path) {
            for ind in &d.indicators {
                case.add_tag(&item, ind, Some("model answer"))?;
            }
        }
    }
    for p in &key.persons {
        let roles: Vec<&String> = p.roles.iter().filter(|r| crate::case::review::ROLES.contains(&r.as_str())).collect();
        if roles.is_empty() {
            continue;
        }
        let mut idents: Vec<(String, String)> = Vec::new();
        for i in &p.identifiers {
            if score::LINKABLE.contains(&i.kind.as_str()) && !idents.iter().any(|(k, v)| k == &i.kind && v == &i.value) {
                idents.push((i.kind.clone(), i.value.clone()));
            }
        }
        let id = case.add_person(&p.name, &idents)?;
        for r in roles {
            case.set_role(id, r, Some("model answer"))?;
        }
    }
    let exhibit = case.add_exhibit("Key events (model answer)", Some("one item per piece of evidence behind the scenario's key events"))?;
    let messages: HashMap<&str, &key::KeyMessage> = key.messages.iter().map(|m| (m.key.as_str(), m)).collect();
    for e in &key.key_events {
        for ev in &e.evidence {
            let item = if let Some(m) = messages.get(ev.as_str()) {
                m.copies.iter().find_map(item_for_copy)
            } else if let Some((device, path)) = ev.split_once(':').filter(|(_, p)| !p.starts_with("visit:")) {
                item_for_file(device, path)
            } else {
                None
            };
            if let Some(item) = item {
                case.add_exhibit_item(exhibit, &item, Some(&format!("{}: {}", e.id, e.title)))?;
            }
        }
    }
    Ok(())
}
