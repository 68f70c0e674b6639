//! The blocking tree is the one part of the lock waits that walks the waits (recursively,
//! stopping at cycles) and the one that grows with a storm of waiters: it lives apart from the
//! flat sections so that its layout and its folding of long queues read on their own.

use super::trx::{no_kill, state, statement, who};
use super::{waits_folded, WAITERS_SHOWN};
use crate::model::{BlockingTree, LockKind, LockWait};
use crate::report::colour::Role;
use crate::report::text::Page;
use crate::sink::LockWaits;

/// The blocking tree: head blockers at the roots, each waiter under what it waits for.
pub(super) fn tree_text(page: &mut Page, waits: &LockWaits, full: bool) {
    let tree = BlockingTree::new(&waits.waits);
    let heads = tree.heads();
    let cycles = match tree.cycles().len() {
        0 => String::new(),
        n => format!(", {n} wait-for cycle(s)"),
    };
    page.line_as(
        Role::Heading,
        &format!(
            "lock waits: {} waiting, {} head blocker(s){cycles}",
            waits.waits.len(),
            heads.len()
        ),
    );
    let metadata = |w: &&LockWait| w.lock.kind == LockKind::Metadata;
    let stall = |w: &&LockWait| matches!(w.lock.kind, LockKind::TableFlush | LockKind::GlobalRead);
    let inferred = waits
        .waits
        .iter()
        .filter(|w| w.inferred && !metadata(w) && !stall(w))
        .count();
    let stalls = waits.waits.iter().filter(stall).count();
    let from_processlist = waits
        .waits
        .iter()
        .filter(|w| w.inferred && metadata(w))
        .count();
    // A holder PROCESSLIST shows: a statement running on the table since before the wait.
    let running_holder = waits.waits.iter().any(|w| {
        w.inferred
            && metadata(&w)
            && w.blocking
                .as_ref()
                .is_some_and(|b| !tree.is_waiting(&b.trx_id))
    });
    if from_processlist > 0 {
        let holder = if running_holder {
            "; the statement running on the table since before the first wait is taken for \
             the holder, inferred"
        } else {
            ""
        };
        page.para(
            &format!(
                "({from_processlist} of them read from PROCESSLIST's `Waiting for table metadata \
                 lock`: the lock each asks for is told by its statement, and statements queue \
                 behind a waiting DDL by the server's metadata-lock priorities{holder})"
            ),
            "",
            " ",
        );
    }
    if stalls > 0 {
        page.para(
            &format!(
                "({stalls} of them read from PROCESSLIST's `Waiting for table flush` / `global \
                 read lock` states, which name no holder: it is taken to be the statement \
                 running on the table since before the wait began, the FLUSH TABLES WITH READ \
                 LOCK session, or else the one session idle since before the first wait — \
                 inferred)"
            ),
            "",
            " ",
        );
    }
    if inferred > 0 {
        page.para(
            &format!(
                "({inferred} of them inferred: no waits table names their holder, so each \
                 WAITING lock row is matched with the GRANTED rows of other transactions that \
                 conflict with it on the same record or table)"
            ),
            "",
            " ",
        );
    }
    for head in &heads {
        page.line("");
        let queue = tree.queue_len(&head.trx_id);
        page.para_as(
            Role::Blocker,
            &format!(
                "{} — head blocker of {queue} waiting, {}",
                who(head),
                state(head, &tree)
            ),
            "",
            "  ",
        );
        if let Some(id) = tree.kill_id(head) {
            page.line(&format!(
                "  to unblock now: KILL {id};  (printed, never run)"
            ));
        } else if let Some(ps) = tree.kill_ps_thread(head) {
            page.para(
                &format!(
                    "to unblock now: `SELECT PROCESSLIST_ID FROM performance_schema.threads \
                     WHERE THREAD_ID = {ps};` then `KILL` that id (printed, never run)"
                ),
                "  ",
                "  ",
            );
        } else if let Some((ps, id)) = tree.borrowed_thread(head) {
            page.para(&no_kill(head, ps, id), "  ", "  ");
        }
        let mut path = vec![head.trx_id.clone()];
        branch(page, &tree, &head.trx_id, 1, &mut path, full);
    }
    for cycle in tree.cycles() {
        page.line("");
        let mut around: Vec<String> = cycle.iter().map(|t| format!("trx {t}")).collect();
        if let Some(first) = around.first().cloned() {
            around.push(first);
        }
        page.para_as(
            Role::Blocker,
            &format!(
                "wait-for cycle: {} — each waits for the next, so none can go on: a deadlock \
                 InnoDB has not resolved (innodb_deadlock_detect=OFF, waiting for \
                 innodb_lock_wait_timeout) or waits copied at different moments; rolling back \
                 one of them ends it",
                around.join(" → ")
            ),
            "",
            "  ",
        );
        if let Some(first) = cycle.first() {
            let mut path = vec![first.to_string()];
            branch(page, &tree, first, 1, &mut path, full);
        }
    }
    let unattributed: Vec<&LockWait> = tree.unattributed().collect();
    if !unattributed.is_empty() {
        page.line("");
        page.line("waiting, holder not shown by the input:");
        let shown = if full {
            unattributed.len()
        } else {
            WAITERS_SHOWN
        };
        for w in unattributed.iter().take(shown) {
            waiter(page, w, 1);
            // Those queued behind it (statements behind a DDL that waits itself).
            let mut path = vec![w.requesting.trx_id.clone()];
            branch(page, &tree, &w.requesting.trx_id, 2, &mut path, full);
        }
        more_waiters(page, &unattributed, shown, 1);
        if unattributed
            .iter()
            .any(|w| w.lock.kind == LockKind::GlobalRead)
        {
            page.line("");
            page.para(
                "who holds the global read lock PROCESSLIST does not say: no session runs \
                 FLUSH TABLES WITH READ LOCK, and not exactly one is idle (Sleep) since before \
                 the first wait. The holder is the backup tool's session: paste \
                 performance_schema.metadata_locks (OBJECT_TYPE GLOBAL or COMMIT, with \
                 threads) to name it.",
                "",
                "",
            );
        }
        if unattributed
            .iter()
            .any(|w| w.lock.kind == LockKind::TableFlush)
        {
            page.line("");
            page.para(
                "which statement keeps the table open PROCESSLIST does not show: none runs on \
                 it since before the flush. A session that holds it with LOCK TABLES or \
                 HANDLER, idle, is the other holder.",
                "",
                "",
            );
        }
        if unattributed.iter().any(metadata) {
            page.line("");
            page.para(
                "who holds a metadata lock PROCESSLIST does not say: paste \
                 performance_schema.metadata_locks (with threads) or METADATA_LOCK_INFO. The \
                 usual holder is a session idle in a transaction (Sleep) since before the wait \
                 began, that used the table; a long-running statement on it is the other.",
                "",
                "",
            );
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
    full: bool,
) {
    let behind = tree.waiting_for(trx_id);
    let shown = if full { behind.len() } else { WAITERS_SHOWN };
    for w in behind.iter().take(shown) {
        waiter(page, w, depth);
        let next = w.requesting.trx_id.clone();
        if !path.contains(&next) {
            path.push(next.clone());
            branch(page, tree, &next, depth + 1, path, full);
            path.pop();
        }
    }
    more_waiters(page, &behind, shown, depth);
}

/// `… and 95 more waiting (--full lists them)`, unless all of `waits` fit.
fn more_waiters(page: &mut Page, waits: &[&LockWait], shown: usize, depth: usize) {
    if let Some(text) = waits_folded(waits.get(shown..).unwrap_or_default()) {
        let indent = "  ".repeat(depth);
        page.para(&text, &indent, &format!("{indent}   "));
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
