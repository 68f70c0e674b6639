//! Where text comes from and how it becomes logical lines: physical lines are read as bytes
//! (any encoding, any garbage), client decoration (`\G` rows, boxed tables, `-B` batch output
//! with `\n` escapes) and error-log prefixes are removed, and what is left goes to the splitter.
//! Before that, what copying did to a report (line numbers, quote prefixes, HTML entities, a
//! report flattened onto one line, a JSON error log) is undone (`repair`), and lines a terminal
//! cut at its width are joined again (`rewrap`).

mod lines;
mod repair;
mod rewrap;
mod transport;
mod unwrap;
mod wrapper;

pub use lines::LineReader;
pub use repair::Repairer;
pub use rewrap::Rewrapper;
pub use unwrap::{strip_log_prefix, LogicalLine, Prefix, Unwrapper};
