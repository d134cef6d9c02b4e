//! Search: identifiers and their validation (more to come: FTS5, keyword lists, indicator packs).

pub mod identifiers;
