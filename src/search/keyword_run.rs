//! `threadline keywords run`: one keyword list (text or CSV with a category column) over every text
//! of the case and the content of text-like files, matched on the rayon pool (aho-corasick for the
//! literal terms, the regex crate for patterns), every hit stored with its span; the run is
//! recorded in `runs` with the list's SHA-256.

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::hits::{self, NewHit, RunHeader};
use super::keywords::{KeywordList, Mode, parse_list};
use super::texts::{self, TextUnit};
use crate::case::{Case, now_rfc3339};
use crate::error::{Error, Result, SqlContext};
use crate::progress::CancelToken;

/// What a keyword run did.
#[derive(Debug, Clone, Serialize)]
pub struct KeywordRun {
    /// `runs.id`.
    pub run_id: i64,
    /// List name (its file name).
    pub list: String,
    /// SHA-256 of the list file.
    pub list_sha256: String,
    /// Default mode.
    pub mode: &'static str,
    /// Terms in the list.
    pub terms: usize,
    /// Texts searched (rows' fields and files).
    pub texts: usize,
    /// Text-like files whose content was searched.
    pub files: usize,
    /// Hits stored.
    pub hits: usize,
    /// Hits per term: `(term, category, count)`.
    pub by_term: Vec<(String, Option<String>, i64)>,
    /// Problems (evidence not reachable, files cut at the size cap).
    pub problems: Vec<String>,
}

/// Match `list` over `units` on the rayon pool.
pub fn find_all(list: &KeywordList, units: &[TextUnit], name: &str, sha: &str) -> Vec<NewHit> {
    units
        .par_iter()
        .flat_map_iter(|u| {
            list.find(&u.text).into_iter().map(move |h| {
                let t = &list.terms()[h.term];
                NewHit {
                    term: t.text.clone(),
                    category: t.category.clone(),
                    weight: None,
                    list_name: name.to_string(),
                    list_sha256: sha.to_string(),
                    pack_id: None,
                    ..NewHit::at(u, h.span)
                }
            })
        })
        .collect()
}

/// Run a list (its file's bytes) over the case.
pub fn run(case: &mut Case, name: &str, content: &[u8], mode: Mode, cancel: &CancelToken) -> Result<KeywordRun> {
    let started = now_rfc3339();
    let sha = hex::encode(Sha256::digest(content));
    let text = std::str::from_utf8(content).map_err(|e| Error::InvalidArgument(format!("keyword list '{name}' is not UTF-8 text: {e}")))?;
    let terms = parse_list(text, mode).map_err(|e| Error::InvalidArgument(format!("keyword list '{name}': {e}")))?;
    let list = KeywordList::new(terms).map_err(|e| Error::InvalidArgument(format!("keyword list '{name}': {e}")))?;
    let texts::AllTexts { units, files: n_files, problems } = texts::all_texts(case, cancel)?;
    let found = find_all(&list, &units, name, &sha);
    let header = RunHeader {
        kind: "keywords",
        list_name: name.to_string(),
        list_sha256: sha.clone(),
        mode: Some(mode.as_str().to_string()),
        settings: serde_json::json!({ "terms": list.terms().len() }),
        started_utc: started,
        texts: units.len() as i64,
        message: format!(
            "list '{name}' sha256 {sha}, {} terms, mode {}: {} hits in {} texts ({} files){}",
            list.terms().len(),
            mode.as_str(),
            found.len(),
            units.len(),
            n_files,
            if problems.is_empty() { String::new() } else { format!("; {}", problems.join("; ")) }
        ),
    };
    let actor = case.actor();
    let tx = case.conn_mut().transaction().ctx("recording keyword hits")?;
    let (run_id, match_run) = hits::store(&tx, &header, &found)?;
    crate::case::audit::append(&tx, &actor, "keywords.run", &serde_json::json!({ "run_id": run_id, "list": name, "sha256": sha, "hits": found.len() }))?;
    tx.commit().ctx("recording keyword hits")?;
    let by_term = hits::counts(case, match_run)?;
    Ok(KeywordRun { run_id, list: name.to_string(), list_sha256: sha, mode: mode.as_str(), terms: list.terms().len(), texts: units.len(), files: n_files, hits: found.len(), by_term, problems })
}
