//! The finding for a deadlock no pattern matches: a plain-language account of its cycle, who
//! holds what and waits for what, so the user is never left with silence — and never with a
//! confident wrong guess (confidence is always low).

use super::facts::{ev_lock, evidence, View};
use super::{words, Confidence, Evidence, Finding};

/// The pattern id of a finding that names no catalogue entry.
pub const UNCLASSIFIED: &str = "unclassified";

pub(crate) fn explain(v: &View) -> Finding {
    let d = v.d;
    let mut ev: Vec<Evidence> = Vec::new();
    let summary = if v.trx.is_empty() {
        "The report could not be read into transactions, so there is no cycle to explain; see \
         the warnings for the lines that could not be read."
            .to_string()
    } else if d.too_deep {
        let parts: Vec<String> = v
            .trx
            .iter()
            .map(|t| {
                if let Some(w) = t.wait {
                    ev.push(ev_lock(w));
                }
                match t.wait {
                    Some(w) => format!("{} waits for {}", words::trx_stmt(t), words::lock(w)),
                    None => words::trx_stmt(t),
                }
            })
            .collect();
        format!(
            "InnoDB gave up searching the wait-for graph (TOO DEEP OR LONG SEARCH): too many \
             transactions were waiting behind each other, so it rolled back the requesting one \
             without proving a cycle. {}.",
            parts.join("; ")
        )
    } else {
        let order: Vec<u32> = if d.graph.cycle.is_empty() {
            v.trx.iter().map(|t| t.n).collect()
        } else {
            d.graph.cycle.clone()
        };
        let parts: Vec<String> = order
            .iter()
            .filter_map(|n| v.get(*n))
            .map(|t| {
                let holds = if !t.held.is_empty() {
                    let locks: Vec<String> = t.held.iter().map(|h| words::lock(h)).collect();
                    ev.extend(t.held.iter().map(|h| ev_lock(h)));
                    format!("holds {}", locks.join(" and "))
                } else if t.holds_shown {
                    "holds nothing the report shows".to_string()
                } else {
                    "holds locks the report does not print".to_string()
                };
                let waits = match t.wait {
                    Some(w) => {
                        ev.push(ev_lock(w));
                        let by = match v.blocker_of(t.n) {
                            Some(b) => format!(", held by {}", words::trx(b)),
                            None => unlisted_holders(t),
                        };
                        format!(" and waits for {}{by}", words::lock(w))
                    }
                    None => " and waits for nothing".to_string(),
                };
                format!("{} {holds}{waits}", words::trx_stmt(t))
            })
            .collect();
        let mut s = format!(
            "No catalogue pattern matches this deadlock. In plain words: {}.",
            parts.join("; ")
        );
        let (near, missing) = nearest(v);
        s.push_str(&format!(
            " The nearest pattern is `{near}`; what the report does not show for it: {missing}."
        ));
        v.close_summary(&mut s, Confidence::Low);
        s
    };
    Finding {
        pattern: UNCLASSIFIED,
        confidence: Confidence::Low,
        summary,
        evidence: evidence(ev),
        fix: "Find the statements that ran earlier in each transaction (the report shows only \
              the current one): the locks they left are the other half of the cycle. Then make \
              every write path take its locks in one global order (sort keys, parent before \
              child), keep transactions short, and retry on error 1213."
            .to_string(),
        contributing: false,
        alternatives: Vec::new(),
    }
}

/// The catalogue entry whose shape is closest to the cycle, and the one fact the report lacks
/// to prove it — so an unclassified deadlock still points somewhere.
/// MariaDB's `CONFLICTING WITH` locks of transactions the report does not list (a copy that
/// quotes one transaction): `, conflicting with trx 2067's S record-only lock`.
fn unlisted_holders(t: &super::facts::Trx) -> String {
    let others: Vec<String> =
        t.t.conflicting_with
            .iter()
            .filter(|l| !l.trx_id.is_empty() && l.trx_id != t.t.trx_id)
            .map(|l| format!("trx {}'s {}", l.trx_id, words::kind(l)))
            .collect();
    if others.is_empty() {
        String::new()
    } else {
        format!(", conflicting with {}", others.join(" and "))
    }
}

fn nearest(v: &View) -> (&'static str, &'static str) {
    use super::facts::{is_insert_intention, is_record_part, is_s, is_x, same_index};
    let waits: Vec<_> = v.waiters().collect();
    let any_held = v.trx.iter().any(|t| !t.held.is_empty());
    // An X request that conflicts with an S lock on the record: the upgrade's half.
    let x_behind_s = waits.iter().any(|(t, w)| {
        is_x(w)
            && is_record_part(w)
            && t.t
                .conflicting_with
                .iter()
                .any(|c| is_s(c) && is_record_part(c) && c.trx_id != t.t.trx_id)
    });
    if waits.iter().any(|(_, w)| is_insert_intention(w)) {
        return (
            "gap-then-insert",
            "which gap or next-key lock the inserter waits for, and which earlier statement took \
             it (a locking read or a range UPDATE/DELETE)",
        );
    }
    if x_behind_s || v.trx.iter().any(|t| t.held.iter().any(|h| is_s(h))) {
        return (
            "s-to-x-upgrade",
            "that the transaction holding S is the one that now wants X on the same record",
        );
    }
    let first = waits.first().map(|(_, w)| *w);
    let split_indexes = first.is_some_and(|f| {
        waits
            .iter()
            .any(|(_, w)| w.table == f.table && !same_index(w, f))
    });
    if split_indexes {
        return (
            "index-order-inversion",
            "the locks each transaction holds on the other index of the table",
        );
    }
    if any_held {
        (
            "inconsistent-order",
            "that each transaction holds the very row the other waits for (record dumps)",
        )
    } else {
        (
            "inconsistent-order",
            "the locks each transaction holds (the server printed none for some of them)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    #[test]
    fn the_cycle_is_told_in_plain_words() {
        let r101 = || rec(3, 0, &["80000065", "000000000017", "06000001360110"]);
        let r205 = || rec(5, 0, &["800000cd", "000000000018", "07000001370110"]);
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "24", "UPDATE orders SET n = 1 WHERE id = 101")
            .waits(lock(
                "X rec wait",
                "orders",
                "PRIMARY",
                3,
                "24",
                vec![r101()],
            ))
            .conflicts(lock("X rec", "orders", "PRIMARY", 3, "23", vec![r101()]))
            .trx(2, "23", "UPDATE orders SET n = 1 WHERE id = 205")
            .waits(lock(
                "X rec wait",
                "orders",
                "PRIMARY",
                3,
                "23",
                vec![r205()],
            ))
            .conflicts(lock("X rec", "orders", "PRIMARY", 3, "24", vec![r205()]))
            .victim(1);
        let f = explain(&View::new(&d));
        assert_eq!(f.pattern, UNCLASSIFIED);
        assert!(
            f.summary.contains(
                "trx (1) running `UPDATE orders SET n = 1 WHERE id = 101` holds X record-only \
                 lock on `test`.`orders` PRIMARY 205 and waits for X record-only lock on \
                 `test`.`orders` PRIMARY 101, held by trx (2)"
            ),
            "{}",
            f.summary
        );
    }
}
