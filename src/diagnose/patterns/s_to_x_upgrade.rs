//! `s-to-x-upgrade`: transactions that read a row with a shared lock and then want to write it
//! (public 003, 024). Shares its lock-shape test with `fk-s-lock-upgrade`.

use super::prelude::*;

declare_pattern! {
    /// ### What it looks like in the log
    /// A transaction holds `lock mode S` on a record (next-key, or `locks rec but not gap`)
    /// and waits for `lock_mode X` on that same record (same page, same heap no); the other
    /// transaction waits for X on that record too, or holds S on it as well.
    ///
    /// ### Why it deadlocks
    /// S locks are compatible, so two readers (`SELECT … FOR SHARE` / `LOCK IN SHARE MODE`, the
    /// read part of `INSERT … SELECT`, `DELETE … WHERE id IN (SELECT …)`, a subquery on the same
    /// table) both get one. To write the row, each needs X, which conflicts with the other's S.
    /// InnoDB cannot upgrade a lock in place: the X request queues behind the other's S (and
    /// behind any X request already queued), and each waits for the other.
    ///
    /// ### Fix for the write path
    /// Take the X lock from the start: read the rows you are going to change with `SELECT …
    /// FOR UPDATE` (not `FOR SHARE`), or write by primary key without a shared read first. For
    /// `DELETE … WHERE id IN (SELECT … FROM the same table)`, select the ids first (a plain
    /// read), then delete by those ids in primary-key order.
    ///
    /// ### Example
    /// ```sql
    /// -- before, in two sessions
    /// BEGIN; SELECT * FROM account WHERE id = 9 FOR SHARE;   -- S, granted to both
    /// UPDATE account SET balance = balance - 1 WHERE id = 9; -- X waits for the other's S: 1213
    /// -- after
    /// BEGIN; SELECT * FROM account WHERE id = 9 FOR UPDATE;  -- X at once; the second session waits
    /// UPDATE account SET balance = balance - 1 WHERE id = 9;
    /// ```
    pub S_TO_X_UPGRADE,
    id = "s-to-x-upgrade",
    summary = "a transaction holds S on a row (shared read) and then needs X on the same row, as does the other",
    fixed = "take X from the start: SELECT … FOR UPDATE instead of FOR SHARE",
}

/// A transaction that holds S on the record it now wants X on, and the other transactions
/// that want the same record.
pub(super) struct Upgrade<'v, 'a> {
    pub t: &'v Trx<'a>,
    pub shared: &'a Lock,
    pub wait: &'a Lock,
    /// Other transactions that also wait for, or also hold S on, the record.
    pub others: Vec<&'v Trx<'a>>,
}

pub(super) fn upgrade<'v, 'a>(v: &'v View<'a>) -> Option<Upgrade<'v, 'a>> {
    v.trx.iter().find_map(|t| {
        let w = t.wait?;
        if !is_x(w) || !is_record_part(w) || t.plain_insert() {
            return None;
        }
        let shared = t
            .held
            .iter()
            .copied()
            .find(|h| is_s(h) && is_record_part(h) && overlap(h, w) != Some(false))?;
        let others: Vec<&Trx> = v
            .trx
            .iter()
            .filter(|o| o.n != t.n)
            .filter(|o| {
                o.wait.is_some_and(|ow| {
                    is_x(ow) && !is_insert_intention(ow) && overlap(ow, w) != Some(false)
                }) || o
                    .held
                    .iter()
                    .any(|h| is_s(h) && overlap(h, w) == Some(true))
            })
            .collect();
        (!others.is_empty()).then_some(Upgrade {
            t,
            shared,
            wait: w,
            others,
        })
    })
}

fn check(v: &View) -> Option<Finding> {
    let d = v.d;
    let u = upgrade(v)?;
    let both_shared: Vec<u32> = std::iter::once(u.t)
        .chain(u.others.iter().copied())
        .filter(|o| {
            o.held
                .iter()
                .any(|h| is_s(h) && overlap(h, u.wait) != Some(false))
        })
        .map(|o| o.n)
        .collect();
    let known_record = !u.wait.records.is_empty();
    // The mechanism is proven by the locks; where the S lock came from is not, unless a
    // statement of the report shows the shared read.
    let read_shown = v.trx.iter().any(|t| {
        t.t.query
            .as_deref()
            .is_some_and(|q| sql::is_shared_read(q) || reads_own_table(q))
    });
    let confidence = if known_record {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let target = words::place(u.wait);
    let mut summary = format!(
        "{} holds {} — a shared lock, left by a shared read of the rows (FOR SHARE, a \
         subquery on the table, the read part of INSERT … SELECT) — and now wants {} on the \
         same record to change it. ",
        words::trx_stmt(u.t),
        words::lock(u.shared),
        words::kind(u.wait),
    );
    if u.t.t.query.as_deref().is_some_and(|q| {
        let up = q.to_ascii_uppercase();
        up.matches("SELECT").count() > 0 && (up.starts_with("DELETE") || up.starts_with("UPDATE"))
    }) {
        summary.push_str(
            "Its statement reads the same table in a subquery, and that read took the S lock. ",
        );
    }
    let others: Vec<String> = u.others.iter().map(|o| words::trx_stmt(o)).collect();
    summary.push_str(&format!(
        "{} wants X on {target} too{}; InnoDB cannot upgrade S to X in place, so each X \
         request waits for the other side's lock on the row.",
        others.join(" and "),
        if both_shared.len() > 1 {
            format!(
                ", and trx {} all hold S on it",
                words::numbers(&both_shared)
            )
        } else {
            String::new()
        }
    ));
    summary.push_str(&words::victim(d));
    if !known_record {
        summary.push_str(
            " The report prints no record dumps, so the shared record is inferred from the page.",
        );
    }
    let table = words::bare_table(u.wait);
    let fix = format!(
        "Lock the row exclusively from the start, so the second transaction waits before it \
         reads instead of deadlocking after.\n\
         \n\
         -- before\n\
         BEGIN;\n\
         SELECT … FROM {table} WHERE <key> = ? FOR SHARE;     -- or a subquery on {table}\n\
         UPDATE {table} SET … WHERE <key> = ?;\n\
         COMMIT;\n\
         \n\
         -- after\n\
         BEGIN;\n\
         SELECT … FROM {table} WHERE <key> = ? FOR UPDATE;\n\
         UPDATE {table} SET … WHERE <key> = ?;\n\
         COMMIT;"
    );
    let mut ev = vec![ev_lock(u.shared), ev_lock(u.wait)];
    ev.extend(u.wait.records.first().map(ev_record));
    ev.extend(u.others.iter().filter_map(|o| o.wait).map(ev_lock));
    let mut f = S_TO_X_UPGRADE.finding(confidence, summary, ev, fix);
    if !read_shown {
        // Other origins of the same S lock, where the report cannot rule them out: then the
        // upgrade is proven, its cause is not.
        f = alternatives(&u, f);
        if !f.alternatives.is_empty() {
            f = f.capped(Confidence::Medium);
        }
    }
    Some(f)
}

/// `DELETE … WHERE id IN (SELECT … FROM <the same table>)`: the subquery's read takes S.
fn reads_own_table(q: &str) -> bool {
    let up = q.to_ascii_uppercase();
    up.contains("SELECT") && (up.starts_with("DELETE") || up.starts_with("UPDATE"))
}

/// The other statements that leave the same S lock, when no statement shows a shared read.
fn alternatives(u: &Upgrade, f: Finding) -> Finding {
    let index = u.shared.index().unwrap_or("");
    // A hidden row id (GEN_CLUST_INDEX) is never a key an INSERT collides on, nor one a
    // foreign key references.
    let unique = index == "PRIMARY" || named_unique(index);
    let ev = || vec![ev_lock(u.shared)];
    let mut f = f;
    if unique {
        f = f.or(
            "unique-key-race",
            format!(
                "if each transaction first tried to INSERT this key and caught the duplicate-key \
                 error (insert, then update on 1062), that failed insert's duplicate check left \
                 the S lock on `{index}`; the fix is then an upsert (INSERT … ON DUPLICATE KEY \
                 UPDATE)"
            ),
            ev(),
        );
    }
    let counters_hidden = std::iter::once(u.t)
        .chain(u.others.iter().copied())
        .any(|t| !t.counters_shown());
    let updates_parent =
        u.t.is("UPDATE") && index == "PRIMARY" && u.shared.kind == LockKind::RecNotGap;
    if updates_parent && counters_hidden {
        f = f.or(
            "fk-s-lock-upgrade",
            "if each transaction inserted or updated a child row referencing this row first, the \
             foreign-key check took the S lock on this parent row; the fix is then to lock the \
             parent FOR UPDATE before writing the children",
            ev(),
        );
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    // See: public 024.
    #[test]
    fn subquery_read_then_delete() {
        let r = || {
            rec(
                3,
                0,
                &["0000000000000009", "0000000063de", "340000021c1184"],
            )
        };
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "25567", "UPDATE order_pay_status SET curr_status = 4 WHERE id = 9")
            .waits(lock("X rec wait", "order_pay_status", "PRIMARY", 3, "25567", vec![r()]))
            .trx(2, "25569", "DELETE from order_pay_status where id in (select b.id from (select id from order_pay_status) b)")
            .holds(lock("S", "order_pay_status", "PRIMARY", 3, "25569", vec![r()]))
            .waits(lock("X wait", "order_pay_status", "PRIMARY", 3, "25569", vec![r()]))
            .victim(2);
        let f = check(&View::new(&d)).expect("s-to-x-upgrade");
        assert_eq!(f.confidence, Confidence::High);
        assert!(f.summary.contains("subquery"), "{}", f.summary);
    }

    // See: fixtures/labelled/a-001 (insert, then update on 1062): the upgrade is proven, not
    // where the S lock came from.
    #[test]
    fn no_shared_read_in_sight_names_the_other_origins() {
        let r = || vec![rec(2, 0, &["74657374", "000000003070", "a1000001260110"])];
        let d = deadlock(Flavour::Mysql57)
            .trx(
                1,
                "12399",
                "UPDATE track_lock SET status=1 WHERE (id = 'test')",
            )
            .counts(2, 0)
            .waits(lock("X rec wait", "track_lock", "PRIMARY", 3, "12399", r()))
            .trx(
                2,
                "12400",
                "UPDATE track_lock SET status=1 WHERE (id = 'test')",
            )
            .counts(2, 0)
            .holds(lock("S rec", "track_lock", "PRIMARY", 3, "12400", r()))
            .waits(lock("X rec wait", "track_lock", "PRIMARY", 3, "12400", r()))
            .victim(2);
        let f = check(&View::new(&d)).expect("s-to-x-upgrade");
        assert_eq!(f.confidence, Confidence::Medium);
        let alts: Vec<&str> = f.alternatives.iter().map(|a| a.pattern).collect();
        assert_eq!(alts, ["unique-key-race"], "no write before: no FK check");
        assert!(crate::diagnose::patterns::fk_s_lock_upgrade_matches(&View::new(&d)).is_none());
    }

    #[test]
    fn inserts_are_duplicate_checks_not_upgrades() {
        let d = deadlock(Flavour::Mysql55)
            .trx(1, "A", "INSERT INTO semaphore (name) VALUES ('v')")
            .waits(lock("X rec wait", "semaphore", "PRIMARY", 3, "A", vec![]))
            .trx(2, "B", "INSERT INTO semaphore (name) VALUES ('v')")
            .holds(lock("S rec", "semaphore", "PRIMARY", 3, "B", vec![]))
            .waits(lock("X rec wait", "semaphore", "PRIMARY", 3, "B", vec![]))
            .victim(2);
        assert!(check(&View::new(&d)).is_none());
    }
}
