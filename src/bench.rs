//! `threadline bench …`: measurements against named peers, run on the same input in the same run,
//! printing ratios. Not tests: nothing here asserts a time.
//!
//! - `hash`: MD5+SHA-1+SHA-256 of one large file on one thread, against
//!   `hashdeep -c md5,sha1,sha256` (Debian package `hashdeep`).
//! - `ingest`: ingest of a folder of many small files into a fresh case, against `hashdeep -r`
//!   computing the same three digests.
//! - `keywords`: keyword lists and validator regexes against ripgrep, and full-text query latency
//!   (in [`crate::bench_keywords`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::error::{Error, Result};

/// Which benchmark.
#[derive(Debug, Clone)]
pub enum Bench {
    /// One large file.
    Hash {
        /// Size in MiB.
        mib: u64,
        /// Where to write it.
        dir: Option<PathBuf>,
    },
    /// Many small files.
    Ingest {
        /// How many.
        files: u64,
        /// Where to write them.
        dir: Option<PathBuf>,
    },
    /// Keyword lists, validator regexes and full-text queries.
    Keywords(crate::bench_keywords::Settings),
}

/// Deterministic, incompressible filler (xorshift), so no layer can shortcut zeros.
fn fill(buf: &mut [u8], state: &mut u64) {
    for chunk in buf.chunks_mut(8) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let b = state.to_le_bytes();
        chunk.copy_from_slice(&b[..chunk.len()]);
    }
}

fn work_dir(dir: Option<PathBuf>, name: &str) -> Result<PathBuf> {
    let base = dir.unwrap_or_else(std::env::temp_dir);
    let d = base.join(format!("threadline-bench-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).map_err(|e| Error::io("creating", &d, e))?;
    Ok(d)
}

fn hashdeep() -> Option<PathBuf> {
    ["/usr/bin/hashdeep", "/usr/local/bin/hashdeep"].iter().map(PathBuf::from).find(|p| p.exists())
}

fn time_cmd(cmd: &mut Command) -> Result<f64> {
    let t = Instant::now();
    let out = cmd.output().map_err(|e| Error::io("running", PathBuf::from(format!("{cmd:?}")), e))?;
    if !out.status.success() {
        return Err(Error::InvalidArgument(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr))));
    }
    Ok(t.elapsed().as_secs_f64())
}

/// Warm the page cache so both contestants read from memory.
fn warm(path: &Path) {
    let _ = crate::ingest::hasher::hash_file(path);
}

/// Run a benchmark and print its figures.
pub fn run(b: Bench) -> Result<()> {
    match b {
        Bench::Hash { mib, dir } => {
            let d = work_dir(dir, "hash")?;
            let file = d.join("big.bin");
            {
                let mut f = std::io::BufWriter::new(std::fs::File::create(&file).map_err(|e| Error::io("creating", &file, e))?);
                let mut buf = vec![0u8; 1 << 20];
                let mut state = 0x9E37_79B9_7F4A_7C15u64;
                for _ in 0..mib {
                    fill(&mut buf, &mut state);
                    f.write_all(&buf).map_err(|e| Error::io("writing", &file, e))?;
                }
                f.flush().map_err(|e| Error::io("writing", &file, e))?;
            }
            warm(&file);
            let bytes = (mib << 20) as f64;
            let mut ours = f64::MAX;
            for _ in 0..3 {
                let t = Instant::now();
                crate::ingest::hasher::hash_file(&file).map_err(|e| Error::io("hashing", &file, e))?;
                ours = ours.min(t.elapsed().as_secs_f64());
            }
            println!("file: {mib} MiB of incompressible data in {} (page cache warm)", file.display());
            println!("threadline  MD5+SHA-1+SHA-256, 1 thread : {:7.3} s  {:7.1} MiB/s (best of 3)", ours, bytes / ours / 1048576.0);
            match hashdeep() {
                Some(hd) => {
                    let mut theirs = f64::MAX;
                    for _ in 0..3 {
                        theirs = theirs.min(time_cmd(Command::new(&hd).args(["-c", "md5,sha1,sha256"]).arg(&file))?);
                    }
                    println!("hashdeep -c md5,sha1,sha256            : {:7.3} s  {:7.1} MiB/s (best of 3)", theirs, bytes / theirs / 1048576.0);
                    println!("ratio (hashdeep time / threadline time): {:.2}x   (goal >= 3x)", theirs / ours);
                }
                None => println!("hashdeep not found: install the Debian package `hashdeep` to get the ratio"),
            }
            let _ = std::fs::remove_dir_all(&d);
        }
        Bench::Ingest { files, dir } => {
            let d = work_dir(dir, "ingest")?;
            let tree = d.join("tree");
            let mut state = 0x2545_F491_4F6C_DD1Du64;
            let mut total = 0u64;
            let mut buf = vec![0u8; 16384];
            for i in 0..files {
                let sub = tree.join(format!("d{:03}", i / 1000));
                if i % 1000 == 0 {
                    std::fs::create_dir_all(&sub).map_err(|e| Error::io("creating", &sub, e))?;
                }
                let len = 512 + (state % 8192) as usize;
                fill(&mut buf[..len], &mut state);
                let p = sub.join(format!("f{i:06}.bin"));
                std::fs::write(&p, &buf[..len]).map_err(|e| Error::io("writing", &p, e))?;
                total += len as u64;
            }
            let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
            println!("tree: {files} files, {total} bytes, in {} ({threads} threads for both)", tree.display());
            // Warm the cache once for both.
            for e in walkdir::WalkDir::new(&tree).into_iter().flatten() {
                if e.file_type().is_file() {
                    let _ = std::fs::read(e.path());
                }
            }
            let case_path = d.join("bench.tlcase");
            let t = Instant::now();
            {
                let mut case = crate::case::Case::create(&case_path, "bench", "bench")?;
                let s = crate::ingest::ingest(&mut case, &tree, &crate::ingest::IngestOptions::default(), &crate::progress::NoProgress, &crate::progress::CancelToken::new())?;
                if s.status != "complete" {
                    return Err(Error::InvalidArgument(format!("bench ingest ended {}: {:?}", s.status, s.status_reason)));
                }
            }
            let ours = t.elapsed().as_secs_f64();
            println!("threadline ingest (case file, 3 digests, sniff): {ours:7.3} s  {:9.0} files/s", files as f64 / ours);
            match hashdeep() {
                Some(hd) => {
                    let theirs = time_cmd(Command::new(&hd).args(["-r", "-c", "md5,sha1,sha256", "-j", &threads.to_string()]).arg(&tree).stdout(std::process::Stdio::null()))?;
                    println!("hashdeep -r -c md5,sha1,sha256             : {theirs:7.3} s  {:9.0} files/s", files as f64 / theirs);
                    println!("ratio (hashdeep time / threadline time): {:.2}x", theirs / ours);
                }
                None => println!("hashdeep not found: install the Debian package `hashdeep` to get the ratio"),
            }
            let _ = std::fs::remove_dir_all(&d);
        }
        Bench::Keywords(s) => crate::bench_keywords::run(&s)?,
    }
    Ok(())
}
