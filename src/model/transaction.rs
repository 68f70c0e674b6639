//! One transaction of a deadlock report (`*** (n) TRANSACTION:` and its block, format-spec §4).

use super::lock::Lock;
use super::Name;
use serde::Serialize;

/// A transaction as the report shows it. Counters are `None` when the report did not print them
/// (5.0 prints no row-lock count; a cut log may lose lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Transaction {
    /// The `(n)` of `*** (n) TRANSACTION:`; 1 for the single transaction of a TOO DEEP report.
    pub number: u32,
    /// Trx id as printed: decimal, 5.5's hex, 5.0's `0 3793488`, MariaDB's `(0x7f…)`.
    pub trx_id: compact_str::CompactString,
    /// `ACTIVE`, `ACTIVE (PREPARED)`, `not started`, `COMMITTED IN MEMORY`, ….
    pub state: Name,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_secs: Option<u64>,
    /// What InnoDB was doing: `starting index read`, `inserting`, `fetching rows`, ….
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op_info: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tables_in_use: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tables_locked: Option<u64>,
    /// The counters line began with `LOCK WAIT`.
    pub lock_wait: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock_structs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heap_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_locks: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undo_entries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_thread_handle: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Name>,
    /// The statement state after the user (`updating`, `Sending data`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proc_info: Option<Name>,
    /// The current statement, whole (newlines kept); `None` when the thread was between statements.
    pub query: Option<String>,
    /// Locks the report says this transaction holds (`HOLDS THE LOCK(S)`).
    pub holds: Vec<Lock>,
    /// The lock it waits for (`WAITING FOR THIS LOCK TO BE GRANTED`).
    pub waits_for: Option<Lock>,
    /// TRANSACTIONS section: `TRX HAS BEEN WAITING <N> SEC` (MySQL) / `<N> us` (MariaDB), in
    /// milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_ms: Option<u64>,
    /// MariaDB 10.6+ `CONFLICTING WITH:` locks (owned by other transactions, or sometimes itself).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicting_with: Vec<Lock>,
    /// 1-based physical line of the `TRANSACTION` heading.
    pub line: usize,
}

impl Transaction {
    /// `user@host` when both are known, else whichever is.
    pub fn user_at_host(&self) -> Option<String> {
        let host = self.host.as_deref().or(self.ip.as_deref());
        match (&self.user, host) {
            (Some(u), Some(h)) => Some(format!("{u}@{h}")),
            (Some(u), None) => Some(u.to_string()),
            (None, Some(h)) => Some(format!("@{h}")),
            (None, None) => None,
        }
    }

    /// The first word of the statement, upper-cased (`INSERT`, `UPDATE`, `DELETE`, `SELECT`,
    /// `REPLACE`), skipping leading comments and parentheses. `#` and `-- ` comments run to the
    /// end of their line, as in MySQL; publishers put their own notes there too (fixtures/
    /// labelled a-002: `# 执行的sql` above the UPDATE).
    pub fn verb(&self) -> Option<Name> {
        let q = self.query.as_deref()?;
        let mut rest = q.trim_start();
        loop {
            if let Some(after) = rest.strip_prefix("/*") {
                rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
            } else if rest.starts_with('#') || rest.starts_with("-- ") {
                rest = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
            } else if let Some(after) = rest.strip_prefix('(') {
                rest = after.trim_start();
            } else {
                break;
            }
        }
        let len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let word = rest.get(..len).filter(|w| !w.is_empty())?;
        let mut word = Name::from(word);
        word.make_ascii_uppercase();
        Some(word)
    }

    /// Every lock printed for this transaction: held ones, then the awaited one.
    pub fn all_locks(&self) -> impl Iterator<Item = &Lock> {
        self.holds.iter().chain(self.waits_for.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verb_skips_comments_and_parentheses() {
        for (query, verb) in [
            ("update t set a = 1", Some("UPDATE")),
            ("/* app */ (SELECT 1) UNION (SELECT 2)", Some("SELECT")),
            // See: fixtures/labelled a-002 (the publisher's note above the statement).
            (
                "# 执行的sql\nUPDATE t SET a = 0 WHERE b = 1",
                Some("UPDATE"),
            ),
            ("-- note\n  delete from t", Some("DELETE")),
            ("# only a note", None),
        ] {
            let t = Transaction {
                query: Some(query.to_string()),
                ..Transaction::default()
            };
            assert_eq!(t.verb().as_deref(), verb, "parsing {query:?}");
        }
    }
}
