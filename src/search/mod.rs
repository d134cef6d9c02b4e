//! Search: the full-text index, identifiers with their checks, keyword lists and indicator packs
//! run over every text of a case with their hits stored, and indicator scores.

pub mod fold;
pub mod fts;
pub mod hits;
pub mod identifiers;
pub mod indicator_run;
pub mod keyword_run;
pub mod keywords;
pub mod linking;
pub mod packs;
pub mod scoring;
pub mod texts;
