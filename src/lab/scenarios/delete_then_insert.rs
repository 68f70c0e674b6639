//! Seed 002: the cleanup timer `clearSessions(ids)` deletes the sessions' endpoints, then the
//! sessions (child → parent), while "create meeting" inserts a session, then its endpoint
//! (parent → child). The endpoint insert lands in the gap before endpoints the cleaner has just
//! delete-marked (info bits 32); the cleaner's `DELETE FROM session WHERE id IN (…)` scans the
//! whole table (plan `ALL`, as in the MariaDB replay) and reaches the new, uncommitted session.
//! The fix the article shipped: delete the sessions first, the same parent → child order as the
//! create path.

use std::time::Duration;

use super::{begin, commit, exec, Ctx, Done, Expect, Path, Role, Scenario, Tx};
use mysql_async::Conn;

/// Sessions each cleaner deletes per round (the replay's eight, `…20` to `…90`).
const SESSIONS: u32 = 8;

pub static SCENARIO: Scenario = Scenario {
    id: "delete-then-insert",
    seed: Some("002"),
    expect: Expect::Deadlock,
    summary: "cleanup deletes endpoints then sessions while meetings are created parent first",
    timing: "even workers clean, odd workers create; the creator waits 5 ms so the cleaner has \
             deleted the endpoints, and the cleaner works 10 ms before deleting the sessions, so \
             the new session exists when its scan gets there (the seed's interleaving)",
    schema: &[
        "CREATE TABLE session (id BINARY(16) PRIMARY KEY, code INT NOT NULL, \
         created DATETIME NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE session_endpoint (id BINARY(16) PRIMARY KEY, session_id BINARY(16) NOT NULL, \
         nickname VARCHAR(32) NOT NULL, KEY idx_session_id (session_id)) ENGINE=InnoDB",
    ],
    prepare: Some(prepare),
    paths: &[
        Path {
            name: "broken",
            role: Role::Broken,
            about: "cleanup deletes endpoints, then sessions; create inserts session, then endpoint",
            run: broken,
        },
        Path {
            name: "fixed",
            role: Role::Fixed,
            about: "cleanup deletes sessions first, then their endpoints: parent → child everywhere",
            run: fixed,
        },
    ],
    workers: 4,
    iterations: 20,
    think: Duration::from_millis(5),
    stagger: Duration::ZERO,
};

/// `UNHEX('…')` of the 16-byte id whose last bytes are `n`.
fn id(n: u64) -> String {
    format!("UNHEX('{n:032X}')")
}

/// The sessions cleaner pair `p` deletes: `p00020`, `p00030`, … (hex).
fn doomed(pair: u64) -> Vec<String> {
    (0..u64::from(SESSIONS))
        .map(|k| id((pair << 16) | (0x20 + 0x10 * k)))
        .collect()
}

/// Each round starts from the same rows: the doomed sessions with two endpoints each.
fn prepare<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        exec(c, "TRUNCATE TABLE session_endpoint").await?;
        exec(c, "TRUNCATE TABLE session").await?;
        let pairs = x.workers.div_ceil(2) as u64;
        let mut sessions = Vec::new();
        let mut endpoints = Vec::new();
        for p in 0..pairs {
            for (k, s) in doomed(p).into_iter().enumerate() {
                sessions.push(format!("({s}, {k}, NOW())"));
                for e in 0..2u64 {
                    let e_id = id(0xE000_0000 | (p << 12) | ((k as u64) << 4) | e);
                    endpoints.push(format!("({e_id}, {s}, 'ep-{p}-{k}-{e}')"));
                }
            }
        }
        exec(
            c,
            format!("INSERT INTO session VALUES {}", sessions.join(", ")),
        )
        .await?;
        exec(
            c,
            format!(
                "INSERT INTO session_endpoint VALUES {}",
                endpoints.join(", ")
            ),
        )
        .await?;
        Ok(Done::Committed)
    })
}

/// `clearSessions`, children first (as in the seed) or parents first (the fix).
async fn clear_sessions(c: &mut Conn, x: &Ctx, parents_first: bool) -> super::TxResult {
    let ids = doomed(x.worker as u64 / 2);
    let delete_sessions = format!("DELETE FROM session WHERE id IN ({})", ids.join(", "));
    let delete_endpoints = ids
        .iter()
        .map(|s| format!("DELETE FROM session_endpoint WHERE session_id = {s}"));
    begin(c).await?;
    if parents_first {
        exec(c, &delete_sessions).await?;
        tokio::time::sleep(x.think * 2).await;
        for sql in delete_endpoints {
            exec(c, sql).await?;
        }
    } else {
        for sql in delete_endpoints {
            exec(c, sql).await?;
        }
        tokio::time::sleep(x.think * 2).await;
        exec(c, &delete_sessions).await?;
    }
    commit(c).await
}

/// "Create meeting": a session between two doomed ones, then its endpoint.
async fn create_meeting(c: &mut Conn, x: &Ctx) -> super::TxResult {
    let pair = x.worker as u64 / 2;
    let session = id((pair << 16) | 0x25);
    begin(c).await?;
    x.think().await;
    exec(
        c,
        format!("INSERT INTO session VALUES ({session}, 4242, NOW())"),
    )
    .await?;
    exec(
        c,
        format!(
            "INSERT INTO session_endpoint VALUES ({}, {session}, 'ep-new')",
            id(0xF000_0000 | pair)
        ),
    )
    .await?;
    commit(c).await
}

fn broken<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        if x.worker % 2 == 0 {
            clear_sessions(c, x, false).await
        } else {
            create_meeting(c, x).await
        }
    })
}

fn fixed<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        if x.worker % 2 == 0 {
            clear_sessions(c, x, true).await
        } else {
            create_meeting(c, x).await
        }
    })
}
