//! Search: identifiers with their checks, and keyword lists ignoring case and diacritics.
//! (The FTS5 index, stored hits and indicator packs come next.)

pub mod identifiers;
pub mod fts;
pub mod keywords;
pub mod linking;
