//! The image pass and near-duplicate grouping, against the generator's answer key: every
//! scenario's same-base pairs end up in one group (recall ≥ 0.95), no group mixes two bases, no
//! distinct image is grouped; damaged and unsupported images get a row with a reason.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::*;
use serde_json::Value;

struct Ingested {
    case: std::path::PathBuf,
    key: Value,
    device_of_source: HashMap<i64, String>,
    _t: tempfile::TempDir,
}

fn ingest_scenario(name: &str, seed: u64) -> Ingested {
    let t = tempfile::tempdir().unwrap();
    let ev = t.path().join("evidence");
    threadline::samples::generate(name, &ev, seed, threadline::samples::Scale::Small).unwrap();
    let key: Value = serde_json::from_slice(&std::fs::read(ev.join("answer_key.json")).unwrap()).unwrap();
    let case = new_case(t.path());
    let mut device_of_source = HashMap::new();
    for d in key["devices"].as_array().unwrap() {
        let c = &d["containers"][0]["path"];
        let (code, v, out) = ingest_json(&case, &ev.join(c.as_str().unwrap()), &[]);
        assert_eq!(code, 0, "{name}: {out}");
        let img_runs: Vec<&Value> = v["parse"]["runs"].as_array().unwrap().iter().filter(|r| r["parser"] == "image-hashes").collect();
        assert_eq!(img_runs.len(), 1, "{name}: one image-hashes run per source: {out}");
        assert_eq!(img_runs[0]["status"], "ok", "{name}: {}", img_runs[0]);
        device_of_source.insert(v["source_id"].as_i64().unwrap(), d["id"].as_str().unwrap().to_string());
    }
    Ingested { case, key, device_of_source, _t: t }
}

/// File id of a key member (device + device-tree path).
fn file_of(c: &rusqlite::Connection, ing: &Ingested, device: &str, path: &str) -> Option<i64> {
    let source = ing.device_of_source.iter().find(|(_, d)| d.as_str() == device).map(|(s, _)| *s)?;
    let norm = threadline::vfs::normalise(path).path;
    c.query_row(
        "SELECT id FROM files WHERE source_id = ?1 AND parent_id = 0 AND (path = ?2 OR path LIKE ?3) ORDER BY path = ?2 DESC LIMIT 1",
        rusqlite::params![source, norm, format!("%/{}", norm.trim_start_matches('/'))],
        |r| r.get(0),
    )
    .ok()
}

/// Stored hashes of one image: (code, PDQ) list, quality, dHash, pHash, decoded width and height.
type Stored = (Vec<(String, [u8; 32])>, i64, i64, i64, i64, i64);

fn pair_info(c: &rusqlite::Connection, a: i64, b: i64) -> String {
    use threadline::media::hashes::alt_from_text;
    let get = |id: i64| -> Stored {
        c.query_row("SELECT pdq, coalesce(pdq_alt, ''), pdq_quality, dhash, phash, decoded_w, decoded_h FROM image_hashes WHERE file_id = ?1", [id], |r| {
            let mut o = [0u8; 32];
            hex::decode_to_slice(r.get::<_, String>(0)?, &mut o).unwrap();
            let mut v = vec![("pdq".to_string(), o)];
            v.extend(alt_from_text(&r.get::<_, String>(1)?).into_iter().map(|(k, h)| (k.code(), h)));
            Ok((v, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })
        .unwrap()
    };
    let (x, y) = (get(a), get(b));
    let mut best: Vec<(u32, String)> = x.0.iter().flat_map(|(ka, p)| y.0.iter().map(move |(kb, q)| (threadline::media::pdq::hamming(p, q), format!("{ka}~{kb}")))).collect();
    best.sort();
    best.truncate(4);
    let kinds = |v: &Vec<(String, [u8; 32])>| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>().join(",");
    format!("pdq best {:?} [{}] [{}] q {} {} dh {} ph {} dec {}x{} {}x{}", best, kinds(&x.0), kinds(&y.0), x.1, y.1, (x.2 ^ y.2).count_ones(), (x.3 ^ y.3).count_ones(), x.4, x.5, y.4, y.5)
}

fn check_scenario(name: &str, seed: u64) -> (f64, usize) {
    let ing = ingest_scenario(name, seed);
    let c = db(&ing.case);
    // Group of each file.
    let mut group_of: HashMap<i64, i64> = HashMap::new();
    let mut st = c.prepare("SELECT group_id, file_id FROM similar_members").unwrap();
    for r in st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))).unwrap() {
        let (g, f) = r.unwrap();
        group_of.insert(f, g);
    }
    // Base of each keyed file.
    let mut base_of: HashMap<i64, String> = HashMap::new();
    let (mut pairs, mut found) = (0usize, 0usize);
    let mut missed = Vec::new();
    for g in ing.key["near_duplicate_groups"].as_array().unwrap() {
        let base = g["base"].as_str().unwrap().to_string();
        let mut ids = Vec::new();
        for m in g["members"].as_array().unwrap() {
            let id = file_of(&c, &ing, m["device"].as_str().unwrap(), m["path"].as_str().unwrap())
                .unwrap_or_else(|| panic!("{name}: key file {} {} not in the case", m["device"], m["path"]));
            let status: String = c.query_row("SELECT status FROM image_hashes WHERE file_id = ?1", [id], |r| r.get(0)).unwrap_or_else(|_| panic!("{name}: no image_hashes row for {}", m["path"]));
            assert_eq!(status, "ok", "{name}: {}", m["path"]);
            base_of.insert(id, base.clone());
            ids.push((id, m["path"].as_str().unwrap().to_string(), m["transforms"].to_string()));
        }
        for i in 0..ids.len() {
            for j in i + 1..ids.len() {
                pairs += 1;
                match (group_of.get(&ids[i].0), group_of.get(&ids[j].0)) {
                    (Some(a), Some(b)) if a == b => found += 1,
                    _ => missed.push(format!("{} {} <-> {} {} [{}]", ids[i].1, ids[i].2, ids[j].1, ids[j].2, pair_info(&c, ids[i].0, ids[j].0))),
                }
            }
        }
    }
    let mut distinct = HashSet::new();
    for m in ing.key["distinct_images"].as_array().unwrap() {
        if let Some(id) = file_of(&c, &ing, m["device"].as_str().unwrap(), m["path"].as_str().unwrap()) {
            base_of.insert(id, m["base"].as_str().unwrap().to_string());
            distinct.insert(id);
        }
    }
    // No group mixes two key bases; no distinct image shares a group with another keyed image.
    let mut bases_in_group: HashMap<i64, HashSet<String>> = HashMap::new();
    for (f, g) in &group_of {
        if let Some(b) = base_of.get(f) {
            bases_in_group.entry(*g).or_default().insert(b.clone());
        }
    }
    let merges = bases_in_group.values().filter(|b| b.len() > 1).count();
    assert_eq!(merges, 0, "{name}: groups mixing bases: {bases_in_group:?}");
    for d in &distinct {
        if let Some(g) = group_of.get(d) {
            let others = group_of.iter().filter(|(f, gg)| *gg == g && *f != d && base_of.contains_key(f)).count();
            assert_eq!(others, 0, "{name}: distinct image {d} grouped with keyed images");
        }
    }
    let recall = if pairs == 0 { 1.0 } else { found as f64 / pairs as f64 };
    eprintln!("{name}: {found}/{pairs} same-base pairs grouped (recall {recall:.3}), {merges} merges; missed: {missed:#?}");
    assert!(recall >= 0.95, "{name}: recall {recall:.3} < 0.95; missed {missed:#?}");
    // `similar` on a grouped file lists its near-duplicates with distances.
    if let Some(g) = ing.key["near_duplicate_groups"].as_array().unwrap().first() {
        let m = &g["members"][0];
        let id = file_of(&c, &ing, m["device"].as_str().unwrap(), m["path"].as_str().unwrap()).unwrap();
        let path: String = c.query_row("SELECT path FROM files WHERE id = ?1", [id], |r| r.get(0)).unwrap();
        let o = run(&[&"similar", &ing.case, &path, &"--json"]);
        assert!(o.status.success(), "{}", text(&o));
        let res: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(res["query"]["file_id"], id, "{res}");
        let hits = res["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{name}: similar found nothing for {path}");
        assert!(hits.iter().all(|h| h["distance_pdq"].as_u64().is_some() && h["distance_dhash"].as_u64().is_some() && h["path"].is_string()));
        let o = run(&[&"groups", &ing.case, &"--json"]);
        assert!(o.status.success(), "{}", text(&o));
    }
    (recall, merges)
}

#[test]
fn loverboy_ads_near_duplicates() {
    check_scenario("loverboy-ads", 12);
}

#[test]
fn scam_compound_near_duplicates() {
    check_scenario("scam-compound", 13);
}

#[test]
fn labour_job_ads_near_duplicates() {
    check_scenario("labour-job-ads", 11);
}

fn photo(w: u32, h: u32, seed: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        let v = ((x * 3 + seed) ^ (y * 5)).wrapping_mul(2654435761) >> 24;
        image::Rgb([((x * 255 / w) as u8).wrapping_add(v as u8 / 4), (y * 255 / h) as u8, ((x + y + seed) % 256) as u8])
    })
}

fn jpeg_bytes(img: &image::RgbImage, q: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q).encode_image(img).unwrap();
    out
}

#[test]
fn damaged_and_unsupported_images_get_a_reason() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("phone");
    let dir = root.join("DCIM");
    std::fs::create_dir_all(&dir).unwrap();
    let img = photo(640, 480, 1);
    let good = jpeg_bytes(&img, 90);
    std::fs::write(dir.join("good.jpg"), &good).unwrap();
    // Same photo, smaller and re-encoded, under another name.
    let small = image::imageops::resize(&img, 320, 240, image::imageops::FilterType::Triangle);
    std::fs::write(dir.join("copy_small.jpg"), jpeg_bytes(&small, 70)).unwrap();
    // Corrupt JPEG: valid header, garbage scan data.
    let mut corrupt = good[..good.len().min(700)].to_vec();
    corrupt.extend(std::iter::repeat_n(0x55u8, 3000));
    std::fs::write(dir.join("corrupt.jpg"), &corrupt).unwrap();
    // Truncated PNG.
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(img.clone()).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    std::fs::write(dir.join("truncated.png"), &png[..png.len() / 3]).unwrap();
    // HEIC stub.
    std::fs::write(dir.join("IMG_0001.HEIC"), b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08meta").unwrap();
    // 0-byte .jpg.
    std::fs::write(dir.join("empty.jpg"), b"").unwrap();
    let case = new_case(t.path());
    let (code, v, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let r = v["parse"]["runs"].as_array().unwrap().iter().find(|r| r["parser"] == "image-hashes").cloned().unwrap();
    assert_eq!(r["status"], "ok", "{r}");
    let c = db(&case);
    let row = |name: &str| -> (String, Option<String>) {
        c.query_row("SELECT h.status, h.reason FROM image_hashes h JOIN files f ON f.id = h.file_id WHERE f.path LIKE ?1", [format!("%{name}")], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_else(|e| panic!("{name}: no row ({e})"))
    };
    assert_eq!(row("good.jpg").0, "ok");
    // Decoded from the ingest's own read (one read for the crypto hashes and the pixels).
    let kind: String = c
        .query_row("SELECT r.kind FROM image_hashes h JOIN files f ON f.id = h.file_id JOIN runs r ON r.id = h.run_id WHERE f.path LIKE '%/good.jpg'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kind, "ingest");
    assert!(r["message"].as_str().unwrap().contains("hashed from the ingest read"), "{r}");
    // Its thumbnails (sharp and blurred) were made from the same decode, under its SHA-256.
    let good_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&good));
    let (tw, blurred): (i64, Vec<u8>) = c.query_row("SELECT width, blurred FROM thumbnails WHERE sha256 = ?1", [&good_sha], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(tw, 160);
    assert!(blurred.starts_with(b"\xFF\xD8"));
    assert_eq!(row("copy_small.jpg").0, "ok");
    let (s, why) = row("corrupt.jpg");
    assert!(s == "corrupt" || s == "ok", "{s} {why:?}");
    if s == "corrupt" {
        assert!(why.is_some());
    }
    let (s, why) = row("truncated.png");
    assert_eq!(s, "corrupt", "{why:?}");
    assert!(why.unwrap().contains("PNG"));
    assert_eq!(row("IMG_0001.HEIC"), ("unsupported".to_string(), Some("unsupported format: HEIC (no decoder)".to_string())));
    let (s, why) = row("empty.jpg");
    assert_eq!(s, "corrupt");
    assert!(why.unwrap().contains("0 bytes"));
    let (w, h, dw, dh): (i64, i64, i64, i64) = c
        .query_row("SELECT h.width, h.height, h.decoded_w, h.decoded_h FROM image_hashes h JOIN files f ON f.id = h.file_id WHERE f.path LIKE '%good.jpg'", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap();
    assert_eq!((w, h), (640, 480));
    assert!(dw < 640 && (128..480).contains(&dh), "scaled decode (short side ≥ 128): {dw}×{dh}");
    // The two copies are one group; `similar` finds the copy with distances.
    let o = run(&[&"similar", &case, &"good.jpg", &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let res: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(res["query"]["path"].as_str().unwrap().ends_with("good.jpg"), "{res}");
    let hits = res["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0]["path"].as_str().unwrap().ends_with("copy_small.jpg"));
    assert!(hits[0]["distance_pdq"].as_u64().unwrap() <= 31);
    // By SHA-256 and by PDQ hex too.
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&good));
    let o = run(&[&"similar", &case, &sha, &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap()["hits"].as_array().unwrap().len(), 1);
    let pdq: String = c.query_row("SELECT h.pdq FROM image_hashes h JOIN files f ON f.id = h.file_id WHERE f.path LIKE '%good.jpg'", [], |r| r.get(0)).unwrap();
    let o = run(&[&"similar", &case, &pdq, &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap()["hits"].as_array().unwrap().len(), 2);
    let o = run(&[&"groups", &case, &"--json"]);
    let groups: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups}");
    assert_eq!(groups[0]["members"].as_array().unwrap().len(), 2);
    let _ = Path::new("");
}

#[test]
#[ignore]
fn seeds_sweep() {
    let mut failed = Vec::new();
    for seed in 1..13u64 {
        for s in ["loverboy-ads", "scam-compound", "labour-job-ads"] {
            let r = std::panic::catch_unwind(|| check_scenario(s, seed * 1000 + 7));
            eprintln!("SWEEP {s} seed {seed}: {:?}", r.as_ref().map(|x| *x).map_err(|_| "failed"));
            if r.is_err() {
                failed.push(format!("{s} seed {seed}"));
            }
        }
    }
    assert!(failed.is_empty(), "recall < 0.95 or a merge in: {failed:?}");
}

#[test]
#[ignore]
fn base_stability() {
    let dir = std::path::PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/threadline/base-images");
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap() == "MANIFEST" {
            continue;
        }
        let img = image::open(&p).unwrap().to_rgb8();
        let fit = image::imageops::resize(&img, 480, 480 * img.height() / img.width(), image::imageops::FilterType::Triangle);
        let r90 = image::imageops::resize(&fit, fit.width() * 9 / 10, fit.height() * 9 / 10, image::imageops::FilterType::Triangle);
        let mir = image::imageops::flip_horizontal(&fit);
        let h = |i: &image::RgbImage| match threadline::media::pass::hash_bytes(jpeg_bytes(i, 80), std::time::Duration::from_secs(5)) {
            threadline::media::pass::Outcome::Ok(h, _) => h,
            _ => panic!(),
        };
        let (a, b, m) = (h(&fit), h(&r90), h(&mir));
        let mm = a.pdq_alt.iter().find(|(v, _)| *v == threadline::media::hashes::Variant::Mirror).map(|(_, x)| threadline::media::pdq::hamming(x, &m.pdq.hash));
        eprintln!("STAB {:<32} q {:>3} resize90 {:>3} mirror {:?} dh {} ph {}", p.file_name().unwrap().to_string_lossy(), a.pdq.quality, threadline::media::pdq::hamming(&a.pdq.hash, &b.pdq.hash), mm, (a.dhash ^ b.dhash).count_ones(), (a.phash ^ b.phash).count_ones());
    }
}

/// A picture of 8×6 pseudo-random blocks: unrelated to any other seed's.
fn blocks(seed: u64) -> image::RgbImage {
    image::RgbImage::from_fn(640, 480, |x, y| {
        let mut z = (seed * 1000 + u64::from(x / 80) * 8 + u64::from(y / 80)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z ^= z >> 27;
        image::Rgb([z as u8, (z >> 8) as u8, (z >> 16) as u8])
    })
}

fn png_bytes(img: image::DynamicImage) -> Vec<u8> {
    let mut v = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut v), image::ImageFormat::Png).unwrap();
    v
}

/// Flat pictures are not grouped; `similar` refuses ambiguous or wildcard-matched paths and
/// non-image SHA-256s, says what it queried; `groups` states how each member is linked; the
/// radii are configurable and a rebuild is recorded.
#[test]
fn flat_images_ambiguous_paths_and_radii() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("phone");
    for d in ["DCIM", "SMS", "Misc"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let img = photo(640, 480, 1);
    let good = jpeg_bytes(&img, 90);
    std::fs::write(root.join("DCIM/good.jpg"), &good).unwrap();
    std::fs::write(root.join("SMS/good.jpg"), &good).unwrap();
    let small = image::imageops::resize(&img, 320, 240, image::imageops::FilterType::Triangle);
    std::fs::write(root.join("DCIM/copy_small.jpg"), jpeg_bytes(&small, 70)).unwrap();
    // `_` must not be a wildcard: a_b.jpg names one file, not axb.jpg too.
    std::fs::write(root.join("Misc/a_b.jpg"), jpeg_bytes(&blocks(2), 90)).unwrap();
    std::fs::write(root.join("Misc/axb.jpg"), jpeg_bytes(&blocks(3), 90)).unwrap();
    // Flat pictures: all dHash 0.
    std::fs::write(root.join("Misc/black.png"), png_bytes(image::DynamicImage::ImageRgb8(image::RgbImage::new(300, 200)))).unwrap();
    std::fs::write(root.join("Misc/black2.png"), png_bytes(image::DynamicImage::ImageRgb8(image::RgbImage::new(64, 64)))).unwrap();
    std::fs::write(root.join("Misc/grey16.png"), png_bytes(image::DynamicImage::ImageLuma16(image::ImageBuffer::from_pixel(120, 90, image::Luma([30000u16]))))).unwrap();
    std::fs::write(root.join("Misc/red.jpg"), jpeg_bytes(&image::RgbImage::from_pixel(1, 1, image::Rgb([255, 0, 0])), 90)).unwrap();
    std::fs::write(root.join("Misc/notes.txt"), b"not a picture at all\n").unwrap();
    let case = new_case(t.path());
    let (code, _, out) = ingest_json(&case, &root, &[]);
    assert_eq!(code, 0, "{out}");
    let c = db(&case);
    let flat: i64 = c
        .query_row("SELECT count(*) FROM image_hashes h JOIN files f ON f.id = h.file_id WHERE h.status = 'ok' AND h.dhash = 0 AND (f.path LIKE '%.png' OR f.path LIKE '%red.jpg')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(flat, 4, "the four flat pictures are hashed, with dHash 0");

    // A: one group (the photo and its copies), no group of flat pictures.
    let o = run(&[&"groups", &case, &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let groups: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups:#}");
    let members = groups[0]["members"].as_array().unwrap();
    assert_eq!(members.len(), 3, "{groups:#}");
    assert!(members.iter().all(|m| m["path"].as_str().unwrap().contains("good.jpg") || m["path"].as_str().unwrap().ends_with("copy_small.jpg")), "{groups:#}");
    // B: every non-representative member says how it is linked; the header states the rule.
    assert!(members[1..].iter().all(|m| m["rule"].is_string() || m["via_other"] == true), "{groups:#}");
    assert!(members[1..].iter().all(|m| m["distance_dhash"].is_u64()), "{groups:#}");
    let rule = groups[0]["rule"].as_str().unwrap();
    assert!(rule.contains("pdq ≤ 31") && rule.contains("dHash ≤ 6 and pHash ≤ 6"), "{rule}");
    let o = run(&[&"groups", &case]);
    let out = text(&o);
    assert!(out.contains("pdq ≤ 31") && out.contains("or dHash ≤ 6 and pHash ≤ 6") && out.contains("representative"), "{out}");

    // D: an ambiguous suffix is refused with the candidates.
    let o = run(&[&"similar", &case, &"good.jpg"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let e = text(&o);
    assert!(e.contains("DCIM/good.jpg") && e.contains("SMS/good.jpg") && e.contains("longer path"), "{e}");
    // A longer path resolves, and the query is printed first.
    let o = run(&[&"similar", &case, &"DCIM/good.jpg"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.lines().next().unwrap().starts_with("query: ") && out.lines().next().unwrap().contains("DCIM/good.jpg"), "{out}");
    // `_` is literal.
    let o = run(&[&"similar", &case, &"a_b.jpg", &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let res: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(res["query"]["path"].as_str().unwrap().ends_with("a_b.jpg"), "{res}");
    let o = run(&[&"similar", &case, &"a%.jpg"]);
    assert_eq!(o.status.code(), Some(2), "% is literal: {}", text(&o));
    // The SHA-256 of a file that is not an image.
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"not a picture at all\n"));
    let o = run(&[&"similar", &case, &sha]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("notes.txt") && text(&o).contains("not an image"), "{}", text(&o));
    // A flat picture has no near-duplicate among the other flat ones.
    let o = run(&[&"similar", &case, &"black.png", &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let res: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(res["hits"].as_array().unwrap().len(), 0, "{res:#}");

    // C: the radii are options. At PDQ 0 (and no dHash/pHash agreement) only the identical copies
    // of the PDQ hash match; at the default radius the resized copy too.
    let pdq: String = c.query_row("SELECT h.pdq FROM image_hashes h JOIN files f ON f.id = h.file_id WHERE f.path LIKE '%DCIM/good.jpg'", [], |r| r.get(0)).unwrap();
    let n = |args: &[&dyn AsRef<std::ffi::OsStr>]| -> usize {
        let o = run(args);
        assert!(o.status.success(), "{}", text(&o));
        serde_json::from_slice::<Value>(&o.stdout).unwrap()["hits"].as_array().unwrap().len()
    };
    assert_eq!(n(&[&"similar", &case, &pdq, &"--json"]), 3);
    assert_eq!(n(&[&"similar", &case, &pdq, &"--json", &"--pdq", &"0"]), 2);
    let d = n(&[&"similar", &case, &"DCIM/good.jpg", &"--json", &"--pdq", &"0", &"--dhash", &"0", &"--phash", &"0"]);
    assert!(d <= 2, "{d}");
    // groups --rebuild at other radii writes the threshold and an audit row; the defaults again
    // give today's groups.
    let o = run(&[&"groups", &case, &"--rebuild", &"--pdq", &"0", &"--dhash", &"0", &"--phash", &"0", &"--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let g: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(g.as_array().unwrap().iter().all(|g| g["threshold"] == 0 && g["kind"] == "pdq;dhash=0;phash=0;fallback=10"), "{g:#}");
    let (th, kind): (i64, String) = c.query_row("SELECT threshold, kind FROM similar_groups LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((th, kind.as_str()), (0, "pdq;dhash=0;phash=0;fallback=10"));
    let audit: String = c.query_row("SELECT detail FROM audit_log WHERE action = 'rebuild-groups' ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert!(audit.contains("\"pdq\":0"), "{audit}");
    let o = run(&[&"groups", &case, &"--rebuild", &"--json"]);
    let g: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(g.as_array().unwrap().len(), 1, "{g:#}");
    assert_eq!(g[0]["members"].as_array().unwrap().len(), 3);
    assert_eq!((g[0]["threshold"].as_i64(), g[0]["kind"].as_str()), (Some(31), Some("pdq")));
    // Radius options without --rebuild are refused.
    assert_eq!(run(&[&"groups", &case, &"--pdq", &"5"]).status.code(), Some(2));
}
