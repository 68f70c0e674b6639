//! How a client printed a result set: the splitter tells it from the line starts, the result-set
//! reader reads each shape its own way.

/// The shape a result set was printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `+---+` borders and `| a | b |` rows (`mysql -t`, the interactive `;`).
    Boxed,
    /// `*************************** 1. row ***************************` and `name: value` (`\G`).
    Vertical,
    /// Tab-separated cells, a header first (`mysql -B`).
    Batch,
    /// An array of objects, or one object per line.
    Json,
    /// A markdown table: `| a | b |`, then `|---|---|`, then the rows (tickets, READMEs).
    Markdown,
}
