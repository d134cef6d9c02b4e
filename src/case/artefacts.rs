//! Reading parsed artefacts back, with their provenance and their times in UTC and in the source's
//! zone. Front ends list messages, calls, contacts and web visits through these calls.

use rusqlite::params;
use serde::Serialize;

use super::Case;
use crate::error::{Result, SqlContext};

/// Filters shared by the listings.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this source.
    pub source: Option<i64>,
    /// From this instant (UTC µs), inclusive.
    pub from_us: Option<i64>,
    /// Up to this instant (UTC µs), exclusive.
    pub to_us: Option<i64>,
    /// At most this many rows (default: all).
    pub limit: Option<i64>,
}

/// Where a row came from.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// Source id.
    pub source_id: i64,
    /// Source label.
    pub source_label: String,
    /// Virtual path of the file.
    pub path: String,
    /// SHA-256 of the file.
    pub file_sha256: Option<String>,
    /// Table.
    pub table: String,
    /// Row id.
    pub row: Option<i64>,
    /// Parser and version.
    pub parser: String,
    /// For a row decoded from a UFDR report: what the report says of its model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ufdr_model: Option<UfdrModel>,
}

/// What a Cellebrite report says of the decoded model a row was made from (`ufdr_models`).
#[derive(Debug, Clone, Serialize)]
pub struct UfdrModel {
    /// Model type (`InstantMessage`, `Call` …).
    pub model_type: String,
    /// The model's `id` (UUID).
    pub id: Option<String>,
    /// `deleted_state` (`Intact`, `Deleted` …).
    pub deleted_state: Option<String>,
    /// `decoding_confidence` (`High`, `Medium`, `Low`).
    pub decoding_confidence: Option<String>,
    /// `isrelated`, as written.
    pub is_related: Option<String>,
    /// `iscarved`, as written.
    pub is_carved: Option<String>,
    /// The source extraction: its name from `sourceExtractions`, else its id.
    pub extraction: Option<String>,
    /// The tagged files the model was decoded from: `[{id, path}]`.
    pub jump_targets: Option<serde_json::Value>,
}

/// A time as shown: UTC, the raw value and its unit, and the source's zone when set.
#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    /// RFC 3339 UTC.
    pub utc: Option<String>,
    /// UTC µs since 1970.
    pub utc_us: Option<i64>,
    /// Raw value as stored.
    pub raw: Option<String>,
    /// Its unit.
    pub unit: Option<String>,
    /// The source's time zone, when known (`None`: not recorded in the extraction nor set).
    pub source_zone: Option<String>,
    /// Why the value is doubtful.
    pub flag: Option<String>,
}

fn time(us: Option<i64>, raw: Option<String>, unit: Option<String>, zone: &Option<String>, flag: Option<String>) -> TimeView {
    TimeView { utc: us.map(crate::parsers::time::rfc3339), utc_us: us, raw, unit, source_zone: zone.clone(), flag }
}

/// One message.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    /// Row id.
    pub id: i64,
    /// Service.
    pub service: String,
    /// Direction.
    pub direction: String,
    /// Sender.
    pub sender: Option<String>,
    /// Recipients (JSON list).
    pub recipients: Option<String>,
    /// Thread name or key.
    pub thread: Option<String>,
    /// Text.
    pub body: Option<String>,
    /// Where the text came from.
    pub body_source: Option<String>,
    /// Sent.
    pub sent: TimeView,
    /// Received: stored by the device (incoming), or delivered to the recipient (outgoing, where
    /// the app records receipts).
    pub received: Option<TimeView>,
    /// Read (by the owner for incoming, by the recipient for outgoing, as the app records it).
    pub read: Option<TimeView>,
    /// Status.
    pub status: Option<String>,
    /// Marked deleted by the app.
    pub deleted: bool,
    /// Provenance.
    pub provenance: Provenance,
}

/// One call.
#[derive(Debug, Clone, Serialize)]
pub struct CallView {
    /// Row id.
    pub id: i64,
    /// Service.
    pub service: String,
    /// Direction.
    pub direction: String,
    /// Other party.
    pub peer: Option<String>,
    /// Name stored with the call.
    pub peer_name: Option<String>,
    /// Start.
    pub start: TimeView,
    /// Duration, s.
    pub duration_s: Option<f64>,
    /// Answered.
    pub answered: Option<bool>,
    /// What became of the call (`incoming`, `outgoing`, `missed`, `rejected`, `blocked`,
    /// `voicemail`, `answered elsewhere`, or the source's own word).
    pub status: Option<String>,
    /// Video.
    pub video: bool,
    /// Provenance.
    pub provenance: Provenance,
}

/// One contact.
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: Option<String>,
    /// Account.
    pub account: Option<String>,
    /// Entries (JSON list of {kind, value, label}).
    pub entries: serde_json::Value,
    /// Created, when the source records it.
    pub created: Option<TimeView>,
    /// Last modified, when the source records it.
    pub modified: Option<TimeView>,
    /// Marked deleted.
    pub deleted: bool,
    /// Provenance.
    pub provenance: Provenance,
}

/// One web visit.
#[derive(Debug, Clone, Serialize)]
pub struct VisitView {
    /// Row id.
    pub id: i64,
    /// Browser.
    pub browser: String,
    /// URL.
    pub url: String,
    /// Title.
    pub title: Option<String>,
    /// Visit time.
    pub visited: TimeView,
    /// The search term this visit shows the results of.
    pub search_term: Option<String>,
    /// Provenance.
    pub provenance: Provenance,
}

/// Photo metadata of one file.
#[derive(Debug, Clone, Serialize)]
pub struct MediaView {
    /// Row id.
    pub id: i64,
    /// Source id.
    pub source_id: i64,
    /// Source label.
    pub source_label: String,
    /// Virtual path of the image.
    pub path: String,
    /// SHA-256 of the image.
    pub sha256: Option<String>,
    /// Sniffed type.
    pub sniffed: Option<String>,
    /// Camera make and model.
    pub camera: Option<String>,
    /// Local time as written in EXIF.
    pub taken_local: Option<String>,
    /// EXIF offset, when written.
    pub taken_offset: Option<String>,
    /// UTC, when it can be known.
    pub taken_utc: Option<String>,
    /// How the UTC time was obtained.
    pub taken_basis: Option<String>,
    /// Latitude.
    pub gps_lat: Option<f64>,
    /// Longitude.
    pub gps_lon: Option<f64>,
    /// Source time zone, when set.
    pub source_zone: Option<String>,
    /// Parser and version that read the metadata.
    pub parser: String,
}

/// One installed (or once installed) application.
#[derive(Debug, Clone, Serialize)]
pub struct AppView {
    /// Row id.
    pub id: i64,
    /// Bundle id or package name.
    pub identifier: String,
    /// Display name.
    pub name: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Install (or first install) time.
    pub installed: Option<TimeView>,
    /// Listed as uninstalled / deleted by the source.
    pub deleted: bool,
    /// Provenance.
    pub provenance: Provenance,
}

/// One account configured on a device.
#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    /// Row id.
    pub id: i64,
    /// Service (account type).
    pub service: String,
    /// User name or address.
    pub username: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Creation time, when recorded.
    pub created: Option<TimeView>,
    /// Provenance.
    pub provenance: Provenance,
}

/// One location fix.
#[derive(Debug, Clone, Serialize)]
pub struct LocationView {
    /// Row id.
    pub id: i64,
    /// What kind of fix (`significant-location`, `photo`, `cell` …).
    pub kind: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Altitude, m.
    pub alt: Option<f64>,
    /// Accuracy, m.
    pub accuracy_m: Option<f64>,
    /// Time of the fix.
    pub at: TimeView,
    /// Place name, when recorded.
    pub name: Option<String>,
    /// Provenance.
    pub provenance: Provenance,
}

const PROV_JOIN: &str = "JOIN sources s ON s.id = a.source_id JOIN files f ON f.id = a.file_id";

/// Columns of the UFDR model of row `a` of `table` (NULL for rows of the native parsers); read by
/// [`ufdr_model`]. Goes last in a SELECT, with [`model_join`].
const MODEL_COLS: &str = "u.model_type, u.model_id, u.deleted_state, u.decoding_confidence, u.is_related, u.is_carved, coalesce(u.extraction_name, u.extraction_id), u.jump_targets";

fn model_join(table: &str) -> String {
    format!("LEFT JOIN ufdr_models u ON u.ref_table = '{table}' AND u.ref_id = a.id")
}

fn ufdr_model(r: &rusqlite::Row<'_>, base: usize) -> rusqlite::Result<Option<UfdrModel>> {
    let Some(model_type) = r.get::<_, Option<String>>(base)? else { return Ok(None) };
    let targets: Option<String> = r.get(base + 7)?;
    Ok(Some(UfdrModel {
        model_type,
        id: r.get(base + 1)?,
        deleted_state: r.get(base + 2)?,
        decoding_confidence: r.get(base + 3)?,
        is_related: r.get(base + 4)?,
        is_carved: r.get(base + 5)?,
        extraction: r.get(base + 6)?,
        jump_targets: targets.and_then(|t| serde_json::from_str(&t).ok()),
    }))
}

/// Provenance from the [`PROV_COLS`] at `base` and the [`MODEL_COLS`] at `model_at`.
fn prov_with_model(r: &rusqlite::Row<'_>, base: usize, model_at: usize) -> rusqlite::Result<Provenance> {
    let mut p = prov(r, base)?;
    p.ufdr_model = ufdr_model(r, model_at)?;
    Ok(p)
}

fn prov(r: &rusqlite::Row<'_>, base: usize) -> rusqlite::Result<Provenance> {
    Ok(Provenance {
        ufdr_model: None,
        source_id: r.get(base)?,
        source_label: r.get(base + 1)?,
        path: r.get(base + 2)?,
        file_sha256: r.get(base + 3)?,
        table: r.get(base + 4)?,
        row: r.get(base + 5)?,
        parser: format!("{} {}", r.get::<_, String>(base + 6)?, r.get::<_, String>(base + 7)?),
    })
}

const PROV_COLS: &str = "a.source_id, s.label, f.path, f.sha256, a.src_table, a.src_row, a.parser, a.parser_version, s.timezone";

impl Case {
    /// Messages, oldest first.
    pub fn messages(&self, f: &Filter) -> Result<Vec<MessageView>> {
        let sql = format!(
            "SELECT a.id, a.service, a.direction, a.sender, a.recipients, coalesce(t.name, t.thread_key), a.body, a.body_source,
                    a.sent_utc, a.sent_raw, a.sent_unit, a.time_flag, a.status, a.deleted, {PROV_COLS},
                    a.received_utc, a.received_raw, a.received_unit, a.read_utc, a.read_raw, a.read_unit, {MODEL_COLS}
             FROM messages a {PROV_JOIN} {} LEFT JOIN threads t ON t.id = a.thread_id
             WHERE (?1 IS NULL OR a.source_id = ?1) AND (?2 IS NULL OR a.sent_utc >= ?2) AND (?3 IS NULL OR a.sent_utc < ?3)
             ORDER BY a.sent_utc IS NULL, a.sent_utc, a.id LIMIT coalesce(?4, -1)",
            model_join("messages")
        );
        let mut st = self.conn().prepare(&sql).ctx("listing messages")?;
        let rows = st
            .query_map(params![f.source, f.from_us, f.to_us, f.limit], |r| {
                let zone: Option<String> = r.get(22)?;
                Ok(MessageView {
                    id: r.get(0)?,
                    service: r.get(1)?,
                    direction: r.get(2)?,
                    sender: r.get(3)?,
                    recipients: r.get(4)?,
                    thread: r.get(5)?,
                    body: r.get(6)?,
                    body_source: r.get(7)?,
                    sent: time(r.get(8)?, r.get(9)?, r.get(10)?, &zone, r.get(11)?),
                    received: match r.get::<_, Option<i64>>(23)? {
                        Some(u) => Some(time(Some(u), r.get(24)?, r.get(25)?, &zone, None)),
                        None => None,
                    },
                    read: match r.get::<_, Option<i64>>(26)? {
                        Some(u) => Some(time(Some(u), r.get(27)?, r.get(28)?, &zone, None)),
                        None => None,
                    },
                    status: r.get(12)?,
                    deleted: r.get(13)?,
                    provenance: prov_with_model(r, 14, 29)?,
                })
            })
            .ctx("listing messages")?;
        rows.collect::<std::result::Result<_, _>>().ctx("listing messages")
    }

    /// Calls, oldest first.
    pub fn calls(&self, f: &Filter) -> Result<Vec<CallView>> {
        let sql = format!(
            "SELECT a.id, a.service, a.direction, a.peer, a.peer_name, a.start_utc, a.start_raw, a.start_unit, a.time_flag, a.duration_s, a.answered, a.video, {PROV_COLS}, a.status, {MODEL_COLS}
             FROM calls a {PROV_JOIN} {}
             WHERE (?1 IS NULL OR a.source_id = ?1) AND (?2 IS NULL OR a.start_utc >= ?2) AND (?3 IS NULL OR a.start_utc < ?3)
             ORDER BY a.start_utc IS NULL, a.start_utc, a.id LIMIT coalesce(?4, -1)",
            model_join("calls")
        );
        let mut st = self.conn().prepare(&sql).ctx("listing calls")?;
        let rows = st
            .query_map(params![f.source, f.from_us, f.to_us, f.limit], |r| {
                let zone: Option<String> = r.get(20)?;
                Ok(CallView {
                    id: r.get(0)?,
                    service: r.get(1)?,
                    direction: r.get(2)?,
                    peer: r.get(3)?,
                    peer_name: r.get(4)?,
                    start: time(r.get(5)?, r.get(6)?, r.get(7)?, &zone, r.get(8)?),
                    duration_s: r.get(9)?,
                    answered: r.get(10)?,
                    status: r.get(21)?,
                    video: r.get(11)?,
                    provenance: prov_with_model(r, 12, 22)?,
                })
            })
            .ctx("listing calls")?;
        rows.collect::<std::result::Result<_, _>>().ctx("listing calls")
    }

    /// Contacts, by name.
    pub fn contacts(&self, f: &Filter) -> Result<Vec<ContactView>> {
        let sql = format!(
            "SELECT a.id, a.name, a.account, a.entries, a.deleted, {PROV_COLS},
                    a.created_utc, a.created_raw, a.created_unit, a.modified_utc, a.modified_raw, a.modified_unit, a.time_flag, {MODEL_COLS}
             FROM contacts a {PROV_JOIN} {}
             WHERE (?1 IS NULL OR a.source_id = ?1)
               AND ((?3 IS NULL AND ?4 IS NULL)
                    OR (a.created_utc >= coalesce(?3, a.created_utc) AND a.created_utc < coalesce(?4, a.created_utc + 1))
                    OR (a.modified_utc >= coalesce(?3, a.modified_utc) AND a.modified_utc < coalesce(?4, a.modified_utc + 1)))
             ORDER BY a.name, a.id LIMIT coalesce(?2, -1)",
            model_join("contacts")
        );
        let mut st = self.conn().prepare(&sql).ctx("listing contacts")?;
        let rows = st
            .query_map(params![f.source, f.limit, f.from_us, f.to_us], |r| {
                let entries: String = r.get(3)?;
                let zone: Option<String> = r.get(13)?;
                let flag: Option<String> = r.get(20)?;
                let created = match (r.get::<_, Option<i64>>(14)?, r.get::<_, Option<String>>(15)?) {
                    (None, None) => None,
                    (u, raw) => Some(time(u, raw, r.get(16)?, &zone, flag.clone())),
                };
                let modified = match (r.get::<_, Option<i64>>(17)?, r.get::<_, Option<String>>(18)?) {
                    (None, None) => None,
                    (u, raw) => Some(time(u, raw, r.get(19)?, &zone, flag.clone())),
                };
                Ok(ContactView {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    account: r.get(2)?,
                    entries: serde_json::from_str(&entries).unwrap_or(serde_json::Value::Null),
                    created,
                    modified,
                    deleted: r.get(4)?,
                    provenance: prov_with_model(r, 5, 21)?,
                })
            })
            .ctx("listing contacts")?;
        rows.collect::<std::result::Result<_, _>>().ctx("listing contacts")
    }

    /// Web visits, oldest first.
    pub fn visits(&self, f: &Filter) -> Result<Vec<VisitView>> {
        let sql = format!(
            "SELECT a.id, a.browser, a.url, a.title, a.visit_utc, a.visit_raw, a.visit_unit, a.time_flag, {PROV_COLS}, a.search_term, {MODEL_COLS}
             FROM web_visits a {PROV_JOIN} {}
             WHERE (?1 IS NULL OR a.source_id = ?1) AND (?2 IS NULL OR a.visit_utc >= ?2) AND (?3 IS NULL OR a.visit_utc < ?3)
             ORDER BY a.visit_utc IS NULL, a.visit_utc, a.id LIMIT coalesce(?4, -1)",
            model_join("web_visits")
        );
        let mut st = self.conn().prepare(&sql).ctx("listing web visits")?;
        let rows = st
            .query_map(params![f.source, f.from_us, f.to_us, f.limit], |r| {
                let zone: Option<String> = r.get(16)?;
                Ok(VisitView {
                    id: r.get(0)?,
                    browser: r.get(1)?,
                    url: r.get(2)?,
                    title: r.get(3)?,
                    visited: time(r.get(4)?, r.get(5)?, r.get(6)?, &zone, r.get(7)?),
                    search_term: r.get(17)?,
                    provenance: prov_with_model(r, 8, 18)?,
                })
            })
            .ctx("listing web visits")?;
        rows.collect::<std::result::Result<_, _>>().ctx("listing web visits")
    }

    /// Photo metadata, by time taken.
    pub fn media(&self, f: &Filter) -> Result<Vec<MediaView>> {
        let mut st = self
            .conn()
            .prepare(
                "SELECT a.id, a.source_id, s.label, f.path, f.sha256, f.sniffed, trim(coalesce(a.make, '') || ' ' || coalesce(a.model, '')), a.taken_local, a.taken_offset,
                        a.taken_utc, a.taken_basis, a.gps_lat, a.gps_lon, s.timezone, a.parser || ' ' || a.parser_version
                 FROM media a JOIN sources s ON s.id = a.source_id JOIN files f ON f.id = a.file_id
                 WHERE (?1 IS NULL OR a.source_id = ?1) AND (?2 IS NULL OR a.taken_utc >= ?2) AND (?3 IS NULL OR a.taken_utc < ?3)
                 ORDER BY a.taken_utc IS NULL, a.taken_utc, f.path LIMIT coalesce(?4, -1)",
            )
            .ctx("listing photo metadata")?;
        let rows = st
            .query_map(params![f.source, f.from_us, f.to_us, f.limit], |r| {
                let camera: String = r.get(6)?;
                Ok(MediaView {
                    id: r.get(0)?,
                    source_id: r.get(1)?,
                    source_label: r.get(2)?,
                    path: r.get(3)?,
                    sha256: r.get(4)?,
                    sniffed: r.get(5)?,
                    camera: (!camera.is_empty()).then_some(camera),
                    taken_local: r.get(7)?,
                    taken_offset: r.get(8)?,
                    taken_utc: r.get::<_, Option<i64>>(9)?.map(crate::parsers::time::rfc3339),
                    taken_basis: r.get(10)?,
                    gps_lat: r.get(11)?,
                    gps_lon: r.get(12)?,
                    source_zone: r.get(13)?,
                    parser: r.get(14)?,
                })
            })
            .ctx("listing photo metadata")?;
        rows.collect::<std::result::Result<_, _>>().ctx("listing photo metadata")
    }

    /// Installed applications, by identifier.
    pub fn apps(&self, f: &Filter) -> Result<Vec<AppView>> {
        let sql = format!(
            "SELECT a.id, a.identifier, a.name, a.version, a.installed_utc, a.installed_raw, a.installed_unit, a.deleted, {PROV_COLS}
             FROM apps a {PROV_JOIN}
             WHERE (?1 IS NULL OR a.source_id = ?1) AND (?2 IS NULL OR a.installed_utc >= ?2) AND (?3 IS NULL OR a.installed_utc < ?3)
             ORDER BY a.identifier, a.id LIMIT coalesce(?4, -1)"
        );
        let mut st = self.conn().prepare(&sql).ctx("listing applications")?;
        let rows = st
            .query_map(params![f.source, f.from_us, f.to_us, f.limit], |r| {
                let zone: Option<String> = r.get(16)?;
                let installed = match (r.get::<_, Option<i64>>(4)?, r.get::<_, Option<String>>(5)?) {
                    (None, None) => None,
                    (u, raw) => Some(time(u, raw, r.get(6)?, &zone, None)),
                };
                Ok(AppView { id: r.get(0)?, identifier: r.get(1)?, name: r.get(2)?, version: r.get(3)?, installed, deleted: r.get(7)?, provenance: prov(r, 8)? })
            })
            .ctx("listing applications")?;
        rows.collect::<std::result::Result<_, _>>().ctx("listing applications")
    }

    /// Accounts, by service.
    pub fn accounts(&self, f: &Filter) -> Result<Vec<AccountView>> {
        let sql = format!(
            "SELECT a.id, a.service, a.username, a.display_name, a.created_utc, a.created_raw, a.created_unit, {PROV_COLS}
             FROM accounts a {PROV_JOIN}
             WHERE (?1 IS NULL OR a.source_id = ?1) AND (?2 IS NULL OR a.created_utc >= ?2) AND (?3 IS NULL OR a.created_utc < ?3)
             ORDER BY a.service, a.username, a.id LIMIT coalesce(?4, -1)"
        );
        let mut st = self.conn().prepare(&sql).ctx("listing accounts")?;
        let rows = st
            .query_map(params![f.source, f.from_us, f.to_us, f.limit], |r| {
                let zone: Option<String> = r.get(15)?;
                let created = match (r.get::<_, Option<i64>>(4)?, r.get::<_, Option<String>>(5)?) {
                    (None, None) => None,
                    (u, raw) => Some(time(u, raw, r.get(6)?, &zone, None)),
                };
                Ok(AccountView { id: r.get(0)?, service: r.get(1)?, username: r.get(2)?, display_name: r.get(3)?, created, provenance: prov(r, 7)? })
            })
            .ctx("listing accounts")?;
        rows.collect::<std::result::Result<_, _>>().ctx("listing accounts")
    }

    /// Location fixes, oldest first.
    pub fn locations(&self, f: &Filter) -> Result<Vec<LocationView>> {
        let sql = format!(
            "SELECT a.id, a.kind, a.lat, a.lon, a.alt, a.accuracy_m, a.at_utc, a.at_raw, a.at_unit, a.time_flag, a.name, {PROV_COLS}, {MODEL_COLS}
             FROM locations a {PROV_JOIN} {}
             WHERE (?1 IS NULL OR a.source_id = ?1) AND (?2 IS NULL OR a.at_utc >= ?2) AND (?3 IS NULL OR a.at_utc < ?3)
             ORDER BY a.at_utc IS NULL, a.at_utc, a.id LIMIT coalesce(?4, -1)",
            model_join("locations")
        );
        let mut st = self.conn().prepare(&sql).ctx("listing locations")?;
        let rows = st
            .query_map(params![f.source, f.from_us, f.to_us, f.limit], |r| {
                let zone: Option<String> = r.get(19)?;
                Ok(LocationView {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    lat: r.get(2)?,
                    lon: r.get(3)?,
                    alt: r.get(4)?,
                    accuracy_m: r.get(5)?,
                    at: time(r.get(6)?, r.get(7)?, r.get(8)?, &zone, r.get(9)?),
                    name: r.get(10)?,
                    provenance: prov_with_model(r, 11, 20)?,
                })
            })
            .ctx("listing locations")?;
        rows.collect::<std::result::Result<_, _>>().ctx("listing locations")
    }

    /// Set the time zone of a source (IANA name, e.g. `Europe/Paris`), shown beside every time.
    pub fn set_source_timezone(&mut self, source_id: i64, zone: &str) -> Result<()> {
        let shaped = zone == "UTC" || (zone.contains('/') && !zone.contains("..") && zone.chars().all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c)));
        if !shaped || !known_zone(zone) {
            return Err(crate::Error::InvalidArgument(format!("'{zone}' is not an IANA time zone name such as Europe/Paris")));
        }
        let actor = self.actor();
        let tx = self.conn_mut().transaction().ctx("setting the time zone")?;
        let n = tx.execute("UPDATE sources SET timezone = ?2 WHERE id = ?1", params![source_id, zone]).ctx("setting the time zone")?;
        if n == 0 {
            return Err(crate::Error::InvalidArgument(format!("no source {source_id}")));
        }
        super::audit::append(&tx, &actor, "source.timezone", &serde_json::json!({"source_id": source_id, "timezone": zone}))?;
        tx.commit().ctx("setting the time zone")
    }
}

/// Whether the system's time zone database (`$TZDIR`, else `/usr/share/zoneinfo`, Debian's
/// `tzdata`) knows `zone`: a TZif file of that name. Without a database (a minimal system), the
/// name's shape is all that can be checked.
fn known_zone(zone: &str) -> bool {
    if zone == "UTC" {
        return true;
    }
    let dir = std::env::var_os("TZDIR").map(std::path::PathBuf::from).unwrap_or_else(|| std::path::PathBuf::from("/usr/share/zoneinfo"));
    if !dir.join("UTC").exists() && !dir.join("Etc/UTC").exists() {
        return true;
    }
    let mut head = [0u8; 4];
    std::fs::File::open(dir.join(zone)).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok() && &head == b"TZif"
}

#[cfg(test)]
mod tests {
    #[test]
    fn time_zone_names_are_checked_against_the_database() {
        assert!(super::known_zone("UTC"));
        if std::path::Path::new("/usr/share/zoneinfo/Europe/Paris").exists() {
            assert!(super::known_zone("Europe/Paris"));
            assert!(super::known_zone("America/Argentina/Buenos_Aires"));
            assert!(!super::known_zone("Mars/Olympus"));
            assert!(!super::known_zone("Europe"));
        }
    }
}
