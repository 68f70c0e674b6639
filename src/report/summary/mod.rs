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

mod shapes;

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde::Serialize;

use super::text::summary_line;
use super::timestamp::Stamp;
use super::wrap::truncate;
use super::{TextOptions, SCHEMA_VERSION};
use crate::model::{TableName, Warning};
use crate::sink::{Analysed, LockWaits, Sink, Summary};

/// Rows of the text's table and index list: the ones that hurt most.
const INDEXES_SHOWN: usize = 20;

/// Shapes the default text view details, and lists by their first line after those, so that
/// the summary of a long log fits one screen; `--by shape` details them all.
const SHAPES_IN_FULL: usize = 3;
const SHAPES_LISTED: usize = 5;

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

/// One more deadlock in `hour` (allocating the key only for a new hour).
fn count_hour(by_hour: &mut BTreeMap<String, usize>, hour: &str) {
    match by_hour.get_mut(hour) {
        Some(n) => *n += 1,
        None => {
            by_hour.insert(hour.to_string(), 1);
        }
    }
}

/// The first and last timestamp seen.
#[derive(Debug, Default, Clone)]
struct Span {
    first: Option<(Stamp, String)>,
    last: Option<(Stamp, String)>,
}

impl Span {
    fn see(&mut self, stamp: &Stamp, text: &str) {
        // Most deadlocks of a log are the last so far: its buffer is reused, not reallocated.
        fn set(slot: &mut Option<(Stamp, String)>, stamp: &Stamp, text: &str) {
            match slot {
                Some((s, t)) => {
                    *s = *stamp;
                    if t != text {
                        t.clear();
                        t.push_str(text);
                    }
                }
                None => *slot = Some((*stamp, text.to_string())),
            }
        }
        if self
            .first
            .as_ref()
            .map_or(true, |(f, _)| stamp.cmp_for_selection(f).is_lt())
        {
            set(&mut self.first, stamp, text);
        }
        if self
            .last
            .as_ref()
            .map_or(true, |(l, _)| stamp.cmp_for_selection(l).is_ge())
        {
            set(&mut self.last, stamp, text);
        }
    }

    fn first(&self) -> Option<&str> {
        self.first.as_ref().map(|(_, t)| t.as_str())
    }

    fn last(&self) -> Option<&str> {
        self.last.as_ref().map(|(_, t)| t.as_str())
    }
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

    /// The shapes as text: the first `shown` in full, the rest counted.
    fn shapes_text(&self, width: usize, full: usize, listed: usize) -> String {
        let ranked = self.shapes.ranked();
        let mut s = format!(
            "\n{} shape{} in {} deadlock{} (a shape: one pattern, statements and locks)\n",
            ranked.len(),
            if ranked.len() == 1 { "" } else { "s" },
            self.deadlocks,
            if self.deadlocks == 1 { "" } else { "s" },
        );
        let hours: Vec<&str> = self.by_hour.keys().map(String::as_str).collect();
        for (i, shape) in ranked.iter().take(full).enumerate() {
            s.push('\n');
            s.push_str(&shape.text(i + 1, self.deadlocks, &hours, width));
        }
        // The next ones by their first line only.
        if ranked.len() > full && listed > 0 {
            s.push('\n');
        }
        for (i, shape) in ranked.iter().enumerate().skip(full).take(listed) {
            s.push_str(&truncate(&shape.header(i + 1, self.deadlocks), width));
            s.push('\n');
        }
        let shown = full.saturating_add(listed);
        if ranked.len() > shown {
            let rest: usize = ranked.iter().skip(shown).map(|s| s.count).sum();
            s.push_str(&format!(
                "\n… and {} more shape(s), {rest} deadlock(s) (`--by shape` lists all)\n",
                ranked.len() - shown
            ));
        }
        s
    }

    /// The summary as a text report `width` columns wide, with `views` (none: shapes, then
    /// patterns).
    pub fn text(&self, summary: &Summary, width: usize, views: &[View]) -> String {
        let default = views.is_empty();
        let wants = |v: View| views.contains(&v);
        let mut s = format!("summary: {}\n", summary_line(summary));
        match (self.first(), self.last()) {
            (Some(first), Some(last)) if first == last => s.push_str(&format!("at {first}\n")),
            (Some(first), Some(last)) => s.push_str(&format!("from {first} to {last}\n")),
            _ => {}
        }
        if self.no_timestamp > 0 {
            s.push_str(&format!("{} without a timestamp\n", self.no_timestamp));
        }
        let total = self.deadlocks.max(1);
        let indexes: Vec<String> = self
            .indexes()
            .into_iter()
            .map(|(t, i, _)| match i {
                Some(i) => format!("{t} {i}"),
                None => format!("{t} (table lock)"),
            })
            .collect();
        let longest = self
            .by_pattern
            .keys()
            .map(|p| p.len())
            .chain(indexes.iter().map(|i| i.chars().count()))
            .max()
            .unwrap_or(0);
        let name_width = longest.clamp(18, width.saturating_sub(24).max(18));
        let row = |name: &str, n: usize, extra: &str| {
            let name = truncate(name, name_width);
            format!("  {name:<name_width$} {n:>9}{extra}\n")
        };
        if self.deadlocks > 0 && (default || wants(View::Shape)) {
            let (full, listed) = if default {
                (SHAPES_IN_FULL, SHAPES_LISTED)
            } else {
                (usize::MAX, 0)
            };
            s.push_str(&self.shapes_text(width, full, listed));
        }
        if self.deadlocks > 0 && (default || wants(View::Pattern)) {
            s.push_str(&format!(
                "\n{:<w$} deadlocks   share\n",
                "by pattern",
                w = name_width + 2
            ));
            for (p, n) in self.patterns() {
                s.push_str(&row(
                    p,
                    n,
                    &format!("   {:>4}%", (n * 100 + total / 2) / total),
                ));
            }
        }
        if self.deadlocks > 0 && wants(View::Table) {
            s.push_str(&format!(
                "\n{:<w$} deadlocks\n",
                "by table and index",
                w = name_width + 2
            ));
            for (name, (_, _, n)) in indexes.iter().zip(self.indexes()).take(INDEXES_SHOWN) {
                s.push_str(&row(name, n, ""));
            }
            if indexes.len() > INDEXES_SHOWN {
                s.push_str(&format!(
                    "  … and {} more (`--format json` lists all)\n",
                    indexes.len() - INDEXES_SHOWN
                ));
            }
        }
        if !self.by_hour.is_empty() && wants(View::Hour) {
            s.push_str(&format!(
                "\n{:<w$} deadlocks\n",
                "by hour",
                w = name_width + 2
            ));
            let most = self.by_hour.values().copied().max().unwrap_or(1).max(1);
            let bar_room = width.saturating_sub(name_width + 15).clamp(1, 40);
            for (h, n) in self.hours() {
                let bar = "█".repeat(((n * bar_room) / most).max(1));
                s.push_str(&row(h, n, &format!("  {bar}")));
            }
        }
        if self.lock_waits > 0 {
            s.push_str(&format!("\nlock waits: {}", self.lock_waits));
            let findings = sorted(self.lock_wait_findings.iter().map(|(k, v)| (*k, *v)));
            if !findings.is_empty() {
                let names: Vec<String> =
                    findings.iter().map(|(p, n)| format!("{p} ×{n}")).collect();
                s.push_str(&format!(" ({})", names.join(", ")));
            }
            s.push('\n');
        }
        s
    }

    /// The summary as markdown: a sentence and tables.
    pub fn markdown(&self, summary: &Summary) -> String {
        let mut s = format!("**{}**", summary_line(summary));
        match (self.first(), self.last()) {
            (Some(first), Some(last)) if first == last => s.push_str(&format!(", at {first}")),
            (Some(first), Some(last)) => s.push_str(&format!(", from {first} to {last}")),
            _ => {}
        }
        s.push_str(".\n");
        if self.deadlocks > 0 {
            s.push_str(
                "\n| shape | deadlocks | pattern | statements | first seen | last seen | look at |\n|---|--:|---|---|---|---|---|\n",
            );
            for shape in self.shapes.ranked() {
                let statements: Vec<String> = shape
                    .statements
                    .iter()
                    .map(|st| {
                        let lost = match shape.victims(st) {
                            0 => String::new(),
                            n => format!(" (victim {n}×)"),
                        };
                        format!("{}{lost}", super::markdown::cell(st))
                    })
                    .collect();
                let (first, last) = shape.seen();
                s.push_str(&format!(
                    "| `{}` | {} | `{}` | {} | {} | {} | {} |\n",
                    shape.id,
                    shape.count,
                    shape.pattern,
                    statements.join("<br>"),
                    first.unwrap_or("–"),
                    last.unwrap_or("–"),
                    super::markdown::cell(&format!("{}:{}", shape.example.0, shape.example.1))
                ));
            }
            s.push_str("\n| pattern | deadlocks |\n|---|--:|\n");
            for (p, n) in self.patterns() {
                s.push_str(&format!("| `{p}` | {n} |\n"));
            }
            s.push_str("\n| table | index | deadlocks |\n|---|---|--:|\n");
            for (t, i, n) in self.indexes() {
                let table = super::markdown::cell(&super::picture::table(t));
                let index = i.map_or_else(|| "(table lock)".to_string(), super::markdown::cell);
                s.push_str(&format!("| {table} | {index} | {n} |\n"));
            }
        }
        if self.by_hour.len() > 1 {
            s.push_str("\n| hour | deadlocks |\n|---|--:|\n");
            for (h, n) in self.hours() {
                s.push_str(&format!("| {h} | {n} |\n"));
            }
        }
        s
    }

    pub fn json(&self, summary: &Summary) -> SummaryObject<'_> {
        SummaryObject {
            schema_version: SCHEMA_VERSION,
            kind: "summary",
            inputs: summary.inputs.clone(),
            deadlocks: self.deadlocks,
            lock_waits: self.lock_waits,
            warnings: summary.warnings,
            first: self.first(),
            last: self.last(),
            no_timestamp: self.no_timestamp,
            by_shape: self
                .shapes
                .ranked()
                .into_iter()
                .map(|s| s.json(self.deadlocks))
                .collect(),
            by_pattern: self
                .patterns()
                .into_iter()
                .map(|(pattern, deadlocks)| ByPattern { pattern, deadlocks })
                .collect(),
            by_index: self
                .indexes()
                .into_iter()
                .map(|(table, index, deadlocks)| ByIndex {
                    table,
                    index,
                    deadlocks,
                })
                .collect(),
            by_hour: self
                .hours()
                .map(|(hour, deadlocks)| ByHour { hour, deadlocks })
                .collect(),
            lock_wait_findings: sorted(self.lock_wait_findings.iter().map(|(k, v)| (*k, *v)))
                .into_iter()
                .map(|(pattern, count)| FindingCount { pattern, count })
                .collect(),
        }
    }
}

/// Most first, then by name.
fn sorted(items: impl Iterator<Item = (&'static str, usize)>) -> Vec<(&'static str, usize)> {
    let mut v: Vec<_> = items.collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v
}

/// The JSON object of `--summary --format json`.
#[derive(Debug, Serialize)]
pub struct SummaryObject<'a> {
    pub schema_version: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub inputs: Vec<String>,
    pub deadlocks: usize,
    pub lock_waits: usize,
    pub warnings: usize,
    pub first: Option<&'a str>,
    pub last: Option<&'a str>,
    pub no_timestamp: usize,
    pub by_shape: Vec<shapes::ShapeJson<'a>>,
    pub by_pattern: Vec<ByPattern>,
    pub by_index: Vec<ByIndex<'a>>,
    pub by_hour: Vec<ByHour<'a>>,
    pub lock_wait_findings: Vec<FindingCount>,
}

#[derive(Debug, Serialize)]
pub struct ByPattern {
    pub pattern: &'static str,
    pub deadlocks: usize,
}

#[derive(Debug, Serialize)]
pub struct ByIndex<'a> {
    pub table: &'a TableName,
    pub index: Option<&'a str>,
    pub deadlocks: usize,
}

#[derive(Debug, Serialize)]
pub struct ByHour<'a> {
    pub hour: &'a str,
    pub deadlocks: usize,
}

#[derive(Debug, Serialize)]
pub struct FindingCount {
    pub pattern: &'static str,
    pub count: usize,
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
