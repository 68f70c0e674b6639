//! Classifies one logical line of a deadlock report (after the input layer removed client
//! decoration and log prefixes) into the shape it has. The deadlock assembler
//! (`parse/deadlock.rs`) then only walks a sequence of `Line`s.
//!
//! `classify` never fails: a line it cannot read is `Line::Other`, which the assembler treats as
//! a query continuation or reports as a warning, depending on where it appears.

use crate::model::{Field, LockModeClause, LockTarget, TableName};

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    /// Empty or whitespace only.
    Blank,
    /// A line of `-` or `=` only (section borders).
    Rule,
    /// `LATEST DETECTED DEADLOCK` (the status section title).
    DeadlockSectionTitle,
    /// Another monitor section title: `TRANSACTIONS`, `FILE I/O`, `LATEST FOREIGN KEY ERROR`, ….
    SectionTitle(&'a str),
    /// `Transactions deadlock detected, dumping detailed information.` (error-log start line;
    /// also 5.5's `InnoDB: transactions deadlock detected, …`).
    DeadlockDetected,
    /// The report's timestamp line: `2026-11-21 05:24:04 0x7fa6c67406c0`, `120906  6:03:32`,
    /// `2014-12-23 15:47:11 1f4c`, `2023-07-14 10:46:34 140328265680640`.
    Timestamp(&'a str),
    /// `TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH, WE WILL ROLL BACK FOLLOWING
    /// TRANSACTION`, possibly glued after a timestamp (kept in the field when present).
    TooDeep { timestamp: Option<&'a str> },
    /// A `*** …` heading.
    Heading(Heading),
    /// `TRANSACTION 47, ACTIVE 1 sec fetching rows`
    Transaction(TrxLine),
    /// `mysql tables in use 1, locked 1`
    TablesInUse { in_use: u64, locked: u64 },
    /// `LOCK WAIT 7 lock struct(s), heap size 1128, 43 row lock(s), undo log entries 17`
    Counters(Counters),
    /// `MariaDB thread id 23, OS thread handle 1403…, query id 80 localhost 127.0.0.1 u Updating`
    Thread(ThreadLine),
    /// `TABLE LOCK table `db`.`t` trx id 876726B90 lock mode AUTO-INC waiting`
    TableLock(LockHeader),
    /// `RECORD LOCKS space id 6 page no 3 n bits 320 index PRIMARY of table `test`.`session` trx
    /// id 47 lock_mode X waiting`
    RecordLocks(LockHeader),
    /// `Record lock, heap no 12 PHYSICAL RECORD: n_fields 5; compact format; info bits 0`
    RecordLock(RecordHeader),
    /// One or more field lines: ` 0: len 4; hex 80000065; asc    e;;` (5.0 prints all fields of
    /// a record on one line).
    Fields(Vec<Field>),
    /// Anything else, kept verbatim (query text, unknown lines).
    Other(&'a str),
}

/// The `*** …` headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heading {
    /// `*** (n) TRANSACTION:`; `None` for TOO DEEP's `*** TRANSACTION:`.
    Transaction(Option<u32>),
    /// `*** (n) HOLDS THE LOCK(S):`
    Holds(Option<u32>),
    /// `*** (n) WAITING FOR THIS LOCK TO BE GRANTED:`; MariaDB 10.6+ prints no number.
    Waiting(Option<u32>),
    /// `*** CONFLICTING WITH:` (MariaDB 10.6+, `innodb_deadlock_report=full`).
    ConflictingWith,
    /// `*** WE ROLL BACK TRANSACTION (n)`
    Victim(u32),
}

/// `TRANSACTION <id>, <state>[ <op_info>]`
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrxLine {
    /// As printed: `47`, `3BF88F886`, `0 3793488`, `(0x7f53c3a02230)`.
    pub trx_id: String,
    /// `ACTIVE`, `ACTIVE (PREPARED)`, `not started`, `COMMITTED IN MEMORY`, `forced rollback`, ….
    pub state: String,
    pub active_secs: Option<u64>,
    /// `fetching rows`, `inserting`, …; `None` when absent.
    pub op_info: Option<String>,
}

/// The lock-struct counters line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counters {
    pub lock_wait: bool,
    pub lock_structs: Option<u64>,
    pub heap_size: Option<u64>,
    pub row_locks: Option<u64>,
    pub undo_entries: Option<u64>,
}

/// The thread line (`thd_security_context`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThreadLine {
    pub thread_id: Option<u64>,
    pub os_thread_handle: Option<String>,
    pub query_id: Option<u64>,
    pub host: Option<String>,
    pub ip: Option<String>,
    pub user: Option<String>,
    pub proc_info: Option<String>,
}

/// A `TABLE LOCK` or `RECORD LOCKS` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHeader {
    pub target: LockTarget,
    pub table: TableName,
    pub trx_id: String,
    pub clause: LockModeClause,
}

/// `Record lock, heap no <H>[ PHYSICAL RECORD: n_fields <F>; compact format; info bits <B>]`
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordHeader {
    pub heap_no: u64,
    pub n_fields: Option<u32>,
    pub format: Option<String>,
    pub info_bits: Option<u32>,
}

/// Classifies one logical line. Never panics, never fails.
pub fn classify(line: &str) -> Line<'_> {
    if line.trim().is_empty() {
        return Line::Blank;
    }
    Line::Other(line)
}
