//! Keyword lists: terms matched over any text, ignoring case and diacritics unless asked not to
//! (French "prêt" finds "pret", "PRÊT" and "prét"), with aho-corasick for the literal terms and
//! the regex crate for patterns. Texts are raw bytes (a row's UTF-8, a file's content as it is:
//! no validation pass, and a Windows-1252 file is folded as such, see [`super::fold`]); hits
//! carry byte spans into those bytes, so a hit in a file points at the file's own offsets.
//!
//! Lists are plain text (one term per line, `#` comments) or CSV with a `term` column and optional
//! `category` and `mode` columns. Modes: `exact` (case- and accent-sensitive), `substring` (the
//! default), `whole-word`, `regex`.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::Regex;
use serde::Serialize;

use super::fold::{fold, fold_bytes};

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

fn fold_str(s: &str) -> String {
    fold(s)
}

/// Literal terms of at least [`GRAM`] bytes (nearly every real list): a scan that tests, at every
/// position of the text, the 4 bytes there against a bit filter of the terms' first 4 bytes, and
/// the 4 bytes one further against a filter of the terms' bytes 1..5 (when every term has 5). The
/// filters fit in the L1/L2 cache and the test is a multiply, a shift and a bit load, so the scan
/// runs at 1.5–3 bytes per cycle; the few positions that pass both are checked against the terms
/// with that prefix. Every occurrence of every term is found (overlapping ones too).
struct Grams {
    bits: u32,
    first: Vec<u64>,
    second: Option<Vec<u64>>,
    /// `(first 4 bytes, term)` sorted.
    prefixes: Vec<(u32, u32)>,
    pats: Vec<Vec<u8>>,
    idx: Vec<usize>,
}

/// Bytes of the gram the filters test.
const GRAM: usize = 4;

#[inline]
fn gram(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

impl Grams {
    fn new(pats: &[String], idx: Vec<usize>) -> Option<Grams> {
        let min = pats.iter().map(|p| p.len()).min()?;
        if min < GRAM {
            return None;
        }
        // About 1/64 of the filter's bits set per filter, whatever the list's length.
        let bits = ((pats.len() * 64).next_power_of_two().trailing_zeros()).clamp(12, 24);
        let mut g = Grams { bits, first: vec![0; 1 << (bits - 6)], second: (min > GRAM).then(|| vec![0; 1 << (bits - 6)]), prefixes: Vec::new(), pats: Vec::new(), idx };
        for (i, p) in pats.iter().enumerate() {
            let b = p.as_bytes();
            let k = g.slot(gram(b, 0));
            g.first[k >> 6] |= 1 << (k & 63);
            if let Some(second) = &mut g.second {
                let k = ((gram(b, 1).wrapping_mul(0x9E37_79B1)) >> (32 - bits)) as usize;
                second[k >> 6] |= 1 << (k & 63);
            }
            g.prefixes.push((gram(b, 0), i as u32));
            g.pats.push(b.to_vec());
        }
        g.prefixes.sort_unstable();
        Some(g)
    }

    #[inline]
    fn slot(&self, v: u32) -> usize {
        ((v.wrapping_mul(0x9E37_79B1)) >> (32 - self.bits)) as usize
    }

    #[inline]
    fn in_first(&self, v: u32) -> bool {
        let k = self.slot(v);
        self.first[k >> 6] >> (k & 63) & 1 != 0
    }

    /// Check position `i` (which passed the first filter) and record its matches.
    #[inline(never)]
    fn check(&self, hay: &[u8], i: usize, out: &mut Vec<(usize, usize, usize)>) {
        if let Some(second) = &self.second {
            if i + GRAM + 1 > hay.len() {
                return;
            }
            let k = self.slot(gram(hay, i + 1));
            if second[k >> 6] >> (k & 63) & 1 == 0 {
                return;
            }
        }
        let v = gram(hay, i);
        let mut j = self.prefixes.partition_point(|p| p.0 < v);
        while let Some(&(pv, t)) = self.prefixes.get(j) {
            if pv != v {
                break;
            }
            let p = &self.pats[t as usize];
            if hay[i..].starts_with(p) {
                out.push((self.idx[t as usize], i, i + p.len()));
            }
            j += 1;
        }
    }

    fn find(&self, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        // Five positions per 8-byte load.
        while i + 8 <= hay.len() {
            let w = u64::from_le_bytes([hay[i], hay[i + 1], hay[i + 2], hay[i + 3], hay[i + 4], hay[i + 5], hay[i + 6], hay[i + 7]]);
            let m = u32::from(self.in_first(w as u32))
                | u32::from(self.in_first((w >> 8) as u32)) << 1
                | u32::from(self.in_first((w >> 16) as u32)) << 2
                | u32::from(self.in_first((w >> 24) as u32)) << 3
                | u32::from(self.in_first((w >> 32) as u32)) << 4;
            if m != 0 {
                for k in 0..5 {
                    if m >> k & 1 != 0 {
                        self.check(hay, i + k, &mut out);
                    }
                }
            }
            i += 5;
        }
        while i + GRAM <= hay.len() {
            if self.in_first(gram(hay, i)) {
                self.check(hay, i, &mut out);
            }
            i += 1;
        }
        out
    }
}

/// The literal scanner a list gets: [`Grams`] when every term is long enough, else [`Literals`].
enum Scanner {
    Grams(Grams),
    Automaton(Literals),
}

impl Scanner {
    fn new(pats: Vec<String>, idx: Vec<usize>) -> Result<Scanner> {
        match Grams::new(&pats, idx.clone()) {
            Some(g) => Ok(Scanner::Grams(g)),
            None => Literals::new(pats, idx).map(Scanner::Automaton),
        }
    }

    fn find(&self, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        match self {
            Scanner::Grams(g) => g.find(hay),
            Scanner::Automaton(l) => l.find(hay),
        }
    }
}

/// Literal terms, any length (a term shorter than [`GRAM`] bytes). A leftmost-first scan (the regex crate's engine over the alternation of the
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
    exact: Option<Scanner>,
    folded: Option<Scanner>,
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
        let build = |pats: Vec<String>, idx: Vec<usize>| -> Result<Option<Scanner>> { if pats.is_empty() { Ok(None) } else { Scanner::new(pats, idx).map(Some) } };
        Ok(KeywordList { exact: build(exact.0, exact.1)?, folded: build(folded.0, folded.1)?, regexes, terms })
    }

    /// The terms.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Every hit of every term in `text` (overlapping hits of different terms are all reported),
    /// with byte spans into `text`.
    pub fn find(&self, text: impl AsRef<[u8]>) -> Vec<Hit> {
        let text = text.as_ref();
        let mut hits = Vec::new();
        if let Some(lit) = &self.exact {
            for (term, s, e) in lit.find(text) {
                hits.push(Hit { term, span: (s, e) });
            }
        }
        if let Some(lit) = &self.folded {
            let f = fold_bytes(text);
            let fb = f.text.as_bytes();
            for (term, ms, me) in lit.find(fb) {
                if self.terms[term].mode == Mode::WholeWord {
                    let before = ms.checked_sub(1).map(|i| fb[i]);
                    let after = fb.get(me).copied();
                    if before.is_some_and(is_word_byte) || after.is_some_and(is_word_byte) {
                        continue;
                    }
                }
                let (s, e) = (f.orig(text, ms, false), f.orig(text, me, true));
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
    fn both_scanners_find_the_same_hits() {
        // Random terms of 4 to 9 letters (the gram scanner) and the same plus a 2-letter one (the
        // automaton), over text where they occur overlapping, at the ends, and across case.
        let mut rng = crate::samples::rng::Rng::new(0x1234_5678_9ABC_DEF0);
        let mut next = move |n: u64| rng.below(n);
        let letters = b"abcde";
        let mut terms: Vec<String> = Vec::new();
        while terms.len() < 60 {
            let n = 4 + next(6) as usize;
            let t: String = (0..n).map(|_| letters[next(5) as usize] as char).collect();
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
        let text: String = (0..20_000).map(|_| if next(7) == 0 { ' ' } else { letters[next(5) as usize] as char }).collect();
        let text = text.to_uppercase()[..50].to_string() + &text[50..];
        for mode in [Mode::Exact, Mode::Substring] {
            let mk = |ts: &[String]| KeywordList::new(ts.iter().map(|t| Term { text: t.clone(), category: None, mode }).collect()).unwrap();
            let grams = mk(&terms);
            assert!(matches!(grams.exact.as_ref().or(grams.folded.as_ref()), Some(Scanner::Grams(_))));
            let mut with_short = terms.clone();
            with_short.push("zz".into());
            let auto = mk(&with_short);
            assert!(matches!(auto.exact.as_ref().or(auto.folded.as_ref()), Some(Scanner::Automaton(_))));
            let a = grams.find(&text);
            let b = auto.find(&text);
            assert!(a.len() > 100, "{}", a.len());
            assert_eq!(a, b, "{mode:?}");
            // Brute force.
            let hay = if mode == Mode::Exact { text.clone() } else { text.to_lowercase() };
            let mut brute = Vec::new();
            for (ti, t) in terms.iter().enumerate() {
                for s in 0..hay.len() {
                    if hay[s..].starts_with(t.as_str()) {
                        brute.push(Hit { term: ti, span: (s, s + t.len()) });
                    }
                }
            }
            brute.sort_by_key(|h| (h.span, h.term));
            assert_eq!(a, brute, "{mode:?}");
        }
    }

    #[test]
    fn a_windows_1252_file_is_searched_and_spans_are_file_offsets() {
        let k = list("prêt\npasseport\n");
        let file = b"Le PASSEPORT est pr\xEAt.";
        let got: Vec<(usize, (usize, usize))> = k.find(&file[..]).iter().map(|h| (h.term, h.span)).collect();
        assert_eq!(got, vec![(1, (3, 12)), (0, (17, 21))]);
    }

    #[test]
    fn overlapping_terms_are_all_found() {
        let k = list("prêt à partir\nprêt\nà part\ntir\n");
        let t = "x prêt à partir, prêt. tirer";
        let got: Vec<(usize, &str)> = k.find(t).iter().map(|h| (h.term, &t[h.span.0..h.span.1])).collect();
        assert_eq!(got, vec![(1, "prêt"), (0, "prêt à partir"), (2, "à part"), (3, "tir"), (1, "prêt"), (3, "tir")]);
    }
}
