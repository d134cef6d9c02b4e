//! Synthetic sample-case generator (training mode and test fixtures).
//!
//! [`generate`] writes, for one named scenario, the extractions that real tools deliver (an iOS
//! full-file-system extraction as a TAR and as a vendor-prefixed ZIP, an Android full-file-system
//! extraction as a TAR.GZ under `Dump/`, a laptop folder) plus an answer key
//! (`<out>/answer_key.json`).
//!
//! Everything is derived from one *plan* (plain Rust data, see `plan`), itself built from the
//! scenario and a seed with the generator's own PRNG ([`rng`]): the databases are written from the
//! plan and the answer key is written from the same plan, never by parsing what was written.
//! Nothing reads the wall clock or the OS random source: archive entries carry fixed mtimes, modes
//! and order; SQLite `-wal` salts are rewritten from the seed. Same scenario + seed + scale gives
//! byte-identical output.
//!
//! All people, numbers (`+33 6 99 …`, `+44 7700 900 …`), e-mails (`example.com`/`example.org`),
//! IBANs (bank code 99999) and places are invented.

pub mod abx;
mod android;
mod answer_key;
mod archive;
mod bulk;
pub mod exif;
pub mod images;
mod ios;
mod laptop;
mod media;
mod plan;
pub mod rng;
mod scenario_labour;
mod scenario_loverboy;
mod scenario_scam;
pub mod schema;
mod sqlite;
mod story;
mod timefmt;
pub mod typedstream;

pub use images::BaseImages;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// How much noise to generate around the scenario's core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// The scenario's core plus a little noise: small files, quick tests.
    Small,
    /// The same core buried in many more harmless messages, calls and visits.
    Large,
}

impl Scale {
    /// Parse `small` / `large`.
    pub fn parse(s: &str) -> Result<Scale> {
        match s {
            "small" => Ok(Scale::Small),
            "large" => Ok(Scale::Large),
            other => Err(Error::InvalidArgument(format!("unknown scale '{other}': expected 'small' or 'large'"))),
        }
    }

    /// `small` / `large`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Small => "small",
            Scale::Large => "large",
        }
    }
}

/// A scenario the generator knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScenarioInfo {
    /// Name passed to `--scenario`.
    pub name: String,
    /// Short title.
    pub title: String,
    /// One paragraph: what the case is and what a trainee should find.
    pub summary: String,
}

/// One file written by [`generate`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WrittenFile {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// What it is: `ios-ffs-tar`, `ios-ffs-zip`, `android-ffs-tar-gz`, `laptop-file`, `answer-key`.
    pub kind: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GenerateSummary {
    /// Scenario name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// Scale used.
    pub scale: Scale,
    /// Every file written, in a fixed order (the answer key last).
    pub files: Vec<WrittenFile>,
    /// The answer key (`<out>/answer_key.json`).
    pub answer_key: PathBuf,
}

/// The scenarios [`generate`] accepts.
pub fn scenarios() -> Vec<ScenarioInfo> {
    let info = |name: &str, title: &str, summary: &str| ScenarioInfo { name: name.to_string(), title: title.to_string(), summary: summary.to_string() };
    vec![
        info(scenario_labour::NAME, scenario_labour::TITLE, scenario_labour::SUMMARY),
        info(scenario_loverboy::NAME, scenario_loverboy::TITLE, scenario_loverboy::SUMMARY),
        info(scenario_scam::NAME, scenario_scam::TITLE, scenario_scam::SUMMARY),
    ]
}

/// Options of [`generate_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where base photos come from (default: [`BaseImages::Auto`]).
    pub base_images: BaseImages,
}

impl Default for Options {
    fn default() -> Self {
        Options { base_images: BaseImages::Auto }
    }
}

/// Generate the sample case `scenario` into `out` (created if missing; files already there with the
/// same names are overwritten, nothing else is touched). Base photos: [`BaseImages::Auto`].
pub fn generate(scenario: &str, out: &Path, seed: u64, scale: Scale) -> Result<GenerateSummary> {
    generate_with(scenario, out, seed, scale, &Options::default())
}

/// [`generate`] with explicit options.
pub fn generate_with(scenario: &str, out: &Path, seed: u64, scale: Scale, options: &Options) -> Result<GenerateSummary> {
    let mut plan = match scenario {
        scenario_labour::NAME => scenario_labour::build(seed, scale),
        scenario_loverboy::NAME => scenario_loverboy::build(seed, scale),
        scenario_scam::NAME => scenario_scam::build(seed, scale),
        other => {
            let known: Vec<String> = scenarios().into_iter().map(|s| s.name).collect();
            return Err(Error::InvalidArgument(format!("unknown scenario '{other}'; known: {}", known.join(", "))));
        }
    };
    if scale == Scale::Large {
        bulk::add(&mut plan);
    }
    let bases = images::load(&plan.bases, seed, &options.base_images)?;
    std::fs::create_dir_all(out).map_err(|e| Error::io("creating", out, e))?;
    let scratch = out.join(".threadline-generate-scratch");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| Error::io("removing", &scratch, e))?;
    }
    std::fs::create_dir_all(&scratch).map_err(|e| Error::io("creating", &scratch, e))?;
    let result = write_all(&plan, &bases, out, &scratch);
    let cleanup = std::fs::remove_dir_all(&scratch).map_err(|e| Error::io("removing", &scratch, e));
    let files = result?;
    cleanup?;
    Ok(GenerateSummary {
        scenario: plan.scenario.to_string(),
        seed,
        scale,
        files,
        answer_key: out.join("answer_key.json"),
    })
}

fn write_all(plan: &plan::Plan, bases: &images::Bases, out: &Path, scratch: &Path) -> Result<Vec<WrittenFile>> {
    use rayon::prelude::*;
    // Devices are independent: build them in parallel, keep their order in the summary.
    let per_device: Vec<Result<(Vec<WrittenFile>, TreeCounts)>> = plan.devices.par_iter().enumerate().map(|(di, dev)| write_device(plan, bases, out, scratch, di, dev)).collect();
    let mut written = Vec::new();
    let mut tree_counts = std::collections::BTreeMap::new();
    for (r, dev) in per_device.into_iter().zip(&plan.devices) {
        let (files, counts) = r?;
        written.extend(files);
        tree_counts.insert(dev.id.clone(), counts);
    }
    let key = answer_key::build(plan, bases, &tree_counts);
    let mut json = serde_json::to_vec_pretty(&key).map_err(|e| Error::InvalidArgument(format!("serialising the answer key: {e}")))?;
    json.push(b'\n');
    let key_path = out.join("answer_key.json");
    std::fs::write(&key_path, &json).map_err(|e| Error::io("writing", &key_path, e))?;
    written.push(file_entry(out, &key_path, "answer-key")?);
    Ok(written)
}

/// Files and pictures in one device tree (as the extraction holds them).
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub(crate) struct TreeCounts {
    /// Regular files.
    pub files: usize,
    /// Of which pictures (`.jpg`, `.jpeg`, `.png`, MMS `PART_` files).
    pub images: usize,
}

fn count_tree(tree: &Tree) -> TreeCounts {
    let images = tree
        .iter()
        .filter(|(p, b)| {
            let l = p.to_ascii_lowercase();
            l.ends_with(".jpg") || l.ends_with(".jpeg") || l.ends_with(".png") || (l.contains("/app_parts/part_") && b.starts_with(&[0xFF, 0xD8]))
        })
        .count();
    TreeCounts { files: tree.len(), images }
}

fn write_device(plan: &plan::Plan, bases: &images::Bases, out: &Path, scratch: &Path, di: usize, dev: &plan::Device) -> Result<(Vec<WrittenFile>, TreeCounts)> {
    let mut written = Vec::new();
    let dev_dir = out.join(&dev.id);
    std::fs::create_dir_all(&dev_dir).map_err(|e| Error::io("creating", &dev_dir, e))?;
    let dev_scratch = scratch.join(&dev.id);
    std::fs::create_dir_all(&dev_scratch).map_err(|e| Error::io("creating", &dev_scratch, e))?;
    let counts = match dev.kind {
        plan::DeviceKind::Ios => {
            let tree = ios::build_tree(plan, di, &dev_scratch, bases)?;
            let tar_path = dev_dir.join("ios_ffs.tar");
            let zip_path = dev_dir.join("ios_ffs.zip");
            let (a, b) = rayon::join(
                || archive::write_tar(&tar_path, "", &tree, plan.archive_mtime, false),
                || archive::write_zip(&zip_path, "filesystem1/", &tree, plan.archive_mtime),
            );
            a?;
            b?;
            written.push(file_entry(out, &tar_path, "ios-ffs-tar")?);
            written.push(file_entry(out, &zip_path, "ios-ffs-zip")?);
            count_tree(&tree)
        }
        plan::DeviceKind::Android => {
            let tree = android::build_tree(plan, di, &dev_scratch, bases)?;
            let path = dev_dir.join("android_ffs.tar.gz");
            archive::write_tar(&path, "Dump/", &tree, plan.archive_mtime, true)?;
            written.push(file_entry(out, &path, "android-ffs-tar-gz")?);
            count_tree(&tree)
        }
        plan::DeviceKind::Laptop => {
            let tree = laptop::build_tree(plan, di, &dev_scratch, bases)?;
            for (rel, bytes) in &tree {
                let path = dev_dir.join(rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
                }
                std::fs::write(&path, bytes).map_err(|e| Error::io("writing", &path, e))?;
                written.push(file_entry(out, &path, "laptop-file")?);
            }
            count_tree(&tree)
        }
    };
    Ok((written, counts))
}

fn file_entry(out: &Path, path: &Path, kind: &str) -> Result<WrittenFile> {
    let bytes = std::fs::metadata(path).map_err(|e| Error::io("reading metadata of", path, e))?.len();
    let rel = path.strip_prefix(out).unwrap_or(path);
    let rel = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
    Ok(WrittenFile { path: rel, kind: kind.to_string(), bytes })
}

/// A device's file tree: `/`-separated relative path → content, in a fixed (sorted) order.
pub(crate) type Tree = std::collections::BTreeMap<String, Vec<u8>>;
