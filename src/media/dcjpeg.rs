//! A baseline JPEG decoder that produces the 1/8-scale image only, pixel for pixel what
//! libjpeg-turbo (TurboJPEG, default flags: "fancy" upsampling requested, accurate integer DCT,
//! RGB output) gives at scaling factor 1/8.
//!
//! At 1/8 scale every 8×8 block of a component is reduced to one pixel: libjpeg-turbo's
//! `jpeg_idct_1x1` is `range_limit[DESCALE(DC × Q[0], 3)]`, so only the DC coefficients matter.
//! The Huffman data of every AC coefficient must still be read to find where the next block
//! starts, and that is where nearly all of libjpeg-turbo's time goes. This decoder keeps the DC
//! (with its predictor) and *skips* AC coefficients through a table indexed by the next
//! [`SKIP_LOOKAHEAD`] bits: one entry gives the total number of bits (codes and magnitude bits) of
//! all the run/size symbols that fit in the window, how far they advance in the block, and
//! whether an end-of-block was among them, so a typical block costs a few table look-ups instead
//! of one Huffman decode + one bit extraction + one sign extension per coefficient. The bit
//! reader is a 64-bit buffer refilled 4–7 bytes at a time when the next 8 bytes hold no `0xFF`
//! (one word test), byte by byte (stuffing, fill bytes, markers) otherwise.
//!
//! What libjpeg-turbo does at 1/8 that this follows exactly (see `jdmaster.c`, `jdsample.c`,
//! `jidctred.c`, `jdcolor.c` of libjpeg-turbo 3.1):
//! * A component sampled below the maximum is scaled *up by the IDCT* where the sampling ratio
//!   allows (`jpeg_calc_output_dimensions`): in 4:2:0 the chroma blocks go through the 2×2
//!   reduced IDCT (`jpeg_idct_2x2`, which uses the AC coefficients of rows/columns 0, 1, 3, 5, 7),
//!   so those blocks decode their AC values; [`Idct2x2`] reproduces the SSE2 version that
//!   libjpeg-turbo runs on x86-64 (16-bit dequantisation, saturation), which equals the C version
//!   on any data a real encoder produces. 4:2:2, 4:4:0, 4:1:1 … chroma stays 1×1 per block.
//! * "Fancy" upsampling is off at 1/8 (`do_fancy = do_fancy_upsampling && min_DCT_scaled_size > 1`),
//!   so the remaining upsampling is plain replication.
//! * YCbCr → RGB with the fixed-point tables of `jdcolor.c` (the SIMD versions are bit-exact).
//!
//! Handled: SOF0/SOF1 (8-bit Huffman sequential), 1 component (grey, output as RGB) or 3
//! components in YCbCr (by JFIF, Adobe transform 1, or component ids) with any sampling factors
//! 1–4 whose 1/8-scale layout libjpeg-turbo builds with IDCT sizes 1×1 and 2×2; one scan with every
//! component (for a grey image that is the non-interleaved scan); 8- and 16-bit DQT; DRI and RSTn;
//! byte stuffing and fill bytes; APPn/COM skipped.
//!
//! Not handled — [`DcError::NotHandled`], the caller uses libjpeg-turbo: progressive, lossless,
//! arithmetic-coded, 12-bit, 2 or 4 components (CMYK), RGB-coded 3-component files, several scans,
//! missing Huffman tables (Motion-JPEG), IDCT sizes above 2×2 (e.g. 4×4 luma with 1×1 chroma).
//!
//! Anything libjpeg-turbo would warn about (and TurboJPEG would then report as an error: a
//! truncated scan, a bad Huffman code, extra bytes before a marker, a wrong restart marker, no EOI,
//! a JFIF major version other than 1, ICC_PROFILE chunks that `jpeg_read_icc_profile` rejects …)
//! gives [`DcError::Corrupt`] instead of an image, so the caller's
//! fallback (libjpeg-turbo, then `jpeg-decoder`) decides exactly as before. The decoder never
//! panics on hostile data: every read is bounds-checked or masked into a fixed-size table, and
//! arithmetic that libjpeg-turbo lets wrap wraps here explicitly.
//!
//! Measured on the benchmark corpus (12 MP, 4:2:0, q92, 2.28 MB): about 10.4 ms per image against
//! libjpeg-turbo's 18.6 ms, the same pixels on all 60 images; `tests/dcjpeg.rs` compares both
//! decoders on many encodings, Pillow's odd JPEGs and thousands of damaged files.

use std::fmt;

use image::RgbImage;

/// Bits of look-ahead of the DC table (code + magnitude bits together when they fit).
const DC_LOOKAHEAD: u32 = 9;
/// Bits of look-ahead of the AC skip table.
pub const SKIP_LOOKAHEAD: u32 = 13;
// `skip_ac` makes two look-ups per refill check: the 32 bits `ensure` guarantees must hold two.
const _: () = assert!(2 * SKIP_LOOKAHEAD <= 32);
/// Bits of look-ahead of the AC value table (blocks whose AC coefficients are needed).
pub const VAL_LOOKAHEAD: u32 = 11;

/// Why no image came out: the caller falls back to libjpeg-turbo either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DcError {
    /// A JPEG this decoder leaves to libjpeg-turbo (or 1/8 is not the scale wanted).
    NotHandled(String),
    /// Damaged or inconsistent data, or anything libjpeg-turbo would warn about.
    Corrupt(String),
}

impl fmt::Display for DcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DcError::NotHandled(s) => write!(f, "not handled by the DC decoder: {s}"),
            DcError::Corrupt(s) => write!(f, "JPEG (DC decoder): {s}"),
        }
    }
}

impl std::error::Error for DcError {}

fn corrupt<T>(s: impl Into<String>) -> Result<T, DcError> {
    Err(DcError::Corrupt(s.into()))
}

fn not_handled<T>(s: impl Into<String>) -> Result<T, DcError> {
    Err(DcError::NotHandled(s.into()))
}

/// The 1/8-scale image and the size of the original.
#[derive(Debug, Clone)]
pub struct DcImage {
    /// `ceil(w/8) × ceil(h/8)` RGB8.
    pub rgb: RgbImage,
    /// Width from the frame header.
    pub orig_w: u32,
    /// Height from the frame header.
    pub orig_h: u32,
}

/// Zig-zag index → natural (row-major) index, extended like libjpeg's `jpeg_natural_order` so a
/// run past coefficient 63 of a corrupt block lands on 63 (as in libjpeg-turbo), masked to 128.
const NATURAL: [u8; 128] = {
    let zz: [u8; 64] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42,
        49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];
    let mut t = [63u8; 128];
    let mut i = 0;
    while i < 64 {
        t[i] = zz[i];
        i += 1;
    }
    t
};

/// libjpeg's post-IDCT range limit: `range_limit[x & 1023]` = `x + 128` clamped, wrapping beyond
/// ±512 like the table in `prepare_range_limit_table`.
const RANGE: [u8; 1024] = {
    let mut t = [0u8; 1024];
    let mut i = 0;
    while i < 1024 {
        let v = ((i as i32) ^ 512) - 512 + 128; // sign-extend 10 bits, centre
        t[i] = if v < 0 {
            0
        } else if v > 255 {
            255
        } else {
            v as u8
        };
        i += 1;
    }
    t
};

#[inline(always)]
fn idct_1x1(dc: i16, q0: i16) -> u8 {
    let v = (i32::from(dc) * i32::from(q0) + 4) >> 3;
    RANGE[(v & 1023) as usize]
}

/// The 2×2 reduced IDCT's multipliers (`jidctred.c`, `FIX(…)` at 13 bits).
const F362: i32 = 29692;
const F127: i32 = 10426;
const F085: i32 = 6967;
const F072: i32 = 5906;

/// Where a coefficient (natural order) enters the 2×2 IDCT: the column slot (columns 0, 1, 3, 5,
/// 7 → 0–4) and its weight in the even part (row 0: `<< 15`) and in the odd part (rows 1, 3, 5,
/// 7: the multipliers with their signs). Unused coefficients (rows or columns 2, 4, 6) weigh 0.
const IDCT2_TAPS: [(u8, i32, i32); 64] = {
    let mut t = [(0u8, 0i32, 0i32); 64];
    let mut n = 0;
    while n < 64 {
        let (r, c) = (n / 8, n % 8);
        let slot = match c {
            0 => Some(0u8),
            1 => Some(1),
            3 => Some(2),
            5 => Some(3),
            7 => Some(4),
            _ => None,
        };
        let (even, odd) = match r {
            0 => (1 << 15, 0),
            1 => (0, F362),
            3 => (0, -F127),
            5 => (0, F085),
            7 => (0, -F072),
            _ => (0, 0),
        };
        if let Some(slot) = slot {
            t[n] = (slot, even, odd);
        }
        n += 1;
    }
    t
};

/// libjpeg-turbo's `jsimd_idct_2x2_sse2` on one block, accumulated coefficient by coefficient as
/// the Huffman decoder produces them: the column pass is linear up to its rounding shift, and
/// its sums wrap like the SSE2 code's 32-bit lanes, so adding each dequantised coefficient's
/// share to its column's even and odd sums (in any order) gives the very same column values as
/// computing the pass over the whole block; no 64-coefficient block is zeroed or read back.
#[derive(Clone, Copy)]
struct Idct2x2 {
    /// Per column slot (5–7 unused: eight so that a masked index needs no bounds check).
    even: [i32; 8],
    odd: [i32; 8],
}

impl Idct2x2 {
    /// A block whose dequantised DC (`pmullw`: the low 16 bits of DC × Q₀) is `dq0`.
    #[inline(always)]
    fn new(dc: i16, q0: i16) -> Idct2x2 {
        let mut even = [0i32; 8];
        even[0] = i32::from(dc.wrapping_mul(q0)) << 15;
        Idct2x2 { even, odd: [0; 8] }
    }

    /// Coefficient `v` at natural position `n` (each position at most once), quantiser `q`.
    #[inline(always)]
    fn add(&mut self, n: usize, v: i16, q: i16) {
        let (slot, we, wo) = IDCT2_TAPS[n & 63];
        let dq = i32::from(v.wrapping_mul(q));
        let s = usize::from(slot) & 7;
        self.even[s] = self.even[s].wrapping_add(dq * we);
        self.odd[s] = self.odd[s].wrapping_add(dq * wo);
    }

    /// The row pass: `[row0col0, row0col1, row1col0, row1col1]`.
    #[inline(always)]
    fn finish(&self) -> [u8; 4] {
        let mut a = [0i32; 5];
        let mut b = [0i32; 5];
        for s in 0..5 {
            a[s] = self.even[s].wrapping_add(self.odd[s]).wrapping_add(1 << 12) >> 13;
            b[s] = self.even[s].wrapping_sub(self.odd[s]).wrapping_add(1 << 12) >> 13;
        }
        let sat16 = |v: i32| v.clamp(-32768, 32767);
        let row = |r: &[i32; 5]| -> (u8, u8) {
            let t0 = (sat16(r[1]) * F362 - sat16(r[2]) * F127).wrapping_add(sat16(r[3]) * F085 - sat16(r[4]) * F072);
            let t10 = r[0].wrapping_shl(15);
            let px = |v: i32| ((v >> 20).clamp(-128, 127) + 128) as u8;
            (px(t10.wrapping_add(t0).wrapping_add(1 << 19)), px(t10.wrapping_sub(t0).wrapping_add(1 << 19)))
        };
        let (p00, p01) = row(&a);
        let (p10, p11) = row(&b);
        [p00, p01, p10, p11]
    }
}

/// A Huffman table as sent (DHT), with libjpeg's derived decoding values.
#[derive(Clone)]
struct Huff {
    /// Codes per length 1..=16 (index 0 unused).
    bits: [u8; 17],
    vals: [u8; 256],
    /// Largest code of each length, −1 if none (`jpeg_make_d_derived_tbl`).
    maxcode: [i32; 17],
    valoffset: [i32; 17],
    /// (code, length, symbol) of every code.
    codes: Vec<(u32, u32, u8)>,
}

impl Huff {
    /// Parses counts and symbols and derives the decoding tables; the checks are those of
    /// `jpeg_make_d_derived_tbl` (too many symbols, over-subscribed lengths, DC symbol > 15).
    fn new(bits: [u8; 17], vals: [u8; 256], is_dc: bool) -> Result<Huff, DcError> {
        let mut maxcode = [-1i32; 17];
        let mut valoffset = [0i32; 17];
        let mut codes = Vec::new();
        let mut code: u32 = 0;
        let mut p = 0usize;
        for l in 1..=16u32 {
            let n = usize::from(bits[l as usize]);
            if p + n > 256 {
                return corrupt("Huffman table with more than 256 codes");
            }
            if n > 0 {
                valoffset[l as usize] = p as i32 - code as i32;
                for _ in 0..n {
                    let sym = vals[p];
                    if is_dc && sym > 15 {
                        return corrupt(format!("DC Huffman symbol {sym} > 15"));
                    }
                    codes.push((code, l, sym));
                    code += 1;
                    p += 1;
                }
                maxcode[l as usize] = code as i32 - 1;
                if code >= 1 << l {
                    return corrupt("over-subscribed Huffman code lengths");
                }
            }
            code <<= 1;
        }
        Ok(Huff { bits, vals, maxcode, valoffset, codes })
    }
}

/// Decoding tables of one DC Huffman table.
struct DcTable {
    huff: Huff,
    /// `0`: decode slowly. Else bits 0–4: bits to drop; bits 8–11: magnitude bits still to read
    /// (0: the difference is in bits 16–31).
    fast: Box<[u32; 1 << DC_LOOKAHEAD]>,
}

impl DcTable {
    fn new(huff: &Huff) -> DcTable {
        let mut fast = Box::new([0u32; 1 << DC_LOOKAHEAD]);
        for &(code, len, sym) in &huff.codes {
            if len > DC_LOOKAHEAD {
                continue;
            }
            let s = u32::from(sym & 15);
            let spare = DC_LOOKAHEAD - len;
            for fill in 0..(1u32 << spare) {
                let idx = (code << spare) | fill;
                let e = if s == 0 {
                    len
                } else if len + s <= DC_LOOKAHEAD {
                    let extra = (fill >> (spare - s)) & ((1 << s) - 1);
                    let v = extend(extra as i32, s);
                    (len + s) | ((v as u16 as u32) << 16)
                } else {
                    len | (s << 8)
                };
                fast[(idx as usize) & ((1 << DC_LOOKAHEAD) - 1)] = e;
            }
        }
        DcTable { huff: huff.clone(), fast }
    }
}

/// Decoding tables of one AC Huffman table.
struct AcTable {
    huff: Huff,
    /// Multi-symbol skip entries: `0`: decode one symbol slowly. Else bits 0–4: bits to drop;
    /// bits 5–11: how far the symbols advance in the block; bit 12: they end with EOB.
    skip: Box<[u16; 1 << SKIP_LOOKAHEAD]>,
    /// One symbol with its value: `0`: decode slowly. Else bits 0–4: bits to drop; bits 5–6:
    /// 0 coefficient (value in bits 16–31), 1 EOB, 2 ZRL, 3 coefficient whose magnitude bits
    /// (bits 12–15) follow; bits 8–11: run.
    val: Box<[u32; 1 << VAL_LOOKAHEAD]>,
}

impl AcTable {
    fn new(huff: &Huff) -> AcTable {
        const V: usize = 1 << VAL_LOOKAHEAD;
        const S: usize = 1 << SKIP_LOOKAHEAD;
        let mut val = Box::new([0u32; V]);
        // One symbol per skip window: (length, symbol), length 0 when no code fits.
        let mut one = vec![(0u32, 0u8); S];
        for &(code, len, sym) in &huff.codes {
            let (r, s) = (u32::from(sym >> 4), u32::from(sym & 15));
            if len <= SKIP_LOOKAHEAD {
                let spare = SKIP_LOOKAHEAD - len;
                for fill in 0..(1u32 << spare) {
                    if let Some(o) = one.get_mut(((code << spare) | fill) as usize) {
                        *o = (len, sym);
                    }
                }
            }
            if len <= VAL_LOOKAHEAD {
                let spare = VAL_LOOKAHEAD - len;
                for fill in 0..(1u32 << spare) {
                    let e = if s == 0 {
                        len | if r == 15 { 2 << 5 } else { 1 << 5 }
                    } else if len + s <= VAL_LOOKAHEAD {
                        let extra = (fill >> (spare - s)) & ((1 << s) - 1);
                        let v = extend(extra as i32, s);
                        (len + s) | (r << 8) | ((v as u16 as u32) << 16)
                    } else {
                        len | (3 << 5) | (r << 8) | (s << 12)
                    };
                    if let Some(slot) = val.get_mut(((code << spare) | fill) as usize) {
                        *slot = e;
                    }
                }
            }
        }
        let mut skip = Box::new([0u16; S]);
        for (w, slot) in skip.iter_mut().enumerate() {
            let (mut pos, mut adv, mut eob) = (0u32, 0u32, false);
            while pos < SKIP_LOOKAHEAD {
                let Some(&(len, sym)) = one.get((w << pos) & (S - 1)) else { break };
                if len == 0 || pos + len > SKIP_LOOKAHEAD {
                    break;
                }
                let (r, s) = (u32::from(sym >> 4), u32::from(sym & 15));
                if s == 0 && r != 15 {
                    pos += len;
                    eob = true;
                    break;
                }
                let (total, a) = if s == 0 { (len, 16) } else { (len + s, r + 1) };
                if pos + total > SKIP_LOOKAHEAD || adv + a > 63 {
                    break;
                }
                pos += total;
                adv += a;
            }
            *slot = if pos == 0 { 0 } else { (pos | (adv << 5) | (u32::from(eob) << 12)) as u16 };
        }
        AcTable { huff: huff.clone(), skip, val }
    }
}

/// `HUFF_EXTEND`: the signed value of `s` magnitude bits `v`.
#[inline(always)]
fn extend(v: i32, s: u32) -> i32 {
    if v < (1 << (s - 1)) { v - (1 << s) + 1 } else { v }
}

/// Entropy-coded segment reader. `Copy`, so that the hot loops keep it in registers: the
/// out-of-line slow paths run on a copy (see [`Bits::cold`]), so its address never escapes.
#[derive(Clone, Copy)]
struct Bits<'a> {
    data: &'a [u8],
    /// Next byte of `data` not yet in `buf`.
    pos: usize,
    /// Left-aligned bits; below the `n` valid ones may sit a prefix of `data[pos]` (the fast
    /// refill loads whole words), which the next refill ORs in again identically.
    buf: u64,
    n: u32,
    /// Zero bits appended after the segment's marker (the last `fake` of the `n`).
    fake: u32,
    /// Where the marker that ends the segment starts, once the refill has met it.
    marker: Option<usize>,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], pos: usize) -> Bits<'a> {
        Bits { data, pos, buf: 0, n: 0, fake: 0, marker: None }
    }

    /// Runs `f` on a copy of the reader and takes the copy back.
    #[inline(always)]
    fn cold<R>(&mut self, f: impl FnOnce(&mut Bits<'a>) -> R) -> R {
        let mut t = *self;
        let r = f(&mut t);
        *self = t;
        r
    }

    /// At least 32 valid bits (a Huffman code and its magnitude bits).
    #[inline(always)]
    fn ensure(&mut self) {
        if self.n < 32 {
            self.refill();
        }
    }

    #[inline(always)]
    fn refill(&mut self) {
        if let Some(chunk) = self.data.get(self.pos..).and_then(|s| s.first_chunk::<8>()) {
            let w = u64::from_be_bytes(*chunk);
            let x = !w;
            if x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080 == 0 {
                // No 0xFF among the 8 bytes: take the whole bytes that fit.
                self.buf |= w >> self.n;
                let bytes = (63 - self.n) >> 3;
                self.pos += bytes as usize;
                self.n += bytes << 3;
                return;
            }
        }
        self.cold(|b| b.refill_slow());
    }

    #[cold]
    #[inline(never)]
    fn refill_slow(&mut self) {
        self.buf &= if self.n == 0 { 0 } else { u64::MAX << (64 - self.n) };
        while self.n <= 56 {
            let b = self.next_byte();
            self.buf |= u64::from(b) << (56 - self.n);
            self.n += 8;
        }
    }

    /// The next data byte (stuffing and fill bytes removed), or 0 past the marker that ends the
    /// segment (libjpeg inserts zeros there too, with a warning: checked at the segment's end).
    fn next_byte(&mut self) -> u8 {
        if self.marker.is_some() {
            self.fake += 8;
            return 0;
        }
        let Some(&b) = self.data.get(self.pos) else {
            self.marker = Some(self.data.len());
            self.fake += 8;
            return 0;
        };
        if b != 0xFF {
            self.pos += 1;
            return b;
        }
        let mut p = self.pos + 1;
        while self.data.get(p) == Some(&0xFF) {
            p += 1;
        }
        if self.data.get(p) == Some(&0) {
            self.pos = p + 1;
            0xFF
        } else {
            self.marker = Some(self.pos);
            self.fake += 8;
            0
        }
    }

    #[inline(always)]
    fn peek(&self, bits: u32) -> usize {
        (self.buf >> (64 - bits)) as usize
    }

    #[inline(always)]
    fn drop_bits(&mut self, k: u32) {
        self.buf <<= k & 63;
        self.n = self.n.wrapping_sub(k);
    }

    /// `s` (1–15) bits as a signed coefficient (`GET_BITS` + `HUFF_EXTEND`).
    #[inline(always)]
    fn receive_extend(&mut self, s: u32) -> i32 {
        let s = s & 15;
        if s == 0 {
            return 0;
        }
        let v = (self.buf >> (64 - s)) as i32;
        self.drop_bits(s);
        extend(v, s)
    }

    /// One symbol, code by code from length 1 (codes longer than the look-ahead, corrupt data).
    #[cold]
    #[inline(never)]
    fn decode_slow(&mut self, h: &Huff) -> Result<u8, DcError> {
        for l in 1..=16u32 {
            let code = (self.buf >> (64 - l)) as i32;
            if code <= h.maxcode[l as usize] {
                self.drop_bits(l);
                return Ok(h.vals[((code + h.valoffset[l as usize]) & 0xFF) as usize]);
            }
        }
        corrupt("bad Huffman code")
    }

    /// A DC difference.
    #[inline(always)]
    fn dc_diff(&mut self, t: &DcTable) -> Result<i32, DcError> {
        self.ensure();
        let e = t.fast[self.peek(DC_LOOKAHEAD) & ((1 << DC_LOOKAHEAD) - 1)];
        if e != 0 {
            self.drop_bits(e & 31);
            let s = (e >> 8) & 15;
            if s == 0 {
                return Ok((e as i32) >> 16);
            }
            Ok(self.receive_extend(s))
        } else {
            let s = self.cold(|b| b.decode_slow(&t.huff))?;
            Ok(self.receive_extend(u32::from(s & 15)))
        }
    }

    /// Skips the AC coefficients of one block.
    #[inline(always)]
    fn skip_ac(&mut self, t: &AcTable) -> Result<(), DcError> {
        let skip = &*t.skip;
        let mut k = 1u32;
        loop {
            // 32 bits hold two windows of SKIP_LOOKAHEAD: two look-ups per refill check.
            self.ensure();
            for _ in 0..2 {
                let e = u32::from(skip[self.peek(SKIP_LOOKAHEAD) & ((1 << SKIP_LOOKAHEAD) - 1)]);
                // An EOB counts 1: it is only read while the block is not full.
                let adv = (e >> 5) & 127;
                if e != 0 && k + adv + ((e >> 12) & 1) <= 64 {
                    self.drop_bits(e & 31);
                    k += adv;
                    if e & (1 << 12) != 0 || k >= 64 {
                        return Ok(());
                    }
                } else {
                    self.ensure();
                    let sym = self.cold(|b| b.decode_slow(&t.huff))?;
                    let (r, s) = (u32::from(sym >> 4), u32::from(sym & 15));
                    if s != 0 {
                        self.drop_bits(s);
                        k += r + 1;
                    } else if r == 15 {
                        k += 16;
                    } else {
                        return Ok(());
                    }
                    if k >= 64 {
                        return Ok(());
                    }
                    break;
                }
            }
        }
    }

    /// Decodes the AC coefficients of one block into its 2×2 IDCT (`q`: the quantisers, natural
    /// order).
    #[inline(always)]
    fn read_ac_2x2(&mut self, t: &AcTable, q: &[i16; 64], idct: &mut Idct2x2) -> Result<(), DcError> {
        let mut k = 1usize;
        loop {
            self.ensure();
            let e = t.val[self.peek(VAL_LOOKAHEAD) & ((1 << VAL_LOOKAHEAD) - 1)];
            let (r, v);
            if e != 0 {
                self.drop_bits(e & 31);
                match (e >> 5) & 3 {
                    0 => {
                        r = (e >> 8) & 15;
                        v = (e as i32) >> 16;
                    }
                    1 => return Ok(()),
                    2 => {
                        k += 16;
                        if k >= 64 {
                            return Ok(());
                        }
                        continue;
                    }
                    _ => {
                        r = (e >> 8) & 15;
                        v = self.receive_extend((e >> 12) & 15);
                    }
                }
            } else {
                let sym = self.cold(|b| b.decode_slow(&t.huff))?;
                let s = u32::from(sym & 15);
                r = u32::from(sym >> 4);
                if s == 0 {
                    if r != 15 {
                        return Ok(());
                    }
                    k += 16;
                    if k >= 64 {
                        return Ok(());
                    }
                    continue;
                }
                v = self.receive_extend(s);
            }
            k += r as usize;
            let n = usize::from(NATURAL[k & 127]) & 63;
            idct.add(n, v as i16, q[n]);
            k += 1;
            if k >= 64 {
                return Ok(());
            }
        }
    }

    /// After the last block of a restart interval or of the scan: fewer than 8 data bits may be
    /// left (padding), none taken from past the marker, and a marker must follow. Returns the
    /// marker code and the position after it.
    fn finish(&mut self) -> Result<(u8, usize), DcError> {
        let start = match self.marker {
            Some(m) => {
                if self.n < self.fake {
                    return corrupt("entropy-coded data ends early (truncated or damaged scan)");
                }
                if self.n - self.fake >= 8 {
                    return corrupt("extra data before a marker");
                }
                m
            }
            None => {
                if self.n >= 8 {
                    return corrupt("extra data before a marker");
                }
                self.pos
            }
        };
        if self.data.get(start) != Some(&0xFF) {
            return corrupt("extra data before a marker");
        }
        let mut p = start + 1;
        while self.data.get(p) == Some(&0xFF) {
            p += 1;
        }
        match self.data.get(p) {
            Some(0) => corrupt("extra data before a marker"),
            Some(&m) => Ok((m, p + 1)),
            None => corrupt("file ends inside the scan"),
        }
    }

    fn restart_at(&mut self, pos: usize) {
        *self = Bits::new(self.data, pos);
    }
}

#[derive(Clone, Copy, Debug)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    tq: usize,
}

/// What the markers before the scan said.
#[derive(Default)]
struct Header {
    frame: Option<(u32, u32, Vec<Component>)>,
    /// Natural order, as libjpeg-turbo's SIMD multiplier tables (16-bit, wrapping).
    qt: [Option<[i16; 64]>; 4],
    dc: [Option<Huff>; 4],
    ac: [Option<Huff>; 4],
    restart_interval: u32,
    jfif: bool,
    adobe: Option<u8>,
    /// APP2 ICC_PROFILE chunks before the scan: (sequence number, count, data length).
    icc: Vec<(u8, u8, usize)>,
}

fn be16(b: &[u8], i: usize) -> Result<usize, DcError> {
    match (b.get(i), b.get(i + 1)) {
        (Some(&h), Some(&l)) => Ok(usize::from(u16::from_be_bytes([h, l]))),
        _ => corrupt("file ends inside a marker segment"),
    }
}

impl Header {
    fn dqt(&mut self, mut s: &[u8]) -> Result<(), DcError> {
        while let Some((&pq_tq, rest)) = s.split_first() {
            let (pq, tq) = (pq_tq >> 4, usize::from(pq_tq & 15));
            if tq >= 4 || pq > 1 {
                return corrupt(format!("DQT: table {tq}, precision {pq}"));
            }
            let need = if pq == 0 { 64 } else { 128 };
            let Some(vals) = rest.get(..need) else { return not_handled("short DQT table") };
            let mut t = [0i16; 64];
            for k in 0..64 {
                let q = if pq == 0 { u16::from(vals[k]) } else { u16::from_be_bytes([vals[2 * k], vals[2 * k + 1]]) };
                t[usize::from(NATURAL[k]) & 63] = q as i16;
            }
            self.qt[tq] = Some(t);
            s = &rest[need..];
        }
        Ok(())
    }

    fn dht(&mut self, mut s: &[u8]) -> Result<(), DcError> {
        while s.len() > 16 {
            let tc_th = s[0];
            let mut bits = [0u8; 17];
            bits[1..].copy_from_slice(&s[1..17]);
            let count: usize = bits.iter().map(|&b| usize::from(b)).sum();
            if count > 256 || count > s.len() - 17 {
                return corrupt("DHT: bad symbol count");
            }
            let mut vals = [0u8; 256];
            vals[..count].copy_from_slice(&s[17..17 + count]);
            let (class, th) = (tc_th >> 4, usize::from(tc_th & 15));
            if class > 1 || th >= 4 {
                return corrupt(format!("DHT: table class/index {tc_th:#04x}"));
            }
            let h = Huff::new(bits, vals, false)?;
            if class == 0 {
                self.dc[th] = Some(h);
            } else {
                self.ac[th] = Some(h);
            }
            s = &s[17 + count..];
        }
        if !s.is_empty() {
            return corrupt("DHT: bad length");
        }
        Ok(())
    }

    fn sof(&mut self, s: &[u8]) -> Result<(), DcError> {
        if self.frame.is_some() {
            return corrupt("two SOF markers");
        }
        if s.len() < 6 {
            return corrupt("SOF: too short");
        }
        if s[0] != 8 {
            return not_handled(format!("{}-bit samples", s[0]));
        }
        let (h, w, nc) = (be16(s, 1)?, be16(s, 3)?, usize::from(s[5]));
        if s.len() != 6 + 3 * nc {
            return corrupt("SOF: bad length");
        }
        if w == 0 || h == 0 || nc == 0 {
            return corrupt(format!("empty image {w}×{h}, {nc} components"));
        }
        if w > 65500 || h > 65500 {
            return corrupt("image too large");
        }
        if nc != 1 && nc != 3 {
            return not_handled(format!("{nc} components"));
        }
        let mut comps = Vec::with_capacity(nc);
        for c in s[6..].chunks_exact(3) {
            let (hs, vs) = (usize::from(c[1] >> 4), usize::from(c[1] & 15));
            if !(1..=4).contains(&hs) || !(1..=4).contains(&vs) {
                return corrupt(format!("sampling factors {hs}×{vs}"));
            }
            if c[2] > 3 {
                return corrupt("SOF: quantisation table index > 3");
            }
            if comps.iter().any(|x: &Component| x.id == c[0]) {
                return not_handled("two components with the same id");
            }
            comps.push(Component { id: c[0], h: hs, v: vs, tq: usize::from(c[2]) });
        }
        self.frame = Some((w as u32, h as u32, comps));
        Ok(())
    }

    fn app(&mut self, m: u8, s: &[u8]) -> Result<(), DcError> {
        if m == 0xE0 && s.len() >= 14 && s.starts_with(b"JFIF\0") {
            self.jfif = true;
            if s[5] != 1 {
                return corrupt(format!("JFIF major version {}", s[5]));
            }
        } else if m == 0xEE && s.len() >= 12 && s.starts_with(b"Adobe") {
            self.adobe = Some(s[11]);
        } else if m == 0xE2 && s.len() >= 14 && s.starts_with(b"ICC_PROFILE\0") {
            self.icc.push((s[12], s[13], s.len() - 14));
        }
        Ok(())
    }

    /// TurboJPEG reads the ICC profile with the header (`jpeg_read_icc_profile`) and fails on a
    /// warning there: inconsistent chunk counts, bad or duplicate sequence numbers, a missing
    /// chunk, or only empty chunks.
    fn check_icc(&self) -> Result<(), DcError> {
        let Some(&(_, count, _)) = self.icc.first() else { return Ok(()) };
        let mut present = [false; 256];
        let mut total = 0usize;
        for &(seq, n, len) in &self.icc {
            if n != count || seq == 0 || seq > count || present[usize::from(seq)] {
                return corrupt("bad ICC profile chunks");
            }
            present[usize::from(seq)] = true;
            total += len;
        }
        if count == 0 || (1..=usize::from(count)).any(|i| !present[i]) || total == 0 {
            return corrupt("bad ICC profile chunks");
        }
        Ok(())
    }

    /// A marker segment outside the scan (before it, or after it up to EOI).
    fn segment(&mut self, m: u8, s: &[u8]) -> Result<(), DcError> {
        match m {
            0xC0 | 0xC1 => self.sof(s),
            0xC2 | 0xC6 | 0xCA | 0xCE => not_handled("progressive JPEG"),
            0xC3 | 0xC7 | 0xCB | 0xCF => not_handled("lossless JPEG"),
            0xC5 | 0xC9 | 0xCD => not_handled(format!("SOF marker {m:#04x}")),
            0xC4 => self.dht(s),
            0xCC => not_handled("arithmetic coding"),
            0xDB => self.dqt(s),
            0xDD => {
                if s.len() != 2 {
                    return corrupt("DRI: bad length");
                }
                self.restart_interval = be16(s, 0)? as u32;
                Ok(())
            }
            0xDC | 0xFE => Ok(()),
            0xE0..=0xEF => self.app(m, s),
            _ => not_handled(format!("marker {m:#04x}")),
        }
    }
}

/// One block of an MCU.
#[derive(Clone, Copy)]
struct BlockSpec {
    /// Index into the scan's components (predictor) and the frame's (planes).
    comp: usize,
    /// Block offset inside the MCU, in blocks.
    bx: usize,
    by: usize,
}

/// One block of the MCU, ready to decode (see the scan loop of [`decode_eighth`]).
struct Planned<'t> {
    dc: &'t DcTable,
    ac: &'t AcTable,
    q: &'t [i16; 64],
    /// Scan component (predictor), < 4.
    si: usize,
    /// Frame component (plane).
    fi: usize,
    /// 2×2 IDCT (else 1×1).
    two: bool,
    /// Plane width.
    pw: usize,
    /// Samples from one MCU row to the next, from one MCU to the next, and of the block in its MCU.
    row: usize,
    step: usize,
    off: usize,
}

/// Decodes a baseline JPEG at 1/8 scale to RGB. `wanted(w, h)` is asked once the frame header is
/// read: `false` gives [`DcError::NotHandled`] (the caller wants another scale).
pub fn decode_eighth(bytes: &[u8], wanted: impl FnOnce(u32, u32) -> bool) -> Result<DcImage, DcError> {
    if !bytes.starts_with(b"\xFF\xD8") {
        return corrupt("no SOI marker");
    }
    let mut hd = Header::default();
    let mut i = 2usize;
    // Markers up to SOS.
    let (sos, after_sos) = loop {
        let (m, seg_start) = marker_at(bytes, i)?;
        match m {
            0xDA => {
                let len = be16(bytes, seg_start)?;
                let Some(s) = bytes.get(seg_start + 2..seg_start + len).filter(|_| len >= 2) else { return corrupt("SOS: bad length") };
                break (s, seg_start + len);
            }
            0xD8 => return corrupt("second SOI"),
            0xD9 => return corrupt("EOI before any scan"),
            0x01 | 0xD0..=0xD7 => i = seg_start,
            _ => {
                let len = be16(bytes, seg_start)?;
                let Some(s) = bytes.get(seg_start + 2..seg_start + len).filter(|_| len >= 2) else {
                    return corrupt(format!("marker {m:#04x}: bad length"));
                };
                hd.segment(m, s)?;
                i = seg_start + len;
            }
        }
    };
    let Some((w, h, comps)) = hd.frame.take() else { return corrupt("SOS before SOF") };
    hd.check_icc()?;
    if !wanted(w, h) {
        return not_handled("1/8 is not the scale wanted");
    }
    let nc = comps.len();
    if nc == 3 {
        // jdapimin.c default_decompress_parms.
        let rgb = if hd.jfif {
            false
        } else if let Some(t) = hd.adobe {
            match t {
                0 => true,
                1 => false,
                _ => return corrupt(format!("Adobe transform {t}")),
            }
        } else {
            (comps[0].id, comps[1].id, comps[2].id) == (b'R', b'G', b'B')
        };
        if rgb {
            return not_handled("RGB-coded JPEG");
        }
    }
    // Scan header.
    let ns = usize::from(*sos.first().unwrap_or(&0));
    if sos.len() != 4 + 2 * ns || ns == 0 || ns > 4 {
        return corrupt("SOS: bad length");
    }
    if ns != nc {
        return not_handled("a scan without every component (several scans)");
    }
    let mut scan: Vec<(usize, usize, usize)> = Vec::with_capacity(ns); // (frame index, dc, ac)
    for c in sos[1..1 + 2 * ns].chunks_exact(2) {
        let Some(fi) = comps.iter().position(|x| x.id == c[0]) else { return corrupt("SOS: unknown component id") };
        if scan.iter().any(|s| s.0 == fi) {
            return corrupt("SOS: component twice");
        }
        let (td, ta) = (usize::from(c[1] >> 4), usize::from(c[1] & 15));
        if td >= 4 || ta >= 4 {
            return corrupt("SOS: Huffman table index > 3");
        }
        scan.push((fi, td, ta));
    }
    let tail = &sos[1 + 2 * ns..];
    if tail != [0, 63, 0] {
        return corrupt("SOS: not a sequential scan (Ss/Se/Ah/Al)");
    }

    // Layout at 1/8 scale (jdmaster.c: IDCT scaling per component, then integer upsampling).
    let max_h = comps.iter().map(|c| c.h).max().unwrap_or(1);
    let max_v = comps.iter().map(|c| c.v).max().unwrap_or(1);
    let mut ssize = vec![1usize; nc];
    for (c, ss) in comps.iter().zip(ssize.iter_mut()) {
        while *ss < 8 && max_h % (c.h * *ss * 2) == 0 && max_v % (c.v * *ss * 2) == 0 {
            *ss *= 2;
        }
        if *ss > 2 || (max_h % (c.h * *ss)) != 0 || (max_v % (c.v * *ss)) != 0 {
            return not_handled(format!("sampling {}×{} of {max_h}×{max_v} (IDCT size {ss})", c.h, c.v, ss = *ss));
        }
    }
    let (wi, hi) = (w as usize, h as usize);
    let (out_w, out_h) = (wi.div_ceil(8), hi.div_ceil(8));
    let interleaved = ns > 1;
    let (mcu_cols, mcu_rows) = if interleaved { (wi.div_ceil(8 * max_h), hi.div_ceil(8 * max_v)) } else { (out_w, out_h) };
    let mut blocks: Vec<BlockSpec> = Vec::new();
    for (si, &(fi, _, _)) in scan.iter().enumerate() {
        let c = comps[fi];
        let (bh, bv) = if interleaved { (c.h, c.v) } else { (1, 1) };
        for by in 0..bv {
            for bx in 0..bh {
                blocks.push(BlockSpec { comp: si, bx, by });
            }
        }
    }
    if blocks.len() > 10 {
        return corrupt("more than 10 blocks per MCU");
    }
    // Tables (libjpeg-turbo would install the standard Huffman tables for a missing 0 or 1).
    let mut dc_tabs: Vec<DcTable> = Vec::with_capacity(ns);
    let mut ac_tabs: Vec<AcTable> = Vec::with_capacity(ns);
    let mut quant: Vec<[i16; 64]> = Vec::with_capacity(ns);
    for &(fi, td, ta) in &scan {
        let (Some(dh), Some(ah)) = (&hd.dc[td], &hd.ac[ta]) else { return not_handled("missing Huffman table") };
        let dh = Huff::new(dh.bits, dh.vals, true)?;
        dc_tabs.push(DcTable::new(&dh));
        ac_tabs.push(AcTable::new(ah));
        let Some(q) = hd.qt[comps[fi].tq] else { return corrupt("missing quantisation table") };
        quant.push(q);
    }
    // Planes, one per frame component, at its IDCT-scaled size, MCU-padded.
    let (mut pw, mut ph) = (vec![0usize; nc], vec![0usize; nc]);
    for (fi, c) in comps.iter().enumerate() {
        let (bh, bv) = if interleaved { (c.h, c.v) } else { (1, 1) };
        pw[fi] = mcu_cols * bh * ssize[fi];
        ph[fi] = mcu_rows * bv * ssize[fi];
    }
    let mut planes: Vec<Vec<u8>> = (0..nc).map(|fi| vec![0u8; pw[fi] * ph[fi]]).collect();

    // Entropy-coded data.
    let mut bits = Bits::new(bytes, after_sos);
    let mut pred = [0i32; 4];
    let ri = hd.restart_interval as usize;
    let mut to_go = ri;
    let mut next_rst = 0u8;
    // Each block of an MCU with its tables and where its pixels go: MCU (mx, my) writes at
    // `my × row + mx × step + off` of its component's plane (`row`, `step` and `off` in samples).
    let mut plan: Vec<Planned<'_>> = Vec::with_capacity(blocks.len());
    for b in &blocks {
        let (Some(&(fi, _, _)), Some(dc), Some(ac), Some(q)) = (scan.get(b.comp), dc_tabs.get(b.comp), ac_tabs.get(b.comp), quant.get(b.comp)) else {
            return corrupt("internal: block table");
        };
        let (bh, bv) = if interleaved { (comps[fi].h, comps[fi].v) } else { (1, 1) };
        let (ss, pwi) = (ssize[fi], pw[fi]);
        plan.push(Planned { dc, ac, q, si: b.comp & 3, fi, two: ss == 2, pw: pwi, row: bv * ss * pwi, step: bh * ss, off: b.by * ss * pwi + b.bx * ss });
    }
    let mut at = [0usize; 10];
    for my in 0..mcu_rows {
        for (a, b) in at.iter_mut().zip(&plan) {
            *a = my * b.row + b.off;
        }
        for _mx in 0..mcu_cols {
            if ri != 0 {
                if to_go == 0 {
                    let (m, after) = bits.cold(|b| b.finish())?;
                    if m != 0xD0 + next_rst {
                        return corrupt(format!("expected RST{next_rst}, found marker {m:#04x}"));
                    }
                    next_rst = (next_rst + 1) & 7;
                    bits.restart_at(after);
                    pred = [0; 4];
                    to_go = ri;
                }
                to_go -= 1;
            }
            for (b, a) in plan.iter().zip(at.iter_mut()) {
                let i = *a;
                *a += b.step;
                let diff = bits.dc_diff(b.dc)?;
                let p = &mut pred[b.si];
                *p = p.checked_add(diff).ok_or_else(|| DcError::Corrupt("DC coefficient overflow".into()))?;
                let dc = *p as i16;
                let Some(plane) = planes.get_mut(b.fi) else { return corrupt("internal: plane") };
                if !b.two {
                    bits.skip_ac(b.ac)?;
                    if let Some(px) = plane.get_mut(i) {
                        *px = idct_1x1(dc, b.q[0]);
                    }
                } else {
                    let mut idct = Idct2x2::new(dc, b.q[0]);
                    bits.read_ac_2x2(b.ac, b.q, &mut idct)?;
                    let o = idct.finish();
                    if let Some(r0) = plane.get_mut(i..i + 2) {
                        r0.copy_from_slice(&o[..2]);
                    }
                    if let Some(r1) = plane.get_mut(i + b.pw..i + b.pw + 2) {
                        r1.copy_from_slice(&o[2..]);
                    }
                }
            }
        }
        if bits.marker.is_some() && bits.n < bits.fake {
            return corrupt("entropy-coded data ends early (truncated or damaged scan)");
        }
    }
    let (m, mut i) = bits.cold(|b| b.finish())?;
    // After the scan: up to EOI (another scan is left to libjpeg-turbo).
    let mut m = m;
    loop {
        match m {
            0xD9 => break,
            0xDA => return not_handled("several scans"),
            0xD8 => return corrupt("SOI after the scan"),
            0x01 | 0xD0..=0xD7 => {}
            0xC0..=0xCF if m != 0xC4 && m != 0xC8 && m != 0xCC => return corrupt("SOF after the scan"),
            _ => {
                let len = be16(bytes, i)?;
                let Some(s) = bytes.get(i + 2..i + len).filter(|_| len >= 2) else { return corrupt(format!("marker {m:#04x}: bad length")) };
                hd.segment(m, s)?;
                i += len;
            }
        }
        let (m2, j) = marker_at(bytes, i)?;
        m = m2;
        i = j;
    }

    // Colour conversion (jdcolor.c) with replication upsampling.
    let mut rgb = vec![0u8; out_w * out_h * 3];
    if nc == 1 {
        let (plane, pw0) = (&planes[0], pw[0]);
        for (y, row) in rgb.chunks_exact_mut(out_w * 3).enumerate() {
            let Some(src) = plane.get(y * pw0..y * pw0 + out_w) else { return corrupt("internal: plane size") };
            for (d, &v) in row.chunks_exact_mut(3).zip(src) {
                d.copy_from_slice(&[v, v, v]);
            }
        }
    } else {
        let t = ycc_tables();
        // Column and row of each component's sample for an output pixel.
        let ratio = |fi: usize| (max_h / (comps[fi].h * ssize[fi]), max_v / (comps[fi].v * ssize[fi]));
        let xs: Vec<Vec<usize>> = (0..3).map(|fi| (0..out_w).map(|x| x / ratio(fi).0).collect()).collect();
        let same_columns = (0..3).all(|fi| ratio(fi).0 == 1);
        for (y, row) in rgb.chunks_exact_mut(out_w * 3).enumerate() {
            let mut src: [&[u8]; 3] = [&[], &[], &[]];
            for fi in 0..3 {
                let r = y / ratio(fi).1;
                let Some(s) = planes[fi].get(r * pw[fi]..(r + 1) * pw[fi]) else { return corrupt("internal: plane size") };
                src[fi] = s;
            }
            if same_columns && src.iter().all(|s| s.len() >= out_w) {
                for (((d, &yv), &cb), &cr) in row.chunks_exact_mut(3).zip(src[0]).zip(src[1]).zip(src[2]) {
                    d.copy_from_slice(&t.convert(yv, cb, cr));
                }
            } else {
                for (x, d) in row.chunks_exact_mut(3).enumerate() {
                    let g = |fi: usize| xs[fi].get(x).and_then(|&sx| src[fi].get(sx)).copied().unwrap_or(0);
                    d.copy_from_slice(&t.convert(g(0), g(1), g(2)));
                }
            }
        }
    }
    let rgb = RgbImage::from_raw(out_w as u32, out_h as u32, rgb).ok_or_else(|| DcError::Corrupt("internal: RGB size".into()))?;
    Ok(DcImage { rgb, orig_w: w, orig_h: h })
}

/// The marker at `i` (after any fill bytes): its code and where its segment starts.
fn marker_at(b: &[u8], i: usize) -> Result<(u8, usize), DcError> {
    if b.get(i) != Some(&0xFF) {
        return if i >= b.len() { corrupt("file ends before EOI") } else { corrupt("extra data before a marker") };
    }
    let mut p = i + 1;
    while b.get(p) == Some(&0xFF) {
        p += 1;
    }
    match b.get(p) {
        Some(0) => corrupt("extra data before a marker"),
        Some(&m) => Ok((m, p + 1)),
        None => corrupt("file ends before EOI"),
    }
}

/// `jdcolor.c` `build_ycc_rgb_table`.
struct Ycc {
    cr_r: [i32; 256],
    cb_b: [i32; 256],
    cr_g: [i32; 256],
    cb_g: [i32; 256],
}

impl Ycc {
    #[inline(always)]
    fn convert(&self, y: u8, cb: u8, cr: u8) -> [u8; 3] {
        let (y, cb, cr) = (i32::from(y), usize::from(cb), usize::from(cr));
        let c = |v: i32| v.clamp(0, 255) as u8;
        [c(y + self.cr_r[cr]), c(y + ((self.cb_g[cb] + self.cr_g[cr]) >> 16)), c(y + self.cb_b[cb])]
    }
}

fn ycc_tables() -> Ycc {
    const ONE_HALF: i64 = 1 << 15;
    let fix = |x: f64| (x * 65536.0 + 0.5) as i64;
    let mut t = Ycc { cr_r: [0; 256], cb_b: [0; 256], cr_g: [0; 256], cb_g: [0; 256] };
    for i in 0..256usize {
        let x = i as i64 - 128;
        t.cr_r[i] = ((fix(1.40200) * x + ONE_HALF) >> 16) as i32;
        t.cb_b[i] = ((fix(1.77200) * x + ONE_HALF) >> 16) as i32;
        t.cr_g[i] = (-fix(0.71414) * x) as i32;
        t.cb_g[i] = (-fix(0.34414) * x + ONE_HALF) as i32;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_limit_matches_libjpeg() {
        assert_eq!(RANGE[0], 128);
        assert_eq!(RANGE[127], 255);
        assert_eq!(RANGE[128], 255);
        assert_eq!(RANGE[511], 255);
        assert_eq!(RANGE[512], 0);
        assert_eq!(RANGE[895], 0);
        assert_eq!(RANGE[896], 0);
        assert_eq!(RANGE[1023], 127);
        assert_eq!(idct_1x1(-1024 / 8, 8), 0);
        assert_eq!(idct_1x1(0, 8), 128);
    }

    /// The whole-block version that [`Idct2x2`] replaced (libjpeg-turbo's `jsimd_idct_2x2_sse2`)
    /// on one block (coefficients and quantisers in natural
    /// order): returns `[row0col0, row0col1, row1col0, row1col1]`.
    fn idct_2x2(c: &[i16; 64], q: &[i16; 64]) -> [u8; 4] {
        const F362: i32 = 29692;
        const F127: i32 = 10426;
        const F085: i32 = 6967;
        const F072: i32 = 5906;
        // pmullw: the low 16 bits of the product.
        let dq = |i: usize| i32::from(c[i & 63].wrapping_mul(q[i & 63]));
        let odd = |a1: i32, a3: i32, a5: i32, a7: i32| (a1 * F362 - a3 * F127).wrapping_add(a5 * F085 - a7 * F072);
        let mut a = [0i32; 8];
        let mut b = [0i32; 8];
        for col in [0usize, 1, 3, 5, 7] {
            let t0 = odd(dq(8 + col), dq(24 + col), dq(40 + col), dq(56 + col));
            let t10 = dq(col) << 15;
            a[col] = t10.wrapping_add(t0).wrapping_add(1 << 12) >> 13;
            b[col] = t10.wrapping_sub(t0).wrapping_add(1 << 12) >> 13;
        }
        let sat16 = |v: i32| v.clamp(-32768, 32767);
        let row = |r: &[i32; 8]| -> (u8, u8) {
            let t0 = odd(sat16(r[1]), sat16(r[3]), sat16(r[5]), sat16(r[7]));
            let t10 = r[0].wrapping_shl(15);
            let px = |v: i32| ((v >> 20).clamp(-128, 127) + 128) as u8;
            (px(t10.wrapping_add(t0).wrapping_add(1 << 19)), px(t10.wrapping_sub(t0).wrapping_add(1 << 19)))
        };
        let (p00, p01) = row(&a);
        let (p10, p11) = row(&b);
        [p00, p01, p10, p11]
    }


    /// [`Idct2x2`] over the nonzero coefficients of a block.
    fn accumulated(c: &[i16; 64], q: &[i16; 64]) -> [u8; 4] {
        let mut acc = Idct2x2::new(c[0], q[0]);
        for n in 1..64 {
            if c[n] != 0 {
                acc.add(n, c[n], q[n]);
            }
        }
        acc.finish()
    }

    #[test]
    fn accumulated_idct_2x2_equals_the_whole_block_version() {
        let mut rng = crate::samples::rng::Rng::new(7);
        for round in 0..100_000u32 {
            let mut c = [0i16; 64];
            let mut q = [0i16; 64];
            // Mostly small values (real blocks), sometimes anything (damaged streams, wrapping).
            let wide = round % 4 == 0;
            for i in 0..64 {
                let r = rng.next_u64();
                c[i] = if wide { r as i16 } else if r.is_multiple_of(3) { ((r >> 8) % 64) as i16 - 32 } else { 0 };
                q[i] = if wide { (r >> 16) as i16 } else { ((r >> 24) % 100 + 1) as i16 };
            }
            assert_eq!(accumulated(&c, &q), idct_2x2(&c, &q), "round {round}");
        }
        let extreme = [i16::MIN; 64];
        assert_eq!(accumulated(&extreme, &[i16::MAX; 64]), idct_2x2(&extreme, &[i16::MAX; 64]));
    }

    #[test]
    fn idct_2x2_of_a_dc_only_block_is_flat() {
        let mut c = [0i16; 64];
        let q = [2i16; 64];
        c[0] = 40; // 80 dequantised → 80/8 = 10 above grey
        assert_eq!(idct_2x2(&c, &q), [138; 4]);
        assert_eq!(Idct2x2::new(40, 2).finish(), [138; 4]);
    }

    #[test]
    fn huffman_tables_are_checked_like_libjpeg() {
        let mut bits = [0u8; 17];
        bits[1] = 2; // two 1-bit codes: 0 and 1 — "1" is all ones: libjpeg refuses it
        assert!(Huff::new(bits, [0; 256], true).is_err());
        bits[1] = 1;
        bits[2] = 1;
        let mut vals = [0u8; 256];
        vals[1] = 16;
        assert!(Huff::new(bits, vals, true).is_err(), "DC symbol 16");
        assert!(Huff::new(bits, vals, false).is_ok());
    }
}
