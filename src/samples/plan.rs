//! The plan: everything a sample case contains, as plain data. Writers turn it into databases and
//! files; `answer_key` turns the same data into the answer key.

use super::Scale;
use super::images::{BaseSlot, ImageSpec};

/// Kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// iPhone (full-file-system extraction).
    Ios,
    /// Android phone (full-file-system extraction).
    Android,
    /// Laptop (plain folder of selected files).
    Laptop,
}

/// A seized device.
#[derive(Debug, Clone)]
pub struct Device {
    /// Folder name under the output, e.g. `ios-andrei`.
    pub id: String,
    /// Kind.
    pub kind: DeviceKind,
    /// Index of the owner in `Plan::persons`.
    pub owner: usize,
    /// Make and model.
    pub make: String,
    /// Model.
    pub model: String,
}

/// A person of the scenario (or an automated sender).
#[derive(Debug, Clone)]
pub struct Person {
    /// Stable key, `P1`…
    pub key: String,
    /// Given name.
    pub given: String,
    /// Family name.
    pub family: String,
    /// Role tags (networks-and-roles.md §1.2 vocabulary).
    pub roles: Vec<String>,
    /// Phone number, E.164, if any.
    pub phone: Option<String>,
    /// How the Android phone stores this person's number in SMS and contacts (national or E.164).
    pub android_address: Option<String>,
    /// E-mail, if any.
    pub email: Option<String>,
    /// Has a WhatsApp account on `phone`.
    pub whatsapp: bool,
    /// WhatsApp push name.
    pub push_name: Option<String>,
    /// Alphanumeric sender id (automated senders).
    pub sender_id: Option<String>,
    /// Languages used.
    pub languages: Vec<String>,
    /// Background contact added at large scale (not listed in the answer key's `persons`).
    pub bulk: bool,
}

impl Person {
    /// `Given Family`.
    pub fn full_name(&self) -> String {
        if self.family.is_empty() { self.given.clone() } else { format!("{} {}", self.given, self.family) }
    }

    /// WhatsApp user part (`33699001234`).
    pub fn wa_user(&self) -> Option<String> {
        self.phone.as_ref().filter(|_| self.whatsapp).map(|p| p.trim_start_matches('+').to_string())
    }

    /// WhatsApp JID (`33699001234@s.whatsapp.net`).
    pub fn jid(&self) -> Option<String> {
        self.wa_user().map(|u| format!("{u}@s.whatsapp.net"))
    }

    /// Handle as an SMS/iMessage peer on iOS: E.164 or the alphanumeric sender id.
    pub fn ios_handle(&self) -> String {
        self.phone.clone().or_else(|| self.sender_id.clone()).unwrap_or_default()
    }

    /// Address as an SMS peer on Android.
    pub fn android_sms_address(&self) -> String {
        self.android_address.clone().or_else(|| self.phone.clone()).or_else(|| self.sender_id.clone()).unwrap_or_default()
    }
}

/// Messaging channel of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Carrier SMS/MMS.
    Sms,
    /// iMessage (iOS to iOS; lands in `sms.db`).
    IMessage,
    /// WhatsApp.
    WhatsApp,
}

/// A WhatsApp group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Subject.
    pub name: String,
    /// Group JID (`…@g.us`).
    pub jid: String,
    /// Creator / admin (person index).
    pub admin: usize,
    /// Creation time (Unix s).
    pub created: i64,
}

/// A conversation.
#[derive(Debug, Clone)]
pub struct Thread {
    /// `T1`…
    pub key: String,
    /// Channel.
    pub channel: Channel,
    /// Participants (person indexes).
    pub members: Vec<usize>,
    /// Set for group chats.
    pub group: Option<Group>,
}

/// What happened to one device's copy of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fate {
    /// Present as a normal row.
    Kept,
    /// iOS 16+ "Recently Deleted": row kept, listed in `chat_recoverable_message_join`, no longer in
    /// `chat_message_join`.
    RecentlyDeleted,
    /// Row deleted with `secure_delete=OFF`: gone from the table, text still in the file's free space.
    Purged,
    /// WhatsApp "deleted for everyone": row kept with no text (Android type 15, iOS type 14).
    Revoked,
}

/// A media attachment (same bytes on every device that holds it).
#[derive(Debug, Clone)]
pub struct Attachment {
    /// `A1`…
    pub key: String,
    /// Original file name.
    pub name: String,
    /// Where the picture was taken, if it has GPS.
    pub gps: Option<(f64, f64)>,
    /// The picture.
    pub image: ImageSpec,
}

/// A logical message; each device that took part holds its own copy.
#[derive(Debug, Clone)]
pub struct Message {
    /// `M0001`…
    pub key: String,
    /// Thread index.
    pub thread: usize,
    /// Sender (person index).
    pub from: usize,
    /// Sent at (Unix s).
    pub t: i64,
    /// Text (may be empty for a picture-only message).
    pub text: String,
    /// ISO 639-1 language.
    pub lang: String,
    /// Indicator ids (online-trafficking-greta.md §3) this message carries.
    pub indicators: Vec<String>,
    /// Attached picture.
    pub attachment: Option<Attachment>,
    /// Per-device fate overrides (device index, fate); default `Kept`.
    pub fates: Vec<(usize, Fate)>,
    /// On iOS `sms.db`, write `text` NULL and the text only in `attributedBody`.
    pub ios_attributed_only: bool,
    /// Harmless background traffic.
    pub noise: bool,
    /// Bulk background traffic added at large scale: counted in `expected_counts`, not listed.
    pub bulk: bool,
}

/// Where a device stores a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Store {
    /// iOS `sms.db` `message`.
    IosSms,
    /// iOS WhatsApp `ChatStorage.sqlite` `ZWAMESSAGE`.
    IosWhatsApp,
    /// Android `mmssms.db` `sms`.
    AndroidSms,
    /// Android `mmssms.db` `pdu`.
    AndroidMms,
    /// Android WhatsApp `msgstore.db` `message`.
    AndroidWhatsApp,
}

impl Store {
    /// (file path inside the device tree, table).
    pub fn location(self) -> (&'static str, &'static str) {
        match self {
            Store::IosSms => (IOS_SMS, "message"),
            Store::IosWhatsApp => (IOS_WA, "ZWAMESSAGE"),
            Store::AndroidSms => (AND_MMSSMS, "sms"),
            Store::AndroidMms => (AND_MMSSMS, "pdu"),
            Store::AndroidWhatsApp => (AND_MSGSTORE, "message"),
        }
    }
}

/// One device's copy of a message.
#[derive(Debug, Clone)]
pub struct MsgCopy {
    /// Message index.
    pub msg: usize,
    /// Device index.
    pub device: usize,
    /// Store.
    pub store: Store,
    /// Row id in that store (assigned in time order; purged rows keep theirs, leaving a gap).
    pub row_id: i64,
    /// Fate on this device.
    pub fate: Fate,
}

/// Call channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallChannel {
    /// Carrier call.
    Phone,
    /// WhatsApp voice call.
    WhatsApp,
}

/// A call.
#[derive(Debug, Clone)]
pub struct Call {
    /// `C01`…
    pub key: String,
    /// Caller.
    pub from: usize,
    /// Callee.
    pub to: usize,
    /// Start (Unix s).
    pub t: i64,
    /// Seconds (0 when not answered).
    pub duration: i64,
    /// Channel.
    pub channel: CallChannel,
    /// Answered.
    pub answered: bool,
    /// Background traffic.
    pub noise: bool,
}

/// An address-book entry on a device.
#[derive(Debug, Clone)]
pub struct Contact {
    /// Device index.
    pub device: usize,
    /// Person index.
    pub person: usize,
    /// First name as typed by the owner.
    pub first: String,
    /// Last name as typed by the owner (may be empty).
    pub last: String,
    /// Phone as stored (may differ in format from E.164).
    pub phone: Option<String>,
    /// E-mail as stored.
    pub email: Option<String>,
    /// Created (Unix s).
    pub created: i64,
    /// On iOS: written only to `AddressBook.sqlitedb-wal` (newest entries).
    pub wal_only: bool,
}

impl Contact {
    /// Last edited (Unix s): one to seven days after creation, from the person index (no PRNG
    /// draw, so adding it changed nothing else in the plan).
    pub fn modified(&self) -> i64 {
        self.created + 86_400 * (1 + (self.person as i64 % 7)) + 1_234
    }
}

/// A browser visit.
#[derive(Debug, Clone)]
pub struct Visit {
    /// Device index.
    pub device: usize,
    /// When (Unix s).
    pub t: i64,
    /// URL.
    pub url: String,
    /// Page title.
    pub title: String,
    /// Typed in the address bar (Chrome transition 1) rather than followed (0).
    pub typed: bool,
    /// Search term, when the URL is a search.
    pub search_term: Option<String>,
    /// Indicator ids.
    pub indicators: Vec<String>,
    /// Background browsing.
    pub noise: bool,
}

/// A camera-roll photo.
#[derive(Debug, Clone)]
pub struct Photo {
    /// `PH1`…
    pub key: String,
    /// Device index.
    pub device: usize,
    /// File name.
    pub name: String,
    /// Taken at (Unix s).
    pub t: i64,
    /// Location.
    pub gps: Option<(f64, f64)>,
    /// What it shows (answer-key text only).
    pub description: String,
    /// The picture.
    pub image: ImageSpec,
    /// Bulk background photo added at large scale: counted, not listed.
    pub bulk: bool,
    /// Folder overriding the device's default camera folder (e.g. `…/DCIM/101APPLE`).
    pub dir: Option<String>,
}

/// What a planted file holds.
#[derive(Debug, Clone)]
pub enum FileContent {
    /// Literal bytes.
    Bytes(Vec<u8>),
    /// A picture, rendered at write time; with EXIF (taken at, GPS) when `exif` is set.
    Image {
        /// The picture.
        spec: ImageSpec,
        /// (taken at Unix s, GPS) for an EXIF block with the device's make and model.
        exif: Option<(i64, Option<(f64, f64)>)>,
    },
}

/// Any other file planted in a device tree (saved web pages' pictures, app media, caches).
#[derive(Debug, Clone)]
pub struct PlanFile {
    /// Device index.
    pub device: usize,
    /// Path in the device tree (no leading slash).
    pub path: String,
    /// Content.
    pub content: FileContent,
    /// Bulk background file added at large scale.
    pub bulk: bool,
}

/// A money movement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MoneyFlow {
    /// `F1`…
    pub id: String,
    /// When (ISO UTC).
    pub at: String,
    /// Payer: a person key or an organisation name.
    pub from: String,
    /// Payee: a person key or an organisation name.
    pub to: String,
    /// Account credited, when it is an account transfer.
    pub to_account: Option<String>,
    /// Who controls that account (person key), when it is not the payee.
    pub account_controlled_by: Option<String>,
    /// Amount in cents.
    pub amount_cents: i64,
    /// ISO 4217.
    pub currency: String,
    /// `bank-transfer`, `cash`, `deduction`.
    pub method: String,
    /// Label.
    pub label: String,
    /// Indicator ids.
    pub indicators: Vec<String>,
    /// Where it shows (message keys, file paths).
    pub evidence: Vec<String>,
}

/// A key event of the scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyEvent {
    /// `E01`…
    pub id: String,
    /// When (ISO UTC).
    pub at: String,
    /// What happened.
    pub title: String,
    /// Persons concerned (keys).
    pub persons: Vec<String>,
    /// Supporting items (message, call, visit, photo keys or file paths).
    pub evidence: Vec<String>,
}

/// A file on the laptop (or any plain file the scenario plants).
#[derive(Debug, Clone)]
pub struct Document {
    /// Device index.
    pub device: usize,
    /// Path in the device tree.
    pub path: String,
    /// Content.
    pub content: String,
    /// (person index, identifier kind, value) this document names.
    pub mentions: Vec<(usize, String, String)>,
    /// Indicator ids.
    pub indicators: Vec<String>,
}

/// The whole sample case.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Scenario name.
    pub scenario: &'static str,
    /// Seed.
    pub seed: u64,
    /// Scale.
    pub scale: Scale,
    /// Mtime stamped on every archive entry (Unix s): the extraction day.
    pub archive_mtime: u64,
    /// People.
    pub persons: Vec<Person>,
    /// Devices.
    pub devices: Vec<Device>,
    /// Conversations.
    pub threads: Vec<Thread>,
    /// Messages in time order.
    pub messages: Vec<Message>,
    /// Calls in time order.
    pub calls: Vec<Call>,
    /// Address books.
    pub contacts: Vec<Contact>,
    /// Browser history.
    pub visits: Vec<Visit>,
    /// Camera rolls.
    pub photos: Vec<Photo>,
    /// Money flows.
    pub money: Vec<MoneyFlow>,
    /// Key events.
    pub events: Vec<KeyEvent>,
    /// Plain documents.
    pub documents: Vec<Document>,
    /// Base-photo slots the pictures derive from (`images`).
    pub bases: Vec<BaseSlot>,
    /// Other planted files (pictures, caches).
    pub files: Vec<PlanFile>,
    /// Notes for the answer key (scenario-specific caveats).
    pub notes: Vec<String>,
    /// Cache of [`Plan::copies`] (filled on first use, once the plan is complete).
    pub copies_cache: std::sync::OnceLock<Vec<MsgCopy>>,
}

/// iOS paths (relative to the file-system root, no leading slash).
pub const IOS_SMS: &str = "private/var/mobile/Library/SMS/sms.db";
/// iOS address book.
pub const IOS_AB: &str = "private/var/mobile/Library/AddressBook/AddressBook.sqlitedb";
/// iOS call history.
pub const IOS_CALLS: &str = "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata";
/// iOS Safari history.
pub const IOS_SAFARI: &str = "private/var/mobile/Library/Safari/History.db";
/// WhatsApp shared AppGroup container (the UUID is fixed per scenario, as a real one is per device).
pub const IOS_WA_GROUP: &str = "private/var/mobile/Containers/Shared/AppGroup/4F7A1C2E-9B3D-4E8F-A6C1-2D5E8B9F0A13";
/// WhatsApp iOS chat database.
pub const IOS_WA: &str = "private/var/mobile/Containers/Shared/AppGroup/4F7A1C2E-9B3D-4E8F-A6C1-2D5E8B9F0A13/ChatStorage.sqlite";
/// iOS camera roll folder.
pub const IOS_DCIM: &str = "private/var/mobile/Media/DCIM/100APPLE";
/// Android SMS/MMS.
pub const AND_MMSSMS: &str = "data/data/com.android.providers.telephony/databases/mmssms.db";
/// Android MMS part files.
pub const AND_PARTS: &str = "data/user_de/0/com.android.providers.telephony/app_parts";
/// Android contacts.
pub const AND_CONTACTS: &str = "data/data/com.android.providers.contacts/databases/contacts2.db";
/// Android call log.
pub const AND_CALLLOG: &str = "data/data/com.android.providers.contacts/databases/calllog.db";
/// WhatsApp Android messages.
pub const AND_MSGSTORE: &str = "data/data/com.whatsapp/databases/msgstore.db";
/// WhatsApp Android contacts.
pub const AND_WA: &str = "data/data/com.whatsapp/databases/wa.db";
/// Chrome Android history.
pub const AND_CHROME: &str = "data/data/com.android.chrome/app_chrome/Default/History";
/// Android 12+ installed packages, in binary XML (ABX).
pub const AND_PACKAGES: &str = "data/system/packages.xml";
/// Android camera folder.
pub const AND_DCIM: &str = "data/media/0/DCIM/Camera";

impl Plan {
    /// Every device copy of every message, with row ids assigned per store in time order.
    pub fn copies(&self) -> &[MsgCopy] {
        self.copies_cache.get_or_init(|| self.compute_copies())
    }

    fn compute_copies(&self) -> Vec<MsgCopy> {
        let mut out = Vec::new();
        for (di, dev) in self.devices.iter().enumerate() {
            let mut next: std::collections::BTreeMap<Store, i64> = std::collections::BTreeMap::new();
            for (mi, m) in self.messages.iter().enumerate() {
                let th = &self.threads[m.thread];
                if !th.members.contains(&dev.owner) {
                    continue;
                }
                let store = match (dev.kind, th.channel) {
                    (DeviceKind::Ios, Channel::Sms | Channel::IMessage) => Store::IosSms,
                    (DeviceKind::Ios, Channel::WhatsApp) => Store::IosWhatsApp,
                    (DeviceKind::Android, Channel::Sms) if m.attachment.is_some() => Store::AndroidMms,
                    (DeviceKind::Android, Channel::Sms) => Store::AndroidSms,
                    (DeviceKind::Android, Channel::WhatsApp) => Store::AndroidWhatsApp,
                    _ => continue,
                };
                let id = next.entry(store).or_insert(0);
                *id += 1;
                let fate = m.fates.iter().find(|(d, _)| *d == di).map(|(_, f)| *f).unwrap_or(Fate::Kept);
                out.push(MsgCopy { msg: mi, device: di, store, row_id: *id, fate });
            }
        }
        out
    }

    /// Copies held by device `di`, in a given store.
    pub fn copies_in(&self, di: usize, store: Store) -> Vec<MsgCopy> {
        self.copies().iter().filter(|c| c.device == di && c.store == store).cloned().collect()
    }

    /// Calls seen by device `di` (its owner is caller or callee) with the given channel.
    pub fn calls_on(&self, di: usize, channel: CallChannel) -> Vec<&Call> {
        let owner = self.devices[di].owner;
        self.calls.iter().filter(|c| c.channel == channel && (c.from == owner || c.to == owner)).collect()
    }

    /// Phone calls recorded by an iOS CallHistory (carrier calls and WhatsApp calls via CallKit).
    pub fn ios_calls(&self, di: usize) -> Vec<&Call> {
        let owner = self.devices[di].owner;
        self.calls.iter().filter(|c| c.from == owner || c.to == owner).collect()
    }

    /// The other party of a 1:1 thread for `owner`.
    pub fn peer(&self, thread: usize, owner: usize) -> usize {
        *self.threads[thread].members.iter().find(|&&p| p != owner).unwrap_or(&owner)
    }
}

impl Plan {
    /// Threads of device `di` whose copies land in one of `stores`, in thread order.
    pub fn threads_in(&self, di: usize, stores: &[Store]) -> Vec<usize> {
        let copies = self.copies();
        let mut v: Vec<usize> = copies.iter().filter(|c| c.device == di && stores.contains(&c.store)).map(|c| self.messages[c.msg].thread).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Visits on device `di`, and the distinct URLs in first-visit order.
    pub fn visits_on(&self, di: usize) -> (Vec<&Visit>, Vec<String>) {
        let visits: Vec<&Visit> = self.visits.iter().filter(|v| v.device == di).collect();
        let mut urls: Vec<String> = Vec::new();
        for v in &visits {
            if !urls.contains(&v.url) {
                urls.push(v.url.clone());
            }
        }
        (visits, urls)
    }

    /// WhatsApp peers of device `di`'s owner (1:1 chats, group members, WhatsApp calls), in first-seen order.
    pub fn wa_peers(&self, di: usize) -> Vec<usize> {
        let owner = self.devices[di].owner;
        let mut v = Vec::new();
        for t in self.threads_in(di, &[Store::AndroidWhatsApp, Store::IosWhatsApp]) {
            for &m in &self.threads[t].members {
                if m != owner && !v.contains(&m) {
                    v.push(m);
                }
            }
        }
        for c in self.calls_on(di, CallChannel::WhatsApp) {
            let p = if c.from == owner { c.to } else { c.from };
            if !v.contains(&p) {
                v.push(p);
            }
        }
        v
    }

    /// The address-book entry of `person` on device `di`, if any.
    pub fn contact_on(&self, di: usize, person: usize) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.device == di && c.person == person)
    }

    /// Photos of device `di`.
    pub fn photos_on(&self, di: usize) -> Vec<&Photo> {
        self.photos.iter().filter(|p| p.device == di).collect()
    }

    /// Path of a photo in its device tree.
    pub fn photo_path(&self, p: &Photo) -> String {
        if let Some(d) = &p.dir {
            return format!("{d}/{}", p.name);
        }
        let dir = match self.devices[p.device].kind {
            DeviceKind::Ios => IOS_DCIM,
            DeviceKind::Android => AND_DCIM,
            DeviceKind::Laptop => "Users/Public/Pictures",
        };
        format!("{dir}/{}", p.name)
    }
}
