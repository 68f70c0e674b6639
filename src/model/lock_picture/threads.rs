//! Whose thread a lock row's `THREAD_ID` is. InnoDB records, on each lock struct, the thread
//! that created it; a transaction's table locks (IS, IX, AUTO_INC) are always created by its
//! own thread, but a record lock made from an implicit one (an uncommitted insert's, when
//! another transaction reads or writes the row: `lock_rec_convert_impl_to_expl`) is created
//! by the *converting* thread — the waiter's. So the holder's record lock shows the waiter's
//! `THREAD_ID` (`data_locks`, and `BLOCKING_THREAD_ID` of `data_lock_waits`), and a `KILL`
//! derived from it would end the waiter. The owner's thread is taken from its table locks;
//! failing that, a holder thread equal to the waiter's is set aside as not the holder's.

use std::collections::HashMap;

use super::held::HeldLocks;
use crate::model::lock_mode::LockKind;
use crate::model::lock_wait::{LockWait, TrxSummary};

/// Each transaction's own `THREAD_ID`, from its table locks (their first one).
pub(super) fn owner_threads(held: &[HeldLocks]) -> HashMap<&str, u64> {
    let mut owners: HashMap<&str, u64> = HashMap::new();
    for g in held.iter().filter(|g| g.kind == LockKind::Table) {
        if let Some(ps) = g.ps_thread_id {
            owners.entry(g.trx_id.as_str()).or_insert(ps);
        }
    }
    owners
}

/// Puts each blocker's own `THREAD_ID` in place of one its lock row borrowed from the waiter
/// (before the thread id is turned into a processlist id to `KILL`).
pub(super) fn correct_blockers(waits: &mut [LockWait], owners: &HashMap<&str, u64>) {
    for w in waits {
        let requesting = w.requesting.ps_thread_id;
        let Some(b) = &mut w.blocking else { continue };
        if b.trx_id == w.requesting.trx_id {
            continue;
        }
        correct(b, owners.get(b.trx_id.as_str()).copied(), requesting);
    }
}

/// `b`'s `THREAD_ID`: its own (`owner`) when known, else none if it is the waiter's.
fn correct(b: &mut TrxSummary, owner: Option<u64>, waiter: Option<u64>) {
    match (b.ps_thread_id, owner) {
        (Some(shown), Some(own)) if shown != own => {
            b.foreign_ps_thread_id = Some(shown);
            b.ps_thread_id = Some(own);
        }
        (None, Some(own)) => b.ps_thread_id = Some(own),
        (Some(shown), None) if Some(shown) == waiter => {
            b.foreign_ps_thread_id = Some(shown);
            b.ps_thread_id = None;
        }
        _ => {}
    }
}

/// The held groups with each record group's `THREAD_ID` made its owner's (from the owner's
/// table locks), or cleared when it is another transaction's and the owner's is not shown.
pub(super) fn correct_held(groups: &mut [HeldLocks]) {
    let owners: HashMap<String, u64> = owner_threads(groups)
        .into_iter()
        .map(|(t, ps)| (t.to_string(), ps))
        .collect();
    // Threads that are some transaction's own: the owner of a table lock.
    let claimed: HashMap<u64, &str> = owners.iter().map(|(t, ps)| (*ps, t.as_str())).collect();
    let mut fixes = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let Some(shown) = g.ps_thread_id else {
            continue;
        };
        let fixed = match owners.get(g.trx_id.as_str()) {
            Some(own) => Some(*own),
            None if claimed.get(&shown).is_some_and(|t| *t != g.trx_id.as_str()) => None,
            None => continue,
        };
        if fixed != Some(shown) {
            fixes.push((i, fixed));
        }
    }
    for (i, fixed) in fixes {
        if let Some(g) = groups.get_mut(i) {
            g.ps_thread_id = fixed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocker(ps: Option<u64>) -> TrxSummary {
        TrxSummary {
            trx_id: "2836".into(),
            ps_thread_id: ps,
            ..TrxSummary::default()
        }
    }

    #[test]
    fn the_owner_thread_wins_over_the_converting_one() {
        // See: fixtures/lock-tables/public/055 (holder's IX row 69, its record row 68).
        let mut b = blocker(Some(68));
        correct(&mut b, Some(69), Some(68));
        assert_eq!(
            (b.ps_thread_id, b.foreign_ps_thread_id),
            (Some(69), Some(68))
        );
    }

    #[test]
    fn the_waiters_thread_is_never_the_blockers() {
        // See: fixtures/lock-tables/public/054 (REQUESTING_ and BLOCKING_THREAD_ID both 64).
        let mut b = blocker(Some(64));
        correct(&mut b, None, Some(64));
        assert_eq!((b.ps_thread_id, b.foreign_ps_thread_id), (None, Some(64)));
        let mut b = blocker(Some(70));
        correct(&mut b, None, Some(64));
        assert_eq!((b.ps_thread_id, b.foreign_ps_thread_id), (Some(70), None));
    }
}
