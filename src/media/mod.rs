//! Image content: decoding at reduced scale ([`decode`], with the DC-only JPEG decoder
//! [`dcjpeg`]) and perceptual hashes ([`hashes`]: dHash, pHash, and [`pdq`] with its quality).
//! Built on these: the image pass ([`pass`], fed from the ingest's own read), thumbnails
//! ([`thumbs`]), near-duplicate matching and groups ([`matching`], [`scan`]) and lookups
//! ([`query`]).

pub mod dcjpeg;
pub mod decode;
pub mod hashes;
pub mod matching;
pub mod pdq;
pub mod pass;
pub mod query;
pub mod scan;
pub mod thumbs;
