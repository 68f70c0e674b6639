//! Lock waits in the reports: the blocking tree as text (head blockers at the roots, each waiter
//! under what it waits for) and the `lock_waits[]` objects of the JSON formats.

use serde::Serialize;

use super::colour::Role;
use super::held;
use super::text::Page;
use crate::diagnose::Finding;
use crate::model::{BlockingTree, LockKind, LockWait, TrxSummary};
use crate::sink::LockWaits;

/// Renders the blocking tree, the locks held and the findings.
pub(super) fn text(page: &mut Page, waits: &LockWaits, full: bool) {
    if !waits.waits.is_empty() {
        tree_text(page, waits, full);
    }
    held_text(page, waits, full);
    for f in &waits.findings {
        page.finding(f);
    }
    history_text(page, waits, full);
}

/// Each involved transaction's statements, in order: what the deadlock report and the lock
/// tables cannot show.
fn history_text(page: &mut Page, waits: &LockWaits, full: bool) {
    if waits.histories.is_empty() {
        return;
    }
    if !waits.waits.is_empty() || !waits.held.is_empty() || !waits.findings.is_empty() {
        page.line("");
    }
    page.line_as(
        Role::Heading,
        "statement history (performance_schema.events_statements_history)",
    );
    for h in &waits.histories {
        let head = format!("thread {}, {}:", h.thread_id, h.role);
        page.para(&head, "  ", "    ");
        if h.is_gone() {
            page.para(
                "not in the history: its connection has closed since (an application often \
                 reconnects after a 1213), or its statements were pushed out",
                "    ",
                "    ",
            );
            continue;
        }
        if h.from_the_middle {
            page.para(
                "… earlier statements of this transaction are no longer kept \
                 (performance_schema_events_statements_history_size)",
                "    ",
                "      ",
            );
        }
        for (i, st) in h.statements.iter().enumerate() {
            let sql = if full {
                st.sql.clone()
            } else {
                crate::report::text_table::short_statement(&st.sql, 200).join(" ")
            };
            let mut marks = Vec::new();
            if let Some(errno) = st.errno {
                marks.push(match errno {
                    1213 => "error 1213: deadlock, rolled back".to_string(),
                    1205 => "error 1205: lock wait timeout".to_string(),
                    n => format!("error {n}"),
                });
            }
            if st.reported {
                marks.push("the statement in the report".to_string());
            }
            let marks = match marks.is_empty() {
                true => String::new(),
                false => format!("  ← {}", marks.join("; ")),
            };
            page.para(&format!("{}. {sql}{marks}", i + 1), "    ", "       ");
        }
    }
}

/// Who holds what, a line per group.
fn held_text(page: &mut Page, waits: &LockWaits, full: bool) {
    if waits.held.is_empty() {
        return;
    }
    let listed = held::listed(&waits.held, full, !waits.waits.is_empty());
    let owners = owners(&waits.held);
    if !waits.waits.is_empty() {
        page.line("");
    }
    page.line_as(
        Role::Heading,
        &format!(
            "locks in the lock tables: {} rows, {}",
            held::thousands(waits.lock_rows as u64),
            owners.0
        ),
    );
    if let Some(note) = owners.1 {
        page.para(&format!("({note})"), "  ", "   ");
    }
    for g in listed.shown {
        page.para(
            &format!("{} {}", held::subject(g), held::phrase(g)),
            "  ",
            "    ",
        );
    }
    if listed.more > 0 {
        page.line(&format!(
            "  … and {} more (all of them with --full or in JSON)",
            listed.more
        ));
    }
    if listed.waiting > 0 {
        page.line(&format!(
            "  ({} waiting lock(s): in the blocking tree above)",
            listed.waiting
        ));
    }
    if listed.intention > 0 {
        page.para(
            &format!(
                "({} intention table lock(s), IS/IX, not listed: they only announce the \
                 record locks above)",
                listed.intention
            ),
            "  ",
            "   ",
        );
    }
}

/// `2 transaction(s)`, and where a table names no owner, what its rows were taken as.
fn owners(held: &[crate::model::HeldLocks]) -> (String, Option<&'static str>) {
    use crate::model::{GROUPED_PREFIX, UNNAMED_PREFIX};
    let mut ids: Vec<&str> = held.iter().map(|g| g.trx_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let unnamed = ids.iter().any(|t| t.starts_with(UNNAMED_PREFIX));
    let grouped = ids.iter().any(|t| t.starts_with(GROUPED_PREFIX));
    ids.retain(|t| !t.starts_with(UNNAMED_PREFIX));
    let n = ids.len();
    match (unnamed, grouped) {
        (true, _) if n == 0 => (
            "owners not shown".to_string(),
            Some(
                "no transaction id column, and the rows are not in one transaction's run after \
                 another: each row is its own owner, numbered in input order",
            ),
        ),
        (true, _) => (
            format!("{n} transaction(s) and rows whose owner is not shown"),
            Some("rows without an owner are numbered in input order"),
        ),
        (false, true) => (
            format!("{n} transaction(s)"),
            Some(
                "no transaction id column: told apart by their table locks, numbered in \
                 input order",
            ),
        ),
        (false, false) => (format!("{n} transaction(s)"), None),
    }
}

/// Waiters listed under one blocker before the rest are counted (all of them with `--full`): a
/// storm queues hundreds of sessions behind one transaction, and the report stays a screenful.
pub(super) const WAITERS_SHOWN: usize = 5;

/// The blocking tree: head blockers at the roots, each waiter under what it waits for.
fn tree_text(page: &mut Page, waits: &LockWaits, full: bool) {
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

/// `… and 95 more waiting (--full lists them): 95 for X record-only locks on `shop`.`orders`
/// PRIMARY`: the waits past the first few, counted by the lock they want.
pub(super) fn waits_folded(rest: &[&LockWait]) -> Option<String> {
    if rest.is_empty() {
        return None;
    }
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for w in rest {
        let what = crate::diagnose::lock_kind_phrase(&w.lock);
        match kinds.iter_mut().find(|(k, _)| *k == what) {
            Some((_, n)) => *n += 1,
            None => kinds.push((what, 1)),
        }
    }
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    let parts: Vec<String> = kinds
        .iter()
        .take(3)
        .map(|(k, n)| match n {
            1 => format!("1 for {k}"),
            n => format!("{n} for {}", k.replacen(" lock on ", " locks on ", 1)),
        })
        .collect();
    let etc = if kinds.len() > 3 { "; …" } else { "" };
    Some(format!(
        "… and {} more waiting (--full lists them): {}{etc}",
        rest.len(),
        parts.join("; ")
    ))
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
    if t.is_session() {
        let mut s = t.trx_id.clone();
        if let Some(user) = &t.user {
            s.push_str(&format!(" ({user}"));
            if let Some(host) = &t.host {
                s.push_str(&format!("@{host}"));
            }
            s.push(')');
        }
        return s;
    }
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
fn state(t: &TrxSummary, tree: &BlockingTree<'_>) -> String {
    let global = tree
        .waiting_for(&t.trx_id)
        .iter()
        .any(|w| w.lock.kind == LockKind::GlobalRead);
    if global && t.is_idle() {
        let age = t
            .command_secs
            .map(|s| format!(" for {s} s"))
            .unwrap_or_default();
        return format!(
            "idle{age}, runs no statement: taken for the holder of the global read lock \
             (inferred: the one session idle since before the first wait; a backup tool \
             idles so while it copies files)"
        );
    }
    // PROCESSLIST's TIME is the state's; a trx age (INNODB_TRX, sys) is the transaction's.
    let age = match (t.command_secs, t.active_secs) {
        (Some(s), _) => format!(" for {s} s"),
        (None, Some(s)) => format!(" (transaction open {s} s)"),
        _ => String::new(),
    };
    if t.is_idle() {
        let last = t
            .last_statement
            .as_deref()
            .map(|sql| format!(" (its last: {})", short_sql(sql)))
            .unwrap_or_default();
        format!("idle in its open transaction{age}, runs no statement{last}")
    } else if t.query_known {
        format!("running {}{age}", statement(t))
    } else {
        "what it runs is not shown (add INNODB_TRX or PROCESSLIST)".to_string()
    }
}

fn short_sql(sql: &str) -> String {
    crate::report::text_table::short_statement(sql, 60).join(" ")
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

/// Why no `KILL` is printed for `t`: the thread the input shows for it is a waiter's.
fn no_kill(t: &TrxSummary, ps: bool, id: u64) -> String {
    let shown = if ps {
        format!("THREAD_ID {id}")
    } else {
        format!("thread {id}")
    };
    format!(
        "no KILL suggested: {shown} shown for trx {}'s lock is a waiting transaction's \
         (InnoDB records the thread that turned an implicit lock, an uncommitted insert's, \
         into a lock struct, not the owner's); the blocker's own thread is not in the input: \
         look up `trx_mysql_thread_id` of trx {} in INNODB_TRX",
        t.trx_id, t.trx_id
    )
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
    /// The waiter and the blocker are on a wait-for cycle.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_cycle: bool,
}

impl<'a> LockWaitJson<'a> {
    pub(super) fn new(wait: &'a LockWait, tree: &BlockingTree<'_>) -> LockWaitJson<'a> {
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
pub(super) struct FindingLine<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub schema_version: u32,
    #[serde(flatten)]
    pub finding: &'a Finding,
}
