//! Indicator packs: versioned, language-tagged JSON files (`assets/indicators/*.json`, embedded in
//! the binary so the tool works from any folder; `--pack FILE` adds a custom one).
//!
//! Each indicator has an id traceable to the domain digests (GRETA §3: `SX-`, `LB-`, `RC-`, `CH-`,
//! `CT-`, `FN-`, `NW-`; OSCE/UNODC §4 in `ref`), a weight, a caveat, an enabled-by-default flag
//! (nationality-based indicators ship disabled) and, for its language, `phrases` and `patterns`.
//!
//! Matching is done on folded text (lower case, diacritics removed, see [`super::fold`]),
//! so "PRÊT", "prêt" and "pret" are the same. Phrase syntax: words separated by spaces match words
//! separated by any non-word characters; a trailing `*` on a word matches any ending (inflections:
//! `pay*` finds "paying", "payé"); `..` between words allows up to four other words in between.
//! Phrases match on word boundaries. `patterns` are regular expressions (Rust syntax) written in
//! folded form (lower case, no accents).
//!
//! Speed: Unicode word boundaries (`\b`) keep the regex crate's DFAs from running on non-ASCII
//! text (it falls back to its PikeVM, ~100× slower), and a set of hundreds of indicators is too
//! large for a lazy DFA anyway. So each indicator's regex gives the literals its matches start
//! with (regex-syntax's prefix extractor, look-arounds removed first); one aho-corasick automaton
//! over all of them scans each text, and the regex runs anchored only where one of its literals
//! occurs, indicator by indicator, left to right, skipping positions inside its previous match —
//! exactly the matches `find_iter` gives. An indicator without a finite set of prefixes runs
//! `find_iter` over the whole text.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use regex_automata::{Anchored, Input, meta};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::fold::{fold, fold_bytes};
use crate::error::{Error, Result};

/// The packs shipped with Threadline, embedded at build time: `(file name, content)`.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("en.json", include_str!("../../assets/indicators/en.json")),
    ("fr.json", include_str!("../../assets/indicators/fr.json")),
    ("ro.json", include_str!("../../assets/indicators/ro.json")),
    ("de.json", include_str!("../../assets/indicators/de.json")),
    ("es.json", include_str!("../../assets/indicators/es.json")),
    ("bg.json", include_str!("../../assets/indicators/bg.json")),
    ("vi.json", include_str!("../../assets/indicators/vi.json")),
];

/// Format tag every pack carries.
pub const FORMAT: &str = "threadline-indicator-pack/1";

/// The id families and what they stand for.
pub const FAMILIES: &[(&str, &str)] = &[
    ("SX", "sexual exploitation"),
    ("LB", "labour exploitation"),
    ("RC", "recruitment"),
    ("CH", "children"),
    ("CT", "control and coercion"),
    ("FN", "finance"),
    ("NW", "network"),
];

/// One indicator of a pack.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Id, e.g. `LB-05`.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Where it comes from (digest section and report reference).
    #[serde(rename = "ref")]
    pub reference: String,
    /// Weight added to a score for each message it is found in.
    pub weight: f64,
    /// Whether a run uses it unless told otherwise.
    pub enabled_by_default: bool,
    /// What a hit does not prove.
    pub caveat: String,
    /// Sensitive bases (`nationality`): such indicators ship disabled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive: Vec<String>,
    /// Phrases (see the module documentation for the syntax).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Regular expressions over folded text.
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// A pack as written in its file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Must be [`FORMAT`].
    pub format: String,
    /// Pack name, e.g. `threadline-fr`.
    pub name: String,
    /// BCP 47 language tag.
    pub language: String,
    /// Pack version.
    pub version: String,
    /// `complete` or `starter`.
    pub status: String,
    /// What it is.
    pub description: String,
    /// Caveats shown with every result (GRETA §3.0).
    pub caveats: Vec<String>,
    /// The indicators.
    pub indicators: Vec<Indicator>,
}

/// A pack with its origin and hash.
#[derive(Debug, Clone)]
pub struct LoadedPack {
    /// The pack.
    pub pack: Pack,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// `embedded:fr.json` or the file path.
    pub origin: String,
    /// The file's text (stored in the case, so a run can be reproduced).
    pub content: String,
}

/// Parse and check a pack.
pub fn parse(content: &str, origin: &str) -> Result<LoadedPack> {
    let pack: Pack = serde_json::from_str(content).map_err(|e| Error::InvalidArgument(format!("indicator pack {origin}: not a valid pack: {e}")))?;
    if pack.format != FORMAT {
        return Err(Error::InvalidArgument(format!("indicator pack {origin}: format '{}', expected '{FORMAT}'", pack.format)));
    }
    let mut seen = std::collections::HashSet::new();
    for ind in &pack.indicators {
        let family = ind.id.split('-').next().unwrap_or("");
        let number_ok = ind.id.len() == 5 && ind.id[3..].chars().all(|c| c.is_ascii_digit());
        if !FAMILIES.iter().any(|(f, _)| *f == family) || !number_ok || ind.id.as_bytes().get(2) != Some(&b'-') {
            return Err(Error::InvalidArgument(format!("indicator pack {origin}: id '{}' is not one of SX-, LB-, RC-, CH-, CT-, FN-, NW- followed by two digits", ind.id)));
        }
        if !seen.insert(ind.id.clone()) {
            return Err(Error::InvalidArgument(format!("indicator pack {origin}: id '{}' appears twice", ind.id)));
        }
        if !(ind.weight.is_finite() && ind.weight > 0.0) {
            return Err(Error::InvalidArgument(format!("indicator pack {origin}: {} has weight {}, expected a positive number", ind.id, ind.weight)));
        }
        if ind.caveat.trim().is_empty() {
            return Err(Error::InvalidArgument(format!("indicator pack {origin}: {} has no caveat", ind.id)));
        }
        if ind.sensitive.iter().any(|s| s == "nationality") && ind.enabled_by_default {
            return Err(Error::InvalidArgument(format!("indicator pack {origin}: {} is nationality-based and must not be enabled by default", ind.id)));
        }
    }
    let sha256 = hex::encode(Sha256::digest(content.as_bytes()));
    Ok(LoadedPack { pack, sha256, origin: origin.to_string(), content: content.to_string() })
}

/// The embedded packs, optionally only some languages.
pub fn embedded(langs: &[String]) -> Result<Vec<LoadedPack>> {
    let mut out = Vec::new();
    for (name, content) in EMBEDDED {
        let p = parse(content, &format!("embedded:{name}"))?;
        if langs.is_empty() || langs.iter().any(|l| l.eq_ignore_ascii_case(&p.pack.language)) {
            out.push(p);
        }
    }
    if out.is_empty() {
        let have: Vec<String> = EMBEDDED.iter().map(|(n, _)| n.trim_end_matches(".json").to_string()).collect();
        return Err(Error::InvalidArgument(format!("no shipped pack for language(s) {}; shipped: {}", langs.join(", "), have.join(", "))));
    }
    Ok(out)
}

/// Read a custom pack file.
pub fn from_file(path: &std::path::Path) -> Result<LoadedPack> {
    let content = std::fs::read_to_string(path).map_err(|e| Error::io("reading the indicator pack", path, e))?;
    parse(&content, &path.display().to_string())
}

/// Which indicators a run uses: defaults, then `enable`, then `disable` (ids, or families `CT`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Selection {
    /// Ids or families to switch on.
    pub enable: Vec<String>,
    /// Ids or families to switch off.
    pub disable: Vec<String>,
}

impl Selection {
    fn names(list: &[String], id: &str) -> bool {
        list.iter().any(|x| x.eq_ignore_ascii_case(id) || id.split('-').next().is_some_and(|f| x.eq_ignore_ascii_case(f)))
    }

    /// Whether indicator `ind` runs.
    pub fn enabled(&self, ind: &Indicator) -> bool {
        if Self::names(&self.disable, &ind.id) {
            return false;
        }
        ind.enabled_by_default || Self::names(&self.enable, &ind.id)
    }

    /// Refuse ids that no pack knows (a typo would silently change nothing).
    pub fn check(&self, packs: &[LoadedPack]) -> Result<()> {
        for x in self.enable.iter().chain(&self.disable) {
            let known = packs.iter().flat_map(|p| &p.pack.indicators).any(|i| i.id.eq_ignore_ascii_case(x) || i.id.split('-').next().is_some_and(|f| f.eq_ignore_ascii_case(x)));
            if !known {
                return Err(Error::InvalidArgument(format!("'{x}' is not an indicator id or family of the packs used (see `threadline indicators list`)")));
            }
        }
        Ok(())
    }
}

/// Turn a phrase into a regular expression over folded text.
pub fn phrase_regex(phrase: &str) -> Result<String> {
    let folded = fold(phrase.trim());
    let mut parts = Vec::new();
    for word in folded.split_whitespace() {
        if word == ".." {
            parts.push(r"(?:\W+\w+){0,4}".to_string());
            continue;
        }
        let (stem, open) = match word.strip_suffix('*') {
            Some(s) => (s, true),
            None => (word, false),
        };
        if stem.is_empty() {
            return Err(Error::InvalidArgument(format!("phrase '{phrase}': a lone '*'")));
        }
        parts.push(format!("{}{}", regex::escape(stem), if open { r"\w*" } else { "" }));
    }
    if parts.is_empty() || parts.iter().all(|p| p.starts_with("(?:")) {
        return Err(Error::InvalidArgument(format!("phrase '{phrase}' has no word")));
    }
    let mut re = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 && !p.starts_with("(?:") {
            re.push_str(r"\W+");
        }
        re.push_str(p);
    }
    // Boundaries only where the phrase starts or ends with a word character.
    let first = folded.chars().next().is_some_and(|c| c.is_alphanumeric());
    let last = folded.trim_end_matches('*').chars().last().is_some_and(|c| c.is_alphanumeric());
    Ok(format!("{}{}{}", if first { r"\b" } else { "" }, re, if last { r"\b" } else { "" }))
}

/// One indicator ready to match.
#[derive(Debug)]
pub struct Compiled {
    /// Index of the pack in the run's list.
    pub pack: usize,
    /// The indicator.
    pub indicator: Indicator,
    regex: meta::Regex,
}

/// Every enabled indicator of every pack of a run, compiled.
#[derive(Debug)]
pub struct Matcher {
    /// The indicators, in pack order.
    pub indicators: Vec<Compiled>,
    /// The prefix literals of every anchored indicator.
    anchors: Option<AhoCorasick>,
    /// Indicator of each anchor literal.
    anchor_of: Vec<usize>,
    /// Indicators that run over every whole text (no finite set of prefixes).
    always: Vec<usize>,
}

/// One indicator hit in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackHit {
    /// Index into [`Matcher::indicators`].
    pub indicator: usize,
    /// Byte span in the original text.
    pub span: (usize, usize),
}

impl Matcher {
    /// Compile the enabled indicators. A bad phrase or pattern names its pack and indicator.
    pub fn new(packs: &[LoadedPack], sel: &Selection) -> Result<Matcher> {
        let mut indicators = Vec::new();
        let (mut literals, mut anchor_of, mut always) = (Vec::new(), Vec::new(), Vec::new());
        for (pi, p) in packs.iter().enumerate() {
            for ind in p.pack.indicators.iter().filter(|i| sel.enabled(i)) {
                let mut alts = Vec::new();
                for ph in &ind.phrases {
                    alts.push(phrase_regex(ph).map_err(|e| Error::InvalidArgument(format!("pack {} {}: {e}", p.origin, ind.id)))?);
                }
                for pat in &ind.patterns {
                    Regex::new(pat).map_err(|e| Error::InvalidArgument(format!("pack {} {}: pattern '{pat}' is not a valid regex: {e}", p.origin, ind.id)))?;
                    alts.push(format!("(?:{pat})"));
                }
                if alts.is_empty() {
                    continue;
                }
                let src = alts.join("|");
                let bad = |e: String| Error::InvalidArgument(format!("pack {} {}: {e}", p.origin, ind.id));
                let mut hir = regex_syntax::parse(&src).map_err(|e| bad(e.to_string()))?;
                if !src.chars().any(|c| !c.is_ascii() && c.is_alphanumeric()) {
                    hir = ascii_boundaries(&hir);
                }
                let regex = meta::Builder::new().configure(meta::Config::new().nfa_size_limit(Some(64 << 20))).build_from_hir(&hir).map_err(|e| bad(e.to_string()))?;
                match prefixes(&src).map_err(bad)? {
                    Some(lits) => {
                        for l in lits {
                            literals.push(l);
                            anchor_of.push(indicators.len());
                        }
                    }
                    None => always.push(indicators.len()),
                }
                indicators.push(Compiled { pack: pi, indicator: ind.clone(), regex });
            }
        }
        let anchors = if literals.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&literals)
                    .map_err(|e| Error::InvalidArgument(format!("indicator packs: {e}")))?,
            )
        };
        Ok(Matcher { indicators, anchors, anchor_of, always })
    }

    /// Every hit in `text` (raw bytes, see [`super::fold`]); spans point into `text` itself.
    pub fn find(&self, text: impl AsRef<[u8]>) -> Vec<PackHit> {
        let text = text.as_ref();
        if text.iter().all(u8::is_ascii_whitespace) || self.indicators.is_empty() {
            return Vec::new();
        }
        let f = fold_bytes(text);
        let hay = f.text.as_bytes();
        let mut hits = Vec::new();
        let push = |i: usize, m: regex_automata::Match, hits: &mut Vec<PackHit>| {
            let (s, e) = (f.orig(text, m.start(), false), f.orig(text, m.end(), true));
            hits.push(PackHit { indicator: i, span: (s, e.max(s)) });
        };
        if let Some(ac) = &self.anchors {
            let mut cands: Vec<(usize, usize)> = ac.find_overlapping_iter(hay).map(|m| (self.anchor_of[m.pattern().as_usize()], m.start())).collect();
            cands.sort_unstable();
            cands.dedup();
            // (indicator, end of its last match)
            let mut last = (usize::MAX, 0);
            for (i, at) in cands {
                if last.0 == i && at < last.1 {
                    continue;
                }
                let input = Input::new(hay).range(at..).anchored(Anchored::Yes);
                if let Some(m) = self.indicators[i].regex.search(&input)
                    && m.end() > m.start()
                {
                    push(i, m, &mut hits);
                    last = (i, m.end());
                }
            }
        }
        for &i in &self.always {
            for m in self.indicators[i].regex.find_iter(hay) {
                if m.end() > m.start() {
                    push(i, m, &mut hits);
                }
            }
        }
        hits
    }
}

/// `h` with its Unicode word boundaries made ASCII ones. For an indicator whose letters are all
/// ASCII (every Latin-script pack: its text is folded, so accents are gone on both sides; `€` or
/// `£` are not letters) the two differ only
/// next to a non-Latin letter glued to a word; in exchange the regex crate's DFAs run on any text,
/// where a Unicode `\b` sends every text with a non-ASCII byte (an emoji, a curly quote) to the
/// PikeVM.
fn ascii_boundaries(h: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Capture, Hir, HirKind, Look, Repetition};
    match h.kind() {
        HirKind::Look(l) => Hir::look(match l {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            l => *l,
        }),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => h.clone(),
        HirKind::Repetition(r) => Hir::repetition(Repetition { sub: Box::new(ascii_boundaries(&r.sub)), ..r.clone() }),
        HirKind::Capture(c) => Hir::capture(Capture { sub: Box::new(ascii_boundaries(&c.sub)), ..c.clone() }),
        HirKind::Concat(v) => Hir::concat(v.iter().map(ascii_boundaries).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(ascii_boundaries).collect()),
    }
}

/// The literals every match of `src` starts with, or `None` when they are not a finite set of
/// non-empty strings (a leading class too wide, an optional start …).
fn prefixes(src: &str) -> std::result::Result<Option<Vec<Vec<u8>>>, String> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = without_lookarounds(src)?;
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix).limit_class(16).limit_repeat(8).limit_literal_len(16).limit_total(4096);
    let seq = ex.extract(&hir);
    Ok(match seq.literals() {
        Some(lits) if !lits.is_empty() && lits.iter().all(|l| !l.as_bytes().is_empty()) => Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect()),
        _ => None,
    })
}

/// The regex `src` with its look-arounds (`\b`, `^`, `$` …) replaced by nothing: it matches
/// wherever `src` does (and more), with the same prefixes.
fn without_lookarounds(src: &str) -> std::result::Result<regex_syntax::hir::Hir, String> {
    use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};
    fn strip(h: &Hir) -> Hir {
        match h.kind() {
            HirKind::Look(_) => Hir::empty(),
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => h.clone(),
            HirKind::Repetition(r) => Hir::repetition(Repetition { sub: Box::new(strip(&r.sub)), ..r.clone() }),
            HirKind::Capture(c) => Hir::capture(Capture { sub: Box::new(strip(&c.sub)), ..c.clone() }),
            HirKind::Concat(v) => Hir::concat(v.iter().map(strip).collect()),
            HirKind::Alternation(v) => Hir::alternation(v.iter().map(strip).collect()),
        }
    }
    let hir = regex_syntax::parse(src).map_err(|e| e.to_string())?;
    Ok(strip(&hir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(id: &str, phrases: &[&str], patterns: &[&str]) -> LoadedPack {
        let p = Pack {
            format: FORMAT.into(),
            name: "t".into(),
            language: "fr".into(),
            version: "1".into(),
            status: "starter".into(),
            description: String::new(),
            caveats: vec![],
            indicators: vec![Indicator {
                id: id.into(),
                title: "t".into(),
                reference: "r".into(),
                weight: 1.0,
                enabled_by_default: true,
                caveat: "c".into(),
                sensitive: vec![],
                phrases: phrases.iter().map(|s| s.to_string()).collect(),
                patterns: patterns.iter().map(|s| s.to_string()).collect(),
            }],
        };
        let content = serde_json::to_string(&p).unwrap();
        parse(&content, "test").unwrap()
    }

    fn found(p: &LoadedPack, text: &str) -> Vec<String> {
        let m = Matcher::new(std::slice::from_ref(p), &Selection::default()).unwrap();
        m.find(text).iter().map(|h| text[h.span.0..h.span.1].to_string()).collect()
    }

    #[test]
    fn phrases_fold_accents_inflect_and_skip_words() {
        let p = one("LB-05", &["logement gratuit*", "prêt", "cazar* .. gratis"], &[]);
        assert_eq!(found(&p, "Logement GRATUITS et tout"), vec!["Logement GRATUITS"]);
        assert_eq!(found(&p, "PRET? prêt! Prét."), vec!["PRET", "prêt", "Prét"]);
        assert!(found(&p, "interprete").is_empty(), "word boundaries");
        assert_eq!(found(&p, "Cazarea și transportul, gratis"), vec!["Cazarea și transportul, gratis"]);
        assert!(found(&p, "cazare a b c d e f gratis").is_empty(), "at most four words between");
    }

    #[test]
    fn patterns_run_on_folded_text() {
        let p = one("CT-01", &[], &[r"^\s*(fini|termine)\W*\d+"]);
        assert_eq!(found(&p, "Terminé 250€"), vec!["Terminé 250"]);
    }

    #[test]
    fn bad_packs_are_refused() {
        assert!(parse("{}", "x").is_err());
        let mut p = one("LB-05", &["a"], &[]).pack;
        p.indicators[0].id = "XX-01".into();
        let e = parse(&serde_json::to_string(&p).unwrap(), "x").unwrap_err().to_string();
        assert!(e.contains("XX-01"), "{e}");
        p.indicators[0].id = "SX-06".into();
        p.indicators[0].sensitive = vec!["nationality".into()];
        let e = parse(&serde_json::to_string(&p).unwrap(), "x").unwrap_err().to_string();
        assert!(e.contains("nationality"), "{e}");
        let bad = one("LB-05", &[], &["("]);
        assert!(Matcher::new(&[bad], &Selection::default()).is_err());
    }

    #[test]
    fn selection_by_id_and_family() {
        let p = one("CT-05", &["x"], &[]);
        let ind = &p.pack.indicators[0];
        assert!(Selection::default().enabled(ind));
        assert!(!Selection { enable: vec![], disable: vec!["ct".into()] }.enabled(ind));
        assert!(!Selection { enable: vec![], disable: vec!["CT-05".into()] }.enabled(ind));
        assert!(Selection { enable: vec!["zz".into()], disable: vec![] }.check(&[p]).is_err());
    }

    #[test]
    fn anchored_matching_finds_what_find_iter_finds() {
        // Texts built from the shipped packs' own phrases (folded and not, joined, glued to
        // words, in Cyrillic and with emoji around), compared with every indicator's regex run
        // over the whole folded text.
        let packs = embedded(&[]).unwrap();
        let m = Matcher::new(&packs, &Selection::default()).unwrap();
        assert!(m.anchors.is_some());
        let phrases: Vec<String> = packs.iter().flat_map(|p| p.pack.indicators.iter().flat_map(|i| i.phrases.clone())).map(|p| p.replace(" ..", " la").replace('*', "ed")).collect();
        let mut texts = Vec::new();
        for (k, w) in phrases.chunks(3).enumerate() {
            texts.push(w.join(" "));
            texts.push(format!("{}x {} 😀 паспорт {}. 1200 € / month, I post her ads", w[0].to_uppercase(), w.last().unwrap(), w.join("")));
            if k % 5 == 0 {
                texts.push(w.join(" … ").repeat(3));
            }
        }
        let mut total = 0;
        for t in &texts {
            let got = m.find(t);
            let folded = fold(t);
            let f = fold_bytes(t.as_bytes());
            let mut want = Vec::new();
            for (i, c) in m.indicators.iter().enumerate() {
                for mm in c.regex.find_iter(folded.as_bytes()) {
                    if mm.end() > mm.start() {
                        want.push(PackHit { indicator: i, span: (f.orig(t.as_bytes(), mm.start(), false), f.orig(t.as_bytes(), mm.end(), true)) });
                    }
                }
            }
            let mut got_sorted = got.clone();
            got_sorted.sort_by_key(|h| (h.indicator, h.span));
            want.sort_by_key(|h| (h.indicator, h.span));
            assert_eq!(got_sorted, want, "{t}");
            total += got.len();
        }
        assert!(total > phrases.len(), "{total} hits for {} phrases", phrases.len());
    }

    #[test]
    fn shipped_packs_are_valid_and_consistent() {
        let packs = embedded(&[]).unwrap();
        let en = packs.iter().find(|p| p.pack.language == "en").unwrap();
        Matcher::new(&packs, &Selection { enable: vec!["SX-06".into()], disable: vec![] }).unwrap();
        for p in &packs {
            assert!(!p.pack.caveats.is_empty(), "{}", p.origin);
            for i in &p.pack.indicators {
                let reference = en.pack.indicators.iter().find(|e| e.id == i.id).unwrap_or_else(|| panic!("{} {} is not in the English pack", p.origin, i.id));
                assert_eq!(i.weight, reference.weight, "{} {}: weight differs from the English pack", p.origin, i.id);
                assert_eq!(i.enabled_by_default, reference.enabled_by_default, "{} {}", p.origin, i.id);
                for pat in &i.patterns {
                    // Patterns are written folded: no upper case (outside escapes) and no accents.
                    let mut prev = ' ';
                    for c in pat.chars() {
                        assert!(!(c.is_uppercase() && prev != '\\') && fold(&c.to_string()) == c.to_lowercase().to_string(), "{} {}: pattern '{pat}' is not folded", p.origin, i.id);
                        prev = c;
                    }
                }
            }
        }
        assert!(packs.iter().flat_map(|p| &p.pack.indicators).filter(|i| i.sensitive.iter().any(|s| s == "nationality")).all(|i| !i.enabled_by_default));
    }
}
