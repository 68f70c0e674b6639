//! The streaming seam between parsing and reporting: the splitter and parsers push values into
//! a `Sink` one at a time, so memory stays flat however long the input is, and tests can collect
//! them into a `Vec`.

use std::sync::Arc;

use crate::diagnose::{main_pattern, shape, Finding, Shape};
use crate::model::{Deadlock, HeldLocks, LockRow, LockWait, Warning};

/// A deadlock with its diagnosis: the unit every report renders.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub deadlock: Deadlock,
    pub findings: Vec<Finding>,
    /// Which collision it is (`diagnose::shape`), for the summary and baselines.
    pub shape: Shape,
}

impl Analysed {
    pub fn new(deadlock: Deadlock, findings: Vec<Finding>) -> Analysed {
        let shape = shape(&deadlock, pattern_of(&findings));
        Analysed {
            deadlock,
            findings,
            shape,
        }
    }

    /// For a report that shows no shape: the statements are not fingerprinted.
    pub fn without_shape(deadlock: Deadlock, findings: Vec<Finding>) -> Analysed {
        Analysed {
            deadlock,
            findings,
            shape: Shape::default(),
        }
    }

    /// The pattern of the finding that explains the deadlock (not a contributing one).
    pub fn main_pattern(&self) -> Option<&'static str> {
        main_pattern(&self.findings)
    }

    /// [`Analysed::main_pattern`], `unclassified` when there is none: how summaries and
    /// shapes count it.
    pub fn pattern(&self) -> &'static str {
        pattern_of(&self.findings)
    }
}

fn pattern_of(findings: &[Finding]) -> &'static str {
    main_pattern(findings).unwrap_or("unclassified")
}

/// The lock waits of one moment (error 1205's raw material) with their findings: who blocks
/// whom, why the queue formed, and who holds what (the lock tables' rows, grouped).
#[derive(Debug, Clone, Default)]
pub struct LockWaits {
    pub waits: Vec<LockWait>,
    pub findings: Vec<Finding>,
    /// Locks per transaction, table, index and mode, from the lock tables.
    pub held: Vec<HeldLocks>,
    /// Lock rows the lock tables held in all.
    pub lock_rows: usize,
    /// Each involved thread's transaction, from `events_statements_history` (when read).
    pub histories: Vec<crate::model::History>,
}

/// Totals known only at the end of the input.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub inputs: Vec<String>,
    pub deadlocks: usize,
    pub warnings: usize,
    /// Lock waits reported (`Sink::lock_waits`).
    pub lock_waits: usize,
    /// Bytes read from all inputs.
    pub bytes: u64,
}

/// Renders one deadlock into bytes, on any thread: what a sink's `deadlock` would write for it,
/// minus anything that depends on what came before (separators, counters). Must be pure.
pub type Render = Arc<dyn Fn(&Analysed, &mut Vec<u8>) -> std::io::Result<()> + Send + Sync>;

/// Receives the pipeline's output in input order.
///
/// A sink whose rendering of a deadlock does not depend on its state may offer a [`Render`]
/// (`renderer`): the pipeline then renders on its worker threads, ahead of time, and hands the
/// bytes to `rendered_deadlocks`, still in input order. A wrapper sink must forward all four
/// (`renderer`, `rendered_deadlock`, `rendered_deadlocks`, `flush`) or none.
pub trait Sink {
    fn deadlock(&mut self, analysed: &Analysed) -> std::io::Result<()>;
    fn warning(&mut self, warning: &Warning) -> std::io::Result<()>;
    /// The lock waits of all inputs, joined; called at most once, before `finish`.
    fn lock_waits(&mut self, waits: &LockWaits) -> std::io::Result<()>;
    /// Every row of a lock table as it is read (`--all-locks`); only the JSON formats write
    /// them, the others have the groups of `lock_waits`.
    fn lock_rows(&mut self, input: &str, rows: &[LockRow]) -> std::io::Result<()> {
        let _ = (input, rows);
        Ok(())
    }
    fn finish(&mut self, summary: &Summary) -> std::io::Result<()>;

    /// The pre-renderer for `rendered_deadlock`, when the sink has one.
    fn renderer(&self) -> Option<Render> {
        None
    }

    /// `deadlock`, given the bytes this sink's `renderer` made for it.
    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> std::io::Result<()> {
        let _ = rendered;
        self.deadlock(analysed)
    }

    /// Several deadlocks in a row, rendered one after another into `rendered`: deadlock `i`'s
    /// bytes end at `ends[i]`. A sink that writes them as they are can write them at once.
    fn rendered_deadlocks(
        &mut self,
        analysed: &[Analysed],
        rendered: &[u8],
        ends: &[usize],
    ) -> std::io::Result<()> {
        one_by_one(self, analysed, rendered, ends)
    }

    /// Called when the pipeline has nothing more ready for now (the input is slow, or between
    /// inputs): a buffering sink writes out what it holds, so a live reader sees it.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// [`Sink::rendered_deadlocks`] as a `rendered_deadlock` call per deadlock.
pub fn one_by_one<S: Sink + ?Sized>(
    sink: &mut S,
    analysed: &[Analysed],
    rendered: &[u8],
    ends: &[usize],
) -> std::io::Result<()> {
    let mut start = 0;
    for (a, &end) in analysed.iter().zip(ends) {
        sink.rendered_deadlock(a, rendered.get(start..end).unwrap_or_default())?;
        start = end;
    }
    Ok(())
}

/// Collects everything, for tests and for callers that need the whole picture.
#[derive(Debug, Default)]
pub struct VecSink {
    pub deadlocks: Vec<Analysed>,
    pub warnings: Vec<Warning>,
    pub lock_waits: LockWaits,
    pub summary: Option<Summary>,
}

impl Sink for VecSink {
    fn deadlock(&mut self, analysed: &Analysed) -> std::io::Result<()> {
        self.deadlocks.push(analysed.clone());
        Ok(())
    }

    fn warning(&mut self, warning: &Warning) -> std::io::Result<()> {
        self.warnings.push(warning.clone());
        Ok(())
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> std::io::Result<()> {
        self.lock_waits = waits.clone();
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.summary = Some(summary.clone());
        Ok(())
    }
}

impl<S: Sink + ?Sized> Sink for Box<S> {
    fn deadlock(&mut self, analysed: &Analysed) -> std::io::Result<()> {
        (**self).deadlock(analysed)
    }

    fn warning(&mut self, warning: &Warning) -> std::io::Result<()> {
        (**self).warning(warning)
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> std::io::Result<()> {
        (**self).lock_waits(waits)
    }

    fn lock_rows(&mut self, input: &str, rows: &[LockRow]) -> std::io::Result<()> {
        (**self).lock_rows(input, rows)
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        (**self).finish(summary)
    }

    fn renderer(&self) -> Option<Render> {
        (**self).renderer()
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> std::io::Result<()> {
        (**self).rendered_deadlock(analysed, rendered)
    }

    fn rendered_deadlocks(
        &mut self,
        analysed: &[Analysed],
        rendered: &[u8],
        ends: &[usize],
    ) -> std::io::Result<()> {
        (**self).rendered_deadlocks(analysed, rendered, ends)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        (**self).flush()
    }
}
