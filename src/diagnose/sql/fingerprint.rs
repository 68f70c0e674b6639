//! A statement's fingerprint: the statement with its values taken out, so that the same code
//! path gives the same text whatever rows it touched — the idea of `pt-query-digest`'s
//! fingerprint and performance_schema's `DIGEST_TEXT`. Deadlock shapes are built on it.
//!
//! Rules, in one pass over the bytes:
//! - comments (`/* … */`, `-- …`, `# …`) are dropped; a `/*!…*/` version comment too;
//! - string literals (`'…'`, `"…"`, with `\` escapes and doubled quotes), numbers, hex and bit
//!   literals (`0x1F`, `X'1F'`, `b'01'`) and `NULL`/`TRUE`/`FALSE` become `?`;
//! - a list of values (`IN (1, 2, 3)`, each row of `VALUES (…), (…)`) becomes `(?+)`, and several
//!   rows of values one: `VALUES (?+)`;
//! - words are lower-cased, backquotes dropped, whitespace made one space (none around
//!   punctuation).
//!
//! InnoDB prints at most 1024 bytes of a statement (and a copy may be cut anywhere): text cut
//! inside a literal or a list of values closes it, so a cut statement fingerprints like its
//! whole form when the cut falls among the values.

/// The fingerprint of `sql` (possibly cut short).
pub fn fingerprint(sql: &str) -> String {
    let tokens = tokens(sql);
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while let Some(t) = tokens.get(i) {
        if let Some(end) = list_end(&tokens, i) {
            push(&mut out, &Token::List);
            i = end + 1;
            // Rows after the first of a VALUES list: `, (…)` again and again.
            while tokens.get(i) == Some(&Token::Punct(',')) {
                match list_end(&tokens, i + 1) {
                    Some(end) => i = end + 1,
                    None => break,
                }
            }
            continue;
        }
        push(&mut out, t);
        i += 1;
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    /// A bare word, written lower-cased (ASCII).
    Word(&'a str),
    /// A backquoted name, written lower-cased, without its quotes.
    Name(&'a str),
    Value,
    /// A collapsed list of values: `(?+)`.
    List,
    Open,
    Close,
    Punct(char),
}

/// When `tokens[open]` is the `(` of a list of values — after `IN` or `VALUES`, or a further
/// row after `VALUES (…),` — the index of its matching `)`, or the last index when the text
/// ends inside it (a cut statement). A subquery is not a list.
fn list_end(tokens: &[Token<'_>], open: usize) -> Option<usize> {
    if tokens.get(open) != Some(&Token::Open) {
        return None;
    }
    let after = match open.checked_sub(1).and_then(|j| tokens.get(j)) {
        Some(t @ (Token::Word(_) | Token::Name(_))) => is_word(t, &["in", "values", "value"]),
        Some(Token::Punct(',')) => open
            .checked_sub(2)
            .and_then(|j| tokens.get(j))
            .is_some_and(|t| *t == Token::Close),
        _ => false,
    };
    if !after {
        return None;
    }
    // `VALUES(col)` of an upsert is a function, not a list: a list holds a value.
    let mut depth = 0usize;
    let mut values = false;
    for (j, t) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::Open => depth += 1,
            Token::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return values.then_some(j);
                }
            }
            Token::Value => values = true,
            t if is_word(t, &["select"]) => return None,
            _ => {}
        }
    }
    values.then_some(tokens.len().saturating_sub(1))
}

/// Whether `t` is one of `words` (lower-case keywords), in any case.
fn is_word(t: &Token<'_>, words: &[&str]) -> bool {
    match t {
        Token::Word(w) | Token::Name(w) => words.iter().any(|k| w.eq_ignore_ascii_case(k)),
        _ => false,
    }
}

fn push(out: &mut String, t: &Token<'_>) {
    let text: &str = match t {
        Token::Word(w) | Token::Name(w) => w,
        Token::Value => "?",
        Token::List => "(?+)",
        Token::Open => "(",
        Token::Close => ")",
        // `*` stands alone (`select * from`, `count(*)`); other punctuation sits against its
        // neighbours: `a=?`, `t.id`, `(a,b)`.
        Token::Punct('*') => "*",
        Token::Punct(c) => {
            out.push(*c);
            return;
        }
    };
    // The glue characters are ASCII: the last byte tells, except after a non-ASCII letter.
    let last = out.as_bytes().last().copied();
    let after_glue = matches!(
        last,
        None | Some(
            b'(' | b'.' | b'=' | b'<' | b'>' | b'!' | b',' | b'+' | b'-' | b'/' | b'@' | b'%'
        )
    );
    // A call or a list: `values(`, `in(?+)`, `count(`.
    let opens = matches!(t, Token::Open | Token::List)
        && match last {
            Some(b) if b.is_ascii() => b.is_ascii_alphanumeric() || b == b'_',
            Some(_) => out.chars().next_back().is_some_and(char::is_alphanumeric),
            None => false,
        };
    if !(after_glue || opens || matches!(t, Token::Close)) {
        out.push(' ');
    }
    match t {
        Token::Word(w) | Token::Name(w) if w.is_ascii() => {
            let at = out.len();
            out.push_str(w);
            if let Some(added) = out.get_mut(at..) {
                added.make_ascii_lowercase();
            }
        }
        // Bare words lower-case ASCII only, backquoted names every letter.
        Token::Word(w) => out.extend(w.chars().map(|c| c.to_ascii_lowercase())),
        Token::Name(w) => out.push_str(&w.to_lowercase()),
        _ => out.push_str(text),
    }
}

/// What a literal of a statement is, for the redactor (`literal_spans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal {
    /// `'…'` or `"…"`, with any `_charset`/`N` prefix.
    Text,
    /// `42`, `-1.5e3` (the sign is not part of it).
    Number,
    /// `0x1F`, `X'1F'`, `b'01'`.
    Hex,
    /// `/* … */`, `-- …`, `# …`.
    Comment,
}

/// The literals and comments of `sql`, as byte ranges in order: what a redactor replaces
/// (`NULL`, `TRUE` and `FALSE` say nothing about the data and are not listed).
pub fn literal_spans(sql: &str) -> Vec<(std::ops::Range<usize>, Literal)> {
    lex(sql)
        .into_iter()
        .filter_map(|l| Some((l.start..l.end, l.literal?)))
        .collect()
}

/// One token and where it is.
struct Lexeme<'a> {
    token: Option<Token<'a>>,
    literal: Option<Literal>,
    start: usize,
    end: usize,
}

fn lex<'a>(sql: &'a str) -> Vec<Lexeme<'a>> {
    let b = sql.as_bytes();
    // About one token per three bytes of a statement: no growing on the way.
    let mut out = Vec::with_capacity(sql.len() / 3 + 4);
    let mut i = 0;
    // Records a lexeme and returns where the next one starts.
    let push = |out: &mut Vec<Lexeme<'a>>,
                token: Option<Token<'a>>,
                literal: Option<Literal>,
                start: usize,
                end: usize| {
        out.push(Lexeme {
            token,
            literal,
            start,
            end: end.min(b.len()),
        });
        end
    };
    while let Some(&c) = b.get(i) {
        let start = i;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = find(b, i + 2, b"*/").map_or(b.len(), |e| e + 2);
                i = push(&mut out, None, Some(Literal::Comment), start, end);
            }
            // `-- …` and `# …` run to the end of the line.
            b'-' | b'#'
                if c == b'#'
                    || b.get(i + 1) == Some(&b'-')
                        && b.get(i + 2).map_or(true, |c| c.is_ascii_whitespace()) =>
            {
                let end = line_end(b, i);
                i = push(&mut out, None, Some(Literal::Comment), start, end);
            }
            b'\'' | b'"' => {
                let end = string_end(b, i);
                i = push(
                    &mut out,
                    Some(Token::Value),
                    Some(Literal::Text),
                    start,
                    end,
                );
            }
            // A markdown fence (```sql) pasted with the statement is markup, not a quoted name
            // that would swallow the values after it.
            b'`' if b.get(i + 1) == Some(&b'`') && b.get(i + 2) == Some(&b'`') => {
                while b.get(i) == Some(&b'`') {
                    i += 1;
                }
            }
            b'`' => {
                let end = memchr::memchr(b'`', b.get(i + 1..).unwrap_or_default())
                    .map_or(b.len(), |e| i + 1 + e);
                let name = sql.get(i + 1..end).unwrap_or_default();
                i = push(&mut out, Some(Token::Name(name)), None, start, end + 1);
            }
            b'0'..=b'9' => {
                let end = number_end(b, i);
                let hex = c == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X' | b'b' | b'B'));
                // `2_2_3_t_1`, `1st_table`: a name may start with digits (never a literal).
                if !hex && b.get(end).is_some_and(|&n| WORD[usize::from(n)]) {
                    i = start
                        + b.get(start..)
                            .unwrap_or_default()
                            .iter()
                            .position(|&n| !WORD[usize::from(n)])
                            .unwrap_or(b.len() - start);
                    let word = sql.get(start..i).unwrap_or_default();
                    push(&mut out, Some(Token::Word(word)), None, start, i);
                    continue;
                }
                let kind = if hex { Literal::Hex } else { Literal::Number };
                i = push(&mut out, Some(Token::Value), Some(kind), start, end);
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) && !prev_is_name(&out) => {
                let end = number_end(b, i + 1);
                i = push(
                    &mut out,
                    Some(Token::Value),
                    Some(Literal::Number),
                    start,
                    end,
                );
            }
            b'(' => i = push(&mut out, Some(Token::Open), None, start, i + 1),
            b')' => i = push(&mut out, Some(Token::Close), None, start, i + 1),
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c == b'@' || c >= 0x80 => {
                i += b
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .position(|&c| !WORD[usize::from(c)])
                    .unwrap_or(b.len() - i);
                let word = sql.get(start..i).unwrap_or_default();
                // X'1F', b'01', N'text', _utf8mb4'text': a literal with a prefix.
                if b.get(i) == Some(&b'\'') && (word.len() == 1 || word.starts_with('_')) {
                    let kind = if matches!(word, "x" | "X" | "b" | "B") {
                        Literal::Hex
                    } else {
                        Literal::Text
                    };
                    let end = string_end(b, i);
                    i = push(&mut out, Some(Token::Value), Some(kind), start, end);
                    continue;
                }
                let token = if ["null", "true", "false"]
                    .iter()
                    .any(|k| word.eq_ignore_ascii_case(k))
                {
                    Token::Value
                } else {
                    Token::Word(word)
                };
                push(&mut out, Some(token), None, start, i);
            }
            _ => {
                // Non-ASCII bytes are words above; this is ASCII punctuation.
                i = push(
                    &mut out,
                    Some(Token::Punct(char::from(c))),
                    None,
                    start,
                    i + 1,
                );
            }
        }
    }
    out
}

fn tokens(sql: &str) -> Vec<Token<'_>> {
    // `- 5` and `+5` after an operator or `(`/`,` are signed values, not arithmetic.
    let mut signed: Vec<Token<'_>> = Vec::with_capacity(sql.len() / 3);
    for t in lex(sql).into_iter().filter_map(|l| l.token) {
        if t == Token::Value {
            if let Some(Token::Punct('-' | '+')) = signed.last() {
                let before = signed.len().checked_sub(2).and_then(|j| signed.get(j));
                if matches!(before, None | Some(Token::Open | Token::Punct(_)))
                    || before.is_some_and(is_keyword_before_value)
                {
                    signed.pop();
                }
            }
        }
        signed.push(t);
    }
    signed
}

fn is_keyword_before_value(t: &Token<'_>) -> bool {
    matches!(t, Token::Word(_))
        && is_word(
            t,
            &[
                "values", "in", "and", "or", "between", "limit", "set", "where", "then", "else",
                "when",
            ],
        )
}

fn prev_is_name(out: &[Lexeme<'_>]) -> bool {
    matches!(
        out.last().and_then(|l| l.token.as_ref()),
        Some(Token::Word(_) | Token::Name(_) | Token::Close)
    )
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, needle).map(|e| from + e)
}

fn line_end(b: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', b.get(from..).unwrap_or_default()).map_or(b.len(), |e| from + e)
}

/// The index after the string literal opened by the quote at `open` (the end of the text when
/// it was cut inside it).
fn string_end(b: &[u8], open: usize) -> usize {
    let Some(&quote) = b.get(open) else {
        return b.len();
    };
    let mut i = open + 1;
    // Only quotes and backslashes matter: jump from one to the next.
    while let Some(at) = memchr::memchr2(quote, b'\\', b.get(i..).unwrap_or_default()) {
        i += at;
        // A backslash escapes the next byte; a doubled quote is a quote.
        if b.get(i) != Some(&b'\\') && b.get(i + 1) != Some(&quote) {
            return i + 1;
        }
        i += 2;
    }
    b.len()
}

/// The bytes a bare word is made of (`[A-Za-z0-9_$@]` and every non-ASCII byte).
const WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'@' || b >= 0x80;
        c += 1;
    }
    t
};

/// After a number: digits, `.`, exponent, hex digits of `0x…`.
fn number_end(b: &[u8], start: usize) -> usize {
    let mut i = start;
    if b.get(i) == Some(&b'0') && matches!(b.get(i + 1), Some(b'x' | b'X' | b'b' | b'B')) {
        i += 2;
        while b.get(i).is_some_and(u8::is_ascii_hexdigit) {
            i += 1;
        }
        return i;
    }
    while let Some(&c) = b.get(i) {
        let exponent_sign =
            matches!(c, b'+' | b'-') && matches!(b.get(i.wrapping_sub(1)), Some(b'e' | b'E'));
        if c.is_ascii_digit() || c == b'.' || matches!(c, b'e' | b'E') || exponent_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_may_start_with_digits() {
        assert!(literal_spans("update 2_2_3_t_1 set a=13 where a=12")
            .iter()
            .all(|(r, _)| r.start > 18));
        assert_eq!(
            fingerprint("update 2_2_3_t_1 set a=13 where a=12"),
            fingerprint("update 2_2_3_t_1 set a=12 where a=13")
        );
    }

    #[test]
    fn values_go_and_the_statement_stays() {
        let cases = [
            // fixtures/mariadb/inconsistent-order.status.txt
            (
                "UPDATE accounts SET balance = balance - 10 WHERE id = 101",
                "update accounts set balance=balance-? where id=?",
            ),
            // a markdown fence pasted with it (fixtures/labelled c-003)
            (
                "```sql\nUPDATE t SET a='x' WHERE id=2\n```",
                "sql update t set a=? where id=?",
            ),
            // fixtures/seeds: quoted names, backquotes
            (
                "UPDATE `warn_baseline_result` SET `status`='done' WHERE `id`=101",
                "update warn_baseline_result set status=? where id=?",
            ),
            (
                "delete from session_endpoint where session_id = 'a7\\'x' and port = -5",
                "delete from session_endpoint where session_id=? and port=?",
            ),
            (
                "SELECT * FROM t WHERE id IN (1, 2, 3) FOR UPDATE",
                "select * from t where id in(?+) for update",
            ),
            (
                "SELECT * FROM t WHERE id IN (1,2,3,4,5,6,7,8) FOR UPDATE",
                "select * from t where id in(?+) for update",
            ),
            (
                "INSERT INTO multilingual_item (a, b) VALUES (1, 'x'), (2, 'y'), (3, NULL) ON DUPLICATE KEY UPDATE b = VALUES(b)",
                "insert into multilingual_item(a,b) values(?+) on duplicate key update b=values(b)",
            ),
            // fixtures/mariadb/delete-then-insert.status.txt: values that are function calls
            (
                "DELETE FROM session WHERE id IN (UNHEX('AB'), UNHEX('CD'))",
                "delete from session where id in(?+)",
            ),
            ("SELECT UNHEX('AB') FROM t", "select unhex(?) from t"),
            (
                "DELETE FROM t WHERE id IN (SELECT id FROM u WHERE k = 3)",
                "delete from t where id in(select id from u where k=?)",
            ),
            (
                "/* app:orders */ UPDATE t SET v = 0x1F, w = X'AB', f = 1.5e-3 -- trailing\nWHERE id = 7",
                "update t set v=?,w=?,f=? where id=?",
            ),
            ("SELECT a.id FROM t a WHERE a.id = .5", "select a.id from t a where a.id=?"),
        ];
        for (sql, expected) in cases {
            assert_eq!(fingerprint(sql), expected, "{sql}");
        }
    }

    #[test]
    fn multi_line_statements_and_case_fold() {
        let a = "INSERT INTO orders\n  (customer_id, total)\nVALUES\n  (42, 9.99)";
        let b = "insert into orders (customer_id,total) values (7, 100)";
        assert_eq!(fingerprint(a), fingerprint(b));
        assert_eq!(
            fingerprint(a),
            "insert into orders(customer_id,total) values(?+)"
        );
    }

    #[test]
    fn a_cut_inside_values_fingerprints_like_the_whole() {
        let whole = "DELETE FROM jobs WHERE id IN (1001, 1002, 1003, 1004, 1005)";
        for cut in [
            "DELETE FROM jobs WHERE id IN (1001, 1002, 10",
            "DELETE FROM jobs WHERE id IN (1001, ",
        ] {
            assert_eq!(fingerprint(cut), fingerprint(whole), "{cut}");
        }
        let whole = "INSERT INTO t (a, b) VALUES (1, 'long text'), (2, 'more')";
        let cut = "INSERT INTO t (a, b) VALUES (1, 'long text'), (2, 'mo";
        assert_eq!(fingerprint(cut), fingerprint(whole));
        let whole = "UPDATE t SET note = 'a very long note' WHERE id = 1";
        let cut = "UPDATE t SET note = 'a very lo";
        assert_eq!(fingerprint(cut), "update t set note=?");
        assert_ne!(
            fingerprint(cut),
            fingerprint(whole),
            "the WHERE was cut away"
        );
    }

    #[test]
    fn different_statements_differ() {
        assert_ne!(
            fingerprint("UPDATE t SET a = 1 WHERE id = 2"),
            fingerprint("UPDATE t SET b = 1 WHERE id = 2")
        );
        assert_ne!(
            fingerprint("SELECT * FROM t WHERE k = 1 FOR UPDATE"),
            fingerprint("SELECT * FROM t WHERE k = 1 LOCK IN SHARE MODE")
        );
    }

    #[test]
    fn any_bytes_any_cut() {
        let sql =
            "INSERT INTO `t` (a) VALUES ('x\\'y', \"q\"\"r\", 0xFF, b'01', N'é') /* c */ # d\n-- e";
        for end in 0..=sql.len() {
            if let Some(prefix) = sql.get(..end) {
                let _ = fingerprint(prefix);
            }
        }
        assert_eq!(fingerprint(sql), "insert into t(a) values(?+)");
    }
}
