//! Finds the reports inside a stream of logical lines: deadlock sections of a status output,
//! dumps in an error log, and the lock-wait material (TRANSACTIONS sections, lock-table result
//! sets). Holds at most one piece at a time.

mod chunk;
mod sections;
mod splitter;

pub use chunk::Chunk;
pub use splitter::{Piece, Splitter};
