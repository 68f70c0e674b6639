//! What the rules read from a statement's WHERE clause (its columns, its string literals, an
//! `IN (…)` key list, whether it is equalities only): text reading particular to this pattern,
//! kept apart from the rules so each rule reads as the locks it looks at.

use super::super::prelude::*;

/// The columns of a WHERE clause made of `column = value` terms joined by AND, and nothing
/// else (no range, list, OR, subquery or function), read from the statement's fingerprint;
/// `None` for any other WHERE clause.
pub(super) fn equality_columns(q: &str) -> Option<Vec<String>> {
    let f = sql::fingerprint(q);
    let (_, clause) = f.split_once(" where ")?;
    let clause = [
        " order by ",
        " limit ",
        " for update",
        " lock in share mode",
        " for share",
    ]
    .iter()
    .fold(clause, |c, end| c.split(end).next().unwrap_or(c));
    let mut cols = Vec::new();
    for term in clause.split(" and ") {
        let col = term.trim().strip_suffix("=?")?;
        let col = col.rsplit('.').next().unwrap_or(col);
        if col.is_empty() || !col.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        cols.push(col.to_string());
    }
    (!cols.is_empty()).then_some(cols)
}

/// The string literals of a statement's WHERE clause.
pub(super) fn where_strings(q: &str) -> Vec<String> {
    let upper = q.to_ascii_uppercase();
    let Some(at) = upper.find("WHERE") else {
        return Vec::new();
    };
    sql::literals(q.get(at..).unwrap_or_default())
        .into_iter()
        .filter_map(|l| l.strip_prefix("str:").map(str::to_string))
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// `… IN (<literal>, …)`, not `IN (SELECT …)`.
pub(super) fn has_literal_in_list(q: &str) -> bool {
    if !may_have_in_list(q.as_bytes()) {
        return false;
    }
    let up = sql::squash(q).to_ascii_uppercase().replace("IN(", "IN (");
    up.match_indices(" IN (").any(|(at, m)| {
        let rest = up.get(at + m.len()..).unwrap_or("").trim_start();
        !rest.starts_with("SELECT")
    })
}

/// Whether `q` may hold `IN (` as [`has_literal_in_list`] reads it (after squashing): an `in`
/// after whitespace, then `(` after nothing but whitespace. Any other byte than ASCII counts as
/// whitespace here, so this never says no where the full test would say yes.
fn may_have_in_list(q: &[u8]) -> bool {
    let space = |b: u8| b.is_ascii_whitespace() || b == 0x0b || !b.is_ascii();
    memchr::memchr2_iter(b'n', b'N', q).any(|at| {
        let before = at.checked_sub(2).and_then(|i| q.get(i..at));
        let after = q.get(at + 1..).unwrap_or_default();
        matches!(before, Some(&[w, i]) if space(w) && i.eq_ignore_ascii_case(&b'i'))
            && after.iter().find(|&&b| !space(b)) == Some(&b'(')
    })
}

/// The columns compared in the WHERE clause: `target_id`, `gmt_modified`.
pub(super) fn where_columns(q: &str) -> Vec<String> {
    let squashed = sql::squash(q);
    let upper = squashed.to_ascii_uppercase();
    let Some(at) = upper.find(" WHERE ") else {
        return Vec::new();
    };
    let clause = squashed.get(at + 7..).unwrap_or("");
    let mut cols = Vec::new();
    for part in clause
        .split(['(', ')'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" AND "))
    {
        let word: String = part
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '`' || *c == '.')
            .collect();
        let word = word
            .trim_matches('`')
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_string();
        let rest = part.trim().get(word.len()..).unwrap_or("").trim_start();
        let compares = [
            "=", "<", ">", "!", "IN", "in", "LIKE", "like", "BETWEEN", "between",
        ]
        .iter()
        .any(|op| rest.starts_with(op));
        if !word.is_empty()
            && compares
            && !word.chars().all(|c| c.is_ascii_digit())
            && !cols.contains(&word)
        {
            cols.push(word);
        }
    }
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_list_prefilter_never_hides_a_list() {
        let listed = [
            "UPDATE t SET a = 1 WHERE id IN (1, 2)",
            "update t set a = 1 where id in(1,2)",
            "DELETE FROM t WHERE id\tIN\n  ( 'a' )",
            "DELETE FROM t WHERE id\u{a0}IN\u{a0}(3)",
        ];
        for q in listed {
            assert!(has_literal_in_list(q), "{q:?}");
            assert!(may_have_in_list(q.as_bytes()), "{q:?}");
        }
        let unlisted = [
            "INSERT INTO counters (name, hits) VALUES ('k1', 1)",
            "UPDATE t SET a = 1 WHERE id = 3",
            "SELECT * FROM t JOIN(u) ON 1",
            "IN (1)",
        ];
        for q in unlisted {
            assert!(!has_literal_in_list(q), "{q:?}");
            assert!(!may_have_in_list(q.as_bytes()), "{q:?}");
        }
    }
}
