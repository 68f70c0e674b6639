//! Just enough reading of a PROCESSLIST statement to tell a stall's roles: which statement
//! flushes, which takes the global read lock, which writes, and which tables it names. A
//! PROCESSLIST-only wait names no holder, so these words are all there is to infer one from
//! (the stalls and the metadata-lock queue both ask).

/// The statement's words, upper case, comments and punctuation around them dropped.
pub(super) fn words(sql: &str) -> Vec<String> {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    // `/*!40101 LOCAL */` (mysqldump's) and other comments out.
    while let Some(at) = rest.find("/*") {
        out.push_str(rest.get(..at).unwrap_or_default());
        out.push(' ');
        rest = match rest.get(at..).and_then(|r| r.find("*/")) {
            Some(end) => rest.get(at + end + 2..).unwrap_or_default(),
            None => "",
        };
    }
    out.push_str(rest);
    out.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect()
}

/// `FLUSH TABLES WITH READ LOCK`, `LOCK INSTANCE FOR BACKUP`, `BACKUP STAGE …`: a statement
/// that takes (or waits for) the global read / backup lock.
pub(super) fn is_backup_statement(sql: &str) -> bool {
    let w = words(sql);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    matches!(
        w.as_slice(),
        ["FLUSH", "TABLES" | "TABLE", "WITH", "READ", "LOCK", ..]
            | [
                "FLUSH",
                "LOCAL" | "NO_WRITE_TO_BINLOG",
                "TABLES" | "TABLE",
                "WITH",
                "READ",
                "LOCK",
                ..
            ]
            | ["LOCK", "INSTANCE", "FOR", "BACKUP", ..]
            | ["BACKUP", "STAGE", ..]
    )
}

/// A statement that flushes tables: `FLUSH TABLES [t, …]`, FTWRL, and the statements that
/// close a table's old version (`ANALYZE`, `OPTIMIZE`, `REPAIR`, `ALTER`, `RENAME`).
pub(super) fn is_flush_statement(sql: &str) -> bool {
    let w = words(sql);
    matches!(
        w.first().map(String::as_str),
        Some("FLUSH" | "ANALYZE" | "OPTIMIZE" | "REPAIR" | "ALTER" | "RENAME" | "TRUNCATE")
    )
}

/// A statement that writes (takes the global read lock's intention, as every write does, and
/// a `SELECT … FOR UPDATE` too).
pub(super) fn is_write(sql: &str) -> bool {
    let w = words(sql);
    let for_update = w
        .windows(2)
        .any(|p| matches!(p, [a, b] if a == "FOR" && b == "UPDATE"));
    for_update
        || matches!(
            w.first().map(String::as_str),
            Some(
                "INSERT"
                    | "UPDATE"
                    | "DELETE"
                    | "REPLACE"
                    | "LOAD"
                    | "ALTER"
                    | "CREATE"
                    | "DROP"
                    | "RENAME"
                    | "TRUNCATE"
                    | "OPTIMIZE"
                    | "REPAIR"
                    | "COMMIT"
            )
        )
}

/// The tables a statement names (`FROM a, b`, `JOIN c`, `UPDATE d`, `INTO e`, `TABLE f`,
/// `FLUSH TABLES g, h`), as written (`db.t` or `t`), without quotes. `None`: it names none
/// the words show (`FLUSH TABLES`, `FLUSH TABLES WITH READ LOCK`: every table).
pub(super) fn tables_of_statement(sql: &str) -> Option<Vec<String>> {
    let raw: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let keyword = |w: &str| {
        ["FROM", "JOIN", "UPDATE", "INTO", "TABLE", "TABLES"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
    };
    let stop = |w: &str| {
        [
            "WHERE",
            "WITH",
            "FOR",
            "SET",
            "VALUES",
            "VALUE",
            "SELECT",
            "ON",
            "USING",
            "LIMIT",
            "ORDER",
            "GROUP",
            "AS",
            "LEFT",
            "RIGHT",
            "INNER",
            "JOIN",
            "READ",
            "WRITE",
            "LOCK",
            "ADD",
            "DROP",
            "MODIFY",
            "CHANGE",
            "ENGINE",
            "IF",
            "EXISTS",
            "NOT",
            "PARTITION",
        ]
        .iter()
        .any(|k| w.eq_ignore_ascii_case(k))
    };
    let mut i = 0;
    while let Some(w) = raw.get(i) {
        i += 1;
        if !keyword(w) {
            continue;
        }
        // A list: `a, b` / `a,b` / `a b, c d` (aliases), up to a keyword.
        let mut expect_name = true;
        while let Some(next) = raw.get(i) {
            if stop(next) || keyword(next) {
                break;
            }
            i += 1;
            for (k, part) in next.split(',').enumerate() {
                if k > 0 {
                    expect_name = true;
                }
                let name = part.trim_matches(|c| c == '`' || c == '"' || c == '\'');
                let plain = name.replace('`', "");
                if expect_name && !plain.is_empty() && plain.chars().any(|c| c.is_alphabetic()) {
                    if !out.contains(&plain) {
                        out.push(plain);
                    }
                    expect_name = false;
                }
            }
            if next.ends_with(',') {
                expect_name = true;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn statements_name_their_tables() {
        let t = |s: &str| tables_of_statement(s);
        assert_eq!(t("select * from t where id=1"), Some(vec!["t".into()]));
        assert_eq!(t("flush tables t1"), Some(vec!["t1".into()]));
        assert_eq!(t("FLUSH TABLES a, b"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(t("FLUSH TABLES"), None);
        assert_eq!(t("FLUSH TABLES WITH READ LOCK"), None);
        assert_eq!(
            t("SELECT * FROM `shop`.`orders` o JOIN items i ON i.o = o.id"),
            Some(vec!["shop.orders".into(), "items".into()])
        );
        assert_eq!(t("select sleep(1) from t"), Some(vec!["t".into()]));
        assert_eq!(t("UPDATE USERS A SET x = 1"), Some(vec!["USERS".into()]));
        assert_eq!(t("select 1"), None);
    }

    #[test]
    fn backup_statements() {
        assert!(is_backup_statement("FLUSH TABLES WITH READ LOCK"));
        assert!(is_backup_statement("flush table with read lock"));
        assert!(is_backup_statement(
            "FLUSH /*!40101 LOCAL */ TABLES WITH READ LOCK"
        ));
        assert!(is_backup_statement("LOCK INSTANCE FOR BACKUP"));
        assert!(!is_backup_statement("FLUSH TABLES t"));
        assert!(!is_backup_statement("FLUSH TABLES"));
    }
}
