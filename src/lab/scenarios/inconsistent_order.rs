//! Seed 003: `batchUpdateStatus(List<Long> assetIds)` updates `warn_baseline_result` rows one by
//! one in the caller's order, so two calls with `[101, 205]` and `[205, 101]` lock the same two
//! PRIMARY rows in opposite orders. The fix the article shipped: sort the ids first.

use std::time::Duration;

use super::{begin, commit, exec, Ctx, Expect, Path, Role, Scenario, Tx};
use mysql_async::Conn;

/// The seed's two ids and one more: a small key space, so two workers often share rows.
const IDS: [u32; 3] = [101, 205, 307];

pub static SCENARIO: Scenario = Scenario {
    id: "inconsistent-order",
    seed: Some("003"),
    expect: Expect::Deadlock,
    summary: "batch status updates of the same rows in caller order (warn_baseline_result)",
    timing: "all workers start together and pause 5 ms (the loop's per-id work) between two \
             updates, so each holds its first row when it asks for its second",
    schema: &[
        "CREATE TABLE warn_baseline_result (id BIGINT PRIMARY KEY, status VARCHAR(16) NOT NULL, \
         fixed_count INT NOT NULL DEFAULT 0) ENGINE=InnoDB",
        "INSERT INTO warn_baseline_result (id, status) VALUES (101, 'open'), (205, 'open'), \
         (307, 'open')",
    ],
    prepare: None,
    paths: &[
        Path {
            name: "broken",
            role: Role::Broken,
            about: "UPDATE … WHERE id = ? for each id in the caller's order",
            run: broken,
        },
        Path {
            name: "fixed",
            role: Role::Fixed,
            about: "the same updates with the ids sorted first (Collections.sort)",
            run: fixed,
        },
    ],
    workers: 4,
    iterations: 30,
    think: Duration::from_millis(5),
    stagger: Duration::ZERO,
};

/// Two of the ids, in the order a caller happened to pass them.
fn asset_ids(x: &Ctx) -> Vec<u32> {
    let mut rng = x.rng();
    let mut ids = IDS.to_vec();
    rng.shuffle(&mut ids);
    ids.truncate(2);
    ids
}

async fn batch_update_status(c: &mut Conn, x: &Ctx, ids: &[u32]) -> super::TxResult {
    begin(c).await?;
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            x.think().await;
        }
        exec(
            c,
            format!(
                "UPDATE warn_baseline_result SET status = 'fixed', fixed_count = fixed_count + 1 \
                 WHERE id = {id}"
            ),
        )
        .await?;
    }
    commit(c).await
}

fn broken<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        let ids = asset_ids(x);
        batch_update_status(c, x, &ids).await
    })
}

fn fixed<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(async move {
        let mut ids = asset_ids(x);
        ids.sort_unstable();
        batch_update_status(c, x, &ids).await
    })
}
