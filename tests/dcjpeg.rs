//! The DC-only 1/8-scale JPEG decoder (`media::dcjpeg`) against libjpeg-turbo at 1/8 scale:
//! identical RGB on JPEGs from libjpeg-turbo's and the `image` crate's encoders (every
//! subsampling, qualities, odd sizes, grey), on JPEGs from a small encoder below (restart
//! intervals, sampling factors the other encoders do not make, 16-bit quantisation tables, fill
//! bytes, optimal Huffman tables with long codes), on the benchmark corpus and on Pillow's test
//! images when present; and no panic on thousands of damaged files.

use image::RgbImage;
use threadline::media::dcjpeg::{DcError, decode_eighth};
use threadline::media::decode::{self, JpegBackend};
use threadline::samples::rng::Rng;

/// libjpeg-turbo at 1/8 (what `decode.rs` does when 1/8 is the scale), `None` if it refuses.
fn turbo_eighth(bytes: &[u8]) -> Option<RgbImage> {
    use turbojpeg::{Decompressor, Image, PixelFormat, ScalingFactor};
    let mut d = Decompressor::new().ok()?;
    let h = d.read_header(bytes).ok()?;
    let f = ScalingFactor::ONE_EIGHTH;
    d.set_scaling_factor(f).ok()?;
    let (w, ht) = (f.scale(h.width), f.scale(h.height));
    let mut img = Image { pixels: vec![0u8; w * ht * 3], width: w, pitch: 3 * w, height: ht, format: PixelFormat::RGB };
    d.decompress(bytes, img.as_deref_mut()).ok()?;
    RgbImage::from_raw(w as u32, ht as u32, img.pixels)
}

fn dc_eighth(bytes: &[u8]) -> Result<RgbImage, DcError> {
    decode_eighth(bytes, |_, _| true).map(|d| d.rgb)
}

/// Largest per-channel difference and number of differing bytes; luma plane difference too.
fn diff(a: &RgbImage, b: &RgbImage) -> (u8, usize, u8) {
    assert_eq!(a.dimensions(), b.dimensions());
    let max = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0);
    let n = a.as_raw().iter().zip(b.as_raw()).filter(|(x, y)| x != y).count();
    let luma = |p: &[u8]| (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]) + 500) / 1000;
    let lmax = a.as_raw().chunks(3).zip(b.as_raw().chunks(3)).map(|(x, y)| luma(x).abs_diff(luma(y)) as u8).max().unwrap_or(0);
    (max, n, lmax)
}

#[track_caller]
fn assert_same(bytes: &[u8], what: &str) {
    let t = turbo_eighth(bytes).unwrap_or_else(|| panic!("{what}: libjpeg-turbo refused it"));
    let d = dc_eighth(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    let (max, n, _) = diff(&t, &d);
    assert!(n == 0, "{what}: {n} bytes differ from libjpeg-turbo, max {max}");
}

/// A photo-like picture: the sample generator's procedural scene plus noise.
fn photo(w: u32, h: u32, seed: u64) -> RgbImage {
    let mut r = Rng::new(seed);
    let big = threadline::samples::images::draw_procedural(&mut r, w.max(160), h.max(160));
    let mut img = image::imageops::crop_imm(&big, 0, 0, w, h).to_image();
    for p in img.as_mut().iter_mut() {
        let n = (r.below(17) as i32) - 8;
        *p = (i32::from(*p) + n).clamp(0, 255) as u8;
    }
    img
}

fn tj(img: &RgbImage, q: i32, s: turbojpeg::Subsamp) -> Vec<u8> {
    let t = turbojpeg::Image { pixels: img.as_raw().as_slice(), width: img.width() as usize, pitch: 3 * img.width() as usize, height: img.height() as usize, format: turbojpeg::PixelFormat::RGB };
    turbojpeg::compress(t, q, s).unwrap().to_vec()
}

#[test]
fn libjpeg_turbo_encodings_decode_identically() {
    use turbojpeg::Subsamp::*;
    for (i, &(w, h)) in [(1001u32, 667u32), (1024, 768), (1037, 1029), (64, 48), (9, 7), (1, 1), (1200, 17)].iter().enumerate() {
        let img = photo(w, h, 7 + i as u64);
        for s in [None, Sub2x1, Sub2x2, Sub1x2, Sub4x1, Sub1x4, Gray] {
            for q in [30, 75, 92, 100] {
                assert_same(&tj(&img, q, s), &format!("{w}x{h} {s:?} q{q}"));
            }
        }
    }
}

#[test]
fn image_crate_encodings_decode_identically() {
    for (i, &(w, h)) in [(1001u32, 667u32), (333, 1111), (17, 9)].iter().enumerate() {
        let img = photo(w, h, 100 + i as u64);
        for q in [40, 85, 95] {
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q).encode_image(&img).unwrap();
            assert_same(&out, &format!("image crate {w}x{h} q{q}"));
            let grey = image::DynamicImage::ImageRgb8(img.clone()).into_luma8();
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q).encode_image(&grey).unwrap();
            assert_same(&out, &format!("image crate grey {w}x{h} q{q}"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A small baseline encoder: what the two encoders above cannot be asked for.

struct Opts {
    /// Sampling factors of each component (1 component = grey).
    sampling: Vec<(usize, usize)>,
    quality: u32,
    restart: u16,
    dqt16: bool,
    /// Extra 0xFF fill bytes before every marker after the first scan byte.
    fill: bool,
}

fn quant(quality: u32, chroma: bool) -> [u16; 64] {
    // Annex K tables in zig-zag order are not needed: any table works, scaled like libjpeg.
    const L: [u16; 64] = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109,
        103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];
    const C: [u16; 64] = [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];
    let scale = if quality < 50 { 5000 / quality } else { 200 - 2 * quality };
    let base = if chroma { C } else { L };
    base.map(|b| ((u32::from(b) * scale + 50) / 100).clamp(1, 255) as u16)
}

const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29,
    22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

fn fdct(b: &[f32; 64]) -> [f32; 64] {
    let c = |u: usize| if u == 0 { std::f32::consts::FRAC_1_SQRT_2 } else { 1.0 };
    let mut tmp = [0f32; 64];
    let mut out = [0f32; 64];
    for y in 0..8 {
        for u in 0..8 {
            let mut s = 0.0;
            for x in 0..8 {
                s += b[y * 8 + x] * (((2 * x + 1) as f32 * u as f32 * std::f32::consts::PI) / 16.0).cos();
            }
            tmp[y * 8 + u] = s * c(u) / 2.0;
        }
    }
    for u in 0..8 {
        for v in 0..8 {
            let mut s = 0.0;
            for y in 0..8 {
                s += tmp[y * 8 + u] * (((2 * y + 1) as f32 * v as f32 * std::f32::consts::PI) / 16.0).cos();
            }
            out[v * 8 + u] = s * c(v) / 2.0;
        }
    }
    out
}

/// Annex K.2 (libjpeg's `jpeg_gen_optimal_table`): code lengths ≤ 16 from symbol counts.
fn optimal_table(freq_in: &[u64; 256]) -> ([u8; 16], Vec<u8>) {
    let mut freq = [0u64; 257];
    freq[..256].copy_from_slice(freq_in);
    freq[256] = 1;
    let mut size = [0usize; 257];
    let mut others = [usize::MAX; 257];
    loop {
        let mut c1 = usize::MAX;
        let mut v = u64::MAX;
        for (i, &f) in freq.iter().enumerate() {
            if f != 0 && f <= v {
                v = f;
                c1 = i;
            }
        }
        let mut c2 = usize::MAX;
        v = u64::MAX;
        for (i, &f) in freq.iter().enumerate() {
            if f != 0 && f <= v && i != c1 {
                v = f;
                c2 = i;
            }
        }
        if c2 == usize::MAX {
            break;
        }
        freq[c1] += freq[c2];
        freq[c2] = 0;
        size[c1] += 1;
        while others[c1] != usize::MAX {
            c1 = others[c1];
            size[c1] += 1;
        }
        others[c1] = c2;
        size[c2] += 1;
        while others[c2] != usize::MAX {
            c2 = others[c2];
            size[c2] += 1;
        }
    }
    let mut bits = [0u32; 40];
    for &s in &size {
        if s > 0 {
            bits[s] += 1;
        }
    }
    for i in (17..40).rev() {
        while bits[i] > 0 {
            let mut j = i - 2;
            while bits[j] == 0 {
                j -= 1;
            }
            bits[i] -= 2;
            bits[i - 1] += 1;
            bits[j + 1] += 2;
            bits[j] -= 1;
        }
    }
    let mut i = 16;
    while bits[i] == 0 {
        i -= 1;
    }
    bits[i] -= 1;
    let mut vals = Vec::new();
    for len in 1..40 {
        for (j, &s) in size.iter().enumerate().take(256) {
            if s == len {
                vals.push(j as u8);
            }
        }
    }
    let mut out = [0u8; 16];
    for l in 1..=16 {
        out[l - 1] = bits[l] as u8;
    }
    (out, vals)
}

fn codes(bits: &[u8; 16], vals: &[u8]) -> [(u32, u32); 256] {
    let mut t = [(0u32, 0u32); 256];
    let (mut code, mut k) = (0u32, 0usize);
    for l in 1..=16u32 {
        for _ in 0..bits[l as usize - 1] {
            t[vals[k] as usize] = (code, l);
            code += 1;
            k += 1;
        }
        code <<= 1;
    }
    t
}

struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, v: u32, len: u32) {
        if len == 0 {
            return;
        }
        self.acc = (self.acc << len) | u64::from(v & ((1 << len) - 1));
        self.n += len;
        while self.n >= 8 {
            let b = (self.acc >> (self.n - 8)) as u8;
            self.out.push(b);
            if b == 0xFF {
                self.out.push(0);
            }
            self.n -= 8;
        }
    }
    fn flush(&mut self) {
        let pad = (8 - self.n % 8) % 8;
        self.put((1 << pad) - 1, pad);
    }
}

fn encode(img: &RgbImage, o: &Opts) -> Vec<u8> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let nc = o.sampling.len();
    let max_h = o.sampling.iter().map(|s| s.0).max().unwrap();
    let max_v = o.sampling.iter().map(|s| s.1).max().unwrap();
    // Full-resolution YCbCr planes.
    let mut full = vec![vec![0f32; w * h]; nc];
    for (i, p) in img.pixels().enumerate() {
        let (r, g, b) = (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        full[0][i] = y;
        if nc == 3 {
            full[1][i] = -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128.0;
            full[2][i] = 0.5 * r - 0.418_688 * g - 0.081_312 * b + 128.0;
        }
    }
    let interleaved = nc > 1;
    let (mcux, mcuy) = if interleaved { (w.div_ceil(8 * max_h), h.div_ceil(8 * max_v)) } else { (w.div_ceil(8), h.div_ceil(8)) };
    let qt: Vec<[u16; 64]> = (0..nc).map(|c| quant(o.quality, c > 0)).collect();
    // Quantised blocks per component, in MCU order.
    let mut blocks: Vec<Vec<[i32; 64]>> = vec![Vec::new(); nc];
    let sample = |c: usize, x: usize, y: usize| -> f32 {
        // Component c's sample (x, y): box average of the full-resolution pixels it covers.
        let (fx, fy) = (max_h / o.sampling[c].0, max_v / o.sampling[c].1);
        let (fx, fy) = if interleaved { (fx, fy) } else { (1, 1) };
        let mut s = 0.0;
        for dy in 0..fy {
            for dx in 0..fx {
                let px = (x * fx + dx).min(w - 1);
                let py = (y * fy + dy).min(h - 1);
                s += full[c][py * w + px];
            }
        }
        s / (fx * fy) as f32
    };
    let mut order = Vec::new(); // (component, block x, block y) in stream order
    for my in 0..mcuy {
        for mx in 0..mcux {
            for c in 0..nc {
                let (bh, bv) = if interleaved { o.sampling[c] } else { (1, 1) };
                for by in 0..bv {
                    for bx in 0..bh {
                        order.push((c, mx * bh + bx, my * bv + by));
                    }
                }
            }
        }
    }
    for &(c, bx, by) in &order {
        let mut b = [0f32; 64];
        for y in 0..8 {
            for x in 0..8 {
                b[y * 8 + x] = sample(c, bx * 8 + x, by * 8 + y) - 128.0;
            }
        }
        let d = fdct(&b);
        let mut q = [0i32; 64];
        for k in 0..64 {
            q[k] = (d[ZIGZAG[k]] / f32::from(qt[c][ZIGZAG[k]])).round() as i32;
        }
        blocks[c].push(q);
    }
    // Symbol statistics for optimal tables (DC: table 0 luma, 1 chroma; AC likewise).
    let tab = |c: usize| usize::from(c > 0);
    let mut dcf = [[0u64; 256]; 2];
    let mut acf = [[0u64; 256]; 2];
    let cat = |v: i32| 32 - v.unsigned_abs().leading_zeros();
    let mut idx = vec![0usize; nc];
    let mut pred = vec![0i32; nc];
    let mut symbols: Vec<(usize, bool, u8, i32, u32)> = Vec::new(); // (table, is_dc, symbol, magnitude bits, their count)
    let mut restarts = Vec::new(); // symbol index where an RST goes
    let mcus_per_block_list: Vec<usize> = (0..nc).map(|c| if interleaved { o.sampling[c].0 * o.sampling[c].1 } else { 1 }).collect();
    let total_mcus = mcux * mcuy;
    for m in 0..total_mcus {
        if o.restart != 0 && m > 0 && m % usize::from(o.restart) == 0 {
            restarts.push(symbols.len());
            pred.iter_mut().for_each(|p| *p = 0);
        }
        for c in 0..nc {
            for _ in 0..mcus_per_block_list[c] {
                let b = blocks[c][idx[c]];
                idx[c] += 1;
                let diff = b[0] - pred[c];
                pred[c] = b[0];
                let s = cat(diff);
                dcf[tab(c)][s as usize] += 1;
                symbols.push((tab(c), true, s as u8, if diff < 0 { diff - 1 } else { diff }, s));
                let mut run = 0;
                let last = (1..64).rev().find(|&k| b[k] != 0).unwrap_or(0);
                for &bk in &b[1..=last] {
                    if bk == 0 {
                        run += 1;
                        continue;
                    }
                    while run > 15 {
                        acf[tab(c)][0xF0] += 1;
                        symbols.push((tab(c), false, 0xF0, 0, 0));
                        run -= 16;
                    }
                    let s = cat(bk).min(15);
                    let sym = ((run << 4) | s) as u8;
                    acf[tab(c)][sym as usize] += 1;
                    symbols.push((tab(c), false, sym, if bk < 0 { bk - 1 } else { bk }, s));
                    run = 0;
                }
                if last < 63 {
                    acf[tab(c)][0] += 1;
                    symbols.push((tab(c), false, 0, 0, 0));
                }
            }
        }
    }
    let ntab = if nc > 1 { 2 } else { 1 };
    let dct: Vec<([u8; 16], Vec<u8>)> = (0..ntab).map(|t| optimal_table(&dcf[t])).collect();
    let act: Vec<([u8; 16], Vec<u8>)> = (0..ntab).map(|t| optimal_table(&acf[t])).collect();
    let dcc: Vec<[(u32, u32); 256]> = dct.iter().map(|(b, v)| codes(b, v)).collect();
    let acc: Vec<[(u32, u32); 256]> = act.iter().map(|(b, v)| codes(b, v)).collect();

    let mut out = vec![0xFF, 0xD8];
    let seg = |out: &mut Vec<u8>, m: u8, body: &[u8]| {
        out.extend_from_slice(&[0xFF, m]);
        out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(body);
    };
    seg(&mut out, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    seg(&mut out, 0xFE, b"threadline test encoder");
    for (i, t) in qt.iter().enumerate().take(ntab) {
        let mut body = vec![(u8::from(o.dqt16) << 4) | i as u8];
        for k in 0..64 {
            let v = t[ZIGZAG[k]];
            if o.dqt16 {
                body.extend_from_slice(&v.to_be_bytes());
            } else {
                body.push(v as u8);
            }
        }
        seg(&mut out, 0xDB, &body);
    }
    let mut sof = vec![8];
    sof.extend_from_slice(&(h as u16).to_be_bytes());
    sof.extend_from_slice(&(w as u16).to_be_bytes());
    sof.push(nc as u8);
    for (c, &(hs, vs)) in o.sampling.iter().enumerate() {
        sof.extend_from_slice(&[c as u8 + 1, ((hs << 4) | vs) as u8, tab(c) as u8]);
    }
    seg(&mut out, 0xC0, &sof);
    for t in 0..ntab {
        for (class, (bits, vals)) in [(0u8, &dct[t]), (1, &act[t])] {
            let mut body = vec![(class << 4) | t as u8];
            body.extend_from_slice(bits);
            body.extend_from_slice(vals);
            seg(&mut out, 0xC4, &body);
        }
    }
    if o.restart != 0 {
        seg(&mut out, 0xDD, &o.restart.to_be_bytes());
    }
    let mut sos = vec![nc as u8];
    for c in 0..nc {
        sos.extend_from_slice(&[c as u8 + 1, ((tab(c) << 4) | tab(c)) as u8]);
    }
    sos.extend_from_slice(&[0, 63, 0]);
    seg(&mut out, 0xDA, &sos);
    let mut bw = BitWriter { out, acc: 0, n: 0 };
    let mut next_r = 0;
    for (i, &(t, is_dc, sym, v, s)) in symbols.iter().enumerate() {
        if restarts.get(next_r) == Some(&i) {
            bw.flush();
            if o.fill {
                bw.out.extend_from_slice(&[0xFF, 0xFF]);
            }
            bw.out.extend_from_slice(&[0xFF, 0xD0 + (next_r % 8) as u8]);
            next_r += 1;
        }
        let (code, len) = if is_dc { dcc[t][sym as usize] } else { acc[t][sym as usize] };
        assert!(len > 0);
        bw.put(code, len);
        bw.put(v as u32, s);
    }
    bw.flush();
    let mut out = bw.out;
    if o.fill {
        out.extend_from_slice(&[0xFF, 0xFF, 0xFF]);
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

#[test]
fn crafted_encodings_decode_identically() {
    let samplings: Vec<Vec<(usize, usize)>> = vec![
        vec![(1, 1)],
        vec![(2, 2)],
        vec![(1, 1), (1, 1), (1, 1)],
        vec![(2, 1), (1, 1), (1, 1)],
        vec![(2, 2), (1, 1), (1, 1)],
        vec![(1, 2), (1, 1), (1, 1)],
        vec![(4, 1), (1, 1), (1, 1)],
        vec![(1, 4), (1, 1), (1, 1)],
        vec![(2, 2), (2, 1), (1, 2)],
        vec![(1, 1), (2, 2), (2, 2)],
        vec![(2, 2), (2, 2), (1, 1)],
        vec![(4, 2), (1, 1), (1, 1)],
        vec![(3, 1), (1, 1), (1, 1)],
    ];
    let mut handled = 0;
    for (i, s) in samplings.iter().enumerate() {
        for (j, &(w, h, q, restart, dqt16, fill)) in
            [(203u32, 131u32, 90u32, 0u16, false, false), (97, 211, 60, 1, true, true), (250, 120, 98, 7, false, true), (64, 64, 20, 3, true, false)].iter().enumerate()
        {
            let img = photo(w, h, 1000 + (i * 10 + j) as u64);
            let o = Opts { sampling: s.clone(), quality: q, restart, dqt16, fill };
            let bytes = encode(&img, &o);
            let what = format!("sampling {s:?}, {w}x{h} q{q} restart {restart} dqt16 {dqt16} fill {fill}");
            let t = turbo_eighth(&bytes).unwrap_or_else(|| panic!("{what}: libjpeg-turbo refused it"));
            match dc_eighth(&bytes) {
                Ok(d) => {
                    let (max, n, _) = diff(&t, &d);
                    assert!(n == 0, "{what}: {n} bytes differ from libjpeg-turbo, max {max}");
                    handled += 1;
                }
                // Layouts that need a 4×4 IDCT are left to libjpeg-turbo.
                Err(DcError::NotHandled(e)) => assert!(e.contains("IDCT size"), "{what}: {e}"),
                Err(e) => panic!("{what}: {e}"),
            }
        }
    }
    assert!(handled >= 48, "{handled}");
}

#[test]
fn the_default_backend_uses_it_at_one_eighth_only() {
    let img = photo(1400, 1050, 5);
    let j = tj(&img, 90, turbojpeg::Subsamp::Sub2x2);
    let auto = decode::decode_small_with(&j, JpegBackend::Auto).unwrap();
    let dc = decode::decode_small_with(&j, JpegBackend::Dc).unwrap();
    let turbo = decode::decode_small_with(&j, JpegBackend::Turbo).unwrap();
    assert_eq!(auto.rgb.dimensions(), (175, 132));
    assert_eq!(auto.rgb, dc.rgb);
    assert_eq!(auto.rgb, turbo.rgb);
    // 1/4 wanted: the DC decoder declines, the default still decodes.
    let small = tj(&photo(800, 600, 6), 90, turbojpeg::Subsamp::Sub2x2);
    assert_eq!(decode::decode_small_with(&small, JpegBackend::Dc).unwrap_err().status(), "unsupported");
    assert_eq!(decode::decode_small_with(&small, JpegBackend::Auto).unwrap().rgb.dimensions(), (200, 150));
    // Progressive: declined, libjpeg-turbo decodes it.
    let mut c = turbojpeg::Compressor::new().unwrap();
    c.set_progressive(true).unwrap();
    c.set_quality(85).unwrap();
    let t = turbojpeg::Image { pixels: img.as_raw().as_slice(), width: 1400, pitch: 4200, height: 1050, format: turbojpeg::PixelFormat::RGB };
    let prog = c.compress_to_vec(t).unwrap();
    assert!(matches!(dc_eighth(&prog), Err(DcError::NotHandled(_))));
    assert_eq!(decode::decode_small_with(&prog, JpegBackend::Auto).unwrap().rgb.dimensions(), (175, 132));
}

/// Damaged files: never a panic; a truncated file is an error (libjpeg-turbo warns on it, and
/// the default path then behaves as before). Where both decoders give an image, they agree.
#[test]
fn damaged_jpegs_never_panic() {
    let img = photo(160, 120, 77);
    let bases = [
        tj(&img, 85, turbojpeg::Subsamp::Sub2x2),
        tj(&img, 95, turbojpeg::Subsamp::None),
        encode(&img, &Opts { sampling: vec![(2, 2), (1, 1), (1, 1)], quality: 80, restart: 2, dqt16: false, fill: false }),
    ];
    let mut r = Rng::new(2024);
    let (mut ok, mut both, mut differ, mut only_here) = (0, 0, 0, 0);
    for base in &bases {
        for cut in [1, 2, 3, 10, 100, base.len() / 2, base.len() - 3, base.len() - 2, base.len() - 1] {
            assert!(dc_eighth(&base[..cut]).is_err(), "truncated to {cut}");
        }
    }
    for i in 0..3000 {
        let mut b = bases[i % bases.len()].clone();
        let edits = 1 + r.below(4);
        for _ in 0..edits {
            let at = r.below(b.len() as u64) as usize;
            match r.below(5) {
                0 => b[at] ^= 1 << r.below(8),
                1 => b[at] = r.below(256) as u8,
                2 => b.truncate(at.max(1)),
                3 => b.insert(at, r.below(256) as u8),
                _ => {
                    b.remove(at);
                }
            }
            if b.is_empty() {
                b.push(0xFF);
            }
        }
        if let Ok(d) = dc_eighth(&b) {
            ok += 1;
            if let Some(t) = turbo_eighth(&b) {
                both += 1;
                if t != d {
                    differ += 1;
                }
            } else {
                only_here += 1;
            }
        }
    }
    eprintln!("mutations: {ok} decoded, {both} also by libjpeg-turbo, {differ} of those differ, {only_here} refused by libjpeg-turbo");
    assert!(ok > 0);
    assert_eq!(differ, 0);
}

fn compare_folder(dir: &std::path::Path, recurse: bool) -> (usize, usize, usize, Vec<String>) {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() && recurse {
                stack.push(p);
            } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "jpg" | "jpeg")) {
                files.push(p);
            }
        }
    }
    files.sort();
    let (mut same, mut declined, mut refused_by_turbo) = (0, 0, 0);
    let mut differ = Vec::new();
    for p in &files {
        let b = std::fs::read(p).unwrap();
        let d = dc_eighth(&b);
        let t = turbo_eighth(&b);
        match (d, t) {
            (Ok(d), Some(t)) => {
                let (max, n, lmax) = diff(&t, &d);
                if n == 0 {
                    same += 1;
                } else {
                    differ.push(format!("{}: {n} bytes differ, max {max}, luma max {lmax}", p.display()));
                }
            }
            (Ok(_), None) => {
                refused_by_turbo += 1;
                let why = decode::decode_small_with(&b, JpegBackend::Turbo).err().map(|e| e.to_string()).unwrap_or_default();
                eprintln!("{}: decoded here, refused by libjpeg-turbo ({why})", p.display());
            }
            (Err(e), t) => {
                declined += 1;
                eprintln!("{}: declined ({e}); libjpeg-turbo {}", p.display(), if t.is_some() { "decodes it" } else { "refuses it too" });
            }
        }
    }
    eprintln!("{}: {} JPEGs, {same} identical, {} differ, {declined} declined, {refused_by_turbo} refused by libjpeg-turbo only", dir.display(), files.len(), differ.len());
    (same, declined, refused_by_turbo, differ)
}

#[test]
fn pillow_test_images_decode_identically_or_are_declined() {
    let Some(dir) = std::env::var_os("THREADLINE_PILLOW_IMAGES") else {
        eprintln!("THREADLINE_PILLOW_IMAGES not set: skipped");
        return;
    };
    let (same, _, refused_by_turbo, differ) = compare_folder(std::path::Path::new(&dir), true);
    assert!(differ.is_empty(), "{differ:#?}");
    // What libjpeg-turbo refuses goes to jpeg-decoder as before, not to the DC decoder.
    assert_eq!(refused_by_turbo, 0);
    assert!(same > 10, "{same}");
}

/// The benchmark corpus, when it is on this machine (`threadline bench images` makes it).
#[test]
fn bench_corpus_decodes_identically() {
    let dir = std::env::var_os("THREADLINE_BENCH_IMAGES").map(std::path::PathBuf::from).or_else(|| {
        std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cache/threadline/bench-images/12mp-v1")).filter(|p| p.is_dir())
    });
    let Some(dir) = dir else {
        eprintln!("no benchmark corpus: skipped");
        return;
    };
    let (same, declined, _, differ) = compare_folder(&dir, false);
    assert!(differ.is_empty(), "{differ:#?}");
    assert_eq!(declined, 0);
    assert!(same > 0);
}

/// Timing on the benchmark corpus (run by hand: `cargo test --release --test dcjpeg -- --ignored
/// --nocapture`); `threadline bench images` is the reference.
#[test]
#[ignore]
fn time_bench_corpus() {
    let dir = std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cache/threadline/bench-images/12mp-v1")).unwrap();
    let files: Vec<Vec<u8>> = (0..20).filter_map(|i| std::fs::read(dir.join(format!("img-{i:05}.jpg"))).ok()).collect();
    let (mut dc, mut tj) = (f64::MAX, f64::MAX);
    for _ in 0..7 {
        let t = std::time::Instant::now();
        for f in &files {
            std::hint::black_box(dc_eighth(f).unwrap());
        }
        dc = dc.min(t.elapsed().as_secs_f64() * 1e3 / files.len() as f64);
        let t = std::time::Instant::now();
        for f in &files {
            std::hint::black_box(turbo_eighth(f).unwrap());
        }
        tj = tj.min(t.elapsed().as_secs_f64() * 1e3 / files.len() as f64);
    }
    eprintln!("best of 7: DC decoder {dc:.2} ms/image, libjpeg-turbo {tj:.2} ms/image, ratio {:.2}", tj / dc);
}
