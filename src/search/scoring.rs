//! Indicator scores: a cumulative weighted score per conversation (thread) and per person, each
//! listing the indicators and hits that produced it, placed in bands (`low`, `medium`, `high`).
//! A score is the strength of a lead for review; it is never a label, a verdict or a yes/no.
//!
//! Scoring: each indicator adds its weight once per message it was found in, up to
//! [`REPEAT_CAP`] messages per conversation or person (several spans in one message count once),
//! so one phrase repeated many times cannot carry a score alone (GRETA C3). A person is an examiner
//! defined person (`persons`, through the identifiers recorded for the message's sender), or else
//! the sender's identifier as recorded (`identifier_sightings`), or the sender as stored.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::params;
use serde::Serialize;

use super::hits;
use super::indicator_run::{caveats_of_run, packs_of_run};
use crate::case::Case;
use crate::error::{Result, SqlContext};

/// Messages per indicator counted in one conversation or person.
pub const REPEAT_CAP: usize = 3;
/// Default band limits: below the first is `low`, from the second on is `high`.
pub const BANDS: (f64, f64) = (4.0, 10.0);

/// The band of a score.
pub fn band(score: f64, bands: (f64, f64)) -> &'static str {
    if score >= bands.1 {
        "high"
    } else if score >= bands.0 {
        "medium"
    } else {
        "low"
    }
}

/// What one indicator added to a score.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// Indicator id.
    pub indicator: String,
    /// Its title.
    pub title: String,
    /// Its weight.
    pub weight: f64,
    /// Messages it was found in.
    pub messages: usize,
    /// Points added: weight × min(messages, cap).
    pub points: f64,
    /// The hits (ids in `match_hits`).
    pub hits: Vec<i64>,
    /// Matched texts (first few).
    pub matched: Vec<String>,
    /// The indicator's caveat.
    pub caveat: String,
}

/// A scored conversation or person.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    /// `thread:12` or `person:3`, `phone:+33…`, `sender:…`.
    pub key: String,
    /// Conversation name or person name / identifier.
    pub label: String,
    /// Source (conversations).
    pub source_id: Option<i64>,
    /// Service (conversations).
    pub service: Option<String>,
    /// Cumulative weighted score.
    pub score: f64,
    /// `low`, `medium` or `high`.
    pub band: &'static str,
    /// Messages with at least one hit.
    pub messages: usize,
    /// What produced the score, largest first.
    pub contributions: Vec<Contribution>,
}

/// Scores of one indicator run.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    /// `runs.id` of the indicator run.
    pub run_id: i64,
    /// Packs of the run.
    pub packs: String,
    /// Band limits used.
    pub bands: (f64, f64),
    /// What a score is and is not.
    pub note: &'static str,
    /// Conversations, highest first.
    pub conversations: Vec<Scored>,
    /// Persons (as authors of the messages), highest first.
    pub persons: Vec<Scored>,
    /// Hits outside messages (files, contacts, visits), per table: not scored, listed by `indicators hits`.
    pub other_hits: BTreeMap<String, i64>,
    /// The packs' caveats.
    pub caveats: Vec<String>,
}

const NOTE: &str = "A score is the cumulative weight of indicator hits: the strength of a lead for human review. It is not a finding, a label or a verdict about anyone.";

/// Per indicator: weight, messages, hit ids, matched texts.
type PerIndicator = (f64, BTreeSet<i64>, Vec<i64>, Vec<String>);

#[derive(Default)]
struct Acc {
    per_indicator: BTreeMap<String, PerIndicator>,
    messages: BTreeSet<i64>,
}

impl Acc {
    fn add(&mut self, h: &Row) {
        let e = self.per_indicator.entry(h.term.clone()).or_insert_with(|| (h.weight, BTreeSet::new(), Vec::new(), Vec::new()));
        e.1.insert(h.message);
        e.2.push(h.hit);
        if e.3.len() < 5 && !e.3.contains(&h.matched) {
            e.3.push(h.matched.clone());
        }
        self.messages.insert(h.message);
    }

    fn finish(self, key: String, label: String, source_id: Option<i64>, service: Option<String>, info: &HashMap<String, (String, String)>, bands: (f64, f64)) -> Scored {
        let mut contributions: Vec<Contribution> = self
            .per_indicator
            .into_iter()
            .map(|(id, (weight, msgs, hits, matched))| {
                let (title, caveat) = info.get(&id).cloned().unwrap_or_default();
                Contribution { points: weight * msgs.len().min(REPEAT_CAP) as f64, indicator: id, title, weight, messages: msgs.len(), hits, matched, caveat }
            })
            .collect();
        contributions.sort_by(|a, b| b.points.total_cmp(&a.points).then(a.indicator.cmp(&b.indicator)));
        let score = contributions.iter().map(|c| c.points).sum::<f64>();
        Scored { key, label, source_id, service, score, band: band(score, bands), messages: self.messages.len(), contributions }
    }
}

struct Row {
    hit: i64,
    term: String,
    weight: f64,
    matched: String,
    message: i64,
    thread: Option<i64>,
    sender: Option<String>,
    direction: String,
    source: i64,
}

/// Who wrote a message, as a scoring key and a label.
fn author(case: &Case, r: &Row) -> Result<(String, String)> {
    let mut st = case
        .conn()
        .prepare_cached(
            "SELECT i.kind, i.normalised, p.id, p.name FROM identifier_sightings s JOIN identifiers i ON i.id = s.identifier_id
             LEFT JOIN person_identifiers pi ON pi.identifier_id = i.id LEFT JOIN persons p ON p.id = pi.person_id
             WHERE s.ref_table = 'messages' AND s.ref_id = ?1 AND s.field = 'sender'
             ORDER BY p.id IS NULL, i.kind != 'phone', i.id",
        )
        .ctx("reading senders")?;
    let found: Option<(String, String, Option<i64>, Option<String>)> =
        st.query_map([r.message], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?))).ctx("reading senders")?.next().transpose().ctx("reading senders")?;
    Ok(match found {
        Some((_, _, Some(pid), Some(name))) => (format!("person:{pid}"), name),
        Some((kind, value, _, _)) => (format!("{kind}:{value}"), value),
        None => match &r.sender {
            Some(s) if !s.is_empty() => (format!("sender:{s}"), s.clone()),
            _ if r.direction == "outgoing" => {
                let label: String = case.conn().query_row("SELECT label FROM sources WHERE id = ?1", [r.source], |x| x.get(0)).ctx("reading a source")?;
                (format!("owner:{}", r.source), format!("owner of source {} '{label}'", r.source))
            }
            _ => (format!("unknown:{}", r.source), format!("unknown sender (source {})", r.source)),
        },
    })
}

/// Scores of an indicator run (`run`: a `runs.id`; default the latest), optionally with other bands.
pub fn scores(case: &Case, run: Option<i64>, bands: Option<(f64, f64)>) -> Result<Scores> {
    let bands = bands.unwrap_or(BANDS);
    let match_run = hits::pick_run(case, "indicators", run)?;
    let (run_id, packs_text): (i64, String) =
        case.conn().query_row("SELECT run_id, list_name FROM match_runs WHERE id = ?1", [match_run], |r| Ok((r.get(0)?, r.get(1)?))).ctx("reading the run")?;
    let packs = packs_of_run(case, match_run)?;
    let mut info: HashMap<String, (String, String)> = HashMap::new();
    for p in &packs {
        for i in &p.pack.indicators {
            info.entry(i.id.clone()).or_insert_with(|| (i.title.clone(), i.caveat.clone()));
        }
    }
    let rows: Vec<Row> = {
        let mut st = case
            .conn()
            .prepare(
                "SELECT h.id, h.term, coalesce(h.weight, 1.0), h.matched, m.id, m.thread_id, m.sender, m.direction, m.source_id
                 FROM match_hits h JOIN messages m ON h.ref_table = 'messages' AND m.id = h.ref_id WHERE h.match_run_id = ?1 ORDER BY h.id",
            )
            .ctx("reading hits")?;
        let it = st
            .query_map([match_run], |r| {
                Ok(Row {
                    hit: r.get(0)?,
                    term: r.get(1)?,
                    weight: r.get(2)?,
                    matched: r.get(3)?,
                    message: r.get(4)?,
                    thread: r.get(5)?,
                    sender: r.get(6)?,
                    direction: r.get(7)?,
                    source: r.get(8)?,
                })
            })
            .ctx("reading hits")?;
        it.collect::<std::result::Result<_, _>>().ctx("reading hits")?
    };
    let mut threads: BTreeMap<i64, Acc> = BTreeMap::new();
    let mut persons: BTreeMap<String, (String, Acc)> = BTreeMap::new();
    let mut authors: HashMap<i64, (String, String)> = HashMap::new();
    for r in &rows {
        if let Some(t) = r.thread {
            threads.entry(t).or_default().add(r);
        }
        let (key, label) = match authors.get(&r.message) {
            Some(a) => a.clone(),
            None => {
                let a = author(case, r)?;
                authors.insert(r.message, a.clone());
                a
            }
        };
        persons.entry(key).or_insert_with(|| (label, Acc::default())).1.add(r);
    }
    let mut conversations = Vec::new();
    for (t, acc) in threads {
        let (source, service, name, participants): (i64, String, Option<String>, Option<String>) = case
            .conn()
            .query_row("SELECT source_id, service, name, participants FROM threads WHERE id = ?1", params![t], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .ctx("reading a conversation")?;
        let members = participants.map(|p| match serde_json::from_str::<Vec<String>>(&p) {
            Ok(list) => list.join(", "),
            Err(_) => p,
        });
        let label = name.filter(|n| !n.is_empty()).or(members).unwrap_or_else(|| format!("thread {t}"));
        conversations.push(acc.finish(format!("thread:{t}"), label, Some(source), Some(service), &info, bands));
    }
    let mut people: Vec<Scored> = persons.into_iter().map(|(k, (label, acc))| acc.finish(k, label, None, None, &info, bands)).collect();
    conversations.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
    people.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
    let mut other_hits = BTreeMap::new();
    {
        let mut st = case.conn().prepare("SELECT ref_table, count(*) FROM match_hits WHERE match_run_id = ?1 AND ref_table != 'messages' GROUP BY ref_table").ctx("counting hits")?;
        let it = st.query_map([match_run], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).ctx("counting hits")?;
        for x in it {
            let (t, n) = x.ctx("counting hits")?;
            other_hits.insert(t, n);
        }
    }
    Ok(Scores { run_id, packs: packs_text, bands, note: NOTE, conversations, persons: people, other_hits, caveats: caveats_of_run(case, match_run)? })
}

#[cfg(test)]
mod tests {
    use super::band;

    #[test]
    fn bands_are_ranges_not_verdicts() {
        assert_eq!(band(0.5, (4.0, 10.0)), "low");
        assert_eq!(band(4.0, (4.0, 10.0)), "medium");
        assert_eq!(band(12.0, (4.0, 10.0)), "high");
    }
}
