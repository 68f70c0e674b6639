//! Seed 004: the "fill in missing translations" endpoint translates each language in its own
//! thread, and each thread writes its batch of new `multilingual_item` rows with
//! `INSERT … ON DUPLICATE KEY UPDATE`. New items sort after every existing key, so all batches
//! insert into the last gap of the unique index, the one before the supremum. The article's
//! fix: translate in parallel, write with one writer.
//!
//! On MariaDB 10.11 two plain concurrent ODKU batches of new keys do not deadlock (the replay
//! `odku-concurrent-batches` only did with opposite key orders); what does is a locking read of
//! the missing keys first (`odku-supremum-select-for-update` in `fixtures/mariadb/`): each thread
//! checks which of its rows exist with `SELECT … FOR UPDATE`, which takes X on the supremum
//! (gap locks are compatible), then each ODKU waits for an insert-intention lock there.

use std::time::Duration;

use super::{begin, commit, exec, Ctx, Expect, Path, Role, Scenario, Tx};
use mysql_async::Conn;

/// Items per batch; each round writes new items, after every existing one.
const BATCH: u64 = 3;
const LANGS: [&str; 8] = [
    "my-MM", "ar-EG", "de-DE", "fr-FR", "ja-JP", "ko-KR", "pt-BR", "th-TH",
];

pub static SCENARIO: Scenario = Scenario {
    id: "odku-supremum",
    seed: Some("004"),
    expect: Expect::Deadlock,
    summary: "one thread per language upserts new rows at the end of the unique index",
    timing: "all workers start together; each checks its missing rows (SELECT … FOR UPDATE), \
             translates for 5 ms, then upserts, so every check is done before any upsert",
    schema: &[
        "CREATE TABLE multilingual_item (id BIGINT AUTO_INCREMENT PRIMARY KEY, \
         item_id BIGINT NOT NULL, corpus_id INT NOT NULL, lang VARCHAR(8) NOT NULL, \
         value VARCHAR(64) NOT NULL DEFAULT '', status TINYINT NOT NULL DEFAULT 0, \
         UNIQUE KEY uk_item_lang (item_id, lang)) ENGINE=InnoDB",
        "INSERT INTO multilingual_item (item_id, corpus_id, lang, value, status) VALUES \
         (1, 7, 'en-US', 'hello', 1), (2, 7, 'en-US', 'world', 1), (3, 7, 'en-US', 'again', 1)",
    ],
    prepare: None,
    paths: &[
        Path {
            name: "broken",
            role: Role::Broken,
            about: "each language thread: SELECT … FOR UPDATE its rows, then ODKU its batch",
            run: broken,
        },
        Path {
            name: "fixed",
            role: Role::Fixed,
            about: "the same statements, one writer at a time (translations stay parallel)",
            run: fixed,
        },
    ],
    workers: 4,
    iterations: 30,
    think: Duration::from_millis(5),
    stagger: Duration::ZERO,
};

fn items(x: &Ctx) -> Vec<u64> {
    let first = 1000 + x.round * BATCH;
    (first..first + BATCH).collect()
}

fn lang(x: &Ctx) -> &'static str {
    LANGS[x.worker % LANGS.len()]
}

async fn write_batch(c: &mut Conn, x: &Ctx) -> super::TxResult {
    let lang = lang(x);
    let items = items(x);
    let list: Vec<String> = items.iter().map(u64::to_string).collect();
    begin(c).await?;
    exec(
        c,
        format!(
            "SELECT id FROM multilingual_item WHERE item_id IN ({}) AND lang = '{lang}' \
             FOR UPDATE",
            list.join(", ")
        ),
    )
    .await?;
    x.think().await;
    let rows: Vec<String> = items
        .iter()
        .map(|i| format!("({i}, 7, '{lang}', 'text {i} {lang}', 1)"))
        .collect();
    exec(
        c,
        format!(
            "INSERT INTO multilingual_item (item_id, corpus_id, lang, value, status) VALUES {} \
             ON DUPLICATE KEY UPDATE status = IF(value = '', VALUES(status), status), \
             value = IF(value = '', VALUES(value), value)",
            rows.join(", ")
        ),
    )
    .await?;
    commit(c).await
}

fn broken<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(write_batch(c, x))
}

/// One writer: the batches are written one at a time, as a queue with a single consumer
/// would, while the translation work (not staged here) stays parallel.
fn fixed<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        let _writer = x.one_writer.lock().await;
        write_batch(c, x).await
    })
}
