//! `indexed-column-update`: UPDATEs that find rows through a secondary index and also change
//! that index's columns, moving entries into the range the other UPDATE scans (public 021, 022).

use super::prelude::*;

declare_pattern! {
    /// ### What it looks like in the log
    /// Both statements are `UPDATE`s of the same table. At least one waits for an insert
    /// intention (`lock_mode X locks gap before rec insert intention waiting`) on a secondary
    /// index — an UPDATE only inserts into a secondary index when it changes that index's
    /// columns — and the other waits on the same secondary index, for a next-key lock or an
    /// insert intention, often near entries its own WHERE clause selects.
    ///
    /// ### Why it deadlocks
    /// Changing an indexed column is, for that index, a delete-mark of the old entry and an
    /// insert of the new one. An UPDATE that selects rows by the same index scans a range of
    /// it with next-key locks. When one statement moves rows into the range the other is
    /// scanning (`SET xid = 3 … WHERE xid = 2` against `… WHERE xid = 3`), its inserts need
    /// insert intentions in gaps the other has next-key locked, while the other's scan reaches
    /// entries the first one has already written.
    ///
    /// ### Fix for the write path
    /// Do not move rows through the index you filter on in concurrent statements. Resolve the
    /// primary keys first with a plain read, then update by primary key in ascending order;
    /// or serialise these updates (one worker, or a lock on a parent row). Under READ
    /// COMMITTED the scan takes no gap locks, which removes most of these collisions.
    ///
    /// ### Example
    /// ```sql
    /// -- before, at the same time
    /// UPDATE t16 SET xid = 3, valid = 1 WHERE xid = 2;
    /// UPDATE t16 SET xid = 3, valid = 0 WHERE xid = 3;
    /// -- after
    /// SELECT id FROM t16 WHERE xid = 2;                       -- plain read
    /// UPDATE t16 SET xid = 3, valid = 1 WHERE id IN (…) ORDER BY id;
    /// ```
    pub INDEXED_COLUMN_UPDATE,
    id = "indexed-column-update",
    summary = "UPDATEs change the columns of the secondary index they scan, moving entries into each other's locked range",
    fixed = "resolve primary keys with a plain read, then update by primary key in order",
    subsumes = ["inconsistent-order", "gap-then-insert"],
}

fn check(v: &View) -> Option<Finding> {
    let d = v.d;
    let printed: Vec<&Trx> = v.trx.iter().filter(|t| t.verb.is_some()).collect();
    if printed.len() < 2 || !printed.iter().all(|t| t.is("UPDATE")) {
        return None;
    }
    let (mover, mw) = v
        .waiters()
        .find(|(_, w)| is_insert_intention(w) && w.index().is_some_and(|i| !is_clustered(i)))?;
    let (other, ow) = v.waiters().find(|(o, ow)| {
        o.n != mover.n
            && same_index(ow, mw)
            && (is_insert_intention(ow) || (is_x(ow) && is_record_part(ow)))
    })?;
    let index = mw.index().unwrap_or("?");
    let held: Vec<&Lock> = v.trx.iter().flat_map(|t| t.held_on_index(mw)).collect();
    let mut summary = format!(
        "{} and {} both update {} and both wait on its secondary index `{index}`. {} waits for \
         an insert-intention lock in {}: an UPDATE asks for an insert intention only when it \
         writes a new entry into a secondary index, so it changes the `{index}` columns of the \
         rows it updates. {} waits for {}. Each statement moves rows into, or scans, the range of \
         `{index}` the other has locked, so each waits for the other.",
        words::trx_stmt(mover),
        words::trx_stmt(other),
        mw.table,
        words::trx(mover),
        words::gap(mw),
        words::trx(other),
        words::lock(ow),
    );
    summary.push_str(&words::victim(d));
    let table = words::bare_table(mw);
    let fix = format!(
        "Do not filter and move rows through the same index in concurrent statements: resolve \
         the primary keys with a plain read, then update by primary key in ascending order (or \
         serialise these updates). READ COMMITTED removes the scan's gap locks.\n\
         \n\
         -- before\n\
         UPDATE {table} SET <indexed column> = ? WHERE <indexed column> = ?;\n\
         \n\
         -- after\n\
         SELECT id FROM {table} WHERE <indexed column> = ?;          -- plain read, no locks\n\
         UPDATE {table} SET <indexed column> = ? WHERE id IN (…) ORDER BY id;"
    );
    let mut ev = vec![ev_lock(mw), ev_lock(ow)];
    ev.extend(held.iter().map(|l| ev_lock(l)));
    Some(INDEXED_COLUMN_UPDATE.finding(Confidence::High, summary, ev, fix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    // See: public 021.
    #[test]
    fn update_moving_rows_into_the_scanned_range() {
        let r5 = || vec![rec(12, 0, &["80000003", "80000001", "80000005"])];
        let d = deadlock(Flavour::Mysql57)
            .trx(
                1,
                "400442",
                "update t16 set xid = 3, valid = 0 where xid = 3",
            )
            .waits(lock("X wait", "t16", "xid_valid", 4, "400442", r5()))
            .trx(
                2,
                "400441",
                "update t16 set xid = 3, valid = 1 where xid = 2",
            )
            .holds(lock("X rec", "t16", "xid_valid", 4, "400441", r5()))
            .waits(lock(
                "X gap ii wait",
                "t16",
                "xid_valid",
                4,
                "400441",
                vec![rec(4, 0, &["80000003", "80000001", "80000003"])],
            ))
            .victim(1);
        let f = check(&View::new(&d)).expect("indexed-column-update");
        assert!(
            f.summary.contains("gap before key (3, 1, 3)"),
            "{}",
            f.summary
        );
    }

    #[test]
    fn inserts_are_not_updates() {
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "1", "insert into t16 values (1)")
            .waits(lock("X gap ii wait", "t16", "xid_valid", 4, "1", vec![]))
            .trx(2, "2", "insert into t16 values (2)")
            .waits(lock("X gap ii wait", "t16", "xid_valid", 4, "2", vec![]))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }
}
