//! `threadline` command line: parse arguments, call the core API, print. Nothing else lives here.
//!
//! Exit codes (also in the README): 0 success · 1 `verify` found a mismatch · 2 usage error ·
//! 3 source problem (missing, unsupported, unreadable) · 4 case problem (not a case, exists, locked,
//! too new) · 5 ingest finished `partial` · 70 internal error (I/O, database) · 130 interrupted.

mod cli;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use threadline::case::Case;
use threadline::ingest::{IngestOptions, ingest};
use threadline::progress::{CancelToken, Progress, ProgressEvent};
use threadline::vfs::Limits;
use threadline::{Error, verify};

#[derive(Parser)]
#[command(name = "threadline", version, about = "Offline review of phone and disk extractions (human-trafficking investigations)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create or inspect a case file.
    #[command(subcommand)]
    Case(CaseCmd),
    /// Add an extraction (folder, ZIP, TAR, TAR.GZ) to a case: hash every file. Run again to resume.
    Ingest(IngestArgs),
    /// Recompute the audit chain, the source hashes and every reachable file hash. Exit 1 on a mismatch.
    Verify {
        /// Case file.
        case: PathBuf,
        /// Only the audit chain, the file-list digests and the containers; do not re-read every file.
        #[arg(long)]
        quick: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Run the artefact parsers over the case's sources (ingest does it too, unless --no-parse).
    Parse {
        /// Case file.
        case: PathBuf,
        /// Only this source.
        #[arg(long)]
        source: Option<i64>,
        /// Run parsers again even where they already succeeded.
        #[arg(long)]
        force: bool,
        /// Time budget per parser and file, seconds.
        #[arg(long, default_value_t = 600)]
        budget_s: u64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Messages (SMS, iMessage, WhatsApp …), oldest first, with provenance.
    Messages(ListArgs),
    /// Calls, oldest first, with provenance.
    Calls(ListArgs),
    /// Contacts, with provenance (`--from/--to`: created or modified in the range).
    Contacts(ListArgs),
    /// Web visits, oldest first, with provenance.
    Visits(ListArgs),
    /// Photo metadata (EXIF: camera, time taken, GPS), by time taken.
    Media(ListArgs),
    /// Installed applications (iOS, Android), with provenance (`--from/--to`: install time).
    Apps(ListArgs),
    /// Accounts configured on the devices, with provenance (`--from/--to`: creation time).
    Accounts(ListArgs),
    /// Location fixes (device location stores, UFDR locations), oldest first, with provenance.
    Locations(ListArgs),
    /// Full-text search over messages, contacts, web visits, file names and tag notes (case and accents ignored).
    Search {
        /// Case file.
        case: PathBuf,
        /// Query: words, "phrases", prefix*, AND, OR, NOT.
        query: String,
        /// Only this source.
        #[arg(long)]
        source: Option<i64>,
        /// Only this kind: message, contact, visit, file, note (the examiner's notes on tags).
        #[arg(long)]
        kind: Option<String>,
        /// Messages only: incoming or outgoing.
        #[arg(long)]
        direction: Option<String>,
        /// Messages only: sent or received by this person (id or name, see `threadline person list`).
        #[arg(long)]
        person: Option<String>,
        /// From (RFC 3339, or YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Up to, exclusive.
        #[arg(long)]
        to: Option<String>,
        /// At most this many hits.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Keyword lists over every text of the case, hits stored with their spans.
    #[command(subcommand)]
    Keywords(cli::matching::KeywordsCmd),
    /// Trafficking-indicator packs: list, run, hits, weighted scores (leads for review, never verdicts).
    #[command(subcommand)]
    Indicators(cli::matching::IndicatorsCmd),
    /// Identifiers (phones, e-mails, WhatsApp ids, IBANs, wallets, handles) seen across sources.
    Identifiers {
        /// Case file.
        case: PathBuf,
        /// Only this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only those seen in at least this many sources (devices).
        #[arg(long, default_value_t = 1)]
        min_sources: i64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Near-duplicates of an image (same photo resized, re-encoded, cropped, mirrored …).
    Similar {
        /// Case file.
        case: PathBuf,
        /// A file path (exact, or a suffix naming one image), `id:N` (a file id), a SHA-256 of an
        /// image file, or a 64-hex-digit PDQ hash.
        what: String,
        /// PDQ radius (distance ≤ N links).
        #[arg(long, default_value_t = threadline::media::matching::Radii::default().pdq)]
        pdq: u32,
        /// dHash radius of the dHash-and-pHash agreement rule.
        #[arg(long, default_value_t = threadline::media::matching::Radii::default().dhash)]
        dhash: u32,
        /// pHash radius of the dHash-and-pHash agreement rule.
        #[arg(long, default_value_t = threadline::media::matching::Radii::default().phash)]
        phash: u32,
        /// dHash and pHash radius (each) for images of low PDQ quality.
        #[arg(long, default_value_t = threadline::media::matching::Radii::default().fallback)]
        fallback: u32,
        /// JSON output: `{query, query_pdq, radii, hits}`.
        #[arg(long)]
        json: bool,
    },
    /// Near-duplicate image groups of the case (PDQ, rebuilt at the default radii after each
    /// parse; `--rebuild` rebuilds them at the given radii).
    Groups {
        /// Case file.
        case: PathBuf,
        /// Rebuild the groups at `--pdq`/`--dhash`/`--phash`/`--fallback` (recorded in the audit log).
        #[arg(long)]
        rebuild: bool,
        /// PDQ radius for `--rebuild`.
        #[arg(long, requires = "rebuild", default_value_t = threadline::media::matching::Radii::default().pdq)]
        pdq: u32,
        /// dHash radius (agreement rule) for `--rebuild`.
        #[arg(long, requires = "rebuild", default_value_t = threadline::media::matching::Radii::default().dhash)]
        dhash: u32,
        /// pHash radius (agreement rule) for `--rebuild`.
        #[arg(long, requires = "rebuild", default_value_t = threadline::media::matching::Radii::default().phash)]
        phash: u32,
        /// dHash and pHash radius (each) for low-quality images, for `--rebuild`.
        #[arg(long, requires = "rebuild", default_value_t = threadline::media::matching::Radii::default().fallback)]
        fallback: u32,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Write an image's thumbnail (JPEG): blurred by default; `--reveal` writes the sharp one and
    /// records the reveal (examiner, file, reason) in the audit log. `--backfill` makes the missing
    /// thumbnails of every hashed image from the evidence (cases hashed before thumbnails existed).
    Thumb {
        /// Case file.
        case: PathBuf,
        /// File id (see `files`) or SHA-256 of the image.
        #[arg(required_unless_present = "backfill")]
        what: Option<String>,
        /// Where to write the JPEG.
        #[arg(long, required_unless_present = "backfill")]
        out: Option<PathBuf>,
        /// Write the sharp thumbnail instead of the blurred one (audited; needs --reason).
        #[arg(long, requires = "reason")]
        reveal: bool,
        /// Why the image is revealed (recorded in the audit log with the reveal).
        #[arg(long, requires = "reveal")]
        reason: Option<String>,
        /// Make every missing thumbnail from the evidence instead.
        #[arg(long, conflicts_with_all = ["what", "out", "reveal"])]
        backfill: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Set the time zone of a source (shown beside every time from it).
    Timezone {
        /// Case file.
        case: PathBuf,
        /// Source id.
        source: i64,
        /// IANA zone name, e.g. Europe/Paris.
        zone: String,
    },
    /// Problems recorded during ingest (unreadable entries, damaged containers, odd names).
    Issues {
        /// Case file.
        case: PathBuf,
        /// Only this source id.
        #[arg(long)]
        source: Option<i64>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Entries recorded for a source (or all sources).
    Files {
        /// Case file.
        case: PathBuf,
        /// Only this source id.
        #[arg(long)]
        source: Option<i64>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Runs recorded (ingests, verifications), with their counts and status.
    Runs {
        /// Case file.
        case: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The audit log.
    Audit {
        /// Case file.
        case: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Synthetic sample cases (training scenarios with answer keys).
    #[command(subcommand)]
    Sample(SampleCmd),
    /// Training mode: a case per trainee, graded against the scenario's answer key.
    #[command(subcommand)]
    Train(TrainCmd),
    /// Tags on items of evidence (free text, or an indicator id such as LB-03).
    #[command(subcommand)]
    Tag(TagCmd),
    /// People, their identifiers and their roles (always the examiner's decision).
    #[command(subcommand)]
    Person(PersonCmd),
    /// Exhibits and their items.
    #[command(subcommand)]
    Exhibit(ExhibitCmd),
    /// Hash sets: import VICS JSON, CSV and NSRL RDS lists, match the case, export VICS JSON.
    #[command(subcommand)]
    Hashset(HashsetCmd),
    /// Benchmarks against named peers (not tests): prints ratios.
    #[command(subcommand)]
    Bench(BenchCmd),
}

/// Filters of the artefact listings.
#[derive(Args)]
struct ListArgs {
    /// Case file.
    case: PathBuf,
    /// Only this source: its id or its label (see `threadline case info`).
    #[arg(long)]
    source: Option<String>,
    /// From (RFC 3339, or YYYY-MM-DD = midnight UTC).
    #[arg(long)]
    from: Option<String>,
    /// Up to, exclusive (RFC 3339, or YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    /// At most this many rows.
    #[arg(long)]
    limit: Option<i64>,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

fn parse_instant(s: &str) -> anyhow::Result<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_micros());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(t.and_utc().timestamp_micros());
    }
    Err(Error::InvalidArgument(format!("'{s}' is not a date: use RFC 3339 (2024-03-05T10:00:00Z) or YYYY-MM-DD")).into())
}

impl ListArgs {
    /// The case, opened read-only, and the filter: the source resolved (an unknown one is an
    /// error naming the case's sources), and a range that ends before it starts refused.
    fn open(&self) -> anyhow::Result<(Case, threadline::case::artefacts::Filter)> {
        let case = Case::open_read_only(&self.case)?;
        let source = match &self.source {
            None => None,
            Some(s) => {
                let sources = case.sources()?;
                let found = sources.iter().find(|x| x.id.to_string() == *s).or_else(|| sources.iter().find(|x| x.label == *s));
                match found {
                    Some(x) => Some(x.id),
                    None => {
                        let have: Vec<String> = sources.iter().map(|x| format!("{} '{}'", x.id, x.label)).collect();
                        return Err(Error::InvalidArgument(format!(
                            "no source '{s}' in {}; its sources: {}",
                            self.case.display(),
                            if have.is_empty() { "none".to_string() } else { have.join(", ") }
                        ))
                        .into());
                    }
                }
            }
        };
        let from_us = self.from.as_deref().map(parse_instant).transpose()?;
        let to_us = self.to.as_deref().map(parse_instant).transpose()?;
        if let (Some(a), Some(b)) = (from_us, to_us)
            && a >= b
        {
            return Err(Error::InvalidArgument(format!("--from {} is not before --to {}: the range is empty", self.from.as_deref().unwrap_or(""), self.to.as_deref().unwrap_or(""))).into());
        }
        Ok((case, threadline::case::artefacts::Filter { source, from_us, to_us, limit: self.limit }))
    }
}

/// ` ufdr model <id>, confidence <c>, <deleted state>` for a row decoded from a UFDR report.
fn show_model(p: &threadline::case::artefacts::Provenance) -> String {
    let Some(m) = &p.ufdr_model else { return String::new() };
    let mut s = format!(" ufdr model {}", m.id.as_deref().unwrap_or("(no id)"));
    if let Some(c) = &m.decoding_confidence {
        s.push_str(&format!(", confidence {c}"));
    }
    if let Some(d) = m.deleted_state.as_deref().filter(|d| !d.eq_ignore_ascii_case("Intact")) {
        s.push_str(&format!(", {d}"));
    }
    s
}

fn show_time(t: &threadline::case::artefacts::TimeView) -> String {
    let mut s = t.utc.clone().unwrap_or_else(|| "no time".into());
    if let Some(z) = &t.source_zone {
        s.push_str(&format!(" (source zone {z})"));
    }
    if let Some(f) = &t.flag {
        s.push_str(&format!(" [! {f}]"));
    }
    s
}

/// An item of evidence: a file, or a row of a database file.
#[derive(Args)]
struct ItemArgs {
    /// Source id (see `threadline case info`).
    #[arg(long)]
    source: i64,
    /// Virtual path of the file (see `threadline files`).
    #[arg(long)]
    path: String,
    /// Table, for a database row.
    #[arg(long, requires = "row")]
    table: Option<String>,
    /// Row id, for a database row.
    #[arg(long, requires = "table")]
    row: Option<i64>,
}

impl ItemArgs {
    fn item(&self) -> threadline::case::review::ItemRef {
        threadline::case::review::ItemRef { source_id: self.source, path: self.path.clone(), table: self.table.clone(), row_id: self.row }
    }
}

#[derive(Subcommand)]
enum TrainCmd {
    /// List the training scenarios.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Build a fresh case for a trainee: evidence, briefs (EN/FR), and the instructor's key apart.
    Start {
        /// Scenario name.
        scenario: String,
        /// Trainee's name.
        #[arg(long)]
        trainee: String,
        /// Folder to build in (a sub-folder per trainee).
        #[arg(long, default_value = "training")]
        out: PathBuf,
        /// Seed (each seed words the indicator messages differently).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Grade a trainee's case: precision and recall per task, and what was missed.
    Score {
        /// The trainee's case.
        case: PathBuf,
        /// Answer key (default: the one recorded when the case was built).
        #[arg(long)]
        key: Option<PathBuf>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Instructor: fill a case with the key's model answer.
    Solve {
        /// The case.
        case: PathBuf,
        /// Answer key (default: the one recorded when the case was built).
        #[arg(long)]
        key: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum HashsetCmd {
    /// Import a hash set (VICS JSON 1.x/2.0, CSV with md5/sha1/sha256/pdq columns, NSRL RDSv3 SQLite), all or nothing.
    Import {
        /// Case file.
        case: PathBuf,
        /// The hash set file.
        file: PathBuf,
        /// Set name (default: the file name).
        #[arg(long)]
        name: Option<String>,
        /// known-good, known-bad, notable or categorised (default: categorised for VICS, notable for CSV, known-good for NSRL).
        #[arg(long)]
        kind: Option<String>,
        /// vics, csv or nsrl (default: from the content).
        #[arg(long)]
        format: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Imported sets with their counts.
    List {
        /// Case file.
        case: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Match the case's files against every set (MD5, SHA-1, SHA-256, PDQ); replaces earlier hits.
    Match {
        /// Case file.
        case: PathBuf,
        /// Largest PDQ distance that is a hit.
        #[arg(long, default_value_t = threadline::hashsets::matching::DEFAULT_PDQ_DISTANCE)]
        pdq_distance: u32,
        /// Case images of lower PDQ quality are not matched by PDQ.
        #[arg(long, default_value_t = threadline::hashsets::matching::DEFAULT_PDQ_MIN_QUALITY)]
        pdq_min_quality: i64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Hits of the last match: file, set, category, how it matched.
    Hits {
        /// Case file.
        case: PathBuf,
        /// Only this set.
        #[arg(long)]
        set: Option<i64>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Export VICS JSON: the case's categorised media, or (--set) an imported set.
    Export {
        /// Case file.
        case: PathBuf,
        /// Output file (must not exist).
        out: PathBuf,
        /// VICS version of a case export: 1 (1.3, odata.metadata) or 2 (2.0, @odata.context).
        #[arg(long, default_value = "1")]
        vics: String,
        /// Export this imported set instead (lossless for VICS sets).
        #[arg(long)]
        set: Option<i64>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TagCmd {
    /// Tag an item.
    Add {
        /// Case file.
        case: PathBuf,
        #[command(flatten)]
        item: ItemArgs,
        /// The tag.
        tag: String,
        /// Why.
        #[arg(long)]
        note: Option<String>,
    },
    /// List tags.
    List {
        /// Case file.
        case: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PersonCmd {
    /// Add a person, with identifiers `kind=value` (phone, email, whatsapp-jid, handle, iban, wallet, name, account).
    Add {
        /// Case file.
        case: PathBuf,
        /// Display name.
        name: String,
        /// Identifier, `kind=value`; repeat.
        #[arg(long = "id")]
        ids: Vec<String>,
    },
    /// Attach an identifier `kind=value` to a person.
    Id {
        /// Case file.
        case: PathBuf,
        /// Person id.
        person: i64,
        /// `kind=value`.
        identifier: String,
    },
    /// Give a person a role.
    Role {
        /// Case file.
        case: PathBuf,
        /// Person id.
        person: i64,
        /// Role (victim, recruit, recruiter, transporter, controller, exploiter, money-handler …).
        role: String,
        /// Why.
        #[arg(long)]
        note: Option<String>,
    },
    /// List persons.
    List {
        /// Case file.
        case: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ExhibitCmd {
    /// Open an exhibit.
    Add {
        /// Case file.
        case: PathBuf,
        /// Title.
        title: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Put an item into an exhibit.
    Item {
        /// Case file.
        case: PathBuf,
        /// Exhibit id.
        exhibit: i64,
        #[command(flatten)]
        item: ItemArgs,
        /// Note.
        #[arg(long)]
        note: Option<String>,
    },
    /// List exhibits.
    List {
        /// Case file.
        case: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

fn split_id(s: &str) -> anyhow::Result<(String, String)> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() && !v.is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(Error::InvalidArgument(format!("identifier '{s}' should be kind=value, e.g. phone=+33699001234")).into()),
    }
}

#[derive(Subcommand)]
enum SampleCmd {
    /// List the scenarios.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Write a scenario's extractions and answer key into a folder (same seed, same bytes).
    Generate {
        /// Scenario name (see `threadline sample list`).
        #[arg(long)]
        scenario: String,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// `small` or `large`.
        #[arg(long, default_value = "small")]
        scale: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CaseCmd {
    /// Create a new case file.
    New {
        /// Path of the new case file (by convention `*.tlcase`).
        path: PathBuf,
        /// Case name.
        #[arg(long)]
        name: String,
        /// Lead examiner.
        #[arg(long)]
        examiner: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Show a case: metadata, sources, counts, audit head.
    Info {
        /// Case file.
        path: PathBuf,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct IngestArgs {
    /// Case file.
    case: PathBuf,
    /// The extraction: a folder, a ZIP, a TAR or a TAR.GZ (detected by content).
    source: PathBuf,
    /// Label for the source (default: its file name).
    #[arg(long)]
    label: Option<String>,
    /// Hashing threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Refuse archive members expanding more than this ratio (when above 64 MiB).
    #[arg(long, default_value_t = Limits::default().max_ratio)]
    max_ratio: f64,
    /// Refuse archive members larger than this many bytes.
    #[arg(long, default_value_t = Limits::default().max_entry_size)]
    max_entry_size: u64,
    /// Stop expanding a container past this many bytes in total.
    #[arg(long, default_value_t = Limits::default().max_total_size)]
    max_total_size: u64,
    /// Members smaller than this are never refused for their ratio.
    #[arg(long, default_value_t = Limits::default().ratio_floor)]
    ratio_floor: u64,
    /// Also expand archives found inside the source (ZIP, TAR, TAR.GZ; up to 3 levels deep).
    #[arg(long)]
    expand_archives: bool,
    /// Do not run the artefact parsers after hashing.
    #[arg(long)]
    no_parse: bool,
    /// JSON output (the summary).
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum BenchCmd {
    /// MD5+SHA-1+SHA-256 of one large file, against `hashdeep -c md5,sha1,sha256`.
    Hash {
        /// Size of the generated test file in MiB.
        #[arg(long, default_value_t = 1024)]
        mib: u64,
        /// Folder for the test file (default: a temporary folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Ingest of a folder of many small files, against `hashdeep -r`.
    Ingest {
        /// Number of files.
        #[arg(long, default_value_t = 100_000)]
        files: u64,
        /// Folder for the test tree (default: a temporary folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Perceptual hashing of 12 MP JPEGs, against czkawka_cli, Python ImageHash and pdqhash.
    Images {
        /// Number of images (made once from the base photos and cached).
        #[arg(long, default_value_t = 60)]
        files: usize,
        /// Threads of the multi-threaded comparison (default: every core).
        #[arg(long)]
        threads: Option<usize>,
        /// Runs of each contestant (the best is kept).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Corpus folder (default: ~/.cache/threadline/bench-images/12mp-v1).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// All pairs of PDQ hashes within a radius, against FAISS IndexBinaryFlat range search.
    Pairs {
        /// Number of hashes.
        #[arg(long, default_value_t = 100_000)]
        n: usize,
        /// Hamming radius (inclusive).
        #[arg(long, default_value_t = 31)]
        radius: u32,
        /// Threads for both (default: every core).
        #[arg(long)]
        threads: Option<usize>,
        /// Runs of each contestant (the best is kept).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Keyword list (1,000 terms) and validator regexes over generated text against ripgrep
    /// (`rg -F -f`, `rg -f`), and full-text query latency on generated messages.
    Keywords {
        /// MiB of text.
        #[arg(long, default_value_t = 512)]
        mib: u64,
        /// Number of terms.
        #[arg(long, default_value_t = 1000)]
        terms: usize,
        /// Messages in the full-text benchmark.
        #[arg(long, default_value_t = 500_000)]
        messages: u64,
        /// Folder for the test data (default: a temporary folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// Draws a progress bar on a terminal; silent otherwise.
struct BarProgress {
    bar: ProgressBar,
    last: Mutex<Option<ProgressEvent>>,
}

impl BarProgress {
    fn new() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(5));
        if !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} · {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        BarProgress { bar, last: Mutex::new(None) }
    }
}

impl Progress for BarProgress {
    fn report(&self, e: &ProgressEvent) {
        if let Some(t) = e.bytes_total {
            self.bar.set_length(t);
        }
        self.bar.set_position(e.bytes_done);
        let files = match e.files_total {
            Some(t) => format!("{} / {} files", e.files_done, t),
            None => format!("{} files", e.files_done),
        };
        self.bar.set_message(files);
        if let Ok(mut l) = self.last.lock() {
            *l = Some(e.clone());
        }
    }
}

fn exit_code_for(e: &Error) -> u8 {
    match e.kind() {
        "source_not_found" | "unsupported_source" | "source_unreadable" => 3,
        "not_a_case" | "case_exists" | "schema_too_new" | "locked" => 4,
        "cancelled" => 130,
        "invalid_argument" => 2,
        "bad_input" => 3,
        _ => 70,
    }
}

fn hint(e: &Error) -> Option<&'static str> {
    match e.kind() {
        "source_not_found" => Some("check the path; Threadline reads folders, ZIP, TAR and TAR.GZ extractions"),
        "unsupported_source" => Some("unpack other formats (7z, RAR, E01) first, or point at the folder they unpack to"),
        "locked" => Some("close the case in the other window or wait for its ingest to finish"),
        "not_a_case" => Some("create one with `threadline case new PATH --name … --examiner …`"),
        "bad_input" => Some("check the file and --format (vics, csv, nsrl); the README's \"Hash sets\" section lists what each reader accepts"),
        _ => None,
    }
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn main() -> ExitCode {
    // A panic inside a parser or worker is caught and recorded as a failed run; say so in one line
    // instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        // An image decoder's panic is caught by its guard and recorded as that image's reason
        // (`image_hashes`, status `corrupt`); the run goes on, so there is nothing to say here.
        if std::thread::current().name().is_some_and(|n| n.starts_with("tl-decode")) {
            return;
        }
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let what = info.payload().downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| info.payload().downcast_ref::<String>().cloned()).unwrap_or_default();
        // `threadline messages CASE | head`: the reader went away; stop quietly, as other tools do.
        if what.starts_with("failed printing to stdout") && what.contains("Broken pipe") {
            std::process::exit(0);
        }
        eprintln!("threadline: internal error in a worker ({what}{place}); the affected run is recorded as failed");
    }));
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "threadline: error: {err}");
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  caused by: {cause}");
            }
            if let Some(e) = err.downcast_ref::<Error>() {
                if let Some(h) = hint(e) {
                    let _ = writeln!(stderr, "  hint: {h}");
                }
                return ExitCode::from(exit_code_for(e));
            }
            ExitCode::from(70)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Case(CaseCmd::New { path, name, examiner, json }) => {
            let case = Case::create(&path, &name, &examiner)?;
            let info = case.info()?;
            if json {
                print_json(&info)?;
            } else {
                println!("created case '{}' at {} (id {})", info.name, info.path, info.case_id);
            }
            Ok(0)
        }
        Command::Case(CaseCmd::Info { path, json }) => {
            let case = Case::open_read_only(&path)?;
            let info = case.info()?;
            if json {
                print_json(&info)?;
            } else {
                print_info(&info);
            }
            Ok(0)
        }
        Command::Ingest(a) => {
            let mut case = Case::open(&a.case, &format!("ingesting '{}'", a.source.display()))?;
            let cancel = CancelToken::new();
            let c2 = cancel.clone();
            let _ = ctrlc::set_handler(move || c2.cancel());
            let opts = IngestOptions {
                label: a.label,
                limits: Limits { max_ratio: a.max_ratio, ratio_floor: a.ratio_floor, max_entry_size: a.max_entry_size, max_total_size: a.max_total_size },
                threads: a.threads,
                expand_archives: a.expand_archives,
            };
            let bar = BarProgress::new();
            let result = ingest(&mut case, &a.source, &opts, &bar, &cancel);
            let s = match result {
                Ok(s) => s,
                Err(e) => {
                    bar.bar.finish_and_clear();
                    return Err(e.into());
                }
            };
            let parsed = if a.no_parse || cancel.is_cancelled() || s.status == "failed" {
                None
            } else {
                let popts = threadline::parsers::ParseOptions { source: Some(s.source_id), ..Default::default() };
                Some(threadline::parsers::parse_case(&mut case, &popts, &bar, &cancel)?)
            };
            bar.bar.finish_and_clear();
            if a.json {
                let mut v = serde_json::to_value(&s)?;
                v["parse"] = serde_json::to_value(&parsed)?;
                print_json(&v)?;
            } else {
                if let Some(p) = &parsed {
                    print_parse(p);
                }
                if s.already_complete {
                    println!("source {} '{}' was already ingested completely; nothing to do", s.source_id, s.label);
                }
                println!(
                    "source {} '{}' ({}): {} — {} entries, {} hashed this run ({}), {:.1} s{}",
                    s.source_id,
                    s.label,
                    s.container_kind,
                    s.status,
                    s.entries,
                    s.files_hashed,
                    HumanBytes(s.bytes_hashed),
                    s.seconds,
                    if s.resumed { format!(", resumed ({} entries already done)", s.skipped_already_done) } else { String::new() }
                );
                if let Some(r) = &s.status_reason {
                    println!("  why: {r}");
                }
                if let Some(h) = &s.container_sha256 {
                    println!("  container SHA-256 {h}");
                }
                println!("  file-list digest {}", s.manifest_sha256);
                if s.issues.info + s.issues.warning + s.issues.error > 0 {
                    println!(
                        "  issues: {} errors, {} warnings, {} notes (threadline issues {} --source {})",
                        s.issues.error,
                        s.issues.warning,
                        s.issues.info,
                        a.case.display(),
                        s.source_id
                    );
                }
                if !s.nested_archives.is_empty() {
                    println!("  archives inside this source ({}):", s.nested_archives.len());
                    for p in s.nested_archives.iter().take(20) {
                        println!("    {p}");
                    }
                }
            }
            Ok(match s.status.as_str() {
                "complete" => 0,
                _ if cancel.is_cancelled() => 130,
                _ => 5,
            })
        }
        Command::Verify { case, quick, json } => {
            let mut c = match Case::open(&case, "verifying") {
                Ok(c) => c,
                Err(Error::Locked { .. }) => Case::open_read_only(&case)?,
                Err(e) => return Err(e.into()),
            };
            let cancel = CancelToken::new();
            let c2 = cancel.clone();
            let _ = ctrlc::set_handler(move || c2.cancel());
            let r = verify(&mut c, !quick, &cancel)?;
            if json {
                print_json(&r)?;
            } else {
                println!("audit log: {} rows, head {}", r.audit_rows, r.audit_head);
                for b in &r.audit_breaks {
                    println!("  MISMATCH audit row {}: {}", b.id, b.problem);
                }
                for s in &r.sources {
                    println!(
                        "source {} '{}': container {}, file list {}, {} files re-hashed{}",
                        s.source_id,
                        s.label,
                        s.container,
                        s.manifest,
                        s.files_checked,
                        s.found_at.as_ref().map(|p| format!(" from {p}")).unwrap_or_else(|| " (evidence not reachable)".into())
                    );
                    for m in &s.mismatches {
                        println!("  MISMATCH {m}");
                    }
                }
                println!("{}", if r.ok { "verified: no mismatch" } else { "VERIFICATION FAILED" });
                if !r.recorded {
                    println!("(not recorded in the case: another process holds it)");
                }
            }
            Ok(if r.ok { 0 } else { 1 })
        }
        Command::Parse { case, source, force, budget_s, json } => {
            let mut c = Case::open(&case, "parsing artefacts")?;
            let cancel = CancelToken::new();
            let c2 = cancel.clone();
            let _ = ctrlc::set_handler(move || c2.cancel());
            let opts = threadline::parsers::ParseOptions { source, force, budget: Duration::from_secs(budget_s) };
            let bar = BarProgress::new();
            let r = threadline::parsers::parse_case(&mut c, &opts, &bar, &cancel);
            bar.bar.finish_and_clear();
            let r = r?;
            if json {
                print_json(&r)?;
            } else {
                print_parse(&r);
            }
            Ok(if r.runs.iter().any(|x| x.status != "ok") { 5 } else { 0 })
        }
        Command::Messages(a) => {
            let (c, f) = a.open()?;
            let rows = c.messages(&f)?;
            if a.json {
                print_json(&rows)?;
            } else {
                for m in rows {
                    let who = match m.direction.as_str() {
                        "outgoing" => format!("→ {}", m.recipients.clone().unwrap_or_default()),
                        _ => format!("← {}", m.sender.clone().unwrap_or_default()),
                    };
                    println!(
                        "{}  {:<9} {}{}  {}\n    [{} {} {}#{}{}]",
                        show_time(&m.sent),
                        m.service,
                        who,
                        if m.deleted { " (deleted)" } else { "" },
                        m.body.clone().unwrap_or_else(|| "<no text>".into()),
                        m.provenance.source_label,
                        m.provenance.path,
                        m.provenance.table,
                        m.provenance.row.unwrap_or(0),
                        show_model(&m.provenance)
                    );
                }
            }
            Ok(0)
        }
        Command::Calls(a) => {
            let (c, f) = a.open()?;
            let rows = c.calls(&f)?;
            if a.json {
                print_json(&rows)?;
            } else {
                for c in rows {
                    // The status says more than the direction when the source records it.
                    let status = c.status.clone().unwrap_or_else(|| if c.answered == Some(false) { format!("{} unanswered", c.direction) } else { c.direction.clone() });
                    println!(
                        "{}  {:<9} {:<18} {} {}  {:.0} s  [{} {}#{}]",
                        show_time(&c.start),
                        c.service,
                        status,
                        c.peer.clone().unwrap_or_default(),
                        c.peer_name.clone().unwrap_or_default(),
                        c.duration_s.unwrap_or(0.0),
                        c.provenance.path,
                        c.provenance.table,
                        c.provenance.row.unwrap_or(0)
                    );
                }
            }
            Ok(0)
        }
        Command::Contacts(a) => {
            let (c, f) = a.open()?;
            let rows = c.contacts(&f)?;
            if a.json {
                print_json(&rows)?;
            } else {
                for c in rows {
                    let mut times = String::new();
                    if let Some(t) = &c.created {
                        times.push_str(&format!("  created {}", show_time(t)));
                    }
                    if let Some(t) = &c.modified {
                        times.push_str(&format!("  modified {}", show_time(t)));
                    }
                    println!(
                        "{}  {}  {}{times}  [{} {}#{}]",
                        c.name.clone().unwrap_or_default(),
                        c.account.clone().unwrap_or_default(),
                        c.entries,
                        c.provenance.path,
                        c.provenance.table,
                        c.provenance.row.unwrap_or(0)
                    );
                }
            }
            Ok(0)
        }
        Command::Visits(a) => {
            let (c, f) = a.open()?;
            let rows = c.visits(&f)?;
            if a.json {
                print_json(&rows)?;
            } else {
                for v in rows {
                    let term = v.search_term.as_ref().map(|t| format!("  searched \"{t}\"")).unwrap_or_default();
                    println!("{}  {:<7} {}  {}{term}  [{}#{}]", show_time(&v.visited), v.browser, v.url, v.title.clone().unwrap_or_default(), v.provenance.path, v.provenance.row.unwrap_or(0));
                }
            }
            Ok(0)
        }
        Command::Media(a) => {
            let (c, f) = a.open()?;
            let rows = c.media(&f)?;
            if a.json {
                print_json(&rows)?;
            } else {
                for m in rows {
                    let when = match (&m.taken_utc, &m.taken_local) {
                        (Some(u), _) => format!("{u} ({})", m.taken_basis.clone().unwrap_or_default()),
                        (None, Some(l)) => format!("{l} local, zone unknown"),
                        _ => "no time".into(),
                    };
                    let gps = match (m.gps_lat, m.gps_lon) {
                        (Some(a), Some(b)) => format!("{a:.5},{b:.5}"),
                        _ => "-".into(),
                    };
                    println!("{when}  {gps}  {}  {}  [{}]", m.camera.clone().unwrap_or_default(), m.path, m.source_label);
                }
            }
            Ok(0)
        }
        Command::Apps(a) => {
            let (c, f) = a.open()?;
            let rows = c.apps(&f)?;
            if a.json {
                print_json(&rows)?;
            } else {
                for x in rows {
                    println!(
                        "{}  {}  {}{}{}  [{} {} {}#{}]",
                        x.identifier,
                        x.name.clone().unwrap_or_default(),
                        x.version.clone().unwrap_or_default(),
                        x.installed.as_ref().map(|t| format!("  installed {}", show_time(t))).unwrap_or_default(),
                        if x.deleted { "  (uninstalled)" } else { "" },
                        x.provenance.source_label,
                        x.provenance.path,
                        x.provenance.table,
                        x.provenance.row.unwrap_or(0)
                    );
                }
            }
            Ok(0)
        }
        Command::Accounts(a) => {
            let (c, f) = a.open()?;
            let rows = c.accounts(&f)?;
            if a.json {
                print_json(&rows)?;
            } else {
                for x in rows {
                    println!(
                        "{}  {}  {}{}  [{} {} {}#{}]",
                        x.service,
                        x.username.clone().unwrap_or_default(),
                        x.display_name.clone().unwrap_or_default(),
                        x.created.as_ref().map(|t| format!("  created {}", show_time(t))).unwrap_or_default(),
                        x.provenance.source_label,
                        x.provenance.path,
                        x.provenance.table,
                        x.provenance.row.unwrap_or(0)
                    );
                }
            }
            Ok(0)
        }
        Command::Locations(a) => {
            let (c, f) = a.open()?;
            let rows = c.locations(&f)?;
            if a.json {
                print_json(&rows)?;
            } else {
                for x in rows {
                    println!(
                        "{}  {:<14} {:.5},{:.5}{}{}  {}  [{} {} {}#{}{}]",
                        show_time(&x.at),
                        x.kind,
                        x.lat,
                        x.lon,
                        x.accuracy_m.map(|m| format!(" ±{m:.0} m")).unwrap_or_default(),
                        x.alt.map(|m| format!(" alt {m:.0} m")).unwrap_or_default(),
                        x.name.clone().unwrap_or_default(),
                        x.provenance.source_label,
                        x.provenance.path,
                        x.provenance.table,
                        x.provenance.row.unwrap_or(0),
                        show_model(&x.provenance)
                    );
                }
            }
            Ok(0)
        }
        Command::Search { case, query, source, kind, direction, person, from, to, limit, json } => {
            let c = Case::open_read_only(&case)?;
            let person = person.as_deref().map(|p| threadline::search::fts::find_person(&c, p)).transpose()?;
            let q = threadline::search::fts::Query {
                text: query,
                source,
                person,
                from_us: from.as_deref().map(parse_instant).transpose()?,
                to_us: to.as_deref().map(parse_instant).transpose()?,
                direction,
                kind,
                limit: Some(limit),
            };
            let hits = threadline::search::fts::search(&c, &q)?;
            if json {
                print_json(&hits)?;
            } else {
                for h in &hits {
                    println!("{:<8} {}  {}\n         [{} {}]", h.kind, h.time.clone().unwrap_or_default(), h.snippet, h.source, h.provenance);
                }
                println!("{} hits", hits.len());
                let n = threadline::search::fts::matches(&c, &q.text)?;
                if n > threadline::search::fts::RANK_LIMIT {
                    println!("(the query matches {n} texts, more than {}: hits in index order, not by relevance; narrow it down)", threadline::search::fts::RANK_LIMIT);
                }
            }
            Ok(0)
        }
        Command::Keywords(k) => cli::matching::keywords(k),
        Command::Indicators(i) => cli::matching::indicators(i),
        Command::Identifiers { case, kind, min_sources, json } => {
            let c = Case::open_read_only(&case)?;
            let rows = threadline::search::linking::seen(&c, kind.as_deref(), min_sources)?;
            if json {
                print_json(&rows)?;
            } else {
                for r in &rows {
                    println!("{:<13} {:<40} sources {:?}, {} sightings", r.kind, r.value, r.sources, r.sightings);
                }
            }
            Ok(0)
        }
        Command::Similar { case, what, pdq, dhash, phash, fallback, json } => {
            let radii = threadline::media::matching::Radii { pdq, dhash, phash, fallback };
            let res = threadline::media::query::similar(&Case::open_read_only(&case)?, &what, &radii)?;
            if json {
                print_json(&res)?;
            } else {
                match (&res.query, &res.query_pdq) {
                    (Some(q), _) => println!("query: {}  [{}]  (file id {})", q.path, q.source, q.file_id),
                    (None, Some(h)) => println!("query: PDQ hash {h}"),
                    (None, None) => {}
                }
                println!("rule: {}", threadline::media::query::describe_radii(&radii));
                if res.hits.is_empty() {
                    println!("no near-duplicate found");
                }
                for h in res.hits {
                    let opt = |d: Option<u32>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
                    let rule = h.rule.map(|r| format!("  ({})", r.describe())).unwrap_or_default();
                    println!("pdq {:>3}  dhash {:>2}  phash {:>2}  {}  [{}]{}", h.distance_pdq, opt(h.distance_dhash), opt(h.distance_phash), h.path, h.source, rule);
                }
            }
            Ok(0)
        }
        Command::Groups { case, rebuild, pdq, dhash, phash, fallback, json } => {
            if rebuild {
                let radii = threadline::media::matching::Radii { pdq, dhash, phash, fallback };
                let n = threadline::media::query::rebuild(&mut Case::open(&case, "rebuilding near-duplicate groups")?, &radii)?;
                if !json {
                    println!("rebuilt {n} groups at {}", threadline::media::query::describe_radii(&radii));
                }
            }
            let groups = threadline::media::query::groups(&Case::open_read_only(&case)?)?;
            if json {
                print_json(&groups)?;
            } else {
                for g in &groups {
                    println!("group {} ({} files; linked when {}; distances to the representative)", g.id, g.members.len(), g.rule);
                    for m in &g.members {
                        let opt = |d: Option<u32>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
                        let how = if m.file_id == g.representative_file_id {
                            "representative".to_string()
                        } else if m.via_other {
                            "linked through other members".to_string()
                        } else {
                            m.rule.map(|r| r.describe().to_string()).unwrap_or_else(|| "-".into())
                        };
                        println!(
                            "  pdq {:>3}  dhash {:>2}  phash {:>2}  ({})  {}  [{}]",
                            m.distance.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                            opt(m.distance_dhash),
                            opt(m.distance_phash),
                            how,
                            m.path,
                            m.source
                        );
                    }
                }
                println!("{} groups", groups.len());
            }
            Ok(0)
        }
        Command::Thumb { case, what, out, reveal, reason, backfill, json } => {
            use threadline::media::thumbs;
            if backfill {
                let mut c = Case::open(&case, "making thumbnails")?;
                let cancel = CancelToken::new();
                let c2 = cancel.clone();
                let _ = ctrlc::set_handler(move || c2.cancel());
                let r = thumbs::backfill(&mut c, &cancel)?;
                if json {
                    print_json(&r)?;
                } else {
                    println!("{} images without a thumbnail: {} made, {} failed", r.missing, r.made, r.failed.len());
                    for (id, why) in &r.failed {
                        println!("  file {id}: {why}");
                    }
                    for (id, why) in &r.unreachable {
                        println!("  source {id}: {why}");
                    }
                }
                return Ok(if r.unreachable.is_empty() { 0 } else { 5 });
            }
            let (Some(what), Some(out)) = (what, out) else {
                return Err(Error::InvalidArgument("give FILE_ID|SHA256 and --out PATH, or --backfill".into()).into());
            };
            let mut c = if reveal { Case::open(&case, "revealing a thumbnail")? } else { Case::open_read_only(&case)? };
            let variant = if reveal { thumbs::Variant::Sharp } else { thumbs::Variant::Blurred };
            let r = thumbs::export(&mut c, &what, variant, &out, reason.as_deref())?;
            if json {
                print_json(&r)?;
            } else {
                println!("{} thumbnail {}×{} of file {} ({}) written to {}", r.variant, r.width, r.height, r.image.file_id, r.image.path, r.out);
                if let Some(id) = r.audit_id {
                    println!("reveal recorded in the audit log (row {id}, examiner {})", c.actor());
                }
            }
            Ok(0)
        }
        Command::Timezone { case, source, zone } => {
            let mut c = Case::open(&case, "setting a source time zone")?;
            c.set_source_timezone(source, &zone)?;
            println!("source {source}: time zone {zone}");
            Ok(0)
        }
        Command::Issues { case, source, json } => {
            let c = Case::open_read_only(&case)?;
            let rows = c.issues(source)?;
            if json {
                print_json(&rows)?;
            } else {
                for i in rows {
                    println!("[{}] source {} {}: {}", i.severity, i.source_id.unwrap_or(0), i.code, i.message);
                }
            }
            Ok(0)
        }
        Command::Files { case, source, json } => {
            let c = Case::open_read_only(&case)?;
            let rows = c.files(source)?;
            if json {
                print_json(&rows)?;
            } else {
                for f in rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        f.source_id,
                        f.kind,
                        f.size.unwrap_or(0),
                        f.sha256.as_deref().unwrap_or(f.error.as_deref().unwrap_or("-")),
                        f.sniffed.as_deref().unwrap_or("-"),
                        f.path
                    );
                }
            }
            Ok(0)
        }
        Command::Runs { case, json } => {
            let c = Case::open_read_only(&case)?;
            let rows = c.runs(None)?;
            if json {
                print_json(&rows)?;
            } else {
                for r in rows {
                    println!(
                        "run {} {} {} {} [{}] items {} errors {} — {}",
                        r.id,
                        r.kind,
                        r.name,
                        r.source_id.map(|s| format!("source {s}")).unwrap_or_default(),
                        r.status,
                        r.item_count,
                        r.error_count,
                        r.message.unwrap_or_default()
                    );
                }
            }
            Ok(0)
        }
        Command::Audit { case, json } => {
            let c = Case::open_read_only(&case)?;
            let rows = c.audit_entries()?;
            if json {
                print_json(&rows)?;
            } else {
                for e in rows {
                    println!("{} {} {} {} {}", e.id, e.at_utc, e.actor, e.action, e.detail);
                }
            }
            Ok(0)
        }
        Command::Sample(SampleCmd::List { json }) => {
            let list = threadline::samples::scenarios();
            if json {
                print_json(&list)?;
            } else {
                for s in list {
                    println!("{:<20} {}\n{:<20} {}", s.name, s.title, "", s.summary);
                }
            }
            Ok(0)
        }
        Command::Sample(SampleCmd::Generate { scenario, out, seed, scale, json }) => {
            let scale = threadline::samples::Scale::parse(&scale)?;
            let summary = threadline::samples::generate(&scenario, &out, seed, scale)?;
            if json {
                print_json(&summary)?;
            } else {
                println!("scenario '{}' (seed {}, {}) written to {}", summary.scenario, summary.seed, scale.as_str(), out.display());
                for f in &summary.files {
                    println!("  {:<20} {:>12} bytes  {}", f.kind, f.bytes, f.path);
                }
                println!("  answer key: {}", summary.answer_key.display());
            }
            Ok(0)
        }
        Command::Train(TrainCmd::List { json }) => {
            let list = threadline::training::list();
            if json {
                print_json(&list)?;
            } else {
                for s in list {
                    println!("{:<20} {}{}", s.name, s.title, if s.has_brief { "" } else { "  (no brief yet)" });
                }
            }
            Ok(0)
        }
        Command::Train(TrainCmd::Start { scenario, trainee, out, seed, json }) => {
            let bar = BarProgress::new();
            let started = threadline::training::start(&scenario, &trainee, &out, seed, &bar, &CancelToken::new());
            bar.bar.finish_and_clear();
            let s = started?;
            if json {
                print_json(&s)?;
            } else {
                println!("case for {trainee}: {}", s.case.display());
                println!("evidence: {}", s.evidence.display());
                for b in &s.briefs {
                    println!("brief:    {}", b.display());
                }
                println!("instructor (answer key, notes — keep from the trainee): {}", s.instructor.display());
                for src in &s.sources {
                    println!("  source {} '{}': {} entries, {}", src.source_id, src.label, src.entries, src.status);
                }
            }
            Ok(0)
        }
        Command::Train(TrainCmd::Score { case, key, json }) => {
            let c = Case::open_read_only(&case)?;
            let (k, _, warning) = threadline::training::key_for(&c, key.as_deref())?;
            let r = threadline::training::score(&c, &k, warning)?;
            if json {
                print_json(&r)?;
            } else {
                print_score(&r);
            }
            Ok(0)
        }
        Command::Train(TrainCmd::Solve { case, key }) => {
            let mut c = Case::open(&case, "filling in the model answer")?;
            let (k, path, _) = threadline::training::key_for(&c, key.as_deref())?;
            threadline::training::solve(&mut c, &k)?;
            println!("model answer from {} written into {}", path.display(), case.display());
            Ok(0)
        }
        Command::Tag(TagCmd::Add { case, item, tag, note }) => {
            let mut c = Case::open(&case, "tagging")?;
            let id = c.add_tag(&item.item(), &tag, note.as_deref())?;
            if note.is_some() {
                threadline::search::fts::update(&mut c)?;
            }
            println!("tag {id}: {tag}");
            Ok(0)
        }
        Command::Tag(TagCmd::List { case, json }) => {
            let c = Case::open_read_only(&case)?;
            let rows = c.tags()?;
            if json {
                print_json(&rows)?;
            } else {
                for t in rows {
                    let row = t.item.table.as_ref().map(|tb| format!(" {tb}#{}", t.item.row_id.unwrap_or(0))).unwrap_or_default();
                    println!("{}\t{}\tsource {} {}{}\t{}", t.id, t.tag, t.item.source_id, t.item.path, row, t.note.unwrap_or_default());
                }
            }
            Ok(0)
        }
        Command::Person(PersonCmd::Add { case, name, ids }) => {
            let ids = ids.iter().map(|s| split_id(s)).collect::<anyhow::Result<Vec<_>>>()?;
            let mut c = Case::open(&case, "adding a person")?;
            let id = c.add_person(&name, &ids)?;
            println!("person {id}: {name}");
            Ok(0)
        }
        Command::Person(PersonCmd::Id { case, person, identifier }) => {
            let (k, v) = split_id(&identifier)?;
            let mut c = Case::open(&case, "adding an identifier")?;
            c.add_identifier(person, &k, &v)?;
            Ok(0)
        }
        Command::Person(PersonCmd::Role { case, person, role, note }) => {
            let mut c = Case::open(&case, "setting a role")?;
            c.set_role(person, &role, note.as_deref())?;
            Ok(0)
        }
        Command::Person(PersonCmd::List { case, json }) => {
            let c = Case::open_read_only(&case)?;
            let rows = c.persons()?;
            if json {
                print_json(&rows)?;
            } else {
                for p in rows {
                    let ids = p.identifiers.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
                    println!("{}\t{}\t[{}]\t{}", p.id, p.name, p.roles.join(", "), ids);
                }
            }
            Ok(0)
        }
        Command::Exhibit(ExhibitCmd::Add { case, title, description }) => {
            let mut c = Case::open(&case, "adding an exhibit")?;
            let id = c.add_exhibit(&title, description.as_deref())?;
            println!("exhibit {id}: {title}");
            Ok(0)
        }
        Command::Exhibit(ExhibitCmd::Item { case, exhibit, item, note }) => {
            let mut c = Case::open(&case, "adding an exhibit item")?;
            let id = c.add_exhibit_item(exhibit, &item.item(), note.as_deref())?;
            println!("exhibit {exhibit} item {id}");
            Ok(0)
        }
        Command::Exhibit(ExhibitCmd::List { case, json }) => {
            let c = Case::open_read_only(&case)?;
            let rows = c.exhibits()?;
            if json {
                print_json(&rows)?;
            } else {
                for x in rows {
                    println!("exhibit {}: {}", x.id, x.title);
                    for (i, note) in x.items {
                        let row = i.table.as_ref().map(|tb| format!(" {tb}#{}", i.row_id.unwrap_or(0))).unwrap_or_default();
                        println!("  source {} {}{}  {}", i.source_id, i.path, row, note.unwrap_or_default());
                    }
                }
            }
            Ok(0)
        }
        Command::Hashset(cmd) => run_hashset(cmd),
        Command::Bench(b) => threadline::bench::run(match b {
            BenchCmd::Hash { mib, dir } => threadline::bench::Bench::Hash { mib, dir },
            BenchCmd::Ingest { files, dir } => threadline::bench::Bench::Ingest { files, dir },
            BenchCmd::Images { files, threads, runs, dir } => {
                threadline::bench::Bench::Images { files, threads: threads.unwrap_or_else(threadline::bench::default_threads), runs, dir }
            }
            BenchCmd::Pairs { n, radius, threads, runs } => threadline::bench::Bench::Pairs { n, radius, threads: threads.unwrap_or_else(threadline::bench::default_threads), runs },
            BenchCmd::Keywords { mib, terms, messages, dir } => threadline::bench::Bench::Keywords(threadline::bench_keywords::Settings { mib, terms, messages, dir }),
        })
        .map(|_| 0)
        .map_err(Into::into),
    }
}

fn run_hashset(cmd: HashsetCmd) -> anyhow::Result<u8> {
    use threadline::hashsets::{self, export, matching};
    match cmd {
        HashsetCmd::Import { case, file, name, kind, format, json } => {
            let format = format.as_deref().map(hashsets::Format::parse).transpose()?;
            let mut c = Case::open(&case, "importing a hash set")?;
            let set = hashsets::import(&mut c, &file, &hashsets::ImportOptions { name, kind, format })?;
            if json {
                print_json(&set)?;
            } else {
                println!(
                    "hash set {}: '{}' ({}, {}{}), {} items, {} PhotoDNA values (stored, never matched), SHA-256 {}",
                    set.id,
                    set.name,
                    set.kind,
                    set.format,
                    set.format_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default(),
                    set.item_count,
                    set.photodna_count,
                    set.file_sha256
                );
            }
            Ok(0)
        }
        HashsetCmd::List { case, json } => {
            let sets = hashsets::list(&Case::open_read_only(&case)?)?;
            if json {
                print_json(&sets)?;
            } else {
                for s in &sets {
                    println!(
                        "{}\t{}\t{}\t{}{}\t{} items\t{} PhotoDNA\t{} files hit\t{}",
                        s.id,
                        s.name,
                        s.kind,
                        s.format,
                        s.format_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default(),
                        s.item_count,
                        s.photodna_count,
                        s.hit_count,
                        s.imported_utc
                    );
                }
                println!("{} hash sets", sets.len());
            }
            Ok(0)
        }
        HashsetCmd::Match { case, pdq_distance, pdq_min_quality, json } => {
            let mut c = Case::open(&case, "matching hash sets")?;
            let s = matching::run(&mut c, &matching::MatchOptions { pdq_distance, pdq_min_quality })?;
            if json {
                print_json(&s)?;
            } else {
                println!(
                    "{} files hit over {} sets: md5 {}, sha1 {}, sha256 {}, pdq {} (≤ {}, {} images × {} known)",
                    s.files_hit, s.sets, s.md5_hits, s.sha1_hits, s.sha256_hits, s.pdq_hits, s.pdq_distance, s.pdq_images, s.pdq_known
                );
                if s.photodna_not_matched > 0 {
                    println!("{} PhotoDNA values in the sets were not matched (no licensed engine)", s.photodna_not_matched);
                }
            }
            Ok(0)
        }
        HashsetCmd::Hits { case, set, json } => {
            let hits = matching::hits(&Case::open_read_only(&case)?, set)?;
            if json {
                print_json(&hits)?;
            } else {
                for h in &hits {
                    let d = h.pdq_distance.map(|d| format!(" d={d}")).unwrap_or_default();
                    println!(
                        "{}\t[{}]\tset {} '{}' ({})\tcategory {}\t{}{}",
                        h.path,
                        h.source,
                        h.set_id,
                        h.set_name,
                        h.set_kind,
                        h.category.as_deref().unwrap_or("-"),
                        h.matched_by.join("+"),
                        d
                    );
                }
                println!("{} hits", hits.len());
            }
            Ok(0)
        }
        HashsetCmd::Export { case, out, vics, set, json } => {
            let mut c = Case::open(&case, "exporting VICS JSON")?;
            let s = match set {
                Some(id) => export::export_set(&mut c, id, &out)?,
                None => export::export_case(&mut c, &out, export::VicsVersion::parse(&vics)?)?,
            };
            if json {
                print_json(&s)?;
            } else {
                println!("{} media records written to {} (SHA-256 {})", s.media, s.out, s.sha256);
            }
            Ok(0)
        }
    }
}

fn print_parse(p: &threadline::parsers::ParseSummary) {
    for r in &p.runs {
        if r.path.is_none() && r.status == "ok" {
            continue;
        }
        println!("  parser {:<16} {:<8} {}  {}", r.parser, r.status, r.path.clone().unwrap_or_default(), r.message);
    }
    let failed = p.runs.iter().filter(|r| r.status != "ok").count();
    println!(
        "  parsed: {} runs, {} rows{}{}",
        p.runs.len(),
        p.runs.iter().map(|r| r.items).sum::<i64>(),
        if failed > 0 { format!(", {failed} failed (see `threadline runs`)") } else { String::new() },
        if p.skipped > 0 { format!(", {} already done", p.skipped) } else { String::new() }
    );
}

fn print_score(r: &threadline::training::ScoreReport) {
    println!("scenario {} — trainee {}", r.scenario, r.trainee);
    if let Some(w) = &r.warning {
        println!("WARNING: {w}");
    }
    for t in &r.tasks {
        println!(
            "\n{:<10} precision {:>5.1}%  recall {:>5.1}%  F1 {:>5.1}%   ({} of {} expected found; {} of {} given right)",
            t.task,
            t.precision * 100.0,
            t.recall * 100.0,
            t.f1 * 100.0,
            t.found,
            t.expected,
            t.correct,
            t.submitted
        );
        println!("           {}", t.description);
        for m in t.missed.iter().take(15) {
            println!("  missed: {m}");
        }
        if t.missed.len() > 15 {
            println!("  … and {} more missed (--json lists all)", t.missed.len() - 15);
        }
        for w in t.wrong.iter().take(10) {
            println!("  not in the key: {w}");
        }
    }
    println!("\noverall score: {:.1} / 100 (mean F1 of the {} tasks)", r.overall, r.tasks.len());
}

fn print_info(i: &threadline::CaseInfo) {
    println!("case      {} ({})", i.name, i.path);
    println!("examiner  {}", i.examiner);
    println!("case id   {}", i.case_id);
    println!("created   {} with Threadline {} (schema v{})", i.created_utc, i.created_with, i.schema_version);
    println!("entries   {} files, {}", i.file_count, HumanBytes(i.byte_count.max(0) as u64));
    println!("runs      {}", i.run_count);
    println!("audit     {} rows, head {}", i.audit_rows, i.audit_head);
    for s in &i.sources {
        println!(
            "source {}  '{}' {} {} — {} entries, {}{}",
            s.id,
            s.label,
            s.container_kind,
            s.status,
            s.file_count,
            HumanBytes(s.byte_count.max(0) as u64),
            s.sha256.as_ref().map(|h| format!(", SHA-256 {h}")).unwrap_or_default()
        );
        println!("          {}", s.path);
        if let Some(r) = &s.status_reason {
            println!("          why: {r}");
        }
        if s.parser_runs_not_ok > 0 {
            println!("          parsers: {} runs did not end ok (threadline runs {})", s.parser_runs_not_ok, i.path);
        }
        if s.issues.error + s.issues.warning + s.issues.info > 0 {
            println!("          issues: {} errors, {} warnings, {} notes", s.issues.error, s.issues.warning, s.issues.info);
        }
    }
}
