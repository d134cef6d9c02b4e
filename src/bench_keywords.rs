//! `threadline bench keywords`: keyword and pattern matching against ripgrep (Debian `ripgrep`),
//! same files, same run, and full-text query latency on a generated table of messages.
//!
//! - 1,000 literal terms (random words of 5 to 12 letters starting with any letter, a quarter of
//!   them two-word phrases, planted one word in 2,000) over ~0.5 GB of generated multilingual
//!   text (syllable words with Zipf-like frequencies): Threadline's keyword engine
//!   (aho-corasick, files on the rayon pool) against `rg -F -f terms` (literal, case-sensitive, the
//!   same semantics as `--mode exact`); and Threadline's default folded mode (case and accents
//!   ignored) against `rg -F -i -f terms` for reference.
//! - 10 validator regexes (IBAN, e-mail, phone, cards, wallets, URL, handle) against `rg -f`.
//! - FTS5 query latency (p50, p95, max) of 200 queries on 500,000 generated messages, through the
//!   same `search` the CLI uses.
//!
//! Each side runs three times and keeps its best time (once when a run takes over 20 s). Nothing
//! here asserts a time; it prints figures and ratios.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result, SqlContext};
use crate::search::keywords::{KeywordList, Mode, Term};

/// Settings of the benchmark.
#[derive(Debug, Clone)]
pub struct Settings {
    /// MiB of text to generate.
    pub mib: u64,
    /// Number of terms.
    pub terms: usize,
    /// Messages in the FTS table.
    pub messages: u64,
    /// Where to write (default: a temporary folder).
    pub dir: Option<PathBuf>,
}

/// Deterministic word source: syllables with some Latin diacritics, Zipf-like frequencies, and
/// planted terms (one word in [`PLANT_EVERY`]).
struct Words {
    state: u64,
    vocab: Vec<String>,
    planted: Vec<String>,
}

/// One word in this many is a planted term.
const PLANT_EVERY: u64 = 2000;

impl Words {
    fn new(seed: u64) -> Words {
        const SYL: &[&str] = &[
            "ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ra", "se", "ti", "vo", "za", "tre", "pla", "cri", "mon", "ste", "ân", "ță", "ré", "çi", "è", "üb", "ol", "ar", "en", "is", "um",
        ];
        let mut w = Words { state: seed | 1, vocab: Vec::new(), planted: Vec::new() };
        for _ in 0..30_000 {
            let n = 2 + w.next() % 3;
            let word: String = (0..n).map(|_| SYL[(w.next() % SYL.len() as u64) as usize]).collect();
            w.vocab.push(word);
        }
        w
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    /// A word, frequent ones more often.
    fn word(&mut self) -> &str {
        let r = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        let i = ((r * r * r) * self.vocab.len() as f64) as usize;
        &self.vocab[i.min(self.vocab.len() - 1)]
    }

    /// A line of about 80 bytes, sometimes carrying an identifier-like token.
    fn line(&mut self, out: &mut String) {
        let start = out.len();
        while out.len() - start < 80 {
            let x = self.next() % 400;
            match x {
                0 => out.push_str("GB82 WEST 1234 5698 7654 32"),
                1 => out.push_str("ana.pop@example.org"),
                2 => out.push_str("+33 6 99 00 31 20"),
                3 => out.push_str("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
                _ if !self.planted.is_empty() && self.next().is_multiple_of(PLANT_EVERY) => {
                    let i = (self.next() % self.planted.len() as u64) as usize;
                    let w = self.planted[i].clone();
                    out.push_str(&w);
                }
                _ => {
                    let w = self.word().to_string();
                    out.push_str(&w);
                }
            }
            out.push(if self.next().is_multiple_of(9) { ',' } else { ' ' });
        }
        out.push('\n');
    }
}

const VALIDATORS: &[&str] = &[
    r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?",
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    r"\+[1-9][0-9 ]{7,16}[0-9]",
    r"\b(?:4[0-9]{3}|5[1-5][0-9]{2}|3[47][0-9]{2})(?:[ -]?[0-9]{4}){3}\b",
    r"\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b",
    r"\bbc1[ac-hj-np-z02-9]{11,71}\b",
    r"\b0x[0-9a-fA-F]{40}\b",
    r"\bT[1-9A-HJ-NP-Za-km-z]{33}\b",
    r"https?://[^\s]+",
    r"(?:^|\s)@[A-Za-z0-9_]{3,30}\b",
];

fn rg() -> Option<PathBuf> {
    ["/usr/bin/rg", "/usr/local/bin/rg"].iter().map(PathBuf::from).find(|p| p.exists())
}

fn time_rg(args: &[&str], pattern_file: &Path, dir: &Path) -> Result<f64> {
    let Some(rg) = rg() else { return Err(Error::InvalidArgument("ripgrep not found".into())) };
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let out = Command::new(&rg)
            .args(args)
            .arg("-f")
            .arg(pattern_file)
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| Error::io("running", &rg, e))?;
        // 0: found, 1: nothing found; both are a completed search.
        if !matches!(out.code(), Some(0) | Some(1)) {
            return Err(Error::InvalidArgument(format!("rg {args:?} failed: {out}")));
        }
        best = best.min(t.elapsed().as_secs_f64());
        if best > 20.0 {
            break;
        }
    }
    Ok(best)
}

/// Threadline's engine over every file of `dir`: returns (best seconds of 3, hits).
fn time_ours(list: &KeywordList, files: &[PathBuf]) -> Result<(f64, usize)> {
    let mut best = f64::MAX;
    let mut hits = 0;
    for _ in 0..3 {
        let t = Instant::now();
        // Each worker reuses its read buffer, as ripgrep does.
        let counts: Vec<Result<usize>> = files
            .par_iter()
            .map_init(
                || Vec::with_capacity(9 << 20),
                |buf: &mut Vec<u8>, p| {
                    buf.clear();
                    std::fs::File::open(p).and_then(|mut f| std::io::Read::read_to_end(&mut f, buf)).map_err(|e| Error::io("reading", p, e))?;
                    // Raw bytes, as `keywords run` reads files (and as ripgrep does).
                    Ok(list.find(&buf[..]).len())
                },
            )
            .collect();
        let mut n = 0;
        for c in counts {
            n += c?;
        }
        hits = n;
        best = best.min(t.elapsed().as_secs_f64());
        if best > 20.0 {
            break;
        }
    }
    Ok((best, hits))
}

fn ratio_line(name: &str, ours: f64, theirs: Option<f64>, mib: f64) {
    match theirs {
        Some(t) => println!("{name:<58} threadline {ours:7.3} s ({:6.0} MiB/s)  rg {t:7.3} s ({:6.0} MiB/s)  ratio {:.2}x", mib / ours, mib / t, t / ours),
        None => println!("{name:<58} threadline {ours:7.3} s ({:6.0} MiB/s)  rg not found (Debian package `ripgrep`)", mib / ours),
    }
}

/// Run the benchmark.
pub fn run(s: &Settings) -> Result<()> {
    let base = s.dir.clone().unwrap_or_else(std::env::temp_dir);
    let d = base.join(format!("threadline-bench-keywords-{}", std::process::id()));
    let text_dir = d.join("text");
    std::fs::create_dir_all(&text_dir).map_err(|e| Error::io("creating", &text_dir, e))?;
    // Terms: like a real list, words of 5 to 12 letters starting with any letter (some with an
    // accent), a quarter of them two-word phrases with a common word; all distinct, planted in the
    // text one word in PLANT_EVERY (random letter strings do not occur there by chance).
    const LETTERS: &[&str] = &[
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "é", "ă", "ș", "ü",
    ];
    let mut words = Words::new(0x5EED_1234);
    let mut terms: Vec<String> = Vec::new();
    let mut tw = Words::new(0xABCD_0042);
    while terms.len() < s.terms {
        let n = 5 + tw.next() % 8;
        let mut t: String = (0..n).map(|i| LETTERS[(tw.next() % if i == 0 { 26 } else { LETTERS.len() as u64 }) as usize]).collect();
        if tw.next().is_multiple_of(4) {
            t.push(' ');
            t.push_str(&words.vocab[(tw.next() % 3_000) as usize]);
        }
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
    words.planted = terms.clone();
    // Text: files of 8 MiB.
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut i = 0;
    while total < s.mib << 20 {
        let mut buf = String::with_capacity(8 << 20);
        while buf.len() < 8 << 20 {
            words.line(&mut buf);
        }
        let p = text_dir.join(format!("part{i:03}.txt"));
        std::fs::write(&p, &buf).map_err(|e| Error::io("writing", &p, e))?;
        total += buf.len() as u64;
        files.push(p);
        i += 1;
    }
    let mib = total as f64 / 1048576.0;
    let terms_file = d.join("terms.txt");
    std::fs::write(&terms_file, terms.join("\n") + "\n").map_err(|e| Error::io("writing", &terms_file, e))?;
    let regex_file = d.join("validators.txt");
    std::fs::write(&regex_file, VALIDATORS.join("\n") + "\n").map_err(|e| Error::io("writing", &regex_file, e))?;
    for f in &files {
        let _ = std::fs::read(f);
    }
    let threads = rayon::current_num_threads();
    println!("text: {} files, {mib:.0} MiB in {} (page cache warm); {} terms; {} validator regexes; {threads} threads for both", files.len(), text_dir.display(), terms.len(), VALIDATORS.len());
    let have_rg = rg().is_some();
    let t_list = |mode: Mode| KeywordList::new(terms.iter().map(|t| Term { text: t.clone(), category: None, mode }).collect());
    let exact = t_list(Mode::Exact)?;
    let (ours, hits) = time_ours(&exact, &files)?;
    let theirs = if have_rg { Some(time_rg(&["-F", "-c", "-j", &threads.to_string()], &terms_file, &text_dir)?) } else { None };
    ratio_line(&format!("{} literal terms, exact (rg -F -f)", terms.len()), ours, theirs, mib);
    println!("  ({hits} hits)");
    let folded = t_list(Mode::Substring)?;
    let (ours, hits) = time_ours(&folded, &files)?;
    let theirs = if have_rg { Some(time_rg(&["-F", "-i", "-c", "-j", &threads.to_string()], &terms_file, &text_dir)?) } else { None };
    ratio_line(&format!("{} terms, case+accents folded (rg -F -i -f: case only)", terms.len()), ours, theirs, mib);
    println!("  ({hits} hits)");
    let regexes = KeywordList::new(VALIDATORS.iter().map(|r| Term { text: r.to_string(), category: None, mode: Mode::Regex }).collect())?;
    let (ours, hits) = time_ours(&regexes, &files)?;
    let theirs = if have_rg { Some(time_rg(&["-c", "-j", &threads.to_string()], &regex_file, &text_dir)?) } else { None };
    ratio_line(&format!("{} validator regexes (rg -f)", VALIDATORS.len()), ours, theirs, mib);
    println!("  ({hits} hits)");
    let _ = std::fs::remove_dir_all(&text_dir);
    fts_latency(&d, s.messages, &mut words)?;
    let _ = std::fs::remove_dir_all(&d);
    Ok(())
}

/// FTS query latency on `n` generated messages.
fn fts_latency(d: &Path, n: u64, words: &mut Words) -> Result<()> {
    let case_path = d.join("fts.tlcase");
    let mut case = crate::case::Case::create(&case_path, "bench", "bench")?;
    let t = Instant::now();
    {
        let tx = case.conn_mut().transaction().ctx("filling the bench case")?;
        tx.execute_batch(
            "INSERT INTO sources (id, label, container_kind, path, added_utc, added_by, tool_version, status) VALUES (1, 'bench', 'folder', '/bench', '2026-01-01T00:00:00Z', 'bench', 'bench', 'complete');
             INSERT INTO files (id, source_id, seq, path, raw_path, kind) VALUES (1, 1, 0, '/bench/msgstore.db', 'msgstore.db', 'file');
             INSERT INTO runs (id, source_id, kind, name, version, started_utc, status) VALUES (1, 1, 'parser', 'bench', 'bench', '2026-01-01T00:00:00Z', 'ok');",
        )
        .ctx("filling the bench case")?;
        {
            let mut st = tx
                .prepare(
                    "INSERT INTO messages (source_id, file_id, run_id, src_table, src_row, service, direction, body, sent_utc, parser, parser_version)
                     VALUES (1, 1, 1, 'message', ?1, 'whatsapp', ?2, ?3, ?4, 'bench', 'bench')",
                )
                .ctx("filling the bench case")?;
            let mut line = String::new();
            for i in 0..n {
                line.clear();
                words.line(&mut line);
                st.execute(rusqlite::params![i as i64, if i % 2 == 0 { "incoming" } else { "outgoing" }, line.trim_end(), 1_700_000_000_000_000i64 + i as i64 * 60_000_000])
                    .ctx("filling the bench case")?;
            }
        }
        tx.commit().ctx("filling the bench case")?;
    }
    let fill = t.elapsed().as_secs_f64();
    let t = Instant::now();
    crate::search::fts::update(&mut case)?;
    println!("fts: {n} messages generated in {fill:.1} s, indexed in {:.1} s", t.elapsed().as_secs_f64());
    // 200 queries: words, prefixes, phrases, AND/OR/NOT, with and without filters.
    let mut times = Vec::new();
    let mut slowest: Vec<(f64, String)> = Vec::new();
    let mut total_hits = 0usize;
    for i in 0..200u64 {
        let a = words.word().to_string();
        let b = words.word().to_string();
        let text = match i % 5 {
            0 => a.clone(),
            1 => format!("{}*", a.chars().take(3).collect::<String>()),
            2 => format!("\"{a} {b}\""),
            3 => format!("{a} AND {b}"),
            _ => format!("{a} OR {b} NOT {}", words.word()),
        };
        let q = crate::search::fts::Query {
            text,
            direction: if i % 3 == 0 { Some("incoming".into()) } else { None },
            limit: Some(100),
            ..Default::default()
        };
        let t = Instant::now();
        let shown = format!("{}{}", q.text, if q.direction.is_some() { " --direction incoming" } else { "" });
        let hits = crate::search::fts::search(&case, &q)?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        slowest.push((ms, shown));
        times.push(ms);
        total_hits += hits.len();
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
    println!(
        "fts: 200 queries (limit 100, snippets, provenance): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({total_hits} hits)   (goal p95 <= 20 ms)",
        pct(0.5),
        pct(0.95),
        times[times.len() - 1]
    );
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("fts: slowest: {}", slowest.iter().take(5).map(|(ms, q)| format!("{ms:.1} ms '{q}'")).collect::<Vec<_>>().join(", "));
    let _ = std::io::stdout().flush();
    Ok(())
}
