//! Interrupted ingests (`kill -9`, Ctrl-C) resume without duplicate rows, and memory stays flat
//! whatever the size of a file (it is streamed, never loaded).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A folder of many small files, so an ingest takes long enough to be interrupted.
fn many_files(root: &Path, n: usize) {
    for i in 0..n {
        let d = root.join(format!("d{:02}", i / 500));
        if i % 500 == 0 {
            std::fs::create_dir_all(&d).unwrap();
        }
        std::fs::write(d.join(format!("f{i:05}.txt")), format!("file {i} {}", "x".repeat(i % 700))).unwrap();
    }
}

fn committed_files(case: &Path) -> i64 {
    let Ok(c) = rusqlite::Connection::open_with_flags(case, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else { return 0 };
    c.busy_timeout(Duration::from_secs(1)).ok();
    c.query_row("SELECT count(*) FROM files", [], |r| r.get(0)).unwrap_or(0)
}

/// Start an ingest, wait until some rows are committed, then stop it with `signal`.
/// Returns false when the ingest finished before it could be interrupted.
fn interrupt_midway(case: &Path, src: &Path, signal: i32) -> (bool, Option<i32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadline"))
        .arg("ingest")
        .arg(case)
        .arg(src)
        .args(["--threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (false, status.code());
        }
        if committed_files(case) > 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "no commit within two minutes");
        std::thread::sleep(Duration::from_millis(5));
    }
    let rc = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
    assert!(rc.success());
    let status = child.wait().unwrap();
    (true, status.code())
}

fn check_resume(signal: i32) {
    let t = tempfile::tempdir().unwrap();
    let mut n = 20_000;
    let src = t.path().join("tree");
    loop {
        let _ = std::fs::remove_dir_all(&src);
        many_files(&src, n);
        let _ = std::fs::remove_file(t.path().join("t.tlcase"));
        let _ = std::fs::remove_file(t.path().join("t.tlcase-wal"));
        let _ = std::fs::remove_file(t.path().join("t.tlcase-shm"));
        let case = new_case(t.path());
        let (interrupted, code) = interrupt_midway(&case, &src, signal);
        if !interrupted {
            assert!(n < 200_000, "could not interrupt an ingest of {n} files");
            n *= 2;
            continue;
        }
        if signal == 2 {
            assert_eq!(code, Some(130), "Ctrl-C exits 130");
        }
        let status: String = db(&case).query_row("SELECT status FROM sources", [], |r| r.get(0)).unwrap();
        assert_eq!(status, "partial");
        let before = count(&case, "SELECT count(*) FROM files");
        assert!(before > 0);
        if before >= (n + n.div_ceil(500)) as i64 {
            // Every row was already committed when the signal arrived: try a bigger tree.
            assert!(n < 200_000, "could not interrupt an ingest of {n} files");
            n *= 2;
            continue;
        }
        if signal == 2 {
            let why: String = db(&case).query_row("SELECT status_reason FROM sources", [], |r| r.get(0)).unwrap();
            assert!(why.contains("interrupted by the user"), "{why}");
        }
        // Run the same ingest again: it resumes and completes.
        let (code, v, out) = ingest_json(&case, &src, &[]);
        assert_eq!(code, 0, "{out}");
        assert_eq!(v["resumed"], true);
        assert_eq!(v["status"], "complete");
        assert!(v["skipped_already_done"].as_i64().unwrap() >= before, "{v}");
        let dirs = n.div_ceil(500) as i64;
        assert_eq!(count(&case, "SELECT count(*) FROM files"), n as i64 + dirs);
        assert_eq!(count(&case, "SELECT count(*) FROM (SELECT DISTINCT source_id, parent_id, seq FROM files)"), n as i64 + dirs);
        assert_eq!(count(&case, "SELECT count(*) FROM (SELECT path FROM files GROUP BY path HAVING count(*) > 1)"), 0);
        assert_eq!(count(&case, "SELECT count(*) FROM files WHERE kind = 'file' AND sha256 IS NULL"), 0);
        // Identical to a clean, uninterrupted ingest of the same tree.
        let clean_dir = tempfile::tempdir().unwrap();
        let clean = new_case(clean_dir.path());
        assert_eq!(ingest_json(&clean, &src, &[]).0, 0);
        assert_eq!(file_list(&case, 1), file_list(&clean, 1));
        let (code, v) = verify_json(&case);
        assert_eq!(code, 0, "{v}");
        return;
    }
}

#[test]
fn kill_9_midway_then_rerun_gives_a_complete_source_without_duplicates() {
    check_resume(9);
}

#[test]
fn ctrl_c_stops_cleanly_and_leaves_a_resumable_partial_source() {
    check_resume(2);
}

#[test]
fn memory_stays_flat_as_a_file_grows() {
    let t = tempfile::tempdir().unwrap();
    let mut peaks = Vec::new();
    for mib in [16u64, 768] {
        let ev = t.path().join(format!("ev{mib}"));
        std::fs::create_dir_all(&ev).unwrap();
        // A sparse file: reads as zeros, costs no disk.
        std::fs::File::create(ev.join("huge.bin")).unwrap().set_len(mib << 20).unwrap();
        let case = t.path().join(format!("m{mib}.tlcase"));
        assert!(run(&[&"case", &"new", &case, &"--name", &"m", &"--examiner", &"e"]).status.success());
        let mut child = Command::new(env!("CARGO_BIN_EXE_threadline")).arg("ingest").arg(&case).arg(&ev).stdout(Stdio::null()).spawn().unwrap();
        let pid = child.id();
        let mut peak = 0i64;
        loop {
            if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                && let Some(l) = s.lines().find(|l| l.starts_with("VmHWM:"))
            {
                peak = peak.max(l.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0));
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(count(&case, "SELECT count(*) FROM files WHERE path = '/huge.bin' AND sha256 IS NOT NULL"), 1);
        peaks.push(peak);
    }
    // 48 times more data, and the peak grows by less than 24 MiB.
    assert!(peaks[0] > 0 && peaks[1] > 0, "{peaks:?}");
    assert!(peaks[1] - peaks[0] < 24 * 1024, "peak RSS grew from {} KiB to {} KiB", peaks[0], peaks[1]);
}
