//! iTunes / Finder backups (logical iOS extractions): `Manifest.db` becomes a virtual tree of
//! device paths, so the same parsers match as on a full-file-system extraction.
//!
//! Each row of `Files(fileID, domain, relativePath, flags, file)` is an entry at the device path its
//! domain maps to (`HomeDomain` → `/private/var/mobile`, `AppDomainGroup-<group>` →
//! `/private/var/mobile/Containers/Shared/AppGroup/<group>` …), with its content read from the blob
//! `<fileID[0..2]>/<fileID>`, its device modification time and (a symbolic link, flags 4) its
//! target from the archived `MBFile`, so the device time zone is read from a backup too. The
//! backup's own `Manifest.db`, `Manifest.plist`, `Info.plist` and `Status.plist` are entries under
//! `/_backup/`. `Manifest.db` is copied (with its `-wal`) to a temporary folder before it is opened.
//!
//! An encrypted backup (`Manifest.plist` `IsEncrypted`) is said to be encrypted: its files are
//! hashed as stored, as a plain folder, and the source is left `partial` until decryption with the
//! backup password is added.
//!
//! **Zipped or tarred backups** (how an examiner often receives one): a ZIP or an uncompressed
//! TAR whose root, or single top folder, holds `Manifest.db` and `Manifest.plist` or `Info.plist`
//! ([`archive_root`]) is read the same way ([`walk_archive`]): one pass of the archive copies the
//! backup's own files out to a temporary folder, a second pass gives each blob member the device
//! path its `Manifest.db` row names (members the manifest does not list are left out, as in a
//! folder). The entries, their paths and their sequence numbers are those of the same backup as a
//! folder, so both give the same rows. A TAR.GZ is not looked into (finding `Manifest.db` would
//! mean decompressing the whole stream at every detection): it stays a TAR.GZ.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use std::collections::HashMap;

use super::folder::FolderEntry;
use super::{Content, Entry, EntryKind, EntrySink, Issue, Limits, Severity, WalkOutcome, system_time_us};
use crate::error::{Error, Result};
use crate::progress::CancelToken;

/// Is this folder an iTunes/Finder backup?
pub fn is_backup(dir: &Path) -> bool {
    dir.join("Manifest.db").is_file() && (dir.join("Manifest.plist").is_file() || dir.join("Info.plist").is_file())
}

/// The backup's own files, in the order they are listed (sequence numbers 0…).
const OWN_FILES: [&str; 4] = ["Manifest.db", "Manifest.plist", "Info.plist", "Status.plist"];

/// A member name without a leading `./` or `/`.
fn member_name(raw: &str) -> &str {
    raw.trim_start_matches("./").trim_start_matches('/')
}

/// The folder prefix (`""` or `"Top/"`) of an iTunes backup inside an archive whose member names
/// are `names`: `Manifest.db` with `Manifest.plist` or `Info.plist` beside it, at the root or in a
/// single top folder. `None` when the archive is not a backup.
pub fn backup_root<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut roots: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut plists: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for n in names {
        let n = member_name(n);
        let (dir, file) = match n.rsplit_once('/') {
            Some((d, f)) => (format!("{d}/"), f),
            None => (String::new(), n),
        };
        if dir.matches('/').count() > 1 {
            continue;
        }
        match file {
            "Manifest.db" => {
                roots.insert(dir);
            }
            "Manifest.plist" | "Info.plist" => {
                plists.insert(dir);
            }
            _ => {}
        }
    }
    let found: Vec<String> = roots.into_iter().filter(|r| plists.contains(r)).collect();
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The backup prefix of a ZIP or uncompressed TAR at `path`, if it holds an iTunes backup.
pub fn archive_root(path: &Path, tar: bool) -> Option<String> {
    if tar {
        let f = std::fs::File::open(path).ok()?;
        let mut a = ::tar::Archive::new(f);
        let entries = a.entries_with_seek().ok()?;
        let names: Vec<String> = entries.filter_map(|e| e.ok()).map(|e| String::from_utf8_lossy(&e.path_bytes()).into_owned()).collect();
        backup_root(names.iter().map(String::as_str))
    } else {
        let f = std::fs::File::open(path).ok()?;
        let z = ::zip::ZipArchive::new(f).ok()?;
        let names: Vec<String> = z.file_names().filter_map(|n| n.ok()).map(|n| n.to_string()).collect();
        backup_root(names.iter().map(String::as_str))
    }
}

/// Does `Manifest.plist` say the backup is encrypted?
pub fn is_encrypted(dir: &Path) -> bool {
    plist::Value::from_file(dir.join("Manifest.plist"))
        .ok()
        .and_then(|v| v.as_dictionary().and_then(|d| d.get("IsEncrypted")).and_then(|b| b.as_boolean()))
        .unwrap_or(false)
}

/// Device path of a backup domain.
pub fn domain_path(domain: &str) -> String {
    const FIXED: &[(&str, &str)] = &[
        ("HomeDomain", "private/var/mobile"),
        ("CameraRollDomain", "private/var/mobile"),
        ("MediaDomain", "private/var/mobile"),
        ("HealthDomain", "private/var/mobile"),
        ("KeyboardDomain", "private/var/mobile"),
        ("TonesDomain", "private/var/mobile"),
        ("HomeKitDomain", "private/var/mobile"),
        ("WirelessDomain", "private/var/wireless"),
        ("DatabaseDomain", "private/var/db"),
        ("RootDomain", "private/var/root"),
        ("SystemPreferencesDomain", "private/var/preferences"),
        ("ManagedPreferencesDomain", "private/var/Managed Preferences"),
        ("KeychainDomain", "private/var/protected/trustd/private"),
        ("NetworkDomain", "private/var/networkd"),
        ("ProtectedDomain", "private/var/protected"),
        ("InstallDomain", "private/var/installd"),
        ("MobileDeviceDomain", "private/var/MobileDevice"),
    ];
    const PREFIXED: &[(&str, &str)] = &[
        ("AppDomainGroup-", "private/var/mobile/Containers/Shared/AppGroup/"),
        ("AppDomainPlugin-", "private/var/mobile/Containers/Data/PluginKitPlugin/"),
        ("AppDomain-", "private/var/mobile/Containers/Data/Application/"),
        ("SysSharedContainerDomain-", "private/var/containers/Shared/SystemGroup/"),
        ("SysContainerDomain-", "private/var/containers/Data/System/"),
    ];
    if let Some((_, p)) = FIXED.iter().find(|(d, _)| *d == domain) {
        return (*p).to_string();
    }
    for (prefix, base) in PREFIXED {
        if let Some(rest) = domain.strip_prefix(prefix) {
            return format!("{base}{rest}");
        }
    }
    format!("_unmapped-domains/{domain}")
}

/// What an archived `MBFile` says: the device modification time (µs since 1970) and, for a
/// symbolic link, its target (`Target`, a UID into `$objects`).
fn mbfile_meta(blob: &[u8]) -> (Option<i64>, Option<String>) {
    let Ok(v) = plist::Value::from_reader(std::io::Cursor::new(blob)) else { return (None, None) };
    let Some(objects) = v.as_dictionary().and_then(|d| d.get("$objects")).and_then(|o| o.as_array()) else { return (None, None) };
    let Some(file) = objects.iter().filter_map(|o| o.as_dictionary()).find(|d| d.contains_key("LastModified") || d.contains_key("Target")) else {
        return (None, None);
    };
    let mtime = file.get("LastModified").and_then(|t| t.as_signed_integer()).and_then(|s| s.checked_mul(1_000_000));
    let target = match file.get("Target") {
        Some(plist::Value::Uid(u)) => usize::try_from(u.get()).ok().and_then(|i| objects.get(i)).and_then(|t| t.as_string()).map(String::from),
        Some(plist::Value::String(t)) => Some(t.clone()),
        _ => None,
    };
    (mtime, target)
}

/// A new, empty temporary folder for a copy of `Manifest.db`.
fn scratch_dir() -> std::io::Result<PathBuf> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("threadline-manifest-{}-{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn temp_copy(root: &Path) -> std::io::Result<PathBuf> {
    let dir = scratch_dir()?;
    for name in ["Manifest.db", "Manifest.db-wal", "Manifest.db-shm"] {
        let from = root.join(name);
        if from.is_file() {
            let mut src = super::open_evidence(&from)?;
            let mut dst = std::fs::File::create(dir.join(name))?;
            std::io::copy(&mut src, &mut dst)?;
        }
    }
    Ok(dir)
}

/// The issue an encrypted backup gets: `subject` is "'PATH' is" or "'PATH' holds", `items` what is
/// hashed as stored.
fn encrypted_issue(subject: &str, items: &str) -> Issue {
    Issue {
        seq: None,
        path: None,
        severity: Severity::Error,
        code: "encrypted",
        message: format!(
            "{subject} an encrypted iTunes/Finder backup (Manifest.plist: IsEncrypted): its {items} are hashed as stored, \
             but cannot be decoded until decryption with the backup password is added"
        ),
    }
}

pub(super) fn walk(root: &Path, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    if is_encrypted(root) {
        sink.issue(encrypted_issue(&format!("'{}' is", root.display()), "files"));
        let mut out = super::folder::walk(root, sink, cancel)?;
        out.damaged = Some("encrypted iTunes/Finder backup: files hashed as stored, not decoded (decryption with the backup password is not supported yet)".into());
        return Ok(out);
    }
    let mut out = WalkOutcome::default();
    let mut seq: u64 = 0;
    // The backup's own files first.
    for name in ["Manifest.db", "Manifest.plist", "Info.plist", "Status.plist"] {
        let p = root.join(name);
        let Ok(meta) = std::fs::metadata(&p) else { continue };
        let this = seq;
        seq += 1;
        out.entries += 1;
        if sink.already_done(this) {
            continue;
        }
        let entry = backup_entry(this, name, meta.len(), meta.modified().ok().and_then(system_time_us));
        sink.entry(entry, Content::Deferred(Box::new(FolderEntry(p))))?;
    }
    let tmp = temp_copy(root).map_err(|e| Error::io("copying Manifest.db of", root, e))?;
    let rows = manifest_rows(&tmp.join("Manifest.db"), &root.join("Manifest.db"), seq, cancel);
    let _ = std::fs::remove_dir_all(&tmp);
    for (file_id, mut entry) in rows? {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        out.entries += 1;
        if sink.already_done(entry.seq) {
            continue;
        }
        let blob_path = (file_id.len() > 2 && file_id.is_ascii()).then(|| root.join(&file_id[..2]).join(&file_id));
        let meta = blob_path.as_ref().and_then(|p| std::fs::metadata(p).ok());
        if entry.kind == EntryKind::File {
            entry.size = meta.as_ref().map(|m| m.len()).unwrap_or(0);
        }
        let content = match (entry.kind, blob_path, meta) {
            (EntryKind::File, Some(p), Some(_)) => Content::Deferred(Box::new(FolderEntry(p))),
            (EntryKind::File, _, _) => missing_blob(sink, &entry, &file_id),
            _ => Content::None(None),
        };
        sink.entry(entry, content)?;
    }
    Ok(out)
}

/// Report a `Files` row whose blob is not in the backup; its content is `None` with the reason.
fn missing_blob(sink: &mut dyn EntrySink, entry: &Entry, file_id: &str) -> Content<'static> {
    let msg = format!("'{}' (fileID {file_id}) is listed in Manifest.db but its blob is missing from the backup", entry.raw_path);
    sink.issue(Issue { seq: Some(entry.seq), path: Some(entry.path.clone()), severity: Severity::Warning, code: "missing-blob", message: msg.clone() });
    Content::None(Some(msg))
}

/// Every `Files` row of a `Manifest.db` (a scratch copy at `db_path`; `shown` names it in errors)
/// as (fileID, entry at its device path), in the walk's order, numbered from `first_seq`. Sizes
/// are 0: the caller knows the blob.

/// The entry of one of the backup's own files (`Manifest.db`, `Info.plist` …), listed under
/// `/_backup/`.
fn backup_entry(seq: u64, name: &str, size: u64, mtime: Option<i64>) -> Entry {
    Entry {
        seq,
        raw_path: name.to_string(),
        path: format!("/_backup/{name}"),
        kind: EntryKind::File,
        size,
        compressed_size: None,
        mtime,
        atime: None,
        ctime: None,
        btime: None,
        link_target: None,
        flags: Vec::new(),
        stated: None,
    }
}
fn manifest_rows(db_path: &Path, shown: &Path, first_seq: u64, cancel: &CancelToken) -> Result<Vec<(String, Entry)>> {
    let db = Connection::open_with_flags(db_path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(|e| Error::SourceUnreadable {
        path: shown.to_path_buf(),
        expected: "the SQLite Manifest.db of an iTunes/Finder backup".into(),
        reason: e.to_string(),
    })?;
    let unreadable = |e: rusqlite::Error| Error::SourceUnreadable {
        path: shown.to_path_buf(),
        expected: "a Files(fileID, domain, relativePath, flags, file) table".into(),
        reason: e.to_string(),
    };
    let mut st = db.prepare("SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY domain, relativePath, fileID").map_err(unreadable)?;
    let mut rows = st.query([]).map_err(unreadable)?;
    let mut out = Vec::new();
    let mut seq = first_seq;
    while let Some(r) = rows.next().map_err(unreadable)? {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let file_id: String = r.get::<_, Option<String>>(0).ok().flatten().unwrap_or_default();
        let domain: String = r.get::<_, Option<String>>(1).ok().flatten().unwrap_or_default();
        let rel: String = r.get::<_, Option<String>>(2).ok().flatten().unwrap_or_default();
        let flags: i64 = r.get::<_, Option<i64>>(3).ok().flatten().unwrap_or(1);
        let blob: Option<Vec<u8>> = r.get(4).ok();
        let norm = super::normalise(&format!("{}/{rel}", domain_path(&domain)));
        let kind = match flags {
            2 => EntryKind::Dir,
            4 => EntryKind::Symlink,
            _ => EntryKind::File,
        };
        let (mtime, target) = blob.as_deref().map(mbfile_meta).unwrap_or((None, None));
        out.push((
            file_id,
            Entry {
                seq,
                raw_path: format!("{domain}/{rel}"),
                path: norm.path,
                kind,
                size: 0,
                compressed_size: None,
                mtime,
                atime: None,
                ctime: None,
                btime: None,
                link_target: if kind == EntryKind::Symlink { target } else { None },
                flags: norm.flags,
                stated: None,
            },
        ));
        seq += 1;
    }
    Ok(out)
}

/// First pass over an archived backup: every member's name, and the backup's own files copied
/// out to `dir`.
struct FirstPass<'a> {
    root: &'a str,
    dir: &'a Path,
    names: HashMap<u64, String>,
    problems: Vec<String>,
}

impl EntrySink for FirstPass<'_> {
    fn already_done(&self, _seq: u64) -> bool {
        false
    }
    fn issue(&mut self, _issue: Issue) {}
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()> {
        let name = member_name(&entry.raw_path).to_string();
        let own = name.strip_prefix(self.root).filter(|n| OWN_FILES.contains(n) || *n == "Manifest.db-wal" || *n == "Manifest.db-shm").map(String::from);
        if let (Some(own), EntryKind::File) = (own, entry.kind) {
            let dest = self.dir.join(&own);
            let copy = |r: &mut dyn std::io::Read| -> std::io::Result<()> {
                let mut f = std::fs::File::create(&dest)?;
                std::io::copy(r, &mut f).map(|_| ())
            };
            let done = match content {
                Content::Stream(r) => copy(r),
                Content::Deferred(o) => o.with_reader(&mut |r| copy(r)),
                Content::None(why) => Err(std::io::Error::other(why.unwrap_or_else(|| "no content".into()))),
            };
            if let Err(e) = done {
                self.problems.push(format!("'{}': {e}", entry.raw_path));
            }
        }
        self.names.insert(entry.seq, name);
        Ok(())
    }
}

/// Second pass: archive members become the backup's entries.
struct SecondPass<'a> {
    inner: &'a mut dyn EntrySink,
    /// Archive sequence number → index into `targets`.
    map: HashMap<u64, usize>,
    targets: &'a [(String, Entry)],
    seen: Vec<bool>,
    own: usize,
}

impl EntrySink for SecondPass<'_> {
    fn already_done(&self, seq: u64) -> bool {
        match self.map.get(&seq) {
            Some(&i) => self.inner.already_done(self.targets[i].1.seq),
            None => true,
        }
    }
    fn totals(&mut self, entries: u64, bytes: u64) {
        self.inner.totals(entries, bytes);
    }
    fn position(&mut self, read: u64, size: u64) {
        self.inner.position(read, size);
    }
    fn issue(&mut self, mut issue: Issue) {
        match issue.seq.and_then(|s| self.map.get(&s)) {
            Some(&i) => {
                issue.seq = Some(self.targets[i].1.seq);
                issue.path = Some(self.targets[i].1.path.clone());
            }
            None => issue.seq = None,
        }
        self.inner.issue(issue);
    }
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()> {
        let Some(&i) = self.map.get(&entry.seq) else { return Ok(()) };
        self.seen[i] = true;
        let mut e = self.targets[i].1.clone();
        e.size = entry.size;
        e.compressed_size = entry.compressed_size;
        if i < self.own {
            e.mtime = entry.mtime;
        }
        self.inner.entry(e, content)
    }
}

/// Walk an iTunes backup inside a ZIP (`tar` false) or an uncompressed TAR: see the module docs.
pub(super) fn walk_archive(path: &Path, tar: bool, limits: &Limits, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    let what = if tar { "TAR" } else { "ZIP" };
    let root = archive_root(path, tar).ok_or_else(|| Error::SourceUnreadable {
        path: path.to_path_buf(),
        expected: format!("an iTunes/Finder backup in a {what}"),
        reason: "no Manifest.db with Manifest.plist or Info.plist at its root or in a single top folder".into(),
    })?;
    let inner = |s: &mut dyn EntrySink| if tar { super::tar::walk(path, false, limits, s, cancel) } else { super::zip::walk(path, limits, s, cancel) };
    let tmp = scratch_dir().map_err(|e| Error::io("creating a temporary folder for the Manifest.db of", path, e))?;
    let result = (|| -> Result<WalkOutcome> {
        let mut first = FirstPass { root: &root, dir: &tmp, names: HashMap::new(), problems: Vec::new() };
        inner(&mut first)?;
        if is_encrypted(&tmp) {
            sink.issue(encrypted_issue(&format!("'{}' holds", path.display()), "members"));
            let mut out = inner(sink)?;
            out.damaged = Some(format!("encrypted iTunes/Finder backup in a {what}: members hashed as stored, not decoded (decryption with the backup password is not supported yet)"));
            return Ok(out);
        }
        if !tmp.join("Manifest.db").is_file() {
            return Err(Error::SourceUnreadable {
                path: path.to_path_buf(),
                expected: format!("an iTunes/Finder backup in a {what}"),
                reason: format!("its Manifest.db could not be read: {}", first.problems.join("; ")),
            });
        }
        // The backup's own files, then the manifest's rows: the folder walk's order and numbers.
        let mut by_member: HashMap<String, u64> = first.names.iter().map(|(seq, n)| (n.clone(), *seq)).collect();
        let mut targets: Vec<(String, Entry)> = Vec::new();
        let mut map: HashMap<u64, usize> = HashMap::new();
        for name in OWN_FILES {
            let Some(aseq) = by_member.remove(&format!("{root}{name}")) else { continue };
            map.insert(aseq, targets.len());
            targets.push((
                String::new(),
                backup_entry(targets.len() as u64, name, 0, None),
            ));
        }
        let own = targets.len();
        let shown = path.join(format!("{root}Manifest.db"));
        for (file_id, entry) in manifest_rows(&tmp.join("Manifest.db"), &shown, own as u64, cancel)? {
            if entry.kind == EntryKind::File
                && file_id.len() > 2
                && file_id.is_ascii()
                && let Some(aseq) = by_member.remove(&format!("{root}{}/{file_id}", &file_id[..2]))
            {
                map.insert(aseq, targets.len());
            }
            targets.push((file_id, entry));
        }
        let mut second = SecondPass { inner: &mut *sink, map, seen: vec![false; targets.len()], targets: &targets, own };
        let walked = inner(&mut second)?;
        let seen = std::mem::take(&mut second.seen);
        drop(second);
        let mut out = WalkOutcome { entries: targets.len() as u64, damaged: walked.damaged };
        for ((file_id, entry), seen) in targets.iter().zip(seen) {
            if seen || sink.already_done(entry.seq) {
                continue;
            }
            let content = match entry.kind {
                EntryKind::File => missing_blob(sink, entry, file_id),
                _ => Content::None(None),
            };
            sink.entry(entry.clone(), content)?;
        }
        if out.damaged.is_none() && !first.problems.is_empty() {
            out.damaged = Some(first.problems.join("; "));
        }
        Ok(out)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

#[cfg(test)]
mod tests {
    use super::{domain_path, mbfile_meta};

    #[test]
    fn mbfile_gives_mtime_and_symlink_target() {
        // The layout of an archived MBFile symlink (NSKeyedArchiver): Target is a UID into $objects.
        let mut file = plist::Dictionary::new();
        file.insert("LastModified".into(), plist::Value::Integer(1_687_838_382.into()));
        file.insert("Target".into(), plist::Value::Uid(plist::Uid::new(2)));
        file.insert("Mode".into(), plist::Value::Integer(41_453.into()));
        let objects = vec![plist::Value::String("$null".into()), plist::Value::Dictionary(file), plist::Value::String("/var/db/timezone/zoneinfo/America/Vancouver".into())];
        let mut archive = plist::Dictionary::new();
        archive.insert("$objects".into(), plist::Value::Array(objects));
        let mut blob = Vec::new();
        plist::Value::Dictionary(archive).to_writer_binary(&mut blob).unwrap();
        assert_eq!(mbfile_meta(&blob), (Some(1_687_838_382_000_000), Some("/var/db/timezone/zoneinfo/America/Vancouver".to_string())));
        assert_eq!(mbfile_meta(b"not a plist"), (None, None));
    }

    #[test]
    fn domains_map_to_device_paths() {
        assert_eq!(domain_path("HomeDomain"), "private/var/mobile");
        assert_eq!(domain_path("AppDomainGroup-group.net.whatsapp.WhatsApp.shared"), "private/var/mobile/Containers/Shared/AppGroup/group.net.whatsapp.WhatsApp.shared");
        assert_eq!(domain_path("AppDomain-net.whatsapp.WhatsApp"), "private/var/mobile/Containers/Data/Application/net.whatsapp.WhatsApp");
        assert_eq!(domain_path("WirelessDomain"), "private/var/wireless");
        assert_eq!(domain_path("NoSuchDomain"), "_unmapped-domains/NoSuchDomain");
    }
}
