//! The transactions table of the text report (comfy-table), and statements shortened for it.
//! Kept apart from the prose so the layout rules (what fits in 80 columns) live in one place.

use comfy_table::{ColumnConstraint, ContentArrangement, Row, Table, TableComponent};

use super::wrap::{squash, truncate, wrap};
use crate::model::Deadlock;

/// Lines of a statement in the table or under a transaction (whole statements with `full`).
const STATEMENT_LINES: usize = 3;

/// Narrowest statement column worth having; below it statements go under each transaction.
const MIN_STATEMENT_WIDTH: usize = 30;

/// The transactions table, and whether it has the statement column: at 80 columns the facts
/// leave too little room for it, and a statement squeezed into a dozen columns reads worse than
/// one shown under its transaction heading.
pub fn transactions_table(d: &Deadlock, width: usize, full: bool) -> (String, bool) {
    let facts = facts_table(d, width, false);
    let used = facts.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    if full || used + MIN_STATEMENT_WIDTH > width {
        return (facts, false);
    }
    (facts_table(d, width, true), true)
}

fn facts_table(d: &Deadlock, width: usize, with_statement: bool) -> String {
    let mut table = Table::new();
    let mut header = vec![
        "#",
        "trx id",
        "thread",
        "user@host",
        "active",
        "row locks",
        "undo",
    ];
    if with_statement {
        header.push("statement");
    }
    table
        .load_preset("     ──            ")
        .remove_style(TableComponent::VerticalLines)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(width).unwrap_or(u16::MAX))
        .set_truncation_indicator("…")
        .set_header(header);
    let dash = || "-".to_string();
    let num = |v: Option<u64>| v.map_or_else(dash, |v| v.to_string());
    for t in &d.transactions {
        let active = match t.active_secs {
            Some(s) => format!("{s} s"),
            None => t.state.as_str().to_lowercase(),
        };
        let mut cells = vec![
            format!("({})", t.number),
            t.trx_id.to_string(),
            num(t.thread_id),
            t.user_at_host().unwrap_or_else(dash),
            active,
            num(t.row_locks),
            num(t.undo_entries),
        ];
        if with_statement {
            cells.push(t.query.as_deref().map_or_else(dash, squash));
        }
        let mut row = Row::from(cells);
        row.max_height(STATEMENT_LINES);
        table.add_row(row);
    }
    if with_statement {
        // The facts keep their width; only the statement wraps.
        for i in 0..7 {
            if let Some(column) = table.column_mut(i) {
                column.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
    }
    let lines: Vec<String> = table.lines().map(|l| l.trim_end().to_string()).collect();
    lines.join("\n")
}

/// A statement shortened to `STATEMENT_LINES` wrapped lines.
pub fn short_statement(query: &str, width: usize) -> Vec<String> {
    let mut lines = wrap(&squash(query), width, "  ", "  ");
    if lines.len() > STATEMENT_LINES {
        lines.truncate(STATEMENT_LINES);
        if let Some(last) = lines.last_mut() {
            let mut cut = truncate(last, width.saturating_sub(1));
            cut.push('…');
            *last = cut;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_statements_are_cut_to_three_lines() {
        let query = "SELECT a FROM t WHERE id IN (".to_string() + &"12345, ".repeat(60) + "0)";
        let lines = short_statement(&query, 40);
        assert_eq!(lines.len(), STATEMENT_LINES);
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{lines:?}");
        assert!(lines[2].ends_with('…'), "{lines:?}");
        assert_eq!(short_statement("SELECT 1", 40), ["  SELECT 1"]);
    }
}
