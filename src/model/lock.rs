//! A table or record lock as printed under a transaction (`TABLE LOCK …` / `RECORD LOCKS …`),
//! decoded into what it covers.

use super::lock_mode::{LockKind, LockMode, LockModeClause};
use super::record::Record;
use super::Name;
use serde::Serialize;

/// A table name with its schema and partition split out; quoting styles (backquotes, ANSI
/// double quotes, 5.0's `db/t`) are removed by the parser.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Default)]
pub struct TableName {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<Name>,
    pub table: Name,
    /// `/* Partition `p1` */`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<Name>,
}

impl TableName {
    /// The same table, whichever partitions the two names point at.
    pub fn same_table(&self, other: &TableName) -> bool {
        self.schema == other.schema && self.table == other.table
    }

    /// `` `schema`.`table` `` (with ` partition `p`` when there is one), appended to `out`.
    pub fn push_to(&self, out: &mut String) {
        let _ = self.write_to(out);
    }

    // Pieces, not `write!`: this runs for every lock of every report.
    fn write_to(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        // A lock-table paste without the table's column (a subset selected) names no table.
        if self.table.is_empty() && self.schema.is_none() {
            return f.write_str("a table the input does not name");
        }
        if let Some(schema) = &self.schema {
            f.write_str("`")?;
            f.write_str(schema)?;
            f.write_str("`.")?;
        }
        f.write_str("`")?;
        f.write_str(&self.table)?;
        f.write_str("`")?;
        if let Some(p) = &self.partition {
            f.write_str(" partition `")?;
            f.write_str(p)?;
            f.write_str("`")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for TableName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write_to(f)
    }
}

/// The space id and page number of a record lock whose copy elided them (`RECORD LOCKS …
/// index PRIMARY of table …`, format-spec §10): such locks are placed by table and index.
pub const NOT_PRINTED: u64 = u64::MAX;

/// Table lock vs record lock, with the physical location of a record lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum LockTarget {
    Table,
    Record {
        space: u64,
        page: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        n_bits: Option<u64>,
        index: Name,
    },
}

/// One lock struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lock {
    #[serde(flatten)]
    pub target: LockTarget,
    pub table: TableName,
    /// The owning trx id exactly as printed (hex on 5.5, `0 1234` on 5.0).
    pub trx_id: compact_str::CompactString,
    pub mode: LockMode,
    /// Decoded precise kind (`next-key`, `gap`, `record-only`, `insert-intention`, `table`).
    pub kind: LockKind,
    /// The flag words as printed, before the supremum rule was applied.
    pub clause: LockModeClause,
    pub waiting: bool,
    pub records: Vec<Record>,
    /// 1-based physical input line of the lock header.
    pub line: usize,
    /// The header line as printed (after prefix stripping): the evidence for findings, which
    /// share it rather than copy it.
    pub text: std::sync::Arc<str>,
}

impl Lock {
    pub fn is_record_lock(&self) -> bool {
        matches!(self.target, LockTarget::Record { .. })
    }

    pub fn index(&self) -> Option<&str> {
        match &self.target {
            LockTarget::Record { index, .. } => Some(index),
            LockTarget::Table => None,
        }
    }

    /// True when the lock lists records and every one of them is the supremum.
    pub fn only_supremum(&self) -> bool {
        !self.records.is_empty() && self.records.iter().all(Record::is_supremum)
    }

    /// True when any listed record is delete-marked.
    pub fn touches_delete_marked(&self) -> bool {
        self.records.iter().any(Record::is_delete_marked)
    }

    /// Same lock struct location: the same page (record locks) or the same table. A page
    /// belongs to one index, so the space and page numbers decide, whatever names a copy
    /// printed beside them (anonymised copies rename tables and indexes inconsistently).
    pub fn same_place(&self, other: &Lock) -> bool {
        match (&self.target, &other.target) {
            (
                LockTarget::Record {
                    space: s1,
                    page: p1,
                    ..
                },
                LockTarget::Record {
                    space: s2,
                    page: p2,
                    ..
                },
            ) => {
                // A copy that elided the numbers (`RECORD LOCKS … index PRIMARY of table …`):
                // the names are all there is.
                if *s1 == NOT_PRINTED || *s2 == NOT_PRINTED {
                    self.table == other.table && self.index() == other.index()
                } else {
                    s1 == s2 && p1 == p2
                }
            }
            (LockTarget::Table, LockTarget::Table) => self.table == other.table,
            _ => false,
        }
    }

    /// Heap numbers of the listed records.
    pub fn heap_nos(&self) -> impl Iterator<Item = u64> + '_ {
        self.records.iter().map(|r| r.heap_no)
    }

    /// Whether `self` (granted) could be what blocks `waiter`: same place, overlapping records
    /// (or no records printed to tell), and modes that conflict under InnoDB's gap rules.
    pub fn may_block(&self, waiter: &Lock) -> bool {
        if !self.same_place(waiter) {
            return false;
        }
        if self.is_record_lock() {
            let overlap = self.records.is_empty()
                || waiter.records.is_empty()
                || waiter.heap_nos().any(|h| self.heap_nos().any(|g| g == h));
            if !overlap {
                return false;
            }
            // A granted gap-only or insert-intention lock never blocks a record-only request,
            // and nothing but an insert intention waits on a plain gap lock … except that gap
            // and next-key locks do block insert intentions.
            match (self.kind, waiter.kind) {
                (LockKind::Gap, LockKind::RecNotGap) => return false,
                (LockKind::InsertIntention, _) => return false,
                (LockKind::RecNotGap, LockKind::InsertIntention) => return false,
                (_, LockKind::Gap) | (_, LockKind::NextKey) if self.kind == LockKind::Gap => {
                    return false
                }
                _ => {}
            }
        }
        self.mode.conflicts_with(&waiter.mode)
    }
}
