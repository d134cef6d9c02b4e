//! File type sniffing from the first bytes (magic numbers), never from the extension.
//!
//! Returns a short stable name (`jpeg`, `sqlite`, `zip` …) stored in `files.sniffed`. Parsers and
//! the image pass dispatch on it; archives found inside a source are listed from it.

/// Names of sniffed types that are archives Threadline can expand.
pub const ARCHIVE_TYPES: &[&str] = &["zip", "tar", "gzip"];

/// Sniff a type from the first bytes of a file (at least 512 bytes when the file has them).
pub fn sniff(head: &[u8], size: u64) -> &'static str {
    if size == 0 || head.is_empty() {
        return "empty";
    }
    let starts = |m: &[u8]| head.starts_with(m);
    let at = |off: usize, m: &[u8]| head.len() >= off + m.len() && &head[off..off + m.len()] == m;
    if starts(b"SQLite format 3\0") {
        "sqlite"
    } else if starts(b"\xFF\xD8\xFF") {
        "jpeg"
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "gif"
    } else if starts(b"RIFF") && at(8, b"WEBP") {
        "webp"
    } else if starts(b"BM") && head.len() >= 14 {
        "bmp"
    } else if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        "tiff"
    } else if at(4, b"ftyp") {
        let brand = head.get(8..12).unwrap_or(b"");
        match brand {
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis" | b"hevc" => "heic",
            b"avif" => "avif",
            b"qt  " => "quicktime",
            _ => "mp4",
        }
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        "zip"
    } else if starts(&[0x1f, 0x8b]) {
        "gzip"
    } else if crate::vfs::is_tar_header(head) {
        "tar"
    } else if starts(b"%PDF-") {
        "pdf"
    } else if starts(b"bplist00") {
        "bplist"
    } else if starts(b"\xFD7zXZ\0") {
        "xz"
    } else if starts(b"BZh") {
        "bzip2"
    } else if starts(b"7z\xBC\xAF\x27\x1C") {
        "7z"
    } else if starts(b"Rar!\x1a\x07") {
        "rar"
    } else if starts(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        "ole2"
    } else if starts(b"EVF\x09\x0D\x0A\xFF\x00") || starts(b"EVF2\r\n\x81\0") {
        "ewf"
    } else if starts(b"ANDROID BACKUP\n") {
        "android-backup"
    } else if starts(b"ABX\0") {
        "android-abx"
    } else if starts(b"OggS") {
        "ogg"
    } else if starts(b"ID3") || (head.len() > 1 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) {
        "mp3"
    } else if starts(b"#!AMR") {
        "amr"
    } else if starts(b"\x1aE\xdf\xa3") {
        "matroska"
    } else if starts(b"{\\rtf") {
        "rtf"
    } else if looks_like_text(head) {
        let t = String::from_utf8_lossy(&head[..head.len().min(256)]).to_ascii_lowercase();
        let t = t.trim_start_matches('\u{feff}').trim_start();
        if t.starts_with("<?xml") {
            if t.contains("plist") { "xml-plist" } else { "xml" }
        } else if t.starts_with("<!doctype html") || t.starts_with("<html") {
            "html"
        } else if t.starts_with('{') || t.starts_with('[') {
            "json"
        } else {
            "text"
        }
    } else {
        "binary"
    }
}

/// UTF-8 (or ASCII) without control bytes other than whitespace; a cut multi-byte tail is allowed.
/// Or a single-byte text (Windows-1252 / Latin-1, common in files from Windows machines): no
/// control bytes other than whitespace, and mostly ASCII (at most a quarter of the bytes ≥ 0x80).
fn looks_like_text(head: &[u8]) -> bool {
    let s = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if head.len() - e.valid_up_to() < 4 && e.error_len().is_none() => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(s) => s,
            Err(_) => return false,
        },
        Err(_) => {
            let high = head.iter().filter(|&&b| b >= 0x80).count();
            return high * 4 <= head.len() && !head.iter().any(|&b| (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)) || b == 0x7F);
        }
    };
    !s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn magic_numbers() {
        assert_eq!(sniff(b"SQLite format 3\0rest", 100), "sqlite");
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0..JFIF", 100), "jpeg");
        assert_eq!(sniff(b"PK\x03\x04....", 100), "zip");
        assert_eq!(sniff(b"\0\0\0\x18ftypheic", 100), "heic");
        assert_eq!(sniff(b"bplist00...", 100), "bplist");
        assert_eq!(sniff(b"hello, world\n", 13), "text");
        assert_eq!(sniff("prêt à partir".as_bytes(), 14), "text");
        // Windows-1252 text, but not random high bytes.
        assert_eq!(sniff(b"Vieux fichier : pr\xEAt \xE0 partir.\n", 34), "text");
        assert_eq!(sniff(b"\xEA\xE0\xE9\xFF\xC3\x80\x81ab", 9), "binary");
        assert_eq!(sniff(b"<?xml version='1.0'?><plist>", 30), "xml-plist");
        assert_eq!(sniff(b"\x00\x01\x02\x03", 4), "binary");
        assert_eq!(sniff(b"", 0), "empty");
    }
}
