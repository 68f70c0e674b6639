//! `delete-then-insert`: an insert lands on a delete-marked index entry whose deleter still
//! holds it — across two write paths that touch parent and child tables in opposite orders
//! (seed 002), or within one transaction that deletes a key and inserts it again (public
//! samples 010, 016, 017, 018, 023).

use super::prelude::*;

declare_pattern! {
    /// ### What it looks like in the log
    /// A transaction running an `INSERT` waits for `lock_mode X locks gap before rec insert
    /// intention waiting` (or for `lock mode S waiting`, the duplicate check) on a record
    /// whose dump says `info bits 32`: delete-marked, deleted by a transaction that has not
    /// committed. Either the other transaction deleted it and still holds it, or the inserting
    /// transaction deleted it itself (it holds `lock_mode X locks rec but not gap` on that
    /// same record) while the other transaction, a `DELETE`, is queued for X on it.
    ///
    /// ### Why it deadlocks
    /// `DELETE` does not remove an index entry: it delete-marks it and keeps an X lock on it
    /// (next-key under REPEATABLE READ when it scanned) until commit; purge removes the entry
    /// only later. An insert whose position is right before such an entry needs an
    /// insert-intention lock on that gap, and an insert of the same key needs an S lock on the
    /// entry for its duplicate check: both wait for the deleter. When the deleter in turn waits
    /// for a row the inserter wrote earlier (the parent row it inserted, in a path that
    /// writes parent then child while the delete path removes child then parent), the wait is a
    /// cycle. When one transaction deletes and re-inserts the same key, a second deleter
    /// queued for X on the entry blocks the re-insert's S request (InnoDB grants requests in
    /// queue order) while itself waiting for the first transaction.
    ///
    /// ### Fix for the write path
    /// Make every path touch parent and child tables in the same order: if the insert path
    /// writes the parent row and then its children, the cleanup path must delete the parent
    /// row first and the children after it (or lock the parent row `FOR UPDATE` first). Where
    /// a key is deleted and inserted again, update the row in place instead.
    ///
    /// ### Example
    /// ```sql
    /// -- cleanup path, before: child then parent
    /// DELETE FROM session_endpoint WHERE session_id IN (…);
    /// DELETE FROM session WHERE id IN (…);
    /// -- cleanup path, after: parent then child, the same order as the insert path
    /// DELETE FROM session WHERE id IN (…);
    /// DELETE FROM session_endpoint WHERE session_id IN (…);
    /// ```
    ///
    /// ### Known limitations
    /// MySQL ≤ 8.0.17 prints no held locks for transaction (1), so when (1) is the deleter its
    /// lock on the delete-marked entry is inferred from the cycle. Without record dumps the
    /// delete mark itself is not visible; the finding then rests on the statements.
    pub DELETE_THEN_INSERT,
    id = "delete-then-insert",
    summary = "an insert waits on a delete-marked entry (info bits 32) that an uncommitted delete still locks",
    fixed = "same parent→child order in every path; update in place instead of delete + insert",
    subsumes = ["unique-key-race", "gap-then-insert"],
}

fn check(v: &View) -> Option<Finding> {
    // A transaction that holds X on the very entry it waits for deleted it itself.
    reinsert(v).or_else(|| across_paths(v))
}

/// Seed 002: the inserter waits on an entry the other transaction deleted.
fn across_paths(v: &View) -> Option<Finding> {
    let (t, w, marked) = v.waiters().find_map(|(t, w)| {
        let wants_in = is_insert_intention(w) || (is_s(w) && !is_record_part_x(w));
        let marked = w.records.iter().find(|r| r.is_delete_marked())?;
        let inserting = t
            .verb
            .as_deref()
            .map_or(true, |v| v == "INSERT" || v == "REPLACE")
            || changes_key(t, w);
        (wants_in && inserting).then_some((t, w, marked))
    })?;
    let deleter = v.blocker_of(t.n)?;
    let shown: Vec<&Lock> = v
        .blocking_locks(t)
        .into_iter()
        .filter(|(o, _)| o.n == deleter.n)
        .map(|(_, l)| l)
        .collect();
    // Only a deleter: a transaction that merely scanned the gap is `gap-then-insert`. On a
    // clustered index the delete-marked row names its deleter (`DB_TRX_ID`); when that is
    // another transaction than the holder, the holder only locked the gap.
    let writer = marked.db_trx_id().map(|id| id.to_string());
    if writer
        .as_deref()
        .is_some_and(|id| id != deleter.t.trx_id && id != "0")
    {
        return None;
    }
    // The inserter holds the marked entry itself: it deleted it (or locked it before the
    // deleter could), so the deleter did not (fixtures/labelled e-012).
    if t.held_on_index(w)
        .any(|h| is_x(h) && is_record_part(h) && h.heap_nos().any(|n| n == marked.heap_no))
    {
        return None;
    }
    // A waiting lock, even one printed under HOLDS (MySQL 8 prints a waiter's request there
    // too), proves no delete.
    let deleted = shown
        .iter()
        .any(|l| !l.waiting && (l.touches_delete_marked() || l.records.is_empty()));
    if !deleted && !deleter.is("DELETE") {
        return None;
    }
    let confidence = if deleted || deleter.is("DELETE") {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let table = &w.table;
    let key = words::named_key(marked, w.index());
    let mut summary = format!(
        "{}{} waits for {} {key} of {} {}, and that entry is delete-marked (info bits {}): a row \
         deleted by a transaction that has not committed yet, still in the index until purge. ",
        words::trx_stmt(t),
        if t.is("UPDATE") { KEY_CHANGE } else { "" },
        if is_insert_intention(w) {
            "an insert-intention lock in the gap before key"
        } else {
            "an S lock (the duplicate-key check) on key"
        },
        table,
        w.index().unwrap_or("?"),
        marked.info_bits.unwrap_or(32),
    );
    if shown.is_empty() {
        summary.push_str(&format!(
            "{} — whose current statement is {} — deleted it earlier in its transaction and \
             still holds its lock (not printed on this server). ",
            words::trx(deleter),
            words::stmt(deleter)
        ));
    } else {
        let locks: Vec<String> = shown.iter().map(|l| words::kind(l)).collect();
        let covers_gaps = shown
            .iter()
            .any(|l| matches!(l.kind, LockKind::NextKey | LockKind::Gap));
        summary.push_str(&format!(
            "{} deleted those rows earlier in its transaction and holds {} on them{}. ",
            words::trx(deleter),
            locks.join(" and "),
            if covers_gaps {
                ", which cover the gaps before them"
            } else {
                ""
            }
        ));
    }
    let mut parent: Option<&Lock> = None;
    if let Some(dw) = deleter.wait {
        let held_by_inserter = v.blocker_of(deleter.n).is_some_and(|b| b.n == t.n);
        summary.push_str(&format!(
            "Meanwhile {}'s statement waits for {}{}. ",
            words::trx(deleter),
            words::lock(dw),
            if held_by_inserter {
                format!(", held by {}", words::trx(t))
            } else {
                String::new()
            }
        ));
        if dw.table != w.table {
            parent = Some(dw);
            summary.push_str(&format!(
                "So {} wrote {} before {}, while {} changed {} before {}: the two paths \
                 touch these tables in opposite orders.",
                words::trx(t),
                dw.table,
                table,
                words::trx(deleter),
                table,
                dw.table
            ));
        } else {
            summary.push_str("Each waits for a row the other wrote first.");
        }
    }
    summary.push_str(&words::victim(v.d));
    if confidence != Confidence::High {
        if let Some(note) = v.hidden_note() {
            summary.push(' ');
            summary.push_str(&note);
        }
    }
    let child = words::bare_table(w);
    let fix = match parent {
        Some(p) => {
            let parent = words::bare_table(p);
            format!(
                "Make the delete path touch the tables in the insert path's order, parent before \
                 child: delete the `{parent}` rows first, then their `{child}` rows (or lock the \
                 `{parent}` rows FOR UPDATE before touching `{child}`).\n\
                 \n\
                 -- before (delete path): child, then parent\n\
                 BEGIN;\n\
                 DELETE FROM {child} WHERE <{parent} key> IN (…);\n\
                 DELETE FROM {parent} WHERE id IN (…);\n\
                 COMMIT;\n\
                 \n\
                 -- after: parent, then child, like the insert path\n\
                 BEGIN;\n\
                 DELETE FROM {parent} WHERE id IN (…);\n\
                 DELETE FROM {child} WHERE <{parent} key> IN (…);\n\
                 COMMIT;"
            )
        }
        None if t.is("UPDATE") => key_change_fix(child),
        None => reinsert_fix(child),
    };
    let mut ev = vec![ev_lock(w), ev_record(marked)];
    ev.extend(shown.iter().map(|l| ev_lock(l)));
    if let Some(dw) = deleter.wait {
        ev.push(ev_lock(dw));
    }
    Some(finding(confidence, summary, ev, fix))
}

fn is_record_part_x(l: &Lock) -> bool {
    is_record_part(l) && is_x(l)
}

/// Public 010/018/023: one transaction deletes a key and inserts it again.
fn reinsert(v: &View) -> Option<Finding> {
    for t in &v.trx {
        let Some(w) = t.wait else { continue };
        if !(is_insert_intention(w) || (is_s(w) && w.kind != LockKind::Gap)) {
            continue;
        }
        let Some(mine) = t.held_on_index(w).find(|h| is_x(h) && is_record_part(h)) else {
            continue;
        };
        let marked = mine
            .records
            .iter()
            .chain(w.records.iter())
            .find(|r| r.is_delete_marked());
        let inserting = t.is("INSERT") || t.is("REPLACE");
        if !inserting && marked.is_none() {
            continue;
        }
        // The held entries are printed and none is delete-marked: nothing was deleted there
        // (hunt-shapes 002, MariaDB 11.8: a range lock, not a delete).
        if marked.is_none() && !mine.records.is_empty() {
            continue;
        }
        if marked.is_some_and(|m| inserts_another_key(t, m)) {
            continue;
        }
        let Some(other) = v.trx.iter().find(|o| {
            o.n != t.n
                && o.wait
                    .is_some_and(|ow| same_index(ow, w) && is_x(ow) && !is_insert_intention(ow))
                && !o.is("INSERT")
        }) else {
            continue;
        };
        let ow = other.wait?;
        let confidence = if marked.is_some() {
            Confidence::High
        } else {
            Confidence::Medium
        };
        let key_change = if t.is("UPDATE") { KEY_CHANGE } else { "" };
        let mut summary = format!(
            "{} already holds {}: it deleted that entry earlier in the same transaction{key_change}, \
             and now writes the same key again, so it waits for {}. {} running {} is queued \
             ahead of it for {}, waiting for {}'s lock, and InnoDB grants requests on a record \
             in queue order: each waits for the other.",
            words::trx_stmt(t),
            words::lock(mine),
            if is_insert_intention(w) {
                format!("an insert-intention lock in {}", words::gap(w))
            } else {
                format!("an S lock on {} for the duplicate-key check", words::place(w))
            },
            words::trx(other),
            words::stmt(other),
            words::lock(ow),
            words::trx(t),
        );
        summary.push_str(&words::victim(v.d));
        if marked.is_none() {
            summary.push_str(
                " The report prints no record dumps, so the delete mark is inferred from the \
                 statements.",
            );
        }
        let mut ev = vec![ev_lock(mine), ev_lock(w), ev_lock(ow)];
        ev.extend(marked.map(ev_record));
        let f = finding(confidence, summary, ev, reinsert_fix(words::bare_table(w)));
        // An UPDATE that changes the key, or a REPLACE, deletes and re-inserts inside one
        // statement, as concurrent deleters of the key do: both readings fit.
        if !t.is("INSERT") && !is_clustered(w.index().unwrap_or("")) {
            return Some(f.capped(Confidence::Medium).or(
                "concurrent-unique-delete",
                "the statements are not an explicit DELETE then INSERT: several transactions \
                 changing (or deleting) the same unique key at once re-ask for the entry they \
                 delete-marked and queue behind each other; the fix is then one writer per key",
                vec![ev_lock(ow)],
            ));
        }
        return Some(f);
    }
    None
}

/// An `INSERT … VALUES` printed whole whose values do not hold the delete-marked entry's first
/// key field: it writes another key into the gap before that entry, not the deleted key again
/// (fixtures/labelled e-012: `delete … where a = 5`, then `insert … values(2, 10)` waits in the
/// gap before the delete-marked `a = 5`, behind the other DELETE queued on it).
fn inserts_another_key(t: &Trx, marked: &crate::model::Record) -> bool {
    let Some(q) = t.t.query.as_deref().filter(|_| t.is("INSERT")) else {
        return false;
    };
    // InnoDB prints at most 1024 bytes of a statement: a cut list may hold the key further on.
    let whole = q.len() < 1000;
    whole
        && sql::values_rows(q).is_some()
        && key_literal(marked).is_some_and(|k| !sql::literals(q).contains(&k))
}

/// Said of an UPDATE that waits like an insert.
const KEY_CHANGE: &str = " (an UPDATE that changes a key column is a delete-mark plus an insert \
                          of the index entry inside InnoDB)";

/// An UPDATE asks for S on its own table's index entry only in the duplicate check of the
/// entry it inserts when it changes that index's key (its other locks are X; a foreign-key
/// check takes S on another table).
fn changes_key(t: &Trx, w: &Lock) -> bool {
    t.is("UPDATE")
        && is_s(w)
        && !is_insert_intention(w)
        && t.t
            .query
            .as_deref()
            .and_then(sql::written_table)
            .is_some_and(|written| written.eq_ignore_ascii_case(&w.table.table))
}

/// Two UPDATEs that change keys and wait on each other's old, delete-marked entries.
fn key_change_fix(table: &str) -> String {
    format!(
        "An UPDATE that changes a primary or unique key deletes the old entry and inserts a new \
         one, and the new one waits on any uncommitted delete of that key. Do not move keys \
         between rows in concurrent transactions (swapping or renumbering them): change keys in \
         one transaction, or in one global order (ascending key), or keep the key immutable and \
         change a non-key column instead.\n\
         \n\
         -- before, in two sessions: each takes the key the other frees\n\
         UPDATE {table} SET <key> = 13 WHERE <key> = 12;\n\
         UPDATE {table} SET <key> = 12 WHERE <key> = 13;\n\
         \n\
         -- after: one transaction renumbers, in key order, through a free key\n\
         BEGIN;\n\
         UPDATE {table} SET <key> = -12 WHERE <key> = 12;\n\
         UPDATE {table} SET <key> = 12 WHERE <key> = 13;\n\
         UPDATE {table} SET <key> = 13 WHERE <key> = -12;\n\
         COMMIT;"
    )
}

fn reinsert_fix(table: &str) -> String {
    format!(
        "Do not delete a key and insert it again in one transaction while other transactions \
         delete the same key: update the row in place (or upsert once), and serialise the \
         writers of one key on a parent row if both paths must stay.\n\
         \n\
         -- before\n\
         BEGIN;\n\
         DELETE FROM {table} WHERE <key> = ?;\n\
         INSERT INTO {table} (<key>, …) VALUES (?, …);\n\
         COMMIT;\n\
         \n\
         -- after: the entry is never delete-marked, no duplicate check on it\n\
         BEGIN;\n\
         UPDATE {table} SET … WHERE <key> = ?;\n\
         COMMIT;"
    )
}

fn finding(confidence: Confidence, summary: String, ev: Vec<Evidence>, fix: String) -> Finding {
    DELETE_THEN_INSERT.finding(confidence, summary, ev, fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    // See: seed 002 (MySQL 5.7: only trx (2)'s held lock is printed).
    #[test]
    fn seed_002_insert_before_a_row_the_deleter_marked() {
        let session = || rec(52, 0, &["965b1face74948039ab0dd8da6daa71d"]);
        let d = deadlock(Flavour::Mysql57)
            .trx(
                1,
                "272174",
                "delete from session where id in (x'B41D1ACB485A4E599A687E4AB1C36648')",
            )
            .waits(lock(
                "X wait",
                "session",
                "PRIMARY",
                3,
                "272174",
                vec![session()],
            ))
            .trx(
                2,
                "272193",
                "insert into session_endpoint (...) values (...)",
            )
            .holds(lock(
                "X rec",
                "session",
                "PRIMARY",
                3,
                "272193",
                vec![session()],
            ))
            .waits(lock(
                "X gap ii wait",
                "session_endpoint",
                "PRIMARY",
                3,
                "272193",
                vec![rec(4, 32, &["4230c997ef754048ba46c254ac88d8c2"])],
            ))
            .victim(2);
        let f = check(&View::new(&d)).expect("delete-then-insert");
        assert_eq!(f.confidence, Confidence::High);
        assert!(f.summary.contains("opposite orders"), "{}", f.summary);
        assert!(
            f.fix
                .contains("DELETE FROM session WHERE id IN (…);\nDELETE FROM session_endpoint"),
            "{}",
            f.fix
        );
    }

    // See: public 023.
    #[test]
    fn public_023_delete_then_reinsert_same_key() {
        let r = || rec(5, 32, &["00000004", "0000000008f1", "7a000001ce01ca"]);
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "2290", "delete from t18 where id = 4")
            .waits(lock("X rec wait", "t18", "PRIMARY", 3, "2290", vec![r()]))
            .trx(2, "2289", "insert into t18 (id) values (4)")
            .holds(lock("X rec", "t18", "PRIMARY", 3, "2289", vec![r()]))
            .waits(lock("S wait", "t18", "PRIMARY", 3, "2289", vec![r()]))
            .victim(1);
        let f = check(&View::new(&d)).expect("delete-then-insert");
        assert_eq!(f.confidence, Confidence::High);
        assert!(f.summary.contains("duplicate-key check"), "{}", f.summary);
    }

    // See: fixtures/labelled e-012 — the INSERT's values are another key than the deleted one.
    #[test]
    fn an_insert_of_another_key_is_no_reinsert() {
        let r = || rec(3, 32, &["80000005", "80000002"]);
        let d = |insert: &str| {
            deadlock(Flavour::Mysql8018)
                .trx(1, "1379105", "delete from ty where a = 5")
                .waits(lock("X wait", "ty", "idx_a", 5, "1379105", vec![r()]))
                .trx(2, "1379104", insert)
                .holds(lock("X", "ty", "idx_a", 5, "1379104", vec![r()]))
                .waits(lock("X ii wait", "ty", "idx_a", 5, "1379104", vec![r()]))
                .victim(1)
        };
        assert!(reinsert(&View::new(&d("insert into ty(a, b) values(2, 10)"))).is_none());
        let same = reinsert(&View::new(&d("insert into ty(a, b) values(5, 10)")));
        assert_eq!(same.expect("re-insert").confidence, Confidence::High);
    }

    // See: public 013 — two deleters in opposite order is not a re-insert.
    #[test]
    fn two_deletes_are_not_this_pattern() {
        let r1 = || rec(2, 32, &["80000001", "00000003c05c", "6f0000015a1a7e"]);
        let r2 = || rec(3, 32, &["80000002", "00000003c05d", "70000001850bf6"]);
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "245852", "delete from t where id = 2")
            .waits(lock("X rec wait", "t", "PRIMARY", 3, "245852", vec![r2()]))
            .trx(2, "245853", "delete from t where id = 1")
            .holds(lock("X rec", "t", "PRIMARY", 3, "245853", vec![r2()]))
            .waits(lock("X rec wait", "t", "PRIMARY", 3, "245853", vec![r1()]))
            .victim(2);
        assert!(check(&View::new(&d)).is_none());
    }
}
