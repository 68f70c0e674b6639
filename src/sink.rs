//! The streaming seam between parsing and reporting: the splitter and parsers push values into
//! a `Sink` one at a time, so memory stays flat however long the input is, and tests can collect
//! them into a `Vec`.

use crate::diagnose::Finding;
use crate::model::{Deadlock, Warning};

/// A deadlock with its diagnosis: the unit every report renders.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub deadlock: Deadlock,
    pub findings: Vec<Finding>,
}

/// Totals known only at the end of the input.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub inputs: Vec<String>,
    pub deadlocks: usize,
    pub warnings: usize,
    /// Bytes read from all inputs.
    pub bytes: u64,
}

/// Receives the pipeline's output in input order.
pub trait Sink {
    fn deadlock(&mut self, analysed: &Analysed) -> std::io::Result<()>;
    fn warning(&mut self, warning: &Warning) -> std::io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> std::io::Result<()>;
}

/// Collects everything, for tests and for callers that need the whole picture.
#[derive(Debug, Default)]
pub struct VecSink {
    pub deadlocks: Vec<Analysed>,
    pub warnings: Vec<Warning>,
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

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        (**self).finish(summary)
    }
}
