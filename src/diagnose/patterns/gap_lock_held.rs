//! `gap-lock-held`: a transaction holds gap locks (or a lock on the supremum), so inserts into
//! those gaps wait until it ends — the lock tables show it before any insert has to wait.

use super::prelude::*;
use crate::diagnose::waits::{evidence, LockScene};
use crate::model::{HeldLocks, LockKind};

declare_pattern! {
    /// ### What it looks like in the log
    /// In `data_locks`: a `GRANTED` record lock with mode `X,GAP` / `S,GAP`, or a plain `X` /
    /// `S` on `supremum pseudo-record` (in `INNODB_LOCKS`: `X,GAP`, or `X` on the supremum);
    /// often an `X,GAP,INSERT_INTENTION` (`X,INSERT_INTENTION` on the supremum) row `WAITING`
    /// on the same record.
    ///
    /// ### Why it waits
    /// A gap lock covers the open interval before a record; a lock on the supremum covers the
    /// interval after the last record of the page. InnoDB takes them under REPEATABLE READ for
    /// a locking read, UPDATE or DELETE whose range reached that gap — typically a `SELECT …
    /// FOR UPDATE` (or UPDATE/DELETE) of a key that does not exist, or of a range that ends
    /// past the last row. Gap locks never conflict with each other, but every insert into the
    /// gap needs an insert-intention lock that waits for them: inserts of new keys (at the end
    /// of an auto-increment index, for the supremum) queue behind the holder until it commits,
    /// and two holders that both insert there deadlock (`gap-then-insert`).
    ///
    /// ### Fix for the write path
    /// Do not take a lock to check for a missing row: insert and handle the duplicate-key
    /// error, or use `INSERT … ON DUPLICATE KEY UPDATE`; lock an existing parent row instead of
    /// a range; keep the transaction that holds the gap short. Under READ COMMITTED InnoDB
    /// takes gap locks only for foreign-key and duplicate-key checks.
    ///
    /// ### Example
    /// ```sql
    /// -- before: a locking read of a key that is not there leaves a gap lock
    /// BEGIN;
    /// SELECT * FROM t WHERE id = 10 FOR UPDATE;   -- no row: X,GAP before the next key
    /// -- … application work while other sessions' inserts into that gap wait …
    /// INSERT INTO t (id, …) VALUES (10, …);
    /// COMMIT;
    /// -- after: insert first, and treat a duplicate key as "it exists"
    /// INSERT INTO t (id, …) VALUES (10, …);       -- 1062 means another session made it
    /// ```
    pub GAP_LOCK_HELD,
    id = "gap-lock-held",
    summary = "a transaction holds gap (or supremum) locks: inserts into those gaps wait until it ends",
    fixed = "insert and handle the duplicate instead of a locking read of a missing key; keep it short",
    on = lock_waits,
}

/// Granted locks on a gap: `X,GAP` / `S,GAP`, or the supremum alone. Next-key locks on many
/// records that reach the supremum are a range statement's (`bulk-lock-holder`, the blocking
/// tree): they count here only when an insert waits on them.
fn on_gap(g: &HeldLocks) -> bool {
    g.status == "granted" && g.is_record() && (g.kind == LockKind::Gap || g.supremum)
}

fn gaps_only(g: &HeldLocks) -> bool {
    g.kind == LockKind::Gap || g.count == 1
}

fn check(scene: &LockScene) -> Vec<Finding> {
    let mut findings = Vec::new();
    for g in scene.held.iter().filter(|g| on_gap(g)) {
        // Inserts that wait on this transaction's gap.
        let behind: Vec<&crate::model::LockWait> = scene
            .waits
            .iter()
            .filter(|w| {
                w.lock.kind == LockKind::InsertIntention
                    && w.lock.table == g.table
                    && w.blocking
                        .as_ref()
                        .is_some_and(|b| b.trx_id == g.trx_id.as_str())
            })
            .collect();
        if behind.is_empty() && !gaps_only(g) {
            continue;
        }
        let what = crate::diagnose::waits::held_phrase(g);
        let mut summary = format!("trx {} holds {what}. ", g.trx_id);
        let confidence = if behind.is_empty() {
            summary.push_str(
                "No insert waits on it in this snapshot, but every insert of a new key into that \
                 range will wait until the transaction ends; two transactions holding it that \
                 both insert there deadlock.",
            );
            Confidence::Medium
        } else {
            summary.push_str(&format!(
                "{} insert(s) wait on it now: an insert intention waits for every gap lock \
                 another transaction holds on its gap.",
                behind.len()
            ));
            Confidence::High
        };
        summary.push_str(
            " Such a lock is left by a locking read, UPDATE or DELETE whose range reached the \
             gap, typically for a key that does not exist.",
        );
        let mut ev = vec![Evidence {
            line: g.line,
            text: format!("{} {} ({})", g.trx_id, g.mode_text, what).into(),
        }];
        ev.extend(behind.iter().map(|w| evidence(w)));
        findings.push(GAP_LOCK_HELD.finding(
            confidence,
            summary,
            ev,
            format!(
                "Find what trx {} ran before (a SELECT … FOR UPDATE, UPDATE or DELETE of a \
                 missing key or an open range on {}) and replace the check-then-insert with an \
                 insert that handles the duplicate-key error; keep that transaction short.",
                g.trx_id, g.table
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::waits::tests_support::held;

    #[test]
    fn a_gap_lock_is_reported_a_next_key_lock_is_not() {
        let mut g = held("8663", LockKind::Gap, 1);
        assert_eq!(
            check(&LockScene {
                waits: &[],
                held: &[g.clone()]
            })
            .len(),
            1
        );
        g.kind = LockKind::NextKey;
        assert!(check(&LockScene {
            waits: &[],
            held: &[g.clone()]
        })
        .is_empty());
        g.supremum = true;
        let f = check(&LockScene {
            waits: &[],
            held: &[g],
        });
        assert_eq!(f[0].confidence, Confidence::Medium);
    }

    #[test]
    fn a_range_of_next_key_locks_reaching_the_supremum_is_not_a_gap_finding() {
        let mut g = held("2851", LockKind::NextKey, 13);
        g.supremum = true;
        assert!(check(&LockScene {
            waits: &[],
            held: &[g]
        })
        .is_empty());
    }
}
