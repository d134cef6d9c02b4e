//! Cellebrite UFDR: a ZIP whose `report.xml` indexes the files it holds.
//!
//! (First version: recognised and walked as a ZIP; the original-path tree and the check of the
//! hashes the report states come next.)

use std::path::Path;

use super::{EntrySink, Limits, WalkOutcome};
use crate::error::Result;
use crate::progress::CancelToken;

/// Is this ZIP a UFDR (a `report.xml` at its root)?
pub fn is_ufdr(path: &Path) -> bool {
    let Ok(f) = std::fs::File::open(path) else { return false };
    let Ok(z) = zip::ZipArchive::new(f) else { return false };
    z.file_names().any(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case("report.xml")))
}

pub(super) fn walk(path: &Path, limits: &Limits, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    super::zip::walk(path, limits, sink, cancel)
}
