//! Waits from the lock rows alone (a `data_locks` paste without `data_lock_waits`): a `WAITING`
//! row waits for every other transaction's `GRANTED` row on the same record (same
//! `space:page:heap`, or the same table, index and `LOCK_DATA`) whose lock it must wait for
//! under InnoDB's rules — gap locks never block each other, an insert intention waits for gap
//! and next-key locks, S and X as the compatibility matrix says. Such a wait is marked
//! `inferred`. A waiting row with no such holder is still a wait, its holder unknown.
//!
//! Each waiting row is few; the granted rows may be a million: they are scanned once, against
//! the set of targets that something waits on.

use std::collections::{HashMap, HashSet};

use super::join::{waited_lock, Waits};
use super::LockPicture;
use crate::model::lock_table::{LockRow, LockStatus};
use crate::model::lock_wait::{LockWait, TrxSummary};

impl LockPicture {
    /// Adds to `waits` the waits of `WAITING` rows that no waits table (`done`) or status
    /// section already explained.
    pub(super) fn infer(&self, waits: &mut Waits, done: &[bool]) {
        let explained: HashSet<&str> = waits
            .all
            .iter()
            .map(|w| w.requesting.trx_id.as_str())
            .collect();
        let waiting: Vec<(u32, &LockRow)> = self
            .open
            .iter()
            .enumerate()
            .filter(|(i, _)| !done.get(*i).copied().unwrap_or(false))
            .map(|(_, o)| o)
            .filter(|(_, r)| r.status == Some(LockStatus::Waiting))
            .filter(|(_, r)| !explained.contains(r.trx_id.as_str()))
            .map(|(s, r)| (*s, r))
            .collect();
        if waiting.is_empty() {
            return;
        }
        // Target → the granted rows on it (group and owner), in one pass over them.
        let mut on_target: HashMap<u64, Vec<(u32, u32)>> = waiting
            .iter()
            .map(|(_, r)| (r.target_key(), Vec::new()))
            .collect();
        for g in &self.granted {
            if let Some(list) = on_target.get_mut(&g.target) {
                list.push((g.group, g.trx));
            }
        }
        for (source, w) in waiting {
            let mut blockers: Vec<TrxSummary> = Vec::new();
            for &(group, trx) in on_target.get(&w.target_key()).into_iter().flatten() {
                let (Some(held), Some(owner)) =
                    (self.held.get(group), self.trx_ids.get(trx as usize))
                else {
                    continue;
                };
                let blocks = *owner != w.trx_id
                    && w.mode.conflicts_with(&held.mode)
                    && (!w.record || w.kind.waits_for(held.kind));
                if blocks && !blockers.iter().any(|b| b.trx_id == owner.as_str()) {
                    blockers.push(TrxSummary {
                        trx_id: owner.to_string(),
                        ps_thread_id: held.ps_thread_id,
                        ..TrxSummary::default()
                    });
                }
            }
            let requesting = TrxSummary {
                trx_id: w.trx_id.to_string(),
                ps_thread_id: w.ps_thread_id,
                ..TrxSummary::default()
            };
            let wait = |blocking: Option<TrxSummary>| LockWait {
                requesting: requesting.clone(),
                blocking,
                lock: waited_lock(w),
                wait_secs: None,
                sources: vec![self.source(source)],
                line: w.line,
                inferred: true,
            };
            if blockers.is_empty() {
                waits.push(wait(None));
            }
            for b in blockers {
                waits.push(wait(Some(b)));
            }
        }
    }

    /// Pairs of rows of a table without a status column (INNODB_LOCKS) that lock the same
    /// record for different transactions: such a table lists only locks that wait or block, so
    /// one waits for the other when their modes conflict (whatever the gap flags say: an
    /// insert intention prints as `X` or `X,GAP` there), but the table does not say which.
    /// Each pair comes with the input it was read from.
    pub fn undirected_conflicts(&self) -> Vec<(&str, &LockRow, &LockRow)> {
        // Rows by target, so that only rows on one record are compared.
        let mut by_target: HashMap<u64, Vec<(u32, &LockRow)>> = HashMap::new();
        for (s, r) in self.open.iter().filter(|(_, r)| r.status.is_none()) {
            by_target.entry(r.target_key()).or_default().push((*s, r));
        }
        // A waits table read with the rows names every waiting lock and its blockers: two
        // rows it names both are explained by it, whatever it pairs them with.
        let named: HashSet<&str> = self
            .waits
            .iter()
            .flat_map(|(_, w)| [&w.requesting.lock_id, &w.blocking.lock_id])
            .flatten()
            .map(|id| id.as_str())
            .collect();
        let listed = |r: &LockRow| {
            r.lock_id
                .as_ref()
                .is_some_and(|id| named.contains(id.as_str()))
        };
        let mut pairs = Vec::new();
        for rows in by_target.values().filter(|rows| rows.len() > 1) {
            // Such tables list the few locks that wait or block; past a few thousand rows on
            // one record or table the pairs say nothing more (and would cost their square).
            let rows = rows.get(..rows.len().min(2_000)).unwrap_or_default();
            for (i, (_, a)) in rows.iter().enumerate() {
                for (source, b) in rows.iter().skip(i + 1) {
                    let conflict = a.trx_id != b.trx_id
                        && a.same_target(b)
                        && a.mode.conflicts_with(&b.mode)
                        && !plain_gap_apart(a, b)
                        && !plain_gap_apart(b, a)
                        && !(listed(a) && listed(b));
                    if conflict {
                        let input = self.inputs.get(*source as usize).map_or("", String::as_str);
                        pairs.push((input, *a, *b));
                    }
                }
            }
        }
        // In input order, as the rows were read.
        pairs.sort_by_key(|(_, a, b)| (a.line, b.line));
        pairs
    }

    /// Whether a waits table (`INNODB_LOCK_WAITS`, `data_lock_waits`, `sys.innodb_lock_waits`)
    /// was read.
    pub fn has_waits_table(&self) -> bool {
        !self.waits.is_empty()
    }
}

/// `gap` is a plain gap lock (5.x `S,GAP`: an insert intention is always `X`), and `other`
/// cannot be an insert intention (a plain `X` or `S` on a user record): a gap lock never
/// waits and blocks nothing but inserts, so the two rows are no wait (hunt3 014).
fn plain_gap_apart(gap: &LockRow, other: &LockRow) -> bool {
    use crate::model::lock_mode::{LockKind, LockMode};
    let plain_gap = gap.kind == LockKind::Gap && gap.mode == LockMode::S && !gap.is_supremum();
    let maybe_insert = other.mode == LockMode::X
        && (matches!(other.kind, LockKind::Gap | LockKind::InsertIntention) || other.is_supremum());
    plain_gap && !maybe_insert
}
