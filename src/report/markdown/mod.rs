//! `--format markdown`: a report to paste into a ticket. A summary first (counts per pattern and
//! table), then per deadlock a timeline of each transaction (its statement, what it holds, what
//! it waits for and from whom), the wait-for graph in a ```` ```mermaid ```` block GitHub and
//! GitLab render, and the findings with their evidence and fix; the lock waits likewise.
//!
//! The summary needs every deadlock, so the sections are kept until `finish`: in memory while
//! they are small, in an unnamed temporary file beyond that, so memory stays flat on a week of
//! error log too (though `--summary` is the view for that).

mod finding;
mod lock_waits;
mod quote;
mod timeline;

use std::fs::File;
use std::io::{self, Seek, Write};
use std::sync::Arc;

pub(crate) use quote::cell;
use quote::{code, fence};

use super::mermaid::flowchart;
use super::picture::Picture;
use super::summary::Tally;
use super::TextOptions;
use crate::model::Warning;
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};
use finding::findings;
use lock_waits::lock_waits;
use timeline::timeline;

/// Sections kept in memory before they go to the temporary file.
const SPILL_BYTES: usize = 8 << 20;

/// Collects the sections; writes the whole report at `finish`.
pub struct MarkdownReport<W: Write, E: Write> {
    out: W,
    err: E,
    full: bool,
    tally: Tally,
    sections: String,
    /// The sections before `sections`, once they outgrew `spill_at` bytes.
    spilled: Option<File>,
    spill_at: usize,
}

impl<W: Write, E: Write> MarkdownReport<W, E> {
    pub fn new(out: W, err: E, options: TextOptions) -> Self {
        MarkdownReport {
            out,
            err,
            full: options.full,
            tally: Tally::default(),
            sections: String::new(),
            spilled: None,
            spill_at: SPILL_BYTES,
        }
    }

    fn push_section(&mut self, section: &str) -> io::Result<()> {
        self.sections.push_str(section);
        if self.sections.len() > self.spill_at {
            let file = match &mut self.spilled {
                Some(file) => file,
                None => self.spilled.insert(tempfile::tempfile()?),
            };
            file.write_all(self.sections.as_bytes())?;
            self.sections.clear();
        }
        Ok(())
    }

    /// A deadlock's section: the heading, which carries its number, then the timeline, the
    /// graph (its node ids get the number here) and the findings.
    fn push_deadlock(&mut self, analysed: &Analysed, parts: Parts<'_>) -> io::Result<()> {
        self.tally.add(analysed);
        let n = self.tally.deadlocks;
        let mut section = heading(n, analysed);
        section.push_str(parts.timeline);
        section.push_str(&parts.graph.replace(UNNUMBERED, &format!("d{n}_t")));
        section.push_str(parts.findings);
        self.push_section(&section)
    }

    /// The writers back, for tests.
    pub fn into_inner(self) -> (W, E) {
        (self.out, self.err)
    }
}

impl<W: Write, E: Write> Sink for MarkdownReport<W, E> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        let mut buf = Vec::new();
        pre_render(analysed, self.full, &mut buf);
        self.rendered_deadlock(analysed, &buf)
    }

    /// A section is made on the workers but for the heading and the graph's node ids, which
    /// carry the deadlock's number (this thread writes every format's output, and was
    /// markdown's bottleneck).
    fn renderer(&self) -> Option<Render> {
        let full = self.full;
        Some(Arc::new(move |analysed: &Analysed, buf: &mut Vec<u8>| {
            pre_render(analysed, full, buf);
            Ok(())
        }))
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> io::Result<()> {
        match Parts::read(rendered) {
            Some(parts) => self.push_deadlock(analysed, parts),
            None => Err(io::Error::other(
                "a markdown section was not rendered whole",
            )),
        }
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        writeln!(self.err, "warning: {warning}")?;
        self.err.flush()
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        if waits.waits.is_empty() && waits.held.is_empty() {
            return Ok(());
        }
        self.tally.add_lock_waits(waits);
        self.push_section(&lock_waits(waits, self.full))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let inputs: Vec<String> = summary.inputs.iter().map(|i| code(i)).collect();
        write!(
            self.out,
            "# Deadlock report\n\nlockscope {} on {}.\n\n{}",
            env!("CARGO_PKG_VERSION"),
            inputs.join(", "),
            self.tally.markdown(summary)
        )?;
        if let Some(file) = &mut self.spilled {
            file.rewind()?;
            io::copy(file, &mut self.out)?;
        }
        self.out.write_all(self.sections.as_bytes())?;
        self.out.flush()
    }
}

/// `## Deadlock 3: `pattern``: the one part with the deadlock's number, besides the graph.
fn heading(n: usize, analysed: &Analysed) -> String {
    let mut s = String::with_capacity(8192);
    s.push_str("\n## Deadlock ");
    crate::model::push_number(&mut s, n);
    if let Some(p) = analysed.main_pattern() {
        s.push_str(&format!(": `{p}`"));
    }
    s.push_str("\n\n");
    s
}

/// The wait-for graph; its node ids (`d12_t1`) carry the deadlock's number, rendered as
/// [`UNNUMBERED`] and numbered by `push_deadlock`.
fn graph(s: &mut String, analysed: &Analysed, full: bool) {
    let picture = Picture::deadlock(UNNUMBERED_N, analysed, full);
    s.push_str(
        "\n### Wait-for graph\n\nArrows point from the waiting transaction to the one holding \
         the lock",
    );
    if picture.edges.iter().any(|e| e.inferred) {
        s.push_str("; dashed ones are inferred from the report's layout");
    }
    s.push_str(".\n\n");
    s.push_str(&fence("mermaid", &flowchart(&picture), ""));
}

/// The number a graph is rendered with before it has its own, and the start of its node ids
/// then: a number no report reaches (were it reached, the ids would be right anyway), and no
/// label holds (`d` and `_t` around it).
const UNNUMBERED_N: usize = 999_999_999;
const UNNUMBERED: &str = "d999999999_t";

/// What a worker renders ahead (`Sink::renderer`): all of a section but its heading, as
/// `[timeline length: u64 LE][graph length: u64 LE][timeline][graph][findings]`.
fn pre_render(analysed: &Analysed, full: bool, buf: &mut Vec<u8>) {
    let mut timeline_text = String::with_capacity(4096);
    timeline(&mut timeline_text, analysed, full);
    let mut graph_text = String::with_capacity(2048);
    graph(&mut graph_text, analysed, full);
    let mut findings_text = String::with_capacity(4096);
    findings(&mut findings_text, analysed);
    buf.extend_from_slice(&(timeline_text.len() as u64).to_le_bytes());
    buf.extend_from_slice(&(graph_text.len() as u64).to_le_bytes());
    buf.extend_from_slice(timeline_text.as_bytes());
    buf.extend_from_slice(graph_text.as_bytes());
    buf.extend_from_slice(findings_text.as_bytes());
}

/// [`pre_render`]'s parts.
struct Parts<'a> {
    timeline: &'a str,
    graph: &'a str,
    findings: &'a str,
}

impl<'a> Parts<'a> {
    /// The parts back; `None` if the bytes are not [`pre_render`]'s.
    fn read(rendered: &'a [u8]) -> Option<Parts<'a>> {
        let (timeline_len, rest) = rendered.split_first_chunk::<8>()?;
        let (graph_len, rest) = rest.split_first_chunk::<8>()?;
        let timeline_len = usize::try_from(u64::from_le_bytes(*timeline_len)).ok()?;
        let graph_len = usize::try_from(u64::from_le_bytes(*graph_len)).ok()?;
        let (timeline, rest) = (rest.get(..timeline_len)?, rest.get(timeline_len..)?);
        let (graph, findings) = (rest.get(..graph_len)?, rest.get(graph_len..)?);
        Some(Parts {
            timeline: std::str::from_utf8(timeline).ok()?,
            graph: std::str::from_utf8(graph).ok()?,
            findings: std::str::from_utf8(findings).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn sections_kept_in_a_file_read_back_the_same() {
        let text = include_str!("../../../fixtures/mariadb/error-log.txt");
        let (found, _) = crate::analyze::analyze_text("error-log.txt", text);
        assert!(found.len() > 10);
        let render = |spill_at: usize| {
            let mut report = MarkdownReport::new(Vec::new(), Vec::new(), TextOptions::default());
            report.spill_at = spill_at;
            for a in &found {
                report.deadlock(a).unwrap();
            }
            report.finish(&Summary::default()).unwrap();
            assert_eq!(report.spilled.is_some(), spill_at < 1000);
            report.into_inner().0
        };
        assert_eq!(render(100), render(SPILL_BYTES));
    }

    #[test]
    fn a_ticket_ready_report() {
        let mut report = MarkdownReport::new(Vec::new(), Vec::new(), TextOptions::default());
        report.deadlock(&sample::deadlock()).unwrap();
        report
            .finish(&Summary {
                inputs: vec!["delete-then-insert.status.txt".to_string()],
                deadlocks: 1,
                ..Summary::default()
            })
            .unwrap();
        let out = String::from_utf8(report.into_inner().0).unwrap();
        for part in [
            "# Deadlock report\n",
            "**1 deadlock in 1 input, 0 warnings**",
            "| `delete-then-insert` | 1 |",
            "## Deadlock 1: `delete-then-insert`",
            "### Timeline",
            "1. **(1) trx 47**",
            "   ```sql\n",
            "**waits for**",
            "```mermaid\nflowchart LR\n",
            "### Finding: `delete-then-insert` (high confidence)",
            "<details><summary>Evidence:",
            "**Fix**",
            "delete children before parents in both paths:\n\n```sql\nDELETE FROM",
        ] {
            assert!(out.contains(part), "missing {part:?} in\n{out}");
        }
    }
}
