//! The rows parsers produce, before they are written to the case.
//!
//! Parsers refer to threads by a key of their own (`thread_key`) and to messages by their source
//! row id; the store turns those into case row ids.

use serde::Serialize;

use super::time::Stamp;

/// Sent or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// Received by the device owner.
    Incoming,
    /// Sent by the device owner.
    Outgoing,
    /// Not recorded.
    Unknown,
}

impl Direction {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
            Direction::Unknown => "unknown",
        }
    }
}

/// A conversation.
#[derive(Debug, Clone)]
pub struct Thread {
    /// Source table and row.
    pub src: (&'static str, Option<i64>),
    /// `sms`, `imessage`, `whatsapp` …
    pub service: String,
    /// Parser-local key (chat GUID, JID, thread id).
    pub key: String,
    /// Display name (group subject).
    pub name: Option<String>,
    /// Group chat?
    pub is_group: bool,
    /// Participants' identifiers.
    pub participants: Vec<String>,
}

/// A message.
#[derive(Debug, Clone)]
pub struct Message {
    /// Source table and row.
    pub src: (&'static str, Option<i64>),
    /// Thread key, if any.
    pub thread_key: Option<String>,
    /// Service.
    pub service: String,
    /// Direction.
    pub direction: Direction,
    /// Sender identifier (the owner's own id for outgoing, when known).
    pub sender: Option<String>,
    /// Recipient identifiers.
    pub recipients: Vec<String>,
    /// Text.
    pub body: Option<String>,
    /// Where the text came from (`text`, `attributedBody`, `part` …).
    pub body_source: Option<&'static str>,
    /// Sent (or received) time.
    pub sent: Option<Stamp>,
    /// Read time.
    pub read: Option<Stamp>,
    /// When the device stored a received message, where it keeps that apart from the sent time.
    pub received: Option<Stamp>,
    /// Status text (delivered, failed, draft …).
    pub status: Option<String>,
    /// Marked deleted by the app (still present in the database).
    pub deleted: bool,
}

/// An attachment of a message.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Source table and row.
    pub src: (&'static str, Option<i64>),
    /// Source table and row of the message it belongs to.
    pub message: (&'static str, i64),
    /// File name.
    pub filename: Option<String>,
    /// MIME type.
    pub mime: Option<String>,
    /// Size in bytes.
    pub size: Option<i64>,
    /// Where the file is on the device, as a virtual path (resolved against `files`).
    pub evidence_path: Option<String>,
}

/// A call.
#[derive(Debug, Clone)]
pub struct Call {
    /// Source table and row.
    pub src: (&'static str, Option<i64>),
    /// `phone`, `facetime`, `whatsapp` …
    pub service: String,
    /// Direction.
    pub direction: Direction,
    /// The other party.
    pub peer: Option<String>,
    /// Name stored with the call.
    pub peer_name: Option<String>,
    /// Start.
    pub start: Option<Stamp>,
    /// Duration in seconds.
    pub duration_s: Option<f64>,
    /// Answered? (`None` when not recorded)
    pub answered: Option<bool>,
    /// What became of the call, as the source records it (see [`CallStatus`]); `None` when the
    /// source does not say.
    pub status: Option<CallStatus>,
    /// Video call.
    pub video: bool,
    /// Marked deleted.
    pub deleted: bool,
}

/// What became of a call. The stable names are stored in `calls.status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CallStatus {
    /// An incoming call that was answered.
    Incoming,
    /// An outgoing call.
    Outgoing,
    /// An incoming call not answered.
    Missed,
    /// An incoming call the owner declined.
    Rejected,
    /// An incoming call blocked by the device.
    Blocked,
    /// An incoming call sent to voicemail.
    Voicemail,
    /// An incoming call answered on another device of the owner.
    AnsweredElsewhere,
    /// A value the parser does not know, kept as the source wrote it (`type 9`, `Cancelled` …).
    Other(String),
}

impl CallStatus {
    /// Stable name (`incoming`, `missed`, `answered elsewhere` …, or the source's own word).
    pub fn as_str(&self) -> &str {
        match self {
            CallStatus::Incoming => "incoming",
            CallStatus::Outgoing => "outgoing",
            CallStatus::Missed => "missed",
            CallStatus::Rejected => "rejected",
            CallStatus::Blocked => "blocked",
            CallStatus::Voicemail => "voicemail",
            CallStatus::AnsweredElsewhere => "answered elsewhere",
            CallStatus::Other(s) => s,
        }
    }
}

/// One value of a contact (phone, e-mail …).
#[derive(Debug, Clone, Serialize)]
pub struct ContactEntry {
    /// `phone`, `email`, `im`, `url`, `address`, `whatsapp` …
    pub kind: String,
    /// Value as stored.
    pub value: String,
    /// Label (mobile, home, custom).
    pub label: Option<String>,
}

/// A contact.
#[derive(Debug, Clone)]
pub struct Contact {
    /// Source table and row.
    pub src: (&'static str, Option<i64>),
    /// Display name.
    pub name: Option<String>,
    /// Account or store (local, iCloud, com.whatsapp …).
    pub account: Option<String>,
    /// Values.
    pub entries: Vec<ContactEntry>,
    /// Creation time.
    pub created: Option<Stamp>,
    /// Last modification time.
    pub modified: Option<Stamp>,
    /// Marked deleted.
    pub deleted: bool,
}

/// A web visit.
#[derive(Debug, Clone)]
pub struct Visit {
    /// Source table and row.
    pub src: (&'static str, Option<i64>),
    /// `chrome`, `safari` …
    pub browser: String,
    /// URL.
    pub url: String,
    /// Page title.
    pub title: Option<String>,
    /// Visit time.
    pub visited: Option<Stamp>,
    /// The search term this visit shows the results of (Chromium `keyword_search_terms`, UFDR
    /// `SearchedItem`).
    pub search_term: Option<String>,
}

/// A place where the device (or a message) was.
#[derive(Debug, Clone)]
pub struct Location {
    /// Source table and row.
    pub src: (&'static str, Option<i64>),
    /// What recorded it (`shared-location`, `significant-location`, `wifi`, `cell`, `ufdr` …).
    pub kind: String,
    /// Latitude, decimal degrees.
    pub lat: f64,
    /// Longitude, decimal degrees.
    pub lon: f64,
    /// Altitude, m.
    pub alt: Option<f64>,
    /// Horizontal accuracy, m.
    pub accuracy_m: Option<f64>,
    /// When.
    pub at: Option<Stamp>,
    /// Place name or address.
    pub name: Option<String>,
}

/// An account configured on the device.
#[derive(Debug, Clone)]
pub struct Account {
    /// Source table and row.
    pub src: (&'static str, Option<i64>),
    /// Service (`com.google`, `com.apple.account.IdentityServices`, `WhatsApp` …).
    pub service: String,
    /// User name or identifier.
    pub username: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Creation time.
    pub created: Option<Stamp>,
}

/// An installed (or once installed) application.
#[derive(Debug, Clone)]
pub struct App {
    /// Source table and row.
    pub src: (&'static str, Option<i64>),
    /// Bundle id / package name.
    pub identifier: String,
    /// Display name.
    pub name: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Install time.
    pub installed: Option<Stamp>,
    /// Known to be uninstalled.
    pub deleted: bool,
}

/// Anything a parser produces.
#[derive(Debug, Clone)]
pub enum Artefact {
    /// A conversation.
    Thread(Thread),
    /// A message.
    Message(Message),
    /// An attachment.
    Attachment(Attachment),
    /// A call.
    Call(Call),
    /// A contact.
    Contact(Contact),
    /// A web visit.
    Visit(Visit),
    /// A location.
    Location(Location),
    /// An account.
    Account(Account),
    /// An installed application.
    App(App),
}

/// Where parsers put what they find.
pub trait Sink {
    /// One artefact. An error means the case stopped accepting rows: the parser must stop.
    fn put(&mut self, a: Artefact) -> Result<(), SinkClosed>;
}

/// The case side stopped (time budget, cancellation, write error).
#[derive(Debug, Clone, Copy)]
pub struct SinkClosed;

impl std::fmt::Display for SinkClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the case stopped accepting rows")
    }
}

impl std::error::Error for SinkClosed {}
