//! `hot-row`: many transactions queue on one record (seed 001: every request of one user
//! updates the same `users` row).

use super::prelude::*;
use crate::diagnose::waits::{evidence, lock_phrase, who, LockScene};
use crate::model::{LockMode, LockWait, WaitedLock};

declare_pattern! {
    /// ### What it looks like in the log
    /// Two or more lock waits on the same record: the same table, index and heap number (or
    /// the same `LOCK_DATA`), all behind one holder or a chain of them.
    ///
    /// ### Why it waits
    /// Every write to a row takes an X lock on it until commit. When many requests update the
    /// same row — one user's balance, a global counter, a "last id" row, a status row polled
    /// by workers — they run one at a time however many connections there are, and each waits
    /// for the whole transaction of the one before, not just its statement. Long transactions
    /// around the hot row turn a queue into 1205 timeouts.
    ///
    /// ### Fix for the write path
    /// Make the hot row's lock short: touch it last in the transaction and commit right after
    /// (the lock lives from the statement to the commit, whatever comes first); keep other work
    /// out of that transaction; or remove the hot spot — split the counter into N rows and sum
    /// them, queue the increments and apply them in batches, or keep the balance in an
    /// append-only ledger.
    ///
    /// ### Example
    /// ```sql
    /// -- before: every request holds users.id = 8 for the whole transaction
    /// BEGIN;
    /// UPDATE users SET frozen = frozen + 10 WHERE id = 8;
    /// INSERT INTO freeze_log (…) VALUES (…);
    /// COMMIT;
    /// -- after: the hot row is the last statement and the commit follows at once
    /// BEGIN;
    /// INSERT INTO freeze_log (…) VALUES (…);
    /// UPDATE users SET frozen = frozen + 10 WHERE id = 8;
    /// COMMIT;
    /// ```
    pub HOT_ROW,
    id = "hot-row",
    summary = "many transactions queue on one record: every request writes the same row",
    fixed = "touch the hot row last and commit at once; or split it (counter rows, ledger, queue)",
    on = lock_waits,
}

fn check(scene: &LockScene) -> Vec<Finding> {
    let waits = scene.waits;
    let mut findings = Vec::new();
    let mut done: Vec<usize> = Vec::new();
    for (i, w) in waits.iter().enumerate() {
        if done.contains(&i) || w.lock.kind == LockKind::Table {
            continue;
        }
        let same: Vec<usize> = (i..waits.len())
            .filter(|&j| waits.get(j).is_some_and(|o| o.lock.same_target(&w.lock)))
            .collect();
        done.extend(&same);
        // A waiter with two holders (two S locks, or the copies of two tables) is one
        // transaction in the queue.
        let mut queue: Vec<&LockWait> = Vec::new();
        for w in same.iter().filter_map(|&j| waits.get(j)) {
            if !queue
                .iter()
                .any(|q| q.requesting.trx_id == w.requesting.trx_id)
            {
                queue.push(w);
            }
        }
        // Only waiters that would wait for each other queue: two S requests are granted
        // together, insert intentions never block each other, and a record lock and an
        // insert intention into the gap before it wait for different holders (hunt3 014, 023).
        let queue: Vec<&LockWait> = queue
            .iter()
            .copied()
            .filter(|a| {
                queue.iter().any(|b| {
                    a.requesting.trx_id != b.requesting.trx_id && exclude(&a.lock, &b.lock)
                })
            })
            .collect();
        if queue.len() < 2 {
            continue;
        }
        let names: Vec<String> = queue.iter().map(|q| who(&q.requesting)).collect();
        let summary = format!(
            "{} transactions queue for {}: {}. They run one after another, each waiting for the \
             whole transaction of the one before.",
            queue.len(),
            lock_phrase(&w.lock),
            names.join(", ")
        );
        let fix = format!(
            "Shorten the lock on this row: make the write to {} the last statement of the \
             transaction and commit right after it; if the row is a counter or balance that \
             every request touches, split it (N counter rows summed on read, an append-only \
             ledger, or queued increments applied in batches).",
            w.lock.table
        );
        findings.push(HOT_ROW.finding(
            Confidence::High,
            summary,
            queue.iter().map(|q| evidence(q)).collect(),
            fix,
        ));
    }
    findings
}

/// Whether two waiting requests on one record, once granted, would exclude each other. Not
/// knowing a mode (a waits table with lock ids only), they are taken to.
fn exclude(a: &WaitedLock, b: &WaitedLock) -> bool {
    if a.mode.is_empty() || b.mode.is_empty() {
        return true;
    }
    if a.kind == LockKind::InsertIntention || b.kind == LockKind::InsertIntention {
        return false;
    }
    LockMode::from_word(&a.mode).conflicts_with(&LockMode::from_word(&b.mode))
        && (a.kind.waits_for(b.kind) || b.kind.waits_for(a.kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::waits::tests_support::wait;

    #[test]
    fn two_waiters_on_one_record() {
        let (mut a, mut b) = (wait("2", "1"), wait("3", "1"));
        a.lock.heap_no = Some(5);
        b.lock.heap_no = Some(5);
        assert_eq!(check(&LockScene::waits(&[a.clone(), b])).len(), 1);
        assert!(check(&LockScene::waits(&[a])).is_empty());
    }

    #[test]
    fn one_waiter_with_two_holders_is_no_queue() {
        // See: fixtures/lock-tables/public/056 (hunt P2): an insert intention behind two
        // transactions' locks on one record.
        let (mut a, mut b) = (wait("2", "1"), wait("2", "3"));
        a.lock.heap_no = Some(5);
        b.lock.heap_no = Some(5);
        assert!(check(&LockScene::waits(&[a, b])).is_empty());
    }

    #[test]
    fn shared_waiters_are_granted_together() {
        // See: fixtures/lock-tables/public/023 of hunt3: two duplicate-key S checks behind one X.
        let (mut a, mut b) = (wait("2", "1"), wait("3", "1"));
        for w in [&mut a, &mut b] {
            w.lock.heap_no = Some(5);
            w.lock.mode = "S".into();
            w.lock.kind = LockKind::NextKey;
        }
        assert!(check(&LockScene::waits(&[a.clone(), b.clone()])).is_empty());
        b.lock.mode = "X".into();
        assert_eq!(check(&LockScene::waits(&[a.clone(), b.clone()])).len(), 1);
        b.lock.kind = LockKind::InsertIntention;
        assert!(check(&LockScene::waits(&[a, b])).is_empty());
    }
}
