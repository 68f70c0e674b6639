//! The human report: one section per deadlock, laid out for an 80-column terminal. A table of
//! the transactions, then each one's locks in plain words (`report::describe`), the wait-for
//! cycle, the victim, and the findings. Warnings go to a second writer (stderr), so piping the
//! report keeps only the report.

use std::io::{self, Write};
use std::sync::Arc;

mod page;

pub(super) use page::Page;

use super::TextOptions;
use crate::model::Warning;
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

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
        if waits.waits.is_empty() && waits.held.is_empty() && waits.histories.is_empty() {
            return Ok(());
        }
        let mut page = Page::new(self.options);
        super::lock_waits::text(&mut page, waits, self.options.full);
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

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Flavour;
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
