//! Which images are near-duplicates: the rules over PDQ [`Variant`]s, and the case-wide grouping.
//!
//! Two images are *linked* when, at a PDQ distance ≤ the threshold (default
//! [`pdq::MATCH_DISTANCE`]), any of these meet:
//!
//! * a whole-picture hash of one (the PDQ, its mirror, the content box or its mirror) and a
//!   whole-picture hash of the other: resized, re-encoded, mirrored, letterboxed copies;
//! * a whole-picture hash of one and a centred crop of the other: one is a crop of the other, or
//!   both are crops of a third (the larger one's crop at the nearest 5 % step meets the smaller);
//! * the top (or bottom) three quarters of both: a caption across one edge.
//!
//! Crops are never compared with crops, and bands only with the same band, so each extra hash
//! adds a bounded number of comparisons and no loose "any variant against any variant" match.
//! A PDQ distance up to [`CORROBORATE_PDQ`] links when dHash and pHash corroborate it (a caption
//! over a low-detail picture). Whatever PDQ says, dHash **and** pHash within [`AGREE_DISTANCE`] also link (fine texture,
//! where PDQ bits are unstable). When either image's PDQ quality is below
//! [`pdq::MIN_USEFUL_QUALITY`] (flat or tiny images, where PDQ is noise) the link needs dHash
//! **and** pHash within [`FALLBACK_DISTANCE`] instead.
//!
//! All these radii are a [`Radii`] (defaults: the constants above). A *flat* image — one whose
//! dHash or pHash carries no information, see [`Hashed::flat`] — is never linked by dHash and
//! pHash (the agreement and low-quality rules): a blank, solid or 1-pixel picture has no
//! gradients, so every such picture has dHash 0 and the same degenerate pHash, and two of them
//! alike is no evidence of the same picture. A flat image can still be linked by PDQ when its
//! PDQ quality is useful.
//!
//! Groups are the connected components of the links; the pairs come from
//! [`super::scan::range_search`] (a tiled XOR-popcount scan) over the flattened hash lists.

use std::collections::HashMap;

use super::hashes::Variant;
use super::pdq;
use super::scan;

/// dHash and pHash distance (each) at or below which two low-quality images are linked.
pub const FALLBACK_DISTANCE: u32 = 10;
/// dHash and pHash distance (each) at or below which two images are linked whatever their PDQ
/// distance: PDQ's bits are unstable on fine, periodic texture (foliage, gravel, fabric), where
/// the two 64-bit hashes of the whole image stay within a few bits under resizing and
/// re-encoding.
pub const AGREE_DISTANCE: u32 = 6;
/// A PDQ distance above the threshold but at most this links two images when dHash is within
/// [`CORROBORATE_DHASH`] and pHash within [`CORROBORATE_PHASH`]: a caption over a low-detail
/// picture moves PDQ 30–50 bits while the 64-bit hashes of the whole image barely move.
pub const CORROBORATE_PDQ: u32 = 48;
/// See [`CORROBORATE_PDQ`].
pub const CORROBORATE_DHASH: u32 = 8;
/// See [`CORROBORATE_PDQ`].
pub const CORROBORATE_PHASH: u32 = 16;

/// The radii of the link rules (see the module documentation). [`Radii::default`] is the rule
/// used by the image pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Radii {
    /// PDQ distance at or below which two images are linked (default [`pdq::MATCH_DISTANCE`]).
    pub pdq: u32,
    /// dHash distance for the agreement rule (with [`Radii::phash`]; default [`AGREE_DISTANCE`]).
    pub dhash: u32,
    /// pHash distance for the agreement rule (with [`Radii::dhash`]; default [`AGREE_DISTANCE`]).
    pub phash: u32,
    /// dHash and pHash distance (each) linking a low-quality image (default [`FALLBACK_DISTANCE`]).
    pub fallback: u32,
}

impl Default for Radii {
    fn default() -> Self {
        Radii { pdq: pdq::MATCH_DISTANCE, dhash: AGREE_DISTANCE, phash: AGREE_DISTANCE, fallback: FALLBACK_DISTANCE }
    }
}

/// Which rule links two images (see [`link_rule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// PDQ distance within [`Radii::pdq`].
    Pdq,
    /// PDQ distance up to [`CORROBORATE_PDQ`], corroborated by dHash and pHash.
    Corroborated,
    /// dHash and pHash within [`Radii::dhash`] and [`Radii::phash`].
    Agree,
    /// A low-quality image: dHash and pHash within [`Radii::fallback`].
    LowQuality,
}

impl Rule {
    /// Short description for text output.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Pdq => "pdq",
            Rule::Corroborated => "pdq+dHash/pHash",
            Rule::Agree => "dHash/pHash",
            Rule::LowQuality => "dHash/pHash (low quality)",
        }
    }
}

/// dHash and pHash of both images within `rd` and `rp`, neither image flat.
fn agree(a: &Hashed, b: &Hashed, rd: u32, rp: u32) -> bool {
    !a.flat() && !b.flat() && (a.dhash ^ b.dhash).count_ones() <= rd && (a.phash ^ b.phash).count_ones() <= rp
}

/// Whether dHash and pHash corroborate a PDQ distance `d` above `radius`.
fn corroborated(a: &Hashed, b: &Hashed, d: u32) -> bool {
    d <= CORROBORATE_PDQ && (a.dhash ^ b.dhash).count_ones() <= CORROBORATE_DHASH && (a.phash ^ b.phash).count_ones() <= CORROBORATE_PHASH
}

/// A hashed image, as loaded for matching.
#[derive(Debug, Clone)]
pub struct Hashed {
    /// File id.
    pub file_id: i64,
    /// PDQ quality of the whole image.
    pub quality: u32,
    /// PDQ of the whole image, as 4 words.
    pub main: [u64; 4],
    /// The variants (see [`super::hashes`]).
    pub alt: Vec<(Variant, [u64; 4])>,
    /// dHash.
    pub dhash: u64,
    /// pHash.
    pub phash: u64,
}

/// Comparison class of a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Whole,
    Crop,
    Top,
    Bottom,
}

fn class(v: Option<Variant>) -> Class {
    match v {
        None | Some(Variant::Mirror | Variant::Box | Variant::BoxMirror) => Class::Whole,
        Some(Variant::Crop(_)) => Class::Crop,
        Some(Variant::Top | Variant::TopMirror) => Class::Top,
        Some(Variant::Bottom | Variant::BottomMirror) => Class::Bottom,
    }
}

fn allowed(a: Class, b: Class) -> bool {
    matches!((a, b), (Class::Whole, Class::Whole | Class::Crop) | (Class::Crop, Class::Whole) | (Class::Top, Class::Top) | (Class::Bottom, Class::Bottom))
}

/// PDQ hash bytes as 4 words.
pub fn words(h: &[u8; 32]) -> [u64; 4] {
    let mut w = [0u64; 4];
    for (i, c) in h.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        w[i] = u64::from_le_bytes(b);
    }
    w
}

/// Hamming distance of two 256-bit hashes.
#[inline]
pub fn ham256(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones() + (a[1] ^ b[1]).count_ones() + (a[2] ^ b[2]).count_ones() + (a[3] ^ b[3]).count_ones()
}

impl Hashed {
    /// Whether PDQ is meaningful for this image.
    pub fn useful(&self) -> bool {
        self.quality >= pdq::MIN_USEFUL_QUALITY
    }

    /// Whether dHash and pHash carry no information: dHash all zeros or all ones (no horizontal
    /// gradient anywhere — a flat image has dHash 0), or pHash all zeros or all ones (every
    /// DCT coefficient on the same side of the median: a flat image's are all 0).
    pub fn flat(&self) -> bool {
        self.dhash == 0 || self.dhash == u64::MAX || self.phash == 0 || self.phash == u64::MAX
    }

    fn all(&self) -> impl Iterator<Item = (Class, &[u64; 4])> {
        std::iter::once((Class::Whole, &self.main)).chain(self.alt.iter().map(|(v, h)| (class(Some(*v)), h)))
    }
}

/// Smallest PDQ distance between two images over the allowed variant pairs (see the module
/// documentation); `None` when no pair is allowed.
pub fn pdq_distance(a: &Hashed, b: &Hashed) -> Option<u32> {
    let mut best = None;
    for (ca, x) in a.all() {
        for (cb, y) in b.all() {
            if allowed(ca, cb) {
                let d = ham256(x, y);
                best = Some(best.map_or(d, |b: u32| b.min(d)));
            }
        }
    }
    best
}

/// Distance of a bare PDQ hash (a query) to an image: the query is a whole picture.
pub fn probe_distance(q: &[u64; 4], b: &Hashed) -> u32 {
    b.all().filter(|(c, _)| matches!(c, Class::Whole | Class::Crop)).map(|(_, h)| ham256(q, h)).min().unwrap_or(u32::MAX)
}

/// The rule that links two images at `radii`, `None` when they are not linked (see the module
/// documentation). The first rule that applies, in the order PDQ, corroborated, agreement,
/// low quality.
pub fn link_rule(a: &Hashed, b: &Hashed, radii: &Radii) -> Option<Rule> {
    if a.useful() && b.useful() {
        match pdq_distance(a, b) {
            Some(d) if d <= radii.pdq => Some(Rule::Pdq),
            Some(d) if corroborated(a, b, d) => Some(Rule::Corroborated),
            _ => agree(a, b, radii.dhash, radii.phash).then_some(Rule::Agree),
        }
    } else {
        agree(a, b, radii.fallback, radii.fallback).then_some(Rule::LowQuality)
    }
}

/// Whether two images are linked at `radii` (see the module documentation).
pub fn linked(a: &Hashed, b: &Hashed, radii: &Radii) -> bool {
    link_rule(a, b, radii).is_some()
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (a, b) = (find(parent, a), find(parent, b));
    if a != b {
        parent[a.max(b)] = a.min(b);
    }
}

/// Every linked pair `(i, j)`, `i < j`, of `items` at `radii`.
pub fn linked_pairs(items: &[Hashed], radii: &Radii) -> Vec<(usize, usize)> {
    let radius = radii.pdq;
    // Flatten: (owner, class, hash) for useful images.
    let mut queries: Vec<[u64; 4]> = Vec::new();
    let mut q_owner: Vec<(usize, Class)> = Vec::new();
    let mut targets: Vec<[u64; 4]> = Vec::new();
    let mut t_owner: Vec<(usize, Class)> = Vec::new();
    let mut bands: [(Vec<[u64; 4]>, Vec<usize>); 2] = [(Vec::new(), Vec::new()), (Vec::new(), Vec::new())];
    for (i, it) in items.iter().enumerate().filter(|(_, it)| it.useful()) {
        for (c, h) in it.all() {
            match c {
                Class::Whole => {
                    queries.push(*h);
                    q_owner.push((i, c));
                    targets.push(*h);
                    t_owner.push((i, c));
                }
                Class::Crop => {
                    targets.push(*h);
                    t_owner.push((i, c));
                }
                Class::Top | Class::Bottom => {
                    let b = &mut bands[usize::from(c == Class::Bottom)];
                    b.0.push(*h);
                    b.1.push(i);
                }
            }
        }
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    let wide = radius.max(CORROBORATE_PDQ);
    let mut keep = |a: usize, b: usize, d: u16| {
        if a != b && (u32::from(d) <= radius || corroborated(&items[a], &items[b], u32::from(d))) {
            out.push((a.min(b), a.max(b)));
        }
    };
    for (qi, ti, d) in scan::range_search(&queries, &targets, wide) {
        keep(q_owner[qi as usize].0, t_owner[ti as usize].0, d);
    }
    for (hashes, owner) in &bands {
        for (qi, ti, d) in scan::range_search(hashes, hashes, wide) {
            keep(owner[qi as usize], owner[ti as usize], d);
        }
    }
    // dHash and pHash agreeing closely (brute force over 64-bit pairs: 2 popcounts each).
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            if agree(&items[i], &items[j], radii.dhash, radii.phash) {
                out.push((i, j));
            }
        }
    }
    // Low-quality images: dHash and pHash, against every image.
    let low: Vec<usize> = (0..items.len()).filter(|&i| !items[i].useful()).collect();
    for &i in &low {
        for j in 0..items.len() {
            if i != j && (items[j].useful() || i < j) && linked(&items[i], &items[j], radii) {
                out.push((i.min(j), i.max(j)));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Connected components of the links at `radii`. Each group is a list of indexes into `items`,
/// representative first (highest quality, ties: lowest file id); groups of one are left out.
pub fn components(items: &[Hashed], radii: &Radii) -> Vec<Vec<usize>> {
    let n = items.len();
    let mut parent: Vec<usize> = (0..n).collect();
    for (a, b) in linked_pairs(items, radii) {
        union(&mut parent, a, b);
    }
    let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        by_root.entry(r).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = by_root.into_values().filter(|g| g.len() > 1).collect();
    for g in &mut groups {
        g.sort_by_key(|&i| (std::cmp::Reverse(items[i].quality), items[i].file_id));
    }
    groups.sort_by_key(|g| items[g[0]].file_id);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: Radii = Radii { pdq: 31, dhash: AGREE_DISTANCE, phash: AGREE_DISTANCE, fallback: FALLBACK_DISTANCE };

    fn h(file_id: i64, main: [u64; 4], alt: Vec<(Variant, [u64; 4])>) -> Hashed {
        let d = r(1000 + file_id as u64);
        Hashed { file_id, quality: 100, main, alt, dhash: d[0], phash: d[1] }
    }

    /// A pseudo-random 256-bit hash (splitmix64), ~128 bits from any other.
    fn r(seed: u64) -> [u64; 4] {
        let mut z = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        std::array::from_fn(|_| {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        })
    }

    #[test]
    fn crops_meet_wholes_not_crops() {
        let x = r(1);
        // a's crop equals b's whole: linked.
        let a = h(1, r(2), vec![(Variant::Crop(80), x)]);
        let b = h(2, x, vec![]);
        assert!(linked(&a, &b, &R));
        // Two equal crops, wholes far apart: not linked.
        let c = h(3, r(3), vec![(Variant::Crop(80), x)]);
        assert!(!linked(&a, &c, &R));
        // Same top band: linked; a top band against a bottom band: not.
        let d = h(4, r(4), vec![(Variant::Top, r(9))]);
        let e = h(5, r(5), vec![(Variant::Top, r(9))]);
        let f = h(6, r(6), vec![(Variant::Bottom, r(9))]);
        assert!(linked(&d, &e, &R));
        assert!(!linked(&d, &f, &R));
        let items = vec![a, b, c, d, e, f];
        // a and c are both crops of b: one group through b.
        assert_eq!(linked_pairs(&items, &R), vec![(0, 1), (1, 2), (3, 4)]);
        let g = components(&items, &R);
        assert_eq!(g, vec![vec![0, 1, 2], vec![3, 4]]);
    }

    #[test]
    fn default_radii_are_the_constants() {
        assert_eq!(Radii::default(), R);
        assert_eq!(R.pdq, pdq::MATCH_DISTANCE);
    }

    fn low(file_id: i64, dhash: u64, phash: u64) -> Hashed {
        Hashed { file_id, quality: 0, main: [0; 4], alt: vec![], dhash, phash }
    }

    #[test]
    fn flat_images_are_not_linked_by_dhash_and_phash() {
        // What a black 30000² PNG, a black image, a flat grey 16-bit PNG and a 1×1 red JPEG all
        // hash to: dHash 0, pHash all ones, PDQ quality 0.
        let flats: Vec<Hashed> = (1..=4).map(|i| low(i, 0, u64::MAX)).collect();
        assert!(flats.iter().all(Hashed::flat));
        assert!(!linked(&flats[0], &flats[1], &R));
        assert_eq!(link_rule(&flats[0], &flats[1], &R), None);
        assert!(linked_pairs(&flats, &R).is_empty());
        assert!(components(&flats, &R).is_empty());
        // The other degenerate forms.
        for (d, p) in [(0, 0x1234_5678_9abc_def0), (u64::MAX, 0x1234_5678_9abc_def0), (0x0f0f_0f0f_0f0f_0f0f, 0), (0x0f0f_0f0f_0f0f_0f0f, u64::MAX)] {
            let (a, b) = (low(1, d, p), low(2, d, p));
            assert!(a.flat());
            assert!(!linked(&a, &b, &R), "{d:x} {p:x}");
        }
        // Nor by the agreement rule between useful images.
        let mut a = h(1, r(10), vec![]);
        let mut b = h(2, r(11), vec![]);
        (a.dhash, a.phash, b.dhash, b.phash) = (0, u64::MAX, 0, u64::MAX);
        assert!(!linked(&a, &b, &R));
        // Two low-quality images with informative, equal dHash and pHash are still linked.
        let (x, y) = (low(1, 0x0f0f_0f0f_0f0f_0f0f, 0x1234_5678_9abc_def0), low(2, 0x0f0f_0f0f_0f0f_0f0e, 0x1234_5678_9abc_def0));
        assert_eq!(link_rule(&x, &y, &R), Some(Rule::LowQuality));
        assert_eq!(linked_pairs(&[x, y], &R), vec![(0, 1)]);
    }

    #[test]
    fn radii_are_configurable_per_kind() {
        let x = r(1);
        let mut y = x;
        y[0] ^= 0xffff_ffff_ffff; // 48 bits apart... plus
        y[1] ^= 0x3ff; // 10 more: 58 > CORROBORATE_PDQ
        let a = h(1, x, vec![]);
        let b = h(2, y, vec![]);
        assert_eq!(pdq_distance(&a, &b), Some(58));
        assert_eq!(link_rule(&a, &b, &R), None);
        assert_eq!(link_rule(&a, &b, &Radii { pdq: 60, ..R }), Some(Rule::Pdq));
        assert_eq!(linked_pairs(&[a.clone(), b.clone()], &Radii { pdq: 60, ..R }), vec![(0, 1)]);
        // dHash 3 bits apart and pHash 9 apart: agreement only at a pHash radius ≥ 9.
        let mut c = h(3, r(20), vec![]);
        let mut d = h(4, r(21), vec![]);
        (c.dhash, c.phash, d.dhash, d.phash) = (0x0f0f, 0xff00_ff00, 0x0f08, 0xff00_fe00 ^ 0xff);
        assert_eq!(((c.dhash ^ d.dhash).count_ones(), (c.phash ^ d.phash).count_ones()), (3, 9));
        assert!(!linked(&c, &d, &R));
        assert_eq!(link_rule(&c, &d, &Radii { phash: 9, ..R }), Some(Rule::Agree));
        assert!(!linked(&c, &d, &Radii { phash: 9, dhash: 2, ..R }));
        assert_eq!(linked_pairs(&[c, d], &Radii { phash: 9, ..R }), vec![(0, 1)]);
    }
}
