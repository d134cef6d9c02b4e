//! Image content: perceptual hashing of decoded pixels.
//!
//! Decoding is not done here: callers pass pixel buffers (see [`pdq`]).

pub mod pdq;
