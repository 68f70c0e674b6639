//! `table-flush-stall`: statements pile up in `Waiting for table flush` behind a long-running
//! statement that had the table open when `FLUSH TABLES` (a backup's, or an `ANALYZE TABLE`)
//! began (fixtures `lock-tables/public/079`–`081`).

use super::prelude::*;
use crate::diagnose::waits::{
    duration, evidence, sentence_start, statement, who, who_running, LockScene,
};
use crate::model::{BlockingTree, LockWait};

declare_pattern! {
    /// ### What it looks like in the log
    /// SHOW PROCESSLIST shows a `FLUSH TABLES` (or `FLUSH TABLES WITH READ LOCK`, from a backup
    /// tool) and then every new statement on the same table in state `Waiting for table flush`,
    /// while one statement on that table has been running for longer than all of them
    /// (`Sending data`, `User sleep`, `Creating sort index`, …).
    ///
    /// ### Why it waits
    /// `FLUSH TABLES` (and `ANALYZE TABLE`, `ALTER TABLE`, `RENAME TABLE`) marks the open table
    /// as old and waits until every statement that has it open ends. Every statement that
    /// opens the table afterwards must wait for the same thing, so one long query stalls the
    /// table for everybody, reads included. Killing the `FLUSH` does not help: the table stays
    /// marked until the long statement ends.
    ///
    /// ### Fix for the write path
    /// To unblock now, end the long-running statement (`KILL <thread id>`; lockscope prints
    /// the command, it never runs it) or wait for it. Then keep long queries and flushes apart:
    /// schedule backups and `ANALYZE TABLE` away from reports, bound reports with
    /// `max_execution_time`, and let the backup tool give up or kill long queries instead of
    /// stalling the server (`xtrabackup --ftwrl-wait-timeout`, `--kill-long-queries-timeout`;
    /// `mysqldump --single-transaction` without options that need FTWRL).
    ///
    /// ### Example
    /// ```sql
    /// -- before: a 20-minute report is running on orders when the backup flushes the tables
    /// SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id;  -- running
    /// FLUSH TABLES WITH READ LOCK;         -- Waiting for table flush
    /// SELECT * FROM orders WHERE id = 7;   -- Waiting for table flush
    /// -- after: the report is bounded, the backup waits only so long
    /// SELECT /*+ MAX_EXECUTION_TIME(60000) */ customer_id, SUM(total) FROM orders
    ///   GROUP BY customer_id;
    /// ```
    pub TABLE_FLUSH_STALL,
    id = "table-flush-stall",
    summary = "statements wait for a table flush that waits for a long-running statement on the table",
    fixed = "end or bound the long query; keep flushes and backups away from long queries",
    on = lock_waits,
}

fn check(scene: &LockScene) -> Vec<Finding> {
    let waits = scene.waits;
    let tree = BlockingTree::new(waits);
    tree.heads()
        .into_iter()
        .filter_map(|head| {
            let flushes = |w: &LockWait| {
                w.requesting
                    .query
                    .as_deref()
                    .is_some_and(|q| q.trim_start().to_ascii_uppercase().starts_with("FLUSH"))
            };
            // MariaDB's FLUSH TABLES t waits for the table's metadata lock instead.
            let queue: Vec<_> = tree
                .waiting_for(&head.trx_id)
                .into_iter()
                .filter(|w| {
                    w.lock.kind == LockKind::TableFlush
                        || (w.lock.kind == LockKind::Metadata && flushes(w))
                })
                .collect();
            let first = queue.first()?;
            let flush = queue.iter().find(|w| flushes(w));
            let running = head
                .command_secs
                .map(|s| format!(" for {}", duration(s)))
                .unwrap_or_default();
            let by = match flush {
                Some(f) => format!("{} ({})", statement(&f.requesting), who(&f.requesting)),
                None => "a flush that has already returned (ANALYZE TABLE, FLUSH TABLES)"
                    .to_string(),
            };
            let kill = tree
                .kill_id(head)
                .map(|id| format!(" To unblock now: `KILL {id};` (printed, never run)."))
                .unwrap_or_default();
            let waiters: Vec<String> = queue
                .iter()
                .map(|w| who_running(&w.requesting))
                .collect();
            let head_name = sentence_start(&who(head));
            let summary = format!(
                "{head_name} has been running {}{running}; {by} waits for it to close {}, and every \
                 statement that opens it since waits too: {} wait in all ({}). Killing the \
                 FLUSH frees none of them: the table stays marked until the long statement \
                 ends.{kill} The holder is inferred from PROCESSLIST: the statement running on \
                 the table since before the flush began.",
                statement(head),
                if first.lock.table.table.is_empty() {
                    "its tables".to_string()
                } else {
                    first.lock.table.to_string()
                },
                tree.queue_len(&head.trx_id),
                waiters.join("; ")
            );
            let fix = "End the long statement (or wait for it); then keep long queries and \
                       table flushes apart: bound reports with max_execution_time, schedule \
                       backups and ANALYZE TABLE away from them, and let the backup tool give \
                       up instead of stalling the server (xtrabackup --ftwrl-wait-timeout, \
                       --kill-long-queries-timeout; mysqldump --single-transaction).\n\n\
                       -- before\n\
                       SELECT … FROM orders GROUP BY …;     -- runs for minutes\n\
                       FLUSH TABLES WITH READ LOCK;         -- waits, and so does every new query\n\n\
                       -- after\n\
                       SELECT /*+ MAX_EXECUTION_TIME(60000) */ … FROM orders GROUP BY …;"
                .to_string();
            Some(TABLE_FLUSH_STALL.finding(
                Confidence::Medium,
                summary,
                queue.iter().map(|w| evidence(w)).collect(),
                fix,
            ))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::diagnose::waits::tests_support::wait;

    #[test]
    fn the_long_query_is_named_with_its_kill() {
        let mut w = wait("session 16", "session 13");
        w.lock.kind = LockKind::TableFlush;
        w.lock.mode = "table flush".into();
        w.requesting.query = Some("flush tables t".into());
        let b = w.blocking.as_mut().unwrap();
        b.thread_id = Some(13);
        b.query = Some("select sleep(1) from t".into());
        b.command_secs = Some(36);
        let findings = check(&LockScene::waits(&[w]));
        assert_eq!(findings.len(), 1);
        let s = &findings[0].summary;
        assert!(s.contains("KILL 13;"), "{s}");
        assert!(s.contains("Killing the FLUSH frees none"), "{s}");
    }
}
