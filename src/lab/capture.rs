//! The product checking itself against a real engine: after a path deadlocks, read the
//! server's own `LATEST DETECTED DEADLOCK` (`SHOW ENGINE INNODB STATUS`), run it through
//! `analyze` like any file, and say whether the catalogue named the scenario's pattern.
//!
//! The server keeps only its latest deadlock, for all databases: a report counts only when its
//! locks are on the scratch database's tables and it was not seen before (by an earlier path,
//! or before the run started).

use std::collections::HashSet;

use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use serde::Serialize;

use super::scenarios::{Expect, Scenario};
use crate::model::Deadlock;

/// Keys of deadlock reports already accounted for.
pub type Seen = HashSet<String>;

/// A captured deadlock and what the catalogue made of it.
#[derive(Debug, Clone, Serialize)]
pub struct Capture {
    /// The report's own timestamp.
    pub timestamp: Option<String>,
    /// The scenario's pattern; `null` for a lock-wait scenario (no deadlock expected).
    pub expected: Option<&'static str>,
    /// The main finding (`unclassified` when no pattern matched).
    pub pattern: &'static str,
    pub confidence: &'static str,
    /// Patterns that also matched, as contributing causes.
    pub contributing: Vec<&'static str>,
    /// Whether `pattern` is `expected`; `null` when nothing was expected.
    pub matched: Option<bool>,
    /// The main finding's paragraph about this report.
    pub summary: String,
    /// Each transaction's statement as printed.
    pub statements: Vec<String>,
    /// The `LATEST DETECTED DEADLOCK` section as the server printed it.
    pub report: String,
}

/// The server's `SHOW ENGINE INNODB STATUS` text (needs the PROCESS privilege).
pub async fn status(admin: &mut Conn) -> Option<String> {
    let row: Option<(String, String, String)> = admin
        .query_first("SHOW ENGINE INNODB STATUS")
        .await
        .ok()
        .flatten();
    row.map(|(_, _, status)| status)
}

/// Marks the deadlock the server reports now as seen: it happened before this run.
pub async fn remember_latest(admin: &mut Conn, seen: &mut Seen) {
    if let Some(text) = status(admin).await {
        let (analysed, _) = crate::analyze::analyze_text("SHOW ENGINE INNODB STATUS", &text);
        seen.extend(analysed.iter().map(|a| key(&a.deadlock)));
    }
}

/// The server's latest deadlock, if it is one of this run's and new, classified.
pub async fn latest(
    admin: &mut Conn,
    database: &str,
    scenario: &Scenario,
    seen: &mut Seen,
) -> Option<Capture> {
    let text = status(admin).await?;
    let (analysed, _) = crate::analyze::analyze_text("SHOW ENGINE INNODB STATUS", &text);
    let a = analysed
        .into_iter()
        .find(|a| ours(&a.deadlock, database) && !seen.contains(&key(&a.deadlock)))?;
    seen.insert(key(&a.deadlock));
    let main = a.findings.first()?;
    let expected = (scenario.expect == Expect::Deadlock).then_some(scenario.id);
    Some(Capture {
        timestamp: a.deadlock.timestamp.clone(),
        expected,
        pattern: main.pattern,
        confidence: main.confidence.as_str(),
        contributing: a.findings.iter().skip(1).map(|f| f.pattern).collect(),
        matched: expected.map(|e| e == main.pattern),
        summary: main.summary.clone(),
        statements: a
            .deadlock
            .transactions
            .iter()
            .filter_map(|t| t.query.clone())
            .collect(),
        report: section(&text).to_string(),
    })
}

/// Identifies a report across reads: its timestamp and transaction ids.
fn key(d: &Deadlock) -> String {
    let ids: Vec<&str> = d.transactions.iter().map(|t| t.trx_id.as_str()).collect();
    format!("{}|{}", d.timestamp.as_deref().unwrap_or(""), ids.join(","))
}

/// Whether the report's locks are on tables of `database`.
fn ours(d: &Deadlock, database: &str) -> bool {
    d.transactions.iter().flat_map(|t| t.all_locks()).any(|l| {
        l.table
            .schema
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(database))
    })
}

/// The `LATEST DETECTED DEADLOCK` section of a status text, without the next section.
fn section(status: &str) -> &str {
    let Some(start) = status.find("LATEST DETECTED DEADLOCK") else {
        return "";
    };
    let rest = &status[start..];
    let end = rest
        .find("\n------------\nTRANSACTIONS")
        .unwrap_or(rest.len());
    rest[..end].trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = include_str!("../../fixtures/mariadb/gap-lock-then-insert.status.txt");

    #[test]
    fn a_capture_of_the_replay_is_its_pattern() {
        let (analysed, _) = crate::analyze::analyze_text("status", STATUS);
        let d = &analysed.last().expect("a deadlock").deadlock;
        assert!(ours(d, "test"));
        assert!(!ours(d, "lockscope_lab"));
        let s = section(STATUS);
        assert!(s.starts_with("LATEST DETECTED DEADLOCK"), "{s}");
        assert!(s.contains("WE ROLL BACK TRANSACTION"), "{s}");
        assert!(!s.contains("\nTRANSACTIONS\n"), "{s}");
        assert!(key(d).contains('|'));
    }
}
