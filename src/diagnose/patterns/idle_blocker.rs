//! `idle-blocker`: the head of a lock queue runs no statement — a transaction held open across
//! application work (seeds 000 and 001, MariaDB capture `lock-wait-timeout`).

use super::prelude::*;
use crate::diagnose::waits::{duration, evidence, lock_phrase, who, who_running, LockScene};
use crate::model::{BlockingTree, LockKind};

declare_pattern! {
    /// ### What it looks like in the log
    /// A transaction waits (`LOCK WAIT`, `TRX HAS BEEN WAITING … FOR THIS LOCK TO BE GRANTED`,
    /// a row in `INNODB_LOCK_WAITS` / `data_lock_waits` / `sys.innodb_lock_waits`) and the
    /// transaction holding the lock runs nothing: `trx_query` / `blocking_query` is NULL, its
    /// PROCESSLIST `COMMAND` is `Sleep`, or its `---TRANSACTION` block has no statement line.
    ///
    /// ### Why it waits
    /// Row locks are held until the transaction commits or rolls back, not until the statement
    /// ends. A session that ran `UPDATE … WHERE id = 7` and then went off to do application work
    /// (an HTTP call, a queue round trip, a user's think time, a forgotten `autocommit=0`) keeps
    /// the row locked the whole time. Everyone who needs that row queues behind it until
    /// `innodb_lock_wait_timeout` (50 s by default) fails them with error 1205.
    ///
    /// ### Fix for the write path
    /// Keep the transaction around the statements only: do the slow work before `BEGIN` or
    /// after `COMMIT`, commit on every path (including errors), and make sure the connection
    /// pool does not hand out connections with an open transaction. To unblock now, end the
    /// idle transaction (`KILL <thread id>`; lockscope prints the command, it never runs it).
    ///
    /// ### Example
    /// ```sql
    /// -- before: the lock on jobs.id = 7 lives as long as the HTTP call
    /// BEGIN;
    /// UPDATE jobs SET state = 'running' WHERE id = 7;
    /// -- … call another service, wait for a user …
    /// COMMIT;
    /// -- after: the slow work happens outside the transaction
    /// -- … call another service …
    /// BEGIN; UPDATE jobs SET state = 'running' WHERE id = 7; COMMIT;
    /// ```
    pub IDLE_BLOCKER,
    id = "idle-blocker",
    summary = "the head of a lock queue runs no statement: a transaction held open across application work",
    fixed = "commit before the slow work; never keep a transaction open across calls",
    on = lock_waits,
}

fn check(scene: &LockScene) -> Vec<Finding> {
    let waits = scene.waits;
    let tree = BlockingTree::new(waits);
    tree.heads()
        .into_iter()
        .filter(|head| head.is_idle())
        // The global read lock's holder is no transaction: `global-read-lock` tells it.
        .filter(|head| {
            tree.waiting_for(&head.trx_id)
                .iter()
                .any(|w| !matches!(w.lock.kind, LockKind::GlobalRead | LockKind::TableFlush))
        })
        .map(|head| {
            let queue = tree.waiting_for(&head.trx_id);
            let held = queue
                .first()
                .map(|w| {
                    format!(
                        "blocks the {} that {} waits for",
                        lock_phrase(&w.lock),
                        who(&w.requesting)
                    )
                })
                .unwrap_or_default();
            // PROCESSLIST's TIME is the idle time; a trx age only bounds it.
            let idle_for = match (head.command_secs, head.active_secs) {
                (Some(s), _) => format!(" for {}", duration(s)),
                (None, Some(s)) => format!(" (open for {})", duration(s)),
                _ => String::new(),
            };
            let waiters: Vec<String> = queue.iter().map(|w| who_running(&w.requesting)).collect();
            let kill = tree
                .kill_id(head)
                .map(|id| format!(" To unblock now: `KILL {id};` (printed, never run)."))
                .unwrap_or_default();
            let confidence = if head.command.as_deref() == Some("Sleep") {
                Confidence::High
            } else {
                Confidence::Medium
            };
            // A metadata lock is the server's: its waiters time out after lock_wait_timeout
            // (a year by default), and each new statement on the table queues behind the DDL.
            let metadata = queue.iter().any(|w| w.lock.kind == LockKind::Metadata);
            let timeout = if metadata {
                "they wait up to lock_wait_timeout (one year by default), and every new \
                 statement on the table queues behind the waiting DDL"
            } else {
                "the waiters will fail with error 1205 when innodb_lock_wait_timeout runs out"
            };
            let from = head
                .host
                .as_deref()
                .map(|h| format!(" from {h}"))
                .unwrap_or_default();
            let last = head
                .last_statement
                .as_deref()
                .map(|sql| format!(" Its last statement{from} was `{}`.", sql.trim()))
                .unwrap_or_default();
            let summary = format!(
                "{} {held}, and runs no statement: it has been idle in its open \
                 transaction{idle_for}, while {} transaction(s) wait behind it ({}).{last} Its \
                 locks are held until that transaction commits or rolls back; {timeout}.{kill}",
                who(head),
                tree.queue_len(&head.trx_id),
                waiters.join("; ")
            );
            let fix = "Find the code path that opened this transaction and ends it late: keep \
                       only the statements inside BEGIN … COMMIT and move application work \
                       (remote calls, user interaction, batching) outside it.\n\n\
                       -- before\n\
                       BEGIN;\n\
                       UPDATE … ;            -- row locked from here\n\
                       <application work>;   -- still locked\n\
                       COMMIT;\n\n\
                       -- after\n\
                       <application work>;\n\
                       BEGIN; UPDATE … ; COMMIT;"
                .to_string();
            let fix = if metadata {
                format!(
                    "{fix}\n\nA transaction that only read the table holds its metadata lock \
                     to COMMIT too. Run DDL with a short wait so it gives up instead of \
                     stalling the table, and retry it:\n\n\
                     SET SESSION lock_wait_timeout = 5;\n\
                     ALTER TABLE … ;"
                )
            } else {
                fix
            };
            IDLE_BLOCKER.finding(
                confidence,
                summary,
                queue.iter().map(|w| evidence(w)).collect(),
                fix,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::waits::tests_support::wait;

    #[test]
    fn idle_head_is_named_with_its_kill_command() {
        let mut w = wait("610", "609");
        w.blocking.as_mut().unwrap().thread_id = Some(71);
        w.blocking.as_mut().unwrap().command = Some("Sleep".into());
        w.requesting.query = Some("UPDATE jobs SET state = 'cancelled' WHERE id = 7".into());
        let findings = check(&LockScene::waits(&[w]));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].confidence, Confidence::High);
        assert!(
            findings[0].summary.contains("KILL 71"),
            "{}",
            findings[0].summary
        );
    }

    #[test]
    fn the_last_statement_and_host_of_an_idle_head_are_told() {
        let mut w = wait("610", "609");
        let b = w.blocking.as_mut().unwrap();
        b.thread_id = Some(71);
        b.command = Some("Sleep".into());
        b.host = Some("app-3.internal:51234".into());
        b.last_statement = Some("UPDATE jobs SET owner = 'w7' WHERE id = 7".into());
        let findings = check(&LockScene::waits(&[w]));
        assert!(
            findings[0].summary.contains(
                "Its last statement from app-3.internal:51234 was `UPDATE jobs SET owner = 'w7' \
                 WHERE id = 7`."
            ),
            "{}",
            findings[0].summary
        );
    }

    #[test]
    fn a_running_head_is_not_idle() {
        let mut w = wait("610", "609");
        w.blocking.as_mut().unwrap().query = Some("UPDATE big SET x = 1".into());
        assert!(check(&LockScene::waits(&[w])).is_empty());
    }
}
