//! What the diagnosis says about one deadlock: a named pattern (or `unclassified`), how sure it
//! is, a paragraph about *this* log, the log lines that prove it, and the fixed write path.

use serde::Serialize;

/// How sure a finding is. Low when the log lacks what the pattern needs (e.g. MariaDB's
/// `innodb_deadlock_report=basic`, or MySQL 5.7 printing no held locks for transaction 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One log line quoted as proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// 1-based physical input line.
    pub line: usize,
    /// Shared with the lock it quotes (`Lock::text`).
    pub text: std::sync::Arc<str>,
}

/// One diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Catalogue id (`delete-then-insert`, …) or `unclassified`.
    pub pattern: &'static str,
    pub confidence: Confidence,
    /// One paragraph about this deadlock: real tables, indexes, keys and statements.
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// What to change in the write path, with a before/after sketch.
    pub fix: String,
    /// True for a finding that contributes to, but is not, the main cause.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub contributing: bool,
    /// Other patterns the same locks fit, when the report cannot tell them apart.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
}

/// Another pattern the same locks fit, and what would make it the right reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    pub pattern: &'static str,
    /// When this reading is the right one: what the report does not show.
    pub reason: String,
    pub evidence: Vec<Evidence>,
}

impl Finding {
    /// Adds a runner-up reading of the same locks.
    pub fn or(
        mut self,
        pattern: &'static str,
        reason: impl Into<String>,
        evidence: Vec<Evidence>,
    ) -> Self {
        self.alternatives.push(Alternative {
            pattern,
            reason: reason.into(),
            evidence,
        });
        self
    }

    /// At most `cap` confident.
    pub fn capped(mut self, cap: Confidence) -> Self {
        self.confidence = self.confidence.min(cap);
        self
    }
}
