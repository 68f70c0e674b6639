//! `inconsistent-order`: the classic cycle — each transaction holds a row the other wants
//! because they lock the same rows (or parent and child tables) in opposite orders (seeds 003
//! and 002; public 001, 013; MariaDB captures `inconsistent-ordering`, `three-way-cycle`,
//! `odku-concurrent-batches`, `deadlock-report-basic`).

use smallvec::SmallVec;

use super::prelude::*;

declare_pattern! {
    /// ### What it looks like in the log
    /// Every transaction waits for an X lock on a real record (`lock_mode X locks rec but not
    /// gap waiting`, or next-key `lock_mode X waiting`) of the same index, each on a different
    /// record, and each of those records is held by another transaction of the cycle (printed
    /// under `HOLDS THE LOCK(S)` / `CONFLICTING WITH`, or visible as the row's `DB_TRX_ID`).
    /// Or the waits are on different tables, each held by the other transaction: parent and
    /// child tables written in opposite orders.
    ///
    /// ### Why it deadlocks
    /// Row locks are taken one statement (and one row) at a time and kept until commit. If one
    /// transaction locks row A then row B while another locks B then A, each ends up holding
    /// the row the other needs next. The same happens across tables when one path writes the
    /// parent then the child and another path the child then the parent, and in multi-row
    /// statements (`IN (…)` lists, `INSERT … VALUES` batches), which lock rows in the order
    /// they reach them.
    ///
    /// ### Fix for the write path
    /// Lock rows in one global order: sort the keys before looping over them, or lock them all
    /// up front with one `SELECT … WHERE id IN (…) ORDER BY id FOR UPDATE`. For batches, sort
    /// the rows of a multi-row `INSERT`/upsert by key. Across tables, pick one order — parent
    /// before child — and use it in every write path.
    ///
    /// ### Example
    /// ```sql
    /// -- before: request A updates 101 then 205, request B 205 then 101
    /// UPDATE accounts SET balance = balance - 10 WHERE id = 101;
    /// UPDATE accounts SET balance = balance + 10 WHERE id = 205;
    /// -- after: every transaction locks ascending ids first
    /// SELECT id FROM accounts WHERE id IN (101, 205) ORDER BY id FOR UPDATE;
    /// ```
    ///
    /// ### Known limitations
    /// MySQL ≤ 8.0.17 prints held locks only for transaction (2) and only two transactions of a
    /// longer cycle; `innodb_deadlock_report=basic` prints no holders at all. The other half is
    /// then inferred (medium or low confidence), helped by `DB_TRX_ID` in clustered-index dumps.
    pub INCONSISTENT_ORDER,
    id = "inconsistent-order",
    summary = "each transaction holds a row the other wants: rows (or parent/child tables) locked in opposite orders",
    fixed = "lock rows in one global order: sort keys; parent before child",
}

/// How the holder of a waited record is known.
#[derive(Clone, Copy, PartialEq)]
enum Known {
    Printed,
    LastWriter,
    Inferred,
}

fn check(v: &View) -> Option<Finding> {
    let waiters: Vec<(&Trx, &Lock)> = v.waiters().collect();
    let &(_, first) = waiters.first()?;
    if waiters.len() < 2 {
        return None;
    }
    let same_table = waiters.iter().all(|(_, w)| v.same_table(w, first));
    if same_table {
        rows(v, &waiters, first)
    } else {
        tables(v, &waiters)
    }
}

/// One waiter is an S or X range read (next-key) and the other a writer whose lock it waits
/// behind (a scan against an insert or update of a row in its range).
fn scan_against_writer(v: &View, waiters: &[(&Trx, &Lock)]) -> bool {
    waiters.iter().any(|(t, w)| {
        w.kind == LockKind::NextKey
            && v.blocker_of(t.n)
                .is_some_and(|b| b.held.iter().any(|h| is_x(h) && same_index(h, w)))
    })
}

fn holder_known<'a>(v: &'a View, t: &Trx, w: &Lock) -> (Option<&'a Trx<'a>>, Known) {
    let printed = v.blocking_locks(t);
    if let Some((o, _)) = printed.first() {
        return (v.get(o.n), Known::Printed);
    }
    if let Some(o) = w
        .records
        .iter()
        .find_map(|r| v.last_writer(w, r))
        .filter(|o| o.n != t.n)
    {
        return (Some(o), Known::LastWriter);
    }
    (v.blocker_of(t.n), Known::Inferred)
}

fn confidence(known: &[Known]) -> Confidence {
    if known.iter().all(|k| *k == Known::Printed) {
        Confidence::High
    } else if known.iter().any(|k| *k != Known::Inferred) {
        Confidence::Medium
    } else {
        Confidence::Low
    }
}

/// Same index, different records. A range scan (S or X next-key locks) against a writer
/// counts too, and so does an insert into a gap the other side's scan locked: the two reached
/// the same rows in opposite orders.
fn rows(v: &View, waiters: &[(&Trx, &Lock)], first: &Lock) -> Option<Finding> {
    let ok = waiters.iter().all(|(_, w)| {
        let record = is_record_part(w) && !w.only_supremum();
        (record || is_insert_intention(w)) && same_index(w, first)
    });
    let inserts = waiters
        .iter()
        .filter(|(_, w)| is_insert_intention(w))
        .count();
    // Plain inserts waiting in their duplicate-key checks (S) on different keys: each found
    // the key the other had inserted and not committed, and waits for that writer's X
    // (fixtures/labelled b-015, c-009): as good as X waits on each other's rows.
    let dup_checks = waiters
        .iter()
        .all(|(t, w)| t.plain_insert() && is_s(w) && is_record_part(w) && !is_insert_intention(w));
    let exclusive = dup_checks || waiters.iter().all(|(_, w)| is_x(w) && is_record_part(w));
    if !ok || inserts > 1 || (!exclusive && inserts == 0 && !scan_against_writer(v, waiters)) {
        return None;
    }
    // Records not printed: two requests for one record would need each transaction to wait
    // for a lock it holds itself, which only an S lock upgraded to X does. Each side shown
    // holding X there proves the records differ; nothing shown leaves it inferred.
    let mut unproven = false;
    for (i, (ta, a)) in waiters.iter().enumerate() {
        for (tb, b) in waiters.iter().skip(i + 1) {
            if different_records(a, b) {
                continue;
            }
            if !(a.records.is_empty() || b.records.is_empty()) {
                return None;
            }
            let holds_x = |t: &Trx| t.held_on_index(first).any(|h| is_x(h) && is_record_part(h));
            let holds_s = |t: &Trx| t.held_on_index(first).any(is_s);
            if holds_s(ta) || holds_s(tb) || !exclusive {
                return None;
            }
            if !(holds_x(ta) && holds_x(tb)) {
                unproven = true;
            }
        }
    }
    let mut known: SmallVec<[Known; 4]> = SmallVec::new();
    let mut ev = Vec::with_capacity(waiters.len() * 3);
    // Built in one string: `<trx> waits for <lock>, which <trx> holds; …. `
    let mut summary = String::with_capacity(1024);
    for (i, (t, w)) in waiters.iter().enumerate() {
        let (holder, how) = holder_known(v, t, w);
        known.push(how);
        ev.push(ev_lock(w));
        ev.extend(w.records.iter().take(1).map(ev_record));
        ev.extend(v.blocking_locks(t).iter().map(|(_, l)| ev_lock(l)));
        if i > 0 {
            summary.push_str("; ");
        }
        words::push_trx_stmt(&mut summary, t);
        summary.push_str(" waits for ");
        words::push_lock(&mut summary, w);
        let Some(h) = holder else {
            continue;
        };
        summary.push_str(match how {
            Known::Printed | Known::LastWriter => ", which ",
            Known::Inferred => ", held by ",
        });
        words::push_trx(&mut summary, h);
        summary.push_str(match how {
            Known::Printed => " holds",
            Known::LastWriter => {
                " holds (the row's DB_TRX_ID is its trx id: it wrote the row and has not \
                 committed)"
            }
            Known::Inferred => " (inferred from the cycle)",
        });
    }
    summary.push_str(". ");
    let n = waiters.len();
    if n > 2 {
        summary.push_str("The ");
        crate::model::push_number(&mut summary, n);
        summary.push_str(
            " transactions form a ring: each locked one row first and then asked for a row the \
             next one had already locked — the same rows locked in different orders.",
        );
    } else {
        summary.push_str(
            "Each transaction locked one row first and then asked for a row the other had \
             already locked: the same rows locked in opposite orders.",
        );
    }
    if dup_checks {
        summary.push_str(
            " Both waits are duplicate-key checks (S): each transaction inserts a key the other \
             inserted earlier and has not committed — the same keys inserted in opposite orders.",
        );
    }
    let upserts = waiters.iter().all(|(t, _)| {
        (t.odku || t.is("INSERT"))
            && t.t
                .query
                .as_deref()
                .and_then(sql::values_rows)
                .is_some_and(|n| n > 1)
    });
    if upserts {
        summary.push_str(
            " The statements are multi-row inserts/upserts: InnoDB locks their rows in the order \
             the VALUES list gives them, so two batches with the same keys in different orders \
             collide.",
        );
    }
    if inserts > 0 || !exclusive {
        summary.push_str(
            " One side reads or writes a range row by row while the other writes inside it: \
             the range locks reached the other's row after the other had locked (or inserted \
             into) part of the range — the same rows in opposite orders.",
        );
    }
    if unproven {
        summary.push_str(
            " The report prints no record dumps and not both sides' held locks, so that the two \
             requests are for different rows is inferred.",
        );
    }
    words::push_victim(&mut summary, v.d);
    let mut confidence = confidence(&known);
    if unproven {
        confidence = Confidence::Low;
    } else if inserts > 0 || !exclusive {
        confidence = confidence.min(Confidence::Medium);
    }
    if known.contains(&Known::Inferred) {
        if let Some(note) = v.hidden_note() {
            summary.push(' ');
            summary.push_str(&note);
        }
    } else if known.contains(&Known::LastWriter) {
        if let Some(note) = v.hidden_note().filter(|_| v.basic) {
            summary.push(' ');
            summary.push_str(&note);
        }
        summary.push_str(
            " The report does not print that lock itself; the row's DB_TRX_ID names its holder.",
        );
    }
    let table = words::bare_table(first);
    let index = first.index().unwrap_or("PRIMARY");
    let fix = if upserts {
        // One allocation (`format!` costs several times more; this runs for every upsert).
        [
            "Sort the rows of every batch by the key of `",
            index,
            "` before building the statement, so all writers lock them in the same (ascending) \
             order.\n\
             \n\
             -- before: one batch lists the keys descending, another ascending\n\
             INSERT INTO ",
            table,
            " (…) VALUES (<k3>), (<k2>), (<k1>) ON DUPLICATE KEY UPDATE …;\n\
             \n\
             -- after: every batch in ascending key order\n\
             INSERT INTO ",
            table,
            " (…) VALUES (<k1>), (<k2>), (<k3>) ON DUPLICATE KEY UPDATE …;",
        ]
        .concat()
    } else {
        update_sketch(waiters, table, index)
    };
    Some(finding(confidence, summary, ev, fix))
}

/// The fix for row updates: the waited keys updated in request order, then in key order.
fn update_sketch(waiters: &[(&Trx, &Lock)], table: &str, index: &str) -> String {
    let n = waiters.len();
    let mut keys: Vec<String> = waiters
        .iter()
        .filter_map(|(_, w)| first_user_record(w).map(|r| words::key(r, Some(index))))
        .collect();
    if keys.len() != n {
        keys = (1..=n).map(|i| format!("?{i}")).collect();
    }
    let mut asc = keys.clone();
    sort_keys(&mut asc);
    let update = |s: &mut String, key: &str| {
        s.push_str("UPDATE ");
        s.push_str(table);
        s.push_str(" SET … WHERE <key> = ");
        s.push_str(key);
        s.push_str(";\n");
    };
    let mut s = String::with_capacity(512);
    s.push_str(
        "Make every transaction lock these rows in one global order: sort the keys before the \
         loop, or lock them all up front in key order.\n\
         \n\
         -- before: the order depends on the request\n\
         BEGIN;\n",
    );
    for key in keys.iter().rev() {
        update(&mut s, key);
    }
    s.push_str(
        "COMMIT;\n\
         \n\
         -- after: ascending key order everywhere\n\
         BEGIN;\n\
         SELECT <key> FROM ",
    );
    s.push_str(table);
    s.push_str(" WHERE <key> IN (");
    s.push_str(&asc.join(", "));
    s.push_str(") ORDER BY <key> FOR UPDATE;\n");
    for key in &asc {
        update(&mut s, key);
    }
    s.push_str("COMMIT;");
    s
}

/// Waits on different tables: parent and child written in opposite orders.
fn tables(v: &View, waiters: &[(&Trx, &Lock)]) -> Option<Finding> {
    let mut known = Vec::new();
    let mut parts = Vec::new();
    let mut ev = Vec::new();
    for (t, w) in waiters {
        let (holder, how) = holder_known(v, t, w);
        known.push(how);
        ev.push(ev_lock(w));
        ev.extend(v.blocking_locks(t).iter().map(|(_, l)| ev_lock(l)));
        let by = holder.map_or(String::new(), |h| format!(", held by {}", words::trx(h)));
        parts.push(format!(
            "{} waits for {}{by}",
            words::trx(t),
            words::lock(w)
        ));
    }
    let orders: Vec<String> = waiters
        .iter()
        .filter_map(|(t, w)| {
            let holder = v.blocker_of(t.n)?;
            let other = holder.wait?;
            (!v.same_table(other, w)).then(|| {
                format!(
                    "{} wrote {} before {}",
                    words::trx(holder),
                    w.table,
                    other.table
                )
            })
        })
        .collect();
    let mut summary = format!("The cycle spans tables: {}. ", parts.join("; "));
    if !orders.is_empty() {
        summary.push_str(&format!(
            "So {}: the write paths touch these tables in opposite orders (parent and child).",
            orders.join(", while ")
        ));
    }
    let confidence = confidence(&known).min(Confidence::High);
    let confidence = if confidence == Confidence::Low {
        Confidence::Medium
    } else {
        confidence
    };
    let names: Vec<&str> = waiters.iter().map(|(_, w)| words::bare_table(w)).collect();
    let a = names.first().copied().unwrap_or_default();
    let b = names.get(1).copied().unwrap_or_default();
    let fix = format!(
        "Pick one order for these tables — parent before child — and use it in every write path \
         that touches both, including cleanup and delete paths.\n\
         \n\
         -- before: one path writes {b} then {a}, the other {a} then {b}\n\
         -- after: both paths\n\
         BEGIN;\n\
         <write {a} (the parent)>;\n\
         <write {b} (the children)>;\n\
         COMMIT;"
    );
    Some(finding(confidence, summary, ev, fix))
}

/// Ascending, numerically when every key is a number.
fn sort_keys(keys: &mut [String]) {
    let numbers: Option<Vec<i128>> = keys.iter().map(|k| k.parse().ok()).collect();
    match numbers {
        Some(_) => keys.sort_by_key(|k| k.parse::<i128>().unwrap_or(0)),
        None => keys.sort(),
    }
}

fn finding(confidence: Confidence, summary: String, ev: Vec<Evidence>, fix: String) -> Finding {
    INCONSISTENT_ORDER.finding(confidence, summary, ev, fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    // See: fixtures/labelled/a-004 (MySQL 8.4, record dumps cut by the publisher): each side
    // holds an X record-only lock and waits for another one on the same page; a transaction
    // never waits for its own X lock, so the two rows differ.
    #[test]
    fn opposite_rows_without_record_dumps() {
        use crate::diagnose::testkit::{deadlock, lock};
        let d = deadlock(crate::model::Flavour::Mysql8018)
            .trx(1, "4506", "SELECT id FROM t WHERE id = 2 FOR UPDATE")
            .holds(lock("X rec", "t", "PRIMARY", 4, "4506", vec![]))
            .waits(lock("X rec wait", "t", "PRIMARY", 4, "4506", vec![]))
            .trx(2, "4507", "SELECT id FROM t WHERE id = 1 FOR UPDATE")
            .holds(lock("X rec", "t", "PRIMARY", 4, "4507", vec![]))
            .waits(lock("X rec wait", "t", "PRIMARY", 4, "4507", vec![]))
            .victim(2);
        let f = check(&View::new(&d)).expect("inconsistent-order");
        assert_eq!(f.pattern, "inconsistent-order");
    }
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    // See: seed 003 (hand-simplified 5.7 report: no record dumps, holds only for trx (2)).
    #[test]
    fn seed_003_is_medium_without_trx_1_holds() {
        let d = deadlock(Flavour::Mysql57)
            .trx(
                1,
                "12345",
                "UPDATE `warn_baseline_result` SET `status`='fixed' WHERE `id`=101;",
            )
            .waits(lock(
                "X rec wait",
                "warn_baseline_result",
                "PRIMARY",
                4,
                "12345",
                vec![],
            ))
            .trx(
                2,
                "12346",
                "UPDATE `warn_baseline_result` SET `status`='fixed' WHERE `id`=205;",
            )
            .holds(lock(
                "X rec",
                "warn_baseline_result",
                "PRIMARY",
                4,
                "12346",
                vec![],
            ))
            .waits(lock(
                "X rec wait",
                "warn_baseline_result",
                "PRIMARY",
                3,
                "12346",
                vec![],
            ))
            .victim(1);
        let f = check(&View::new(&d)).expect("inconsistent-order");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("opposite orders"), "{}", f.summary);
        assert!(
            f.summary
                .contains("prints held locks only for transaction (2)"),
            "{}",
            f.summary
        );
    }

    // See: fixtures/mariadb/deadlock-report-basic.status.txt — DB_TRX_ID names the holders.
    #[test]
    fn basic_report_uses_db_trx_id() {
        let r101 = || vec![rec(3, 0, &["80000065", "000000000288", "41000001c50110"])];
        let r205 = || vec![rec(5, 0, &["800000cd", "000000000289", "42000001cb0110"])];
        let d = deadlock(Flavour::Mariadb106)
            .trx(
                1,
                "649",
                "UPDATE accounts SET balance = balance + 20 WHERE id = 101",
            )
            .waits(lock("X rec wait", "accounts", "PRIMARY", 3, "649", r101()))
            .trx(
                2,
                "648",
                "UPDATE accounts SET balance = balance + 10 WHERE id = 205",
            )
            .waits(lock("X rec wait", "accounts", "PRIMARY", 3, "648", r205()))
            .victim(1);
        let f = check(&View::new(&d)).expect("inconsistent-order");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("DB_TRX_ID"), "{}", f.summary);
        assert!(f.fix.contains("IN (101, 205)"), "{}", f.fix);
    }

    // MySQL 8.0.18+ prints every transaction's held lock: nothing is inferred.
    #[test]
    fn mysql_8018_prints_both_holders() {
        let r = |heap, key| vec![rec(heap, 0, &[key, "000000000a01", "82000001080110"])];
        let d = deadlock(Flavour::Mysql8018)
            .trx(1, "2601", "UPDATE t SET a = 1 WHERE id = 7")
            .holds(lock("X rec", "t", "PRIMARY", 4, "2601", r(3, "80000009")))
            .waits(lock(
                "X rec wait",
                "t",
                "PRIMARY",
                4,
                "2601",
                r(2, "80000007"),
            ))
            .trx(2, "2602", "UPDATE t SET a = 2 WHERE id = 9")
            .holds(lock("X rec", "t", "PRIMARY", 4, "2602", r(2, "80000007")))
            .waits(lock(
                "X rec wait",
                "t",
                "PRIMARY",
                4,
                "2602",
                r(3, "80000009"),
            ))
            .victim(2);
        let f = check(&View::new(&d)).expect("inconsistent-order");
        assert_eq!(f.confidence, Confidence::High);
        assert!(
            f.summary.contains("PRIMARY 7, which trx (2) holds"),
            "{}",
            f.summary
        );
        assert!(f.fix.contains("IN (7, 9)"), "{}", f.fix);
    }

    #[test]
    fn two_waits_on_one_record_are_not_an_order_problem() {
        let r = || vec![rec(3, 0, &["80000065"])];
        let d = deadlock(Flavour::Mysql8018)
            .trx(1, "1", "UPDATE t SET a = 1 WHERE id = 101")
            .holds(lock("S rec", "t", "PRIMARY", 3, "1", r()))
            .waits(lock("X rec wait", "t", "PRIMARY", 3, "1", r()))
            .trx(2, "2", "UPDATE t SET a = 2 WHERE id = 101")
            .holds(lock("S rec", "t", "PRIMARY", 3, "2", r()))
            .waits(lock("X rec wait", "t", "PRIMARY", 3, "2", r()))
            .victim(2);
        assert!(check(&View::new(&d)).is_none());
    }
}
