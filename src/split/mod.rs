//! Finds the reports inside a stream of logical lines: deadlock sections of a status output,
//! dumps in an error log. Holds at most one report at a time.

mod chunk;
mod splitter;

pub use chunk::Chunk;
pub use splitter::{Piece, Splitter};
