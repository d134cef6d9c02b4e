//! Keeps the bytes of an image while the ingest hashes it, so the image pass decodes them from
//! the same read (no second pass over the evidence for pictures). The first bytes decide: when
//! they carry an image signature ([`crate::media::decode::image_format`]) the tap keeps a copy,
//! up to [`crate::media::pass::MAX_IMAGE_BYTES`]; anything else, or anything larger, streams
//! through untouched and costs nothing.

use std::io::Read;

use crate::media::decode;
use crate::media::pass::MAX_IMAGE_BYTES;

/// A reader that copies an image's bytes as they are read.
pub(crate) struct ImageTap<'a> {
    inner: &'a mut dyn Read,
    started: bool,
    kept: Option<Vec<u8>>,
}

impl<'a> ImageTap<'a> {
    /// Wrap `inner`.
    pub(crate) fn new(inner: &'a mut dyn Read) -> Self {
        ImageTap { inner, started: false, kept: None }
    }

    /// The image's bytes, when the content was an image of acceptable size.
    pub(crate) fn into_image(self) -> Option<Vec<u8>> {
        self.kept
    }
}

impl Read for ImageTap<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !self.started && n > 0 {
            self.started = true;
            if decode::image_format(&buf[..n]).is_some() {
                self.kept = Some(Vec::with_capacity(n.max(1 << 16)));
            }
        }
        if let Some(k) = &mut self.kept {
            if (k.len() + n) as u64 > MAX_IMAGE_BYTES {
                self.kept = None;
            } else {
                k.extend_from_slice(&buf[..n]);
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_images_only() {
        let png = b"\x89PNG\r\n\x1a\nrest of it".to_vec();
        let mut r: &[u8] = &png;
        let mut t = ImageTap::new(&mut r);
        let mut out = Vec::new();
        t.read_to_end(&mut out).unwrap();
        assert_eq!(t.into_image().unwrap(), png);
        let text = b"hello world".to_vec();
        let mut r: &[u8] = &text;
        let mut t = ImageTap::new(&mut r);
        t.read_to_end(&mut out).unwrap();
        assert!(t.into_image().is_none());
    }
}
