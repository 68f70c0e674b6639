//! Reads one query result as the `mysql` / `mariadb` client prints it — boxed table (`-t` or the
//! interactive `;`), vertical (`\G`), batch TSV with a header (`-B`), or JSON (an array of
//! objects, or one object per line) — into columns and rows. Columns are kept by header name,
//! so reordered or unknown columns do not matter (format-spec §7–§9).

use serde_json::Value;

mod vertical;
use vertical::vertical;

pub use crate::text::Shape;

/// One result set: header names and the cells of each row (`None` for SQL NULL).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultSet {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    /// 1-based physical line of each row (its first line).
    pub row_lines: Vec<usize>,
    /// 1-based physical line of the header (or first row line).
    pub line: usize,
    /// No header was printed (`mysql -B -N`, a GUI's "copy rows"): `columns` are empty names.
    pub headerless: bool,
    /// Rows not read whole: (line, why).
    pub problems: Vec<(usize, String)>,
    /// A later piece of a large `\G` result set (the splitter hands them on in pieces): its
    /// first row is not row 1.
    pub continues: bool,
}

impl ResultSet {
    /// Index of a column by name, ignoring case (`LOCK_MODE` and `lock_mode` are one column).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    }

    /// True when every name is a column.
    pub fn has_columns(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.column(n).is_some())
    }

    /// The cell of `row` in column `name`; `None` for NULL, a missing column or a short row.
    pub fn get<'a>(&self, row: &'a [Option<String>], name: &str) -> Option<&'a str> {
        let i = self.column(name)?;
        row.get(i)?.as_deref()
    }
}

/// Parses the lines of one result set (`(physical line, text)`), printed in `shape`.
pub fn parse_result_set<'a>(
    shape: Shape,
    lines: impl Iterator<Item = (usize, &'a str)>,
) -> Option<ResultSet> {
    match shape {
        Shape::Boxed => boxed(lines),
        Shape::Vertical => vertical(lines),
        Shape::Batch => batch(lines),
        Shape::Json => json(lines),
        Shape::Markdown => markdown(lines),
    }
}

impl ResultSet {
    fn push_row(&mut self, line: usize, cells: Vec<Option<String>>) {
        self.rows.push(cells);
        self.row_lines.push(line);
    }

    /// A row of cells under the header: read when it has one cell per column, else skipped
    /// with a problem (a cell lost in the copy shifts every cell after it).
    fn push_cells(&mut self, line: usize, cells: Vec<Option<String>>) {
        if cells.len() == self.columns.len() || self.headerless {
            self.push_row(line, cells);
        } else {
            self.problem(
                line,
                format!(
                    "row has {} cells, the header {}: skipped (a cell lost or split in the \
                     copy, or the row cut off)",
                    cells.len(),
                    self.columns.len()
                ),
            );
        }
    }

    fn problem(&mut self, line: usize, why: String) {
        self.problems.push((line, why));
    }
}

// +--------+-----------+
// | trx_id | trx_state |
// +--------+-----------+
// |    610 | LOCK WAIT |
// +--------+-----------+
//
// Copies indent the whole paste (a tab, a markdown code block), wrap a long row onto a second
// line that begins with `|` again, and put comments or blank lines between rows: the rows are
// the lines that start with `|`, a row without its closing `|` goes on on the next line, and
// anything else is skipped.
fn boxed<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Option<ResultSet> {
    let mut set = ResultSet::default();
    let mut header_done = false;
    // Char positions of the `+` of the border: cells are cut there, so a value may hold ` | `.
    let mut border: Vec<usize> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (line_no, raw) in lines {
        let text = raw.trim();
        if text.starts_with('+') && pending.is_none() {
            if border.is_empty() {
                border = text
                    .char_indices()
                    .filter(|&(_, c)| c == '+')
                    .map(|(i, _)| i)
                    .collect();
            }
            continue;
        }
        if border.is_empty() || !text.starts_with('|') {
            continue;
        }
        let (row_line, row) = match pending.take() {
            Some((n, mut head)) => {
                head.push(' ');
                head.push_str(text);
                (n, head)
            }
            None => (line_no, text.to_string()),
        };
        if !row.ends_with('|') || row.len() < 2 {
            pending = Some((row_line, row));
            continue;
        }
        let cells = cut_cells(&row, &border);
        if header_done {
            set.push_cells(row_line, cells.into_iter().map(null_or).collect());
        } else {
            set.columns = cells.into_iter().map(str::to_string).collect();
            set.line = row_line;
            header_done = true;
        }
    }
    if let Some((line, _)) = pending.filter(|_| header_done) {
        set.problem(
            line,
            "row cut off: the text ends before its closing `|`: skipped".to_string(),
        );
    }
    (!set.columns.is_empty()).then_some(set)
}

// | ENGINE_TRANSACTION_ID | LOCK_MODE |
// | -------- | -------- |
// | 8665 | X,GAP,INSERT_INTENTION |
/// `|---|:---:|`: the line under a markdown table's header.
fn is_rule(text: &str) -> bool {
    text.contains('-')
        && text
            .bytes()
            .all(|b| matches!(b, b'|' | b'-' | b':' | b' ' | b'\t'))
}

fn markdown<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Option<ResultSet> {
    let mut set = ResultSet::default();
    for (line_no, raw) in lines {
        let text = raw.trim();
        if !text.starts_with('|') || is_rule(text) {
            continue;
        }
        let inner = text.strip_prefix('|').unwrap_or(text);
        let inner = inner.strip_suffix('|').unwrap_or(inner);
        // Cells in code spans (`` `A4` ``) are the values themselves.
        let cells: Vec<&str> = inner
            .split('|')
            .map(|c| c.trim().trim_matches('`'))
            .collect();
        if set.columns.is_empty() {
            set.columns = cells.into_iter().map(str::to_string).collect();
            set.line = line_no;
        } else {
            set.push_cells(line_no, cells.into_iter().map(null_or).collect());
        }
    }
    (!set.columns.is_empty()).then_some(set)
}

/// Cuts `| a | b |` at the border's `+` positions when the row is as wide as the border (ASCII
/// values), else at ` | ` (wide characters shift the columns).
fn cut_cells<'a>(row: &'a str, border: &[usize]) -> Vec<&'a str> {
    // A border of one cell over a row of several: a hand-made table (its rows split at ` | `).
    let one_cell = border.len() == 2 && row.contains(" | ");
    let aligned =
        !one_cell && row.is_ascii() && border.last().is_some_and(|&end| end + 1 == row.len());
    if aligned {
        let cells: Option<Vec<&str>> = border
            .windows(2)
            .map(|w| match w {
                [a, b] => row.get(a + 1..*b).map(str::trim),
                _ => None,
            })
            .collect();
        if let Some(cells) = cells {
            return cells;
        }
    }
    let inner = row.strip_prefix('|').unwrap_or(row);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split(" | ").map(str::trim).collect()
}

// lock_id	lock_trx_id	lock_mode
// 610:15:3:5	610	X
fn batch<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Option<ResultSet> {
    let mut set = ResultSet::default();
    for (line_no, text) in lines {
        let text = text.trim_end_matches(['\r', '\n']);
        if text.trim().is_empty() {
            continue;
        }
        if set.columns.is_empty() && set.rows.is_empty() {
            set.line = line_no;
            if is_batch_header(text) {
                set.columns = text.split('\t').map(|c| c.trim().to_string()).collect();
                continue;
            }
            set.headerless = true;
        }
        let cells: Vec<Option<String>> = text
            .split('\t')
            .map(|c| null_or(&unescape_batch(c)))
            .collect();
        if set.headerless && set.columns.len() < cells.len() {
            set.columns.resize(cells.len(), String::new());
        }
        set.push_cells(line_no, cells);
    }
    (!set.columns.is_empty()).then_some(set)
}

/// A `-B` header: two or more tab-separated identifiers.
pub fn is_batch_header(text: &str) -> bool {
    let cells: Vec<&str> = text.split('\t').collect();
    cells.len() >= 2
        && cells.iter().all(|c| {
            let c = c.trim();
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
                && !c.bytes().all(|b| b.is_ascii_digit())
        })
}

/// `mysql -B` escapes newline, tab, backslash and NUL in cells.
fn unescape_batch(cell: &str) -> String {
    if !cell.contains('\\') {
        return cell.to_string();
    }
    let mut out = String::with_capacity(cell.len());
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

// [{"ENGINE_LOCK_ID": "…", "LOCK_MODE": "X,REC_NOT_GAP", …}, …]   or one object per line
fn json<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Option<ResultSet> {
    let mut first_line = 0;
    let mut text = String::new();
    for (line_no, l) in lines {
        if first_line == 0 {
            first_line = line_no;
        }
        text.push_str(l);
        text.push('\n');
    }
    let objects: Vec<serde_json::Map<String, Value>> = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(o) => Some(o),
                _ => None,
            })
            .collect(),
        Ok(Value::Object(o)) => vec![o],
        _ => serde_json::Deserializer::from_str(&text)
            .into_iter::<serde_json::Map<String, Value>>()
            .map_while(Result::ok)
            .collect(),
    };
    let mut set = ResultSet {
        line: first_line,
        ..ResultSet::default()
    };
    for object in objects {
        let mut cells = vec![None; set.columns.len()];
        for (key, value) in object {
            let i = match set.column(&key) {
                Some(i) => i,
                None => {
                    set.columns.push(key);
                    cells.push(None);
                    set.columns.len() - 1
                }
            };
            let cell = match value {
                Value::Null => None,
                Value::String(s) => Some(s),
                other => Some(other.to_string()),
            };
            if let Some(slot) = cells.get_mut(i) {
                *slot = cell;
            }
        }
        set.push_row(first_line, cells);
    }
    (!set.columns.is_empty()).then_some(set)
}

/// A cell, `None` for SQL NULL (`NULL`, and `Null` / `null` as some copies spell it).
fn null_or(cell: &str) -> Option<String> {
    // `NULL  `: markdown line breaks and editors leave spaces after the value.
    (!cell.trim().eq_ignore_ascii_case("NULL")).then(|| cell.to_string())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
        text.lines().enumerate().map(|(i, l)| (i + 1, l))
    }

    #[test]
    fn a_footer_or_a_fence_ends_the_last_value() {
        // See: fixtures/lock-tables/public/061 (hunt P4: a closing fence) and 062 (P5: `1 row
        // in set, 1 warning`); 063 (P11: `NULL  `).
        for end in [
            "```",
            "1 row in set, 1 warning (0.00 sec)",
            "Empty set (0.00 sec)",
        ] {
            let text = format!(
                "*************************** 1. row ***************************\n  lock_id: \
                 610:15:3:5\n  lock_mode: NULL  \nlock_data: 1\n{end}\n"
            );
            let lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
            let set = vertical(lines).unwrap();
            assert_eq!(set.rows[0][2].as_deref(), Some("1"), "parsing {end:?}");
            assert_eq!(set.rows[0][1], None, "parsing {end:?}");
        }
    }

    #[test]
    fn condensed_pairs_on_one_line_are_split_at_known_column_names() {
        let text = "*************************** 1. row ***************************\n\
                    trx_id: 7334566  trx_state: LOCK WAIT  trx_started: 2019-05-19 10:00:01\n\
                    trx_query: update t set note = 'a  b: c' where id = 5\n\
                    waiting_pid: 12, blocking_pid: 11 | wait_age_secs: 21\n";
        let set = parse_result_set(Shape::Vertical, lines(text)).unwrap();
        let row = &set.rows[0];
        assert_eq!(set.get(row, "trx_id"), Some("7334566"));
        assert_eq!(set.get(row, "trx_state"), Some("LOCK WAIT"));
        assert_eq!(set.get(row, "trx_started"), Some("2019-05-19 10:00:01"));
        // `b` is no column: the value keeps its colon.
        assert_eq!(
            set.get(row, "trx_query"),
            Some("update t set note = 'a  b: c' where id = 5")
        );
        assert_eq!(set.get(row, "waiting_pid"), Some("12"));
        assert_eq!(set.get(row, "blocking_pid"), Some("11"));
        assert_eq!(set.get(row, "wait_age_secs"), Some("21"));
    }

    #[test]
    fn boxed_table() {
        let text = "+--------+-----------+-------+\n| trx_id | trx_state | q     |\n+--------+-----------+-------+\n|    610 | LOCK WAIT | NULL  |\n|    609 | RUNNING   | a | b |\n+--------+-----------+-------+";
        let set = parse_result_set(Shape::Boxed, lines(text)).unwrap();
        assert_eq!(set.columns, ["trx_id", "trx_state", "q"]);
        assert_eq!(
            set.rows[0],
            [Some("610".into()), Some("LOCK WAIT".into()), None]
        );
        assert_eq!(set.line, 2);
    }

    #[test]
    fn vertical_rows_with_multi_line_values() {
        let text = "*************************** 1. row ***************************\n    lock_id: 610:15:3:5\n  lock_data: NULL\n  trx_query: UPDATE t\nSET a = 1\n*************************** 2. row ***************************\n    lock_id: 609:15:3:5\n";
        let set = parse_result_set(Shape::Vertical, lines(text)).unwrap();
        assert_eq!(set.columns, ["lock_id", "lock_data", "trx_query"]);
        assert_eq!(set.rows.len(), 2);
        assert_eq!(set.rows[0][2].as_deref(), Some("UPDATE t\nSET a = 1"));
        assert_eq!(set.get(&set.rows[1], "LOCK_ID"), Some("609:15:3:5"));
        assert_eq!(set.get(&set.rows[1], "lock_data"), None);
    }

    #[test]
    fn batch_with_escapes_and_nulls() {
        let text = "ID\tINFO\n71\tNULL\n72\tSELECT 1\\nFROM dual";
        let set = parse_result_set(Shape::Batch, lines(text)).unwrap();
        assert_eq!(set.rows[0], [Some("71".into()), None]);
        assert_eq!(set.rows[1][1].as_deref(), Some("SELECT 1\nFROM dual"));
    }

    #[test]
    fn json_array_and_lines() {
        let text = "[{\"LOCK_MODE\": \"X,REC_NOT_GAP\", \"THREAD_ID\": 49, \"LOCK_DATA\": null}]";
        let set = parse_result_set(Shape::Json, lines(text)).unwrap();
        assert_eq!(set.get(&set.rows[0], "thread_id"), Some("49"));
        assert_eq!(set.get(&set.rows[0], "lock_mode"), Some("X,REC_NOT_GAP"));
        let text = "{\"a\": 1}\n{\"a\": 2}";
        let set = parse_result_set(Shape::Json, lines(text)).unwrap();
        assert_eq!(set.rows.len(), 2);
    }
}
