//! A deadlock is the bulk of every JSON report and is written once per deadlock of a log, so
//! its views borrow the model and stream their sequences rather than copy them; they live
//! apart from the small document- and line-level shapes, which are written once a run.

use std::cell::Cell;

use serde::ser::Serializer;
use serde::Serialize;

use super::record::RecordsJson;
use super::Seq;
use crate::diagnose::Finding;
use crate::model::{
    Deadlock, Flavour, Lock, LockKind, LockMode, LockModeClause, LockTarget, TableName,
    Transaction, WaitForGraph, NOT_PRINTED,
};
use crate::report::describe::push_description;
use crate::sink::Analysed;

#[derive(Serialize)]
pub struct DeadlockJson<'a> {
    /// `"deadlock"` on JSONL lines, absent inside the document's `deadlocks` array.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema_version: Option<u32>,
    input: &'a str,
    line: usize,
    timestamp: Option<&'a str>,
    flavour: Flavour,
    flavour_label: &'static str,
    too_deep: bool,
    victim: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    victim_note: Option<&'a str>,
    victim_trx_id: Option<&'a str>,
    transactions: Seq<'a, Transaction, TransactionJson<'a>>,
    wait_for_graph: &'a WaitForGraph,
    findings: &'a [Finding],
    shape: &'a str,
}

impl<'a> DeadlockJson<'a> {
    /// The deadlock as an element of the document's `deadlocks` array.
    pub fn element(a: &'a Analysed) -> Self {
        let d: &'a Deadlock = &a.deadlock;
        DeadlockJson {
            kind: None,
            schema_version: None,
            input: &d.input,
            line: d.line,
            timestamp: d.timestamp.as_deref(),
            flavour: d.flavour,
            flavour_label: d.flavour.label(),
            too_deep: d.too_deep,
            victim: d.victim.number,
            victim_note: d.victim.note.as_deref(),
            victim_trx_id: d.victim_transaction().map(|t| t.trx_id.as_str()),
            transactions: Seq::new(&d.transactions),
            wait_for_graph: &d.graph,
            findings: &a.findings,
            shape: &a.shape.id,
        }
    }

    /// The deadlock as a JSONL line: tagged and versioned, since each line stands alone.
    pub fn line(a: &'a Analysed, schema_version: u32) -> Self {
        DeadlockJson {
            kind: Some("deadlock"),
            schema_version: Some(schema_version),
            ..DeadlockJson::element(a)
        }
    }
}

#[derive(Serialize)]
struct TransactionJson<'a> {
    number: u32,
    trx_id: &'a str,
    state: &'a str,
    active_secs: Option<u64>,
    op_info: Option<&'a str>,
    tables_in_use: Option<u64>,
    tables_locked: Option<u64>,
    lock_wait: bool,
    lock_structs: Option<u64>,
    heap_size: Option<u64>,
    row_locks: Option<u64>,
    undo_entries: Option<u64>,
    thread_id: Option<u64>,
    os_thread_handle: Option<&'a str>,
    query_id: Option<u64>,
    user: Option<&'a str>,
    host: Option<&'a str>,
    ip: Option<&'a str>,
    proc_info: Option<&'a str>,
    query: Option<&'a str>,
    holds: Seq<'a, Lock, LockJson<'a>>,
    waits_for: Option<LockJson<'a>>,
    conflicting_with: Seq<'a, Lock, LockJson<'a>>,
    line: usize,
}

impl<'a> From<&'a Transaction> for TransactionJson<'a> {
    fn from(t: &'a Transaction) -> Self {
        TransactionJson {
            number: t.number,
            trx_id: &t.trx_id,
            state: &t.state,
            active_secs: t.active_secs,
            op_info: t.op_info.as_deref(),
            tables_in_use: t.tables_in_use,
            tables_locked: t.tables_locked,
            lock_wait: t.lock_wait,
            lock_structs: t.lock_structs,
            heap_size: t.heap_size,
            row_locks: t.row_locks,
            undo_entries: t.undo_entries,
            thread_id: t.thread_id,
            os_thread_handle: t.os_thread_handle.as_deref(),
            query_id: t.query_id,
            user: t.user.as_deref(),
            host: t.host.as_deref(),
            ip: t.ip.as_deref(),
            proc_info: t.proc_info.as_deref(),
            query: t.query.as_deref(),
            holds: Seq::new(&t.holds),
            waits_for: t.waits_for.as_ref().map(LockJson::from),
            conflicting_with: Seq::new(&t.conflicting_with),
            line: t.line,
        }
    }
}

#[derive(Serialize)]
struct LockJson<'a> {
    #[serde(rename = "type")]
    target: &'static str,
    table: &'a TableName,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    space: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n_bits: Option<u64>,
    trx_id: &'a str,
    mode: &'a LockMode,
    kind: LockKind,
    waiting: bool,
    clause: &'a LockModeClause,
    description: Description<'a>,
    line: usize,
    text: &'a str,
    records: RecordsJson<'a>,
}

impl<'a> From<&'a Lock> for LockJson<'a> {
    fn from(l: &'a Lock) -> Self {
        let (target, index, space, page, n_bits) = match &l.target {
            LockTarget::Table => ("table", None, None, None, None),
            LockTarget::Record {
                space,
                page,
                n_bits,
                index,
            } => (
                "record",
                Some(index.as_str()),
                Some(*space).filter(|&s| s != NOT_PRINTED),
                Some(*page).filter(|&p| p != NOT_PRINTED),
                *n_bits,
            ),
        };
        LockJson {
            target,
            table: &l.table,
            index,
            space,
            page,
            n_bits,
            trx_id: &l.trx_id,
            mode: &l.mode,
            kind: l.kind,
            waiting: l.waiting,
            clause: &l.clause,
            description: Description(l),
            line: l.line,
            text: &l.text,
            records: RecordsJson(l),
        }
    }
}

/// A lock in plain words, built in the thread's reused buffer rather than a new string per
/// lock (every lock of every deadlock has one).
struct Description<'a>(&'a Lock);

thread_local! {
    static SCRATCH: Cell<String> = const { Cell::new(String::new()) };
}

impl Serialize for Description<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut text = SCRATCH.take();
        text.clear();
        push_description(&mut text, self.0);
        let result = s.serialize_str(&text);
        SCRATCH.set(text);
        result
    }
}
