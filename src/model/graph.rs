//! The wait-for graph of a deadlock: who waits for whom, on which lock. Built from what the
//! report shows, which differs by server (format-spec §3.1–§3.3), and marked when inferred.

use serde::Serialize;

use super::lock::Lock;
use super::transaction::Transaction;

/// How an edge was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeSource {
    /// A lock printed under the holder's `HOLDS THE LOCK(S)` blocks the waiter's request.
    Holds,
    /// MariaDB's `CONFLICTING WITH:` names the holder's trx id.
    ConflictingWith,
    /// Not printed: the two-transaction layout implies it (5.x, 8.0 ≤ 8.0.17 print nothing
    /// held by transaction 1), or the printed order of an 8.0.18+ cycle.
    Inferred,
}

/// `waiter` waits for `holder` (both are the printed `(n)` numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitEdge {
    pub waiter: u32,
    pub holder: u32,
    /// The header line of the awaited lock, as printed.
    pub lock: std::sync::Arc<str>,
    pub source: EdgeSource,
}

/// All edges; a deadlock normally forms one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct WaitForGraph {
    pub edges: Vec<WaitEdge>,
    /// The transactions on the cycle in wait order (`1 → 2 → 1` is `[1, 2]`), when closed.
    pub cycle: Vec<u32>,
}

impl WaitForGraph {
    /// Derives the graph from the printed transactions.
    pub fn build(transactions: &[Transaction]) -> WaitForGraph {
        let mut edges = Vec::new();
        for waiter in transactions {
            let Some(wait) = &waiter.waits_for else {
                continue;
            };
            if let Some(edge) = edge_for(waiter, wait, transactions) {
                edges.push(edge);
            }
        }
        let cycle = find_cycle(&edges);
        WaitForGraph { edges, cycle }
    }

    /// The edge leaving `waiter`, if known.
    pub fn edge_from(&self, waiter: u32) -> Option<&WaitEdge> {
        self.edges.iter().find(|e| e.waiter == waiter)
    }
}

fn edge_for(waiter: &Transaction, wait: &Lock, all: &[Transaction]) -> Option<WaitEdge> {
    let make = |holder: u32, source| WaitEdge {
        waiter: waiter.number,
        holder,
        lock: wait.text.clone(),
        source,
    };
    // 1. Another transaction prints a held lock that blocks this request.
    let by_holds = all
        .iter()
        .filter(|t| t.number != waiter.number)
        .find(|t| t.holds.iter().any(|h| h.may_block(wait)));
    if let Some(holder) = by_holds {
        return Some(make(holder.number, EdgeSource::Holds));
    }
    // 2. MariaDB: the conflicting locks name their owner's trx id.
    let by_conflict = waiter
        .conflicting_with
        .iter()
        .filter(|c| c.trx_id != waiter.trx_id)
        .find_map(|c| {
            all.iter()
                .find(|t| t.number != waiter.number && t.trx_id == c.trx_id)
        });
    if let Some(holder) = by_conflict {
        return Some(make(holder.number, EdgeSource::ConflictingWith));
    }
    // 3. Printed order: with two transactions each waits for the other; 8.0.18+ prints a cycle
    //    where (i) waits for (i+1).
    let n = all.len();
    if n >= 2 && all.iter().all(|t| t.waits_for.is_some()) {
        let pos = all.iter().position(|t| t.number == waiter.number)?;
        let holder = &all[(pos + 1) % n];
        return Some(make(holder.number, EdgeSource::Inferred));
    }
    if n == 2 {
        let other = all.iter().find(|t| t.number != waiter.number)?;
        return Some(make(other.number, EdgeSource::Inferred));
    }
    None
}

fn find_cycle(edges: &[WaitEdge]) -> Vec<u32> {
    let Some(first) = edges.first() else {
        return Vec::new();
    };
    let mut path = vec![first.waiter];
    let mut current = first.holder;
    while !path.contains(&current) {
        path.push(current);
        match edges.iter().find(|e| e.waiter == current) {
            Some(next) => current = next.holder,
            None => return Vec::new(),
        }
    }
    let start = path.iter().position(|&t| t == current).unwrap_or(0);
    path.split_off(start)
}
