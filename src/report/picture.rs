//! What the graph formats draw, independent of their syntax: a deadlock's wait-for graph, or
//! the blocking tree of a moment's lock waits, as labelled nodes and edges. `dot` and `mermaid`
//! only spell it; the labels are worded once, here.

use super::wrap::{squash, words_within, wrap};
use crate::diagnose::trx_name;
use crate::model::{
    short_value, BlockingTree, Deadlock, EdgeSource, Lock, LockKind, LockWait, Record, TableName,
    Transaction, TrxSummary, WaitedLock,
};
use crate::sink::{Analysed, LockWaits};

/// Columns of a statement line in a node.
const STATEMENT_WIDTH: usize = 48;
/// Statement lines in a node (all of them with `--full`).
const STATEMENT_LINES: usize = 3;
/// Keys named on an edge before `+N more`.
const KEYS_SHOWN: usize = 3;

/// One graph: a deadlock, or the lock waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Unique within one output (`d1`, `waits`): prefixes the node ids.
    pub id: String,
    pub title: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// A transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// An identifier both syntaxes accept (letters, digits, `_`).
    pub id: String,
    pub lines: Vec<String>,
    pub role: NodeRole,
}

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRole {
    Plain,
    /// Rolled back by InnoDB.
    Victim,
    /// Head of a lock-wait queue, idle in its open transaction.
    IdleBlocker,
    /// Head of a lock-wait queue, running a statement (or not shown).
    RunningBlocker,
    /// A holder the input does not show.
    Unknown,
}

/// `from` waits for `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub lines: Vec<String>,
    /// Not printed by the server: implied by the report's layout (drawn dashed).
    pub inferred: bool,
}

impl Picture {
    /// The wait-for graph of deadlock number `n`.
    pub fn deadlock(n: usize, analysed: &Analysed, full: bool) -> Picture {
        let d = &analysed.deadlock;
        let id = format!("d{n}");
        let node_id = |number: u32| format!("{id}_t{number}");
        let nodes = d
            .transactions
            .iter()
            .map(|t| {
                let victim = d.victim.number == Some(t.number);
                Node {
                    id: node_id(t.number),
                    lines: trx_lines(d, t, victim, full),
                    role: if victim {
                        NodeRole::Victim
                    } else {
                        NodeRole::Plain
                    },
                }
            })
            .collect();
        let edges = d
            .graph
            .edges
            .iter()
            .map(|e| {
                let mut lines = d
                    .transaction(e.waiter)
                    .and_then(|t| t.waits_for.as_ref())
                    .map_or_else(|| vec![e.lock.to_string()], lock_lines);
                if let Some(first) = lines.first_mut() {
                    *first = format!("waits for {first}");
                }
                Edge {
                    from: node_id(e.waiter),
                    to: node_id(e.holder),
                    lines,
                    inferred: e.source == EdgeSource::Inferred,
                }
            })
            .collect();
        Picture {
            title: deadlock_title(n, analysed),
            id,
            nodes,
            edges,
        }
    }

    /// The blocking tree of the lock waits: waiter → holder, head blockers marked.
    pub fn lock_waits(waits: &LockWaits, full: bool) -> Picture {
        let tree = BlockingTree::new(&waits.waits);
        let heads = tree.heads();
        let mut picture = Picture {
            id: "waits".to_string(),
            title: format!(
                "lock waits: {} waiting, {} head blocker(s)",
                waits.waits.len(),
                heads.len()
            ),
            nodes: Vec::new(),
            edges: Vec::new(),
        };
        for w in &waits.waits {
            let from = picture.summary_node(&w.requesting, None, None, full);
            let to = match &w.blocking {
                Some(b) => {
                    let head = heads.iter().any(|h| h.trx_id == b.trx_id);
                    picture.summary_node(b, Some(head), tree.kill_id(b), full)
                }
                None => picture.unknown_node(),
            };
            picture.edges.push(Edge {
                from,
                to,
                lines: waited_lines(w),
                inferred: false,
            });
        }
        picture
    }

    /// The node of `t`, added on first sight; `head` says whether it heads a queue (`None`: it
    /// is only seen waiting here).
    fn summary_node(
        &mut self,
        t: &TrxSummary,
        head: Option<bool>,
        kill: Option<u64>,
        full: bool,
    ) -> String {
        let role = match head {
            Some(true) if t.is_idle() => NodeRole::IdleBlocker,
            Some(true) => NodeRole::RunningBlocker,
            _ => NodeRole::Plain,
        };
        let wanted = trx_name(t);
        if let Some(node) = self
            .nodes
            .iter_mut()
            .find(|n| n.lines.first() == Some(&wanted))
        {
            if role != NodeRole::Plain {
                node.role = role;
                node.lines = summary_lines(t, role, kill, full);
            }
            return node.id.clone();
        }
        let id = format!("{}_{}", self.id, self.nodes.len() + 1);
        self.nodes.push(Node {
            id: id.clone(),
            lines: summary_lines(t, role, kill, full),
            role,
        });
        id
    }

    fn unknown_node(&mut self) -> String {
        let id = format!("{}_unknown", self.id);
        if !self.nodes.iter().any(|n| n.id == id) {
            self.nodes.push(Node {
                id: id.clone(),
                lines: vec![
                    "holder not shown".to_string(),
                    "(add the lock tables)".to_string(),
                ],
                role: NodeRole::Unknown,
            });
        }
        id
    }
}

/// `deadlock 1 · status.txt:18 · 2026-11-21 05:24:29 · inconsistent-order`.
pub fn deadlock_title(n: usize, analysed: &Analysed) -> String {
    let d = &analysed.deadlock;
    let mut parts = vec![format!("deadlock {n}"), format!("{}:{}", d.input, d.line)];
    if let Some(ts) = &d.timestamp {
        parts.push(ts.clone());
    }
    if d.too_deep {
        parts.push("TOO DEEP: InnoDB gave up the search".to_string());
    }
    if let Some(f) = analysed.main_pattern() {
        parts.push(f.to_string());
    }
    parts.join(" · ")
}

fn trx_lines(d: &Deadlock, t: &Transaction, victim: bool, full: bool) -> Vec<String> {
    let mut lines = vec![format!("({}) trx {}", t.number, t.trx_id)];
    let mut who = Vec::new();
    if let Some(id) = t.thread_id {
        who.push(format!("thread {id}"));
    }
    if let Some(u) = t.user_at_host() {
        who.push(u);
    }
    if !who.is_empty() {
        lines.push(who.join(", "));
    }
    match &t.query {
        Some(q) => lines.extend(statement_lines(q, full)),
        None => lines.push("(no statement printed)".to_string()),
    }
    if victim {
        lines.push("VICTIM: rolled back".to_string());
    } else if d.too_deep {
        lines.push("rolled back (TOO DEEP)".to_string());
    }
    lines
}

/// `kill`: the processlist id to end `t` with, when it is proven `t`'s
/// (`BlockingTree::kill_id`).
fn summary_lines(t: &TrxSummary, role: NodeRole, kill: Option<u64>, full: bool) -> Vec<String> {
    let mut lines = vec![trx_name(t)];
    let mut who = Vec::new();
    if let Some(id) = t.thread_id {
        who.push(format!("thread {id}"));
    }
    match (&t.user, &t.host) {
        (Some(u), Some(h)) => who.push(format!("{u}@{h}")),
        (Some(u), None) => who.push(u.clone()),
        _ => {}
    }
    if !who.is_empty() {
        lines.push(who.join(", "));
    }
    let age = t
        .command_secs
        .or(t.active_secs)
        .map(|s| format!(" {s} s"))
        .unwrap_or_default();
    match role {
        NodeRole::IdleBlocker => {
            lines.push(format!("HEAD BLOCKER: idle{age}, no statement"));
        }
        NodeRole::RunningBlocker => lines.push(format!("HEAD BLOCKER: running{age}")),
        _ => {}
    }
    match &t.query {
        Some(q) => lines.extend(statement_lines(q, full)),
        None if role == NodeRole::IdleBlocker => {}
        None if t.query_known => lines.push("(no statement)".to_string()),
        None => lines.push("(statement not shown)".to_string()),
    }
    if role != NodeRole::Plain {
        if let Some(id) = kill {
            lines.push(format!("to unblock: KILL {id}"));
        }
    }
    lines
}

/// A statement on one squashed line, wrapped; shortened to a few lines unless `full`.
pub fn statement_lines(query: &str, full: bool) -> Vec<String> {
    let squashed = squash(query);
    if full {
        return wrap(&squashed, STATEMENT_WIDTH, "", "");
    }
    // Only the first lines are kept: the words after them cannot change them.
    let head = words_within(&squashed, (STATEMENT_LINES + 2) * (STATEMENT_WIDTH + 1));
    first_lines(head)
}

/// `text` wrapped, cut to `STATEMENT_LINES` lines (the last ending in `…` when there were more).
fn first_lines(text: &str) -> Vec<String> {
    let mut lines = wrap(text, STATEMENT_WIDTH, "", "");
    if lines.len() > STATEMENT_LINES {
        lines.truncate(STATEMENT_LINES);
        if let Some(last) = lines.last_mut() {
            let keep: String = last.chars().take(STATEMENT_WIDTH - 1).collect();
            *last = format!("{keep}…");
        }
    }
    lines
}

/// The awaited lock of a deadlock edge: kind, where, which keys.
pub fn lock_lines(l: &Lock) -> Vec<String> {
    let kind = match l.kind {
        LockKind::NextKey if l.only_supremum() => "gap".to_string(),
        k => k.as_str().to_string(),
    };
    let mut lines = vec![match l.kind {
        LockKind::InsertIntention => "insert-intention lock".to_string(),
        LockKind::Table => format!("{} table lock", l.mode),
        LockKind::Metadata => format!("{} metadata lock", l.mode),
        _ => format!("{} {kind} lock", l.mode),
    }];
    let Some(index) = l.index() else {
        lines.push(table(&l.table));
        return lines;
    };
    lines.push(format!("{} {index}", table(&l.table)));
    // Only the keys shown are decoded: a scan's lock can list hundreds of records.
    let records = l.records.len();
    if records > 0 {
        let mut k = String::from(if records == 1 { "key " } else { "keys " });
        for (i, r) in l.records.iter().take(KEYS_SHOWN).enumerate() {
            if i > 0 {
                k.push_str(", ");
            }
            k.push_str(&key(r, index));
        }
        if records > KEYS_SHOWN {
            k.push_str(&format!(" +{} more", records - KEYS_SHOWN));
        }
        lines.push(k);
    }
    if l.touches_delete_marked() {
        lines.push("delete-marked".to_string());
    }
    lines
}

/// The lock of a lock wait: kind, where, which key, how long.
fn waited_lines(w: &LockWait) -> Vec<String> {
    let l: &WaitedLock = &w.lock;
    if matches!(l.kind, LockKind::GlobalRead | LockKind::TableFlush) {
        let mut lines = vec![format!("waits for the {}", l.mode)];
        if !l.table.table.is_empty() {
            lines.push(table(&l.table));
        }
        if let Some(s) = w.wait_secs {
            lines.push(format!("waiting {s:.0} s"));
        }
        return lines;
    }
    if l.table.table.is_empty() {
        return vec![format!("lock not shown ({})", l.text)];
    }
    let kind = match l.kind {
        LockKind::Table => "table lock",
        LockKind::NextKey => "next-key lock",
        LockKind::Gap => "gap lock",
        LockKind::RecNotGap => "record-only lock",
        LockKind::InsertIntention => "insert-intention lock",
        LockKind::Metadata => "metadata lock",
        LockKind::TableFlush | LockKind::GlobalRead | LockKind::Unknown => "lock",
    };
    let mut lines = vec![format!("waits for {} {kind}", l.mode)];
    match &l.index {
        Some(index) => lines.push(format!("{} {index}", table(&l.table))),
        None => lines.push(table(&l.table)),
    }
    match l.lock_data.as_deref() {
        Some(d) if d.contains("supremum") => lines.push("supremum".to_string()),
        Some(d) => lines.push(format!("key {d}")),
        None => {}
    }
    if let Some(s) = w.wait_secs {
        lines.push(format!("waiting {s:.0} s"));
    }
    lines
}

/// `test.stock`, without the backquotes the text report uses (they read as noise in a box).
pub fn table(t: &TableName) -> String {
    let mut s = match &t.schema {
        Some(schema) => format!("{schema}.{}", t.table),
        None => t.table.to_string(),
    };
    if let Some(p) = &t.partition {
        s.push_str(&format!(" ({p})"));
    }
    s
}

/// A record's key in a few characters: the named key columns when decoded with `--schema`,
/// else the fields before `DB_TRX_ID` (clustered index) or all of them (secondary index).
fn key(rec: &Record, index: &str) -> String {
    if rec.is_supremum() {
        return "supremum".to_string();
    }
    if let Some(named) = crate::decode::key_phrase(rec) {
        return named;
    }
    if rec.fields.is_empty() {
        return format!("heap {}", rec.heap_no);
    }
    if index == "GEN_CLUST_INDEX" {
        return format!(
            "row {}",
            unsigned(rec.fields.first().map(|f| short_value(&f.value)))
        );
    }
    let n = rec.trx_id_position().unwrap_or(rec.fields.len());
    let values: Vec<String> = rec
        .fields
        .iter()
        .take(n)
        .map(|f| unsigned(Some(short_value(&f.value))))
        .collect();
    match values.as_slice() {
        [one] => one.clone(),
        many => format!("({})", many.join(", ")),
    }
}

/// A 4- or 8-byte value with leading zero bytes is most likely an unsigned integer (as in
/// `diagnose`): `0x00000002` → `2`.
fn unsigned(v: Option<String>) -> String {
    let v = v.unwrap_or_default();
    match v.strip_prefix("0x") {
        Some(hex) if matches!(hex.len(), 8 | 16) && hex.starts_with("00") => {
            u64::from_str_radix(hex, 16).map_or(v.clone(), |n| n.to_string())
        }
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn a_long_statement_shows_the_lines_of_all_of_it() {
        let words = [
            "id",
            "=",
            "0x0123456789abcdef0123",
            "é→é",
            "IN",
            "(1,",
            "2)",
        ];
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        for _ in 0..300 {
            let mut query = String::new();
            for _ in 0..next() % 400 {
                let word = words[next() as usize % words.len()];
                query.push_str(word);
                query.push_str(if next() % 8 == 0 { "\n\t" } else { " " });
            }
            // The whole statement wrapped and cut: the oracle.
            assert_eq!(
                statement_lines(&query, false),
                first_lines(&squash(&query)),
                "{query:?}"
            );
        }
    }

    #[test]
    fn a_deadlock_has_a_node_per_transaction_and_an_edge_per_wait() {
        let analysed = sample::deadlock();
        let p = Picture::deadlock(1, &analysed, false);
        assert_eq!(p.nodes.len(), analysed.deadlock.transactions.len());
        assert_eq!(p.edges.len(), analysed.deadlock.graph.edges.len());
        assert!(p
            .title
            .starts_with("deadlock 1 · delete-then-insert.status.txt:3"));
        let first = &p.nodes[0];
        assert_eq!(first.id, "d1_t1");
        assert!(
            first.lines.iter().all(|l| l.chars().count() <= 48),
            "{first:?}"
        );
        let edge = &p.edges[0];
        assert!(edge.lines[0].starts_with("waits for "), "{edge:?}");
        assert!(edge.lines[0].ends_with("lock"), "{edge:?}");
        assert!(edge.lines[1].starts_with("test."), "{edge:?}");
    }

    #[test]
    fn long_statements_are_cut() {
        let q = "SELECT a FROM t WHERE id IN (".to_string() + &"12345, ".repeat(60) + "0)";
        let short = statement_lines(&q, false);
        assert_eq!(short.len(), STATEMENT_LINES);
        assert!(short[2].ends_with('…'));
        assert!(statement_lines(&q, true).len() > STATEMENT_LINES);
    }
}
