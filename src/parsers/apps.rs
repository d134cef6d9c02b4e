//! Installed applications: which messengers and payment apps a phone had is itself evidence.
//!
//! - iOS `FrontBoard/applicationState.db`: every bundle id in `application_identifier_tab`.
//! - Android `/data/system/packages.list` (text: package, uid, debug flag, data folder …).
//! - Android `/data/system/packages.xml` in its text form (`<package name= version= it=…>`, `it`
//!   and `ut` being hexadecimal Unix milliseconds). Android 12+ writes it as binary ABX, which is not
//!   decoded yet: such a file gives a failed run that says so (`packages.list` still lists the apps).

use std::path::Path;

use rusqlite::Connection;

use super::artefacts::{App, Artefact, Sink};
use super::sqlite::{as_i64, as_text, has_table};
use super::time::{Unit, stamp_i};
use super::{ParseCtx, ParseError, Parser};

/// iOS `applicationState.db`.
pub struct IosApps;

impl Parser for IosApps {
    fn name(&self) -> &'static str {
        "ios-apps"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/Library/FrontBoard/applicationState.db"]
    }
    fn parse(&self, db: &Connection, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        if !has_table(db, "application_identifier_tab") {
            return Err(ParseError::Schema("no application_identifier_tab: not an iOS applicationState.db".into()));
        }
        let mut st = db.prepare("SELECT id, application_identifier FROM application_identifier_tab ORDER BY id")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let Some(identifier) = as_text(r.get_ref(1)?).filter(|s| !s.is_empty()) else { continue };
            out.put(Artefact::App(App { src: ("application_identifier_tab", as_i64(r.get_ref(0)?)), identifier, name: None, version: None, installed: None, deleted: false }))?;
        }
        Ok(())
    }
}

fn read_text(path: &Path) -> Result<String, ParseError> {
    let bytes = std::fs::read(path).map_err(|e| ParseError::Format(format!("could not be read: {e}")))?;
    if bytes.starts_with(b"ABX\0") {
        return Err(ParseError::Format("Android Binary XML (ABX) is not decoded yet; the apps are listed from packages.list".into()));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Android `packages.list`.
pub struct AndroidPackagesList;

impl Parser for AndroidPackagesList {
    fn name(&self) -> &'static str {
        "android-packages-list"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/system/packages.list"]
    }
    fn parse(&self, _db: &Connection, _ctx: &ParseCtx, _out: &mut dyn Sink) -> Result<(), ParseError> {
        Err(ParseError::Format("packages.list is a text file".into()))
    }
    fn reads_plain_file(&self) -> bool {
        true
    }
    fn parse_file(&self, path: &Path, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let text = read_text(path)?;
        for (n, line) in text.lines().enumerate() {
            let mut parts = line.split_whitespace();
            let Some(pkg) = parts.next() else { continue };
            if !pkg.contains('.') {
                continue;
            }
            out.put(Artefact::App(App { src: ("packages.list:line", Some(n as i64 + 1)), identifier: pkg.to_string(), name: None, version: None, installed: None, deleted: false }))?;
        }
        Ok(())
    }
}

/// Android `packages.xml` (text form).
pub struct AndroidPackagesXml;

/// The value of `attr="…"` inside one start tag.
fn attribute<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let needle = format!(" {attr}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

impl Parser for AndroidPackagesXml {
    fn name(&self) -> &'static str {
        "android-packages-xml"
    }
    fn version(&self) -> &'static str {
        "1"
    }
    fn patterns(&self) -> &'static [&'static str] {
        &["*/system/packages.xml"]
    }
    fn parse(&self, _db: &Connection, _ctx: &ParseCtx, _out: &mut dyn Sink) -> Result<(), ParseError> {
        Err(ParseError::Format("packages.xml is an XML file".into()))
    }
    fn reads_plain_file(&self) -> bool {
        true
    }
    fn parse_file(&self, path: &Path, _ctx: &ParseCtx, out: &mut dyn Sink) -> Result<(), ParseError> {
        let text = read_text(path)?;
        if !text.trim_start().starts_with("<?xml") && !text.contains("<packages") {
            return Err(ParseError::Format("not an Android packages.xml (no <packages> element)".into()));
        }
        let mut n = 0i64;
        let mut rest = text.as_str();
        while let Some(i) = rest.find("<package ") {
            let tag_end = rest[i..].find('>').map(|e| i + e).unwrap_or(rest.len());
            let tag = &rest[i..tag_end];
            n += 1;
            if let Some(name) = attribute(tag, "name") {
                let installed = attribute(tag, "it").and_then(|h| i64::from_str_radix(h, 16).ok()).and_then(|v| stamp_i(v, Unit::UnixMs));
                out.put(Artefact::App(App {
                    src: ("packages.xml:package", Some(n)),
                    identifier: name.to_string(),
                    name: None,
                    version: attribute(tag, "version").map(String::from),
                    installed,
                    deleted: false,
                }))?;
            }
            rest = &rest[tag_end..];
        }
        Ok(())
    }
}
