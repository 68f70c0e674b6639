//! `--fail-on any|unclassified|<id>[,<id>…]`: which findings make `analyze` exit 1, for CI.
//! Implemented as a `Sink` wrapper so it sees every deadlock as it streams by.

use std::io;

use crate::diagnose::PATTERNS;
use crate::error::Error;
use crate::model::{LockRow, Warning};
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

/// The parsed `--fail-on` value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailOn {
    any: bool,
    ids: Vec<String>,
}

impl FailOn {
    /// Checks every id against the catalogue, so a typo fails loudly instead of never matching.
    pub fn parse(values: &[String]) -> Result<FailOn, Error> {
        let mut fail_on = FailOn::default();
        for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            if value == "any" {
                fail_on.any = true;
            } else if value == "unclassified" || PATTERNS.iter().any(|p| p.id == value) {
                fail_on.ids.push(value.to_string());
            } else {
                return Err(Error::UnknownPattern {
                    id: value.to_string(),
                });
            }
        }
        Ok(fail_on)
    }

    pub fn matches(&self, analysed: &Analysed) -> bool {
        self.any
            || analysed
                .findings
                .iter()
                .any(|f| self.ids.iter().any(|id| id == f.pattern))
    }
}

/// Passes everything to the real report and remembers whether `--fail-on` matched.
pub struct Watch<S> {
    inner: S,
    fail_on: FailOn,
    matched: bool,
}

impl<S: Sink> Watch<S> {
    pub fn new(inner: S, fail_on: FailOn) -> Watch<S> {
        Watch {
            inner,
            fail_on,
            matched: false,
        }
    }

    pub fn matched(&self) -> bool {
        self.matched
    }
}

impl<S: Sink> Sink for Watch<S> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        self.matched |= self.fail_on.matches(analysed);
        self.inner.deadlock(analysed)
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        self.inner.warning(warning)
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        self.matched |= (self.fail_on.any && !waits.waits.is_empty())
            || waits
                .findings
                .iter()
                .any(|f| self.fail_on.ids.iter().any(|id| id == f.pattern));
        self.inner.lock_waits(waits)
    }

    fn lock_rows(&mut self, input: &str, rows: &[LockRow]) -> io::Result<()> {
        self.inner.lock_rows(input, rows)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.inner.finish(summary)
    }

    fn renderer(&self) -> Option<Render> {
        self.inner.renderer()
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> io::Result<()> {
        self.matched |= self.fail_on.matches(analysed);
        self.inner.rendered_deadlock(analysed, rendered)
    }

    fn rendered_deadlocks(
        &mut self,
        analysed: &[Analysed],
        rendered: &[u8],
        ends: &[usize],
    ) -> io::Result<()> {
        self.matched |= analysed.iter().any(|a| self.fail_on.matches(a));
        self.inner.rendered_deadlocks(analysed, rendered, ends)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
