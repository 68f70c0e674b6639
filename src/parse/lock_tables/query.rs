//! The query pasted above a result set (`mysql> SELECT ENGINE_TRANSACTION_ID as Trx_Id, … FROM
//! performance_schema.data_locks;`): what each output column really is, and which table the
//! rows come from. The manual's own examples alias every column, and home-made joins of
//! `data_lock_waits` × `INNODB_TRX` name their sides only through the join condition
//! (`INNER JOIN innodb_trx b ON b.trx_id = w.blocking_trx_id`), so the names of a result set
//! are read through this first. Only a select list's `expr [AS] alias` items and the `FROM` /
//! `JOIN` table names are read: enough to name columns, never a SQL parser.

use crate::text::split_top_level;

/// Which side of a wait a join's table alias stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinSide {
    Waiting,
    Blocking,
}

/// What the query says about its output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryContext {
    /// Output column name (lower case, unquoted) → the expression it shows (lower case).
    pub aliases: Vec<(String, String)>,
    /// The tables named after `FROM` / `JOIN`, lower case (`performance_schema.data_locks`).
    pub tables: Vec<String>,
    /// Join aliases bound to a side by their join condition (`b` → blocking).
    pub sides: Vec<(String, JoinSide)>,
}

impl QueryContext {
    /// The expression an output column shows, if the query aliased it.
    pub fn source_of(&self, column: &str) -> Option<&str> {
        let column = column.to_ascii_lowercase();
        self.aliases
            .iter()
            .find(|(alias, _)| *alias == column)
            .map(|(_, expr)| expr.as_str())
    }

    /// The side a qualified expression (`b.trx_id`) stands for.
    pub fn side_of(&self, expr: &str) -> Option<JoinSide> {
        let (qualifier, _) = expr.split_once('.')?;
        self.sides
            .iter()
            .find(|(alias, _)| alias == qualifier)
            .map(|&(_, side)| side)
    }

    /// Whether the query reads a table whose name contains `name` (`data_locks`).
    pub fn reads(&self, name: &str) -> bool {
        self.tables.iter().any(|t| t.contains(name))
    }
}

/// Reads the query text found above a result set: prompt lines (`mysql>`, `->`, `MariaDB
/// [db]>`, `Connection 3>` …) and bare SQL alike.
pub fn read_query(lines: &[&str]) -> QueryContext {
    let mut sql = String::new();
    for line in lines {
        let text = strip_prompt(line.trim());
        if text.starts_with("--") || text.starts_with('#') {
            continue;
        }
        sql.push_str(text);
        sql.push(' ');
    }
    let lower = sql.to_ascii_lowercase();
    let mut ctx = QueryContext::default();
    let Some(select) = find_word(&lower, "select") else {
        return ctx;
    };
    let after_select = lower.get(select + "select".len()..).unwrap_or("");
    let from = find_word(after_select, "from").unwrap_or(after_select.len());
    let (list, rest) = after_select.split_at(from);
    for item in split_top_level(list) {
        if let Some((expr, alias)) = alias_of(item) {
            ctx.aliases.push((alias, expr));
        }
    }
    let words: Vec<&str> = rest
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if matches!(*w, "from" | "join") {
            if let Some(table) = words.get(i + 1) {
                ctx.tables.push(table.replace('`', ""));
            }
        }
    }
    ctx.sides = join_sides(rest);
    ctx
}

/// `mysql> SELECT …` → `SELECT …`; continuation prompts (`->`, `'>`) too.
fn strip_prompt(line: &str) -> &str {
    for prompt in ["->", "'>", "\">", "`>"] {
        if let Some(rest) = line.strip_prefix(prompt) {
            return rest.trim_start();
        }
    }
    // `mysql> `, `MariaDB [test]> `, `root@db 19:34: [(none)]> `, `Connection 3> `, `A> `:
    // a prompt is text up to `> ` before the first SQL word.
    if let Some((head, rest)) = line.split_once("> ") {
        let rest = rest.trim_start();
        if head.len() < 60 && starts_sql(rest) {
            return rest;
        }
    }
    line
}

fn starts_sql(text: &str) -> bool {
    let lower = text.get(..6).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("select") || lower.starts_with("with") || lower.starts_with("show")
}

/// Byte offset of `word` as a whole word.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = i
            .checked_sub(1)
            .and_then(|j| bytes.get(j))
            .map_or(true, |&b| !is_ident(b));
        let after = bytes.get(i + word.len()).map_or(true, |&b| !is_ident(b));
        before && after
    })
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// `engine_lock_id as 'lock id'` / `r.trx_id waiting_trx_id` → (expression, alias).
fn alias_of(item: &str) -> Option<(String, String)> {
    let unquote = |s: &str| {
        s.trim()
            .trim_matches(|c| c == '\'' || c == '"' || c == '`')
            .to_string()
    };
    if let Some(at) = find_word(item, "as") {
        let (expr, alias) = item.split_at(at);
        let (expr, alias) = (expr.trim(), alias.get(2..).unwrap_or("").trim());
        if !expr.is_empty() && !alias.is_empty() {
            return Some((expr.to_string(), unquote(alias)));
        }
    }
    // `expr alias`: the last word, when what precedes it is a complete expression.
    let (expr, alias) = item.rsplit_once(char::is_whitespace)?;
    let expr = expr.trim();
    let alias_ok = alias
        .bytes()
        .all(|b| is_ident(b) || matches!(b, b'\'' | b'"' | b'`'));
    let expr_done = expr.ends_with(')') || expr.bytes().all(|b| is_ident(b) || b == b'.');
    (alias_ok && expr_done && !expr.is_empty()).then(|| (expr.to_string(), unquote(alias)))
}

/// `… innodb_trx b ON b.trx_id = w.blocking_trx_id …` → `b` is the blocking side. Both
/// orders of the equation; `blocking_…` / `requesting_…` / `waiting_…` columns name the side.
fn join_sides(rest: &str) -> Vec<(String, JoinSide)> {
    let mut sides = Vec::new();
    for (at, _) in rest.match_indices('=') {
        let (before, after) = rest.split_at(at);
        let left = before.split_whitespace().last().unwrap_or("");
        let right = after
            .get(1..)
            .unwrap_or("")
            .split_whitespace()
            .next()
            .unwrap_or("");
        for (this, other) in [(left, right), (right, left)] {
            let (Some((alias, _)), Some((_, column))) =
                (this.split_once('.'), other.split_once('.'))
            else {
                continue;
            };
            let side = if column.starts_with("blocking_") {
                JoinSide::Blocking
            } else if column.starts_with("requesting_") || column.starts_with("waiting_") {
                JoinSide::Waiting
            } else {
                continue;
            };
            let alias = alias.trim_matches('(').to_string();
            if !sides.iter().any(|(a, _)| *a == alias) {
                sides.push((alias, side));
            }
        }
    }
    sides
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn manual_aliases_and_table() {
        let q = read_query(&[
            "mysql> SELECT ENGINE_TRANSACTION_ID as Trx_Id,",
            "              OBJECT_NAME as `Table`,",
            "              LOCK_DATA as Data",
            "        FROM performance_schema.data_locks;",
        ]);
        assert_eq!(q.source_of("Trx_Id"), Some("engine_transaction_id"));
        assert_eq!(q.source_of("table"), Some("object_name"));
        assert_eq!(q.source_of("data"), Some("lock_data"));
        assert!(q.reads("data_locks"));
    }

    #[test]
    fn join_sides_from_the_on_clause() {
        let q = read_query(&[
            "mysql> SELECT",
            "    ->   r.trx_id waiting_trx_id,",
            "    ->   b.trx_mysql_thread_id blocking_thread,",
            "    ->   CONCAT(OBJECT_SCHEMA, '.', OBJECT_NAME) AS '加锁的表'",
            "    -> FROM       performance_schema.data_lock_waits w",
            "    -> INNER JOIN information_schema.innodb_trx b",
            "    ->   ON b.trx_id = w.blocking_engine_transaction_id",
            "    -> INNER JOIN information_schema.innodb_trx r",
            "    ->   ON w.requesting_engine_transaction_id = r.trx_id;",
        ]);
        assert_eq!(q.source_of("waiting_trx_id"), Some("r.trx_id"));
        assert_eq!(
            q.source_of("blocking_thread"),
            Some("b.trx_mysql_thread_id")
        );
        assert_eq!(
            q.source_of("加锁的表"),
            Some("concat(object_schema, '.', object_name)")
        );
        assert_eq!(q.side_of("b.trx_mysql_thread_id"), Some(JoinSide::Blocking));
        assert_eq!(q.side_of("r.trx_id"), Some(JoinSide::Waiting));
        assert!(q.reads("data_lock_waits") && q.reads("innodb_trx"));
    }

    #[test]
    fn no_query_no_context() {
        assert_eq!(read_query(&["some prose"]), QueryContext::default());
        assert_eq!(read_query(&[]), QueryContext::default());
    }
}
