//! Live metadata-lock waits, for real: a private MariaDB of this test's own (its own datadir
//! and port, `performance_schema` and the metadata-lock instrument on — settings the machine's
//! server does not have and must not be restarted for) gets an idle transaction that read a
//! table, an ALTER TABLE behind it and a SELECT and an UPDATE behind the ALTER; then
//! `lockscope analyze --dsn` must draw that queue. Needs `mariadbd` and `mariadb-install-db`
//! (`.ci/run` installs the server).

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

fn start() -> PrivateServer {
    let dir = std::env::temp_dir().join(format!("lockscope-mdl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let user = user();
    let install = Command::new("mariadb-install-db")
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--user={user}"))
        .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("mariadb-install-db (install mariadb-server; .ci/run does)");
    assert!(install.success(), "mariadb-install-db failed");
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

#[test]
fn analyze_dsn_draws_the_queue_behind_an_alter() {
    let server = start();
    let port = server.port;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let output = runtime.block_on(async move {
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
        let output = tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_lockscope"))
                .args(["analyze", "--width", "200", "--dsn"])
                .arg(format!("mysql://root@127.0.0.1:{port}"))
                .env("HOME", std::env::temp_dir().join("lockscope-live-home"))
                .env_remove("LOCKSCOPE_DSN")
                .output()
                .unwrap()
        })
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
}
