//! Files every device tree gets from the plan, whatever its kind: camera-roll photos, planted
//! files (pictures of saved pages, app media, caches) and documents. Pictures are rendered in
//! parallel; the result is in a fixed order, so output stays deterministic.

use rayon::prelude::*;

use super::exif::{PhotoMeta, with_exif};
use super::images::{Bases, Format, ImageSpec, render};
use super::plan::*;
use super::timefmt::paris_offset;
use crate::error::Result;

enum Job<'a> {
    Bytes(&'a [u8]),
    Image(&'a ImageSpec, Option<PhotoMeta>),
}

/// Render one picture, with an EXIF block when `meta` is set and the format is JPEG.
pub fn picture(spec: &ImageSpec, meta: Option<&PhotoMeta>, bases: &Bases, seed: u64) -> Result<Vec<u8>> {
    let bytes = render(spec, bases, seed)?;
    Ok(match (meta, spec.format) {
        (Some(m), Format::Jpeg(_)) => with_exif(&bytes, m),
        _ => bytes,
    })
}

/// (path, bytes) of the photos, planted files and documents of device `di`.
pub fn device_files(plan: &Plan, di: usize, bases: &Bases) -> Result<Vec<(String, Vec<u8>)>> {
    let dev = &plan.devices[di];
    let meta = |t: i64, gps: Option<(f64, f64)>| PhotoMeta { make: dev.make.clone(), model: dev.model.clone(), taken_unix: t, offset_s: paris_offset(t), gps };
    let mut jobs: Vec<(String, Job)> = Vec::new();
    for p in plan.photos_on(di) {
        jobs.push((plan.photo_path(p), Job::Image(&p.image, Some(meta(p.t, p.gps)))));
    }
    for f in plan.files.iter().filter(|f| f.device == di) {
        let job = match &f.content {
            FileContent::Bytes(b) => Job::Bytes(b),
            FileContent::Image { spec, exif } => Job::Image(spec, exif.map(|(t, gps)| meta(t, gps))),
        };
        jobs.push((f.path.clone(), job));
    }
    for d in plan.documents.iter().filter(|d| d.device == di) {
        jobs.push((d.path.clone(), Job::Bytes(d.content.as_bytes())));
    }
    jobs.par_iter()
        .map(|(path, job)| {
            let bytes = match job {
                Job::Bytes(b) => b.to_vec(),
                Job::Image(spec, m) => picture(spec, m.as_ref(), bases, plan.seed)?,
            };
            Ok((path.clone(), bytes))
        })
        .collect()
}
