//! Lock tables as clients print them and DBAs paste them (`data_locks`, `data_lock_waits`,
//! `sys.innodb_lock_waits`, `INNODB_TRX`, `INNODB_LOCKS`, `INNODB_LOCK_WAITS`, `PROCESSLIST`,
//! `performance_schema.threads`, and joins of them): the printed shape is read into cells
//! (`result_set`), the query above it into aliases (`query`), each column given its role by a
//! dictionary of names, aliases and value probes (`columns`), and the rows turned into the
//! model's lock, wait and session rows (`rows`). Joining them is the model's `LockPicture`.

mod annotation;
mod columns;
mod query;
mod result_set;
mod rows;

pub use columns::{Role, DATA_LOCKS_COLUMNS};
pub use query::{read_query, QueryContext};
pub use result_set::{is_batch_header, parse_result_set, ResultSet, Shape};
pub use rows::{column_roles, read_table, table_name};

use crate::model::LockTable;

/// Why a result set was not read as a lock table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotALockTable {
    /// Nothing like a result set was there.
    Empty,
    /// A result set, but not of a table lockscope reads: its header line and columns.
    Other { line: usize, columns: String },
}

/// Reads one result set printed in `shape`, with the query text pasted above it (`query`).
pub fn parse_lock_table<'a>(
    shape: Shape,
    query: &[&str],
    lines: impl Iterator<Item = (usize, &'a str)>,
) -> Result<LockTable, NotALockTable> {
    let set = parse_result_set(shape, lines).ok_or(NotALockTable::Empty)?;
    let context = read_query(query);
    read_table(&set, &context).ok_or_else(|| NotALockTable::Other {
        line: set.line,
        columns: if set.headerless {
            format!("{} columns without a header", set.columns.len())
        } else {
            set.columns.join(", ")
        },
    })
}
