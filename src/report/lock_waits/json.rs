//! The JSON formats carry the lock waits as data, with the blocker's state and the suggested
//! `KILL` worked out the same way the text tells them; these shapes are kept apart from the
//! text so that `report::json` depends on them alone.

use serde::Serialize;

use crate::diagnose::Finding;
use crate::model::{BlockingTree, LockWait};

/// One wait in the JSON formats: the model's fields plus the blocker's state and the
/// suggested `KILL` (printed, never run).
#[derive(Serialize)]
pub(in crate::report) struct LockWaitJson<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    #[serde(flatten)]
    pub wait: &'a LockWait,
    /// `idle` (runs no statement), `running`, or `unknown` (holder not shown).
    pub blocker_state: &'static str,
    /// True when the blocker itself waits for nobody: the root of its queue.
    pub head_blocker: bool,
    pub suggested_kill: Option<String>,
    /// The waiter and the blocker are on a wait-for cycle.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_cycle: bool,
}

impl<'a> LockWaitJson<'a> {
    pub(in crate::report) fn new(wait: &'a LockWait, tree: &BlockingTree<'_>) -> LockWaitJson<'a> {
        let blocker = wait.blocking.as_ref();
        LockWaitJson {
            kind: None,
            schema_version: None,
            wait,
            blocker_state: match blocker {
                Some(b) if b.is_idle() => "idle",
                Some(b) if b.query_known => "running",
                _ => "unknown",
            },
            head_blocker: blocker.is_some_and(|b| !tree.is_waiting(&b.trx_id)),
            suggested_kill: blocker
                .and_then(|b| tree.kill_id(b))
                .map(|id| format!("KILL {id};")),
            in_cycle: blocker.is_some_and(|b| {
                tree.in_cycle(&b.trx_id) && tree.in_cycle(&wait.requesting.trx_id)
            }),
        }
    }
}

/// A lock-wait finding as a JSONL line.
#[derive(Serialize)]
pub(in crate::report) struct FindingLine<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub schema_version: u32,
    #[serde(flatten)]
    pub finding: &'a Finding,
}
