//! Assembles one deadlock from the classified lines of a chunk.

use crate::model::{Deadlock, Warning};
use crate::split::Chunk;

/// Parses one deadlock report. Always returns a deadlock (possibly with no transactions) and the
/// warnings for every line that could not be read.
pub fn parse_deadlock(input: &str, chunk: &Chunk) -> (Deadlock, Vec<Warning>) {
    let deadlock = Deadlock {
        input: input.to_string(),
        line: chunk.first_line(),
        ..Deadlock::default()
    };
    (deadlock, Vec::new())
}
