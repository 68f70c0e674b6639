//! `index-order-inversion`: two statements reach the same rows through different indexes — one
//! through a secondary index then the clustered index, the other the clustered index first —
//! and lock them in opposite orders (public 009, 014, 025).

use super::prelude::*;
use super::unindexed_scan::counts_show_a_scan;
use crate::model::short_value;

declare_pattern! {
    /// ### What it looks like in the log
    /// The transactions wait on the same table but on different indexes: one waits for a
    /// `PRIMARY` (clustered) record, the other for an entry of a secondary index — often the
    /// secondary entry of the very row the first one wants (its last fields are that primary
    /// key) — while holding the `PRIMARY` record. The first may be a shared read, waiting for
    /// `lock mode S locks rec but not gap` on the clustered record. A variant: both wait on
    /// `PRIMARY`, one with `locks rec but not gap` (it came through a secondary index) and the
    /// other with next-key locks (it scans the primary key).
    ///
    /// ### Why it deadlocks
    /// InnoDB locks index entries in the order a statement visits them. A statement searching
    /// by a secondary index locks the secondary entry first and then the clustered record; a
    /// statement that finds the row through the primary key (or another index) locks the
    /// clustered record first, and then the secondary entries it has to change or delete. Two
    /// such statements on the same row lock its two entries in opposite orders.
    ///
    /// ### Fix for the write path
    /// Give the writers one access path: read the primary keys first with a plain
    /// (non-locking) `SELECT` through whatever index, then lock or change the rows by primary
    /// key in ascending order. Check with `EXPLAIN` that concurrent statements use the same
    /// index (add the missing index, or `FORCE INDEX`), and avoid `ORDER BY id LIMIT n FOR
    /// UPDATE` on a secondary-index condition.
    ///
    /// ### Example
    /// ```sql
    /// -- before: one deletes by a, the other by b; both touch row id = 2 and its idx_a_b entry
    /// DELETE FROM t WHERE a = 4;   -- idx_a_b entry, then PRIMARY
    /// DELETE FROM t WHERE b = 5;   -- PRIMARY (via idx_b), then the idx_a_b entry
    /// -- after: resolve the ids without locks, then delete by primary key in order
    /// SELECT id FROM t WHERE a = 4;
    /// DELETE FROM t WHERE id IN (2) ORDER BY id;
    /// ```
    pub INDEX_ORDER_INVERSION,
    id = "index-order-inversion",
    summary = "the same rows are reached through a secondary index by one transaction and through PRIMARY by the other",
    fixed = "access rows by primary key in a fixed order (resolve ids first, then lock by id)",
    subsumes = ["inconsistent-order"],
}

fn check(v: &View) -> Option<Finding> {
    let waiters: Vec<(&Trx, &Lock)> = v.waiters().collect();
    let &(_, first) = waiters.first()?;
    if waiters.len() < 2
        || !waiters
            .iter()
            .all(|(_, w)| v.same_table(w, first) && w.is_record_lock())
    {
        return None;
    }
    let clustered = |w: &Lock| w.index().is_some_and(is_clustered);
    let on_primary = waiters.iter().find(|(_, w)| clustered(w));
    let on_secondary = waiters
        .iter()
        .find(|(_, w)| !clustered(w) && !is_insert_intention(w));
    match (on_primary, on_secondary) {
        (Some(p), Some(s)) => two_indexes(v, *p, *s),
        (Some(_), None) => two_paths(v, &waiters),
        _ => None,
    }
}

/// One waits on PRIMARY, the other on a secondary index of the same table.
fn two_indexes<'a>(
    v: &View<'a>,
    p: (&Trx<'a>, &'a Lock),
    s: (&Trx<'a>, &'a Lock),
) -> Option<Finding> {
    let (pt, pw) = p;
    let (st, sw) = s;
    // A shared read through the secondary index waits for S on the clustered record the same
    // way (fixtures/labelled a-021: a procedure reads the row by (nTableID, nStatus) with
    // shared locks while the other UPDATE, holding the row by ID, changes nStatus). An INSERT's
    // S wait on PRIMARY is its duplicate check, not a read through another index.
    let shared_read = is_s(pw) && !pt.is("INSERT") && !pt.is("REPLACE");
    if !(is_x(pw) || shared_read) || !is_x(sw) || !is_record_part(pw) || !is_record_part(sw) {
        return None;
    }
    let pk = first_user_record(pw).map(|r| words::key(r, pw.index()));
    let same_row = match (first_user_record(pw), first_user_record(sw)) {
        (Some(pr), Some(sr)) => {
            let key = words::key(pr, pw.index());
            sr.fields
                .last()
                .is_some_and(|f| short_value(&f.value) == key)
        }
        _ => false,
    };
    let holds_primary: Vec<&Lock> = st
        .held
        .iter()
        .copied()
        .filter(|h| h.may_block(pw))
        .collect();
    // An UPDATE or DELETE takes X on the clustered record: a held S there is an earlier
    // statement's (a shared read, a child row's foreign-key check). When both run the same
    // statement they reach the row one way, so the S lock, not the index order, made the
    // cycle (fixtures/shapes wrapped-03: both `UPDATE … WHERE user_id = ?`, the author's
    // cause a foreign-key check) — `shared-lock-held` tells that one.
    let earlier_shared = !holds_primary.is_empty()
        && holds_primary.iter().all(|h| is_s(h))
        && (st.is("UPDATE") || st.is("DELETE"));
    if earlier_shared && same_statement(pt, st) {
        return None;
    }
    // The shared reader's own lock on the secondary entry is inferred, never printed with its
    // statement: medium.
    let confidence = if (same_row || !holds_primary.is_empty()) && !shared_read && !earlier_shared {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let sidx = sw.index().unwrap_or("?");
    let mut summary = format!(
        "{} waits for {}. {} {}waits for {}{}. ",
        words::trx_stmt(pt),
        words::lock(pw),
        words::trx_stmt(st),
        if holds_primary.is_empty() {
            String::new()
        } else {
            "holds that PRIMARY record and ".to_string()
        },
        words::lock(sw),
        if same_row {
            format!(
                " — the `{sidx}` entry of the same row (its last field is the primary key {})",
                pk.clone().unwrap_or_default()
            )
        } else {
            String::new()
        }
    );
    summary.push_str(&format!(
        "The two statements reach the row through different indexes: {} came through `{sidx}` \
         (or another secondary index) and wants the clustered record next, while {} locked the \
         clustered record first and now needs the `{sidx}` entry. Same row, opposite index \
         order.",
        words::trx(pt),
        words::trx(st)
    ));
    summary.push_str(&words::victim(v.d));
    if confidence != Confidence::High {
        if let Some(note) = v.hidden_note() {
            summary.push(' ');
            summary.push_str(&note);
        }
    }
    let mut ev = vec![ev_lock(pw), ev_lock(sw)];
    ev.extend(first_user_record(pw).map(ev_record));
    ev.extend(first_user_record(sw).map(ev_record));
    ev.extend(holds_primary.iter().map(|l| ev_lock(l)));
    Some(finding(
        confidence,
        summary,
        ev,
        fix(words::bare_table(pw), pt),
    ))
}

/// Whether both transactions run one statement (literals aside).
fn same_statement(a: &Trx, b: &Trx) -> bool {
    match (a.t.query.as_deref(), b.t.query.as_deref()) {
        (Some(a), Some(b)) => sql::fingerprint(a) == sql::fingerprint(b),
        _ => false,
    }
}

/// Public 009: both wait on PRIMARY, one record-only (through a secondary index), one
/// next-key (scanning the clustered index).
fn two_paths(v: &View, waiters: &[(&Trx, &Lock)]) -> Option<Finding> {
    if !waiters
        .iter()
        .all(|(_, w)| is_x(w) && is_record_part(w) && w.index().is_some_and(is_clustered))
    {
        return None;
    }
    let via_secondary = waiters
        .iter()
        .find(|(_, w)| w.kind == LockKind::RecNotGap)?;
    let scanning = waiters.iter().find(|(_, w)| w.kind == LockKind::NextKey)?;
    if !different_records(via_secondary.1, scanning.1) {
        return None;
    }
    // Public 009 ran one DELETE twice and the two runs took two paths. Two different statements
    // prove no second path: a record-only lock on the clustered index is also what a lookup by
    // primary key takes. When the scanner's counters show the scan (fixtures/labelled a-002: a
    // bulk UPDATE with 1896 row locks for 3 changes against row-by-row UPDATEs), the scan is the
    // cause, and `unindexed-scan` names it.
    if !same_statement(via_secondary.0, scanning.0) && counts_show_a_scan(scanning.0) {
        return None;
    }
    let index = via_secondary.1.index().unwrap_or("PRIMARY");
    let mut summary = format!(
        "{} waits for {} — a record-only lock on the clustered index is what a statement takes \
         after finding the row through a secondary index. {} waits for {} — next-key locks on \
         the clustered index itself, the locks of a scan of `{index}` (it did not use the \
         secondary index). The two statements reach the same rows through different access \
         paths and lock them in different orders.",
        words::trx_stmt(via_secondary.0),
        words::lock(via_secondary.1),
        words::trx_stmt(scanning.0),
        words::lock(scanning.1),
    );
    summary.push_str(&words::victim(v.d));
    if let Some(note) = v.hidden_note() {
        summary.push(' ');
        summary.push_str(&note);
    }
    let mut ev = vec![ev_lock(via_secondary.1), ev_lock(scanning.1)];
    ev.extend(scanning.0.held.iter().map(|l| ev_lock(l)));
    Some(finding(
        Confidence::Medium,
        summary,
        ev,
        fix(words::bare_table(via_secondary.1), via_secondary.0),
    ))
}

fn fix(table: &str, t: &Trx) -> String {
    let (before, after) = match t.verb.as_deref() {
        Some("UPDATE") => (
            format!("UPDATE {table} SET … WHERE <secondary column> = ?;"),
            format!("UPDATE {table} SET … WHERE id IN (…) ORDER BY id;"),
        ),
        Some("SELECT") => (
            format!(
                "SELECT … FROM {table} WHERE <secondary column> = ? ORDER BY id LIMIT 1 FOR UPDATE;"
            ),
            format!("SELECT … FROM {table} WHERE id = ? FOR UPDATE;"),
        ),
        _ => (
            format!("DELETE FROM {table} WHERE <secondary column> = ?;"),
            format!("DELETE FROM {table} WHERE id IN (…) ORDER BY id;"),
        ),
    };
    format!(
        "Give the writers one access path: resolve the primary keys first with a plain, \
         non-locking read, then lock or change the rows by primary key in ascending order; \
         check with EXPLAIN that concurrent statements use the same index.\n\
         \n\
         -- before: each statement finds the rows through a different index\n\
         {before}\n\
         \n\
         -- after: resolve the ids without locks, then lock by primary key in a fixed order\n\
         SELECT id FROM {table} WHERE <secondary column> = ?;\n\
         {after}"
    )
}

fn finding(confidence: Confidence, summary: String, ev: Vec<Evidence>, fix: String) -> Finding {
    INDEX_ORDER_INVERSION.finding(confidence, summary, ev, fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    // See: public 014.
    #[test]
    fn secondary_entry_of_the_same_row() {
        let pk = || {
            vec![rec(
                3,
                32,
                &["80000002", "00000003a82d", "57000001a82e44", "80000004"],
            )]
        };
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "239662", "delete from t where a = 4")
            .waits(lock("X rec wait", "t", "PRIMARY", 3, "239662", pk()))
            .trx(2, "239661", "delete from t where b = 5")
            .holds(lock("X rec", "t", "PRIMARY", 3, "239661", pk()))
            .waits(lock(
                "X rec wait",
                "t",
                "idx_a_b",
                4,
                "239661",
                vec![rec(3, 0, &["80000004", "80000005", "80000002"])],
            ))
            .victim(1);
        let f = check(&View::new(&d)).expect("index-order-inversion");
        assert_eq!(f.confidence, Confidence::High);
        assert!(
            f.summary
                .contains("same row (its last field is the primary key 2)"),
            "{}",
            f.summary
        );
    }

    // See: fixtures/shapes wrapped-03.
    #[test]
    fn an_earlier_shared_lock_under_one_statement_is_not_this_pattern() {
        let pk = || vec![rec(3, 0, &["80000007", "00000003a82d", "57000001a82e44"])];
        let sk = || vec![rec(4, 0, &["80002006", "80000007"])];
        let build = |q2: &str, held: &str| {
            deadlock(Flavour::Mysql57)
                .trx(1, "10", "UPDATE w SET b = b + 1 WHERE user_id = 8198")
                .holds(lock("X", "w", "user_id_idx", 4, "10", sk()))
                .waits(lock("X rec wait", "w", "PRIMARY", 3, "10", pk()))
                .trx(2, "11", q2)
                .holds(lock(held, "w", "PRIMARY", 3, "11", pk()))
                .waits(lock("X wait", "w", "user_id_idx", 4, "11", sk()))
                .victim(2)
        };
        let same = build("UPDATE w SET b = b + 2 WHERE user_id = 8198", "S rec");
        assert!(check(&View::new(&same)).is_none());
        let other = build("DELETE FROM w WHERE id = 7", "S rec");
        let f = check(&View::new(&other)).expect("index-order-inversion");
        assert_eq!(f.confidence, Confidence::Medium);
        let x = build("UPDATE w SET b = b + 2 WHERE user_id = 8198", "X rec");
        assert_eq!(
            check(&View::new(&x)).map(|f| f.confidence),
            Some(Confidence::High)
        );
    }

    #[test]
    fn rows_of_one_index_are_not_this_pattern() {
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "1", "UPDATE t SET a = 1 WHERE id = 1")
            .waits(lock(
                "X rec wait",
                "t",
                "PRIMARY",
                3,
                "1",
                vec![rec(2, 0, &["80000001"])],
            ))
            .trx(2, "2", "UPDATE t SET a = 1 WHERE id = 2")
            .holds(lock(
                "X rec",
                "t",
                "PRIMARY",
                3,
                "2",
                vec![rec(2, 0, &["80000001"])],
            ))
            .waits(lock(
                "X rec wait",
                "t",
                "PRIMARY",
                3,
                "2",
                vec![rec(3, 0, &["80000002"])],
            ))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }
}
