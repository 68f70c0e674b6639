//! Which server family and era printed a report. Deduced from the shapes of the text
//! (format-spec §2–§4): the timestamp form, the trx id form, the thread line, the headings.

use serde::Serialize;

/// The server flavour a report looks like it came from. A guess from the text, never a fact:
/// publishers mangle logs, so this is only used to explain what the log can and cannot show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Flavour {
    /// MySQL 5.0 / 5.1: `TRANSACTION 0 3793488`, two-word trx ids, `db/t` table names.
    Mysql50,
    /// MySQL 5.5 (or Percona 5.5): hex trx ids, `YYMMDD HH:MM:SS` timestamps.
    Mysql55,
    /// MySQL 5.6: decimal trx ids, hex thread ids without `0x`.
    Mysql56,
    /// MySQL 5.7 or 8.0 up to 8.0.17: `0x` thread ids, only transaction 2 prints its held locks.
    Mysql57,
    /// MySQL 8.0.18 and later (8.4, 9.x): every transaction prints `HOLDS THE LOCK(S)`.
    Mysql8018,
    /// MariaDB before 10.6: the MySQL 5.7 layout.
    MariadbPre106,
    /// MariaDB 10.6 and later: `MariaDB thread id`, unnumbered `WAITING FOR` / `CONFLICTING WITH`.
    Mariadb106,
    /// Percona Server (lock dumps suppressed by `innodb_show_verbose_locks=0`).
    Percona,
    /// Not enough text to tell.
    #[default]
    Unknown,
}

impl Flavour {
    /// Human-readable name, used by the text report.
    pub fn label(self) -> &'static str {
        match self {
            Flavour::Mysql50 => "MySQL 5.0/5.1",
            Flavour::Mysql55 => "MySQL 5.5",
            Flavour::Mysql56 => "MySQL 5.6",
            Flavour::Mysql57 => "MySQL 5.7 / 8.0.0-8.0.17",
            Flavour::Mysql8018 => "MySQL 8.0.18+ / 8.4 / 9.x",
            Flavour::MariadbPre106 => "MariaDB < 10.6",
            Flavour::Mariadb106 => "MariaDB 10.6+",
            Flavour::Percona => "Percona Server",
            Flavour::Unknown => "unknown",
        }
    }

    /// Whether the family prints `HOLDS THE LOCK(S)` only for transaction 2 (MySQL ≤ 8.0.17,
    /// MariaDB < 10.6): transaction 1's held locks are then unknown, not absent.
    pub fn holds_only_for_second(self) -> bool {
        matches!(
            self,
            Flavour::Mysql50
                | Flavour::Mysql55
                | Flavour::Mysql56
                | Flavour::Mysql57
                | Flavour::MariadbPre106
                | Flavour::Percona
        )
    }
}
