//! Lock waits (error 1205's raw material): who waits for whom right now, on which lock, and what
//! the head of each queue is doing. Built from the TRANSACTIONS section of the status output
//! and from the lock tables, whichever the input holds.

use serde::Serialize;

use super::lock::{Lock, LockTarget, TableName};
use super::lock_mode::LockKind;
use super::record::Record;
use super::transaction::Transaction;

/// One transaction as far as the lock-wait sources show it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TrxSummary {
    /// As printed; data_locks' ENGINE_TRANSACTION_ID, INNODB_TRX.trx_id, `---TRANSACTION <id>`.
    pub trx_id: String,
    /// The processlist id (what `KILL` takes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<u64>,
    /// `performance_schema` `THREAD_ID` (data_locks), when the input shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ps_thread_id: Option<u64>,
    /// The statement running now; `None` when the session is between statements.
    pub query: Option<String>,
    /// `RUNNING`, `LOCK WAIT`, `ACTIVE`, ….
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Seconds since the transaction started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_locked: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_modified: Option<u64>,
    /// PROCESSLIST `COMMAND` (`Sleep` means idle in its transaction) and `TIME` in that state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_secs: Option<u64>,
    /// PROCESSLIST `State` (`Waiting for table metadata lock`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_state: Option<String>,
    /// The source shows what the session runs (so `query: None` means "nothing", not "not
    /// shown"): a TRANSACTIONS block, `trx_query`, `blocking_query`, PROCESSLIST `INFO`.
    #[serde(skip)]
    pub query_known: bool,
    /// The last statement the session ran, from its statement history: what an idle blocker
    /// did before it went quiet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_statement: Option<String>,
    /// The session's default database (PROCESSLIST `DB`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// A `THREAD_ID` the lock tables show for this transaction's lock that is another
    /// transaction's thread (the waiter's): when InnoDB turns an implicit lock (an
    /// uncommitted insert's) into a lock struct, it records the converting thread, not the
    /// owner's. Not this transaction's thread, so never one to `KILL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foreign_ps_thread_id: Option<u64>,
    /// 1-based physical line of the row it was read from (a PROCESSLIST row), 0 if none: the
    /// evidence of a wait read from the session's state.
    #[serde(skip)]
    pub row_line: usize,
}

impl TrxSummary {
    /// True when the session runs no statement: idle inside an open transaction.
    pub fn is_idle(&self) -> bool {
        (self.query_known && self.query.is_none()) || self.command.as_deref() == Some("Sleep")
    }

    /// A metadata-lock participant, named `session <processlist id>`: a session, with or
    /// without an InnoDB transaction (`lock_picture::mdl`).
    pub fn is_session(&self) -> bool {
        self.trx_id.starts_with("session ")
    }

    /// Fills what `self` lacks from `other` (the same trx seen in another table).
    pub fn merge(&mut self, other: &TrxSummary) {
        fn fill<T: Clone>(a: &mut Option<T>, b: &Option<T>) {
            if a.is_none() {
                a.clone_from(b);
            }
        }
        fill(&mut self.thread_id, &other.thread_id);
        fill(&mut self.ps_thread_id, &other.ps_thread_id);
        fill(&mut self.query, &other.query);
        fill(&mut self.state, &other.state);
        fill(&mut self.active_secs, &other.active_secs);
        fill(&mut self.started, &other.started);
        fill(&mut self.user, &other.user);
        fill(&mut self.host, &other.host);
        fill(&mut self.rows_locked, &other.rows_locked);
        fill(&mut self.rows_modified, &other.rows_modified);
        fill(&mut self.command, &other.command);
        fill(&mut self.command_secs, &other.command_secs);
        fill(&mut self.process_state, &other.process_state);
        fill(&mut self.database, &other.database);
        fill(&mut self.foreign_ps_thread_id, &other.foreign_ps_thread_id);
        self.query_known |= other.query_known;
        if self.row_line == 0 {
            self.row_line = other.row_line;
        }
    }
}

/// Whether `sql` is a lock-monitoring query (`SELECT * FROM sys.innodb_lock_waits`, a read of
/// `data_locks`, `INNODB_TRX`, PROCESSLIST, `SHOW ENGINE INNODB STATUS`): a blocker shown
/// running one is the session the DBA looked from, between its own statements — its locking
/// statement has finished, and it is idle in its transaction as far as the waiters go.
pub fn is_monitoring_query(sql: &str) -> bool {
    const TABLES: &[&str] = &[
        "innodb_lock_waits",
        "data_lock",
        "innodb_locks",
        "innodb_trx",
        "processlist",
        "metadata_lock",
        "schema_table_lock_waits",
        "engine innodb status",
    ];
    let lower = sql.trim_start().to_ascii_lowercase();
    (lower.starts_with("select") || lower.starts_with("show"))
        && TABLES.iter().any(|t| lower.contains(t))
}

/// The lock a transaction waits for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitedLock {
    pub table: TableName,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// `X`, `S`, `IX`, `AUTO-INC`, ….
    pub mode: String,
    pub kind: LockKind,
    /// LOCK_DATA: the key values (`7`, `'a', 42`, `supremum pseudo-record`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub space: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heap_no: Option<u64>,
    /// The record dump from the TRANSACTIONS section, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<Record>,
    /// How the source printed the lock (a `RECORD LOCKS …` line or `LOCK_MODE` value).
    pub text: String,
}

impl WaitedLock {
    /// Same record (or same table lock): the key of a hot row.
    pub fn same_target(&self, other: &WaitedLock) -> bool {
        self.table == other.table
            && self.index == other.index
            && match (
                self.heap_no,
                other.heap_no,
                &self.lock_data,
                &other.lock_data,
            ) {
                (Some(a), Some(b), ..) => a == b && self.page == other.page,
                (_, _, Some(a), Some(b)) => a == b,
                _ => false,
            }
    }
}

/// `requesting` waits for `blocking` on `lock`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LockWait {
    pub requesting: TrxSummary,
    /// `None` when the input does not say who holds the lock.
    pub blocking: Option<TrxSummary>,
    pub lock: WaitedLock,
    /// How long the request has waited, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_secs: Option<f64>,
    /// Where this wait was read (input names and tables), for the evidence.
    pub sources: Vec<String>,
    /// 1-based physical line of the first place it was read (a table header, or the `---TRANSACTION`
    /// line of the status).
    pub line: usize,
    /// Not printed by a waits table: inferred from the lock rows (a `WAITING` lock and a
    /// conflicting `GRANTED` one on the same record).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

impl LockWait {
    /// The waits a TRANSACTIONS section shows (format-spec §5). The holder is the transaction
    /// whose listed locks block the request (`innodb_status_output_locks=ON`), or else the one
    /// whose id is the `DB_TRX_ID` of the awaited clustered-index record (the last writer of
    /// the row, which still holds it implicitly); otherwise it stays unknown.
    pub fn from_transactions(trxs: &[Transaction], source: &str) -> Vec<LockWait> {
        trxs.iter()
            .filter_map(|t| {
                let wait = t.waits_for.as_ref()?;
                let holder = trxs
                    .iter()
                    .filter(|o| o.trx_id != t.trx_id)
                    .find(|o| o.holds.iter().any(|h| !h.waiting && h.may_block(wait)))
                    .or_else(|| {
                        let writer = last_writer(wait)?;
                        trxs.iter()
                            .find(|o| o.trx_id != t.trx_id && o.trx_id == writer)
                    });
                Some(LockWait {
                    requesting: TrxSummary::of(t),
                    blocking: holder.map(TrxSummary::of),
                    lock: WaitedLock::of(wait),
                    wait_secs: t.wait_ms.map(|ms| ms as f64 / 1000.0),
                    sources: vec![format!("{source} (TRANSACTIONS)")],
                    line: t.line,
                    inferred: false,
                })
            })
            .collect()
    }
}

/// The `DB_TRX_ID` of the first record of a clustered-index lock, as the monitor prints trx
/// ids (decimal).
fn last_writer(lock: &Lock) -> Option<String> {
    let clustered = matches!(lock.index(), Some("PRIMARY" | "GEN_CLUST_INDEX"));
    let record = lock
        .records
        .first()
        .filter(|r| clustered && !r.is_supremum())?;
    record.db_trx_id().map(|id| id.to_string())
}

/// LOCK_DATA from a record dump: the key fields (before `DB_TRX_ID` on a clustered index), each
/// as `short_value` shows it, joined with `, ` the way `data_locks` prints them.
pub fn key_data(record: &Record, index: Option<&str>) -> String {
    if record.is_supremum() {
        return "supremum pseudo-record".to_string();
    }
    if record.is_infimum() {
        return "infimum pseudo-record".to_string();
    }
    let clustered = matches!(index, Some("PRIMARY" | "GEN_CLUST_INDEX"));
    let key_len = clustered
        .then(|| record.trx_id_position())
        .flatten()
        .unwrap_or(record.fields.len());
    record
        .fields
        .iter()
        .take(key_len)
        .map(|f| super::value_text::short_value(&f.value))
        .collect::<Vec<_>>()
        .join(", ")
}

impl TrxSummary {
    /// What a status transaction block says about a transaction.
    pub fn of(t: &Transaction) -> TrxSummary {
        TrxSummary {
            trx_id: t.trx_id.to_string(),
            thread_id: t.thread_id,
            ps_thread_id: None,
            query: t.query.clone(),
            state: Some(if t.lock_wait {
                "LOCK WAIT".to_string()
            } else {
                t.state.to_string()
            }),
            active_secs: t.active_secs,
            started: None,
            user: t.user.as_deref().map(str::to_string),
            host: t.host.as_deref().or(t.ip.as_deref()).map(str::to_string),
            rows_locked: t.row_locks,
            rows_modified: None,
            command: None,
            command_secs: None,
            process_state: None,
            query_known: true,
            last_statement: None,
            database: None,
            foreign_ps_thread_id: None,
            row_line: 0,
        }
    }
}

impl WaitedLock {
    /// The awaited lock of a status transaction block, with its record.
    pub fn of(lock: &Lock) -> WaitedLock {
        let (space, page) = match &lock.target {
            LockTarget::Record { space, page, .. } => (
                Some(*space).filter(|&s| s != super::NOT_PRINTED),
                Some(*page).filter(|&p| p != super::NOT_PRINTED),
            ),
            LockTarget::Table => (None, None),
        };
        let record = lock.records.first();
        WaitedLock {
            table: lock.table.clone(),
            index: lock.index().map(str::to_string),
            mode: lock.mode.as_str().to_string(),
            kind: lock.kind,
            lock_data: record.map(|r| key_data(r, lock.index())),
            space,
            page,
            heap_no: record.map(|r| r.heap_no),
            record: record.cloned(),
            text: lock.text.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn monitoring_queries() {
        // See: fixtures/lock-tables/public/064 (hunt P17).
        for (sql, yes) in [
            ("SELECT * FROM sys.innodb_lock_waits", true),
            ("select * from performance_schema.data_locks", true),
            ("SHOW ENGINE INNODB STATUS", true),
            ("UPDATE t SET a = 1 WHERE id = 3", false),
            ("SELECT * FROM t1 WHERE id = 3 FOR UPDATE", false),
        ] {
            assert_eq!(super::is_monitoring_query(sql), yes, "parsing {sql:?}");
        }
    }
}
