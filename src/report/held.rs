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

/// What the held-locks list shows, and what it folds away.
pub struct Listed<'a> {
    /// The groups worth a line: waiting ones first, then the largest.
    pub shown: Vec<&'a HeldLocks>,
    /// Groups past the first `SHOWN` (none with `--full`).
    pub more: usize,
    /// Intention table locks (IS, IX) folded into a count.
    pub intention: usize,
    /// Waiting groups left to the blocking tree, which shows them with their holder.
    pub waiting: usize,
}

/// The groups worth a line; `tree` when the blocking tree above already shows the waiting ones.
pub fn listed(held: &[HeldLocks], full: bool, tree: bool) -> Listed<'_> {
    let mut shown: Vec<&HeldLocks> = held.iter().filter(|g| !intention(g)).collect();
    let intention = held.len() - shown.len();
    let before = shown.len();
    if tree {
        shown.retain(|g| g.status != "waiting");
    }
    let waiting = before - shown.len();
    shown.sort_by_key(|g| (g.status != "waiting", std::cmp::Reverse(g.count)));
    let more = if full {
        0
    } else {
        shown.len().saturating_sub(SHOWN)
    };
    shown.truncate(shown.len() - more);
    Listed {
        shown,
        more,
        intention,
        waiting,
    }
}
