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

fn check(v: &View) -> Option<Finding> {
    let d = v.d;
    let u = upgrade(v)?;
    let index = u.wait.index()?;
    let writes = u.t.is("UPDATE") || u.t.is("DELETE");
    if u.shared.kind != LockKind::RecNotGap || !is_clustered(index) || !writes {
        return None;
    }
    if u.t.t.query.as_deref().is_some_and(sql::is_shared_read) {
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
        " The statement that took the S lock is not in the report; a `SELECT … FOR SHARE` by \
         primary key would leave the same lock.",
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
    Some(FK_S_LOCK_UPGRADE.finding(Confidence::Medium, summary, ev, fix))
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
            .waits(lock("X rec wait", "invoice", "PRIMARY", 3, "596", r()))
            .conflicts(lock("S rec", "invoice", "PRIMARY", 3, "595", r()))
            .conflicts(lock("S rec", "invoice", "PRIMARY", 3, "596", r()))
            .trx(
                2,
                "595",
                "UPDATE invoice SET total = total + 100 WHERE id = 2",
            )
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
