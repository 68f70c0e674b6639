//! One deadlock report: the transactions on the cycle as the server printed them, the victim,
//! and the wait-for graph derived from them.

use super::flavour::Flavour;
use super::graph::WaitForGraph;
use super::transaction::Transaction;
use serde::Serialize;

/// The victim as printed (`*** WE ROLL BACK TRANSACTION (n)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Victim {
    /// The 1-based number printed, or `None` when there is no victim line or it says `(0)`.
    pub number: Option<u32>,
    /// Why the number should not be trusted (MDEV-29187 prints `(0)`), or why it is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One deadlock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Deadlock {
    /// Input name (path, `-`, or the server's redacted DSN).
    pub input: String,
    /// 1-based physical line where the report starts.
    pub line: usize,
    /// The report's own timestamp, as printed (`2026-11-21 05:24:04`), or the log line's.
    pub timestamp: Option<String>,
    pub flavour: Flavour,
    /// `TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH`: InnoDB gave up searching,
    /// so the one transaction shown was rolled back without a proven cycle.
    pub too_deep: bool,
    pub transactions: Vec<Transaction>,
    pub victim: Victim,
    /// Who waits for whom, derived from the printed locks.
    pub graph: WaitForGraph,
}

impl Deadlock {
    /// The transaction printed as `(n)`.
    pub fn transaction(&self, number: u32) -> Option<&Transaction> {
        self.transactions.iter().find(|t| t.number == number)
    }

    /// The victim transaction, when the number is known and printed.
    pub fn victim_transaction(&self) -> Option<&Transaction> {
        self.victim.number.and_then(|n| self.transaction(n))
    }
}
