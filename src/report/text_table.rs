//! The transactions table of the text report (comfy-table), and statements shortened for it.
//! Kept apart from the prose so the layout rules (what fits in 80 columns) live in one place.

use comfy_table::{ColumnConstraint, ContentArrangement, Row, Table, TableComponent};

use super::wrap::{squash, words_within, wrap_each};
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
    if !with_statement {
        if let Some(text) = plain_table(&FACTS_HEADER, &facts_rows(d), width) {
            return text;
        }
    }
    comfy_facts_table(d, width, with_statement)
}

const FACTS_HEADER: [&str; 7] = [
    "#",
    "trx id",
    "thread",
    "user@host",
    "active",
    "row locks",
    "undo",
];

/// The facts of each transaction, one cell per column of [`FACTS_HEADER`].
fn facts_rows(d: &Deadlock) -> Vec<[String; 7]> {
    let dash = || "-".to_string();
    let num = |v: Option<u64>| v.map_or_else(dash, |v| v.to_string());
    d.transactions
        .iter()
        .map(|t| {
            let active = match t.active_secs {
                Some(s) => format!("{s} s"),
                None => t.state.as_str().to_lowercase(),
            };
            [
                format!("({})", t.number),
                t.trx_id.to_string(),
                num(t.thread_id),
                t.user_at_host().unwrap_or_else(dash),
                active,
                num(t.row_locks),
                num(t.undo_entries),
            ]
        })
        .collect()
}

/// The table comfy-table lays out for these cells when nothing needs shortening, written
/// directly (comfy-table's general layout was a fifth of the text report's cost): each column
/// as wide as its widest cell, a space either side, a space between columns, `─` under the
/// header, trailing spaces trimmed. `None` when a cell is not plain ASCII on one line or the
/// table is wider than `width`: comfy-table then shortens it.
fn plain_table(header: &[&str], rows: &[[String; 7]], width: usize) -> Option<String> {
    let plain = |c: &str| c.bytes().all(|b| (b' '..=b'~').contains(&b));
    if !header.iter().all(|c| plain(c)) || !rows.iter().flatten().all(|c| plain(c)) {
        return None;
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let total = widths.iter().map(|w| w + 2).sum::<usize>() + widths.len().saturating_sub(1);
    if total > width {
        return None;
    }
    let mut out = String::with_capacity(total * (rows.len() + 2) * 3);
    let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
        let start = out.len();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push(' ');
            out.push_str(cell);
            out.extend(std::iter::repeat(' ').take(w - cell.len() + 1));
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
    };
    line(&mut header.iter().copied(), &mut out);
    out.push('\n');
    out.extend(std::iter::repeat('─').take(total));
    for row in rows {
        out.push('\n');
        line(&mut row.iter().map(String::as_str), &mut out);
    }
    Some(out)
}

fn comfy_facts_table(d: &Deadlock, width: usize, with_statement: bool) -> String {
    let mut table = Table::new();
    let mut header = FACTS_HEADER.to_vec();
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
    for (t, facts) in d.transactions.iter().zip(facts_rows(d)) {
        let mut cells = facts.to_vec();
        if with_statement {
            cells.push(t.query.as_deref().map_or_else(|| "-".to_string(), squash));
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
    let squashed = squash(query);
    // Only the first lines are kept: the words after them cannot change them.
    let head = words_within(&squashed, (STATEMENT_LINES + 2) * (width + 1));
    first_lines(head, width)
}

/// `text` wrapped, cut to its first `STATEMENT_LINES` lines (the last ending in `…` when there
/// were more).
fn first_lines(text: &str, width: usize) -> Vec<String> {
    // One line more than kept tells that there are more.
    let mut lines = Vec::with_capacity(STATEMENT_LINES + 1);
    wrap_each(text, width, "  ", "  ", &mut |line| {
        if lines.len() <= STATEMENT_LINES {
            lines.push(line.to_string());
        }
    });
    if lines.len() > STATEMENT_LINES {
        lines.truncate(STATEMENT_LINES);
        if let Some(last) = lines.last_mut() {
            // Room for the `…`: the line keeps at most `width - 1` of its own chars.
            if let Some((at, _)) = last.char_indices().nth(width.saturating_sub(1)) {
                last.truncate(at);
            }
            last.push('…');
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_of_a_long_statement_wraps_like_all_of_it() {
        // The whole statement wrapped: the oracle.
        let whole = |query: &str, width: usize| first_lines(&squash(query), width);
        let words = [
            "a",
            "bb",
            "ccc_dddd",
            "é→é",
            "0123456789abcdef0123456789abcdef0123456789",
        ];
        let mut seed = 7u64;
        for _ in 0..500 {
            let mut query = String::new();
            for _ in 0..200 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                query.push_str(words[(seed >> 33) as usize % words.len()]);
                query.push_str(if seed >> 60 == 0 { "\n  " } else { " " });
            }
            let width = 10 + (seed >> 40) as usize % 70;
            // Cut anywhere: at, before and after the head's end.
            let mut cut = (seed >> 20) as usize % query.len();
            while !query.is_char_boundary(cut) {
                cut -= 1;
            }
            let query = query.get(..cut).unwrap_or(&query);
            assert_eq!(
                short_statement(query, width),
                whole(query, width),
                "{query:?} at {width}"
            );
        }
    }

    #[test]
    fn long_statements_are_cut_to_three_lines() {
        let query = "SELECT a FROM t WHERE id IN (".to_string() + &"12345, ".repeat(60) + "0)";
        let lines = short_statement(&query, 40);
        assert_eq!(lines.len(), STATEMENT_LINES);
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{lines:?}");
        assert!(lines[2].ends_with('…'), "{lines:?}");
        assert_eq!(short_statement("SELECT 1", 40), ["  SELECT 1"]);
    }

    #[test]
    fn a_cut_line_ends_in_one_ellipsis_whatever_its_width() {
        for width in 12..40 {
            // Lines of exactly `width` chars, each word filling one line.
            let word = "w".repeat(width - 2);
            let query = [word.as_str(); 5].join(" ");
            let lines = short_statement(&query, width);
            let last = &lines[STATEMENT_LINES - 1];
            assert!(last.ends_with('…') && !last.ends_with("……"), "{lines:?}");
            assert_eq!(last.chars().count(), width, "{lines:?}");
        }
    }

    /// The direct layout is byte for byte comfy-table's, on every deadlock of the fixtures.
    #[test]
    fn the_plain_table_is_comfy_tables() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut files = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "txt") {
                    files.push(path);
                }
            }
        }
        let mut compared = 0;
        for path in files {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let (found, _) = crate::analyze::analyze_text("t", &text);
            for a in found.iter().take(20) {
                for width in [40, 60, 80, 120, 200] {
                    let rows = facts_rows(&a.deadlock);
                    if let Some(plain) = plain_table(&FACTS_HEADER, &rows, width) {
                        let comfy = comfy_facts_table(&a.deadlock, width, false);
                        assert_eq!(plain, comfy, "{} at {width}", path.display());
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 500, "only {compared} tables compared");
    }
}
