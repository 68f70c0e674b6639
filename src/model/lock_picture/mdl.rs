//! Metadata-lock waits: who waits for whom on a table's metadata lock (MDL), from
//! `performance_schema.metadata_locks` (granted and pending rows) or MariaDB's
//! `METADATA_LOCK_INFO` (granted only, with the waiters taken from PROCESSLIST's `Waiting for
//! table metadata lock`).
//!
//! The server's rules (`sql/mdl.cc`): a request waits for a granted lock of another session on
//! the same object when their types are incompatible, and also for an earlier *pending* request
//! of higher priority — a pending `EXCLUSIVE` (an ALTER waiting for an idle reader) blocks every
//! later `SHARED_READ`/`SHARED_WRITE`, which is how one idle transaction stalls a whole table
//! behind a DDL.

use super::join::Sessions;
use super::LockPicture;
use crate::model::lock::TableName;
use crate::model::lock_mode::LockKind;
use crate::model::lock_table::{LockStatus, MdlOwner};
use crate::model::lock_wait::{LockWait, TrxSummary, WaitedLock};

/// The MDL types of tables, in the order of the server's matrices.
const TYPES: [&str; 10] = [
    "SHARED",
    "SHARED_HIGH_PRIO",
    "SHARED_READ",
    "SHARED_WRITE",
    "SHARED_WRITE_LOW_PRIO",
    "SHARED_UPGRADABLE",
    "SHARED_READ_ONLY",
    "SHARED_NO_WRITE",
    "SHARED_NO_READ_WRITE",
    "EXCLUSIVE",
];

/// Request (row) against granted (column): `+` compatible (`MDL_lock::m_object_lock_strategy`,
/// the granted matrix of MySQL 8's `sql/mdl.cc`; MariaDB's has the same cells for its types).
const GRANTED: [&str; 10] = [
    "+++++++++-",
    "+++++++++-",
    "++++++++--",
    "++++++----",
    "++++++----",
    "+++++-+---",
    "+++--+++--",
    "+++---+---",
    "++--------",
    "----------",
];

/// Request (row) against an earlier pending request (column): the default priority matrix.
const PENDING: [&str; 10] = [
    "+++++++++-",
    "++++++++++",
    "++++++++--",
    "+++++++---",
    "++++++----",
    "+++++++++-",
    "+++-++++--",
    "+++++++++-",
    "+++++++++-",
    "++++++++++",
];

fn index_of(mode: &str) -> Option<usize> {
    TYPES.iter().position(|t| *t == mode)
}

/// Whether a request of `want` must wait for a lock of `held` (granted, or pending ahead).
fn conflicts(want: &str, held: &str, held_granted: bool) -> bool {
    let (Some(w), Some(h)) = (index_of(want), index_of(held)) else {
        return false;
    };
    let matrix = if held_granted { &GRANTED } else { &PENDING };
    matrix
        .get(w)
        .and_then(|row| row.as_bytes().get(h))
        .is_some_and(|&c| c == b'-')
}

/// The MDL type a statement asks for first, for a waiter known only from PROCESSLIST: DDL
/// waits to upgrade to `EXCLUSIVE`, a write for `SHARED_WRITE`, a read for `SHARED_READ`.
fn mode_of_statement(sql: &str) -> &'static str {
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    match first.as_str() {
        // MariaDB's `FLUSH TABLES t` waits for the table's metadata lock, exclusively.
        "ALTER" | "DROP" | "RENAME" | "TRUNCATE" | "CREATE" | "OPTIMIZE" | "FLUSH" => "EXCLUSIVE",
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE" => "SHARED_WRITE",
        _ => "SHARED_READ",
    }
}

/// The table a statement names first (`ALTER TABLE t`, `FROM t`, `UPDATE t`, `INTO t`,
/// `FLUSH TABLES t`).
fn table_of_statement(sql: &str) -> Option<String> {
    super::statements::tables_of_statement(sql)?
        .into_iter()
        .next()
}

/// One MDL request or holder, with the session it belongs to.
struct Entry {
    session: TrxSummary,
    table: TableName,
    mode: String,
    granted: bool,
    line: usize,
    /// The lock table it was read from; `None`: PROCESSLIST (the lock a waiter asks for is
    /// then told by its statement).
    source: Option<u32>,
}

impl LockPicture {
    /// The metadata-lock waits of the lock tables read, in queue order.
    pub(super) fn mdl_waits(&self, sessions: &Sessions<'_>) -> Vec<LockWait> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut pending_shown = false;
        for (source, row) in &self.mdl {
            if row.object_type.as_str() != "TABLE" {
                continue;
            }
            pending_shown |= row.status == LockStatus::Waiting;
            let mut session = session_of(row.owner, sessions);
            if let Some(q) = &row.query {
                session.query.get_or_insert_with(|| q.clone());
                session.query_known = true;
            }
            entries.push(Entry {
                session,
                table: row.table.clone(),
                mode: row.mode.to_string(),
                granted: row.status == LockStatus::Granted,
                line: row.line,
                source: Some(*source),
            });
        }
        // No metadata lock table at all: PROCESSLIST alone still shows who waits behind whom.
        let holders_shown = !entries.is_empty();
        if !pending_shown {
            // METADATA_LOCK_INFO lists only what is granted: the waiters are the sessions
            // PROCESSLIST shows waiting for a metadata lock, longest waiting first.
            let mut waiting: Vec<&TrxSummary> = self
                .sessions
                .iter()
                .filter(|s| {
                    s.process_state
                        .as_deref()
                        .is_some_and(|st| st.contains("metadata lock"))
                })
                .collect();
            waiting.sort_by_key(|s| std::cmp::Reverse(s.command_secs.unwrap_or(0)));
            // A session shown twice (PROCESSLIST and `threads`, or two copies) waits once.
            let mut seen: Vec<u64> = Vec::new();
            waiting.retain(|s| match s.thread_id {
                Some(id) if seen.contains(&id) => false,
                Some(id) => {
                    seen.push(id);
                    true
                }
                None => true,
            });
            for s in waiting {
                let Some(sql) = s.query.as_deref() else {
                    continue;
                };
                let Some(name) = table_of_statement(sql) else {
                    continue;
                };
                // An unqualified name is in the session's default database.
                let (schema, table) = match name.split_once('.') {
                    Some((d, t)) => (Some(d.to_string()), t.to_string()),
                    None => (s.database.clone(), name),
                };
                let known = entries.iter().find(|e| {
                    e.table.table.eq_ignore_ascii_case(&table)
                        && schema.as_deref().map_or(true, |d| {
                            e.table
                                .schema
                                .as_deref()
                                .is_some_and(|s| s.eq_ignore_ascii_case(d))
                        })
                });
                let table = match known {
                    Some(e) => e.table.clone(),
                    None if holders_shown => continue,
                    None => TableName {
                        schema: schema.map(Into::into),
                        table: table.into(),
                        partition: None,
                    },
                };
                let mut session = s.clone();
                session.trx_id = session_key(s.thread_id, None);
                entries.push(Entry {
                    session,
                    table,
                    mode: mode_of_statement(sql).to_string(),
                    granted: false,
                    line: s.row_line,
                    source: None,
                });
            }
        }
        let source_of = |e: &Entry| match e.source {
            Some(i) => self.source(i),
            None => "PROCESSLIST (Waiting for table metadata lock)".to_string(),
        };
        let mut waits = Vec::new();
        for (i, want) in entries.iter().enumerate().filter(|(_, e)| !e.granted) {
            let mut blockers: Vec<&Entry> = Vec::new();
            for (j, held) in entries.iter().enumerate() {
                let ahead = held.granted || j < i;
                if j == i
                    || !ahead
                    || held.session.trx_id == want.session.trx_id
                    || held.table != want.table
                    || !conflicts(&want.mode, &held.mode, held.granted)
                {
                    continue;
                }
                if !blockers
                    .iter()
                    .any(|b| b.session.trx_id == held.session.trx_id)
                {
                    blockers.push(held);
                }
            }
            if blockers.is_empty() && !holders_shown {
                // The head of the queue: who holds the lock, PROCESSLIST does not say. A
                // statement running on the table since before the wait began holds it (a long
                // SELECT: its metadata lock lasts as long as it runs); an idle transaction that
                // used the table, PROCESSLIST cannot tell.
                let since = want.session.command_secs.unwrap_or(0);
                let running = super::processlist::running_on(&self.sessions, &want.table, since);
                for r in running
                    .iter()
                    .filter(|r| r.thread_id != want.session.thread_id)
                {
                    waits.push(LockWait {
                        requesting: want.session.clone(),
                        blocking: Some(r.clone()),
                        lock: metadata_lock(want),
                        wait_secs: want.session.command_secs.map(|s| s as f64),
                        sources: vec![source_of(want)],
                        line: want.line,
                        inferred: true,
                    });
                }
                if !running.is_empty() {
                    continue;
                }
                waits.push(LockWait {
                    requesting: want.session.clone(),
                    blocking: None,
                    lock: metadata_lock(want),
                    wait_secs: want.session.command_secs.map(|s| s as f64),
                    sources: vec![source_of(want)],
                    line: want.line,
                    inferred: true,
                });
            }
            for b in blockers {
                waits.push(LockWait {
                    requesting: want.session.clone(),
                    blocking: Some(b.session.clone()),
                    lock: metadata_lock(want),
                    wait_secs: None,
                    sources: vec![source_of(if want.source.is_some() { want } else { b })],
                    line: if want.line > 0 { want.line } else { b.line },
                    inferred: want.source.is_none(),
                });
            }
        }
        waits
    }
}

fn metadata_lock(want: &Entry) -> WaitedLock {
    WaitedLock {
        table: want.table.clone(),
        index: None,
        mode: want.mode.clone(),
        kind: LockKind::Metadata,
        lock_data: None,
        space: None,
        page: None,
        heap_no: None,
        record: None,
        text: format!("{} metadata lock", want.mode),
    }
}

/// `session 16`: how an MDL participant is named (it may have no InnoDB transaction).
fn session_key(processlist: Option<u64>, ps: Option<u64>) -> String {
    match (processlist, ps) {
        (Some(id), _) => format!("session {id}"),
        (None, Some(ps)) => format!("thread {ps}"),
        (None, None) => "session ?".to_string(),
    }
}

fn session_of(owner: MdlOwner, sessions: &Sessions<'_>) -> TrxSummary {
    let mut t = match owner {
        MdlOwner::PsThread(ps) => TrxSummary {
            ps_thread_id: Some(ps),
            ..TrxSummary::default()
        },
        MdlOwner::Processlist(id) => TrxSummary {
            thread_id: Some(id),
            ..TrxSummary::default()
        },
    };
    sessions.enrich(&mut t);
    t.trx_id = session_key(t.thread_id, t.ps_thread_id);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_ddl_blocks_the_readers_behind_it() {
        assert!(conflicts("EXCLUSIVE", "SHARED_READ", true));
        assert!(!conflicts("SHARED_READ", "SHARED_UPGRADABLE", true));
        assert!(conflicts("SHARED_READ", "EXCLUSIVE", false));
        assert!(conflicts("SHARED_WRITE", "EXCLUSIVE", false));
        assert!(!conflicts("SHARED_WRITE", "SHARED_READ", false));
        assert!(!conflicts("SHARED_HIGH_PRIO", "EXCLUSIVE", false));
    }

    #[test]
    fn statements_tell_their_table_and_type() {
        assert_eq!(
            table_of_statement("ALTER TABLE orders ADD COLUMN note int").as_deref(),
            Some("orders")
        );
        assert_eq!(
            table_of_statement("SELECT * FROM `shop`.`orders` WHERE id = 1").as_deref(),
            Some("shop.orders")
        );
        assert_eq!(mode_of_statement("update orders set a = 1"), "SHARED_WRITE");
        assert_eq!(
            mode_of_statement("ALTER TABLE t ENGINE=InnoDB"),
            "EXCLUSIVE"
        );
    }
}
