//! End-to-end snapshots: the text and JSON output of `lockscope analyze` on a representative set
//! of real fixtures, run through the built binary. Review changes with `cargo insta review`
//! (or `INSTA_UPDATE=always cargo test --test snapshots` and read the diff); CI never rewrites them.

mod common;

use common::{lockscope, snapshot_stem};

/// One fixture per server shape and per pattern family.
const FIXTURES: &[&str] = &[
    "fixtures/mariadb/inconsistent-ordering.status.txt",
    "fixtures/mariadb/delete-then-insert.status.txt",
    "fixtures/mariadb/odku-supremum.status.txt",
    "fixtures/mariadb/odku-supremum-select-for-update.status.txt",
    "fixtures/mariadb/gap-lock-then-insert.status.txt",
    "fixtures/mariadb/unique-key-s-lock-race.status.txt",
    "fixtures/mariadb/fk-s-lock-upgrade.status.txt",
    "fixtures/mariadb/three-way-cycle.status.batch-escaped.txt",
    "fixtures/mariadb/deadlock-report-basic.status.batch.txt",
    "fixtures/mariadb/local/accounts.status.table.txt",
    "fixtures/mysql8/sakila-8.0.status.txt",
    "fixtures/mysql8/percona-8.0.33.error-log.txt",
    "fixtures/public/002-pt-5.5-too-deep-autoinc.txt",
    "fixtures/public/003-pt-5.0-full-status-gen-clust-s-to-x.txt",
    "fixtures/public/004-percona-5.5-full-status-ansi-quotes-insert-pk.txt",
    "fixtures/public/013-ane08-5.7-windows-delete-marked.txt",
    "fixtures/public/014-ane09-5.7-windows-secondary-vs-primary.txt",
    "fixtures/public/024-ane19-5.7-sql-null-s-to-x.txt",
    "fixtures/seeds/seed-002-delete-then-insert-session-endpoint.txt",
    "fixtures/seeds/seed-003-inconsistent-order-warn-baseline-result.txt",
    "fixtures/seeds/seed-004-odku-supremum-multilingual-item.txt",
];

fn run(args: &[&str]) -> (String, String, i32) {
    lockscope(args, &[])
}

fn snapshot_name(path: &str) -> String {
    snapshot_stem(path)
}

#[test]
fn text_reports() {
    for path in FIXTURES {
        let (stdout, stderr, code) = run(&["analyze", path]);
        assert_eq!(code, 0, "{path}: {stderr}");
        for line in stdout.lines() {
            assert!(
                line.chars().count() <= 80,
                "{path}: line wider than 80 columns: {line}"
            );
        }
        insta::assert_snapshot!(format!("text__{}", snapshot_name(path)), stdout);
    }
}

#[test]
fn json_reports() {
    for path in FIXTURES {
        let (stdout, stderr, code) = run(&["analyze", "--format", "json", path]);
        assert_eq!(code, 0, "{path}: {stderr}");
        let doc: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
        assert_eq!(doc["schema_version"], 1);
        insta::assert_json_snapshot!(format!("json__{}", snapshot_name(path)), doc);
    }
}

#[test]
fn jsonl_is_one_object_per_line() {
    let (stdout, _, code) = run(&[
        "analyze",
        "--format",
        "jsonl",
        "fixtures/mariadb/error-log.txt",
    ]);
    assert_eq!(code, 0);
    let objects: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let deadlocks = objects.iter().filter(|o| o["type"] == "deadlock").count();
    assert_eq!(deadlocks, 40);
}
