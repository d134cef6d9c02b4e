//! EXIF for synthetic photos: a minimal APP1 segment written by hand (Make, Model, DateTime,
//! DateTimeOriginal, OffsetTimeOriginal, and a GPS IFD with latitude, longitude, GPS date and time
//! in UTC), inserted after SOI of a JPEG rendered by `images`.


/// What to stamp into a photo.
#[derive(Debug, Clone)]
pub struct PhotoMeta {
    /// Camera make.
    pub make: String,
    /// Camera model.
    pub model: String,
    /// UTC instant the photo was taken (Unix seconds).
    pub taken_unix: i64,
    /// Local offset (seconds) on the device at that time.
    pub offset_s: i64,
    /// Decimal degrees, if the photo has a location.
    pub gps: Option<(f64, f64)>,
}

/// `jpeg` (a baseline JPEG starting with SOI) with an EXIF APP1 segment from `meta` added after SOI.
pub fn with_exif(jpeg: &[u8], meta: &PhotoMeta) -> Vec<u8> {
    insert_app1(jpeg, &exif_tiff(meta))
}

/// A minimal HEIF file (`ftyp` heic, a `meta` box with one `Exif` item located by `iloc`, the
/// item in `mdat`, after its 4-byte TIFF-header offset) carrying the EXIF of `meta`, as a HEIC
/// photo carries it. It holds no coded picture (no registry decoder reads HEVC here anyway): it
/// is for the EXIF reader, and the image pass records it as unsupported.
pub fn heic_with_exif(meta: &PhotoMeta) -> Vec<u8> {
    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }
    fn full(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
        let mut b = vec![version, 0, 0, 0];
        b.extend_from_slice(body);
        bx(kind, &b)
    }
    let mut item = vec![0u8; 4];
    item.extend_from_slice(&exif_tiff(meta));
    let ftyp = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
    let hdlr = full(b"hdlr", 0, &[&[0u8; 4][..], b"pict", &[0u8; 12], &[0]].concat());
    let infe = full(b"infe", 2, &[&[0u8, 1, 0, 0][..], b"Exif", &[0]].concat());
    let iinf = full(b"iinf", 0, &[&[0u8, 1][..], &infe].concat());
    // Version 0: 4-byte offsets and lengths, no base offset; item 1, one extent.
    let iloc = |offset: u32| full(b"iloc", 0, &[&[0x44u8, 0x00, 0, 1, 0, 1, 0, 0, 0, 1][..], &offset.to_be_bytes(), &(item.len() as u32).to_be_bytes()].concat());
    let meta_box = |offset: u32| full(b"meta", 0, &[hdlr.clone(), iinf.clone(), iloc(offset)].concat());
    let offset = (ftyp.len() + meta_box(0).len() + 8) as u32;
    [ftyp.clone(), meta_box(offset), bx(b"mdat", &item)].concat()
}

/// Insert an `Exif\0\0` APP1 segment right after SOI.
fn insert_app1(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(jpeg.len() + tiff.len() + 12);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

const ASCII: u16 = 2;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;
const BYTE: u16 = 1;

struct Field {
    tag: u16,
    ty: u16,
    count: u32,
    data: Vec<u8>,
}

fn ascii(tag: u16, s: &str) -> Field {
    let mut data = s.as_bytes().to_vec();
    data.push(0);
    Field { tag, ty: ASCII, count: data.len() as u32, data }
}

fn rationals(tag: u16, vals: &[(u32, u32)]) -> Field {
    let mut data = Vec::new();
    for (n, d) in vals {
        data.extend_from_slice(&n.to_be_bytes());
        data.extend_from_slice(&d.to_be_bytes());
    }
    Field { tag, ty: RATIONAL, count: vals.len() as u32, data }
}

fn long(tag: u16, v: u32) -> Field {
    Field { tag, ty: LONG, count: 1, data: v.to_be_bytes().to_vec() }
}

fn ifd_size(fields: &[Field]) -> usize {
    2 + 12 * fields.len() + 4 + fields.iter().filter(|f| f.data.len() > 4).map(|f| f.data.len() + (f.data.len() & 1)).sum::<usize>()
}

/// Append an IFD at `out.len()` (offsets are relative to the TIFF header start).
fn write_ifd(out: &mut Vec<u8>, fields: &[Field]) {
    let start = out.len();
    let mut data_at = start + 2 + 12 * fields.len() + 4;
    let mut data = Vec::new();
    out.extend_from_slice(&(fields.len() as u16).to_be_bytes());
    for f in fields {
        out.extend_from_slice(&f.tag.to_be_bytes());
        out.extend_from_slice(&f.ty.to_be_bytes());
        out.extend_from_slice(&f.count.to_be_bytes());
        if f.data.len() <= 4 {
            let mut v = f.data.clone();
            v.resize(4, 0);
            out.extend_from_slice(&v);
        } else {
            out.extend_from_slice(&(data_at as u32).to_be_bytes());
            data.extend_from_slice(&f.data);
            if f.data.len() & 1 == 1 {
                data.push(0);
            }
            data_at += f.data.len() + (f.data.len() & 1);
        }
    }
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&data);
}

fn dms(v: f64) -> [(u32, u32); 3] {
    let v = v.abs();
    let d = v.floor();
    let m = ((v - d) * 60.0).floor();
    let s = ((v - d) * 60.0 - m) * 60.0;
    [(d as u32, 1), (m as u32, 1), ((s * 10_000.0).round() as u32, 10_000)]
}

/// A big-endian TIFF structure with IFD0 → Exif IFD and GPS IFD.
fn exif_tiff(meta: &PhotoMeta) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = super::timefmt::parts(meta.taken_unix, meta.offset_s);
    let local = format!("{y:04}:{mo:02}:{d:02} {h:02}:{mi:02}:{s:02}");
    let off = format!("{}{:02}:{:02}", if meta.offset_s < 0 { '-' } else { '+' }, meta.offset_s.abs() / 3600, (meta.offset_s.abs() % 3600) / 60);
    let exif_fields = vec![ascii(0x9003, &local), ascii(0x9004, &local), ascii(0x9011, &off)];
    let gps_fields: Vec<Field> = match meta.gps {
        None => Vec::new(),
        Some((lat, lon)) => {
            let (uy, umo, ud, uh, umi, us) = super::timefmt::parts(meta.taken_unix, 0);
            vec![
                Field { tag: 0x0000, ty: BYTE, count: 4, data: vec![2, 3, 0, 0] },
                ascii(0x0001, if lat >= 0.0 { "N" } else { "S" }),
                rationals(0x0002, &dms(lat)),
                ascii(0x0003, if lon >= 0.0 { "E" } else { "W" }),
                rationals(0x0004, &dms(lon)),
                rationals(0x0007, &[(uh, 1), (umi, 1), (us, 1)]),
                ascii(0x001D, &format!("{uy:04}:{umo:02}:{ud:02}")),
            ]
        }
    };
    // IFD0 with placeholders for the two pointers; sizes do not depend on their values.
    let mut ifd0 = vec![ascii(0x010F, &meta.make), ascii(0x0110, &meta.model), ascii(0x0132, &local), long(0x8769, 0)];
    if !gps_fields.is_empty() {
        ifd0.push(long(0x8825, 0));
    }
    let exif_at = 8 + ifd_size(&ifd0);
    let gps_at = exif_at + ifd_size(&exif_fields);
    ifd0[3] = long(0x8769, exif_at as u32);
    if !gps_fields.is_empty() {
        ifd0[4] = long(0x8825, gps_at as u32);
    }
    let mut out = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    write_ifd(&mut out, &ifd0);
    debug_assert_eq!(out.len(), exif_at);
    write_ifd(&mut out, &exif_fields);
    if !gps_fields.is_empty() {
        debug_assert_eq!(out.len(), gps_at);
        write_ifd(&mut out, &gps_fields);
    }
    out
}
