//! Hand-built deadlocks for the matchers' unit tests, written the way the report reads:
//! `lock("X rec wait", "accounts", "PRIMARY", 3, "24", vec![rec(3, 0, &["80000065"])])`.

use crate::model::{
    Deadlock, Field, FieldValue, Flavour, Lock, LockKind, LockMode, LockModeClause, LockTarget,
    Record, TableName, Transaction, Victim, WaitForGraph,
};

pub(crate) fn rec(heap_no: u64, info_bits: u32, fields: &[&str]) -> Record {
    Record {
        heap_no,
        n_fields: Some(fields.len() as u32),
        format: Some("compact format".into()),
        info_bits: Some(info_bits),
        fields: fields
            .iter()
            .enumerate()
            .map(|(i, h)| Field {
                index: i as u32,
                value: FieldValue::Bytes {
                    len: h.len() as u64 / 2,
                    hex: (*h).into(),
                    total: None,
                    external: false,
                },
            })
            .collect(),
        columns: Vec::new(),
        line: 0,
    }
}

pub(crate) fn supremum() -> Record {
    rec(1, 0, &["73757072656d756d"])
}

/// `spec`: the mode (`X`, `S`, `AUTO-INC`), then any of `gap`, `rec` (rec but not gap), `ii`
/// (insert intention), `wait`. An empty `index` makes a table lock.
pub(crate) fn lock(
    spec: &str,
    table: &str,
    index: &str,
    page: u64,
    trx_id: &str,
    records: Vec<Record>,
) -> Lock {
    let mut words = spec.split_whitespace();
    let mode = LockMode::from_word(words.next().unwrap_or("X"));
    let flags: Vec<&str> = words.collect();
    let clause = LockModeClause {
        mode: Some(mode.clone()),
        gap: flags.contains(&"gap"),
        rec_not_gap: flags.contains(&"rec"),
        insert_intention: flags.contains(&"ii"),
        waiting: flags.contains(&"wait"),
    };
    let only_supremum = !records.is_empty() && records.iter().all(Record::is_supremum);
    let (target, kind) = if index.is_empty() {
        (LockTarget::Table, LockKind::Table)
    } else {
        (
            LockTarget::Record {
                space: 5 + table.bytes().map(u64::from).sum::<u64>(),
                page,
                n_bits: Some(80),
                index: index.into(),
            },
            LockKind::of_record_lock(&clause, only_supremum),
        )
    };
    let text = format!("RECORD LOCKS page no {page} index {index} of table `test`.`{table}` trx id {trx_id} {spec}");
    Lock {
        target,
        table: TableName {
            schema: Some("test".into()),
            table: table.into(),
            partition: None,
        },
        trx_id: trx_id.into(),
        mode,
        kind,
        waiting: clause.waiting,
        clause,
        records,
        line: 0,
        text: text.into(),
    }
}

pub(crate) struct Build {
    d: Deadlock,
}

pub(crate) fn deadlock(flavour: Flavour) -> Build {
    Build {
        d: Deadlock {
            input: "test".to_string(),
            line: 1,
            flavour,
            ..Deadlock::default()
        },
    }
}

impl Build {
    pub fn trx(mut self, number: u32, trx_id: &str, query: &str) -> Build {
        self.d.transactions.push(Transaction {
            number,
            trx_id: trx_id.into(),
            state: "ACTIVE".into(),
            query: (!query.is_empty()).then(|| query.to_string()),
            ..Transaction::default()
        });
        self
    }

    fn last(&mut self) -> &mut Transaction {
        self.d.transactions.last_mut().expect("a trx first")
    }

    pub fn counts(mut self, row_locks: u64, undo: u64) -> Build {
        let t = self.last();
        t.row_locks = Some(row_locks);
        t.undo_entries = Some(undo);
        self
    }

    pub fn holds(mut self, l: Lock) -> Build {
        self.last().holds.push(l);
        self
    }

    pub fn waits(mut self, l: Lock) -> Build {
        self.last().waits_for = Some(l);
        self
    }

    pub fn conflicts(mut self, l: Lock) -> Build {
        self.last().conflicting_with.push(l);
        self
    }

    pub fn too_deep(mut self) -> Build {
        self.d.too_deep = true;
        self
    }

    pub fn victim(mut self, n: u32) -> Deadlock {
        self.d.victim = Victim {
            number: Some(n),
            note: None,
        };
        // Number the lines as a report would, so evidence has an order.
        let mut line = 1;
        for t in &mut self.d.transactions {
            line += 1;
            t.line = line;
            let locks = t
                .holds
                .iter_mut()
                .chain(t.waits_for.iter_mut())
                .chain(t.conflicting_with.iter_mut());
            for l in locks {
                line += 1;
                l.line = line;
                for r in &mut l.records {
                    line += 1;
                    r.line = line;
                }
            }
        }
        self.d.graph = WaitForGraph::build(&self.d.transactions);
        self.d
    }
}
