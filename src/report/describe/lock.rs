//! A lock in plain words: what a lock line means. Shared by the text report, the JSON
//! `description` fields and the markdown, so the same lock is always described the same way
//! (format-spec §3.5).

use crate::model::{push_number, Lock, LockKind, LockMode, LockTarget, Record};

/// One lock in words: `X next-key lock on record (heap 3) of `test`.`t` index `PRIMARY` and the
/// gap before it`, `waiting: …`, `waiting to insert into the gap before … (insert intention)`.
pub fn describe_lock(lock: &Lock) -> String {
    let mut s = String::with_capacity(200);
    push_description(&mut s, lock);
    s
}

/// [`describe_lock`], appended to `out` (the JSON report reuses one buffer for every lock).
pub fn push_description(out: &mut String, lock: &Lock) {
    match &lock.target {
        LockTarget::Table => push_table_lock(out, lock),
        LockTarget::Record { index, .. } => push_record_lock(out, lock, index),
    }
}

/// The lock in a few words for one-line listings: `X next-key on `test`.`t` `PRIMARY``.
pub fn describe_lock_short(lock: &Lock) -> String {
    let mut s = String::with_capacity(64);
    push_short(&mut s, lock);
    s
}

/// [`describe_lock_short`], appended to `out`.
pub fn push_short(out: &mut String, lock: &Lock) {
    out.push_str(lock.mode.as_str());
    match lock.index() {
        Some(index) => {
            out.push(' ');
            out.push_str(lock.kind.as_str());
            out.push_str(" on ");
            lock.table.push_to(out);
            out.push_str(" `");
            out.push_str(index);
            out.push('`');
        }
        None => {
            out.push_str(" table lock on ");
            lock.table.push_to(out);
        }
    }
}

fn push_table_lock(s: &mut String, lock: &Lock) {
    match (&lock.mode, lock.waiting) {
        (LockMode::AutoInc, true) => s.push_str("waiting for the table's AUTO-INC lock on "),
        (LockMode::AutoInc, false) => s.push_str("the table's AUTO-INC lock on "),
        (mode, waiting) => {
            s.push_str(if waiting {
                "waiting: table lock "
            } else {
                "table lock "
            });
            s.push_str(mode.as_str());
            s.push_str(" on ");
        }
    }
    lock.table.push_to(s);
}

/// What the records listed under a lock are, counted for the sentence.
struct Listed<'a> {
    /// The first user record (heap no ≥ 2) and how many there are.
    first: Option<&'a Record>,
    users: usize,
    supremum: bool,
    deleted: usize,
}

impl<'a> Listed<'a> {
    fn of(lock: &'a Lock) -> Listed<'a> {
        let mut listed = Listed {
            first: None,
            users: 0,
            supremum: false,
            deleted: 0,
        };
        for r in &lock.records {
            if r.is_supremum() {
                listed.supremum = true;
            } else if !r.is_infimum() {
                listed.first = listed.first.or(Some(r));
                listed.users += 1;
                listed.deleted += usize::from(r.is_delete_marked());
            }
        }
        listed
    }

    /// `record (heap 3)`, `a delete-marked record (heap 6)`, `14 records (all delete-marked)`.
    fn push_phrase(&self, s: &mut String) {
        match (self.first, self.users) {
            (None, _) => s.push_str("a record"),
            (Some(one), 1) => {
                s.push_str(match one.is_delete_marked() {
                    true => "a delete-marked record (heap ",
                    false => "record (heap ",
                });
                push_number(s, one.heap_no);
                s.push(')');
            }
            (Some(_), n) => {
                push_number(s, n);
                s.push_str(" records");
                match self.deleted {
                    0 => {}
                    d if d == n => s.push_str(" (all delete-marked)"),
                    d => {
                        s.push_str(" (");
                        push_number(s, d);
                        s.push_str(" delete-marked)");
                    }
                }
            }
        }
    }

    fn it(&self) -> &'static str {
        if self.users > 1 {
            "each"
        } else {
            "it"
        }
    }

    fn only_supremum(&self) -> bool {
        self.supremum && self.users == 0
    }
}

fn push_record_lock(s: &mut String, lock: &Lock, index: &str) {
    // One string, pushed in order: this runs for every lock of every report (JSON
    // `description`, the text report).
    let listed = Listed::of(lock);
    let place = |s: &mut String| {
        lock.table.push_to(s);
        s.push_str(" index `");
        s.push_str(index);
        s.push('`');
    };
    let mode = lock.mode.as_str();
    let end_of_page = "the gap after the last record of the page (end of range)";
    if lock.waiting {
        s.push_str(match lock.kind {
            LockKind::InsertIntention => "waiting to insert into ",
            _ => "waiting: ",
        });
    }
    match lock.kind {
        LockKind::Metadata => {
            s.push_str(mode);
            s.push_str(" metadata lock on ");
            lock.table.push_to(s);
        }
        LockKind::TableFlush | LockKind::GlobalRead => {
            s.push_str("the ");
            s.push_str(mode);
        }
        LockKind::InsertIntention => {
            if !lock.waiting {
                s.push_str(mode);
                s.push_str(" insert-intention lock on ");
            }
            if listed.only_supremum() {
                s.push_str("the gap before the supremum of ");
                place(s);
                s.push_str(", after the last record of the page");
            } else {
                s.push_str("the gap before ");
                listed.push_phrase(s);
                s.push_str(" of ");
                place(s);
            }
            if lock.waiting {
                s.push_str(" (insert intention)");
            }
        }
        LockKind::Gap | LockKind::NextKey if listed.only_supremum() => {
            s.push_str(mode);
            s.push_str(" gap lock on the supremum of ");
            place(s);
            s.push_str(": ");
            s.push_str(end_of_page);
        }
        LockKind::Gap => {
            s.push_str(mode);
            s.push_str(" gap lock before ");
            listed.push_phrase(s);
            s.push_str(" of ");
            place(s);
            s.push_str(if listed.users > 1 {
                " (the gaps, not the records)"
            } else {
                " (the gap, not the record)"
            });
            if listed.supremum {
                s.push_str(", and ");
                s.push_str(end_of_page);
            }
        }
        LockKind::NextKey => {
            s.push_str(mode);
            s.push_str(" next-key lock on ");
            listed.push_phrase(s);
            s.push_str(" of ");
            place(s);
            s.push_str(" and the gap before ");
            s.push_str(listed.it());
            if listed.supremum {
                s.push_str(", plus ");
                s.push_str(end_of_page);
            }
        }
        LockKind::RecNotGap => {
            s.push_str(mode);
            s.push_str(" record-only lock on ");
            listed.push_phrase(s);
            s.push_str(" of ");
            place(s);
        }
        LockKind::Unknown => {
            s.push_str(mode);
            s.push_str(" lock (its kind not shown) on ");
            listed.push_phrase(s);
            s.push_str(" of ");
            place(s);
        }
        LockKind::Table => {
            s.push_str(mode);
            s.push_str(" lock on ");
            place(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::describe::testkit::{clause, record, record_lock, supremum};

    #[test]
    fn record_locks_in_words() {
        let r3 = || record(3, 0, &["80000065"]);
        let cases = [
            (
                record_lock("PRIMARY", clause(LockMode::X, ""), vec![r3()]),
                "X next-key lock on record (heap 3) of `test`.`accounts` index `PRIMARY` and the \
                 gap before it",
            ),
            (
                record_lock("PRIMARY", clause(LockMode::X, "rec wait"), vec![r3()]),
                "waiting: X record-only lock on record (heap 3) of `test`.`accounts` index \
                 `PRIMARY`",
            ),
            (
                record_lock("PRIMARY", clause(LockMode::X, "gap"), vec![r3()]),
                "X gap lock before record (heap 3) of `test`.`accounts` index `PRIMARY` (the \
                 gap, not the record)",
            ),
            (
                record_lock(
                    "idx_session_id",
                    clause(LockMode::X, "gap ii wait"),
                    vec![record(6, 32, &["00", "01"])],
                ),
                "waiting to insert into the gap before a delete-marked record (heap 6) of \
                 `test`.`accounts` index `idx_session_id` (insert intention)",
            ),
            (
                record_lock("PRIMARY", clause(LockMode::S, ""), vec![supremum()]),
                "S gap lock on the supremum of `test`.`accounts` index `PRIMARY`: the gap after \
                 the last record of the page (end of range)",
            ),
            (
                record_lock("PRIMARY", clause(LockMode::X, "ii wait"), vec![supremum()]),
                "waiting to insert into the gap before the supremum of `test`.`accounts` index \
                 `PRIMARY`, after the last record of the page (insert intention)",
            ),
            (
                record_lock(
                    "k",
                    clause(LockMode::X, ""),
                    vec![record(4, 32, &["00"]), record(5, 0, &["01"]), supremum()],
                ),
                "X next-key lock on 2 records (1 delete-marked) of `test`.`accounts` index `k` \
                 and the gap before each, plus the gap after the last record of the page (end of \
                 range)",
            ),
        ];
        for (lock, expected) in cases {
            let expected = expected.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(
                describe_lock(&lock),
                expected,
                "describing {:?}",
                lock.clause
            );
        }
    }

    #[test]
    fn table_locks_in_words() {
        let mut lock = record_lock("PRIMARY", clause(LockMode::IX, ""), vec![]);
        lock.target = LockTarget::Table;
        lock.kind = LockKind::Table;
        lock.mode = LockMode::IX;
        assert_eq!(describe_lock(&lock), "table lock IX on `test`.`accounts`");
        lock.mode = LockMode::AutoInc;
        lock.waiting = true;
        assert_eq!(
            describe_lock(&lock),
            "waiting for the table's AUTO-INC lock on `test`.`accounts`"
        );
        assert_eq!(
            describe_lock_short(&lock),
            "AUTO-INC table lock on `test`.`accounts`"
        );
    }
}
