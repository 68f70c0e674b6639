//! `\G` output: a row marker, then one right-aligned `name: value` line per column. Copies
//! condense a row onto fewer lines, let a statement run over several lines, and cut rows
//! short; a million-row paste of a busy server's `data_locks` comes this way too, so a
//! field's column is found without a search.

use super::ResultSet;

// *************************** 1. row ***************************
//     lock_id: 610:15:3:5
// lock_trx_id: 610
pub(super) fn vertical<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Option<ResultSet> {
    let mut set = ResultSet::default();
    // The fields of the row being read, by column: every row prints the columns in one order,
    // so a field's column is found where the row's previous field's was, plus one.
    let mut current: Vec<(usize, String)> = Vec::new();
    let mut row_line = 0;
    for (line_no, text) in lines {
        let trimmed = crate::text::trim(text);
        if trimmed.starts_with("***") && trimmed.contains(". row") {
            set.flush_vertical(&mut current, row_line);
            row_line = line_no;
            if set.line == 0 {
                set.line = line_no;
                let number = trimmed.trim_start_matches(['*', ' ']).split('.').next();
                set.continues = number.is_some_and(|n| n.trim() != "1");
            }
            continue;
        }
        if trimmed.is_empty() && current.is_empty() {
            continue;
        }
        if ends_vertical(trimmed) {
            break;
        }
        match key_value(text) {
            Some((key, value)) => {
                // `trx_id: 123  trx_state: LOCK WAIT  trx_started: …`: a row condensed onto
                // fewer lines, each pair after the first named by a column the dictionary knows.
                let mut key = key;
                let mut rest = value;
                while let Some((end, next, after)) = next_pair(rest) {
                    let value = rest.get(..end).unwrap_or(rest).trim_end();
                    let value = value.trim_end_matches([',', ';', '|']).trim_end();
                    let column = set.vertical_column(key, &current);
                    current.push((column, value.to_string()));
                    key = next;
                    rest = after;
                }
                let column = set.vertical_column(key, &current);
                current.push((column, rest.to_string()));
            }
            None => {
                // A value with newlines (a statement) continues on the next lines.
                if let Some((_, value)) = current.last_mut() {
                    value.push('\n');
                    value.push_str(text);
                }
            }
        }
    }
    set.flush_vertical(&mut current, row_line);
    (!set.columns.is_empty()).then_some(set)
}

impl ResultSet {
    /// The column of a `\G` field named `key`, the row so far being `row`: a name not seen
    /// before is a new column.
    fn vertical_column(&mut self, key: &str, row: &[(usize, String)]) -> usize {
        let next = row.last().map_or(0, |(i, _)| i + 1);
        if self
            .columns
            .get(next)
            .is_some_and(|c| c.eq_ignore_ascii_case(key))
        {
            return next;
        }
        self.column(key).unwrap_or_else(|| {
            self.columns.push(key.to_string());
            self.columns.len() - 1
        })
    }

    /// Ends a `\G` row (its marker at `line`): its fields become its cells.
    fn flush_vertical(&mut self, row: &mut Vec<(usize, String)>, line: usize) {
        if row.is_empty() {
            return;
        }
        let mut cells = vec![None; self.columns.len()];
        let mut seen = vec![false; self.columns.len()];
        for (i, mut value) in row.drain(..) {
            // Blank lines a copy put between the fields are not part of the values.
            let end = value.trim_end().len();
            value.truncate(end);
            if let Some(cell) = cells.get_mut(i) {
                *cell = (!value.trim().eq_ignore_ascii_case("NULL")).then_some(value);
            }
            if let Some(s) = seen.get_mut(i) {
                *s = true;
            }
        }
        // Every `\G` row prints every column: one without some was cut or edited. It is read
        // (what it has is true), and said.
        if !self.rows.is_empty() && seen.contains(&false) {
            let missing: Vec<&str> = self
                .columns
                .iter()
                .zip(&seen)
                .filter(|(_, s)| !**s)
                .map(|(c, _)| c.as_str())
                .collect();
            let why = format!(
                "row lacks {}: read without {}",
                missing
                    .iter()
                    .take(4)
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if missing.len() > 4 { ", …" } else { "" },
                if missing.len() == 1 { "it" } else { "them" }
            );
            self.problem(line, why);
        }
        self.push_row(line, cells);
    }
}

/// In the value of a `name: value` pair, the start of another pair on the same line: a
/// separator (two spaces, a tab, `, `, `; `, ` | `), a column name the dictionary knows, a
/// colon and a space (or the end). The byte where the value ends, the next name and the rest
/// after its colon.
fn next_pair(value: &str) -> Option<(usize, &str, &str)> {
    let mut from = 0;
    while let Some(at) = value.get(from..).and_then(|v| v.find([' ', '\t'])) {
        let sep_start = from + at;
        // The whitespace (and punctuation) run of the separator.
        let sep_end = value
            .get(sep_start..)
            .and_then(|v| v.find(|c: char| !c.is_whitespace()))
            .map_or(value.len(), |n| sep_start + n);
        let before = value.get(..sep_start).unwrap_or("");
        let gap = value.get(sep_start..sep_end).unwrap_or("");
        let punct = before.ends_with([',', ';', '|']);
        let wide = gap.len() >= 2 || gap.contains('\t') || punct;
        from = sep_end.max(sep_start + 1);
        if !wide || before.trim().is_empty() {
            continue;
        }
        let tail = value.get(sep_end..).unwrap_or("");
        let (name, after) = match tail.split_once(':') {
            Some(pair) => pair,
            None => continue,
        };
        let ident = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
        let spaced = after.is_empty() || after.starts_with([' ', '\t']);
        if ident && spaced && super::super::columns::is_known_column(name) {
            return Some((sep_start, name, after.strip_prefix(' ').unwrap_or(after)));
        }
    }
    None
}

/// `  lock_mode: X` → (`lock_mode`, `X`): a right-aligned identifier, a colon, a value.
fn key_value(text: &str) -> Option<(&str, &str)> {
    let trimmed = crate::text::trim_start(text);
    let (key, rest) = trimmed.split_once(':')?;
    // Names in any script (a header aliased in Chinese), never with spaces.
    let ascii = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let ident = !key.is_empty()
        && (key.bytes().all(ascii)
            || key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$'));
    if !ident {
        return None;
    }
    Some((key, rest.strip_prefix(' ').unwrap_or(rest)))
}

/// A line that ends a `\G` result set rather than continuing its last value: the client's
/// footer (`1 row in set, 1 warning (0.00 sec)`, `Empty set`) or a closing code fence.
fn ends_vertical(trimmed: &str) -> bool {
    let footer = trimmed.split_once(' ').is_some_and(|(n, rest)| {
        n.bytes().all(|b| b.is_ascii_digit())
            && (rest.starts_with("row in set") || rest.starts_with("rows in set"))
    });
    footer
        || trimmed.starts_with("Empty set")
        || trimmed.starts_with("```")
        || trimmed.starts_with("~~~")
}
