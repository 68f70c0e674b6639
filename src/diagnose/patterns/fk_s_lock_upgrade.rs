//! `fk-s-lock-upgrade`: child-row inserts take S locks on the parent row (foreign-key check),
//! then the same transactions update the parent (MariaDB capture `fk-s-lock-upgrade`).

use super::prelude::*;
use super::s_to_x_upgrade::upgrade;

declare_pattern! {
    /// ### What it looks like in the log
    /// Transactions whose current statement is an `UPDATE` (or `DELETE`) of a parent row hold
    /// `lock mode S locks rec but not gap` on that row's `PRIMARY` entry and wait for
    /// `lock_mode X locks rec but not gap` on the same record. The statement that took the S
    /// lock is not shown: it was an earlier `INSERT`/`UPDATE` of a child row referencing it.
    ///
    /// ### Why it deadlocks
    /// Inserting or updating a child row checks its foreign key by locking the referenced
    /// parent row with a shared record lock, held until commit so the parent cannot vanish.
    /// Two transactions adding children to the same parent both get that S lock. When each
    /// then updates the parent (a counter, a total, a `last_modified`), it needs X on the row,
    /// which the other's S lock blocks: each waits for the other.
    ///
    /// ### Fix for the write path
    /// Lock the parent row first, exclusively: `SELECT … FROM parent WHERE id = ? FOR UPDATE`
    /// (or do the parent `UPDATE`) before inserting the children. The second transaction then
    /// waits at the start instead of deadlocking at the end. Alternatively move the parent
    /// update out (compute the counter on read, or update it in a separate short transaction).
    ///
    /// ### Example
    /// ```sql
    /// -- before, in two sessions
    /// BEGIN; INSERT INTO line_item (invoice_id, amount) VALUES (2, 100);  -- S on invoice 2
    /// UPDATE invoice SET total = total + 100 WHERE id = 2;                 -- X: waits, 1213
    /// -- after
    /// BEGIN; SELECT id FROM invoice WHERE id = 2 FOR UPDATE;               -- X first
    /// INSERT INTO line_item (invoice_id, amount) VALUES (2, 100);
    /// UPDATE invoice SET total = total + 100 WHERE id = 2;
    /// ```
    ///
    /// ### Known limitations
    /// A `SELECT … FOR SHARE` by primary key leaves the same S record lock, and the report does
    /// not show which statement took it, so the finding is at most medium confidence; if the
    /// transaction ran such a read, read it as `s-to-x-upgrade` (same fix).
    pub FK_S_LOCK_UPGRADE,
    id = "fk-s-lock-upgrade",
    summary = "child inserts take S locks on the parent row (foreign-key check), then both update the parent",
    fixed = "lock the parent row FOR UPDATE before writing its children",
    subsumes = ["s-to-x-upgrade"],
}

/// The matcher, for the other patterns' tests.
#[cfg(test)]
pub(crate) fn matches(v: &View) -> Option<Finding> {
    check(v)
}

fn check(v: &View) -> Option<Finding> {
    let Some(u) = upgrade(v) else {
        return across_tables(v);
    };
    let d = v.d;
    let index = u.wait.index()?;
    let writes = u.t.is("UPDATE") || u.t.is("DELETE");
    if u.shared.kind != LockKind::RecNotGap || !is_clustered(index) || !writes {
        return None;
    }
    if v.trx
        .iter()
        .any(|t| t.t.query.as_deref().is_some_and(sql::is_shared_read))
    {
        return None;
    }
    // A foreign-key check runs inside a child write that went through: the holders of the S
    // lock have written before (undo log entries). A holder whose counters show no write took
    // its S lock some other way (a shared read, a failed insert's duplicate check).
    let holders_wrote = std::iter::once(u.t)
        .chain(u.others.iter().copied())
        .filter(|o| o.held.iter().any(|h| is_s(h) && same_index(h, u.wait)))
        .all(|o| o.counters_shown() && o.t.undo_entries.unwrap_or(0) > 0);
    if !holders_wrote {
        return None;
    }
    let parent = &u.wait.table;
    let holders: Vec<u32> = std::iter::once(u.t)
        .chain(u.others.iter().copied())
        .filter(|o| {
            o.held
                .iter()
                .any(|h| is_s(h) && h.kind == LockKind::RecNotGap && same_index(h, u.wait))
        })
        .map(|o| o.n)
        .collect();
    let key = first_user_record(u.wait).map(|r| words::named_key(r, Some(index)));
    let row = key.map_or_else(
        || format!("a row of {parent}"),
        |k| format!("{parent} row {k}"),
    );
    let others: Vec<String> = u.others.iter().map(|o| words::trx_stmt(o)).collect();
    let mut summary = format!(
        "trx {} {} an S record-only lock on {row} (PRIMARY) — the lock a foreign-key check \
         takes on the parent row when a child row referencing it is inserted or updated — and \
         {} now wants X on that row to update it: {} and {}. Each X request waits for the \
         other transaction's S lock.",
        words::numbers(&holders),
        if holders.len() == 1 { "holds" } else { "hold" },
        if holders.len() > 1 {
            "each"
        } else {
            "the transaction"
        },
        words::trx_stmt(u.t),
        others.join(" and "),
    );
    summary.push_str(&words::victim(d));
    summary.push_str(
        " The statement that took the S lock is not in the report; the counters show that both \
         transactions wrote before (undo log entries), as a child insert does.",
    );
    let p = words::bare_table(u.wait);
    let fix = format!(
        "Lock the parent row exclusively before writing its children, so concurrent writers of \
         the same parent queue at the start.\n\
         \n\
         -- before\n\
         BEGIN;\n\
         INSERT INTO <child> (<{p}_id>, …) VALUES (?, …);   -- FK check: S on {p}\n\
         UPDATE {p} SET … WHERE id = ?;                      -- X: waits for the other's S\n\
         COMMIT;\n\
         \n\
         -- after\n\
         BEGIN;\n\
         SELECT id FROM {p} WHERE id = ? FOR UPDATE;        -- X on the parent first\n\
         INSERT INTO <child> (<{p}_id>, …) VALUES (?, …);\n\
         UPDATE {p} SET … WHERE id = ?;\n\
         COMMIT;"
    );
    let mut ev = vec![ev_lock(u.shared), ev_lock(u.wait)];
    ev.extend(u.wait.records.first().map(ev_record));
    for o in &u.others {
        ev.extend(o.wait.map(ev_lock));
        ev.extend(
            o.held
                .iter()
                .filter(|h| is_s(h) && same_index(h, u.wait))
                .map(|h| ev_lock(h)),
        );
    }
    let shared = vec![ev_lock(u.shared)];
    Some(
        FK_S_LOCK_UPGRADE
            .finding(Confidence::Medium, summary, ev, fix)
            .or(
                "s-to-x-upgrade",
                "if the S lock came from a shared read of the row (FOR SHARE, LOCK IN SHARE \
                 MODE) after an unrelated write, not from a child insert's foreign-key check; \
                 the fix is then to read the row FOR UPDATE",
                shared,
            ),
    )
}

/// The parent update waits for an S lock on the parent row held by a transaction whose own
/// wait is on another table (its child): the S lock came from that child write's foreign-key
/// check, and the child row is what the parent updater holds. One parent, one child, locked in
/// opposite orders through the foreign key.
fn across_tables(v: &View) -> Option<Finding> {
    let (updater, w) = v.waiters().find(|(t, w)| {
        t.is("UPDATE")
            && is_x(w)
            && w.kind == LockKind::RecNotGap
            && w.index().is_some_and(|i| i == "PRIMARY")
    })?;
    let (holder, shared) = v
        .blocking_locks(updater)
        .into_iter()
        .find(|(_, h)| is_s(h) && h.kind == LockKind::RecNotGap)?;
    let child_wait = holder.wait.filter(|hw| hw.table != w.table)?;
    let wrote = !holder.counters_shown() || holder.t.undo_entries.unwrap_or(0) > 0;
    if !wrote
        || v.trx
            .iter()
            .any(|t| t.t.query.as_deref().is_some_and(sql::is_shared_read))
    {
        return None;
    }
    let parent = &w.table;
    let child = &child_wait.table;
    let mut summary = format!(
        "{} holds {} — the lock a foreign-key check takes on the parent row when a child row \
         of {child} referencing it is written — and now waits for {} on {child}. {} wants X on \
         that parent row of {parent} to update it, and holds the {child} row trx ({}) waits for. \
         The parent and the child are locked in opposite orders: one transaction went child \
         (and through its foreign key, parent) first, the other parent-update after its own \
         child write.",
        words::trx_stmt(holder),
        words::lock(shared),
        words::lock(child_wait),
        words::trx_stmt(updater),
        holder.n,
    );
    summary.push_str(&words::victim(v.d));
    let p = words::bare_table(w);
    let c = words::bare_table(child_wait);
    let fix = format!(
        "Lock the parent row FOR UPDATE before writing its children, in every path that writes \
         both, so writers of one parent queue at the start.\n\
         \n\
         -- before: a child write (FK check: S on {p}), then the parent update\n\
         BEGIN;\n\
         INSERT INTO {c} (<{p}_id>, …) VALUES (?, …);\n\
         UPDATE {p} SET … WHERE id = ?;\n\
         COMMIT;\n\
         \n\
         -- after\n\
         BEGIN;\n\
         SELECT id FROM {p} WHERE id = ? FOR UPDATE;\n\
         INSERT INTO {c} (<{p}_id>, …) VALUES (?, …);\n\
         UPDATE {p} SET … WHERE id = ?;\n\
         COMMIT;"
    );
    let ev = vec![ev_lock(shared), ev_lock(child_wait), ev_lock(w)];
    Some(
        FK_S_LOCK_UPGRADE
            .finding(Confidence::Medium, summary, ev, fix)
            .or(
                "inconsistent-order",
                format!(
                    "if the S lock on {parent} came from a shared read rather than a foreign-key \
                     check: then it is two rows ({parent} and {child}) locked in opposite orders"
                ),
                vec![ev_lock(shared)],
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    // See: fixtures/mariadb/fk-s-lock-upgrade.status.txt
    #[test]
    fn two_child_writers_update_the_parent() {
        let r = || vec![rec(3, 0, &["80000002", "00000000024f", "a3000001cf011c"])];
        let d = deadlock(Flavour::Mariadb106)
            .trx(
                1,
                "596",
                "UPDATE invoice SET total = total + 250 WHERE id = 2",
            )
            .counts(2, 1)
            .waits(lock("X rec wait", "invoice", "PRIMARY", 3, "596", r()))
            .conflicts(lock("S rec", "invoice", "PRIMARY", 3, "595", r()))
            .conflicts(lock("S rec", "invoice", "PRIMARY", 3, "596", r()))
            .trx(
                2,
                "595",
                "UPDATE invoice SET total = total + 100 WHERE id = 2",
            )
            .counts(2, 1)
            .waits(lock("X rec wait", "invoice", "PRIMARY", 3, "595", r()))
            .conflicts(lock("S rec", "invoice", "PRIMARY", 3, "595", r()))
            .conflicts(lock("S rec", "invoice", "PRIMARY", 3, "596", r()))
            .victim(1);
        let f = check(&View::new(&d)).expect("fk-s-lock-upgrade");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(
            f.summary.contains("`test`.`invoice` row 2"),
            "{}",
            f.summary
        );
        assert!(f.summary.contains("trx (1) and (2) hold"), "{}", f.summary);
    }

    #[test]
    fn a_next_key_share_lock_is_a_plain_upgrade() {
        let r = || vec![rec(3, 0, &["80000002", "00000000024f", "a3000001cf011c"])];
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "1", "UPDATE t SET a = 1 WHERE id = 2")
            .waits(lock("X rec wait", "t", "PRIMARY", 3, "1", r()))
            .trx(2, "2", "UPDATE t SET a = 2 WHERE a > 0")
            .holds(lock("S", "t", "PRIMARY", 3, "2", r()))
            .waits(lock("X wait", "t", "PRIMARY", 3, "2", r()))
            .victim(2);
        assert!(check(&View::new(&d)).is_none());
    }
}
