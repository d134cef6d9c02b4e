//! `threadline keywords …` and `threadline indicators …`: arguments and printing. The work is in
//! `threadline::search::{keyword_run, indicator_run, hits, scoring, packs}`.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use threadline::case::Case;
use threadline::progress::CancelToken;
use threadline::search::{hits, indicator_run, keyword_run, keywords, packs, scoring};
use threadline::{Error, Result};

#[derive(Subcommand)]
pub enum KeywordsCmd {
    /// Run a keyword list (text, one term a line; or CSV with `term`, `category`, `mode` columns)
    /// over messages, contacts, visits, file names and the content of text-like files; hits are stored.
    Run {
        /// Case file.
        case: PathBuf,
        /// The list file.
        list: PathBuf,
        /// Mode where the list does not say: exact, substring, word (whole-word), regex.
        #[arg(long, default_value = "substring")]
        mode: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Hits of a keyword run (default: the latest).
    Hits {
        /// Case file.
        case: PathBuf,
        /// Run id (see `threadline runs`).
        #[arg(long)]
        run: Option<i64>,
        /// Only this term.
        #[arg(long)]
        term: Option<String>,
        /// At most this many hits.
        #[arg(long)]
        limit: Option<i64>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// Which packs and indicators.
#[derive(clap::Args)]
pub struct PackArgs {
    /// Only the shipped packs of these languages (en, fr, ro, de, es, bg, vi); comma-separated or repeated.
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// A custom pack file (JSON, same format as assets/indicators/*.json), used with the shipped ones; repeatable.
    #[arg(long)]
    pack: Vec<PathBuf>,
    /// Use only the --pack files, not the shipped packs.
    #[arg(long)]
    no_shipped: bool,
    /// Switch on an indicator (id, or family such as SX) that is off by default; repeatable.
    #[arg(long, value_delimiter = ',')]
    enable: Vec<String>,
    /// Switch off an indicator (id or family); repeatable.
    #[arg(long, value_delimiter = ',')]
    disable: Vec<String>,
}

impl PackArgs {
    fn load(&self) -> Result<(Vec<packs::LoadedPack>, packs::Selection)> {
        let mut list = if self.no_shipped { Vec::new() } else { packs::embedded(&self.lang)? };
        for p in &self.pack {
            list.push(packs::from_file(p)?);
        }
        if list.is_empty() {
            return Err(Error::InvalidArgument("no indicator pack: drop --no-shipped or give --pack FILE".into()));
        }
        let sel = packs::Selection { enable: self.enable.clone(), disable: self.disable.clone() };
        sel.check(&list)?;
        Ok((list, sel))
    }
}

#[derive(Subcommand)]
pub enum IndicatorsCmd {
    /// The indicators of the packs: id, weight, on or off, title, reference.
    List {
        /// Case file (optional: the packs do not depend on it).
        case: Option<PathBuf>,
        #[command(flatten)]
        packs: PackArgs,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Run the packs over every text of the case; hits are stored, the run records each pack's hash.
    Run {
        /// Case file.
        case: PathBuf,
        #[command(flatten)]
        packs: PackArgs,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Hits of an indicator run (default: the latest), with their context and provenance.
    Hits {
        /// Case file.
        case: PathBuf,
        /// Run id (see `threadline runs`).
        #[arg(long)]
        run: Option<i64>,
        /// Only this indicator id.
        #[arg(long)]
        indicator: Option<String>,
        /// At most this many hits.
        #[arg(long)]
        limit: Option<i64>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Cumulative weighted scores per conversation and per person, with what produced them. Never a verdict.
    Scores {
        /// Case file.
        case: PathBuf,
        /// Run id (default: the latest indicator run).
        #[arg(long)]
        run: Option<i64>,
        /// Show only scores at or above this.
        #[arg(long, default_value_t = 0.0)]
        threshold: f64,
        /// Band limits `MEDIUM,HIGH` (default 4,10).
        #[arg(long, value_delimiter = ',', num_args = 2)]
        bands: Vec<f64>,
        /// At most this many conversations and persons each.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `println!` that returns an error (a closed pipe ends the command quietly) instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {
        writeln!(std::io::stdout().lock(), $($t)*)?
    };
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    out!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn print_caveats(caveats: &[String]) -> anyhow::Result<()> {
    if caveats.is_empty() {
        return Ok(());
    }
    out!("\ncaveats (read before using these results):");
    for c in caveats {
        out!("  - {c}");
    }
    Ok(())
}

pub fn keywords(cmd: KeywordsCmd) -> anyhow::Result<u8> {
    match cmd {
        KeywordsCmd::Run { case, list, mode, json } => {
            let mode = keywords::Mode::parse(&mode).ok_or_else(|| Error::InvalidArgument(format!("unknown mode '{mode}' (exact, substring, word, regex)")))?;
            let content = std::fs::read(&list).map_err(|e| Error::io("reading the keyword list", &list, e))?;
            let name = list.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| list.display().to_string());
            let mut c = Case::open(&case, "running a keyword list")?;
            let cancel = CancelToken::new();
            let c2 = cancel.clone();
            let _ = ctrlc::set_handler(move || c2.cancel());
            let r = keyword_run::run(&mut c, &name, &content, mode, &cancel)?;
            if json {
                print_json(&r)?;
            } else {
                out!("run {}: list '{}' (sha256 {}), {} terms, mode {}", r.run_id, r.list, r.list_sha256, r.terms, r.mode);
                out!("{} hits in {} texts ({} text files read)", r.hits, r.texts, r.files);
                for (t, cat, n) in &r.by_term {
                    out!("  {n:>7}  {t}{}", cat.as_ref().map(|c| format!("  [{c}]")).unwrap_or_default());
                }
                for p in &r.problems {
                    out!("  note: {p}");
                }
                out!("see them with: threadline keywords hits {} --run {}", case.display(), r.run_id);
            }
            Ok(0)
        }
        KeywordsCmd::Hits { case, run, term, limit, json } => {
            let c = Case::open_read_only(&case)?;
            let m = hits::pick_run(&c, "keywords", run)?;
            let rows = hits::list(&c, m, term.as_deref(), limit)?;
            if json {
                print_json(&rows)?;
            } else {
                print_hits(&rows)?;
            }
            Ok(0)
        }
    }
}

fn print_hits(rows: &[hits::HitRow]) -> anyhow::Result<()> {
    for h in rows {
        let conv = h.thread_id.map(|t| format!(" thread {t}")).unwrap_or_default();
        out!(
            "{:<8} source {}{} {} {}#{}.{} {}\n         {}\n         [{}]",
            h.term,
            h.source_id.unwrap_or(0),
            conv,
            h.time.clone().unwrap_or_default(),
            h.ref_table,
            h.ref_id,
            h.field,
            h.sender.as_ref().map(|s| format!("from {s}")).unwrap_or_default(),
            h.context,
            h.provenance
        );
    }
    out!("{} hits", rows.len());
    Ok(())
}

pub fn indicators(cmd: IndicatorsCmd) -> anyhow::Result<u8> {
    match cmd {
        IndicatorsCmd::List { case: _, packs: pa, json } => {
            let (list, sel) = pa.load()?;
            if json {
                let v: Vec<serde_json::Value> = list
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "name": p.pack.name, "language": p.pack.language, "version": p.pack.version, "status": p.pack.status,
                            "sha256": p.sha256, "origin": p.origin, "caveats": p.pack.caveats,
                            "indicators": p.pack.indicators.iter().map(|i| serde_json::json!({
                                "id": i.id, "title": i.title, "ref": i.reference, "weight": i.weight, "enabled_by_default": i.enabled_by_default,
                                "enabled": sel.enabled(i), "sensitive": i.sensitive, "caveat": i.caveat,
                                "phrases": i.phrases.len(), "patterns": i.patterns.len(),
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                print_json(&v)?;
            } else {
                for p in &list {
                    out!("{} {} ({}, {}) sha256 {}  [{}]", p.pack.name, p.pack.version, p.pack.language, p.pack.status, p.sha256, p.origin);
                    for i in &p.pack.indicators {
                        out!(
                            "  {} {:>4} {:<4} {}  ({}; {} phrases, {} patterns){}",
                            i.id,
                            i.weight,
                            if sel.enabled(i) { "on" } else { "OFF" },
                            i.title,
                            i.reference,
                            i.phrases.len(),
                            i.patterns.len(),
                            if i.sensitive.is_empty() { String::new() } else { format!(" sensitive: {}", i.sensitive.join(", ")) }
                        );
                    }
                }
                print_caveats(&indicator_run::caveats(&list))?;
            }
            Ok(0)
        }
        IndicatorsCmd::Run { case, packs: pa, json } => {
            let (list, sel) = pa.load()?;
            let mut c = Case::open(&case, "running indicator packs")?;
            let cancel = CancelToken::new();
            let c2 = cancel.clone();
            let _ = ctrlc::set_handler(move || c2.cancel());
            let r = indicator_run::run(&mut c, &list, &sel, &cancel)?;
            if json {
                print_json(&r)?;
            } else {
                out!("run {}: {} hits in {} texts", r.run_id, r.hits, r.texts);
                for p in &r.packs {
                    out!("  pack {} {} ({}) sha256 {}", p.name, p.version, p.language, p.sha256);
                }
                out!("  {} indicators on; off: {}", r.enabled.len(), if r.disabled.is_empty() { "none".to_string() } else { r.disabled.join(", ") });
                for (id, _, n) in &r.by_indicator {
                    out!("  {n:>7}  {id}");
                }
                for p in &r.problems {
                    out!("  note: {p}");
                }
                out!("scores: threadline indicators scores {}", case.display());
                print_caveats(&r.caveats)?;
            }
            Ok(0)
        }
        IndicatorsCmd::Hits { case, run, indicator, limit, json } => {
            let c = Case::open_read_only(&case)?;
            let m = hits::pick_run(&c, "indicators", run)?;
            let rows = hits::list(&c, m, indicator.as_deref(), limit)?;
            if json {
                print_json(&rows)?;
            } else {
                print_hits(&rows)?;
                print_caveats(&indicator_run::caveats_of_run(&c, m)?)?;
            }
            Ok(0)
        }
        IndicatorsCmd::Scores { case, run, threshold, bands, limit, json } => {
            let c = Case::open_read_only(&case)?;
            let bands = match bands.as_slice() {
                [a, b] if a <= b => Some((*a, *b)),
                [] => None,
                _ => return Err(Error::InvalidArgument("--bands takes MEDIUM,HIGH with MEDIUM <= HIGH, e.g. 4,10".into()).into()),
            };
            let mut s = scoring::scores(&c, run, bands)?;
            s.conversations.retain(|x| x.score >= threshold);
            s.persons.retain(|x| x.score >= threshold);
            s.conversations.truncate(limit);
            s.persons.truncate(limit);
            if json {
                print_json(&s)?;
            } else {
                print_scores(&s)?;
            }
            Ok(0)
        }
    }
}

fn print_scored(x: &scoring::Scored) -> anyhow::Result<()> {
    let place = match (x.source_id, &x.service) {
        (Some(s), Some(v)) => format!(" source {s} {v}"),
        _ => String::new(),
    };
    out!("{:>6.1} {:<6} {} '{}'{} — {} messages with hits", x.score, x.band, x.key, x.label, place, x.messages);
    for c in &x.contributions {
        out!(
            "         {} {:<45} {} msg × {} = {:.1}   {}",
            c.indicator,
            c.title.chars().take(45).collect::<String>(),
            c.messages,
            c.weight,
            c.points,
            c.matched.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(())
}

fn print_scores(s: &scoring::Scores) -> anyhow::Result<()> {
    out!("indicator run {} ({}); bands: low < {}, medium < {}, high ≥ {}", s.run_id, s.packs, s.bands.0, s.bands.1, s.bands.1);
    out!("{}", s.note);
    out!("\nconversations:");
    for x in &s.conversations {
        print_scored(x)?;
    }
    out!("\npersons (as authors of the messages):");
    for x in &s.persons {
        print_scored(x)?;
    }
    if !s.other_hits.is_empty() {
        out!("\nnot scored (see `indicators hits`): {}", s.other_hits.iter().map(|(t, n)| format!("{n} in {t}")).collect::<Vec<_>>().join(", "));
    }
    let mut ind_caveats: Vec<String> = Vec::new();
    for x in s.conversations.iter().chain(&s.persons) {
        for c in &x.contributions {
            let line = format!("{}: {}", c.indicator, c.caveat);
            if !ind_caveats.contains(&line) {
                ind_caveats.push(line);
            }
        }
    }
    ind_caveats.sort();
    let mut all = s.caveats.clone();
    all.extend(ind_caveats);
    print_caveats(&all)
}
