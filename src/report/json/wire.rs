//! The JSON wire shapes: borrowing views over the model with `#[derive(Serialize)]`, written
//! by `serde_json` straight to the output buffer (no intermediate `serde_json::Value`). The types
//! are the contract documented in `report::json`; where the contract and the model agree
//! (`WaitForGraph`, `Finding`, `Warning`, `TableName`, `LockMode`, `LockKind`, `LockModeClause`)
//! the model's own `Serialize` is used. Two views serialize themselves because they would
//! otherwise allocate per lock or per record: a lock's `description` (built in a reused
//! buffer) and the guessed `columns` of a record (streamed as they are guessed).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use crate::diagnose::Finding;
use crate::model::{
    Deadlock, DecodedColumn, Field, FieldValue, Flavour, Lock, LockKind, LockMode, LockModeClause,
    LockTarget, Record, TableName, Transaction, WaitForGraph, Warning, NOT_PRINTED,
};
use crate::report::describe::push_description;
use crate::sink::{Analysed, Summary};

/// `{"name": "lockscope", "version": "…"}`.
#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

pub const TOOL: Tool = Tool {
    name: env!("CARGO_PKG_NAME"),
    version: env!("CARGO_PKG_VERSION"),
};

/// A group of held locks as a JSONL line: `{"type":"lock", …}`.
#[derive(Serialize)]
pub struct HeldLine<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub schema_version: u32,
    #[serde(flatten)]
    pub held: &'a crate::model::HeldLocks,
}

/// A thread's statement history as a JSONL line: `{"type":"statement_history", …}`.
#[derive(Serialize)]
pub struct HistoryLine<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub schema_version: u32,
    #[serde(flatten)]
    pub history: &'a crate::model::History,
}

/// One row of a lock table (`--all-locks`): `lock_rows[]` of the document, a `"type":"lock_row"`
/// line of JSONL.
#[derive(Serialize)]
pub struct LockRowJson<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    pub input: &'a str,
    pub line: usize,
    pub trx_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ps_thread_id: Option<u64>,
    pub table: &'a crate::model::TableName,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<&'a str>,
    pub mode: &'a crate::model::LockMode,
    #[serde(rename = "kind")]
    pub lock_kind: crate::model::LockKind,
    pub mode_text: &'a str,
    /// `granted`, `waiting`, or `unknown` (no status column).
    pub status: &'static str,
    pub lock_data: Option<&'a str>,
    pub lock_id: Option<&'a str>,
}

impl<'a> LockRowJson<'a> {
    pub fn new(input: &'a str, row: &'a crate::model::LockRow) -> LockRowJson<'a> {
        use crate::model::LockStatus;
        LockRowJson {
            kind: None,
            schema_version: None,
            input,
            line: row.line,
            trx_id: &row.trx_id,
            ps_thread_id: row.ps_thread_id,
            table: &row.table,
            index: row.index.as_deref(),
            mode: &row.mode,
            lock_kind: row.kind,
            mode_text: &row.mode_text,
            status: match row.status {
                Some(LockStatus::Granted) => "granted",
                Some(LockStatus::Waiting) => "waiting",
                None => "unknown",
            },
            lock_data: row.data.as_deref(),
            lock_id: row.lock_id.as_deref(),
        }
    }
}

/// A warning as a JSONL line: `{"type":"warning", …the warning's own fields}`.
#[derive(Serialize)]
pub struct WarningLine<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub schema_version: u32,
    #[serde(flatten)]
    pub warning: &'a Warning,
}

#[derive(Serialize)]
pub struct SummaryJson<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<&'a Tool>,
    pub inputs: &'a [String],
    pub deadlocks: usize,
    pub lock_waits: usize,
    pub warnings: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub warnings_omitted: usize,
    pub bytes: u64,
    /// Pattern id → number of deadlocks with a finding of that pattern.
    pub patterns: &'a BTreeMap<&'static str, usize>,
}

impl<'a> SummaryJson<'a> {
    pub fn new(summary: &'a Summary, patterns: &'a BTreeMap<&'static str, usize>) -> Self {
        SummaryJson {
            kind: None,
            schema_version: None,
            tool: None,
            inputs: &summary.inputs,
            deadlocks: summary.deadlocks,
            lock_waits: 0,
            warnings: summary.warnings,
            warnings_omitted: 0,
            bytes: summary.bytes,
            patterns,
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Counts each pattern once per deadlock.
pub fn count_patterns(patterns: &mut BTreeMap<&'static str, usize>, findings: &[Finding]) {
    for (i, f) in findings.iter().enumerate() {
        if !findings[..i].iter().any(|g| g.pattern == f.pattern) {
            *patterns.entry(f.pattern).or_default() += 1;
        }
    }
}

/// A sequence serialized from an iterator made on demand, so no `Vec` of views is built.
struct Seq<'a, T, V>(&'a [T], PhantomData<V>);

impl<'a, T, V> Seq<'a, T, V> {
    fn new(items: &'a [T]) -> Self {
        Seq(items, PhantomData)
    }
}

impl<'a, T, V: Serialize + From<&'a T>> Serialize for Seq<'a, T, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(V::from))
    }
}

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

/// The records of a lock, each with the lock's table and index at hand for decoding.
struct RecordsJson<'a>(&'a Lock);

impl Serialize for RecordsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let lock = self.0;
        s.collect_seq(lock.records.iter().map(|r| RecordJson::new(r, lock)))
    }
}

#[derive(Serialize)]
struct RecordJson<'a> {
    heap_no: u64,
    supremum: bool,
    info_bits: Option<u32>,
    delete_marked: bool,
    fields: Seq<'a, Field, FieldJson<'a>>,
    /// Decoded by the `decode` stage (`--schema`), else guessed here.
    #[serde(skip_serializing_if = "Columns::is_empty")]
    columns: Columns<'a>,
    line: usize,
}

impl<'a> RecordJson<'a> {
    fn new(r: &'a Record, lock: &'a Lock) -> Self {
        let columns = if !r.columns.is_empty() {
            Columns::Decoded(&r.columns)
        } else if r.fields.is_empty() || r.is_supremum() || r.is_infimum() {
            Columns::Decoded(&[])
        } else {
            Columns::Guessed(r, lock.index())
        };
        RecordJson {
            heap_no: r.heap_no,
            supremum: r.is_supremum(),
            info_bits: r.info_bits,
            delete_marked: r.is_delete_marked(),
            fields: Seq::new(&r.fields),
            columns,
            line: r.line,
        }
    }
}

/// A record's columns: those the `decode` stage named (`--schema`), or guesses made from the
/// bytes as they are written (`decode::guess`), one per field.
enum Columns<'a> {
    Decoded(&'a [DecodedColumn]),
    Guessed(&'a Record, Option<&'a str>),
}

impl Columns<'_> {
    fn is_empty(&self) -> bool {
        matches!(self, Columns::Decoded(c) if c.is_empty())
    }
}

/// A guessed column: the same shape as a `DecodedColumn` with `guessed` set.
#[derive(Serialize)]
struct GuessedJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    value: &'a str,
    guessed: bool,
}

impl Serialize for Columns<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Columns::Decoded(columns) => columns.serialize(s),
            Columns::Guessed(record, index) => {
                let mut seq = s.serialize_seq(Some(record.fields.len()))?;
                let mut result = Ok(());
                crate::decode::guess::each(record, index, |name, value| {
                    if result.is_ok() {
                        result = seq.serialize_element(&GuessedJson {
                            name,
                            value,
                            guessed: true,
                        });
                    }
                });
                result?;
                seq.end()
            }
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

/// `{"len":4,"hex":"80000065"}`, `{"null":true}`, `{"default":true}`, `{"mbr":"…"}`: each
/// variant is written as a plain object of its fields.
#[derive(Serialize)]
#[serde(untagged)]
enum FieldJson<'a> {
    Bytes {
        len: u64,
        hex: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        total: Option<u64>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        external: bool,
    },
    Null {
        null: bool,
    },
    Default {
        default: bool,
    },
    Mbr {
        mbr: &'a str,
    },
    Missing {
        missing: bool,
    },
}

impl<'a> From<&'a Field> for FieldJson<'a> {
    fn from(f: &'a Field) -> Self {
        match &f.value {
            FieldValue::Null => FieldJson::Null { null: true },
            FieldValue::Default => FieldJson::Default { default: true },
            FieldValue::Mbr { text } => FieldJson::Mbr { mbr: text },
            FieldValue::Missing => FieldJson::Missing { missing: true },
            FieldValue::Bytes {
                len,
                hex,
                total,
                external,
                ..
            } => FieldJson::Bytes {
                len: *len,
                hex,
                total: *total,
                external: *external,
            },
        }
    }
}
