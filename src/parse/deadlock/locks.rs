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
use crate::model::{Field, FieldValue, Lock, LockKind, LockMode, LockTarget, Record};
use crate::parse::line::{LockHeader, RecordHeader};
use crate::parse::lock_header::{join_wrapped_header, parse_lock_header};
use crate::parse::record_line::record_line;

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

    /// `index uk_ord_no of table `shop5`.`ord`  lock mode S locks gap before rec` under a
    /// HOLDS / WAITING heading: a lock line a condensed copy kept from its index on (hunt
    /// d-030). True when it reads as one (it has a lock mode); a warning says what is missing.
    pub(super) fn headless_lock(&mut self, line_no: usize, text: &str) -> bool {
        let t = text.trim();
        if !t.starts_with("index ")
            || !matches!(
                self.block,
                Block::Holds | Block::Waiting | Block::Conflicting
            )
        {
            return false;
        }
        let Some(header) = parse_lock_header(&format!("RECORD LOCKS ... {t}")) else {
            return false;
        };
        if header.clause.mode.is_none() {
            return false;
        }
        self.warn(
            line_no,
            "a lock line without its `RECORD LOCKS space id … page no …` start (a condensed \
             copy): read from its index on; the page and the records are not known",
            text,
        );
        self.start_lock(header, line_no, text);
        true
    }

    pub(super) fn finish_lock(&mut self) {
        let Some((block, mut lock)) = self.lock.take() else {
            return;
        };
        if lock.is_record_lock() {
            if lock.clause.mode.is_none() {
                // Cut before its mode (`… of table ` deadlo...`, `… index ``): which lock it
                // is cannot be known (hunt-shapes3 018, hunt b-029).
                let what = match block {
                    Block::Waiting => "the lock this transaction waits for",
                    Block::Conflicting => "a conflicting lock",
                    _ => "a held lock",
                };
                let records = match lock.records.len() {
                    0 => String::new(),
                    n => format!(" ({n} record(s) dumped under it)"),
                };
                let cut_at: String = {
                    let t = lock.text.trim_end();
                    let start = t.char_indices().rev().nth(15).map_or(0, |(i, _)| i);
                    t.get(start..).unwrap_or(t).to_string()
                };
                return self.warn(
                    lock.line,
                    &format!(
                        "lock line cut before its lock mode, after \"…{cut_at}\": {what} is not \
                         known (mode, gap or record, index), so it is not read{records}"
                    ),
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
        // A header that stops before its info bits may have been wrapped: kept to join.
        self.record_text = (header.info_bits.is_none() && self.lock.is_some())
            .then(|| (line_no, text.trim().to_string()));
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
        self.fields(std::iter::once(field), line_no, text);
    }

    /// Adds a field line's fields to the record being read. A field whose printed index is not
    /// the next one (a copy cut ` 0:` or the lines between) keeps its printed position: the
    /// fields left out are held as [`FieldValue::Missing`], so every later field decodes as
    /// the column it is, and a warning names the line.
    pub(super) fn fields(
        &mut self,
        fields: impl IntoIterator<Item = Field>,
        line_no: usize,
        text: &str,
    ) {
        let Some(record) = self.lock.as_mut().and_then(|(_, l)| l.records.last_mut()) else {
            return self.warn(line_no, "field line outside a `Record lock` block", text);
        };
        let mut skipped: Option<(u32, u32)> = None;
        for field in fields {
            let expected = record
                .fields
                .last()
                .map_or(0, |f| f.index.saturating_add(1));
            let gap = field.index.saturating_sub(expected);
            // A gap wider than any record (a damaged index) is not filled.
            if gap > 0 && (field.index as usize) < MAX_FIELDS {
                for index in expected..field.index {
                    record.fields.push(Field {
                        index,
                        value: FieldValue::Missing,
                    });
                }
                let from = skipped.map_or(expected, |(from, _)| from);
                skipped = Some((from, field.index - 1));
            }
            record.fields.push(field);
        }
        if let Some((from, to)) = skipped {
            let which = if from == to {
                format!("field {from} is")
            } else {
                format!("fields {from}-{to} are")
            };
            self.warn(
                line_no,
                &format!(
                    "{which} missing from the record dump (cut by the copy): later fields \
                     are read by their printed index"
                ),
                text,
            );
        }
    }

    /// `(total 56 bytes);` alone on a line: the tail of the field above it, which a copy
    /// wrapped (format-spec §3.5, `ut_print_buf` then the total): true when it was one.
    pub(super) fn total_tail(&mut self, text: &str) -> bool {
        let Some((n, off_page)) = total_line(text.trim()) else {
            return false;
        };
        let last = self
            .lock
            .as_mut()
            .and_then(|(_, l)| l.records.last_mut())
            .and_then(|r| r.fields.last_mut());
        match last.map(|f| &mut f.value) {
            Some(FieldValue::Bytes {
                total: total @ None,
                external,
                ..
            }) => {
                *total = Some(n);
                *external = off_page;
                true
            }
            _ => false,
        }
    }

    /// The rest of a `Record lock, heap no …` line a copy wrapped (`… compact format; info` /
    /// `bits 0`): true when `text`, before the record's first field, completes it.
    pub(super) fn join_wrapped_record(&mut self, text: &str) -> bool {
        let Some((at, head)) = self.record_text.take() else {
            return false;
        };
        let Some(record) = self
            .lock
            .as_mut()
            .and_then(|(_, l)| l.records.last_mut())
            .filter(|r| r.fields.is_empty() && r.line == at)
        else {
            return false;
        };
        let next = text.trim();
        let joined = [format!("{head} {next}"), format!("{head}{next}")]
            .into_iter()
            .find_map(|j| record_line(&j).filter(|h| h.info_bits.is_some()));
        match joined {
            Some(h) if h.heap_no == record.heap_no => {
                record.n_fields = h.n_fields.or(record.n_fields);
                record.format = h.format.or(record.format.take());
                record.info_bits = h.info_bits;
                true
            }
            _ => {
                self.record_text = Some((at, head));
                false
            }
        }
    }
}

/// Records have at most 1017 columns plus the system ones; a field index past this is damage.
const MAX_FIELDS: usize = 1100;

// (total 56 bytes);  |  (total 9000 bytes, external);
fn total_line(s: &str) -> Option<(u64, bool)> {
    let inner = s
        .trim_end_matches(';')
        .trim_end()
        .strip_prefix("(total ")?
        .strip_suffix(')')?;
    let (n, rest) = inner.split_once(" bytes")?;
    let n = n.trim().parse().ok()?;
    let external = match rest.trim() {
        "" => false,
        r => r.strip_prefix(',')?.trim() == "external",
    };
    Some((n, external))
}
