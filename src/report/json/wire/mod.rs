//! The JSON wire shapes: borrowing views over the model with `#[derive(Serialize)]`, written
//! by `serde_json` straight to the output buffer (no intermediate `serde_json::Value`). The types
//! are the contract documented in `report::json`; where the contract and the model agree
//! (`WaitForGraph`, `Finding`, `Warning`, `TableName`, `LockMode`, `LockKind`, `LockModeClause`)
//! the model's own `Serialize` is used. Two views serialize themselves because they would
//! otherwise allocate per lock or per record: a lock's `description` (built in a reused
//! buffer) and the guessed `columns` of a record (streamed as they are guessed).

mod deadlock;
mod record;

use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde::ser::Serializer;
use serde::Serialize;

use crate::diagnose::Finding;
use crate::model::Warning;
use crate::sink::Summary;

pub use deadlock::DeadlockJson;

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
