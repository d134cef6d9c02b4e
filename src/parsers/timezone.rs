//! The device's own time zone, taken from the extraction where it says so, recorded on the source
//! (unless the examiner already set one) and shown beside every time from it.
//!
//! - iOS: `/private/var/db/timezone/localtime` is a symbolic link into `zoneinfo/<Zone>`.
//! - Android: `persist.sys.timezone` in `/data/property/persistent_properties` (a protobuf on
//!   Android 9+: the key followed by a length-prefixed value) or in `build.prop`-style text.
//! - UFDR: the `Time zone settings (ID)` item of the report's metadata (e.g. `_America/Sao_Paulo`),
//!   read from the head of `report.xml` only (metadata precedes the file index).


use rusqlite::{OptionalExtension, params};

use crate::case::{Case, SourceInfo, audit};
use crate::error::{Result, SqlContext};
use crate::progress::CancelToken;
use crate::vfs::{self, Content, Entry, EntrySink, Issue};

/// An IANA zone name as found in a byte string (`Europe/Paris`, `America/Sao_Paulo`, `UTC`).
fn zone_at(bytes: &[u8]) -> Option<String> {
    let s: String = bytes.iter().take(64).map(|&b| b as char).take_while(|c| c.is_ascii_alphanumeric() || "/_-+".contains(*c)).collect();
    (s == "UTC" || (s.contains('/') && s.len() >= 5 && s.chars().next().is_some_and(|c| c.is_ascii_uppercase()))).then_some(s)
}

/// The zone in an Android properties file (protobuf or text).
pub fn android_zone(data: &[u8]) -> Option<String> {
    let key = b"persist.sys.timezone";
    let at = data.windows(key.len()).position(|w| w == key)? + key.len();
    let rest = &data[at..];
    // Text form: `persist.sys.timezone=Europe/Paris`.
    if let Some(v) = rest.strip_prefix(b"=") {
        return zone_at(v);
    }
    // Protobuf form: the value field follows, tag byte then a length byte.
    (0..rest.len().min(8)).find_map(|i| {
        let len = *rest.get(i + 1)? as usize;
        let v = rest.get(i + 2..i + 2 + len)?;
        zone_at(v).filter(|z| z.len() == len)
    })
}

/// The `Time zone settings (ID)` of a UFDR report, reading no further than the file index.
pub fn ufdr_zone(at: &std::path::Path) -> Option<String> {
    use quick_xml::events::Event;
    crate::vfs::ufdr::with_report(at, Some(&vfs::Limits::default()), |r, _| {
        let mut reader = quick_xml::Reader::from_reader(r);
        let mut buf = Vec::new();
        let mut in_item = false;
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e)) => {
                    let name = crate::vfs::ufdr::local(&e);
                    if name == "taggedFiles" || name == "decodedData" {
                        return None;
                    }
                    in_item = name == "item" && crate::vfs::ufdr::attr(&e, "name").ok().flatten().is_some_and(|n| n.starts_with("Time zone settings (ID)"));
                }
                Ok(Event::Text(t)) if in_item => {
                    let text = t.xml10_content();
                    let v = text.trim().trim_start_matches('_').to_string();
                    return zone_at(v.as_bytes());
                }
                Ok(Event::CData(t)) if in_item => {
                    let v = t.into_inner().trim().trim_start_matches('_').to_string();
                    return zone_at(v.as_bytes());
                }
                Ok(Event::End(_)) => in_item = false,
                Ok(Event::Eof) | Err(_) => return None,
                _ => {}
            }
            buf.clear();
        }
    })
    .ok()
    .flatten()
}

/// The zone named by an iOS `localtime` link target.
pub fn ios_zone(target: &str) -> Option<String> {
    let i = target.find("zoneinfo/")? + "zoneinfo/".len();
    zone_at(&target.as_bytes()[i..])
}

struct ReadOne {
    seq: u64,
    data: Option<Vec<u8>>,
}

impl EntrySink for ReadOne {
    fn already_done(&self, seq: u64) -> bool {
        seq != self.seq
    }
    fn issue(&mut self, _issue: Issue) {}
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()> {
        if entry.seq != self.seq {
            return Ok(());
        }
        self.data = content.read_up_to(1 << 20).ok();
        Ok(())
    }
}

/// Record the source's zone when the extraction names it and none is set yet.
pub(super) fn detect(case: &mut Case, src: &SourceInfo, at: &std::path::Path, cancel: &CancelToken) -> Result<Option<String>> {
    let set: Option<String> = case.conn().query_row("SELECT timezone FROM sources WHERE id = ?1", [src.id], |r| r.get(0)).ctx("reading the source zone")?;
    if set.is_some() {
        return Ok(None);
    }
    let link: Option<Option<String>> = case
        .conn()
        .query_row("SELECT link_target FROM files WHERE source_id = ?1 AND parent_id = 0 AND path LIKE '%/db/timezone/localtime'", [src.id], |r| r.get(0))
        .optional()
        .ctx("looking for the device zone")?;
    let mut found = link.flatten().as_deref().and_then(ios_zone).map(|z| (z, "/private/var/db/timezone/localtime".to_string()));
    if found.is_none() && vfs::detect(at).ok() == Some(vfs::ContainerKind::Ufdr) {
        found = ufdr_zone(at).map(|z| (z, "report.xml: Time zone settings (ID)".to_string()));
    }
    if found.is_none() {
        let props: Vec<(i64, String)> = {
            let mut st = case
                .conn()
                .prepare("SELECT seq, path FROM files WHERE source_id = ?1 AND parent_id = 0 AND kind = 'file' AND (path LIKE '%/property/persistent_properties' OR path LIKE '%/build.prop') ORDER BY path")
                .ctx("looking for the device zone")?;
            st.query_map([src.id], |r| Ok((r.get(0)?, r.get(1)?))).ctx("looking for the device zone")?.collect::<std::result::Result<_, _>>().ctx("looking for the device zone")?
        };
        for (seq, path) in props {
            let mut sink = ReadOne { seq: seq as u64, data: None };
            if let Ok(kind) = vfs::detect(at) {
                let _ = vfs::walk(at, kind, &vfs::Limits::default(), &mut sink, cancel);
            }
            if let Some(z) = sink.data.as_deref().and_then(android_zone) {
                found = Some((z, path));
                break;
            }
        }
    }
    let Some((zone, from)) = found else { return Ok(None) };
    let actor = case.actor();
    let tx = case.conn_mut().transaction().ctx("recording the device zone")?;
    tx.execute("UPDATE sources SET timezone = ?2 WHERE id = ?1 AND timezone IS NULL", params![src.id, zone]).ctx("recording the device zone")?;
    audit::append(&tx, &actor, "source.timezone", &serde_json::json!({"source_id": src.id, "timezone": zone, "from": from}))?;
    tx.commit().ctx("recording the device zone")?;
    Ok(Some(zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_from_both_platforms() {
        assert_eq!(ios_zone("/usr/share/zoneinfo/Europe/Paris").as_deref(), Some("Europe/Paris"));
        assert_eq!(ios_zone("/var/db/timezone/zoneinfo/America/Sao_Paulo").as_deref(), Some("America/Sao_Paulo"));
        assert_eq!(ios_zone("/nowhere"), None);
        assert_eq!(android_zone(b"ro.x=1\npersist.sys.timezone=Europe/Bucharest\n").as_deref(), Some("Europe/Bucharest"));
        let mut pb = b"\n\x1e\n\x14persist.sys.timezone".to_vec();
        pb.extend_from_slice(b"\x12\x0bEurope/Rome\n\x05other");
        assert_eq!(android_zone(&pb).as_deref(), Some("Europe/Rome"));
        assert_eq!(android_zone(b"persist.sys.timezone\x12\x02ab"), None);
    }
}
