//! Small builders of locks and records for the tests of the describers.

use crate::model::{Lock, LockKind, LockMode, LockModeClause, LockTarget, Record, TableName};

pub(crate) use crate::diagnose::testkit::{rec as record, supremum};

pub(crate) fn record_lock(index: &str, clause: LockModeClause, records: Vec<Record>) -> Lock {
    let only_supremum = !records.is_empty() && records.iter().all(Record::is_supremum);
    Lock {
        target: LockTarget::Record {
            space: 6,
            page: 3,
            n_bits: Some(80),
            index: index.into(),
        },
        table: TableName {
            schema: Some("test".into()),
            table: "accounts".into(),
            partition: None,
        },
        trx_id: "47".into(),
        mode: clause.mode.clone().unwrap_or(LockMode::X),
        kind: LockKind::of_record_lock(&clause, only_supremum),
        waiting: clause.waiting,
        clause,
        records,
        line: 1,
        text: "".into(),
    }
}

pub(crate) fn clause(mode: LockMode, flags: &str) -> LockModeClause {
    LockModeClause {
        mode: Some(mode),
        gap: flags.contains("gap"),
        rec_not_gap: flags.contains("rec"),
        insert_intention: flags.contains("ii"),
        waiting: flags.contains("wait"),
    }
}
