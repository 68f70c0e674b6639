//! The text summary is the one laid out for a terminal: column widths, bars and the cut after
//! the first shapes, none of which the markdown or JSON views need.

use super::{sorted, Tally, View};
use crate::report::text::summary_line;
use crate::report::wrap::truncate;
use crate::sink::Summary;

/// Rows of the text's table and index list: the ones that hurt most.
const INDEXES_SHOWN: usize = 20;

/// Shapes the default text view details, and lists by their first line after those, so that
/// the summary of a long log fits one screen; `--by shape` details them all.
const SHAPES_IN_FULL: usize = 3;
const SHAPES_LISTED: usize = 5;

impl Tally {
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
}
