//! "Get or create": `SELECT … FOR UPDATE` a row by key, insert it when missing. On a missing
//! key the locking read takes a gap lock (gap locks never conflict with each other), and every
//! insert into that gap then waits for the other transactions' gap locks: the
//! `gap-lock-then-insert` replay (`id = 15` and `id = 16` between rows 10 and 20). Each round
//! uses a new gap, above the last: reopening one by deleting its rows would leave delete-marked
//! records in it, and the deadlock would then look like `delete-then-insert`.
//!
//! The fix, as the catalogue says: insert first and handle the duplicate (1062) by updating the
//! existing row, in a new transaction so the failed insert's locks are gone.

use std::time::Duration;

use super::{
    begin, commit, count_rows, exec, server_code, Ctx, Done, Expect, Path, Role, Scenario, Tx,
    DUPLICATE_KEY,
};
use mysql_async::Conn;

pub static SCENARIO: Scenario = Scenario {
    id: "gap-then-insert",
    seed: None,
    expect: Expect::Deadlock,
    summary: "get-or-create: SELECT … FOR UPDATE a missing order, then INSERT it",
    timing: "all workers start together and pause 5 ms between the locking read and the \
             insert (the application deciding to create), so all gap locks are taken first",
    schema: &[
        "CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(16) NOT NULL, \
         amount INT NOT NULL) ENGINE=InnoDB",
        "INSERT INTO orders VALUES (0, 'a', 0), (10, 'b', 10)",
    ],
    prepare: Some(prepare),
    paths: &[
        Path {
            name: "broken",
            role: Role::Broken,
            about: "SELECT … FOR UPDATE the order; INSERT it when missing",
            run: broken,
        },
        Path {
            name: "fixed",
            role: Role::Fixed,
            about: "INSERT first; on 1062 roll back and UPDATE the existing row",
            run: fixed,
        },
    ],
    workers: 4,
    iterations: 30,
    think: Duration::from_millis(5),
    stagger: Duration::ZERO,
};

/// The round's gap lies between orders `gap_start(x)` and `gap_start(x) + 10`.
fn gap_start(x: &Ctx) -> u64 {
    10 * (x.round + 1)
}

/// Every round a new gap: the order above it is created.
fn prepare<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        let upper = gap_start(x) + 10;
        exec(
            c,
            format!("INSERT IGNORE INTO orders VALUES ({upper}, 'z', {upper})"),
        )
        .await?;
        Ok(Done::Committed)
    })
}

/// An order id in the round's gap; workers may pick the same one.
fn order_id(x: &Ctx) -> u64 {
    gap_start(x) + 1 + x.rng().below(9)
}

fn broken<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        let id = order_id(x);
        begin(c).await?;
        let found = count_rows(
            c,
            format!("SELECT * FROM orders WHERE id = {id} FOR UPDATE"),
        )
        .await?;
        x.think().await;
        if found == 0 {
            exec(
                c,
                format!("INSERT INTO orders VALUES ({id}, 'w{}', {id})", x.worker),
            )
            .await?;
        } else {
            exec(
                c,
                format!("UPDATE orders SET amount = amount + 1 WHERE id = {id}"),
            )
            .await?;
        }
        commit(c).await
    })
}

fn fixed<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        let id = order_id(x);
        begin(c).await?;
        x.think().await;
        match exec(
            c,
            format!("INSERT INTO orders VALUES ({id}, 'w{}', {id})", x.worker),
        )
        .await
        {
            Ok(()) => commit(c).await,
            Err(e) if server_code(&e) == Some(DUPLICATE_KEY) => {
                // The failed insert keeps its S lock until the transaction ends: end it, then
                // update the row someone else created.
                exec(c, "ROLLBACK").await?;
                begin(c).await?;
                exec(
                    c,
                    format!("UPDATE orders SET amount = amount + 1 WHERE id = {id}"),
                )
                .await?;
                commit(c).await
            }
            Err(e) => Err(e),
        }
    })
}
