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
    /// Wait-for cycles, each as the trx ids around it.
    cycles: Vec<Vec<&'a str>>,
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
            cycles: cycles(waits),
        }
    }

    /// Transactions that wait for each other around a cycle: none of them is a head blocker,
    /// and none can go on (a deadlock InnoDB did not resolve — `innodb_deadlock_detect=OFF`
    /// — or waits copied at different moments). Each cycle as the trx ids around it.
    pub fn cycles(&self) -> &[Vec<&'a str>] {
        &self.cycles
    }

    /// Whether `trx_id` is on a wait-for cycle.
    pub fn in_cycle(&self, trx_id: &str) -> bool {
        self.cycles.iter().any(|c| c.contains(&trx_id))
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

    /// The processlist id to `KILL` to end `t`, unless the input gives reason to doubt that it
    /// is `t`'s own: a thread waiting for a lock under another transaction is that one's.
    pub fn kill_id(&self, t: &TrxSummary) -> Option<u64> {
        let id = t.thread_id?;
        let borrowed = self.waiters_other_than(t).any(|w| w.thread_id == Some(id));
        (!borrowed).then_some(id)
    }

    /// The `performance_schema` `THREAD_ID` of `t` to look a processlist id up by, under the
    /// same doubt as [`kill_id`](Self::kill_id).
    pub fn kill_ps_thread(&self, t: &TrxSummary) -> Option<u64> {
        let ps = t.ps_thread_id?;
        let borrowed = self
            .waiters_other_than(t)
            .any(|w| w.ps_thread_id == Some(ps));
        (!borrowed).then_some(ps)
    }

    /// A thread the input shows for `t` that is another (waiting) transaction's: `THREAD_ID`
    /// (true) or processlist id (false), and the id. The reason no `KILL` is suggested.
    pub fn borrowed_thread(&self, t: &TrxSummary) -> Option<(bool, u64)> {
        let waiter = |f: &dyn Fn(&TrxSummary) -> Option<u64>| {
            let id = f(t)?;
            self.waiters_other_than(t)
                .any(|w| f(w) == Some(id))
                .then_some(id)
        };
        waiter(&|w| w.ps_thread_id)
            .map(|ps| (true, ps))
            .or_else(|| waiter(&|w| w.thread_id).map(|id| (false, id)))
            .or_else(|| t.foreign_ps_thread_id.map(|ps| (true, ps)))
    }

    /// The waiting transactions other than `t` (metadata-lock sessions aside: a session and
    /// its InnoDB transaction share a thread).
    fn waiters_other_than<'t>(
        &'t self,
        t: &'t TrxSummary,
    ) -> impl Iterator<Item = &'a TrxSummary> + 't
    where
        'a: 't,
    {
        self.waits
            .iter()
            .map(|w| &w.requesting)
            .filter(move |w| w.trx_id != t.trx_id && !w.is_session() && !t.is_session())
    }

    /// Waits whose blocker the input does not name.
    pub fn unattributed(&self) -> impl Iterator<Item = &'a LockWait> {
        self.waits.iter().filter(|w| w.blocking.is_none())
    }
}

/// The wait-for cycles of `waits`: transactions that neither only wait nor only block are
/// peeled off until those left each wait for, and are waited for by, another one left; from
/// each of them, in input order, the first wait is followed round to a transaction seen.
fn cycles(waits: &[LockWait]) -> Vec<Vec<&str>> {
    let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut into: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for w in waits {
        let Some(b) = &w.blocking else { continue };
        let (r, b) = (w.requesting.trx_id.as_str(), b.trx_id.as_str());
        if r == b {
            continue;
        }
        if !out.contains_key(r) {
            order.push(r);
        }
        out.entry(r).or_default().push(b);
        into.entry(b).or_default().push(r);
    }
    let mut left: HashSet<&str> = out
        .keys()
        .copied()
        .filter(|t| into.contains_key(t))
        .collect();
    loop {
        let peel: Vec<&str> = left
            .iter()
            .copied()
            .filter(|t| {
                let waits_left = out.get(t).into_iter().flatten().any(|b| left.contains(b));
                let waited_left = into.get(t).into_iter().flatten().any(|r| left.contains(r));
                !(waits_left && waited_left)
            })
            .collect();
        if peel.is_empty() {
            break;
        }
        for t in peel {
            left.remove(t);
        }
    }
    let mut cycles = Vec::new();
    let mut placed: HashSet<&str> = HashSet::new();
    for start in order.into_iter().filter(|t| left.contains(t)) {
        if placed.contains(start) {
            continue;
        }
        let mut walk: Vec<&str> = vec![start];
        let mut at = start;
        while let Some(next) = out
            .get(at)
            .into_iter()
            .flatten()
            .copied()
            .find(|b| left.contains(b))
        {
            if let Some(i) = walk.iter().position(|t| *t == next) {
                let cycle: Vec<&str> = walk.split_off(i);
                if cycle.iter().all(|t| !placed.contains(t)) {
                    placed.extend(cycle.iter().copied());
                    cycles.push(cycle);
                }
                break;
            }
            walk.push(next);
            at = next;
        }
        placed.insert(start);
    }
    cycles
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

    #[test]
    fn a_wait_for_cycle_has_no_head() {
        // See: fixtures/lock-tables/public/057 (hunt P18): 12345 and 12346 wait for each other.
        let waits = [
            wait("12345", "12346"),
            wait("12346", "12345"),
            wait("7", "12345"),
        ];
        let tree = BlockingTree::new(&waits);
        assert!(tree.heads().is_empty());
        assert_eq!(tree.cycles(), [vec!["12345", "12346"]]);
        assert!(!tree.in_cycle("7"));
        let tree = BlockingTree::new(&waits[2..]);
        assert!(tree.cycles().is_empty());
        let three = [
            wait("1", "2"),
            wait("2", "3"),
            wait("3", "1"),
            wait("4", "5"),
        ];
        assert_eq!(BlockingTree::new(&three).cycles(), [vec!["1", "2", "3"]]);
    }

    #[test]
    fn no_kill_for_a_thread_that_waits() {
        // See: fixtures/lock-tables/public/054 (REQUESTING_ and BLOCKING_THREAD_ID both 64).
        let mut w = wait("422037508068888", "15902");
        w.requesting.ps_thread_id = Some(64);
        w.requesting.thread_id = Some(24);
        let mut b = w.blocking.clone().unwrap();
        b.ps_thread_id = Some(64);
        b.thread_id = Some(24);
        let waits = [w];
        let tree = BlockingTree::new(&waits);
        assert_eq!(tree.kill_id(&b), None);
        assert_eq!(tree.kill_ps_thread(&b), None);
        assert_eq!(tree.borrowed_thread(&b), Some((true, 64)));
        b.ps_thread_id = Some(65);
        b.thread_id = Some(25);
        assert_eq!(tree.kill_id(&b), Some(25));
        assert_eq!(tree.kill_ps_thread(&b), Some(65));
        // The owner's own thread found (its table lock): the borrowed one is only noted.
        b.foreign_ps_thread_id = Some(64);
        assert_eq!(tree.kill_id(&b), Some(25));
    }
}
