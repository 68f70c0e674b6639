//! A lock-table result set redacted cell by cell by what its column holds (`LOCK_DATA` values,
//! statements, hosts, users; with `--redact-names` schemas, tables and indexes), printed back
//! as `mysql -B` output (a header, then tab-separated rows) or, for names `-B` cannot carry, as
//! a markdown table: either reads as the same table.

use super::sql::redact_sql;
use super::tokens::{looks_like_ip, NameKind, Tokens};
use crate::parse::lock_tables::{
    column_roles, is_batch_header, parse_result_set, read_query, Role,
};
use crate::split::TableText;
use crate::text::{split_top_level, Chunk, Shape};

/// `table` redacted, as a `-B` result set (a markdown table when a header would not read back
/// as a `-B` header). `None` when it is not a result set at all.
pub fn redact_table(table: &TableText, tokens: &mut Tokens, names: bool) -> Option<TableText> {
    let mut set = parse_result_set(table.shape, table.chunk.lines())?;
    let query: Vec<&str> = table.query.iter().map(String::as_str).collect();
    let roles = column_roles(&set, &read_query(&query));
    for row in &mut set.rows {
        for (cell, role) in row.iter_mut().zip(&roles) {
            if let (Some(value), Some(role)) = (cell.as_mut(), role) {
                if let Some(red) = redact_cell(value, *role, tokens, names) {
                    *value = red;
                }
            }
        }
    }
    let mut chunk = Chunk::new();
    // A `\G` row without a field the others have is as wide as the rest: NULL there.
    let width = set
        .columns
        .len()
        .max(set.rows.iter().map(Vec::len).max().unwrap_or(0));
    let header = set.columns.join("\t");
    let batch = set.headerless || is_batch_header(&header);
    if batch {
        if !set.headerless {
            // A later `\G` piece of a large result set: line 0 tells the writer to go on with
            // the piece before (a piece of a boxed or `-B` one repeats the header's line).
            chunk.push(if set.continues { 0 } else { set.line }, &header);
        }
        for (i, row) in set.rows.iter().enumerate() {
            let cells: Vec<String> = (0..width)
                .map(|j| batch_cell(row.get(j).and_then(|c| c.as_deref())))
                .collect();
            chunk.push(
                set.row_lines.get(i).copied().unwrap_or(set.line),
                &cells.join("\t"),
            );
        }
    } else {
        // Names a `-B` header cannot carry (`waiting trx id`): a markdown table, which can.
        let row_text = |cells: Vec<&str>| format!("| {} |", cells.join(" | "));
        chunk.push(
            set.line,
            &row_text(set.columns.iter().map(String::as_str).collect()),
        );
        chunk.push(set.line, &row_text(vec!["---"; set.columns.len()]));
        for (i, row) in set.rows.iter().enumerate() {
            let cells: Vec<String> = (0..width)
                .map(|j| markdown_cell(row.get(j).and_then(|c| c.as_deref())))
                .collect();
            let line = set.row_lines.get(i).copied().unwrap_or(set.line);
            chunk.push(line, &row_text(cells.iter().map(String::as_str).collect()));
        }
    }
    Some(TableText {
        shape: if batch { Shape::Batch } else { Shape::Markdown },
        query: table
            .query
            .iter()
            .map(|q| redact_sql(q, tokens, names))
            .collect(),
        chunk,
    })
}

/// A markdown cell cannot hold `|` or a line break.
fn markdown_cell(cell: Option<&str>) -> String {
    cell.unwrap_or("NULL")
        .replace('|', "¦")
        .replace(['\n', '\r'], " ")
}

/// `mysql -B` escapes newline, tab, backslash and NUL in cells.
fn batch_cell(cell: Option<&str>) -> String {
    let Some(cell) = cell else {
        return "NULL".to_string();
    };
    let mut out = String::with_capacity(cell.len());
    for c in cell.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out
}

/// The redacted cell, `None` to keep it.
fn redact_cell(value: &str, role: Role, tokens: &mut Tokens, names: bool) -> Option<String> {
    Some(match role {
        Role::LockData => lock_data(value, tokens),
        Role::Query => redact_sql(value, tokens, names),
        Role::User => tokens.user(value.trim()),
        Role::Host => host_port(value.trim(), tokens),
        Role::Schema if names => tokens.name(NameKind::Schema, value.trim()),
        Role::Table if names => tokens.name(NameKind::Table, value.trim()),
        Role::Index if names => tokens.name(NameKind::Index, value.trim()),
        Role::SchemaTable if names => schema_table(value, tokens),
        _ => return None,
    })
}

/// `host:port` (PROCESSLIST's `Host`): the host's token, the port kept.
fn host_port(value: &str, tokens: &mut Tokens) -> String {
    match value.rsplit_once(':') {
        Some((host, port))
            if !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && !(host.contains(':') && looks_like_ip(value)) =>
        {
            format!("{}:{port}", tokens.host(host))
        }
        _ => tokens.host(value),
    }
}

/// `` `db`.`t` `` or `db/t` (INNODB_LOCKS' `lock_table`, a join's `CONCAT`).
fn schema_table(value: &str, tokens: &mut Tokens) -> String {
    let v = value.trim();
    let sep = if v.contains("`.`") {
        "`.`"
    } else if v.contains('/') {
        "/"
    } else {
        "."
    };
    match v.split_once(sep) {
        Some((schema, table)) => {
            let s = tokens.name(NameKind::Schema, schema.trim_matches('`'));
            let t = tokens.name(NameKind::Table, table.trim_matches('`'));
            if sep == "`.`" {
                format!("`{s}`.`{t}`")
            } else {
                format!("{s}{sep}{t}")
            }
        }
        None => tokens.name(NameKind::Table, v.trim_matches('`')),
    }
}

/// `LOCK_DATA`: each value of the key (`1`, `'abc', 5`, `0x0A1B`) by its token; the pseudo
/// records and NULL kept.
fn lock_data(value: &str, tokens: &mut Tokens) -> String {
    let v = value.trim();
    // A `\G` value runs on over the lines a copy left below it (`2 rows in set`): its first
    // line is the value.
    let first = v.lines().next().unwrap_or("").trim();
    if first.contains("pseudo-record") || first.eq_ignore_ascii_case("NULL") || first.is_empty() {
        return value.to_string();
    }
    split_top_level(v)
        .into_iter()
        .map(|p| {
            if let Some(body) = p.strip_prefix('\'') {
                format!("'{}'", tokens.text(body.strip_suffix('\'').unwrap_or(body)))
            } else if let Some(hex) = p.strip_prefix("0x") {
                let token = tokens.number(p);
                format!("0x{token:0>width$}", width = hex.len())
            } else if let Some(n) = p.strip_prefix('-').filter(|n| is_number(n)) {
                format!("-{}", tokens.number(n))
            } else if is_number(p) {
                tokens.number(p)
            } else if p.eq_ignore_ascii_case("NULL") {
                p.to_string()
            } else {
                tokens.text(p)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_number(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_data_keeps_its_shape() {
        let mut t = Tokens::default();
        assert_eq!(lock_data("101", &mut t), "1");
        assert_eq!(lock_data("'alice', 101", &mut t), "'s1___', 1");
        assert_eq!(
            lock_data("supremum pseudo-record", &mut t),
            "supremum pseudo-record"
        );
        assert_eq!(lock_data("'a,b', 7", &mut t), "'s2_', 2");
    }

    #[test]
    fn hosts_keep_their_port() {
        let mut t = Tokens::default();
        assert_eq!(host_port("app-7.internal:51234", &mut t), "host1:51234");
        assert_eq!(host_port("10.0.0.5:3306", &mut t), "192.0.2.1:3306");
        assert_eq!(host_port("localhost", &mut t), "localhost");
    }
}
