//! Each deadlock's story, step by step, is most of a markdown report and is made on the
//! workers ahead of its number: kept apart from the sink, which only numbers and collects.

use super::quote::{code, fence, prose};
use crate::model::{Deadlock, Flavour, Lock, Transaction};
use crate::report::picture::lock_lines;
use crate::report::wrap::squash;
use crate::sink::Analysed;

/// Characters of a statement shown before `…` (all of them with `--full`).
const STATEMENT_CHARS: usize = 600;

/// Where and when, and each transaction's step.
pub(super) fn timeline(s: &mut String, analysed: &Analysed, full: bool) {
    let d = &analysed.deadlock;
    let mut facts = vec![code(&format!("{}:{}", d.input, d.line))];
    if let Some(ts) = &d.timestamp {
        facts.push(ts.clone());
    }
    if d.flavour != Flavour::Unknown {
        facts.push(d.flavour.label().to_string());
    }
    facts.push(victim(d));
    s.push_str(&format!("{}\n\n### Timeline\n\n", facts.join(" · ")));
    for (i, t) in d.transactions.iter().enumerate() {
        s.push_str(&transaction(i + 1, d, t, full));
    }
    s.push_str(&format!("{}. {}\n", d.transactions.len() + 1, ending(d)));
}

fn victim(d: &Deadlock) -> String {
    match (d.victim.number, d.victim_transaction()) {
        (Some(n), Some(t)) => format!("victim: **({n}) trx {}**, rolled back", prose(&t.trx_id)),
        (Some(n), None) => format!("victim: **({n})**, rolled back (not printed)"),
        (None, _) => format!(
            "victim unknown: {}",
            prose(
                d.victim
                    .note
                    .as_deref()
                    .unwrap_or("the log has no `WE ROLL BACK TRANSACTION` line")
            )
        ),
    }
}

/// One numbered step: who, what it runs, what it holds, what it waits for and from whom.
fn transaction(step: usize, d: &Deadlock, t: &Transaction, full: bool) -> String {
    let mut who = Vec::new();
    if let Some(id) = t.thread_id {
        who.push(format!("thread {id}"));
    }
    if let Some(u) = t.user_at_host() {
        who.push(code(&u));
    }
    match t.active_secs {
        Some(secs) => who.push(format!("active {secs} s")),
        None if !t.state.is_empty() => who.push(prose(&t.state.to_lowercase())),
        None => {}
    }
    if let Some(n) = t.row_locks {
        who.push(format!("{n} row lock(s)"));
    }
    let victim = if d.victim.number == Some(t.number) {
        " — **victim**"
    } else {
        ""
    };
    let mut s = format!(
        "{step}. **({}) trx {}**{victim} ({})",
        t.number,
        prose(&t.trx_id),
        who.join(", ")
    );
    match &t.query {
        Some(q) => {
            s.push_str(" runs:\n\n");
            s.push_str(&fence("sql", &statement(q, full), "   "));
        }
        None => s.push_str(", no statement printed\n"),
    }
    s.push('\n');
    for lock in &t.holds {
        s.push_str(&format!("   - holds {}\n", lock_phrase(lock)));
    }
    if t.holds.is_empty() && !d.too_deep && d.flavour.holds_only_for_second() && t.number != 2 {
        s.push_str("   - holds: not printed by this server version (only for (2))\n");
    }
    for lock in t.conflicting_with.iter().filter(|l| l.trx_id != t.trx_id) {
        let owner = d
            .transactions
            .iter()
            .find(|o| o.trx_id == lock.trx_id)
            .map_or_else(
                || prose(&crate::report::unlisted_owner(&lock.trx_id)),
                |o| format!("({})", o.number),
            );
        s.push_str(&format!(
            "   - conflicts with {owner}'s {}\n",
            lock_phrase(lock)
        ));
    }
    if let Some(wait) = &t.waits_for {
        let holder = d
            .graph
            .edge_from(t.number)
            .map(|e| format!(", held by ({})", e.holder))
            .unwrap_or_default();
        s.push_str(&format!(
            "   - **waits for** {}{holder} (line {})\n",
            lock_phrase(wait),
            wait.line
        ));
    }
    s.push('\n');
    s
}

/// How it ended: the cycle and the rollback.
fn ending(d: &Deadlock) -> String {
    if d.too_deep {
        return "InnoDB gave up the search (`TOO DEEP OR LONG SEARCH`) and rolled back the \
                transaction that asked last: no cycle is proven."
            .to_string();
    }
    let cycle = match d.graph.cycle.first() {
        Some(first) => {
            let mut path: Vec<String> = d.graph.cycle.iter().map(|n| format!("({n})")).collect();
            path.push(format!("({first})"));
            format!("InnoDB finds the cycle {}", path.join(" → "))
        }
        None => "InnoDB finds a cycle (not closed by what the log prints)".to_string(),
    };
    match d.victim.number {
        Some(n) => format!("{cycle} and rolls back **({n})**."),
        None => format!("{cycle}; the victim is not known."),
    }
}

/// `X record-only lock on `test.stock` `PRIMARY` key `2``.
fn lock_phrase(lock: &Lock) -> String {
    let lines = lock_lines(lock);
    let mut s = lines.first().cloned().unwrap_or_default();
    if let Some(place) = lines.get(1) {
        s.push_str(&format!(" on {}", code(place)));
    }
    for extra in lines.iter().skip(2) {
        match extra.split_once(' ') {
            Some((word @ ("key" | "keys"), keys)) => {
                s.push_str(&format!(", {word} {}", code(keys)));
            }
            _ => s.push_str(&format!(", {}", prose(extra))),
        }
    }
    s
}

/// The statement for a ```` ```sql ```` block: as printed with `--full`, else on one line,
/// shortened.
fn statement(query: &str, full: bool) -> String {
    if full {
        return query.to_string();
    }
    let one = squash(query);
    if one.chars().count() > STATEMENT_CHARS {
        let cut: String = one.chars().take(STATEMENT_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        one
    }
}
