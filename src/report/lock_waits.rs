//! Lock waits in the reports: the blocking tree as text (head blockers at the roots, each waiter
//! under what it waits for) and the `lock_waits[]` objects of the JSON formats.

use serde::Serialize;

use super::colour::Role;
use super::held;
use super::text::Page;
use crate::diagnose::Finding;
use crate::model::{BlockingTree, LockWait, TrxSummary};
use crate::sink::LockWaits;

/// Renders the blocking tree, the locks held and the findings.
pub(super) fn text(page: &mut Page, waits: &LockWaits, full: bool) {
    if !waits.waits.is_empty() {
        tree_text(page, waits);
    }
    held_text(page, waits, full);
    for f in &waits.findings {
        page.finding(f);
    }
}

/// Who holds what, a line per group.
fn held_text(page: &mut Page, waits: &LockWaits, full: bool) {
    if waits.held.is_empty() {
        return;
    }
    let (shown, more, folded) = held::listed(&waits.held, full);
    if !waits.waits.is_empty() {
        page.line("");
    }
    page.line_as(
        Role::Heading,
        &format!(
            "locks in the lock tables: {} rows, {} transaction(s)",
            held::thousands(waits.lock_rows as u64),
            distinct_trx(&waits.held)
        ),
    );
    for g in shown {
        page.para(
            &format!("{} {}", held::subject(g), held::phrase(g)),
            "  ",
            "    ",
        );
    }
    if more > 0 {
        page.line(&format!(
            "  … and {more} more (all of them with --full or in JSON)"
        ));
    }
    if folded > 0 {
        page.para(
            &format!(
                "({folded} intention table lock(s), IS/IX, not listed: they only announce the \
                 record locks above)"
            ),
            "  ",
            "   ",
        );
    }
}

fn distinct_trx(held: &[crate::model::HeldLocks]) -> usize {
    let mut ids: Vec<&str> = held.iter().map(|g| g.trx_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// The blocking tree: head blockers at the roots, each waiter under what it waits for.
fn tree_text(page: &mut Page, waits: &LockWaits) {
    let tree = BlockingTree::new(&waits.waits);
    let heads = tree.heads();
    page.line_as(
        Role::Heading,
        &format!(
            "lock waits: {} waiting, {} head blocker(s)",
            waits.waits.len(),
            heads.len()
        ),
    );
    for head in &heads {
        page.line("");
        page.para_as(
            Role::Blocker,
            &format!("{} — head blocker, {}", who(head), state(head)),
            "",
            "  ",
        );
        if let Some(kill) = kill(head) {
            page.line(&format!("  to unblock now: {kill}  (printed, never run)"));
        } else if let Some(ps) = head.ps_thread_id {
            page.para(
                &format!(
                    "to unblock now: `SELECT PROCESSLIST_ID FROM performance_schema.threads \
                     WHERE THREAD_ID = {ps};` then `KILL` that id (printed, never run)"
                ),
                "  ",
                "  ",
            );
        }
        branch(page, &tree, &head.trx_id, 1, &mut vec![head.trx_id.clone()]);
    }
    let unattributed: Vec<&LockWait> = tree.unattributed().collect();
    if !unattributed.is_empty() {
        page.line("");
        page.line("waiting, holder not shown by the input:");
        for w in unattributed {
            waiter(page, w, 1);
        }
    }
}

/// Waiters of `trx_id`, indented by depth; `path` stops cycles (a deadlock in progress).
fn branch(
    page: &mut Page,
    tree: &BlockingTree<'_>,
    trx_id: &str,
    depth: usize,
    path: &mut Vec<String>,
) {
    for w in tree.waiting_for(trx_id) {
        waiter(page, w, depth);
        let next = w.requesting.trx_id.clone();
        if !path.contains(&next) {
            path.push(next.clone());
            branch(page, tree, &next, depth + 1, path);
            path.pop();
        }
    }
}

fn waiter(page: &mut Page, w: &LockWait, depth: usize) {
    let indent = "  ".repeat(depth);
    let waited = w
        .wait_secs
        .map(|s| format!(", waiting {s:.0} s"))
        .unwrap_or_default();
    page.para(
        &format!(
            "└─ {}{waited}: {}",
            who(&w.requesting),
            statement(&w.requesting)
        ),
        &indent,
        &format!("{indent}   "),
    );
    page.para_as(
        Role::Waiting,
        &format!("wants {}", crate::diagnose::describe_waited_lock(&w.lock)),
        &format!("{indent}   "),
        &format!("{indent}   "),
    );
}

fn who(t: &TrxSummary) -> String {
    let mut s = format!("trx {}", t.trx_id);
    if let (None, Some(ps)) = (t.thread_id, t.ps_thread_id) {
        if !t.trx_id.starts_with("thread ") {
            s.push_str(&format!(" (THREAD_ID {ps})"));
        }
    }
    if let Some(id) = t.thread_id {
        s.push_str(&format!(" (thread {id}"));
        if let Some(user) = &t.user {
            s.push_str(&format!(", {user}"));
            if let Some(host) = &t.host {
                s.push_str(&format!("@{host}"));
            }
        }
        s.push(')');
    }
    s
}

/// `idle in its transaction for 2 s` / `running UPDATE …`.
fn state(t: &TrxSummary) -> String {
    let age = t
        .command_secs
        .or(t.active_secs)
        .map(|s| format!(" for {s} s"))
        .unwrap_or_default();
    if t.is_idle() {
        format!("idle in its open transaction{age}, runs no statement")
    } else if t.query_known {
        format!("running {}{age}", statement(t))
    } else {
        "what it runs is not shown (add INNODB_TRX or PROCESSLIST)".to_string()
    }
}

fn statement(t: &TrxSummary) -> String {
    match t.query.as_deref() {
        Some(q) => {
            let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
            if q.chars().count() > 120 {
                format!("{}…", q.chars().take(119).collect::<String>())
            } else {
                q
            }
        }
        None => "(no statement)".to_string(),
    }
}

fn kill(t: &TrxSummary) -> Option<String> {
    t.thread_id.map(|id| format!("KILL {id};"))
}

/// One wait in the JSON formats: the model's fields plus the blocker's state and the
/// suggested `KILL` (printed, never run).
#[derive(Serialize)]
pub(super) struct LockWaitJson<'a> {
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
}

impl<'a> LockWaitJson<'a> {
    pub(super) fn new(wait: &'a LockWait, all: &[LockWait]) -> LockWaitJson<'a> {
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
            head_blocker: blocker
                .is_some_and(|b| !all.iter().any(|w| w.requesting.trx_id == b.trx_id)),
            suggested_kill: blocker.and_then(kill),
        }
    }
}

/// A lock-wait finding as a JSONL line.
#[derive(Serialize)]
pub(super) struct FindingLine<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub schema_version: u32,
    #[serde(flatten)]
    pub finding: &'a Finding,
}
