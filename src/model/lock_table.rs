//! The rows of the lock tables, whichever table and client printed them: a lock
//! (`performance_schema.data_locks`, `information_schema.INNODB_LOCKS`), a wait
//! (`data_lock_waits`, `INNODB_LOCK_WAITS`, `sys.innodb_lock_waits`, home-made joins), a
//! transaction (`INNODB_TRX`) or a session (`PROCESSLIST`, `performance_schema.threads`). The
//! parser reads columns by role into these; `LockPicture` joins them.

use super::lock::TableName;
use super::lock_mode::{LockKind, LockMode};
use super::lock_wait::TrxSummary;
use super::Name;

/// The owner of a lock row whose result set names none, as read: `of line 12`, the row's own
/// line (unique in an input, so that rows are never joined by a guess).
pub const ROW_OWNER_KEY: &str = "of line ";

/// The owner of lock rows of a result set that names none, grouped by their table locks
/// (`parse::lock_tables`), as read: `at line 9`, the line of the group's first row.
pub const GROUP_OWNER_KEY: &str = "at line ";

/// The names `LockPicture` gives those owners, numbered in input order (lines shift when a
/// copy is redacted or trimmed; the order does not): `unnamed 1` for a group, `row 3` for a
/// row alone.
pub const GROUPED_PREFIX: &str = "unnamed ";
pub const UNNAMED_PREFIX: &str = "row ";

/// `LOCK_STATUS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockStatus {
    Granted,
    Waiting,
}

/// Where a record lock is: `space:page:heap` of its lock id (`ENGINE_LOCK_ID`
/// `<trx>:<space>:<page>:<heap>[:<ptr>]`, INNODB_LOCKS' `lock_space`/`lock_page`/`lock_rec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordAddress {
    pub space: u64,
    pub page: u64,
    pub heap: u64,
}

impl RecordAddress {
    /// `trx:space:page:heap` (5.x, early 8.0), `trx:space:page:heap:lock` (8.0.17+),
    /// `trx:…:space:page:heap:lock` (later 8.x): the three numbers before the lock's own id.
    pub fn of_lock_id(id: &str) -> Option<RecordAddress> {
        let parts: Vec<&str> = id.split(':').collect();
        if parts.len() < 4 {
            return None;
        }
        let at = if parts.len() == 4 { 1 } else { parts.len() - 4 };
        let num = |i: usize| parts.get(i).and_then(|p| p.trim().parse::<u64>().ok());
        Some(RecordAddress {
            space: num(at)?,
            page: num(at + 1)?,
            heap: num(at + 2)?,
        })
    }
}

/// One lock, granted or wanted.
#[derive(Debug, Clone, PartialEq)]
pub struct LockRow {
    /// `ENGINE_LOCK_ID` / `lock_id`, as printed.
    pub lock_id: Option<Name>,
    /// The owner: `ENGINE_TRANSACTION_ID` / `lock_trx_id`. When the paste shows no trx id,
    /// the lock id's trx part, `thread N` (its THREAD_ID), `at line N` (grouped by table
    /// locks) or `of line N` (the row alone).
    pub trx_id: Name,
    /// `performance_schema` `THREAD_ID` (not the processlist id a `KILL` takes).
    pub ps_thread_id: Option<u64>,
    pub table: TableName,
    /// `None` for a table lock.
    pub index: Option<Name>,
    /// A record lock (`LOCK_TYPE` `RECORD`, or an index or record address shown).
    pub record: bool,
    pub mode: LockMode,
    /// After InnoDB's rules: on the supremum every lock is a gap lock.
    pub kind: LockKind,
    /// `None` when the table has no status column (INNODB_LOCKS lists only locks that wait or
    /// block).
    pub status: Option<LockStatus>,
    /// `LOCK_DATA`: key values as the server prints them, `supremum pseudo-record`.
    pub data: Option<String>,
    pub address: Option<RecordAddress>,
    /// `LOCK_MODE` as printed (`X,REC_NOT_GAP`).
    pub mode_text: Name,
    /// 1-based input line of the row (or of its result set's header).
    pub line: usize,
}

impl LockRow {
    pub fn is_supremum(&self) -> bool {
        self.data
            .as_deref()
            .is_some_and(|d| d.contains("supremum pseudo-record"))
            || self.address.is_some_and(|a| a.heap == 1)
    }

    /// Whether two rows lock the same record (or the same table): the same address when both
    /// have one, else the same table, index and `LOCK_DATA`.
    pub fn same_target(&self, other: &LockRow) -> bool {
        if self.record != other.record || self.table.table != other.table.table {
            return false;
        }
        let schemas_agree = match (&self.table.schema, &other.table.schema) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if !schemas_agree {
            return false;
        }
        if !self.record {
            return true;
        }
        match (self.address, other.address) {
            (Some(a), Some(b)) => a == b,
            _ => self.index == other.index && self.data.is_some() && self.data == other.data,
        }
    }

    /// Whether this (waiting) lock must wait for `held` (granted, another transaction's, on
    /// the same target) under InnoDB's compatibility rules.
    pub fn waits_for(&self, held: &LockRow) -> bool {
        if !self.mode.conflicts_with(&held.mode) {
            return false;
        }
        !self.record || self.kind.waits_for(held.kind)
    }
}

/// One side of a wait as a waits table shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WaitSide {
    pub trx: TrxSummary,
    /// `REQUESTING_ENGINE_LOCK_ID` / `requested_lock_id` / `waiting_lock_id`, and the blocking
    /// ones.
    pub lock_id: Option<Name>,
    /// A lock mode a join or `sys.innodb_lock_waits` prints beside the ids
    /// (`waiting_lock_mode`, `blocking_lock_mode`), as printed and read.
    pub mode_text: Option<Name>,
    pub mode: Option<LockMode>,
    pub kind: Option<LockKind>,
}

/// One row of a waits table: `requesting` waits for `blocking`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WaitRow {
    pub requesting: WaitSide,
    pub blocking: WaitSide,
    /// What the table says of the lock itself (sys: `locked_table`, `locked_index`,
    /// `locked_type`).
    pub table: Option<TableName>,
    pub index: Option<Name>,
    pub lock_type: Option<Name>,
    pub wait_secs: Option<f64>,
    pub line: usize,
}

/// Who owns a metadata lock: `performance_schema.metadata_locks` names the thread by its
/// `THREAD_ID`, the MariaDB plugin's `METADATA_LOCK_INFO` by the processlist id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MdlOwner {
    PsThread(u64),
    Processlist(u64),
}

/// One metadata lock, granted or pending.
#[derive(Debug, Clone, PartialEq)]
pub struct MdlRow {
    pub owner: MdlOwner,
    /// `TABLE`, `SCHEMA`, `GLOBAL`, `BACKUP`, … (upper case).
    pub object_type: Name,
    /// The object: schema and name (a schema lock has an empty table name).
    pub table: TableName,
    /// The lock type without MariaDB's `MDL_` prefix: `SHARED_READ`, `EXCLUSIVE`, ….
    pub mode: Name,
    pub status: LockStatus,
    /// The owner's statement, when the table shows it (`sys.schema_table_lock_waits`).
    pub query: Option<String>,
    pub line: usize,
}

/// One statement a thread ran (`performance_schema.events_statements_history` /
/// `_current`): the whole story of a transaction, where the deadlock report shows only the
/// last statement.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementRow {
    /// The processlist id (what deadlock reports print as `thread id`), when the result set
    /// has it (joined with `threads`).
    pub thread_id: Option<u64>,
    /// performance_schema's `THREAD_ID`.
    pub ps_thread_id: Option<u64>,
    /// Order within the thread.
    pub event_id: u64,
    pub sql: String,
    /// `MYSQL_ERRNO`: 1213 for the deadlock victim's statement, 1205 for a lock wait timeout.
    pub errno: Option<u32>,
    pub line: usize,
}

/// The rows of one result set, by what the table is.
#[derive(Debug, Clone, PartialEq)]
pub enum TableRows {
    Locks(Vec<LockRow>),
    /// `performance_schema.metadata_locks`, `information_schema.METADATA_LOCK_INFO`.
    Metadata(Vec<MdlRow>),
    Waits(Vec<WaitRow>),
    /// INNODB_TRX (trx id set) or PROCESSLIST / threads (thread id set, `trx_id` empty).
    Sessions(Vec<TrxSummary>),
    /// `events_statements_history` / `_current`.
    Statements(Vec<StatementRow>),
}

impl TableRows {
    pub fn len(&self) -> usize {
        match self {
            TableRows::Locks(r) => r.len(),
            TableRows::Waits(r) => r.len(),
            TableRows::Metadata(r) => r.len(),
            TableRows::Sessions(r) => r.len(),
            TableRows::Statements(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A result set read as a lock table: its rows, which table it looks like and where it came
/// from.
#[derive(Debug, Clone, PartialEq)]
pub struct LockTable {
    /// `performance_schema.data_locks`, `sys.innodb_lock_waits`, … (a guess from the columns
    /// when they were renamed).
    pub kind: &'static str,
    pub rows: TableRows,
    /// 1-based line of the header.
    pub line: usize,
    /// A later piece of a large `\G` result set (its first row is not row 1); pieces of a
    /// boxed or `-B` one repeat the header, with its line.
    pub continues: bool,
    /// Rows that could not be read whole (`line`, why): cut off, of another width, missing
    /// fields. The rest of the table is read.
    pub problems: Vec<(usize, String)>,
}

impl LockRow {
    /// A key for "the same record (or table)", as [`LockRow::same_target`] compares: the
    /// record's address when the row has one, else its index and `LOCK_DATA`.
    pub fn target_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.record.hash(&mut h);
        self.table.table.hash(&mut h);
        if self.record {
            match self.address {
                Some(a) => (0u8, a).hash(&mut h),
                None => (1u8, &self.index, &self.data).hash(&mut h),
            }
        }
        h.finish()
    }
}
