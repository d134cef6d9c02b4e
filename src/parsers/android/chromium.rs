//! Chromium-family `History` (Chrome, Chromium, Samsung Internet, Edge, Opera, Brave, Vivaldi,
//! Yandex, Arc, Android WebView, and any other fork; Android, iOS and desktop paths), formats.md §2.11.
//!
//! - Claimed: the known browsers' profile paths (a damaged file there is a failed run), and any
//!   file named `History` in any folder that is an SQLite database by its magic bytes
//!   ([`Parser::sqlite_patterns`]); such a file without Chromium's `urls` and `visits` tables is
//!   recorded as skipped ("not a Chromium History database"), not failed.
//!
//! - One visit per `visits` row, joined to `urls` for URL and title; `visit_time` is WebKit µs
//!   (since 1601). A visit whose `urls` row is gone keeps the URL id in its URL text.
//! - Browser name from the path: `chrome`, `samsung-internet`, `edge`, `opera`, `brave`,
//!   `vivaldi`, `yandex`, `arc`, `chromium`, `webview:<package>`; another fork is
//!   `chromium-family:<name>`, its name the folder above the profile (`User Data` skipped; on
//!   Android the app's package), else plain `chromium-family`.
//! - The patterns end in `/History`, so `History-journal`, `Archived History` and Safari's
//!   `History.db` are not claimed.
//! - Search terms: `keyword_search_terms` (`url_id` → the results page's `urls` row) gives every
//!   visit of that URL its `search_term` (`term` as typed; `lower_term` or `normalized_term` when
//!   `term` is missing in older or damaged files). One URL with several terms keeps the first
//!   (lowest `rowid`).
//! - Not read (no artefact type for them yet): `downloads`, `segments`, transition types and
//!   visit durations.

use std::collections::HashMap;

use rusqlite::Connection;

use super::super::artefacts::{Artefact, Sink, Visit};
use super::super::sqlite::{as_i64, columns, has_table, require, require_table, what};
use super::super::time::{Unit, stamp_i};
use super::super::{ParseCtx, ParseError, Parser, glob_match};
use super::{has_col, text};

/// The parser.
pub struct ChromiumHistory;

/// Browser name from the file's path.
fn browser(path: &str) -> String {
    let p = path.to_ascii_lowercase();
    if let Some(i) = p.find("/app_webview/") {
        let pkg = path[..i].rsplit('/').next().unwrap_or("");
        return if pkg.is_empty() { "webview".into() } else { format!("webview:{pkg}") };
    }
    let known: &[(&str, &str)] = &[
        ("/app_sbrowser/", "samsung-internet"),
        ("com.sec.android.app.sbrowser", "samsung-internet"),
        ("com.microsoft.emmx", "edge"),
        ("/microsoft/edge", "edge"),
        ("/microsoft edge", "edge"),
        ("/microsoft-edge", "edge"),
        ("com.opera.", "opera"),
        ("/opera software/", "opera"),
        ("/app_opera/", "opera"),
        ("bravesoftware", "brave"),
        ("com.brave.browser", "brave"),
        ("vivaldi", "vivaldi"),
        ("yandex", "yandex"),
        ("/arc/user data/", "arc"),
        ("company.thebrowser", "arc"),
        ("chromium", "chromium"),
        ("/app_chrome/", "chrome"),
        ("/google/chrome", "chrome"),
        ("google-chrome", "chrome"),
        ("/chrome/user data/", "chrome"),
    ];
    if let Some((_, name)) = known.iter().find(|(needle, _)| p.contains(needle)) {
        return name.to_string();
    }
    // Another fork: the folder above the profile folder (and above `User Data`); on Android the
    // package holding the `app_*` folder.
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut folders = &parts[..parts.len().saturating_sub(1)];
    if let Some(i) = folders.iter().rposition(|f| f.starts_with("app_"))
        && i > 0
    {
        return format!("chromium-family:{}", folders[i - 1]);
    }
    let is_profile = |f: &str| {
        let l = f.to_ascii_lowercase();
        l == "default" || l.starts_with("profile ") || l == "guest profile" || l == "system profile" || l.starts_with("person ")
    };
    if folders.last().is_some_and(|f| is_profile(f)) {
        folders = &folders[..folders.len() - 1];
    }
    if folders.last().is_some_and(|f| f.eq_ignore_ascii_case("user data")) {
        folders = &folders[..folders.len() - 1];
    }
    match folders.last() {
        Some(name) => format!("chromium-family:{}", name.to_ascii_lowercase()),
        None => "chromium-family".into(),
    }
}

/// `keyword_search_terms`: URL id → the term searched (the first one per URL).
fn search_terms(db: &Connection) -> Result<HashMap<i64, String>, ParseError> {
    let kc = columns(db, "keyword_search_terms");
    let mut out = HashMap::new();
    if !has_col(&kc, "url_id") {
        return Ok(out);
    }
    let term = ["term", "lower_term", "normalized_term"].iter().filter(|c| has_col(&kc, c)).map(|c| format!("k.\"{c}\"")).collect::<Vec<_>>();
    if term.is_empty() {
        return Ok(out);
    }
    let expr = if term.len() == 1 { term[0].clone() } else { format!("coalesce({})", term.join(", ")) };
    let mut st = db.prepare(&format!("SELECT k.url_id, {expr} FROM keyword_search_terms k ORDER BY k.rowid"))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        if let (Some(u), Some(t)) = (as_i64(r.get_ref(0)?), text(r.get_ref(1)?)) {
            out.entry(u).or_insert(t);
        }
    }
    Ok(out)
}

impl Parser for ChromiumHistory {
    fn name(&self) -> &'static str {
        "chromium-history"
    }
    fn version(&self) -> &'static str {
        "3"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &[
            // Android: Chrome (and Beta/Dev/Canary, Edge, Brave: same app_chrome layout), Samsung Internet, WebView, Opera.
            "*/app_chrome/*/History",
            "*/app_sbrowser/*/History",
            "*/app_webview/*/History",
            "*/app_opera/History",
            "*/app_opera/*/History",
            // Desktop and iOS.
            "*/Google/Chrome*/History",
            "*/google-chrome*/History",
            "*/Chrome/User Data/*/History",
            "*/Chromium/*/History",
            "*/Microsoft/Edge*/User Data/*/History",
            "*/Microsoft Edge*/*/History",
            "*/microsoft-edge*/*/History",
            "*/Opera Software/*/History",
            "*/BraveSoftware/*/History",
            "*/Vivaldi/*/History",
        ]
    }
    fn sqlite_patterns(&self) -> &'static [&'static str] {
        &["*/History"]
    }

    fn parse(&self, db: &Connection, ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let vcols = columns(db, "visits");
        if !has_table(db, "urls") || !has_col(&vcols, "url") || !has_col(&vcols, "visit_time") {
            let why = "no `urls`/`visits` tables: not a Chromium History database";
            // At a known browser's path it is a damaged History; elsewhere, another app's file.
            return Err(if self.patterns().iter().any(|p| glob_match(p, &ctx.path)) { ParseError::Schema(why.into()) } else { ParseError::NotApplicable(why.into()) });
        }
        let unexpected = |e| what(e, "unexpected Chromium History schema");
        require(db, "visits", &["id"]).map_err(unexpected)?;
        require(db, "urls", &["id", "url"]).map_err(unexpected)?;
        require_table(db, "keyword_search_terms", &["url_id"]).map_err(unexpected)?;
        let browser = browser(&ctx.path);
        let terms = search_terms(db)?;
        let mut st = db.prepare("SELECT v.id, v.url, u.url, u.title, v.visit_time FROM visits v LEFT JOIN urls u ON u.id = v.url ORDER BY v.id")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let url_id = as_i64(r.get_ref(1)?);
            let url = text(r.get_ref(2)?).unwrap_or_else(|| format!("(urls row {} missing)", url_id.map(|u| u.to_string()).unwrap_or_else(|| "NULL".into())));
            out.put(Artefact::Visit(Visit {
                src: ("visits", as_i64(r.get_ref(0)?)),
                browser: browser.clone(),
                url,
                title: text(r.get_ref(3)?),
                visited: as_i64(r.get_ref(4)?).and_then(|v| stamp_i(v, Unit::WebKitUs)),
                search_term: url_id.and_then(|u| terms.get(&u)).cloned(),
            }))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::browser;

    #[test]
    fn browser_from_path() {
        assert_eq!(browser("/data/data/com.android.chrome/app_chrome/Default/History"), "chrome");
        assert_eq!(browser("/data/data/com.sec.android.app.sbrowser/app_sbrowser/Default/History"), "samsung-internet");
        assert_eq!(browser("/data/data/com.microsoft.emmx/app_chrome/Default/History"), "edge");
        assert_eq!(browser("/data/data/com.facebook.katana/app_webview/Default/History"), "webview:com.facebook.katana");
        assert_eq!(browser("/Users/s/AppData/Local/Google/Chrome/User Data/Default/History"), "chrome");
        assert_eq!(browser("/home/s/.config/chromium/Default/History"), "chromium");
        assert_eq!(browser("/Users/s/AppData/Roaming/Opera Software/Opera Stable/History"), "opera");
        assert_eq!(browser("/x/History"), "chromium-family:x");
        assert_eq!(browser("/History"), "chromium-family");
        assert_eq!(browser("/Users/s/AppData/Local/Yandex/YandexBrowser/User Data/Default/History"), "yandex");
        assert_eq!(browser("/Users/s/Library/Application Support/Arc/User Data/Profile 1/History"), "arc");
        assert_eq!(browser("/Users/s/AppData/Local/Thorium/User Data/Default/History"), "chromium-family:thorium");
        assert_eq!(browser("/data/data/org.example.fork/app_fork/Default/History"), "chromium-family:org.example.fork");
    }
}
