//! Who holds what, from the lock tables: one line per transaction, table, index and mode, the
//! largest first, never one line per lock (a million-row `data_locks` paste is a screenful).
//! Intention table locks (IS, IX) say only that record locks follow, so the text folds them
//! into a count; the JSON keeps every group.

use crate::model::{HeldLocks, LockMode};

pub use crate::diagnose::{held_phrase as phrase, held_subject as subject, thousands};

/// Groups the text report lists before `… and N more` (all of them with `--full`).
const SHOWN: usize = 12;

fn intention(g: &HeldLocks) -> bool {
    !g.is_record() && matches!(g.mode, LockMode::IS | LockMode::IX)
}

/// The groups worth a line, waiting ones first, then the largest; and how many intention
/// table locks were folded away.
pub fn listed(held: &[HeldLocks], full: bool) -> (Vec<&HeldLocks>, usize, usize) {
    let mut shown: Vec<&HeldLocks> = held.iter().filter(|g| !intention(g)).collect();
    let folded = held.len() - shown.len();
    shown.sort_by_key(|g| (g.status != "waiting", std::cmp::Reverse(g.count)));
    let more = if full {
        0
    } else {
        shown.len().saturating_sub(SHOWN)
    };
    shown.truncate(shown.len() - more);
    (shown, more, folded)
}
