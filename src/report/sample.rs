//! A deadlock built by hand for the renderers' unit tests: the MariaDB delete-then-insert
//! capture (corpus `mariadb/delete-then-insert.status.txt`), cut down, plus a supremum lock.

use crate::diagnose::{Confidence, Evidence, Finding};
use crate::model::{
    Deadlock, Field, FieldValue, Flavour, Lock, LockKind, LockMode, LockModeClause, LockTarget,
    Record, TableName, Transaction, Victim, WaitForGraph,
};
use crate::sink::Analysed;

fn record(heap_no: u64, info_bits: u32, fields: &[&str], line: usize) -> Record {
    Record {
        heap_no,
        n_fields: Some(fields.len() as u32),
        format: Some("compact format".into()),
        info_bits: Some(info_bits),
        fields: fields
            .iter()
            .enumerate()
            .map(|(i, hex)| Field {
                index: i as u32,
                value: FieldValue::Bytes {
                    len: hex.len() as u64 / 2,
                    hex: (*hex).into(),
                    total: None,
                    external: false,
                },
            })
            .collect(),
        columns: Vec::new(),
        line,
    }
}

struct At<'a> {
    table: &'a str,
    index: &'a str,
    trx: &'a str,
    line: usize,
}

fn lock(at: At<'_>, clause: LockModeClause, records: Vec<Record>) -> Lock {
    let only_supremum = !records.is_empty() && records.iter().all(Record::is_supremum);
    let mut text = format!(
        "RECORD LOCKS space id 7 page no 4 n bits 320 index {} of table `test`.`{}` trx id {} \
         lock_mode X",
        at.index, at.table, at.trx
    );
    for (on, words) in [
        (clause.gap, " locks gap before rec"),
        (clause.rec_not_gap, " locks rec but not gap"),
        (clause.insert_intention, " insert intention"),
        (clause.waiting, " waiting"),
    ] {
        if on {
            text.push_str(words);
        }
    }
    Lock {
        target: LockTarget::Record {
            space: 7,
            page: 4,
            n_bits: Some(320),
            index: at.index.into(),
        },
        table: TableName {
            schema: Some("test".into()),
            table: at.table.into(),
            partition: None,
        },
        trx_id: at.trx.into(),
        mode: LockMode::X,
        kind: LockKind::of_record_lock(&clause, only_supremum),
        waiting: clause.waiting,
        clause,
        records,
        line: at.line,
        text: text.into(),
    }
}

fn x(gap: bool, rec_not_gap: bool, insert_intention: bool, waiting: bool) -> LockModeClause {
    LockModeClause {
        mode: Some(LockMode::X),
        gap,
        rec_not_gap,
        insert_intention,
        waiting,
    }
}

const SESSION_ROW: [&str; 5] = [
    "00000000000000000000000000000025",
    "000000000030",
    "930000013e0110",
    "80001092",
    "99bb6a5603",
];

pub fn deadlock() -> Analysed {
    let endpoint = |trx, line| At {
        table: "session_endpoint",
        index: "idx_session_id",
        trx,
        line,
    };
    let deleted = |heap, line| {
        record(
            heap,
            32,
            &[
                "00000000000000000000000000000030",
                "000000000000000000000000e0000030",
            ],
            line,
        )
    };
    let one = Transaction {
        number: 1,
        trx_id: "47".into(),
        state: "ACTIVE".into(),
        active_secs: Some(1),
        op_info: Some("fetching rows".into()),
        lock_wait: true,
        lock_structs: Some(7),
        row_locks: Some(43),
        undo_entries: Some(17),
        thread_id: Some(23),
        host: Some("localhost".into()),
        ip: Some("127.0.0.1".into()),
        user: Some("lockscope".into()),
        query: Some(format!(
            "DELETE FROM session WHERE id IN ({})",
            (2..10)
                .map(|i| format!("UNHEX('000000000000000000000000000000{i}0')"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        waits_for: Some(lock(
            At {
                table: "session",
                index: "PRIMARY",
                trx: "47",
                line: 10,
            },
            x(false, false, false, true),
            vec![record(12, 0, &SESSION_ROW, 11)],
        )),
        conflicting_with: vec![lock(
            At {
                table: "session",
                index: "PRIMARY",
                trx: "48",
                line: 18,
            },
            x(false, true, false, false),
            vec![record(12, 0, &SESSION_ROW, 19)],
        )],
        line: 4,
        ..Transaction::default()
    };
    let two = Transaction {
        number: 2,
        trx_id: "48".into(),
        state: "ACTIVE".into(),
        active_secs: Some(1),
        op_info: Some("inserting".into()),
        lock_wait: true,
        lock_structs: Some(4),
        row_locks: Some(2),
        undo_entries: Some(2),
        thread_id: Some(24),
        host: Some("localhost".into()),
        user: Some("lockscope".into()),
        query: Some(
            "INSERT INTO session_endpoint\nVALUES (UNHEX('000000000000000000000000F0000001'), \
             UNHEX('00000000000000000000000000000025'), 'ep-new')"
                .to_string(),
        ),
        waits_for: Some(lock(
            endpoint("48", 33),
            x(true, false, true, true),
            vec![deleted(6, 34)],
        )),
        conflicting_with: vec![
            lock(
                endpoint("47", 39),
                x(false, false, false, false),
                (4..10).map(|h| deleted(h, 40 + h as usize)).collect(),
            ),
            lock(
                endpoint("47", 53),
                x(false, false, false, false),
                vec![record(1, 0, &["73757072656d756d"], 54)],
            ),
        ],
        line: 26,
        ..Transaction::default()
    };
    let transactions = vec![one, two];
    let graph = WaitForGraph::build(&transactions);
    let deadlock = Deadlock {
        input: "delete-then-insert.status.txt".to_string(),
        line: 3,
        timestamp: Some("2026-11-21 05:24:04".to_string()),
        flavour: Flavour::Mariadb106,
        too_deep: false,
        transactions,
        victim: Victim {
            number: None,
            note: Some("MariaDB printed (0) (MDEV-29187)".to_string()),
        },
        graph,
    };
    let finding = Finding {
        pattern: "delete-then-insert",
        confidence: Confidence::High,
        summary: "transaction (2) inserts into `test`.`session_endpoint` and waits for an \
                  insert intention on the gap before a delete-marked record of index \
                  `idx_session_id`, which transaction (1) deleted and still locks; (1) waits \
                  for the row of `test`.`session` that (2) locked"
            .to_string(),
        evidence: vec![Evidence {
            line: 33,
            text: "RECORD LOCKS space id 7 page no 4 n bits 320 index idx_session_id of table \
                   `test`.`session_endpoint` trx id 48 lock_mode X locks gap before rec insert \
                   intention waiting"
                .into(),
        }],
        fix: "delete children before parents in both paths:\n  DELETE FROM session_endpoint \
              WHERE session_id IN (…);\n  DELETE FROM session WHERE id IN (…);"
            .to_string(),
        contributing: false,
        alternatives: Vec::new(),
    };
    Analysed::new(deadlock, vec![finding])
}
