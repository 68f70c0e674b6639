//! The locks held are grouped by owner, and a paste often names no owner: how the groups are
//! counted and what their owners were taken as is this section's own business, apart from
//! the blocking tree.

use crate::report::colour::Role;
use crate::report::held;
use crate::report::text::Page;
use crate::sink::LockWaits;

/// Who holds what, a line per group.
pub(super) fn held_text(page: &mut Page, waits: &LockWaits, full: bool) {
    if waits.held.is_empty() {
        return;
    }
    let listed = held::listed(&waits.held, full, !waits.waits.is_empty());
    let owners = owners(&waits.held);
    if !waits.waits.is_empty() {
        page.line("");
    }
    page.line_as(
        Role::Heading,
        &format!(
            "locks in the lock tables: {} rows, {}",
            held::thousands(waits.lock_rows as u64),
            owners.0
        ),
    );
    if let Some(note) = owners.1 {
        page.para(&format!("({note})"), "  ", "   ");
    }
    for g in listed.shown {
        page.para(
            &format!("{} {}", held::subject(g), held::phrase(g)),
            "  ",
            "    ",
        );
    }
    if listed.more > 0 {
        page.line(&format!(
            "  … and {} more (all of them with --full or in JSON)",
            listed.more
        ));
    }
    if listed.waiting > 0 {
        page.line(&format!(
            "  ({} waiting lock(s): in the blocking tree above)",
            listed.waiting
        ));
    }
    if listed.intention > 0 {
        page.para(
            &format!(
                "({} intention table lock(s), IS/IX, not listed: they only announce the \
                 record locks above)",
                listed.intention
            ),
            "  ",
            "   ",
        );
    }
}

/// `2 transaction(s)`, and where a table names no owner, what its rows were taken as.
fn owners(held: &[crate::model::HeldLocks]) -> (String, Option<&'static str>) {
    use crate::model::{GROUPED_PREFIX, UNNAMED_PREFIX};
    let mut ids: Vec<&str> = held.iter().map(|g| g.trx_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let unnamed = ids.iter().any(|t| t.starts_with(UNNAMED_PREFIX));
    let grouped = ids.iter().any(|t| t.starts_with(GROUPED_PREFIX));
    ids.retain(|t| !t.starts_with(UNNAMED_PREFIX));
    let n = ids.len();
    match (unnamed, grouped) {
        (true, _) if n == 0 => (
            "owners not shown".to_string(),
            Some(
                "no transaction id column, and the rows are not in one transaction's run after \
                 another: each row is its own owner, numbered in input order",
            ),
        ),
        (true, _) => (
            format!("{n} transaction(s) and rows whose owner is not shown"),
            Some("rows without an owner are numbered in input order"),
        ),
        (false, true) => (
            format!("{n} transaction(s)"),
            Some(
                "no transaction id column: told apart by their table locks, numbered in \
                 input order",
            ),
        ),
        (false, false) => (format!("{n} transaction(s)"), None),
    }
}
