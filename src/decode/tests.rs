//! Decoding records with and without a schema, on dumps from the MariaDB fixtures.

use super::*;
use crate::model::{Field, LockKind, LockMode, LockModeClause, LockTarget};

fn record(fields: &[&str]) -> Record {
    Record {
        heap_no: 3,
        n_fields: Some(fields.len() as u32),
        format: Some("compact format".into()),
        info_bits: Some(0),
        fields: fields
            .iter()
            .enumerate()
            .map(|(i, h)| Field {
                index: i as u32,
                value: if *h == "NULL" {
                    FieldValue::Null
                } else {
                    FieldValue::Bytes {
                        len: h.len() as u64 / 2,
                        hex: (*h).into(),
                        total: None,
                        external: false,
                    }
                },
            })
            .collect(),
        columns: Vec::new(),
        line: 7,
    }
}

fn lock(schema: Option<&str>, table: &str, index: &str, records: Vec<Record>) -> Lock {
    Lock {
        target: LockTarget::Record {
            space: 5,
            page: 3,
            n_bits: None,
            index: index.into(),
        },
        table: TableName {
            schema: schema.map(Into::into),
            table: table.into(),
            partition: None,
        },
        trx_id: "24".into(),
        mode: LockMode::X,
        kind: LockKind::RecNotGap,
        clause: LockModeClause::default(),
        waiting: false,
        records,
        line: 6,
        text: "".into(),
    }
}

const ACCOUNTS: &str = "CREATE TABLE accounts (id int NOT NULL, owner varchar(32) NOT NULL, \
                        balance int NOT NULL, PRIMARY KEY (id)) DEFAULT CHARSET=utf8mb4";

/// See: fixtures/mariadb/inconsistent-ordering.status.txt, heap no 3.
#[test]
fn clustered_record_with_schema() {
    let (schema, _) = Schema::parse_sql(ACCOUNTS);
    let rec = record(&[
        "80000065",
        "000000000017",
        "06000001360110",
        "616c696365",
        "800003de",
    ]);
    let l = lock(Some("test"), "accounts", "PRIMARY", vec![rec.clone()]);
    let decoded = decode_record(&rec, &l, Some(&schema));
    assert_eq!(decoded.warnings, Vec::<String>::new());
    assert_eq!(
        render(&decoded.columns),
        "id=101, DB_TRX_ID=23, DB_ROLL_PTR=0x06000001360110, owner='alice', balance=990"
    );
    let mut rec = rec;
    rec.columns = decoded.columns;
    assert_eq!(key_phrase(&rec).as_deref(), Some("(id=101)"));
}

#[test]
fn clustered_record_without_schema() {
    let rec = record(&[
        "80000065",
        "000000000017",
        "06000001360110",
        "616c696365",
        "800003de",
    ]);
    let l = lock(Some("test"), "accounts", "PRIMARY", vec![rec.clone()]);
    let decoded = decode_record(&rec, &l, None);
    assert!(decoded.columns.iter().all(|c| c.guessed));
    assert_eq!(
        render(&decoded.columns),
        "101, DB_TRX_ID 23, DB_ROLL_PTR 0x06000001360110, 'alice', 990"
    );
    let mut rec = rec;
    rec.columns = decoded.columns;
    assert_eq!(key_phrase(&rec), None);
}

/// See: fixtures/mariadb/delete-then-insert.status.txt, index `idx_session_id`.
#[test]
fn secondary_record_appends_the_primary_key() {
    let (schema, warnings) = Schema::parse_sql(
        "CREATE TABLE session_endpoint (id binary(16) NOT NULL, session_id binary(16), \
         nickname varchar(64), PRIMARY KEY (id), KEY idx_session_id (session_id))",
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let rec = record(&[
        "00000000000000000000000000000030",
        "000000000000000000000000e0000030",
    ]);
    let l = lock(
        Some("test"),
        "session_endpoint",
        "idx_session_id",
        vec![rec.clone()],
    );
    let decoded = decode_record(&rec, &l, Some(&schema));
    let names: Vec<_> = decoded
        .columns
        .iter()
        .map(|c| c.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["session_id", "id"]);
    assert_eq!(
        decoded.columns[0].uuid.as_deref(),
        Some("00000000-0000-0000-0000-000000000030")
    );
    assert_eq!(
        render(&decoded.columns),
        "session_id=0x00000000…00000030, id=0x00000000…e0000030"
    );
}

#[test]
fn mismatched_schema_warns_and_keeps_going() {
    let (schema, _) = Schema::parse_sql("CREATE TABLE accounts (id bigint PRIMARY KEY)");
    let rec = record(&[
        "80000065",
        "000000000017",
        "06000001360110",
        "616c696365",
        "NULL",
    ]);
    let l = lock(None, "accounts", "PRIMARY", vec![rec.clone()]);
    let decoded = decode_record(&rec, &l, Some(&schema));
    assert_eq!(decoded.columns[0].value, "0x80000065");
    assert_eq!(decoded.columns[4].value, "NULL");
    assert!(decoded.columns[4].name.is_none());
    assert_eq!(decoded.warnings.len(), 2, "{:?}", decoded.warnings);
    assert!(decoded.warnings[1].starts_with("cannot decode `accounts`.`id` (int)"));
}

#[test]
fn shortening() {
    let cases = [
        ("101", "101"),
        ("0x00000000000000000000000000000025", "0x00000000…00000025"),
        ("'alice'", "'alice'"),
        ("'abcdefghijklmnopqrstuvwxyz'", "'abcdefghijklmnopqrstuvw…'"),
        (
            "0x000102030405060708090a0b0c0d0e0f… (truncated, 100 bytes)",
            "0x0001020304050607… (truncated, 100 bytes)",
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(short(value), expected, "shortening {value:?}");
    }
}
