//! Adding a line item: insert the child row, then update the invoice's totals. The insert's
//! foreign-key check takes an S record lock on the invoice row; two writers of the same invoice
//! both hold S, and each UPDATE's X waits for the other's S (the `fk-s-lock-upgrade` replay).
//!
//! The fix, as the catalogue says: lock the parent row `FOR UPDATE` before writing its children,
//! so writers of one invoice queue at the start.

use std::time::Duration;

use super::{begin, commit, exec, Ctx, Expect, Path, Role, Scenario, Tx};
use mysql_async::Conn;

pub static SCENARIO: Scenario = Scenario {
    id: "fk-s-lock-upgrade",
    seed: None,
    expect: Expect::Deadlock,
    summary: "add a line item (FK check: S on the invoice), then update the invoice totals",
    timing: "all workers start together and pause 5 ms between the insert and the update (the \
             application pricing the item), so both hold the FK check's S lock first",
    schema: &[
        "CREATE TABLE invoice (id INT PRIMARY KEY, item_count INT NOT NULL, \
         total INT NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE line_item (id BIGINT AUTO_INCREMENT PRIMARY KEY, invoice_id INT NOT NULL, \
         amount INT NOT NULL, CONSTRAINT fk_line_item_invoice FOREIGN KEY (invoice_id) \
         REFERENCES invoice (id)) ENGINE=InnoDB",
        "INSERT INTO invoice VALUES (1, 0, 0), (2, 0, 0)",
    ],
    prepare: None,
    paths: &[
        Path {
            name: "broken",
            role: Role::Broken,
            about: "INSERT line_item, then UPDATE invoice",
            run: broken,
        },
        Path {
            name: "fixed",
            role: Role::Fixed,
            about: "SELECT … FROM invoice FOR UPDATE first, then the same two writes",
            run: fixed,
        },
    ],
    workers: 4,
    iterations: 30,
    think: Duration::from_millis(5),
    stagger: Duration::ZERO,
};

/// Two invoices: every worker shares its invoice with about half the others.
fn invoice(x: &Ctx) -> u64 {
    1 + x.rng().below(2)
}

async fn add_item(c: &mut Conn, x: &Ctx, lock_parent: bool) -> super::TxResult {
    let invoice = invoice(x);
    let amount = 100 + 10 * x.worker;
    begin(c).await?;
    if lock_parent {
        exec(
            c,
            format!("SELECT id FROM invoice WHERE id = {invoice} FOR UPDATE"),
        )
        .await?;
    }
    exec(
        c,
        format!("INSERT INTO line_item (invoice_id, amount) VALUES ({invoice}, {amount})"),
    )
    .await?;
    x.think().await;
    exec(
        c,
        format!(
            "UPDATE invoice SET item_count = item_count + 1, total = total + {amount} \
             WHERE id = {invoice}"
        ),
    )
    .await?;
    commit(c).await
}

fn broken<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(add_item(c, x, false))
}

fn fixed<'a>(c: &'a mut Conn, x: &'a Ctx) -> Tx<'a> {
    Box::pin(add_item(c, x, true))
}
