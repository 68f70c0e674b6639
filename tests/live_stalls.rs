//! A stall that is no row lock, made for real on the test server (`LOCKSCOPE_TEST_DSN`, default
//! `mysql://root@127.0.0.1:3306`) in a database of this test's own, dropped at the end: a long
//! `SELECT … SLEEP()` on a table, `FLUSH TABLES` of that table behind it, and a `SELECT` and an
//! `UPDATE` behind the flush. `lockscope analyze --dsn` reads only `SHOW PROCESSLIST`-like rows
//! for it and must draw the long statement as the head, with its `KILL` printed. (MariaDB's
//! `FLUSH TABLES t` waits for the table's metadata lock; MySQL's shows `Waiting for table
//! flush`: both are read from PROCESSLIST alone.) The flush is of one table of the test's own
//! database, so nothing else on the server waits.

use std::process::Command;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder};

const DB: &str = "lockscope_t_stall_flush";

fn opts() -> OptsBuilder {
    let url = std::env::var("LOCKSCOPE_TEST_DSN")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_string());
    let opts = mysql_async::Opts::from_url(&url).expect("LOCKSCOPE_TEST_DSN");
    OptsBuilder::from_opts(opts).db_name(None::<String>)
}

async fn connect() -> Conn {
    Conn::new(opts())
        .await
        .expect("the test server (LOCKSCOPE_TEST_DSN) answers")
}

fn dsn() -> String {
    std::env::var("LOCKSCOPE_TEST_DSN").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

#[test]
fn analyze_dsn_draws_the_long_query_ahead_of_a_flush() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let output = runtime.block_on(async {
        let mut admin = connect().await;
        admin
            .query_drop(format!(
                "DROP DATABASE IF EXISTS {DB}; CREATE DATABASE {DB}; \
                 CREATE TABLE {DB}.orders (id INT PRIMARY KEY, total INT); \
                 INSERT INTO {DB}.orders VALUES (1, 10), (2, 20)"
            ))
            .await
            .unwrap();
        let mut running = Vec::new();
        for sql in [
            format!("SELECT SLEEP(10) FROM {DB}.orders WHERE id = 1"),
            format!("FLUSH TABLES {DB}.orders"),
            format!("SELECT * FROM {DB}.orders WHERE id = 2"),
            format!("UPDATE {DB}.orders SET total = total + 1 WHERE id = 2"),
        ] {
            let mut conn = connect().await;
            running.push(tokio::spawn(async move {
                let _ = conn.query_drop(sql).await;
                conn
            }));
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
        let output = tokio::task::spawn_blocking(|| {
            Command::new(env!("CARGO_BIN_EXE_lockscope"))
                .args(["analyze", "--width", "200", "--color", "never", "--dsn"])
                .arg(dsn())
                .env("HOME", std::env::temp_dir().join("lockscope-live-home"))
                .env_remove("LOCKSCOPE_DSN")
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        for r in running {
            let _ = r.await;
        }
        admin
            .query_drop(format!("DROP DATABASE IF EXISTS {DB}"))
            .await
            .unwrap();
        output
    });
    let text = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    let head = text
        .lines()
        .find(|l| l.contains("head blocker of 3 waiting"))
        .unwrap_or_else(|| panic!("no head of 3\n{text}\n{err}"));
    assert!(
        head.contains(&format!("running SELECT SLEEP(10) FROM {DB}.orders")),
        "{text}"
    );
    assert!(
        text.contains(&format!("FLUSH TABLES {DB}.orders")),
        "{text}"
    );
    assert!(text.contains("(printed, never run)"), "{text}");
}
