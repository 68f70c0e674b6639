//! Seed 000: `save_conversation_async` reads `max(sequence)` with a plain read, inserts the user
//! and assistant messages at `max + 1` and `max + 2`, then takes the conversation row with
//! `FOR UPDATE SKIP LOCKED` and rolls back (to retry) when it is taken. Concurrent saves of one
//! conversation insert the same `(conversation_id, sequence)`: the later inserters queue for an
//! S lock (the duplicate check) on the first one's uncommitted row. When that first one rolls
//! back — its `SKIP LOCKED` found the conversation row busy — the waiters all get their S lock
//! and all need X to insert: a deadlock (the `unique-key-s-lock-race` replay). When it commits,
//! they get a duplicate-key error instead.
//!
//! Two saves cannot both be past their inserts (the later one waits on the earlier one's
//! sequence), so what the seed's `SKIP LOCKED` finds busy is another writer of the conversation
//! row: worker 0 plays one, a request that records the conversation's activity.
//!
//! The fix (the seed's P2, as the catalogue says): lock the conversation row first, plainly
//! `FOR UPDATE`, and take the sequence from a counter on it.

use std::time::Duration;

use super::{begin, commit, exec, rollback, scalar, Ctx, Expect, Path, Role, Scenario, Tx};
use mysql_async::Conn;

pub static SCENARIO: Scenario = Scenario {
    id: "unique-key-race",
    seed: Some("000"),
    expect: Expect::Deadlock,
    summary: "saves of one conversation insert max(sequence)+1 (conversation_messages)",
    timing: "worker 0 updates the conversation row and holds it 15 ms; the others save; all \
             start up to 20 ms apart and pause 5 ms between statements (the ORM's flushes), so \
             a save's SKIP LOCKED sometimes finds the row busy and rolls back while other saves \
             queue on its sequence",
    schema: &[
        "CREATE TABLE conversations (id BIGINT PRIMARY KEY, message_count INT NOT NULL, \
         total_tokens INT NOT NULL, last_sequence INT NOT NULL, \
         last_active_at DATETIME NULL) ENGINE=InnoDB",
        "CREATE TABLE conversation_messages (id BIGINT AUTO_INCREMENT PRIMARY KEY, \
         conversation_id BIGINT NOT NULL, `role` VARCHAR(16) NOT NULL, content TEXT NOT NULL, \
         tokens INT NOT NULL, sequence INT NOT NULL, embedding_status VARCHAR(16) NOT NULL, \
         created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, \
         UNIQUE KEY uk_conversation_sequence (conversation_id, sequence)) ENGINE=InnoDB",
        "INSERT INTO conversations VALUES (30, 2, 40, 2, NULL)",
        "INSERT INTO conversation_messages (conversation_id, `role`, content, tokens, sequence, \
         embedding_status, created_at, updated_at) VALUES \
         (30, 'user', 'hello', 1, 1, 'done', NOW(), NOW()), \
         (30, 'assistant', 'hi', 39, 2, 'done', NOW(), NOW())",
    ],
    prepare: None,
    paths: &[
        Path {
            name: "broken",
            role: Role::Broken,
            about: "max(sequence)+1 inserts, then the conversation row FOR UPDATE SKIP LOCKED",
            run: broken,
        },
        Path {
            name: "fixed",
            role: Role::Fixed,
            about: "the conversation row FOR UPDATE first; the sequence from its counter",
            run: fixed,
        },
    ],
    workers: 5,
    iterations: 40,
    think: Duration::from_millis(5),
    stagger: Duration::from_millis(20),
};

const CONVERSATION: u32 = 30;

async fn insert_messages(c: &mut Conn, x: &Ctx, after: i64) -> Result<(), mysql_async::Error> {
    for (n, role, tokens) in [(1, "user", 1), (2, "assistant", 57)] {
        exec(
            c,
            format!(
                "INSERT INTO conversation_messages (conversation_id, `role`, content, tokens, \
                 sequence, embedding_status, created_at, updated_at) VALUES ({CONVERSATION}, \
                 '{role}', 'message {}', {tokens}, {}, 'pending', now(), now())",
                x.worker,
                after + n
            ),
        )
        .await?;
    }
    Ok(())
}

/// Worker 0: another writer of the conversation row (its activity), a short transaction.
async fn touch_conversation(c: &mut Conn, x: &Ctx) -> super::TxResult {
    begin(c).await?;
    exec(
        c,
        format!("UPDATE conversations SET last_active_at = now() WHERE id = {CONVERSATION}"),
    )
    .await?;
    tokio::time::sleep(x.think * 3).await;
    commit(c).await
}

fn broken<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        if x.worker == 0 {
            return touch_conversation(c, x).await;
        }
        begin(c).await?;
        let max = scalar(
            c,
            format!(
                "SELECT max(sequence) FROM conversation_messages \
                 WHERE conversation_id = {CONVERSATION}"
            ),
        )
        .await?
        .unwrap_or(0);
        insert_messages(c, x, max).await?;
        x.think().await;
        let locked = scalar(
            c,
            format!(
                "SELECT id FROM conversations WHERE id = {CONVERSATION} FOR UPDATE SKIP LOCKED"
            ),
        )
        .await?;
        if locked.is_none() {
            // The seed raises "conversation locked" here and retries from the start.
            return rollback(c, "skip locked").await;
        }
        x.think().await;
        exec(
            c,
            format!(
                "UPDATE conversations SET message_count = message_count + 2, \
                 total_tokens = total_tokens + 58 WHERE id = {CONVERSATION}"
            ),
        )
        .await?;
        commit(c).await
    })
}

fn fixed<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        if x.worker == 0 {
            return touch_conversation(c, x).await;
        }
        begin(c).await?;
        let last = scalar(
            c,
            format!("SELECT last_sequence FROM conversations WHERE id = {CONVERSATION} FOR UPDATE"),
        )
        .await?
        .unwrap_or(0);
        insert_messages(c, x, last).await?;
        x.think().await;
        exec(
            c,
            format!(
                "UPDATE conversations SET message_count = message_count + 2, \
                 total_tokens = total_tokens + 58, last_sequence = {} WHERE id = {CONVERSATION}",
                last + 2
            ),
        )
        .await?;
        commit(c).await
    })
}
