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

mod android;
mod answer_key;
mod archive;
mod exif;
mod ios;
mod laptop;
mod plan;
pub mod rng;
mod scenario_labour;
pub mod schema;
mod sqlite;
mod timefmt;
pub mod typedstream;

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
    vec![ScenarioInfo {
        name: scenario_labour::NAME.to_string(),
        title: scenario_labour::TITLE.to_string(),
        summary: scenario_labour::SUMMARY.to_string(),
    }]
}

/// Generate the sample case `scenario` into `out` (created if missing; files already there with the
/// same names are overwritten, nothing else is touched).
pub fn generate(scenario: &str, out: &Path, seed: u64, scale: Scale) -> Result<GenerateSummary> {
    let plan = match scenario {
        scenario_labour::NAME => scenario_labour::build(seed, scale),
        other => {
            let known: Vec<String> = scenarios().into_iter().map(|s| s.name).collect();
            return Err(Error::InvalidArgument(format!("unknown scenario '{other}'; known: {}", known.join(", "))));
        }
    };
    std::fs::create_dir_all(out).map_err(|e| Error::io("creating", out, e))?;
    let scratch = out.join(".threadline-generate-scratch");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| Error::io("removing", &scratch, e))?;
    }
    std::fs::create_dir_all(&scratch).map_err(|e| Error::io("creating", &scratch, e))?;
    let result = write_all(&plan, out, &scratch);
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

fn write_all(plan: &plan::Plan, out: &Path, scratch: &Path) -> Result<Vec<WrittenFile>> {
    let mut written = Vec::new();
    for (di, dev) in plan.devices.iter().enumerate() {
        let dev_dir = out.join(&dev.id);
        std::fs::create_dir_all(&dev_dir).map_err(|e| Error::io("creating", &dev_dir, e))?;
        let dev_scratch = scratch.join(&dev.id);
        std::fs::create_dir_all(&dev_scratch).map_err(|e| Error::io("creating", &dev_scratch, e))?;
        match dev.kind {
            plan::DeviceKind::Ios => {
                let tree = ios::build_tree(plan, di, &dev_scratch)?;
                let tar_path = dev_dir.join("ios_ffs.tar");
                archive::write_tar(&tar_path, "", &tree, plan.archive_mtime, false)?;
                written.push(file_entry(out, &tar_path, "ios-ffs-tar")?);
                let zip_path = dev_dir.join("ios_ffs.zip");
                archive::write_zip(&zip_path, "filesystem1/", &tree, plan.archive_mtime)?;
                written.push(file_entry(out, &zip_path, "ios-ffs-zip")?);
            }
            plan::DeviceKind::Android => {
                let tree = android::build_tree(plan, di, &dev_scratch)?;
                let path = dev_dir.join("android_ffs.tar.gz");
                archive::write_tar(&path, "Dump/", &tree, plan.archive_mtime, true)?;
                written.push(file_entry(out, &path, "android-ffs-tar-gz")?);
            }
            plan::DeviceKind::Laptop => {
                let tree = laptop::build_tree(plan, di, &dev_scratch)?;
                for (rel, bytes) in &tree {
                    let path = dev_dir.join(rel);
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
                    }
                    std::fs::write(&path, bytes).map_err(|e| Error::io("writing", &path, e))?;
                    written.push(file_entry(out, &path, "laptop-file")?);
                }
            }
        }
    }
    let key = answer_key::build(plan);
    let mut json = serde_json::to_vec_pretty(&key).map_err(|e| Error::InvalidArgument(format!("serialising the answer key: {e}")))?;
    json.push(b'\n');
    let key_path = out.join("answer_key.json");
    std::fs::write(&key_path, &json).map_err(|e| Error::io("writing", &key_path, e))?;
    written.push(file_entry(out, &key_path, "answer-key")?);
    Ok(written)
}

fn file_entry(out: &Path, path: &Path, kind: &str) -> Result<WrittenFile> {
    let bytes = std::fs::metadata(path).map_err(|e| Error::io("reading metadata of", path, e))?.len();
    let rel = path.strip_prefix(out).unwrap_or(path);
    let rel = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
    Ok(WrittenFile { path: rel, kind: kind.to_string(), bytes })
}

/// A device's file tree: `/`-separated relative path → content, in a fixed (sorted) order.
pub(crate) type Tree = std::collections::BTreeMap<String, Vec<u8>>;
