//! `unique-key-race`: plain INSERTs of a key that already exists (or is being inserted) take S
//! locks for the duplicate check, then need X: public 004, 008, 015, 020; MariaDB capture
//! `unique-key-s-lock-race`; the mechanism behind seed 000's `max(sequence) + 1` collisions.

use super::prelude::*;
use super::s_to_x_upgrade::upgrade;

declare_pattern! {
    /// ### What it looks like in the log
    /// The statements are plain `INSERT`s. An inserting transaction waits for `lock mode S`
    /// (`waiting`) on an entry of a primary or unique index, or it holds `lock mode S`
    /// (next-key, `locks rec but not gap`, or on the supremum) there and waits for
    /// `lock_mode X` or an insert intention on the same index.
    ///
    /// ### Why it deadlocks
    /// When an `INSERT` finds its key already present in a unique index — committed,
    /// delete-marked, or written by a transaction that has not committed yet — it takes an S
    /// lock on that entry before it either reports the duplicate or, if the other writer rolls
    /// back, inserts after all. S locks are compatible with each other, so several inserters of
    /// the same key all get one; then each needs an X or insert-intention lock to write, which
    /// every other S holder blocks. A DELETE or another INSERT queued for X on the same entry
    /// closes the cycle the same way.
    ///
    /// ### Fix for the write path
    /// Let one statement check and write: `INSERT IGNORE` or `INSERT … ON DUPLICATE KEY
    /// UPDATE` when a duplicate is expected. When keys are computed in the application (`max(seq)
    /// + 1`, "create if missing"), serialise their creation on the parent row with `SELECT …
    /// FOR UPDATE` first, or let the database generate them (`AUTO_INCREMENT`).
    ///
    /// ### Example
    /// ```sql
    /// -- three sessions: INSERT INTO t1 VALUES (1); the first rolls back
    /// -- the other two each hold S on the key (duplicate check) and both need X: 1213
    /// -- after: serialise on the parent, or accept the duplicate in one statement
    /// SELECT id FROM conversation WHERE id = 30 FOR UPDATE;
    /// INSERT INTO conversation_messages (conversation_id, sequence, …) VALUES (30, ?, …);
    /// ```
    ///
    /// ### Known limitations
    /// A foreign-key check also takes S locks, on the parent table; an INSERT's S lock on
    /// another table than the one it inserts into is left to `fk-s-lock-upgrade`. When a copy
    /// drops the statements, a transaction in state `inserting` that waits for an insert
    /// intention is read as an inserter, at medium confidence: an earlier `FOR SHARE` read
    /// leaves the same S lock.
    pub UNIQUE_KEY_RACE,
    id = "unique-key-race",
    summary = "inserts of the same unique key take S locks in their duplicate check, then each needs X",
    fixed = "INSERT IGNORE / ON DUPLICATE KEY UPDATE, or serialise key creation on the parent row",
}

/// Whether `lock` can be the duplicate check of `t`'s INSERT: true unless the statement's
/// literals are all known and none of them is the key of a record the lock covers.
fn locks_inserted_key(t: &Trx, lock: &Lock) -> bool {
    let Some(q) = t.t.query.as_deref() else {
        return true;
    };
    let literals = sql::literals(q);
    let whole = q.trim_end().ends_with(')') && !q.contains("...") && !q.contains('…');
    if literals.is_empty() || !whole || sql::written_table(q).is_none() {
        return true;
    }
    let keys: Vec<String> = lock
        .records
        .iter()
        .filter(|r| !r.is_supremum() && !r.is_infimum())
        .filter_map(key_literal)
        .collect();
    keys.is_empty() || keys.iter().any(|k| literals.contains(k))
}

/// Whether `t`'s duplicate-check wait `w` is answered by its blocker's own duplicate-check
/// wait on another key of the same index: each inserted the key the other now inserts, in the
/// opposite order (two batches of the same keys, fixtures/labelled c-009). Both waits are for
/// S and neither holds one, so no S-then-X race is in the log: the collision is the order.
fn opposite_order_inserts(v: &View, t: &Trx, w: &Lock) -> bool {
    let Some(o) = v.blocker_of(t.n) else {
        return false;
    };
    let Some(ow) = o.wait else { return false };
    o.plain_insert()
        && is_s(ow)
        && !is_insert_intention(ow)
        && same_index(w, ow)
        && different_records(w, ow)
        && !o
            .held_on_index(ow)
            .any(|h| is_s(h) && !is_insert_intention(h))
}

fn check(v: &View) -> Option<Finding> {
    inserts(v).or_else(|| failed_insert_then_update(v))
}

/// Hunt 022 (MySQL 5.7, "insert, catch the duplicate, then update"): the UPDATE's transaction
/// holds an S *next-key* lock on the very entry of a unique secondary index it now wants X on.
/// A shared read of one row by its unique key takes a record-only S lock; a next-key S on a
/// unique secondary entry is what an INSERT's duplicate check leaves when it finds the key
/// (or a shared range read, which the statements do not show): the INSERT failed with 1062
/// and the transaction went on to update the row.
fn failed_insert_then_update(v: &View) -> Option<Finding> {
    let u = upgrade(v)?;
    let index = u.shared.index()?;
    let q = u.t.t.query.as_deref()?;
    let on_a_row =
        first_user_record(u.shared).is_some() && !u.shared.records.iter().any(|r| r.is_supremum());
    if u.shared.kind != LockKind::NextKey
        || is_clustered(index)
        || !named_unique(index)
        || !on_a_row
        || !(u.t.is("UPDATE") || u.t.is("DELETE"))
        || sql::is_shared_read(q)
        || q.to_ascii_uppercase().contains("SELECT")
    {
        return None;
    }
    let others: Vec<String> = u.others.iter().map(|o| words::trx_stmt(o)).collect();
    let mut summary = format!(
        "{} holds {} and now wants {} on the same entry to change the row. An S next-key lock \
         on an entry of the unique index `{index}` is what a plain INSERT's duplicate-key check \
         leaves when it finds the key (a shared read of one row by its unique key takes a \
         record-only S lock): the transaction tried to INSERT this key, got the duplicate-key \
         error (1062) and went on to UPDATE the row. {} wants X on it too; S locks are \
         compatible, so each transaction that failed the same INSERT holds one, and each X \
         request waits for the other's S.",
        words::trx_stmt(u.t),
        words::lock(u.shared),
        words::kind(u.wait),
        others.join(" and "),
    );
    v.close_summary(&mut summary, Confidence::Medium);
    let table = words::bare_table(u.wait);
    let fix = format!(
        "Write the row in one statement that checks and writes the key: an upsert instead of \
         insert, catch 1062, update.\n\
         \n\
         -- before\n\
         BEGIN;\n\
         INSERT INTO {table} (<key>, …) VALUES (?, …);  -- 1062: leaves an S lock on the key\n\
         UPDATE {table} SET … WHERE <key> = ?;         -- waits for X behind the other's S\n\
         COMMIT;\n\
         \n\
         -- after\n\
         INSERT INTO {table} (<key>, …) VALUES (?, …) ON DUPLICATE KEY UPDATE …;"
    );
    let ev = vec![ev_lock(u.shared), ev_lock(u.wait)];
    let f = UNIQUE_KEY_RACE
        .finding(Confidence::Medium, summary, ev, fix)
        .or(
            "s-to-x-upgrade",
            format!(
                "if an earlier statement read a range of `{index}` FOR SHARE (or LOCK IN SHARE \
                 MODE), that read left the S next-key lock; the fix is then to read FOR UPDATE"
            ),
            vec![ev_lock(u.shared)],
        );
    Some(f)
}

/// A transaction whose statement the copy does not show (fixtures/labelled e-013: the
/// publisher kept only the lock lines) but whose state says `inserting` and which waits for an
/// insert intention: it is inserting, though whether with a plain INSERT (S locks in the
/// duplicate check) or an upsert (X locks) the report no longer tells.
fn unprinted_insert(t: &Trx) -> bool {
    t.t.query.is_none()
        && t.t.op_info.as_deref() == Some("inserting")
        && t.wait.is_some_and(is_insert_intention)
}

/// Plain INSERTs: the duplicate check's S lock held or waited for.
fn inserts(v: &View) -> Option<Finding> {
    for t in v
        .trx
        .iter()
        .filter(|t| t.plain_insert() || unprinted_insert(t))
    {
        let Some(w) = t.wait else { continue };
        let own_table = t.t.query.as_deref().and_then(sql::written_table);
        if own_table.is_some_and(|own| !own.eq_ignore_ascii_case(&w.table.table)) {
            continue;
        }
        let shared = t
            .held_on_index(w)
            .find(|h| is_s(h) && !is_insert_intention(h));
        // A duplicate-key check locks the key being inserted: an S lock on another key was
        // taken by something else (a locking read earlier in the transaction).
        if shared.is_some_and(|s| !locks_inserted_key(t, s)) {
            continue;
        }
        let waits_s = is_s(w) && !is_insert_intention(w);
        if shared.is_none() && !waits_s {
            continue;
        }
        if shared.is_none() && opposite_order_inserts(v, t, w) {
            continue;
        }
        // The other inserter waits for an X gap lock this one's earlier locking read left:
        // the check-then-insert's gap starts the cycle (`gap-then-insert`, which names this
        // reading as its alternative).
        if shared.is_none() && super::gap_then_insert::read_gap_under_insert(v, t).is_some() {
            continue;
        }
        if t.held_on_index(w).any(|h| is_x(h) && is_record_part(h)) && !waits_s {
            continue;
        }
        let blockers = v.blocking_locks(t);
        let unprinted = unprinted_insert(t);
        let confidence = if (shared.is_some() || !blockers.is_empty()) && !unprinted {
            Confidence::High
        } else {
            Confidence::Medium
        };
        let index = w.index().unwrap_or("?");
        let mut summary = String::new();
        if let Some(s) = shared {
            let others: Vec<&Trx> = v
                .trx
                .iter()
                .filter(|o| o.n != t.n && o.held_on_index(w).any(is_s))
                .collect();
            let mut ns: Vec<u32> = others.iter().map(|o| o.n).collect();
            ns.insert(0, t.n);
            ns.sort_unstable();
            summary.push_str(&format!(
                "{} holds {} — the lock a plain INSERT takes in its duplicate-key check when it \
                 finds the key already in `{index}` (committed, delete-marked, or written by a \
                 transaction that had not committed) — and now waits for {}. ",
                words::trx_stmt(t),
                words::lock(s),
                words::lock(w)
            ));
            if ns.len() > 1 {
                summary.push_str(&format!(
                    "trx {} {} hold that S lock: S locks are compatible, so every inserter of \
                     the key got one, and each one's X request waits for the other's S.",
                    words::numbers(&ns),
                    words::all(ns.len())
                ));
            } else {
                if let Some(o) = v.blocker_of(t.n) {
                    summary.push_str(&format!(
                        "{}{} — blocked by trx ({})'s S lock — and InnoDB grants requests in \
                         queue order, so trx ({})'s own request waits behind it: each waits for \
                         the other.",
                        words::trx_stmt(o),
                        o.wait
                            .map(|ow| format!(" is queued for {}", words::lock(ow)))
                            .unwrap_or_default(),
                        t.n,
                        t.n
                    ));
                }
            }
        } else {
            summary.push_str(&format!(
                "{} waits for an S lock on {}: its duplicate-key check found the key already in \
                 the unique index `{index}`, written by a transaction that has not committed, and \
                 waits for that transaction's outcome. ",
                words::trx_stmt(t),
                words::place(w)
            ));
            if let Some(o) = v.blocker_of(t.n) {
                summary.push_str(&format!(
                    "{} is that writer{}, and its own next step waits behind {}'s queued S \
                     request.",
                    words::trx_stmt(o),
                    o.wait
                        .map(|ow| format!("; it waits for {}", words::lock(ow)))
                        .unwrap_or_default(),
                    words::trx(t)
                ));
            }
        }
        v.close_summary(&mut summary, confidence);
        let table = words::bare_table(w);
        let fix = format!(
            "Let one statement check and write the key, or serialise the creation of a key on \
             its parent row; when the key is computed by the application (max + 1), let the \
             database generate it.\n\
             \n\
             -- before: concurrent plain inserts of the same key\n\
             BEGIN;\n\
             INSERT INTO {table} (…) VALUES (…);   -- duplicate check: S, then X\n\
             COMMIT;\n\
             \n\
             -- after (a): accept the duplicate in the same statement\n\
             INSERT IGNORE INTO {table} (…) VALUES (…);\n\
             -- after (b): one creator per parent at a time\n\
             BEGIN;\n\
             SELECT id FROM <parent> WHERE id = ? FOR UPDATE;\n\
             INSERT INTO {table} (…) VALUES (…);\n\
             COMMIT;"
        );
        let mut ev = vec![ev_lock(w)];
        ev.extend(shared.map(ev_lock));
        ev.extend(blockers.iter().map(|(_, l)| ev_lock(l)));
        if let Some(o) = v.blocker_of(t.n).and_then(|o| o.wait) {
            ev.push(ev_lock(o));
        }
        let f = UNIQUE_KEY_RACE.finding(confidence, summary, ev, fix);
        if unprinted {
            let held = shared.map(|s| vec![ev_lock(s)]).unwrap_or_default();
            return Some(f.or(
                "gap-then-insert",
                format!(
                    "{}'s statement is not printed: if an earlier locking read FOR SHARE took \
                     the S lock, rather than the INSERT's duplicate check, the inserts collide \
                     in a gap each had locked",
                    words::trx(t)
                ),
                held,
            ));
        }
        return Some(f);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec, supremum};

    // See: fixtures/labelled/a-035 (a locking read of c = 10 earlier, then an insert of 8):
    // the S lock is not the insert's duplicate check, so this is no unique-key race.
    #[test]
    fn an_s_lock_on_another_key_is_not_a_duplicate_check() {
        let c10 = || vec![rec(4, 0, &["8000000a", "8000000a"])];
        let d = deadlock(crate::model::Flavour::Mysql57)
            .trx(1, "744", "update t set d=d+1 where c=10")
            .waits(lock("X wait", "t", "c", 4, "744", c10()))
            .trx(2, "743", "insert into t values(8,8,8)")
            .holds(lock("S", "t", "c", 4, "743", c10()))
            .waits(lock("X gap ii wait", "t", "c", 4, "743", c10()))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }

    // See: public 004 (Percona 5.5, no record dumps).
    #[test]
    fn one_inserter_holding_s_and_another_queued_for_x() {
        let d = deadlock(Flavour::Mysql55)
            .trx(
                1,
                "55984EF58",
                "INSERT INTO semaphore (name) VALUES ('variable_init')",
            )
            .waits(lock(
                "X rec wait",
                "semaphore",
                "PRIMARY",
                3,
                "55984EF58",
                vec![],
            ))
            .trx(
                2,
                "55984EF59",
                "INSERT INTO semaphore (name) VALUES ('variable_init')",
            )
            .holds(lock(
                "S rec",
                "semaphore",
                "PRIMARY",
                3,
                "55984EF59",
                vec![],
            ))
            .waits(lock(
                "X rec wait",
                "semaphore",
                "PRIMARY",
                3,
                "55984EF59",
                vec![],
            ))
            .victim(2);
        let f = check(&View::new(&d)).expect("unique-key-race");
        assert_eq!(f.confidence, Confidence::High);
        assert!(f.summary.contains("queue order"), "{}", f.summary);
    }
    use crate::model::Flavour;

    // See: fixtures/mariadb/unique-key-s-lock-race.status.txt
    #[test]
    fn two_inserters_holding_s_on_the_supremum() {
        let sup = || vec![supremum()];
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "577", "INSERT INTO t1 VALUES (1)")
            .waits(lock("X ii wait", "t1", "PRIMARY", 3, "577", sup()))
            .conflicts(lock("S", "t1", "PRIMARY", 3, "577", sup()))
            .conflicts(lock("S", "t1", "PRIMARY", 3, "578", sup()))
            .trx(2, "578", "INSERT INTO t1 VALUES (1)")
            .waits(lock("X ii wait", "t1", "PRIMARY", 3, "578", sup()))
            .conflicts(lock("S", "t1", "PRIMARY", 3, "577", sup()))
            .conflicts(lock("S", "t1", "PRIMARY", 3, "578", sup()))
            .victim(1);
        let f = check(&View::new(&d)).expect("unique-key-race");
        assert_eq!(f.confidence, Confidence::High);
        assert!(
            f.summary.contains("trx (1) and (2) both hold that S lock"),
            "{}",
            f.summary
        );
    }

    // See: fixtures/labelled e-013 (statements and field dumps trimmed by the publisher).
    #[test]
    fn inserting_without_a_printed_statement_is_medium_with_an_alternative() {
        let s_locks = || vec![supremum(), rec(2, 32, &["01", "02"])];
        let mut d = deadlock(Flavour::Mysql8018)
            .trx(1, "124053", "")
            .holds(lock(
                "S",
                "quiz_bookmark",
                "uk_quiz_user",
                5,
                "124053",
                s_locks(),
            ))
            .waits(lock(
                "X ii wait",
                "quiz_bookmark",
                "uk_quiz_user",
                5,
                "124053",
                vec![supremum()],
            ))
            .trx(2, "124054", "")
            .holds(lock(
                "S",
                "quiz_bookmark",
                "uk_quiz_user",
                5,
                "124054",
                s_locks(),
            ))
            .waits(lock(
                "X ii wait",
                "quiz_bookmark",
                "uk_quiz_user",
                5,
                "124054",
                vec![supremum()],
            ))
            .victim(2);
        assert!(
            check(&View::new(&d)).is_none(),
            "no statement, no state: not an insert"
        );
        for t in &mut d.transactions {
            t.op_info = Some("inserting".into());
        }
        let f = check(&View::new(&d)).expect("unique-key-race");
        assert_eq!(f.confidence, Confidence::Medium);
        assert_eq!(f.alternatives[0].pattern, "gap-then-insert");
    }

    #[test]
    fn an_s_lock_on_another_table_is_not_a_duplicate_check() {
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "1", "INSERT INTO line_item VALUES (2)")
            .waits(lock("X rec wait", "invoice", "PRIMARY", 3, "1", vec![]))
            .trx(2, "2", "INSERT INTO line_item VALUES (2)")
            .holds(lock("S rec", "invoice", "PRIMARY", 3, "2", vec![]))
            .waits(lock("X rec wait", "invoice", "PRIMARY", 3, "2", vec![]))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }
}
