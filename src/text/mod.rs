//! Text primitives that quote extraction and actor resolution both read: tokens (with their
//! offsets) and the lexicon. Below both, so neither depends on the other for them.

pub mod lexicon;
pub mod tokens;
