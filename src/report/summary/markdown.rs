//! The summary at the head of a markdown report and of `--summary --format markdown`: tables
//! written with markdown's quoting, apart from the text view's terminal layout.

use super::Tally;
use crate::report::markdown::cell;
use crate::report::picture;
use crate::report::text::summary_line;
use crate::sink::Summary;

impl Tally {
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
                        format!("{}{lost}", cell(st))
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
                    cell(&format!("{}:{}", shape.example.0, shape.example.1))
                ));
            }
            s.push_str("\n| pattern | deadlocks |\n|---|--:|\n");
            for (p, n) in self.patterns() {
                s.push_str(&format!("| `{p}` | {n} |\n"));
            }
            s.push_str("\n| table | index | deadlocks |\n|---|---|--:|\n");
            for (t, i, n) in self.indexes() {
                let table = cell(&picture::table(t));
                let index = i.map_or_else(|| "(table lock)".to_string(), cell);
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
}
