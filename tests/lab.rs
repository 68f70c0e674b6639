//! `lockscope lab` against a real server (`LOCKSCOPE_TEST_DSN`, default
//! `mysql://root@127.0.0.1:3306/test`; `.ci/run` makes sure it is up). Each test runs one
//! scenario in its own scratch database `lockscope_lab_t_<scenario>`, so the tests run in
//! parallel; iteration counts are small and the session lock wait timeout is 1 s.
//!
//! For a deadlock scenario: the broken path deadlocks at least once, the fixed path never over
//! the same number of attempts, and the server's own report of the deadlock is classified as
//! the scenario's pattern. For a lock-wait scenario: 1205 on the broken paths, none on the fixed.

use std::process::Command;
use std::time::Duration;

use lockscope::diagnose::PATTERNS;
use lockscope::lab::{self, Config, Expect, LabReport, Limit, PathChoice, Role, SCENARIOS};
use mysql_async::prelude::Queryable;

/// Lock-wait finding ids a scenario may carry instead of a catalogue id.
const LOCK_WAIT_IDS: [&str; 3] = ["idle-blocker", "hot-row", "long-transaction"];

fn test_dsn() -> String {
    std::env::var("LOCKSCOPE_TEST_DSN")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_string())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn every_scenario_id_is_a_catalogue_or_lock_wait_id() {
    for s in SCENARIOS {
        let known = PATTERNS.iter().any(|p| p.id == s.id) || LOCK_WAIT_IDS.contains(&s.id);
        assert!(known, "lab scenario `{}` is not a catalogue id", s.id);
        let lock_wait = LOCK_WAIT_IDS.contains(&s.id);
        assert_eq!(
            s.expect == Expect::LockWait,
            lock_wait,
            "`{}` expects the wrong outcome",
            s.id
        );
    }
}

#[test]
fn every_scenario_has_broken_and_fixed_paths() {
    for s in SCENARIOS {
        assert!(s.paths.iter().any(|p| p.role == Role::Broken), "{}", s.id);
        assert!(s.paths.iter().any(|p| p.role == Role::Fixed), "{}", s.id);
        assert!(!s.schema.is_empty(), "{}", s.id);
        assert!(!s.timing.is_empty() && !s.summary.is_empty(), "{}", s.id);
    }
    for id in [
        "inconsistent-order",
        "delete-then-insert",
        "odku-supremum",
        "unique-key-race",
        "hot-row",
        "gap-then-insert",
        "fk-s-lock-upgrade",
        "idle-blocker",
    ] {
        assert!(lab::scenario(id).is_some(), "missing scenario `{id}`");
    }
}

/// Runs both paths of `id` in `lockscope_lab_t_<id>`.
fn run(id: &str, iterations: u32) -> LabReport {
    let scenario = lab::scenario(id).unwrap();
    let config = Config {
        dsn: test_dsn(),
        scenario,
        paths: PathChoice::Both,
        workers: scenario.workers,
        limit: Limit::Iterations(iterations),
        database: format!("lockscope_lab_t_{}", id.replace('-', "_")),
        keep: false,
        lock_wait_timeout: Duration::from_secs(1),
    };
    runtime()
        .block_on(lab::run_scenario(&config))
        .unwrap_or_else(|e| panic!("lab {id}: {e}"))
}

fn assert_deadlock_scenario(id: &str, iterations: u32) {
    let report = run(id, iterations);
    let [broken, fixed] = report.paths.as_slice() else {
        panic!("{id}: paths {:?}", report.paths);
    };
    assert_eq!((broken.role, fixed.role), ("broken", "fixed"));
    assert_eq!(
        broken.attempts, fixed.attempts,
        "{id}: same number of attempts"
    );
    assert!(
        broken.deadlocks >= 1,
        "{id}: the broken path never deadlocked: {broken:?}"
    );
    assert_eq!(
        fixed.deadlocks, 0,
        "{id}: the fixed path deadlocked: {fixed:?}"
    );
    assert_eq!(fixed.lock_wait_timeouts, 0, "{id}: {fixed:?}");
    assert_eq!(fixed.commits, fixed.attempts, "{id}: {fixed:?}");
    let capture = broken
        .capture
        .as_ref()
        .unwrap_or_else(|| panic!("{id}: no deadlock report captured: {broken:?}"));
    assert_eq!(
        (capture.pattern, capture.matched),
        (id, Some(true)),
        "{id}: classified as `{}`:\n{}",
        capture.pattern,
        capture.report
    );
    assert!(
        capture.report.contains(&report.database),
        "{}",
        capture.report
    );
    // The scratch database is gone.
    assert!(
        !database_exists(&report.database),
        "{id}: database left behind"
    );
}

fn assert_lock_wait_scenario(id: &str, iterations: u32) {
    let report = run(id, iterations);
    for p in &report.paths {
        match p.role {
            "broken" => assert!(p.lock_wait_timeouts >= 1, "{id}: no 1205 on {p:?}"),
            _ => assert_eq!(
                p.lock_wait_timeouts, 0,
                "{id}: 1205 on the fixed path {p:?}"
            ),
        }
        assert_eq!(p.deadlocks, 0, "{id}: {p:?}");
        assert_eq!(p.attempts, u64::from(iterations) * report.workers as u64);
    }
    assert!(
        !database_exists(&report.database),
        "{id}: database left behind"
    );
}

#[test]
fn inconsistent_order() {
    assert_deadlock_scenario("inconsistent-order", 12);
}

#[test]
fn delete_then_insert() {
    assert_deadlock_scenario("delete-then-insert", 10);
}

#[test]
fn odku_supremum() {
    assert_deadlock_scenario("odku-supremum", 10);
}

#[test]
fn unique_key_race() {
    assert_deadlock_scenario("unique-key-race", 30);
}

#[test]
fn gap_then_insert() {
    assert_deadlock_scenario("gap-then-insert", 12);
}

#[test]
fn fk_s_lock_upgrade() {
    assert_deadlock_scenario("fk-s-lock-upgrade", 10);
}

#[test]
fn hot_row() {
    assert_lock_wait_scenario("hot-row", 2);
}

#[test]
fn idle_blocker() {
    assert_lock_wait_scenario("idle-blocker", 2);
}

async fn connect() -> mysql_async::Conn {
    let opts = mysql_async::Opts::from_url(&test_dsn()).unwrap();
    mysql_async::Conn::new(opts).await.unwrap()
}

fn execute(statements: &[String]) {
    runtime().block_on(async {
        let mut c = connect().await;
        for s in statements {
            c.query_drop(s).await.unwrap();
        }
        let _ = c.disconnect().await;
    });
}

fn tables_of(database: &str) -> Vec<String> {
    runtime().block_on(async {
        let mut c = connect().await;
        let tables = c
            .exec(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
                (database,),
            )
            .await
            .unwrap();
        let _ = c.disconnect().await;
        tables
    })
}

fn database_exists(name: &str) -> bool {
    runtime().block_on(async {
        let mut c = connect().await;
        let found: Option<String> = c
            .exec_first(
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                (name,),
            )
            .await
            .unwrap();
        let _ = c.disconnect().await;
        found.is_some()
    })
}

fn lab_bin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lockscope"))
        .arg("lab")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn refuses_a_database_it_did_not_create() {
    let name = "lockscope_lab_t_foreign";
    execute(&[
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
        format!("CREATE TABLE {name}.precious (id INT PRIMARY KEY)"),
    ]);
    let dsn = test_dsn();
    let out = lab_bin(&[
        "fk-s-lock-upgrade",
        "--dsn",
        &dsn,
        "--database",
        name,
        "-n",
        "1",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("was not created by this lab run"),
        "{stderr}"
    );
    let tables = tables_of(name);
    execute(&[format!("DROP DATABASE {name}")]);
    assert_eq!(
        tables,
        ["precious"],
        "lab touched a database it did not create"
    );
}

#[test]
fn keep_leaves_the_database_and_the_next_run_takes_it_over() {
    let name = "lockscope_lab_t_keep";
    let dsn = test_dsn();
    let args = [
        "idle-blocker",
        "--dsn",
        &dsn,
        "--database",
        name,
        "--path",
        "fixed",
    ];
    let out = lab_bin(&[&args[..], &["-n", "1", "--keep", "--format", "json"]].concat());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // `--path fixed`: the fixed paths only (the row-lock one and the metadata-lock one).
    let paths = json["paths"].as_array().unwrap();
    assert_eq!(json["paths"][0]["name"], "fixed");
    assert_eq!(paths.len(), 2);
    assert!(paths.iter().all(|p| p["role"] == "fixed"), "{paths:?}");
    assert!(database_exists(name));
    let out = lab_bin(&[&args[..], &["-n", "1"]].concat());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!database_exists(name));
}

#[test]
fn the_password_never_shows() {
    // Nothing listens on port 1: the connection is refused at once.
    let out = lab_bin(&["hot-row", "--dsn", "mysql://app:s3cret@127.0.0.1:1/shop"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("mysql://app:****@127.0.0.1:1"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

/// The `ddl-behind-reader` path makes a real metadata-lock queue (no row lock at all), and
/// `analyze --dsn` sees it while it lasts: on this server (performance_schema off) from the
/// process list alone.
#[test]
fn the_ddl_path_leaves_a_queue_analyze_dsn_draws() {
    let dsn = test_dsn();
    let mut lab = Command::new(env!("CARGO_BIN_EXE_lockscope"))
        .args([
            "lab",
            "idle-blocker",
            "--dsn",
            &dsn,
            "-n",
            "2",
            "--path",
            "broken",
        ])
        .args(["--database", "lockscope_lab_t_ddl_queue"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seen = String::new();
    while std::time::Instant::now() < deadline {
        let out = Command::new(env!("CARGO_BIN_EXE_lockscope"))
            .args([
                "analyze", "--width", "200", "--color", "never", "--dsn", &dsn,
            ])
            .env("HOME", std::env::temp_dir().join("lockscope-live-home"))
            .env_remove("LOCKSCOPE_DSN")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if text.contains("ALTER TABLE jobs COMMENT") && text.contains("metadata lock") {
            seen = text;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let _ = lab.wait();
    assert!(
        seen.contains("`lockscope_lab_t_ddl_queue`.`jobs`"),
        "no metadata-lock queue seen: {}",
        seen.lines()
            .filter(|l| l.contains("jobs") || l.contains("metadata"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
