//! All pairs within a Hamming radius over 256-bit hashes (PDQ), by brute force.
//!
//! * [`pairs_within`]: every pair `(i, j, distance)` with `i < j` of one set whose distance is at
//!   most the radius (near-duplicate grouping inside a case).
//! * [`range_search`]: every `(query, target, distance)` within the radius (a case against a hash
//!   list).
//! * [`item_pairs_within`]: the same over items that carry several hashes each (an image's PDQ
//!   and its mirror / content-box variants), smallest distance per pair of items.
//!
//! Brute force is the right tool at PDQ's radius (31 of 256 bits): indexes (BK-tree, multi-index
//! hashing) gain little or lose there (see `reference/performance.md` §3). What makes it fast:
//!
//! * **Tiling.** Targets are transposed once into blocks of 8 hashes, word-major (8 × word 0,
//!   8 × word 1, …: 256 bytes per block), and scanned in tiles of [`TILE`] hashes (16 KiB, stays
//!   in L1) against blocks of [`QUERY_BLOCK`] queries, so each target is fetched from memory once
//!   per query block rather than once per query.
//! * **Runtime CPU-feature dispatch** ([`Kernel::detect`]): AVX-512 `VPOPCNTDQ` (8 distances per
//!   4 loads), AVX2 (nibble-table popcount + `vpsadbw`, 4 distances at a time), the scalar loop
//!   compiled with `popcnt`, and a plain scalar fallback. Built for the default `x86-64` target:
//!   `-C target-cpu=native` is never needed (nor wanted: the binary must run on any x86-64).
//! * **Threads.** Query blocks run on the current rayon pool (`pool.install(..)` to choose it).
//!
//! Results are sorted, so every kernel gives the same vector.
//!
//! This is the only module of the crate allowed `unsafe`: calling a `#[target_feature]` function
//! after the feature check, and the unaligned SIMD loads and stores of slices of known length.

#![allow(unsafe_code)]

use rayon::prelude::*;

use super::pdq::{self, PdqError};

/// A 256-bit hash as four 64-bit words (see [`hash256_from_bytes`] for the byte order).
pub type Hash256 = [u64; 4];
/// A match: (query or first index, target or second index, Hamming distance).
pub type Pair = (u32, u32, u16);

/// Hashes per transposed block.
const LANES: usize = 8;
/// `u64` words per transposed block.
const BLOCK_WORDS: usize = 4 * LANES;
/// Targets per tile (a multiple of [`LANES`]): 512 × 32 bytes = 16 KiB.
pub const TILE: usize = 512;
/// Queries scanned against one tile before moving to the next.
pub const QUERY_BLOCK: usize = 128;

/// The inner loop used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Portable Rust, `count_ones` as the target provides it (no `popcnt` on baseline x86-64).
    Scalar,
    /// The same loop compiled with the `popcnt` instruction.
    Popcnt,
    /// AVX2: byte popcount by nibble table, summed with `vpsadbw`; 4 hashes per vector.
    Avx2,
    /// AVX-512F + VPOPCNTDQ: 8 hashes per vector.
    Avx512,
}

impl Kernel {
    /// The fastest kernel this CPU supports.
    pub fn detect() -> Kernel {
        [Kernel::Avx512, Kernel::Avx2, Kernel::Popcnt].into_iter().find(|k| k.is_available()).unwrap_or(Kernel::Scalar)
    }

    /// Whether this CPU can run the kernel.
    pub fn is_available(self) -> bool {
        match self {
            Kernel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Popcnt => std::arch::is_x86_feature_detected!("popcnt"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512vpopcntdq"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Every kernel this CPU can run, fastest first.
    pub fn available() -> Vec<Kernel> {
        [Kernel::Avx512, Kernel::Avx2, Kernel::Popcnt, Kernel::Scalar].into_iter().filter(|k| k.is_available()).collect()
    }

    /// Short name (`avx512-vpopcntdq`, `avx2`, `popcnt`, `scalar`).
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "scalar",
            Kernel::Popcnt => "popcnt",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512-vpopcntdq",
        }
    }

    /// `self` if this CPU can run it, else [`Kernel::detect`] (never an unsupported instruction).
    fn or_detected(self) -> Kernel {
        if self.is_available() { self } else { Kernel::detect() }
    }
}

/// The 32 hash bytes (PDQ's hex order, as in [`pdq::Pdq::hash`]) as four words: word `i` is
/// bytes `8i..8i+8`, little-endian. Any fixed order gives the same distances; this one is also
/// the image pass's.
pub fn hash256_from_bytes(b: &[u8; 32]) -> Hash256 {
    let mut w = [0u64; 4];
    for (i, c) in b.chunks_exact(8).enumerate() {
        let mut x = [0u8; 8];
        x.copy_from_slice(c);
        w[i] = u64::from_le_bytes(x);
    }
    w
}

/// Inverse of [`hash256_from_bytes`].
pub fn hash256_to_bytes(w: &Hash256) -> [u8; 32] {
    let mut b = [0u8; 32];
    for (i, x) in w.iter().enumerate() {
        b[8 * i..8 * i + 8].copy_from_slice(&x.to_le_bytes());
    }
    b
}

/// Parse a 64-hex-digit PDQ hash (the reference's form, either case).
pub fn hash256_from_hex(s: &str) -> Result<Hash256, PdqError> {
    pdq::hash_from_hex(s).map(|b| hash256_from_bytes(&b))
}

/// The 64-hex-digit form (lowercase), as [`pdq::Pdq::to_hex`] prints it.
pub fn hash256_to_hex(w: &Hash256) -> String {
    hex::encode(hash256_to_bytes(w))
}

/// Hamming distance (plain Rust; for single comparisons).
#[inline]
pub fn hamming256(a: &Hash256, b: &Hash256) -> u32 {
    (a[0] ^ b[0]).count_ones() + (a[1] ^ b[1]).count_ones() + (a[2] ^ b[2]).count_ones() + (a[3] ^ b[3]).count_ones()
}

/// Targets transposed into blocks of [`LANES`] hashes, word-major; the last block is padded
/// with zero hashes that [`Job::emit`] filters out by index.
struct Transposed {
    words: Vec<u64>,
    len: usize,
}

impl Transposed {
    fn new(h: &[Hash256]) -> Transposed {
        let mut words = vec![0u64; h.len().div_ceil(LANES) * BLOCK_WORDS];
        for (i, x) in h.iter().enumerate() {
            let base = (i / LANES) * BLOCK_WORDS + i % LANES;
            for (w, v) in x.iter().enumerate() {
                words[base + w * LANES] = *v;
            }
        }
        Transposed { words, len: h.len() }
    }

    /// Tile `t`: (first index, its words).
    fn tile(&self, t: usize) -> (usize, &[u64]) {
        let start = t * TILE;
        let end = (start + TILE).min(self.len);
        (start, &self.words[start / LANES * BLOCK_WORDS..end.div_ceil(LANES) * BLOCK_WORDS])
    }

    fn tiles(&self) -> usize {
        self.len.div_ceil(TILE)
    }
}

/// One query block against one tile (at most [`TILE`] targets).
struct Job<'a> {
    queries: &'a [Hash256],
    q_base: usize,
    tile: &'a [u64],
    t_base: usize,
    t_len: usize,
    radius: u32,
    /// Keep only `target > query` (all-pairs on one set).
    upper: bool,
}

/// Blocks per tile: a mask of matching lanes is kept per block that has one.
const TILE_BLOCKS: usize = TILE / LANES;

impl Job<'_> {
    /// Record the matches of query `qi` from `(block, lane mask)` candidates: the distance is
    /// recomputed here (matches are rare), so the SIMD loops make no call and keep their
    /// registers.
    #[cold]
    #[inline(never)]
    fn flush(&self, qi: usize, hits: &[(u16, u8)], out: &mut Vec<Pair>) {
        let q = &self.queries[qi];
        let i = self.q_base + qi;
        for &(b, mut mask) in hits {
            let blk = &self.tile[usize::from(b) * BLOCK_WORDS..(usize::from(b) + 1) * BLOCK_WORDS];
            while mask != 0 {
                let l = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                let j = self.t_base + usize::from(b) * LANES + l;
                if j < self.t_len && (!self.upper || j > i) {
                    let t = [blk[l], blk[LANES + l], blk[2 * LANES + l], blk[3 * LANES + l]];
                    out.push((i as u32, j as u32, hamming256(q, &t) as u16));
                }
            }
        }
    }
}

#[inline(always)]
fn scalar_body(job: &Job, out: &mut Vec<Pair>) {
    let mut hits = [(0u16, 0u8); TILE_BLOCKS];
    for (qi, q) in job.queries.iter().enumerate() {
        let mut n = 0;
        for (b, blk) in job.tile.chunks_exact(BLOCK_WORDS).enumerate() {
            let mut mask = 0u8;
            for l in 0..LANES {
                let d = (q[0] ^ blk[l]).count_ones() + (q[1] ^ blk[LANES + l]).count_ones() + (q[2] ^ blk[2 * LANES + l]).count_ones() + (q[3] ^ blk[3 * LANES + l]).count_ones();
                mask |= u8::from(d <= job.radius) << l;
            }
            if mask != 0 {
                hits[n] = (b as u16, mask);
                n += 1;
            }
        }
        if n > 0 {
            job.flush(qi, &hits[..n], out);
        }
    }
}

fn kernel_scalar(job: &Job, out: &mut Vec<Pair>) {
    scalar_body(job, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn kernel_popcnt(job: &Job, out: &mut Vec<Pair>) {
    scalar_body(job, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn kernel_avx2(job: &Job, out: &mut Vec<Pair>) {
    use std::arch::x86_64::*;
    let lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    let nib = _mm256_set1_epi8(0x0f);
    let zero = _mm256_setzero_si256();
    let r = _mm256_set1_epi64x(i64::from(job.radius));
    // Byte-wise popcount of x (each byte 0..=8).
    let cnt = |x: __m256i| _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(x, nib)), _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(x, 4), nib)));
    let mut hits = [(0u16, 0u8); TILE_BLOCKS];
    for (qi, q) in job.queries.iter().enumerate() {
        let qv = [_mm256_set1_epi64x(q[0] as i64), _mm256_set1_epi64x(q[1] as i64), _mm256_set1_epi64x(q[2] as i64), _mm256_set1_epi64x(q[3] as i64)];
        let mut n = 0;
        for (b, blk) in job.tile.chunks_exact(BLOCK_WORDS).enumerate() {
            let mut mask = 0u32;
            for half in 0..2 {
                let at = |w: usize| -> __m256i {
                    let s = &blk[w * LANES + half * 4..w * LANES + half * 4 + 4];
                    // SAFETY: `s` is 4 initialised u64 = 32 bytes; unaligned load.
                    unsafe { _mm256_loadu_si256(s.as_ptr().cast::<__m256i>()) }
                };
                let c0 = cnt(_mm256_xor_si256(at(0), qv[0]));
                let c1 = cnt(_mm256_xor_si256(at(1), qv[1]));
                let c2 = cnt(_mm256_xor_si256(at(2), qv[2]));
                let c3 = cnt(_mm256_xor_si256(at(3), qv[3]));
                // Bytes stay ≤ 32; vpsadbw sums each 8-byte lane into its u64: one distance.
                let d = _mm256_sad_epu8(_mm256_add_epi8(_mm256_add_epi8(c0, c1), _mm256_add_epi8(c2, c3)), zero);
                let over = _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(d, r))) as u32;
                mask |= (!over & 0xF) << (4 * half);
            }
            if mask != 0 {
                hits[n] = (b as u16, mask as u8);
                n += 1;
            }
        }
        if n > 0 {
            job.flush(qi, &hits[..n], out);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq")]
fn kernel_avx512(job: &Job, out: &mut Vec<Pair>) {
    use std::arch::x86_64::*;
    let r = _mm512_set1_epi64(i64::from(job.radius));
    let mut hits = [(0u16, 0u8); TILE_BLOCKS];
    for (qi, q) in job.queries.iter().enumerate() {
        let qv = [_mm512_set1_epi64(q[0] as i64), _mm512_set1_epi64(q[1] as i64), _mm512_set1_epi64(q[2] as i64), _mm512_set1_epi64(q[3] as i64)];
        let mut n = 0;
        for (b, blk) in job.tile.chunks_exact(BLOCK_WORDS).enumerate() {
            let at = |w: usize| -> __m512i {
                let s = &blk[w * LANES..w * LANES + LANES];
                // SAFETY: `s` is 8 initialised u64 = 64 bytes; unaligned load.
                unsafe { _mm512_loadu_epi64(s.as_ptr().cast::<i64>()) }
            };
            let p0 = _mm512_popcnt_epi64(_mm512_xor_si512(at(0), qv[0]));
            let p1 = _mm512_popcnt_epi64(_mm512_xor_si512(at(1), qv[1]));
            let p2 = _mm512_popcnt_epi64(_mm512_xor_si512(at(2), qv[2]));
            let p3 = _mm512_popcnt_epi64(_mm512_xor_si512(at(3), qv[3]));
            let d = _mm512_add_epi64(_mm512_add_epi64(p0, p1), _mm512_add_epi64(p2, p3));
            let mask = _mm512_cmple_epu64_mask(d, r);
            if mask != 0 {
                hits[n] = (b as u16, mask);
                n += 1;
            }
        }
        if n > 0 {
            job.flush(qi, &hits[..n], out);
        }
    }
}

/// Run `job` with kernel `k`, which the caller has checked with [`Kernel::is_available`].
fn run(k: Kernel, job: &Job, out: &mut Vec<Pair>) {
    match k {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `k` is available on this CPU (checked by the callers via `or_detected`).
        Kernel::Avx512 => unsafe { kernel_avx512(job, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Kernel::Avx2 => unsafe { kernel_avx2(job, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Kernel::Popcnt => unsafe { kernel_popcnt(job, out) },
        _ => kernel_scalar(job, out),
    }
}

fn check_len(n: usize) {
    // Indexes are u32; a case with 4 G images is far beyond the brute-force range anyway.
    debug_assert!(n <= u32::MAX as usize + 1, "more than 2^32 hashes");
}

/// Every pair `(i, j, d)`, `i < j`, of `hashes` with Hamming distance `d ≤ radius`, sorted.
/// Uses the fastest kernel of this CPU, on the current rayon pool.
pub fn pairs_within(hashes: &[Hash256], radius: u32) -> Vec<Pair> {
    pairs_within_with(Kernel::detect(), hashes, radius)
}

/// [`pairs_within`] with a chosen kernel (replaced by [`Kernel::detect`] if this CPU cannot
/// run it).
pub fn pairs_within_with(kernel: Kernel, hashes: &[Hash256], radius: u32) -> Vec<Pair> {
    check_len(hashes.len());
    let k = kernel.or_detected();
    let t = Transposed::new(hashes);
    let n = hashes.len();
    let mut out: Vec<Pair> = (0..n.div_ceil(QUERY_BLOCK))
        .into_par_iter()
        .flat_map_iter(|qb| {
            let qs = qb * QUERY_BLOCK;
            let queries = &hashes[qs..(qs + QUERY_BLOCK).min(n)];
            let mut v = Vec::new();
            // Tiles wholly before the block hold only j < i: skip them.
            for tile in qs / TILE..t.tiles() {
                let (t_base, words) = t.tile(tile);
                run(k, &Job { queries, q_base: qs, tile: words, t_base, t_len: n, radius, upper: true }, &mut v);
            }
            v
        })
        .collect();
    out.sort_unstable();
    out
}

/// Every `(q, t, d)` with `d = distance(queries[q], targets[t]) ≤ radius`, sorted. Uses the
/// fastest kernel of this CPU, on the current rayon pool.
pub fn range_search(queries: &[Hash256], targets: &[Hash256], radius: u32) -> Vec<Pair> {
    range_search_with(Kernel::detect(), queries, targets, radius)
}

/// [`range_search`] with a chosen kernel (replaced by [`Kernel::detect`] if this CPU cannot run
/// it).
pub fn range_search_with(kernel: Kernel, queries: &[Hash256], targets: &[Hash256], radius: u32) -> Vec<Pair> {
    check_len(queries.len());
    check_len(targets.len());
    let k = kernel.or_detected();
    let t = Transposed::new(targets);
    let mut out: Vec<Pair> = queries
        .par_chunks(QUERY_BLOCK)
        .enumerate()
        .flat_map_iter(|(qb, block)| {
            let mut v = Vec::new();
            for tile in 0..t.tiles() {
                let (t_base, words) = t.tile(tile);
                run(k, &Job { queries: block, q_base: qb * QUERY_BLOCK, tile: words, t_base, t_len: t.len, radius, upper: false }, &mut v);
            }
            v
        })
        .collect();
    out.sort_unstable();
    out
}

/// Pairs of *items* that each carry several hashes (an image's PDQ, its mirror, its content box
/// …): every `(a, b, d)` with `a < b` where `d`, the smallest distance between any hash of `a`
/// and any hash of `b`, is at most `radius`; sorted. Hashes of the same item are never compared
/// with each other. `items[k]` lists item `k`'s hashes; an item without hashes matches nothing.
/// This is the near-duplicate link test of the image pass as one tiled scan.
pub fn item_pairs_within(items: &[Vec<Hash256>], radius: u32) -> Vec<Pair> {
    let mut flat = Vec::with_capacity(items.iter().map(Vec::len).sum());
    let mut owner = Vec::with_capacity(flat.capacity());
    for (k, hs) in items.iter().enumerate() {
        for h in hs {
            flat.push(*h);
            owner.push(k as u32);
        }
    }
    let mut out: Vec<Pair> = pairs_within(&flat, radius)
        .into_iter()
        .filter_map(|(i, j, d)| {
            let (a, b) = (owner[i as usize], owner[j as usize]);
            (a != b).then_some((a.min(b), a.max(b), d))
        })
        .collect();
    // Smallest distance first for each (a, b), then keep that one.
    out.sort_unstable();
    out.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn hash(&mut self) -> Hash256 {
            [self.next(), self.next(), self.next(), self.next()]
        }
    }

    /// `n` random hashes, a fifth of them near copies (0–40 bits flipped) of earlier ones, and a
    /// few exact copies.
    fn data(n: usize, seed: u64) -> Vec<Hash256> {
        let mut r = Rng(seed);
        let mut v: Vec<Hash256> = Vec::with_capacity(n);
        for i in 0..n {
            if i > 0 && i % 5 == 0 {
                let mut h = v[(r.next() as usize) % i];
                for _ in 0..(r.next() % 41) {
                    let bit = (r.next() % 256) as usize;
                    h[bit / 64] ^= 1 << (bit % 64);
                }
                v.push(h);
            } else if i > 0 && i % 97 == 0 {
                v.push(v[i - 1]);
            } else {
                v.push(r.hash());
            }
        }
        v
    }

    fn naive_pairs(h: &[Hash256], radius: u32) -> Vec<Pair> {
        let mut out = Vec::new();
        for i in 0..h.len() {
            for j in i + 1..h.len() {
                let d = hamming256(&h[i], &h[j]);
                if d <= radius {
                    out.push((i as u32, j as u32, d as u16));
                }
            }
        }
        out
    }

    fn naive_range(q: &[Hash256], t: &[Hash256], radius: u32) -> Vec<Pair> {
        let mut out = Vec::new();
        for (i, a) in q.iter().enumerate() {
            for (j, b) in t.iter().enumerate() {
                let d = hamming256(a, b);
                if d <= radius {
                    out.push((i as u32, j as u32, d as u16));
                }
            }
        }
        out
    }

    #[test]
    fn scalar_is_always_available_and_detect_is_available() {
        assert!(Kernel::available().contains(&Kernel::Scalar));
        assert!(Kernel::detect().is_available());
        assert_eq!(Kernel::available()[0], Kernel::detect());
    }

    #[test]
    fn every_kernel_matches_the_naive_scan() {
        // Sizes that are not multiples of the lane, tile or query-block sizes.
        for (n, seed) in [(0usize, 1u64), (1, 2), (7, 3), (9, 4), (513, 5), (1237, 6), (2 * TILE + 3, 7)] {
            let h = data(n, seed);
            for radius in [0, 10, 31, 64] {
                let want = naive_pairs(&h, radius);
                if n > 500 && radius == 31 {
                    assert!(want.len() > n / 10, "planted pairs present ({} for n = {n})", want.len());
                }
                for k in Kernel::available() {
                    assert_eq!(pairs_within_with(k, &h, radius), want, "kernel {} n {n} radius {radius}", k.name());
                }
            }
        }
    }

    #[test]
    fn range_search_matches_the_naive_scan() {
        let t = data(1100, 11);
        let mut r = Rng(99);
        // Queries: near copies of targets and random hashes.
        let q: Vec<Hash256> = (0..300)
            .map(|i| {
                if i % 2 == 0 {
                    let mut h = t[(r.next() as usize) % t.len()];
                    h[(i / 2) % 4] ^= r.next() & 0x0000_ffff_0000_ffff;
                    h
                } else {
                    r.hash()
                }
            })
            .collect();
        for radius in [0, 31, 40] {
            let want = naive_range(&q, &t, radius);
            for k in Kernel::available() {
                assert_eq!(range_search_with(k, &q, &t, radius), want, "kernel {} radius {radius}", k.name());
            }
        }
        assert!(range_search(&[], &t, 31).is_empty());
        assert!(range_search(&q, &[], 31).is_empty());
    }

    #[test]
    fn radius_256_returns_every_pair() {
        let h = data(40, 5);
        for k in Kernel::available() {
            assert_eq!(pairs_within_with(k, &h, 256).len(), 40 * 39 / 2, "kernel {}", k.name());
        }
        let all = pairs_within(&h, 256);
        assert!(all.iter().all(|&(i, j, d)| i < j && u32::from(d) == hamming256(&h[i as usize], &h[j as usize])));
    }

    #[test]
    fn item_pairs_take_the_smallest_distance_over_variants() {
        let h = data(600, 21);
        // Items of 1 to 3 hashes each, some empty.
        let mut items: Vec<Vec<Hash256>> = Vec::new();
        let mut k = 0;
        while k < h.len() {
            let n = [1usize, 3, 0, 2][items.len() % 4].min(h.len() - k);
            items.push(h[k..k + n].to_vec());
            k += n;
        }
        let mut want = Vec::new();
        for a in 0..items.len() {
            for b in a + 1..items.len() {
                let d = items[a].iter().flat_map(|x| items[b].iter().map(move |y| hamming256(x, y))).min();
                if let Some(d) = d.filter(|&d| d <= 31) {
                    want.push((a as u32, b as u32, d as u16));
                }
            }
        }
        assert!(!want.is_empty());
        assert_eq!(item_pairs_within(&items, 31), want);
        // Two hashes of one item are never a pair.
        assert!(item_pairs_within(&[vec![[1, 2, 3, 4], [1, 2, 3, 4]]], 31).is_empty());
    }

    #[test]
    fn hex_round_trip_matches_pdq() {
        let hex = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let w = hash256_from_hex(hex).unwrap();
        assert_eq!(hash256_to_hex(&w), hex);
        assert_eq!(hash256_from_hex(&hex.to_uppercase()).unwrap(), w);
        assert!(hash256_from_hex("abc").is_err());
        let b = pdq::hash_from_hex(hex).unwrap();
        let mut c = b;
        c[0] ^= 0x81;
        c[31] ^= 0x01;
        assert_eq!(hamming256(&w, &hash256_from_bytes(&c)), pdq::hamming(&b, &c));
        assert_eq!(hash256_to_bytes(&w), b);
    }
}
