//! `gap-then-insert`: two transactions lock the same gap by looking for a row that is not
//! there, then both insert into it (public 005, 007, 019; MariaDB capture
//! `gap-lock-then-insert`).

use super::prelude::*;

declare_pattern! {
    /// ### What it looks like in the log
    /// Both transactions wait for `lock_mode X locks gap before rec insert intention waiting`
    /// (or `lock_mode X insert intention waiting` on the supremum) on the same gap of one
    /// index, and the lock they wait for is an X gap lock on that gap: `lock_mode X locks gap
    /// before rec`, or a plain `lock_mode X` on the supremum. The statements are plain
    /// `INSERT`s; the gap locks came from earlier statements of the same transactions.
    ///
    /// ### Why it deadlocks
    /// A locking read that finds no row (`SELECT … FOR UPDATE`, or an `UPDATE`/`DELETE` whose
    /// WHERE matches nothing) locks the gap where the row would be, so that nobody can insert
    /// it meanwhile. Gap locks never conflict with each other, not even X with X, so two
    /// transactions checking for two different missing keys of the same gap both get one.
    /// When each then inserts its row, its insert-intention lock must wait for every gap lock
    /// another transaction holds on that gap: each waits for the other.
    ///
    /// ### Fix for the write path
    /// Do not "check, then insert" with a locking read. Insert first and treat a duplicate-key
    /// error (1062) as "the row exists" (then update it), or use `INSERT … ON DUPLICATE KEY
    /// UPDATE` for a single row. If a check is needed, lock the parent row that owns the key
    /// range `FOR UPDATE` instead of the missing child row, which serialises the writers.
    ///
    /// ### Example
    /// ```sql
    /// -- before, in two sessions at once (ids 15 and 16 missing, 20 exists)
    /// BEGIN; SELECT * FROM orders WHERE id = 15 FOR UPDATE;  -- X gap lock on (…, 20)
    /// BEGIN; SELECT * FROM orders WHERE id = 16 FOR UPDATE;  -- the same gap, granted too
    /// INSERT INTO orders VALUES (15, …);  -- waits for the other's gap lock
    /// INSERT INTO orders VALUES (16, …);  -- waits for the first one's: 1213
    /// -- after
    /// BEGIN; INSERT INTO orders VALUES (15, …);  -- on 1062, UPDATE instead
    /// ```
    ///
    /// ### Known limitations
    /// MySQL ≤ 8.0.17 prints the gap lock of transaction (2) only; the first transaction's is
    /// inferred from the cycle (medium confidence).
    pub GAP_THEN_INSERT,
    id = "gap-then-insert",
    summary = "both transactions hold a gap lock from a locking read of a missing row, then both insert into that gap",
    fixed = "insert first and handle the duplicate (1062); or lock the parent row FOR UPDATE",
}

fn check(v: &View) -> Option<Finding> {
    let waiters: Vec<(&Trx, &Lock)> = v.waiters().collect();
    let &(_, first) = waiters.first()?;
    if waiters.len() < 2 {
        return None;
    }
    if !waiters
        .iter()
        .all(|(_, w)| is_insert_intention(w) && overlap(w, first) != Some(false))
    {
        return crossed_gaps(v, &waiters)
            .or_else(|| waiters.iter().find_map(|&(t, w)| queued_writer(v, t, w)))
            .or_else(|| v.trx.iter().find_map(|t| gap_then_duplicate(v, t)));
    }
    if v.trx.iter().any(|t| {
        t.odku
            || t.verb
                .as_deref()
                .is_some_and(|x| x != "INSERT" && x != "REPLACE")
    }) {
        return None;
    }
    let mut gap_holds: Vec<(&Trx, &Lock)> = Vec::new();
    let mut next_key_holds = false;
    let mut visible = 0;
    for (t, _) in &waiters {
        let blocking = v.blocking_locks(t);
        if !blocking.is_empty() {
            visible += 1;
        }
        for (o, l) in blocking {
            // An S lock there is a duplicate check (`unique-key-race`); an X lock on a
            // delete-marked record is a deleter's (`delete-then-insert`). An X next-key lock on
            // a live record covers the gap before it as a gap lock does: a locking read that
            // found the row (or the range's last row) locked the gap too.
            let gap_part = match l.kind {
                LockKind::Gap => true,
                LockKind::NextKey => {
                    next_key_holds = true;
                    !l.touches_delete_marked()
                }
                _ => false,
            };
            if !is_x(l) || !gap_part {
                return None;
            }
            if !gap_holds.iter().any(|(_, h)| std::ptr::eq(*h, l)) {
                gap_holds.push((o, l));
            }
        }
    }
    // A next-key lock says a row was found there: which statement took it, a locking read or
    // a write of that row, the report does not tell.
    let confidence = if visible == waiters.len() && !next_key_holds {
        Confidence::High
    } else if visible > 0 {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    let ns: Vec<u32> = waiters.iter().map(|(t, _)| t.n).collect();
    let stmts: Vec<String> = waiters.iter().map(|(t, _)| words::trx_stmt(t)).collect();
    let mut holders: Vec<u32> = gap_holds.iter().map(|(t, _)| t.n).collect();
    holders.sort_unstable();
    holders.dedup();
    let mut summary = format!(
        "{} {} wait for an insert-intention lock in {}. ",
        stmts.join(" and "),
        words::all(stmts.len()),
        words::gap(first)
    );
    if holders.is_empty() {
        summary.push_str("The gap locks they wait for are not printed. ");
    } else {
        summary.push_str(&format!(
            "trx {} {} an X {} on that same gap. ",
            words::numbers(&holders),
            if holders.len() == 1 { "holds" } else { "hold" },
            if next_key_holds {
                "next-key lock (the record and the gap before it)"
            } else {
                "gap lock"
            }
        ));
    }
    summary.push_str(&format!(
        "{} Gap locks never conflict with each other, so trx {} {} got one on the same gap; now \
         each insert waits for the other's {}.",
        if next_key_holds {
            "A next-key lock is what a locking read (`SELECT … FOR UPDATE`, or an UPDATE/DELETE \
             through this index) leaves on each row it finds, and it covers the gap before the \
             row as well; the report does not say which statement took it."
        } else {
            "A gap lock is what a locking read (`SELECT … FOR UPDATE`, or an UPDATE/DELETE whose \
             WHERE matched nothing) leaves when the row it looks for does not exist."
        },
        words::numbers(&ns),
        words::all(ns.len()),
        if next_key_holds {
            "lock on it"
        } else {
            "gap lock"
        }
    ));
    v.close_summary(&mut summary, confidence);
    let fix = fix(words::bare_table(first));
    let mut ev: Vec<Evidence> = waiters.iter().map(|(_, w)| ev_lock(w)).collect();
    ev.extend(gap_holds.iter().map(|(_, l)| ev_lock(l)));
    ev.extend(first.records.first().map(ev_record));
    Some(GAP_THEN_INSERT.finding(confidence, summary, ev, fix))
}

/// The fix for a check-then-insert on `t`: insert first, or serialise on the parent row.
fn fix(t: impl std::fmt::Display) -> String {
    format!(
        "Insert first and treat a duplicate-key error as \"the row exists\", instead of checking \
         with a locking read; or lock the parent row that owns the key range FOR UPDATE before \
         the check, which serialises the writers.\n\
         \n\
         -- before: check, then insert\n\
         BEGIN;\n\
         SELECT … FROM {t} WHERE <key> = ? FOR UPDATE;  -- no row: X gap lock\n\
         INSERT INTO {t} VALUES (?, …);                 -- waits for the other's gap lock\n\
         COMMIT;\n\
         \n\
         -- after: insert, handle 1062\n\
         BEGIN;\n\
         INSERT INTO {t} VALUES (?, …);                 -- on 1062: UPDATE {t} SET … WHERE <key> = ?\n\
         COMMIT;"
    )
}

/// Two inserts into two different gaps, each gap locked by the other transaction's X gap or
/// next-key lock (fixtures/labelled f-005: each UPDATEd a missing name first, then inserted
/// into the other's range). Medium: which earlier statement took each gap lock is not printed.
fn crossed_gaps(v: &View, waiters: &[(&Trx, &Lock)]) -> Option<Finding> {
    if waiters.len() != 2
        || !waiters
            .iter()
            .all(|(t, w)| is_insert_intention(w) && t.plain_insert())
    {
        return None;
    }
    let mut holds: Vec<&Lock> = Vec::new();
    for (t, _) in waiters {
        let blocking = v.blocking_locks(t);
        if blocking.is_empty() {
            return None;
        }
        for (o, l) in blocking {
            let gap_part = match l.kind {
                LockKind::Gap => true,
                LockKind::NextKey => !l.touches_delete_marked(),
                _ => false,
            };
            if !is_x(l) || !gap_part || !waiters.iter().any(|(w, _)| w.n == o.n) {
                return None;
            }
            holds.push(l);
        }
    }
    let [(a, aw), (b, bw)] = waiters else {
        return None;
    };
    let mut summary = format!(
        "{} waits for an insert-intention lock in {}, and {} in {}: two different gaps, each \
         locked by the other transaction with an X gap or next-key lock. An INSERT takes no \
         such lock itself: each came from an earlier locking read or UPDATE/DELETE of the \
         range (one that found no row leaves a gap lock), and gap locks never conflict with \
         each other, so both got theirs; now each insert waits for the other's.",
        words::trx_stmt(a),
        words::gap(aw),
        words::trx_stmt(b),
        words::gap(bw),
    );
    v.close_summary(&mut summary, Confidence::Medium);
    let mut ev = vec![ev_lock(aw), ev_lock(bw)];
    ev.extend(holds.iter().map(|l| ev_lock(l)));
    Some(GAP_THEN_INSERT.finding(Confidence::Medium, summary, ev, fix(words::bare_table(aw))))
}

/// The other form (fixtures/labelled a-035, c-026): `t`'s own locking read holds a next-key
/// lock on a record (the record and the gap before it); a writer asks for a next-key lock on
/// that record and queues behind `t`'s lock; then `t` inserts into the gap and its insert
/// intention waits for the writer's queued request, which covers the gap too.
fn queued_writer(v: &View, t: &Trx, w: &Lock) -> Option<Finding> {
    if !is_insert_intention(w) || !(t.is("INSERT") || t.is("REPLACE")) || t.odku {
        return None;
    }
    let read = t
        .held_on_index(w)
        .find(|h| h.kind == LockKind::NextKey && overlap(h, w) == Some(true))?;
    let o = v.blocker_of(t.n)?;
    let ow = o.wait?;
    let queued_on_it = !is_insert_intention(ow)
        && ow.kind == LockKind::NextKey
        && same_index(ow, w)
        && overlap(ow, w) != Some(false);
    if !queued_on_it || v.blocker_of(o.n).map(|b| b.n) != Some(t.n) {
        return None;
    }
    let confidence = if overlap(ow, w) == Some(true) {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let mut summary = format!(
        "{} holds {}: a locking read's next-key lock, the record and the gap before it. {} asks \
         for {}: the record part conflicts with trx ({})'s lock, so the request waits, queued on \
         the record and its gap. Then {} inserts into that gap: an insert-intention lock waits \
         for every conflicting gap-covering request before it, granted or queued, so it waits \
         for trx ({}), which waits for trx ({}).",
        words::trx_stmt(t),
        words::lock(read),
        words::trx_stmt(o),
        words::lock(ow),
        t.n,
        words::trx(t),
        o.n,
        t.n
    );
    v.close_summary(&mut summary, confidence);
    let table = words::bare_table(w);
    let fix = format!(
        "Lock what the transaction will write with the read that finds it: FOR UPDATE instead \
         of a shared read, so the writer waits before it queues on the range; or insert first \
         and read after.\n\
         \n\
         -- before\n\
         BEGIN;\n\
         SELECT … FROM {table} WHERE <key> = ? LOCK IN SHARE MODE;  -- S next-key\n\
         INSERT INTO {table} VALUES (…);  -- into the gap a queued writer covers\n\
         COMMIT;\n\
         \n\
         -- after\n\
         BEGIN;\n\
         SELECT … FROM {table} WHERE <key> = ? FOR UPDATE;\n\
         INSERT INTO {table} VALUES (…);\n\
         COMMIT;"
    );
    let ev = vec![ev_lock(w), ev_lock(read), ev_lock(ow)];
    Some(GAP_THEN_INSERT.finding(confidence, summary, ev, fix))
}

/// The check-then-insert whose other half is a duplicate check (fixtures/labelled f-007):
/// `s_waiter`, a plain INSERT, waits for S on a key the other inserter has just written (its
/// duplicate check), and that inserter's insert intention waits for an X gap lock `s_waiter`
/// holds. A plain INSERT never takes an X gap lock itself (its duplicate check takes S, and a
/// lock inherited by a gap keeps its mode), so an earlier locking read of a missing key left it.
/// Returns the inserter, the gap lock and the insert intention it blocks.
pub(super) fn read_gap_under_insert<'v, 'a>(
    v: &'v View<'a>,
    s_waiter: &'v Trx<'a>,
) -> Option<(&'v Trx<'a>, &'a Lock, &'a Lock)> {
    let w = s_waiter.wait?;
    if !s_waiter.plain_insert() || !is_s(w) || is_insert_intention(w) {
        return None;
    }
    let o = v.blocker_of(s_waiter.n)?;
    let ow = o.wait?;
    if !is_insert_intention(ow) || !(o.is("INSERT") || o.is("REPLACE")) {
        return None;
    }
    let gap = s_waiter
        .held
        .iter()
        .copied()
        .find(|h| is_x(h) && h.kind == LockKind::Gap && h.may_block(ow))?;
    Some((o, gap, ow))
}

fn gap_then_duplicate(v: &View, t: &Trx) -> Option<Finding> {
    let (o, gap, ow) = read_gap_under_insert(v, t)?;
    let w = t.wait?;
    let mut summary = format!(
        "{} holds {} — an X gap lock, which a plain INSERT never takes itself: an earlier \
         locking read of a missing key (`SELECT … FOR UPDATE`, or an UPDATE/DELETE that matched \
         nothing) left it. {} waits for an insert intention in that gap, blocked by it, while \
         {}'s duplicate-key check waits for {}, on the key trx ({}) has just written and not \
         committed: each waits for the other. The gap lock of the check-then-insert starts the \
         cycle; both inserting the same key (the duplicate check of `unique-key-race`) closes it.",
        words::trx_stmt(t),
        words::lock(gap),
        words::trx_stmt(o),
        words::trx(t),
        words::lock(w),
        o.n,
    );
    v.close_summary(&mut summary, Confidence::Medium);
    let table = words::bare_table(ow);
    let fix = format!(
        "Do not check for the missing key with a locking read before inserting it: insert \
         first and treat a duplicate-key error (1062) as \"the row exists\", or lock the parent \
         row that owns the key FOR UPDATE before the check, which serialises the writers.\n\
         \n\
         -- before: check, then insert\n\
         BEGIN;\n\
         SELECT … FROM {table} WHERE <key> = ? FOR UPDATE;  -- no row: X gap lock\n\
         INSERT INTO {table} VALUES (?, …);                 -- the other's insert waits for it\n\
         COMMIT;\n\
         \n\
         -- after: insert, handle 1062\n\
         BEGIN;\n\
         INSERT INTO {table} VALUES (?, …);                 -- on 1062: the row exists\n\
         COMMIT;"
    );
    let ev = vec![ev_lock(gap), ev_lock(ow), ev_lock(w)];
    Some(
        GAP_THEN_INSERT
            .finding(Confidence::Medium, summary, ev, fix)
            .or(
                "unique-key-race",
                format!(
                    "Both transactions insert the same key: {}'s S wait is the duplicate check \
                     of a plain INSERT, which INSERT IGNORE / ON DUPLICATE KEY UPDATE avoid; \
                     the gap lock only decides who waits first.",
                    words::trx(t)
                ),
                vec![ev_lock(w)],
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    // See: fixtures/labelled f-005.
    #[test]
    fn crossed_gaps_each_locked_by_the_other() {
        let wei = || vec![rec(3, 0, &["576569", "80000002"])];
        let sup = || vec![crate::diagnose::testkit::supremum()];
        let build = |held_by_2: &str| {
            deadlock(Flavour::Mysql57)
                .trx(1, "76", "insert into account values(null, 'Jay', 100)")
                .holds(lock("X", "account", "idx_name", 4, "76", sup()))
                .waits(lock("X gap ii wait", "account", "idx_name", 4, "76", wei()))
                .trx(2, "77", "insert into account values (null, 'Yan', 100)")
                .holds(lock(held_by_2, "account", "idx_name", 4, "77", wei()))
                .waits(lock("X ii wait", "account", "idx_name", 4, "77", sup()))
                .victim(1)
        };
        let f = check(&View::new(&build("X gap"))).expect("gap-then-insert");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("two different gaps"), "{}", f.summary);
        // An S gap lock is a duplicate check's, not a locking read's.
        assert!(check(&View::new(&build("S gap")))
            .map_or(true, |f| !f.summary.contains("two different gaps")));
    }

    fn r20() -> crate::model::Record {
        rec(3, 0, &["80000014", "000000000237", "96000001c4011c"])
    }

    // See: fixtures/mariadb/gap-lock-then-insert.status.txt
    #[test]
    fn mariadb_both_gap_locks_shown_is_high() {
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "570", "INSERT INTO orders VALUES (16,'y',16)")
            .waits(lock(
                "X gap ii wait",
                "orders",
                "PRIMARY",
                3,
                "570",
                vec![r20()],
            ))
            .conflicts(lock("X gap", "orders", "PRIMARY", 3, "569", vec![r20()]))
            .conflicts(lock("X gap", "orders", "PRIMARY", 3, "570", vec![r20()]))
            .trx(2, "569", "INSERT INTO orders VALUES (15,'x',15)")
            .waits(lock(
                "X gap ii wait",
                "orders",
                "PRIMARY",
                3,
                "569",
                vec![r20()],
            ))
            .conflicts(lock("X gap", "orders", "PRIMARY", 3, "569", vec![r20()]))
            .conflicts(lock("X gap", "orders", "PRIMARY", 3, "570", vec![r20()]))
            .victim(1);
        let f = check(&View::new(&d)).expect("gap-then-insert");
        assert_eq!(f.confidence, Confidence::High);
        assert!(
            f.summary
                .contains("the gap before key 20 of `test`.`orders` PRIMARY"),
            "{}",
            f.summary
        );
        assert!(
            f.summary.contains("trx (1) and (2) hold an X gap lock"),
            "{}",
            f.summary
        );
    }

    // See: a next-key holder (code-index 32278753797, MySQL 5.6: two inserts before (9, 9) of
    // idx_b, trx (2) holding plain `lock_mode X` on it).
    #[test]
    fn an_x_next_key_lock_covers_the_gap_too() {
        let r = rec(8, 0, &["80000009", "80000009"]);
        let d = deadlock(Flavour::Mysql56)
            .trx(1, "41121", "insert INTO t values (6, 6)")
            .waits(lock(
                "X gap ii wait",
                "t",
                "idx_b",
                4,
                "41121",
                vec![r.clone()],
            ))
            .trx(2, "41122", "insert INTO t values (7, 7)")
            .holds(lock("X", "t", "idx_b", 4, "41122", vec![r.clone()]))
            .waits(lock(
                "X gap ii wait",
                "t",
                "idx_b",
                4,
                "41122",
                vec![r.clone()],
            ))
            .victim(2);
        let f = check(&View::new(&d)).expect("gap-then-insert");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("X next-key lock"), "{}", f.summary);
        // The same lock on a delete-marked record is a deleter's: not this pattern.
        let dead = rec(8, 32, &["80000009", "80000009"]);
        let d = deadlock(Flavour::Mysql56)
            .trx(1, "1", "INSERT INTO t VALUES (6, 6)")
            .waits(lock(
                "X gap ii wait",
                "t",
                "idx_b",
                4,
                "1",
                vec![dead.clone()],
            ))
            .trx(2, "2", "INSERT INTO t VALUES (7, 7)")
            .holds(lock("X", "t", "idx_b", 4, "2", vec![dead.clone()]))
            .waits(lock("X gap ii wait", "t", "idx_b", 4, "2", vec![dead]))
            .victim(2);
        assert!(check(&View::new(&d)).is_none());
    }

    #[test]
    fn a_shared_gap_lock_is_a_duplicate_check_not_this() {
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "1", "INSERT INTO t VALUES (1)")
            .waits(lock("X gap ii wait", "t", "uk", 3, "1", vec![r20()]))
            .trx(2, "2", "INSERT INTO t VALUES (1)")
            .holds(lock("S", "t", "uk", 3, "2", vec![r20()]))
            .waits(lock("X gap ii wait", "t", "uk", 3, "2", vec![r20()]))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }

    // See: fixtures/labelled f-007 (`key`=19 FOR UPDATE finds nothing, then both insert (4, 11)).
    #[test]
    fn read_gap_then_the_same_insert_waits_for_the_duplicate_check() {
        let k20 = || vec![rec(3, 0, &["00000014", "00000002"])];
        let pk4 = vec![rec(
            5,
            0,
            &["00000004", "000000002973", "2d0000017a0988", "0000000b"],
        )];
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "10611", "insert into tableunique values(4,11)")
            .waits(lock(
                "X gap ii wait",
                "tableunique",
                "uq_key",
                4,
                "10611",
                k20(),
            ))
            .trx(2, "10609", "insert into tableunique values(4,11)")
            .holds(lock("X gap", "tableunique", "uq_key", 4, "10609", k20()))
            .waits(lock(
                "S rec wait",
                "tableunique",
                "PRIMARY",
                3,
                "10609",
                pk4,
            ))
            .victim(2);
        let f = check(&View::new(&d)).expect("gap-then-insert");
        assert_eq!(f.confidence, Confidence::Medium);
        assert_eq!(
            f.alternatives.first().map(|a| a.pattern),
            Some("unique-key-race")
        );
        let v = View::new(&d);
        let t2 = v.trx.iter().find(|t| t.n == 2).expect("trx 2");
        assert!(read_gap_under_insert(&v, t2).is_some());
        // The same waits with an S gap lock held (a purged duplicate check's inheritance) are
        // not a locking read's.
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "10611", "insert into tableunique values(4,11)")
            .waits(lock(
                "X gap ii wait",
                "tableunique",
                "uq_key",
                4,
                "10611",
                k20(),
            ))
            .trx(2, "10609", "insert into tableunique values(4,11)")
            .holds(lock("S gap", "tableunique", "uq_key", 4, "10609", k20()))
            .waits(lock(
                "S rec wait",
                "tableunique",
                "PRIMARY",
                3,
                "10609",
                vec![],
            ))
            .victim(2);
        assert!(check(&View::new(&d)).is_none());
    }
}
