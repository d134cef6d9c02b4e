//! The case's write lock: one writer process at a time.
//!
//! A lock file beside the case (`<case>.lock`) is locked with an OS file lock (`flock`), which the
//! kernel releases when the holder exits, even after `kill -9`, so a crash never leaves a stale lock.
//! The file's content says who holds it (user, host, process id, since when, what command), so a
//! second process can name the holder in its message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Holds the case's write lock until dropped.
#[derive(Debug)]
pub struct CaseLock {
    file: File,
    path: PathBuf,
}

/// Path of the lock file of a case.
pub fn lock_path(case: &Path) -> PathBuf {
    let mut name = case.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    case.with_file_name(name)
}

impl CaseLock {
    /// Take the write lock of `case`, or fail with [`Error::Locked`] naming the holder.
    pub fn acquire(case: &Path, purpose: &str) -> Result<CaseLock> {
        let path = lock_path(case);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io("opening the lock file", &path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let holder = if holder.is_empty() { "unknown holder".to_string() } else { holder.to_string() };
                return Err(Error::Locked { path: case.to_path_buf(), holder });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io("locking", &path, e)),
        }
        let holder = format!(
            "{} on {}, pid {}, since {}, {}",
            crate::case::current_user(),
            hostname(),
            std::process::id(),
            crate::case::now_rfc3339(),
            purpose
        );
        file.set_len(0).and_then(|_| file.seek(SeekFrom::Start(0))).and_then(|_| file.write_all(holder.as_bytes()))
            .map_err(|e| Error::io("writing the lock file", &path, e))?;
        Ok(CaseLock { file, path })
    }

    /// Where the lock file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for CaseLock {
    fn drop(&mut self) {
        // Clear the holder text, then release. The file itself stays: deleting it while another
        // process waits on it would let two processes hold "the" lock on different inodes.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// This machine's host name, for lock and audit records.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".to_string())
}
