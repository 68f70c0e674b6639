//! Finds the reports inside a stream of logical lines: deadlock sections of a status output,
//! dumps in an error log, and the lock-wait material (TRANSACTIONS sections, lock-table result
//! sets). Holds at most one piece at a time.

mod logger;
mod read;
mod sections;
mod splitter;

pub use crate::text::Chunk;
pub use read::{split_reader, PieceSink, ReadStats};
pub use sections::TableText;
pub use splitter::{Piece, Splitter};
