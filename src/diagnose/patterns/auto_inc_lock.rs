//! `auto-inc-lock`: inserts queued on the table-level AUTO-INC lock (public 002, the TOO DEEP
//! form).

use super::prelude::*;

declare_pattern! {
    /// ### What it looks like in the log
    /// A transaction waits for `TABLE LOCK table … lock mode AUTO-INC waiting`, often in a
    /// `TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH` report where InnoDB gave up
    /// tracing the queue and rolled the requester back, with the state `setting auto-inc
    /// lock`.
    ///
    /// ### Why it deadlocks
    /// With `innodb_autoinc_lock_mode` 0 (traditional) or 1 (consecutive, the default before
    /// MySQL 8.0), an INSERT whose row count is not known in advance (`INSERT … SELECT`,
    /// `LOAD DATA`, `REPLACE … SELECT`) holds the table's AUTO-INC lock until the statement
    /// ends, and every other insert into the table queues behind it. A statement holding it
    /// that waits for a row lock held by one of the queued inserters closes a cycle; with
    /// many inserters, the queue alone can exceed the depth InnoDB is willing to search.
    ///
    /// ### Fix for the write path
    /// Use `innodb_autoinc_lock_mode=2` (interleaved, the MySQL 8.0 default; needs row-based
    /// binary logging), so inserts take the lock only for the moment they generate a value.
    /// Keep `INSERT … SELECT` statements short (batches of a few thousand rows) and out of
    /// peak insert traffic, or generate ids in the application.
    ///
    /// ### Example
    /// ```sql
    /// -- before: a bulk copy holds AUTO-INC for its whole run while single-row inserts queue
    /// INSERT INTO log (…) SELECT … FROM staging;          -- long, AUTO-INC held throughout
    /// -- after: innodb_autoinc_lock_mode = 2, and the copy in short batches
    /// INSERT INTO log (…) SELECT … FROM staging WHERE id BETWEEN ? AND ?;
    /// ```
    pub AUTO_INC_LOCK,
    id = "auto-inc-lock",
    summary = "inserts queue on the table-level AUTO-INC lock held by a long or bulk INSERT",
    fixed = "innodb_autoinc_lock_mode=2; shorter INSERT … SELECT batches",
}

fn check(v: &View) -> Option<Finding> {
    let d = v.d;
    let (t, w) = v
        .waiters()
        .find(|(_, w)| !w.is_record_lock() && w.mode == LockMode::AutoInc)?;
    let holders: Vec<(&Trx, &Lock)> = v
        .trx
        .iter()
        .filter(|o| o.n != t.n)
        .flat_map(|o| o.held.iter().map(move |h| (o, *h)))
        .filter(|(_, h)| h.mode == LockMode::AutoInc && h.table == w.table)
        .collect();
    let confidence = if holders.is_empty() {
        Confidence::Medium
    } else {
        Confidence::High
    };
    let mut summary = format!(
        "{} waits for the AUTO-INC table lock of {}: inserts into this table queue on one \
         table-level lock while a statement generates auto-increment values. ",
        words::trx_stmt(t),
        w.table
    );
    if d.too_deep {
        summary.push_str(
            "InnoDB gave up following the queue (TOO DEEP OR LONG SEARCH IN THE LOCK TABLE \
             WAITS-FOR GRAPH) and rolled this transaction back without proving a cycle: the \
             queue of waiting inserts was too long to search. ",
        );
    }
    if let Some((h, _)) = holders.first() {
        summary.push_str(&format!(
            "{} holds that lock{}. ",
            words::trx_stmt(h),
            h.wait
                .map(|hw| format!(" and waits for {}", words::lock(hw)))
                .unwrap_or_default()
        ));
    }
    summary.push_str(
        "This happens with innodb_autoinc_lock_mode 0 or 1 when a statement whose row count is \
         not known in advance (INSERT … SELECT, LOAD DATA) holds the lock for its whole run.",
    );
    if !d.too_deep {
        summary.push_str(&words::victim(d));
    }
    let table = words::bare_table(w);
    let fix = format!(
        "Set innodb_autoinc_lock_mode=2 (interleaved; requires row-based binary logging), so \
         inserts hold AUTO-INC only while generating a value, and keep bulk inserts into \
         `{table}` short.\n\
         \n\
         -- before: one long bulk insert holds AUTO-INC while other inserts queue\n\
         INSERT INTO {table} (…) SELECT … FROM <source>;\n\
         \n\
         -- after: my.cnf innodb_autoinc_lock_mode = 2, and bounded batches\n\
         INSERT INTO {table} (…) SELECT … FROM <source> WHERE id BETWEEN ? AND ?;"
    );
    let mut ev = vec![ev_lock(w)];
    ev.extend(holders.iter().map(|(_, h)| ev_lock(h)));
    Some(AUTO_INC_LOCK.finding(confidence, summary, ev, fix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock};
    use crate::model::Flavour;

    // See: public 002 (TOO DEEP, one transaction).
    #[test]
    fn too_deep_auto_inc_wait() {
        let d = deadlock(Flavour::Mysql55)
            .trx(
                1,
                "3BF88F886",
                "INSERT INTO gr_v3_response_log (query_key) VALUES ('...",
            )
            .waits(lock(
                "AUTO-INC wait",
                "gr_v3_response_log",
                "",
                0,
                "3BF88F886",
                vec![],
            ))
            .too_deep()
            .victim(1);
        let f = check(&View::new(&d)).expect("auto-inc-lock");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("TOO DEEP"), "{}", f.summary);
    }

    #[test]
    fn record_locks_are_not_auto_inc() {
        let d = deadlock(Flavour::Mysql55)
            .trx(1, "1", "INSERT INTO t VALUES (1)")
            .waits(lock("X wait", "t", "PRIMARY", 3, "1", vec![]))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }
}
