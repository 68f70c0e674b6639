//! Record decoding round trips through the real engine (`LOCKSCOPE_TEST_DSN`, default
//! `mysql://root@127.0.0.1:3306/test`; `.ci/run` makes sure it is up): for each type, a table
//! `t (id INT PRIMARY KEY, v <type>, w <type> NULL, KEY kv (v))` in its own database
//! `lockscope_t_decode_<type>`, two rows, a real deadlock between two connections locking them
//! in opposite orders (through PRIMARY, then through `kv`), and the record dump InnoDB printed in
//! `SHOW ENGINE INNODB STATUS`, decoded with the table's `SHOW CREATE TABLE`, must give back
//! the values that were inserted.
//!
//! The server keeps one "latest deadlock" for everybody, so making a deadlock and reading the
//! status is done under `DEADLOCKS`, and the deadlock is recognised by its database name.

use std::sync::Arc;
use std::time::Duration;

use lockscope::analyze::{analyze_reader_with, Options};
use lockscope::schema::Schema;
use lockscope::sink::VecSink;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts};

static DEADLOCKS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn dsn() -> String {
    std::env::var("LOCKSCOPE_TEST_DSN")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_string())
}

async fn connect() -> Conn {
    let opts = Opts::from_url(&dsn()).expect("LOCKSCOPE_TEST_DSN");
    Conn::new(opts)
        .await
        .expect("the test server (LOCKSCOPE_TEST_DSN) answers")
}

/// One type under test: its SQL, the key definition on `v`, and rows as (literal inserted,
/// value lockscope must print).
struct Case {
    name: &'static str,
    sql_type: &'static str,
    /// `(v)`, `(v(10))`, or `None` when the type is not compared through an index (FLOAT).
    key: Option<&'static str>,
    rows: [(&'static str, &'static str); 2],
}

async fn round_trip(case: Case) {
    let db = format!("lockscope_t_decode_{}", case.name);
    let mut admin = connect().await;
    admin
        .query_drop(format!("DROP DATABASE IF EXISTS {db}"))
        .await
        .unwrap();
    admin
        .query_drop(format!("CREATE DATABASE {db}"))
        .await
        .unwrap();
    let key = case
        .key
        .map(|k| format!(", KEY kv {k}"))
        .unwrap_or_default();
    admin
        .query_drop(format!(
            "CREATE TABLE {db}.t (id INT NOT NULL PRIMARY KEY, v {ty}, w {ty} NULL{key}) \
             ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
            ty = case.sql_type
        ))
        .await
        .unwrap();
    admin.query_drop("SET time_zone = '+00:00'").await.unwrap();
    for (i, (literal, _)) in case.rows.iter().enumerate() {
        admin
            .query_drop(format!(
                "INSERT INTO {db}.t (id, v) VALUES ({}, {literal})",
                i + 1
            ))
            .await
            .unwrap();
    }
    let create: (String, String) = admin
        .query_first(format!("SHOW CREATE TABLE {db}.t"))
        .await
        .unwrap()
        .unwrap();
    let mut schema = Schema::default();
    let warnings = schema.add_sql(&create.1, Some(&db));
    assert!(warnings.is_empty(), "{warnings:?}");
    let schema = Arc::new(schema);

    let by_id = |i: usize| format!("SELECT * FROM {db}.t WHERE id = {i} FOR UPDATE");
    let status = deadlock(&db, [by_id(1), by_id(2)]).await;
    check(&status, &schema, &db, "PRIMARY", &case);

    if case.key.is_some() {
        let by_v = |i: usize| {
            format!(
                "SELECT id FROM {db}.t FORCE INDEX (kv) WHERE v = {} FOR UPDATE",
                case.rows[i - 1].0
            )
        };
        let status = deadlock(&db, [by_v(1), by_v(2)]).await;
        check(&status, &schema, &db, "kv", &case);
    }
    admin
        .query_drop(format!("DROP DATABASE {db}"))
        .await
        .unwrap();
}

/// Two connections lock `lock[0]` / `lock[1]` and then each other's: a real deadlock. Returns
/// the status text whose latest deadlock is on `db`.
async fn deadlock(db: &str, lock: [String; 2]) -> String {
    // Another client of the server (a concurrent test run) may deadlock in between: retry.
    for attempt in 0..8 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
        }
        let _guard = DEADLOCKS.lock().await;
        let (mut a, mut b) = (connect().await, connect().await);
        for c in [&mut a, &mut b] {
            c.query_drop("SET SESSION innodb_lock_wait_timeout = 10, time_zone = '+00:00'")
                .await
                .unwrap();
            c.query_drop("BEGIN").await.unwrap();
        }
        a.query_drop(&lock[0]).await.unwrap();
        b.query_drop(&lock[1]).await.unwrap();
        let second = lock[1].clone();
        let waiting = tokio::spawn(async move {
            let r = a.query_drop(&second).await;
            let _ = a.query_drop("ROLLBACK").await;
            r
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let r = b.query_drop(&lock[0]).await;
        let _ = b.query_drop("ROLLBACK").await;
        let other = waiting.await.unwrap();
        assert!(r.is_err() || other.is_err(), "no deadlock between {lock:?}");
        let mut c = connect().await;
        let row: (String, String, String) = c
            .query_first("SHOW ENGINE INNODB STATUS")
            .await
            .unwrap()
            .unwrap();
        let section = row
            .2
            .split("LATEST DETECTED DEADLOCK")
            .nth(1)
            .and_then(|s| s.split("\nTRANSACTIONS\n").next())
            .unwrap_or("");
        if section.contains(&format!("`{db}`.`t`")) {
            return row.2;
        }
    }
    panic!("the latest deadlock never was this test's ({db})");
}

/// Every record of the deadlock on `index` decodes `v` back to what was inserted.
fn check(status: &str, schema: &Arc<Schema>, db: &str, index: &str, case: &Case) {
    let mut sink = VecSink::default();
    let options = Options {
        schema: Some(schema.clone()),
        ..Options::default()
    };
    analyze_reader_with(db, status.as_bytes(), &mut sink, &options).unwrap();
    let decode_warnings: Vec<_> = sink
        .warnings
        .iter()
        .filter(|w| w.message.contains("decode") || w.message.contains("schema"))
        .collect();
    assert!(decode_warnings.is_empty(), "{decode_warnings:?}");
    let [analysed] = sink.deadlocks.as_slice() else {
        panic!("one deadlock expected in {status}");
    };
    let mut seen = 0;
    for trx in &analysed.deadlock.transactions {
        for lock in trx.all_locks() {
            if lock.index() != Some(index) || lock.table.schema.as_deref() != Some(db) {
                continue;
            }
            for rec in lock.records.iter().filter(|r| r.heap_no >= 2) {
                let col = |name: &str| {
                    rec.columns
                        .iter()
                        .find(|c| c.name.as_deref() == Some(name))
                        .unwrap_or_else(|| panic!("no `{name}` in {:?}", rec.columns))
                };
                let id: usize = col("id").value.parse().expect("id decodes");
                let (_, expected) = case.rows[id - 1];
                assert_eq!(
                    col("v").value,
                    expected,
                    "{} on {index}: {:?}",
                    case.name,
                    rec.columns
                );
                assert!(rec.columns.iter().all(|c| !c.guessed), "{:?}", rec.columns);
                if index == "PRIMARY" {
                    assert_eq!(col("w").value, "NULL");
                    assert!(col("DB_TRX_ID").value.parse::<u64>().is_ok());
                }
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "no record of `{index}` in {status}");
}

macro_rules! round_trips {
    ($($name:ident: $ty:expr, $key:expr, [$(($lit:expr, $want:expr)),* $(,)?];)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                round_trip(Case {
                    name: stringify!($name),
                    sql_type: $ty,
                    key: $key,
                    rows: [$(($lit, $want)),*],
                })
                .await;
            }
        )*
    };
}

round_trips! {
    tinyint: "TINYINT", Some("(v)"), [("-5", "-5"), ("127", "127")];
    tinyint_unsigned: "TINYINT UNSIGNED", Some("(v)"), [("200", "200"), ("0", "0")];
    smallint: "SMALLINT", Some("(v)"), [("-300", "-300"), ("32767", "32767")];
    smallint_unsigned: "SMALLINT UNSIGNED", Some("(v)"), [("65535", "65535"), ("1", "1")];
    mediumint: "MEDIUMINT", Some("(v)"), [("-8388608", "-8388608"), ("123", "123")];
    mediumint_unsigned: "MEDIUMINT UNSIGNED", Some("(v)"), [("16777215", "16777215"), ("9", "9")];
    int: "INT", Some("(v)"), [("-2147483648", "-2147483648"), ("2147483647", "2147483647")];
    int_unsigned: "INT UNSIGNED", Some("(v)"), [("4294967295", "4294967295"), ("2", "2")];
    bigint: "BIGINT", Some("(v)"),
        [("-9223372036854775808", "-9223372036854775808"), ("9223372036854775807", "9223372036854775807")];
    bigint_unsigned: "BIGINT UNSIGNED", Some("(v)"),
        [("18446744073709551615", "18446744073709551615"), ("3", "3")];
    char: "CHAR(10)", Some("(v)"), [("'ab'", "'ab'"), ("'한국어'", "'한국어'")];
    varchar: "VARCHAR(64)", Some("(v)"), [("'alice'", "'alice'"), ("'it''s 😀'", "'it''s 😀'")];
    varchar_latin1: "VARCHAR(20) CHARACTER SET latin1", Some("(v)"),
        [("'café'", "'café'"), ("'x'", "'x'")];
    varchar_truncated: "VARCHAR(64)", Some("(v)"),
        [("'abcdefghijklmnopqrstuvwxyz0123456789'", "'abcdefghijklmnopqrstuvwxyz0123…' (truncated, 36 bytes)"),
         ("'short'", "'short'")];
    text: "TEXT", Some("(v(10))"), [("'hello text'", "'hello text'"), ("'bye'", "'bye'")];
    binary16: "BINARY(16)", Some("(v)"),
        [("UNHEX('00112233445566778899AABBCCDDEEFF')", "0x00112233445566778899aabbccddeeff"),
         ("UNHEX('965B1FACE74948039AB0DD8DA6DAA71D')", "0x965b1face74948039ab0dd8da6daa71d")];
    varbinary: "VARBINARY(8)", Some("(v)"), [("0x0102", "0x0102"), ("0xff", "0xff")];
    date: "DATE", Some("(v)"), [("'2024-02-29'", "'2024-02-29'"), ("'1000-01-01'", "'1000-01-01'")];
    datetime: "DATETIME", Some("(v)"),
        [("'2024-02-29 13:45:59'", "'2024-02-29 13:45:59'"), ("'9999-12-31 23:59:59'", "'9999-12-31 23:59:59'")];
    datetime3: "DATETIME(3)", Some("(v)"),
        [("'2024-02-29 13:45:59.123'", "'2024-02-29 13:45:59.123'"), ("'2001-01-01 00:00:00.5'", "'2001-01-01 00:00:00.500'")];
    datetime6: "DATETIME(6)", Some("(v)"),
        [("'2024-02-29 13:45:59.123456'", "'2024-02-29 13:45:59.123456'"), ("'2001-01-01 00:00:00.000001'", "'2001-01-01 00:00:00.000001'")];
    timestamp: "TIMESTAMP NULL", Some("(v)"),
        [("'2024-02-29 13:45:59'", "'2024-02-29 13:45:59 UTC'"), ("'1970-01-02 00:00:00'", "'1970-01-02 00:00:00 UTC'")];
    timestamp4: "TIMESTAMP(4) NULL", Some("(v)"),
        [("'2024-02-29 13:45:59.1234'", "'2024-02-29 13:45:59.1234 UTC'"), ("'2030-06-01 12:00:00.5'", "'2030-06-01 12:00:00.5000 UTC'")];
    time: "TIME", Some("(v)"), [("'-838:59:59'", "'-838:59:59'"), ("'12:34:56'", "'12:34:56'")];
    time2: "TIME(2)", Some("(v)"), [("'-01:02:03.45'", "'-01:02:03.45'"), ("'10:00:00.01'", "'10:00:00.01'")];
    time6: "TIME(6)", Some("(v)"),
        [("'-00:00:00.000001'", "'-00:00:00.000001'"), ("'100:00:00.999999'", "'100:00:00.999999'")];
    decimal: "DECIMAL(10,2)", Some("(v)"), [("-1234.56", "-1234.56"), ("99999999.99", "99999999.99")];
    decimal_wide: "DECIMAL(30,10)", Some("(v)"),
        [("12345678901234567890.0123456789", "12345678901234567890.0123456789"), ("-0.0000000001", "-0.0000000001")];
    enums: "ENUM('a','b','it''s')", Some("(v)"), [("'b'", "'b'"), ("'it''s'", "'it''s'")];
    sets: "SET('x','y','z')", Some("(v)"), [("'x,z'", "'x,z'"), ("'y'", "'y'")];
    year: "YEAR", Some("(v)"), [("2024", "2024"), ("1901", "1901")];
    float: "FLOAT", None, [("1.5", "1.5"), ("-3.25", "-3.25")];
    double: "DOUBLE", None, [("3.141592653589793", "3.141592653589793"), ("-1e300", "-1e300")];
    bit: "BIT(10)", Some("(v)"), [("b'1010101010'", "b'1010101010'"), ("b'1'", "b'1'")];
    text_external: "MEDIUMTEXT", None,
        [("REPEAT('ab', 6000)", "… (external, 12000 bytes)"),
         ("'tiny'", "'tiny'")];
}
