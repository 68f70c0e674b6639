//! A transaction in the blocking tree is named and described from whatever the input showed
//! of it (a session, a trx id, a thread, its state): those choices are gathered here, apart
//! from the tree's layout.

use crate::diagnose::trx_name;
use crate::model::{BlockingTree, LockKind, TrxSummary};

pub(super) fn who(t: &TrxSummary) -> String {
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
    let mut s = trx_name(t);
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
pub(super) fn state(t: &TrxSummary, tree: &BlockingTree<'_>) -> String {
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

pub(super) fn statement(t: &TrxSummary) -> String {
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
pub(super) fn no_kill(t: &TrxSummary, ps: bool, id: u64) -> String {
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
