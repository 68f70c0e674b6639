//! `shared-lock-held`: a transaction holds S record locks, so every writer of those rows waits
//! for it; and if it writes them itself while another transaction shares them, the two
//! deadlock. The lock tables show the S locks; they cannot show which statement took them.

use super::prelude::*;
use crate::diagnose::waits::{evidence, held_phrase, LockScene};
use crate::model::{HeldLocks, LockKind, LockMode, LockWait};

declare_pattern! {
    /// ### What it looks like in the log
    /// In `data_locks`: `GRANTED` record locks with mode `S` or `S,REC_NOT_GAP` (not on the
    /// supremum, not gap-only); often an `X,REC_NOT_GAP` or `X` row `WAITING` on the same
    /// record for another transaction.
    ///
    /// ### Why it waits
    /// A shared lock lets other transactions read the row, and take S on it too, but keeps
    /// every writer out until the holder ends. InnoDB takes S record locks for `SELECT … FOR
    /// SHARE` / `LOCK IN SHARE MODE`, for the foreign-key check of an insert or update in a
    /// child table (on the parent row), for the rows `INSERT … SELECT` and `CREATE … SELECT`
    /// read under REPEATABLE READ, and for duplicate-key checks. When two transactions hold S
    /// on a row and then both write it, each waits for the other's S: a deadlock
    /// (`s-to-x-upgrade`, `fk-s-lock-upgrade`).
    ///
    /// ### Fix for the write path
    /// Read a row you will write with `FOR UPDATE`, not `FOR SHARE`. For child inserts that
    /// update the parent afterwards, lock the parent `FOR UPDATE` first. For `INSERT … SELECT`,
    /// read with READ COMMITTED (or from a copy) so the source rows are not locked.
    ///
    /// ### Example
    /// ```sql
    /// -- before: a shared read, then a write of the same row
    /// BEGIN;
    /// SELECT balance FROM accounts WHERE id = 7 LOCK IN SHARE MODE;
    /// UPDATE accounts SET balance = balance - 10 WHERE id = 7;
    /// COMMIT;
    /// -- after: take the write lock at once
    /// BEGIN;
    /// SELECT balance FROM accounts WHERE id = 7 FOR UPDATE;
    /// UPDATE accounts SET balance = balance - 10 WHERE id = 7;
    /// COMMIT;
    /// ```
    pub SHARED_LOCK_HELD,
    id = "shared-lock-held",
    summary = "a transaction holds S record locks: writers of those rows wait, and an upgrade deadlocks",
    fixed = "read rows you will write FOR UPDATE; lock the FK parent FOR UPDATE before child inserts",
    on = lock_waits,
}

fn shared(g: &HeldLocks) -> bool {
    g.status == "granted"
        && g.mode == LockMode::S
        && matches!(g.kind, LockKind::RecNotGap | LockKind::NextKey)
        && !(g.supremum && g.count == 1)
}

fn check(scene: &LockScene) -> Vec<Finding> {
    let mut findings = Vec::new();
    for g in scene.held.iter().filter(|g| shared(g)) {
        let writers: Vec<&LockWait> = scene
            .waits
            .iter()
            .filter(|w| {
                w.lock.mode == "X"
                    && w.lock.table == g.table
                    && w.blocking
                        .as_ref()
                        .is_some_and(|b| b.trx_id == g.trx_id.as_str())
            })
            .collect();
        let mut summary = format!("trx {} holds {}. ", g.trx_id, held_phrase(g));
        let confidence = if writers.is_empty() {
            summary.push_str(
                "Nothing waits on them in this snapshot, but any transaction that writes these \
                 rows will wait until it ends.",
            );
            Confidence::Medium
        } else {
            summary.push_str(&format!(
                "{} writer(s) wait on them now: an X lock waits for every S lock another \
                 transaction holds on the row.",
                writers.len()
            ));
            Confidence::High
        };
        summary.push_str(
            " An S record lock comes from a `FOR SHARE` / `LOCK IN SHARE MODE` read, a \
             foreign-key check of a child-table insert or update (on the parent row), \
             `INSERT … SELECT` reading the row, or a duplicate-key check; the lock tables do not \
             say which. If the holder then writes these rows while another transaction shares \
             them, the two deadlock.",
        );
        let mut ev = vec![Evidence {
            line: g.line,
            text: format!("{} {} ({})", g.trx_id, g.mode_text, held_phrase(g)).into(),
        }];
        ev.extend(writers.iter().map(|w| evidence(w)));
        findings.push(SHARED_LOCK_HELD.finding(
            confidence,
            summary,
            ev,
            format!(
                "If trx {} (or its peers) writes these rows of {} later, read them FOR UPDATE \
                 instead of FOR SHARE; if the S locks are foreign-key checks of child inserts, \
                 lock the parent row FOR UPDATE before inserting the children.",
                g.trx_id, g.table
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::waits::tests_support::{held, wait};

    #[test]
    fn s_locks_with_a_writer_behind() {
        let mut g = held("421291106147544", LockKind::RecNotGap, 1);
        g.mode = LockMode::S;
        let w = wait("43260", "421291106147544");
        let f = check(&LockScene {
            waits: &[w],
            held: &[g.clone()],
        });
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].confidence, Confidence::High);
        g.mode = LockMode::X;
        assert!(check(&LockScene {
            waits: &[],
            held: &[g]
        })
        .is_empty());
    }
}
