//! Lock modes and the precise kind of a record lock, decoded from the flag words InnoDB appends
//! to a lock line (format-spec §3.5) or from a `LOCK_MODE` column (§7, §8).

use serde::Serialize;

/// The strength of a lock, as InnoDB names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum LockMode {
    /// Shared.
    S,
    /// Exclusive.
    X,
    /// Intention shared (table locks).
    IS,
    /// Intention exclusive (table locks).
    IX,
    /// The table-level AUTO-INC lock (`AUTO-INC` in the monitor, `AUTO_INC` in lock tables).
    #[serde(rename = "AUTO-INC")]
    AutoInc,
    /// `unknown lock mode <N>` or anything else the server printed.
    #[serde(untagged)]
    Unknown(String),
}

impl LockMode {
    /// Reads `S`, `X`, `IS`, `IX`, `AUTO-INC` / `AUTO_INC`; anything else is kept verbatim.
    pub fn from_word(word: &str) -> LockMode {
        match word {
            "S" => LockMode::S,
            "X" => LockMode::X,
            "IS" => LockMode::IS,
            "IX" => LockMode::IX,
            "AUTO-INC" | "AUTO_INC" => LockMode::AutoInc,
            other => LockMode::Unknown(other.to_string()),
        }
    }

    /// The name as the monitor prints it.
    pub fn as_str(&self) -> &str {
        match self {
            LockMode::S => "S",
            LockMode::X => "X",
            LockMode::IS => "IS",
            LockMode::IX => "IX",
            LockMode::AutoInc => "AUTO-INC",
            LockMode::Unknown(s) => s,
        }
    }

    /// Whether two modes conflict (InnoDB's lock compatibility matrix, `lock0priv.h`).
    pub fn conflicts_with(&self, other: &LockMode) -> bool {
        use LockMode::{AutoInc, IS, IX, S, X};
        match (self, other) {
            (X, _) | (_, X) => true,
            (S, S) | (S, IS) | (IS, S) | (IS, IS) | (IS, IX) | (IX, IS) | (IX, IX) => false,
            (IS, AutoInc) | (AutoInc, IS) | (IX, AutoInc) | (AutoInc, IX) => false,
            (S, IX) | (IX, S) | (S, AutoInc) | (AutoInc, S) | (AutoInc, AutoInc) => true,
            _ => true,
        }
    }
}

impl std::fmt::Display for LockMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The words of one lock line's mode clause, exactly as printed: `lock_mode X locks gap before
/// rec insert intention waiting` → `{ mode: X, gap, insert_intention, waiting }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LockModeClause {
    pub mode: Option<LockMode>,
    /// ` locks gap before rec` (LOCK_GAP).
    pub gap: bool,
    /// ` locks rec but not gap` (LOCK_REC_NOT_GAP).
    pub rec_not_gap: bool,
    /// ` insert intention` (LOCK_INSERT_INTENTION).
    pub insert_intention: bool,
    /// ` waiting` (LOCK_WAIT).
    pub waiting: bool,
}

/// What a record lock really covers, after applying InnoDB's rules (a lock on the supremum is
/// always a gap lock; insert-intention locks carry LOCK_GAP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockKind {
    /// A table lock (IS/IX/S/X/AUTO-INC on the whole table).
    Table,
    /// LOCK_ORDINARY: the record and the gap before it.
    NextKey,
    /// LOCK_GAP: only the gap before the record (or, on the supremum, after the last record).
    Gap,
    /// LOCK_REC_NOT_GAP: only the record.
    RecNotGap,
    /// LOCK_INSERT_INTENTION: a wish to insert into the gap.
    InsertIntention,
    /// A metadata lock (MDL) on a table: the server's, not InnoDB's; its mode is the MDL type.
    Metadata,
    /// A table's flush (`Waiting for table flush`): not a lock but a wait until every
    /// statement that had the table open when `FLUSH TABLES` (or FTWRL, `ANALYZE TABLE`, …)
    /// began has ended; its mode is `table flush`.
    TableFlush,
    /// The server's global read lock, commit lock or backup lock (`FLUSH TABLES WITH READ
    /// LOCK`, `LOCK INSTANCE FOR BACKUP`, `BACKUP STAGE`); its mode names which.
    GlobalRead,
    /// The input does not show the lock's mode (a waits table with lock ids only): any of the
    /// record kinds. Never read as next-key.
    Unknown,
}

impl LockKind {
    /// Decodes the kind of a record lock. `only_supremum` is true when every record listed
    /// under the lock is heap no 1: InnoDB clears the gap flags there, so a plain mode means gap.
    pub fn of_record_lock(clause: &LockModeClause, only_supremum: bool) -> LockKind {
        if matches!(&clause.mode, Some(LockMode::Unknown(_))) {
            // `unknown lock mode 7`: the server could not name the mode, so neither its flags.
            LockKind::Unknown
        } else if clause.insert_intention {
            LockKind::InsertIntention
        } else if clause.gap {
            LockKind::Gap
        } else if clause.rec_not_gap {
            LockKind::RecNotGap
        } else if only_supremum {
            LockKind::Gap
        } else {
            LockKind::NextKey
        }
    }

    /// Whether a request of this kind must wait for a granted record lock of kind `held` on the
    /// same record, once their modes conflict (InnoDB's `lock_rec_has_to_wait`): a gap request
    /// never waits; an insert intention waits only for gap and next-key locks (the gap part);
    /// record-only and next-key requests only for locks on the record itself; a granted insert
    /// intention blocks nothing.
    pub fn waits_for(self, held: LockKind) -> bool {
        use LockKind::{
            Gap, GlobalRead, InsertIntention, Metadata, NextKey, RecNotGap, Table, TableFlush,
            Unknown,
        };
        match (self, held) {
            (Table | Metadata | TableFlush | GlobalRead, _)
            | (_, Table | Metadata | TableFlush | GlobalRead)
            | (_, InsertIntention)
            | (Gap, _) => false,
            // Not knowing the kind, a conflict on the record is not ruled out.
            (Unknown, _) | (_, Unknown) => true,
            (InsertIntention, Gap | NextKey) => true,
            (InsertIntention, RecNotGap) => false,
            (RecNotGap | NextKey, Gap) => false,
            (RecNotGap | NextKey, RecNotGap | NextKey) => true,
        }
    }

    /// Short name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LockKind::Table => "table",
            LockKind::NextKey => "next-key",
            LockKind::Gap => "gap",
            LockKind::RecNotGap => "record-only",
            LockKind::InsertIntention => "insert-intention",
            LockKind::Metadata => "metadata",
            LockKind::TableFlush => "table-flush",
            LockKind::GlobalRead => "global-read",
            LockKind::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supremum_plain_mode_is_gap() {
        let clause = LockModeClause {
            mode: Some(LockMode::X),
            ..Default::default()
        };
        assert_eq!(LockKind::of_record_lock(&clause, true), LockKind::Gap);
        assert_eq!(LockKind::of_record_lock(&clause, false), LockKind::NextKey);
    }

    #[test]
    fn an_unknown_mode_has_no_kind() {
        let clause = LockModeClause {
            mode: Some(LockMode::Unknown("unknown lock mode 7".into())),
            ..Default::default()
        };
        assert_eq!(LockKind::of_record_lock(&clause, false), LockKind::Unknown);
    }

    #[test]
    fn compatibility_matrix() {
        assert!(!LockMode::S.conflicts_with(&LockMode::S));
        assert!(LockMode::S.conflicts_with(&LockMode::X));
        assert!(!LockMode::IX.conflicts_with(&LockMode::IX));
        assert!(LockMode::AutoInc.conflicts_with(&LockMode::AutoInc));
        assert!(!LockMode::IX.conflicts_with(&LockMode::AutoInc));
    }

    #[test]
    fn which_kinds_wait() {
        use LockKind::{Gap, InsertIntention, NextKey, RecNotGap};
        let cases = [
            (InsertIntention, Gap, true),
            (InsertIntention, NextKey, true),
            (InsertIntention, RecNotGap, false),
            (InsertIntention, InsertIntention, false),
            (RecNotGap, NextKey, true),
            (RecNotGap, Gap, false),
            (NextKey, RecNotGap, true),
            (NextKey, Gap, false),
            (Gap, NextKey, false),
        ];
        for (want, held, waits) in cases {
            assert_eq!(want.waits_for(held), waits, "{want:?} behind {held:?}");
        }
    }
}
