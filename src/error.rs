//! The core's error type.
//!
//! One enum for the whole public API, each variant carrying the context an examiner needs to act
//! (which file, which case, which holder). Front ends turn it into an [`ApiError`] `{kind, message}`
//! with a stable `kind` string; the CLI maps kinds to exit codes (see the README).
//!
//! Per-entry problems met during an ingest (an unreadable file, a damaged archive member) are *not*
//! errors of this type: they are recorded in the case (`ingest_issues`, `runs`) and the ingest goes on.

use std::path::PathBuf;

/// Result alias used across the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a core operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error on a named path.
    #[error("{action} '{}': {source}", path.display())]
    Io {
        /// What we were doing ("reading", "creating" …).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A SQLite error, with what we were doing.
    #[error("case database error while {context}: {source}")]
    Sqlite {
        /// What we were doing.
        context: String,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// The path given as a source does not exist.
    #[error("source '{}' does not exist (expected a folder, a ZIP, a TAR or a TAR.GZ)", .0.display())]
    SourceNotFound(PathBuf),
    /// The source exists but is not a container we can open.
    #[error("source '{}' is not a supported container: {reason}", path.display())]
    UnsupportedSource {
        /// The source path.
        path: PathBuf,
        /// What we found instead.
        reason: String,
    },
    /// The source could not be opened at all (nothing could be enumerated).
    #[error("source '{}' could not be opened as {expected}: {reason}", path.display())]
    SourceUnreadable {
        /// The source path.
        path: PathBuf,
        /// What it was sniffed as.
        expected: String,
        /// Why opening failed.
        reason: String,
    },
    /// The file is not a Threadline case.
    #[error("'{}' is not a Threadline case file: {reason}", path.display())]
    NotACase {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The case already exists where a new one was asked for.
    #[error("'{}' already exists; choose another path or open the existing case", .0.display())]
    CaseExists(PathBuf),
    /// The case was written by a newer Threadline.
    #[error("case '{}' has schema version {found}, this Threadline understands up to {supported}; upgrade Threadline", path.display())]
    SchemaTooNew {
        /// The case path.
        path: PathBuf,
        /// Version in the file.
        found: i64,
        /// Newest version known here.
        supported: i64,
    },
    /// Another process holds the case's write lock.
    #[error("case '{}' is open for writing by another process ({holder}); close it there first", path.display())]
    Locked {
        /// The case path.
        path: PathBuf,
        /// Who holds it, as recorded in the lock file.
        holder: String,
    },
    /// The operation was cancelled by the user.
    #[error("cancelled by the user")]
    Cancelled,
    /// A caller passed something that makes no sense.
    #[error("{0}")]
    InvalidArgument(String),
    /// Something inside Threadline failed (a worker thread stopped); a bug, not the evidence.
    #[error("internal error: {0}")]
    Internal(String),
    /// An input file (a hash set to import, for example) is not what was expected.
    #[error("'{}' is not {expected}: {reason}", path.display())]
    BadInput {
        /// The file.
        path: PathBuf,
        /// What it should have been ("a VICS JSON file (an object with a 'value' array)" …).
        expected: String,
        /// What is wrong, with the line or record where it is known.
        reason: String,
    },
}

impl Error {
    /// A stable, machine-readable kind, used by the API (`{kind, message}`) and for exit codes.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Sqlite { .. } => "database",
            Error::SourceNotFound(_) => "source_not_found",
            Error::UnsupportedSource { .. } => "unsupported_source",
            Error::SourceUnreadable { .. } => "source_unreadable",
            Error::NotACase { .. } => "not_a_case",
            Error::CaseExists(_) => "case_exists",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::Locked { .. } => "locked",
            Error::Cancelled => "cancelled",
            Error::InvalidArgument(_) => "invalid_argument",
            Error::Internal(_) => "internal",
            Error::BadInput { .. } => "bad_input",
        }
    }

    /// Helper for I/O errors on a path.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), source }
    }

    /// Helper for SQLite errors.
    pub fn sql(context: impl Into<String>, source: rusqlite::Error) -> Self {
        Error::Sqlite { context: context.into(), source }
    }
}

/// Extension to attach a context string to rusqlite results.
pub(crate) trait SqlContext<T> {
    /// Attach what we were doing.
    fn ctx(self, context: &str) -> Result<T>;
}

impl<T> SqlContext<T> for std::result::Result<T, rusqlite::Error> {
    fn ctx(self, context: &str) -> Result<T> {
        self.map_err(|e| Error::sql(context, e))
    }
}

/// The error as front ends see it: a stable kind and a human message.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ApiError {
    /// Stable kind (see [`Error::kind`]).
    pub kind: String,
    /// Human-readable message, with its chain of causes.
    pub message: String,
}

impl From<&Error> for ApiError {
    fn from(e: &Error) -> Self {
        ApiError { kind: e.kind().to_string(), message: e.to_string() }
    }
}
