//! `odku-supremum`: concurrent `INSERT … ON DUPLICATE KEY UPDATE` statements that each lock the
//! gap at the end of an index page and then need to insert into it (seed 004; MySQL bug 98324).

use super::prelude::*;

declare_pattern! {
    /// ### What it looks like in the log
    /// Two or more transactions, each running `INSERT … ON DUPLICATE KEY UPDATE` on the same
    /// table. A transaction holds `lock_mode X` on `heap no 1` (`asc supremum;;`, the supremum
    /// pseudo-record: the open gap after the last key of the page) and every transaction waits
    /// for `lock_mode X insert intention waiting` on that same supremum.
    ///
    /// ### Why it deadlocks
    /// Before it inserts, an upsert checks each new key for a duplicate and, on MySQL 5.7.26
    /// and later, locks the place where the key would go with an X next-key lock, so that no
    /// other transaction can insert a conflicting key before it decides between INSERT and
    /// UPDATE (made stricter then to keep replication consistent; bug 98324 reports the extra
    /// deadlocks). MariaDB 10.11 takes no such lock for an upsert of new keys alone
    /// (`lockscope lab locks` shows only the table's IX): there the lock comes from a locking
    /// read of the missing keys before the upsert (`SELECT … FOR UPDATE`), which takes X on
    /// the supremum just the same. When the new keys sort after every existing key, as
    /// with ascending ids or appended rows, that place is the supremum of the last page, and the
    /// lock is a gap lock on "everything after the last key". Gap locks do not conflict with
    /// each other, so every concurrent upsert gets one. Then each needs an insert-intention lock
    /// in that gap to insert its row, and an insert intention must wait for every gap lock
    /// another transaction holds there: each waits for the other. The keys need not overlap.
    ///
    /// ### Fix for the write path
    /// Do not run upserts that append to the same index range at the same time. Give each
    /// key range one writer: serialise the writers on a parent row (`SELECT … FOR UPDATE` on
    /// the owning row first), or queue the batches and apply them from one worker, or collect
    /// the rows and write them in one transaction. Inserting new rows with a plain `INSERT`
    /// in key order and updating existing ones separately also narrows the window. Keep
    /// retrying on error 1213 as a safety net.
    ///
    /// ### Example
    /// ```sql
    /// -- two workers at the same moment, each with its own new keys
    /// BEGIN; INSERT INTO item (id, lang, value) VALUES (901, 'my', '') ON DUPLICATE KEY UPDATE value = VALUES(value);
    /// BEGIN; INSERT INTO item (id, lang, value) VALUES (902, 'ar', '') ON DUPLICATE KEY UPDATE value = VALUES(value);
    /// -- both hold X on the supremum of PRIMARY, both wait for an insert intention there: 1213
    /// ```
    ///
    /// ### Known limitations
    /// A locking read of missing keys (`SELECT … FOR UPDATE`) before the upsert leaves the
    /// same supremum lock; the report cannot tell which statement took it, and the fix is the
    /// same.
    pub ODKU_SUPREMUM,
    id = "odku-supremum",
    summary = "concurrent INSERT … ON DUPLICATE KEY UPDATE lock the end-of-page gap (supremum), then each waits to insert into it",
    fixed = "one writer (or one transaction) per key range; or plain INSERT in key order plus UPDATE",
    subsumes = ["gap-then-insert", "unique-key-race", "inconsistent-order"],
}

fn check(v: &View) -> Option<Finding> {
    let waiters: Vec<(&Trx, &Lock)> = v
        .waiters()
        .filter(|(_, w)| is_insert_intention(w))
        .collect();
    let &(_, first) = waiters.first()?;
    if waiters.len() < 2 || !waiters.iter().all(|(_, w)| same_index(w, first)) {
        return None;
    }
    let printed: Vec<&Trx> = v.trx.iter().filter(|t| t.t.query.is_some()).collect();
    if printed.is_empty() || !printed.iter().all(|t| t.odku) {
        return None;
    }
    let on_supremum = waiters.iter().all(|(_, w)| w.only_supremum());
    let gap_holds: Vec<(&Trx, &Lock)> = v
        .trx
        .iter()
        .flat_map(|t| t.held_on_index(first).map(move |h| (t, h)))
        .filter(|(_, h)| is_x(h) && !is_insert_intention(h) && h.kind != LockKind::RecNotGap)
        .filter(|(_, h)| {
            !on_supremum || h.records.is_empty() || h.records.iter().any(|r| r.is_supremum())
        })
        .collect();
    let confidence = match (on_supremum, gap_holds.is_empty()) {
        (true, false) => Confidence::High,
        (true, true) | (false, false) => Confidence::Medium,
        (false, true) => Confidence::Low,
    };
    let table = &first.table;
    let index = first.index().unwrap_or("?");
    let waiting_ns: Vec<u32> = waiters.iter().map(|(t, _)| t.n).collect();
    let mut holder_ns: Vec<u32> = gap_holds.iter().map(|(t, _)| t.n).collect();
    holder_ns.dedup();
    let rows: Vec<String> = waiters
        .iter()
        .filter_map(|(t, _)| {
            t.t.query
                .as_deref()
                .and_then(sql::values_rows)
                .map(|n| format!("{n}"))
        })
        .collect();
    let rows_note = match rows.as_slice() {
        [] => String::new(),
        [one] => format!(" ({one} rows)"),
        many if many.iter().all(|r| r == &many[0]) => format!(" ({} rows each)", many[0]),
        many => format!(" ({} rows)", many.join(", ")),
    };
    let mut summary = format!(
        "trx {} {} run `INSERT … ON DUPLICATE KEY UPDATE` on {table}{rows_note}, e.g. {}. ",
        words::numbers(&waiting_ns),
        words::all(waiting_ns.len()),
        words::stmt(waiters[0].0),
    );
    if holder_ns.is_empty() {
        summary.push_str(&format!(
            "Each waits for an insert-intention lock in {}; the gap locks they wait for are not \
             printed. ",
            words::gap(first)
        ));
    } else {
        summary.push_str(&format!(
            "trx {} {} an X gap lock on {} — the lock an upsert's duplicate check takes when its \
             new keys sort after every existing key — and {} now wait for an insert-intention \
             lock in that same gap. ",
            words::numbers(&holder_ns),
            if holder_ns.len() == 1 {
                "holds"
            } else {
                "hold"
            },
            if on_supremum {
                format!("the supremum of {index} (the gap after the last key of the page)")
            } else {
                words::gap(first)
            },
            if waiting_ns.len() == 2 {
                "both"
            } else {
                "all of them"
            }
        ));
    }
    summary.push_str(
        "Gap locks never conflict with each other, so every upsert got one; an insert intention \
         waits for every gap lock another transaction holds on its gap, so none can insert. The \
         keys need not overlap. (A `SELECT … FOR UPDATE` of missing keys earlier in the \
         transaction leaves the same supremum lock; the fix is the same.)",
    );
    v.close_summary(&mut summary, confidence);
    let t = words::bare_table(first);
    let fix = format!(
        "Serialise the upserts that append to `{t}`: one writer per key range (lock the owning \
         parent row first, or queue the batches to one worker), or write all rows in one \
         transaction. Keep a retry on 1213.\n\
         \n\
         -- before: concurrent workers, each upserting its own new keys\n\
         BEGIN;\n\
         INSERT INTO {t} (…) VALUES (…), (…) ON DUPLICATE KEY UPDATE …;\n\
         COMMIT;\n\
         \n\
         -- after: one writer at a time for the same parent\n\
         BEGIN;\n\
         SELECT id FROM <parent> WHERE id = ? FOR UPDATE;  -- serialises the writers\n\
         INSERT INTO {t} (…) VALUES (…), (…) ON DUPLICATE KEY UPDATE …;\n\
         COMMIT;"
    );
    let mut ev: Vec<Evidence> = Vec::new();
    for (_, w) in &waiters {
        ev.push(ev_lock(w));
    }
    for (_, h) in &gap_holds {
        ev.push(ev_lock(h));
        ev.extend(h.records.iter().filter(|r| r.is_supremum()).map(ev_record));
    }
    Some(ODKU_SUPREMUM.finding(confidence, summary, ev, fix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec, supremum};
    use crate::model::Flavour;

    const ODKU: &str = "INSERT INTO counters (name, hits) VALUES ('k1', 1), ('k2', 1) ON DUPLICATE KEY UPDATE hits = hits + 1";

    // See: seed 004 (MySQL 5.7 layout: only trx (2) prints its supremum lock).
    #[test]
    fn seed_004_shape_is_high() {
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "11", ODKU)
            .waits(lock(
                "X ii wait",
                "counters",
                "PRIMARY",
                4,
                "11",
                vec![supremum()],
            ))
            .trx(2, "12", ODKU)
            .holds(lock("X", "counters", "PRIMARY", 4, "12", vec![supremum()]))
            .waits(lock(
                "X ii wait",
                "counters",
                "PRIMARY",
                4,
                "12",
                vec![supremum()],
            ))
            .victim(1);
        let f = check(&View::new(&d)).expect("odku-supremum");
        assert_eq!(f.confidence, Confidence::High);
        assert!(f.summary.contains("supremum of PRIMARY"), "{}", f.summary);
        assert!(f.summary.contains("(2 rows each)"), "{}", f.summary);
        assert_eq!(f.evidence.len(), 4);
    }

    #[test]
    fn plain_inserts_are_not_upserts() {
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "11", "INSERT INTO orders VALUES (15)")
            .waits(lock(
                "X ii wait",
                "orders",
                "PRIMARY",
                4,
                "11",
                vec![supremum()],
            ))
            .trx(2, "12", "INSERT INTO orders VALUES (16)")
            .holds(lock("X", "orders", "PRIMARY", 4, "12", vec![supremum()]))
            .waits(lock(
                "X ii wait",
                "orders",
                "PRIMARY",
                4,
                "12",
                vec![supremum()],
            ))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }

    #[test]
    fn record_waits_are_not_this_pattern() {
        let r = || rec(3, 0, &["6b31", "8000000000000001"]);
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "11", ODKU)
            .waits(lock("X wait", "counters", "uk_name", 4, "11", vec![r()]))
            .trx(2, "12", ODKU)
            .waits(lock("X wait", "counters", "uk_name", 4, "12", vec![r()]))
            .victim(2);
        assert!(check(&View::new(&d)).is_none());
    }
}
