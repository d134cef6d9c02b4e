//! Android artefact parsers.

use super::Parser;

/// The Android parsers of this module, in dispatch order.
pub fn parsers() -> Vec<&'static dyn Parser> {
    Vec::new()
}
