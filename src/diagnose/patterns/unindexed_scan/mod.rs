//! `unindexed-scan`: a locking statement scans far more rows than it changes and locks all of
//! them (seed 002's `DELETE … WHERE id IN (…)` scanned the table; public 009's DELETE held 11.9
//! million row locks for one change).
//!
//! The entry and its rule by the transaction's counts are here; the LIMIT rule (`limit`), the
//! rules read off the waited row (`waited_row`) and the reading of the WHERE clause
//! (`where_clause`) are files of their own.

mod limit;
mod waited_row;
mod where_clause;

use super::prelude::*;
use limit::past_the_limit;
use waited_row::{crossed_rows, equality_scan, others_rows, outside_key_list};
use where_clause::where_columns;

declare_pattern! {
    /// ### What it looks like in the log
    /// An `UPDATE`/`DELETE`/locking `SELECT` whose transaction holds far more row locks than it
    /// has changed rows (`11973543 row lock(s), undo log entries 1`), or whose statement lists
    /// its keys (`WHERE id IN (…)`) but waits for a next-key lock on a row whose key is not in
    /// that list, or whose WHERE clause compares columns with `=` only and still waits for a
    /// next-key lock (`lock_mode X`) on the clustered index.
    ///
    /// ### Why it deadlocks
    /// Under REPEATABLE READ, InnoDB locks every row a locking statement examines, not only
    /// the rows that match, and keeps the locks to commit. A statement without a usable index
    /// examines (and locks) the whole table or a wide range, so it collides with any
    /// concurrent writer of any row there — including rows just inserted by others — and
    /// turns small, unrelated transactions into participants of its deadlocks.
    ///
    /// ### Fix for the write path
    /// Give the WHERE clause an index the statement uses (check `EXPLAIN`: `type: ALL` or
    /// `index` is a scan). For key lists, make sure the primary key is used (`FORCE INDEX
    /// (PRIMARY)`, fresh statistics with `ANALYZE TABLE`) or delete in small batches by
    /// primary key. READ COMMITTED releases the locks of non-matching rows early.
    ///
    /// ### Example
    /// ```sql
    /// -- before: no index on target_id, every row of the table is locked
    /// DELETE FROM offmsg WHERE target_id = ? AND gmt_modified <= ?;
    /// -- after
    /// CREATE INDEX idx_target_modified ON offmsg (target_id, gmt_modified);
    /// ```
    ///
    /// ### Known limitations
    /// Row-lock and undo counts are totals of the transaction, not of the statement; a
    /// transaction that read many rows with locking reads earlier looks the same.
    pub UNINDEXED_SCAN,
    id = "unindexed-scan",
    summary = "a locking statement scans (and locks) far more rows than it changes: its WHERE has no usable index",
    fixed = "add the index the WHERE clause needs; lock by primary key",
}

/// Row locks per changed row above which a statement is scanning.
const SCAN_RATIO: u64 = 10;
/// Below this many row locks a ratio means nothing.
const MIN_ROW_LOCKS: u64 = 1000;

fn check(v: &View) -> Option<Finding> {
    v.trx
        .iter()
        .filter(|t| t.is("UPDATE") || t.is("DELETE") || t.is("SELECT"))
        .find_map(|t| {
            by_counts(v, t)
                .or_else(|| past_the_limit(v, t))
                .or_else(|| outside_key_list(v, t))
                .or_else(|| others_rows(v, t))
                .or_else(|| crossed_rows(v, t))
                .or_else(|| equality_scan(v, t))
        })
}

/// Whether the transaction's counters are those of a scan: far more row locks than changed
/// rows (`1896 row lock(s), undo log entries 3`).
pub(super) fn counts_show_a_scan(t: &Trx) -> bool {
    let Some(locks) = t.t.row_locks else {
        return false;
    };
    let undo = t.t.undo_entries.unwrap_or(0);
    locks >= MIN_ROW_LOCKS && locks >= SCAN_RATIO * undo.max(1)
}

fn by_counts(v: &View, t: &Trx) -> Option<Finding> {
    if !counts_show_a_scan(t) {
        return None;
    }
    let locks = t.t.row_locks?;
    let undo = t.t.undo_entries.unwrap_or(0);
    let mut summary = format!(
        "{} holds {locks} row locks but has changed {undo} row{} (undo log entries): it locks \
         far more rows than it changes, the mark of a statement scanning rows its WHERE clause \
         has no usable index for. Every scanned row stays locked until commit, so it collides \
         with any concurrent writer of the table.",
        words::trx_stmt(t),
        if undo == 1 { "" } else { "s" },
    );
    summary.push_str(&words::victim(v.d));
    let table = t
        .wait
        .map(|w| words::bare_table(w).to_string())
        .or_else(|| t.t.query.as_deref().and_then(sql::written_table))
        .unwrap_or_else(|| "<table>".to_string());
    let cols =
        t.t.query
            .as_deref()
            .map(where_columns)
            .filter(|c| !c.is_empty())
            .map_or_else(|| "<where columns>".to_string(), |c| c.join(", "));
    let fix = format!(
        "Add the index the WHERE clause needs and check with EXPLAIN that the statement uses it \
         (type ref/range/eq_ref, not ALL or index).\n\
         \n\
         -- before: {}\n\
         -- after\n\
         CREATE INDEX idx_{}_scan ON {table} ({cols});",
        words::stmt(t).trim_matches('`'),
        table.to_ascii_lowercase(),
    );
    Some(finding(Confidence::Medium, summary, locks_of(t), fix))
}

/// The evidence of a scanner: its waiting lock, then the locks it holds.
fn locks_of(t: &Trx) -> Vec<Evidence> {
    t.wait
        .map(ev_lock)
        .into_iter()
        .chain(t.held.iter().map(|l| ev_lock(l)))
        .collect()
}

fn finding(confidence: Confidence, summary: String, ev: Vec<Evidence>, fix: String) -> Finding {
    UNINDEXED_SCAN.finding(confidence, summary, ev, fix)
}

#[cfg(test)]
mod tests {
    use super::where_clause::equality_columns;
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    // See: fixtures/labelled c-013 (no record dumps; each transaction inserted a row first).
    #[test]
    fn an_equality_update_waiting_for_a_next_key_lock_on_primary_scans() {
        let d = deadlock(Flavour::Mysql56)
            .trx(
                1,
                "11187331",
                "UPDATE country SET countryname = 'Angola' WHERE countryname = 'AO'",
            )
            .waits(lock("X wait", "country", "PRIMARY", 3, "11187331", vec![]))
            .trx(
                2,
                "11187330",
                "UPDATE country SET countryname = 'Brazil' WHERE countryname = 'BR'",
            )
            .holds(lock("X rec", "country", "PRIMARY", 3, "11187330", vec![]))
            .waits(lock("X wait", "country", "PRIMARY", 3, "11187330", vec![]))
            .victim(2);
        let f = check(&View::new(&d)).expect("unindexed-scan");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("(countryname)"), "{}", f.summary);
    }

    #[test]
    fn a_range_or_a_lone_waiter_is_no_equality_scan() {
        for q in [
            "UPDATE t SET a = 1 WHERE b > 5",
            "DELETE FROM t WHERE b = 1 OR c = 2",
            "UPDATE t SET a = 1 WHERE b IN (1, 2)",
        ] {
            assert_eq!(equality_columns(q), None, "parsing {q:?}");
        }
        assert_eq!(
            equality_columns("update t set a = 1 where t.b = 'x' and `c` = 2 limit 1"),
            Some(vec!["b".to_string(), "c".to_string()])
        );
        // One transaction printed: a scan, but no cycle to explain (fixtures/labelled e-003).
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "9218", "update t1 set name ='B' where id = 1")
            .waits(lock("X wait", "t1", "GEN_CLUST_INDEX", 3, "9218", vec![]))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }

    // See: public 009.
    #[test]
    fn millions_of_row_locks_for_one_change() {
        let q = "delete from offmsg_0007 WHERE target_id = 'Y25' and gmt_modified <= '2012-12-14 14:13:28'";
        let d = deadlock(Flavour::Mysql55)
            .trx(1, "1E7D49CDD", q)
            .waits(lock(
                "X rec wait",
                "offmsg_0007",
                "PRIMARY",
                475912,
                "1E7D49CDD",
                vec![],
            ))
            .trx(2, "1E7CE0399", q)
            .counts(11_973_543, 1)
            .holds(lock(
                "X",
                "offmsg_0007",
                "PRIMARY",
                475912,
                "1E7CE0399",
                vec![],
            ))
            .waits(lock(
                "X wait",
                "offmsg_0007",
                "PRIMARY",
                1611099,
                "1E7CE0399",
                vec![],
            ))
            .victim(1);
        let f = check(&View::new(&d)).expect("unindexed-scan");
        assert!(f.summary.contains("11973543 row locks"), "{}", f.summary);
        assert!(f.fix.contains("(target_id, gmt_modified)"), "{}", f.fix);
    }

    // See: fixtures/mariadb/delete-then-insert.status.txt
    #[test]
    fn delete_by_key_list_waiting_on_an_unlisted_row() {
        let q = "DELETE FROM session WHERE id IN (UNHEX('00000000000000000000000000000020'), UNHEX('00000000000000000000000000000030'))";
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "47", q)
            .waits(lock(
                "X wait",
                "session",
                "PRIMARY",
                3,
                "47",
                vec![rec(
                    12,
                    0,
                    &[
                        "00000000000000000000000000000025",
                        "000000000030",
                        "930000013e0110",
                    ],
                )],
            ))
            .victim(2);
        let f = check(&View::new(&d)).expect("unindexed-scan");
        assert!(f.summary.contains("not in its list"), "{}", f.summary);
    }

    #[test]
    fn a_listed_key_is_no_scan() {
        let q = "DELETE FROM session WHERE id IN (UNHEX('00000000000000000000000000000025'))";
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "47", q)
            .waits(lock(
                "X wait",
                "session",
                "PRIMARY",
                3,
                "47",
                vec![rec(
                    12,
                    0,
                    &[
                        "00000000000000000000000000000025",
                        "000000000030",
                        "930000013e0110",
                    ],
                )],
            ))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }
}
