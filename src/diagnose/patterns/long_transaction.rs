//! `long-transaction`: the head of a lock queue has been open far longer than its waiters can
//! wait (seeds 000, 001: requests failing with 1205 behind a transaction kept open).

use super::prelude::*;
use crate::diagnose::waits::{duration, evidence, statement, who, LockScene};
use crate::model::BlockingTree;

/// A transaction open this long while others wait on it is worth a finding: it is past the
/// default `innodb_lock_wait_timeout` of 50 s, so its waiters are already failing.
const LONG_SECS: u64 = 50;

declare_pattern! {
    /// ### What it looks like in the log
    /// A head blocker whose transaction has been active for a long time (`ACTIVE 300 sec`,
    /// `trx_started` far back, `blocking_trx_age` of minutes) while others wait for its locks.
    ///
    /// ### Why it waits
    /// Locks are released at commit. A transaction that stays open for minutes — a batch job
    /// that commits once at the end, a report run inside a transaction, a migration — holds
    /// every row lock it took all that time, and any request needing one of those rows waits
    /// behind it until `innodb_lock_wait_timeout` fails it with error 1205.
    ///
    /// ### Fix for the write path
    /// Commit in small batches (a few hundred or thousand rows per transaction), run long
    /// reads without locking (plain `SELECT` under REPEATABLE READ or READ COMMITTED instead of
    /// `FOR UPDATE` / `FOR SHARE`), and schedule bulk jobs away from the hot paths. Monitor
    /// `information_schema.INNODB_TRX` for transactions older than a minute.
    ///
    /// ### Example
    /// ```sql
    /// -- before: one transaction for the whole backfill
    /// BEGIN; UPDATE orders SET region = … WHERE created < '2026-01-01'; COMMIT;
    /// -- after: bounded batches, each committed
    /// UPDATE orders SET region = … WHERE created < '2026-01-01' AND id BETWEEN ? AND ?;
    /// ```
    pub LONG_TRANSACTION,
    id = "long-transaction",
    summary = "the head of a lock queue has been open for minutes: its locks outlive the waiters",
    fixed = "commit in small batches; no locking reads in long jobs",
    on = lock_waits,
}

fn check(scene: &LockScene) -> Vec<Finding> {
    let waits = scene.waits;
    let tree = BlockingTree::new(waits);
    tree.heads()
        .into_iter()
        .filter(|head| head.active_secs.is_some_and(|s| s >= LONG_SECS))
        .map(|head| {
            let age = head.active_secs.unwrap_or(0);
            let queue = tree.waiting_for(&head.trx_id);
            let summary = format!(
                "{} has been open for {} (now running {}) and {} transaction(s) wait for its \
                 locks; every lock it took since it began is held until it commits.",
                who(head),
                duration(age),
                statement(head),
                tree.queue_len(&head.trx_id)
            );
            let fix = "Commit this work in bounded batches, and keep long reads out of locking \
                       transactions (plain SELECT, not FOR UPDATE / FOR SHARE).\n\n\
                       -- before\n\
                       BEGIN; <thousands of row changes>; COMMIT;\n\n\
                       -- after\n\
                       <for each batch of ~1000 keys> BEGIN; <changes>; COMMIT;"
                .to_string();
            LONG_TRANSACTION.finding(
                Confidence::Medium,
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
    fn only_old_heads() {
        let mut w = wait("2", "1");
        w.blocking.as_mut().unwrap().active_secs = Some(400);
        assert_eq!(check(&LockScene::waits(&[w.clone()])).len(), 1);
        w.blocking.as_mut().unwrap().active_secs = Some(3);
        assert!(check(&LockScene::waits(&[w])).is_empty());
    }
}
