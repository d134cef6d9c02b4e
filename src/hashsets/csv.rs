//! CSV hash lists: md5/sha1/sha256/pdq columns named in a header line, read line by line.
//!
//! - The header is the first line that is not blank and not a `#` comment. Column names are
//!   compared without regard to case, spaces, `-` and `_` (`SHA-256`, `sha_256`, `Sha256`): `md5`,
//!   `sha1`, `sha256`, `pdq` (also `pdqhash`), `photodna` (stored, never matched), `category`
//!   (also `cat`, `vicscategory`) and `name` (also `filename`, `file`, `path`, `description`).
//! - The separator is the one of `,` `;` tab `|` the header uses most. Fields may be quoted
//!   (`"…"`, `""` inside); a quoted field cannot span lines.
//! - A file whose first line is a bare hash (32, 40 or 64 hex digits) is a headerless list, one
//!   hash per line, typed by its length (64 digits are SHA-256).
//! - A value that is not a hash of its column's length stops the import with the line number; a
//!   row without any hash is skipped and counted.

use std::io::{BufRead, BufReader};
use std::path::Path;

use super::{HashingReader, Item, ItemWriter, ReadOutcome, bad, norm_hex, shorten};
use crate::error::{Error, Result};

/// What the reader expects, for error messages.
pub const EXPECTED: &str = "a CSV hash list (a header line naming md5, sha1, sha256 or pdq columns)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Md5,
    Sha1,
    Sha256,
    Pdq,
    PhotoDna,
    Category,
    Name,
    Other,
}

fn column(name: &str) -> Col {
    let n: String = name.trim().trim_matches('"').chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    match n.as_str() {
        "md5" | "md5hash" | "md5sum" => Col::Md5,
        "sha1" | "sha1hash" | "sha1sum" => Col::Sha1,
        "sha256" | "sha256hash" | "sha256sum" => Col::Sha256,
        "pdq" | "pdqhash" => Col::Pdq,
        "photodna" => Col::PhotoDna,
        "category" | "cat" | "vicscategory" => Col::Category,
        "name" | "filename" | "file" | "path" | "description" => Col::Name,
        _ => Col::Other,
    }
}

/// Split one line on `sep`, honouring double quotes.
fn split(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.trim().is_empty() {
            cur.clear();
            quoted = true;
        } else if c == sep {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

fn is_bare_hash(s: &str) -> bool {
    let t = s.trim();
    matches!(t.len(), 32 | 40 | 64) && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Read a CSV file into `writer`.
pub(crate) fn read(path: &Path, writer: &mut ItemWriter<'_>) -> Result<ReadOutcome> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("opening the hash set", path, e))?;
    let mut hashing = HashingReader::new(file);
    {
        let mut reader = BufReader::with_capacity(1 << 16, &mut hashing);
        let mut line = String::new();
        let mut line_no = 0u64;
        let mut layout: Option<(char, Vec<Col>)> = None;
        loop {
            line.clear();
            let n = match reader.read_line(&mut line) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    return Err(bad(path, EXPECTED, format!("line {} is not UTF-8 text", line_no + 1)));
                }
                Err(e) => return Err(Error::io("reading the hash set", path, e)),
            };
            if n == 0 {
                break;
            }
            line_no += 1;
            let text = line.trim_end_matches(['\n', '\r']);
            let text = if line_no == 1 { text.trim_start_matches('\u{feff}') } else { text };
            if text.trim().is_empty() || text.trim_start().starts_with('#') {
                continue;
            }
            let (sep, cols) = match &layout {
                Some(l) => l.clone(),
                None => {
                    let sep = [',', ';', '\t', '|'].into_iter().max_by_key(|s| text.matches(*s).count()).filter(|s| text.contains(*s)).unwrap_or(',');
                    let cols: Vec<Col> = split(text, sep).iter().map(|c| column(c)).collect();
                    if cols.iter().any(|c| matches!(c, Col::Md5 | Col::Sha1 | Col::Sha256 | Col::Pdq | Col::PhotoDna)) {
                        layout = Some((sep, cols));
                        continue;
                    }
                    let first = split(text, sep).into_iter().next().unwrap_or_default();
                    if !is_bare_hash(&first) {
                        return Err(bad(
                            path,
                            EXPECTED,
                            format!("line {line_no} '{}' names no md5, sha1, sha256 or pdq column and is not a bare hash", shorten(text)),
                        ));
                    }
                    // Headerless: one hash per line, typed by length.
                    layout = Some((sep, vec![Col::Other]));
                    (sep, vec![Col::Other])
                }
            };
            let fields = split(text, sep);
            let mut item = Item::default();
            if cols == [Col::Other] {
                let h = fields.first().map(|s| s.trim()).unwrap_or_default();
                let (slot, len) = match h.len() {
                    32 => (&mut item.md5, 32),
                    40 => (&mut item.sha1, 40),
                    _ => (&mut item.sha256, 64),
                };
                *slot = norm_hex(h, len).map_err(|e| bad(path, EXPECTED, format!("line {line_no}: {e}")))?;
            } else {
                for (col, value) in cols.iter().zip(fields.iter()) {
                    let v = value.trim();
                    let hex = |len: usize, label: &str| norm_hex(v, len).map_err(|e| bad(path, EXPECTED, format!("line {line_no}, column {label}: {e}")));
                    match col {
                        Col::Md5 => item.md5 = hex(32, "md5")?,
                        Col::Sha1 => item.sha1 = hex(40, "sha1")?,
                        Col::Sha256 => item.sha256 = hex(64, "sha256")?,
                        Col::Pdq => item.pdq = hex(64, "pdq")?,
                        Col::PhotoDna => item.photodna = Some(v.to_string()).filter(|s| !s.is_empty()),
                        Col::Category => item.category = Some(v.to_string()).filter(|s| !s.is_empty()),
                        Col::Name => item.name = Some(v.to_string()).filter(|s| !s.is_empty()),
                        Col::Other => {}
                    }
                }
            }
            writer.push(item)?;
        }
        if layout.is_none() {
            return Err(bad(path, EXPECTED, "the file has no header line and no hash"));
        }
    }
    let (file_sha256, file_size) = hashing.finish().map_err(|e| Error::io("reading the hash set", path, e))?;
    Ok(ReadOutcome { file_sha256, file_size, format_version: None, envelope: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(split(r#"a,"b,c","d""e",f"#, ','), vec!["a", "b,c", "d\"e", "f"]);
        assert_eq!(split("x\ty", '\t'), vec!["x", "y"]);
    }

    #[test]
    fn recognises_columns() {
        assert_eq!(column("SHA-256"), Col::Sha256);
        assert_eq!(column("\"MD5\""), Col::Md5);
        assert_eq!(column("File_Name"), Col::Name);
        assert_eq!(column("size"), Col::Other);
    }
}
