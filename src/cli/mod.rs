//! CLI pieces of the `threadline` binary that have grown beyond a few lines (argument definitions
//! and printing only; the work is in the core library).

pub mod matching;
