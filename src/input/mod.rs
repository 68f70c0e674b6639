//! Where text comes from and how it becomes logical lines: physical lines are read as bytes
//! (any encoding, any garbage), client decoration (`\G` rows, boxed tables, `-B` batch output
//! with `\n` escapes) and error-log prefixes are removed, and what is left goes to the splitter.

mod lines;
mod unwrap;

pub use lines::LineReader;
pub use unwrap::{strip_log_prefix, LogicalLine, Prefix, Unwrapper};
