//! Who holds what: the lock rows counted per transaction, table, index and mode, with a few
//! of the keys. A million record locks of one `UPDATE` become one group ("X next-key locks on
//! 999,779 records of `shop`.`orders` PRIMARY, keys 1 … 999779"), so the picture stays small
//! and the report a screenful.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::lock::TableName;
use crate::model::lock_mode::{LockKind, LockMode};
use crate::model::lock_table::{LockRow, LockStatus};
use crate::model::Name;

/// Keys kept per group for the report.
const EXAMPLES: usize = 3;

/// The locks of one transaction on one table (and index) in one mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldLocks {
    pub trx_id: Name,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ps_thread_id: Option<u64>,
    pub table: TableName,
    /// `None` for table locks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<Name>,
    pub mode: LockMode,
    pub kind: LockKind,
    /// `LOCK_MODE` as printed (`X,REC_NOT_GAP`).
    pub mode_text: Name,
    /// `granted`, `waiting`, or `unknown` (INNODB_LOCKS has no status column).
    pub status: &'static str,
    /// How many rows (records, or 1 for a table lock).
    pub count: u64,
    /// `LOCK_DATA` of the first few rows, in input order.
    pub examples: Vec<String>,
    /// `LOCK_DATA` of the last row, when there are more than the examples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    /// One of the records is the supremum: the gap after the last record of a page.
    pub supremum: bool,
    /// 1-based input line of the first row.
    pub line: usize,
}

impl HeldLocks {
    pub fn is_record(&self) -> bool {
        self.kind != LockKind::Table
    }
}

type Key = (Name, TableName, Option<Name>, Name, &'static str);

/// The groups, in the order their first row was read.
#[derive(Debug, Default)]
pub(super) struct HeldIndex {
    groups: Vec<HeldLocks>,
    index: HashMap<Key, u32>,
}

fn status_word(status: Option<LockStatus>) -> &'static str {
    match status {
        Some(LockStatus::Granted) => "granted",
        Some(LockStatus::Waiting) => "waiting",
        None => "unknown",
    }
}

impl HeldIndex {
    /// Counts `row` into its group; returns the group's index.
    pub(super) fn add(&mut self, row: &LockRow) -> u32 {
        let key: Key = (
            row.trx_id.clone(),
            row.table.clone(),
            row.index.clone(),
            row.mode_text.clone(),
            status_word(row.status),
        );
        let next = u32::try_from(self.groups.len()).unwrap_or(u32::MAX);
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            self.groups.push(HeldLocks {
                trx_id: row.trx_id.clone(),
                ps_thread_id: row.ps_thread_id,
                table: row.table.clone(),
                index: row.index.clone(),
                mode: row.mode.clone(),
                kind: row.kind,
                mode_text: row.mode_text.clone(),
                status: status_word(row.status),
                count: 0,
                examples: Vec::new(),
                last: None,
                supremum: false,
                line: row.line,
            });
        }
        if let Some(g) = self.groups.get_mut(i as usize) {
            g.count += 1;
            g.supremum |= row.is_supremum();
            // A group mixing the supremum with ordinary records is next-key on the records.
            if g.kind == LockKind::Gap && row.kind == LockKind::NextKey {
                g.kind = LockKind::NextKey;
            }
            // The supremum is not a key: the report says "including the gap after the last
            // record of a page" instead of ending the key range on it.
            if let Some(data) = row.data.as_ref().filter(|_| !row.is_supremum()) {
                if g.examples.len() < EXAMPLES {
                    g.examples.push(data.clone());
                } else {
                    g.last = Some(data.clone());
                }
            }
        }
        i
    }

    /// Takes in `other`'s groups; returns where each of them went.
    pub(super) fn merge(&mut self, other: HeldIndex) -> Vec<u32> {
        let mut moved = Vec::with_capacity(other.groups.len());
        for g in other.groups {
            let key: Key = (
                g.trx_id.clone(),
                g.table.clone(),
                g.index.clone(),
                g.mode_text.clone(),
                g.status,
            );
            let next = u32::try_from(self.groups.len()).unwrap_or(u32::MAX);
            let i = *self.index.entry(key).or_insert(next);
            if i == next {
                self.groups.push(g);
            } else if let Some(mine) = self.groups.get_mut(i as usize) {
                mine.count += g.count;
                mine.supremum |= g.supremum;
                for e in g.examples {
                    if mine.examples.len() < EXAMPLES {
                        mine.examples.push(e);
                    } else {
                        mine.last = Some(e);
                    }
                }
                if g.last.is_some() {
                    mine.last = g.last;
                }
            }
            moved.push(i);
        }
        moved
    }

    pub(super) fn get(&self, i: u32) -> Option<&HeldLocks> {
        self.groups.get(i as usize)
    }

    pub(super) fn groups(&self) -> Vec<HeldLocks> {
        self.groups.clone()
    }

    pub(super) fn all(&self) -> &[HeldLocks] {
        &self.groups
    }
}
