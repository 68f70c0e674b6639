//! Rows fetched from a server, rendered as the `mysql` client's batch output (`mysql -B`: a
//! header line, tab-separated values, `\t` `\n` `\\` `\0` escaped, `NULL` for SQL NULL), so the
//! lock tables go through the same parsers as a file someone captured with the client.

/// One result set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The statement that produced it.
    pub name: &'static str,
    pub columns: Vec<String>,
    /// Cells as bytes; `None` is SQL NULL.
    pub rows: Vec<Vec<Option<Vec<u8>>>>,
}

impl Table {
    /// The index of a column by name, ignoring case.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    }

    /// `mysql -B` output: nothing for an empty result (as the client prints), else the header
    /// and one line per row.
    pub fn to_batch_text(&self) -> String {
        let mut out = String::new();
        if self.rows.is_empty() {
            return out;
        }
        out.push_str(&self.columns.join("\t"));
        out.push('\n');
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    out.push('\t');
                }
                match cell {
                    None => out.push_str("NULL"),
                    Some(bytes) => escape_into(&String::from_utf8_lossy(bytes), &mut out),
                }
            }
            out.push('\n');
        }
        out
    }
}

fn escape_into(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_mysql_batch_mode() {
        let table = Table {
            name: "SELECT * FROM information_schema.INNODB_TRX",
            columns: vec!["trx_id".into(), "trx_query".into(), "trx_state".into()],
            rows: vec![
                vec![
                    Some(b"47".to_vec()),
                    Some(b"UPDATE t\n SET a = '\t\\'".to_vec()),
                    Some(b"LOCK WAIT".to_vec()),
                ],
                vec![Some(b"48".to_vec()), None, Some(b"RUNNING".to_vec())],
            ],
        };
        assert_eq!(
            table.to_batch_text(),
            "trx_id\ttrx_query\ttrx_state\n\
             47\tUPDATE t\\n SET a = '\\t\\\\'\tLOCK WAIT\n\
             48\tNULL\tRUNNING\n"
        );
        assert_eq!(table.column("TRX_STATE"), Some(2));
    }

    #[test]
    fn an_empty_result_prints_nothing() {
        let table = Table {
            columns: vec!["a".into()],
            ..Table::default()
        };
        assert_eq!(table.to_batch_text(), "");
    }
}
