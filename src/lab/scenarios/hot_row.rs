//! Seed 001: `freeze_amount_atomic` inserts a `compute_freeze_logs` row, then freezes credit on
//! the user's row (`UPDATE users … WHERE id = 8`), and the request keeps its transaction open
//! while it goes on working. One user sending many requests at once queues them all on that one
//! row; the later ones wait longer than `innodb_lock_wait_timeout` and get 1205.
//!
//! The article proposed updating the hot row *first*. A row lock is held to commit whatever the
//! statement order, so lab measures rather than repeats: the seed's order (`hot-row-last`), the
//! article's (`hot-row-first`), and the catalogue's fix, commit as soon as the row is written and
//! do the rest of the work outside the transaction (`commit-at-once`).

use std::time::Duration;

use super::{affected, begin, commit, exec, rollback, Ctx, Expect, Path, Role, Scenario, Tx};
use mysql_async::Conn;

const USER: u32 = 8;

pub static SCENARIO: Scenario = Scenario {
    id: "hot-row",
    seed: Some("001"),
    expect: Expect::LockWait,
    summary: "one user's concurrent requests all freeze credit on the same users row",
    timing: "all workers start together (a burst of requests from user 8); after writing, the \
             request works for a quarter of the lock wait timeout, inside the transaction on the \
             broken paths and after the commit on the fixed one",
    schema: &[
        "CREATE TABLE users (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL, \
         frozen_balance BIGINT NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE compute_freeze_logs (id BIGINT AUTO_INCREMENT PRIMARY KEY, \
         request_id VARCHAR(64) NOT NULL, user_id BIGINT NOT NULL, amount BIGINT NOT NULL, \
         model_id INT NOT NULL, conversation_id BIGINT NOT NULL, status VARCHAR(16) NOT NULL, \
         remark VARCHAR(64) NOT NULL, UNIQUE KEY idx_request_id (request_id)) ENGINE=InnoDB",
        "INSERT INTO users VALUES (7, 1000000000, 0), (8, 1000000000, 0), (9, 1000000000, 0)",
    ],
    prepare: None,
    paths: &[
        Path {
            name: "hot-row-last",
            role: Role::Broken,
            about: "INSERT freeze log, UPDATE users row, work, COMMIT (the seed)",
            run: hot_row_last,
        },
        Path {
            name: "hot-row-first",
            role: Role::Broken,
            about: "UPDATE users row, INSERT freeze log, work, COMMIT (the seed's proposal)",
            run: hot_row_first,
        },
        Path {
            name: "commit-at-once",
            role: Role::Fixed,
            about: "INSERT freeze log, UPDATE users row, COMMIT, then work",
            run: commit_at_once,
        },
    ],
    workers: 8,
    iterations: 4,
    think: Duration::from_millis(5),
    stagger: Duration::ZERO,
};

/// The request's other work: a quarter of the lock wait timeout, so a queue of five or more
/// requests outlasts the timeout when the row stays locked through it.
fn work(x: &Ctx) -> Duration {
    x.lock_wait_timeout / 4
}

async fn insert_log(c: &mut Conn, x: &Ctx) -> Result<(), mysql_async::Error> {
    exec(
        c,
        format!(
            "INSERT INTO compute_freeze_logs (request_id, user_id, amount, model_id, \
             conversation_id, status, remark) VALUES ('req-{}-{}', {USER}, 5, 3, 30, 'frozen', \
             'pre-freeze')",
            x.round, x.worker
        ),
    )
    .await
}

/// The freeze; `false` when the balance is short (never here: the seed data is generous).
async fn freeze(c: &mut Conn) -> Result<bool, mysql_async::Error> {
    let rows = affected(
        c,
        format!(
            "UPDATE users SET frozen_balance = frozen_balance + 5 \
             WHERE id = {USER} AND balance - frozen_balance >= 5"
        ),
    )
    .await?;
    Ok(rows == 1)
}

fn hot_row_last<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        begin(c).await?;
        insert_log(c, x).await?;
        x.think().await;
        if !freeze(c).await? {
            return rollback(c, "insufficient balance").await;
        }
        tokio::time::sleep(work(x)).await;
        commit(c).await
    })
}

fn hot_row_first<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        begin(c).await?;
        if !freeze(c).await? {
            return rollback(c, "insufficient balance").await;
        }
        x.think().await;
        insert_log(c, x).await?;
        tokio::time::sleep(work(x)).await;
        commit(c).await
    })
}

fn commit_at_once<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        begin(c).await?;
        insert_log(c, x).await?;
        x.think().await;
        if !freeze(c).await? {
            return rollback(c, "insufficient balance").await;
        }
        let done = commit(c).await?;
        tokio::time::sleep(work(x)).await;
        Ok(done)
    })
}
