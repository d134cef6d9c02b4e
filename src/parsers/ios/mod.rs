//! iOS artefact parsers (besides `sms.db`, in `ios_sms`).
//!
//! - [`addressbook`]: `AddressBook.sqlitedb` contacts (formats.md §2.2);
//! - [`callhistory`]: `CallHistory.storedata` and the legacy `call_history.db` (§2.3);
//! - [`whatsapp`]: WhatsApp `ChatStorage.sqlite` (§2.4);
//! - [`safari`]: Safari `History.db`, including iOS 17+ profiles (§2.12).

mod addressbook;
mod callhistory;
mod safari;
mod whatsapp;

use super::Parser;
use super::time::{Stamp, Unit, stamp};

/// The iOS parsers of this module, in dispatch order.
pub fn parsers() -> Vec<&'static dyn Parser> {
    vec![&addressbook::IosAddressBook, &callhistory::IosCallHistory, &whatsapp::IosWhatsApp, &safari::SafariHistory]
}

/// A Cocoa-seconds value (Core Data `Z…DATE`, float or integer) as a stamp; implausible values are
/// flagged by [`stamp`], never reinterpreted.
fn cocoa_s(v: Option<f64>) -> Option<Stamp> {
    stamp(v?, Unit::CocoaS)
}

/// Text without its NUL padding (BLOB values), `None` when nothing but blanks is left. The text
/// itself is kept as stored (no trimming of spaces).
fn nonempty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim_end_matches('\0').to_string()).filter(|s| !s.trim().is_empty())
}
