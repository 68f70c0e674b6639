//! Live mode against a real server (`LOCKSCOPE_TEST_DSN`, default
//! `mysql://root@127.0.0.1:3306/test`; `.ci/run` makes sure it is up). Each test makes its own
//! database `lockscope_t_<name>` and drops it, so tests run in parallel; the deadlocks are real
//! (two connections updating two rows in opposite orders) and the built binary is checked.
//!
//! The server keeps one "latest deadlock" for everybody, so making a deadlock and checking
//! that lockscope saw it is done under `DEADLOCKS`, and a deadlock is recognised by the thread
//! ids of this test's own connections.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use lockscope::live::Dsn;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder};
use serde_json::Value;

static DEADLOCKS: Mutex<()> = Mutex::new(());

fn deadlock_turn() -> MutexGuard<'static, ()> {
    DEADLOCKS.lock().unwrap_or_else(|e| e.into_inner())
}

fn test_dsn() -> Dsn {
    let url = std::env::var("LOCKSCOPE_TEST_DSN")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_string());
    Dsn::parse(&url).expect("LOCKSCOPE_TEST_DSN")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lockscope"));
    // No developer's `~/.my.cnf`, `LOCKSCOPE_DSN` or `MYSQL_PWD` leaks into a test.
    cmd.env("HOME", std::env::temp_dir().join("lockscope-live-home"))
        .env_remove("LOCKSCOPE_DSN")
        .env_remove("MYSQL_PWD")
        .env("COLUMNS", "100");
    cmd
}

/// A scratch database with a two-row table, dropped at the end.
struct Scratch {
    name: String,
}

impl Scratch {
    fn new(test: &str) -> Scratch {
        let name = format!("lockscope_t_{test}");
        runtime().block_on(async {
            let mut conn = connect(None).await;
            conn.query_drop(format!("DROP DATABASE IF EXISTS {name}"))
                .await
                .unwrap();
            conn.query_drop(format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            conn.query_drop(format!(
                "CREATE TABLE {name}.t (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB"
            ))
            .await
            .unwrap();
            conn.query_drop(format!("INSERT INTO {name}.t VALUES (1, 0), (2, 0)"))
                .await
                .unwrap();
            conn.disconnect().await.unwrap();
        });
        Scratch { name }
    }

    /// The test server's DSN with this database.
    fn dsn(&self) -> String {
        Dsn {
            database: Some(self.name.clone()),
            ..test_dsn()
        }
        .to_string()
        .replace(":****@", &format!(":{}@", password_in_url()))
    }

    /// Makes a real deadlock; returns the thread ids of the two transactions.
    fn deadlock(&self) -> [u64; 2] {
        runtime().block_on(async {
            let mut a = connect(Some(&self.name)).await;
            let mut b = connect(Some(&self.name)).await;
            let ids = [u64::from(a.id()), u64::from(b.id())];
            a.query_drop("BEGIN").await.unwrap();
            b.query_drop("BEGIN").await.unwrap();
            a.query_drop("UPDATE t SET v = v + 1 WHERE id = 1")
                .await
                .unwrap();
            b.query_drop("UPDATE t SET v = v + 1 WHERE id = 2")
                .await
                .unwrap();
            let (ra, rb) =
                tokio::join!(a.query_drop("UPDATE t SET v = v + 1 WHERE id = 2"), async {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    b.query_drop("UPDATE t SET v = v + 1 WHERE id = 1").await
                });
            let codes: Vec<u16> = [&ra, &rb]
                .iter()
                .filter_map(|r| match r {
                    Err(mysql_async::Error::Server(e)) => Some(e.code),
                    _ => None,
                })
                .collect();
            assert_eq!(codes, [1213], "expected one deadlock victim: {ra:?} {rb:?}");
            a.query_drop("COMMIT").await.unwrap();
            b.query_drop("COMMIT").await.unwrap();
            a.disconnect().await.unwrap();
            b.disconnect().await.unwrap();
            ids
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let name = self.name.clone();
        runtime().block_on(async move {
            let mut conn = connect(None).await;
            let _ = conn
                .query_drop(format!("DROP DATABASE IF EXISTS {name}"))
                .await;
            let _ = conn.disconnect().await;
        });
    }
}

fn password_in_url() -> String {
    test_dsn()
        .password
        .map(|p| p.expose().to_string())
        .unwrap_or_default()
}

async fn connect(database: Option<&str>) -> Conn {
    let dsn = test_dsn();
    let opts = OptsBuilder::default()
        .ip_or_hostname(dsn.host_or_default())
        .tcp_port(dsn.port_or_default())
        .user(dsn.user.clone())
        .pass(dsn.password.as_ref().map(|p| p.expose().to_string()))
        .db_name(database.map(str::to_string))
        .prefer_socket(false);
    Conn::new(opts)
        .await
        .expect("the test server (LOCKSCOPE_TEST_DSN) answers")
}

/// The deadlocks of a JSON document or of JSONL lines whose threads are `ids`.
fn count_ours(deadlocks: &[Value], ids: [u64; 2]) -> usize {
    deadlocks
        .iter()
        .filter(|d| {
            let mut threads: Vec<u64> = d["transactions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["thread_id"].as_u64())
                .collect();
            threads.sort_unstable();
            let mut want = ids.to_vec();
            want.sort_unstable();
            threads == want
        })
        .count()
}

/// A running `lockscope watch`, its output collected as it comes.
struct Watcher {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Watcher {
    fn start(args: &[&str]) -> Watcher {
        let mut child = bin()
            .arg("watch")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let collect = |stream: Box<dyn std::io::Read + Send>| {
            let lines = Arc::new(Mutex::new(Vec::new()));
            let sink = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    sink.lock().unwrap().push(line);
                }
            });
            lines
        };
        let stdout = collect(Box::new(child.stdout.take().unwrap()));
        let stderr = collect(Box::new(child.stderr.take().unwrap()));
        Watcher {
            child,
            stdout,
            stderr,
        }
    }

    fn deadlocks(&self) -> Vec<Value> {
        self.stdout
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["type"] == "deadlock")
            .collect()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// Waits until `done` holds, or fails the test after `limit`.
    fn wait_for(&mut self, what: &str, limit: Duration, done: impl Fn(&Watcher) -> bool) {
        let start = Instant::now();
        while !done(self) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "watch exited ({status}) waiting for {what}; stderr:\n{}",
                    self.stderr()
                );
            }
            assert!(
                start.elapsed() < limit,
                "no {what} within {limit:?}; stderr:\n{}\nstdout:\n{}",
                self.stderr(),
                self.stdout.lock().unwrap().join("\n")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Makes a deadlock in `db` and waits until this watcher reports it. Something else on the
    /// server (a developer's `lab` run) may deadlock right after and hide it from the status:
    /// then another is made, up to three.
    fn make_and_see(&mut self, db: &Scratch) -> [u64; 2] {
        for _ in 0..3 {
            let ids = db.deadlock();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(4) {
                if count_ours(&self.deadlocks(), ids) > 0 {
                    return ids;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        panic!(
            "no deadlock of this test reported; stderr:\n{}",
            self.stderr()
        );
    }

    /// Ctrl-C, then the exit status.
    fn interrupt(mut self) -> (std::process::ExitStatus, Vec<String>, String) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("watch did not stop on Ctrl-C; stderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        // Let the readers drain the pipes.
        std::thread::sleep(Duration::from_millis(200));
        let stdout = self.stdout.lock().unwrap().clone();
        (status, stdout, self.stderr())
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

#[test]
fn analyze_dsn_reports_the_latest_deadlock() {
    let db = Scratch::new("analyze");
    let turn = deadlock_turn();
    let (mut ids, mut json, mut text) = (db.deadlock(), None, None);
    // Another deadlock on the server (a developer's `lab` run) can hide this one: try again.
    for _ in 0..3 {
        let out = run(&["analyze", "--dsn", &db.dsn(), "--format", "json"]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let ours = count_ours(doc["deadlocks"].as_array().map_or(&[][..], |d| d), ids) == 1;
        json = Some(out);
        text = Some(run(&["analyze", "--dsn", &db.dsn()]));
        if ours {
            break;
        }
        ids = db.deadlock();
    }
    drop(turn);
    let (json, text) = (json.unwrap(), text.unwrap());

    assert_eq!(
        json.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    let deadlocks = doc["deadlocks"].as_array().unwrap();
    assert_eq!(count_ours(deadlocks, ids), 1, "{doc:#}");
    let deadlock = &deadlocks[0];
    let redacted = Dsn {
        database: Some(db.name.clone()),
        ..test_dsn()
    };
    assert_eq!(deadlock["input"], redacted.to_string());
    for trx in deadlock["transactions"].as_array().unwrap() {
        let table = &trx["waits_for"]["table"];
        assert_eq!(table["schema"], "lockscope_t_analyze", "{trx:#}");
        assert_eq!(table["table"], "t");
    }
    assert!(!deadlock["findings"].as_array().unwrap().is_empty());
    // The table definitions come from the server (`SHOW CREATE TABLE`): columns are named, not
    // guessed. `t` is (id INT PRIMARY KEY, v INT NOT NULL).
    let wait = &deadlock["transactions"][0]["waits_for"]["records"][0]["columns"];
    let names: Vec<&str> = wait
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["id", "DB_TRX_ID", "DB_ROLL_PTR", "v"], "{wait:#}");
    assert!(
        wait.as_array()
            .unwrap()
            .iter()
            .all(|c| c["guessed"] != true),
        "{wait:#}"
    );

    let text_out = String::from_utf8_lossy(&text.stdout);
    assert_eq!(text.status.code(), Some(0));
    assert!(text_out.contains("`lockscope_t_analyze`.`t`"), "{text_out}");
    let notes = String::from_utf8_lossy(&text.stderr);
    assert!(
        notes.contains("is MariaDB") || notes.contains("is MySQL"),
        "{notes}"
    );
}

#[test]
fn watch_prints_each_deadlock_once() {
    let db = Scratch::new("watch");
    let mut watch = Watcher::start(&[
        "--dsn",
        &db.dsn(),
        "--interval",
        "300ms",
        "--format",
        "jsonl",
    ]);
    watch.wait_for("first poll", Duration::from_secs(10), |w| {
        w.stderr().contains("note: watching")
    });

    let mut seen = Vec::new();
    for _ in 0..2 {
        let turn = deadlock_turn();
        let ids = watch.make_and_see(&db);
        drop(turn);
        seen.push(ids);
        // Several polls see the same latest deadlock (or a later one of another test).
        std::thread::sleep(Duration::from_millis(1500));
        for ids in &seen {
            assert_eq!(
                count_ours(&watch.deadlocks(), *ids),
                1,
                "{}",
                watch.stderr()
            );
        }
    }

    let (status, stdout, stderr) = watch.interrupt();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let last: Value = serde_json::from_str(stdout.last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary", "{stdout:?}");
}

#[test]
fn watch_state_file_survives_a_restart() {
    let db = Scratch::new("state");
    let state = std::env::temp_dir().join(format!("lockscope-live-state-{}", std::process::id()));
    let _ = std::fs::remove_file(&state);
    let state_arg = state.display().to_string();
    let args = [
        "--dsn",
        &db.dsn(),
        "--interval",
        "300ms",
        "--format",
        "jsonl",
        "--state-file",
        &state_arg,
    ];

    let turn = deadlock_turn();
    let mut first = Watcher::start(&args);
    first.wait_for("first poll", Duration::from_secs(10), |w| {
        w.stderr().contains("note: watching")
    });
    let ids = first.make_and_see(&db);
    let (status, _, _) = first.interrupt();
    assert_eq!(status.code(), Some(0));

    let mut second = Watcher::start(&args);
    second.wait_for("first poll", Duration::from_secs(10), |w| {
        w.stderr().contains("note: watching")
    });
    std::thread::sleep(Duration::from_millis(1000));
    drop(turn);
    assert_eq!(
        count_ours(&second.deadlocks(), ids),
        0,
        "repeated after a restart"
    );
    let (status, _, _) = second.interrupt();
    assert_eq!(status.code(), Some(0));
    let _ = std::fs::remove_file(&state);
}

#[test]
fn watch_survives_its_connection_being_killed() {
    let db = Scratch::new("reconnect");
    let mut watch = Watcher::start(&[
        "--dsn",
        &db.dsn(),
        "--interval",
        "300ms",
        "--format",
        "jsonl",
    ]);
    watch.wait_for("first poll", Duration::from_secs(10), |w| {
        w.stderr().contains("note: watching")
    });

    let killed = runtime().block_on(async {
        let mut conn = connect(None).await;
        let rows: Vec<mysql_async::Row> = conn.query("SHOW PROCESSLIST").await.unwrap();
        let mut killed = 0;
        for row in rows {
            let id: u64 = row.get("Id").unwrap();
            let db_name: Option<String> = row.get_opt("db").and_then(Result::ok).flatten();
            if db_name.as_deref() == Some(db.name.as_str()) && id != u64::from(conn.id()) {
                conn.query_drop(format!("KILL {id}")).await.unwrap();
                killed += 1;
            }
        }
        conn.disconnect().await.unwrap();
        killed
    });
    assert_eq!(killed, 1, "the watcher's connection in the process list");
    watch.wait_for("the reconnect", Duration::from_secs(10), |w| {
        w.stderr().contains("reconnected to")
    });
    assert!(
        watch.stderr().contains("lost the connection"),
        "{}",
        watch.stderr()
    );

    // Still watching: a new deadlock is reported.
    let turn = deadlock_turn();
    watch.make_and_see(&db);
    drop(turn);
    let (status, _, _) = watch.interrupt();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn wrong_password_exits_3_without_showing_it() {
    let secret = "not-the-Passw0rd";
    let dsn = Dsn {
        password: Some(lockscope::live::Secret::new(secret)),
        ..test_dsn()
    }
    .to_string()
    .replace(":****@", &format!(":{secret}@"));
    for command in [
        &["analyze", "--dsn", &dsn][..],
        &["watch", "--dsn", &dsn, "--format", "jsonl"],
    ] {
        let out = run(command);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains("access denied"), "{stderr}");
        assert!(stderr.contains("****"), "{stderr}");
        assert!(!stderr.contains(secret), "{stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    }
}

#[test]
fn unreachable_server_exits_3_with_one_line() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dsn = format!("mysql://root@127.0.0.1:{port}/test");
    for command in [&["analyze", "--dsn", &dsn][..], &["watch", "--dsn", &dsn]] {
        let start = Instant::now();
        let out = bin()
            .args(command)
            .args(["--connect-timeout", "3s"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("error: cannot connect to `{dsn}`")),
            "{stderr}"
        );
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn missing_process_privilege_names_statement_and_privilege() {
    let user = "lockscope_t_noproc";
    let secret = "noproc-Pw-123";
    runtime().block_on(async {
        let mut conn = connect(None).await;
        conn.query_drop(format!("DROP USER IF EXISTS '{user}'@'%'"))
            .await
            .unwrap();
        conn.query_drop(format!("CREATE USER '{user}'@'%' IDENTIFIED BY '{secret}'"))
            .await
            .unwrap();
        conn.disconnect().await.unwrap();
    });
    let base = test_dsn();
    let dsn = format!(
        "mysql://{user}:{secret}@{}:{}/",
        base.host_or_default(),
        base.port_or_default()
    );
    let out = run(&["analyze", "--dsn", &dsn]);
    let watch = run(&["watch", "--dsn", &dsn]);
    runtime().block_on(async {
        let mut conn = connect(None).await;
        conn.query_drop(format!("DROP USER IF EXISTS '{user}'@'%'"))
            .await
            .unwrap();
        conn.disconnect().await.unwrap();
    });
    for out in [out, watch] {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains("`SHOW ENGINE INNODB STATUS` needs the `PROCESS` privilege"),
            "{stderr}"
        );
        assert!(!stderr.contains(secret), "{stderr}");
    }
}

#[test]
fn option_file_supplies_the_connection() {
    let db = Scratch::new("mycnf");
    let dir = std::env::temp_dir().join(format!("lockscope-live-mycnf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = test_dsn();
    let mut cnf = format!(
        "[mysqld]\nport=1\n[client]\nhost={}\nport={}\ndatabase={}\n",
        base.host_or_default(),
        base.port_or_default(),
        db.name
    );
    if let Some(user) = &base.user {
        cnf.push_str(&format!("user={user}\n"));
    }
    if let Some(password) = &base.password {
        cnf.push_str(&format!("password=\"{}\"\n", password.expose()));
    }
    std::fs::write(dir.join(".my.cnf"), &cnf).unwrap();
    std::fs::write(dir.join("other.cnf"), &cnf).unwrap();

    let out = bin()
        .env("HOME", &dir)
        .args(["analyze", "--live", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let input = doc["summary"]["inputs"][0].as_str().unwrap().to_string();
    assert!(input.ends_with(&format!("/{}", db.name)), "{input}");

    let other = dir.join("other.cnf").display().to_string();
    let out = run(&["analyze", "--defaults-file", &other, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Needs no server: the error log is followed like `tail -F`, across a rotation.
#[test]
fn watch_follows_an_error_log_across_rotation() {
    let dir = std::env::temp_dir().join(format!("lockscope-live-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("mysqld.err");
    std::fs::write(
        &log,
        "2026-11-21  5:00:00 0 [Note] old line before watch started\n",
    )
    .unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mariadb = std::fs::read_to_string(fixtures.join("mariadb/error-log.txt")).unwrap();
    let mysql8 =
        std::fs::read_to_string(fixtures.join("mysql8/percona-8.0.33.error-log.txt")).unwrap();
    let expected = |text: &str| lockscope::analyze_text("x", text).0.len();
    let (first, second) = (expected(&mariadb), expected(&mysql8));
    assert!(first > 0 && second > 0);

    let log_arg = log.display().to_string();
    let mut watch = Watcher::start(&["--error-log", &log_arg, "--format", "jsonl"]);
    watch.wait_for("the follower", Duration::from_secs(10), |w| {
        w.stderr().contains("note: following")
    });
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    // Written in two pieces, as a server writes: a report may span the pieces.
    let half = mariadb.len() / 2;
    let cut = mariadb[..half].rfind('\n').map_or(0, |i| i + 1);
    file.write_all(&mariadb.as_bytes()[..cut]).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    file.write_all(&mariadb.as_bytes()[cut..]).unwrap();
    drop(file);
    watch.wait_for("the first log's deadlocks", Duration::from_secs(10), |w| {
        w.deadlocks().len() == first
    });

    std::fs::rename(&log, dir.join("mysqld.err.1")).unwrap();
    std::fs::write(&log, &mysql8).unwrap();
    watch.wait_for(
        "the rotated log's deadlocks",
        Duration::from_secs(10),
        |w| w.deadlocks().len() == first + second,
    );
    let (status, stdout, stderr) = watch.interrupt();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let last: Value = serde_json::from_str(stdout.last().unwrap()).unwrap();
    assert_eq!(last["deadlocks"], first + second);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--ssl-mode required` on a server without TLS fails at start with the reason; with TLS it
/// connects. `preferred` (the default) works either way, as every other test shows.
#[test]
fn ssl_mode_required_needs_a_server_with_tls() {
    let have_ssl: String = runtime().block_on(async {
        let mut conn = connect(None).await;
        let value: Option<String> = conn.query_first("SELECT @@have_ssl").await.unwrap();
        conn.disconnect().await.unwrap();
        value.unwrap_or_default()
    });
    let dsn = Dsn {
        ssl_mode: Some(lockscope::live::SslMode::Required),
        ..test_dsn()
    }
    .to_string()
    .replace(":****@", &format!(":{}@", password_in_url()));
    let out = run(&["analyze", "--dsn", &dsn, "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if have_ssl == "YES" {
        assert_eq!(out.status.code(), Some(0), "{stderr}");
    } else {
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains("the server does not offer TLS, which `--ssl-mode required` requires"),
            "{stderr}"
        );
    }
}

/// Seed 001 on the real server: an idle transaction holds a hot `users` row (its UPDATE done,
/// the application "busy"), two requests queue behind it. `analyze --dsn` reads the status and
/// the lock tables and must name the idle head blocker, the hot row, and the `KILL` to run.
#[test]
fn idle_blocker_on_a_hot_row() {
    let db = Scratch::new("hot_row");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (blocker_id, report) = rt.block_on(async {
        let mut blocker = connect(Some(&db.name)).await;
        blocker.query_drop("BEGIN").await.unwrap();
        blocker
            .query_drop("UPDATE t SET v = v + 10 WHERE id = 1")
            .await
            .unwrap();
        let mut waiters = Vec::new();
        for _ in 0..2 {
            let mut w = connect(Some(&db.name)).await;
            waiters.push(tokio::spawn(async move {
                w.query_drop("SET SESSION innodb_lock_wait_timeout = 20")
                    .await
                    .unwrap();
                w.query_drop("BEGIN").await.unwrap();
                let r = w.query_drop("UPDATE t SET v = v - 1 WHERE id = 1").await;
                let _ = w.query_drop("ROLLBACK").await;
                let _ = w.disconnect().await;
                r
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let dsn = db.dsn();
        let report = tokio::task::spawn_blocking(move || {
            run(&["analyze", "--dsn", &dsn, "--format", "json"])
        })
        .await
        .unwrap();
        let blocker_id = u64::from(blocker.id());
        blocker.query_drop("ROLLBACK").await.unwrap();
        for w in waiters {
            w.await
                .unwrap()
                .expect("the waiter got the row after the rollback");
        }
        blocker.disconnect().await.unwrap();
        (blocker_id, report)
    });
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let doc: Value = serde_json::from_slice(&report.stdout).expect("JSON");
    let ours: Vec<&Value> = doc["lock_waits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["lock"]["table"]["schema"] == db.name.as_str())
        .collect();
    // Each waiter waits for the idle holder; the second also for the first (InnoDB lists a
    // request queued ahead as blocking too).
    let on_head: Vec<&&Value> = ours
        .iter()
        .filter(|w| w["blocking"]["thread_id"] == blocker_id)
        .collect();
    assert_eq!(on_head.len(), 2, "{:#}", doc["lock_waits"]);
    for w in on_head {
        assert_eq!(w["blocker_state"], "idle", "{w:#}");
        assert_eq!(w["head_blocker"], true, "{w:#}");
        assert_eq!(w["suggested_kill"], format!("KILL {blocker_id};"));
    }
    let patterns: Vec<&str> = doc["lock_wait_findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["pattern"].as_str())
        .collect();
    assert!(patterns.contains(&"idle-blocker"), "{patterns:?}");
    assert!(patterns.contains(&"hot-row"), "{patterns:?}");
}

/// `watch` shows a lock wait older than `--min-wait` once, however many polls see it.
#[test]
fn watch_reports_a_lock_wait_once() {
    let db = Scratch::new("watch_wait");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut blocker = rt.block_on(connect(Some(&db.name)));
    rt.block_on(async {
        blocker.query_drop("BEGIN").await.unwrap();
        blocker
            .query_drop("UPDATE t SET v = v + 1 WHERE id = 2")
            .await
            .unwrap();
    });
    let waiter = rt.spawn({
        let name = db.name.clone();
        async move {
            let mut w = connect(Some(&name)).await;
            w.query_drop("SET SESSION innodb_lock_wait_timeout = 15")
                .await
                .unwrap();
            let r = w.query_drop("UPDATE t SET v = v - 1 WHERE id = 2").await;
            let _ = w.disconnect().await;
            r
        }
    });
    let dsn = db.dsn();
    let mut watch = Watcher::start(&[
        "--dsn",
        &dsn,
        "--interval",
        "500ms",
        "--min-wait",
        "1s",
        "--format",
        "jsonl",
    ]);
    let ours = |w: &Watcher| -> usize {
        w.stdout
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| {
                v["type"] == "lock_wait" && v["lock"]["table"]["schema"] == db.name.as_str()
            })
            .count()
    };
    watch.wait_for("the lock wait", Duration::from_secs(10), |w| ours(w) >= 1);
    // Several more polls while the wait lasts: still reported once.
    std::thread::sleep(Duration::from_millis(2000));
    assert_eq!(
        ours(&watch),
        1,
        "{}",
        watch.stdout.lock().unwrap().join("\n")
    );
    rt.block_on(async {
        blocker.query_drop("ROLLBACK").await.unwrap();
        waiter.await.unwrap().unwrap();
        blocker.disconnect().await.unwrap();
    });
}
