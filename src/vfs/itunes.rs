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

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::folder::FolderEntry;
use super::{Content, Entry, EntryKind, EntrySink, Issue, Severity, WalkOutcome, system_time_us};
use crate::error::{Error, Result};
use crate::progress::CancelToken;

/// Is this folder an iTunes/Finder backup?
pub fn is_backup(dir: &Path) -> bool {
    dir.join("Manifest.db").is_file() && (dir.join("Manifest.plist").is_file() || dir.join("Info.plist").is_file())
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

fn temp_copy(root: &Path) -> std::io::Result<PathBuf> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("threadline-manifest-{}-{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    std::fs::create_dir_all(&dir)?;
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

pub(super) fn walk(root: &Path, sink: &mut dyn EntrySink, cancel: &CancelToken) -> Result<WalkOutcome> {
    if is_encrypted(root) {
        sink.issue(Issue {
            seq: None,
            path: None,
            severity: Severity::Error,
            code: "encrypted",
            message: format!(
                "'{}' is an encrypted iTunes/Finder backup (Manifest.plist: IsEncrypted): its files are hashed as stored, \
                 but cannot be decoded until decryption with the backup password is added",
                root.display()
            ),
        });
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
        let entry = Entry {
            seq: this,
            raw_path: name.to_string(),
            path: format!("/_backup/{name}"),
            kind: EntryKind::File,
            size: meta.len(),
            compressed_size: None,
            mtime: meta.modified().ok().and_then(system_time_us),
            atime: None,
            ctime: None,
            btime: None,
            link_target: None,
            flags: Vec::new(),
            stated: None,
        };
        sink.entry(entry, Content::Deferred(Box::new(FolderEntry(p))))?;
    }
    let tmp = temp_copy(root).map_err(|e| Error::io("copying Manifest.db of", root, e))?;
    let result = (|| -> Result<()> {
        let db = Connection::open_with_flags(tmp.join("Manifest.db"), OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(|e| Error::SourceUnreadable {
            path: root.join("Manifest.db"),
            expected: "the SQLite Manifest.db of an iTunes/Finder backup".into(),
            reason: e.to_string(),
        })?;
        let unreadable = |e: rusqlite::Error| Error::SourceUnreadable {
            path: root.join("Manifest.db"),
            expected: "a Files(fileID, domain, relativePath, flags, file) table".into(),
            reason: e.to_string(),
        };
        let mut st = db.prepare("SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY domain, relativePath, fileID").map_err(unreadable)?;
        let mut rows = st.query([]).map_err(unreadable)?;
        while let Some(r) = rows.next().map_err(unreadable)? {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let file_id: String = r.get::<_, Option<String>>(0).ok().flatten().unwrap_or_default();
            let domain: String = r.get::<_, Option<String>>(1).ok().flatten().unwrap_or_default();
            let rel: String = r.get::<_, Option<String>>(2).ok().flatten().unwrap_or_default();
            let flags: i64 = r.get::<_, Option<i64>>(3).ok().flatten().unwrap_or(1);
            let blob: Option<Vec<u8>> = r.get(4).ok();
            let this = seq;
            seq += 1;
            out.entries += 1;
            if sink.already_done(this) {
                continue;
            }
            let raw_path = format!("{domain}/{rel}");
            let norm = super::normalise(&format!("{}/{rel}", domain_path(&domain)));
            let kind = match flags {
                2 => EntryKind::Dir,
                4 => EntryKind::Symlink,
                _ => EntryKind::File,
            };
            let blob_path = (file_id.len() > 2 && file_id.is_ascii()).then(|| root.join(&file_id[..2]).join(&file_id));
            let meta = blob_path.as_ref().and_then(|p| std::fs::metadata(p).ok());
            let (mtime, target) = blob.as_deref().map(mbfile_meta).unwrap_or((None, None));
            let entry = Entry {
                seq: this,
                raw_path: raw_path.clone(),
                path: norm.path,
                kind,
                size: if kind == EntryKind::File { meta.as_ref().map(|m| m.len()).unwrap_or(0) } else { 0 },
                compressed_size: None,
                mtime,
                atime: None,
                ctime: None,
                btime: None,
                link_target: if kind == EntryKind::Symlink { target } else { None },
                flags: norm.flags,
                stated: None,
            };
            let content = match (kind, blob_path, meta) {
                (EntryKind::File, Some(p), Some(_)) => Content::Deferred(Box::new(FolderEntry(p))),
                (EntryKind::File, _, _) => {
                    let msg = format!("'{raw_path}' (fileID {file_id}) is listed in Manifest.db but its blob is missing from the backup");
                    sink.issue(Issue { seq: Some(this), path: Some(entry.path.clone()), severity: Severity::Warning, code: "missing-blob", message: msg.clone() });
                    Content::None(Some(msg))
                }
                _ => Content::None(None),
            };
            sink.entry(entry, content)?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result?;
    Ok(out)
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
