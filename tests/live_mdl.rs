//! Live mode on what needs performance_schema, for real: a private MariaDB of each test's own
//! (its own datadir and port, `performance_schema`, the metadata-lock instrument and the
//! statement-history consumers on — settings the machine's server does not have and must not
//! be restarted for). One test gets an idle transaction that read a table, an ALTER TABLE
//! behind it and a SELECT and an UPDATE behind the ALTER, and `lockscope analyze --dsn` must
//! draw that queue; the other makes a deadlock, and `analyze --dsn` must tell both
//! transactions' statements. Needs `mariadbd` and `mariadb-install-db` (`.ci/run` installs the
//! server).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder};

/// A mariadbd of the test's own, stopped and deleted on drop.
struct PrivateServer {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start(tag: &str) -> PrivateServer {
    let dir = std::env::temp_dir().join(format!("lockscope-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let user = user();
    // Several suites start servers at once on two cores: a datadir that failed to install (seen
    // once in CI, with nothing on its stderr we kept) is made again, and its stderr is shown.
    let mut install = None;
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&data);
        let out = Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--user={user}"))
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
            .stdin(Stdio::null())
            .output()
            .expect("mariadb-install-db (install mariadb-server; .ci/run does)");
        let ok = out.status.success();
        install = Some(out);
        if ok {
            break;
        }
    }
    let install = install.expect("one attempt");
    assert!(
        install.status.success(),
        "mariadb-install-db failed: {}",
        String::from_utf8_lossy(&install.stderr)
    );
    let port = free_port();
    let child = Command::new("mariadbd")
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--port={port}"))
        .arg(format!("--socket={}", dir.join("sock").display()))
        .arg(format!("--pid-file={}", dir.join("pid").display()))
        .arg(format!("--log-error={}", dir.join("error.log").display()))
        .arg(format!("--user={user}"))
        .args([
            "--bind-address=127.0.0.1",
            "--skip-grant-tables",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=16M",
            "--performance-schema=ON",
            "--performance-schema-instrument=wait/lock/metadata/sql/mdl=ON",
            "--performance-schema-consumer-events-statements-current=ON",
            "--performance-schema-consumer-events-statements-history=ON",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mariadbd");
    PrivateServer { child, dir, port }
}

async fn connect(port: u16) -> Conn {
    let opts = OptsBuilder::default()
        .ip_or_hostname("127.0.0.1")
        .tcp_port(port)
        .user(Some("root"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match Conn::new(opts.clone()).await {
            Ok(conn) => return conn,
            Err(e) if Instant::now() > deadline => panic!("private server did not start: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn analyze_dsn_draws_the_queue_behind_an_alter() {
    let server = start("mdl");
    let port = server.port;
    let output = runtime().block_on(async move {
        let mut reader = connect(port).await;
        reader
            .query_drop(
                "CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, \
                 customer_id INT, total DECIMAL(10,2)); \
                 INSERT INTO shop.orders VALUES (1, 42, 10.5), (2, 43, 20)",
            )
            .await
            .unwrap();
        // The idle reader: its transaction keeps the table's metadata lock until it ends.
        reader.query_drop("BEGIN").await.unwrap();
        reader
            .query_drop("SELECT * FROM shop.orders WHERE id = 1")
            .await
            .unwrap();
        let mut queued = Vec::new();
        for sql in [
            "ALTER TABLE shop.orders ADD COLUMN note VARCHAR(20)",
            "SELECT * FROM shop.orders WHERE customer_id = 42",
            "UPDATE shop.orders SET total = total + 1 WHERE id = 2",
        ] {
            let mut conn = connect(port).await;
            queued.push(tokio::spawn(async move {
                let _ = conn.query_drop(sql).await;
                conn
            }));
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let output = tokio::task::spawn_blocking(move || analyze_dsn(port))
            .await
            .unwrap();
        // End the reader's transaction: the queue drains.
        reader.query_drop("COMMIT").await.unwrap();
        for q in queued {
            let _ = q.await;
        }
        output
    });
    drop(server);
    let text = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("head blocker of 3 waiting, idle in its open"),
        "{text}\n{err}"
    );
    assert!(
        text.contains("ALTER TABLE shop.orders ADD COLUMN"),
        "{text}"
    );
    for mode in ["EXCLUSIVE", "SHARED_READ", "SHARED_WRITE"] {
        assert!(
            text.contains(&format!("wants {mode} metadata lock on `shop`.`orders`")),
            "{text}"
        );
    }
    assert!(
        text.contains("finding: idle-blocker (high confidence)"),
        "{text}"
    );
    // What the idle reader last did, from its statement history.
    // (The private server runs with --skip-grant-tables: PROCESSLIST shows no host.)
    assert!(
        text.contains("Its last statement was `SELECT * FROM shop.orders WHERE id = 1`"),
        "{text}"
    );
    assert!(
        text.contains("(its last: SELECT * FROM shop.orders WHERE id = 1)"),
        "{text}"
    );
}

fn analyze_dsn(port: u16) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lockscope"))
        .args(["analyze", "--width", "200", "--color", "never", "--dsn"])
        .arg(format!("mysql://root@127.0.0.1:{port}"))
        .env("HOME", std::env::temp_dir().join("lockscope-live-home"))
        .env_remove("LOCKSCOPE_DSN")
        .output()
        .unwrap()
}

/// Both transactions of a real deadlock, statement by statement, from
/// `events_statements_history`: the first UPDATE of each (which took the lock the other one
/// waited for) is not in the deadlock report, only in the history.
#[test]
fn analyze_dsn_tells_each_deadlocked_transactions_statements() {
    let server = start("history");
    let port = server.port;
    let output = runtime().block_on(async move {
        let mut a = connect(port).await;
        a.query_drop(
            "CREATE DATABASE bank; CREATE TABLE bank.accounts (id INT PRIMARY KEY, balance INT); \
             INSERT INTO bank.accounts VALUES (1, 100), (2, 200)",
        )
        .await
        .unwrap();
        let mut b = connect(port).await;
        a.query_drop("BEGIN").await.unwrap();
        a.query_drop("UPDATE bank.accounts SET balance = balance - 10 WHERE id = 1")
            .await
            .unwrap();
        b.query_drop("BEGIN").await.unwrap();
        b.query_drop("UPDATE bank.accounts SET balance = balance - 5 WHERE id = 2")
            .await
            .unwrap();
        let waiting = tokio::spawn(async move {
            let r = a
                .query_drop("UPDATE bank.accounts SET balance = balance + 10 WHERE id = 2")
                .await;
            (a, r)
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rb = b
            .query_drop("UPDATE bank.accounts SET balance = balance + 5 WHERE id = 1")
            .await;
        let (mut a, ra) = waiting.await.unwrap();
        assert!(
            ra.is_err() != rb.is_err(),
            "exactly one victim: {ra:?} {rb:?}"
        );
        let _ = a.query_drop("COMMIT").await;
        let _ = b.query_drop("COMMIT").await;
        // Both sessions stay connected, as an application's pool keeps them.
        let output = tokio::task::spawn_blocking(move || analyze_dsn(port))
            .await
            .unwrap();
        drop((a, b));
        output
    });
    drop(server);
    let text = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("statement history (performance_schema.events_statements_history)"),
        "{text}\n{err}"
    );
    for statement in [
        "2. UPDATE bank.accounts SET balance = balance - 10 WHERE id = 1",
        "2. UPDATE bank.accounts SET balance = balance - 5 WHERE id = 2",
    ] {
        assert!(text.contains(statement), "{statement}: {text}");
    }
    assert!(
        text.contains("← error 1213: deadlock, rolled back"),
        "{text}"
    );
    assert!(text.contains(", rolled back:"), "{text}");
}
