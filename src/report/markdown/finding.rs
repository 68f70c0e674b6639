//! Findings read the same under a deadlock and under the lock waits: one writer serves both
//! sections, with the fix's SQL sketches lifted out of the prose into code blocks.

use super::quote::{fence, prose};
use crate::diagnose::Finding;
use crate::sink::Analysed;

/// The findings of a deadlock, main cause first.
pub(super) fn findings(s: &mut String, analysed: &Analysed) {
    for f in &analysed.findings {
        s.push_str(&finding(f));
    }
}

pub(super) fn finding(f: &Finding) -> String {
    let contributing = if f.contributing { ", contributing" } else { "" };
    let mut s = format!(
        "\n### Finding: `{}` ({} confidence{contributing})\n\n",
        f.pattern,
        f.confidence.as_str(),
    );
    s.push_str(&prose(&f.summary));
    s.push('\n');
    for a in &f.alternatives {
        s.push_str(&format!(
            "\n*Could also be* `{}`: {}\n",
            a.pattern,
            prose(&a.reason)
        ));
    }
    if !f.evidence.is_empty() {
        let lines: Vec<String> = f
            .evidence
            .iter()
            .map(|e| format!("line {}: {}", e.line, e.text))
            .collect();
        s.push_str(&format!(
            "\n<details><summary>Evidence: {} log line(s)</summary>\n\n",
            f.evidence.len(),
        ));
        s.push_str(&fence("text", &lines.join("\n"), ""));
        s.push_str("\n</details>\n");
    }
    if !f.fix.is_empty() {
        s.push_str("\n**Fix**\n");
        for paragraph in f.fix.split("\n\n") {
            s.push('\n');
            s.push_str(&fix_paragraph(paragraph));
        }
    }
    s
}

/// A paragraph of a fix: an SQL sketch (starting with a `-- before` / `-- after` comment) as a
/// code block; prose, with any indented lines under it as a code block.
fn fix_paragraph(paragraph: &str) -> String {
    if paragraph.trim_start().starts_with("--") {
        return fence("sql", paragraph, "");
    }
    let lines: Vec<&str> = paragraph.lines().collect();
    let split = lines
        .iter()
        .position(|l| l.starts_with("  "))
        .unwrap_or(lines.len());
    let (text, sketch) = lines.split_at(split);
    let mut s = format!("{}\n", prose(&text.join("\n")));
    if !sketch.is_empty() {
        let indent = sketch
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let body: Vec<&str> = sketch
            .iter()
            .map(|l| l.get(indent..).unwrap_or(""))
            .collect();
        s.push('\n');
        s.push_str(&fence("sql", &body.join("\n"), ""));
    }
    s
}
