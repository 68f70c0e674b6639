//! Pure parsers (no IO): text in, model out. Every production is a small nom parser with the
//! line shape it reads quoted above it (format-spec.md). Nothing here may panic on any input.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod atoms;
mod banner;
pub mod deadlock;
mod field_line;
mod heading;
pub mod line;
mod lock_header;
pub mod lock_tables;
mod logger_rows;
mod markup;
mod mode_clause;
mod record_line;
mod section;
mod table_name;
#[cfg(test)]
mod test_util;
mod thread_line;
mod timestamp;
mod trx_line;

pub use crate::text::trim;
pub use deadlock::{parse_deadlock, parse_transaction_list};
pub use line::{classify, Counters, Heading, Line, LockHeader, RecordHeader, ThreadLine, TrxLine};
pub use lock_header::parse_lock_header;
pub use logger_rows::{logger_row_cells, parse_logger_rows};
pub use mode_clause::parse_mode_clause;
