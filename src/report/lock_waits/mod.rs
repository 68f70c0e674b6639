//! Lock waits in the reports: the blocking tree as text (head blockers at the roots, each waiter
//! under what it waits for) and the `lock_waits[]` objects of the JSON formats.

mod history;
mod json;
mod locks_held;
mod tree;
mod trx;

use super::text::Page;
use crate::model::LockWait;
use crate::sink::LockWaits;
use history::history_text;
pub(super) use json::{FindingLine, LockWaitJson};
use locks_held::held_text;
use tree::tree_text;

/// Renders the blocking tree, the locks held and the findings.
pub(super) fn text(page: &mut Page, waits: &LockWaits, full: bool) {
    if !waits.waits.is_empty() {
        tree_text(page, waits, full);
    }
    held_text(page, waits, full);
    for f in &waits.findings {
        page.finding(f);
    }
    history_text(page, waits, full);
}

/// Waiters listed under one blocker before the rest are counted (all of them with `--full`): a
/// storm queues hundreds of sessions behind one transaction, and the report stays a screenful.
pub(super) const WAITERS_SHOWN: usize = 5;

/// `… and 95 more waiting (--full lists them): 95 for X record-only locks on `shop`.`orders`
/// PRIMARY`: the waits past the first few, counted by the lock they want.
pub(super) fn waits_folded(rest: &[&LockWait]) -> Option<String> {
    if rest.is_empty() {
        return None;
    }
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for w in rest {
        let what = crate::diagnose::lock_kind_phrase(&w.lock);
        match kinds.iter_mut().find(|(k, _)| *k == what) {
            Some((_, n)) => *n += 1,
            None => kinds.push((what, 1)),
        }
    }
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    let parts: Vec<String> = kinds
        .iter()
        .take(3)
        .map(|(k, n)| match n {
            1 => format!("1 for {k}"),
            n => format!("{n} for {}", k.replacen(" lock on ", " locks on ", 1)),
        })
        .collect();
    let etc = if kinds.len() > 3 { "; …" } else { "" };
    Some(format!(
        "… and {} more waiting (--full lists them): {}{etc}",
        rest.len(),
        parts.join("; ")
    ))
}
