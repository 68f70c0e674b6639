//! The lock clauses and record dumps of a report: a `RECORD LOCKS …` / `TABLE LOCK …` header
//! opens a lock in the current block (held, awaited or conflicting), `Record lock, heap no …`
//! adds a record to it and the field lines fill the record.
//!
//! ```text
//! RECORD LOCKS space id 58 page no 3 n bits 72 index PRIMARY of table `test`.`t` trx id 2078 lock_mode X locks rec but not gap waiting
//! Record lock, heap no 3 PHYSICAL RECORD: n_fields 4; compact format; info bits 0
//!  0: len 4; hex 80000002; asc     ;;
//! ```

use super::{Block, Builder};
use crate::model::{Field, Lock, LockKind, LockMode, LockTarget, Record};
use crate::parse::line::{LockHeader, RecordHeader};
use crate::parse::lock_header::join_wrapped_header;

fn lock_of(header: LockHeader, line_no: usize, text: &str) -> Lock {
    let mode = header
        .clause
        .mode
        .clone()
        .unwrap_or_else(|| LockMode::Unknown(String::new()));
    Lock {
        kind: match header.target {
            LockTarget::Table => LockKind::Table,
            LockTarget::Record { .. } => LockKind::NextKey,
        },
        target: header.target,
        table: header.table,
        trx_id: header.trx_id,
        mode,
        waiting: header.clause.waiting,
        clause: header.clause,
        records: Vec::new(),
        line: line_no,
        text: text.into(),
    }
}

impl Builder<'_> {
    pub(super) fn start_lock(&mut self, header: LockHeader, line_no: usize, text: &str) {
        self.finish_lock();
        let block = match self.block {
            Block::Preamble | Block::Done => {
                self.warn(line_no, "lock line outside a transaction", text);
                return;
            }
            Block::Body => Block::Holds,
            other => other,
        };
        let lock = lock_of(header, line_no, text.trim());
        self.lock = Some((block, lock));
    }

    /// The next piece of a lock header a copy wrapped over several lines (format-spec §10):
    /// true when `text` was one and the open lock now reads it.
    pub(super) fn join_wrapped_lock(&mut self, text: &str) -> bool {
        let Some((_, lock)) = self.lock.as_mut().filter(|(_, l)| l.records.is_empty()) else {
            return false;
        };
        let Some((joined, header)) = join_wrapped_header(&lock.text, text) else {
            return false;
        };
        *lock = lock_of(header, lock.line, &joined);
        true
    }

    pub(super) fn finish_lock(&mut self) {
        let Some((block, mut lock)) = self.lock.take() else {
            return;
        };
        if lock.is_record_lock() {
            if lock.clause.mode.is_none() {
                // Cut before its mode (`… of table ` deadlo...`): which lock, and whether held
                // or awaited, is not known (hunt-shapes3 018).
                return self.warn(
                    lock.line,
                    "lock line cut before its lock mode: not read",
                    &lock.text,
                );
            }
            lock.kind = LockKind::of_record_lock(&lock.clause, lock.only_supremum());
        }
        let Some(trx) = self.trx.and_then(|i| self.deadlock.transactions.get_mut(i)) else {
            return;
        };
        match block {
            Block::Waiting if trx.waits_for.is_none() => trx.waits_for = Some(lock),
            // An excerpt without headings lists the awaited lock among the others.
            Block::Holds if lock.waiting && trx.waits_for.is_none() => trx.waits_for = Some(lock),
            Block::Conflicting => trx.conflicting_with.push(lock),
            _ => trx.holds.push(lock),
        }
    }

    /// A transaction whose `TRANSACTION` line a copy left out takes its id from its lock lines
    /// (`… trx id 78507 lock_mode X waiting`) when they all name the same one.
    pub(super) fn trx_ids_from_locks(&mut self) {
        for trx in &mut self.deadlock.transactions {
            if !trx.trx_id.is_empty() {
                continue;
            }
            let mut ids = trx.waits_for.iter().chain(&trx.holds).map(|l| &l.trx_id);
            let Some(first) = ids.next().filter(|id| !id.is_empty()) else {
                continue;
            };
            if ids.all(|id| id == first) {
                trx.trx_id = first.clone();
            }
        }
    }

    pub(super) fn record(&mut self, header: RecordHeader, line_no: usize, text: &str) {
        match &mut self.lock {
            Some((_, lock)) => lock.records.push(Record {
                heap_no: header.heap_no,
                n_fields: header.n_fields,
                format: header.format,
                info_bits: header.info_bits,
                // Room for the fields the header announces (a damaged count is not trusted
                // beyond what a record can have).
                fields: Vec::with_capacity(
                    header
                        .n_fields
                        .map_or(0, |n| usize::try_from(n.min(64)).unwrap_or(0)),
                ),
                columns: Vec::new(),
                line: line_no,
            }),
            None => self.warn(line_no, "record line outside a `RECORD LOCKS` block", text),
        }
    }

    pub(super) fn field(&mut self, field: Field, line_no: usize, text: &str) {
        let record = self.lock.as_mut().and_then(|(_, l)| l.records.last_mut());
        match record {
            Some(record) => record.fields.push(field),
            None => self.warn(line_no, "field line outside a `Record lock` block", text),
        }
    }
}
