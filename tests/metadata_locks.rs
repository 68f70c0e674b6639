//! Metadata-lock waits from a real capture (`fixtures/lock-tables/mariadb-mdl-*.txt`): an idle
//! transaction that read `shop.orders` (session 16), an ALTER TABLE waiting for it (17), and a
//! SELECT and an UPDATE queued behind the ALTER (18, 19). Read from
//! `performance_schema.metadata_locks` (granted and pending rows) and from MariaDB's
//! `METADATA_LOCK_INFO` (granted only, the waiters taken from PROCESSLIST).

use std::path::Path;

use lockscope::model::LockKind;
use lockscope::sink::VecSink;

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lock-tables")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn analyze(inputs: &[(&str, String)]) -> VecSink {
    let mut picture = lockscope::model::LockPicture::default();
    let mut sink = VecSink::default();
    for (name, text) in inputs {
        let stats = lockscope::analyze::analyze_reader(name, text.as_bytes(), &mut sink).unwrap();
        picture.merge(stats.lock_picture);
    }
    lockscope::analyze::report_lock_waits(&picture, &mut sink).unwrap();
    sink
}

/// (waiter, blocker, the waiter's MDL type), each a metadata-lock wait on `table`.
fn waits(sink: &VecSink, table: &str) -> Vec<(String, Option<String>, String)> {
    sink.lock_waits
        .waits
        .iter()
        .map(|w| {
            assert_eq!(w.lock.kind, LockKind::Metadata);
            assert_eq!(w.lock.table.to_string(), table);
            (
                w.requesting.trx_id.clone(),
                w.blocking.as_ref().map(|b| b.trx_id.clone()),
                w.lock.mode.clone(),
            )
        })
        .collect()
}

fn expected(queue: &[(&str, Option<&str>, &str)]) -> Vec<(String, Option<String>, String)> {
    queue
        .iter()
        .map(|(a, b, m)| (a.to_string(), b.map(str::to_string), m.to_string()))
        .collect()
}

const QUEUE: [(&str, Option<&str>, &str); 3] = [
    ("session 17", Some("session 16"), "EXCLUSIVE"),
    ("session 18", Some("session 17"), "SHARED_READ"),
    ("session 19", Some("session 17"), "SHARED_WRITE"),
];

#[test]
fn metadata_locks_show_the_idle_reader_the_alter_and_the_queue_behind_it() {
    let text = read("mariadb-mdl-idle-reader-alter-queue.txt");
    let sink = analyze(&[("mdl", text)]);
    assert_eq!(waits(&sink, "`shop`.`orders`"), expected(&QUEUE));
    // Pending rows are read, not guessed.
    assert!(sink.lock_waits.waits.iter().all(|w| !w.inferred));
    // The head: idle in its transaction (Sleep), with the KILL that frees the table.
    let head = sink.lock_waits.waits[0].blocking.as_ref().unwrap();
    assert_eq!(head.command.as_deref(), Some("Sleep"));
    let finding = &sink.lock_waits.findings[0];
    assert_eq!(finding.pattern, "idle-blocker");
    assert!(finding.summary.contains("KILL 16;"), "{}", finding.summary);
    assert!(
        finding.summary.contains("lock_wait_timeout"),
        "{}",
        finding.summary
    );
    assert!(
        finding.fix.contains("SET SESSION lock_wait_timeout"),
        "{}",
        finding.fix
    );
}

#[test]
fn metadata_lock_info_and_the_processlist_tell_the_same_queue() {
    // The plugin lists granted locks only: the waiters come from PROCESSLIST's state.
    let capture = read("mariadb-mdl-idle-reader-alter-queue.txt");
    let processlist: String = capture
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let sink = analyze(&[
        ("plugin", read("mariadb-mdl-metadata-lock-info.txt")),
        ("processlist", processlist),
    ]);
    assert_eq!(waits(&sink, "`shop`.`orders`"), expected(&QUEUE));
    assert!(sink.lock_waits.waits.iter().all(|w| w.inferred));
    assert_eq!(sink.lock_waits.findings[0].pattern, "idle-blocker");
}

#[test]
fn the_text_report_draws_the_queue() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lockscope"))
        .args([
            "analyze",
            "--width",
            "80",
            "fixtures/lock-tables/mariadb-mdl-idle-reader-alter-queue.txt",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("session 16 (root@localhost) — head blocker of 3 waiting, idle in its open"),
        "{text}"
    );
    assert!(
        text.contains("└─ session 17 (root@localhost): ALTER TABLE orders ADD COLUMN"),
        "{text}"
    );
    assert!(
        text.contains("wants SHARED_READ metadata lock on `shop`.`orders`"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

#[test]
fn processlist_alone_shows_the_queue_behind_the_waiting_ddl() {
    // No metadata lock table: the holder is unknown, but the statements queued behind the
    // ALTER are not.
    let capture = read("mariadb-mdl-idle-reader-alter-queue.txt");
    let processlist: String = capture
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let sink = analyze(&[("processlist", processlist)]);
    let want = [
        ("session 17", None, "EXCLUSIVE"),
        ("session 18", Some("session 17"), "SHARED_READ"),
        ("session 19", Some("session 17"), "SHARED_WRITE"),
    ];
    // The statements name `orders`; PROCESSLIST's `db` says which database.
    assert_eq!(waits(&sink, "`shop`.`orders`"), expected(&want));
    assert!(sink.lock_waits.waits.iter().all(|w| w.inferred));
}

#[test]
fn every_column_in_vertical_shape_with_the_schema_and_backup_locks_around() {
    // `SELECT * … \G`: OBJECT_INSTANCE_BEGIN, SOURCE, OWNER_EVENT_ID and the BACKUP / SCHEMA
    // rows of the ALTER are read past; the threads table names the sessions.
    let sink = analyze(&[("vertical", read("mariadb-mdl-metadata-locks-vertical.txt"))]);
    let want = [
        ("session 6", Some("session 5"), "EXCLUSIVE"),
        ("session 7", Some("session 6"), "SHARED_READ"),
    ];
    assert_eq!(waits(&sink, "`app`.`invoice`"), expected(&want));
    assert_eq!(sink.lock_waits.findings[0].pattern, "idle-blocker");
}

#[test]
fn sys_schema_table_lock_waits_pairs_are_read_as_locks_not_as_waits() {
    // The view pairs every granted lock with every pending one: it says the SELECT waits for
    // the idle reader (compatible locks) and the ALTER for itself. The locks say the SELECT
    // waits behind the ALTER, which waits for the reader.
    let sink = analyze(&[("sys", read("mariadb-mdl-sys-schema-table-lock-waits.txt"))]);
    let want = [
        ("session 8", Some("session 7"), "EXCLUSIVE"),
        ("session 9", Some("session 8"), "SHARED_READ"),
    ];
    assert_eq!(waits(&sink, "`crm`.`customers`"), expected(&want));
    let alter = &sink.lock_waits.waits[0].requesting;
    assert_eq!(
        alter.query.as_deref(),
        Some("ALTER TABLE customers ADD COLUMN email varchar(40)")
    );
}

/// (waiter, blocker) of every wait, in order.
fn edges(sink: &VecSink) -> Vec<(String, Option<String>)> {
    sink.lock_waits
        .waits
        .iter()
        .map(|w| {
            (
                w.requesting.trx_id.clone(),
                w.blocking.as_ref().map(|b| b.trx_id.clone()),
            )
        })
        .collect()
}

fn pairs(want: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
    want.iter()
        .map(|(a, b)| (a.to_string(), b.map(str::to_string)))
        .collect()
}

fn report(path: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lockscope"))
        .args(["analyze", "--width", "80", path])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    text
}

#[test]
fn mariadb_flush_tables_waits_for_the_long_select_and_the_queue_for_the_flush() {
    // MariaDB's FLUSH TABLES t waits for the table's metadata lock (not `Waiting for table
    // flush`): PROCESSLIST alone names the running SELECT as the holder, inferred.
    let sink = analyze(&[("flush", read("mariadb-flush-tables-behind-long-select.txt"))]);
    assert_eq!(
        edges(&sink),
        pairs(&[
            ("session 11", Some("session 10")),
            ("session 12", Some("session 11")),
            ("session 13", Some("session 11")),
        ])
    );
    assert!(sink.lock_waits.waits.iter().all(|w| w.inferred));
    assert_eq!(sink.lock_waits.waits[0].lock.mode, "EXCLUSIVE");
    let f = &sink.lock_waits.findings;
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].pattern, "table-flush-stall");
    assert!(f[0].summary.contains("`KILL 10;`"), "{}", f[0].summary);
    let text = report("fixtures/lock-tables/mariadb-flush-tables-behind-long-select.txt");
    assert!(
        text.contains("session 10 (root@127.0.0.1:36090) — head blocker of 3"),
        "{text}"
    );
    assert!(text.contains("KILL 10;"), "{text}");
}

#[test]
fn mariadb_ftwrl_waits_for_the_long_update_and_the_writes_for_it() {
    let sink = analyze(&[(
        "ftwrl",
        read("mariadb-ftwrl-waiting-behind-long-update.txt"),
    )]);
    assert_eq!(
        edges(&sink),
        pairs(&[
            ("session 21", Some("session 20")),
            ("session 22", Some("session 21")),
            ("session 24", Some("session 21")),
        ])
    );
    assert!(sink
        .lock_waits
        .waits
        .iter()
        .all(|w| w.lock.kind == LockKind::GlobalRead && w.lock.mode == "backup lock"));
    let f = &sink.lock_waits.findings[0];
    assert_eq!(f.pattern, "global-read-lock");
    assert!(f.summary.contains("waits itself"), "{}", f.summary);
    assert!(f.summary.contains("`KILL 21;`"), "{}", f.summary);
    let text = report("fixtures/lock-tables/mariadb-ftwrl-waiting-behind-long-update.txt");
    assert!(text.contains("head blocker of 3 waiting"), "{text}");
    assert!(text.contains("KILL 20;"), "{text}");
}

#[test]
fn mariadb_idle_ftwrl_holder_is_inferred_with_low_confidence() {
    let sink = analyze(&[(
        "ftwrl",
        read("mariadb-ftwrl-idle-holder-writers-and-commit.txt"),
    )]);
    assert_eq!(
        edges(&sink),
        pairs(&[
            ("session 12", Some("session 13")),
            ("session 14", Some("session 13")),
            ("session 15", Some("session 13")),
        ])
    );
    let f = &sink.lock_waits.findings;
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].pattern, "global-read-lock");
    assert_eq!(f[0].confidence, lockscope::diagnose::Confidence::Low);
    assert!(f[0].summary.contains("inferred"), "{}", f[0].summary);
    assert!(f[0].summary.contains("`KILL 13;`"), "{}", f[0].summary);
    let text = report("fixtures/lock-tables/mariadb-ftwrl-idle-holder-writers-and-commit.txt");
    assert!(
        text.contains("taken for the holder of the global read lock"),
        "{text}"
    );
}
