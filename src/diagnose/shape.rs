//! A deadlock's shape: what makes two deadlocks "the same collision", as a short stable id. A
//! week of error log is hundreds of deadlocks and a handful of shapes; the summary ranks them,
//! and CI compares them with a baseline.
//!
//! Two deadlocks have the same shape when they have the same main pattern and their
//! transactions, taken in any order, match one for one: the same statement fingerprint
//! (`sql::fingerprint`: values taken out) and the same locks held and waited for (table, index,
//! mode and kind; not which records). The id is the first 12 hex digits of the 64-bit FNV-1a
//! hash of that description (version `v1`), so it is the same across runs, machines and
//! lockscope versions; a change to what goes into it must change the version.

use super::sql::fingerprint;
use crate::model::{Deadlock, Lock};

/// The shape of one deadlock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// 12 hex digits.
    pub id: String,
    /// Each transaction's statement fingerprint, in the report's order (`None`: no statement).
    pub statements: Vec<Option<String>>,
}

/// The shape of `d`, whose main finding is `pattern` (`unclassified` when none).
pub fn shape(d: &Deadlock, pattern: &str) -> Shape {
    let statements: Vec<Option<String>> = d
        .transactions
        .iter()
        .map(|t| t.query.as_deref().map(fingerprint))
        .collect();
    // Each side: `statement \x1f held;held \x1f waited` (held keys sorted, each once).
    let mut sides: Vec<String> = d
        .transactions
        .iter()
        .zip(&statements)
        .map(|(t, statement)| {
            let mut held: Vec<String> = t
                .holds
                .iter()
                .map(|l| {
                    let mut key = String::with_capacity(64);
                    push_lock_key(&mut key, l);
                    key
                })
                .collect();
            held.sort_unstable();
            held.dedup();
            let statement = statement.as_deref().unwrap_or("-");
            let mut side = String::with_capacity(statement.len() + 64 * (held.len() + 1));
            side.push_str(statement);
            side.push('\u{1f}');
            for (i, key) in held.iter().enumerate() {
                if i > 0 {
                    side.push(';');
                }
                side.push_str(key);
            }
            side.push('\u{1f}');
            if let Some(l) = &t.waits_for {
                push_lock_key(&mut side, l);
            }
            side
        })
        .collect();
    sides.sort_unstable();
    // The hash of `v1\n{pattern}\n{sides joined by \n}`, fed in pieces.
    let mut hash = Fnv1a::new();
    hash.write(b"v1\n");
    hash.write(pattern.as_bytes());
    hash.write(b"\n");
    for (i, side) in sides.iter().enumerate() {
        if i > 0 {
            hash.write(b"\n");
        }
        hash.write(side.as_bytes());
    }
    Shape {
        id: format!("{:012x}", hash.0 >> 16),
        statements,
    }
}

/// `test.accounts|PRIMARY|X|record-only`: a lock without its records.
fn push_lock_key(out: &mut String, l: &Lock) {
    if let Some(schema) = &l.table.schema {
        out.push_str(schema);
        out.push('.');
    }
    out.push_str(&l.table.table);
    out.push('|');
    out.push_str(l.index().unwrap_or("-"));
    // The kind's JSON name: fixed by the JSON contract, and by the pinned ids here.
    for part in ["|", l.mode.as_str(), "|", l.kind.as_str()] {
        out.push_str(part);
    }
}

/// 64-bit FNV-1a: tiny, and fixed forever (unlike `std`'s hasher).
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_deadlock;
    use crate::text::Chunk;

    fn deadlock(text: &str) -> Deadlock {
        let mut chunk = Chunk::new();
        for (i, line) in text.lines().enumerate() {
            chunk.push(i + 1, line);
        }
        parse_deadlock("t", &chunk).0
    }

    const REPORT: &str = "*** (1) TRANSACTION:
TRANSACTION 3109, ACTIVE 25 sec starting index read
mysql tables in use 1, locked 1
MySQL thread id 2243, OS thread handle 1, query id 9 localhost app updating
update t set name = 'a' where id = 2
*** (1) HOLDS THE LOCK(S):
RECORD LOCKS space id 3 page no 4 n bits 72 index PRIMARY of table `db`.`t` trx id 3109 lock_mode X locks rec but not gap
*** (1) WAITING FOR THIS LOCK TO BE GRANTED:
RECORD LOCKS space id 3 page no 4 n bits 72 index PRIMARY of table `db`.`t` trx id 3109 lock_mode X locks rec but not gap waiting
*** (2) TRANSACTION:
TRANSACTION 3108, ACTIVE 30 sec starting index read
mysql tables in use 1, locked 1
MySQL thread id 2244, OS thread handle 2, query id 10 localhost app updating
update t set name = 'b' where id = 1
*** (2) HOLDS THE LOCK(S):
RECORD LOCKS space id 3 page no 4 n bits 72 index PRIMARY of table `db`.`t` trx id 3108 lock_mode X locks rec but not gap
*** (2) WAITING FOR THIS LOCK TO BE GRANTED:
RECORD LOCKS space id 3 page no 4 n bits 72 index PRIMARY of table `db`.`t` trx id 3108 lock_mode X locks rec but not gap waiting
*** WE ROLL BACK TRANSACTION (2)
";

    #[test]
    fn the_id_is_pinned() {
        // Stable across versions: if this changes, the baseline files of every user break.
        let s = shape(&deadlock(REPORT), "inconsistent-order");
        assert_eq!(s.id, "173474c88fac");
        assert_eq!(
            s.statements,
            [
                Some("update t set name=? where id=?".to_string()),
                Some("update t set name=? where id=?".to_string())
            ]
        );
    }

    #[test]
    fn values_and_transaction_order_do_not_matter_statements_and_locks_do() {
        let base = shape(&deadlock(REPORT), "inconsistent-order").id;
        let values = REPORT.replace("id = 2", "id = 77").replace("3109", "4109");
        assert_eq!(shape(&deadlock(&values), "inconsistent-order").id, base);
        // The two transactions swapped.
        let (one, two) = REPORT.split_at(REPORT.find("*** (2) TRANSACTION:").unwrap());
        let two = two.replace("*** WE ROLL BACK TRANSACTION (2)\n", "");
        let swapped = format!(
            "{}{}*** WE ROLL BACK TRANSACTION (1)\n",
            two.replace("(2)", "(1)"),
            one.replace("(1)", "(2)")
        );
        assert_eq!(shape(&deadlock(&swapped), "inconsistent-order").id, base);
        // Another statement on the same index.
        let other = REPORT.replace("set name = 'a'", "set note = 'a'");
        assert_ne!(shape(&deadlock(&other), "inconsistent-order").id, base);
        // Another lock kind.
        let other = REPORT.replace("locks rec but not gap waiting", "waiting");
        assert_ne!(shape(&deadlock(&other), "inconsistent-order").id, base);
        // Another pattern.
        assert_ne!(shape(&deadlock(REPORT), "unclassified").id, base);
    }
}
