//! The LIMIT rule on its own: a statement's `LIMIT n` bounds the rows it may change, so row
//! locks far past n show a scan at counts well below the general rule's, where nothing else in
//! the report would tell one.

use super::super::prelude::*;
use super::where_clause::where_columns;
use super::{finding, locks_of, SCAN_RATIO};

/// Fewest row locks [`past_the_limit`] reads anything into: a statement that stops at its
/// LIMIT through an index locks a few entries per row (secondary, primary, the next key).
const MIN_LIMITED_LOCKS: u64 = 20;

/// fixtures/labelled f-021: `UPDATE … ORDER BY updated_at LIMIT 1` whose transaction holds 43
/// row locks for one changed row. A statement with `LIMIT n` that reads its rows through an
/// index matching its WHERE and ORDER BY stops after n rows; far more row locks than n (and
/// than its changed rows) mean it read every candidate first — a filesort, or an index the
/// WHERE barely narrows — and locked each one, below the counts
/// [`by_counts`](super::by_counts) needs.
pub(super) fn past_the_limit(v: &View, t: &Trx) -> Option<Finding> {
    let q = t.t.query.as_deref()?;
    if t.is("SELECT") && !sql::is_locking_read(q) {
        return None;
    }
    let limit = sql::row_limit(q)?;
    let locks = t.t.row_locks?;
    let undo = t.t.undo_entries.unwrap_or(0);
    if locks < MIN_LIMITED_LOCKS || locks < SCAN_RATIO.saturating_mul(limit.max(undo).max(1)) {
        return None;
    }
    let order = sql::order_by_columns(q);
    let how = if order.is_empty() {
        "an index the WHERE clause barely narrows"
    } else {
        "an index that does not deliver the rows in ORDER BY order, so they are all read and \
         sorted (filesort) before LIMIT applies"
    };
    let mut summary = format!(
        "{} may change at most {limit} row{} (its LIMIT), yet its transaction holds {locks} row \
         locks with {undo} undo log entr{}: the statement read and locked far more rows than its \
         LIMIT lets it change, through {how}. Each row read stays locked, so two such \
         statements lock the same candidate rows and meet in the middle.",
        words::trx_stmt(t),
        if limit == 1 { "" } else { "s" },
        if undo == 1 { "y" } else { "ies" },
    );
    summary.push_str(&words::victim(v.d));
    let table = sql::written_table(q)
        .or_else(|| t.wait.map(|w| words::bare_table(w).to_string()))
        .unwrap_or_else(|| "<table>".to_string());
    let mut cols = where_columns(q);
    for c in order {
        if !cols.contains(&c) {
            cols.push(c);
        }
    }
    let cols = if cols.is_empty() {
        "<where columns>, <order by columns>".to_string()
    } else {
        cols.join(", ")
    };
    let fix = format!(
        "Give the statement an index on its WHERE equality columns followed by its ORDER BY \
         columns, so it reads the first {limit} matching entr{} in order and stops (EXPLAIN \
         must not say `Using filesort`); or select the key with a plain read and change the row \
         by primary key.\n\
         \n\
         -- before: {}\n\
         -- after\n\
         CREATE INDEX idx_{}_limit ON {table} ({cols});",
        if limit == 1 { "y" } else { "ies" },
        words::stmt(t).trim_matches('`'),
        table.to_ascii_lowercase(),
    );
    Some(finding(Confidence::Medium, summary, locks_of(t), fix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    const LIMITED: &str =
        "UPDATE index_log SET status = -1 WHERE (creator_id = 205 AND status = 1) ORDER BY updated_at ASC limit 1";

    /// [`past_the_limit`] on the first transaction.
    fn limit_scan(d: &crate::model::Deadlock) -> Option<Finding> {
        let v = View::new(d);
        v.trx.first().and_then(|t| past_the_limit(&v, t))
    }

    fn limited(row_locks: u64, undo: u64, q: &str) -> crate::model::Deadlock {
        let e = |heap| vec![rec(heap, 0, &["800000cd", "81"])];
        deadlock(Flavour::Mysql56)
            .trx(1, "220", q)
            .counts(row_locks, undo)
            .waits(lock(
                "X rec wait",
                "index_log",
                "idx_creator",
                60,
                "220",
                e(775),
            ))
            .trx(2, "222", q)
            .holds(lock("X rec", "index_log", "idx_creator", 60, "222", e(775)))
            .waits(lock(
                "X rec wait",
                "index_log",
                "idx_creator",
                60,
                "222",
                e(150),
            ))
            .victim(2)
    }

    // See: fixtures/labelled f-021.
    #[test]
    fn a_limit_one_update_holding_dozens_of_row_locks_scanned() {
        let f = limit_scan(&limited(43, 1, LIMITED)).expect("limit scan");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("filesort"), "{}", f.summary);
        assert!(
            f.fix.contains("(creator_id, status, updated_at)"),
            "{}",
            f.fix
        );
    }

    #[test]
    fn a_limit_the_row_locks_stay_within_is_no_scan() {
        // LIMIT 10000 with 37 row locks (fixtures/labelled e-009): within its limit.
        let q = "DELETE FROM t WHERE status = 'complete' LIMIT 10000";
        assert!(limit_scan(&limited(37, 2, q)).is_none());
        // A few locks per row is what an index-served LIMIT takes.
        assert!(limit_scan(&limited(4, 1, LIMITED)).is_none());
        // A plain read's LIMIT says nothing about the locks the transaction took before.
        let read = "SELECT * FROM t WHERE a = 1 ORDER BY b LIMIT 1";
        assert!(limit_scan(&limited(43, 1, read)).is_none());
    }
}
