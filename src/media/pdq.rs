//! PDQ perceptual image hash (256 bits) with its quality score.
//!
//! Our own implementation of the algorithm Meta published in ThreatExchange (`pdq/`, the
//! "PDQ hashing" paper and the C++ reference). The arithmetic follows the reference step by step
//! — the same `f32`/`f64` types, the same operation order — so that on the same luminance array
//! the result is bit-identical to the C++ reference (checked against the Python `pdqhash` package,
//! which wraps that C++ code, by `tests/pdq_conformance.rs`).
//!
//! # Algorithm
//!
//! 1. **Luminance.** `Y = 0.299 R + 0.587 G + 0.114 B` ([`luma_from_rgb8`]).
//! 2. **Blur.** A Jarosz tent filter: two passes of (box filter along rows, then along columns),
//!    with window sizes `ceil(cols / 128)` along rows and `ceil(rows / 128)` along columns (half of
//!    a 1/64 block per pass, so two passes cover the block).
//! 3. **Decimate** to 64×64 by sampling the blurred image at the centres of a 64×64 grid
//!    (a 64×64 input is taken as is).
//! 4. **Quality** from the 64×64 image: the sum over all vertical and horizontal neighbour pairs
//!    of `|trunc((u - v) · 100 / 255)|`, divided by 90 and capped at 100. Flat or nearly flat
//!    images score low; the reference recommends discarding hashes of quality ≤ 49.
//! 5. **DCT.** `B = D · A · Dᵀ` where `D` is the 16×64 DCT-II matrix without its DC row
//!    (`D[i][j] = sqrt(2/64) · cos(π/128 · (i+1) · (2j+1))`), giving the 16×16 lowest
//!    non-constant frequencies.
//! 6. **Bits.** Bit `16·i + j` is set when `B[i][j]` is strictly greater than the median of the
//!    256 coefficients (Torben's median, which for an even count picks one of the two middle
//!    values, like the reference).
//!
//! # Fast, with the same arithmetic
//!
//! The code is arranged for speed without touching the arithmetic. The filter streams: the first
//! row pass filters 8 rows at a time (their running sums advance side by side in vector
//! registers) into a ring of (column window + 8) rows, the first column pass consumes that ring
//! and hands its output rows, 8 at a time, to the sampled second row pass: besides a rows × 64
//! band, only a few dozen rows are held at most, whatever the image size. The DCT and quality loops run across independent
//! outputs, and the luminance products come from a table. Every value still goes through the
//! reference's operations in the reference's order: the unit tests compare the downsample, the
//! coefficients, the quality and the luminance bit for bit with a frozen copy of the
//! straightforward implementation.
//!
//! # Bit order and hex form
//!
//! As in the reference's `Hash256`: bit `k` lives in 16-bit word `k / 16`, bit `k % 16`; the hex
//! form prints the words from 15 down to 0, four lowercase hex digits each. [`Pdq::hash`] holds
//! the same 32 bytes in the order the hex form shows them, so bit `k` is bit `k % 8` of byte
//! `31 - k / 8`, and [`Pdq::to_hex`] is plain `hex::encode(hash)`.
//!
//! # Degenerate input (decided here, documented for callers)
//!
//! The reference returns an all-zero hash with quality 0 for images narrower or lower than 5
//! pixels. [`pdq_from_luma`] does the same ([`Pdq::EMPTY`]) for those, and also for a buffer
//! whose length is not `width × height` (including `0 × 0` and overflowing sizes) and for
//! non-finite luminance that leaves non-finite coefficients. Quality 0 is below every usable
//! threshold, so a caller that filters on quality (as it should) drops these. [`try_pdq_from_luma`]
//! reports the same cases as a [`PdqError`] instead. Nothing here panics on any input.
//!
//! # Luminance precision
//!
//! [`luma_from_rgb8`] computes the weighted sum in `f64` and rounds to `f32`, exactly as the
//! Python `pdqhash` package does with numpy before it calls the C++ core. (The C++ command-line
//! tools compute the same weights in `f32`, which can differ in the last bit of a few pixels and,
//! rarely, flip a bit of the hash. The conformance target of this project is `pdqhash`.)

use std::fmt;
use std::sync::LazyLock;

/// Smallest width and height the reference hashes; smaller images get [`Pdq::EMPTY`].
pub const MIN_HASHABLE_DIM: usize = 5;
/// Hamming distance at or below which two PDQ hashes are considered a match (reference README).
pub const MATCH_DISTANCE: u32 = 31;
/// Lowest quality whose hash is worth keeping; the reference recommends discarding ≤ 49.
pub const MIN_USEFUL_QUALITY: u32 = 50;

/// Side of the downsampled image.
const DOWN: usize = 64;
/// Side of the kept DCT block.
const DCT: usize = 16;

/// A PDQ hash and its quality score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pdq {
    /// The 256 bits, in the byte order of the hex form (see the module docs).
    pub hash: [u8; 32],
    /// Quality 0–100; below [`MIN_USEFUL_QUALITY`] the hash is unreliable.
    pub quality: u32,
}

impl Pdq {
    /// What the reference returns for an image it cannot hash: all bits clear, quality 0.
    pub const EMPTY: Pdq = Pdq { hash: [0; 32], quality: 0 };

    /// The reference's 64-hex-digit rendering (lowercase).
    pub fn to_hex(&self) -> String {
        hex::encode(self.hash)
    }

    /// Bit `k` (0–255) in the reference's numbering: coefficient row `k / 16`, column `k % 16`.
    /// Bits past 255 read as clear.
    pub fn bit(&self, k: usize) -> bool {
        k < 256 && self.hash[31 - k / 8] & (1 << (k % 8)) != 0
    }

    /// Whether the quality reaches [`MIN_USEFUL_QUALITY`].
    pub fn is_useful(&self) -> bool {
        self.quality >= MIN_USEFUL_QUALITY
    }
}

impl fmt::Display for Pdq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Parses the reference's 64-hex-digit form (either case) into hash bytes.
pub fn hash_from_hex(s: &str) -> Result<[u8; 32], PdqError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s.trim(), &mut out).map_err(|e| PdqError::BadHex(format!("{s:?}: {e}")))?;
    Ok(out)
}

/// Hamming distance between two hashes (0–256).
pub fn hamming(a: &[u8; 32], b: &[u8; 32]) -> u32 {
    let mut d = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let mut xa = [0u8; 8];
        let mut ya = [0u8; 8];
        xa.copy_from_slice(x);
        ya.copy_from_slice(y);
        d += (u64::from_le_bytes(xa) ^ u64::from_le_bytes(ya)).count_ones();
    }
    d
}

/// Why an image could not be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdqError {
    /// Narrower or lower than [`MIN_HASHABLE_DIM`] pixels (the reference does not hash these).
    #[error("image {width}x{height} is too small for PDQ (at least {MIN_HASHABLE_DIM}x{MIN_HASHABLE_DIM})")]
    TooSmall {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// The pixel buffer does not hold `width × height` values (`channels` per pixel).
    #[error("pixel buffer of {actual} values does not match {width}x{height} with {channels} channel(s)")]
    BufferSize {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
        /// Values per pixel (1 for luminance, 3 for RGB).
        channels: usize,
        /// Length of the buffer given.
        actual: usize,
    },
    /// The luminance held NaN or infinite values that reached the DCT coefficients.
    #[error("luminance has non-finite values")]
    NonFinite,
    /// Not a 64-digit hex PDQ hash.
    #[error("not a PDQ hex hash: {0}")]
    BadHex(String),
}

/// The 16×16 DCT coefficients before thresholding, with the quality: the reference's
/// `pdqFloat256FromFloatLuma` output.
#[derive(Clone, Debug, PartialEq)]
pub struct PdqFloat {
    /// Row-major: `coeffs[16 * i + j]` is `B[i][j]` (vertical frequency `i + 1`, horizontal `j + 1`).
    pub coeffs: [f32; 256],
    /// Quality 0–100.
    pub quality: u32,
}

impl PdqFloat {
    /// Thresholds the coefficients at their median into a hash.
    pub fn to_pdq(&self) -> Result<Pdq, PdqError> {
        Ok(Pdq { hash: bits_from_coeffs(&self.coeffs)?, quality: self.quality })
    }

    /// The hashes of the 8 rotations/mirrors of the image, derived from the coefficients (no
    /// re-hashing), in the reference's order: original, rotated 90° counter-clockwise, rotated
    /// 180°, rotated 90° clockwise, flipped upside down ("flip X"), mirrored left-right
    /// ("flip Y"), transposed ("flip plus 1"), anti-transposed ("flip minus 1"). Index `k` is the
    /// hash of the image transformed that way (exactly, where the filter and sampling grid are
    /// symmetric, e.g. 320×320; within a few bits otherwise). All carry the same quality.
    pub fn dihedral(&self) -> Result<[Pdq; 8], PdqError> {
        let a = &self.coeffs;
        // (transpose, sign rule); the sign rule says when to negate, from (i, j) of the source.
        type Neg = fn(usize, usize) -> bool;
        const VARIANTS: [(bool, Neg); 8] = [
            (false, |_, _| false),             // original
            (true, |_, j| j & 1 == 0),         // rotate 90° counter-clockwise
            (false, |i, j| (i + j) & 1 == 1),  // rotate 180
            (true, |i, _| i & 1 == 0),         // rotate 90° clockwise
            (false, |i, _| i & 1 == 0),        // flip X
            (false, |_, j| j & 1 == 0),        // flip Y
            (true, |_, _| false),              // flip plus 1 (transpose)
            (true, |i, j| (i + j) & 1 == 1),   // flip minus 1
        ];
        let mut out = [Pdq::EMPTY; 8];
        for (slot, (transpose, neg)) in out.iter_mut().zip(VARIANTS) {
            let mut b = [0f32; 256];
            for i in 0..DCT {
                for j in 0..DCT {
                    let v = a[i * DCT + j];
                    let v = if neg(i, j) { -v } else { v };
                    let at = if transpose { j * DCT + i } else { i * DCT + j };
                    b[at] = v;
                }
            }
            *slot = Pdq { hash: bits_from_coeffs(&b)?, quality: self.quality };
        }
        Ok(out)
    }
}

/// Reference RGB → luminance weights ("Y" of YUV, BT.601).
pub const LUMA_WEIGHTS: [f64; 3] = [0.299, 0.587, 0.114];

/// `LUMA_PRODUCTS[c][v]` is `f64(v) · LUMA_WEIGHTS[c]`: every product [`luma_from_rgb8`] can
/// form, computed once (at compile time, which rounds `f64` multiplication exactly as run time
/// does), so each pixel costs three look-ups and two additions.
static LUMA_PRODUCTS: [[f64; 256]; 3] = luma_products();

const fn luma_products() -> [[f64; 256]; 3] {
    let mut t = [[0f64; 256]; 3];
    let mut c = 0;
    while c < 3 {
        let mut v = 0;
        while v < 256 {
            t[c][v] = v as f64 * LUMA_WEIGHTS[c];
            v += 1;
        }
        c += 1;
    }
    t
}

/// Luminance of packed 8-bit RGB (`rgb.len() == 3 × w × h`, row-major), computed as `pdqhash`
/// does: `f32((R·0.299 + G·0.587) + B·0.114)` in `f64` (the products come from a table, the
/// same values). Returns an empty vector when the buffer does not hold exactly `w × h` pixels
/// (which the hashing functions then reject).
pub fn luma_from_rgb8(rgb: &[u8], w: usize, h: usize) -> Vec<f32> {
    let fits = w.checked_mul(h).and_then(|n| n.checked_mul(3)).is_some_and(|n| n == rgb.len());
    if !fits {
        return Vec::new();
    }
    let [pr, pg, pb] = &LUMA_PRODUCTS;
    rgb.chunks_exact(3)
        .map(|p| (pr[usize::from(p[0])] + pg[usize::from(p[1])] + pb[usize::from(p[2])]) as f32)
        .collect()
}

/// PDQ of packed 8-bit RGB: [`luma_from_rgb8`] then [`try_pdq_from_luma`].
pub fn pdq_from_rgb8(rgb: &[u8], width: usize, height: usize) -> Result<Pdq, PdqError> {
    if width.checked_mul(height).and_then(|n| n.checked_mul(3)) != Some(rgb.len()) {
        return Err(PdqError::BufferSize { width, height, channels: 3, actual: rgb.len() });
    }
    try_pdq_from_luma(&luma_from_rgb8(rgb, width, height), width, height)
}

/// PDQ of a row-major luminance array (`luma.len() == width × height`, values nominally
/// 0–255). Never panics: input the reference cannot hash gives [`Pdq::EMPTY`] (see the module
/// docs); use [`try_pdq_from_luma`] to learn why.
pub fn pdq_from_luma(luma: &[f32], width: usize, height: usize) -> Pdq {
    try_pdq_from_luma(luma, width, height).unwrap_or(Pdq::EMPTY)
}

/// PDQ of a row-major luminance array, with the reason when it cannot be hashed.
pub fn try_pdq_from_luma(luma: &[f32], width: usize, height: usize) -> Result<Pdq, PdqError> {
    check_luma(luma, width, height)?;
    if width < MIN_HASHABLE_DIM || height < MIN_HASHABLE_DIM {
        return Err(PdqError::TooSmall { width, height });
    }
    pdq_float_from_luma(luma, width, height)?.to_pdq()
}

/// The 8 dihedral hashes (see [`PdqFloat::dihedral`]) of a luminance array, as the reference's
/// `pdqDihedralHash256esFromFloatLuma` computes them. Like the reference, this filters a 64×64
/// input instead of taking it as is, so for that one size the first hash can differ in a few
/// bits from [`pdq_from_luma`]'s; for every other size it is the same hash.
pub fn try_pdq_dihedral_from_luma(luma: &[f32], width: usize, height: usize) -> Result<[Pdq; 8], PdqError> {
    check_luma(luma, width, height)?;
    if width < MIN_HASHABLE_DIM || height < MIN_HASHABLE_DIM {
        return Err(PdqError::TooSmall { width, height });
    }
    float_from_luma(luma, width, height, false)?.dihedral()
}

/// The DCT coefficients and quality of a luminance array (any size from 1×1; the hash needs
/// [`MIN_HASHABLE_DIM`]).
pub fn pdq_float_from_luma(luma: &[f32], width: usize, height: usize) -> Result<PdqFloat, PdqError> {
    check_luma(luma, width, height)?;
    float_from_luma(luma, width, height, true)
}

fn check_luma(luma: &[f32], width: usize, height: usize) -> Result<(), PdqError> {
    if width.checked_mul(height) != Some(luma.len()) {
        return Err(PdqError::BufferSize { width, height, channels: 1, actual: luma.len() });
    }
    if width == 0 || height == 0 {
        return Err(PdqError::TooSmall { width, height });
    }
    Ok(())
}

/// `luma` is checked: `width × height` values, both ≥ 1.
fn float_from_luma(luma: &[f32], width: usize, height: usize, take_64_as_is: bool) -> Result<PdqFloat, PdqError> {
    let down = if take_64_as_is && width == DOWN && height == DOWN {
        let mut d = vec![0f32; DOWN * DOWN];
        d.copy_from_slice(luma);
        d
    } else {
        blur_and_decimate(luma, height, width)
    };
    Ok(PdqFloat { coeffs: dct_64_to_16(&down), quality: quality_metric(&down) })
}

// ---------------------------------------------------------------------------------------------
// Jarosz filter and decimation
// ---------------------------------------------------------------------------------------------

/// Box-filter window for shrinking `old` samples to `new`: `ceil(old / (2 · new))`. Always
/// between 1 and `old` for `old ≥ 1`.
pub fn jarosz_window_size(old: usize, new: usize) -> usize {
    let den = 2 * new.max(1);
    old.div_ceil(den)
}

/// The three operations of a running-sum box filter, which [`box_steps`] calls in the
/// reference's order. Implementations filter one vector or several side by side (one running
/// sum each); they are marked `#[inline(always)]` so that the whole walk compiles to one loop
/// (through a closure or a non-inlined call, it kept a call per step).
trait BoxFilter {
    /// Adds input sample `i` to the running sum(s).
    fn add(&mut self, i: usize);
    /// Subtracts input sample `i` from the running sum(s).
    fn sub(&mut self, i: usize);
    /// Output sample `o` = running sum / `divisor` (the current window length, as `f32`).
    fn write(&mut self, o: usize, divisor: f32);
    /// One step of the full-window stretch: [`add`](Self::add) `i`, [`sub`](Self::sub) `j`,
    /// [`write`](Self::write) `o`. An implementation may fuse the three (one walk over its sums
    /// instead of three) as long as each running sum still gets the addition, then the
    /// subtraction, then the division.
    #[inline(always)]
    fn slide(&mut self, i: usize, j: usize, o: usize, divisor: f32) {
        self.add(i);
        self.sub(j);
        self.write(o, divisor);
    }
}

/// Drives a running-sum box filter of `window` over `n` samples: the window is centred (for an
/// even window, one more sample ahead than behind), shrinks at both ends, and each output is the
/// mean of the samples it covers. The order of additions, subtractions and divisions is the
/// reference's, which makes the floating-point results identical. Needs `1 ≤ window ≤ n`.
#[inline(always)]
fn box_steps(n: usize, window: usize, f: &mut impl BoxFilter) {
    let half = (window + 2) / 2; // 7 -> 4, 8 -> 5
    let lead_in = half - 1;
    let growing = window + 1 - half;
    let full = n.saturating_sub(window);
    let trailing = half - 1;
    let (mut li, mut ri, mut oi, mut count) = (0usize, 0usize, 0usize, 0usize);
    for _ in 0..lead_in {
        f.add(ri);
        count += 1;
        ri += 1;
    }
    for _ in 0..growing {
        f.add(ri);
        count += 1;
        f.write(oi, count as f32);
        ri += 1;
        oi += 1;
    }
    for _ in 0..full {
        f.slide(ri, li, oi, count as f32);
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..trailing {
        f.sub(li);
        count -= 1;
        f.write(oi, count as f32);
        li += 1;
        oi += 1;
    }
}

/// Where the decimation samples: `floor((k + 0.5) · n / 64)` for `k` in 0..64 (ascending).
fn sample_points(n: usize) -> [usize; DOWN] {
    let mut s = [0usize; DOWN];
    for (k, slot) in s.iter_mut().enumerate() {
        *slot = (((k as f64 + 0.5) * n as f64) / DOWN as f64) as usize;
    }
    s
}

/// Rows the row passes filter side by side: each row keeps its own running sum and goes through
/// exactly the scalar arithmetic of filtering it alone, but the sums of `LANES` rows advance
/// together in vector registers, so one row's add/subtract dependency chain no longer sets the
/// pace.
const LANES: usize = 8;

/// One position of a strip of [`LANES`] rows: `cell[k]` is the sample of the strip's row `k`.
type Lanes = [f32; LANES];

/// `sums[k] += x[k]` for every lane.
#[inline(always)]
fn lanes_add(sums: &mut Lanes, x: &Lanes) {
    for (acc, v) in sums.iter_mut().zip(x) {
        *acc += *v;
    }
}

/// `sums[k] -= x[k]` for every lane.
#[inline(always)]
fn lanes_sub(sums: &mut Lanes, x: &Lanes) {
    for (acc, v) in sums.iter_mut().zip(x) {
        *acc -= *v;
    }
}

/// `sums[k] / divisor` for every lane.
#[inline(always)]
fn lanes_div(sums: &Lanes, divisor: f32) -> Lanes {
    let mut q: Lanes = [0.0; LANES];
    for (y, acc) in q.iter_mut().zip(sums) {
        *y = *acc / divisor;
    }
    q
}

/// `sums[c] += x[c]` over a row.
#[inline(always)]
fn row_add(sums: &mut [f32], x: &[f32]) {
    for (acc, v) in sums.iter_mut().zip(x) {
        *acc += *v;
    }
}

/// `sums[c] -= x[c]` over a row.
#[inline(always)]
fn row_sub(sums: &mut [f32], x: &[f32]) {
    for (acc, v) in sums.iter_mut().zip(x) {
        *acc -= *v;
    }
}

/// Copies the first `n ≤ LANES` lanes of an interleaved strip (`strip[i][k]` is sample `i` of
/// row `k`, `cols` long) out as `n` rows of `rows` (row-major, `n × cols`).
fn store_strip(strip: &[Lanes], cols: usize, rows: &mut [f32]) {
    for (k, row) in rows.chunks_exact_mut(cols).enumerate() {
        for (y, cell) in row.iter_mut().zip(strip) {
            *y = cell[k];
        }
    }
}

/// Box filter along [`LANES`] rows side by side, read where they are (the input image), into an
/// interleaved strip (`out[i][k]` is output sample `i` of row `k`). Reading the lanes straight
/// from the rows costs about what transposing them into a strip first would, without the copy.
struct RowsSideBySide<'a> {
    rows: [&'a [f32]; LANES],
    sums: Lanes,
    out: &'a mut [Lanes],
}

impl BoxFilter for RowsSideBySide<'_> {
    #[inline(always)]
    fn add(&mut self, i: usize) {
        for (acc, row) in self.sums.iter_mut().zip(&self.rows) {
            *acc += row[i];
        }
    }
    #[inline(always)]
    fn sub(&mut self, i: usize) {
        for (acc, row) in self.sums.iter_mut().zip(&self.rows) {
            *acc -= row[i];
        }
    }
    #[inline(always)]
    fn write(&mut self, o: usize, divisor: f32) {
        // A whole vector store: scattering the lanes to the rows here instead makes the
        // compiler divide lane by lane.
        self.out[o] = lanes_div(&self.sums, divisor);
    }
}

/// Box filter along the rows of an interleaved strip keeping only the columns `keep`
/// (ascending, repeats allowed), into an interleaved strip of 64.
struct StripRowsSampled<'a> {
    strip: &'a [Lanes],
    sums: Lanes,
    keep: &'a [usize; DOWN],
    next: usize,
    out: &'a mut [Lanes; DOWN],
}

impl BoxFilter for StripRowsSampled<'_> {
    #[inline(always)]
    fn add(&mut self, i: usize) {
        lanes_add(&mut self.sums, &self.strip[i]);
    }
    #[inline(always)]
    fn sub(&mut self, i: usize) {
        lanes_sub(&mut self.sums, &self.strip[i]);
    }
    #[inline(always)]
    fn write(&mut self, o: usize, divisor: f32) {
        // Divide only where a sample is kept (most positions are not).
        if self.next < DOWN && self.keep[self.next] == o {
            let q = lanes_div(&self.sums, divisor);
            while self.next < DOWN && self.keep[self.next] == o {
                self.out[self.next] = q;
                self.next += 1;
            }
        }
    }
}

/// Filters `n ≤ LANES` consecutive rows of `cols` samples (`rows`, row-major, `n × cols`, at
/// least one) along their length into the first `n` lanes of `out` (`cols` long). The other
/// lanes get the first row's results again, never read.
fn filter_rows(rows: &[f32], cols: usize, window: usize, out: &mut [Lanes]) {
    let mut lanes: [&[f32]; LANES] = [&rows[..cols]; LANES];
    for (lane, row) in lanes.iter_mut().zip(rows.chunks_exact(cols)) {
        *lane = row;
    }
    let mut f = RowsSideBySide { rows: lanes, sums: [0.0; LANES], out };
    box_steps(cols, window, &mut f);
}

/// Filters an interleaved strip along its rows keeping the columns `keep`, into `out`.
fn filter_strip_sampled(strip: &[Lanes], window: usize, keep: &[usize; DOWN], out: &mut [Lanes; DOWN]) {
    let mut f = StripRowsSampled { strip, sums: [0.0; LANES], keep, next: 0, out };
    box_steps(strip.len(), window, &mut f);
}

/// The first pass along the rows, produced a strip at a time into a ring of rows that the first
/// pass down the columns consumes: row `r` sits in ring slot `r % slots`. Holding
/// `window + LANES` rows (rounded up to whole strips) is enough, because that column pass never
/// looks further back than `window` rows behind the newest row it adds.
struct RowRing {
    /// `slots × cols` filtered rows.
    rows: Vec<f32>,
    /// Rows the ring holds; a multiple of [`LANES`].
    slots: usize,
    /// The strip being filtered, interleaved (`cols` long).
    filtered: Vec<Lanes>,
}

impl RowRing {
    fn new(rows: usize, cols: usize, col_window: usize) -> Self {
        let slots = (col_window.div_ceil(LANES) + 1).min(rows.div_ceil(LANES)) * LANES;
        RowRing {
            rows: vec![0.0; slots * cols],
            slots,
            filtered: vec![[0.0; LANES]; cols],
        }
    }

    /// Filters rows `r0 .. r0 + LANES` (those that exist) of `luma` along their length into
    /// their ring slots. `r0` is a multiple of [`LANES`].
    fn fill(&mut self, luma: &[f32], r0: usize, window: usize) {
        let cols = self.filtered.len();
        let end = (r0 + LANES).min(luma.len() / cols);
        filter_rows(&luma[r0 * cols..end * cols], cols, window, &mut self.filtered);
        let base = (r0 % self.slots) * cols;
        store_strip(&self.filtered, cols, &mut self.rows[base..base + (end - r0) * cols]);
    }

    /// Row `r`, which must be one of the last `slots` rows filled.
    fn row(&self, r: usize) -> &[f32] {
        let cols = self.filtered.len();
        let at = (r % self.slots) * cols;
        &self.rows[at..at + cols]
    }
}

/// The fused middle of the filter: the first pass down the columns (all columns at once, one
/// running sum per column, walking the rows in order), pulling its input rows from a
/// [`RowRing`] and collecting its output rows a strip at a time, which the second pass along the
/// rows then filters (sampled) into `narrow`.
struct ColsThenRows<'a> {
    luma: &'a [f32],
    rows: usize,
    window_along_rows: usize,
    keep_cols: &'a [usize; DOWN],
    ring: RowRing,
    /// One running sum per column.
    sums: Vec<f32>,
    /// The last [`LANES`] output rows of the column pass, interleaved (`cols` long).
    strip: Vec<Lanes>,
    /// Its sampled second row pass, interleaved.
    sampled: [Lanes; DOWN],
    /// Second row pass, sampled: rows × 64.
    narrow: Vec<f32>,
}

impl BoxFilter for ColsThenRows<'_> {
    #[inline(always)]
    fn add(&mut self, r: usize) {
        self.fill_ring_for(r);
        row_add(&mut self.sums, self.ring.row(r));
    }
    #[inline(always)]
    fn sub(&mut self, r: usize) {
        row_sub(&mut self.sums, self.ring.row(r));
    }
    #[inline(always)]
    fn write(&mut self, o: usize, divisor: f32) {
        // Straight into the strip: the division vectorises across columns, the stores scatter.
        let lane = o % LANES;
        for (cell, acc) in self.strip.iter_mut().zip(&self.sums) {
            cell[lane] = *acc / divisor;
        }
        self.strip_written(o);
    }
    #[inline(always)]
    fn slide(&mut self, i: usize, j: usize, o: usize, divisor: f32) {
        // Fused: one walk over the sums, each column still adding, subtracting, dividing.
        self.fill_ring_for(i);
        let lane = o % LANES;
        let (added, removed) = (self.ring.row(i), self.ring.row(j));
        for (((acc, a), b), cell) in self.sums.iter_mut().zip(added).zip(removed).zip(self.strip.iter_mut()) {
            *acc += *a;
            *acc -= *b;
            cell[lane] = *acc / divisor;
        }
        self.strip_written(o);
    }
}

impl ColsThenRows<'_> {
    /// Before row `r` is added: rows are added in order from 0, so each strip of the first row
    /// pass is filtered into the ring just before its first row is needed.
    #[inline(always)]
    fn fill_ring_for(&mut self, r: usize) {
        if r.is_multiple_of(LANES) {
            self.ring.fill(self.luma, r, self.window_along_rows);
        }
    }

    /// After output row `o` went into the strip: runs the second pass when the strip is full
    /// or `o` is the last row.
    #[inline(always)]
    fn strip_written(&mut self, o: usize) {
        let lane = o % LANES;
        if lane == LANES - 1 || o == self.rows - 1 {
            self.second_pass(o - lane, lane + 1);
        }
    }

    /// Runs the sampled second row pass over the `n` collected rows starting at row `r0` (the
    /// first `n` lanes of the strip; the others hold older rows, filtered but not stored).
    fn second_pass(&mut self, r0: usize, n: usize) {
        filter_strip_sampled(&self.strip, self.window_along_rows, self.keep_cols, &mut self.sampled);
        store_strip(&self.sampled, DOWN, &mut self.narrow[r0 * DOWN..(r0 + n) * DOWN]);
    }
}

/// Box filter down each column of `input` (rows × cols), all columns at once, writing only the
/// output rows `keep` (ascending, repeats allowed) into `out` (64 × cols).
struct ColsSampled<'a> {
    input: &'a [f32],
    sums: Vec<f32>,
    keep: &'a [usize; DOWN],
    next: usize,
    out: &'a mut [f32],
}

impl BoxFilter for ColsSampled<'_> {
    #[inline(always)]
    fn add(&mut self, r: usize) {
        let cols = self.sums.len();
        row_add(&mut self.sums, &self.input[r * cols..(r + 1) * cols]);
    }
    #[inline(always)]
    fn sub(&mut self, r: usize) {
        let cols = self.sums.len();
        row_sub(&mut self.sums, &self.input[r * cols..(r + 1) * cols]);
    }
    #[inline(always)]
    fn write(&mut self, o: usize, divisor: f32) {
        let cols = self.sums.len();
        while self.next < DOWN && self.keep[self.next] == o {
            for (y, acc) in self.out[self.next * cols..(self.next + 1) * cols].iter_mut().zip(&self.sums) {
                *y = *acc / divisor;
            }
            self.next += 1;
        }
    }
}

/// Two-pass Jarosz tent filter, then sampling at the centres of a 64×64 grid, streamed:
///
/// 1. rows along their length, [`LANES`] rows at a time, into a small ring ([`RowRing`]);
/// 2. down the columns, all columns at once, each output row going straight into an
///    interleaved strip ([`ColsThenRows`]);
/// 3. each full strip along its rows again, keeping only the 64 sampled columns (rows × 64);
/// 4. down those 64 columns, keeping only the 64 sampled rows ([`ColsSampled`]).
///
/// The last two passes compute only the samples the decimation reads, but their running sums
/// still walk every pixel. Every sample goes through exactly the additions, subtractions and
/// division, in the same order, as when each row and column is filtered on its own with
/// [`box_steps`] over full-size intermediate images, so the values are those of the plain
/// two-pass filter, bit for bit; only a few rows are held at a time.
fn blur_and_decimate(luma: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let window_along_rows = jarosz_window_size(cols, DOWN);
    let window_along_cols = jarosz_window_size(rows, DOWN);
    let keep_cols = sample_points(cols);
    let keep_rows = sample_points(rows);

    let mut middle = ColsThenRows {
        luma,
        rows,
        window_along_rows,
        keep_cols: &keep_cols,
        ring: RowRing::new(rows, cols, window_along_cols),
        sums: vec![0.0; cols],
        strip: vec![[0.0; LANES]; cols],
        sampled: [[0.0; LANES]; DOWN],
        narrow: vec![0.0; rows * DOWN],
    };
    box_steps(rows, window_along_cols, &mut middle);

    let mut down = vec![0f32; DOWN * DOWN];
    let mut last = ColsSampled {
        input: &middle.narrow,
        sums: vec![0.0; DOWN],
        keep: &keep_rows,
        next: 0,
        out: &mut down,
    };
    box_steps(rows, window_along_cols, &mut last);
    down
}

// ---------------------------------------------------------------------------------------------
// Quality, DCT, median, bits
// ---------------------------------------------------------------------------------------------

/// The reference's image-domain quality heuristic on the 64×64 downsample.
fn quality_metric(d: &[f32]) -> u32 {
    let mut gradient_sum: u64 = 0;
    // Vertical neighbours, then horizontal ones (the order of the integer sum does not matter).
    for (upper, lower) in d.chunks_exact(DOWN).zip(d.chunks_exact(DOWN).skip(1)) {
        gradient_sum += gradient_steps(upper, lower);
    }
    for row in d.chunks_exact(DOWN) {
        gradient_sum += gradient_steps(&row[..DOWN - 1], &row[1..]);
    }
    (gradient_sum / 90).min(100) as u32
}

/// `Σ |trunc((u - v) · 100 / 255)|` over pairs of `us` and `vs` (at most 64 each; the
/// float-to-integer conversion saturating, as Rust's `as` does). Done in three separate loops
/// (quotients, conversions, sum) because each then vectorises; fused, the saturating
/// conversion keeps the loop scalar.
fn gradient_steps(us: &[f32], vs: &[f32]) -> u64 {
    let mut q = [0f32; DOWN];
    for ((y, u), v) in q.iter_mut().zip(us).zip(vs) {
        *y = ((u - v) * 100.0) / 255.0;
    }
    let mut steps = [0u32; DOWN];
    for (y, x) in steps.iter_mut().zip(&q) {
        *y = (*x as i32).unsigned_abs();
    }
    steps[..us.len().min(DOWN)].iter().map(|&x| u64::from(x)).sum()
}

/// The 16×64 DCT matrix `D`, row-major: `sqrt(2/64)` (as `f32`) times
/// `cos(π/128 · (i+1) · (2j+1))` in `f64`, rounded to `f32`.
static DCT_MATRIX: LazyLock<Vec<f32>> = LazyLock::new(|| {
    const PI: f64 = std::f64::consts::PI;
    let scale = (2.0 / DOWN as f64).sqrt() as f32;
    let mut m = vec![0f32; DCT * DOWN];
    for i in 0..DCT {
        for j in 0..DOWN {
            let angle = (PI / 2.0 / DOWN as f64) * (i + 1) as f64 * (2 * j + 1) as f64;
            m[i * DOWN + j] = (f64::from(scale) * angle.cos()) as f32;
        }
    }
    m
});

/// `Dᵀ` (64×16, row-major), for the second product.
static DCT_MATRIX_T: LazyLock<Vec<f32>> = LazyLock::new(|| {
    let mut m = vec![0f32; DOWN * DCT];
    for i in 0..DCT {
        for j in 0..DOWN {
            m[j * DCT + i] = DCT_MATRIX[i * DOWN + j];
        }
    }
    m
});

/// `B = D · A · Dᵀ` with `f32` accumulation in the reference's order: each entry is a sum from
/// `0.0` of products added in ascending `k`, as in the reference's inner loops. The loops are
/// ordered so that the innermost one runs across outputs (independent sums, which vectorise)
/// instead of along `k`.
fn dct_64_to_16(a: &[f32]) -> [f32; 256] {
    // T = D · A (16×64): T[i][j] = Σ_k D[i][k] · A[k][j].
    let mut t = [0f32; DCT * DOWN];
    for (trow, drow) in t.chunks_exact_mut(DOWN).zip(DCT_MATRIX.chunks_exact(DOWN)) {
        for (dk, arow) in drow.iter().zip(a.chunks_exact(DOWN)) {
            for (sum, ak) in trow.iter_mut().zip(arow) {
                *sum += dk * ak;
            }
        }
    }
    // B = T · Dᵀ (16×16): B[i][j] = Σ_k T[i][k] · D[j][k].
    let mut b = [0f32; DCT * DCT];
    for (brow, trow) in b.chunks_exact_mut(DCT).zip(t.chunks_exact(DOWN)) {
        for (tk, dtrow) in trow.iter().zip(DCT_MATRIX_T.chunks_exact(DCT)) {
            for (sum, dk) in brow.iter_mut().zip(dtrow) {
                *sum += tk * dk;
            }
        }
    }
    b
}

/// Torben Mogensen's median (as in the reference): for 256 values it returns a value with at
/// most 128 values below and at most 128 above. Needs finite values; bounded in iterations.
fn torben_median(m: &[f32; 256]) -> f32 {
    let n = m.len();
    let half = n.div_ceil(2);
    let (mut min, mut max) = (m[0], m[0]);
    for &x in &m[1..] {
        if x < min {
            min = x;
        }
        if x > max {
            max = x;
        }
    }
    let (mut less, mut equal, mut guess, mut max_lt, mut min_gt);
    // Each round drops at least one distinct value from [min, max]; 257 rounds always suffice.
    let mut rounds = 0;
    loop {
        guess = (min + max) / 2.0;
        less = 0usize;
        let mut greater = 0usize;
        equal = 0usize;
        max_lt = min;
        min_gt = max;
        for &x in m {
            if x < guess {
                less += 1;
                if x > max_lt {
                    max_lt = x;
                }
            } else if x > guess {
                greater += 1;
                if x < min_gt {
                    min_gt = x;
                }
            } else {
                equal += 1;
            }
        }
        rounds += 1;
        if (less <= half && greater <= half) || rounds > 4 * n {
            break;
        } else if less > greater {
            max = max_lt;
        } else {
            min = min_gt;
        }
    }
    if less >= half {
        max_lt
    } else if less + equal >= half {
        guess
    } else {
        min_gt
    }
}

fn bits_from_coeffs(c: &[f32; 256]) -> Result<[u8; 32], PdqError> {
    if c.iter().any(|x| !x.is_finite()) {
        return Err(PdqError::NonFinite);
    }
    let median = torben_median(c);
    let mut hash = [0u8; 32];
    for (k, &x) in c.iter().enumerate() {
        if x > median {
            hash[31 - k / 8] |= 1 << (k % 8);
        }
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small deterministic generator (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// A photo-like RGB image: smooth blobs of colour, a few hard-edged shapes, mild noise.
    fn scene(seed: u64, w: usize, h: usize) -> Vec<u8> {
        let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let blobs: Vec<[f64; 6]> = (0..12)
            .map(|_| [r.unit(), r.unit(), 0.05 + 0.3 * r.unit(), r.unit(), r.unit(), r.unit()])
            .collect();
        let rects: Vec<[f64; 5]> = (0..40).map(|_| [r.unit(), r.unit(), 0.02 + 0.2 * r.unit(), 0.02 + 0.2 * r.unit(), r.unit()]).collect();
        let (fx0, fy0, ph) = (2.0 + 6.0 * r.unit(), 2.0 + 6.0 * r.unit(), 6.0 * r.unit());
        let mut out = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let (fx, fy) = (x as f64 / w as f64, y as f64 / h as f64);
                let mut c = [60.0f64, 60.0, 60.0];
                for b in &blobs {
                    let d2 = ((fx - b[0]).powi(2) + (fy - b[1]).powi(2)) / (b[2] * b[2]);
                    let g = (-d2).exp();
                    for (ch, v) in c.iter_mut().enumerate() {
                        *v += g * 180.0 * (b[3 + ch] - 0.4);
                    }
                }
                for q in &rects {
                    if fx > q[0] && fx < q[0] + q[2] && fy > q[1] && fy < q[1] + q[3] {
                        for v in c.iter_mut() {
                            *v = 0.5 * *v + 120.0 * q[4];
                        }
                    }
                }
                // Texture: a plaid whose amplitude varies over the picture.
                let tex = 25.0 * (fx * fx0 * 6.3 + ph).sin() * (fy * fy0 * 6.3).cos() * (fx + fy - 0.6).max(0.0);
                for v in c.iter_mut() {
                    *v += tex;
                }
                let noise = (r.unit() - 0.5) * 6.0;
                for v in c {
                    out.push((v + noise).round().clamp(0.0, 255.0) as u8);
                }
            }
        }
        out
    }

    fn hash_rgb(rgb: &[u8], w: usize, h: usize) -> Pdq {
        pdq_from_rgb8(rgb, w, h).expect("hashable")
    }

    /// Box-average downscale by an integer factor.
    fn shrink(rgb: &[u8], w: usize, h: usize, f: usize) -> (Vec<u8>, usize, usize) {
        let (nw, nh) = (w / f, h / f);
        let mut out = Vec::with_capacity(nw * nh * 3);
        for y in 0..nh {
            for x in 0..nw {
                for ch in 0..3 {
                    let mut s = 0u32;
                    for dy in 0..f {
                        for dx in 0..f {
                            s += u32::from(rgb[((y * f + dy) * w + x * f + dx) * 3 + ch]);
                        }
                    }
                    out.push(((s as f64) / (f * f) as f64).round() as u8);
                }
            }
        }
        (out, nw, nh)
    }

    #[test]
    fn same_image_same_hash() {
        let img = scene(1, 320, 240);
        let a = hash_rgb(&img, 320, 240);
        let b = hash_rgb(&img.clone(), 320, 240);
        assert_eq!(a, b);
        assert_eq!(a.to_hex().len(), 64);
        assert!(a.quality >= MIN_USEFUL_QUALITY, "quality {}", a.quality);
        // About half of the bits are set (median threshold).
        let ones: u32 = a.hash.iter().map(|b| b.count_ones()).sum();
        assert!((120..=136).contains(&ones), "{ones} bits set");
    }

    #[test]
    fn resized_copy_is_close() {
        let (w, h) = (640, 480);
        let img = scene(2, w, h);
        let a = hash_rgb(&img, w, h);
        let (small, sw, sh) = shrink(&img, w, h, 4);
        let b = hash_rgb(&small, sw, sh);
        let d = hamming(&a.hash, &b.hash);
        assert!(d <= 16, "distance original vs 1/4 copy: {d}");
    }

    #[test]
    fn jpeg_reencoded_copy_is_close() {
        use image::ImageEncoder;
        let (w, h) = (400, 300);
        let img = scene(3, w, h);
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 60)
            .write_image(&img, w as u32, h as u32, image::ExtendedColorType::Rgb8)
            .expect("encode");
        let back = image::load_from_memory(&jpeg).expect("decode").to_rgb8();
        let b = hash_rgb(back.as_raw(), w, h);
        let a = hash_rgb(&img, w, h);
        let d = hamming(&a.hash, &b.hash);
        assert!(d <= 16, "distance original vs JPEG q60: {d}");
    }

    #[test]
    fn different_images_are_far() {
        let (w, h) = (300, 200);
        let hashes: Vec<Pdq> = (10..16).map(|s| hash_rgb(&scene(s, w, h), w, h)).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                let d = hamming(&a.hash, &b.hash);
                assert!(d > MATCH_DISTANCE + 20, "unrelated images at distance {d}");
            }
        }
    }

    #[test]
    fn flat_image_has_low_quality() {
        for v in [0.0f32, 17.5, 255.0] {
            let p = pdq_from_luma(&vec![v; 100 * 80], 100, 80);
            assert_eq!(p.quality, 0);
            assert!(!p.is_useful());
        }
        // Nearly flat: a faint gradient stays under the usefulness threshold.
        let luma: Vec<f32> = (0..200 * 150).map(|i| 100.0 + (i % 200) as f32 * 0.05).collect();
        let p = pdq_from_luma(&luma, 200, 150);
        assert!(p.quality < MIN_USEFUL_QUALITY, "quality {}", p.quality);
    }

    #[test]
    fn tiny_and_malformed_input_gives_empty_without_panic() {
        assert_eq!(pdq_from_luma(&[], 0, 0), Pdq::EMPTY);
        assert_eq!(pdq_from_luma(&[7.0], 1, 1), Pdq::EMPTY);
        assert_eq!(pdq_from_luma(&[7.0; 16], 4, 4), Pdq::EMPTY);
        assert_eq!(pdq_from_luma(&[7.0; 5 * 200], 200, 5).quality, 0); // hashable but flat
        assert_eq!(try_pdq_from_luma(&[7.0; 16], 4, 4), Err(PdqError::TooSmall { width: 4, height: 4 }));
        assert!(matches!(try_pdq_from_luma(&[7.0; 10], 4, 4), Err(PdqError::BufferSize { .. })));
        assert!(matches!(try_pdq_from_luma(&[], usize::MAX, 2), Err(PdqError::BufferSize { .. })));
        assert!(matches!(pdq_from_rgb8(&[1, 2, 3, 4], 1, 1), Err(PdqError::BufferSize { channels: 3, .. })));
        assert!(matches!(pdq_from_rgb8(&[], 0, 0), Err(PdqError::TooSmall { .. })));
        assert!(luma_from_rgb8(&[1, 2], 1, 1).is_empty());
        // Every small size hashes without panicking, from 1x1 up.
        let mut r = Rng(5);
        for h in 1..12 {
            for w in [1usize, 2, 3, 4, 5, 6, 7, 63, 64, 65, 127, 128, 129, 200] {
                let luma: Vec<f32> = (0..w * h).map(|_| (r.unit() * 255.0) as f32).collect();
                let p = pdq_from_luma(&luma, w, h);
                let f = pdq_float_from_luma(&luma, w, h).expect("float path takes any size");
                if w < MIN_HASHABLE_DIM || h < MIN_HASHABLE_DIM {
                    assert_eq!(p, Pdq::EMPTY);
                } else {
                    assert_eq!(p, f.to_pdq().expect("finite"));
                }
            }
        }
    }

    #[test]
    fn non_finite_input_does_not_hang() {
        let mut luma = vec![50.0f32; 100 * 100];
        luma[5050] = f32::NAN;
        assert_eq!(try_pdq_from_luma(&luma, 100, 100), Err(PdqError::NonFinite));
        luma[5050] = f32::INFINITY;
        assert_eq!(pdq_from_luma(&luma, 100, 100), Pdq::EMPTY);
    }

    #[test]
    fn window_sizes_match_reference_formula() {
        // (old + 2·64 − 1) / (2·64)
        for (old, w) in [(1, 1), (64, 1), (128, 1), (129, 2), (500, 4), (1024, 8), (4000, 32), (3000, 24)] {
            assert_eq!(jarosz_window_size(old, 64), w, "old {old}");
        }
    }

    #[test]
    fn box_filter_matches_direct_means() {
        // The running-sum schedule against a plain mean over the clipped window, exact on
        // small integers.
        for n in 1..40 {
            for window in 1..=n {
                let v: Vec<f32> = (0..n).map(|i| ((i * 7) % 11) as f32).collect();
                // One row, alone in a strip (its first lane).
                let mut filtered = vec![[0f32; LANES]; n];
                filter_rows(&v, n, window, &mut filtered);
                let out: Vec<f32> = filtered.iter().map(|cell| cell[0]).collect();
                let behind = (window - 1) / 2; // samples before the centre
                let ahead = window / 2; // samples after it
                for (o, got) in out.iter().enumerate() {
                    let lo = o.saturating_sub(behind);
                    let hi = (o + ahead).min(n - 1);
                    let s: f32 = v[lo..=hi].iter().sum();
                    let want = s / (hi - lo + 1) as f32;
                    assert!((got - want).abs() < 1e-4, "n {n} w {window} o {o}: {got} vs {want}");
                }
            }
        }
    }

    #[test]
    fn torben_returns_a_middle_value() {
        let mut r = Rng(9);
        for _ in 0..50 {
            let mut m = [0f32; 256];
            for x in m.iter_mut() {
                *x = (r.unit() * 1000.0 - 500.0) as f32;
            }
            let med = torben_median(&m);
            let mut s = m;
            s.sort_by(f32::total_cmp);
            assert!(med == s[127] || med == s[128], "{med} not in [{}, {}]", s[127], s[128]);
        }
        assert_eq!(torben_median(&[3.0; 256]), 3.0);
    }

    #[test]
    fn bit_order_and_hex_follow_the_reference() {
        // Bit k sits in word k/16 at bit k%16; words print from 15 down to 0.
        let mut c = [0f32; 256];
        c[0] = 10.0; // bit 0 → last hex digit "1"
        c[17] = 10.0; // word 1, bit 1 → "0002" just before the last word
        c[255] = 10.0; // word 15, bit 15 → first digit "8"
        let hash = bits_from_coeffs(&c).expect("finite");
        let p = Pdq { hash, quality: 0 };
        let hex = p.to_hex();
        assert_eq!(&hex[..4], "8000");
        assert_eq!(&hex[56..], "00020001");
        assert!(p.bit(0) && p.bit(17) && p.bit(255) && !p.bit(1) && !p.bit(256));
        assert_eq!(hash_from_hex(&hex.to_uppercase()), Ok(hash));
        assert!(hash_from_hex("abc").is_err());
        assert_eq!(p.to_string(), hex);
    }

    #[test]
    fn hamming_counts_differing_bits() {
        let a = [0u8; 32];
        let mut b = [0u8; 32];
        assert_eq!(hamming(&a, &b), 0);
        b[0] = 0xff;
        b[31] = 0x01;
        assert_eq!(hamming(&a, &b), 9);
        assert_eq!(hamming(&[0xff; 32], &a), 256);
    }

    #[test]
    fn sixty_four_square_input_is_used_as_is() {
        let mut r = Rng(11);
        let luma: Vec<f32> = (0..64 * 64).map(|_| (r.unit() * 255.0) as f32).collect();
        let f = pdq_float_from_luma(&luma, 64, 64).expect("ok");
        assert_eq!(f.coeffs, dct_64_to_16(&luma));
        assert_eq!(f.quality, quality_metric(&luma));
    }

    #[test]
    fn dihedral_variants_match_transformed_images() {
        let (w, h) = (320, 320);
        let img = scene(21, w, h);
        let luma = luma_from_rgb8(&img, w, h);
        let all = try_pdq_dihedral_from_luma(&luma, w, h).expect("hashable");
        assert_eq!(all[0].hash, pdq_from_luma(&luma, w, h).hash);
        let at = |x: usize, y: usize| luma[y * w + x];
        // Square, and a size (320 = 5·64, odd window 3) where the filter and the sampling grid are
        // mirror-symmetric, so each variant equals the hash of the transformed pixels exactly.
        type Source = fn(usize, usize, usize) -> (usize, usize);
        let transforms: [(usize, Source); 7] = [
            (1, |x, y, n| (n - 1 - y, x)),         // rotate 90° counter-clockwise: source of (x, y)
            (2, |x, y, n| (n - 1 - x, n - 1 - y)), // rotate 180°
            (3, |x, y, n| (y, n - 1 - x)),         // rotate 90° clockwise (270° counter-clockwise)
            (4, |x, y, n| (x, n - 1 - y)),         // flip X (upside down)
            (5, |x, y, n| (n - 1 - x, y)),         // flip Y (mirror)
            (6, |x, y, _| (y, x)),                 // transpose
            (7, |x, y, n| (n - 1 - y, n - 1 - x)), // anti-transpose
        ];
        for (idx, src) in transforms {
            let t: Vec<f32> = (0..w * h)
                .map(|i| {
                    let (sx, sy) = src(i % w, i / w, w);
                    at(sx, sy)
                })
                .collect();
            let direct = pdq_from_luma(&t, w, h);
            let d = hamming(&direct.hash, &all[idx].hash);
            assert_eq!(d, 0, "variant {idx}: distance {d} to the hash of the transformed image");
        }
    }

    // -----------------------------------------------------------------------------------------
    // Frozen copy of the first (straightforward) implementation of the filter and decimation,
    // the DCT and the quality metric: the optimised code must reproduce it bit for bit.
    // -----------------------------------------------------------------------------------------

    /// One step of the reference box filter schedule.
    #[derive(Clone, Copy)]
    enum Step {
        Add(usize),
        Sub(usize),
        Write(usize, f32),
    }

    /// Reference running-sum box filter schedule ([`box_steps`] as first written).
    fn reference_box_steps(n: usize, window: usize, mut f: impl FnMut(Step)) {
        let half = (window + 2) / 2;
        let lead_in = half - 1;
        let growing = window + 1 - half;
        let full = n.saturating_sub(window);
        let trailing = half - 1;
        let (mut li, mut ri, mut oi, mut count) = (0usize, 0usize, 0usize, 0usize);
        for _ in 0..lead_in {
            f(Step::Add(ri));
            count += 1;
            ri += 1;
        }
        for _ in 0..growing {
            f(Step::Add(ri));
            count += 1;
            f(Step::Write(oi, count as f32));
            ri += 1;
            oi += 1;
        }
        for _ in 0..full {
            f(Step::Add(ri));
            f(Step::Sub(li));
            f(Step::Write(oi, count as f32));
            li += 1;
            ri += 1;
            oi += 1;
        }
        for _ in 0..trailing {
            f(Step::Sub(li));
            count -= 1;
            f(Step::Write(oi, count as f32));
            li += 1;
            oi += 1;
        }
    }

    fn reference_sample_points(n: usize) -> [usize; DOWN] {
        let mut s = [0usize; DOWN];
        for (k, slot) in s.iter_mut().enumerate() {
            *slot = (((k as f64 + 0.5) * n as f64) / DOWN as f64) as usize;
        }
        s
    }

    fn reference_box_rows(input: &[f32], out: &mut [f32], cols: usize, window: usize) {
        for (row_in, row_out) in input.chunks_exact(cols).zip(out.chunks_exact_mut(cols)) {
            let mut sum = 0f32;
            reference_box_steps(cols, window, |s| match s {
                Step::Add(i) => sum += row_in[i],
                Step::Sub(i) => sum -= row_in[i],
                Step::Write(o, d) => row_out[o] = sum / d,
            });
        }
    }

    fn reference_box_rows_sampled(input: &[f32], out: &mut [f32], cols: usize, window: usize, keep: &[usize; DOWN]) {
        for (row_in, row_out) in input.chunks_exact(cols).zip(out.chunks_exact_mut(DOWN)) {
            let mut sum = 0f32;
            let mut next = 0usize;
            reference_box_steps(cols, window, |s| match s {
                Step::Add(i) => sum += row_in[i],
                Step::Sub(i) => sum -= row_in[i],
                Step::Write(o, d) => {
                    while next < DOWN && keep[next] == o {
                        row_out[next] = sum / d;
                        next += 1;
                    }
                }
            });
        }
    }

    fn reference_box_cols(
        input: &[f32],
        out: &mut [f32],
        rows: usize,
        cols: usize,
        window: usize,
        keep: Option<&[usize; DOWN]>,
    ) {
        let mut sums = vec![0f32; cols];
        let mut next = 0usize;
        reference_box_steps(rows, window, |s| match s {
            Step::Add(r) => {
                for (acc, x) in sums.iter_mut().zip(&input[r * cols..(r + 1) * cols]) {
                    *acc += *x;
                }
            }
            Step::Sub(r) => {
                for (acc, x) in sums.iter_mut().zip(&input[r * cols..(r + 1) * cols]) {
                    *acc -= *x;
                }
            }
            Step::Write(o, d) => match keep {
                None => {
                    for (y, acc) in out[o * cols..(o + 1) * cols].iter_mut().zip(&sums) {
                        *y = *acc / d;
                    }
                }
                Some(keep) => {
                    while next < DOWN && keep[next] == o {
                        for (y, acc) in out[next * cols..(next + 1) * cols].iter_mut().zip(&sums) {
                            *y = *acc / d;
                        }
                        next += 1;
                    }
                }
            },
        });
    }

    fn reference_blur_and_decimate(luma: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let window_along_rows = jarosz_window_size(cols, DOWN);
        let window_along_cols = jarosz_window_size(rows, DOWN);
        let keep_cols = reference_sample_points(cols);
        let keep_rows = reference_sample_points(rows);
        // First pass in full (rows, then columns), second pass sampled.
        let mut a = vec![0f32; rows * cols];
        let mut b = vec![0f32; rows * cols];
        reference_box_rows(luma, &mut b, cols, window_along_rows);
        reference_box_cols(&b, &mut a, rows, cols, window_along_cols, None);
        let mut narrow = vec![0f32; rows * DOWN];
        reference_box_rows_sampled(&a, &mut narrow, cols, window_along_rows, &keep_cols);
        let mut down = vec![0f32; DOWN * DOWN];
        reference_box_cols(&narrow, &mut down, rows, DOWN, window_along_cols, Some(&keep_rows));
        down
    }

    fn reference_quality_metric(d: &[f32]) -> u32 {
        let step = |u: f32, v: f32| -> i64 {
            let q = ((u - v) * 100.0) / 255.0;
            i64::from((q as i32).unsigned_abs())
        };
        let mut gradient_sum: i64 = 0;
        for i in 0..DOWN - 1 {
            for j in 0..DOWN {
                gradient_sum += step(d[i * DOWN + j], d[(i + 1) * DOWN + j]);
            }
        }
        for i in 0..DOWN {
            for j in 0..DOWN - 1 {
                gradient_sum += step(d[i * DOWN + j], d[i * DOWN + j + 1]);
            }
        }
        (gradient_sum / 90).clamp(0, 100) as u32
    }

    fn reference_dct_64_to_16(a: &[f32]) -> [f32; 256] {
        // The matrix itself was not changed: the reference multiplies by the same one.
        let d: &[f32] = &DCT_MATRIX;
        let mut t = [0f32; DCT * DOWN];
        for i in 0..DCT {
            let drow = &d[i * DOWN..(i + 1) * DOWN];
            for j in 0..DOWN {
                let mut sum = 0f32;
                for (k, dk) in drow.iter().enumerate() {
                    sum += dk * a[k * DOWN + j];
                }
                t[i * DOWN + j] = sum;
            }
        }
        let mut b = [0f32; 256];
        for i in 0..DCT {
            let trow = &t[i * DOWN..(i + 1) * DOWN];
            for j in 0..DCT {
                let drow = &d[j * DOWN..(j + 1) * DOWN];
                let mut sum = 0f32;
                for (tk, dk) in trow.iter().zip(drow) {
                    sum += tk * dk;
                }
                b[i * DCT + j] = sum;
            }
        }
        b
    }

    fn reference_luma_from_rgb8(rgb: &[u8]) -> Vec<f32> {
        let [kr, kg, kb] = LUMA_WEIGHTS;
        rgb.chunks_exact(3)
            .map(|p| (f64::from(p[0]) * kr + f64::from(p[1]) * kg + f64::from(p[2]) * kb) as f32)
            .collect()
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Varied luminance: uniform noise, smooth gradients with noise, hard steps, large and tiny
    /// magnitudes (so rounding in the running sums matters), chosen by `kind`.
    fn varied_luma(r: &mut Rng, kind: usize, w: usize, h: usize) -> Vec<f32> {
        let (fx, fy) = (r.unit() * 0.2, r.unit() * 0.2);
        (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f64, (i / w) as f64);
                let v = match kind % 5 {
                    0 => r.unit() * 255.0,
                    1 => 127.5 + 100.0 * (x * fx).sin() * (y * fy).cos() + 10.0 * r.unit(),
                    2 => {
                        if (x as usize / 7 + y as usize / 5).is_multiple_of(2) {
                            250.0 + r.unit()
                        } else {
                            r.unit() * 3.0
                        }
                    }
                    3 => r.unit() * 1.0e-3 + if r.unit() < 0.01 { 1.0e6 } else { 0.0 },
                    _ => f64::from((r.next() % 256) as u8) * 0.299 + r.unit() * 0.587,
                };
                v as f32
            })
            .collect()
    }

    /// The sizes the identity test covers: all small sizes, both sides of every window change
    /// near 64 and 128, photo-like sizes and long thin strips.
    fn identity_sizes() -> Vec<(usize, usize)> {
        let mut sizes = Vec::new();
        for h in 1..=9 {
            for w in 1..=70 {
                sizes.push((w, h));
                sizes.push((h, w));
            }
        }
        let edges = [1, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257];
        for &w in &edges {
            for &h in &edges {
                sizes.push((w, h));
            }
        }
        for big in [383, 384, 385] {
            for small in [1, 8, 9, 64, 65] {
                sizes.push((big, small));
                sizes.push((small, big));
            }
        }
        sizes.extend([
            (500, 375),
            (375, 500),
            (250, 187),
            (187, 250),
            (4000, 1),
            (1, 4000),
            (4000, 3),
            (3, 4000),
            (700, 700),
            (699, 523),
            (640, 480),
            (1000, 10),
            (10, 1000),
            (320, 320),
            (123, 457),
            (611, 97),
        ]);
        let mut r = Rng(77);
        for _ in 0..30 {
            sizes.push((1 + (r.next() % 700) as usize, 1 + (r.next() % 700) as usize));
        }
        sizes
    }

    #[test]
    fn optimised_filter_is_bit_identical_to_the_reference() {
        let mut r = Rng(2024);
        for (n, (w, h)) in identity_sizes().into_iter().enumerate() {
            let luma = varied_luma(&mut r, n, w, h);
            let want = reference_blur_and_decimate(&luma, h, w);
            let got = blur_and_decimate(&luma, h, w);
            assert_eq!(bits(&got), bits(&want), "{w}x{h} (kind {}): downsample differs", n % 5);
            let filtered = PdqFloat { coeffs: reference_dct_64_to_16(&want), quality: reference_quality_metric(&want) };
            let f = pdq_float_from_luma(&luma, w, h).expect("any size from 1x1");
            let reference = if w == DOWN && h == DOWN {
                PdqFloat { coeffs: reference_dct_64_to_16(&luma), quality: reference_quality_metric(&luma) }
            } else {
                filtered.clone()
            };
            assert_eq!(bits(&f.coeffs), bits(&reference.coeffs), "{w}x{h}: coefficients differ");
            assert_eq!(f.quality, reference.quality, "{w}x{h}: quality differs");
            if w >= MIN_HASHABLE_DIM && h >= MIN_HASHABLE_DIM {
                // The dihedral path filters even a 64x64 input.
                let got = try_pdq_dihedral_from_luma(&luma, w, h).expect("hashable");
                assert_eq!(got[0], filtered.to_pdq().expect("finite"), "{w}x{h}: dihedral hash differs");
            }
        }
    }

    #[test]
    fn optimised_dct_and_quality_match_the_reference_on_extreme_values() {
        let mut r = Rng(99);
        let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1.0e30, -1.0e30, 3.0e9, -3.0e9, -0.0, f32::MIN_POSITIVE];
        for round in 0..50 {
            let d: Vec<f32> = (0..DOWN * DOWN)
                .map(|_| {
                    if r.unit() < 0.05 * (round % 5) as f64 {
                        specials[(r.next() % specials.len() as u64) as usize]
                    } else {
                        ((r.unit() - 0.5) * 10f64.powi((r.next() % 12) as i32)) as f32
                    }
                })
                .collect();
            assert_eq!(quality_metric(&d), reference_quality_metric(&d), "round {round}");
            if d.iter().all(|x| x.is_finite()) {
                assert_eq!(bits(&dct_64_to_16(&d)), bits(&reference_dct_64_to_16(&d)), "round {round}");
            }
        }
    }

    #[test]
    fn optimised_luma_is_bit_identical_to_the_reference() {
        let mut r = Rng(31);
        for (w, h) in [(1, 1), (2, 3), (7, 5), (64, 64), (500, 375), (4000, 1), (33, 17)] {
            let rgb: Vec<u8> = (0..w * h * 3).map(|_| (r.next() % 256) as u8).collect();
            assert_eq!(bits(&luma_from_rgb8(&rgb, w, h)), bits(&reference_luma_from_rgb8(&rgb)), "{w}x{h}");
        }
        // Every 8-bit triple, 65536 at a time.
        for r in 0..=255u8 {
            let rgb: Vec<u8> = (0..=255u8).flat_map(|g| (0..=255u8).flat_map(move |b| [r, g, b])).collect();
            assert!(bits(&luma_from_rgb8(&rgb, 256, 256)) == bits(&reference_luma_from_rgb8(&rgb)), "red {r}");
        }
    }

    /// Timing, not a check: `cargo test --release --lib media::pdq::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing() {
        use std::time::Instant;
        for (w, h) in [(500, 375), (250, 187)] {
            let rgb = scene(4, w, h);
            let luma = luma_from_rgb8(&rgb, w, h);
            let mut best = [f64::INFINITY; 3];
            for _ in 0..30 {
                let t = Instant::now();
                for _ in 0..20 {
                    std::hint::black_box(pdq_from_rgb8(std::hint::black_box(&rgb), w, h).expect("ok"));
                }
                best[0] = best[0].min(t.elapsed().as_secs_f64() / 20.0);
                let t = Instant::now();
                for _ in 0..20 {
                    std::hint::black_box(pdq_float_from_luma(std::hint::black_box(&luma), w, h).expect("ok"));
                }
                best[1] = best[1].min(t.elapsed().as_secs_f64() / 20.0);
                let t = Instant::now();
                for _ in 0..20 {
                    std::hint::black_box(luma_from_rgb8(std::hint::black_box(&rgb), w, h));
                }
                best[2] = best[2].min(t.elapsed().as_secs_f64() / 20.0);
            }
            println!(
                "{w}x{h}: pdq_from_rgb8 {:.3} ms, pdq_float_from_luma {:.3} ms, luma_from_rgb8 {:.3} ms",
                best[0] * 1e3,
                best[1] * 1e3,
                best[2] * 1e3
            );
        }
        let down = blur_and_decimate(&luma_from_rgb8(&scene(4, 500, 375), 500, 375), 375, 500);
        let (mut dct, mut quality) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..30 {
            let t = Instant::now();
            for _ in 0..100 {
                std::hint::black_box(dct_64_to_16(std::hint::black_box(&down)));
            }
            dct = dct.min(t.elapsed().as_secs_f64() / 100.0);
            let t = Instant::now();
            for _ in 0..100 {
                std::hint::black_box(quality_metric(std::hint::black_box(&down)));
            }
            quality = quality.min(t.elapsed().as_secs_f64() / 100.0);
        }
        println!("64x64: dct_64_to_16 {:.1} µs, quality_metric {:.1} µs", dct * 1e6, quality * 1e6);
    }
}
