//! One deadlock laid out as text: the header, the transactions table, each transaction's locks
//! in plain words, the wait-for cycle, the victim and the findings. Built in memory and written
//! at once by `TextReport` (or pre-rendered by a worker).

use crate::diagnose::Finding;
use crate::model::{push_number, Deadlock, EdgeSource, Flavour, Lock, Transaction};
use crate::report::colour::{paint, Role};
use crate::report::describe::{push_description, push_lock_short, push_record_in};
use crate::report::text_table::{short_statement, transactions_table};
use crate::report::wrap::{push_truncated, wrap_each, NO_BREAK};
use crate::report::TextOptions;
use crate::sink::Analysed;

use super::plural;

/// Records listed under one lock before `… and N more` (all of them with `full`).
const RECORDS_SHOWN: usize = 3;

/// One deadlock's (or one moment's lock waits') text, built in memory and written at once.
pub(crate) struct Page {
    width: usize,
    full: bool,
    /// Colour the lines that matter (`--color`); plain text otherwise.
    colour: bool,
    pub(crate) text: String,
    /// A line being built, reused from one to the next.
    scratch: String,
}

impl Page {
    pub(crate) fn new(options: TextOptions) -> Page {
        Page {
            width: usize::from(options.width.max(40)),
            full: options.full,
            colour: options.colour,
            // A deadlock's page is a few KiB: grown once, not line by line.
            text: String::with_capacity(8192),
            scratch: String::with_capacity(256),
        }
    }

    pub(crate) fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// The line buffer, empty, for a line built in pieces; put it back in `scratch` after.
    fn take_scratch(&mut self) -> String {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        text
    }

    /// Wrapped prose: `first` before the first line, `rest` before the others.
    pub(crate) fn para(&mut self, text: &str, first: &str, rest: &str) {
        let page = &mut self.text;
        wrap_each(text, self.width, first, rest, &mut |line| {
            page.push_str(line);
            page.push('\n');
        });
    }

    /// [`Page::line`] in the colour of `role` when colour is on.
    pub(crate) fn line_as(&mut self, role: Role, line: &str) {
        if self.colour {
            self.line(&paint(line, role));
        } else {
            self.line(line);
        }
    }

    /// [`Page::para`] in the colour of `role` when colour is on.
    pub(crate) fn para_as(&mut self, role: Role, text: &str, first: &str, rest: &str) {
        if !self.colour {
            return self.para(text, first, rest);
        }
        let page = &mut self.text;
        wrap_each(text, self.width, first, rest, &mut |line| {
            page.push_str(&paint(line, role));
            page.push('\n');
        });
    }

    /// A quoted log line: cut at the width, whole with `full`.
    pub(crate) fn quote(&mut self, line: &str) {
        if self.full {
            self.line(line);
        } else {
            push_truncated(&mut self.text, line, self.width);
            self.text.push('\n');
        }
    }

    pub(crate) fn deadlock(&mut self, n: usize, analysed: &Analysed) {
        self.header(n, &analysed.deadlock);
        self.deadlock_body(analysed);
    }

    /// The `deadlock N` heading: the only part of a deadlock's text that depends on what came
    /// before it.
    pub(crate) fn header(&mut self, n: usize, d: &Deadlock) {
        self.para_as(Role::Heading, &header(n, d), "", "  ");
    }

    /// Everything after the heading; rendered on the pipeline's workers (`Sink::renderer`).
    pub(crate) fn deadlock_body(&mut self, analysed: &Analysed) {
        let d = &analysed.deadlock;
        let (table, statements_shown) = transactions_table(d, self.width, self.full);
        self.line(&table);
        for trx in &d.transactions {
            self.transaction(d, trx, statements_shown);
        }
        self.cycle(d);
        self.victim(d);
        for finding in &analysed.findings {
            self.finding(finding);
        }
    }

    fn transaction(&mut self, d: &Deadlock, trx: &Transaction, statement_shown: bool) {
        let is_victim = d.victim.number == Some(trx.number);
        let victim = if is_victim { ", the victim" } else { "" };
        self.line("");
        let heading = format!("({}) trx {}{victim}", trx.number, trx.trx_id);
        if is_victim {
            self.para_as(Role::Victim, &heading, "", "  ");
        } else {
            self.para(&heading, "", "  ");
        }
        match &trx.query {
            Some(query) if self.full => {
                for line in query.lines() {
                    self.line(&format!("  {line}"));
                }
            }
            Some(query) if !statement_shown => {
                for line in short_statement(query, self.width) {
                    self.line(&line);
                }
            }
            _ => {}
        }
        for lock in &trx.holds {
            self.lock("holds: ", lock);
        }
        if trx.holds.is_empty() && holds_not_printed(d, trx) {
            self.para(
                "holds: not printed (this server version prints held locks only for \
                 transaction (2))",
                "  - ",
                "    ",
            );
        }
        if let Some(wait) = &trx.waits_for {
            self.lock("", wait);
        }
        for lock in &trx.conflicting_with {
            let owner = owner_of(d, trx, lock);
            self.lock(&format!("conflicting with {owner}: "), lock);
        }
    }

    fn lock(&mut self, label: &str, lock: &Lock) {
        // One buffer for the lock's sentence and each record's line, kept for the next lock.
        let mut text = self.take_scratch();
        text.push_str(label);
        push_description(&mut text, lock);
        text.push_str(" (line");
        text.push(NO_BREAK);
        push_number(&mut text, lock.line);
        text.push(')');
        if lock.waiting {
            self.para_as(Role::Waiting, &text, "  - ", "    ");
        } else {
            self.para(&text, "  - ", "    ");
        }
        let shown = if self.full {
            lock.records.len()
        } else {
            RECORDS_SHOWN
        };
        for rec in lock.records.iter().take(shown) {
            text.clear();
            push_record_in(&mut text, rec, lock.index());
            self.para(&text, "      ", "        ");
        }
        self.scratch = text;
        if lock.records.len() > shown {
            let more = lock.records.len() - shown;
            self.line(&format!("      … and {}", plural(more, "more record")));
        }
    }

    fn cycle(&mut self, d: &Deadlock) {
        self.line("");
        let graph = &d.graph;
        if d.too_deep {
            self.para(
                "cycle: not proven: InnoDB gave up the search (TOO DEEP OR LONG SEARCH) and \
                 rolled back the transaction that asked last",
                "",
                "  ",
            );
        } else if let Some(first) = graph.cycle.first() {
            let mut text = self.take_scratch();
            text.push_str("cycle: ");
            for (i, n) in graph.cycle.iter().chain([first]).enumerate() {
                if i > 0 {
                    text.push_str(" → ");
                }
                text.push('(');
                push_number(&mut text, *n);
                text.push(')');
            }
            self.para_as(Role::Cycle, &text, "", "  ");
            self.scratch = text;
        } else {
            self.para(
                "cycle: not closed by what the log prints (a transaction on it may not be shown)",
                "",
                "  ",
            );
        }
        let mut text = self.take_scratch();
        for edge in &graph.edges {
            text.clear();
            text.push('(');
            push_number(&mut text, edge.waiter);
            text.push_str(") waits for (");
            push_number(&mut text, edge.holder);
            text.push_str("): ");
            match d
                .transaction(edge.waiter)
                .and_then(|t| t.waits_for.as_ref())
            {
                Some(lock) => push_lock_short(&mut text, lock),
                None => text.push_str(&edge.lock),
            }
            if edge.source == EdgeSource::Inferred {
                text.push_str(" (inferred)");
            }
            self.para(&text, "  ", "    ");
        }
        self.scratch = text;
    }

    fn victim(&mut self, d: &Deadlock) {
        let role = if d.victim.number.is_some() {
            Role::Victim
        } else {
            Role::Heading
        };
        let text = match (d.victim.number, d.victim_transaction()) {
            (Some(n), Some(t)) => {
                format!("victim: transaction ({n}), trx {}, rolled back", t.trx_id)
            }
            (Some(n), None) => format!("victim: transaction ({n}), rolled back (not printed)"),
            (None, _) => format!(
                "victim unknown: {}",
                d.victim
                    .note
                    .as_deref()
                    .unwrap_or("the log has no `WE ROLL BACK TRANSACTION` line")
            ),
        };
        self.para_as(role, &text, "", "  ");
    }

    pub(crate) fn finding(&mut self, f: &Finding) {
        self.line("");
        let contributing = if f.contributing { ", contributing" } else { "" };
        self.para_as(
            Role::Finding(f.confidence),
            &format!(
                "finding: {} ({} confidence{contributing})",
                f.pattern,
                f.confidence.as_str()
            ),
            "",
            "  ",
        );
        self.para(&f.summary, "  ", "  ");
        for a in &f.alternatives {
            self.para(
                &format!("could also be {}: {}", a.pattern, a.reason),
                "  ",
                "    ",
            );
        }
        if !f.evidence.is_empty() {
            self.line("  evidence:");
            let mut text = self.take_scratch();
            for e in &f.evidence {
                text.clear();
                text.push_str("    line ");
                push_number(&mut text, e.line);
                text.push_str(": ");
                text.push_str(&e.text);
                self.quote(&text);
            }
            self.scratch = text;
        }
        if !f.fix.is_empty() {
            self.line("  fix:");
            self.para(&f.fix, "    ", "    ");
        }
    }
}

/// `deadlock 1 of status.txt:25 at 2026-11-21 05:24:04 — MariaDB 10.6+`.
fn header(n: usize, d: &Deadlock) -> String {
    let mut s = format!("deadlock {n} of {}:{}", d.input, d.line);
    if let Some(ts) = &d.timestamp {
        s.push_str(&format!(" at {ts}"));
    }
    if d.flavour != Flavour::Unknown {
        s.push_str(&format!(" — {}", d.flavour.label()));
    }
    if d.too_deep {
        s.push_str(" — TOO DEEP: InnoDB gave up the search");
    }
    s
}

/// MySQL ≤ 8.0.17 and MariaDB < 10.6 print `HOLDS THE LOCK(S)` for transaction (2) only.
fn holds_not_printed(d: &Deadlock, trx: &Transaction) -> bool {
    !d.too_deep && d.flavour.holds_only_for_second() && trx.number != 2
}

/// Who owns a `CONFLICTING WITH` lock: a printed transaction, the waiter itself, or an
/// unprinted one (MariaDB can name `trx id 0`, format-spec §3.3).
fn owner_of(d: &Deadlock, waiter: &Transaction, lock: &Lock) -> String {
    if lock.trx_id == waiter.trx_id {
        return "its own lock".to_string();
    }
    match d.transactions.iter().find(|t| t.trx_id == lock.trx_id) {
        Some(t) => format!("({}) trx {}", t.number, t.trx_id),
        None => crate::report::unlisted_owner(&lock.trx_id),
    }
}
