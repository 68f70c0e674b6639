//! Every real capture under `fixtures/` parses: the right number of deadlocks, transactions and
//! the printed victim, and no "unrecognised line" warning. The expected values come from
//! `fixtures/public/INDEX.tsv` and the MariaDB capture transcripts (`fixtures/README.md`).

use std::path::{Path, PathBuf};

use lockscope::analyze_text;

fn fixture(path: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, String::from_utf8_lossy(&bytes).into_owned())
}

/// Parses `path` and checks it holds one deadlock with `n` transactions and `victim`.
fn check_one(path: &str, n: usize, victim: Option<u32>) {
    let (_, text) = fixture(path);
    let (deadlocks, warnings) = analyze_text(path, &text);
    let unrecognised: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("unrecognised"))
        .collect();
    assert!(unrecognised.is_empty(), "{path}: {unrecognised:#?}");
    assert_eq!(deadlocks.len(), 1, "{path}: deadlocks found");
    let d = &deadlocks[0].deadlock;
    assert_eq!(d.transactions.len(), n, "{path}: transactions");
    assert_eq!(d.victim.number, victim, "{path}: victim");
    for t in &d.transactions {
        assert!(!t.trx_id.is_empty(), "{path}: trx ({}) has no id", t.number);
    }
}

#[test]
fn public_samples_match_index() {
    let (_, index) = fixture("public/INDEX.tsv");
    let mut checked = 0;
    for row in index.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (file, n, victim) = (cols[0], cols[3], cols[4]);
        let victim = victim.parse::<u32>().ok();
        check_one(&format!("public/{file}"), n.parse().unwrap(), victim);
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} samples in INDEX.tsv");
}

/// (scenario, transactions, victim) as the capture transcripts record them.
const MARIADB: &[(&str, usize, u32)] = &[
    ("inconsistent-ordering", 2, 1),
    ("delete-then-insert", 2, 2),
    ("odku-concurrent-batches", 2, 2),
    ("odku-supremum", 2, 1),
    ("odku-supremum-select-for-update", 2, 1),
    ("gap-lock-then-insert", 2, 1),
    ("unique-key-s-lock-race", 2, 1),
    ("fk-s-lock-upgrade", 2, 1),
    ("three-way-cycle", 3, 3),
    ("deadlock-report-basic", 2, 1),
];

#[test]
fn mariadb_captures_in_every_client_shape() {
    for (name, n, victim) in MARIADB {
        for shape in ["status", "status.batch", "status.batch-escaped"] {
            check_one(&format!("mariadb/{name}.{shape}.txt"), *n, Some(*victim));
        }
    }
}

#[test]
fn boxed_table_capture() {
    check_one("mariadb/local/accounts.status.table.txt", 2, Some(1));
}

#[test]
fn client_shapes_give_the_same_deadlock() {
    for (name, ..) in MARIADB {
        let parse = |shape: &str| {
            let path = format!("mariadb/{name}.{shape}.txt");
            let (deadlocks, _) = analyze_text(&path, &fixture(&path).1);
            let mut d = deadlocks.into_iter().next().expect("one deadlock").deadlock;
            // Line numbers differ by shape (the escaped form is one physical line).
            d.input.clear();
            d.line = 0;
            for t in &mut d.transactions {
                t.line = 0;
                for l in t
                    .holds
                    .iter_mut()
                    .chain(&mut t.waits_for)
                    .chain(&mut t.conflicting_with)
                {
                    l.line = 0;
                    l.records.iter_mut().for_each(|r| r.line = 0);
                }
            }
            d
        };
        let vertical = parse("status");
        assert_eq!(
            vertical,
            parse("status.batch"),
            "{name}: batch differs from \\G"
        );
        assert_eq!(
            vertical,
            parse("status.batch-escaped"),
            "{name}: escaped differs from \\G"
        );
    }
}

#[test]
fn mariadb_error_log_has_40_deadlocks() {
    let (_, text) = fixture("mariadb/error-log.txt");
    let (deadlocks, warnings) = analyze_text("error-log.txt", &text);
    assert_eq!(deadlocks.len(), 40);
    assert!(warnings.is_empty(), "{warnings:#?}");
    for a in &deadlocks {
        let d = &a.deadlock;
        assert!(d.transactions.len() >= 2, "deadlock at line {}", d.line);
        assert!(d.victim.number.is_some(), "deadlock at line {}", d.line);
        assert!(
            d.timestamp.is_some(),
            "deadlock at line {} has no time",
            d.line
        );
        assert_eq!(d.flavour, lockscope::model::Flavour::Mariadb106);
    }
}

#[test]
fn transcripts_hold_no_deadlock() {
    for (name, ..) in MARIADB {
        let path = format!("mariadb/{name}.sessions.txt");
        let (deadlocks, _) = analyze_text(&path, &fixture(&path).1);
        assert!(deadlocks.is_empty(), "{path}");
    }
}

#[test]
fn mariadb_statements_and_locks_are_decoded() {
    let path = "mariadb/delete-then-insert.status.txt";
    let (deadlocks, _) = analyze_text(path, &fixture(path).1);
    let d = &deadlocks[0].deadlock;
    let t1 = d.transaction(1).unwrap();
    let t2 = d.transaction(2).unwrap();
    assert!(t1
        .query
        .as_deref()
        .unwrap()
        .starts_with("DELETE FROM session WHERE id IN"));
    assert_eq!(t1.thread_id, Some(23));
    assert_eq!(t1.user.as_deref(), Some("lockscope"));
    assert_eq!(t1.row_locks, Some(43));
    assert_eq!(t1.undo_entries, Some(17));
    let wait = t2.waits_for.as_ref().unwrap();
    assert_eq!(wait.kind, lockscope::model::LockKind::InsertIntention);
    assert!(wait.waiting);
    assert!(wait.touches_delete_marked());
    assert_eq!(wait.index(), Some("idx_session_id"));
    assert_eq!(wait.table.table, "session_endpoint");
    assert_eq!(wait.table.schema.as_deref(), Some("test"));
    // MariaDB lists every conflicting lock struct: T1's next-key and its gap lock.
    assert_eq!(t2.conflicting_with.len(), 2);
    assert_eq!(t2.conflicting_with[0].records.len(), 16);
    assert_eq!(t2.conflicting_with[1].kind, lockscope::model::LockKind::Gap);
    assert_eq!(d.graph.cycle.len(), 2, "{:#?}", d.graph);
}

#[test]
fn seed_incidents_with_deadlock_text() {
    // Web copies: no-break spaces, blank lines between lines, lost `, ` separators, elisions.
    check_one_allowing_elisions(
        "seeds/seed-002-delete-then-insert-session-endpoint.txt",
        2,
        2,
    );
    check_one(
        "seeds/seed-003-inconsistent-order-warn-baseline-result.txt",
        2,
        Some(1),
    );
    check_one(
        "seeds/seed-004-odku-supremum-multilingual-item.txt",
        2,
        Some(1),
    );
}

fn check_one_allowing_elisions(path: &str, n: usize, victim: u32) {
    check_one(path, n, Some(victim));
    let (deadlocks, _) = analyze_text(path, &fixture(path).1);
    let t1 = deadlocks[0].deadlock.transaction(1).unwrap();
    let query = t1.query.as_deref().unwrap();
    assert!(
        query.starts_with("delete from session where id in"),
        "{query:?}"
    );
}

#[test]
fn mysql_8_status_and_error_logs() {
    for path in [
        "mysql8/sakila-8.0.status.txt",
        "mysql8/sakila-8.0.error-log.txt",
        "mysql8/percona-8.0.33.error-log.txt",
    ] {
        check_one(path, 2, Some(2));
        let (deadlocks, _) = analyze_text(path, &fixture(path).1);
        let d = &deadlocks[0].deadlock;
        assert_eq!(d.flavour, lockscope::model::Flavour::Mysql8018, "{path}");
        assert!(d.timestamp.is_some(), "{path}");
        // 8.0.18+ prints what every transaction holds: the cycle is read, not inferred.
        assert!(d.transactions.iter().all(|t| t.holds.len() == 1), "{path}");
        assert_eq!(d.graph.cycle, [1, 2], "{path}");
        assert!(d
            .graph
            .edges
            .iter()
            .all(|e| e.source == lockscope::model::EdgeSource::Holds));
    }
}
