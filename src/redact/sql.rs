//! Statements with their values replaced: strings, numbers and hex literals by tokens of
//! [`Tokens`] (typed: a string stays a quoted string, a number a number), comments emptied, and
//! with `--redact-names` the identifiers that name a schema, table or index already seen.
//! The statement's fingerprint, and so its deadlock's shape, does not change.

use super::tokens::Tokens;
use crate::diagnose::{literal_spans, Literal};

/// `sql` redacted.
pub fn redact_sql(sql: &str, tokens: &mut Tokens, names: bool) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut at = 0;
    // The previous literal was a row count kept as it is (`LIMIT m, n`: both stay).
    let mut counting = false;
    for (range, kind) in literal_spans(sql) {
        let (Some(before), Some(literal)) = (sql.get(at..range.start), sql.get(range.clone()))
        else {
            continue;
        };
        push_words(&mut out, before, tokens, names);
        let unhex =
            kind == Literal::Text && before.trim_end().to_ascii_lowercase().ends_with("unhex(");
        let kind = if unhex { Literal::Hex } else { kind };
        // `AS 'alias'` names a column: an identifier, which the reader of a result set below
        // needs to recognise it.
        let alias = kind == Literal::Text && ends_with_word(before, "as");
        // `LIMIT n` / `OFFSET m` count rows: the statement's shape, not a value, and what
        // the diagnosis compares a transaction's row locks with (`unindexed-scan`).
        let count = kind == Literal::Number
            && (ends_with_word(before, "limit")
                || ends_with_word(before, "offset")
                || (counting && before.trim() == ","));
        counting = count;
        if alias || count {
            out.push_str(literal);
        } else {
            out.push_str(&replacement(literal, kind, tokens));
        }
        at = range.end;
    }
    push_words(&mut out, sql.get(at..).unwrap_or(""), tokens, names);
    out
}

fn replacement(literal: &str, kind: Literal, tokens: &mut Tokens) -> String {
    match kind {
        Literal::Number => tokens.number(literal),
        Literal::Hex => {
            // 0x1F, X'1F', UNHEX('1F'): bytes, as a record dump shows them, so the key in the
            // statement and the key in the dump get one token.
            let (prefix, digits, suffix) = split_hex(literal);
            match crate::model::hex_bytes(&digits.to_ascii_lowercase()) {
                Some(bytes) if !digits.is_empty() => {
                    let token: String = tokens
                        .bytes(&bytes)
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    format!("{prefix}{token}{suffix}")
                }
                _ => format!("{prefix}{}{suffix}", "0".repeat(digits.len())),
            }
        }
        Literal::Text => {
            // Keep a charset prefix and the quote; cut text (no closing quote) stays cut.
            let open = literal.find(['\'', '"']).unwrap_or(0);
            let quote = literal.get(open..=open).unwrap_or("'");
            let prefix = literal.get(..open).unwrap_or("");
            let body = literal.get(open + 1..).unwrap_or("");
            let (body, closed) = match body.strip_suffix(quote) {
                Some(b) => (b, true),
                None => (body, false),
            };
            // `'42'` for an INT key: the number's token, as the record dump's integer gets.
            let token = if is_digits(body) {
                tokens.number(body)
            } else {
                tokens.text(body)
            };
            format!("{prefix}{quote}{token}{}", if closed { quote } else { "" })
        }
        Literal::Comment => {
            if literal.starts_with("/*") {
                "/* … */".to_string()
            } else {
                // `-- …` / `# …` run to the end of the line.
                format!("{} …", literal.get(..2).unwrap_or("--").trim_end())
            }
        }
    }
}

/// Whether `text` is a whole unsigned integer (a key as a quoted literal).
pub(super) fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `text` ends with the word `word` (any case), spaces after it allowed.
fn ends_with_word(text: &str, word: &str) -> bool {
    let t = text.trim_end();
    t.len() >= word.len()
        && t.get(t.len() - word.len()..)
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
        && t.get(..t.len() - word.len()).map_or(true, |b| {
            !b.ends_with(|c: char| c.is_alphanumeric() || c == '_')
        })
}

/// `0x1F` → (`0x`, `1F`, ``); `X'1F'` / `'1F'` → (`X'`, `1F`, `'`).
fn split_hex(literal: &str) -> (&str, &str, &str) {
    if let Some(d) = literal
        .strip_prefix("0x")
        .or_else(|| literal.strip_prefix("0X"))
    {
        return (literal.get(..2).unwrap_or(""), d, "");
    }
    let open = literal.find(['\'', '"']).map_or(0, |i| i + 1);
    let body = literal.get(open..).unwrap_or("");
    let digits = body.trim_end_matches(['\'', '"']);
    (
        literal.get(..open).unwrap_or(""),
        digits,
        body.get(digits.len()..).unwrap_or(""),
    )
}

/// The text between literals: with `names`, the words that name a known object get its token.
fn push_words(out: &mut String, text: &str, tokens: &Tokens, names: bool) {
    if !names {
        out.push_str(text);
        return;
    }
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            let bare = word.trim_matches('`');
            match tokens.known_name(bare) {
                Some(t) if word.starts_with('`') => out.push_str(&format!("`{t}`")),
                Some(t) => out.push_str(t),
                None => out.push_str(word),
            }
            word.clear();
        }
    };
    let mut quoted = false;
    for c in text.chars() {
        let part =
            c.is_alphanumeric() || c == '_' || c == '$' || (c == '`' && !word.is_empty() && quoted);
        if c == '`' && !quoted && word.is_empty() {
            quoted = true;
            word.push(c);
        } else if part {
            word.push(c);
            if c == '`' {
                quoted = false;
                flush(&mut word, out);
            }
        } else {
            flush(&mut word, out);
            quoted = false;
            out.push(c);
        }
    }
    flush(&mut word, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::fingerprint;
    use crate::redact::tokens::NameKind;

    #[test]
    fn values_become_tokens_and_the_fingerprint_stays() {
        let mut t = Tokens::default();
        let cases = [
            "UPDATE accounts SET balance = balance - 10 WHERE id = 101",
            "insert into t (a, b) values ('it''s', 0x1F), (\"x\", X'ab') /* from app 7 */",
            "select * from t where name = 'alice' and id in (1, 2, 3) -- user 9",
            "DELETE FROM session WHERE id IN ('a1b2', 'c3d4', 'e5f6",
        ];
        for sql in cases {
            let red = redact_sql(sql, &mut t, false);
            assert_eq!(fingerprint(&red), fingerprint(sql), "{sql} → {red}");
            for secret in [
                "alice",
                "it''s",
                "a1b2",
                "e5f6",
                "from app 7",
                "user 9",
                "101",
            ] {
                assert!(!red.contains(secret), "{red}");
            }
        }
        assert_eq!(
            redact_sql("update t set n = 'alice' where id = 101", &mut t, false),
            redact_sql("update t set n = 'alice' where id = 101", &mut t, false)
        );
    }

    #[test]
    fn a_quoted_integer_gets_the_token_of_the_number_in_the_dump() {
        let mut t = Tokens::default();
        // The record dump of an INT key 3912579 (signed, sign bit flipped) and of a CHAR(9).
        let int = t.bytes(&[0x80, 0x3b, 0xb3, 0x83]);
        let red = redact_sql("INSERT INTO playlist VALUES ('3912579', 4)", &mut t, false);
        let n = u32::from_be_bytes([int[0] ^ 0x80, int[1], int[2], int[3]]);
        assert_eq!(red, format!("INSERT INTO playlist VALUES ('{n}', 2)"));
        assert_eq!(t.bytes(b"3912579  "), format!("{n:<9}").into_bytes());
    }

    #[test]
    fn row_counts_stay() {
        let mut t = Tokens::default();
        let red = redact_sql(
            "DELETE FROM t WHERE status = 'done' AND id > 77 LIMIT 10000",
            &mut t,
            false,
        );
        assert!(red.ends_with("LIMIT 10000"), "{red}");
        assert!(!red.contains("77") && !red.contains("done"), "{red}");
        let red = redact_sql(
            "select * from t where a = 9 limit 20, 5 for update",
            &mut t,
            false,
        );
        assert!(red.contains("limit 20, 5"), "{red}");
        let red = redact_sql("select * from t limit 5 offset 20", &mut t, false);
        assert!(red.ends_with("limit 5 offset 20"), "{red}");
        let red = redact_sql("select * from t where a in (9, 8) limit 1", &mut t, false);
        assert!(!red.contains("(9, 8)"), "{red}");
    }

    #[test]
    fn names_only_when_asked() {
        let mut t = Tokens::default();
        t.name(NameKind::Table, "orders");
        let sql = "UPDATE `orders` SET paid = 1 WHERE orders.id = 5";
        assert!(redact_sql(sql, &mut t, false).contains("`orders`"));
        let red = redact_sql(sql, &mut t, true);
        assert!(red.starts_with("UPDATE `t1` SET paid = "), "{red}");
        assert!(red.contains("WHERE t1.id = "), "{red}");
    }
}
