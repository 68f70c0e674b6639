//! Pure parsers (no IO): text in, model out. Every production is a small nom parser with the
//! line shape it reads quoted above it (format-spec.md). Nothing here may panic on any input.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod deadlock;
pub mod line;

pub use deadlock::parse_deadlock;
pub use line::{classify, Line};
