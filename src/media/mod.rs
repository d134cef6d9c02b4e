//! Image content: decoding at reduced scale ([`decode`]) and perceptual hashes ([`hashes`]:
//! dHash, pHash, and [`pdq`] with its quality). The image pass over sources and near-duplicate
//! grouping build on these (not wired into ingest yet).

pub mod dcjpeg;
pub mod decode;
pub mod hashes;
pub mod matching;
pub mod pdq;
pub mod pass;
pub mod query;
pub mod scan;
pub mod thumbs;
