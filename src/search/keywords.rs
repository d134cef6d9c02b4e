//! Keyword lists: terms matched over any text, ignoring case and diacritics unless asked not to
//! (French "prêt" finds "pret", "PRÊT" and "prét"), with aho-corasick for the literal terms and
//! the regex crate for patterns. Hits carry byte spans into the original text.
//!
//! Lists are plain text (one term per line, `#` comments) or CSV with a `term` column and optional
//! `category` and `mode` columns. Modes: `exact` (case- and accent-sensitive), `substring` (the
//! default), `whole-word`, `regex`.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// How a term matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Literal, case- and accent-sensitive.
    Exact,
    /// Literal anywhere, ignoring case and accents.
    Substring,
    /// Literal on word boundaries, ignoring case and accents.
    WholeWord,
    /// A regular expression (Rust syntax), matched on the original text.
    Regex,
}

impl Mode {
    /// Parse a mode name (`exact`, `substring`, `word`/`whole-word`, `regex`).
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "substring" => Some(Mode::Substring),
            "exact" => Some(Mode::Exact),
            "whole-word" | "word" | "wholeword" => Some(Mode::WholeWord),
            "regex" | "re" => Some(Mode::Regex),
            _ => None,
        }
    }

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Exact => "exact",
            Mode::Substring => "substring",
            Mode::WholeWord => "whole-word",
            Mode::Regex => "regex",
        }
    }
}

/// One term of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The term as written.
    pub text: String,
    /// Category (from the CSV), if any.
    pub category: Option<String>,
    /// Mode.
    pub mode: Mode,
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Index of the term in the list.
    pub term: usize,
    /// Byte span in the original text.
    pub span: (usize, usize),
}

/// Lower-case and strip diacritics, keeping a map from folded byte offsets to original ones.
/// Runs of ASCII are copied in bulk; other characters are lower-cased, decomposed (NFD) and
/// stripped of their combining marks.
pub fn fold(text: &str) -> (String, Vec<usize>) {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..].iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len() - i);
        if run > 0 {
            out.extend(bytes[i..i + run].iter().map(u8::to_ascii_lowercase));
            map.extend(i..i + run);
            i += run;
            continue;
        }
        let Some(ch) = text[i..].chars().next() else { break };
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
            let enc = c.encode_utf8(&mut buf);
            out.extend_from_slice(enc.as_bytes());
            map.extend(std::iter::repeat_n(i, enc.len()));
        }
        i += ch.len_utf8();
    }
    map.push(text.len());
    // Only whole characters were written, so this is valid UTF-8.
    let out = String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (out, map)
}

fn fold_str(s: &str) -> String {
    fold(s).0
}

/// Literal terms. A leftmost-first scan (the regex crate's engine over the alternation of the
/// terms, with its literal prefilters) finds where matches are; the overlapping aho-corasick scan
/// then runs only on windows around them. Every overlapping match starts inside a leftmost-first
/// match, so a window from its start to its end plus the longest term misses nothing.
struct Literals {
    ac: AhoCorasick,
    scout: regex::bytes::Regex,
    max_len: usize,
    idx: Vec<usize>,
}

impl Literals {
    fn new(pats: Vec<String>, idx: Vec<usize>) -> Result<Literals> {
        // A DFA when the list allows it (several times faster than the NFA on large texts).
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&pats)
            .or_else(|_| AhoCorasickBuilder::new().match_kind(MatchKind::Standard).build(&pats))
            .map_err(|e| Error::InvalidArgument(format!("keyword list: {e}")))?;
        let alternation = pats.iter().map(|p| regex::escape(p)).collect::<Vec<_>>().join("|");
        let scout = regex::bytes::RegexBuilder::new(&alternation)
            .unicode(false)
            .size_limit(256 << 20)
            .dfa_size_limit(256 << 20)
            .build()
            .map_err(|e| Error::InvalidArgument(format!("keyword list: {e}")))?;
        Ok(Literals { ac, scout, max_len: pats.iter().map(|p| p.len()).max().unwrap_or(0), idx })
    }

    /// Every overlapping match in `hay`: `(term index, start, end)`.
    fn find(&self, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut window: Option<(usize, usize)> = None;
        let flush = |w: (usize, usize), out: &mut Vec<(usize, usize, usize)>| {
            for m in self.ac.find_overlapping_iter(&hay[w.0..w.1]) {
                out.push((self.idx[m.pattern().as_usize()], w.0 + m.start(), w.0 + m.end()));
            }
        };
        for m in self.scout.find_iter(hay) {
            let w = (m.start(), (m.end() + self.max_len).min(hay.len()));
            window = match window {
                Some((a, b)) if w.0 <= b => Some((a, b.max(w.1))),
                Some(prev) => {
                    flush(prev, &mut out);
                    Some(w)
                }
                None => Some(w),
            };
        }
        if let Some(w) = window {
            flush(w, &mut out);
        }
        out
    }
}

/// A compiled keyword list.
pub struct KeywordList {
    terms: Vec<Term>,
    exact: Option<Literals>,
    folded: Option<Literals>,
    regexes: Vec<(usize, Regex)>,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl KeywordList {
    /// Compile a list. Empty terms are refused; a bad regex names its line.
    pub fn new(terms: Vec<Term>) -> Result<KeywordList> {
        let mut exact = (Vec::new(), Vec::new());
        let mut folded = (Vec::new(), Vec::new());
        let mut regexes = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            if t.text.trim().is_empty() {
                return Err(Error::InvalidArgument(format!("term {} is empty", i + 1)));
            }
            match t.mode {
                Mode::Exact => {
                    exact.0.push(t.text.clone());
                    exact.1.push(i);
                }
                Mode::Substring | Mode::WholeWord => {
                    folded.0.push(fold_str(&t.text));
                    folded.1.push(i);
                }
                Mode::Regex => {
                    let re = Regex::new(&t.text).map_err(|e| Error::InvalidArgument(format!("term {} ('{}') is not a valid regex: {e}", i + 1, t.text)))?;
                    regexes.push((i, re));
                }
            }
        }
        let build = |pats: Vec<String>, idx: Vec<usize>| -> Result<Option<Literals>> { if pats.is_empty() { Ok(None) } else { Literals::new(pats, idx).map(Some) } };
        Ok(KeywordList { exact: build(exact.0, exact.1)?, folded: build(folded.0, folded.1)?, regexes, terms })
    }

    /// The terms.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Every hit of every term in `text` (overlapping hits of different terms are all reported).
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        if let Some(lit) = &self.exact {
            for (term, s, e) in lit.find(text.as_bytes()) {
                hits.push(Hit { term, span: (s, e) });
            }
        }
        if let Some(lit) = &self.folded {
            let (f, map) = fold(text);
            let fb = f.as_bytes();
            for (term, ms, me) in lit.find(fb) {
                if self.terms[term].mode == Mode::WholeWord {
                    let before = ms.checked_sub(1).map(|i| fb[i]);
                    let after = fb.get(me).copied();
                    if before.is_some_and(is_word_byte) || after.is_some_and(is_word_byte) {
                        continue;
                    }
                }
                let (s, e) = (map[ms], map[me]);
                // Extend the end to the end of the original character.
                let e = if e < text.len() && !text.is_char_boundary(e) { (e..=text.len()).find(|&k| text.is_char_boundary(k)).unwrap_or(text.len()) } else { e };
                hits.push(Hit { term, span: (s, e.max(s)) });
            }
        }
        for (term, re) in &self.regexes {
            for m in re.find_iter(text) {
                hits.push(Hit { term: *term, span: (m.start(), m.end()) });
            }
        }
        hits.sort_by_key(|h| (h.span, h.term));
        hits.dedup();
        hits
    }
}

/// Read a list: plain text (one term per line) or CSV (a header with `term`, and optionally
/// `category`, `mode`). `default_mode` applies where the list does not say.
pub fn parse_list(content: &str, default_mode: Mode) -> Result<Vec<Term>> {
    let first = content.lines().next().unwrap_or("").to_ascii_lowercase();
    let is_csv = first.split([',', ';']).any(|h| h.trim().trim_matches('"') == "term");
    let mut terms = Vec::new();
    if is_csv {
        let sep = if first.contains(';') { ';' } else { ',' };
        let header: Vec<String> = first.split(sep).map(|h| h.trim().trim_matches('"').to_string()).collect();
        let col = |name: &str| header.iter().position(|h| h == name);
        let (t, c, m) = (col("term"), col("category"), col("mode"));
        for (n, line) in content.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let cells: Vec<String> = split_csv(line, sep);
            let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let text = get(t).ok_or_else(|| Error::InvalidArgument(format!("line {}: no term", n + 1)))?;
            let mode = match get(m) {
                Some(s) => Mode::parse(&s).ok_or_else(|| Error::InvalidArgument(format!("line {}: unknown mode '{s}' (exact, substring, whole-word, regex)", n + 1)))?,
                None => default_mode,
            };
            terms.push(Term { text, category: get(c), mode });
        }
    } else {
        for line in content.lines() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            terms.push(Term { text: l.to_string(), category: None, mode: default_mode });
        }
    }
    if terms.is_empty() {
        return Err(Error::InvalidArgument("the keyword list has no terms".into()));
    }
    Ok(terms)
}

fn split_csv(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(csv: &str) -> KeywordList {
        KeywordList::new(parse_list(csv, Mode::Substring).unwrap()).unwrap()
    }

    #[test]
    fn case_and_accents_are_ignored_and_spans_point_into_the_original() {
        let k = list("prêt\npasseport\n");
        let text = "Il est PRÊT, le Passeport est pris. Pret à partir, prét!";
        let hits = k.find(text);
        let found: Vec<&str> = hits.iter().map(|h| &text[h.span.0..h.span.1]).collect();
        assert_eq!(found, vec!["PRÊT", "Passeport", "Pret", "prét"]);
    }

    #[test]
    fn modes() {
        let k = list("term,category,mode\npass,RC,whole-word\nPassport,CT,exact\n\"\\bdette[s]?\\b\",LB,regex\ncash,FN,\n");
        assert_eq!(k.terms()[3].mode, Mode::Substring);
        assert_eq!(k.terms()[0].category.as_deref(), Some("RC"));
        let t = "passport pass; Passport; dettes; cashflow";
        let hits = k.find(t);
        let got: Vec<(usize, &str)> = hits.iter().map(|h| (h.term, &t[h.span.0..h.span.1])).collect();
        assert_eq!(got, vec![(0, "pass"), (1, "Passport"), (2, "dettes"), (3, "cash")]);
    }

    #[test]
    fn bad_lists_are_refused_with_the_line() {
        assert!(parse_list("", Mode::Substring).is_err());
        let e = parse_list("term,mode\nx,fuzzy\n", Mode::Substring).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("fuzzy"), "{e}");
        let e = KeywordList::new(vec![Term { text: "(".into(), category: None, mode: Mode::Regex }]).err().unwrap().to_string();
        assert!(e.contains("term 1") && e.contains("regex"), "{e}");
    }

    #[test]
    fn overlapping_terms_are_all_found() {
        let k = list("prêt à partir\nprêt\nà part\ntir\n");
        let t = "x prêt à partir, prêt. tirer";
        let got: Vec<(usize, &str)> = k.find(t).iter().map(|h| (h.term, &t[h.span.0..h.span.1])).collect();
        assert_eq!(got, vec![(1, "prêt"), (0, "prêt à partir"), (2, "à part"), (3, "tir"), (1, "prêt"), (3, "tir")]);
    }

    #[test]
    fn folding_keeps_a_byte_map() {
        let (f, map) = fold("Ærø ÉTÉ");
        assert_eq!(f, "aro ete");
        assert_eq!(map.len(), f.len() + 1);
        assert_eq!(*map.last().unwrap(), "Ærø ÉTÉ".len());
    }
}
