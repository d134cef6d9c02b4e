//! iOS artefact parsers (besides `sms.db`, in `ios_sms`).

use super::Parser;

/// The iOS parsers of this module, in dispatch order.
pub fn parsers() -> Vec<&'static dyn Parser> {
    Vec::new()
}
