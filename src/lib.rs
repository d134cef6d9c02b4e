//! Threadline core: case file, evidence file tree, ingest, verification.
//!
//! This crate has no UI and no async runtime. Front ends (the `threadline` CLI, the loopback HTTP
//! server, the Tauri shell) call only what is exported here; long operations take a
//! [`progress::Progress`] sink and a [`progress::CancelToken`]; errors carry a stable kind
//! ([`error::Error::kind`]) and become `{kind, message}` at the API boundary ([`error::ApiError`]).

// `unsafe` is denied everywhere except `media::scan`, whose SIMD kernels are called behind
// runtime CPU-feature checks (`#[target_feature]` functions cannot be called without it).
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod bench;
pub mod bench_keywords;
pub mod case;
pub mod error;
pub mod hashsets;
pub mod ingest;
pub mod media;
pub mod parsers;
pub mod progress;
pub mod samples;
pub mod search;
pub mod training;
pub mod vfs;

pub use case::verify::{VerifyReport, verify};
pub use case::{Case, CaseInfo};
pub use error::{ApiError, Error, Result};
pub use ingest::{IngestOptions, IngestSummary, ingest};
pub use progress::{CancelToken, NoProgress, Progress, ProgressEvent};
