//! What one report shows and what it hides, per transaction: the locks each one holds (MySQL's
//! `HOLDS THE LOCK(S)`, or MariaDB's `CONFLICTING WITH` locks naming its trx id), whether the
//! server printed them at all (format-spec §3.1–§3.3), and who blocks whom. Matchers read this
//! view rather than the raw model so that every pattern treats the server families alike.

use std::cell::OnceCell;

use smallvec::SmallVec;

use super::{words, Confidence, Evidence};
use crate::model::{
    push_number, short_value, Deadlock, FieldValue, Flavour, Lock, LockKind, LockMode, Name,
    Record, TableName, Transaction,
};

/// Locks that block a waiter, with their holders: a few at most, kept in place.
pub(crate) type Blocking<'v, 'a> = SmallVec<[(&'v Trx<'a>, &'a Lock); 4]>;

/// One transaction of the report with what is known about it.
pub(crate) struct Trx<'a> {
    pub t: &'a Transaction,
    /// The `(n)` printed.
    pub n: u32,
    /// Locks the report prints as held by this transaction.
    pub held: Vec<&'a Lock>,
    /// Whether the server prints this transaction's held locks at all: false for transaction
    /// (1) on MySQL ≤ 8.0.17 / MariaDB < 10.6, and for everyone with `innodb_deadlock_report=basic`.
    pub holds_shown: bool,
    pub wait: Option<&'a Lock>,
    /// `INSERT`, `UPDATE`, … of the current statement.
    pub verb: Option<Name>,
    /// The statement is `INSERT … ON DUPLICATE KEY UPDATE`.
    pub odku: bool,
    /// `sql::quoted` of the statement, made the first time a finding quotes it.
    quoted: OnceCell<Option<String>>,
}

impl Trx<'_> {
    /// The statement shortened and in backticks (`sql::quoted`), if printed.
    pub fn quoted_query(&self) -> Option<&str> {
        self.quoted
            .get_or_init(|| self.t.query.as_deref().map(super::sql::quoted))
            .as_deref()
    }

    /// The counters line (`N lock struct(s), … row lock(s), undo log entries M`) was printed,
    /// so a missing `undo log entries` means the transaction has written nothing.
    pub fn counters_shown(&self) -> bool {
        self.t.lock_structs.is_some() || self.t.row_locks.is_some()
    }

    pub fn is(&self, verb: &str) -> bool {
        self.verb.as_deref() == Some(verb)
    }

    /// A plain `INSERT` (or `INSERT IGNORE`): its duplicate check takes S locks, unlike
    /// `REPLACE` and `INSERT … ON DUPLICATE KEY UPDATE`, which take X locks.
    pub fn plain_insert(&self) -> bool {
        self.is("INSERT") && !self.odku
    }

    /// Held locks on the same index of the same table as `lock` (any page).
    pub fn held_on_index<'b>(&'b self, lock: &'b Lock) -> impl Iterator<Item = &'b Lock> + 'b {
        self.held
            .iter()
            .copied()
            .filter(move |h| same_index(h, lock))
    }
}

/// The report seen per transaction. Built once per deadlock ([`View::new`]) and handed to every
/// pattern's check, so what all of them read (held locks, verbs, upserts) is worked out once.
pub struct View<'a> {
    pub(crate) d: &'a Deadlock,
    pub(crate) trx: Vec<Trx<'a>>,
    /// MariaDB `innodb_deadlock_report=basic`: no `CONFLICTING WITH`, so no holder is printed.
    pub(crate) basic: bool,
    /// Table names the copy gives one table: two record locks on the same page (one page
    /// belongs to one index of one table) printed with different names, as when a publisher
    /// anonymised the schema in only some lines (fixtures/labelled c-014).
    pub(crate) renamed: Vec<(&'a TableName, &'a TableName)>,
}

impl<'a> View<'a> {
    pub fn new(d: &'a Deadlock) -> View<'a> {
        let any_conflicts = d
            .transactions
            .iter()
            .any(|t| !t.conflicting_with.is_empty());
        let basic = d.flavour == Flavour::Mariadb106 && !any_conflicts && d.transactions.len() > 1;
        let trx = d
            .transactions
            .iter()
            .map(|t| {
                let mut held: Vec<&Lock> = t.holds.iter().collect();
                for other in &d.transactions {
                    for c in &other.conflicting_with {
                        if c.trx_id == t.trx_id && !held.iter().any(|h| same_lock(h, c)) {
                            held.push(c);
                        }
                    }
                }
                let holds_shown = !held.is_empty()
                    || match d.flavour {
                        Flavour::Mysql8018 => true,
                        Flavour::Mariadb106 => !basic,
                        f if f.holds_only_for_second() => t.number == 2,
                        _ => false,
                    };
                let odku = t.query.as_deref().is_some_and(super::sql::is_odku);
                Trx {
                    t,
                    n: t.number,
                    held,
                    holds_shown,
                    wait: t.waits_for.as_ref(),
                    verb: t.verb(),
                    odku,
                    quoted: OnceCell::new(),
                }
            })
            .collect();
        let renamed = renamed_tables(d);
        View {
            d,
            trx,
            basic,
            renamed,
        }
    }

    /// Whether two locks' tables are one table: the same name (two partitions of a table are
    /// that table), or names the copy gives the same table (`renamed`).
    pub(crate) fn same_table(&self, a: &Lock, b: &Lock) -> bool {
        a.table.same_table(&b.table) || is_pair(&self.renamed, &a.table, &b.table)
    }

    /// The sentence that says the copy names one table twice, when it does.
    pub(crate) fn renamed_note(&self) -> Option<String> {
        let (a, b) = self.renamed.first()?;
        Some(format!(
            "The copy names one table both {a} and {b} (the same page of the same tablespace): \
             an edited copy, read as one table."
        ))
    }

    /// The deadlock this view is of.
    pub fn deadlock(&self) -> &'a Deadlock {
        self.d
    }

    pub(crate) fn get(&self, n: u32) -> Option<&Trx<'a>> {
        self.trx.iter().find(|t| t.n == n)
    }

    /// Transactions that wait for a lock, in printed order.
    pub(crate) fn waiters(&self) -> impl Iterator<Item = (&Trx<'a>, &'a Lock)> {
        self.trx.iter().filter_map(|t| t.wait.map(|w| (t, w)))
    }

    /// The transaction `n` waits for, from the wait-for graph.
    pub(crate) fn blocker_of(&self, n: u32) -> Option<&Trx<'a>> {
        let edge = self.d.graph.edge_from(n)?;
        self.get(edge.holder).filter(|h| h.n != n)
    }

    /// The other transactions' printed locks that block `waiter`'s request.
    pub(crate) fn blocking_locks(&self, waiter: &Trx<'a>) -> Blocking<'_, 'a> {
        let Some(wait) = waiter.wait else {
            return Blocking::new();
        };
        self.trx
            .iter()
            .filter(|o| o.n != waiter.n)
            .flat_map(|o| o.held.iter().map(move |h| (o, *h)))
            .filter(|(_, h)| h.may_block(wait))
            .collect()
    }

    /// The transaction whose trx id is stored in a clustered-index record's `DB_TRX_ID`: the
    /// last writer of the row, which still holds it implicitly if it has not committed
    /// (format-spec §3.5, field order; public samples 001, 013).
    pub(crate) fn last_writer(&self, lock: &Lock, rec: &Record) -> Option<&Trx<'a>> {
        let id = db_trx_id(lock, rec)?;
        self.trx.iter().find(|t| trx_id_is(&t.t.trx_id, id))
    }

    /// Ends a finding's summary: who was rolled back and, unless the finding is certain, what
    /// the report could not show.
    pub(crate) fn close_summary(&self, summary: &mut String, confidence: Confidence) {
        summary.push_str(&words::victim(self.d));
        if confidence != Confidence::High {
            if let Some(note) = self.hidden_note() {
                summary.push(' ');
                summary.push_str(&note);
            }
        }
    }

    /// The sentence that says what this report could not show, for low/medium findings.
    pub(crate) fn hidden_note(&self) -> Option<String> {
        if self.basic {
            return Some(
                "The server ran with innodb_deadlock_report=basic, so the report prints no \
                 conflicting locks: who holds what is inferred from the waits."
                    .to_string(),
            );
        }
        let hidden: Vec<String> = self
            .trx
            .iter()
            .filter(|t| !t.holds_shown)
            .map(|t| format!("({})", t.n))
            .collect();
        if hidden.is_empty() || self.trx.len() < 2 {
            return None;
        }
        let who = hidden.join(", ");
        Some(match self.d.flavour {
            f if f.holds_only_for_second() => format!(
                "This server ({}) prints held locks only for transaction (2), so what trx {who} \
                 holds is inferred from the cycle.",
                f.label()
            ),
            _ => format!("The report prints no held locks for trx {who}."),
        })
    }
}

/// Pairs of different table names printed for locks on one page (`View::renamed`).
fn renamed_tables(d: &Deadlock) -> Vec<(&TableName, &TableName)> {
    let locks: Vec<&Lock> = d
        .transactions
        .iter()
        .flat_map(|t| {
            t.holds
                .iter()
                .chain(&t.conflicting_with)
                .chain(&t.waits_for)
        })
        .filter(|l| l.is_record_lock())
        .collect();
    let mut pairs: Vec<(&TableName, &TableName)> = Vec::new();
    for (i, a) in locks.iter().enumerate() {
        for b in locks.iter().skip(i + 1) {
            if a.table != b.table && a.same_place(b) && !is_pair(&pairs, &a.table, &b.table) {
                pairs.push((&a.table, &b.table));
            }
        }
    }
    pairs
}

/// Whether `pairs` holds `a` and `b`, in either order.
fn is_pair(pairs: &[(&TableName, &TableName)], a: &TableName, b: &TableName) -> bool {
    pairs
        .iter()
        .any(|&(x, y)| (x == a && y == b) || (x == b && y == a))
}

/// Same table and index (record locks) or same table (table locks), any page; the partitions
/// of a partitioned table's index are that index.
pub(crate) fn same_index(a: &Lock, b: &Lock) -> bool {
    (a.table.same_table(&b.table) && a.index() == b.index())
        || (a.is_record_lock() && a.same_place(b))
}

/// The same lock struct printed twice (MariaDB repeats a holder's lock under every waiter).
fn same_lock(a: &Lock, b: &Lock) -> bool {
    a.same_place(b) && a.clause == b.clause && a.heap_nos().eq(b.heap_nos())
}

/// Whether two locks are known to cover a common record (or gap) on the same page. `None`
/// when a side printed no records (5.x without record dumps) and the pages match.
pub(crate) fn overlap(a: &Lock, b: &Lock) -> Option<bool> {
    if !a.same_place(b) {
        return Some(false);
    }
    if a.records.is_empty() || b.records.is_empty() {
        return None;
    }
    Some(a.heap_nos().any(|h| b.heap_nos().any(|g| g == h)))
}

/// A record's first key field in `sql::literals` form.
pub(crate) fn key_literal(rec: &Record) -> Option<String> {
    field_literal(rec.fields.first()?)
}

/// Every field of a record that reads as a value, in `sql::literals` form.
pub(crate) fn field_literals(rec: &Record) -> Vec<String> {
    rec.fields.iter().filter_map(field_literal).collect()
}

fn field_literal(f: &crate::model::Field) -> Option<String> {
    match &f.value {
        FieldValue::Bytes {
            hex,
            len,
            total: None,
            ..
        } => {
            let v = short_value(&f.value);
            if let Ok(n) = v.parse::<i64>() {
                Some(format!("int:{n}"))
            } else if v.starts_with('\'') {
                // CHAR pads with spaces: the value is what comes before them.
                Some(format!(
                    "str:{}",
                    v.trim_matches('\'').trim_end_matches(' ')
                ))
            } else if *len >= 8 {
                Some(format!("hex:{hex}"))
            } else {
                u64::from_str_radix(hex, 16)
                    .ok()
                    .map(|n| format!("int:{n}"))
            }
        }
        _ => None,
    }
}

/// Whether two record locks are known to be on different records.
pub(crate) fn different_records(a: &Lock, b: &Lock) -> bool {
    match (a.records.is_empty(), b.records.is_empty()) {
        (false, false) => !a.heap_nos().any(|h| b.heap_nos().any(|g| g == h)) || !a.same_place(b),
        _ => !a.same_place(b),
    }
}

/// Whether an index's name says it is unique (`uk_name`, `uniq_order`, `udx_…`): the report
/// does not print the index definition, the naming convention is all there is.
pub(crate) fn named_unique(index: &str) -> bool {
    let lower = index.to_ascii_lowercase();
    ["uniq", "unique", "uk_", "unq", "udx"]
        .iter()
        .any(|p| lower.contains(p))
}

pub(crate) fn is_clustered(index: &str) -> bool {
    matches!(index, "PRIMARY" | "GEN_CLUST_INDEX")
}

pub(crate) fn is_insert_intention(l: &Lock) -> bool {
    l.kind == LockKind::InsertIntention
}

/// A lock on a real record (not only the gap before it, not an insert intention).
pub(crate) fn is_record_part(l: &Lock) -> bool {
    matches!(l.kind, LockKind::NextKey | LockKind::RecNotGap)
}

pub(crate) fn is_x(l: &Lock) -> bool {
    l.mode == LockMode::X
}

pub(crate) fn is_s(l: &Lock) -> bool {
    l.mode == LockMode::S
}

/// The lock's first user record (not the supremum), if printed.
pub(crate) fn first_user_record(l: &Lock) -> Option<&Record> {
    l.records
        .iter()
        .find(|r| !r.is_supremum() && !r.is_infimum())
}

/// `DB_TRX_ID` of a clustered-index record: the 6-byte field followed by the 7-byte roll
/// pointer after the key columns.
fn db_trx_id(lock: &Lock, rec: &Record) -> Option<u64> {
    let index = lock.index()?;
    if !is_clustered(index) {
        return None;
    }
    rec.db_trx_id()
}

/// Whether a printed trx id (decimal on 5.6+, hex on 5.5, `0 n` on 5.0) is `id`.
fn trx_id_is(printed: &str, id: u64) -> bool {
    let printed = printed.trim();
    if printed == id.to_string() {
        return true;
    }
    if let Some((high, low)) = printed.split_once(' ') {
        if let (Ok(h), Ok(l)) = (high.parse::<u64>(), low.parse::<u64>()) {
            return (h << 32 | l) == id;
        }
    }
    printed.eq_ignore_ascii_case(&format!("{id:X}"))
}

/// A lock header as evidence.
pub(crate) fn ev_lock(l: &Lock) -> Evidence {
    Evidence {
        line: l.line,
        text: l.text.clone(),
    }
}

/// A record line as evidence, in the words InnoDB prints it (`Record lock, heap no …`).
pub(crate) fn ev_record(r: &Record) -> Evidence {
    let mut text = String::with_capacity(96);
    text.push_str("Record lock, heap no ");
    push_number(&mut text, r.heap_no);
    if let Some(n) = r.n_fields {
        text.push_str(" PHYSICAL RECORD: n_fields ");
        push_number(&mut text, n);
        text.push_str("; ");
        text.push_str(r.format.as_deref().unwrap_or("compact format"));
        if let Some(bits) = r.info_bits {
            text.push_str("; info bits ");
            push_number(&mut text, bits);
        }
    }
    Evidence {
        line: r.line,
        text: text.into(),
    }
}

/// Evidence lines in input order, each once.
pub(crate) fn evidence(mut ev: Vec<Evidence>) -> Vec<Evidence> {
    ev.sort_by_key(|e| e.line);
    ev.dedup_by(|a, b| a.line == b.line && a.text == b.text);
    ev
}
