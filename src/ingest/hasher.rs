//! MD5 + SHA-1 + SHA-256 of one stream, reading it once.
//!
//! The three digests are fed from the same buffer, so each byte of evidence is read from disk (or
//! inflated from an archive) exactly once. The first bytes are kept for type sniffing.

use std::io::Read;

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Read buffer size: large enough to amortise syscalls, small enough to stay in L2.
pub const BUF_SIZE: usize = 256 * 1024;
/// Bytes kept for sniffing.
pub const HEAD_SIZE: usize = 4096;

/// The digests of one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    /// MD5, lower-case hex.
    pub md5: String,
    /// SHA-1, lower-case hex.
    pub sha1: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Bytes read.
    pub size: u64,
    /// The first bytes, for sniffing.
    pub head: Vec<u8>,
}

/// The three hash states together.
#[derive(Default, Clone)]
pub struct MultiHasher {
    md5: Md5,
    sha1: Sha1,
    sha256: Sha256,
    size: u64,
    head: Vec<u8>,
}

impl MultiHasher {
    /// Fresh state.
    pub fn new() -> Self {
        Self::default()
    }
    /// Feed bytes.
    pub fn update(&mut self, buf: &[u8]) {
        if self.head.len() < HEAD_SIZE {
            let take = (HEAD_SIZE - self.head.len()).min(buf.len());
            self.head.extend_from_slice(&buf[..take]);
        }
        self.md5.update(buf);
        self.sha1.update(buf);
        self.sha256.update(buf);
        self.size += buf.len() as u64;
    }
    /// Finish.
    pub fn finish(self) -> Digests {
        Digests {
            md5: hex::encode(self.md5.finalize()),
            sha1: hex::encode(self.sha1.finalize()),
            sha256: hex::encode(self.sha256.finalize()),
            size: self.size,
            head: self.head,
        }
    }
}

/// Hash a whole stream with a caller-provided buffer; `on_bytes` is told of progress.
pub fn hash_reader(r: &mut dyn Read, buf: &mut [u8], on_bytes: &mut dyn FnMut(u64)) -> std::io::Result<Digests> {
    continue_reader(MultiHasher::new(), r, buf, on_bytes)
}

/// Feed the rest of a stream into a hasher that already holds its first bytes.
pub fn continue_reader(mut h: MultiHasher, r: &mut dyn Read, buf: &mut [u8], on_bytes: &mut dyn FnMut(u64)) -> std::io::Result<Digests> {
    loop {
        let n = match r.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        on_bytes(n as u64);
    }
    Ok(h.finish())
}

/// Hash a file on disk (read-only, without touching its access time where allowed).
pub fn hash_file(path: &std::path::Path) -> std::io::Result<Digests> {
    let mut f = crate::vfs::open_evidence(path)?;
    let mut buf = vec![0u8; BUF_SIZE];
    hash_reader(&mut f, &mut buf, &mut |_| {})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        let d = hash_reader(&mut &b"abc"[..], &mut [0u8; 2], &mut |_| {}).unwrap();
        assert_eq!(d.md5, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(d.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(d.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(d.size, 3);
        let e = hash_reader(&mut &b""[..], &mut [0u8; 16], &mut |_| {}).unwrap();
        assert_eq!(e.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
