//! Lock waits come from other inputs than deadlocks (lock tables, PROCESSLIST) and read as a
//! blocking tree rather than a timeline: their sections are written here, apart from the
//! deadlocks'.

use super::finding::finding;
use super::quote::{code, fence, prose};
use crate::diagnose::trx_name;
use crate::model::{BlockingTree, LockKind, LockWait};
use crate::report::held;
use crate::report::lock_waits::{waits_folded, WAITERS_SHOWN};
use crate::report::mermaid::flowchart;
use crate::report::picture::Picture;
use crate::report::wrap::squash;
use crate::sink::LockWaits;

/// The lock waits' section: the blocking tree, the locks held and the findings.
pub(super) fn lock_waits(waits: &LockWaits, full: bool) -> String {
    let mut s = String::new();
    if !waits.waits.is_empty() {
        s.push_str(&blocking_tree(waits, full));
    }
    if !waits.held.is_empty() {
        s.push_str(&held_locks(waits, full));
    }
    for f in &waits.findings {
        s.push_str(&finding(f));
    }
    s
}

/// Who holds what, a bullet per transaction, table, index and mode.
fn held_locks(waits: &LockWaits, full: bool) -> String {
    let listed = held::listed(&waits.held, full, !waits.waits.is_empty());
    let mut s = format!(
        "\n## Locks held\n\n{} rows in the lock tables.\n\n",
        held::thousands(waits.lock_rows as u64)
    );
    for g in listed.shown {
        s.push_str(&format!(
            "- {} {}\n",
            prose(&held::subject(g)),
            prose(&held::phrase(g))
        ));
    }
    if listed.more > 0 {
        s.push_str(&format!(
            "- … and {} more (`--full` lists them)\n",
            listed.more
        ));
    }
    if listed.waiting > 0 {
        s.push_str(&format!(
            "- {} waiting lock(s): in the lock waits above\n",
            listed.waiting
        ));
    }
    if listed.intention > 0 {
        s.push_str(&format!(
            "- {} intention table lock(s) (IS/IX) not listed\n",
            listed.intention
        ));
    }
    s
}

fn blocking_tree(waits: &LockWaits, full: bool) -> String {
    let tree = BlockingTree::new(&waits.waits);
    let heads = tree.heads();
    let mut s = format!(
        "\n## Lock waits\n\n{} waiting, {} head blocker(s).\n\n",
        waits.waits.len(),
        heads.len()
    );
    let server = |w: &LockWait| {
        matches!(
            w.lock.kind,
            LockKind::Metadata | LockKind::TableFlush | LockKind::GlobalRead
        )
    };
    let inferred = waits
        .waits
        .iter()
        .filter(|w| w.inferred && !server(w))
        .count();
    if inferred > 0 {
        s.push_str(&format!(
            "{inferred} of them inferred: no waits table names their holder, so each `WAITING` \
             lock row is matched with the `GRANTED` rows of other transactions that conflict \
             with it on the same record or table.\n\n"
        ));
    }
    let from_processlist = waits
        .waits
        .iter()
        .filter(|w| w.inferred && server(w))
        .count();
    if from_processlist > 0 {
        s.push_str(&format!(
            "{from_processlist} of them read from PROCESSLIST's states (`Waiting for table \
             metadata lock`, `table flush`, `global read lock`): their holders are inferred \
             from what runs and what idles.\n\n"
        ));
    }
    for head in &heads {
        let waiting = tree.waiting_for(&head.trx_id);
        let global = waiting.iter().any(|w| w.lock.kind == LockKind::GlobalRead);
        let state = if global && head.is_idle() {
            "idle, taken for the holder of the global read lock (inferred)"
        } else if head.is_idle() {
            "idle in its open transaction, runs no statement"
        } else {
            "running a statement"
        };
        let age = head
            .command_secs
            .or(head.active_secs)
            .map(|secs| format!(" for {secs} s"))
            .unwrap_or_default();
        s.push_str(&format!(
            "- **{}** — head blocker, {state}{age}",
            prose(&trx_name(head))
        ));
        if let Some(id) = tree.kill_id(head) {
            s.push_str(&format!(
                "; to unblock now: `KILL {id};` (printed, never run)"
            ));
        }
        s.push('\n');
        waiters(&mut s, &waiting, full);
    }
    let unattributed: Vec<&LockWait> = tree.unattributed().collect();
    if !unattributed.is_empty() {
        s.push_str("- holder not shown by the input\n");
        waiters(&mut s, &unattributed, full);
    }
    let picture = Picture::lock_waits(waits, full);
    s.push_str(&format!(
        "\n### Blocking tree\n\n{}",
        fence("mermaid", &flowchart(&picture), "")
    ));
    s
}

/// The first few waiters of one blocker (all with `--full`), the rest counted.
fn waiters(s: &mut String, waits: &[&LockWait], full: bool) {
    let shown = if full { waits.len() } else { WAITERS_SHOWN };
    for w in waits.iter().take(shown) {
        s.push_str(&format!("  - {}\n", waiter(w)));
    }
    if let Some(rest) = waits_folded(waits.get(shown..).unwrap_or_default()) {
        s.push_str(&format!("  - {}\n", prose(&rest)));
    }
}

fn waiter(w: &LockWait) -> String {
    let waited = w
        .wait_secs
        .map(|secs| format!(" for {secs:.0} s"))
        .unwrap_or_default();
    let statement = w
        .requesting
        .query
        .as_deref()
        .map(|q| format!(": {}", code(&squash(q))))
        .unwrap_or_default();
    format!(
        "{} waits{waited} for {}{statement}",
        prose(&trx_name(&w.requesting)),
        prose(&crate::diagnose::describe_waited_lock(&w.lock))
    )
}
