//! Installed applications: which messengers and payment apps a phone had is itself evidence.
//!
//! - iOS `FrontBoard/applicationState.db`: every bundle id in `application_identifier_tab`.
//! - Android `/data/system/packages.list` (text: package, uid, debug flag, data folder …).
//! - Android `/data/system/packages.xml`, text or Android 12+ binary ABX (decoded by
//!   [`super::abx`]): one app per `<package>` element, `name`, `version` (the version code) and
//!   `it` (first install, hexadecimal Unix ms; in ABX a long written as hex). Both forms give the
//!   same rows (source table `packages.xml:package`, row = the element's ordinal). A damaged ABX
//!   file fails the run naming the byte where decoding stopped, with no partial rows.

use std::path::Path;

use rusqlite::Connection;

use super::abx;
use super::artefacts::{App, Artefact, Sink};
use super::sqlite::{as_i64, as_text, has_table, require, what};
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
        require(db, "application_identifier_tab", &["id", "application_identifier"]).map_err(|e| what(e, "unexpected iOS applicationState.db schema"))?;
        let mut st = db.prepare("SELECT id, application_identifier FROM application_identifier_tab ORDER BY id")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let Some(identifier) = as_text(r.get_ref(1)?).filter(|s| !s.is_empty()) else { continue };
            out.put(Artefact::App(App { src: ("application_identifier_tab", as_i64(r.get_ref(0)?)), identifier, name: None, version: None, installed: None, deleted: false }))?;
        }
        Ok(())
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, ParseError> {
    std::fs::read(path).map_err(|e| ParseError::Format(format!("could not be read: {e}")))
}

fn read_text(path: &Path) -> Result<String, ParseError> {
    let bytes = read_bytes(path)?;
    if bytes.starts_with(abx::MAGIC) {
        return Err(ParseError::Format("Android Binary XML (ABX) where a text file was expected".into()));
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

/// The app of the `n`-th `<package>` element, from its attributes' text (the same for text and
/// ABX files); `None` without a `name`.
fn package_app(n: i64, attr: impl Fn(&str) -> Option<String>) -> Option<App> {
    let name = attr("name").filter(|s| !s.is_empty())?;
    let installed = attr("it").and_then(|h| i64::from_str_radix(&h, 16).ok()).and_then(|v| stamp_i(v, Unit::UnixMs));
    Some(App { src: ("packages.xml:package", Some(n)), identifier: name, name: None, version: attr("version"), installed, deleted: false })
}

impl Parser for AndroidPackagesXml {
    fn name(&self) -> &'static str {
        "android-packages-xml"
    }
    fn version(&self) -> &'static str {
        "2"
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
        let bytes = read_bytes(path)?;
        if bytes.starts_with(abx::MAGIC) {
            let events = abx::decode(&bytes).map_err(|e| ParseError::Format(format!("Android Binary XML (ABX) packages.xml: {e}")))?;
            if !events.iter().any(|e| matches!(e, abx::Event::Start { name, depth: 1, .. } if name == "packages")) {
                return Err(ParseError::Format("ABX file without a <packages> root: not an Android packages.xml".into()));
            }
            let mut n = 0i64;
            for e in events.iter().filter(|e| matches!(e, abx::Event::Start { name, .. } if name == "package")) {
                n += 1;
                if let Some(app) = package_app(n, |a| e.attr(a).and_then(abx::Value::to_xml_text)) {
                    out.put(Artefact::App(app))?;
                }
            }
            return Ok(());
        }
        let text = String::from_utf8_lossy(&bytes);
        if !text.trim_start().starts_with("<?xml") && !text.contains("<packages") {
            return Err(ParseError::Format("not an Android packages.xml (no <packages> element)".into()));
        }
        let mut n = 0i64;
        let mut rest: &str = &text;
        while let Some(i) = rest.find("<package ") {
            let tag_end = rest[i..].find('>').map(|e| i + e).unwrap_or(rest.len());
            let tag = &rest[i..tag_end];
            n += 1;
            if let Some(app) = package_app(n, |a| attribute(tag, a).map(String::from)) {
                out.put(Artefact::App(app))?;
            }
            rest = &rest[tag_end..];
        }
        Ok(())
    }
}
