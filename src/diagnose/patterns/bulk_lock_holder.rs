//! `bulk-lock-holder`: one transaction holds record locks on thousands of rows — one big
//! UPDATE or DELETE, or a scan without a usable index — and everything that touches them
//! waits until it commits (issue 21: a million-row `data_locks` during a 1205 storm).

use super::prelude::*;
use crate::diagnose::waits::{held_phrase, thousands, LockScene};
use crate::model::HeldLocks;

/// Record locks of one transaction from which it is a bulk holder.
const MANY: u64 = 10_000;

declare_pattern! {
    /// ### What it looks like in the log
    /// `data_locks` (or `INNODB_TRX.trx_rows_locked`) shows one transaction holding record
    /// locks on ten thousand rows or more, usually `X` next-key locks on one index, and other
    /// transactions `WAITING` behind it.
    ///
    /// ### Why it waits
    /// InnoDB keeps every row lock until the transaction ends. A statement that changes (or
    /// scans, with a WHERE no index serves) a large range locks every row and gap it passes,
    /// so for the whole time it runs and until its commit, every other write into that range —
    /// and every insert into its gaps — queues behind it, and lock wait timeouts follow.
    ///
    /// ### Fix for the write path
    /// Break the statement into batches by key range and commit each (a few thousand rows per
    /// transaction); give its WHERE the index it needs so it locks only the rows it changes;
    /// run such jobs off-peak. To unblock now: let it commit, or kill it (its rollback takes
    /// about as long as it ran).
    ///
    /// ### Example
    /// ```sql
    /// -- before: one transaction locks a million rows
    /// UPDATE orders SET status = 'archived' WHERE created < '2024-01-01';
    /// -- after: batches by primary key, each its own transaction
    /// UPDATE orders SET status = 'archived'
    ///  WHERE created < '2024-01-01' AND id > ? ORDER BY id LIMIT 5000;
    /// -- repeat with the last id of the batch until no row changes
    /// ```
    pub BULK_LOCK_HOLDER,
    id = "bulk-lock-holder",
    summary = "one transaction holds locks on thousands of rows: a big statement or a scan without an index",
    fixed = "batch the statement by key range and commit each batch; index its WHERE",
    on = lock_waits,
}

fn check(scene: &LockScene) -> Vec<Finding> {
    let mut totals: Vec<(&str, u64, &HeldLocks)> = Vec::new();
    for g in scene
        .held
        .iter()
        .filter(|g| g.status == "granted" && g.is_record())
    {
        match totals.iter_mut().find(|(t, ..)| *t == g.trx_id.as_str()) {
            Some((_, n, largest)) => {
                *n += g.count;
                if g.count > largest.count {
                    *largest = g;
                }
            }
            None => totals.push((g.trx_id.as_str(), g.count, g)),
        }
    }
    let mut findings = Vec::new();
    for (trx, n, largest) in totals.into_iter().filter(|(_, n, _)| *n >= MANY) {
        let waiting: Vec<&str> = scene
            .waits
            .iter()
            .filter(|w| w.blocking.as_ref().is_some_and(|b| b.trx_id == trx))
            .map(|w| w.requesting.trx_id.as_str())
            .collect();
        let behind = match waiting.len() {
            0 => "Nothing waits on it in this snapshot".to_string(),
            1 => format!("trx {} waits on it", waiting.join("")),
            k => format!("{k} transactions wait on it"),
        };
        findings.push(BULK_LOCK_HOLDER.finding(
            Confidence::High,
            format!(
                "trx {trx} holds record locks on {} rows; the most: {}. {behind}: every write \
                 into that range, and every insert into its gaps, waits until it commits. One \
                 statement (or a scan whose WHERE has no usable index) locked them all.",
                thousands(n),
                held_phrase(largest)
            ),
            vec![Evidence {
                line: largest.line,
                text: format!("{trx} {} × {}", largest.mode_text, thousands(largest.count)).into(),
            }],
            format!(
                "Now: let trx {trx} commit, or kill its connection (the rollback takes about as \
                 long as it ran). Then break the statement into batches by key range of {} and \
                 commit each, or give its WHERE the index it needs.",
                largest.table
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::waits::tests_support::held;
    use crate::model::LockKind;

    #[test]
    fn a_million_locks_is_one_finding() {
        let big = held("2851", LockKind::NextKey, 999_779);
        let small = held("2852", LockKind::RecNotGap, 3);
        let f = check(&LockScene {
            waits: &[],
            held: &[big, small],
        });
        assert_eq!(f.len(), 1);
        assert!(f[0].summary.contains("999,779"), "{}", f[0].summary);
    }
}
