//! `--format markdown`: a report to paste into a ticket. A summary first (counts per pattern and
//! table), then per deadlock a timeline of each transaction (its statement, what it holds, what
//! it waits for and from whom), the wait-for graph in a ```` ```mermaid ```` block GitHub and
//! GitLab render, and the findings with their evidence and fix; the lock waits likewise.
//!
//! The summary needs every deadlock, so the sections are kept until `finish`: in memory while
//! they are small, in an unnamed temporary file beyond that, so memory stays flat on a week of
//! error log too (though `--summary` is the view for that).

use std::fs::File;
use std::io::{self, Seek, Write};
use std::sync::Arc;

mod quote;

pub(crate) use quote::cell;
use quote::{code, fence, prose};

use super::held;
use super::lock_waits::{waits_folded, WAITERS_SHOWN};
use super::mermaid::flowchart;
use super::picture::{lock_lines, Picture};
use super::summary::Tally;
use super::wrap::squash;
use super::TextOptions;
use crate::diagnose::Finding;
use crate::model::{
    BlockingTree, Deadlock, Flavour, Lock, LockKind, LockWait, Transaction, Warning,
};
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

/// Characters of a statement shown before `…` (all of them with `--full`).
const STATEMENT_CHARS: usize = 600;

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

    /// A deadlock's section: the heading and the graph, which carry its number, around its
    /// timeline and findings.
    fn push_deadlock(
        &mut self,
        analysed: &Analysed,
        timeline: &str,
        findings: &str,
    ) -> io::Result<()> {
        self.tally.add(analysed);
        let n = self.tally.deadlocks;
        let mut section = heading(n, analysed);
        section.push_str(timeline);
        graph(&mut section, n, analysed, self.full);
        section.push_str(findings);
        self.push_section(&section)
    }

    /// The writers back, for tests.
    pub fn into_inner(self) -> (W, E) {
        (self.out, self.err)
    }
}

impl<W: Write, E: Write> Sink for MarkdownReport<W, E> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        let (mut timeline_text, mut findings_text) = (String::new(), String::new());
        timeline(&mut timeline_text, analysed, self.full);
        findings(&mut findings_text, analysed);
        self.push_deadlock(analysed, &timeline_text, &findings_text)
    }

    /// Most of a section is made on the workers; only the heading and the graph, which carry
    /// the deadlock's number, are made here (this thread writes every format's output, and
    /// was markdown's bottleneck).
    fn renderer(&self) -> Option<Render> {
        let full = self.full;
        Some(Arc::new(move |analysed: &Analysed, buf: &mut Vec<u8>| {
            pre_render(analysed, full, buf);
            Ok(())
        }))
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> io::Result<()> {
        match pre_rendered(rendered) {
            Some((timeline, findings)) => self.push_deadlock(analysed, timeline, findings),
            None => self.deadlock(analysed),
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

/// Where and when, and each transaction's step.
fn timeline(s: &mut String, analysed: &Analysed, full: bool) {
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

/// The wait-for graph; its node ids carry the deadlock's number.
fn graph(s: &mut String, n: usize, analysed: &Analysed, full: bool) {
    let picture = Picture::deadlock(n, analysed, full);
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

fn findings(s: &mut String, analysed: &Analysed) {
    for f in &analysed.findings {
        s.push_str(&finding(f));
    }
}

/// What a worker renders ahead (`Sink::renderer`): the timeline and the findings, which do not
/// depend on the deadlock's number, as `[timeline length: u64 LE][timeline][findings]`.
fn pre_render(analysed: &Analysed, full: bool, buf: &mut Vec<u8>) {
    let mut timeline_text = String::with_capacity(4096);
    timeline(&mut timeline_text, analysed, full);
    let mut findings_text = String::with_capacity(4096);
    findings(&mut findings_text, analysed);
    buf.extend_from_slice(&(timeline_text.len() as u64).to_le_bytes());
    buf.extend_from_slice(timeline_text.as_bytes());
    buf.extend_from_slice(findings_text.as_bytes());
}

/// [`pre_render`]'s two parts back; `None` if the bytes are not its.
fn pre_rendered(rendered: &[u8]) -> Option<(&str, &str)> {
    let (len, rest) = rendered.split_first_chunk::<8>()?;
    let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
    let (timeline, findings) = (rest.get(..len)?, rest.get(len..)?);
    Some((
        std::str::from_utf8(timeline).ok()?,
        std::str::from_utf8(findings).ok()?,
    ))
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

fn finding(f: &Finding) -> String {
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

fn lock_waits(waits: &LockWaits, full: bool) -> String {
    let mut s = String::new();
    if !waits.waits.is_empty() {
        s.push_str(&blocking_tree(waits, full));
    }
    if !waits.held.is_empty() {
        s.push_str(&held_locks(waits, full));
    }
    for f in &waits.findings {
        s.push_str(&finding(f));
    }
    s
}

/// Who holds what, a bullet per transaction, table, index and mode.
fn held_locks(waits: &LockWaits, full: bool) -> String {
    let listed = held::listed(&waits.held, full, !waits.waits.is_empty());
    let mut s = format!(
        "\n## Locks held\n\n{} rows in the lock tables.\n\n",
        held::thousands(waits.lock_rows as u64)
    );
    for g in listed.shown {
        s.push_str(&format!(
            "- {} {}\n",
            prose(&held::subject(g)),
            prose(&held::phrase(g))
        ));
    }
    if listed.more > 0 {
        s.push_str(&format!(
            "- … and {} more (`--full` lists them)\n",
            listed.more
        ));
    }
    if listed.waiting > 0 {
        s.push_str(&format!(
            "- {} waiting lock(s): in the lock waits above\n",
            listed.waiting
        ));
    }
    if listed.intention > 0 {
        s.push_str(&format!(
            "- {} intention table lock(s) (IS/IX) not listed\n",
            listed.intention
        ));
    }
    s
}

fn blocking_tree(waits: &LockWaits, full: bool) -> String {
    let tree = BlockingTree::new(&waits.waits);
    let heads = tree.heads();
    let mut s = format!(
        "\n## Lock waits\n\n{} waiting, {} head blocker(s).\n\n",
        waits.waits.len(),
        heads.len()
    );
    let server = |w: &LockWait| {
        matches!(
            w.lock.kind,
            LockKind::Metadata | LockKind::TableFlush | LockKind::GlobalRead
        )
    };
    let inferred = waits
        .waits
        .iter()
        .filter(|w| w.inferred && !server(w))
        .count();
    if inferred > 0 {
        s.push_str(&format!(
            "{inferred} of them inferred: no waits table names their holder, so each `WAITING` \
             lock row is matched with the `GRANTED` rows of other transactions that conflict \
             with it on the same record or table.\n\n"
        ));
    }
    let from_processlist = waits
        .waits
        .iter()
        .filter(|w| w.inferred && server(w))
        .count();
    if from_processlist > 0 {
        s.push_str(&format!(
            "{from_processlist} of them read from PROCESSLIST's states (`Waiting for table \
             metadata lock`, `table flush`, `global read lock`): their holders are inferred \
             from what runs and what idles.\n\n"
        ));
    }
    for head in &heads {
        let global = tree
            .waiting_for(&head.trx_id)
            .iter()
            .any(|w| w.lock.kind == LockKind::GlobalRead);
        let state = if global && head.is_idle() {
            "idle, taken for the holder of the global read lock (inferred)"
        } else if head.is_idle() {
            "idle in its open transaction, runs no statement"
        } else {
            "running a statement"
        };
        let age = head
            .command_secs
            .or(head.active_secs)
            .map(|secs| format!(" for {secs} s"))
            .unwrap_or_default();
        s.push_str(&format!(
            "- **trx {}** — head blocker, {state}{age}",
            prose(&head.trx_id)
        ));
        if let Some(id) = tree.kill_id(head) {
            s.push_str(&format!(
                "; to unblock now: `KILL {id};` (printed, never run)"
            ));
        }
        s.push('\n');
        waiters(&mut s, &tree.waiting_for(&head.trx_id), full);
    }
    let unattributed: Vec<&LockWait> = tree.unattributed().collect();
    if !unattributed.is_empty() {
        s.push_str("- holder not shown by the input\n");
        waiters(&mut s, &unattributed, full);
    }
    let picture = Picture::lock_waits(waits, full);
    s.push_str(&format!(
        "\n### Blocking tree\n\n{}",
        fence("mermaid", &flowchart(&picture), "")
    ));
    s
}

/// The first few waiters of one blocker (all with `--full`), the rest counted.
fn waiters(s: &mut String, waits: &[&LockWait], full: bool) {
    let shown = if full { waits.len() } else { WAITERS_SHOWN };
    for w in waits.iter().take(shown) {
        s.push_str(&format!("  - {}\n", waiter(w)));
    }
    if let Some(rest) = waits_folded(waits.get(shown..).unwrap_or_default()) {
        s.push_str(&format!("  - {}\n", prose(&rest)));
    }
}

fn waiter(w: &LockWait) -> String {
    let waited = w
        .wait_secs
        .map(|secs| format!(" for {secs:.0} s"))
        .unwrap_or_default();
    let statement = w
        .requesting
        .query
        .as_deref()
        .map(|q| format!(": {}", code(&squash(q))))
        .unwrap_or_default();
    format!(
        "trx {} waits{waited} for {}{statement}",
        prose(&w.requesting.trx_id),
        prose(&crate::diagnose::describe_waited_lock(&w.lock))
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn code_spans_and_prose_escape_what_they_must() {
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(cell("a|b"), "`a\\|b`");
        assert_eq!(
            prose("keep `a*b` but *x* <work> innodb_lock_wait_timeout _y"),
            "keep `a*b` but \\*x\\* &lt;work&gt; innodb_lock_wait_timeout \\_y"
        );
        for (text, markdown) in [
            ("é_é", "é_é"),
            ("a__b", "a\\_\\_b"),
            ("_", "\\_"),
            ("x_ →_y", "x\\_ →\\_y"),
            ("`_*[<`", "`_*[<`"),
            ("[a]\\", "\\[a\\]\\\\"),
            ("no markup at all", "no markup at all"),
        ] {
            assert_eq!(prose(text), markdown, "{text:?}");
        }
        assert_eq!(
            fence("sql", "SELECT ```x```", ""),
            "````sql\nSELECT ```x```\n````\n"
        );
    }

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
