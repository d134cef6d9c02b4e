//! The texts a keyword list or an indicator pack runs over, each with where it comes from
//! (table, row id, field): message bodies, contact names and entries, visited URLs and titles,
//! file paths, and the raw content of text-like files in the evidence (sniffed as text, HTML, XML,
//! JSON or RTF), read through the vfs like the other passes and capped at [`MAX_FILE_BYTES`].

use std::collections::HashMap;

use super::fold::{char_start, decode};
use crate::case::Case;
use crate::error::{Error, Result, SqlContext};
use crate::progress::CancelToken;
use crate::vfs::{self, Content, Entry, EntrySink, Issue};

/// Bytes read from each text-like file (the rest is not searched; the run says how many were cut).
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// Sniffed types read as text.
pub const TEXT_TYPES: &[&str] = &["text", "html", "xml", "json", "rtf"];

/// One text with its provenance.
#[derive(Debug, Clone)]
pub struct TextUnit {
    /// Source (device) it belongs to.
    pub source_id: Option<i64>,
    /// Table of the row: `messages`, `contacts`, `web_visits`, `files`.
    pub ref_table: &'static str,
    /// Row id.
    pub ref_id: i64,
    /// Field: `body`, `name`, `entries`, `url`, `title`, `path`, `content`.
    pub field: &'static str,
    /// The text's bytes: a row's UTF-8, or a file's content as it is (not validated, not
    /// re-encoded, so spans are offsets into the file; see [`super::fold`] for how it is read).
    pub text: Vec<u8>,
}

/// `(table, field, SQL yielding id, source_id, text)`.
const FIELDS: &[(&str, &str, &str)] = &[
    ("messages", "body", "SELECT id, source_id, body FROM messages WHERE body IS NOT NULL AND body != ''"),
    ("contacts", "name", "SELECT id, source_id, name FROM contacts WHERE name IS NOT NULL AND name != ''"),
    ("contacts", "entries", "SELECT id, source_id, entries FROM contacts WHERE entries != '' AND entries != '[]'"),
    ("web_visits", "url", "SELECT id, source_id, url FROM web_visits"),
    ("web_visits", "title", "SELECT id, source_id, title FROM web_visits WHERE title IS NOT NULL AND title != ''"),
    ("files", "path", "SELECT id, source_id, path FROM files WHERE kind = 'file'"),
];

/// Texts of the parsed artefacts and file paths.
pub fn artefact_texts(case: &Case) -> Result<Vec<TextUnit>> {
    let mut out = Vec::new();
    for (table, field, sql) in FIELDS {
        let mut st = case.conn().prepare(sql).ctx("reading texts to search")?;
        let rows = st
            .query_map([], |r| Ok(TextUnit { ref_id: r.get(0)?, source_id: r.get(1)?, text: r.get::<_, String>(2)?.into_bytes(), ref_table: table, field }))
            .ctx("reading texts to search")?;
        for row in rows {
            out.push(row.ctx("reading texts to search")?);
        }
    }
    Ok(out)
}

/// What reading the files' content found.
#[derive(Debug, Default)]
pub struct FileTexts {
    /// The texts.
    pub texts: Vec<TextUnit>,
    /// Files longer than [`MAX_FILE_BYTES`], searched only up to it.
    pub truncated: usize,
    /// Problems (unreachable evidence, unreadable files).
    pub problems: Vec<String>,
}

struct TextSink<'a> {
    source: i64,
    wanted: &'a HashMap<u64, i64>,
    out: &'a mut FileTexts,
    cancel: &'a CancelToken,
}

impl EntrySink for TextSink<'_> {
    fn already_done(&self, seq: u64) -> bool {
        !self.wanted.contains_key(&seq)
    }
    fn issue(&mut self, _issue: Issue) {}
    fn entry(&mut self, entry: Entry, content: Content<'_>) -> Result<()> {
        if self.cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let Some(&file_id) = self.wanted.get(&entry.seq) else { return Ok(()) };
        let buf = match content.read_up_to(MAX_FILE_BYTES) {
            Ok(b) => b,
            Err(e) => {
                self.out.problems.push(format!("'{}': {e}", entry.path));
                return Ok(());
            }
        };
        if entry.size > MAX_FILE_BYTES {
            self.out.truncated += 1;
        }
        self.out.texts.push(TextUnit { source_id: Some(self.source), ref_table: "files", ref_id: file_id, field: "content", text: buf });
        Ok(())
    }
}

/// The content of every text-like file of every source whose evidence is reachable.
pub fn file_texts(case: &Case, cancel: &CancelToken) -> Result<FileTexts> {
    let mut out = FileTexts::default();
    let types = TEXT_TYPES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",");
    for src in case.sources()? {
        let wanted: HashMap<u64, i64> = {
            let mut st = case
                .conn()
                .prepare(&format!("SELECT seq, id FROM files WHERE source_id = ?1 AND parent_id = 0 AND kind = 'file' AND sniffed IN ({types})"))
                .ctx("listing text files")?;
            st.query_map([src.id], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
                .ctx("listing text files")?
                .collect::<std::result::Result<_, _>>()
                .ctx("listing text files")?
        };
        if wanted.is_empty() {
            continue;
        }
        let Some(at) = case.locate_source(&src.path, src.rel_path.as_deref()) else {
            out.problems.push(format!("source {} '{}': the evidence '{}' is not reachable; its {} text files were not searched", src.id, src.label, src.path, wanted.len()));
            continue;
        };
        let mut sink = TextSink { source: src.id, wanted: &wanted, out: &mut out, cancel };
        let walked = vfs::detect(&at).and_then(|k| vfs::walk(&at, k, &vfs::Limits { max_ratio: f64::INFINITY, ..Default::default() }, &mut sink, cancel));
        match walked {
            Ok(w) => {
                if let Some(d) = w.damaged {
                    out.problems.push(format!("source {} '{}': {d}", src.id, src.label));
                }
            }
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => out.problems.push(format!("source {} '{}': {e}", src.id, src.label)),
        }
    }
    Ok(out)
}

/// Everything a keyword list or an indicator pack runs over.
#[derive(Debug, Default)]
pub struct AllTexts {
    /// The artefacts' texts, then the files' contents.
    pub units: Vec<TextUnit>,
    /// How many of them are file contents.
    pub files: usize,
    /// Problems (unreachable evidence, unreadable files, files cut at the size cap), for the run.
    pub problems: Vec<String>,
}

/// [`artefact_texts`] and [`file_texts`] together, files cut at [`MAX_FILE_BYTES`] counted
/// among the problems.
pub fn all_texts(case: &Case, cancel: &CancelToken) -> Result<AllTexts> {
    let mut units = artefact_texts(case)?;
    let files = file_texts(case, cancel)?;
    let mut problems = files.problems;
    if files.truncated > 0 {
        problems.push(format!("{} files longer than {} MiB were searched up to that size", files.truncated, MAX_FILE_BYTES >> 20));
    }
    let n = files.texts.len();
    units.extend(files.texts);
    if cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }
    Ok(AllTexts { units, files: n, problems })
}

/// A short excerpt of `text` (raw bytes, read as [`super::fold::decode`] does) around the byte
/// span, on character boundaries, on one line, the match in brackets.
pub fn context(text: &[u8], start: usize, end: usize) -> String {
    let s = start.min(text.len());
    let e = end.clamp(s, text.len());
    let lo = char_start(text, s.saturating_sub(40));
    let hi = char_start(text, e.saturating_add(40).min(text.len())).max(e);
    format!(
        "{}{}[{}]{}{}",
        if lo > 0 { "…" } else { "" },
        decode(&text[lo..s]),
        decode(&text[s..e]),
        decode(&text[e..hi]),
        if hi < text.len() { "…" } else { "" }
    )
    .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::context;

    #[test]
    fn context_marks_the_match_on_char_boundaries() {
        let t = "é".repeat(30) + "prêt" + &"à".repeat(30);
        let s = t.find("prêt").unwrap();
        let c = context(t.as_bytes(), s, s + "prêt".len());
        assert!(c.contains("[prêt]") && c.starts_with('…') && c.ends_with('…'), "{c}");
        assert_eq!(context(b"abc", 0, 3), "[abc]");
        // Windows-1252 bytes are shown as the characters they are.
        assert_eq!(context(b"le pr\xEAt\nici", 3, 7), "le [prêt] ici");
    }
}
