//! Cuts a SQL dump into statements, each with the line it starts on, the way the `mysql` client
//! does: `;` outside quotes and comments ends a statement, `DELIMITER` changes the terminator,
//! comments (`-- `, `#`, `/* */` and mysqldump's `/*!40101 … */`) are blanked out. The output of
//! `SHOW CREATE TABLE\G` (`Table:` / `Create Table:` rows, no `;`) is accepted too.

/// One statement: its text without comments, and the 1-based line where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub line: usize,
    pub text: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    Quoted(char),
    LineComment,
    BlockComment,
}

/// Splits `sql` into statements; empty ones (a lone `;`, a statement that was only a comment)
/// are dropped.
pub fn split(sql: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start: Option<usize> = None;
    let mut delimiter = ";".to_string();
    let mut state = State::Code;
    let mut line_no = 0;
    for raw_line in sql.split_inclusive('\n') {
        line_no += 1;
        let trimmed = raw_line.trim();
        if state == State::Code && current.trim().is_empty() {
            // Client commands and `\G` row decorations are whole lines.
            if let Some(rest) = strip_word(trimmed, "DELIMITER") {
                let d = rest.trim();
                if !d.is_empty() {
                    delimiter = d.to_string();
                }
                continue;
            }
        }
        if state == State::Code {
            if is_vertical_row_banner(trimmed) || is_rows_in_set(trimmed) {
                flush(&mut out, &mut current, &mut start);
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix("Create Table:") {
                flush(&mut out, &mut current, &mut start);
                start = Some(line_no);
                current.push_str(rest);
                current.push('\n');
                continue;
            }
            if current.trim().is_empty() && trimmed.starts_with("Table:") {
                continue;
            }
        }
        let chars: Vec<char> = raw_line.chars().collect();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            let next = chars.get(i + 1).copied();
            match state {
                State::LineComment => {
                    if c == '\n' {
                        state = State::Code;
                        current.push('\n');
                    }
                }
                State::BlockComment => {
                    if c == '*' && next == Some('/') {
                        state = State::Code;
                        current.push(' ');
                        i += 1;
                    } else if c == '\n' {
                        current.push('\n');
                    }
                }
                State::Quoted(q) => {
                    current.push(c);
                    if c == '\\' && q != '`' {
                        if let Some(n) = next {
                            current.push(n);
                            i += 1;
                        }
                    } else if c == q {
                        if next == Some(q) {
                            current.push(q);
                            i += 1;
                        } else {
                            state = State::Code;
                        }
                    }
                }
                State::Code => {
                    if c == '#' || (c == '-' && next == Some('-') && is_dash_comment(&chars, i)) {
                        state = State::LineComment;
                    } else if c == '/' && next == Some('*') {
                        state = State::BlockComment;
                        i += 1;
                    } else if matches!(c, '\'' | '"' | '`') {
                        state = State::Quoted(c);
                        current.push(c);
                        if start.is_none() {
                            start = Some(line_no);
                        }
                    } else if starts_with_at(&chars, i, &delimiter) {
                        flush(&mut out, &mut current, &mut start);
                        i += delimiter.chars().count() - 1;
                    } else {
                        if start.is_none() && !c.is_whitespace() {
                            start = Some(line_no);
                        }
                        current.push(c);
                    }
                }
            }
            i += 1;
        }
    }
    flush(&mut out, &mut current, &mut start);
    out
}

fn flush(out: &mut Vec<Statement>, current: &mut String, start: &mut Option<usize>) {
    let text = current.trim();
    if let (false, Some(line)) = (text.is_empty(), *start) {
        out.push(Statement {
            line,
            text: text.to_string(),
        });
    }
    current.clear();
    *start = None;
}

/// `-- ` starts a comment only when followed by a space or the end of the line (MySQL rule).
fn is_dash_comment(chars: &[char], i: usize) -> bool {
    chars.get(i + 2).map_or(true, |c| c.is_whitespace())
}

fn starts_with_at(chars: &[char], i: usize, s: &str) -> bool {
    s.chars()
        .enumerate()
        .all(|(k, c)| chars.get(i + k) == Some(&c))
}

/// `*************************** 1. row ***************************`
fn is_vertical_row_banner(line: &str) -> bool {
    line.starts_with("****") && line.ends_with("****") && line.contains(". row ")
}

/// `1 row in set (0.00 sec)`, the client's footer after `\G` output.
fn is_rows_in_set(line: &str) -> bool {
    line.split_once(' ').is_some_and(|(n, rest)| {
        n.bytes().all(|b| b.is_ascii_digit())
            && (rest.starts_with("row in set") || rest.starts_with("rows in set"))
    })
}

/// The rest of `line` after a leading keyword (any case) and a space.
pub(crate) fn strip_word<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let head = line.get(..word.len())?;
    let rest = line.get(word.len()..)?;
    (head.eq_ignore_ascii_case(word) && (rest.is_empty() || rest.starts_with(char::is_whitespace)))
        .then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<(usize, String)> {
        split(sql).into_iter().map(|s| (s.line, s.text)).collect()
    }

    #[test]
    fn mysqldump_header_and_comments() {
        let sql = "-- MySQL dump 10.13\n\
                   /*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n\
                   DROP TABLE IF EXISTS `t`;\n\
                   /*!40101 SET character_set_client = utf8 */;\n\
                   CREATE TABLE `t` (\n  `a` int, -- the key\n  `b` varchar(3) DEFAULT 'x;y'\n) \
                   ENGINE=InnoDB /*!50100 PARTITION BY HASH (a) */;\n";
        assert_eq!(
            texts(sql),
            [
                (3, "DROP TABLE IF EXISTS `t`".to_string()),
                (
                    5,
                    "CREATE TABLE `t` (\n  `a` int, \n  `b` varchar(3) DEFAULT 'x;y'\n) \
                     ENGINE=InnoDB"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn delimiter_and_vertical_output() {
        let sql = "DELIMITER ;;\nCREATE TRIGGER x BEGIN SET @a = 1; END;;\nDELIMITER ;\n\
                   *************************** 1. row ***************************\n\
                   \x20      Table: t\n\
                   Create Table: CREATE TABLE `t` (\n  `a` int\n) ENGINE=InnoDB\n\
                   1 row in set (0.00 sec)\n";
        let got = texts(sql);
        assert_eq!(
            got[0],
            (2, "CREATE TRIGGER x BEGIN SET @a = 1; END".to_string())
        );
        assert_eq!(got[1].0, 6);
        assert!(got[1].1.starts_with("CREATE TABLE `t`"), "{got:?}");
        assert!(got[1].1.ends_with("ENGINE=InnoDB"), "{got:?}");
    }
}
