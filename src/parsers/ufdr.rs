//! The decoded models of a Cellebrite UFDR's `report.xml` (chats, messages, calls, contacts,
//! locations, web history, accounts, apps), streamed into the case's artefact tables.
//!
//! `report.xml` is read again from the UFDR, as a stream (it can be hundreds of MB): each top-level
//! `decodedData/modelType/model` is built as a small tree, mapped, written and dropped. A `Chat`'s
//! messages are mapped one by one as they are read, so a chat of any length never sits in memory
//! whole (its thread row is written first; messages wait for it in a bounded buffer).
//!
//! | model | rows |
//! |---|---|
//! | `Chat` | `threads` (key: the model's `id`), its `Messages` → `messages` |
//! | `InstantMessage`, `SMS`, `MMS` | `messages` (+ `attachments`, + `locations` for a shared `Position`); `DateRead` → read, `DateDelivered` → received |
//! | `Call` | `calls` |
//! | `Contact` | `contacts` (entries: `PhoneNumber` → phone, `EmailAddress` → email, `UserID` → user-id …) |
//! | `Location` | `locations` |
//! | `VisitedPage`, `SearchedItem` | `web_visits` |
//! | `UserAccount` | `accounts` |
//! | `InstalledApplication` | `apps` |
//!
//! Every other model type is counted and skipped (the run says which). Provenance: the file is the
//! UFDR's `report.xml` (`/_ufdr/report.xml`); `src_table` is `ufdr:<model type>` and `src_row` the
//! model's 1-based ordinal among the models of that type in document order (nested ones included),
//! so a row leads back to its model. Every row also gets a `ufdr_models` row (keyed by its case
//! table and row id) with what Cellebrite says of the model: its `id` (UUID), `deleted_state`,
//! `decoding_confidence`, `isrelated`, `iscarved`, `source_index`, `extractionId` with the
//! extraction's name from `sourceExtractions`, and its `jumptargets` (the tagged files it was
//! decoded from, as `[{id, path}]`, the path being the file's virtual path when the report tags it).
//! A message's `status` is the model's own `Status` field only.
//!
//! Times: the `formattedTimestamp` attribute (ISO 8601 with an offset) is preferred to the value
//! text; when the value text carries the same instant with milliseconds, the milliseconds are kept
//! and the raw text shows both. The UTC µs are computed here and stored with unit `unix-us`, the raw
//! column holding the ISO text as written (no unit of [`super::time`] describes ISO strings). A time
//! without any offset is a clock reading of unknown zone: kept as raw text, flagged, and not placed
//! on the UTC timeline. `0001-01-01` (the .NET "no value") is "not set".
//!
//! One `runs` row per source records the counts per model type and the model types skipped.
//! Malformed XML ends the run as failed, naming the file and the line, column and byte; its partial
//! rows are rolled back.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::BufRead;
use std::rc::Rc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use rusqlite::params;

use super::RunReport;
use super::artefacts::{Account, App, Artefact, Attachment, Call, CallStatus, Contact, ContactEntry, Direction, Location, Message, Thread, Visit};
use super::store::Store;
use super::time::{Stamp, Unit};
use crate::case::{Case, SourceInfo, now_rfc3339};
use crate::error::{Result, SqlContext};
use crate::progress::CancelToken;
use crate::vfs::ufdr::{
    UfdrTime, attr, device_virtual_path, is_unset_us, local, member_key, member_virtual_path, parse_time, position_text, push_ref, skip, with_report,
};

/// Parser name.
pub const NAME: &str = "ufdr-report";
/// Parser version.
pub const VERSION: &str = "2";

/// Messages of a chat held back while its thread row waits for the chat's end.
const CHAT_BUFFER: usize = 5000;
/// Identifiers of message parties remembered per chat (thread participants when the chat lists none).
const CHAT_PARTIES: usize = 500;

// ---------------------------------------------------------------------------------------------
// The model tree.
// ---------------------------------------------------------------------------------------------

/// One `<value>`.
#[derive(Debug, Default, Clone)]
struct Val {
    text: String,
    formatted: Option<String>,
}

/// One `<model>` with what it holds.
#[derive(Debug, Default)]
struct Node {
    mtype: String,
    id: Option<String>,
    deleted_state: Option<String>,
    confidence: Option<String>,
    /// `isrelated`, `iscarved`, `source_index`, `extractionId` attributes, as written.
    is_related: Option<String>,
    is_carved: Option<String>,
    source_index: Option<String>,
    extraction_id: Option<String>,
    /// `jumptargets/targetid`: ids of the tagged files the model was decoded from.
    jump_targets: Vec<String>,
    row: i64,
    /// `field` and `multiField`, by name.
    fields: Vec<(String, Vec<Val>)>,
    /// `modelField` and `multiModelField`, by name.
    models: Vec<(String, Vec<Node>)>,
}

impl Node {
    fn vals(&self, name: &str) -> &[Val] {
        self.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice()).unwrap_or(&[])
    }

    fn val(&self, name: &str) -> Option<&Val> {
        self.vals(name).iter().find(|v| !v.text.trim().is_empty() || v.formatted.as_deref().is_some_and(|f| !f.trim().is_empty()))
    }

    /// First non-blank value, trimmed.
    fn text(&self, name: &str) -> Option<&str> {
        self.vals(name).iter().map(|v| v.text.trim()).find(|t| !t.is_empty())
    }

    /// First non-blank value as written (message bodies keep their spacing).
    fn raw(&self, name: &str) -> Option<&str> {
        self.vals(name).iter().map(|v| v.text.as_str()).find(|t| !t.trim().is_empty())
    }

    fn first_text(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.text(n))
    }

    fn models(&self, name: &str) -> &[Node] {
        self.models.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice()).unwrap_or(&[])
    }

    fn model(&self, name: &str) -> Option<&Node> {
        self.models(name).first()
    }

    fn flag(&self, name: &str) -> bool {
        self.text(name).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1" || v.eq_ignore_ascii_case("yes"))
    }

    fn number(&self, name: &str) -> Option<f64> {
        self.text(name).and_then(|v| v.replace(',', ".").parse::<f64>().ok()).filter(|v| v.is_finite())
    }

    fn deleted(&self) -> bool {
        self.deleted_state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Deleted") || s.eq_ignore_ascii_case("Trash"))
    }

    /// What Cellebrite says about where the model came from (one `ufdr_models` row per artefact
    /// row made from it).
    fn provenance(&self) -> Rc<Prov> {
        Rc::new(Prov {
            model_type: self.mtype.clone(),
            id: self.id.clone(),
            deleted_state: self.deleted_state.clone(),
            confidence: self.confidence.clone(),
            is_related: self.is_related.clone(),
            is_carved: self.is_carved.clone(),
            source_index: self.source_index.clone(),
            extraction_id: self.extraction_id.clone(),
            jump_targets: self.jump_targets.clone(),
        })
    }

    fn src(&self) -> (&'static str, Option<i64>) {
        (src_table(&self.mtype), Some(self.row))
    }
}

/// The provenance attributes of one model (see [`Node::provenance`]).
#[derive(Debug, Clone, Default)]
struct Prov {
    model_type: String,
    id: Option<String>,
    deleted_state: Option<String>,
    confidence: Option<String>,
    is_related: Option<String>,
    is_carved: Option<String>,
    source_index: Option<String>,
    extraction_id: Option<String>,
    jump_targets: Vec<String>,
}

/// An artefact row and the model it was made from.
type Row = (Artefact, Rc<Prov>);

/// Case table of an artefact kind as [`Store::put`] names it.
fn table_of(kind: &str) -> &'static str {
    match kind {
        "threads" => "threads",
        "messages" => "messages",
        "attachments" => "attachments",
        "calls" => "calls",
        "contacts" => "contacts",
        "web visits" => "web_visits",
        "locations" => "locations",
        "accounts" => "accounts",
        "apps" => "apps",
        _ => "other",
    }
}

/// `src_table` of a model type.
fn src_table(t: &str) -> &'static str {
    match t {
        "Chat" => "ufdr:Chat",
        "InstantMessage" => "ufdr:InstantMessage",
        "SMS" => "ufdr:SMS",
        "MMS" => "ufdr:MMS",
        "Call" => "ufdr:Call",
        "Contact" => "ufdr:Contact",
        "Location" => "ufdr:Location",
        "VisitedPage" => "ufdr:VisitedPage",
        "SearchedItem" => "ufdr:SearchedItem",
        "UserAccount" => "ufdr:UserAccount",
        "InstalledApplication" => "ufdr:InstalledApplication",
        "Attachment" => "ufdr:Attachment",
        _ => "ufdr:other",
    }
}

/// Model types mapped to rows when met at the top level.
const MAPPED: &[&str] = &["Chat", "InstantMessage", "SMS", "MMS", "Call", "Contact", "Location", "VisitedPage", "SearchedItem", "UserAccount", "InstalledApplication"];

fn is_message_type(t: &str) -> bool {
    matches!(t, "InstantMessage" | "SMS" | "MMS")
}

// ---------------------------------------------------------------------------------------------
// Value conversions.
// ---------------------------------------------------------------------------------------------

const MIN_PLAUSIBLE_US: i64 = 788_918_400_000_000; // 1995-01-01
const MAX_PLAUSIBLE_US: i64 = 2_366_841_600_000_000; // 2045-01-01

/// A report time as a [`Stamp`] (see the module docs for the conventions).
fn stamp_of(v: Option<&Val>) -> Option<Stamp> {
    let v = v?;
    let text = v.text.trim();
    let formatted = v.formatted.as_deref().map(str::trim).filter(|f| !f.is_empty());
    let raw = formatted.unwrap_or(text);
    if raw.is_empty() {
        return None;
    }
    match parse_time(raw) {
        Some(UfdrTime::Utc(us)) => {
            if is_unset_us(us) {
                return None;
            }
            let (us, raw) = match (formatted, parse_time(text)) {
                (Some(f), Some(UfdrTime::Floating(t) | UfdrTime::Utc(t))) if t != us && (t - us).abs() < 1_000_000 => (t, format!("{f} (value {text})")),
                _ => (us, raw.to_string()),
            };
            let flag = (!(MIN_PLAUSIBLE_US..MAX_PLAUSIBLE_US).contains(&us)).then(|| "outside 1995–2045, implausible for phone evidence".to_string());
            Some(Stamp { utc_us: Some(us), raw, unit: Unit::UnixUs, flag })
        }
        Some(UfdrTime::Floating(us)) if is_unset_us(us) => None,
        Some(UfdrTime::Floating(_)) => Some(Stamp {
            utc_us: None,
            raw: raw.to_string(),
            unit: Unit::UnixUs,
            flag: Some("no UTC offset in the report: a clock reading of unknown zone, not placed on the UTC timeline".into()),
        }),
        None => Some(Stamp { utc_us: None, raw: raw.to_string(), unit: Unit::UnixUs, flag: Some("time format not recognised".into()) }),
    }
}

/// A .NET `TimeSpan` text (`[-][d.]hh:mm:ss[.fffffff]`) or plain seconds, in seconds.
fn timespan_s(s: &str) -> Option<f64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (days, rest) = match s.split_once('.') {
        Some((d, r)) if !d.contains(':') && r.contains(':') => (d.parse::<f64>().ok()?, r),
        _ => (0.0, s),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let num = |p: &str| p.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0);
    let secs = match parts.as_slice() {
        [sec] => num(sec)?,
        [m, sec] => num(m)? * 60.0 + num(sec)?,
        [h, m, sec] => num(h)? * 3600.0 + num(m)? * 60.0 + num(sec)?,
        [d, h, m, sec] => num(d)? * 86400.0 + num(h)? * 3600.0 + num(m)? * 60.0 + num(sec)?,
        _ => return None,
    };
    let total = days * 86400.0 + secs;
    Some(if neg { -total } else { total })
}

/// A service name from an app name (`WhatsApp` → `whatsapp`).
fn service_of(v: Option<&str>) -> Option<String> {
    v.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty())
}

/// Direction words of the `Type`, `Direction`, `Status` and `Folder` fields.
fn direction_word(v: &str) -> Option<Direction> {
    match v.trim().to_ascii_lowercase().as_str() {
        "incoming" | "received" | "inbox" | "in" | "missed" | "rejected" | "declined" => Some(Direction::Incoming),
        "outgoing" | "sent" | "outbox" | "out" | "sending" | "unsent" => Some(Direction::Outgoing),
        _ => None,
    }
}

/// A call's status from its `Status` field (`Missed`, `Rejected`, `Established` …), else from its
/// direction and whether it was answered. Words not known are kept as written.
fn call_status(status: Option<&str>, direction: Direction, answered: Option<bool>) -> Option<CallStatus> {
    let by_direction = match (direction, answered) {
        (Direction::Outgoing, _) => Some(CallStatus::Outgoing),
        (Direction::Incoming, Some(true)) => Some(CallStatus::Incoming),
        _ => None,
    };
    let Some(word) = status.map(str::trim).filter(|w| !w.is_empty()) else { return by_direction };
    let w = word.to_ascii_lowercase();
    Some(match w.as_str() {
        "missed" | "unanswered" | "not answered" => CallStatus::Missed,
        "rejected" | "declined" | "refused" => CallStatus::Rejected,
        "blocked" => CallStatus::Blocked,
        "voicemail" | "voice mail" => CallStatus::Voicemail,
        "answered elsewhere" | "answered externally" | "pulled" => CallStatus::AnsweredElsewhere,
        "incoming" => CallStatus::Incoming,
        "outgoing" | "dialed" => CallStatus::Outgoing,
        "established" | "answered" | "connected" | "accepted" => match direction {
            Direction::Outgoing => CallStatus::Outgoing,
            Direction::Incoming => CallStatus::Incoming,
            Direction::Unknown => CallStatus::Other(word.to_string()),
        },
        _ => CallStatus::Other(word.to_string()),
    })
}

fn is_owner(p: &Node) -> bool {
    p.flag("IsPhoneOwner")
}

/// Identifier of a party (its name when it has none).
fn party_id(p: &Node) -> Option<String> {
    p.first_text(&["Identifier", "Name"]).map(str::to_string)
}

fn role_is(p: &Node, role: &str) -> bool {
    p.text("Role").is_some_and(|r| r.eq_ignore_ascii_case(role))
}

fn valid_coordinates(lat: Option<f64>, lon: Option<f64>) -> Option<(f64, f64)> {
    let (lat, lon) = (lat?, lon?);
    let ok = lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 && !(lat == 0.0 && lon == 0.0);
    ok.then_some((lat, lon))
}

fn address_of(a: &Node) -> Option<String> {
    if let Some(full) = a.text("FullAddress") {
        return Some(full.to_string());
    }
    let parts: Vec<&str> = ["Street1", "Street2", "HouseNumber", "City", "State", "PostalCode", "Country"].iter().filter_map(|n| a.text(n)).collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

// ---------------------------------------------------------------------------------------------
// Mapping models to rows.
// ---------------------------------------------------------------------------------------------

struct ChatState {
    key: String,
    thread_put: bool,
    pending: Vec<Row>,
    parties: BTreeSet<String>,
}

/// Writes rows and keeps the counts of one run.
struct Mapper<'s, 'c> {
    store: &'s mut Store<'c>,
    /// Rows written, by table.
    rows: BTreeMap<&'static str, i64>,
    /// Top-level models mapped, by type.
    models: BTreeMap<String, u64>,
    /// Messages read inside chats.
    chat_messages: u64,
    /// Top-level models skipped, by type.
    skipped: BTreeMap<String, u64>,
    /// Models that could not give a row, by reason.
    unusable: BTreeMap<&'static str, u64>,
    /// Running index per model type.
    ordinals: HashMap<String, i64>,
    /// Tagged file id → virtual path.
    files_by_id: HashMap<String, String>,
    /// Member key → virtual path (tagged files).
    files_by_member: HashMap<String, String>,
    /// Member keys present in the ZIP.
    members: HashSet<String>,
    /// `sourceExtractions/extractionInfo`: id → name.
    extractions: HashMap<String, String>,
    chat: Option<ChatState>,
}

impl<'s, 'c> Mapper<'s, 'c> {
    fn next_row(&mut self, t: &str) -> i64 {
        let n = self.ordinals.entry(t.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    /// Write a row and the provenance of the model it came from.
    fn put(&mut self, (a, prov): Row) -> Result<()> {
        let kind = self.store.put(a)?;
        *self.rows.entry(kind).or_default() += 1;
        let ref_id = self.store.last_row_id();
        let targets: Vec<serde_json::Value> =
            prov.jump_targets.iter().map(|id| serde_json::json!({ "id": id, "path": self.files_by_id.get(id) })).collect();
        let extraction_name = prov.extraction_id.as_ref().and_then(|e| self.extractions.get(e));
        let (source_id, run_id) = self.store.source_and_run();
        self.store
            .conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO ufdr_models (ref_table, ref_id, source_id, run_id, model_type, model_id, deleted_state, decoding_confidence, is_related, is_carved,
                                                     source_index, extraction_id, extraction_name, jump_targets)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    table_of(kind),
                    ref_id,
                    source_id,
                    run_id,
                    prov.model_type,
                    prov.id,
                    prov.deleted_state,
                    prov.confidence,
                    prov.is_related,
                    prov.is_carved,
                    prov.source_index,
                    prov.extraction_id,
                    extraction_name,
                    (!targets.is_empty()).then(|| serde_json::Value::Array(targets).to_string()),
                ])
            })
            .ctx("writing the provenance of a UFDR model")?;
        Ok(())
    }

    fn items(&self) -> i64 {
        self.rows.values().sum()
    }

    /// Virtual path of an attachment's file (the three reference mechanisms of the report).
    fn attachment_path(&self, a: &Node) -> Option<String> {
        let extracted = a.first_text(&["attachment_extracted_path", "AttachmentExtractedPath", "ExtractedPath"]).map(member_key);
        if let Some(key) = &extracted
            && self.members.contains(key)
        {
            return Some(self.files_by_member.get(key).cloned().unwrap_or_else(|| member_virtual_path(key)));
        }
        if let Some(p) = a.first_text(&["file_id", "FileId"]).and_then(|id| self.files_by_id.get(id)) {
            return Some(p.clone());
        }
        extracted.map(|key| self.files_by_member.get(&key).cloned().unwrap_or_else(|| member_virtual_path(&key)))
    }

    /// A message model → message (+ attachments, + a shared location).
    fn message_rows(&self, m: &Node, thread_key: Option<&str>, chat_service: Option<&str>) -> (Vec<Row>, Vec<String>) {
        let table = src_table(&m.mtype);
        let parties_all = m.models("Parties");
        let from = m.model("From").or_else(|| parties_all.iter().find(|p| role_is(p, "From")));
        let mut to: Vec<&Node> = m.models("To").iter().collect();
        if to.is_empty() {
            to = parties_all.iter().filter(|p| role_is(p, "To")).collect();
        }
        let mut direction = ["Type", "Direction", "Status", "Folder"].iter().filter_map(|f| m.text(f)).find_map(direction_word).unwrap_or(Direction::Unknown);
        if direction == Direction::Unknown {
            if from.is_some_and(is_owner) {
                direction = Direction::Outgoing;
            } else if to.iter().any(|p| is_owner(p)) {
                direction = Direction::Incoming;
            }
        }
        let default_service = match m.mtype.as_str() {
            "SMS" => "sms",
            "MMS" => "mms",
            _ => "unknown",
        };
        let service = service_of(m.first_text(&["Source", "SourceApplication"])).or_else(|| service_of(chat_service)).unwrap_or_else(|| default_service.to_string());
        let prov = m.provenance();
        let sender = from.and_then(party_id);
        let recipients: Vec<String> = to.iter().filter_map(|p| party_id(p)).collect();
        let mut parties: Vec<String> = sender.iter().cloned().collect();
        parties.extend(recipients.iter().cloned());
        let sent = stamp_of(m.val("TimeStamp"));
        let mut out = vec![(Artefact::Message(Message {
            src: m.src(),
            thread_key: thread_key.map(str::to_string),
            service,
            direction,
            sender,
            recipients,
            body: m.raw("Body").map(str::to_string),
            body_source: Some("ufdr:Body"),
            sent: sent.clone(),
            read: stamp_of(m.val("DateRead")),
            received: stamp_of(m.val("DateDelivered")),
            status: m.text("Status").map(str::to_string),
            deleted: m.deleted(),
        }), prov.clone())];
        let atts = m.model("Attachment").into_iter().chain(m.models("Attachments"));
        for a in atts {
            out.push((Artefact::Attachment(Attachment {
                src: ("ufdr:Attachment", Some(a.row)),
                message: (table, m.row),
                filename: a.first_text(&["Filename", "FileName", "Name"]).map(str::to_string),
                mime: a.first_text(&["ContentType", "MimeType"]).map(str::to_string),
                size: a.number("Size").map(|v| v as i64),
                evidence_path: self.attachment_path(a),
            }), a.provenance()));
        }
        if let Some(p) = m.model("Position")
            && let Some((lat, lon)) = valid_coordinates(p.number("Latitude"), p.number("Longitude"))
        {
            out.push((Artefact::Location(Location {
                src: m.src(),
                kind: "ufdr:shared-location".into(),
                lat,
                lon,
                alt: p.number("Elevation"),
                accuracy_m: p.number("PositionAccuracy").or_else(|| p.number("HorizontalAccuracy")).filter(|v| *v >= 0.0),
                at: sent,
                name: m.text("PositionAddress").map(str::to_string),
            }), prov));
        }
        (out, parties)
    }

    fn thread_of(chat: &Node, key: &str, from_messages: &BTreeSet<String>) -> Thread {
        let mut participants: Vec<String> = chat.models("Participants").iter().filter_map(party_id).collect();
        if participants.is_empty() {
            participants = from_messages.iter().cloned().collect();
        }
        let chat_type = chat.text("ChatType").unwrap_or("").to_ascii_lowercase();
        Thread {
            src: chat.src(),
            service: service_of(chat.text("Source")).unwrap_or_else(|| "unknown".into()),
            key: key.to_string(),
            name: chat.text("Name").map(str::to_string),
            is_group: chat_type.contains("group") || chat_type.contains("broadcast") || participants.len() > 2,
            participants,
        }
    }

    /// A message read inside a top-level chat: buffered until the thread row is written.
    fn chat_message(&mut self, m: &Node, chat: &Node) -> Result<()> {
        let Some(state) = self.chat.as_ref() else { return Ok(()) };
        let key = state.key.clone();
        let (rows, parties) = self.message_rows(m, Some(&key), chat.text("Source"));
        self.chat_messages += 1;
        let Some(state) = self.chat.as_mut() else { return Ok(()) };
        for p in parties {
            if state.parties.len() < CHAT_PARTIES {
                state.parties.insert(p);
            }
        }
        if state.thread_put {
            for r in rows {
                self.put(r)?;
            }
            return Ok(());
        }
        state.pending.extend(rows);
        if state.pending.len() >= CHAT_BUFFER {
            self.flush_chat(chat)?;
        }
        Ok(())
    }

    /// Write the chat's thread (if not yet) and its pending messages.
    fn flush_chat(&mut self, chat: &Node) -> Result<()> {
        let Some(state) = self.chat.as_mut() else { return Ok(()) };
        let pending = std::mem::take(&mut state.pending);
        let thread = (!state.thread_put).then(|| Self::thread_of(chat, &state.key, &state.parties));
        state.thread_put = true;
        if let Some(t) = thread {
            self.put((Artefact::Thread(t), chat.provenance()))?;
        }
        for r in pending {
            self.put(r)?;
        }
        Ok(())
    }

    /// A top-level model, complete.
    fn top(&mut self, m: Node) -> Result<()> {
        *self.models.entry(m.mtype.clone()).or_default() += 1;
        match m.mtype.as_str() {
            "Chat" => {
                self.flush_chat(&m)?;
                self.chat = None;
            }
            t if is_message_type(t) => {
                let (rows, _) = self.message_rows(&m, None, None);
                for r in rows {
                    self.put(r)?;
                }
            }
            "Call" => self.call(&m)?,
            "Contact" => self.contact(&m)?,
            "Location" => self.location(&m)?,
            "VisitedPage" | "SearchedItem" => self.visit(&m)?,
            "UserAccount" => {
                let service = m.first_text(&["ServiceType", "ServiceIdentifier", "Source"]).unwrap_or("unknown").to_string();
                self.put((
                    Artefact::Account(Account {
                        src: m.src(),
                        service,
                        username: m.first_text(&["Username", "UserName"]).map(str::to_string),
                        display_name: m.text("Name").map(str::to_string),
                        created: stamp_of(m.val("TimeCreated")),
                    }),
                    m.provenance(),
                ))?;
            }
            "InstalledApplication" => {
                let Some(identifier) = m.first_text(&["Identifier", "Name"]).map(str::to_string) else {
                    *self.unusable.entry("InstalledApplication without identifier or name").or_default() += 1;
                    return Ok(());
                };
                self.put((
                    Artefact::App(App {
                        src: m.src(),
                        identifier,
                        name: m.text("Name").map(str::to_string),
                        version: m.text("Version").map(str::to_string),
                        installed: stamp_of(m.val("InstallDate").or_else(|| m.val("PurchaseDate"))),
                        deleted: m.deleted() || m.val("DeletedDate").is_some(),
                    }),
                    m.provenance(),
                ))?;
            }
            _ => {}
        }
        Ok(())
    }

    fn call(&mut self, c: &Node) -> Result<()> {
        let mut parties: Vec<&Node> = c.models("Parties").iter().collect();
        parties.extend(c.model("From"));
        parties.extend(c.models("To"));
        let words: Vec<&str> = ["Direction", "Type", "Status"].iter().filter_map(|f| c.text(f)).collect();
        let direction = words.iter().find_map(|w| direction_word(w)).unwrap_or(Direction::Unknown);
        let want_role = match direction {
            Direction::Incoming => Some("From"),
            Direction::Outgoing => Some("To"),
            Direction::Unknown => None,
        };
        let others: Vec<&Node> = parties.iter().copied().filter(|p| !is_owner(p)).collect();
        let peer = want_role.and_then(|r| others.iter().find(|p| role_is(p, r))).or_else(|| others.first()).or_else(|| parties.first()).copied();
        let duration_s = c.text("Duration").and_then(timespan_s);
        let refused = words.iter().any(|w| {
            let w = w.to_ascii_lowercase();
            ["missed", "rejected", "declined", "cancel", "unanswered", "not answered", "blocked"].iter().any(|k| w.contains(k))
        });
        let answered = if refused {
            Some(false)
        } else if duration_s.is_some_and(|d| d > 0.0) {
            Some(true)
        } else {
            None
        };
        let status = call_status(c.text("Status"), direction, answered);
        let peer_id = peer.and_then(party_id);
        let peer_name = peer.and_then(|p| p.text("Name")).map(str::to_string).filter(|n| Some(n) != peer_id.as_ref());
        self.put((Artefact::Call(Call {
            src: c.src(),
            service: service_of(c.text("Source")).unwrap_or_else(|| "phone".into()),
            direction,
            peer: peer_id,
            peer_name,
            start: stamp_of(c.val("TimeStamp")),
            duration_s,
            answered,
            status,
            video: c.flag("VideoCall"),
            deleted: c.deleted(),
        }), c.provenance()))
    }

    fn contact(&mut self, c: &Node) -> Result<()> {
        let mut entries = Vec::new();
        for e in c.models("Entries") {
            let kind = match e.mtype.as_str() {
                "PhoneNumber" => "phone".to_string(),
                "EmailAddress" | "EMailAddress" => "email".to_string(),
                "UserID" => "user-id".to_string(),
                "WebAddress" => "url".to_string(),
                "StreetAddress" => "address".to_string(),
                other => other.to_ascii_lowercase(),
            };
            let value = if e.mtype == "StreetAddress" { e.text("Value").map(str::to_string).or_else(|| address_of(e)) } else { e.text("Value").map(str::to_string) };
            let Some(value) = value else { continue };
            entries.push(ContactEntry { kind, value, label: e.first_text(&["Category", "Domain"]).map(str::to_string) });
        }
        let name = c.text("Name").map(str::to_string).or_else(|| {
            let parts: Vec<&str> = ["FirstName", "LastName"].iter().filter_map(|n| c.text(n)).collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        let account = match (c.text("Source"), c.text("Account")) {
            (Some(s), Some(a)) => Some(format!("{s} ({a})")),
            (Some(s), None) => Some(s.to_string()),
            (None, Some(a)) => Some(a.to_string()),
            (None, None) => None,
        };
        self.put((
            Artefact::Contact(Contact {
                src: c.src(),
                name,
                account,
                entries,
                created: stamp_of(c.val("TimeCreated")),
                modified: stamp_of(c.val("TimeModified")),
                deleted: c.deleted(),
            }),
            c.provenance(),
        ))
    }

    fn location(&mut self, l: &Node) -> Result<()> {
        let pos = l.model("Position");
        let get = |n: &str| pos.and_then(|p| p.number(n)).or_else(|| l.number(n));
        let Some((lat, lon)) = valid_coordinates(get("Latitude"), get("Longitude")) else {
            *self.unusable.entry("Location without valid coordinates").or_default() += 1;
            return Ok(());
        };
        let mut names: Vec<String> = Vec::new();
        if let Some(n) = l.text("Name") {
            names.push(n.to_string());
        }
        if let Some(a) = l.model("Address").and_then(address_of).or_else(|| l.text("Address").map(str::to_string)) {
            names.push(a);
        }
        if names.is_empty()
            && let Some(d) = l.text("Description")
        {
            names.push(d.to_string());
        }
        let accuracy =
            ["GpsHorizontalAccuracy", "HorizontalAccuracy", "Precision", "Accuracy"].iter().find_map(|n| l.number(n).or_else(|| pos.and_then(|p| p.number(n))));
        self.put((Artefact::Location(Location {
            src: l.src(),
            kind: match service_of(l.text("Source")) {
                Some(s) => format!("ufdr:{s}"),
                None => "ufdr".into(),
            },
            lat,
            lon,
            alt: get("Elevation"),
            accuracy_m: accuracy.filter(|v| *v >= 0.0),
            at: stamp_of(l.val("TimeStamp").or_else(|| l.val("StartTime"))),
            name: (!names.is_empty()).then(|| names.join(" — ")),
        }), l.provenance()))
    }

    fn visit(&mut self, v: &Node) -> Result<()> {
        let searched = v.mtype == "SearchedItem";
        let value = v.text("Value");
        let url = match (v.text("Url"), searched, value) {
            (Some(u), _, _) => u.to_string(),
            (None, true, Some(q)) => format!("search: {q}"),
            _ => {
                *self.unusable.entry(if searched { "SearchedItem without text or URL" } else { "VisitedPage without URL" }).or_default() += 1;
                return Ok(());
            }
        };
        let title = if searched { value.map(|q| format!("search: {q}")) } else { v.text("Title").map(str::to_string) };
        self.put((Artefact::Visit(Visit {
            src: v.src(),
            browser: service_of(v.text("Source")).unwrap_or_else(|| "unknown".into()),
            url,
            title,
            visited: stamp_of(v.val("LastVisited").or_else(|| v.val("TimeStamp"))),
            search_term: if searched { value.map(str::to_string) } else { None },
        }), v.provenance()))
    }
}

// ---------------------------------------------------------------------------------------------
// The streaming reader.
// ---------------------------------------------------------------------------------------------

/// The text being collected by the innermost open element, if it collects text.
fn open_text(stack: &mut [Frame]) -> Option<&mut String> {
    match stack.last_mut() {
        Some(Frame::Value(v)) => Some(&mut v.text),
        Some(Frame::TItem { text, .. }) => Some(text),
        Some(Frame::Target(text)) => Some(text),
        _ => None,
    }
}

enum Frame {
    Project,
    DecodedData,
    ModelType,
    TaggedFiles,
    TFile { id: Option<String>, path: Option<String>, local: Option<String> },
    TMeta,
    TItem { name: String, text: String },
    Model(Box<Node>),
    Field { name: String, values: Vec<Val> },
    Value(Val),
    ModelField { name: String, models: Vec<Node> },
    /// `<jumptargets>` of the model below it.
    Jumps,
    /// `<targetid>`: a tagged file's id.
    Target(String),
    SourceExtractions,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Top {
    None,
    Project,
    DecodedData,
    ModelType,
    TaggedFiles,
    TFile,
    TMeta,
    Model,
    Field,
    ModelField,
    Jumps,
    SourceExtractions,
    Text,
}

fn top_of(stack: &[Frame]) -> Top {
    match stack.last() {
        None => Top::None,
        Some(Frame::Project) => Top::Project,
        Some(Frame::DecodedData) => Top::DecodedData,
        Some(Frame::ModelType) => Top::ModelType,
        Some(Frame::TaggedFiles) => Top::TaggedFiles,
        Some(Frame::TFile { .. }) => Top::TFile,
        Some(Frame::TMeta) => Top::TMeta,
        Some(Frame::Model(_)) => Top::Model,
        Some(Frame::Field { .. }) => Top::Field,
        Some(Frame::ModelField { .. }) => Top::ModelField,
        Some(Frame::Jumps) => Top::Jumps,
        Some(Frame::SourceExtractions) => Top::SourceExtractions,
        Some(Frame::TItem { .. } | Frame::Value(_) | Frame::Target(_)) => Top::Text,
    }
}

/// Why reading stopped.
enum Stop {
    Xml { pos: u64, msg: String },
    NotAReport(String),
    Cancelled,
    Write(crate::error::Error),
}

impl From<crate::error::Error> for Stop {
    fn from(e: crate::error::Error) -> Self {
        Stop::Write(e)
    }
}

fn node_of(e: &BytesStart<'_>) -> std::result::Result<Node, String> {
    Ok(Node {
        mtype: attr(e, "type")?.unwrap_or_default(),
        id: attr(e, "id")?.filter(|s| !s.trim().is_empty()),
        deleted_state: attr(e, "deleted_state")?.filter(|s| !s.trim().is_empty()),
        confidence: attr(e, "decoding_confidence")?.filter(|s| !s.trim().is_empty()),
        is_related: attr(e, "isrelated")?.filter(|s| !s.trim().is_empty()),
        is_carved: attr(e, "iscarved")?.filter(|s| !s.trim().is_empty()),
        source_index: attr(e, "source_index")?.filter(|s| !s.trim().is_empty()),
        extraction_id: attr(e, "extractionId")?.filter(|s| !s.trim().is_empty()),
        ..Node::default()
    })
}

/// Is the model on top of the stack a message of a top-level chat (…/modelType/Chat/Messages/·)?
fn in_top_chat_messages(stack: &[Frame]) -> bool {
    let n = stack.len();
    n >= 3
        && matches!(&stack[n - 1], Frame::ModelField { name, .. } if name.eq_ignore_ascii_case("Messages"))
        && matches!(&stack[n - 2], Frame::Model(c) if c.mtype == "Chat")
        && matches!(&stack[n - 3], Frame::ModelType | Frame::DecodedData)
}

/// A model just closed: map it, or attach it to its parent.
fn close_model(stack: &mut [Frame], mut node: Node, map: &mut Mapper<'_, '_>) -> std::result::Result<(), Stop> {
    if is_message_type(&node.mtype) && in_top_chat_messages(stack) {
        if let Some(Frame::Model(chat)) = stack.len().checked_sub(2).and_then(|i| stack.get(i)) {
            map.chat_message(&node, chat)?;
        }
        return Ok(());
    }
    match stack.last_mut() {
        Some(Frame::ModelType | Frame::DecodedData) => map.top(node)?,
        Some(Frame::ModelField { models, .. }) => {
            node.fields.shrink_to_fit();
            models.push(node);
        }
        _ => {}
    }
    Ok(())
}

fn read_report(r: &mut dyn BufRead, map: &mut Mapper<'_, '_>, cancel: &CancelToken) -> std::result::Result<(), Stop> {
    let mut reader = Reader::from_reader(r);
    let mut buf = Vec::new();
    let mut skip_buf = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut seen_root = false;
    let mut events: u64 = 0;
    loop {
        events += 1;
        if events.is_multiple_of(4096) && cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => return Err(Stop::Xml { pos: reader.error_position(), msg: e.to_string() }),
        };
        let (e, empty) = match ev {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                match stack.pop() {
                    Some(Frame::Value(v)) => {
                        if let Some(Frame::Field { values, .. }) = stack.last_mut() {
                            values.push(v);
                        }
                    }
                    Some(Frame::Field { name, values }) => {
                        if let Some(Frame::Model(m)) = stack.last_mut() {
                            m.fields.push((name, values));
                        }
                    }
                    Some(Frame::ModelField { name, models }) => {
                        if let Some(Frame::Model(m)) = stack.last_mut() {
                            m.models.push((name, models));
                        }
                    }
                    Some(Frame::Model(node)) => close_model(&mut stack, *node, map)?,
                    Some(Frame::Target(id)) => {
                        let id = id.trim();
                        if !id.is_empty()
                            && let Some(Frame::Model(m)) = stack.iter_mut().rev().find(|f| matches!(f, Frame::Model(_)))
                        {
                            m.jump_targets.push(id.to_string());
                        }
                    }
                    Some(Frame::TItem { name, text }) => {
                        if name.eq_ignore_ascii_case("Local Path")
                            && let Some(Frame::TFile { local, .. }) = stack.iter_mut().rev().find(|f| matches!(f, Frame::TFile { .. }))
                            && local.is_none()
                        {
                            *local = Some(text.trim().to_string()).filter(|t| !t.is_empty());
                        }
                    }
                    Some(Frame::TFile { id, path, local: Some(local) }) => {
                        let key = member_key(&local);
                        let vpath = match &path {
                            Some(p) => device_virtual_path(p),
                            None => member_virtual_path(&key),
                        };
                        if let Some(id) = id {
                            map.files_by_id.insert(id, vpath.clone());
                        }
                        map.files_by_member.entry(key).or_insert(vpath);
                    }
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Event::Text(t) => {
                if let Some(text) = open_text(&mut stack) {
                    text.push_str(&t.xml10_content());
                }
                buf.clear();
                continue;
            }
            Event::CData(c) => {
                if let Some(text) = open_text(&mut stack) {
                    text.push_str(&c.xml10_content());
                }
                buf.clear();
                continue;
            }
            Event::GeneralRef(g) => {
                if let Some(text) = open_text(&mut stack) {
                    push_ref(&g, text);
                }
                buf.clear();
                continue;
            }
            Event::Eof => {
                if !seen_root {
                    return Err(Stop::NotAReport("it holds no XML element".into()));
                }
                if !stack.is_empty() {
                    return Err(Stop::Xml { pos: reader.buffer_position(), msg: "the document ends before its open elements are closed (truncated?)".into() });
                }
                return Ok(());
            }
            _ => {
                buf.clear();
                continue;
            }
        };
        let name = local(&e);
        let qname = e.name().as_ref().to_string();
        let pos = reader.buffer_position();
        let bad = |msg: String| Stop::Xml { pos, msg };
        let mut skip_it = false;
        match (top_of(&stack), name.as_str()) {
            (Top::None, "project") => {
                seen_root = true;
                if empty {
                    return Ok(());
                }
                stack.push(Frame::Project);
            }
            (Top::None, other) => return Err(Stop::NotAReport(format!("its root element is <{other}>, not <project>"))),
            (Top::Project, "decodedData") if !empty => stack.push(Frame::DecodedData),
            (Top::Project, "taggedFiles") if !empty => stack.push(Frame::TaggedFiles),
            (Top::Project, "sourceExtractions") if !empty => stack.push(Frame::SourceExtractions),
            (Top::SourceExtractions, "extractionInfo") => {
                if let (Some(id), Some(n)) = (attr(&e, "id").map_err(bad)?, attr(&e, "name").map_err(bad)?) {
                    map.extractions.insert(id, n);
                }
                skip_it = !empty;
            }
            (Top::Model, "jumptargets") if !empty => stack.push(Frame::Jumps),
            (Top::Jumps, "targetid") if !empty => stack.push(Frame::Target(String::new())),
            (Top::DecodedData, "modelType") if !empty => stack.push(Frame::ModelType),
            (Top::TaggedFiles, "file") if !empty => stack.push(Frame::TFile { id: attr(&e, "id").map_err(bad)?, path: attr(&e, "path").map_err(bad)?, local: None }),
            (Top::TFile, "metadata") if !empty => stack.push(Frame::TMeta),
            (Top::TMeta, "item") => {
                let n = attr(&e, "name").map_err(bad)?.unwrap_or_default();
                let value = attr(&e, "value").map_err(bad)?.unwrap_or_default();
                if empty {
                    if n.eq_ignore_ascii_case("Local Path")
                        && let Some(Frame::TFile { local, .. }) = stack.iter_mut().rev().find(|f| matches!(f, Frame::TFile { .. }))
                        && local.is_none()
                    {
                        *local = Some(value.trim().to_string()).filter(|t| !t.is_empty());
                    }
                } else {
                    stack.push(Frame::TItem { name: n, text: value });
                }
            }
            (Top::ModelType | Top::DecodedData, "model") => {
                let mut node = node_of(&e).map_err(bad)?;
                if MAPPED.contains(&node.mtype.as_str()) {
                    node.row = map.next_row(&node.mtype);
                    if node.mtype == "Chat" {
                        let key = node.id.clone().unwrap_or_else(|| format!("ufdr-chat-{}", node.row));
                        map.chat = Some(ChatState { key, thread_put: false, pending: Vec::new(), parties: BTreeSet::new() });
                    }
                    if empty {
                        map.top(node)?;
                    } else {
                        stack.push(Frame::Model(Box::new(node)));
                    }
                } else {
                    *map.skipped.entry(if node.mtype.is_empty() { "(no type)".to_string() } else { node.mtype.clone() }).or_default() += 1;
                    skip_it = !empty;
                }
            }
            (Top::ModelField, "model") => {
                let mut node = node_of(&e).map_err(bad)?;
                node.row = map.next_row(&node.mtype);
                if empty {
                    close_model(&mut stack, node, map)?;
                } else {
                    stack.push(Frame::Model(Box::new(node)));
                }
            }
            (Top::Model, "field" | "multiField") if !empty => {
                stack.push(Frame::Field { name: attr(&e, "name").map_err(bad)?.unwrap_or_default(), values: Vec::new() });
            }
            (Top::Model, "modelField" | "multiModelField") if !empty => {
                stack.push(Frame::ModelField { name: attr(&e, "name").map_err(bad)?.unwrap_or_default(), models: Vec::new() });
            }
            (Top::Field, "value") => {
                let v = Val { text: String::new(), formatted: attr(&e, "formattedTimestamp").map_err(bad)? };
                if empty {
                    if let Some(Frame::Field { values, .. }) = stack.last_mut() {
                        values.push(v);
                    }
                } else {
                    stack.push(Frame::Value(v));
                }
            }
            _ => skip_it = !empty,
        }
        buf.clear();
        if skip_it && let Err(e) = skip(&mut reader, &qname, &mut skip_buf) {
            return Err(Stop::Xml { pos: reader.error_position(), msg: e.to_string() });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------

fn record_failed(case: &Case, src: &SourceInfo, file_id: Option<i64>, message: &str) -> Result<RunReport> {
    let now = now_rfc3339();
    case.conn()
        .execute(
            "INSERT INTO runs (source_id, file_id, kind, name, version, started_utc, finished_utc, status, item_count, error_count, message)
             VALUES (?1, ?2, 'parser', ?3, ?4, ?5, ?5, 'failed', 0, 1, ?6)",
            params![src.id, file_id, NAME, VERSION, now, message],
        )
        .ctx("recording a parser run")?;
    Ok(RunReport {
        run_id: case.conn().last_insert_rowid(),
        source_id: src.id,
        parser: NAME.into(),
        path: None,
        status: "failed".into(),
        items: 0,
        message: message.to_string(),
    })
}

fn summary(map: &Mapper<'_, '_>, report: &str) -> String {
    let items = map.items();
    let mut parts = Vec::new();
    let rows: Vec<String> = map.rows.iter().map(|(k, n)| format!("{n} {k}")).collect();
    parts.push(if rows.is_empty() { format!("'{report}': no rows") } else { format!("'{report}': {items} rows ({})", rows.join(", ")) });
    if !map.models.is_empty() {
        let m: Vec<String> =
            map.models.iter().map(|(t, n)| if t == "Chat" { format!("{t} {n} (holding {} messages)", map.chat_messages) } else { format!("{t} {n}") }).collect();
        parts.push(format!("models read: {}", m.join(", ")));
    }
    if map.skipped.is_empty() {
        parts.push("0 model types skipped".into());
    } else {
        let s: Vec<String> = map.skipped.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        parts.push(format!("{} model types skipped: {}", map.skipped.len(), s.join(", ")));
    }
    if !map.unusable.is_empty() {
        let u: Vec<String> = map.unusable.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        parts.push(format!("not usable: {}", u.join(", ")));
    }
    parts.join("; ")
}

/// Read the report of a UFDR source into the case; `None` when the source is not a UFDR or was
/// already read by this version (unless forced).
pub(super) fn run_source(case: &mut Case, src: &SourceInfo, at: &std::path::Path, force: bool, cancel: &CancelToken) -> Result<Option<RunReport>> {
    if crate::vfs::detect(at).ok() != Some(crate::vfs::ContainerKind::Ufdr) {
        return Ok(None);
    }
    if !force && super::source_pass_done(case, src.id, NAME, VERSION)? {
        return Ok(None);
    }
    let report: Option<(i64, String, String)> = case
        .conn()
        .query_row(
            "SELECT id, path, raw_path FROM files WHERE source_id = ?1 AND parent_id = 0 AND kind = 'file' AND lower(raw_path) = 'report.xml'
             ORDER BY raw_path = 'report.xml' DESC, seq LIMIT 1",
            [src.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok();
    let Some((file_id, report_path, _)) = report else {
        return record_failed(case, src, None, "the UFDR's report.xml is not in the case's file list (ingest it completely first)").map(Some);
    };
    let members: HashSet<String> = crate::vfs::ufdr::member_names(at).unwrap_or_default().iter().map(|n| member_key(n)).collect();
    case.conn()
        .execute(
            "INSERT INTO runs (source_id, file_id, kind, name, version, started_utc, status) VALUES (?1, ?2, 'parser', ?3, ?4, ?5, 'running')",
            params![src.id, file_id, NAME, VERSION, now_rfc3339()],
        )
        .ctx("recording a parser run")?;
    let run_id = case.conn().last_insert_rowid();
    let (status, items, message) = {
        let tx = case.conn_mut().transaction().ctx("writing UFDR models")?;
        let mut store = Store::new(&tx, src.id, file_id, run_id, NAME, VERSION);
        let mut map = Mapper {
            store: &mut store,
            rows: BTreeMap::new(),
            models: BTreeMap::new(),
            chat_messages: 0,
            skipped: BTreeMap::new(),
            unusable: BTreeMap::new(),
            ordinals: HashMap::new(),
            files_by_id: HashMap::new(),
            files_by_member: HashMap::new(),
            members,
            extractions: HashMap::new(),
            chat: None,
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| with_report(at, None, |r, _| read_report(r, &mut map, cancel))));
        let (status, message) = match outcome {
            Ok(Ok(Ok(()))) => ("ok", summary(&map, &report_path)),
            Ok(Ok(Err(Stop::Xml { pos, msg }))) => ("failed", format!("'{report_path}': malformed XML {}: {msg}; no rows kept", position_text(at, pos))),
            Ok(Ok(Err(Stop::NotAReport(why)))) => ("failed", format!("'{report_path}' is not a Cellebrite report: {why}")),
            Ok(Ok(Err(Stop::Cancelled))) => ("cancelled", format!("'{report_path}': cancelled by the user; no rows kept")),
            Ok(Ok(Err(Stop::Write(e)))) => ("failed", format!("'{report_path}': writing rows failed: {e}; no rows kept")),
            Ok(Err(why)) => ("failed", format!("'{report_path}' could not be opened: {why}")),
            Err(p) => {
                let what = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_else(|| "unknown panic".into());
                ("failed", format!("'{report_path}': the reader panicked: {what}; no rows kept"))
            }
        };
        let items = map.items();
        drop(map);
        drop(store);
        let mut message = message;
        let items = if status == "ok" {
            let replaced = super::store::supersede(&tx, run_id, NAME, file_id)?;
            if replaced > 0 {
                message.push_str(&format!("; replaced the {replaced} rows of earlier runs"));
            }
            tx.commit().ctx("writing UFDR models")?;
            items
        } else {
            tx.rollback().ctx("rolling back UFDR models")?;
            0
        };
        (status, items, message)
    };
    case.conn()
        .execute(
            "UPDATE runs SET finished_utc = ?2, status = ?3, item_count = ?4, error_count = ?5, message = ?6 WHERE id = ?1",
            params![run_id, now_rfc3339(), status, items, i64::from(status != "ok"), message],
        )
        .ctx("recording a parser run")?;
    Ok(Some(RunReport { run_id, source_id: src.id, parser: NAME.into(), path: Some(report_path), status: status.into(), items, message }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(timespan_s("00:01:05"), Some(65.0));
        assert_eq!(timespan_s("00:01:05.5000000"), Some(65.5));
        assert_eq!(timespan_s("1.02:00:00"), Some(93600.0));
        assert_eq!(timespan_s("42"), Some(42.0));
        assert_eq!(timespan_s("-00:00:01"), Some(-1.0));
        assert_eq!(timespan_s("a:b:c"), None);
        assert_eq!(timespan_s(""), None);
    }

    #[test]
    fn stamps_prefer_the_offset_and_keep_milliseconds() {
        let v = Val { text: "2024-10-29T17:17:48.838".into(), formatted: Some("2024-10-29T17:17:48+00:00".into()) };
        let s = stamp_of(Some(&v)).unwrap();
        assert_eq!(s.utc_us, Some(1_730_222_268_838_000));
        assert_eq!(s.raw, "2024-10-29T17:17:48+00:00 (value 2024-10-29T17:17:48.838)");
        assert_eq!(s.flag, None);
        let v = Val { text: "2024-10-29T19:17:48".into(), formatted: Some("2024-10-29T19:17:48+02:00".into()) };
        assert_eq!(stamp_of(Some(&v)).unwrap().utc_us, Some(1_730_222_268_000_000));
        let floating = stamp_of(Some(&Val { text: "2024-10-29T17:17:48".into(), formatted: None })).unwrap();
        assert_eq!(floating.utc_us, None);
        assert!(floating.flag.unwrap().contains("unknown zone"));
        assert!(stamp_of(Some(&Val { text: "0001-01-01T00:00:00+00:00".into(), formatted: None })).is_none());
        assert!(stamp_of(Some(&Val::default())).is_none());
    }

    const SAMPLE: &str = r#"<?xml version="1.0"?>
<project xmlns="http://pa.cellebrite.com/report/2.0"><taggedFiles><file path="/a/b.jpg" id="F1"><metadata section="File"><item name="Local Path"><![CDATA[files\Image\b.jpg]]></item></metadata></file></taggedFiles>
<decodedData><modelType type="Chat"><model type="Chat" id="C1" deleted_state="Intact"><field name="Source"><value type="String">WhatsApp</value></field>
<multiModelField name="Messages"><model type="InstantMessage" id="M1" deleted_state="Deleted"><field name="Body"><value>a &amp; b &#x41;</value></field>
<field name="TimeStamp"><value formattedTimestamp="2024-03-09T16:00:00+00:00">2024-03-09T16:00:00.5</value></field>
<modelField name="From"><model type="Party"><field name="Identifier"><value>+1</value></field><field name="IsPhoneOwner"><value>True</value></field></model></modelField>
<multiModelField name="Attachments"><model type="Attachment"><field name="file_id"><value>F1</value></field></model></multiModelField>
<modelField name="Position"><model type="Coordinate"><field name="Latitude"><value>1.5</value></field><field name="Longitude"><value>2.5</value></field></model></modelField>
</model></multiModelField></model></modelType>
<modelType type="Call"><model type="Call"><field name="Duration"><value>00:00:10</value></field><field name="Direction"><value>Outgoing</value></field></model></modelType>
<modelType type="Contact"><model type="Contact"><field name="Name"><value>X</value></field><multiModelField name="Entries"><model type="PhoneNumber"><field name="Value"><value>+2</value></field></model></multiModelField></model></modelType>
<modelType type="Location"><model type="Location"><modelField name="Position"><model type="Coordinate"><field name="Latitude"><value>3</value></field><field name="Longitude"><value>4</value></field></model></modelField></model></modelType>
<modelType type="VisitedPage"><model type="VisitedPage"><field name="Url"><value>http://x</value></field></model></modelType>
<modelType type="Note"><model type="Note"><field name="Body"><value>n</value></field></model></modelType>
</decodedData></project>"#;

    /// An in-memory case with one source, file and run, for a [`Store`].
    fn scratch_case() -> rusqlite::Connection {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        crate::case::schema::migrate_to(&mut c, crate::case::schema::CURRENT_VERSION).unwrap();
        c.execute_batch(
            "INSERT INTO sources (id, label, container_kind, path, added_utc, added_by, tool_version, status) VALUES (1, 's', 'ufdr', '/x', 't', 'e', 'v', 'partial');
             INSERT INTO files (id, source_id, seq, path, raw_path, kind) VALUES (1, 1, 0, '/_ufdr/report.xml', 'report.xml', 'file');
             INSERT INTO runs (id, source_id, kind, name, version, started_utc, status) VALUES (1, 1, 'parser', 'ufdr-report', '1', 't', 'running');",
        )
        .unwrap();
        c
    }

    fn read(conn: &rusqlite::Connection, xml: &[u8]) -> (std::result::Result<(), Stop>, i64) {
        let tx = conn.unchecked_transaction().unwrap();
        let mut store = Store::new(&tx, 1, 1, 1, NAME, VERSION);
        let mut map = Mapper {
            store: &mut store,
            rows: BTreeMap::new(),
            models: BTreeMap::new(),
            chat_messages: 0,
            skipped: BTreeMap::new(),
            unusable: BTreeMap::new(),
            ordinals: HashMap::new(),
            files_by_id: HashMap::new(),
            files_by_member: HashMap::new(),
            members: HashSet::new(),
            extractions: HashMap::new(),
            chat: None,
        };
        let mut r: &[u8] = xml;
        let out = read_report(&mut r, &mut map, &CancelToken::new());
        let items = map.items();
        drop(map);
        drop(store);
        tx.rollback().unwrap();
        (out, items)
    }

    #[test]
    fn the_sample_maps_and_damaged_copies_never_panic() {
        let conn = scratch_case();
        let (out, items) = read(&conn, SAMPLE.as_bytes());
        assert!(out.is_ok());
        // thread, message, attachment, shared location, call, contact, location, visit
        assert_eq!(items, 8);
        // Every truncation, and bytes flipped at many places: an error or fewer rows, never a panic.
        let bytes = SAMPLE.as_bytes();
        for cut in 0..bytes.len() {
            let _ = read(&conn, &bytes[..cut]);
        }
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let mut b = bytes.to_vec();
            for _ in 0..3 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let at = (seed >> 33) as usize % b.len();
                b[at] = [b'<', b'>', b'/', b'&', b'"', 0xFF, b'x', b'\n'][(seed >> 20) as usize % 8];
            }
            let _ = read(&conn, &b);
        }
    }

    #[test]
    fn call_statuses() {
        let st = |w: Option<&str>, d, a| call_status(w, d, a).map(|s| s.as_str().to_string());
        assert_eq!(st(Some("Missed"), Direction::Incoming, Some(false)).as_deref(), Some("missed"));
        assert_eq!(st(Some("Rejected"), Direction::Incoming, None).as_deref(), Some("rejected"));
        assert_eq!(st(Some("Blocked"), Direction::Incoming, None).as_deref(), Some("blocked"));
        assert_eq!(st(Some("Established"), Direction::Outgoing, Some(true)).as_deref(), Some("outgoing"));
        assert_eq!(st(Some("Established"), Direction::Incoming, Some(true)).as_deref(), Some("incoming"));
        assert_eq!(st(Some("Cancelled"), Direction::Outgoing, None).as_deref(), Some("Cancelled"));
        assert_eq!(st(None, Direction::Outgoing, None).as_deref(), Some("outgoing"));
        assert_eq!(st(None, Direction::Incoming, Some(true)).as_deref(), Some("incoming"));
        assert_eq!(st(None, Direction::Incoming, None), None);
    }

    #[test]
    fn direction_words() {
        assert_eq!(direction_word("Incoming"), Some(Direction::Incoming));
        assert_eq!(direction_word(" outgoing "), Some(Direction::Outgoing));
        assert_eq!(direction_word("Read"), None);
    }
}
