//! Stalls that are no row lock, read from PROCESSLIST alone: `Waiting for table flush` and
//! the global read lock (`Waiting for global read lock`, `Waiting for commit lock`, MariaDB's
//! `Waiting for backup lock`).
//!
//! - **Table flush.** `FLUSH TABLES` (and `FLUSH TABLES WITH READ LOCK`, `ANALYZE TABLE`,
//!   …) marks the open tables as old and waits until every statement that has one open ends;
//!   every statement that opens such a table afterwards waits for the same thing (`Waiting for
//!   table flush`). The holders are the statements that were already running on those tables
//!   when the flush began: PROCESSLIST shows them running (not waiting), with a `TIME` at least
//!   the flush's. Killing the `FLUSH` frees nobody: the table stays marked until they end.
//! - **Global read lock.** `FLUSH TABLES WITH READ LOCK` (a backup tool's), once granted,
//!   blocks every write and every commit until its session runs `UNLOCK TABLES` or ends;
//!   while it waits itself (for running writes), the writes that come after it queue behind
//!   it. Once granted, its session is usually idle (`Sleep`, no statement: the tool copies
//!   files): PROCESSLIST does not say which session holds it, so when the only session idle
//!   since before the first wait is there, it is taken as the holder — inferred.
//!
//! Every wait here is inferred (`LockWait::inferred`): PROCESSLIST names no holder.

use super::processlist::{procs, share, Proc, Waiting};
use super::statements::{is_backup_statement, is_flush_statement, is_write};
use super::LockPicture;
use crate::model::lock::TableName;
use crate::model::lock_mode::LockKind;
use crate::model::lock_wait::{LockWait, WaitedLock};

/// Where these waits are read from, for the evidence.
const SOURCE: &str = "PROCESSLIST";

impl LockPicture {
    /// The table-flush and global-read-lock waits PROCESSLIST shows.
    pub(super) fn stall_waits(&self) -> Vec<LockWait> {
        let procs = procs(&self.sessions);
        let mut waits = flush_waits(&procs);
        waits.extend(global_waits(&procs));
        waits
    }
}

fn wait(p: &Proc, blocker: Option<&Proc>, lock: WaitedLock) -> LockWait {
    LockWait {
        requesting: p.session.clone(),
        blocking: blocker.map(|b| b.session.clone()),
        lock,
        wait_secs: Some(p.secs as f64),
        sources: vec![format!(
            "{SOURCE} ({})",
            p.session.process_state.as_deref().unwrap_or("")
        )],
        line: p.session.row_line,
        inferred: true,
    }
}

fn stall_lock(kind: LockKind, mode: &str, table: TableName, text: &str) -> WaitedLock {
    WaitedLock {
        table,
        index: None,
        mode: mode.to_string(),
        kind,
        lock_data: None,
        space: None,
        page: None,
        heap_no: None,
        record: None,
        text: text.to_string(),
    }
}

/// `Waiting for table flush`: each waiter waits for the statements that had its tables open
/// when the flush began.
fn flush_waits(procs: &[Proc]) -> Vec<LockWait> {
    let waiters: Vec<&Proc> = procs
        .iter()
        .filter(|p| p.waiting == Waiting::TableFlush)
        .collect();
    if waiters.is_empty() {
        return Vec::new();
    }
    let flushers: Vec<&&Proc> = waiters
        .iter()
        .filter(|p| p.sql().is_some_and(is_flush_statement))
        .collect();
    // When the flush began: the oldest flush shown, else (it is over: an ANALYZE TABLE) the
    // longest waiter.
    let since = flushers
        .iter()
        .map(|p| p.secs)
        .max()
        .or_else(|| waiters.iter().map(|p| p.secs).max())
        .unwrap_or(0);
    let holders: Vec<&Proc> = procs
        .iter()
        .filter(|p| p.runs() && p.secs >= since)
        .collect();
    let mut out = Vec::new();
    for w in &waiters {
        let tables = w.tables();
        let flushes_all = w.sql().is_some_and(is_backup_statement)
            || (w.sql().is_some_and(is_flush_statement) && tables.is_none());
        let mine: Vec<&Proc> = match &tables {
            _ if flushes_all => holders.clone(),
            Some(ts) => {
                let named: Vec<&Proc> = holders
                    .iter()
                    .copied()
                    .filter(|h| h.tables().is_some_and(|ht| share(ts, &ht)))
                    .collect();
                if named.is_empty() {
                    // Statements whose tables the words do not show.
                    holders
                        .iter()
                        .copied()
                        .filter(|h| h.tables().is_none())
                        .collect()
                } else {
                    named
                }
            }
            None => holders.clone(),
        };
        let table = tables
            .as_ref()
            .and_then(|t| t.first().cloned())
            .filter(|_| !flushes_all)
            .unwrap_or_default();
        let lock = stall_lock(
            LockKind::TableFlush,
            "table flush",
            table,
            "Waiting for table flush",
        );
        if mine.is_empty() {
            out.push(wait(w, None, lock));
            continue;
        }
        for h in mine.into_iter().filter(|h| h.id != w.id) {
            out.push(wait(w, Some(h), lock.clone()));
        }
    }
    out
}

/// The global read lock (commit lock, backup lock): FTWRL waits for the writes running before
/// it; every other waiter waits for the FTWRL session, or, none shown, for the one session
/// idle since before the first wait.
fn global_waits(procs: &[Proc]) -> Vec<LockWait> {
    let waiters: Vec<(&Proc, &'static str)> = procs
        .iter()
        .filter_map(|p| match p.waiting {
            Waiting::Global(name) => Some((p, name)),
            _ => None,
        })
        .collect();
    let mut backups: Vec<&Proc> = procs
        .iter()
        .filter(|p| p.sql().is_some_and(is_backup_statement))
        .collect();
    backups.sort_by_key(|p| std::cmp::Reverse(p.secs));
    let longest = waiters
        .iter()
        .filter(|(p, _)| !p.sql().is_some_and(is_backup_statement))
        .map(|(p, _)| p.secs)
        .max()
        .unwrap_or(0);
    let idle: Vec<&Proc> = procs
        .iter()
        .filter(|p| p.idle() && p.secs >= longest)
        .collect();
    let mut out = Vec::new();
    for (w, name) in &waiters {
        let lock = stall_lock(
            LockKind::GlobalRead,
            name,
            TableName::default(),
            w.session.process_state.as_deref().unwrap_or_default(),
        );
        if w.sql().is_some_and(is_backup_statement) {
            // FTWRL itself waits: for the writes that were running when it began.
            let writers: Vec<&Proc> = procs
                .iter()
                .filter(|p| {
                    p.id != w.id && p.runs() && p.secs >= w.secs && p.sql().is_some_and(is_write)
                })
                .collect();
            if writers.is_empty() {
                out.push(wait(w, None, lock));
                continue;
            }
            for h in writers {
                out.push(wait(w, Some(h), lock.clone()));
            }
            continue;
        }
        let holder = backups
            .iter()
            .copied()
            .find(|b| b.id != w.id)
            .or(match idle.as_slice() {
                [only] => Some(*only),
                _ => None,
            });
        out.push(wait(w, holder, lock));
    }
    out
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::model::lock_wait::TrxSummary;

    fn session(id: u64, command: &str, secs: u64, state: &str, info: Option<&str>) -> TrxSummary {
        TrxSummary {
            thread_id: Some(id),
            command: Some(command.into()),
            command_secs: Some(secs),
            process_state: (!state.is_empty()).then(|| state.into()),
            query: info.map(Into::into),
            query_known: true,
            user: Some("root".into()),
            database: Some("test".into()),
            ..TrxSummary::default()
        }
    }

    fn edges(waits: &[LockWait]) -> Vec<(String, Option<String>)> {
        waits
            .iter()
            .map(|w| {
                (
                    w.requesting.trx_id.clone(),
                    w.blocking.as_ref().map(|b| b.trx_id.clone()),
                )
            })
            .collect()
    }

    fn picture(sessions: Vec<TrxSummary>) -> LockPicture {
        LockPicture {
            sessions,
            ..LockPicture::default()
        }
    }

    #[test]
    fn the_flush_and_the_reads_behind_it_wait_for_the_long_query() {
        let p = picture(vec![
            session(
                13,
                "Query",
                36,
                "User sleep",
                Some("select sleep(1) from t"),
            ),
            session(
                16,
                "Query",
                20,
                "Waiting for table flush",
                Some("flush tables t"),
            ),
            session(
                17,
                "Query",
                4,
                "Waiting for table flush",
                Some("select * from t where id=1"),
            ),
            session(20, "Query", 0, "init", Some("show processlist")),
        ]);
        let s = |n: &str| Some(n.to_string());
        assert_eq!(
            edges(&p.stall_waits()),
            [
                ("session 16".into(), s("session 13")),
                ("session 17".into(), s("session 13")),
            ]
        );
    }

    #[test]
    fn writers_wait_for_the_ftwrl_and_it_for_the_long_write() {
        let p = picture(vec![
            session(
                20,
                "Query",
                7,
                "User sleep",
                Some("UPDATE orders SET a = SLEEP(9)"),
            ),
            session(
                21,
                "Query",
                5,
                "Waiting for backup lock",
                Some("FLUSH TABLES WITH READ LOCK"),
            ),
            session(
                22,
                "Query",
                3,
                "Waiting for backup lock",
                Some("UPDATE orders SET a = 1"),
            ),
        ]);
        let s = |n: &str| Some(n.to_string());
        assert_eq!(
            edges(&p.stall_waits()),
            [
                ("session 21".into(), s("session 20")),
                ("session 22".into(), s("session 21")),
            ]
        );
    }

    #[test]
    fn the_one_idle_session_is_taken_for_the_holder() {
        let mut sessions = vec![
            session(13, "Sleep", 7, "", None),
            session(
                14,
                "Query",
                5,
                "Waiting for global read lock",
                Some("UPDATE t SET a=1"),
            ),
            session(12, "Query", 3, "Waiting for commit lock", Some("COMMIT")),
        ];
        let s = |n: &str| Some(n.to_string());
        assert_eq!(
            edges(&picture(sessions.clone()).stall_waits()),
            [
                ("session 14".into(), s("session 13")),
                ("session 12".into(), s("session 13")),
            ]
        );
        // Two sessions idle since before the first wait: which holds it is not told.
        sessions.push(session(18, "Sleep", 60, "", None));
        assert!(picture(sessions)
            .stall_waits()
            .iter()
            .all(|w| w.blocking.is_none()));
    }
}
