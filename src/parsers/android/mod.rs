//! Android artefact parsers (and the Chromium-family `History` parser, which serves Android,
//! iOS and desktop paths alike).
//!
//! | Parser | Files | Reads |
//! |---|---|---|
//! | `android-sms` | `mmssms.db` | `sms` (+ Samsung `spam_sms`), `pdu`/`addr`/`part`, `threads`/`canonical_addresses` |
//! | `android-contacts` | `contacts2.db` | `raw_contacts` + `data` + `mimetypes` (+ `accounts`, `groups`) |
//! | `android-calllog` | `calllog.db`, `contacts2.db` (Android < 7) | `calls` |
//! | `android-whatsapp` | `msgstore.db` | new (`message`, `chat`, `jid` …, `call_log`) and legacy (`messages`, `chat_list`) schemas |
//! | `android-whatsapp-contacts` | `wa.db` | `wa_contacts` (+ `wa_vnames`) |
//! | `chromium-history` | Chromium-family `History` | `visits` ⋈ `urls` |
//! | `telegram` | `cache4.db` | `users`, `user_contacts_v7`, `dialogs`/`chats`, `messages_v2` (TL blobs, partly decoded) |

mod calllog;
mod chromium;
mod contacts;
mod sms;
mod telegram;
mod wa_contacts;
mod whatsapp;

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::Parser;
use super::sqlite::as_text;

/// The Android parsers of this module, in dispatch order.
pub fn parsers() -> Vec<&'static dyn Parser> {
    vec![
        &sms::AndroidSms,
        &contacts::AndroidContacts,
        &calllog::AndroidCallLog,
        &whatsapp::AndroidWhatsApp,
        &wa_contacts::WhatsAppContacts,
        &chromium::ChromiumHistory,
        &telegram::Telegram,
    ]
}

/// Text of a value, `None` for NULL and for the empty string.
fn text(v: ValueRef<'_>) -> Option<String> {
    as_text(v).filter(|s| !s.is_empty())
}

/// Rows of a table (0 when it cannot be counted).
fn row_count(db: &Connection, table: &str) -> i64 {
    db.query_row(&format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\"")), [], |r| r.get::<_, i64>(0)).unwrap_or(0)
}

/// Does the table have this column (ASCII case-insensitive)?
fn has_col(cols: &[String], col: &str) -> bool {
    cols.iter().any(|c| c.eq_ignore_ascii_case(col))
}

/// Join the non-empty parts with `sep`; `None` when nothing is left.
fn join_some(parts: &[Option<String>], sep: &str) -> Option<String> {
    let v: Vec<&str> = parts.iter().flatten().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    (!v.is_empty()).then(|| v.join(sep))
}

/// A device path of shared storage as the VFS names it: `/storage/emulated/<N>/…`, `/sdcard/…` and
/// `/mnt/sdcard/…` are `/data/media/<N>/…` in a full-file-system extraction (formats.md §1.5).
fn shared_storage_path(p: &str) -> String {
    if let Some(rest) = p.strip_prefix("/storage/emulated/") {
        return format!("/data/media/{rest}");
    }
    for prefix in ["/sdcard/", "/mnt/sdcard/", "/storage/self/primary/"] {
        if let Some(rest) = p.strip_prefix(prefix) {
            return format!("/data/media/0/{rest}");
        }
    }
    p.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parsers::glob_match;

    #[test]
    fn shared_storage_paths_are_virtual_paths() {
        assert_eq!(shared_storage_path("/storage/emulated/0/WhatsApp/Media/a.jpg"), "/data/media/0/WhatsApp/Media/a.jpg");
        assert_eq!(shared_storage_path("/sdcard/DCIM/x.jpg"), "/data/media/0/DCIM/x.jpg");
        assert_eq!(shared_storage_path("/data/user_de/0/com.android.providers.telephony/app_parts/PART_1"), "/data/user_de/0/com.android.providers.telephony/app_parts/PART_1");
    }

    #[test]
    fn every_android_parser_claims_its_files_and_nothing_near_them() {
        let claims = |path: &str| -> Vec<&'static str> { parsers().into_iter().filter(|p| p.patterns().iter().any(|pat| glob_match(pat, path))).map(|p| p.name()).collect() };
        assert_eq!(claims("/data/data/com.android.providers.telephony/databases/mmssms.db"), ["android-sms"]);
        assert_eq!(claims("/data/user_de/0/com.android.providers.telephony/databases/mmssms.db"), ["android-sms"]);
        assert!(claims("/data/data/com.android.providers.telephony/databases/mmssms.db-wal").is_empty());
        assert_eq!(claims("/data/data/com.android.providers.contacts/databases/contacts2.db"), ["android-contacts", "android-calllog"]);
        assert_eq!(claims("/data/data/com.samsung.android.providers.contacts/databases/contacts2.db"), ["android-contacts", "android-calllog"]);
        assert_eq!(claims("/data/data/com.android.providers.contacts/databases/calllog.db"), ["android-calllog"]);
        assert_eq!(claims("/data/data/com.whatsapp/databases/msgstore.db"), ["android-whatsapp"]);
        assert_eq!(claims("/data/data/com.whatsapp.w4b/databases/msgstore.db"), ["android-whatsapp"]);
        assert_eq!(claims("/data/data/com.whatsapp/databases/wa.db"), ["android-whatsapp-contacts"]);
        assert!(claims("/data/data/com.whatsapp/databases/msgstore.db-journal").is_empty());
        assert_eq!(claims("/data/data/org.telegram.messenger/files/cache4.db"), ["telegram"]);
        assert_eq!(claims("/data/data/org.telegram.messenger/files/account2/cache4.db"), ["telegram"]);
        for p in [
            "/data/data/com.android.chrome/app_chrome/Default/History",
            "/data/data/com.sec.android.app.sbrowser/app_sbrowser/Default/History",
            "/data/data/com.facebook.katana/app_webview/Default/History",
            "/Users/s/AppData/Local/Google/Chrome/User Data/Default/History",
            "/Users/s/AppData/Local/Google/Chrome/User Data/Profile 1/History",
            "/Users/s/Library/Application Support/Google/Chrome/Default/History",
            "/home/s/.config/google-chrome/Default/History",
            "/home/s/.config/chromium/Default/History",
            "/Users/s/AppData/Local/Chromium/User Data/Default/History",
            "/Users/s/AppData/Local/Microsoft/Edge/User Data/Default/History",
            "/Users/s/AppData/Roaming/Opera Software/Opera Stable/History",
            "/Users/s/AppData/Local/BraveSoftware/Brave-Browser/User Data/Default/History",
            "/private/var/mobile/Containers/Data/Application/X/Library/Application Support/Google/Chrome/Default/History",
        ] {
            assert_eq!(claims(p), ["chromium-history"], "{p}");
        }
        for p in [
            "/data/data/com.android.chrome/app_chrome/Default/History-journal",
            "/data/data/com.android.chrome/app_chrome/Default/History-wal",
            "/private/var/mobile/Library/Safari/History.db",
            "/Users/s/AppData/Local/Google/Chrome/User Data/Default/Archived History",
            "/Users/s/Documents/History",
        ] {
            assert!(claims(p).is_empty(), "{p}: {:?}", claims(p));
        }
    }
}
