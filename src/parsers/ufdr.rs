//! The decoded models of a Cellebrite UFDR's `report.xml` (chats, messages, calls, contacts,
//! locations, web history …), streamed into the case's artefact tables.
//!
//! (First version: recognises UFDR sources; the model reader comes next.)

use super::RunReport;
use crate::case::{Case, SourceInfo};
use crate::error::Result;
use crate::progress::CancelToken;

/// Parser name.
#[allow(dead_code)]
pub const NAME: &str = "ufdr-report";

/// Read the report of a UFDR source into the case; `None` when the source is not a UFDR.
pub(super) fn run_source(_case: &mut Case, _src: &SourceInfo, at: &std::path::Path, _force: bool, _cancel: &CancelToken) -> Result<Option<RunReport>> {
    if crate::vfs::detect(at).ok() != Some(crate::vfs::ContainerKind::Ufdr) {
        return Ok(None);
    }
    Ok(None)
}
