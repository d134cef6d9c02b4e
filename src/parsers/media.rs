//! Photo metadata: EXIF (make, model, times, GPS, size, orientation) of JPEG, HEIC/HEIF, TIFF, PNG
//! and WebP files, read in one pass over each source (one sequential pass for a TAR.GZ).
//!
//! Only the head of each image is read ([`HEAD_LIMIT`]): EXIF sits there in JPEG (APP1) and in
//! practice in HEIC (`meta` box). Times: `DateTimeOriginal` is a *local* time without a zone; with
//! `OffsetTimeOriginal` it becomes UTC (basis `exif-offset`); otherwise the GPS date and time, which
//! are UTC, are used when present (basis `gps`); otherwise the local time is kept as text and no
//! UTC instant is invented (basis `local-unknown-zone`). One run per source records how many images
//! were read, how many had EXIF and GPS, and which could not be read.

use std::collections::HashMap;
use std::io::Cursor;

use rusqlite::params;
use serde::Serialize;

use super::RunReport;
use crate::case::{Case, SourceInfo, now_rfc3339};
use crate::error::{Error, Result, SqlContext};
use crate::progress::CancelToken;
use crate::vfs::{self, Content, Entry, EntrySink, Issue};

/// Parser name.
pub const NAME: &str = "media-exif";
/// Parser version.
pub const VERSION: &str = "1";
/// Sniffed types read.
pub const TYPES: &[&str] = &["jpeg", "heic", "tiff", "png", "webp"];
/// Bytes read from the start of each image.
pub const HEAD_LIMIT: u64 = 4 << 20;

/// Metadata of one image.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct MediaMeta {
    /// Camera make.
    pub make: Option<String>,
    /// Camera model.
    pub model: Option<String>,
    /// Software.
    pub software: Option<String>,
    /// `DateTimeOriginal` as written (local time).
    pub taken_local: Option<String>,
    /// `OffsetTimeOriginal`, e.g. `+01:00`.
    pub taken_offset: Option<String>,
    /// UTC µs, when it can be known.
    pub taken_utc: Option<i64>,
    /// How the UTC time was obtained: `exif-offset`, `gps`, `local-unknown-zone`.
    pub taken_basis: Option<&'static str>,
    /// Latitude, decimal degrees (south negative).
    pub gps_lat: Option<f64>,
    /// Longitude, decimal degrees (west negative).
    pub gps_lon: Option<f64>,
    /// Altitude, m.
    pub gps_alt: Option<f64>,
    /// GPS date and time, UTC µs.
    pub gps_utc: Option<i64>,
    /// Width, pixels.
    pub width: Option<u32>,
    /// Height, pixels.
    pub height: Option<u32>,
    /// EXIF orientation 1–8.
    pub orientation: Option<u32>,
}

fn ascii(exif: &exif::Exif, tag: exif::Tag) -> Option<String> {
    let f = exif.get_field(tag, exif::In::PRIMARY)?;
    match &f.value {
        exif::Value::Ascii(v) => v.first().map(|b| String::from_utf8_lossy(b).trim_end_matches('\0').trim().to_string()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

fn uint(exif: &exif::Exif, tag: exif::Tag) -> Option<u32> {
    exif.get_field(tag, exif::In::PRIMARY)?.value.get_uint(0)
}

fn rationals(exif: &exif::Exif, tag: exif::Tag) -> Option<Vec<f64>> {
    match &exif.get_field(tag, exif::In::PRIMARY)?.value {
        exif::Value::Rational(v) => Some(v.iter().map(|r| r.to_f64()).collect()),
        _ => None,
    }
}

fn dms(v: &[f64]) -> Option<f64> {
    let d = v.first()? + v.get(1).unwrap_or(&0.0) / 60.0 + v.get(2).unwrap_or(&0.0) / 3600.0;
    d.is_finite().then_some(d)
}

fn parse_local(s: &str) -> Option<chrono::NaiveDateTime> {
    chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y:%m:%d %H:%M:%S").ok()
}

/// Read EXIF from the head of an image. `Ok(None)` when the image has no EXIF.
pub fn read_meta(head: &[u8]) -> std::result::Result<Option<MediaMeta>, String> {
    let exif = match exif::Reader::new().read_from_container(&mut Cursor::new(head)) {
        Ok(e) => e,
        Err(exif::Error::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let mut m = MediaMeta {
        make: ascii(&exif, exif::Tag::Make),
        model: ascii(&exif, exif::Tag::Model),
        software: ascii(&exif, exif::Tag::Software),
        taken_local: ascii(&exif, exif::Tag::DateTimeOriginal).or_else(|| ascii(&exif, exif::Tag::DateTime)),
        taken_offset: ascii(&exif, exif::Tag::OffsetTimeOriginal).or_else(|| ascii(&exif, exif::Tag::OffsetTime)),
        width: uint(&exif, exif::Tag::PixelXDimension).or_else(|| uint(&exif, exif::Tag::ImageWidth)),
        height: uint(&exif, exif::Tag::PixelYDimension).or_else(|| uint(&exif, exif::Tag::ImageLength)),
        orientation: uint(&exif, exif::Tag::Orientation),
        ..MediaMeta::default()
    };
    if let (Some(lat), Some(lon)) = (rationals(&exif, exif::Tag::GPSLatitude), rationals(&exif, exif::Tag::GPSLongitude)) {
        let south = ascii(&exif, exif::Tag::GPSLatitudeRef).is_some_and(|r| r.starts_with('S'));
        let west = ascii(&exif, exif::Tag::GPSLongitudeRef).is_some_and(|r| r.starts_with('W'));
        m.gps_lat = dms(&lat).map(|v| if south { -v } else { v }).filter(|v| v.abs() <= 90.0);
        m.gps_lon = dms(&lon).map(|v| if west { -v } else { v }).filter(|v| v.abs() <= 180.0);
    }
    m.gps_alt = rationals(&exif, exif::Tag::GPSAltitude).and_then(|v| v.first().copied());
    if let (Some(date), Some(t)) = (ascii(&exif, exif::Tag::GPSDateStamp), rationals(&exif, exif::Tag::GPSTimeStamp))
        && let Ok(d) = chrono::NaiveDate::parse_from_str(date.trim(), "%Y:%m:%d")
        && t.len() == 3
    {
        let secs = t[0] * 3600.0 + t[1] * 60.0 + t[2];
        if secs.is_finite() && (0.0..86_400.0).contains(&secs) {
            m.gps_utc = d.and_hms_opt(0, 0, 0).map(|x| x.and_utc().timestamp_micros() + (secs * 1e6) as i64);
        }
    }
    let local = m.taken_local.as_deref().and_then(parse_local);
    let offset = m.taken_offset.as_deref().and_then(chrono::FixedOffset::from_str_opt);
    match (local, offset) {
        (Some(l), Some(off)) => {
            m.taken_utc = l.and_local_timezone(off).single().map(|t| t.timestamp_micros());
            m.taken_basis = Some("exif-offset");
        }
        (Some(_), None) if m.gps_utc.is_some() => {
            m.taken_utc = m.gps_utc;
            m.taken_basis = Some("gps");
        }
        (Some(_), None) => m.taken_basis = Some("local-unknown-zone"),
        _ => {}
    }
    Ok(Some(m))
}

trait FromStrOpt: Sized {
    fn from_str_opt(s: &str) -> Option<Self>;
}

impl FromStrOpt for chrono::FixedOffset {
    fn from_str_opt(s: &str) -> Option<Self> {
        let s = s.trim();
        let (sign, rest) = match s.as_bytes().first()? {
            b'+' => (1, &s[1..]),
            b'-' => (-1, &s[1..]),
            _ => return None,
        };
        let (h, m) = rest.split_once(':')?;
        let secs = sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60);
        chrono::FixedOffset::east_opt(secs)
    }
}

struct MediaSink<'a> {
    wanted: &'a HashMap<u64, i64>,
    found: Vec<(i64, MediaMeta)>,
    no_exif: usize,
    unreadable: Vec<String>,
}

impl EntrySink for MediaSink<'_> {
    fn already_done(&self, seq: u64) -> bool {
        !self.wanted.contains_key(&seq)
    }
    fn issue(&mut self, _issue: Issue) {}
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()> {
        let Some(&file_id) = self.wanted.get(&entry.seq) else { return Ok(()) };
        let head = match content.read_up_to(HEAD_LIMIT) {
            Ok(h) => h,
            Err(e) => {
                self.unreadable.push(format!("'{}': {e}", entry.path));
                return Ok(());
            }
        };
        match std::panic::catch_unwind(|| read_meta(&head)) {
            Ok(Ok(Some(m))) => self.found.push((file_id, m)),
            Ok(Ok(None)) => self.no_exif += 1,
            Ok(Err(e)) => self.unreadable.push(format!("'{}': EXIF unreadable: {e}", entry.path)),
            Err(_) => self.unreadable.push(format!("'{}': EXIF reader panicked", entry.path)),
        }
        Ok(())
    }
}

/// Read the EXIF of every image of a source and record one run.
pub(super) fn run_source(case: &mut Case, src: &SourceInfo, at: &std::path::Path, force: bool, cancel: &CancelToken) -> Result<Option<RunReport>> {
    if !force && super::source_pass_done(case, src.id, NAME, VERSION)? {
        return Ok(None);
    }
    let types = TYPES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",");
    let wanted: HashMap<u64, i64> = {
        let mut st = case
            .conn()
            .prepare(&format!("SELECT seq, id FROM files WHERE source_id = ?1 AND parent_id = 0 AND kind = 'file' AND sniffed IN ({types})"))
            .ctx("listing images")?;
        st.query_map([src.id], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))).ctx("listing images")?.collect::<std::result::Result<_, _>>().ctx("listing images")?
    };
    let now = now_rfc3339();
    case.conn()
        .execute(
            "INSERT INTO runs (source_id, kind, name, version, started_utc, status) VALUES (?1, 'parser', ?2, ?3, ?4, 'running')",
            params![src.id, NAME, VERSION, now],
        )
        .ctx("recording a parser run")?;
    let run_id = case.conn().last_insert_rowid();
    let mut sink = MediaSink { wanted: &wanted, found: Vec::new(), no_exif: 0, unreadable: Vec::new() };
    let walk_problem = if wanted.is_empty() {
        None
    } else {
        match vfs::detect(at).and_then(|k| vfs::walk(at, k, &vfs::Limits { max_ratio: f64::INFINITY, ..Default::default() }, &mut sink, cancel)) {
            Ok(_) => None,
            Err(Error::Cancelled) => Some("cancelled by the user".to_string()),
            Err(e) => Some(e.to_string()),
        }
    };
    let tx = case.conn_mut().transaction().ctx("writing photo metadata")?;
    for (file_id, m) in &sink.found {
        tx.execute(
            "INSERT INTO media (source_id, file_id, run_id, make, model, software, taken_local, taken_offset, taken_utc, taken_basis, gps_lat, gps_lon, gps_alt, gps_utc,
                                width, height, orientation, parser, parser_version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![
                src.id, file_id, run_id, m.make, m.model, m.software, m.taken_local, m.taken_offset, m.taken_utc, m.taken_basis, m.gps_lat, m.gps_lon, m.gps_alt,
                m.gps_utc, m.width, m.height, m.orientation, NAME, VERSION
            ],
        )
        .ctx("writing photo metadata")?;
    }
    let with_gps = sink.found.iter().filter(|(_, m)| m.gps_lat.is_some()).count();
    let mut message = if wanted.is_empty() {
        "searched, no image in this source".to_string()
    } else {
        format!("{} images: {} with EXIF ({} with GPS), {} without EXIF", wanted.len(), sink.found.len(), with_gps, sink.no_exif)
    };
    if !sink.unreadable.is_empty() {
        message.push_str(&format!("; {} unreadable: {}", sink.unreadable.len(), sink.unreadable.iter().take(20).cloned().collect::<Vec<_>>().join("; ")));
    }
    let status = match &walk_problem {
        Some(p) => {
            message.push_str(&format!("; stopped: {p}"));
            if p.starts_with("cancelled") { "cancelled" } else { "failed" }
        }
        None => "ok",
    };
    let items = if status == "ok" { sink.found.len() as i64 } else { 0 };
    if status == "ok" {
        tx.commit().ctx("writing photo metadata")?;
    } else {
        tx.rollback().ctx("rolling back photo metadata")?;
    }
    case.conn()
        .execute(
            "UPDATE runs SET finished_utc = ?2, status = ?3, item_count = ?4, error_count = ?5, message = ?6 WHERE id = ?1",
            params![run_id, now_rfc3339(), status, items, sink.unreadable.len() as i64 + i64::from(status != "ok"), message],
        )
        .ctx("recording a parser run")?;
    Ok(Some(RunReport { run_id, source_id: src.id, parser: NAME.into(), path: None, status: status.into(), items, message }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_an_image_and_truncated_images_do_not_panic() {
        assert!(read_meta(b"not an image at all").is_err() || read_meta(b"not an image at all").unwrap().is_none());
        let mut jpeg = b"\xFF\xD8\xFF\xE1\x00\x40Exif\x00\x00II*\x00".to_vec();
        jpeg.extend_from_slice(&[0u8; 8]);
        let _ = read_meta(&jpeg);
        let _ = read_meta(&[]);
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(chrono::FixedOffset::from_str_opt("+01:00").map(|o| o.local_minus_utc()), Some(3600));
        assert_eq!(chrono::FixedOffset::from_str_opt("-05:30").map(|o| o.local_minus_utc()), Some(-19800));
        assert!(chrono::FixedOffset::from_str_opt("1:00").is_none());
    }
}
