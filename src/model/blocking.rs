//! The blocking tree of a moment's lock waits: head blockers (holding locks, waiting for
//! nothing) at the roots, each waiter under what it waits for.

use std::collections::{HashMap, HashSet};

use super::lock_wait::{LockWait, TrxSummary};

/// Read-only views over a set of lock waits, indexed once: an incident can have thousands of
/// waiters, so no view compares every wait with every other.
#[derive(Debug, Clone)]
pub struct BlockingTree<'a> {
    pub waits: &'a [LockWait],
    /// Blocker trx id → its waits, in input order.
    behind: HashMap<&'a str, Vec<&'a LockWait>>,
    /// Trx ids that wait for something.
    waiting: HashSet<&'a str>,
}

impl<'a> BlockingTree<'a> {
    pub fn new(waits: &'a [LockWait]) -> BlockingTree<'a> {
        let mut behind: HashMap<&str, Vec<&LockWait>> = HashMap::new();
        for w in waits {
            if let Some(b) = &w.blocking {
                behind.entry(b.trx_id.as_str()).or_default().push(w);
            }
        }
        BlockingTree {
            waits,
            behind,
            waiting: waits.iter().map(|w| w.requesting.trx_id.as_str()).collect(),
        }
    }

    /// Whether `trx_id` waits for a lock itself.
    pub fn is_waiting(&self, trx_id: &str) -> bool {
        self.waiting.contains(trx_id)
    }

    /// Transactions that block others and wait for nothing themselves, in input order.
    pub fn heads(&self) -> Vec<&'a TrxSummary> {
        let mut heads: Vec<&TrxSummary> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for b in self.waits.iter().filter_map(|w| w.blocking.as_ref()) {
            if !self.is_waiting(&b.trx_id) && seen.insert(b.trx_id.as_str()) {
                heads.push(b);
            }
        }
        heads
    }

    /// The waits directly behind `trx_id`.
    pub fn waiting_for(&self, trx_id: &str) -> Vec<&'a LockWait> {
        self.behind.get(trx_id).cloned().unwrap_or_default()
    }

    /// How many transactions wait behind `trx_id`, directly or through others.
    pub fn queue_len(&self, trx_id: &str) -> usize {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut todo = vec![trx_id];
        while let Some(t) = todo.pop() {
            for w in self.behind.get(t).into_iter().flatten() {
                let r = w.requesting.trx_id.as_str();
                if r != trx_id && seen.insert(r) {
                    todo.push(r);
                }
            }
        }
        seen.len()
    }

    /// Waits whose blocker the input does not name.
    pub fn unattributed(&self) -> impl Iterator<Item = &'a LockWait> {
        self.waits.iter().filter(|w| w.blocking.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LockKind, TableName, WaitedLock};

    fn wait(r: &str, b: &str) -> LockWait {
        LockWait {
            requesting: TrxSummary {
                trx_id: r.into(),
                ..TrxSummary::default()
            },
            blocking: Some(TrxSummary {
                trx_id: b.into(),
                ..TrxSummary::default()
            }),
            lock: WaitedLock {
                table: TableName::default(),
                index: None,
                mode: "X".into(),
                kind: LockKind::RecNotGap,
                lock_data: None,
                space: None,
                page: None,
                heap_no: None,
                record: None,
                text: String::new(),
            },
            wait_secs: None,
            sources: Vec::new(),
            line: 0,
            inferred: false,
        }
    }

    #[test]
    fn heads_and_queues() {
        let waits = [
            wait("2", "1"),
            wait("3", "2"),
            wait("4", "1"),
            wait("6", "5"),
        ];
        let tree = BlockingTree::new(&waits);
        let heads: Vec<&str> = tree.heads().iter().map(|t| t.trx_id.as_str()).collect();
        assert_eq!(heads, ["1", "5"]);
        assert_eq!(tree.queue_len("1"), 3);
        assert_eq!(tree.queue_len("5"), 1);
    }
}
