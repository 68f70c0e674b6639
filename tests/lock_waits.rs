//! Lock waits (error 1205) from every real capture in `fixtures/mariadb/lock-waits/`: the
//! TRANSACTIONS section with and without `innodb_status_output_locks`, and every lock table in
//! every client shape, alone and joined. The captures' transcript
//! (`lock-wait-timeout.sessions.txt`) says who waited: in each phase a WAITER (thread 72) queued
//! behind an idle BLOCKER (thread 71).

use std::path::Path;

use lockscope::model::LockKind;
use lockscope::sink::VecSink;

const DIR: &str = "fixtures/mariadb/lock-waits";

/// (phase infix, waiter trx, blocker trx, kind of the awaited lock in the status)
const PHASES: &[(&str, &str, &str, LockKind)] = &[
    ("", "610", "609", LockKind::RecNotGap),
    (".gap", "621", "620", LockKind::InsertIntention),
    (".supremum", "624", "623", LockKind::InsertIntention),
];

/// Analyses the files together, as `lockscope analyze a b c` does.
fn analyze(files: &[String]) -> VecSink {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut picture = lockscope::model::LockPicture::default();
    let mut sink = VecSink::default();
    for f in files {
        let text = std::fs::read_to_string(root.join(DIR).join(f)).unwrap();
        let stats = lockscope::analyze::analyze_reader(f, text.as_bytes(), &mut sink).unwrap();
        assert!(stats.recognised, "{f}");
        picture.merge(stats.lock_picture);
    }
    lockscope::analyze::report_lock_waits(&picture, &mut sink).unwrap();
    assert!(
        !sink
            .warnings
            .iter()
            .any(|w| w.message.contains("unrecognised")),
        "{files:?}: {:#?}",
        sink.warnings
    );
    sink
}

fn patterns(sink: &VecSink) -> Vec<&'static str> {
    sink.lock_waits.findings.iter().map(|f| f.pattern).collect()
}

#[test]
fn status_with_lock_output_names_the_idle_blocker() {
    for (phase, waiter, blocker, kind) in PHASES {
        for shape in [
            "status",
            "status.batch",
            "status.batch-escaped",
            "transactions",
        ] {
            let file = format!("lock-wait-timeout{phase}.locks-on.{shape}.txt");
            let sink = analyze(std::slice::from_ref(&file));
            let waits = &sink.lock_waits.waits;
            assert_eq!(waits.len(), 1, "{file}");
            let w = &waits[0];
            assert_eq!(w.requesting.trx_id, *waiter, "{file}");
            assert_eq!(w.requesting.thread_id, Some(72), "{file}");
            assert_eq!(w.lock.kind, *kind, "{file}");
            let b = w.blocking.as_ref().expect(&file);
            assert_eq!(b.trx_id, *blocker, "{file}");
            assert!(b.is_idle(), "{file}");
            assert_eq!(patterns(&sink), ["idle-blocker"], "{file}");
        }
    }
}

#[test]
fn status_without_lock_output_uses_the_last_writer_or_says_unknown() {
    for (phase, waiter, blocker, _) in PHASES {
        for shape in [
            "status",
            "status.batch",
            "status.batch-escaped",
            "transactions",
        ] {
            let file = format!("lock-wait-timeout{phase}.{shape}.txt");
            let sink = analyze(std::slice::from_ref(&file));
            let w = &sink.lock_waits.waits[0];
            assert_eq!(w.requesting.trx_id, *waiter, "{file}");
            match phase.is_empty() {
                // The blocker updated the row: `DB_TRX_ID` of the awaited record is its id.
                true => assert_eq!(
                    w.blocking.as_ref().map(|b| b.trx_id.as_str()),
                    Some(*blocker)
                ),
                // A gap lock from a locking read leaves no trace in the record: not guessed.
                false => assert!(w.blocking.is_none(), "{file}"),
            }
        }
    }
}

#[test]
fn lock_tables_alone_and_joined() {
    for (phase, waiter, blocker, _) in PHASES {
        for shape in ["table", "vertical", "batch"] {
            let name = |t: &str| format!("lock-wait-timeout{phase}.{t}.{shape}.txt");
            for alone in [
                "information_schema.INNODB_LOCK_WAITS",
                "sys.innodb_lock_waits",
                "sys.x_innodb_lock_waits",
            ] {
                let sink = analyze(&[name(alone)]);
                let w = &sink.lock_waits.waits[0];
                assert_eq!(
                    (
                        w.requesting.trx_id.as_str(),
                        w.blocking.as_ref().unwrap().trx_id.as_str()
                    ),
                    (*waiter, *blocker),
                    "{}",
                    name(alone)
                );
            }
            let joined: Vec<String> = [
                "information_schema.INNODB_TRX",
                "information_schema.INNODB_LOCKS",
                "information_schema.INNODB_LOCK_WAITS",
                "information_schema.PROCESSLIST",
            ]
            .iter()
            .map(|t| name(t))
            .collect();
            let sink = analyze(&joined);
            assert_eq!(sink.lock_waits.waits.len(), 1, "{joined:?}");
            let w = &sink.lock_waits.waits[0];
            let b = w.blocking.as_ref().unwrap();
            assert_eq!(
                (b.thread_id, b.command.as_deref()),
                (Some(71), Some("Sleep"))
            );
            assert!(w
                .requesting
                .query
                .as_deref()
                .unwrap()
                .starts_with(if phase.is_empty() {
                    "UPDATE jobs"
                } else {
                    "INSERT INTO jobs"
                }));
            assert_eq!(w.lock.table.table, "jobs");
            assert_eq!(patterns(&sink), ["idle-blocker"], "{joined:?}");
        }
    }
}

#[test]
fn status_and_tables_of_one_moment_are_one_wait() {
    let files = [
        "lock-wait-timeout.status.txt".to_string(),
        "lock-wait-timeout.sys.innodb_lock_waits.vertical.txt".to_string(),
        "lock-wait-timeout.information_schema.PROCESSLIST.batch.txt".to_string(),
    ];
    let sink = analyze(&files);
    assert_eq!(sink.lock_waits.waits.len(), 1);
    let w = &sink.lock_waits.waits[0];
    assert!(w.lock.record.is_some(), "the status's record dump is kept");
    assert_eq!(w.sources.len(), 2, "{:?}", w.sources);
}

#[test]
fn after_the_timeout_nothing_waits() {
    let sink = analyze(&["lock-wait-timeout.after.status.txt".to_string()]);
    assert!(sink.lock_waits.waits.is_empty());
    assert!(sink.lock_waits.findings.is_empty());
}

/// MySQL 8: `data_lock_waits` (`\G`) and a trimmed `data_locks` (boxed, no `ENGINE_LOCK_ID`) in
/// one paste. See: fixtures/README.md (`mysql8/data-locks-users.txt`).
#[test]
fn mysql8_data_locks_paste() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("fixtures/mysql8/data-locks-users.txt")).unwrap();
    let (sink, recognised) = lockscope::analyze_text_fully("data-locks-users.txt", &text);
    assert!(recognised);
    assert!(sink.warnings.is_empty(), "{:#?}", sink.warnings);
    let waits = &sink.lock_waits.waits;
    assert_eq!(waits.len(), 1);
    let w = &waits[0];
    assert_eq!(w.requesting.trx_id, "24002");
    assert_eq!(w.blocking.as_ref().unwrap().trx_id, "24001");
    assert_eq!(w.lock.kind, LockKind::RecNotGap);
    assert_eq!(w.lock.table.table, "users");
    assert_eq!(w.lock.lock_data.as_deref(), Some("1"));
}
