//! Thumbnails: sizes, the blurred variant really hides detail (high-frequency energy, two different
//! "texts" give the same blur), storage by content hash (identical files share one row), the
//! backfill over an ingested case, and `threadline thumb` (blurred by default, `--reveal` audited).
//! Every image is drawn here.

mod common;

use std::path::Path;

use common::*;
use image::{Rgb, RgbImage};
use threadline::media::thumbs;

/// A picture with sharp structure: gradient background, a face-like drawing (disc, eyes, mouth),
/// a checkerboard patch, text-like strokes, and noise.
fn picture(w: u32, h: u32, seed: u32) -> RgbImage {
    picture_with(w, h, seed, true)
}

/// [`picture`], with or without the face's eyes and mouth (same noise either way).
fn picture_with(w: u32, h: u32, seed: u32, features: bool) -> RgbImage {
    let mut rng = seed.wrapping_mul(2_654_435_761).max(1);
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        rng
    };
    let (cx, cy, r) = (w as f32 * 0.3, h as f32 * 0.45, h as f32 * 0.25);
    RgbImage::from_fn(w, h, |x, y| {
        let (xf, yf) = (x as f32, y as f32);
        let mut p = [(x * 200 / w) as u8 + 30, (y * 180 / h) as u8 + 40, ((seed * 37) % 200) as u8 + 20];
        let d = ((xf - cx).powi(2) + (yf - cy).powi(2)).sqrt();
        if d < r {
            p = [230, 190, 160];
            let eye = |ex: f32| ((xf - ex).powi(2) + (yf - (cy - r * 0.3)).powi(2)).sqrt() < r * 0.12;
            if features && eye(cx - r * 0.4) || eye(cx + r * 0.4) || ((yf - (cy + r * 0.45)).abs() < r * 0.06 && (xf - cx).abs() < r * 0.5) {
                p = [20, 20, 20];
            }
        }
        if x > w * 6 / 10 && y < h / 2 && ((x / 6) + (y / 6)) % 2 == 0 {
            p = [0, 0, 0];
        }
        if x > w * 6 / 10 && y > h * 6 / 10 && (y % 14 < 3 || (x % 11 < 2 && y % 14 < 10)) {
            p = [10, 10, 60];
        }
        let n = (next() % 24) as i32 - 12;
        p.map(|v| (i32::from(v) + n).clamp(0, 255) as u8).into()
    })
}

fn gray(img: &RgbImage) -> Vec<Vec<f64>> {
    (0..img.height()).map(|y| (0..img.width()).map(|x| img.get_pixel(x, y).0.iter().map(|&v| f64::from(v)).sum::<f64>() / 3.0).collect()).collect()
}

/// Mean squared discrete Laplacian: the energy of the finest detail (edges, strokes, noise).
fn hf_energy(img: &RgbImage) -> f64 {
    let g = gray(img);
    let (h, w) = (g.len(), g[0].len());
    let mut sum = 0.0;
    let mut n = 0.0;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let l = 4.0 * g[y][x] - g[y - 1][x] - g[y + 1][x] - g[y][x - 1] - g[y][x + 1];
            sum += l * l;
            n += 1.0;
        }
    }
    sum / n
}

/// Largest difference between neighbouring pixels (grey levels): how sharp the sharpest edge is.
fn max_step(img: &RgbImage) -> f64 {
    let g = gray(img);
    let mut m: f64 = 0.0;
    for y in 0..g.len() - 1 {
        for x in 0..g[0].len() - 1 {
            m = m.max((g[y][x] - g[y][x + 1]).abs()).max((g[y][x] - g[y + 1][x]).abs());
        }
    }
    m
}

fn mean_abs_diff(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    a.as_raw().iter().zip(b.as_raw()).map(|(&x, &y)| (f64::from(x) - f64::from(y)).abs()).sum::<f64>() / a.as_raw().len() as f64
}

fn max_abs_diff(a: &RgbImage, b: &RgbImage) -> u8 {
    a.as_raw().iter().zip(b.as_raw()).map(|(&x, &y)| x.abs_diff(y)).max().unwrap_or(0)
}

#[test]
fn thumbnails_keep_aspect_and_are_never_enlarged() {
    for &(w, h, tw, th) in &[(640u32, 480u32, 160u32, 120u32), (480, 640, 120, 160), (1000, 100, 160, 16), (90, 60, 90, 60), (1, 1, 1, 1)] {
        let t = thumbs::make(&picture(w, h, 3)).unwrap();
        assert_eq!((t.width, t.height), (tw, th), "{w}×{h}");
        let sharp = thumbs::decode_jpeg(&t.jpeg).unwrap();
        let blurred = thumbs::decode_jpeg(&t.blurred).unwrap();
        assert_eq!(sharp.dimensions(), (tw, th));
        assert_eq!(blurred.dimensions(), (tw, th), "the blurred variant has the sharp one's size, so a grid does not jump on reveal");
    }
    // The sharp thumbnail is the picture, scaled.
    let img = picture(640, 480, 5);
    let t = thumbs::make(&img).unwrap();
    let want = image::imageops::thumbnail(&img, 160, 120);
    let d = mean_abs_diff(&thumbs::decode_jpeg(&t.jpeg).unwrap(), &want);
    assert!(d < 8.0, "sharp thumbnail differs from the scaled picture by {d:.1} levels on average");
    assert!(t.jpeg.len() < 20_000, "a thumbnail is small: {} bytes", t.jpeg.len());
    assert!(thumbs::make(&RgbImage::new(0, 5)).is_err());
}

#[test]
fn blurred_thumbnail_is_really_blurred() {
    for seed in 1..=4 {
        let img = picture(800, 600, seed);
        let t = thumbs::make(&img).unwrap();
        let sharp = thumbs::decode_jpeg(&t.jpeg).unwrap();
        let blurred = thumbs::decode_jpeg(&t.blurred).unwrap();
        let (es, eb) = (hf_energy(&sharp), hf_energy(&blurred));
        println!("seed {seed}: high-frequency energy sharp {es:.1}, blurred {eb:.3} (ratio {:.5}); max step sharp {:.0}, blurred {:.1}; sizes {} / {} bytes", eb / es, max_step(&sharp), max_step(&blurred), t.jpeg.len(), t.blurred.len());
        assert!(es > 100.0, "the test picture has sharp detail ({es})");
        assert!(eb < es / 500.0, "blurred high-frequency energy {eb} is not far below the sharp one's {es}");
        assert!(max_step(&blurred) < 8.0, "no edge survives the blur (largest step between neighbours {})", max_step(&blurred));
        assert!(t.blurred.len() < t.jpeg.len() / 2, "the blurred JPEG carries little information ({} vs {} bytes)", t.blurred.len(), t.jpeg.len());
    }
}

#[test]
fn blurred_thumbnail_hides_text_and_faces() {
    // Two images identical but for what is "written" in a block: different strokes with the same
    // amount of ink. Sharp thumbnails tell them apart; blurred ones must not.
    let base = picture(640, 480, 9);
    let write = |pattern: u32| {
        let mut img = base.clone();
        for y in 300..420u32 {
            for x in 380..600u32 {
                let (cx, cy) = ((x - 380) / 8, (y - 300) / 12);
                // each 8×12 cell gets the same ink (32 pixels) in one of three shapes
                let glyph = (cx * 7 + cy * 13 + pattern * 5) % 3;
                let (lx, ly) = ((x - 380) % 8, (y - 300) % 12);
                let ink = match glyph {
                    0 => lx < 4 && ly < 8,
                    1 => lx >= 4 && ly >= 4,
                    _ => lx < 4 && ly >= 4,
                };
                img.put_pixel(x, y, if ink { Rgb([0, 0, 0]) } else { Rgb([250, 250, 250]) });
            }
        }
        img
    };
    let (a, b) = (thumbs::make(&write(1)).unwrap(), thumbs::make(&write(2)).unwrap());
    let (sa, sb) = (thumbs::decode_jpeg(&a.jpeg).unwrap(), thumbs::decode_jpeg(&b.jpeg).unwrap());
    let (ba, bb) = (thumbs::decode_jpeg(&a.blurred).unwrap(), thumbs::decode_jpeg(&b.blurred).unwrap());
    let (ds, db) = (max_abs_diff(&sa, &sb), max_abs_diff(&ba, &bb));
    println!("two texts: sharp thumbnails differ by up to {ds} levels, blurred by up to {db}");
    assert!(ds > 60, "the sharp thumbnails show the text ({ds})");
    assert!(db <= 8, "the blurred thumbnails must not tell the texts apart ({db})");

    // A face and the same face with its features removed blur to nearly the same picture.
    let face = picture(640, 480, 11);
    let blank = picture_with(640, 480, 11, false);
    let (fa, fb) = (thumbs::make(&face).unwrap(), thumbs::make(&blank).unwrap());
    let d = mean_abs_diff(&thumbs::decode_jpeg(&fa.blurred).unwrap(), &thumbs::decode_jpeg(&fb.blurred).unwrap());
    println!("face with and without eyes and mouth: blurred thumbnails differ by {d:.2} levels on average");
    assert!(d < 4.0, "facial features leave a visible trace in the blur ({d})");
}

fn jpeg_file(img: &RgbImage, q: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q).encode_image(img).unwrap();
    out
}

fn png_file(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img.clone()).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

fn file_id(case: &Path, suffix: &str) -> i64 {
    db(case).query_row("SELECT id FROM files WHERE path LIKE ?1", [format!("%{suffix}")], |r| r.get(0)).unwrap()
}

/// Evidence folder: three distinct images, one duplicated under another name, one corrupt.
fn evidence(root: &Path) -> (Vec<u8>, Vec<u8>) {
    let dcim = root.join("DCIM");
    std::fs::create_dir_all(&dcim).unwrap();
    let a = jpeg_file(&picture(1200, 900, 1), 88);
    let b = png_file(&picture(300, 400, 2));
    std::fs::write(dcim.join("IMG_0001.JPG"), &a).unwrap();
    std::fs::write(dcim.join("IMG_0002.PNG"), &b).unwrap();
    std::fs::write(dcim.join("IMG_0003.JPG"), jpeg_file(&picture(640, 480, 3), 75)).unwrap();
    std::fs::write(root.join("copy_of_0001.jpg"), &a).unwrap();
    std::fs::write(root.join("broken.jpg"), b"\xFF\xD8\xFF\xE0 not really a jpeg").unwrap();
    std::fs::write(root.join("notes.txt"), b"nothing to see").unwrap();
    (a, b)
}

#[test]
fn store_keeps_one_row_per_content() {
    let t = tempfile::tempdir().unwrap();
    let case = new_case(t.path());
    let th = thumbs::make(&picture(400, 300, 4)).unwrap();
    let sha = "AB".repeat(32);
    let c = db(&case);
    assert!(thumbs::store(&c, &sha, &th).unwrap(), "first store writes");
    assert!(!thumbs::store(&c, &sha, &th).unwrap(), "same content, same version: kept");
    assert!(thumbs::store(&c, "not-a-hash", &th).is_err());
    assert_eq!(count(&case, "SELECT count(*) FROM thumbnails"), 1);
    drop(c);
    let opened = threadline::case::Case::open_read_only(&case).unwrap();
    let got = thumbs::get(&opened, &"ab".repeat(32)).unwrap().unwrap();
    assert_eq!((got.width, got.height, got.jpeg.as_slice(), got.blurred.as_slice()), (160, 120, th.jpeg.as_slice(), th.blurred.as_slice()));
    assert_eq!(got.version, thumbs::VERSION);
    assert!(thumbs::get(&opened, &"cd".repeat(32)).unwrap().is_none());
}

#[test]
fn backfill_and_thumb_command() {
    let t = tempfile::tempdir().unwrap();
    let ev = t.path().join("evidence");
    let (a, b) = evidence(&ev);
    let case = new_case(t.path());
    let (code, _, out) = ingest_json(&case, &ev, &[]);
    assert_eq!(code, 0, "{out}");
    let ok_contents = count(&case, "SELECT count(DISTINCT f.sha256) FROM image_hashes h JOIN files f ON f.id = h.file_id WHERE h.status = 'ok'");
    assert_eq!(ok_contents, 3, "three distinct decodable images");

    // The image pass made them from the ingest's own decode.
    assert_eq!(count(&case, "SELECT count(*) FROM thumbnails"), ok_contents, "one thumbnail per distinct content, made at ingest");
    // A case from before thumbnails (rows removed here): backfill makes them from the evidence.
    db(&case).execute("DELETE FROM thumbnails", []).unwrap();
    let before = count(&case, "SELECT count(*) FROM thumbnails");
    assert_eq!(before, 0);
    let o = run(&[&"thumb", &case, &"--backfill", &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["missing"].as_i64().unwrap(), ok_contents - before, "{r}");
    assert_eq!(r["made"], r["missing"], "{r}");
    assert_eq!(count(&case, "SELECT count(*) FROM thumbnails"), ok_contents, "one thumbnail per distinct content (the copy shares one)");
    assert_eq!(
        count(&case, "SELECT count(*) FROM image_hashes h JOIN files f ON f.id = h.file_id WHERE h.status = 'ok' AND f.sha256 NOT IN (SELECT sha256 FROM thumbnails)"),
        0
    );
    if r["made"].as_i64().unwrap() > 0 {
        assert!(count(&case, "SELECT count(*) FROM runs WHERE name = 'thumbnails' AND status = 'ok'") >= 1);
    }
    assert_eq!(count(&case, "SELECT count(*) FROM audit_log WHERE action = 'thumbs.backfill'"), 1);
    // Nothing left to do the second time.
    let o = run(&[&"thumb", &case, &"--backfill", &"--json"]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((r["missing"].as_i64(), r["made"].as_i64()), (Some(0), Some(0)), "{r}");

    // Blurred by default, by file id; not audited; a read-only open is enough.
    let audits = count(&case, "SELECT count(*) FROM audit_log");
    let id1 = file_id(&case, "/DCIM/IMG_0001.JPG");
    let blurred_out = t.path().join("b.jpg");
    let o = run(&[&"thumb", &case, &id1.to_string(), &"--out", &blurred_out, &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["variant"], "blurred");
    let sha_a = sha256_hex(&a);
    let (stored_sharp, stored_blurred): (Vec<u8>, Vec<u8>) = db(&case).query_row("SELECT jpeg, blurred FROM thumbnails WHERE sha256 = ?1", [&sha_a], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(std::fs::read(&blurred_out).unwrap(), stored_blurred);
    assert_eq!(count(&case, "SELECT count(*) FROM audit_log"), audits, "showing the blurred thumbnail is not a reveal");
    let img = thumbs::decode_jpeg(&stored_blurred).unwrap();
    assert_eq!(img.dimensions(), (160, 120));

    // The copy (same content) resolves to the same thumbnail, by SHA-256 too.
    let by_sha = t.path().join("s.jpg");
    let o = run(&[&"thumb", &case, &sha_a.to_uppercase(), &"--out", &by_sha]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read(&by_sha).unwrap(), stored_blurred);
    let copy = file_id(&case, "/copy_of_0001.jpg");
    let by_copy = t.path().join("c.jpg");
    let o = run(&[&"thumb", &case, &copy.to_string(), &"--out", &by_copy]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read(&by_copy).unwrap(), stored_blurred);

    // A thumbnail never replaces a file: not an earlier export, not the case itself.
    let case_bytes = std::fs::read(&case).unwrap();
    for existing in [by_copy.clone(), std::path::PathBuf::from(&case)] {
        let o = run(&[&"thumb", &case, &id1.to_string(), &"--out", &existing]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("already exists"), "{}", text(&o));
    }
    assert_eq!(std::fs::read(&by_copy).unwrap(), stored_blurred);
    assert_eq!(std::fs::read(&case).unwrap(), case_bytes, "the case file is untouched");

    // --reveal writes the sharp one and records who, what and why.
    let sharp_out = t.path().join("sharp.jpg");
    let o = run(&[&"thumb", &case, &id1.to_string(), &"--out", &sharp_out, &"--reveal", &"--reason", &"identify the room"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read(&sharp_out).unwrap(), stored_sharp);
    let (actor, detail): (String, String) = db(&case).query_row("SELECT actor, detail FROM audit_log WHERE action = 'thumb.reveal' ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(actor, "test examiner");
    let d: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(d["file_id"].as_i64(), Some(id1));
    assert_eq!(d["sha256"], sha_a.as_str());
    assert_eq!(d["variant"], "sharp");
    assert_eq!(d["reason"], "identify the room");
    assert_eq!(d["out"], sharp_out.display().to_string(), "the output path, absolute");
    let o = bin().arg("verify").arg(&case).output().unwrap();
    assert!(o.status.success(), "the audit chain still verifies: {}", text(&o));

    // The PNG is there too, portrait.
    let png_out = t.path().join("p.jpg");
    let o = run(&[&"thumb", &case, &sha256_hex(&b), &"--out", &png_out, &"--reveal"]);
    assert_eq!(o.status.code(), Some(2), "a reveal needs a reason: {}", text(&o));
    assert!(!png_out.exists());
    let o = run(&[&"thumb", &case, &sha256_hex(&b), &"--out", &png_out, &"--reveal", &"--reason", &"orientation check"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(thumbs::decode_jpeg(&std::fs::read(&png_out).unwrap()).unwrap().dimensions(), (120, 160));

    // Clear messages: a corrupt image, a non-image, an unknown id, missing arguments.
    for (what, expect) in [
        (file_id(&case, "/broken.jpg").to_string(), "could not decode"),
        (file_id(&case, "/notes.txt").to_string(), "has not seen it"),
        ("999999".to_string(), "no file with id"),
        ("xyz".to_string(), "neither a file id nor a SHA-256"),
    ] {
        let o = run(&[&"thumb", &case, &what, &"--out", &t.path().join("x.jpg")]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", text(&o));
        assert!(text(&o).contains(expect), "{what}: {}", text(&o));
    }
    let o = run(&[&"thumb", &case]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));

    // An old case (thumbnails gone) whose evidence moved away: the backfill says so, exit 5.
    db(&case).execute("DELETE FROM thumbnails", []).unwrap();
    std::fs::rename(&ev, t.path().join("moved")).unwrap();
    let o = run(&[&"thumb", &case, &"--backfill"]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("not reachable"), "{}", text(&o));
    assert!(count(&case, "SELECT count(*) FROM runs WHERE name = 'thumbnails' AND status = 'failed'") >= 1);
}
