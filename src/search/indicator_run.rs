//! `threadline indicators run`: the enabled indicators of the chosen packs over every text of the
//! case and the content of text-like files, on the rayon pool. Each pack used is stored whole in
//! `indicator_packs`; the run is recorded in `runs` with every pack's name, version and SHA-256.
//! Disabled indicators are not compiled at all, so they cannot produce a hit.

use rayon::prelude::*;
use rusqlite::params;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::hits::{self, NewHit, RunHeader};
use super::packs::{LoadedPack, Matcher, Selection};
use super::texts::{self, TextUnit};
use crate::case::{Case, now_rfc3339};
use crate::error::{Result, SqlContext};
use crate::progress::CancelToken;

/// A pack as a run used it.
#[derive(Debug, Clone, Serialize)]
pub struct PackUsed {
    /// `indicator_packs.id`.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Language.
    pub language: String,
    /// Version.
    pub version: String,
    /// SHA-256 of the pack file.
    pub sha256: String,
    /// `embedded:…` or the file.
    pub origin: String,
}

/// What an indicator run did.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRun {
    /// `runs.id`.
    pub run_id: i64,
    /// Packs used.
    pub packs: Vec<PackUsed>,
    /// Indicator ids that ran.
    pub enabled: Vec<String>,
    /// Indicator ids of the packs that did not run (disabled).
    pub disabled: Vec<String>,
    /// Texts searched.
    pub texts: usize,
    /// Hits stored.
    pub hits: usize,
    /// Hits per indicator: `(id, family, count)`.
    pub by_indicator: Vec<(String, Option<String>, i64)>,
    /// Problems (evidence not reachable, files cut at the size cap).
    pub problems: Vec<String>,
    /// The packs' caveats.
    pub caveats: Vec<String>,
}

/// Match the indicators over `units` on the rayon pool. `pack_ids[i]` is pack `i`'s stored id.
pub fn find_all(m: &Matcher, packs: &[LoadedPack], pack_ids: &[i64], units: &[TextUnit]) -> Vec<NewHit> {
    units
        .par_iter()
        .flat_map_iter(|u| {
            m.find(&u.text).into_iter().map(move |h| {
                let c = &m.indicators[h.indicator];
                let p = &packs[c.pack];
                NewHit {
                    term: c.indicator.id.clone(),
                    category: c.indicator.id.split('-').next().map(String::from),
                    weight: Some(c.indicator.weight),
                    list_name: p.pack.name.clone(),
                    list_sha256: p.sha256.clone(),
                    pack_id: pack_ids.get(c.pack).copied(),
                    ..NewHit::at(u, h.span)
                }
            })
        })
        .collect()
}

/// The distinct caveats of packs, each once with the languages of the packs that carry it.
pub fn caveats(packs: &[LoadedPack]) -> Vec<String> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for p in packs {
        for c in &p.pack.caveats {
            match out.iter_mut().find(|(t, _)| t == c) {
                Some((_, langs)) => {
                    if !langs.contains(&p.pack.language) {
                        langs.push(p.pack.language.clone());
                    }
                }
                None => out.push((c.clone(), vec![p.pack.language.clone()])),
            }
        }
    }
    out.into_iter().map(|(c, langs)| format!("[{}] {c}", langs.join(", "))).collect()
}

/// Run packs over the case.
pub fn run(case: &mut Case, packs: &[LoadedPack], sel: &Selection, cancel: &CancelToken) -> Result<IndicatorRun> {
    let started = now_rfc3339();
    sel.check(packs)?;
    let matcher = Matcher::new(packs, sel)?;
    let texts::AllTexts { units, problems, .. } = texts::all_texts(case, cancel)?;
    let mut enabled: Vec<String> = matcher.indicators.iter().map(|c| c.indicator.id.clone()).collect();
    enabled.sort();
    enabled.dedup();
    let mut disabled: Vec<String> = packs.iter().flat_map(|p| &p.pack.indicators).filter(|i| !sel.enabled(i)).map(|i| i.id.clone()).collect();
    disabled.sort();
    disabled.dedup();
    let actor = case.actor();
    let tx = case.conn_mut().transaction().ctx("recording indicator hits")?;
    let mut used = Vec::new();
    for p in packs {
        tx.execute(
            "INSERT OR IGNORE INTO indicator_packs (name, language, version, sha256, origin, content, added_utc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![p.pack.name, p.pack.language, p.pack.version, p.sha256, p.origin, p.content, now_rfc3339()],
        )
        .ctx("storing the indicator pack")?;
        let id: i64 = tx.query_row("SELECT id FROM indicator_packs WHERE sha256 = ?1", [&p.sha256], |r| r.get(0)).ctx("storing the indicator pack")?;
        used.push(PackUsed { id, name: p.pack.name.clone(), language: p.pack.language.clone(), version: p.pack.version.clone(), sha256: p.sha256.clone(), origin: p.origin.clone() });
    }
    let ids: Vec<i64> = used.iter().map(|u| u.id).collect();
    let found = find_all(&matcher, packs, &ids, &units);
    let mut combined = Sha256::new();
    for u in &used {
        combined.update(u.sha256.as_bytes());
    }
    let pack_text = used.iter().map(|u| format!("{} {} sha256 {}", u.name, u.version, u.sha256)).collect::<Vec<_>>().join(", ");
    let header = RunHeader {
        kind: "indicators",
        list_name: used.iter().map(|u| u.name.as_str()).collect::<Vec<_>>().join("+"),
        list_sha256: hex::encode(combined.finalize()),
        mode: None,
        settings: serde_json::json!({ "packs": ids, "enable": sel.enable, "disable": sel.disable, "disabled": disabled }),
        started_utc: started,
        texts: units.len() as i64,
        message: format!(
            "packs {pack_text}; {} indicators enabled, {} disabled; {} hits in {} texts{}",
            enabled.len(),
            disabled.len(),
            found.len(),
            units.len(),
            if problems.is_empty() { String::new() } else { format!("; {}", problems.join("; ")) }
        ),
    };
    let (run_id, match_run) = hits::store(&tx, &header, &found)?;
    crate::case::audit::append(&tx, &actor, "indicators.run", &serde_json::json!({ "run_id": run_id, "packs": pack_text, "enable": sel.enable, "disable": sel.disable, "hits": found.len() }))?;
    tx.commit().ctx("recording indicator hits")?;
    let by_indicator = hits::counts(case, match_run)?;
    let with_hits: Vec<LoadedPack> = packs.iter().filter(|p| found.iter().any(|h| h.list_sha256 == p.sha256)).cloned().collect();
    let caveats = caveats(if with_hits.is_empty() { packs } else { &with_hits });
    Ok(IndicatorRun { run_id, packs: used, enabled, disabled, texts: units.len(), hits: found.len(), by_indicator, problems, caveats })
}

/// The packs a stored run used (read back from the case).
pub fn packs_of_run(case: &Case, match_run: i64) -> Result<Vec<LoadedPack>> {
    let settings: String = case.conn().query_row("SELECT settings FROM match_runs WHERE id = ?1", [match_run], |r| r.get(0)).ctx("reading the run")?;
    let ids: Vec<i64> = serde_json::from_str::<serde_json::Value>(&settings)
        .ok()
        .and_then(|v| v.get("packs").and_then(|p| p.as_array()).map(|a| a.iter().filter_map(|x| x.as_i64()).collect()))
        .unwrap_or_default();
    let mut out = Vec::new();
    for id in ids {
        let (content, origin): (String, String) =
            case.conn().query_row("SELECT content, origin FROM indicator_packs WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?))).ctx("reading a stored pack")?;
        out.push(super::packs::parse(&content, &origin)?);
    }
    Ok(out)
}

/// The caveats to show with a stored run's results: those of the packs that produced hits.
pub fn caveats_of_run(case: &Case, match_run: i64) -> Result<Vec<String>> {
    let packs = packs_of_run(case, match_run)?;
    let mut st = case.conn().prepare("SELECT DISTINCT list_sha256 FROM match_hits WHERE match_run_id = ?1").ctx("reading the run")?;
    let shas: Vec<String> = st.query_map([match_run], |r| r.get(0)).ctx("reading the run")?.collect::<std::result::Result<_, _>>().ctx("reading the run")?;
    let with_hits: Vec<LoadedPack> = packs.iter().filter(|p| shas.contains(&p.sha256)).cloned().collect();
    Ok(caveats(if with_hits.is_empty() { &packs } else { &with_hits }))
}
