//! pt-deadlock-logger rows redacted cell by cell: users, hosts, IPs and the server's name
//! masked, statements redacted like any statement, names kept unless `--redact-names`. A row
//! whose cells cannot be told apart is dropped rather than passed on unredacted.

use super::sql::redact_sql;
use super::tokens::{NameKind, Tokens};
use crate::parse::logger_row_cells;
use crate::text::{is_logger_header, Chunk};

pub(super) fn redact_rows(chunk: &Chunk, tokens: &mut Tokens, names: bool) -> Chunk {
    let mut out = Chunk::default();
    let mut header: Option<String> = None;
    for (n, line) in chunk.lines() {
        // The splitter keeps the lines trimmed.
        if is_logger_header(line) {
            header = Some(line.to_string());
            out.push(n, line);
            continue;
        }
        let Some(cells) = logger_row_cells(header.as_deref(), line) else {
            continue;
        };
        let values: Vec<String> = cells
            .iter()
            .map(|(column, value)| cell(column, value, tokens, names))
            .collect();
        // Tabs: an emptied cell (no IP) stays a cell of its own.
        out.push(n, &values.join("\t"));
    }
    out
}

fn cell(column: &str, value: &str, tokens: &mut Tokens, names: bool) -> String {
    if value.is_empty() {
        return String::new();
    }
    match column {
        "query" => redact_sql(value, tokens, names),
        "user" => tokens.user(value),
        "hostname" | "server" => tokens.host(value),
        "ip" => tokens.ip(value),
        "db" if names => tokens.name(NameKind::Schema, value),
        "tbl" if names => tokens.name(NameKind::Table, value),
        "idx" if names => tokens.name(NameKind::Index, value),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_hosts_and_values_are_masked() {
        // See: fixtures/shapes/logger-01 (mysql-deadlock-logger, 2007).
        let mut chunk = Chunk::default();
        chunk.push(1, "server ts thread txn_id txn_time user hostname ip db tbl idx lock_type lock_mode wait_hold victim query");
        chunk.push(2, "db7.example.com 2007-03-08T20:34:22 81 21309 29 baron app3.example.com 10.1.2.3 test c GEN_CLUST_INDEX RECORD X w 1 select * from c where id = 42 for update");
        let out = redact_rows(&chunk, &mut Tokens::default(), false);
        let row = out
            .lines()
            .nth(1)
            .map(|(_, l)| l.to_string())
            .unwrap_or_default();
        for secret in ["baron", "example.com", "10.1.2.3", "42"] {
            assert!(!row.contains(secret), "{secret} in {row}");
        }
        assert!(row.contains("2007-03-08T20:34:22\t81\t21309"), "{row}");
        assert!(row.contains("\ttest\tc\tGEN_CLUST_INDEX\t"), "{row}");
        let cells = logger_row_cells(out.lines().next().map(|(_, h)| h), &row).unwrap_or_default();
        assert_eq!(cells.len(), 16, "{cells:?}");
    }
}
