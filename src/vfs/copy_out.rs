//! Copy chosen entries of a container out to files (for databases to parse, archives to expand):
//! one walk of the container, whatever its kind, reading only the wanted entries.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Content, ContainerKind, Entry, EntrySink, Issue, Limits};
use crate::error::{Error, Result};
use crate::progress::CancelToken;

struct CopySink<'a> {
    wanted: &'a HashMap<u64, PathBuf>,
    problems: Vec<String>,
}

impl EntrySink for CopySink<'_> {
    fn already_done(&self, seq: u64) -> bool {
        !self.wanted.contains_key(&seq)
    }
    fn issue(&mut self, _issue: Issue) {}
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()> {
        let Some(dest) = self.wanted.get(&entry.seq) else { return Ok(()) };
        let copy = |r: &mut dyn Read| -> std::io::Result<()> {
            let mut out = std::fs::File::create(dest)?;
            std::io::copy(r, &mut out)?;
            Ok(())
        };
        let result = match content {
            Content::Stream(r) => copy(r),
            Content::Deferred(o) => o.with_reader(&mut |r| copy(r)),
            Content::None(why) => Err(std::io::Error::other(why.unwrap_or_else(|| "no content".into()))),
        };
        if let Err(e) = result {
            let _ = std::fs::remove_file(dest);
            self.problems.push(format!("'{}': {e}", entry.raw_path));
        }
        Ok(())
    }
}

/// Copy the entries `wanted` (sequence number → destination file) out of the container at `path`.
/// Returns one sentence per entry that could not be copied (a damaged container adds its reason);
/// only cancellation is an error.
pub fn copy_out(path: &Path, kind: ContainerKind, limits: &Limits, wanted: &HashMap<u64, PathBuf>, cancel: &CancelToken) -> Result<Vec<String>> {
    let mut sink = CopySink { wanted, problems: Vec::new() };
    match super::walk(path, kind, limits, &mut sink, cancel) {
        Ok(out) => {
            if let Some(d) = out.damaged {
                sink.problems.push(d);
            }
        }
        Err(Error::Cancelled) => return Err(Error::Cancelled),
        Err(e) => sink.problems.push(e.to_string()),
    }
    Ok(sink.problems)
}
