//! Path normalisation: one virtual, `/`-rooted path per entry, whatever the container or vendor.
//!
//! - `\0`-free, `/`-separated; `.` and empty components dropped.
//! - A leading `/` (GrayKey ZIPs store `/private/var/…`) is stripped and flagged `absolute-path`.
//! - `..` is resolved lexically; one that would climb above the container's root is dropped and the
//!   entry flagged `escapes-root`. Nothing is ever extracted to disk by these names.
//! - Vendor prefixes are removed so parsers match on path suffixes: `filesystemN/` (Cellebrite
//!   CLBX), `Dump/` (Cellebrite Android), and one extra top folder in front of either of those or of
//!   `private/var/`. (A single top folder shared by every entry is removed when the source is
//!   complete; see `ingest`.)

/// A normalised name with the flags raised on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalised {
    /// `/`-rooted virtual path (`/` alone for the root itself).
    pub path: String,
    /// `absolute-path`, `escapes-root`, `vendor-prefix`.
    pub flags: Vec<&'static str>,
}

fn is_vendor_root(c: &str) -> bool {
    c == "Dump" || (c.starts_with("filesystem") && c["filesystem".len()..].chars().all(|ch| ch.is_ascii_digit()))
}

/// Normalise a raw entry name.
pub fn normalise(raw: &str) -> Normalised {
    let mut flags = Vec::new();
    if raw.starts_with('/') {
        flags.push("absolute-path");
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in raw.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() && !flags.contains(&"escapes-root") {
                    flags.push("escapes-root");
                }
            }
            c => parts.push(c),
        }
    }
    // One extra top folder in front of a vendor root or of private/var.
    if parts.len() > 2 && !is_vendor_root(parts[0]) && parts[0] != "private" {
        let second_is_root = is_vendor_root(parts[1]) || (parts[1] == "private" && parts.get(2) == Some(&"var"));
        if second_is_root {
            parts.remove(0);
            flags.push("vendor-prefix");
        }
    }
    if !parts.is_empty() && is_vendor_root(parts[0]) {
        parts.remove(0);
        if !flags.contains(&"vendor-prefix") {
            flags.push("vendor-prefix");
        }
    }
    let mut path = String::with_capacity(raw.len() + 1);
    for p in &parts {
        path.push('/');
        path.push_str(&p.replace('\0', "\u{FFFD}"));
    }
    if path.is_empty() {
        path.push('/');
    }
    Normalised { path, flags }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_absolute() {
        assert_eq!(normalise("a/b/c.txt").path, "/a/b/c.txt");
        let n = normalise("/private/var/mobile/Library/SMS/sms.db");
        assert_eq!(n.path, "/private/var/mobile/Library/SMS/sms.db");
        assert_eq!(n.flags, vec!["absolute-path"]);
        assert_eq!(normalise("./a//b/./c").path, "/a/b/c");
    }

    #[test]
    fn dot_dot_is_clamped_and_flagged() {
        let n = normalise("../../etc/passwd");
        assert_eq!(n.path, "/etc/passwd");
        assert_eq!(n.flags, vec!["escapes-root"]);
        let n = normalise("a/b/../../c");
        assert_eq!(n.path, "/c");
        assert!(n.flags.is_empty());
        let n = normalise("a/../../c");
        assert_eq!(n.path, "/c");
        assert_eq!(n.flags, vec!["escapes-root"]);
    }

    #[test]
    fn vendor_prefixes() {
        assert_eq!(normalise("filesystem1/private/var/mobile/x").path, "/private/var/mobile/x");
        assert_eq!(normalise("filesystem2/mobile/Library/SMS/sms.db").path, "/mobile/Library/SMS/sms.db");
        assert_eq!(normalise("Dump/data/data/com.whatsapp/databases/msgstore.db").path, "/data/data/com.whatsapp/databases/msgstore.db");
        assert_eq!(normalise("export_2024/Dump/data/x").path, "/data/x");
        assert_eq!(normalise("case 12/private/var/mobile/x").path, "/private/var/mobile/x");
        // A folder merely named like a vendor root deep down is kept.
        assert_eq!(normalise("a/b/Dump/x").path, "/a/b/Dump/x");
        // "filesystem" followed by letters is not a vendor root.
        assert_eq!(normalise("filesystems/x").path, "/filesystems/x");
        // The vendor folder itself becomes the root.
        assert_eq!(normalise("Dump/").path, "/");
    }
}
