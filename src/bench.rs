//! `threadline bench …`: measurements against named peers, run on the same input in the same run,
//! printing ratios. Not tests: nothing here asserts a time.
//!
//! - `hash`: MD5+SHA-1+SHA-256 of one large file on one thread, against
//!   `hashdeep -c md5,sha1,sha256` (Debian package `hashdeep`).
//! - `ingest`: ingest of a folder of many small files into a fresh case, against `hashdeep -r`
//!   computing the same three digests.
//! - `images`: perceptual hashing of 12 MP JPEGs (made from the Debian wallpaper photos that
//!   `samples/fetch-base-images.sh` fetches, see [`images_corpus`]) against czkawka_cli's
//!   similar-image hashing, Python ImageHash and Python pdqhash; also the two JPEG decoders.
//! - `pairs`: all pairs within a PDQ radius among N hashes ([`crate::media::scan`]) against FAISS
//!   `IndexBinaryFlat.range_search` (PyPI `faiss-cpu`), checking that both find the same pairs.
//!
//! Peers are found at `$THREADLINE_CZKAWKA` or `~/.cache/threadline/peers/bin/czkawka_cli`
//! (then `PATH`), and the Python ones in `$THREADLINE_PYTHON` or `~/.cache/threadline/venv`
//! (`./dev.sh bench` installs them there). A missing peer is reported, not fatal.
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
    /// Perceptual hashing of 12 MP JPEGs.
    Images {
        /// How many images (generated once, cached).
        files: usize,
        /// Threads of the multi-threaded comparison (ours and czkawka's `-T`).
        threads: usize,
        /// Runs of each contestant; the best is kept.
        runs: usize,
        /// Corpus folder (default `~/.cache/threadline/bench-images/12mp-v1`).
        dir: Option<PathBuf>,
    },
    /// All pairs within a radius among PDQ hashes.
    Pairs {
        /// How many hashes.
        n: usize,
        /// Hamming radius (inclusive).
        radius: u32,
        /// Threads, for both.
        threads: usize,
        /// Runs of each contestant; the best is kept.
        runs: usize,
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

/// CPU time (user + system, seconds) used so far by this process (all its threads) and by its
/// waited-for children, from `/proc/self/stat` (Linux; clock ticks of 1/100 s). `(0, 0)` where
/// that file does not exist.
fn cpu_times() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return (0.0, 0.0) };
    // Fields after the command name in parentheses: state is field 3, utime 14 … cstime 17.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest.split_whitespace().map(|x| x.parse::<f64>().unwrap_or(0.0)).collect();
    let tick = |i: usize| f.get(i).copied().unwrap_or(0.0) / 100.0;
    (tick(11) + tick(12), tick(13) + tick(14))
}

/// Wall-clock and CPU seconds of one measurement (best of several: each minimum on its own).
#[derive(Debug, Clone, Copy)]
struct Timing {
    wall: f64,
    cpu: f64,
}

impl Timing {
    const NONE: Timing = Timing { wall: f64::MAX, cpu: f64::MAX };
    fn min(self, o: Timing) -> Timing {
        Timing { wall: self.wall.min(o.wall), cpu: self.cpu.min(o.cpu) }
    }
}

/// [`time_cmd`] with the child's CPU time.
fn time_child(cmd: &mut Command) -> Result<Timing> {
    let (_, c0) = cpu_times();
    let wall = time_cmd(cmd)?;
    let (_, c1) = cpu_times();
    Ok(Timing { wall, cpu: c1 - c0 })
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
        Bench::Images { files, threads, runs, dir } => images::run(files, threads.max(1), runs.max(1), dir)?,
        Bench::Pairs { n, radius, threads, runs } => pairs::run(n, radius, threads.max(1), runs.max(1))?,
        Bench::Keywords(s) => crate::bench_keywords::run(&s)?,
    }
    Ok(())
}

pub use images::corpus as images_corpus;

/// Default number of threads for the multi-threaded comparisons: every core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

fn home_cache() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cache/threadline"))
        .ok_or_else(|| Error::InvalidArgument("HOME is not set: cannot find the benchmark cache".into()))
}

/// The Python of the peers: `$THREADLINE_PYTHON`, else the venv `./dev.sh` makes, else `python3`.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("THREADLINE_PYTHON") {
        return PathBuf::from(p);
    }
    match home_cache() {
        Ok(c) if c.join("venv/bin/python").exists() => c.join("venv/bin/python"),
        _ => PathBuf::from("python3"),
    }
}

/// Run a Python script with one thread for every math library; its stdout, trimmed.
fn run_python(script: &Path, args: &[String]) -> Result<String> {
    let py = python();
    let out = Command::new(&py)
        .arg(script)
        .args(args)
        .env("OMP_NUM_THREADS", "1")
        .env("OPENBLAS_NUM_THREADS", "1")
        .env("MKL_NUM_THREADS", "1")
        .output()
        .map_err(|e| Error::io("running", &py, e))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or("").to_string();
        return Err(Error::InvalidArgument(format!("{} {}: {last}", py.display(), script.display())));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn verdict(ratio: f64, goal: f64) -> &'static str {
    if ratio >= goal { "met" } else { "NOT MET" }
}

/// `bench images`.
mod images {
    use std::hint::black_box;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::Instant;

    use image::RgbImage;
    use rayon::prelude::*;

    use super::{Timing, cpu_times, home_cache, run_python, time_child, verdict};
    use crate::error::{Error, Result};
    use crate::media::decode::{self, JpegBackend};
    use crate::media::{hashes, pass, pdq};

    /// Corpus recipe version: bump when the recipe changes (the cache folder name carries it).
    const RECIPE: &str = "12mp-v1";
    const W: u32 = 4000;
    const H: u32 = 3000;
    const QUALITY: i32 = 92;

    const PY: &str = r#"
import sys, time
mode, runs, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
if mode == "versions":
    import importlib.metadata as md
    print(" ".join(f"{p}={md.version(p)}" for p in ("ImageHash", "pdqhash", "pillow", "numpy")))
    sys.exit(0)
from PIL import Image
import numpy as np
import imagehash, pdqhash
def one(f):
    if mode == "imagehash":
        return imagehash.phash(Image.open(f))
    if mode == "imagehash-draft":
        im = Image.open(f)
        im.draft("L", (im.width // 8, im.height // 8))
        return imagehash.phash(im)
    if mode == "pdqhash":
        return pdqhash.compute(np.asarray(Image.open(f).convert("RGB")))
    raise SystemExit("unknown mode " + mode)
best, best_cpu = float("inf"), float("inf")
for _ in range(runs):
    t, c = time.perf_counter(), time.process_time()
    for f in files:
        one(f)
    best = min(best, time.perf_counter() - t)
    best_cpu = min(best_cpu, time.process_time() - c)
print(f"{best:.6f} {best_cpu:.6f}")
"#;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// The corpus folder: `dir`, else `$THREADLINE_BENCH_IMAGES`, else the cache.
    fn corpus_dir(dir: Option<PathBuf>) -> Result<PathBuf> {
        if let Some(d) = dir.or_else(|| std::env::var_os("THREADLINE_BENCH_IMAGES").map(PathBuf::from)) {
            return Ok(d);
        }
        Ok(home_cache()?.join("bench-images").join(RECIPE))
    }

    fn load_bases() -> Result<Vec<RgbImage>> {
        let dir = crate::samples::images::default_dir().ok_or_else(|| {
            Error::InvalidArgument("no base photos: run samples/fetch-base-images.sh first (it fills ~/.cache/threadline/base-images)".into())
        })?;
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| Error::io("listing", &dir, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "jpg" || x == "png"))
            .collect();
        names.sort();
        let mut bases = Vec::new();
        for p in names {
            let bytes = std::fs::read(&p).map_err(|e| Error::io("reading", &p, e))?;
            let img = image::load_from_memory(&bytes).map_err(|e| Error::InvalidArgument(format!("{}: {e}", p.display())))?.to_rgb8();
            // Photographs big enough to stand a 12 MP upscale (the wallpapers, not the small samples).
            if img.width() >= 1200 && img.height() >= 900 {
                bases.push(img);
            }
        }
        if bases.is_empty() {
            return Err(Error::InvalidArgument(format!("no base photo of at least 1200×900 in {}", dir.display())));
        }
        Ok(bases)
    }

    /// One corpus image: a random 4:3 crop (70–100 % of the photo's width) of base photo
    /// `i mod bases`, resized to 4000×3000 (Catmull-Rom), every third one mirrored, noise of
    /// σ ≈ 4 grey levels added to every channel (sensor noise: without it an upscaled wallpaper
    /// decodes unrealistically fast), encoded baseline 4:2:0 at quality 92 by libjpeg-turbo.
    fn make_one(bases: &[RgbImage], i: usize) -> Result<Vec<u8>> {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ ((i as u64 + 1) * 0xD1B5_4A32_D192_ED03));
        let base = &bases[i % bases.len()];
        let (bw, bh) = (f64::from(base.width()), f64::from(base.height()));
        let mut cw = bw * (0.7 + 0.3 * r.unit());
        let mut ch = cw * 0.75;
        if ch > bh {
            ch = bh;
            cw = ch / 0.75;
        }
        let x = ((bw - cw) * r.unit()) as u32;
        let y = ((bh - ch) * r.unit()) as u32;
        let crop = image::imageops::crop_imm(base, x, y, cw as u32, ch as u32).to_image();
        let mut img = image::imageops::resize(&crop, W, H, image::imageops::FilterType::CatmullRom);
        if i.is_multiple_of(3) {
            image::imageops::flip_horizontal_in_place(&mut img);
        }
        // Irwin–Hall noise: the sum of 4 uniform bytes has σ ≈ 147.8; × 111/4096 gives σ ≈ 4.
        for px in img.as_mut().chunks_mut(2) {
            let v = r.next();
            for (k, p) in px.iter_mut().enumerate() {
                let b = v >> (32 * k);
                let s = (b & 0xff) + ((b >> 8) & 0xff) + ((b >> 16) & 0xff) + ((b >> 24) & 0xff);
                let noise = ((s as i32 - 510) * 111) >> 12;
                *p = (i32::from(*p) + noise).clamp(0, 255) as u8;
            }
        }
        let tj = turbojpeg::Image { pixels: img.as_raw().as_slice(), width: W as usize, pitch: 3 * W as usize, height: H as usize, format: turbojpeg::PixelFormat::RGB };
        turbojpeg::compress(tj, QUALITY, turbojpeg::Subsamp::Sub2x2).map(|b| b.to_vec()).map_err(|e| Error::Internal(format!("encoding bench image {i}: {e}")))
    }

    /// The first `files` images of the corpus in `dir` (see [`corpus_dir`]), made on first use
    /// from the base photos (see `make_one`). Returns their paths.
    pub fn corpus(files: usize, dir: Option<PathBuf>) -> Result<Vec<PathBuf>> {
        let dir = corpus_dir(dir)?;
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
        let paths: Vec<PathBuf> = (0..files).map(|i| dir.join(format!("img-{i:05}.jpg"))).collect();
        let missing: Vec<usize> = (0..files).filter(|&i| std::fs::metadata(&paths[i]).map(|m| m.len() == 0).unwrap_or(true)).collect();
        if !missing.is_empty() {
            eprintln!("making {} of {files} 12 MP JPEGs in {} (once; cached)", missing.len(), dir.display());
            let bases = load_bases()?;
            missing.par_iter().try_for_each(|&i| -> Result<()> {
                let bytes = make_one(&bases, i)?;
                let tmp = paths[i].with_extension("jpg.part");
                std::fs::write(&tmp, &bytes).map_err(|e| Error::io("writing", &tmp, e))?;
                std::fs::rename(&tmp, &paths[i]).map_err(|e| Error::io("renaming", &tmp, e))
            })?;
            let readme = dir.join("README.txt");
            let text = format!(
                "Threadline benchmark corpus ({RECIPE}): {W}x{H} JPEGs, baseline 4:2:0, quality {QUALITY} (libjpeg-turbo),\n\
                 each a random 4:3 crop of a Debian wallpaper photo (samples/fetch-base-images.sh), Catmull-Rom upscale,\n\
                 every third mirrored, noise sigma ~4 added. Made by `threadline bench images`; safe to delete.\n"
            );
            std::fs::write(&readme, text).map_err(|e| Error::io("writing", &readme, e))?;
        }
        Ok(paths)
    }

    fn read(p: &Path) -> Result<Vec<u8>> {
        std::fs::read(p).map_err(|e| Error::io("reading", p, e))
    }

    fn bad(p: &Path, e: impl std::fmt::Display) -> Error {
        Error::InvalidArgument(format!("{}: {e}", p.display()))
    }

    fn best_of(runs: usize, mut f: impl FnMut() -> Result<()>) -> Result<Timing> {
        let mut best = Timing::NONE;
        for _ in 0..runs {
            let (c0, _) = cpu_times();
            let t = Instant::now();
            f()?;
            let wall = t.elapsed().as_secs_f64();
            best = best.min(Timing { wall, cpu: cpu_times().0 - c0 });
        }
        Ok(best)
    }

    fn pool(threads: usize) -> Result<rayon::ThreadPool> {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| Error::Internal(format!("thread pool: {e}")))
    }

    /// Read, decode (chosen JPEG decoder) and nothing else, 1 thread.
    fn decode_only(paths: &[PathBuf], backend: JpegBackend) -> Result<()> {
        for p in paths {
            let d = decode::decode_small_with(&read(p)?, backend).map_err(|e| bad(p, e))?;
            black_box(d.rgb.as_raw().len());
        }
        Ok(())
    }

    /// Read, decode, dHash + pHash, 1 thread (what czkawka and ImageHash compute: one perceptual
    /// hash; we compute two).
    fn perceptual(paths: &[PathBuf]) -> Result<()> {
        for p in paths {
            let d = decode::decode_small(&read(p)?).map_err(|e| bad(p, e))?;
            black_box(hashes::dhash_phash(&d.rgb));
        }
        Ok(())
    }

    /// Read, decode, PDQ + quality, 1 thread.
    fn pdq_only(paths: &[PathBuf]) -> Result<()> {
        for p in paths {
            let d = decode::decode_small(&read(p)?).map_err(|e| bad(p, e))?;
            let (w, h) = (d.rgb.width() as usize, d.rgb.height() as usize);
            black_box(pdq::pdq_from_rgb8(d.rgb.as_raw(), w, h).map_err(|e| bad(p, e))?);
        }
        Ok(())
    }

    /// The image pass's work per file: read once, MD5 + SHA-1 + SHA-256, then
    /// [`pass::hash_bytes`] (decode on a decoder thread with the time limit, dHash, pHash, PDQ +
    /// quality and its variants), on `pool`.
    fn full_stage(paths: &[PathBuf], pool: &rayon::ThreadPool) -> Result<()> {
        pool.install(|| {
            paths.par_iter().try_for_each(|p| -> Result<()> {
                let bytes = read(p)?;
                let mut h = crate::ingest::hasher::MultiHasher::new();
                h.update(&bytes);
                black_box(h.finish());
                match pass::hash_bytes(bytes, decode::DEFAULT_TIMEOUT) {
                    pass::Outcome::Ok(x, t) => {
                        black_box(t);
                        black_box(x);
                        Ok(())
                    }
                    pass::Outcome::Failed(status, reason) => Err(bad(p, format!("{status}: {reason}"))),
                }
            })
        })
    }

    fn czkawka() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("THREADLINE_CZKAWKA") {
            return Some(PathBuf::from(p));
        }
        if let Ok(c) = home_cache() {
            let p = c.join("peers/bin/czkawka_cli");
            if p.exists() {
                return Some(p);
            }
        }
        let p = PathBuf::from("czkawka_cli");
        Command::new(&p).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().ok().filter(|s| s.success()).map(|_| p)
    }

    /// czkawka_cli's similar-image search over `dir` with `threads` threads and its hash cache
    /// off (`-H`), so every run reads, decodes and hashes every image; results and messages not
    /// printed (`-N -M`); found groups not turned into an error exit code (`-W`). Its defaults
    /// otherwise: gradient hash of 16×16, nearest-neighbour resize, max difference 5. Per image it
    /// decodes the full 12 MP with the `image` crate, then `image_hasher` resizes that to 16×16.
    fn czkawka_args(dir: &Path, threads: usize) -> Vec<String> {
        ["image", "-d", &dir.display().to_string(), "-T", &threads.to_string(), "-H", "-N", "-M", "-W"].iter().map(|s| s.to_string()).collect()
    }

    fn line(what: &str, t: Timing, n: usize) {
        println!("  {what:<62} {:8.3} s {:7.2} img/s | cpu {:8.3} s", t.wall, n as f64 / t.wall, t.cpu);
    }

    pub(super) fn run(files: usize, threads: usize, runs: usize, dir: Option<PathBuf>) -> Result<()> {
        let all = corpus(files, dir)?;
        // The peers take folders: give them (and us) a folder with exactly these files.
        let work = home_cache()?.join("bench-images").join(format!("run-{}", std::process::id()));
        let input = work.join("input");
        std::fs::create_dir_all(&input).map_err(|e| Error::io("creating", &input, e))?;
        let mut paths = Vec::with_capacity(all.len());
        let mut bytes = 0u64;
        for p in &all {
            let name = p.file_name().ok_or_else(|| bad(p, "no file name"))?;
            let q = input.join(name);
            if std::fs::hard_link(p, &q).is_err() {
                std::fs::copy(p, &q).map_err(|e| Error::io("copying", p, e))?;
            }
            bytes += std::fs::metadata(&q).map_err(|e| Error::io("reading", &q, e))?.len();
            paths.push(q);
        }
        let result = measure(&paths, &input, &work, bytes, threads, runs);
        let _ = std::fs::remove_dir_all(&work);
        result
    }

    fn measure(paths: &[PathBuf], input: &Path, work: &Path, bytes: u64, threads: usize, runs: usize) -> Result<()> {
        let n = paths.len();
        // Warm the page cache (and check every image decodes).
        decode_only(paths, JpegBackend::Turbo)?;
        println!(
            "corpus: {n} JPEGs {W}x{H} (baseline 4:2:0, q{QUALITY}, noise), mean {:.2} MB, in {} (page cache warm); best of {runs}",
            bytes as f64 / n as f64 / 1e6,
            input.display()
        );
        println!("{:<64} {:>8}   {:>13} | {:>12}", "", "wall", "", "cpu (user+sys)");
        println!("threadline (this build):");
        let one = pool(1)?;
        let on_one = |f: &(dyn Fn() -> Result<()> + Sync)| -> Result<Timing> { one.install(|| best_of(runs, f)) };
        let dec_turbo = on_one(&|| decode_only(paths, JpegBackend::Turbo))?;
        line("decode only, libjpeg-turbo 1/8 scale -> RGB, 1 thread", dec_turbo, n);
        let dec_dc = on_one(&|| decode_only(paths, JpegBackend::Dc))?;
        line("decode only, threadline DC decoder 1/8 -> RGB, 1 thread", dec_dc, n);
        let dec_rust = on_one(&|| decode_only(paths, JpegBackend::Rust))?;
        line("decode only, jpeg-decoder 1/8 scale -> RGB, 1 thread", dec_rust, n);
        let ours_ph = on_one(&|| perceptual(paths))?;
        line("read + decode + dHash + pHash, 1 thread", ours_ph, n);
        let ours_pdq = on_one(&|| pdq_only(paths))?;
        line("read + decode + PDQ, 1 thread", ours_pdq, n);
        let full1 = best_of(runs, || full_stage(paths, &one))?;
        line("full stage (3 digests + decode + dHash/pHash/PDQ), 1 thread", full1, n);
        let many = pool(threads)?;
        let full_n = best_of(runs, || full_stage(paths, &many))?;
        line(&format!("full stage, {threads} threads"), full_n, n);
        println!(
            "  (decode: libjpeg-turbo is {:.2}x as fast as jpeg-decoder; the DC decoder {:.2}x as fast as libjpeg-turbo, {:.2} vs {:.2} ms/image; wall)",
            dec_rust.wall / dec_turbo.wall,
            dec_turbo.wall / dec_dc.wall,
            dec_dc.wall * 1e3 / n as f64,
            dec_turbo.wall * 1e3 / n as f64
        );

        println!("peers:");
        let mut czk1 = None;
        let mut czk_n = None;
        match czkawka() {
            Some(bin) => {
                let version = Command::new(&bin).arg("--version").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("").trim().to_string()).unwrap_or_default();
                // Start-up and walk of an empty folder: subtracted, so only its hashing is timed.
                let empty = work.join("empty");
                std::fs::create_dir_all(&empty).map_err(|e| Error::io("creating", &empty, e))?;
                let mut idle = Timing::NONE;
                for _ in 0..runs {
                    idle = idle.min(time_child(Command::new(&bin).args(czkawka_args(&empty, 1)).stdout(Stdio::null()))?);
                }
                println!("  {version}: start-up on an empty folder {:.3} s wall, {:.3} s cpu (subtracted below)", idle.wall, idle.cpu);
                for (t, slot) in [(1usize, &mut czk1), (threads, &mut czk_n)] {
                    let mut best = Timing::NONE;
                    for _ in 0..runs {
                        let r = time_child(Command::new(&bin).args(czkawka_args(input, t)).stdout(Stdio::null()))?;
                        best = best.min(Timing { wall: r.wall - idle.wall, cpu: r.cpu - idle.cpu });
                    }
                    line(&format!("czkawka_cli image -T {t} -H -N -M -W (Gradient 16, Nearest)"), best, n);
                    *slot = Some(best);
                }
            }
            None => println!("  czkawka_cli not found: `./dev.sh bench` installs it into ~/.cache/threadline/peers"),
        }
        let script = work.join("peers.py");
        std::fs::write(&script, PY).map_err(|e| Error::io("writing", &script, e))?;
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let py = |mode: &str| -> Option<Timing> {
            let mut args = vec![mode.to_string(), runs.to_string()];
            args.extend(names.iter().cloned());
            let parsed = run_python(&script, &args).and_then(|s| {
                let v: Vec<f64> = s.split_whitespace().filter_map(|x| x.parse().ok()).collect();
                match v[..] {
                    [wall, cpu] => Ok(Timing { wall, cpu }),
                    _ => Err(Error::InvalidArgument(format!("peer output {s:?}"))),
                }
            });
            match parsed {
                Ok(t) => Some(t),
                Err(e) => {
                    println!("  python peer {mode} not available: {e}");
                    None
                }
            }
        };
        if let Ok(v) = run_python(&script, &["versions".to_string(), "1".to_string()]) {
            println!("  python peers: {v}");
        }
        let ih = py("imagehash");
        if let Some(t) = ih {
            line("ImageHash imagehash.phash(Image.open(f)), 1 thread", t, n);
        }
        let ih_draft = py("imagehash-draft");
        if let Some(t) = ih_draft {
            line("ImageHash phash after Pillow draft('L', 1/8), 1 thread", t, n);
        }
        let pq = py("pdqhash");
        if let Some(t) = pq {
            line("pdqhash.compute(full RGB decode by Pillow), 1 thread", t, n);
        }

        println!("ratios (peer time / threadline time; the goal is judged on wall time):");
        let ratio = |label: &str, peer: Option<Timing>, ours: Timing, goal: Option<f64>| match peer {
            Some(p) => {
                let (w, c) = (p.wall / ours.wall, p.cpu / ours.cpu);
                let g = goal.map(|g| format!("  (goal >= {g}x: {})", verdict(w, g))).unwrap_or_default();
                println!("  {label:<66} {w:6.2}x wall  {c:6.2}x cpu{g}");
            }
            None => println!("  {label:<66}   n/a (peer missing)"),
        };
        ratio("czkawka -T 1 / dHash+pHash, 1 thread", czk1, ours_ph, Some(6.0));
        ratio(&format!("czkawka -T {threads} / full stage, {threads} threads"), czk_n, full_n, Some(4.5));
        ratio("ImageHash phash / dHash+pHash, 1 thread", ih, ours_ph, Some(3.0));
        ratio("ImageHash phash with draft() / dHash+pHash, 1 thread (parity)", ih_draft, ours_ph, None);
        ratio("pdqhash on full decode / PDQ, 1 thread", pq, ours_pdq, Some(15.0));
        ratio("czkawka -T 1 / full stage, 1 thread", czk1, full1, None);
        Ok(())
    }
}

/// `bench pairs`.
mod pairs {
    use std::path::PathBuf;
    use std::time::Instant;

    use super::{home_cache, run_python, verdict};
    use crate::error::{Error, Result};
    use crate::media::scan::{self, Hash256, Kernel, Pair};

    const PY: &str = r#"
import sys, time
import numpy as np, faiss
path, radius, threads, runs, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
faiss.omp_set_num_threads(threads)
x = np.fromfile(path, dtype=np.uint8).reshape(-1, 32)
best = float("inf")
for _ in range(runs):
    t = time.perf_counter()
    index = faiss.IndexBinaryFlat(256)
    index.add(x)
    # range_search keeps distances strictly below its radius.
    lims, D, I = index.range_search(x, radius + 1)
    best = min(best, time.perf_counter() - t)
q = np.repeat(np.arange(x.shape[0], dtype=np.int64), np.diff(lims.astype(np.int64)))
m = q < I
np.stack([q[m], I[m], D[m]], axis=1).astype(np.uint32).tofile(out)
print(f"{best:.6f} {faiss.__version__}")
"#;

    /// `n` xorshift-random hashes; every fifth is instead a copy of an earlier one with 0–40
    /// random bits flipped (so some near-duplicates fall inside a radius of 31, some outside).
    pub(super) fn data(n: usize) -> Vec<Hash256> {
        let mut s = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut v: Vec<Hash256> = Vec::with_capacity(n);
        for i in 0..n {
            if i > 0 && i % 5 == 0 {
                let mut h = v[(next() as usize) % i];
                for _ in 0..(next() % 41) {
                    let bit = (next() % 256) as usize;
                    h[bit / 64] ^= 1 << (bit % 64);
                }
                v.push(h);
            } else {
                v.push([next(), next(), next(), next()]);
            }
        }
        v
    }

    /// Best time of `runs` (at least one) calls, and the last result.
    fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
        let t = Instant::now();
        let mut last = f();
        let mut best = t.elapsed().as_secs_f64();
        for _ in 1..runs {
            let t = Instant::now();
            last = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        (best, last)
    }

    pub(super) fn run(n: usize, radius: u32, threads: usize, runs: usize) -> Result<()> {
        let h = data(n);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| Error::Internal(format!("thread pool: {e}")))?;
        let cmp_half = n as f64 * (n as f64 - 1.0) / 2.0;
        let cmp_full = n as f64 * n as f64;
        let k = Kernel::detect();
        println!("{n} random 256-bit hashes (1 in 5 a near copy of an earlier one, 0-40 bits flipped); radius <= {radius}; {threads} threads; best of {runs}");
        let (ours, pairs) = pool.install(|| best_of(runs, || scan::pairs_within(&h, radius)));
        println!("  threadline pairs_within ({}, i<j: {:.2e} cmp)        {ours:8.3} s  {:6.2} G cmp/s  {} pairs", k.name(), cmp_half, cmp_half / ours / 1e9, pairs.len());
        let (square, _) = pool.install(|| best_of(runs, || scan::range_search(&h, &h, radius).len()));
        println!("  threadline range_search(all, all) ({:.2e} cmp, as FAISS) {square:8.3} s  {:6.2} G cmp/s", cmp_full, cmp_full / square / 1e9);
        for other in Kernel::available().into_iter().filter(|&o| o != k) {
            let (t, p) = pool.install(|| best_of(1, || scan::pairs_within_with(other, &h, radius)));
            let same = if p == pairs { "same pairs" } else { "DIFFERENT PAIRS" };
            println!("  threadline pairs_within, kernel {:<16} (1 run)          {t:8.3} s  {:6.2} G cmp/s  {same}", other.name(), cmp_half / t / 1e9);
        }
        let work = home_cache()?.join(format!("bench-pairs-{}", std::process::id()));
        std::fs::create_dir_all(&work).map_err(|e| Error::io("creating", &work, e))?;
        let result = faiss(&work, &h, radius, threads, runs, &pairs, ours, square);
        let _ = std::fs::remove_dir_all(&work);
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn faiss(work: &std::path::Path, h: &[Hash256], radius: u32, threads: usize, runs: usize, pairs: &[Pair], ours: f64, square: f64) -> Result<()> {
        let input: PathBuf = work.join("hashes.bin");
        let bytes: Vec<u8> = h.iter().flat_map(scan::hash256_to_bytes).collect();
        std::fs::write(&input, &bytes).map_err(|e| Error::io("writing", &input, e))?;
        let script = work.join("faiss_pairs.py");
        std::fs::write(&script, PY).map_err(|e| Error::io("writing", &script, e))?;
        let out = work.join("faiss-pairs.bin");
        let args = [input.display().to_string(), radius.to_string(), threads.to_string(), runs.to_string(), out.display().to_string()];
        let printed = match run_python(&script, &args) {
            Ok(s) => s,
            Err(e) => {
                println!("  FAISS not available ({e}): `./dev.sh bench` installs faiss-cpu into ~/.cache/threadline/venv");
                return Ok(());
            }
        };
        let mut it = printed.split_whitespace();
        let theirs: f64 = it.next().and_then(|t| t.parse().ok()).ok_or_else(|| Error::InvalidArgument(format!("FAISS script printed {printed:?}")))?;
        let version = it.next().unwrap_or("?");
        let raw = std::fs::read(&out).map_err(|e| Error::io("reading", &out, e))?;
        let mut fp: Vec<Pair> = raw
            .chunks_exact(12)
            .map(|c| {
                let w = |k: usize| u32::from_le_bytes([c[4 * k], c[4 * k + 1], c[4 * k + 2], c[4 * k + 3]]);
                (w(0), w(1), w(2) as u16)
            })
            .collect();
        fp.sort_unstable();
        println!("  FAISS {version} IndexBinaryFlat add + range_search(all, all)        {theirs:8.3} s  {} pairs", fp.len());
        let agree = fp.as_slice() == pairs;
        if agree {
            println!("  pair sets agree: yes ({} pairs, same distances)", pairs.len());
        } else {
            let first = fp.iter().zip(pairs).find(|(a, b)| a != b);
            println!("  pair sets agree: NO (FAISS {} vs threadline {}; first difference {first:?})", fp.len(), pairs.len());
        }
        println!("ratios (FAISS time / threadline time):");
        println!("  all pairs (ours i<j, FAISS every ordered pair)   {:6.2}x  (goal >= 1.5x: {})", theirs / ours, verdict(theirs / ours, 1.5));
        println!("  same work (ours range_search all vs all)          {:6.2}x", theirs / square);
        if !agree {
            return Err(Error::Internal("FAISS and threadline found different pairs".into()));
        }
        Ok(())
    }
}
