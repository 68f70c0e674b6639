//! Several copies of one table in one paste: a DBA runs `SELECT * FROM data_locks` before and
//! after a session blocks, or once per step of a demonstration, and pastes every result. Joined
//! together they double-count each lock and let an earlier step's transactions (committed
//! since) block a later step's waiter. A table is taken as a later snapshot of the one before
//! it — same input, same kind of table — when the two show the same tables or transactions;
//! only the latest is joined, and a warning says which was used. Copies about other tables
//! (one query per table) are all joined.

use std::collections::HashSet;

use super::LockPicture;
use crate::model::lock_table::{LockTable, TableRows};
use crate::model::{Warning, GROUP_OWNER_KEY, ROW_OWNER_KEY};

/// A table held back until the next of its input and kind.
#[derive(Debug)]
pub(super) struct Pending {
    input: String,
    kind: &'static str,
    source: u32,
    table: LockTable,
    /// Header lines of the earlier snapshots it replaced.
    replaced: Vec<usize>,
}

/// Whether `table` is of a kind pasted as successive snapshots.
pub(super) fn may_repeat(table: &LockTable) -> bool {
    matches!(
        table.rows,
        TableRows::Locks(_) | TableRows::Waits(_) | TableRows::Metadata(_)
    ) && !table.rows.is_empty()
}

impl LockPicture {
    pub(super) fn hold_back(&mut self, input: &str, source: u32, table: LockTable) {
        let mut replaced = Vec::new();
        let earlier = self
            .pending
            .iter()
            .position(|p| p.input == input && p.kind == table.kind);
        if let Some(p) = earlier.map(|i| self.pending.remove(i)) {
            // The splitter hands a large result set on in pieces: the same header line, or a
            // `\G` piece that does not start at row 1.
            let piece = table.continues || p.table.line == table.line;
            if !piece && same_subject(&p.table, &table) {
                replaced = p.replaced;
                replaced.push(p.table.line);
            } else {
                self.release(p);
            }
        }
        self.pending.push(Pending {
            input: input.to_string(),
            kind: table.kind,
            source,
            table,
            replaced,
        });
    }

    pub(super) fn release(&mut self, p: Pending) {
        if !p.replaced.is_empty() {
            let lines: Vec<String> = p.replaced.iter().map(usize::to_string).collect();
            self.snapshot_notes.push(Warning {
                input: p.input.clone(),
                line: p.table.line,
                message: format!(
                    "{} copies of `{}` show the same tables or transactions: read as \
                     successive snapshots, only the latest (line {}) is used, the earlier \
                     left out (line {})",
                    lines.len() + 1,
                    p.kind,
                    p.table.line,
                    lines.join(", ")
                ),
                text: None,
            });
        }
        self.join_table(p.source, p.table);
    }
}

/// Whether two tables of one kind show the same tables (by name) or the same transactions.
fn same_subject(a: &LockTable, b: &LockTable) -> bool {
    let (ta, tb) = (tables(a), tables(b));
    let (xa, xb) = (trxs(a), trxs(b));
    if !ta.is_disjoint(&tb) || !xa.is_disjoint(&xb) {
        return true;
    }
    // Neither names a table nor a transaction: nothing tells them apart.
    ta.is_empty() && tb.is_empty() && xa.is_empty() && xb.is_empty()
}

fn tables(t: &LockTable) -> HashSet<String> {
    let names: Vec<String> = match &t.rows {
        TableRows::Locks(rows) => rows.iter().map(|r| r.table.table.to_string()).collect(),
        TableRows::Waits(rows) => rows
            .iter()
            .filter_map(|r| r.table.as_ref().map(|t| t.table.to_string()))
            .collect(),
        TableRows::Metadata(rows) => rows.iter().map(|r| r.table.table.to_string()).collect(),
        _ => Vec::new(),
    };
    names
        .into_iter()
        .filter(|n| !n.is_empty())
        .map(|n| n.to_lowercase())
        .collect()
}

/// The transactions a table names (not the stand-ins for unnamed owners, which are lines).
fn trxs(t: &LockTable) -> HashSet<String> {
    let ids: Vec<&str> = match &t.rows {
        TableRows::Locks(rows) => rows.iter().map(|r| r.trx_id.as_str()).collect(),
        TableRows::Waits(rows) => rows
            .iter()
            .flat_map(|r| {
                [
                    r.requesting.trx.trx_id.as_str(),
                    r.blocking.trx.trx_id.as_str(),
                ]
            })
            .collect(),
        _ => Vec::new(),
    };
    ids.into_iter()
        .filter(|id| {
            !id.is_empty() && !id.starts_with(ROW_OWNER_KEY) && !id.starts_with(GROUP_OWNER_KEY)
        })
        .map(str::to_string)
        .collect()
}
