//! The human report: one section per deadlock, laid out for an 80-column terminal. A table of
//! the transactions, then each one's locks in plain words (`model::describe_lock`), the wait-for
//! cycle, the victim, and the findings. Warnings go to a second writer (stderr), so piping the
//! report keeps only the report.

use std::io::{self, Write};
use std::sync::Arc;

use super::colour::{paint, Role};
use super::text_table::{short_statement, transactions_table};
use super::wrap::{truncate, wrap, NO_BREAK};
use super::TextOptions;
use crate::diagnose::Finding;
use crate::model::{
    describe_lock, describe_lock_short, describe_record_in, Deadlock, EdgeSource, Flavour, Lock,
    Transaction, Warning,
};
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

/// Records listed under one lock before `… and N more` (all of them with `full`).
const RECORDS_SHOWN: usize = 3;

/// Renders each deadlock as it arrives to `out`, warnings to `err`.
pub struct TextReport<W: Write, E: Write> {
    out: W,
    err: E,
    options: TextOptions,
    /// Deadlocks rendered so far: the `deadlock N` of the next header is this plus one.
    count: usize,
}

impl<W: Write, E: Write> TextReport<W, E> {
    pub fn new(out: W, err: E, options: TextOptions) -> Self {
        TextReport {
            out,
            err,
            options,
            count: 0,
        }
    }

    /// The writers back, for tests and callers that render into buffers.
    pub fn into_inner(self) -> (W, E) {
        (self.out, self.err)
    }
}

impl<W: Write, E: Write> Sink for TextReport<W, E> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        self.count += 1;
        let mut page = Page::new(self.options);
        page.deadlock(self.count, analysed);
        if self.count > 1 {
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(page.text.as_bytes())?;
        // Live inputs (`watch`) and pipes into `less` want each deadlock as soon as it is known.
        self.out.flush()
    }

    fn renderer(&self) -> Option<Render> {
        let options = self.options;
        Some(Arc::new(move |analysed: &Analysed, buf: &mut Vec<u8>| {
            let mut page = Page::new(options);
            page.deadlock_body(analysed);
            buf.extend_from_slice(page.text.as_bytes());
            Ok(())
        }))
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> io::Result<()> {
        self.count += 1;
        let mut page = Page::new(self.options);
        page.header(self.count, &analysed.deadlock);
        if self.count > 1 {
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(page.text.as_bytes())?;
        self.out.write_all(rendered)?;
        self.out.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        writeln!(self.err, "warning: {warning}")?;
        self.err.flush()
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        if waits.waits.is_empty() {
            return Ok(());
        }
        let mut page = Page::new(self.options);
        super::lock_waits::text(&mut page, waits);
        if self.count > 0 {
            self.out.write_all(b"\n")?;
        }
        self.count += 1;
        self.out.write_all(page.text.as_bytes())?;
        self.out.flush()
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.count > 0 {
            self.out.write_all(b"\n")?;
        }
        writeln!(self.out, "{}", summary_line(summary))?;
        self.out.flush()
    }
}

/// `3 deadlocks in 1 input, 0 warnings`.
pub fn summary_line(summary: &Summary) -> String {
    let waits = if summary.lock_waits > 0 {
        format!(", {}", plural(summary.lock_waits, "lock wait"))
    } else {
        String::new()
    };
    format!(
        "{}{waits} in {}, {}",
        plural(summary.deadlocks, "deadlock"),
        plural(summary.inputs.len(), "input"),
        plural(summary.warnings, "warning")
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One deadlock's (or one moment's lock waits') text, built in memory and written at once.
pub(super) struct Page {
    width: usize,
    full: bool,
    /// Colour the lines that matter (`--color`); plain text otherwise.
    colour: bool,
    pub(super) text: String,
}

impl Page {
    pub(super) fn new(options: TextOptions) -> Page {
        Page {
            width: usize::from(options.width.max(40)),
            full: options.full,
            colour: options.colour,
            text: String::new(),
        }
    }

    pub(super) fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// Wrapped prose: `first` before the first line, `rest` before the others.
    pub(super) fn para(&mut self, text: &str, first: &str, rest: &str) {
        for line in wrap(text, self.width, first, rest) {
            self.line(&line);
        }
    }

    /// [`Page::line`] in the colour of `role` when colour is on.
    pub(super) fn line_as(&mut self, role: Role, line: &str) {
        if self.colour {
            self.line(&paint(line, role));
        } else {
            self.line(line);
        }
    }

    /// [`Page::para`] in the colour of `role` when colour is on.
    pub(super) fn para_as(&mut self, role: Role, text: &str, first: &str, rest: &str) {
        if !self.colour {
            return self.para(text, first, rest);
        }
        for line in wrap(text, self.width, first, rest) {
            self.line(&paint(&line, role));
        }
    }

    /// A quoted log line: cut at the width, whole with `full`.
    pub(super) fn quote(&mut self, line: &str) {
        if self.full {
            self.line(line);
        } else {
            let cut = truncate(line, self.width);
            self.line(&cut);
        }
    }

    fn deadlock(&mut self, n: usize, analysed: &Analysed) {
        self.header(n, &analysed.deadlock);
        self.deadlock_body(analysed);
    }

    /// The `deadlock N` heading: the only part of a deadlock's text that depends on what came
    /// before it.
    fn header(&mut self, n: usize, d: &Deadlock) {
        self.para_as(Role::Heading, &header(n, d), "", "  ");
    }

    /// Everything after the heading; rendered on the pipeline's workers (`Sink::renderer`).
    fn deadlock_body(&mut self, analysed: &Analysed) {
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
        let text = format!(
            "{label}{} (line{NO_BREAK}{})",
            describe_lock(lock),
            lock.line
        );
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
            self.para(&describe_record_in(rec, lock.index()), "      ", "        ");
        }
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
            let mut path: Vec<String> = graph.cycle.iter().map(|n| format!("({n})")).collect();
            path.push(format!("({first})"));
            self.para_as(
                Role::Cycle,
                &format!("cycle: {}", path.join(" → ")),
                "",
                "  ",
            );
        } else {
            self.para(
                "cycle: not closed by what the log prints (a transaction on it may not be shown)",
                "",
                "  ",
            );
        }
        for edge in &graph.edges {
            let lock = d
                .transaction(edge.waiter)
                .and_then(|t| t.waits_for.as_ref())
                .map_or_else(|| edge.lock.to_string(), describe_lock_short);
            let inferred = if edge.source == EdgeSource::Inferred {
                " (inferred)"
            } else {
                ""
            };
            self.para(
                &format!(
                    "({}) waits for ({}): {lock}{inferred}",
                    edge.waiter, edge.holder
                ),
                "  ",
                "    ",
            );
        }
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

    pub(super) fn finding(&mut self, f: &Finding) {
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
        if !f.evidence.is_empty() {
            self.line("  evidence:");
            for e in &f.evidence {
                self.quote(&format!("    line {}: {}", e.line, e.text));
            }
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
        None => format!("trx {} (not printed)", lock.trx_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    fn render(options: TextOptions) -> (String, String) {
        let mut report = TextReport::new(Vec::new(), Vec::new(), options);
        report.deadlock(&sample::deadlock()).unwrap();
        report
            .warning(&Warning {
                input: "delete-then-insert.status.txt".to_string(),
                line: 7,
                message: "unrecognised line in transaction `1`".to_string(),
                text: Some("garbage".to_string()),
            })
            .unwrap();
        report
            .finish(&Summary {
                inputs: vec!["delete-then-insert.status.txt".to_string()],
                deadlocks: 1,
                warnings: 1,
                lock_waits: 0,
                bytes: 0,
            })
            .unwrap();
        let (out, err) = report.into_inner();
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn reads_well_at_80_columns() {
        let (out, _) = render(TextOptions::default());
        for line in out.lines() {
            assert!(line.chars().count() <= 80, "too wide: {line:?}\n{out}");
        }
        for phrase in [
            "deadlock 1 of delete-then-insert.status.txt:3 at 2026-11-21 05:24:04 — MariaDB",
            "waiting to insert into the gap before a delete-marked record (heap 6)",
            "gap lock on the supremum",
            "heap 12: 0x00000000…00000025, DB_TRX_ID 48, DB_ROLL_PTR",
            "delete-marked (info bits 32)",
            "… and 3 more records",
            "conflicting with (2) trx 48:",
            "cycle: (1) → (2) → (1)",
            "(2) waits for (1): X insert-intention on `test`.`session_endpoint`",
            "victim unknown: MariaDB printed (0) (MDEV-29187)",
            "finding: delete-then-insert (high confidence)",
            "    line 33: RECORD LOCKS",
            "  fix:",
            "      DELETE FROM session_endpoint",
        ] {
            assert!(out.contains(phrase), "missing {phrase:?} in\n{out}");
        }
        assert_eq!(out.lines().last(), Some("1 deadlock in 1 input, 1 warning"));
    }

    #[test]
    fn full_shows_statements_and_records_whole() {
        let (out, _) = render(TextOptions {
            full: true,
            ..TextOptions::default()
        });
        assert!(
            out.contains("\n  INSERT INTO session_endpoint\n  VALUES"),
            "{out}"
        );
        assert!(out.contains("UNHEX('00000000000000000000000000000090'))"));
        assert!(!out.contains("more records"), "{out}");
        assert!(out.contains("intention waiting\n"), "evidence whole: {out}");
    }

    #[test]
    fn warnings_go_to_the_error_writer() {
        let (out, err) = render(TextOptions::default());
        assert_eq!(
            err,
            "warning: unrecognised line in transaction `1`\n --> \
             delete-then-insert.status.txt:7\n  |\n7 | garbage\n"
        );
        assert!(!out.contains("warning:"));
    }

    #[test]
    fn wide_terminals_get_the_statement_column() {
        let (out, _) = render(TextOptions {
            width: 140,
            ..TextOptions::default()
        });
        let header = out.lines().nth(1).unwrap_or_default();
        assert!(header.ends_with("statement"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 140), "{out}");
        let (narrow, _) = render(TextOptions::default());
        assert!(!narrow.contains("statement"), "{narrow}");
        assert!(
            narrow.contains("\n  DELETE FROM session WHERE id IN"),
            "{narrow}"
        );
    }

    #[test]
    fn older_servers_say_what_they_did_not_print() {
        let mut analysed = sample::deadlock();
        analysed.deadlock.flavour = Flavour::Mysql57;
        analysed.deadlock.victim = crate::model::Victim {
            number: Some(2),
            note: None,
        };
        let mut report = TextReport::new(Vec::new(), Vec::new(), TextOptions::default());
        report.deadlock(&analysed).unwrap();
        let out = String::from_utf8(report.into_inner().0).unwrap();
        assert!(out.contains("(1) trx 47\n"), "{out}");
        assert!(out.contains("(2) trx 48, the victim"), "{out}");
        assert!(out.contains("holds: not printed"), "{out}");
        assert!(
            out.contains("victim: transaction (2), trx 48, rolled back"),
            "{out}"
        );
    }

    #[test]
    fn summary_counts_are_plural() {
        let summary = Summary {
            inputs: vec!["a".to_string(), "b".to_string()],
            deadlocks: 3,
            warnings: 0,
            lock_waits: 0,
            bytes: 0,
        };
        assert_eq!(
            summary_line(&summary),
            "3 deadlocks in 2 inputs, 0 warnings"
        );
    }
}
