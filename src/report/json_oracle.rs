//! The deadlock wire shapes as `serde` structs: what `json_wire::write_deadlock` writes by hand,
//! kept as the reference its bytes are tested against (on every fixture).

use std::borrow::Cow;

use serde::{Serialize, Serializer};

use crate::decode::DecodedColumn;
use crate::diagnose::Finding;
use crate::model::{
    describe_lock, Deadlock, FieldValue, Flavour, Lock, LockKind, LockMode, LockModeClause,
    LockTarget, Record, TableName, Transaction, WaitForGraph,
};
use crate::sink::Analysed;

/// A sequence serialized from an iterator made on demand, so no `Vec` of views is built.
struct Seq<'a, T, V>(&'a [T], fn(&'a T) -> V);

impl<'a, T, V: Serialize> Serialize for Seq<'a, T, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(self.1))
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
            transactions: Seq(&d.transactions, TransactionJson::from),
            wait_for_graph: &d.graph,
            findings: &a.findings,
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
            holds: Seq(&t.holds, LockJson::from),
            waits_for: t.waits_for.as_ref().map(LockJson::from),
            conflicting_with: Seq(&t.conflicting_with, LockJson::from),
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
    description: String,
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
                Some(*space),
                Some(*page),
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
            description: describe_lock(l),
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
    fields: Seq<'a, crate::model::Field, FieldJson<'a>>,
    /// Decoded by the `decode` stage (`--schema`), else guessed here.
    #[serde(skip_serializing_if = "no_columns")]
    columns: Cow<'a, [DecodedColumn]>,
    line: usize,
}

fn no_columns(c: &[DecodedColumn]) -> bool {
    c.is_empty()
}

impl<'a> RecordJson<'a> {
    fn new(r: &'a Record, lock: &Lock) -> Self {
        let columns = if r.columns.is_empty() {
            Cow::Owned(crate::decode::decode_record(r, lock, None).columns)
        } else {
            Cow::Borrowed(r.columns.as_slice())
        };
        RecordJson {
            heap_no: r.heap_no,
            supremum: r.is_supremum(),
            info_bits: r.info_bits,
            delete_marked: r.is_delete_marked(),
            fields: Seq(&r.fields, |f| FieldJson::from(&f.value)),
            columns,
            line: r.line,
        }
    }
}

/// `{"len":4,"hex":"80000065"}`, `{"null":true}`, `{"default":true}`, `{"mbr":"…"}`.
#[derive(Serialize, Default)]
struct FieldJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    len: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hex: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    external: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    null: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    default: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    mbr: Option<&'a str>,
}

impl<'a> From<&'a FieldValue> for FieldJson<'a> {
    fn from(v: &'a FieldValue) -> Self {
        match v {
            FieldValue::Null => FieldJson {
                null: true,
                ..FieldJson::default()
            },
            FieldValue::Default => FieldJson {
                default: true,
                ..FieldJson::default()
            },
            FieldValue::Mbr { text } => FieldJson {
                mbr: Some(text),
                ..FieldJson::default()
            },
            FieldValue::Bytes {
                len,
                hex,
                total,
                external,
                ..
            } => FieldJson {
                len: Some(*len),
                hex: Some(hex),
                total: *total,
                external: *external,
                ..FieldJson::default()
            },
        }
    }
}
