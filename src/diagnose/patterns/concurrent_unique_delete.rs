//! `concurrent-unique-delete`: several transactions delete the same unique-key row at once
//! (public 011, 012; a known MySQL 5.x behaviour on delete-marked unique entries), or lock a
//! unique entry that a delete left delete-marked (fixtures/labelled f-001).

use super::prelude::*;

declare_pattern! {
    /// ### What it looks like in the log
    /// Both statements are `DELETE … WHERE <unique key> = …` for the same key. The transaction
    /// printed second holds `lock_mode X locks rec but not gap` on an entry of a unique
    /// secondary index and waits for `lock_mode X` (next-key) on the same index page; the
    /// other waits for X on that index too. The same relock happens to `UPDATE`s and locking
    /// reads by the unique key when the record dump shows the entry delete-marked (info bits
    /// 32): an application that deletes and re-inserts a key (caches, transients, queues).
    ///
    /// ### Why it deadlocks
    /// The first deleter locks the unique entry with a record-only X lock and delete-marks it;
    /// the other deleters queue for it. When a deleter finds the entry delete-marked, InnoDB
    /// must lock it as a next-key lock (the key may be re-inserted into that gap), so the
    /// holder of the record-only lock asks again, for a next-key lock, and queues behind a
    /// waiter that is itself waiting for the holder's record-only lock. The third deleter that
    /// started it all has usually committed already and is not in the report. A locking
    /// search (`UPDATE`, `SELECT … FOR UPDATE`) that meets a delete-marked entry of a unique
    /// index takes the same next-key lock, so two writers of a key that was just deleted and
    /// re-inserted relock the old entry in the same way.
    ///
    /// ### Fix for the write path
    /// Do not let several transactions delete the same key concurrently: look the row up with
    /// a plain read and delete it by primary key, serialise deletes of one key on its parent
    /// row, or make the delete idempotent in the application (one worker per key). Treat
    /// error 1213 on such a delete as retryable: retrying finds nothing left to delete.
    ///
    /// ### Example
    /// ```sql
    /// -- three sessions at once, the same unique key (a, b, c)
    /// DELETE FROM dltask WHERE a = 'b' AND b = 'b' AND c = 'a';
    /// -- after: resolve the primary key first, delete by it
    /// SELECT id FROM dltask WHERE a = 'b' AND b = 'b' AND c = 'a';
    /// DELETE FROM dltask WHERE id = ?;
    /// ```
    ///
    /// ### Known limitations
    /// The reports that show it print no record dumps, so that both deletes target the same key
    /// is read from the lock shape and the statements (medium confidence). Without a `DELETE`
    /// among the statements the delete that marked the entry is not in the report, so only a
    /// record dump that shows the mark is taken as evidence, and the finding stays medium.
    pub CONCURRENT_UNIQUE_DELETE,
    id = "concurrent-unique-delete",
    summary = "concurrent DELETEs or locking reads of a delete-marked unique entry: the record-only lock holder re-asks for a next-key lock",
    fixed = "delete by primary key after a plain lookup; one deleter per key; retry 1213",
    subsumes = ["inconsistent-order"],
}

/// `DELETE`, or a statement the report does not print.
fn deleter(t: &Trx) -> bool {
    t.is("DELETE") || t.verb.is_none()
}

/// A locking search by key that is not a delete: it relocks a delete-marked unique entry the
/// same way, but only a record dump that shows the mark says a delete happened.
fn locking_lookup(t: &Trx) -> bool {
    t.is("UPDATE") || t.is("SELECT")
}

fn check(v: &View) -> Option<Finding> {
    let d = v.d;
    for t in &v.trx {
        let Some(w) = t.wait else { continue };
        let secondary = w.index().is_some_and(|i| !is_clustered(i));
        if !secondary || !is_x(w) || w.kind != LockKind::NextKey {
            continue;
        }
        if !(deleter(t) || locking_lookup(t)) {
            continue;
        }
        let Some(mine) = t.held_on_index(w).find(|h| {
            is_x(h)
                && h.kind == LockKind::RecNotGap
                && overlap(h, w) != Some(false)
                && h.same_place(w)
        }) else {
            continue;
        };
        let Some(other) = v.trx.iter().find(|o| {
            o.n != t.n
                && (deleter(o) || locking_lookup(o))
                && o.wait.is_some_and(|ow| {
                    same_index(ow, w) && is_x(ow) && is_record_part(ow) && ow.same_place(w)
                })
        }) else {
            continue;
        };
        let ow = other.wait?;
        let marked = mine.touches_delete_marked() || w.touches_delete_marked();
        let deletes = deleter(t) && deleter(other) && (t.is("DELETE") || other.is("DELETE"));
        // Without a DELETE in the report, the relock is only proven by the mark itself, on
        // the entry both want (the other's wait shows the same record). A DELETE beside an
        // UPDATE is left out: the UPDATE may have moved the key itself, another story.
        let lookups = !deletes
            && locking_lookup(t)
            && (locking_lookup(other) || other.verb.is_none())
            && (marked || (ow.touches_delete_marked() && overlap(ow, mine) == Some(true)));
        if !(deletes || lookups) {
            continue;
        }
        let confidence = if deletes && marked && !w.records.is_empty() {
            Confidence::High
        } else {
            Confidence::Medium
        };
        let index = w.index().unwrap_or("?");
        let mut summary = if deletes {
            format!(
                "{} holds {} and now waits for {} on the same entry; {} waits for {}. Both \
                 delete the same key of the unique index `{index}`: the first deleter \
                 delete-marked the entry under a record-only lock, and a deleter that meets a \
                 delete-marked unique entry must lock it as a next-key lock, so the holder asks \
                 again and queues behind the other deleter, which waits for the holder's first \
                 lock. A third deleter of the same key has usually committed already and is not \
                 in the report.",
                words::trx_stmt(t),
                words::lock(mine),
                words::kind(w),
                words::trx_stmt(other),
                words::lock(ow),
            )
        } else {
            format!(
                "{} holds {} and now waits for {} on the same entry; {} waits for {}. Both look \
                 up the same key of the unique index `{index}` with a locking search, and the \
                 entry is delete-marked (info bits 32): a delete of this key, committed but not \
                 yet purged or still open, left it there, typically because the application \
                 deletes and re-inserts the key. A locking search that meets a delete-marked \
                 unique entry must lock it as a next-key lock, so the holder of the record-only \
                 lock asks again and queues behind the other's request, which waits for the \
                 holder's first lock. The delete itself is not in the report.",
                words::trx_stmt(t),
                words::lock(mine),
                words::kind(w),
                words::trx_stmt(other),
                words::lock(ow),
            )
        };
        summary.push_str(&words::victim(d));
        if other.t.query.is_none() || t.t.query.is_none() {
            summary.push_str(" One transaction's statement is not printed.");
        }
        let table = words::bare_table(w);
        let fix = if deletes {
            format!(
                "Keep concurrent transactions from deleting the same unique key: resolve the \
                 primary key with a plain read and delete by it, or give each key one deleter; \
                 retry 1213 (the retry finds the row gone).\n\
                 \n\
                 -- before: several workers delete the same key at once\n\
                 DELETE FROM {table} WHERE <unique key columns> = ?;\n\
                 \n\
                 -- after\n\
                 SELECT id FROM {table} WHERE <unique key columns> = ?;   -- plain read\n\
                 DELETE FROM {table} WHERE id = ?;"
            )
        } else {
            format!(
                "Stop deleting and re-inserting the key (update the row in place, or upsert \
                 it), or resolve the primary key with a plain read and write by it, so the \
                 delete-marked unique entry is not relocked; retry 1213.\n\
                 \n\
                 -- before: the key is deleted and re-inserted, and writers update it by the key\n\
                 UPDATE {table} SET ... WHERE <unique key columns> = ?;\n\
                 \n\
                 -- after\n\
                 SELECT id FROM {table} WHERE <unique key columns> = ?;   -- plain read\n\
                 UPDATE {table} SET ... WHERE id = ?;"
            )
        };
        let ev = vec![ev_lock(mine), ev_lock(w), ev_lock(ow)];
        return Some(CONCURRENT_UNIQUE_DELETE.finding(confidence, summary, ev, fix));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    const DEL: &str = "delete from dltask where a = 'b' and b = 'b' and c = 'a'";

    // See: public 011.
    #[test]
    fn two_deleters_of_one_unique_key() {
        let d = deadlock(Flavour::Mysql55)
            .trx(1, "930F9", DEL)
            .waits(lock(
                "X wait",
                "dltask",
                "uniq_a_b_c",
                12713,
                "930F9",
                vec![],
            ))
            .trx(2, "930F3", DEL)
            .holds(lock(
                "X rec",
                "dltask",
                "uniq_a_b_c",
                12713,
                "930F3",
                vec![],
            ))
            .waits(lock(
                "X wait",
                "dltask",
                "uniq_a_b_c",
                12713,
                "930F3",
                vec![],
            ))
            .victim(1);
        let f = check(&View::new(&d)).expect("concurrent-unique-delete");
        assert_eq!(f.confidence, Confidence::Medium);
    }

    #[test]
    fn updates_are_not_deletes() {
        let d = deadlock(Flavour::Mysql55)
            .trx(1, "1", "update t set x = 1 where a = 'b'")
            .waits(lock("X wait", "t", "uk", 4, "1", vec![]))
            .trx(2, "2", "update t set x = 2 where a = 'b'")
            .holds(lock("X rec", "t", "uk", 4, "2", vec![]))
            .waits(lock("X wait", "t", "uk", 4, "2", vec![]))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }

    // See: fixtures/labelled f-001 (two UPDATEs by a unique key that WordPress deletes and
    // re-adds; the dump shows the entry with info bits 32).
    #[test]
    fn updates_of_a_delete_marked_unique_entry() {
        let marked = || vec![rec(147, 32, &["6b", "16"])];
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "428", "update t set v = 1 where name = 'k'")
            .waits(lock("X wait", "t", "name", 54, "428", marked()))
            .trx(2, "405", "update t set v = 2 where name = 'k'")
            .holds(lock("X rec", "t", "name", 54, "405", marked()))
            .waits(lock("X wait", "t", "name", 54, "405", vec![]))
            .victim(1);
        let f = check(&View::new(&d)).expect("concurrent-unique-delete");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("delete-marked"), "{}", f.summary);
    }

    #[test]
    fn updates_of_a_live_unique_entry_are_not_matched() {
        let live = || vec![rec(147, 0, &["6b", "16"])];
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "428", "update t set v = 1 where name = 'k'")
            .waits(lock("X wait", "t", "name", 54, "428", live()))
            .trx(2, "405", "update t set v = 2 where name = 'k'")
            .holds(lock("X rec", "t", "name", 54, "405", live()))
            .waits(lock("X wait", "t", "name", 54, "405", live()))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }
}
