//! `--fail-on any|unclassified|new-shape|<id>[,<id>…]`: which findings make `analyze` exit 1,
//! for CI. Implemented as a `Sink` wrapper so it sees every deadlock as it streams by.
//! `new-shape` compares each deadlock's shape with a baseline: the shapes of the deadlocks a
//! team has accepted, read from an earlier run's JSON.

use std::collections::HashSet;
use std::io;
use std::path::Path;

use crate::diagnose::PATTERNS;
use crate::error::Error;
use crate::model::{LockRow, Warning};
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

/// The parsed `--fail-on` value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailOn {
    any: bool,
    ids: Vec<String>,
    /// `new-shape`: a deadlock whose shape the baseline does not list.
    pub new_shape: bool,
}

impl FailOn {
    /// Checks every id against the catalogue, so a typo fails loudly instead of never matching.
    pub fn parse(values: &[String]) -> Result<FailOn, Error> {
        let mut fail_on = FailOn::default();
        for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            if value == "any" {
                fail_on.any = true;
            } else if value == "new-shape" {
                fail_on.new_shape = true;
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

/// The known shapes (`--baseline FILE`).
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    shapes: HashSet<String>,
}

impl Baseline {
    /// Reads the JSON a run wrote: `analyze --summary --format json` (its `by_shape`), or
    /// `analyze --format json` / `jsonl` (each deadlock's `shape`). Anything else is an error,
    /// never an empty baseline that would call every shape new.
    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let bad = |reason: String| Error::BadBaseline {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        Baseline::parse(&text).map_err(bad)
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        let not_one = "not a lockscope baseline: expected the JSON of `lockscope analyze \
                       --summary --format json` (with `by_shape`) or of `--format json`/`jsonl`";
        let mut shapes = HashSet::new();
        let mut understood = false;
        let documents: Vec<serde_json::Value> = match serde_json::from_str(text) {
            Ok(doc) => vec![doc],
            // JSONL: one object per line.
            Err(_) => text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .enumerate()
                .map(|(i, l)| {
                    serde_json::from_str(l).map_err(|e| format!("{not_one} (line {}: {e})", i + 1))
                })
                .collect::<Result<_, _>>()?,
        };
        let shape = |v: &serde_json::Value| v.get("shape")?.as_str().map(str::to_string);
        for doc in &documents {
            // The summary's `by_shape`, the document's `deadlocks`: lists of objects with one.
            for key in ["by_shape", "deadlocks"] {
                if let Some(list) = doc.get(key).and_then(|v| v.as_array()) {
                    understood = true;
                    shapes.extend(list.iter().filter_map(shape));
                }
            }
            if doc.get("type").and_then(|t| t.as_str()) == Some("deadlock") {
                understood = true;
                shapes.extend(shape(doc));
            }
            // A JSONL run ends with its summary line (`"type": "summary"`, counts only).
            understood |= doc.get("type").and_then(|t| t.as_str()) == Some("summary")
                && doc.get("schema_version").is_some();
        }
        if !understood {
            return Err(not_one.to_string());
        }
        Ok(Baseline { shapes })
    }

    pub fn contains(&self, shape: &str) -> bool {
        self.shapes.contains(shape)
    }

    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }
}

/// A shape the baseline does not list, as first seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShape {
    pub shape: String,
    pub pattern: &'static str,
    pub input: String,
    pub line: usize,
    pub count: usize,
}

/// Passes everything to the real report and remembers whether `--fail-on` matched.
pub struct Watch<S> {
    inner: S,
    fail_on: FailOn,
    matched: bool,
    baseline: Option<Baseline>,
    new_shapes: Vec<NewShape>,
}

impl<S: Sink> Watch<S> {
    pub fn new(inner: S, fail_on: FailOn) -> Watch<S> {
        Watch {
            inner,
            fail_on,
            matched: false,
            baseline: None,
            new_shapes: Vec::new(),
        }
    }

    /// The known shapes, for `new-shape`.
    pub fn baseline(mut self, baseline: Option<Baseline>) -> Self {
        self.baseline = baseline;
        self
    }

    /// Shapes not in the baseline, in the order first seen (with `new-shape` only).
    pub fn new_shapes(&self) -> &[NewShape] {
        &self.new_shapes
    }

    /// Whether `analysed` makes the run fail; a new shape is remembered.
    fn check(&mut self, analysed: &Analysed) -> bool {
        let mut failed = self.fail_on.matches(analysed);
        if let (true, Some(baseline)) = (self.fail_on.new_shape, &self.baseline) {
            let id = &analysed.shape.id;
            if !baseline.contains(id) {
                failed = true;
                match self.new_shapes.iter_mut().find(|n| &n.shape == id) {
                    Some(n) => n.count += 1,
                    None => self.new_shapes.push(NewShape {
                        shape: id.clone(),
                        pattern: analysed.pattern(),
                        input: analysed.deadlock.input.clone(),
                        line: analysed.deadlock.line,
                        count: 1,
                    }),
                }
            }
        }
        failed
    }

    pub fn matched(&self) -> bool {
        self.matched
    }
}

impl<S: Sink> Sink for Watch<S> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        self.matched |= self.check(analysed);
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
        self.matched |= self.check(analysed);
        self.inner.rendered_deadlock(analysed, rendered)
    }

    fn rendered_deadlocks(
        &mut self,
        analysed: &[Analysed],
        rendered: &[u8],
        ends: &[usize],
    ) -> io::Result<()> {
        for a in analysed {
            self.matched |= self.check(a);
        }
        self.inner.rendered_deadlocks(analysed, rendered, ends)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_from_every_json_shape_and_nothing_else() {
        let summary = r#"{"schema_version":1,"type":"summary","by_shape":[{"shape":"4cefe88a98a9"},{"shape":"0499326df581"}]}"#;
        let document =
            r#"{"schema_version":1,"deadlocks":[{"shape":"4cefe88a98a9"}],"summary":{}}"#;
        let lines = "{\"type\":\"deadlock\",\"shape\":\"4cefe88a98a9\"}\n{\"type\":\"summary\",\"schema_version\":1}\n";
        assert_eq!(Baseline::parse(summary).unwrap().len(), 2);
        assert!(Baseline::parse(document).unwrap().contains("4cefe88a98a9"));
        assert!(Baseline::parse(lines).unwrap().contains("4cefe88a98a9"));
        // A run without deadlocks is a baseline of nothing, not an error.
        assert!(
            Baseline::parse(r#"{"type":"summary","schema_version":1,"by_shape":[]}"#)
                .unwrap()
                .is_empty()
        );
        for bad in ["", "hello", "{\"a\": 1}", "[1, 2]", "*** (1) TRANSACTION:"] {
            let err = Baseline::parse(bad).unwrap_err();
            assert!(err.starts_with("not a lockscope baseline"), "{bad}: {err}");
        }
    }

    #[test]
    fn new_shape_is_a_fail_on_value() {
        let f = FailOn::parse(&["new-shape".to_string()]).unwrap();
        assert!(f.new_shape);
        assert!(!f.matches(&crate::report::sample::deadlock()));
    }
}
