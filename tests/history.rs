//! Statement histories pasted beside a deadlock report: each deadlocked transaction's whole
//! story, from a real capture (`fixtures/lock-tables/mariadb-history-deadlock.txt`).

mod common;

use serde_json::Value;

#[test]
fn a_pasted_history_tells_both_transactions() {
    let (out, err, code) = common::lockscope(
        &[
            "analyze",
            "--format",
            "json",
            "fixtures/lock-tables/mariadb-history-deadlock.txt",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let histories = doc["statement_history"]
        .as_array()
        .expect("statement_history");
    let sql = |h: &Value| -> Vec<String> {
        h["statements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["sql"].as_str().unwrap().to_string())
            .collect()
    };
    // Only the deadlock's two threads; session 9's earlier run is left out.
    assert_eq!(histories.len(), 2, "{histories:?}");
    let victim = &histories[0];
    assert_eq!(victim["thread_id"], 16);
    assert!(victim["role"].as_str().unwrap().ends_with("rolled back"));
    assert_eq!(
        sql(victim),
        [
            "BEGIN",
            "UPDATE accounts SET balance=balance-5 WHERE id=2",
            "DO SLEEP(1)",
            "UPDATE accounts SET balance=balance+5 WHERE id=1",
            "ROLLBACK"
        ]
    );
    assert_eq!(victim["statements"][3]["errno"], 1213);
    assert_eq!(victim["statements"][3]["reported"], true);
    let other = &histories[1];
    assert_eq!(other["thread_id"], 15);
    assert_eq!(sql(other).len(), 6);
    assert_eq!(other["statements"][4]["reported"], true);
    assert_eq!(other["from_the_middle"], false);
}
