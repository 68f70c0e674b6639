//! `lab locks` against the real server: for the catalogue's patterns, the locks the engine
//! reports for the broken path's statements are the ones the pattern's documentation says they
//! take (`src/diagnose/patterns/*.rs`, "Why it deadlocks"). Each test has its own scratch
//! database; runs on one server are serialised by lab itself (a named lock), so the tests may
//! run in parallel. The DSN comes from `LOCKSCOPE_TEST_DSN`.

use std::process::Command;
use std::time::Duration;

use lockscope::lab::locks::guard::{vet, Role};
use lockscope::lab::locks::{explain, Config, Group, Isolation, LocksReport};
use mysql_async::prelude::Queryable;

fn test_dsn() -> String {
    std::env::var("LOCKSCOPE_TEST_DSN")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_string())
}

const ORDERS: &str = "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, \
                      note VARCHAR(20), KEY idx_customer (customer_id)) ENGINE=InnoDB;\n\
                      INSERT INTO orders VALUES (1, 10, 'a'), (3, 42, 'b'), (5, 42, 'c'), \
                      (9, 50, 'd'), (20, 60, 'e');";

const ITEMS: &str = "CREATE TABLE multilingual_item (id BIGINT AUTO_INCREMENT PRIMARY KEY, \
                     item_id BIGINT NOT NULL, corpus_id INT NOT NULL, lang VARCHAR(8) NOT NULL, \
                     value VARCHAR(64) NOT NULL DEFAULT '', UNIQUE KEY uk_item_lang (item_id, lang));\n\
                     INSERT INTO multilingual_item (item_id, corpus_id, lang, value) VALUES \
                     (1, 7, 'en-US', 'hello'), (2, 7, 'en-US', 'world'), (3, 7, 'en-US', 'again');";

fn run(database: &str, schema: &str, groups: &[(&'static str, &[&str])]) -> LocksReport {
    let groups = groups
        .iter()
        .map(|(name, sqls)| Group {
            name,
            statements: sqls
                .iter()
                .flat_map(|sql| vet(sql, "-e", database, Role::Transaction).unwrap())
                .collect(),
        })
        .collect();
    let config = Config {
        dsn: test_dsn(),
        database: database.to_string(),
        keep: false,
        lock_wait_timeout: Duration::from_secs(5),
        setup: vet(schema, "schema", database, Role::Setup).unwrap(),
        schema_sql: schema.to_string(),
        groups,
        isolations: vec![Isolation::Rr, Isolation::Rc],
    };
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(explain(&config))
        .unwrap()
}

/// The record locks of one run as `index mode kind key`.
fn record_locks(report: &LocksReport, group: usize, run: usize) -> Vec<String> {
    report.groups[group].runs[run]
        .held
        .locks
        .iter()
        .filter(|l| l.kind != "table")
        .map(|l| {
            format!(
                "{} {} {} {}",
                l.index.as_deref().unwrap_or("-"),
                l.mode,
                l.kind,
                l.key.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

/// gap-then-insert: "a locking read that finds no row locks the gap where the row would be";
/// not under READ COMMITTED.
#[test]
fn a_locking_read_of_a_missing_key_takes_a_gap_lock() {
    let report = run(
        "lockscope_lab_t_locks_gap",
        ORDERS,
        &[(
            "statements",
            &["SELECT * FROM orders WHERE id = 15 FOR UPDATE"],
        )],
    );
    assert_eq!(record_locks(&report, 0, 0), ["PRIMARY X gap id=20"]);
    assert!(record_locks(&report, 0, 1).is_empty());
    // The table's intention lock is there under both levels.
    assert!(report.groups[0].runs[1]
        .held
        .locks
        .iter()
        .any(|l| l.kind == "table" && l.mode == "IX"));
}

/// unique-key-race: "when an INSERT finds its key already present in a unique index … it takes
/// an S lock on that entry before it reports the duplicate", and keeps it.
#[test]
fn a_duplicate_insert_takes_s_on_the_existing_key() {
    let report = run(
        "lockscope_lab_t_locks_dup",
        ORDERS,
        &[("statements", &["INSERT INTO orders VALUES (3, 7, 'dup')"])],
    );
    for run in 0..2 {
        let r = &report.groups[0].runs[run];
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        assert!(r.errors[0].error.contains("1062"), "{}", r.errors[0].error);
        let locks = record_locks(&report, 0, run);
        assert!(
            locks
                .iter()
                .any(|l| l.starts_with("PRIMARY S ") && l.ends_with(" id=3")),
            "{locks:?}"
        );
    }
}

/// The lock behind `odku-supremum` on MariaDB: a locking read of keys after the last one takes
/// X on the supremum of the unique index, and the upsert of new keys alone takes no gap lock
/// there (the documentation says so since this test).
#[test]
fn keys_after_the_last_one_lock_the_supremum() {
    let check = "SELECT id FROM multilingual_item WHERE item_id IN (1000, 1001) \
                 AND lang = 'de-DE' FOR UPDATE";
    let upsert = "INSERT INTO multilingual_item (item_id, corpus_id, lang, value) VALUES \
                  (1000, 7, 'de-DE', 'x'), (1001, 7, 'de-DE', 'y') \
                  ON DUPLICATE KEY UPDATE value = VALUES(value)";
    let report = run(
        "lockscope_lab_t_locks_odku",
        ITEMS,
        &[("before", &[check]), ("after", &[upsert])],
    );
    assert_eq!(record_locks(&report, 0, 0), ["uk_item_lang X gap supremum"]);
    assert!(record_locks(&report, 0, 1).is_empty());
    if report.version.contains("MariaDB") {
        assert!(record_locks(&report, 1, 0).is_empty());
    }
}

/// A DELETE through a secondary index: next-key locks on the matching entries and a gap lock
/// on the next one under REPEATABLE READ; record-only locks under READ COMMITTED; the rows
/// themselves record-only either way.
#[test]
fn a_delete_by_secondary_index_locks_entries_rows_and_the_next_gap() {
    let report = run(
        "lockscope_lab_t_locks_delete",
        ORDERS,
        &[("statements", &["DELETE FROM orders WHERE customer_id = 42"])],
    );
    let mut rr = record_locks(&report, 0, 0);
    rr.sort();
    assert_eq!(
        rr,
        [
            "PRIMARY X record-only id=3",
            "PRIMARY X record-only id=5",
            "idx_customer X gap customer_id=50, id=9",
            "idx_customer X next-key customer_id=42, id=3",
            "idx_customer X next-key customer_id=42, id=5",
        ]
    );
    let mut rc = record_locks(&report, 0, 1);
    rc.sort();
    assert_eq!(
        rc,
        [
            "PRIMARY X record-only id=3",
            "PRIMARY X record-only id=5",
            "idx_customer X record-only customer_id=42, id=3",
            "idx_customer X record-only customer_id=42, id=5",
        ]
    );
}

/// The text report, run as a user would, and the global setting put back after it.
#[test]
fn the_command_prints_the_locks_and_restores_the_setting() {
    let dir = std::env::temp_dir().join(format!("lockscope-lab-locks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = dir.join("schema.sql");
    std::fs::write(&schema, ORDERS).unwrap();
    let before = status_output_locks();
    let out = Command::new(env!("CARGO_BIN_EXE_lockscope"))
        .args(["lab", "locks", "--dsn", &test_dsn(), "--database"])
        .arg("lockscope_lab_t_locks_cli")
        .arg("--schema")
        .arg(&schema)
        .args(["-e", "SELECT * FROM orders WHERE id = 15 FOR UPDATE"])
        .args(["--isolation", "rr"])
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("REPEATABLE READ: 2 locks, 1 of them on a gap"),
        "{text}"
    );
    assert!(text.contains("orders.PRIMARY  X gap     id=20"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    if before.as_deref() == Some("0") {
        assert_eq!(status_output_locks().as_deref(), Some("0"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `@@GLOBAL.innodb_status_output_locks`, read while no `lab locks` run holds the server.
fn status_output_locks() -> Option<String> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let opts = mysql_async::Opts::from_url(&test_dsn()).unwrap();
        let mut c = mysql_async::Conn::new(opts).await.unwrap();
        let _: Option<i64> = c
            .query_first("SELECT GET_LOCK('lockscope.lab-locks', 60)")
            .await
            .unwrap();
        let value: Option<String> = c
            .query_first("SELECT @@GLOBAL.innodb_status_output_locks")
            .await
            .unwrap();
        let _ = c.disconnect().await;
        value
    })
}
