//! A worker claims a job and does the job's work inside the claiming transaction: the row stays
//! locked while the session runs no statement at all (the `lock-wait-timeout` replay: BLOCKER
//! `UPDATE jobs … WHERE id = 7`, idle; WAITER on the same row gets 1205). Every other worker
//! that looks at the job waits the whole lock wait timeout for an idle session.
//!
//! The fix: claim in a short transaction and commit, do the work outside any transaction, then
//! record the result in another short transaction.
//!
//! The same idle transaction stalls a table without any row lock: a transaction that only
//! *read* the table holds its metadata lock to COMMIT, an `ALTER TABLE` waits for it, and every
//! statement on the table queues behind the waiting ALTER ("Waiting for table metadata lock").
//! The `ddl-*` paths stage that: worker 0 reads job 7 and works with its transaction open,
//! worker 1 runs the DDL, the others read the table behind it; fixed, the reader commits before
//! it works.

use std::time::Duration;

use super::{affected, begin, commit, exec, Ctx, Done, Expect, Path, Role, Scenario, Tx};
use mysql_async::Conn;

pub static SCENARIO: Scenario = Scenario {
    id: "idle-blocker",
    seed: None,
    expect: Expect::LockWait,
    summary: "a worker claims a job and does the work with the transaction still open",
    timing: "all workers start together and want job 7; the work lasts half a second longer \
             than the lock wait timeout, so every waiter behind an open claim times out",
    schema: &[
        "CREATE TABLE jobs (id INT PRIMARY KEY, state VARCHAR(16) NOT NULL, \
         owner VARCHAR(32) NULL) ENGINE=InnoDB",
        "INSERT INTO jobs VALUES (5, 'done', 'worker-a'), (7, 'queued', NULL), \
         (9, 'queued', NULL)",
    ],
    prepare: Some(prepare),
    paths: &[
        Path {
            name: "broken",
            role: Role::Broken,
            about: "claim job 7, work, mark it done, COMMIT: one transaction",
            run: broken,
        },
        Path {
            name: "fixed",
            role: Role::Fixed,
            about: "claim and COMMIT; work outside the transaction; mark done and COMMIT",
            run: fixed,
        },
        Path {
            name: "ddl-behind-reader",
            role: Role::Broken,
            about: "a reader works with its transaction open; ALTER TABLE and reads queue",
            run: ddl_broken,
        },
        Path {
            name: "ddl-after-commit",
            role: Role::Fixed,
            about: "the reader commits before it works; the ALTER and the reads pass",
            run: ddl_fixed,
        },
    ],
    workers: 3,
    iterations: 3,
    think: Duration::from_millis(5),
    stagger: Duration::ZERO,
};

/// Every round job 7 is queued again.
fn prepare<'a>(c: &'a mut Conn, _x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        exec(
            c,
            "UPDATE jobs SET state = 'queued', owner = NULL WHERE id = 7",
        )
        .await?;
        Ok(Done::Committed)
    })
}

fn work(x: &Ctx) -> Duration {
    x.lock_wait_timeout + Duration::from_millis(500)
}

async fn claim(c: &mut Conn, x: &Ctx) -> Result<bool, mysql_async::Error> {
    let rows = affected(
        c,
        format!(
            "UPDATE jobs SET state = 'running', owner = 'worker-{}' \
             WHERE id = 7 AND state = 'queued'",
            x.worker
        ),
    )
    .await?;
    Ok(rows == 1)
}

async fn finish(c: &mut Conn) -> Result<(), mysql_async::Error> {
    exec(c, "UPDATE jobs SET state = 'done' WHERE id = 7").await
}

fn broken<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        begin(c).await?;
        if claim(c, x).await? {
            tokio::time::sleep(work(x)).await;
            finish(c).await?;
        }
        commit(c).await
    })
}

fn fixed<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        begin(c).await?;
        let mine = claim(c, x).await?;
        commit(c).await?;
        if mine {
            tokio::time::sleep(work(x)).await;
            begin(c).await?;
            finish(c).await?;
            commit(c).await?;
        }
        Ok(Done::Committed)
    })
}

/// Worker 0 reads and works (its transaction open or not), worker 1 alters the table 100 ms
/// later, the others read the table from 200 ms on: behind the ALTER's pending exclusive lock.
async fn ddl_round(c: &mut Conn, x: &Ctx, reader_commits_first: bool) -> super::TxResult {
    match x.worker {
        0 => {
            begin(c).await?;
            exec(c, "SELECT state FROM jobs WHERE id = 7").await?;
            if reader_commits_first {
                commit(c).await?;
            }
            tokio::time::sleep(work(x)).await;
            if reader_commits_first {
                return Ok(Done::Committed);
            }
            commit(c).await
        }
        1 => {
            tokio::time::sleep(Duration::from_millis(100)).await;
            exec(
                c,
                format!("ALTER TABLE jobs COMMENT = 'lab round {}'", x.round),
            )
            .await?;
            Ok(Done::Committed)
        }
        n => {
            tokio::time::sleep(Duration::from_millis(200 + 50 * n as u64)).await;
            exec(c, "SELECT owner FROM jobs WHERE id = 9").await?;
            Ok(Done::Committed)
        }
    }
}

fn ddl_broken<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(ddl_round(c, x, false))
}

fn ddl_fixed<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(ddl_round(c, x, true))
}
