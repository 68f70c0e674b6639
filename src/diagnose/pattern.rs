//! A catalogue entry: id, one-line summary, documentation and matcher, declared together in one
//! file per pattern the way clippy declares a lint (`declare_clippy_lint!`), so the docs that
//! `lockscope patterns` and the README print cannot drift from the code that matches.

use super::{Finding, LockScene, View};

/// What a catalogue entry looks at: one deadlock, or the lock waits of one moment (1205).
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// Given the deadlock's [`View`], built once and shared by every pattern.
    Deadlock(fn(&View) -> Option<Finding>),
    /// Given the lock waits and held locks of one moment.
    LockWaits(fn(&LockScene) -> Vec<Finding>),
}

/// One deadlock pattern of the catalogue.
#[derive(Debug)]
pub struct Pattern {
    /// Stable id: appears in JSON, in `--fail-on` and in the README. Never rename one.
    pub id: &'static str,
    /// One line: what collides.
    pub summary: &'static str,
    /// One line: what the fixed write path does (the README table's last column).
    pub fixed_write_path: &'static str,
    /// The documentation written above the declaration, markdown, one doc line per line:
    /// `### What it looks like in the log`, `### Why it deadlocks`, `### Fix for the write path`,
    /// `### Example`, optionally `### Known limitations`.
    pub explanation: &'static str,
    /// `src/diagnose/patterns/<file>.rs#L<line>` of the declaration.
    pub location: &'static str,
    /// The matcher: findings about a deadlock, or about lock waits, when the pattern is there.
    pub check: Check,
    /// Ids this pattern explains away when it is the main cause: their matchers see the same
    /// locks from a less specific angle, so reporting them too would only repeat it.
    pub subsumes: &'static [&'static str],
}

impl Pattern {
    /// A finding of this pattern as the main cause; the evidence is put in line order without
    /// repeats.
    pub fn finding(
        &self,
        confidence: super::Confidence,
        summary: String,
        evidence: Vec<super::Evidence>,
        fix: String,
    ) -> super::Finding {
        super::Finding {
            pattern: self.id,
            confidence,
            summary,
            evidence: super::facts::evidence(evidence),
            fix,
            contributing: false,
            alternatives: Vec::new(),
        }
    }

    /// True for an entry about lock waits (error 1205) rather than deadlocks.
    pub fn is_lock_wait(&self) -> bool {
        matches!(self.check, Check::LockWaits(_))
    }

    /// The documentation with the one space rustdoc keeps after `///` removed from each line.
    pub fn doc(&self) -> String {
        self.explanation
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Declares a pattern: its doc comment becomes `explanation`, the file and line `location`, and
/// the module's `fn check(&View) -> Option<Finding>` its matcher (with `on = lock_waits`:
/// `fn check(&[LockWait]) -> Vec<Finding>`).
///
/// ```ignore
/// declare_pattern! {
///     /// ### What it looks like in the log
///     /// …
///     pub ODKU_SUPREMUM,
///     id = "odku-supremum",
///     summary = "…",
///     fixed = "…",
///     subsumes = ["gap-then-insert"],
/// }
/// ```
macro_rules! declare_pattern {
    (
        $(#[doc = $doc:literal])*
        pub $name:ident,
        id = $id:literal,
        summary = $summary:literal,
        fixed = $fixed:literal,
        on = lock_waits
        $(,)?
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::diagnose::Pattern = $crate::diagnose::Pattern {
            id: $id,
            summary: $summary,
            fixed_write_path: $fixed,
            explanation: concat!($($doc, "\n"),*),
            location: concat!(file!(), "#L", line!()),
            check: $crate::diagnose::Check::LockWaits(check),
            subsumes: &[],
        };
    };
    (
        $(#[doc = $doc:literal])*
        pub $name:ident,
        id = $id:literal,
        summary = $summary:literal,
        fixed = $fixed:literal
        $(, subsumes = [$($sub:literal),* $(,)?])?
        $(,)?
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::diagnose::Pattern = $crate::diagnose::Pattern {
            id: $id,
            summary: $summary,
            fixed_write_path: $fixed,
            explanation: concat!($($doc, "\n"),*),
            location: concat!(file!(), "#L", line!()),
            check: $crate::diagnose::Check::Deadlock(check),
            subsumes: &[$($($sub),*)?],
        };
    };
}

pub(crate) use declare_pattern;
