//! Folding for matching: lower case, diacritics removed (French "PRÊT" → "pret", Romanian "ță" →
//! "ta"), over raw bytes as they come from a row or a file.
//!
//! - Valid UTF-8 is decoded; a byte that does not start a valid UTF-8 sequence is read as a
//!   Windows-1252 character, so a Latin-1/Windows-1252 text file (common on Windows machines) is
//!   searched as the text it is, and nothing is lost on mixed or damaged files.
//! - ASCII runs are lower-cased in bulk; the characters of the 2-byte UTF-8 range (Latin, Greek,
//!   Cyrillic …) and Latin Extended Additional (Vietnamese) come from a table built once from the
//!   slow path (lower case, NFD, combining marks removed, a few letters that do not decompose
//!   mapped by hand: ß œ æ ł ø đ).
//! - Offsets: instead of a map of every byte (8 bytes per byte of text), [`Folded`] keeps a
//!   checkpoint (folded offset, original offset) about every [`CHECKPOINT`] original bytes, and
//!   [`Folded::orig`] re-folds from the nearest one when a hit must be mapped back. Hits are rare
//!   next to text, so this costs nothing where it matters.

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// Original bytes between two offset checkpoints.
pub const CHECKPOINT: usize = 4096;

/// Folded text with what is needed to map its offsets back to the original bytes.
#[derive(Debug, Clone)]
pub struct Folded {
    /// The folded text (valid UTF-8).
    pub text: String,
    /// `(folded offset, original offset)` at character starts; the first is `(0, 0)`.
    checkpoints: Vec<(usize, usize)>,
}

/// Windows-1252 characters of bytes 0x80..=0x9F (the five undefined ones as the C1 controls, as
/// the WHATWG encoding standard does).
const CP1252_80: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The Windows-1252 character of a byte ≥ 0x80.
fn cp1252(b: u8) -> char {
    if b < 0xA0 { CP1252_80[usize::from(b & 0x1F)] } else { char::from(b) }
}

/// Length of the run of ASCII bytes at the start of `b`.
#[inline]
fn ascii_run(b: &[u8]) -> usize {
    let mut i = 0;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let v = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        if v & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        i += 8;
    }
    i + b[i..].iter().position(|&c| c >= 0x80).unwrap_or(b.len() - i)
}

/// The character at `b[i]` (which is ≥ 0x80) and its length in bytes: a valid UTF-8 sequence, or
/// one byte read as Windows-1252.
#[inline]
fn next_char(b: &[u8], i: usize) -> (char, usize) {
    let lead = b[i];
    if (0xC2..=0xDF).contains(&lead) {
        if let Some(&c1) = b.get(i + 1)
            && c1 & 0xC0 == 0x80
        {
            let cp = (u32::from(lead & 0x1F) << 6) | u32::from(c1 & 0x3F);
            if let Some(c) = char::from_u32(cp) {
                return (c, 2);
            }
        }
    } else if lead >= 0xE0 {
        let n = if lead >= 0xF0 { 4 } else { 3 };
        if let Some(seq) = b.get(i..i + n)
            && let Ok(s) = std::str::from_utf8(seq)
            && let Some(c) = s.chars().next()
        {
            return (c, n);
        }
    }
    (cp1252(lead), 1)
}

/// The slow path: lower case, NFD, combining marks removed, a few letters mapped by hand.
fn fold_char_slow(ch: char, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    for c in ch.to_lowercase().nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)) {
        let c = match c {
            'ß' => 's',
            'œ' => 'o',
            'æ' => 'a',
            'ł' => 'l',
            'ø' => 'o',
            'đ' => 'd',
            c => c,
        };
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

/// A table entry: the folded bytes (up to 7) and their count; `u8::MAX` = use the slow path.
type Entry = ([u8; 7], u8);

/// Table of folds for U+0080..U+07FF (index `cp - 0x80`) followed by U+1E00..U+1EFF.
fn table() -> &'static [Entry] {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Vec::with_capacity(0x780 + 0x100);
        let mut buf = Vec::new();
        for cp in (0x80u32..0x800).chain(0x1E00..0x1F00) {
            let mut e: Entry = ([0; 7], u8::MAX);
            if let Some(c) = char::from_u32(cp) {
                buf.clear();
                fold_char_slow(c, &mut buf);
                if buf.len() <= 7 {
                    e.0[..buf.len()].copy_from_slice(&buf);
                    e.1 = buf.len() as u8;
                }
            }
            t.push(e);
        }
        t
    })
}

/// Fold one non-ASCII character into `out`.
#[inline]
fn fold_char(c: char, table: &[Entry], out: &mut Vec<u8>) {
    let cp = c as usize;
    let idx = match cp {
        0x80..=0x7FF => Some(cp - 0x80),
        0x1E00..=0x1EFF => Some(cp - 0x1E00 + 0x780),
        _ => None,
    };
    match idx.and_then(|i| table.get(i)) {
        Some((bytes, n)) if *n != u8::MAX => out.extend_from_slice(&bytes[..usize::from(*n)]),
        _ => fold_char_slow(c, out),
    }
}

/// Fold a string (terms, phrases): the same folding as [`fold_bytes`].
pub fn fold(text: &str) -> String {
    fold_bytes(text.as_bytes()).text
}

/// Fold raw bytes (see the module documentation).
pub fn fold_bytes(b: &[u8]) -> Folded {
    let table = table();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut checkpoints = vec![(0, 0)];
    let mut next_cp = CHECKPOINT;
    let mut i = 0;
    while i < b.len() {
        if i >= next_cp {
            checkpoints.push((out.len(), i));
            next_cp = i + CHECKPOINT;
        }
        let end = next_cp.min(b.len());
        let run = ascii_run(&b[i..end]);
        if run > 0 {
            out.extend(b[i..i + run].iter().map(u8::to_ascii_lowercase));
            i += run;
            continue;
        }
        let (c, n) = next_char(b, i);
        fold_char(c, table, &mut out);
        i += n;
    }
    // Only whole characters were written, so this is valid UTF-8.
    let text = String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Folded { text, checkpoints }
}

impl Folded {
    /// The original offset for folded offset `f` (`orig` = the bytes that were folded).
    /// A start (`end == false`) maps to the start of the character `f` falls in; an end maps to
    /// the end of that character when `f` is inside its folding, and past any following
    /// characters that fold to nothing (combining marks) when `f` is on a boundary.
    pub fn orig(&self, orig: &[u8], f: usize, end: bool) -> usize {
        let table = table();
        let k = self.checkpoints.partition_point(|c| c.0 <= f).saturating_sub(1);
        let (mut fo, mut o) = self.checkpoints.get(k).copied().unwrap_or((0, 0));
        let mut buf = Vec::new();
        while o < orig.len() {
            if orig[o] < 0x80 {
                if fo == f {
                    return o;
                }
                let run = ascii_run(&orig[o..]).min(f - fo);
                fo += run;
                o += run;
                continue;
            }
            let (c, n) = next_char(orig, o);
            buf.clear();
            fold_char(c, table, &mut buf);
            if fo == f && !(end && buf.is_empty()) {
                return o;
            }
            if fo + buf.len() > f {
                return if end { o + n } else { o };
            }
            fo += buf.len();
            o += n;
        }
        orig.len()
    }
}

/// Decode raw bytes for display: valid UTF-8 as is, other bytes as Windows-1252 (as the folding
/// reads them).
pub fn decode(b: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(b) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(b.len() + 8);
    let mut i = 0;
    while i < b.len() {
        let run = ascii_run(&b[i..]);
        if run > 0 {
            // ASCII is valid UTF-8.
            out.push_str(std::str::from_utf8(&b[i..i + run]).unwrap_or_default());
            i += run;
            continue;
        }
        let (c, n) = next_char(b, i);
        out.push(c);
        i += n;
    }
    std::borrow::Cow::Owned(out)
}

/// Start of the character that contains byte `i` of `b` (a UTF-8 continuation byte backs up to
/// its lead byte, at most 3 bytes).
pub fn char_start(b: &[u8], i: usize) -> usize {
    let i = i.min(b.len());
    let mut k = i;
    while k > 0 && i - k < 3 && b.get(k).is_some_and(|&c| c & 0xC0 == 0x80) {
        k -= 1;
    }
    if k < i && b.get(k).is_some_and(|&c| c >= 0xC0) { k } else { i }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_special_letters() {
        assert_eq!(fold("Ærø ÉTÉ"), "aro ete");
        assert_eq!(fold("PRÊT à Partir, ȚARĂ, Straße, Łódź, ĐẶNG"), "pret a partir, tara, strase, lodz, dang");
        assert_eq!(fold("ПАСПОРТ"), "паспорт");
    }

    #[test]
    fn windows_1252_bytes_are_read_as_such() {
        // "prêt à 50€" in Windows-1252.
        let b = b"pr\xEAt \xE0 50\x80";
        let f = fold_bytes(b);
        assert_eq!(f.text, "pret a 50€");
        assert_eq!(decode(b), "prêt à 50€");
        // The span of "pret" maps back to bytes 0..4 of the file.
        assert_eq!((f.orig(b, 0, false), f.orig(b, 4, true)), (0, 4));
        let a = f.text.find('a').unwrap();
        assert_eq!(f.orig(b, a, false), 5);
    }

    #[test]
    fn offsets_map_back_across_checkpoints() {
        let text = "é".repeat(3000) + "PRÊT" + &"ș".repeat(5000) + "Prêt";
        let b = text.as_bytes();
        let f = fold_bytes(b);
        assert!(f.checkpoints.len() > 3);
        for (at, _) in f.text.match_indices("pret") {
            let (s, e) = (f.orig(b, at, false), f.orig(b, at + 4, true));
            assert_eq!(fold(&text[s..e]), "pret", "{s}..{e}");
            assert_eq!(text[s..e].chars().count(), 4);
        }
        assert_eq!(f.orig(b, f.text.len(), true), b.len());
    }

    #[test]
    fn end_offsets_take_whole_characters_and_trailing_marks() {
        // Decomposed "é" (e + U+0301) at the end of a hit.
        let text = "cafe\u{301} noir";
        let f = fold_bytes(text.as_bytes());
        assert_eq!(f.text, "cafe noir");
        assert_eq!(&text[f.orig(text.as_bytes(), 0, false)..f.orig(text.as_bytes(), 4, true)], "cafe\u{301}");
        // An offset inside a character's folding: a start maps to the character's start, an end
        // to its end.
        let t2 = "xΐx";
        let f2 = fold_bytes(t2.as_bytes());
        assert_eq!(f2.text, "xιx");
        assert_eq!((f2.orig(t2.as_bytes(), 2, false), f2.orig(t2.as_bytes(), 2, true)), (1, 1 + "ΐ".len()));
    }

    #[test]
    fn table_agrees_with_the_slow_path() {
        for cp in (0x80u32..0x800).chain(0x1E00..0x1F00) {
            let Some(c) = char::from_u32(cp) else { continue };
            let (mut a, mut b) = (Vec::new(), Vec::new());
            fold_char(c, table(), &mut a);
            fold_char_slow(c, &mut b);
            assert_eq!(a, b, "U+{cp:04X}");
        }
    }

    #[test]
    fn char_start_backs_up_to_the_lead_byte() {
        let s = "aé€".as_bytes();
        assert_eq!(char_start(s, 2), 1);
        assert_eq!(char_start(s, 4), 3);
        assert_eq!(char_start(s, 5), 3);
        assert_eq!(char_start(s, 0), 0);
        assert_eq!(char_start(s, 99), s.len());
    }
}
