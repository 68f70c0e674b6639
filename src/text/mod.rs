//! The text helpers every stage below the model shares: trimming report lines, the chunk of
//! lines the splitter hands a parser, the shape of a printed result set, and comma-separated
//! SQL items. A leaf: it uses no
//! other module of the crate, so `split` and `parse` can both build on it without knowing each
//! other.

mod chunk;
mod items;
mod logger_row;
mod shape;
mod trim;

pub use chunk::Chunk;
pub use items::split_top_level;
pub use logger_row::{is_iso_time, is_logger_header};
pub use shape::Shape;
pub use trim::{is_space, trim, trim_start};
