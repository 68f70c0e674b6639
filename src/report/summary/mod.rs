//! `--summary`: for a log with many deadlocks, what hurts most. The recurring collisions
//! (`shapes`, most first), counts per pattern, per table and index (of the locks waited for),
//! and per hour, instead of one report per deadlock; as text (`--by` picks the views), a JSON
//! object (`--format json`/`jsonl`) or markdown tables (`--format markdown`).
//!
//! #### Object: `summary` (JSON)
//!
//! `{"schema_version":1,"type":"summary","inputs":[…],"deadlocks":40,"lock_waits":0,
//! "warnings":0,"first":"…","last":"…","no_timestamp":0,"by_shape":[{"shape":"4cefe88a98a9",
//! "deadlocks":31,"share":0.775,"pattern":"…","fix":"…","statements":["update t set a=? where
//! id=?"],"places":["`test`.`t` PRIMARY"],"victims":[{"statement":"…","count":31}],"first":"…",
//! "last":"…","by_hour":[…],"example":{"input":"…","line":12}}],"by_pattern":[{"pattern":"…",
//! "deadlocks":20}],"by_index":[{"table":{"schema":"test","table":"t"},"index":"PRIMARY",
//! "deadlocks":20}],"by_hour":[{"hour":"2026-11-21 05:00","deadlocks":40}],
//! "lock_wait_findings":[{"pattern":"idle-blocker","count":1}]}`. Lists are sorted by count,
//! most first (hours by time); `first`/`last` are timestamps as printed, `null` when none.

mod json;
mod markdown;
mod shapes;
mod span;
mod text;

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use super::timestamp::Stamp;
use super::TextOptions;
use crate::model::{TableName, Warning};
use crate::sink::{Analysed, LockWaits, Sink, Summary};

use span::{count_hour, Span};

/// One view of the text summary (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum View {
    /// The recurring collisions, most first
    Shape,
    /// Deadlocks per pattern
    Pattern,
    /// Deadlocks per table and index waited on
    Table,
    /// Deadlocks per hour
    Hour,
}

/// Counts over the deadlocks seen.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub deadlocks: usize,
    shapes: shapes::ShapeTally,
    by_pattern: HashMap<&'static str, usize>,
    by_index: HashMap<(TableName, Option<String>), usize>,
    by_hour: BTreeMap<String, usize>,
    no_timestamp: usize,
    span: Span,
    lock_waits: usize,
    lock_wait_findings: HashMap<&'static str, usize>,
}

impl Tally {
    pub fn add(&mut self, analysed: &Analysed) {
        let d = &analysed.deadlock;
        self.deadlocks += 1;
        let pattern = analysed.pattern();
        *self.by_pattern.entry(pattern).or_default() += 1;
        let mut places: Vec<(TableName, Option<String>)> = Vec::new();
        for lock in d.transactions.iter().filter_map(|t| t.waits_for.as_ref()) {
            let place = (lock.table.clone(), lock.index().map(str::to_string));
            if !places.contains(&place) {
                places.push(place);
            }
        }
        for place in places {
            *self.by_index.entry(place).or_default() += 1;
        }
        // The timestamp as parsed, as printed, and its hour.
        let seen = d.timestamp.as_deref().and_then(|t| {
            let stamp = Stamp::parse(t)?;
            Some((stamp, t, stamp.hour()))
        });
        match &seen {
            Some((stamp, text, hour)) => {
                count_hour(&mut self.by_hour, hour);
                self.span.see(stamp, text);
            }
            None => self.no_timestamp += 1,
        }
        self.shapes
            .add(analysed, seen.as_ref().map(|(s, t, h)| (s, *t, h.as_str())));
    }

    pub fn add_lock_waits(&mut self, waits: &LockWaits) {
        self.lock_waits += waits.waits.len();
        for f in &waits.findings {
            *self.lock_wait_findings.entry(f.pattern).or_default() += 1;
        }
    }

    /// Patterns, most frequent first.
    pub fn patterns(&self) -> Vec<(&'static str, usize)> {
        sorted(self.by_pattern.iter().map(|(k, v)| (*k, *v)))
    }

    /// `(table, index)` of the awaited locks, most frequent first.
    pub fn indexes(&self) -> Vec<(&TableName, Option<&str>, usize)> {
        let mut v: Vec<_> = self
            .by_index
            .iter()
            .map(|((t, i), n)| (t, i.as_deref(), *n))
            .collect();
        v.sort_by(|a, b| {
            b.2.cmp(&a.2)
                .then_with(|| a.0.to_string().cmp(&b.0.to_string()))
                .then_with(|| a.1.cmp(&b.1))
        });
        v
    }

    pub fn hours(&self) -> impl Iterator<Item = (&str, usize)> {
        self.by_hour.iter().map(|(h, n)| (h.as_str(), *n))
    }

    pub fn first(&self) -> Option<&str> {
        self.span.first()
    }

    pub fn last(&self) -> Option<&str> {
        self.span.last()
    }
}

/// Most first, then by name.
fn sorted(items: impl Iterator<Item = (&'static str, usize)>) -> Vec<(&'static str, usize)> {
    let mut v: Vec<_> = items.collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v
}

/// How `--summary` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryFormat {
    Text,
    /// Pretty-printed (`--format json`).
    Json,
    /// On one line (`--format jsonl`).
    JsonLine,
    Markdown,
}

/// The `--summary` sink: counts everything, writes once at `finish`. Warnings go to `err`.
pub struct SummaryReport<W: Write, E: Write> {
    out: W,
    err: E,
    format: SummaryFormat,
    width: usize,
    views: Vec<View>,
    tally: Tally,
}

impl<W: Write, E: Write> SummaryReport<W, E> {
    pub fn new(out: W, err: E, format: SummaryFormat, options: TextOptions) -> Self {
        SummaryReport {
            out,
            err,
            format,
            width: usize::from(options.width.max(40)),
            views: Vec::new(),
            tally: Tally::default(),
        }
    }

    /// The text views (`--by`); none gives the default.
    pub fn views(mut self, views: &[View]) -> Self {
        self.views = views.to_vec();
        self
    }

    /// The writers back, for tests.
    pub fn into_inner(self) -> (W, E) {
        (self.out, self.err)
    }
}

impl<W: Write, E: Write> Sink for SummaryReport<W, E> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        self.tally.add(analysed);
        Ok(())
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        writeln!(self.err, "warning: {warning}")?;
        self.err.flush()
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        self.tally.add_lock_waits(waits);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        match self.format {
            SummaryFormat::Text => self
                .out
                .write_all(self.tally.text(summary, self.width, &self.views).as_bytes())?,
            SummaryFormat::Markdown => {
                self.out.write_all(b"# Deadlock summary\n\n")?;
                self.out
                    .write_all(self.tally.markdown(summary).as_bytes())?;
            }
            SummaryFormat::Json => {
                serde_json::to_writer_pretty(&mut self.out, &self.tally.json(summary))?;
                self.out.write_all(b"\n")?;
            }
            SummaryFormat::JsonLine => {
                serde_json::to_writer(&mut self.out, &self.tally.json(summary))?;
                self.out.write_all(b"\n")?;
            }
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn counts_and_renders() {
        let mut report = SummaryReport::new(
            Vec::new(),
            Vec::new(),
            SummaryFormat::Text,
            TextOptions::default(),
        );
        for _ in 0..3 {
            report.deadlock(&sample::deadlock()).unwrap();
        }
        let summary = Summary {
            inputs: vec!["x".to_string()],
            deadlocks: 3,
            ..Summary::default()
        };
        report.finish(&summary).unwrap();
        let out = String::from_utf8(report.into_inner().0).unwrap();
        assert!(
            out.starts_with("summary: 3 deadlocks in 1 input, 0 warnings\n"),
            "{out}"
        );
        assert!(out.contains("  delete-then-insert"), "{out}");
        assert!(out.contains("        3    100%"), "{out}");
        assert!(
            out.contains("3 deadlocks (100%) · delete-then-insert"),
            "{out}"
        );
        assert!(
            out.contains("look at: delete-then-insert.status.txt:3"),
            "{out}"
        );
        assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    }
}
