//! Just enough reading of the statement text for the diagnosis: is it an upsert, which table
//! does it write, which key literals does it list. Never used to *match* a pattern on its own —
//! matchers decide from the locks — only to sharpen or name what the locks show.

mod fingerprint;
mod words;

pub use fingerprint::{fingerprint, literal_spans, Literal};

pub(crate) use words::squash;
use words::{
    is_squashed_ascii, push_squashed, push_squashed_ascii, squashed_contains, words_follow,
};

/// `INSERT … ON DUPLICATE KEY UPDATE`: `squashed_contains(q, "ON DUPLICATE KEY UPDATE")`,
/// read outwards from each `DUPLICATE` (rare in statements) rather than from every `O`.
pub(crate) fn is_odku(q: &str) -> bool {
    let b = q.as_bytes();
    memchr::memchr2_iter(b'D', b'd', b).any(|at| {
        b.get(at..at + 9)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"DUPLICATE"))
            && q.get(..at).is_some_and(|before| {
                // A word ending with `ON`, then whitespace.
                let word = before.trim_end();
                word.len() < before.len()
                    && word
                        .as_bytes()
                        .get(word.len().saturating_sub(2)..)
                        .is_some_and(|on| on.eq_ignore_ascii_case(b"ON"))
            })
            && q.get(at + 9..)
                .is_some_and(|after| words_follow(after, "KEY UPDATE"))
    })
}

/// `SELECT … FOR SHARE` / `LOCK IN SHARE MODE`.
pub(crate) fn is_shared_read(q: &str) -> bool {
    squashed_contains(q, "FOR SHARE") || squashed_contains(q, "LOCK IN SHARE MODE")
}

/// The table an `INSERT`/`REPLACE`/`UPDATE`/`DELETE` writes, unquoted, without its schema.
pub(crate) fn written_table(q: &str) -> Option<String> {
    // The words of `squash(q)`, without squashing a statement of many KB for its first few.
    let mut words = q.split_whitespace().peekable();
    let verb = words.next()?.to_ascii_uppercase();
    let skip: &[&str] = match verb.as_str() {
        "INSERT" | "REPLACE" => &["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO"],
        "UPDATE" => &["LOW_PRIORITY", "IGNORE"],
        "DELETE" => &["LOW_PRIORITY", "QUICK", "IGNORE", "FROM"],
        _ => return None,
    };
    while words
        .peek()
        .is_some_and(|w| skip.contains(&w.to_ascii_uppercase().as_str()))
    {
        words.next();
    }
    let name = words.next()?;
    let name = name.split('(').next()?;
    let last = name.rsplit('.').next()?;
    let bare = last.trim_matches(|c| c == '`' || c == '"');
    (!bare.is_empty()).then(|| bare.to_string())
}

/// Number of rows in an `INSERT … VALUES (…), (…)` (top-level parenthesised groups after
/// `VALUES`), when the statement has a VALUES list.
pub(crate) fn values_rows(q: &str) -> Option<usize> {
    let upper = q.to_ascii_uppercase();
    let at = upper.find("VALUES")?;
    let rest = q.get(at + 6..)?;
    let (mut depth, mut rows, mut quote) = (0usize, 0usize, None::<char>);
    for c in rest.chars() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => {
                if depth == 0 {
                    rows += 1;
                }
                depth += 1;
            }
            (None, ')') => depth = depth.saturating_sub(1),
            (None, _) if depth == 0 && c.is_ascii_alphabetic() => break,
            _ => {}
        }
    }
    (rows > 0).then_some(rows)
}

/// The key literals a statement lists, normalised for comparison with record fields:
/// `x'AB'`, `0xAB`, `UNHEX('AB')` → `hex:ab`; integers → `int:101`; quoted text → `str:…`.
pub(crate) fn literals(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    let word_before = |i: usize| {
        let mut j = i;
        while j > 0 && chars[j - 1].is_ascii_alphanumeric() {
            j -= 1;
        }
        chars[j..i].iter().collect::<String>().to_ascii_uppercase()
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j] != c {
                j += 1;
            }
            let text: String = chars[start..j.min(chars.len())].iter().collect();
            let before = word_before(i);
            if before == "X" || (before.is_empty() && preceded_by_unhex(&chars, i)) {
                out.push(format!("hex:{}", text.to_ascii_lowercase()));
            } else {
                // `'3912579'` for an INT key: MySQL converts it, so it names the number too.
                if let Some(n) = quoted_integer(&text) {
                    out.push(format!("int:{n}"));
                }
                out.push(format!("str:{text}"));
            }
            i = j + 1;
        } else if c == '0'
            && chars.get(i + 1).is_some_and(|n| *n == 'x' || *n == 'X')
            && (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
        {
            let mut j = i + 2;
            while j < chars.len() && chars[j].is_ascii_hexdigit() {
                j += 1;
            }
            let hex: String = chars[i + 2..j].iter().collect();
            out.push(format!("hex:{}", hex.to_ascii_lowercase()));
            i = j;
        } else if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let followed = chars
                .get(j)
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '.');
            if !followed {
                out.push(format!("int:{}", chars[i..j].iter().collect::<String>()));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// A quoted literal that is a whole unsigned integer, canonical (no leading zeros).
fn quoted_integer(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

/// The literals a statement compares for equality (`col = 5`, `col IN (5, 6)`), in
/// [`literals`] form: the values whose rows it selects, unlike range bounds (`col > 5`).
pub(crate) fn eq_literals(q: &str) -> Vec<String> {
    // `SET a = 1` assigns: only the WHERE clause selects.
    let Some(clause) = q.to_ascii_lowercase().find("where") else {
        return Vec::new();
    };
    literal_spans(q)
        .into_iter()
        .filter(|(span, kind)| {
            span.start > clause && matches!(kind, Literal::Number | Literal::Text | Literal::Hex)
        })
        .filter(|(span, _)| compared_for_equality(q.get(..span.start).unwrap_or_default()))
        .flat_map(|(span, _)| literals(q.get(span).unwrap_or_default()))
        .collect()
}

/// Whether the text before a literal ends in `=` (not `<=`, `>=`, `!=`) or inside `IN (…`.
fn compared_for_equality(before: &str) -> bool {
    let head = before.trim_end();
    if let Some(rest) = head.strip_suffix('=') {
        return !rest.ends_with(['<', '>', '!', ':']);
    }
    if !head.ends_with(['(', ',']) {
        return false;
    }
    let Some(open) = head.rfind('(') else {
        return false;
    };
    let list = head.get(open + 1..).unwrap_or_default();
    let word = head.get(..open).unwrap_or_default().trim_end();
    !list.contains(')')
        && word.len() >= 2
        && word
            .get(word.len() - 2..)
            .is_some_and(|w| w.eq_ignore_ascii_case("in"))
        && !word
            .get(..word.len() - 2)
            .and_then(|w| w.chars().next_back())
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn preceded_by_unhex(chars: &[char], quote: usize) -> bool {
    let head: String = chars[..quote].iter().collect();
    head.trim_end().to_ascii_uppercase().ends_with("UNHEX(")
}

/// `SELECT … FOR UPDATE` / `FOR SHARE` / `LOCK IN SHARE MODE`: a read that takes row locks.
pub(crate) fn is_locking_read(q: &str) -> bool {
    squashed_contains(q, "FOR UPDATE") || is_shared_read(q)
}

/// The words of `q` outside quotes and parentheses (subqueries, function arguments), upper
/// case: what the statement itself says, not its subqueries.
fn top_level_words(q: &str) -> Vec<String> {
    let (mut depth, mut quote) = (0usize, None::<char>);
    let mut out = Vec::new();
    let mut word = String::new();
    for c in q.chars() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            // A quoted name is a name: `t`.`col` reads as T.COL.
            (None, '`') => continue,
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, c) if depth == 0 && (c.is_ascii_alphanumeric() || c == '_' || c == '.') => {
                word.push(c.to_ascii_uppercase());
                continue;
            }
            (None, ',') if depth == 0 => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                out.push(",".to_string());
                continue;
            }
            _ => {}
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The most rows a statement's own `LIMIT` lets it read: `LIMIT n` → n, `LIMIT m, n` and
/// `LIMIT n OFFSET m` → m + n (the skipped rows are read too). `None` without a numeric
/// top-level `LIMIT` (placeholders, a LIMIT only in a subquery).
pub(crate) fn row_limit(q: &str) -> Option<u64> {
    let words = top_level_words(q);
    let at = words.iter().rposition(|w| w == "LIMIT")?;
    let num = |i: usize| words.get(i).and_then(|w| w.parse::<u64>().ok());
    let first = num(at + 1)?;
    match words.get(at + 2).map(String::as_str) {
        Some(",") => Some(first.saturating_add(num(at + 3)?)),
        Some("OFFSET") => Some(first.saturating_add(num(at + 3)?)),
        _ => Some(first),
    }
}

/// The columns of the statement's own `ORDER BY`, bare (no table, no quotes), in order.
pub(crate) fn order_by_columns(q: &str) -> Vec<String> {
    let words = top_level_words(q);
    let Some(at) = words.windows(2).rposition(|w| {
        w.first().is_some_and(|a| a == "ORDER") && w.get(1).is_some_and(|b| b == "BY")
    }) else {
        return Vec::new();
    };
    let mut cols = Vec::new();
    let mut expect_column = true;
    for w in words.iter().skip(at + 2) {
        match w.as_str() {
            "LIMIT" | "FOR" | "LOCK" | "UNION" => break,
            "," => expect_column = true,
            "ASC" | "DESC" => {}
            col if expect_column => {
                let bare = col.rsplit('.').next().unwrap_or(col).to_ascii_lowercase();
                if !bare.is_empty() && !bare.chars().all(|c| c.is_ascii_digit()) {
                    cols.push(bare);
                }
                expect_column = false;
            }
            _ => {}
        }
    }
    cols
}

/// The statement shortened for a sentence, whitespace collapsed, in backticks.
pub(crate) fn quoted(q: &str) -> String {
    const MAX: usize = 150;
    const HEAD: usize = 100;
    const TAIL: usize = 45;
    if q.is_ascii() {
        // Chars are bytes: cut by byte offsets. Most statements are printed single-spaced
        // already, and are used as they are.
        let squashed: std::borrow::Cow<str> = if is_squashed_ascii(q) {
            q.into()
        } else {
            let mut s = String::with_capacity(q.len());
            push_squashed_ascii(&mut s, q);
            s.into()
        };
        let n = squashed.len();
        return match (squashed.get(..HEAD), squashed.get(n.saturating_sub(TAIL)..)) {
            (Some(head), Some(tail)) if n > MAX => cut(head, tail),
            _ => {
                let mut s = String::with_capacity(n + 2);
                s.push('`');
                s.push_str(&squashed);
                s.push('`');
                s
            }
        };
    }
    // The length of `squash(q)` in chars, without making it: statements run to many KB.
    let n = q
        .split_whitespace()
        .map(|w| w.chars().count() + 1)
        .sum::<usize>()
        .saturating_sub(1);
    if n > MAX {
        // Keep both ends: statements of one code path often differ only in their last values.
        let head: String = q
            .split_whitespace()
            .flat_map(|w| std::iter::once(' ').chain(w.chars()))
            .skip(1)
            .take(HEAD)
            .collect();
        // From the end, backwards; `n > MAX` keeps this clear of the first word.
        let mut tail: Vec<char> = q
            .split_whitespace()
            .rev()
            .flat_map(|w| w.chars().rev().chain(std::iter::once(' ')))
            .take(TAIL)
            .collect();
        tail.reverse();
        let tail: String = tail.into_iter().collect();
        cut(&head, &tail)
    } else {
        let mut out = String::with_capacity(q.len() + 2);
        out.push('`');
        push_squashed(&mut out, q);
        out.push('`');
        out
    }
}

/// `` `head … tail` `` of a statement too long to quote whole.
fn cut(head: &str, tail: &str) -> String {
    let (head, tail) = (head.trim_end(), tail.trim_start());
    let mut s = String::with_capacity(head.len() + tail.len() + 7);
    s.push('`');
    s.push_str(head);
    s.push_str(" … ");
    s.push_str(tail);
    s.push('`');
    s
}

#[cfg(test)]
mod tests {
    use super::words::has_word;
    use super::*;

    #[test]
    fn row_limits() {
        let q = "UPDATE t SET s = -1 WHERE (a = 205 AND s = 1) ORDER BY u ASC limit 1";
        assert_eq!(row_limit(q), Some(1));
        assert_eq!(
            row_limit("delete from t where s = 'x' LIMIT 10000"),
            Some(10000)
        );
        assert_eq!(
            row_limit("select * from t limit 20, 5 for update"),
            Some(25)
        );
        assert_eq!(
            row_limit("select * from t LIMIT 5 OFFSET 20 FOR UPDATE"),
            Some(25)
        );
        assert_eq!(
            row_limit("delete from t where id in (select id from (select id from u limit 3) x)"),
            None
        );
        assert_eq!(row_limit("update t set v = 'limit 4' where id = 1"), None);
        assert_eq!(row_limit("delete from t where a = ? limit ?"), None);
    }

    #[test]
    fn order_by_columns_read_bare() {
        let q = "UPDATE t SET s = -1 WHERE (a = 205 AND s = 1) ORDER BY `t`.`updated_at` ASC, id DESC limit 1";
        assert_eq!(order_by_columns(q), vec!["updated_at", "id"]);
        assert!(order_by_columns("update t set v = 1 where id = 2").is_empty());
    }

    #[test]
    fn locking_reads() {
        assert!(is_locking_read("select * from t where a = 1 for   update"));
        assert!(is_locking_read(
            "select * from t where a = 1 lock in share mode"
        ));
        assert!(!is_locking_read("select * from t where a = 1"));
    }

    #[test]
    fn equality_literals_are_the_selected_values() {
        let q = "update t01 force index(idx_c1_t1) set t1=now() where c1=500 and id in (5, 7)";
        assert_eq!(eq_literals(q), ["int:500", "int:5", "int:7"]);
        assert!(eq_literals("UPDATE t SET a = 1 WHERE id >= 5 AND b <> 'x'").is_empty());
        assert_eq!(
            eq_literals("DELETE FROM t WHERE name IN ('a','b')"),
            ["str:a", "str:b"]
        );
        assert!(eq_literals("SELECT * FROM t WHERE id BETWEEN 1 AND 9 FOR UPDATE").is_empty());
        assert!(eq_literals("SELECT * FROM t WHERE join(1)").is_empty());
    }

    #[test]
    fn a_quoted_integer_also_names_the_number() {
        assert_eq!(
            literals("INSERT INTO playlist VALUES ('3912579','','007',x'1F')"),
            [
                "int:3912579",
                "str:3912579",
                "str:",
                "int:7",
                "str:007",
                "hex:1f"
            ]
        );
    }

    /// `quoted` as it was first written: squash, then cut by chars.
    fn quoted_reference(q: &str) -> String {
        let s = q.split_whitespace().collect::<Vec<_>>().join(" ");
        let n = s.chars().count();
        if n > 150 {
            let head: String = s.chars().take(100).collect();
            let tail: String = s.chars().skip(n - 45).collect();
            format!("`{} … {}`", head.trim_end(), tail.trim_start())
        } else {
            format!("`{s}`")
        }
    }

    #[test]
    fn quoted_cuts_long_statements_at_both_ends() {
        let unicode = [
            "DELETE", "FROM", "t", "WHERE", "id", "IN", "(é,", "ü", "\t\n", "  x'00',",
        ];
        let ascii = [
            "DELETE",
            "FROM",
            "t",
            "\u{b}WHERE",
            "id\r",
            "IN",
            "(1,",
            "\u{c}2",
            "\t\n",
            "  x'00',",
        ];
        // Single-spaced already (the common case, which skips squashing).
        let clean = [
            "UPDATE", "t", "SET", "a", "=", "1", "WHERE", "id", "IN", "(1,",
        ];
        for (len, words) in [0, 1, 5, 20, 40, 41, 60, 149, 150, 151, 152, 160, 400]
            .into_iter()
            .flat_map(|len| [(len, unicode), (len, ascii), (len, clean)])
        {
            for shift in 0..words.len() {
                let q: String = (0..len)
                    .map(|i| words[(i + shift) % words.len()])
                    .collect::<Vec<_>>()
                    .join(if len % 2 == 0 { " " } else { "  \n" });
                assert_eq!(quoted(&q), quoted_reference(&q), "{q:?}");
                assert_eq!(
                    squash(&q),
                    q.split_whitespace().collect::<Vec<_>>().join(" ")
                );
            }
        }
        // Whitespace runs of every shape at every place, the cut points included.
        let mut seed = 7u64;
        for len in (0..400).step_by(3) {
            for _ in 0..8 {
                let q: String = (0..len)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        ['a', 'b', ' ', ' ', '\t', '\n', 'c', 'd', 'e', 'f']
                            [(seed >> 33) as usize % 10]
                    })
                    .collect();
                assert_eq!(quoted(&q), quoted_reference(&q), "{q:?}");
                let unchanged = squash(&q) == q;
                assert_eq!(is_squashed_ascii(&q), unchanged, "{q:?}");
            }
        }
        // Single-spaced text with one flaw (a doubled space, a tab, a newline) at every place.
        let clean_text = "ab cd e fgh ij k lmnop qr st uv w xyz ".repeat(3);
        let clean_text = clean_text.trim_end();
        assert!(is_squashed_ascii(clean_text));
        for at in 0..=clean_text.len() {
            for flaw in [" ", "\t", "\n"] {
                let mut q = clean_text.to_string();
                q.insert_str(at, flaw);
                assert_eq!(is_squashed_ascii(&q), squash(&q) == q, "{q:?}");
            }
        }
        for n in 140..=160 {
            let long = "x".repeat(n);
            assert_eq!(quoted(&long), quoted_reference(&long));
            let words = "ab ".repeat(n / 3) + &"c".repeat(n % 3);
            assert_eq!(quoted(&words), quoted_reference(&words));
            let accented = "é".repeat(n);
            assert_eq!(quoted(&accented), quoted_reference(&accented));
        }
        let spaced = format!("{} {}", "a ".repeat(60), "b".repeat(60));
        assert_eq!(quoted(&spaced), quoted_reference(&spaced));
    }

    #[test]
    fn statement_facts() {
        assert!(is_odku(
            "INSERT INTO c (n) VALUES (1)\n  ON DUPLICATE KEY\tUPDATE n = n + 1"
        ));
        assert!(!is_odku("INSERT INTO c (n) VALUES (1)"));
        assert!(is_odku(
            "insert into c values (1) on   duplicate key update n=1"
        ));
        assert!(!is_odku("insert into c values (1) /* duplicate */"));
        assert!(is_shared_read(
            "select * from t where a = 1 lock in\nshare mode"
        ));
        assert!(is_shared_read("SELECT 1 FOR SHARE"));
        assert!(!is_shared_read("SELECT 1 FOR UPDATE"));
        assert!(has_word("a Dup", "DUP") && !has_word("a Du", "DUP") && has_word("", ""));
    }

    #[test]
    fn squashed_phrases_match_the_squashed_text() {
        let reference = |q: &str, p: &str| squash(q).to_ascii_uppercase().contains(p);
        let queries = [
            "",
            "on duplicate key update",
            "xON\tduplicate  KEY updateX",
            "ON DUPLICATE KEY",
            "ON DUPLICATE KEYS UPDATE",
            "ON  DUPLICATE KEY UPDATE n = 1 ON DUPLICATE",
            "on on duplicate key update",
            "ON DUPLICATE\u{a0}KEY UPDATE",
            "select 1 for\n share",
            "lock in share mode",
            "LOCK IN SHAREMODE",
            "é ON DUPLICATE KEY UPDATEé",
            "for shared",
            "forshare",
        ];
        for q in queries {
            for p in [
                "ON DUPLICATE KEY UPDATE",
                "FOR SHARE",
                "LOCK IN SHARE MODE",
                "SHARE",
            ] {
                assert_eq!(squashed_contains(q, p), reference(q, p), "{p:?} in {q:?}");
            }
            let odku = reference(q, "ON DUPLICATE KEY UPDATE");
            assert_eq!(is_odku(q), odku, "upsert {q:?}");
        }
        // Upserts spelt every way, words glued or apart.
        let words = [
            "on",
            "ON",
            "xon",
            "duplicate",
            "DUPLICATE",
            "key",
            "KEY",
            "update",
            "UPDATEx",
            "o",
        ];
        let gaps = [" ", "", "\t", "\n ", "\u{a0}"];
        let mut seed = 11u64;
        for _ in 0..4000 {
            let mut q = String::new();
            for _ in 0..6 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                q.push_str(words[(seed >> 33) as usize % words.len()]);
                q.push_str(gaps[(seed >> 45) as usize % gaps.len()]);
            }
            let odku = reference(&q, "ON DUPLICATE KEY UPDATE");
            assert_eq!(is_odku(&q), odku, "upsert {q:?}");
        }
        let cases = [
            ("INSERT INTO `db`.`t1` VALUES (1)", Some("t1")),
            ("insert t2(a,b) values(5,10)", Some("t2")),
            (
                "INSERT IGNORE INTO line_item (a) VALUES (2)",
                Some("line_item"),
            ),
            ("delete from session where id in (1)", Some("session")),
            ("UPDATE accounts SET a = 1", Some("accounts")),
            ("SELECT 1", None),
        ];
        for (q, expected) in cases {
            assert_eq!(written_table(q).as_deref(), expected, "table of {q:?}");
        }
        assert_eq!(
            values_rows(
                "INSERT INTO t VALUES (1, 'a)'), (2, 'b') ON DUPLICATE KEY UPDATE b = VALUES(b)"
            ),
            Some(2)
        );
        assert_eq!(
            values_rows("insert into t(a,b) values('1','1'),('2','2')"),
            Some(2)
        );
        assert_eq!(
            values_rows("insert into t1(a, b)values(\"2\", \"2\")"),
            Some(1)
        );
        assert_eq!(
            values_rows("INSERT INTO t (a, b) SELECT a, b FROM u WHERE f(x), y"),
            None
        );
    }

    #[test]
    fn key_literals() {
        let q = "DELETE FROM session WHERE id IN (x'B41D', UNHEX('0025'), 0xAbC) AND n = 101 AND s = 'k1'";
        assert_eq!(
            literals(q),
            ["hex:b41d", "hex:0025", "hex:abc", "int:101", "str:k1"]
        );
    }
}
